import { describe, expect, it } from "vitest";
import { prettyJson } from "./json";

describe("prettyJson", () => {
  it("indents JSON", () => {
    expect(prettyJson('{"a":1,"b":[true]}')).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
  });
  it("keeps invalid text and null", () => {
    expect(prettyJson("{oops")).toBe("{oops");
    expect(prettyJson(null)).toBeNull();
  });
});
