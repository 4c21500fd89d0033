// Typed path fields (one path per line) and dropped files.

import { plural } from "./decimal";

/**
 * The path a `file://` address (copied from a browser or a file manager)
 * names: the scheme and a local host taken off, `%20` and the like decoded;
 * `C:` drives on Windows (`file:///C:/x`). Anything else is returned as is.
 */
export function fromFileUrl(text: string): string {
  const m = /^file:\/\/(localhost)?(\/.*)$/i.exec(text);
  if (!m) return text;
  let path: string;
  try {
    path = decodeURIComponent(m[2]);
  } catch {
    return text;
  }
  return /^\/[A-Za-z]:[\\/]/.test(path) ? path.slice(1) : path;
}

/**
 * Non-empty, trimmed, de-duplicated lines. Surrounding quotes (from "copy as
 * path") are removed; a `file://` address becomes its path.
 */
export function parsePaths(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let p = line.trim();
    if (p.length >= 2 && ((p.startsWith('"') && p.endsWith('"')) || (p.startsWith("'") && p.endsWith("'")))) {
      p = p.slice(1, -1).trim();
    }
    p = fromFileUrl(p);
    if (p !== "" && !out.includes(p)) out.push(p);
  }
  return out;
}

/** The typed list with newly picked paths added at the end (no repeats). */
export function addPaths(text: string, picked: readonly string[]): string {
  return parsePaths([text, ...picked].join("\n")).join("\n");
}

/** The import button: "Import", "Import 3 files", or "Importing…" while it runs. */
export function importButtonLabel(running: boolean, count: number): string {
  if (running) return "Importing…";
  return count > 1 ? `Import ${plural(count, "file")}` : "Import";
}

/**
 * The endings of files the import reads: CDS listings and EnergyTag bundles
 * (JSON), registry reports and exports (CSV, or text/TSV for a mapped CSV),
 * Ofgem XML, registry statements (PDF). The native picker offers the same
 * (src-tauri/src/dialogs.rs).
 */
const IMPORTABLE = /\.(json|csv|txt|tsv|xml|pdf)$/i;

/** Split dropped paths into files the import reads and the rest. */
export function splitImportablePaths(paths: readonly string[]): { importable: string[]; other: string[] } {
  const importable: string[] = [];
  const other: string[] = [];
  for (const p of paths) (IMPORTABLE.test(p) ? importable : other).push(p);
  return { importable, other };
}

/** The last path segment, for short display. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * A path split before its last segment, for a line that shortens it in the
 * middle: the folder part may be cut ("/home/ana/Docu…"), the file name stays
 * whole. `folder` keeps its trailing separator, so folder + file is the path.
 */
export function splitFolderFile(path: string): { folder: string; file: string } {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut < 0 || cut === path.length - 1) return { folder: "", file: path };
  return { folder: path.slice(0, cut + 1), file: path.slice(cut + 1) };
}

export function defaultExportName(stamp: string, scope: "all" | "filter"): string {
  return scope === "all" ? `eacs-${stamp}.json` : `eacs-filtered-${stamp}.json`;
}

/** Default name of a P2 bundle FOLDER (no extension): `eacs-bundle-2024-05-01`. */
export function defaultBundleName(stamp: string, scope: "all" | "filter"): string {
  return scope === "all" ? `eacs-bundle-${stamp}` : `eacs-filtered-bundle-${stamp}`;
}

/** The typed path without surrounding blanks, quotes or trailing slashes. */
function cleanPath(path: string): string {
  let p = path.trim();
  if (p.length >= 2 && ((p.startsWith('"') && p.endsWith('"')) || (p.startsWith("'") && p.endsWith("'")))) {
    p = p.slice(1, -1).trim();
  }
  return p.replace(/[\\/]+$/, "");
}

/** True when the (typed) path names a `.json` file (any case; trailing slashes ignored). */
export function endsWithJson(path: string): boolean {
  return /\.json$/i.test(cleanPath(path));
}

/** `/x/eacs.json` → `/x/eacs` (a folder name for a bundle); null when there is no `.json` to remove. */
export function withoutJson(path: string): string | null {
  const p = cleanPath(path);
  if (!/\.json$/i.test(p)) return null;
  const stem = p.slice(0, -".json".length);
  // "/x/.json" has no name left
  return stem === "" || /[\\/]$/.test(stem) ? null : stem;
}

/** `/x/eacs` → `/x/eacs.json` (a file name for P1); null when empty or already `.json`. */
export function withJson(path: string): string | null {
  const p = cleanPath(path);
  if (p === "" || /\.json$/i.test(p)) return null;
  return p + ".json";
}
