import { describe, expect, it } from "vitest";
import { friendlyError, isCancelled, toAppError, violationLocation, violationsOf } from "./errors";
import type { ErrorCode } from "./types";
import errorCodeSource from "./bindings/ErrorCode.ts?raw";

/** The codes of the generated binding, read from the file ts-rs wrote from the Rust enum. */
function generatedCodes(): string[] {
  const decl = errorCodeSource.slice(errorCodeSource.indexOf("export type ErrorCode ="));
  return [...decl.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

describe("toAppError", () => {
  it("keeps AppError objects", () => {
    const e = toAppError({ code: "io", message: "disk full", details: { path: "/x" } });
    expect(e).toEqual({ code: "io", message: "disk full", details: { path: "/x" } });
  });
  it("never lets a code this UI does not know through", () => {
    expect(toAppError({ code: "weird", message: "x", details: {} })).toEqual({ code: "unknown", message: "x", details: {} });
  });
  it("wraps strings and Errors", () => {
    expect(toAppError("boom")).toEqual({ code: "unknown", message: "boom", details: {} });
    expect(toAppError(new Error("bad"))).toMatchObject({ code: "unknown", message: "bad" });
    expect(toAppError(undefined).code).toBe("unknown");
  });
});

describe("friendlyError", () => {
  // Compile-time: this list names every ErrorCode (a Record over the type),
  // so a code added in Rust must be added here too.
  const every: Record<ErrorCode, true> = {
    validation: true,
    not_found: true,
    invalid_input: true,
    io: true,
    database: true,
    cancelled: true,
    newer_database: true,
    conflict: true,
    internal: true,
    unreadable: true,
    frozen: true,
  };
  const codes = Object.keys(every);
  it("knows exactly the codes the backend sends", () => {
    expect([...codes].sort()).toEqual([...generatedCodes()].sort());
  });
  it("has words of its own for every code the backend sends", () => {
    const unknown = friendlyError({ code: "weird", message: "", details: {} }).title;
    for (const code of generatedCodes()) {
      const f = friendlyError({ code, message: "", details: {} });
      expect(f.code, code).toBe(code);
      expect(f.title, code).not.toBe(unknown);
    }
  });
  it("has plain words and a next step for every contract code", () => {
    const titles = new Set<string>();
    for (const code of codes) {
      const f = friendlyError({ code, message: "m", details: null });
      expect(f.code).toBe(code);
      expect(f.title.length).toBeGreaterThan(10);
      expect(f.hint.length).toBeGreaterThan(10);
      expect(f.message).toBe("m");
      titles.add(f.title);
    }
    expect(titles.size).toBe(codes.length);
  });
  it("gives specific advice", () => {
    expect(friendlyError({ code: "newer_database", message: "", details: null }).hint).toMatch(/Update EAC Desk/);
    expect(friendlyError({ code: "cancelled", message: "", details: null }).hint).toMatch(/Nothing was changed/);
    expect(friendlyError({ code: "io", message: "", details: null }).title).toMatch(/file/);
  });
  it("falls back for unknown codes and raw values", () => {
    expect(friendlyError({ code: "weird", message: "x", details: null }).title).toBe("Something went wrong.");
    expect(friendlyError("raw text").message).toBe("raw text");
  });
});

describe("violations", () => {
  const v = {
    rule: 7,
    severity: "error" as const,
    file: "a.json",
    line: 12,
    column: 5,
    pointer: "/eacs/0/value",
    cds_eac_id: "E1",
    message: "bad",
  };
  it("extracts violations only from validation errors", () => {
    expect(violationsOf({ code: "validation", message: "", details: { violations: [v] } })).toEqual([v]);
    expect(violationsOf({ code: "io", message: "", details: { violations: [v] } })).toEqual([]);
    expect(violationsOf({ code: "validation", message: "", details: null })).toEqual([]);
  });
  it("locates a violation", () => {
    expect(violationLocation(v)).toBe("a.json 12:5 /eacs/0/value");
    expect(violationLocation({ ...v, file: null, line: null, column: null })).toBe("/eacs/0/value");
    expect(violationLocation({ ...v, column: null, pointer: "" })).toBe("a.json 12");
  });
  it("detects cancellation", () => {
    expect(isCancelled({ code: "cancelled", message: "", details: null })).toBe(true);
    expect(isCancelled(new Error("x"))).toBe(false);
  });
});
