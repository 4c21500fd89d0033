import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  formatDate,
  formatDateTimeUtc,
  formatLocalDateTime,
  formatPeriod,
  formatPeriodShort,
  isIsoDay,
  periodCellLines,
  todayStamp,
  toUnixSeconds,
} from "./dates";

describe("formatDate", () => {
  it("gives the UTC day of a timestamp", () => {
    expect(formatDate("2024-03-01T00:00:00Z")).toBe("2024-03-01");
    expect(formatDate("2024-03-01T23:30:00-02:00")).toBe("2024-03-02");
  });
  it("keeps a plain day and dashes empties", () => {
    expect(formatDate("2024-05-07")).toBe("2024-05-07");
    expect(formatDate(null)).toBe("—");
    expect(formatDate("not a date")).toBe("not a date");
  });
});

describe("formatDateTimeUtc", () => {
  it("shows minutes, and seconds only when set", () => {
    expect(formatDateTimeUtc("2024-03-01T14:30:00Z")).toBe("2024-03-01 14:30 UTC");
    expect(formatDateTimeUtc("2024-03-01T14:30:15Z")).toBe("2024-03-01 14:30:15 UTC");
  });
});

// One rule for the CLI and the app (DECISION-A, decision 297's words): an exclusive end is never
// written as a day the period does not include.
describe("formatPeriod", () => {
  it("names whole days by their first and last day, both included", () => {
    expect(formatPeriod("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")).toBe("2024-01-01 – 2024-01-31");
    expect(formatPeriod("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")).toBe("2024-01-01");
    expect(formatPeriod("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z")).toBe("2024-01-01 – 2024-12-31");
  });
  it("names other spans by their instants in UTC and says the end is excluded", () => {
    expect(formatPeriod("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")).toBe(
      "2024-01-01 10:00 until 11:00 UTC (end excluded)",
    );
    expect(formatPeriod("2024-01-01T10:00:00Z", "2024-01-03T06:00:00Z")).toBe(
      "2024-01-01 10:00 until 2024-01-03 06:00 UTC (end excluded)",
    );
    // A quarter hour ending at midnight: the end with its time, not the bare next day.
    expect(formatPeriod("2024-06-30T23:45:00Z", "2024-07-01T00:00:00Z")).toBe(
      "2024-06-30 23:45 until 2024-07-01 00:00 UTC (end excluded)",
    );
    expect(formatPeriod("2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z")).toBe(
      "2024-03-31 00:00 until 01:00 UTC (end excluded)",
    );
  });
  it("normalises offsets to UTC", () => {
    expect(formatPeriod("2024-01-01T01:00:00+01:00", "2024-01-02T01:00:00+01:00")).toBe("2024-01-01");
  });
  it("copes with missing ends", () => {
    expect(formatPeriod(null, null)).toBe("—");
    expect(formatPeriod("2024-01-01T10:00:00Z", null)).toBe("2024-01-01 10:00 UTC – …");
  });
});

describe("formatPeriodShort", () => {
  it("names whole days by their last day included, dropping a repeated year", () => {
    expect(formatPeriodShort("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z")).toBe("2024-07-01 – 07-31");
    expect(formatPeriodShort("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z")).toBe("2024-12-01 – 12-31");
    expect(formatPeriodShort("2024-12-15T00:00:00Z", "2025-01-15T00:00:00Z")).toBe("2024-12-15 – 2025-01-14");
    expect(formatPeriodShort("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")).toBe("2024-01-01");
  });
  it("keeps times, a midnight end with its time, and drops the UTC suffix", () => {
    expect(formatPeriodShort("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")).toBe("2024-01-01 10:00–11:00");
    expect(formatPeriodShort("2024-01-01T10:00:00Z", "2024-01-03T06:00:00Z")).toBe(
      "2024-01-01 10:00 – 2024-01-03 06:00",
    );
    expect(formatPeriodShort("2024-06-30T23:45:00Z", "2024-07-01T00:00:00Z")).toBe(
      "2024-06-30 23:45 – 2024-07-01 00:00",
    );
  });
});

describe("periodCellLines", () => {
  it("keeps whole days of one year on one line and puts a longer range's end on a second", () => {
    expect(periodCellLines("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z")).toEqual(["2024-07-01 – 07-31"]);
    expect(periodCellLines("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")).toEqual(["2024-01-01 10:00–11:00"]);
    expect(periodCellLines("2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z")).toEqual(["2025-12-01 – 12-31"]);
    expect(periodCellLines("2025-12-15T00:00:00Z", "2026-01-15T00:00:00Z")).toEqual(["2025-12-15 –", "2026-01-14"]);
    expect(periodCellLines("2023-03-01T00:00:00Z", "2023-03-02T06:00:00Z")).toEqual(["2023-03-01 00:00 –", "2023-03-02 06:00"]);
  });
});

describe("formatLocalDateTime", () => {
  beforeAll(() => {
    vi.stubEnv("TZ", "Europe/Berlin");
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  it("converts to local time", () => {
    // Berlin is UTC+1 in January and UTC+2 in July
    expect(formatLocalDateTime("2024-01-15T10:05:00Z")).toBe("2024-01-15 11:05");
    expect(formatLocalDateTime("2024-07-15T23:30:00Z")).toBe("2024-07-16 01:30");
  });
  it("passes through unparsable text", () => {
    expect(formatLocalDateTime("yesterday")).toBe("yesterday");
    expect(formatLocalDateTime(null)).toBe("—");
  });
});

describe("helpers", () => {
  it("validates calendar days", () => {
    expect(isIsoDay("2024-02-29")).toBe(true);
    expect(isIsoDay("2023-02-29")).toBe(false);
    expect(isIsoDay("2024-2-1")).toBe(false);
  });
  it("converts to unix seconds", () => {
    expect(toUnixSeconds("1970-01-01T00:01:00Z")).toBe(60);
    expect(toUnixSeconds(null)).toBeNull();
  });
  it("stamps today", () => {
    expect(todayStamp(new Date(2024, 0, 5, 12))).toBe("2024-01-05");
  });
});
