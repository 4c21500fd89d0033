import { describe, expect, it } from "vitest";
import { launchOffer } from "./launch";

describe("files the app was opened with", () => {
  it("are offered in the Import dialog, not imported", () => {
    const offer = launchOffer(["/home/ann/Downloads/march.cds.json"]);
    expect(offer).toEqual({
      kind: "import",
      paths: ["/home/ann/Downloads/march.cds.json"],
      note: "EAC Desk was opened with this file. Nothing is imported yet: “Check first” shows what it holds.",
    });
  });

  it("leave out files EAC Desk cannot read, naming them", () => {
    const offer = launchOffer(["/a/one.json", "/a/two.csv", "/a/photo.png"]);
    expect(offer.kind).toBe("import");
    if (offer.kind !== "import") return;
    expect(offer.paths).toEqual(["/a/one.json", "/a/two.csv"]);
    expect(offer.note).toContain("these 2 files");
    expect(offer.note).toContain("left out: photo.png");
  });

  it("only say so when nothing can be imported, and do nothing without files", () => {
    expect(launchOffer(["C:\\Users\\ann\\notes.docx"])).toEqual({
      kind: "say",
      text: "EAC Desk was opened with a file it cannot import. Not a kind of file EAC Desk reads, left out: notes.docx.",
    });
    expect(launchOffer([])).toEqual({ kind: "none" });
  });
});
