//! A database a program has chosen already, opened again
//! (`Store::open_existing`: each of the app's long operations opens its own
//! connection), and a connection closed after another program deleted,
//! emptied or replaced its file (`Store::close`): neither makes a database
//! where there is none, and neither writes into a file that is no longer
//! the one opened.

use super::*;

/// `db` with `suffix` (`-wal`, `-shm`) appended to its name.
fn side(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A database at `db` with two EACs, open: the second import is still in
/// its `-wal` (not yet copied into the file).
fn with_log(db: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    for id in ["E-1", "E-2"] {
        store
            .import_eacs(id, &mut std::iter::once(eac(id)), &NoProgress)
            .unwrap();
    }
    assert!(
        fs::metadata(side(db, "-wal")).unwrap().len() > 0,
        "the last import is in the log"
    );
    store
}

fn gone(e: StoreError) -> bool {
    match e {
        StoreError::DatabaseGone { emptied, .. } => emptied,
        e => panic!("not DatabaseGone: {e}"),
    }
}

#[test]
fn a_missing_database_is_not_made_again() {
    file_only!("a database file deleted");
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("desk.sqlite");
    with_log(&db).close();
    for f in [db.clone(), side(&db, "-wal"), side(&db, "-shm")] {
        let _ = fs::remove_file(f);
    }
    let e = Store::open_existing(&db).unwrap_err();
    assert_eq!(e.code(), eac_store::ErrorCode::Io);
    let message = e.to_string();
    assert!(message.contains(&db.display().to_string()), "{message}");
    assert!(message.contains("is no longer there"), "{message}");
    assert!(
        message.contains("no new database was made in its place"),
        "{message}"
    );
    assert!(!gone(e), "missing, not emptied");
    assert_eq!(names(dir.path()), Vec::<String>::new(), "nothing made");

    // Nor its folder.
    let folder = dir.path().join("moved");
    let e = Store::open_existing(&folder.join("desk.sqlite")).unwrap_err();
    assert!(!gone(e));
    assert!(!folder.exists(), "the folder was made");
}

#[test]
fn an_emptied_database_is_left_empty() {
    file_only!("a database file emptied");
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("desk.sqlite");
    with_log(&db).close();
    fs::File::create(&db).unwrap();
    let e = Store::open_existing(&db).unwrap_err();
    assert!(e.to_string().contains("is empty now (0 bytes)"), "{e}");
    assert!(gone(e), "emptied");
    assert_eq!(
        fs::metadata(&db).unwrap().len(),
        0,
        "no database made in it"
    );
    assert_eq!(names(dir.path()), ["desk.sqlite"]);
}

#[test]
fn a_database_that_is_there_opens_again() {
    file_only!("a database file opened again");
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("desk.sqlite");
    let first = with_log(&db);
    let again = Store::open_existing(&db).unwrap();
    assert_eq!(again.info().unwrap().eac_count, 2);
    again.close();
    first.close();
    // The last connection, its file in place, closes as SQLite does: the
    // log copied into the file and removed.
    assert_eq!(names(dir.path()), ["desk.sqlite"]);
    assert_eq!(Store::open_read(&db).unwrap().info().unwrap().eac_count, 2);
}

/// `> desk.sqlite` while a connection is open: SQLite's last connection
/// copied its log into the emptied file as it closed (a file of pages of
/// the old database, damaged) and removed the log.
#[test]
fn a_connection_to_an_emptied_file_writes_nothing_into_it_as_it_closes() {
    file_only!("a database file emptied while open");
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("desk.sqlite");
    let store = with_log(&db);
    let log = fs::read(side(&db, "-wal")).unwrap();
    fs::File::create(&db).unwrap();
    store.close();
    assert_eq!(fs::metadata(&db).unwrap().len(), 0, "written into");
    assert_eq!(
        fs::read(side(&db, "-wal")).unwrap(),
        log,
        "the log is left as it is"
    );
}

/// Another SQLite database, with changes still in its own `-wal`, put in
/// the file's place (a backup restored) while a connection is open: as it
/// closes, the connection copies nothing into it and leaves its log.
#[test]
fn a_connection_to_a_replaced_file_leaves_the_new_file_and_its_log() {
    file_only!("a database file replaced while open");
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("desk.sqlite");
    let store = with_log(&db);
    let other = dir.path().join("other.sqlite");
    let writer = rusqlite::Connection::open(&other).unwrap();
    writer
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept in the log');",
        )
        .unwrap();
    // Its files as they stand, put in place of the open database's.
    fs::copy(&other, dir.path().join("copy")).unwrap();
    fs::copy(side(&other, "-wal"), dir.path().join("copy-wal")).unwrap();
    drop(writer);
    fs::rename(dir.path().join("copy"), &db).unwrap();
    fs::rename(dir.path().join("copy-wal"), side(&db, "-wal")).unwrap();
    let (file, log) = (fs::read(&db).unwrap(), fs::read(side(&db, "-wal")).unwrap());
    assert!(!log.is_empty());
    store.close();
    assert_eq!(fs::read(&db).unwrap(), file, "the new file was written");
    assert_eq!(
        fs::read(side(&db, "-wal")).unwrap(),
        log,
        "the new file's log was changed or removed"
    );
}
