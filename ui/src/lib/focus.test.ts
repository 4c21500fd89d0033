import { describe, expect, it } from "vitest";
import { wrapFocusIndex } from "./focus";

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
