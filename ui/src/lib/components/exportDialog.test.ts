// @vitest-environment happy-dom
// The export's question before writing over a file is answered in one place:
// its own Replace and Keep it. The footer's button said "Replace" beside it,
// so the dialog showed two Replace buttons.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { pathKind: vi.fn(), exportP1: vi.fn(), exportP2: vi.fn(), exportFile: vi.fn(), exportBundle: vi.fn() },
}));

import { api } from "../api";
import { emptyFilterState, toEacFilter } from "../filters";
import { $, cleanup, click, show, testDesk, type } from "../testMount";
import ExportDialog from "./ExportDialog.svelte";

afterEach(cleanup);

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the export's replace question", () => {
  it("offers one Replace, beside Keep it, and the export button again once kept", async () => {
    vi.mocked(api.pathKind).mockResolvedValue("file");
    const root = show(
      ExportDialog,
      { filter: toEacFilter(emptyFilterState()), filterCount: 3, allCount: 3, onclose: () => {}, onjump: () => {} },
      testDesk(),
    );
    type(root, "export-path", "/tmp/existing.json");
    click(root, "export-run");
    await settle();
    expect($(root, "export-replace-question")?.textContent).toContain("“existing.json” already exists");
    const replaces = [...root.querySelectorAll("button")].filter((b) => b.textContent?.trim() === "Replace");
    expect(replaces).toHaveLength(1);
    expect(replaces[0].dataset.testid).toBe("export-replace-yes");
    expect($(root, "export-run")).toBeNull();
    click(root, "export-replace-no");
    expect($(root, "export-replace")).toBeNull();
    expect($(root, "export-run")?.textContent).not.toBe("Replace");
  });
});

describe("an export's warnings", () => {
  it("says in plain words that the file holds a technology validate and import accept only when asked to", async () => {
    vi.mocked(api.pathKind).mockResolvedValue("missing");
    vi.mocked(api.exportFile).mockResolvedValue({
      path: "/tmp/out.json",
      sha256: "ab",
      eac_count: 3,
      value_count: 3,
      warnings: [
        {
          rule: 3,
          severity: "warning",
          file: null,
          line: null,
          column: null,
          pointer: "/eacs/1/technology_type",
          cds_eac_id: "EAC-2",
          message:
            "technology `nuclear` is not in the 2024-08-29 draft list (2 EACs of this export have it, the first here): `validate` and `import` accept the file only with the extended technologies allowed (--allow-extended-technologies; in the app's Import dialog, “Also accept nuclear, marine and storage”)",
        },
      ],
    });
    const root = show(
      ExportDialog,
      { filter: toEacFilter(emptyFilterState()), filterCount: 3, allCount: 3, onclose: () => {}, onjump: () => {} },
      testDesk(),
    );
    type(root, "export-path", "/tmp/out.json");
    click(root, "export-run");
    for (let i = 0; i < 5; i++) await settle();
    expect($(root, "export-result")).not.toBeNull();
    const text = $(root, "export-warnings")?.textContent ?? "";
    expect(text).toContain("1 warning");
    expect(text).toContain("The file holds 2 nuclear EACs (the first: EAC-2)");
    expect(text).toContain("“Also accept nuclear, marine and storage”");
    expect(text).not.toContain("`");
  });
});

describe("an export refused for rule violations", () => {
  it("lists them by stored EAC, where the file it did not write would have them", async () => {
    vi.mocked(api.pathKind).mockResolvedValue("file");
    const message =
      "Nothing was exported to /tmp/old.json (what was there is left as it was): 1 rule violation in stored EACs stopped it. Fix the EACs listed, as each violation says, and export again.";
    vi.mocked(api.exportFile).mockRejectedValue({
      code: "validation",
      message,
      details: {
        file: "/tmp/old.json",
        violations: [
          {
            rule: 16,
            severity: "error",
            file: "/tmp/old.json",
            line: null,
            column: null,
            pointer: "/eacs/3/values",
            cds_eac_id: "env-1",
            message:
              "EAC `env-1` is envelope-only (imported from a P2 listing without its detail data): it has no values and cannot be exported as P1; export as P2 or import its detail data",
          },
        ],
      },
    });
    const root = show(
      ExportDialog,
      { filter: toEacFilter(emptyFilterState()), filterCount: 3, allCount: 3, onclose: () => {}, onjump: () => {} },
      testDesk(),
    );
    type(root, "export-path", "/tmp/old.json");
    click(root, "export-run");
    for (let i = 0; i < 5; i++) await settle();
    click(root, "export-replace-yes");
    for (let i = 0; i < 5; i++) await settle();
    expect($(root, "export-errors-message")?.textContent).toBe(message);
    const headings = [...($(root, "export-errors")?.querySelectorAll("th") ?? [])].map((h) => h.textContent);
    expect(headings).toEqual(["Rule", "Would be at", "Stored EAC", "Problem"]);
    expect($(root, "violation-pointer")?.textContent).toBe("/eacs/3/values");
    // a single file's list names no file: the refusal says it was not written
    expect($(root, "export-errors")?.textContent).not.toContain("/tmp/old.json");
  });
});
