import { describe, expect, it } from "vitest";
import { allEacCount, defaultVerifyScope, verifyCount, verifyFilter, verifyResultText } from "./verify";
import { emptyFilterState, isEmptyFilter, toEacFilter } from "./filters";

const none = toEacFilter(emptyFilterState());
const wind = toEacFilter({ ...emptyFilterState(), technology: "wind" });

describe("mark verified scope", () => {
  it("all means the empty filter, whatever is filtered now", () => {
    expect(isEmptyFilter(verifyFilter("all", wind))).toBe(true);
    expect(verifyFilter("all", wind)).toEqual(none);
  });
  it("filter means the current filter (a copy)", () => {
    const f = verifyFilter("filter", wind);
    expect(f).toEqual(wind);
    expect(f).not.toBe(wind);
    expect(f.technology).toBe("wind");
  });
  it("opens on the filter only when one is set", () => {
    expect(defaultVerifyScope(none)).toBe("all");
    expect(defaultVerifyScope(wind)).toBe("filter");
    expect(defaultVerifyScope(wind, true)).toBe("selected");
    expect(defaultVerifyScope(none, true)).toBe("selected");
  });
  it("counts envelope-only EACs in all", () => {
    expect(allEacCount({ eac_count: 10, envelope_only_count: 3 })).toBe(13);
    expect(allEacCount(null)).toBeNull();
    expect(verifyCount("all", 13, 4)).toBe(13);
    expect(verifyCount("filter", 13, 4)).toBe(4);
    expect(verifyCount("filter", 13, null)).toBeNull();
  });
  it("reports the result in words", () => {
    expect(verifyResultText(1)).toBe("Marked 1 EAC as verified just now.");
    expect(verifyResultText(2500)).toBe("Marked 2 500 EACs as verified just now.");
  });
});
