// Logic behind reference data, emission-factor entry and the P2 export
// fields: kept out of components so it is tested. Decimals stay TEXT: an
// emission factor is checked with a pattern, never through parseFloat.

import { reasonProblem } from "./reason";
import type { Choice, RefdataReport } from "./types";
import { countsInWords } from "./refdataView";
import { formatCount } from "./decimal";
import { formatDateTimeUtc } from "./dates";

/** A JSON number as exact text, 0 or more (emission factors cannot be negative). */
const FACTOR_RE = /^(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Problem with one typed emission factor, or null when it is fine (the text is sent as is). */
export function emissionFactorProblem(label: string, text: string): string | null {
  const t = text.trim();
  if (t === "") return `${label} is required.`;
  if (t.startsWith("-")) return `${label} cannot be negative; emission factors are 0 or more.`;
  if (!FACTOR_RE.test(t)) return `${label} must be a number such as 0, 0.4 or 12.5 (with a dot).`;
  return null;
}

/** Every problem of the emission-factor form; empty when it may be saved. */
export function emissionFormProblems(direct: string, lca: string, reason: string): string[] {
  const out: string[] = [];
  const d = emissionFactorProblem("The direct factor", direct);
  const l = emissionFactorProblem("The LCA factor", lca);
  if (d) out.push(d);
  if (l) out.push(l);
  if (reason.trim() === "") out.push("Give a reason; it is kept in the audit log.");
  else {
    const issue = reasonProblem(reason);
    if (issue) out.push(issue);
  }
  return out;
}

/**
 * Whether the emission-factor form holds something the user typed and did
 * not save (asked about before another EAC is shown or the window closes):
 * a factor other than the one it started from, or a reason.
 */
export function emissionFormEdited(
  start: { direct: string; lca: string },
  direct: string,
  lca: string,
  reason: string,
): boolean {
  return direct.trim() !== start.direct.trim() || lca.trim() !== start.lca.trim() || reason.trim() !== "";
}

/**
 * A problem with the P2 base URL (empty is fine: file: URIs are used), or
 * null: what the export refuses (eac_store::p2::base_url_problem), said as
 * it says it, as one types. A base URL is published as typed, only a
 * closing `/` added (decision 279): one with no host, a user name or
 * password, or one a URL parser would rewrite, is refused. The shared cases of
 * tests/fixtures/base-urls.json hold the two to one list.
 */
export function baseUrlProblem(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return "The base URL is not a URL; write it like https://example.org/eacs/.";
  }
  // Every URL of the bundle, files made to be published, would carry a
  // user name or password: refused, the password masked.
  if (u.username !== "" || u.password !== "") {
    const what = u.username === "" ? "a password" : u.password === "" ? "a user name" : "a user name and password";
    const held = u.password === "" ? `${u.username}@` : `${u.username}:***@`;
    const without = t.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, "$1");
    return `The base URL holds ${what} (${held}), which every URL in the bundle would publish. Write it without, e.g. ${without}: whoever reads the bundle signs in to the web server with their own name.`;
  }
  if (u.protocol !== "https:") return "The base URL must start with https://.";
  // `?` alone is an empty query the parser hides (`search` is ""): the
  // export refuses it all the same.
  if (/[?#]/.test(t)) return "The base URL cannot have a ?query or #fragment.";
  // The browser's URL parser encodes what a URI may not hold as written;
  // the bundle's schemas (and so the export) take the text as typed.
  const written = uriAsWrittenProblem(t);
  if (written) return written;
  // `https:host` and `https:/x` read as https://host/ to a browser.
  if (!/^https:\/\//i.test(t)) {
    return "The base URL needs // and a host after https:; write it like https://example.org/eacs/.";
  }
  // `https:///eacs/` would read `eacs` as the host.
  if (t.slice("https://".length).startsWith("/")) {
    return "The base URL has no host: nothing stands between https:// and the next /. Write the host after https:// (e.g. https://example.org/eacs/).";
  }
  if (!u.pathname.endsWith("/")) u.pathname = `${u.pathname}/`;
  const typed = t.endsWith("/") ? t : `${t}/`;
  if (u.href !== typed) {
    return `The base URL would be published as ${u.href}: a URL parser reads it so (dot segments such as .. or %2e%2e removed, the host and scheme in lower case, the default port :443 left out). Write the base URL as it should be published, e.g. ${u.href}`;
  }
  return null;
}

/**
 * What keeps `text` (an absolute URL the browser parses) from being a URI
 * as written (RFC 3986), the check the export makes: white space,
 * characters outside ASCII, square brackets (but around an IPv6 host),
 * pipe, caret, braces, angle brackets, backslash, double quote, backtick,
 * and a `%` without two hex digits.
 */
function uriAsWrittenProblem(text: string): string | null {
  if (/\s/.test(text)) return "The base URL holds a space; write it as %20.";
  if (/[^\x00-\x7f]/.test(text)) {
    return "The base URL holds characters outside ASCII; percent-encode them (é as %C3%A9).";
  }
  const host = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@]*@)?\[[0-9A-Fa-f:.]+\]/.exec(text);
  const rest = host ? text.slice(host[0].length) : text;
  const bad = /[[\]|^{}<>\\"`]/.exec(rest);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase();
    return `The base URL holds “${bad[0]}”, which a URL must percent-encode; write it as %${code}.`;
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return "The base URL has a % not followed by two hex digits; write % as %25.";
  return null;
}

/** The warning under the beneficiary editor for ids the reference data does not know. */
export function unknownIdsWarning(unknown: string[]): string | null {
  if (unknown.length === 0) return null;
  const list = unknown.map((id) => `“${id}”`).join(", ");
  return unknown.length === 1
    ? `${list} is not in the imported reference data for this type. You can still save it; check the id.`
    : `${list} are not in the imported reference data for this type. You can still save them; check the ids.`;
}

/** "ID · label" for the autocomplete list (just the id when the label adds nothing). */
export function choiceText(c: Choice): string {
  return c.label === "" || c.label === c.value ? c.value : `${c.value} · ${c.label}`;
}

/** One line per imported file: "accounts.json: 1 customer, 2 accounts". */
export function refdataSummary(reports: RefdataReport[]): string[] {
  return reports.map((r) => {
    const name = r.file.split(/[\\/]/).pop() ?? r.file;
    const counts = countsInWords(r.counts);
    const changed = `${formatCount(r.labels_changed)} ${r.labels_changed === 1 ? "label" : "labels"} changed`;
    const notes = (r.notes ?? []).map((n) => `; note: ${n}`).join("");
    return `${name}: ${counts === "" ? "no ids" : counts} (${formatCount(r.added)} added, ${changed})${notes}`;
  });
}

/** "Last checked against source": the UTC date and time, or "never" when the EAC was never checked. */
export function syncedText(cds_synced: string | null): string {
  return cds_synced === null || cds_synced.trim() === "" ? "never" : formatDateTimeUtc(cds_synced);
}

/** The short confirmation after "Mark verified now" (`count` = EACs the backend marked). */
export function verifiedMessage(count: number): string {
  return count > 0
    ? "Marked as verified now. P2 exports will carry this date."
    : "Nothing was marked: the EAC was not found. Refresh the list and try again.";
}
