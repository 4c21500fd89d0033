//! The store's public data types: queries in, rows and reports out.
//!
//! These cross into the desktop app's IPC, so they derive `ts_rs::TS` (feature
//! `ts`) and carry decimals as exact text, never as JSON numbers (a JavaScript
//! number would round `45.106820`).

use eac_model::{BeneficiaryType, RetiredState, TechnologyType, Violation};
use serde::{Deserialize, Serialize};

/// Which EACs a browse, count, bulk edit or export applies to. Every field is
/// optional; set fields are intersected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct EacFilter {
    /// Case-insensitive substring of `eac_number`, value numbers, `cds_eac_id`,
    /// asset, source and destination (id or name) and beneficiaries.
    pub search: Option<String>,
    pub technology: Option<TechnologyType>,
    pub beneficiary_type: Option<BeneficiaryType>,
    /// `YYYY-MM-DD`; keeps EACs whose period overlaps `[from, to]` (whole days, UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    pub retired: Option<RetiredState>,
    /// `source_id`, exact.
    pub source: Option<String>,
    /// `destination_id`, exact.
    pub destination: Option<String>,
    /// `true`: only EACs missing an emission factor (imported as `"TODO"`);
    /// `false`: only EACs with both.
    pub missing_emissions: Option<bool>,
    /// `true`: only EACs missing any CDS-required field (registry imports
    /// not completed yet, or emission factors); `false`: only complete ones.
    pub incomplete: Option<bool>,
    /// Only these EACs (`cds_eac_id`, exact): rows picked in the table. An
    /// empty list matches none. Bound as one parameter, so any number fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub ids: Option<Vec<String>>,
    /// None of these EACs (`cds_eac_id`, exact): "all in the filter but
    /// these" after a select-all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub exclude_ids: Option<Vec<String>>,
    /// Cell filters, all of which must hold: "filter by this value" and
    /// "exclude this value" on a table cell (`eacdesk ls --where/--exclude`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub matches: Option<Vec<FieldMatch>>,
}

/// A field a cell filter compares, exactly (no case folding, no substring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    EacNumber,
    /// The spec name (`solar`).
    Technology,
    /// `source_id`.
    Source,
    /// `destination_id`.
    Destination,
    /// The spec name (`account`).
    BeneficiaryType,
    /// One of the EAC's beneficiary ids (missing: it has none).
    Beneficiary,
    /// `no`, `partly` or `yes`.
    Retired,
    /// `asset_id`.
    Asset,
    /// `YYYY-MM-DD`.
    AssetCommissioned,
    /// Earliest issue date, `YYYY-MM-DD`.
    Issuance,
}

impl MatchField {
    pub const ALL: [MatchField; 10] = [
        MatchField::EacNumber,
        MatchField::Technology,
        MatchField::Source,
        MatchField::Destination,
        MatchField::BeneficiaryType,
        MatchField::Beneficiary,
        MatchField::Retired,
        MatchField::Asset,
        MatchField::AssetCommissioned,
        MatchField::Issuance,
    ];

    /// The wire name (`"eac_number"`), as `ls --where` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchField::EacNumber => "eac_number",
            MatchField::Technology => "technology",
            MatchField::Source => "source",
            MatchField::Destination => "destination",
            MatchField::BeneficiaryType => "beneficiary_type",
            MatchField::Beneficiary => "beneficiary",
            MatchField::Retired => "retired",
            MatchField::Asset => "asset",
            MatchField::AssetCommissioned => "asset_commissioned",
            MatchField::Issuance => "issuance",
        }
    }

    pub fn parse(text: &str) -> Option<MatchField> {
        MatchField::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// "Only EACs whose `field` is `value`" (or, with `exclude`, "none whose
/// `field` is `value`"). `value` `None` is the field missing. Excluding a
/// value keeps the EACs where the field is missing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldMatch {
    pub field: MatchField,
    pub value: Option<String>,
    #[serde(default)]
    pub exclude: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    EacNumber,
    TechnologyType,
    PeriodStart,
    PeriodEnd,
    /// By source name, then id.
    Source,
    /// By destination name, then id.
    Destination,
    BeneficiaryType,
    /// Exact total, compared across units (1 MWh > 999 kWh).
    Quantity,
    RetiredState,
    Issuance,
    CdsEacId,
    CdsModified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SortSpec {
    pub field: SortField,
    pub descending: bool,
}

impl Default for SortSpec {
    fn default() -> Self {
        SortSpec {
            field: SortField::EacNumber,
            descending: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BrowseQuery {
    pub filter: EacFilter,
    pub sort: SortSpec,
    pub offset: usize,
    pub limit: usize,
}

/// An exact quantity in one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuantityTotal {
    pub unit: eac_model::EnergyUnit,
    /// Exact decimal text.
    pub total: String,
}

/// One line of the EAC table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EacRow {
    pub cds_eac_id: String,
    pub eac_number: Option<String>,
    /// `None` (here and below): missing, see `missing`.
    pub technology_type: Option<TechnologyType>,
    pub period_start: String,
    pub period_end: String,
    /// Earliest `values[].issued`, `YYYY-MM-DD`; `None` while no value has
    /// an issue date.
    pub issuance: Option<String>,
    pub source_id: String,
    pub source_name: String,
    pub destination_id: Option<String>,
    pub destination_name: Option<String>,
    pub beneficiary_type: Option<BeneficiaryType>,
    pub beneficiaries: Vec<String>,
    pub quantities: Vec<QuantityTotal>,
    pub retired_state: RetiredState,
    pub value_count: usize,
    pub asset_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub asset_commissioned: Option<String>,
    /// Exact decimal text; `None`: missing (imported as `"TODO"`).
    pub emissions_factor_direct: Option<String>,
    pub emissions_factor_lca: Option<String>,
    /// RFC 3339 UTC.
    pub cds_created: String,
    pub cds_modified: String,
    /// An emission factor is missing (imported as e.g. `"TODO"`): the EAC
    /// blocks a P1 export until numbers are entered.
    pub emissions_missing: bool,
    /// The CDS-required fields it lacks (`destination_id`, `issued`, …):
    /// an incomplete EAC blocks exports until they are entered.
    pub missing: Vec<String>,
}

/// Count and exact totals of a filtered set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BrowseSummary {
    pub count: usize,
    pub totals: Vec<QuantityTotal>,
}

/// What a summary groups values by (`eacdesk summary --by …`), in the
/// order given. Time keys are of the VALUE's period (its `start`, else the
/// EAC's `period_start`), in UTC: an EAC whose values span two months
/// counts in both (decision 128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SummaryKey {
    /// The EAC's `technology_type` (missing for registry imports not completed).
    Technology,
    /// `2024`.
    Year,
    /// `2024-Q1`.
    Quarter,
    /// `2024-01`.
    Month,
    /// The issuing registry (`source_id`).
    Source,
    /// The value is retired (dated, or proven without a date) or not.
    Retired,
}

impl SummaryKey {
    pub const ALL: [SummaryKey; 6] = [
        SummaryKey::Technology,
        SummaryKey::Year,
        SummaryKey::Quarter,
        SummaryKey::Month,
        SummaryKey::Source,
        SummaryKey::Retired,
    ];

    /// The wire name (`"technology"`), as `--by` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SummaryKey::Technology => "technology",
            SummaryKey::Year => "year",
            SummaryKey::Quarter => "quarter",
            SummaryKey::Month => "month",
            SummaryKey::Source => "source",
            SummaryKey::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<SummaryKey> {
        SummaryKey::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One group of a summary: the values whose keys are `keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryGroup {
    /// One per key asked for, in order: the technology's spec name, `2024`,
    /// `2024-Q1`, `2024-01`, the `source_id`, `retired`/`not_retired`;
    /// `None` where the EAC lacks the field (technology not completed).
    pub keys: Vec<Option<String>>,
    /// The same keys for people: `Ofgem (ofgem)`, `Retired`, `missing`.
    pub labels: Vec<String>,
    /// EACs with at least one value in the group (an EAC whose values fall
    /// in two groups counts in both).
    pub count: usize,
    /// Exact totals per unit, in unit order.
    pub totals: Vec<QuantityTotal>,
}

/// Values of the EACs a filter matches, grouped; groups in key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupedTotals {
    pub by: Vec<SummaryKey>,
    pub groups: Vec<SummaryGroup>,
}

/// A value for pickers: the id to filter by and a label for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChoiceField {
    Source,
    Destination,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EacValueView {
    pub eac_number: Option<String>,
    /// `None`: missing (the statement printed no issue date).
    pub issued: Option<String>,
    pub retired: Option<String>,
    /// Claimed according to the document, on a date it does not give.
    pub retired_undated: bool,
    pub start: Option<String>,
    pub end: Option<String>,
    pub unit: eac_model::EnergyUnit,
    /// Exact decimal text.
    pub value: String,
    /// The value's extension members (a registry's meter id, say) as one
    /// JSON object text, or `None`: kept as imported, and exported.
    pub extensions_json: Option<String>,
}

/// Every field of one EAC, for the detail pane (decimals as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EacDetail {
    pub cds_eac_id: String,
    pub cds_created: String,
    pub cds_modified: String,
    pub eac_number: Option<String>,
    pub source_id: String,
    pub source_name: String,
    /// `None` (here and in the other optional CDS-required fields): missing,
    /// listed in `missing`; must be entered before an export.
    pub destination_id: Option<String>,
    pub destination_name: Option<String>,
    pub beneficiary_type: Option<BeneficiaryType>,
    pub beneficiaries: Vec<String>,
    pub asset_id: String,
    pub asset_commissioned: Option<String>,
    pub asset_origination: Option<eac_model::AssetLocationType>,
    pub asset_destination: Option<eac_model::AssetLocationType>,
    pub technology_type: Option<TechnologyType>,
    /// `None`: missing, must be entered before a P1 export.
    pub emissions_factor_direct: Option<String>,
    pub emissions_factor_lca: Option<String>,
    pub period_start: String,
    pub period_end: String,
    pub values: Vec<EacValueView>,
    /// Extension fields as one JSON object text, or `None`.
    pub extensions_json: Option<String>,
    pub retired_state: RetiredState,
    pub quantities: Vec<QuantityTotal>,
    /// When the EAC was last checked against its source (RFC 3339 UTC):
    /// its import, or a "mark verified" action. `None` only for EACs stored
    /// before schema 3 that no import has seen since.
    pub cds_synced: Option<String>,
    /// The missing fields as paths below the EAC (`destination_id`,
    /// `values/0/issued`), in field order; empty when complete.
    pub missing: Vec<String>,
    /// The database's change number of the EAC's last change (migration
    /// 0014): an edit made on what the detail showed names it, and is
    /// refused when the EAC has changed since.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

/// Who an EAC is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BeneficiaryAssignment {
    pub beneficiary_type: BeneficiaryType,
    pub beneficiaries: Vec<String>,
}

/// One audited change. Never updated or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub os_user: String,
    /// The display name the user had set when the change was made (beside
    /// the OS login); `None` for records written before display names
    /// existed or without one set.
    pub display_name: Option<String>,
    /// On a team server: the login the server authenticated the writing
    /// connection as (PostgreSQL's `session_user`, checked by the server
    /// as the record was written), the one name here no desk can choose;
    /// `os_user` and `display_name` are what the desk said of itself.
    /// `None` for records written to a file or before schema 27.
    #[serde(default)]
    pub server_login: Option<String>,
    /// The EAC changed; `''` for a change to the whole database (a
    /// reporting period closed or reopened).
    pub cds_eac_id: String,
    pub action: AuditAction,
    /// Who the EAC was attributed to before the change; `None` when it did
    /// not exist before, has no beneficiary type (a registry EAC nobody
    /// completed) or the record is unreadable.
    pub before: Option<BeneficiaryAssignment>,
    /// … and after; `None` when the change removed it ([`Self::removed`])
    /// or it has no beneficiary type.
    pub after: Option<BeneficiaryAssignment>,
    /// `set_emissions` only: the factors before and after the change.
    pub before_emissions: Option<crate::EmissionFactors>,
    pub after_emissions: Option<crate::EmissionFactors>,
    /// The other fields that changed (`cds_synced` for `verify`; for an
    /// import replacement or an undo every differing field, `values` as a
    /// count), in field order.
    pub changes: Vec<FieldChange>,
    pub reason: String,
    /// The file the change came from (`import_replace`, `undo_import`).
    pub source_file: Option<String>,
    /// The import batch (see [`ImportBatch`]) that made or was undone by the change.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub import_batch_id: Option<i64>,
    /// Set when the stored record could not be read in full (changed by
    /// another tool): what is wrong. The other fields hold what could be read.
    pub problem: Option<String>,
    /// A beneficiary or emission edit that gave the EAC what it held: a
    /// review, recorded with its reason, that changed nothing (decision 15).
    #[serde(default)]
    pub reviewed: bool,
    /// The change took the EAC out of the database: a `delete`, or an
    /// `undo_import` of the import that added it (its record keeps nothing
    /// after). An undo giving an EAC its earlier version back is not one,
    /// whether or not that version has beneficiaries (`after` is `None`
    /// for both when it has none).
    #[serde(default)]
    pub removed: bool,
}

/// The saved states of an audit record as written (JSON text: the whole
/// EAC before and after the change, see `history`), for a reader that wants
/// every field (`audit --json`); `None` where the record keeps none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditStates {
    pub before_state: Option<String>,
    pub after_state: Option<String>,
}

/// Which audit records the app-wide history shows: every field left out
/// (or blank) lets every record through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditQuery {
    /// Text found in the OS login or the display name (ignoring case).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub who: Option<String>,
    /// Records made at or after this instant (RFC 3339).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub from: Option<String>,
    /// Records made before this instant (RFC 3339, exclusive).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<String>,
    /// Only these actions (empty: every action).
    pub actions: Vec<AuditAction>,
    /// The EAC: its `cds_eac_id`, or the EAC number of a stored EAC.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub eac: Option<String>,
    /// Records to skip (newest first).
    pub offset: u32,
    /// At most this many records (0: the default page of 200, at most 1000).
    pub limit: u32,
}

/// One page of the app-wide history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    /// How many records the query matches in all.
    pub total: u32,
    /// The offset this page starts at.
    pub offset: u32,
}

/// What an audited change did (the wire and the database hold the
/// snake_case names of the variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A person changed who the EAC is attributed to.
    SetBeneficiaries,
    /// A person entered the emission factors.
    SetEmissions,
    /// A person completed or corrected fields (`eacdesk set`).
    SetFields,
    /// An import replaced the EAC by a newer version.
    ImportReplace,
    /// Checked against its source (`cds_synced`).
    Verify,
    Delete,
    UndoImport,
    /// A stored action no version of EAC Desk writes (another tool changed
    /// the record; its `problem` names what was stored).
    Unknown,
    /// A reporting period was closed (a database-level record: no EAC;
    /// `changes` holds `closed_period` after).
    PeriodClose,
    /// A closed period was reopened (`changes`: `closed_period` before).
    PeriodReopen,
    /// A listing or bundle was exported (database-level: no EAC; `changes`
    /// hold the profile, file, SHA-256 and count).
    Export,
    /// An evidence pack was made (database-level: no EAC; `changes` hold
    /// the manifest's SHA-256, the file count and the folder).
    Pack,
    /// Consumption was imported (database-level: file, rows, beneficiaries).
    ConsumptionImport,
    /// A beneficiary's stored consumption was deleted (database-level:
    /// beneficiary, rows, files, period).
    ConsumptionDelete,
    /// A claim was recorded with its allocations (database-level).
    ClaimCreate,
    /// A claim was deleted; its values are free again (database-level).
    ClaimDelete,
    /// An emission factor of a market was set (database-level: before, after).
    FactorSet,
    /// Reference data (accounts, service contracts, programs) was imported
    /// (database-level: file, entries added, labels changed).
    RefdataImport,
    /// A CSV column mapping was saved or replaced (database-level: name,
    /// the mapping as saved, the one it replaced).
    MappingSave,
    /// A saved CSV column mapping was deleted (database-level: name, the
    /// mapping it held).
    MappingDelete,
    /// Reference-data entries were removed (database-level: type, ids with
    /// their labels; the entries kept whole as the before-state).
    RefdataRemove,
    /// An import stored again an EAC whose history ended with its removal
    /// (a deletion, or an undo of the import that added it): nothing
    /// before, the EAC as added after, the reason naming that removal.
    ImportReadd,
}

impl AuditAction {
    /// The name stored and sent (`"import_replace"`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SetBeneficiaries => "set_beneficiaries",
            AuditAction::SetEmissions => "set_emissions",
            AuditAction::SetFields => "set_fields",
            AuditAction::ImportReplace => "import_replace",
            AuditAction::Verify => "verify",
            AuditAction::Delete => "delete",
            AuditAction::UndoImport => "undo_import",
            AuditAction::Unknown => "unknown",
            AuditAction::PeriodClose => "period_close",
            AuditAction::PeriodReopen => "period_reopen",
            AuditAction::Export => "export",
            AuditAction::Pack => "pack",
            AuditAction::ConsumptionImport => "consumption_import",
            AuditAction::ConsumptionDelete => "consumption_delete",
            AuditAction::ClaimCreate => "claim_create",
            AuditAction::ClaimDelete => "claim_delete",
            AuditAction::FactorSet => "factor_set",
            AuditAction::RefdataImport => "refdata_import",
            AuditAction::MappingSave => "mapping_save",
            AuditAction::MappingDelete => "mapping_delete",
            AuditAction::RefdataRemove => "refdata_remove",
            AuditAction::ImportReadd => "import_readd",
        }
    }

    /// The action a stored name means; `None` for a name EAC Desk never
    /// writes (`unknown` included).
    pub fn parse(stored: &str) -> Option<AuditAction> {
        [
            AuditAction::SetBeneficiaries,
            AuditAction::SetEmissions,
            AuditAction::SetFields,
            AuditAction::ImportReplace,
            AuditAction::Verify,
            AuditAction::Delete,
            AuditAction::UndoImport,
            AuditAction::PeriodClose,
            AuditAction::PeriodReopen,
            AuditAction::Export,
            AuditAction::Pack,
            AuditAction::ConsumptionImport,
            AuditAction::ConsumptionDelete,
            AuditAction::ClaimCreate,
            AuditAction::ClaimDelete,
            AuditAction::FactorSet,
            AuditAction::RefdataImport,
            AuditAction::MappingSave,
            AuditAction::MappingDelete,
            AuditAction::RefdataRemove,
            AuditAction::ImportReadd,
        ]
        .into_iter()
        .find(|a| a.as_str() == stored)
    }
}

/// `record.action == "delete"`: the stored name, for tests and scripts.
impl PartialEq<&str> for AuditAction {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One field of an EAC before and after a change (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which EACs a deletion removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeleteTarget {
    /// These exact ids (full or envelope-only EACs); an unknown id refuses
    /// the whole deletion.
    Ids(Vec<String>),
    /// Every EAC matching the filter; the empty filter also takes every
    /// envelope-only EAC (they have none of the filtered fields).
    Filter(EacFilter),
}

/// What a deletion removed (or, dry run, would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeleteReport {
    pub dry_run: bool,
    /// EACs with values removed.
    pub deleted: usize,
    /// Envelope-only EACs removed.
    pub envelopes_deleted: usize,
    /// The first ids removed (at most 50), in id order.
    pub ids: Vec<String>,
}

/// One import: a file (or a sample load) imported as one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportBatch {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub file_name: String,
    pub sha256: Option<String>,
    /// UTC, RFC 3339.
    pub imported_at: String,
    pub added: usize,
    pub replaced: usize,
    pub skipped: usize,
    pub ignored: usize,
    pub value_count: usize,
    /// When it was undone (UTC, RFC 3339), else `None`.
    pub undone_at: Option<String>,
    /// Whether undoing it now would go through: `false` exactly when
    /// [`ImportBatch::undo_refusal`] says why not. Worked out for every
    /// import together when the list is read, with the undo's own rules,
    /// so the list and the undo (and its dry run) agree.
    pub undoable: bool,
    /// Why undoing it now is refused, when it is (`None` when it can be
    /// undone): the code the undo refuses with and why, in plain words.
    pub undo_refusal: Option<UndoRefusal>,
}

/// Why an import cannot be undone now ([`ImportBatch::undo_refusal`]):
/// what the undo itself, and its dry run, would refuse with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UndoRefusal {
    /// The undo's refusal: `conflict` (EACs it added or replaced changed
    /// after it, a later import's document still states them, or a
    /// recorded claim counts them), `frozen` (EACs it would
    /// change lie in a closed reporting period), `invalid_input` (already
    /// undone, made by an EAC Desk that did not keep what an import
    /// replaced, or nothing left to undo).
    pub code: crate::ErrorCode,
    /// Why, in plain words: one or two sentences with no command in them
    /// and no "Nothing was changed" (nothing was tried).
    pub reason: String,
    /// The EACs it names (the first 50), in id order; empty when it names
    /// none.
    pub cds_eac_ids: Vec<String>,
}

/// What undoing an import did (or, dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UndoReport {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub batch_id: i64,
    pub file_name: String,
    pub dry_run: bool,
    /// EACs the import added, removed now.
    pub removed: usize,
    /// EACs the import replaced, given back their earlier version.
    pub restored: usize,
    /// EACs the import added that were deleted since (nothing to do).
    pub already_removed: usize,
    /// EACs the import found unchanged in its registry document, which it
    /// named as one of their sources: they stay as they are, and the
    /// document is no longer named (each change recorded, as `sources`).
    #[serde(default)]
    pub unlinked: usize,
    /// The first ids removed, restored or unlinked (at most 50).
    pub ids: Vec<String>,
}

/// What "mark verified" recorded (or, dry run, would record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyReport {
    pub dry_run: bool,
    /// EACs (envelope-only ones included) marked verified.
    pub verified: usize,
    /// When they were checked (UTC, RFC 3339): one clock reading, the
    /// `cds_synced` each got unless it was created later.
    pub at: String,
    /// Of `verified`: EACs created after `at` (a source dated ahead), whose
    /// `cds_synced` became their `cds_created` instead, never before it
    /// (decision 249).
    #[serde(default)]
    pub created_later: usize,
    /// The `cds_synced` every one of them got (UTC, RFC 3339) when it is
    /// one value: `at`, or the `cds_created` of EACs created later; `null`
    /// when they got different ones, or none was verified.
    #[serde(default)]
    pub cds_synced: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported,
    Failed,
}

/// What happened to one file of an import (each file is one transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileImportReport {
    pub file: String,
    pub sha256: Option<String>,
    pub outcome: ImportOutcome,
    pub added: usize,
    pub replaced: usize,
    /// Already stored with the same or a newer `cds_modified`.
    pub skipped: usize,
    /// Of `skipped`: stored otherwise than the file states them, kept as
    /// stored (decision 11) and not marked as checked against it (their
    /// `cds_synced` stays): a later version is stored (edited, or imported
    /// from a later file), or the same `cds_modified` with other content
    /// (each of those named in a warning).
    #[serde(default)]
    pub skipped_differing: usize,
    /// Left out by rule 21 (unknown beneficiary type).
    pub ignored: usize,
    pub value_count: usize,
    /// Plain-words summary of a failure.
    pub message: Option<String>,
    /// The failure's code (`validation` when the file broke rules, `io`
    /// when it could not be read, …); absent when the file was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub code: Option<crate::ErrorCode>,
    /// `true` when the failure was a busy database (code `database`):
    /// another window or command kept it locked for longer than the busy
    /// timeout, and importing the file again later may succeed (as
    /// `AppError.details.busy`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub busy: Option<bool>,
    /// Errors (first 50) when failed.
    pub violations: Vec<Violation>,
    /// `true` when reading stopped at the first 50 errors
    /// ([`crate::MAX_REPORTED_ERRORS`]): `violations` then holds the first
    /// ones, and the file may break more rules; absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub violations_capped: bool,
    /// Warnings (first 50).
    pub warnings: Vec<Violation>,
    pub warning_count: usize,
    /// Of `added`: EACs whose history ended with their removal (a
    /// deletion, or an undo of the import that added them), stored again:
    /// each recorded as `import_readd`, and the first warning names them.
    #[serde(default)]
    pub readded: usize,
    /// `unreadable`: where in the document reading stopped (`line 12`,
    /// `page 1`, …) and the format it was read as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub format: Option<String>,
    /// For a registry document: what it did beyond the counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub registry: Option<crate::registry::RegistryImportReport>,
    /// A failed file's: the files of the same import committed before it
    /// (each file is its own transaction, committed in order), as `file`
    /// names them; absent when none was (the first file, one alone, a dry
    /// run). Its failure left those in the database.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub committed_before: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub files: Vec<FileImportReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportReport {
    pub path: String,
    pub sha256: String,
    pub eac_count: usize,
    pub value_count: usize,
    /// Why this export is not in the audit log, when it would have been
    /// recorded there: the role on a server reads only (an auditor's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub not_recorded: Option<String>,
    /// What the file holds that `validate` and `import` accept only when
    /// asked to: one warning per technology outside the 2024-08-29 draft
    /// list (nuclear, marine, storage), at the first EAC written with it
    /// (`eac_model::check::extended_technology_warning`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Violation>>", optional))]
    pub warnings: Vec<Violation>,
}

/// An EAC known only by its P2 envelope (imported without detail data):
/// no values, source, asset or technology. Times are RFC 3339 UTC text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnvelopeOnlyRow {
    pub cds_eac_id: String,
    pub cds_created: String,
    pub cds_modified: String,
    pub cds_synced: String,
    pub beneficiary_type: BeneficiaryType,
    pub beneficiaries: Vec<String>,
    pub eac_numbers: Vec<String>,
    pub eac_format: String,
    pub eac_data_url: String,
    pub period_start: String,
    pub period_end: String,
}

/// An output that records itself in the database when it is written
/// (see `Store::may_record`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordedOutput {
    /// A P1 listing or P2 bundle: an `export` audit record.
    Export,
    /// An evidence pack: a row in `packs` and a `pack` audit record.
    Pack,
}

/// A P2 bundle folder as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundleReport {
    /// The bundle folder.
    pub path: String,
    /// SHA-256 of its `eacs.json`.
    pub sha256: String,
    pub eac_count: usize,
    /// Files in the bundle: one detail file per EAC, `eacs.json`,
    /// `server-metadata.json` and `FORMAT.md`.
    pub file_count: usize,
    /// Why this bundle is not in the audit log, when it would have been
    /// recorded there: the role on a server reads only (an auditor's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub not_recorded: Option<String>,
    /// As an [`ExportReport`]'s: one warning per technology outside the
    /// draft list, at the detail file of the first EAC written with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Violation>>", optional))]
    pub warnings: Vec<Violation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkEditReport {
    pub changed: usize,
    /// EACs the filter matched when the change ran (the others already had
    /// the assignment); on a server another desk may have added or removed
    /// some since they were counted for the question.
    pub matching: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DbInfo {
    pub path: String,
    pub eac_count: usize,
    pub value_count: usize,
    pub schema_version: usize,
    /// EACs known only by their P2 envelope (not in `eac_count`: no values).
    pub envelope_only_count: usize,
    /// Problems found when the database was opened (e.g. a re-created
    /// audit-log trigger), in plain words; shells show them.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Accept `nuclear`, `marine`, `storage` (digest §f.5).
    pub allow_extended_technologies: bool,
    /// The folder a P2 listing's detail files may also be read from (CLI
    /// `--details-from`). Without it, detail files are read only from inside
    /// the listing's own bundle folder, and a listing outside a bundle reads
    /// none.
    pub details_from: Option<std::path::PathBuf>,
    /// Read every file as this registry format (`eac-registry` format id)
    /// instead of detecting it from the content.
    pub format: Option<String>,
    /// The saved column mapping for a generic CSV import.
    pub mapping: Option<String>,
    /// Report what the import would do; write nothing.
    pub dry_run: bool,
}

/// What a long operation is doing, as its progress events name it (the
/// wire names are the snake_case strings of the variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading a file into the database (EACs).
    Import,
    /// Finishing a first import: its sort and search indexes, built after
    /// the rows (steps: one per index, then the search index).
    ImportIndexes,
    /// Reading a file into a database that held no EAC a second time,
    /// because the file repeats an EAC id: the first reading built the
    /// indexes after the rows and learnt of the repeat only then; this one
    /// names each repeat where it is (decision 233). Bytes, like `Import`.
    ImportAgain,
    /// Writing a listing or bundle (EACs).
    Export,
    /// Changing the beneficiaries of many EACs.
    BulkEdit,
    /// Marking EACs as checked against their source.
    Verify,
    /// Deleting EACs.
    Delete,
    /// Undoing an import.
    UndoImport,
    /// Reading reference data (ids).
    Refdata,
    /// Generating sample EACs into the database.
    Sample,
    /// Putting generated sample EACs in listing order.
    SampleOrder,
    /// Writing the sample values as CSV.
    SampleCsv,
    /// Copying the database to a server (tables).
    Copy,
    /// The double-counting check (steps: the stored ranges compared, the
    /// certificate numbers retired twice grouped).
    Check,
    /// `check`'s integrity pass: each stored document read and hashed
    /// against the SHA-256 it was stored under (documents; every one for
    /// an unfiltered check, those of the selected EACs for a filtered one).
    CheckDocuments,
    /// An evidence pack reading the EACs of its listing: their documents,
    /// counts and totals, the claim statement's tally (EACs).
    Pack,
    /// An evidence pack writing its claim statement, the CSV then the PDF
    /// (lines: each value is read three times, twice for the CSV's values
    /// and totals, once for the PDF).
    Statement,
    /// Checking an evidence pack: each file its manifest lists, its size
    /// and SHA-256, then the manifest and its signature (files; the total
    /// is every file in the folder, as the verdict counts them).
    PackFiles,
    /// Checking an evidence pack's P1 listing by the schema and the rules
    /// and adding up its totals (no count: one reading of one file).
    PackListing,
    /// Checking an evidence pack's P2 bundle: the listing and each EAC's
    /// detail file (EACs).
    PackBundle,
    /// Writing an evidence pack's manifest: each of its files hashed as
    /// it is listed (files).
    PackManifest,
    /// Comparing a pack with the database: each EAC id, packed or
    /// matching the pack's filter now, settled as added, removed, edited
    /// or unchanged (ids).
    PackCompare,
}

impl Phase {
    /// The wire name (`"bulk_edit"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Import => "import",
            Phase::ImportIndexes => "import_indexes",
            Phase::ImportAgain => "import_again",
            Phase::Export => "export",
            Phase::BulkEdit => "bulk_edit",
            Phase::Verify => "verify",
            Phase::Delete => "delete",
            Phase::UndoImport => "undo_import",
            Phase::Refdata => "refdata",
            Phase::Sample => "sample",
            Phase::SampleOrder => "sample_order",
            Phase::SampleCsv => "sample_csv",
            Phase::Copy => "copy",
            Phase::Check => "check",
            Phase::CheckDocuments => "check_documents",
            Phase::Pack => "pack",
            Phase::Statement => "statement",
            Phase::PackFiles => "pack_files",
            Phase::PackListing => "pack_listing",
            Phase::PackBundle => "pack_bundle",
            Phase::PackManifest => "pack_manifest",
            Phase::PackCompare => "pack_compare",
        }
    }
}

/// Progress reporting and cancellation for long operations. `Sync`: a
/// long statement is cancelled from a thread that watches for the cancel
/// while the statement runs (`db::interruptible`).
pub trait Progress: Sync {
    /// `done` of `total` (unknown total: `None`) units of `phase` are finished.
    fn update(&self, phase: Phase, done: u64, total: Option<u64>);
    /// The operation is now at step `step` (from 1) of `steps`: one made
    /// of several phases in a row (an evidence pack: two exports, its EACs
    /// read, the check, the statement, its files hashed), each counting
    /// from zero again, so the whole's place is said beside the phase's.
    fn step(&self, _step: u32, _steps: u32) {}
    /// Checked between units of work; a cancelled operation writes nothing.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// Reports nothing and is never cancelled.
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _: Phase, _: u64, _: Option<u64>) {}
}
