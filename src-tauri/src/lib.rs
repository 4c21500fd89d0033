//! EAC Desk's desktop shell: a Tauri 2 window around the web UI in `ui/`.
//!
//! This crate holds no business logic. Every IPC command is a one-line
//! adapter over an operation in `eac-app` (shared with the `eacdesk` CLI),
//! declared once in the list of `commands.rs`; what lives here is only what
//! a window needs: where work runs (never on the UI thread), progress events
//! and cancellation, native file dialogs, the window title, and noticing
//! when another process changed the open database. It reaches the database
//! only through `eac-app`.

mod commands;
mod desk;
mod dialogs;
mod watch;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use eac_app::ProgressEvent;
use tauri::{AppHandle, Builder, Emitter, Manager, Runtime};

pub use desk::{window_title, Desk, Ui};

/// Starts the app on the database named by `--db PATH`, else `$EACDESK_DB`,
/// else the default file the CLI uses too; other arguments are files to
/// offer for import.
pub fn run() {
    eac_app::ignore_file_size_signal();
    draw_without_gl_when_it_is_software();
    setup(Builder::default())
        .run(tauri::generate_context!())
        .expect("EAC Desk could not start its window");
}

/// On Linux without a GPU (no `/dev/dri/renderD*`: a virtual machine, a
/// remote desktop, the CI machine) WebKitGTK would composite every frame
/// through Mesa's software OpenGL (llvmpipe), whose threads then took about
/// two thirds of both cores while the table scrolled and starved the page's
/// own thread (decision 228). Without compositing WebKit paints the page
/// itself on the CPU: less work when no GPU does it. A value the person set
/// for `WEBKIT_DISABLE_COMPOSITING_MODE` is kept either way.
fn draw_without_gl_when_it_is_software() {
    let chosen = std::env::var_os(COMPOSITING_OFF);
    if cfg!(target_os = "linux") && compositing_off(chosen.as_deref(), Path::new("/dev/dri")) {
        // Before any thread starts: the window and the web process are made later.
        std::env::set_var(COMPOSITING_OFF, "1");
    }
}

const COMPOSITING_OFF: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether to switch WebKit's compositing off: nobody chose (`chosen`, the
/// variable's value if set) and `dri`, the DRM device folder, holds no
/// render node (`renderD128`, …).
fn compositing_off(chosen: Option<&std::ffi::OsStr>, dri: &Path) -> bool {
    chosen.is_none()
        && !std::fs::read_dir(dri).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
}

/// The app as `main` runs it (tests use the same through [`with_database`]).
pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    // Made absolute now: the app may not stay in the folder it started in.
    let files = launch_files(args.clone())
        .into_iter()
        .map(|f| std::path::absolute(&f).unwrap_or(f))
        .collect();
    with_launch_files(builder, database_path(args), files)
}

/// Registers the commands and state on `builder`, with `db` as the open database.
pub fn with_database<R: Runtime>(builder: Builder<R>, db: PathBuf) -> Builder<R> {
    with_launch_files(builder, db, Vec::new())
}

/// [`with_database`], with `files` to offer for import (see [`launch_files`]).
pub fn with_launch_files<R: Runtime>(
    builder: Builder<R>,
    db: PathBuf,
    files: Vec<PathBuf>,
) -> Builder<R> {
    let desk = Desk::new(db);
    desk.set_launch_files(files);
    builder
        .invoke_handler(commands::handler())
        // Managed before the app runs, so commands work from the first call
        // (and under the mock runtime, which never runs `setup`).
        .manage(desk.clone())
        .on_window_event({
            let desk = desk.clone();
            move |window, event| {
                // Unsaved edits or running work: the UI asks first, and
                // calls `close_anyway` when the user agrees.
                match event {
                    tauri::WindowEvent::CloseRequested { api, .. } => {
                        if let Some(blockers) = desk.on_close_requested(CLOSE_UNANSWERED) {
                            api.prevent_close();
                            let _ = window.emit("close-requested", blockers);
                        }
                    }
                    // The UI writes its state a moment after a change;
                    // what it had not written yet is written now.
                    tauri::WindowEvent::Destroyed => desk.write_staged_view_state(),
                    _ => {}
                }
            }
        })
        .setup(move |app| {
            desk.attach(Arc::new(app.handle().clone()));
            {
                let desk = desk.clone();
                tauri::async_runtime::spawn_blocking(move || desk.remember_open_database());
            }
            watch::spawn(desk);
            Ok(())
        })
}

/// A close question the UI has not acknowledged for this long no longer
/// holds the window: the next close request closes it.
const CLOSE_UNANSWERED: std::time::Duration = std::time::Duration::from_secs(3);

/// `--db PATH` or `--db=PATH` when given, else `eac_app::default_db_path()`
/// (`$EACDESK_DB`, else the platform data folder). Other arguments are
/// ignored (WebDriver and desktop launchers may add their own).
pub fn database_path(args: impl IntoIterator<Item = OsString>) -> PathBuf {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            if let Some(path) = args.next() {
                return PathBuf::from(path);
            }
        } else if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--db=")) {
            return PathBuf::from(path);
        }
    }
    eac_app::default_db_path()
}

/// The files named on the command line: every argument that is not an
/// option (`-…`) or the value of `--db`. A desktop entry's `%F` and "Open
/// with" on Windows and macOS pass files this way.
pub fn launch_files(args: impl IntoIterator<Item = OsString>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            args.next();
        } else if arg == "--" {
            files.extend(args.by_ref().map(PathBuf::from));
        } else if !arg.to_string_lossy().starts_with('-') {
            files.push(PathBuf::from(arg));
        }
    }
    files
}

impl<R: Runtime> Ui for AppHandle<R> {
    fn progress(&self, event: ProgressEvent) {
        // A closed window has no one to tell; the operation goes on.
        let _ = self.emit("progress", event);
    }

    fn db_changed(&self) {
        let _ = self.emit("db-changed", serde_json::json!({}));
    }

    fn db_gone(&self, error: eac_app::AppError) {
        let _ = self.emit("db-gone", error);
    }

    fn set_title(&self, title: &str) {
        if let Some(window) = self.get_webview_window("main") {
            let _ = window.set_title(title);
        }
    }

    fn close_window(&self) {
        if let Some(window) = self.get_webview_window("main") {
            let _ = window.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn compositing_goes_off_only_without_a_render_node_and_without_a_choice_made() {
        let tmp = tempfile::tempdir().unwrap();
        let dri = tmp.path().join("dri");
        let chosen = Some(std::ffi::OsStr::new("0"));
        assert!(compositing_off(None, &dri), "no DRM folder at all");
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), b"").unwrap();
        assert!(
            compositing_off(None, &dri),
            "a display card without a render node"
        );
        assert!(
            !compositing_off(chosen, &dri),
            "the person's own setting stands"
        );
        std::fs::write(dri.join("renderD128"), b"").unwrap();
        assert!(!compositing_off(None, &dri), "a GPU composites");
        assert!(!compositing_off(chosen, &dri));
    }

    #[test]
    fn db_argument_wins_in_both_spellings() {
        assert_eq!(
            database_path(args(&["--db", "/tmp/a.sqlite"])),
            PathBuf::from("/tmp/a.sqlite")
        );
        assert_eq!(
            database_path(args(&["--automation", "--db=/tmp/b.sqlite"])),
            PathBuf::from("/tmp/b.sqlite")
        );
    }

    #[test]
    fn without_argument_the_cli_default_applies() {
        assert_eq!(
            database_path(args(&["--other"])),
            eac_app::default_db_path()
        );
    }

    #[test]
    fn files_are_the_arguments_that_are_not_options() {
        assert_eq!(
            launch_files(args(&[
                "--db",
                "/tmp/a.sqlite",
                "/home/x/listing.json",
                "--automation",
                "--db=/tmp/b.sqlite",
                "two words.cds.json",
                "--",
                "-dash.json"
            ])),
            vec![
                PathBuf::from("/home/x/listing.json"),
                PathBuf::from("two words.cds.json"),
                PathBuf::from("-dash.json")
            ]
        );
        assert!(launch_files(args(&["--db", "x.json"])).is_empty());
    }

    #[test]
    fn title_names_the_database() {
        assert_eq!(
            window_title(std::path::Path::new("/data/eacdesk.sqlite")),
            "EAC Desk — /data/eacdesk.sqlite"
        );
    }
}
