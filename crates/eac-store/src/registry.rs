//! Registry documents in the store: one document is one import transaction
//! (like a CDS file). The EACs its ranges became are added, left as they
//! are (the same range again) or replaced (audited) when the registry now
//! says something else, keeping what the user completed; the document's
//! bytes are kept once per SHA-256 with which EAC came from where in it;
//! each range is stored as numbers so that overlapping ranges, across
//! documents and formats, are found (on import as warnings, by
//! [`crate::Store::check`] as findings). A stations report fills the
//! commissioning dates of EACs from those stations, audited.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use bigdecimal::BigDecimal;
use eac_model::{check_eac, CheckOptions, Date, Eac, EacRead, Extensions, Flow, Rule, Violation};
use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::import::Batch;
use crate::rows::{self, count};
use crate::write::{Reason, Write};
use crate::{history, AuditAction, FileImportReport, Progress, Result};

/// One EAC read from a registry document, with where it was read and the
/// certificate range it covers.
#[derive(Debug, Clone)]
pub struct RegistryEac {
    pub eac: Eac,
    /// `line 12`, `page 1`, …
    pub locator: String,
    /// The range as printed (`first – last`).
    pub range_text: String,
    pub range: Option<CertRange>,
    /// The document's status is one its registry gives certificates that
    /// count for no one (revoked, withdrawn, expired), as the registry's
    /// reader knows its words (`eac_registry::Status::is_reversal`): a
    /// stored claim the document does not repeat goes back (decision
    /// 256(a)). Never inferred from the status text here: a word one
    /// registry uses for a reversal may be another's mistake (an Ofgem
    /// file saying `Withdrawn`, decision 292).
    pub reverses_claim: bool,
    /// The members (`eacdesk_*`) the reader says describe the status or
    /// the claim (`eac_registry::claim_members`: certificate status,
    /// status date, retirement reason and account, transaction date, …):
    /// a stored claim the document does not repeat keeps its own values
    /// of these (decision 304). `eacdesk_status` always counts.
    pub claim_members: Vec<String>,
}

/// A certificate range as numbers: `series` and the sequence numbers of
/// its first and last certificate (digits, optionally `.` and fraction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRange {
    pub registry: String,
    pub series: String,
    pub first: String,
    pub last: String,
    pub first_seq: String,
    pub last_seq: String,
}

/// A station of an accredited stations report.
#[derive(Debug, Clone)]
pub struct StationInfo {
    pub asset_id: String,
    pub name: Option<String>,
    pub capacity: Option<String>,
    pub commissioned: Option<Date>,
    pub facts: Vec<(String, String)>,
}

/// A document a reader has read, ready to be stored.
#[derive(Debug, Clone)]
pub struct RegistryDocument<'a> {
    pub file_name: &'a str,
    /// The reader's format id and name (`irec-pdf`, "I-REC redemption …").
    pub format: &'a str,
    pub format_name: &'a str,
    /// The saved column mapping a mapped CSV was read with (its name, as
    /// saved): the audit records of the EACs the document restates name
    /// it, and a reading that differs from the same bytes' earlier one is
    /// said to come from the mapping, not from the registry.
    pub mapping: Option<&'a str>,
    pub bytes: &'a [u8],
    pub eacs: Vec<RegistryEac>,
    pub stations: Vec<StationInfo>,
    /// Rows the reader left out, and why.
    pub skipped: Vec<SkippedEntry>,
    /// The reader's warnings, located.
    pub warnings: Vec<SkippedEntry>,
    /// Accept `nuclear`, `marine` and `storage` (outside the draft list,
    /// digest §f.5), as an import of a listing does only when asked
    /// (decision 9): a statement holding one is refused otherwise.
    pub allow_extended_technologies: bool,
    /// Ranges the document says were split into others (EnergyTag's
    /// `Bundle Split`): a stored EAC of one is replaced by the document's
    /// EACs that hold exactly its certificates, or kept with a warning
    /// saying why and what to do ([`split_parents`]).
    pub splits: Vec<SplitParent>,
    /// The register splits a row into parts as they change status or
    /// holder, and a download lists only the parts (the Ofgem
    /// certificates report): a stored EAC of the document's registry that
    /// the document does not list, whose certificates the document's
    /// ranges hold exactly (each once, none outside, of its series: the
    /// station and period code), with its production period, issue date
    /// and energy, is replaced by them as a split the document says is
    /// ([`split_parents`]); otherwise the overlap is warned about.
    pub split_rows: bool,
}

/// A range a registry document says was split into other ranges, which
/// hold its certificates now (EnergyTag's `Bundle Split`).
#[derive(Debug, Clone)]
pub struct SplitParent {
    /// The id an EAC of the range has (`<registry>:<first>..<last>`).
    pub cds_eac_id: String,
    /// Where the document states it (`JSON pointer /0`).
    pub locator: String,
    pub range: CertRange,
    /// Its status as printed (`Bundle Split`).
    pub status: String,
}

/// A located note: a skipped row or a reader's warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkippedEntry {
    /// `line 12`, `page 1`, …
    pub place: String,
    pub reason: String,
}

/// What a registry document's import did beyond a CDS import's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegistryImportReport {
    pub format: String,
    pub format_name: String,
    /// The same bytes (SHA-256) were imported before, as this file name, at
    /// this time (RFC 3339 UTC).
    pub seen_before: Option<SeenBefore>,
    /// Ranges whose EAC was already stored exactly so.
    pub unchanged: usize,
    pub skipped_rows: Vec<SkippedEntry>,
    pub notes: Vec<SkippedEntry>,
    /// Stations added or updated (stations reports).
    pub stations: usize,
    /// Stored EACs whose commissioning date a station gave.
    pub commissioned_filled: usize,
    /// Ranges sharing certificates with ranges already stored.
    pub overlaps: Vec<RangeOverlap>,
    /// EACs of this document still lacking fields, per field.
    pub incomplete_eacs: usize,
    pub missing_fields: Vec<MissingCount>,
    /// What giving stored EACs again did to a claim stored with them
    /// (decision 256(a)) and to what a person set in EAC Desk (kept or
    /// replaced): the first 50, in words.
    #[serde(default)]
    pub restatements: Vec<RestatedNote>,
    /// How many there are in all.
    #[serde(default)]
    pub restatement_count: usize,
}

/// One thing a document giving a stored EAC again did beyond its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RestatedNote {
    pub cds_eac_id: String,
    /// Where in the document (`line 12`, `page 1`).
    pub place: String,
    pub kind: RestatedKind,
    /// EAC Desk's words for it, naming the EAC and the values.
    pub message: String,
}

/// What became of a stored claim, of a value a person set, or of a stored
/// EAC the document says was split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RestatedKind {
    /// The document says the certificates were revoked, withdrawn or
    /// expired: the stored retirement went back (audited).
    ClaimReversed,
    /// The document cannot tell claims (a holdings download): the stored
    /// retirement and its facts stay.
    ClaimKept,
    /// A value set in EAC Desk of a field the registry states as before:
    /// kept.
    EditKept,
    /// A value set in EAC Desk of a field the registry now states
    /// differently: replaced (audited).
    EditReplaced,
    /// The document says a stored EAC was split into bundles it lists,
    /// which hold exactly its certificates: the EAC is replaced by them
    /// (removed, audited; undoing the import puts it back).
    SplitReplaced,
    /// The document says a stored EAC was split, but the bundles it lists
    /// do not hold exactly its certificates: the EAC is kept, and the
    /// note says why and what to do.
    SplitKept,
    /// The document gives a stored range another quantity or unit than
    /// stored, and the stored one is no other registry document's word
    /// (the same file read again through a changed mapping or reader, a
    /// CDS listing's figure, the same energy in another unit): replaced
    /// (audited), and said with both quantities. Another registry
    /// document stating other energy for the same certificates is
    /// refused instead (a registry range's energy does not change).
    QuantityRestated,
}

impl RestatedKind {
    /// Whether it is a warning (something the person should look at)
    /// rather than a note.
    pub fn is_warning(self) -> bool {
        self != RestatedKind::EditKept
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeenBefore {
    pub file_name: String,
    pub imported_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissingCount {
    pub field: String,
    pub eacs: usize,
}

/// One side of an overlap: a stored EAC's range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RangeSide {
    pub cds_eac_id: String,
    pub first: String,
    pub last: String,
}

/// Two ranges of one registry sharing certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RangeOverlap {
    pub registry: String,
    pub a: RangeSide,
    pub b: RangeSide,
    /// How many certificates both hold, exactly (decimal text).
    pub shared: String,
}

/// Width of the integer and fraction parts of a sequence key.
const INT_WIDTH: usize = 40;
const FRAC_WIDTH: usize = 12;
/// The mark of a key whose integer part is longer than [`INT_WIDTH`]
/// digits: above every digit in byte order (the server compares keys
/// in the C collation, as SQLite does), so such a key sorts after every
/// fixed-width one, as its number is larger; its digits' count follows in
/// [`LONG_DIGITS`] digits, then the digits.
const LONG_MARK: char = 'L';
const LONG_DIGITS: usize = 3;

/// A sortable key of a sequence number (`123.5` →
/// `000…0123.500000000000`): byte order is number order. Numbers of up to
/// 40 integer and 12 fraction digits take that fixed width (the keys
/// stored since the first registry import); a longer integer part is
/// written `L` + its digit count + its digits, and a longer fraction its
/// digits without trailing zeros, so every number of up to 999 integer
/// digits is compared (decision 256). `None` for text that is no number
/// or an integer part longer than that (its range is kept but not
/// compared).
pub(crate) fn seq_key(seq: &str) -> Option<String> {
    let (int, frac) = seq.split_once('.').unwrap_or((seq, ""));
    let int = int.trim_start_matches('0');
    let valid = int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit());
    if !valid || int.len() >= 10usize.pow(LONG_DIGITS as u32) {
        return None;
    }
    let frac = match frac.len() > FRAC_WIDTH {
        true => frac.trim_end_matches('0'),
        false => frac,
    };
    Some(match int.len() > INT_WIDTH {
        true => format!(
            "{LONG_MARK}{:0>LONG_DIGITS$}{int}.{frac:0<FRAC_WIDTH$}",
            int.len()
        ),
        false => format!("{int:0>INT_WIDTH$}.{frac:0<FRAC_WIDTH$}"),
    })
}

/// A key back as the shortest number text (`000…0123.500000000000` →
/// `123.5`).
pub(crate) fn key_to_seq(key: &str) -> String {
    let key = match key.strip_prefix(LONG_MARK) {
        Some(long) => long.get(LONG_DIGITS..).unwrap_or(long),
        None => key,
    };
    let (int, frac) = key.split_once('.').unwrap_or((key, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

/// The number of certificates two overlapping ranges share:
/// `min(last) − max(first) + one unit of the finest place`.
pub(crate) fn shared_count(a: (&str, &str), b: (&str, &str)) -> String {
    let big = |s: &str| BigDecimal::from_str(s).unwrap_or_default();
    let scale = |s: &str| s.split_once('.').map_or(0, |(_, f)| f.len() as i64);
    let unit_scale = [a.0, a.1, b.0, b.1]
        .into_iter()
        .map(scale)
        .max()
        .unwrap_or(0);
    let first = big(a.0).max(big(b.0));
    let last = big(a.1).min(big(b.1));
    let unit = BigDecimal::new(1.into(), unit_scale);
    let n = (last - first + unit).with_scale(unit_scale);
    eac_model::Decimal::from_big(&n).as_str().to_owned()
}

/// SHA-256 of the document, hex.
fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A stored EAC a document gives again, compared field by field with what
/// the registry stated of it before (`base`: the same document's own
/// statement, else the newest one, else the version the import that wrote
/// it stored) and with what is stored now (`stored`: what a person
/// completed or corrected since). Three ways: a field the document leaves
/// empty keeps the stored value (decision 91); a field it states as the
/// registry did before keeps the stored value too (a person's correction
/// stays: the registry said nothing new); a field it states differently
/// takes the document's value, replacing a person's correction of it
/// (said). `base` is `None` only when nothing is known of the registry's
/// earlier statement: then every field the document states is taken.
fn merge(
    stored: &Eac,
    base: Option<&Eac>,
    newest: Option<&Eac>,
    incoming: Eac,
    item: &RegistryEac,
    reread: Option<Reread>,
) -> Merged {
    let reverses_claim = item.reverses_claim;
    let mut m = Merger {
        base,
        notes: Vec::new(),
        reread,
        otherwise: false,
    };
    let n = incoming;
    let mut out = stored.clone();
    macro_rules! completable {
        ($($field:ident),+) => {$(
            out.$field = m.pick(
                stringify!($field),
                true,
                &stored.$field,
                base.map(|b| &b.$field),
                newest.map(|b| &b.$field),
                n.$field.clone(),
                n.$field.is_some(),
            );
        )+};
    }
    completable!(
        destination_id,
        destination_name,
        asset_commissioned,
        asset_origination,
        asset_destination,
        technology_type,
        emissions_factor_direct,
        emissions_factor_lca
    );
    // The beneficiary assignment is one field (its type and list).
    let assignment = m.pick(
        "beneficiaries",
        true,
        &(stored.beneficiary_type, stored.beneficiaries.clone()),
        base.map(|b| (b.beneficiary_type, b.beneficiaries.clone()))
            .as_ref(),
        newest
            .map(|b| (b.beneficiary_type, b.beneficiaries.clone()))
            .as_ref(),
        (n.beneficiary_type, n.beneficiaries.clone()),
        n.beneficiary_type.is_some(),
    );
    (out.beneficiary_type, out.beneficiaries) = assignment;
    macro_rules! stated {
        ($($field:ident),+) => {$(
            out.$field = m.pick(
                stringify!($field),
                false,
                &stored.$field,
                base.map(|b| &b.$field),
                newest.map(|b| &b.$field),
                n.$field.clone(),
                true,
            );
        )+};
    }
    stated!(
        eac_number,
        source_id,
        source_name,
        asset_id,
        period_start,
        period_end
    );
    // The values: as stored when the registry states them and its status
    // as before; otherwise the document's, keeping dates a person entered
    // and what becomes of a stored claim the document does not repeat.
    let mut claim = None;
    let mut kept_claim = false;
    // (A status is part of the claim: a holdings download's values say
    // nothing of one, its status does.)
    if base.is_none_or(|b| b.values != n.values || status_of(b) != status_of(&n)) {
        let (values, restated) = restate_values(stored, &n, reverses_claim);
        out.values = values;
        kept_claim = restated.as_ref().is_some_and(|r| r.kept);
        claim = restated;
    } else if !m.otherwise {
        // Kept as stored: the document states them otherwise when its
        // values, with what it leaves out taken from the stored ones, are
        // not the stored values.
        m.otherwise = restate_values(stored, &n, reverses_claim).0 != stored.values;
    }
    let claim_members = kept_claim.then_some(item.claim_members.as_slice());
    out.extensions = m.members(stored, &n, claim_members);
    out.cds_created = stored.cds_created;
    out.cds_modified = stored.cds_modified;
    Merged {
        eac: out,
        claim,
        notes: m.notes,
        stated_otherwise: m.otherwise,
    }
}

/// The fields (the detail JSON's members: registry members by name,
/// `values` as one) in which `after` differs from `before`, each compared
/// as a JSON value (an extension's layout is not a difference, decision
/// 360; [`eac_model::json_same::same_json`]).
pub(crate) fn changed_fields(before: &Eac, after: &Eac) -> Vec<String> {
    type Members = std::collections::BTreeMap<String, Box<RawValue>>;
    let members = |eac: &Eac| -> Members {
        serde_json::to_string(eac)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    };
    let (b, a) = (members(before), members(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| k.as_str() != "cds_modified")
        .filter(|k| match (b.get(*k), a.get(*k)) {
            (Some(b), Some(a)) => !eac_model::json_same::same_json(b.get(), a.get()),
            _ => true,
        })
        .cloned()
        .collect()
}

/// What [`merge`] made of a stored EAC given again.
struct Merged {
    /// The EAC to store (`cds_modified` as stored: set when it is written).
    eac: Eac,
    /// A stored claim the document does not repeat: kept or reversed.
    claim: Option<ClaimRestated>,
    /// A person's corrections of fields the document states: kept or
    /// replaced.
    notes: Vec<EditNote>,
    /// The document states a field otherwise than `eac` has it: a value
    /// kept as stored (a person's correction, a newer document's
    /// statement) that the document gives differently. An EAC left as
    /// stored so is not what the document says (decision 22).
    stated_otherwise: bool,
}

/// A person's value of a field the document states too.
struct EditNote {
    field: String,
    /// The person's value, the document's, and the registry's before.
    yours: String,
    document: String,
    before: String,
    /// Kept (the registry states the field as before) or replaced.
    kept: bool,
    /// The same bytes read again gave it differently ([`Reread`]): the
    /// registry stated nothing new.
    reread: Option<Reread>,
}

/// Why a document given again, byte for byte, states an EAC differently
/// from its own earlier statement: it was read differently.
#[derive(Debug, Clone)]
enum Reread {
    /// A mapped CSV: the column mapping (named) it was read with differs
    /// from the one it was read with before.
    Mapping(String),
    /// Another reader: EAC Desk reads the format differently now.
    Reader,
}

impl EditNote {
    /// In words, for EAC `id`; `dry_run`: what importing would do.
    fn message(&self, id: &str, dry_run: bool) -> String {
        match self.kept {
            true => format!(
                "EAC `{id}`: {} {} as set in EAC Desk ({}); the document says {}, as the \
                 registry stated before",
                self.field,
                if dry_run { "would be kept" } else { "is kept" },
                self.yours,
                self.document
            ),
            false => {
                let (now, before) = match &self.reread {
                    None => ("the registry now states", "it stated"),
                    Some(_) => (
                        "the same file (byte for byte), read again, now gives",
                        "it gave",
                    ),
                };
                let why = match &self.reread {
                    None => String::new(),
                    Some(Reread::Mapping(name)) => format!(
                        " because the column mapping `{name}` reads it differently from how it \
                         was read before"
                    ),
                    Some(Reread::Reader) => {
                        " because EAC Desk reads its format differently now".to_owned()
                    }
                };
                format!(
                    "EAC `{id}`: {now} {} as {} ({before} {}){why}, which {} the value set in \
                     EAC Desk ({}); `eacdesk audit` shows both",
                    self.field,
                    self.document,
                    self.before,
                    if dry_run { "would replace" } else { "replaces" },
                    self.yours
                )
            }
        }
    }
}

struct Merger<'b> {
    base: Option<&'b Eac>,
    notes: Vec<EditNote>,
    /// `base` is the same document's statement, and it was read
    /// differently this time.
    reread: Option<Reread>,
    /// A field or member the document states is kept otherwise than it
    /// states it ([`Merged::stated_otherwise`]).
    otherwise: bool,
}

impl Merger<'_> {
    /// One field three ways: `stored` (now), `base` (the registry's
    /// earlier statement, `None` when unknown), `doc` (the document's,
    /// which states it when `given`). A field a person may set
    /// (`settable`) whose stored value is not the registry's is noted;
    /// `newest`: the newest statement, when known (an older document
    /// given again compares with its own, `base`, while the stored value
    /// may be a newer document's).
    #[allow(clippy::too_many_arguments)]
    fn pick<T: Clone + PartialEq + Serialize + Field>(
        &mut self,
        field: &str,
        settable: bool,
        stored: &T,
        base: Option<&T>,
        newest: Option<&T>,
        doc: T,
        given: bool,
    ) -> T {
        if !given {
            return stored.clone();
        }
        // Kept as stored below, or taken from the document (a change).
        self.otherwise |= *stored != doc;
        // A person's value: one the registry did not state, neither in
        // the statement compared with nor in the newest (unknown when its
        // earlier statement is).
        let edited = settable
            && self.base.is_some()
            && base != Some(stored)
            && newest != Some(stored)
            && !stored.is_empty_field();
        if base == Some(&doc) && !stored.is_empty_field() {
            if edited {
                self.notes.push(EditNote {
                    field: field.to_owned(),
                    yours: shown(stored),
                    document: shown(&doc),
                    before: shown(&doc),
                    kept: true,
                    reread: None,
                });
            }
            return stored.clone();
        }
        if edited && *stored != doc {
            self.notes.push(EditNote {
                field: field.to_owned(),
                yours: shown(stored),
                document: shown(&doc),
                before: base.map_or_else(|| "nothing".to_owned(), shown),
                kept: false,
                reread: self.reread.clone(),
            });
        }
        doc
    }

    /// The members (`eacdesk_*` and others) three ways: each member the
    /// document gives as the registry did before keeps the stored value;
    /// one it gives differently takes the document's; one it leaves out
    /// stays unless the registry stated it before (it no longer does) —
    /// and stays whatever when a stored claim is kept (a holdings download
    /// omits the facts of the retirement it cannot see). The stored claim's
    /// status and the other members describing it (`kept_claim`: those the
    /// reader names, [`RegistryEac::claim_members`]) stay with it.
    fn members(&mut self, stored: &Eac, doc: &Eac, kept_claim: Option<&[String]>) -> Extensions {
        let claim_member = |k: &str| {
            kept_claim.is_some_and(|names| k == "eacdesk_status" || names.iter().any(|n| n == k))
        };
        let find = |e: &'_ Eac, k: &str| -> Option<String> {
            e.extensions
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.get().to_owned())
        };
        let given = |k: &str| doc.extensions.iter().find(|(name, _)| name == k);
        // In the stored order (the same members in another order are no
        // change), then the members the document adds in its order.
        let mut out: Vec<(String, Box<RawValue>)> = Vec::new();
        for (k, mine) in stored.extensions.iter() {
            let before = self.base.and_then(|b| find(b, k));
            match given(k) {
                Some((_, v)) => {
                    let keep = claim_member(k) || before.as_deref() == Some(v.get());
                    // (Not a kept claim's members: the document cannot
                    // see the claim, and states nothing of it.)
                    self.otherwise |= !claim_member(k) && mine.get() != v.get();
                    out.push((k.clone(), if keep { mine } else { v }.clone()));
                }
                None => {
                    // Without a known earlier statement, the stored
                    // members are taken for it.
                    let stated_before = self.base.is_none() || before.is_some();
                    if kept_claim.is_some() || !stated_before {
                        out.push((k.clone(), mine.clone()));
                    }
                }
            }
        }
        // (Not those describing a kept claim: the document's status facts
        // are of certificates it cannot see claimed.)
        for (k, v) in doc.extensions.iter() {
            if !stored.extensions.iter().any(|(name, _)| name == k) && !claim_member(k) {
                out.push((k.clone(), v.clone()));
            }
        }
        Extensions(out)
    }
}

/// A field's value a document may leave empty (an optional field left
/// `null`), told without writing it out.
trait Field {
    fn is_empty_field(&self) -> bool;
}

impl<T> Field for Option<T> {
    fn is_empty_field(&self) -> bool {
        self.is_none()
    }
}

impl Field for String {
    fn is_empty_field(&self) -> bool {
        false
    }
}

impl Field for eac_model::Timestamp {
    fn is_empty_field(&self) -> bool {
        false
    }
}

/// The beneficiary assignment (its type and list), which a document always
/// gives as a pair.
impl<B> Field for (Option<eac_model::BeneficiaryType>, Vec<B>) {
    fn is_empty_field(&self) -> bool {
        false
    }
}

/// A field's value in words: text as it is, nothing as "nothing", the
/// rest as JSON.
fn shown<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if text == "null" {
        return "nothing".to_owned();
    }
    serde_json::from_str::<String>(&text).unwrap_or(text)
}

/// The document's values, keeping what a person entered on the stored
/// version (an issue date the document leaves out, the date of a
/// retirement it proves without one), and saying what became of a
/// stored claim the document does not repeat ([`ClaimRestated`]).
/// `reverses`: the document's reader says its status takes a claim back
/// ([`RegistryEac::reverses_claim`]).
fn restate_values(
    stored: &Eac,
    incoming: &Eac,
    reverses: bool,
) -> (Vec<eac_model::EacValue>, Option<ClaimRestated>) {
    let mut values = incoming.values.clone();
    let mut restated = None;
    if values.len() != stored.values.len() {
        // Which stored value the document's values are cannot be told: a
        // stored retirement it does not repeat goes back on its registry's
        // word and is said; otherwise the document is refused
        // ([`ClaimRestated::refusal`]), never the retirement dropped.
        let retired = |v: &[eac_model::EacValue]| v.iter().filter(|v| v.is_retired()).count();
        let dropped = retired(&values) < retired(&stored.values);
        let restated = dropped.then(|| ClaimRestated {
            stored: status_of(stored),
            now: status_of(incoming),
            kept: !reverses,
            counts: Some((stored.values.len(), values.len())),
        });
        return (values, restated);
    }
    // A document whose registry says the certificates are gone (revoked,
    // withdrawn, expired in its own words) reverses a stored claim; any
    // other that does not say they were claimed (a holdings download that
    // cannot tell: `active`, `issued`; a word its registry does not use)
    // leaves it as it is. Either is said.
    let now = status_of(incoming);
    for (v, s) in values.iter_mut().zip(&stored.values) {
        if v.issued.is_none() {
            v.issued = s.issued;
        }
        if v.retired.is_none() && v.retired_undated && s.retired.is_some() {
            v.retired = s.retired;
            v.retired_undated = false;
        }
        if !v.is_retired() && s.is_retired() {
            if !reverses {
                v.retired = s.retired;
                v.retired_undated = s.retired_undated;
            }
            restated.get_or_insert(ClaimRestated {
                stored: status_of(stored),
                now: now.clone(),
                kept: !reverses,
                counts: None,
            });
        }
    }
    (values, restated)
}

/// A stored claim (retired values) that a document giving the EAC again
/// does not repeat: kept (the document cannot tell) or reversed (it says
/// the certificates were revoked, withdrawn or expired).
struct ClaimRestated {
    /// The status the claim was stored with, and the document's.
    stored: Option<String>,
    now: Option<String>,
    kept: bool,
    /// The stored EAC's number of values and the document's, when they
    /// differ (then a claim is never kept: the document is refused).
    counts: Option<(usize, usize)>,
}

impl ClaimRestated {
    /// The refusal of a document that does not repeat a stored claim of
    /// EAC `id` and gives it another number of values, without saying
    /// the certificates count for no one: keeping the claim would keep
    /// values the document no longer states, taking the document's would
    /// drop the claim on no word of the registry (decision 317).
    fn refusal(&self, id: &str, place: &str) -> Option<Violation> {
        let (stored, given) = self.counts.filter(|_| self.kept)?;
        let mut v = Violation::unruled(format!(
            "EAC `{id}` is stored with {stored} values and a retirement; this document states \
             it with {given} and does not repeat the retirement, and its status ({}) does not \
             say the certificates count for no one: EAC Desk cannot tell which values the \
             retirement belongs to, so the document is not imported; if the registry reversed \
             the retirement, delete the EAC (`eacdesk delete {}`) and import the document again",
            match &self.now {
                Some(s) => format!("`{s}`"),
                None => "none".to_owned(),
            },
            shell_word(id)
        ))
        .with_eac(Some(id));
        v.pointer = place.to_owned();
        Some(v)
    }

    /// What became of the claim of EAC `id`, in words; `dry_run`: what
    /// importing would do.
    fn message(&self, id: &str, dry_run: bool) -> String {
        let word = |s: &Option<String>| match s {
            Some(s) => format!("`{s}`"),
            None => "no status".to_owned(),
        };
        let (stored, now) = (word(&self.stored), word(&self.now));
        if self.kept {
            format!(
                "EAC `{id}` is stored as retired (status {stored}) and this document says {now}: \
                 the retirement {}, since only a status its registry gives certificates that \
                 count for no one (revoked, withdrawn or expired, in that registry's words) \
                 takes a claim back, and a document that does not list claims (a holdings \
                 download) cannot tell claimed certificates; if the registry reversed the \
                 retirement, delete the EAC (`eacdesk delete`) and import the document again",
                if dry_run { "would be kept" } else { "is kept" }
            )
        } else {
            let counts = match self.counts {
                Some((s, g)) => format!(" (with {g} values where {s} are stored)"),
                None => String::new(),
            };
            format!(
                "EAC `{id}` {} stored as retired (status {stored}) and this document says \
                 {now}{counts}: {}; reports and claims made before counted it as retired",
                if dry_run { "is" } else { "was" },
                if dry_run {
                    "importing it would store it as not retired (audited)"
                } else {
                    "it is stored as not retired now (audited)"
                }
            )
        }
    }
}

/// A stored range's quantity or unit that a document gives otherwise
///: the certificates are the same, and a registry
/// range's energy does not change, so the difference is a misreading or
/// an edited file until someone says which figure is right.
struct EnergyRestated {
    /// The stored quantity and the document's, in words (`5000 MWh (1
    /// MWh per certificate)`).
    stored: String,
    document: String,
    /// The energy itself differs, not only the unit it is written in.
    energy_changed: bool,
}

impl EnergyRestated {
    /// `None` when `doc` gives `stored`'s energy in the same units (its
    /// values may divide it otherwise: a claim's values, said apart).
    fn of(stored: &Eac, doc: &Eac) -> Option<EnergyRestated> {
        let (a, b) = (energy_sums(stored), energy_sums(doc));
        let (a, b) = (a.totals(), b.totals());
        if a == b {
            return None;
        }
        let wh = |parts: &[(eac_model::EnergyUnit, eac_model::Decimal)]| {
            let big: Vec<(eac_model::EnergyUnit, BigDecimal)> =
                parts.iter().map(|(u, v)| (*u, v.to_big())).collect();
            eac_model::units::total_in(big.iter().map(|(u, v)| (*u, v)), eac_model::EnergyUnit::Wh)
        };
        Some(EnergyRestated {
            stored: energy_words(stored),
            document: energy_words(doc),
            energy_changed: wh(&a) != wh(&b),
        })
    }

    /// The refusal of a document whose energy for the certificates of
    /// stored EAC `id` is not the energy another registry document
    /// stated for them.
    fn refusal(&self, id: &str, item: &RegistryEac) -> Violation {
        let mut v = Violation::unruled(format!(
            "EAC `{id}` (certificates {}) is stored with {}; this document states {} for the \
             same certificates. A registry range's energy does not change, so one of the two \
             files was misread (its number style, a column of its mapping) or edited, and the \
             document is not imported. If this document is right, delete the stored EAC \
             (`eacdesk delete {} --reason TEXT`; `eacdesk show` names the documents it came \
             from) and import it again; otherwise correct the file or its mapping",
            item.range_text,
            self.stored,
            self.document,
            shell_word(id)
        ))
        .with_eac(Some(id));
        v.pointer = item.locator.clone();
        v
    }

    /// The warning of stored EAC `id` replaced with the document's
    /// quantity; `why`: whose figure was stored, `dry_run`: what
    /// importing would do.
    fn message(&self, id: &str, item: &RegistryEac, why: &str, dry_run: bool) -> String {
        format!(
            "EAC `{id}` (certificates {}): {why} {} where {} is stored; {} (audited, \
             `eacdesk audit {}` shows both). A registry range's energy does not change: check \
             that the file is read as its registry wrote it",
            item.range_text,
            self.document,
            self.stored,
            match dry_run {
                true => "importing it would replace the stored quantity",
                false => "the stored quantity is replaced",
            },
            shell_word(id)
        )
    }
}

/// An EAC's values summed per unit, exactly, in unit order.
fn energy_sums(e: &Eac) -> eac_model::UnitSums {
    let mut sums = eac_model::UnitSums::default();
    for v in &e.values {
        sums.add(v.unit, &v.value);
    }
    sums
}

/// An EAC's energy in words: its values' sum per unit, and the energy per
/// certificate a registry reader keeps (`eacdesk_energy_per_certificate`).
fn energy_words(e: &Eac) -> String {
    let sums = energy_sums(e).totals();
    let total = match sums.is_empty() {
        true => "no energy".to_owned(),
        false => (sums.iter())
            .map(|(u, v)| format!("{} {u}", v.as_str()))
            .collect::<Vec<_>>()
            .join(" + "),
    };
    match crate::check::extension_text(e, "eacdesk_energy_per_certificate") {
        Some(per) => format!("{total} ({per} per certificate)"),
        None => total,
    }
}

/// A finding of the rules on an EAC read at `place` in a document
/// (`line 2`, `page 1`, `JSON pointer /3`), its pointer into the EAC
/// (`/values/0/value`, from [`check_eac`] at the EAC's root) kept apart
/// from the place: `line 2, field /values/0/value` (it was `line
/// 2/values/0/value`, the place taken for a pointer).
fn at_place(mut v: Violation, place: &str) -> Violation {
    v.pointer = match v.pointer.is_empty() {
        true => place.to_owned(),
        false => format!("{place}, field {}", v.pointer),
    };
    v
}

/// The errors of the EAC a document restating `stored` would store
/// (`merged`, of the document's `stated` values and what is kept of the
/// stored EAC), by the rules an edit is checked by (`set`, decision 95),
/// at `place`. A value retired before it was issued (rule 13) names both
/// dates, where each comes from and what to do: an issue date a person
/// entered with `set` is corrected with `set` (decision 311); dates two
/// registry documents gave are the registry's to settle.
fn restatement_errors(
    w: &Write,
    stored: &Eac,
    stated: &[eac_model::EacValue],
    merged: &Eac,
    place: &str,
) -> Result<Vec<Violation>> {
    let check = CheckOptions::import().with_extended_technologies(true);
    let errors: Vec<Violation> = (check_eac(merged, "", check).into_iter())
        .filter(Violation::is_error)
        .collect();
    if errors.is_empty() {
        return Ok(errors);
    }
    let id = merged.cds_eac_id.as_str();
    let entered = crate::fields::issue_dates_entered(w.db(), stored)?;
    let value_at = |pointer: &str| -> Option<usize> {
        let rest = pointer.strip_prefix("/values/")?;
        rest.split_once('/')?.0.parse().ok()
    };
    Ok(errors
        .into_iter()
        .map(|mut v| {
            let dates = (v.rule == Rule::RetiredNotBeforeIssued.number())
                .then(|| value_at(&v.pointer))
                .flatten()
                .and_then(|i| {
                    let value = merged.values.get(i)?;
                    Some((i, value.retired?, value.issued?))
                });
            v.message = match dates {
                Some((i, retired, issued)) => {
                    let said = stated.get(i);
                    let retired_from = match said.and_then(|s| s.retired) == Some(retired) {
                        true => "as this document states",
                        false => "the date stored before; this document gives none",
                    };
                    let issued_here = said.and_then(|s| s.issued) == Some(issued);
                    let by_person = !issued_here && entered.get(i).copied().unwrap_or(false);
                    let issued_from = match (issued_here, by_person) {
                        (true, _) => "as this document states",
                        (false, true) => "a date set in EAC Desk",
                        (false, false) => "the date stored before, from an earlier import",
                    };
                    let what_to_do = match by_person {
                        true => format!(
                            "if the issue date is wrong, correct it (`eacdesk set {} \
                             issued=YYYY-MM-DD --reason TEXT`) and import the document again",
                            shell_word(id)
                        ),
                        false => format!(
                            "the two dates cannot both be right: ask the registry which is; \
                             to take this document's, delete the EAC (`eacdesk delete {}`) and \
                             import the document again",
                            shell_word(id)
                        ),
                    };
                    format!(
                        "retired on {retired} ({retired_from}), before it was issued on \
                         {issued} ({issued_from}); {what_to_do}"
                    )
                }
                None => format!(
                    "{} — in the EAC this document's statement makes with what is kept of \
                     the stored one (values set in EAC Desk, a claim the document does not \
                     repeat); correct the stored EAC or ask the registry, then import the \
                     document again",
                    v.message
                ),
            };
            at_place(v, place)
        })
        .collect())
}

/// `text` as one shell word in a command a message suggests: as it is
/// when it holds only characters no shell reads specially, else in
/// single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && (text.chars()).all(|c| c.is_ascii_alphanumeric() || "-_.:/,+=@%".contains(c));
    match plain {
        true => text.to_owned(),
        false => format!("'{}'", text.replace('\'', "'\\''")),
    }
}

/// An import warning at `place` about EAC `id`.
fn warning_at(message: String, id: &str, place: &str) -> Violation {
    let mut v = Violation::unruled(message).with_eac(Some(id));
    v.severity = eac_model::Severity::Warning;
    v.pointer = place.to_owned();
    v
}

/// The registry status an EAC was stored or read with (`eacdesk_status`).
fn status_of(eac: &Eac) -> Option<String> {
    crate::check::extension_text(eac, "eacdesk_status")
}

/// Equal apart from `cds_modified`.
fn same_content(a: &Eac, b: &Eac) -> bool {
    let mut b = b.clone();
    b.cds_modified = a.cds_modified;
    *a == b
}

/// Equal as statements: apart from when they were read (`cds_created`,
/// `cds_modified`).
fn same_statement(a: &Eac, b: &Eac) -> bool {
    let mut b = b.clone();
    b.cds_created = a.cds_created;
    b.cds_modified = a.cds_modified;
    *a == b
}

/// The mark of an `eac_sources.stated` that keeps no statement of its own:
/// `=` and the [`statement_ref`] of the row whose statement the document
/// states the same (every unchanged download of a holdings report would
/// otherwise keep another copy of the EAC).
const SAME_AS: char = '=';

/// How a row refers to another's statement: [`SAME_AS`], the SHA-256 of
/// its document and its place.
fn statement_ref(sha256: &str, locator: &str) -> String {
    format!("{SAME_AS}{sha256}{locator}")
}

/// A statement as kept: EAC Desk's own JSON of an EAC a reader made and
/// the rules passed when it was imported, so read as it was written
/// without judging its rules again (`None`: not one).
fn statement_of(text: &str) -> Option<Eac> {
    eac_model::p2::read_stored_eac(text)
}

/// What the registry stated of a stored EAC before a document gives it
/// again ([`earlier_statements`]).
enum Earlier {
    /// A document's statement kept with its source: this document's own
    /// (`same_document`, at the same place), else the newest. `newest`:
    /// the newest statement written out (its [`statement_ref`] and, when
    /// it is not `eac`, itself), which a document stating the same refers
    /// to instead of keeping a copy.
    Stated {
        eac: Eac,
        same_document: bool,
        newest: (String, Option<Eac>),
    },
    /// None kept (stored before statements were, or from a CDS listing):
    /// the version the import that wrote it stored, as the first
    /// correction by a person since keeps it in its audit record.
    Stored(Eac),
    /// Neither: nobody corrected it since it was imported, so it is
    /// stored as imported.
    AsStored,
}

/// [`Earlier`] of each stored EAC in rows `rows`, in order, for a
/// document `document_id` giving them again: two look-ups for up to 32
/// EACs ([`rows::each_of`]), the second only for EACs without a
/// statement kept.
fn earlier_statements(w: &Write, rows_of: &[i64], document_id: i64) -> Result<Vec<Earlier>> {
    type Kept = (i64, String, String, Option<i64>, String, String);
    let mut kept: Vec<Vec<Kept>> = vec![Vec::new(); rows_of.len()];
    rows::each_of(
        w.db(),
        rows_of,
        |k| {
            format!(
                "SELECT {k}, s.document_id, s.locator, s.imported_at, s.import_batch_id,
                        s.stated, d.sha256
                   FROM eac_sources s JOIN documents d ON d.id = s.document_id
                  WHERE s.eac_id = ? AND s.stated IS NOT NULL"
            )
        },
        |row| vec![row as &dyn rusqlite::ToSql],
        &mut |at, r| {
            kept[at].push((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ));
            Ok(())
        },
    )?;
    let mut out: Vec<Option<Earlier>> = Vec::with_capacity(rows_of.len());
    for mut statements in kept {
        statements.sort_by(|a, b| (&a.2, a.3).cmp(&(&b.2, b.3)));
        // A row's statement: its own text, or the one it refers to (none
        // when that row is gone).
        let key = |s: &Kept| statement_ref(&s.5, &s.1);
        let written = |at: usize| -> Option<usize> {
            match statements[at].4.strip_prefix(SAME_AS) {
                None => Some(at),
                Some(target) => (statements.iter())
                    .position(|s| !s.4.starts_with(SAME_AS) && key(s)[1..] == *target),
            }
        };
        // The newest written statement: the newest row's, else the
        // newest written out.
        let newest = (statements.len().checked_sub(1))
            .and_then(written)
            .or_else(|| statements.iter().rposition(|s| !s.4.starts_with(SAME_AS)));
        // This document's own statement, else the newest one.
        let own = (statements.iter().position(|s| s.0 == document_id)).and_then(written);
        let chosen = own.or(newest);
        out.push(chosen.and_then(|at| {
            let eac = statement_of(&statements[at].4)?;
            let newest = newest.map(|n| {
                let other = (n != at).then(|| statement_of(&statements[n].4)).flatten();
                (key(&statements[n]), other)
            })?;
            Some(Earlier::Stated {
                eac,
                same_document: own.is_some(),
                newest,
            })
        }));
    }
    // The others: the version before the first correction by a person
    // since the import that wrote the stored one (its batch's last
    // audit record marks where that import ended).
    let missing: Vec<(usize, i64)> = (rows_of.iter().enumerate())
        .filter(|(at, _)| out[*at].is_none())
        .map(|(at, row)| (at, *row))
        .collect();
    let mut states: Vec<Option<String>> = vec![None; missing.len()];
    rows::each_of(
        w.db(),
        &missing,
        |k| {
            format!(
                "SELECT {k}, (SELECT a.before_state FROM audit_log a
                                WHERE a.cds_eac_id = e.cds_eac_id
                                  AND a.action IN ('set_fields', 'set_emissions', 'set_beneficiaries')
                                  AND a.before_state IS NOT NULL
                                  AND a.id > COALESCE(b.last_audit_id, 0)
                                ORDER BY a.id LIMIT 1)
                   FROM eacs e LEFT JOIN import_batches b ON b.id = e.import_batch_id
                  WHERE e.id = ?"
            )
        },
        |(_, row)| vec![row as &dyn rusqlite::ToSql],
        &mut |at, r| {
            states[at] = r.get(0)?;
            Ok(())
        },
    )?;
    for ((at, _), state) in missing.into_iter().zip(states) {
        out[at] = Some(match state.as_deref().and_then(history::eac_of_state) {
            Some(eac) => Earlier::Stored(eac),
            None => Earlier::AsStored,
        });
    }
    Ok(out
        .into_iter()
        .map(|e| e.unwrap_or(Earlier::AsStored))
        .collect())
}

/// The audit reason of a registry document restating a stored EAC
/// (`stored`, as `m` replaces it): the document (file name, format,
/// SHA-256), the fields it states differently (worked out only for an EAC
/// that changes) and what of a person's corrections it kept or replaced.
fn restatement_reason(doc: &RegistryDocument, sha256: &str, stored: &Eac, m: &Merged) -> Reason {
    let restated = changed_fields(stored, &m.eac);
    let mut text = format!(
        "the registry document {} ({}{}, SHA-256 {}…) states {} differently",
        doc.file_name,
        doc.format_name,
        doc.mapping
            .map(|name| format!(": `{name}`"))
            .unwrap_or_default(),
        sha256.get(..12).unwrap_or(sha256),
        match restated.is_empty() {
            true => "the EAC".to_owned(),
            false => restated.join(", "),
        }
    );
    for (kept, words) in [
        (false, "replaced what was set in EAC Desk"),
        (true, "kept what was set in EAC Desk"),
    ] {
        let fields: Vec<&str> = (m.notes.iter())
            .filter(|n| n.kept == kept)
            .map(|n| n.field.as_str())
            .collect();
        if !fields.is_empty() {
            text.push_str(&format!("; {words}: {}", fields.join(", ")));
        }
    }
    Reason::generated(&text)
}

/// What a document's restatement did to stored claims and to what a person
/// set, for the report (the first [`MAX_NOTES`], and how many in all);
/// worded as what importing would do in a dry run.
#[derive(Default)]
struct Restatements {
    list: Vec<RestatedNote>,
    count: usize,
    dry_run: bool,
}

/// Restatement notes a report lists.
const MAX_NOTES: usize = 50;

impl Restatements {
    /// One note of EAC `id` at `place`, an import warning too.
    fn warn(
        &mut self,
        batch: &mut Batch,
        kind: RestatedKind,
        id: &str,
        place: &str,
        message: String,
    ) {
        batch.warn(vec![warning_at(message.clone(), id, place)]);
        self.note(kind, id, place, message);
    }

    /// One note of EAC `id` at `place`, counted, listed up to
    /// [`MAX_NOTES`].
    fn note(&mut self, kind: RestatedKind, id: &str, place: &str, message: String) {
        self.count += 1;
        if self.list.len() < MAX_NOTES {
            self.list.push(RestatedNote {
                cds_eac_id: id.to_owned(),
                place: place.to_owned(),
                kind,
                message,
            });
        }
    }

    /// The notes of one merged EAC at `place`; a reversed or kept claim and
    /// a replaced correction are import warnings too.
    fn add(&mut self, batch: &mut Batch, m: &Merged, place: &str) {
        let id = m.eac.cds_eac_id.as_str();
        let mut notes: Vec<(RestatedKind, String)> = Vec::new();
        if let Some(claim) = &m.claim {
            let kind = match claim.kept {
                true => RestatedKind::ClaimKept,
                false => RestatedKind::ClaimReversed,
            };
            notes.push((kind, claim.message(id, self.dry_run)));
        }
        for n in &m.notes {
            let kind = match n.kept {
                true => RestatedKind::EditKept,
                false => RestatedKind::EditReplaced,
            };
            notes.push((kind, n.message(id, self.dry_run)));
        }
        for (kind, message) in notes {
            match kind {
                RestatedKind::EditKept => self.note(kind, id, place, message),
                _ => self.warn(batch, kind, id, place, message),
            }
        }
    }
}

/// A station's commissioning date for `asset_id`, when a stations report
/// gave one.
fn station_commissioned(w: &Write, asset_id: &str) -> Result<Option<Date>> {
    let text: Option<Option<String>> = w.db().query_opt(
        "SELECT commissioned FROM stations WHERE asset_id = ?1",
        &[&asset_id],
        |r| Ok(r.get(0)?),
    )?;
    Ok(text.flatten().and_then(|t| Date::parse(&t).ok()))
}

/// Imports one registry document as one transaction (the caller's write);
/// `dry_run`: the write will be rolled back, and the report words what
/// importing would do.
pub(crate) fn import_document(
    w: &Write,
    doc: RegistryDocument,
    progress: &dyn Progress,
    dry_run: bool,
) -> Result<FileImportReport> {
    let sha256 = sha256_hex(doc.bytes);
    // One look-up: the document's row, when these bytes were stored before.
    let known: Option<(i64, SeenBefore)> = w.db().query_opt(
        "SELECT id, file_name, imported_at FROM documents WHERE sha256 = ?1",
        &[&sha256],
        |r| {
            Ok((
                r.get(0)?,
                SeenBefore {
                    file_name: r.get(1)?,
                    imported_at: rows::display_time(r, 2)?,
                },
            ))
        },
    )?;
    let mut restored = false;
    let (document_id, seen_before) = match known {
        Some((id, seen)) => {
            // These are the bytes the row was stored under: a stored copy
            // another program changed is put back (said in the report).
            restored = w.db().execute(
                "UPDATE documents SET content = ?2, size = ?3
                  WHERE id = ?1 AND (size <> ?3 OR content <> ?2)",
                &[&id, &doc.bytes, &count(doc.bytes.len())],
            )? > 0;
            (id, Some(seen))
        }
        None => {
            let id: i64 = w.db().query_row(
                "INSERT INTO documents (sha256, size, content, format, file_name, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                &[
                    &sha256,
                    &count(doc.bytes.len()),
                    &doc.bytes,
                    &doc.format,
                    &doc.file_name,
                    &w.at().to_storage(),
                ],
                |r| Ok(r.get(0)?),
            )?;
            (id, None)
        }
    };

    let mut batch = Batch::begin_eacs(w, doc.file_name.to_owned(), progress)?;
    let mut unchanged = 0;
    let mut notes = Restatements {
        dry_run,
        ..Restatements::default()
    };
    let mut overlaps = Vec::new();
    let mut stored_rows: Vec<(i64, &RegistryEac)> = Vec::with_capacity(doc.eacs.len());
    let check = CheckOptions::import().with_extended_technologies(doc.allow_extended_technologies);
    // Commissioning dates a stations report gave, per asset, as looked up.
    let mut commissioned: HashMap<String, Option<Date>> = HashMap::new();
    // Cancelled, or too many errors: nothing more is written.
    let mut stopped = false;
    // A group of EACs at a time: on a server each statement is a round
    // trip, and the group's look-ups and new rows take a few statements
    // in all instead of about twelve per EAC.
    'groups: for (g, group) in doc.eacs.chunks(GROUP).enumerate() {
        // Each EAC as read, completed from a stations report, checked.
        let mut read: Vec<(usize, &RegistryEac, Checked)> = Vec::with_capacity(group.len());
        for (k, item) in group.iter().enumerate() {
            let mut eac = item.eac.clone();
            if eac.asset_commissioned.is_none() {
                eac.asset_commissioned = match commissioned.get(&eac.asset_id) {
                    Some(date) => *date,
                    None => {
                        let date = station_commissioned(w, &eac.asset_id)?;
                        commissioned.insert(eac.asset_id.clone(), date);
                        date
                    }
                };
            }
            let violations: Vec<Violation> = check_eac(&eac, "", check)
                .into_iter()
                .map(|v| at_place(v.with_eac(Some(&eac.cds_eac_id)), &item.locator))
                .collect();
            let eac = match violations.iter().any(Violation::is_error) {
                true => Err(violations),
                false => Ok(eac),
            };
            read.push((g * GROUP + k, item, eac));
        }
        let ids: Vec<&str> = (read.iter())
            .filter_map(|(_, _, eac)| eac.as_ref().ok().map(|e| e.cds_eac_id.as_str()))
            .collect();
        let found = rows::find_many(w.db(), &ids)?;
        // The stored EACs the group holds again, read together: each is
        // compared with what the document says now.
        let stored_ids: Vec<i64> = ids
            .iter()
            .filter_map(|id| found.get(*id).map(|s| s.id))
            .collect();
        let mut current: HashMap<i64, Eac> = (stored_ids.iter().copied())
            .zip(rows::load_eacs_by_ids(w.db(), &stored_ids)?)
            .collect();
        // And with what the registry stated of each before.
        let mut earlier: HashMap<i64, Earlier> = (stored_ids.iter().copied())
            .zip(earlier_statements(w, &stored_ids, document_id)?)
            .collect();
        drop(ids);
        // Ids met in this group (an earlier group's are stored by now).
        let mut met: HashSet<String> = HashSet::with_capacity(group.len());
        let mut new: Vec<Eac> = Vec::new();
        let mut placed: Vec<(Place, &RegistryEac, Option<String>)> =
            Vec::with_capacity(group.len());
        let mut seen = Vec::new();
        // Left as stored but stated otherwise: seen, not marked checked.
        let mut seen_differing = Vec::new();
        let mut unchanged_ranges: Vec<(i64, &CertRange)> = Vec::new();
        // The stored EACs the group restates, as they were.
        let mut restating: Vec<history::Restating> = Vec::new();
        for (index, item, eac) in read {
            let eac = match eac {
                Ok(eac) => eac,
                Err(violations) => {
                    batch.accept(index, EacRead::Invalid { violations });
                    continue;
                }
            };
            let stored = found.get(&eac.cds_eac_id);
            let again = stored.is_some_and(|s| s.seen_batch_id == batch.id);
            if !met.insert(eac.cds_eac_id.clone()) || again {
                batch.error([Violation::error(
                    Rule::UniqueEacId,
                    item.locator.clone(),
                    format!(
                        "the range {} is listed twice in this document",
                        item.range_text
                    ),
                )
                .with_eac(Some(&eac.cds_eac_id))]);
                continue;
            }
            batch.named.note(&eac);
            // What the document states of the EAC, kept with its source.
            let statement = serde_json::to_string(&eac).map_err(|e| {
                crate::StoreError::InvalidInput(format!("an EAC that cannot be written: {e}"))
            })?;
            let mut stated = Some(statement);
            let place = match stored {
                Some(stored) => {
                    let current = match current.remove(&stored.id) {
                        Some(eac) => eac,
                        None => rows::load_eac_by_id(w.db(), stored.id)?,
                    };
                    let earlier = earlier.remove(&stored.id).unwrap_or(Earlier::AsStored);
                    // The same document stating it as it did: its row
                    // keeps its statement. Another stating it as the
                    // newest statement did: its row refers to that one
                    // (a row keeping its own statement keeps one).
                    if let Earlier::Stated {
                        eac: before,
                        same_document,
                        newest: (newest_ref, newest),
                    } = &earlier
                    {
                        let newest = newest.as_ref().unwrap_or(before);
                        if *same_document && same_statement(before, &eac) {
                            stated = None;
                        } else if !*same_document && same_statement(newest, &eac) {
                            stated = Some(newest_ref.clone());
                        }
                    }
                    let base = match &earlier {
                        Earlier::Stated { eac, .. } | Earlier::Stored(eac) => eac,
                        Earlier::AsStored => &current,
                    };
                    let stated_values = eac.values.clone();
                    // Other energy for the same certificates: refused when
                    // another registry document stated the stored figure,
                    // else replaced and said.
                    let energy = EnergyRestated::of(&current, &eac);
                    let energy_why = match &earlier {
                        Earlier::Stated {
                            same_document: false,
                            ..
                        } => "this document states",
                        Earlier::Stated { .. } => match doc.mapping {
                            Some(_) => {
                                "the same file (byte for byte), read again through its changed \
                                 column mapping, now gives"
                            }
                            None => {
                                "the same file (byte for byte), read again by this version of \
                                 EAC Desk, now gives"
                            }
                        },
                        Earlier::Stored(_) | Earlier::AsStored => {
                            "this registry document states (the stored figure came from a CDS \
                             listing or from an import before statements were kept)"
                        }
                    };
                    let energy_refused = energy.as_ref().is_some_and(|e| {
                        e.energy_changed
                            && matches!(
                                &earlier,
                                Earlier::Stated {
                                    same_document: false,
                                    ..
                                }
                            )
                    });
                    let newest = match &earlier {
                        Earlier::Stated {
                            eac,
                            newest: (_, n),
                            ..
                        } => Some(n.as_ref().unwrap_or(eac)),
                        Earlier::Stored(_) | Earlier::AsStored => None,
                    };
                    // The same bytes stated it before: what differs was
                    // read differently (a changed mapping), not restated.
                    let reread = matches!(
                        &earlier,
                        Earlier::Stated {
                            same_document: true,
                            ..
                        }
                    )
                    .then(|| match doc.mapping {
                        Some(name) => Reread::Mapping(name.to_owned()),
                        None => Reread::Reader,
                    });
                    let mut m = merge(&current, Some(base), newest, eac, item, reread);
                    let refusal = (m.claim.as_ref())
                        .and_then(|c| c.refusal(&m.eac.cds_eac_id, &item.locator));
                    if let Some(refusal) = refusal {
                        batch.error([refusal]);
                        continue;
                    }
                    if let Some(energy) = energy.as_ref().filter(|_| energy_refused) {
                        batch.error([energy.refusal(&m.eac.cds_eac_id, item)]);
                        continue;
                    }
                    let changes = !same_content(&current, &m.eac);
                    if changes {
                        // What would be stored keeps every rule an edit
                        // keeps, or nothing of the document is.
                        m.eac.cds_modified =
                            crate::edit::modified_after(current.cds_modified, w.at())?;
                        let errors =
                            restatement_errors(w, &current, &stated_values, &m.eac, &item.locator)?;
                        if !errors.is_empty() {
                            batch.error(errors);
                            continue;
                        }
                    }
                    notes.add(&mut batch, &m, &item.locator);
                    if let Some(energy) = energy.as_ref().filter(|_| changes) {
                        let id = m.eac.cds_eac_id.as_str();
                        let message = energy.message(id, item, energy_why, dry_run);
                        notes.warn(
                            &mut batch,
                            RestatedKind::QuantityRestated,
                            id,
                            &item.locator,
                            message,
                        );
                    }
                    if !changes {
                        // Checked against the document only when it
                        // states the EAC as stored (decision 22): one a
                        // person corrected, or a newer document restated,
                        // keeps its `cds_synced`.
                        match m.stated_otherwise {
                            true => seen_differing.push(stored.id),
                            false => seen.push(stored.id),
                        }
                        unchanged += 1;
                        batch.skipped += 1;
                        // Its range is stored again where it is missing
                        // or differs: keyed only since decision 256, or
                        // the EAC came first from a CDS listing or a P2
                        // bundle, which carry no range.
                        if let Some(range) = &item.range {
                            unchanged_ranges.push((stored.id, range));
                        }
                    } else {
                        let reason = restatement_reason(&doc, &sha256, &current, &m);
                        // Audited once the document's row is written too.
                        restating.push(history::registry_restating(w, stored.id, current, reason)?);
                        rows::replace(w, stored.id, &m.eac, batch.id)?;
                        batch.replaced += 1;
                        batch.value_count += m.eac.values.len();
                        write_range(w, stored.id, item.range.as_ref())?;
                    }
                    Place::Stored(stored.id)
                }
                None => {
                    new.push(eac);
                    Place::New(new.len() - 1)
                }
            };
            placed.push((place, item, stated));
            if batch.tick() == Flow::Stop {
                stopped = true;
                break;
            }
        }
        if stopped {
            // Nothing more is written: the import is refused or cancelled.
            break 'groups;
        }
        let new_rows = add_new(w, &mut batch, &new)?;
        rows::mark_seen_many(w, &seen, batch.id)?;
        rows::mark_seen_differing_many(w, &seen_differing, batch.id)?;
        // The new EACs' ranges (a restated one's is written with it).
        let mut new_ranges: Vec<(i64, &CertRange)> = Vec::new();
        let placed: Vec<(i64, &RegistryEac, Option<String>)> = (placed.into_iter())
            .map(|(place, item, stated)| match place {
                Place::Stored(row) => (row, item, stated),
                Place::New(k) => {
                    new_ranges.extend(item.range.as_ref().map(|r| (new_rows[k], r)));
                    (new_rows[k], item, stated)
                }
            })
            .collect();
        insert_ranges(w, &new_ranges)?;
        restore_ranges(w, &unchanged_ranges)?;
        insert_sources(w, document_id, &doc, batch.id, &placed)?;
        // Each restated EAC's record holds it as stored: this document
        // among its sources, its range as written.
        history::registry_restated(w, restating, batch.id, &batch.file)?;
        stored_rows.extend(placed.into_iter().map(|(row, item, _)| (row, item)));
    }
    if !stopped {
        // Stored EACs the document says were split: replaced by the
        // bundles that hold their certificates (before the overlap check,
        // which then finds none between them).
        let implied = match doc.split_rows {
            true => row_splits(w, &doc, &stored_rows)?,
            false => Vec::new(),
        };
        split_parents(
            w,
            &doc,
            &sha256,
            &mut batch,
            &mut notes,
            &stored_rows,
            &implied,
        )?;
    }
    let with_ranges: Vec<(i64, &RegistryEac, &CertRange)> = (stored_rows.iter())
        .filter_map(|(row, item)| item.range.as_ref().map(|r| (*row, *item, r)))
        .collect();
    // Each pair once: two ranges of this document that overlap would
    // otherwise each be warned about the other (as `check` lists a pair once).
    let mut warned: HashSet<(String, String)> = HashSet::new();
    for ((_, item, _), found) in with_ranges.iter().zip(overlapping(w, &with_ranges)?) {
        for o in found {
            let pair = match o.a.cds_eac_id <= o.b.cds_eac_id {
                true => (o.a.cds_eac_id.clone(), o.b.cds_eac_id.clone()),
                false => (o.b.cds_eac_id.clone(), o.a.cds_eac_id.clone()),
            };
            if !warned.insert(pair) {
                continue;
            }
            batch.warn(vec![Violation::warning(
                Rule::UniqueEacId,
                item.locator.clone(),
                format!(
                    "the range {} shares {} certificates with the stored range {} – {} (EAC `{}`): the same certificates are counted twice; keep the range the registry's newest download states and delete the other (the stored one: `eacdesk delete {} --reason TEXT`); to see every overlap, run `eacdesk check`",
                    item.range_text, o.shared, o.b.first, o.b.last, o.b.cds_eac_id, shell_word(&o.b.cds_eac_id)
                ),
            )
            .with_eac(Some(&o.a.cds_eac_id))]);
            overlaps.push(o);
        }
    }

    let (stations, commissioned_filled) = apply_stations(w, &doc, document_id, &mut batch)?;

    // What is still missing in this document's EACs.
    let mut missing_fields: Vec<MissingCount> = Vec::new();
    let mut incomplete_eacs = 0;
    // The stored rows already say it (`eacs.missing`, kept by every write).
    let mut missing: Vec<Option<String>> = vec![None; stored_rows.len()];
    rows::each_of(
        w.db(),
        &stored_rows,
        |k| format!("SELECT {k}, missing FROM eacs WHERE id = ?"),
        |(row, _)| vec![row as &dyn rusqlite::ToSql],
        &mut |at, r| {
            missing[at] = r.get(0)?;
            Ok(())
        },
    )?;
    for text in missing {
        let names = rows::missing_from_json(text);
        if !names.is_empty() {
            incomplete_eacs += 1;
        }
        for name in names {
            match missing_fields.iter_mut().find(|m| m.field == name) {
                Some(m) => m.eacs += 1,
                None => missing_fields.push(MissingCount {
                    field: name,
                    eacs: 1,
                }),
            }
        }
    }
    let registry =
        RegistryImportReport {
            format: doc.format.to_owned(),
            format_name: doc.format_name.to_owned(),
            seen_before,
            unchanged,
            skipped_rows: doc.skipped.clone(),
            notes: doc
                .warnings
                .iter()
                .cloned()
                .chain(restored.then(|| SkippedEntry {
                    place: "document".to_owned(),
                    reason: format!(
                    "The stored copy of this document (SHA-256 {sha256}) had been changed in the \
                     database by another program; {} put back from this file, whose bytes have \
                     that SHA-256.",
                    if dry_run { "importing it puts it" } else { "it was" }
                ),
                }))
                .collect(),
            stations,
            commissioned_filled,
            overlaps,
            incomplete_eacs,
            missing_fields,
            restatements: notes.list,
            restatement_count: notes.count,
        };
    let mut report = batch.finish(Some(sha256))?;
    report.registry = Some(registry);
    Ok(report)
}

/// How many EACs a split note names one by one.
const SPLIT_NAMED: usize = 10;

/// How the sentence starts that a closed period's refusal of a document
/// ends with when the document says a frozen EAC was split (why the
/// import changes it, what to do): the app, which words the refusal
/// itself, keeps the sentence from there.
pub const SPLIT_REFUSED: &str = "This document says `";

/// The stored EACs `doc` says were split into other bundles
/// ([`RegistryDocument::splits`], EnergyTag's `Bundle Split`), each judged
/// against the document's EACs that share its certificates (`stored`:
/// those the import stored, with their rows). When they hold exactly its
/// certificates — together, each once, none outside, the same production
/// interval and the same energy in the same unit — the stored EAC is
/// replaced by them: removed, audited as an `import_replace` naming the
/// document and the bundles ([`history::registry_split`]), which undoing
/// the import puts back; a closed period or a recorded claim refuses the
/// import, as every removal. Otherwise it is kept, and a warning says
/// why, which certificates are counted twice and what to do. The
/// certificate numbers identify the certificates (EnergyTag numbers them
/// per production device, decision 79), so the bundles are found by
/// range, not by `issuance_id` (kept across a split by the reference
/// registry, but not by every export). A split range the document also
/// lists as a bundle of its own, or that no EAC holds, is left alone.
fn split_parents(
    w: &Write,
    doc: &RegistryDocument,
    sha256: &str,
    batch: &mut Batch,
    notes: &mut Restatements,
    stored: &[(i64, &RegistryEac)],
    implied: &[SplitParent],
) -> Result<()> {
    let number = |s: &str| BigDecimal::from_str(s).ok();
    let shown = |n: &BigDecimal| eac_model::Decimal::from_big(n).as_str().to_owned();
    let span = |a: &BigDecimal, b: &BigDecimal| match a == b {
        true => shown(a),
        false => format!("{} – {}", shown(a), shown(b)),
    };
    let said = doc.splits.iter().map(|s| (s, false));
    for (split, rows) in said.chain(implied.iter().map(|s| (s, true))) {
        let parent_range = &split.range;
        let (Some(pf), Some(pl)) = (
            number(&parent_range.first_seq),
            number(&parent_range.last_seq),
        ) else {
            continue;
        };
        if doc
            .eacs
            .iter()
            .any(|e| e.eac.cds_eac_id == split.cds_eac_id)
        {
            continue;
        }
        let Some(found) = rows::find(w.db(), &split.cds_eac_id)? else {
            continue;
        };
        let parent = rows::load_eac_by_id(w.db(), found.id)?;
        let id = parent.cds_eac_id.clone();
        // The document's EACs sharing certificates with it, by first
        // certificate.
        let mut children: Vec<(BigDecimal, BigDecimal, &RegistryEac)> = (stored.iter())
            .filter_map(|(_, item)| {
                let r = item.range.as_ref()?;
                if r.registry != parent_range.registry || r.series != parent_range.series {
                    return None;
                }
                let (first, last) = (number(&r.first_seq)?, number(&r.last_seq)?);
                (first <= pl && last >= pf).then_some((first, last, *item))
            })
            .collect();
        children.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let named = |item: &RegistryEac| format!("`{}` ({})", item.eac.cds_eac_id, item.locator);
        // Why they do not hold exactly its certificates, if they do not.
        let one = BigDecimal::from(1);
        let mut why: Option<String> = None;
        let mut gaps: Vec<(BigDecimal, BigDecimal)> = Vec::new();
        let mut next = pf.clone();
        for (first, last, item) in &children {
            if *first < pf || *last > pl {
                why.get_or_insert_with(|| {
                    format!(
                        "its bundle {} {} reaches outside them",
                        item.range_text,
                        named(item)
                    )
                });
            } else if *first < next {
                why.get_or_insert_with(|| {
                    format!(
                        "two of the bundles it lists share certificates ({} is one of them)",
                        named(item)
                    )
                });
            } else if *first > next {
                gaps.push((next.clone(), first - &one));
            }
            next = next.max(last + &one);
        }
        if next <= pl {
            gaps.push((next, pl.clone()));
        }
        if children.is_empty() {
            why.get_or_insert_with(|| "it lists none of the bundles it was split into".to_owned());
        }
        if !gaps.is_empty() {
            let listed = eac_model::words::first_named_of(
                gaps.iter().map(|(a, b)| span(a, b)),
                3,
                gaps.len(),
                "ranges",
            );
            why.get_or_insert_with(|| {
                format!("certificates {listed} of it are in none of the bundles it lists")
            });
        }
        // The same hour and the same energy, in the same unit.
        let unit = parent.values.first().map(|v| v.unit);
        let energy = |e: &Eac| -> Option<BigDecimal> {
            (e.values.iter())
                .map(|v| (Some(v.unit) == unit).then(|| v.value.to_big()))
                .sum()
        };
        if why.is_none() {
            let other_hour = children.iter().find(|(_, _, c)| {
                c.eac.period_start != parent.period_start || c.eac.period_end != parent.period_end
            });
            if let Some((_, _, c)) = other_hour {
                why = Some(format!(
                    "its bundle {} {} was produced {} – {}, the stored EAC {} – {}",
                    c.range_text,
                    named(c),
                    c.eac.period_start,
                    c.eac.period_end,
                    parent.period_start,
                    parent.period_end
                ));
            }
        }
        // A row the register split keeps its issue date.
        if why.is_none() && rows {
            let other_day =
                (children.iter()).find(|(_, _, c)| c.eac.issuance() != parent.issuance());
            if let Some((_, _, c)) = other_day {
                let day =
                    |d: Option<Date>| d.map_or_else(|| "no day".to_owned(), |d| d.to_string());
                why = Some(format!(
                    "its row {} {} was issued on {}, the stored EAC on {}",
                    c.range_text,
                    named(c),
                    day(c.eac.issuance()),
                    day(parent.issuance())
                ));
            }
        }
        let held = energy(&parent);
        let given: Option<BigDecimal> = children.iter().map(|(_, _, c)| energy(&c.eac)).sum();
        let unit_text = unit.map(|u| u.to_string()).unwrap_or_default();
        if why.is_none() && (held.is_none() || held != given) {
            why = Some(match (&given, &held) {
                (Some(g), Some(h)) => format!(
                    "the bundles it lists hold {} {unit_text} where the stored EAC holds {} \
                     {unit_text}",
                    shown(g),
                    shown(h)
                ),
                _ => "the bundles it lists give their energy in another unit than the stored \
                      EAC"
                .to_owned(),
            });
        }
        let range = match rows {
            true => format!("{} – {}", parent_range.first, parent_range.last),
            false => span(&pf, &pl),
        };
        let (said, parts) = match rows {
            true => (
                format!(
                    "EAC `{id}` (certificates {range}) is given by this document as {} rows of its \
                     station, period and issue date (the register splits a row as parts of it \
                     change status or holder)",
                    children.len()
                ),
                "rows",
            ),
            false => (
                format!(
                    "EAC `{id}` (certificates {range}) was split in the registry, this document \
                     says (status `{}`)",
                    split.status
                ),
                "bundles",
            ),
        };
        // Rows that do not hold it exactly are the overlap warning's to
        // say: the document does not say the stored range was split.
        if rows && why.is_some() {
            continue;
        }
        let Some(why) = why else {
            // Replaced by them.
            let ids = eac_model::words::first_named(
                children.iter().map(|(_, _, c)| named(c)),
                SPLIT_NAMED,
                children.len(),
            );
            let lost = not_carried(&parent, children.iter().map(|(_, _, c)| &c.eac));
            let message = format!(
                "{said}{}, which hold exactly its certificates and its {} {unit_text}: {ids}; \
                 {}{}{}",
                match rows {
                    true => "",
                    false => ", into the bundles it lists",
                },
                held.as_ref().map(shown).unwrap_or_default(),
                match notes.dry_run {
                    true => "importing it would replace the stored EAC by them (audited)",
                    false => "the stored EAC is replaced by them (audited)",
                },
                match notes.dry_run {
                    true => String::new(),
                    false => format!(
                        "; undoing this import puts it back (`eacdesk undo-import {} --reason \
                         TEXT`)",
                        batch.id
                    ),
                },
                match lost.is_empty() {
                    true => String::new(),
                    false => format!(
                        "; what it held beyond the registry's statement ({}) is not given to \
                         them: set it on them again (`eacdesk set`, `eacdesk beneficiaries set`); \
                         the audit record keeps the stored EAC whole",
                        lost.join(", ")
                    ),
                }
            );
            let listed = (children.iter())
                .map(|(_, _, c)| format!("`{}` ({})", c.eac.cds_eac_id, c.locator))
                .collect::<Vec<_>>()
                .join(", ");
            let document = format!(
                "the registry document {} ({}, SHA-256 {}…)",
                doc.file_name,
                doc.format_name,
                sha256.get(..12).unwrap_or(sha256),
            );
            let reason = Reason::generated(&match rows {
                true => format!(
                    "{document} gives this range as the rows {listed} (the register splits a \
                     row as parts of it change status or holder), which hold exactly its \
                     certificates ({range}) and energy, of its station, period and issue date: \
                     replaced by them"
                ),
                false => format!(
                    "{document} states that this bundle was split (status `{}`, {}) into \
                     {listed} of the same document, which hold exactly its certificates \
                     ({range}) and energy: replaced by them",
                    split.status, split.locator,
                ),
            });
            // Should the EAC lie in a closed period, the refusal says why
            // the import changes it and what to do.
            w.periods().explain(
                &id,
                format!(
                    "{SPLIT_REFUSED}{id}` was split in the registry into the {parts} it \
                     lists ({}), which hold exactly its certificates: importing it \
                     replaces `{id}` by them. To keep the figures of the closed period as \
                     filed, leave it closed and do not import this document (`{id}` holds the \
                     same certificates and energy as those {parts}); to record the split, \
                     reopen the period, import the document and close the period again.",
                    eac_model::words::first_named(
                        children
                            .iter()
                            .map(|(_, _, c)| format!("`{}`", c.eac.cds_eac_id)),
                        SPLIT_NAMED,
                        children.len(),
                    )
                ),
            );
            history::registry_split(w, found.id, parent, batch.id, &batch.file, &reason)?;
            notes.warn(
                batch,
                RestatedKind::SplitReplaced,
                &id,
                &split.locator,
                message,
            );
            continue;
        };
        let message = format!(
            "{said}, but {why}: the stored EAC {} kept{}. Import a download that lists every \
             bundle it was split into (of every status), or, once the registry confirms which \
             bundles hold its certificates, delete it: `eacdesk delete {} --reason \"split in \
             the registry\"`",
            if notes.dry_run { "would be" } else { "is" },
            match children.is_empty() {
                true => "",
                false =>
                    ", and the certificates the document's bundles hold too are counted \
                         twice until it is removed",
            },
            shell_word(&id)
        );
        notes.warn(batch, RestatedKind::SplitKept, &id, &split.locator, message);
    }
    Ok(())
}

/// The stored EACs a document of a register that splits rows
/// ([`RegistryDocument::split_rows`]) may give as parts: each stored range
/// of the registry and series of one of its ranges that shares
/// certificates with it and is no EAC the document lists, as a
/// [`SplitParent`] placed at the first of its ranges that overlaps it
/// ([`split_parents`] judges whether they hold it exactly).
fn row_splits(
    w: &Write,
    doc: &RegistryDocument,
    stored: &[(i64, &RegistryEac)],
) -> Result<Vec<SplitParent>> {
    let with_ranges: Vec<(i64, &RegistryEac, &CertRange)> = (stored.iter())
        .filter_map(|(row, item)| item.range.as_ref().map(|r| (*row, *item, r)))
        .collect();
    let listed: HashSet<&str> = (doc.eacs.iter())
        .map(|e| e.eac.cds_eac_id.as_str())
        .collect();
    let mut out: Vec<SplitParent> = Vec::new();
    for ((_, item, _), found) in with_ranges.iter().zip(overlapping(w, &with_ranges)?) {
        for o in found {
            let id = o.b.cds_eac_id;
            if listed.contains(id.as_str()) || out.iter().any(|p| p.cds_eac_id == id) {
                continue;
            }
            let range: Option<(String, String, String, String, String, String)> =
                w.db().query_opt(
                    "SELECT r.registry, r.series, r.first, r.last, r.first_key, r.last_key
                       FROM eac_ranges r JOIN eacs e ON e.id = r.eac_id
                      WHERE e.cds_eac_id = ?1 AND r.position = 0",
                    &[&id],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    },
                )?;
            let Some((registry, series, first, last, first_key, last_key)) = range else {
                continue;
            };
            out.push(SplitParent {
                cds_eac_id: id,
                locator: item.locator.clone(),
                range: CertRange {
                    registry,
                    series,
                    first,
                    last,
                    first_seq: key_to_seq(&first_key),
                    last_seq: key_to_seq(&last_key),
                },
                status: String::new(),
            });
        }
    }
    Ok(out)
}

/// What `parent` holds beyond the registry's statement that none of
/// `children` states (fields a person completed or corrected): named in
/// the note of its replacement, since they are not carried over.
fn not_carried<'e>(
    parent: &Eac,
    children: impl Iterator<Item = &'e Eac> + Clone,
) -> Vec<&'static str> {
    type Has = fn(&Eac) -> bool;
    let fields: [(&str, Has); 9] = [
        ("destination_id", |e| e.destination_id.is_some()),
        ("destination_name", |e| e.destination_name.is_some()),
        ("beneficiaries", |e| e.beneficiary_type.is_some()),
        ("asset_origination", |e| e.asset_origination.is_some()),
        ("asset_destination", |e| e.asset_destination.is_some()),
        ("emissions_factor_direct", |e| {
            e.emissions_factor_direct.is_some()
        }),
        ("emissions_factor_lca", |e| e.emissions_factor_lca.is_some()),
        ("issued", |e| e.values.iter().any(|v| v.issued.is_some())),
        ("retired", |e| e.values.iter().any(|v| v.retired.is_some())),
    ];
    fields
        .into_iter()
        .filter(|(_, has)| has(parent) && !children.clone().any(has))
        .map(|(name, _)| name)
        .collect()
}

/// The ranges of stored EACs a document gives again unchanged, stored
/// where the EAC has none or another (decision 256(b)): a range keyed
/// only since decision 256, or an EAC that came first from a CDS listing
/// or a P2 bundle (they carry no range: a range is what a registry
/// document states). One look-up for up to 32 of them; nothing is
/// written for a range stored as it is.
fn restore_ranges(w: &Write, ranges: &[(i64, &CertRange)]) -> Result<()> {
    let mut stored: Vec<Option<[String; 4]>> = vec![None; ranges.len()];
    rows::each_of(
        w.db(),
        ranges,
        |k| {
            format!(
                "SELECT {k}, registry, series, first_key, last_key FROM eac_ranges
                  WHERE eac_id = ? AND position = 0"
            )
        },
        |(row, _)| vec![row as &dyn rusqlite::ToSql],
        &mut |at, r| {
            stored[at] = Some([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]);
            Ok(())
        },
    )?;
    for ((row, range), stored) in ranges.iter().zip(stored) {
        let (Some(first_key), Some(last_key)) =
            (seq_key(&range.first_seq), seq_key(&range.last_seq))
        else {
            continue;
        };
        let wanted = [
            range.registry.clone(),
            range.series.clone(),
            first_key,
            last_key,
        ];
        if stored.as_ref() != Some(&wanted) {
            write_range(w, *row, Some(range))?;
        }
    }
    Ok(())
}

/// Stores (or replaces) the range of the EAC in row `row`.
fn write_range(w: &Write, row: i64, range: Option<&CertRange>) -> Result<()> {
    w.db()
        .execute("DELETE FROM eac_ranges WHERE eac_id = ?1", &[&row])?;
    match range {
        Some(r) => insert_ranges(w, &[(row, r)]),
        None => Ok(()),
    }
}

/// The stored ranges each of `items` (its row, as read, its range)
/// shares certificates with, other than its own, in order of their first
/// certificate: one list per item. Up to 32 items are asked about by one
/// statement ([`rows::each_of`]).
fn overlapping(
    w: &Write,
    items: &[(i64, &RegistryEac, &CertRange)],
) -> Result<Vec<Vec<RangeOverlap>>> {
    // Only a range whose numbers are numbers can overlap another.
    let keyed: Vec<(usize, i64, String, String)> = (items.iter().enumerate())
        .filter_map(|(at, (row, _, range))| {
            let first = seq_key(&range.first_seq)?;
            let last = seq_key(&range.last_seq)?;
            Some((at, *row, first, last))
        })
        .collect();
    let mut found: Vec<Vec<StoredRange>> = vec![Vec::new(); items.len()];
    rows::each_of(
        w.db(),
        &keyed,
        |k| {
            format!(
                "SELECT {k}, e.cds_eac_id, r.first, r.last, r.first_key, r.last_key
                   FROM eac_ranges r JOIN eacs e ON e.id = r.eac_id
                  WHERE r.registry = ? AND r.series = ? AND r.first_key <= ? AND r.last_key >= ?
                    AND r.eac_id != ?"
            )
        },
        |(at, row, first, last)| {
            let range = items[*at].2;
            vec![
                &range.registry as &dyn rusqlite::ToSql,
                &range.series,
                last,
                first,
                row,
            ]
        },
        &mut |k, r| {
            found[keyed[k].0].push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
            Ok(())
        },
    )?;
    Ok((items.iter().zip(found))
        .map(|((_, item, range), mut found)| {
            // By the first certificate, then the EAC id (byte order).
            found.sort_by(|a, b| (&a.3, &a.0).cmp(&(&b.3, &b.0)));
            found
                .into_iter()
                .map(|(id, first, last, fk, lk)| RangeOverlap {
                    registry: range.registry.clone(),
                    a: RangeSide {
                        cds_eac_id: item.eac.cds_eac_id.clone(),
                        first: range.first.clone(),
                        last: range.last.clone(),
                    },
                    b: RangeSide {
                        cds_eac_id: id,
                        first,
                        last,
                    },
                    shared: shared_count(
                        (&range.first_seq, &range.last_seq),
                        (&key_to_seq(&fk), &key_to_seq(&lk)),
                    ),
                })
                .collect()
        })
        .collect())
}

/// An EAC of a document as checked: ready to store, or its errors.
type Checked = std::result::Result<Eac, Vec<Violation>>;

/// A stored range another overlaps: its EAC's id, first and last
/// certificate as printed, and their keys.
type StoredRange = (String, String, String, String, String);

/// EACs a document's group holds, written together ([`GROUP`]).
const GROUP: usize = 32;

/// Where an EAC of a group is stored: a row already there, or the `k`-th
/// of the group's new EACs (its row known once they are written).
enum Place {
    Stored(i64),
    New(usize),
}

/// Adds a group's new EACs, noted for an undo; their rows, in order.
fn add_new(w: &Write, batch: &mut Batch, new: &[Eac]) -> Result<Vec<i64>> {
    let mut prepared = new.iter().map(rows::prepare).collect::<Result<Vec<_>>>()?;
    let mut pairs: Vec<(&Eac, &mut rows::Prepared)> = new.iter().zip(prepared.iter_mut()).collect();
    let rows = rows::insert_many(w, &mut pairs, batch.id)?;
    for eac in new {
        batch.count_added(eac)?;
    }
    Ok(rows)
}

/// The ranges of EACs without one yet, many to a statement; a range whose
/// numbers are not numbers is not stored.
fn insert_ranges(w: &Write, ranges: &[(i64, &CertRange)]) -> Result<()> {
    let keyed: Vec<(i64, &CertRange, String, String)> = (ranges.iter())
        .filter_map(|(row, r)| Some((*row, *r, seq_key(&r.first_seq)?, seq_key(&r.last_seq)?)))
        .collect();
    for chunk in keyed.chunks(GROUP) {
        let sql = format!(
            "INSERT INTO eac_ranges (eac_id, position, registry, series, first, last, first_key, last_key)
             VALUES {}",
            rows::value_rows("(?, 0, ?, ?, ?, ?, ?, ?)", chunk.len())
        );
        let params: Vec<&dyn rusqlite::ToSql> = (chunk.iter())
            .flat_map(|(row, r, first_key, last_key)| {
                [
                    row as &dyn rusqlite::ToSql,
                    &r.registry,
                    &r.series,
                    &r.first,
                    &r.last,
                    first_key,
                    last_key,
                ]
            })
            .collect();
        w.db().execute(&sql, &params)?;
    }
    Ok(())
}

/// Which EAC came from where in the document, and what the document
/// stated of it, for a group's EACs (kept once per EAC and place; a
/// statement `None` leaves the one kept, the same document's, as it is).
fn insert_sources(
    w: &Write,
    document_id: i64,
    doc: &RegistryDocument,
    batch_id: i64,
    placed: &[(i64, &RegistryEac, Option<String>)],
) -> Result<()> {
    let at = w.at().to_storage();
    for chunk in placed.chunks(GROUP) {
        let sql = format!(
            "INSERT INTO eac_sources (eac_id, document_id, file_name, locator,
                range_text, imported_at, import_batch_id, stated)
             VALUES {}
             ON CONFLICT (eac_id, document_id, locator) DO UPDATE SET stated = excluded.stated
                WHERE excluded.stated IS NOT NULL",
            rows::value_rows("(?, ?, ?, ?, ?, ?, ?, ?)", chunk.len())
        );
        let params: Vec<&dyn rusqlite::ToSql> = (chunk.iter())
            .flat_map(|(row, item, stated)| {
                [
                    row as &dyn rusqlite::ToSql,
                    &document_id,
                    &doc.file_name,
                    &item.locator,
                    &item.range_text,
                    &at,
                    &batch_id,
                    stated,
                ]
            })
            .collect();
        w.db().execute(&sql, &params)?;
    }
    Ok(())
}

/// Stores a stations report's stations and fills the commissioning date of
/// stored EACs from those stations that lack one (audited as changes by
/// this import). Returns (stations, EACs filled).
fn apply_stations(
    w: &Write,
    doc: &RegistryDocument,
    document_id: i64,
    batch: &mut Batch,
) -> Result<(usize, usize)> {
    let mut filled = 0;
    for s in &doc.stations {
        let facts = (!s.facts.is_empty()).then(|| {
            let map: serde_json::Map<String, serde_json::Value> = s
                .facts
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            serde_json::Value::Object(map).to_string()
        });
        w.db().execute(
            "INSERT INTO stations (asset_id, name, capacity, commissioned, facts, document_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (asset_id) DO UPDATE SET name = excluded.name,
                capacity = excluded.capacity, commissioned = excluded.commissioned,
                facts = excluded.facts, document_id = excluded.document_id,
                updated_at = excluded.updated_at",
            &[
                &s.asset_id,
                &s.name,
                &s.capacity,
                &s.commissioned.as_ref().map(Date::to_string),
                &facts,
                &document_id,
                &w.at().to_storage(),
            ],
        )?;
        let Some(date) = s.commissioned else { continue };
        let rows_to_fill: Vec<i64> = w.db().collect(
            "SELECT id FROM eacs WHERE asset_id = ?1 AND asset_commissioned IS NULL ORDER BY id",
            &[&s.asset_id],
            |r| Ok(r.get(0)?),
        )?;
        for row in rows_to_fill {
            let mut eac = rows::load_eac_by_id(w.db(), row)?;
            eac.asset_commissioned = Some(date);
            eac.cds_modified = crate::edit::modified_after(eac.cds_modified, w.at())?;
            let reason = Reason::generated(&format!(
                "commissioning date {date} of station {} from the stations report {} ({})",
                s.asset_id, doc.file_name, doc.format_name
            ));
            history::import_replacing(w, row, &eac, batch.id, &batch.file, &reason)?;
            rows::replace(w, row, &eac, batch.id)?;
            batch.replaced += 1;
            filled += 1;
        }
    }
    Ok((doc.stations.len(), filled))
}

/// One document an EAC came from, for `show` and the detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceView {
    /// The file name it was imported as.
    pub file_name: String,
    pub sha256: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: i64,
    /// The reader's format id.
    pub format: String,
    /// Where in it (`line 12`, `page 1`).
    pub locator: String,
    pub range_text: Option<String>,
    /// RFC 3339 UTC.
    pub imported_at: String,
}

/// The documents the EAC `cds_eac_id` came from, oldest import first.
pub(crate) fn sources(conn: &dyn crate::db::Db, cds_eac_id: &str) -> Result<Vec<SourceView>> {
    conn.collect(
        "SELECT s.file_name, d.sha256, d.size, d.format, s.locator, s.range_text, s.imported_at
           FROM eac_sources s JOIN eacs e ON e.id = s.eac_id JOIN documents d ON d.id = s.document_id
          WHERE e.cds_eac_id = ?1
          ORDER BY s.imported_at, s.file_name, s.locator",
        &[&cds_eac_id],
        |r| {
            Ok(SourceView {
                file_name: r.get(0)?,
                sha256: r.get(1)?,
                size: r.get(2)?,
                format: r.get(3)?,
                locator: r.get(4)?,
                range_text: r.get(5)?,
                imported_at: rows::display_time(r, 6)?,
            })
        },
    )
}

/// How a stored document is looked up: by its SHA-256, or by its row.
enum DocumentKey<'a> {
    Sha256(&'a str),
    Row(i64),
}

/// A stored document as [`read_document`] reads it.
struct StoredContent {
    /// Its bytes, when asked for.
    bytes: Option<Vec<u8>>,
    /// The SHA-256 (hex) of its bytes now.
    found: String,
    file_name: String,
}

/// The one reader of a stored document's bytes: the `content` cell of the
/// document `key` names, byte for byte whatever type it holds now (a BLOB
/// as EAC Desk stores it; TEXT when another program wrote text there, e.g.
/// `UPDATE documents SET content = 'x'`; on a server, `bytea`, read as a
/// blob), with the SHA-256 (hex) of those bytes and the document's file
/// name. `keep`: hand the bytes out too; else only their hash is kept, so
/// memory holds one document at a time. `None`: no such document.
fn read_document(
    conn: &dyn crate::db::Db,
    key: DocumentKey<'_>,
    keep: bool,
) -> Result<Option<StoredContent>> {
    let read = |r: &dyn crate::db::DbRow| {
        let hashed = |b: &[u8]| (keep.then(|| b.to_vec()), sha256_hex(b));
        let (bytes, found) = match r.get_ref(0)? {
            ValueRef::Blob(b) | ValueRef::Text(b) => hashed(b),
            ValueRef::Null => hashed(&[]),
            ValueRef::Integer(i) => hashed(i.to_string().as_bytes()),
            ValueRef::Real(f) => hashed(f.to_string().as_bytes()),
        };
        Ok(StoredContent {
            bytes,
            found,
            file_name: r.get(1)?,
        })
    };
    match key {
        DocumentKey::Sha256(sha256) => conn.query_opt(
            "SELECT content, file_name FROM documents WHERE sha256 = ?1",
            &[&sha256],
            read,
        ),
        DocumentKey::Row(id) => conn.query_opt(
            "SELECT content, file_name FROM documents WHERE id = ?1",
            &[&id],
            read,
        ),
    }
}

/// The bytes of the stored document with this SHA-256, only when they
/// still have it: a document another program changed in the database is
/// [`crate::StoreError::DocumentAltered`], never handed out as the
/// original.
pub(crate) fn document(conn: &dyn crate::db::Db, sha256: &str) -> Result<Option<Vec<u8>>> {
    let Some(StoredContent {
        bytes,
        found,
        file_name,
    }) = read_document(conn, DocumentKey::Sha256(sha256), true)?
    else {
        return Ok(None);
    };
    if found != sha256 {
        return Err(crate::StoreError::DocumentAltered {
            file_name,
            sha256: sha256.to_owned(),
            found,
        });
    }
    Ok(bytes)
}

/// The SHA-256 (hex) of the bytes stored as the document `sha256` now
/// (`None`: no document is stored under it): `sha256` itself unless
/// another program changed them in the database.
pub(crate) fn stored_document_sha256(
    conn: &dyn crate::db::Db,
    sha256: &str,
) -> Result<Option<String>> {
    Ok(read_document(conn, DocumentKey::Sha256(sha256), false)?.map(|d| d.found))
}

/// A stored document whose bytes no longer have the SHA-256 it was stored
/// under: changed in the database by another program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlteredDocument {
    /// The file name it was first imported as.
    pub file_name: String,
    /// The SHA-256 it was stored under (what `show` and the EACs name).
    pub sha256: String,
    /// The SHA-256 of the bytes stored now.
    pub found: String,
    /// How many stored EACs name it as their source.
    pub eacs: usize,
}

/// Every stored document whose bytes no longer have their SHA-256, by file
/// name: every document for the default filter, else only those the EACs
/// `filter` keeps came from. Each is read and hashed on its own, so memory
/// holds one document at a time (and the list of names); each hashed is a
/// step of [`Phase::CheckDocuments`](crate::Phase::CheckDocuments).
/// Cancelled through `progress` between two documents.
pub(crate) fn altered_documents(
    conn: &dyn crate::db::Db,
    filter: &crate::EacFilter,
    progress: &dyn Progress,
) -> Result<Vec<AlteredDocument>> {
    let mut sql = crate::query::Sql::on(conn, "SELECT id, sha256, file_name FROM documents");
    if *filter != crate::EacFilter::default() {
        sql.push(
            " WHERE id IN (SELECT s.document_id FROM eac_sources s
                            WHERE s.eac_id IN (SELECT e.id FROM eacs e",
        );
        crate::query::push_filter(&mut sql, filter)?;
        sql.push("))");
    }
    sql.push(" ORDER BY file_name, id");
    let listed: Vec<(i64, String, String)> = conn.collect(&sql.text, &sql.args(), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    let total = u64::try_from(listed.len()).unwrap_or(u64::MAX);
    let mut altered = Vec::new();
    for (done, (id, sha256, file_name)) in (0u64..).zip(listed) {
        progress.update(crate::Phase::CheckDocuments, done, Some(total));
        if progress.is_cancelled() {
            return Err(crate::StoreError::Cancelled);
        }
        let Some(StoredContent { found, .. }) = read_document(conn, DocumentKey::Row(id), false)?
        else {
            continue;
        };
        if found != sha256 {
            let eacs: i64 = conn.query_row(
                "SELECT COUNT(DISTINCT eac_id) FROM eac_sources WHERE document_id = ?1",
                &[&id],
                |r| Ok(r.get(0)?),
            )?;
            altered.push(AlteredDocument {
                file_name,
                sha256,
                found,
                eacs: count_of(eacs),
            });
        }
    }
    progress.update(crate::Phase::CheckDocuments, total, Some(total));
    Ok(altered)
}

fn count_of(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// A saved column mapping of the generic CSV import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedMapping {
    pub name: String,
    /// The mapping as JSON text (eac-registry `Mapping`).
    pub mapping: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Saves (or replaces) mapping `name`, audited (`mapping_save`, with the
/// mapping it replaced); saving what is stored already changes nothing.
pub(crate) fn save_mapping(w: &Write, name: &str, mapping_json: &str) -> Result<()> {
    // On a server, two desks saving or deleting mappings take turns
    // (the audit chain's lock, `lock`): each record says what it replaced.
    crate::lock::chain_first(w)?;
    let before = stored_mapping(w, name)?;
    if before.is_none() {
        // Names differing only in case are one name (decision 142's rule
        // for views): `NECS` saved beside `necs` was a second mapping that
        // an import with `necs` never used. So are names differing in how
        // an accent is written (NFC or NFD): folded as search text is
        // (`crate::fold`). Compared here, not in SQL: SQLite's lower()
        // folds ASCII only.
        let folded = crate::fold::name_key(name);
        let names: Vec<String> = w
            .db()
            .collect("SELECT name FROM csv_mappings", &[], |r| Ok(r.get(0)?))?;
        if let Some(other) = names.iter().find(|n| crate::fold::name_key(n) == folded) {
            return Err(crate::StoreError::InvalidInput(format!(
                "a mapping `{other}` is saved already, and mapping names differing only in case \
                 are one name: save under `{other}` to replace it, or choose another name; \
                 nothing was saved"
            )));
        }
    }
    if before.as_deref() == Some(mapping_json) {
        return Ok(());
    }
    w.db().execute(
        "INSERT INTO csv_mappings (name, mapping, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        &[&name, &mapping_json, &w.at().to_storage()],
    )?;
    let mut details = vec![
        ("name", name.to_owned()),
        ("mapping", mapping_json.to_owned()),
    ];
    if let Some(before) = before {
        details.push(("replaced", before));
    }
    let reason = match details.len() {
        3 => "column mapping replaced",
        _ => "column mapping saved",
    };
    crate::packs::insert_database_record(
        w,
        AuditAction::MappingSave,
        &details,
        &Reason::fixed(reason),
        &crate::os_user(),
        "",
    )?;
    Ok(())
}

fn stored_mapping(w: &Write, name: &str) -> Result<Option<String>> {
    w.db().query_opt(
        "SELECT mapping FROM csv_mappings WHERE name = ?1",
        &[&name],
        |r| Ok(r.get(0)?),
    )
}

pub(crate) fn mappings(conn: &dyn crate::db::Db) -> Result<Vec<SavedMapping>> {
    conn.collect(
        "SELECT name, mapping, created_at, updated_at FROM csv_mappings ORDER BY name",
        &[],
        |r| {
            Ok(SavedMapping {
                name: r.get(0)?,
                mapping: r.get(1)?,
                created_at: rows::display_time(r, 2)?,
                updated_at: rows::display_time(r, 3)?,
            })
        },
    )
}

/// Removes a saved mapping, audited (`mapping_delete`, with what it
/// held); says whether there was one.
pub(crate) fn delete_mapping(w: &Write, name: &str) -> Result<bool> {
    crate::lock::chain_first(w)?;
    let Some(before) = stored_mapping(w, name)? else {
        return Ok(false);
    };
    w.db()
        .execute("DELETE FROM csv_mappings WHERE name = ?1", &[&name])?;
    crate::packs::insert_database_record(
        w,
        AuditAction::MappingDelete,
        &[("name", name.to_owned()), ("mapping", before)],
        &Reason::fixed("column mapping deleted"),
        &crate::os_user(),
        "",
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_keys_order_like_numbers() {
        let k = |s| seq_key(s).unwrap();
        assert!(k("9") < k("10"));
        assert!(k("0009") == k("9"));
        assert!(k("5761.999999") < k("5762.000000"));
        assert!(k("5762") == k("5762.000000"));
        assert!(k("643002406555900210000164308649") < k("643002406555900210000164308651"));
        assert!(seq_key("1".repeat(1000).as_str()).is_none());
        assert!(seq_key("12a").is_none());
    }

    /// Numbers past the fixed width are keyed too (decision 256): a longer
    /// integer part sorts after every shorter one and by its digits; a
    /// longer fraction by its digits, trailing zeros aside.
    #[test]
    fn long_sequence_numbers_are_keyed_in_number_order() {
        let k = |s: &str| seq_key(s).unwrap();
        let forty = "9".repeat(40);
        let forty_one = format!("1{}", "0".repeat(40));
        assert!(k(&forty) < k(&forty_one));
        assert!(k(&format!("{forty_one}5")) > k(&forty_one));
        assert!(k(&format!("{forty_one}0")) > k(&format!("9{}", "0".repeat(40))));
        let long = "12345678901234567890123456789012345678901230";
        let later = "12345678901234567890123456789012345678901239";
        assert!(k(long) < k(later));
        assert_eq!(k(&format!("000{long}")), k(long));
        assert_eq!(key_to_seq(&k(long)), long);
        assert_eq!(key_to_seq(&k(&format!("{long}.50"))), format!("{long}.5"));
        assert!(k("1.0000000000001") > k("1"));
        assert!(k("1.0000000000001") < k("1.000000000001"));
        assert_eq!(k("1.5000000000000"), k("1.5"));
        assert_eq!(key_to_seq(&k("7.1234567890123")), "7.1234567890123");
        assert_eq!(
            shared_count(
                (long, later),
                ("12345678901234567890123456789012345678901235", later)
            ),
            "5"
        );
    }

    #[test]
    fn shared_certificates_are_counted_exactly() {
        assert_eq!(shared_count(("1", "10"), ("5", "20")), "6");
        assert_eq!(shared_count(("1", "10"), ("3", "4")), "2");
        assert_eq!(
            shared_count(
                ("5750.000000", "5761.999999"),
                ("5761.000000", "5800.999999")
            ),
            "1.000000"
        );
    }
}
