// Completing and correcting the fields of EACs (the detail pane's
// "complete this EAC" form and the bulk field editor): which fields there
// are, their plain names, what a typed value must look like, and how the
// missing fields the backend lists read to a person. Values stay TEXT as
// typed (decimals are never parsed to numbers); the backend checks them
// again and has the last word.

import type { EacDetail, FieldValue, SetFieldsReport, SettableField } from "./types";
import { ASSET_LOCATION_TYPES, TECHNOLOGY_TYPES, valuesOf } from "./labels";
import { isIsoDay } from "./dates";
import { emissionFactorProblem } from "./refdata";
import { formatCount, plural } from "./decimal";
import { reasonProblem } from "./reason";

/** How a field is entered: a select of spec values, free text, an exact decimal or a day. */
export type FieldKind = "location" | "technology" | "text" | "decimal" | "date";

export interface FieldSpec {
  field: SettableField;
  /** what the form calls it */
  label: string;
  kind: FieldKind;
  /** what it means and what to enter, for the hint under the editor */
  hint: string;
}

/** Every field `set_fields` writes, in the backend's order. */
export const FIELD_SPECS: readonly FieldSpec[] = [
  {
    field: "destination_id",
    label: "Destination id",
    kind: "text",
    hint: "The id of the account or utility the certificates were delivered to (the EAC's destination).",
  },
  {
    field: "destination_name",
    label: "Destination name",
    kind: "text",
    hint: "The name of that destination, as it should appear in exports.",
  },
  {
    field: "asset_origination",
    label: "Asset origination",
    kind: "location",
    hint: "Where the generating asset sits relative to the destination.",
  },
  {
    field: "asset_destination",
    label: "Destination area",
    kind: "location",
    hint: "The area the energy is delivered into, relative to the destination.",
  },
  {
    field: "asset_commissioned",
    label: "Asset commissioned",
    kind: "date",
    hint: "The day the generating asset started operating (YYYY-MM-DD); optional in CDS.",
  },
  {
    field: "technology_type",
    label: "Technology",
    kind: "technology",
    hint: "The registry's technology has no CDS type EAC Desk could map it to; choose the one that fits.",
  },
  {
    field: "emissions_factor_direct",
    label: "Direct emission factor",
    kind: "decimal",
    hint: "Exactly as printed, with a dot: 0, 0.4 or 12.5.",
  },
  {
    field: "emissions_factor_lca",
    label: "Life-cycle emission factor",
    kind: "decimal",
    hint: "Exactly as printed, with a dot: 0, 0.4 or 12.5.",
  },
  {
    field: "issued",
    label: "Issue date",
    kind: "date",
    hint: "Given to every value that has no issue date (the statement printed none); values with one keep theirs.",
  },
  {
    field: "retired",
    label: "Retirement date",
    kind: "date",
    hint: "Given to every value the statement proves retired but prints no date for; other values keep theirs.",
  },
];

export function fieldSpec(field: SettableField): FieldSpec {
  const s = FIELD_SPECS.find((f) => f.field === field);
  if (!s) throw new Error(`unknown field ${field}`);
  return s;
}

/** The spec values a select offers for `kind` (empty for typed fields). */
export function fieldOptions(kind: FieldKind) {
  if (kind === "location") return ASSET_LOCATION_TYPES;
  if (kind === "technology") return TECHNOLOGY_TYPES;
  return [];
}

/** Why `text` cannot be sent for `field`, or null (an empty field is left unchanged, so it is fine). */
export function fieldProblem(field: SettableField, text: string): string | null {
  const s = fieldSpec(field);
  const t = text.trim();
  if (t === "") return null;
  switch (s.kind) {
    case "text":
      return null;
    case "location":
      return (valuesOf(ASSET_LOCATION_TYPES) as string[]).includes(t) ? null : `${s.label}: choose Grid or Region.`;
    case "technology":
      return (valuesOf(TECHNOLOGY_TYPES) as string[]).includes(t) ? null : `${s.label}: choose one from the list.`;
    case "decimal":
      return emissionFactorProblem(s.label, t);
    case "date":
      return isIsoDay(t) ? null : `${s.label} is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31.`;
  }
}

/** What the user typed per field ("" = leave unchanged). */
export type FieldInputs = Partial<Record<SettableField, string>>;

/**
 * The values to send for the fields shown (only those filled in, trimmed, in
 * field order) and every problem of the form; `values` is empty when nothing
 * was filled in, which is itself a problem.
 */
export function fieldForm(
  inputs: FieldInputs,
  shown: readonly SettableField[],
  reason: string,
): { values: FieldValue[]; problems: string[] } {
  const values: FieldValue[] = [];
  const problems: string[] = [];
  for (const s of FIELD_SPECS) {
    if (!shown.includes(s.field)) continue;
    const t = (inputs[s.field] ?? "").trim();
    if (t === "") continue;
    const p = fieldProblem(s.field, t);
    if (p) problems.push(p);
    else values.push({ field: s.field, value: t });
  }
  if (values.length === 0 && problems.length === 0) problems.push("Fill in at least one field.");
  const r = reasonProblem(reason);
  if (r) problems.push(r);
  return { values, problems };
}

/**
 * Whether the form holds something typed and not saved: a value in one of
 * the fields shown, or a reason (what "Save fields" would lose on another EAC).
 */
export function fieldsFormEdited(inputs: FieldInputs, shown: readonly SettableField[], reason: string): boolean {
  return reason.trim() !== "" || shown.some((f) => (inputs[f] ?? "").trim() !== "");
}

/** The plain name of a missing field as the backend names it (`destination_id`, `values/2/issued`, …). */
export function missingFieldLabel(name: string): string {
  const last = name.split("/").pop() ?? name;
  switch (last) {
    case "beneficiary_type":
      return "Beneficiary type";
    case "issued":
      return "Issue date of a value";
    case "retired":
      return "Retirement date of a value";
    default: {
      const s = FIELD_SPECS.find((f) => f.field === last);
      return s ? s.label : last;
    }
  }
}

/** The distinct plain names of missing fields, in the order given. */
export function missingFieldLabels(missing: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of missing) {
    const l = missingFieldLabel(m);
    if (!out.includes(l)) out.push(l);
  }
  return out;
}

/** The tooltip of a table row's "Incomplete" badge. */
export function incompleteTitle(missing: readonly string[]): string {
  return `Missing: ${missingFieldLabels(missing).join(", ")}. Complete them (Details tab or “Complete fields…”) before exporting.`;
}

/** The settable field a missing path is completed with, or null (the beneficiary type has its own editor). */
export function settableOf(path: string): SettableField | null {
  const last = path.split("/").pop() ?? path;
  const s = FIELD_SPECS.find((f) => f.field === last);
  return s ? s.field : null;
}

/**
 * The fields the detail pane's completion form offers for `d`: the missing
 * ones it can set, plus the commissioning date when unknown. Emission
 * factors stay with their own form when they are all that is missing (an
 * EAC imported from a CDS file with `"TODO"` factors).
 */
export function completionFields(d: Pick<EacDetail, "missing" | "asset_commissioned">): SettableField[] {
  const missing = new Set(d.missing.map(settableOf).filter((f): f is SettableField => f !== null));
  const onlyFactors = [...missing].every((f) => f === "emissions_factor_direct" || f === "emissions_factor_lca");
  if (missing.size === 0 || onlyFactors) return [];
  if (d.asset_commissioned === null) missing.add("asset_commissioned");
  return FIELD_SPECS.map((s) => s.field).filter((f) => missing.has(f));
}

/** Whether `d` lacks its beneficiary type (completed in the Beneficiaries tab). */
export function missesBeneficiaryType(d: Pick<EacDetail, "missing">): boolean {
  return d.missing.includes("beneficiary_type");
}

/**
 * Whether EACs were left without a date the edit gave: an issue date their
 * document gave (`issued_kept`), or values not retired or retired on another
 * day (`retired_kept`).
 */
function keptAny(r: SetFieldsReport): boolean {
  return r.issued_kept > 0 || (r.retired_kept ?? 0) > 0;
}

/** The line under a dry run: "3 EACs would change (2 of them complete then)". */
export function dryRunText(r: SetFieldsReport): string {
  if (r.matching === 0) return "No EACs match.";
  // Values that keep another issue or retirement date do not "already hold" it: `setFieldsNotes` says why.
  const kept = keptAny(r);
  if (r.changed === 0) {
    if (kept) return r.matching === 1 ? "The EAC would not change." : `None of the ${plural(r.matching, "EAC")} would change.`;
    return r.matching === 1
      ? "The EAC would not change: it already holds these values."
      : `None of the ${plural(r.matching, "EAC")} would change: they already hold these values.`;
  }
  const rest = r.matching - r.changed;
  const left = kept ? `${rest === 1 ? "stays" : "stay"} as ${rest === 1 ? "it is" : "they are"}` : `already ${rest === 1 ? "holds" : "hold"} these values`;
  return (
    `${plural(r.changed, "EAC would", "EACs would")} change` +
    (r.now_complete > 0 ? ` (${formatCount(r.now_complete)} of them complete then)` : "") +
    (rest > 0 ? `; ${formatCount(rest)} ${left}.` : ".")
  );
}

/** The confirmation after saving: "2 EACs changed; 1 is complete now." */
export function setFieldsResultText(r: SetFieldsReport): string {
  if (r.matching === 0) return "No EAC matches; nothing changed.";
  if (r.changed === 0) {
    // A kept issue or retirement date is not "already held": `setFieldsNotes` says why it was kept.
    if (keptAny(r)) return "Nothing changed, so no History record was written.";
    return r.matching === 1
      ? "Nothing changed: the EAC already held these values."
      : "Nothing changed: the EACs already held these values.";
  }
  const complete =
    r.now_complete === 0
      ? ""
      : r.now_complete === r.changed
        ? r.changed === 1
          ? " It is complete now."
          : " All of them are complete now."
        : ` ${formatCount(r.now_complete)} of them ${r.now_complete === 1 ? "is" : "are"} complete now.`;
  return `${plural(r.changed, "EAC")} changed.${complete}`;
}

/**
 * What else a `set_fields` report says, in the backend's words: why issue
 * dates were kept (`issued_kept_why`) and why values were left without the
 * retirement date (`retired_kept_why`). Its rule 22 warnings (`warnings`)
 * are listed as violations.
 */
export function setFieldsNotes(r: SetFieldsReport): string[] {
  return [r.issued_kept_why, r.retired_kept_why].filter((w): w is string => !!w);
}
