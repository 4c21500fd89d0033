// @vitest-environment happy-dom
// While the filter bar shows a problem (a search too long to be searched
// for, a first day after the last, a half-typed date), the actions that act
// on the EACs in the filter are off, and the bar says why: they used to go
// on with the unfiltered set while the search box still showed the text.

import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { browseSummary: vi.fn(async () => ({ count: 5, totals: [] })) },
}));

import { cleanup, hide, show, testDesk } from "../testMount";
import TableTools from "./TableTools.svelte";
import Toolbar from "./Toolbar.svelte";
import FilterBar from "./FilterBar.svelte";

afterEach(cleanup);

const $ = (root: ParentNode, testid: string) => root.querySelector<HTMLButtonElement>(`[data-testid="${testid}"]`);
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
    for (const id of acts) expect($(tools, id)?.disabled, id).toBe(false);
    expect($(bar, "filter-problems")).toBeNull();

    desk.setFilter({ search: "a".repeat(10_001) });
    desk.searchNow();
    flushSync();
    // the box keeps the text, and the filter in effect is that text
    expect(desk.filter.search).toHaveLength(10_001);
    for (const id of acts) expect($(tools, id)?.disabled, id).toBe(true);
    const said = $(bar, "filter-problems")?.textContent ?? "";
    expect(said).toMatch(/at most 10.000 are searched for/);
    expect(said).toContain("Until the filter is fixed, Export, Create evidence pack, Mark verified, Delete");

    desk.setFilter({ search: "", from: "2024-05-01", to: "2024-04-01" });
    desk.searchNow();
    flushSync();
    for (const id of acts) expect($(tools, id)?.disabled, id).toBe(true);
    expect($(bar, "filter-problems")?.textContent).toContain("“Period from” is after “Period to”");

    desk.setFilter({ to: "2024-06-01" });
    flushSync();
    for (const id of acts) expect($(tools, id)?.disabled, id).toBe(false);
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
    for (const id of acts) expect($(on.ownerDocument, id)?.disabled, id).toBe(false);
    hide(on);
    const off = show(Toolbar, { ...props, filterOff: true });
    for (const id of acts) {
      expect($(off, id)?.disabled, id).toBe(true);
      expect($(off, id)?.title, id).toMatch(/^Off until the problem the filter bar shows is fixed/);
    }
    // what needs no filter stays on
    expect($(off, "toolbar-history")?.disabled).toBe(false);
  });
});
