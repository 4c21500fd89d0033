// The Claims view's logic (issue 15): the claim form and the ClaimInput it
// sends, the beneficiaries with consumption, the criteria table and its
// filters, the coverage chart's series and the hourly heat map. Quantities
// stay exact decimal TEXT everywhere except `monthSeries` and `heatMap`,
// which turn them into numbers ONLY to draw them.

import type {
  ClaimCheckView,
  ClaimInput,
  ClaimRecord,
  ConsumptionClaimedView,
  ConsumptionGroup,
  CriterionView,
  FactorSet,
  IntervalView,
  ValueCheckView,
} from "./types";
import { isIsoDay, toUnixSeconds } from "./dates";
import { formatDecimal, isDecimalText } from "./decimal";

export type Granularity = "annual" | "monthly" | "hourly";
export type Verdict = "pass" | "fail" | "unknown";

/** The rule sets EAC Desk checks (eac-claims `rule_sets()`), in its order. */
export const RULE_SETS: { id: string; label: string }[] = [
  { id: "ghg-scope2-2015", label: "GHG Protocol Scope 2 (2015)" },
  { id: "re100", label: "RE100 technical criteria" },
  { id: "energytag", label: "EnergyTag granular certificates" },
];

export const GRANULARITIES: { id: Granularity; label: string }[] = [
  { id: "annual", label: "Annual (the whole period)" },
  { id: "monthly", label: "Monthly" },
  { id: "hourly", label: "Hourly" },
];

/** What the claim form holds (text as typed). */
export interface ClaimForm {
  /** "account acc-1": a beneficiary with consumption, as `beneficiaryKey` spells it. */
  beneficiary: string;
  from: string;
  to: string;
  granularity: Granularity;
  market: string;
  biddingZone: string;
  unit: "MWh" | "kWh" | "Wh";
  /** Rule sets to check (ids). */
  rules: string[];
  /** Allocate only values passing this rule set ("" = every retired value). */
  onlyPassing: string;
}

export const EMPTY_CLAIM_FORM: ClaimForm = {
  beneficiary: "",
  from: "",
  to: "",
  granularity: "annual",
  market: "",
  biddingZone: "",
  unit: "MWh",
  rules: RULE_SETS.map((r) => r.id),
  onlyPassing: "",
};

/** "account acc-1": the beneficiary type, a space, the id (ids may hold spaces; types do not). */
export function beneficiaryKey(g: Pick<ConsumptionGroup, "beneficiary_type" | "beneficiary">): string {
  return `${g.beneficiary_type} ${g.beneficiary}`;
}

/** The key split back into its type and id. */
export function splitBeneficiary(key: string): { type: string; id: string } {
  const at = key.indexOf(" ");
  return at < 0 ? { type: key, id: "" } : { type: key.slice(0, at), id: key.slice(at + 1) };
}

/** "2024-06-01T10:00:00Z" → "2024-06-01" (the UTC day). */
function day(iso: string): string {
  return iso.slice(0, 10);
}

/** The UTC day before an exclusive end ("2025-01-01T00:00:00Z" → "2024-12-31"). */
export function lastDayBefore(end: string): string {
  const t = toUnixSeconds(end);
  if (t === null) return day(end);
  // An end at midnight closes the day before; any later time lies in its own day.
  const midnight = t % 86400 === 0;
  return new Date((midnight ? t - 86400 : t) * 1000).toISOString().slice(0, 10);
}

/** The form for a beneficiary with consumption: its first and last day filled in. */
export function formFor(form: ClaimForm, g: ConsumptionGroup): ClaimForm {
  return { ...form, beneficiary: beneficiaryKey(g), from: day(g.first_start), to: lastDayBefore(g.last_end) };
}

/** What keeps the form from being checked, in words saying what to do, or null. */
export function claimFormProblem(f: ClaimForm): string | null {
  if (!f.beneficiary) return "Pick the beneficiary the claim is for (import its consumption first).";
  if (!isIsoDay(f.from.trim())) return "The first day is not a date; write it as YYYY-MM-DD (2024-01-01).";
  if (!isIsoDay(f.to.trim())) return "The last day is not a date; write it as YYYY-MM-DD (2024-12-31).";
  if (f.to.trim() < f.from.trim()) return "The last day comes before the first day; swap them.";
  if (f.rules.length === 0) return "Tick at least one rule set to check the certificates against.";
  return null;
}

const text = (s: string): string | null => (s.trim() === "" ? null : s.trim());

/** The claim as the backend takes it (`ClaimInput`). */
export function toClaimInput(f: ClaimForm): ClaimInput {
  const { type, id } = splitBeneficiary(f.beneficiary);
  return {
    beneficiary_type: type,
    beneficiaries: id ? [id] : [],
    from: f.from.trim(),
    to: f.to.trim(),
    granularity: f.granularity,
    market: text(f.market),
    bidding_zone: text(f.biddingZone),
    unit: f.unit,
    only_passing: text(f.onlyPassing),
  };
}

/** The rule sets to check, in EAC Desk's order. */
export function orderedRules(rules: readonly string[]): string[] {
  return RULE_SETS.map((r) => r.id).filter((id) => rules.includes(id));
}

/** A recorded claim back in the form (to check it again or see its figures). */
export function formOfRecord(r: ClaimRecord, rules: string[]): ClaimForm {
  return {
    beneficiary: `${r.beneficiary_type} ${r.beneficiaries.join(", ")}`,
    from: r.from,
    to: r.to,
    granularity: (r.granularity as Granularity) ?? "annual",
    market: r.market ?? "",
    biddingZone: r.bidding_zone ?? "",
    unit: (r.unit as ClaimForm["unit"]) ?? "MWh",
    rules,
    onlyPassing: r.only_passing ?? "",
  };
}

/** The file name the report CSV is offered under. */
export function reportFileName(input: Pick<ClaimInput, "beneficiary_type" | "beneficiaries" | "from" | "to">): string {
  const who = [input.beneficiary_type, ...input.beneficiaries].join("-").replace(/[^A-Za-z0-9._-]+/g, "_");
  return `claim-${who}-${input.from}-to-${input.to}.csv`;
}

// ---- consumption claimed elsewhere (decision 272) ------------------------------
// Each clash arrives with its line in the CLI's words (`text`, made by Rust:
// "account `ACME` 2024-01-01 – 2024-12-31, 8784 rows, by recorded claim #3
// (FY2024)"); the view shows it as it is.

/**
 * What to do about it: a claim given in full cannot be recorded until the
 * recorded claims are deleted; a recorded claim (`claimId`) shares its
 * consumption with claims an EAC Desk from before the check recorded.
 */
export function claimedElsewhereAdvice(claimed: readonly Pick<ConsumptionClaimedView, "claim_id">[], claimId: number | null): string {
  const ids = [...new Set(claimed.map((c) => c.claim_id))].sort((a, b) => a - b).map((id) => `#${id}`);
  if (claimId !== null) {
    return `Claim #${claimId} and recorded claim ${ids.join(", ")} count the same consumption: delete the claim that should not count it.`;
  }
  const those = ids.length === 1 ? `recorded claim ${ids[0]}` : `recorded claims ${ids.join(", ")}`;
  return `Recording this claim is refused: delete ${those} first, or claim other days or beneficiaries.`;
}

// ---- the criteria table ------------------------------------------------------

export type CriteriaFilter = "all" | "fail" | "unknown";

/** A criterion column: its rule set, id and title. */
export interface CriterionColumn {
  key: string;
  ruleSet: string;
  criterion: string;
  title: string;
}

/** The columns: every criterion any value was checked against, in the order first met. */
export function criterionColumns(check: ClaimCheckView): CriterionColumn[] {
  const seen = new Map<string, CriterionColumn>();
  for (const v of check.values) {
    for (const r of v.results) {
      const key = `${r.rule_set}/${r.criterion}`;
      if (!seen.has(key)) seen.set(key, { key, ruleSet: r.rule_set, criterion: r.criterion, title: r.title });
    }
  }
  return [...seen.values()];
}

/** A value's answer for one column (null: not checked). */
export function resultFor(v: ValueCheckView, column: CriterionColumn): CriterionView | null {
  return v.results.find((r) => r.rule_set === column.ruleSet && r.criterion === column.criterion) ?? null;
}

/** How many rows of the criteria table are drawn at a time (each has a cell per criterion). */
export const CRITERIA_PAGE = 200;

/** The values the filter keeps: any failed criterion, any unknown one, or all. */
export function filterValues(values: readonly ValueCheckView[], filter: CriteriaFilter): ValueCheckView[] {
  if (filter === "all") return [...values];
  return values.filter((v) => v.results.some((r) => r.verdict === filter));
}

/** "3 values · 2 with a failed criterion · 1 with an unknown one". */
export function criteriaSummary(values: readonly ValueCheckView[]): string {
  const failed = values.filter((v) => v.results.some((r) => r.verdict === "fail")).length;
  const unknown = values.filter((v) => v.results.some((r) => r.verdict === "unknown")).length;
  const n = values.length;
  return `${n} ${n === 1 ? "value" : "values"} · ${failed} with a failed criterion · ${unknown} with an unknown one`;
}

export const VERDICT_LABEL: Record<Verdict, string> = { pass: "pass", fail: "fail", unknown: "unknown" };

/** The mark shown in a cell (the word is beside it for screen readers and colour-blind eyes). */
export const VERDICT_MARK: Record<Verdict, string> = { pass: "✓", fail: "✗", unknown: "?" };

// ---- figures -------------------------------------------------------------------

/** True when exact decimal text is zero ("0", "0.000", "-0"). */
export function isZeroText(s: string): boolean {
  return isDecimalText(s) && !/[1-9]/.test(s);
}

/** "80 %" from the report's exact percentage text; "—" when there is none. */
export function percentText(p: string | null | undefined): string {
  return p === null || p === undefined ? "—" : `${p} %`;
}

// ---- the coverage chart (numbers for drawing only) ------------------------------

export interface MonthSeries {
  /** unix seconds of each month's start, then the last month's end */
  x: number[];
  consumption: number[];
  matched: number[];
  /** per point of `x`, the month it shows as exact text (the closing point repeats the last month) */
  exact: { month: string; consumption: string; matched: string }[];
}

/** Consumption and matched quantity per month, as numbers for the chart ONLY. */
export function monthSeries(months: readonly IntervalView[]): MonthSeries | null {
  const rows = months
    .map((m) => ({
      t: toUnixSeconds(m.start),
      end: toUnixSeconds(m.end),
      c: Number(m.consumption),
      m: Number(m.matched),
      exact: { month: m.start.slice(0, 7), consumption: m.consumption, matched: m.matched },
    }))
    .filter((r) => r.t !== null && Number.isFinite(r.c) && Number.isFinite(r.m));
  if (rows.length === 0) return null;
  const x = rows.map((r) => r.t as number);
  const consumption = rows.map((r) => r.c);
  const matched = rows.map((r) => r.m);
  const exact = rows.map((r) => r.exact);
  // Steps hold from each month's start; the last one closes at its end.
  const last = rows[rows.length - 1];
  if (last.end !== null && last.end > (last.t as number)) {
    x.push(last.end);
    consumption.push(last.c);
    matched.push(last.m);
    exact.push(last.exact);
  }
  return { x, consumption, matched, exact };
}

/**
 * What the chart's legend shows for point `i` of a series: the month
 * (YYYY-MM, UTC) or its exact figure in the app's number signs, as the
 * figures beside the chart show it (never the drawn number, rounded).
 * With no point under the pointer (`i` null) a chart of one month shows
 * that month (its legend read "Month (UTC): – Consumption: –" as if
 * nothing were there); a chart of several waits for the pointer.
 */
export function monthLegend(s: MonthSeries, series: "month" | "consumption" | "matched", i: number | null): string {
  const oneMonth = new Set(s.exact.map((p) => p.month)).size === 1;
  const point = i === null ? (oneMonth ? s.exact[0] : undefined) : s.exact[i];
  if (!point) return "–";
  return series === "month" ? point.month : formatDecimal(point[series]);
}

// ---- the hourly heat map -------------------------------------------------------

/** How well one hour is covered. */
export type HourCover = "none" | "empty" | "low" | "partial" | "full";

export const HOUR_COVER_LABEL: Record<HourCover, string> = {
  none: "no consumption",
  empty: "nothing matched",
  low: "under half matched",
  partial: "half or more matched",
  full: "fully matched",
};

export interface HeatCell {
  hour: number;
  cover: HourCover;
  /** "2024-06-01 10:00 UTC: 5 consumed, 5 matched (kWh)" */
  title: string;
}

export interface HeatRow {
  day: string;
  cells: HeatCell[];
}

/** One hour's cover: exact for "full" and "empty" (text), a number only to split the rest in two. */
export function hourCover(i: Pick<IntervalView, "consumption" | "matched" | "shortfall">): HourCover {
  if (isZeroText(i.consumption)) return "none";
  if (isZeroText(i.shortfall)) return "full";
  if (isZeroText(i.matched)) return "empty";
  return Number(i.matched) * 2 >= Number(i.consumption) ? "partial" : "low";
}

/** The hourly intervals as days × 24 hours (UTC); hours outside the claim stay "none". */
export function heatMap(intervals: readonly IntervalView[], unit: string): HeatRow[] {
  const days = new Map<string, HeatCell[]>();
  for (const i of intervals) {
    const d = i.start.slice(0, 10);
    const hour = Number(i.start.slice(11, 13));
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) continue;
    let cells = days.get(d);
    if (!cells) {
      cells = Array.from({ length: 24 }, (_, h) => ({
        hour: h,
        cover: "none" as HourCover,
        title: `${d} ${String(h).padStart(2, "0")}:00 UTC: no consumption`,
      }));
      days.set(d, cells);
    }
    cells[hour] = {
      hour,
      cover: hourCover(i),
      title: `${d} ${String(hour).padStart(2, "0")}:00 UTC: ${formatDecimal(i.consumption)} consumed, ${formatDecimal(i.matched)} matched (${unit})`,
    };
  }
  return [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, cells]) => ({ day: d, cells }));
}

/** How many hours of each cover the map holds (the legend's counts). */
export function coverCounts(rows: readonly HeatRow[]): Record<HourCover, number> {
  const out: Record<HourCover, number> = { none: 0, empty: 0, low: 0, partial: 0, full: 0 };
  for (const r of rows) for (const c of r.cells) out[c.cover] += 1;
  return out;
}

// ---- emission factors ------------------------------------------------------------

export interface FactorForm {
  market: string;
  kind: "residual_mix" | "grid";
  year: string;
  factor: string;
  source: string;
}

/** What keeps a factor from being saved, or null. */
export function factorProblem(f: FactorForm): string | null {
  if (f.market.trim() === "") return "Name the market the factor is for (the claim's market, e.g. NO).";
  if (!/^\d{4}$/.test(f.year.trim())) return "The year is four digits (2024).";
  if (!isDecimalText(f.factor.trim()) || f.factor.trim().startsWith("-"))
    return "The factor is a number of tCO2e per MWh written with a point (0.354).";
  if (f.source.trim() === "") return "Say where the factor comes from (e.g. AIB European Residual Mix 2024).";
  return null;
}

/** The year a claim's factors are looked up for: the year of its first day. */
export function factorYear(from: string): string {
  return /^\d{4}/.test(from) ? from.slice(0, 4) : "";
}

/** The notice after a factor is saved: what was saved, then what it leaves
 *  of each recorded claim of its market and year (decision 273) in the
 *  words `claims factor set` prints, as Rust sent them (`text`). */
export function factorSetNotice(done: FactorSet): string {
  const f = done.factor;
  const kind = f.kind === "residual_mix" ? "residual-mix" : f.kind;
  return [`Saved the ${kind} factor of ${f.market} for ${f.year}.`, ...done.recorded_claims.map((c) => c.text)].join(" ");
}

/** A recorded claim's "Factors" cell, in `claims ls`'s words (decision 300):
 *  its report uses the emission factors recorded with it, or (a claim
 *  recorded before EAC Desk kept them) the factors stored now; `title`
 *  says what that means. */
export function factorsCell(c: Pick<ClaimRecord, "factors_recorded">): { text: string; title: string } {
  return c.factors_recorded
    ? { text: "recorded", title: "Its report uses the emission factors recorded with the claim." }
    : {
        text: "stored now",
        title:
          "Recorded by an older version of EAC Desk, which kept no factors with a claim: its report uses the factors stored now, so entering a factor changes it.",
      };
}

/** A report's "missing" line as the Claims view shows it: the place it
 *  names for entering a factor (the backend's app words, or the CLI
 *  command of an older backend) becomes the "Enter…" button beside the
 *  factors, and a recorded claim's missing surplus points at Check
 *  (decision 264). */
export function missingInApp(line: string): string {
  return line
    .replace(
      /;? enter it (?:with `eacdesk claims factor set`|in the Claims report \(“Enter…” by the factor\))/,
      " — enter it with “Enter…” above",
    )
    .replace(
      /; report the claim given in full, (?:without --claim|with “Check” rather than a recorded claim's “Report”), to see what is free now/,
      " — fill in the claim and press Check to see what is free now",
    );
}
