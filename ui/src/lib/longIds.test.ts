import { describe, expect, it } from "vitest";
import { breakPieces, idHead, idTail } from "./longIds";

describe("long certificate numbers", () => {
  it("break between groups of five digits, losing nothing", () => {
    const go = "643002406300000000000000000001";
    const pieces = breakPieces(go);
    expect(pieces.join("")).toBe(go);
    expect(pieces).toEqual(["64300", "24063", "00000", "00000", "00000", "00001"]);
  });

  it("break after separators, short digit runs whole", () => {
    expect(breakPieces("REGO-202512-0000062")).toEqual(["REGO-", "202512-", "0000062"]);
    expect(breakPieces("G001234/2024")).toEqual(["G001234/", "2024"]);
    expect(breakPieces("")).toEqual([""]);
  });
});

describe("one-line cells keep the end of a long number", () => {
  it("splits a 30-digit GO number into a head that may be cut and an 8-digit tail", () => {
    const go = "643002406300000000000000000001";
    expect(idHead(go) + idTail(go)).toBe(go);
    expect(idTail(go)).toBe("00000001");
  });
  it("leaves short numbers whole in the head", () => {
    expect(idHead("REGO-12345")).toBe("REGO-12345");
    expect(idTail("REGO-12345")).toBe("");
  });
});
