// Plain words for the enumerations of the contract. Their values (in spec
// order), labels and help texts are generated from the Rust `SpecEnum`
// (`bindings/enums.ts`): the UI keeps no list of its own and its tooltips
// say what `eacdesk --help` says.

import {
  ASSET_LOCATION_TYPES,
  BENEFICIARY_TYPES,
  ENERGY_UNITS,
  EXPORT_PROFILES,
  RETIRED_STATES,
  TECHNOLOGY_TYPES,
  type SpecValue,
} from "./bindings/enums";
import type { SortField } from "./types";

export { ASSET_LOCATION_TYPES, BENEFICIARY_TYPES, ENERGY_UNITS, EXPORT_PROFILES, RETIRED_STATES, TECHNOLOGY_TYPES };
export type { SpecValue };

/** The spellings of a generated list, in spec order. */
export function valuesOf<T extends string>(list: readonly SpecValue<T>[]): T[] {
  return list.map((e) => e.value);
}

/** The entry of `value`, or undefined for a value the list does not know. */
export function specEntry<T extends string>(list: readonly SpecValue<T>[], value: string): SpecValue<T> | undefined {
  return list.find((e) => e.value === value);
}

/** The label of `value`; a value the list does not know is shown as is. */
export function specLabel(list: readonly SpecValue<string>[], value: string): string {
  return specEntry(list, value)?.label ?? value;
}

/** What `value` means, for a tooltip; empty for a value the list does not know. */
export function specHelp(list: readonly SpecValue<string>[], value: string): string {
  return specEntry(list, value)?.help ?? "";
}

export const technologyLabel = (t: string): string => specLabel(TECHNOLOGY_TYPES, t);
export const technologyHelp = (t: string): string => specHelp(TECHNOLOGY_TYPES, t);
export const beneficiaryTypeLabel = (t: string): string => specLabel(BENEFICIARY_TYPES, t);
export const beneficiaryTypeHelp = (t: string): string => specHelp(BENEFICIARY_TYPES, t);
export const retiredLabel = (r: string): string => specLabel(RETIRED_STATES, r);
export const retiredHelp = (r: string): string => specHelp(RETIRED_STATES, r);
/** `asset_origination` / `asset_destination` (digest §f.7: the help says what the draft means). */
export const originLabel = (o: string): string => specLabel(ASSET_LOCATION_TYPES, o);
export const originHelp = (o: string): string => specHelp(ASSET_LOCATION_TYPES, o);

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
