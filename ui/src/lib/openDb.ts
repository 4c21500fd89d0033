// "Open database": what opening a typed or picked path would do, asked
// before anything is created. A missing file becomes a new empty database
// only when the person says so; a CDS JSON file is an export, not a
// database, and goes to Import instead.

import type { PathKind } from "./types";
import { baseName } from "./paths";

export type OpenStep =
  | { kind: "open" }
  | { kind: "confirm-create"; question: string }
  | { kind: "json"; text: string }
  | { kind: "refuse"; text: string };

/**
 * The settings the PostgreSQL client reads (`eac_store::server::LIBPQ_SETTINGS`,
 * the one list `--db` and `server init` take; a drift test compares them).
 */
const LIBPQ_SETTINGS = new Set([
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "password",
  "options",
  "application_name",
  "connect_timeout",
  "sslmode",
  "sslnegotiation",
  "channel_binding",
  "target_session_attrs",
  "load_balance_hosts",
  "tcp_user_timeout",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_retries",
]);

/**
 * The words of libpq settings as the store reads them (`setting_words`):
 * a key up to a space or `=`, then, after `=` (spaces around it allowed), a
 * value quoted `'…'` or up to the next space; `\` escapes one character.
 * `value` is null for a word without `=`.
 */
function settingWords(text: string): { key: string; value: string | null }[] {
  // ASCII white space only, as Rust's `is_ascii_whitespace`.
  const word =
    /[ \t\n\f\r]*((?:[^ \t\n\f\r=\\]|\\[^]|\\$)*)(?:([ \t\n\f\r]*=[ \t\n\f\r]*)('(?:[^'\\]|\\[^]|\\$)*'?|(?:[^ \t\n\f\r\\]|\\[^]|\\$)*))?/y;
  const words = [];
  let at = 0;
  const rest = text.replace(/[ \t\n\f\r]+$/, "");
  while (at < rest.length) {
    word.lastIndex = at;
    const found = word.exec(rest);
    if (!found || word.lastIndex === at) break;
    words.push({ key: found[1], value: found[2] === undefined ? null : found[3] });
    at = word.lastIndex;
  }
  return words;
}

/** A setting's name as libpq writes one (a path's `./host` is none). */
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether `text` is libpq settings (`host=… user=… dbname=…`): every word a
 * setting the client reads with its value, so a file named `q1=final.sqlite`
 * is not.
 */
function isServerSettings(text: string): boolean {
  const words = settingWords(text);
  return words.length > 0 && words.every((w) => w.value !== null && LIBPQ_SETTINGS.has(w.key));
}

/**
 * Whether `text`, no address the client reads, was still meant as one
 * (`eac_store::server::meant_as_server`): a URL (`scheme://…`, a scheme of two
 * characters or more), `postgres:` without `//`, a `password=` word, or
 * key=value text whose first word is a setting the client reads or most of
 * whose words are settings. Opening it is refused; it never becomes a file.
 */
function meantAsServer(text: string): boolean {
  const trimmed = text.trim();
  if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(trimmed) || /^postgres(ql)?:/i.test(trimmed)) return true;
  const words = settingWords(trimmed);
  const named = (w: { key: string; value: string | null }) => w.value !== null && SETTING_NAME.test(w.key);
  if (words.some((w) => named(w) && /password$/i.test(w.key))) return true;
  const first = words[0];
  if (!first || !named(first)) return false;
  const settings = words.filter(named).length;
  return LIBPQ_SETTINGS.has(first.key) || (words.length >= 2 && 2 * settings > words.length);
}

/**
 * Whether `text` names a database on a PostgreSQL server rather than a file
 * (team mode): a `postgres://` address, libpq settings, or text meant as one
 * (opened, it is refused with the reason), as `--db` takes them.
 */
export function isServerAddress(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text.trim()) || isServerSettings(text) || meantAsServer(text);
}

/** Whether the name says JSON (an export or a registry file, never a database). */
export function looksLikeJson(path: string): boolean {
  return /\.(json|jsonl|geojson)$/i.test(path.trim());
}

/**
 * The next step for `path`: `created` when the person chose "New database…"
 * in the native dialog (they asked for a new file already).
 */
export function openStep(path: string, kind: PathKind, created: boolean): OpenStep {
  // A server database is opened as it is: `eacdesk server init` makes one.
  if (isServerAddress(path)) return { kind: "open" };
  const name = baseName(path.trim());
  if (looksLikeJson(path))
    return {
      kind: "json",
      text: `“${name}” is an export file (JSON), not a database. Use Import to add its EACs to the open database.`,
    };
  if (kind === "folder")
    return { kind: "refuse", text: `“${name}” is a folder. Choose the database file inside it, or a new file name.` };
  if (kind === "missing" && !created)
    return {
      kind: "confirm-create",
      question: `There is no file “${name}” there yet. Create a new, empty database with that name?`,
    };
  return { kind: "open" };
}
