//! A fresh load: an import into a database that holds no EAC yet builds
//! the browse indexes once, in bulk, after the rows, instead of updating
//! sixteen B-trees per EAC (issue 16). The indexes are dropped at the start
//! of the import's transaction and created again from their own stored
//! definitions (`sqlite_master`, so exactly what the migrations made) before
//! it commits; any error or cancel rolls the drop back with everything else.
//! The unique index on `cds_eac_id` stays: it finds duplicates while reading.
//! The search index is written in larger statements and its segments are
//! merged once, at the end.

use rusqlite::OptionalExtension;

use crate::write::Write;
use crate::Result;

/// The tables whose secondary indexes a fresh load builds after the rows;
/// all of them are empty when `eacs` is.
const TABLES: [&str; 2] = ["eacs", "eac_beneficiaries"];

/// Indexes dropped for a fresh load; [`Deferred::build`] creates them again.
#[must_use = "the indexes must be built again before the write commits"]
pub(crate) struct Deferred {
    /// `CREATE INDEX …` as stored, in name order.
    definitions: Vec<String>,
}

/// Drops the secondary indexes of [`TABLES`] when the database holds no
/// EAC (a fresh load); `None` otherwise (the import updates them as it goes).
pub(crate) fn defer_indexes_if_fresh(w: &Write) -> Result<Option<Deferred>> {
    let any: Option<i64> = w
        .query_row("SELECT 1 FROM eacs LIMIT 1", [], |r| r.get(0))
        .optional()?;
    if any.is_some() {
        return Ok(None);
    }
    let mut indexes: Vec<(String, String)> = Vec::new();
    for table in TABLES {
        let mut stmt = w.prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name",
        )?;
        let found = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for index in found {
            indexes.push(index?);
        }
    }
    for (name, _) in &indexes {
        // An identifier cannot be a parameter; the names are our own.
        w.execute_batch(&format!("DROP INDEX {}", quoted(name)))?;
    }
    w.pragma_update(None, "cache_size", LOAD_CACHE_KIB)?;
    // The search index: its segments are merged once, at the end, instead
    // of level by level as they are written (a merge only when 64 wait on
    // one level, so that a load of any size stays within the index's limit
    // of segments).
    w.execute_batch(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('automerge', 0);
         INSERT INTO eac_search (eac_search, rank) VALUES ('crisismerge', 64);",
    )?;
    w.bulk_search.set(true);
    Ok(Some(Deferred {
        definitions: indexes.into_iter().map(|(_, sql)| sql).collect(),
    }))
}

impl Deferred {
    /// Creates the dropped indexes again, each in one sorted pass.
    ///
    /// SQLite's sorter keeps up to the page cache's size in memory besides
    /// the cache itself, so the cache is made smaller while the indexes are
    /// built: the peak stays within a fixed bound at any size (the sorter
    /// spills the rest to a temporary file). The write gives the store its
    /// own cache back when it ends (`Store::write`).
    pub(crate) fn build(self, w: &Write) -> Result<()> {
        // The search index's segments merged into one (what every later
        // search reads), then its merge settings back to SQLite's defaults.
        crate::rows::flush_search(w)?;
        w.bulk_search.set(false);
        w.execute_batch(
            "INSERT INTO eac_search (eac_search) VALUES ('optimize');
             INSERT INTO eac_search (eac_search, rank) VALUES ('automerge', 4);
             INSERT INTO eac_search (eac_search, rank) VALUES ('crisismerge', 16);",
        )?;
        w.pragma_update(None, "cache_size", BUILD_CACHE_KIB)?;
        // Hands the pages the smaller cache no longer holds back to the
        // allocator before the sorter asks for its own.
        w.execute_batch("PRAGMA shrink_memory")?;
        for sql in &self.definitions {
            w.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// The page cache while a fresh load writes its rows: with the indexes
/// dropped the rows are appended, so a smaller cache costs little.
const LOAD_CACHE_KIB: i64 = -16_384;

/// The page cache while indexes are built (negative: KiB), and so the
/// sorter's memory too.
const BUILD_CACHE_KIB: i64 = -8_192;

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{ImportOptions, NoProgress, Store, STORE_CACHE_KIB};

    fn cache(store: &Store) -> i64 {
        store
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_fresh_load_ends_with_the_stores_own_page_cache_whatever_happens() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        assert_eq!(cache(&store), STORE_CACHE_KIB);
        // Refused half-way through a fresh load: rolled back, cache restored.
        let bad = fixtures.join("rules/rule-07-duplicate-id.json");
        assert!(bad.is_file(), "{}", bad.display());
        store
            .import_file(&bad, ImportOptions::default(), &NoProgress)
            .unwrap_err();
        assert_eq!(cache(&store), STORE_CACHE_KIB);
        store
            .import_file(
                &fixtures.join("canonical-p1.json"),
                ImportOptions::default(),
                &NoProgress,
            )
            .unwrap();
        assert_eq!(cache(&store), STORE_CACHE_KIB);
    }
}
