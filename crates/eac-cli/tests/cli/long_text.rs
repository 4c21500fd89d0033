//! Text longer than 4096 characters (Unicode scalar values) in an EAC: an
//! import, `validate` (both profiles), `set` and the beneficiary editor
//! refuse it naming the file, the place and the rule; an EAC stored with
//! such text before the cap (written here with plain SQL) is refused by
//! every export and listed by `check`.

use super::*;

/// The monthly example (one EAC, `99999999-dk3`) with its `source_name`
/// set to `text`, written to `name` in the desk's folder; its path.
fn with_source_name(desk: &Desk, name: &str, text: &str) -> String {
    let doc = std::fs::read_to_string(example("good-p1-overview-monthly.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&doc).unwrap();
    doc["eacs"][0]["source_name"] = text.into();
    let path = desk.path(name);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path.display().to_string()
}

/// What the database holds as the CLI shows it: the EACs, the audit log
/// and the imports.
fn holdings(desk: &Desk) -> Vec<Value> {
    ["ls", "audit", "imports"]
        .iter()
        .map(|c| desk.json(&[c]))
        .collect()
}

const RULE: &str = "error (rule 2) at /eacs/0/source_name [EAC 99999999-dk3]: `source_name` is \
                    text longer than 4096 characters";
const SHORTEN: &str = ": at most 4096; shorten it";

#[test]
fn an_import_refuses_text_longer_than_4096_characters_naming_file_place_and_rule() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let before = holdings(&desk);
    let long = with_source_name(&desk, "long.json", &"a".repeat(5000));
    desk.eacdesk()
        .args(["import", &long])
        .assert()
        .code(1)
        .stderr(contains(format!("Nothing was imported from {long}")))
        .stderr(contains(format!("{long}: {RULE} (5000){SHORTEN}")));
    assert_eq!(holdings(&desk), before, "the database is unchanged");

    // Characters, not bytes: 4096 `é` (8192 bytes) are taken, 4097 not.
    let over = with_source_name(&desk, "over.json", &"é".repeat(4097));
    desk.eacdesk()
        .args(["import", &over])
        .assert()
        .code(1)
        .stderr(contains(format!("{over}: {RULE} (4097){SHORTEN}")));
    assert_eq!(holdings(&desk), before, "the database is unchanged");
    let at_cap = with_source_name(&desk, "cap.json", &"é".repeat(4096));
    desk.eacdesk()
        .args(["import", &at_cap])
        .assert()
        .success()
        .stdout(contains("1 added"));
    let shown = desk.json(&["show", "99999999-dk3"]);
    assert_eq!(shown["source_name"], "é".repeat(4096));
}

#[test]
fn validate_refuses_text_longer_than_4096_characters_in_either_profile() {
    let desk = Desk::new();
    let long = with_source_name(&desk, "long.json", &"a".repeat(5000));
    desk.eacdesk()
        .args(["validate", "--profile", "p1", &long])
        .assert()
        .code(1)
        .stdout(contains(format!("{long}: {RULE} (5000){SHORTEN}")))
        .stdout(contains("not valid for profile P1"));
    let at_cap = with_source_name(&desk, "cap.json", &"é".repeat(4096));
    desk.eacdesk()
        .args(["validate", "--profile", "p1", &at_cap])
        .assert()
        .success();

    // A P2 listing: a beneficiary id of 4097 characters, written escaped.
    let text = std::fs::read_to_string(example("good-p2-meeting-0926.json")).unwrap();
    let escaped = r"\u00e9".repeat(4097);
    let listing = desk.path("p2.json");
    std::fs::write(
        &listing,
        text.replacen("\"CUST123\"", &format!("\"{escaped}\""), 1),
    )
    .unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&listing)
        .assert()
        .code(1)
        .stdout(contains(format!(
            "{}: error (rule 2) at /eacs/0/beneficiaries/0 [EAC 99999999-dk1]: an entry of \
             `beneficiaries` is text longer than 4096 characters (4097){SHORTEN}",
            listing.display()
        )))
        .stdout(contains("not valid for profile P2"));
}

#[test]
fn set_and_the_beneficiary_editor_refuse_text_longer_than_4096_characters() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let before = holdings(&desk);
    desk.eacdesk()
        .args(["set", "e-01"])
        .arg(format!("destination_name={}", "n".repeat(5000)))
        .args(["--reason", "long name"])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "error (rule 2) at /destination_name: `destination_name` is text longer than 4096 \
             characters (5000){SHORTEN}"
        )));
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "customer", "--id"])
        .arg("b".repeat(4097))
        .args(["--reason", "long id"])
        .assert()
        .code(1)
        .stderr(contains(
            "A beneficiary id may hold at most 4096 characters",
        ))
        .stderr(contains(format!(
            "error (rule 2) at /beneficiaries/0: a beneficiary id is text longer than 4096 \
             characters (4097){SHORTEN}"
        )));
    assert_eq!(holdings(&desk), before, "nothing was changed");
    desk.eacdesk()
        .args(["set", "e-01"])
        .arg(format!("destination_name={}", "n".repeat(4096)))
        .args(["--reason", "long name"])
        .assert()
        .success();
}

/// An EAC stored before the cap with a longer `source_name` (written here
/// with plain SQL into the database the CLI made): both exports refuse it,
/// naming the rule, the place and the EAC, and write nothing; `check`
/// lists it (exit 1), in words and as JSON.
#[test]
fn a_stored_eac_over_the_cap_is_refused_by_every_export_and_listed_by_check() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk().arg("check").assert().success();
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let changed = conn
        .execute(
            "UPDATE eacs SET source_name = ?1 WHERE cds_eac_id = 'e-01'",
            ["x".repeat(5000)],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);

    let stored = "`source_name` is text longer than 4096 characters (5000): at most 4096; \
                  shorten it";
    let out = desk.path("out.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("Nothing was exported"))
        .stderr(
            is_match(
                r"stored EAC `e-01` \(would be at /eacs/\d+/source_name\): error \(rule 2\): ",
            )
            .unwrap(),
        )
        .stderr(contains(stored));
    assert!(!out.exists(), "no file written");
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .code(1)
        .stderr(
            is_match(
                r"stored EAC `e-01` \(would be at /source_name in \S+\.json\): error \(rule 2\): ",
            )
            .unwrap(),
        )
        .stderr(contains(stored));
    assert!(!bundle.exists(), "no bundle written");
    // A pack holds the same export: said by stored EAC too, never as if
    // the violation were in a file of the pack that was not written.
    let pack = desk.path("pack");
    let refused = desk
        .eacdesk()
        .args(["pack", "--out"])
        .arg(&pack)
        .assert()
        .code(1);
    let stderr = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("stored EAC `e-01` (would be at /eacs/")
            && stderr.contains("/source_name in ")
            && stderr.contains(stored),
        "{stderr}"
    );
    assert!(!stderr.contains(": error (rule 2) at "), "{stderr}");
    assert!(!pack.exists(), "no pack written");

    desk.eacdesk()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains(
            "1 rule violation of stored EACs every export refuses",
        ))
        .stdout(contains(format!(
            "error (rule 2) at /source_name [EAC e-01]: {stored}"
        )))
        .stdout(contains("eacdesk delete ID --reason TEXT"));
    let report = desk.eacdesk().args(["check", "--json"]).assert().code(1);
    let report: Value = serde_json::from_slice(&report.get_output().stdout).unwrap();
    let listed = &report["violations"][0];
    assert_eq!(
        (&listed["rule"], &listed["pointer"], &listed["cds_eac_id"]),
        (
            &Value::from(2),
            &Value::from("/source_name"),
            &Value::from("e-01")
        ),
        "{report}"
    );
    assert_eq!(report["violations"].as_array().unwrap().len(), 1);
    // A filter that leaves it out does not list it.
    desk.eacdesk()
        .args(["check", "--search", "e-02"])
        .assert()
        .success();
}

/// A registry document's cell becomes an EAC field: a mapped CSV whose
/// device id cell holds 5000 characters is refused at its line and field,
/// and nothing of the file is stored.
#[test]
fn a_registry_csv_cell_over_the_cap_is_refused_at_its_line_and_field() {
    let desk = Desk::new();
    std::fs::write(
        desk.path("map.json"),
        r#"{"name":"T","registry":"treg","source_id":"TS","source_name":"Test Source","has_header":true,"date_order":"iso","time_zone":"UTC",
            "first":{"column":"first"},"last":{"column":"last"},"per_certificate":{"column":"per"},"unit":{"column":"unit"},
            "status":{"column":"status"},"period_start":{"column":"ps"},"period_end":{"column":"pe"},
            "device_id":{"column":"dev"},"technology":{"column":"tech"}}"#,
    )
    .unwrap();
    std::fs::write(
        desk.path("n.csv"),
        format!(
            "first,last,per,unit,status,ps,pe,dev,tech\n\
             1,10,1,MWh,active,2024-01-01,2024-01-31,D1,solar\n\
             11,20,1,MWh,active,2024-01-01,2024-01-31,{},solar\n",
            "D".repeat(5000)
        ),
    )
    .unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "T", "map.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "--mapping", "T", "n.csv"])
        .assert()
        .code(1)
        .stderr(contains(
            "n.csv: error (rule 2) at line 3, field /asset_id [EAC treg:11..20]: `asset_id` is \
             text longer than 4096 characters (5000): at most 4096; shorten it",
        ));
    assert_eq!(desk.count(), 0, "nothing of the file is stored");
}
