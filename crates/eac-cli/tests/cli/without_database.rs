//! A `--db` that holds no database: a path that is not there (a typo in a
//! script) or an empty file (0 bytes: `> db.sqlite`, a copy cut short).
//! Commands that check or attest refuse it, exit 2, instead of passing
//! against nothing (tester 37, finding 1); every read leaves an empty file
//! as it is (it made a 1 MB database of it); a write that needs a database
//! refuses it, and one that may start a database fills it only when it
//! succeeds.

use std::path::Path;

use predicates::str::contains;

use super::{entries, example, Desk};

/// A claim given by its criteria, as `claims check` and `claims report`
/// take it.
const CLAIM: [&str; 10] = [
    "--beneficiary-type",
    "account",
    "--beneficiary",
    "A",
    "--from",
    "2022-01-01",
    "--to",
    "2022-12-31",
    "--market",
    "NO",
];

/// The checking commands (the name an error gives, the arguments), each
/// as a script would run it.
fn checks() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("audit verify", vec!["audit", "verify"]),
        ("audit verify", vec!["audit", "verify", "--json"]),
        ("check", vec!["check"]),
        ("check", vec!["check", "--json"]),
        ("claims check", [&["claims", "check"][..], &CLAIM].concat()),
        (
            "claims check",
            vec!["claims", "check", "--claim", "1", "--json"],
        ),
        // A real pack: what refuses is the database, not the folder.
        ("pack diff", vec!["pack", "diff", "pk"]),
    ]
}

/// A desk holding three sample EACs and an evidence pack of them (`pk`),
/// for the commands that check a database against a pack.
fn sampled_with_a_pack() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "pk"])
        .assert()
        .success();
    desk
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn a_checking_command_refuses_a_database_that_is_not_there() {
    let desk = sampled_with_a_pack();
    std::fs::write(desk.path("trunc.sqlite"), b"").unwrap();
    let before = entries(desk.dir.path());
    for (db, why) in [
        ("fy2024-typo.sqlite", ","),
        (
            "trunc.sqlite",
            ": it is an empty file (0 bytes), not an EAC Desk database yet,",
        ),
    ] {
        for (command, args) in checks() {
            // `… && echo PASS` printed PASS: exit 0, empty results, a
            // warning on stderr only.
            desk.bare()
                .args(["--db", db])
                .args(&args)
                .assert()
                .code(2)
                .stdout("")
                .stderr(contains(format!(
                    "error: There is no database at {db}{why} so there is nothing for \
                     `eacdesk {command}` to check"
                )))
                .stderr(contains("Check the path (--db or EACDESK_DB)."));
            assert_eq!(entries(desk.dir.path()), before, "{db} {args:?}");
        }
    }
    assert_eq!(size(&desk.path("trunc.sqlite")), 0);
    // The database the pack was made from still checks.
    for args in [
        vec!["audit", "verify"],
        vec!["check"],
        vec!["pack", "diff", "pk"],
    ] {
        desk.eacdesk().args(&args).assert().success();
    }
}

#[test]
fn a_read_leaves_an_empty_file_as_it_is_and_says_what_it_is() {
    let desk = Desk::new();
    let db = desk.path("trunc.sqlite");
    std::fs::write(&db, b"").unwrap();
    let before = entries(desk.dir.path());
    for args in [
        "ls",
        "ls --json",
        "summary",
        "imports",
        "audit",
        "refdata ls",
        "pack ls",
        "claims ls",
        "period ls",
        "consumption ls",
        "mapping ls",
    ] {
        desk.bare()
            .args(["--db", "trunc.sqlite"])
            .args(args.split(' '))
            .assert()
            .success()
            .stderr(contains(
                "warning: trunc.sqlite is an empty file (0 bytes), not an EAC Desk database \
                 yet: it reads as empty and is left as it is",
            ));
        // Not made a 1 MB database of, nor given a -wal or -shm.
        assert_eq!(size(&db), 0, "{args}");
        assert_eq!(entries(desk.dir.path()), before, "{args}");
    }
}

#[test]
fn a_write_refuses_an_empty_file_or_fills_it_only_when_it_succeeds() {
    let desk = Desk::new();
    let db = desk.path("trunc.sqlite");
    std::fs::write(&db, b"").unwrap();
    std::fs::write(desk.path("bad.json"), "{\"bad\": ").unwrap();
    let before = entries(desk.dir.path());
    // Commands that need a database: refused as for a missing one.
    for args in [
        "delete X --reason x",
        "set X retired=2020-01-01 --reason x",
        "verify --all-matching --reason x",
        "export --profile p1 --out e.json",
        "pack --out pk",
        "refdata rm account X --reason x",
        "undo-import 1 --reason x --yes",
    ] {
        desk.bare()
            .args(["--db", "trunc.sqlite"])
            .args(args.split(' '))
            .assert()
            .code(2)
            .stderr(contains(
                "There is no database at trunc.sqlite: it is an empty file (0 bytes), not an \
                 EAC Desk database yet",
            ));
        assert_eq!(size(&db), 0, "{args}");
        assert_eq!(entries(desk.dir.path()), before, "{args}");
    }
    // A copy from it: no database to copy.
    desk.bare()
        .args(["copy", "--from", "trunc.sqlite", "--to", "c.sqlite"])
        .assert()
        .code(2)
        .stderr(contains("it is an empty file (0 bytes)"))
        .stderr(contains("nothing was copied"));
    assert_eq!(entries(desk.dir.path()), before);
    // Commands that may start one: a failed one or a dry run leaves it
    // empty.
    let good = example("good-p1-mixed-order.json");
    for args in [
        vec!["import", "bad.json"],
        vec!["import", "--dry-run", &good],
        vec!["refdata", "import", "bad.json"],
    ] {
        let out = desk
            .bare()
            .args(["--db", "trunc.sqlite"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.success(), args[1] == "--dry-run", "{args:?}");
        assert_eq!(size(&db), 0, "{args:?}");
        assert_eq!(entries(desk.dir.path()), before, "{args:?}");
    }
    // One that succeeds makes the database in that file, through a link
    // to it as well: the link and the file's permissions stay.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink("trunc.sqlite", desk.path("link.sqlite")).unwrap();
    }
    let name = if cfg!(unix) {
        "link.sqlite"
    } else {
        "trunc.sqlite"
    };
    desk.bare()
        .args(["--db", name, "import", &good])
        .assert()
        .success()
        .stdout(contains("7 added"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let link = std::fs::symlink_metadata(desk.path("link.sqlite")).unwrap();
        assert!(link.file_type().is_symlink());
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(size(&db) > 0);
    desk.bare()
        .args(["--db", "trunc.sqlite", "ls"])
        .assert()
        .success()
        .stdout(contains("of 7 EACs"))
        .stderr("");
    desk.bare()
        .args(["--db", "trunc.sqlite", "audit", "verify"])
        .assert()
        .success();
}

/// `--db` naming another program's SQLite database (a file of tables EAC
/// Desk does not know, `user_version` 0): `ls` wrote EAC Desk's ~80 tables
/// into it (12 KB → 300 KB), as an import would have. Every command now
/// refuses it, exit 2, naming what it holds; the file stays byte-identical
/// and nothing is made beside it.
#[test]
fn another_programs_database_is_refused_by_every_command_and_left_as_it_was() {
    let desk = sampled_with_a_pack();
    let db = desk.path("crm.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE deals (id INTEGER PRIMARY KEY, contact INTEGER, amount TEXT);
         INSERT INTO contacts (name) VALUES ('Ann');",
    )
    .unwrap();
    conn.close().unwrap();
    let bytes = std::fs::read(&db).unwrap();
    let before = entries(desk.dir.path());
    let good = example("good-p1-mixed-order.json");
    for args in [
        vec!["ls"],
        vec!["ls", "--json"],
        vec!["audit", "verify"],
        vec!["audit", "verify", "--json"],
        vec!["check"],
        vec!["pack", "diff", "pk"],
        vec!["show", "X"],
        vec!["import", &good],
        vec!["import", "--dry-run", &good],
        vec!["sample", "--eacs", "3"],
        vec!["refdata", "ls"],
        vec!["copy", "--to", "copy.sqlite"],
    ] {
        desk.bare()
            .args(["--db", "crm.sqlite"])
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                "error: crm.sqlite is an SQLite database of another program (it holds tables \
                 EAC Desk does not use: `contacts`, `deals`); EAC Desk keeps its data in a \
                 database of its own and changes nothing in it. Choose another file, or a new \
                 name to start an EAC Desk database.\n",
            );
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{args:?}");
        assert_eq!(entries(desk.dir.path()), before, "{args:?}");
    }
}

/// `claims report` attests a claim as `claims check` does: against a path
/// that holds no database it is refused, exit 2, nothing made, instead of
/// reporting zero consumption and zero matched (exit 0, a warning on
/// stderr only).
#[test]
fn a_claims_report_refuses_a_database_that_is_not_there() {
    let desk = Desk::new();
    std::fs::write(desk.path("trunc.sqlite"), b"").unwrap();
    let before = entries(desk.dir.path());
    for db in ["fy2024-typo.sqlite", "trunc.sqlite"] {
        for args in [
            [&["claims", "report"][..], &CLAIM].concat(),
            vec!["claims", "report", "--claim", "1", "--json"],
        ] {
            desk.bare()
                .args(["--db", db])
                .args(&args)
                .assert()
                .code(2)
                .stdout("")
                .stderr(contains(format!("error: There is no database at {db}")))
                .stderr(contains(
                    "so there is nothing for `eacdesk claims report` to check",
                ))
                .stderr(contains("Check the path (--db or EACDESK_DB)."));
            assert_eq!(entries(desk.dir.path()), before, "{db} {args:?}");
        }
    }
    assert_eq!(size(&desk.path("trunc.sqlite")), 0);
}
