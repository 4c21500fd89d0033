// @vitest-environment happy-dom
// While the filter bar shows a problem (a search too long to be searched
// for, a first day after the last, a half-typed date), the actions that act
// on the EACs in the filter are off, and the bar says why: they used to go
// on with the unfiltered set while the search box still showed the text.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { browseSummary: vi.fn(async () => ({ count: 5, totals: [] })) },
}));

import { $, cleanup, hide, press, show, testDesk, type } from "../testMount";
import TableTools from "./TableTools.svelte";
import Toolbar from "./Toolbar.svelte";
import FilterBar from "./FilterBar.svelte";

afterEach(cleanup);

/** Whether the button `testid` is off (null: not shown). */
const off = (root: ParentNode, testid: string) => ($(root, testid) as HTMLButtonElement | null)?.disabled ?? null;
const none = () => {};

describe("actions on the filter while the filter bar shows a problem", () => {
  it("are off in the table's tools, and the filter bar says why", () => {
    const desk = testDesk();
    const tools = show(
      TableTools,
      {
        onfields: none,
        onbeneficiaries: none,
        onverify: none,
        onexport: none,
        ondelete: none,
        problemsOpen: false,
        onproblems: none,
        onexporttable: none,
        summaryOpen: false,
        onsummary: none,
        oncolumns: none,
        onviews: none,
      },
      desk,
    );
    const bar = show(FilterBar, {}, desk);
    const acts = ["selection-verify", "selection-export", "selection-delete", "fields-open"];
    for (const id of acts) expect(off(tools, id), id).toBe(false);
    expect($(bar, "filter-problems")).toBeNull();

    // typed into the search box, Enter searches at once
    type(bar, "search", "a".repeat(10_001));
    press(bar, "search", "Enter");
    // the box keeps the text, and the filter in effect is that text
    expect(($(bar, "search") as HTMLInputElement).value).toHaveLength(10_001);
    expect(desk.filter.search).toHaveLength(10_001);
    for (const id of acts) expect(off(tools, id), id).toBe(true);
    const said = $(bar, "filter-problems")?.textContent ?? "";
    expect(said).toMatch(/at most 10.000 are searched for/);
    expect(said).toContain("Until the filter is fixed, Export, Create evidence pack, Mark verified, Delete");

    type(bar, "search", "");
    type(bar, "filter-from", "2024-05-01");
    type(bar, "filter-to", "2024-04-01");
    press(bar, "search", "Enter");
    expect(desk.filter).toMatchObject({ from: "2024-05-01", to: "2024-04-01" });
    expect(desk.filter.search ?? "").toBe("");
    for (const id of acts) expect(off(tools, id), id).toBe(true);
    expect($(bar, "filter-problems")?.textContent).toContain("“Period from” is after “Period to”");

    type(bar, "filter-to", "2024-06-01");
    for (const id of acts) expect(off(tools, id), id).toBe(false);
    expect($(bar, "filter-problems")).toBeNull();
  });

  it("are off in the toolbar", () => {
    const props = {
      dbPath: "/tmp/a.db",
      busy: false,
      onopendb: none,
      onimport: none,
      onsample: none,
      onexport: none,
      onrefdata: none,
      onverify: none,
      onimports: none,
      ondelete: none,
      onhistory: none,
      onclaims: none,
      onpack: none,
      onverifypack: none,
      onperiods: none,
      onabout: none,
      onsettings: none,
      onprint: none,
    };
    const acts = ["export-open", "toolbar-verify", "toolbar-delete", "toolbar-pack"];
    const on = show(Toolbar, props);
    for (const id of acts) expect(off(on, id), id).toBe(false);
    hide(on);
    const filterOff = show(Toolbar, { ...props, filterOff: true });
    for (const id of acts) {
      expect(off(filterOff, id), id).toBe(true);
      expect($(filterOff, id)?.title, id).toMatch(/^Off until the problem the filter bar shows is fixed/);
    }
    // what needs no filter stays on
    expect(off(filterOff, "toolbar-history")).toBe(false);
  });
});
