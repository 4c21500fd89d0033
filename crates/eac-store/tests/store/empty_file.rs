//! An empty file (0 bytes: a `> db.sqlite` mistake, a copy cut short)
//! where a database is expected is no database yet (decision 55): a read
//! sees an empty database and leaves the file as it is; a new database is
//! put into it only when the command that makes it succeeds.

use super::*;
use eac_store::NewDatabase;

/// An empty file `name` in `dir`.
fn empty_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, b"").unwrap();
    path
}

#[test]
fn a_read_of_an_empty_file_sees_an_empty_database_and_leaves_the_file_empty() {
    file_only!("an empty SQLite file");
    let dir = TempDir::new().unwrap();
    let db = empty_file(dir.path(), "empty.sqlite");
    assert!(eac_store::atomic::is_empty_database_file(&db));
    // What a read-only folder or disk opens with too: it said the file was
    // "written by an earlier EAC Desk (schema 0)".
    let opens = [Store::open_read(&db), Store::open_read_only(&db)];
    for store in opens {
        let store = store.unwrap();
        assert_eq!(store.info().unwrap().eac_count, 0);
        assert!(store.audit_log(None).unwrap().is_empty());
        assert_eq!(store.verify_audit_chain().unwrap().records, 0);
    }
    // Not made a 1 MB database of, no -wal, -shm or -journal beside it.
    assert_eq!(fs::metadata(&db).unwrap().len(), 0);
    assert_eq!(names(dir.path()), ["empty.sqlite"]);
}

#[test]
fn an_sqlite_file_no_eac_desk_set_up_is_not_called_an_earlier_eac_desks() {
    file_only!("an SQLite file at schema 0");
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("other.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    // It holds nothing (another program's tables are refused as such:
    // other_program.rs).
    conn.execute_batch("CREATE TABLE notes (text TEXT); DROP TABLE notes")
        .unwrap();
    drop(conn);
    let e = Store::open_read_only(&db).unwrap_err().to_string();
    assert!(
        e.contains("is not an EAC Desk database (an SQLite file holding no EAC Desk tables)"),
        "{e}"
    );
    assert!(!e.contains("earlier EAC Desk"), "{e}");
    assert!(!e.contains("schema 0"), "{e}");
}

#[test]
fn a_new_database_fills_an_empty_file_only_when_finished() {
    file_only!("an empty SQLite file");
    let env = Env::new();
    let listing = env.listing("two.json", &[eac("a"), eac("b")]);
    let dir = TempDir::new().unwrap();
    let db = empty_file(dir.path(), "empty.sqlite");

    // A copy never goes into an existing file, an empty one included.
    assert!(NewDatabase::create(&db).is_err());

    // Dropped unfinished (a failed command, a dry run): still empty.
    let mut new = NewDatabase::create_or_fill(&db).unwrap();
    new.store()
        .import_file(&listing, ImportOptions::default(), &NoProgress)
        .unwrap();
    drop(new);
    assert_eq!(fs::metadata(&db).unwrap().len(), 0);
    assert_eq!(names(dir.path()), ["empty.sqlite"]);

    // Finished: the file itself holds the database (links to it and its
    // permissions stay), in write-ahead-log mode.
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        fs::set_permissions(&db, fs::Permissions::from_mode(0o600)).unwrap();
        fs::metadata(&db).unwrap().ino()
    };
    let mut new = NewDatabase::create_or_fill(&db).unwrap();
    new.store()
        .import_file(&listing, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert!(new.finish().unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = fs::metadata(&db).unwrap();
        assert_eq!(meta.ino(), inode);
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let mode: String = rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let store = Store::open_read(&db).unwrap();
    assert_eq!(store.info().unwrap().eac_count, 2);
    assert!(store.verify_audit_chain().unwrap().broken.is_none());
    drop(store);
    let mut store = Store::open(&db).unwrap();
    let more = env.listing("c.json", &[eac("c")]);
    store
        .import_file(&more, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!(store.info().unwrap().eac_count, 3);
}

#[test]
fn a_database_made_in_the_empty_file_meanwhile_is_left_alone() {
    file_only!("an empty SQLite file");
    let env = Env::new();
    let dir = TempDir::new().unwrap();
    let db = empty_file(dir.path(), "empty.sqlite");
    let mut new = NewDatabase::create_or_fill(&db).unwrap();
    new.store()
        .import_file(
            &env.listing("mine.json", &[eac("mine")]),
            ImportOptions::default(),
            &NoProgress,
        )
        .unwrap();
    // Another command makes its database there first.
    let mut other = Store::open(&db).unwrap();
    other
        .import_file(
            &env.listing("theirs.json", &[eac("theirs")]),
            ImportOptions::default(),
            &NoProgress,
        )
        .unwrap();
    drop(other);
    assert!(!new.finish().unwrap());
    let store = Store::open_read(&db).unwrap();
    let ids: Vec<String> = store
        .browse(&BrowseQuery::default())
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect();
    assert_eq!(ids, ["theirs"]);
}
