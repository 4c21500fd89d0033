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
    /// `user_version` holds a value EAC Desk never writes (negative).
    #[error("the database {path} has schema version {found}, which no version of EAC Desk writes: another program changed it or it is not an EAC Desk database; open another file or restore it from a backup")]
    ForeignSchema { path: PathBuf, found: i64 },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A schema upgrade failed (rolled back): the migration file and
    /// SQLite's message, never the whole SQL.
    #[error("upgrading the database with migration {file} failed: {message}")]
    Migration { file: String, message: String },
    /// These ids are not in the database (nothing was changed).
    #[error("no EAC with id {}", .0.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "))]
    UnknownIds(Vec<String>),
    /// There is no import batch with this number.
    #[error("there is no import with number {0}")]
    NoBatch(i64),
    /// The operation would overwrite later changes to these EACs; nothing
    /// was changed. `message` says what happened and what to do.
    #[error("{message}")]
    Conflict { message: String, ids: Vec<String> },
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
            StoreError::NotFound(_) | StoreError::UnknownIds(_) | StoreError::NoBatch(_) => {
                "not_found"
            }
            StoreError::Conflict { .. } => "conflict",
            StoreError::ForeignSchema { .. } => "database",
            StoreError::InvalidInput(_) => "invalid_input",
            StoreError::NewerDatabase { .. } => "newer_database",
            StoreError::Io { .. } => "io",
            StoreError::Sqlite(_) | StoreError::Migration { .. } => "database",
            StoreError::Cancelled => "cancelled",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
