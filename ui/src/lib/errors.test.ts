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

describe("a closed-period refusal in the app", () => {
  const period = {
    id: 1,
    from: "2025-01-01",
    to: "2025-12-31",
    closed_at: "2026-12-06T02:59:04Z",
    closed_by: "root",
    reason: "FY2025 filed",
    reopened_at: null,
    reopened_by: null,
    reopen_reason: null,
    eac_count: 7,
  };
  const refusal = {
    code: "frozen",
    message:
      "2 EACs lie in a closed reporting period and cannot be changed: `S1-0000000`, `S1-0000005`; nothing was changed. Period 1 (2025-01-01 to 2025-12-31) was closed by root at 2026-12-06 02:59:04 UTC: “FY2025 filed”; reopen it with `eacdesk period reopen 1 --reason …` to change them.",
    details: {
      cds_eac_ids: ["S1-0000000", "S1-0000005"],
      period_ids: [1],
      closed_periods: [period],
      eac_numbers: ["AAAZZZ-123", "S1-0000005"],
    },
  };
  it("names the period by its days, the EACs as the table does, and where to reopen it in the app", () => {
    const f = friendlyError(refusal);
    const all = `${f.title} ${f.message} ${f.hint}`;
    expect(f.message).toBe(
      "2 EACs (AAAZZZ-123, S1-0000005) lie in the closed reporting period 2025-01-01 to 2025-12-31 (closed by root on 2026-12-06 02:59:04 UTC: “FY2025 filed”).",
    );
    expect(f.hint).toContain("Evidence ▾ → Closed periods…");
    expect(all).not.toContain("eacdesk");
    expect(all).not.toContain("`");
    expect(all.match(/nothing was changed/gi)).toHaveLength(1);
  });
  it("names who closed the period as the History does: the display name beside the login", () => {
    const named = { ...period, closed_by: "ana", closed_by_name: "Ana López" };
    const f = friendlyError({ ...refusal, details: { ...refusal.details, closed_periods: [named] } });
    expect(f.message).toContain("(closed by Ana López (ana) on 2026-12-06 02:59:04 UTC: “FY2025 filed”)");
    // No name kept (or the login itself): the login alone, as before.
    const same = { ...period, closed_by: "ana", closed_by_name: "ana" };
    const g = friendlyError({ ...refusal, details: { ...refusal.details, closed_periods: [same, period] } });
    expect(g.message).toContain("(closed by ana on 2026-12-06 02:59:04 UTC");
    expect(g.message).toContain("(closed by root on 2026-12-06 02:59:04 UTC");
  });
  it("says nothing was changed about a plan not yet run", () => {
    const f = friendlyError(refusal, { planned: true });
    expect(`${f.title} ${f.message} ${f.hint}`).not.toMatch(/nothing was changed/i);
    expect(f.hint).toContain("Evidence ▾ → Closed periods…");
  });
  it("one EAC, many counted, and without the period's details still never shows the command", () => {
    const one = friendlyError({ ...refusal, details: { ...refusal.details, cds_eac_ids: ["x"], eac_numbers: ["N-1"] } });
    expect(one.message).toMatch(/^EAC N-1 lies in the closed reporting period 2025-01-01 to 2025-12-31/);
    const ids = Array.from({ length: 60 }, (_, i) => `S1-${i}`);
    const many = friendlyError({ ...refusal, details: { cds_eac_ids: ids, eac_numbers: ids.slice(0, 50) } });
    expect(many.message).toContain("60 EACs (S1-0, S1-1,");
    expect(many.message).toContain("and 50 more");
    expect(many.message).toContain("a closed reporting period");
    expect(many.message).not.toContain("eacdesk");
  });
});

describe("a validation refusal in the Claims view", () => {
  const rule = { code: "validation", message: "Consumption already claimed: …", details: {} };
  it("is a rule of claims there, and of the CDS format elsewhere", () => {
    expect(friendlyError(rule, { about: "claims" }).title).toBe("The stored data does not allow this claim.");
    expect(friendlyError(rule).title).toBe("The data does not follow the rules of the CDS format.");
  });
  it("is the consumption file's rules when it lists located problems", () => {
    const file = { ...rule, details: { violations: [{ rule: "start", message: "not a date", line: 2 }] } };
    const f = friendlyError(file, { about: "claims" });
    expect(f.title).toBe("The consumption file does not follow the rules for consumption files.");
    expect(f.hint).toContain("correct the file");
  });
});

describe("a closed-period refusal of a claim or consumption", () => {
  it("is not said of EACs, and says nothing was changed once", () => {
    const f = friendlyError({
      code: "frozen",
      message:
        "Claim #1 (June, 2024-06-01 to 2024-06-30) covers days of a closed reporting period and cannot be deleted; nothing was changed. Period 1 (2024-06-01 to 2024-06-30) was closed by root at 2026-12-06 02:59:04 UTC: “June filed”; reopen it in Evidence ▾ → Closed periods… to delete it.",
      details: { cds_eac_ids: [], period_ids: [1] },
    });
    const all = `${f.title} ${f.message} ${f.hint}`;
    expect(all).not.toContain("EAC");
    expect(f.message).toContain("Claim #1 (June");
    expect(all.match(/nothing was changed/gi)).toHaveLength(1);
    expect(all).toContain("Evidence ▾ → Closed periods…");
  });
});

describe("a claimed-EAC refusal in the app", () => {
  it("says nothing was changed once (its message says it)", () => {
    const f = friendlyError({
      code: "conflict",
      message:
        "EAC `S1-1` is counted by recorded claim 3; changing them would change what the claim counts (its beneficiaries, period or allocated values) or what its report reads of them (technology, commissioning date, market, bidding zone), so nothing was changed. Delete the claim first (Claims → Delete…), make the change, then record the claim again.",
      details: { cds_eac_ids: ["S1-1"] },
    });
    expect(`${f.title} ${f.message} ${f.hint}`.match(/nothing was changed/gi)).toHaveLength(1);
  });
});

describe("an edit over someone else's change", () => {
  it("is told where to see the change, without advice for other kinds of conflict", () => {
    const f = friendlyError({
      code: "conflict",
      message:
        "EAC REGO-1 (id S1-1) was changed after you opened it (its beneficiaries were changed by ann at 2026-12-06 05:42:30 UTC); nothing was saved. Reload it to see the change, then make your edit again",
      details: { cds_eac_ids: ["S1-1"] },
    });
    expect(f.hint).toContain("Refresh in the banner above");
    expect(f.hint).not.toMatch(/undo|claim/i);
    expect(`${f.title} ${f.message} ${f.hint}`.match(/nothing was (changed|saved)/gi)).toHaveLength(1);
  });
});

describe("a file given as reference data that is none", () => {
  it("is said as reference data, not as a registry statement whose format can be chosen", () => {
    const f = friendlyError({
      code: "unreadable",
      message: "junk.txt: not a reference-data file (expected a CDS accounts listing …)",
      details: { file: "junk.txt", place: "document", format: "reference data" },
    });
    expect(f.title).toBe("This file is not reference data EAC Desk reads.");
    expect(f.hint).toContain("Nothing from it was imported.");
    expect(f.hint).toContain("program_number");
    expect(f.hint).not.toContain("choose its format");
    expect(f.message).toContain("junk.txt");
  });
});

describe("a stored document changed by another program", () => {
  it("is said as such, not as a file that could not be imported", () => {
    const f = friendlyError({
      code: "unreadable",
      message: "The stored document a.pdf is no longer the one that was imported: …",
      details: { file: "a.pdf", place: "stored copy" },
    });
    expect(f.title).toBe("The stored document is no longer the original.");
    expect(f.hint).toContain("restore the database from a backup, or import the original file again");
    expect(f.hint).not.toContain("imported.");
    expect(f.message).toContain("a.pdf");
    // A file being imported keeps its own words.
    expect(friendlyError({ code: "unreadable", message: "x", details: { place: "line 3" } }).title).toBe(
      "This file could not be read as a registry statement or report.",
    );
  });
});

describe("another program's database", () => {
  it("is titled as what it is, not as input that is not valid", () => {
    const message =
      "/home/ann/crm.sqlite is an SQLite database of another program (it holds a table EAC Desk does not use: `contacts`); EAC Desk keeps its data in a database of its own and changes nothing in it. Choose another file, or a new name to start an EAC Desk database.";
    const f = friendlyError({
      code: "invalid_input",
      message,
      details: { path: "/home/ann/crm.sqlite", database: "other_program" },
    });
    expect(f.title).toBe("This file is another program's database, not an EAC Desk database.");
    expect(f.title).not.toBe(friendlyError({ code: "invalid_input", message: "x", details: {} }).title);
    expect(f.hint).toContain("left it exactly as it was");
    expect(f.hint).not.toContain("Check the fields you filled in");
    expect(f.message).toBe(message);
  });
});

describe("a database path that is no file", () => {
  it("is titled as no database file, not as a file that could not be read", () => {
    const f = friendlyError({
      code: "invalid_input",
      message:
        "/tmp/db.sqlite is a named pipe, not a database file: EAC Desk keeps a database in a regular file. Nothing was opened or changed. Choose a database file, or a new file name to start a database.",
      details: { path: "/tmp/db.sqlite", database: "not_a_file" },
    });
    expect(f.title).toBe("This is not a database file.");
    expect(f.hint).toContain("Choose a database file");
    expect(f.message).toContain("is a named pipe");
  });
});

describe("the open database's file gone while the app runs", () => {
  it("is titled as what happened to it, each case its own, with what to do", () => {
    const said = (database: "missing" | "emptied" | "replaced") =>
      friendlyError({ code: "io", message: "The database file /d/e.sqlite …", details: { path: "/d/e.sqlite", database } });
    expect(said("missing").title).toBe("The open database file is no longer there.");
    expect(said("emptied").title).toBe("The open database file was emptied by another program.");
    expect(said("replaced").title).toBe("The open database file was replaced by another file.");
    for (const d of ["missing", "emptied", "replaced"] as const) {
      expect(said(d).title).not.toBe(friendlyError({ code: "io", message: "x", details: {} }).title);
      expect(said(d).hint).toContain("Open database…");
    }
    expect(said("missing").hint).toContain("Every action answers this until a database is opened");
  });
});
