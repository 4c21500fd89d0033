import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ACTION_CHOICES,
  EMPTY_HISTORY_FORM,
  auditWho,
  historyFormProblem,
  isFiltered,
  pageMoves,
  pageText,
  toAuditQuery,
} from "./auditQuery";

describe("the history's query", () => {
  beforeAll(() => vi.stubEnv("TZ", "Europe/Berlin"));
  afterAll(() => vi.unstubAllEnvs());

  it("is every record when nothing is typed", () => {
    expect(toAuditQuery(EMPTY_HISTORY_FORM)).toEqual({ actions: [], offset: 0, limit: 100 });
    expect(isFiltered(EMPTY_HISTORY_FORM)).toBe(false);
  });

  it("takes whole local days, the last one included", () => {
    const q = toAuditQuery({ ...EMPTY_HISTORY_FORM, from: "2026-01-15", to: "2026-01-15" }, 200, 50);
    // Berlin is UTC+1 in January
    expect(q.from).toBe("2026-01-14T23:00:00.000Z");
    expect(q.to).toBe("2026-01-15T23:00:00.000Z");
    expect(q.offset).toBe(200);
    expect(q.limit).toBe(50);
  });

  it("trims who and EAC and names one action", () => {
    const q = toAuditQuery({ ...EMPTY_HISTORY_FORM, who: " ana ", eac: " GO-1 ", action: "delete" });
    expect(q).toMatchObject({ who: "ana", eac: "GO-1", actions: ["delete"] });
  });

  it("says what is wrong with the days", () => {
    expect(historyFormProblem({ ...EMPTY_HISTORY_FORM, from: "2026-02-01", to: "2026-01-01" })).toContain("before");
    expect(historyFormProblem({ ...EMPTY_HISTORY_FORM, from: "2026-02-30" })).toContain("not a date");
    expect(historyFormProblem({ ...EMPTY_HISTORY_FORM, from: "2026-01-01", to: "2026-01-01" })).toBeNull();
  });

  it("takes days typed as the filter bar's (YYYY-MM-DD), says how to finish a half-typed one, and trims them", () => {
    expect(historyFormProblem({ ...EMPTY_HISTORY_FORM, from: "2026-0" })).toContain("write it as YYYY-MM-DD");
    expect(historyFormProblem({ ...EMPTY_HISTORY_FORM, to: "1/15/2026" })).toContain("write it as YYYY-MM-DD");
    const typed = { ...EMPTY_HISTORY_FORM, from: " 2026-01-15 ", to: "2026-01-15 " };
    expect(historyFormProblem(typed)).toBeNull();
    expect(toAuditQuery(typed)).toEqual(toAuditQuery({ ...EMPTY_HISTORY_FORM, from: "2026-01-15", to: "2026-01-15" }));
    expect(isFiltered({ ...EMPTY_HISTORY_FORM, from: "  " })).toBe(false);
  });
});

describe("paging", () => {
  it("names the page", () => {
    expect(pageText({ total: 1234, offset: 100, shown: 100 }, false)).toBe(
      "Changes 101–200 of 1 234, newest first",
    );
    expect(pageText({ total: 3, offset: 0, shown: 3 }, true)).toBe("Matching changes 1–3 of 3, newest first");
    expect(pageText({ total: 0, offset: 0, shown: 0 }, true)).toContain("No change matches");
    expect(pageText({ total: 0, offset: 0, shown: 0 }, false)).toContain("Nothing has been recorded");
  });

  it("moves by whole pages and stops at the ends", () => {
    expect(pageMoves({ total: 250, offset: 0 }, 100)).toEqual({ prev: null, next: 100 });
    expect(pageMoves({ total: 250, offset: 200 }, 100)).toEqual({ prev: 100, next: null });
    expect(pageMoves({ total: 100, offset: 0 }, 100)).toEqual({ prev: null, next: null });
  });
});

describe("who", () => {
  it("puts the display name first and keeps the login", () => {
    expect(auditWho({ os_user: "ana", display_name: "Ana López" })).toBe("Ana López (ana)");
    expect(auditWho({ os_user: "ana", display_name: null })).toBe("ana");
    expect(auditWho({ os_user: "ana", display_name: "ana" })).toBe("ana");
    // On a team server, the login the server checked beside what the desk said.
    expect(auditWho({ os_user: "bob", display_name: null, server_login: "ann" })).toBe("bob (server login ann)");
    expect(auditWho({ os_user: "ana", display_name: "Ana López", server_login: "ana" })).toBe(
      "Ana López (ana, server login ana)",
    );
    expect(auditWho({ os_user: "ana", display_name: null, server_login: null })).toBe("ana");
  });

  it("offers every action with words", () => {
    expect(ACTION_CHOICES.length).toBe(13);
    expect(ACTION_CHOICES.every((a) => a.label.length > 0)).toBe(true);
  });
});
