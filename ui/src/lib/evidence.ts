// Evidence packs, the audit chain and closed reporting periods in words:
// what the pack dialogs, the History views and the detail pane say.

import type { ChainReport, ClosedPeriod, EacFilter, PackDiff, PackProblem, PackVerdict } from "./types";
import type { UiError } from "./errors";
import { formatCount, plural } from "./decimal";
import { formatDateTimeUtc, isIsoDay } from "./dates";
import { auditWho } from "./auditQuery";
import type { FieldChange, PackAuditChange, PackClaimChange, PackPartChange, PackSourceChange } from "./types";

// ---- the audit chain -------------------------------------------------------------

/** The state of the audit chain, in one sentence, and whether it is intact. */
export function chainStateText(r: ChainReport): { ok: boolean; text: string } {
  if (r.broken === null) {
    return { ok: true, text: `Audit log intact (${plural(r.records, "record")})` };
  }
  const b = r.broken;
  if (b.pack) {
    // The chain holds on its own but no longer reaches a pack's head: the history was written again.
    return {
      ok: false,
      text: `Audit log changed outside EAC Desk after evidence pack ${b.pack.id} was made: record ${b.id}, the pack's last, is no longer what the pack recorded — ${b.reason}`,
    };
  }
  return {
    ok: false,
    text: `Audit log changed outside EAC Desk: broken at record ${b.id} — ${b.reason}`,
  };
}

/** What to do about a broken chain (shown under the sentence). */
export const CHAIN_BROKEN_ADVICE =
  "A record was edited, removed or reordered by another program, so the history can no longer be trusted from this point. Evidence packs are refused until the database is restored from a backup made before the change.";

/** What to do about a history written again after a pack (the chain verifies on its own). */
export const HISTORY_CHANGED_ADVICE =
  "A record up to the pack's last was edited, removed or inserted by another program and the chain computed again, so the history up to there can no longer be trusted. Verify evidence pack… → What changed since? on that pack names each record that differs. Evidence packs are refused until the database is restored from a backup made before the change.";

/** The advice under the chain's state: a broken chain's, or a rewritten history's. */
export function chainAdvice(r: ChainReport): string | null {
  if (r.broken === null) return null;
  return r.broken.pack ? HISTORY_CHANGED_ADVICE : CHAIN_BROKEN_ADVICE;
}

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

/** Whether the pack is still what the database holds (as `PackDiff::is_unchanged`: EACs, claims, documents, history). */
export function diffUnchanged(d: PackDiff): boolean {
  return (
    d.added.length + d.removed.length + d.edited.length + d.claims.length + d.sources.length + d.audit_changes.length === 0 &&
    !d.history_changed &&
    !d.not_the_recorded
  );
}

/** One sentence over a pack diff. */
export function diffSummary(d: PackDiff): string {
  if (!d.verdict.ok) {
    return "The pack itself was changed after it was signed, so it is no basis for comparison; the changes below are measured against what it holds now.";
  }
  if (diffUnchanged(d)) {
    return `Nothing changed since the pack was made: its ${plural(d.unchanged, "EAC")} ${d.unchanged === 1 ? "is" : "are"} as filed.`;
  }
  const parts: string[] = [];
  if (d.added.length) parts.push(`${formatCount(d.added.length)} added`);
  if (d.removed.length) parts.push(`${formatCount(d.removed.length)} removed`);
  if (d.edited.length) parts.push(`${formatCount(d.edited.length)} edited`);
  const eacs = parts.length ? `${parts.join(", ")}; ${formatCount(d.unchanged)} unchanged` : `no EAC changed (${formatCount(d.unchanged)} as filed)`;
  const more: string[] = [];
  const claims = (kind: PackPartChange) => d.claims.filter((c) => c.change === kind).length;
  const claimParts = [
    [claims("removed"), "deleted"],
    [claims("changed"), "changed"],
    [claims("added"), "recorded since"],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${plural(n as number, "claim")} ${what}`);
  more.push(...claimParts);
  if (d.sources.length) more.push(`${plural(d.sources.length, "source document")} not stored as packed`);
  if (d.history_changed) more.push("the audit log before the pack was changed");
  return `Since the pack was made: ${eacs}${more.length ? `; ${more.join("; ")}` : ""}.`;
}

/** A value of a change as shown: quoted, long ones cut. */
function shownValue(v: string | null): string {
  if (v === null) return "(absent)";
  const chars = [...v];
  return chars.length > 80 ? `“${chars.slice(0, 80).join("")}…”` : `“${v}”`;
}

/** `field: “packed” → “now”` (a member of an EAC, a record or a claim's report). */
export function fieldChangeText(c: FieldChange): string {
  return `${c.field}: ${shownValue(c.before)} → ${shownValue(c.after)}`;
}

/** One audit record that differs from the pack's copy, in words. */
export function auditChangeText(c: PackAuditChange): string {
  const what =
    c.change === "changed"
      ? "changed"
      : c.change === "removed"
        ? "removed (in the pack, not in the log)"
        : "added (in the log, not in the pack)";
  const redacted = c.redacted
    ? " (about an EAC outside the pack: the pack holds only its hash, so how it changed is not known)"
    : "";
  return `Record ${c.id} ${what}${redacted}`;
}

/** A member of an added or removed record: only one side exists. */
export function auditFieldText(c: PackAuditChange, f: FieldChange): string {
  if (c.change === "changed") return fieldChangeText(f);
  return `${f.field}: ${shownValue(c.change === "removed" ? f.before : f.after)}`;
}

/** A claim the pack carries (or would), in words. */
export function claimChangeText(c: PackClaimChange): string {
  const name = c.name ? ` “${c.name}”` : "";
  switch (c.change) {
    case "removed":
      return `Claim ${c.claim_id}${name} was deleted since the pack: the pack's claims/claim-${c.claim_id}.json states an allocation that no longer exists.`;
    case "changed":
      return `Claim ${c.claim_id}${name} changed: its report now differs from the pack's claims/claim-${c.claim_id}.json.`;
    case "added":
      return `Claim ${c.claim_id}${name} was recorded since the pack over EACs in it.`;
  }
}

/** A source document of the pack the database no longer stores as packed. */
export function sourceChangeText(s: PackSourceChange): string {
  if (s.change === "changed" && s.stored_sha256) {
    return `${s.file}: the document stored under SHA-256 ${s.sha256} now has the SHA-256 ${s.stored_sha256} (changed in the database outside EAC Desk).`;
  }
  return `${s.file}: this database no longer stores a document with SHA-256 ${s.sha256}.`;
}

/** The history up to the pack no longer in the log, said plainly. */
export function historyChangedText(d: PackDiff): string {
  const last = d.verdict.manifest?.audit.records ?? 0;
  return `The audit log was changed after this pack was made: this database made the pack, and its log no longer holds the pack's last record (record ${last}). Records up to there were changed, removed or inserted outside EAC Desk and the chain computed again.`;
}

/** Where the pack came from, for the diff's heading. */
export function diffOrigin(d: PackDiff): string {
  if (d.record) return `Made from this database on ${formatDateTimeUtc(d.record.created_at)}.`;
  const r = d.not_the_recorded;
  if (r) {
    const signer = d.verdict.manifest?.key.fingerprint;
    const differs = signer === r.key_fingerprint ? "its manifest differs" : `its manifest differs and it is signed by the key ${signer ?? "?"}, not by ${r.key_fingerprint}`;
    return `This is not the pack this database recorded as pack ${r.id} (made ${formatDateTimeUtc(r.created_at)} from the same audit log, in ${r.path}): ${differs}. It was changed and signed again after it was made: do not rely on it.`;
  }
  if (!d.head_found) {
    return "This pack was not made from this database (or audit records it knew were removed): compare with care.";
  }
  if (!d.key_recorded) {
    return "This database has no record of making this pack, and no pack recorded here was signed by its key: it was made without a record by someone else (a role that reads only), or it is a pack of this database changed and signed again. Ask whoever gave it to you for their key's fingerprint.";
  }
  return "This database has no record of making this pack.";
}

// ---- closed periods ----------------------------------------------------------------------

/**
 * Who closed (or reopened) a period, as the History shows people: "Ana López
 * (ana)", the display name its audit record keeps beside the login, or the
 * login alone.
 */
function periodWho(login: string, name: string | undefined): string {
  return auditWho({ os_user: login, display_name: name ?? null });
}

/** "closed by Ana López (ana) on …: “reason”", as the list, the frozen-EAC notice and a closed-period refusal say it. */
export function closedByText(p: ClosedPeriod): string {
  return `closed by ${periodWho(p.closed_by, p.closed_by_name)} on ${formatDateTimeUtc(p.closed_at)}: “${p.reason}”`;
}

/** "Period 3, closed by Ana López (ana) on …: “reason”" */
export function periodClosedText(p: ClosedPeriod): string {
  return `Period ${p.id}, ${closedByText(p)}`;
}

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
  const each = periods.map((p) => `period ${p.id}, ${periodDays(p)}, ${closedByText(p)}`);
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
  return `Reopened by ${p.reopened_by === null ? "?" : periodWho(p.reopened_by, p.reopened_by_name)} on ${formatDateTimeUtc(p.reopened_at)}: “${p.reopen_reason ?? ""}”`;
}
