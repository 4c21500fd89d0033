// Date and period formatting. Periods and value slices are RFC3339 UTC and are
// shown in UTC (a local-time conversion would move day boundaries). Audit
// timestamps ("when did someone change this") are shown in local time.

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

function parse(iso: string): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

function utcDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function utcTime(d: Date): string {
  const s = d.getUTCSeconds();
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${s ? ":" + pad(s) : ""}`;
}

function isUtcMidnight(d: Date): boolean {
  return (
    d.getUTCHours() === 0 &&
    d.getUTCMinutes() === 0 &&
    d.getUTCSeconds() === 0 &&
    d.getUTCMilliseconds() === 0
  );
}

/** "2024-03-01" (UTC day of an RFC3339 timestamp); a plain YYYY-MM-DD is kept; garbage is returned unchanged. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = parse(iso);
  return d ? utcDate(d) : iso;
}

/** "2024-03-01 14:30 UTC" (seconds only when not zero). */
export function formatDateTimeUtc(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = parse(iso);
  return d ? `${utcDate(d)} ${utcTime(d)} UTC` : iso;
}

/** The day before `d`'s day (UTC): the last day of whole days ending at `d`'s midnight. */
function dayBefore(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - 1));
}

/**
 * A period as a person reads it, by the rule of the CLI and the claims' sentences (Rust's
 * `eac_model::period_words`), so that an exclusive end is never read as a day included:
 *  - whole UTC days (both ends at midnight): the first and last day, both included:
 *    "2024-01-01 – 2024-01-31"; one day alone "2024-01-01";
 *  - any other span: its instants in UTC, the end said to be excluded:
 *    "2024-01-01 10:00 until 11:00 UTC (end excluded)",
 *    "2024-06-30 23:45 until 2024-07-01 00:00 UTC (end excluded)".
 */
export function formatPeriod(start: string | null, end: string | null): string {
  const s = start ? parse(start) : null;
  const e = end ? parse(end) : null;
  if (!s || !e) {
    if (!start && !end) return "—";
    return `${start ? formatDateTimeUtc(start) : "…"} – ${end ? formatDateTimeUtc(end) : "…"}`;
  }
  if (isUtcMidnight(s) && isUtcMidnight(e) && e > s) {
    const last = dayBefore(e);
    return utcDate(last) === utcDate(s) ? utcDate(s) : `${utcDate(s)} – ${utcDate(last)}`;
  }
  const until = utcDate(s) === utcDate(e) ? utcTime(e) : `${utcDate(e)} ${utcTime(e)}`;
  return `${utcDate(s)} ${utcTime(s)} until ${until} UTC (end excluded)`;
}

/**
 * A shorter period for table cells, by the same rule (the column header says UTC, the cell's
 * title gives `formatPeriod`'s words):
 *  - whole days: the first and last day, the last without a repeated year:
 *    "2024-07-01 – 07-31", "2024-12-01 – 2025-01-31"; one day alone "2024-01-01";
 *  - same day, with times: "2024-01-01 10:00–11:00";
 *  - otherwise both instants: "2024-06-30 23:45 – 2024-07-01 00:00" (a midnight end with its
 *    time, never a bare date, which would read as a day included).
 */
export function formatPeriodShort(start: string | null, end: string | null): string {
  const s = start ? parse(start) : null;
  const e = end ? parse(end) : null;
  if (!s || !e) return formatPeriod(start, end);
  if (isUtcMidnight(s) && isUtcMidnight(e) && e > s) {
    const last = dayBefore(e);
    if (utcDate(last) === utcDate(s)) return utcDate(s);
    if (s.getUTCFullYear() === last.getUTCFullYear()) return `${utcDate(s)} – ${utcDate(last).slice(5)}`;
    return `${utcDate(s)} – ${utcDate(last)}`;
  }
  if (utcDate(s) === utcDate(e)) return `${utcDate(s)} ${utcTime(s)}–${utcTime(e)}`;
  return `${utcDate(s)} ${utcTime(s)} – ${utcDate(e)} ${utcTime(e)}`;
}

/**
 * The table's period cell as one line or two: the short form of whole days
 * in one year ("2024-07-01 – 07-31") keeps one line; a range over a year's
 * end or between times of different days is two lines, start and end
 * ("2025-12-15 –" over "2026-01-14"), which the column's default width
 * otherwise cut to "2025-12-15 – 2026-01-…".
 */
export function periodCellLines(start: string | null, end: string | null): [string] | [string, string] {
  const text = formatPeriodShort(start, end);
  const at = text.indexOf(" – ");
  if (at < 0 || text.length <= "2024-07-01 – 08-01".length) return [text];
  return [`${text.slice(0, at)} –`, text.slice(at + 3)];
}

/** "2024-03-01 15:30" in the computer's local time zone (for audit records). */
export function formatLocalDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = parse(iso);
  if (!d) return iso;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** Seconds since the epoch (for the chart only), or null. */
export function toUnixSeconds(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const d = parse(iso);
  return d ? d.getTime() / 1000 : null;
}

/** True for a real calendar day written YYYY-MM-DD. */
export function isIsoDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(s + "T00:00:00Z");
  return !Number.isNaN(d.getTime()) && utcDate(d) === s;
}

/** Today's date as YYYY-MM-DD (local), for default file names. */
export function todayStamp(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
