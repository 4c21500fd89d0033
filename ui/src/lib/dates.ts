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

/**
 * A period as a short, exact range (UTC):
 *  - both ends at midnight:   "2024-01-01 – 2024-02-01"
 *  - same day, with times:    "2024-01-01 10:00–11:00 UTC"
 *  - otherwise:               "2024-01-01 10:00 – 2024-01-03 06:00 UTC"
 */
export function formatPeriod(start: string | null, end: string | null): string {
  const s = start ? parse(start) : null;
  const e = end ? parse(end) : null;
  if (!s || !e) {
    if (!start && !end) return "—";
    return `${start ? formatDateTimeUtc(start) : "…"} – ${end ? formatDateTimeUtc(end) : "…"}`;
  }
  if (isUtcMidnight(s) && isUtcMidnight(e)) return `${utcDate(s)} – ${utcDate(e)}`;
  if (utcDate(s) === utcDate(e)) return `${utcDate(s)} ${utcTime(s)}–${utcTime(e)} UTC`;
  return `${utcDate(s)} ${utcTime(s)} – ${utcDate(e)} ${utcTime(e)} UTC`;
}

/**
 * A shorter period for table cells (the column header says UTC):
 *  - both ends at midnight, same year: "2024-07-01 – 08-01"
 *  - same day, with times:             "2024-01-01 10:00–11:00"
 *  - otherwise the full form without the "UTC" suffix.
 */
export function formatPeriodShort(start: string | null, end: string | null): string {
  const s = start ? parse(start) : null;
  const e = end ? parse(end) : null;
  if (!s || !e) return formatPeriod(start, end);
  if (isUtcMidnight(s) && isUtcMidnight(e)) {
    if (s.getUTCFullYear() === e.getUTCFullYear()) return `${utcDate(s)} – ${utcDate(e).slice(5)}`;
    return `${utcDate(s)} – ${utcDate(e)}`;
  }
  return formatPeriod(start, end).replace(/ UTC$/, "");
}

/**
 * The table's period cell as one line or two: the short form of whole days
 * in one year ("2024-07-01 – 08-01") keeps one line; a range over a year's
 * end or between times of different days is two lines, start and end
 * ("2025-12-01 –" over "2026-01-01"), which the column's default width
 * otherwise cut to "2025-12-01 – 2026-01-…".
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
