import { describe, expect, it } from "vitest";
import {
  BENEFICIARY_TYPES,
  ENERGY_UNITS,
  RETIRED_STATES,
  TECHNOLOGY_TYPES,
  beneficiaryTypeHelp,
  beneficiaryTypeLabel,
  originHelp,
  originLabel,
  retiredLabel,
  technologyHelp,
  technologyLabel,
  valuesOf,
} from "./labels";
import { REFDATA_TYPES } from "./refdataView";
import { toEacFilter, emptyFilterState } from "./filters";

describe("enumeration labels (generated from the Rust SpecEnum)", () => {
  it("lists every value in spec order", () => {
    expect(valuesOf(TECHNOLOGY_TYPES)).toEqual([
      "solar",
      "wind",
      "hydro",
      "geothermal",
      "biomass",
      "natural_gas",
      "coal",
      "oil",
      "nuclear",
      "marine",
      "storage",
    ]);
    expect(valuesOf(BENEFICIARY_TYPES)).toEqual([
      "customer",
      "account",
      "servicecontract",
      "rateplan",
      "program",
      "general",
    ]);
    expect(valuesOf(RETIRED_STATES)).toEqual(["no", "partly", "yes"]);
    expect(valuesOf(ENERGY_UNITS)).toEqual(["Wh", "kWh", "MWh"]);
  });

  it("keeps the app's wording and shows an unknown value as is", () => {
    expect(technologyLabel("natural_gas")).toBe("Natural gas");
    expect(beneficiaryTypeLabel("servicecontract")).toBe("Service contract");
    expect(beneficiaryTypeLabel("general")).toBe("General (everyone)");
    expect(retiredLabel("partly")).toBe("Partly retired");
    expect(originLabel("region")).toBe("Region");
    expect(technologyLabel("fusion")).toBe("fusion");
    expect(technologyHelp("fusion")).toBe("");
  });

  it("explains each value, and says which technologies are outside the draft list", () => {
    for (const t of TECHNOLOGY_TYPES) {
      expect(t.help).not.toBe("");
      expect(t.help.includes("Not in the 2024-08-29 draft list")).toBe(!t.draft);
    }
    expect(TECHNOLOGY_TYPES.filter((t) => !t.draft).map((t) => t.value)).toEqual(["nuclear", "marine", "storage"]);
    expect(beneficiaryTypeHelp("rateplan")).toMatch(/rateplan_code/);
    expect(originHelp("grid")).toMatch(/distribution grid/);
  });

  it("drives the filter's accepted values and the reference-data types", () => {
    const f = { ...emptyFilterState(), technology: "storage", beneficiary_type: "program", retired: "partly" };
    expect(toEacFilter(f)).toMatchObject({ technology: "storage", beneficiary_type: "program", retired: "partly" });
    expect(toEacFilter({ ...f, technology: "Solar", retired: "maybe" })).toMatchObject({ technology: null, retired: null });
    expect(REFDATA_TYPES).toEqual(["customer", "account", "servicecontract", "rateplan", "program"]);
  });
});
