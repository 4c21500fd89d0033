// Confirming bulk and whole-database actions (issue 9 item 16): the button
// names the action and the count, and an action on every EAC in the database
// also needs its box ticked, so neither Enter nor a stray click can start it.

import { formatCount, plural } from "./decimal";

/** "Delete 3 EACs", "Mark 1 234 EACs as verified" (`rest` follows the count); "…" while counting. */
export function countedAction(verb: string, count: number | null, rest = ""): string {
  const what = count === null ? "… EACs" : plural(count, "EAC");
  return rest === "" ? `${verb} ${what}` : `${verb} ${what} ${rest}`;
}

/** The tick-box text of a whole-database action: "Yes, all 1 234 EACs in this database". */
export function wholeDatabaseText(count: number | null): string {
  if (count === 1) return "Yes, the only EAC in this database";
  return `Yes, all ${count === null ? "…" : formatCount(count)} EACs in this database`;
}

/**
 * Why the confirming button of a bulk action is still disabled, or null:
 * while counting, when nothing matches, and, for the whole database, until
 * the box is ticked.
 */
export function confirmBlocker(opts: {
  count: number | null;
  wholeDatabase: boolean;
  ticked: boolean;
}): string | null {
  if (opts.count === null) return "Counting the EACs…";
  if (opts.count === 0) return "No EACs match, so there is nothing to do.";
  if (opts.wholeDatabase && !opts.ticked) return "This is every EAC in the database: tick the box to confirm.";
  return null;
}

// The count a refused change found (`errors.ts`, where the refusal gets its title).
export { unconfirmedCount } from "./errors";
