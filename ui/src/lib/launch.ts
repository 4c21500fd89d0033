// Files the app was started with ("Open with EAC Desk" on a CDS listing,
// or `eac-desk FILE` from a terminal): offered in the Import dialog, never
// imported unasked (issue 14).
import { baseName, splitImportablePaths } from "./paths";

export type LaunchOffer =
  | { kind: "import"; paths: string[]; note: string }
  | { kind: "say"; text: string }
  | { kind: "none" };

export function launchOffer(paths: readonly string[]): LaunchOffer {
  if (paths.length === 0) return { kind: "none" };
  const { importable, other } = splitImportablePaths(paths);
  const skipped =
    other.length > 0 ? ` Not a kind of file EAC Desk reads, left out: ${other.map(baseName).join(", ")}.` : "";
  if (importable.length === 0) {
    return { kind: "say", text: `EAC Desk was opened with a file it cannot import.${skipped}` };
  }
  const what = importable.length === 1 ? "this file" : `these ${importable.length} files`;
  return {
    kind: "import",
    paths: importable,
    note: `EAC Desk was opened with ${what}. Nothing is imported yet: “Check first” shows what it holds.${skipped}`,
  };
}
