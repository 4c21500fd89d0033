// @vitest-environment happy-dom
// The violations table: a problem no rule of the digest names (a
// consumption file's, whose rule is in its message) shows no rule 0.

import { afterEach, describe, expect, it } from "vitest";

import ViolationList from "./ViolationList.svelte";
import type { Violation } from "../types";
import { cleanup, show } from "../testMount";

afterEach(cleanup);

const violation = (rule: number, message: string): Violation => ({
  rule,
  severity: "error",
  file: "c.csv",
  line: 7,
  column: 5,
  pointer: "",
  cds_eac_id: null,
  message,
});

describe("the violations table", () => {
  it("shows a rule's number, and none for a problem no rule names", () => {
    const root = show(ViolationList, {
      violations: [violation(6, "`value` must be a number"), violation(0, "[value] `x` is not a number")],
      testid: "v",
    });
    const rules = [...root.querySelectorAll('[data-testid="violation"] td.num')].map((td) => td.textContent?.trim());
    expect(rules).toEqual(["6", "—"]);
  });
});
