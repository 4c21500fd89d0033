// Numbers and times in the OS locale (navigator.language), for the screen
// only: exports, copied rows and the CLI keep the spec's plain decimal text.
// Quantities are exact decimal text, so they are never turned into a
// JavaScript number: the locale only lends its digit-group and decimal signs.

/** The locale the UI formats with (the intl guard made it a valid tag). */
export function uiLocale(): string {
  return globalThis.navigator?.language || "en-US";
}

export interface NumberSigns {
  group: string;
  decimal: string;
}

const signsCache = new Map<string, NumberSigns>();

/** The digit-group and decimal signs of `locale` ("1,234.5" → "," and "."). */
export function numberSigns(locale: string = uiLocale()): NumberSigns {
  const known = signsCache.get(locale);
  if (known) return known;
  let group = ",";
  let decimal = ".";
  try {
    for (const p of new Intl.NumberFormat(locale).formatToParts(1234567.5)) {
      if (p.type === "group") group = p.value;
      else if (p.type === "decimal") decimal = p.value;
    }
  } catch {
    /* an unusable tag: the defaults */
  }
  const signs = { group, decimal };
  signsCache.set(locale, signs);
  return signs;
}

/**
 * Exact decimal text ("-1234567.250") in the locale's signs ("-1,234,567.250",
 * "-1.234.567,250", "-1 234 567,250"), every digit kept. Text that is not a
 * plain decimal is returned unchanged.
 */
export function formatDecimalText(text: string, locale: string = uiLocale()): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign, int, frac] = m;
  const { group, decimal } = numberSigns(locale);
  let grouped = "";
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) grouped += group;
    grouped += int[i];
  }
  return `${sign}${grouped}${frac !== undefined ? decimal + frac : ""}`;
}

/** A count in the locale ("12,345"). */
export function formatCount(n: number, locale: string = uiLocale()): string {
  return formatDecimalText(String(Math.trunc(n)), locale);
}

/**
 * The locale times are shown in: the OS locale once main.ts sets it; until
 * then (and when the system names none, LANG=C) Swedish, whose format is
 * ISO 8601's ("2026-12-02 10:33:12 UTC"): no month/day guessing.
 */
let timeLocale = "sv-SE";

export function setTimeLocale(locale: string): void {
  timeLocale = locale;
}

/**
 * An audit time in the locale, to the second, with the time zone
 * ("02/12/2026, 10:33:12 CET"); `timeZone` for tests (default: the computer's).
 */
export function formatAuditTime(
  iso: string | null | undefined,
  locale: string = timeLocale,
  timeZone?: string,
): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale, {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "short",
      timeZone,
    }).format(d);
  } catch {
    return iso;
  }
}
