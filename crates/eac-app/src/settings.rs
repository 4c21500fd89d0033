//! The user's settings: one small JSON file in the platform's config folder
//! (`EACDESK_CONFIG_DIR` names another folder: tests, portable installs).
//! It holds what belongs to the person, not to a database — their display
//! name for audit records, the theme, recent databases, the last export
//! folder — and, per database (keyed by its path), the UI's own state
//! (filters, sort, columns, pane widths, saved views), which this module
//! keeps as opaque JSON for the UI to validate.
//!
//! Written like every other file EAC Desk writes: to a temporary file
//! beside it, synced and renamed into place. A file that cannot be read as
//! settings is never overwritten: it is moved aside to `settings.json.bad`
//! and the defaults are used, with a warning saying so.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use eac_store::atomic::AtomicFile;
use eac_store::regular::{open_following, read_capped, Regular};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Environment variable naming the settings folder; overrides the
/// platform config folder.
pub const SETTINGS_DIR_ENV: &str = "EACDESK_CONFIG_DIR";

const SETTINGS_FILE: &str = "settings.json";
const BAD_SUFFIX: &str = ".bad";
/// How many databases "Open recent" remembers.
pub const MAX_RECENT_DATABASES: usize = 10;

/// Light or dark appearance: following the operating system unless chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Everything the settings file holds. Unknown keys (from a newer version)
/// are kept and written back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    /// The name audit records carry beside the OS login; `null` until set.
    pub display_name: Option<String>,
    pub theme: Theme,
    /// Most recently opened first, at most [`MAX_RECENT_DATABASES`].
    pub recent_databases: Vec<String>,
    /// Where the last export was written (the export dialogs start there).
    pub last_export_folder: Option<String>,
    /// Per database path: the UI's state for that database (opaque here).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub databases: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Settings {
    /// Puts `path` first in the recent databases (once), dropping the oldest
    /// beyond [`MAX_RECENT_DATABASES`].
    pub fn remember_database(&mut self, path: &Path) {
        let path = path.display().to_string();
        self.recent_databases.retain(|p| *p != path);
        self.recent_databases.insert(0, path);
        self.recent_databases.truncate(MAX_RECENT_DATABASES);
    }

    /// The display name as audit records take it: trimmed, `None` when blank.
    pub fn audit_name(&self) -> Option<&str> {
        self.display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }
}

/// The UI state of one database as it stands (`stage_view_state`): the
/// app writes it into the settings if the window closes before the UI has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StagedViewState {
    /// The database (path or server address) the state belongs to.
    pub database: String,
    /// The UI's `DeskViewState`, kept as it is.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub state: serde_json::Value,
}

/// A change to some settings (what the UI sends): fields left out stay as
/// they are, so two windows or the shell remembering a database never undo
/// each other's changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsPatch {
    /// The new display name; an empty text clears it.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub display_name: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub theme: Option<Theme>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_export_folder: Option<String>,
    /// The database whose UI state `database_state` replaces (with it).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub database: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional, type = "unknown"))]
    pub database_state: Option<serde_json::Value>,
}

impl Settings {
    /// Applies `patch` (see [`SettingsPatch`]).
    pub fn apply(&mut self, patch: SettingsPatch) {
        if let Some(name) = patch.display_name {
            let name = name.trim();
            self.display_name = (!name.is_empty()).then(|| name.to_owned());
        }
        if let Some(theme) = patch.theme {
            self.theme = theme;
        }
        if let Some(folder) = patch.last_export_folder {
            self.last_export_folder = Some(folder);
        }
        if let (Some(db), Some(state)) = (patch.database, patch.database_state) {
            self.databases.insert(db, state);
        }
    }
}

/// Settings as read, with what went wrong reading them (shown once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LoadedSettings {
    pub settings: Settings,
    /// The settings file, for the user to find.
    pub path: String,
    /// Set when the file could not be read as settings and the defaults
    /// are used instead (the old file was moved aside, never overwritten).
    pub warning: Option<String>,
}

fn resolve_settings_dir(env_value: Option<OsString>, config_dir: Option<PathBuf>) -> PathBuf {
    match env_value.filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => config_dir.unwrap_or_default(),
    }
}

/// The folder of the settings file: `EACDESK_CONFIG_DIR` when set, else the
/// platform's config folder for EAC Desk.
pub fn settings_dir() -> PathBuf {
    let config_dir = directories::ProjectDirs::from("org", "EAC Desk", "eacdesk")
        .map(|dirs| dirs.config_dir().to_owned());
    resolve_settings_dir(std::env::var_os(SETTINGS_DIR_ENV), config_dir)
}

/// The most of a settings file read: one holds a few hundred bytes (a
/// display name, ten recent databases).
const SETTINGS_FILE_CAP: u64 = 1 << 20;

/// Reads the settings in `dir`: defaults when there is no file yet; a file
/// that is not valid settings is renamed to `settings.json.bad` and the
/// defaults come back with a warning (so is one over 1 MiB). Only an
/// unreadable folder, or a named pipe, device or folder in the file's
/// place, is an error.
pub fn load_settings_in(dir: &Path) -> Result<LoadedSettings, AppError> {
    let path = dir.join(SETTINGS_FILE);
    let shown = path.display().to_string();
    // Opened once as a regular file: a named pipe there is named, never
    // waited on (a plain read blocked the app's settings and every write
    // of the command line until killed), and a device is never read.
    let failed = |e: std::io::Error| AppError::io(&path, &e);
    let file = match open_following(&path).map_err(failed)? {
        Regular::File(file) => file,
        Regular::Missing => {
            return Ok(LoadedSettings {
                settings: Settings::default(),
                path: shown,
                warning: None,
            });
        }
        Regular::Not("a folder") => return Err(failed(std::io::ErrorKind::IsADirectory.into())),
        Regular::Not(kind) => {
            return Err(crate::named::not_regular(
                &path,
                kind,
                "EAC Desk reads its settings only from a file",
                "Nothing was changed. Move it away (EAC Desk then writes its settings there), \
                 or set EACDESK_CONFIG_DIR to another folder.",
            ))
        }
    };
    let read = match read_capped(&file, SETTINGS_FILE_CAP).map_err(failed)? {
        Some(bytes) => serde_json::from_slice::<Settings>(&bytes).map_err(|e| e.to_string()),
        None => Err(format!(
            "it is larger than {}, the most a settings file may hold; one holds a few hundred \
             bytes",
            crate::named::size_words(SETTINGS_FILE_CAP)
        )),
    };
    match read {
        Ok(settings) => Ok(LoadedSettings {
            settings,
            path: shown,
            warning: None,
        }),
        Err(e) => {
            let mut aside = path.clone().into_os_string();
            aside.push(BAD_SUFFIX);
            let aside = PathBuf::from(aside);
            fs::rename(&path, &aside).map_err(|e| AppError::io(&path, &e))?;
            Ok(LoadedSettings {
                settings: Settings::default(),
                path: shown,
                warning: Some(format!(
                    "The settings file could not be read ({e}); it was kept as {} and the defaults are used.",
                    aside.display()
                )),
            })
        }
    }
}

/// Writes `settings` to `dir` (created when missing), atomically.
pub fn save_settings_in(dir: &Path, settings: &Settings) -> Result<(), AppError> {
    let path = dir.join(SETTINGS_FILE);
    fs::create_dir_all(dir).map_err(|e| AppError::io(dir, &e))?;
    let mut file = AtomicFile::beside(&path)?;
    let mut text = serde_json::to_vec_pretty(settings)
        .map_err(|e| AppError::io(&path, &std::io::Error::other(e)))?;
    text.push(b'\n');
    file.write_all(&text).map_err(|e| AppError::io(&path, &e))?;
    file.commit()?;
    Ok(())
}

/// Reads, changes and writes the settings in `dir` in one step; returns
/// what was written.
pub fn update_settings_in(
    dir: &Path,
    change: impl FnOnce(&mut Settings),
) -> Result<Settings, AppError> {
    let mut settings = load_settings_in(dir)?.settings;
    change(&mut settings);
    save_settings_in(dir, &settings)?;
    Ok(settings)
}

/// The display name audit records carry, as the settings file in `dir`
/// holds it: only read, so a file that cannot be read means no name (the
/// app's settings dialog says why and keeps the file aside).
pub fn audit_name_in(dir: &Path) -> Option<String> {
    // As [`load_settings_in`] opens it: a named pipe is not waited on.
    let Regular::File(file) = open_following(&dir.join(SETTINGS_FILE)).ok()? else {
        return None;
    };
    let bytes = read_capped(&file, SETTINGS_FILE_CAP).ok()??;
    let settings: Settings = serde_json::from_slice(&bytes).ok()?;
    settings.audit_name().map(str::to_owned)
}

/// [`audit_name_in`] the [`settings_dir`]: what every write of the CLI and
/// the app records beside the OS login.
pub fn audit_name_setting() -> Option<String> {
    audit_name_in(&settings_dir())
}

/// [`load_settings_in`] the [`settings_dir`].
pub fn load_settings() -> Result<LoadedSettings, AppError> {
    load_settings_in(&settings_dir())
}

/// [`save_settings_in`] the [`settings_dir`].
pub fn save_settings(settings: &Settings) -> Result<(), AppError> {
    save_settings_in(&settings_dir(), settings)
}

/// [`update_settings_in`] the [`settings_dir`].
pub fn update_settings(change: impl FnOnce(&mut Settings)) -> Result<Settings, AppError> {
    update_settings_in(&settings_dir(), change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_a_save_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load_settings_in(dir.path()).unwrap();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.warning.is_none());
        let mut s = Settings {
            display_name: Some("Ana Silva".into()),
            theme: Theme::Dark,
            ..Settings::default()
        };
        s.databases.insert(
            "/x/eacdesk.db".into(),
            serde_json::json!({"sort": "quantity"}),
        );
        save_settings_in(&dir.path().join("new"), &s).unwrap();
        assert_eq!(
            load_settings_in(&dir.path().join("new")).unwrap().settings,
            s
        );
    }

    #[test]
    fn unknown_keys_from_a_newer_version_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"theme":"light","future_flag":{"a":1}}"#,
        )
        .unwrap();
        let s = update_settings_in(dir.path(), |s| s.display_name = Some("B".into())).unwrap();
        assert_eq!(s.theme, Theme::Light);
        let text = fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        assert!(text.contains("future_flag"), "{text}");
    }

    #[test]
    fn a_broken_file_is_moved_aside_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(SETTINGS_FILE), "{not json").unwrap();
        let loaded = load_settings_in(dir.path()).unwrap();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.warning.unwrap().contains("settings.json.bad"));
        assert_eq!(
            fs::read_to_string(dir.path().join("settings.json.bad")).unwrap(),
            "{not json"
        );
    }

    /// The app's settings (its Settings dialog, its start) read the file
    /// as a regular file: a named pipe is refused naming it (a plain read
    /// waited for a writer until the app was killed), a link to
    /// `/dev/zero` as the device it leads to (read until memory ran out),
    /// and the file is left in place. A file over 1 MiB is no settings: it
    /// is kept aside as a broken one is.
    #[cfg(unix)]
    #[test]
    fn a_pipe_or_device_is_refused_and_a_huge_file_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.unwrap().success());
        let (sent, got) = std::sync::mpsc::channel();
        let folder = dir.path().to_owned();
        std::thread::spawn(move || {
            let _ = sent.send((load_settings_in(&folder), audit_name_in(&folder)));
        });
        let (loaded, name) = got
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the settings were read from the named pipe: it waited for a writer");
        let e = loaded.unwrap_err();
        assert!(
            e.message
                .contains("settings.json is a named pipe, not a regular file"),
            "{}",
            e.message
        );
        assert!(e.message.contains("EACDESK_CONFIG_DIR"), "{}", e.message);
        assert_eq!(name, None);
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let e = load_settings_in(dir.path()).unwrap_err();
        assert!(e.message.contains("is a device file"), "{}", e.message);
        assert!(fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
        fs::remove_file(&path).unwrap();

        let huge = format!("{{\"display_name\": \"Ana\"{}}}", " ".repeat(1 << 20));
        fs::write(&path, &huge).unwrap();
        assert_eq!(audit_name_in(dir.path()), None);
        let loaded = load_settings_in(dir.path()).unwrap();
        assert_eq!(loaded.settings, Settings::default());
        let warning = loaded.warning.unwrap();
        assert!(
            warning.contains("it is larger than 1 MiB, the most a settings file may hold"),
            "{warning}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("settings.json.bad")).unwrap(),
            huge
        );
    }

    #[test]
    fn recent_databases_are_unique_newest_first_and_capped() {
        let mut s = Settings::default();
        for i in 0..12 {
            s.remember_database(Path::new(&format!("/db/{i}.db")));
        }
        s.remember_database(Path::new("/db/5.db"));
        assert_eq!(s.recent_databases.len(), MAX_RECENT_DATABASES);
        assert_eq!(s.recent_databases[0], "/db/5.db");
        assert_eq!(
            s.recent_databases
                .iter()
                .filter(|p| *p == "/db/5.db")
                .count(),
            1
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let mut s = Settings {
            theme: Theme::Dark,
            display_name: Some("Ana".into()),
            ..Settings::default()
        };
        s.remember_database(Path::new("/a.db"));
        s.apply(SettingsPatch {
            database: Some("/a.db".into()),
            database_state: Some(serde_json::json!({"sort": "quantity"})),
            ..SettingsPatch::default()
        });
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.display_name.as_deref(), Some("Ana"));
        assert_eq!(s.recent_databases, ["/a.db"]);
        assert_eq!(
            s.databases["/a.db"],
            serde_json::json!({"sort": "quantity"})
        );
        s.apply(SettingsPatch {
            display_name: Some(" ".into()),
            ..SettingsPatch::default()
        });
        assert_eq!(s.display_name, None);
    }

    #[test]
    fn blank_display_names_are_none() {
        let s = Settings {
            display_name: Some("  ".into()),
            ..Settings::default()
        };
        assert_eq!(s.audit_name(), None);
        let s = Settings {
            display_name: Some(" Ana ".into()),
            ..Settings::default()
        };
        assert_eq!(s.audit_name(), Some("Ana"));
    }

    #[test]
    fn the_override_wins_when_set_and_not_empty() {
        let cfg = PathBuf::from("/home/a/.config/eacdesk");
        assert_eq!(
            resolve_settings_dir(Some("/t".into()), Some(cfg.clone())),
            PathBuf::from("/t")
        );
        assert_eq!(
            resolve_settings_dir(Some("".into()), Some(cfg.clone())),
            cfg
        );
    }
}
