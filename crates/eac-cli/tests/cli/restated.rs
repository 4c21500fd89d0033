//! Registry statements given again through `eacdesk` (session 34): a
//! statement imported after its EACs came from a listing stores its range
//! for the overlap check; a retirement a statement reverses or keeps is
//! said in the text report; the same statement never undoes a correction
//! and its audit reason names it; a holdings download keeps a
//! confirmation's facts; a listing with another issuer's content no
//! longer cites the statement.

use super::*;

/// A real registry sample of `crates/eac-registry/tests/fixtures`.
fn sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

const WALNEY: &str =
    "ofgem:G01177FWEN0000251285010323310323GEN..G01177FWEN0000256284010323310323GEN";

/// The header of an Ofgem certificates report (CSV).
const OFGEM_HEADER: &str = "Accreditation No.,Generating Station / Agent Group,Station TIC,Scheme,Country,Technology Group,Generation Type,Output Period,No. Of Certificates,Start Certificate No.,End Certificate No.,MWh Per Certificate,Issue Date,Certificate Status,Status Date,Current Holder Organisation Name,Company Registration Number";

/// Walney Extension's 5,000 certificates of March 2023 up to the status.
const WALNEY_ROW: &str = "G01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,01/03/2023 - 31/03/2023,5000,G01177FWEN0000251285010323310323GEN,G01177FWEN0000256284010323310323GEN,1.0,25/04/2023";

impl Desk {
    /// Writes an Ofgem report of `rows` as `name`; its path.
    fn ofgem(&self, name: &str, rows: &[&str]) -> String {
        let path = self.path(name);
        std::fs::write(&path, format!("{OFGEM_HEADER}\n{}\n", rows.join("\n"))).unwrap();
        path.display().to_string()
    }

    /// `eacdesk ARGS` succeeding; its standard output.
    fn stdout(&self, args: &[&str]) -> String {
        let out = self.eacdesk().args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    }

    /// `import --json` of files that all import; the per-file reports.
    fn imported(&self, args: &[&str]) -> Vec<Value> {
        let out = self
            .eacdesk()
            .arg("import")
            .args(args)
            .arg("--json")
            .assert()
            .success();
        let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        report["files"].as_array().unwrap().clone()
    }

    /// The stored ranges (another tool's look at the file).
    fn stored_ranges(&self) -> i64 {
        rusqlite::Connection::open(self.path("desk.sqlite"))
            .unwrap()
            .query_row("SELECT count(*) FROM eac_ranges", [], |r| r.get(0))
            .unwrap()
    }
}

/// Ten of Walney's certificates redeemed for someone else.
fn ten_shared(desk: &Desk) -> String {
    desk.ofgem(
        "overlap.csv",
        &["G01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,01/03/2023 - 31/03/2023,10,G01177FWEN0000251285010323310323GEN,G01177FWEN0000251294010323310323GEN,1.0,25/04/2023,Redeemed,07/06/2023,Other,1"],
    )
}

/// The statement imported and completed on one desk, exported as a P1
/// listing; the listing's path.
fn completed_listing(first: &Desk, stmt: &str) -> PathBuf {
    first.imported(&[stmt]);
    first
        .eacdesk()
        .args([
            "set",
            "--all-matching",
            "--incomplete",
            "destination_id=U",
            "destination_name=U",
            "asset_origination=grid",
            "asset_destination=grid",
            "emissions_factor_direct=0",
            "emissions_factor_lca=0",
            "--reason",
            "from the contract",
            "--yes",
        ])
        .assert()
        .success();
    first
        .eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--type",
            "general",
            "--reason",
            "r",
            "--yes",
        ])
        .assert()
        .success();
    let listing = first.path("listing.json");
    first
        .eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&listing)
        .assert()
        .success();
    listing
}

#[test]
fn a_statement_imported_again_after_its_listing_stores_its_range_for_the_overlap_check() {
    let first = Desk::new();
    let stmt = first.ofgem(
        "stmt.csv",
        &[&format!("{WALNEY_ROW},Retired,06/06/2023,ACT,27336523")],
    );
    let listing = completed_listing(&first, &stmt);

    let desk = Desk::new();
    desk.eacdesk()
        .arg("import")
        .arg(&listing)
        .assert()
        .success();
    assert_eq!(desk.stored_ranges(), 0, "a listing carries no range");
    let out = desk.stdout(&["import", &stmt]);
    assert!(
        out.contains("0 EACs added, 0 replaced, 1 unchanged"),
        "{out}"
    );
    assert_eq!(desk.stored_ranges(), 1);
    let overlap = ten_shared(&desk);
    let out = desk.stdout(&["import", &overlap]);
    assert!(
        out.contains(&format!("shares 10 certificates with the stored G01177FWEN0000251285010323310323GEN – G01177FWEN0000256284010323310323GEN (EAC `{WALNEY}`)")),
        "{out}"
    );
    desk.eacdesk()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("retired twice in ofgem: 10 certificates shared"))
        .stdout(contains("1 finding among 2 ranges."));
}

#[test]
fn a_reversed_or_kept_retirement_is_said_in_the_text_report_and_its_dry_run() {
    let desk = Desk::new();
    let june = desk.ofgem(
        "june.csv",
        &[&format!("{WALNEY_ROW},Retired,06/06/2023,ACT,27336523")],
    );
    let later = desk.ofgem(
        "later.csv",
        &[&format!("{WALNEY_ROW},Expired,06/06/2024,ACT,27336523")],
    );
    desk.imported(&[&june]);
    let said = format!(
        "  warning (line 2): EAC `{WALNEY}` is stored as retired (status `retired`) and this document says `expired`: importing it would store it as not retired (audited); reports and claims made before counted it as retired\n"
    );
    let out = desk.stdout(&["import", "--dry-run", &later]);
    assert!(out.contains(&said), "{out}");
    let out = desk
        .eacdesk()
        .args(["import", &later])
        .assert()
        .success()
        .stderr("");
    let out = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        out.contains("0 EACs added, 1 replaced, 0 unchanged"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  warning (line 2): EAC `{WALNEY}` was stored as retired (status `retired`) and this document says `expired`: it is stored as not retired now (audited)"
        )),
        "{out}"
    );
    assert_eq!(desk.json(&["show", WALNEY])["retired_state"], "no");
    // June's statement again changes nothing: it stated what it stated.
    let again = desk.imported(&["--dry-run", &june]);
    assert_eq!(
        again[0]["registry"]["restatements"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A holdings download after a retirement keeps it, and says so.
    let desk = Desk::new();
    desk.imported(&[&june]);
    let issued = desk.ofgem(
        "issued.csv",
        &[&format!("{WALNEY_ROW},Issued,06/06/2024,ACT,27336523")],
    );
    let planned = desk.imported(&["--dry-run", &issued]);
    let notes = &planned[0]["registry"]["restatements"];
    assert_eq!(notes[0]["kind"], "claim_kept", "{planned:?}");
    assert_eq!(notes[0]["cds_eac_id"], WALNEY);
    assert_eq!(planned[0]["registry"]["restatement_count"], 1);
    let out = desk.stdout(&["import", &issued]);
    assert!(
        out.contains(&format!(
            "  warning (line 2): EAC `{WALNEY}` is stored as retired (status `retired`) and this document says `issued`: the retirement is kept"
        )),
        "{out}"
    );
    let report = desk.imported(&["--dry-run", &issued]);
    assert_eq!(
        report[0]["registry"]["restatements"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "said once"
    );
}

#[test]
fn the_same_statement_again_keeps_a_correction_and_says_so_with_a_true_audit_reason() {
    let desk = Desk::new();
    let pdf = sample("eecs-go/necs-cancellation-statement-sample.pdf");
    let id = "eecs:708000340067300000000071882260..708000340067300000000071882352";
    desk.imported(&[&pdf]);
    desk.eacdesk()
        .args([
            "set",
            id,
            "asset_commissioned=1978-05-01",
            "--reason",
            "commissioning date per the station owner's letter",
        ])
        .assert()
        .success();
    let out = desk.stdout(&["import", &pdf]);
    assert!(
        out.contains("0 EACs added, 0 replaced, 1 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("as necs-cancellation-statement-sample.pdf: nothing added\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            ": EAC `{id}`: asset_commissioned is kept as set in EAC Desk (1978-05-01); the document says 1977-01-01, as the registry stated before"
        )),
        "{out}"
    );
    let detail = desk.json(&["show", id]);
    assert_eq!(detail["asset_commissioned"], "1978-05-01");
    let audit = desk.json(&["audit"]);
    let records = audit["records"]
        .as_array()
        .unwrap_or_else(|| audit.as_array().unwrap());
    assert_eq!(records.len(), 1, "only the correction: {audit}");
    assert_eq!(records[0]["action"], "set_fields");
    // Another copy of the statement under another name: the same.
    let copy = desk.path("copy.pdf");
    std::fs::copy(&pdf, &copy).unwrap();
    let out = desk.stdout(&["import", &copy.display().to_string()]);
    assert!(
        out.contains("0 EACs added, 0 replaced, 1 unchanged"),
        "{out}"
    );
    assert_eq!(desk.json(&["show", id])["asset_commissioned"], "1978-05-01");
}

#[test]
fn a_holdings_download_after_the_confirmation_keeps_its_facts_and_alternating_changes_nothing() {
    let desk = Desk::new();
    let id = "mrets:2194-ND-07-2020-CAC76615-56217..2194-ND-07-2020-CAC76615-58010";
    let confirmation = sample("mrets/retirement-confirmation-sample.pdf");
    let holdings = desk.path("holdings.csv");
    std::fs::write(
        &holdings,
        "Account,Account ID,M-RETS ID,Organization,Generator,Fuel Type,Vintage,Generation Start,Generation End Date,Location,Type,Eligibility,Quantity,Serial Numbers\n\
         South Pole,086E2257-6853,2194,South Pole USA Inc.,Emmons-Logan Wind,Wind,07/2020,07/01/2020,07/31/2020,ND,REC,,1794,2194-ND-07-2020-CAC76615-56217-58010\n",
    )
    .unwrap();
    let holdings = holdings.display().to_string();
    let facts = |desk: &Desk| {
        let detail = desk.json(&["show", id]);
        let ext: Value = serde_json::from_str(detail["extensions_json"].as_str().unwrap()).unwrap();
        let names = [
            "eacdesk_status",
            "eacdesk_retirement_reason",
            "eacdesk_transaction_date",
            "eacdesk_notes",
            "eacdesk_retirement_account",
            "eacdesk_serial_number",
        ];
        let kept: Vec<bool> = names.iter().map(|n| ext.get(n).is_some()).collect();
        (
            detail["retired_state"].clone(),
            detail["values"][0]["retired"].clone(),
            ext["eacdesk_status"].clone(),
            kept,
        )
    };
    desk.imported(&[&confirmation]);
    let confirmed = facts(&desk);
    assert_eq!(confirmed.0, "yes");
    assert!(confirmed.3.iter().all(|k| *k), "{confirmed:?}");
    let out = desk.stdout(&["import", &holdings]);
    assert!(out.contains("the retirement is kept"), "{out}");
    assert_eq!(facts(&desk), confirmed);
    for file in [&confirmation, &holdings, &confirmation, &holdings] {
        let out = desk.stdout(&["import", file]);
        assert!(
            out.contains("0 EACs added, 0 replaced, 1 unchanged"),
            "{file}: {out}"
        );
        assert!(!out.contains("warning"), "{file}: {out}");
        assert_eq!(facts(&desk), confirmed);
    }
}

#[test]
fn a_listing_with_another_issuers_content_no_longer_cites_the_statement() {
    let desk = Desk::new();
    let stmt = desk.ofgem(
        "stmt.csv",
        &[&format!("{WALNEY_ROW},Retired,06/06/2023,ACT,27336523")],
    );
    let listing = completed_listing(&desk, &stmt);
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&listing).unwrap()).unwrap();
    let eac = doc["eacs"][0].as_object_mut().unwrap();
    eac.retain(|k, _| !k.starts_with("eacdesk_"));
    eac.insert("source_id".into(), "other".into());
    eac.insert("source_name".into(), "Another issuer".into());
    eac.insert("cds_modified".into(), "2030-01-01T00:00:00Z".into());
    doc["eacs"][0]["values"][0]["value"] = serde_json::json!(4999);
    let other = desk.path("other.json");
    std::fs::write(&other, serde_json::to_vec(&doc).unwrap()).unwrap();
    desk.eacdesk()
        .arg("import")
        .arg(&other)
        .assert()
        .success()
        .stdout(contains("0 added, 1 replaced, 0 skipped"))
        .stderr(contains("came from the registry document stmt.csv"));
    assert_eq!(
        desk.json(&["show", WALNEY])["sources"],
        serde_json::json!([])
    );
    desk.eacdesk()
        .args(["show", WALNEY])
        .assert()
        .success()
        .stdout(contains("No source document is kept for this EAC"))
        .stdout(contains("stmt.csv").not());
    assert_eq!(desk.stored_ranges(), 0);
    let overlap = ten_shared(&desk);
    let out = desk.stdout(&["import", &overlap]);
    assert!(!out.contains("warning: overlap"), "{out}");
}

/// A mapped registry CSV: one range a line, its status and claim date
/// given.
const MAPPING: &str = r#"{"name":"T","registry":"treg","source_id":"TS","source_name":"Test Source","has_header":true,"date_order":"iso","time_zone":"UTC",
 "first":{"column":"first"},"last":{"column":"last"},"per_certificate":{"column":"per"},"unit":{"column":"unit"},
 "status":{"column":"status"},"claim_date":{"column":"claim"},"period_start":{"column":"ps"},"period_end":{"column":"pe"},
 "device_id":{"column":"dev"},"technology":{"column":"tech"},"technology_table":{"solar":"solar"}}"#;

/// The mapped CSV `name` of one line `status,claim` for certificates
/// 1..10 of January 2024; its path.
fn mapped_csv(desk: &Desk, name: &str, status_and_claim: &str) -> String {
    let path = desk.path(name);
    std::fs::write(
        &path,
        format!(
            "first,last,per,unit,status,claim,ps,pe,dev,tech\n1,10,1,MWh,{status_and_claim},2024-01-01,2024-01-31,D1,solar\n"
        ),
    )
    .unwrap();
    path.display().to_string()
}

/// A statement retiring certificates before the issue date a person set
/// used to be stored ("1 replaced", no word), and every export then
/// refused the EAC by rule 13. The document is refused whole now, naming
/// the EAC, both dates, where each comes from and the `set` that corrects
/// the entered date; exports keep working; corrected, it imports.
#[test]
fn a_statement_retiring_before_an_entered_issue_date_is_refused_and_exports_keep_working() {
    let desk = Desk::new();
    let id = "treg:1..10";
    std::fs::write(desk.path("map.json"), MAPPING).unwrap();
    desk.stdout(&["mapping", "save", "T", "map.json"]);
    let active = mapped_csv(&desk, "active.csv", "active,");
    let retired = mapped_csv(&desk, "retired.csv", "retired,2024-02-01");
    desk.stdout(&["import", "--mapping", "T", &active]);
    desk.stdout(&[
        "set",
        id,
        "destination_id=D",
        "destination_name=Dn",
        "asset_origination=grid",
        "asset_destination=grid",
        "emissions_factor_direct=0",
        "emissions_factor_lca=0",
        "issued=2024-03-01",
        "--reason",
        "r",
    ]);
    desk.stdout(&[
        "beneficiaries",
        "set",
        id,
        "--type",
        "general",
        "--reason",
        "r",
    ]);
    desk.stdout(&["export", "--profile", "p1", "--out", "before.json"]);
    let said = format!(
        "retired.csv: error (rule 13) at line 2, field /values/0/retired [EAC {id}]: retired on \
         2024-02-01 (as this document states), before it was issued on 2024-03-01 (a date set \
         in EAC Desk); if the issue date is wrong, correct it (`eacdesk set {id} \
         issued=YYYY-MM-DD --reason TEXT`) and import the document again"
    );
    for dry in [true, false] {
        let mut cmd = desk.eacdesk();
        cmd.args(["import", "--mapping", "T", &retired]);
        if dry {
            cmd.arg("--dry-run");
        }
        let out = cmd.assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains(&said), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "Nothing was imported from {retired}: 1 rule violation"
            )),
            "{stderr}"
        );
    }
    let shown = desk.json(&["show", id]);
    assert_eq!(shown["retired_state"], "no", "{shown}");
    assert_eq!(shown["values"][0]["issued"], "2024-03-01", "{shown}");
    desk.stdout(&["export", "--profile", "p1", "--out", "still.json"]);
    // The entered date corrected, the statement imports and exports.
    desk.stdout(&[
        "set",
        id,
        "issued=2024-01-15",
        "--reason",
        "registry e-mail",
    ]);
    let out = desk.stdout(&["import", "--mapping", "T", &retired]);
    assert!(
        out.contains("0 EACs added, 1 replaced, 0 unchanged"),
        "{out}"
    );
    let shown = desk.json(&["show", id]);
    assert_eq!(
        (
            &shown["values"][0]["issued"],
            &shown["values"][0]["retired"]
        ),
        (&Value::from("2024-01-15"), &Value::from("2024-02-01")),
        "{shown}"
    );
    desk.stdout(&["export", "--profile", "p1", "--out", "after.json"]);
}

/// `Withdrawn` is not Ofgem's word (decision 292): an Ofgem report saying
/// it of certificates stored as retired keeps the retirement (it used to
/// reverse it, matched as text in the store), and says so; Ofgem's own
/// `Revoked` reverses it.
#[test]
fn an_ofgem_report_saying_withdrawn_keeps_a_stored_retirement() {
    let desk = Desk::new();
    let june = desk.ofgem(
        "june.csv",
        &[&format!("{WALNEY_ROW},Retired,06/06/2023,ACT,27336523")],
    );
    let withdrawn = desk.ofgem(
        "withdrawn.csv",
        &[&format!("{WALNEY_ROW},Withdrawn,06/06/2024,ACT,27336523")],
    );
    desk.imported(&[&june]);
    let out = desk.stdout(&["import", &withdrawn]);
    assert!(
        out.contains(&format!(
            "  warning (line 2): EAC `{WALNEY}` is stored as retired (status `retired`) and this document says `withdrawn`: the retirement is kept"
        )),
        "{out}"
    );
    assert_eq!(desk.json(&["show", WALNEY])["retired_state"], "yes");

    let desk = Desk::new();
    let june = desk.ofgem(
        "june.csv",
        &[&format!("{WALNEY_ROW},Retired,06/06/2023,ACT,27336523")],
    );
    let revoked = desk.ofgem(
        "revoked.csv",
        &[&format!("{WALNEY_ROW},Revoked,06/06/2024,ACT,27336523")],
    );
    desk.imported(&[&june]);
    let out = desk.stdout(&["import", &revoked]);
    assert!(
        out.contains("this document says `revoked`: it is stored as not retired now"),
        "{out}"
    );
    assert_eq!(desk.json(&["show", WALNEY])["retired_state"], "no");
}

#[test]
fn a_kept_retirement_keeps_its_own_status_facts_beside_its_status() {
    let desk = Desk::new();
    let june = desk.ofgem(
        "june.csv",
        &[&format!("{WALNEY_ROW},Retired,06/06/2023,ACT,27336523")],
    );
    let issued = desk.ofgem(
        "issued.csv",
        &[&format!("{WALNEY_ROW},Issued,25/04/2023,ACT,27336523")],
    );
    let facts = |desk: &Desk| {
        let detail = desk.json(&["show", WALNEY]);
        let ext: Value = serde_json::from_str(detail["extensions_json"].as_str().unwrap()).unwrap();
        (
            detail["retired_state"].clone(),
            detail["values"][0]["retired"].clone(),
            ext["eacdesk_status"].clone(),
            ext["eacdesk_certificate_status"].clone(),
            ext["eacdesk_status_date"].clone(),
        )
    };
    desk.imported(&[&june]);
    let retired = facts(&desk);
    assert_eq!(
        retired,
        (
            serde_json::json!("yes"),
            serde_json::json!("2023-06-06"),
            serde_json::json!("retired"),
            serde_json::json!("Retired"),
            serde_json::json!("2023-06-06")
        )
    );
    let out = desk.stdout(&["import", &issued]);
    assert!(out.contains("the retirement is kept"), "{out}");
    // The EAC does not contradict itself: no `Issued` of 25 April beside
    // a retirement of 6 June.
    assert_eq!(facts(&desk), retired);
    for file in [&june, &issued] {
        let out = desk.stdout(&["import", file]);
        assert!(!out.contains("warning"), "{file}: {out}");
        assert_eq!(facts(&desk), retired);
    }
}

#[test]
fn unchanged_downloads_keep_one_statement_and_an_undone_restatement_still_knows_it() {
    let desk = Desk::new();
    let row = format!("{WALNEY_ROW},Issued,25/04/2023,ACT,27336523");
    // The same holdings download fetched four times: four documents.
    let downloads: Vec<String> = (1..=4)
        .map(|n| {
            let path = desk.ofgem(&format!("holdings-{n}.csv"), &[&row]);
            // Each download another file (a trailing blank line apart).
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend(std::iter::repeat_n(b'\n', n));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    for file in &downloads {
        desk.imported(&[file]);
    }
    let statements = |desk: &Desk| -> Vec<(String, usize)> {
        let db = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
        let mut q = db
            .prepare("SELECT file_name, stated FROM eac_sources ORDER BY file_name")
            .unwrap();
        q.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?.len()))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let kept = statements(&desk);
    assert_eq!(kept.len(), 4, "{kept:?}");
    // One statement in full; the three others refer to it.
    let full = kept[0].1;
    assert!(full > 500, "{kept:?}");
    assert!(kept[1..].iter().all(|(_, len)| *len < 120), "{kept:?}");

    // The registry now says Expired: the audit record of the
    // restatement keeps the documents, not four copies of the EAC.
    let expired = desk.ofgem(
        "expired.csv",
        &[&format!("{WALNEY_ROW},Expired,06/06/2024,ACT,27336523")],
    );
    let out = desk.stdout(&["import", &expired]);
    assert!(out.contains("1 replaced"), "{out}");
    let db = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let (before, after): (String, String) = db
        .query_row(
            "SELECT before_state, after_state FROM audit_log WHERE action = 'import_replace'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    for state in [&before, &after] {
        assert!(state.len() < 2 * full + 2_000, "{}", state.len());
        assert_eq!(state.matches("holdings-").count(), 4, "{state}");
    }
    // The statement once, in the version an undo puts back.
    assert_eq!(before.matches("\"stated\":").count(), 4, "{before}");
    assert!(!after.contains("\"stated\""), "{after}");
    // Undone, the EAC has its four documents back, and any download of
    // them again changes nothing, without a word.
    let batch: i64 = db
        .query_row("SELECT max(id) FROM import_batches", [], |r| r.get(0))
        .unwrap();
    desk.eacdesk()
        .args(["undo-import", &batch.to_string(), "--reason", "u", "--yes"])
        .assert()
        .success();
    assert_eq!(statements(&desk), kept);
    for file in [&downloads[3], &downloads[0]] {
        let out = desk.stdout(&["import", file]);
        assert!(
            out.contains("0 EACs added, 0 replaced, 1 unchanged"),
            "{out}"
        );
        assert!(!out.contains("warning"), "{out}");
    }
    assert_eq!(statements(&desk), kept);
}

#[test]
fn an_older_statement_again_never_calls_another_statements_value_set_in_eac_desk() {
    let desk = Desk::new();
    let wind = desk.ofgem(
        "a.csv",
        &[&format!("{WALNEY_ROW},Issued,25/04/2023,ACT,27336523")],
    );
    let hydro_row =
        format!("{WALNEY_ROW},Issued,25/04/2023,ACT,27336523").replace("Off-shore Wind", "Hydro");
    let hydro = desk.ofgem("b.csv", &[&hydro_row]);
    desk.imported(&[&wind]);
    desk.imported(&[&hydro]);
    assert_eq!(desk.json(&["show", WALNEY])["technology_type"], "hydro");
    let out = desk.stdout(&["import", &wind]);
    assert!(
        out.contains("0 EACs added, 0 replaced, 1 unchanged"),
        "{out}"
    );
    assert!(!out.contains("set in EAC Desk"), "{out}");
    assert!(!out.contains("note ("), "{out}");
    assert_eq!(desk.json(&["show", WALNEY])["technology_type"], "hydro");
    // A person's own value still is one.
    desk.eacdesk()
        .args([
            "set",
            WALNEY,
            "technology_type=solar",
            "--reason",
            "per the station",
        ])
        .assert()
        .success();
    let out = desk.stdout(&["import", &wind]);
    assert!(
        out.contains(&format!(
            "EAC `{WALNEY}`: technology_type is kept as set in EAC Desk (solar); the document says wind, as the registry stated before"
        )),
        "{out}"
    );
}

const PARENT: &str = "energytag:Ofgem-GC:7:1..10";

/// The stored EACs' ids and total (Wh), as `ls --json` gives them.
fn holdings(desk: &Desk) -> (Vec<String>, String) {
    let listing = desk.json(&["ls"]);
    let ids = (listing["rows"].as_array().unwrap().iter())
        .map(|r| r["cds_eac_id"].as_str().unwrap().to_owned())
        .collect();
    let total = listing["summary"]["totals"][0]["total"]
        .as_str()
        .unwrap()
        .to_owned();
    (ids, total)
}

/// An EnergyTag bundle downloaded, partly cancelled, downloaded again: the
/// registry marks the stored bundle `Bundle Split` and lists the bundles
/// it was split into. The stored bundle is replaced by them, audited and
/// said, so the holder's 10 MWh are counted once (they were 20); undoing
/// the import puts it back (tester 38, finding 1).
#[test]
fn a_stored_bundle_the_registry_split_is_replaced_by_its_children_and_undo_puts_it_back() {
    let desk = Desk::new();
    desk.imported(&[&sample("energytag/split-before.json")]);
    let before = holdings(&desk);
    assert_eq!(before, (vec![PARENT.to_owned()], "10000000".to_owned()));

    let out = desk.stdout(&["import", &sample("energytag/split-after-cancelling.json")]);
    assert!(
        out.contains(
            "  warning (JSON pointer /0): EAC `energytag:Ofgem-GC:7:1..10` (certificates 1 – \
             10) was split in the registry, this document says (status `Bundle Split`), into \
             the bundles it lists, which hold exactly its certificates and its 10000000 Wh: \
             `energytag:Ofgem-GC:7:1..4` (JSON pointer /1), `energytag:Ofgem-GC:7:5..10` \
             (JSON pointer /2); the stored EAC is replaced by them (audited); undoing this \
             import puts it back (`eacdesk undo-import 2 --reason TEXT`)\n"
        ),
        "{out}"
    );
    assert!(!out.contains("overlap"), "{out}");
    assert_eq!(
        holdings(&desk),
        (
            vec![
                "energytag:Ofgem-GC:7:1..4".to_owned(),
                "energytag:Ofgem-GC:7:5..10".to_owned()
            ],
            "10000000".to_owned()
        )
    );
    desk.eacdesk()
        .arg("check")
        .assert()
        .success()
        .stdout("No double counting found among 2 ranges.\n");
    // Audited: the stored bundle whole, the document and the bundles named.
    let audit = desk.json(&["audit", PARENT]);
    let record = &audit.as_array().unwrap()[0];
    assert_eq!(
        (
            record["action"].as_str(),
            record["import_batch_id"].as_i64()
        ),
        (Some("import_replace"), Some(2)),
        "{record}"
    );
    let reason = record["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the registry document split-after-cancelling.json (EnergyTag")
            && reason.contains(
                "states that this bundle was split (status `Bundle Split`, JSON pointer /0) \
                 into `energytag:Ofgem-GC:7:1..4` (JSON pointer /1), \
                 `energytag:Ofgem-GC:7:5..10` (JSON pointer /2) of the same document"
            ),
        "{reason}"
    );

    // Undone: the stored bundle is back with its document and range.
    desk.eacdesk()
        .args(["undo-import", "2", "--reason", "split undone", "--yes"])
        .assert()
        .success()
        .stdout(contains("removed 2 EACs it added and restored 1 EAC"));
    assert_eq!(holdings(&desk), before);
    desk.eacdesk()
        .args(["check"])
        .assert()
        .success()
        .stdout("No double counting found among 1 range.\n");
    desk.eacdesk()
        .args(["show", PARENT])
        .assert()
        .success()
        .stdout(contains(
            "split-before.json (energytag), JSON pointer /0, range 1 – 10",
        ));
}

/// A document saying a stored bundle was split that lists only some of
/// the bundles it was split into (a download of Active bundles): nothing
/// is removed, and the warning names the EAC, the certificates missing
/// and the command that deletes it.
#[test]
fn a_split_whose_children_do_not_hold_the_stored_bundle_keeps_it_and_says_what_to_do() {
    let desk = Desk::new();
    desk.imported(&[&sample("energytag/split-before.json")]);
    let out = desk.stdout(&["import", &sample("energytag/split-active-only.json")]);
    assert!(
        out.contains(
            "  warning (JSON pointer /0): EAC `energytag:Ofgem-GC:7:1..10` (certificates 1 – \
             10) was split in the registry, this document says (status `Bundle Split`), but \
             certificates 1 – 4 of it are in none of the bundles it lists: the stored EAC is \
             kept, and the certificates the document's bundles hold too are counted twice until \
             it is removed. Import a download that lists every bundle it was split into (of \
             every status), or, once the registry confirms which bundles hold its certificates, \
             delete it: `eacdesk delete energytag:Ofgem-GC:7:1..10 --reason \"split in the \
             registry\"`\n"
        ),
        "{out}"
    );
    assert_eq!(
        holdings(&desk).0,
        [PARENT, "energytag:Ofgem-GC:7:5..10"],
        "nothing removed"
    );
    // The full download then replaces it.
    let out = desk.stdout(&["import", &sample("energytag/split-after-cancelling.json")]);
    assert!(out.contains("the stored EAC is replaced by them"), "{out}");
    assert_eq!(holdings(&desk).1, "10000000");
}

/// A stored bundle of a closed period is not changed (decision 105): the
/// document that says it was split is refused whole, naming it and the
/// bundles, saying why the import changes it and what to do.
#[test]
fn a_split_of_a_bundle_in_a_closed_period_is_refused_saying_why_and_what_to_do() {
    let desk = Desk::new();
    desk.imported(&[&sample("energytag/split-before.json")]);
    desk.stdout(&[
        "period",
        "close",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-31",
        "--reason",
        "filed",
    ]);
    let out = desk
        .eacdesk()
        .args(["import", &sample("energytag/split-after-cancelling.json")])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "3 EACs lie in a closed reporting period and cannot be changed: \
             `energytag:Ofgem-GC:7:1..4`, `energytag:Ofgem-GC:7:5..10`, \
             `energytag:Ofgem-GC:7:1..10`; nothing was changed."
        ) && stderr.contains(
            "This document says `energytag:Ofgem-GC:7:1..10` was split in the registry into \
             the bundles it lists (`energytag:Ofgem-GC:7:1..4`, `energytag:Ofgem-GC:7:5..10`), \
             which hold exactly its certificates: importing it replaces \
             `energytag:Ofgem-GC:7:1..10` by them. To keep the figures of the closed period as \
             filed, leave it closed and do not import this document"
        ),
        "{stderr}"
    );
    assert_eq!(
        holdings(&desk),
        (vec![PARENT.to_owned()], "10000000".to_owned())
    );
}

/// Drax's 5,000 certificates of March 2023 up to the count.
const DRAX: &str = "G01821BWEN,Drax Power Station (REGO),4065000.0,REGO,England,Biomass,,Mar-2023";
const DRAX_WHOLE: &str =
    "ofgem:G01821BWEN0000000000010323310323GEN..G01821BWEN0000004999010323310323GEN";
const DRAX_RETIRED: &str =
    "ofgem:G01821BWEN0000000000010323310323GEN..G01821BWEN0000002999010323310323GEN";
const DRAX_ISSUED: &str =
    "ofgem:G01821BWEN0000003000010323310323GEN..G01821BWEN0000004999010323310323GEN";

/// Drax's certificates `first`..=`last` of March 2023 as an Ofgem row,
/// issued on `issued`, with the status and holder `rest`.
fn drax_row(first: u32, last: u32, issued: &str, rest: &str) -> String {
    format!(
        "{DRAX},{},G01821BWEN{first:010}010323310323GEN,G01821BWEN{last:010}010323310323GEN,1.0,{issued},{rest}",
        last - first + 1
    )
}

/// The Ofgem register splits a row as parts of it change status or
/// holder, and a later download lists only the parts: they replace the
/// stored whole row (audited, said, undone by undo-import), so the 5,000
/// certificates are counted once (they were counted twice, 10,000 MWh, and
/// `check` gave no next step: tester 41, finding 1).
#[test]
fn a_later_ofgem_download_giving_a_stored_row_in_parts_replaces_it_and_undo_puts_it_back() {
    let desk = Desk::new();
    let issued = "Issued,10/11/2023,Drax Pumped Storage Limited,06657336";
    let whole = desk.ofgem("march.csv", &[&drax_row(0, 4999, "15/05/2023", issued)]);
    desk.imported(&[&whole]);
    let later = desk.ofgem(
        "later.csv",
        &[
            &drax_row(
                0,
                2999,
                "15/05/2023",
                "Retired,01/02/2024,Acme Ltd,06657336",
            ),
            &drax_row(3000, 4999, "15/05/2023", issued),
        ],
    );
    let out = desk.stdout(&["import", &later]);
    assert!(
        out.contains(&format!(
            "  warning (line 2): EAC `{DRAX_WHOLE}` (certificates \
             G01821BWEN0000000000010323310323GEN – G01821BWEN0000004999010323310323GEN) is \
             given by this document as 2 rows of its station, period and issue date (the \
             register splits a row as parts of it change status or holder), which hold exactly \
             its certificates and its 5000 MWh: `{DRAX_RETIRED}` (line 2), `{DRAX_ISSUED}` \
             (line 3); the stored EAC is replaced by them (audited); undoing this import puts \
             it back (`eacdesk undo-import 2 --reason TEXT`)\n"
        )),
        "{out}"
    );
    assert!(!out.contains("overlap"), "{out}");
    assert_eq!(
        holdings(&desk),
        (
            vec![DRAX_RETIRED.to_owned(), DRAX_ISSUED.to_owned()],
            "5000".to_owned()
        )
    );
    desk.eacdesk()
        .arg("check")
        .assert()
        .success()
        .stdout("No double counting found among 2 ranges.\n");
    let audit = desk.json(&["audit", DRAX_WHOLE]);
    let reason = audit[0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the registry document later.csv (Ofgem certificates report")
            && reason.contains(&format!(
                "gives this range as the rows `{DRAX_RETIRED}` (line 2), `{DRAX_ISSUED}` (line \
                 3) (the register splits a row"
            )),
        "{reason}"
    );

    desk.eacdesk()
        .args(["undo-import", "2", "--reason", "split undone", "--yes"])
        .assert()
        .success()
        .stdout(contains("removed 2 EACs it added and restored 1 EAC"));
    assert_eq!(holdings(&desk).0, [DRAX_WHOLE]);
}

/// Parts that do not hold the stored row exactly (a download filtered to
/// one holder; another issue date) leave it stored: the import's overlap
/// warning and `check` name the EACs and the `delete` that settles it.
#[test]
fn ofgem_rows_that_do_not_hold_a_stored_row_exactly_keep_it_and_say_how_to_settle_it() {
    let desk = Desk::new();
    let issued = "Issued,10/11/2023,Drax Pumped Storage Limited,06657336";
    let whole = desk.ofgem("march.csv", &[&drax_row(0, 4999, "15/05/2023", issued)]);
    desk.imported(&[&whole]);
    let retired = "Retired,01/02/2024,Acme Ltd,06657336";
    // Another issue date: not the same row split.
    let redated = desk.ofgem(
        "redated.csv",
        &[
            &drax_row(0, 2999, "16/05/2023", retired),
            &drax_row(3000, 4999, "16/05/2023", issued),
        ],
    );
    let out = desk.stdout(&["import", "--dry-run", &redated]);
    assert!(!out.contains("replaced by them"), "{out}");
    assert!(out.contains("warning: overlap in ofgem"), "{out}");
    // One holder's download: only the retired part.
    let acme = desk.ofgem("acme.csv", &[&drax_row(0, 2999, "15/05/2023", retired)]);
    let out = desk.stdout(&["import", &acme]);
    assert!(
        out.contains(&format!(
            "(EAC `{DRAX_WHOLE}`), so they are counted twice; keep the range the registry's \
             newest download states and delete the other (the stored one: `eacdesk delete \
             {DRAX_WHOLE} --reason TEXT`); to see every overlap, run `eacdesk check`\n"
        )),
        "{out}"
    );
    let check = desk.eacdesk().arg("check").assert().code(1);
    let out = String::from_utf8(check.get_output().stdout.clone()).unwrap();
    assert!(
        out.contains(&format!(
            "   The same certificates are stored twice: delete the EAC that should not be (an \
             out-of-date copy, such as a range a later download gives in parts): `eacdesk \
             delete {DRAX_WHOLE} --reason TEXT` or `eacdesk delete {DRAX_RETIRED} --reason \
             TEXT`; `eacdesk show ID` names the documents each came from.\n"
        )),
        "{out}"
    );
}
