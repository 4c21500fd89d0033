//! The auditor's evidence pack: one folder per filing that can be checked
//! anywhere, without the database (layout in `docs/decisions.md` and the
//! module docs of [`make_pack`]):
//!
//! ```text
//! DIR/MANIFEST.json        every file with size and SHA-256, counts, exact
//!                          totals, filter, audit head, closed periods, key
//!     MANIFEST.sig         hex Ed25519 signature of MANIFEST.json's bytes
//!     eacs.json            P1 listing        p2/   P2 bundle
//!     sources/             the registry documents, byte for byte
//!     source-documents.csv which document (and line, page) each EAC came from
//!     audit.jsonl          the whole audit chain (other EACs' records redacted)
//!     claim-statement.csv, claim-statement.pdf
//!     claims/              claim-N.json, claim-N.csv: recorded claims over these EACs
//! ```
//!
//! Made like a P2 bundle: built in a hidden folder beside `DIR`, checked,
//! signed, recorded in the database (table `packs` and a `pack` audit
//! record) and swapped into place in the same write; an existing `DIR` is
//! replaced only when it is empty or an EAC Desk pack holding exactly the
//! files of its manifest, and removed only once that write is committed.
//! A pack interrupted in between (power lost, killed) leaves both packs
//! whole; the next pack to that folder, or `pack diff` of that place, puts
//! the one the database records back in place ([`settle`]), and leaves the
//! place as it is, saying so, when that would remove or displace a pack
//! made from another database (the next pack there is then refused). A
//! role that may not record it (an auditor's on a server, which reads
//! only) gets the pack unrecorded, saying so.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use eac_model::{CheckOptions, Decimal, Eac, EacRead, EnergyUnit, Flow, Timestamp};
use eac_store::atomic::{self, AtomicDir};
use eac_store::chain::{CONTENT_NAMES, LOGIN_MEMBER};
use eac_store::{
    AuditAction, AuditRecord, BrowseQuery, ClosedPeriodEntry, EacFilter, ErrorCode, FieldChange,
    NewPack, PackRecord, Phase, Progress, QuantityTotal, Reason, RecordedOutput, Store, StoreError,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::{self, PackKey};
use crate::statement_lines::StatementLines;
use crate::AppError;

/// The manifest's `format`.
pub const PACK_FORMAT: &str = "eacdesk-pack-v1";
/// Named in the store, which refuses every output inside a pack by them.
pub const MANIFEST_FILE: &str = atomic::PACK_MANIFEST;
pub const SIGNATURE_FILE: &str = atomic::PACK_SIGNATURE;
const LISTING_FILE: &str = "eacs.json";
const P2_DIR: &str = "p2";
const SOURCES_DIR: &str = "sources";
/// Which registry document (and where in it) each EAC came from: one row
/// per EAC and document, written when the pack holds any document.
pub(crate) const SOURCE_INDEX: &str = "source-documents.csv";
/// Its header, the columns every row has.
pub(crate) const SOURCE_INDEX_HEADER: [&str; 10] = [
    "cds_eac_id",
    "source",
    "path",
    "sha256",
    "size",
    "format",
    "place",
    "range",
    "file_name",
    "imported_at",
];
const AUDIT_FILE: &str = "audit.jsonl";
/// Reports of recorded claims over the pack's EACs (issue 15).
const CLAIMS_DIR: &str = "claims";
const CLAIM_CSV: &str = "claim-statement.csv";
const CLAIM_PDF: &str = "claim-statement.pdf";
/// How many EACs or entries a refusal names.
const NAMED: usize = 5;
/// A pack's steps: the P1 export, the P2 export, its EACs read, the
/// double-counting check, the claim statement, its files hashed.
const PACK_STEPS: u32 = 6;
/// Verifying a pack's steps: its files, its listing, its P2 bundle.
const VERIFY_STEPS: u32 = 3;

/// `MANIFEST.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Manifest {
    pub format: String,
    pub title: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub program: ManifestProgram,
    pub filter: EacFilter,
    /// The filter in plain words.
    pub selection: String,
    pub counts: ManifestCounts,
    /// Exact totals per unit of the EACs' values.
    pub totals: Vec<QuantityTotal>,
    /// Closed reporting periods (not reopened) the EACs fall in.
    pub closed_periods: Vec<ClosedPeriodEntry>,
    pub audit: ManifestAudit,
    pub key: ManifestKey,
    /// Every file but `MANIFEST.json` and `MANIFEST.sig`, sorted by path.
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManifestProgram {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManifestCounts {
    pub eacs: usize,
    pub values: usize,
    pub sources: usize,
    pub audit_records: usize,
    /// Recorded claims carried in `claims/` (each `claim-N.json` and
    /// `claim-N.csv`); absent in packs made before EAC Desk counted them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub claims: Option<usize>,
}

/// The database's audit chain when the pack was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManifestAudit {
    /// The last record's hash (`None`: no records).
    pub head: Option<String>,
    pub records: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManifestKey {
    pub algorithm: String,
    pub public_key: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManifestFile {
    /// Relative, `/` between folders.
    pub path: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    pub sha256: String,
}

/// What [`make_pack`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackReport {
    /// The pack folder.
    pub path: String,
    /// SHA-256 of its `MANIFEST.json`.
    pub manifest_sha256: String,
    /// Files listed in the manifest (and so `+ 2` with the manifest and
    /// its signature).
    pub file_count: usize,
    pub eac_count: usize,
    pub value_count: usize,
    pub source_count: usize,
    /// Recorded claims carried in `claims/`.
    pub claim_count: usize,
    pub audit_records: usize,
    pub totals: Vec<QuantityTotal>,
    pub key_fingerprint: String,
    pub closed_periods: Vec<ClosedPeriodEntry>,
    /// The audit chain's head the pack ends at (`None`: no records yet).
    pub audit_head: Option<String>,
    /// The pack as the database now remembers it; `None` when it was not
    /// recorded (`not_recorded` says why).
    pub record: Option<PackRecord>,
    /// Why the pack is not recorded in the database (its list of packs and
    /// the audit log): the role on a server reads only (an auditor's).
    /// The pack is signed and checks all the same, and `pack diff`
    /// compares it with the database without a record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub not_recorded: Option<String>,
    /// What was settled first, in plain words: an earlier pack in this
    /// folder that was interrupted (power lost, killed) after it put its
    /// pack in place, whose place now holds again the pack the database
    /// records, or which was completed, or which was left as it is, a
    /// pack of another database being there or beside it (see `settle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub recovered: Option<String>,
}

/// One thing that does not hold in a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackProblem {
    /// The file concerned, relative to the pack (`audit.jsonl`,
    /// `p2/eacs/x.json`); `""` for the folder itself.
    pub file: String,
    /// The audit record concerned (its id), for `audit.jsonl`.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub record: Option<i64>,
    pub message: String,
}

/// What [`verify_pack`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackVerdict {
    pub path: String,
    /// Every check held.
    pub ok: bool,
    pub problems: Vec<PackProblem>,
    /// The manifest as read (`None` when it is missing or unreadable),
    /// without its list of files (`files` is empty): the pack's
    /// `MANIFEST.json` holds the list, and a pack of a million EACs lists
    /// a million files.
    pub manifest: Option<Manifest>,
    /// How many files the manifest lists (not counting `MANIFEST.json`
    /// and `MANIFEST.sig`), when it was read.
    pub file_count: Option<usize>,
    /// SHA-256 of `MANIFEST.json`, when there is one.
    pub manifest_sha256: Option<String>,
    /// A pack to this folder was interrupted and left another pack beside
    /// it, in a hidden folder: which of the two belongs here is known to
    /// the database it was made from (`pack diff` or the next pack there
    /// settles it), in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub interrupted: Option<String>,
}

/// One EAC that differs between a pack and the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackEacChange {
    pub cds_eac_id: String,
    /// Removed: no longer in the database at all (deleted), rather than no
    /// longer matching the pack's filter.
    pub deleted: bool,
    /// Its audit records written since the pack was made, oldest first.
    pub records: Vec<AuditRecord>,
    /// For an EAC edited, or no longer matching the pack's filter, with no
    /// audit record since the pack: what differs between its P1 object in
    /// the pack (`before`) and now (`after`), member by member
    /// (`destination_name`, `values[0].value`); empty otherwise.
    pub fields: Vec<FieldChange>,
    /// How many more differences there are than `fields` names.
    pub fields_more: usize,
    /// Changed (or deleted) with no audit record since the pack, although
    /// this database's log, which holds the records since, keeps one for
    /// every change EAC Desk makes to an EAC: changed outside EAC Desk.
    pub unrecorded: bool,
}

/// What changed in the database since a pack was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackDiff {
    pub path: String,
    /// The pack as recorded when it was made from this database (`None`:
    /// made elsewhere, or its record is gone).
    pub record: Option<PackRecord>,
    /// The pack's own verdict: a changed pack is no basis for comparison.
    pub verdict: PackVerdict,
    /// Whether the pack's audit head is a record of this database's chain
    /// (`false`: another database, or its history was changed).
    pub head_found: bool,
    /// The pack this database recorded at the pack's moment: made at the
    /// same `created_at` from the same audit head, whose `MANIFEST.json`
    /// has another SHA-256 (another content or another signer). The pack
    /// compared is not that one: it was changed and signed again after it
    /// was made. `None` when the pack is the one recorded (`record`), or no
    /// recorded pack shares its moment and head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub not_the_recorded: Option<PackRecord>,
    /// The key that signed the pack signed a pack this database recorded
    /// (`pack ls`'s KEY). `false`: another key's, a pack made without a
    /// record by someone else (a role that reads only) or a pack signed
    /// again by someone else.
    #[serde(default)]
    pub key_recorded: bool,
    /// The pack's listing (`eacs.json`), its manifest or its signature
    /// fails verification: the pack was changed after it was made, so an
    /// EAC that differs without an audit record may differ because the
    /// pack changed. Such an EAC (as any when `not_the_recorded`) is then
    /// not called changed outside EAC Desk (`unrecorded` is `false`).
    #[serde(default)]
    pub pack_changed: bool,
    /// This database made the pack (`record`) and its audit log no longer
    /// holds the pack's audit head: the history up to the pack was changed
    /// (a record edited, removed or inserted and the chain computed again,
    /// or the newest records removed). `audit_changes` names the records;
    /// the records since are those numbered after the pack's last.
    pub history_changed: bool,
    /// With `history_changed`: the audit records up to the pack's last
    /// that differ between its `audit.jsonl` and this database's log, by
    /// number (the first 50).
    pub audit_changes: Vec<PackAuditChange>,
    /// How many more records differ than `audit_changes` names.
    pub audit_changes_more: usize,
    /// EACs that match the pack's filter now and are not in it.
    pub added: Vec<PackEacChange>,
    /// EACs in the pack that no longer match its filter (or are deleted).
    pub removed: Vec<PackEacChange>,
    /// EACs in both whose P1 object differs now.
    pub edited: Vec<PackEacChange>,
    pub unchanged: usize,
    /// Recorded claims the pack carries (`claims/claim-N.json`) that were
    /// deleted or whose report differs now, and claims recorded since over
    /// its EACs (compared only for a pack of this database: another
    /// database numbers its claims otherwise).
    pub claims: Vec<PackClaimChange>,
    /// Registry documents in the pack (`sources/`) that the database no
    /// longer stores as packed.
    pub sources: Vec<PackSourceChange>,
    /// Database-level audit records since the pack (exports, packs,
    /// periods closed or reopened).
    pub database_records: Vec<AuditRecord>,
    /// What was settled before the pack was compared: an interrupted pack
    /// to this folder whose place holds again the pack the database
    /// records, or which was completed, or left as it is (a pack of
    /// another database there or beside it), in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub recovered: Option<String>,
}

impl PackDiff {
    /// The pack is still what the database holds: no EAC was added,
    /// removed or edited, no claim it carries was deleted or changed (nor
    /// one recorded over its EACs), its source documents are stored as
    /// packed, the history up to it was not changed, and it is not another
    /// pack than the one recorded at its moment (`not_the_recorded`).
    pub fn is_unchanged(&self) -> bool {
        self.not_the_recorded.is_none()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.edited.is_empty()
            && self.claims.is_empty()
            && self.sources.is_empty()
            && !self.history_changed
            && self.audit_changes.is_empty()
    }
}

/// Every pack made from this database, newest first.
pub fn packs(store: &Store) -> Result<Vec<PackRecord>, AppError> {
    Ok(store.packs()?)
}

// ---------------------------------------------------------------------------
// Making a pack

/// Writes the evidence pack of the EACs matching `filter` to the folder
/// `dest`, signed with this user's key (see [`crate::signing_key`]).
/// Refused, writing nothing, when no EAC matches, when any of them is
/// incomplete, when the audit chain is broken, or when `dest` holds
/// anything but an earlier pack or nothing. Cancel through `progress`.
pub fn make_pack(
    store: &mut Store,
    filter: &EacFilter,
    dest: &Path,
    title: Option<&str>,
    progress: &dyn Progress,
) -> Result<PackReport, AppError> {
    make_pack_with_key_dir(store, filter, dest, title, &keys::key_dir(), progress)
}

/// [`make_pack`] signed with the key kept in `key_dir`.
pub fn make_pack_with_key_dir(
    store: &mut Store,
    filter: &EacFilter,
    dest: &Path,
    title: Option<&str>,
    key_dir: &Path,
    progress: &dyn Progress,
) -> Result<PackReport, AppError> {
    let title = title.filter(|t| !t.trim().is_empty());
    if let Some(t) = title {
        Reason::new(t).map_err(|_| {
            AppError::invalid_input(
                "The pack's title must be one line without control characters; nothing was written. Write it on one line.",
            )
        })?;
    }
    let final_dir = final_location(dest)?;
    atomic::refuse_database(store.path(), &final_dir)?;
    atomic::refuse_inside_pack(&final_dir)?;
    refuse_selection(store, filter, &final_dir)?;
    let since_version = store.data_version()?;
    let chain = store.verify_audit_chain()?;
    if let Some(b) = &chain.broken {
        let message = match &b.pack {
            // The log verifies on its own but was written again after an
            // earlier pack: a pack now would sign the changed history.
            Some(_) => {
                let reason = b.reason_sentence();
                format!(
                    "Nothing was written to {}: the audit log was changed after an earlier evidence pack was made, and a pack made now would sign the changed history. {reason}. Compare the database with that pack (`eacdesk pack diff`, or \"What changed since?\" after verifying it in the app) to see which records differ, and restore the database from a backup made before the change.",
                    final_dir.display()
                )
            }
            None => format!(
                "The audit log is broken at record {} ({}), so a pack made now would not verify; nothing was written to {}. Run `eacdesk audit verify` and restore the database from a backup made before the change.",
                b.id,
                b.reason,
                final_dir.display()
            ),
        };
        return Err(AppError::new(ErrorCode::Conflict, message));
    }
    // Known before anything is written: a role that may not record the
    // pack (an auditor's on a server) gets it unrecorded, never a refusal
    // after all the work.
    let recorded = store.may_record(RecordedOutput::Pack)?;
    let key = keys::load_or_create(key_dir)?;
    // An earlier pack in this folder that was interrupted after its swap
    // is settled first: its place holds the pack the database records.
    let settled = settle::settle(store, atomic::folder_of(&final_dir), None, None)?;
    let recovered = settled_words(&settled);
    // Left as it is (a pack of another database is there or beside it): a
    // new pack there would replace one of them, which is for the person
    // to decide.
    if let Some(alone) = settled.iter().find(|s| {
        matches!(s, settle::Settled::LeftAlone { .. }) && s.place() == final_dir.as_path()
    }) {
        let others: Vec<String> = settled
            .iter()
            .filter(|s| s.place() != final_dir.as_path())
            .map(settle::Settled::words)
            .collect();
        let mut message = format!(
            "Nothing was written to {}. {}",
            final_dir.display(),
            alone.words()
        );
        for words in others {
            message.push(' ');
            message.push_str(&words);
        }
        return Err(AppError::new(ErrorCode::Conflict, message));
    }
    let made = write_pack(
        store,
        filter,
        &final_dir,
        title,
        &key,
        recorded,
        since_version,
        progress,
    );
    match (made, recovered) {
        (Ok(report), recovered) => Ok(PackReport {
            recovered,
            ..report
        }),
        (Err(e), None) => Err(e),
        (Err(e), Some(words)) => {
            let message = format!("{} {words}", e.message);
            Err(e.with_message(message))
        }
    }
}

/// What settling did, in plain words (`None`: nothing).
fn settled_words(settled: &[settle::Settled]) -> Option<String> {
    let words: Vec<String> = settled.iter().map(settle::Settled::words).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Makes the pack in a hidden folder beside `final_dir`, records it and
/// swaps it into place in one write, then removes the pack it replaced.
#[allow(clippy::too_many_arguments)]
fn write_pack(
    store: &mut Store,
    filter: &EacFilter,
    final_dir: &Path,
    title: Option<&str>,
    key: &PackKey,
    recorded: bool,
    since_version: i64,
    progress: &dyn Progress,
) -> Result<PackReport, AppError> {
    let final_dir = final_dir.to_owned();
    let cancelled = || progress.is_cancelled();

    let mut dir = AtomicDir::beside(&final_dir)?;
    let previous = inspect_destination(&final_dir)?;

    // P1 listing and P2 bundle, with the checks of an export.
    let listing_path = dir.path().join(LISTING_FILE);
    progress.step(1, PACK_STEPS);
    let listed = store
        .export_p1(Some(filter), &listing_path, progress)
        .map_err(|e| pack_refused(&final_dir, dir.path(), e.into()))?
        .eac_count;
    if cancelled() {
        return Err(AppError::cancelled());
    }
    progress.step(2, PACK_STEPS);
    // The P2 bundle, built inside the hidden folder, its `file:` URIs
    // naming where it will be, checked as every bundle; not recorded (the
    // pack is). A scratch file of its in a full temporary folder is said
    // as that folder's (decision 241), never as the destination's disk.
    let published = final_dir.join(P2_DIR);
    let failed = crate::export::CheckFailed::default();
    let check = |root: &Path| failed.errors(crate::p2::validate_p2(root, true));
    store
        .export_p2_published(
            Some(filter),
            &dir.path().join(P2_DIR),
            &published,
            progress,
            &check,
        )
        .map_err(|e| {
            let unchanged = format!("Nothing was written to {}", final_dir.display());
            crate::export::scratch_error(&final_dir, &e, &unchanged, "make the pack again")
                .unwrap_or_else(|| {
                    let e = crate::export::nothing_exported(&published, failed.or(&published, e));
                    pack_refused(&final_dir, dir.path(), e)
                })
        })?;
    if cancelled() {
        return Err(AppError::cancelled());
    }

    // Exactly the EACs the listing holds, from here on, read once: their
    // ids, their documents and the statement's tally (counts and totals)
    // and lines (kept on disk until the statement is written).
    progress.step(3, PACK_STEPS);
    let ListingPass {
        ids,
        sources: source_count,
        tally,
        mut lines,
    } = read_pack_listing(store, &mut dir, &listing_path, listed, progress)?;
    let carried_claims = write_claims(store, &mut dir, &ids)?;
    let carried: HashSet<i64> = carried_claims.iter().map(|c| c.id).collect();
    let (audit_head, audit_records) = write_audit(store, &dir, &ids, &carried)?;
    // What the rest needs is not the EACs' ids: not held while the
    // statement and the manifest are made.
    drop(ids);
    if cancelled() {
        return Err(AppError::cancelled());
    }

    let created = Timestamp::now();
    let selection = selection_words(filter);
    let shown_title = title.map_or_else(|| format!("Evidence pack: {selection}"), str::to_owned);
    progress.step(4, PACK_STEPS);
    let problems: Vec<String> = store
        .check(filter, progress)?
        .findings
        .into_iter()
        .map(|f| f.message)
        .collect();
    let facts = eac_report::StatementFacts {
        title: shown_title.clone(),
        created_at: created,
        selection: selection.clone(),
        problems,
        key_fingerprint: key.info.fingerprint.clone(),
        audit_head: audit_head.clone(),
        claims: carried_claims,
    };
    let claim_count = facts.claims.len();
    let summary = tally.finish(&facts);
    let (eac_count, value_count) = (summary.eacs(), summary.values());
    let totals = quantity_totals(summary.totals());
    let mut reported = Reported {
        lines: &mut lines,
        progress,
        done: 0,
        total: 3 * summary.values() as u64,
    };
    progress.step(5, PACK_STEPS);
    progress.update(Phase::Statement, 0, Some(reported.total));
    let stopped = |e: AppError| {
        if cancelled() {
            AppError::cancelled()
        } else {
            e
        }
    };
    write_with(&dir, CLAIM_CSV, |out| {
        eac_report::write_claim_statement_csv(&facts, &summary, &mut reported, out)
    })
    .map_err(stopped)?;
    write_with(&dir, CLAIM_PDF, |out| {
        eac_report::write_claim_statement_pdf(&facts, &summary, &mut reported, out)
    })
    .map_err(stopped)?;
    progress.update(Phase::Statement, reported.total, Some(reported.total));
    // The scratch file of the lines goes now, not after the manifest.
    drop(lines);

    let closed_periods = store.closed_periods_overlapping(filter)?;
    progress.step(6, PACK_STEPS);
    let files = file_paths(dir.path())?;
    let created_at = created.to_string();
    let program = ManifestProgram {
        name: "EAC Desk".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let manifest_key = ManifestKey {
        algorithm: key.info.algorithm.clone(),
        public_key: key.info.public_key.clone(),
        fingerprint: key.info.fingerprint.clone(),
    };
    let manifest = ManifestOut {
        format: PACK_FORMAT,
        title: &shown_title,
        created_at: &created_at,
        program: &program,
        filter,
        selection: &selection,
        counts: &ManifestCounts {
            eacs: eac_count,
            values: value_count,
            sources: source_count,
            audit_records,
            claims: Some(claim_count),
        },
        totals: &totals,
        closed_periods: &closed_periods,
        audit: &ManifestAudit {
            head: audit_head.clone(),
            records: audit_records,
        },
        key: &manifest_key,
        files: HashedFiles::new(dir.path(), &files, progress),
    };
    let (manifest_sha256, file_count) = write_manifest(&dir, &manifest, key)?;
    if cancelled() {
        return Err(AppError::cancelled());
    }

    // Nothing but an empty folder, if anything, was there before.
    let held_no_pack = !matches!(previous, Destination::Pack(_));
    let (replace, owned) = match previous {
        Destination::Missing => (false, Vec::new()),
        Destination::Empty => (true, Vec::new()),
        Destination::Pack(owned) => (true, owned),
    };
    let path_text = final_dir.display().to_string();
    // Swapped in inside the write that records the pack; the pack it
    // replaces is removed only once that write is committed, so that a
    // stop in between leaves it whole for `settle`.
    let mut swapped: Option<atomic::Swapped> = None;
    let place = || -> eac_store::Result<()> {
        swapped = Some(dir.swap(replace)?);
        Ok(())
    };
    let record = if recorded {
        store
            .record_pack(
                &NewPack {
                    created_at: created_at.clone(),
                    title: title.map(str::to_owned),
                    filter: filter.clone(),
                    manifest_sha256: manifest_sha256.clone(),
                    audit_head: audit_head.clone(),
                    audit_records,
                    eac_count,
                    key_fingerprint: key.info.fingerprint.clone(),
                    path: path_text.clone(),
                    file_count,
                },
                &eac_store::os_user(),
                since_version,
                place,
            )
            .map(Some)
    } else {
        store
            .place_unrecorded_pack(&path_text, since_version, place)
            .map(|()| None)
    };
    let record = match record {
        Ok(record) => record,
        Err(e) => {
            // The write failed after the swap (its commit): the place goes
            // back to the pack the database records, as after a stop.
            let e = AppError::from(e);
            // Where the swap put the new pack, and the empty folder it
            // replaced (if one was there).
            let placed = swapped.as_ref().map(|s| s.earlier().map(Path::to_owned));
            drop(swapped);
            // The pack made here is this database's whatever its audit
            // head: the place goes back to what it held before, whosever
            // that is, unless the record was committed after all.
            let done = settle::settle(
                store,
                atomic::folder_of(&final_dir),
                Some(&final_dir),
                Some(&manifest_sha256),
            )
            .unwrap_or_default();
            let mut message = e.message.clone();
            for settled in &done {
                match settled {
                    settle::Settled::Restored { .. } => message.push_str(&format!(
                        " The pack {} held before was put back there.",
                        final_dir.display()
                    )),
                    settle::Settled::LeftAlone { .. } => {
                        message.push(' ');
                        message.push_str(&settled.words());
                    }
                    settle::Settled::Completed { .. } => {}
                }
            }
            // No pack was there to put back: the place goes back to
            // nothing (or its empty folder), as a pack stands only
            // together with its record (decision 302).
            if let (Some(emptied), true) = (placed, held_no_pack) {
                let owned: Vec<String> = files
                    .iter()
                    .cloned()
                    .chain([MANIFEST_FILE.to_owned(), SIGNATURE_FILE.to_owned()])
                    .collect();
                message = take_back_unrecorded(
                    store,
                    &final_dir,
                    emptied.as_deref(),
                    &manifest_sha256,
                    &owned,
                    &message,
                );
            }
            return Err(e.with_message(message));
        }
    };
    if let Some(swapped) = swapped {
        swapped.finish(|earlier| remove_pack_files(earlier, &owned));
    }
    progress.update(Phase::Export, eac_count as u64, Some(eac_count as u64));
    Ok(PackReport {
        path: path_text,
        manifest_sha256,
        file_count,
        eac_count,
        value_count,
        source_count,
        claim_count,
        audit_records,
        totals,
        key_fingerprint: key.info.fingerprint.clone(),
        closed_periods,
        audit_head,
        record,
        not_recorded: (!recorded).then(|| crate::export::not_recorded_reason(store)),
        recovered: None,
    })
}

/// The pack just put at `place` (its manifest `manifest_sha256`, its
/// files `owned`), where nothing or an empty folder (now at `emptied`)
/// was, could not be recorded (the store said `said`): removed and the
/// empty folder put back, unless the record was committed after all.
/// What the person is told: `said`, and that the pack was not kept; or,
/// when it could not be removed, that it is there unrecorded and must not
/// be filed or sent (decision 398's words for an export).
fn take_back_unrecorded(
    store: &Store,
    place: &Path,
    emptied: Option<&Path>,
    manifest_sha256: &str,
    owned: &[String],
    said: &str,
) -> String {
    // Not known to be unrecorded (the database cannot be read now): left.
    let unrecorded = match store.pack_by_manifest(manifest_sha256) {
        Ok(Some(_)) => return said.to_owned(),
        Ok(None) => true,
        Err(_) => false,
    };
    if unrecorded {
        remove_pack_files(place, owned);
        if let Some(emptied) = emptied {
            let _ = fs::rename(emptied, place);
        }
        let back = match emptied {
            None => fs::symlink_metadata(place).is_err(),
            Some(_) => fs::read_dir(place).is_ok_and(|mut e| e.next().is_none()),
        };
        if back {
            return format!(
                "{said} The pack was not kept at {}: a pack stands there only together with its record in the audit log.",
                place.display()
            );
        }
    }
    let cause = crate::export::without_nothing_changed(said);
    format!(
        "The pack was written to {}, but its record in the audit log could not be written, and the pack was left there: it is not recorded, so do not file or send it; delete it. {cause} Once that is mended, make the pack again.",
        place.display()
    )
}

/// Where the pack will be: its folder resolved, the name kept.
/// Refused in the words of an export's (decision 436), before anything is
/// written, for the app and the CLI alike: a destination with no folder
/// name of its own, a missing folder above it (EAC Desk makes the pack's
/// own folder only) or a file where a folder of the path should be.
fn final_location(dest: &Path) -> Result<PathBuf, AppError> {
    let name = eac_store::placing::refuse_folder_name(dest, "evidence pack", "evidence-pack")?;
    eac_store::placing::refuse_missing_folder(dest, "the pack's own folder only")?;
    let parent = atomic::folder_of(dest);
    let parent = parent
        .canonicalize()
        .map_err(|e| AppError::io(parent, &e))?;
    Ok(parent.join(name))
}

/// An export's refusal, said for the pack: of its folder `dest`, never of
/// the hidden folder `hidden` it is made in (gone once the refusal is
/// read), in the message and in every violation.
fn pack_refused(dest: &Path, hidden: &Path, mut e: AppError) -> AppError {
    if e.code == ErrorCode::Cancelled {
        return e;
    }
    let (hidden, shown) = (hidden.display().to_string(), dest.display().to_string());
    let said = |text: &mut String| {
        if text.contains(&hidden) {
            *text = text.replace(&hidden, &shown);
        }
    };
    said(&mut e.message);
    for v in e.details.violations.iter_mut().flatten() {
        said(&mut v.message);
        if let Some(file) = &mut v.file {
            said(file);
        }
    }
    for text in [&mut e.details.file, &mut e.details.path]
        .into_iter()
        .flatten()
    {
        said(text);
    }
    // A full disk or a size limit is said of the destination: the
    // listing is written into a hidden folder beside it first, whose name
    // means nothing to the person (decision 48).
    let message = match e.details.reason {
        // A disk with space left and no room for more files.
        Some(crate::error::IoReason::DiskFull)
            if e.message.contains(eac_store::atomic::NO_ROOM_FOR_FILES) =>
        {
            format!(
                "Nothing was written to {}: {}. Remove files you no longer need from that disk, or choose another disk, and make the pack again.",
                dest.display(),
                eac_store::atomic::NO_ROOM_FOR_FILES
            )
        }
        Some(crate::error::IoReason::DiskFull) => format!(
            "Nothing was written to {}: the disk is full. Free some space (or choose another disk) and make the pack again.",
            dest.display()
        ),
        Some(crate::error::IoReason::FileTooLarge) => format!(
            "Nothing was written to {}: a file of the pack is too large for this disk or for the file size limit set for this program (ulimit -f). Raise the limit, choose another disk, or pack fewer EACs.",
            dest.display()
        ),
        _ => format!(
            "Nothing was written to {}: the EACs could not be written as the pack's listing ({}).",
            dest.display(),
            e.message
        ),
    };
    e.with_message(message)
}

/// Refuses an empty selection and incomplete EACs, in plain words.
fn refuse_selection(store: &Store, filter: &EacFilter, dest: &Path) -> Result<(), AppError> {
    let selection = selection_words(filter);
    if store.summary(filter)?.count == 0 {
        return Err(AppError::invalid_input(format!(
            "No EAC matches the selection ({selection}), and a pack needs at least one; nothing was written to {}. Change the filter.",
            dest.display()
        )));
    }
    // A pack of everything holds the P1 listing of every EAC, which those
    // stored without values cannot be in (rule 16): said as a pack's
    // choices, not the P1 export's "export as P2" (REG42b finding 3).
    let envelope_only = match *filter == EacFilter::default() {
        true => store.envelope_only_count()?,
        false => 0,
    };
    if envelope_only > 0 {
        return Err(AppError::new(
            ErrorCode::Validation,
            format!(
                "{} stored without values (envelope-only, imported from a P2 listing without its \
                 detail data: `eacdesk ls --envelope-only` lists them), and a pack of every EAC \
                 holds the P1 listing of each, which needs its values; nothing was written to {}. \
                 Import their detail data, delete them, or pack a selection: any filter leaves \
                 them out (a period, source or technology; `eacdesk pack --complete`, or \"Pack the \
                 complete EACs only\" in the app).",
                match envelope_only {
                    1 => "1 EAC is".to_owned(),
                    n => format!("{n} EACs are"),
                },
                dest.display()
            ),
        ));
    }
    if filter.incomplete == Some(false) {
        // Only complete EACs are selected (not every EAC with the other
        // filters: the incomplete ones are left out, not in the way).
        return Ok(());
    }
    let incomplete = EacFilter {
        incomplete: Some(true),
        ..filter.clone()
    };
    let n = store.summary(&incomplete)?.count;
    if n == 0 {
        return Ok(());
    }
    let rows = store.browse(&BrowseQuery {
        filter: incomplete,
        limit: NAMED,
        ..BrowseQuery::default()
    })?;
    let named = eac_model::words::first_named_by_semicolons(
        rows.iter()
            .map(|r| format!("{} (missing {})", r.cds_eac_id, r.missing.join(", "))),
        NAMED,
        n,
    );
    let mut e = AppError::new(
        ErrorCode::Validation,
        format!(
            "{n} of the selected EACs {} incomplete: {named}. A pack holds only complete EACs; nothing was written to {}. Complete them (`eacdesk set`, or \"Complete fields\" in the app), or pack only the complete ones (`eacdesk pack --complete`, or \"Pack the complete EACs only\" in the app).",
            if n == 1 { "is" } else { "are" },
            dest.display()
        ),
    );
    e.details.cds_eac_ids = Some(rows.into_iter().map(|r| r.cds_eac_id).collect());
    Err(e)
}

/// The filter in plain words, as a noun phrase: "every EAC in the
/// database", "complete EACs", "EACs matching \"x\" with technology
/// wind, source REGO, missing an emission factor".
pub fn selection_words(filter: &EacFilter) -> String {
    // "… EACs" (complete, incomplete), then what follows the noun.
    let kind = match filter.incomplete {
        Some(true) => "incomplete EACs",
        Some(false) => "complete EACs",
        None => "EACs",
    };
    let mut after: Vec<String> = Vec::new();
    if let Some(s) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        after.push(format!("matching \"{}\"", s.trim()));
    }
    // What the EACs are "with".
    let mut with: Vec<String> = Vec::new();
    if let Some(t) = filter.technology {
        with.push(format!("technology {}", t.as_str()));
    }
    if let Some(b) = filter.beneficiary_type {
        with.push(format!("beneficiary type {}", b.as_str()));
    }
    match (filter.from.as_deref(), filter.to.as_deref()) {
        (Some(f), Some(t)) => with.push(format!("period overlapping {f} to {t}")),
        (Some(f), None) => with.push(format!("period ending after {f} began")),
        (None, Some(t)) => with.push(format!("period starting by {t}")),
        (None, None) => {}
    }
    if let Some(r) = filter.retired {
        with.push(format!("retired state {}", r.as_str()));
    }
    if let Some(s) = &filter.source {
        with.push(format!("source {s}"));
    }
    if let Some(d) = &filter.destination {
        with.push(format!("destination {d}"));
    }
    if filter.missing_emissions == Some(false) {
        with.push("both emission factors".to_owned());
    }
    for m in filter.matches.iter().flatten() {
        let field = m.field.as_str().replace('_', " ");
        let value = m.value.as_deref().unwrap_or("missing");
        with.push(if m.exclude {
            format!("{field} not {value}")
        } else {
            format!("{field} {value}")
        });
    }
    if !with.is_empty() {
        after.push(format!("with {}", with.join(", ")));
    }
    if filter.missing_emissions == Some(true) {
        after.push("missing an emission factor".to_owned());
    }
    if after.is_empty() && filter.incomplete.is_none() {
        "every EAC in the database".to_owned()
    } else if after.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} {}", after.join(", "))
    }
}

/// Calls `each` with every EAC of a P1 listing EAC Desk wrote (or a pack
/// holds), in the listing's order, one at a time; stops at `each`'s first
/// error. A listing that is not valid fails naming the first broken EAC.
fn each_listing_eac(
    path: &Path,
    each: impl FnMut(Eac) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let file = fs::File::open(path).map_err(|e| AppError::io(path, &e))?;
    each_listing_eac_in(file, path, each)
}

/// [`each_listing_eac`] of a listing already open (a pack's, opened as
/// its files are); `path` names it.
fn each_listing_eac_in(
    file: impl io::Read,
    path: &Path,
    mut each: impl FnMut(Eac) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut broken: Option<String> = None;
    let mut failed: Option<AppError> = None;
    let opts = CheckOptions::validate().with_extended_technologies(true);
    let outcome = eac_model::read_listing(io::BufReader::new(file), opts, |index, read| {
        match read {
            EacRead::Valid { eac, .. } => {
                if broken.is_none() {
                    if let Err(e) = each(*eac) {
                        failed = Some(e);
                        return Flow::Stop;
                    }
                }
            }
            EacRead::Ignored { .. } | EacRead::Invalid { .. } => {
                broken.get_or_insert(format!("the EAC at /eacs/{index} is not valid"));
            }
        }
        Flow::Continue
    });
    if let Some(e) = failed {
        return Err(e);
    }
    match outcome {
        Err(eac_model::ListingError::Io(e)) => return Err(AppError::io(path, &e)),
        Err(eac_model::ListingError::Malformed(v)) => {
            broken.get_or_insert(v.message);
        }
        _ => {}
    }
    if let Some(why) = broken {
        return Err(AppError::new(
            ErrorCode::Validation,
            format!("{}: {why}", path.display()),
        ));
    }
    Ok(())
}

/// Exact totals per unit as the manifest gives them, in unit order.
fn quantity_totals(totals: &[(EnergyUnit, Decimal)]) -> Vec<QuantityTotal> {
    totals
        .iter()
        .map(|(unit, total)| QuantityTotal {
            unit: *unit,
            total: total.as_str().to_owned(),
        })
        .collect()
}

/// How many EACs or statement lines between two progress reports (and
/// cancel checks of the statement).
const REPORT_EVERY: usize = 256;

/// The statement's lines as the writers read them, each counted for the
/// progress (the CSV reads them twice, the PDF once: three lines a value)
/// and stopped by a cancel.
struct Reported<'a> {
    lines: &'a mut StatementLines,
    progress: &'a dyn Progress,
    done: u64,
    total: u64,
}

impl eac_report::LineSource for Reported<'_> {
    fn group_count(&mut self) -> io::Result<usize> {
        self.lines.group_count()
    }

    fn each(
        &mut self,
        each: &mut dyn FnMut(&eac_report::GroupKey, &eac_report::Line) -> io::Result<()>,
    ) -> io::Result<()> {
        let Reported {
            lines,
            progress,
            done,
            total,
        } = self;
        lines.each(&mut |key, line| {
            *done += 1;
            if done.is_multiple_of(REPORT_EVERY as u64) {
                if progress.is_cancelled() {
                    return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
                }
                progress.update(Phase::Statement, *done, Some(*total));
            }
            each(key, line)
        })
    }
}

/// What one reading of a pack's listing gathers.
struct ListingPass {
    ids: HashSet<String>,
    /// Registry documents written to `sources/`.
    sources: usize,
    tally: eac_report::Tally,
    lines: StatementLines,
}

/// Reads the pack's listing once: counts and totals its EACs, writes the
/// registry documents they came from and tallies the claim statement,
/// whose lines wait on disk. Holds the EACs' ids, not the EACs.
fn read_pack_listing(
    store: &Store,
    dir: &mut AtomicDir,
    listing: &Path,
    listed: usize,
    progress: &dyn Progress,
) -> Result<ListingPass, AppError> {
    let mut pass = ListingPass {
        ids: HashSet::new(),
        sources: 0,
        tally: eac_report::Tally::new(),
        lines: StatementLines::new()?,
    };
    let mut written: HashSet<String> = HashSet::new();
    let mut index: Option<eac_store::atomic::DirFile> = None;
    let total = Some(listed as u64);
    progress.update(Phase::Pack, 0, total);
    let mut read: usize = 0;
    each_listing_eac(listing, |eac| {
        if progress.is_cancelled() {
            return Err(AppError::cancelled());
        }
        if read.is_multiple_of(REPORT_EVERY) {
            progress.update(Phase::Pack, read as u64, total);
        }
        read += 1;
        write_sources(store, dir, &eac, &mut written, &mut index)?;
        let lines = &mut pass.lines;
        pass.tally.add(&eac, |key, line| lines.keep(key, &line))?;
        pass.ids.insert(eac.cds_eac_id);
        Ok(())
    })?;
    pass.sources = written.len();
    if let Some(index) = index {
        index.finish()?;
    }
    pass.lines.finish()?;
    progress.update(Phase::Pack, read as u64, Some(read as u64));
    Ok(pass)
}

/// A document's file name in `sources/`: the first 12 hex digits of its
/// SHA-256, `-`, its file name reduced to `[A-Za-z0-9._-]`.
fn source_name(sha256: &str, file_name: &str) -> String {
    let base = Path::new(file_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut slug: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if slug.is_empty() {
        slug.push_str("document");
    }
    format!("{}-{slug}", &sha256[..12.min(sha256.len())])
}

/// Writes the registry documents `eac` came from that are not `written`
/// yet (SHA-256s), adding them there, and a row of [`SOURCE_INDEX`] for
/// each of its documents (the file made with the first document).
fn write_sources(
    store: &Store,
    dir: &mut AtomicDir,
    eac: &Eac,
    written: &mut HashSet<String>,
    index: &mut Option<eac_store::atomic::DirFile>,
) -> Result<(), AppError> {
    for (n, source) in store.sources(&eac.cds_eac_id)?.iter().enumerate() {
        let name = format!(
            "{SOURCES_DIR}/{}",
            source_name(&source.sha256, &source.file_name)
        );
        let out = match index {
            Some(out) => out,
            None => {
                let mut out = dir.create_file(SOURCE_INDEX)?;
                index_row(&mut out, SOURCE_INDEX_HEADER.map(str::to_owned))?;
                index.insert(out)
            }
        };
        // Numbered as `eacdesk show` lists them; the place as it says it.
        index_row(
            out,
            [
                eac.cds_eac_id.clone(),
                (n + 1).to_string(),
                name.clone(),
                source.sha256.clone(),
                source.size.to_string(),
                source.format.clone(),
                source.locator.clone(),
                source.range_text.clone().unwrap_or_default(),
                source.file_name.clone(),
                source.imported_at.clone(),
            ],
        )?;
        if !written.insert(source.sha256.clone()) {
            continue;
        }
        let bytes = store.document(&source.sha256)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::Database,
                format!(
                    "The document {} that {} came from is no longer stored (SHA-256 {}); the database was changed by another program. Nothing was written.",
                    source.file_name, eac.cds_eac_id, source.sha256
                ),
            )
        })?;
        // `document` hashed the bytes: changed ones are `DocumentAltered`.
        if written.len() == 1 {
            dir.create_dir(SOURCES_DIR)?;
        }
        write_bytes(dir, &name, &bytes)?;
    }
    Ok(())
}

/// One row of [`SOURCE_INDEX`]: RFC 4180, CRLF, each cell guarded
/// against formula injection as every CSV of EAC Desk is.
fn index_row(out: &mut eac_store::atomic::DirFile, cells: [String; 10]) -> Result<(), AppError> {
    let mut line = cells
        .iter()
        .map(|c| eac_report::csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    let shown = out.shown().to_owned();
    out.write_all(line.as_bytes())
        .map_err(|e| AppError::io(&shown, &e))
}

/// The report and criteria results of every recorded claim that allocates
/// a value of an EAC in the pack (decision 181): `claims/claim-N.json`
/// (the `claims report --claim N --json` document) and `claim-N.csv`;
/// returns the claims written (the pack carries them), by number, as the
/// claim statement names them.
fn write_claims(
    store: &Store,
    dir: &mut AtomicDir,
    ids: &HashSet<String>,
) -> Result<Vec<eac_report::CarriedClaim>, AppError> {
    let mut written = Vec::new();
    for claim in store.claims()? {
        let touches = store
            .claim_allocations(claim.id)?
            .iter()
            .any(|a| ids.contains(a.cds_eac_id.as_str()));
        if !touches {
            continue;
        }
        let report =
            crate::claims::claim_report(store, crate::claims::ClaimRef::Recorded(claim.id), &[])?;
        if written.is_empty() {
            dir.create_dir(CLAIMS_DIR)?;
        }
        let json = serde_json::to_string_pretty(&report).expect("a report serializes") + "\n";
        let (csv_path, json_path) = (
            format!("{CLAIMS_DIR}/claim-{}.csv", claim.id),
            format!("{CLAIMS_DIR}/claim-{}.json", claim.id),
        );
        write_bytes(dir, &json_path, json.as_bytes())?;
        write_bytes(
            dir,
            &csv_path,
            crate::claims::claim_report_csv(&report).as_bytes(),
        )?;
        let r = &report.report;
        let beneficiaries = eac_report::id_list(&r.beneficiaries, ',');
        written.push(eac_report::CarriedClaim {
            id: claim.id,
            name: claim.name.clone(),
            // As the statement's groups say it (`account: acc-1`).
            beneficiary: if beneficiaries.is_empty() {
                r.beneficiary_type.clone()
            } else {
                format!("{}: {beneficiaries}", r.beneficiary_type)
            },
            period: format!("{} to {}", r.from, r.to),
            granularity: r.granularity.as_str().to_owned(),
            unit: r.unit.clone(),
            consumption: r.consumption.clone(),
            matched: r.matched.clone(),
            coverage_percent: r.coverage_percent.clone(),
            market_based_tco2e: r.market_based_tco2e.clone(),
            location_based_tco2e: r.location_based_tco2e.clone(),
            files: vec![csv_path, json_path],
        });
    }
    written.sort_by_key(|c| c.id);
    Ok(written)
}

fn write_bytes(dir: &AtomicDir, relative: &str, bytes: &[u8]) -> Result<String, AppError> {
    write_with(dir, relative, |out| out.write_all(bytes))
}

/// Writes the file `relative` of `dir` through `write` as it makes it;
/// returns its SHA-256.
fn write_with(
    dir: &AtomicDir,
    relative: &str,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<String, AppError> {
    let mut file = dir.create_file(relative)?;
    let shown = dir.shown(relative);
    write(&mut file).map_err(|e| AppError::io(&shown, &e))?;
    Ok(file.finish()?)
}

/// One line of `audit.jsonl`.
#[derive(Serialize, Deserialize)]
struct AuditLine {
    id: i64,
    prev_hash: Option<String>,
    hash: Option<String>,
    /// The hashed columns by name; `null`: redacted (a record of an EAC
    /// not in the pack).
    record: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Database-level records (`cds_eac_id` '') shown in every pack: they
/// hold no customer's data (exports, packs, periods, market factors,
/// reference data, column mappings). Any other database-level record is
/// redacted unless it is about a claim the pack carries: claims and
/// consumption name their customers, and their states hold their
/// allocations and consumption rows.
const SHOWN_DATABASE_ACTIONS: [AuditAction; 9] = [
    AuditAction::Export,
    AuditAction::Pack,
    AuditAction::PeriodClose,
    AuditAction::PeriodReopen,
    AuditAction::FactorSet,
    AuditAction::RefdataImport,
    AuditAction::RefdataRemove,
    AuditAction::MappingSave,
    AuditAction::MappingDelete,
];

/// Whether a pack of the EACs `ids`, carrying the claims `carried`, shows
/// the audit record `values` (in [`CONTENT_NAMES`] order) of the EAC
/// `cds_eac_id` ('' for the whole database): a record of one of its EACs;
/// a database-level record of [`SHOWN_DATABASE_ACTIONS`]; the
/// `claim_create` or `claim_delete` record of a carried claim (its
/// `after.claim` number). Every other record is redacted.
fn shown_in_pack(
    cds_eac_id: Option<&str>,
    values: &[serde_json::Value],
    ids: &HashSet<String>,
    carried: &HashSet<i64>,
) -> bool {
    let Some(id) = cds_eac_id else {
        return false;
    };
    if !id.is_empty() {
        return ids.contains(id);
    }
    let member = |name: &str| {
        CONTENT_NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values.get(i))
            .and_then(serde_json::Value::as_str)
    };
    let Some(action) = member("action") else {
        return false;
    };
    if SHOWN_DATABASE_ACTIONS.iter().any(|a| a.as_str() == action) {
        return true;
    }
    if action != AuditAction::ClaimCreate.as_str() && action != AuditAction::ClaimDelete.as_str() {
        return false;
    }
    member("after")
        .and_then(|after| serde_json::from_str::<serde_json::Value>(after).ok())
        .and_then(|after| after.get("claim")?.as_str()?.parse::<i64>().ok())
        .is_some_and(|claim| carried.contains(&claim))
}

/// Writes the whole audit chain, redacting the records of other EACs and
/// the database-level records about other customers ([`shown_in_pack`]);
/// returns its head and record count.
fn write_audit(
    store: &Store,
    dir: &AtomicDir,
    ids: &HashSet<String>,
    carried: &HashSet<i64>,
) -> Result<(Option<String>, usize), AppError> {
    let shown = dir.shown(AUDIT_FILE);
    let mut out = dir.create_file(AUDIT_FILE)?;
    let mut head: Option<String> = None;
    let mut count = 0usize;
    store.each_audit_row(&mut |row| {
        let shown_here = shown_in_pack(row.cds_eac_id.as_deref(), &row.values, ids, carried);
        let record = shown_here.then(|| {
            CONTENT_NAMES
                .iter()
                .zip(row.values.iter())
                // A record with no server login (made on a file) is written
                // as packs held it before logins were recorded.
                .filter(|(k, v)| !(**k == LOGIN_MEMBER && v.is_null()))
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect()
        });
        let line = AuditLine {
            id: row.id,
            prev_hash: row.prev_hash,
            hash: row.hash,
            record,
        };
        head.clone_from(&line.hash);
        count += 1;
        let mut text = serde_json::to_string(&line).expect("an audit line serializes");
        text.push('\n');
        out.write_all(text.as_bytes()).map_err(|e| StoreError::Io {
            path: shown.clone(),
            source: e,
        })
    })?;
    out.finish()?;
    Ok((head, count))
}

/// Every regular file under `root` but the manifest and its signature,
/// as relative paths, sorted.
fn file_paths(root: &Path) -> Result<Vec<String>, AppError> {
    let mut walk = Walk::default();
    walk.run(root, "").map_err(|(p, e)| AppError::io(&p, &e))?;
    let mut files: Vec<String> = walk
        .files
        .into_iter()
        .filter(|relative| relative != MANIFEST_FILE && relative != SIGNATURE_FILE)
        .collect();
    files.sort();
    Ok(files)
}

/// `MANIFEST.json` as it is written: [`Manifest`]'s fields in its order
/// (a test compares the two), its files hashed one at a time as the list
/// is written, so that a pack of a million files never holds their
/// entries nor the manifest's text.
#[derive(Serialize)]
struct ManifestOut<'a> {
    format: &'a str,
    title: &'a str,
    created_at: &'a str,
    program: &'a ManifestProgram,
    filter: &'a EacFilter,
    selection: &'a str,
    counts: &'a ManifestCounts,
    totals: &'a [QuantityTotal],
    closed_periods: &'a [ClosedPeriodEntry],
    audit: &'a ManifestAudit,
    key: &'a ManifestKey,
    files: HashedFiles<'a>,
}

/// The files under `root` (relative paths, sorted), serialized as their
/// [`ManifestFile`] entries, each file read and hashed when its entry is
/// written; the first file that could not be read is kept in `failed`.
struct HashedFiles<'a> {
    root: &'a Path,
    paths: &'a [String],
    /// Told the files hashed (`pack_manifest`), asked whether to stop.
    progress: &'a dyn Progress,
    failed: std::cell::RefCell<Option<(PathBuf, io::Error)>>,
    cancelled: std::cell::Cell<bool>,
}

impl<'a> HashedFiles<'a> {
    fn new(root: &'a Path, paths: &'a [String], progress: &'a dyn Progress) -> HashedFiles<'a> {
        HashedFiles {
            root,
            paths,
            progress,
            failed: std::cell::RefCell::new(None),
            cancelled: std::cell::Cell::new(false),
        }
    }
}

impl Serialize for HashedFiles<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq as _};
        let mut seq = s.serialize_seq(Some(self.paths.len()))?;
        let total = Some(self.paths.len() as u64);
        self.progress.update(Phase::PackManifest, 0, total);
        for (n, relative) in self.paths.iter().enumerate() {
            if n > 0 && n.is_multiple_of(REPORT_EVERY) {
                if self.progress.is_cancelled() {
                    self.cancelled.set(true);
                    return Err(S::Error::custom("cancelled"));
                }
                self.progress.update(Phase::PackManifest, n as u64, total);
            }
            let path = self.root.join(relative);
            match hash_file(&path) {
                Ok((size, sha256)) => seq.serialize_element(&ManifestFile {
                    path: relative.clone(),
                    size,
                    sha256,
                })?,
                Err(e) => {
                    self.failed.replace(Some((path, e)));
                    return Err(S::Error::custom("a file of the pack could not be read"));
                }
            }
        }
        self.progress
            .update(Phase::PackManifest, self.paths.len() as u64, total);
        seq.end()
    }
}

fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    hash_open(fs::File::open(path)?)
}

/// [`hash_file`] of a file already open, read to its end.
fn hash_open(file: impl io::Read) -> io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let size = keys::read_pieces(file, |piece| hasher.update(piece))?;
    Ok((size, hex::encode(hasher.finalize())))
}

/// Writes `MANIFEST.json` and its signature; returns the manifest's
/// SHA-256 and how many files it lists.
fn write_manifest(
    dir: &AtomicDir,
    manifest: &ManifestOut,
    key: &PackKey,
) -> Result<(String, usize), AppError> {
    let written = write_with(dir, MANIFEST_FILE, |out| {
        let mut out = io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, manifest).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
        out.flush()
    });
    if let Some((path, e)) = manifest.files.failed.take() {
        return Err(AppError::io(&path, &e));
    }
    if manifest.files.cancelled.get() {
        return Err(AppError::cancelled());
    }
    let sha256 = written?;
    // Signed as written, read back from the file (twice: Ed25519 hashes
    // the message twice) rather than held in memory.
    let shown = dir.shown(MANIFEST_FILE);
    let signature = key
        .sign_file(&dir.path().join(MANIFEST_FILE))
        .map_err(|e| AppError::io(&shown, &e))?;
    write_bytes(dir, SIGNATURE_FILE, format!("{signature}\n").as_bytes())?;
    Ok((sha256, manifest.files.paths.len()))
}

/// A folder's entries without following links: regular files, folders,
/// and anything else (links, devices), as relative `/`-separated paths.
#[derive(Default)]
struct Walk {
    files: Vec<String>,
    folders: Vec<String>,
    other: Vec<String>,
}

impl Walk {
    fn run(&mut self, root: &Path, relative: &str) -> Result<(), (PathBuf, io::Error)> {
        walk_each(root, relative, &mut |path, kind| match kind {
            EntryKind::File => self.files.push(path.to_owned()),
            EntryKind::Folder => self.folders.push(path.to_owned()),
            EntryKind::Other => self.other.push(path.to_owned()),
        })
    }
}

/// What a folder entry is, links not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    File,
    Folder,
    /// A symbolic link, device, socket or pipe.
    Other,
}

/// Calls `visit` with every entry under `root/relative` as a relative
/// `/`-separated path, a folder before what it holds, in the order the
/// system lists them, without following links and without holding the
/// names.
fn walk_each(
    root: &Path,
    relative: &str,
    visit: &mut dyn FnMut(&str, EntryKind),
) -> Result<(), (PathBuf, io::Error)> {
    let here = if relative.is_empty() {
        root.to_owned()
    } else {
        root.join(relative)
    };
    let entries = fs::read_dir(&here).map_err(|e| (here.clone(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (here.clone(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if relative.is_empty() {
            name
        } else {
            format!("{relative}/{name}")
        };
        let kind = entry.file_type().map_err(|e| (entry.path(), e))?;
        if kind.is_dir() {
            visit(&path, EntryKind::Folder);
            walk_each(root, &path, visit)?;
        } else if kind.is_file() {
            visit(&path, EntryKind::File);
        } else {
            visit(&path, EntryKind::Other);
        }
    }
    Ok(())
}

/// What is at a pack's destination.
enum Destination {
    Missing,
    Empty,
    /// An EAC Desk pack holding exactly its manifest's files: those files.
    Pack(Vec<String>),
}

/// A pack replaces only an empty folder or an earlier pack that holds
/// nothing but the files its manifest lists (and the manifest and its
/// signature); anything else is refused naming what is there.
fn inspect_destination(dir: &Path) -> Result<Destination, AppError> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Destination::Missing),
        Err(e) => return Err(AppError::io(dir, &e)),
    };
    let refuse = |why: String| {
        AppError::invalid_input(format!(
            "{} {why}; nothing was written. Choose a new or empty folder for the pack, or an earlier pack to replace.",
            dir.display()
        ))
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("is a symbolic link, not a folder".to_owned()));
    }
    if !meta.is_dir() {
        return Err(refuse("is a file, not a folder".to_owned()));
    }
    let mut walk = Walk::default();
    walk.run(dir, "").map_err(|(p, e)| AppError::io(&p, &e))?;
    if walk.files.is_empty() && walk.other.is_empty() && walk.folders.is_empty() {
        return Ok(Destination::Empty);
    }
    let Some((_, owned)) = manifest_files(dir).filter(|(m, _)| m.format == PACK_FORMAT) else {
        let mut held: Vec<String> = walk.files.into_iter().chain(walk.other).collect();
        held.extend(walk.folders.into_iter().map(|f| format!("{f}/")));
        return Err(refuse(format!(
            "already exists and is not an EAC Desk evidence pack (it holds {})",
            first_few(held)
        )));
    };
    let folders: HashSet<String> = owned.iter().flat_map(|f| ancestors(f)).collect();
    let mut foreign: Vec<String> = walk
        .files
        .iter()
        .filter(|f| !owned.contains(*f))
        .cloned()
        .chain(walk.other)
        .collect();
    foreign.extend(
        walk.folders
            .iter()
            .filter(|f| !folders.contains(*f))
            .map(|f| format!("{f}/")),
    );
    if !foreign.is_empty() {
        return Err(AppError::invalid_input(format!(
            "{} is an EAC Desk evidence pack but also holds files EAC Desk did not write ({}); nothing was written and they are untouched. Move them out of the folder, or choose a new folder for the pack.",
            dir.display(),
            first_few(foreign)
        )));
    }
    Ok(Destination::Pack(walk.files))
}

/// The pack in `dir`'s manifest and the files it owns by it (those the
/// manifest lists, the manifest and its signature); `None` without a
/// readable manifest.
fn manifest_files(dir: &Path) -> Option<(Manifest, HashSet<String>)> {
    let mut owned: HashSet<String> = HashSet::new();
    let verify::InPack::File(file) = verify::open_in_pack(&dir.join(MANIFEST_FILE)).ok()? else {
        return None;
    };
    let manifest = verify::read_manifest(file, |f| {
        owned.insert(f.path);
        true
    })
    .ok()?;
    owned.insert(MANIFEST_FILE.to_owned());
    owned.insert(SIGNATURE_FILE.to_owned());
    Some((manifest, owned))
}

/// `a/b/c.json` → `a`, `a/b`.
fn ancestors(relative: &str) -> Vec<String> {
    relative
        .match_indices('/')
        .map(|(i, _)| relative[..i].to_owned())
        .collect()
}

fn first_few(mut names: Vec<String>) -> String {
    names.sort();
    eac_model::words::first_named(&names, 3, names.len())
}

/// Removes an earlier pack's files (`owned`) and then its emptied folders;
/// anything else stays. Best effort: what cannot be removed is left.
fn remove_pack_files(dir: &Path, owned: &[String]) {
    for relative in owned {
        let path = dir.join(relative);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let _ = fs::remove_file(&path);
        }
    }
    let mut folders: Vec<String> = owned.iter().flat_map(|f| ancestors(f)).collect();
    folders.sort();
    folders.dedup();
    // Deepest first.
    folders.sort_by_key(|f| std::cmp::Reverse(f.matches('/').count()));
    for folder in folders {
        let _ = fs::remove_dir(dir.join(folder));
    }
    let _ = fs::remove_dir(dir);
}

mod compare;
mod settle;
mod verify;
pub use compare::{PackAuditChange, PackClaimChange, PackPartChange, PackSourceChange};
use eac_store::NoProgress;
pub use verify::{verify_pack, verify_pack_with};

/// [`pack_diff`]'s record of a packed EAC: this, then its digest in hex.
const PACKED: &str = "p";
/// [`pack_diff`]'s record of an EAC that matches the pack's filter now.
const CURRENT: &str = "c";
/// [`pack_diff`]'s record of a value of an EAC that a claim recorded since
/// the pack allocates: this, then the claim's number.
const CLAIMED: &str = "k";

/// The SHA-256 of an EAC's P1 object as EAC Desk serializes it: equal
/// digests, equal EACs. The one digest of an EAC: the pack's verification
/// compares `eacs.json` with the bundle by it, `pack diff` the packed EACs
/// with the database.
pub(super) fn eac_digest(eac: &Eac) -> [u8; 32] {
    Sha256::digest(serde_json::to_vec(eac).expect("an EAC serializes")).into()
}

// ---------------------------------------------------------------------------
// What changed since

/// What changed in the database since the pack in `dir` was made: EACs
/// that match its filter now and are not in it, EACs in it that no longer
/// match (or were deleted), EACs whose P1 object differs now, each with
/// its audit records since the pack's audit head; the pack's record in
/// `packs` when it was made here, and the pack's own verdict.
pub fn pack_diff(store: &Store, dir: &Path) -> Result<PackDiff, AppError> {
    pack_diff_with(store, dir, &NoProgress)
}

/// [`pack_diff`] reporting what it does (the pack verified as
/// [`verify_pack_with`] reports it, its EACs read as `pack`, then the ids
/// compared as `pack_compare`) and stopping with `cancelled` when asked
/// to.
pub fn pack_diff_with(
    store: &Store,
    dir: &Path,
    progress: &dyn Progress,
) -> Result<PackDiff, AppError> {
    // A pack to this folder interrupted after its swap: the place is
    // settled first, so that the pack compared is the one the database
    // records there.
    let settled_first = match final_location(dir) {
        Ok(place) => settle::settle(store, atomic::folder_of(&place), Some(&place), None)?,
        Err(_) => Vec::new(),
    };
    // What settling did (or left alone) is said with a refusal too.
    let with_settled = |e: AppError| match settled_words(&settled_first) {
        Some(words) => {
            let stop = if e.message.ends_with('.') { "" } else { "." };
            let message = format!("{}{stop} {words}", e.message);
            e.with_message(message)
        }
        None => e,
    };
    let verdict =
        verify::verify_steps(dir, None, progress, VERIFY_STEPS + 2).map_err(with_settled)?;
    // A folder with none of a pack's files was refused as no pack (exit
    // 2); one that has some but no readable manifest is a pack that does
    // not verify (exit 1, as `pack verify` says it).
    let Some(manifest) = verdict.manifest.clone() else {
        return Err(with_settled(AppError::new(
            ErrorCode::Validation,
            format!(
                "The evidence pack {} does not verify and has no readable {MANIFEST_FILE}, so there is nothing to compare it with; nothing was compared (`eacdesk pack verify {}` names every problem of the pack)",
                dir.display(),
                dir.display()
            ),
        )));
    };
    let record = match &verdict.manifest_sha256 {
        Some(sha) => store.pack_by_manifest(sha)?,
        None => None,
    };
    let (not_the_recorded, key_recorded) = match &record {
        Some(_) => (None, true),
        None => compare::recorded_like(store, &manifest)?,
    };
    // The pack as made is no basis when its listing, manifest or
    // signature fails verification, or when it is not the pack recorded
    // at its moment: what differs without an audit record may then be
    // the pack's change, and is not called one made outside EAC Desk.
    let pack_changed = verdict
        .problems
        .iter()
        .any(|p| [LISTING_FILE, MANIFEST_FILE, SIGNATURE_FILE].contains(&p.file.as_str()));
    let basis_as_made = !pack_changed && not_the_recorded.is_none();
    let head = manifest.audit.head.as_deref();
    let number = head.and_then(|h| settle::head_number(dir, h));
    let since = store.audit_since(head, number)?;
    let head_found = since.is_some();
    // Made here, and its head is gone: the history up to the pack was
    // changed. Its records are compared by number, and the records since
    // are those numbered after its last (decision 120).
    let history_changed = !head_found && record.is_some();
    let (since, audit_changes, audit_changes_more) = if history_changed {
        let last = number.unwrap_or(i64::try_from(manifest.audit.records).unwrap_or(i64::MAX));
        let (changes, more) = compare::compare_audit(store, dir, last)?;
        (store.audit_records_after(last)?, changes, more)
    } else {
        (since.unwrap_or_default(), Vec::new(), 0)
    };
    // What the database's log says happened since the pack (no record of
    // an EAC's change then means it was made outside EAC Desk, when the
    // pack compared is as it was made).
    let records_known = (head_found || history_changed) && basis_as_made;
    let mut by_eac: HashMap<String, Vec<AuditRecord>> = HashMap::new();
    for r in since {
        by_eac.entry(r.cds_eac_id.clone()).or_default().push(r);
    }
    let mut database_records = by_eac.remove("").unwrap_or_default();
    let mut records_of = |id: &str| by_eac.remove(id).unwrap_or_default();

    // Every packed EAC (its id and the SHA-256 of its P1 object) and every
    // EAC that matches the pack's filter now, kept on disk under its id and
    // read back by id: a pack of a million EACs is compared in the memory
    // of one of ten.
    let compared = |e: io::Error| {
        AppError::scratch(
            &std::env::temp_dir(),
            &e,
            ["compare the pack with the database", ""],
            "Nothing was changed",
            "try again",
        )
    };
    let mut ids = eac_store::Spill::new().map_err(compared)?;
    // Read twice, as opened once: a regular file, never through a link.
    let listing = dir.join(LISTING_FILE);
    let listing_file = match verify::open_in_pack(&listing) {
        Ok(verify::InPack::File(file)) => file,
        Ok(verify::InPack::Missing) => {
            return Err(AppError::io(&listing, &io::ErrorKind::NotFound.into()))
        }
        Ok(verify::InPack::Not(kind)) => {
            return Err(verify::refused_in_pack(dir, LISTING_FILE, kind))
        }
        Err(e) => return Err(AppError::io(&listing, &e)),
    };
    let listing_again = || verify::rewound(&listing_file).map_err(|e| AppError::io(&listing, &e));
    let eacs = Some(manifest.counts.eacs as u64);
    let mut read = 0u64;
    progress.step(VERIFY_STEPS + 1, VERIFY_STEPS + 2);
    progress.update(Phase::Pack, 0, eacs);
    each_listing_eac_in(listing_again()?, &listing, |e| {
        read += 1;
        if read.is_multiple_of(REPORT_EVERY as u64) {
            if progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            progress.update(Phase::Pack, read, eacs);
        }
        let record = format!("{PACKED}{}", hex::encode(eac_digest(&e)));
        ids.push(e.cds_eac_id.as_bytes(), &record).map_err(compared)
    })?;
    progress.update(Phase::Pack, read, eacs);
    let by_id = eac_store::SortSpec {
        field: eac_store::SortField::CdsEacId,
        descending: false,
    };
    let scratch = ids.path().to_owned();
    store
        .browse_each(&manifest.filter, by_id, None, &mut |row| {
            ids.push(row.cds_eac_id.as_bytes(), CURRENT)
                .map_err(|source| StoreError::Io {
                    path: scratch.clone(),
                    source,
                })
        })
        .map_err(|e| match e {
            StoreError::Io { path, source } if path == scratch => compared(source),
            e => e.into(),
        })?;
    // The claims the pack carries; those recorded since that it does not
    // are the pack's when they allocate a value of an EAC in it. Only for
    // a pack of this database: another numbers its claims otherwise.
    let ours = record.is_some() || head_found;
    let packed_claims = if ours {
        compare::packed_claims(dir)?
    } else {
        Default::default()
    };
    let made = Timestamp::parse(&manifest.created_at).ok();
    if ours {
        for claim in store.claims()? {
            let later = Timestamp::parse(&claim.created_at)
                .ok()
                .zip(made)
                .is_none_or(|(at, made)| at > made);
            if packed_claims.contains(&claim.id) || !later {
                continue;
            }
            let mark = format!("{CLAIMED}{}", claim.id);
            for a in store.claim_allocations(claim.id)? {
                ids.push(a.cds_eac_id.as_bytes(), &mark).map_err(compared)?;
            }
        }
    }

    let mut added = Vec::new();
    let mut edited = Vec::new();
    let mut removed = Vec::new();
    let mut unchanged = 0;
    let mut claims_added: std::collections::BTreeSet<i64> = Default::default();
    // One id's records: its packed digest (pushed first), whether it
    // matches now, the claims since that allocate it.
    let mut id: Vec<u8> = Vec::new();
    let mut packed: Option<String> = None;
    let mut now = false;
    let mut claimed: Vec<i64> = Vec::new();
    let mut failed: Option<AppError> = None;
    let ids_in_all = ids.keys().map_err(compared)? as u64;
    let all = Some(ids_in_all);
    progress.step(VERIFY_STEPS + 2, VERIFY_STEPS + 2);
    let mut settled = 0u64;
    progress.update(Phase::PackCompare, 0, all);
    let mut settle = |id: &[u8],
                      packed: Option<String>,
                      now: bool,
                      claimed: &mut Vec<i64>|
     -> Result<(), AppError> {
        settled += 1;
        if settled.is_multiple_of(REPORT_EVERY as u64) {
            if progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            progress.update(Phase::PackCompare, settled, all);
        }
        if packed.is_some() {
            claims_added.extend(claimed.iter().copied());
        }
        claimed.clear();
        let id = String::from_utf8_lossy(id).into_owned();
        let change = |records| PackEacChange {
            cds_eac_id: id.clone(),
            deleted: false,
            records,
            fields: Vec::new(),
            fields_more: 0,
            unrecorded: false,
        };
        match (packed, now) {
            (None, true) => added.push(change(records_of(&id))),
            (Some(digest), true) => {
                if hex::encode(eac_digest(&store.eac(&id)?)) == digest {
                    unchanged += 1;
                } else {
                    edited.push(change(records_of(&id)));
                }
            }
            (Some(_), false) => {
                let deleted = match store.eac(&id) {
                    Ok(_) => false,
                    Err(StoreError::NotFound(_)) => true,
                    Err(e) => return Err(e.into()),
                };
                removed.push(PackEacChange {
                    deleted,
                    ..change(records_of(&id))
                });
            }
            (None, false) => {}
        }
        Ok(())
    };
    let read = ids.each(&mut |key, record| {
        if key != id.as_slice() {
            if packed.is_some() || now || !claimed.is_empty() {
                if let Err(e) = settle(&id, packed.take(), now, &mut claimed) {
                    failed = Some(e);
                    return Err(io::Error::other("stopped"));
                }
            }
            id.clear();
            id.extend_from_slice(key);
            now = false;
        }
        if let Some(digest) = record.strip_prefix(PACKED) {
            packed = Some(digest.to_owned());
        } else if let Some(claim) = record.strip_prefix(CLAIMED) {
            claimed.extend(claim.parse::<i64>().ok());
        } else {
            now = true;
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read.map_err(compared)?;
    if packed.is_some() || now || !claimed.is_empty() {
        settle(&id, packed, now, &mut claimed)?;
    }
    progress.update(Phase::PackCompare, ids_in_all, all);
    drop(ids);

    // An EAC edited, or no longer matching, with no audit record since:
    // what differs between its packed and current P1 object, from the
    // pack's listing read again for those EACs only.
    let mut wanted: HashMap<String, (bool, usize)> = HashMap::new();
    for (at, c) in edited.iter_mut().enumerate() {
        if c.records.is_empty() {
            c.unrecorded = records_known;
            wanted.insert(c.cds_eac_id.clone(), (true, at));
        }
    }
    for (at, c) in removed.iter_mut().enumerate() {
        if c.records.is_empty() {
            if c.deleted {
                c.unrecorded = records_known;
            } else {
                wanted.insert(c.cds_eac_id.clone(), (false, at));
            }
        }
    }
    if !wanted.is_empty() {
        let mut read = 0u64;
        each_listing_eac_in(listing_again()?, &listing, |was| {
            read += 1;
            if read.is_multiple_of(REPORT_EVERY as u64) && progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            let Some(&(is_edited, at)) = wanted.get(&was.cds_eac_id) else {
                return Ok(());
            };
            let now = store.eac(&was.cds_eac_id)?;
            let (fields, more) = compare::json_changes(
                &serde_json::to_value(&was).expect("an EAC serializes"),
                &serde_json::to_value(&now).expect("an EAC serializes"),
            );
            let change = if is_edited {
                &mut edited[at]
            } else {
                &mut removed[at]
            };
            // No longer matching without a change of its own (a filter
            // that reads more than the EAC) is no edit outside EAC Desk.
            change.unrecorded = records_known && !fields.is_empty();
            change.fields = fields;
            change.fields_more = more;
            Ok(())
        })?;
    }
    let claims = compare::compare_claims(
        store,
        dir,
        &packed_claims,
        &claims_added,
        &mut database_records,
    )?;
    let sources = compare::compare_sources(store, dir)?;
    Ok(PackDiff {
        path: dir.display().to_string(),
        record,
        verdict,
        head_found,
        not_the_recorded,
        key_recorded,
        pack_changed,
        history_changed,
        audit_changes,
        audit_changes_more,
        added,
        removed,
        edited,
        unchanged,
        claims,
        sources,
        database_records,
        recovered: settled_words(&settled_first),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk while the pack's listing is written is said of the
    /// pack's folder, never of the hidden folder it is made in.
    #[test]
    fn a_full_disk_is_said_of_the_pack_not_its_hidden_folder() {
        for kind in [
            std::io::ErrorKind::StorageFull,
            std::io::ErrorKind::FileTooLarge,
        ] {
            let inner = AppError::io(
                Path::new("/mnt/x/.eacdesk-bundle-awwKjh/eacs.json"),
                &std::io::Error::from(kind),
            );
            let e = pack_refused(
                Path::new("/mnt/x/pk"),
                Path::new("/mnt/x/.eacdesk-bundle-awwKjh"),
                inner,
            );
            assert!(
                e.message.starts_with("Nothing was written to /mnt/x/pk: "),
                "{}",
                e.message
            );
            assert!(!e.message.contains(".eacdesk-"), "{}", e.message);
        }
    }

    /// A listing the pack could not write is said of the pack's folder,
    /// its violations too, never of the hidden folder it is made in.
    #[test]
    fn a_refused_listing_is_said_of_the_pack_not_its_hidden_folder() {
        let hidden = "/mnt/x/.eacdesk-bundle-awwKjh";
        let listing = format!("{hidden}/eacs.json");
        let mut inner = AppError::new(
            ErrorCode::Validation,
            format!("{listing}: 1 rule violation; nothing was written."),
        );
        inner.details.violations = Some(vec![eac_model::Violation::error(
            eac_model::Rule::ValueQuantities,
            "/values",
            "envelope-only",
        )
        .with_eac(Some("dk1"))
        .with_file(&listing)]);
        let e = pack_refused(Path::new("/mnt/x/pk [1]"), Path::new(hidden), inner);
        assert!(
            e.message
                .contains("(/mnt/x/pk [1]/eacs.json: 1 rule violation"),
            "{}",
            e.message
        );
        let v = &e.violations()[0];
        assert_eq!(v.file.as_deref(), Some("/mnt/x/pk [1]/eacs.json"));
        assert_eq!(v.cds_eac_id.as_deref(), Some("dk1"));
        assert!(!format!("{e:?}").contains(".eacdesk-"), "{e:?}");
    }

    #[test]
    fn the_manifest_written_piece_by_piece_is_the_manifest_serialized_whole() {
        // ManifestOut must say what Manifest says, field for field: the
        // same bytes as serde_json's pretty layout of the Manifest.
        let dir = tempfile::tempdir().unwrap();
        let names = ["eacs.json", "p2/eacs/a \"b\" ø.json", "sources/x.pdf"];
        for (i, n) in names.iter().enumerate() {
            let path = dir.path().join(n);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, vec![b'x'; i * 70_000]).unwrap();
        }
        fs::write(dir.path().join(MANIFEST_FILE), "old").unwrap();
        let paths = file_paths(dir.path()).unwrap();
        let filter = EacFilter {
            search: Some("ørsted".to_owned()),
            ..EacFilter::default()
        };
        let whole = Manifest {
            format: PACK_FORMAT.to_owned(),
            title: "FY \"2024\"".to_owned(),
            created_at: "2026-12-05T10:00:00Z".to_owned(),
            program: ManifestProgram {
                name: "EAC Desk".to_owned(),
                version: "1.2.3".to_owned(),
            },
            filter: filter.clone(),
            selection: "all".to_owned(),
            counts: ManifestCounts {
                eacs: 3,
                values: 7,
                sources: 1,
                audit_records: 9,
                claims: Some(2),
            },
            totals: vec![QuantityTotal {
                unit: EnergyUnit::MWh,
                total: "1000.0".to_owned(),
            }],
            closed_periods: Vec::new(),
            audit: ManifestAudit {
                head: Some("ab".repeat(32)),
                records: 9,
            },
            key: ManifestKey {
                algorithm: "ed25519".to_owned(),
                public_key: "cd".repeat(32),
                fingerprint: "0123-4567".to_owned(),
            },
            files: paths
                .iter()
                .map(|p| {
                    let (size, sha256) = hash_file(&dir.path().join(p)).unwrap();
                    ManifestFile {
                        path: p.clone(),
                        size,
                        sha256,
                    }
                })
                .collect(),
        };
        let out = ManifestOut {
            format: &whole.format,
            title: &whole.title,
            created_at: &whole.created_at,
            program: &whole.program,
            filter: &whole.filter,
            selection: &whole.selection,
            counts: &whole.counts,
            totals: &whole.totals,
            closed_periods: &whole.closed_periods,
            audit: &whole.audit,
            key: &whole.key,
            files: HashedFiles::new(dir.path(), &paths, &NoProgress),
        };
        assert_eq!(whole.files.len(), 3, "the manifest itself is not listed");
        assert_eq!(
            serde_json::to_string_pretty(&out).unwrap(),
            serde_json::to_string_pretty(&whole).unwrap()
        );
        // A file that cannot be read is named, not skipped.
        fs::remove_file(dir.path().join("sources/x.pdf")).unwrap();
        let out = ManifestOut {
            files: HashedFiles::new(dir.path(), &paths, &NoProgress),
            ..out
        };
        assert!(serde_json::to_string_pretty(&out).is_err());
        let (path, e) = out.files.failed.take().unwrap();
        assert!(path.ends_with("sources/x.pdf"), "{}", path.display());
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn source_names_start_with_the_hash_and_never_leave_the_folder() {
        let sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            source_name(sha, "stmt 2024.pdf"),
            "0123456789ab-stmt_2024.pdf"
        );
        assert_eq!(source_name(sha, "../../etc/passwd"), "0123456789ab-passwd");
        assert_eq!(source_name(sha, ""), "0123456789ab-document");
    }

    #[test]
    fn the_selection_is_said_in_plain_words() {
        assert_eq!(
            selection_words(&EacFilter::default()),
            "every EAC in the database"
        );
        let f = EacFilter {
            from: Some("2024-01-01".into()),
            to: Some("2024-12-31".into()),
            source: Some("REGO".into()),
            ..EacFilter::default()
        };
        assert_eq!(
            selection_words(&f),
            "EACs with period overlapping 2024-01-01 to 2024-12-31, source REGO"
        );
        // `--complete` and friends read as words (a tester's finding:
        // "EACs with complete").
        let complete = EacFilter {
            incomplete: Some(false),
            ..EacFilter::default()
        };
        assert_eq!(selection_words(&complete), "complete EACs");
        let f = EacFilter {
            search: Some(" wind ".into()),
            technology: Some(eac_model::TechnologyType::Wind),
            missing_emissions: Some(true),
            incomplete: Some(true),
            ..EacFilter::default()
        };
        assert_eq!(
            selection_words(&f),
            "incomplete EACs matching \"wind\", with technology wind, missing an emission factor"
        );
        let f = EacFilter {
            missing_emissions: Some(false),
            incomplete: Some(false),
            source: Some("REGO".into()),
            ..EacFilter::default()
        };
        assert_eq!(
            selection_words(&f),
            "complete EACs with source REGO, both emission factors"
        );
    }
}
