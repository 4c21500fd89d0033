import { describe, expect, it } from "vitest";
import { folderOf, joinPath, refuseAtOnce, replaceQuestion, startFolder } from "./exportTarget";

describe("export target", () => {
  it("finds the folder of a path", () => {
    expect(folderOf("/home/ana/exports/eacs.json")).toBe("/home/ana/exports");
    expect(folderOf("/eacs.json")).toBe("/");
    expect(folderOf("eacs.json")).toBeNull();
    expect(folderOf("C:\\Users\\ana\\eacs.json")).toBe("C:\\Users\\ana");
    expect(folderOf("C:\\eacs.json")).toBe("C:\\");
    expect(folderOf("/home/ana/bundle/")).toBe("/home/ana");
  });

  it("joins a name to a folder with its separator", () => {
    expect(joinPath("/home/ana", "eacs.json")).toBe("/home/ana/eacs.json");
    expect(joinPath("/", "eacs.json")).toBe("/eacs.json");
    expect(joinPath("C:\\Users\\ana", "eacs.json")).toBe("C:\\Users\\ana\\eacs.json");
    expect(joinPath(null, "eacs.json")).toBe("eacs.json");
  });

  it("starts in the last export folder, else beside the database", () => {
    expect(startFolder("/home/ana/exports", "/data/eacdesk.sqlite")).toBe("/home/ana/exports");
    expect(startFolder(null, "/data/eacdesk.sqlite")).toBe("/data");
    expect(startFolder("  ", null)).toBeNull();
  });

  it("asks before replacing a file or a folder", () => {
    expect(replaceQuestion("missing", "/a/eacs.json")).toBeNull();
    expect(replaceQuestion("file", "/a/eacs.json")).toContain("“eacs.json” already exists");
    expect(replaceQuestion("folder", "/a/bundle")).toContain("folder named “bundle”");
    expect(replaceQuestion("other", "/dev/null")).toContain("Try anyway");
  });
});

describe("a path that cannot be written at all", () => {
  it("a single-file export to an existing folder is refused at once, naming a file to use instead", () => {
    const r = refuseAtOnce("folder", "/tmp/x/reports/", false, "/tmp/x/db.sqlite")!;
    expect(r).toContain("/tmp/x/reports is a folder, not a file");
    expect(r).toContain("/tmp/x/reports/eacs.json");
    expect(r).not.toContain("bundle");
  });
  it("a bundle into the database's own folder is refused at once; another folder gets the question", () => {
    expect(refuseAtOnce("folder", "/tmp/x", true, "/tmp/x/db.sqlite")).toContain("holds the database EAC Desk is using");
    expect(refuseAtOnce("folder", "/tmp/x/reports", true, "/tmp/x/db.sqlite")).toBeNull();
    expect(refuseAtOnce("file", "/tmp/x/a.json", false, "/tmp/x/db.sqlite")).toBeNull();
    expect(refuseAtOnce("missing", "/tmp/x/new", true, null)).toBeNull();
  });
});
