//! A fresh load (an import into a database holding no EAC) is written
//! through a rollback journal (decision 212); the file ends as any other:
//! write-ahead logging, foreign keys enforced, the same rows and undo notes.

use super::*;

fn journal_mode(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap()
}

/// `(cds_eac_id, change, kind)` noted for an undo of batch `batch`.
fn notes(db: &Path, batch: i64) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT cds_eac_id, change, kind FROM import_changes WHERE batch_id = ?1
              ORDER BY cds_eac_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn added(eacs: &[Eac]) -> Vec<(String, String, String)> {
    let mut ids: Vec<_> = eacs
        .iter()
        .map(|e| (e.cds_eac_id.clone(), "added".to_owned(), "eac".to_owned()))
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_fresh_load_ends_in_wal_mode_with_every_eac_noted_for_an_undo() {
    let (a, b) = (varied_eacs("fa", 300), varied_eacs("fb", 40));
    let mut env = Env::new();
    let (fa, fb) = (env.listing("a.json", &a), env.listing("b.json", &b));
    env.import(&fa).unwrap(); // fresh: 300 notes, more than one statement's worth
    assert_eq!(journal_mode(&env.db()), "wal");
    assert!(!env.dir.path().join("eacs.db-journal").exists());
    env.import(&fb).unwrap(); // into a populated database
    assert_eq!(notes(&env.db(), 1), added(&a));
    assert_eq!(notes(&env.db(), 2), added(&b));
    // Foreign keys are enforced again: an orphan value row is refused.
    let orphan = rusqlite::Connection::open(env.db()).unwrap();
    orphan.pragma_update(None, "foreign_keys", true).unwrap();
    assert!(orphan
        .execute(
            "INSERT INTO eac_values (eac_id, position, unit, value) VALUES (99999, 0, 'MWh', '1')",
            [],
        )
        .is_err());
    drop(orphan);
    // An undo of the fresh load removes exactly its EACs.
    assert_eq!(env.ids(EacFilter::default()).len(), 340);
    env.store
        .undo_import(
            1,
            &Reason::new("wrong file").unwrap(),
            "tester",
            false,
            &NoProgress,
        )
        .unwrap();
    let left = env.ids(EacFilter::default());
    assert_eq!(left.len(), 40);
    assert!(left.iter().all(|id| id.starts_with("fb-")));
}

#[test]
fn a_fresh_load_while_another_connection_has_the_file_open_stays_in_the_log() {
    let eacs = varied_eacs("open", 50);
    let mut env = Env::new();
    let path = env.listing("a.json", &eacs);
    // Another reader (the app): the file cannot leave write-ahead logging.
    let reader = rusqlite::Connection::open(env.db()).unwrap();
    let before: i64 = reader
        .query_row("SELECT COUNT(*) FROM eacs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, 0);
    env.import(&path).unwrap();
    let after: i64 = reader
        .query_row("SELECT COUNT(*) FROM eacs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, 50);
    assert_eq!(journal_mode(&env.db()), "wal");
    assert_eq!(notes(&env.db(), 1), added(&eacs));
}
