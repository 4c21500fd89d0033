import { describe, expect, it } from "vitest";
import { shortSha, sourceFormatName } from "./sources";

describe("source documents in words", () => {
  it("names a format as the command line does, and shows an unknown id as is", () => {
    expect(sourceFormatName("go-pdf")).toBe("Guarantee of Origin cancellation statement (PDF)");
    expect(sourceFormatName("ofgem-csv")).toBe("Ofgem certificates report (CSV)");
    expect(sourceFormatName("some-future-format")).toBe("some-future-format");
  });
  it("shortens a SHA-256 to 12 hex digits", () => {
    const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    expect(shortSha(sha)).toBe("9f86d081884c…");
    expect(shortSha("abc")).toBe("abc");
  });
});
