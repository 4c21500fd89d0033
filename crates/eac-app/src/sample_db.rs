//! A separate database for sample data, so made-up EACs never mix with a
//! user's real ones (issue 9 item 17): "Load sample data" on a database that
//! already holds EACs offers `<name>-sample.sqlite` beside it instead.

use std::path::{Path, PathBuf};

use eac_store::{ImportReport, Progress, Store};
use serde::Serialize;

use crate::AppError;

/// What ends the file stem of a sample database.
const SAMPLE_SUFFIX: &str = "-sample";

/// Where sample data for the database at `open_db` goes: `eacdesk.sqlite` →
/// `eacdesk-sample.sqlite` in the same folder. A database whose name already
/// ends in `-sample` is its own sample database.
pub fn sample_database_path(open_db: &Path) -> PathBuf {
    if is_sample_database(open_db) {
        return open_db.to_owned();
    }
    let stem = open_db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "eacdesk".to_owned());
    open_db.with_file_name(format!("{stem}{SAMPLE_SUFFIX}.sqlite"))
}

/// Whether `path` is named as a sample database (`…-sample.sqlite`).
pub fn is_sample_database(path: &Path) -> bool {
    path.file_stem()
        .is_some_and(|s| s.to_string_lossy().ends_with(SAMPLE_SUFFIX))
}

/// Where "Load sample data" should put the EACs, for the dialog to offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SamplePlan {
    /// The open database.
    pub open_path: String,
    /// EACs in the open database (with values or envelope-only).
    pub open_eac_count: usize,
    /// The open database holds EACs and is not a sample database: sample
    /// data should go to `sample_path`, and the user must ask to mix them.
    pub separate: bool,
    /// The separate sample database (created when missing).
    pub sample_path: String,
    /// Whether that file exists already (it is then added to, like any
    /// other database: the same seed skips EACs already there).
    pub sample_exists: bool,
}

/// The plan for the database `store` has open.
pub fn sample_plan(store: &Store) -> Result<SamplePlan, AppError> {
    let info = store.info()?;
    let open = store.path();
    let sample = sample_database_path(open);
    let open_eac_count = info.eac_count + info.envelope_only_count;
    Ok(SamplePlan {
        open_path: open.display().to_string(),
        open_eac_count,
        separate: open_eac_count > 0 && !is_sample_database(open),
        sample_exists: sample.exists(),
        sample_path: sample.display().to_string(),
    })
}

/// Loads sample data into the separate sample database of `open_db` (created
/// when missing), never into `open_db` itself; the shell then opens it.
/// Refused when `open_db` already is its own sample database.
pub fn load_sample_database(
    open_db: &Path,
    eacs: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<ImportReport, AppError> {
    let target = sample_database_path(open_db);
    if same_file(&target, open_db) {
        return Err(AppError::invalid_input(format!(
            "{} is already a sample database; load the sample data into it directly.",
            open_db.display()
        )));
    }
    let mut store = crate::open_store(&target)?;
    crate::load_sample(&mut store, eacs, seed, progress)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eac_store::NoProgress;

    #[test]
    fn the_sample_database_sits_beside_the_open_one() {
        assert_eq!(
            sample_database_path(Path::new("/data/eacdesk.sqlite")),
            PathBuf::from("/data/eacdesk-sample.sqlite")
        );
        assert_eq!(
            sample_database_path(Path::new("/data/audit 2025.db")),
            PathBuf::from("/data/audit 2025-sample.sqlite")
        );
        let own = Path::new("/data/eacdesk-sample.sqlite");
        assert_eq!(sample_database_path(own), own);
    }

    #[test]
    fn an_empty_database_takes_the_sample_itself() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::open_store(&dir.path().join("mine.sqlite")).unwrap();
        let plan = sample_plan(&store).unwrap();
        assert!(!plan.separate);
        assert_eq!(plan.open_eac_count, 0);
        assert!(plan.sample_path.ends_with("mine-sample.sqlite"));
        assert!(!plan.sample_exists);
    }

    #[test]
    fn a_database_with_eacs_gets_a_separate_sample_and_is_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.sqlite");
        let mut store = crate::open_store(&real).unwrap();
        crate::load_sample(&mut store, 3, 7, &NoProgress).unwrap();
        let plan = sample_plan(&store).unwrap();
        assert!(plan.separate);
        assert_eq!(plan.open_eac_count, 3);
        drop(store);
        let before = std::fs::read(&real).unwrap();

        let report = load_sample_database(&real, 5, 1, &NoProgress).unwrap();
        assert_eq!(report.files[0].added, 5);
        assert_eq!(
            std::fs::read(&real).unwrap(),
            before,
            "real database changed"
        );
        let sample = crate::open_store(&dir.path().join("real-sample.sqlite")).unwrap();
        assert_eq!(sample.info().unwrap().eac_count, 5);
        let plan = sample_plan(&sample).unwrap();
        assert!(!plan.separate, "a sample database takes more sample data");
        assert!(plan.sample_exists);
    }

    #[test]
    fn a_sample_database_is_never_its_own_separate_target() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("x-sample.sqlite");
        crate::open_store(&own).unwrap();
        let e = load_sample_database(&own, 2, 1, &NoProgress).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert!(
            e.message.contains("already a sample database"),
            "{}",
            e.message
        );
    }
}
