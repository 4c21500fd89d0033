// Plain-word labels for the enumerations of the contract.

import type { BeneficiaryType, RetiredState, SortField, TechnologyType } from "./types";

export const TECHNOLOGIES: readonly TechnologyType[] = [
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
];

const TECH_LABEL: Record<TechnologyType, string> = {
  solar: "Solar",
  wind: "Wind",
  hydro: "Hydro",
  geothermal: "Geothermal",
  biomass: "Biomass",
  natural_gas: "Natural gas",
  coal: "Coal",
  oil: "Oil",
  nuclear: "Nuclear",
  marine: "Marine",
  storage: "Storage",
};

export function technologyLabel(t: string): string {
  return (TECH_LABEL as Record<string, string>)[t] ?? t;
}

export const BENEFICIARY_TYPES: readonly BeneficiaryType[] = [
  "customer",
  "account",
  "servicecontract",
  "rateplan",
  "program",
  "general",
];

const BEN_LABEL: Record<BeneficiaryType, string> = {
  customer: "Customer",
  account: "Account",
  servicecontract: "Service contract",
  rateplan: "Rate plan",
  program: "Program",
  general: "General (everyone)",
};

export function beneficiaryTypeLabel(t: string): string {
  return (BEN_LABEL as Record<string, string>)[t] ?? t;
}

export const RETIRED_STATES: readonly RetiredState[] = ["no", "partly", "yes"];

const RETIRED_LABEL: Record<RetiredState, string> = {
  no: "Not retired",
  partly: "Partly retired",
  yes: "Retired",
};

export function retiredLabel(r: string): string {
  return (RETIRED_LABEL as Record<string, string>)[r] ?? r;
}

export const SORT_LABEL: Partial<Record<SortField, string>> = {
  eac_number: "EAC number",
  technology_type: "Technology",
  period_start: "Period",
  source: "Source",
  destination: "Destination",
  beneficiary_type: "Beneficiary",
  quantity: "Quantity",
  retired_state: "Retired",
};

export function originLabel(o: string): string {
  return o === "grid" ? "Grid" : o === "region" ? "Region" : o;
}
