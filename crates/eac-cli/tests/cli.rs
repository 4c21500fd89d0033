//! The `eacdesk` binary on a database in a temporary folder: what a person
//! typing the commands sees (output, exit code, files).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::{contains, is_match};
use serde_json::Value;

#[path = "cli/agreement.rs"]
mod agreement;
#[path = "cli/claims.rs"]
mod claims;
#[path = "cli/csv_quotes.rs"]
mod csv_quotes;
#[path = "cli/docs_truth.rs"]
mod docs_truth;
#[path = "cli/edits.rs"]
mod edits;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/long_text.rs"]
mod long_text;
#[path = "cli/mappings.rs"]
mod mappings;
#[path = "cli/named_files.rs"]
mod named_files;
#[path = "cli/outputs.rs"]
mod outputs;
#[path = "cli/p2_fixes.rs"]
mod p2_fixes;
#[path = "cli/p2_paths.rs"]
mod p2_paths;
#[path = "cli/pack.rs"]
mod pack;
#[path = "cli/registry.rs"]
mod registry;
#[path = "cli/restated.rs"]
mod restated;
#[path = "cli/rules_once.rs"]
mod rules_once;
#[path = "cli/scripted.rs"]
mod scripted;
#[path = "cli/server.rs"]
mod server;
#[path = "cli/several_files.rs"]
mod several_files;
#[path = "cli/snapshots.rs"]
mod snapshots;
#[path = "cli/stream.rs"]
mod stream;
#[path = "cli/table.rs"]
mod table;
#[path = "cli/told.rs"]
mod told;
#[path = "cli/two_programs.rs"]
mod two_programs;
#[path = "cli/without_database.rs"]
mod without_database;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples")
        .join(name)
        .display()
        .to_string()
}

/// A temporary folder with its own database.
struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Self {
        Desk {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn eacdesk(&self) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--db").arg(self.path("desk.sqlite"));
        cmd
    }

    /// `eacdesk` with this desk's settings but no database: the caller
    /// names one (`--db URL`, `EACDESK_DB`).
    fn bare(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_eacdesk"));
        // The signing key of evidence packs lives in the temporary folder,
        // never in the home folder of whoever runs the tests.
        cmd.env_remove("EACDESK_DB")
            .env("EACDESK_KEY_DIR", self.path("keys"))
            // Nor the settings (the display name audit records carry).
            .env("EACDESK_CONFIG_DIR", self.path("config"))
            .current_dir(self.dir.path());
        cmd
    }

    fn import(&self, names: &[&str]) {
        let files: Vec<String> = names.iter().map(|n| example(n)).collect();
        self.eacdesk().arg("import").args(files).assert().success();
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.eacdesk().args(args).arg("--json").assert().success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }

    fn ids(&self, args: &[&str]) -> Vec<String> {
        let listing = self.json(&[&["ls"], args].concat());
        listing["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["cds_eac_id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn count(&self) -> u64 {
        self.json(&["ls"])["summary"]["count"].as_u64().unwrap()
    }
}

/// A desk holding the sample the testers used (`sample --eacs 5 --seed 5`),
/// imported from a file as import 1 (tests of edits and of scripts).
fn sampled() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "5", "--seed", "5", "--out", "s5.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "s5.json"])
        .assert()
        .success();
    desk
}

/// What a command wrote on stdout, as text.
fn stdout(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// What a command wrote on stderr, as text.
fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

#[test]
fn good_examples_import_and_reimport_skips() {
    let desk = Desk::new();
    for (name, added) in [
        ("good-p1-mixed-order.json", 7),
        ("good-p1-overview-endpoint.json", 1),
        ("good-p1-overview-monthly.json", 1),
    ] {
        desk.eacdesk()
            .args(["import", &example(name)])
            .assert()
            .success()
            .stdout(contains(format!(
                "{name}: {added} added, 0 replaced, 0 skipped"
            )));
    }
    assert_eq!(desk.count(), 9);
    desk.eacdesk()
        .args(["import", &example("good-p1-mixed-order.json")])
        .assert()
        .success()
        .stdout(contains("0 added, 0 replaced, 7 skipped"));
}

#[test]
fn malformed_file_is_refused_with_a_located_error_and_nothing_written() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-monthly.json"]);
    desk.eacdesk()
        .args(["import", &example("bad-p1-overview-not-json.json")])
        .assert()
        .code(1)
        .stderr(contains(
            "Nothing was imported from ".to_owned()
                + &example("bad-p1-overview-not-json.json")
                + ": 1 rule violation (read as profile P1: its first EAC could not be read to \
                   tell by)",
        ))
        .stderr(is_match(r"bad-p1-overview-not-json\.json:\d+:\d+: error \(rule 20\)").unwrap());
    assert_eq!(desk.count(), 1);

    // The good file of the same run is still imported.
    desk.eacdesk()
        .args([
            "import",
            &example("bad-p1-overview-not-json.json"),
            &example("good-p1-mixed-order.json"),
        ])
        .assert()
        .code(1)
        .stdout(contains("7 added"))
        .stdout(contains("1 of 2 files imported."));
    assert_eq!(desk.count(), 8);
}

/// Tester 42: a key written twice inside an extension member was named at
/// the member, with no line or column. `validate` (whichever of its
/// threads reads the EAC) and `import` name the key and its place, as
/// they do a key twice among the spec's fields.
#[test]
fn a_key_twice_inside_an_extension_is_said_at_its_line_and_column() {
    let desk = Desk::new();
    let text = std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap();
    let first = text.find("\n    {").unwrap();
    let end = text.find("\n    },").unwrap() + "\n    },".len();
    let (element, rest) = (&text[first..end], &text[first..]);
    let mut listing = text[..first].to_owned();
    // Element 45: among those `validate` hands to its second thread.
    for i in 0..43 {
        listing.push_str(&element.replacen("\"e-01\"", &format!("\"pad-{i}\""), 1));
    }
    listing.push_str(&rest.replacen(
        "\"acme_note\": \"extension field, must be tolerated\"",
        "\"acme\": {\"a\": 1, \"b\": {\"a\": 1}, \"a\": 2}",
        1,
    ));
    let at = listing.find("\"a\": 2").unwrap();
    let line = listing[..at].matches('\n').count() + 1;
    let column = at - listing[..at].rfind('\n').unwrap();
    let file = desk.path("twice.json");
    std::fs::write(&file, &listing).unwrap();
    let said = format!(
        "twice.json:{line}:{column}: error (rule 20) at /eacs/45/acme/a [EAC e-03]: duplicate key \
         `a` (rule 20: strict JSON)"
    );
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(contains(said.as_str()));
    desk.eacdesk()
        .arg("import")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains(said.as_str()));
}

/// Hidden databases being built beside `dir`'s database (a new database,
/// a fresh load's search index).
fn hidden_new_databases(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.starts_with(".eacdesk-new-") || n.starts_with(".eacdesk-search-"))
        .collect()
}

/// Ctrl-C during an import into a new database stops it at its next
/// step: it says nothing was imported, exits 130 as a shell reports an
/// interrupted command, and leaves neither the database nor a hidden
/// file of it (killed by the signal, it said nothing and left them).
/// SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed, an
/// SSH session dropped) are heard alike: SIGHUP used to end the command
/// at once and leave the hidden file until a later run.
#[test]
fn ctrl_c_during_an_import_stops_it_saying_so_and_leaves_nothing() {
    let desk = Desk::new();
    desk.eacdesk()
        .args([
            "sample", "--eacs", "30000", "--seed", "9", "--out", "big.json",
        ])
        .assert()
        .success();
    let before = entries(desk.dir.path());
    for signal in ["INT", "TERM", "HUP"] {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_eacdesk"))
            .env_remove("EACDESK_DB")
            .current_dir(desk.dir.path())
            .args(["--db", "new.db", "import", "big.json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(700));
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "SIG{signal}: {stderr}");
        assert!(
            stderr.contains("nothing from it was imported"),
            "SIG{signal}: {stderr}"
        );
        assert_eq!(
            entries(desk.dir.path()),
            before,
            "SIG{signal}: nothing left behind"
        );
    }
}

/// A read of a database that is not there reads as empty, and says so
/// (`ls` of a mistyped path said only "No EACs match."); nothing is made.
/// Commands that check refuse it (`without_database`).
#[test]
fn a_read_of_a_missing_database_says_there_is_none() {
    let desk = Desk::new();
    let before = entries(desk.dir.path());
    for args in ["ls", "summary", "imports"] {
        desk.bare()
            .args(["--db", "typo.db"])
            .args(args.split(' '))
            .assert()
            .success()
            .stderr(contains("warning: there is no database at typo.db (yet)"));
    }
    assert_eq!(entries(desk.dir.path()), before);
    // An export says it once, as the refusal it is.
    let out = desk
        .bare()
        .args([
            "--db",
            "typo.db",
            "export",
            "--profile",
            "p1",
            "--out",
            "e.json",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("There is no database at typo.db"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning:"), "{stderr}");
    // The command it suggests can be pasted as printed, spaces and all.
    let out = desk
        .bare()
        .args(["--db", "my data/it's.db", "export", "--profile", "p1"])
        .args(["--out", "e.json"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(r"`eacdesk --db 'my data/it'\''s.db' import FILE`"),
        "{stderr}"
    );
}

#[test]
fn a_failed_command_on_a_missing_database_makes_no_file_nor_folder() {
    let desk = Desk::new();
    std::fs::write(desk.path("bad.json"), "{}").unwrap();
    let db = "deep/a/b/c/x.db";
    let before = entries(desk.dir.path());
    let refused = [
        "delete X --reason x",
        "set X retired=2020-01-01 --reason x",
        "set-emissions X --direct 1 --lca 1 --reason x",
        "beneficiaries set --all-matching --type general --reason x --yes",
        "verify --all-matching --reason x",
        "period reopen 1 --reason x",
        "undo-import 1 --reason x --yes",
        "mapping rm nope",
        "export --profile p1 --out out.json",
        "consumption delete --beneficiary-type general --beneficiary X --reason x",
        "claims delete 1 --reason x",
    ];
    for args in refused {
        desk.bare()
            .args(["--db", db])
            .args(args.split(' '))
            .assert()
            .code(2)
            .stderr(contains(format!("There is no database at {db}")));
        assert_eq!(entries(desk.dir.path()), before, "{args}");
    }
    // Commands that may start a database: none when they fail, nor when
    // only a dry run.
    let failed = [
        "refdata import bad.json",
        "mapping save m bad.json",
        "consumption import bad.json",
        "period close --from 2021-01-01 --to 2020-01-01 --reason x",
    ];
    let dry_run = format!("import --dry-run {}", example("good-p1-mixed-order.json"));
    for args in failed.iter().copied().chain([dry_run.as_str()]) {
        let out = desk
            .bare()
            .args(["--db", db])
            .args(args.split(' '))
            .output()
            .unwrap();
        assert_eq!(out.status.success(), args.contains("--dry-run"), "{args}");
        assert_eq!(entries(desk.dir.path()), before, "{args}");
    }
    // One that succeeds makes the database and its folders.
    desk.bare()
        .args(["--db", db])
        .args("period close --from 2020-01-01 --to 2020-12-31 --reason x".split(' '))
        .assert()
        .success();
    assert!(desk.path(db).is_file());
}

#[test]
fn a_failed_command_leaves_a_rollback_journal_database_byte_identical() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "5"])
        .assert()
        .success();
    let db = desk.path("desk.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "journal_mode", "DELETE")
        .unwrap();
    std::fs::write(desk.path("bad.json"), "{}").unwrap();
    let before = std::fs::read(&db).unwrap();
    let names = entries(desk.dir.path());
    for args in [
        "mapping rm nope",
        "delete X --reason x",
        "set X retired=2020-01-01 --reason x",
        "set-emissions X --direct 1 --lca 1 --reason x",
        "beneficiaries set X --type general --reason x",
        "period reopen 9 --reason x",
        "undo-import 9 --reason x --yes",
        "refdata import bad.json",
        "mapping save m bad.json",
        "claims delete 9 --reason x",
        "import bad.json",
    ] {
        let out = desk.eacdesk().args(args.split(' ')).output().unwrap();
        assert!(!out.status.success(), "{args}");
        assert!(
            std::fs::read(&db).unwrap() == before,
            "{args} changed the file"
        );
        assert_eq!(entries(desk.dir.path()), names, "{args}");
    }
    // Nor does one that succeeds changing nothing: its commit changed no
    // row, so the file is not switched to write-ahead logging either.
    for args in [
        "set --all-matching --search no-such-eac destination_name=X --reason x",
        "beneficiaries set --all-matching --search no-such-eac --type general --reason x",
    ] {
        let out = desk.eacdesk().args(args.split(' ')).output().unwrap();
        assert!(out.status.success(), "{args}: {out:?}");
        assert!(
            std::fs::read(&db).unwrap() == before,
            "{args} changed the file"
        );
        assert_eq!(entries(desk.dir.path()), names, "{args}");
    }
}

#[test]
fn an_import_into_a_new_file_leaves_the_whole_database_or_no_file() {
    let desk = Desk::new();
    let db = desk.path("desk.sqlite");

    // A dry run says what would be imported and leaves no file either.
    desk.eacdesk()
        .args(["import", "--dry-run", &example("good-p1-mixed-order.json")])
        .assert()
        .success()
        .stdout(contains("Would import"));
    assert!(!db.exists());
    assert_eq!(hidden_new_databases(desk.dir.path()), Vec::<String>::new());

    // Refused: no file appears, nothing hidden stays behind.
    desk.eacdesk()
        .args(["import", &example("bad-p1-overview-not-json.json")])
        .assert()
        .code(1)
        .stderr(contains("Nothing was imported from "));
    assert!(!db.exists());
    assert_eq!(hidden_new_databases(desk.dir.path()), Vec::<String>::new());

    // Killed just before the rename: still no file; the hidden one it left
    // is removed by the next command that makes a database there.
    let out = desk
        .eacdesk()
        .env("EACDESK_CRASH_AT", "new-database-before-rename")
        .args(["import", &example("good-p1-mixed-order.json")])
        .output()
        .unwrap();
    assert!(out.status.code().is_none(), "aborted, not exited");
    assert!(!db.exists());
    assert_eq!(
        hidden_new_databases(desk.dir.path()).len(),
        2,
        "the hidden database and its lock file"
    );

    // One good file and one bad: the good one is kept, in a file like any
    // other EAC Desk database (write-ahead logging, header byte 18 = 2).
    desk.eacdesk()
        .args([
            "import",
            &example("bad-p1-overview-not-json.json"),
            &example("good-p1-mixed-order.json"),
        ])
        .assert()
        .code(1)
        .stdout(contains("7 added"))
        .stdout(
            contains("the import was committed for 1 of 2 files")
                .or(contains("1 of 2 files imported.")),
        );
    assert!(db.exists());
    assert_eq!(hidden_new_databases(desk.dir.path()), Vec::<String>::new());
    assert_eq!(std::fs::read(&db).unwrap()[18], 2, "write-ahead logging");
    assert_eq!(desk.count(), 7);

    // Later imports go into the existing file.
    desk.import(&["good-p1-overview-monthly.json"]);
    assert_eq!(desk.count(), 8);
    let imports = desk.json(&["imports"]).to_string();
    assert!(imports.contains("good-p1-mixed-order.json"), "{imports}");
    assert!(
        imports.contains("good-p1-overview-monthly.json"),
        "{imports}"
    );

    // The sample into a new file too.
    let other = Desk::new();
    other
        .eacdesk()
        .args(["sample", "--eacs", "20"])
        .assert()
        .success();
    assert_eq!(std::fs::read(other.path("desk.sqlite")).unwrap()[18], 2);
    assert_eq!(other.count(), 20);
    assert_eq!(hidden_new_databases(other.dir.path()), Vec::<String>::new());
}

#[test]
fn todo_emission_factors_import_with_a_warning_but_block_export() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &example("bad-p1-todo-emissions.json")])
        .assert()
        .success()
        .stdout(contains("1 added"))
        .stderr(contains("warning (rule 6)"));
    let out = desk.path("out.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("Nothing was exported"))
        .stderr(contains("stored EAC `101010101-10` (would be at /eacs/"))
        .stderr(contains("error (rule 6)"));
    assert!(!out.exists());
}

#[test]
fn ls_filters_sorts_pages_and_totals() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json", "good-p1-overview-monthly.json"]);

    // Default order is the listing order; the filtered set's total at the
    // bottom, in MWh (exact), with the sums per unit it came from.
    desk.eacdesk()
        .args(["ls"])
        .assert()
        .success()
        .stdout(is_match(r"(?m)^CDS_EAC_ID\s+EAC_NUMBER").unwrap())
        .stdout(contains(
            "Showing 1–8 of 8 EACs matching · total 279.691 MWh (580.0 kWh + 279.111000 MWh)",
        ));
    desk.eacdesk()
        .args(["ls", "--unit", "kwh"])
        .assert()
        .success()
        .stdout(is_match(r"(?m)^CDS_EAC_ID.*QUANTITY \(kWh\)").unwrap())
        .stdout(contains("99111.000"))
        .stdout(contains(
            "of 8 EACs matching · total 279691.000 kWh (580.0 kWh + 279.111000 MWh)",
        ));
    desk.eacdesk()
        .args(["ls", "--technology", "hydro"])
        .assert()
        .success()
        .stdout(contains("e-03"))
        .stdout(contains("e-01").not())
        .stdout(contains("of 1 EAC matching · total 30.000 MWh"));

    assert_eq!(desk.ids(&["--technology", "hydro"]), ["e-03"]);
    assert_eq!(desk.ids(&["--beneficiary-type", "general"]), ["e-03"]);
    assert_eq!(desk.ids(&["--search", "acc-2"]), ["e-02"]);
    assert_eq!(desk.ids(&["--retired", "partly"]), Vec::<String>::new());
    assert_eq!(
        desk.ids(&["--sort", "quantity:desc", "--limit", "1"]),
        ["e-04"]
    );
    assert_eq!(
        desk.ids(&["--sort", "cds_eac_id", "--limit", "2", "--offset", "1"]),
        ["e-01", "e-02"]
    );
    assert_eq!(
        desk.ids(&["--sort", "cds_eac_id:desc", "--source", "101010101-10aaa"]),
        ["99999999-dk3"]
    );
    let listing = desk.json(&["ls", "--limit", "2"]);
    assert_eq!(listing["rows"].as_array().unwrap().len(), 2);
    assert_eq!(listing["summary"]["count"], 8);
    assert_eq!(listing["rows"][0]["quantities"][0]["total"], "30");
    assert_eq!(listing["rows"][0]["total"]["total"], "30.000");
    // One total in the display unit beside the exact sums per unit.
    assert_eq!(
        listing["summary"]["total"],
        serde_json::json!({"unit": "MWh", "total": "279.691", "display": "279.691", "decimals": 3})
    );
    assert_eq!(listing["summary"]["totals"][0]["total"], "580.0");
    assert_eq!(listing["summary"]["totals"][1]["total"], "279.111000");

    desk.eacdesk()
        .args(["ls", "--technology", "nuclear"])
        .assert()
        .success()
        .stdout("No EACs match.\n");

    // The table's "filter by / exclude this value", scriptable: exact values,
    // repeatable, intersected with the other options.
    assert_eq!(
        desk.ids(&["--sort", "cds_eac_id", "--where", "technology=hydro"]),
        ["e-03"]
    );
    let not_hydro = desk.ids(&["--sort", "cds_eac_id", "--exclude", "technology=hydro"]);
    assert_eq!(not_hydro.len(), 7);
    assert!(!not_hydro.contains(&"e-03".to_owned()));
    assert_eq!(
        desk.ids(&[
            "--sort",
            "cds_eac_id",
            "--exclude",
            "technology=hydro",
            "--exclude",
            "source=101010101-10aaa",
        ])
        .len(),
        6
    );
    assert_eq!(desk.ids(&["--where", "eac_number=PJM-2024-01"]), ["e-04"]);
    assert_eq!(desk.ids(&["--where", "beneficiary=ACC-2"]), ["e-02"]);
    desk.eacdesk()
        .args(["ls", "--where", "colour=red"])
        .assert()
        .code(2)
        .stderr(contains("`colour` is not a field to match"));
    desk.eacdesk()
        .args(["ls", "--exclude", "technology"])
        .assert()
        .code(2)
        .stderr(contains("is not FIELD=VALUE"));
    // A word of a closed list in any case is that word; another word, or
    // a date that is none, is refused naming what it may be (it matched
    // nothing without a word).
    assert_eq!(desk.ids(&["--where", "technology=HYDRO"]), ["e-03"]);
    desk.eacdesk()
        .args(["ls", "--where", "technology=hydropower"])
        .assert()
        .code(2)
        .stderr(contains(
            "`hydropower` is not a technology value; use one of solar, wind",
        ));
    desk.eacdesk()
        .args(["ls", "--exclude", "retired=maybe"])
        .assert()
        .code(2)
        .stderr(contains("use one of no, partly, yes"));
    desk.eacdesk()
        .args(["ls", "--where", "issuance=2024-13-01"])
        .assert()
        .code(2)
        .stderr(contains("is not a date for issuance"));
}

/// A day the calendar lacks, given to `--from`, `--to` or a date field of
/// `--where`, is refused with the calendar's reason, in the words the
/// store uses for a filter's day (the app's filters): `--where` said only
/// "`2023-02-30` is not a date for issuance (YYYY-MM-DD)", and `--from`
/// the model's RFC 3339 words.
#[test]
fn a_day_the_calendar_lacks_is_refused_saying_why() {
    let desk = sampled();
    for (args, says) in [
        (
            vec!["ls", "--from", "2023-02-29"],
            "`2023-02-29` is not a date: February 2023 has 28 days",
        ),
        (
            vec!["summary", "--to", "2023-04-31"],
            "`2023-04-31` is not a date: April 2023 has 30 days",
        ),
        (
            vec!["ls", "--where", "issuance=2023-02-30"],
            "`2023-02-30` is not a date for issuance: February 2023 has 28 days",
        ),
        (
            vec!["ls", "--exclude", "asset_commissioned=2024-13-01"],
            "`2024-13-01` is not a date for asset_commissioned: there is no month 13; a year has 12 months",
        ),
        (
            vec!["ls", "--from", "2023-2-1"],
            "`2023-2-1` is not a date (YYYY-MM-DD)",
        ),
    ] {
        desk.eacdesk()
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains(says));
    }
    // `period close` and the claims commands read their days in the app
    // and say the same reason in their own sentence.
    for (args, says) in [
        (
            vec![
                "period",
                "close",
                "--from",
                "2023-02-29",
                "--to",
                "2023-03-31",
            ],
            "The first day (--from) `2023-02-29` is not a date: February 2023 has 28 days. \
             Nothing was changed.",
        ),
        (
            vec![
                "claims",
                "check",
                "--beneficiary-type",
                "general",
                "--from",
                "2024-01-01",
            ],
            "The last day (--to) `2024-04-31` is not a date: April 2024 has 30 days.",
        ),
    ] {
        let tail: &[&str] = match args[0] {
            "period" => &["--reason", "filed"],
            _ => &["--to", "2024-04-31"],
        };
        desk.eacdesk()
            .args(&args)
            .args(tail)
            .assert()
            .failure()
            .stderr(contains(says));
    }
    // Spaces around a day are ignored, as the store ignores them.
    desk.eacdesk()
        .args(["ls", "--from", " 2023-02-28 "])
        .assert()
        .success();
}

#[test]
fn show_prints_every_field_and_the_values() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["show", "e-04"])
        .assert()
        .success()
        .stdout(is_match(r"(?m)^eac_number\s+PJM-2024-01$").unwrap())
        .stdout(is_match(r"(?m)^asset_commissioned\s+2019-06-30$").unwrap())
        .stdout(contains("2 values:"))
        .stdout(contains("45.106820  MWh"))
        .stdout(contains("99.111000 MWh"));
    let detail = desk.json(&["show", "e-04"]);
    assert_eq!(detail["cds_eac_id"], "e-04");
    assert_eq!(detail["values"][0]["value"], "45.106820");
    desk.eacdesk()
        .args(["show", "no-such-eac"])
        .assert()
        .code(2)
        .stderr(contains("no EAC with id `no-such-eac`"));
}

/// Tester 42 (TAB42), finding 5: `show` said it shows "every field and
/// value" but left out a value's extension members (`acme_meter` of
/// canonical-p1.json), which an export writes. Text shows them under the
/// value, `--json` as `values[i].extensions_json`, as the EAC's own.
#[test]
fn show_prints_each_values_extension_members() {
    let desk = Desk::new();
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/canonical-p1.json");
    desk.eacdesk().arg("import").arg(&file).assert().success();
    let out = desk.eacdesk().args(["show", "canon-01"]).assert().success();
    let text = stdout(&out);
    let values = &text[text.find("3 values:").unwrap()..];
    let lines: Vec<&str> = values.lines().collect();
    assert!(lines[2].starts_with("1  AAAZZZ-123-day1"), "{values}");
    assert_eq!(
        lines[3], r#"   extensions  {"acme_meter":"M-0042"}"#,
        "{values}"
    );
    assert!(lines[4].starts_with("2  AAAZZZ-123-day2"), "{values}");
    let detail = desk.json(&["show", "canon-01"]);
    assert_eq!(
        detail["values"][0]["extensions_json"],
        r#"{"acme_meter":"M-0042"}"#
    );
    assert_eq!(detail["values"][1]["extensions_json"], Value::Null);
}

/// Tester 42 (TAB42), finding 7: `--where retired=Yes` and `--unit mwh`
/// took any case, `--retired Partly`, `--technology Wind`,
/// `--beneficiary-type` and `--sort quantity:DESC` refused it. One rule
/// now: a word from a closed list is taken in any case.
#[test]
fn words_from_closed_lists_are_taken_in_any_case() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let count = |args: &[&str]| desk.json(&[&["ls"], args].concat())["summary"]["count"].clone();
    for (any_case, listed) in [
        (["--retired", "Partly"], ["--retired", "partly"]),
        (["--retired", "NO"], ["--retired", "no"]),
        (["--technology", "Wind"], ["--technology", "wind"]),
        (["--technology", "SOLAR"], ["--technology", "solar"]),
        (
            ["--beneficiary-type", "Account"],
            ["--beneficiary-type", "account"],
        ),
        (
            ["--where", "Technology=WIND"],
            ["--where", "technology=wind"],
        ),
    ] {
        assert_eq!(count(&any_case), count(&listed), "{any_case:?}");
    }
    assert_eq!(
        desk.ids(&["--sort", "Quantity:DESC"]),
        desk.ids(&["--sort", "quantity:desc"])
    );
    assert_eq!(
        desk.json(&["summary", "--by", "Technology"]),
        desk.json(&["summary", "--by", "technology"])
    );
    // A word not in the list is still refused, naming the list.
    desk.eacdesk()
        .args(["ls", "--retired", "maybe"])
        .assert()
        .code(2)
        .stderr(contains("[possible values: no, partly, yes]"));
    desk.eacdesk()
        .args(["ls", "--sort", "quantity:up"])
        .assert()
        .code(2)
        .stderr(contains("`up` is not a direction"));
}

#[test]
fn an_edit_on_a_version_someone_changed_since_is_refused() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let seen = desk.json(&["show", "e-01"])["version"].as_i64().unwrap();
    let set = |id: &str, version: i64| {
        let mut cmd = desk.eacdesk();
        cmd.args([
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "account",
            "--id",
            id,
        ])
        .args(["--reason", "contract", "--if-version", &version.to_string()]);
        cmd
    };
    // The first save on what was seen goes through; the EAC's version moves.
    set("ACC-1", seen).assert().success();
    let now = desk.json(&["show", "e-01"])["version"].as_i64().unwrap();
    assert!(now > seen);
    // A second save made on the old version is refused: nothing changes.
    set("ACC-2", seen)
        .assert()
        .failure()
        // Said of the version given, not of an EAC "opened" (the app's words).
        .stderr(contains(format!(
            "EAC AAAZZZ-123 (id e-01) was changed since version {seen}, the one --if-version \
             gave (its beneficiaries were changed by ",
        )))
        .stderr(contains("opened").not())
        .stderr(contains("nothing was saved"));
    assert_eq!(
        desk.json(&["show", "e-01"])["beneficiaries"],
        serde_json::json!(["ACC-1"])
    );
    // Without --if-version a script edits whatever is stored, as before.
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "account",
            "--id",
            "ACC-3",
        ])
        .args(["--reason", "contract"])
        .assert()
        .success();

    // `set` (fields) too: on the version seen, once; again on it, refused.
    let seen = desk.json(&["show", "e-06"])["version"].as_i64().unwrap();
    let set = |name: &str| {
        let mut cmd = desk.eacdesk();
        cmd.args(["set", "e-06", &format!("destination_name={name}")])
            .args(["--reason", "renamed", "--if-version", &seen.to_string()]);
        cmd
    };
    set("Ours Utility").assert().success();
    set("Later Utility")
        .assert()
        .failure()
        .stderr(contains(format!(
            "EAC e-06 was changed since version {seen}, the one --if-version gave (its fields \
             were set by ",
        )))
        .stderr(contains("nothing was saved"));
    assert_eq!(
        desk.json(&["show", "e-06"])["destination_name"],
        "Ours Utility"
    );
    // A version names one EAC: not with --all-matching.
    desk.eacdesk()
        .args([
            "set",
            "--all-matching",
            "destination_name=X",
            "--reason",
            "r",
        ])
        .args(["--if-version", "1", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("--if-version"));
}

#[test]
fn beneficiary_edits_are_checked_and_audited() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);

    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "account",
            "--id",
            "ACC-9",
        ])
        .args(["--id", "ACC-10", "--reason", "contract signed"])
        .assert()
        .success()
        .stdout(contains(
            "Changed the beneficiaries of e-01: rateplan: GreenChoice → account: ACC-9, ACC-10",
        ));
    let detail = desk.json(&["show", "e-01"]);
    assert_eq!(detail["beneficiary_type"], "account");
    assert_eq!(
        detail["beneficiaries"],
        serde_json::json!(["ACC-9", "ACC-10"])
    );

    // No reason: a usage error, nothing changes.
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-02", "--type", "general"])
        .assert()
        .code(2)
        .stderr(contains("--reason"));
    // `general` takes no ids: a rule, nothing changes.
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-02",
            "--type",
            "general",
            "--id",
            "X",
        ])
        .args(["--reason", "oops"])
        .assert()
        .code(1)
        .stderr(contains("rule 4"));
    assert_eq!(desk.json(&["show", "e-02"])["beneficiary_type"], "account");

    // Bulk: more than one EAC only with --yes, as `set` and `delete`.
    let before = desk.json(&["audit"]).as_array().unwrap().len();
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--technology",
            "wind",
        ])
        .args(["--type", "program", "--id", "PRG-1", "--reason", "green program"])
        .assert()
        .code(2)
        .stderr(contains(
            "This would change the beneficiaries of 6 EACs; nothing was changed. Run it again with --yes",
        ));
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), before);
    assert_eq!(desk.ids(&["--search", "PRG-1"]).len(), 0);
    // Then: says how many match, then how many changed.
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--technology",
            "wind",
            "--yes",
        ])
        .args([
            "--type",
            "program",
            "--id",
            "PRG-1",
            "--reason",
            "green program",
        ])
        .assert()
        .success()
        .stdout(contains("6 EACs match; setting them to program: PRG-1."))
        .stdout(contains(
            "Changed 6 EACs (0 already had these beneficiaries).",
        ));
    assert_eq!(desk.ids(&["--search", "PRG-1"]).len(), 6);
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--technology",
            "wind",
            "--yes",
        ])
        .args(["--type", "program", "--id", "PRG-1", "--reason", "again"])
        .assert()
        .success()
        .stdout(contains(
            "Changed 0 EACs (6 already had these beneficiaries).",
        ));
    // One id and filters together make no sense.
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--technology", "wind"])
        .args(["--type", "general", "--reason", "x"])
        .assert()
        .code(2);

    desk.eacdesk()
        .args(["audit"])
        .assert()
        .success()
        .stdout(contains("green program"))
        .stdout(contains("contract signed"));
    let records = desk.json(&["audit", "e-01"]);
    let reasons: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["green program", "contract signed"]);
    desk.eacdesk()
        .args(["audit", "e-03"])
        .assert()
        .success()
        .stdout("No changes recorded for e-03.\n");
}

fn sha256_of(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(path).output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)[..64].to_owned(),
        _ => String::new(),
    }
}

#[test]
fn export_writes_a_file_that_validates() {
    let desk = Desk::new();
    desk.import(&[
        "good-p1-mixed-order.json",
        "good-p1-overview-monthly.json",
        "good-p1-overview-endpoint.json",
    ]);
    let out = desk.path("export.json");
    let run = desk
        .eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("Exported 9 EACs (39 values) to"))
        .stdout(is_match(r"SHA-256: [0-9a-f]{64}").unwrap());
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let sha = sha256_of(&out);
    if !sha.is_empty() {
        assert!(stdout.contains(&sha), "{stdout}");
    }
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("valid for profile P1"));

    // Filters narrow the export.
    let wind = desk.path("wind.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--technology", "wind", "--out"])
        .arg(&wind)
        .assert()
        .success()
        .stdout(contains("Exported 6 EACs"));
    // P2 writes a bundle folder that `validate --profile p2` accepts.
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("as a P2 bundle"));
    assert!(bundle.join("eacs.json").is_file());
    assert!(bundle.join("server-metadata.json").is_file());
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("valid for profile P2"));
    // An https base goes into every URL; a non-https one is refused.
    desk.eacdesk()
        .args([
            "export",
            "--profile",
            "p2",
            "--base-url",
            "https://example.org/eac",
            "--out",
        ])
        .arg(&bundle)
        .assert()
        .success();
    let listing = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
    assert!(listing.contains("\"eac_data_url\": \"https://example.org/eac/eacs/"));
    desk.eacdesk()
        .args([
            "export",
            "--profile",
            "p2",
            "--base-url",
            "http://example.org/",
            "--out",
        ])
        .arg(desk.path("other"))
        .assert()
        .code(2)
        .stderr(contains("https://"));
    assert!(!desk.path("other").exists());
}

#[test]
fn verify_sets_cds_synced() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &example("good-p1-overview-endpoint.json")])
        .assert()
        .success();
    let bundle = desk.path("b1");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let before = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    desk.eacdesk()
        .args(["verify", "--all-matching"])
        .assert()
        .success()
        .stdout(contains("Marked 1 EAC as verified"));
    desk.eacdesk()
        .args(["verify", "no-such-eac"])
        .assert()
        .failure();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let after = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
    let synced = |t: &str| {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        v["eacs"][0]["cds_synced"].as_str().unwrap().to_owned()
    };
    assert!(synced(&after) > synced(&before), "{before}\n{after}");
    // The bundle imports into a new database.
    let other = Desk::new();
    other
        .eacdesk()
        .arg("import")
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("1 added"));
}

#[test]
fn verifying_many_eacs_needs_yes_as_every_change_of_many_does() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    let before = desk.json(&["audit"]).as_array().unwrap().len();
    desk.eacdesk()
        .args(["verify", "--all-matching"])
        .assert()
        .code(2)
        .stdout("3 EACs would be marked as verified. Nothing was changed: --yes was not given.\n")
        .stderr(contains(
            "This would mark 3 EACs as verified; nothing was changed. Run it again with --yes",
        ));
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), before);
    desk.eacdesk()
        .args(["verify", "--all-matching", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("3 EACs would be marked as verified"));
    desk.eacdesk()
        .args(["verify", "--all-matching", "--yes"])
        .assert()
        .success()
        .stdout(contains("Marked 3 EACs as verified"));
    // One record for each EAC marked.
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), before + 3);
}

#[test]
fn validate_lists_located_violations_and_a_verdict() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["validate", "--profile", "p1", &example("bad-p1-todo-emissions.json")])
        .assert()
        .code(1)
        .stdout(is_match(
            r"bad-p1-todo-emissions\.json: error \(rule 6\) at /eacs/0/emissions_factor_direct \[EAC 101010101-10\]: ",
        )
        .unwrap())
        .stdout(contains("not valid for profile P1: 2 errors, 0 warnings"));
    desk.eacdesk()
        .args([
            "validate",
            "--profile",
            "p1",
            &example("bad-p1-overview-not-json.json"),
        ])
        .assert()
        .code(1)
        .stdout(is_match(r"json:\d+:\d+: error \(rule 20\)").unwrap());

    // Warnings alone do not fail a file.
    let text = std::fs::read_to_string(example("good-p1-overview-endpoint.json")).unwrap();
    let warned = desk.path("warned.json");
    std::fs::write(&warned, text.replace("\"CUST123\"", "")).unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&warned)
        .assert()
        .success()
        .stdout(contains("warning (rule 22)"))
        .stdout(contains("valid for profile P1, with 1 warning"));

    let out = desk
        .eacdesk()
        .args([
            "validate",
            "--profile",
            "p1",
            "--json",
            &example("bad-p1-todo-emissions.json"),
        ])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["errors"].as_array().unwrap().len(), 2);
    assert_eq!(report["errors"][0]["rule"], 6);
    desk.eacdesk()
        .args(["validate", "--profile", "p1", "missing.json"])
        .assert()
        .code(2)
        .stderr(contains("missing.json"));
}

#[test]
fn sample_fills_the_database_or_writes_a_valid_file() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "25", "--seed", "7"])
        .assert()
        .success()
        .stdout(contains("Loaded 25 sample EACs (seed 7)"))
        .stdout(contains("25 added"));
    assert_eq!(desk.count(), 25);

    let file = desk.path("sample.json");
    desk.eacdesk()
        .args(["sample", "--eacs", "40", "--out"])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("Wrote 40 sample EACs"));
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&file)
        .assert()
        .success();
    // Writing a file leaves the database alone.
    assert_eq!(desk.count(), 25);
    desk.eacdesk()
        .args(["sample", "--eacs", "0"])
        .assert()
        .code(2);
}

#[test]
fn sample_file_survives_import_and_export_byte_for_byte() {
    let desk = Desk::new();
    let generated = desk.path("generated.json");
    let exported = desk.path("exported.json");
    desk.eacdesk()
        .args(["sample", "--eacs", "150", "--seed", "3", "--out"])
        .arg(&generated)
        .assert()
        .success();
    desk.eacdesk()
        .arg("import")
        .arg(&generated)
        .assert()
        .success()
        .stdout(contains("150 added"));
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&exported)
        .assert()
        .success();
    assert!(std::fs::read(&generated).unwrap() == std::fs::read(&exported).unwrap());
}

#[test]
fn database_comes_from_the_environment_without_db() {
    let desk = Desk::new();
    let db = desk.path("from-env/desk.sqlite");
    Command::new(env!("CARGO_BIN_EXE_eacdesk"))
        .env("EACDESK_DB", &db)
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    assert!(db.exists());
}

#[test]
fn usage_errors_exit_2() {
    let desk = Desk::new();
    for args in [
        &["frobnicate"][..],
        &["ls", "--colour"],
        &["ls", "--retired", "maybe"],
        &["ls", "--sort", "size"],
        &["ls", "--from", "2024-13-01"],
        &["import"],
        &["export", "--out", "x.json"],
        &["beneficiaries", "set", "--type", "general", "--reason", "x"],
    ] {
        desk.eacdesk().args(args).assert().code(2);
    }
}

/// SPEC 42 (finding 5): the refusal placed envelope-only EACs at a bare
/// `/values`, and filed every violation under the destination
/// (`x.json: error (rule 16) at …`), a file that was not written and may
/// be an older one. Each is said by its stored EAC at the place the
/// listing would give it (P1 order: the full EAC with its `eac_number`
/// first, then the envelopes by id), under a header saying nothing was
/// written there.
#[test]
fn envelope_only_eacs_block_p1_and_export_as_p2() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &example("good-p2-meeting-0926.json")])
        .assert()
        .success()
        .stdout(contains("4 added"));
    // dk3's data: it is a full EAC now, the other three stay envelopes.
    desk.import(&["good-p1-overview-monthly.json"]);
    std::fs::write(desk.path("x.json"), "an older file").unwrap();
    let out = desk
        .eacdesk()
        .args(["export", "--profile", "p1", "--out", "x.json"])
        .assert()
        .code(1);
    let said = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(
        lines[0],
        "error: Nothing was exported to x.json (what was there is left as it was): 3 rule \
         violations in stored EACs stopped it. Fix the EACs listed, as each violation says, \
         and export again.",
        "{said}"
    );
    for (line, (id, n)) in lines[1..].iter().zip([("dk1", 1), ("dk2", 2), ("dk4", 3)]) {
        assert!(
            line.starts_with(&format!(
                "stored EAC `99999999-{id}` (would be at /eacs/{n}/values): error (rule 16): \
                 EAC `99999999-{id}` is envelope-only"
            )),
            "{said}"
        );
    }
    assert_eq!(lines.len(), 4, "{said}");
    assert!(!said.contains("x.json: error"), "{said}");
    assert_eq!(
        std::fs::read_to_string(desk.path("x.json")).unwrap(),
        "an older file"
    );
    // `--json` places them the same.
    let out = desk
        .eacdesk()
        .args(["export", "--profile", "p1", "--out", "x.json", "--json"])
        .assert()
        .code(1);
    let refused: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let pointers: Vec<&str> = (refused["errors"].as_array().unwrap().iter())
        .map(|v| v["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        ["/eacs/1/values", "/eacs/2/values", "/eacs/3/values"]
    );
    std::fs::remove_file(desk.path("x.json")).unwrap();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["validate", "--profile", "p2", "b"])
        .assert()
        .success();
    // A pack of everything holds the P1 listing: refused up front with
    // what a pack can do (REG42b finding 3), not the P1 export's "export
    // as P2"; a selection leaves the envelopes out and is packed.
    let refused = desk
        .eacdesk()
        .args(["pack", "--out", "pk", "--search", ""])
        .assert()
        .code(1);
    let said = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        said.starts_with("error: 3 EACs are stored without values (envelope-only")
            && said.contains("/pk. Import their detail data, delete them")
            && said.contains("or pack a selection: any filter leaves them out"),
        "{said}"
    );
    assert!(!said.contains("export as P2"), "{said}");
    assert!(!desk.path("pk").exists());
    desk.eacdesk()
        .args(["pack", "--out", "pk", "--complete"])
        .assert()
        .success();
}

// --- What reaches the terminal: escaped data, and stdout that fails ---

impl Desk {
    /// The binary as `std::process::Command`, for tests that choose where
    /// stdout goes (a closed pipe, /dev/full).
    fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_eacdesk"));
        // The signing key of evidence packs lives in the temporary folder,
        // never in the home folder of whoever runs the tests.
        cmd.env_remove("EACDESK_DB")
            .env("EACDESK_KEY_DIR", self.path("keys"))
            .current_dir(self.dir.path())
            .arg("--db")
            .arg(self.path("desk.sqlite"));
        cmd
    }

    /// Runs a command and returns (exit code, stdout, stderr), checking
    /// that neither stream holds a character a terminal would act on.
    fn shown<I, S>(&self, args: I) -> (i32, String, String)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = self.eacdesk().args(args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        for text in [&stdout, &stderr] {
            let raw: Vec<char> = text
                .chars()
                .filter(|&c| {
                    (c.is_control() && c != '\n' && c != '\t')
                        || ('\u{202A}'..='\u{202E}').contains(&c)
                        || ('\u{2066}'..='\u{2069}').contains(&c)
                })
                .collect();
            assert!(raw.is_empty(), "raw {raw:?} in {text:?}");
        }
        (out.status.code().unwrap(), stdout, stderr)
    }
}

fn listing_of(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(example(name)).unwrap()).unwrap()
}

#[test]
fn control_characters_in_data_fields_are_shown_escaped() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-monthly.json"]);
    // An id holding a control character is refused (decision 63); the
    // refusal shows it escaped.
    let mut listing = listing_of("good-p1-overview-monthly.json");
    listing["eacs"][0]["cds_eac_id"] = "dk3\n99999999-dk4  \u{1b}[31mforged".into();
    let refused = desk.path("refused.json");
    std::fs::write(&refused, serde_json::to_string(&listing).unwrap()).unwrap();
    let (code, _, stderr) = desk.shown(["import", refused.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(r"error (rule 7) at /eacs/0/cds_eac_id [EAC dk3\n99999999-dk4  \u{1b}[31mforged]: `cds_eac_id` holds a control character, U+000A (line feed), at character 4"),
        "{stderr}"
    );

    // The same EAC once more, with fields a broken or hostile source
    // could write: a newline that would start a forged row, colours, a
    // terminal title, a line erase, a C1 CSI and right-to-left overrides
    // (ids may hold the overrides, not control characters).
    let id = "dk3\u{202e}99999999-dk4\u{2066}forged";
    let mut listing = listing_of("good-p1-overview-monthly.json");
    let eac = &mut listing["eacs"][0];
    eac["cds_eac_id"] = id.into();
    eac["eac_number"] = "AAA\u{202e}321".into();
    eac["source_name"] = "Company\r\u{1b}[2KA".into();
    eac["destination_name"] = "Utility\n99999999-dk4  AAAZZZ-124  \u{9b}31mforged".into();
    eac["beneficiaries"] = serde_json::json!(["3333\u{202e}31m"]);
    let file = desk.path("hostile\u{1b}]0;pwned\u{7}\n.json");
    std::fs::write(&file, serde_json::to_string_pretty(&listing).unwrap()).unwrap();

    let (code, stdout, _) = desk.shown([std::ffi::OsStr::new("import"), file.as_os_str()]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(r"hostile\u{1b}]0;pwned\u{7}\n.json: 1 added"));

    // ls: a header, one row per EAC, the totals.
    let (code, stdout, _) = desk.shown(["ls"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    assert!(stdout.contains(r"dk3\u{202e}99999999-dk4\u{2066}forged"));
    assert!(stdout.contains(r"Utility\n99999999-dk4  AAAZZZ-124  \u{9b}31mforged"));
    assert!(stdout.contains(r"AAA\u{202e}321"));
    assert!(stdout.contains(r"Company\r\u{1b}[2KA"));
    assert!(stdout.contains(r"3333\u{202e}31m"));
    // Columns still line up: escaped cells are as wide as they show.
    let column = |line: &str, word: &str| line[..line.find(word).unwrap()].chars().count();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(column(lines[1], "solar"), column(lines[0], "TECHNOLOGY"));
    assert_eq!(column(lines[2], "solar"), column(lines[0], "TECHNOLOGY"));

    // show: exactly as many lines as for the plain EAC it copies.
    let (_, plain, _) = desk.shown(["show", "99999999-dk3"]);
    let (code, stdout, _) = desk.shown(["show", id]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), plain.lines().count(), "{stdout}");
    assert!(stdout.contains(r"Company\r\u{1b}[2KA (101010101-10aaa)"));

    // audit: the id of an edited EAC, one record per line.
    desk.eacdesk()
        .args(["beneficiaries", "set", id, "--type", "general"])
        .args(["--reason", "checked"])
        .assert()
        .success();
    let (code, stdout, _) = desk.shown(["audit"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains(r"dk3\u{202e}99999999-dk4"));
    let (_, stdout, _) = desk.shown(["audit", id]);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");

    // An error quoting what was typed.
    let (code, stdout, stderr) = desk.shown(["show", "nope\n\u{1b}[31m"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(r"nope\n\u{1b}[31m"), "{stderr}");

    // JSON stays exact JSON: the id comes back unchanged.
    let json = desk.json(&["ls", "--sort", "cds_eac_id"]);
    assert_eq!(json["rows"][1]["cds_eac_id"], id);
    assert_eq!(json["rows"][1]["beneficiaries"], serde_json::json!([]));
}

#[test]
fn control_characters_in_violations_and_reference_data_are_shown_escaped() {
    let desk = Desk::new();
    let mut listing = listing_of("good-p1-overview-monthly.json");
    listing["eacs"][0]["technology_type"] = "solar\n\u{1b}[31mwind".into();
    let bad = desk.path("bad.json");
    std::fs::write(&bad, serde_json::to_string(&listing).unwrap()).unwrap();
    let out = desk
        .eacdesk()
        .args(["validate", "--json", "--profile", "p1"])
        .arg(&bad)
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let listed =
        report["errors"].as_array().unwrap().len() + report["warnings"].as_array().unwrap().len();
    assert!(listed > 0);
    // One line per violation and the verdict.
    let (code, stdout, _) = desk.shown(["validate", "--profile", "p1", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), listed + 1, "{stdout}");
    // The same violations refuse the import, on stderr.
    let (code, _, stderr) = desk.shown(["import", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), listed + 1, "{stderr}");

    let programs = desk.path("programs.json");
    std::fs::write(
        &programs,
        serde_json::json!({"programs": [
            {"program_number": "PRG\u{202e}1", "name": "Wind\u{2066}\n\u{1b}[31mschools"}
        ]})
        .to_string(),
    )
    .unwrap();
    let (code, stdout, _) = desk.shown(["refdata", "import", programs.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let (code, stdout, _) = desk.shown(["refdata", "ls"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "program\tPRG\\u{202e}1\tWind\\u{2066}\\n\\u{1b}[31mschools\n1 reference id\n"
    );
}

#[test]
fn a_reason_with_a_newline_in_an_old_database_shows_as_one_record() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "general"])
        .args(["--reason", "first"])
        .assert()
        .success();
    // Earlier versions stored any reason; write one as they could have,
    // beside the real record it pretends to follow.
    let forged =
        "ok\n    2  2026-01-01T00:00:00Z  root  e-02  general → general  \u{1b}[32mapproved";
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    conn.execute(
        r#"INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason)
           SELECT at, os_user, cds_eac_id, action, "before", "after", ?1
           FROM audit_log WHERE id = 1"#,
        [forged],
    )
    .unwrap();
    drop(conn);

    let (code, stdout, _) = desk.shown(["audit"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(
        stdout.contains(r"ok\n    2  2026-01-01T00:00:00Z"),
        "{stdout}"
    );
    assert!(stdout.contains(r"\u{1b}[32mapproved"), "{stdout}");
    let records = desk.json(&["audit"]);
    assert_eq!(records[0]["reason"], forged);
}

#[test]
fn a_reader_closing_the_pipe_ends_ls_quietly_with_141() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3000"])
        .assert()
        .success();
    // `eacdesk ls --limit 1000 | head -1`: far more than a pipe buffers.
    let mut child = desk
        .process()
        .args(["ls", "--limit", "1000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(first.starts_with("CDS_EAC_ID"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert_eq!(stderr, "");
}

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
}

/// `cmd` (run as `args`) with its stdout on a full disk: exit 2, and
/// stderr says the output could not be written, nothing more.
fn full_stdout_is_exit_2(cmd: &mut std::process::Command, args: &[&str]) {
    let out = cmd.stdout(dev_full()).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(
        stderr, "error: cannot write the output: No space left on device (os error 28)\n",
        "{args:?}"
    );
}

#[test]
fn a_full_stdout_is_exit_2_with_a_message() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for args in [
        &["ls"][..],
        &["ls", "--json"],
        &["show", "e-01"],
        &["audit"],
    ] {
        full_stdout_is_exit_2(desk.process().args(args), args);
    }
}

/// `--help`, a subcommand's help and `--version` that cannot be written
/// fail as every other output does: exit 2 with the cause on stderr on a
/// full disk, 141 quietly when the reader went away. They exited 0, so
/// `eacdesk --help > file` on a full disk looked written.
#[test]
fn help_and_version_that_cannot_be_written_are_not_success() {
    let desk = Desk::new();
    for args in [
        &["--help"][..],
        &["-h"],
        &["ls", "--help"],
        &["help", "import"],
        &["pack", "verify", "--help"],
        &["--version"],
    ] {
        full_stdout_is_exit_2(desk.process().args(args), args);
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = desk.process().args(args).stdout(writer).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
        // Written, they still succeed.
        let out = desk.process().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    assert!(!desk.path("desk.sqlite").exists());
}

#[test]
fn an_import_whose_report_cannot_be_printed_says_it_was_committed() {
    let desk = Desk::new();
    // The reader is gone before the import starts.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = desk
        .process()
        .args(["import", &example("good-p1-mixed-order.json")])
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert_eq!(
        stderr,
        "the import was committed; the report could not be printed: the output was closed\n"
    );
    assert_eq!(desk.count(), 7);

    // A full disk under stdout: exit 2, and still not "failed". One of
    // the two files breaks a rule: its violations still reach stderr.
    let out = desk
        .process()
        .args(["import", &example("good-p1-overview-monthly.json")])
        .arg(example("bad-p1-overview-not-json.json"))
        .stdout(dev_full())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error (rule 20)"), "{stderr}");
    assert!(
        stderr.ends_with(
            "the import was committed for 1 of 2 files; the report could not be printed: \
             No space left on device (os error 28)\n"
        ),
        "{stderr}"
    );
    assert_eq!(desk.count(), 8);

    // Nothing imported: a plain output error, no claim of a commit.
    let out = desk
        .process()
        .args([
            "import",
            "--json",
            &example("bad-p1-overview-not-json.json"),
        ])
        .stdout(dev_full())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.ends_with("error: cannot write the output: No space left on device (os error 28)\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("committed"), "{stderr}");
    assert_eq!(desk.count(), 8);

    // Stderr failing as well: still no panic.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = desk
        .process()
        .args(["import", &example("good-p1-overview-endpoint.json")])
        .stdout(writer)
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(desk.count(), 9);
}

#[test]
fn a_copy_or_period_whose_report_cannot_be_printed_says_it_was_saved() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for (args, said) in [
        (
            &["copy", "--to", "wc.db", "--json"][..],
            "the copy into wc.db was made",
        ),
        (&["copy", "--to", "wc2.db"], "the copy into wc2.db was made"),
        (
            &[
                "period",
                "close",
                "--from",
                "2019-01-01",
                "--to",
                "2019-12-31",
                "--reason",
                "x",
                "--json",
            ],
            "closed period 1",
        ),
        (
            &["period", "reopen", "1", "--reason", "x", "--json"],
            "reopened period 1",
        ),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = desk.process().args(args).stdout(writer).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(
            stderr.lines().last().is_some_and(|l| l.starts_with(said))
                && stderr.ends_with("; the report could not be printed: the output was closed\n"),
            "{args:?}: {stderr}"
        );
    }
    assert!(desk.path("wc.db").is_file());
}

#[test]
fn messages_name_what_is_wrong_in_plain_words() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    std::fs::write(desk.path("m.json"), "{}").unwrap();
    // The empty name is said of the name, not of the mapping file.
    desk.eacdesk()
        .args(["mapping", "save", "", "m.json"])
        .assert()
        .code(2)
        .stderr(contains("the mapping name is empty; nothing was saved"))
        .stderr(contains("m.json").not());
    // A name with a control character could not be typed back.
    desk.eacdesk()
        .args(["mapping", "save", "a\u{1b}b", "m.json"])
        .assert()
        .code(2)
        .stderr(contains(
            "the mapping name `a\\u{1b}b` holds a control character; nothing was saved",
        ));
    // A copy into a missing folder names the folder, not its hidden file.
    desk.eacdesk()
        .args(["copy", "--to", "nodir/x.db"])
        .assert()
        .code(2)
        .stderr(contains(
            "The folder nodir does not exist, so nothing can be written at nodir/x.db",
        ))
        .stderr(contains(".eacdesk-").not());
    assert!(!desk.path("nodir").exists());
    // Counts agree with their nouns.
    std::fs::write(
        desk.path("programs.json"),
        serde_json::json!({"programs": [
            {"program_number": "P1", "name": "one"},
            {"program_number": "P2", "name": "two"}
        ]})
        .to_string(),
    )
    .unwrap();
    desk.eacdesk()
        .args(["refdata", "import", "programs.json"])
        .assert()
        .success()
        .stdout(contains("2 programs"));
}

/// `eacdesk` as a user who may not write what root made: as root (CI),
/// through `setpriv` as nobody (root ignores permissions); `None` when
/// that is not possible here.
fn as_nobody(desk: &Desk) -> Option<std::process::Command> {
    as_user(desk, 65534)
}

/// `eacdesk` as the user numbered `uid` (as root), as [`as_nobody`].
fn as_user(desk: &Desk, uid: u32) -> Option<std::process::Command> {
    let bin = env!("CARGO_BIN_EXE_eacdesk");
    let (reuid, regid) = (format!("--reuid={uid}"), format!("--regid={uid}"));
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if root {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args([&reuid, &regid, "--clear-groups", bin]);
        cmd
    } else {
        std::process::Command::new(bin)
    };
    cmd.env_remove("EACDESK_DB")
        .env("EACDESK_CONFIG_DIR", desk.path("config"))
        .current_dir(desk.dir.path());
    let works = root.then(|| {
        std::process::Command::new("setpriv")
            .args([&reuid, &regid, "--clear-groups", bin, "formats"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    (works != Some(false)).then_some(cmd)
}

/// A read-only opening leaves SQLite's `-wal`/`-shm` behind with the
/// database's permissions of that moment and its user as owner (decision
/// 289): the user's own are mended, so a database made writable again
/// takes writes at once; a colleague's are named, with what to do, instead
/// of calling a writable database read-only.
#[test]
fn read_only_leftovers_beside_a_database_are_mended_or_named() {
    use std::os::unix::fs::PermissionsExt;
    let set_mode = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let desk = Desk::new();
    set_mode(desk.dir.path(), 0o755);
    let shared = desk.path("shared");
    std::fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    let (owner, colleague) = (65534, 65533);
    let Some(_) = as_user(&desk, owner).zip(as_user(&desk, colleague)) else {
        eprintln!("skipped: cannot run as users without write access here");
        return;
    };
    let run = |uid: u32, args: &str| {
        let out = as_user(&desk, uid)
            .unwrap()
            .args(["--db", "shared/team.db"])
            .args(args.split(' '))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let set = "set S1-0000000 asset_origination=grid --reason fix";
    // Read by the colleague: a writer's last connection would tidy up.
    let origination = || {
        let (_, _, stdout) = run(colleague, "show S1-0000000 --json");
        let shown: Value = serde_json::from_str(&stdout).unwrap();
        shown["asset_origination"].as_str().unwrap().to_owned()
    };
    let (code, stderr, _) = run(owner, "sample --eacs 3");
    assert_eq!(code, Some(0), "{stderr}");
    let db = shared.join("team.db");
    // The owner makes the file read-only, reads it, then writable again.
    set_mode(&db, 0o444);
    let (code, stderr, _) = run(owner, "ls");
    assert_eq!(code, Some(0), "{stderr}");
    let shm = shared.join("team.db-shm");
    assert!(shm.is_file(), "SQLite left no -shm: the test shows nothing");
    set_mode(&db, 0o644);
    let (code, stderr, _) = run(owner, set);
    assert_eq!(code, Some(0), "{stderr}");
    // A colleague who may only read leaves them, owned by them.
    let (code, stderr, _) = run(colleague, "ls");
    assert_eq!(code, Some(0), "{stderr}");
    let before = origination();
    let (code, stderr, _) = run(
        owner,
        "set S1-0000000 asset_origination=region --reason fix",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("beside it belongs to user 65533 and is read-only for you"),
        "{stderr}"
    );
    assert!(stderr.contains("team.db-shm"), "{stderr}");
    assert!(stderr.contains("Nothing was changed"), "{stderr}");
    assert!(!stderr.contains("the file or its folder"), "{stderr}");
    assert_eq!(origination(), before);
}

#[test]
fn a_database_in_a_read_only_folder_is_read_and_plainly_not_written() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    let folder = desk.path("ro");
    std::fs::create_dir(&folder).unwrap();
    desk.bare()
        .args(["--db", "ro/x.db", "sample", "--eacs", "5"])
        .assert()
        .success();
    // An audit record, for a pack's audit head.
    desk.bare()
        .args(["--db", "ro/x.db", "period", "close", "--from", "1990-01-01"])
        .args(["--to", "1990-12-31", "--reason", "filed"])
        .assert()
        .success();
    let set_mode = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set_mode(desk.dir.path(), 0o755);
    set_mode(&folder, 0o555);
    let Some(_) = as_nobody(&desk) else {
        set_mode(&folder, 0o755);
        eprintln!("skipped: cannot run as a user without write access here");
        return;
    };
    let run = |args: &str| {
        let out = as_nobody(&desk)
            .unwrap()
            .args(["--db", "ro/x.db"])
            .args(args.split(' '))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let before = outputs::tree(&folder);
    for args in [
        "ls --json",
        "audit",
        "audit verify",
        "check",
        "summary",
        "imports",
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, Some(0), "{args}: {stderr}");
        assert!(stderr.contains("ro/x.db is read-only here"), "{stderr}");
        if args == "ls --json" {
            let listing: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(listing["summary"]["count"], 5);
        }
    }
    for args in [
        "delete X --reason x",
        "period close --from 2020-01-01 --to 2020-12-31 --reason x",
    ] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, Some(2), "{args}: {stderr}");
        assert!(
            stderr.contains("ro/x.db cannot be written: the file or its folder ro is read-only"),
            "{stderr}"
        );
        assert!(!stderr.contains("backup"), "{stderr}");
    }
    // An export is written where it may be, and not recorded: the
    // database takes no change, and the report says why.
    let out = desk.path("out");
    std::fs::create_dir(&out).unwrap();
    set_mode(&out, 0o777);
    let (code, stdout, stderr) = run("export --profile p1 --out out/e.json");
    assert_eq!(code, Some(0), "{stderr}");
    let said = format!("{stdout}{stderr}");
    assert!(said.contains("the database is read-only here"), "{said}");
    assert_eq!(said.matches("x.db is read-only here").count(), 1, "{said}");
    assert!(out.join("e.json").is_file());
    // So is a pack; compared with this database later, it is said to come
    // from its audit log without a record, not from another database.
    let pack = |args: &str| {
        let out = as_nobody(&desk)
            .unwrap()
            .env("EACDESK_KEY_DIR", desk.path("out/keys"))
            .args(["--db", "ro/x.db"])
            .args(args.split(' '))
            .output()
            .unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, said) = pack("pack --out out/pk");
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("the database is read-only here"), "{said}");
    let (code, said) = pack("pack diff out/pk");
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("was made from this database's audit log") && said.contains("not recorded"),
        "{said}"
    );
    assert_eq!(
        outputs::tree(&folder),
        before,
        "nothing made or changed there"
    );
    // A journal beside the file (a write cut short) is not read past:
    // immutable would take pages no transaction committed, so SQLite's
    // refusal stands.
    set_mode(&folder, 0o755);
    std::fs::write(folder.join("x.db-journal"), b"not yet rolled back").unwrap();
    set_mode(&folder, 0o555);
    let (code, _, stderr) = run("ls");
    assert_ne!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("reading it as it stands"), "{stderr}");
    set_mode(&folder, 0o755);
    std::fs::remove_file(folder.join("x.db-journal")).unwrap();
    // A device, a pipe or a folder is named as such.
    for (db, what) in [
        ("/dev/null", "/dev/null is a device, not a database file"),
        ("ro", "ro is a folder, not a database file"),
    ] {
        desk.bare()
            .args(["copy", "--from", db, "--to", "copy.db"])
            .assert()
            .code(2)
            .stderr(contains(what));
        for args in [&["ls"][..], &["delete", "X", "--reason", "x"]] {
            desk.bare()
                .args(["--db", db])
                .args(args)
                .assert()
                .code(2)
                .stderr(contains(what));
        }
    }
}

/// A database without any write permission bit (`chmod 444`: a closed
/// year kept as it is) is read-only whoever runs the command, root too,
/// whom the system lets write anything: write protection is intent, for a
/// database as for an output file (decisions 260, 261 as amended). Read as
/// it stands, writes refused before anything is done, in the words a user
/// without write access gets; exports and packs unrecorded.
#[test]
fn a_write_protected_database_is_read_only_for_root_too() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    desk.bare()
        .args(["--db", "ro.db", "sample", "--eacs", "5"])
        .assert()
        .success();
    desk.bare()
        .args(["sample", "--eacs", "2", "--out", "s.json"])
        .assert()
        .success();
    let db = desk.path("ro.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = sha256_of(&db);
    for args in [
        "set --all-matching destination_name=Changed --reason x --yes",
        "import s.json",
        "delete S1-0000000 --reason x",
    ] {
        let out = desk
            .bare()
            .args(["--db", "ro.db"])
            .args(args.split(' '))
            .assert()
            .code(2);
        let said = stderr(&out);
        assert!(
            said.contains("ro.db cannot be written: the file or its folder . is read-only for you"),
            "{args}: {said}"
        );
        assert!(said.contains("Nothing was changed"), "{said}");
    }
    let out = desk
        .bare()
        .args(["--db", "ro.db", "ls", "--json"])
        .assert()
        .success();
    assert!(stderr(&out).contains("ro.db is read-only here: reading it as it stands"));
    let out = desk
        .bare()
        .args([
            "--db",
            "ro.db",
            "export",
            "--profile",
            "p1",
            "--out",
            "e.json",
        ])
        .assert()
        .success();
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("the database is read-only here"), "{said}");
    assert_eq!(sha256_of(&db), before, "the database was written");
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

/// The two commands that read a file: they must agree.
const CHECKING: [&[&str]; 2] = [&["import"], &["validate", "--profile", "p1"]];

/// What a refused command told the person (`validate` reports on stdout,
/// the other commands on stderr), with exit code 1.
fn refusal(mut cmd: Command) -> String {
    let out = cmd.assert().code(1);
    let o = out.get_output();
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `tests/fixtures/rules/<name>`: one valid EAC changed in one place.
fn rule_fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/rules")
        .join(name)
        .display()
        .to_string()
}

/// A valid one-EAC listing with `field` (a JSON member line) replaced.
fn one_eac_with(desk: &Desk, name: &str, from: &str, to: &str) -> PathBuf {
    let good = std::fs::read_to_string(rule_fixture("rule-16-negative-value.json"))
        .unwrap()
        .replace("\"value\": -5", "\"value\": 5");
    assert!(good.contains(from), "{from}");
    let path = desk.path(name);
    std::fs::write(&path, good.replace(from, to)).unwrap();
    path
}

#[test]
fn numbers_beyond_a_double_are_refused_on_import_and_validate_with_the_field_and_cause() {
    let desk = Desk::new();
    for (value, cause) in [
        ("1e400", "too large"),
        ("1e309", "too large"),
        ("1e-400", "too small"),
    ] {
        let file = one_eac_with(
            &desk,
            "big.json",
            "\"value\": 5",
            &format!("\"value\": {value}"),
        );
        for command in CHECKING {
            let mut cmd = desk.eacdesk();
            cmd.args(command).arg(&file);
            let said = refusal(cmd);
            assert!(
                said.contains(&format!(
                    "error (rule 6) at /eacs/0/values/0/value [EAC eac-1]: quantity `{value}` is {cause}"
                )),
                "{command:?} {value}: {said}"
            );
            assert!(!said.contains("null is not of type"), "{said}");
        }
    }
    // A 100,000-digit integer: refused, quoted in a few dozen characters.
    let digits = "9".repeat(100_000);
    let file = one_eac_with(
        &desk,
        "long.json",
        "\"value\": 5",
        &format!("\"value\": {digits}"),
    );
    for command in CHECKING {
        let mut cmd = desk.eacdesk();
        cmd.args(command).arg(&file);
        let said = refusal(cmd);
        assert!(said.contains("is 100000 characters long"), "{said}");
        assert!(said.contains("more characters)"), "{said}");
        assert!(
            said.len() < 1000,
            "{command:?}: {} bytes of error",
            said.len()
        );
    }
    assert_eq!(desk.count(), 0);
}

#[test]
fn emission_factors_follow_one_rule_in_import_validate_and_set_emissions() {
    let desk = Desk::new();
    for factor in ["-0.5", "1e309"] {
        let file = one_eac_with(
            &desk,
            "factor.json",
            "\"emissions_factor_direct\": 0",
            &format!("\"emissions_factor_direct\": {factor}"),
        );
        for command in CHECKING {
            let mut cmd = desk.eacdesk();
            cmd.args(command).arg(&file);
            let said = refusal(cmd);
            assert!(
                said.contains(&format!(
                    "error (rule 6) at /eacs/0/emissions_factor_direct [EAC eac-1]: `emissions_factor_direct` `{factor}`"
                )),
                "{command:?} {factor}: {said}"
            );
        }
    }
    desk.eacdesk()
        .args(["import", &example("bad-p1-todo-emissions.json")])
        .assert()
        .success();
    for (factor, cause) in [("-0.5", "is negative"), ("1e309", "is too large")] {
        desk.eacdesk()
            .args(["set-emissions", "101010101-10", "--direct", factor])
            .args(["--lca", "0.011", "--reason", "registry numbers"])
            .assert()
            .code(1)
            .stderr(contains(format!(
                "direct emission factor `{factor}` {cause}"
            )));
    }
}

#[test]
fn leap_seconds_and_nanoseconds_survive_import_and_export() {
    let desk = Desk::new();
    let accepted = rule_fixture("rule-05-accepts-leap-seconds-in-utc.json");
    desk.eacdesk()
        .args(["import", &accepted])
        .assert()
        .success();
    let out = desk.path("out.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("\"cds_created\": \"2016-12-31T23:59:60Z\""),
        "{text}"
    );
    assert!(
        text.contains("\"cds_modified\": \"2016-12-31T23:59:60.500Z\""),
        "{text}"
    );
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&out)
        .assert()
        .success();

    for (name, says) in [
        (
            "rule-05-second-60-not-at-the-end-of-a-utc-day.json",
            "has second 60, which exists only as a leap second at 23:59:60 UTC (here 12:30:60 UTC)",
        ),
        (
            "rule-05-more-than-nine-fraction-digits.json",
            "has more than nine digits of fractional seconds",
        ),
    ] {
        desk.eacdesk()
            .args(["import", &rule_fixture(name)])
            .assert()
            .code(1)
            .stderr(contains(
                "error (rule 5) at /eacs/0/cds_modified [EAC eac-1]",
            ))
            .stderr(contains(says));
    }
}

#[test]
fn files_that_are_not_utf8_are_named_by_their_encoding() {
    let desk = Desk::new();
    let good = std::fs::read_to_string(rule_fixture(
        "rule-06-accepts-a-quantity-near-the-limits.json",
    ))
    .unwrap();
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(good.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be_no_bom: Vec<u8> = good.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes, encoding) in [
        (
            "le.json",
            utf16le,
            "UTF-16 (little-endian, with a byte order mark)",
        ),
        ("be.json", utf16be_no_bom, "UTF-16 (big-endian)"),
    ] {
        let path = desk.path(name);
        std::fs::write(&path, bytes).unwrap();
        for command in CHECKING {
            let mut cmd = desk.eacdesk();
            cmd.args(command).arg(&path);
            let said = refusal(cmd);
            assert!(
                said.contains(&format!("{name}:1:1: error (rule 20)")),
                "{command:?}: {said}"
            );
            assert!(said.contains(encoding), "{command:?}: {said}");
            assert!(said.contains("save it as UTF-8"), "{command:?}: {said}");
        }
    }
    // A UTF-8 byte order mark is ignored (RFC 8259 §8.1 allows it).
    let path = desk.path("bom.json");
    std::fs::write(&path, format!("\u{feff}{good}")).unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&path)
        .assert()
        .success();
    desk.eacdesk()
        .arg("import")
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("1 added"));
}

#[test]
fn huge_and_broken_values_are_quoted_briefly_and_named() {
    let desk = Desk::new();
    let huge = "x".repeat(5_000_000);
    let file = one_eac_with(
        &desk,
        "huge.json",
        "\"technology_type\": \"solar\"",
        &format!("\"technology_type\": \"{huge}\""),
    );
    // Within the text cap, a technology outside the list is quoted by its
    // first 60 characters.
    let long = "x".repeat(4000);
    let within = one_eac_with(
        &desk,
        "long.json",
        "\"technology_type\": \"solar\"",
        &format!("\"technology_type\": \"{long}\""),
    );
    for command in CHECKING {
        let mut cmd = desk.eacdesk();
        cmd.args(command).arg(&file);
        let said = refusal(cmd);
        assert!(
            said.contains(
                "error (rule 2) at /eacs/0/technology_type [EAC eac-1]: `technology_type` is \
                 text longer than 4096 characters (5000000): at most 4096; shorten it"
            ),
            "{command:?}: {said}"
        );
        assert!(
            said.len() < 2000,
            "{command:?}: {} bytes of error",
            said.len()
        );
        let mut cmd = desk.eacdesk();
        cmd.args(command).arg(&within);
        let said = refusal(cmd);
        assert!(
            said.contains("error (rule 3) at /eacs/0/technology_type"),
            "{command:?}: {said}"
        );
        assert!(said.contains("…(3940 more characters)"), "{command:?}");
        assert!(
            said.len() < 2000,
            "{command:?}: {} bytes of error",
            said.len()
        );
    }
    for command in CHECKING {
        let mut cmd = desk.eacdesk();
        cmd.args(command)
            .arg(rule_fixture("rule-20-lone-surrogate-in-id.json"));
        let said = refusal(cmd);
        assert!(
            said.contains(
                "error (rule 20) at /eacs/0/cds_eac_id: `cds_eac_id` holds the escape `\\ud800`, half of a UTF-16 surrogate pair"
            ),
            "{command:?}: {said}"
        );
        assert!(!said.contains("found a string"), "{said}");
    }
}

/// A P2 bundle of the mixed-order example in `desk`'s folder, as `bundle/`.
fn p2_bundle(desk: &Desk) -> PathBuf {
    desk.import(&["good-p1-mixed-order.json"]);
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    bundle
}

#[test]
fn a_p2_listing_away_from_its_bundle_reads_details_only_with_details_from() {
    let source = Desk::new();
    let bundle = p2_bundle(&source);
    let listing = source.path("listing.json");
    std::fs::copy(bundle.join("eacs.json"), &listing).unwrap();

    let desk = Desk::new();
    desk.eacdesk()
        .arg("import")
        .arg(&listing)
        .assert()
        .code(1)
        .stderr(
            is_match(r"listing\.json: error \(rule 19\) at /eacs/0/eac_data_url \[EAC [^\]]+\]: ")
                .unwrap(),
        )
        .stderr(contains("--details-from"));
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&listing)
        .assert()
        .code(1)
        .stdout(contains("/eacs/0/eac_data_url"))
        .stdout(contains("--details-from"));

    // A folder that does not hold the detail files is refused too.
    desk.eacdesk()
        .args(["import", "--details-from"])
        .arg(desk.dir.path())
        .arg(&listing)
        .assert()
        .code(1)
        .stderr(contains("outside the folder"));
    assert_eq!(desk.count(), 0);

    desk.eacdesk()
        .args(["validate", "--profile", "p2", "--details-from"])
        .arg(&bundle)
        .arg(&listing)
        .assert()
        .success()
        .stdout(contains("valid for profile P2"));
    desk.eacdesk()
        .args(["import", "--details-from"])
        .arg(&bundle)
        .arg(&listing)
        .assert()
        .success()
        .stdout(contains("7 added"));
    assert_eq!(desk.count(), 7);

    // Naming a folder that is not there is a plain usage error.
    desk.eacdesk()
        .args(["validate", "--profile", "p2", "--details-from", "nowhere"])
        .arg(&listing)
        .assert()
        .code(2)
        .stderr(contains("nowhere"));
    desk.eacdesk()
        .args(["validate", "--profile", "p1", "--details-from"])
        .arg(&bundle)
        .arg(&listing)
        .assert()
        .code(2)
        .stderr(contains("--profile p2"));
}

#[test]
fn a_broken_p2_detail_file_is_reported_where_it_is_broken() {
    let desk = Desk::new();
    let bundle = p2_bundle(&desk);
    let details = bundle.join("eacs");
    let mut names: Vec<_> = std::fs::read_dir(&details)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let detail = &names[0];
    std::fs::write(detail, "{\n  \"cds_eac_id\": oops\n}\n").unwrap();
    let at = format!("{}:2:17: error (rule 20)", detail.display());
    let other = Desk::new();
    other
        .eacdesk()
        .arg("import")
        .arg(&bundle)
        .assert()
        .code(1)
        .stderr(contains(at.as_str()))
        .stderr(is_match(r"detail file of the envelope at /eacs/\d+ ").unwrap());
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&bundle)
        .assert()
        .code(1)
        .stdout(contains(at.as_str()));
    assert_eq!(other.count(), 0);
}

// ---- Exports never lose or silently change data at their destination ----

/// The entries of a folder, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Entries of `dir` that are not the database's own files.
fn entries_but_db(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| !n.starts_with("desk.sqlite"))
        .collect()
}

#[test]
fn export_and_sample_refuse_to_write_over_the_database() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let before = desk.count();
    let db = desk.path("desk.sqlite");
    // The database itself, by its name, a relative name, a path through
    // `..`, a symbolic link and a hard link; its WAL and shared memory; the
    // folder holding it.
    std::os::unix::fs::symlink(&db, desk.path("link.json")).unwrap();
    std::fs::hard_link(&db, desk.path("hard.json")).unwrap();
    std::fs::create_dir(desk.path("sub")).unwrap();
    let targets: Vec<(Vec<&str>, PathBuf)> = vec![
        (vec!["export", "--profile", "p1", "--out"], db.clone()),
        (
            vec!["export", "--profile", "p1", "--out"],
            PathBuf::from("desk.sqlite"),
        ),
        (
            vec!["export", "--profile", "p1", "--out"],
            desk.path("sub/../desk.sqlite"),
        ),
        (
            vec!["export", "--profile", "p1", "--out"],
            desk.path("link.json"),
        ),
        (
            vec!["export", "--profile", "p1", "--out"],
            desk.path("hard.json"),
        ),
        (
            vec!["export", "--profile", "p1", "--out"],
            desk.path("desk.sqlite-wal"),
        ),
        (
            vec!["export", "--profile", "p1", "--out"],
            desk.path("desk.sqlite-shm"),
        ),
        (vec!["export", "--profile", "p2", "--out"], desk.path(".")),
        (vec!["export", "--profile", "p2", "--out"], db.clone()),
        (vec!["sample", "--eacs", "5", "--out"], db.clone()),
        (
            vec!["sample", "--eacs", "5", "--out"],
            desk.path("desk.sqlite-wal"),
        ),
        (vec!["sample", "--eacs", "5", "--values-csv"], db.clone()),
    ];
    let db_bytes = std::fs::read(&db).unwrap();
    for (args, out) in targets {
        desk.eacdesk()
            .args(&args)
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains("the database EAC Desk is using"))
            .stderr(contains("Nothing was written"));
        assert_eq!(std::fs::read(&db).unwrap(), db_bytes, "{args:?} {out:?}");
        assert_eq!(desk.count(), before, "{args:?} {out:?}");
    }
    assert_eq!(
        entries_but_db(desk.dir.path()),
        ["hard.json", "link.json", "sub"],
        "nothing was written beside the database"
    );
}

/// A desk holding `n` sample EACs and a P2 bundle of them published under
/// an https base (so that the next export, without one, differs).
fn desk_with_old_bundle(n: &str) -> (Desk, PathBuf, String) {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", n, "--seed", "3"])
        .assert()
        .success();
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--base-url"])
        .arg("https://old.example.org/pub/")
        .arg("--out")
        .arg(&bundle)
        .assert()
        .success();
    let old = sha256_of(&bundle.join("eacs.json"));
    (desk, bundle, old)
}

/// The bundle at `dir` is complete: its marker is there and its listing
/// names as many EACs as it has detail files.
fn assert_complete_bundle(dir: &Path) {
    let listing: Value =
        serde_json::from_slice(&std::fs::read(dir.join("eacs.json")).unwrap()).unwrap();
    let listed = listing["eacs"].as_array().unwrap().len();
    assert_eq!(
        entries(&dir.join("eacs")).len(),
        listed,
        "{}",
        dir.display()
    );
    assert!(dir.join(".eacdesk-bundle").is_file());
}

/// The bundle at `dir` is whole: complete, and `validate --profile p2`
/// accepts it.
fn assert_whole_bundle(desk: &Desk, dir: &Path) {
    assert_complete_bundle(dir);
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn an_export_stopped_at_any_point_leaves_the_old_or_the_new_bundle_and_the_next_one_cleans_up() {
    let (desk, bundle, old) = desk_with_old_bundle("40");
    // Where an export can stop: after the bundle is built, after the swap
    // (the earlier bundle not yet removed), and, where the system has no
    // atomic exchange, between moving the earlier bundle aside and moving
    // the new one in.
    for (point, no_exchange) in [
        ("bundle-before-swap", false),
        ("bundle-after-swap", false),
        ("bundle-before-swap", true),
        ("bundle-between-renames", true),
    ] {
        let mut cmd = desk.eacdesk();
        cmd.env("EACDESK_CRASH_AT", point);
        if no_exchange {
            cmd.env("EACDESK_NO_EXCHANGE", "1");
        }
        let out = cmd
            .args(["export", "--profile", "p2", "--out"])
            .arg(&bundle)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_none(),
            "{point}: the export was not stopped"
        );
        let leftovers = entries_but_db(desk.dir.path());
        assert!(leftovers.len() > 1, "{point}: {leftovers:?}");
        if point == "bundle-between-renames" {
            // The one moment with no bundle at the destination: the next
            // command that exports to this folder puts it back first.
            assert!(!bundle.exists());
            assert!(desk.path(".eacdesk-aside-bundle").is_dir());
            let p1 = desk.path("p1.json");
            desk.eacdesk()
                .args(["export", "--profile", "p1", "--out"])
                .arg(&p1)
                .assert()
                .success();
            std::fs::remove_file(&p1).unwrap();
        }
        let now = sha256_of(&bundle.join("eacs.json"));
        if point == "bundle-after-swap" {
            assert_ne!(now, old, "{point}: the new bundle is in place");
        } else {
            assert_eq!(now, old, "{point}: the earlier bundle is in place");
        }
        assert_whole_bundle(&desk, &bundle);
        assert_eq!(
            entries_but_db(desk.dir.path()).len(),
            if point == "bundle-between-renames" {
                1
            } else {
                2
            },
            "{point}"
        );
        // The next export (the same one, run to its end) removes what the
        // stopped one left and puts the new bundle in place.
        let mut cmd = desk.eacdesk();
        if no_exchange {
            cmd.env("EACDESK_NO_EXCHANGE", "1");
        }
        cmd.args(["export", "--profile", "p2", "--out"])
            .arg(&bundle)
            .assert()
            .success();
        assert_whole_bundle(&desk, &bundle);
        assert_ne!(sha256_of(&bundle.join("eacs.json")), old, "{point}");
        assert_eq!(entries_but_db(desk.dir.path()), ["bundle"], "{point}");
        // Back to the earlier bundle for the next round.
        desk.eacdesk()
            .args(["export", "--profile", "p2", "--base-url"])
            .arg("https://old.example.org/pub/")
            .arg("--out")
            .arg(&bundle)
            .assert()
            .success();
        assert_eq!(sha256_of(&bundle.join("eacs.json")), old);
    }

    // A P1 export stopped before its rename leaves the earlier file and a
    // temporary file, which the next export removes.
    let p1 = desk.path("p1.json");
    std::fs::write(&p1, "earlier export").unwrap();
    let out = desk
        .eacdesk()
        .env("EACDESK_CRASH_AT", "file-before-rename")
        .args(["export", "--profile", "p1", "--out"])
        .arg(&p1)
        .output()
        .unwrap();
    assert!(out.status.code().is_none());
    assert_eq!(std::fs::read_to_string(&p1).unwrap(), "earlier export");
    assert_eq!(entries_but_db(desk.dir.path()).len(), 3);
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&p1)
        .assert()
        .success();
    assert_eq!(entries_but_db(desk.dir.path()), ["bundle", "p1.json"]);
}

#[test]
fn kill_9_during_a_large_bundle_export_always_leaves_a_whole_bundle() {
    let (desk, bundle, old) = desk_with_old_bundle("2000");
    let mut stopped = 0;
    for delay_ms in [15u64, 60, 150, 300, 600, 1000, 1600, 2500, 4000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eacdesk"))
            .env_remove("EACDESK_DB")
            .current_dir(desk.dir.path())
            .arg("--db")
            .arg(desk.path("desk.sqlite"))
            .args(["export", "--profile", "p2", "--out"])
            .arg(&bundle)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if status.code().is_none() {
            stopped += 1;
        }
        // Whatever the moment, the destination holds one complete bundle:
        // the earlier one, or the new one (its URLs point at the folder).
        assert_complete_bundle(&bundle);
        let listing = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
        assert!(
            sha256_of(&bundle.join("eacs.json")) == old || !listing.contains("old.example.org"),
            "killed after {delay_ms} ms: a mixed bundle"
        );
    }
    assert!(stopped > 0, "no export was killed; the test proves nothing");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    assert_whole_bundle(&desk, &bundle);
    assert_eq!(
        entries_but_db(desk.dir.path()),
        ["bundle"],
        "the last export removed every leftover"
    );
}

#[test]
fn a_file_size_limit_is_a_plain_error_not_a_silent_kill() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "600"])
        .assert()
        .success();
    let earlier = desk.path("eacs.json");
    std::fs::write(&earlier, "earlier export").unwrap();
    let bin = env!("CARGO_BIN_EXE_eacdesk");
    let db = desk.path("desk.sqlite");
    for args in [
        format!("export --profile p1 --out {}", earlier.display()),
        format!("sample --eacs 600 --out {}", earlier.display()),
    ] {
        // 100 blocks of 1 KiB: far less than 600 EACs.
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "ulimit -f 100; exec {bin} --db {} {args}",
                db.display()
            ))
            .current_dir(desk.dir.path())
            .env_remove("EACDESK_DB")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args}: {:?} {stderr}",
            out.status
        );
        assert!(stderr.contains("too large"), "{args}: {stderr}");
        assert!(
            stderr.contains(&earlier.display().to_string()),
            "{args}: {stderr}"
        );
        assert!(
            !stderr.contains(".eacdesk-"),
            "{args}: names the temporary file: {stderr}"
        );
        assert_eq!(std::fs::read_to_string(&earlier).unwrap(), "earlier export");
        assert_eq!(entries_but_db(desk.dir.path()), ["eacs.json"], "{args}");
    }
    // A bundle: the listing outgrows the limit; the earlier bundle stays.
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let before = sha256_of(&bundle.join("eacs.json"));
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -f 100; exec {bin} --db {} export --profile p2 --base-url https://example.org/ --out {}",
            db.display(),
            bundle.display()
        ))
        .env_remove("EACDESK_DB")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{:?} {stderr}", out.status);
    assert!(stderr.contains("too large"), "{stderr}");
    let listing = bundle.join("eacs.json").display().to_string();
    assert!(stderr.contains(&listing), "{stderr}");
    assert!(!stderr.contains(".eacdesk-"), "{stderr}");
    assert_eq!(sha256_of(&bundle.join("eacs.json")), before);
    assert_eq!(entries_but_db(desk.dir.path()), ["bundle", "eacs.json"]);
}

#[test]
fn an_exported_file_gets_the_users_umask_and_keeps_an_existing_mode() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for umask in ["022", "027"] {
        let fresh = desk.path(&format!("fresh-{umask}.json"));
        let sample = desk.path(&format!("sample-{umask}.json"));
        let bundle = desk.path(&format!("bundle-{umask}"));
        let bin = env!("CARGO_BIN_EXE_eacdesk");
        let db = desk.path("desk.sqlite");
        let script = format!(
            "umask {umask} && touch {probe} && mkdir {probe_dir} && {bin} --db {db} export --profile p1 --out {fresh} && {bin} --db {db} sample --eacs 3 --out {sample} && {bin} --db {db} export --profile p2 --out {bundle}",
            probe = desk.path(&format!("probe-{umask}")).display(),
            probe_dir = desk.path(&format!("probe-dir-{umask}")).display(),
            db = db.display(),
            fresh = fresh.display(),
            sample = sample.display(),
            bundle = bundle.display(),
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .env_remove("EACDESK_DB")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // What `touch` and `mkdir` make under the same umask.
        let file_mode = mode(&desk.path(&format!("probe-{umask}")));
        let dir_mode = mode(&desk.path(&format!("probe-dir-{umask}")));
        assert_eq!(mode(&fresh), file_mode, "umask {umask}");
        assert_eq!(mode(&sample), file_mode, "umask {umask}");
        assert_eq!(mode(&bundle), dir_mode, "umask {umask}");
        assert_eq!(mode(&bundle.join("eacs.json")), file_mode, "umask {umask}");
        assert_eq!(mode(&bundle.join(".eacdesk-bundle")), file_mode);
    }
    // An existing file's (and bundle folder's) mode is kept.
    let kept = desk.path("fresh-022.json");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    let bundle = desk.path("bundle-022");
    std::fs::set_permissions(&bundle, std::fs::Permissions::from_mode(0o750)).unwrap();
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&kept)
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    assert_eq!(mode(&kept), 0o640);
    assert_eq!(mode(&bundle), 0o750);
}

/// The exit code is the error's code: 1 only when data broke a rule; a file
/// that cannot be read, or a command typed wrong, is 2 and never reported
/// as a rule violation.
#[test]
fn exit_codes_follow_the_error_code() {
    let desk = Desk::new();
    let missing = desk.path("missing.json").display().to_string();
    let rule = rule_fixture("rule-02-asset-commissioned-null.json");
    let no_rule = || contains("rule").not();
    // A rule violation: 1.
    desk.eacdesk()
        .args(["validate", "--profile", "p1", &rule])
        .assert()
        .code(1)
        .stdout(contains("(rule 2)"));
    // A missing file: 2, said as a file that cannot be read.
    for args in [
        vec!["validate", "--profile", "p1", &missing],
        vec!["validate", "--profile", "p2", &missing],
        vec!["import", &missing],
    ] {
        desk.eacdesk()
            .args(&args)
            .assert()
            .code(2)
            .stdout(no_rule())
            .stderr(contains("missing.json"))
            .stderr(no_rule());
    }
    // One file broke rules, another could not be read: the worse wins.
    desk.eacdesk()
        .args(["import", &rule, &missing])
        .assert()
        .code(2);
    desk.eacdesk().args(["import", &rule]).assert().code(1);
    // Usage: 2.
    desk.eacdesk()
        .args(["ls", "--no-such-flag"])
        .assert()
        .code(2);
    // Server metadata that is there but cannot be read is an I/O error
    // (2), not a rule 18 violation of the bundle.
    let listing = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples/good-p2-meeting-0926.json");
    let folder = desk.path("p2");
    std::fs::create_dir_all(folder.join("server-metadata.json")).unwrap();
    std::fs::copy(&listing, folder.join("eacs.json")).unwrap();
    let shown = folder.join("eacs.json").display().to_string();
    desk.eacdesk()
        .args(["validate", "--profile", "p2", &shown])
        .assert()
        .code(2)
        .stderr(contains("server-metadata.json"))
        .stdout(no_rule())
        .stderr(no_rule());
    // A number typed on the command line breaks the one rule for amounts
    // (decision 37): 1, decided by the error's code, not by parsing twice.
    desk.eacdesk()
        .args(["set-emissions", "nobody", "--direct", "x", "--lca", "0"])
        .args(["--reason", "typo"])
        .assert()
        .code(1)
        .stderr(contains("direct emission factor `x` is not a number"));
}

/// `--help` explains every value of an option taking a spec enumeration in
/// plain words (the texts of `eac_model::SpecEnum::help`), `-h` lists them,
/// and a wrong value names the allowed ones.
#[test]
fn help_explains_each_value_of_the_spec_options() {
    let desk = Desk::new();
    let help = |args: &[&str]| {
        let out = desk.eacdesk().args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let ls = help(&["ls", "--help"]);
    for text in [
        "natural_gas",
        "Electricity from natural gas.",
        "Not in the 2024-08-29 draft list",
        "servicecontract",
        "Service contracts, named by their id (cds_servicecontract_id).",
        "partly",
        "Some of the EAC's values are retired, others not.",
    ] {
        assert!(ls.contains(text), "`ls --help` lacks {text:?}:\n{ls}");
    }
    // Only the three non-draft technologies say they need the flag.
    assert_eq!(ls.matches("Not in the 2024-08-29 draft list").count(), 3);
    let export = help(&["export", "--help"]);
    assert!(export.contains("p2"), "{export}");
    assert!(export.contains("A FOLDER, not a single file"), "{export}");
    let set = help(&["beneficiaries", "set", "--help"]);
    assert!(
        set.contains("Everyone: the EAC names no beneficiary"),
        "{set}"
    );
    let short = help(&["validate", "-h"]);
    assert!(short.contains("p1, p2"), "{short}");
    desk.eacdesk()
        .args(["export", "--profile", "p3", "--out", "x.json"])
        .assert()
        .code(2)
        .stderr(contains("p3").and(contains("p1, p2")));
}

/// `set ID retired=DATE` dates values proven retired without a date; it
/// never retires a value. On an EAC none of whose values is retired it
/// changes nothing, and says so (no "recorded in the audit log", which it
/// said with 0 changed, nor "it already held these values", which it did
/// not) with what to do instead; nothing is audited.
#[test]
fn a_retirement_date_never_retires_a_value_and_a_set_that_changes_nothing_says_so() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "40", "--seed", "3"])
        .assert()
        .success();
    let not_retired = desk.ids(&["--retired", "no"]);
    let id = not_retired.first().expect("a sample EAC not retired");
    let before = desk.json(&["show", id]);
    let audit = desk.json(&["audit"]).as_array().unwrap().len();
    desk.eacdesk()
        .args(["set", id, "retired=2023-12-01", "--reason", "statement"])
        .assert()
        .success()
        .stdout(contains(
            "1 EAC matches; nothing changed, so no audit record was written.",
        ))
        .stdout(contains(
            "`retired` dates only values proven retired without a date: 1 EAC has values that are not retired, which stay so",
        ))
        .stdout(contains("recorded in the audit log").not());
    assert_eq!(desk.json(&["show", id]), before);
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), audit);
    desk.eacdesk()
        .args(["set", "--help"])
        .assert()
        .success()
        .stdout(contains("it never makes a value retired"));
}

/// `sample` with two destinations checks both before writing either: the
/// database as the second used to be refused after the first file was in
/// place, with "Nothing was written".
#[test]
fn a_sample_with_two_destinations_writes_neither_when_one_is_refused() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    for second in ["desk.sqlite", "x.json"] {
        desk.eacdesk()
            .args([
                "sample",
                "--eacs",
                "2",
                "--out",
                "x.json",
                "--values-csv",
                second,
            ])
            .assert()
            .code(2)
            .stderr(contains("Nothing was written").or(contains("nothing was written")));
        assert!(!desk.path("x.json").exists(), "{second}");
    }
}
