// Component tests (files starting `// @vitest-environment happy-dom`): a
// Svelte component mounted in the page, with the desk store App would give
// it, driven as a user would, and everything taken down after each test.
// Not part of the app (only *.test.ts import it).
//
// Each test file still replaces the IPC itself, with
// `vi.mock("../api", () => ({ api: { name: vi.fn(), … } }))`: vitest hoists
// that call to the top of the file it is written in, so it cannot be made
// here. The desks and components made here use that file's mocked api.

import { flushSync, mount, unmount, type Component } from "svelte";
import { Desk, deskContext } from "./desk.svelte";

const shown: { component: ReturnType<typeof mount>; target: HTMLElement }[] = [];
const desks: Desk[] = [];

/**
 * Unmounts every component shown and stops every desk made since the last
 * call. Each test file runs it after each test: `afterEach(cleanup)`.
 */
export function cleanup(): void {
  for (const s of shown.splice(0)) {
    unmount(s.component);
    s.target.remove();
  }
  for (const d of desks.splice(0)) d.stop();
}

/** A desk store for one test, stopped by `cleanup`; `onerror` gets what App would show in its error banner. */
export function testDesk(onerror: (e: unknown) => void = () => {}): Desk {
  const desk = new Desk(onerror);
  desks.push(desk);
  return desk;
}

/**
 * Mounts `view` with `props` in a new element at the end of the page, with
 * `desk` as its store when given (as App provides it), runs its effects,
 * and returns the element. `cleanup` takes it down.
 */
export function show<P extends Record<string, unknown>>(view: Component<P>, props: P, desk?: Desk): HTMLElement {
  const target = document.createElement("div");
  document.body.append(target);
  const component = mount(view, { target, props, context: desk ? deskContext(desk) : undefined });
  flushSync();
  shown.push({ component, target });
  return target;
}

/** Takes down the component `show` mounted in `target` before the test ends. */
export function hide(target: HTMLElement): void {
  const i = shown.findIndex((s) => s.target === target);
  if (i < 0) throw new Error("hide: nothing shown there by show()");
  const [s] = shown.splice(i, 1);
  unmount(s.component);
  target.remove();
}

/** The element `data-testid="testid"` inside `root`, or null. */
export const $ = (root: ParentNode, testid: string) => root.querySelector<HTMLElement>(`[data-testid="${testid}"]`);

function element(root: ParentNode, testid: string): HTMLElement {
  const el = $(root, testid);
  if (!el) throw new Error(`no ${testid}`);
  return el;
}

/** Types `text` into the field `testid` (its whole value, one input event) and lets the view react. */
export function type(root: ParentNode, testid: string, text: string): void {
  typeOn(element(root, testid), text);
}

/** Types `text` into `el`, a field no testid names on its own (as `type`), and lets the view react. */
export function typeOn(el: HTMLElement, text: string): void {
  (el as HTMLInputElement).value = text;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

/** Chooses the option `value` in the select `testid` (input, then change, as a browser fires them) and lets the view react. */
export function choose(root: ParentNode, testid: string, value: string): void {
  const el = element(root, testid) as HTMLSelectElement;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

/**
 * Submits the form `testid`, or the form the field `testid` is in (as Enter
 * in it would), as its submit button would (`requestSubmit`: a form's own
 * checks and handlers run, a disabled button does not stop it), and lets
 * the view react.
 */
export function submit(root: ParentNode, testid: string): void {
  const el = element(root, testid);
  const form = el instanceof HTMLFormElement ? el : el.closest("form");
  if (!form) throw new Error(`${testid} is no form and in none`);
  form.requestSubmit();
  flushSync();
}

/** Clicks `testid` and lets the view react. */
export function click(root: ParentNode, testid: string): void {
  clickOn(element(root, testid));
}

/**
 * Clicks `el`, an element no testid names on its own (a row by its
 * `data-id`, the button inside a header), and lets the view react. With
 * `modifiers` ({ shiftKey: true }, { ctrlKey: true }, …) the click is a
 * mouse event with those keys held down; without, it is `el.click()`.
 */
export function clickOn(el: HTMLElement, modifiers?: MouseEventInit): void {
  if (modifiers) el.dispatchEvent(new MouseEvent("click", { bubbles: true, ...modifiers }));
  else el.click();
  flushSync();
}

/**
 * Presses `key` ("ArrowRight", "Escape", …) on `testid`, with `modifiers`
 * ({ shiftKey: true }, { ctrlKey: true }, …) held down, and lets the view react.
 */
export function press(root: ParentNode, testid: string, key: string, modifiers: KeyboardEventInit = {}): void {
  pressOn(element(root, testid), key, modifiers);
}

/** Presses `key` on `el`, an element no testid names on its own (as `press`), and lets the view react. */
export function pressOn(el: HTMLElement, key: string, modifiers: KeyboardEventInit = {}): void {
  el.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, ...modifiers }));
  flushSync();
}
