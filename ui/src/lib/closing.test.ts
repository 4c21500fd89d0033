import { describe, expect, it } from "vitest";
import { closeWarnings } from "./closing";

describe("closeWarnings", () => {
  it("names the EAC whose edits would be lost", () => {
    expect(closeWarnings("S1-0000008", 0)).toEqual([
      "The beneficiary changes to S1-0000008 are not saved and will be lost.",
    ]);
  });
  it("says running work stops and writes nothing, in the right number", () => {
    expect(closeWarnings(null, 1)[0]).toMatch(/^A task .* is still running\. Closing stops it; it writes nothing\.$/);
    expect(closeWarnings(null, 2)[0]).toBe("2 tasks are still running. Closing stops them; they write nothing.");
  });
  it("lists both, edits first, and nothing when nothing is at stake", () => {
    expect(closeWarnings("E1", 3)).toHaveLength(2);
    expect(closeWarnings("E1", 3)[0]).toContain("E1");
    expect(closeWarnings(null, 0)).toEqual([]);
  });
});
