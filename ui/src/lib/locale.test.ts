import { describe, expect, it } from "vitest";
import { formatAuditTime, formatCount, formatDecimalText, numberSigns } from "./locale";

describe("locale numbers", () => {
  it("takes the signs of the locale", () => {
    expect(numberSigns("en-US")).toEqual({ group: ",", decimal: "." });
    expect(numberSigns("de-DE")).toEqual({ group: ".", decimal: "," });
  });

  it("keeps every digit of exact decimal text", () => {
    expect(formatDecimalText("1234567.250", "en-US")).toBe("1,234,567.250");
    expect(formatDecimalText("-1234567.250", "de-DE")).toBe("-1.234.567,250");
    expect(formatDecimalText("123", "en-US")).toBe("123");
    expect(formatDecimalText("1000", "en-US")).toBe("1,000");
    expect(formatDecimalText("0.000000000000000000001", "de-DE")).toBe("0,000000000000000000001");
    // more digits than a double holds
    expect(formatDecimalText("123456789012345678901234567890.5", "en-US")).toBe(
      "123,456,789,012,345,678,901,234,567,890.5",
    );
  });

  it("leaves other text alone", () => {
    expect(formatDecimalText("—", "en-US")).toBe("—");
    expect(formatDecimalText("1e5", "en-US")).toBe("1e5");
    expect(formatDecimalText("", "en-US")).toBe("");
  });

  it("formats counts", () => {
    expect(formatCount(1234, "en-US")).toBe("1,234");
    expect(formatCount(12, "de-DE")).toBe("12");
  });
});

describe("audit times", () => {
  it("are to the second with the time zone", () => {
    const t = formatAuditTime("2026-01-15T10:05:07.123456789Z", "en-GB", "Europe/Berlin");
    expect(t).toContain("15/01/2026");
    expect(t).toContain("11:05:07");
    expect(t).toMatch(/CET|GMT\+1/);
    expect(formatAuditTime("2026-07-15T10:05:07Z", "en-US", "UTC")).toMatch(/10:05:07 AM UTC/);
  });

  it("are ISO 8601 until a locale is known", () => {
    expect(formatAuditTime("2026-07-15T10:05:07Z", undefined, "UTC")).toBe("2026-07-15 10:05:07 UTC");
  });

  it("keeps unreadable text", () => {
    expect(formatAuditTime("yesterday", "en-US")).toBe("yesterday");
    expect(formatAuditTime(null, "en-US")).toBe("—");
  });
});
