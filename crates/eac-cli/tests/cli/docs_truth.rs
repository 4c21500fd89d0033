//! The documents and help texts tell the truth (tester report 38): what
//! `--help`, README.md and docs/*.md promise is what the commands do, and
//! the messages say what happened and what to do next.

use predicates::str::contains;
use serde_json::Value;

use super::{entries, sampled, stderr, stdout, Desk};

/// The JSON `args --json` print (the command must succeed).
fn json_of(desk: &Desk, args: &[&str]) -> Value {
    let out = desk.eacdesk().args(args).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Finding 13: an emission factor typed as zero with a minus sign (`-0`,
/// `-0.0`) is refused as negatives are (decision 28), by `set-emissions`
/// and `set` alike, and nothing is stored or audited: it was stored and
/// exported as `-0`.
#[test]
fn a_zero_typed_with_a_minus_sign_is_no_emission_factor() {
    let desk = sampled();
    let id = "S5-0000000";
    let records = |desk: &Desk| json_of(desk, &["audit", id]).as_array().unwrap().len();
    let before = records(&desk);
    for direct in ["-0", "-0.0", " -0e3 "] {
        desk.eacdesk()
            .args(["set-emissions", id, "--direct", direct, "--lca", "1"])
            .args(["--reason", "typo"])
            .assert()
            .code(1)
            .stderr(contains(
                "is zero written with a minus sign; it must be 0 or more: write 0",
            ));
    }
    desk.eacdesk()
        .args(["set", id, "emissions_factor_lca=-0", "--reason", "typo"])
        .assert()
        .code(1)
        .stderr(contains(
            "emissions_factor_lca `-0` is zero written with a minus sign",
        ));
    assert_eq!(records(&desk), before, "nothing was audited");
    let shown = json_of(&desk, &["show", id]);
    assert!(
        !shown.to_string().contains("\"-0"),
        "no signed zero stored: {shown}"
    );
    // Zero itself is a factor.
    desk.eacdesk()
        .args(["set-emissions", id, "--direct", "0", "--lca", "0.0"])
        .args(["--reason", "measured"])
        .assert()
        .success();
}

/// Finding 1: a technology outside the draft list entered by hand is
/// stored and exported as given (decisions 17 and 255), and `set` and
/// both exports say that `validate` and `import` of the file need
/// `--allow-extended-technologies`, with which they accept it. The export
/// was silent, and the user's own `validate` of it failed.
#[test]
fn an_extended_technology_set_by_hand_is_exported_with_a_warning_naming_the_flag() {
    let desk = sampled();
    let flag = "--allow-extended-technologies";
    let set = desk
        .eacdesk()
        .args([
            "set",
            "S5-0000000",
            "technology_type=marine",
            "--reason",
            "tidal",
        ])
        .assert()
        .success();
    let said = stdout(&set);
    assert!(
        said.contains("warning (rule 3) at /technology_type [EAC S5-0000000]: technology `marine`")
            && said.contains(flag),
        "{said}"
    );
    // P1: a warning at the EAC's place in the file, on stderr.
    let export = desk
        .eacdesk()
        .args(["export", "--profile", "p1", "--out", "nx.json"])
        .assert()
        .success();
    let warned = stderr(&export);
    assert!(
        warned.starts_with("nx.json: warning (rule 3) at /eacs/")
            && warned.contains("[EAC S5-0000000]: technology `marine` is not in the 2024-08-29 draft list (1 EAC of this export has it)")
            && warned.contains(flag),
        "{warned}"
    );
    desk.bare()
        .args(["validate", "--profile", "p1", "nx.json"])
        .assert()
        .code(1);
    desk.bare()
        .args(["validate", "--profile", "p1", flag, "nx.json"])
        .assert()
        .success();
    // P2: in `warnings` under --json, at the detail file.
    let report = json_of(&desk, &["export", "--profile", "p2", "--out", "nxb"]);
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{report}");
    assert_eq!(warnings[0]["severity"], "warning");
    assert_eq!(warnings[0]["pointer"], "/technology_type");
    assert!(
        warnings[0]["file"].as_str().unwrap().contains("S5-0000000"),
        "{report}"
    );
    assert!(warnings[0]["message"].as_str().unwrap().contains(flag));
    desk.bare()
        .args(["validate", "--profile", "p2", "nxb"])
        .assert()
        .code(1);
    desk.bare()
        .args(["validate", "--profile", "p2", flag, "nxb"])
        .assert()
        .success();
    // What the warning promises: import with the flag takes it.
    desk.bare()
        .arg("--db")
        .arg(desk.path("other.sqlite"))
        .args(["import", flag, "nx.json"])
        .assert()
        .success();
    // An export without such a technology has no warning.
    let plain = json_of(
        &desk,
        &[
            "export",
            "--profile",
            "p1",
            "--out",
            "plain.json",
            "--search",
            "S5-0000001",
        ],
    );
    assert!(plain.get("warnings").is_none(), "{plain}");
}

/// Finding 6: `set ID retired=DATE` on values that are not retired (or
/// retired on another date) changes nothing and says why, in text and
/// under --json (`retired_kept`, `retired_kept_why`, as `issued_kept`):
/// it said "it already held these values", which it did not, and --json
/// gave no reason at all.
#[test]
fn a_retirement_date_not_given_says_why_in_text_and_json() {
    let desk = sampled();
    // S5-0000000: not retired; S5-0000001: retired, dated.
    let text = desk
        .eacdesk()
        .args(["set", "S5-0000000", "retired=2025-12-20", "--reason", "fix"])
        .assert()
        .success();
    let said = stdout(&text);
    assert!(
        said.contains("1 EAC matches; nothing changed, so no audit record was written.")
            && !said.contains("already held")
            && said.contains(
                "`retired` dates only values proven retired without a date: 1 EAC has values \
                 that are not retired, which stay so"
            ),
        "{said}"
    );
    let report = json_of(
        &desk,
        &["set", "S5-0000000", "retired=2025-12-20", "--reason", "fix"],
    );
    assert_eq!(report["changed"], 0, "{report}");
    assert_eq!(report["retired_kept"], 1, "{report}");
    let why = report["retired_kept_why"].as_str().unwrap();
    assert!(why.contains("not retired, which stay so"), "{why}");
    // Retired on another date: kept, and said so.
    let dry = desk
        .eacdesk()
        .args(["set", "S5-0000001", "retired=1999-01-01", "--dry-run"])
        .assert()
        .success();
    let said = stdout(&dry);
    assert!(
        said.contains("1 EAC matches; nothing would change. Nothing was changed (--dry-run).")
            && said.contains("1 EAC has values retired on another date, which is kept"),
        "{said}"
    );
}

/// Finding 2: `summary` without `--by` prints the total once, labelled
/// (it printed the same unlabelled row twice), and its help says what no
/// `--by` gives; grouped, the total row is still labelled.
#[test]
fn a_summary_without_by_is_one_row_labelled_total() {
    let desk = sampled();
    let plain = stdout(&desk.eacdesk().arg("summary").assert().success());
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), 2, "{plain}");
    assert!(lines[0].trim_start().starts_with("EACS"), "{plain}");
    assert!(
        lines[1].starts_with("Total ") && lines[1].contains(" 5 "),
        "{plain}"
    );
    let grouped = stdout(
        &desk
            .eacdesk()
            .args(["summary", "--by", "technology"])
            .assert()
            .success(),
    );
    assert!(
        grouped.lines().any(|l| l.starts_with("Total ")) && grouped.contains("Geothermal"),
        "{grouped}"
    );
    let help = stdout(&desk.bare().args(["summary", "--help"]).assert().success());
    assert!(
        help.contains("Without --by: the total of the matching EACs alone, one row labelled Total"),
        "{help}"
    );
    let top = stdout(&desk.bare().arg("--help").assert().success());
    assert!(
        top.contains("in total or grouped (--by) by technology"),
        "{top}"
    );
}

/// A desk holding the Ofgem certificates sample and a range overlapping one
/// of its retired ranges: 12 stored ranges, 5 of them biomass, 7 wind, one
/// finding.
fn desk_with_ranges() -> Desk {
    let desk = Desk::new();
    let registry = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/ofgem/certificates-sample.csv");
    let overlap = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ofgem-overlap.csv");
    desk.eacdesk()
        .arg("import")
        .arg(registry)
        .arg(overlap)
        .assert()
        .success();
    desk
}

/// The member names a `--help` text names between back quotes or braces.
fn named_in(help: &str, member: &str) -> bool {
    help.contains(&format!(" {member},"))
        || help.contains(&format!(" {member} }}"))
        || help.contains(&format!("{{ {member},"))
        || help.contains(&format!("`{member}`"))
}

/// Finding 3: `check --help` and `ls --help` name every member their
/// `--json` prints (`documents` and `violations`, which make `check` exit
/// 1 with `findings: []`; `envelope_only`), and say that exit 1 may come
/// with no finding.
#[test]
fn the_json_shapes_in_help_name_every_member_printed() {
    let desk = desk_with_ranges();
    let check_help = stdout(&desk.bare().args(["check", "--help"]).assert().success());
    let filtered = desk
        .eacdesk()
        .args(["check", "--json", "--technology", "wind"])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&filtered.get_output().stdout).unwrap();
    for member in report.as_object().unwrap().keys() {
        assert!(named_in(&check_help, member), "{member}: {check_help}");
    }
    assert!(
        check_help.contains("Exit 1 when any of findings, documents and violations is not empty"),
        "{check_help}"
    );
    let ls_help = stdout(&desk.bare().args(["ls", "--help"]).assert().success());
    let listing = json_of(&desk, &["ls", "--limit", "1"]);
    for member in listing.as_object().unwrap().keys() {
        assert!(named_in(&ls_help, member), "{member}: {ls_help}");
    }
    for member in listing["envelope_only"].as_object().unwrap().keys() {
        assert!(named_in(&ls_help, member), "{member}: {ls_help}");
    }
}

/// Finding 12: the small text bugs. The `ls` limit warning is one
/// sentence without runs of spaces; `check` with a filter says how many of
/// the stored ranges are the matching EACs'; an edit refused by
/// `--if-version` says the command line's steps, not the app's "Reload
/// it"; `consumption ls` lists the beneficiary types.
#[test]
fn messages_say_what_happened_in_the_command_lines_words() {
    // The limit warning: 1001 EACs, 1001 asked for, 1000 shown.
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "1001"])
        .assert()
        .success();
    let out = desk
        .eacdesk()
        .args(["ls", "--limit", "1001", "--json"])
        .assert()
        .success();
    let warned = stderr(&out);
    assert!(
        warned.contains("`ls` shows at most 1000 at a time, --json too.")
            && warned.contains("; or ask for the next ones with --offset 1000.")
            && !warned.contains("  "),
        "{warned}"
    );

    // check with a filter: the matching EACs' ranges, not the database's.
    let desk = desk_with_ranges();
    desk.eacdesk()
        .args(["check", "--technology", "solar"])
        .assert()
        .success()
        .stdout(
            "No double counting found for the matching EACs (0 of the 12 stored ranges are \
             theirs).\n",
        );
    desk.eacdesk()
        .args(["check", "--technology", "wind"])
        .assert()
        .code(1)
        .stdout(contains(
            "1 finding for the matching EACs (7 of the 12 stored ranges are theirs).",
        ));
    desk.eacdesk()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("1 finding among 12 ranges."));

    // An edit conflict: the command line's steps.
    let desk = sampled();
    let id = "S5-0000000";
    let version = json_of(&desk, &["show", id])["version"].as_i64().unwrap();
    desk.eacdesk()
        .args(["set", id, "destination_name=First", "--reason", "one"])
        .assert()
        .success();
    let out = desk
        .eacdesk()
        .args(["set", id, "destination_name=Second", "--reason", "two"])
        .args(["--if-version", &version.to_string()])
        .assert()
        .code(2);
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            "was changed since version {version}, the one --if-version gave ("
        )) && !said.contains("opened")
            && said.contains(&format!(
                "nothing was saved. See the change with `eacdesk audit {id}`, and the version \
                 the EAC has now with `eacdesk show {id} --json` (`version`); then make your \
                 edit again with --if-version set to it"
            ))
            && !said.contains("Reload"),
        "{said}"
    );

    // consumption ls: the types, as the claims commands list them.
    desk.eacdesk()
        .args(["consumption", "ls", "--beneficiary-type", "bogus"])
        .assert()
        .code(2)
        .stderr(contains(
            "`bogus` is not a beneficiary type; give one of customer, account, \
             servicecontract, rateplan, program, general.",
        ));
}

/// The repository's fixture `tests/fixtures/NAME`.
fn fixture(name: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Finding 4: `refdata import --help` says that a database that did not
/// exist yet keeps nothing when a file is refused (decision 262), as the
/// command does; it said the files before it stay imported.
#[test]
fn refdata_import_help_tells_what_a_new_database_keeps() {
    let desk = Desk::new();
    let help = stdout(
        &desk
            .bare()
            .args(["refdata", "import", "--help"])
            .assert()
            .success(),
    );
    let promise = "A database that did not exist yet is kept only when every file was \
                   imported: a refused file leaves no new database, so the files before it are \
                   read but not saved";
    assert!(help.contains(promise), "{help}");
    desk.eacdesk()
        .args(["refdata", "import"])
        .arg(fixture("refdata/programs.csv"))
        .arg(fixture("refdata/bad-accounts.json"))
        .assert()
        .code(1)
        .stdout(contains("(read; not saved)"));
    assert!(!desk.path("desk.sqlite").exists());
}

/// Finding 5: docs/claims.md quotes the messages `consumption import`
/// gives a file with its header and no rows and an empty file, as they
/// are (it quoted the first for both; an empty file is refused under
/// `header`, in other words).
#[test]
fn claims_md_quotes_the_empty_consumption_file_messages_as_they_are() {
    let desk = Desk::new();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/claims.md")).unwrap();
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    std::fs::write(desk.path("FILE"), "").unwrap();
    std::fs::write(
        desk.path("HEADER"),
        "beneficiary_type,beneficiary,start,end,value,unit\n",
    )
    .unwrap();
    for (file, rule) in [("FILE", "[header] "), ("HEADER", "[row] ")] {
        let out = desk
            .eacdesk()
            .args(["consumption", "import", file])
            .assert()
            .code(1);
        let said = stderr(&out);
        let line = said
            .lines()
            .find(|l| l.starts_with(&format!("{file}:1:1: error: {rule}")))
            .unwrap_or_else(|| panic!("{said}"));
        let message = line.split_once(rule).unwrap().1.replace("HEADER", "FILE");
        assert!(
            doc.contains(&format!(
                "under `{}`: \"{message}\"",
                rule.trim_matches(['[', ']', ' '])
            )) || doc.contains(&format!("\"{message}\"")),
            "docs/claims.md does not quote {message:?}"
        );
        assert!(doc.contains(&format!("under `{}`", rule.trim_matches(['[', ']', ' ']))));
    }
}

/// Finding 7: `validate` with the wrong profile says which profile the
/// file reads as (as `import` does), a folder given to p1 says what to do,
/// and `--profile`'s help says that p2 takes a listing file too.
#[test]
fn validate_with_the_wrong_profile_names_the_right_one() {
    let desk = sampled();
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "eacs.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "bundle"])
        .assert()
        .success();
    desk.bare()
        .args(["validate", "--profile", "p1", "bundle"])
        .assert()
        .code(2)
        .stderr(contains(
            "bundle is a folder, and a P1 listing is one JSON file: give the file's path. A P2 \
             bundle folder is validated with --profile p2 (`eacdesk validate --profile p2 bundle`)",
        ));
    desk.bare()
        .args(["validate", "--profile", "p2", "eacs.json"])
        .assert()
        .code(1)
        .stderr(contains(
            "hint: eacs.json reads as a profile P1 listing (its first EAC has `values`): \
             validate it with --profile p1",
        ));
    let listing = desk.path("bundle").join("eacs.json");
    desk.bare()
        .args(["validate", "--profile", "p1", "--json"])
        .arg(&listing)
        .assert()
        .code(1)
        .stderr(contains("reads as a profile P2 listing (its first EAC has `eac_data_url` and no `values`, as a P2 envelope has): validate it with --profile p2"));
    // Valid with the profile named; no hint when the profile was right.
    for (profile, file) in [
        ("p1", "eacs.json"),
        ("p2", "bundle"),
        ("p2", "bundle/eacs.json"),
    ] {
        let out = desk
            .bare()
            .args(["validate", "--profile", profile, file])
            .assert()
            .success();
        assert!(!stderr(&out).contains("hint"), "{profile} {file}");
    }
    let help = stdout(&desk.bare().args(["validate", "--help"]).assert().success());
    assert!(
        help.contains("or a P2 listing file (an eacs.json)") && !help.contains("not a single file"),
        "{help}"
    );
}

/// Finding 8: `--sort`, `--where`/`--exclude` and `summary --by` take the
/// same field names: `technology` and `retired` in each, and the CDS names
/// `technology_type` and `retired_state` (which `--sort` took) as aliases,
/// where each option refused the other's spelling.
#[test]
fn sort_where_and_by_take_the_same_field_names() {
    let desk = sampled();
    let ids = |args: &[&str]| -> Vec<String> { desk.ids(args) };
    let short = ids(&["--sort", "technology", "--where", "technology=geothermal"]);
    let long = ids(&[
        "--sort",
        "technology_type",
        "--where",
        "technology_type=geothermal",
    ]);
    assert_eq!(short, long);
    assert_eq!(short.len(), 2);
    assert_eq!(
        ids(&["--sort", "retired:desc", "--exclude", "retired=partly"]),
        ids(&[
            "--sort",
            "retired_state:desc",
            "--exclude",
            "retired_state=partly"
        ])
    );
    let by = |key: &str| json_of(&desk, &["summary", "--by", key])["groups"].clone();
    assert_eq!(
        by("technology,retired"),
        by("technology_type,retired_state")
    );
    let help = stdout(&desk.bare().args(["ls", "--help"]).assert().success());
    assert!(
        help.contains("(eac_number, technology, period_start")
            && help.contains("technology_type and retired_state are technology and retired"),
        "{help}"
    );
}

/// Finding 9: the keys of a mapping file are documented for the command
/// line (docs/mapping.md, `mapping save --help`), with the app's Import
/// dialog as the other way to make one: every key a saved mapping holds is
/// in both, and the examples of docs/mapping.md save and read their files.
#[test]
fn the_mapping_file_keys_are_documented_and_the_examples_work() {
    let desk = Desk::new();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/mapping.md")).unwrap();
    let help = stdout(
        &desk
            .bare()
            .args(["mapping", "save", "--help"])
            .assert()
            .success(),
    );
    assert!(
        help.contains("docs/mapping.md") && help.contains("Any registry's CSV"),
        "{help}"
    );
    // The examples, in the order of the fixtures they were taken from.
    let examples: Vec<&str> = doc
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(examples.len(), 2, "{doc}");
    let csv = root.join("crates/eac-registry/tests/fixtures/mapped");
    for (i, (example, file)) in examples
        .iter()
        .zip(["go-cancellations.csv", "us-retirements-noheader.csv"])
        .enumerate()
    {
        let name = format!("example{i}");
        let path = desk.path(&format!("{name}.json"));
        std::fs::write(&path, example).unwrap();
        desk.eacdesk()
            .args(["mapping", "save", &name])
            .arg(&path)
            .assert()
            .success();
        desk.eacdesk()
            .args(["mapping", "preview"])
            .arg(csv.join(file))
            .args(["--mapping", &name])
            .assert()
            .success();
        let saved = json_of(&desk, &["mapping", "ls"]);
        assert!(saved.to_string().contains(&name), "{saved}");
    }
    let shown = desk
        .eacdesk()
        .args(["mapping", "show", "example0"])
        .assert()
        .success();
    let mapping: Value = serde_json::from_slice(&shown.get_output().stdout).unwrap();
    for key in mapping.as_object().unwrap().keys() {
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/mapping.md lacks `{key}`"
        );
        assert!(
            help.contains(key.as_str()),
            "mapping save --help lacks {key}"
        );
    }
    // A mapping lacking keys says where they are listed.
    std::fs::write(desk.path("empty.json"), "{}").unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "x", "empty.json"])
        .assert()
        .code(2)
        .stderr(contains(
            "(`eacdesk mapping save --help` lists the keys of a mapping file)",
        ));
}

/// Finding 10: where `audit` shows a person as their display name with
/// the login, `pack diff` (its records and "the whole database since"),
/// `period ls` and the refusals naming who closed a period show them so
/// too; they showed the login alone.
#[test]
fn people_are_shown_by_their_display_name_where_audit_shows_it() {
    let desk = sampled();
    std::fs::create_dir_all(desk.path("config")).unwrap();
    std::fs::write(
        desk.path("config").join("settings.json"),
        r#"{"display_name": "Ana Analyst"}"#,
    )
    .unwrap();
    desk.eacdesk()
        .args(["pack", "--out", "filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args([
            "set",
            "S5-0000000",
            "destination_name=After",
            "--reason",
            "late fix",
        ])
        .assert()
        .success();
    let log = json_of(&desk, &["audit", "S5-0000000"]);
    let login = log[0]["os_user"].as_str().unwrap().to_owned();
    let ana = format!("Ana Analyst ({login})");
    let diff = desk
        .eacdesk()
        .args(["pack", "diff", "filing"])
        .assert()
        .code(1);
    let said = stdout(&diff);
    let record_lines: Vec<&str> = said.lines().filter(|l| l.contains("late fix")).collect();
    assert!(
        !record_lines.is_empty() && record_lines.iter().all(|l| l.contains(&ana)),
        "{said}"
    );
    // A period closed by Ana: listed, and named by the refusal it causes.
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2023-01-01",
            "--to",
            "2024-12-31",
        ])
        .args(["--reason", "FY filed"])
        .assert()
        .success();
    let listed = stdout(&desk.eacdesk().args(["period", "ls"]).assert().success());
    assert!(listed.contains(&ana), "{listed}");
    desk.eacdesk()
        .args([
            "set",
            "S5-0000000",
            "destination_name=Again",
            "--reason",
            "x",
        ])
        .assert()
        .code(1)
        .stderr(contains(format!("was closed by {ana} at ")));
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2023-01-01",
            "--to",
            "2024-12-31",
        ])
        .args(["--reason", "twice"])
        .assert()
        .code(2)
        .stderr(contains(format!("closed by {ana} at ")));
    // Without a display name, the login alone, as `audit` shows it.
    std::fs::remove_file(desk.path("config").join("settings.json")).unwrap();
    desk.eacdesk()
        .args(["period", "reopen", "1", "--reason", "amended"])
        .assert()
        .success();
    let listed = stdout(&desk.eacdesk().args(["period", "ls"]).assert().success());
    assert!(
        listed.contains(&format!("by {login}: amended")) && listed.contains(&ana),
        "{listed}"
    );
}

/// Finding 11: `import --format csv` without `--mapping` is a usage error
/// (exit 2, as `import --help` has it), said before any file or database
/// is touched; it was exit 1, "a file broke a rule".
#[test]
fn a_mapped_csv_import_without_a_mapping_is_a_usage_error() {
    let desk = Desk::new();
    std::fs::write(desk.path("export.csv"), "a,b\n1,2\n").unwrap();
    let out = desk
        .eacdesk()
        .args(["import", "--format", "csv", "export.csv"])
        .assert()
        .code(2);
    let said = stderr(&out);
    assert!(
        said.contains("--format csv reads each file through a saved column mapping: name it with --mapping NAME"),
        "{said}"
    );
    assert!(!desk.path("desk.sqlite").exists(), "no database was made");
    // Without --db neither: not even the data folder of the default one.
    let home = tempfile::tempdir().unwrap();
    std::fs::copy(desk.path("export.csv"), home.path().join("export.csv")).unwrap();
    desk.bare()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .current_dir(home.path())
        .args(["import", "--format", "csv", "export.csv"])
        .assert()
        .code(2)
        .stderr(contains("--mapping NAME"));
    assert_eq!(entries(home.path()), ["export.csv"], "no data folder made");
}

/// Tester's report 41, finding 2: docs/mapping.md's GO example put its
/// ranges under registry `eecs-no`, while the GO statements' reader uses
/// `eecs` (decision 81), so the same 93 GOs imported from a CSV through it
/// and from the NECS statement were two EACs and `check` found nothing.
/// The example uses `eecs`: the statement now restates the mapped EAC;
/// and the page lists the key each built-in reader gives its EACs.
#[test]
fn mapping_md_gives_the_built_in_readers_keys_and_its_go_example_shares_eecs() {
    let desk = Desk::new();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/mapping.md")).unwrap();
    let samples = root.join("crates/eac-registry/tests/fixtures");
    desk.eacdesk()
        .arg("import")
        .args(
            [
                "irec/redemption-statement-sample.pdf",
                "mrets/retirement-confirmation-sample.pdf",
                "ofgem/certificates-sample.csv",
                "energytag/bundles.json",
            ]
            .map(|f| samples.join(f)),
        )
        .arg("--allow-extended-technologies")
        .assert()
        .success();
    let keys: std::collections::BTreeSet<String> = desk
        .ids(&["--limit", "1000"])
        .iter()
        .map(|id| {
            let key = id.split_once(':').unwrap().0;
            if key == "energytag" {
                "energytag:<issuing_body>:<device_id>".to_owned()
            } else {
                key.to_owned()
            }
        })
        .collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    for key in keys.iter().map(String::as_str).chain(["eecs"]) {
        assert!(
            doc.contains(&format!("\n| `{key}` | ")),
            "docs/mapping.md does not list the registry key `{key}`"
        );
    }

    // The GO example as the page gives it, and a report row of the NECS
    // sample's 93 GOs in its columns: the statement restates that EAC.
    let example = doc
        .split("```json\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    assert!(example.contains("\"registry\": \"eecs\","), "{example}");
    let desk = Desk::new();
    std::fs::write(desk.path("go.json"), example).unwrap();
    std::fs::write(
        desk.path("report.csv"),
        "Cancellation report;;;\nGenerated 07.12.2026;;;\n\
         Certificate numbers;Volume (MWh);Status;Cancellation date;Production from;Production to;\
         GSRN;Device name;Technology;Beneficiary;Account holder;Country of consumption\n\
         708000340067300000000071882260 - 708000340067300000000071882352;93;Cancelled;30.08.2021;\
         04.03.2021;04.03.2021;707052300010006872;Åmela;Hydro;Miner ID f0720636;3Degrees Group;\
         Norway\n",
    )
    .unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "necs", "go.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "--mapping", "necs", "report.csv"])
        .assert()
        .success();
    desk.eacdesk()
        .arg("import")
        .arg(samples.join("eecs-go/necs-cancellation-statement-sample.pdf"))
        .assert()
        .success()
        .stdout(contains("0 EACs added, 1 replaced"));
    assert_eq!(
        desk.ids(&[]),
        ["eecs:708000340067300000000071882260..708000340067300000000071882352"]
    );
}
