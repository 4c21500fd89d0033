// Display of exact decimal TEXT coming from the backend.
//
// Quantities are strings such as "45.106820" and must never pass through a
// floating-point number for display: a double cannot hold every decimal exactly
// (and would drop trailing zeros). Grouping is done on the characters.

import type { QuantityTotal } from "./types";

/** The grouping separator: a plain space (the element holding it uses `white-space: nowrap`). */
export const GROUP_SEPARATOR = " ";

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** True when `s` is a plain decimal number such as "12", "-0.50", "1000.0", ".5". */
export function isDecimalText(s: string): boolean {
  const m = DECIMAL_RE.exec(s);
  return m !== null && (m[2].length > 0 || (m[3] ?? "").length > 0);
}

/**
 * Group the integer digits of an exact decimal string in threes.
 * "1234567.8900" -> "1 234 567.8900"; "1000.0" -> "1 000.0"; "-12" -> "-12".
 * The digits themselves (including trailing zeros) are never changed.
 * Anything that is not plain decimal text (e.g. "1e5", "", "abc") is returned unchanged.
 */
/**
 * The digit-group and decimal signs numbers are shown with: the house style
 * (a space, a point) until main.ts sets the OS locale's ([`setNumberSigns`]).
 */
let signs = { group: GROUP_SEPARATOR, decimal: "." };

/** Shows numbers with the locale's signs from now on (see lib/locale). */
export function setNumberSigns(next: { group: string; decimal: string }): void {
  signs = { ...next };
}

export function formatDecimal(s: string, sep: string = signs.group, decimalSign: string = signs.decimal): string {
  const text = s.trim();
  if (!isDecimalText(text)) return s;
  const m = DECIMAL_RE.exec(text)!;
  const sign = m[1] === "-" ? "-" : "";
  const int = m[2];
  const frac = m[3];
  let grouped = "";
  for (let i = 0; i < int.length; i++) {
    const fromEnd = int.length - i;
    grouped += int[i];
    if (fromEnd > 1 && (fromEnd - 1) % 3 === 0) grouped += sep;
  }
  return sign + grouped + (frac !== undefined ? decimalSign + frac : "");
}

/** "45.106820 MWh" (grouped). */
export function formatQuantity(q: QuantityTotal, sep: string = signs.group): string {
  return `${formatDecimal(q.total, sep)} ${q.unit}`;
}

/** Several totals in one line: "1 234.5 kWh · 30 MWh"; "—" when there are none. */
export function formatQuantities(
  list: readonly QuantityTotal[],
  joiner = " · ",
  sep: string = signs.group,
): string {
  if (list.length === 0) return "—";
  return list.map((q) => formatQuantity(q, sep)).join(joiner);
}

/** Exact, ungrouped text for attributes / copy: "1234.5 kWh;30 MWh". */
export function exactQuantities(list: readonly QuantityTotal[]): string {
  return list.map((q) => `${q.total} ${q.unit}`).join(";");
}

/** Group an integer count for display: 100000 -> "100 000". Counts are safe integers. */
export function formatCount(n: number, sep: string = signs.group): string {
  if (!Number.isSafeInteger(n)) return String(n);
  return formatDecimal(String(n), sep);
}

/** "1 EAC" / "2 EACs" style helper. */
export function plural(n: number, one: string, many: string = one + "s"): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
