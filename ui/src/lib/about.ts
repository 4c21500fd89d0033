// The About dialog's facts and the text of "Report a problem" (issue 14):
// one version (the workspace's, as `eacdesk --version` prints it), where
// the data is, and a report the person copies into a mail or ticket
// themselves. Nothing here sends anything anywhere.
import type { FriendlyError } from "./errors";
import type { AboutInfo, DbInfo } from "./types";

export interface AboutRow {
  label: string;
  value: string;
  testid: string;
}

/** The open database's schema, and the build's when they differ. */
export function schemaText(about: AboutInfo | null, db: DbInfo | null): string {
  if (!db) return about ? `none open (this version writes ${about.schema_version})` : "none open";
  if (!about || about.schema_version === db.schema_version) return String(db.schema_version);
  return `${db.schema_version} (this version writes ${about.schema_version})`;
}

/** The rows of the About dialog, in the order a support call asks for them. */
export function aboutRows(about: AboutInfo | null, db: DbInfo | null): AboutRow[] {
  const rows: AboutRow[] = [
    { label: "Version", value: about?.version ?? "…", testid: "about-version" },
    { label: "Database", value: db?.path ?? "none open", testid: "about-db-path" },
    { label: "Database schema", value: schemaText(about, db), testid: "about-schema" },
  ];
  if (about) {
    rows.push(
      { label: "Platform", value: `${about.os} ${about.arch}`, testid: "about-platform" },
      { label: "Default database", value: about.default_database, testid: "about-default-db" },
      { label: "Settings folder", value: about.settings_folder, testid: "about-settings" },
      { label: "Signing key folder", value: about.key_folder, testid: "about-keys" },
    );
  }
  return rows;
}

export interface ReportInput {
  about: AboutInfo | null;
  db: DbInfo | null;
  lastError: { error: FriendlyError; at: Date } | null;
  /** The web view's own description (WebKit version). */
  userAgent: string;
}

/**
 * The prefilled text of "Report a problem": version, platform, schema and
 * the last error shown, with a place for the person's own words. No file
 * paths: they may name people or clients; support can ask for them.
 */
export function problemReport({ about, db, lastError, userAgent }: ReportInput): string {
  const lines = [
    "EAC Desk problem report",
    "",
    "What I did, what I expected, what happened instead:",
    "",
    "",
    "--- filled in by EAC Desk ---",
    `Version: ${about?.version ?? "unknown"}`,
    `Platform: ${about ? `${about.os} ${about.arch}` : "unknown"}`,
    `Web view: ${userAgent || "unknown"}`,
    `Database schema: ${schemaText(about, db)}`,
    `EACs in the database: ${db ? db.eac_count : "none open"}`,
  ];
  if (lastError) {
    const e = lastError.error;
    lines.push(
      `Last error (${lastError.at.toISOString()}): ${e.title} [${e.code}]`,
      ...(e.message ? [`Message: ${e.message}`] : []),
    );
  } else {
    lines.push("Last error: none shown since EAC Desk started");
  }
  return lines.join("\n") + "\n";
}
