// The documents an EAC came from, in words.

import { IMPORT_FORMATS } from "./bindings/formats";

/** The name `eacdesk formats` gives a format id ("go-pdf" → "Guarantee of Origin cancellation statement (PDF)"). */
export function sourceFormatName(id: string): string {
  return IMPORT_FORMATS.find((f) => f.id === id)?.name ?? id;
}

/** The first 12 hex digits of a SHA-256 (the whole one is in the tooltip). */
export function shortSha(sha256: string): string {
  return sha256.length > 12 ? `${sha256.slice(0, 12)}…` : sha256;
}
