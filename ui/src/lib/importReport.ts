// A file's import result in words: the extra numbers eac-store sends beyond
// docs/ipc.md (`ignored`, `warning_count`, read defensively), and what a
// registry document's import did (format, counts, skipped rows, overlaps,
// incomplete EACs, a file seen before) or why a file was refused.

import type {
  FileImportReport,
  ImportReport,
  MissingCount,
  RangeOverlap,
  RegistryImportReport,
  RestatedNote,
} from "./types";
import { formatCount, plural } from "./decimal";
import { formatLocalDateTime } from "./dates";
import { friendlyError } from "./errors";
import { emptyFilterState, type FilterState } from "./filters";

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
 * What a CDS file's skipped EACs were: already stored unchanged, or (some of them) stored
 * otherwise than the file states them: a later version is stored (edited or imported since), or
 * the same `cds_modified` with other content (decision 11; each of those named in the file's
 * warnings). Those are kept as stored and not marked as checked against the file.
 */
export function skippedText(f: FileImportReport, dryRun = false): string {
  const differ = count((f as unknown as Record<string, unknown>).skipped_differing) ?? 0;
  if (differ === 0) return "skipped (already present, unchanged)";
  const kept = dryRun ? "would be kept" : "kept";
  return `skipped (${formatCount(differ)} of them ${differ === 1 ? "differs" : "differ"} from the stored ${differ === 1 ? "EAC" : "EACs"}: a later version is stored, or the file states ${differ === 1 ? "it" : "them"} otherwise with the same cds_modified; the stored ${differ === 1 ? "one is" : "ones are"} ${kept}, not marked as checked against this file)`;
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

// ---- registry documents ---------------------------------------------------------


/** One count of a file's result, with the words that go with it. */
export interface CountPart {
  key: "added" | "replaced" | "unchanged" | "skipped";
  n: number;
  text: string;
}

/**
 * The counts of a registry document's import: added, replaced, unchanged
 * (already stored exactly so), skipped rows; `dryRun` says what importing
 * would do.
 */
export function registryCounts(f: FileImportReport, reg: RegistryImportReport, dryRun: boolean): CountPart[] {
  const would = dryRun ? "would be " : "";
  return [
    { key: "added", n: f.added, text: `${formatCount(f.added)} ${would}added` },
    { key: "replaced", n: f.replaced, text: `${formatCount(f.replaced)} ${would}replaced` },
    { key: "unchanged", n: reg.unchanged, text: `${formatCount(reg.unchanged)} already stored unchanged` },
    {
      key: "skipped",
      n: reg.skipped_rows.length,
      text: `${plural(reg.skipped_rows.length, "row")} skipped`,
    },
  ];
}

/**
 * "Already imported on 2024-03-05 14:30 as certs.csv: nothing added." when the same bytes added nothing;
 * when, read again, they replaced stored EACs (this version reads the document differently), it says so
 * rather than "nothing" beside a count of replaced EACs.
 */
export function seenBeforeText(f: FileImportReport, reg: RegistryImportReport, dryRun = false): string | null {
  const seen = reg.seen_before;
  if (!seen || f.added > 0) return null;
  const head = `Already imported on ${formatLocalDateTime(seen.imported_at)} as ${seen.file_name}`;
  if (f.replaced === 0) return `${head}: nothing added.`;
  const verb = dryRun ? "would be" : f.replaced === 1 ? "was" : "were";
  return `${head}: nothing added; read again it states ${plural(f.replaced, "stored EAC")} differently, which ${verb} replaced (audited).`;
}

/**
 * The heading of what giving stored EACs again did (a stored claim reversed or kept, a value set in
 * EAC Desk kept or replaced); the entries themselves are the backend's words.
 */
export function restatementsTitle(reg: RegistryImportReport, dryRun: boolean): string {
  const notes = reg.restatements ?? [];
  return notes.some(restatementIsWarning)
    ? `This file gives stored EACs again and ${dryRun ? "would change" : "changed"} what was stored — check:`
    : `This file gives stored EACs again; what was set in EAC Desk ${dryRun ? "would be" : "is"} kept:`;
}

/** Whether an entry of the restatements is a warning (anything but a kept value). */
export function restatementIsWarning(r: RestatedNote): boolean {
  return r.kind !== "edit_kept";
}

// A Record would not catch new names (they are plain strings); unknown ones are shown as written.
const FIELD_WORDS: Record<string, string> = {
  destination_id: "destination id",
  destination_name: "destination name",
  beneficiary_type: "beneficiary type",
  asset_origination: "asset origination",
  asset_destination: "asset destination",
  asset_commissioned: "commissioning date",
  technology_type: "technology",
  emissions_factor_direct: "direct emission factor",
  emissions_factor_lca: "life-cycle emission factor",
  issued: "issue date of a value",
  retired: "retirement date of a value",
};

/** A missing field in words: `technology_type` → "technology". */
export function fieldWords(field: string): string {
  return FIELD_WORDS[field] ?? field.replace(/_/g, " ");
}

/** "technology: 3 EACs" */
export function missingText(m: MissingCount): string {
  return `${fieldWords(m.field)}: ${plural(m.eacs, "EAC")}`;
}

/** "5 EACs lack fields the CDS requires; complete them before a P1 or P2 export." */
export function incompleteText(reg: RegistryImportReport, dryRun: boolean): string | null {
  if (reg.incomplete_eacs === 0) return null;
  const eacs = plural(reg.incomplete_eacs, "EAC");
  const verb = dryRun ? "would lack" : reg.incomplete_eacs === 1 ? "lacks" : "lack";
  return `${eacs} from this file ${verb} fields the CDS requires (the document does not give them); complete them before exporting.`;
}

/** One overlap as a warning naming both ranges, both EACs and the shared count. */
export function overlapText(o: RangeOverlap): string {
  return (
    `Certificates ${o.a.first} – ${o.a.last} (EAC ${o.a.cds_eac_id}) share ${formatSharedCount(o.shared)} ` +
    `with ${o.b.first} – ${o.b.last} already stored (EAC ${o.b.cds_eac_id}), registry ${o.registry}. ` +
    "Both are kept: check which one is right."
  );
}

function formatSharedCount(shared: string): string {
  return shared === "1" ? "1 certificate" : `${shared} certificates`;
}

/** Stations report: "12 stations read; commissioning dates filled in for 3 stored EACs." */
export function stationsText(reg: RegistryImportReport): string | null {
  if (reg.stations === 0 && reg.commissioned_filled === 0) return null;
  return `${plural(reg.stations, "station")} read; commissioning date filled in for ${plural(reg.commissioned_filled, "stored EAC")}.`;
}

/** The filter the "Show incomplete EACs" link applies: only EACs still lacking fields. */
export function incompleteFilter(): Partial<FilterState> {
  // `incomplete: "yes"` is the filter bar's "Incomplete" choice (EacFilter.incomplete = true).
  return Object.assign(emptyFilterState(), { incomplete: "yes" });
}

/** Why a file was refused and what to do next, in plain words. */
export interface Refusal {
  title: string;
  hint: string;
  /** the file is a CSV EAC Desk has no reader for: offer to map its columns */
  mapColumns: boolean;
  /** the located problems are those of reading it as CDS JSON (not worth showing open) */
  readAsJson: boolean;
}

const CSV_NAME = /\.(csv|txt|tsv)$/i;

/** Whether a file name looks like a CSV export (what the column mapping reads). */
export function isCsvName(file: string): boolean {
  return CSV_NAME.test(file.trim());
}

/**
 * A refused file's advice: the words of its error code, or, for a CSV that
 * no reader recognised (refused as unreadable, or read as a CDS listing and
 * refused by its JSON rules), the way out: map its columns.
 */
export function refusal(f: FileImportReport): Refusal | null {
  if (f.outcome === "imported") return null;
  const code = f.code ?? "validation";
  const csv = isCsvName(f.file) && (code === "unreadable" || code === "validation");
  if (csv && !f.registry) {
    const readAsJson = code === "validation";
    return {
      title: readAsJson
        ? "EAC Desk does not recognise this CSV file."
        : "This CSV file could not be read.",
      hint: readAsJson
        ? "It is neither a CDS listing nor a registry export EAC Desk reads by itself. If it lists certificate ranges, map its columns once with “Map its columns…” and import it with that mapping."
        : "The message says where and why. If it is another registry's export, map its columns with “Map its columns…”; if a saved mapping was used, correct the mapping.",
      mapColumns: true,
      readAsJson,
    };
  }
  // The view says "nothing from this file was imported" once, itself, and
  // which files of the same import were committed before it: the hint says
  // neither that nor "Nothing was changed". A refusal of the whole file (an
  // Excel workbook, no text at all) or by a closed period says in its
  // message what to do.
  const e = friendlyError({ code, message: f.message ?? "", details: {} }, { unchangedSaid: true });
  let hint = e.hint;
  if (code === "frozen" || (code === "unreadable" && f.place === "document" && !f.format)) hint = "";
  else if (code === "unreadable")
    hint =
      "The message says where and why; check that it is the registry's original file (not a copy re-saved by another program), or choose its format by hand.";
  return { title: e.title, hint, mapColumns: false, readAsJson: false };
}

/** How many files committed before a failed one are named; the rest are counted. */
const COMMITTED_NAMED = 3;

/**
 * What a failed file's import left of the files before it (each file is its own transaction,
 * committed in order): "The file imported before it (a.json) stays imported.", or null when none
 * was committed before it (the first file, a file alone, a dry run).
 */
export function committedBeforeText(f: FileImportReport): string | null {
  if (f.outcome === "imported") return null;
  const files = f.committed_before ?? [];
  if (files.length === 0) return null;
  const more = files.length - COMMITTED_NAMED;
  const names = files.slice(0, COMMITTED_NAMED).join(", ") + (more > 0 ? ` and ${formatCount(more)} more` : "");
  return files.length === 1
    ? `The file imported before it (${names}) stays imported.`
    : `The ${formatCount(files.length)} files imported before it (${names}) stay imported.`;
}

/**
 * What an import means for the work that follows, said before the per-file
 * details: EACs that are not in the table, EACs that stop an export, ranges
 * to check for double counting. Empty when there is nothing to warn about.
 */
export function importConsequences(report: ImportReport, dryRun: boolean): string[] {
  const out: string[] = [];
  const files = report.files;
  const failed = files.filter((f) => f.outcome !== "imported");
  const ok = files.filter((f) => f.outcome === "imported");
  const would = (now: string, later: string) => (dryRun ? later : now);
  if (failed.length > 0 && ok.length > 0)
    out.push(
      `${plural(failed.length, "file")} ${would("could not be imported", "could not be imported")}: none of ${failed.length === 1 ? "its" : "their"} EACs ${would("are", "would be")} in the table.`,
    );
  const ignored = ok.reduce((n, f) => n + (f.ignored ?? 0), 0);
  if (ignored > 0)
    out.push(
      `${plural(ignored, "EAC")} ${would(ignored === 1 ? "was" : "were", "would be")} left out (a beneficiary type the CDS does not know): ${ignored === 1 ? "it is" : "they are"} not in the table.`,
    );
  const incomplete = ok.reduce((n, f) => n + (f.registry?.incomplete_eacs ?? 0), 0);
  if (incomplete > 0)
    out.push(
      `${plural(incomplete, "EAC")} ${would(incomplete === 1 ? "lacks" : "lack", "would lack")} fields the CDS requires: exports stop at ${incomplete === 1 ? "it" : "them"} until ${incomplete === 1 ? "it is" : "they are"} completed.`,
    );
  const overlaps = ok.reduce((n, f) => n + (f.registry?.overlaps.length ?? 0), 0);
  if (overlaps > 0)
    out.push(
      `${plural(overlaps, "range")} ${would("share", "would share")} certificates with ranges already stored: check them for double counting.`,
    );
  // EACs deleted before (or removed by an undo) that the files store again: the first warning names them.
  const readded = ok.reduce((n, f) => n + (count((f as unknown as Record<string, unknown>).readded) ?? 0), 0);
  if (readded > 0)
    out.push(
      `${plural(readded, "EAC")} deleted from this database before ${would(readded === 1 ? "is" : "are", "would be")} stored again (named in the warnings); ${readded === 1 ? "its" : "each one's"} history ${would("records", "would record")} it as added again, after the reason it was deleted. Delete ${readded === 1 ? "it" : "them"} again if ${readded === 1 ? "it" : "they"} must not be here.`,
    );
  const differ = ok.reduce((n, f) => n + (count((f as unknown as Record<string, unknown>).skipped_differing) ?? 0), 0);
  if (differ > 0)
    out.push(
      `${plural(differ, "EAC")} ${differ === 1 ? "is" : "are"} stored otherwise than the files state ${differ === 1 ? "it" : "them"} (a later version is stored, or the same cds_modified with other content, listed in the warnings): the stored ${differ === 1 ? "EAC" : "EACs"} ${would(differ === 1 ? "was" : "were", "would be")} kept and not marked as checked against the files.`,
    );
  const skippedRows = ok.reduce((n, f) => n + (f.registry?.skipped_rows.length ?? 0), 0);
  if (skippedRows > 0)
    out.push(
      `${plural(skippedRows, "row")} of the documents ${would(skippedRows === 1 ? "was" : "were", "would be")} skipped: not in the table (listed below).`,
    );
  return out;
}
