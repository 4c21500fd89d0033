// @vitest-environment happy-dom
// The Import dialog's column mapping: one built by hand and not saved is
// asked about before Cancel, Esc, another format or a saved mapping picked
// in the list throws it away. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: {
    importFormats: vi.fn(),
    csvMappings: vi.fn(),
    previewCsv: vi.fn(),
    saveCsvMapping: vi.fn(),
    importFiles: vi.fn(),
    pickImportFiles: vi.fn(),
  },
}));

import { api } from "../api";
import { emptyForm, mappingFromForm } from "../mapping";
import { cleanup, show, testDesk } from "../testMount";
import ImportDialog from "./ImportDialog.svelte";

afterEach(cleanup);

beforeEach(() => {
  vi.mocked(api.importFormats).mockReset().mockResolvedValue([
    { id: "csv", name: "Any registry's CSV, with a saved column mapping", reads: "a CSV", detected: false },
    { id: "cds-p1", name: "CDS P1 listing", reads: "a P1 listing", detected: true },
  ]);
  const saved = { ...emptyForm(), name: "Ofgem", delimiter: ";" };
  vi.mocked(api.csvMappings)
    .mockReset()
    .mockResolvedValue([{ name: "Ofgem", mapping: JSON.stringify(mappingFromForm(saved)), created_at: "", updated_at: "" }]);
  vi.mocked(api.previewCsv).mockReset().mockResolvedValue({ header: ["a", "b"], rows: [] });
});

const $ = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);

function change(testid: string, value: string) {
  const el = $(testid) as HTMLSelectElement | HTMLInputElement;
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
  flushSync();
}

function click(testid: string) {
  const el = $(testid);
  if (!el) throw new Error(`no ${testid}`);
  el.click();
  flushSync();
}

/** The dialog on a CSV, "Any registry's CSV" chosen, its mapping edited (not saved). */
async function editedMapping(onclose = vi.fn()) {
  show(ImportDialog, { initialPaths: ["/data/x.csv"], onclose, onimported: () => {} }, testDesk());
  await vi.waitFor(() => expect(($("import-format") as HTMLSelectElement).options.length).toBe(3));
  change("import-format", "csv");
  await vi.waitFor(() => expect(($("mapping-saved") as HTMLSelectElement).options.length).toBe(2));
  change("mapping-skip-lines", "2");
  return onclose;
}

describe("an unsaved column mapping", () => {
  it("is asked about before Cancel closes the dialog", async () => {
    const onclose = await editedMapping();
    click("import-done");
    expect(onclose).not.toHaveBeenCalled();
    expect($("import-discard-dialog")?.textContent).toContain("close the import");
    click("import-discard-keep");
    expect($("import-discard-dialog")).toBeNull();
    expect(($("mapping-skip-lines") as HTMLInputElement).value).toBe("2");

    click("import-done");
    click("import-discard-confirm");
    expect(onclose).toHaveBeenCalledOnce();
  });

  it("is asked about before another format drops the mapping step", async () => {
    await editedMapping();
    change("import-format", "cds-p1");
    expect($("import-discard-dialog")?.textContent).toContain("choose another format");
    // the format in use stays until the user says
    expect(($("import-format") as HTMLSelectElement).value).toBe("csv");
    expect($("mapping-step")).not.toBeNull();
    click("import-discard-confirm");
    expect(($("import-format") as HTMLSelectElement).value).toBe("cds-p1");
    expect($("mapping-step")).toBeNull();
  });

  it("is asked about before a saved mapping picked in the list replaces it", async () => {
    await editedMapping();
    change("mapping-saved", "Ofgem");
    expect($("mapping-replace-confirm")?.textContent).toContain("“Ofgem”");
    expect(($("mapping-saved") as HTMLSelectElement).value).toBe("");
    click("mapping-replace-keep");
    expect(($("mapping-skip-lines") as HTMLInputElement).value).toBe("2");

    change("mapping-saved", "Ofgem");
    click("mapping-replace-yes");
    expect(($("mapping-saved") as HTMLSelectElement).value).toBe("Ofgem");
    expect(($("mapping-delimiter") as HTMLSelectElement).value).toBe(";");
    // a saved mapping shown as saved: nothing to ask about
    click("import-done");
    expect($("import-discard-dialog")).toBeNull();
  });
});

describe("why Import is disabled", () => {
  it("is said in the footer, not only in a disabled button's tooltip", async () => {
    show(ImportDialog, { onclose: () => {}, onimported: () => {} }, testDesk());
    expect($("import-blocker")?.textContent).toBe("Enter or choose at least one file");
    change("import-paths", "/data/x.csv");
    expect($("import-blocker")).toBeNull();
    await vi.waitFor(() => expect(($("import-format") as HTMLSelectElement).options.length).toBe(3));
    change("import-format", "csv");
    expect($("import-blocker")?.textContent).toBe("Save the column mapping first (or choose a saved one)");
  });
});

describe("a refused save of a column mapping", () => {
  it("lists what an incomplete mapping still needs", async () => {
    await editedMapping();
    vi.mocked(api.saveCsvMapping)
      .mockReset()
      .mockRejectedValue({
        code: "invalid_input",
        message: "the mapping is not complete: no status (a column); no device id",
        details: { problems: ["no status (a column)", "no device id"] },
      });
    change("mapping-name", "New");
    click("mapping-save");
    await vi.waitFor(() => expect($("mapping-problems")?.dataset.count).toBe("2"));
    expect($("mapping-problems")?.textContent).toContain("No device id");
    expect($("mapping-save-error")).toBeNull();
  });

  it("keeps a column name holding “; ” in one item of the list", async () => {
    await editedMapping();
    const problems = [
      "the device id names the column `GSRN; main`, but the file has no header: give its position (column_number)",
      "no status (a column)",
    ];
    vi.mocked(api.saveCsvMapping)
      .mockReset()
      .mockRejectedValue({ code: "invalid_input", message: `the mapping is not complete: ${problems.join("; ")}`, details: { problems } });
    change("mapping-name", "New");
    click("mapping-save");
    await vi.waitFor(() => expect($("mapping-problems")).not.toBeNull());
    const items = [...$("mapping-problems")!.querySelectorAll("li")].map((li) => li.textContent);
    expect(items).toEqual([
      "The device id names the column `GSRN; main`, but the file has no header: give its position (column_number)",
      "No status (a column)",
    ]);
  });

  it("says any other refusal as the backend words it, not as something the mapping still needs", async () => {
    await editedMapping();
    const message =
      "a mapping `Ofgem` is saved already, and mapping names differing only in case are one name: save under `Ofgem` to replace it, or choose another name; nothing was saved";
    vi.mocked(api.saveCsvMapping).mockReset().mockRejectedValue({ code: "invalid_input", message, details: {} });
    change("mapping-name", "OFGEM");
    click("mapping-save");
    await vi.waitFor(() => expect($("mapping-save-error-message")?.textContent).toBe(message));
    expect($("mapping-problems")).toBeNull();
  });
});

describe("a column mapping saved under a name saved already", () => {
  it("shows a name saved with its accents written otherwise as the saved mapping it replaced", async () => {
    await editedMapping();
    const nfc = "\u00c9nergie";
    const nfd = "E\u0301nergie";
    vi.mocked(api.saveCsvMapping).mockReset().mockResolvedValue(null);
    vi.mocked(api.csvMappings)
      .mockReset()
      .mockResolvedValue([{ name: nfc, mapping: JSON.stringify(mappingFromForm({ ...emptyForm(), name: nfc })), created_at: "", updated_at: "" }]);
    change("mapping-name", nfd);
    click("mapping-save");
    await vi.waitFor(() => expect($("mapping-status")).not.toBeNull());
    // the list shows the mapping saved, not "New mapping" or nothing
    expect(($("mapping-saved") as HTMLSelectElement).value).toBe(nfc);
  });
});
