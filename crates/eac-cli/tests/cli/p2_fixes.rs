//! P2 bundles and CDS listings as a black-box tester used them (session
//! 39): edits of EACs dated ahead, base URLs, paged listings, refusals
//! and destinations.

use super::*;

/// `eacdesk sample --eacs N --out NAME` in the desk's folder.
fn write_sample(desk: &Desk, eacs: u32, name: &str) {
    desk.eacdesk()
        .args(["sample", "--eacs", &eacs.to_string(), "--out", name])
        .assert()
        .success();
}

/// One EAC created and modified in the future (a source dated ahead).
const FUTURE: &str = r#"{"eacs":[{"cds_eac_id":"FUT","cds_created":"2030-01-01T00:00:00Z","cds_modified":"2030-02-01T00:00:00Z","eac_number":"F-1","source_id":"S","source_name":"S","destination_id":"D","destination_name":"D","beneficiary_type":"account","beneficiaries":["ACC-1"],"asset_id":"A1","asset_origination":"grid","asset_destination":"grid","technology_type":"wind","emissions_factor_direct":0,"emissions_factor_lca":11.5,"period_start":"2024-01-01T00:00:00Z","period_end":"2024-02-01T00:00:00Z","values":[{"eac_number":null,"issued":"2024-02-05","retired":null,"start":null,"end":null,"unit":"MWh","value":1000.0}]}],"next":null,"previous":null}"#;

/// The `cds_modified` of the one EAC a bundle's listing holds.
fn bundle_modified(bundle: &Path) -> String {
    let listing: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("eacs.json")).unwrap()).unwrap();
    listing["eacs"][0]["cds_modified"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn an_edit_of_an_eac_modified_in_the_future_is_published_with_a_later_cds_modified() {
    let desk = Desk::new();
    std::fs::write(desk.path("fut.json"), FUTURE).unwrap();
    desk.eacdesk()
        .args(["import", "fut.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b1"])
        .assert()
        .success();
    let other = || {
        let mut cmd = desk.bare();
        cmd.arg("--db").arg(desk.path("other.sqlite"));
        cmd
    };
    other().args(["import", "b1"]).assert().success();
    assert_eq!(bundle_modified(&desk.path("b1")), "2030-02-01T00:00:00Z");

    // A beneficiary edit, then an emissions edit, then a field edit: each
    // moves `cds_modified` forward, and the other desk takes each change.
    let edits: [&[&str]; 3] = [
        &[
            "beneficiaries",
            "set",
            "FUT",
            "--type",
            "program",
            "--id",
            "P-1",
            "--reason",
            "moved",
        ],
        &["set", "FUT", "emissions_factor_lca=99", "--reason", "fix"],
        &["set", "FUT", "destination_name=D2", "--reason", "fix"],
    ];
    let mut before = bundle_modified(&desk.path("b1"));
    for (n, edit) in edits.iter().enumerate() {
        desk.eacdesk().args(*edit).assert().success();
        let bundle = format!("b{}", n + 2);
        desk.eacdesk()
            .args(["export", "--profile", "p2", "--out", &bundle])
            .assert()
            .success();
        let after = bundle_modified(&desk.path(&bundle));
        let (b, a) = (
            eac_model::Timestamp::parse(&before).unwrap(),
            eac_model::Timestamp::parse(&after).unwrap(),
        );
        assert!(a > b, "{edit:?}: {before} then {after}");
        other()
            .args(["import", &bundle])
            .assert()
            .success()
            .stdout(contains("0 added, 1 replaced, 0 skipped"));
        before = after;
    }
    let shown = other().args(["show", "FUT", "--json"]).assert().success();
    let shown: Value = serde_json::from_slice(&shown.get_output().stdout).unwrap();
    let text = shown.to_string();
    assert!(text.contains("P-1") && text.contains("D2"), "{text}");
    assert_eq!(
        shown["cds_modified"].as_str(),
        Some("2030-02-01T00:00:00.000000003Z"),
        "{text}"
    );
}

/// A base URL holding a user name and password would publish them in
/// every URL of the bundle: refused, the password never said back.
#[test]
fn a_base_url_with_a_password_is_refused_and_the_password_never_said() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for (base, says) in [
        (
            "https://analyst:S3cret@example.com/eacs/",
            "the base URL `https://analyst:***@example.com/eacs/` holds a user name and password \
             (`analyst:***@`), which every URL in the bundle would publish (each `eac_data_url` in \
             eacs.json, `cds_eacs_api` and `documentation` in server-metadata.json); nothing was \
             written. Write the base URL without it, e.g. `https://example.com/eacs/`",
        ),
        (
            "https://analyst@example.com/eacs/",
            "the base URL `https://analyst@example.com/eacs/` holds a user name (`analyst@`)",
        ),
    ] {
        let out = desk
            .eacdesk()
            .args([
                "export",
                "--profile",
                "p2",
                "--out",
                "u1",
                "--base-url",
                base,
            ])
            .assert()
            .code(2)
            .stderr(contains(says));
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(!stderr.contains("S3cret"), "{stderr}");
        assert!(!desk.path("u1").exists(), "{base}");
    }
}

#[test]
fn a_base_url_the_parser_would_rewrite_is_refused_before_anything_is_written() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for (base, says) in [
        ("https:///eacs/2024/", "has no host"),
        (
            "https://EXAMPLE.org:443/x",
            "would be published as https://example.org/x/",
        ),
        (
            "https://example.org/a/../b/",
            "would be published as https://example.org/b/",
        ),
    ] {
        desk.eacdesk()
            .args([
                "export",
                "--profile",
                "p2",
                "--out",
                "u1",
                "--base-url",
                base,
            ])
            .assert()
            .code(2)
            .stderr(contains(format!("the base URL `{base}`")))
            .stderr(contains(says))
            .stderr(contains("nothing was written"));
        assert!(!desk.path("u1").exists(), "{base}");
    }
    // Typed as it is published: taken, the closing `/` added.
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "u1"])
        .args(["--base-url", "https://example.org/eacs/2024"])
        .assert()
        .success();
    let metadata = std::fs::read_to_string(desk.path("u1/server-metadata.json")).unwrap();
    assert!(
        metadata.contains("\"https://example.org/eacs/2024/eacs.json\""),
        "{metadata}"
    );
}

#[test]
fn a_listing_or_bundle_that_is_one_page_of_a_longer_listing_is_imported_with_a_note() {
    let desk = Desk::new();
    write_sample(&desk, 3, "s.json");
    let listing = std::fs::read_to_string(desk.path("s.json")).unwrap();
    assert!(listing.contains("\"next\": null"), "{listing}");
    std::fs::write(
        desk.path("page1.json"),
        listing.replace("\"next\": null", "\"next\": \"https://example.org/p2\""),
    )
    .unwrap();
    // A P1 page: imported, and said on stderr and under --json.
    desk.eacdesk()
        .args(["import", "page1.json"])
        .assert()
        .success()
        .stdout(contains("3 added"))
        .stderr(contains(
            "this is one page of a longer listing (its `next` link is https://example.org/p2): \
             only the EACs of this page were imported; import the other pages too",
        ));
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
    let bundle = desk.path("b/eacs.json");
    let text = std::fs::read_to_string(&bundle).unwrap();
    std::fs::write(
        &bundle,
        text.replace(
            "\"previous\": null",
            "\"previous\": \"https://example.org/eacs?page=1\"",
        ),
    )
    .unwrap();
    // A P2 bundle whose listing is a later page: the same note.
    let out = desk
        .bare()
        .arg("--db")
        .arg(desk.path("other.sqlite"))
        .args(["import", "b", "--json"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let file = &report["files"][0];
    assert_eq!(file["added"], 3, "{report}");
    let first = &file["warnings"][0];
    assert_eq!(first["pointer"], "/previous", "{report}");
    assert!(
        first["message"].as_str().unwrap().contains(
            "one page of a longer listing (its `previous` link is \
             https://example.org/eacs?page=1)"
        ),
        "{report}"
    );
    // A whole listing says nothing of pages.
    let whole = desk
        .bare()
        .arg("--db")
        .arg(desk.path("third.sqlite"))
        .args(["import", "s.json"])
        .assert()
        .success();
    assert!(!stderr(&whole).contains("page"), "{}", stderr(&whole));
}

#[test]
fn verify_says_the_cds_synced_it_stored_for_an_eac_created_later_than_now() {
    let desk = Desk::new();
    std::fs::write(desk.path("fut.json"), FUTURE).unwrap();
    desk.eacdesk()
        .args(["import", "fut.json"])
        .assert()
        .success();
    let said = desk
        .eacdesk()
        .args(["verify", "FUT"])
        .assert()
        .success()
        .stdout(contains(
            "Marked 1 EAC as verified (cds_synced = 2030-01-01T00:00:00Z, its cds_created: it \
             was created after now (",
        ));
    let stored = desk.json(&["show", "FUT"])["cds_synced"].clone();
    assert_eq!(stored, "2030-01-01T00:00:00Z", "{}", stdout(&said));
    let report = desk.json(&["verify", "FUT"]);
    assert_eq!(report["cds_synced"], "2030-01-01T00:00:00Z", "{report}");
    assert_eq!(report["created_later"], 1, "{report}");

    // With EACs created before now, the clock reading and how many got
    // their cds_created instead.
    write_sample(&desk, 2, "s.json");
    desk.eacdesk().args(["import", "s.json"]).assert().success();
    desk.eacdesk()
        .args(["verify", "--all-matching", "--yes"])
        .assert()
        .success()
        .stdout(contains("Marked 3 EACs as verified (cds_synced = "))
        .stdout(contains(
            "; 1 EAC created later than that got its cds_created instead; recorded in the audit \
             log)",
        ));
}

/// A desk holding 60 sample EACs exported as a P2 bundle `ob`, whose
/// listing read as P1 breaks rule 2 more than 50 times.
fn with_bundle_of_60() -> Desk {
    let desk = Desk::new();
    write_sample(&desk, 60, "s60.json");
    desk.eacdesk()
        .args(["import", "s60.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "ob"])
        .assert()
        .success();
    desk
}

#[test]
fn a_refusal_stopped_at_its_first_50_findings_claims_no_total() {
    let desk = with_bundle_of_60();
    let other = || {
        let mut cmd = desk.bare();
        cmd.arg("--db").arg(desk.path("other.sqlite"));
        cmd
    };
    let refused = other()
        .args(["import", "--format", "cds-p1", "ob/eacs.json"])
        .assert()
        .code(1);
    let said = stderr(&refused);
    assert!(
        said.contains(
            "Nothing was imported from ob/eacs.json: the first 50 rule violations (there may be \
             more)"
        ),
        "{said}"
    );
    let refused = other()
        .args(["import", "--format", "cds-p1", "ob/eacs.json", "--json"])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&refused.get_output().stdout).unwrap();
    assert_eq!(report["files"][0]["violations_capped"], true, "{report}");
    assert_eq!(
        report["files"][0]["violations"].as_array().unwrap().len(),
        50
    );
    // Fewer errors than the cap: counted, and not said to be capped.
    std::fs::write(
        desk.path("one.json"),
        r#"{"eacs":[{"cds_eac_id":"X"}],"next":null,"previous":null}"#,
    )
    .unwrap();
    let refused = other()
        .args(["import", "one.json", "--json"])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&refused.get_output().stdout).unwrap();
    assert!(
        report["files"][0].get("violations_capped").is_none(),
        "{report}"
    );
    assert!(
        report["files"][0]["message"]
            .as_str()
            .unwrap()
            .contains("one.json: 18 rule violations (read as"),
        "{report}"
    );

    // An export of 60 EACs with "TODO" factors: the same words, and
    // `errors_capped` beside the errors under --json.
    let listing = std::fs::read_to_string(desk.path("s60.json")).unwrap();
    let todo: Vec<String> = listing
        .lines()
        .map(|line| match line.split_once("\"emissions_factor_lca\": ") {
            Some((indent, rest)) => {
                let comma = if rest.ends_with(',') { "," } else { "" };
                format!("{indent}\"emissions_factor_lca\": \"TODO\"{comma}")
            }
            None => line.to_owned(),
        })
        .collect();
    std::fs::write(desk.path("todo.json"), todo.join("\n")).unwrap();
    let todo_desk = || {
        let mut cmd = desk.bare();
        cmd.arg("--db").arg(desk.path("todo.sqlite"));
        cmd
    };
    todo_desk().args(["import", "todo.json"]).assert().success();
    let refused = todo_desk()
        .args(["export", "--profile", "p1", "--out", "td.json", "--json"])
        .assert()
        .code(1);
    let said = stderr(&refused);
    assert!(
        said.contains("the first 50 rule violations (there may be more)"),
        "{said}"
    );
    let report: Value = serde_json::from_slice(&refused.get_output().stdout).unwrap();
    assert_eq!(report["errors"].as_array().unwrap().len(), 50, "{report}");
    assert_eq!(report["errors_capped"], true, "{report}");
}

#[test]
fn a_listing_forced_as_the_other_profile_says_which_profile_it_reads_as() {
    let desk = with_bundle_of_60();
    let other = || {
        let mut cmd = desk.bare();
        cmd.arg("--db").arg(desk.path("other.sqlite"));
        cmd
    };
    other()
        .args(["import", "--format", "cds-p1", "ob/eacs.json"])
        .assert()
        .code(1)
        .stderr(contains(
            "(read as profile P1, as --format asked; it reads as a profile P2 listing: its first \
             EAC has `eac_data_url` and no `values`, as a P2 envelope has; import it with \
             --format cds-p2, or without --format)",
        ));
    other()
        .args(["import", "--format", "cds-p2", "s60.json"])
        .assert()
        .code(1)
        .stderr(contains(
            "(read as profile P2, as --format asked; it reads as a profile P1 listing: its first \
             EAC has `values`; import it with --format cds-p1, or without --format)",
        ));
}

#[test]
fn format_md_says_extension_text_is_kept_as_written_and_it_is() {
    let desk = Desk::new();
    let listing = FUTURE.replace(
        r#""asset_id":"A1","#,
        r#""asset_id":"A1","x_ext":{"nested":[1.0,2.50,null],"k":"v"},"#,
    );
    std::fs::write(desk.path("ext.json"), listing).unwrap();
    desk.eacdesk()
        .args(["import", "ext.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
    let detail = std::fs::read_dir(desk.path("b/eacs"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .next()
        .unwrap();
    assert!(
        detail.contains(r#""x_ext": {"nested":[1.0,2.50,null],"k":"v"}"#),
        "{detail}"
    );
    let format = std::fs::read_to_string(desk.path("b/FORMAT.md")).unwrap();
    assert!(
        format.contains("is its text as the source wrote it, spaces and line breaks"),
        "{format}"
    );
}

#[test]
fn a_copied_bundle_finds_a_detail_file_whose_url_is_percent_encoded() {
    let desk = Desk::new();
    write_sample(&desk, 2, "s.json");
    desk.eacdesk().args(["import", "s.json"]).assert().success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b1"])
        .assert()
        .success();
    // One detail file renamed by hand to a name its URL must encode.
    let b1 = desk.path("b1");
    let first = std::fs::read_dir(b1.join("eacs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .min()
        .unwrap();
    std::fs::rename(b1.join("eacs").join(&first), b1.join("eacs/my file.json")).unwrap();
    let listing = std::fs::read_to_string(b1.join("eacs.json")).unwrap();
    assert!(listing.contains(&format!("eacs/{first}")));
    std::fs::write(
        b1.join("eacs.json"),
        listing.replace(&format!("eacs/{first}"), "eacs/my%20file.json"),
    )
    .unwrap();
    std::fs::remove_file(b1.join(".eacdesk-bundle")).unwrap();
    // A copy reads its own copy of it: validate and import alike.
    let b2 = desk.path("b2");
    std::fs::create_dir_all(b2.join("eacs")).unwrap();
    for name in ["eacs.json", "server-metadata.json", "FORMAT.md"] {
        std::fs::copy(b1.join(name), b2.join(name)).unwrap();
    }
    for entry in std::fs::read_dir(b1.join("eacs")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), b2.join("eacs").join(entry.file_name())).unwrap();
    }
    std::fs::remove_dir_all(&b1).unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p2", "b2"])
        .assert()
        .success()
        .stdout(contains("valid for profile P2"));
    desk.bare()
        .arg("--db")
        .arg(desk.path("other.sqlite"))
        .args(["import", "b2"])
        .assert()
        .success()
        .stdout(contains("2 added"));
}

/// The names in the test's folder, so a refusal is seen to leave nothing
/// behind (no folder made, no hidden file).
fn names(desk: &Desk) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(desk.path("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_destination_that_cannot_be_written_says_why_and_what_to_do_before_anything_is_written() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let before = names(&desk);
    for (profile, out, says) in [
        // A P1 file named as a folder that is not there: it said "Not a
        // directory (os error 20)" once the whole listing was written.
        (
            "p1",
            "nb1/",
            "ends with `/`, so it names a folder, but a P1 listing is one file, and the folder nb1 does not exist; nothing was written. Name the file to write (e.g. nb1.json), or create the folder nb1 first",
        ),
        (
            "p1",
            "",
            "The P1 listing needs a file name (the name given is empty); nothing was written",
        ),
        (
            "p2",
            "",
            "The bundle needs a folder name (the name given is empty); nothing was written",
        ),
        (
            "p2",
            "nonexist/sub/bundle",
            "The folder nonexist/sub does not exist, so nothing can be written at nonexist/sub/bundle (EAC Desk makes the bundle's own folder only): create it first; nothing was written.",
        ),
        (
            "p1",
            "nonexist/x.json",
            "The folder nonexist does not exist, so nothing can be written at nonexist/x.json",
        ),
        // A P2 bundle is a folder: a new one named like a file is refused
        // (it was made, a folder named new.json, without a word).
        (
            "p2",
            "new.json",
            "new.json ends in .json, but a P2 bundle is a folder (eacs.json, server-metadata.json, FORMAT.md and the detail files in eacs/), not one file; nothing was written. Name the folder without .json (e.g. new)",
        ),
    ] {
        let assert = desk
            .eacdesk()
            .args(["export", "--profile", profile, "--out", out])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains(says), "{profile} {out:?}: {err}");
        assert!(!err.contains("os error"), "{profile} {out:?}: {err}");
        assert_eq!(names(&desk), before, "{profile} {out:?} left something");
    }
    // A folder of that name the user made is theirs to name so: taken.
    std::fs::create_dir(desk.path("made.json")).unwrap();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "made.json"])
        .assert()
        .success();
    assert!(desk.path("made.json/eacs.json").is_file());
}

/// `export --help` says which base URLs are refused, as the export
/// refuses them (decision 279), and that a new P2 folder is not named
/// like a file.
#[test]
fn export_help_says_which_base_urls_and_destinations_are_refused() {
    let desk = Desk::new();
    let help = stdout(&desk.bare().args(["export", "--help"]).assert().success());
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for says in [
        "published as typed with only a closing / added",
        "Refused: a user name or password (https://user:pw@…, which every URL of the bundle would publish), a query or fragment, no host (https:///eacs/), and what a URL parser would rewrite (dot segments such as .. or %2e%2e, an upper-case host or scheme, the default port :443), naming what it would become",
        "in a folder that exists; a new P2 folder is not named *.json",
    ] {
        assert!(help.contains(says), "{says}: {help}");
    }
}
