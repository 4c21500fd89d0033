import { describe, expect, it } from "vitest";
import { aboutRows, problemReport, schemaText } from "./about";
import { friendlyError, lastFriendlyError } from "./errors";
import type { AboutInfo, DbInfo } from "./types";

const about: AboutInfo = {
  version: "1.2.3",
  os: "linux",
  arch: "x86_64",
  schema_version: 9,
  default_database: "/home/ann/.local/share/eacdesk/eacdesk.sqlite",
  settings_folder: "/home/ann/.config/eacdesk",
  key_folder: "/home/ann/.local/share/eacdesk",
};
const db: DbInfo = {
  path: "/data/client-a.sqlite",
  eac_count: 12,
  value_count: 30,
  schema_version: 9,
  envelope_only_count: 0,
  warnings: [],
};

describe("About", () => {
  it("shows the version, the open database and its schema", () => {
    const rows = aboutRows(about, db);
    const byId = Object.fromEntries(rows.map((r) => [r.testid, r.value]));
    expect(byId["about-version"]).toBe("1.2.3");
    expect(byId["about-db-path"]).toBe("/data/client-a.sqlite");
    expect(byId["about-schema"]).toBe("9");
    expect(byId["about-platform"]).toBe("linux x86_64");
    expect(byId["about-settings"]).toBe("/home/ann/.config/eacdesk");
  });

  it("says when the database's schema is not the one this version writes", () => {
    expect(schemaText(about, { ...db, schema_version: 7 })).toBe("7 (this version writes 9)");
    expect(schemaText(about, null)).toBe("none open (this version writes 9)");
  });

  it("still shows what it knows before the backend answered", () => {
    expect(aboutRows(null, null).map((r) => r.value)).toEqual(["…", "none open", "none open"]);
  });
});

describe("Report a problem", () => {
  it("fills in version, platform, web view and schema, and no paths", () => {
    const text = problemReport({ about, db, lastError: null, userAgent: "WebKit/605.1.15" });
    expect(text).toContain("Version: 1.2.3\n");
    expect(text).toContain("Platform: linux x86_64\n");
    expect(text).toContain("Web view: WebKit/605.1.15\n");
    expect(text).toContain("Database schema: 9\n");
    expect(text).toContain("Last error: none shown since EAC Desk started");
    expect(text).not.toContain("/data/client-a.sqlite");
    expect(text).not.toContain("/home/ann");
  });

  it("names the last error shown, with its code and message, but not a cancel", () => {
    friendlyError({ code: "io", message: "Could not read /tmp/x.json: permission denied", details: {} });
    friendlyError({ code: "cancelled", message: "", details: {} });
    const last = lastFriendlyError();
    expect(last?.error.code).toBe("io");
    const text = problemReport({ about, db, lastError: last, userAgent: "" });
    expect(text).toMatch(/Last error \(\d{4}-\d\d-\d\dT[^)]+\): .+ \[io\]/);
    expect(text).toContain("Message: Could not read /tmp/x.json: permission denied");
    expect(text).toContain("Web view: unknown");
  });
});
