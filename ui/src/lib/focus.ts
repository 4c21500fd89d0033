// Focus helpers for dialogs: trap Tab inside, Esc to close, restore focus after.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.getClientRects().length > 0 && !el.closest("[inert]"),
  );
}

/** Index that Tab (or Shift+Tab) moves to in a ring of `count` elements. */
export function wrapFocusIndex(current: number, count: number, backwards: boolean): number {
  if (count <= 0) return -1;
  if (current < 0) return backwards ? count - 1 : 0;
  return backwards ? (current - 1 + count) % count : (current + 1) % count;
}

export interface TrapOptions {
  onescape?: () => void;
}

/**
 * Open focus traps, oldest first. A dialog opened over another (the "close
 * EAC Desk?" question over a running import) owns the keyboard; the one below
 * waits until it is on top again.
 */
export class TrapStack<T> {
  private items: T[] = [];
  push(item: T): void {
    this.items.push(item);
  }
  remove(item: T): void {
    const i = this.items.lastIndexOf(item);
    if (i >= 0) this.items.splice(i, 1);
  }
  get size(): number {
    return this.items.length;
  }
  isTop(item: T): boolean {
    return this.items.length > 0 && this.items[this.items.length - 1] === item;
  }
}

const traps = new TrapStack<HTMLElement>();

/**
 * Where the keyboard goes when the last dialog closes (the app: its table),
 * unless the dialog was opened from inside a region marked
 * `data-keep-focus` (the detail pane's editor), which gets focus back.
 * Returns false when it could not take focus.
 */
let focusHome: (() => boolean) | null = null;

export function setFocusHome(home: (() => boolean) | null): void {
  focusHome = home;
}

/** Whether focus returns to `previous` rather than to the home (the table). */
export function returnsToOpener(previous: Element | null, dialogsLeft: number, hasHome: boolean): boolean {
  if (dialogsLeft > 0 || !hasHome) return true;
  return previous !== null && previous.closest("[data-keep-focus]") !== null;
}

/**
 * After an operation the keyboard started (Ctrl+Enter in a field that is
 * disabled while it runs), focus may have fallen to the page outside the
 * dialog: move it to `target` (the dialog's result or Close button), so
 * keyboard and screen-reader users stay in the dialog. Focus the user put
 * somewhere inside the dialog meanwhile stays where it is. Returns whether
 * focus was moved.
 */
export function refocusInDialog(
  target: Pick<HTMLElement, "focus" | "closest"> | null | undefined,
  active: Node | null = typeof document === "undefined" ? null : document.activeElement,
): boolean {
  const dialog = target?.closest('[role="dialog"]');
  if (!target || !dialog || (active !== null && dialog.contains(active))) return false;
  target.focus();
  return true;
}

/** Svelte action: keep keyboard focus inside `node` while it exists. */
export function trapFocus(node: HTMLElement, opts: TrapOptions = {}) {
  let options = opts;
  traps.push(node);
  const previous = document.activeElement as HTMLElement | null;

  queueMicrotask(() => {
    const preferred = node.querySelector<HTMLElement>("[data-autofocus]");
    const target = preferred && !preferred.hasAttribute("disabled") ? preferred : focusables(node)[0];
    (target ?? node).focus();
  });

  function onKeydown(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.stopPropagation();
      e.preventDefault();
      options.onescape?.();
      return;
    }
    if (e.key !== "Tab") return;
    const items = focusables(node);
    if (items.length === 0) {
      e.preventDefault();
      node.focus();
      return;
    }
    const idx = items.indexOf(document.activeElement as HTMLElement);
    const atEdge = e.shiftKey ? idx <= 0 : idx === items.length - 1 || idx < 0;
    if (atEdge) {
      e.preventDefault();
      items[wrapFocusIndex(idx, items.length, e.shiftKey)].focus();
    }
  }

  // Focus can fall out of the dialog (e.g. the pressed button becomes disabled
  // while an operation runs): keys then reach the document. Esc still closes
  // and Tab comes back inside.
  function onDocKeydown(e: KeyboardEvent) {
    if (!traps.isTop(node) || node.contains(document.activeElement)) return;
    if (e.key === "Escape") {
      e.preventDefault();
      options.onescape?.();
    } else if (e.key === "Tab") {
      e.preventDefault();
      const items = focusables(node);
      (items[e.shiftKey ? items.length - 1 : 0] ?? node).focus();
    }
  }

  node.addEventListener("keydown", onKeydown);
  document.addEventListener("keydown", onDocKeydown);
  return {
    update(next: TrapOptions) {
      options = next;
    },
    destroy() {
      node.removeEventListener("keydown", onKeydown);
      document.removeEventListener("keydown", onDocKeydown);
      traps.remove(node);
      const back = () => {
        if (previous && previous.isConnected && typeof previous.focus === "function") previous.focus();
      };
      // let the DOM settle before moving focus back
      if (returnsToOpener(previous, traps.size, focusHome !== null)) setTimeout(back, 0);
      else
        setTimeout(() => {
          if (!focusHome?.()) back();
        }, 0);
    },
  };
}

/** Copy text to the clipboard; falls back to a hidden textarea. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through */
  }
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}
