// @vitest-environment happy-dom
// The Import dialog's column mapping: one built by hand and not saved is
// asked about before Cancel, Esc, another format or a saved mapping picked
// in the list throws it away. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

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
import { $, choose, cleanup, click, show, testDesk, type } from "../testMount";
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

/** The dialog shown (its root), where the helpers look. */
let root: HTMLElement;

/** The select or field `testid`'s value. */
const value = (testid: string) => ($(root, testid) as HTMLSelectElement | HTMLInputElement).value;

/** The dialog on `initialPaths`, as App mounts it. */
function dialog(props: { initialPaths?: string[]; onclose?: () => void } = {}) {
  root = show(ImportDialog, { onclose: () => {}, onimported: () => {}, ...props }, testDesk());
}

/** The dialog on a CSV, "Any registry's CSV" chosen, its mapping edited (not saved). */
async function editedMapping(onclose = vi.fn()) {
  dialog({ initialPaths: ["/data/x.csv"], onclose });
  await vi.waitFor(() => expect(($(root, "import-format") as HTMLSelectElement).options.length).toBe(3));
  choose(root, "import-format", "csv");
  await vi.waitFor(() => expect(($(root, "mapping-saved") as HTMLSelectElement).options.length).toBe(2));
  type(root, "mapping-skip-lines", "2");
  return onclose;
}

describe("an unsaved column mapping", () => {
  it("is asked about before Cancel closes the dialog", async () => {
    const onclose = await editedMapping();
    click(root, "import-done");
    expect(onclose).not.toHaveBeenCalled();
    expect($(root, "import-discard-dialog")?.textContent).toContain("close the import");
    click(root, "import-discard-keep");
    expect($(root, "import-discard-dialog")).toBeNull();
    expect(value("mapping-skip-lines")).toBe("2");

    click(root, "import-done");
    click(root, "import-discard-confirm");
    expect(onclose).toHaveBeenCalledOnce();
  });

  it("is asked about before another format drops the mapping step", async () => {
    await editedMapping();
    choose(root, "import-format", "cds-p1");
    expect($(root, "import-discard-dialog")?.textContent).toContain("choose another format");
    // the format in use stays until the user says
    expect(value("import-format")).toBe("csv");
    expect($(root, "mapping-step")).not.toBeNull();
    click(root, "import-discard-confirm");
    expect(value("import-format")).toBe("cds-p1");
    expect($(root, "mapping-step")).toBeNull();
  });

  it("is asked about before a saved mapping picked in the list replaces it", async () => {
    await editedMapping();
    choose(root, "mapping-saved", "Ofgem");
    expect($(root, "mapping-replace-confirm")?.textContent).toContain("“Ofgem”");
    expect(value("mapping-saved")).toBe("");
    click(root, "mapping-replace-keep");
    expect(value("mapping-skip-lines")).toBe("2");

    choose(root, "mapping-saved", "Ofgem");
    click(root, "mapping-replace-yes");
    expect(value("mapping-saved")).toBe("Ofgem");
    expect(value("mapping-delimiter")).toBe(";");
    // a saved mapping shown as saved: nothing to ask about
    click(root, "import-done");
    expect($(root, "import-discard-dialog")).toBeNull();
  });
});

describe("why Import is disabled", () => {
  it("is said in the footer, not only in a disabled button's tooltip", async () => {
    dialog();
    expect($(root, "import-blocker")?.textContent).toBe("Enter or choose at least one file");
    type(root, "import-paths", "/data/x.csv");
    expect($(root, "import-blocker")).toBeNull();
    await vi.waitFor(() => expect(($(root, "import-format") as HTMLSelectElement).options.length).toBe(3));
    choose(root, "import-format", "csv");
    expect($(root, "import-blocker")?.textContent).toBe("Save the column mapping first (or choose a saved one)");
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
    type(root, "mapping-name", "New");
    click(root, "mapping-save");
    await vi.waitFor(() => expect($(root, "mapping-problems")?.dataset.count).toBe("2"));
    expect($(root, "mapping-problems")?.textContent).toContain("No device id");
    expect($(root, "mapping-save-error")).toBeNull();
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
    type(root, "mapping-name", "New");
    click(root, "mapping-save");
    await vi.waitFor(() => expect($(root, "mapping-problems")).not.toBeNull());
    const items = [...$(root, "mapping-problems")!.querySelectorAll("li")].map((li) => li.textContent);
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
    type(root, "mapping-name", "OFGEM");
    click(root, "mapping-save");
    await vi.waitFor(() => expect($(root, "mapping-save-error-message")?.textContent).toBe(message));
    expect($(root, "mapping-problems")).toBeNull();
  });
});

describe("a column mapping saved under a name saved already", () => {
  it("shows a name saved with its accents written otherwise as the saved mapping it replaced", async () => {
    await editedMapping();
    const nfc = "\u00c9nergie";
    const nfd = "E\u0301nergie";
    vi.mocked(api.saveCsvMapping).mockReset().mockResolvedValue({ name: nfc, registry_key_warning: null, builtin_key: null });
    vi.mocked(api.csvMappings)
      .mockReset()
      .mockResolvedValue([{ name: nfc, mapping: JSON.stringify(mappingFromForm({ ...emptyForm(), name: nfc })), created_at: "", updated_at: "" }]);
    type(root, "mapping-name", nfd);
    click(root, "mapping-save");
    await vi.waitFor(() => expect($(root, "mapping-status")).not.toBeNull());
    // the list shows the mapping saved, not "New mapping" or nothing
    expect(value("mapping-saved")).toBe(nfc);
  });
});

describe("a column mapping whose registry key looks like a built-in reader's", () => {
  it("is saved, says why the key matters and offers the built-in key", async () => {
    await editedMapping();
    const warning =
      "the registry key `eecs-no` looks like `eecs`, the key of the Guarantee of Origin cancellation statement reader (NECS, Danish), but is not it";
    vi.mocked(api.saveCsvMapping)
      .mockReset()
      .mockResolvedValueOnce({ name: "NECS", registry_key_warning: warning, builtin_key: "eecs" })
      .mockResolvedValueOnce({ name: "NECS", registry_key_warning: null, builtin_key: null });
    type(root, "mapping-name", "NECS");
    type(root, "mapping-registry", "eecs-no");
    click(root, "mapping-save");
    await vi.waitFor(() => expect($(root, "mapping-key-warning")).not.toBeNull());
    expect($(root, "mapping-status")?.textContent).toBe("Saved as “NECS”.");
    expect($(root, "mapping-key-warning")?.textContent).toContain(`Saved, but ${warning}.`);

    click(root, "mapping-use-builtin-key");
    await vi.waitFor(() => expect($(root, "mapping-status")?.textContent).toBe("Saved as “NECS”."));
    expect($(root, "mapping-key-warning")).toBeNull();
    expect(value("mapping-registry")).toBe("eecs");
    const [, json] = vi.mocked(api.saveCsvMapping).mock.calls[1];
    expect(JSON.parse(json).registry).toBe("eecs");
  });
});
