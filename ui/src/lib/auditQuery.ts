// The app-wide history's filter form and paging: what the person types
// (who, days in their own calendar, an action, an EAC) as the store's
// AuditQuery, the page in words, and who made a change.

import type { AuditAction, AuditPage, AuditQuery, AuditRecord } from "./types";
import { auditActionLabel } from "./history";
import { isIsoDay } from "./dates";
import { formatCount } from "./decimal";

/** Records per page of the history. */
export const HISTORY_PAGE = 100;

export interface HistoryForm {
  /** In the OS login or the display name. */
  who: string;
  /** Local calendar days, typed as YYYY-MM-DD as in the filter bar (decision 32); "" for open. */
  from: string;
  to: string;
  /** "" for every action. */
  action: AuditAction | "";
  /** An EAC's id or number. */
  eac: string;
}

export const EMPTY_HISTORY_FORM: HistoryForm = { who: "", from: "", to: "", action: "", eac: "" };

/** The actions the filter offers, in the order a person looks for them. */
export const ACTION_CHOICES: { id: AuditAction; label: string }[] = (
  [
    "set_beneficiaries",
    "set_emissions",
    "set_fields",
    "verify",
    "import_replace",
    "import_readd",
    "delete",
    "undo_import",
    "export",
    "pack",
    "period_close",
    "period_reopen",
    "unknown",
  ] as AuditAction[]
).map((id) => ({ id, label: auditActionLabel(id) }));

/** The start of a local calendar day as an instant (RFC 3339, UTC). */
export function localDayStart(day: string, plusDays = 0): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** What is wrong with the form, in words, or null. */
export function historyFormProblem(f: HistoryForm): string | null {
  const [from, to] = [f.from.trim(), f.to.trim()];
  if (from && !isIsoDay(from)) return "The “from” day is not a date yet: write it as YYYY-MM-DD, e.g. 2026-01-31, or clear it.";
  if (to && !isIsoDay(to)) return "The “to” day is not a date yet: write it as YYYY-MM-DD, e.g. 2026-01-31, or clear it.";
  if (from && to && to < from) return "The “to” day is before the “from” day; swap them or clear one.";
  return null;
}

/** Whether the form narrows the history at all. */
export function isFiltered(f: HistoryForm): boolean {
  return f.who.trim() !== "" || f.from.trim() !== "" || f.to.trim() !== "" || f.action !== "" || f.eac.trim() !== "";
}

/**
 * The store's query for page `offset`: the days are whole local days, the
 * "to" day included (so the instant is the start of the day after).
 */
export function toAuditQuery(f: HistoryForm, offset = 0, limit = HISTORY_PAGE): AuditQuery {
  const q: AuditQuery = { actions: f.action ? [f.action] : [], offset, limit };
  if (f.who.trim()) q.who = f.who.trim();
  if (f.eac.trim()) q.eac = f.eac.trim();
  if (f.from.trim()) q.from = localDayStart(f.from.trim());
  if (f.to.trim()) q.to = localDayStart(f.to.trim(), 1);
  return q;
}

/** "Changes 101–200 of 1,234", "No change matches these filters". */
export function pageText(p: Pick<AuditPage, "total" | "offset"> & { shown: number }, filtered: boolean): string {
  if (p.total === 0) return filtered ? "No change matches these filters." : "Nothing has been recorded in this database yet.";
  const first = p.offset + 1;
  const last = p.offset + p.shown;
  const of = `${formatCount(first)}–${formatCount(last)} of ${formatCount(p.total)}`;
  return `${filtered ? "Matching changes" : "Changes"} ${of}, newest first`;
}

/** The offsets of the previous and next pages (null at either end). */
export function pageMoves(p: Pick<AuditPage, "total" | "offset">, size = HISTORY_PAGE): { prev: number | null; next: number | null } {
  return {
    prev: p.offset > 0 ? Math.max(0, p.offset - size) : null,
    next: p.offset + size < p.total ? p.offset + size : null,
  };
}

/**
 * "Ana López (ana)": the display name with the OS login beside it, or the login alone; on a
 * team server with the login the server checked, "Ana López (ana, server login ana)", "bob
 * (server login ann)" (the desk said bob; the server authenticated ann), as `eacdesk audit` says it.
 */
export function auditWho(
  r: Pick<AuditRecord, "os_user" | "display_name"> & { server_login?: string | null },
): string {
  const name = r.display_name?.trim();
  const server = r.server_login;
  if (!server) return name && name !== r.os_user ? `${name} (${r.os_user})` : r.os_user;
  return name && name !== r.os_user
    ? `${name} (${r.os_user}, server login ${server})`
    : `${r.os_user} (server login ${server})`;
}
