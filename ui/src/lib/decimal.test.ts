import { describe, expect, it } from "vitest";
import {
  exactQuantities,
  formatCount,
  formatDecimal,
  formatQuantities,
  formatQuantity,
  isDecimalText,
  plural,
} from "./decimal";

describe("formatDecimal", () => {
  it("groups integer digits in threes with a space", () => {
    expect(formatDecimal("1234.5")).toBe("1 234.5");
    expect(formatDecimal("1234567")).toBe("1 234 567");
    expect(formatDecimal("12345678.000001")).toBe("12 345 678.000001");
    expect(formatDecimal("100000")).toBe("100 000");
  });

  it("leaves numbers below 1000 alone", () => {
    expect(formatDecimal("0")).toBe("0");
    expect(formatDecimal("999")).toBe("999");
    expect(formatDecimal("45.106820")).toBe("45.106820");
  });

  it("never changes the digits: trailing zeros and fraction are kept", () => {
    expect(formatDecimal("1000.0")).toBe("1 000.0");
    expect(formatDecimal("1000.0").replace(/ /g, "")).toBe("1000.0");
    expect(formatDecimal("0.10000000000000000001")).toBe("0.10000000000000000001");
    // a value a double would round:
    expect(formatDecimal("9007199254740993.5")).toBe("9 007 199 254 740 993.5");
    expect(formatDecimal("1234.")).toBe("1 234.");
  });

  it("does not group the fraction", () => {
    expect(formatDecimal("1.234567")).toBe("1.234567");
  });

  it("keeps a minus sign and drops a redundant plus", () => {
    expect(formatDecimal("-1234.50")).toBe("-1 234.50");
    expect(formatDecimal("+1234")).toBe("1 234");
    expect(formatDecimal("-12")).toBe("-12");
  });

  it("accepts a custom separator", () => {
    expect(formatDecimal("1234567.25", "\u202f")).toBe("1\u202f234\u202f567.25");
  });

  it("returns non-decimal text unchanged", () => {
    expect(formatDecimal("")).toBe("");
    expect(formatDecimal("1e5")).toBe("1e5");
    expect(formatDecimal("abc")).toBe("abc");
    expect(formatDecimal("1,234")).toBe("1,234");
    expect(formatDecimal("-")).toBe("-");
    expect(formatDecimal(".")).toBe(".");
  });

  it("handles a leading-dot fraction", () => {
    expect(formatDecimal(".5")).toBe(".5");
    expect(isDecimalText(".5")).toBe(true);
    expect(isDecimalText("1.2.3")).toBe(false);
  });
});

describe("quantities", () => {
  it("formats one quantity with its unit", () => {
    expect(formatQuantity({ unit: "MWh", total: "45.106820" })).toBe("45.106820 MWh");
    expect(formatQuantity({ unit: "kWh", total: "1234.5" })).toBe("1 234.5 kWh");
  });

  it("joins several totals for the footer", () => {
    expect(
      formatQuantities([
        { unit: "kWh", total: "1234.5" },
        { unit: "MWh", total: "30" },
      ]),
    ).toBe("1 234.5 kWh · 30 MWh");
    expect(formatQuantities([])).toBe("—");
  });

  it("gives an exact ungrouped form", () => {
    expect(
      exactQuantities([
        { unit: "kWh", total: "1234.5" },
        { unit: "MWh", total: "30.000" },
      ]),
    ).toBe("1234.5 kWh;30.000 MWh");
  });
});

describe("counts", () => {
  it("groups counts", () => {
    expect(formatCount(100000)).toBe("100 000");
    expect(formatCount(7)).toBe("7");
  });
  it("pluralises", () => {
    expect(plural(1, "EAC")).toBe("1 EAC");
    expect(plural(1234, "EAC")).toBe("1 234 EACs");
    expect(plural(0, "file")).toBe("0 files");
  });
});

describe("the locale's number signs", () => {
  it("are used once set, every digit kept", async () => {
    const { setNumberSigns, formatDecimal, formatCount, GROUP_SEPARATOR } = await import("./decimal");
    try {
      setNumberSigns({ group: ".", decimal: "," });
      expect(formatDecimal("1234567.250")).toBe("1.234.567,250");
      expect(formatCount(12345)).toBe("12.345");
    } finally {
      setNumberSigns({ group: GROUP_SEPARATOR, decimal: "." });
    }
    expect(formatDecimal("1234567.250")).toBe("1 234 567.250");
  });
});
