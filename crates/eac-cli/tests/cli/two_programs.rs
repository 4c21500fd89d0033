//! Two programs on one database at once (tester 38): `eacdesk` processes
//! beside another program holding the database's write lock (a raw SQLite
//! connection, as another window or command holds it while it writes).

use super::*;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

/// Another program's connection, holding the write lock until it commits
/// or rolls back.
fn hold(desk: &Desk) -> rusqlite::Connection {
    let holder = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    holder
}

/// `eacdesk ARGS` started, its output piped.
fn start(desk: &Desk, args: &[&str]) -> Child {
    desk.process()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (at most two minutes) until `done` says so.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(120), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The hidden files and folders of exports in the desk's folder.
fn hidden(desk: &Desk) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(desk.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(".eacdesk-export-") || name.starts_with(".eacdesk-bundle-")
        })
        .collect();
    found.sort();
    found
}

/// Waits until `n` exports to `dest` have written their output whole and
/// hidden (a P1 listing ends with its closing brace; a P2 bundle has its
/// marker, written last), so each has read its snapshot and waits to be
/// put in place. Meanwhile (another program holds the write lock) `dest`
/// must stay as it was: an export is put in place only with its record.
fn wait_for_finished_exports(desk: &Desk, n: usize, dest: &str) {
    let dest = desk.path(dest);
    let state = |dest: &Path| (dest.is_dir(), std::fs::read(dest).ok());
    let before = state(&dest);
    wait_until("the exports finish writing", || {
        assert!(
            state(&dest) == before,
            "{} was put in place before its record could be written",
            dest.display()
        );
        let finished = hidden(desk)
            .iter()
            .filter(|p| match p.is_dir() {
                true => p.join(".eacdesk-bundle").is_file(),
                false => std::fs::read(p).is_ok_and(|b| b.ends_with(b"}\n")),
            })
            .count();
        finished == n
    });
}

/// The `export` records of the audit log, newest first: (path, SHA-256).
fn export_records(desk: &Desk) -> Vec<(String, String)> {
    let log = desk.json(&["audit"]);
    let after = |r: &Value, field: &str| {
        let changes = r["changes"].as_array().unwrap();
        let change = changes.iter().find(|c| c["field"] == field).unwrap();
        change["after"].as_str().unwrap().to_owned()
    };
    (log.as_array().unwrap().iter())
        .filter(|r| r["action"] == "export")
        .map(|r| (after(r, "path"), after(r, "sha256")))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A desk of 20 sample EACs.
fn sample_desk() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "20"])
        .assert()
        .success();
    desk
}

/// Finding 1: another program commits while an export is written. The
/// export read one snapshot, and its record would come after the change
/// its file does not hold; it is refused as a pack is (decision 107), the
/// earlier file left in place. P1 and P2.
#[test]
fn an_export_is_refused_when_another_program_committed_while_it_was_written() {
    let desk = sample_desk();
    std::fs::write(desk.path("all.json"), "the earlier export\n").unwrap();
    for (args, dest) in [
        (
            &["export", "--profile", "p1", "--out", "all.json"][..],
            "all.json",
        ),
        (
            &["export", "--profile", "p2", "--out", "bundle"][..],
            "bundle",
        ),
    ] {
        let holder = hold(&desk);
        holder
            .execute_batch("UPDATE eacs SET source_name = 'Changed meanwhile'")
            .unwrap();
        let export = start(&desk, args);
        wait_for_finished_exports(&desk, 1, dest);
        holder.execute_batch("COMMIT").unwrap();
        let out = export.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("The database changed while exporting"),
            "{stderr}"
        );
        assert!(stderr.contains("nothing was written to"), "{stderr}");
        assert!(stderr.contains(dest), "{stderr}");
        assert!(stderr.contains("Export again."), "{stderr}");
        assert!(text(&out.stdout).is_empty());
        assert!(hidden(&desk).is_empty(), "{:?}", hidden(&desk));
        assert!(export_records(&desk).is_empty());
    }
    assert_eq!(
        std::fs::read_to_string(desk.path("all.json")).unwrap(),
        "the earlier export\n"
    );
    assert!(!desk.path("bundle").exists());
    // Exported again, the file holds the change and its record follows it.
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "all.json"])
        .assert()
        .success();
    let file = std::fs::read_to_string(desk.path("all.json")).unwrap();
    assert!(file.contains("Changed meanwhile"));
    assert_eq!(
        export_records(&desk)[0].1,
        sha256_of(&desk.path("all.json"))
    );
}

/// Finding 2: two exports to one file at once. Whichever is put in place
/// first is recorded; the other then finds the database changed (by that
/// record) and is refused, so the newest export record of the path always
/// names the file that is there.
#[test]
fn of_two_exports_to_one_file_the_newest_record_names_the_file_there() {
    let desk = sample_desk();
    let holder = hold(&desk);
    let exports: Vec<Child> = ["S1-000000", "S1-000001"]
        .iter()
        .map(|search| {
            start(
                &desk,
                &[
                    "export",
                    "--profile",
                    "p1",
                    "--out",
                    "same.json",
                    "--search",
                    search,
                ],
            )
        })
        .collect();
    wait_for_finished_exports(&desk, 2, "same.json");
    holder.execute_batch("ROLLBACK").unwrap();
    let outs: Vec<Output> = exports
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![Some(0), Some(2)],
        "{:?}",
        outs.iter().map(|o| text(&o.stderr)).collect::<Vec<_>>()
    );
    let refused = outs.iter().find(|o| o.status.code() == Some(2)).unwrap();
    assert!(
        text(&refused.stderr).contains("The database changed while exporting"),
        "{}",
        text(&refused.stderr)
    );
    let records = export_records(&desk);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].1, sha256_of(&desk.path("same.json")));
    assert!(hidden(&desk).is_empty(), "{:?}", hidden(&desk));
}

/// Finding 1, second half, and finding 4: an export whose record waits
/// for a database another program keeps busy beyond the wait (10 s) is
/// not put in place: the earlier file stays, the hidden one is removed,
/// and the message names the database and says nothing was replaced.
/// Under --json a failed import of the same moment says `busy`.
#[test]
fn a_busy_database_leaves_the_earlier_export_and_names_itself() {
    let desk = sample_desk();
    desk.eacdesk()
        .args(["sample", "--eacs", "3", "--seed", "7", "--out", "f.json"])
        .assert()
        .success();
    std::fs::write(desk.path("e.json"), "the earlier export\n").unwrap();
    let db = desk.path("desk.sqlite").display().to_string();
    let holder = hold(&desk);
    let export = start(&desk, &["export", "--profile", "p1", "--out", "e.json"]);
    let import = start(&desk, &["import", "--json", "f.json"]);
    let out = export.wait_with_output().unwrap();
    let imported = import.wait_with_output().unwrap();
    holder.execute_batch("ROLLBACK").unwrap();

    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(desk.path("e.json")).unwrap(),
        "the earlier export\n"
    );
    assert!(hidden(&desk).is_empty(), "{:?}", hidden(&desk));
    assert!(
        stderr.contains(&format!("The database {db} is busy")),
        "{stderr}"
    );
    assert!(
        stderr.contains("Nothing was exported to e.json: what was there is left as it was."),
        "{stderr}"
    );
    assert!(
        stderr.contains("Wait until it has finished, then export again."),
        "{stderr}"
    );
    assert!(!stderr.contains("was written to"), "{stderr}");
    assert!(export_records(&desk).is_empty());

    assert_eq!(
        imported.status.code(),
        Some(2),
        "{}",
        text(&imported.stderr)
    );
    let report: Value = serde_json::from_slice(&imported.stdout).unwrap();
    let file = &report["files"][0];
    assert_eq!(file["outcome"], "failed");
    assert_eq!(file["code"], "database");
    assert_eq!(file["busy"], true, "{file}");
    let message = file["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("The database {db} is busy:")),
        "{message}"
    );
}

/// Finding 3: `import --dry-run` and `refdata rm --dry-run` while another
/// program writes. The import's dry run (the import rolled back) waits
/// for the lock as the import does; removing reference data as a dry run
/// only reads and answers at once. Neither changes anything.
#[test]
fn dry_runs_are_not_refused_while_another_program_writes() {
    let desk = sample_desk();
    desk.eacdesk()
        .args(["sample", "--eacs", "3", "--seed", "7", "--out", "f.json"])
        .assert()
        .success();
    desk.eacdesk()
        .arg("refdata")
        .arg("import")
        .arg(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/refdata/accounts-2024.json"),
        )
        .assert()
        .success();
    let holder = hold(&desk);
    // Answers while the lock is held.
    desk.eacdesk()
        .args([
            "refdata",
            "rm",
            "account",
            "ACC-1",
            "--dry-run",
            "--reason",
            "closed",
        ])
        .timeout(Duration::from_secs(60))
        .assert()
        .success()
        .stdout(contains("ACC-1"));
    // Waits: the lock is let go a second later, well within the wait.
    let dry_run = start(&desk, &["import", "--dry-run", "f.json"]);
    std::thread::sleep(Duration::from_millis(1500));
    holder.execute_batch("ROLLBACK").unwrap();
    let out = dry_run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Dry run: nothing was written to the database."),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(desk.count(), 20);
    desk.eacdesk()
        .args(["refdata", "ls", "--type", "account"])
        .assert()
        .success()
        .stdout(contains("ACC-1"));
}

/// Finding 5: a bulk edit counted its EACs, then waited for another
/// program's write, which removed them. It says so in one sentence, not
/// "20 EACs match; setting them…" and then "No EAC matches the filter".
#[test]
fn a_bulk_edit_says_when_another_program_changed_its_eacs_meanwhile() {
    use std::io::BufRead;
    let desk = sample_desk();
    let holder = hold(&desk);
    holder.execute_batch("DELETE FROM eacs").unwrap();
    let mut edit = start(
        &desk,
        &[
            "beneficiaries",
            "set",
            "--all-matching",
            "--type",
            "account",
            "--id",
            "X",
            "--yes",
            "--reason",
            "r",
        ],
    );
    let mut lines = std::io::BufReader::new(edit.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert_eq!(first, "20 EACs match; setting them to account: X.");
    holder.execute_batch("COMMIT").unwrap();
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = edit.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        rest,
        vec![
            "Another program or window changed the matching EACs while this edit waited for the \
             database: none match now, so nothing changed."
        ]
    );
    assert_no_beneficiary_change_recorded(&desk);
}

/// A bulk edit without --yes counted one EAC; another program then gave
/// two more the filter's source before the edit had the write lock. The
/// edit is refused with the three it found (nothing changed) and never
/// says "1 EAC matches; setting them to …" first: a plan it did not carry
/// out. Within its one EAC it says the plan once the write is done.
#[test]
fn a_bulk_edit_refused_under_the_lock_never_said_it_was_setting_them() {
    let desk = sample_desk();
    let ids = desk.ids(&[]);
    let raw = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let to_source = |conn: &rusqlite::Connection, id: &str| {
        conn.execute(
            "UPDATE eacs SET source_id = 'SRC-RACE' WHERE cds_eac_id = ?1",
            [id],
        )
        .unwrap();
    };
    to_source(&raw, &ids[0]);
    drop(raw);
    let holder = hold(&desk);
    to_source(&holder, &ids[1]);
    to_source(&holder, &ids[2]);
    let edit = start(
        &desk,
        &[
            "beneficiaries",
            "set",
            "--all-matching",
            "--source",
            "SRC-RACE",
            "--type",
            "account",
            "--id",
            "X",
            "--reason",
            "r",
        ],
    );
    // Time to count the one EAC committed, then wait for the lock (held
    // well within the ten seconds a write waits).
    std::thread::sleep(Duration::from_secs(3));
    holder.execute_batch("COMMIT").unwrap();
    let out = edit.wait_with_output().unwrap();
    let (said, err) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{said}{err}");
    assert!(
        err.contains(
            "This would change the beneficiaries of 3 EACs (1 when counted: another program or \
             window changed the EACs before this change could start); nothing was changed."
        ),
        "{err}"
    );
    assert!(!said.contains("setting them"), "{said}");
    assert_no_beneficiary_change_recorded(&desk);

    // One EAC, no other program: the plan, then what was done.
    let out = desk
        .eacdesk()
        .args(["beneficiaries", "set", "--all-matching", "--search"])
        .arg(&ids[5])
        .args(["--type", "account", "--id", "X", "--reason", "r"])
        .assert()
        .success();
    assert_eq!(
        text(&out.get_output().stdout),
        "1 EAC matches; setting them to account: X.\n\
         Changed 1 EAC (0 already had these beneficiaries).\n"
    );
}

/// No `set_beneficiaries` record in the audit trail: a refused edit wrote
/// nothing.
fn assert_no_beneficiary_change_recorded(desk: &Desk) {
    assert!(desk
        .json(&["audit"])
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["action"] != "set_beneficiaries"));
}
