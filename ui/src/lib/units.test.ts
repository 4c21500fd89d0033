import { describe, expect, it } from "vitest";
import type { QuantityTotal } from "./types";
import {
  add,
  convert,
  displayDecimals,
  displayText,
  displayTotal,
  exactText,
  exactTotal,
  parseDec,
  totalIn,
  type Dec,
} from "./units";

const dec = (t: string): Dec => parseDec(t)!;
const q = (total: string, unit: QuantityTotal["unit"]): QuantityTotal => ({ total, unit });

/** A small deterministic generator (no Math.random: failures reproduce). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** Compare two Decs as numbers, exactly. */
function cmp(a: Dec, b: Dec): number {
  const d = add(a, { digits: -b.digits, scale: b.scale }).digits;
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}

describe("exact unit conversion", () => {
  it("shifts the decimal point and never rounds", () => {
    expect(exactText(convert(dec("1000.0"), "kWh", "MWh"), 3)).toBe("1.000");
    expect(exactText(convert(dec("1"), "Wh", "MWh"), 3)).toBe("0.000001");
    expect(exactText(convert(dec("45.106820"), "MWh", "kWh"), 3)).toBe("45106.820");
    expect(exactText(convert(dec("2.5"), "MWh", "Wh"), 0)).toBe("2500000");
    expect(exactText(dec("279.111000"), 3)).toBe("279.111");
    expect(exactText(dec("-0.5"), 3)).toBe("-0.500");
  });

  it("adds totals of several units into one exactly", () => {
    const list = [q("30", "MWh"), q("1234.5", "kWh"), q("999", "Wh")];
    expect(exactText(totalIn(list, "MWh")!, 3)).toBe("31.235499");
    expect(exactText(totalIn(list, "kWh")!, 3)).toBe("31235.499");
    expect(exactText(totalIn(list, "Wh")!, 0)).toBe("31235499");
    expect(totalIn([q("1e5", "Wh")], "MWh")).toBeNull();
  });

  it("rounds for display half away from zero to the unit's decimals", () => {
    expect(displayDecimals("MWh")).toBe(3);
    expect(displayDecimals("kWh")).toBe(3);
    expect(displayDecimals("Wh")).toBe(0);
    expect(displayText(dec("99.1105"), 3)).toBe("99.111");
    expect(displayText(dec("99.1104999"), 3)).toBe("99.110");
    expect(displayText(dec("-99.1105"), 3)).toBe("-99.111");
    expect(displayText(dec("-0.0004"), 3)).toBe("0.000");
    expect(displayText(dec("30"), 3)).toBe("30.000");
    expect(displayText(dec("0.5"), 0)).toBe("1");
    expect(displayTotal([q("1", "Wh")], "MWh")).toBe("0.000");
    expect(exactTotal([q("1", "Wh")], "MWh")).toBe("0.000001");
    expect(displayTotal([], "MWh")).toBe("—");
  });

  it("round-trips through every unit and sums commute with conversion (property)", () => {
    const next = rng(13);
    const units = ["Wh", "kWh", "MWh"] as const;
    for (let i = 0; i < 2000; i++) {
      const digits = BigInt(next()) * BigInt(next() % 1000) - BigInt(next());
      const v: Dec = { digits, scale: next() % 9 };
      const from = units[next() % 3];
      const to = units[next() % 3];
      // There and back is the same number.
      expect(cmp(convert(convert(v, from, to), to, from), v)).toBe(0);
      // The exact text reads back as the same number.
      const text = exactText(convert(v, from, to), displayDecimals(to));
      expect(cmp(dec(text), convert(v, from, to))).toBe(0);
      // Converting each part then adding equals adding in Wh then converting.
      const w: Dec = { digits: BigInt(next()), scale: next() % 7 };
      const u2 = units[next() % 3];
      const viaParts = add(convert(v, from, to), convert(w, u2, to));
      const viaWh = convert(add(convert(v, from, "Wh"), convert(w, u2, "Wh")), "Wh", to);
      expect(cmp(viaParts, viaWh)).toBe(0);
    }
  });

  it("display text is within half a unit of its last place and exact when it fits (property)", () => {
    const next = rng(7);
    for (let i = 0; i < 2000; i++) {
      const v: Dec = { digits: BigInt(next()) - BigInt(next()), scale: next() % 10 };
      const decimals = [0, 3][next() % 2];
      const shown = dec(displayText(v, decimals));
      expect(displayText(v, decimals).split(".")[1]?.length ?? 0).toBe(decimals);
      // |shown − v| × 2 ≤ 10^-decimals
      const diff = add(shown, { digits: -v.digits, scale: v.scale });
      const abs = { digits: diff.digits < 0n ? -diff.digits : diff.digits, scale: diff.scale };
      expect(cmp({ digits: abs.digits * 2n, scale: abs.scale }, { digits: 1n, scale: decimals })).toBeLessThanOrEqual(0);
      if (v.scale <= decimals) expect(cmp(shown, v)).toBe(0);
      // Rounding is symmetric: −v shows as −(v shown) (except at zero).
      const neg = displayText({ digits: -v.digits, scale: v.scale }, decimals);
      const pos = displayText(v, decimals);
      if (dec(pos).digits !== 0n) expect(neg).toBe(pos.startsWith("-") ? pos.slice(1) : "-" + pos);
    }
  });
});
