// Period presets of the filter bar: this year, last year, the quarters of
// both, or a custom range (the from/to fields). Whole UTC days, as the
// filter's dates are (YYYY-MM-DD, both days included).

export interface PeriodPreset {
  id: string;
  label: string;
  from: string;
  to: string;
}

const QUARTER_END = ["03-31", "06-30", "09-30", "12-31"];
const QUARTER_START = ["01-01", "04-01", "07-01", "10-01"];

/** The presets for the year of `today` (UTC): this year, last year, Q1–Q4 of each. */
export function periodPresets(today: Date): PeriodPreset[] {
  const y = today.getUTCFullYear();
  const out: PeriodPreset[] = [
    { id: "this-year", label: `This year (${y})`, from: `${y}-01-01`, to: `${y}-12-31` },
    { id: "last-year", label: `Last year (${y - 1})`, from: `${y - 1}-01-01`, to: `${y - 1}-12-31` },
  ];
  for (const [which, year] of [
    ["this", y],
    ["last", y - 1],
  ] as const) {
    for (let q = 0; q < 4; q++) {
      out.push({
        id: `${which}-q${q + 1}`,
        label: `Q${q + 1} ${year}`,
        from: `${year}-${QUARTER_START[q]}`,
        to: `${year}-${QUARTER_END[q]}`,
      });
    }
  }
  return out;
}

/** The preset the from/to fields match ("" when none is set, "custom" for any other range). */
export function presetOf(from: string, to: string, today: Date): string {
  if (from.trim() === "" && to.trim() === "") return "";
  const p = periodPresets(today).find((x) => x.from === from.trim() && x.to === to.trim());
  return p ? p.id : "custom";
}
