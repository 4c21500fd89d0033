import { describe, expect, it } from "vitest";
import { hiddenByFilterText, membershipFilter } from "./detailFilter";
import { emptyFilterState, toEacFilter } from "./filters";
import type { EacFilter } from "./types";

const none = toEacFilter(emptyFilterState());
const wind: EacFilter = { ...none, technology: "wind" };

describe("the detail pane and the filter", () => {
  it("counts the one EAC under the table's filter", () => {
    expect(membershipFilter(wind, "E-1")).toEqual({ ...wind, ids: ["E-1"] });
    expect(membershipFilter({ ...wind, ids: ["a"], exclude_ids: ["b"] }, "E-1")).toEqual({ ...wind, ids: ["E-1"] });
  });

  it("needs no question without a filter", () => {
    expect(membershipFilter(none, "E-1")).toBeNull();
  });

  it("says what to do", () => {
    expect(hiddenByFilterText("GO-1")).toContain("GO-1 is not in the current filter");
  });
});
