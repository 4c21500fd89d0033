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
    // Led by the stored EAC (SPEC 42, finding 5), placed in the listing
    // that was not written.
    let listing = format!("{}/eacs.json", out.display());
    assert!(
        text.lines().any(
            |l| l.starts_with("stored EAC `99999999-dk1` (would be at /eacs/")
                && l.contains(&format!("/eac_data_url in {listing}): error (rule "))
        ),
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
    // A key twice in the value (its `unit`, named at that key): the rules
    // read no quantity, and the schema's finding on it is said.
    std::fs::write(
        &detail,
        format!(
            "{}\"value\": -3.75, \"unit\": \"MWh\"{}",
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

/// A bundle travels as a folder or an archive, which keeps links and named
/// pipes: a `server-metadata.json` linked to `/dev/zero` ran `validate`
/// out of memory, a named pipe there hung it, and a pipe as `eacs.json`
/// was taken for a bundle without a listing. Each is now named as what it
/// is and never followed or waited on: `validate` (of the folder, or of
/// its `eacs.json`) and `import` end by themselves, within bounded memory,
/// refusing it; a `server-metadata.json` larger than any is not read; a
/// link that stays inside the bundle is followed, as a detail file's
/// (decision 42). An export onto a folder holding such a metadata file
/// refuses it without reading it.
#[cfg(unix)]
#[test]
fn p2_bundle_metadata_and_listing_are_read_only_as_regular_files() {
    use super::pack::{copy_dir, fifo_at, link_at};
    let desk = Desk::new();
    desk.import(&["good-p1-overview-monthly.json"]);
    let made = desk.path("made");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&made)
        .assert()
        .success();
    let zero = Path::new("/dev/zero");

    /// What is done to a copy of the bundle.
    type Tamper = Box<dyn Fn(&Path)>;
    // What is done, what `validate` says, what `import` says (`None`: it
    // imports, never reading the file).
    let cases: Vec<(&str, Tamper, String, Option<String>)> = vec![
        (
            "server-metadata.json a link to /dev/zero",
            Box::new(move |b: &Path| link_at(&b.join("server-metadata.json"), zero)),
            "server-metadata.json leads outside the bundle folder (to /dev/zero)".into(),
            None,
        ),
        (
            "server-metadata.json a named pipe",
            Box::new(|b: &Path| fifo_at(&b.join("server-metadata.json"))),
            "server-metadata.json is a named pipe, not a regular file".into(),
            None,
        ),
        (
            "server-metadata.json a link to a named pipe in the bundle",
            Box::new(|b: &Path| {
                fifo_at(&b.join("pipe"));
                link_at(&b.join("server-metadata.json"), Path::new("pipe"));
            }),
            "server-metadata.json is a named pipe, not a regular file".into(),
            None,
        ),
        (
            "server-metadata.json of 17 MiB",
            Box::new(|b: &Path| {
                let file = std::fs::File::create(b.join("server-metadata.json")).unwrap();
                file.set_len(17 << 20).unwrap();
            }),
            "server-metadata.json is larger than 16 MiB: it is not a server-metadata.json EAC \
             Desk reads"
                .into(),
            None,
        ),
        (
            "eacs.json a named pipe",
            Box::new(|b: &Path| fifo_at(&b.join("eacs.json"))),
            "eacs.json is a named pipe, not a regular file".into(),
            Some("eacs.json is a named pipe, not a regular file".into()),
        ),
        (
            "eacs.json a link to /dev/zero",
            Box::new(move |b: &Path| link_at(&b.join("eacs.json"), zero)),
            "eacs.json leads outside the bundle folder (to /dev/zero)".into(),
            Some("eacs.json leads outside the bundle folder (to /dev/zero)".into()),
        ),
    ];
    for (at, (what, tamper, validated, imported)) in cases.into_iter().enumerate() {
        let copy = desk.path(&format!("tampered-{at}"));
        copy_dir(&made, &copy);
        tamper(&copy);
        let mut runs = vec![(
            "validate",
            desk.bounded(
                false,
                &[
                    "validate".as_ref(),
                    "--profile".as_ref(),
                    "p2".as_ref(),
                    copy.as_ref(),
                ],
            ),
            Some(validated.clone()),
        )];
        if !what.starts_with("eacs.json") {
            // The listing named: the metadata beside it is read alike.
            let listing = copy.join("eacs.json");
            runs.push((
                "validate eacs.json",
                desk.bounded(
                    false,
                    &[
                        "validate".as_ref(),
                        "--profile".as_ref(),
                        "p2".as_ref(),
                        listing.as_ref(),
                    ],
                ),
                Some(validated),
            ));
        }
        let db = desk.path(&format!("import-{at}.sqlite"));
        runs.push((
            "import",
            desk.bounded(
                false,
                &[
                    "--db".as_ref(),
                    db.as_ref(),
                    "import".as_ref(),
                    copy.as_ref(),
                ],
            ),
            imported,
        ));
        for (command, run, named) in runs {
            let said = &run.said;
            let Some(code) = run.code else {
                panic!("{what}: {command} did not end by itself: {said}");
            };
            match named {
                Some(named) => {
                    assert_eq!(code, 2, "{what}: {command}: {said}");
                    assert!(
                        said.contains(&format!("{}/{named}", copy.display())),
                        "{what}: {command}: {said}"
                    );
                }
                None => assert_eq!(code, 0, "{what}: {command}: {said}"),
            }
        }
    }

    // A link that stays inside the bundle is followed, as a detail file's.
    let inside = desk.path("linked-inside");
    copy_dir(&made, &inside);
    std::fs::rename(
        inside.join("server-metadata.json"),
        inside.join("metadata.json"),
    )
    .unwrap();
    link_at(
        &inside.join("server-metadata.json"),
        Path::new("metadata.json"),
    );
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&inside)
        .assert()
        .success()
        .stdout(contains("valid for profile P2"));

    // An export onto a folder holding a listing and a metadata file that
    // is a link to /dev/zero, or a named pipe, refuses it unread.
    for (at, tamper) in [
        Box::new(move |b: &Path| link_at(&b.join("server-metadata.json"), zero)) as Tamper,
        Box::new(|b: &Path| fifo_at(&b.join("server-metadata.json"))),
    ]
    .into_iter()
    .enumerate()
    {
        let dest = desk.path(&format!("dest-{at}"));
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::copy(made.join("eacs.json"), dest.join("eacs.json")).unwrap();
        tamper(&dest);
        let run = desk.bounded(
            true,
            &[
                "export".as_ref(),
                "--profile".as_ref(),
                "p2".as_ref(),
                "--out".as_ref(),
                dest.as_ref(),
            ],
        );
        let said = &run.said;
        assert_eq!(run.code, Some(2), "export onto {at}: {said}");
        assert!(
            said.contains("already exists and is not an EAC Desk bundle"),
            "export onto {at}: {said}"
        );
    }
}

/// Tester 39, finding 2: an extra member of an envelope in EAC Desk's own
/// format (rule 21 allows it) is kept with the EAC and written in its
/// envelope by the next P2 export (and in `eacdesk_envelope` by a P1
/// export), as other formats' envelopes and P1 EACs keep theirs; it was
/// dropped without a word. A detail file keeping other ones is refused.
#[test]
fn an_envelopes_extra_members_are_kept_and_exported_again() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "1", "--out", "one.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "one.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
    let listing = desk.path("b/eacs.json");
    let text = std::fs::read_to_string(&listing).unwrap();
    let format = "\"eac_format\": \"eacdesk_eac_json_v1\",";
    assert!(text.contains(format), "{text}");
    let extra =
        "\n      \"acme_contract_ref\": \"K-42\",\n      \"acme_terms\": {\"fixed\": 1.50},";
    std::fs::write(
        &listing,
        text.replacen(format, &format!("{format}{extra}"), 1),
    )
    .unwrap();

    let c = desk.path("c.sqlite");
    let out = desk
        .bare()
        .arg("--db")
        .arg(&c)
        .args(["import", "--json", "b"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["files"][0]["warning_count"], 0, "{report}");
    desk.bare()
        .arg("--db")
        .arg(&c)
        .args(["export", "--profile", "p2", "--out", "b2"])
        .assert()
        .success();
    let again: Value =
        serde_json::from_str(&std::fs::read_to_string(desk.path("b2/eacs.json")).unwrap()).unwrap();
    let envelope = &again["eacs"][0];
    assert_eq!(envelope["acme_contract_ref"], "K-42", "{envelope}");
    let written = std::fs::read_to_string(desk.path("b2/eacs.json")).unwrap();
    assert!(
        written.contains("\"acme_terms\": {\"fixed\": 1.50}"),
        "{written}"
    );
    // A P1 export keeps them too, in the one member it has for them.
    desk.bare()
        .arg("--db")
        .arg(&c)
        .args(["export", "--profile", "p1", "--out", "p1.json"])
        .assert()
        .success();
    let p1 = std::fs::read_to_string(desk.path("p1.json")).unwrap();
    assert!(
        p1.contains(
            "\"eacdesk_envelope\": {\"acme_contract_ref\":\"K-42\",\"acme_terms\":{\"fixed\": 1.50}}"
        ),
        "{p1}"
    );
    // The second bundle reads back the same: nothing said to differ.
    let out = desk
        .bare()
        .arg("--db")
        .arg(&c)
        .args(["import", "--json", "b2"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (
            report["files"][0]["skipped"].as_u64(),
            report["files"][0]["warning_count"].as_u64()
        ),
        (Some(1), Some(0)),
        "{report}"
    );

    // An envelope stating another value than its detail file keeps.
    let listing = desk.path("b2/eacs.json");
    let text = std::fs::read_to_string(&listing).unwrap();
    std::fs::write(&listing, text.replace("\"K-42\"", "\"K-43\"")).unwrap();
    let refused = desk
        .bare()
        .arg("--db")
        .arg(desk.path("d.sqlite"))
        .args(["import", "b2"])
        .assert()
        .failure();
    let said = said(&refused);
    assert!(
        said.contains("the envelope's extra members differ from the ones its detail file keeps in `eacdesk_envelope` (in `acme_contract_ref`)"),
        "{said}"
    );
}
