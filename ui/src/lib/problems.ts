// The Problems view in words: the double-counting check's findings grouped
// by kind, each naming both EACs with their ranges, statuses and
// beneficiaries, and how many certificates they share.

import type { AlteredDocument, CheckReport, Finding, FindingKind, FindingSide } from "./types";
import { formatCount, formatDecimal, plural } from "./decimal";

/** The groups in the order they are shown: the worst first. */
export const FINDING_KINDS: readonly FindingKind[] = ["claimed_twice", "retired_twice", "overlap"];

const TITLES: Record<FindingKind, string> = {
  claimed_twice: "Claimed for two different beneficiaries",
  retired_twice: "Retired twice",
  overlap: "Overlapping certificate ranges",
};

const EXPLAIN: Record<FindingKind, string> = {
  claimed_twice:
    "The same certificates are retired or claimed for two different beneficiaries: at most one claim can stand. Check both with the registry.",
  retired_twice:
    "The same certificates are retired twice: the energy would be counted twice in a report. Keep one of the EACs and delete or correct the other.",
  overlap:
    "Two stored ranges of one registry share certificates (at most one of them claimed). Often the same certificates were imported from two documents; keep one.",
};

export function findingKindTitle(kind: FindingKind): string {
  return TITLES[kind];
}

export function findingKindExplanation(kind: FindingKind): string {
  return EXPLAIN[kind];
}

/** Findings per kind, in `FINDING_KINDS` order, kinds without findings left out. */
export function groupFindings(findings: readonly Finding[]): { kind: FindingKind; findings: Finding[] }[] {
  return FINDING_KINDS.map((kind) => ({ kind, findings: findings.filter((f) => f.kind === kind) })).filter(
    (g) => g.findings.length > 0,
  );
}

/** "certificates A – B" (one certificate: "certificate A"). */
export function rangeText(side: Pick<FindingSide, "first" | "last">): string {
  return side.first === side.last ? `certificate ${side.first}` : `certificates ${side.first} – ${side.last}`;
}

/** "status redeemed · retired · for Acme" — what is known of one side's claim. */
export function sideDetails(side: FindingSide): string {
  const parts: string[] = [];
  if (side.status) parts.push(`status ${side.status}`);
  parts.push(side.retired ? "retired" : "not retired");
  parts.push(side.beneficiary ? `for ${side.beneficiary}` : "no beneficiary named");
  return parts.join(" · ");
}

/** The sentence heading one finding: how many certificates, of which registry, in what way. */
export function findingHeadline(f: Finding): string {
  const n = /^\d+$/.test(f.shared) ? Number(f.shared) : null;
  const count =
    n !== null && Number.isSafeInteger(n)
      ? plural(n, "certificate")
      : `${formatDecimal(f.shared)} certificates`;
  const verb =
    f.kind === "claimed_twice"
      ? "claimed for two different beneficiaries"
      : f.kind === "retired_twice"
        ? "retired twice"
        : "held by two stored EACs";
  return `${count} of ${f.registry} ${n === 1 ? "is" : "are"} ${verb}:`;
}

/** The line above the list: what was checked and what was found. */
export function checkSummary(r: CheckReport): string {
  const tail = [alteredDocumentsSummary(r), storedViolationsSummary(r)]
    .filter((s) => s !== "")
    .map((s) => ` ${s}`)
    .join("");
  // A filtered check compares the matching EACs' ranges with every stored one: "among N ranges" of the
  // whole database said nothing of what the filter held (decision 419, as `eacdesk check` words it).
  const theirs = r.matching_ranges;
  const lookedAt =
    theirs == null
      ? `among ${plural(r.ranges, "range")}`
      : `for the matching EACs (${formatCount(theirs)} of the ${plural(r.ranges, "stored range")} ${theirs === 1 ? "is" : "are"} theirs)`;
  if (r.findings.length === 0) return `No double counting found ${lookedAt}.${tail}`;
  const groups = groupFindings(r.findings)
    .map((g) => `${formatCount(g.findings.length)} ${findingKindTitle(g.kind).toLowerCase()}`)
    .join(", ");
  return `${plural(r.findings.length, "problem")} ${lookedAt}: ${groups}.${tail}`;
}

/** Whether the check found anything: double counting, stored documents changed, or stored EACs every export refuses. */
export function checkFoundProblems(r: CheckReport): boolean {
  return r.findings.length > 0 || (r.documents?.length ?? 0) > 0 || (r.violations?.length ?? 0) > 0;
}

/** "1 rule violation in stored EACs stops every export." — empty when there is none. */
export function storedViolationsSummary(r: CheckReport): string {
  const n = r.violations?.length ?? 0;
  if (n === 0) return "";
  return `${plural(n, "rule violation")} in stored EACs ${n === 1 ? "stops" : "stop"} every export.`;
}

/** What to do about stored EACs every export refuses. */
export const STORED_VIOLATIONS_EXPLANATION =
  "These stored EACs break a rule every export holds EACs to, such as text longer than 4096 characters: they were stored before EAC Desk refused it, or by another program. Delete each one and import it again from a corrected file.";

/** "1 stored document was changed by another program." — empty when none was. */
export function alteredDocumentsSummary(r: CheckReport): string {
  const n = r.documents?.length ?? 0;
  if (n === 0) return "";
  return `${plural(n, "stored document")} ${n === 1 ? "was" : "were"} changed by another program.`;
}

/** What to do about stored documents another program changed. */
export const ALTERED_DOCUMENTS_EXPLANATION =
  "Their bytes in the database no longer have the SHA-256 they were stored with, so they are not the originals: EAC Desk will not save them or put them in an evidence pack. Restore the database from a backup, or import each original file again (its stored copy is then put back).";

/** One changed document in words: its name, the EACs it is the source of, both hashes. */
export function alteredDocumentText(d: AlteredDocument): string {
  return `${d.file_name} (source of ${plural(d.eacs, "EAC")}): stored as SHA-256 ${d.sha256}, its bytes now have ${d.found}`;
}
