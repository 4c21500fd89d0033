// Filter bar state (plain strings, as form controls hold them) and its
// conversion to the contract's EacFilter (empty -> null).

import type { BeneficiaryType, Choice, EacFilter, FieldMatch, MatchField, RetiredState, SortSpec, TechnologyType } from "./types";
import {
  BENEFICIARY_TYPES,
  RETIRED_STATES,
  TECHNOLOGY_TYPES,
  beneficiaryTypeLabel,
  retiredLabel,
  technologyLabel,
  valuesOf,
} from "./labels";
import { isIsoDay } from "./dates";
import { formatCount } from "./decimal";

export interface FilterState {
  search: string;
  technology: string;
  beneficiary_type: string;
  from: string;
  to: string;
  retired: string;
  source: string;
  destination: string;
  /** "yes": only EACs missing an emission factor. */
  missing_emissions: string;
  /** "yes": only incomplete EACs (a CDS-required field missing, e.g. after a registry import). */
  incomplete: string;
}

export function emptyFilterState(): FilterState {
  return {
    search: "",
    technology: "",
    beneficiary_type: "",
    from: "",
    to: "",
    retired: "",
    source: "",
    destination: "",
    missing_emissions: "",
    incomplete: "",
  };
}

function text(s: string): string | null {
  const t = s.trim();
  return t === "" ? null : t;
}

/**
 * The longest search text, in characters: the backend refuses a longer one
 * (SQLite's LIKE takes patterns of at most 50,000 bytes; `SEARCH_MAX_CHARS`
 * in eac-store).
 */
export const SEARCH_MAX_CHARS = 10_000;

/** How many characters (code points, as the backend counts) a search text has, trimmed. */
function searchLength(s: string): number {
  return [...s.trim()].length;
}

/**
 * The search to send: the text as typed, even when too long to be searched
 * for. The backend refuses such a filter (`check_filter` in eac-store), so
 * the desk asks nothing with it and the actions that use the filter are off
 * ([`filterRefused`]) while the box still shows the text: the filter is never
 * quietly wider than the bar says.
 */
function search(s: string): string | null {
  return text(s);
}

function oneOf<T extends string>(s: string, allowed: readonly T[]): T | null {
  return (allowed as readonly string[]).includes(s) ? (s as T) : null;
}

function day(s: string): string | null {
  const t = s.trim();
  return isIsoDay(t) ? t : null;
}

/** The filter-state text behind the "Missing emission factors" checkbox. */
export function missingEmissionsValue(checked: boolean): string {
  return checked ? "yes" : "";
}

/** The filter-state text behind the "Incomplete only" checkbox. */
export function incompleteValue(checked: boolean): string {
  return checked ? "yes" : "";
}

/** The filter bar's fields and the cell filters (left out when there are none) as the backend takes them. */
export function toEacFilter(s: FilterState, matches: readonly FieldMatch[] = []): EacFilter {
  const f: EacFilter = {
    search: search(s.search),
    technology: oneOf<TechnologyType>(s.technology, valuesOf(TECHNOLOGY_TYPES)),
    beneficiary_type: oneOf<BeneficiaryType>(s.beneficiary_type, valuesOf(BENEFICIARY_TYPES)),
    from: day(s.from),
    to: day(s.to),
    retired: oneOf<RetiredState>(s.retired, valuesOf(RETIRED_STATES)),
    // source/destination are whatever distinct_values returned: passed on untouched (only "" -> null)
    source: s.source === "" ? null : s.source,
    destination: s.destination === "" ? null : s.destination,
    missing_emissions: s.missing_emissions === "yes" ? true : null,
    incomplete: s.incomplete === "yes" ? true : null,
  };
  if (matches.length > 0) f.matches = matches.map((m) => ({ ...m }));
  return f;
}

export function isEmptyFilter(f: EacFilter): boolean {
  return Object.values(f).every((v) => v === null || v === undefined);
}

/** How many filters are in effect (for "Clear filters (3)"). */
export function activeFilterCount(f: EacFilter): number {
  const { matches, ...rest } = f;
  return Object.values(rest).filter((v) => v !== null && v !== undefined).length + (matches?.length ?? 0);
}

const EXAMPLE_DAY = "2025-01-31";

/**
 * Whether the backend refuses this filter (`check_filter` in eac-store): a
 * search too long to be searched for, or a period whose first day is after
 * its last. The desk then asks nothing with it.
 */
export function filterRefused(f: EacFilter): boolean {
  if (f.search && searchLength(f.search) > SEARCH_MAX_CHARS) return true;
  return !!(f.from && f.to && f.from > f.to);
}

/**
 * Said in the filter bar while it shows a problem: the actions that act on
 * the EACs in the filter are off until it is fixed.
 */
export const FILTER_ACTIONS_OFF =
  "Until the filter is fixed, Export, Create evidence pack, Mark verified, Delete and changes to many EACs are off: they act on the EACs in the filter.";

/** Problems worth showing next to the filter bar. */
export function filterProblems(s: FilterState): string[] {
  const out: string[] = [];
  const n = searchLength(s.search);
  if (n > SEARCH_MAX_CHARS)
    out.push(
      `The search text is ${formatCount(n)} characters; at most ${formatCount(SEARCH_MAX_CHARS)} are searched for. Search for a shorter part of it.`,
    );
  if (s.from.trim() !== "" && !isIsoDay(s.from.trim())) out.push(`“Period from” is not a date yet: write it as YYYY-MM-DD, e.g. ${EXAMPLE_DAY}.`);
  if (s.to.trim() !== "" && !isIsoDay(s.to.trim())) out.push(`“Period to” is not a date yet: write it as YYYY-MM-DD, e.g. ${EXAMPLE_DAY}.`);
  const f = toEacFilter(s);
  if (f.from && f.to && f.from > f.to) out.push("“Period from” is after “Period to”, so nothing can match.");
  return out;
}

/** A stable identity for a (filter, sort) pair: when it changes, cached pages are stale. */
export function queryKey(f: EacFilter, sort: SortSpec): string {
  return JSON.stringify([
    f.search,
    f.technology,
    f.beneficiary_type,
    f.from,
    f.to,
    f.retired,
    f.source,
    f.destination,
    f.missing_emissions,
    f.incomplete,
    f.matches ?? [],
    sort.field,
    sort.descending,
  ]);
}

/** Clicking a column header: same field toggles direction, another field sorts ascending. */
export function nextSort(current: SortSpec, field: SortSpec["field"]): SortSpec {
  if (current.field === field) return { field, descending: !current.descending };
  return { field, descending: false };
}

export function ariaSort(current: SortSpec, field: SortSpec["field"]): "ascending" | "descending" | "none" {
  if (current.field !== field) return "none";
  return current.descending ? "descending" : "ascending";
}

/** How `describeFilter` names the values of the spec's lists. */
export interface FilterLabels {
  technology: (t: string) => string;
  beneficiary: (t: string) => string;
  retired: (t: string) => string;
}

const UI_LABELS: FilterLabels = { technology: technologyLabel, beneficiary: beneficiaryTypeLabel, retired: retiredLabel };

/** The filter in words, for confirmation dialogs: "Technology: Wind · Search: “abc”" (values named as everywhere in the UI). */
export function describeFilter(f: EacFilter, labels: FilterLabels = UI_LABELS): string {
  const parts: string[] = [];
  if (f.search) parts.push(`Search: “${f.search}”`);
  if (f.technology) parts.push(`Technology: ${labels.technology(f.technology)}`);
  if (f.beneficiary_type) parts.push(`Beneficiary type: ${labels.beneficiary(f.beneficiary_type)}`);
  if (f.from && f.to) parts.push(`Period overlaps ${f.from} – ${f.to}`);
  else if (f.from) parts.push(`Period on or after ${f.from}`);
  else if (f.to) parts.push(`Period on or before ${f.to}`);
  if (f.retired) parts.push(`Retired: ${labels.retired(f.retired)}`);
  if (f.source) parts.push(`Source: ${f.source}`);
  if (f.destination) parts.push(`Destination: ${f.destination}`);
  if (f.missing_emissions === true) parts.push("Only EACs missing an emission factor");
  else if (f.missing_emissions === false) parts.push("Only EACs with both emission factors");
  if (f.incomplete === true) parts.push("Only incomplete EACs (fields missing)");
  else if (f.incomplete === false) parts.push("Only complete EACs");
  for (const m of f.matches ?? []) parts.push(matchWords(m));
  return parts.length === 0 ? "No filter (all EACs)" : parts.join(" · ");
}

/**
 * Normalise what `distinct_values` returned: plain strings (docs/ipc.md) or
 * `{ value, label }` objects (eac-store). Drops anything else and repeats.
 */
export function toChoices(list: unknown): Choice[] {
  if (!Array.isArray(list)) return [];
  const out: Choice[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    let c: Choice | null = null;
    if (typeof item === "string") c = { value: item, label: item };
    else if (item && typeof item === "object" && typeof (item as Choice).value === "string") {
      const v = (item as Choice).value;
      const l = (item as Choice).label;
      c = { value: v, label: typeof l === "string" && l !== "" ? l : v };
    }
    if (c && !seen.has(c.value)) {
      seen.add(c.value);
      out.push(c);
    }
  }
  return out;
}

/** The field of a cell filter for people. */
export const MATCH_FIELD_LABELS: Record<MatchField, string> = {
  eac_number: "EAC number",
  technology: "Technology",
  source: "Source",
  destination: "Destination",
  beneficiary_type: "Beneficiary type",
  beneficiary: "Beneficiary",
  retired: "Retired",
  asset: "Asset",
  asset_commissioned: "Commissioned",
  issuance: "Issued",
};

/** A cell filter in words: "Source is “ofgem”", "Asset is not “GB-1”", "Destination is missing". */
export function matchWords(m: FieldMatch, value: string | null = m.value): string {
  const v = value === null ? "missing" : `“${value}”`;
  return `${MATCH_FIELD_LABELS[m.field]} ${m.exclude ? "is not" : "is"} ${v}`;
}
