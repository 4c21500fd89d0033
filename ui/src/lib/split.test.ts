import { describe, expect, it } from "vitest";
import {
  PANE_DEFAULT,
  PANE_DEFAULT_MAX,
  PANE_MIN,
  TABLE_MIN,
  clampPane,
  paneDefault,
  paneDragWidth,
  paneKeyStep,
  paneShownWidth,
} from "./split";

describe("pane width", () => {
  it("clamps between the minimum and what leaves the table room", () => {
    expect(clampPane(100, 1280)).toBe(PANE_MIN);
    expect(clampPane(5000, 1280)).toBe(1280 - TABLE_MIN);
    expect(clampPane(400.4, 1280)).toBe(400);
    // a tiny window still gets the minimum pane
    expect(clampPane(500, 500)).toBe(PANE_MIN);
  });
  it("moves with the keyboard", () => {
    expect(paneKeyStep("ArrowLeft", false, 340, 1280)).toBe(364);
    expect(paneKeyStep("ArrowRight", false, 340, 1280)).toBe(316);
    expect(paneKeyStep("ArrowRight", true, 340, 1280)).toBe(PANE_MIN);
    expect(paneKeyStep("Home", false, 340, 1280)).toBe(1280 - TABLE_MIN);
    expect(paneKeyStep("End", false, 340, 1280)).toBe(PANE_MIN);
    expect(paneKeyStep("x", false, 340, 1280)).toBeNull();
  });
  it("follows a drag, within the limits", () => {
    // the splitter moved 50 px left: the pane grows by 50
    expect(paneDragWidth(340, 900, 850, 1280)).toBe(390);
    expect(paneDragWidth(340, 900, 980, 1280)).toBe(PANE_MIN);
    expect(paneDragWidth(340, 900, 0, 1280)).toBe(1280 - TABLE_MIN);
  });
  it("shows the chosen width until the room is known, then clamps it", () => {
    expect(paneShownWidth(5000, 0)).toBe(5000);
    expect(paneShownWidth(5000, 1280)).toBe(1280 - TABLE_MIN);
    expect(paneShownWidth(340, 1280)).toBe(340);
  });
});

describe("the pane's width before the splitter is dragged", () => {
  it("is a quarter of a wide window, within its bounds", () => {
    expect(paneDefault(1280)).toBe(PANE_DEFAULT);
    expect(paneDefault(1600)).toBe(400);
    expect(paneDefault(1920)).toBe(480);
    expect(paneDefault(3840)).toBe(PANE_DEFAULT_MAX);
  });
  it("never takes the table's minimum room, and has a width before layout", () => {
    expect(paneDefault(0)).toBe(PANE_DEFAULT);
    expect(paneDefault(600)).toBe(clampPane(PANE_DEFAULT, 600));
  });
});
