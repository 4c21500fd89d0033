//! The operations of EAC Desk, shared by the `eacdesk` command line and the
//! desktop app: where the database lives, importing files, exporting,
//! loading sample data, validating a file without importing it, audited
//! beneficiary edits, audited verification, deleting EACs and undoing an
//! import, closed reporting periods, and the progress/cancel plumbing of
//! long operations.
//!
//! Every desktop-app command is a one-line adapter over a function here, so
//! the same operation is reachable from the CLI and testable without a
//! window. This crate never depends on Tauri, never talks to SQLite itself
//! (only through `eac-store`) and never prints: it returns reports and
//! [`AppError`]s (`{ code, message, details }`) for the shell to render.

mod about;
mod browse;
mod claims;
mod claims_view;
mod cli_options;
mod db;
mod edit;
mod error;
mod export;
mod history;
mod import;
mod keys;
mod named;
mod opened;
mod operation;
mod p2;
mod pack;
mod periods;
mod refdata;
mod registry;
mod sample;
mod sample_db;
mod schema_instance;
mod schema_tape;
mod settings;
mod statement_lines;
mod summary;
mod table;
mod validate;

pub use about::{about, AboutInfo, VERSION};
pub use browse::{
    audit_each, audit_each_with_states, audit_log, audit_page, browse, browse_summary, choices,
    db_info, eac_detail, open_warnings, verify_audit_chain,
};
pub use claims::{
    check_claim, check_claim_in, claim_report, claim_report_csv, claim_report_in, claims,
    create_claim, delete_claim, delete_consumption, factors, import_consumption, list_consumption,
    set_factor, ClaimCheck, ClaimInput, ClaimRef, ClaimReport, ConsumptionImported, FactorKept,
    FactorSet, StaleAllocation, ValueCheck,
};
pub use claims_view::{
    claim_report_view, consumption_groups, export_claim_report, ClaimCheckView, ClaimReportView,
    ConsumptionClaimedView, ConsumptionGroup, CriterionView, FactorUseView, HourlyScoreView,
    IntervalView, RuleSetView, StaleAllocationView, ValueCheckView,
};
pub use db::{
    copied_table_count, copy_between_servers, copy_file, copy_from_server, copy_to_server,
    db_display, default_db_path, is_server, mend_companions, new_store, open_store,
    open_store_read, open_watch, reopen_store, server_init, with_password, without_any_password,
    DB_ENV,
};
/// Beneficiary ids joined in one text so each reads back (decision 438).
pub use eac_report::id_list;
pub use eac_store::server::{without_password, InitReport, ANALYST_ROLE, AUDITOR_ROLE};
pub use eac_store::{
    ClaimFactorKept, ClaimRecord, ConsumptionClaimed, ConsumptionDeleted, ConsumptionEntry,
    FactorEntry,
};
pub use edit::{
    assignment_warnings, bulk_set_beneficiaries, bulk_set_beneficiaries_confirmed,
    bulk_set_beneficiaries_dry_run, check_assignment, check_reason, set_beneficiaries,
    set_beneficiaries_dry_run,
};
pub use error::{AppError, DatabaseProblem, ErrorCode, ErrorDetails, IoReason};
pub use export::{export, ignore_file_size_signal, output_path, path_kind, PathKind};
pub use history::{
    delete_eacs, delete_eacs_confirmed, import_batches, undo_import, undo_import_confirmed,
};
pub use import::{
    import_files, import_files_in_app, load_sample, refuse_dry_run_import, MAX_SAMPLE_EACS,
};
pub use keys::{key_dir, signing_key, signing_key_in, SigningKeyInfo, KEY_DIR_ENV};
pub use opened::{refuse_non_regular_database, OpenedFile};
pub use operation::{CloseBlockers, Operation, OperationRegistry, ProgressEvent, RunningOperation};
pub use p2::{
    envelope_only, envelope_only_count, envelope_only_eac, export_p2, listing_schema_violations,
    schema_violations, validate_p2, validate_p2_with, verify_eac, verify_eac_dry_run, verify_eacs,
    verify_eacs_confirmed, SchemaKind,
};
pub use pack::{
    make_pack, make_pack_with_key_dir, pack_diff, pack_diff_with, packs, selection_words,
    verify_pack, verify_pack_with, Manifest, ManifestAudit, ManifestCounts, ManifestFile,
    ManifestKey, ManifestProgram, PackAuditChange, PackClaimChange, PackDiff, PackEacChange,
    PackPartChange, PackProblem, PackReport, PackSourceChange, PackVerdict, MANIFEST_FILE,
    PACK_FORMAT, SIGNATURE_FILE,
};
pub use periods::{
    close_period, closed_periods, frozen_by, period_holds, reopen_period, PeriodHolds,
};
pub use refdata::{
    beneficiary_choices, check_beneficiaries, import_refdata, import_refdata_files, list_refdata,
    list_refdata_each, refdata_counts, remove_refdata, set_emissions, RefdataFailed, RefdataImport,
};
pub use registry::{
    check, delete_mapping, formats, load_mapping, mapping_from_json, mappings, preview_csv,
    preview_mapping, read_mapping_file, save_mapping, save_source, saved_mapping, set_fields,
    set_fields_confirmed, sources, CsvPreview, FormatInfo, MappingPreview, MappingSaved,
    MAX_DOCUMENT_BYTES,
};
pub use sample::{write_sample_file, write_sample_values_csv};
pub use sample_db::{
    is_sample_database, load_sample_database, sample_database_path, sample_plan, SamplePlan,
};
pub use settings::{
    audit_name_in, audit_name_setting, load_settings, load_settings_in, save_settings,
    save_settings_in, settings_dir, update_settings, update_settings_in, LoadedSettings, Settings,
    SettingsPatch, StagedViewState, Theme, MAX_RECENT_DATABASES, SETTINGS_DIR_ENV,
};
pub use summary::{
    browse_totals, summary, summary_csv, unit_total, BrowseTotals, SummaryLine, SummaryReport,
    UnitTotal,
};
pub use table::{
    envelope_only_left_out_words, export_table, write_table_csv, TableExportReport, TableFormat,
    TableView,
};
pub use validate::{validate_file, ValidationReport, MAX_REPORTED_VIOLATIONS};

// The types the operations take and return, so a shell needs one import.
pub use eac_model::{BeneficiaryType, EnergyUnit, ExportProfile, Severity, Violation};
/// Who audited changes are recorded as; `set_fields` takes it, so a shell passes this.
pub use eac_store::os_user;
pub use eac_store::NewDatabase;
pub use eac_store::{
    AlteredDocument, ChainBreak, ChainReport, CheckReport, ClosedPeriod, FieldValue, Finding,
    FindingKind, FindingSide, MissingCount, RangeOverlap, RangeSide, RegistryImportReport,
    SavedMapping, SeenBefore, SetFieldsReport, SettableField, SkippedEntry, SourceView,
};
pub use eac_store::{AuditAction, AuditStates, ChangedSince, Confirmed, Phase};
pub use eac_store::{
    AuditPage, AuditQuery, AuditRecord, BeneficiaryAssignment, BrowseQuery, BrowseSummary,
    BulkEditReport, BundleReport, EacDetail, EacFilter, EacRow, EnvelopeOnlyRow, ExportReport,
    FileImportReport, ImportOptions, ImportOutcome, ImportReport, NoProgress, Progress,
    QuantityTotal, SortField, SortSpec, Store, StoreError, SummaryKey,
};
pub use eac_store::{
    Choice, ChoiceField, EmissionFactors, RefdataCount, RefdataEntry, RefdataRemoval,
    RefdataReport, StillNamed,
};
pub use eac_store::{ClosedPeriodEntry, FieldMatch, MatchField, PackRecord};
pub use eac_store::{
    DbInfo, DeleteReport, DeleteTarget, FieldChange, ImportBatch, StoreWatch, UndoReport,
    VerifyReport,
};
