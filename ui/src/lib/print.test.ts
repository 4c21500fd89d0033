import { describe, expect, it } from "vitest";
import { PRINT_LIMIT, printColumns, printCountLine, printTable } from "./print";
import { defaultLayout, shownColumns, type ColumnId } from "./columns";
import { eacRow } from "./testRows";

const DEFAULT_COLUMNS: ColumnId[] = shownColumns(defaultLayout()).map((c) => c.id);
const opts = (columns: readonly ColumnId[]) => ({
  unit: "MWh" as const,
  filterWords: "No filter (all EACs)",
  sortWords: "EAC number",
  total: 1,
  printedAt: "2026-12-02 10:00",
  columns,
});

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
    const t = printTable([row], opts(DEFAULT_COLUMNS));
    const at = (label: string) => t.head.indexOf(label);
    expect(t.head).toEqual([
      "EAC number",
      "Technology",
      "Period (UTC)",
      "Source → destination",
      "Beneficiary",
      "Quantity (MWh)",
      "Retired",
    ]);
    expect(t.rows[0][0]).toBe("GO-123456789012345678901234567890");
    expect(t.rows[0][at("Period (UTC)")]).toBe("2024-01-01 – 2024-01-31");
    expect(t.rows[0][at("Beneficiary")]).toMatch(/^ACC-1, ACC-2/);
    expect(t.rows[0][at("Quantity (MWh)")]).toBe("1 236.568");
    expect(t.numeric[at("Quantity (MWh)")]).toBe(true);
    expect(t.mono[0]).toBe(true);
    expect(t.lines).toContain("Order: EAC number");
  });

  it("prints the table's own columns in its order", () => {
    // The user hid Technology and Beneficiary, showed the asset and the
    // value count, and moved Quantity first.
    const t = printTable([row], opts(["quantity", "eac_number", "period", "asset", "value_count", "retired"]));
    expect(t.head).toEqual(["Quantity (MWh)", "EAC number", "Period (UTC)", "Asset", "Values", "Retired"]);
    expect(t.rows[0][0]).toBe("1 236.568");
    expect(t.rows[0][1]).toBe("GO-123456789012345678901234567890");
    expect(t.rows[0][4]).toBe("2");
    expect(t.numeric).toEqual([true, false, false, false, true, false]);
    expect(t.mono).toEqual([false, true, false, true, false, false]);
    expect(t.rows[0]).toHaveLength(t.head.length);
  });

  it("always names the certificate: the EAC number first when no id column is shown", () => {
    expect(printColumns(["quantity", "retired"])).toEqual(["eac_number", "quantity", "retired"]);
    expect(printColumns(["cds_eac_id", "quantity"])).toEqual(["cds_eac_id", "quantity"]);
    const t = printTable([row], opts(["technology"]));
    expect(t.head[0]).toBe("EAC number");
    expect(t.rows[0][0]).toBe("GO-123456789012345678901234567890");
  });

  it("says when rows were left out", () => {
    expect(printCountLine(PRINT_LIMIT, 12000)).toBe(
      "The first 5 000 of 12 000 EACs in this order (narrow the filter to print the rest).",
    );
    expect(printCountLine(1, 1)).toBe("1 EAC.");
    expect(printCountLine(3, null)).toBe("3 EACs.");
  });
});
