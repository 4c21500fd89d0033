import { describe, expect, it } from "vitest";
import { periodPresets, presetOf } from "./periodPresets";

describe("period presets", () => {
  const today = new Date(Date.UTC(2025, 4, 17));

  it("offers this and last year and their quarters, whole UTC days", () => {
    const p = periodPresets(today);
    expect(p.map((x) => x.id)).toEqual([
      "this-year",
      "last-year",
      "this-q1",
      "this-q2",
      "this-q3",
      "this-q4",
      "last-q1",
      "last-q2",
      "last-q3",
      "last-q4",
    ]);
    expect(p[0]).toMatchObject({ from: "2025-01-01", to: "2025-12-31" });
    expect(p[1]).toMatchObject({ from: "2024-01-01", to: "2024-12-31", label: "Last year (2024)" });
    expect(p.find((x) => x.id === "last-q1")).toMatchObject({ from: "2024-01-01", to: "2024-03-31", label: "Q1 2024" });
    expect(p.find((x) => x.id === "this-q3")).toMatchObject({ from: "2025-07-01", to: "2025-09-30" });
  });

  it("names the preset the fields hold, else custom", () => {
    expect(presetOf("", "", today)).toBe("");
    expect(presetOf("2024-10-01", "2024-12-31", today)).toBe("last-q4");
    expect(presetOf("2024-10-01", "", today)).toBe("custom");
    expect(presetOf("2024-10-02", "2024-12-31", today)).toBe("custom");
  });
});
