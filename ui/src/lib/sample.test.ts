import { describe, expect, it } from "vitest";
import { defaultSampleTarget, sampleRunLabel, separateReason, switchedText } from "./sample";
import type { SamplePlan } from "./types";

const real: SamplePlan = {
  open_path: "/data/eacdesk.sqlite",
  open_eac_count: 1200,
  separate: true,
  sample_path: "/data/eacdesk-sample.sqlite",
  sample_exists: false,
};
const empty: SamplePlan = { ...real, open_eac_count: 0, separate: false };

describe("where sample data goes", () => {
  it("a database with EACs points at the separate sample database", () => {
    expect(defaultSampleTarget(real)).toBe("separate");
    expect(sampleRunLabel("separate", real, false)).toBe("Load into eacdesk-sample.sqlite");
    expect(separateReason(real)).toMatch(/already holds 1.200 EACs/);
  });
  it("mixing in is possible but says so", () => {
    expect(sampleRunLabel("here", real, false)).toBe("Add to this database anyway");
  });
  it("an empty database takes the sample itself", () => {
    expect(defaultSampleTarget(empty)).toBe("here");
    expect(defaultSampleTarget(null)).toBe("here");
    expect(sampleRunLabel("here", empty, false)).toBe("Load sample data");
    expect(sampleRunLabel("here", empty, true)).toBe("Loading…");
  });
  it("after switching, says how to get back", () => {
    const t = switchedText(real);
    expect(t).toContain("/data/eacdesk-sample.sqlite");
    expect(t).toContain("Open database…");
    expect(t).toContain("/data/eacdesk.sqlite");
  });
});
