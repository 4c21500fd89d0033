// @vitest-environment happy-dom
// The views that read the desk store, mounted in a DOM with the store they
// would get from App: what a user sees when the filter, the sort, the
// selection or the data change. Only the IPC (api) is replaced.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  api: {
    dbInfo: vi.fn(),
    distinctValues: vi.fn(),
    browseSummary: vi.fn(),
    browsePage: vi.fn(),
    eacDetail: vi.fn(),
  },
}));

import { api } from "../api";
import { SEARCH_DELAY_MS, type Desk } from "../desk.svelte";
import type { BrowseQuery, EacFilter, EacRow } from "../types";
import { eacRow } from "../testRows";
import EacTable from "./EacTable.svelte";
import FilterBar from "./FilterBar.svelte";
import Footer from "./Footer.svelte";
import { $, cleanup, click, clickOn, press, show, testDesk, type } from "../testMount";

function row(id: string, source = `Plant ${id}`, technology: EacRow["technology_type"] = "solar"): EacRow {
  return eacRow(id, {
    eac_number: `GO-${id}`,
    technology_type: technology,
    period_start: "2025-01-01T00:00:00Z",
    period_end: "2025-02-01T00:00:00Z",
    issuance: "2025-02-03",
    source_id: `S-${id}`,
    source_name: source,
    destination_id: "D-1",
    destination_name: "Grid",
    beneficiary_type: "general",
  });
}

/** The database behind the mocked IPC: what browse_page and browse_summary answer. */
let stored: EacRow[] = [];
function matching(f: EacFilter): EacRow[] {
  return stored.filter(
    (r) =>
      (f.technology === null || r.technology_type === f.technology) &&
      (f.search === null || r.cds_eac_id.includes(f.search)) &&
      (f.incomplete !== true || r.missing.length > 0),
  );
}

const pageCalls = () => vi.mocked(api.browsePage).mock.calls.map((c) => c[0] as BrowseQuery);
const settle = (ms = 60) => new Promise((r) => setTimeout(r, ms));

const shownIds = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="eac-row"]')].map((r) => r.dataset.id);

// No layout in happy-dom: give the table a viewport of 600 px, as a window would.
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
});
afterAll(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, "clientHeight", clientHeight);
});

beforeEach(() => {
  stored = [row("A"), row("B", "Plant B", "wind"), row("C")];
  vi.mocked(api.browsePage).mockReset().mockImplementation(async (q) => matching(q.filter).slice(q.offset, q.offset + q.limit));
  vi.mocked(api.browseSummary).mockReset().mockImplementation(async (f) => ({ count: matching(f).length, totals: [] }));
  vi.mocked(api.eacDetail).mockReset().mockImplementation(async (id) => ({ cds_eac_id: id }) as never);
});
afterEach(cleanup);

/** A desk that has counted its (empty) filter, as after App's start. */
async function countedDesk(): Promise<Desk> {
  const desk = testDesk((e) => {
    throw e;
  });
  desk.changes.changed("count");
  await vi.waitFor(() => expect(desk.summary).not.toBeNull());
  return desk;
}

describe("EacTable on the desk", () => {
  it("shows the rows of the desk's filter, and only the new filter's rows once it changes", async () => {
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["A", "B", "C"]));

    desk.setFilter({ technology: "wind" });
    flushSync();
    // the old query's rows are gone at once (no stale rows under a new filter)
    expect(shownIds(table)).not.toContain("A");
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["B"]));
    expect($(table, "eac-table")?.dataset.count).toBe("1");
    expect(pageCalls().at(-1)).toMatchObject({ offset: 0, filter: { technology: "wind" } });

    desk.setFilter({ technology: "hydro" });
    await vi.waitFor(() => expect($(table, "table-empty")?.textContent).toContain("No EACs match the current filters."));
    click(table, "table-clear-filters");
    expect(desk.filtered).toBe(false);
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["A", "B", "C"]));
  });

  it("writes a period over a year's end on two lines, start and end, and one of a single year on one", async () => {
    stored = [row("A"), { ...row("B"), period_start: "2025-12-15T00:00:00Z", period_end: "2026-01-15T00:00:00Z" }];
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["A", "B"]));
    const period = (id: string) =>
      table.querySelector<HTMLElement>(`[data-testid="eac-row"][data-id="${id}"] [data-col="period"]`)!;
    const lines = (id: string) => [...period(id).querySelectorAll(".line")].map((l) => l.textContent);
    // Whole days by their first and last day, both included (DECISION-A).
    expect(lines("B")).toEqual(["2025-12-15 –", "2026-01-14"]);
    expect(period("B").classList.contains("two")).toBe(true);
    expect(lines("A")).toEqual([]);
    expect(period("A").textContent?.trim()).toBe("2025-01-01 – 01-31");
    expect(period("A").title).toBe("2025-01-01 – 2025-01-31");
  });

  it("never writes a period's exclusive end as a day it does not include", async () => {
    stored = [
      { ...row("DAY"), period_start: "2024-01-01T00:00:00Z", period_end: "2024-01-02T00:00:00Z" },
      { ...row("Q"), period_start: "2024-06-30T23:45:00Z", period_end: "2024-07-01T00:00:00Z" },
    ];
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["DAY", "Q"]));
    const period = (id: string) =>
      table.querySelector<HTMLElement>(`[data-testid="eac-row"][data-id="${id}"] [data-col="period"]`)!;
    const lines = (id: string) => [...period(id).querySelectorAll(".line")].map((l) => l.textContent);
    expect(period("DAY").textContent?.trim()).toBe("2024-01-01");
    expect(lines("Q")).toEqual(["2024-06-30 23:45 –", "2024-07-01 00:00"]);
    expect(period("Q").title).toBe("2024-06-30 23:45 until 2024-07-01 00:00 UTC (end excluded)");
  });

  it('fetches its page again when EACs changed, but not when only History changed', async () => {
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["A", "B", "C"]));
    const before = pageCalls().length;

    desk.changes.changed("audit");
    await settle();
    expect(pageCalls()).toHaveLength(before);

    stored[1] = row("B", "Plant B renamed", "wind");
    desk.changes.changed("eacs");
    flushSync();
    // the old rows stay on show while the page is fetched again
    expect(shownIds(table)).toEqual(["A", "B", "C"]);
    await vi.waitFor(() => expect(table.textContent).toContain("Plant B renamed"));
    expect(pageCalls()).toHaveLength(before + 1);
  });

  it("marks the desk's selected EAC, and arrow keys and clicks pick rows through the app", async () => {
    const desk = await countedDesk();
    const picked: string[] = [];
    // the app selects what the table picks (it may first ask about unsaved edits)
    const onselect = (r: EacRow) => {
      picked.push(r.cds_eac_id);
      desk.select(r.cds_eac_id);
    };
    const table = show(EacTable, { onselect, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toHaveLength(3));
    const selected = () => table.querySelector<HTMLElement>('[aria-selected="true"]')?.dataset.id;

    desk.select("B");
    flushSync();
    expect(selected()).toBe("B");
    press(table, "eac-table", "ArrowDown");
    expect(selected()).toBe("C");
    press(table, "eac-table", "Home");
    expect(selected()).toBe("A");
    clickOn(table.querySelector<HTMLElement>('[data-id="B"]')!);
    expect(picked).toEqual(["C", "A", "B"]);
    expect(selected()).toBe("B");
    expect($(table, "eac-table")!.getAttribute("aria-activedescendant")).toBe(table.querySelector('[data-id="B"]')?.id);

    // the app kept the old selection (unsaved edits): the table keeps marking it
    const stay = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(stay)).toHaveLength(3));
    clickOn(stay.querySelector<HTMLElement>('[data-id="C"]')!);
    expect(stay.querySelector<HTMLElement>('[aria-selected="true"]')?.dataset.id).toBe("B");
  });

  it("picks rows with Shift/Ctrl-click, Shift+arrows, Space and Ctrl+A, and Escape lets them go", async () => {
    stored = ["A", "B", "C", "D", "E", "F"].map((id) => row(id));
    const desk = await countedDesk();
    const onselect = (r: EacRow) => desk.select(r.cds_eac_id);
    const table = show(EacTable, { onselect, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toHaveLength(6));
    expect($(table, "eac-table")!.getAttribute("aria-multiselectable")).toBe("true");
    const marked = () => [...table.querySelectorAll<HTMLElement>('[aria-selected="true"]')].map((r) => r.dataset.id);
    const pick = (id: string, mods: MouseEventInit = {}) => clickOn(table.querySelector<HTMLElement>(`[data-id="${id}"]`)!, mods);
    const key = (k: string, mods: KeyboardEventInit = {}) => press(table, "eac-table", k, mods);

    pick("B");
    expect(marked()).toEqual(["B"]);
    pick("D", { shiftKey: true });
    expect(marked()).toEqual(["B", "C", "D"]);
    expect(desk.selectedId).toBe("D");
    pick("F", { ctrlKey: true });
    expect(marked()).toEqual(["B", "C", "D", "F"]);
    pick("C", { metaKey: true });
    expect(marked()).toEqual(["B", "D", "F"]);
    expect(desk.bulkTarget.ids).toEqual(["B", "D", "F"]);

    // Escape lets them go (the row shown stays marked) and is not passed on; a second one is
    const passed: string[] = [];
    const seen = (e: KeyboardEvent) => passed.push(e.key);
    window.addEventListener("keydown", seen);
    key("Escape");
    expect(marked()).toEqual(["C"]);
    expect(passed).toEqual([]);
    key("Escape");
    expect(passed).toEqual(["Escape"]);
    window.removeEventListener("keydown", seen);

    // keyboard only: a plain move, then Shift+Down twice and Shift+Up once
    key("ArrowDown");
    expect(marked()).toEqual(["D"]);
    key("ArrowDown", { shiftKey: true });
    key("ArrowDown", { shiftKey: true });
    key("ArrowUp", { shiftKey: true });
    expect(marked()).toEqual(["D", "E"]);
    expect(desk.selectedId).toBe("E");
    // Space takes the row shown out again, and puts it back
    key(" ");
    expect(marked()).toEqual(["D"]);
    key(" ");
    expect(marked()).toEqual(["D", "E"]);

    // Ctrl+A: all in the filter, without fetching every id
    const pagesBefore = pageCalls().length;
    key("a", { ctrlKey: true });
    expect(marked()).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(desk.rows.kind).toBe("all");
    expect(desk.bulkTarget).toMatchObject({ scope: "filter", count: 6 });
    expect(pageCalls()).toHaveLength(pagesBefore);
    pick("A", { ctrlKey: true });
    expect(desk.bulkTarget.filter.exclude_ids).toEqual(["A"]);
    // a plain click is browsing again
    pick("B");
    expect(marked()).toEqual(["B"]);
    expect(desk.bulkTarget.scope).toBe("filter");
    // Shift+End from the first row spans every row: all in the filter
    key("Home");
    key("End", { shiftKey: true });
    expect(desk.rows.kind).toBe("all");
  });

  it("picks a range of rows not loaded yet by fetching their ids, in the table's order", async () => {
    stored = Array.from({ length: 700 }, (_, i) => row(`E${String(i).padStart(3, "0")}`));
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: (r: EacRow) => desk.select(r.cds_eac_id), onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table).length).toBeGreaterThan(10));
    clickOn(table.querySelector<HTMLElement>('[data-id="E001"]')!);
    // Shift+PageDown down to the last row needs rows far below: fetched by id (from row 1: not all)
    for (let i = 0; i < 50; i++) press(table, "eac-table", "PageDown", { shiftKey: true });
    await vi.waitFor(() => expect(desk.rows.kind).toBe("ids"));
    await vi.waitFor(() => expect(desk.bulkTarget.count).toBe(699));
    expect(desk.bulkTarget.ids?.[0]).toBe("E001");
    expect(desk.bulkTarget.ids?.at(-1)).toBe("E699");
  });

  it("sorts by a clicked column header: the desk's sort, and the page fetched in that order", async () => {
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    await vi.waitFor(() => expect(shownIds(table)).toHaveLength(3));
    const header = $(table, "col-technology")!;
    expect(header.getAttribute("aria-sort")).toBe("none");
    // an unsorted header keeps no room for an arrow (it cut "Technology" to "Technol…")
    expect(header.querySelector(".arrow")).toBeNull();
    clickOn(header.querySelector("button")!);
    expect(desk.sort).toEqual({ field: "technology_type", descending: false });
    expect(header.getAttribute("aria-sort")).toBe("ascending");
    expect(header.querySelector(".arrow")?.textContent).toBe("▲");
    await vi.waitFor(() => expect(pageCalls().at(-1)?.sort).toEqual({ field: "technology_type", descending: false }));
  });
});

describe("FilterBar on the desk", () => {
  it("changes the desk's filter: a ticked box or a date at once, a typed search after a pause or on Enter", async () => {
    const desk = await countedDesk();
    const bar = show(FilterBar, {}, desk);
    const search = $(bar, "search") as HTMLInputElement;
    const clear = $(bar, "filter-clear") as HTMLButtonElement;
    expect(clear.disabled).toBe(true);

    type(bar, "search", "B");
    expect(desk.filterInput.search).toBe("B");
    expect(desk.filter.search).toBeNull();
    expect(clear.textContent?.trim()).toBe("Clear filters (1)");
    await vi.waitFor(() => expect(desk.filter.search).toBe("B"), { timeout: SEARCH_DELAY_MS * 4 });

    type(bar, "search", "C");
    press(bar, "search", "Enter");
    expect(desk.filter.search).toBe("C");

    // (happy-dom does not match a picked <option> with :checked, which a select's binding reads: a box and a date here)
    const missing = $(bar, "filter-missing-emissions") as HTMLInputElement;
    click(bar, "filter-missing-emissions");
    expect(desk.filter.missing_emissions).toBe(true);
    expect(clear.textContent?.trim()).toBe("Clear filters (2)");
    type(bar, "filter-to", "2025-06-30");
    expect(desk.filter.to).toBe("2025-06-30");

    type(bar, "filter-from", "2025-1");
    expect($(bar, "filter-problems")?.textContent).toContain("“Period from” is not a date yet");

    click(bar, "filter-clear");
    expect(desk.filtered).toBe(false);
    expect(search.value).toBe("");
    expect(missing.checked).toBe(false);
    expect(($(bar, "filter-to") as HTMLInputElement).value).toBe("");
    expect($(bar, "filter-problems")).toBeNull();
  });

  it("shows the desk's filter when it is set elsewhere (show one EAC)", async () => {
    const desk = await countedDesk();
    const bar = show(FilterBar, {}, desk);
    desk.showOnly("B");
    flushSync();
    expect(($(bar, "search") as HTMLInputElement).value).toBe("B");
    expect($(bar, "filter-clear")?.textContent?.trim()).toBe("Clear filters (1)");
  });
});

describe("Footer on the desk", () => {
  it("counts the desk's filter, and counts again when EACs changed", async () => {
    const desk = await countedDesk();
    const footer = show(Footer, { status: null, onenvelope: () => {} }, desk);
    expect($(footer, "footer-count")?.dataset.count).toBe("3");
    desk.setFilter({ technology: "wind" });
    await vi.waitFor(() => expect($(footer, "footer-count")?.dataset.count).toBe("1"));
    stored.push(row("D", "Plant D", "wind"));
    desk.changes.changed("audit");
    await settle(10);
    expect($(footer, "footer-count")?.dataset.count).toBe("1");
    desk.changes.changed("eacs");
    await vi.waitFor(() => expect($(footer, "footer-count")?.textContent).toContain("2 EACs"));
  });
});

describe("incomplete EACs on the desk", () => {
  it("are badged in the table with their missing fields, and the box lists only them", async () => {
    stored[1] = { ...row("B"), destination_id: null, destination_name: null, missing: ["destination_id", "destination_name", "issued"] };
    stored[2] = { ...row("C"), emissions_missing: true, missing: ["emissions_factor_lca"] };
    const desk = await countedDesk();
    const table = show(EacTable, { onselect: () => {}, onopen: () => {} }, desk);
    const bar = show(FilterBar, {}, desk);
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["A", "B", "C"]));
    const badges = [...table.querySelectorAll<HTMLElement>('[data-testid="row-incomplete"]')];
    expect(badges).toHaveLength(1);
    expect(badges[0].closest<HTMLElement>('[data-testid="eac-row"]')?.dataset.id).toBe("B");
    expect(badges[0].title).toBe(
      "Missing: Destination id, Destination name, Issue date of a value. Complete them (Details tab or “Complete fields…”) before exporting.",
    );
    // an EAC only missing its emission factor keeps its own badge
    expect(table.querySelectorAll('[data-testid="row-missing-emissions"]')).toHaveLength(1);
    // a missing destination is said, not shown blank
    expect(table.querySelector('[data-id="B"] [data-testid="cell-destination"]')?.textContent).toBe("→ missing");

    click(bar, "filter-incomplete");
    expect(desk.filter.incomplete).toBe(true);
    expect($(bar, "filter-clear")?.textContent?.trim()).toBe("Clear filters (1)");
    await vi.waitFor(() => expect(shownIds(table)).toEqual(["B", "C"]));
    expect(pageCalls().at(-1)).toMatchObject({ filter: { incomplete: true } });
  });
});
