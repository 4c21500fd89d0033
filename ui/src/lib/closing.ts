// What the "Close EAC Desk?" question says (docs/ipc.md, "Closing the window"),
// and the words for unsaved edits used by every question that would drop them.

import { plural } from "./decimal";

/**
 * The parts of the selected EAC that can hold edits not saved yet: the
 * beneficiary editor, the "enter the missing fields" form and the
 * emission-factor form.
 */
export type EditPart = "beneficiaries" | "fields" | "emissions";

const PART_WORDS: Record<EditPart, string> = {
  beneficiaries: "the beneficiaries",
  fields: "the missing fields",
  emissions: "the emission factors",
};

/** The parts in the order they are named, each once. */
const PART_ORDER: readonly EditPart[] = ["beneficiaries", "fields", "emissions"];

/** What holds unsaved edits, in words: "the beneficiaries and the emission factors". */
export function unsavedWhat(parts: readonly EditPart[]): string {
  const words = PART_ORDER.filter((p) => parts.includes(p)).map((p) => PART_WORDS[p]);
  if (words.length === 0) return "the edits";
  if (words.length === 1) return words[0];
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** One sentence per thing that closing now would lose or stop. */
export function closeWarnings(
  unsavedEac: string | null,
  runningOperations: number,
  parts: readonly EditPart[] = ["beneficiaries"],
): string[] {
  const out: string[] = [];
  if (unsavedEac !== null) {
    out.push(`The changes to ${unsavedWhat(parts)} of ${unsavedEac} are not saved and will be lost.`);
  }
  if (runningOperations === 1) {
    out.push("A task (an import, export, sample load or bulk edit) is still running. Closing stops it; it writes nothing.");
  } else if (runningOperations > 1) {
    out.push(`${plural(runningOperations, "task")} are still running. Closing stops them; they write nothing.`);
  }
  return out;
}
