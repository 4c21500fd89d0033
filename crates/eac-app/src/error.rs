//! The error that crosses into the shells: `{ code, message, details }`, so
//! the desktop UI and scripts decide on `code` and never parse `message`.

use eac_model::Violation;
use eac_store::StoreError;
use serde::Serialize;
use serde_json::{json, Value};

/// A failed operation. `code` is one of `validation` (the data broke a rule
/// of digest §d; `details.violations` lists them), `not_found`,
/// `invalid_input`, `io`, `database`, `cancelled`, `newer_database`,
/// `conflict` (an undo would overwrite later changes; `details.cds_eac_ids`).
/// `message` is plain words for a person and says what to do next.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct AppError {
    pub code: String,
    pub message: String,
    /// Always a JSON object; `violations` for `validation`.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub details: Value,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        AppError {
            code: code.to_owned(),
            message: message.into(),
            details: json!({}),
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        AppError::new("invalid_input", message)
    }

    pub fn cancelled() -> Self {
        AppError::new("cancelled", "Cancelled; nothing was written.")
    }

    /// A file or folder could not be read or written.
    pub fn io(path: &std::path::Path, source: &std::io::Error) -> Self {
        AppError {
            details: json!({ "path": path.display().to_string() }),
            ..AppError::new(
                "io",
                format!(
                    "Could not read or write {}: {source}. Check that the path exists and that you may access it.",
                    path.display()
                ),
            )
        }
    }

    /// The data broke rules; nothing was written.
    pub fn validation(message: impl Into<String>, violations: &[Violation]) -> Self {
        AppError {
            details: json!({ "violations": violations }),
            ..AppError::new("validation", message)
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The violations of a `validation` error (empty for other codes).
    pub fn violations(&self) -> Vec<Violation> {
        self.details
            .get("violations")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    pub fn is_validation(&self) -> bool {
        self.code == "validation"
    }
}

/// `1 rule violation`, `3 rule violations`.
pub(crate) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let code = e.code();
        if e.is_busy() {
            return AppError {
                details: json!({ "busy": true }),
                ..AppError::new(
                    code,
                    "The database is busy: another EAC Desk window or an eacdesk command is still writing to it. Nothing was changed; wait until it has finished and try again.",
                )
            };
        }
        let (message, details) = match e {
            StoreError::Rules { file, violations } => (
                format!(
                    "{file}: {}; nothing was written. Fix the problems listed and try again.",
                    plural(violations.len(), "rule violation")
                ),
                json!({ "file": file, "violations": violations }),
            ),
            StoreError::NotFound(id) => (
                format!(
                    "There is no EAC with id `{id}` in this database. Check the id (it is case-sensitive) or import the file that holds it."
                ),
                json!({ "cds_eac_id": id }),
            ),
            StoreError::InvalidInput(message) => (message, json!({})),
            StoreError::NewerDatabase {
                ref path,
                found,
                supported,
            } => (
                e.to_string(),
                json!({ "path": path.display().to_string(), "found": found, "supported": supported }),
            ),
            StoreError::Io { path, source } => return AppError::io(&path, &source),
            StoreError::Sqlite(e) => (
                format!(
                    "The database could not be read or written ({e}). If another program is writing to it, wait and try again; if the file is damaged, restore it from a backup."
                ),
                json!({}),
            ),
            StoreError::Migration { file, message } => (
                format!(
                    "The database could not be upgraded: migration {file} failed ({message}); nothing was changed. Restore it from a backup or open another database file."
                ),
                json!({ "file": file }),
            ),
            StoreError::ForeignSchema { ref path, found } => (
                e.to_string(),
                json!({ "path": path.display().to_string(), "found": found }),
            ),
            StoreError::UnknownIds(ids) => (
                format!(
                    "There is no EAC with id {} in this database. Check the ids (they are case-sensitive). Nothing was changed.",
                    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                ),
                json!({ "cds_eac_ids": ids }),
            ),
            StoreError::NoBatch(id) => (
                format!(
                    "There is no import number {id} in this database; list the imports to find the right number. Nothing was changed."
                ),
                json!({ "batch_id": id }),
            ),
            StoreError::Conflict { message, ids } => (message, json!({ "cds_eac_ids": ids })),
            StoreError::Cancelled => return AppError::cancelled(),
        };
        AppError {
            code: code.to_owned(),
            message,
            details,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_busy_database_says_who_holds_it_and_what_to_do() {
        let busy = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(5), None);
        let e = AppError::from(StoreError::Sqlite(busy));
        assert_eq!(e.code, "database");
        assert_eq!(e.details["busy"], true);
        assert!(e.message.contains("busy"), "{}", e.message);
        assert!(e.message.contains("Nothing was changed"), "{}", e.message);
        assert!(e.message.contains("try again"), "{}", e.message);
        // Other database errors keep the general advice.
        let other = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(11), None);
        let e = AppError::from(StoreError::Sqlite(other));
        assert!(e.details.get("busy").is_none());
        assert!(e.message.contains("backup"), "{}", e.message);
    }

    #[test]
    fn rule_errors_carry_their_violations() {
        let v = Violation::error(4, "/beneficiaries", "general needs an empty list");
        let e = AppError::from(StoreError::Rules {
            file: "data.json".into(),
            violations: vec![v.clone()],
        });
        assert_eq!(e.code, "validation");
        assert!(e.is_validation());
        assert_eq!(e.violations(), vec![v]);
        assert!(
            e.message.contains("data.json: 1 rule violation;"),
            "{}",
            e.message
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["details"]["violations"][0]["rule"], 4);
        assert_eq!(json["code"], "validation");
    }

    #[test]
    fn codes_come_from_the_store() {
        let cases: Vec<(StoreError, &str)> = vec![
            (StoreError::NotFound("x".into()), "not_found"),
            (StoreError::InvalidInput("bad".into()), "invalid_input"),
            (StoreError::Cancelled, "cancelled"),
            (
                StoreError::Io {
                    path: PathBuf::from("/nope/a.json"),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                },
                "io",
            ),
            (
                StoreError::NewerDatabase {
                    path: PathBuf::from("db"),
                    found: 9,
                    supported: 1,
                },
                "newer_database",
            ),
            (
                StoreError::Migration {
                    file: "0009_x.sql".into(),
                    message: "boom".into(),
                },
                "database",
            ),
            (StoreError::UnknownIds(vec!["a".into()]), "not_found"),
            (StoreError::NoBatch(7), "not_found"),
            (
                StoreError::Conflict {
                    message: "changed".into(),
                    ids: vec!["a".into()],
                },
                "conflict",
            ),
        ];
        for (store_error, code) in cases {
            let e = AppError::from(store_error);
            assert_eq!(e.code, code);
            assert!(e.details.is_object());
            assert!(e.violations().is_empty());
            assert!(!e.message.is_empty());
        }
        let e = AppError::from(StoreError::Io {
            path: PathBuf::from("/nope/a.json"),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
        assert_eq!(e.details["path"], "/nope/a.json");
        assert!(e.message.contains("/nope/a.json"));
    }

    #[test]
    fn plural_words() {
        assert_eq!(plural(1, "rule violation"), "1 rule violation");
        assert_eq!(plural(0, "warning"), "0 warnings");
    }
}
