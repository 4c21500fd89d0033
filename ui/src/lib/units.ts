// Energy quantities in one display unit, exactly (issue 13, decision 127).
//
// Mirrors `eac_model::units`: conversion between Wh, kWh and MWh is a shift
// of the decimal point on the digits (a BigInt and a scale), never a float;
// sums are exact; `exactText` keeps every digit (at least the unit's display
// decimals), `displayText` rounds half away from zero to exactly them.

import type { EnergyUnit, QuantityTotal } from "./types";

/** The display units offered, MWh first (the default). */
export const DISPLAY_UNITS: readonly EnergyUnit[] = ["MWh", "kWh", "Wh"];
export const DEFAULT_UNIT: EnergyUnit = "MWh";

const EXPONENT: Record<EnergyUnit, number> = { Wh: 0, kWh: 3, MWh: 6 };

/** Decimals a quantity in `unit` is shown with: 3 for MWh and kWh, 0 for Wh. */
export function displayDecimals(unit: EnergyUnit): number {
  return unit === "Wh" ? 0 : 3;
}

/** An exact decimal: `digits × 10^-scale` (scale may be negative). */
export interface Dec {
  readonly digits: bigint;
  readonly scale: number;
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Plain decimal text ("45.106820", "-3", ".5") as a Dec; null when it is not one. */
export function parseDec(text: string): Dec | null {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m || (m[2].length === 0 && (m[3] ?? "").length === 0)) return null;
  const frac = m[3] ?? "";
  const digits = BigInt((m[2] || "0") + frac);
  return { digits: m[1] === "-" ? -digits : digits, scale: frac.length };
}

/** `value` in `from` units, exactly, in `to` units. */
export function convert(value: Dec, from: EnergyUnit, to: EnergyUnit): Dec {
  return { digits: value.digits, scale: value.scale - EXPONENT[from] + EXPONENT[to] };
}

function withScale(d: Dec, scale: number): bigint {
  // only ever raises the scale: exact
  return d.digits * 10n ** BigInt(scale - d.scale);
}

/** Exact sum. */
export function add(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { digits: withScale(a, scale) + withScale(b, scale), scale };
}

/** The exact sum of per-unit totals in `to` units; null when a total is not decimal text. */
export function totalIn(list: readonly QuantityTotal[], to: EnergyUnit): Dec | null {
  let sum: Dec = { digits: 0n, scale: 0 };
  for (const q of list) {
    const v = parseDec(q.total);
    if (v === null) return null;
    sum = add(sum, convert(v, q.unit, to));
  }
  return sum;
}

/** Plain text of `digits × 10^-scale` with scale ≥ 0. */
function plain(digits: bigint, scale: number): string {
  const neg = digits < 0n;
  const abs = (neg ? -digits : digits).toString().padStart(scale + 1, "0");
  const int = abs.slice(0, abs.length - scale);
  const frac = abs.slice(abs.length - scale);
  return (neg ? "-" : "") + int + (scale > 0 ? "." + frac : "");
}

/** Drop trailing zeros of the digits (the same number, smallest scale). */
function normalized(d: Dec): Dec {
  let { digits, scale } = d;
  if (digits === 0n) return { digits, scale: 0 };
  while (digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return { digits, scale };
}

/** Exactly, with at least `decimals` places and no trailing zeros beyond them: "30.000", "0.000001". */
export function exactText(d: Dec, decimals: number): string {
  const n = normalized(d);
  const scale = Math.max(n.scale, decimals);
  return plain(withScale(n, scale), scale);
}

/** Rounded half away from zero to exactly `decimals` places: "99.111", "0.000". */
export function displayText(d: Dec, decimals: number): string {
  if (d.scale <= decimals) return plain(withScale(d, decimals), decimals);
  const div = 10n ** BigInt(d.scale - decimals);
  const neg = d.digits < 0n;
  const abs = neg ? -d.digits : d.digits;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return plain(neg && q !== 0n ? -q : q, decimals);
}

/** A row's or footer's quantities as one rounded number in `unit` ("1 234.567" before grouping); "—" when none. */
export function displayTotal(list: readonly QuantityTotal[], unit: EnergyUnit): string {
  if (list.length === 0) return "—";
  const d = totalIn(list, unit);
  return d === null ? list.map((q) => `${q.total} ${q.unit}`).join(", ") : displayText(d, displayDecimals(unit));
}

/** The same, exact (never rounded); "" when none. */
export function exactTotal(list: readonly QuantityTotal[], unit: EnergyUnit): string {
  if (list.length === 0) return "";
  const d = totalIn(list, unit);
  return d === null ? "" : exactText(d, displayDecimals(unit));
}
