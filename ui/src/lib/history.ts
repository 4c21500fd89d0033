// The audit log in words: what each recorded action means to a person.

import type { AuditAction, AuditRecord, FieldChange } from "./types";
import { plural } from "./decimal";
import { baseName } from "./paths";

// A Record over every action: one added in Rust does not compile until it
// has words here.
const ACTIONS: Record<AuditAction, string> = {
  set_beneficiaries: "Beneficiaries changed",
  set_emissions: "Emission factors entered",
  set_fields: "Fields completed or corrected",
  import_replace: "Replaced by an import",
  verify: "Marked as verified",
  delete: "Deleted",
  undo_import: "Import undone",
  unknown: "Changed by another program",
  period_close: "Reporting period closed",
  period_reopen: "Reporting period reopened",
  export: "Exported",
  pack: "Evidence pack made",
  consumption_import: "Consumption imported",
  consumption_delete: "Consumption deleted",
  claim_create: "Claim recorded",
  claim_delete: "Claim deleted",
  factor_set: "Emission factor set",
  refdata_import: "Reference data imported",
  mapping_save: "Column mapping saved",
  mapping_delete: "Column mapping deleted",
  refdata_remove: "Reference data removed",
  import_readd: "Added again by an import",
};

/** "Beneficiaries changed", "Deleted", …; a stored action EAC Desk never writes arrives as `unknown`. */
export function auditActionLabel(action: AuditAction): string {
  return ACTIONS[action];
}

/** One sentence under the heading: what happened to the EAC, with the file where there is one. */
export function auditSummary(
  r: Pick<AuditRecord, "action" | "before" | "after" | "source_file" | "import_batch_id" | "reviewed" | "removed"> &
    Partial<Pick<AuditRecord, "changes">>,
): string | null {
  if (r.reviewed) return reviewedText(r.action);
  const file = r.source_file ? baseName(r.source_file) : null;
  const batch = r.import_batch_id !== null ? `import ${r.import_batch_id}` : "an import";
  switch (r.action) {
    case "import_replace":
      return `A newer version from ${file ?? batch} replaced the stored one.`;
    case "delete":
      return "The EAC was deleted from this database; what it held is kept in this record.";
    case "import_readd":
      return `Stored again by ${file ? `the import of ${file}` : batch} after its removal (the record before says why it was removed); this record keeps it as added.`;
    case "undo_import":
      // Told by `removed`, never by `after`: an EAC given back without a
      // beneficiary type has no assignment after either.
      if (r.removed) return `Removed: undoing ${file ? `the import of ${file}` : batch}, which had added it.`;
      // Only its documents changed: the import had found it unchanged and named its document as a source.
      if (r.changes?.length && r.changes.every((c) => c.field === "sources" || c.field === "ranges"))
        return `No longer names ${file ?? "the document"} as a source: undoing ${file ? `the import of ${file}` : batch}, which had found it unchanged; the EAC itself stays as it is.`;
      return `Given back its earlier version: undoing ${file ? `the import of ${file}` : batch}, which had replaced it.`;
    case "verify":
      return "Checked against its source; P2 exports carry this date as cds_synced.";
    case "export":
      return file ? `Written to ${file}.` : "Written to a file.";
    case "pack":
      return file ? `An evidence pack was written to ${file}.` : "An evidence pack was written.";
    case "consumption_import":
      return file ? `Consumption rows were imported from ${file}.` : "Consumption rows were imported.";
    case "consumption_delete":
      return "A beneficiary's stored consumption was deleted; the change lists its rows and files.";
    case "claim_create":
      return "A claim was recorded; the EAC values it uses are allocated to it.";
    case "claim_delete":
      return "A claim was deleted; the EAC values it used are free again.";
    case "factor_set":
      return "An emission factor of a market was entered; the change lists the old and new number.";
    case "refdata_import":
      return file
        ? `Reference data (ids and names of beneficiaries) was imported from ${file}; the change counts what was added and which names changed.`
        : "Reference data was imported; the change counts what was added and which names changed.";
    case "mapping_save":
      return "A column mapping for registry CSV files was saved; the change holds it (and the one it replaced).";
    case "mapping_delete":
      return "A saved column mapping was deleted; the change holds what it was.";
    case "refdata_remove":
      return "Reference data ids were removed; the change names them with their labels and keeps what was removed.";
    default:
      return null;
  }
}

/** Whether before/after beneficiaries are worth showing side by side. */
export function showsAssignments(r: Pick<AuditRecord, "action" | "before" | "after">): boolean {
  if (r.before === null && r.after === null) return false;
  if (r.action === "set_beneficiaries") return true;
  if (r.before === null || r.after === null) return false;
  const same =
    r.before.beneficiary_type === r.after.beneficiary_type &&
    r.before.beneficiaries.join("\u0000") === r.after.beneficiaries.join("\u0000");
  return !same;
}

/**
 * "cds_synced: (none) → 2026-…" for the changed-fields list; a value by its number
 * ("value 1: 1e3 kWh → 2.50 kWh"); "and 4 more values" (no sides) counts the values not listed.
 */
export function fieldChangeText(c: FieldChange): string {
  if (c.before === null && c.after === null) return c.field;
  return `${c.field}: ${c.before ?? "(none)"} → ${c.after ?? "(none)"}`;
}

/** "12 changes" heading of the database-wide history. */
export function historyCountText(n: number, shown: number): string {
  if (shown < n) return `${plural(n, "recorded change")}; the newest ${shown} are shown.`;
  return plural(n, "recorded change");
}

/** A review (`reviewed`): an edit that gave the EAC what it held, recorded with its reason (decision 15). */
function reviewedText(action: AuditAction): string {
  const what = action === "set_emissions" ? "emission factors" : "beneficiaries";
  return `Reviewed: the EAC already had these ${what}, so nothing changed; the review is recorded with its reason.`;
}

/** The status line after the detail pane saved beneficiaries or emission factors. */
export function savedText(r: Pick<AuditRecord, "action" | "cds_eac_id" | "reviewed">): string {
  const what = r.action === "set_emissions" ? "Emission factors" : "Beneficiaries";
  return r.reviewed ? `${what} of ${r.cds_eac_id}: no change; recorded as reviewed.` : `${what} of ${r.cds_eac_id} saved.`;
}

/** The note under the beneficiary editor after a save, before "(who, when)". */
export function savedNote(r: Pick<AuditRecord, "reviewed">): string {
  return r.reviewed ? "No change; recorded as reviewed in History" : "Saved. The change was recorded in History";
}
