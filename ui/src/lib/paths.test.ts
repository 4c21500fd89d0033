import { describe, expect, it } from "vitest";
import { plural } from "./decimal";
import {
  addPaths,
  importButtonLabel,
  baseName,
  splitFolderFile,
  defaultBundleName,
  defaultExportName,
  endsWithJson,
  parsePaths,
  splitImportablePaths,
  withJson,
  withoutJson,
} from "./paths";

describe("parsePaths", () => {
  it("takes one path per line, trimmed, without blanks or repeats", () => {
    expect(parsePaths(" /a/b.json \n\n/c d/e.json\r\n/a/b.json\n")).toEqual(["/a/b.json", "/c d/e.json"]);
  });
  it("removes surrounding quotes", () => {
    expect(parsePaths('"C:\\data\\x.json"\n\'/tmp/y.json\'')).toEqual(["C:\\data\\x.json", "/tmp/y.json"]);
  });
  it("takes a pasted file:// address as its path, decoded", () => {
    expect(parsePaths("file:///work/fixtures/import-three-wind.json")).toEqual(["/work/fixtures/import-three-wind.json"]);
    expect(parsePaths("file://localhost/tmp/My%20EACs/%C3%A9t%C3%A9.json")).toEqual(["/tmp/My EACs/été.json"]);
    expect(parsePaths("file:///C:/Users/ana/eacs.json")).toEqual(["C:/Users/ana/eacs.json"]);
    // A broken escape, or another host, is left for the import to refuse by name.
    expect(parsePaths("file:///tmp/100%.json")).toEqual(["file:///tmp/100%.json"]);
    expect(parsePaths("file://server/share/x.json")).toEqual(["file://server/share/x.json"]);
  });
  it("gives nothing for empty text", () => {
    expect(parsePaths("  \n ")).toEqual([]);
  });
});

describe("dropped files", () => {
  it("keeps .json files only (any case)", () => {
    expect(
      splitImportablePaths(["/a.json", "/b.JSON", "/c.csv", "/s.PDF", "/r.xml", "/w.txt", "/d", "/e.docx", "/f.csv.zip"]),
    ).toEqual({
      importable: ["/a.json", "/b.JSON", "/c.csv", "/s.PDF", "/r.xml", "/w.txt"],
      other: ["/d", "/e.docx", "/f.csv.zip"],
    });
  });
  it("names files", () => {
    expect(baseName("/x/y/z.json")).toBe("z.json");
    expect(baseName("C:\\x\\z.json")).toBe("z.json");
    expect(defaultExportName("2024-05-01", "all")).toBe("eacs-2024-05-01.json");
    expect(defaultExportName("2024-05-01", "filter")).toBe("eacs-filtered-2024-05-01.json");
  });
});

describe("bundle folders", () => {
  it("names the default bundle folder by scope and day, without an extension", () => {
    expect(defaultBundleName("2024-05-01", "all")).toBe("eacs-bundle-2024-05-01");
    expect(defaultBundleName("2024-05-01", "filter")).toBe("eacs-filtered-bundle-2024-05-01");
    expect(endsWithJson(defaultBundleName("2024-05-01", "all"))).toBe(false);
  });
  it("tells whether a typed path ends in .json", () => {
    expect(endsWithJson("/x/eacs.json")).toBe(true);
    expect(endsWithJson("  C:\\x\\EACS.JSON  ")).toBe(true);
    expect(endsWithJson('"/x/eacs.json"')).toBe(true);
    expect(endsWithJson("/x/eacs.json/")).toBe(true);
    expect(endsWithJson("/x/eacs")).toBe(false);
    expect(endsWithJson("/x/eacs.jsonl")).toBe(false);
    expect(endsWithJson("")).toBe(false);
  });
  it("suggests a folder name without .json", () => {
    expect(withoutJson("/x/eacs-2024.json")).toBe("/x/eacs-2024");
    expect(withoutJson(" C:\\x\\out.JSON ")).toBe("C:\\x\\out");
    expect(withoutJson("/x/eacs")).toBeNull();
    expect(withoutJson("/x/.json")).toBeNull();
    expect(withoutJson(".json")).toBeNull();
  });
  it("suggests a file name with .json", () => {
    expect(withJson("/x/eacs-bundle")).toBe("/x/eacs-bundle.json");
    expect(withJson("/x/eacs-bundle/")).toBe("/x/eacs-bundle.json");
    expect(withJson("/x/a.json")).toBeNull();
    expect(withJson("   ")).toBeNull();
  });
});

describe("picking more files", () => {
  it("adds picked paths after the typed ones, once each", () => {
    expect(addPaths("", ["/a.json"])).toBe("/a.json");
    expect(addPaths("/a.json\n\n", ["/b.json", "/a.json"])).toBe("/a.json\n/b.json");
    expect(addPaths('"/c d.json"', ["/e.json"])).toBe("/c d.json\n/e.json");
  });

  it("says how many files the button imports", () => {
    expect(importButtonLabel(false, 0)).toBe("Import");
    expect(importButtonLabel(false, 1)).toBe("Import");
    expect(importButtonLabel(false, 1200)).toBe(`Import ${plural(1200, "file")}`);
    expect(importButtonLabel(true, 3)).toBe("Importing…");
  });
});

describe("a path shortened in the middle", () => {
  it("keeps the file name whole and the folder with its separator", () => {
    expect(splitFolderFile("/tmp/eacdesk/e2e.eacdesk.sqlite")).toEqual({ folder: "/tmp/eacdesk/", file: "e2e.eacdesk.sqlite" });
    expect(splitFolderFile("C:\\Users\\ana\\eacs.sqlite")).toEqual({ folder: "C:\\Users\\ana\\", file: "eacs.sqlite" });
  });
  it("leaves a bare name or a folder path whole", () => {
    expect(splitFolderFile("eacs.sqlite")).toEqual({ folder: "", file: "eacs.sqlite" });
    expect(splitFolderFile("/data/")).toEqual({ folder: "", file: "/data/" });
  });
  it("loses nothing: folder and file make the path again", () => {
    for (const p of ["/a/b/c", "/c", "C:\\x\\y.db", "rel/x.db"]) {
      const { folder, file } = splitFolderFile(p);
      expect(folder + file).toBe(p);
    }
  });
});
