//! Notices when another process (typically `eacdesk` on the command line)
//! commits to the open database, so the window can offer to refresh.
//!
//! Polls `PRAGMA data_version` on a read-only connection of its own once a
//! second (never migrating or creating the file); the value changes whenever
//! any other connection commits. The app's own commits
//! are told apart by [`WriteCount`](crate::desk::WriteCount) and not reported:
//! the UI refreshes after its own edits anyway.

use std::path::PathBuf;
use std::time::Duration;

use eac_app::StoreWatch;

use crate::desk::Desk;

const INTERVAL: Duration = Duration::from_secs(1);

/// Starts the watcher on a thread of its own; it runs as long as the app.
pub fn spawn(desk: Desk) {
    std::thread::Builder::new()
        .name("db-watch".into())
        .spawn(move || watch(desk))
        .expect("start the database watcher thread");
}

fn watch(desk: Desk) {
    let mut conn: Option<(PathBuf, StoreWatch)> = None;
    let mut last_version = None;
    let mut last_finished = desk.writes().snapshot().0;
    // The first poll runs at once (the app is still starting), so a change
    // made while the window loads is already measured against a baseline.
    let mut first = true;
    loop {
        if !std::mem::take(&mut first) {
            std::thread::sleep(INTERVAL);
        }
        let path = desk.path();
        if conn.as_ref().is_none_or(|(p, _)| *p != path) {
            // A newly opened file: start over without reporting a change.
            conn = eac_app::open_watch(&path).ok().map(|s| (path, s));
            last_version = None;
        }
        let Some((_, store)) = &conn else { continue };
        // Snapshots around the read: any own write seen in between (or since
        // the last poll) makes this poll a new baseline instead of a report.
        let before = desk.writes().snapshot();
        let Ok(version) = store.data_version() else {
            continue;
        };
        let after = desk.writes().snapshot();
        let own_write = before != after || after.1 || after.0 != last_finished;
        last_finished = after.0;
        if own_write {
            last_version = None;
            continue;
        }
        if last_version.is_some_and(|v| v != version) {
            if let Some(ui) = desk.ui() {
                ui.db_changed();
            }
        }
        last_version = Some(version);
    }
}
