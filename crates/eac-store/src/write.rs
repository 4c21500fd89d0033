//! The one write path. Every change to the database goes through a
//! [`Write`]: one transaction, one clock reading (its time is every audit
//! record's `at`, every `cds_modified` bump, every import batch's
//! `imported_at`), committed only when the whole change succeeded.
//!
//! Only this module can make a `Write` ([`Store::write`], and
//! [`Store::dry_run_either`] for plans that are never committed), and every
//! function that writes takes one, so a mutation cannot run outside a
//! transaction or without the audit record written beside it. A test below
//! reads the crate's sources and fails when SQL that changes data appears in
//! a function without a `Write`, or a transaction is opened anywhere else.
//!
//! The reason of an audited change is a [`Reason`], checked once where it
//! comes in: not blank, one line, no control characters.

use std::borrow::Cow;
use std::ops::Deref;

use eac_model::Timestamp;
use rusqlite::{Connection, TransactionBehavior};

use crate::db::{Db, PgDb};
use crate::{Result, Store, StoreError};

/// Why a change was made, as the audit log keeps it: never blank, on one
/// line, without control characters or the invisible marks that reorder
/// text on screen (a line break could print as a second, real-looking audit
/// record; an escape sequence would drive the terminal). Surrounding spaces
/// are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(Cow<'static, str>);

impl Reason {
    /// The one check of a reason typed by a person, used by every shell and
    /// operation (the app's forms call it while the person types).
    pub fn new(text: &str) -> Result<Reason> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(StoreError::InvalidInput(
                "Give a reason for the change; it is kept in the audit log with your user name."
                    .to_owned(),
            ));
        }
        if let Some((at, c)) = trimmed.chars().enumerate().find(|(_, c)| is_forbidden(*c)) {
            let name = match c {
                '\n' | '\r' => "a line break".to_owned(),
                '\t' => "a tab".to_owned(),
                '\u{1b}' => "an escape character (ESC)".to_owned(),
                c => format!("the control character U+{:04X}", u32::from(c)),
            };
            return Err(StoreError::InvalidInput(format!(
                "The reason contains {name} at character {}; write it on one line without \
                 control characters. Nothing was changed.",
                at + 1
            )));
        }
        Ok(Reason(Cow::Owned(trimmed.to_owned())))
    }

    /// A reason that may be left out (marking EACs verified needs no
    /// explanation): `None` when absent or blank, else checked as
    /// [`Reason::new`].
    pub fn optional(text: Option<&str>) -> Result<Option<Reason>> {
        text.filter(|t| !t.trim().is_empty())
            .map(Reason::new)
            .transpose()
    }

    /// EAC Desk's own wording for changes nobody typed a reason for (an
    /// import replacing an older version, a verification without one).
    pub(crate) const fn fixed(text: &'static str) -> Reason {
        Reason(Cow::Borrowed(text))
    }

    /// EAC Desk's own wording naming what it came from (a registry
    /// document by its file name): a character [`Reason::new`] refuses
    /// (a control character in a file name) is written as `\u{…}`, so
    /// the record reads on one line as a typed reason does.
    pub(crate) fn generated(text: &str) -> Reason {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match is_forbidden(c) {
                true => out.push_str(&c.escape_unicode().to_string()),
                false => out.push(c),
            }
        }
        Reason(Cow::Owned(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Control characters, and the invisible marks that reorder text on screen.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// One write transaction and its one clock reading. Reads go through it as
/// through a connection (it derefs to one), so a change sees its own
/// writes. Dropped without [`Store::write`] committing it, it rolls back.
pub(crate) struct Write<'c> {
    tx: rusqlite::Transaction<'c>,
    /// A write on a server database ([`Store::write_either`]): its
    /// transaction runs on this connection; `tx` is then one of the unused
    /// in-memory database, and only code ported to [`Db`] runs.
    server: Option<&'c PgDb>,
    at: Timestamp,
    /// The closed periods in effect and the frozen EACs this write would
    /// change (it is refused when it ends if there are any).
    periods: crate::periods::Guard,
    /// The EACs recorded claims count that this write would remove or
    /// change (it is refused when it ends if there are any).
    claims: crate::claimed::Guard,
    /// The display name every audit record of this write carries.
    audit_name: Option<String>,
    /// Search-index rows not written yet (`rows::queue_search`): written
    /// many to one statement, because the full-text index flushes its
    /// in-memory terms to disk at every statement that writes it.
    pub(crate) pending_search: std::cell::RefCell<Vec<(i64, String)>>,
    /// The bytes of text in `pending_search`.
    pub(crate) pending_search_bytes: std::cell::Cell<usize>,
    /// A fresh load's search index, built beside the store while the
    /// load writes its rows (`bulk::SearchLoad`).
    pub(crate) search_load: std::cell::RefCell<Option<crate::bulk::SearchLoad>>,
    /// A fresh load's facet counts and sums, tallied as its EACs are
    /// inserted (`facets::Tally`) and written once at its end.
    pub(crate) facet_tally: std::cell::RefCell<Option<crate::facets::Tally>>,
    /// The store's hidden databases attached for this write (see
    /// `Store::attached`).
    pub(crate) attached: &'c crate::bulk::Attached,
    /// On a server: the EACs this write has changed so far; past
    /// [`KEPT_ROW_BY_ROW`] the kept rows wait for its end
    /// ([`Write::changed_eac`]).
    server_eacs: std::cell::Cell<u64>,
    /// The id and hash of the last audit record this write appended
    /// (`chain::insert`): the next one follows it without asking the
    /// database (nobody else appends while this write holds the write
    /// lock, or on a server the audit lock, until it ends).
    pub(crate) chain_tail: std::cell::RefCell<Option<(i64, String)>>,
    /// On a server: the login it authenticated this connection as
    /// (`session_user`), read at the write's first audit record.
    server_login: std::cell::OnceCell<String>,
}

/// How a write begins on a server. Its reads are look-ups of a few dozen
/// rows a statement (`rows::each_of`), which PostgreSQL would hand to
/// parallel workers when its statistics are stale (a table filled
/// minutes ago): starting them cost 7 ms a statement, more than the
/// look-up itself. A write reads without them.
const BEGIN_ON_SERVER: &str =
    "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL max_parallel_workers_per_gather = 0";

/// The EACs a write on a server changes with the kept counts, totals and
/// facet rows updated row by row; from the next one on those rows wait for
/// its end and are rebuilt once (decision 240). Row by row, a write of `n`
/// EACs costs about n² (each update of a kept row walks past its earlier
/// versions of the same transaction); the rebuild reads every EAC once.
const KEPT_ROW_BY_ROW: u64 = 500;

impl Write<'_> {
    /// The database this write changes (see [`Db`]).
    pub(crate) fn db(&self) -> &dyn Db {
        match self.server {
            Some(server) => server,
            None => &*self.tx,
        }
    }

    /// The user's display name for this write's audit records.
    pub(crate) fn audit_name(&self) -> Option<&str> {
        self.audit_name.as_deref()
    }

    /// The login a server authenticated this write's connection as
    /// (`session_user`: what its audit records name beside the desk's own
    /// OS login and display name, which its environment says); `None` on a
    /// file, which has no login.
    pub(crate) fn server_login(&self) -> Result<Option<String>> {
        if self.server.is_none() {
            return Ok(None);
        }
        if let Some(login) = self.server_login.get() {
            return Ok(Some(login.clone()));
        }
        let login: String = self
            .db()
            .query_row("SELECT session_user::text", &[], |r| Ok(r.get(0)?))?;
        Ok(Some(self.server_login.get_or_init(|| login).clone()))
    }

    /// The time of this write: read once when it began.
    pub(crate) fn at(&self) -> Timestamp {
        self.at
    }

    /// What this write found about closed periods ([`crate::periods`]).
    pub(crate) fn periods(&self) -> &crate::periods::Guard {
        &self.periods
    }

    /// What this write found about EACs recorded claims count
    /// ([`crate::claimed`]).
    pub(crate) fn claims(&self) -> &crate::claimed::Guard {
        &self.claims
    }

    /// Counts one EAC this write inserts, replaces or deletes. On a server,
    /// past [`KEPT_ROW_BY_ROW`] of them the kept rows' triggers stand aside
    /// for the rest of this transaction (`eacdesk.kept` = 'later', server
    /// migration 0019), and the write rebuilds those rows before it commits
    /// ([`Store::write_either`]). A file keeps them as before.
    pub(crate) fn changed_eac(&self) -> Result<()> {
        self.changed_eacs(1)
    }

    /// [`Write::changed_eac`] of `n` EACs one statement writes: the
    /// triggers stand aside before the statement that passes
    /// [`KEPT_ROW_BY_ROW`] (the rebuild counts every EAC, so the ones of
    /// that statement below the mark are kept too).
    pub(crate) fn changed_eacs(&self, n: usize) -> Result<()> {
        let Some(server) = self.server else {
            return Ok(());
        };
        let before = self.server_eacs.get();
        let after = before.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        self.server_eacs.set(after);
        if before <= KEPT_ROW_BY_ROW && after > KEPT_ROW_BY_ROW {
            server.batch("SELECT set_config('eacdesk.kept', 'later', true)")?;
        }
        Ok(())
    }

    /// Whether the kept rows wait for this write's end (see
    /// [`Write::changed_eac`]).
    fn kept_later(&self) -> bool {
        self.server_eacs.get() > KEPT_ROW_BY_ROW
    }
}

impl Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.tx
    }
}

impl Store {
    /// Runs `change` in one write transaction (it takes the write lock when
    /// it begins); commits only when `change` succeeds and changed no EAC
    /// inside a closed period (else [`StoreError::Frozen`] names them all),
    /// then lets the file switch to write-ahead logging if it has not yet.
    pub(crate) fn write<T>(&mut self, change: impl FnOnce(&Write) -> Result<T>) -> Result<T> {
        self.sqlite("Changing data")?;
        self.write_in(false, change)
    }

    /// [`Store::write`] for a change ported to the backend seam ([`Db`]
    /// only, `w.db()`): on a server database too, as one `READ COMMITTED`
    /// transaction there (decision 220). What it changes it locks first,
    /// in the order `lock` gives, so desks changing EACs take turns.
    pub(crate) fn write_either<T>(
        &mut self,
        change: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        self.write_in(true, change)
    }

    /// [`Store::write_either`] of what was made from one state of the
    /// database (an evidence pack, an export: decision 107), refused with
    /// `changed()` when another connection committed since `since_version`
    /// (the [`Store::data_version`] read before that state was read): on a
    /// file read under the write lock, so no commit can come between; on a
    /// server the changes other desks announced (every EAC Desk write there
    /// announces itself), heard just before the write (announcements reach
    /// a session between its transactions). It keeps listening: a commit
    /// by another desk after this write is heard when the app asks this
    /// connection at the operation's end.
    pub(crate) fn write_unchanged_since<T>(
        &mut self,
        since_version: i64,
        changed: impl Fn() -> StoreError,
        change: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        if let Some(server) = &self.server {
            if server.changes_heard()? != since_version {
                return Err(changed());
            }
        }
        let on_file = self.server.is_none();
        self.write_either(|w| {
            if on_file {
                let now: i64 = w.pragma_query_value(None, "data_version", |r| r.get(0))?;
                if now != since_version {
                    return Err(changed());
                }
            }
            change(w)
        })
    }

    fn write_in<T>(
        &mut self,
        server_too: bool,
        change: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        // Rows changed on this connection so far: a write that changes
        // none (a refusal found nothing to do, a no-op) leaves the file as
        // it was, journal mode included (decision 55).
        let changes_before = self.conn.total_changes();
        let server = self.server.as_ref().filter(|_| server_too);
        if let Some(server) = server {
            server.batch(BEGIN_ON_SERVER)?;
        }
        let out: Result<T> = (|| {
            let w = Write {
                tx: self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?,
                server,
                at: Timestamp::now(),
                periods: Default::default(),
                claims: Default::default(),
                audit_name: self.audit_name.clone(),
                pending_search: Default::default(),
                pending_search_bytes: Default::default(),
                search_load: Default::default(),
                facet_tally: Default::default(),
                attached: &self.attached,
                server_eacs: Default::default(),
                chain_tail: Default::default(),
                server_login: Default::default(),
            };
            let changed = change(&w)
                .and_then(|out| crate::rows::flush_search(&w).map(|()| out))
                // The log ends with this write's last record, as hashed:
                // else it is refused whole (decision 282).
                .and_then(|out| crate::chain::confirm_tail(&w).map(|()| out));
            let out = w.claims.settle(w.periods.settle(changed))?;
            if let Some(server) = server {
                if w.kept_later() {
                    // The rows the triggers left alone, from the EACs as
                    // they now are; then the triggers keep them again.
                    server.batch(
                        "SELECT eacdesk_kept_rebuild();
                         SELECT set_config('eacdesk.kept', '', true)",
                    )?;
                }
                // Heard by the other desks' watchers when, and only if,
                // this commits (decision 221).
                server.batch(&format!("NOTIFY {}; COMMIT", crate::watch::CHANGES_CHANNEL))?;
            }
            w.tx.commit()?;
            Ok(out)
        })();
        if out.is_err() {
            if let Some(server) = server {
                // After a failed COMMIT there is nothing to roll back.
                let _ = server.batch("ROLLBACK");
            }
        }
        self.attached.detach(&self.conn);
        self.restore_cache();
        if out.is_ok() && self.conn.total_changes() > changes_before {
            self.after_write();
        }
        // Committed or not, the log is copied into the file when it has
        // room (a refused write gives back the room its log took), else
        // the command says where its changes are kept.
        self.settle_log(crate::wal::When::Write {
            committed: out.is_ok(),
        });
        let out = out.map_err(|e| e.busy_at(&self.path))?;
        Ok(out)
    }

    /// A fresh load shrinks the page cache while it writes (`bulk.rs`);
    /// every write ends, however it ends, with the store's own cache again.
    fn restore_cache(&self) {
        // Only a cache size: should it fail, the store is slower, not wrong.
        let _ = self
            .conn
            .pragma_update(None, "cache_size", crate::STORE_CACHE_KIB);
    }

    /// Runs `plan` (a dry run: counts and checks, no writes) in a
    /// transaction that takes no write lock and is always rolled back, so
    /// a dry run sees exactly what the real one would (a refusal too); on a
    /// server database, in a transaction there that is rolled back.
    pub(crate) fn dry_run_either<T>(
        &mut self,
        plan: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        self.dry_run_in(TransactionBehavior::Deferred, plan)
    }

    /// [`Store::dry_run_either`] of a plan that is the change itself rolled
    /// back (an import's dry run writes what the import would, to see what
    /// it would find): on a file it takes the write lock when it begins and
    /// so waits for another writer as the change itself does (the busy
    /// timeout). Begun without it, its first write after a read could not
    /// wait: SQLite refuses at once a read transaction's move to writing
    /// while another connection writes (tester 38, finding 3).
    pub(crate) fn dry_run_writing_either<T>(
        &mut self,
        plan: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        self.dry_run_in(TransactionBehavior::Immediate, plan)
    }

    fn dry_run_in<T>(
        &mut self,
        behavior: TransactionBehavior,
        plan: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        let planned = self.dry_run_begun(behavior, plan);
        // Rolled back: the room a plan's log took is given back.
        self.settle_log(crate::wal::When::Write { committed: false });
        planned.map_err(|e| e.busy_at(&self.path))
    }

    fn dry_run_begun<T>(
        &mut self,
        behavior: TransactionBehavior,
        plan: impl FnOnce(&Write) -> Result<T>,
    ) -> Result<T> {
        let server = self.server.as_ref();
        if let Some(server) = server {
            server.batch(BEGIN_ON_SERVER)?;
        }
        let w = Write {
            tx: self.conn.transaction_with_behavior(behavior)?,
            server,
            at: Timestamp::now(),
            periods: Default::default(),
            claims: Default::default(),
            audit_name: self.audit_name.clone(),
            pending_search: Default::default(),
            pending_search_bytes: Default::default(),
            search_load: Default::default(),
            facet_tally: Default::default(),
            attached: &self.attached,
            server_eacs: Default::default(),
            chain_tail: Default::default(),
            server_login: Default::default(),
        };
        let planned = plan(&w).and_then(|out| crate::rows::flush_search(&w).map(|()| out));
        let settled = w.claims.settle(w.periods.settle(planned));
        drop(w);
        self.attached.detach(&self.conn);
        if let Some(server) = server {
            server.batch("ROLLBACK")?;
        }
        self.restore_cache();
        settled
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `src`, with its path relative to `src`.
    fn sources() -> Vec<(String, String)> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
                .expect("src is readable")
                .map(|e| e.expect("src entry").path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, root, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let name = path.strip_prefix(root).expect("under src");
                    let text = std::fs::read_to_string(&path).expect("source is readable");
                    out.push((name.to_string_lossy().replace('\\', "/"), text));
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        out
    }

    /// The code of a file before its unit tests, without comment lines.
    fn code(text: &str) -> Vec<(usize, &str)> {
        text.lines()
            .enumerate()
            .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
            .filter(|(_, l)| !l.trim_start().starts_with("//"))
            .map(|(i, l)| (i + 1, l))
            .collect()
    }

    /// SQL that changes data starting on `line`: `INSERT INTO`,
    /// `REPLACE INTO`, `DELETE FROM`, `UPDATE <table> SET` (the statement
    /// may go on on the `next` line).
    fn changes_data(line: &str, next: &str) -> bool {
        let words_of = |text: &str| -> Vec<String> {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let own = words_of(line);
        let words: Vec<String> = own.iter().cloned().chain(words_of(next)).collect();
        (0..own.len()).any(|i| match words[i].as_str() {
            "INSERT" | "REPLACE" => words.get(i + 1).is_some_and(|w| w == "INTO"),
            "DELETE" => words.get(i + 1).is_some_and(|w| w == "FROM"),
            "UPDATE" => words.get(i + 2).is_some_and(|w| w == "SET"),
            _ => false,
        })
    }

    /// The signature of the function around line `at` (index into `lines`):
    /// from the nearest `fn` line above to its opening brace.
    fn enclosing_signature(lines: &[(usize, &str)], at: usize) -> Option<String> {
        let start = (0..=at).rev().find(|&i| {
            let l = lines[i].1.trim_start();
            // `pub`, `pub(crate)`, `pub(super)`, … then `fn`.
            let l = match l.strip_prefix("pub") {
                Some(rest) if rest.starts_with('(') => rest.split_once(") ").map_or(l, |(_, r)| r),
                Some(rest) => rest.trim_start(),
                None => l,
            };
            l.starts_with("fn ")
        })?;
        let mut sig = String::new();
        for (_, l) in &lines[start..] {
            sig.push_str(l);
            if l.contains('{') {
                break;
            }
        }
        Some(sig)
    }

    /// Where SQL that changes data sits outside a function taking a
    /// `Write`, or a transaction is opened outside this module.
    fn bypasses(name: &str, text: &str) -> Vec<String> {
        // Migrations change the schema in their own transaction at open;
        // a bundle's file ledger, a pack's spilled statement lines and a
        // fresh load's search index beside the store are scratch databases
        // of their own.
        // The team-mode modules speak to a PostgreSQL server, not the store.
        if name == "migrate.rs"
            || name == "p2/ledger.rs"
            || name == "spill.rs"
            || name == "search_beside.rs"
            || name == "server.rs"
            || name == "server_copy.rs"
        {
            return Vec::new();
        }
        let lines = code(text);
        let mut found = Vec::new();
        for (i, (n, line)) in lines.iter().enumerate() {
            let next = lines.get(i + 1).map_or("", |(_, l)| *l);
            if name != "write.rs"
                && ["transaction(", "transaction_with_behavior(", "savepoint("]
                    .iter()
                    .any(|t| line.contains(t))
            {
                found.push(format!("{name}:{n}: a transaction outside write.rs"));
            }
            if changes_data(line, next)
                && !enclosing_signature(&lines, i).is_some_and(|sig| sig.contains("Write"))
            {
                found.push(format!(
                    "{name}:{n}: SQL that changes data in a function without a `Write`"
                ));
            }
        }
        // One clock reading per write: a module that writes takes the time
        // from its `Write`.
        let writes = lines.iter().any(|(_, l)| l.contains("&Write"));
        if name != "write.rs" && writes {
            for (n, line) in &lines {
                if line.contains("Timestamp::now()") {
                    found.push(format!(
                        "{name}:{n}: a clock reading in a module that writes (use `Write::at`)"
                    ));
                }
            }
        }
        found
    }

    #[test]
    fn no_mutation_bypasses_the_write_handle() {
        let sources = sources();
        assert!(sources.iter().any(|(n, _)| n == "rows.rs"));
        let found: Vec<String> = sources
            .iter()
            .flat_map(|(name, text)| bypasses(name, text))
            .collect();
        assert!(found.is_empty(), "{}", found.join("\n"));
        // The scan sees the writes it guards.
        let (_, rows) = sources.iter().find(|(n, _)| n == "rows.rs").unwrap();
        assert!(
            code(rows)
                .iter()
                .filter(|(_, l)| changes_data(l, ""))
                .count()
                >= 5
        );
    }

    #[test]
    fn the_scan_finds_a_bypass() {
        let sneaky = r#"
pub(super) fn sneaky(conn: &Connection) -> Result<()> {
    conn.execute("UPDATE eacs SET cds_synced = NULL", [])?;
    let tx = conn.transaction()?;
    conn.execute("UPDATE eac_envelopes
        SET cds_synced = NULL", [])?;
    Ok(())
}

pub(crate) fn fine(
    w: &Write,
) -> Result<()> {
    w.execute("DELETE FROM eacs WHERE id = ?1", [1])?;
    let t = Timestamp::now();
    Ok(())
}
"#;
        let found = bypasses("x.rs", sneaky);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].contains("x.rs:3: SQL"));
        assert!(found[1].contains("x.rs:4: a transaction"));
        assert!(found[2].contains("x.rs:5: SQL"));
        assert!(found[3].contains("x.rs:14: a clock reading"));
    }

    #[test]
    fn a_reason_is_one_trimmed_line() {
        use super::Reason;
        assert_eq!(
            Reason::new("  Ørsted contract  ").unwrap().as_str(),
            "Ørsted contract"
        );
        let e = Reason::new(" \t ").unwrap_err().to_string();
        assert!(e.contains("Give a reason"), "{e}");
        let e = Reason::new("ok\u{7}").unwrap_err().to_string();
        assert!(e.contains("U+0007 at character 3"), "{e}");
        assert_eq!(Reason::optional(Some("  ")).unwrap(), None);
        assert_eq!(Reason::optional(None).unwrap(), None);
        assert!(Reason::optional(Some("a\nb")).is_err());
    }
}
