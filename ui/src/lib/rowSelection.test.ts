import { describe, expect, it } from "vitest";
import {
  NO_ROWS,
  allInFilter,
  bulkTarget,
  cleared,
  clicked,
  isPicked,
  isSelected,
  partAction,
  pickedCount,
  pickedWords,
  rangeTo,
  spansAll,
  targetAction,
  targetOf,
  targetWords,
  isWholeDatabase,
  toggled,
  withRange,
  type RowSelection,
} from "./rowSelection";
import { emptyFilterState, toEacFilter } from "./filters";
import type { EacFilter } from "./types";

/** The table of these tests: row i holds EAC `e<i>`. */
const ROWS = Array.from({ length: 10 }, (_, i) => `e${i}`);
const idsOf = (from: number, to: number) => ROWS.slice(from, to + 1);
const marked = (sel: RowSelection, current: string | null = null) => ROWS.filter((id) => isSelected(sel, id, current));

const noFilter: EacFilter = toEacFilter(emptyFilterState());
const wind: EacFilter = { ...noFilter, technology: "wind" };

/** What Shift-click (or Shift+arrow) on row `index` does, as the table does it. */
function shift(sel: RowSelection, index: number, currentIndex: number | null, add = false, current: string | null = null) {
  const r = rangeTo(sel, index, currentIndex);
  return spansAll(r.from, r.to, ROWS.length) ? allInFilter(r.anchor) : withRange(sel, idsOf(r.from, r.to), r.anchor, add, current);
}

describe("row selection", () => {
  it("a plain click marks only the row shown and picks nothing", () => {
    const sel = clicked(3);
    expect(isPicked(sel)).toBe(false);
    expect(marked(sel, "e3")).toEqual(["e3"]);
    expect(pickedCount(sel, 10)).toBe(0);
    expect(pickedWords(sel, 10, true)).toBeNull();
  });

  it("Shift-click picks the range from the last click, either way round, and keeps the anchor", () => {
    let sel = clicked(2);
    sel = shift(sel, 5, 2);
    expect(marked(sel)).toEqual(["e2", "e3", "e4", "e5"]);
    // a second Shift-click replaces the range, still from row 2
    sel = shift(sel, 0, 5);
    expect(marked(sel)).toEqual(["e0", "e1", "e2"]);
    expect(sel.anchor).toBe(2);
    expect(pickedWords(sel, 10, true)).toBe("3 selected");
  });

  it("without an earlier click a range starts at the row shown", () => {
    const sel = shift(NO_ROWS, 4, 6);
    expect(marked(sel)).toEqual(["e4", "e5", "e6"]);
    expect(sel.anchor).toBe(6);
  });

  it("Ctrl-click adds and removes rows, keeping the row shown, and moves the anchor", () => {
    let sel = clicked(1);
    sel = toggled(sel, "e4", 4, "e1");
    expect(marked(sel)).toEqual(["e1", "e4"]);
    sel = toggled(sel, "e7", 7, "e4");
    expect(marked(sel)).toEqual(["e1", "e4", "e7"]);
    sel = toggled(sel, "e4", 4, "e7");
    expect(marked(sel)).toEqual(["e1", "e7"]);
    expect(sel.anchor).toBe(4);
    // Ctrl+Shift adds a range to what is picked
    sel = shift(sel, 6, 4, true);
    expect(marked(sel)).toEqual(["e1", "e4", "e5", "e6", "e7"]);
    // taking the last one out is browsing again
    let one = toggled(clicked(0), "e0", 0, "e0");
    expect(one.kind).toBe("none");
    one = toggled(one, "e0", 0, null);
    expect(marked(one)).toEqual(["e0"]);
  });

  it("Shift+arrow extends one row at a time from the anchor and shrinks back", () => {
    // the table: ArrowDown to row 3 (a plain move), then Shift+Down twice, Shift+Up once
    let sel = clicked(3);
    let at = 3;
    for (const step of [1, 1, -1]) {
      at += step;
      sel = shift(sel, at, at - step);
    }
    expect(marked(sel)).toEqual(["e3", "e4"]);
    expect(sel.anchor).toBe(3);
    // upwards past the anchor
    sel = shift(sel, 1, 4);
    expect(marked(sel)).toEqual(["e1", "e2", "e3"]);
  });

  it("a range over every row is all in the filter, never a list of every id", () => {
    const sel = shift(clicked(0), 9, 0);
    expect(sel.kind).toBe("all");
    expect(spansAll(0, 0, 1)).toBe(false);
  });

  it("Ctrl+A picks all in the filter; Ctrl-click takes rows out and Escape clears", () => {
    let sel = allInFilter(2);
    expect(marked(sel)).toEqual(ROWS);
    expect(pickedWords(sel, 120, true)).toBe("All 120 in the filter selected");
    expect(pickedWords(sel, 120, false)).toBe("All 120 selected");
    expect(pickedCount(sel, null)).toBeNull();
    sel = toggled(sel, "e3", 3, "e2");
    sel = toggled(sel, "e5", 5, "e3");
    expect(marked(sel)).not.toContain("e3");
    expect(pickedCount(sel, 120)).toBe(118);
    expect(pickedWords(sel, 120, true)).toBe("118 selected");
    // Ctrl+Shift from the last Ctrl-click (e5) up to e3 puts them back
    sel = shift(sel, 3, 5, true);
    expect(pickedCount(sel, 120)).toBe(120);
    const none = cleared(sel);
    expect(none.kind).toBe("none");
    expect(marked(none, "e5")).toEqual(["e5"]);
  });
});

describe("bulk target", () => {
  it("browsing: every EAC of the filter, worded as before plus which", () => {
    const t = bulkTarget(NO_ROWS, wind, 120);
    expect(t.scope).toBe("filter");
    expect(t.filter).toEqual(wind);
    expect(targetAction("Delete", t)).toBe("Delete all 120 EACs in the filter");
    expect(isWholeDatabase(t)).toBe(false);
    const all = bulkTarget(NO_ROWS, noFilter, 5);
    expect(targetWords(all)).toBe("all 5 EACs");
    expect(isWholeDatabase(all)).toBe(true);
    expect(targetOf(all)).toEqual({ filter: noFilter });
    expect(targetWords(bulkTarget(NO_ROWS, wind, null))).toBe("all … EACs in the filter");
  });

  it("picked rows: exactly their ids, whatever the filter", () => {
    const sel = withRange(NO_ROWS, ["e4", "e2", "e3"], 2, false, null);
    const t = bulkTarget(sel, wind, 120);
    expect(t.scope).toBe("selected");
    expect(t.ids).toEqual(["e2", "e3", "e4"]);
    expect(t.filter).toEqual({ ...noFilter, ids: ["e2", "e3", "e4"] });
    expect(targetOf(t)).toEqual({ ids: ["e2", "e3", "e4"] });
    expect(targetAction("Change", t)).toBe("Change 3 selected EACs");
    expect(targetAction("Mark", t, "as verified")).toBe("Mark 3 selected EACs as verified");
    expect(isWholeDatabase(t)).toBe(false);
    expect(partAction("Change", t, 2)).toBe("Change 2 of the 3 selected EACs");
    expect(partAction("Change", t, 3)).toBe("Change 3 selected EACs");
    expect(targetWords(bulkTarget(toggled(clicked(0), "e1", 1, null), wind, 9))).toBe("1 selected EAC");
  });

  it("all but some: the filter without them, never the whole database", () => {
    const sel = toggled(allInFilter(), "e3", 3, null);
    const t = bulkTarget(sel, wind, 120);
    expect(t.filter).toEqual({ ...wind, exclude_ids: ["e3"] });
    expect(targetOf(t)).toEqual({ filter: { ...wind, exclude_ids: ["e3"] } });
    expect(targetWords(t)).toBe("119 selected EACs (all in the filter but 1)");
    const unfiltered = bulkTarget(sel, noFilter, 10);
    expect(isWholeDatabase(unfiltered)).toBe(false);
    expect(targetWords(unfiltered)).toBe("9 selected EACs (all but 1)");
  });

  it("select-all with nothing taken out is the filter itself", () => {
    const t = bulkTarget(allInFilter(), wind, 120);
    expect(t.scope).toBe("filter");
    expect(t.filter).toEqual(wind);
    expect(partAction("Change", t, 7)).toBe("Change 7 of all 120 EACs in the filter");
  });
});
