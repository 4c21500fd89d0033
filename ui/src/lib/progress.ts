// Progress of long operations (import, export, bulk edit, sample data, the double-counting check,
// evidence packs).

import type { Phase, ProgressEvent } from "./types";
import { formatCount } from "./decimal";

/** 0..1, or null when the total is unknown (indeterminate bar). */
export function progressFraction(e: ProgressEvent | null | undefined): number | null {
  if (!e || e.total === null || e.total <= 0) return null;
  return Math.min(1, Math.max(0, e.done / e.total));
}

// A Record over every phase: a phase added in Rust does not compile until
// it has words here.
const PHASE: Record<Phase, string> = {
  import: "Importing",
  import_indexes: "Finishing the import",
  import_again: "Reading the file again to show each repeated EAC id",
  export: "Exporting",
  bulk_edit: "Updating",
  copy: "Copying tables",
  verify: "Marking as verified",
  delete: "Deleting",
  undo_import: "Undoing the import",
  refdata: "Reading reference data",
  sample: "Generating sample data",
  sample_order: "Generating sample data",
  sample_csv: "Writing sample values",
  check: "Checking for double counting",
  check_documents: "Checking stored documents against their SHA-256",
  pack: "Reading the pack's EACs",
  statement: "Writing the claim statement",
  pack_files: "Checking the pack's files",
  pack_listing: "Checking the pack's listing",
  pack_bundle: "Checking the pack's P2 bundle",
  pack_manifest: "Hashing the pack's files",
  pack_compare: "Comparing the pack with this database",
};

const IMPORTING: ReadonlySet<Phase> = new Set<Phase>(["import", "import_indexes", "import_again"]);

/**
 * "Importing: 120 of 500 (24 %)" / "Reading: 120" / "Working…"; in an operation of several
 * phases in a row, where the whole is first: "Step 2 of 6 · Exporting: 120 of 500 (24 %)" (for
 * an import of several files, "File 2 of 3 · Importing: …").
 */
export function progressLabel(e: ProgressEvent | null | undefined): string {
  if (!e) return "Working…";
  const phase = PHASE[e.phase] ?? "Working";
  // An import's steps are its files.
  const what = IMPORTING.has(e.phase) ? "File" : "Step";
  const step = e.step != null && e.steps != null && e.steps > 1 ? `${what} ${e.step} of ${e.steps} · ` : "";
  if (e.total !== null && e.total > 0) {
    const pct = Math.floor((100 * Math.min(e.done, e.total)) / e.total);
    return `${step}${phase}: ${formatCount(e.done)} of ${formatCount(e.total)} (${pct} %)`;
  }
  return e.done > 0 ? `${step}${phase}: ${formatCount(e.done)}` : `${step}${phase}…`;
}
