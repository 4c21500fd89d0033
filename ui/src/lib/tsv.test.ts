import { describe, expect, it } from "vitest";
import type { EacRow } from "./types";
import { eacRow } from "./testRows";
import { rowsToTsv, tsvCell, tsvHeader } from "./tsv";

function row(id: string, patch: Partial<EacRow> = {}): EacRow {
  return eacRow(id, {
    source_name: "Registry\tOne",
    destination_id: "D",
    beneficiary_type: "customer",
    beneficiaries: ["C1", "C2"],
    quantities: [
      { unit: "kWh", total: "1500.5" },
      { unit: "MWh", total: "2.000" },
    ],
    retired_state: "partly",
    value_count: 2,
    ...patch,
  });
}

describe("rows as tab-separated text", () => {
  it("has a header and one line per row, with the exact total in the display unit", () => {
    const text = rowsToTsv([row("A"), row("B", { quantities: [], beneficiaries: [] })], "MWh");
    const lines = text.split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
    expect(lines[0].split("\t")).toEqual(tsvHeader("MWh"));
    const a = lines[1].split("\t");
    expect(a).toHaveLength(tsvHeader("MWh").length);
    expect(a[0]).toBe("A");
    expect(a[5]).toBe("Registry One");
    expect(a[6]).toBe("D");
    expect(a[8]).toBe("C1; C2");
    expect(a[9]).toBe("3.5005");
    expect(a[10]).toBe("1500.5 kWh; 2.000 MWh");
    const b = lines[2].split("\t");
    expect(b[8]).toBe("");
    expect(b[9]).toBe("");
  });

  it("follows the display unit exactly", () => {
    expect(rowsToTsv([row("A")], "Wh").split("\r\n")[1].split("\t")[9]).toBe("3500500");
    expect(rowsToTsv([row("A")], "kWh").split("\r\n")[0].split("\t")[9]).toBe("total_kWh");
  });

  it("keeps every cell on its line", () => {
    expect(tsvCell("a\tb\r\nc")).toBe("a b c");
    expect(tsvCell(null)).toBe("");
    expect(tsvCell(3)).toBe("3");
  });
});
