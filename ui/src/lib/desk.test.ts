import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("./api", () => ({
  api: {
    dbInfo: vi.fn(),
    distinctValues: vi.fn(),
    browseSummary: vi.fn(),
    eacDetail: vi.fn(),
    settingsGet: vi.fn(),
    settingsUpdate: vi.fn(),
    stageViewState: vi.fn(),
  },
}));

import { api } from "./api";
import { DETAIL_DELAY_MS, Desk, SEARCH_DELAY_MS } from "./desk.svelte";
import { allInFilter, clicked, toggled } from "./rowSelection";
import { settingsStore } from "./settingsStore.svelte";
import type { BrowseSummary, DbInfo, EacDetail, EacFilter } from "./types";

const info = (warnings: string[]) => ({ path: "/tmp/a.db", eac_count: 3, warnings }) as unknown as DbInfo;

/** The store's answer to browse_summary: as many EACs as the filter has set fields, plus 10. */
function summaryOf(f: EacFilter): BrowseSummary {
  return { count: 10 + Object.values(f).filter((v) => v !== null).length, totals: [] };
}

const detailOf = (id: string) => ({ cds_eac_id: id, eac_number: `N-${id}` }) as unknown as EacDetail;

describe("Desk", () => {
  beforeEach(() => {
    vi.useRealTimers();
    vi.mocked(api.dbInfo).mockReset();
    vi.mocked(api.distinctValues).mockReset();
    vi.mocked(api.browseSummary).mockReset().mockImplementation(async (f) => summaryOf(f));
    vi.mocked(api.eacDetail).mockReset().mockImplementation(async (id) => detailOf(id));
    vi.mocked(api.settingsGet)
      .mockReset()
      .mockResolvedValue({ settings: { databases: {} }, path: "/cfg/settings.json", warning: null } as never);
    vi.mocked(api.settingsUpdate).mockReset().mockResolvedValue({} as never);
    vi.mocked(api.stageViewState).mockReset().mockResolvedValue(null as never);
  });

  it("restores the filter, sort, columns and views remembered for the database, and writes changes back", async () => {
    vi.useFakeTimers();
    const remembered = {
      v: 1,
      filter: { technology: "wind", bogus: 3 },
      matches: [{ field: "asset", value: "GB-1", exclude: true }, { field: "nope", value: "x" }],
      sort: { field: "quantity", descending: false },
      columns: { order: ["quantity", "eac_number"], widths: { quantity: 5000 }, hidden: [] },
      pane: 400,
      views: [{ name: " Q1  wind ", filter: { from: "2024-01-01" }, sort: "bad", columns: null }],
    };
    vi.mocked(api.settingsGet).mockResolvedValue({
      settings: { databases: { "/tmp/a.db": remembered } },
      path: "/cfg/settings.json",
      warning: null,
    } as never);
    vi.mocked(api.dbInfo).mockResolvedValue(info([]));
    const desk = new Desk(() => {});
    await desk.loadDb(true);
    expect(desk.filter.technology).toBe("wind");
    expect(desk.filter.matches).toEqual([{ field: "asset", value: "GB-1", exclude: true }]);
    expect(desk.sort).toEqual({ field: "quantity", descending: false });
    expect(desk.layout.order[0]).toBe("quantity");
    expect(desk.layout.order).toHaveLength(16);
    expect(desk.layout.widths.quantity).toBe(800);
    expect(desk.paneWidth).toBe(400);
    expect(desk.views.map((v) => v.name)).toEqual(["Q1 wind"]);
    expect(desk.views[0].sort).toEqual({ field: "period_start", descending: true });
    // restoring wrote nothing; a sort (a click) is written at once, so closing right after keeps it
    expect(api.settingsUpdate).not.toHaveBeenCalled();
    desk.sortBy("eac_number");
    expect(api.settingsUpdate).toHaveBeenCalledTimes(1);
    // a stream of changes (the filter bar, column widths) is written once, after a pause
    desk.filterByCell({ field: "source", value: "ofgem", exclude: false });
    desk.setLayout({ ...desk.layout, widths: { eac_number: 150 } });
    desk.setLayout({ ...desk.layout, widths: { eac_number: 160 } });
    expect(api.settingsUpdate).toHaveBeenCalledTimes(1);
    // ...but each change is handed to the app at once, which writes it if the window closes in the pause
    expect(api.stageViewState).toHaveBeenCalledTimes(3);
    const staged = vi.mocked(api.stageViewState).mock.calls[2][0];
    expect(staged.database).toBe("/tmp/a.db");
    expect((staged.state as { columns: { widths: Record<string, number> } }).columns.widths.eac_number).toBe(160);
    vi.advanceTimersByTime(1000);
    expect(api.settingsUpdate).toHaveBeenCalledTimes(2);
    const patch = vi.mocked(api.settingsUpdate).mock.calls[1][0];
    expect(patch.database).toBe("/tmp/a.db");
    const state = patch.database_state as {
      sort: unknown;
      filter: { source: string };
      columns: { widths: Record<string, number> };
    };
    expect(state.sort).toEqual({ field: "eac_number", descending: false });
    expect(state.filter.source).toBe("ofgem");
    expect(state.columns.widths.eac_number).toBe(160);
    // the write after the pause is what was staged last
    expect(patch.database_state).toEqual(staged.state);
    // saving a view is written at once too
    desk.saveView("Ofgem");
    expect(api.settingsUpdate).toHaveBeenCalledTimes(3);
    const views = (vi.mocked(api.settingsUpdate).mock.calls[2][0].database_state as { views: { name: string }[] })
      .views;
    expect(views.map((v) => v.name)).toContain("Ofgem");
    desk.stop();
  });

  it("filters by a cell's value in the bar where it can, and excludes through cell filters", async () => {
    const desk = new Desk(() => {});
    desk.filterByCell({ field: "technology", value: "solar", exclude: false });
    expect(desk.filter.technology).toBe("solar");
    expect(desk.filter.matches).toBeUndefined();
    desk.filterByCell({ field: "technology", value: "solar", exclude: true });
    expect(desk.filter.technology).toBeNull();
    expect(desk.filter.matches).toEqual([{ field: "technology", value: "solar", exclude: true }]);
    desk.filterByCell({ field: "asset", value: null, exclude: false });
    expect(desk.activeFilterCount).toBe(2);
    desk.removeMatch({ field: "technology", value: "solar", exclude: true });
    expect(desk.filter.matches).toEqual([{ field: "asset", value: null, exclude: false }]);
    desk.clearFilter();
    expect(desk.filtered).toBe(false);
  });

  it("saves, applies, renames and deletes views", async () => {
    const desk = new Desk(() => {});
    desk.setFilter({ from: "2024-01-01", to: "2024-03-31" });
    desk.sortBy("quantity");
    const narrow = { ...desk.layout, widths: { eac_number: 120 } };
    desk.setLayout(narrow);
    desk.saveView("Q1");
    desk.clearFilter();
    desk.sortBy("eac_number");
    desk.setLayout({ ...desk.layout, widths: {} });
    expect(desk.applyView("q1")).toBe(true);
    expect(desk.filter.from).toBe("2024-01-01");
    expect(desk.sort.field).toBe("quantity");
    expect(desk.layout.widths).toEqual({ eac_number: 120 });
    // the view keeps its own copy: changing the columns shown does not change it
    desk.setLayout({ ...desk.layout, widths: { eac_number: 300 } });
    expect(desk.views[0].columns.widths).toEqual({ eac_number: 120 });
    desk.renameView("Q1", "First quarter");
    expect(desk.views.map((v) => v.name)).toEqual(["First quarter"]);
    desk.deleteView("first QUARTER");
    expect(desk.views).toEqual([]);
    expect(desk.applyView("Q1")).toBe(false);
  });

  it("shows the warnings of the first load only", async () => {
    vi.mocked(api.dbInfo).mockResolvedValue(info(["repaired"]));
    const desk = new Desk(() => {});
    await desk.loadDb(true);
    expect(desk.dbWarnings).toEqual(["repaired"]);
    expect(desk.dbLoaded).toBe(true);
    desk.dbWarnings = [];
    await desk.loadDb();
    expect(desk.dbWarnings).toEqual([]);
    expect(desk.db?.eac_count).toBe(3);
  });

  it("reads the settings file once at start-up, for the remembered state and the theme alike, keeping its warning", async () => {
    vi.mocked(api.settingsGet).mockResolvedValue({
      settings: { databases: { "/tmp/a.db": { v: 1, sort: { field: "quantity", descending: true } } } },
      path: "/cfg/settings.json",
      warning: "The settings file could not be read; it was kept aside.",
    } as never);
    vi.mocked(api.dbInfo).mockResolvedValue(info([]));
    const desk = new Desk(() => {});
    // what App does on mount: the desk starts, then the settings are loaded for the theme
    await Promise.all([desk.loadDb(true), settingsStore.read()]);
    expect(api.settingsGet).toHaveBeenCalledTimes(1);
    expect(desk.sort).toEqual({ field: "quantity", descending: true });
    expect(settingsStore.warning).toBe("The settings file could not be read; it was kept aside.");
    // the warning is said once by the shell: a later read does not lose it
    vi.mocked(api.settingsGet).mockResolvedValue({ settings: { databases: {} }, path: "/cfg/settings.json", warning: null } as never);
    await desk.restoreState("/tmp/b.db");
    expect(api.settingsGet).toHaveBeenCalledTimes(2);
    expect(settingsStore.warning).toBe("The settings file could not be read; it was kept aside.");
  });

  it("reports a failed load and still counts as loaded", async () => {
    vi.mocked(api.dbInfo).mockRejectedValue(new Error("gone"));
    const seen: unknown[] = [];
    const desk = new Desk((e) => seen.push(e));
    await desk.loadDb(true);
    expect(desk.dbLoaded).toBe(true);
    expect(desk.db).toBeNull();
    expect(seen).toHaveLength(1);
  });

  it("refreshAll says EACs, History and reference data changed and reloads the lists", async () => {
    vi.mocked(api.dbInfo).mockResolvedValue(info([]));
    vi.mocked(api.distinctValues).mockImplementation(async (field) => [{ value: field, label: field, count: 1 }] as never);
    const desk = new Desk(() => {});
    const rows = vi.fn();
    desk.changes.on("eacs", rows);
    desk.refreshAll();
    expect(rows).toHaveBeenCalledTimes(1);
    expect(desk.changes.track("eacs")).toBe(1);
    expect(desk.changes.track("audit")).toBe(1);
    expect(desk.changes.track("refdata")).toBe(1);
    // a recount or a retry is not "everything"
    expect(desk.changes.track("count", "detail")).toBe(0);
    await vi.waitFor(() => expect(desk.sources).toHaveLength(1));
    expect(desk.sources[0].value).toBe("source");
    expect(desk.destinations[0].value).toBe("destination");
    expect(api.dbInfo).toHaveBeenCalledTimes(1);
  });

  it("takes over another database's info and warnings, with no filter and nothing selected", async () => {
    vi.mocked(api.dbInfo).mockResolvedValue(info([]));
    vi.mocked(api.distinctValues).mockResolvedValue([]);
    const desk = new Desk(() => {});
    desk.setFilter({ retired: "partly" });
    desk.select("A");
    desk.setUnsavedEdits(true);
    desk.opened(info(["new one"]));
    expect(desk.db?.path).toBe("/tmp/a.db");
    expect(desk.dbWarnings).toEqual(["new one"]);
    expect(desk.filtered).toBe(false);
    expect(desk.filterInput.retired).toBe("");
    expect(desk.selectedId).toBeNull();
    expect(desk.unsavedEdits).toBe(false);
    await vi.waitFor(() => expect(desk.summary?.count).toBe(10));
  });

  it("applies a picked filter at once: the table starts afresh and count and totals reload once", async () => {
    const desk = new Desk(() => {});
    const afresh = vi.fn();
    desk.changes.on("filter", afresh);
    desk.setFilter({ technology: "wind", source: "SRC-1" });
    expect(desk.filter.technology).toBe("wind");
    expect(desk.filter.source).toBe("SRC-1");
    expect(desk.filtered).toBe(true);
    expect(desk.activeFilterCount).toBe(2);
    expect(afresh).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(desk.summary?.count).toBe(12));
    expect(api.browseSummary).toHaveBeenCalledTimes(1);
    expect(vi.mocked(api.browseSummary).mock.calls[0][0].technology).toBe("wind");
    // the same value again is no change: nothing reloads
    desk.setFilter({ technology: "wind" });
    expect(afresh).toHaveBeenCalledTimes(1);
    // a half-typed date filters nothing yet, says why, and changes nothing
    desk.setFilter({ from: "2025-0" });
    expect(desk.filter.from).toBeNull();
    expect(desk.filterProblems[0]).toContain("YYYY-MM-DD");
    expect(afresh).toHaveBeenCalledTimes(1);
  });

  it("keeps a search too long to be searched for, asks nothing with it, and turns the filter's actions off", async () => {
    const desk = new Desk(() => {});
    expect(desk.filterBlocked).toBe(false);
    const long = "a".repeat(10_001);
    desk.setFilter({ search: long });
    desk.searchNow();
    // the filter in effect is what the box shows, not the unfiltered set
    expect(desk.filter.search).toBe(long);
    expect(desk.filterProblems).toHaveLength(1);
    expect(desk.filterBlocked).toBe(true);
    // nothing matches, and the backend (which refuses it) is not asked
    await vi.waitFor(() => expect(desk.summary?.count).toBe(0));
    expect(api.browseSummary).not.toHaveBeenCalled();
    expect(desk.bulkTarget.count).toBe(0);
    // a first day after the last is refused alike
    desk.setFilter({ search: "" });
    desk.searchNow();
    await vi.waitFor(() => expect(desk.summary?.count).toBe(10));
    expect(desk.filterBlocked).toBe(false);
    desk.setFilter({ from: "2024-05-01", to: "2024-04-01" });
    expect(desk.filterBlocked).toBe(true);
    await vi.waitFor(() => expect(desk.summary?.count).toBe(0));
    expect(api.browseSummary).toHaveBeenCalledTimes(1);
    // a half-typed date changes no filter, but the bar shows a problem: still off
    desk.setFilter({ from: "2024-0", to: "" });
    expect(desk.filterBlocked).toBe(true);
  });

  it("searches once the user pauses typing, or at once on Enter", () => {
    vi.useFakeTimers();
    const desk = new Desk(() => {});
    desk.filterFields.search = "RE";
    desk.filterFields.search = "REGO";
    expect(desk.filterInput.search).toBe("REGO");
    expect(desk.filter.search).toBeNull();
    // the waiting search already counts for "Clear filters (1)"
    expect(desk.activeFilterCount).toBe(1);
    vi.advanceTimersByTime(SEARCH_DELAY_MS - 1);
    expect(desk.filter.search).toBeNull();
    vi.advanceTimersByTime(1);
    expect(desk.filter.search).toBe("REGO");
    expect(desk.activeFilterCount).toBe(1);

    desk.setFilter({ search: "GO-1" });
    desk.searchNow();
    expect(desk.filter.search).toBe("GO-1");
    desk.clearFilter();
    vi.advanceTimersByTime(SEARCH_DELAY_MS);
    // the cleared search does not come back when the old timer would have fired
    expect(desk.filter.search).toBeNull();
    expect(desk.filterInput.search).toBe("");
    expect(desk.filtered).toBe(false);
  });

  it("sorts by a column: the same column turns the order round, the count is not asked again", async () => {
    const desk = new Desk(() => {});
    const afresh = vi.fn();
    desk.changes.on("sort", afresh);
    expect(desk.sort).toEqual({ field: "period_start", descending: true });
    desk.sortBy("period_start");
    expect(desk.sort).toEqual({ field: "period_start", descending: false });
    desk.sortBy("technology_type");
    expect(desk.sort).toEqual({ field: "technology_type", descending: false });
    expect(afresh).toHaveBeenCalledTimes(2);
    await Promise.resolve();
    expect(api.browseSummary).not.toHaveBeenCalled();
  });

  it("reads the selected EAC a moment after moving to it, and only the last of quick moves", async () => {
    vi.useFakeTimers();
    const desk = new Desk(() => {});
    desk.select("A");
    desk.select("B");
    expect(desk.detailLoading).toBe(true);
    await vi.advanceTimersByTimeAsync(DETAIL_DELAY_MS);
    expect(api.eacDetail).toHaveBeenCalledTimes(1);
    expect(api.eacDetail).toHaveBeenCalledWith("B");
    expect(desk.detail?.cds_eac_id).toBe("B");
    expect(desk.detailLoading).toBe(false);

    // History changing is not a reason to read the EAC again; EACs changing is, at once
    desk.changes.changed("audit");
    await vi.advanceTimersByTimeAsync(DETAIL_DELAY_MS);
    expect(api.eacDetail).toHaveBeenCalledTimes(1);
    desk.changes.changed("eacs");
    await vi.advanceTimersByTimeAsync(0);
    expect(api.eacDetail).toHaveBeenCalledTimes(2);

    desk.select(null);
    expect(desk.detail).toBeNull();
    expect(desk.detailLoading).toBe(false);
  });

  it("keeps the EAC on show when reading it again fails, and says why", async () => {
    vi.useFakeTimers();
    const desk = new Desk(() => {});
    desk.select("A");
    await vi.advanceTimersByTimeAsync(DETAIL_DELAY_MS);
    vi.mocked(api.eacDetail).mockRejectedValueOnce({ code: "io", message: "disk gone" });
    desk.changes.changed("eacs");
    await vi.advanceTimersByTimeAsync(0);
    expect(desk.detail?.cds_eac_id).toBe("A");
    expect(desk.detailError?.message).toContain("disk gone");
    // "Try again"
    desk.changes.changed("detail");
    await vi.advanceTimersByTimeAsync(0);
    expect(desk.detailError).toBeNull();
  });

  it("shows one EAC alone: a search for it, selected, on its details tab", async () => {
    const desk = new Desk(() => {});
    desk.setFilter({ technology: "solar" });
    desk.setTab("history");
    desk.showOnly("EAC-9");
    expect(desk.filterInput.search).toBe("EAC-9");
    expect(desk.filter).toMatchObject({ search: "EAC-9", technology: null });
    expect(desk.selectedId).toBe("EAC-9");
    expect(desk.tab).toBe("details");
    await vi.waitFor(() => expect(desk.detail?.cds_eac_id).toBe("EAC-9"));
  });

  it("asks before leaving unsaved edits, and forgets a deleted EAC with its edits", () => {
    const desk = new Desk(() => {});
    desk.select("A");
    expect(desk.unsavedEac).toBeNull();
    desk.setUnsavedEdits(true);
    expect(desk.unsavedEac).toBe("A");
    expect(desk.wouldDiscardEdits("B")).toBe(true);
    expect(desk.wouldDiscardEdits("A")).toBe(false);
    // another EAC went
    desk.forgetIfAmong(["B"], 1);
    expect(desk.selectedId).toBe("A");
    // more went than the report names: A may be among them
    desk.forgetIfAmong(["B"], 60);
    expect(desk.selectedId).toBeNull();
    expect(desk.unsavedEdits).toBe(false);
  });

  it("names the EAC with unsaved edits as its heading does: its EAC number, else its CDS id", async () => {
    vi.mocked(api.eacDetail).mockImplementation(async (id) =>
      id === "S1-2" ? ({ cds_eac_id: id, eac_number: null } as unknown as EacDetail) : detailOf(id),
    );
    const desk = new Desk(() => {});
    desk.select("S1-1");
    await vi.waitFor(() => expect(desk.detail?.cds_eac_id).toBe("S1-1"));
    expect(desk.unsavedEacName).toBeNull();
    desk.setUnsavedEdits(true);
    expect(desk.unsavedEac).toBe("S1-1");
    expect(desk.unsavedEacName).toBe("N-S1-1");

    desk.setUnsavedEdits(false);
    desk.select("S1-2");
    await vi.waitFor(() => expect(desk.detail?.cds_eac_id).toBe("S1-2"));
    desk.setUnsavedEdits(true);
    expect(desk.unsavedEacName).toBe("S1-2");
  });

  it("keeps each part's unsaved edits apart: a save of one part leaves the others unsaved", () => {
    const desk = new Desk(() => {});
    desk.select("A");
    desk.setUnsavedEdits(true, "beneficiaries");
    desk.setUnsavedEdits(true, "emissions");
    expect(desk.unsavedWhat).toBe("the beneficiaries and the emission factors");
    // the emission factors were saved: the beneficiary edits are still unsaved
    desk.setUnsavedEdits(false, "emissions");
    expect(desk.unsavedEdits).toBe(true);
    expect(desk.unsavedParts).toEqual(["beneficiaries"]);
    expect(desk.wouldDiscardEdits("B")).toBe(true);
    // typed missing fields alone are unsaved edits too
    desk.setUnsavedEdits(false, "beneficiaries");
    desk.setUnsavedEdits(true, "fields");
    expect(desk.unsavedEac).toBe("A");
    expect(desk.unsavedWhat).toBe("the missing fields");
    desk.discardEdits();
    expect(desk.unsavedEdits).toBe(false);
  });

  it("counts once for several reasons in one turn and drops an answer overtaken by a newer one", async () => {
    let answer: (s: BrowseSummary) => void = () => {};
    vi.mocked(api.browseSummary).mockImplementationOnce(() => new Promise((r) => (answer = r)));
    const desk = new Desk(() => {});
    desk.setFilter({ retired: "no" });
    desk.changes.changed("eacs", "count");
    await Promise.resolve();
    expect(api.browseSummary).toHaveBeenCalledTimes(1);
    desk.setFilter({ retired: "" });
    await vi.waitFor(() => expect(desk.summary?.count).toBe(10));
    answer({ count: 999, totals: [] });
    await Promise.resolve();
    expect(desk.summary?.count).toBe(10);
    expect(desk.summaryLoading).toBe(false);
  });

  it("lets picked rows go when the filter changes, keeps them when the order changes", async () => {
    const desk = new Desk(() => {});
    desk.changes.changed("count");
    await vi.waitFor(() => expect(desk.summary).not.toBeNull());
    desk.select("A");
    desk.pickRows(toggled(clicked(0), "C", 2, "A"));
    expect(desk.rowSelected("A") && desk.rowSelected("C")).toBe(true);
    expect(desk.rowSelected("B")).toBe(false);
    expect(desk.bulkTarget.scope).toBe("selected");
    expect(desk.bulkTarget.filter.ids).toEqual(["A", "C"]);

    // another order: the same EACs stay picked, but a Shift range starts afresh
    desk.sortBy("technology_type");
    expect(desk.bulkTarget.ids).toEqual(["A", "C"]);
    expect(desk.rows.anchor).toBeNull();

    // the same filter typed again is no change
    desk.setFilter({ technology: "" });
    expect(desk.bulkTarget.scope).toBe("selected");

    // all in the filter, then another filter: nothing picked, the target is the new filter
    desk.pickRows(allInFilter());
    expect(desk.rowSelected("anything")).toBe(true);
    desk.setFilter({ technology: "wind" });
    expect(desk.rows.kind).toBe("none");
    expect(desk.bulkTarget).toMatchObject({ scope: "filter", filtered: true, filter: { technology: "wind" } });
    // the EAC shown stays shown and marked
    expect(desk.selectedId).toBe("A");
    expect(desk.rowSelected("A")).toBe(true);
    await vi.waitFor(() => expect(desk.bulkTarget.count).toBe(11));
  });

  it("Escape or Clear lets picked rows go; another database starts with none", () => {
    const desk = new Desk(() => {});
    desk.pickRows(allInFilter(4));
    desk.clearRows();
    expect(desk.rows).toEqual({ kind: "none", anchor: 4 });
    desk.pickRows(toggled(clicked(0), "X", 1, null));
    desk.opened(info([]));
    expect(desk.rows.kind).toBe("none");
  });
});
