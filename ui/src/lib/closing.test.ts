import { describe, expect, it } from "vitest";
import { closeWarnings, unsavedWhat } from "./closing";

describe("closeWarnings", () => {
  it("names the EAC whose edits would be lost", () => {
    expect(closeWarnings("S1-0000008", 0)).toEqual([
      "The changes to the beneficiaries of S1-0000008 are not saved and will be lost.",
    ]);
  });
  it("names every part with unsaved edits: typed missing fields and emission factors too", () => {
    expect(closeWarnings("E1", 0, ["fields"])).toEqual(["The changes to the missing fields of E1 are not saved and will be lost."]);
    expect(closeWarnings("E1", 0, ["emissions", "beneficiaries"])[0]).toBe(
      "The changes to the beneficiaries and the emission factors of E1 are not saved and will be lost.",
    );
    expect(unsavedWhat(["emissions", "fields", "beneficiaries"])).toBe(
      "the beneficiaries, the missing fields and the emission factors",
    );
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
