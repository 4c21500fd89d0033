import { describe, expect, it } from "vitest";
import { baseName, defaultExportName, parsePaths, splitJsonPaths } from "./paths";

describe("parsePaths", () => {
  it("takes one path per line, trimmed, without blanks or repeats", () => {
    expect(parsePaths(" /a/b.json \n\n/c d/e.json\r\n/a/b.json\n")).toEqual(["/a/b.json", "/c d/e.json"]);
  });
  it("removes surrounding quotes", () => {
    expect(parsePaths('"C:\\data\\x.json"\n\'/tmp/y.json\'')).toEqual(["C:\\data\\x.json", "/tmp/y.json"]);
  });
  it("gives nothing for empty text", () => {
    expect(parsePaths("  \n ")).toEqual([]);
  });
});

describe("dropped files", () => {
  it("keeps .json files only (any case)", () => {
    expect(splitJsonPaths(["/a.json", "/b.JSON", "/c.csv", "/d"])).toEqual({
      json: ["/a.json", "/b.JSON"],
      other: ["/c.csv", "/d"],
    });
  });
  it("names files", () => {
    expect(baseName("/x/y/z.json")).toBe("z.json");
    expect(baseName("C:\\x\\z.json")).toBe("z.json");
    expect(defaultExportName("2024-05-01", "all")).toBe("eacs-2024-05-01.json");
    expect(defaultExportName("2024-05-01", "filter")).toBe("eacs-filtered-2024-05-01.json");
  });
});
