// Progress of long operations (import, export, bulk edit, sample data).

import type { ProgressEvent } from "./types";
import { formatCount } from "./decimal";

/** 0..1, or null when the total is unknown (indeterminate bar). */
export function progressFraction(e: ProgressEvent | null | undefined): number | null {
  if (!e || e.total === null || e.total <= 0) return null;
  return Math.min(1, Math.max(0, e.done / e.total));
}

const PHASE: Record<string, string> = {
  read: "Reading",
  reading: "Reading",
  parse: "Reading",
  parsing: "Reading",
  validate: "Checking",
  validating: "Checking",
  import: "Importing",
  importing: "Importing",
  write: "Writing",
  writing: "Writing",
  export: "Exporting",
  exporting: "Exporting",
  hash: "Computing checksum",
  hashing: "Computing checksum",
  generate: "Generating",
  generating: "Generating",
  update: "Updating",
  updating: "Updating",
  bulk_edit: "Updating",
  sample: "Generating sample data",
};

/** "Importing: 120 of 500 (24 %)" / "Reading: 120" / "Working…" */
export function progressLabel(e: ProgressEvent | null | undefined): string {
  if (!e) return "Working…";
  const phase = e.phase ? (PHASE[e.phase.toLowerCase()] ?? e.phase.charAt(0).toUpperCase() + e.phase.slice(1)) : "Working";
  if (e.total !== null && e.total > 0) {
    const pct = Math.floor((100 * Math.min(e.done, e.total)) / e.total);
    return `${phase}: ${formatCount(e.done)} of ${formatCount(e.total)} (${pct} %)`;
  }
  return e.done > 0 ? `${phase}: ${formatCount(e.done)}` : `${phase}…`;
}
