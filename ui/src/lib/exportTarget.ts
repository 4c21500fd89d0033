// Where an export goes: a proposed path (the last export folder, else the
// database's folder, with a dated name), the folder to remember after it
// was written, and the question asked before replacing what is there.

import type { PathKind } from "./types";
import { baseName } from "./paths";

/** The folder part of a path ("/a/b/c.json" → "/a/b"), or null for a bare name. */
export function folderOf(path: string): string | null {
  const p = path.trim().replace(/[\\/]+$/, "");
  const i = Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"));
  if (i < 0) return null;
  if (i === 0) return p[0];
  // "C:\" keeps its separator
  if (/^[A-Za-z]:$/.test(p.slice(0, i))) return p.slice(0, i + 1);
  return p.slice(0, i);
}

/** `name` in `folder`, with the folder's own separator; the bare name without a folder. */
export function joinPath(folder: string | null, name: string): string {
  if (!folder) return name;
  const sep = folder.includes("\\") && !folder.includes("/") ? "\\" : "/";
  return folder.endsWith(sep) ? folder + name : folder + sep + name;
}

/** The folder an export starts in: the last one written to, else the database's. */
export function startFolder(lastExportFolder: string | null | undefined, dbPath: string | null | undefined): string | null {
  if (lastExportFolder && lastExportFolder.trim()) return lastExportFolder.trim();
  return dbPath ? folderOf(dbPath) : null;
}

/** The question before writing over something, or null when nothing is there. */
export function replaceQuestion(kind: PathKind, path: string): string | null {
  const name = baseName(path.trim());
  switch (kind) {
    case "missing":
      return null;
    case "file":
      return `A file named “${name}” already exists there. Replace it with this export?`;
    case "folder":
      return `A folder named “${name}” already exists there. Replace what EAC Desk wrote in it with this bundle?`;
    default:
      return `Something named “${name}” is already there and may not be replaceable. Try anyway?`;
  }
}

/** A path without trailing separators, for comparing folders. */
function bare(path: string): string {
  const p = path.trim();
  return p.length > 1 ? p.replace(/[\\/]+$/, "") : p;
}

/**
 * What makes writing to `path` impossible, said at once (no "Replace?"
 * question that could only end in a refusal), or null: a single-file
 * export named an existing folder, or a bundle named the folder holding
 * the open database (`dbPath`).
 */
export function refuseAtOnce(kind: PathKind, path: string, bundle: boolean, dbPath: string | null | undefined): string | null {
  if (kind !== "folder") return null;
  const target = bare(path);
  if (!bundle)
    return `${target} is a folder, not a file: nothing was written. Name a file in it (for example ${joinPath(target, "eacs.json")}), or choose another file name.`;
  const dbFolder = dbPath ? folderOf(dbPath) : null;
  if (dbFolder !== null && bare(dbFolder) === target)
    return `${target} holds the database EAC Desk is using (${dbPath}); a bundle there would replace it, so nothing was written. Choose another folder, or a new folder name inside it.`;
  return null;
}
