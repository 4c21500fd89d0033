// Typed path fields (one path per line) and dropped files.

/** Non-empty, trimmed, de-duplicated lines. Surrounding quotes (from "copy as path") are removed. */
export function parsePaths(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let p = line.trim();
    if (p.length >= 2 && ((p.startsWith('"') && p.endsWith('"')) || (p.startsWith("'") && p.endsWith("'")))) {
      p = p.slice(1, -1).trim();
    }
    if (p !== "" && !out.includes(p)) out.push(p);
  }
  return out;
}

/** Split dropped paths into importable `.json` files and the rest. */
export function splitJsonPaths(paths: readonly string[]): { json: string[]; other: string[] } {
  const json: string[] = [];
  const other: string[] = [];
  for (const p of paths) (/\.json$/i.test(p) ? json : other).push(p);
  return { json, other };
}

/** The last path segment, for short display. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export function defaultExportName(stamp: string, scope: "all" | "filter"): string {
  return scope === "all" ? `eacs-${stamp}.json` : `eacs-filtered-${stamp}.json`;
}
