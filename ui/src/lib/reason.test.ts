import { describe, expect, it } from "vitest";
import { reasonProblem } from "./reason";

describe("reasons (one rule with the store)", () => {
  it("a plain line is fine, spaces around it too", () => {
    expect(reasonProblem("Wrong file imported")).toBeNull();
    expect(reasonProblem("  contract 42  ")).toBeNull();
    expect(reasonProblem("Vertrag für Kunde Ørsted")).toBeNull();
  });
  it("blank is refused with what to do", () => {
    expect(reasonProblem("   ")).toMatch(/Write a reason/);
  });
  it("a second line, a tab or an escape is refused and named", () => {
    expect(reasonProblem("first\nsecond")).toMatch(/line break/);
    expect(reasonProblem("a\tb")).toMatch(/tab/);
    expect(reasonProblem("a\u001b[31mb")).toMatch(/control character/);
    expect(reasonProblem("a\u202eb")).toMatch(/control character/);
  });
});
