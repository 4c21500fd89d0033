import { describe, expect, it } from "vitest";
import { PRINT_LIMIT, printCountLine, printTable } from "./print";
import { eacRow } from "./testRows";

const row = eacRow("id-1", {
  eac_number: "GO-123456789012345678901234567890",
  source_id: "REG",
  beneficiaries: ["ACC-1", "ACC-2"],
  quantities: [
    { unit: "kWh", total: "1234567.5" },
    { unit: "MWh", total: "2" },
  ],
  value_count: 2,
});

describe("printing the view", () => {
  it("lays the rows out in the display unit, the number whole", () => {
    const t = printTable([row], {
      unit: "MWh",
      filterWords: "No filter (all EACs)",
      sortWords: "EAC number",
      total: 1,
      printedAt: "2026-12-02 10:00",
    });
    expect(t.head.at(-1)).toBe("Quantity (MWh)");
    expect(t.rows[0][0]).toBe("GO-123456789012345678901234567890");
    expect(t.rows[0][2]).toBe("2024-01-01 – 2024-02-01");
    expect(t.rows[0][4]).toBe("ACC-1, ACC-2");
    expect(t.rows[0][6]).toBe("1 236.568");
    expect(t.numeric.at(-1)).toBe(true);
    expect(t.lines).toContain("Order: EAC number");
  });

  it("says when rows were left out", () => {
    expect(printCountLine(PRINT_LIMIT, 12000)).toBe(
      "The first 5 000 of 12 000 EACs in this order (narrow the filter to print the rest).",
    );
    expect(printCountLine(1, 1)).toBe("1 EAC.");
    expect(printCountLine(3, null)).toBe("3 EACs.");
  });
});
