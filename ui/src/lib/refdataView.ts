// Logic behind the reference-data dialog (counts in words, the browse query,
// which file an import stopped at), kept out of the component so it is tested.

import type { BeneficiaryType, RefdataCount, RefdataRemoval, Violation } from "./types";
import { formatCount } from "./decimal";
import { baseName } from "./paths";
import { BENEFICIARY_TYPES, valuesOf } from "./labels";

/** The beneficiary types reference data can hold ("general" names nobody), in spec order. */
export const REFDATA_TYPES: readonly BeneficiaryType[] = valuesOf(BENEFICIARY_TYPES).filter((t) => t !== "general");

const NOUN: Record<string, [string, string]> = {
  customer: ["customer", "customers"],
  account: ["account", "accounts"],
  servicecontract: ["service contract", "service contracts"],
  rateplan: ["rate plan", "rate plans"],
  program: ["program", "programs"],
  general: ["general entry", "general entries"],
};

/** "1 account" / "2 service contracts" (an unknown type is shown as is). */
export function refdataCountText(type: string, n: number): string {
  const [one, many] = NOUN[type] ?? [type, type];
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Counts in display order, zero counts left out. */
export function orderedCounts(counts: readonly RefdataCount[]): RefdataCount[] {
  const rank = (t: string) => {
    const i = (REFDATA_TYPES as readonly string[]).indexOf(t);
    return i < 0 ? REFDATA_TYPES.length : i;
  };
  return counts.filter((c) => c.count > 0).sort((a, b) => rank(a.beneficiary_type) - rank(b.beneficiary_type));
}

/** "2 accounts, 1 customer" — or "" when nothing is stored. */
export function countsInWords(counts: readonly RefdataCount[]): string {
  return orderedCounts(counts)
    .map((c) => refdataCountText(c.beneficiary_type, c.count))
    .join(", ");
}

/** The select's value ("" = any) and the typed search as list_refdata arguments. */
export function refdataQuery(type: string, search: string): { type: BeneficiaryType | null; search: string | null } {
  const t = (REFDATA_TYPES as readonly string[]).includes(type) ? (type as BeneficiaryType) : null;
  const s = search.trim();
  return { type: t, search: s === "" ? null : s };
}

/** How many rows the list shows at most. */
export const REFDATA_LIMIT = 200;

/**
 * The list asks for one row more than it shows: `more` is true only when
 * another match really exists.
 */
export function limitRows<T>(rows: readonly T[], limit: number = REFDATA_LIMIT): { shown: T[]; more: boolean } {
  return { shown: rows.slice(0, limit), more: rows.length > limit };
}

/**
 * Where an import of `paths` stopped: the index of the file named by the
 * error (its message or a violation's `file`), or -1 when it cannot be told.
 * The backend imports files in order and stops at the first bad one.
 */
export function failedFileIndex(paths: readonly string[], message: string, violations: readonly Violation[]): number {
  const named = violations.map((v) => v.file).filter((f): f is string => !!f);
  // full paths first (a base name may be shared by files in different folders)
  for (let i = 0; i < paths.length; i++) {
    if (named.includes(paths[i]) || message.includes(paths[i])) return i;
  }
  const names = named.map(baseName);
  for (let i = 0; i < paths.length; i++) {
    if (names.includes(baseName(paths[i]))) return i;
  }
  return -1;
}

/** Plain words for a failed reference-data import: what was kept, what was not written. */
export function refdataFailureText(paths: readonly string[], failed: number): string {
  if (failed < 0 || failed >= paths.length) {
    return paths.length === 1
      ? "Nothing from the file was written."
      : "Nothing from the file that failed was written; the files before it in the list were imported and kept.";
  }
  const name = baseName(paths[failed]);
  const before = paths.slice(0, failed).map(baseName);
  const after = paths.slice(failed + 1).map(baseName);
  let s = `Nothing from ${name} was written.`;
  if (before.length > 0) s += ` ${listNames(before)} ${before.length === 1 ? "was" : "were"} imported and kept.`;
  if (after.length > 0)
    s += ` ${listNames(after)} ${after.length === 1 ? "was" : "were"} not tried: fix ${name} or remove it from the list, then import again.`;
  return s;
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * What removing reference data did (or, in a dry run, would do), in words:
 * the ids removed, then each removed id stored EACs still name (they are
 * not changed; their id is then one the reference data does not hold).
 */
export function removalLines(r: RefdataRemoval): { done: string; warnings: string[] } {
  const ids = r.removed.map((e) => e.id).join(", ");
  const what = `${r.removed.length === 1 ? "1 id" : `${formatCount(r.removed.length)} ids`} (${ids})`;
  const done = r.dry_run
    ? `Checked: removing would take out ${what}. Nothing was changed.`
    : `Removed ${what}. The removal is recorded in History.`;
  const warnings = r.still_named.map((n) => {
    const more = n.eac_count > n.cds_eac_ids.length ? ` and ${formatCount(n.eac_count - n.cds_eac_ids.length)} more` : "";
    const eacs = n.eac_count === 1 ? "1 EAC names" : `${formatCount(n.eac_count)} EACs name`;
    return `${eacs} “${n.id}”: ${n.cds_eac_ids.join(", ")}${more}. They are not changed; once it is removed, their beneficiary is an id the reference data does not hold.`;
  });
  return { done, warnings };
}
