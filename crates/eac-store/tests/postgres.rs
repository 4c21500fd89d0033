//! Team mode's PostgreSQL schema (issue 17, docs/team-design.md) against a
//! real server: `make test` starts a throwaway cluster
//! (`scripts/pg-cluster.sh`) and names it in `EACDESK_TEST_PG` (a libpq
//! connection string). Without it these tests say so and pass, unless
//! `EACDESK_REQUIRE_PG=1` (set by `make test`) makes that a failure.
//!
//! - `migrations/postgres/` holds the same numbered steps as `migrations/`
//!   from 0014 on (0014 is the whole schema at once), each hashed in its
//!   `SHA256SUMS` like SQLite's;
//! - both schemas have the same tables, columns and index names (the
//!   search: SQLite's FTS5 table, PostgreSQL's `eacs.search_text`);
//! - the kept totals and counts and the append-only audit log work there as
//!   on SQLite.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use postgres::{Client, NoTls};
use sha2::{Digest, Sha256};

fn migrations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

/// `NNNN_name.sql` files of `dir`, by number.
fn numbered(dir: &Path) -> BTreeMap<u32, String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .map(|n| (n[..4].parse().expect("NNNN_"), n))
        .collect()
}

/// The first PostgreSQL step: the whole schema of SQLite's 0001–0014.
const FIRST: u32 = 14;

/// A new database on the test server with the schema of
/// `migrations/postgres/` applied from the files, or `None` (said on
/// stderr) when no server was given.
fn fresh_database(name: &str) -> Option<Client> {
    let conn = empty_database(name)?;
    let mut client = Client::connect(&conn, NoTls).unwrap();
    let dir = migrations().join("postgres");
    let mut tx = client.transaction().unwrap();
    for file in numbered(&dir).values() {
        let sql = fs::read_to_string(dir.join(file)).unwrap();
        tx.batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    tx.commit().unwrap();
    Some(client)
}

#[test]
fn postgres_steps_follow_sqlites_numbers_and_are_never_edited() {
    let sqlite = numbered(&migrations());
    let postgres = numbered(&migrations().join("postgres"));
    let expected: Vec<u32> = sqlite.keys().copied().filter(|n| *n >= FIRST).collect();
    assert_eq!(
        postgres.keys().copied().collect::<Vec<_>>(),
        expected,
        "every SQLite migration from {FIRST:04} on needs its PostgreSQL step, same number"
    );
    let sums = fs::read_to_string(migrations().join("postgres/SHA256SUMS")).unwrap();
    let listed: BTreeMap<&str, &str> = sums
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (hash, file) = l.split_once("  ").expect("<sha256>  <file>");
            (file, hash)
        })
        .collect();
    for file in postgres.values() {
        let bytes = fs::read(migrations().join("postgres").join(file)).unwrap();
        let hash = format!("{:x}", Sha256::digest(bytes));
        assert_eq!(
            listed.get(file.as_str()).copied(),
            Some(hash.as_str()),
            "{file}: a shipped step is never edited; a new one gets its line in \
             migrations/postgres/SHA256SUMS (sha256sum {file} >> SHA256SUMS)"
        );
    }
}

/// Table (and view) → column names, and index names, of the SQLite schema a new store
/// gets (FTS5's tables stand for `eacs.search_text`).
fn sqlite_schema() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("s.sqlite");
    drop(eac_store::Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut tables = BTreeMap::new();
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
               AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'eac_search%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in names {
        let columns: BTreeSet<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([&table], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        tables.insert(table, columns);
    }
    tables
        .get_mut("eacs")
        .unwrap()
        .insert("search_text".to_owned());
    let mut indexes: BTreeSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    indexes.insert("eacs_search".to_owned());
    (tables, indexes)
}

#[test]
fn the_postgres_schema_has_the_tables_columns_and_indexes_of_sqlites() {
    let Some(mut pg) = fresh_database("eacdesk_schema_parity") else {
        return;
    };
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in pg
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name <> 'eacdesk_schema'",
            &[],
        )
        .unwrap()
    {
        tables.entry(row.get(0)).or_default().insert(row.get(1));
    }
    // Primary keys and UNIQUE constraints: SQLite's automatic indexes.
    let indexes: BTreeSet<String> = pg
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'
               AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let (sqlite_tables, sqlite_indexes) = sqlite_schema();
    assert_eq!(tables, sqlite_tables);
    assert_eq!(indexes, sqlite_indexes);
    let version: i32 = pg
        .query_one("SELECT version FROM eacdesk_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version as usize, eac_store::supported_schema_version());
}

#[test]
fn kept_totals_counts_and_the_append_only_audit_log_hold_on_postgres() {
    let Some(mut pg) = fresh_database("eacdesk_kept") else {
        return;
    };
    pg.batch_execute(
        "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
         INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, source_id, source_name,
             asset_id, period_start, period_end, retired_state, value_count, quantity_sort_key,
             import_batch_id, seen_batch_id, version)
         VALUES (1, 'e-1', 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', 'no', 2, 'k', 1, 1, 5),
                (2, 'e-2', 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', 'no', 3, 'k', 1, 1, 7);
         INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale)
         VALUES (1, 'MWh', '1000.0', 10000, 1), (2, 'MWh', '45.5', 455, 1),
                (2, 'kWh', '9223372036854775807', 9223372036854775807, 0);",
    )
    .unwrap();
    let kept = |pg: &mut Client| -> Vec<(String, i64, i64, Option<i64>)> {
        pg.query(
            "SELECT unit, scale, summed, mantissa FROM eac_totals_kept ORDER BY unit, scale",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
    };
    assert_eq!(
        kept(&mut pg),
        [
            ("MWh".to_owned(), 1, 2, Some(10455)),
            ("kWh".to_owned(), 0, 1, Some(i64::MAX)),
        ]
    );
    // A sum leaving 64 bits is summed from the text instead (NULL).
    pg.batch_execute(
        "INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, source_id, source_name,
             asset_id, period_start, period_end, retired_state, value_count, quantity_sort_key,
             import_batch_id, seen_batch_id)
         VALUES (3, 'e-3', 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', 'no', 1, 'k', 1, 1);
         INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale) VALUES (3, 'kWh', '1', 1, 0);",
    )
    .unwrap();
    assert_eq!(kept(&mut pg)[1], ("kWh".to_owned(), 0, 2, None));
    // Deleting an EAC takes its totals and values out of what is kept.
    pg.batch_execute("DELETE FROM eacs WHERE id = 1").unwrap();
    assert_eq!(kept(&mut pg)[0], ("MWh".to_owned(), 1, 1, Some(455)));
    let counts = pg
        .query_one("SELECT \"values\", version_high FROM eac_counts_kept", &[])
        .unwrap();
    assert_eq!((counts.get::<_, i64>(0), counts.get::<_, i64>(1)), (4, 7));

    // The audit log: appended to, never changed, deleted or emptied.
    pg.batch_execute(
        "INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason,
             server_login)
         VALUES ('t', 'ann', 'e-2', 'set_beneficiaries', '{}', '{}', 'contract', session_user)",
    )
    .unwrap();
    for (sql, says) in [
        ("UPDATE audit_log SET reason = 'other'", "never changed"),
        ("DELETE FROM audit_log", "never deleted"),
        ("TRUNCATE audit_log CASCADE", "never deleted"),
    ] {
        let err = pg.batch_execute(sql).unwrap_err();
        let text = err
            .as_db_error()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(text.contains(says), "{sql}: {err}");
    }
    let bad = pg.batch_execute(
        "INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason,
             server_login)
         VALUES ('t', 'ann', 'e-2', 'x', 'not json', '{}', 'why', session_user)",
    );
    assert!(bad.is_err(), "JSON is checked");
    let n: i64 = pg
        .query_one("SELECT count(*) FROM audit_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

/// The kept facet counts and sums (migration 0015, decision 217) rows with
/// something summed, sorted.
type FacetRow = (String, String, String, i64, i64, Option<i64>);

#[test]
fn facet_totals_are_kept_alike_on_both_stores() {
    let Some(mut pg) = fresh_database("eacdesk_facets") else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("f.sqlite");
    drop(eac_store::Store::open(&path).unwrap());
    let lite = rusqlite::Connection::open(&path).unwrap();
    lite.pragma_update(None, "foreign_keys", true).unwrap();
    const KEPT: &str = "SELECT facet, value, unit, scale, summed, mantissa FROM eac_facets_kept
                        WHERE summed > 0 ORDER BY facet, value, unit, scale";
    let mut step = |sql: &str| -> (Vec<FacetRow>, Vec<FacetRow>) {
        lite.execute_batch(sql).unwrap();
        pg.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let on_lite: Vec<FacetRow> = lite
            .prepare(KEPT)
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let on_pg: Vec<FacetRow> = pg
            .query(KEPT, &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect();
        (on_lite, on_pg)
    };
    let mut steps = vec![
        "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
         INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, source_id, source_name,
             destination_id, asset_id, technology_type, beneficiary_type, period_start,
             period_end, retired_state, value_count, quantity_sort_key, import_batch_id,
             seen_batch_id)
         VALUES (1, 'e-1', 'c', 'm', 'S1', 'Src', 'D1', 'A', 'wind', 'general', 'ps', 'pe', 'no',
                 1, 'k', 1, 1),
                (2, 'e-2', 'c', 'm', 'S1', 'Src', NULL, 'A', 'solar', NULL, 'ps', 'pe', 'yes',
                 1, 'k', 1, 1),
                (3, 'e-3', 'c', 'm', 'S2', 'Src', 'D1', 'A', NULL, 'customer', 'ps', 'pe', 'no',
                 1, 'k', 1, 1);
         INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale)
         VALUES (1, 'MWh', '1000.0', 10000, 1), (2, 'MWh', '45.5', 455, 1),
                (2, 'kWh', '9223372036854775807', 9223372036854775807, 0),
                (3, 'kWh', '1', 1, 0), (3, 'Wh', '1e40', NULL, NULL);",
        "UPDATE eacs SET retired_state = 'partly', source_id = 'S2' WHERE id = 1",
        // A period moved (migration 0016): the EAC's count and totals follow.
        "UPDATE eacs SET period_start = 'p0', period_end = 'pf' WHERE id = 3",
        "UPDATE eacs SET beneficiary_type = 'customer', destination_id = 'D2' WHERE id = 2",
        "UPDATE eac_totals SET total = '2', mantissa = 2 WHERE eac_id = 3 AND unit = 'kWh'",
        "DELETE FROM eac_totals WHERE eac_id = 1",
        "DELETE FROM eacs WHERE id = 2",
        "DELETE FROM eac_totals WHERE eac_id = 1; DELETE FROM eacs WHERE id = 1",
    ]
    .into_iter();
    let (on_lite, on_pg) = step(steps.next().unwrap());
    assert_eq!(on_lite, on_pg);
    // S1's kWh went beyond 64 bits (NULL: summed from the totals); the
    // text-only Wh total is in no sum; EAC 3 has no technology.
    assert!(on_lite.contains(&(
        "source_id".into(),
        "S1".into(),
        "kWh".into(),
        0,
        1,
        Some(i64::MAX)
    )));
    assert!(on_lite.contains(&("source_id".into(), "S1".into(), String::new(), 0, 2, None)));
    assert!(!on_lite.iter().any(|r| r.2 == "Wh"));
    for sql in steps {
        let (on_lite, on_pg) = step(sql);
        assert_eq!(on_lite, on_pg, "after {sql}");
    }
    let (on_lite, _) = step("SELECT 1");
    assert_eq!(
        on_lite,
        [
            (
                "beneficiary_type".into(),
                "customer".into(),
                String::new(),
                0,
                1,
                None
            ),
            // Left 64 bits when EAC 2 joined: unknown until the group empties.
            (
                "beneficiary_type".into(),
                "customer".into(),
                "kWh".into(),
                0,
                1,
                None
            ),
            (
                "destination_id".into(),
                "D1".into(),
                String::new(),
                0,
                1,
                None
            ),
            (
                "destination_id".into(),
                "D1".into(),
                "kWh".into(),
                0,
                1,
                Some(2)
            ),
            // EAC 3 moved to another period with its kWh (0016).
            ("period".into(), "p0/pf".into(), String::new(), 0, 1, None),
            ("period".into(), "p0/pf".into(), "kWh".into(), 0, 1, Some(2)),
            (
                "retired_state".into(),
                "no".into(),
                String::new(),
                0,
                1,
                None
            ),
            (
                "retired_state".into(),
                "no".into(),
                "kWh".into(),
                0,
                1,
                Some(2)
            ),
            ("source_id".into(), "S2".into(), String::new(), 0, 1, None),
            ("source_id".into(), "S2".into(), "kWh".into(), 0, 1, Some(2)),
        ] as [FacetRow; 10]
    );
}

/// A new, empty database on the test server (no EAC Desk tables) and the
/// settings that reach it, or `None` (said on stderr) when no server was
/// given.
fn empty_database(name: &str) -> Option<String> {
    let conn = match std::env::var("EACDESK_TEST_PG") {
        Ok(conn) => conn,
        Err(_) => {
            assert!(
                std::env::var("EACDESK_REQUIRE_PG").is_err(),
                "EACDESK_REQUIRE_PG is set but EACDESK_TEST_PG is not"
            );
            eprintln!("skipped: no PostgreSQL server (EACDESK_TEST_PG; `make test` starts one)");
            return None;
        }
    };
    let mut admin = Client::connect(&conn, NoTls).expect("the test server");
    // One statement each: neither runs inside a transaction.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'
                 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        ))
        .unwrap();
    Some(format!("{conn} dbname={name}"))
}

#[test]
fn server_init_sets_up_the_schema_and_roles_that_hold_in_the_database() {
    let Some(db) = empty_database("eacdesk_init") else {
        return;
    };
    let first = eac_store::server::init(&db).unwrap();
    assert_eq!(first.version_before, None);
    assert_eq!(
        first.version as usize,
        eac_store::supported_schema_version()
    );
    assert_eq!(
        first.applied.first().map(String::as_str),
        Some("0014_schema.sql")
    );
    // Again: nothing to apply, the grants made again, nothing else changes.
    let again = eac_store::server::init(&db).unwrap();
    assert_eq!(again.version_before, Some(again.version));
    assert!(again.applied.is_empty());
    assert!(again.roles_created.is_empty());

    // One person in each role (roles belong to the whole server).
    let mut owner = Client::connect(&db, NoTls).unwrap();
    owner
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_test_ann; DROP ROLE IF EXISTS eacdesk_test_bob;
             CREATE ROLE eacdesk_test_ann LOGIN IN ROLE eacdesk_analyst;
             CREATE ROLE eacdesk_test_bob LOGIN IN ROLE eacdesk_auditor;",
        )
        .unwrap();
    let refused = |client: &mut Client, sql: &str| -> String {
        let err = client.batch_execute(sql).unwrap_err();
        err.as_db_error()
            .map(|e| e.message().to_owned())
            .unwrap_or_else(|| err.to_string())
    };
    let mut ann = Client::connect(&format!("{db} user=eacdesk_test_ann"), NoTls).unwrap();
    let mut bob = Client::connect(&format!("{db} user=eacdesk_test_bob"), NoTls).unwrap();
    // The analyst stores an EAC (the kept totals and facets follow as the
    // triggers run with her rights) and writes the audit log.
    ann.batch_execute(
        "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
         INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, source_id, source_name,
             asset_id, period_start, period_end, retired_state, value_count, quantity_sort_key,
             import_batch_id, seen_batch_id)
         VALUES (1, 'e-1', 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', 'no', 1, 'k', 1, 1);
         INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale)
         VALUES (1, 'MWh', '1000.0', 10000, 1);
         UPDATE eacs SET retired_state = 'yes' WHERE id = 1;
         INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason,
             server_login)
         VALUES ('t', 'ann', 'e-1', 'set_beneficiaries', '{}', '{}', 'contract',
             'eacdesk_test_ann');",
    )
    .unwrap();
    // A record naming another login than the one the server authenticated,
    // or none, is refused by the server itself (schema 27).
    for (login, named) in [
        ("'eacdesk_test_bob'", "\"eacdesk_test_bob\""),
        ("NULL", "none"),
    ] {
        let says = refused(
            &mut ann,
            &format!(
                "INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\",
                     reason, server_login)
                 VALUES ('t', 'bob', 'e-1', 'set_beneficiaries', '{{}}', '{{}}', 'as bob', {login})"
            ),
        );
        assert_eq!(
            says,
            format!(
                "an audit record written on this server must name the login that writes it \
                 (eacdesk_test_ann), not {named}"
            )
        );
    }
    // …but cannot change or empty it, nor the schema's version.
    for sql in [
        "UPDATE audit_log SET reason = 'other'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE eacdesk_schema SET version = 99",
        "CREATE TABLE mine (x int)",
    ] {
        let says = refused(&mut ann, sql);
        assert!(says.contains("permission denied"), "{sql}: {says}");
    }
    // The auditor reads everything and changes nothing.
    let n: i64 = bob
        .query_one(
            "SELECT count(*) FROM eacs JOIN eac_facets_kept k ON k.value = eacs.retired_state",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(n >= 1);
    let audited: i64 = bob
        .query_one("SELECT count(*) FROM audit_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(audited, 1);
    for sql in [
        "UPDATE eacs SET retired_state = 'no'",
        "DELETE FROM eacs",
        "INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason)
         VALUES ('t', 'bob', 'e-1', 'x', '{}', '{}', 'why')",
        "INSERT INTO import_batches (id, file_name, imported_at) VALUES (2, 'b.json', 't')",
    ] {
        let says = refused(&mut bob, sql);
        assert!(says.contains("permission denied"), "{sql}: {says}");
    }
    drop((ann, bob));
    owner
        .batch_execute("DROP ROLE eacdesk_test_ann; DROP ROLE eacdesk_test_bob;")
        .unwrap();
}

#[test]
fn server_init_refuses_another_programs_database_and_names_a_bad_address() {
    let Some(db) = empty_database("eacdesk_foreign") else {
        return;
    };
    Client::connect(&db, NoTls)
        .unwrap()
        .batch_execute("CREATE TABLE invoices (id int)")
        .unwrap();
    let err = eac_store::server::init(&db).unwrap_err().to_string();
    assert!(err.contains("another program's"), "{err}");
    let bad = eac_store::server::init("postgres://ann:secret@/x?host=/nonexistent").unwrap_err();
    assert!(!bad.to_string().contains("secret"), "{bad}");
}

/// Tester's report 34, bug 3: `server init` run by an analyst reported the
/// roles "granted again" and the database "owned by" the analyst while the
/// server granted nothing (a warning it ignored). Only the database's
/// owner, who owns its tables, may run it; anyone else is refused with
/// nothing changed.
#[test]
fn server_init_is_refused_to_a_role_that_owns_neither_the_database_nor_its_tables() {
    let Some(db) = empty_database("eacdesk_init_owners") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let mut admin = Client::connect(&db, NoTls).unwrap();
    let me: String = admin
        .query_one("SELECT current_user::text", &[])
        .unwrap()
        .get(0);
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_t34_ann; DROP ROLE IF EXISTS eacdesk_t34_olga;
             CREATE ROLE eacdesk_t34_ann LOGIN IN ROLE eacdesk_analyst;
             CREATE ROLE eacdesk_t34_olga LOGIN;",
        )
        .unwrap();
    let grants = |c: &mut Client| -> Vec<String> {
        c.query(
            "SELECT grantee::text || ' ' || table_name::text || ' ' || privilege_type::text
               FROM information_schema.role_table_grants
              WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let before = grants(&mut admin);
    let e = eac_store::server::init(&format!("{db} user=eacdesk_t34_ann"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("only the database's owner may do this"), "{e}");
    assert!(
        e.contains(&format!(
            "the database eacdesk_init_owners is owned by {me}; you connected as eacdesk_t34_ann"
        )),
        "{e}"
    );
    // The database given to another role, its tables still the first's.
    admin
        .batch_execute("ALTER DATABASE eacdesk_init_owners OWNER TO eacdesk_t34_olga")
        .unwrap();
    let e = eac_store::server::init(&format!("{db} user=eacdesk_t34_olga"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!(
            "its tables are owned by {me}; you connected as eacdesk_t34_olga"
        )),
        "{e}"
    );
    assert_eq!(grants(&mut admin), before);
    admin
        .batch_execute(&format!("ALTER DATABASE eacdesk_init_owners OWNER TO {me}"))
        .unwrap();
    drop(admin);
    let mut cleanup = Client::connect(&std::env::var("EACDESK_TEST_PG").unwrap(), NoTls).unwrap();
    // One statement each: DROP DATABASE runs outside a transaction.
    for sql in [
        "DROP DATABASE eacdesk_init_owners",
        "DROP ROLE eacdesk_t34_ann",
        "DROP ROLE eacdesk_t34_olga",
    ] {
        cleanup.batch_execute(sql).unwrap();
    }
}

#[test]
fn team_md_shows_the_roles_sql_that_init_runs() {
    let doc = fs::read_to_string(migrations().join("../docs/team.md")).unwrap();
    assert!(
        doc.contains(eac_store::server::ROLES_SQL.trim_end()),
        "docs/team.md must show server::ROLES_SQL as it is"
    );
}

#[test]
fn a_store_is_copied_whole_into_an_empty_server_database_and_only_there() {
    let Some(db) = empty_database("eacdesk_copy") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    // A store with EACs of two files, an audited edit, a document with
    // bytes of every value and text with characters COPY escapes.
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut store = eac_store::Store::open(&path).unwrap();
    let fixtures = migrations().join("../tests/fixtures/spec-examples");
    for file in ["good-p1-mixed-order.json", "good-p1-overview-monthly.json"] {
        store
            .import_file(
                &fixtures.join(file),
                eac_store::ImportOptions::default(),
                &eac_store::NoProgress,
            )
            .unwrap();
    }
    let first = store
        .browse(&eac_store::BrowseQuery {
            filter: eac_store::EacFilter::default(),
            sort: eac_store::SortSpec {
                field: eac_store::SortField::CdsEacId,
                descending: false,
            },
            offset: 0,
            limit: 1,
        })
        .unwrap()
        .remove(0);
    store
        .set_beneficiaries(
            &first.cds_eac_id,
            &eac_store::BeneficiaryAssignment {
                beneficiary_type: eac_model::BeneficiaryType::General,
                beneficiaries: Vec::new(),
            },
            &eac_store::Reason::new("a back\\slash reason").unwrap(),
            "ann",
        )
        .unwrap();
    drop(store);
    let all_bytes: Vec<u8> = (0..=255).collect();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO documents (sha256, size, content, format, file_name, imported_at)
             VALUES (?1, 256, ?2, 'test', 'name\twith\\odd\ncharacters.pdf', 't')",
            rusqlite::params![format!("{:064}", 7), all_bytes],
        )
        .unwrap();

    let store = eac_store::Store::open(&path).unwrap();
    let mut heard = Vec::new();
    let report = store
        .copy_to_server(&db, &mut |t| heard.push(t.table.clone()))
        .unwrap();
    assert_eq!(heard.len(), eac_store::server_copy::TABLES.len());
    let lite = rusqlite::Connection::open(&path).unwrap();
    let mut pg = Client::connect(&db, NoTls).unwrap();
    for copied in &report.tables {
        let count = |sql: &str| -> i64 { lite.query_row(sql, [], |r| r.get(0)).unwrap() };
        let table = &copied.table;
        let expected = count(&format!("SELECT count(*) FROM {table}"));
        assert_eq!(copied.rows, u64::try_from(expected).unwrap(), "{table}");
        let on_server: i64 = pg
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(on_server, expected, "{table}");
    }
    assert!(report
        .tables
        .iter()
        .any(|t| t.table == "audit_log" && t.rows > 0));
    // Bytes, odd text and the search text arrive as they were.
    let doc = pg
        .query_one("SELECT content, file_name FROM documents", &[])
        .unwrap();
    assert_eq!(doc.get::<_, Vec<u8>>(0), all_bytes);
    assert_eq!(doc.get::<_, String>(1), "name\twith\\odd\ncharacters.pdf");
    let searchable: i64 = pg
        .query_one("SELECT count(*) FROM eacs WHERE search_text <> ''", &[])
        .unwrap()
        .get(0);
    assert!(searchable > 0);
    // The triggers are on again and ids continue after the copied ones.
    pg.batch_execute(
        "INSERT INTO import_batches (file_name, imported_at) VALUES ('next.json', 't')",
    )
    .unwrap();
    let (max, next): (i64, i64) = {
        let r = pg
            .query_one(
                "SELECT (SELECT max(id) FROM import_batches WHERE file_name <> 'next.json'),
                        (SELECT id FROM import_batches WHERE file_name = 'next.json')",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(next, max + 1);
    let err = pg.batch_execute("DELETE FROM audit_log").unwrap_err();
    assert!(format!("{err:?}").contains("never deleted"), "{err:?}");
    // A database holding data is never copied into.
    let again = store
        .copy_to_server(&db, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(again.contains("already holds data"), "{again}");
    // Nor one not set up.
    let Some(bare) = empty_database("eacdesk_copy_bare") else {
        return;
    };
    let bare = store
        .copy_to_server(&bare, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(bare.contains("server init"), "{bare}");
}

#[test]
fn a_store_copied_to_the_server_and_back_exports_the_same_bytes() {
    let Some(db) = empty_database("eacdesk_round_trip") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut store = eac_store::Store::open(&path).unwrap();
    let fixtures = migrations().join("../tests/fixtures/spec-examples");
    for file in [
        "good-p1-mixed-order.json",
        "good-p1-overview-monthly.json",
        "good-p1-overview-endpoint.json",
    ] {
        store
            .import_file(
                &fixtures.join(file),
                eac_store::ImportOptions::default(),
                &eac_store::NoProgress,
            )
            .unwrap();
    }
    store.copy_to_server(&db, &mut |_| {}).unwrap();

    let back = dir.path().join("back").join("desk.sqlite");
    let mut heard = 0;
    let report = eac_store::server_copy::copy_from_server(&db, &back, &mut |_| heard += 1).unwrap();
    assert_eq!(heard, eac_store::server_copy::TABLES.len());
    assert!(report
        .tables
        .iter()
        .any(|t| t.table == "eacs" && t.rows > 0));
    let copy = eac_store::Store::open(&back).unwrap();
    // The same listing, byte for byte, and the same search answers.
    for (from, name) in [(&store, "a.json"), (&copy, "b.json")] {
        from.export_p1(None, &dir.path().join(name), &eac_store::NoProgress)
            .unwrap();
    }
    assert_eq!(
        fs::read(dir.path().join("a.json")).unwrap(),
        fs::read(dir.path().join("b.json")).unwrap()
    );
    let search = eac_store::EacFilter {
        search: Some("AAA".into()),
        ..Default::default()
    };
    assert_eq!(
        store.summary(&search).unwrap(),
        copy.summary(&search).unwrap()
    );
    assert!(store.summary(&search).unwrap().count > 0);
    assert!(copy.verify_audit_chain().unwrap().broken.is_none());
    // The copy's triggers work again: an edit keeps its totals.
    drop(copy);
    let mut copy = eac_store::Store::open(&back).unwrap();
    let id = copy
        .browse(&eac_store::BrowseQuery {
            filter: eac_store::EacFilter::default(),
            sort: eac_store::SortSpec {
                field: eac_store::SortField::CdsEacId,
                descending: false,
            },
            offset: 0,
            limit: 1,
        })
        .unwrap()
        .remove(0)
        .cds_eac_id;
    copy.delete_eacs(
        &eac_store::DeleteTarget::Ids(vec![id]),
        &eac_store::Reason::new("test").unwrap(),
        "ann",
        false,
        &eac_store::NoProgress,
    )
    .unwrap();
    let all = copy.summary(&eac_store::EacFilter::default()).unwrap();
    let scanned = copy
        .summary(&eac_store::EacFilter {
            exclude_ids: Some(vec!["none".into()]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all, scanned);
    // An auditor's read-only login is enough to take a copy.
    let mut owner = Client::connect(&db, NoTls).unwrap();
    owner
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_test_carol;
             CREATE ROLE eacdesk_test_carol LOGIN IN ROLE eacdesk_auditor;",
        )
        .unwrap();
    let audited = dir.path().join("audited.sqlite");
    eac_store::server_copy::copy_from_server(
        &format!("{db} user=eacdesk_test_carol"),
        &audited,
        &mut |_| {},
    )
    .unwrap();
    assert!(audited.exists());
    owner.batch_execute("DROP ROLE eacdesk_test_carol").unwrap();
    // Never over a file that exists.
    let err = eac_store::server_copy::copy_from_server(&db, &back, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn databases_set_up_at_the_same_time_on_one_server_all_succeed() {
    // Roles belong to the server: setups of several databases at once meet
    // on them (CI saw one fail when another created a role first).
    let names = [
        "eacdesk_together_a",
        "eacdesk_together_b",
        "eacdesk_together_c",
    ];
    let mut dbs = Vec::new();
    for name in names {
        let Some(db) = empty_database(name) else {
            return;
        };
        dbs.push(db);
    }
    std::thread::scope(|scope| {
        let runs: Vec<_> = dbs
            .iter()
            .map(|db| scope.spawn(move || eac_store::server::init(db)))
            .collect();
        for run in runs {
            let report = run.join().unwrap().unwrap();
            assert_eq!(
                report.version as usize,
                eac_store::supported_schema_version()
            );
        }
    });
}

/// Every filter the browse offers, alone and combined.
fn filters() -> Vec<eac_store::EacFilter> {
    use eac_model::{BeneficiaryType, RetiredState, TechnologyType};
    use eac_store::EacFilter;
    let mut out = vec![
        EacFilter::default(),
        EacFilter {
            search: Some("AAA".into()),
            ..Default::default()
        },
        EacFilter {
            search: Some("wind farm".into()),
            ..Default::default()
        },
        EacFilter {
            search: Some("1_0%".into()),
            ..Default::default()
        },
        EacFilter {
            technology: Some(TechnologyType::Wind),
            ..Default::default()
        },
        EacFilter {
            retired: Some(RetiredState::No),
            ..Default::default()
        },
        EacFilter {
            technology: Some(TechnologyType::Solar),
            retired: Some(RetiredState::Yes),
            ..Default::default()
        },
        EacFilter {
            beneficiary_type: Some(BeneficiaryType::Customer),
            ..Default::default()
        },
        EacFilter {
            from: Some("2023-01-01".into()),
            to: Some("2023-12-31".into()),
            ..Default::default()
        },
        EacFilter {
            missing_emissions: Some(true),
            ..Default::default()
        },
        EacFilter {
            incomplete: Some(false),
            ..Default::default()
        },
        EacFilter {
            exclude_ids: Some(vec!["none".into()]),
            ..Default::default()
        },
    ];
    out.push(EacFilter {
        source: Some("REG-OFGEM".into()),
        ..Default::default()
    });
    out
}

#[test]
fn a_server_database_browses_sums_shows_and_exports_as_the_file_it_was_copied_from() {
    use eac_store::{BrowseQuery, SortField, SortSpec, Store};
    let Some(db) = empty_database("eacdesk_server_reads") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let fixtures = migrations().join("../tests/fixtures/spec-examples");
    for name in [
        "good-p1-mixed-order.json",
        "good-p1-overview-monthly.json",
        "good-p1-overview-endpoint.json",
    ] {
        file.import_file(
            &fixtures.join(name),
            eac_store::ImportOptions::default(),
            &eac_store::NoProgress,
        )
        .unwrap();
    }
    let mut sample = eac_sample::generate(400, 7, eac_sample::SampleOptions::default());
    file.import_eacs("sample", &mut sample, &eac_store::NoProgress)
        .unwrap();
    file.copy_to_server(&db, &mut |_| {}).unwrap();
    let server = Store::open_server(&db).unwrap();
    assert!(server.is_server());

    let (a, b) = (file.info().unwrap(), server.info().unwrap());
    assert_eq!(
        (a.eac_count, a.value_count, a.envelope_only_count),
        (b.eac_count, b.value_count, b.envelope_only_count)
    );
    assert!(a.eac_count > 400);

    let sorts = [
        SortField::EacNumber,
        SortField::TechnologyType,
        SortField::PeriodStart,
        SortField::PeriodEnd,
        SortField::Source,
        SortField::Destination,
        SortField::BeneficiaryType,
        SortField::Quantity,
        SortField::RetiredState,
        SortField::Issuance,
        SortField::CdsEacId,
        SortField::CdsModified,
    ];
    for filter in filters() {
        let summary = file.summary(&filter).unwrap();
        assert_eq!(summary, server.summary(&filter).unwrap(), "{filter:?}");
        for field in sorts {
            for descending in [false, true] {
                let query = BrowseQuery {
                    filter: filter.clone(),
                    sort: SortSpec { field, descending },
                    offset: 3,
                    limit: 120,
                };
                assert_eq!(
                    file.browse(&query).unwrap(),
                    server.browse(&query).unwrap(),
                    "{filter:?} {field:?} {descending}"
                );
            }
        }
    }
    // The filters above match something on both sides.
    let wind = eac_store::EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..Default::default()
    };
    assert!(server.summary(&wind).unwrap().count > 0);

    let page = file
        .browse(&BrowseQuery {
            filter: Default::default(),
            sort: SortSpec {
                field: SortField::CdsEacId,
                descending: false,
            },
            offset: 0,
            limit: 1000,
        })
        .unwrap();
    for row in &page {
        assert_eq!(
            file.detail(&row.cds_eac_id).unwrap(),
            server.detail(&row.cds_eac_id).unwrap()
        );
    }
    assert!(matches!(
        server.detail("no-such-eac"),
        Err(eac_store::StoreError::NotFound(_))
    ));
    for field in [
        eac_store::ChoiceField::Source,
        eac_store::ChoiceField::Destination,
    ] {
        assert_eq!(file.choices(field).unwrap(), server.choices(field).unwrap());
    }
    // A selection, streamed in order; an id deleted since is named.
    let ids: Vec<String> = page
        .iter()
        .step_by(7)
        .map(|r| r.cds_eac_id.clone())
        .collect();
    let streamed = |store: &Store, ids: &[String]| {
        let mut out = Vec::new();
        store
            .browse_each(
                &Default::default(),
                SortSpec {
                    field: SortField::Quantity,
                    descending: true,
                },
                Some(ids),
                &mut |row| {
                    out.push(row);
                    Ok(())
                },
            )
            .map(|()| out)
    };
    assert_eq!(
        streamed(&file, &ids).unwrap(),
        streamed(&server, &ids).unwrap()
    );
    let err = streamed(&server, &["gone".to_owned()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("`gone`"), "{err}");

    // The P1 export of either is the same file, byte for byte, also filtered.
    for (i, filter) in [None, Some(wind)].into_iter().enumerate() {
        let (x, y) = (
            dir.path().join(format!("file-{i}.json")),
            dir.path().join(format!("server-{i}.json")),
        );
        let rx = file
            .export_p1(filter.as_ref(), &x, &eac_store::NoProgress)
            .unwrap();
        let ry = server
            .export_p1(filter.as_ref(), &y, &eac_store::NoProgress)
            .unwrap();
        assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap());
        assert_eq!((rx.sha256, rx.eac_count), (ry.sha256, ry.eac_count));
    }

    // A copy into a database that holds data is refused and changes
    // nothing there.
    let err = server.copy_to_server(&db, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("already holds data"), "{err}");
    assert_eq!(
        server.detail(&page[0].cds_eac_id).unwrap(),
        file.detail(&page[0].cds_eac_id).unwrap()
    );
}

/// A store of fixtures copied onto the server database `name`: the file
/// and its server copy, opened twice (two desks).
fn file_and_server(name: &str) -> Option<(tempfile::TempDir, eac_store::Store, String)> {
    let db = empty_database(name)?;
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = eac_store::Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut sample = eac_sample::generate(60, 3, eac_sample::SampleOptions::default());
    file.import_eacs("sample", &mut sample, &eac_store::NoProgress)
        .unwrap();
    file.copy_to_server(&db, &mut |_| {}).unwrap();
    Some((dir, file, db))
}

fn first_ids(store: &eac_store::Store, n: usize) -> Vec<String> {
    store
        .browse(&eac_store::BrowseQuery {
            filter: Default::default(),
            sort: eac_store::SortSpec {
                field: eac_store::SortField::CdsEacId,
                descending: false,
            },
            offset: 0,
            limit: n,
        })
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect()
}

#[test]
fn beneficiaries_set_on_a_server_are_audited_in_its_chain_and_answer_like_the_file() {
    use eac_store::{BeneficiaryAssignment, Reason};
    let Some((_dir, mut file, db)) = file_and_server("eacdesk_server_edit") else {
        return;
    };
    let mut server = eac_store::Store::open_server(&db).unwrap();
    server.set_audit_name(Some("Ann Analyst"));
    let ids = first_ids(&file, 3);
    let to = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec!["CUST-TEAM-1".into(), "CUST-TEAM-2".into()],
    };
    let reason = Reason::new("assigned by the team").unwrap();
    for store in [&mut file, &mut server] {
        for id in &ids {
            let record = store.set_beneficiaries(id, &to, &reason, "ann").unwrap();
            assert_eq!(record.after.as_ref(), Some(&to));
        }
    }
    // The same answers: counts, totals, the search finds the new names.
    for filter in filters().into_iter().chain([eac_store::EacFilter {
        search: Some("cust-team-2".into()),
        ..Default::default()
    }]) {
        assert_eq!(
            file.summary(&filter).unwrap(),
            server.summary(&filter).unwrap(),
            "{filter:?}"
        );
    }
    let found = server
        .summary(&eac_store::EacFilter {
            search: Some("cust-team-2".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.count, 3);
    for id in &ids {
        let (a, b) = (file.detail(id).unwrap(), server.detail(id).unwrap());
        assert_eq!(
            (&a.beneficiary_type, &a.beneficiaries),
            (&b.beneficiary_type, &b.beneficiaries)
        );
        assert_eq!(b.version, a.version);
    }
    // Three records appended to the chain the copy brought, intact.
    let (fc, sc) = (
        file.verify_audit_chain().unwrap(),
        server.verify_audit_chain().unwrap(),
    );
    assert!(sc.broken.is_none(), "{:?}", sc.broken);
    assert_eq!(sc.records, fc.records);
    assert!(sc.records >= 3);
    // Who did it, as the server keeps it.
    let mut raw = Client::connect(&db, NoTls).unwrap();
    let row = raw
        .query_one(
            "SELECT os_user, display_name, reason FROM audit_log ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "ann");
    assert_eq!(
        row.get::<_, Option<String>>(1).as_deref(),
        Some("Ann Analyst")
    );
    assert_eq!(row.get::<_, String>(2), "assigned by the team");
    // Emission factors and fields, one EAC and every match of a filter,
    // a dry run changing nothing.
    let direct = eac_model::Decimal::parse("0.012").unwrap();
    let lca = eac_model::Decimal::parse("0.030").unwrap();
    let wind = eac_store::EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..Default::default()
    };
    let renamed = [eac_store::FieldValue {
        field: eac_store::SettableField::DestinationName,
        value: "Team Utility".into(),
    }];
    for store in [&mut file, &mut server] {
        store
            .set_emissions(&ids[1], &direct, &lca, &reason, "ann")
            .unwrap();
        let planned = store
            .set_fields(
                &eac_store::DeleteTarget::Filter(wind.clone()),
                &renamed,
                &reason,
                "ann",
                true,
                &eac_store::NoProgress,
            )
            .unwrap();
        assert!(planned.changed > 0 && planned.dry_run);
        let done = store
            .set_fields(
                &eac_store::DeleteTarget::Filter(wind.clone()),
                &renamed,
                &reason,
                "ann",
                false,
                &eac_store::NoProgress,
            )
            .unwrap();
        assert_eq!(done.changed, planned.changed);
    }
    let d = server.detail(&ids[1]).unwrap();
    assert_eq!(
        (
            d.emissions_factor_direct.as_deref(),
            d.emissions_factor_lca.as_deref()
        ),
        (Some("0.012"), Some("0.030"))
    );
    for filter in filters() {
        assert_eq!(
            file.summary(&filter).unwrap(),
            server.summary(&filter).unwrap(),
            "{filter:?}"
        );
    }
    let renamed_rows = |store: &eac_store::Store| {
        store
            .browse(&eac_store::BrowseQuery {
                filter: eac_store::EacFilter {
                    search: Some("team utility".into()),
                    ..Default::default()
                },
                sort: eac_store::SortSpec {
                    field: eac_store::SortField::CdsEacId,
                    descending: false,
                },
                offset: 0,
                limit: 1000,
            })
            .unwrap()
            .into_iter()
            .map(|r| (r.cds_eac_id, r.destination_name))
            .collect::<Vec<_>>()
    };
    assert_eq!(renamed_rows(&file), renamed_rows(&server));
    assert!(!renamed_rows(&server).is_empty());
    assert!(server.verify_audit_chain().unwrap().broken.is_none());
    assert_eq!(
        server.verify_audit_chain().unwrap().records,
        file.verify_audit_chain().unwrap().records
    );
    // A refused edit (a blank beneficiary) leaves the server as it was.
    let before = server.detail(&ids[0]).unwrap();
    let bad = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec![" ".into()],
    };
    assert!(server
        .set_beneficiaries(&ids[0], &bad, &reason, "ann")
        .is_err());
    assert_eq!(server.detail(&ids[0]).unwrap(), before);
}

/// Finding 2 of tester report 42: a desk's `USER` named whoever it liked
/// in a server's audit log. Each record written on a server names the login
/// the server authenticated (`server_login`, checked by its trigger), beside
/// the OS login the desk says; conflicts, `audit` and copies in both
/// directions keep it, and the chain covers it.
#[test]
fn audit_records_on_a_server_name_the_login_it_authenticated_and_copies_keep_it() {
    use eac_store::{BeneficiaryAssignment, Reason, StoreError};
    let Some((dir, file, db)) = file_and_server("eacdesk_server_login") else {
        return;
    };
    let mut owner = Client::connect(&db, NoTls).unwrap();
    owner
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_test_lena;
             CREATE ROLE eacdesk_test_lena LOGIN IN ROLE eacdesk_analyst;",
        )
        .unwrap();
    let ids = first_ids(&file, 2);
    let copied = file.audit_log(None).unwrap().len();
    let to = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec!["CUST-L".into()],
    };
    let reason = Reason::new("made by lena's login").unwrap();
    let run = || -> Result<(), String> {
        let mut lena = eac_store::Store::open_server(&format!("{db} user=eacdesk_test_lena"))
            .map_err(|e| e.to_string())?;
        let mut other = eac_store::Store::open_server(&db).map_err(|e| e.to_string())?;
        let seen = other.detail(&ids[0]).unwrap().version;
        // Her desk calls itself bob (its USER): the record says so, and
        // names the login the server checked.
        let record = lena
            .set_beneficiaries(&ids[0], &to, &reason, "bob")
            .unwrap();
        assert_eq!(
            (record.os_user.as_str(), record.server_login.as_deref()),
            ("bob", Some("eacdesk_test_lena"))
        );
        let read = lena.audit_log(Some(&ids[0])).unwrap();
        assert_eq!(read[0].server_login.as_deref(), Some("eacdesk_test_lena"));
        assert_eq!(read[0].os_user, "bob");
        // Another desk saving the EAC it had open is told both names.
        let err = other
            .set_beneficiaries_seen(&ids[0], Some(seen), &to, &reason, "carol")
            .unwrap_err();
        assert!(matches!(err, StoreError::ChangedSince(_)), "{err}");
        let message = err.to_string();
        assert!(
            message.contains(
                "its beneficiaries were changed by bob (server login eacdesk_test_lena) at "
            ),
            "{message}"
        );
        let chain = lena.verify_audit_chain().unwrap();
        assert!(chain.broken.is_none(), "{:?}", chain.broken);
        assert_eq!(chain.records, copied + 1);
        Ok(())
    };
    let ran = run();
    owner.batch_execute("DROP ROLE eacdesk_test_lena").unwrap();
    ran.unwrap();
    // Into a file: the login is kept, the chain intact.
    let back = dir.path().join("back.sqlite");
    eac_store::server_copy::copy_from_server(&db, &back, &mut |_| {}).unwrap();
    let back = eac_store::Store::open(&back).unwrap();
    let newest = back.audit_log(Some(&ids[0])).unwrap();
    assert_eq!(
        (
            newest[0].os_user.as_str(),
            newest[0].server_login.as_deref()
        ),
        ("bob", Some("eacdesk_test_lena"))
    );
    let chain = back.verify_audit_chain().unwrap();
    assert!(chain.broken.is_none(), "{:?}", chain.broken);
    // A record the file writes itself names none.
    let mut back = back;
    let mine = back
        .set_beneficiaries(&ids[1], &to, &reason, "dana")
        .unwrap();
    assert_eq!(mine.server_login, None);
    // And onto another server: the copy (its owner's connection) keeps the
    // login each record was written by, and none for the file's own, and
    // the chain.
    let Some(again) = empty_database("eacdesk_server_login_again") else {
        return;
    };
    eac_store::server::init(&again).unwrap();
    back.copy_to_server(&again, &mut |_| {}).unwrap();
    let again = eac_store::Store::open_server(&again).unwrap();
    let log = again.audit_log(None).unwrap();
    assert_eq!(log[0].server_login, None);
    assert_eq!(log[0].os_user, "dana");
    assert_eq!(log[1].server_login.as_deref(), Some("eacdesk_test_lena"));
    let chain = again.verify_audit_chain().unwrap();
    assert!(chain.broken.is_none(), "{:?}", chain.broken);
}

#[test]
fn two_desks_on_one_server_edit_different_eacs_freely_and_never_overwrite_one_another() {
    use eac_store::{BeneficiaryAssignment, Reason, StoreError};
    let Some((_dir, file, db)) = file_and_server("eacdesk_server_desks") else {
        return;
    };
    let ids = first_ids(&file, 2);
    let mut ann = eac_store::Store::open_server(&db).unwrap();
    let mut bob = eac_store::Store::open_server(&db).unwrap();
    ann.set_audit_name(Some("Ann"));
    bob.set_audit_name(Some("Bob"));
    let assign = |who: &str| BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Account,
        beneficiaries: vec![format!("ACC-{who}")],
    };
    let reason = Reason::new("quarter close").unwrap();

    // Both open the same EAC; Ann saves first; Bob's save is refused and
    // says who changed what, and Ann's assignment stays.
    let seen_by_ann = ann.detail(&ids[0]).unwrap().version;
    let seen_by_bob = bob.detail(&ids[0]).unwrap().version;
    ann.set_beneficiaries_seen(&ids[0], Some(seen_by_ann), &assign("ANN"), &reason, "ann")
        .unwrap();
    let err = bob
        .set_beneficiaries_seen(&ids[0], Some(seen_by_bob), &assign("BOB"), &reason, "bob")
        .unwrap_err();
    assert!(matches!(err, StoreError::ChangedSince(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("its beneficiaries were changed by Ann (ann, server login eacdesk)"),
        "{message}"
    );
    assert!(message.contains("nothing was saved"), "{message}");
    assert_eq!(bob.detail(&ids[0]).unwrap().beneficiaries, vec!["ACC-ANN"]);
    // Reloaded, Bob's edit goes through.
    let fresh = bob.detail(&ids[0]).unwrap().version;
    bob.set_beneficiaries_seen(&ids[0], Some(fresh), &assign("BOB"), &reason, "bob")
        .unwrap();
    assert_eq!(ann.detail(&ids[0]).unwrap().beneficiaries, vec!["ACC-BOB"]);

    // A third connection holds the first EAC's row in an open transaction:
    // an edit of another EAC does not wait for it.
    let mut holder = Client::connect(&db, NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.query_one(
        "SELECT id FROM eacs WHERE cds_eac_id = $1 FOR UPDATE",
        &[&ids[0]],
    )
    .unwrap();
    let other = ids[1].clone();
    let done = std::thread::spawn(move || {
        let mut carol = eac_store::Store::open_server(&db).unwrap();
        carol
            .set_beneficiaries(
                &other,
                &assign("CAROL"),
                &Reason::new("q").unwrap(),
                "carol",
            )
            .map(|_| ())
    });
    // Joined before the holder lets go: it finished without it.
    let edited = done.join().unwrap();
    tx.rollback().unwrap();
    edited.unwrap();
    assert_eq!(
        ann.detail(&ids[1]).unwrap().beneficiaries,
        vec!["ACC-CAROL"]
    );
    assert!(ann.verify_audit_chain().unwrap().broken.is_none());
}

#[test]
fn imports_into_a_server_database_store_what_the_same_imports_store_in_a_file() {
    use eac_store::{ImportOptions, NoProgress, Store};
    let Some(db) = empty_database("eacdesk_server_import") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut server = Store::open_server(&db).unwrap();
    let fixtures = migrations().join("../tests/fixtures/spec-examples");
    let sample = || eac_sample::generate(120, 11, eac_sample::SampleOptions::default());
    // Newer versions of some of them: replaced, audited with the whole EAC.
    let newer = || {
        sample().step_by(5).map(|mut eac| {
            eac.cds_modified = eac_model::Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
            eac.source_name.push_str(" (restated)");
            eac
        })
    };
    for store in [&mut file, &mut server] {
        for name in ["good-p1-mixed-order.json", "good-p1-overview-monthly.json"] {
            let report = store
                .import_file(&fixtures.join(name), ImportOptions::default(), &NoProgress)
                .unwrap();
            assert!(report.added > 0);
        }
        let report = store
            .import_eacs("sample", &mut sample(), &NoProgress)
            .unwrap();
        assert_eq!(report.added, 120);
        let report = store
            .import_eacs("newer", &mut newer(), &NoProgress)
            .unwrap();
        assert_eq!((report.added, report.replaced), (0, 24));
        // The same file again: every EAC skipped.
        let again = store
            .import_file(
                &fixtures.join("good-p1-mixed-order.json"),
                ImportOptions::default(),
                &NoProgress,
            )
            .unwrap();
        assert_eq!(again.added + again.replaced, 0);
    }
    // A file with an error: refused whole, the server unchanged.
    let bad = migrations().join("../tests/fixtures/import/two-good-then-rule-08.json");
    let before = server.info().unwrap();
    let err = server
        .import_file(&bad, ImportOptions::default(), &NoProgress)
        .unwrap_err();
    assert!(matches!(err, eac_store::StoreError::Rules { .. }), "{err}");
    let after = server.info().unwrap();
    assert_eq!(
        (before.eac_count, before.value_count),
        (after.eac_count, after.value_count)
    );

    for filter in filters() {
        assert_eq!(
            file.summary(&filter).unwrap(),
            server.summary(&filter).unwrap(),
            "{filter:?}"
        );
    }
    // The summary's groups and exact sums, by every key.
    {
        use eac_store::SummaryKey::*;
        for by in [
            &[][..],
            &[Technology],
            &[Year, Month],
            &[Quarter, Source],
            &[Retired, Technology, Year],
        ] {
            for filter in filters() {
                let (a, b) = (
                    file.grouped_totals(&filter, by).unwrap(),
                    server.grouped_totals(&filter, by).unwrap(),
                );
                assert_eq!(a, b, "{by:?} {filter:?}");
            }
        }
        assert!(!file
            .grouped_totals(&Default::default(), &[Month])
            .unwrap()
            .groups
            .is_empty());
    }
    let (x, y) = (dir.path().join("file.json"), dir.path().join("server.json"));
    file.export_p1(None, &x, &NoProgress).unwrap();
    server.export_p1(None, &y, &NoProgress).unwrap();
    assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap());
    // Undoing the restatement puts the replaced versions back, both sides.
    for store in [&mut file, &mut server] {
        let batch = store
            .import_batches()
            .unwrap()
            .into_iter()
            .find(|b| b.file_name == "newer")
            .unwrap()
            .id;
        let reason = eac_store::Reason::new("restated by mistake").unwrap();
        let planned = store
            .undo_import(batch, &reason, "ann", true, &NoProgress)
            .unwrap();
        assert_eq!(planned.restored, 24);
        let done = store
            .undo_import(batch, &reason, "ann", false, &NoProgress)
            .unwrap();
        assert_eq!((done.restored, done.removed), (24, 0));
        let again = store
            .undo_import(batch, &reason, "ann", false, &NoProgress)
            .unwrap_err();
        assert!(again.to_string().contains("already undone"), "{again}");
    }
    file.export_p1(None, &x, &NoProgress).unwrap();
    server.export_p1(None, &y, &NoProgress).unwrap();
    assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap());
    // Deleting: a dry run changes nothing; then by filter and by id.
    let solar = eac_store::EacFilter {
        technology: Some(eac_model::TechnologyType::Solar),
        ..Default::default()
    };
    let victim = file
        .browse(&eac_store::BrowseQuery {
            filter: eac_store::EacFilter {
                technology: Some(eac_model::TechnologyType::Wind),
                ..Default::default()
            },
            sort: eac_store::SortSpec {
                field: eac_store::SortField::CdsEacId,
                descending: false,
            },
            offset: 0,
            limit: 1,
        })
        .unwrap()
        .remove(0)
        .cds_eac_id;
    for store in [&mut file, &mut server] {
        let reason = eac_store::Reason::new("withdrawn").unwrap();
        let before = store.info().unwrap().eac_count;
        let planned = store
            .delete_eacs(
                &eac_store::DeleteTarget::Filter(solar.clone()),
                &reason,
                "ann",
                true,
                &NoProgress,
            )
            .unwrap();
        assert!(planned.deleted > 0);
        assert_eq!(store.info().unwrap().eac_count, before);
        let done = store
            .delete_eacs(
                &eac_store::DeleteTarget::Filter(solar.clone()),
                &reason,
                "ann",
                false,
                &NoProgress,
            )
            .unwrap();
        assert_eq!(done.deleted, planned.deleted);
        store
            .delete_eacs(
                &eac_store::DeleteTarget::Ids(vec![victim.clone()]),
                &reason,
                "ann",
                false,
                &NoProgress,
            )
            .unwrap();
        assert_eq!(store.info().unwrap().eac_count, before - done.deleted - 1);
    }
    for filter in filters() {
        assert_eq!(
            file.summary(&filter).unwrap(),
            server.summary(&filter).unwrap(),
            "{filter:?}"
        );
    }
    file.export_p1(None, &x, &NoProgress).unwrap();
    server.export_p1(None, &y, &NoProgress).unwrap();
    assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap());
    // The replacements are in the server's chain, as in the file's.
    let (a, b) = (
        file.verify_audit_chain().unwrap(),
        server.verify_audit_chain().unwrap(),
    );
    assert!(b.broken.is_none(), "{:?}", b.broken);
    assert_eq!(a.records, b.records);
    let restated: Vec<_> = server
        .audit_log(None)
        .unwrap()
        .into_iter()
        .filter(|r| r.action == eac_store::AuditAction::ImportReplace)
        .collect();
    assert_eq!(restated.len(), 24);
}

#[test]
fn a_desk_watching_a_server_database_hears_each_committed_change_and_nothing_else() {
    use eac_store::{BeneficiaryAssignment, Reason, StoreWatch};
    let Some((_dir, file, db)) = file_and_server("eacdesk_server_watch") else {
        return;
    };
    let ids = first_ids(&file, 1);
    let url = address_of(&db);
    let watch = StoreWatch::open(std::path::Path::new(&url)).unwrap();
    let v0 = watch.data_version().unwrap();
    let mut other = eac_store::Store::open_server(&db).unwrap();
    let reason = Reason::new("q").unwrap();
    // Refused (a blank id): rolled back, never announced.
    let blank = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec![" ".into()],
    };
    assert!(other
        .set_beneficiaries(&ids[0], &blank, &reason, "bob")
        .is_err());
    let stale = other.detail(&ids[0]).unwrap().version - 1;
    let good = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec!["CUST-W".into()],
    };
    // A conflict is refused inside the server transaction: rolled back.
    assert!(other
        .set_beneficiaries_seen(&ids[0], Some(stale), &good, &reason, "bob")
        .is_err());
    other
        .set_beneficiaries(&ids[0], &good, &reason, "bob")
        .unwrap();
    // Heard once, however long delivery takes.
    let mut version = watch.data_version().unwrap();
    for _ in 0..100 {
        if version != v0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        version = watch.data_version().unwrap();
    }
    assert_eq!(version, v0 + 1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(watch.data_version().unwrap(), v0 + 1);
}

/// The `postgres://` address of the key=value settings `conn`.
fn address_of(conn: &str) -> String {
    let get = |key: &str| {
        conn.split_whitespace()
            .rev()
            .find_map(|part| part.strip_prefix(&format!("{key}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let port = get("port");
    let port = if port.is_empty() {
        String::new()
    } else {
        format!(":{port}")
    };
    format!(
        "postgres://{}@{}{port}/{}",
        get("user"),
        get("host").replace('/', "%2F"),
        get("dbname")
    )
}

#[test]
fn the_double_counting_check_finds_the_same_on_a_server() {
    use eac_store::{NoProgress, Store};
    let Some(db) = empty_database("eacdesk_server_check") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let sample: Vec<_> =
        eac_sample::generate(40, 9, eac_sample::SampleOptions::default()).collect();
    // The same certificates again under other ids: retired twice.
    let copies: Vec<_> = sample
        .iter()
        .take(6)
        .map(|eac| {
            let mut eac = eac.clone();
            eac.cds_eac_id.push_str("-again");
            eac
        })
        .collect();
    file.import_eacs("sample", &mut sample.into_iter(), &NoProgress)
        .unwrap();
    file.import_eacs("copies", &mut copies.into_iter(), &NoProgress)
        .unwrap();
    file.copy_to_server(&db, &mut |_| {}).unwrap();
    let server = Store::open_server(&db).unwrap();
    for filter in filters() {
        assert_eq!(
            file.check(&filter, &NoProgress).unwrap(),
            server.check(&filter, &NoProgress).unwrap(),
            "{filter:?}"
        );
    }
    let report = server.check(&Default::default(), &NoProgress).unwrap();
    assert!(!report.findings.is_empty(), "{report:?}");
}

#[test]
fn reference_data_is_imported_listed_and_consulted_alike_on_a_server() {
    use eac_model::BeneficiaryType;
    use eac_store::{NoProgress, Store};
    let Some(db) = empty_database("eacdesk_server_refdata") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut server = Store::open_server(&db).unwrap();
    let fixtures = migrations().join("../tests/fixtures/refdata");
    for store in [&mut file, &mut server] {
        for name in [
            "accounts-2024.json",
            "accounts-2026.json",
            "programs.csv",
            "service-contracts.json",
        ] {
            store
                .import_refdata(&fixtures.join(name), &NoProgress)
                .unwrap();
        }
        // A bad file changes nothing.
        assert!(store
            .import_refdata(&fixtures.join("bad-accounts.json"), &NoProgress)
            .is_err());
    }
    assert_eq!(
        file.refdata_counts().unwrap(),
        server.refdata_counts().unwrap()
    );
    assert!(!server.refdata_counts().unwrap().is_empty());
    // The same entries (their import times differ: each store's own).
    let entries = |store: &Store, kind, search| {
        store
            .refdata(kind, search, 0)
            .unwrap()
            .into_iter()
            .map(|e| (e.beneficiary_type, e.id, e.label, e.source_file))
            .collect::<Vec<_>>()
    };
    for kind in [
        None,
        Some(BeneficiaryType::Account),
        Some(BeneficiaryType::Program),
    ] {
        for search in [None, Some("a"), Some("ACC"), Some("zzz-none")] {
            assert_eq!(
                entries(&file, kind, search),
                entries(&server, kind, search),
                "{kind:?} {search:?}"
            );
        }
    }
    for kind in [
        BeneficiaryType::Account,
        BeneficiaryType::Program,
        BeneficiaryType::ServiceContract,
    ] {
        for prefix in ["", "a", "P", "1"] {
            assert_eq!(
                file.beneficiary_choices(kind, prefix, 20).unwrap(),
                server.beneficiary_choices(kind, prefix, 20).unwrap(),
                "{kind:?} {prefix:?}"
            );
        }
        let ids = vec!["nobody-known".to_owned()];
        assert_eq!(
            file.unknown_beneficiaries(kind, &ids).unwrap(),
            server.unknown_beneficiaries(kind, &ids).unwrap()
        );
    }
    // An EAC import warns of the ids the reference data does not hold
    // (tester 36, finding 2), on a server (EACs written a group at a time)
    // as on a file: `e-02` is made to name an account no list holds.
    let mut listing: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            migrations().join("../tests/fixtures/spec-examples/good-p1-mixed-order.json"),
        )
        .unwrap(),
    )
    .unwrap();
    listing["eacs"][1]["beneficiaries"] = serde_json::json!(["ACC-1", "ACC-TYPO"]);
    let month = dir.path().join("month.json");
    std::fs::write(&month, listing.to_string()).unwrap();
    let mut warned = Vec::new();
    for store in [&mut file, &mut server] {
        let report =
            (store.import_file(&month, eac_store::ImportOptions::default(), &NoProgress)).unwrap();
        warned.push(
            (report.warnings.iter())
                .map(|w| (w.cds_eac_id.clone(), w.message.clone()))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(warned[0], warned[1]);
    assert_eq!(warned[0].len(), 1, "{warned:?}");
    assert_eq!(warned[0][0].0.as_deref(), Some("e-02"));
    assert!(
        warned[0][0].1.contains("the account `ACC-TYPO`"),
        "{warned:?}"
    );
    // Removing ids (tester 36, finding 4): a dry run keeps them, the
    // removal takes them out, audited; an id not stored refuses it whole.
    let reason = eac_store::Reason::new("account closed").unwrap();
    let ids = vec!["ACC-1".to_owned()];
    for store in [&mut file, &mut server] {
        let kind = BeneficiaryType::Account;
        let dry = (store.remove_refdata(kind, &ids, &reason, "tester", true)).unwrap();
        assert_eq!((dry.removed.len(), dry.dry_run), (1, true));
        assert!(store.unknown_beneficiaries(kind, &ids).unwrap().is_empty());
        let done = (store.remove_refdata(kind, &ids, &reason, "tester", false)).unwrap();
        assert_eq!(done.removed[0].id, "ACC-1");
        assert_eq!(store.unknown_beneficiaries(kind, &ids).unwrap(), ids);
        let both = vec!["ACC-2".to_owned(), "ACC-1".to_owned()];
        let refused = store.remove_refdata(kind, &both, &reason, "tester", false);
        assert!(
            matches!(
                refused,
                Err(eac_store::StoreError::NoRefdata { ref ids, .. }) if ids == &["ACC-1"]
            ),
            "{refused:?}"
        );
        assert!(store
            .unknown_beneficiaries(kind, &both[..1])
            .unwrap()
            .is_empty());
        let audit = store.audit_log(None).unwrap();
        let removals = (audit.iter())
            .filter(|r| r.action == eac_store::AuditAction::RefdataRemove)
            .count();
        assert_eq!(removals, 1);
    }
    assert_eq!(entries(&file, None, None), entries(&server, None, None));
}

#[test]
fn a_closed_period_freezes_its_eacs_on_a_server_as_on_a_file() {
    use eac_store::{BeneficiaryAssignment, Reason, StoreError};
    let Some((_dir, mut file, db)) = file_and_server("eacdesk_server_periods") else {
        return;
    };
    let mut server = eac_store::Store::open_server(&db).unwrap();
    let reason = Reason::new("books closed").unwrap();
    let (from, to) = (
        eac_model::Date::parse("2020-01-01").unwrap(),
        eac_model::Date::parse("2030-12-31").unwrap(),
    );
    let ids = first_ids(&file, 1);
    let to_assign = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec!["LATE".into()],
    };
    for store in [&mut file, &mut server] {
        let closed = store.close_period(from, to, &reason, "ann").unwrap();
        assert!(closed.eac_count > 0);
        // Inside it nothing changes, and the refusal names the period.
        let err = store
            .set_beneficiaries(&ids[0], &to_assign, &Reason::new("late").unwrap(), "bob")
            .unwrap_err();
        assert!(matches!(err, StoreError::Frozen { .. }), "{err}");
        assert!(!store.frozen_by(&ids[0]).unwrap().is_empty());
        // So is a deletion of many (more than one group), whole.
        let before = store.info().unwrap().eac_count;
        let many = eac_store::DeleteTarget::Ids(first_ids(store, 40));
        let err = store
            .delete_eacs(&many, &reason, "ann", false, &eac_store::NoProgress)
            .unwrap_err();
        assert!(matches!(err, StoreError::Frozen { .. }), "{err}");
        assert_eq!(store.info().unwrap().eac_count, before);
        store
            .reopen_period(closed.id, &Reason::new("audit fix").unwrap(), "ann")
            .unwrap();
        store
            .set_beneficiaries(&ids[0], &to_assign, &Reason::new("late").unwrap(), "bob")
            .unwrap();
        assert!(store.frozen_by(&ids[0]).unwrap().is_empty());
    }
    // Marking verified: every match, then one EAC; audited, times set.
    let wind = eac_store::EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..Default::default()
    };
    for store in [&mut file, &mut server] {
        let planned = store
            .mark_verified(&wind, None, "ann", true, &eac_store::NoProgress)
            .unwrap();
        let done = store
            .mark_verified(&wind, None, "ann", false, &eac_store::NoProgress)
            .unwrap();
        assert_eq!(planned.verified, done.verified);
        store.mark_verified_id(&ids[0], None, "ann").unwrap();
        assert!(store.mark_verified_id("no-such-eac", None, "ann").is_err());
        assert!(store.detail(&ids[0]).unwrap().cds_synced.is_some());
    }
    let audited = |store: &eac_store::Store| {
        store
            .audit_log(None)
            .unwrap()
            .into_iter()
            .filter(|r| r.action == eac_store::AuditAction::Verify)
            .count()
    };
    assert_eq!(audited(&file), audited(&server));
    assert!(audited(&server) > 1);
    let shape = |store: &eac_store::Store| {
        store
            .closed_periods()
            .unwrap()
            .into_iter()
            .map(|p| (p.from, p.to, p.eac_count, p.reopened_by))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&file), shape(&server));
    assert!(server.verify_audit_chain().unwrap().broken.is_none());
}

/// Reads inside a transaction go through a cursor, a chunk of rows at a
/// time (`PgDb::each`): an export of more EACs than one chunk, with each
/// EAC's values read between chunks, is the file's export byte for byte,
/// and so is a filtered one; the server's audit trail reads whole.
#[test]
fn an_export_larger_than_one_cursor_chunk_is_the_files_byte_for_byte() {
    use eac_store::{EacFilter, NoProgress, Store};
    let Some(db) = empty_database("eacdesk_server_chunks") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut server = Store::open_server(&db).unwrap();
    for store in [&mut file, &mut server] {
        let mut sample = eac_sample::generate(4500, 5, eac_sample::SampleOptions::default());
        let report = store
            .import_eacs("sample", &mut sample, &NoProgress)
            .unwrap();
        assert_eq!(report.added, 4500);
    }
    let wind = EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..EacFilter::default()
    };
    for (name, filter) in [("all", None), ("wind", Some(&wind))] {
        let a = dir.path().join(format!("file-{name}.json"));
        let b = dir.path().join(format!("server-{name}.json"));
        let from_file = file.export_p1(filter, &a, &NoProgress).unwrap();
        let from_server = server.export_p1(filter, &b, &NoProgress).unwrap();
        assert_eq!(from_file.eac_count, from_server.eac_count, "{name}");
        assert!(from_server.eac_count > 0, "{name}");
        assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap(), "{name}");
    }
    // Still usable after: a read outside any transaction, a write, a page.
    assert_eq!(server.info().unwrap().eac_count, 4500);
    assert_eq!(first_ids(&server, 5), first_ids(&file, 5));
}

// Claims (issue 15) on a server database: consumption, claims with their
// allocations, emission factors, as on a file.

/// Consumption rows of `beneficiary` (`kind`), a month each from
/// `2024-MM-01`, with exact values beyond what a float holds.
fn consumption_rows(
    kind: eac_model::BeneficiaryType,
    beneficiary: &str,
    months: &[(u32, &str)],
) -> Vec<eac_store::NewConsumption> {
    let ts = |t: String| eac_model::Timestamp::parse(&t).unwrap();
    months
        .iter()
        .enumerate()
        .map(|(i, (month, value))| eac_store::NewConsumption {
            beneficiary_type: kind,
            beneficiary: beneficiary.to_owned(),
            start: ts(format!("2024-{month:02}-01T00:00:00Z")),
            end: ts(if *month == 12 {
                "2025-01-01T00:00:00Z".to_owned()
            } else {
                format!("2024-{:02}-01T00:00:00Z", month + 1)
            }),
            value: eac_model::Decimal::parse(value).unwrap(),
            unit: eac_model::EnergyUnit::MWh,
            line: u64::try_from(i + 2).unwrap(),
        })
        .collect()
}

/// What both stores must answer alike: every listed row but the times each
/// store read from its own clock.
fn claims_state(store: &eac_store::Store) -> String {
    use eac_model::BeneficiaryType;
    let mut out = String::new();
    let consumption = |kind, ids: &[&str], within| {
        let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
        store
            .consumption(kind, &ids, within)
            .unwrap()
            .into_iter()
            .map(|mut c| {
                c.imported_at.clear();
                c
            })
            .collect::<Vec<_>>()
    };
    let ts = |t: &str| eac_model::Timestamp::parse(t).unwrap();
    for (kind, ids, within) in [
        (None, &[][..], None),
        (Some(BeneficiaryType::Account), &[][..], None),
        (
            Some(BeneficiaryType::Account),
            &["acc-2", "acc-1"][..],
            None,
        ),
        (
            Some(BeneficiaryType::Customer),
            &["CUST-A"][..],
            Some((ts("2024-02-15T00:00:00Z"), ts("2024-04-01T00:00:00Z"))),
        ),
        (Some(BeneficiaryType::General), &["ignored"][..], None),
        (
            None,
            &[][..],
            Some((ts("2030-01-01T00:00:00Z"), ts("2031-01-01T00:00:00Z"))),
        ),
    ] {
        out.push_str(&format!(
            "consumption {kind:?} {ids:?} {within:?}: {:?}\n",
            consumption(kind, ids, within)
        ));
    }
    for mut claim in store.claims().unwrap() {
        let id = claim.id;
        assert_eq!(store.claim(id).unwrap(), claim);
        claim.created_at.clear();
        out.push_str(&format!("claim {claim:?}\n"));
        out.push_str(&format!(
            "allocations {:?}\n",
            store.claim_allocations(id).unwrap()
        ));
        out.push_str(&format!(
            "elsewhere than #{id}: {:?}\n",
            store.allocated_elsewhere(Some(id)).unwrap()
        ));
        let mut kept = store.claim_factors(&store.claim(id).unwrap()).unwrap();
        for f in &mut kept.factors {
            f.set_at.clear();
        }
        out.push_str(&format!("factors of #{id}: {kept:?}\n"));
        for kind in ["residual_mix", "grid"] {
            out.push_str(&format!(
                "claims of {kind} no 2024: {:?}\n",
                store.claims_of_factor(" no", kind, 2024).unwrap()
            ));
        }
    }
    out.push_str(&format!(
        "allocated {:?}\n",
        store.allocated_elsewhere(None).unwrap()
    ));
    for mut f in store.emission_factors().unwrap() {
        f.set_at.clear();
        out.push_str(&format!("factor {f:?}\n"));
    }
    out
}

/// The audit records as both stores must have them (their times aside).
fn audit_shape(store: &eac_store::Store) -> Vec<String> {
    store
        .audit_log(None)
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{} {:?} {:?} {} {} {:?}",
                r.id, r.action, r.changes, r.reason, r.os_user, r.source_file
            )
        })
        .collect()
}

#[test]
fn claims_and_consumption_are_recorded_on_a_server_as_in_a_file() {
    use bigdecimal::BigDecimal;
    use eac_model::{units, BeneficiaryType, EnergyUnit};
    use eac_store::{ErrorCode, NewAllocation, NewClaim, Reason, Store};
    let Some((_dir, mut file, db)) = file_and_server("eacdesk_server_claims") else {
        return;
    };
    let mut server = Store::open_server(&db).unwrap();

    // The EACs of each beneficiary read alike (what a claim is matched from).
    let details: Vec<_> = first_ids(&file, 60)
        .iter()
        .map(|id| file.detail(id).unwrap())
        .collect();
    let mut customer = None;
    for kind in BeneficiaryType::ALL {
        let ids: Vec<String> = details
            .iter()
            .filter(|d| d.beneficiary_type == Some(*kind))
            .flat_map(|d| d.beneficiaries.iter().take(1).cloned())
            .take(2)
            .chain(["nobody".to_owned()])
            .collect();
        let mine = file.eacs_of_beneficiaries(*kind, &ids).unwrap();
        assert_eq!(mine, server.eacs_of_beneficiaries(*kind, &ids).unwrap());
        assert!(
            server.eacs_of_beneficiaries(*kind, &[]).unwrap()
                == file.eacs_of_beneficiaries(*kind, &[]).unwrap()
        );
        if *kind == BeneficiaryType::Customer && ids.len() > 1 {
            assert!(!mine.is_empty());
            customer = Some((ids[0].clone(), mine));
        }
    }
    let (who, eacs) = customer.expect("the sample has customers");
    // Two values of that customer's EACs: all of the first, a third of the
    // second (24 decimal places of Wh: beyond what a float keeps).
    let values: Vec<(String, u32, BigDecimal)> = eacs
        .iter()
        .flat_map(|e| {
            e.values.iter().enumerate().map(|(i, v)| {
                (
                    e.cds_eac_id.clone(),
                    u32::try_from(i).unwrap(),
                    units::convert(&v.value.to_big(), v.unit, EnergyUnit::Wh),
                )
            })
        })
        .take(2)
        .collect();
    assert_eq!(values.len(), 2, "{eacs:?}");
    let ts = |t: &str| eac_model::Timestamp::parse(t).unwrap();
    let allocation =
        |(id, position, _): &(String, u32, BigDecimal), wh: BigDecimal| NewAllocation {
            cds_eac_id: id.clone(),
            position: *position,
            start: ts("2024-01-01T00:00:00Z"),
            end: ts("2025-01-01T00:00:00Z"),
            quantity_wh: wh,
        };
    let part = (&values[1].2 / BigDecimal::from(3)).with_scale(24);
    let rest = &values[1].2 - &part;
    let tiny = BigDecimal::new(1.into(), 24);
    let claim = |name: &str, allocations| NewClaim {
        name: name.into(),
        beneficiary_type: BeneficiaryType::Customer,
        beneficiaries: vec![who.clone()],
        from: eac_model::Date::parse("2024-01-01").unwrap(),
        to: eac_model::Date::parse("2024-12-31").unwrap(),
        granularity: "annual".into(),
        market: Some("NO".into()),
        bidding_zone: None,
        unit: EnergyUnit::MWh,
        only_passing: None,
        allocations,
        planned_at: None,
    };
    let first = claim(
        "2024 filing",
        vec![
            allocation(&values[0], values[0].2.clone()),
            allocation(&values[1], part.clone()),
        ],
    );
    let reason = Reason::new("2024 filing").unwrap();

    for store in [&mut file, &mut server] {
        // Consumption: imported whole, audited.
        let n = store
            .import_consumption(
                "a.csv",
                &consumption_rows(
                    BeneficiaryType::Account,
                    "acc-1",
                    &[(1, "1.50"), (2, "0.333333333333333333333333"), (3, "12")],
                ),
                "ann",
            )
            .unwrap();
        assert_eq!(n, 3);
        let mut rows = consumption_rows(BeneficiaryType::Customer, &who, &[(1, "7.25")]);
        rows.extend(consumption_rows(
            BeneficiaryType::Customer,
            "CUST-A",
            &[(2, "1"), (3, "2.000"), (4, "3")],
        ));
        rows.extend(consumption_rows(
            BeneficiaryType::Account,
            "acc-2",
            &[(12, "0.1")],
        ));
        store.import_consumption("b.csv", &rows, "bob").unwrap();

        // A file overlapping stored consumption is refused whole, each
        // row located; nothing changes, nothing is audited.
        let before = (claims_state(store), audit_shape(store));
        let err = store
            .import_consumption(
                "bad.csv",
                &[
                    consumption_rows(BeneficiaryType::Account, "acc-3", &[(1, "5")]),
                    consumption_rows(BeneficiaryType::Account, "acc-1", &[(2, "5")]),
                    consumption_rows(BeneficiaryType::Customer, "CUST-A", &[(4, "5")]),
                ]
                .concat(),
                "ann",
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation);
        let text = format!("{err:?}");
        assert!(text.contains("acc-1") && text.contains("CUST-A"), "{text}");
        assert!(!text.contains("acc-3"), "{text}");
        assert_eq!((claims_state(store), audit_shape(store)), before);

        // A claim: its allocations kept exactly, audited, with the factor
        // of its market and year entered then (another spelling).
        store
            .set_emission_factor(
                "no",
                "residual_mix",
                2024,
                &eac_model::Decimal::parse("0.3900").unwrap(),
                "AIB first",
                &reason,
                "ann",
            )
            .unwrap();
        let recorded = store.create_claim(&first, &reason, "ann").unwrap();
        assert!(recorded.factors_recorded);
        let kept = store
            .claim_factors(&store.claim(recorded.id).unwrap())
            .unwrap();
        assert!(kept.recorded);
        assert_eq!(
            kept.factors
                .iter()
                .map(|f| (f.kind.as_str(), f.market.as_str(), f.tco2e_per_mwh.as_str()))
                .collect::<Vec<_>>(),
            [("residual_mix", "no", "0.3900")]
        );
        assert_eq!(recorded.allocation_count, 2);
        assert_eq!(recorded.beneficiaries, vec![who.clone()]);
        let held = store.allocated_elsewhere(None).unwrap();
        assert_eq!(held[&(values[1].0.clone(), values[1].1)].quantity_wh, part);

        // The same consumption claimed again: refused whole, naming the
        // claim (each hour of consumption may be claimed once).
        let before = (claims_state(store), audit_shape(store));
        let err = store
            .create_claim(&claim("again", Vec::new()), &reason, "ann")
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "{err}");
        assert!(
            err.to_string().contains(&format!(
                "customer `{who}` 2024-01-01 – 2024-01-31, 1 row, by recorded claim #{} \
                 (2024 filing)",
                recorded.id
            )),
            "{err}"
        );
        let clash = store
            .consumption_claimed(
                BeneficiaryType::Customer,
                std::slice::from_ref(&who),
                eac_model::Date::parse("2024-01-01").unwrap(),
                eac_model::Date::parse("2024-12-31").unwrap(),
                None,
            )
            .unwrap();
        assert_eq!(
            clash
                .iter()
                .map(|c| (c.claim_id, c.rows))
                .collect::<Vec<_>>(),
            [(recorded.id, 1)]
        );
        assert_eq!((claims_state(store), audit_shape(store)), before);
        // Further claims over the same values are for another customer,
        // with consumption of its own (decision 171 lets them share values).
        let for_other = |name: &str, allocations| NewClaim {
            beneficiaries: vec!["CUST-A".into()],
            ..claim(name, allocations)
        };

        // Beyond a value's quantity over all claims, by 10^-24 Wh: refused
        // whole.
        let over = for_other("too much", vec![allocation(&values[1], &rest + &tiny)]);
        let err = store.create_claim(&over, &reason, "ann").unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
        assert!(err.to_string().contains("beyond their quantity"), "{err}");
        let mut ghost = for_other("ghost", vec![allocation(&values[0], BigDecimal::from(1))]);
        ghost.allocations[0].cds_eac_id = "no-such-eac".into();
        let err = store.create_claim(&ghost, &reason, "ann").unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
        // Consumption a claim was allocated against stays.
        let err = store
            .delete_consumption(BeneficiaryType::Customer, &who, &reason, "ann")
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
        assert_eq!((claims_state(store), audit_shape(store)), before);
        // What is left of the second value goes to a second claim.
        let second = store
            .create_claim(
                &for_other("the rest", vec![allocation(&values[1], rest.clone())]),
                &reason,
                "bob",
            )
            .unwrap();
        assert_eq!(second.id, recorded.id + 1);
        let held = store.allocated_elsewhere(None).unwrap();
        assert_eq!(
            held[&(values[1].0.clone(), values[1].1)].quantity_wh,
            values[1].2
        );
        assert_eq!(
            held[&(values[1].0.clone(), values[1].1)].claims,
            vec![recorded.id, second.id]
        );

        // Emission factors: set, replaced (audited with both), found in any case.
        for f in ["0.4", "0.41"] {
            store
                .set_emission_factor(
                    "NO",
                    "residual_mix",
                    2024,
                    &eac_model::Decimal::parse(f).unwrap(),
                    "AIB",
                    &reason,
                    "ann",
                )
                .unwrap();
        }
        store
            .set_emission_factor(
                "DE",
                "grid",
                2024,
                &eac_model::Decimal::parse("0.380").unwrap(),
                "UBA",
                &reason,
                "ann",
            )
            .unwrap();
        let found = store
            .emission_factor(" no ", "residual_mix", 2024)
            .unwrap()
            .unwrap();
        assert_eq!(found.tco2e_per_mwh, "0.41");
        assert!(store.emission_factor("NO", "grid", 2024).unwrap().is_none());
        // The recorded claims keep the factor they were recorded with.
        assert_eq!(
            store
                .claim_factors(&store.claim(recorded.id).unwrap())
                .unwrap(),
            kept
        );
    }
    assert_eq!(claims_state(&file), claims_state(&server));
    assert_eq!(audit_shape(&file), audit_shape(&server));

    // Deleting: a claim frees its values; consumption goes once no claim
    // is for its beneficiary.
    for store in [&mut file, &mut server] {
        let redo = Reason::new("redo").unwrap();
        for claim in store.claims().unwrap() {
            let gone = store.delete_claim(claim.id, &redo, "ann").unwrap();
            assert_eq!(gone.id, claim.id);
            assert_eq!(
                store.claim(claim.id).unwrap_err().code(),
                ErrorCode::NotFound
            );
        }
        assert!(store.claims().unwrap().is_empty());
        assert!(store.allocated_elsewhere(None).unwrap().is_empty());
        let gone = store
            .delete_consumption(BeneficiaryType::Customer, &who, &redo, "ann")
            .unwrap();
        assert_eq!(
            (gone.rows, gone.files.clone()),
            (1, vec!["b.csv".to_owned()])
        );
        let gone = store
            .delete_consumption(BeneficiaryType::Account, "acc-1", &redo, "ann")
            .unwrap();
        assert_eq!(gone.rows, 3);
        assert_eq!(
            store
                .delete_consumption(BeneficiaryType::Account, "acc-1", &redo, "ann")
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
    }
    assert_eq!(claims_state(&file), claims_state(&server));
    assert_eq!(audit_shape(&file), audit_shape(&server));
    // The claims' recorded factors went with them.
    let in_file: i64 = rusqlite::Connection::open(_dir.path().join("desk.sqlite"))
        .unwrap()
        .query_row("SELECT count(*) FROM claim_factors", [], |r| r.get(0))
        .unwrap();
    let on_server: i64 = Client::connect(&db, NoTls)
        .unwrap()
        .query_one("SELECT count(*) FROM claim_factors", &[])
        .unwrap()
        .get(0);
    assert_eq!((in_file, on_server), (0, 0));
    let actions: BTreeSet<String> = server
        .audit_log(None)
        .unwrap()
        .into_iter()
        .map(|r| r.action.as_str().to_owned())
        .collect();
    for action in [
        "consumption_import",
        "claim_create",
        "claim_delete",
        "factor_set",
        "consumption_delete",
    ] {
        assert!(actions.contains(action), "{action}: {actions:?}");
    }
    let (a, b) = (
        file.verify_audit_chain().unwrap(),
        server.verify_audit_chain().unwrap(),
    );
    assert!(b.broken.is_none(), "{:?}", b.broken);
    assert_eq!(a.records, b.records);
    // Another desk on the same server sees the same.
    let other = Store::open_server(&db).unwrap();
    assert_eq!(claims_state(&other), claims_state(&server));
}

#[test]
fn two_desks_claiming_one_value_at_once_never_allocate_it_beyond_its_quantity() {
    use bigdecimal::BigDecimal;
    use eac_model::{units, BeneficiaryType, EnergyUnit};
    use eac_store::{ErrorCode, NewAllocation, NewClaim, Reason, Store};
    let Some((_dir, file, db)) = file_and_server("eacdesk_server_claims_race") else {
        return;
    };
    let values: Vec<(String, BigDecimal)> = file
        .eacs_of_beneficiaries(BeneficiaryType::General, &[])
        .unwrap()
        .iter()
        .map(|e| {
            let v = &e.values[0];
            (
                e.cds_eac_id.clone(),
                units::convert(&v.value.to_big(), v.unit, EnergyUnit::Wh),
            )
        })
        .take(4)
        .collect();
    assert_eq!(values.len(), 4);
    let claim = |id: &str, wh: BigDecimal| NewClaim {
        name: "race".into(),
        beneficiary_type: BeneficiaryType::General,
        beneficiaries: Vec::new(),
        from: eac_model::Date::parse("2024-01-01").unwrap(),
        to: eac_model::Date::parse("2024-12-31").unwrap(),
        granularity: "annual".into(),
        market: None,
        bidding_zone: None,
        unit: EnergyUnit::MWh,
        only_passing: None,
        allocations: vec![NewAllocation {
            cds_eac_id: id.to_owned(),
            position: 0,
            start: eac_model::Timestamp::parse("2024-01-01T00:00:00Z").unwrap(),
            end: eac_model::Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
            quantity_wh: wh,
        }],
        planned_at: None,
    };
    // Each round two desks ask for two thirds of one value at the same
    // moment: one gets it, the other is refused, whatever the timing.
    for (id, wh) in &values {
        let two_thirds = (wh * BigDecimal::from(2) / BigDecimal::from(3)).with_scale(6);
        let start = std::sync::Barrier::new(2);
        let results: Vec<_> = std::thread::scope(|s| {
            let desks: Vec<_> = (0..2)
                .map(|_| {
                    let (start, db, claim) = (&start, &db, &claim);
                    let asked = claim(id, two_thirds.clone());
                    s.spawn(move || {
                        let mut desk = Store::open_server(db).unwrap();
                        let reason = Reason::new("race").unwrap();
                        start.wait();
                        desk.create_claim(&asked, &reason, "ann")
                    })
                })
                .collect();
            desks.into_iter().map(|d| d.join().unwrap()).collect()
        });
        let refused: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(refused.len(), 1, "{results:?}");
        assert_eq!(refused[0].code(), ErrorCode::Conflict, "{}", refused[0]);
        let server = Store::open_server(&db).unwrap();
        let held = server.allocated_elsewhere(None).unwrap();
        assert_eq!(held[&(id.clone(), 0)].quantity_wh, two_thirds);
    }
    let server = Store::open_server(&db).unwrap();
    assert_eq!(server.claims().unwrap().len(), values.len());
    assert!(server.verify_audit_chain().unwrap().broken.is_none());
}

// ---------------------------------------------------------------------------
// P2 bundles, envelope-only EACs and evidence packs on a server database:
// the same bytes, rows and records as on a file.

/// A P2 listing at `path` of `n` envelope-only EACs in three foreign
/// formats (more than the bundle's chunk of 256, with ties on period and
/// creation time across chunks), last changed at `modified`, in P2 order.
fn envelope_listing(path: &Path, n: usize, modified: &str) {
    let formats = ["certiq", "attestation", "zz_other"];
    let mut envelopes: Vec<(String, serde_json::Value)> = (0..n)
        .map(|i| {
            let id = format!("env-{:04}", (i * 37) % n);
            let start = format!("2023-{:02}-01T00:00:00Z", 1 + i % 6);
            let created = format!("2024-02-{:02}T00:00:00Z", 1 + i % 3);
            let key = format!("{start}|{created}|{id}");
            let envelope = serde_json::json!({
                "cds_eac_id": id,
                "cds_created": created,
                "cds_modified": modified,
                "cds_synced": "2024-03-01T00:00:00Z",
                "eac_numbers": [format!("N-{id}")],
                "eac_format": formats[i % 3],
                "eac_data_url": format!("https://example.com/eacs/{id}.pdf"),
                "beneficiary_type": "customer",
                "beneficiaries": ["CUST123"],
                "period_start": start,
                "period_end": "2023-08-01T00:00:00Z",
            });
            (key, envelope)
        })
        .collect();
    // P2 order: newest period, then newest created, then id.
    envelopes.sort_by(|(a, _), (b, _)| {
        let (a, b): (Vec<&str>, Vec<&str>) = (a.split('|').collect(), b.split('|').collect());
        b[0].cmp(a[0]).then(b[1].cmp(a[1])).then(a[2].cmp(b[2]))
    });
    let eacs: Vec<serde_json::Value> = envelopes.into_iter().map(|(_, e)| e).collect();
    fs::write(
        path,
        serde_json::to_vec(&serde_json::json!({"eacs": eacs, "next": null, "previous": null}))
            .unwrap(),
    )
    .unwrap();
}

/// Every file under `dir` (the hidden marker too), by relative path.
fn folder_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, here: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(here).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(name.replace('\\', "/"), fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A file store of 60 sample EACs and 300 envelope-only ones, copied onto
/// the server database `name`: the folder, the file and the server store.
fn p2_file_and_server(
    name: &str,
) -> Option<(
    tempfile::TempDir,
    eac_store::Store,
    eac_store::Store,
    String,
)> {
    use eac_store::{ImportOptions, NoProgress, Store};
    let db = empty_database(name)?;
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut sample = eac_sample::generate(60, 3, eac_sample::SampleOptions::default());
    file.import_eacs("sample", &mut sample, &NoProgress)
        .unwrap();
    let listing = dir.path().join("envelopes.json");
    envelope_listing(&listing, 300, "2024-02-10T00:00:00Z");
    let report = file
        .import_p2(&listing, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!(report.added, 300);
    file.copy_to_server(&db, &mut |_| {}).unwrap();
    let server = Store::open_server(&db).unwrap();
    Some((dir, file, server, db))
}

#[test]
fn a_p2_bundle_and_the_envelope_only_list_from_a_server_are_the_files_byte_for_byte() {
    use eac_store::{EacFilter, NoProgress, StoreError};
    let Some((dir, file, server, _db)) = p2_file_and_server("eacdesk_server_p2_export") else {
        return;
    };
    let wind = EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..Default::default()
    };
    let dest = dir.path().join("bundle");
    for (filter, base) in [
        (None, None),
        (None, Some("https://example.com/bundle/")),
        (Some(&wind), None),
        (Some(&wind), Some("https://example.com/wind")),
    ] {
        // One destination: the `file:` URIs are the same on both sides.
        let a = file.export_p2(filter, &dest, base, &NoProgress).unwrap();
        let from_file = folder_files(&dest);
        let b = server.export_p2(filter, &dest, base, &NoProgress).unwrap();
        let from_server = folder_files(&dest);
        assert_eq!(a, b, "{filter:?} {base:?}");
        assert_eq!(
            from_file.keys().collect::<Vec<_>>(),
            from_server.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &from_file {
            assert!(
                from_server[name] == *bytes,
                "{name} differs ({filter:?} {base:?})"
            );
        }
        if filter.is_none() {
            assert_eq!(a.eac_count, 360);
            let metadata = String::from_utf8(from_file["server-metadata.json"].clone()).unwrap();
            assert!(metadata.contains("\"zz_other\""), "{metadata}");
        } else {
            assert!(a.eac_count > 0 && a.eac_count < 60, "{a:?}");
        }
    }
    // Inside a pack's folder, naming where it will be.
    let published = dir.path().join("final/p2");
    let (x, y) = (dir.path().join("x"), dir.path().join("y"));
    fs::create_dir_all(&x).unwrap();
    fs::create_dir_all(&y).unwrap();
    file.export_p2_published(Some(&wind), &x.join("p2"), &published, &NoProgress, &|_| {
        Vec::new()
    })
    .unwrap();
    server
        .export_p2_published(Some(&wind), &y.join("p2"), &published, &NoProgress, &|_| {
            Vec::new()
        })
        .unwrap();
    assert_eq!(folder_files(&x.join("p2")), folder_files(&y.join("p2")));
    // The caller's check refuses alike, and nothing is left behind.
    let refuse = |_: &Path| vec![eac_model::Violation::unruled("no".to_owned())];
    for store in [&file, &server] {
        let err = store
            .export_p2_checked(
                None,
                &dir.path().join("refused"),
                None,
                &NoProgress,
                &refuse,
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Rules { .. }), "{err}");
        assert!(!dir.path().join("refused").exists());
    }

    // A folder that is not a bundle is refused alike and left as it was.
    let foreign = dir.path().join("foreign");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let refusals: Vec<String> = [&file, &server]
        .iter()
        .map(|store| {
            let err = store
                .export_p2(None, &foreign, None, &NoProgress)
                .unwrap_err();
            assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
            err.to_string()
        })
        .collect();
    assert_eq!(refusals[0], refusals[1]);
    assert_eq!(
        folder_files(&foreign).into_keys().collect::<Vec<_>>(),
        ["notes.txt"]
    );
    let http = server
        .export_p2(
            None,
            &dir.path().join("http"),
            Some("http://example.com/"),
            &NoProgress,
        )
        .unwrap_err();
    assert!(http.to_string().contains("https://"), "{http}");
    // A P1 export of everything cannot hold the envelope-only EACs: the
    // same refusal.
    let p1 = |store: &eac_store::Store| {
        store
            .export_p1(None, &dir.path().join("p1.json"), &NoProgress)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(p1(&file), p1(&server));

    // The envelope-only list, page by page, and its ids.
    for (offset, limit) in [(0, 0), (0, 50), (250, 20), (290, 20), (299, 1), (400, 5)] {
        assert_eq!(
            file.envelope_only(offset, limit).unwrap(),
            server.envelope_only(offset, limit).unwrap(),
            "{offset} {limit}"
        );
    }
    assert_eq!(server.envelope_only(0, 0).unwrap().len(), 300);
    assert_eq!(
        file.envelope_only_ids(500).unwrap(),
        server.envelope_only_ids(500).unwrap()
    );
    assert_eq!(server.info().unwrap().envelope_only_count, 300);
}

/// `eacs.json` with every `cds_synced` (the time each store imported it)
/// blanked, and the other files of a bundle as they are.
fn without_synced(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let listing = files.get_mut("eacs.json").unwrap();
    let mut doc: serde_json::Value = serde_json::from_slice(listing).unwrap();
    for eac in doc["eacs"].as_array_mut().unwrap() {
        eac["cds_synced"] = serde_json::Value::Null;
    }
    *listing = serde_json::to_vec(&doc).unwrap();
    files
}

#[test]
fn a_p2_bundle_imports_into_a_server_as_into_a_file() {
    use eac_store::{EacFilter, ImportOptions, NoProgress, Store, StoreError};
    let Some(db) = empty_database("eacdesk_server_p2_import") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    // The bundle: sample EACs with their detail files, and envelope-only
    // EACs pointing at their sources.
    let bundle = dir.path().join("bundle");
    {
        let mut source = Store::open(&dir.path().join("source.sqlite")).unwrap();
        let mut sample = eac_sample::generate(50, 7, eac_sample::SampleOptions::default());
        source
            .import_eacs("sample", &mut sample, &NoProgress)
            .unwrap();
        let listing = dir.path().join("envelopes.json");
        envelope_listing(&listing, 280, "2024-02-10T00:00:00Z");
        source
            .import_p2(&listing, ImportOptions::default(), &NoProgress)
            .unwrap();
        source.export_p2(None, &bundle, None, &NoProgress).unwrap();
    }
    let mut file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut server = Store::open_server(&db).unwrap();
    let counts = |store: &Store| {
        let info = store.info().unwrap();
        let audit = store.audit_log(None).unwrap().len();
        (
            info.eac_count,
            info.value_count,
            info.envelope_only_count,
            audit,
        )
    };

    // A dry run says the same and writes nothing.
    let planned: Vec<_> = [&mut file, &mut server]
        .into_iter()
        .map(|store| {
            store
                .import_p2_dry_run(&bundle, ImportOptions::default(), &NoProgress)
                .unwrap()
        })
        .collect();
    assert_eq!(planned[0], planned[1]);
    assert_eq!(planned[0].added, 330);
    assert_eq!(counts(&server), (0, 0, 0, 0));

    let imported: Vec<_> = [&mut file, &mut server]
        .into_iter()
        .map(|store| {
            store
                .import_p2(&bundle, ImportOptions::default(), &NoProgress)
                .unwrap()
        })
        .collect();
    assert_eq!(imported[0], imported[1]);
    assert_eq!(imported[0].added, 330);
    assert_eq!(counts(&file), counts(&server));
    assert_eq!(counts(&server).2, 280);

    // The same P1 and P2 exports (`cds_synced` is each store's import time).
    let exports = |file: &Store, server: &Store| {
        let wind = EacFilter {
            technology: Some(eac_model::TechnologyType::Wind),
            ..Default::default()
        };
        let (x, y) = (dir.path().join("file.json"), dir.path().join("server.json"));
        for filter in [
            Some(&wind),
            Some(&EacFilter {
                search: Some("a".into()),
                ..Default::default()
            }),
        ] {
            file.export_p1(filter, &x, &NoProgress).unwrap();
            server.export_p1(filter, &y, &NoProgress).unwrap();
            assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap(), "{filter:?}");
        }
        let dest = dir.path().join("again");
        let base = Some("https://example.com/b/");
        file.export_p2(None, &dest, base, &NoProgress).unwrap();
        let a = without_synced(folder_files(&dest));
        server.export_p2(None, &dest, base, &NoProgress).unwrap();
        let b = without_synced(folder_files(&dest));
        assert!(a == b, "the bundles differ");
        let envelopes = |store: &Store| {
            store
                .envelope_only(0, 0)
                .unwrap()
                .into_iter()
                .map(|mut e| {
                    e.cds_synced.clear();
                    e
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(envelopes(file), envelopes(server));
    };
    exports(&file, &server);

    // Newer versions of the envelope-only EACs replace the stored ones,
    // audited alike; the same bundle again is skipped whole.
    let newer = dir.path().join("newer.json");
    envelope_listing(&newer, 280, "2024-04-01T00:00:00Z");
    for store in [&mut file, &mut server] {
        let report = store
            .import_p2(&newer, ImportOptions::default(), &NoProgress)
            .unwrap();
        assert_eq!((report.added, report.replaced), (0, 280));
        let again = store
            .import_p2(&bundle, ImportOptions::default(), &NoProgress)
            .unwrap();
        assert_eq!((again.added, again.replaced, again.skipped), (0, 0, 330));
    }
    let shape = |store: &Store| {
        store
            .audit_log(None)
            .unwrap()
            .into_iter()
            .map(|r| (r.cds_eac_id, r.action, r.reason, r.source_file))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&file), shape(&server));
    assert_eq!(shape(&server).len(), 280);
    assert!(server.verify_audit_chain().unwrap().broken.is_none());
    exports(&file, &server);

    // A detail file that does not match its envelope, and a listing with
    // one id twice: refused whole, alike, each store as it was.
    let broken = dir.path().join("broken");
    fs::create_dir_all(broken.join("eacs")).unwrap();
    for (name, bytes) in folder_files(&bundle) {
        fs::write(broken.join(&name), bytes).unwrap();
    }
    let listing: serde_json::Value =
        serde_json::from_slice(&fs::read(broken.join("eacs.json")).unwrap()).unwrap();
    let full = listing["eacs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eac_format"] == "eacdesk_eac_json_v1")
        .unwrap()
        .clone();
    let detail = broken.join("eacs").join(eac_store::p2::detail_file_name(
        full["cds_eac_id"].as_str().unwrap(),
    ));
    let mut eac: serde_json::Value = serde_json::from_slice(&fs::read(&detail).unwrap()).unwrap();
    // Newer (it would replace the stored one) but for someone else.
    eac["cds_modified"] = serde_json::json!("2031-01-01T00:00:00Z");
    eac["beneficiaries"] = serde_json::json!(["SOMEONE-ELSE"]);
    fs::write(&detail, serde_json::to_vec_pretty(&eac).unwrap()).unwrap();
    let twice = dir.path().join("twice.json");
    let one = serde_json::json!({
        "cds_eac_id": "env-twice",
        "cds_created": "2024-02-01T00:00:00Z",
        "cds_modified": "2024-02-01T00:00:00Z",
        "cds_synced": "2024-03-01T00:00:00Z",
        "eac_numbers": ["N-1"],
        "eac_format": "certiq",
        "eac_data_url": "https://example.com/eacs/twice.pdf",
        "beneficiary_type": "customer",
        "beneficiaries": ["CUST123"],
        "period_start": "2023-01-01T00:00:00Z",
        "period_end": "2023-08-01T00:00:00Z",
    });
    fs::write(
        &twice,
        serde_json::to_vec(
            &serde_json::json!({"eacs": [one, one], "next": null, "previous": null}),
        )
        .unwrap(),
    )
    .unwrap();
    for bad in [&broken, &twice] {
        let before = (counts(&file), counts(&server));
        let errors: Vec<String> = [&mut file, &mut server]
            .into_iter()
            .map(|store| {
                let err = store
                    .import_p2(bad, ImportOptions::default(), &NoProgress)
                    .unwrap_err();
                assert!(matches!(err, StoreError::Rules { .. }), "{err}");
                err.to_string()
            })
            .collect();
        assert_eq!(errors[0], errors[1]);
        assert_eq!((counts(&file), counts(&server)), before);
    }
    exports(&file, &server);
    assert_eq!(
        server.import_batches().unwrap().len(),
        file.import_batches().unwrap().len()
    );
}

/// What a pack made from `store` holds (its P1 listing and P2 bundle, the
/// audit chain's rows, the closed periods its EACs fall in) and its record.
struct Packed {
    listing: Vec<u8>,
    bundle: BTreeMap<String, Vec<u8>>,
    /// `(cds_eac_id, action)` of every audit row, oldest first.
    audit: Vec<(Option<String>, serde_json::Value)>,
    closed: Vec<(String, String, String)>,
    record: eac_store::PackRecord,
}

/// Makes a pack of the EACs `filter` selects from `store` in `folder` (as
/// the app does: every part read, then recorded with its audit record),
/// named `published`; its manifest's hash is `sha`.
fn make_pack(
    store: &mut eac_store::Store,
    filter: &eac_store::EacFilter,
    folder: &Path,
    published: &Path,
    sha: char,
) -> eac_store::Result<Packed> {
    use eac_store::chain::{canonical_json, link, GENESIS};
    use eac_store::NoProgress;
    let version = store.data_version()?;
    let chain = store.verify_audit_chain()?;
    assert!(chain.broken.is_none());
    fs::create_dir_all(folder).unwrap();
    let listing_path = folder.join("eacs.json");
    let listing = store.export_p1(Some(filter), &listing_path, &NoProgress)?;
    store.export_p2_published(
        Some(filter),
        &folder.join("p2"),
        &published.join("p2"),
        &NoProgress,
        &|_| Vec::new(),
    )?;
    // The chain as the pack copies it: re-hashed from its JSON, it gives
    // the database's head.
    let mut audit = Vec::new();
    let mut prev = GENESIS.to_owned();
    store.each_audit_row(&mut |row| {
        assert_eq!(row.prev_hash.as_deref(), Some(prev.as_str()));
        let text = serde_json::to_string(&row.values).unwrap();
        let back: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let hash = link(&prev, &canonical_json(&back));
        assert_eq!(Some(&hash), row.hash.as_ref());
        prev = hash;
        audit.push((row.cds_eac_id, row.values[4].clone()));
        Ok(())
    })?;
    assert_eq!(
        chain.head.as_deref(),
        (!audit.is_empty()).then_some(prev.as_str())
    );
    let closed = store
        .closed_periods_overlapping(filter)?
        .into_iter()
        .map(|p| (p.from, p.to, p.reason))
        .collect();
    let record = store.record_pack(
        &eac_store::NewPack {
            created_at: "2026-01-02T03:04:05Z".into(),
            title: Some("FY2024 filing".into()),
            filter: filter.clone(),
            manifest_sha256: sha.to_string().repeat(64),
            audit_head: chain.head,
            audit_records: chain.records,
            eac_count: listing.eac_count,
            key_fingerprint: "ab12-cd34".into(),
            path: published.display().to_string(),
            file_count: 7,
        },
        "ann",
        version,
        || Ok(()),
    )?;
    Ok(Packed {
        listing: fs::read(&listing_path).unwrap(),
        bundle: folder_files(&folder.join("p2")),
        audit,
        closed,
        record,
    })
}

#[test]
fn an_evidence_pack_is_made_listed_and_followed_up_on_a_server_as_on_a_file() {
    use eac_store::{AuditAction, EacFilter, ExportWritten, Reason, Store, StoreError};
    let Some((dir, mut file, mut server, db)) = p2_file_and_server("eacdesk_server_packs") else {
        return;
    };
    let reason = Reason::new("books closed").unwrap();
    for store in [&mut file, &mut server] {
        store
            .close_period(
                eac_model::Date::parse("2020-01-01").unwrap(),
                eac_model::Date::parse("2030-12-31").unwrap(),
                &reason,
                "ann",
            )
            .unwrap();
    }
    let wind = EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..Default::default()
    };
    let published = dir.path().join("final/pack");
    let a = make_pack(&mut file, &wind, &dir.path().join("a"), &published, 'a').unwrap();
    let b = make_pack(&mut server, &wind, &dir.path().join("b"), &published, 'a').unwrap();
    // The same EACs, bundle, periods and chain (times and ids aside).
    assert_eq!(a.listing, b.listing);
    assert!(a.bundle == b.bundle, "the bundles differ");
    assert_eq!(a.closed, b.closed);
    assert_eq!(a.closed.len(), 1);
    assert_eq!(a.audit, b.audit);
    assert!(!a.audit.is_empty());
    // The chain heads differ: each store's records carry its own times.
    let same = |r: &eac_store::PackRecord| eac_store::PackRecord {
        id: 0,
        audit_head: None,
        ..r.clone()
    };
    assert_eq!(same(&a.record), same(&b.record));
    assert!(b.record.eac_count > 0);

    // Listed and found by its manifest; the records since its head are its
    // own `pack` record; the chain holds.
    for (store, packed) in [(&file, &a), (&server, &b)] {
        assert_eq!(store.packs().unwrap(), vec![packed.record.clone()]);
        assert_eq!(
            store.pack_by_manifest(&"a".repeat(64)).unwrap(),
            Some(packed.record.clone())
        );
        assert_eq!(store.pack_by_manifest(&"b".repeat(64)).unwrap(), None);
        let since = store
            .audit_since(packed.record.audit_head.as_deref(), None)
            .unwrap()
            .unwrap();
        assert_eq!(since.len(), 1);
        assert_eq!(
            (
                since[0].action,
                since[0].cds_eac_id.as_str(),
                since[0].reason.as_str()
            ),
            (AuditAction::Pack, "", "FY2024 filing")
        );
        assert_eq!(
            store.audit_since(Some(&"9".repeat(64)), None).unwrap(),
            None
        );
        assert!(store.verify_audit_chain().unwrap().broken.is_none());
    }
    let shape = |store: &Store| {
        store
            .audit_log(None)
            .unwrap()
            .into_iter()
            .map(|r| (r.cds_eac_id, r.action, r.reason, r.changes, r.source_file))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&file), shape(&server));
    assert_eq!(
        file.audit_since(None, None).unwrap().unwrap().len(),
        server.audit_since(None, None).unwrap().unwrap().len()
    );

    // An export is recorded alike.
    let written = ExportWritten {
        profile: "P2".into(),
        path: "/out/bundle".into(),
        sha256: "0".repeat(64),
        eac_count: 3,
    };
    for store in [&mut file, &mut server] {
        store.record_export(&written, "ann").unwrap();
        assert_eq!(
            store.audit_log(None).unwrap()[0].action,
            AuditAction::Export
        );
    }
    assert_eq!(shape(&file), shape(&server));

    // Refused alike, nothing recorded: another desk wrote while the pack
    // was made; placing the folder failed; a title of two lines; a
    // manifest recorded already. The store's own writes meanwhile are no
    // reason to refuse.
    let mut other_file = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut other_server = Store::open_server(&db).unwrap();
    let try_pack = |store: &mut Store, version: i64, sha: char, title: &str, fail: bool| {
        store.record_pack(
            &eac_store::NewPack {
                created_at: "2026-02-02T00:00:00Z".into(),
                title: Some(title.into()),
                filter: EacFilter::default(),
                manifest_sha256: sha.to_string().repeat(64),
                audit_head: None,
                audit_records: 0,
                eac_count: 1,
                key_fingerprint: "ab12-cd34".into(),
                path: "/packs/p".into(),
                file_count: 3,
            },
            "ann",
            version,
            || {
                if fail {
                    Err(StoreError::InvalidInput("the folder is taken".into()))
                } else {
                    Ok(())
                }
            },
        )
    };
    for (store, other) in [
        (&mut file, &mut other_file),
        (&mut server, &mut other_server),
    ] {
        let state = |store: &Store| (store.packs().unwrap(), store.audit_log(None).unwrap().len());
        let before = state(store);
        // The other desk writes after this one looked.
        let version = store.data_version().unwrap();
        // (Its EACs are frozen by the closed period: it records an export.)
        other.record_export(&written, "bob").unwrap();
        let err = try_pack(store, version, 'c', "late", false).unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        assert!(err.to_string().contains("Make the pack again"), "{err}");
        // TEAM42 finding 7.2: on a server it was another desk, named from
        // the latest record of the audit log; a file says what it said.
        let said = err.to_string();
        if store.is_server() {
            assert!(
                said.starts_with(
                    "Another desk changed the server database while the pack was being made \
                     (the latest record in its audit log: export by bob (server login eacdesk) at "
                ),
                "{said}"
            );
        } else {
            assert!(
                said.starts_with("Another program or window changed the database"),
                "{said}"
            );
        }
        let before = (before.0, before.1 + 1);
        assert_eq!(state(store), before, "only the other desk's record");
        let unchanged_now = |store: &Store| assert_eq!(state(store), before);
        let version = store.data_version().unwrap();
        let err = try_pack(store, version, 'c', "placed", true).unwrap_err();
        assert!(err.to_string().contains("the folder is taken"), "{err}");
        unchanged_now(store);
        let version = store.data_version().unwrap();
        let err = try_pack(store, version, 'c', "two\nlines", false).unwrap_err();
        assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
        unchanged_now(store);
        let version = store.data_version().unwrap();
        assert!(try_pack(store, version, 'a', "again", false).is_err());
        unchanged_now(store);
        // Its own export record meanwhile: the pack is recorded.
        let version = store.data_version().unwrap();
        store.record_export(&written, "ann").unwrap();
        let record = try_pack(store, version, 'd', "second", false).unwrap();
        assert_eq!(store.packs().unwrap()[0], record);
        assert_eq!(store.packs().unwrap().len(), 2);
        // Another desk's commit right after the pack is recorded is still
        // heard by the connection that made it (the app's watcher asks it
        // when the operation ends): a pack's connection never stops
        // listening on a server, so no banner is lost.
        let version = store.data_version().unwrap();
        try_pack(store, version, 'e', "third", false).unwrap();
        other.record_export(&written, "bob").unwrap();
        // The other desk's commit counted, its own pack not.
        assert_eq!(store.data_version().unwrap(), version + 1);
    }
    assert_eq!(shape(&file), shape(&server));
    assert!(server.verify_audit_chain().unwrap().broken.is_none());
}

/// Two desks importing files that share EACs at the same moment: they
/// take turns on a server (decision 224), so both imports succeed, every
/// EAC is stored once, and the second finds the first's EACs and skips or
/// replaces them as usual; nothing fails on an EAC both would add.
#[test]
fn two_desks_importing_the_same_eacs_at_once_both_succeed_and_store_each_once() {
    use eac_store::{NoProgress, Store};
    let Some(db) = empty_database("eacdesk_server_import_race") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    for round in 0..3 {
        let desks: Vec<_> = (0..2)
            .map(|desk| {
                let db = db.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open_server(&db).unwrap();
                    // The same 150 EACs each round (and the same ids in
                    // both files), in a different order per desk.
                    let mut eacs: Vec<_> =
                        eac_sample::generate(150, 21, eac_sample::SampleOptions::default())
                            .collect();
                    if desk == 1 {
                        eacs.reverse();
                    }
                    store
                        .import_eacs(
                            &format!("desk {desk} round {round}"),
                            &mut eacs.into_iter(),
                            &NoProgress,
                        )
                        .unwrap()
                })
            })
            .collect();
        let reports: Vec<_> = desks.into_iter().map(|d| d.join().unwrap()).collect();
        let added: usize = reports.iter().map(|r| r.added).sum();
        let skipped: usize = reports.iter().map(|r| r.skipped).sum();
        let expected_added = if round == 0 { 150 } else { 0 };
        assert_eq!(added, expected_added, "round {round}: {reports:?}");
        assert_eq!(added + skipped, 300, "round {round}: {reports:?}");
    }
    let store = Store::open_server(&db).unwrap();
    assert_eq!(store.info().unwrap().eac_count, 150);
    assert_eq!(store.import_batches().unwrap().len(), 6);
    assert!(store.verify_audit_chain().unwrap().broken.is_none());
}

/// The kept counts, totals and facet rows of a store, as comparable text
/// (rows that count nothing left out: a file and a server may keep or drop
/// those).
fn kept_rows(file: Option<&Path>, server: Option<&str>) -> Vec<String> {
    const QUERIES: [&str; 3] = [
        "SELECT 'values', CAST(\"values\" AS text), '', '', '' FROM eac_counts_kept",
        "SELECT 'totals', unit, CAST(scale AS text), CAST(summed AS text),
                coalesce(CAST(mantissa AS text), '-')
           FROM eac_totals_kept WHERE summed > 0 ORDER BY unit, scale",
        "SELECT facet, value || ' ' || unit, CAST(scale AS text), CAST(summed AS text),
                coalesce(CAST(mantissa AS text), '-')
           FROM eac_facets_kept WHERE summed > 0 ORDER BY facet, value, unit, scale",
    ];
    let mut out = Vec::new();
    for sql in QUERIES {
        if let Some(path) = file {
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..5)
                        .map(|i| r.get::<_, String>(i))
                        .collect::<rusqlite::Result<Vec<_>>>()?
                        .join("|"))
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        if let Some(db) = server {
            let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
            for r in client.query(sql, &[]).unwrap() {
                out.push(
                    (0..5)
                        .map(|i| r.get::<_, String>(i))
                        .collect::<Vec<_>>()
                        .join("|"),
                );
            }
        }
    }
    out
}

/// A long write on a server (past 500 EACs) leaves the kept rows to its
/// end and rebuilds them once (decision 240): the same rows as the file's,
/// and the writes after it keep them row by row again.
#[test]
fn a_long_write_on_a_server_keeps_the_counts_and_totals_the_file_keeps() {
    use eac_store::{DeleteTarget, NoProgress, Reason, Store};
    let Some(db) = empty_database("eacdesk_long_write") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut file = Store::open(&path).unwrap();
    let mut server = Store::open_server(&db).unwrap();
    let sample = || eac_sample::generate(700, 5, eac_sample::SampleOptions::default());
    let first: Vec<String> = sample().take(3).map(|e| e.cds_eac_id).collect();
    for store in [&mut file, &mut server] {
        // A short import (kept row by row), then a long one that replaces
        // some of it (the rows wait for its end).
        let few = store
            .import_eacs("few", &mut sample().take(40), &NoProgress)
            .unwrap();
        assert_eq!(few.added, 40);
        let all = store
            .import_eacs(
                "all",
                &mut sample().map(|mut eac| {
                    eac.cds_modified = eac_model::Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
                    eac
                }),
                &NoProgress,
            )
            .unwrap();
        assert_eq!((all.added, all.replaced), (660, 40));
    }
    let on_file = kept_rows(Some(&path), None);
    assert!(on_file.len() > 20, "{on_file:?}");
    assert_eq!(kept_rows(None, Some(&db)), on_file);
    assert_eq!(
        server.summary(&Default::default()).unwrap(),
        file.summary(&Default::default()).unwrap()
    );

    // After it, a short write is kept row by row on the server again.
    for store in [&mut file, &mut server] {
        store
            .delete_eacs(
                &DeleteTarget::Ids(first.clone()),
                &Reason::new("test").unwrap(),
                "tester",
                false,
                &NoProgress,
            )
            .unwrap();
    }
    let on_file = kept_rows(Some(&path), None);
    assert_eq!(kept_rows(None, Some(&db)), on_file);

    // A long deletion: every EAC but the envelope-free last one.
    let rest: Vec<String> = sample().skip(3).take(650).map(|e| e.cds_eac_id).collect();
    for store in [&mut file, &mut server] {
        store
            .delete_eacs(
                &DeleteTarget::Ids(rest.clone()),
                &Reason::new("test").unwrap(),
                "tester",
                false,
                &NoProgress,
            )
            .unwrap();
    }
    assert_eq!(kept_rows(None, Some(&db)), kept_rows(Some(&path), None));
}

/// A copy to a server stops when cancelled, early or deep in its largest
/// table, and leaves the server database empty: a copy after it succeeds.
#[test]
fn a_cancelled_copy_to_a_server_copies_nothing() {
    let Some(db) = empty_database("eacdesk_copy_cancel") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = eac_store::Store::open(&dir.path().join("desk.sqlite")).unwrap();
    // More values than one look at the cancel covers (4,096 rows).
    let mut sample = eac_sample::generate(900, 9, eac_sample::SampleOptions::default());
    file.import_eacs("sample", &mut sample, &eac_store::NoProgress)
        .unwrap();
    let values = |db: &str| -> i64 {
        let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
        client
            .query_one("SELECT count(*) FROM eac_values", &[])
            .unwrap()
            .get(0)
    };
    /// Says "cancel" from its `after`-th question on.
    struct CancelAfter {
        after: usize,
        asked: std::sync::atomic::AtomicUsize,
    }
    impl eac_store::Progress for CancelAfter {
        fn update(&self, _: eac_store::Phase, _: u64, _: Option<u64>) {}
        fn is_cancelled(&self) -> bool {
            self.asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= self.after
        }
    }
    for after in [0, 5, 12] {
        let progress = CancelAfter {
            after,
            asked: Default::default(),
        };
        let mut tables = 0;
        let err = file
            .copy_to_server_cancellable(&db, &mut |_| tables += 1, &progress)
            .unwrap_err();
        assert!(matches!(err, eac_store::StoreError::Cancelled), "{err}");
        let asked = progress.asked.load(std::sync::atomic::Ordering::SeqCst);
        assert!(asked > after, "asked {asked} times");
        assert_eq!(values(&db), 0, "cancelled after {after} looks");
        if after == 12 {
            assert!(tables > 0, "the last cancel came after some tables");
        }
    }
    let report = file.copy_to_server(&db, &mut |_| {}).unwrap();
    assert!(report
        .tables
        .iter()
        .any(|t| t.table == "eac_values" && t.rows > 4096));
    assert!(values(&db) > 4096);
}

/// A P1 listing of `eacs` at `path`.
fn p1_listing(path: &Path, eacs: &[eac_model::Eac]) {
    let file = std::io::BufWriter::new(fs::File::create(path).unwrap());
    let mut w = eac_model::ListingWriter::begin(file).unwrap();
    for eac in eacs {
        w.write_item(eac).unwrap();
    }
    w.finish().unwrap();
}

/// A server import looks EACs up, adds them and marks the ones it leaves
/// as stored many at a time (one round trip for each group the reader
/// hands over, not several for each EAC): whatever a group mixes — new
/// EACs, stored ones left alone, newer versions, a repeat inside one group
/// or across two — the counts, the errors with their places, the stored
/// rows, each EAC's `cds_synced` and the undo are a file's.
#[test]
fn a_server_import_mixing_new_stored_newer_and_repeated_eacs_does_what_a_files_does() {
    use eac_store::{ImportOptions, NoProgress, StoreError};
    let Some(db) = empty_database("eacdesk_server_groups") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut file = eac_store::Store::open(&dir.path().join("desk.sqlite")).unwrap();
    let mut server = eac_store::Store::open_server(&db).unwrap();
    let all: Vec<eac_model::Eac> =
        eac_sample::generate(200, 23, eac_sample::SampleOptions::default()).collect();
    let later = eac_model::Timestamp::parse("2031-05-01T00:00:00Z").unwrap();
    // Stored first: every other one of the first 120, a third of them in
    // a version newer than the file's.
    let stored: Vec<_> = (all[..120].iter().enumerate().step_by(2))
        .map(|(i, eac)| {
            let mut eac = eac.clone();
            if i % 6 == 2 {
                eac.cds_modified = later;
            }
            eac
        })
        .collect();
    // The mix, in the file's order: each group of 32 holds new EACs,
    // stored ones unchanged, newer versions (replaced) and older ones
    // (left as stored).
    let mut mixed = Vec::new();
    for (i, eac) in all[..160].iter().enumerate() {
        let mut eac = eac.clone();
        if i < 120 && i % 6 == 0 {
            eac.cds_modified = later;
            eac.source_name.push_str(" (restated)");
        }
        mixed.push(eac);
    }
    let mixed_path = dir.path().join("mixed.json");
    p1_listing(&mixed_path, &mixed);
    let mut reports = Vec::new();
    for store in [&mut file, &mut server] {
        store
            .import_eacs("stored", &mut stored.clone().into_iter(), &NoProgress)
            .unwrap();
        let report = store
            .import_file(&mixed_path, ImportOptions::default(), &NoProgress)
            .unwrap();
        reports.push((
            report.added,
            report.replaced,
            report.skipped,
            report.value_count,
        ));
    }
    assert_eq!(reports[0], (100, 20, 40, reports[0].3));
    assert_eq!(reports[1], reports[0]);
    same_listing_and_summaries(dir.path(), &file, &server);
    // Each replacement audited with the whole EAC before and after, in the
    // file's order, as a file audits it (a server writes a group's
    // replacements together), and noted for the undo below.
    let replaced = |s: &eac_store::Store| -> Vec<_> {
        (s.audit_log(None).unwrap().into_iter().rev())
            .filter(|r| r.action == eac_store::AuditAction::ImportReplace)
            .map(|r| (r.cds_eac_id, r.before, r.after, r.changes, r.reason))
            .collect()
    };
    let on_server = replaced(&server);
    assert_eq!(on_server.len(), 20);
    assert_eq!(on_server, replaced(&file));
    let restated: Vec<&str> = (mixed.iter().enumerate())
        .filter(|(i, _)| *i < 120 && i % 6 == 0)
        .map(|(_, eac)| eac.cds_eac_id.as_str())
        .collect();
    assert_eq!(
        on_server.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        restated
    );
    for (id, _, _, changes, _) in &on_server {
        let name = changes.iter().find(|c| c.field == "source_name");
        let name = name.unwrap_or_else(|| panic!("{id}: {changes:?}"));
        assert!(
            !name.before.as_deref().unwrap().contains("(restated)"),
            "{name:?}"
        );
        assert!(
            name.after.as_deref().unwrap().ends_with(" (restated)"),
            "{name:?}"
        );
    }
    // Each replaced EAC took a change number of its own.
    let versions: BTreeSet<i64> = (restated.iter())
        .map(|id| server.detail(id).unwrap().version)
        .collect();
    assert_eq!(versions.len(), restated.len());
    // Added, replaced, or seen again as stored: each was found as the file
    // states it just now, so each has its time; one a newer version of
    // which is stored (2 and 8) was not, and keeps the time of the import
    // that stored it (decision 22 as amended in session 37), on a server
    // as in a file.
    let synced = |store: &eac_store::Store, eac: &eac_model::Eac| {
        store.detail(&eac.cds_eac_id).unwrap().cds_synced.unwrap()
    };
    for store in [&file, &server] {
        let now = synced(store, &mixed[1]);
        for i in [0, 4, 6, 58, 100] {
            assert_eq!(synced(store, &mixed[i]), now, "EAC {i}");
        }
        for i in [2, 8] {
            assert!(synced(store, &mixed[i]) < now, "EAC {i}");
        }
    }

    // Repeats: inside one group (3 and 5), across groups (1 and 70, 9 and
    // 140) and of an EAC stored before (10 and 50); refused whole, with
    // every place a file names.
    let mut repeated = all[120..200].to_vec();
    repeated.extend(all[..80].iter().cloned());
    repeated[5] = repeated[3].clone();
    repeated[70] = repeated[1].clone();
    repeated[140] = repeated[9].clone();
    repeated[130] = repeated[90].clone();
    let repeated_path = dir.path().join("repeated.json");
    p1_listing(&repeated_path, &repeated);
    let mut refusals = Vec::new();
    for store in [&mut file, &mut server] {
        let before = store.info().unwrap();
        let err = store
            .import_file(&repeated_path, ImportOptions::default(), &NoProgress)
            .unwrap_err();
        let StoreError::Rules { violations, .. } = err else {
            panic!("{err}");
        };
        let after = store.info().unwrap();
        assert_eq!(
            (before.eac_count, before.value_count),
            (after.eac_count, after.value_count)
        );
        refusals.push(
            violations
                .into_iter()
                .map(|v| format!("{} {}", v.pointer, v.message))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        refusals[0],
        [
            "/eacs/5/cds_eac_id",
            "/eacs/70/cds_eac_id",
            "/eacs/130/cds_eac_id",
            "/eacs/140/cds_eac_id"
        ]
        .iter()
        .zip([3, 1, 90, 9])
        .map(|(at, first)| format!(
            "{at} `cds_eac_id` `{}` appears more than once in this file (also at /eacs/{first})",
            repeated[first].cds_eac_id
        ))
        .collect::<Vec<_>>()
    );
    assert_eq!(refusals[1], refusals[0]);

    // Undone, both hold what was stored before the mix.
    for store in [&mut file, &mut server] {
        let batch = (store.import_batches().unwrap().into_iter())
            .find(|b| b.file_name.ends_with("mixed.json"))
            .unwrap()
            .id;
        let reason = eac_store::Reason::new("wrong file").unwrap();
        let done = store
            .undo_import(batch, &reason, "ann", false, &NoProgress)
            .unwrap();
        assert_eq!((done.removed, done.restored), (100, 20));
    }
    same_listing_and_summaries(dir.path(), &file, &server);
    assert_eq!(server.info().unwrap().eac_count, 60);
    // Four groups of undo records, one per EAC, the chain whole.
    let undone = |s: &eac_store::Store| -> Vec<_> {
        (s.audit_log(None).unwrap().into_iter())
            .filter(|r| r.action == eac_store::AuditAction::UndoImport)
            .map(|r| (r.cds_eac_id, r.before, r.after))
            .collect()
    };
    assert_eq!(undone(&server).len(), 120);
    assert_eq!(undone(&server), undone(&file));
    let chain = server.verify_audit_chain().unwrap();
    assert!(chain.broken.is_none(), "{:?}", chain.broken);
}

/// A deletion of many EACs on a server audits them a group to a statement
/// and removes each group's rows together: the records (each EAC's
/// whole state, in id order), the chain and what is left are a file's.
#[test]
fn deleting_many_eacs_on_a_server_audits_and_removes_each_as_a_file_does() {
    use eac_store::{AuditAction, DeleteTarget, NoProgress, Reason};
    let Some((dir, mut file, db)) = file_and_server("eacdesk_server_delete_many") else {
        return;
    };
    let mut server = eac_store::Store::open_server(&db).unwrap();
    // More than one group of 32, and not in id order as given.
    let mut ids = first_ids(&file, 45);
    ids.reverse();
    let reason = Reason::new("entered twice").unwrap();
    for store in [&mut file, &mut server] {
        let done = store
            .delete_eacs(
                &DeleteTarget::Ids(ids.clone()),
                &reason,
                "ann",
                false,
                &NoProgress,
            )
            .unwrap();
        assert_eq!(done.deleted, 45);
        assert_eq!(store.info().unwrap().eac_count, 15);
    }
    let deletions = |s: &eac_store::Store| {
        let mut records: Vec<_> = s
            .audit_log(None)
            .unwrap()
            .into_iter()
            .filter(|r| r.action == AuditAction::Delete)
            .map(|r| (r.id, r.cds_eac_id, r.before, r.reason))
            .collect();
        records.reverse();
        records
    };
    let on_server = deletions(&server);
    assert_eq!(on_server.len(), 45);
    assert_eq!(deletions(&file), on_server);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        on_server.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        sorted,
        "one record per EAC, in id order"
    );
    let (a, b) = (
        file.verify_audit_chain().unwrap(),
        server.verify_audit_chain().unwrap(),
    );
    assert!(b.broken.is_none(), "{:?}", b.broken);
    assert_eq!(a.records, b.records);
    same_listing_and_summaries(dir.path(), &file, &server);
}

/// The file and the server export the same P1 listing, byte for byte, and
/// sum up alike under every filter of [`filters`].
fn same_listing_and_summaries(dir: &Path, file: &eac_store::Store, server: &eac_store::Store) {
    use eac_store::NoProgress;
    let (x, y) = (dir.join("file.json"), dir.join("server.json"));
    file.export_p1(None, &x, &NoProgress).unwrap();
    server.export_p1(None, &y, &NoProgress).unwrap();
    assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap());
    for filter in filters() {
        assert_eq!(
            file.summary(&filter).unwrap(),
            server.summary(&filter).unwrap(),
            "{filter:?}"
        );
    }
}

/// A claim recorded while another desk deletes an EAC it allocates: the
/// two take turns on the audit chain's lock, so the claim never counts an
/// EAC the deletion removed (the deletion committed while the claim's
/// allocations were written but not yet committed, and its check of
/// claimed EACs could not see them). Here the deletion holds the lock
/// first (it waits for a row another program holds): the claim, planned
/// before, is refused when its turn comes, and nothing of it is stored.
#[test]
fn a_claim_and_the_deletion_of_an_eac_it_counts_take_turns() {
    use eac_store::{DeleteTarget, NoProgress, Reason, Store};
    let Some(db) = empty_database("eacdesk_claim_vs_delete") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let mut ann = Store::open_server(&db).unwrap();
    let mut sample = eac_sample::generate(4, 3, eac_sample::SampleOptions::default());
    ann.import_eacs("sample", &mut sample, &NoProgress).unwrap();
    let eac = first_ids(&ann, 1).remove(0);
    let mut watcher = Client::connect(&db, NoTls).unwrap();
    let mut waiting_for_locks = |n: i64| {
        for _ in 0..600 {
            let waiting: i64 = watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                      WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .unwrap()
                .get(0);
            if waiting >= n {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{n} sessions never waited for a lock");
    };
    // Another program holds the EAC's row: Bob's deletion takes the audit
    // chain's lock, then waits for the row.
    let mut holder = Client::connect(&db, NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.query_one(
        "SELECT id FROM eacs WHERE cds_eac_id = $1 FOR UPDATE",
        &[&eac],
    )
    .unwrap();
    let deleting = {
        let (db, eac) = (db.clone(), eac.clone());
        std::thread::spawn(move || {
            let mut bob = Store::open_server(&db).unwrap();
            bob.delete_eacs(
                &DeleteTarget::Ids(vec![eac]),
                &Reason::new("sold").unwrap(),
                "bob",
                false,
                &NoProgress,
            )
            .map(|report| report.deleted)
        })
    };
    waiting_for_locks(1);
    // Ann records a claim on it, planned from what is stored now.
    let mut claim = one_wh_claim(&eac);
    claim.planned_at = Some(ann.audit_mark().unwrap());
    let claiming = std::thread::spawn(move || {
        let out = ann.create_claim(&claim, &Reason::new("2024").unwrap(), "ann");
        (ann, out)
    });
    waiting_for_locks(2);
    tx.rollback().unwrap();
    assert_eq!(deleting.join().unwrap().unwrap(), 1);
    let (ann, claimed) = claiming.join().unwrap();
    let err = claimed.unwrap_err();
    assert!(
        matches!(
            err,
            eac_store::StoreError::Conflict { .. } | eac_store::StoreError::ChangedWhilePlanned
        ),
        "{err}"
    );
    assert!(ann.claims().unwrap().is_empty());
    assert!(ann.detail(&eac).is_err(), "the deletion stands");
    assert!(ann.verify_audit_chain().unwrap().broken.is_none());
}

/// A claim (one allocation of 1 Wh of `eac`'s first value) for the
/// numbering test.
fn one_wh_claim(eac: &str) -> eac_store::NewClaim {
    let ts = |t: &str| eac_model::Timestamp::parse(t).unwrap();
    eac_store::NewClaim {
        name: "numbered".into(),
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec!["CUST-1".into()],
        from: eac_model::Date::parse("2024-01-01").unwrap(),
        to: eac_model::Date::parse("2024-12-31").unwrap(),
        granularity: "annual".into(),
        market: None,
        bidding_zone: None,
        unit: eac_model::EnergyUnit::MWh,
        only_passing: None,
        allocations: vec![eac_store::NewAllocation {
            cds_eac_id: eac.into(),
            position: 0,
            start: ts("2024-01-01T00:00:00Z"),
            end: ts("2025-01-01T00:00:00Z"),
            quantity_wh: bigdecimal::BigDecimal::from(1),
        }],
        planned_at: None,
    }
}

/// The id the server gives `table`'s next row: after its highest id and
/// its identity sequence's last value (audit records are numbered by
/// `chain::next` that way; claims take the sequence's next).
fn server_next_id(conn: &str, table: &str) -> i64 {
    let mut client = Client::connect(conn, NoTls).unwrap();
    // `last_value` is NULL until the sequence gives its first id.
    let (max_id, last): (Option<i64>, Option<i64>) = client
        .query_one(
            &format!(
                "SELECT (SELECT max(id) FROM {table}),
                        (SELECT last_value FROM pg_sequences
                          WHERE quote_ident(schemaname) || '.' || quote_ident(sequencename)
                                = pg_get_serial_sequence($1, 'id'))"
            ),
            &[&table],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    max_id.unwrap_or(0).max(last.unwrap_or(0)) + 1
}

/// The id a file's AUTOINCREMENT `table` gives next.
fn file_next_id(path: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        &format!(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0),
                        coalesce((SELECT max(id) FROM {table}), 0)) + 1"
        ),
        [table],
        |r| r.get(0),
    )
    .unwrap()
}

/// A copy goes on numbering where its source would: a claim deleted
/// before a copy keeps its number in the copy (decision 244), whichever
/// way the copy goes (file to server, server to file, server to server,
/// an auditor's copy too), and so do the audit log's ids and a server's
/// other identity sequences between servers.
#[test]
fn a_copy_gives_the_next_claim_and_audit_record_the_ids_its_source_would() {
    use eac_store::{Reason, Store};
    let Some(db) = empty_database("eacdesk_copy_numbers") else {
        return;
    };
    let db2 = empty_database("eacdesk_copy_numbers_back").unwrap();
    let db3 = empty_database("eacdesk_copy_numbers_again").unwrap();
    for conn in [&db, &db2, &db3] {
        eac_store::server::init(conn).unwrap();
    }
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut file = Store::open(&path).unwrap();
    let mut sample = eac_sample::generate(4, 3, eac_sample::SampleOptions::default());
    file.import_eacs("sample", &mut sample, &eac_store::NoProgress)
        .unwrap();
    let eac = first_ids(&file, 1).remove(0);
    let why = Reason::new("numbering").unwrap();
    // The first claim keeps the factor it was recorded with: every copy
    // carries it (`claim_factors` is compared table by table).
    file.set_emission_factor(
        "NO",
        "grid",
        2024,
        &eac_model::Decimal::parse("0.02").unwrap(),
        "NVE",
        &why,
        "ann",
    )
    .unwrap();
    let with_market = eac_store::NewClaim {
        market: Some("NO".into()),
        ..one_wh_claim(&eac)
    };
    let first = file.create_claim(&with_market, &why, "ann").unwrap();
    let first_factors = file.claim_factors(&file.claim(first.id).unwrap()).unwrap();
    assert_eq!(first_factors.factors.len(), 1, "{first_factors:?}");
    let second = file.create_claim(&one_wh_claim(&eac), &why, "ann").unwrap();
    file.delete_claim(second.id, &why, "ann").unwrap();
    drop(file);
    // An audit log whose high mark is above its newest row (ids are
    // never given twice there either).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("UPDATE sqlite_sequence SET seq = seq + 40 WHERE name = 'audit_log'")
        .unwrap();
    let audit_next = file_next_id(&path, "audit_log");
    assert_eq!(file_next_id(&path, "claims"), second.id + 1);

    // File to server: the server's next claim is the file's next.
    let file = Store::open_read(&path).unwrap();
    file.copy_to_server(&db, &mut |_| {}).unwrap();
    drop(file);
    assert_eq!(server_next_id(&db, "claims"), second.id + 1);
    assert_eq!(server_next_id(&db, "audit_log"), audit_next);
    let mut server = Store::open_server(&db).unwrap();
    assert_eq!(
        server
            .claim_factors(&server.claim(first.id).unwrap())
            .unwrap(),
        first_factors
    );
    let third = server
        .create_claim(&one_wh_claim(&eac), &why, "ann")
        .unwrap();
    assert_eq!(third.id, second.id + 1, "{first:?}");
    let mut file = Store::open(&path).unwrap();
    let in_file = file.create_claim(&one_wh_claim(&eac), &why, "ann").unwrap();
    assert_eq!(in_file.id, third.id);
    drop(file);

    // Server to file: the newest claim deleted on the server keeps its
    // number in the file made from it, for its owner and for an auditor
    // (who may not read the sequences: the audit log names the number).
    server.delete_claim(third.id, &why, "ann").unwrap();
    drop(server);
    let mut owner = Client::connect(&db, NoTls).unwrap();
    owner
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_test_dora;
             CREATE ROLE eacdesk_test_dora LOGIN IN ROLE eacdesk_auditor;
             SELECT setval(pg_get_serial_sequence('import_batches', 'id'), 500);",
        )
        .unwrap();
    for (name, conn) in [
        ("back.sqlite", db.clone()),
        ("audited.sqlite", format!("{db} user=eacdesk_test_dora")),
    ] {
        let back = dir.path().join(name);
        eac_store::server_copy::copy_from_server(&conn, &back, &mut |_| {}).unwrap();
        assert_eq!(file_next_id(&back, "claims"), third.id + 1, "{name}");
        if name == "back.sqlite" {
            assert_eq!(
                file_next_id(&back, "audit_log"),
                server_next_id(&db, "audit_log")
            );
        }
        let mut copy = Store::open(&back).unwrap();
        assert_eq!(
            copy.claim_factors(&copy.claim(first.id).unwrap()).unwrap(),
            first_factors
        );
        let fourth = copy.create_claim(&one_wh_claim(&eac), &why, "ann").unwrap();
        assert_eq!(fourth.id, third.id + 1, "{name}");
    }
    owner.batch_execute("DROP ROLE eacdesk_test_dora").unwrap();

    // A file made from a server goes to another server numbering on.
    let back = dir.path().join("back2.sqlite");
    eac_store::server_copy::copy_from_server(&db, &back, &mut |_| {}).unwrap();
    Store::open_read(&back)
        .unwrap()
        .copy_to_server(&db2, &mut |_| {})
        .unwrap();
    assert_eq!(server_next_id(&db2, "claims"), third.id + 1);
    // Server to server: every identity sequence goes on where the
    // source's would (a file keeps only its AUTOINCREMENT tables' marks).
    let via = dir.path().join("via.sqlite");
    eac_store::server_copy::copy_between_servers(&db, &db3, &via, &mut |_| {}).unwrap();
    for table in ["claims", "audit_log", "import_batches", "eacs", "packs"] {
        assert_eq!(
            server_next_id(&db3, table),
            server_next_id(&db, table),
            "{table}"
        );
    }
    assert_eq!(server_next_id(&db3, "import_batches"), 501);
    let mut again = Store::open_server(&db3).unwrap();
    assert_eq!(
        again
            .claim_factors(&again.claim(first.id).unwrap())
            .unwrap(),
        first_factors
    );
    let fifth = again
        .create_claim(&one_wh_claim(&eac), &why, "ann")
        .unwrap();
    assert_eq!(fifth.id, third.id + 1);
}

/// Whether every EAC of `ids` holds what its audit log's last record says:
/// a stored EAC has the assignment its last change left (an EAC whose last
/// record is its deletion was imported again since: the import said so),
/// and an EAC that is gone was deleted, audited.
fn data_matches_its_audit_log(store: &eac_store::Store, ids: &[String], when: &str) {
    use eac_store::{AuditAction, BeneficiaryAssignment, StoreError};
    for id in ids {
        let last = (store.audit_log(Some(id)).unwrap().into_iter())
            .find(|r| r.action != AuditAction::Verify);
        match store.eac(id) {
            Ok(eac) => {
                let Some(last) = last.filter(|r| r.action != AuditAction::Delete) else {
                    continue;
                };
                let now = eac.beneficiary_type.map(|t| BeneficiaryAssignment {
                    beneficiary_type: t,
                    beneficiaries: eac.beneficiaries.clone(),
                });
                assert_eq!(
                    last.after, now,
                    "{when}: {id} holds what its last audit record ({}, {:?}) does not say",
                    last.id, last.action
                );
            }
            Err(StoreError::NotFound(_)) => assert_eq!(
                last.map(|r| r.action),
                Some(AuditAction::Delete),
                "{when}: {id} is gone without a deletion recorded"
            ),
            Err(e) => panic!("{when}: {id}: {e}"),
        }
    }
}

/// Two desks changing the same EACs at the same moment on a server: fields
/// set beside beneficiaries set, beneficiaries set beside a deletion of
/// some of them, fields set beside a deletion, each pair started together
/// (a barrier), a few rounds. Each pair takes turns: both succeed (no
/// deadlock, no EAC found and then missing), neither overwrites what the
/// other saved (every EAC holds what its audit log's last record says, and
/// both changes), and the chain is intact. Without the locks taken before
/// reading (`lock.rs`) a round lost an update or deadlocked.
#[test]
fn two_desks_changing_the_same_eacs_at_once_take_turns_and_lose_nothing() {
    use eac_model::TechnologyType;
    use eac_store::{
        BeneficiaryAssignment, DeleteTarget, EacFilter, FieldValue, NoProgress, Reason,
        SettableField, Store, StoreError,
    };
    let Some(db) = empty_database("eacdesk_server_same_eacs") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let sample: Vec<eac_model::Eac> =
        eac_sample::generate(SAME_EACS_SAMPLE, 2, eac_sample::SampleOptions::default()).collect();
    let source = "REG-OFGEM";
    let of = |technology: Option<TechnologyType>| -> Vec<String> {
        (sample.iter())
            .filter(|e| {
                e.source_id == source && technology.is_none_or(|t| e.technology_type == Some(t))
            })
            .map(|e| e.cds_eac_id.clone())
            .collect()
    };
    let (ours, solar, wind) = (
        of(None),
        of(Some(TechnologyType::Solar)),
        of(Some(TechnologyType::Wind)),
    );
    assert!(
        ours.len() > 60 && solar.len() > 10 && wind.len() > 10,
        "{}",
        ours.len()
    );
    let mut ann = Store::open_server(&db).unwrap();
    let mut bob = Store::open_server(&db).unwrap();
    let all_of_source = EacFilter {
        source: Some(source.to_owned()),
        ..EacFilter::default()
    };
    let reason = Reason::new("quarter close").unwrap();
    type Change<'a> = Box<dyn FnOnce(&mut Store) -> Result<(), StoreError> + Send + 'a>;
    // Both changes started together, each on its own desk, the second
    // `after` the first (the rounds try a few moments): both answers.
    let race = |ann: &mut Store, bob: &mut Store, first: Change, second: Change, after: u64| {
        let start = std::sync::Barrier::new(2);
        std::thread::scope(|s| {
            let a = s.spawn(|| {
                start.wait();
                first(ann)
            });
            let b = s.spawn(|| {
                start.wait();
                std::thread::sleep(std::time::Duration::from_millis(after));
                second(bob)
            });
            (a.join().unwrap(), b.join().unwrap())
        })
    };
    let set_destination = |name: &str| -> Change {
        let target = DeleteTarget::Filter(all_of_source.clone());
        let values = vec![FieldValue {
            field: SettableField::DestinationName,
            value: name.to_owned(),
        }];
        let reason = reason.clone();
        Box::new(move |s: &mut Store| {
            s.set_fields(&target, &values, &reason, "ann", false, &NoProgress)
                .map(|_| ())
        })
    };
    let set_customer = |id: &str| -> Change {
        let filter = all_of_source.clone();
        let to = BeneficiaryAssignment {
            beneficiary_type: eac_model::BeneficiaryType::Customer,
            beneficiaries: vec![id.to_owned()],
        };
        let reason = reason.clone();
        Box::new(move |s: &mut Store| {
            s.bulk_set_beneficiaries(&filter, &to, &reason, "bob", &NoProgress)
                .map(|_| ())
        })
    };
    let delete = |technology: TechnologyType| -> Change {
        let target = DeleteTarget::Filter(EacFilter {
            technology: Some(technology),
            ..all_of_source.clone()
        });
        let reason = reason.clone();
        Box::new(move |s: &mut Store| {
            s.delete_eacs(&target, &reason, "bob", false, &NoProgress)
                .map(|_| ())
        })
    };
    // Both succeeded; every EAC holds what its audit log says, and `holds`
    // of each EAC not `gone`.
    let check = |store: &Store,
                 answers: (Result<(), StoreError>, Result<(), StoreError>),
                 gone: &[String],
                 holds: &dyn Fn(&eac_model::Eac) -> bool,
                 when: &str| {
        for answer in [answers.0, answers.1] {
            if let Err(e) = answer {
                panic!("{when}: {e}");
            }
        }
        data_matches_its_audit_log(store, &ours, when);
        for id in &ours {
            match store.eac(id) {
                Ok(eac) => {
                    assert!(!gone.contains(id), "{when}: {id} was not deleted");
                    assert!(holds(&eac), "{when}: {id} lost a change: {eac:?}");
                }
                Err(e) => assert!(gone.contains(id), "{when}: {id}: {e}"),
            }
        }
    };
    for (round, after) in SAME_EACS_ROUNDS.into_iter().enumerate() {
        // Every EAC back (those deleted last round).
        (ann.import_eacs(
            &format!("round {round}"),
            &mut sample.clone().into_iter(),
            &NoProgress,
        ))
        .unwrap();
        let (x, c) = (format!("X{round}"), format!("C{round}"));
        let answers = race(&mut ann, &mut bob, set_destination(&x), set_customer(&c), 0);
        let both = |e: &eac_model::Eac| {
            e.destination_name.as_deref() == Some(x.as_str()) && e.beneficiaries == [c.clone()]
        };
        check(
            &ann,
            answers,
            &[],
            &both,
            &format!("round {round}, fields beside beneficiaries"),
        );

        let q = format!("Q{round}");
        let answers = race(
            &mut bob,
            &mut ann,
            delete(TechnologyType::Solar),
            set_customer(&q),
            after,
        );
        let beneficiary = |e: &eac_model::Eac| e.beneficiaries == [q.clone()];
        let when = format!("round {round}, beneficiaries beside a deletion");
        check(&ann, answers, &solar, &beneficiary, &when);

        let y = format!("Y{round}");
        let answers = race(
            &mut bob,
            &mut ann,
            delete(TechnologyType::Wind),
            set_destination(&y),
            after,
        );
        let gone: Vec<String> = solar.iter().chain(&wind).cloned().collect();
        let destination = |e: &eac_model::Eac| e.destination_name.as_deref() == Some(y.as_str());
        let when = format!("round {round}, fields beside a deletion");
        check(&ann, answers, &gone, &destination, &when);
    }
    let chain = bob.verify_audit_chain().unwrap();
    assert!(chain.broken.is_none(), "{:?}", chain.broken);
}

/// The sample and the rounds of the test above (each, how many
/// milliseconds after a deletion the edit beside it starts): enough for
/// the races to meet on most rounds, a few seconds in all.
const SAME_EACS_SAMPLE: usize = 700;
const SAME_EACS_ROUNDS: [u64; 4] = [0, 10, 15, 25];

/// A desk's write that PostgreSQL ends to break a deadlock (here with
/// another program holding rows in the other order) says so in plain
/// words, changed nothing, and works when run again.
#[test]
fn a_write_ended_by_a_deadlock_says_to_run_it_again() {
    use eac_store::{BeneficiaryAssignment, EacFilter, NoProgress, Reason, StoreError};
    let Some((_dir, file, db)) = file_and_server("eacdesk_server_deadlock") else {
        return;
    };
    let ids = first_ids(&file, 2);
    let mut other = Client::connect(&db, NoTls).unwrap();
    // Row ids, lower first: the desk locks the EACs in that order.
    let rows: Vec<(i64, String)> = other
        .query(
            "SELECT id, cds_eac_id FROM eacs WHERE cds_eac_id = ANY($1) ORDER BY id",
            &[&ids],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let (first, second) = (rows[0].0, rows[1].0);
    let mut tx = other.transaction().unwrap();
    tx.execute("SELECT 1 FROM eacs WHERE id = $1 FOR UPDATE", &[&second])
        .unwrap();
    let to = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Customer,
        beneficiaries: vec!["DEADLOCK".to_owned()],
    };
    let filter = EacFilter {
        ids: Some(ids.clone()),
        ..EacFilter::default()
    };
    let reason = Reason::new("q").unwrap();
    let mut desk = eac_store::Store::open_server(&db).unwrap();
    let answer = std::thread::scope(|s| {
        let edit =
            s.spawn(|| desk.bulk_set_beneficiaries(&filter, &to, &reason, "ann", &NoProgress));
        // The desk holds the first row and waits for the second; this
        // program now waits for the first: the server ends the desk's
        // transaction (it waited longer), and this one goes on.
        std::thread::sleep(std::time::Duration::from_millis(300));
        tx.execute("SELECT 1 FROM eacs WHERE id = $1 FOR UPDATE", &[&first])
            .unwrap();
        let answer = edit.join().unwrap();
        tx.rollback().unwrap();
        answer
    });
    let Err(StoreError::Conflict { message, .. }) = answer else {
        panic!("{answer:?}");
    };
    assert_eq!(
        message,
        "Another desk changed the same EACs at the same moment; nothing was changed. Run it again."
    );
    for id in &ids {
        assert_ne!(desk.detail(id).unwrap().beneficiaries, vec!["DEADLOCK"]);
    }
    let done = desk
        .bulk_set_beneficiaries(&filter, &to, &reason, "ann", &NoProgress)
        .unwrap();
    assert_eq!(done.changed, 2);
    assert!(desk.verify_audit_chain().unwrap().broken.is_none());
}

/// Step 0025 (decision 35 as amended): text a server database stored
/// folded by lowercase alone, with accents as written (NFD), is put in
/// NFC, so a search folded to NFC finds it again, EACs and reference data.
#[test]
fn the_nfc_step_folds_search_text_stored_before_on_a_server() {
    use eac_store::{BrowseQuery, EacFilter, NoProgress, SortField, SortSpec, Store};
    let Some(db) = empty_database("eacdesk_nfc_step") else {
        return;
    };
    eac_store::server::init(&db).unwrap();
    let mut store = Store::open_server(&db).unwrap();
    let mut sample = eac_sample::generate(3, 7, eac_sample::SampleOptions::default());
    store
        .import_eacs("sample", &mut sample, &NoProgress)
        .unwrap();
    let mut client = Client::connect(&db, NoTls).unwrap();
    let first: String = client
        .query_one(
            "SELECT cds_eac_id FROM eacs ORDER BY cds_eac_id LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    // As an older version stored them: lowercase, accents as written.
    client
        .execute(
            "UPDATE eacs SET search_text = $1 WHERE cds_eac_id = $2",
            &[&"e\u{301}nergie cafe\u{301}", &first],
        )
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO refdata (beneficiary_type, ref_id, label, source_file, imported_at,
                                  ref_id_folded, label_folded)
             VALUES ('program', 'PRG-A\u{30a}', 'E\u{301}nergie', 'p.csv',
                     '2026-01-01T00:00:00Z', 'prg-a\u{30a}', 'e\u{301}nergie')",
        )
        .unwrap();
    let found = |store: &Store| -> Vec<String> {
        let query = BrowseQuery {
            filter: EacFilter {
                search: Some("Caf\u{e9}".into()),
                ..Default::default()
            },
            sort: SortSpec {
                field: SortField::CdsEacId,
                descending: false,
            },
            offset: 0,
            limit: 10,
        };
        store
            .browse(&query)
            .unwrap()
            .into_iter()
            .map(|r| r.cds_eac_id)
            .collect()
    };
    assert!(found(&store).is_empty(), "found before the step");
    let step =
        fs::read_to_string(migrations().join("postgres/0025_search_folded_to_nfc.sql")).unwrap();
    client.batch_execute(&step).unwrap();
    assert_eq!(found(&store), [first]);
    let programs = store.refdata(None, Some("\u{c9}nergie"), 0).unwrap();
    assert_eq!(programs.len(), 1, "{programs:?}");
    assert_eq!(programs[0].id, "PRG-A\u{30a}");
    let choices = store
        .beneficiary_choices(eac_model::BeneficiaryType::Program, "prg-\u{e5}", 10)
        .unwrap();
    assert_eq!(choices.len(), 1, "{choices:?}");
}

/// TEAM42 finding 4 on a server: a desk saving the EAC it opened after
/// another desk deleted it is told who deleted it, when and why, as a
/// conflict, never to check the id or import the file.
#[test]
fn an_edit_of_an_eac_another_desk_deleted_names_the_deletion() {
    use eac_store::{BeneficiaryAssignment, DeleteTarget, Reason, StoreError};
    let Some((_dir, file, db)) = file_and_server("eacdesk_t42_deleted") else {
        return;
    };
    let id = first_ids(&file, 1).remove(0);
    let mut ann = eac_store::Store::open_server(&db).unwrap();
    let mut carol = eac_store::Store::open_server(&db).unwrap();
    let seen = carol.detail(&id).unwrap().version;
    ann.delete_eacs(
        &DeleteTarget::Ids(vec![id.clone()]),
        &Reason::new("ann removes duplicate").unwrap(),
        "ann",
        false,
        &eac_store::NoProgress,
    )
    .unwrap();
    let to = BeneficiaryAssignment {
        beneficiary_type: eac_model::BeneficiaryType::Account,
        beneficiaries: vec!["CUST123".to_owned()],
    };
    let reason = Reason::new("carol").unwrap();
    let err = carol
        .set_beneficiaries_seen(&id, Some(seen), &to, &reason, "carol")
        .unwrap_err();
    let StoreError::ChangedSince(changed) = &err else {
        panic!("{err}");
    };
    assert!(changed.removed);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "EAC {id} was removed after you opened it (it was deleted by ann (server login \
             eacdesk) at "
        )),
        "{message}"
    );
    assert!(
        message.contains(" UTC: “ann removes duplicate”); nothing was saved."),
        "{message}"
    );
    // Without a version: not found, as before.
    let err = carol
        .set_beneficiaries_seen(&id, None, &to, &reason, "carol")
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

/// TEAM42 findings 5 and 6: a server database a newer EAC Desk set up asks
/// for a newer EAC Desk from `copy` as from opening it; one not set up (or
/// older) is its owner's to set up, named as the server names it, and the
/// command suggested names the owner's login and no password.
#[test]
fn advice_to_set_up_a_server_database_names_its_owner_and_no_password() {
    let Some(db) = empty_database("eacdesk_t42_owned") else {
        return;
    };
    let mut admin = Client::connect(&db, NoTls).unwrap();
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_t42_owner; DROP ROLE IF EXISTS eacdesk_t42_bob;
             CREATE ROLE eacdesk_t42_owner LOGIN; CREATE ROLE eacdesk_t42_bob LOGIN;
             ALTER DATABASE eacdesk_t42_owned OWNER TO eacdesk_t42_owner;",
        )
        .unwrap();
    let bob = format!("{db} user=eacdesk_t42_bob password=bobpw");
    let refused = |conn: &str| match eac_store::Store::open_server(conn) {
        Ok(_) => panic!("opened {conn}"),
        Err(e) => e.to_string(),
    };
    let said = refused(&bob);
    // Every `user` setting names the owner; the password is left out.
    let owners = format!(
        "{} user=eacdesk_t42_owner",
        db.replace("user=eacdesk ", "user=eacdesk_t42_owner ")
    );
    assert!(
        said.contains(&format!(
            "holds no EAC Desk database; ask the database's owner (eacdesk_t42_owner) to set it \
             up with `eacdesk server init {owners}` (give the password in PGPASSWORD), then, to \
             fill it from a file, `eacdesk copy --from FILE --to {owners}`"
        )),
        "{said}"
    );
    // The suggested commands name no password, not even a masked one.
    assert!(!said.contains("bobpw"), "{said}");
    assert!(
        !said
            .split('`')
            .skip(1)
            .step_by(2)
            .any(|c| c.contains("***")),
        "{said}"
    );
    assert!(!said.contains("user=eacdesk_t42_bob`"), "{said}");
    // The owner (here the superuser, who may act as any role) is told to
    // run it, with its own login.
    let said = refused(&db);
    assert!(
        said.contains("holds no EAC Desk database; set it up with `eacdesk server init "),
        "{said}"
    );
    assert!(!said.contains("ask the database's owner"), "{said}");

    // An older schema: the owner brings it up, asked by name.
    eac_store::server::init(&db).unwrap();
    admin
        .batch_execute(
            "UPDATE eacdesk_schema SET version = version - 1;
             GRANT eacdesk_auditor TO eacdesk_t42_bob;",
        )
        .unwrap();
    let newest = eac_store::supported_schema_version();
    let said = refused(&bob);
    assert!(
        said.contains(&format!(
            "older than this version of EAC Desk knows ({newest}); ask the database's owner \
             (eacdesk_t42_owner) to bring it to schema {newest} with `eacdesk server init "
        )),
        "{said}"
    );
    let dir = tempfile::TempDir::new().unwrap();
    let copied =
        eac_store::server_copy::copy_from_server(&bob, &dir.path().join("a.sqlite"), &mut |_| {})
            .unwrap_err()
            .to_string();
    assert!(
        copied.contains(
            "ask the database's owner (eacdesk_t42_owner) to run `eacdesk server init` on it first"
        ),
        "{copied}"
    );

    // A newer schema: update EAC Desk, from `copy` as from opening it.
    admin
        .batch_execute(&format!(
            "UPDATE eacdesk_schema SET version = {}",
            newest + 1
        ))
        .unwrap();
    let opened = refused(&bob);
    assert!(opened.contains("update EAC Desk"), "{opened}");
    let copied =
        eac_store::server_copy::copy_from_server(&bob, &dir.path().join("b.sqlite"), &mut |_| {})
            .unwrap_err()
            .to_string();
    assert!(
        copied.contains(&format!(
            "holds an EAC Desk database of schema {}, newer than this version of EAC Desk knows \
             ({newest}); update EAC Desk",
            newest + 1
        )),
        "{copied}"
    );
    assert!(!copied.contains("server init"), "{copied}");
    let file = eac_store::Store::open(&dir.path().join("c.sqlite")).unwrap();
    let copied = file
        .copy_to_server(&db, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(copied.contains("update EAC Desk"), "{copied}");
    assert!(!copied.contains("server init"), "{copied}");
}

/// TEAM42 finding 7.1: a read whose connection the server ends (shut down,
/// the session terminated) is a lost connection the shells can tell
/// ([`eac_store::StoreError::lost_connection`]), so an export says its
/// file was left as it was rather than that a change was rolled back.
#[test]
fn a_read_whose_connection_was_ended_is_told_as_a_lost_connection() {
    let Some((dir, _file, db)) = file_and_server("eacdesk_t42_lost") else {
        return;
    };
    let store = eac_store::Store::open_server(&db).unwrap();
    let mut admin = Client::connect(&db, NoTls).unwrap();
    admin
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
    let err = store
        .export_p1_unplaced(None, &dir.path().join("out.json"), &eac_store::NoProgress)
        .map(|_| ())
        .unwrap_err();
    let client = err.lost_connection().unwrap_or_else(|| panic!("{err}"));
    assert!(client.starts_with("The client said: "), "{client}");
    assert!(!dir.path().join("out.json").exists());
    // Any other refusal is none.
    assert!(eac_store::StoreError::Server {
        message: "permission denied".into()
    }
    .lost_connection()
    .is_none());
}
