//! Issue 13 items 7–9 in the real app: the app-wide history with filters and
//! display names, dark mode, the export's overwrite question, and the
//! keyboard going back to the table (Escape from the detail pane, after a
//! dialog).

use std::process::Command;

use anyhow::{ensure, Context, Result};
use eac_e2e::{artifacts_dir, cli_binary, Desk};

use super::load_sample;

/// The `data-testid` of the focused element, and whether it is inside the
/// detail pane.
async fn focus(desk: &Desk) -> Result<(Option<String>, bool)> {
    let v = desk
        .client
        .execute(
            "const a = document.activeElement; \
             return [a ? a.getAttribute('data-testid') : null, \
                     !!(a && a.closest('[data-testid=\"detail\"]'))];",
            vec![],
        )
        .await?;
    let testid = v[0].as_str().map(str::to_owned);
    Ok((testid, v[1].as_bool().unwrap_or(false)))
}

/// Sends keys to whatever has focus.
async fn press(desk: &Desk, keys: &str) -> Result<()> {
    desk.client.active_element().await?.send_keys(keys).await?;
    Ok(())
}

/// A screenshot once the window has painted what the DOM now holds
/// (WebKit's snapshot can lag a frame behind a change).
async fn settled_screenshot(desk: &Desk, name: &str) -> Result<()> {
    desk.client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));",
            vec![],
        )
        .await?;
    desk.screenshot(&artifacts_dir().join(name)).await
}

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

async fn set_display_name(desk: &Desk, name: &str) -> Result<()> {
    desk.click("toolbar-settings").await?;
    desk.el("settings-dialog").await?;
    desk.type_into("settings-display-name", name).await?;
    desk.wait_text("settings-name-hint", "to say what records carry", |t| {
        t.contains(name)
    })
    .await?;
    desk.click("settings-save").await?;
    desk.until("the settings dialog to close", || async {
        Ok((!desk.shown("settings-dialog").await?).then_some(()))
    })
    .await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn the_app_wide_history_filters_by_who_and_action_with_display_names() -> Result<()> {
    let desk = Desk::start("desk-history").await?;
    load_sample(&desk, 10).await?;
    set_display_name(&desk, "Ana Analyst").await?;

    // Ten records made in the app, with the display name.
    desk.click("toolbar-verify").await?;
    desk.el("verify-dialog").await?;
    desk.select("verify-scope", "all").await?;
    desk.click("verify-confirm-all-box").await?;
    desk.click("verify-run").await?;
    desk.wait_number("verify-result", "to count the marked EACs", |n| n == 10)
        .await?;
    desk.click("verify-done").await?;

    // One record by the command line, whose settings name someone else.
    let config = desk.dir.path().join("cli-config");
    std::fs::create_dir_all(&config)?;
    std::fs::write(
        config.join("settings.json"),
        r#"{"display_name": "Bob Batch"}"#,
    )?;
    let id = desk.row_ids().await?.first().cloned().context("a row")?;
    let out = Command::new(cli_binary())
        .args(["verify", &id, "--db"])
        .arg(&desk.db)
        .env("EACDESK_CONFIG_DIR", &config)
        .output()?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    desk.click("toolbar-history").await?;
    desk.el("history-dialog").await?;
    desk.wait_attr("history-dialog-count", "data-count", |c| c == "11")
        .await?;
    // Newest first: the command line's record, its name beside the login.
    let who = desk.texts("history-who").await?;
    ensure!(
        who.first().is_some_and(|w| w.starts_with("Bob Batch (")),
        "the newest record names {who:?}"
    );
    ensure!(
        who.iter().skip(1).all(|w| w.starts_with("Ana Analyst (")),
        "the app's records name {who:?}"
    );
    // Times to the second, with a time zone.
    let when = desk.text("history-when").await?;
    ensure!(
        when.chars().filter(|c| *c == ':').count() >= 2
            && when.chars().any(|c| c.is_ascii_alphabetic()),
        "the time {when:?} has no seconds or no zone"
    );

    // Who: only Bob's record.
    desk.type_into("history-who-filter", "bob").await?;
    desk.click("history-eac-show").await?;
    desk.wait_attr("history-dialog-count", "data-count", |c| c == "1")
        .await?;
    ensure!(
        desk.attr("history-row", "data-eac").await?.as_deref() == Some(id.as_str()),
        "the filtered record is not the command line's"
    );
    settled_screenshot(&desk, "history.png").await?;

    // Who and action together: Ana deleted nothing.
    desk.type_into("history-who-filter", "Ana").await?;
    desk.select("history-action-filter", "delete").await?;
    desk.click("history-eac-show").await?;
    desk.wait_attr("history-dialog-count", "data-count", |c| c == "0")
        .await?;
    desk.el("history-dialog-empty").await?;
    // Verified, by Ana: ten.
    desk.select("history-action-filter", "verify").await?;
    desk.click("history-eac-show").await?;
    desk.wait_attr("history-dialog-count", "data-count", |c| c == "10")
        .await?;
    // The EAC alone: Ana's record and Bob's.
    desk.click("history-clear").await?;
    desk.wait_attr("history-dialog-count", "data-count", |c| c == "11")
        .await?;
    desk.type_into("history-eac-filter", &id).await?;
    desk.press_enter("history-eac-filter").await?;
    desk.wait_attr("history-dialog-count", "data-count", |c| c == "2")
        .await?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn dark_mode_renders_dark_and_is_remembered() -> Result<()> {
    let desk = Desk::start("desk-dark").await?;
    load_sample(&desk, 8).await?;
    let background = || async {
        let v = desk
            .client
            .execute(
                "return [document.documentElement.dataset.scheme || '', \
                         getComputedStyle(document.documentElement).backgroundColor, \
                         getComputedStyle(document.querySelector('[data-testid=\"eac-table\"]')).backgroundColor];",
                vec![],
            )
            .await?;
        Ok::<_, anyhow::Error>((
            v[0].as_str().unwrap_or_default().to_owned(),
            v[1].as_str().unwrap_or_default().to_owned(),
            v[2].as_str().unwrap_or_default().to_owned(),
        ))
    };
    // Xvfb has no dark preference: the system theme is light.
    let (scheme, light_bg, _) = background().await?;
    ensure!(scheme == "light", "scheme {scheme:?} before choosing");

    desk.click("toolbar-settings").await?;
    desk.el("settings-dialog").await?;
    desk.click("settings-theme-dark").await?;
    desk.click("settings-save").await?;
    let (scheme, bg, table_bg) = desk
        .until("the dark scheme", || async {
            let b = background().await?;
            Ok((b.0 == "dark").then_some(b))
        })
        .await?;
    ensure!(scheme == "dark");
    ensure!(bg != light_bg, "the background stayed {bg}");
    ensure!(
        bg == "rgb(22, 26, 24)",
        "the page background is {bg}, not the dark palette's"
    );
    ensure!(
        is_dark(&table_bg),
        "the table's background is {table_bg}, not dark"
    );
    // Every row, striped or not, and its pinned first cell (which paints
    // the row's colour itself) are dark: the first cell of every other row
    // once stayed white, its light text unreadable.
    let rows = desk
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=\"eac-row\"]')].flatMap((r) =>\
               [getComputedStyle(r).backgroundColor, getComputedStyle(r.children[0]).backgroundColor]);",
            vec![],
        )
        .await?;
    let colours: Vec<&str> = rows
        .as_array()
        .context("the rows' colours")?
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    ensure!(
        colours.len() >= 16 && colours.iter().all(|c| is_dark(c)),
        "rows or first cells that are not dark: {colours:?}"
    );
    settled_screenshot(&desk, "dark.png").await?;

    // Remembered in the settings file, which the next launch reads.
    let settings = find_settings(desk.dir.path()).context("a settings.json was written")?;
    let text = std::fs::read_to_string(&settings)?;
    ensure!(text.contains("\"theme\": \"dark\""), "{text}");
    desk.quit().await
}

/// `rgb(r, g, b)` with every channel below 80 (or fully transparent, when
/// the page shows through).
fn is_dark(css: &str) -> bool {
    if css == "rgba(0, 0, 0, 0)" || css == "transparent" {
        return true;
    }
    let channels: Vec<u32> = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    channels.len() == 3 && channels.iter().all(|c| *c < 80)
}

fn find_settings(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if let Some(found) = find_settings(&path) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == "settings.json")
            && !path.starts_with(dir.join("cli-config"))
        {
            return Some(path);
        }
    }
    None
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn the_export_asks_before_overwriting_a_file() -> Result<()> {
    let desk = Desk::start("desk-overwrite").await?;
    load_sample(&desk, 5).await?;
    desk.click("export-open").await?;
    desk.el("export-dialog").await?;
    // A dated name is proposed, beside the database (no export yet).
    let proposed = desk
        .client
        .execute(
            "return document.querySelector('[data-testid=\"export-path\"]').value;",
            vec![],
        )
        .await?;
    let proposed = proposed.as_str().unwrap_or_default().to_owned();
    let db_folder = desk.db.parent().context("db folder")?.display().to_string();
    ensure!(
        proposed.starts_with(&db_folder) && proposed.ends_with(".json"),
        "proposed {proposed:?}"
    );

    let exports = desk.dir.path().join("exports");
    std::fs::create_dir_all(&exports)?;
    let out = exports.join("existing.json");
    std::fs::write(&out, "keep me")?;
    desk.type_into("export-path", &out.to_string_lossy())
        .await?;
    desk.click("export-run").await?;
    desk.wait_text("export-replace-question", "to ask before replacing", |t| {
        t.contains("“existing.json” already exists")
    })
    .await?;
    settled_screenshot(&desk, "export-overwrite.png").await?;
    ensure!(std::fs::read_to_string(&out)? == "keep me");
    // "Keep it": nothing written, the question goes.
    desk.click("export-replace-no").await?;
    desk.until("the question to go", || async {
        Ok((!desk.shown("export-replace").await?).then_some(()))
    })
    .await?;
    ensure!(std::fs::read_to_string(&out)? == "keep me");
    // Asked again; "Replace" writes the export.
    desk.click("export-run").await?;
    desk.el("export-replace-question").await?;
    desk.click("export-replace-yes").await?;
    desk.el("export-result").await?;
    let text = std::fs::read_to_string(&out)?;
    ensure!(text.contains("\"cds_eac_id\""), "not an export: {text:.80}");
    desk.click("export-done").await?;

    // The next export starts in that folder.
    desk.click("export-open").await?;
    desk.el("export-dialog").await?;
    let folder = format!("{}/eacs", exports.display());
    desk.until("a proposal in the last export folder", || async {
        let v = desk
            .client
            .execute(
                "return document.querySelector('[data-testid=\"export-path\"]').value;",
                vec![],
            )
            .await?;
        Ok(v.as_str()
            .is_some_and(|p| p.starts_with(&folder))
            .then_some(()))
    })
    .await?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn escape_goes_from_the_detail_pane_to_the_table() -> Result<()> {
    let desk = Desk::start("desk-escape").await?;
    load_sample(&desk, 6).await?;
    let first = desk.row_ids().await?.first().cloned().context("a row")?;
    desk.client
        .find(fantoccini::Locator::Css(&format!(
            "[data-testid=\"eac-row\"][data-id=\"{first}\"]"
        )))
        .await?
        .click()
        .await?;
    desk.wait_text("detail-cds-eac-id", "to show the row", |t| {
        t.contains(&first)
    })
    .await?;
    // Enter in the table goes to the detail pane …
    desk.el("eac-table").await?.send_keys(ENTER).await?;
    desk.until("focus in the detail pane", || async {
        Ok(focus(&desk).await?.1.then_some(()))
    })
    .await?;
    // … and Escape back to the table.
    press(&desk, ESCAPE).await?;
    desk.until("focus back in the table", || async {
        let (testid, _) = focus(&desk).await?;
        Ok((testid.as_deref() == Some("eac-table")).then_some(()))
    })
    .await?;

    // After a dialog from the toolbar, the keyboard is in the table too.
    desk.click("toolbar-history").await?;
    desk.el("history-dialog").await?;
    press(&desk, ESCAPE).await?;
    desk.until("focus in the table after the dialog", || async {
        let (testid, _) = focus(&desk).await?;
        Ok((testid.as_deref() == Some("eac-table")).then_some(()))
    })
    .await?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn an_import_run_from_the_keyboard_keeps_focus_in_the_dialog() -> Result<()> {
    let desk = Desk::start("desk-import-keyboard").await?;
    desk.click("toolbar-import").await?;
    desk.el("import-dialog").await?;
    let path = eac_e2e::fixture("import-three-wind.json");
    desk.type_into("import-paths", &path.to_string_lossy())
        .await?;
    // Ctrl+Enter in the path list imports; the list is disabled meanwhile.
    press(&desk, "\u{E009}\u{E007}\u{E009}").await?;
    desk.wait_attr("import-file", "data-outcome", |o| o == "imported")
        .await?;
    desk.until("focus back inside the import dialog", || async {
        let inside = desk
            .client
            .execute(
                "const a = document.activeElement; \
                 return !!(a && a.closest('[data-testid=\"import-dialog\"]'));",
                vec![],
            )
            .await?;
        Ok(inside.as_bool().unwrap_or(false).then_some(()))
    })
    .await?;
    let (testid, _) = focus(&desk).await?;
    ensure!(
        testid.as_deref() == Some("import-done"),
        "focus on {testid:?}"
    );
    // Escape still closes it from there.
    press(&desk, ESCAPE).await?;
    desk.until("the import dialog to close", || async {
        Ok((!desk.shown("import-dialog").await?).then_some(()))
    })
    .await?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn an_export_path_that_cannot_be_written_is_said_at_once_and_an_emptied_one_waits(
) -> Result<()> {
    let desk = Desk::start("desk-export-paths").await?;
    load_sample(&desk, 3).await?;
    desk.click("export-open").await?;
    desk.el("export-dialog").await?;
    // A P1 file to an existing folder: said at once, no "Replace?" first.
    let reports = desk.dir.path().join("reports");
    std::fs::create_dir_all(&reports)?;
    std::fs::write(reports.join("notes.txt"), "mine")?;
    desk.type_into("export-path", &reports.to_string_lossy())
        .await?;
    desk.click("export-run").await?;
    desk.wait_text("export-path-refused", "to say it is a folder", |t| {
        t.contains("is a folder, not a file")
    })
    .await?;
    ensure!(
        !desk.shown("export-replace").await?,
        "asked to replace a folder"
    );
    // The database's own folder, for a bundle: the same, at once.
    desk.click("export-profile-p2").await?;
    let db_folder = desk.db.parent().context("db folder")?.to_owned();
    desk.type_into("export-path", &db_folder.to_string_lossy())
        .await?;
    desk.click("export-run").await?;
    desk.wait_text("export-path-refused", "to name the database", |t| {
        t.contains("holds the database EAC Desk is using")
    })
    .await?;
    ensure!(
        !desk.shown("export-replace").await?,
        "asked to replace the database's folder"
    );
    ensure!(db_folder.join("e2e.eacdesk.sqlite").exists() || desk.db.exists());

    // Emptied as a person does (select all, delete): it stays empty and
    // Export waits, saying why; nothing is written to a default.
    desk.click("export-profile-p1").await?;
    let field = desk.el("export-path").await?;
    field.send_keys("\u{E009}a\u{E009}\u{E003}").await?;
    desk.wait_text("export-blocker", "to say a path is needed", |t| {
        t.contains("Enter or choose where to save the file")
    })
    .await?;
    let value = desk
        .client
        .execute(
            "return document.querySelector('[data-testid=\"export-path\"]').value;",
            vec![],
        )
        .await?;
    ensure!(
        value.as_str() == Some(""),
        "the field was refilled: {value}"
    );
    ensure!(
        desk.attr("export-run", "disabled").await?.is_some(),
        "Export is enabled on an empty path"
    );
    desk.quit().await
}

/// The open database's file deleted while the app runs (a cleanup script, a
/// person in a file manager): the window says so by itself within seconds,
/// titled as what happened, and a command tried then makes no new, empty
/// database in its place (an operation opened the path again and the open
/// made one, so the app went on empty as if nothing had happened).
#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn a_database_deleted_while_open_is_said_so_and_never_made_again() -> Result<()> {
    let desk = Desk::start("desk-db-deleted").await?;
    load_sample(&desk, 3).await?;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = desk.db.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
    // Nothing clicked: the watcher notices.
    let banner = desk
        .wait_text("error-banner", "to say the database file is gone", |t| {
            t.contains("The open database file is no longer there.")
        })
        .await?;
    ensure!(
        banner.contains("did not make a new database") && banner.contains("Open database"),
        "the banner says what happened but not what to do: {banner}"
    );
    ensure!(
        desk.attr("error-banner", "data-code").await?.as_deref() == Some("io"),
        "the banner's code"
    );
    // Sample data asked for now: the dialog says the same, nothing is made.
    desk.click("error-banner-dismiss").await?;
    desk.click("load-sample").await?;
    desk.wait_text("sample-dialog", "to say the database file is gone", |t| {
        t.contains("no longer there")
    })
    .await?;
    settled_screenshot(&desk, "desk-db-deleted.png").await?;
    ensure!(
        !desk.db.exists(),
        "a new database was made at {}",
        desk.db.display()
    );
    desk.quit().await
}
