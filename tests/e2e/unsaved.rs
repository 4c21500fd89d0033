//! Unsaved edits in the detail pane's Details tab, in the real app: emission
//! factors typed for one EAC survive a look at another tab and never reach
//! the next EAC, and saving them leaves the protection of unsaved
//! beneficiary edits in place.

use std::process::Command;

use anyhow::{ensure, Result};
use eac_e2e::{cli_binary, Desk};

use super::{assign, click_row, load_sample, open_first_row};

/// The audit log of the desk's database, through the real CLI.
fn audit(desk: &Desk) -> Result<Vec<serde_json::Value>> {
    let out = Command::new(cli_binary())
        .args(["audit", "--json"])
        .env("EACDESK_DB", &desk.db)
        .output()?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

/// The detail pane's heading: the shown EAC's number, or its CDS id when it has none.
pub(crate) async fn heading(desk: &Desk) -> Result<String> {
    let name = desk
        .attr("detail-eac-number", "title")
        .await?
        .unwrap_or_default();
    ensure!(!name.is_empty(), "the detail pane names no EAC");
    Ok(name)
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn emission_factors_typed_for_one_eac_are_asked_about_and_never_reach_the_next() -> Result<()>
{
    let desk = Desk::start("ef_next_eac").await?;
    load_sample(&desk, 5).await?;
    open_first_row(&desk).await?;
    let second = desk.row_ids().await?[1].clone();

    desk.click("ef-edit").await?;
    desk.type_into("ef-lca", "9.99").await?;

    // A look at the History tab keeps what was typed (it used to be dropped
    // without a question, and no longer asked about).
    desk.click("tab-history").await?;
    desk.el("history").await?;
    ensure!(
        !desk.shown("ef-form").await?,
        "the emission-factor form shows on the History tab"
    );
    desk.click("tab-details").await?;
    let kept = desk
        .el("ef-lca")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        kept == "9.99",
        "back from the History tab, the form holds {kept:?}, not the 9.99 typed"
    );

    // Another EAC: the app asks first, naming what is unsaved and the EAC
    // as its heading does (its number, not its CDS id when it has one).
    let name = heading(&desk).await?;
    click_row(&desk, &second).await?;
    desk.el("discard-dialog").await?;
    desk.wait_text("discard-what", "to name the emission factors", |t| {
        t.contains("the emission factors") && t.contains(&name)
    })
    .await?;
    desk.click("discard-confirm").await?;
    desk.wait_attr("detail-eac-number", "data-id", |v| v == second)
        .await?;

    // The other EAC shows its own factors, and no form still holding 9.99.
    ensure!(
        !desk.shown("ef-form").await?,
        "the emission-factor form followed the user to {second}"
    );
    let stored = desk.text("detail-ef-lca").await?;
    desk.click("ef-edit").await?;
    let shown = desk
        .el("ef-lca")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        shown != "9.99" && stored.contains(&shown),
        "the form for {second} holds {shown:?}, its stored factor is {stored:?}"
    );
    ensure!(audit(&desk)?.is_empty(), "something was written");
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn saving_emission_factors_keeps_unsaved_beneficiary_edits_protected() -> Result<()> {
    let desk = Desk::start("ef_keeps_ben_edits").await?;
    load_sample(&desk, 5).await?;
    let first = open_first_row(&desk).await?;
    let second = desk.row_ids().await?[1].clone();
    assign(&desk, "account", "E2E-UNSAVED-3").await?;

    // Save the emission factors of the same EAC meanwhile.
    desk.click("tab-details").await?;
    desk.click("ef-edit").await?;
    desk.type_into("ef-lca", "0.5").await?;
    desk.type_into("ef-reason", "Factor from the certificate")
        .await?;
    desk.click("ef-save").await?;
    desk.wait_text("detail-ef-lca", "to show the saved factor", |t| {
        t.contains("0.5")
    })
    .await?;

    // The beneficiary edit is still unsaved, and still asked about.
    let name = heading(&desk).await?;
    click_row(&desk, &second).await?;
    desk.el("discard-dialog").await?;
    desk.wait_text("discard-what", "to name the beneficiaries", |t| {
        t.contains("the beneficiaries") && t.contains(&name)
    })
    .await?;
    desk.click("discard-keep").await?;
    desk.until("the question to close", || async {
        Ok((!desk.shown("discard-dialog").await?).then_some(()))
    })
    .await?;
    desk.wait_attr("detail-eac-number", "data-id", |v| v == first)
        .await?;
    desk.click("tab-beneficiaries").await?;
    desk.wait_attr("ben-id", "data-value", |v| v == "E2E-UNSAVED-3")
        .await?;

    // Only the emission factors were written.
    let records = audit(&desk)?;
    ensure!(
        records.len() == 1 && records[0]["action"] == "set_emissions",
        "the audit log is not one emission change: {records:?}"
    );
    desk.quit().await
}
