//! Evidence packs, the audit chain's state and closed reporting periods
//! through the commands the app calls, on a real store with sample data.

use serde_json::{json, Value};

use super::{desk, query, test_key_dir, Desk};

impl Desk {
    fn make_pack(
        &self,
        filter: Value,
        dest: &std::path::Path,
        title: Value,
    ) -> Result<Value, Value> {
        self.invoke(
            "make_pack",
            json!({ "op_id": "pack", "filter": filter, "path": dest, "title": title }),
        )
    }

    fn verify_pack(&self, dir: &std::path::Path, expected: Value) -> Value {
        self.ok(
            "verify_pack",
            json!({ "op_id": "verify", "path": dir, "expected_fingerprint": expected }),
        )
    }
}

#[test]
fn a_pack_made_from_sample_data_verifies_and_shows_what_changed_after_an_edit() {
    let desk = desk();
    desk.load_sample(8);
    let key = desk.ok("signing_key", json!({}));
    let fingerprint = key["fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(key["public_key"].as_str().unwrap().len(), 64);
    // The key lives in the test's key folder, never the real data folder.
    assert!(
        std::path::Path::new(key["path"].as_str().unwrap()).starts_with(test_key_dir()),
        "{key}"
    );

    let dest = desk.dir.path().join("filing-2024");
    let report = desk
        .make_pack(json!({}), &dest, json!("FY2024 filing"))
        .unwrap_or_else(|e| panic!("make_pack failed: {e}"));
    assert_eq!(report["eac_count"], 8, "{report}");
    assert_eq!(report["key_fingerprint"], fingerprint.as_str());
    assert!(dest.join("MANIFEST.json").is_file());
    assert!(dest.join("MANIFEST.sig").is_file());
    assert!(report["totals"][0]["total"].is_string(), "{report}");
    // Remembered by the database, with its title.
    assert_eq!(
        report["record"]["manifest_sha256"], report["manifest_sha256"],
        "{report}"
    );
    assert_eq!(report["record"]["title"], "FY2024 filing");

    // Intact, also with the expected signer; another fingerprint is refused by name.
    let verdict = desk.verify_pack(&dest, json!(fingerprint));
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert_eq!(verdict["problems"], json!([]));
    assert_eq!(verdict["manifest_sha256"], report["manifest_sha256"]);
    let wrong = desk.verify_pack(&dest, json!("0000-0000-0000-0000-0000-0000-0000-0000"));
    assert_eq!(wrong["ok"], false, "{wrong}");

    // Nothing changed yet.
    let diff = desk.ok("pack_diff", json!({ "op_id": "diff-1", "path": dest }));
    assert_eq!(diff["edited"], json!([]), "{diff}");
    assert_eq!(diff["unchanged"], 8, "{diff}");

    // An edit after the pack: the diff names the EAC with its audit record.
    let id = desk.first_row()["cds_eac_id"].clone();
    desk.ok(
        "set_beneficiaries",
        json!({ "cds_eac_id": id, "beneficiary_type": "customer",
                "beneficiaries": ["CUST-LATE"], "reason": "late contract" }),
    );
    let diff = desk.ok("pack_diff", json!({ "op_id": "diff-2", "path": dest }));
    let edited = diff["edited"].as_array().unwrap();
    assert_eq!(edited.len(), 1, "{diff}");
    assert_eq!(edited[0]["cds_eac_id"], id);
    assert_eq!(edited[0]["records"][0]["reason"], "late contract", "{diff}");
    assert_eq!(diff["unchanged"], 7);

    // One byte changed in the pack: named by its file.
    let listing = dest.join("eacs.json");
    let mut bytes = std::fs::read(&listing).unwrap();
    bytes[20] ^= 1;
    std::fs::write(&listing, bytes).unwrap();
    let broken = desk.verify_pack(&dest, Value::Null);
    assert_eq!(broken["ok"], false);
    assert!(
        broken["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["file"] == "eacs.json"),
        "{broken}"
    );
}

#[test]
fn a_pack_is_refused_in_plain_words_for_an_empty_selection_and_a_foreign_folder() {
    let desk = desk();
    desk.load_sample(3);
    let dest = desk.dir.path().join("none");
    let e = desk
        .make_pack(
            json!({ "search": "no such EAC anywhere" }),
            &dest,
            Value::Null,
        )
        .unwrap_err();
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("No EAC matches"),
        "{e}"
    );
    assert!(!dest.exists());

    let foreign = desk.dir.path().join("holiday-photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("beach.jpg"), b"not a pack").unwrap();
    let e = desk
        .make_pack(json!({}), &foreign, Value::Null)
        .unwrap_err();
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert_eq!(
        std::fs::read(foreign.join("beach.jpg")).unwrap(),
        b"not a pack"
    );
    // Nothing was recorded: no pack in the history.
    let history = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["action"] != "pack"),
        "{history}"
    );
}

#[test]
fn an_incomplete_eac_refuses_the_pack_naming_it() {
    let desk = desk();
    desk.import(&[super::registry_fixture(super::NECS)]);
    let dest = desk.dir.path().join("pack");
    let e = desk.make_pack(json!({}), &dest, Value::Null).unwrap_err();
    assert_eq!(e["code"], "validation", "{e}");
    assert_eq!(e["details"]["cds_eac_ids"], json!([super::NECS_ID]), "{e}");
    assert!(!dest.exists());
}

#[test]
fn verifying_a_folder_that_is_no_pack_says_so() {
    let desk = desk();
    let empty = desk.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    // No pack, rather than a pack that does not verify (session 42): the
    // app says so as `pack verify` does, and says which folder to pick.
    let e = desk.err(
        "verify_pack",
        json!({ "op_id": "v", "path": &empty, "expected_fingerprint": null }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .ends_with("empty holds no evidence pack: it has no MANIFEST.json, MANIFEST.sig, eacs.json or audit.jsonl; name the evidence pack's folder (the one that holds MANIFEST.json)"),
        "{e}"
    );
    let e = desk.err(
        "verify_pack",
        json!({ "op_id": "v", "path": desk.dir.path().join("missing"), "expected_fingerprint": null }),
    );
    assert_eq!(e["code"], "io", "{e}");
}

#[test]
fn the_audit_chain_is_intact_and_counts_every_record() {
    let desk = desk();
    let empty = desk.ok("verify_audit_chain", json!({}));
    assert_eq!(empty["records"], 0);
    assert_eq!(empty["broken"], Value::Null);
    desk.load_sample(2);
    let id = desk.first_row()["cds_eac_id"].clone();
    desk.ok(
        "set_beneficiaries",
        json!({ "cds_eac_id": id, "beneficiary_type": "customer",
                "beneficiaries": ["C-1"], "reason": "signed" }),
    );
    let chain = desk.ok("verify_audit_chain", json!({}));
    assert_eq!(chain["broken"], Value::Null, "{chain}");
    let all = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    assert_eq!(chain["records"], all.as_array().unwrap().len(), "{chain}");
    assert!(chain["head"].is_string());
}

#[test]
fn a_closed_period_freezes_its_eacs_until_reopened_and_both_are_audited() {
    let desk = desk();
    desk.load_sample(6);
    let rows = desk.ok("browse_page", json!({ "query": query(0, 10) }));
    let row = rows[0].clone();
    let id = row["cds_eac_id"].as_str().unwrap().to_owned();
    assert_eq!(desk.ok("frozen_by", json!({ "cds_eac_id": id })), json!([]));

    // Close the days of the first EAC's period (wide enough to hold it whole).
    let start = &row["period_start"].as_str().unwrap()[..4];
    let end_year: i32 = row["period_end"].as_str().unwrap()[..4].parse().unwrap();
    let from = format!("{start}-01-01");
    let to = format!("{}-12-31", end_year + 1);
    let e = desk.err(
        "close_period",
        json!({ "from": to, "to": from, "reason": "backwards" }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    let period = desk.ok(
        "close_period",
        json!({ "from": from, "to": to, "reason": "filed with the regulator" }),
    );
    assert!(period["eac_count"].as_u64().unwrap() >= 1, "{period}");
    assert_eq!(desk.ok("closed_periods", json!({}))[0]["id"], period["id"]);
    let frozen = desk.ok("frozen_by", json!({ "cds_eac_id": id }));
    assert_eq!(frozen[0]["id"], period["id"], "{frozen}");
    assert_eq!(frozen[0]["reason"], "filed with the regulator");

    // Every edit of it is refused with `frozen`, and nothing changes.
    let before = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    let e = desk.err(
        "set_beneficiaries",
        json!({ "cds_eac_id": id, "beneficiary_type": "customer",
                "beneficiaries": ["C-9"], "reason": "too late" }),
    );
    assert_eq!(e["code"], "frozen", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("filed with the regulator"),
        "{e}"
    );
    // In the app the refusal carries what the app words it with: the
    // period (its days, who closed it and why) and the EACs as the table
    // names them; it never tells the user to type a command.
    let closed = &e["details"]["closed_periods"];
    assert_eq!(closed[0]["id"], period["id"], "{e}");
    assert_eq!(closed[0]["from"], from.as_str(), "{e}");
    assert_eq!(closed[0]["reason"], "filed with the regulator", "{e}");
    assert_eq!(e["details"]["cds_eac_ids"], json!([id]), "{e}");
    let number = row["eac_number"].as_str().unwrap_or(&id);
    assert_eq!(e["details"]["eac_numbers"], json!([number]), "{e}");
    assert!(!e["message"].as_str().unwrap().contains("`eacdesk"), "{e}");
    let e = desk.err(
        "bulk_set_beneficiaries",
        json!({ "op_id": "b", "filter": {}, "beneficiary_type": "customer",
                "beneficiaries": ["C-9"], "reason": "too late" }),
    );
    assert_eq!(e["code"], "frozen", "{e}");
    let named = e["details"]["eac_numbers"].as_array().unwrap();
    assert_eq!(
        named.len(),
        e["details"]["cds_eac_ids"].as_array().unwrap().len(),
        "{e}"
    );
    assert_eq!(e["details"]["closed_periods"][0]["id"], period["id"], "{e}");
    let e = desk.err(
        "set_emissions",
        json!({ "cds_eac_id": id, "emissions_factor_direct": "0",
                "emissions_factor_lca": "0.5", "reason": "too late" }),
    );
    assert_eq!(e["code"], "frozen", "{e}");
    assert_eq!(desk.ok("eac_detail", json!({ "cds_eac_id": id })), before);
    // Checking it against its source is no change to what was filed: allowed.
    desk.ok("verify_eac", json!({ "cds_eac_id": id, "reason": null }));

    // Reopened with a reason: the edit goes through; close and reopen are in the history.
    let e = desk.err(
        "reopen_period",
        json!({ "id": period["id"], "reason": " " }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    let reopened = desk.ok(
        "reopen_period",
        json!({ "id": period["id"], "reason": "correction requested by the auditor" }),
    );
    assert_eq!(
        reopened["reopen_reason"],
        "correction requested by the auditor"
    );
    assert_eq!(desk.ok("frozen_by", json!({ "cds_eac_id": id })), json!([]));
    desk.ok(
        "set_beneficiaries",
        json!({ "cds_eac_id": id, "beneficiary_type": "customer",
                "beneficiaries": ["C-9"], "reason": "corrected" }),
    );
    let log = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"period_close"), "{actions:?}");
    assert!(actions.contains(&"period_reopen"), "{actions:?}");
    assert_eq!(
        desk.ok("verify_audit_chain", json!({}))["broken"],
        Value::Null
    );
    let e = desk.err("frozen_by", json!({ "cds_eac_id": "no-such-eac" }));
    assert_eq!(e["code"], "not_found", "{e}");
}
