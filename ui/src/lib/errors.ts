// Turning whatever an invoke rejected with into an AppError, and an AppError
// into plain words for a person (what happened + what to do next).

import type { AppError, ClosedPeriod, DatabaseProblem, ErrorCode, ErrorDetails, Violation } from "./types";
import { closedByText, periodDays } from "./evidence";
import { formatCount, plural } from "./decimal";

/** Code used when the UI runs without the EAC Desk backend (e.g. plain browser). */
export const NO_BACKEND = "no_backend";

/**
 * Every code an error can carry in the UI: the backend's `ErrorCode`s, plus
 * two the UI makes itself (no backend; a rejection that was not an AppError,
 * or one with a code this UI does not know).
 */
export type UiErrorCode = ErrorCode | typeof NO_BACKEND | "unknown";

/** An AppError as the UI holds it: its code is always one the UI has words for. */
export type UiError = Omit<AppError, "code"> & { code: UiErrorCode };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function isKnownCode(code: string): code is UiErrorCode {
  return Object.prototype.hasOwnProperty.call(TEXT, code);
}

/** Normalise any rejection value into an AppError (`details` is always an object). */
export function toAppError(e: unknown): UiError {
  if (isRecord(e) && typeof e.code === "string") {
    return {
      code: isKnownCode(e.code) ? e.code : "unknown",
      message: typeof e.message === "string" ? e.message : "",
      details: isRecord(e.details) ? (e.details as ErrorDetails) : {},
    };
  }
  if (typeof e === "string") return { code: "unknown", message: e, details: {} };
  if (e instanceof Error) return { code: "unknown", message: e.message, details: {} };
  return { code: "unknown", message: String(e), details: {} };
}

export interface FriendlyError {
  code: UiErrorCode;
  /** One short sentence saying what happened. */
  title: string;
  /** What the person can do next. */
  hint: string;
  /** The backend's own plain-words message (may be empty). */
  message: string;
}

/**
 * A code's words: `unchanged`, where it has one, is what the hint says first of what was left as
 * it was ("Nothing was changed."), left out where the caller says it itself (`unchangedSaid`).
 */
interface Words {
  title: string;
  hint: string;
  unchanged?: string;
}

// A Record over every code: adding an `ErrorCode` in Rust (and regenerating
// the bindings) makes this fail to compile until the new code has words.
const TEXT: Record<UiErrorCode, Words> = {
  validation: {
    title: "The data does not follow the rules of the CDS format.",
    hint: "Look at the listed problems, correct them, and try again.",
  },
  not_found: {
    title: "The item could not be found.",
    hint: "It may have been removed or replaced by an import. Refresh the list and try again.",
  },
  invalid_input: {
    title: "Some of what was entered is not valid.",
    hint: "Check the fields you filled in and try again.",
  },
  io: {
    title: "A file could not be read or written.",
    hint: "Check that the path is right, the file exists, and you are allowed to use that folder.",
  },
  database: {
    title: "The database reported a problem.",
    hint: "Try again. If it keeps happening, close other programs using this database or open a backup copy.",
  },
  conflict: {
    title: "This conflicts with other records.",
    hint: "The message says what stands in the way and what to do. A change made meanwhile shows after Refresh in the banner above, or when you open the EAC again.",
  },
  cancelled: {
    title: "The operation was cancelled.",
    unchanged: "Nothing was changed.",
    hint: "You can start it again at any time.",
  },
  newer_database: {
    title: "This database was made by a newer version of EAC Desk.",
    hint: "Update EAC Desk to open it, or open a different database.",
  },
  unreadable: {
    title: "This file could not be read as a registry statement or report.",
    unchanged: "Nothing from it was imported.",
    hint: "The message says where and why; check that it is the registry's original file (not a copy re-saved by another program), or choose its format by hand.",
  },
  frozen: {
    title: "These EACs are in a closed reporting period and cannot be changed.",
    unchanged: "Nothing was changed.",
    hint: "The message names the EACs and the period (who closed it and why); reopen the period, with a reason, to change them.",
  },
  internal: {
    title: "EAC Desk hit an internal error.",
    unchanged: "Nothing was written.",
    hint: "Try again; if it happens again, note the message below and report it.",
  },
  [NO_BACKEND]: {
    title: "EAC Desk's engine is not available.",
    hint: "Start this window from the EAC Desk application.",
  },
  unknown: {
    title: "Something went wrong.",
    hint: "Try again. If the problem stays, note the message below and contact support.",
  },
};

/** `details.place` of an `unreadable` error about a stored document whose bytes no longer match its SHA-256. */
export const STORED_COPY = "stored copy";

const STORED_COPY_TEXT: Words = {
  title: "The stored document is no longer the original.",
  unchanged: "Nothing was written.",
  hint: "Its bytes in the database were changed by another program: restore the database from a backup, or import the original file again (its stored copy is then put back).",
};

/**
 * A bulk change that found more EACs in its own write than the user confirmed (`details.unconfirmed`):
 * the message says how many match now and that nothing was changed; the dialog names the new count.
 */
const UNCONFIRMED_TEXT: Words = {
  title: "More EACs match now than you confirmed.",
  hint: "The dialog now names how many match: confirm again to go ahead with all of them, or Cancel.",
};

/**
 * How many EACs a change found in its own write when that was more than the
 * count the user confirmed (another program imported meanwhile): the change
 * was refused, nothing written (`invalid_input`, `details.unconfirmed`).
 * The dialog then names this count and asks again; any other error: null.
 */
export function unconfirmedCount(e: unknown): number | null {
  const err = toAppError(e);
  const found = err.details.unconfirmed;
  return err.code === "invalid_input" && typeof found === "number" ? found : null;
}

/** `details.format` of an `unreadable` error about a file given as reference data that is in none of its formats. */
export const REFERENCE_DATA = "reference data";

const REFERENCE_DATA_TEXT: Words = {
  title: "This file is not reference data EAC Desk reads.",
  unchanged: "Nothing from it was imported.",
  hint: "Reference data is a CDS accounts or service contracts listing (JSON), or a programs list (CSV or JSON with a program_number column); check that the file is one of these.",
};

/** What the open database's file gone (deleted, emptied, replaced) means for the window; the message says what to do. */
const GONE_HINT =
  "The table still shows what was read before. Every action answers this until a database is opened (Open database…).";

/**
 * A database file refused for what it is (`details.database`): its own title, not the code's
 * (another program's database is no mistyped input). A Record over every case: one added in Rust
 * fails to compile here until it has words.
 */

const DATABASE_TEXT: Record<DatabaseProblem, Words> = {
  other_program: {
    title: "This file is another program's database, not an EAC Desk database.",
    hint: "EAC Desk left it exactly as it was. Choose an EAC Desk database, or a new file name to start one (Open database…).",
  },
  not_a_file: {
    title: "This is not a database file.",
    hint: "Choose a database file, or a new file name to start one (Open database…).",
  },
  missing: {
    title: "The open database file is no longer there.",
    hint: GONE_HINT,
  },
  emptied: {
    title: "The open database file was emptied by another program.",
    hint: GONE_HINT,
  },
  replaced: {
    title: "The open database file was replaced by another file.",
    hint: GONE_HINT,
  },
};

/** A closed-period refusal naming no EAC (a claim, consumption or factor over its days): its message says what, that nothing was changed and where to reopen the period. */
const FROZEN_DAYS_TEXT: Words = {
  title: "This covers days of a closed reporting period and cannot be changed.",
  hint: "",
};

/**
 * A `validation` refusal in the Claims view with no located problems: the stored consumption or a
 * recorded claim does not allow the claim (a row crossing an hour or the period's edge, consumption
 * a recorded claim counts already); its message says which and what to do.
 */
const CLAIM_RULE_TEXT: Words = {
  title: "The stored data does not allow this claim.",
  hint: "The message says which consumption or recorded claim stands in the way and what to do.",
};

/** A consumption file refused with located problems (line and column): the file's own rules, not the CDS format's. */
const CONSUMPTION_FILE_TEXT: Words = {
  title: "The consumption file does not follow the rules for consumption files.",
  hint: "Look at the listed problems, correct the file, and import it again.",
};

/** The last error put into words (and so shown), for "Report a problem". */
let lastError: { error: FriendlyError; at: Date } | null = null;

/** The last error EAC Desk put into words (a cancel is not one), or null. */
export function lastFriendlyError(): { error: FriendlyError; at: Date } | null {
  return lastError;
}

/**
 * How the error is shown: `planned` — it refused a plan (a dry run), so nothing had been run yet;
 * `unchangedSaid` — the caller says itself what was left as it was (an import's report, of each
 * file, beside the files committed before it), so the hint does not say "Nothing was changed".
 */
export interface FriendlyOptions {
  planned?: boolean;
  unchangedSaid?: boolean;
  /**
   * `claims` — it came from the Claims view (consumption, claims, factors): a `validation` there is
   * a rule of claims or of the consumption file, never one of the CDS format.
   */
  about?: "claims";
}

/** A code's hint as shown: its `unchanged` sentence first, unless the caller says that itself. */
function hintOf(words: Words, options: FriendlyOptions): string {
  if (!words.unchanged || options.unchangedSaid === true) return words.hint;
  return words.hint ? `${words.unchanged} ${words.hint}` : words.unchanged;
}

/** EACs a closed-period refusal names in the app; the rest are counted. */
const FROZEN_NAMED = 10;

/** Where the app reopens a closed period. */
export const REOPEN_PLACE = "Evidence ▾ → Closed periods…";

/**
 * A closed-period refusal in the app's words, from its details: which
 * period (its days, who closed it and why), the EACs as the table names
 * them, how to reopen it in the app, and "nothing was changed" once.
 */
function frozenWords(d: ErrorDetails, options: FriendlyOptions): { message: string; hint: string } {
  const ids = d.cds_eac_ids ?? [];
  const names = d.eac_numbers ?? ids;
  const count = Math.max(ids.length, names.length);
  const shown = names.slice(0, FROZEN_NAMED);
  const more = count - shown.length;
  const list = shown.join(", ") + (more > 0 ? ` and ${formatCount(more)} more` : "");
  const one = count === 1;
  const subject = one ? `EAC ${list}` : count === 0 ? "These EACs" : `${plural(count, "EAC")} (${list})`;
  const periods: readonly ClosedPeriod[] = d.closed_periods ?? [];
  let where: string;
  if (periods.length > 0) {
    // Who closed it as the History and the Closed periods list show people: "Ana López (ana)", or the login alone.
    const each = periods.map((p) => `${periodDays(p)} (${closedByText(p)})`);
    where =
      periods.length === 1
        ? `the closed reporting period ${each[0]}`
        : `the closed reporting periods ${each.join("; ")}`;
  } else {
    where = "a closed reporting period";
  }
  const lies = one ? "lies" : "lie";
  const them = one ? "it" : "them";
  const period = periods.length > 1 ? "the periods" : "the period";
  const message = `${subject} ${lies} in ${where}.`;
  const hint =
    options.planned === true
      ? `To go ahead, first reopen ${period} in ${REOPEN_PLACE} (Reopen…, with a reason).`
      : hintOf(
          {
            title: "",
            unchanged: "Nothing was changed.",
            hint: `To change ${them}, reopen ${period} in ${REOPEN_PLACE} (Reopen…, with a reason), then try again.`,
          },
          options,
        );
  return { message, hint };
}

export function friendlyError(e: unknown, options: FriendlyOptions = {}): FriendlyError {
  const err = toAppError(e);
  const t = TEXT[err.code];
  const friendly = { code: err.code, title: t.title, hint: hintOf(t, options), message: err.message };
  const words = (w: Words) => Object.assign(friendly, { title: w.title, hint: hintOf(w, options) });
  // Worded from its details; without them (an older backend) its own message stands.
  if (err.code === "frozen" && (err.details.cds_eac_ids?.length ?? 0) > 0)
    Object.assign(friendly, frozenWords(err.details, options));
  else if (err.code === "frozen" && err.details.cds_eac_ids?.length === 0) words(FROZEN_DAYS_TEXT);
  // A rule of claims or of a consumption file, not of the CDS format.
  if (err.code === "validation" && options.about === "claims")
    words((err.details.violations?.length ?? 0) > 0 ? CONSUMPTION_FILE_TEXT : CLAIM_RULE_TEXT);
  // A stored document another program changed (not a file being imported).
  if (err.code === "unreadable" && err.details.place === STORED_COPY) words(STORED_COPY_TEXT);
  // A file given as reference data, not a registry document.
  if (err.code === "unreadable" && err.details.format === REFERENCE_DATA) words(REFERENCE_DATA_TEXT);
  // Another program added EACs the change would take after the user confirmed the count.
  if (unconfirmedCount(err) !== null) words(UNCONFIRMED_TEXT);
  // A database file refused for what it is.
  const database = err.details.database;
  if (database && Object.prototype.hasOwnProperty.call(DATABASE_TEXT, database)) words(DATABASE_TEXT[database]);
  if (err.code !== "cancelled") lastError = { error: friendly, at: new Date() };
  return friendly;
}

/** The violations carried by a `validation` error, or []. */
export function violationsOf(e: unknown): Violation[] {
  const err = toAppError(e);
  if (err.code !== "validation") return [];
  const v = err.details.violations;
  return Array.isArray(v) ? v : [];
}

export function isCancelled(e: unknown): boolean {
  return toAppError(e).code === "cancelled";
}

/** "file.json 12:5" / "file.json /eacs/3/value" / "/eacs/3" — where a violation is. */
export function violationLocation(v: Violation): string {
  const parts: string[] = [];
  if (v.file) parts.push(v.file);
  if (v.line != null) parts.push(v.column != null ? `${v.line}:${v.column}` : `${v.line}`);
  if (v.pointer) parts.push(v.pointer);
  return parts.join(" ");
}
