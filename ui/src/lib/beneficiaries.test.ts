import { describe, expect, it } from "vitest";
import {
  addIds,
  describeAssignment,
  idsToSave,
  newIdProblem,
  pendingIdProblem,
  normalizeIds,
  reloadReplacesEdits,
  editorLoadKey,
  sameAssignment,
  hasUnsavedEdits,
  editorStart,
  saveBlocker,
  truncateIds,
  validateBeneficiaries,
} from "./beneficiaries";

describe("validateBeneficiaries", () => {
  it("accepts a normal list", () => {
    const v = validateBeneficiaries("customer", ["C-1", "C-2"]);
    expect(v.ok).toBe(true);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
    expect(v.itemErrors).toEqual([null, null]);
  });

  it("general must have an empty list", () => {
    expect(validateBeneficiaries("general", []).ok).toBe(true);
    expect(validateBeneficiaries("general", []).warnings).toEqual([]);
    const v = validateBeneficiaries("general", ["X"]);
    expect(v.ok).toBe(false);
    expect(v.errors[0]).toMatch(/General/);
  });

  it("flags empty and blank ids on their line", () => {
    const v = validateBeneficiaries("account", ["A", "", "   "]);
    expect(v.ok).toBe(false);
    expect(v.itemErrors[0]).toBeNull();
    expect(v.itemErrors[1]).toMatch(/empty/);
    expect(v.itemErrors[2]).toMatch(/empty/);
    expect(v.errors).toEqual(["2 ids need attention."]);
  });

  it("flags duplicates (after trimming) on the later line only", () => {
    const v = validateBeneficiaries("customer", ["C-1", "C-2", " C-1 "]);
    expect(v.ok).toBe(false);
    expect(v.itemErrors[0]).toBeNull();
    expect(v.itemErrors[2]).toContain("line 1");
    expect(v.errors).toEqual(["One id needs attention."]);
  });

  it("ids differing in case are not duplicates", () => {
    expect(validateBeneficiaries("customer", ["c-1", "C-1"]).ok).toBe(true);
  });

  it("warns (but allows) an empty list for a non-general type", () => {
    const v = validateBeneficiaries("program", []);
    expect(v.ok).toBe(true);
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toMatch(/Program/);
  });
});

describe("adding ids", () => {
  it("explains why an id cannot be added", () => {
    expect(newIdProblem("general", [], "X")).toMatch(/General/);
    expect(newIdProblem("customer", [], "  ")).toMatch(/Type an id/);
    expect(newIdProblem("customer", ["A"], " A ")).toMatch(/already/);
    expect(newIdProblem("customer", ["A"], "B")).toBeNull();
  });

  it("adds several lines, skipping blanks and duplicates", () => {
    expect(addIds(["A"], "B\n\n A \r\nC")).toEqual(["A", "B", "C"]);
  });
});

describe("comparison and saving", () => {
  it("compares assignments after trimming, order-sensitive", () => {
    const a = { beneficiary_type: "customer" as const, beneficiaries: ["A", "B"] };
    expect(sameAssignment(a, { beneficiary_type: "customer", beneficiaries: [" A", "B "] })).toBe(true);
    expect(sameAssignment(a, { beneficiary_type: "account", beneficiaries: ["A", "B"] })).toBe(false);
    expect(sameAssignment(a, { beneficiary_type: "customer", beneficiaries: ["B", "A"] })).toBe(false);
    expect(sameAssignment(a, { beneficiary_type: "customer", beneficiaries: ["A"] })).toBe(false);
    expect(normalizeIds([" x "])).toEqual(["x"]);
  });

  it("says why Save is disabled", () => {
    const ok = validateBeneficiaries("customer", ["A"]);
    const bad = validateBeneficiaries("customer", ["A", "A"]);
    // Unchanged: a review, recorded once a reason is written (decisions 15, 319).
    expect(saveBlocker({ validation: ok, reason: "", dirty: false, busy: false })).toBe(
      "Nothing has changed. To record in History that you reviewed these beneficiaries as they are, write a reason.",
    );
    expect(saveBlocker({ validation: ok, reason: "checked against the contract", dirty: false, busy: false })).toBeNull();
    expect(saveBlocker({ validation: ok, reason: "a\nb", dirty: false, busy: false })).toMatch(/line break/);
    expect(saveBlocker({ validation: bad, reason: "r", dirty: true, busy: false })).toMatch(/problems/);
    expect(saveBlocker({ validation: ok, reason: "  ", dirty: true, busy: false })).toMatch(/reason/);
    expect(saveBlocker({ validation: ok, reason: "contract", dirty: true, busy: true })).toMatch(/Saving/);
    expect(saveBlocker({ validation: ok, reason: "contract", dirty: true, busy: false })).toBeNull();
    // one rule with the store: a reason is one line
    expect(saveBlocker({ validation: ok, reason: "a\nb", dirty: true, busy: false })).toMatch(/line break/);
  });
});

describe("an id typed but not yet added (issue 9 item 15)", () => {
  it("is saved with the list", () => {
    expect(idsToSave("account", ["A"], "  B ")).toEqual(["A", "B"]);
    expect(idsToSave("account", [], "B")).toEqual(["B"]);
    expect(pendingIdProblem("account", ["A"], "B")).toBeNull();
  });
  it("changes nothing when the field is empty", () => {
    expect(idsToSave("account", ["A"], "   ")).toEqual(["A"]);
    expect(pendingIdProblem("account", ["A"], "  ")).toBeNull();
  });
  it("blocks saving when it repeats an id, and says how to go on", () => {
    expect(idsToSave("account", ["A"], "A")).toEqual(["A"]);
    const p = pendingIdProblem("account", ["A"], " A ");
    expect(p).toMatch(/already in the list/);
    expect(p).toMatch(/Clear the “new id” field/);
    const ok = validateBeneficiaries("account", ["A"]);
    expect(saveBlocker({ validation: ok, reason: "r", dirty: true, busy: false, pending: p })).toBe(p);
  });
  it("is ignored under General, where the field is not shown", () => {
    expect(idsToSave("general", [], "X")).toEqual([]);
    expect(pendingIdProblem("general", [], "X")).toBeNull();
  });
  it("makes an otherwise unchanged editor dirty", () => {
    const stored = { beneficiary_type: "account" as const, beneficiaries: ["A"] };
    const edited = { beneficiary_type: "account" as const, beneficiaries: idsToSave("account", ["A"], "B") };
    expect(sameAssignment(stored, edited)).toBe(false);
  });
});

describe("display helpers", () => {
  it("describes an assignment", () => {
    expect(describeAssignment({ beneficiary_type: "general", beneficiaries: [] })).toBe("General (everyone)");
    expect(describeAssignment({ beneficiary_type: "customer", beneficiaries: ["A", "B"] })).toBe(
      "Customer: A, B",
    );
  });
  it("truncates long id lists with a count", () => {
    expect(truncateIds(["A", "B", "C", "D"])).toEqual({ shown: "A, B", more: 2 });
    expect(truncateIds(["A"])).toEqual({ shown: "A", more: 0 });
  });
});

describe("reloading the EAC being edited", () => {
  const a = { beneficiary_type: "customer" as const, beneficiaries: ["C-1"] };
  it("keeps unsaved edits when the same EAC comes back unchanged", () => {
    expect(reloadReplacesEdits({ id: "E1", assignment: a }, { id: "E1", assignment: { ...a } })).toBe(false);
  });
  it("starts afresh for another EAC, a changed assignment or the first load", () => {
    expect(reloadReplacesEdits(null, { id: "E1", assignment: a })).toBe(true);
    expect(reloadReplacesEdits({ id: "E1", assignment: a }, { id: "E2", assignment: a })).toBe(true);
    expect(
      reloadReplacesEdits({ id: "E1", assignment: a }, { id: "E1", assignment: { ...a, beneficiaries: ["C-2"] } }),
    ).toBe(true);
  });
  it("gives one key to loads that keep the edits, another to those that replace them", () => {
    expect(editorLoadKey("E1", a)).toBe(editorLoadKey("E1", { ...a, beneficiaries: [" C-1 "] }));
    expect(editorLoadKey("E1", a)).not.toBe(editorLoadKey("E2", a));
    expect(editorLoadKey("E1", a)).not.toBe(editorLoadKey("E1", { ...a, beneficiary_type: "account" }));
    expect(editorLoadKey("E1", a)).not.toBe(editorLoadKey("E1", { ...a, beneficiaries: ["C-1", "C-2"] }));
    // no two lists run together
    expect(editorLoadKey("E1", { ...a, beneficiaries: ["a,b"] })).not.toBe(editorLoadKey("E1", { ...a, beneficiaries: ["a", "b"] }));
  });
});

describe("unsaved edits of an EAC whose beneficiary type is missing (registry import)", () => {
  const missing = { beneficiary_type: null, beneficiaries: [] };
  it("are none while the editor shows what it started with", () => {
    expect(editorStart(missing)).toEqual({ beneficiary_type: "customer", beneficiaries: [] });
    expect(hasUnsavedEdits(missing, { beneficiary_type: "customer", beneficiaries: [] })).toBe(false);
    // the stored state still differs: saving would complete the type
    expect(sameAssignment(missing, { beneficiary_type: "customer", beneficiaries: [] })).toBe(false);
  });
  it("are there once the user changed the type or the ids", () => {
    expect(hasUnsavedEdits(missing, { beneficiary_type: "general", beneficiaries: [] })).toBe(true);
    expect(hasUnsavedEdits(missing, { beneficiary_type: "customer", beneficiaries: ["C-1"] })).toBe(true);
    const stored = { beneficiary_type: "account" as const, beneficiaries: ["A-1"] };
    expect(hasUnsavedEdits(stored, { beneficiary_type: "account", beneficiaries: [" A-1 "] })).toBe(false);
    expect(hasUnsavedEdits(stored, { beneficiary_type: "account", beneficiaries: ["A-2"] })).toBe(true);
  });
});

describe("typeChangeQuestion", () => {
  it("asks what to do with ids of the old type", async () => {
    const { typeChangeQuestion } = await import("./beneficiaries");
    const q = typeChangeQuestion("customer", "account", 2);
    expect(q).toContain("The 2 ids in the list are");
    expect(q).toContain("Keep them as");
    expect(typeChangeQuestion("customer", "account", 1)).toContain("Keep it as");
  });

  it("asks nothing without ids, for the same type, or to and from general", async () => {
    const { typeChangeQuestion } = await import("./beneficiaries");
    expect(typeChangeQuestion("customer", "account", 0)).toBeNull();
    expect(typeChangeQuestion("account", "account", 3)).toBeNull();
    expect(typeChangeQuestion("account", "general", 3)).toBeNull();
    expect(typeChangeQuestion("general", "account", 3)).toBeNull();
  });
});
