import { describe, expect, it } from "vitest";
import {
  choiceFromKey,
  choiceKey,
  columnOptions,
  emptyForm,
  fieldsOfColumn,
  formFromMapping,
  mappingFromForm,
  mappingKey,
  mappingProblems,
  newTechnologyWordings,
  previewMapping,
  sampleOf,
  timeZoneNames,
  withHeaderFlag,
} from "./mapping";

import goCancellations from "../../../crates/eac-registry/tests/fixtures/mapped/go-cancellations.mapping.json?raw";
import usRetirements from "../../../crates/eac-registry/tests/fixtures/mapped/us-retirements-noheader.mapping.json?raw";

/** The mapping examples of the reader's own tests (what the backend reads). */
const FIXTURES: Record<string, string> = {
  "go-cancellations": goCancellations,
  "us-retirements-noheader": usRetirements,
};

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(FIXTURES[name]) as Record<string, unknown>;
}

/** What eac-registry's `Mapping::default()` fills in for keys a file leaves out. */
const RUST_DEFAULTS = {
  delimiter: ",",
  skip_lines: 0,
  has_header: true,
  number_style: "decimal_point",
  date_order: "iso",
  technology_table: {},
  facts: [],
};

describe("a mapping goes through the form unchanged", () => {
  for (const name of ["go-cancellations", "us-retirements-noheader"]) {
    it(name, () => {
      const json = fixture(name);
      expect(mappingFromForm(formFromMapping(json))).toEqual({ ...RUST_DEFAULTS, ...json });
    });
  }

  it("reads a mapping as the backend saves it (unmapped fields as null)", () => {
    const saved = { ...RUST_DEFAULTS, ...fixture("go-cancellations"), first: null, last: null, month: null };
    const form = formFromMapping(saved);
    expect(form.numbers).toBe("range");
    expect(form.period).toBe("dates");
    expect(form.energy).toBe("total_energy");
    expect(mappingFromForm(form)).not.toHaveProperty("first");
  });

  it("reads nothing from what is not a mapping", () => {
    expect(formFromMapping("nonsense")).toEqual(emptyForm());
    expect(formFromMapping(null)).toEqual(emptyForm());
  });
});

describe("building a mapping from the form", () => {
  it("starts as a comma-separated file with a header and 1 MWh per certificate", () => {
    const m = mappingFromForm(emptyForm());
    expect(m).toMatchObject({ delimiter: ",", has_header: true, skip_lines: 0 });
    expect(m.per_certificate).toEqual({ value: "1" });
    expect(m.unit).toEqual({ value: "MWh" });
    expect(m.first).toBeUndefined();
  });

  it("sends only the alternatives chosen", () => {
    const f = emptyForm();
    f.fields.first = { kind: "column", name: "From" };
    f.fields.last = { kind: "column", name: "To" };
    f.range = { kind: "column", name: "Range" };
    f.fields.month = { kind: "column", name: "Month" };
    f.fields.period_start = { kind: "column", name: "Start" };
    f.fields.period_end = { kind: "column", name: "End" };
    f.fields.total_energy = { kind: "column", name: "MWh" };

    let m = mappingFromForm(f);
    expect(m.first).toEqual({ column: "From" });
    expect(m.range).toBeUndefined();
    expect(m.month).toBeUndefined();
    expect(m.period_start).toEqual({ column: "Start" });
    expect(m.total_energy).toBeUndefined();

    f.numbers = "range";
    f.range_separator = " to ";
    f.period = "month";
    f.energy = "total_energy";
    m = mappingFromForm(f);
    expect(m.first).toBeUndefined();
    expect(m.last).toBeUndefined();
    expect(m.range).toEqual({ field: { column: "Range" }, separator: " to " });
    expect(m.month).toEqual({ column: "Month" });
    expect(m.period_start).toBeUndefined();
    expect(m.total_energy).toEqual({ column: "MWh" });
    expect(m.per_certificate).toBeUndefined();
  });

  it("trims names and leaves out unfinished technology rows and facts", () => {
    const f = emptyForm();
    f.name = "  WREGIS  ";
    f.registry = " wregis ";
    f.skip_lines = "2 ";
    f.technology_table = [
      { wording: " Solar ", technology: "solar" },
      { wording: "Wind", technology: "" },
      { wording: " ", technology: "hydro" },
    ];
    f.facts = [
      { name: "country", field: { kind: "column", name: "Country" } },
      { name: "", field: { kind: "column", name: "Other" } },
      { name: "unused", field: { kind: "none" } },
    ];
    const m = mappingFromForm(f);
    expect(m.name).toBe("WREGIS");
    expect(m.registry).toBe("wregis");
    expect(m.skip_lines).toBe(2);
    expect(m.technology_table).toEqual({ Solar: "solar" });
    expect(m.facts).toEqual([{ name: "country", field: { column: "Country" } }]);
  });

  it("a half-typed number of skipped lines counts as none", () => {
    const f = emptyForm();
    f.skip_lines = "x";
    expect(mappingFromForm(f).skip_lines).toBe(0);
    expect(JSON.parse(previewMapping(f))).toEqual({ delimiter: ",", skip_lines: 0, has_header: true });
  });

  it("tells whether the form changed", () => {
    const f = emptyForm();
    const before = mappingKey(f);
    f.time_zone = "Europe/Paris";
    expect(mappingKey(f)).not.toBe(before);
  });
});

describe("column selects", () => {
  const header = ["GSRN", "Device name", " Technology "];

  it("offers columns by header name, or by position without a header", () => {
    expect(columnOptions(header, 3, true)).toEqual([
      { key: "c:GSRN", label: "1 · GSRN" },
      { key: "c:Device name", label: "2 · Device name" },
      { key: "c:Technology", label: "3 · Technology" },
    ]);
    expect(columnOptions(null, 2, false)).toEqual([
      { key: "n:1", label: "Column 1" },
      { key: "n:2", label: "Column 2" },
    ]);
    // A row wider than the header: the extra column by position.
    expect(columnOptions(["A"], 2, true).map((o) => o.key)).toEqual(["c:A", "n:2"]);
  });

  it("turns select values into choices and back", () => {
    for (const c of [
      { kind: "none" as const },
      { kind: "column" as const, name: "Device: name" },
      { kind: "number" as const, number: 7 },
    ]) {
      expect(choiceFromKey(choiceKey(c))).toEqual(c);
    }
    expect(choiceFromKey("v", { kind: "value", value: "retired" })).toEqual({ kind: "value", value: "retired" });
    expect(choiceFromKey("v", { kind: "column", name: "Status" })).toEqual({ kind: "value", value: "" });
    expect(choiceFromKey("n:x")).toEqual({ kind: "none" });
  });

  it("shows what a field reads from a row", () => {
    const row = ["7070575", "Øvre Foss", "Hydro "];
    expect(sampleOf({ kind: "column", name: "technology" }, header, row)).toBe("Hydro ");
    expect(sampleOf({ kind: "number", number: 2 }, null, row)).toBe("Øvre Foss");
    expect(sampleOf({ kind: "value", value: "MWh" }, header, row)).toBe("MWh");
    expect(sampleOf({ kind: "column", name: "Nope" }, header, row)).toBeNull();
    expect(sampleOf({ kind: "number", number: 9 }, null, row)).toBeNull();
  });

  it("names the fields each previewed column feeds", () => {
    const f = emptyForm();
    f.fields.device_id = { kind: "column", name: "gsrn" };
    f.fields.month = { kind: "column", name: "GSRN" }; // not used: the period is by dates
    f.facts = [{ name: "country", field: { kind: "number", number: 1 } }];
    expect(fieldsOfColumn(f, header, 0)).toEqual(["Device id", "Fact country"]);
    expect(fieldsOfColumn(f, header, 1)).toEqual([]);
  });

  it("switches columns between names and positions with the header flag", () => {
    const f = emptyForm();
    f.fields.device_id = { kind: "column", name: "Device name" };
    f.fields.status = { kind: "value", value: "retired" };
    f.range = { kind: "column", name: "GSRN" };
    const positions = withHeaderFlag(f, false, header);
    expect(positions.has_header).toBe(false);
    expect(positions.fields.device_id).toEqual({ kind: "number", number: 2 });
    expect(positions.range).toEqual({ kind: "number", number: 1 });
    expect(positions.fields.status).toEqual({ kind: "value", value: "retired" });
    const names = withHeaderFlag(positions, true, header);
    expect(names.fields.device_id).toEqual({ kind: "column", name: "Device name" });
    // A position beyond the header stays a position.
    const wide = withHeaderFlag({ ...positions, range: { kind: "number", number: 9 } }, true, header);
    expect(wide.range).toEqual({ kind: "number", number: 9 });
  });
});

describe("technology table", () => {
  it("offers the wordings of the preview not listed yet, once each", () => {
    const f = emptyForm();
    f.fields.technology = { kind: "number", number: 2 };
    f.technology_table = [{ wording: "Solar", technology: "solar" }];
    const rows = [
      ["a", "Solar "],
      ["b", "Wind onshore"],
      ["c", " Wind onshore"],
      ["d", ""],
      ["e"],
    ];
    expect(newTechnologyWordings(f, null, rows)).toEqual(["Wind onshore"]);
    f.fields.technology = { kind: "none" };
    expect(newTechnologyWordings(f, null, rows)).toEqual([]);
  });
});

describe("a refused mapping", () => {
  const refused = (problems: string[] | undefined, message = `the mapping is not complete: ${(problems ?? []).join("; ")}`) => ({
    code: "invalid_input",
    message,
    details: problems ? { problems } : {},
  });

  it("lists each problem on its own, as the backend listed them", () => {
    expect(
      mappingProblems(
        refused([
          "the mapping has no name",
          "no registry key (e.g. `wregis`): ranges are compared for overlaps within one registry",
          "no device id (the registry's id of the generating unit)",
        ]),
      ),
    ).toEqual([
      "The mapping has no name",
      "No registry key (e.g. `wregis`): ranges are compared for overlaps within one registry",
      "No device id (the registry's id of the generating unit)",
    ]);
  });

  it("keeps a column name or value holding “; ” in one item", () => {
    // The message joins the problems with "; ": split there, the column
    // `GSRN; main` and the unit `M; Wh` each became two items.
    const problems = [
      "the device id names the column `GSRN; main`, but the file has no header: give its position (column_number)",
      "the unit `M; Wh` is not MWh, kWh or Wh",
    ];
    expect(mappingProblems(refused(problems))).toEqual([
      "The device id names the column `GSRN; main`, but the file has no header: give its position (column_number)",
      "The unit `M; Wh` is not MWh, kWh or Wh",
    ]);
  });

  it("is no list for any other refusal, which is shown as the backend words it", () => {
    expect(mappingProblems(refused(undefined, "there is no saved mapping `x`"))).toBeNull();
    expect(mappingProblems({ code: "io", message: "x", details: { problems: ["a"] } })).toBeNull();
    expect(mappingProblems(refused([]))).toBeNull();
  });
});

describe("time zones", () => {
  it("suggests IANA names, UTC among them", () => {
    const zones = timeZoneNames();
    expect(zones).toContain("UTC");
    expect(zones).toContain("Europe/Paris");
  });
});
