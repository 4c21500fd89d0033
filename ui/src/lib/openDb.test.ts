import { describe, expect, it } from "vitest";
import { isServerAddress, looksLikeJson, openStep } from "./openDb";
import serverAddresses from "../../../tests/fixtures/server-addresses.json";

describe("opening a database", () => {
  it("opens a file that is there", () => {
    expect(openStep("/data/eacdesk.sqlite", "file", false)).toEqual({ kind: "open" });
  });

  it("asks before creating a new file, unless the person chose New database", () => {
    const step = openStep("/data/new.sqlite", "missing", false);
    expect(step.kind).toBe("confirm-create");
    expect(step.kind === "confirm-create" && step.question).toContain("“new.sqlite”");
    expect(openStep("/data/new.sqlite", "missing", true)).toEqual({ kind: "open" });
  });

  it("sends JSON files to Import", () => {
    expect(looksLikeJson("/x/eacs.JSON")).toBe(true);
    expect(looksLikeJson("/x/eacs.sqlite")).toBe(false);
    const step = openStep("/x/eacs.json", "file", false);
    expect(step.kind).toBe("json");
    expect(step.kind === "json" && step.text).toContain("use Import".replace("use", "Use"));
  });

  it("refuses a folder", () => {
    expect(openStep("/data", "folder", false).kind).toBe("refuse");
  });
});

describe("server addresses (team mode)", () => {
  it("are told from file names", () => {
    expect(isServerAddress("postgres://ann@db.example.org/eacs")).toBe(true);
    expect(isServerAddress("  PostgreSQL://ann@db/eacs ")).toBe(true);
    expect(isServerAddress("/home/ann/postgres.sqlite")).toBe(false);
    expect(isServerAddress("postgres.sqlite")).toBe(false);
  });

  it("include libpq settings, never made into a file of that name", () => {
    expect(isServerAddress("host=/tmp/pg port=5433 user=ann dbname=team")).toBe(true);
    expect(isServerAddress(" host = db.example.org  password='a b\\' c' dbname=eacs ")).toBe(true);
    expect(isServerAddress("q1=final.sqlite")).toBe(false);
    // Meant as settings (the first a setting): refused when opened, never a file.
    expect(isServerAddress("host=/tmp q1=final.sqlite")).toBe(true);
    expect(isServerAddress("/data/host=x.sqlite")).toBe(false);
    expect(isServerAddress("host")).toBe(false);
    expect(isServerAddress("")).toBe(false);
    expect(openStep("host=/tmp/pg dbname=team", "missing", false)).toEqual({ kind: "open" });
  });

  it("are opened as they are, never offered to be created", () => {
    expect(openStep("postgres://ann@db/eacs", "missing", false)).toEqual({ kind: "open" });
  });

  it("include text meant as an address that is none, refused when opened, never a file (TEAM42 finding 1)", () => {
    for (const text of [
      "host=/tmp/pg port=5433 user=dan password=Tr1ck y@p dbname=team",
      "postgress://ann:annpw@localhost/team",
      "host=/tmp/pg user=ann dbname=team keepalives=1",
      "POSTGRES://ann@db/team",
    ]) {
      expect([text, openStep(text, "missing", false)]).toEqual([text, { kind: "open" }]);
    }
    expect(openStep("./host=/tmp/pg dbname=team", "missing", false).kind).toBe("confirm-create");
  });
});

describe("server addresses read as the store reads them", () => {
  it("agrees with every shared case (tests/fixtures/server-addresses.json)", () => {
    for (const c of serverAddresses.cases) {
      expect([c.text, isServerAddress(c.text)]).toEqual([c.text, c.server]);
    }
  });
});
