//! Another program's SQLite database named where EAC Desk's is expected
//! (`--db other.sqlite`, Open database…): a read upgraded "schema 0" and
//! wrote EAC Desk's ~80 tables into it (8 KB → 300 KB). Every open now
//! refuses it, naming the tables EAC Desk does not use, and leaves the file
//! and the files beside it as they were. An SQLite file that holds nothing
//! may still become an EAC Desk database, and EAC Desk's own database
//! opens whatever another tool added to it.

use super::*;
use eac_store::ErrorCode;

/// Another program's database `name` in `dir`, made with plain SQL
/// (`setup` first: a journal mode, a `user_version`).
fn other_program(dir: &Path, name: &str, setup: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(setup).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, total TEXT);
         CREATE INDEX orders_by_customer ON orders (customer);
         CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
         INSERT INTO customers (name) VALUES ('Ann'), ('Bo');
         INSERT INTO orders (customer, total) VALUES (1, '250');",
    )
    .unwrap();
    conn.close().unwrap();
    path
}

/// Asserts `e` is the refusal of another program's database `db`.
fn refused(e: StoreError, db: &Path) {
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(matches!(e, StoreError::OtherProgram { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "{} is an SQLite database of another program (it holds tables EAC Desk does not use: \
             `customers`, `orders`, view `big_orders`, index `orders_by_customer`)",
            db.display()
        )),
        "{text}"
    );
    assert!(text.contains("changes nothing in it"), "{text}");
    assert!(
        text.ends_with("Choose another file, or a new name to start an EAC Desk database"),
        "{text}"
    );
}

#[test]
fn every_open_refuses_another_programs_database_and_leaves_it_byte_identical() {
    file_only!("an SQLite file of another program");
    for (mode, setup) in [
        ("rollback journal", ""),
        ("write-ahead log", "PRAGMA journal_mode = WAL;"),
    ] {
        let dir = TempDir::new().unwrap();
        let db = other_program(dir.path(), "other.sqlite", setup);
        let before = sha256_of(&db);
        assert_eq!(names(dir.path()), ["other.sqlite"], "{mode}");
        refused(Store::open_read(&db).unwrap_err(), &db);
        refused(Store::open(&db).unwrap_err(), &db);
        refused(Store::open_read_only(&db).unwrap_err(), &db);
        // `copy` makes no copy of it either.
        let copy = dir.path().join("copy.sqlite");
        refused(
            eac_store::server_copy::copy_file(&db, &copy, &mut |_| {}).unwrap_err(),
            &db,
        );
        assert_eq!(sha256_of(&db), before, "{mode}");
        // No -wal, -shm or -journal made beside it, no copy.
        assert_eq!(names(dir.path()), ["other.sqlite"], "{mode}");
        // Still the other program's, as it was.
        let conn = rusqlite::Connection::open(&db).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0);
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 4, "{mode}");
    }
}

/// A program may count its own schema in `user_version` as EAC Desk does:
/// at 7 it was taken for EAC Desk's schema 7 and upgraded, at 999 for a
/// newer EAC Desk's. None of its tables is EAC Desk's: refused as such.
#[test]
fn another_programs_schema_version_does_not_make_it_eac_desks() {
    file_only!("an SQLite file of another program");
    for version in [7, 999, -3] {
        let dir = TempDir::new().unwrap();
        let db = other_program(
            dir.path(),
            "other.sqlite",
            &format!("PRAGMA user_version = {version};"),
        );
        let before = sha256_of(&db);
        refused(Store::open_read(&db).unwrap_err(), &db);
        refused(Store::open(&db).unwrap_err(), &db);
        assert_eq!(sha256_of(&db), before, "{version}");
        assert_eq!(names(dir.path()), ["other.sqlite"], "{version}");
    }
}

/// The other program's schema still in its write-ahead log (it stopped
/// before SQLite moved the log into the file): the file alone holds no
/// table, the log is read from a copy and refused. Neither the file nor
/// the log is changed (the last connection to close moves the log into
/// the file), and no `-shm` is made beside them.
#[test]
fn another_programs_schema_still_in_its_log_is_refused_and_the_log_kept() {
    file_only!("an SQLite file of another program");
    let dir = TempDir::new().unwrap();
    let made = dir.path().join("made");
    fs::create_dir(&made).unwrap();
    let live = rusqlite::Connection::open(made.join("other.sqlite")).unwrap();
    live.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;")
        .unwrap();
    live.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO customers (name) VALUES ('Ann');",
    )
    .unwrap();
    // The file and its log as a program killed now leaves them.
    let db = dir.path().join("other.sqlite");
    let wal = dir.path().join("other.sqlite-wal");
    fs::copy(made.join("other.sqlite"), &db).unwrap();
    fs::copy(made.join("other.sqlite-wal"), &wal).unwrap();
    drop(live);
    fs::remove_dir_all(&made).unwrap();
    let (db_before, wal_before) = (sha256_of(&db), sha256_of(&wal));
    for e in [
        Store::open(&db).unwrap_err(),
        Store::open_read(&db).unwrap_err(),
    ] {
        assert!(matches!(e, StoreError::OtherProgram { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("a table EAC Desk does not use: `customers`"),
            "{e}"
        );
        assert_eq!(sha256_of(&db), db_before);
        assert_eq!(sha256_of(&wal), wal_before);
    }
    // Nothing made beside them either (the log was read from a copy).
    assert_eq!(names(dir.path()), ["other.sqlite", "other.sqlite-wal"]);
    // The program's data is all there for it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let name: String = conn
        .query_row("SELECT name FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Ann");
}

/// What still opens: an SQLite file that holds nothing (made by another
/// tool, or vacuumed empty) becomes an EAC Desk database as before, and an
/// EAC Desk database a person added a table or view to opens as it is.
#[test]
fn an_sqlite_file_holding_nothing_and_eac_desks_own_with_additions_still_open() {
    file_only!("SQLite files");
    let dir = TempDir::new().unwrap();
    let empty = dir.path().join("empty.sqlite");
    let conn = rusqlite::Connection::open(&empty).unwrap();
    conn.execute_batch("CREATE TABLE scratch (x); DROP TABLE scratch; VACUUM;")
        .unwrap();
    drop(conn);
    assert!(fs::metadata(&empty).unwrap().len() > 0);
    let mut store = Store::open(&empty).unwrap();
    let env = Env::new();
    let listing = env.listing("one.json", &[eac("a")]);
    store
        .import_file(&listing, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!(store.info().unwrap().eac_count, 1);
    drop(store);

    let db = env.db();
    env.raw_batch(
        "CREATE TABLE my_notes (cds_eac_id TEXT, note TEXT);
         CREATE VIEW my_eacs AS SELECT cds_eac_id FROM eacs;",
    )
    .unwrap();
    drop(env.store);
    Store::open(&db).unwrap();
    Store::open_read(&db).unwrap();
    Store::open_read_only(&db).unwrap();
}

/// EAC Desk's own database whose `user_version` another tool set to 0 is
/// not called another program's: it holds only EAC Desk's tables (the
/// upgrade from 0 then fails, naming its migration, and writes nothing).
#[test]
fn eac_desks_own_tables_at_schema_0_are_not_called_another_programs() {
    file_only!("a file's schema version");
    let env = Env::new();
    let db = env.db();
    drop(env.store);
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 0)
        .unwrap();
    let before = sha256_of(&db);
    let e = Store::open(&db).unwrap_err();
    assert!(!matches!(e, StoreError::OtherProgram { .. }), "{e:?}");
    assert_eq!(sha256_of(&db), before);
}

/// Set in the copy of this test binary that
/// [`leftovers_of_another_programs_database_are_not_mended`] runs as
/// another user: the databases (`:`-separated) to mend.
const MEND_AS_NOBODY: &str = "EACDESK_TEST_MEND_AS_NOBODY";

/// SQLite's `-wal` and `-shm` left unwritable by a read-only opening
/// (decision 289) are mended only beside EAC Desk's own database: beside
/// another program's, nothing is touched before that database is refused
/// (their permissions were given the database's). Run as a user other than
/// root (root may write any file, so nothing needs mending), through
/// `setpriv` as nobody; skipped where that is not possible.
#[cfg(unix)]
#[test]
fn leftovers_of_another_programs_database_are_not_mended() {
    use std::os::unix::fs::{chown, PermissionsExt};
    if let Ok(list) = std::env::var(MEND_AS_NOBODY) {
        // The copy running as nobody.
        for db in list.split(':') {
            let _ = eac_store::companions::mend(Path::new(db));
        }
        return;
    }
    file_only!("SQLite's files beside the database");
    let uid = rustix::process::geteuid().as_raw();
    if uid != 0 {
        eprintln!("skipped: needs root to run as another user");
        return;
    }
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let set_mode = |path: &Path, mode| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    };
    let dir = TempDir::new().unwrap();
    set_mode(dir.path(), 0o755);
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    // Another program's database and EAC Desk's, each in write-ahead-log
    // mode, read while their file was read-only: SQLite leaves the -wal and
    // -shm with the file's permissions of that moment.
    let theirs = other_program(&shared, "theirs.db", "PRAGMA journal_mode = WAL;");
    let ours = shared.join("ours.db");
    {
        let mut store = Store::open(&ours).unwrap();
        store
            .import_eacs("sample", &mut vec![eac("e-1")].into_iter(), &NoProgress)
            .unwrap();
    }
    let side = |db: &Path, suffix: &str| PathBuf::from(format!("{}{suffix}", db.display()));
    for db in [&theirs, &ours] {
        set_mode(db, 0o444);
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        set_mode(db, 0o644);
        for path in [db.to_path_buf(), side(db, "-wal"), side(db, "-shm")] {
            assert!(
                path.is_file(),
                "SQLite left no {}: the test shows nothing",
                path.display()
            );
            chown(&path, Some(65534), Some(65534)).unwrap();
        }
        assert_eq!(mode(&side(db, "-shm")), 0o444, "the test shows nothing");
    }
    // And one whose schema is still in its log (the program stopped before
    // SQLite moved it into the file), its -shm beside it, read-only.
    let in_log = shared.join("theirs-in-log.db");
    {
        let made = dir.path().join("made");
        fs::create_dir(&made).unwrap();
        let live = rusqlite::Connection::open(made.join("x.db")).unwrap();
        live.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);",
        )
        .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let to = side(&in_log, suffix);
            fs::copy(side(&made.join("x.db"), suffix), &to).unwrap();
            set_mode(&to, if suffix.is_empty() { 0o644 } else { 0o444 });
            chown(&to, Some(65534), Some(65534)).unwrap();
        }
        drop(live);
        fs::remove_dir_all(&made).unwrap();
    }
    // Another program's files: their bytes and modes.
    let theirs_now = || -> Vec<(String, u32)> {
        names(&shared)
            .into_iter()
            .filter(|n| n.starts_with("theirs"))
            .map(|n| {
                let path = shared.join(&n);
                (sha256_of(&path), mode(&path))
            })
            .collect()
    };
    let before = theirs_now();
    let ran = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "other_program::leftovers_of_another_programs_database_are_not_mended",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            MEND_AS_NOBODY,
            format!(
                "{}:{}:{}",
                theirs.display(),
                in_log.display(),
                ours.display()
            ),
        )
        .output();
    let Some(out) = ran.ok().filter(|o| o.status.success()) else {
        eprintln!("skipped: cannot run as a user without write access here");
        return;
    };
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // EAC Desk's own are mended, so the copy ran as nobody.
    assert_eq!(mode(&side(&ours, "-wal")), 0o644);
    assert_eq!(mode(&side(&ours, "-shm")), 0o644);
    // Another program's are as they were, and the database is refused.
    let after = theirs_now();
    assert_eq!(after, before);
    assert_eq!(after.len(), 6);
    assert_eq!(mode(&side(&theirs, "-shm")), 0o444);
    assert_eq!(mode(&side(&in_log, "-shm")), 0o444);
    refused(Store::open(&theirs).unwrap_err(), &theirs);
}
