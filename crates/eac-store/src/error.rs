use std::path::PathBuf;

use eac_model::Violation;

/// Everything the store can refuse or fail at. `code()` is what crosses IPC.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data broke rules of digest §d; nothing was written.
    #[error("{file}: {count} rule violation(s); nothing was written", count = violations.len())]
    Rules {
        file: String,
        violations: Vec<Violation>,
    },
    #[error("no EAC with id `{0}`")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("the database {path} was written by a newer version of EAC Desk (schema {found}, this version knows up to {supported}); update EAC Desk to open it")]
    NewerDatabase {
        path: PathBuf,
        found: usize,
        supported: usize,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("cancelled; nothing was written")]
    Cancelled,
}

impl StoreError {
    /// Another connection (a second window, an `eacdesk` command) kept the
    /// database locked for longer than the busy timeout; nothing was changed.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(e) if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        )
    }

    /// Stable code for IPC and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Rules { .. } => "validation",
            StoreError::NotFound(_) => "not_found",
            StoreError::InvalidInput(_) => "invalid_input",
            StoreError::NewerDatabase { .. } => "newer_database",
            StoreError::Io { .. } => "io",
            StoreError::Sqlite(_) | StoreError::Migration(_) => "database",
            StoreError::Cancelled => "cancelled",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
