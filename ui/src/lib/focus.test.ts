import { describe, expect, it } from "vitest";
import { TrapStack, refocusInDialog, returnsToOpener, wrapFocusIndex } from "./focus";

describe("wrapFocusIndex", () => {
  it("wraps forward and backward", () => {
    expect(wrapFocusIndex(2, 3, false)).toBe(0);
    expect(wrapFocusIndex(0, 3, true)).toBe(2);
    expect(wrapFocusIndex(1, 3, false)).toBe(2);
  });
  it("enters the ring when focus is outside", () => {
    expect(wrapFocusIndex(-1, 3, false)).toBe(0);
    expect(wrapFocusIndex(-1, 3, true)).toBe(2);
    expect(wrapFocusIndex(0, 0, false)).toBe(-1);
  });
});

describe("TrapStack", () => {
  it("gives the keyboard to the dialog opened last, and back when it closes", () => {
    const stack = new TrapStack<string>();
    expect(stack.isTop("import")).toBe(false);
    stack.push("import");
    expect(stack.isTop("import")).toBe(true);
    stack.push("close?");
    expect(stack.isTop("import")).toBe(false);
    expect(stack.isTop("close?")).toBe(true);
    stack.remove("close?");
    expect(stack.isTop("import")).toBe(true);
    stack.remove("import");
    stack.remove("import"); // twice is harmless
    expect(stack.isTop("import")).toBe(false);
  });
});

describe("returnsToOpener", () => {
  const opener = (keep: boolean) => ({ closest: (sel: string) => (keep && sel === "[data-keep-focus]" ? {} : null) }) as unknown as Element;

  it("sends the keyboard to the table after the last dialog", () => {
    expect(returnsToOpener(opener(false), 0, true)).toBe(false);
    expect(returnsToOpener(null, 0, true)).toBe(false);
  });

  it("gives focus back to the detail pane's editor that opened the dialog", () => {
    expect(returnsToOpener(opener(true), 0, true)).toBe(true);
  });

  it("gives focus back under another dialog, or when there is no table", () => {
    expect(returnsToOpener(opener(false), 1, true)).toBe(true);
    expect(returnsToOpener(opener(false), 0, false)).toBe(true);
  });
});

describe("refocusInDialog", () => {
  const inside = { id: "field" } as unknown as Node;
  const body = { id: "body" } as unknown as Node;
  const dialog = { contains: (n: Node) => n === inside };
  const button = () => {
    const b = { focused: 0, focus: () => void b.focused++, closest: () => dialog };
    return b;
  };
  it("brings focus back from the page to the dialog's button after a keyboard-started run", () => {
    const b = button();
    expect(refocusInDialog(b as never, body)).toBe(true);
    expect(refocusInDialog(b as never, null)).toBe(true);
    expect(b.focused).toBe(2);
  });
  it("leaves focus the user put inside the dialog, and does nothing without a dialog", () => {
    const b = button();
    expect(refocusInDialog(b as never, inside)).toBe(false);
    expect(refocusInDialog({ focus: () => {}, closest: () => null } as never, body)).toBe(false);
    expect(refocusInDialog(undefined, body)).toBe(false);
    expect(b.focused).toBe(0);
  });
});
