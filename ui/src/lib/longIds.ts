// Long certificate numbers (30-digit GO numbers, registry ranges) shown
// whole: split into pieces after which a line may break (rendered with
// <wbr>, so copying the text gives the number unchanged), or, where one
// line is all there is, cut before a tail that always stays visible.

/** Digit runs longer than this break every GROUP digits. */
const LONG_DIGITS = 10;
const GROUP = 5;

/** The number as pieces a line may break between: after - / _ . and every 5 digits of long digit runs. */
export function breakPieces(text: string): string[] {
  const pieces: string[] = [];
  for (const part of text.split(/(?<=[-/_.:])/)) {
    const runs = part.split(/(\d+)/).filter((r) => r !== "");
    let current = "";
    for (const run of runs) {
      if (/^\d+$/.test(run) && run.length > LONG_DIGITS) {
        for (let i = 0; i < run.length; i += GROUP) {
          current += run.slice(i, i + GROUP);
          if (i + GROUP < run.length) {
            pieces.push(current);
            current = "";
          }
        }
      } else current += run;
    }
    if (current !== "") pieces.push(current);
  }
  return pieces.length > 0 ? pieces : [text];
}

/** Characters of a long number that always stay visible in a one-line cell (its end). */
export const ID_TAIL = 8;

/** A one-line cell's number as head + tail: the head is cut (…) when the cell is narrow, the tail never. Short numbers are all head. */
export function idHead(text: string): string {
  return text.length > 2 * ID_TAIL ? text.slice(0, text.length - ID_TAIL) : text;
}

export function idTail(text: string): string {
  return text.length > 2 * ID_TAIL ? text.slice(text.length - ID_TAIL) : "";
}
