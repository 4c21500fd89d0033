import { describe, expect, it } from "vitest";
import { progressFraction, progressLabel } from "./progress";
import type { Phase } from "./types";

const ev = (done: number, total: number | null, phase: Phase = "import", step: number | null = null, steps: number | null = null) => ({
  op_id: "x",
  phase,
  done,
  total,
  step,
  steps,
});

describe("progress", () => {
  it("computes a fraction only when the total is known", () => {
    expect(progressFraction(ev(50, 200))).toBe(0.25);
    expect(progressFraction(ev(250, 200))).toBe(1);
    expect(progressFraction(ev(5, null))).toBeNull();
    expect(progressFraction(ev(0, 0))).toBeNull();
    expect(progressFraction(null)).toBeNull();
  });
  it("labels progress in words", () => {
    expect(progressLabel(ev(1200, 5000))).toBe("Importing: 1 200 of 5 000 (24 %)");
    expect(progressLabel(ev(7, null, "refdata"))).toBe("Reading reference data: 7");
    expect(progressLabel(ev(0, null, "undo_import"))).toBe("Undoing the import…");
    expect(progressLabel(undefined)).toBe("Working…");
    // phases eac-app emits
    expect(progressLabel(ev(3, 10, "bulk_edit"))).toBe("Updating: 3 of 10 (30 %)");
    expect(progressLabel(ev(10, 200, "sample"))).toBe("Generating sample data: 10 of 200 (5 %)");
    expect(progressLabel(ev(0, null, "export"))).toBe("Exporting…");
    // a first import's indexes, after its rows
    expect(progressLabel(ev(9, 18, "import_indexes"))).toBe("Finishing the import: 9 of 18 (50 %)");
    // a first import that meets a repeated id reads the file again
    expect(progressLabel(ev(1200, 5000, "import_again"))).toBe(
      "Reading the file again to show each repeated EAC id: 1 200 of 5 000 (24 %)",
    );
    // the double-counting check's two steps
    expect(progressLabel(ev(1, 2, "check"))).toBe("Checking for double counting: 1 of 2 (50 %)");
    expect(progressLabel(ev(3, 4, "check_documents"))).toBe(
      "Checking stored documents against their SHA-256: 3 of 4 (75 %)",
    );
    // an evidence pack after its exports: its EACs read, then the statement (lines of CSV and PDF)
    expect(progressLabel(ev(256, 1000, "pack"))).toBe("Reading the pack's EACs: 256 of 1 000 (25 %)");
    expect(progressLabel(ev(1000, 4000, "statement"))).toBe("Writing the claim statement: 1 000 of 4 000 (25 %)");
    // verifying a pack: its files, its listing (one reading, no count), its P2 bundle's EACs
    expect(progressLabel(ev(512, 2048, "pack_files"))).toBe("Checking the pack's files: 512 of 2 048 (25 %)");
    expect(progressLabel(ev(0, null, "pack_listing"))).toBe("Checking the pack's listing…");
    expect(progressLabel(ev(768, 1024, "pack_bundle"))).toBe("Checking the pack's P2 bundle: 768 of 1 024 (75 %)");
    // comparing it with the database: each EAC id settled
    expect(progressLabel(ev(256, 1024, "pack_compare"))).toBe(
      "Comparing the pack with this database: 256 of 1 024 (25 %)",
    );
  });
  it("says which step of several the phase is, so a bar that starts again is not a surprise", () => {
    expect(progressLabel(ev(120, 500, "export", 2, 6))).toBe("Step 2 of 6 · Exporting: 120 of 500 (24 %)");
    expect(progressLabel(ev(4096, 5008, "pack_manifest", 6, 6))).toBe(
      "Step 6 of 6 · Hashing the pack's files: 4 096 of 5 008 (81 %)",
    );
    expect(progressLabel(ev(0, null, "pack_listing", 2, 3))).toBe("Step 2 of 3 · Checking the pack's listing…");
    // an import's steps are its files
    expect(progressLabel(ev(300, 1200, "import", 2, 3))).toBe("File 2 of 3 · Importing: 300 of 1 200 (25 %)");
    expect(progressLabel(ev(4, 18, "import_indexes", 3, 3))).toBe("File 3 of 3 · Finishing the import: 4 of 18 (22 %)");
    // one step is no step
    expect(progressLabel(ev(3, 10, "bulk_edit", 1, 1))).toBe("Updating: 3 of 10 (30 %)");
  });
});
