//! Issue 14 in the real app: the About dialog names this build's version
//! (the workspace's, as `eacdesk --version` prints it), the open database
//! and its schema, and prefills a problem report; a file the app is started
//! with ("Open with EAC Desk") is offered in the Import dialog, not imported.

use std::process::Command;

use anyhow::{ensure, Context, Result};
use eac_e2e::{artifacts_dir, cli_binary, Desk};

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn about_names_the_version_the_database_and_prefills_a_problem_report() -> Result<()> {
    let desk = Desk::start("about").await?;
    desk.wait_attr("db-path", "data-path", |p| !p.is_empty())
        .await?;
    desk.click("toolbar-about").await?;
    desk.el("about-dialog").await?;
    let version = env!("CARGO_PKG_VERSION");
    desk.wait_text("about-version", "to name this build", |t| t == version)
        .await?;
    let cli = Command::new(cli_binary()).arg("--version").output()?;
    ensure!(
        String::from_utf8_lossy(&cli.stdout).trim() == format!("eacdesk {version}"),
        "the CLI and the app disagree on the version"
    );
    let db = desk.db.to_string_lossy().to_string();
    desk.wait_text("about-db-path", "to name the open database", |t| t == db)
        .await?;
    let schema = desk.text("about-schema").await?;
    ensure!(
        schema.parse::<u32>().is_ok_and(|n| n >= 1),
        "a fresh database has this build's schema, shown as one number: {schema:?}"
    );

    desk.click("about-report-open").await?;
    let report = desk
        .el("about-report")
        .await?
        .prop("value")
        .await?
        .context("the report text")?;
    ensure!(
        report.contains(&format!("Version: {version}\n"))
            && report.contains(&format!("Database schema: {schema}\n"))
            && report.contains("Last error: none shown"),
        "the report is prefilled: {report}"
    );
    ensure!(
        !report.contains(&db),
        "the report names no file path: {report}"
    );
    desk.screenshot(&artifacts_dir().join("about-report.png"))
        .await?;
    desk.click("about-close").await?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn a_file_the_app_is_opened_with_is_offered_in_the_import_dialog_not_imported() -> Result<()>
{
    let files = tempfile::tempdir()?;
    let listing = files.path().join("march.cds.json");
    let made = Command::new(cli_binary())
        .args(["sample", "--eacs", "3", "--seed", "7", "--out"])
        .arg(&listing)
        .env("EACDESK_DB", files.path().join("unused.sqlite"))
        .output()?;
    ensure!(made.status.success(), "eacdesk sample --out failed");

    let desk = Desk::start_with_args("open-with", &[listing.to_string_lossy().to_string()]).await?;
    desk.el("import-dialog").await?;
    desk.wait_text("import-note", "to say nothing is imported yet", |t| {
        t.contains("opened with this file") && t.contains("Nothing is imported yet")
    })
    .await?;
    let paths = desk.el("import-paths").await?.prop("value").await?;
    ensure!(
        paths.as_deref().map(str::trim) == Some(&*listing.to_string_lossy()),
        "the file is listed for import: {paths:?}"
    );
    // Nothing was imported while the dialog waits for the user.
    let count = Command::new(cli_binary())
        .args(["ls", "--json"])
        .env("EACDESK_DB", &desk.db)
        .output()?;
    ensure!(count.status.success(), "eacdesk ls failed");
    let listed: serde_json::Value = serde_json::from_slice(&count.stdout)?;
    ensure!(
        listed["summary"]["count"] == 0,
        "the database stays empty until the user imports: {listed}"
    );
    desk.screenshot(&artifacts_dir().join("open-with-import.png"))
        .await?;

    desk.click("import-run").await?;
    desk.el_in("import-dialog", "import-summary").await?;
    desk.click("import-done").await?;
    desk.wait_count("footer-count", |c| c == 3).await?;
    desk.quit().await
}
