// "Mark verified": which EACs a scope means, how many, and the result in words.

import type { DbInfo, EacFilter } from "./types";
import { emptyFilterState, isEmptyFilter, toEacFilter } from "./filters";
import { plural } from "./decimal";

/** "selected": the rows picked in the table. */
export type VerifyScope = "all" | "filter" | "selected";

/** The filter mark_verified gets: the empty filter (every EAC, envelope-only ones too) or the current one. */
export function verifyFilter(scope: VerifyScope, current: EacFilter): EacFilter {
  return scope === "all" || isEmptyFilter(current) ? toEacFilter(emptyFilterState()) : { ...current };
}

/** The scope a dialog opens with: the rows picked, else the current filter when one is set. */
export function defaultVerifyScope(current: EacFilter, picked = false): VerifyScope {
  if (picked) return "selected";
  return isEmptyFilter(current) ? "all" : "filter";
}

/** Every EAC in the database: those with values and the envelope-only ones. */
export function allEacCount(db: Pick<DbInfo, "eac_count" | "envelope_only_count"> | null): number | null {
  return db ? db.eac_count + db.envelope_only_count : null;
}

/** How many EACs the scope "all" or "filter" covers (null while unknown). */
export function verifyCount(scope: Exclude<VerifyScope, "selected">, allCount: number | null, filterCount: number | null): number | null {
  return scope === "all" ? allCount : filterCount;
}

/** "Marked 3 EACs as verified just now." */
export function verifyResultText(n: number): string {
  return `Marked ${plural(n, "EAC")} as verified just now.`;
}
