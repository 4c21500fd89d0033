import { describe, expect, it } from "vitest";
import { markOnce, timeStartCall } from "./marks";

describe("markOnce", () => {
  it("records the first moment only", () => {
    const marks: string[] = [];
    const perf = {
      mark: (name: string) => {
        marks.push(name);
        return {} as PerformanceMark;
      },
      getEntriesByName: (name: string) => marks.filter((m) => m === name).map(() => ({}) as PerformanceEntry),
    };
    markOnce("eacdesk:first-rows", perf);
    markOnce("eacdesk:first-rows", perf);
    markOnce("eacdesk:first-count", perf);
    expect(marks).toEqual(["eacdesk:first-rows", "eacdesk:first-count"]);
  });
});

describe("timeStartCall", () => {
  it("times calls until the first rows are shown, then no more", () => {
    const entries: { name: string; kind: string }[] = [];
    let clock = 10;
    const perf = {
      now: () => (clock += 5),
      mark: (name: string) => {
        entries.push({ name, kind: "mark" });
        return {} as PerformanceMark;
      },
      measure: (name: string, o?: string | PerformanceMeasureOptions) => {
        const { start, end } = o as { start: number; end: number };
        entries.push({ name: `${name} ${end - start}`, kind: "measure" });
        return {} as PerformanceMeasure;
      },
      getEntriesByName: (name: string, kind?: string) =>
        entries.filter((e) => e.name === name && (!kind || e.kind === kind)) as unknown as PerformanceEntryList,
    };
    const done = timeStartCall("db_info", perf);
    done();
    markOnce("eacdesk:first-rows", perf);
    timeStartCall("browse_page", perf)();
    expect(entries.map((e) => e.name)).toEqual(["ipc db_info 5", "eacdesk:first-rows"]);
  });
});
