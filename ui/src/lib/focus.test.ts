import { describe, expect, it } from "vitest";
import { TrapStack, wrapFocusIndex } from "./focus";

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
