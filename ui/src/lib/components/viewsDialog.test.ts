// @vitest-environment happy-dom
// The saved views dialog on the desk: a view is deleted only once the user
// says so, and Esc in that question keeps the view and the dialog.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({ api: {} }));

import type { Desk } from "../desk.svelte";
import { $, cleanup, click, press, show, testDesk } from "../testMount";
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
    click(root, "view-delete");
    // still there: the question is asked in its row
    expect(desk.views.map((v) => v.name)).toEqual(["Wind retired"]);
    expect($(root, "view-delete-confirm")?.textContent).toContain("“Wind retired”");
    expect(document.activeElement).toBe($(root, "view-delete-keep"));

    click(root, "view-delete-keep");
    expect($(root, "view-delete-confirm")).toBeNull();
    expect(desk.views).toHaveLength(1);

    click(root, "view-delete");
    click(root, "view-delete-yes");
    expect(desk.views).toHaveLength(0);
    expect($(root, "views-none")).not.toBeNull();
  });

  it("keeps the view, and the dialog, on Esc in the question", () => {
    const onclose = vi.fn();
    const { desk, root } = dialog(onclose);
    click(root, "view-delete");
    press(root, "view-delete-keep", "Escape");
    expect($(root, "view-delete-confirm")).toBeNull();
    expect(desk.views).toHaveLength(1);
    expect(onclose).not.toHaveBeenCalled();
  });
});
