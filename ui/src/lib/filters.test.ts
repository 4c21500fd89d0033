import { describe, expect, it } from "vitest";
import {
  activeFilterCount,
  describeFilter,
  ariaSort,
  emptyFilterState,
  filterProblems,
  filterRefused,
  incompleteValue,
  isEmptyFilter,
  missingEmissionsValue,
  nextSort,
  queryKey,
  SEARCH_MAX_CHARS,
  toChoices,
  toEacFilter,
} from "./filters";
import { beneficiaryTypeLabel, retiredLabel, technologyLabel } from "./labels";

describe("toEacFilter", () => {
  it("turns every empty field into null", () => {
    const f = toEacFilter(emptyFilterState());
    expect(f).toEqual({
      search: null,
      technology: null,
      beneficiary_type: null,
      from: null,
      to: null,
      retired: null,
      source: null,
      destination: null,
      missing_emissions: null,
      incomplete: null,
    });
    expect(isEmptyFilter(f)).toBe(true);
    expect(activeFilterCount(f)).toBe(0);
  });

  it("trims the search and treats blank search as null", () => {
    expect(toEacFilter({ ...emptyFilterState(), search: "  abc " }).search).toBe("abc");
    expect(toEacFilter({ ...emptyFilterState(), search: "   " }).search).toBeNull();
  });

  it("passes valid enum values and dates", () => {
    const f = toEacFilter({
      search: "x",
      technology: "wind",
      beneficiary_type: "customer",
      from: "2024-01-01",
      to: "2024-12-31",
      retired: "partly",
      source: "Registry A",
      destination: "Account 7",
      missing_emissions: "yes",
      incomplete: "yes",
    });
    expect(f).toEqual({
      search: "x",
      technology: "wind",
      beneficiary_type: "customer",
      from: "2024-01-01",
      to: "2024-12-31",
      retired: "partly",
      source: "Registry A",
      destination: "Account 7",
      missing_emissions: true,
      incomplete: true,
    });
    expect(activeFilterCount(f)).toBe(10);
    expect(isEmptyFilter(f)).toBe(false);
  });

  it("drops unknown enum values and invalid dates", () => {
    const f = toEacFilter({
      ...emptyFilterState(),
      technology: "fusion",
      retired: "maybe",
      beneficiary_type: "friend",
      from: "2024-02-30",
      to: "tomorrow",
    });
    expect(f.technology).toBeNull();
    expect(f.retired).toBeNull();
    expect(f.beneficiary_type).toBeNull();
    expect(f.from).toBeNull();
    expect(f.to).toBeNull();
  });

  it("keeps source/destination text exactly (including spaces inside)", () => {
    expect(toEacFilter({ ...emptyFilterState(), source: " A  B " }).source).toBe(" A  B ");
  });
});

describe("filterProblems", () => {
  it("reports a reversed range and bad dates", () => {
    expect(filterProblems(emptyFilterState())).toEqual([]);
    expect(filterProblems({ ...emptyFilterState(), from: "2024-05-01", to: "2024-04-01" })).toHaveLength(1);
    expect(filterProblems({ ...emptyFilterState(), from: "2024-13-01" })[0]).toMatch(/^“Period from” .*YYYY-MM-DD/);
    expect(filterProblems({ ...emptyFilterState(), to: "2024-05" })[0]).toMatch(/^“Period to” is not a date yet/);
    expect(filterProblems({ ...emptyFilterState(), from: " 2024-05-01 ", to: "2024-05-01" })).toEqual([]);
  });
  it("says when the search text is too long to be searched for, and keeps it in the filter, which the backend refuses", () => {
    const long = { ...emptyFilterState(), search: "a".repeat(SEARCH_MAX_CHARS + 10) };
    expect(filterProblems(long)).toHaveLength(1);
    expect(filterProblems(long)[0]).toMatch(/^The search text is 10.?010 characters; at most 10.?000 are searched for/);
    // never quietly dropped: the filter would be wider than the box says
    expect(toEacFilter(long).search).toBe(long.search);
    expect(filterRefused(toEacFilter(long))).toBe(true);
    expect(filterRefused(toEacFilter({ ...emptyFilterState(), from: "2024-05-01", to: "2024-04-01" }))).toBe(true);
    expect(filterRefused(toEacFilter({ ...emptyFilterState(), from: "2024-05-01", to: "2024-05-01" }))).toBe(false);
    // Characters, not UTF-16 units: 10 000 emoji are searched for.
    const emoji = { ...emptyFilterState(), search: "😀".repeat(SEARCH_MAX_CHARS) };
    expect(filterProblems(emoji)).toEqual([]);
    expect(toEacFilter(emoji).search).toBe(emoji.search);
    expect(filterRefused(toEacFilter(emoji))).toBe(false);
  });
});

describe("sorting", () => {
  it("toggles direction on the same column and resets on another", () => {
    const s = { field: "eac_number" as const, descending: false };
    expect(nextSort(s, "eac_number")).toEqual({ field: "eac_number", descending: true });
    expect(nextSort({ field: "eac_number", descending: true }, "eac_number")).toEqual({
      field: "eac_number",
      descending: false,
    });
    expect(nextSort(s, "quantity")).toEqual({ field: "quantity", descending: false });
  });
  it("gives aria-sort values", () => {
    const s = { field: "quantity" as const, descending: true };
    expect(ariaSort(s, "quantity")).toBe("descending");
    expect(ariaSort(s, "source")).toBe("none");
  });
  it("query key changes with filter and sort", () => {
    const f = toEacFilter(emptyFilterState());
    const s = { field: "eac_number" as const, descending: false };
    expect(queryKey(f, s)).toBe(queryKey({ ...f }, { ...s }));
    expect(queryKey(f, s)).not.toBe(queryKey({ ...f, search: "a" }, s));
    expect(queryKey(f, s)).not.toBe(queryKey(f, { ...s, descending: true }));
  });
});

describe("describeFilter", () => {
  const labels = {
    technology: (t: string) => t.toUpperCase(),
    beneficiary: (t: string) => `B:${t}`,
    retired: (t: string) => `R:${t}`,
  };
  it("says when there is no filter", () => {
    expect(describeFilter(toEacFilter(emptyFilterState()), labels)).toBe("No filter (all EACs)");
  });
  it("lists the active filters in words", () => {
    const f = toEacFilter({ ...emptyFilterState(), search: "abc", technology: "wind", retired: "no", from: "2024-01-01" });
    expect(describeFilter(f, labels)).toBe("Search: “abc” · Technology: WIND · Period on or after 2024-01-01 · Retired: R:no");
    // The days as typed in "Period from" / "Period to", the last one included (January is 01-01 – 01-31).
    const g = toEacFilter({ ...emptyFilterState(), from: " 2024-01-01", to: "2024-01-31 ", beneficiary_type: "customer" });
    expect(describeFilter(g, labels)).toBe("Beneficiary type: B:customer · Period overlaps 2024-01-01 – 2024-01-31");
    expect(describeFilter(toEacFilter({ ...emptyFilterState(), to: "2024-01-31" }), labels)).toBe("Period on or before 2024-01-31");
  });
  it("names values as the rest of the UI does unless told otherwise", () => {
    const f = toEacFilter({ ...emptyFilterState(), technology: "wind", beneficiary_type: "customer", retired: "partly" });
    expect(describeFilter(f)).toBe(
      `Technology: ${technologyLabel("wind")} · Beneficiary type: ${beneficiaryTypeLabel("customer")} · Retired: ${retiredLabel("partly")}`,
    );
    expect(describeFilter(f)).toContain("Technology: Wind");
  });
});

describe("toChoices", () => {
  it("accepts plain strings (docs/ipc.md)", () => {
    expect(toChoices(["A", "B", "A"])).toEqual([
      { value: "A", label: "A" },
      { value: "B", label: "B" },
    ]);
  });
  it("accepts { value, label } objects (eac-store)", () => {
    expect(toChoices([{ value: "SRC-1", label: "Nordic (SRC-1)" }, { value: "SRC-2", label: "" }])).toEqual([
      { value: "SRC-1", label: "Nordic (SRC-1)" },
      { value: "SRC-2", label: "SRC-2" },
    ]);
  });
  it("ignores anything else", () => {
    expect(toChoices([1, null, { label: "x" }])).toEqual([]);
    expect(toChoices(null)).toEqual([]);
  });
});

describe("missing emission factors filter", () => {
  it("the checkbox text becomes true or null in the EacFilter", () => {
    expect(missingEmissionsValue(true)).toBe("yes");
    expect(missingEmissionsValue(false)).toBe("");
    const on = toEacFilter({ ...emptyFilterState(), missing_emissions: missingEmissionsValue(true) });
    expect(on.missing_emissions).toBe(true);
    const off = toEacFilter({ ...emptyFilterState(), missing_emissions: missingEmissionsValue(false) });
    expect(off.missing_emissions).toBeNull();
    // anything but "yes" is no filter
    expect(toEacFilter({ ...emptyFilterState(), missing_emissions: "no" }).missing_emissions).toBeNull();
  });
  it("counts as a filter on its own and is cleared by the empty state", () => {
    const f = toEacFilter({ ...emptyFilterState(), missing_emissions: "yes" });
    expect(isEmptyFilter(f)).toBe(false);
    expect(activeFilterCount(f)).toBe(1);
    expect(isEmptyFilter(toEacFilter(emptyFilterState()))).toBe(true);
  });
  it("changes the query key, so the table reloads its rows", () => {
    const s = { field: "period_start" as const, descending: true };
    const f = toEacFilter(emptyFilterState());
    const g = toEacFilter({ ...emptyFilterState(), missing_emissions: "yes" });
    expect(queryKey(f, s)).not.toBe(queryKey(g, s));
  });
  it("is described in words", () => {
    const labels = { technology: (t: string) => t, beneficiary: (t: string) => t, retired: (t: string) => t };
    const g = toEacFilter({ ...emptyFilterState(), technology: "wind", missing_emissions: "yes" });
    expect(describeFilter(g, labels)).toBe("Technology: wind · Only EACs missing an emission factor");
    expect(describeFilter({ ...toEacFilter(emptyFilterState()), missing_emissions: false }, labels)).toBe(
      "Only EACs with both emission factors",
    );
  });
});

describe("incomplete EACs filter", () => {
  const labels = { technology: (t: string) => t, beneficiary: (t: string) => t, retired: (t: string) => t };
  it("the checkbox text becomes true or null in the EacFilter", () => {
    expect(toEacFilter({ ...emptyFilterState(), incomplete: incompleteValue(true) }).incomplete).toBe(true);
    expect(toEacFilter({ ...emptyFilterState(), incomplete: incompleteValue(false) }).incomplete).toBeNull();
    expect(toEacFilter({ ...emptyFilterState(), incomplete: "no" }).incomplete).toBeNull();
  });
  it("counts as a filter, changes the query key and is described in words", () => {
    const s = { field: "period_start" as const, descending: true };
    const f = toEacFilter({ ...emptyFilterState(), incomplete: "yes" });
    expect(activeFilterCount(f)).toBe(1);
    expect(queryKey(f, s)).not.toBe(queryKey(toEacFilter(emptyFilterState()), s));
    expect(describeFilter(f, labels)).toBe("Only incomplete EACs (fields missing)");
    expect(describeFilter({ ...f, incomplete: false, technology: "wind" }, labels)).toBe(
      "Technology: wind · Only complete EACs",
    );
  });
});
