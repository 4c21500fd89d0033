// The reason of an audited change, checked as the store checks it
// (eac_store::check_reason): not blank, one line, no control characters and
// no invisible marks that reorder text. The store has the last word; this
// only lets the form say so before anything is sent.

const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

/** Why `reason` cannot be used, in plain words with what to do, or null. */
export function reasonProblem(reason: string): string | null {
  const text = reason.trim();
  if (text === "") return "Write a reason for the change; it is kept in History with your user name.";
  const m = FORBIDDEN.exec(text);
  if (m) {
    const what = m[0] === "\n" || m[0] === "\r" ? "a line break" : m[0] === "\t" ? "a tab" : "an invisible control character";
    return `The reason contains ${what}; write it on one line.`;
  }
  return null;
}
