//! P2 bundles and packs in folders whose names hold any character, and
//! schema errors that quote the file as written.

use super::*;

/// A folder name holding every character a `file:` URL must percent-encode
/// (and `%` itself, and a non-ASCII letter).
const ODD: &str = "FY2024 [final] |^%#?é";

/// What a command said, on either stream.
fn said(assert: &assert_cmd::assert::Assert) -> String {
    let out = assert.get_output();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Hidden folders an export or pack left beside its destination.
fn hidden_left(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".eacdesk-"))
        .collect()
}

#[test]
fn export_and_pack_into_folders_named_with_any_character() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json", "good-p1-overview-monthly.json"]);
    let bundle = desk.path(ODD);
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("Exported 8 EACs as a P2 bundle"));
    // Its URLs are URIs with every odd byte percent-encoded…
    let metadata = std::fs::read_to_string(bundle.join("server-metadata.json")).unwrap();
    assert!(
        metadata.contains("FY2024%20%5Bfinal%5D%20%7C%5E%25%23%3F%C3%A9/eacs.json"),
        "{metadata}"
    );
    // … so the bundle validates and imports again, detail files and all.
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("valid for profile P2"));
    desk.bare()
        .arg("--db")
        .arg(desk.path("again.sqlite"))
        .arg("import")
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("8 added, 0 replaced, 0 skipped"));

    let pack = desk.path("pack [1] |^%#?é");
    desk.eacdesk()
        .args(["pack", "--out"])
        .arg(&pack)
        .assert()
        .success();
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(pack.join("p2"))
        .assert()
        .success();
    desk.bare()
        .args(["pack", "verify"])
        .arg(&pack)
        .assert()
        .success()
        .stdout(contains("is intact"));
    assert!(hidden_left(desk.dir.path()).is_empty());
}

#[test]
fn a_base_url_that_is_no_uri_is_refused_before_anything_is_written() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-monthly.json"]);
    let out = desk.path("bundle");
    for base in ["https://example.org/a[1]/", "https://example.org/a|b^c/"] {
        let assert = desk
            .eacdesk()
            .args(["export", "--profile", "p2", "--base-url", base, "--out"])
            .arg(&out)
            .assert()
            .failure();
        let text = said(&assert);
        assert!(
            text.contains(&format!("the base URL `{base}` is not a valid URI")),
            "{text}"
        );
        assert!(text.contains("nothing was written"), "{text}");
        // Refused as the base URL, not as the EACs.
        assert!(!text.contains("rule violation"), "{text}");
        assert!(!out.exists());
        assert!(hidden_left(desk.dir.path()).is_empty());
    }
    desk.eacdesk()
        .args([
            "export",
            "--profile",
            "p2",
            "--base-url",
            "https://example.org/a%5B1%5D/",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
}

/// A stored EAC the export's checks refuse is named by its id, in the
/// destination the person gave, never in the hidden folder the bundle was
/// built in (gone when the message is read).
#[test]
fn a_refused_bundle_names_the_eac_and_the_destination() {
    let desk = Desk::new();
    desk.import(&["good-p2-meeting-0926.json", "good-p1-overview-monthly.json"]);
    // Stored as an earlier version could have (import takes no such URL).
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let changed = conn
        .execute(
            "UPDATE eac_envelopes SET eac_data_url = 'https://x.org/a[1]|b^c.pdf' WHERE cds_eac_id = '99999999-dk1'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let out = desk.path("out [2]");
    let assert = desk
        .eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&out)
        .assert()
        .code(1);
    let text = said(&assert);
    assert!(
        text.contains(&format!("Nothing was exported to {}", out.display())),
        "{text}"
    );
    let listing = format!("{}/eacs.json", out.display());
    assert!(
        text.lines().any(|l| l.starts_with(&listing)
            && l.contains("/eacs/")
            && l.contains("eac_data_url [EAC 99999999-dk1]")),
        "{text}"
    );
    assert!(!text.contains(".eacdesk-"), "{text}");
    assert!(!out.exists());
    assert!(hidden_left(desk.dir.path()).is_empty());
}

/// The numbers the schema engine saw as stand-ins (decision 37) are
/// quoted as the file writes them, and a schema finding that only
/// repeats a rule error is not reported again.
#[test]
fn schema_errors_quote_the_file_not_stand_ins() {
    let desk = Desk::new();
    let eac = |value: &str| {
        format!(
            r#"{{"eacs": [{{
  "cds_eac_id": "x-01", "cds_created": "2024-02-10T00:00:00Z", "cds_modified": "2024-02-10T00:00:00Z",
  "eac_number": "N-001", "source_id": "REG-1", "source_name": "Registry One",
  "destination_id": "UTIL-1", "destination_name": "Demo Utility",
  "beneficiary_type": "general", "beneficiaries": [], "asset_id": "AP1",
  "asset_origination": "region", "asset_destination": "grid", "technology_type": "wind",
  "emissions_factor_direct": 0, "emissions_factor_lca": 0.011,
  "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z",
  "values": [{{"eac_number": null, "issued": "2024-03-05", "retired": null, {value}}}]
}}], "next": null, "previous": null}}"#
        )
    };
    let negative = desk.path("negative.json");
    std::fs::write(
        &negative,
        eac(r#""start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00Z", "unit": "MWh", "unit": "MWh", "value": -3.75"#),
    )
    .unwrap();
    let text = said(
        &desk
            .eacdesk()
            .args(["validate", "--profile", "p1"])
            .arg(&negative)
            .assert()
            .code(1),
    );
    assert!(
        text.contains(
            "at /eacs/0/values/0/value [EAC x-01]: schema: -3.75 is less than the minimum of 0"
        ),
        "{text}"
    );
    assert!(!text.contains("-0.5"), "{text}");

    let start_only = desk.path("start-only.json");
    std::fs::write(
        &start_only,
        eac(r#""start": null, "end": "2024-02-01T00:00:00Z", "unit": "MWh", "value": 30"#),
    )
    .unwrap();
    let text = said(
        &desk
            .eacdesk()
            .args(["validate", "--profile", "p1"])
            .arg(&start_only)
            .assert()
            .code(1),
    );
    assert!(
        text.contains("error (rule 11) at /eacs/0/values/0/start"),
        "{text}"
    );
    assert!(!text.contains(r#""value":1"#), "{text}");
    assert!(!text.contains("oneOf"), "{text}");
    assert!(text.contains("1 error, 0 warnings"), "{text}");

    // A P2 detail file too.
    desk.import(&["good-p1-overview-monthly.json"]);
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let detail = std::fs::read_dir(bundle.join("eacs"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let written = std::fs::read_to_string(&detail).unwrap();
    let at = written.rfind("\"value\": ").unwrap();
    let end = at + written[at..].find('\n').unwrap();
    std::fs::write(
        &detail,
        format!(
            "{}\"value\": -3.75, \"value\": -3.75{}",
            &written[..at],
            &written[end..]
        ),
    )
    .unwrap();
    let text = said(
        &desk
            .eacdesk()
            .args(["validate", "--profile", "p2"])
            .arg(&bundle)
            .assert()
            .code(1),
    );
    assert!(
        text.contains(
            "at /values/0/value [EAC 99999999-dk3]: schema: -3.75 is less than the minimum of 0"
        ),
        "{text}"
    );
    assert!(!text.contains("-0.5"), "{text}");
}
