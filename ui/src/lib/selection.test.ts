import { describe, expect, it } from "vitest";
import { globalShortcut, isNavKey, moveSelection } from "./selection";

describe("moveSelection", () => {
  it("moves one row with the arrows, clamped", () => {
    expect(moveSelection(5, "ArrowDown", 10, 4)).toBe(6);
    expect(moveSelection(5, "ArrowUp", 10, 4)).toBe(4);
    expect(moveSelection(0, "ArrowUp", 10, 4)).toBe(0);
    expect(moveSelection(9, "ArrowDown", 10, 4)).toBe(9);
  });
  it("starts at the first row when nothing is selected", () => {
    expect(moveSelection(null, "ArrowDown", 10, 4)).toBe(0);
    expect(moveSelection(null, "ArrowUp", 10, 4)).toBe(0);
    expect(moveSelection(null, "End", 10, 4)).toBe(9);
  });
  it("pages and jumps", () => {
    expect(moveSelection(5, "PageDown", 100, 20)).toBe(25);
    expect(moveSelection(5, "PageUp", 100, 20)).toBe(0);
    expect(moveSelection(95, "PageDown", 100, 20)).toBe(99);
    expect(moveSelection(50, "Home", 100, 20)).toBe(0);
    expect(moveSelection(50, "End", 100, 20)).toBe(99);
  });
  it("has no selection in an empty table and copes with a shrunken one", () => {
    expect(moveSelection(3, "ArrowDown", 0, 4)).toBeNull();
    expect(moveSelection(50, "ArrowDown", 10, 4)).toBe(9);
    expect(moveSelection(50, "ArrowUp", 10, 4)).toBe(8);
  });
  it("recognises navigation keys", () => {
    expect(isNavKey("ArrowDown")).toBe(true);
    expect(isNavKey("Enter")).toBe(false);
  });
});

describe("globalShortcut", () => {
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...mods,
  });
  it("maps Ctrl+F and Ctrl+E", () => {
    expect(globalShortcut(k("f", { ctrlKey: true }))).toBe("focus-search");
    expect(globalShortcut(k("F", { ctrlKey: true }))).toBe("focus-search");
    expect(globalShortcut(k("e", { metaKey: true }))).toBe("open-export");
  });
  it("maps Ctrl+P to printing the view", () => {
    expect(globalShortcut(k("p", { ctrlKey: true }))).toBe("print");
    expect(globalShortcut(k("P", { metaKey: true }))).toBe("print");
    expect(globalShortcut(k("p"))).toBeNull();
  });
  it("ignores plain keys and Alt combinations", () => {
    expect(globalShortcut(k("f"))).toBeNull();
    expect(globalShortcut(k("e", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(globalShortcut(k("x", { ctrlKey: true }))).toBeNull();
  });
});
