import { describe, expect, it } from "vitest";
import {
  MAX_VIEWS,
  defaultViewState,
  parseViewState,
  renamedView,
  viewNameProblem,
  withView,
  withoutView,
  type SavedView,
} from "./viewState";
import { defaultLayout } from "./columns";
import { emptyFilterState } from "./filters";

const view = (name: string): SavedView => ({
  name,
  filter: emptyFilterState(),
  matches: [],
  sort: { field: "quantity", descending: true },
  columns: defaultLayout(),
});

describe("remembered view state", () => {
  it("round-trips through JSON", () => {
    const s = { ...defaultViewState(), pane: 360, views: [view("A")] };
    s.filter.technology = "wind";
    s.matches = [{ field: "asset", value: null, exclude: true }];
    expect(parseViewState(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it("gives the defaults for nothing, garbage, or a newer version", () => {
    for (const bad of [undefined, null, 1, "x", [], {}, { v: "1" }, { v: 99, filter: { technology: "wind" } }]) {
      expect(parseViewState(bad)).toEqual(defaultViewState());
    }
  });

  it("keeps the valid parts of a damaged state", () => {
    const s = parseViewState({
      v: 1,
      filter: { technology: "solar", from: 2024, junk: "x" },
      matches: [{ field: "asset", value: 3 }, { field: "source", value: "a" }, { field: "source", value: "a" }, "x"],
      sort: { field: "colour", descending: true },
      columns: "wide",
      pane: -4,
      views: [{ name: "  " }, { name: "One" }, { name: "one" }, 5],
    });
    expect(s.filter).toEqual({ ...emptyFilterState(), technology: "solar" });
    expect(s.matches).toEqual([{ field: "source", value: "a", exclude: false }]);
    expect(s.sort).toEqual(defaultViewState().sort);
    expect(s.columns).toEqual(defaultLayout());
    expect(s.pane).toBeNull();
    expect(s.views.map((v) => v.name)).toEqual(["One"]);
  });
});

describe("saved views", () => {
  it("names are required, unique regardless of case, and limited in number", () => {
    const views = [view("Wind 2024")];
    expect(viewNameProblem(views, "  ")).toMatch(/name/);
    expect(viewNameProblem(views, "wind   2024")).toMatch(/exists already/);
    expect(viewNameProblem(views, "Wind 2024", "Wind 2024")).toBeNull();
    expect(viewNameProblem(views, "Solar")).toBeNull();
    // The same name with its accent typed as one character or as a letter
    // and a combining mark (as macOS keyboards may) is the same name.
    const accented = [view("\u00c9nergie 2024")];
    expect(viewNameProblem(accented, "E\u0301nergie 2024")).toMatch(/exists already/);
    expect(viewNameProblem(accented, "e\u0301NERGIE 2024")).toMatch(/exists already/);
    const many = Array.from({ length: MAX_VIEWS }, (_, i) => view(`v${i}`));
    expect(viewNameProblem(many, "one more")).toMatch(/At most/);
  });

  it("adds (replacing one of the same name), renames and deletes, sorted by name", () => {
    let v = withView([view("b")], view("a"));
    expect(v.map((x) => x.name)).toEqual(["a", "b"]);
    v = withView(v, { ...view("B"), sort: { field: "eac_number", descending: false } });
    expect(v.map((x) => x.name)).toEqual(["a", "B"]);
    v = renamedView(v, "a", "  z  ");
    expect(v.map((x) => x.name)).toEqual(["B", "z"]);
    expect(withoutView(v, "b").map((x) => x.name)).toEqual(["z"]);
  });
});
