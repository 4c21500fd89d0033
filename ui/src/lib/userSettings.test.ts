import { describe, expect, it } from "vitest";
import { displayNameHint, displayNameProblem, settingsForm, settingsPatch } from "./userSettings";
import type { Settings } from "./types";

const stored: Settings = {
  display_name: "Ana López",
  theme: "dark",
  recent_databases: [],
  last_export_folder: null,
  databases: {},
};

describe("the settings form", () => {
  it("starts from what is stored, or the defaults", () => {
    expect(settingsForm(stored)).toEqual({ displayName: "Ana López", theme: "dark" });
    expect(settingsForm(null)).toEqual({ displayName: "", theme: "system" });
  });

  it("sends only what changed", () => {
    const before = settingsForm(stored);
    expect(settingsPatch(before, { ...before })).toEqual({});
    expect(settingsPatch(before, { ...before, displayName: " Ana López " })).toEqual({});
    expect(settingsPatch(before, { displayName: "", theme: "light" })).toEqual({ display_name: "", theme: "light" });
  });

  it("checks the display name", () => {
    expect(displayNameProblem("")).toBeNull();
    expect(displayNameProblem("Ana López")).toBeNull();
    expect(displayNameProblem("a\tb")).toContain("one line");
    expect(displayNameProblem("x".repeat(81))).toContain("at most 80");
  });

  it("says what records will carry", () => {
    expect(displayNameHint("", "ana")).toContain("computer login (ana) only");
    expect(displayNameHint("Ana", "ana")).toContain("recorded as “Ana”");
  });
});
