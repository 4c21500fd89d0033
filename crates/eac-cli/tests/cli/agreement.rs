//! What `import` accepts, `validate` and `export` accept too, and the
//! other way round: a file is read as the profile it is, its own export
//! goes back in, and what one refuses the others refuse (decision 64).

#[allow(unused_imports)]
use super::*;

/// `good-p1-mixed-order.json` with an extra `eac_data_url` on every EAC
/// (extra fields are allowed, rule 21), so whichever EAC an export puts
/// first carries one.
fn p1_with_eac_data_urls(desk: &Desk) -> PathBuf {
    let mut listing = listing_of("good-p1-mixed-order.json");
    for (i, eac) in listing["eacs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        eac["eac_data_url"] = Value::from(format!("https://example.org/eacs/{i}.json"));
    }
    let path = desk.path("p1-with-urls.json");
    std::fs::write(&path, serde_json::to_string_pretty(&listing).unwrap()).unwrap();
    path
}

/// Decision 274: EAC Desk's own P1 export of EACs with an extra
/// `eac_data_url` goes back in. It was taken for a P2 listing (its first
/// EAC had `eac_data_url`) and refused for lacking `cds_synced`,
/// `eac_numbers` and `eac_format`.
#[test]
fn a_p1_export_with_eac_data_url_first_imports_again() {
    let desk = Desk::new();
    let file = p1_with_eac_data_urls(&desk);
    desk.eacdesk()
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("7 added"));
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "out.json"])
        .assert()
        .success();
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(desk.path("out.json")).unwrap()).unwrap();
    assert!(
        exported["eacs"][0]["eac_data_url"].is_string(),
        "{exported}"
    );
    desk.eacdesk()
        .args(["validate", "--profile", "p1", "out.json"])
        .assert()
        .success();

    let again = Desk::new();
    again
        .eacdesk()
        .arg("import")
        .arg(desk.path("out.json"))
        .assert()
        .success()
        .stdout(contains("7 added"));
    assert_eq!(again.count(), 7);
    // And what came back exports byte for byte as before.
    again
        .eacdesk()
        .args(["export", "--profile", "p1", "--out", "out.json"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(again.path("out.json")).unwrap(),
        std::fs::read(desk.path("out.json")).unwrap()
    );
}

/// `--format cds-p1` and `--format cds-p2` are honoured whatever the
/// content suggests (only `cds-p2` was), and a refusal says which profile
/// the file was read as and why.
#[test]
fn a_forced_cds_profile_is_honoured_both_ways() {
    let desk = Desk::new();
    let p1 = p1_with_eac_data_urls(&desk);
    // An envelope listing whose EACs carry `values` as an extra field:
    // the content says P1, the format says P2.
    let mut envelopes = listing_of("good-p2-meeting-0926.json");
    for eac in envelopes["eacs"].as_array_mut().unwrap() {
        eac["values"] = serde_json::json!([]);
    }
    let p2 = desk.path("p2-with-values.json");
    std::fs::write(&p2, serde_json::to_string_pretty(&envelopes).unwrap()).unwrap();

    // P1 forced on a P1 listing: imported.
    desk.eacdesk()
        .args(["import", "--format", "cds-p1"])
        .arg(&p1)
        .assert()
        .success()
        .stdout(contains("7 added"));
    // P2 forced on it: read as P2, and refused as one.
    let said = refusal({
        let mut cmd = desk.eacdesk();
        cmd.args(["import", "--format", "cds-p2"]).arg(&p1);
        cmd
    });
    // The content says P1 (its EACs have `values`): the refusal says so
    // and how to import it (decision 426).
    assert!(
        said.contains("(read as profile P2, as --format asked; it reads as a profile P1 listing: "),
        "{said}"
    );
    assert!(
        said.contains("; import it with --format cds-p1, or without --format)"),
        "{said}"
    );
    assert!(
        said.contains("required field `cds_synced` is missing"),
        "{said}"
    );

    // Read from its content, the envelope listing with `values` is P1,
    // and the refusal says so and how to read it as P2.
    let said = refusal({
        let mut cmd = desk.eacdesk();
        cmd.arg("import").arg(&p2);
        cmd
    });
    assert!(
        said.contains(
            "(read as profile P1: its first EAC has `values`, as a P1 EAC has (its \
             `eac_data_url` is an extra field); if it is a P2 listing, --format cds-p2 reads it \
             as one)"
        ),
        "{said}"
    );
    // Forced, it is P2, and the envelopes are stored.
    desk.eacdesk()
        .args(["import", "--format", "cds-p2"])
        .arg(&p2)
        .assert()
        .success()
        .stdout(contains("4 added"));
    // A P2 envelope listing forced to P1 is read as P1 and refused.
    let said = refusal({
        let mut cmd = desk.eacdesk();
        cmd.args([
            "import",
            "--format",
            "cds-p1",
            &example("good-p2-meeting-0926.json"),
        ]);
        cmd
    });
    assert!(
        said.contains(
            "(read as profile P1, as --format asked; it reads as a profile P2 listing: its \
             first EAC has `eac_data_url` and no `values`, as a P2 envelope has; import it with \
             --format cds-p2, or without --format)"
        ),
        "{said}"
    );
    assert!(
        said.contains("required field `values` is missing"),
        "{said}"
    );
    // Without a format the same file is P2, as before.
    desk.eacdesk()
        .args(["import", "--dry-run", &example("good-p2-meeting-0926.json")])
        .assert()
        .success();

    // A bundle folder is P2: P1 forced on it says so (usage, exit 2).
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "bundle"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "--format", "cds-p1", "bundle"])
        .assert()
        .code(2)
        .stderr(contains(
            "is a folder, a P2 bundle, and --format cds-p1 reads a P1 listing file",
        ));
}

/// Decision 275: an `eac_data_url` the schema's `uri` format refuses is
/// refused by import too (it was stored, and every P2 export failed on it
/// afterwards), and one it accepts is accepted by both. An http(s) URL
/// with no host (`https:///a.pdf`) is refused by both, as the P2 base URL
/// is; the publisher's upper-case scheme or host and userinfo are kept.
#[test]
fn validate_and_import_judge_eac_data_urls_alike() {
    let desk = Desk::new();
    let with_url = |name: &str, url: &str| {
        let mut listing = listing_of("good-p2-meeting-0926.json");
        listing["eacs"][0]["eac_data_url"] = Value::from(url);
        let path = desk.path(name);
        std::fs::write(&path, serde_json::to_string_pretty(&listing).unwrap()).unwrap();
        path
    };
    let refused = [
        "https://x.org/a[1]|b^c.pdf",
        "https://x.org/a%zz",
        "https://x.org/é",
        "https://bücher.example/a",
        "https://x.org/a\\b",
        "https://x.org/a\"b",
        "https://x.org/a{b}",
        "https://x.org/a<b>",
        "https://x.org/a`b",
        "https://x.org/#a#b",
        "https://x.org/a%",
        "https:///a.pdf",
        "http:///a.pdf",
        "https://user@/a.pdf",
    ];
    for (i, url) in refused.iter().enumerate() {
        let file = with_url(&format!("bad-{i}.json"), url);
        let validated = refusal({
            let mut cmd = desk.eacdesk();
            cmd.args(["validate", "--profile", "p2"]).arg(&file);
            cmd
        });
        assert!(
            validated.contains("error (rule 2) at /eacs/0/eac_data_url"),
            "{url}: {validated}"
        );
        let imported = refusal({
            let mut cmd = desk.eacdesk();
            cmd.arg("import").arg(&file);
            cmd
        });
        assert!(
            imported.contains(&format!("Nothing was imported from {}", file.display()))
                && imported.contains(&format!(
                    "{}: error (rule 2) at /eacs/0/eac_data_url",
                    file.display()
                ))
                && imported.contains("must be an absolute URL"),
            "{url}: {imported}"
        );
    }
    for (i, url) in [
        "https://x.org/a%5B1%5D%7Cb%5Ec.pdf",
        "https://x.org/%C3%A9",
        "https://xn--bcher-kva.example/a",
        "https://x.org/a?b=c#d",
        "urn:isbn:0451450523",
        "HTTPS://X.ORG/a.pdf",
        "https://reader:pw@x.org/a.pdf",
        "file:///srv/a.pdf",
    ]
    .iter()
    .enumerate()
    {
        let file = with_url(&format!("good-{i}.json"), url);
        desk.eacdesk()
            .args(["validate", "--profile", "p2"])
            .arg(&file)
            .assert()
            .success();
        desk.eacdesk().arg("import").arg(&file).assert().success();
    }
    // What was imported exports as a bundle that validates.
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
}

/// A bundle whose first envelope says `field` is `from` where its detail
/// file says otherwise: EAC Desk's own bundle of `good-p1-overview-monthly`
/// with `eacs.json` edited.
fn contradicting_bundle(desk: &Desk, name: &str, field: &str, value: Value) -> PathBuf {
    let bundle = desk.path(name);
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let listing_path = bundle.join("eacs.json");
    let mut listing: Value =
        serde_json::from_str(&std::fs::read_to_string(&listing_path).unwrap()).unwrap();
    listing["eacs"][0][field] = value;
    std::fs::write(
        &listing_path,
        serde_json::to_string_pretty(&listing).unwrap(),
    )
    .unwrap();
    bundle
}

/// Decision 277: an envelope that contradicts its detail file on
/// `cds_created`, `cds_modified` or `eac_numbers` is refused by validate
/// and import alike (rule 19, the field and both values named). Import
/// kept the detail's times, so the envelope's `cds_modified`, which
/// decides replace or skip, was silently dropped.
#[test]
fn an_envelope_contradicting_its_detail_file_is_refused_by_validate_and_import() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-monthly.json"]);
    let cases = [
        (
            "cds_created",
            Value::from("2023-12-15T00:00:00Z"),
            "(2023-12-15T00:00:00Z)",
            "(2024-01-01T00:00:00Z)",
        ),
        (
            "cds_modified",
            Value::from("2024-06-30T00:00:00Z"),
            "(2024-06-30T00:00:00Z)",
            "(2024-01-01T00:00:00Z)",
        ),
        (
            "eac_numbers",
            serde_json::json!(["NOT-IN-DETAIL-999"]),
            "([\"NOT-IN-DETAIL-999\"])",
            "([\"AAAZZZ-123\"])",
        ),
        (
            "eac_numbers",
            serde_json::json!([]),
            "([])",
            "([\"AAAZZZ-123\"])",
        ),
    ];
    for (i, (field, value, here, there)) in cases.into_iter().enumerate() {
        let bundle = contradicting_bundle(&desk, &format!("b{i}"), field, value);
        let pointer = format!("error (rule 19) at /eacs/0/{field} [EAC 99999999-dk3]");
        let detail = "its detail file ";
        let fresh = Desk::new();
        for cmd in [
            {
                let mut cmd = desk.eacdesk();
                cmd.args(["validate", "--profile", "p2"]).arg(&bundle);
                cmd
            },
            {
                let mut cmd = fresh.eacdesk();
                cmd.arg("import").arg(&bundle);
                cmd
            },
        ] {
            let said = refusal(cmd);
            let listing = format!("{}: ", bundle.join("eacs.json").display());
            assert!(said.contains(&format!("{listing}{pointer}")), "{said}");
            assert!(
                said.contains(&format!("`{field}` of the envelope {here} differs from"))
                    && said.contains(detail)
                    && said.contains(there),
                "{said}"
            );
        }
    }
    // The same instant written with an offset agrees (times are compared
    // as instants, not as text).
    let bundle = contradicting_bundle(
        &desk,
        "same-instant",
        "cds_modified",
        Value::from("2024-01-01T01:00:00+01:00"),
    );
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&bundle)
        .assert()
        .success();
    let fresh = Desk::new();
    fresh
        .eacdesk()
        .arg("import")
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("1 added"));
}

/// Decision 276: rule 17's "non-empty" has one reading, "not blank"
/// (empty or white space only), for beneficiary ids and P2 `eac_numbers`
/// alike, in validate and import. A P2 beneficiary `" "` was refused while
/// `eac_numbers: [" "]` passed.
#[test]
fn blank_beneficiary_ids_and_eac_numbers_are_refused_alike() {
    let desk = Desk::new();
    let envelope_with = |name: &str, field: &str, list: Value| {
        let mut listing = listing_of("good-p2-meeting-0926.json");
        listing["eacs"][0][field] = list;
        let path = desk.path(name);
        std::fs::write(&path, serde_json::to_string_pretty(&listing).unwrap()).unwrap();
        path
    };
    let cases = [
        (
            envelope_with("b1.json", "beneficiaries", serde_json::json!([" "])),
            "/eacs/0/beneficiaries/0",
            "a beneficiary id is blank (white space only)",
        ),
        (
            envelope_with("b2.json", "beneficiaries", serde_json::json!(["A", ""])),
            "/eacs/0/beneficiaries/1",
            "a beneficiary id is empty",
        ),
        (
            envelope_with("n1.json", "eac_numbers", serde_json::json!([" "])),
            "/eacs/0/eac_numbers/0",
            "an EAC number is blank (white space only)",
        ),
        (
            envelope_with("n2.json", "eac_numbers", serde_json::json!(["\u{3000}"])),
            "/eacs/0/eac_numbers/0",
            "an EAC number is blank (white space only)",
        ),
        (
            envelope_with("n3.json", "eac_numbers", serde_json::json!(["A", ""])),
            "/eacs/0/eac_numbers/1",
            "an EAC number is empty",
        ),
    ];
    for (file, pointer, message) in cases {
        let at = format!("error (rule 17) at {pointer}");
        let validated = refusal({
            let mut cmd = desk.eacdesk();
            cmd.args(["validate", "--profile", "p2"]).arg(&file);
            cmd
        });
        assert!(
            validated.contains(&at) && validated.contains(message),
            "{validated}"
        );
        let imported = refusal({
            let mut cmd = desk.eacdesk();
            cmd.arg("import").arg(&file);
            cmd
        });
        assert!(
            imported.contains(&format!("Nothing was imported from {}", file.display()))
                && imported.contains(&at)
                && imported.contains(message),
            "{imported}"
        );
    }
}

/// Decision 276: a blank P1 EAC number (the EAC's or a value's) is no
/// number. P1 keeps it as written (the spec types it as a string), but it
/// never becomes a P2 `eac_numbers` entry, which rule 17 refuses: it was
/// exported there, so the bundle broke the rule its own validation
/// checks.
#[test]
fn a_blank_p1_eac_number_never_becomes_a_p2_eac_numbers_entry() {
    let desk = Desk::new();
    let mut listing = listing_of("good-p1-overview-monthly.json");
    listing["eacs"][0]["eac_number"] = Value::from(" ");
    listing["eacs"][0]["values"][0]["eac_number"] = Value::from("");
    let file = desk.path("blank-numbers.json");
    std::fs::write(&file, serde_json::to_string_pretty(&listing).unwrap()).unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&file)
        .assert()
        .success();
    desk.eacdesk().arg("import").arg(&file).assert().success();
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "p1.json"])
        .assert()
        .success();
    let p1: Value =
        serde_json::from_str(&std::fs::read_to_string(desk.path("p1.json")).unwrap()).unwrap();
    assert_eq!(p1["eacs"][0]["eac_number"], " ");
    assert_eq!(p1["eacs"][0]["values"][0]["eac_number"], "");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
    let p2: Value =
        serde_json::from_str(&std::fs::read_to_string(desk.path("b/eacs.json")).unwrap()).unwrap();
    assert_eq!(p2["eacs"][0]["eac_numbers"], serde_json::json!([]));
    desk.eacdesk()
        .args(["validate", "--profile", "p2", "b"])
        .assert()
        .success();
    let fresh = Desk::new();
    fresh
        .eacdesk()
        .arg("import")
        .arg(desk.path("b"))
        .assert()
        .success()
        .stdout(contains("1 added"));
}

/// Where `needle` starts in `text` as an editor shows it: lines end at
/// `\n`, `\r\n` or a lone `\r`, columns count characters from 1.
fn editor_place(text: &str, needle: &str) -> (usize, usize) {
    let before = &text[..text.find(needle).unwrap()];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before.replace("\r\n", "\n").matches(['\n', '\r']).count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Tester 35, finding 5: the line and column of an error are where an
/// editor's "go to line:column" lands. Columns counted UTF-8 bytes, so
/// each `東` or `Ø` before the error moved it 1–2 columns to the right,
/// and a file with CR-only line ends (it imports) was "line 1" at a huge
/// column. `validate` and `import` name the same place.
#[test]
fn error_places_count_characters_and_cr_line_ends_as_editors_do() {
    let desk = Desk::new();
    let mut eac = listing_of("good-p1-mixed-order.json")["eacs"][0].clone();
    eac["source_name"] = Value::from("東京電力エナジーパートナー");
    eac["destination_name"] = Value::from("Ørsted Ålborg");
    let listing = serde_json::json!({ "eacs": [eac] });
    let stray = |text: String| text.replacen("\"asset_id\":", ",\"asset_id\":", 1);
    let compact = stray(serde_json::to_string(&listing).unwrap());
    let cr_only = stray(serde_json::to_string_pretty(&listing).unwrap()).replace('\n', "\r");
    let crlf = stray(serde_json::to_string_pretty(&listing).unwrap()).replace('\n', "\r\n");
    for (name, text) in [
        ("compact.json", compact),
        ("cr-only.json", cr_only),
        ("crlf.json", crlf),
    ] {
        let file = desk.path(name);
        std::fs::write(&file, &text).unwrap();
        // The stray comma is the error.
        let (line, column) = editor_place(&text, ",\"asset_id\"");
        let place = format!("{}:{line}:{column}: error (rule 20)", file.display());
        desk.eacdesk()
            .args(["validate", "--profile", "p1"])
            .arg(&file)
            .assert()
            .failure()
            .stdout(contains(place.as_str()));
        desk.eacdesk()
            .arg("import")
            .arg(&file)
            .assert()
            .failure()
            .stderr(contains(place.as_str()));
    }
}

/// Tester 35, finding 4: a listing holding NUL bytes (the padding a crash
/// or a full disk leaves, or a NUL inside a string) is the right file with
/// a fault: `import` refuses it naming the file, the NUL's line and column
/// and rule 20, as `validate` does, where it said "this is not a text
/// file" with no place, even with `--format cds-p1`. A binary file is
/// still named as one, with the place of its first byte that is no text.
#[test]
fn nul_bytes_in_a_listing_are_refused_where_they_stand_by_import_as_by_validate() {
    let desk = Desk::new();
    let text = serde_json::to_string_pretty(&listing_of("good-p1-mixed-order.json")).unwrap();
    let mut padded = text.clone().into_bytes();
    padded.resize(padded.len() + 4096, 0);
    let inside = text.replacen("\"source_name\": \"", "\"source_name\": \"Å\u{0}", 1);
    for (name, bytes, said) in [
        ("padded.json", padded, "trailing characters"),
        ("inside.json", inside.into_bytes(), "control character"),
    ] {
        let file = desk.path(name);
        std::fs::write(&file, &bytes).unwrap();
        // The first NUL.
        let (line, column) = editor_place(std::str::from_utf8(&bytes).unwrap(), "\u{0}");
        let place = format!("{}:{line}:{column}: error (rule 20)", file.display());
        desk.eacdesk()
            .args(["validate", "--profile", "p1"])
            .arg(&file)
            .assert()
            .failure()
            .stdout(contains(place.as_str()).and(contains(said)));
        for format in [None, Some("cds-p1")] {
            let mut import = desk.eacdesk();
            import.arg("import").arg(&file);
            if let Some(format) = format {
                import.args(["--format", format]);
            }
            import
                .assert()
                .failure()
                .stderr(contains(place.as_str()).and(contains(said)))
                .stderr(contains("not a text file").not());
        }
    }
    // Bytes that are no text at all are said to be so, at a place.
    let binary: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x01)
        .collect();
    let file = desk.path("binary.json");
    std::fs::write(&file, &binary).unwrap();
    let at = binary
        .iter()
        .position(|&b| b < 0x20 && !b"\t\n\r\x0c".contains(&b))
        .unwrap();
    desk.eacdesk()
        .arg("import")
        .arg(&file)
        .assert()
        .failure()
        .stderr(contains("this is not a text file (byte 0x"))
        .stderr(contains(" is no text)"))
        .stderr(contains(format!("0x{:02X}", binary[at])));
}
