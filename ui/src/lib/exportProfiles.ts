// Export profiles offered in the Export dialog, and the dialog's pure logic
// (what blocks the Export button, hints about the typed path, plain words
// for a refused export), kept here so it is tested.

import type { ExportProfile, Violation } from "./types";
import { endsWithJson, withJson, withoutJson } from "./paths";
import { baseUrlProblem } from "./refdata";
import { plural } from "./decimal";
import { missingFieldLabels } from "./fields";
import { EXPORT_PROFILES as PROFILES } from "./labels";

export interface ProfileInfo {
  id: ExportProfile;
  label: string;
  description: string;
  /** P1 writes one JSON file, P2 a bundle folder */
  target: "file" | "folder";
}

const TARGET: Record<ExportProfile, ProfileInfo["target"]> = { p1: "file", p2: "folder" };

/** The profiles in spec order, labelled and described as `eacdesk export --help` does. */
export const EXPORT_PROFILES: readonly ProfileInfo[] = PROFILES.map((p) => ({
  id: p.value,
  // the profile's short name beside the spec's: "P1 · CDS draft 2024-08-29 (with values)"
  label: `${p.value.toUpperCase()} · ${p.label}`,
  description: p.help,
  target: TARGET[p.value],
}));

export function defaultProfile(): ExportProfile {
  return "p1";
}

export function profileInfo(id: ExportProfile): ProfileInfo {
  return EXPORT_PROFILES.find((p) => p.id === id) ?? EXPORT_PROFILES[0];
}

/** A gentle note about a typed path that does not fit the chosen profile (never blocks). */
export interface PathHint {
  text: string;
  /** a corrected path the person can take with one click, or null */
  fix: string | null;
}

/**
 * P2 with a path ending in `.json`: a folder of that name would be made.
 * P1 with a path not ending in `.json`: only after the person switched
 * profile (P1 alone behaves as it always did).
 */
export function pathHint(profile: ExportProfile, path: string, switchedProfile: boolean): PathHint | null {
  if (path.trim() === "") return null;
  if (profileInfo(profile).target === "folder") {
    if (!endsWithJson(path)) return null;
    return {
      text:
        "This bundle is a folder, but the path ends in “.json”, so a folder with that name would be made. " +
        "Usually a folder name has no “.json”.",
      fix: withoutJson(path),
    };
  }
  if (!switchedProfile || endsWithJson(path)) return null;
  return {
    text: "This format is one JSON file, but the path does not end in “.json”. Adding it helps other programs open the file.",
    fix: withJson(path),
  };
}

/**
 * How many EACs an export of everything writes: envelope-only EACs (no
 * values) go into a P2 bundle but are not in `eac_count`.
 */
export function allExportCount(
  profile: ExportProfile,
  eacCount: number | null,
  envelopeOnly: number,
): number | null {
  if (eacCount === null) return null;
  return profileInfo(profile).target === "folder" ? eacCount + envelopeOnly : eacCount;
}

/** Why the Export button is disabled, or null when it may run. */
export function exportBlocker(o: {
  profile: ExportProfile;
  path: string;
  scopeCount: number | null;
  baseUrl: string;
  /** the whole database is exported (not the current filter) */
  scopeAll?: boolean;
  /** EACs known only by their P2 envelope, i.e. without values */
  envelopeOnly?: number;
}): string | null {
  const folder = profileInfo(o.profile).target === "folder";
  const envelopes = o.envelopeOnly ?? 0;
  if (!folder && o.scopeAll && envelopes > 0) {
    return (
      `${plural(envelopes, "EAC")} in this database ${envelopes === 1 ? "has" : "have"} no values ` +
      "(imported from a P2 listing without its detail files), so this format cannot hold " +
      `${envelopes === 1 ? "it" : "them"}. Choose the CDS-WG3-01 v1 bundle, or export only the current filter.`
    );
  }
  if (o.path.trim() === "") return folder ? "Enter or choose the bundle folder." : "Enter or choose where to save the file.";
  if (o.scopeCount === 0) return "There are no EACs to export.";
  if (folder) {
    const p = baseUrlProblem(o.baseUrl);
    if (p) return `Fix the “Publish at” address first: ${p}`;
  }
  return null;
}

function distinctEacs(vs: readonly Violation[]): number {
  const ids = new Set<string>();
  let anonymous = 0;
  for (const v of vs) {
    if (v.cds_eac_id) ids.add(v.cds_eac_id);
    else anonymous++;
  }
  return ids.size + (ids.size === 0 ? Math.min(anonymous, 1) : 0);
}

/** An EAC imported from a P2 listing without its detail data (it has no values). */
export function isEnvelopeOnlyViolation(v: Violation): boolean {
  return v.rule === 16 && /envelope-only/i.test(v.message);
}

/** Rule 6: an emission factor has no number. */
export function isMissingEmissionViolation(v: Violation): boolean {
  return v.rule === 6 && /emission/i.test(v.message);
}

/** Rule 2: a CDS-required field the document an EAC came from does not give (a registry import). */
export function isIncompleteViolation(v: Violation): boolean {
  return v.rule === 2 && /is missing: the document/i.test(v.message);
}

/** The EAC ids of a refusal for incomplete EACs, each once, in order. */
export function incompleteEacIds(violations: readonly Violation[]): string[] {
  const ids: string[] = [];
  for (const v of violations) {
    if (isIncompleteViolation(v) && v.cds_eac_id && !ids.includes(v.cds_eac_id)) ids.push(v.cds_eac_id);
  }
  return ids;
}

/** The field a violation points at (`/eacs/3/values/0/issued` → `values/0/issued`). */
function pointedField(v: Violation): string {
  return v.pointer.replace(/^\/eacs\/\d+\//, "").replace(/^\//, "");
}

/**
 * Plain words above the list of problems of a refused export: what kind of
 * problem stopped it and what to do next. Empty when nothing specific applies.
 */
export function refusalAdvice(profile: ExportProfile, violations: readonly Violation[]): string[] {
  const out: string[] = [];
  const envelope = violations.filter(isEnvelopeOnlyViolation);
  const emissions = violations.filter(isMissingEmissionViolation);
  if (envelope.length > 0 && profile === "p1") {
    const n = distinctEacs(envelope);
    const one = n === 1;
    out.push(
      `${plural(n, "EAC was", "EACs were")} imported from a P2 listing without ${one ? "its" : "their"} detail data, ` +
        `so ${one ? "it has" : "they have"} no values and cannot be written in this format. ` +
        "Choose the “CDS-WG3-01 v1 bundle” format, export only the EACs in a filter, or import that P2 listing " +
        `again together with its detail files. ${one ? "This EAC is" : "These EACs are"} not in the table; ` +
        "the “without values” link at the bottom of the window lists them.",
    );
  }
  const incomplete = violations.filter(isIncompleteViolation);
  const incompleteIds = new Set(incomplete.map((v) => v.cds_eac_id));
  if (incomplete.length > 0) {
    const ids = incompleteEacIds(violations);
    // Their missing emission factors are part of the same story.
    const fields = missingFieldLabels(
      violations
        .filter((v) => isIncompleteViolation(v) || (isMissingEmissionViolation(v) && incompleteIds.has(v.cds_eac_id)))
        .map(pointedField),
    );
    // The export stops after its first findings, so the ids are those listed, not necessarily all.
    const shown = ids.slice(0, 3).join(", ") + (ids.length > 3 ? ` and ${ids.length - 3} more listed below` : "");
    const one = ids.length <= 1;
    out.push(
      `${one ? "An EAC is" : "EACs are"} incomplete${shown ? ` (${shown})` : ""}: the ${one ? "document it" : "documents they"} came from ` +
        `${one ? "does" : "do"} not give ${fields.join(", ")}. Click “Show incomplete EACs” to list ${one ? "it" : "them all"} in the table, ` +
        `then complete the fields in the Details tab${one ? "" : ", or for all of them at once with “Complete fields…” above the table"}.`,
    );
  }
  const otherEmissions = emissions.filter((v) => !incompleteIds.has(v.cds_eac_id));
  if (otherEmissions.length > 0) {
    const n = distinctEacs(otherEmissions);
    out.push(
      `${plural(n, "EAC has", "EACs have")} no emission factor. Tick “Missing emission factors” in the filter bar to list them, ` +
        "then enter the factors in the Details tab of each one.",
    );
  }
  return out;
}

/**
 * The warnings of an export that was written (`ExportReport.warnings`,
 * `BundleReport.warnings`) in plain words, one line each: a technology
 * outside the draft list (rule 3) says what the file holds and what
 * `validate` and an import need to accept it; any other warning is given as
 * the backend words it.
 */
export function exportWarningLines(warnings: readonly Violation[] | undefined): string[] {
  return (warnings ?? []).map((v) => {
    const m = /^technology `([^`]+)` is not in the 2024-08-29 draft list \((\d+) EACs? of this export ha(?:s|ve) it/.exec(v.message);
    if (!m) return v.message.replace(/`/g, "");
    const [, tech, count] = m;
    const n = Number(count);
    const first = v.cds_eac_id ? ` (${n === 1 ? "" : "the first: "}${v.cds_eac_id})` : "";
    return (
      `The file holds ${plural(n, `${tech} EAC`)}${first}, a technology the spec's 2024-08-29 draft list does not have: ` +
      "it was written as stored, but validating or importing it needs “Also accept nuclear, marine and storage” " +
      "in the Import dialog (--allow-extended-technologies on the command line)."
    );
  });
}
