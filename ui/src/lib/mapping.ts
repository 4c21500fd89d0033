// The column mapping of "Any registry's CSV": the form the mapping step
// edits, and the mapping JSON eac-registry reads (`Mapping` in
// crates/eac-registry/src/mapped.rs, saved by `save_csv_mapping`). The JSON
// crosses IPC as text, so its shape is written out here; the tests build the
// examples of crates/eac-registry/tests/fixtures/mapped/ from a form and back,
// and the backend checks every mapping again before saving it.

import type { TechnologyType } from "./types";
import { toAppError } from "./errors";

/** Where a field's text comes from (a `Field` of mapped.rs). */
export type FieldSource = { column: string } | { column_number: number } | { value: string };

export type NumberStyle = "decimal_point" | "decimal_comma";
export type DateOrder = "iso" | "dmy" | "mdy";

/** The fields a mapping names, each optional in the JSON. */
export const FIELD_KEYS = [
  "first",
  "last",
  "count",
  "per_certificate",
  "total_energy",
  "unit",
  "status",
  "claim_date",
  "issue_date",
  "period_start",
  "period_end",
  "month",
  "device_id",
  "device_name",
  "technology",
  "beneficiary_name",
  "holder",
] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

/** The mapping JSON (keys as eac-registry reads them; absent = not mapped). */
export interface MappingJson {
  name: string;
  registry: string;
  source_id: string;
  source_name: string;
  delimiter: string;
  skip_lines: number;
  has_header: boolean;
  number_style: NumberStyle;
  date_order: DateOrder;
  time_zone: string;
  range?: { field: FieldSource; separator: string };
  technology_table: Record<string, TechnologyType>;
  facts: { name: string; field: FieldSource }[];
  first?: FieldSource;
  last?: FieldSource;
  count?: FieldSource;
  per_certificate?: FieldSource;
  total_energy?: FieldSource;
  unit?: FieldSource;
  status?: FieldSource;
  claim_date?: FieldSource;
  issue_date?: FieldSource;
  period_start?: FieldSource;
  period_end?: FieldSource;
  month?: FieldSource;
  device_id?: FieldSource;
  device_name?: FieldSource;
  technology?: FieldSource;
  beneficiary_name?: FieldSource;
  holder?: FieldSource;
}

/** One field as the form holds it. */
export type FieldChoice =
  | { kind: "none" }
  | { kind: "column"; name: string }
  | { kind: "number"; number: number }
  | { kind: "value"; value: string };

export interface MappingForm {
  name: string;
  registry: string;
  source_id: string;
  source_name: string;
  delimiter: string;
  /** text of a whole number (a field being typed) */
  skip_lines: string;
  has_header: boolean;
  number_style: NumberStyle;
  date_order: DateOrder;
  time_zone: string;
  /** certificate numbers: first and last columns, or one range column */
  numbers: "first_last" | "range";
  range: FieldChoice;
  range_separator: string;
  /** energy: per certificate, or the row's total */
  energy: "per_certificate" | "total_energy";
  /** production period: start and end dates, or a month */
  period: "dates" | "month";
  fields: Record<FieldKey, FieldChoice>;
  technology_table: { wording: string; technology: TechnologyType | "" }[];
  facts: { name: string; field: FieldChoice }[];
}

export const DELIMITERS: readonly { value: string; label: string }[] = [
  { value: ",", label: "Comma ( , )" },
  { value: ";", label: "Semicolon ( ; )" },
  { value: "\t", label: "Tab" },
  { value: "|", label: "Vertical bar ( | )" },
];

export const NUMBER_STYLES: readonly { value: NumberStyle; label: string }[] = [
  { value: "decimal_point", label: "1,234.5 — point for decimals" },
  { value: "decimal_comma", label: "1.234,5 — comma for decimals" },
];

export const DATE_ORDERS: readonly { value: DateOrder; label: string }[] = [
  { value: "iso", label: "2023-03-31 (year-month-day)" },
  { value: "dmy", label: "31/03/2023 (day first)" },
  { value: "mdy", label: "03/31/2023 (month first, US)" },
];

/** What each field is, for its label and help text. */
export const FIELD_TEXT: Record<FieldKey | "range", { label: string; help: string }> = {
  first: { label: "First certificate number", help: "The first number of the row's range (inclusive)." },
  last: { label: "Last certificate number", help: "The last number of the row's range (inclusive)." },
  range: {
    label: "Certificate range",
    help: "One column holding both numbers, e.g. “1001 - 2000”; give the text between them below.",
  },
  count: {
    label: "Number of certificates",
    help: "Optional: counted from the range when not mapped, checked against it when mapped.",
  },
  per_certificate: {
    label: "Energy per certificate",
    help: "Usually a fixed 1 (one certificate per MWh).",
  },
  total_energy: {
    label: "Total energy of the row",
    help: "Divided by the number of certificates; it must divide exactly.",
  },
  unit: { label: "Energy unit", help: "MWh, kWh or Wh: usually a fixed value." },
  status: {
    label: "Registry status",
    help: "Kept exactly as printed (issued, retired, cancelled, expired…); a fixed value such as “retired” for a retirement report.",
  },
  claim_date: {
    label: "Claim date",
    help: "Optional: when the certificates were retired, redeemed or cancelled.",
  },
  issue_date: { label: "Issue date", help: "Optional: when the certificates were issued." },
  period_start: { label: "Production from", help: "First day of production (a whole local day)." },
  period_end: { label: "Production to", help: "Last day of production (inclusive)." },
  month: { label: "Production month", help: "A month such as Mar-2023, 03/2023 or 2023-03." },
  device_id: { label: "Device id", help: "The registry's id of the generating unit." },
  device_name: { label: "Device name", help: "Optional: the generating unit's name." },
  technology: {
    label: "Technology",
    help: "Optional: the registry's wording, turned into a CDS technology by the table below; wording not in the table leaves the technology missing.",
  },
  beneficiary_name: { label: "Beneficiary", help: "Optional: who the certificates were claimed for." },
  holder: { label: "Account holder", help: "Optional: the registry account holding the certificates." },
};

const NONE: FieldChoice = { kind: "none" };

function noFields(): Record<FieldKey, FieldChoice> {
  return Object.fromEntries(FIELD_KEYS.map((k) => [k, NONE])) as Record<FieldKey, FieldChoice>;
}

/** A new mapping: comma-separated with a header, 1 MWh per certificate. */
export function emptyForm(): MappingForm {
  const fields = noFields();
  fields.per_certificate = { kind: "value", value: "1" };
  fields.unit = { kind: "value", value: "MWh" };
  return {
    name: "",
    registry: "",
    source_id: "",
    source_name: "",
    delimiter: ",",
    skip_lines: "0",
    has_header: true,
    number_style: "decimal_point",
    date_order: "iso",
    time_zone: "",
    numbers: "first_last",
    range: NONE,
    range_separator: " - ",
    energy: "per_certificate",
    period: "dates",
    fields,
    technology_table: [],
    facts: [],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toChoice(v: unknown): FieldChoice {
  if (!isRecord(v)) return NONE;
  if (typeof v.column === "string") return { kind: "column", name: v.column };
  if (typeof v.column_number === "number") return { kind: "number", number: v.column_number };
  if (typeof v.value === "string") return { kind: "value", value: v.value };
  return NONE;
}

function toSource(c: FieldChoice): FieldSource | undefined {
  switch (c.kind) {
    case "column":
      return { column: c.name };
    case "number":
      return { column_number: c.number };
    case "value":
      return { value: c.value };
    default:
      return undefined;
  }
}

function str(v: unknown, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

/** The form of a saved mapping (its JSON, parsed); what it lacks takes the defaults. */
export function formFromMapping(json: unknown): MappingForm {
  const f = emptyForm();
  if (!isRecord(json)) return f;
  f.name = str(json.name, "");
  f.registry = str(json.registry, "");
  f.source_id = str(json.source_id, "");
  f.source_name = str(json.source_name, "");
  f.delimiter = str(json.delimiter, ",");
  f.skip_lines = typeof json.skip_lines === "number" ? String(json.skip_lines) : "0";
  f.has_header = typeof json.has_header === "boolean" ? json.has_header : true;
  f.number_style = json.number_style === "decimal_comma" ? "decimal_comma" : "decimal_point";
  f.date_order = json.date_order === "dmy" || json.date_order === "mdy" ? json.date_order : "iso";
  f.time_zone = str(json.time_zone, "");
  f.fields = noFields();
  for (const k of FIELD_KEYS) f.fields[k] = toChoice(json[k]);
  if (isRecord(json.range)) {
    f.numbers = "range";
    f.range = toChoice(json.range.field);
    f.range_separator = str(json.range.separator, " - ");
  }
  f.energy = f.fields.total_energy.kind !== "none" ? "total_energy" : "per_certificate";
  f.period = f.fields.month.kind !== "none" ? "month" : "dates";
  const table = isRecord(json.technology_table) ? json.technology_table : {};
  f.technology_table = Object.entries(table)
    .filter((e): e is [string, TechnologyType] => typeof e[1] === "string")
    .map(([wording, technology]) => ({ wording, technology }));
  f.facts = Array.isArray(json.facts)
    ? json.facts.filter(isRecord).map((x) => ({ name: str(x.name, ""), field: toChoice(x.field) }))
    : [];
  return f;
}

/** The fields the chosen alternatives leave out (range vs first/last, …). */
function unused(form: MappingForm): Set<FieldKey> {
  const out = new Set<FieldKey>();
  if (form.numbers === "range") out.add("first").add("last");
  out.add(form.energy === "per_certificate" ? "total_energy" : "per_certificate");
  if (form.period === "dates") out.add("month");
  else out.add("period_start").add("period_end");
  return out;
}

/** Whole number of a typed field, or 0. */
function wholeNumber(text: string): number {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : 0;
}

/**
 * The mapping JSON of the form, as `save_csv_mapping` takes it: only the
 * chosen alternatives, texts trimmed where a blank would never be meant,
 * technology rows without a wording or a technology left out.
 */
export function mappingFromForm(form: MappingForm): MappingJson {
  const skip = unused(form);
  const out: MappingJson = {
    name: form.name.trim(),
    registry: form.registry.trim(),
    source_id: form.source_id.trim(),
    source_name: form.source_name.trim(),
    delimiter: form.delimiter,
    skip_lines: wholeNumber(form.skip_lines),
    has_header: form.has_header,
    number_style: form.number_style,
    date_order: form.date_order,
    time_zone: form.time_zone.trim(),
    technology_table: {},
    facts: [],
  };
  for (const k of FIELD_KEYS) {
    if (skip.has(k)) continue;
    const s = toSource(form.fields[k]);
    if (s) out[k] = s;
  }
  if (form.numbers === "range") {
    const s = toSource(form.range);
    if (s) out.range = { field: s, separator: form.range_separator };
  }
  for (const row of form.technology_table) {
    const wording = row.wording.trim();
    if (wording !== "" && row.technology !== "") out.technology_table[wording] = row.technology;
  }
  for (const fact of form.facts) {
    const s = toSource(fact.field);
    if (s && fact.name.trim() !== "") out.facts.push({ name: fact.name.trim(), field: s });
  }
  return out;
}

/** Only what the preview needs (the rest may be unfinished). */
export function previewMapping(form: MappingForm): string {
  return JSON.stringify({
    delimiter: form.delimiter,
    skip_lines: wholeNumber(form.skip_lines),
    has_header: form.has_header,
  });
}

// ---- the column selects ------------------------------------------------------

/** The `<select>` value of a choice: "" (not mapped), "c:NAME", "n:3" or "v" (a fixed value). */
export function choiceKey(c: FieldChoice): string {
  switch (c.kind) {
    case "column":
      return `c:${c.name}`;
    case "number":
      return `n:${c.number}`;
    case "value":
      return "v";
    default:
      return "";
  }
}

/** The choice a `<select>` value stands for (`previous` keeps a fixed value's text). */
export function choiceFromKey(key: string, previous: FieldChoice = NONE): FieldChoice {
  if (key.startsWith("c:")) return { kind: "column", name: key.slice(2) };
  if (key.startsWith("n:") && /^\d+$/.test(key.slice(2))) return { kind: "number", number: Number(key.slice(2)) };
  if (key === "v") return { kind: "value", value: previous.kind === "value" ? previous.value : "" };
  return NONE;
}

export interface ColumnOption {
  key: string;
  label: string;
}

/**
 * The columns a field can be mapped to: by header name when the file has a
 * header, else by position; `width` is the widest previewed row.
 */
export function columnOptions(header: readonly string[] | null, width: number, hasHeader: boolean): ColumnOption[] {
  const out: ColumnOption[] = [];
  const n = Math.max(width, header?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const name = header?.[i]?.trim() ?? "";
    if (hasHeader && name !== "") out.push({ key: `c:${name}`, label: `${i + 1} · ${name}` });
    else out.push({ key: `n:${i + 1}`, label: `Column ${i + 1}` });
  }
  return out;
}

/** The 0-based column a choice reads, or null (a fixed value, or a name the header lacks). */
export function columnIndex(c: FieldChoice, header: readonly string[] | null): number | null {
  if (c.kind === "number") return c.number >= 1 ? c.number - 1 : null;
  if (c.kind === "column" && header) {
    const want = c.name.trim().toLowerCase();
    const i = header.findIndex((h) => h.trim().toLowerCase() === want);
    return i >= 0 ? i : null;
  }
  return null;
}

/** What a choice reads from one previewed row (a fixed value as it is). */
export function sampleOf(c: FieldChoice, header: readonly string[] | null, cells: readonly string[] | undefined): string | null {
  if (c.kind === "value") return c.value;
  const i = columnIndex(c, header);
  return i === null || !cells ? null : (cells[i] ?? null);
}

/**
 * The form after "the file has a header" changed: columns chosen by name
 * become positions (a file without a header has no names) and positions
 * become names where the header has one.
 */
export function withHeaderFlag(form: MappingForm, hasHeader: boolean, header: readonly string[] | null): MappingForm {
  const convert = (c: FieldChoice): FieldChoice => {
    if (!hasHeader && c.kind === "column") {
      const i = columnIndex(c, header);
      return i === null ? c : { kind: "number", number: i + 1 };
    }
    if (hasHeader && c.kind === "number" && header) {
      const name = header[c.number - 1]?.trim();
      return name ? { kind: "column", name } : c;
    }
    return c;
  };
  const fields = { ...form.fields };
  for (const k of FIELD_KEYS) fields[k] = convert(fields[k]);
  return {
    ...form,
    has_header: hasHeader,
    fields,
    range: convert(form.range),
    facts: form.facts.map((f) => ({ ...f, field: convert(f.field) })),
  };
}

/** Which fields read column `i` (0-based), for the preview's column heads. */
export function fieldsOfColumn(form: MappingForm, header: readonly string[] | null, i: number): string[] {
  const skip = unused(form);
  const out: string[] = [];
  for (const k of FIELD_KEYS) {
    if (!skip.has(k) && columnIndex(form.fields[k], header) === i) out.push(FIELD_TEXT[k].label);
  }
  if (form.numbers === "range" && columnIndex(form.range, header) === i) out.push(FIELD_TEXT.range.label);
  for (const f of form.facts) if (columnIndex(f.field, header) === i && f.name) out.push(`Fact ${f.name}`);
  return out;
}

/**
 * The technology wordings of the previewed rows that the table does not
 * list yet (trimmed, in order of appearance), to add as rows.
 */
export function newTechnologyWordings(
  form: MappingForm,
  header: readonly string[] | null,
  rows: readonly (readonly string[])[],
): string[] {
  const i = columnIndex(form.fields.technology, header);
  if (i === null) return [];
  const known = new Set(form.technology_table.map((r) => r.wording.trim()));
  const out: string[] = [];
  for (const cells of rows) {
    const w = (cells[i] ?? "").trim();
    if (w !== "" && !known.has(w)) {
      known.add(w);
      out.push(w);
    }
  }
  return out;
}

/**
 * The name `name` is saved under in `saved`: itself, else the one saved
 * name that is the same text with its accents written otherwise (“É” as
 * one character, or as “E” and a combining accent), which the backend
 * replaces under its saved spelling when `name` is saved.
 */
export function savedSpelling(saved: readonly { name: string }[], name: string): string {
  if (saved.some((s) => s.name === name)) return name;
  const want = name.normalize("NFC");
  const same = saved.filter((s) => s.name.normalize("NFC") === want);
  return same.length === 1 ? same[0].name : name;
}

/**
 * The problems of a refused mapping save, one per line, or null when the
 * refusal is of another kind (a name a saved mapping has in another case, a
 * key the backend does not read: shown as the backend words it). The
 * backend lists what the mapping lacks or gets wrong in
 * `details.problems`, each whole: its message joins them with "; ", which a
 * quoted column name or value may hold too, so the message is never split.
 */
export function mappingProblems(e: unknown): string[] | null {
  const err = toAppError(e);
  const listed = err.code === "invalid_input" ? err.details.problems : undefined;
  if (!listed || listed.length === 0) return null;
  return listed.map((s) => s.charAt(0).toUpperCase() + s.slice(1));
}

/** A short stable text of the mapping, to tell whether the form changed since it was saved. */
export function mappingKey(form: MappingForm): string {
  return JSON.stringify(mappingFromForm(form));
}

/** Common IANA zones, when the WebView cannot list them all. */
const FALLBACK_ZONES = [
  "UTC",
  "Europe/London",
  "Europe/Oslo",
  "Europe/Copenhagen",
  "Europe/Paris",
  "Europe/Berlin",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "Asia/Singapore",
  "Asia/Kolkata",
  "Australia/Sydney",
];

/** IANA time-zone names for the time-zone field's suggestions. */
export function timeZoneNames(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    const all = intl.supportedValuesOf?.("timeZone");
    if (all && all.length > 0) return all.includes("UTC") ? all : ["UTC", ...all];
  } catch {
    // an older engine: the short list below
  }
  return FALLBACK_ZONES;
}
