import { describe, expect, it } from "vitest";
import {
  COLUMNS,
  cellValues,
  defaultLayout,
  dropIndex,
  gridTemplate,
  keyWidth,
  moved,
  movedTo,
  normalizeLayout,
  resized,
  shownColumns,
  totalWidth,
  withShown,
} from "./columns";
import { eacRow } from "./testRows";

describe("column layout", () => {
  it("shows the usual columns by default, within a 1280 px window beside the detail pane", () => {
    const cols = shownColumns(defaultLayout());
    expect(cols.map((c) => c.id)).toEqual(["eac_number", "technology", "period", "source", "beneficiary", "quantity", "retired"]);
    // 1280 - margins (28) - splitter (10) - default pane (320) - the table's
    // vertical scrollbar and borders (20): measured on a 1280×800 screenshot,
    // where 922 px overflowed and cut "Partly retired"
    expect(totalWidth(cols)).toBeLessThanOrEqual(1280 - 28 - 10 - 320 - 20);
    expect(gridTemplate(cols)).toBe("190px 96px 156px 128px 108px 120px 104px minmax(0, 1fr)");
  });

  it("falls back to the default for anything that is not a layout", () => {
    for (const bad of [null, 3, "x", [], { order: "x" }, { order: [] }, { order: ["nope"] }]) {
      expect(normalizeLayout(bad)).toEqual(defaultLayout());
    }
  });

  it("keeps a stored layout, dropping unknown ids and bringing in columns it does not know", () => {
    const l = normalizeLayout({
      order: ["quantity", "nope", "eac_number", "quantity", "asset"],
      widths: { quantity: 10, eac_number: 300.4, asset: "wide", nope: 5 },
      hidden: ["eac_number", "zzz"],
    });
    expect(l.order).toHaveLength(COLUMNS.length);
    expect(l.order.slice(0, 2)).toEqual(["quantity", "retired"]); // retired follows quantity by default
    expect(l.order).toContain("asset");
    expect(l.widths).toEqual({ quantity: 70, eac_number: 300 });
    // eac_number was hidden; asset was stored as shown; others it never knew keep their default
    expect(l.hidden).toContain("eac_number");
    expect(l.hidden).not.toContain("asset");
    expect(l.hidden).toContain("created");
    expect(l.hidden).not.toContain("technology");
  });

  it("never hides every column", () => {
    const ids = COLUMNS.map((c) => c.id);
    expect(normalizeLayout({ order: ids, hidden: ids }).hidden).toEqual(defaultLayout().hidden);
    let l = defaultLayout();
    for (const c of shownColumns(l)) l = withShown(l, c.id, false);
    expect(shownColumns(l)).toHaveLength(1);
    l = withShown(l, "asset", true);
    expect(shownColumns(l).map((c) => c.id)).toContain("asset");
  });

  it("resizes within the column's limits, by drag or arrow keys", () => {
    let l = resized(defaultLayout(), "eac_number", 20);
    expect(shownColumns(l)[0].px).toBe(90);
    l = resized(l, "eac_number", 5000);
    expect(shownColumns(l)[0].px).toBe(800);
    expect(keyWidth("ArrowRight", false, 100)).toBe(116);
    expect(keyWidth("ArrowLeft", true, 100)).toBe(36);
    expect(keyWidth("Enter", false, 100)).toBeNull();
  });

  it("moves a column among the shown ones, skipping hidden ones", () => {
    const l = defaultLayout();
    const right = moved(l, "eac_number", 1);
    expect(shownColumns(right).map((c) => c.id).slice(0, 2)).toEqual(["technology", "eac_number"]);
    expect(moved(l, "eac_number", -1)).toBe(l);
    const last = moved(l, "retired", 1);
    expect(shownColumns(last).at(-1)?.id).toBe("retired");
    const to = movedTo(l, "retired", 0);
    expect(shownColumns(to)[0].id).toBe("retired");
    expect(to.order).toHaveLength(COLUMNS.length);
    // a hidden column moves in the full order (the chooser lists them all)
    const h = moved(l, "asset", -1);
    expect(h.order.indexOf("asset")).toBe(l.order.indexOf("asset") - 1);
  });

  it("finds where a dragged header lands", () => {
    const w = [100, 100, 100, 100];
    expect(dropIndex(w, 0, 40)).toBe(0);
    expect(dropIndex(w, 0, 140)).toBe(0); // not past the middle of the next column yet
    expect(dropIndex(w, 0, 160)).toBe(1);
    expect(dropIndex(w, 0, 390)).toBe(3);
    expect(dropIndex(w, 3, 20)).toBe(0);
    expect(dropIndex(w, 3, 260)).toBe(3);
    expect(dropIndex(w, 3, 240)).toBe(2);
    expect(dropIndex(w, 1, 9999)).toBe(3);
  });
});

describe("cell values", () => {
  const row = eacRow("id-1", {
    eac_number: null,
    source_id: "ofgem",
    destination_id: "UTIL",
    beneficiaries: ["A1", "A2"],
    retired_state: "yes",
    asset_id: "GB-1",
    issuance: "2024-01-02",
  });
  const label = (_f: string, v: string) => v.toUpperCase();

  it("offers the cell's exact values, missing ones as null", () => {
    expect(cellValues(row, "eac_number", label)).toEqual([{ field: "eac_number", value: null, words: "(missing)" }]);
    expect(cellValues(row, "source", label).map((v) => [v.field, v.value])).toEqual([
      ["source", "ofgem"],
      ["destination", "UTIL"],
    ]);
    expect(cellValues(row, "beneficiary", label).map((v) => v.value)).toEqual(["account", "A1", "A2"]);
    expect(cellValues(row, "technology", label)[0].words).toBe("WIND");
    expect(cellValues(row, "quantity", label)).toEqual([]);
    expect(cellValues(row, "period", label)).toEqual([]);
  });
});
