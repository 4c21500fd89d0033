//! Import: one file (or one in-memory source) is one transaction. EACs are
//! read as a stream, checked, and written as they come; any error, malformed
//! JSON, IO failure or cancel rolls everything back.
//!
//! A file is parsed (and hashed) on a second thread while this one writes:
//! the two halves cost about the same. EACs cross in small batches (one
//! wake-up per batch, not per EAC) through a bounded channel, so memory stays
//! bounded by a few dozen EACs.

use std::collections::HashSet;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use eac_model::{check_eac, CheckOptions, Eac, EacRead, Flow, ListingError, Rule, Violation};

use crate::atomic::HashedRead;
use crate::bulk;
use crate::db::Kind;
use crate::history;
use crate::rows::{self, count};
use crate::write::Write;
use crate::{FileImportReport, ImportOptions, ImportOutcome, Progress, Result, StoreError};

/// Errors reported per file before reading stops; warnings kept per file.
pub const MAX_REPORTED: usize = 50;
/// Progress is reported at most this often.
pub(crate) const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// EACs handed from the parser to the writer at a time (fewer wake-ups), and
/// how many such batches may wait: memory holds at most 4 × 32 parsed EACs.
const EACS_PER_BATCH: usize = 32;
const BATCHES_AHEAD: usize = 4;

/// Where progress is measured: bytes of a file, or EACs of an iterator.
enum Measure<'c> {
    Bytes { read: &'c AtomicU64, total: u64 },
    Eacs,
}

/// The state of one import transaction.
pub(crate) struct Batch<'a> {
    w: &'a Write<'a>,
    pub(crate) file: String,
    pub(crate) id: i64,
    progress: &'a dyn Progress,
    measure: Measure<'a>,
    last_progress: Instant,
    seen: u64,
    pub(crate) added: usize,
    /// EACs added and not noted in `import_changes` yet ([`history::import_added`]).
    added_ids: Vec<String>,
    /// A fresh load (the database held no EAC): every EAC stored is one
    /// this batch added, noted all at once when it ends ([`note_all_added`]).
    fresh: bool,
    pub(crate) replaced: usize,
    pub(crate) skipped: usize,
    /// Of `skipped`: stored EACs the file states otherwise, left as stored
    /// and not marked checked against it (their `cds_synced` stays): a
    /// later version is stored, or the same `cds_modified` with other
    /// content ([`Batch::same_stamp`], each warned of).
    skipped_differing: usize,
    ignored: usize,
    pub(crate) value_count: usize,
    errors: Vec<Violation>,
    warnings: Vec<Violation>,
    warning_count: usize,
    /// A database failure: stops reading, reported as is.
    failure: Option<StoreError>,
    cancelled: bool,
    /// A fresh load: the row id of the EAC just written, whose values,
    /// totals and beneficiaries wait for the rest of the parser's batch
    /// (taken by the writing loop, written by [`Batch::write_children`]).
    written: Option<i64>,
    /// The beneficiary ids this file's EACs name, of the types whose
    /// reference data is stored (decision 26): checked against it once, at
    /// the end. Nothing is noted when no reference data is stored.
    pub(crate) named: crate::refdata::NamedIds,
}

impl<'a> Batch<'a> {
    /// Starts the batch at the write's time (its `imported_at`, the time of
    /// its audit records).
    fn begin(
        w: &'a Write<'a>,
        file: String,
        progress: &'a dyn Progress,
        measure: Measure<'a>,
    ) -> Result<Self> {
        // Two desks importing at once on a server take turns: the second
        // then finds what the first stored (skipped or replaced as usual)
        // instead of failing on an EAC both would add (decision 224).
        w.db().server_lock(crate::db::ServerLock::Import)?;
        // Then the audit chain's lock, before the batch reads or writes any
        // EAC, as every write that changes EACs takes it before their rows
        // (`lock`): an import finds the EACs it replaces only as it reads
        // its file, so it cannot lock them first. An edit of the same or
        // other EACs on another desk takes its turn before or after it.
        crate::lock::chain_first(w)?;
        let named = crate::refdata::NamedIds::for_stored_types(w.db())?;
        let id: i64 = w.db().query_row(
            "INSERT INTO import_batches (file_name, imported_at) VALUES (?1, ?2) RETURNING id",
            &[&file, &w.at().to_storage()],
            |r| Ok(r.get(0)?),
        )?;
        let mut batch = Batch {
            w,
            file,
            id,
            progress,
            measure,
            last_progress: Instant::now(),
            seen: 0,
            added: 0,
            added_ids: Vec::new(),
            fresh: false,
            replaced: 0,
            skipped: 0,
            skipped_differing: 0,
            ignored: 0,
            value_count: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            warning_count: 0,
            failure: None,
            cancelled: false,
            written: None,
            named,
        };
        // Where it starts: a second reading of a file (`load_fresh_or_again`)
        // says so at once, however short.
        batch.report_progress();
        Ok(batch)
    }

    /// A batch of EACs from memory (progress counts EACs).
    pub(crate) fn begin_eacs(
        w: &'a Write<'a>,
        file: String,
        progress: &'a dyn Progress,
    ) -> Result<Self> {
        Batch::begin(w, file, progress, Measure::Eacs)
    }

    /// One item handled outside [`Batch::accept`]: counts it, reports
    /// progress now and then; says whether to go on (not cancelled, not
    /// too many errors).
    pub(crate) fn tick(&mut self) -> Flow {
        self.seen += 1;
        if self.failure.is_some() || self.errors.len() >= MAX_REPORTED {
            return Flow::Stop;
        }
        if self.progress.is_cancelled() {
            self.cancelled = true;
            return Flow::Stop;
        }
        if self.last_progress.elapsed() >= PROGRESS_EVERY {
            self.report_progress();
        }
        Flow::Continue
    }

    /// Handles one EAC as read; says whether to read on.
    pub(crate) fn accept(&mut self, index: usize, mut read: EacRead) -> Flow {
        self.accept_ref(index, &mut read, None)
    }

    /// [`Batch::accept`] of an EAC read (and its rows prepared) on the
    /// parser thread: borrowed, so that it is dropped there too.
    fn accept_ref(
        &mut self,
        index: usize,
        read: &mut EacRead,
        prepared: Option<&mut rows::Prepared>,
    ) -> Flow {
        self.seen += 1;
        match read {
            EacRead::Valid { eac, warnings } => {
                self.warn(std::mem::take(warnings));
                if let Err(e) = self.store(index, eac, prepared) {
                    self.failure = Some(e);
                }
            }
            other => self.not_valid(other),
        }
        if self.failure.is_some() || self.errors.len() >= MAX_REPORTED {
            return Flow::Stop;
        }
        if self.progress.is_cancelled() {
            self.cancelled = true;
            return Flow::Stop;
        }
        if self.last_progress.elapsed() >= PROGRESS_EVERY {
            self.report_progress();
        }
        Flow::Continue
    }

    /// Counts an element that is not a valid EAC: ignored (its warnings
    /// kept) or invalid (its errors reported).
    fn not_valid(&mut self, read: &mut EacRead) {
        match read {
            EacRead::Valid { .. } => unreachable!("a valid EAC is stored, not counted here"),
            EacRead::Ignored { warnings } => {
                self.ignored += 1;
                self.warn(std::mem::take(warnings));
            }
            EacRead::Invalid { violations } => {
                let errors = std::mem::take(violations)
                    .into_iter()
                    .filter(Violation::is_error);
                self.error(errors);
            }
        }
    }

    fn report_progress(&mut self) {
        self.last_progress = Instant::now();
        match &self.measure {
            Measure::Bytes { read, total } => {
                let done = read.load(Ordering::Relaxed);
                self.progress
                    .update(crate::Phase::Import, done, Some(*total));
            }
            Measure::Eacs => self.progress.update(crate::Phase::Import, self.seen, None),
        }
    }

    pub(crate) fn warn(&mut self, warnings: Vec<Violation>) {
        self.warning_count += warnings.len();
        let room = MAX_REPORTED.saturating_sub(self.warnings.len());
        let file = &self.file;
        self.warnings
            .extend(warnings.into_iter().take(room).map(|w| w.with_file(file)));
    }

    /// A warning said before every other (the note of a paged listing),
    /// kept among the first [`MAX_REPORTED`] however many came before it.
    fn warn_first(&mut self, warning: Violation) {
        self.warning_count += 1;
        self.warnings.insert(0, warning.with_file(&self.file));
        self.warnings.truncate(MAX_REPORTED);
    }

    pub(crate) fn error(&mut self, errors: impl IntoIterator<Item = Violation>) {
        let room = MAX_REPORTED.saturating_sub(self.errors.len());
        let file = &self.file;
        self.errors
            .extend(errors.into_iter().take(room).map(|e| e.with_file(file)));
    }

    /// Adds, replaces (incoming `cds_modified` newer) or skips one valid EAC.
    /// After the first error nothing will be committed, but EACs are still
    /// written so that later duplicates are still found and reported.
    fn store(
        &mut self,
        index: usize,
        eac: &Eac,
        mut prepared: Option<&mut rows::Prepared>,
    ) -> Result<()> {
        self.named.note(eac);
        if let (true, Some(p)) = (self.fresh, prepared.as_deref_mut()) {
            match rows::insert_row_fresh(self.w, eac, p, self.id)? {
                Some(id) => {
                    self.written = Some(id);
                    self.added += 1;
                    self.value_count += eac.values.len();
                }
                None => self.duplicate(index, eac),
            }
            return Ok(());
        }
        match rows::find(self.w, &eac.cds_eac_id)? {
            None => {
                match prepared {
                    Some(p) => rows::insert_prepared(self.w, eac, p, self.id)?,
                    None => rows::insert(self.w, eac, self.id)?,
                };
                self.count_added(eac)?;
            }
            Some(stored) if stored.seen_batch_id == self.id => self.duplicate(index, eac),
            Some(stored) if eac.cds_modified > stored.cds_modified => {
                // Audited with the whole EAC before and after (and noted
                // for an undo) before the row is overwritten.
                let detached = history::import_replacing(
                    self.w,
                    stored.id,
                    eac,
                    self.id,
                    &self.file,
                    &history::IMPORT_REASON,
                )?;
                if let Some(detached) = detached {
                    self.warn(vec![crate::provenance::detached_warning(
                        &eac.cds_eac_id,
                        &detached,
                    )]);
                }
                match prepared {
                    Some(p) => rows::replace_prepared(self.w, stored.id, eac, p, self.id)?,
                    None => rows::replace(self.w, stored.id, eac, self.id)?,
                }
                self.replaced += 1;
                self.value_count += eac.values.len();
            }
            Some(stored) => {
                self.skipped += 1;
                let kept = match eac.cds_modified == stored.cds_modified {
                    true => {
                        let digest = prepared.and_then(|p| p.digest.as_deref());
                        self.same_stamp(eac, &stored, digest)?
                    }
                    // A later version is stored (edited, or imported from
                    // a later file since): the file states it otherwise.
                    false => Kept::Differs,
                };
                match kept {
                    Kept::Same(digest) => {
                        rows::mark_seen(self.w, stored.id, self.id)?;
                        if let Some(digest) = digest {
                            rows::set_digest(self.w, stored.id, &digest)?;
                        }
                    }
                    Kept::Differs => {
                        self.skipped_differing += 1;
                        rows::mark_seen_differing(self.w, stored.id, self.id)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// An EAC left as stored because the store holds it with the same
    /// `cds_modified` (decision 11): when its text has the stored EAC's
    /// digest it is the same EAC; else the stored EAC is read back and
    /// compared, and one this file states differently is warned of (naming
    /// the fields). Cheap for a file imported again: only an EAC whose
    /// digest differs (or is not known) is read back. Says whether it is
    /// the same, with the digest to keep for the stored EAC when it was
    /// found the same by that comparison.
    fn same_stamp(
        &mut self,
        eac: &Eac,
        stored: &rows::Stored,
        digest: Option<&str>,
    ) -> Result<Kept> {
        let digest = digest.map_or_else(|| rows::eac_digest(eac), str::to_owned);
        if stored.digest.as_deref() == Some(digest.as_str()) {
            return Ok(Kept::Same(None));
        }
        let kept = rows::load_eac_by_id(self.w.db(), stored.id)?;
        if kept == *eac {
            return Ok(Kept::Same(Some(digest)));
        }
        self.warn(vec![differs_warning(&kept, eac)]);
        Ok(Kept::Differs)
    }

    /// Whether EACs are handled a parser batch at a time
    /// ([`Batch::accept_group`]) rather than one by one: on a server, where
    /// each statement is a round trip.
    fn groups(&self) -> bool {
        self.w.db().kind() == Kind::Postgres
    }

    /// [`Batch::accept`] of several EACs, in order, with the same outcome:
    /// their stored rows looked up together, the new ones written together
    /// and the ones left as stored marked together, so a server import
    /// makes a handful of round trips per batch instead of about five per
    /// EAC; the ones replacing stored EACs are audited together (both
    /// versions each) and written together, before the new ones. Says
    /// whether to read on.
    fn accept_group(&mut self, items: &mut [Parsed]) -> Flow {
        if let Err(e) = self.store_group(items) {
            self.failure = Some(e);
        }
        if self.failure.is_some() || self.cancelled || self.errors.len() >= MAX_REPORTED {
            return Flow::Stop;
        }
        if self.last_progress.elapsed() >= PROGRESS_EVERY {
            self.report_progress();
        }
        Flow::Continue
    }

    /// [`Batch::accept_group`]'s work; stops (writing nothing more, as
    /// the import will be rolled back) at a cancel or at the error that
    /// fills the report, looked for after each EAC as one by one.
    fn store_group(&mut self, items: &mut [Parsed]) -> Result<()> {
        let ids: Vec<&str> = (items.iter())
            .filter_map(|item| match &item.read {
                EacRead::Valid { eac, .. } => Some(eac.cds_eac_id.as_str()),
                _ => None,
            })
            .collect();
        let stored = rows::find_many(self.w.db(), &ids)?;
        drop(ids);
        // The ids met in this group (earlier groups' are stored by now).
        let mut met: HashSet<String> = HashSet::with_capacity(items.len());
        let mut new: Vec<(&Eac, &mut rows::Prepared)> = Vec::new();
        let mut replacing: Vec<rows::Replacing<'_, '_>> = Vec::new();
        let mut seen = Vec::new();
        // Stored EACs this file states otherwise: left as stored, and
        // not marked checked against it.
        let mut differing = Vec::new();
        // Stored EACs found the same as this file states them by a
        // comparison: their digests, kept once they are marked seen.
        let mut same = Vec::new();
        for item in items.iter_mut() {
            self.seen += 1;
            match &mut item.read {
                EacRead::Valid { eac, warnings } => {
                    self.warn(std::mem::take(warnings));
                    let eac: &Eac = eac;
                    self.named.note(eac);
                    let prepared = &mut item.prepared;
                    match stored.get(&eac.cds_eac_id) {
                        _ if !met.insert(eac.cds_eac_id.clone()) => {
                            self.duplicate(item.index, eac);
                        }
                        None => new.push((eac, prepared_in(prepared, eac)?)),
                        Some(s) if s.seen_batch_id == self.id => self.duplicate(item.index, eac),
                        Some(s) if eac.cds_modified > s.cds_modified => {
                            replacing.push((s.id, eac, prepared_in(prepared, eac)?));
                            self.replaced += 1;
                            self.value_count += eac.values.len();
                        }
                        Some(s) => {
                            self.skipped += 1;
                            let kept = match eac.cds_modified == s.cds_modified {
                                true => {
                                    let digest =
                                        prepared.as_ref().and_then(|p| p.digest.as_deref());
                                    self.same_stamp(eac, s, digest)?
                                }
                                false => Kept::Differs,
                            };
                            match kept {
                                Kept::Same(digest) => {
                                    seen.push(s.id);
                                    same.extend(digest.map(|d| (s.id, d)));
                                }
                                Kept::Differs => {
                                    self.skipped_differing += 1;
                                    differing.push(s.id);
                                }
                            }
                        }
                    }
                }
                other => self.not_valid(other),
            }
            if self.errors.len() >= MAX_REPORTED {
                return Ok(());
            }
            if self.progress.is_cancelled() {
                self.cancelled = true;
                return Ok(());
            }
        }
        // The replaced first, audited with both versions, as one by one.
        let audited: Vec<(i64, &Eac)> =
            replacing.iter().map(|(row, eac, _)| (*row, *eac)).collect();
        let detached = history::import_replacing_many(self.w, &audited, self.id, &self.file)?;
        let warnings: Vec<Violation> = (audited.iter().zip(detached))
            .filter_map(|((_, eac), d)| {
                d.map(|d| crate::provenance::detached_warning(&eac.cds_eac_id, &d))
            })
            .collect();
        self.warn(warnings);
        drop(audited);
        rows::replace_many(self.w, &mut replacing, self.id)?;
        rows::insert_many(self.w, &mut new, self.id)?;
        for (eac, _) in &new {
            self.count_added(eac)?;
        }
        rows::mark_seen_many(self.w, &seen, self.id)?;
        rows::mark_seen_differing_many(self.w, &differing, self.id)?;
        for (id, digest) in &same {
            rows::set_digest(self.w, *id, digest)?;
        }
        Ok(())
    }

    /// Counts an EAC this batch added and notes it for an undo (unless a
    /// fresh load notes them all at its end), [`history::ADDED_PER_STATEMENT`]
    /// to a statement.
    pub(crate) fn count_added(&mut self, eac: &Eac) -> Result<()> {
        self.added += 1;
        self.value_count += eac.values.len();
        if !self.fresh {
            self.added_ids.push(eac.cds_eac_id.clone());
        }
        if self.added_ids.len() >= history::ADDED_PER_STATEMENT {
            history::import_added(self.w, self.id, &std::mem::take(&mut self.added_ids))?;
        }
        Ok(())
    }

    /// Reports the EAC at `index` as one whose `cds_eac_id` this file held
    /// before.
    fn duplicate(&mut self, index: usize, eac: &Eac) {
        let duplicate = Violation::error(
            Rule::UniqueEacId,
            format!("/eacs/{index}/cds_eac_id"),
            format!(
                "`cds_eac_id` `{}` appears more than once in this file",
                eac.cds_eac_id
            ),
        )
        .with_eac(Some(&eac.cds_eac_id));
        self.error([duplicate]);
    }

    /// Writes the values, totals and beneficiaries of the EACs whose own
    /// rows a fresh load has written, all at once ([`rows::insert_children`]);
    /// says whether to read on.
    fn write_children(&mut self, children: &mut [rows::Child<'_>]) -> Flow {
        match rows::insert_children(self.w, children) {
            Ok(()) => Flow::Continue,
            Err(e) => {
                self.failure = Some(e);
                Flow::Stop
            }
        }
    }

    /// Nothing has gone wrong so far.
    fn is_clean(&self) -> bool {
        self.failure.is_none() && !self.cancelled && self.errors.is_empty()
    }

    /// The outcome: an error (to roll back) or the report (to commit).
    pub(crate) fn finish(mut self, sha256: Option<String>) -> Result<FileImportReport> {
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        if self.cancelled {
            return Err(StoreError::Cancelled);
        }
        if !self.errors.is_empty() {
            return Err(StoreError::Rules {
                file: self.file,
                violations: self.errors,
            });
        }
        self.report_progress();
        // A fresh load's EACs are noted once its indexes are built
        // ([`Batch::finish_load`]).
        if !self.fresh {
            history::import_added(self.w, self.id, &std::mem::take(&mut self.added_ids))?;
        }
        // Ids no stored reference data holds: warned of, never refused
        // (decision 26), one warning per id with how many EACs name it.
        let unknown = std::mem::take(&mut self.named).unknown(self.w.db())?;
        self.warn(unknown);
        record_counts(self.w, &self, sha256.as_deref())?;
        Ok(FileImportReport {
            file: self.file,
            sha256,
            outcome: ImportOutcome::Imported,
            added: self.added,
            replaced: self.replaced,
            skipped: self.skipped,
            skipped_differing: self.skipped_differing,
            ignored: self.ignored,
            value_count: self.value_count,
            code: None,
            busy: None,
            message: None,
            violations: Vec::new(),
            violations_capped: false,
            warnings: self.warnings,
            warning_count: self.warning_count,
            readded: 0,
            place: None,
            format: None,
            registry: None,
            committed_before: Vec::new(),
        })
    }

    /// [`Batch::finish`] for a load whose indexes were deferred when
    /// `deferred` is given (a fresh load): the search index's thread is
    /// told the rows are all in before the batch checks and records what
    /// it did, then the indexes are built and every EAC noted as added
    /// ([`note_all_added`], after the index it reads).
    fn finish_load(
        self,
        sha256: Option<String>,
        deferred: Option<bulk::Deferred>,
    ) -> Result<FileImportReport> {
        let Some(deferred) = deferred else {
            return self.finish(sha256);
        };
        let (w, id, progress) = (self.w, self.id, self.progress);
        deferred.rows_written(w)?;
        let report = self.finish(sha256)?;
        // The reading is over: what its thread held (rule 7's ids among it)
        // is free, and the index builds allocate anew.
        crate::freed::give_back();
        deferred.build(w, progress)?;
        note_all_added(w, id)?;
        Ok(report)
    }
}

/// What an import found of a stored EAC it leaves as stored.
enum Kept {
    /// Stored as the file states it (decision 22: checked against it now),
    /// with the digest to keep when a comparison found it so.
    Same(Option<String>),
    /// Stored otherwise than the file states it (decision 360): its
    /// `cds_synced` stays.
    Differs,
}

/// The warning of an EAC a file states differently from the stored one with
/// the same `cds_modified`: which fields differ, and that the stored one is
/// kept (decision 11), in words true of a dry run too.
fn differs_warning(kept: &Eac, file: &Eac) -> Violation {
    let fields = crate::registry::changed_fields(kept, file);
    let fields = match fields.is_empty() {
        true => String::new(),
        false => format!(" ({})", fields.join(", ")),
    };
    let mut v = Violation::unruled(format!(
        "EAC `{}` is stored with the same `cds_modified` ({}) as this file gives, but the file \
         states it differently{fields}: the stored EAC is kept, since an import replaces an EAC \
         only with a later `cds_modified`. If the file is right, ask its source for a later \
         `cds_modified`, or delete the stored EAC and import the file again.",
        file.cds_eac_id, file.cds_modified
    ))
    .with_eac(Some(&file.cds_eac_id));
    v.severity = eac_model::Severity::Warning;
    v
}

/// [`history::import_added`] for a fresh load by batch `batch`, once its indexes are
/// built: the database held no EAC when the load began, so every EAC in it
/// now is one this batch added (a second copy of one is refused as a
/// duplicate, so none was replaced), noted by one statement. Read through
/// the index of `cds_eac_id`, they come in key order, the order of
/// `import_changes`' key, without a sort of their own (a million EACs:
/// about a second less than sorting them before that index was built,
/// decision 236).
fn note_all_added(w: &Write, batch: i64) -> Result<()> {
    w.execute(
        "INSERT INTO import_changes (batch_id, cds_eac_id, change, kind)
         SELECT ?1, cds_eac_id, 'added', 'eac' FROM eacs ORDER BY cds_eac_id",
        [batch],
    )?;
    Ok(())
}

/// Keeps what batch `b` did in its `import_batches` row.
fn record_counts(w: &Write, b: &Batch, sha256: Option<&str>) -> Result<()> {
    w.db().execute(
        "UPDATE import_batches SET sha256 = ?2, added = ?3, replaced = ?4, skipped = ?5,
            ignored = ?6, value_count = ?7, warning_count = ?8
         WHERE id = ?1",
        &[
            &b.id,
            &sha256,
            &count(b.added),
            &count(b.replaced),
            &count(b.skipped),
            &count(b.ignored),
            &count(b.value_count),
            &count(b.warning_count),
        ],
    )?;
    Ok(())
}

/// One element of the listing as the parser thread hands it to the writer:
/// read, checked and, when valid, its rows prepared ([`rows::prepare`]).
struct Parsed {
    index: usize,
    read: EacRead,
    prepared: Option<rows::Prepared>,
}

/// The rows of `eac` as prepared on the parser thread, or prepared now
/// when they were not (an EAC from memory; one the parser could not
/// prepare fails here as its insert would).
fn prepared_in<'p>(
    slot: &'p mut Option<rows::Prepared>,
    eac: &Eac,
) -> Result<&'p mut rows::Prepared> {
    match slot {
        Some(p) => Ok(p),
        None => Ok(slot.insert(rows::prepare(eac)?)),
    }
}

/// How the parsing thread ended: the reader's outcome and, when the whole
/// file was read, its SHA-256.
type ParseEnd = (
    Result<eac_model::ListingSummary, ListingError>,
    Option<io::Result<String>>,
);

/// Streams one P1 listing file into the write `w`.
pub(crate) fn import_file(
    w: &Write,
    path: &Path,
    opts: ImportOptions,
    progress: &dyn Progress,
) -> Result<FileImportReport> {
    load_fresh_or_again(w, progress, |fresh, progress| {
        import_file_once(w, path, opts.clone(), progress, fresh)
    })
}

/// Runs `load`, told whether the database holds no EAC (a fresh load, whose
/// indexes it defers: [`bulk::defer_indexes`]), inside a savepoint when it does.
/// Into a database that held no EAC, a load that fails a uniqueness rule
/// or a primary key (the `cds_eac_id` index built after the rows; the
/// primary keys stay matched as well, whatever finds a repeat) was given input
/// that repeats a `cds_eac_id`, which the import refuses with the place of
/// each repeat. The load is then rolled back to the savepoint and made
/// again without deferring any index, as an import into a database that
/// holds EACs is made, which finds and names each repeat as it reads
/// (decision 233). Input without repeats, the only kind that can be
/// imported, is read once. The second reading reports its progress as
/// [`Phase::ImportAgain`](crate::Phase::ImportAgain), so that a bar that
/// starts over says why.
fn load_fresh_or_again<T>(
    w: &Write,
    progress: &dyn Progress,
    mut load: impl FnMut(bool, &dyn Progress) -> Result<T>,
) -> Result<T> {
    if !bulk::is_fresh(w)? {
        return load(false, progress);
    }
    w.execute_batch("SAVEPOINT fresh_load")?;
    match load(true, progress) {
        Ok(done) => {
            w.execute_batch("RELEASE fresh_load")?;
            Ok(done)
        }
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
            if matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ) =>
        {
            bulk::abandon(w)?;
            w.execute_batch("ROLLBACK TO fresh_load; RELEASE fresh_load")?;
            // What the load appended to the audit chain is gone too.
            *w.chain_tail.borrow_mut() = None;
            load(false, &ReadingAgain(progress))
        }
        Err(e) => Err(e),
    }
}

/// The progress of a file's second reading ([`load_fresh_or_again`]): its
/// reading reported as [`Phase::ImportAgain`](crate::Phase::ImportAgain).
struct ReadingAgain<'a>(&'a dyn Progress);

impl Progress for ReadingAgain<'_> {
    fn update(&self, phase: crate::Phase, done: u64, total: Option<u64>) {
        let phase = match phase {
            crate::Phase::Import => crate::Phase::ImportAgain,
            other => other,
        };
        self.0.update(phase, done, total);
    }

    fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// [`import_file`] once: with the indexes deferred if `fresh` (the
/// database holds no EAC, as [`load_fresh_or_again`] found).
fn import_file_once(
    w: &Write,
    path: &Path,
    opts: ImportOptions,
    progress: &dyn Progress,
    fresh: bool,
) -> Result<FileImportReport> {
    let io_error = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    // A regular file only: a named pipe is named, never waited on (a plain
    // open blocked until the process was killed), a device never read.
    let file = match crate::regular::open_following(path).map_err(io_error)? {
        crate::regular::Regular::File(file) => file,
        crate::regular::Regular::Missing => return Err(io_error(io::ErrorKind::NotFound.into())),
        crate::regular::Regular::Not("a folder") => {
            return Err(io_error(io::ErrorKind::IsADirectory.into()))
        }
        crate::regular::Regular::Not(kind) => {
            return Err(StoreError::InvalidInput(format!(
                "{} is {kind}, not a regular file: EAC Desk reads a CDS listing only from a \
                 regular file, and does not open a pipe or device as one; nothing was imported",
                path.display()
            )))
        }
    };
    let total = file.metadata().map_err(io_error)?.len();
    let bytes = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let measure = Measure::Bytes {
        read: &bytes,
        total,
    };
    let mut batch = Batch::begin(w, path.display().to_string(), progress, measure)?;
    let deferred = if fresh {
        Some(bulk::defer_indexes(w, bulk::Unique::Deferred)?)
    } else {
        None
    };
    batch.fresh = deferred.is_some();
    let check = CheckOptions::import().with_extended_technologies(opts.allow_extended_technologies);

    let (outcome, sha256) = thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Vec<Parsed>>(BATCHES_AHEAD);
        // Batches the writer is done with go back to the parser: their EACs
        // are dropped there, and their vectors reused.
        let (spent_sender, spent) = mpsc::channel::<Vec<Parsed>>();
        let (bytes, stop) = (&bytes, &stop);
        let parser = scope.spawn(move || -> ParseEnd {
            let mut reader = match HashedRead::new(file, bytes) {
                Ok(reader) => reader,
                Err(e) => return (Err(ListingError::Io(e)), None),
            };
            let mut parsed = Vec::with_capacity(EACS_PER_BATCH);
            let outcome =
                eac_model::read::read_listing_with(&mut reader, check, |index, _, text, read| {
                    // What the writer would otherwise compute while SQLite waits,
                    // and the digest of the EAC's text (the same text is the
                    // same EAC: `Batch::same_stamp`).
                    let prepared = match &read {
                        EacRead::Valid { eac, .. } => rows::prepare(eac).ok().map(|mut p| {
                            p.digest = Some(match text {
                                Some(text) => rows::content_digest(text),
                                None => rows::eac_digest(eac),
                            });
                            p
                        }),
                        _ => None,
                    };
                    parsed.push(Parsed {
                        index,
                        read,
                        prepared,
                    });
                    if index % crate::freed::EVERY == crate::freed::EVERY - 1 {
                        crate::freed::give_back();
                    }
                    if parsed.len() < EACS_PER_BATCH {
                        return Flow::Continue;
                    }
                    let next = match spent.try_recv() {
                        Ok(mut used) => {
                            used.clear();
                            used
                        }
                        Err(_) => Vec::with_capacity(EACS_PER_BATCH),
                    };
                    let full = std::mem::replace(&mut parsed, next);
                    // A send fails once the writer has stopped listening.
                    if stop.load(Ordering::Relaxed) || sender.send(full).is_err() {
                        Flow::Stop
                    } else {
                        Flow::Continue
                    }
                });
            if !parsed.is_empty() {
                let _ = sender.send(parsed);
            }
            drop(sender);
            if outcome.is_err() {
                return (outcome, None);
            }
            // The reader stops at the end of the JSON text; hash any trailing bytes too.
            let rest = io::copy(&mut reader, &mut io::sink());
            let sha256 = rest.and_then(|_| reader.sha256());
            (outcome, Some(sha256))
        });
        'writing: for mut parsed in receiver.iter() {
            if batch.groups() {
                if batch.accept_group(&mut parsed) == Flow::Stop {
                    stop.store(true, Ordering::Relaxed);
                    break 'writing;
                }
                let _ = spent_sender.send(parsed);
                continue;
            }
            // A fresh load's EACs of this batch whose children wait.
            let mut children = Vec::new();
            for item in &mut parsed {
                let flow = batch.accept_ref(item.index, &mut item.read, item.prepared.as_mut());
                if flow == Flow::Stop {
                    // Whatever stops the import rolls it back: the rows of
                    // this batch not written yet do not matter.
                    stop.store(true, Ordering::Relaxed);
                    break 'writing;
                }
                if let Some(id) = batch.written.take() {
                    let (EacRead::Valid { eac, .. }, Some(p)) = (&item.read, &mut item.prepared)
                    else {
                        unreachable!("only a valid, prepared EAC is written");
                    };
                    children.push(rows::Child { id, eac, p });
                }
            }
            if batch.write_children(&mut children) == Flow::Stop {
                stop.store(true, Ordering::Relaxed);
                break 'writing;
            }
            // Fails once the parser has finished: then dropped here.
            let _ = spent_sender.send(parsed);
        }
        drop(receiver);
        parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });

    match outcome {
        Ok(summary) => {
            let page = page_note(&summary);
            let (errors, warnings): (Vec<_>, Vec<_>) = summary
                .violations
                .into_iter()
                .partition(Violation::is_error);
            batch.error(errors);
            batch.warn(warnings);
            if let Some(page) = page {
                batch.warn_first(page);
            }
        }
        Err(ListingError::Malformed(v)) => batch.error([v]),
        Err(ListingError::Io(e)) => return Err(io_error(e)),
        // The writer asked to stop; `finish` says why.
        Err(ListingError::Stopped) => {}
    }
    if !batch.is_clean() {
        return batch.finish(None);
    }
    let sha256 = sha256.transpose().map_err(io_error)?;
    batch.finish_load(sha256, deferred)
}

/// The note of a CDS listing (P1, or a P2 bundle's `eacs.json`) that is one
/// page of a longer listing (its `next` or `previous` is a URL), as a
/// paged reference listing gets one (decision 377): imported as given, and
/// said, so that nobody takes the page for every EAC of its source.
pub(crate) fn page_note(summary: &eac_model::ListingSummary) -> Option<Violation> {
    let links: Vec<String> = [("next", &summary.next), ("previous", &summary.previous)]
        .into_iter()
        .filter_map(|(key, link)| link.as_ref().map(|l| format!("its `{key}` link is {l}")))
        .collect();
    let pointer = match summary.next {
        Some(_) => "/next",
        None => "/previous",
    };
    (!links.is_empty()).then(|| {
        Violation::warning(
            eac_model::Rule::RootShape,
            pointer,
            format!(
                "this is one page of a longer listing ({}): only the EACs of this page were \
                 imported; import the other pages too",
                links.join(", ")
            ),
        )
    })
}

/// Writes EACs held in memory (sample data) through the write `w`,
/// checking each as an import would.
pub(crate) fn import_eacs(
    w: &Write,
    source_name: &str,
    eacs: &mut dyn Iterator<Item = Eac>,
    progress: &dyn Progress,
) -> Result<FileImportReport> {
    import_eacs_with(w, source_name, eacs, CheckOptions::import(), progress)
}

/// [`import_eacs`] with the caller's check options (a P2 import honours
/// `--allow-extended-technologies`).
pub(crate) fn import_eacs_with(
    w: &Write,
    source_name: &str,
    eacs: &mut dyn Iterator<Item = Eac>,
    check: CheckOptions,
    progress: &dyn Progress,
) -> Result<FileImportReport> {
    let mut batch = Batch::begin(w, source_name.to_owned(), progress, Measure::Eacs)?;
    // The EACs can be gone through once only: the index that keeps their
    // ids unique is kept up to date as they are written, and finds a
    // repeat there (decision 233).
    let deferred = bulk::defer_indexes_if_fresh(w, bulk::Unique::Kept)?;
    batch.fresh = deferred.is_some();
    // On a server, EACs are written a group at a time.
    let mut group = Vec::new();
    let mut stopped = false;
    for (index, eac) in eacs.enumerate() {
        let violations = check_eac(&eac, &format!("/eacs/{index}"), check);
        let read = if violations.iter().any(Violation::is_error) {
            EacRead::Invalid { violations }
        } else {
            EacRead::Valid {
                eac: Box::new(eac),
                warnings: violations,
            }
        };
        if !batch.groups() {
            if batch.accept(index, read) == Flow::Stop {
                stopped = true;
                break;
            }
            continue;
        }
        group.push(Parsed {
            index,
            read,
            prepared: None,
        });
        if group.len() == EACS_PER_BATCH {
            if batch.accept_group(&mut group) == Flow::Stop {
                stopped = true;
                break;
            }
            group.clear();
        }
    }
    if !stopped && !group.is_empty() {
        batch.accept_group(&mut group);
    }
    batch.finish_load(None, deferred)
}

#[cfg(all(test, unix))]
mod tests {
    use crate::{ImportOptions, NoProgress, Store, StoreError};

    /// A named pipe given to the store's import is refused naming it, not
    /// waited on (a plain open blocked until the process was killed), and
    /// a link to `/dev/zero` is named as the device it leads to.
    #[test]
    fn a_named_pipe_or_device_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
        let db = dir.path().join("d.sqlite");
        Store::open(&db).unwrap();
        for (name, kind) in [
            ("pipe.json", "a named pipe"),
            ("zero.json", "a device file"),
        ] {
            let (sent, got) = std::sync::mpsc::channel();
            let (db, path) = (db.clone(), dir.path().join(name));
            std::thread::spawn(move || {
                let mut store = Store::open(&db).unwrap();
                let _ = sent.send(store.import_file(&path, ImportOptions::default(), &NoProgress));
            });
            let result = got
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("{name}: the import waited on it"));
            let Err(StoreError::InvalidInput(said)) = result else {
                panic!("{name}: {result:?}");
            };
            assert!(
                said.contains(&format!("{name} is {kind}, not a regular file")),
                "{said}"
            );
            assert!(said.contains("nothing was imported"), "{said}");
        }
    }
}
