//! Tester 36's security finding 3: a database file whose stored schema
//! another tool edited (`PRAGMA writable_schema`), statements appended to
//! an entry's text. SQLite reads only the first statement of an entry when
//! it opens the file, so the file opens as usual; the first import into it
//! (a fresh load, which makes its indexes, triggers and search table
//! again) ran the rest: it ATTACHed a file of the attacker's choosing and
//! wrote into it. The import is now refused, naming the entry, with
//! nothing written in the database or outside it.

use super::*;
use eac_store::{DeleteTarget, EacFilter};

/// Appends SQL that ATTACHes `target` and writes a table into it to the
/// stored definition of the schema entry `name`, as the tester did, on a
/// connection of another tool.
fn append_attach(db: &Path, name: &str, target: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
    let extra = format!(
        "; ATTACH '{}' AS p; CREATE TABLE p.t(x); INSERT INTO p.t VALUES ('#!/bin/sh')",
        target.display()
    );
    let changed = conn
        .execute(
            "UPDATE sqlite_master SET sql = sql || ?1 WHERE name = ?2",
            rusqlite::params![extra, name],
        )
        .unwrap();
    assert_eq!(changed, 1, "{name}");
    conn.execute_batch("PRAGMA writable_schema = OFF").unwrap();
}

#[test]
fn a_stored_definition_with_statements_appended_refuses_the_first_import_and_runs_nothing() {
    file_only!("the schema of a SQLite file");
    for (name, kind) in [
        ("eacs_by_asset_id", "index"),
        ("eac_facets_kept_insert", "trigger"),
        ("eac_search", "table"),
    ] {
        let env = Env::new();
        let db = env.db();
        let listing = env.listing("two.json", &[eac("e-1"), eac("e-2")]);
        let Env { dir, store, .. } = env;
        drop(store);
        let target = dir.path().join("written-by-schema.txt");
        append_attach(&db, name, &target);
        let before = sha256_of(&db);

        // The file opens (SQLite reads the first statement of each entry).
        let mut store = Store::open(&db).unwrap();
        assert_eq!(store.info().unwrap().eac_count, 0);
        let imported = store.import_file(&listing, ImportOptions::default(), &NoProgress);
        // The in-memory EACs' import (sample data, a registry's) alike.
        let imported_eacs =
            store.import_eacs("test", &mut vec![eac("e-3")].into_iter(), &NoProgress);
        drop(store);
        assert!(
            !target.exists(),
            "{name}: the appended statements ran and wrote {}",
            target.display()
        );
        let message = imported.unwrap_err().to_string();
        assert!(
            message.contains("this database's schema was changed outside EAC Desk")
                && message.contains(&format!("{kind} `{name}`"))
                && message.contains("nothing was imported")
                && message.contains("Open a copy made by EAC Desk"),
            "{name}: {message}"
        );
        let e = imported_eacs.unwrap_err();
        assert!(e.to_string().contains(&format!("{kind} `{name}`")), "{e}");
        assert_eq!(sha256_of(&db), before, "{name}: the database changed");
    }
}

/// EAC Desk's own schema passes the check however often a database is
/// loaded afresh: emptied after a fresh load (which renames its new search
/// table into place), it takes a fresh load again.
#[test]
fn a_database_emptied_after_a_fresh_load_takes_another() {
    file_only!("a fresh load of a SQLite file");
    let mut env = Env::new();
    let listing = env.listing("two.json", &[eac("e-1"), eac("e-2")]);
    for _ in 0..3 {
        env.import(&listing).unwrap();
        assert_eq!(env.ids(search("e-2")), ["e-2"]);
        env.store
            .delete_eacs(
                &DeleteTarget::Filter(EacFilter::default()),
                &why("again"),
                "alice",
                false,
                &NoProgress,
            )
            .unwrap();
        assert_eq!(env.store.info().unwrap().eac_count, 0);
    }
}
