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

describe("formatPeriod", () => {
  it("shows only days when both ends are at midnight", () => {
    expect(formatPeriod("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")).toBe(
      "2024-01-01 – 2024-02-01",
    );
  });
  it("shows one day with a time range when start and end share a day", () => {
    expect(formatPeriod("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")).toBe(
      "2024-01-01 10:00–11:00 UTC",
    );
  });
  it("shows both days and times otherwise", () => {
    expect(formatPeriod("2024-01-01T10:00:00Z", "2024-01-03T06:00:00Z")).toBe(
      "2024-01-01 10:00 – 2024-01-03 06:00 UTC",
    );
  });
  it("normalises offsets to UTC", () => {
    expect(formatPeriod("2024-01-01T01:00:00+01:00", "2024-01-02T01:00:00+01:00")).toBe(
      "2024-01-01 – 2024-01-02",
    );
  });
  it("copes with missing ends", () => {
    expect(formatPeriod(null, null)).toBe("—");
    expect(formatPeriod("2024-01-01T10:00:00Z", null)).toBe("2024-01-01 10:00 UTC – …");
  });
});

describe("formatPeriodShort", () => {
  it("drops the repeated year for whole days", () => {
    expect(formatPeriodShort("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z")).toBe("2024-07-01 – 08-01");
  });
  it("keeps both years when they differ", () => {
    expect(formatPeriodShort("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z")).toBe("2024-12-01 – 2025-01-01");
  });
  it("keeps times but drops the UTC suffix", () => {
    expect(formatPeriodShort("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")).toBe("2024-01-01 10:00–11:00");
    expect(formatPeriodShort("2024-01-01T10:00:00Z", "2024-01-03T06:00:00Z")).toBe(
      "2024-01-01 10:00 – 2024-01-03 06:00",
    );
  });
});

describe("periodCellLines", () => {
  it("keeps whole days of one year on one line and puts a longer range's end on a second", () => {
    expect(periodCellLines("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z")).toEqual(["2024-07-01 – 08-01"]);
    expect(periodCellLines("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")).toEqual(["2024-01-01 10:00–11:00"]);
    expect(periodCellLines("2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z")).toEqual(["2025-12-01 –", "2026-01-01"]);
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
