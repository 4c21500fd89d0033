//! The local SQLite store of EACs: schema and migrations, streaming import
//! (one transaction per file), browse queries with exact totals, audited
//! beneficiary edits and streaming, atomic P1 export.
//!
//! Invariants: only this crate talks to SQLite; every SQL statement is
//! parameterized; every mutation runs in one transaction that also writes its
//! audit record; quantities are stored and summed as exact decimals.

pub mod api;
mod error;

use std::path::{Path, PathBuf};

pub use api::*;
use eac_model::Eac;
pub use error::{Result, StoreError};

/// An open EAC database.
pub struct Store {
    conn: rusqlite::Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating when missing) and migrates the database at `path`.
    /// WAL mode, foreign keys on, a busy timeout so a concurrent writer (the
    /// CLI while the app is open) waits instead of failing.
    pub fn open(path: &Path) -> Result<Store> {
        unimplemented!()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn info(&self) -> Result<DbInfo> {
        unimplemented!()
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    pub fn data_version(&self) -> Result<i64> {
        unimplemented!()
    }

    /// Imports one P1 listing file as one transaction.
    pub fn import_file(
        &mut self,
        path: &Path,
        opts: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        unimplemented!()
    }

    /// Imports EACs already in memory (sample data) as one transaction.
    pub fn import_eacs(
        &mut self,
        source_name: &str,
        eacs: &mut dyn Iterator<Item = Eac>,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        unimplemented!()
    }

    pub fn browse(&self, query: &BrowseQuery) -> Result<Vec<EacRow>> {
        unimplemented!()
    }

    pub fn summary(&self, filter: &EacFilter) -> Result<BrowseSummary> {
        unimplemented!()
    }

    pub fn eac(&self, cds_eac_id: &str) -> Result<Eac> {
        unimplemented!()
    }

    pub fn detail(&self, cds_eac_id: &str) -> Result<EacDetail> {
        unimplemented!()
    }

    pub fn choices(&self, field: ChoiceField) -> Result<Vec<Choice>> {
        unimplemented!()
    }

    pub fn beneficiary_suggestions(
        &self,
        kind: eac_model::BeneficiaryType,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>> {
        unimplemented!()
    }

    pub fn set_beneficiaries(
        &mut self,
        cds_eac_id: &str,
        to: &BeneficiaryAssignment,
        reason: &str,
        os_user: &str,
    ) -> Result<AuditRecord> {
        unimplemented!()
    }

    pub fn bulk_set_beneficiaries(
        &mut self,
        filter: &EacFilter,
        to: &BeneficiaryAssignment,
        reason: &str,
        os_user: &str,
        progress: &dyn Progress,
    ) -> Result<BulkEditReport> {
        unimplemented!()
    }

    pub fn audit_log(&self, cds_eac_id: Option<&str>) -> Result<Vec<AuditRecord>> {
        unimplemented!()
    }

    pub fn export_p1(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        progress: &dyn Progress,
    ) -> Result<ExportReport> {
        unimplemented!()
    }
}

/// The operating system's name for the person at the keyboard, for audit records.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}
