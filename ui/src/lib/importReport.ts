// Extra numbers of a file's import result that eac-store sends beyond
// docs/ipc.md (`ignored`, `warning_count`); read defensively so the UI works
// with or without them.

import type { FileImportReport, ImportReport } from "./types";

export interface ImportExtras {
  /** EACs left out (rule 21: unknown beneficiary type) */
  ignored: number;
  /** all warnings, of which `warnings` holds only the first ones */
  warningCount: number;
}

function count(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
}

export function importExtras(f: FileImportReport): ImportExtras {
  const r = f as unknown as Record<string, unknown>;
  return {
    ignored: count(r.ignored) ?? 0,
    warningCount: Math.max(count(r.warning_count) ?? 0, f.warnings.length),
  };
}

/**
 * Whether a failed file was refused for a technology outside the enumeration
 * (rule 3 at `technology_type`): it may use nuclear, marine or storage, which
 * the import accepts when the user says so explicitly (digest §f.5).
 */
export function refusedForTechnology(report: ImportReport): boolean {
  return report.files.some(
    (f) => f.outcome !== "imported" && f.violations.some((v) => v.rule === 3 && /\/technology_type$/.test(v.pointer)),
  );
}
