// Evidence packs, the audit chain and closed reporting periods in words:
// what the pack dialogs, the History views and the detail pane say.

import type { ChainReport, ClosedPeriod, EacFilter, PackDiff, PackProblem, PackVerdict } from "./types";
import type { UiError } from "./errors";
import { formatCount, plural } from "./decimal";
import { formatDateTimeUtc, isIsoDay } from "./dates";

// ---- the audit chain -------------------------------------------------------------

/** The state of the audit chain, in one sentence, and whether it is intact. */
export function chainStateText(r: ChainReport): { ok: boolean; text: string } {
  if (r.broken === null) {
    return { ok: true, text: `Audit log intact (${plural(r.records, "record")})` };
  }
  const b = r.broken;
  return {
    ok: false,
    text: `Audit log changed outside EAC Desk: broken at record ${b.id} — ${b.reason}`,
  };
}

/** What to do about a broken chain (shown under the sentence). */
export const CHAIN_BROKEN_ADVICE =
  "A record was edited, removed or reordered by another program, so the history can no longer be trusted from this point. Evidence packs are refused until the database is restored from a backup made before the change.";

// ---- making a pack ------------------------------------------------------------------

/** "evidence-pack-2026-05-01" (the folder a new pack gets). */
export function defaultPackName(stamp: string): string {
  return `evidence-pack-${stamp}`;
}

/** Which EACs go in the pack: the current filter, or (none set) the whole database. */
export function packScopeText(filtered: boolean, count: number | null): string {
  const n = count === null ? "…" : formatCount(count);
  if (!filtered) return `Every EAC in the database (${n})`;
  return count === 1 ? "The 1 EAC in the current filter" : `The ${n} EACs in the current filter`;
}

/** Why "Create pack" cannot run yet, or null. */
export function packBlocker(path: string, count: number | null): string | null {
  if (count === 0) return "No EAC matches the current filter: a pack needs at least one.";
  if (path.trim() === "") return "Choose the folder for the pack.";
  return null;
}

/** A refused pack: whether "Show incomplete EACs" helps (the backend names them in `details.cds_eac_ids`). */
export function refusedForIncomplete(e: UiError | null): boolean {
  return e !== null && e.code === "validation" && (e.details.cds_eac_ids?.length ?? 0) > 0;
}

/** The filter's complete EACs only ("Pack the complete EACs only", as `eacdesk pack --complete`). */
export function completeOnlyFilter(f: EacFilter): EacFilter {
  return { ...f, incomplete: false };
}

// ---- verifying a pack ---------------------------------------------------------------------

/** The file (and audit record) a problem is about: "audit.jsonl, record 12", "the pack folder". */
export function problemPlace(p: PackProblem): string {
  const file = p.file === "" ? "the pack folder" : p.file;
  return p.record === null ? file : `${file}, record ${p.record}`;
}

/** The verdict's headline. */
export function verdictHeadline(v: PackVerdict): string {
  if (v.ok) return "Intact: the pack is exactly as it was signed.";
  const n = v.problems.length;
  return `Not intact: ${plural(n, "problem")} found. ${n === 1 ? "It is" : "Each is"} listed with the file or audit record concerned.`;
}

/** The facts of an intact pack, one per line (signer, files, audit records, head). */
export function verdictFacts(v: PackVerdict): { label: string; value: string; testid: string }[] {
  const m = v.manifest;
  if (!m) return [];
  return [
    { label: "Signed by key", value: m.key.fingerprint, testid: "fingerprint" },
    { label: "Title", value: m.title, testid: "title" },
    { label: "Made", value: formatDateTimeUtc(m.created_at), testid: "created" },
    { label: "EACs", value: formatCount(m.counts.eacs), testid: "eacs" },
    // the manifest and its signature are not in its own list (nor is the list sent: only its count)
    { label: "Files", value: formatCount((v.file_count ?? m.files.length) + 2), testid: "files" },
    { label: "Audit records", value: formatCount(m.audit.records), testid: "audit-records" },
    { label: "Audit chain head", value: m.audit.head ?? "(no records)", testid: "audit-head" },
  ];
}

/** An expected fingerprint as typed: null when empty or plausible, else what is wrong. */
export function fingerprintProblem(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  const hex = t.replace(/[-\s:]/g, "");
  if (!/^[0-9a-fA-F]*$/.test(hex)) return "A fingerprint holds only the digits 0–9, the letters a–f and dashes.";
  if (hex.length !== 32) return `A fingerprint has 32 hex digits (8 groups of 4); this one has ${hex.length}.`;
  return null;
}

// ---- what changed since a pack -----------------------------------------------------------------

/** One sentence over a pack diff. */
export function diffSummary(d: PackDiff): string {
  if (!d.verdict.ok) {
    return "The pack itself was changed after it was signed, so it is no basis for comparison; the changes below are measured against what it holds now.";
  }
  const parts: string[] = [];
  if (d.added.length) parts.push(`${formatCount(d.added.length)} added`);
  if (d.removed.length) parts.push(`${formatCount(d.removed.length)} removed`);
  if (d.edited.length) parts.push(`${formatCount(d.edited.length)} edited`);
  if (parts.length === 0) {
    return `Nothing changed since the pack was made: its ${plural(d.unchanged, "EAC")} ${d.unchanged === 1 ? "is" : "are"} as filed.`;
  }
  return `Since the pack was made: ${parts.join(", ")}; ${formatCount(d.unchanged)} unchanged.`;
}

/** Where the pack came from, for the diff's heading. */
export function diffOrigin(d: PackDiff): string {
  if (d.record) return `Made from this database on ${formatDateTimeUtc(d.record.created_at)}.`;
  if (!d.head_found) {
    return "This pack was not made from this database (or audit records it knew were removed): compare with care.";
  }
  return "This database has no record of making this pack.";
}

// ---- closed periods ----------------------------------------------------------------------

/** "2024-01-01 to 2024-12-31" */
export function periodDays(p: Pick<ClosedPeriod, "from" | "to">): string {
  return `${p.from} to ${p.to}`;
}

/**
 * Why the selected EAC cannot be changed: the periods that freeze it (dates,
 * who closed each, when and why) and how to change it after all.
 */
export function frozenNotice(periods: readonly ClosedPeriod[]): string {
  if (periods.length === 0) return "";
  const each = periods.map(
    (p) =>
      `period ${p.id}, ${periodDays(p)}, closed by ${p.closed_by} on ${formatDateTimeUtc(p.closed_at)}: “${p.reason}”`,
  );
  const which = periods.length === 1 ? "a closed reporting period" : `${periods.length} closed reporting periods`;
  return `This EAC lies in ${which} (${each.join("; ")}), so its beneficiaries, fields and emission factors cannot be changed and it cannot be deleted. To change it, reopen the period with a reason in “Closed periods…”.`;
}

/** What keeps the close form from being sent (empty: it can be). */
export function closePeriodProblems(from: string, to: string, reason: string): string[] {
  const out: string[] = [];
  const f = from.trim();
  const t = to.trim();
  if (!isIsoDay(f)) out.push("Enter the first day as YYYY-MM-DD.");
  if (!isIsoDay(t)) out.push("Enter the last day as YYYY-MM-DD.");
  if (isIsoDay(f) && isIsoDay(t) && t < f) out.push("The last day comes before the first day.");
  if (reason.trim() === "") out.push("Give a reason (it is kept in the History).");
  return out;
}

/** A period's state in the list. */
export function periodState(p: ClosedPeriod): string {
  if (p.reopened_at === null) return `Closed: ${plural(p.eac_count, "EAC")} frozen`;
  return `Reopened by ${p.reopened_by ?? "?"} on ${formatDateTimeUtc(p.reopened_at)}: “${p.reopen_reason ?? ""}”`;
}
