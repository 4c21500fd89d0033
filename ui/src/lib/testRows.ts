// A table row (EacRow) for unit tests: every field set, so a test states only
// the fields it is about. Not part of the app (only *.test.ts import it).

import type { EacDetail, EacRow } from "./types";

/** EAC `id` (number N-`id`): one month of wind in 2024, 100 kWh, not retired; `patch` changes any field. */
export function eacRow(id: string, patch: Partial<EacRow> = {}): EacRow {
  return {
    cds_eac_id: id,
    eac_number: `N-${id}`,
    technology_type: "wind",
    period_start: "2024-01-01T00:00:00Z",
    period_end: "2024-02-01T00:00:00Z",
    issuance: null,
    source_id: "S",
    source_name: "Registry",
    destination_id: null,
    destination_name: null,
    beneficiary_type: "account",
    beneficiaries: [],
    quantities: [{ unit: "kWh", total: "100" }],
    retired_state: "no",
    value_count: 1,
    asset_id: null,
    asset_commissioned: null,
    emissions_factor_direct: null,
    emissions_factor_lca: null,
    cds_created: "2024-01-01T00:00:00Z",
    cds_modified: "2024-01-01T00:00:00Z",
    emissions_missing: false,
    missing: [],
    ...patch,
  };
}

/** EAC `id` as the detail pane reads it: complete, one month of wind, factors 0.1 / 0.6; `patch` changes any field. */
export function eacDetail(id: string, patch: Partial<EacDetail> = {}): EacDetail {
  return {
    cds_eac_id: id,
    cds_created: "2024-01-01T00:00:00Z",
    cds_modified: "2024-01-01T00:00:00Z",
    eac_number: `N-${id}`,
    source_id: "S",
    source_name: "Registry",
    destination_id: "D",
    destination_name: "Grid",
    beneficiary_type: "account",
    beneficiaries: [],
    asset_id: `ASSET-${id}`,
    asset_commissioned: null,
    asset_origination: "grid",
    asset_destination: "grid",
    technology_type: "wind",
    emissions_factor_direct: "0.1",
    emissions_factor_lca: "0.6",
    period_start: "2024-01-01T00:00:00Z",
    period_end: "2024-02-01T00:00:00Z",
    values: [],
    extensions_json: null,
    retired_state: "no",
    quantities: [{ unit: "kWh", total: "100" }],
    cds_synced: null,
    missing: [],
    version: 1,
    ...patch,
  };
}
