// Provisional, hand-written IPC types (see docs/ipc.md).
//
// Every other module imports these types from HERE ONLY. When the Rust side
// generates them with ts-rs into `./bindings/`, this file becomes a list of
// re-exports (`export type { EacRow } from "./bindings/EacRow";` …) and nothing
// else in the UI has to change.

export type TechnologyType =
  | "solar"
  | "wind"
  | "hydro"
  | "geothermal"
  | "biomass"
  | "natural_gas"
  | "coal"
  | "oil"
  | "nuclear"
  | "marine"
  | "storage";

export type BeneficiaryType =
  | "customer"
  | "account"
  | "servicecontract"
  | "rateplan"
  | "program"
  | "general";

export type RetiredState = "no" | "partly" | "yes";

export type SortField =
  | "eac_number"
  | "technology_type"
  | "period_start"
  | "period_end"
  | "source"
  | "destination"
  | "beneficiary_type"
  | "quantity"
  | "retired_state"
  | "issuance"
  | "cds_eac_id"
  | "cds_modified";

export interface EacFilter {
  search: string | null;
  technology: TechnologyType | null;
  beneficiary_type: BeneficiaryType | null;
  /** YYYY-MM-DD; the EAC period overlaps [from, to] */
  from: string | null;
  to: string | null;
  retired: RetiredState | null;
  source: string | null;
  destination: string | null;
}

export interface SortSpec {
  field: SortField;
  descending: boolean;
}

export interface BrowseQuery {
  filter: EacFilter;
  sort: SortSpec;
  offset: number;
  limit: number;
}

export interface QuantityTotal {
  /** "Wh" | "kWh" | "MWh" */
  unit: string;
  /** exact decimal TEXT, e.g. "45.106820"; never convert to number for display or sums */
  total: string;
}

export interface EacRow {
  cds_eac_id: string;
  eac_number: string | null;
  technology_type: TechnologyType;
  /** RFC3339 UTC */
  period_start: string;
  /** RFC3339 UTC */
  period_end: string;
  /** YYYY-MM-DD */
  issuance: string;
  source_id: string;
  source_name: string;
  destination_id: string;
  destination_name: string;
  beneficiary_type: BeneficiaryType;
  beneficiaries: string[];
  quantities: QuantityTotal[];
  retired_state: RetiredState;
  value_count: number;
}

export interface BrowseSummary {
  count: number;
  totals: QuantityTotal[];
}

export interface EacValueView {
  eac_number: string | null;
  issued: string;
  retired: string | null;
  /** start and end both null = batch slice */
  start: string | null;
  end: string | null;
  unit: string;
  /** exact decimal text */
  value: string;
}

export interface EacDetail {
  cds_eac_id: string;
  cds_created: string;
  cds_modified: string;
  eac_number: string | null;
  source_id: string;
  source_name: string;
  destination_id: string;
  destination_name: string;
  beneficiary_type: BeneficiaryType;
  beneficiaries: string[];
  asset_id: string;
  asset_commissioned: string | null;
  asset_origination: "grid" | "region";
  asset_destination: "grid" | "region";
  technology_type: TechnologyType;
  emissions_factor_direct: string | null;
  /** null = missing, must be entered before export */
  emissions_factor_lca: string | null;
  period_start: string;
  period_end: string;
  values: EacValueView[];
  extensions_json: string | null;
  retired_state: RetiredState;
  quantities: QuantityTotal[];
}

export interface BeneficiaryAssignment {
  beneficiary_type: BeneficiaryType;
  beneficiaries: string[];
}

export interface AuditRecord {
  id: number;
  at: string;
  os_user: string;
  cds_eac_id: string;
  action: string;
  before: BeneficiaryAssignment;
  after: BeneficiaryAssignment;
  reason: string;
}

export interface Violation {
  rule: number;
  severity: "error" | "warning";
  file: string | null;
  line: number | null;
  column: number | null;
  pointer: string;
  cds_eac_id: string | null;
  message: string;
}

export interface FileImportReport {
  file: string;
  sha256: string | null;
  outcome: "imported" | "failed";
  added: number;
  replaced: number;
  skipped: number;
  value_count: number;
  message: string | null;
  /** errors when failed */
  violations: Violation[];
  warnings: Violation[];
}

export interface ImportReport {
  files: FileImportReport[];
}

export interface ExportReport {
  path: string;
  sha256: string;
  eac_count: number;
  value_count: number;
}

export interface ValidationReport {
  errors: Violation[];
  warnings: Violation[];
}

export interface BulkEditReport {
  changed: number;
}

export interface DbInfo {
  path: string;
  eac_count: number;
  value_count: number;
  schema_version: number;
}

export interface ProgressEvent {
  op_id: string;
  phase: string;
  done: number;
  total: number | null;
}

export interface AppError {
  code:
    | "validation"
    | "not_found"
    | "invalid_input"
    | "io"
    | "database"
    | "cancelled"
    | "newer_database"
    | string;
  message: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  details: any;
}

export type ExportProfile = "p1" | "p2";

/**
 * One entry of `distinct_values` (not in docs/ipc.md, which says `string[]`;
 * eac-store returns `{ value, label }`: `value` is the id to filter by, `label`
 * is for people). The API layer accepts both forms and always gives Choice[].
 */
export interface Choice {
  value: string;
  label: string;
}
