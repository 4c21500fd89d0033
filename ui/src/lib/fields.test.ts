import { describe, expect, it } from "vitest";
import {
  FIELD_SPECS,
  completionFields,
  dryRunText,
  fieldForm,
  fieldProblem,
  incompleteTitle,
  missesBeneficiaryType,
  missingFieldLabels,
  setFieldsNotes,
  setFieldsResultText,
  settableOf,
} from "./fields";
import type { SettableField } from "./types";

const ALL: SettableField[] = FIELD_SPECS.map((s) => s.field);

describe("field editors' validation", () => {
  it("leaves an empty field unchanged, so it is never a problem", () => {
    for (const f of ALL) expect(fieldProblem(f, "  ")).toBeNull();
  });
  it("takes only the spec's values in the selects", () => {
    expect(fieldProblem("asset_origination", "grid")).toBeNull();
    expect(fieldProblem("asset_destination", "region")).toBeNull();
    expect(fieldProblem("asset_origination", "Grid")).toContain("choose Grid or Region");
    expect(fieldProblem("technology_type", "wind")).toBeNull();
    expect(fieldProblem("technology_type", "storage")).toBeNull();
    expect(fieldProblem("technology_type", "Off-shore Wind")).toContain("choose one from the list");
  });
  it("takes emission factors as exact decimal text with a dot, never negative", () => {
    expect(fieldProblem("emissions_factor_lca", "0.024")).toBeNull();
    expect(fieldProblem("emissions_factor_direct", "0")).toBeNull();
    expect(fieldProblem("emissions_factor_lca", "0,024")).toContain("with a dot");
    expect(fieldProblem("emissions_factor_direct", "-1")).toContain("cannot be negative");
  });
  it("takes real calendar days only", () => {
    expect(fieldProblem("issued", "2024-02-29")).toBeNull();
    expect(fieldProblem("retired", "2023-02-29")).toContain("YYYY-MM-DD");
    expect(fieldProblem("asset_commissioned", "31/03/2024")).toContain("YYYY-MM-DD");
  });
});

describe("the field form", () => {
  it("sends only the filled fields that are shown, trimmed and exactly as typed, in field order", () => {
    const { values, problems } = fieldForm(
      { emissions_factor_lca: " 0.0240 ", destination_id: "ACME", destination_name: "", issued: "2024-01-31" },
      ["destination_id", "destination_name", "emissions_factor_lca"],
      "from the contract",
    );
    expect(problems).toEqual([]);
    expect(values).toEqual([
      { field: "destination_id", value: "ACME" },
      { field: "emissions_factor_lca", value: "0.0240" },
    ]);
  });
  it("needs a field and a one-line reason, and lists every problem at once", () => {
    expect(fieldForm({}, ALL, "ok").problems).toEqual(["Fill in at least one field."]);
    const { values, problems } = fieldForm({ asset_origination: "moon", issued: "2024-13-01" }, ALL, " ");
    expect(values).toEqual([]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain("Asset origination");
    expect(problems[1]).toContain("Issue date");
    expect(problems[2]).toContain("reason");
  });
});

describe("missing fields in words", () => {
  it("names each missing field once, values' dates included", () => {
    expect(missingFieldLabels(["destination_id", "values/0/issued", "values/1/issued", "values/1/retired"])).toEqual([
      "Destination id",
      "Issue date of a value",
      "Retirement date of a value",
    ]);
    expect(incompleteTitle(["beneficiary_type", "asset_origination"])).toBe(
      "Missing: Beneficiary type, Asset origination. Complete them (Details tab or “Complete fields…”) before exporting.",
    );
  });
  it("maps missing paths to the fields that complete them", () => {
    expect(settableOf("values/3/retired")).toBe("retired");
    expect(settableOf("technology_type")).toBe("technology_type");
    expect(settableOf("beneficiary_type")).toBeNull();
    expect(missesBeneficiaryType({ missing: ["beneficiary_type"] })).toBe(true);
  });
  it("offers the missing fields of a registry EAC, with the commissioning date when unknown", () => {
    const missing = ["destination_id", "beneficiary_type", "emissions_factor_lca", "values/0/issued"];
    expect(completionFields({ missing, asset_commissioned: null })).toEqual([
      "destination_id",
      "asset_commissioned",
      "emissions_factor_lca",
      "issued",
    ]);
    expect(completionFields({ missing, asset_commissioned: "1977-01-01" })).not.toContain("asset_commissioned");
  });
  it("leaves emission factors alone to their own form when nothing else is missing", () => {
    expect(completionFields({ missing: ["emissions_factor_lca"], asset_commissioned: null })).toEqual([]);
    expect(completionFields({ missing: [], asset_commissioned: null })).toEqual([]);
    // only the beneficiary type: that is the Beneficiaries tab's job
    expect(completionFields({ missing: ["beneficiary_type"], asset_commissioned: "2020-01-01" })).toEqual([]);
  });
});

describe("dry run and result wording", () => {
  const r = (matching: number, changed: number, now_complete: number) => ({
    matching,
    changed,
    now_complete,
    dry_run: true,
    issued_kept: 0,
    issued_kept_why: null,
    warnings: [],
  });
  it("says how many EACs would change before anything is written", () => {
    expect(dryRunText(r(12, 12, 0))).toBe("12 EACs would change.");
    expect(dryRunText(r(12, 10, 10))).toBe("10 EACs would change (10 of them complete then); 2 already hold these values.");
    expect(dryRunText(r(1, 1, 1))).toBe("1 EAC would change (1 of them complete then).");
    expect(dryRunText(r(3, 0, 0))).toBe("None of the 3 EACs would change: they already hold these values.");
    expect(dryRunText(r(0, 0, 0))).toBe("No EACs match.");
  });
  it("says what changed and what is complete now", () => {
    expect(setFieldsResultText(r(1, 1, 1))).toBe("1 EAC changed. It is complete now.");
    expect(setFieldsResultText(r(5, 5, 5))).toBe("5 EACs changed. All of them are complete now.");
    expect(setFieldsResultText(r(5, 4, 1))).toBe("4 EACs changed. 1 of them is complete now.");
    expect(setFieldsResultText(r(5, 4, 0))).toBe("4 EACs changed.");
    expect(setFieldsResultText(r(5, 0, 0))).toBe("Nothing changed: the EACs already held these values.");
    expect(setFieldsResultText(r(1, 0, 0))).toBe("Nothing changed: the EAC already held these values.");
  });
  it("says no EAC matched, not that they held the values", () => {
    expect(setFieldsResultText(r(0, 0, 0))).toBe("No EAC matches; nothing changed.");
  });
  it("never says a kept issue date was already held, and gives the backend's reason (decision 311)", () => {
    const why =
      "1 EAC keeps the issue date its imported document gave: an issue date dates values without one and corrects a date a person entered, never a document's (import a corrected statement instead).";
    const kept = { ...r(1, 0, 0), issued_kept: 1, issued_kept_why: why };
    expect(setFieldsResultText({ ...kept, dry_run: false })).toBe("Nothing changed, so no History record was written.");
    expect(dryRunText(kept)).toBe("The EAC would not change.");
    expect(setFieldsNotes(kept)).toEqual([why]);
    const some = { ...r(3, 1, 0), issued_kept: 2, issued_kept_why: "2 EACs keep …" };
    expect(dryRunText(some)).toBe("1 EAC would change; 2 stay as they are.");
    expect(dryRunText({ ...some, issued_kept: 0 })).toBe("1 EAC would change; 2 already hold these values.");
    expect(setFieldsNotes(r(3, 1, 0))).toEqual([]);
    for (const text of [setFieldsResultText(kept), dryRunText(kept), dryRunText(some)]) {
      expect(text).not.toMatch(/already hold/);
    }
  });
  it("never says a retirement date left unset was already held, and gives the backend's reason", () => {
    const why =
      "1 EAC has no value retired (retired only dates values already retired; retire them in the registry and import its statement).";
    const kept = { ...r(1, 0, 0), retired_kept: 1, retired_kept_why: why };
    expect(setFieldsResultText({ ...kept, dry_run: false })).toBe("Nothing changed, so no History record was written.");
    expect(dryRunText(kept)).toBe("The EAC would not change.");
    expect(setFieldsNotes(kept)).toEqual([why]);
    const some = { ...r(3, 1, 0), retired_kept: 2, retired_kept_why: "2 EACs …" };
    expect(dryRunText(some)).toBe("1 EAC would change; 2 stay as they are.");
    expect(setFieldsNotes({ ...kept, issued_kept: 1, issued_kept_why: "issued why" })).toEqual(["issued why", why]);
    for (const text of [setFieldsResultText(kept), dryRunText(kept), dryRunText(some)]) {
      expect(text).not.toMatch(/already hold/);
    }
  });
});
