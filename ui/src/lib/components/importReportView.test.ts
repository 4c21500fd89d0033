// @vitest-environment happy-dom
// An import's report in the app: a file refused after an earlier file of the
// same import was committed (each file is its own transaction) says nothing
// untrue of it — no "Nothing was changed" in its message or its hint —,
// names the files committed before it, and the summary counts both.

import { afterEach, describe, expect, it } from "vitest";

import ImportReportView from "./ImportReportView.svelte";
import type { FileImportReport, ImportReport } from "../types";
import { $, cleanup, show } from "../testMount";

afterEach(cleanup);

const file = (over: Partial<FileImportReport>): FileImportReport => ({
  file: "/d/a.json",
  sha256: null,
  outcome: "imported",
  added: 7,
  replaced: 0,
  skipped: 0,
  skipped_differing: 0,
  ignored: 0,
  value_count: 14,
  message: null,
  violations: [],
  warnings: [],
  warning_count: 0,
  readded: 0,
  ...over,
});

const shown = (report: ImportReport): HTMLElement => show(ImportReportView, { report });

const section = (root: HTMLElement, name: string) =>
  root.querySelector<HTMLElement>(`[data-testid="import-file"][data-file="${name}"]`)!;

describe("a file refused after files of the same import were committed", () => {
  it("says nothing was changed nowhere, names the files committed before it, and counts both", () => {
    const root = shown({
      files: [
        file({ file: "/d/a.json" }),
        // The backend's words for a busy database in the app (eac-app leaves
        // its "Nothing was changed" out) and a cancel after it.
        file({
          file: "/d/b.json",
          outcome: "failed",
          added: 0,
          value_count: 0,
          code: "database",
          message:
            "The database is busy: another EAC Desk window or an eacdesk command is still writing to it. Wait until it has finished and try again.",
          committed_before: ["/d/a.json"],
        }),
        file({
          file: "/d/c.json",
          outcome: "failed",
          added: 0,
          value_count: 0,
          code: "cancelled",
          message: "Cancelled before this file was read; nothing from it was imported.",
          committed_before: ["/d/a.json"],
        }),
      ],
    });
    const summary = $(root, "import-summary")!;
    expect(summary.dataset.imported).toBe("1");
    expect(summary.dataset.failed).toBe("2");
    expect(summary.querySelector('[role="status"]')!.textContent!.trim()).toBe("1 file imported, 2 failed.");
    for (const name of ["/d/b.json", "/d/c.json"]) {
      const refused = section(root, name);
      expect(refused.dataset.outcome).toBe("failed");
      const text = refused.textContent!.replace(/\s+/g, " ");
      expect(text, name).not.toMatch(/nothing was (changed|written)/i);
      expect(text, name).toContain("Nothing from this file was imported.");
      const before = $(refused, "import-committed-before")!;
      expect(before.textContent!.trim()).toBe("The file imported before it (/d/a.json) stays imported.");
      expect(before.dataset.count).toBe("1");
    }
    // The committed file says nothing of the kind.
    expect($(section(root, "/d/a.json"), "import-committed-before")).toBeNull();
  });

  it("a file refused alone names no file committed before it", () => {
    const root = shown({
      files: [file({ outcome: "failed", added: 0, code: "cancelled", message: "Cancelled while reading this file; nothing from it was imported." })],
    });
    expect($(root, "import-committed-before")).toBeNull();
    expect(root.querySelector('[role="status"]')!.textContent!.trim()).toBe("The file could not be imported.");
  });
});
