//! The store against real SQLite files in temporary folders: import
//! semantics, atomicity, browse filters and sorts, exact totals, audited
//! edits, schema versions and P1 export.
//!
//! One suite, two backends (issue 17): with `EACDESK_TEST_BACKEND=postgres`
//! and `EACDESK_TEST_PG` (a libpq string; `make test` sets both on a
//! throwaway cluster) every test runs on a new database of its own on that
//! PostgreSQL server instead. Tests about the SQLite file itself say so
//! with `file_only!` and return there; "nothing was written" is the file's
//! bytes on SQLite and every table's rows on a server (`Env::fingerprint`).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use eac_model::{
    BeneficiaryType, Date, Decimal, Eac, EacValue, EnergyUnit, Extensions, ListingWriter,
    RetiredState, TechnologyType, Timestamp,
};
use eac_store::{
    BeneficiaryAssignment, BrowseQuery, ChoiceField, EacFilter, FieldMatch, ImportOptions,
    MatchField, NoProgress, Progress, Reason, SortField, SortSpec, Store, StoreError,
};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

#[path = "store/atomic.rs"]
mod atomic;
#[path = "store/chain.rs"]
mod chain;
#[path = "store/claims.rs"]
mod claims;
#[path = "store/confirmed.rs"]
mod confirmed;
#[path = "store/crafted_schema.rs"]
mod crafted_schema;
#[path = "store/empty_file.rs"]
mod empty_file;
#[path = "store/history.rs"]
mod history;
#[path = "store/import_notes.rs"]
mod import_notes;
#[path = "store/migrations.rs"]
mod migrations;
#[path = "store/other_program.rs"]
mod other_program;
#[path = "store/packs.rs"]
mod packs;
#[path = "store/periods.rs"]
mod periods;
#[path = "store/properties.rs"]
mod properties;
#[path = "store/registry.rs"]
mod registry;
#[path = "store/reopen.rs"]
mod reopen;
#[path = "store/same_stamp.rs"]
mod same_stamp;
#[path = "store/stream.rs"]
mod stream;
#[path = "store/summary.rs"]
mod summary;
#[path = "store/tamper_guard.rs"]
mod tamper_guard;
#[path = "store/two_writers.rs"]
mod two_writers;

// ---------------------------------------------------------------- helpers

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn dec(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

fn value(unit: EnergyUnit, quantity: &str) -> EacValue {
    EacValue {
        eac_number: None,
        issued: Some(date("2024-02-05")),
        retired: None,
        retired_undated: false,
        start: Some(ts("2024-01-01T00:00:00Z")),
        end: Some(ts("2024-02-01T00:00:00Z")),
        unit,
        value: dec(quantity),
        extensions: Extensions::default(),
    }
}

/// A valid EAC for January 2024 with one 30 MWh value.
fn eac(id: &str) -> Eac {
    Eac {
        cds_eac_id: id.to_owned(),
        cds_created: ts("2024-02-10T00:00:00Z"),
        cds_modified: ts("2024-02-10T00:00:00Z"),
        eac_number: Some(format!("N-{id}")),
        source_id: "REG-1".into(),
        source_name: "Registry One".into(),
        destination_id: Some("UTIL-1".into()),
        destination_name: Some("Demo Utility".into()),
        beneficiary_type: Some(BeneficiaryType::Customer),
        beneficiaries: vec!["CUST123".into()],
        asset_id: "AP111111".into(),
        asset_commissioned: None,
        asset_origination: Some(eac_model::AssetLocationType::Region),
        asset_destination: Some(eac_model::AssetLocationType::Grid),
        technology_type: Some(TechnologyType::Wind),
        emissions_factor_direct: Some(dec("0")),
        emissions_factor_lca: Some(dec("0.011")),
        period_start: ts("2024-01-01T00:00:00Z"),
        period_end: ts("2024-02-01T00:00:00Z"),
        values: vec![value(EnergyUnit::MWh, "30")],
        extensions: Extensions::default(),
    }
}

// ---------------------------------------------------------------- backends

/// The PostgreSQL server this run of the suite works on, when
/// `EACDESK_TEST_BACKEND=postgres`: the libpq settings `EACDESK_TEST_PG`
/// gives. `make test` runs the suite twice, on SQLite files and then on
/// server databases: one suite, two backends (issue 17).
fn on_server() -> Option<String> {
    match std::env::var("EACDESK_TEST_BACKEND").as_deref() {
        Ok("postgres") => Some(
            std::env::var("EACDESK_TEST_PG")
                .expect("EACDESK_TEST_BACKEND=postgres needs EACDESK_TEST_PG (a libpq string)"),
        ),
        Ok("sqlite") | Err(_) => None,
        Ok(other) => panic!("EACDESK_TEST_BACKEND is `sqlite` or `postgres`, not `{other}`"),
    }
}

/// The server login column and its value for an audit record another tool
/// writes: a server's trigger refuses a record not naming the login that
/// writes it (decision 481); a file takes none.
fn server_login_column() -> (&'static str, &'static str) {
    match on_server() {
        Some(_) => (", server_login", ", session_user"),
        None => ("", ""),
    }
}

/// A test about the SQLite file itself (its bytes, its journal, its
/// schema steps, what another tool does to it) returns here when the
/// suite runs on server databases, saying so.
macro_rules! file_only {
    ($why:expr) => {
        if on_server().is_some() {
            eprintln!("on the SQLite file only: {}", $why);
            return;
        }
    };
}
pub(crate) use file_only;

/// A database of its own on the test server, dropped with the test.
struct ServerDb {
    admin: String,
    name: String,
}

impl ServerDb {
    fn new(admin: String) -> ServerDb {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("eacdesk_suite_{}_{n}", std::process::id());
        let mut client =
            postgres::Client::connect(&admin, postgres::NoTls).expect("the test server");
        // One statement each: neither runs inside a transaction.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        client
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'
                     LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
            ))
            .unwrap();
        let db = ServerDb { admin, name };
        eac_store::server::init(&db.settings()).unwrap();
        db
    }

    fn settings(&self) -> String {
        format!("{} dbname={}", self.admin, self.name)
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.settings(), postgres::NoTls).unwrap()
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

struct Env {
    dir: TempDir,
    store: Store,
    /// The server database `store` is, when the suite runs on a server
    /// (dropped after `store` closes: fields drop in order).
    server: Option<ServerDb>,
}

impl Env {
    fn new() -> Env {
        let dir = TempDir::new().unwrap();
        match on_server() {
            Some(admin) => {
                let server = ServerDb::new(admin);
                let store = Store::open_server(&server.settings()).unwrap();
                Env {
                    dir,
                    store,
                    server: Some(server),
                }
            }
            None => {
                let store = Store::open(&dir.path().join("eacs.db")).unwrap();
                Env {
                    dir,
                    store,
                    server: None,
                }
            }
        }
    }

    /// The database file (file backend only).
    fn db(&self) -> PathBuf {
        assert!(
            self.server.is_none(),
            "a test that needs the SQLite file starts with file_only!(…)"
        );
        self.dir.path().join("eacs.db")
    }

    /// Another store on the same database (a second desk).
    fn reopen(&self) -> Store {
        match &self.server {
            Some(server) => Store::open_server(&server.settings()).unwrap(),
            None => Store::open(&self.db()).unwrap(),
        }
    }

    /// A connection of another tool to the database file, `None` on a
    /// server (for checks of SQLite's own structures).
    fn raw_file(&self) -> Option<rusqlite::Connection> {
        self.server
            .is_none()
            .then(|| rusqlite::Connection::open(self.db()).unwrap())
    }

    /// Another process takes the database file's write lock and commits
    /// `held_ms` later; returns once it holds the lock (join the handle
    /// for its commit).
    fn hold_write_lock(&self, held_ms: u64) -> std::thread::JoinHandle<()> {
        let db = self.db();
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let raw = rusqlite::Connection::open(&db).unwrap();
            raw.execute_batch("BEGIN IMMEDIATE").unwrap();
            locked_tx.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(held_ms));
            raw.execute_batch("COMMIT").unwrap();
        });
        locked_rx.recv().unwrap();
        holder
    }

    /// Runs `sql` as another tool would, on either backend: the rows it
    /// changed, or the database's error message.
    fn raw(&self, sql: &str) -> Result<u64, String> {
        match &self.server {
            Some(server) => server.client().execute(sql, &[]).map_err(|e| {
                e.as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_owned())
            }),
            None => rusqlite::Connection::open(self.db())
                .unwrap()
                .execute(sql, [])
                .map(|n| n as u64)
                .map_err(|e| e.to_string()),
        }
    }

    /// Runs statements as another tool would, on either backend.
    fn raw_batch(&self, sql: &str) -> Result<(), String> {
        match &self.server {
            Some(server) => server.client().batch_execute(sql).map_err(|e| {
                e.as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_owned())
            }),
            None => rusqlite::Connection::open(self.db())
                .unwrap()
                .execute_batch(sql)
                .map_err(|e| e.to_string()),
        }
    }

    /// The first column of the first row `sql` gives, as text (`CAST` it
    /// in the query), on either backend.
    fn raw_text(&self, sql: &str) -> Option<String> {
        match &self.server {
            Some(server) => server
                .client()
                .query_opt(sql, &[])
                .unwrap()
                .and_then(|r| r.get(0)),
            None => {
                use rusqlite::OptionalExtension;
                rusqlite::Connection::open(self.db())
                    .unwrap()
                    .query_row(sql, [], |r| r.get(0))
                    .optional()
                    .unwrap()
                    .flatten()
            }
        }
    }

    /// Every row of every table, as text, table by table: equal snapshots
    /// mean nothing was written (on either backend).
    fn snapshot(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(server) = &self.server {
            let mut client = server.client();
            let tables: Vec<String> = client
                .query(
                    "SELECT table_name::text FROM information_schema.tables
                      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            for table in tables {
                let mut rows: Vec<String> = client
                    .query(&format!("SELECT t::text FROM \"{table}\" t"), &[])
                    .unwrap()
                    .iter()
                    .map(|r| format!("{table} | {}", r.get::<_, String>(0)))
                    .collect();
                rows.sort();
                out.push(format!("{table}: {} rows", rows.len()));
                out.extend(rows);
            }
            return out;
        }
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for table in tables {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    let mut line = table.clone();
                    for i in 0..columns {
                        line.push_str(&format!(" | {:?}", r.get_ref(i)?));
                    }
                    Ok(line)
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            rows.sort();
            out.push(format!("{table}: {} rows", rows.len()));
            out.extend(rows);
        }
        out
    }

    /// Rows of `sql` (every column `CAST … AS TEXT` in the query), as
    /// another tool reads them, on either backend.
    fn raw_rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.server {
            Some(server) => server
                .client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
                .collect(),
            None => {
                let conn = rusqlite::Connection::open(self.db()).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                let n = stmt.column_count();
                stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
        }
    }

    /// What the database holds, to tell that a refused change wrote
    /// nothing: the file's very bytes, or on a server every table's rows.
    fn fingerprint(&self) -> String {
        match &self.server {
            Some(_) => hex::encode(Sha256::digest(self.snapshot().join("\n"))),
            None => sha256_of(&self.db()),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a P1 listing of `eacs` and returns its path.
    fn listing(&self, name: &str, eacs: &[Eac]) -> PathBuf {
        let path = self.file(name);
        let mut w = ListingWriter::begin(std::io::BufWriter::new(fs::File::create(&path).unwrap()))
            .unwrap();
        for e in eacs {
            w.write_item(e).unwrap();
        }
        w.finish().unwrap();
        path
    }

    fn import(&mut self, path: &Path) -> Result<eac_store::FileImportReport, StoreError> {
        self.store
            .import_file(path, ImportOptions::default(), &NoProgress)
    }

    fn import_eacs(&mut self, eacs: Vec<Eac>) {
        self.store
            .import_eacs("test", &mut eacs.into_iter(), &NoProgress)
            .unwrap();
    }

    fn ids(&self, filter: EacFilter) -> Vec<String> {
        self.sorted(filter, SortField::CdsEacId, false)
    }

    fn sorted(&self, filter: EacFilter, field: SortField, descending: bool) -> Vec<String> {
        let q = BrowseQuery {
            filter,
            sort: SortSpec { field, descending },
            offset: 0,
            limit: 1000,
        };
        self.store
            .browse(&q)
            .unwrap()
            .into_iter()
            .map(|r| r.cds_eac_id)
            .collect()
    }

    fn count(&self) -> usize {
        self.store.info().unwrap().eac_count
    }
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(fs::read(path).unwrap()))
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples")
        .join(name)
}

fn rules(err: StoreError) -> Vec<eac_model::Violation> {
    match err {
        StoreError::Rules { violations, .. } => violations,
        other => panic!("expected rule violations, got {other:?}"),
    }
}

/// Says "cancel" from the `after`-th question on.
struct CancelAfter {
    after: usize,
    asked: std::sync::atomic::AtomicUsize,
}

impl CancelAfter {
    fn new(after: usize) -> Self {
        CancelAfter {
            after,
            asked: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

/// Records the phase of every progress update.
#[derive(Default)]
struct Phases(std::sync::Mutex<Vec<eac_store::Phase>>);

impl Progress for Phases {
    fn update(&self, phase: eac_store::Phase, _: u64, _: Option<u64>) {
        self.0.lock().unwrap().push(phase);
    }
}

impl Progress for CancelAfter {
    fn update(&self, _: eac_store::Phase, _: u64, _: Option<u64>) {}
    fn is_cancelled(&self) -> bool {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 > self.after
    }
}

/// A reason for an audited change (checked as every shell checks it).
fn why(text: &str) -> Reason {
    Reason::new(text).unwrap()
}

fn assign(kind: BeneficiaryType, ids: &[&str]) -> BeneficiaryAssignment {
    BeneficiaryAssignment {
        beneficiary_type: kind,
        beneficiaries: ids.iter().map(|s| s.to_string()).collect(),
    }
}

fn search(text: &str) -> EacFilter {
    EacFilter {
        search: Some(text.into()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- import

#[test]
fn import_adds_then_skips_then_replaces_newer() {
    let mut env = Env::new();
    let first = env.listing("a.json", &[eac("e-1"), eac("e-2")]);
    let r = env.import(&first).unwrap();
    assert_eq!((r.added, r.replaced, r.skipped, r.ignored), (2, 0, 0, 0));
    assert_eq!(r.value_count, 2);
    assert_eq!(r.sha256.as_deref(), Some(sha256_of(&first).as_str()));
    assert_eq!(r.outcome, eac_store::ImportOutcome::Imported);

    // The same file again: nothing newer.
    let r = env.import(&first).unwrap();
    assert_eq!((r.added, r.replaced, r.skipped), (0, 0, 2));

    // e-1 newer (replaced), e-2 older (skipped), e-3 new.
    let mut newer = eac("e-1");
    newer.cds_modified = ts("2024-03-01T00:00:00Z");
    newer.values = vec![value(EnergyUnit::KWh, "5"), value(EnergyUnit::KWh, "6")];
    let mut older = eac("e-2");
    older.cds_created = ts("2024-01-01T00:00:00Z");
    older.cds_modified = ts("2024-01-01T00:00:00Z");
    older.source_name = "Should not be stored".into();
    let second = env.listing("b.json", &[newer.clone(), older, eac("e-3")]);
    let r = env.import(&second).unwrap();
    assert_eq!((r.added, r.replaced, r.skipped), (1, 1, 1));
    assert_eq!(r.value_count, 3);

    assert_eq!(env.store.eac("e-1").unwrap(), newer);
    assert_eq!(env.store.eac("e-2").unwrap().source_name, "Registry One");
    let info = env.store.info().unwrap();
    assert_eq!((info.eac_count, info.value_count), (3, 4));
    assert_eq!(info.schema_version, schema_files());
}

#[test]
fn duplicate_id_in_one_file_is_rule_7_and_writes_nothing() {
    let mut env = Env::new();
    // Also a duplicate of an EAC already stored with a newer version (skip path).
    let mut stored = eac("e-9");
    stored.cds_modified = ts("2025-01-01T00:00:00Z");
    env.import_eacs(vec![stored]);
    let path = env.listing(
        "dup.json",
        &[eac("e-1"), eac("e-2"), eac("e-1"), eac("e-9"), eac("e-9")],
    );
    let violations = rules(env.import(&path).unwrap_err());
    let dups: Vec<_> = violations.iter().filter(|v| v.rule == 7).collect();
    assert_eq!(dups.len(), 2, "{violations:?}");
    assert_eq!(dups[0].pointer, "/eacs/2/cds_eac_id");
    assert_eq!(dups[0].cds_eac_id.as_deref(), Some("e-1"));
    assert_eq!(
        dups[0].file.as_deref(),
        Some(path.display().to_string().as_str())
    );
    assert_eq!(dups[1].pointer, "/eacs/4/cds_eac_id");
    assert_eq!(env.count(), 1);
}

#[test]
fn a_fresh_load_reports_a_repeated_id_where_it_repeats_and_writes_nothing() {
    // An empty store: the load makes no lookup per EAC and builds the
    // key's unique index after the rows (decision 233). The reading of the
    // listing names each repeat where it stands (rule 7 for every element,
    // whatever else it breaks: `eac_model::check::ListingIds`), so the
    // repeat is never written and the file is read once.
    let mut env = Env::new();
    let mut listing: Vec<Eac> = (0..100).map(|i| eac(&format!("e-{i:03}"))).collect();
    listing.insert(70, eac("e-005"));
    listing.push(eac("e-099"));
    let path = env.listing("dup.json", &listing);
    let phases = Phases::default();
    let violations = rules(
        env.store
            .import_file(&path, ImportOptions::default(), &phases)
            .unwrap_err(),
    );
    // One reading, on a file as on a server.
    let seen = phases.0.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&eac_store::Phase::Import), "{seen:?}");
    assert!(
        !seen.contains(&eac_store::Phase::ImportAgain),
        "no second reading: {seen:?}"
    );
    let dups: Vec<_> = violations.iter().filter(|v| v.rule == 7).collect();
    assert_eq!(dups.len(), 2, "{violations:?}");
    assert_eq!(dups[0].pointer, "/eacs/70/cds_eac_id");
    assert_eq!(dups[0].cds_eac_id.as_deref(), Some("e-005"));
    assert_eq!(dups[1].pointer, "/eacs/101/cds_eac_id");
    assert_eq!(env.count(), 0);
    assert_eq!(env.store.info().unwrap().value_count, 0);
    // The same file without the repeats loads whole, values included.
    listing.remove(101);
    listing.remove(70);
    let path = env.listing("once.json", &listing);
    let report = env.import(&path).unwrap();
    assert_eq!(report.added, 100);
    let info = env.store.info().unwrap();
    assert_eq!(info.eac_count, 100);
    assert_eq!(
        info.value_count,
        listing.iter().map(|e| e.values.len()).sum::<usize>()
    );
    assert_eq!(env.store.eac("e-070").unwrap(), listing[70]);
    if let Some(conn) = env.raw_file() {
        // The load left the key's index built, and nothing beside the store.
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let index: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'eacs_by_cds_eac_id'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(index.starts_with("CREATE UNIQUE INDEX"), "{index}");
        let names: Vec<String> = fs::read_dir(env.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.contains("search")), "{names:?}");
    }
    // Stored ids stay unique: the next file's copy of one is judged
    // against it (an older copy is skipped).
    let path = env.listing("again.json", &[eac("e-001")]);
    assert_eq!(env.import(&path).unwrap().skipped, 1);
    assert_eq!(env.count(), 100);
}

#[test]
fn unknown_beneficiary_type_is_ignored_with_a_warning() {
    let mut env = Env::new();
    let path = env.file("unknown.json");
    let good = serde_json::to_string(&eac("e-1")).unwrap();
    let odd = serde_json::to_string(&eac("e-2"))
        .unwrap()
        .replace("\"customer\"", "\"household\"");
    fs::write(
        &path,
        format!("{{\"eacs\": [{good}, {odd}], \"next\": null, \"previous\": null}}"),
    )
    .unwrap();
    let r = env.import(&path).unwrap();
    assert_eq!((r.added, r.ignored), (1, 1));
    assert_eq!(r.warning_count, 1);
    assert_eq!(r.warnings[0].rule, 21);
    assert_eq!(env.count(), 1);
}

#[test]
fn rule_violations_are_collected_up_to_50_with_the_file_named() {
    let mut env = Env::new();
    let bad: Vec<Eac> = (0..80)
        .map(|i| {
            let mut e = eac(&format!("e-{i:03}"));
            e.period_end = e.period_start; // rule 8
            e.values[0].start = None; // rule 11
            e
        })
        .collect();
    let path = env.listing("bad.json", &bad);
    let err = env.import(&path).unwrap_err();
    assert_eq!(err.code(), "validation");
    let violations = rules(err);
    assert_eq!(violations.len(), 50);
    assert!(violations.iter().all(|v| v.is_error()));
    assert!(violations.iter().any(|v| v.rule == 8));
    assert!(violations.iter().any(|v| v.rule == 11));
    assert_eq!(env.count(), 0);
}

#[test]
fn failed_import_leaves_the_database_file_byte_identical() {
    let mut env = Env::new();
    let good = env.listing("good.json", &[eac("e-1"), eac("e-2")]);
    env.import(&good).unwrap();

    // Several valid EACs are written before the document turns out broken.
    let many: Vec<Eac> = (0..200).map(|i| eac(&format!("x-{i}"))).collect();
    let broken = env.listing("broken.json", &many);
    let mut text = fs::read_to_string(&broken).unwrap();
    text.truncate(text.len() - 40);
    text.push_str(", }"); // a trailing comma, then the end
    fs::write(&broken, text).unwrap();

    let before = env.fingerprint();
    let violations = rules(env.import(&broken).unwrap_err());
    assert_eq!(violations.last().unwrap().rule, 20);
    assert!(violations.last().unwrap().line.is_some());
    assert_eq!(env.fingerprint(), before);
    assert_eq!(env.count(), 2);

    // Closed and reopened: still the same bytes and the same contents.
    file_only!("the bytes of a closed file");
    let db = env.db();
    let Env { dir, store, .. } = env;
    drop(store);
    let closed = sha256_of(&db);
    let mut env = Env {
        store: Store::open(&db).unwrap(),
        dir,
        server: None,
    };
    rules(env.import(&broken).unwrap_err());
    let Env { dir, store, .. } = env;
    drop(store);
    assert_eq!(sha256_of(&db), closed);
    let store = Store::open(&dir.path().join("eacs.db")).unwrap();
    assert_eq!(store.info().unwrap().eac_count, 2);
}

#[test]
fn cancelled_import_writes_nothing() {
    let mut env = Env::new();
    let many: Vec<Eac> = (0..50).map(|i| eac(&format!("x-{i}"))).collect();
    let path = env.listing("many.json", &many);
    let before = env.fingerprint();
    let err = env
        .store
        .import_file(&path, ImportOptions::default(), &CancelAfter::new(10))
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled), "{err:?}");
    assert_eq!(env.count(), 0);
    assert_eq!(env.fingerprint(), before);

    let err = env
        .store
        .import_eacs("sample", &mut many.into_iter(), &CancelAfter::new(10))
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled));
    assert_eq!(env.count(), 0);
}

/// Cancels once a fresh load has read the whole file and begins to build
/// its indexes (the first step of that phase it is shown), and keeps the
/// steps of that phase. (Not as soon as the reading reports its last
/// byte: the reader runs ahead of the writer, so a load on a busy machine
/// could then see the cancel before its rows were all written.)
struct CancelWhenRead(AtomicBool, std::sync::Mutex<Vec<(u64, Option<u64>)>>);

impl Progress for CancelWhenRead {
    fn update(&self, phase: eac_store::Phase, done: u64, total: Option<u64>) {
        if phase == eac_store::Phase::ImportIndexes {
            self.1.lock().unwrap().push((done, total));
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Reports to another progress, never cancels.
struct NoCancel<'a>(&'a dyn Progress);

impl Progress for NoCancel<'_> {
    fn update(&self, phase: eac_store::Phase, done: u64, total: Option<u64>) {
        self.0.update(phase, done, total);
    }
}

#[test]
fn a_fresh_load_cancelled_while_it_builds_its_indexes_writes_nothing() {
    let mut env = Env::new();
    // A server builds no index after the rows (it keeps them as it goes).
    let Some(conn) = env.raw_file() else { return };
    // One step per index the load builds after the rows, one for the search index.
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
             AND tbl_name IN ('eacs', 'eac_beneficiaries')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let steps = u64::try_from(indexes).unwrap() + 1;
    let eacs = varied_eacs("c", 300);
    let path = env.listing("many.json", &eacs);
    let before = env.fingerprint();
    let progress = CancelWhenRead(AtomicBool::new(false), Default::default());
    let err = env
        .store
        .import_file(&path, ImportOptions::default(), &progress)
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled), "{err:?}");
    assert!(
        progress.0.load(std::sync::atomic::Ordering::SeqCst),
        "cancelled after the whole file was read"
    );
    // The person saw the import finishing (its first step), and it
    // stopped there.
    assert_eq!(*progress.1.lock().unwrap(), [(0, Some(steps))]);
    assert_eq!(env.count(), 0);
    assert_eq!(env.fingerprint(), before);
    assert_eq!(hidden_files(env.dir.path()), Vec::<String>::new());
    search_index_is_whole(&env);
    // Nothing of it is left: the next load builds everything, step by step.
    let progress = CancelWhenRead(AtomicBool::new(false), Default::default());
    env.store
        .import_file(&path, ImportOptions::default(), &NoCancel(&progress))
        .unwrap();
    let expected: Vec<(u64, Option<u64>)> = (0..=steps).map(|done| (done, Some(steps))).collect();
    assert_eq!(*progress.1.lock().unwrap(), expected);
    assert_eq!(env.count(), 300);
    assert_eq!(env.ids(search("v-c-299-1")), ["c-299"]);
    search_index_is_whole(&env);
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let mut env = Env::new();
    let path = env.file("nope.json");
    match env.import(&path).unwrap_err() {
        StoreError::Io { path: p, .. } => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
}

#[test]
fn import_eacs_checks_each_eac() {
    let mut env = Env::new();
    let mut bad = eac("e-2");
    bad.beneficiary_type = Some(BeneficiaryType::General); // with a beneficiary: rule 4
    let err = env
        .store
        .import_eacs(
            "sample",
            &mut vec![eac("e-1"), bad].into_iter(),
            &NoProgress,
        )
        .unwrap_err();
    let violations = rules(err);
    assert_eq!(violations[0].rule, 4);
    assert_eq!(violations[0].file.as_deref(), Some("sample"));
    assert_eq!(env.count(), 0);

    let r = env
        .store
        .import_eacs("sample", &mut vec![eac("e-1")].into_iter(), &NoProgress)
        .unwrap();
    assert_eq!((r.added, r.sha256), (1, None));
}

#[test]
fn extended_technologies_need_the_option() {
    let mut env = Env::new();
    let mut nuclear = eac("e-1");
    nuclear.technology_type = Some(TechnologyType::Nuclear);
    let path = env.listing("n.json", &[nuclear]);
    assert_eq!(rules(env.import(&path).unwrap_err())[0].rule, 3);
    let opts = ImportOptions {
        allow_extended_technologies: true,
        ..ImportOptions::default()
    };
    let r = env.store.import_file(&path, opts, &NoProgress).unwrap();
    assert_eq!(r.added, 1);
    // Admitted on purpose at import, so exported as kept.
    let dest = env.file("export.json");
    env.store.export_p1(None, &dest, &NoProgress).unwrap();
    assert!(fs::read_to_string(&dest)
        .unwrap()
        .contains("\"technology_type\": \"nuclear\""));
}

#[test]
fn eac_round_trips_with_extensions_and_detail_shows_text() {
    let mut env = Env::new();
    let r = env.import(&fixture("good-p1-mixed-order.json")).unwrap();
    assert_eq!(r.added, 7);

    let e3 = env.store.eac("e-03").unwrap();
    assert_eq!(e3.extensions.0.len(), 1);
    assert_eq!(e3.extensions.0[0].0, "acme_note");
    assert_eq!(
        e3.extensions.0[0].1.get(),
        "\"extension field, must be tolerated\""
    );

    for id in ["e-01", "e-02", "e-03", "e-04", "e-05", "e-06", "e-07"] {
        let eac = env.store.eac(id).unwrap();
        let expected: Vec<(String, String)> = eac
            .quantities()
            .into_iter()
            .map(|(u, d)| (u.as_str().to_owned(), d.as_str().to_owned()))
            .collect();
        let stored: Vec<(String, String)> = env
            .store
            .detail(id)
            .unwrap()
            .quantities
            .into_iter()
            .map(|q| (q.unit.as_str().to_owned(), q.total))
            .collect();
        assert_eq!(stored, expected, "{id}");
    }

    let d = env.store.detail("e-04").unwrap();
    assert_eq!(d.values[0].value, "45.106820");
    assert_eq!(d.values[0].start.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(d.asset_commissioned.as_deref(), Some("2019-06-30"));
    assert_eq!(d.emissions_factor_lca.as_deref(), Some("0.011"));
    assert_eq!(d.quantities.len(), 1);
    assert_eq!(d.quantities[0].total, "99.111000");
    assert_eq!(d.cds_created, "2024-02-10T00:00:00Z");
    assert_eq!(d.retired_state, RetiredState::No);

    assert!(matches!(
        env.store.eac("nope"),
        Err(StoreError::NotFound(id)) if id == "nope"
    ));
    assert!(matches!(
        env.store.detail("nope"),
        Err(StoreError::NotFound(_))
    ));
}

// ---------------------------------------------------------------- browse

/// EACs that differ in every filtered and sorted field.
fn browse_env() -> Env {
    let mut env = Env::new();
    let mut a = eac("a");
    a.eac_number = Some("ZZ-9".into());
    a.technology_type = Some(TechnologyType::Solar);
    a.source_id = "REG-2".into();
    a.source_name = "Alpha Registry".into();
    a.beneficiary_type = Some(BeneficiaryType::Account);
    a.beneficiaries = vec!["ACC-1".into(), "ACC-2".into()];
    a.values[0].eac_number = Some("SERIAL-0042-A".into());
    a.values[0].retired = Some(date("2024-03-01"));
    a.cds_modified = ts("2024-05-01T00:00:00Z");

    let mut b = eac("b");
    b.eac_number = None;
    b.period_start = ts("2024-02-01T00:00:00Z");
    b.period_end = ts("2024-03-01T00:00:00Z");
    b.values = vec![value(EnergyUnit::KWh, "999"), value(EnergyUnit::KWh, "1")];
    for v in &mut b.values {
        v.start = None;
        v.end = None;
        v.issued = Some(date("2024-03-10"));
    }
    b.values[0].retired = Some(date("2024-03-11"));
    b.destination_id = Some("UTIL-2".into());
    b.destination_name = Some("Another Utility".into());
    b.beneficiary_type = Some(BeneficiaryType::General);
    b.beneficiaries = vec![];

    let mut c = eac("c");
    c.eac_number = Some("AA-1".into());
    c.technology_type = Some(TechnologyType::Hydro);
    c.period_start = ts("2023-12-01T00:00:00Z");
    c.period_end = ts("2024-01-01T00:00:00Z");
    c.values = vec![value(EnergyUnit::Wh, "5000")];
    c.values[0].start = None;
    c.values[0].end = None;
    c.values[0].issued = Some(date("2024-01-15"));
    c.beneficiaries = vec!["100% green_program".into()];

    let mut d = eac("d");
    d.eac_number = Some("AA-1".into());
    d.values = vec![value(EnergyUnit::MWh, "1")];
    d.values[0].issued = Some(date("2024-04-01"));
    d.beneficiary_type = Some(BeneficiaryType::Program);
    d.beneficiaries = vec!["PRG-GREEN".into()];
    d.source_name = "Alpha Registry".into();
    d.source_id = "REG-0".into();

    env.import_eacs(vec![a, b, c, d]);
    env
}

#[test]
fn search_finds_substrings_in_numbers_ids_names_and_beneficiaries() {
    let env = browse_env();
    // Value numbers, case-insensitive.
    assert_eq!(env.ids(search("serial-0042")), ["a"]);
    assert_eq!(env.ids(search("0042")), ["a"]);
    // Beneficiaries.
    assert_eq!(env.ids(search("acc-2")), ["a"]);
    assert_eq!(env.ids(search("prg-gr")), ["d"]);
    // EAC numbers, destination names, cds_eac_id.
    assert_eq!(env.ids(search("AA-1")), ["c", "d"]);
    assert_eq!(env.ids(search("another util")), ["b"]);
    assert_eq!(env.ids(search("alpha")), ["a", "d"]);
    // Shorter than three characters: a scan, wildcards taken literally.
    assert_eq!(env.ids(search("%")), ["c"]);
    assert_eq!(env.ids(search("n_")), ["c"]);
    assert_eq!(env.ids(search("e_")), Vec::<String>::new());
    assert_eq!(env.ids(search("ZZ")), ["a"]);
    // A quote inside the query is just a character.
    assert!(env.ids(search("\"x\" OR a")).is_empty());
    // Blank search is no filter.
    assert_eq!(env.ids(search("  ")).len(), 4);
    // Searches that span two fields do not match.
    assert!(env.ids(search("ACC-1ACC-2")).is_empty());
}

#[test]
fn search_ignores_case_beyond_ascii_and_follows_edits() {
    let mut env = Env::new();
    let mut a = eac("a");
    a.source_name = "Ørsted Øresund".into();
    a.destination_name = Some("Énergie Café".into());
    let mut b = eac("b");
    b.beneficiary_type = Some(BeneficiaryType::Account);
    b.beneficiaries = vec!["ΑΘΗΝΑ-1".into()];
    env.import_eacs(vec![a, b]);
    for query in [
        "ørsted", "ØRSTED", "Ørsted", "øresund", "énergie", "CAFÉ", "ør",
    ] {
        assert_eq!(env.ids(search(query)), ["a"], "{query}");
    }
    assert_eq!(env.ids(search("αθηνα")), ["b"]);
    // Σ at the end of a word and inside it fold alike (decision 258): the
    // start of a name typed in capitals finds it.
    let mut c = eac("c");
    c.source_name = "ΟΔΥΣΣΕΑΣ Energy".into();
    env.import_eacs(vec![c]);
    for query in ["ΟΔΥΣ", "ΟΔΥΣΣ", "οδυσ", "Οδυσσεας", "ΟΔΥΣΣΕΑΣ", "οδυσσεασ"]
    {
        assert_eq!(env.ids(search(query)), ["c"], "{query}");
    }
    // An edit keeps the index folded too.
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::Customer, &["ÜBER-7"]),
            &why("case test"),
            "alice",
        )
        .unwrap();
    assert_eq!(env.ids(search("über-7")), ["a"]);
}

/// Tester 35, finding 3: `é` written as one character (NFC) or as `e`
/// and a combining accent (NFD, as macOS saves names) looks the same and
/// is the same text; search found only the form the query was typed in,
/// so `--search café` left out half the EACs (and their totals) without a
/// sign. Stored text and queries fold to NFC, EACs and reference data alike.
#[test]
fn search_finds_text_whatever_its_unicode_normalization_form() {
    let mut env = Env::new();
    let nfc = "\u{c9}nergie Caf\u{e9}";
    let nfd = "E\u{301}nergie Cafe\u{301}";
    let mut a = eac("nfc");
    a.source_name = nfc.into();
    let mut b = eac("nfd");
    b.source_name = nfd.into();
    b.beneficiary_type = Some(BeneficiaryType::Account);
    b.beneficiaries = vec!["A\u{30a}LBORG-1".into()];
    env.import_eacs(vec![a, b]);
    for query in [
        "caf\u{e9}",
        "cafe\u{301}",
        "CAF\u{c9}",
        "E\u{301}NERGIE",
        "\u{e9}nergie caf\u{e9}",
    ] {
        assert_eq!(env.ids(search(query)), ["nfc", "nfd"], "{query:?}");
    }
    assert_eq!(env.ids(search("\u{e5}lborg")), ["nfd"]);
    // An accent is still an accent: `cafe` finds neither.
    assert!(env.ids(search("cafe ")).is_empty());
    let programs = env.file("programs.csv");
    std::fs::write(
        &programs,
        format!("program_number,name\nPRG-1,{nfc}\nPRG-2,{nfd}\nPRG-\u{c5},x\n"),
    )
    .unwrap();
    env.store
        .import_refdata(&programs, &eac_store::NoProgress)
        .unwrap();
    for query in ["caf\u{e9}", "cafe\u{301}"] {
        let found: Vec<String> = env
            .store
            .refdata(None, Some(query), 0)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(found, ["PRG-1", "PRG-2"], "{query:?}");
    }
    let found = env.store.refdata(None, Some("prg-a\u{30a}"), 0).unwrap();
    assert_eq!(found.len(), 1);
    let choices = env
        .store
        .beneficiary_choices(BeneficiaryType::Program, "PRG-A\u{30a}", 10)
        .unwrap();
    assert_eq!(choices.len(), 1, "{choices:?}");
}

/// Tester 42 (TAB42), finding 4: an id typed on a keyboard (`RÉG-É`, NFC)
/// and the same id saved by macOS (`E` and a combining accent, NFD) look
/// the same; the exact filters (`source`, `destination`, cell matches of
/// every field, a beneficiary id) took them for two ids, so `--source`
/// found half of what `--search` found, and `summary --by source` printed
/// two groups with one label. Exact filters now match each spelling
/// (case still counts), the totals count both, the summary has one group
/// per source, and the stored bytes stay as imported.
#[test]
fn exact_filters_match_ids_whatever_their_normalization_form() {
    let mut env = Env::new();
    let (nfc, nfd) = ("R\u{c9}G-\u{c9}", "RE\u{301}G-E\u{301}");
    let mut a = eac("nfc");
    a.source_id = nfc.into();
    a.destination_id = Some(format!("D{nfc}"));
    a.beneficiaries = vec![format!("CLI{nfc}")];
    a.values = vec![value(EnergyUnit::MWh, "10.5")];
    let mut b = eac("nfd");
    b.source_id = nfd.into();
    b.destination_id = Some(format!("D{nfd}"));
    b.beneficiaries = vec![format!("CLI{nfd}")];
    b.values = vec![value(EnergyUnit::MWh, "0.25")];
    // A source without a destination: excluding one keeps it (decision 140).
    let mut c = eac("other");
    c.destination_id = None;
    c.destination_name = None;
    env.import_eacs(vec![a, b, c]);
    let both = ["nfc", "nfd"];
    for typed in [nfc, nfd] {
        let f = EacFilter {
            source: Some(typed.into()),
            ..EacFilter::default()
        };
        assert_eq!(env.ids(f.clone()), both, "{typed:?}");
        let summary = env.store.summary(&f).unwrap();
        assert_eq!(summary.count, 2, "{typed:?}");
        let f = EacFilter {
            destination: Some(format!("D{typed}")),
            ..EacFilter::default()
        };
        assert_eq!(env.ids(f), both, "{typed:?}");
        let matching = |field, value: String, exclude| EacFilter {
            matches: Some(vec![FieldMatch {
                field,
                value: Some(value),
                exclude,
            }]),
            ..EacFilter::default()
        };
        assert_eq!(
            env.ids(matching(MatchField::Source, typed.into(), false)),
            both
        );
        assert_eq!(
            env.ids(matching(
                MatchField::Beneficiary,
                format!("CLI{typed}"),
                false
            )),
            both
        );
        assert_eq!(
            env.ids(matching(MatchField::Destination, format!("D{typed}"), true)),
            ["other"]
        );
        assert_eq!(
            env.ids(matching(
                MatchField::Beneficiary,
                format!("CLI{typed}"),
                true
            )),
            ["other"]
        );
    }
    // Case still counts: an exact filter is not a search.
    let lower = EacFilter {
        source: Some("r\u{e9}g-\u{e9}".into()),
        ..EacFilter::default()
    };
    assert!(env.ids(lower).is_empty());
    let groups = env
        .store
        .grouped_totals(&EacFilter::default(), &[eac_store::SummaryKey::Source])
        .unwrap()
        .groups;
    let keys: Vec<_> = groups.iter().map(|g| g.keys[0].clone().unwrap()).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().any(|k| k == "REG-1"));
    let reg = groups
        .iter()
        .find(|g| g.keys[0].as_deref() != Some("REG-1"))
        .unwrap();
    assert_eq!(reg.count, 2);
    assert_eq!(reg.totals.len(), 1);
    assert_eq!(reg.totals[0].total, "10.75");
    // The ids as a person types them: the other spelling is found.
    assert_eq!(
        env.store.other_spellings("nfc").unwrap(),
        Vec::<String>::new()
    );
    env.import_eacs(vec![eac(&format!("id-{nfd}"))]);
    assert_eq!(
        env.store.other_spellings(&format!("id-{nfc}")).unwrap(),
        [format!("id-{nfd}")]
    );
    // The source picker lists the source once (its filter picks both).
    let sources = env.store.choices(ChoiceField::Source).unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
    // Nothing stored was rewritten.
    assert_eq!(env.store.eac("nfd").unwrap().source_id, nfd);
    assert_eq!(env.store.eac("nfc").unwrap().source_id, nfc);
}

/// Tester 42 (TAB42), finding 5: the detail (`show`, `show --json`, the
/// app's detail pane) left out a value's extension members (a meter id),
/// which an export writes: each value carries them as the EAC does.
#[test]
fn detail_carries_each_values_extension_members() {
    let mut env = Env::new();
    let raw = |t: &str| RawValue::from_string(t.to_owned()).unwrap();
    let mut e = eac("x");
    e.values = vec![
        EacValue {
            extensions: Extensions(vec![("acme_meter".into(), raw("\"M-0042\""))]),
            ..value(EnergyUnit::MWh, "1")
        },
        value(EnergyUnit::MWh, "2"),
    ];
    env.import_eacs(vec![e]);
    let d = env.store.detail("x").unwrap();
    assert_eq!(
        d.values[0].extensions_json.as_deref(),
        Some(r#"{"acme_meter":"M-0042"}"#)
    );
    assert_eq!(d.values[1].extensions_json, None);
}

/// The last day there is, as the end of a period filter ("no end"):
/// every EAC's period overlaps it or earlier days. Its day after (in year
/// 10000) used to be compared as text that sorts below every stored
/// time, so nothing matched.
#[test]
fn a_period_filter_to_the_last_day_there_is_matches_every_eac() {
    let env = browse_env();
    let all = env.ids(EacFilter::default());
    assert_eq!(all.len(), 4);
    for (from, to) in [(None, "9999-12-31"), (Some("0001-01-01"), "9999-12-31")] {
        let filter = EacFilter {
            from: from.map(str::to_owned),
            to: Some(to.to_owned()),
            ..EacFilter::default()
        };
        assert_eq!(env.ids(filter.clone()), all, "{filter:?}");
        assert_eq!(env.store.summary(&filter).unwrap().count, 4, "{filter:?}");
        // Through the kept counts of one facet too.
        let wind = EacFilter {
            technology: Some(TechnologyType::Wind),
            ..filter
        };
        assert_eq!(env.ids(wind.clone()), ["b", "d"]);
        assert_eq!(env.store.summary(&wind).unwrap().count, 2);
    }
}

#[test]
fn filters_by_technology_beneficiary_type_source_destination_and_retirement() {
    let env = browse_env();
    let f = |f: fn(&mut EacFilter)| {
        let mut filter = EacFilter::default();
        f(&mut filter);
        env.ids(filter)
    };
    assert_eq!(f(|f| f.technology = Some(TechnologyType::Wind)), ["b", "d"]);
    assert_eq!(f(|f| f.technology = Some(TechnologyType::Hydro)), ["c"]);
    assert_eq!(
        f(|f| f.beneficiary_type = Some(BeneficiaryType::General)),
        ["b"]
    );
    assert_eq!(f(|f| f.source = Some("REG-1".into())), ["b", "c"]);
    assert_eq!(f(|f| f.destination = Some("UTIL-2".into())), ["b"]);
    assert_eq!(f(|f| f.retired = Some(RetiredState::Yes)), ["a"]);
    assert_eq!(f(|f| f.retired = Some(RetiredState::Partly)), ["b"]);
    assert_eq!(f(|f| f.retired = Some(RetiredState::No)), ["c", "d"]);
    // Intersected.
    assert_eq!(
        f(|f| {
            f.technology = Some(TechnologyType::Wind);
            f.retired = Some(RetiredState::No);
        }),
        ["d"]
    );
}

#[test]
fn period_filter_keeps_overlaps_of_whole_utc_days() {
    let env = browse_env();
    // a, d: January; b: February; c: December 2023 (ends 2024-01-01T00:00Z).
    let range = |from: Option<&str>, to: Option<&str>| {
        env.ids(EacFilter {
            from: from.map(Into::into),
            to: to.map(Into::into),
            ..Default::default()
        })
    };
    assert_eq!(range(Some("2024-01-01"), Some("2024-01-01")), ["a", "d"]);
    assert_eq!(range(Some("2023-12-31"), Some("2023-12-31")), ["c"]);
    assert_eq!(
        range(Some("2024-01-31"), Some("2024-02-01")),
        ["a", "b", "d"]
    );
    assert_eq!(range(Some("2024-02-01"), None), ["b"]);
    assert_eq!(range(None, Some("2023-12-01")), ["c"]);
    assert_eq!(range(None, Some("2023-11-30")), Vec::<String>::new());
    assert_eq!(range(Some("2024-03-01"), None), Vec::<String>::new());
    let err = env
        .store
        .browse(&BrowseQuery {
            filter: EacFilter {
                from: Some("2024-13-01".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
}

#[test]
fn every_sort_field_both_ways_with_stable_pagination() {
    let mut env = Env::new();
    // Many ties: pagination must still never repeat or skip a row.
    let eacs: Vec<Eac> = (0..23)
        .map(|i| {
            let mut e = eac(&format!("e-{:02}", (i * 7) % 23));
            e.eac_number = (i % 4 != 0).then(|| format!("N-{}", i % 3));
            e.technology_type = Some([TechnologyType::Wind, TechnologyType::Solar][i % 2]);
            e.source_name = format!("Source {}", i % 3);
            e.destination_name = Some(format!("Dest {}", i % 2));
            e.values[0].value = dec(&format!("{}", i % 5));
            e.values[0].issued = Some(date(&format!("2024-02-0{}", 1 + i % 3)));
            if i % 3 == 0 {
                e.values[0].retired = Some(date("2024-03-01"));
            }
            e.cds_modified = ts(&format!("2024-02-1{}T00:00:00Z", i % 4));
            e
        })
        .collect();
    env.import_eacs(eacs);
    let fields = [
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
    for field in fields {
        let all = env.sorted(EacFilter::default(), field, false);
        assert_eq!(all.len(), 23);
        let mut reversed = env.sorted(EacFilter::default(), field, true);
        reversed.reverse();
        assert_eq!(all, reversed, "{field:?} descending is the exact reverse");
        for descending in [false, true] {
            let mut paged = Vec::new();
            for page in 0..5 {
                let rows = env
                    .store
                    .browse(&BrowseQuery {
                        filter: EacFilter::default(),
                        sort: SortSpec { field, descending },
                        offset: page * 5,
                        limit: 5,
                    })
                    .unwrap();
                paged.extend(rows.into_iter().map(|r| r.cds_eac_id));
            }
            let whole = env.sorted(EacFilter::default(), field, descending);
            assert_eq!(paged, whole, "{field:?} descending={descending}");
        }
    }
    // Spot checks of what each order means.
    let rows = env
        .store
        .browse(&BrowseQuery {
            sort: SortSpec {
                field: SortField::EacNumber,
                descending: false,
            },
            ..Default::default()
        })
        .unwrap();
    let numbers: Vec<_> = rows.iter().map(|r| r.eac_number.clone()).collect();
    let first_null = numbers.iter().position(Option::is_none).unwrap();
    assert!(
        numbers[first_null..].iter().all(Option::is_none),
        "nulls last"
    );
    assert!(numbers[..first_null].windows(2).all(|w| w[0] <= w[1]));
    for field_rows in [SortField::Issuance, SortField::CdsModified] {
        let ids = env.sorted(EacFilter::default(), field_rows, false);
        let rows: Vec<_> = ids.iter().map(|id| env.store.eac(id).unwrap()).collect();
        let keys: Vec<_> = rows
            .iter()
            .map(|e| match field_rows {
                SortField::Issuance => e.issuance().unwrap().to_string(),
                _ => e.cds_modified.to_string(),
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{field_rows:?}");
    }
}

#[test]
fn quantity_sort_compares_across_units() {
    let env = browse_env();
    // c: 5000 Wh; b: 1000 kWh (999 + 1) = d: 1 MWh (tie: by id); a: 30 MWh.
    let ids = env.sorted(EacFilter::default(), SortField::Quantity, false);
    assert_eq!(ids, ["c", "b", "d", "a"]);
    let mut env = Env::new();
    let mut small = eac("kwh-999");
    small.values = vec![value(EnergyUnit::KWh, "999")];
    let mut big = eac("mwh-1");
    big.values = vec![value(EnergyUnit::MWh, "1")];
    let mut mixed = eac("mixed");
    mixed.values = vec![
        value(EnergyUnit::KWh, "0.5"),
        value(EnergyUnit::MWh, "0.9990"),
    ];
    env.import_eacs(vec![big, small, mixed]);
    assert_eq!(
        env.sorted(EacFilter::default(), SortField::Quantity, false),
        ["kwh-999", "mixed", "mwh-1"]
    );
}

#[test]
fn rows_carry_beneficiaries_quantities_and_derived_fields() {
    let env = browse_env();
    let rows = env
        .store
        .browse(&BrowseQuery {
            filter: search("Another"),
            ..Default::default()
        })
        .unwrap();
    let b = &rows[0];
    assert_eq!(b.cds_eac_id, "b");
    assert_eq!(b.quantities.len(), 1);
    assert_eq!(
        (
            b.quantities[0].unit.as_str(),
            b.quantities[0].total.as_str()
        ),
        ("kWh", "1000")
    );
    assert_eq!(b.retired_state, RetiredState::Partly);
    assert_eq!(b.value_count, 2);
    assert_eq!(b.issuance.as_deref(), Some("2024-03-10"));
    assert_eq!(b.period_start, "2024-02-01T00:00:00Z");
    let a = &env
        .store
        .browse(&BrowseQuery {
            filter: search("ACC-1"),
            ..Default::default()
        })
        .unwrap()[0];
    assert_eq!(a.beneficiaries, ["ACC-1", "ACC-2"]);
}

#[test]
fn limit_is_clamped() {
    let mut env = Env::new();
    env.import_eacs((0..1005).map(|i| eac(&format!("e-{i:04}"))).collect());
    let page = |limit| {
        env.store
            .browse(&BrowseQuery {
                limit,
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(page(0), 1000);
    assert_eq!(page(5000), 1000);
    assert_eq!(page(3), 3);
}

// ---------------------------------------------------------------- totals

#[test]
fn totals_are_exact_per_unit() {
    let mut env = Env::new();
    let with = |id: &str, values: &[(EnergyUnit, &str)]| {
        let mut e = eac(id);
        e.values = values.iter().map(|(u, q)| value(*u, q)).collect();
        e
    };
    env.import_eacs(vec![
        with("a", &[(EnergyUnit::MWh, "0.1")]),
        with("b", &[(EnergyUnit::MWh, "0.2")]),
        with("c", &[(EnergyUnit::KWh, "1000.0")]),
        with(
            "d",
            &[(EnergyUnit::KWh, "45.106820"), (EnergyUnit::Wh, "1e3")],
        ),
    ]);
    let s = env.store.summary(&EacFilter::default()).unwrap();
    assert_eq!(s.count, 4);
    let totals: Vec<(&str, &str)> = s
        .totals
        .iter()
        .map(|t| (t.unit.as_str(), t.total.as_str()))
        .collect();
    assert_eq!(
        totals,
        [("Wh", "1000"), ("kWh", "1045.106820"), ("MWh", "0.3")]
    );

    let only_ab = EacFilter {
        search: Some("N-a".into()),
        ..Default::default()
    };
    let s = env.store.summary(&only_ab).unwrap();
    assert_eq!(s.count, 1);
    assert_eq!(s.totals[0].total, "0.1");

    let none = env.store.summary(&search("nothing like this")).unwrap();
    assert_eq!((none.count, none.totals.len()), (0, 0));
}

#[test]
fn totals_stay_exact_beyond_64_bit_integers() {
    let mut env = Env::new();
    let with = |id: &str, q: &str| {
        let mut e = eac(id);
        e.values = vec![value(EnergyUnit::Wh, q)];
        e
    };
    env.import_eacs(vec![
        // Each fits in an i64, their sum does not: SQLite's SUM overflows.
        with("a", "9000000000000000000"),
        with("b", "9000000000000000000"),
        // Does not fit at all: summed from the text.
        with("c", "123456789012345678901234567890.5"),
    ]);
    let s = env.store.summary(&EacFilter::default()).unwrap();
    assert_eq!(s.totals[0].total, "123456789030345678901234567890.5");
    let ab = env
        .store
        .summary(&EacFilter {
            search: Some("N-".into()),
            retired: Some(RetiredState::No),
            source: Some("REG-1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ab.count, 3);
}

/// Count and totals of broad filters (one pass over every EAC's totals)
/// and narrow ones (a lookup per match) are what summing the matching
/// rows' own totals gives, digits and all (decision 225).
#[test]
fn totals_of_broad_and_narrow_filters_are_the_matching_rows_totals() {
    let mut env = Env::new();
    let quantities = [
        "0.1",
        "2.25",
        "1000.0",
        "45.106820",
        "1e3",
        "0",
        "0.000",
        "9000000000000000000",
        "123456789012345678901234567890.5",
    ];
    let units = [EnergyUnit::Wh, EnergyUnit::KWh, EnergyUnit::MWh];
    let technologies = [
        TechnologyType::Wind,
        TechnologyType::Solar,
        TechnologyType::Hydro,
    ];
    let eacs: Vec<Eac> = (0..48)
        .map(|i| {
            let mut e = eac(&format!("T-{i:02}"));
            e.technology_type = Some(technologies[i % 3]);
            let month = 1 + i % 12;
            e.period_start = ts(&format!("2023-{month:02}-01T00:00:00Z"));
            e.period_end = ts(&format!("2023-{month:02}-20T00:00:00Z"));
            e.values = (0..1 + i % 3)
                .map(|k| {
                    let mut v = value(
                        units[(i + k) % 3],
                        quantities[(i * 7 + k) % quantities.len()],
                    );
                    v.start = Some(e.period_start);
                    v.end = Some(e.period_end);
                    v
                })
                .collect();
            e
        })
        .collect();
    env.import_eacs(eacs);
    let filters = [
        EacFilter::default(),
        EacFilter {
            technology: Some(TechnologyType::Wind),
            ..EacFilter::default()
        },
        EacFilter {
            technology: Some(TechnologyType::Solar),
            retired: Some(RetiredState::No),
            ..EacFilter::default()
        },
        EacFilter {
            from: Some("2023-03-01".into()),
            to: Some("2023-08-31".into()),
            ..EacFilter::default()
        },
        EacFilter {
            from: Some("2023-12-01".into()),
            ..EacFilter::default()
        },
        // One EAC of 48: the narrow way.
        search("T-07"),
        EacFilter {
            to: Some("2023-01-05".into()),
            technology: Some(TechnologyType::Wind),
            ..EacFilter::default()
        },
        search("nothing like this"),
    ];
    for filter in &filters {
        let rows = env
            .store
            .browse(&eac_store::BrowseQuery {
                filter: filter.clone(),
                sort: eac_store::SortSpec {
                    field: SortField::CdsEacId,
                    descending: false,
                },
                offset: 0,
                limit: 1000,
            })
            .unwrap();
        let mut expected: Vec<Option<bigdecimal::BigDecimal>> = vec![None; 3];
        for row in &rows {
            for q in &row.quantities {
                let at = units.iter().position(|u| *u == q.unit).unwrap();
                let amount: bigdecimal::BigDecimal = q.total.parse().unwrap();
                expected[at] = Some(expected[at].take().unwrap_or_default() + amount);
            }
        }
        let expected: Vec<(EnergyUnit, String)> = units
            .iter()
            .zip(expected)
            .filter_map(|(u, t)| Some((*u, Decimal::from_big(&t?).as_str().to_owned())))
            .collect();
        let summary = env.store.summary(filter).unwrap();
        let got: Vec<(EnergyUnit, String)> = summary
            .totals
            .iter()
            .map(|t| (t.unit, t.total.clone()))
            .collect();
        assert_eq!(summary.count, rows.len(), "{filter:?}");
        assert_eq!(got, expected, "{filter:?}");
    }
}

/// A page of a broad facet filter (one facet, several, or facets and a
/// period) is read in the sort's order and stops at its end (decisions
/// 217, 225): page after page it lists exactly the EACs, in exactly the
/// order, that fetching and sorting every match gives.
#[test]
fn pages_of_broad_filters_read_in_sort_order_are_the_sorted_matches() {
    let mut env = Env::new();
    let technologies = [TechnologyType::Wind, TechnologyType::Solar];
    let eacs: Vec<Eac> = (0..120)
        .map(|i| {
            let mut e = eac(&format!("P-{:03}", (i * 37) % 120));
            e.technology_type = Some(technologies[i % 2]);
            e.destination_id = Some(if i % 3 == 0 { "UTIL-1" } else { "UTIL-2" }.into());
            e.eac_number = (i % 5 != 0).then(|| format!("N-{:03}", (i * 53) % 120));
            let month = 1 + i % 12;
            e.period_start = ts(&format!("2023-{month:02}-01T00:00:00Z"));
            e.period_end = ts(&format!("2023-{month:02}-20T00:00:00Z"));
            let mut v = value(EnergyUnit::MWh, &format!("{}.5", i % 7));
            v.start = Some(e.period_start);
            v.end = Some(e.period_end);
            e.values = vec![v];
            e
        })
        .collect();
    env.import_eacs(eacs);
    let filters = [
        EacFilter {
            technology: Some(TechnologyType::Wind),
            ..EacFilter::default()
        },
        EacFilter {
            technology: Some(TechnologyType::Wind),
            destination: Some("UTIL-2".into()),
            ..EacFilter::default()
        },
        EacFilter {
            technology: Some(TechnologyType::Solar),
            from: Some("2023-02-01".into()),
            to: Some("2023-10-31".into()),
            ..EacFilter::default()
        },
    ];
    for filter in &filters {
        for (field, descending) in [
            (SortField::EacNumber, false),
            (SortField::Quantity, true),
            (SortField::PeriodStart, false),
        ] {
            let sort = SortSpec { field, descending };
            let page = |offset: usize, limit: usize| -> Vec<String> {
                env.store
                    .browse(&BrowseQuery {
                        filter: filter.clone(),
                        sort,
                        offset,
                        limit,
                    })
                    .unwrap()
                    .into_iter()
                    .map(|r| r.cds_eac_id)
                    .collect()
            };
            let all = page(0, 1000);
            assert!(all.len() >= 20, "{filter:?}: {}", all.len());
            let paged: Vec<String> = (0..all.len())
                .step_by(3)
                .flat_map(|offset| page(offset, 3))
                .collect();
            assert_eq!(paged, all, "{filter:?} {sort:?}");
        }
    }
}

// ---------------------------------------------------------------- pickers

#[test]
fn choices_and_beneficiary_suggestions() {
    let env = browse_env();
    let sources = env.store.choices(ChoiceField::Source).unwrap();
    let labels: Vec<_> = sources.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Alpha Registry (REG-0)",
            "Alpha Registry (REG-2)",
            "Registry One (REG-1)"
        ]
    );
    assert_eq!(sources[0].value, "REG-0");
    let destinations = env.store.choices(ChoiceField::Destination).unwrap();
    assert_eq!(destinations.len(), 2);
    assert_eq!(destinations[0].label, "Another Utility (UTIL-2)");

    let s = |kind, prefix| env.store.beneficiary_suggestions(kind, prefix, 10).unwrap();
    assert_eq!(s(BeneficiaryType::Account, "acc"), ["ACC-1", "ACC-2"]);
    assert_eq!(s(BeneficiaryType::Account, ""), ["ACC-1", "ACC-2"]);
    assert_eq!(s(BeneficiaryType::Customer, ""), ["100% green_program"]);
    assert_eq!(
        s(BeneficiaryType::Customer, "100% G"),
        ["100% green_program"]
    );
    assert!(s(BeneficiaryType::Customer, "1%0").is_empty());
    assert!(s(BeneficiaryType::Program, "acc").is_empty());
    assert_eq!(
        env.store
            .beneficiary_suggestions(BeneficiaryType::Account, "", 1)
            .unwrap(),
        ["ACC-1"]
    );
}

// ---------------------------------------------------------------- edits

#[test]
fn an_edit_on_an_older_version_is_refused_naming_the_change_and_writes_nothing() {
    // Two desks on one database: the app (this store) and the CLI (another
    // connection to the same file).
    let mut env = browse_env();
    let mut other = env.reopen();
    let seen = env.store.detail("a").unwrap();
    let seen_b = env.store.detail("b").unwrap();

    // The other desk changes EAC a first.
    let theirs = assign(BeneficiaryType::Customer, &["CUST-THEIRS"]);
    other.set_audit_name(Some("Ann Other"));
    other
        .set_beneficiaries_seen(
            "a",
            Some(seen.version),
            &theirs,
            &why("their contract"),
            "ann",
        )
        .unwrap();
    let changed = env.store.detail("a").unwrap();
    assert!(changed.version > seen.version);

    // This desk's save, made on what it saw, is refused and names the change.
    let ours = assign(BeneficiaryType::Customer, &["CUST-OURS"]);
    let log_before = env.store.audit_log(None).unwrap();
    let err = env
        .store
        .set_beneficiaries_seen("a", Some(seen.version), &ours, &why("our contract"), "bob")
        .unwrap_err();
    assert_eq!(err.code(), eac_store::ErrorCode::Conflict);
    // Typed, so each shell says it in its own words: the EAC, the
    // version the edit was made on and the change; the app's words are
    // its head and the advice to reload.
    let StoreError::ChangedSince(typed) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(typed.cds_eac_id, "a");
    assert_eq!(typed.named, "ZZ-9 (id a)");
    assert_eq!(typed.seen, seen.version);
    // On a server the login that wrote the change is named too (decision
    // 481).
    let by = match on_server() {
        Some(_) => "its beneficiaries were changed by Ann Other (ann, server login ",
        None => "its beneficiaries were changed by Ann Other (ann) at 20",
    };
    assert!((typed.change).starts_with(by), "{typed:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} {}",
            typed.head(eac_store::CHANGED_SINCE_OPENED),
            eac_store::RELOAD_ADVICE
        )
    );
    let message = err.to_string();
    assert!(
        message.starts_with("EAC ZZ-9 (id a) was changed after you opened it"),
        "{message}"
    );
    assert!(message.contains(by), "{message}");
    assert!(message.contains(" UTC); nothing was saved"), "{message}");
    assert!(message.contains("nothing was saved"), "{message}");
    assert_eq!(env.store.eac("a").unwrap().beneficiaries, ["CUST-THEIRS"]);
    assert_eq!(env.store.audit_log(None).unwrap(), log_before);
    // Emission factors likewise.
    let factor = dec("0.1");
    let err = env
        .store
        .set_emissions_seen(
            "a",
            Some(seen.version),
            &factor,
            &factor,
            &why("factors"),
            "bob",
        )
        .unwrap_err();
    assert_eq!(err.code(), eac_store::ErrorCode::Conflict);
    // Fields too ("complete this EAC"), the dry run as well; and a version
    // names one EAC, never a filter.
    let asset = [eac_store::FieldValue {
        field: eac_store::SettableField::DestinationName,
        value: "Our Utility".into(),
    }];
    let one = eac_store::DeleteTarget::Ids(vec!["a".into()]);
    for dry_run in [true, false] {
        let err = env
            .store
            .set_fields_seen(
                &one,
                Some(seen.version),
                &asset,
                &why("destination"),
                "bob",
                dry_run,
                &NoProgress,
            )
            .unwrap_err();
        assert_eq!(err.code(), eac_store::ErrorCode::Conflict, "{err}");
    }
    let all = eac_store::DeleteTarget::Filter(EacFilter::default());
    let err = env
        .store
        .set_fields_seen(
            &all,
            Some(changed.version),
            &asset,
            &why("destination"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(err.code(), eac_store::ErrorCode::InvalidInput, "{err}");
    assert_ne!(
        env.store.eac("a").unwrap().destination_name.as_deref(),
        Some("Our Utility")
    );
    assert_eq!(env.store.audit_log(None).unwrap(), log_before);
    let report = env
        .store
        .set_fields_seen(
            &one,
            Some(changed.version),
            &asset,
            &why("destination"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(report.changed, 1);
    let changed = env.store.detail("a").unwrap();

    // On the version it shows now, the save goes through.
    env.store
        .set_beneficiaries_seen(
            "a",
            Some(changed.version),
            &ours,
            &why("our contract"),
            "bob",
        )
        .unwrap();
    assert_eq!(env.store.eac("a").unwrap().beneficiaries, ["CUST-OURS"]);

    // Another EAC is not held up by changes to the first.
    env.store
        .set_emissions_seen(
            "b",
            Some(seen_b.version),
            &factor,
            &factor,
            &why("factors"),
            "bob",
        )
        .unwrap();

    // A version never comes back: an EAC deleted and stored again gets a
    // version above every one given before.
    let a = env.store.eac("a").unwrap();
    let highest = ["a", "b"]
        .iter()
        .map(|id| env.store.detail(id).unwrap().version)
        .max()
        .unwrap();
    env.store
        .delete_eacs(
            &eac_store::DeleteTarget::Ids(vec!["a".into()]),
            &why("gone"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap();
    let path = env.listing("again.json", &[a]);
    env.import(&path).unwrap();
    assert!(env.store.detail("a").unwrap().version > highest);
}

#[test]
fn set_beneficiaries_updates_bumps_modified_and_audits() {
    let mut env = browse_env();
    let before = env.store.eac("a").unwrap();
    let to = assign(BeneficiaryType::Customer, &["CUST-9", "CUST-10"]);
    let record = env
        .store
        .set_beneficiaries("a", &to, &why("  contract signed  "), "alice")
        .unwrap();
    assert_eq!(record.cds_eac_id, "a");
    assert_eq!(record.action, "set_beneficiaries");
    assert_eq!(record.os_user, "alice");
    assert_eq!(record.reason, "contract signed");
    assert_eq!(
        record.before,
        Some(assign(BeneficiaryType::Account, &["ACC-1", "ACC-2"]))
    );
    assert_eq!(record.after, Some(to.clone()));
    assert!(record.at.ends_with('Z'));

    let after = env.store.eac("a").unwrap();
    assert_eq!(after.beneficiary_type, Some(BeneficiaryType::Customer));
    assert_eq!(after.beneficiaries, ["CUST-9", "CUST-10"]);
    assert!(after.cds_modified > before.cds_modified);
    assert_eq!(after.values, before.values);
    assert_eq!(Timestamp::parse(&record.at).unwrap(), after.cds_modified);

    // Search, filters and suggestions follow the edit.
    assert_eq!(env.ids(search("cust-10")), ["a"]);
    assert!(env.ids(search("ACC-1")).is_empty());
    assert!(env
        .store
        .beneficiary_suggestions(BeneficiaryType::Account, "", 10)
        .unwrap()
        .is_empty());

    let log = env.store.audit_log(Some("a")).unwrap();
    assert_eq!(log, std::slice::from_ref(&record));
    assert!(env.store.audit_log(Some("b")).unwrap().is_empty());

    // A second edit: newest first.
    let second = env
        .store
        .set_beneficiaries("b", &to, &why("reassigned"), "bob")
        .unwrap();
    let all = env.store.audit_log(None).unwrap();
    assert_eq!(all, [second, record]);

    // Re-importing the original version keeps the edit (stored is newer).
    let path = env.listing("orig.json", &[before]);
    let r = env.import(&path).unwrap();
    assert_eq!(r.skipped, 1);
    assert_eq!(
        env.store.eac("a").unwrap().beneficiaries,
        ["CUST-9", "CUST-10"]
    );
}

/// Decision 15: an edit giving an EAC what it holds is a review. It is
/// recorded with its reason (and read back as `reviewed`), changes no data
/// (the version and `cds_modified` stay), and blocks neither the undo of
/// the import that stored the EAC nor a save on the version it was at;
/// a conflict names the real change before it, not the review.
#[test]
fn an_edit_that_changes_nothing_is_a_review_that_leaves_the_eac_as_it_was() {
    let mut env = Env::new();
    for (name, id) in [("one.json", "e-1"), ("two.json", "e-2")] {
        let path = env.listing(name, &[eac(id)]);
        env.import(&path).unwrap();
    }
    // Newest first.
    let batches: Vec<i64> = (env.store.import_batches().unwrap().iter())
        .map(|b| b.id)
        .collect();
    let seen = env.store.detail("e-1").unwrap();
    let seen_2 = env.store.detail("e-2").unwrap();
    let held = env.store.eac("e-1").unwrap();

    let same = assign(BeneficiaryType::Customer, &["CUST123"]);
    let review = env
        .store
        .set_beneficiaries_seen("e-1", Some(seen.version), &same, &why("reviewed"), "ann")
        .unwrap();
    assert!(review.reviewed);
    assert_eq!(review.before, review.after);
    let factors = env
        .store
        .set_emissions_seen(
            "e-1",
            Some(seen.version),
            &dec("0"),
            &dec("0.011"),
            &why("factors checked"),
            "ann",
        )
        .unwrap();
    assert!(factors.reviewed);
    assert_eq!(factors.before_emissions, factors.after_emissions);
    // The EAC is as it was: its data, its version, its cds_modified.
    assert_eq!(env.store.eac("e-1").unwrap(), held);
    assert_eq!(env.store.detail("e-1").unwrap().version, seen.version);
    // Both reviews are kept, and read back as reviews.
    let log = env.store.audit_log(Some("e-1")).unwrap();
    assert_eq!(log, [factors, review]);
    assert!(log.iter().all(|r| r.reviewed));

    // Factors written otherwise (0.0110 is the same number, other text) and
    // another assignment are changes, not reviews.
    let other = assign(BeneficiaryType::Customer, &["CUST-9"]);
    let changed = env
        .store
        .set_beneficiaries("e-2", &other, &why("contract"), "bob")
        .unwrap();
    assert!(!changed.reviewed);
    let written = env
        .store
        .set_emissions("e-2", &dec("0"), &dec("0.0110"), &why("as printed"), "bob")
        .unwrap();
    assert!(!written.reviewed);
    // A save on e-2's first version names bob's change, not a later review.
    let again = env
        .store
        .set_beneficiaries("e-2", &other, &why("looked again"), "carol")
        .unwrap();
    assert!(again.reviewed);
    let err = env
        .store
        .set_beneficiaries_seen("e-2", Some(seen_2.version), &same, &why("x"), "dan")
        .unwrap_err();
    assert_eq!(err.code(), eac_store::ErrorCode::Conflict);
    assert!(
        err.to_string()
            .contains("its emission factors were set by bob"),
        "{err}"
    );

    // The reviews do not hold up undoing the import that stored e-1 (as
    // a verification does not); e-2, changed since, still refuses its own.
    let refused = env
        .store
        .undo_import(batches[0], &why("undo"), "ann", true, &NoProgress)
        .unwrap_err();
    assert_eq!(refused.code(), eac_store::ErrorCode::Conflict, "{refused}");
    let undone = env
        .store
        .undo_import(batches[1], &why("undo"), "ann", false, &NoProgress)
        .unwrap();
    assert_eq!(undone.removed, 1);
    assert!(matches!(env.store.eac("e-1"), Err(StoreError::NotFound(_))));
}

/// `--if-version` with a version the EAC never had (above its own, or
/// any other while no change of it is recorded) is said to be so, naming
/// the version it has; not "changed after you opened it" by a change that
/// never was. Nothing is written, by the change or its dry run.
#[test]
fn a_version_the_eac_never_had_is_said_to_be_none_of_its_versions() {
    let mut env = browse_env();
    // d was stored after a: a's version is below d's, and was never d's.
    let a = env.store.detail("a").unwrap();
    let d = env.store.detail("d").unwrap();
    assert!(a.version < d.version);
    let to = assign(BeneficiaryType::Customer, &["CUST-9"]);
    let field = [eac_store::FieldValue {
        field: eac_store::SettableField::DestinationName,
        value: "Our Utility".into(),
    }];
    let one = eac_store::DeleteTarget::Ids(vec!["d".into()]);
    for wrong in [999_999, a.version] {
        let expected = format!(
            "Version {wrong} was never a version of EAC AA-1 (id d): it is at version {}; \
             nothing was changed.",
            d.version
        );
        let mut refusals = vec![
            env.store
                .set_beneficiaries_seen("d", Some(wrong), &to, &why("r"), "bob")
                .unwrap_err(),
            env.store
                .set_beneficiaries_dry_run("d", Some(wrong), &to)
                .unwrap_err(),
            env.store
                .set_emissions_seen("d", Some(wrong), &dec("1"), &dec("1"), &why("r"), "bob")
                .unwrap_err(),
        ];
        for dry_run in [true, false] {
            refusals.push(
                env.store
                    .set_fields_seen(
                        &one,
                        Some(wrong),
                        &field,
                        &why("r"),
                        "bob",
                        dry_run,
                        &NoProgress,
                    )
                    .unwrap_err(),
            );
        }
        for err in refusals {
            assert_eq!(err.code(), eac_store::ErrorCode::Conflict);
            let message = err.to_string();
            assert!(message.starts_with(&expected), "{message}");
            assert!(
                !message.contains("changed after you opened it"),
                "{message}"
            );
        }
    }
    assert!(env.store.audit_log(None).unwrap().is_empty());
    assert_eq!(env.store.detail("d").unwrap().version, d.version);
}

#[test]
fn set_beneficiaries_refuses_invalid_assignments_and_blank_reasons() {
    let mut env = browse_env();
    // A reason is checked where it comes in; an edit takes only a checked one.
    let refused = |env: &mut Env, to: BeneficiaryAssignment, reason: &str| match Reason::new(reason)
    {
        Err(e) => e,
        Ok(reason) => env
            .store
            .set_beneficiaries("a", &to, &reason, "alice")
            .unwrap_err(),
    };
    let e = refused(&mut env, assign(BeneficiaryType::General, &["X"]), "r");
    assert_eq!(rules(e)[0].rule, 4);
    let e = refused(
        &mut env,
        assign(BeneficiaryType::Customer, &["X", "X"]),
        "r",
    );
    assert_eq!(rules(e)[0].rule, 17);
    let e = refused(&mut env, assign(BeneficiaryType::Customer, &[" "]), "r");
    assert_eq!(rules(e)[0].rule, 17);
    for reason in ["", "   ", "\n\t"] {
        match refused(&mut env, assign(BeneficiaryType::General, &[]), reason) {
            StoreError::InvalidInput(msg) => assert!(msg.starts_with("Give a reason"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }
    let e = env
        .store
        .set_beneficiaries(
            "zz",
            &assign(BeneficiaryType::General, &[]),
            &why("r"),
            "alice",
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)));
    assert!(env.store.audit_log(None).unwrap().is_empty());
    assert_eq!(
        env.store.eac("a").unwrap().beneficiary_type,
        Some(BeneficiaryType::Account)
    );
}

#[test]
fn bulk_set_beneficiaries_changes_matching_eacs_once_each() {
    let mut env = browse_env();
    let to = assign(BeneficiaryType::General, &[]);
    let wind = EacFilter {
        technology: Some(TechnologyType::Wind),
        ..Default::default()
    };
    // b already has `general`: not changed, not counted, not audited;
    // the dry run counts the same and writes nothing.
    let planned = env
        .store
        .bulk_set_beneficiaries_dry_run(&wind, &to, &NoProgress)
        .unwrap();
    assert_eq!((planned.matching, planned.changed), (2, 1));
    assert!(env.store.audit_log(None).unwrap().is_empty());
    let report = env
        .store
        .bulk_set_beneficiaries(
            &wind,
            &to,
            &why("all wind is general"),
            "carol",
            &NoProgress,
        )
        .unwrap();
    assert_eq!(report.changed, 1);
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].cds_eac_id, "d");
    assert_eq!(
        env.ids(EacFilter {
            beneficiary_type: Some(BeneficiaryType::General),
            ..Default::default()
        }),
        ["b", "d"]
    );

    // Cancelled: nothing changes.
    let everything = EacFilter::default();
    let to = assign(BeneficiaryType::Program, &["PRG-1"]);
    let err = env
        .store
        .bulk_set_beneficiaries(&everything, &to, &why("r"), "carol", &CancelAfter::new(2))
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled));
    assert_eq!(env.store.audit_log(None).unwrap().len(), 1);
    assert_eq!(
        env.ids(EacFilter {
            beneficiary_type: Some(BeneficiaryType::Program),
            ..Default::default()
        }),
        Vec::<String>::new()
    );

    // Validation happens before anything: a blank reason is no `Reason`.
    let err = Reason::new(" ").unwrap_err();
    assert_eq!(err.code(), "invalid_input");

    let report = env
        .store
        .bulk_set_beneficiaries(&everything, &to, &why("programme"), "carol", &NoProgress)
        .unwrap();
    assert_eq!(report.changed, 4);
    assert_eq!(env.store.audit_log(None).unwrap().len(), 5);
}

/// Rows picked in the table: `ids` keeps exactly those (with the other
/// terms), `exclude_ids` all but those; every filtered operation obeys.
#[test]
fn a_filter_of_picked_ids_keeps_exactly_those_eacs() {
    let mut env = browse_env();
    let picked = |ids: &[&str]| EacFilter {
        ids: Some(ids.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    };
    assert_eq!(env.ids(picked(&["d", "a", "nope"])), ["a", "d"]);
    assert_eq!(env.ids(picked(&[])), Vec::<String>::new());
    assert_eq!(env.store.summary(&picked(&["a", "c"])).unwrap().count, 2);
    // Intersected with the other terms.
    let wind_picked = EacFilter {
        technology: Some(TechnologyType::Wind),
        ..picked(&["a", "b", "d"])
    };
    assert_eq!(env.ids(wind_picked), ["b", "d"]);
    let all_but = EacFilter {
        exclude_ids: Some(vec!["b".into(), "c".into()]),
        ..Default::default()
    };
    assert_eq!(env.ids(all_but.clone()), ["a", "d"]);
    // More ids than SQLite binds parameters: still one parameter.
    let mut many: Vec<String> = (0..40_000).map(|i| format!("x{i}")).collect();
    many.push("c".into());
    assert_eq!(
        env.ids(EacFilter {
            ids: Some(many),
            ..Default::default()
        }),
        ["c"]
    );

    // A bulk edit of picked rows changes those and no other.
    let to = assign(BeneficiaryType::Program, &["PRG-9"]);
    let report = env
        .store
        .bulk_set_beneficiaries(
            &picked(&["a", "c"]),
            &to,
            &why("picked"),
            "carol",
            &NoProgress,
        )
        .unwrap();
    assert_eq!(report.changed, 2);
    assert_eq!(env.ids(search("PRG-9")), ["a", "c"]);
    // "All but b and c" marks a and d verified, no other.
    let report = env
        .store
        .mark_verified(&all_but, None, "carol", false, &NoProgress)
        .unwrap();
    assert_eq!(report.verified, 2);
    let verified: Vec<String> = env
        .store
        .audit_log(None)
        .unwrap()
        .into_iter()
        .filter(|r| r.action == eac_store::AuditAction::Verify)
        .map(|r| r.cds_eac_id)
        .collect();
    assert_eq!(verified.len(), 2);
    assert!(verified.contains(&"a".to_string()) && verified.contains(&"d".to_string()));
    // Absent lists are not written: older readers see the same filter JSON.
    assert_eq!(
        serde_json::to_string(&EacFilter::default()).unwrap(),
        serde_json::to_string(&serde_json::from_str::<EacFilter>("{}").unwrap()).unwrap()
    );
    assert!(!serde_json::to_string(&EacFilter::default())
        .unwrap()
        .contains("ids"));
}

/// "Filter by this value" / "exclude this value" on a table cell: exact
/// comparison, a missing field is its own value, excluding keeps EACs where
/// the field is missing, and every term is intersected.
#[test]
fn cell_filters_keep_or_exclude_exact_values() {
    let env = browse_env();
    let only = |field: MatchField, value: Option<&str>, exclude: bool| EacFilter {
        matches: Some(vec![FieldMatch {
            field,
            value: value.map(str::to_owned),
            exclude,
        }]),
        ..Default::default()
    };
    assert_eq!(
        env.ids(only(MatchField::EacNumber, Some("AA-1"), false)),
        ["c", "d"]
    );
    // Exact: no substring, no case folding.
    assert!(env
        .ids(only(MatchField::EacNumber, Some("aa-1"), false))
        .is_empty());
    assert_eq!(env.ids(only(MatchField::EacNumber, None, false)), ["b"]);
    // Excluding a number keeps the EAC without one.
    assert_eq!(
        env.ids(only(MatchField::EacNumber, Some("AA-1"), true)),
        ["a", "b"]
    );
    assert_eq!(
        env.ids(only(MatchField::EacNumber, None, true)),
        ["a", "c", "d"]
    );
    assert_eq!(
        env.ids(only(MatchField::Source, Some("REG-2"), false)),
        ["a"]
    );
    assert_eq!(
        env.ids(only(MatchField::Technology, Some("hydro"), true))
            .len(),
        3
    );
    assert_eq!(
        env.ids(only(MatchField::Destination, Some("UTIL-2"), false)),
        ["b"]
    );
    assert_eq!(
        env.ids(only(MatchField::Issuance, Some("2024-01-15"), false)),
        ["c"]
    );
    // Beneficiary ids: any of the EAC's; missing is "has none".
    assert_eq!(
        env.ids(only(MatchField::Beneficiary, Some("ACC-2"), false)),
        ["a"]
    );
    assert_eq!(
        env.ids(only(MatchField::Beneficiary, Some("ACC-2"), true)),
        ["b", "c", "d"]
    );
    assert_eq!(env.ids(only(MatchField::Beneficiary, None, false)), ["b"]);
    assert_eq!(
        env.ids(only(MatchField::Beneficiary, None, true)),
        ["a", "c", "d"]
    );
    // Several terms and the other filters are intersected.
    let two = EacFilter {
        matches: Some(vec![
            FieldMatch {
                field: MatchField::EacNumber,
                value: Some("AA-1".into()),
                exclude: false,
            },
            FieldMatch {
                field: MatchField::Source,
                value: Some("REG-0".into()),
                exclude: true,
            },
        ]),
        ..Default::default()
    };
    assert_eq!(env.ids(two.clone()), ["c"]);
    assert_eq!(env.store.summary(&two).unwrap().count, 1);
    // User text is bound, never SQL.
    assert!(env
        .ids(only(MatchField::Asset, Some("x' OR 1=1 --"), false))
        .is_empty());
    // The rows carry the fields the column chooser offers.
    let rows = env
        .store
        .browse(&BrowseQuery {
            filter: only(MatchField::Source, Some("REG-2"), false),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    let a = &rows[0];
    assert_eq!(a.cds_modified, "2024-05-01T00:00:00Z");
    assert!(a.asset_id.is_some());
    assert!(!a.cds_created.is_empty());
    // Wire names round-trip (`ls --where`).
    for f in MatchField::ALL {
        assert_eq!(MatchField::parse(f.as_str()), Some(f));
    }
}

#[test]
fn the_database_refuses_to_change_or_delete_audit_records() {
    let mut env = browse_env();
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("why"),
            "alice",
        )
        .unwrap();
    let update = env
        .raw("UPDATE audit_log SET reason = 'rewritten'")
        .unwrap_err();
    assert!(update.contains("never changed"), "{update}");
    let delete = env.raw("DELETE FROM audit_log").unwrap_err();
    assert!(delete.contains("never deleted"), "{delete}");
    let (login, session) = server_login_column();
    let blank = env
        .raw(&format!(
            "INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason{login})
             VALUES ('t', 'u', 'a', 'x', '{{}}', '{{}}', '  '{session})"
        ))
        .unwrap_err();
    assert!(blank.to_lowercase().contains("check"), "{blank}");
    assert_eq!(env.store.audit_log(None).unwrap()[0].reason, "why");
}

/// An action another tool wrote is no action EAC Desk knows: it is read as
/// `unknown`, and the record's problem names what was stored.
#[test]
fn an_action_no_version_writes_is_read_as_unknown() {
    let env = browse_env();
    let (login, session) = server_login_column();
    env.raw(&format!(
        "INSERT INTO audit_log (at, os_user, cds_eac_id, action, \"before\", \"after\", reason{login})
         VALUES ('2024-01-01T00:00:00Z', 'u', 'a', 'renamed_by_tool', 'null', 'null', 'why'{session})"
    ))
    .unwrap();
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log[0].action, eac_store::AuditAction::Unknown);
    let problem = log[0].problem.as_deref().unwrap_or_default();
    assert!(problem.contains("`renamed_by_tool`"), "{problem}");
    assert_eq!(serde_json::to_value(log[0].action).unwrap(), "unknown");
}

// ---------------------------------------------------------------- database

#[test]
fn a_newer_database_is_refused_untouched() {
    file_only!("a file's schema version (a server's: postgres.rs)");
    let env = Env::new();
    let db = env.db();
    drop(env.store);
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.pragma_update(None, "user_version", 99).unwrap();
    drop(raw);
    let before = sha256_of(&db);
    match Store::open(&db).unwrap_err() {
        StoreError::NewerDatabase {
            path,
            found,
            supported,
        } => {
            assert_eq!((path, found, supported), (db.clone(), 99, schema_files()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sha256_of(&db), before);
}

#[test]
fn a_file_that_is_not_a_database_is_an_io_error_naming_it() {
    file_only!("files that are no database");
    let env = Env::new();
    let path = env.file("notes.json");
    fs::write(
        &path,
        "{\"eacs\": []} and some more text to fill a header page",
    )
    .unwrap();
    match Store::open(&path).unwrap_err() {
        StoreError::Io { path: p, .. } => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
    let folder = env.file("a-folder");
    fs::create_dir_all(&folder).unwrap();
    match Store::open(&folder).unwrap_err() {
        StoreError::Io { path: p, .. } => assert_eq!(p, folder),
        other => panic!("{other:?}"),
    }
}

#[test]
fn opening_twice_and_reopening_keeps_the_schema() {
    let env = Env::new();
    let second = env.reopen();
    assert_eq!(second.info().unwrap().schema_version, schema_files());
    let Some(raw) = env.raw_file() else { return };
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// A file's page size, read from its header (bytes 16–17, big-endian).
fn page_size_of(path: &Path) -> u32 {
    let header = fs::read(path).unwrap();
    u32::from(u16::from_be_bytes([header[16], header[17]]))
}

#[test]
fn a_new_file_gets_16_kib_pages_and_an_older_file_keeps_its_own() {
    file_only!("a page size is SQLite's");
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1"), eac("e-2")]);
    assert_eq!(page_size_of(&env.db()), 16_384);
    // A file whose page size was set before (an earlier version's default,
    // 4 KiB) keeps it: SQLite cannot change it in place, and opening,
    // upgrading and writing must not try.
    let older = env.file("older.sqlite");
    rusqlite::Connection::open(&older)
        .unwrap()
        .execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x); DROP TABLE t;")
        .unwrap();
    let mut store = Store::open(&older).unwrap();
    store
        .import_eacs("test", &mut vec![eac("e-1")].into_iter(), &NoProgress)
        .unwrap();
    drop(store);
    assert_eq!(page_size_of(&older), 4_096);
    let again = Store::open(&older).unwrap();
    assert_eq!(again.info().unwrap().eac_count, 1);
}

#[test]
fn data_version_moves_when_another_connection_commits() {
    file_only!("a server database is watched through LISTEN (postgres.rs)");
    let mut env = Env::new();
    let watcher = Store::open(&env.db()).unwrap();
    let v0 = watcher.data_version().unwrap();
    env.import_eacs(vec![eac("e-1")]);
    assert_ne!(watcher.data_version().unwrap(), v0);
}

#[test]
fn a_writer_waits_for_another_process_instead_of_failing() {
    file_only!("SQLite's one write lock (a server's row locks: postgres.rs)");
    let mut env = browse_env();
    let holder = env.hold_write_lock(500);
    // Reads go on during the other write.
    assert_eq!(env.count(), 4);
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("wait"),
            "alice",
        )
        .unwrap();
    holder.join().unwrap();
}

#[test]
fn a_writer_that_waits_too_long_fails_as_busy_and_changes_nothing() {
    file_only!("SQLite's busy timeout (a server's lock wait: postgres.rs)");
    let mut env = browse_env();
    env.store
        .set_busy_timeout(std::time::Duration::from_millis(100))
        .unwrap();
    let raw = rusqlite::Connection::open(env.db()).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = env
        .store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("late"),
            "alice",
        )
        .unwrap_err();
    assert!(err.is_busy(), "{err:?}");
    assert_eq!(err.code(), "database");
    raw.execute_batch("COMMIT").unwrap();
    // Nothing was written: no audit record, the beneficiaries are as before.
    assert!(env.store.audit_log(Some("a")).unwrap().is_empty());
    assert!(!StoreError::NotFound("a".into()).is_busy());
}

// ---------------------------------------------------------------- export

/// The fixture's EACs in reverse document order.
fn reversed_listing(env: &Env, name: &str, source: &Path) -> PathBuf {
    #[derive(serde::Deserialize)]
    struct Doc {
        eacs: Vec<Box<RawValue>>,
    }
    let doc: Doc = serde_json::from_str(&fs::read_to_string(source).unwrap()).unwrap();
    let items: Vec<&str> = doc.eacs.iter().rev().map(|r| r.get()).collect();
    let path = env.file(name);
    fs::write(
        &path,
        format!(
            "{{\"eacs\": [{}], \"next\": null, \"previous\": null}}",
            items.join(",")
        ),
    )
    .unwrap();
    path
}

/// The export refills one EAC row after row (values and beneficiaries
/// growing and shrinking, numbers and extensions coming and going) and
/// writes by hand: its bytes are serde's layout of each EAC loaded alone.
#[test]
fn export_bytes_are_each_stored_eac_written_alone() {
    let mut env = Env::new();
    let mut eacs = vec![eac("a-1"), eac("a-2"), eac("a-3"), eac("a-4")];
    let raw = |t: &str| serde_json::value::RawValue::from_string(t.to_owned()).unwrap();
    eacs[0].beneficiaries = vec!["b-1".into(), "b-2".into(), "b-3".into()];
    eacs[0].extensions = Extensions(vec![("x_note".into(), raw(r#"{"k": [1, 2.50]}"#))]);
    let value = eacs[0].values[0].clone();
    eacs[0].values = (0..5)
        .map(|i| EacValue {
            eac_number: Some(format!("N-{i}")),
            extensions: Extensions(vec![("x_v".into(), raw("\"é\""))]),
            ..value.clone()
        })
        .collect();
    eacs[1].eac_number = None;
    eacs[2].values[0].eac_number = Some("only".into());
    eacs[2].destination_name = Some("Dest \"quoted\" \\ é".into());
    env.import_eacs(eacs.clone());
    let dest = env.file("export.json");
    env.store.export_p1(None, &dest, &NoProgress).unwrap();

    let ids: Vec<String> = {
        let doc: serde_json::Value = serde_json::from_slice(&fs::read(&dest).unwrap()).unwrap();
        doc["eacs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["cds_eac_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids.len(), 4);
    let mut w = ListingWriter::begin(Vec::new()).unwrap();
    for id in &ids {
        w.write_item(&env.store.eac(id).unwrap()).unwrap();
    }
    let alone = w.finish().unwrap();
    assert_eq!(
        String::from_utf8(fs::read(&dest).unwrap()).unwrap(),
        String::from_utf8(alone).unwrap()
    );
}

#[test]
fn export_writes_p1_listing_order() {
    let mut env = Env::new();
    let reversed = reversed_listing(&env, "reversed.json", &fixture("good-p1-mixed-order.json"));
    env.import(&reversed).unwrap();
    let dest = env.file("out/export.json");
    fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let report = env.store.export_p1(None, &dest, &NoProgress).unwrap();
    assert_eq!(report.eac_count, 7);
    assert_eq!(report.value_count, 1 + 1 + 1 + 2 + 30 + 1 + 1);
    assert_eq!(report.sha256, sha256_of(&dest));
    assert_eq!(report.path, dest.display().to_string());

    #[derive(serde::Deserialize)]
    struct Doc {
        eacs: Vec<Item>,
        next: Option<String>,
        previous: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        cds_eac_id: String,
    }
    let doc: Doc = serde_json::from_str(&fs::read_to_string(&dest).unwrap()).unwrap();
    let ids: Vec<_> = doc.eacs.iter().map(|e| e.cds_eac_id.as_str()).collect();
    assert_eq!(
        ids,
        ["e-01", "e-02", "e-03", "e-04", "e-05", "e-06", "e-07"]
    );
    assert_eq!((doc.next, doc.previous), (None, None));

    // The export reads back as the same EACs, and passes a strict re-import.
    let mut again = Env::new();
    let r = again.import(&dest).unwrap();
    assert_eq!(r.added, 7);
    for id in ids {
        assert_eq!(again.store.eac(id).unwrap(), env.store.eac(id).unwrap());
    }

    // Exporting a filtered set.
    let filtered = env.file("out/wind.json");
    let report = env
        .store
        .export_p1(
            Some(&EacFilter {
                technology: Some(TechnologyType::Hydro),
                ..Default::default()
            }),
            &filtered,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(report.eac_count, 1);
}

#[test]
fn export_keeps_decimals_byte_for_byte() {
    let mut env = Env::new();
    env.import(&fixture("good-p1-mixed-order.json")).unwrap();
    let mut odd = eac("z-odd");
    odd.values = vec![
        value(EnergyUnit::KWh, "1000.0"),
        value(EnergyUnit::KWh, "1.50E-2"),
        value(EnergyUnit::KWh, "0.000000000000000000001"),
    ];
    odd.emissions_factor_direct = Some(dec("1e3"));
    env.import_eacs(vec![odd]);
    let dest = env.file("export.json");
    env.store.export_p1(None, &dest, &NoProgress).unwrap();
    let text = fs::read_to_string(&dest).unwrap();
    for literal in [
        "\"value\": 45.106820",
        "\"value\": 54.00418",
        "\"emissions_factor_lca\": 0.011",
        "\"value\": 1000.0",
        "\"value\": 1.50E-2",
        "\"value\": 0.000000000000000000001",
        "\"emissions_factor_direct\": 1e3",
        "\"acme_note\": \"extension field, must be tolerated\"",
        "\"unit\": \"MWh\"",
    ] {
        assert!(text.contains(literal), "{literal} missing");
    }
}

#[test]
fn export_is_refused_for_missing_emission_factors_and_leaves_the_destination() {
    let mut env = Env::new();
    let r = env.import(&fixture("bad-p1-todo-emissions.json")).unwrap();
    assert_eq!(r.added, 1);
    assert!(r.warnings.iter().any(|w| w.rule == 6));
    assert_eq!(
        env.store
            .detail("101010101-10")
            .unwrap()
            .emissions_factor_direct,
        None
    );

    let folder = env.file("out");
    fs::create_dir_all(&folder).unwrap();
    let dest = folder.join("export.json");
    fs::write(&dest, "previous export").unwrap();
    let err = env.store.export_p1(None, &dest, &NoProgress).unwrap_err();
    let StoreError::Rules { file, violations } = err else {
        panic!("expected rules")
    };
    assert_eq!(file, dest.display().to_string());
    assert!(violations.iter().all(|v| v.rule == 6));
    assert_eq!(violations.len(), 2);
    assert_eq!(violations[0].cds_eac_id.as_deref(), Some("101010101-10"));
    assert_eq!(violations[0].pointer, "/eacs/0/emissions_factor_direct");
    assert_eq!(fs::read_to_string(&dest).unwrap(), "previous export");
    let names: Vec<_> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["export.json"], "no temporary file behind");
}

#[test]
fn cancelled_export_leaves_nothing_behind() {
    let mut env = Env::new();
    env.import_eacs((0..20).map(|i| eac(&format!("e-{i}"))).collect());
    let folder = env.file("out");
    fs::create_dir_all(&folder).unwrap();
    let dest = folder.join("export.json");
    let err = env
        .store
        .export_p1(None, &dest, &CancelAfter::new(5))
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled));
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn export_of_an_empty_store_is_an_empty_listing() {
    let env = Env::new();
    let dest = env.file("empty.json");
    let report = env.store.export_p1(None, &dest, &NoProgress).unwrap();
    assert_eq!(report.eac_count, 0);
    assert_eq!(
        fs::read_to_string(&dest).unwrap(),
        "{\n  \"eacs\": [],\n  \"next\": null,\n  \"previous\": null\n}\n"
    );
}

// ---------------------------------------------------------------- speed

/// CPU milliseconds used by this process so far (Linux; 0 elsewhere): wall
/// time means little on a busy machine.
fn cpu_millis() -> u64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime (fields 14 and 15 of proc(5)), in 1/100 s.
    (ticks(11) + ticks(12)) * 10
}

fn bench_eacs(n: usize, per_eac: usize) -> Vec<Eac> {
    (0..n)
        .map(|i| {
            let mut e = eac(&format!("bench-{i:07}"));
            e.values = (0..per_eac)
                .map(|j| {
                    let mut v = value(EnergyUnit::MWh, &format!("{}.{:03}", j + 1, i % 1000));
                    v.eac_number = Some(format!("8711117999938001111{i:07}{j:03}"));
                    v.start = None;
                    v.end = None;
                    v
                })
                .collect();
            e
        })
        .collect()
}

/// Imports, queries and exports 20,000 EACs of 10 values each, printing
/// wall and CPU time per step:
/// `cargo test --release -p eac-store -- --ignored --nocapture import_speed`
#[test]
#[ignore = "a benchmark; run in release"]
fn import_speed() {
    let mut env = Env::new();
    let eacs = bench_eacs(20_000, 10);
    let path = env.listing("bench.json", &eacs);
    let size = fs::metadata(&path).unwrap().len();
    let values: u64 = 200_000;
    let step = |name: &str, f: &mut dyn FnMut()| {
        let (wall, cpu) = (std::time::Instant::now(), cpu_millis());
        f();
        let (wall, cpu) = (wall.elapsed().as_millis(), cpu_millis() - cpu);
        println!(
            "{name:<28} wall {wall:>6} ms  cpu {cpu:>6} ms  ({:>8} values per cpu second)",
            values * 1000 / cpu.max(1)
        );
    };
    println!("{} MB, 20000 EACs, 200000 values", size / 1_000_000);
    step("parse only (eac-model)", &mut || {
        eac_model::read_listing(
            fs::File::open(&path).unwrap(),
            eac_model::CheckOptions::import(),
            |_, _| eac_model::Flow::Continue,
        )
        .unwrap();
    });
    step("import_eacs (no parsing)", &mut || {
        let mut other = Env::new();
        other
            .store
            .import_eacs("bench", &mut eacs.clone().into_iter(), &NoProgress)
            .unwrap();
    });
    step("import_file", &mut || {
        let r = env.import(&path).unwrap();
        assert_eq!(r.added, 20_000);
    });
    step("summary of everything", &mut || {
        env.store.summary(&EacFilter::default()).unwrap();
    });
    step("search a value number", &mut || {
        let rows = env
            .store
            .browse(&BrowseQuery {
                filter: search("99380011110001234"),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(rows.len(), 1);
    });
    step("page 100 by quantity desc", &mut || {
        env.store
            .browse(&BrowseQuery {
                sort: SortSpec {
                    field: SortField::Quantity,
                    descending: true,
                },
                offset: 10_000,
                limit: 100,
                ..Default::default()
            })
            .unwrap();
    });
    let dest = env.file("bench-export.json");
    step("export_p1", &mut || {
        env.store.export_p1(None, &dest, &NoProgress).unwrap();
    });
}

/// The schema version this build ends at: one per file of `migrations/`.
fn schema_files() -> usize {
    fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".sql")
        })
        .count()
}

/// A varied set of EACs for the fresh-load test: numbers, technologies,
/// periods, quantities, beneficiaries and sources all differ.
fn varied_eacs(prefix: &str, n: usize) -> Vec<Eac> {
    let techs = [
        TechnologyType::Wind,
        TechnologyType::Solar,
        TechnologyType::Hydro,
    ];
    (0..n)
        .map(|i| {
            let mut e = eac(&format!("{prefix}-{i:03}"));
            e.eac_number = (i % 7 != 0).then(|| format!("N-{}", (i * 37) % 101));
            e.technology_type = Some(techs[i % techs.len()]);
            e.source_name = format!("Registry Ørsted {}", i % 4);
            e.beneficiaries = vec![format!("CUST-{}", i % 9)];
            e.period_start = ts(&format!("2024-{:02}-01T00:00:00Z", i % 11 + 1));
            e.period_end = ts(&format!("2024-{:02}-01T00:00:00Z", i % 11 + 2));
            e.values = (0..=(i % 3))
                .map(|k| {
                    let mut v = value(EnergyUnit::ALL[k], &format!("{}.{k}", i * 13 % 97));
                    v.eac_number = Some(format!("V-{prefix}-{i}-{k}"));
                    v.start = Some(e.period_start);
                    v.end = Some(e.period_end);
                    v
                })
                .collect();
            e
        })
        .collect()
}

/// What a person browsing sees: every sort both ways, searches, filtered
/// counts and exact totals.
fn everything_browsed(store: &Store) -> Vec<String> {
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
    let filters = [
        EacFilter::default(),
        EacFilter {
            search: Some("cust-4".into()),
            ..EacFilter::default()
        },
        EacFilter {
            search: Some("ØRSTED 2".into()),
            ..EacFilter::default()
        },
        EacFilter {
            search: Some("v-b-1".into()),
            technology: Some(TechnologyType::Solar),
            ..EacFilter::default()
        },
    ];
    let mut seen = Vec::new();
    for filter in &filters {
        seen.push(format!("{:?}", store.summary(filter).unwrap()));
        for field in sorts {
            for descending in [false, true] {
                let rows = store
                    .browse(&eac_store::BrowseQuery {
                        filter: filter.clone(),
                        sort: eac_store::SortSpec { field, descending },
                        offset: 0,
                        limit: 1000,
                    })
                    .unwrap();
                seen.push(format!("{rows:?}"));
            }
        }
    }
    seen
}

/// The same two listings (120 and 80 varied EACs) imported in both orders
/// into two new stores: the first of each is a fresh load, the second an
/// import into a populated database.
fn loaded_both_ways() -> (Vec<Eac>, Vec<Eac>, Env, Env) {
    let (a, b) = (varied_eacs("a", 120), varied_eacs("b", 80));
    let mut first = Env::new();
    let (fa, fb) = (first.listing("a.json", &a), first.listing("b.json", &b));
    first.import(&fa).unwrap(); // fresh load
    first.import(&fb).unwrap(); // into a populated database
    let mut second = Env::new();
    second.import(&fb).unwrap();
    second.import(&fa).unwrap();
    (a, b, first, second)
}

#[test]
fn a_fresh_load_and_an_import_into_a_populated_database_browse_alike() {
    // A fresh database builds its indexes after the rows; one that already
    // holds EACs updates them per EAC. Same EACs, in either order: the same
    // pages, searches, counts and totals, and the same index definitions.
    let (a, b, first, second) = loaded_both_ways();
    let third_dir = TempDir::new().unwrap();
    let mut third = Store::open(&third_dir.path().join("eacs.db")).unwrap();
    let mut all = a.clone();
    all.extend(b.clone());
    third
        .import_eacs("in memory", &mut all.into_iter(), &NoProgress)
        .unwrap();

    let browsed = everything_browsed(&first.store);
    assert!(browsed.iter().any(|page| page.contains("a-119")));
    assert_eq!(browsed, everything_browsed(&second.store));
    assert_eq!(browsed, everything_browsed(&third));
    file_only!("SQLite's index definitions");
    let indexes = |store: &Store| -> Vec<(String, Option<String>)> {
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let names = indexes(&first.store);
    assert!(names.iter().any(|(n, _)| n == "eacs_by_quantity"));
    assert_eq!(names, indexes(&second.store));
    assert_eq!(names, indexes(&third));
}

#[test]
fn a_fresh_load_keeps_the_portfolios_counts_totals_and_versions_as_the_triggers_do() {
    // A fresh load drops the insert triggers of the kept value count,
    // totals and highest version and writes what it tallied at its end;
    // an import into a populated database runs the triggers per EAC.
    file_only!("SQLite's kept tables");
    let (_, _, mut first, second) = loaded_both_ways();
    let kept = |env: &Env| {
        let texts = |sql: &str| -> Vec<String> {
            let rows = env.raw_rows(sql).into_iter();
            rows.map(|row| row[0].clone().unwrap_or_default()).collect()
        };
        let values = texts("SELECT \"values\" || '' FROM eac_counts_kept");
        let summed = texts("SELECT sum(value_count) || '' FROM eacs");
        assert_eq!(values, summed, "the kept value count is the stored one");
        let totals = texts(
            "SELECT unit || ' ' || scale || ' ' || summed || ' ' || ifnull(mantissa, 'NULL')
             FROM eac_totals_kept WHERE summed > 0 ORDER BY unit, scale",
        );
        let from_rows = texts(
            "SELECT unit || ' ' || scale || ' ' || count(*) || ' ' || sum(mantissa)
             FROM eac_totals WHERE mantissa IS NOT NULL GROUP BY unit, scale ORDER BY unit, scale",
        );
        assert_eq!(totals, from_rows, "the kept totals are the stored ones");
        // Every EAC stored got a version of its own, and the highest is kept.
        let versions = texts(
            "SELECT count(DISTINCT version) || ' of ' || count(*) || ', highest '
                 || max(version) || ', kept ' || (SELECT version_high FROM eac_counts_kept)
             FROM eacs",
        );
        let triggers = texts("SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name");
        (values, totals, versions, triggers)
    };
    let (values, totals, versions, triggers) = kept(&first);
    assert_eq!(values, ["399"], "{values:?}");
    assert_eq!(totals.len(), 3, "{totals:?}");
    assert_eq!(versions, ["200 of 200, highest 201, kept 201"]);
    assert!(triggers
        .iter()
        .any(|t| t.contains("eac_counts_kept_insert")));
    assert!(triggers
        .iter()
        .any(|t| t.contains("eac_totals_kept_insert")));
    assert_eq!(kept(&second), (values, totals, versions, triggers));
    // Edited after the load: the next change number, above every EAC's.
    first
        .store
        .set_beneficiaries(
            "a-007",
            &assign(BeneficiaryType::Customer, &["NEW-1"]),
            &why("after a fresh load"),
            "alice",
        )
        .unwrap();
    let version =
        first.raw_text("SELECT CAST(version AS TEXT) FROM eacs WHERE cds_eac_id = 'a-007'");
    assert_eq!(version.as_deref(), Some("202"));
}

#[test]
fn a_refused_fresh_load_leaves_every_index_in_place() {
    let mut env = Env::new();
    let mut eacs = varied_eacs("c", 10);
    eacs.push(eacs[3].clone()); // a duplicate id: the whole file is refused
    let path = env.listing("dup.json", &eacs);
    assert!(env.import(&path).is_err());
    if let Some(conn) = env.raw_file() {
        let count: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'eacs'
                   AND sql IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(count >= 15, "{count}");
    }
    // And the next import of the good EACs works and finds them.
    let path = env.listing("good.json", &eacs[..10]);
    env.import(&path).unwrap();
    let found = env
        .store
        .summary(&EacFilter {
            search: Some("v-c-3-0".into()),
            ..EacFilter::default()
        })
        .unwrap();
    assert_eq!(found.count, 1);
}

/// Files in `dir` whose names start with `.eacdesk-`: hidden work files.
fn hidden_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".eacdesk-"))
        .collect()
}

/// FTS5's own check of the search index against the stored search text
/// (on a server the search text is a column of `eacs`: nothing beside).
fn search_index_is_whole(env: &Env) {
    let Some(conn) = env.raw_file() else { return };
    conn.execute(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();
}

#[test]
fn a_fresh_loads_search_index_built_beside_is_whole_and_follows_edits() {
    // A fresh load builds the search index on a thread of its own in a
    // hidden database beside the store and copies it in (decision 216).
    let mut env = Env::new();
    let definition = |env: &Env| -> Option<String> {
        env.raw_file().map(|conn| {
            conn.query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'eac_search'",
                [],
                |r| r.get(0),
            )
            .unwrap()
        })
    };
    let before = definition(&env);
    let eacs = varied_eacs("f", 3000);
    let path = env.listing("fresh.json", &eacs);
    env.import(&path).unwrap();
    assert_eq!(hidden_files(env.dir.path()), Vec::<String>::new());
    assert_eq!(definition(&env), before, "the same table, by definition");
    search_index_is_whole(&env);
    assert_eq!(env.ids(search("v-f-2999-2")), ["f-2999"]);
    assert_eq!(env.ids(search("ørsted 3")).len(), 750);
    assert_eq!(env.ids(search("cust-8")).len(), 333);

    // Edits, a second import and a delete change the copied index in place.
    env.store
        .set_beneficiaries(
            "f-007",
            &assign(BeneficiaryType::Customer, &["NEW-ÄÖ-1"]),
            &why("after a fresh load"),
            "alice",
        )
        .unwrap();
    assert_eq!(env.ids(search("new-äö-1")), ["f-007"]);
    assert!(!env.ids(search("cust-7")).contains(&"f-007".to_owned()));
    let more = env.listing("more.json", &varied_eacs("g", 20));
    env.import(&more).unwrap();
    assert_eq!(env.ids(search("v-g-19-1")), ["g-019"]);
    search_index_is_whole(&env);
}

#[test]
fn a_cancelled_or_refused_fresh_load_leaves_no_hidden_file_and_an_empty_index() {
    let mut env = Env::new();
    let eacs = varied_eacs("h", 5000);
    let path = env.listing("many.json", &eacs);
    let err = env
        .store
        .import_file(&path, ImportOptions::default(), &CancelAfter::new(4000))
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled), "{err:?}");
    let mut dup = eacs[..3000].to_vec();
    dup.push(eacs[10].clone());
    let dup = env.listing("dup.json", &dup);
    assert!(env.import(&dup).is_err());
    assert_eq!(hidden_files(env.dir.path()), Vec::<String>::new());
    assert_eq!(env.count(), 0);
    assert!(env.ids(search("v-h-1")).is_empty());
    search_index_is_whole(&env);
    // The next load builds it whole.
    env.import(&path).unwrap();
    assert_eq!(env.ids(search("v-h-4999-1")), ["h-4999"]);
    search_index_is_whole(&env);
}

#[test]
fn a_file_in_use_is_copied_whole_into_a_new_file_and_never_over_one() {
    file_only!("copying a SQLite file (a server's copies: postgres.rs)");
    let mut env = browse_env();
    // Written by a desk that is still open: part of it may be only in the
    // write-ahead log, which a plain file copy would miss.
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::Account, &["ACC-OPEN"]),
            &why("still open"),
            "alice",
        )
        .unwrap();
    let dest = env.file("copy.sqlite");
    let mut heard = Vec::new();
    let report =
        eac_store::server_copy::copy_file(&env.db(), &dest, &mut |t| heard.push(t.table.clone()))
            .unwrap();
    assert!(heard.contains(&"eacs".to_owned()) && heard.contains(&"audit_log".to_owned()));
    assert_eq!(report.tables.len(), heard.len());
    let copy = Store::open_read(&dest).unwrap();
    assert_eq!(copy.detail("a").unwrap(), env.store.detail("a").unwrap());
    assert_eq!(
        copy.audit_log(None).unwrap(),
        env.store.audit_log(None).unwrap()
    );
    let (x, y) = (env.file("from.json"), env.file("copy.json"));
    env.store.export_p1(None, &x, &NoProgress).unwrap();
    copy.export_p1(None, &y, &NoProgress).unwrap();
    assert_eq!(fs::read(&x).unwrap(), fs::read(&y).unwrap());
    assert!(copy.verify_audit_chain().unwrap().broken.is_none());
    // Never over a file, and nothing hidden left behind.
    let before = fs::read(&dest).unwrap();
    let err = eac_store::server_copy::copy_file(&env.db(), &dest, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("left alone"), "{err}");
    assert_eq!(fs::read(&dest).unwrap(), before);
    let missing = eac_store::server_copy::copy_file(
        &env.file("nowhere.sqlite"),
        &env.file("x.sqlite"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(missing.to_string().contains("nowhere.sqlite"), "{missing}");
    assert!(!env.file("x.sqlite").exists());
    let hidden: Vec<String> = fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".eacdesk-copy-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}
