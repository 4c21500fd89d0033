//! Team mode: the app on a database on a PostgreSQL server (`make test`
//! starts a throwaway cluster and names it in `EACDESK_TEST_PG`).

use std::process::Command;

use anyhow::{ensure, Result};
use eac_e2e::{artifacts_dir, cli_binary, Desk};

use crate::{assign, load_sample, open_first_row};

/// A new, empty server database named `name` (`postgres://` address), or
/// None when no test server is given.
fn server_database(name: &str) -> Result<Option<String>> {
    let Ok(settings) = std::env::var("EACDESK_TEST_PG") else {
        ensure!(
            std::env::var("EACDESK_REQUIRE_PG").is_err(),
            "EACDESK_REQUIRE_PG is set but EACDESK_TEST_PG is not"
        );
        eprintln!("skipped: no PostgreSQL server (EACDESK_TEST_PG; `make test` starts one)");
        return Ok(None);
    };
    // The synchronous client runs a runtime of its own: not on the test's.
    let (admin_settings, db) = (settings.clone(), name.to_owned());
    std::thread::spawn(move || -> Result<()> {
        let mut admin = postgres::Client::connect(&admin_settings, postgres::NoTls)?;
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))?;
        admin.batch_execute(&format!(
            "CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' \
             LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        ))?;
        Ok(())
    })
    .join()
    .map_err(|_| anyhow::anyhow!("making the server database panicked"))??;
    let get = |key: &str| {
        settings
            .split_whitespace()
            .rev()
            .find_map(|part| part.strip_prefix(&format!("{key}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let port = get("port");
    let port = if port.is_empty() {
        String::new()
    } else {
        format!(":{port}")
    };
    Ok(Some(format!(
        "postgres://{}@{}{port}/{name}",
        get("user"),
        get("host").replace('/', "%2F")
    )))
}

/// Runs the CLI on `db`; its stdout, or an error with its stderr.
fn cli(db: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(cli_binary())
        .args(args)
        .env("EACDESK_DB", db)
        .output()?;
    ensure!(
        out.status.success(),
        "eacdesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn two_desks_on_one_server_database_see_each_other_and_never_overwrite() -> Result<()> {
    let Some(url) = server_database("eacdesk_e2e_team")? else {
        return Ok(());
    };
    // An administrator sets the database up and moves a portfolio there.
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("portfolio.sqlite");
    let file = file.to_string_lossy().into_owned();
    cli(&file, &["sample", "--eacs", "20", "--seed", "5"])?;
    cli(&file, &["server", "init", &url])?;
    cli(&file, &["copy", "--to", &url])?;

    // The analyst's desk opens the server database and shows its EACs.
    let desk = Desk::start_on_server("team", &url).await?;
    desk.wait_count("footer-count", |c| c == 20).await?;
    let id = open_first_row(&desk).await?;
    assign(&desk, "account", "E2E-MINE").await?;
    desk.type_into("ben-reason", "E2E: my contract").await?;

    // A colleague changes the same EAC from another desk (the CLI here).
    cli(
        &url,
        &[
            "beneficiaries",
            "set",
            &id,
            "--type",
            "account",
            "--id",
            "E2E-THEIRS",
            "--reason",
            "their contract",
        ],
    )?;
    // The window hears of it from the server and keeps the unsaved edit.
    desk.wait_attr("changed-banner", "data-state", |s| s == "stale")
        .await?;
    // Saving anyway is refused, names the change, and overwrites nothing.
    desk.click("ben-save").await?;
    desk.wait_text("ben-error-message", "to name the change", |t| {
        t.contains("was changed after you opened it")
            && t.contains("its beneficiaries were changed by ")
            && t.contains("nothing was saved")
    })
    .await?;
    let shown = cli(&url, &["show", &id, "--json"])?;
    let shown: serde_json::Value = serde_json::from_str(&shown)?;
    ensure!(
        shown["beneficiaries"] == serde_json::json!(["E2E-THEIRS"]),
        "{shown}"
    );
    desk.screenshot(&artifacts_dir().join("team-conflict.png"))
        .await?;

    // Refreshed, the edit made again is saved on the server, audited.
    desk.click("changed-refresh").await?;
    desk.wait_attr("ben-id", "data-value", |v| v == "E2E-THEIRS")
        .await?;
    assign(&desk, "account", "E2E-MINE").await?;
    desk.type_into("ben-reason", "E2E: my contract").await?;
    desk.click("ben-save").await?;
    desk.wait_text("ben-message", "to confirm the save", |t| {
        t.contains("Saved")
    })
    .await?;
    let shown: serde_json::Value = serde_json::from_str(&cli(&url, &["show", &id, "--json"])?)?;
    ensure!(
        shown["beneficiaries"] == serde_json::json!(["E2E-MINE"]),
        "{shown}"
    );
    let audit = cli(&url, &["audit", &id])?;
    ensure!(audit.contains("E2E: my contract"), "{audit}");
    cli(&url, &["audit", "verify"])?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn a_server_database_is_opened_from_the_dialog_and_its_password_never_kept() -> Result<()> {
    let Some(url) = server_database("eacdesk_e2e_dialog")? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("portfolio.sqlite");
    let file = file.to_string_lossy().into_owned();
    cli(&file, &["sample", "--eacs", "9", "--seed", "2"])?;
    cli(&file, &["server", "init", &url])?;
    cli(&file, &["copy", "--to", &url])?;

    // The desk starts on its own file, then opens the team's database.
    let desk = Desk::start("team-dialog").await?;
    desk.el("empty-state").await?;
    desk.click("db-open").await?;
    desk.type_into("db-path-input", &url).await?;
    // A server address asks for a password (the test server lets anyone
    // in, so any will do) and never offers to create a file.
    desk.type_into("db-password", "e2e-s3cret").await?;
    desk.click("db-open-run").await?;
    desk.wait_count("footer-count", |c| c == 9).await?;
    let shown = desk.attr("db-path", "data-path").await?.unwrap_or_default();
    ensure!(shown.starts_with("postgres://"), "{shown}");
    ensure!(!shown.contains("e2e-s3cret"), "{shown}");
    // Nothing the app wrote holds the password.
    let home = desk.dir.path().join("home");
    for entry in walk(&home)? {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        ensure!(
            !String::from_utf8_lossy(&bytes).contains("e2e-s3cret"),
            "{} holds the password",
            entry.display()
        );
    }
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn the_open_database_file_is_moved_to_a_server_from_the_dialog() -> Result<()> {
    let Some(url) = server_database("eacdesk_e2e_move")? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let admin = dir.path().join("admin.sqlite");
    cli(&admin.to_string_lossy(), &["server", "init", &url])?;

    let desk = Desk::start("team-move").await?;
    load_sample(&desk, 12).await?;
    desk.wait_count("footer-count", |c| c == 12).await?;
    desk.click("db-open").await?;
    desk.type_into("db-path-input", &url).await?;
    desk.type_into("db-password", "e2e-pw").await?;
    // The address, the password and both ways on are in view in the
    // smallest supported window too.
    for (w, h) in [(1024, 768), (1280, 800)] {
        desk.set_viewport(w, h).await?;
        for id in [
            "db-path-input",
            "db-password",
            "db-server-help",
            "db-open-run",
            "db-move",
        ] {
            let r = desk.rect(id).await?;
            ensure!(r.within((w, h)), "{id} at {w}×{h}: {r:?}");
        }
        // WebKit under Xvfb paints a few frames a second.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        desk.screenshot(&artifacts_dir().join(format!("team-move-dialog-{w}x{h}.png")))
            .await?;
    }
    desk.click("db-move").await?;
    // Copied, checked, and the window now works on the server.
    desk.wait_attr("db-path", "data-path", |p| p.starts_with("postgres://"))
        .await?;
    desk.wait_count("footer-count", |c| c == 12).await?;
    let listed = cli(&url, &["ls", "--json"])?;
    let listed: serde_json::Value = serde_json::from_str(&listed)?;
    ensure!(
        listed["total"] == 12 || listed["rows"].as_array().map(Vec::len) == Some(12),
        "{listed}"
    );
    // The file is still there, whole.
    let file = cli(&desk.db.to_string_lossy(), &["ls", "--json"])?;
    let file: serde_json::Value = serde_json::from_str(&file)?;
    ensure!(file["rows"].as_array().map(Vec::len) == Some(12), "{file}");
    desk.quit().await
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                out.extend(walk(&path)?);
            } else {
                out.push(path);
            }
        }
    }
    Ok(out)
}

/// Moving a large database to a server and pressing Cancel while it is
/// copied: the dialog says nothing was copied, the window stays on the
/// file (whole), and the server database holds no EAC.
#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn a_move_to_a_server_cancelled_from_the_dialog_copies_nothing() -> Result<()> {
    let Some(url) = server_database("eacdesk_e2e_move_cancel")? else {
        return Ok(());
    };
    let dir = tempfile::Builder::new().prefix("eacdesk-e2e-").tempdir()?;
    let file = dir.path().join("e2e.eacdesk.sqlite");
    let file_text = file.to_string_lossy().into_owned();
    // Large enough that the copy takes seconds (about six on this machine).
    cli(&file_text, &["sample", "--eacs", "20000"])?;
    let admin = dir.path().join("admin.sqlite");
    cli(&admin.to_string_lossy(), &["server", "init", &url])?;

    let desk = Desk::start_in("team-move-cancel", dir, &[]).await?;
    desk.wait_count("footer-count", |c| c == 20000).await?;
    desk.click("db-open").await?;
    desk.type_into("db-path-input", &url).await?;
    desk.type_into("db-password", "e2e-pw").await?;
    desk.click("db-move").await?;
    desk.click("db-move-progress-cancel").await?;
    let said = desk.text("db-move-cancelled").await?;
    ensure!(said.contains("Nothing was copied"), "{said}");
    desk.screenshot(&artifacts_dir().join("team-move-cancelled.png"))
        .await?;
    // Still the file, whole; the server as set up, without an EAC.
    let path = desk.attr("db-path", "data-path").await?.unwrap_or_default();
    ensure!(!path.starts_with("postgres://"), "{path}");
    desk.wait_count("footer-count", |c| c == 20000).await?;
    let listed: serde_json::Value = serde_json::from_str(&cli(&url, &["ls", "--json"])?)?;
    ensure!(
        listed["rows"].as_array().map(Vec::len) == Some(0),
        "{listed}"
    );
    desk.quit().await
}
