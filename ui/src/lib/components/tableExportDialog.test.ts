// @vitest-environment happy-dom
// The Export table dialog's report says when cells were cut (decision 433):
// a cell past a workbook cell's 32,767 characters is cut with a marker and
// kept whole on the sheet "Long cells". The report said only the rows and
// the total, so a cut list of beneficiaries went unnoticed.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { exportTable: vi.fn(), pickTablePath: vi.fn() },
}));

import { api } from "../api";
import type { TableExportReport } from "../types";
import { $, cleanup, click, show, testDesk, type } from "../testMount";
import TableExportDialog from "./TableExportDialog.svelte";

afterEach(cleanup);

const settle = () => new Promise((r) => setTimeout(r, 0));

function report(cut_cells: number, envelope_only_left_out = 0): TableExportReport {
  return {
    path: "/tmp/eacs.xlsx",
    format: "xlsx",
    rows: 3,
    selection: envelope_only_left_out > 0 ? "every EAC with values" : "every EAC in the database",
    envelope_only_left_out,
    totals: [{ unit: "MWh", total: "12" }],
    total: { unit: "MWh", total: "12" },
    inexact_numbers: 0,
    cut_cells,
  } as TableExportReport;
}

async function exported(cut_cells: number, envelope_only_left_out = 0): Promise<HTMLElement> {
  vi.mocked(api.exportTable).mockResolvedValue(report(cut_cells, envelope_only_left_out));
  const root = show(TableExportDialog, { onclose: () => {} }, testDesk());
  type(root, "table-export-path", "/tmp/eacs.xlsx");
  click(root, "table-export-run");
  for (let i = 0; i < 5; i++) await settle();
  expect($(root, "table-export-result")).not.toBeNull();
  return root;
}

describe("the table export's report", () => {
  it("says how many cells were cut and that the sheet Long cells has them whole", async () => {
    const root = await exported(2);
    const text = $(root, "table-export-cut")?.textContent ?? "";
    expect(text).toContain("2 cells longer than a spreadsheet cell holds (32,767 characters)");
    expect(text).toContain("each is cut short");
    expect(text).toContain("kept whole on the sheet “Long cells”");
  });

  // decision 359: an unfiltered table leaves out the EACs stored without values; it said "every EAC in the database"
  it("says the EACs stored without values that the file leaves out", async () => {
    const root = await exported(0, 4);
    expect($(root, "table-export-result")?.textContent).toContain("(every EAC with values)");
    const text = $(root, "table-export-envelope-only")?.textContent ?? "";
    expect(text).toContain("4 EACs stored without values (P2 envelope only) are not in the file");
    expect(text).toContain("the footer’s “without values” link lists them");
  });

  it("says one EAC stored without values in the singular", async () => {
    const root = await exported(0, 1);
    expect($(root, "table-export-envelope-only")?.textContent).toContain("1 EAC stored without values (P2 envelope only) is not in the file");
  });

  it("says nothing of EACs without values when none are left out", async () => {
    const root = await exported(0);
    expect($(root, "table-export-envelope-only")).toBeNull();
  });

  it("says one cut cell in the singular", async () => {
    const root = await exported(1);
    const text = $(root, "table-export-cut")?.textContent ?? "";
    expect(text).toContain("1 cell longer than");
    expect(text).toContain("it is cut short");
  });

  it("says nothing of cut cells when none was", async () => {
    const root = await exported(0);
    expect($(root, "table-export-cut")).toBeNull();
  });
});
