// @vitest-environment happy-dom
// The saved views dialog on the desk: a view is deleted only once the user
// says so, and Esc in that question keeps the view and the dialog.

import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({ api: {} }));

import type { Desk } from "../desk.svelte";
import { $, cleanup, show, testDesk } from "../testMount";
import ViewsDialog from "./ViewsDialog.svelte";

afterEach(cleanup);

function dialog(onclose = vi.fn()): { desk: Desk; root: HTMLElement } {
  const desk = testDesk();
  desk.saveView("Wind retired");
  const root = show(ViewsDialog, { onclose, onapplied: () => {} }, desk);
  return { desk, root };
}

describe("deleting a saved view", () => {
  it("asks first, and deletes only on Delete", () => {
    const { desk, root } = dialog();
    $(root, "view-delete")?.click();
    flushSync();
    // still there: the question is asked in its row
    expect(desk.views.map((v) => v.name)).toEqual(["Wind retired"]);
    expect($(root, "view-delete-confirm")?.textContent).toContain("“Wind retired”");
    expect(document.activeElement).toBe($(root, "view-delete-keep"));

    $(root, "view-delete-keep")?.click();
    flushSync();
    expect($(root, "view-delete-confirm")).toBeNull();
    expect(desk.views).toHaveLength(1);

    $(root, "view-delete")?.click();
    flushSync();
    $(root, "view-delete-yes")?.click();
    flushSync();
    expect(desk.views).toHaveLength(0);
    expect($(root, "views-none")).not.toBeNull();
  });

  it("keeps the view, and the dialog, on Esc in the question", () => {
    const onclose = vi.fn();
    const { desk, root } = dialog(onclose);
    $(root, "view-delete")?.click();
    flushSync();
    $(root, "view-delete-keep")?.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    flushSync();
    expect($(root, "view-delete-confirm")).toBeNull();
    expect(desk.views).toHaveLength(1);
    expect(onclose).not.toHaveBeenCalled();
  });
});
