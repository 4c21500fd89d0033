// What the "Close EAC Desk?" question says (docs/ipc.md, "Closing the window").

import { plural } from "./decimal";

/** One sentence per thing that closing now would lose or stop. */
export function closeWarnings(unsavedEac: string | null, runningOperations: number): string[] {
  const out: string[] = [];
  if (unsavedEac !== null) {
    out.push(`The beneficiary changes to ${unsavedEac} are not saved and will be lost.`);
  }
  if (runningOperations === 1) {
    out.push("A task (an import, export, sample load or bulk edit) is still running. Closing stops it; it writes nothing.");
  } else if (runningOperations > 1) {
    out.push(`${plural(runningOperations, "task")} are still running. Closing stops them; they write nothing.`);
  }
  return out;
}
