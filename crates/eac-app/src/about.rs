//! What EAC Desk says about itself: one version for the workspace, the CLI
//! (`eacdesk --version`), the app's About dialog and the packages, and the
//! platform a problem report names.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The version of this build: the workspace's `version` in `Cargo.toml`,
/// which the CLI, the app (tauri.conf.json has none of its own) and the
/// packages all take.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The build and where it keeps its files, for the About dialog and a
/// problem report. The open database's path and schema are in `DbInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AboutInfo {
    /// `0.1.0`
    pub version: String,
    /// The operating system (`linux`, `windows`, `macos`).
    pub os: String,
    /// The processor architecture (`x86_64`, `aarch64`).
    pub arch: String,
    /// The newest database schema this build writes.
    pub schema_version: usize,
    /// The database used when none is named (`$EACDESK_DB`, else the
    /// platform's data folder).
    pub default_database: PathBuf,
    /// The folder of the settings file.
    pub settings_folder: PathBuf,
    /// The folder of this user's signing key.
    pub key_folder: PathBuf,
}

/// This build's [`AboutInfo`].
pub fn about() -> AboutInfo {
    AboutInfo {
        version: VERSION.to_owned(),
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        schema_version: eac_store::supported_schema_version(),
        default_database: crate::default_db_path(),
        settings_folder: crate::settings_dir(),
        key_folder: crate::key_dir(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_this_build() {
        let info = about();
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(!info.os.is_empty() && !info.arch.is_empty());
        assert!(info.schema_version >= 1);
    }
}
