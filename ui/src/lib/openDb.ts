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

/** The settings libpq knows (`eac_store::server::is_settings` reads the same). */
const LIBPQ_SETTINGS = new Set([
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "password",
  "passfile",
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "application_name",
  "connect_timeout",
  "options",
]);

/**
 * Whether `text` is libpq settings (`host=… user=… dbname=…`): every word a
 * setting libpq knows with its value (quoted `'…'` or up to the next space),
 * so a file named `q1=final.sqlite` is not.
 */
function isServerSettings(text: string): boolean {
  const word = /\s*([^\s=]+)\s*=\s*('(?:[^'\\]|\\.)*'?|(?:[^\s\\]|\\.|\\$)*)/y;
  let words = 0;
  let at = 0;
  const rest = text.trimEnd();
  while (at < rest.length) {
    word.lastIndex = at;
    const found = word.exec(rest);
    if (!found || !LIBPQ_SETTINGS.has(found[1])) return false;
    at = word.lastIndex;
    words += 1;
  }
  return words > 0;
}

/**
 * Whether `text` names a database on a PostgreSQL server rather than a file
 * (team mode): a `postgres://` address or libpq settings, as `--db` takes them.
 */
export function isServerAddress(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text.trim()) || isServerSettings(text);
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
