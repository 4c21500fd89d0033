//! EACs to rows and back: the one place that knows how an [`Eac`] is laid
//! out over `eacs`, `eac_values`, `eac_beneficiaries`, `eac_totals` and the
//! search index. Writing takes the caller's `Write`, and every EAC added,
//! replaced, removed or re-attributed here is shown to the closed-period
//! check ([`crate::periods`]) first.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use eac_model::{
    extensions_from_json, extensions_to_json, AssetLocationType, BeneficiaryType, Date, Decimal,
    Eac, EacValue, EnergyUnit, ExactSum, Extensions, RetiredState, TechnologyType, Timestamp,
    UnitSums,
};
use rusqlite::params_from_iter;
use rusqlite::types::{Type, ValueRef};

use crate::db::{Db, DbRow, Kind};

use crate::claimed;
use crate::periods;
use crate::write::Write;
use crate::{QuantityTotal, Result, StoreError};

/// Stored text that does not parse back: the file was changed behind our back.
#[derive(Debug, thiserror::Error)]
#[error("stored value `{0}` is not valid")]
struct BadStoredText(String);

fn bad(idx: usize, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        Type::Text,
        Box::new(BadStoredText(text.to_owned())),
    )
}

/// Reads column `idx` as text (borrowed from the row) and parses it.
pub(crate) fn parsed<T>(
    row: &dyn DbRow,
    idx: usize,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text = text_required(row, idx)?;
    parse(text).ok_or_else(|| bad(idx, text))
}

pub(crate) fn parsed_opt<T>(
    row: &dyn DbRow,
    idx: usize,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    text_ref(row, idx)?
        .map(|text| parse(text).ok_or_else(|| bad(idx, text)))
        .transpose()
}

pub(crate) fn timestamp(text: &str) -> Option<Timestamp> {
    Timestamp::from_storage(text).ok()
}

pub(crate) fn date(text: &str) -> Option<Date> {
    Date::parse(text).ok()
}

pub(crate) fn decimal(text: &str) -> Option<Decimal> {
    Decimal::parse(text).ok()
}

/// A stored timestamp as the RFC 3339 UTC text people and JSON see.
pub(crate) fn display_time(row: &dyn DbRow, idx: usize) -> rusqlite::Result<String> {
    parsed(row, idx, timestamp).map(|t| t.to_string())
}

/// The `eacs` columns [`eac_head`] reads, for `FROM eacs e`.
pub(crate) const EAC_COLUMNS: &str = "e.id, e.cds_eac_id, e.cds_created, e.cds_modified, \
    e.eac_number, e.source_id, e.source_name, e.destination_id, e.destination_name, \
    e.beneficiary_type, e.asset_id, e.asset_commissioned, e.asset_origination, \
    e.asset_destination, e.technology_type, e.emissions_factor_direct, \
    e.emissions_factor_lca, e.period_start, e.period_end, e.extensions";

/// An EAC from one `eacs` row selected with [`EAC_COLUMNS`]; its values and
/// beneficiaries are still empty (see [`load_children`]).
pub(crate) fn eac_head(row: &dyn DbRow) -> rusqlite::Result<(i64, Eac)> {
    let mut eac = blank_eac();
    let id = refill_head(row, &mut eac)?;
    Ok((id, eac))
}

/// An EAC with every field empty, to be filled by [`refill_head`] and
/// [`load_children`].
pub(crate) fn blank_eac() -> Eac {
    let epoch = Timestamp::from_utc(chrono::DateTime::UNIX_EPOCH);
    Eac {
        cds_eac_id: String::new(),
        cds_created: epoch,
        cds_modified: epoch,
        eac_number: None,
        source_id: String::new(),
        source_name: String::new(),
        destination_id: None,
        destination_name: None,
        beneficiary_type: None,
        beneficiaries: Vec::new(),
        asset_id: String::new(),
        asset_commissioned: None,
        asset_origination: None,
        asset_destination: None,
        technology_type: None,
        emissions_factor_direct: None,
        emissions_factor_lca: None,
        period_start: epoch,
        period_end: epoch,
        values: Vec::new(),
        extensions: Extensions::default(),
    }
}

/// Column `idx` as borrowed text (`None` for NULL); what is not text is
/// the same conversion error as `row.get::<_, String>`.
fn text_ref(row: &dyn DbRow, idx: usize) -> rusqlite::Result<Option<&str>> {
    match row.get_ref(idx)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))),
        // Not text: the error `row.get::<_, String>` gives.
        _ => row.get::<String>(idx).map(|_| None),
    }
}

/// Column `idx` as borrowed text, NULL refused as `row.get::<_, String>` does.
fn text_required(row: &dyn DbRow, idx: usize) -> rusqlite::Result<&str> {
    match text_ref(row, idx)? {
        Some(text) => Ok(text),
        None => row.get::<String>(idx).map(|_| ""),
    }
}

/// Column `idx`, NOT NULL text, into `into` (its allocation kept).
fn refill_text(row: &dyn DbRow, idx: usize, into: &mut String) -> rusqlite::Result<()> {
    let text = text_required(row, idx)?;
    into.clear();
    into.push_str(text);
    Ok(())
}

/// Column `idx`, text or NULL, into `into` (its allocation kept).
fn refill_opt_text(row: &dyn DbRow, idx: usize, into: &mut Option<String>) -> rusqlite::Result<()> {
    match text_ref(row, idx)? {
        None => *into = None,
        Some(text) => {
            let s = into.get_or_insert_with(String::new);
            s.clear();
            s.push_str(text);
        }
    }
    Ok(())
}

fn extensions_ref(row: &dyn DbRow, idx: usize) -> rusqlite::Result<Extensions> {
    match text_ref(row, idx)? {
        None => Ok(Extensions::default()),
        Some(text) => extensions_from_json(text).map_err(|_| bad(idx, text)),
    }
}

/// The `eacs` row into an EAC read before (a streaming export reads
/// millions): its strings keep their allocations; values and beneficiaries
/// are left as they were (see [`load_children`]).
pub(crate) fn refill_head(row: &dyn DbRow, eac: &mut Eac) -> rusqlite::Result<i64> {
    refill_text(row, 1, &mut eac.cds_eac_id)?;
    eac.cds_created = parsed(row, 2, timestamp)?;
    eac.cds_modified = parsed(row, 3, timestamp)?;
    refill_opt_text(row, 4, &mut eac.eac_number)?;
    refill_text(row, 5, &mut eac.source_id)?;
    refill_text(row, 6, &mut eac.source_name)?;
    refill_opt_text(row, 7, &mut eac.destination_id)?;
    refill_opt_text(row, 8, &mut eac.destination_name)?;
    eac.beneficiary_type = parsed_opt(row, 9, BeneficiaryType::parse)?;
    refill_text(row, 10, &mut eac.asset_id)?;
    eac.asset_commissioned = parsed_opt(row, 11, date)?;
    eac.asset_origination = parsed_opt(row, 12, AssetLocationType::parse)?;
    eac.asset_destination = parsed_opt(row, 13, AssetLocationType::parse)?;
    eac.technology_type = parsed_opt(row, 14, TechnologyType::parse)?;
    eac.emissions_factor_direct = parsed_opt(row, 15, decimal)?;
    eac.emissions_factor_lca = parsed_opt(row, 16, decimal)?;
    eac.period_start = parsed(row, 17, timestamp)?;
    eac.period_end = parsed(row, 18, timestamp)?;
    eac.extensions = extensions_ref(row, 19)?;
    row.get(0)
}

/// The columns of an `eac_values` row as [`refill_value`] reads them.
macro_rules! value_columns {
    () => {
        r#"eac_number, issued, retired, "start", "end", unit, value, extensions, retired_undated"#
    };
}

/// Fills in values (stored order) and beneficiaries of an EAC read by
/// [`eac_head`] or [`refill_head`], in place: an EAC refilled row after row
/// (a streaming export reads millions) keeps its strings' allocations.
pub(crate) fn load_children(conn: &dyn Db, id: i64, eac: &mut Eac) -> Result<()> {
    eac.beneficiaries = beneficiaries(conn, id)?;

    let mut n = 0;
    conn.each(
        concat!(
            "SELECT ",
            value_columns!(),
            " FROM eac_values WHERE eac_id = ?1 ORDER BY position"
        ),
        &[&id],
        &mut |row| {
            if n == eac.values.len() {
                eac.values.push(value_of(row)?);
            } else {
                refill_value(row, &mut eac.values[n])?;
            }
            n += 1;
            Ok(())
        },
    )?;
    eac.values.truncate(n);
    Ok(())
}

/// An `eac_values` row (`value_columns!`) into a value read before, its
/// strings' allocations kept.
fn refill_value(row: &dyn DbRow, v: &mut EacValue) -> rusqlite::Result<()> {
    refill_opt_text(row, 0, &mut v.eac_number)?;
    v.issued = parsed_opt(row, 1, date)?;
    v.retired = parsed_opt(row, 2, date)?;
    v.start = parsed_opt(row, 3, timestamp)?;
    v.end = parsed_opt(row, 4, timestamp)?;
    v.unit = parsed(row, 5, EnergyUnit::parse)?;
    v.value = parsed(row, 6, decimal)?;
    v.extensions = extensions_ref(row, 7)?;
    v.retired_undated = row.get(8)?;
    Ok(())
}

/// An `eac_values` row (`value_columns!`) as a new value.
fn value_of(row: &dyn DbRow) -> rusqlite::Result<EacValue> {
    let mut v = EacValue {
        eac_number: None,
        issued: None,
        retired: None,
        retired_undated: false,
        start: None,
        end: None,
        unit: parsed(row, 5, EnergyUnit::parse)?,
        value: parsed(row, 6, decimal)?,
        extensions: Extensions::default(),
    };
    refill_value(row, &mut v)?;
    Ok(v)
}

/// The whole EACs stored in rows `ids`, in order ([`load_eac_by_id`] of
/// many: their heads, beneficiaries and values asked for up to 32 EACs a
/// statement, [`each_of`]).
pub(crate) fn load_eacs_by_ids(db: &dyn Db, ids: &[i64]) -> Result<Vec<Eac>> {
    fn param(id: &i64) -> Vec<&dyn rusqlite::ToSql> {
        vec![id]
    }
    let mut heads: Vec<Option<Eac>> = vec![None; ids.len()];
    each_of(
        db,
        ids,
        |k| format!("SELECT {k}, {EAC_COLUMNS} FROM eacs e WHERE e.id = ?"),
        param,
        &mut |at, row| {
            heads[at] = Some(eac_head(row)?.1);
            Ok(())
        },
    )?;
    let mut eacs = (heads.into_iter().zip(ids))
        // A row found a statement ago and gone now: another desk deleted
        // it meanwhile (never a row id in a message).
        .map(|(eac, _)| eac.ok_or_else(StoreError::raced))
        .collect::<Result<Vec<Eac>>>()?;
    let mut beneficiaries: Vec<Vec<(i64, String)>> = vec![Vec::new(); ids.len()];
    each_of(
        db,
        ids,
        |k| format!("SELECT {k}, position, beneficiary_id FROM eac_beneficiaries WHERE eac_id = ?"),
        param,
        &mut |at, row| {
            beneficiaries[at].push((row.get(0)?, row.get(1)?));
            Ok(())
        },
    )?;
    let mut values: Vec<Vec<(i64, EacValue)>> = vec![Vec::new(); ids.len()];
    each_of(
        db,
        ids,
        |k| {
            format!(
                "SELECT {k}, {}, position FROM eac_values WHERE eac_id = ?",
                value_columns!()
            )
        },
        param,
        &mut |at, row| {
            values[at].push((row.get(9)?, value_of(row)?));
            Ok(())
        },
    )?;
    for ((eac, mut b), mut v) in eacs.iter_mut().zip(beneficiaries).zip(values) {
        // In stored order.
        b.sort_by_key(|(position, _)| *position);
        v.sort_by_key(|(position, _)| *position);
        eac.beneficiaries = b.into_iter().map(|(_, id)| id).collect();
        eac.values = v.into_iter().map(|(_, value)| value).collect();
    }
    Ok(eacs)
}

pub(crate) fn beneficiaries(conn: &dyn Db, id: i64) -> Result<Vec<String>> {
    conn.collect(
        "SELECT beneficiary_id FROM eac_beneficiaries WHERE eac_id = ?1 ORDER BY position",
        &[&id],
        |row| Ok(row.get(0)?),
    )
}

/// Exact totals per unit, in unit order (Wh, kWh, MWh).
pub(crate) fn quantities(conn: &dyn Db, id: i64) -> Result<Vec<QuantityTotal>> {
    let mut totals: Vec<(EnergyUnit, String)> = conn.collect(
        "SELECT unit, total FROM eac_totals WHERE eac_id = ?1",
        &[&id],
        |row| Ok((parsed(row, 0, EnergyUnit::parse)?, row.get(1)?)),
    )?;
    totals.sort_by_key(|(unit, _)| unit.wh_exponent());
    Ok(totals
        .into_iter()
        .map(|(unit, total)| QuantityTotal { unit, total })
        .collect())
}

/// The whole EAC stored under `cds_eac_id`, with its row id.
pub(crate) fn load_eac(conn: &dyn Db, cds_eac_id: &str) -> Result<(i64, Eac)> {
    let sql = format!("SELECT {EAC_COLUMNS} FROM eacs e WHERE e.cds_eac_id = ?1");
    let (id, mut eac) = conn
        .query_opt(&sql, &[&cds_eac_id], |row| Ok(eac_head(row)?))?
        .ok_or_else(|| StoreError::NotFound(cds_eac_id.to_owned()))?;
    load_children(conn, id, &mut eac)?;
    Ok((id, eac))
}

/// The whole EAC stored in row `id` (found before: a row gone since was
/// deleted by another desk meanwhile, [`StoreError::raced`]).
pub(crate) fn load_eac_by_id(conn: &dyn Db, id: i64) -> Result<Eac> {
    let sql = format!("SELECT {EAC_COLUMNS} FROM eacs e WHERE e.id = ?1");
    let (_, mut eac) = conn
        .query_opt(&sql, &[&id], |row| Ok(eac_head(row)?))?
        .ok_or_else(StoreError::raced)?;
    load_children(conn, id, &mut eac)?;
    Ok(eac)
}

/// What the store already holds under an incoming `cds_eac_id`.
pub(crate) struct Stored {
    pub id: i64,
    pub cds_modified: Timestamp,
    pub seen_batch_id: i64,
    /// `eacs.content_digest` ([`content_digest`]): `None` when not known.
    pub digest: Option<String>,
}

pub(crate) fn find(conn: &dyn Db, cds_eac_id: &str) -> Result<Option<Stored>> {
    conn.query_opt(
        "SELECT id, cds_modified, seen_batch_id, content_digest FROM eacs WHERE cds_eac_id = ?1",
        &[&cds_eac_id],
        |row| {
            Ok(Stored {
                id: row.get(0)?,
                cds_modified: parsed(row, 1, timestamp)?,
                seen_batch_id: row.get(2)?,
                digest: row.get(3)?,
            })
        },
    )
}

/// What is hashed before an EAC's text ([`content_digest`]): the version
/// that read it, so that a version reading the same text otherwise has the
/// stored EAC compared field by field once.
const DIGEST_PREFIX: &str = concat!("eacdesk ", env!("CARGO_PKG_VERSION"), "\n");

/// `eacs.content_digest` of an EAC's text: its object as a listing gives it
/// (the same text is the same EAC), or its detail JSON as EAC Desk writes
/// it ([`eac_digest`]). The first 128 bits of a SHA-256, in hex.
pub(crate) fn content_digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(DIGEST_PREFIX.as_bytes());
    hash.update(text.as_bytes());
    hex::encode(&hash.finalize()[..16])
}

/// [`content_digest`] of an EAC held in memory (sample data, a P2 detail
/// file, a registry statement, a version put back): its detail JSON.
pub(crate) fn eac_digest(eac: &Eac) -> String {
    content_digest(&serde_json::to_string(eac).expect("an EAC serializes"))
}

/// Keeps `digest` as what states the stored EAC in row `id` (found the same
/// by a field-by-field comparison).
pub(crate) fn set_digest(w: &Write, id: i64, digest: &str) -> Result<()> {
    w.db().execute(
        "UPDATE eacs SET content_digest = ?2 WHERE id = ?1",
        &[&id, &digest],
    )?;
    Ok(())
}

/// Values derived from an EAC for browsing, kept beside its fields.
struct Derived {
    issuance: Option<String>,
    /// `Eac::missing_names` as a JSON array; `None` when complete.
    missing: Option<String>,
    retired_state: RetiredState,
    quantity_sort_key: String,
    extensions: Option<String>,
    /// Exact total per unit, in unit order.
    totals: Vec<UnitTotal>,
}

struct UnitTotal {
    unit: EnergyUnit,
    total: Decimal,
    /// `(mantissa, scale)` when the mantissa fits in 64 bits.
    scaled: Option<(i64, i64)>,
}

fn derive(eac: &Eac) -> Result<Derived> {
    if eac.values.is_empty() {
        return Err(StoreError::InvalidInput(format!(
            "EAC `{}` has no values",
            eac.cds_eac_id
        )));
    }
    // One pass, one parse per value: totals per unit and the total in Wh.
    let mut per_unit = UnitSums::default();
    let mut wh = ExactSum::default();
    for v in &eac.values {
        wh.add(&v.value, v.unit.wh_exponent());
        per_unit.add(v.unit, &v.value);
    }
    let totals = per_unit
        .iter()
        .map(|(unit, total)| UnitTotal {
            unit,
            total: total.to_decimal(),
            scaled: total.to_scaled_i64(),
        })
        .collect();
    Ok(Derived {
        issuance: eac.issuance().as_ref().map(Date::to_string),
        missing: missing_json(eac),
        retired_state: eac.retired_state(),
        quantity_sort_key: wh.sort_key(),
        extensions: extensions_to_json(&eac.extensions),
        totals,
    })
}

/// Position of a unit in `EnergyUnit::ALL` (Wh, kWh, MWh).
pub(crate) fn unit_index(unit: EnergyUnit) -> usize {
    EnergyUnit::ALL
        .iter()
        .position(|u| *u == unit)
        .expect("every unit is in ALL")
}

/// A column of an EAC row, borrowed ([`head_columns`]).
#[derive(Clone, Copy)]
enum Column<'a> {
    Text(Option<&'a str>),
    Integer(i64),
}

/// The columns of an EAC row after its key, in the order both `insert`
/// and `replace` name them (`?2` … `?26`; the batch id also sets
/// `seen_batch_id`), borrowed from the EAC and its prepared texts: what a
/// file binds in place and a server sends (one list for both). The digest
/// is [`Prepared::digest`], set by [`with_digest`] before.
fn head_columns<'a>(eac: &'a Eac, p: &'a Prepared, batch_id: i64) -> [Column<'a>; 25] {
    use Column::{Integer, Text};
    let d = &p.derived;
    let [created, modified, start, end, commissioned] = p.head;
    [
        Text(p.text(created)),
        Text(p.text(modified)),
        Text(eac.eac_number.as_deref()),
        Text(Some(&eac.source_id)),
        Text(Some(&eac.source_name)),
        Text(eac.destination_id.as_deref()),
        Text(eac.destination_name.as_deref()),
        Text(eac.beneficiary_type.map(|t| t.as_str())),
        Text(Some(&eac.asset_id)),
        Text(p.text(commissioned)),
        Text(eac.asset_origination.map(|t| t.as_str())),
        Text(eac.asset_destination.map(|t| t.as_str())),
        Text(eac.technology_type.map(|t| t.as_str())),
        Text(eac.emissions_factor_direct.as_ref().map(Decimal::as_str)),
        Text(eac.emissions_factor_lca.as_ref().map(Decimal::as_str)),
        Text(p.text(start)),
        Text(p.text(end)),
        Text(d.issuance.as_deref()),
        Text(Some(d.retired_state.as_str())),
        Integer(count(eac.values.len())),
        Text(Some(&d.quantity_sort_key)),
        Text(d.extensions.as_deref()),
        Integer(batch_id),
        Text(d.missing.as_deref()),
        Text(p.digest.as_deref()),
    ]
}

/// Binds [`head_columns`] to `?2` … `?26` of `stmt`.
fn bind_columns(
    stmt: &mut rusqlite::Statement,
    eac: &Eac,
    p: &Prepared,
    batch_id: i64,
) -> rusqlite::Result<()> {
    for (i, column) in head_columns(eac, p, batch_id).into_iter().enumerate() {
        match column {
            Column::Text(t) => stmt.raw_bind_parameter(i + 2, t)?,
            Column::Integer(n) => stmt.raw_bind_parameter(i + 2, n)?,
        }
    }
    Ok(())
}

/// Where a text sits in [`Prepared::texts`]; [`Span::NONE`] for NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span(u32, u32);

impl Span {
    const NONE: Span = Span(u32::MAX, 0);
}

/// Everything an EAC's rows hold beyond its own fields, computed before the
/// write so that the writer only binds and steps: an import prepares each
/// EAC on its parser thread, beside the parse (issue 16). The stored texts
/// of its times and dates and its values' extensions sit in one buffer.
pub(crate) struct Prepared {
    derived: Derived,
    texts: String,
    /// `cds_created`, `cds_modified`, `period_start`, `period_end`,
    /// `asset_commissioned`.
    head: [Span; 5],
    /// Per value: `issued`, `retired`, `start`, `end`, `extensions`.
    values: Vec<[Span; 5]>,
    search: String,
    /// Reused while writing times and dates into `texts`.
    scratch: Vec<u8>,
    /// [`content_digest`] of the text that stated the EAC, when the import
    /// read one (set on its parser thread); else computed from the EAC as
    /// it is written ([`with_digest`]).
    pub(crate) digest: Option<String>,
}

/// Gives `p` the digest of `eac` if it has none yet (an EAC held in memory).
fn with_digest(eac: &Eac, p: &mut Prepared) {
    if p.digest.is_none() {
        p.digest = Some(eac_digest(eac));
    }
}

impl Prepared {
    fn text(&self, span: Span) -> Option<&str> {
        (span != Span::NONE).then(|| &self.texts[span.0 as usize..span.1 as usize])
    }

    /// Appends what `write` writes (ASCII: a stored time or date), or
    /// nothing for `None`, without a `String` of its own; where it sits.
    fn push_ascii<T>(&mut self, item: Option<&T>, write: impl Fn(&T, &mut Vec<u8>)) -> Span {
        let Some(item) = item else {
            return Span::NONE;
        };
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        write(item, &mut bytes);
        let span = self.push(Some(std::str::from_utf8(&bytes).expect("ASCII")));
        self.scratch = bytes;
        span
    }

    /// Appends `text` (if any) to the buffer; where it sits.
    fn push(&mut self, text: Option<&str>) -> Span {
        match text {
            None => Span::NONE,
            Some(t) => {
                let start = self.texts.len();
                self.texts.push_str(t);
                Span(span_at(start), span_at(self.texts.len()))
            }
        }
    }
}

fn span_at(at: usize) -> u32 {
    u32::try_from(at).expect("an EAC's stored texts fit in 4 GiB")
}

/// The rows of `eac` ready to bind ([`insert_prepared`], [`replace_prepared`]).
/// Fails as the insert would for an EAC without values.
pub(crate) fn prepare(eac: &Eac) -> Result<Prepared> {
    let mut p = Prepared {
        derived: derive(eac)?,
        texts: String::with_capacity(128 + eac.values.len() * 80),
        head: [Span::NONE; 5],
        values: Vec::with_capacity(eac.values.len()),
        search: search_text(eac),
        scratch: Vec::with_capacity(32),
        digest: None,
    };
    let time = |t: &Timestamp, b: &mut Vec<u8>| t.push_storage(b);
    let date = |d: &Date, b: &mut Vec<u8>| d.push_iso(b);
    p.head = [
        p.push_ascii(Some(&eac.cds_created), time),
        p.push_ascii(Some(&eac.cds_modified), time),
        p.push_ascii(Some(&eac.period_start), time),
        p.push_ascii(Some(&eac.period_end), time),
        p.push_ascii(eac.asset_commissioned.as_ref(), date),
    ];
    for v in &eac.values {
        let spans = [
            p.push_ascii(v.issued.as_ref(), date),
            p.push_ascii(v.retired.as_ref(), date),
            p.push_ascii(v.start.as_ref(), time),
            p.push_ascii(v.end.as_ref(), time),
            p.push(extensions_to_json(&v.extensions).as_deref()),
        ];
        p.values.push(spans);
    }
    Ok(p)
}

/// The names stored in `eacs.missing` (a JSON array; text another tool
/// wrote there is shown as one name rather than lost).
pub(crate) fn missing_from_json(text: Option<String>) -> Vec<String> {
    text.map(|t| serde_json::from_str(&t).unwrap_or_else(|_| vec![t]))
        .unwrap_or_default()
}

/// `Eac::missing_names` as stored in `eacs.missing`.
pub(crate) fn missing_json(eac: &Eac) -> Option<String> {
    let names = eac.missing_names();
    (!names.is_empty()).then(|| serde_json::to_string(&names).expect("names serialize"))
}

/// Inserts a new EAC with all its rows; returns its row id.
pub(crate) fn insert(w: &Write, eac: &Eac, batch_id: i64) -> Result<i64> {
    insert_prepared(w, eac, &mut prepare(eac)?, batch_id)
}

/// [`insert`] of an EAC whose rows were prepared before (an import
/// prepares them on its parser thread: [`prepare`]).
pub(crate) fn insert_prepared(
    w: &Write,
    eac: &Eac,
    p: &mut Prepared,
    batch_id: i64,
) -> Result<i64> {
    Ok(insert_many(w, &mut [(eac, p)], batch_id)?[0])
}

/// A fresh load's insert of an EAC's own row ([`insert_prepared`] without
/// the children: the load writes those with its batch's, [`insert_children`]).
/// `None` when the load has already written an EAC of this `cds_eac_id`
/// (the key's unique index refused the row; nothing was written). The
/// database held no EAC when the load began, so this is the same answer
/// [`find`] would give, without a query per EAC. A load of a file builds
/// that index after the rows instead, and reads the file again without
/// deferring it if it repeats an id (decision 233,
/// `import::load_fresh_or_again`): then every row is written here.
pub(crate) fn insert_row_fresh(
    w: &Write,
    eac: &Eac,
    p: &mut Prepared,
    batch_id: i64,
) -> Result<Option<i64>> {
    periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
    match insert_row(w, eac, p, batch_id) {
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, Some(message))))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                && message.ends_with("eacs.cds_eac_id") =>
        {
            Ok(None)
        }
        inserted => inserted.map(Some),
    }
}

/// Inserts the `eacs` row of a new EAC (SQLite); returns its row id.
fn insert_row(w: &Write, eac: &Eac, p: &mut Prepared, batch_id: i64) -> Result<i64> {
    with_digest(eac, p);
    let mut stmt = w.prepare_cached(
        "INSERT INTO eacs (cds_eac_id, cds_created, cds_modified, eac_number, source_id,
            source_name, destination_id, destination_name, beneficiary_type, asset_id,
            asset_commissioned, asset_origination, asset_destination, technology_type,
            emissions_factor_direct, emissions_factor_lca, period_start, period_end, issuance,
            retired_state, value_count, quantity_sort_key, extensions, import_batch_id,
            seen_batch_id, missing, content_digest, cds_synced, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?24, ?25, ?26,
            (SELECT imported_at FROM import_batches WHERE id = ?24),
            COALESCE(?27, (SELECT version_high + 1 FROM eac_counts_kept)))",
    )?;
    stmt.raw_bind_parameter(1, eac.cds_eac_id.as_str())?;
    bind_columns(&mut stmt, eac, p, batch_id)?;
    let mut tally = w.facet_tally.borrow_mut();
    // A fresh load gives the versions itself (its trigger is dropped).
    stmt.raw_bind_parameter(27, tally.as_mut().map(|t| t.next_version()))?;
    stmt.raw_execute()?;
    let id = w.last_insert_rowid();
    if let Some(tally) = tally.as_mut() {
        let period = match (p.text(p.head[2]), p.text(p.head[3])) {
            (Some(start), Some(end)) => Some(format!("{start}/{end}")),
            _ => None,
        };
        tally.add(
            [
                eac.technology_type.map(|t| t.as_str()),
                Some(p.derived.retired_state.as_str()),
                eac.beneficiary_type.map(|b| b.as_str()),
                Some(eac.source_id.as_str()),
                eac.destination_id.as_deref(),
                period.as_deref(),
            ],
            count(eac.values.len()),
            p.derived
                .totals
                .iter()
                .filter_map(|t| t.scaled.map(|(mantissa, scale)| (t.unit, mantissa, scale))),
        );
    }
    drop(tally);
    Ok(id)
}

/// Replaces a stored EAC by a newer version, keeping its row id.
pub(crate) fn replace(w: &Write, id: i64, eac: &Eac, batch_id: i64) -> Result<()> {
    replace_prepared(w, id, eac, &mut prepare(eac)?, batch_id)
}

/// [`replace`] with the rows prepared before ([`prepare`]).
pub(crate) fn replace_prepared(
    w: &Write,
    id: i64,
    eac: &Eac,
    p: &mut Prepared,
    batch_id: i64,
) -> Result<()> {
    // The version replaced and the one replacing it (it may move periods).
    periods::check_row(w, id)?;
    periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
    claimed::check_replaced(w, id, eac)?;
    with_digest(eac, p);
    if w.db().kind() == Kind::Postgres {
        w.changed_eac()?;
        return server::replace_many(w, &mut [(id, eac, p)], batch_id);
    }
    if let Some(tally) = w.facet_tally.borrow_mut().as_mut() {
        tally.mark_stale();
    }
    let mut stmt = w.prepare_cached(
        "UPDATE eacs SET cds_created = ?2, cds_modified = ?3, eac_number = ?4, source_id = ?5,
            source_name = ?6, destination_id = ?7, destination_name = ?8, beneficiary_type = ?9,
            asset_id = ?10, asset_commissioned = ?11, asset_origination = ?12,
            asset_destination = ?13, technology_type = ?14, emissions_factor_direct = ?15,
            emissions_factor_lca = ?16, period_start = ?17, period_end = ?18, issuance = ?19,
            retired_state = ?20, value_count = ?21, quantity_sort_key = ?22, extensions = ?23,
            import_batch_id = ?24, seen_batch_id = ?24, missing = ?25, content_digest = ?26,
            version = (SELECT version_high + 1 FROM eac_counts_kept)
         WHERE id = ?1",
    )?;
    stmt.raw_bind_parameter(1, id)?;
    bind_columns(&mut stmt, eac, p, batch_id)?;
    stmt.raw_execute()?;
    flush_search(w)?;
    for sql in [
        "DELETE FROM eac_values WHERE eac_id = ?1",
        "DELETE FROM eac_beneficiaries WHERE eac_id = ?1",
        "DELETE FROM eac_totals WHERE eac_id = ?1",
        "DELETE FROM eac_search WHERE rowid = ?1",
    ] {
        w.prepare_cached(sql)?.execute([id])?;
    }
    insert_children(w, &mut [Child { id, eac, p }])
}

/// A stored EAC (its row) to be replaced by a newer version, its rows
/// prepared ([`replace_many`]).
pub(crate) type Replacing<'e, 'p> = (i64, &'e Eac, &'p mut Prepared);

/// [`replace_prepared`] of several stored EACs (distinct rows), in order:
/// on a server a few statements for all of them ([`server::replace_many`]:
/// the rows updated together, their old values, beneficiaries and totals
/// removed together and the new ones inserted together), in a file one by
/// one as before (no round trips to save).
pub(crate) fn replace_many(
    w: &Write,
    items: &mut [Replacing<'_, '_>],
    batch_id: i64,
) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    if w.db().kind() != Kind::Postgres {
        return items
            .iter_mut()
            .try_for_each(|(id, eac, p)| replace_prepared(w, *id, eac, p, batch_id));
    }
    // The versions replaced and the ones replacing them (they may move
    // periods), as one by one.
    let rows: Vec<i64> = items.iter().map(|(id, _, _)| *id).collect();
    periods::check_rows(w, &rows)?;
    for (row, eac, _) in items.iter() {
        periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
        claimed::check_replaced(w, *row, eac)?;
    }
    for (_, eac, p) in items.iter_mut() {
        with_digest(eac, p);
    }
    w.changed_eacs(items.len())?;
    server::replace_many(w, items, batch_id)
}

/// Removes the EAC in row `id` with all its rows.
pub(crate) fn delete(w: &Write, id: i64) -> Result<()> {
    periods::check_row(w, id)?;
    claimed::check_removed(w, id)?;
    if w.db().kind() == Kind::Postgres {
        w.changed_eac()?;
        // The search text goes with the row.
        for sql in [
            "DELETE FROM eac_values WHERE eac_id = ?1",
            "DELETE FROM eac_beneficiaries WHERE eac_id = ?1",
            "DELETE FROM eac_totals WHERE eac_id = ?1",
            "DELETE FROM eacs WHERE id = ?1",
        ] {
            w.db().execute(sql, &[&id])?;
        }
        return Ok(());
    }
    if let Some(tally) = w.facet_tally.borrow_mut().as_mut() {
        tally.mark_stale();
    }
    flush_search(w)?;
    for sql in [
        "DELETE FROM eac_values WHERE eac_id = ?1",
        "DELETE FROM eac_beneficiaries WHERE eac_id = ?1",
        "DELETE FROM eac_totals WHERE eac_id = ?1",
        "DELETE FROM eac_search WHERE rowid = ?1",
        "DELETE FROM eacs WHERE id = ?1",
    ] {
        w.prepare_cached(sql)?.execute([id])?;
    }
    Ok(())
}

/// [`delete`] of several rows: on a server one statement a table for all of
/// them (a round trip each), in a file row by row as before (no round
/// trips to save, and the search index's rows go one at a time).
pub(crate) fn delete_many(w: &Write, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if w.db().kind() != Kind::Postgres {
        return ids.iter().try_for_each(|id| delete(w, *id));
    }
    periods::check_rows(w, ids)?;
    claimed::check_removed_many(w, ids)?;
    w.changed_eacs(ids.len())?;
    let marks = numbered_marks(ids.len());
    let params: Vec<&dyn rusqlite::ToSql> = ids.iter().map(|i| i as &dyn rusqlite::ToSql).collect();
    for (table, key) in [
        ("eac_values", "eac_id"),
        ("eac_beneficiaries", "eac_id"),
        ("eac_totals", "eac_id"),
        ("eacs", "id"),
    ] {
        w.db().execute(
            &format!("DELETE FROM {table} WHERE {key} IN ({marks})"),
            &params,
        )?;
    }
    Ok(())
}

/// Records that the current batch's file held this EAC (left as stored):
/// it was checked against that file just now, so its `cds_synced` becomes
/// the batch's time, as every import's end would make it
/// (`p2::mark_synced_by_latest_batch`), without a second update of the row.
pub(crate) fn mark_seen(w: &Write, id: i64, batch_id: i64) -> Result<()> {
    w.db().execute(
        "UPDATE eacs SET seen_batch_id = ?2,
            cds_synced = (SELECT imported_at FROM import_batches WHERE id = ?2)
         WHERE id = ?1",
        &[&id, &batch_id],
    )?;
    Ok(())
}

/// Records that the current batch's file held this EAC but stated it
/// otherwise than it is stored (an earlier version, or the same
/// `cds_modified` with other content), left as stored: a second copy in
/// the file is still found, and its `cds_synced` stays, since it is not
/// what the file says (only the rows a batch writes or finds the same are
/// marked checked: `p2::mark_synced_by_latest_batch`).
pub(crate) fn mark_seen_differing(w: &Write, id: i64, batch_id: i64) -> Result<()> {
    w.db().execute(
        "UPDATE eacs SET seen_batch_id = ?2 WHERE id = ?1",
        &[&id, &batch_id],
    )?;
    Ok(())
}

/// [`find`] of many ids, a look-up for up to 32 at once ([`each_of`]).
pub(crate) fn find_many(
    db: &dyn Db,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Stored>> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    each_of(
        db,
        ids,
        |k| {
            format!(
                "SELECT {k}, id, cds_modified, seen_batch_id, content_digest FROM eacs
                  WHERE cds_eac_id = ?"
            )
        },
        |id| vec![id as &dyn rusqlite::ToSql],
        &mut |at, row| {
            let stored = Stored {
                id: row.get(0)?,
                cds_modified: parsed(row, 1, timestamp)?,
                seen_batch_id: row.get(2)?,
                digest: row.get(3)?,
            };
            found.insert(ids[at].to_owned(), stored);
            Ok(())
        },
    )?;
    Ok(found)
}

/// Inserts new EACs (their rows prepared), each shown to the
/// closed-period check first; their row ids, in order. On a server many
/// to a statement ([`server::insert_many`]).
pub(crate) fn insert_many(
    w: &Write,
    eacs: &mut [(&Eac, &mut Prepared)],
    batch_id: i64,
) -> Result<Vec<i64>> {
    for (eac, _) in eacs.iter() {
        periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
    }
    for (eac, p) in eacs.iter_mut() {
        with_digest(eac, p);
    }
    match w.db().kind() {
        Kind::Postgres => server::insert_many(w, eacs, batch_id),
        Kind::Sqlite => eacs
            .iter_mut()
            .map(|(eac, p)| {
                let id = insert_row(w, eac, p, batch_id)?;
                insert_children(w, &mut [Child { id, eac, p }])?;
                Ok(id)
            })
            .collect(),
    }
}

/// [`mark_seen`] of the EACs in rows `ids` (distinct); on a server many to
/// a statement ([`server::mark_seen_many`]).
pub(crate) fn mark_seen_many(w: &Write, ids: &[i64], batch_id: i64) -> Result<()> {
    match w.db().kind() {
        Kind::Postgres => server::mark_seen_many(w, ids, batch_id, true),
        Kind::Sqlite => ids.iter().try_for_each(|id| mark_seen(w, *id, batch_id)),
    }
}

/// [`mark_seen_differing`] of the EACs in rows `ids` (distinct), as
/// [`mark_seen_many`].
pub(crate) fn mark_seen_differing_many(w: &Write, ids: &[i64], batch_id: i64) -> Result<()> {
    match w.db().kind() {
        Kind::Postgres => server::mark_seen_many(w, ids, batch_id, false),
        Kind::Sqlite => (ids.iter()).try_for_each(|id| mark_seen_differing(w, *id, batch_id)),
    }
}

/// `SELECT …` once for each of `items`, as the branches of one `UNION ALL`
/// for up to [`IDS_PER_LOOK_UP`] of them: `branch(k)` is the branch for the
/// `k`-th item of a statement (its parameters numbered from `?1` on in
/// order: the SQL's `?` without a number), `params` its values. Each
/// branch is planned on its own, so a look-up by a key stays an index
/// look-up whatever plan a server keeps; on SQLite it saves nothing and
/// costs nothing. `each` sees each row (its cells from 0, the branch
/// number left out) with the item's index.
pub(crate) fn each_of<'a, T>(
    db: &dyn Db,
    items: &'a [T],
    branch: impl Fn(usize) -> String,
    params: impl Fn(&'a T) -> Vec<&'a dyn rusqlite::ToSql>,
    each: &mut dyn FnMut(usize, &dyn DbRow) -> Result<()>,
) -> Result<()> {
    let mut at = 0;
    for size in sizes_from(&IDS_PER_LOOK_UP, items.len()) {
        let now = &items[at..at + size];
        let sql = (0..size)
            .map(&branch)
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let values: Vec<&dyn rusqlite::ToSql> = now.iter().flat_map(&params).collect();
        db.each(&sql, &values, &mut |row| {
            let k: i64 = row.get(0)?;
            each(at + from_count(k), &AfterFirst(row))
        })?;
        at += size;
    }
    Ok(())
}

/// A row of [`each_of`] without the branch number in its first cell.
struct AfterFirst<'r>(&'r dyn DbRow);

impl DbRow for AfterFirst<'_> {
    fn get_ref(&self, idx: usize) -> rusqlite::Result<ValueRef<'_>> {
        self.0.get_ref(idx + 1)
    }
}

/// Items one [`each_of`] statement (or one [`server::mark_seen_many`])
/// asks about, largest first (a few statement texts, each prepared once).
const IDS_PER_LOOK_UP: [usize; 4] = [32, 8, 2, 1];

/// Rows one statement inserts, largest first. Each statement costs a
/// parse-free but not free round (looked up in the statement cache, bound,
/// run, reset, its statement journal opened), which made one statement per
/// value a large part of an import (issue 16): `n` rows take as many
/// statements of the largest size as fit and one of each smaller size the
/// rest needs, so seven statements per table stay cached.
const ROWS_PER_STATEMENT: [usize; 7] = [64, 32, 16, 8, 4, 2, 1];

/// The sizes of the statements inserting `n` rows ([`ROWS_PER_STATEMENT`]).
fn statement_sizes(n: usize) -> impl Iterator<Item = usize> {
    sizes_from(&ROWS_PER_STATEMENT, n)
}

/// The sizes of the statements writing `n` rows, each one of `sizes`
/// (largest first, the last 1): as many of the largest as fit, then one
/// of each smaller size the rest needs.
fn sizes_from(sizes: &'static [usize], mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = sizes.iter().copied().find(|s| *s <= n)?;
        n -= size;
        Some(size)
    })
}

/// An `INSERT` of many rows into one table, one statement text per size of
/// [`ROWS_PER_STATEMENT`], built once.
struct ManyRows {
    /// `INSERT INTO table (columns)`.
    head: &'static str,
    /// One row's placeholders, `(?, ?, …)`.
    row: &'static str,
    sql: std::sync::OnceLock<Vec<String>>,
}

impl ManyRows {
    const fn new(head: &'static str, row: &'static str) -> Self {
        ManyRows {
            head,
            row,
            sql: std::sync::OnceLock::new(),
        }
    }

    /// The statement inserting `n` rows, `n` one of [`ROWS_PER_STATEMENT`].
    fn sql(&self, n: usize) -> &str {
        let all = self.sql.get_or_init(|| {
            ROWS_PER_STATEMENT
                .iter()
                .map(|n| format!("{} VALUES {}", self.head, value_rows(self.row, *n)))
                .collect()
        });
        let at = ROWS_PER_STATEMENT
            .iter()
            .position(|size| *size == n)
            .expect("one of the sizes");
        &all[at]
    }

    /// Inserts `rows`, [`ROWS_PER_STATEMENT`] at a time; `bind` binds one
    /// row's columns, in order.
    fn insert<T>(
        &self,
        w: &Write,
        rows: &[T],
        mut bind: impl FnMut(&mut Binder<'_, '_>, &T) -> rusqlite::Result<()>,
    ) -> Result<()> {
        let mut rest = rows;
        for size in statement_sizes(rows.len()) {
            let (now, later) = rest.split_at(size);
            let mut stmt = w.prepare_cached(self.sql(size))?;
            let mut binder = Binder {
                stmt: &mut stmt,
                at: 0,
            };
            for row in now {
                bind(&mut binder, row)?;
            }
            // Every placeholder bound (one left out would keep the value
            // the statement's last run bound).
            debug_assert_eq!(binder.at, size * self.row.matches('?').count());
            stmt.raw_execute()?;
            rest = later;
        }
        Ok(())
    }
}

/// Binds a statement's parameters one after another.
struct Binder<'s, 'c> {
    stmt: &'s mut rusqlite::CachedStatement<'c>,
    at: usize,
}

impl Binder<'_, '_> {
    fn bind(&mut self, value: &dyn rusqlite::ToSql) -> rusqlite::Result<()> {
        self.at += 1;
        self.stmt.raw_bind_parameter(self.at, value)
    }
}

/// An EAC whose own row is written (row `id`) and whose values, totals,
/// beneficiaries and search text are not yet ([`insert_children`]).
pub(crate) struct Child<'a> {
    pub(crate) id: i64,
    pub(crate) eac: &'a Eac,
    pub(crate) p: &'a mut Prepared,
}

/// Writes the values, totals, beneficiaries and search text of `children`
/// (the search text is taken out of each `p`), the rows of all of them
/// together: a fresh load passes each batch of EACs it has read at once.
pub(crate) fn insert_children(w: &Write, children: &mut [Child<'_>]) -> Result<()> {
    // Here, not at the top: only a write runs them.
    static VALUE_ROWS: ManyRows = ManyRows::new(
        r#"INSERT INTO eac_values (eac_id, position, eac_number, issued, retired,
            "start", "end", unit, value, extensions, retired_undated)"#,
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );

    static TOTAL_ROWS: ManyRows = ManyRows::new(
        "INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale)",
        "(?, ?, ?, ?, ?)",
    );

    static BENEFICIARY_ROWS: ManyRows = ManyRows::new(
        "INSERT INTO eac_beneficiaries (eac_id, position, beneficiary_type, beneficiary_id)",
        "(?, ?, ?, ?)",
    );
    // The rows to write as (child, its n-th value/total/beneficiary).
    let rows = |n: fn(&Child<'_>) -> usize| -> Vec<(usize, usize)> {
        (children.iter().enumerate())
            .flat_map(|(c, child)| (0..n(child)).map(move |i| (c, i)))
            .collect()
    };
    VALUE_ROWS.insert(w, &rows(|c| c.eac.values.len()), |b, &(c, position)| {
        let Child { id, eac, p } = &children[c];
        let v = &eac.values[position];
        let [issued, retired, start, end, extensions] = p.values[position];
        b.bind(id)?;
        b.bind(&count(position))?;
        b.bind(&v.eac_number.as_deref())?;
        b.bind(&p.text(issued))?;
        b.bind(&p.text(retired))?;
        b.bind(&p.text(start))?;
        b.bind(&p.text(end))?;
        b.bind(&v.unit.as_str())?;
        b.bind(&v.value.as_str())?;
        b.bind(&p.text(extensions))?;
        b.bind(&v.retired_undated)
    })?;
    TOTAL_ROWS.insert(w, &rows(|c| c.p.derived.totals.len()), |b, &(c, t)| {
        let Child { id, p, .. } = &children[c];
        let UnitTotal {
            unit,
            total,
            scaled,
        } = &p.derived.totals[t];
        b.bind(id)?;
        b.bind(&unit.as_str())?;
        b.bind(&total.as_str())?;
        b.bind(&scaled.map(|(m, _)| m))?;
        b.bind(&scaled.map(|(_, s)| s))
    })?;
    let beneficiaries = |c: &Child<'_>| match c.eac.beneficiary_type {
        Some(_) => c.eac.beneficiaries.len(),
        None => 0,
    };
    BENEFICIARY_ROWS.insert(w, &rows(beneficiaries), |b, &(c, position)| {
        let Child { id, eac, .. } = &children[c];
        b.bind(id)?;
        b.bind(&count(position))?;
        b.bind(&eac.beneficiary_type.map(BeneficiaryType::as_str))?;
        b.bind(&eac.beneficiaries[position])
    })?;
    for child in children {
        queue_search(w, child.id, std::mem::take(&mut child.p.search))?;
    }
    Ok(())
}

/// Search-index rows written by one statement: the full-text index flushes
/// its pending terms to disk (a new segment, merged later) at every
/// statement that writes it (and at the next statement that could need
/// rolling back), which one row per statement made the largest cost of an
/// import (issue 16). A fresh load builds its index beside the store
/// instead ([`crate::bulk::SearchLoad`]).
const SEARCH_ROWS_PER_STATEMENT: usize = 512;
/// Search text waiting at most (bytes), whatever the row count: EACs with
/// thousands of numbered values have long search texts.
const SEARCH_BYTES_PENDING: usize = 1 << 18;

/// Adds an EAC's search text to the write's pending rows, written when
/// [`SEARCH_ROWS_PER_STATEMENT`] rows or [`SEARCH_BYTES_PENDING`] bytes are
/// waiting, before any other change to the search index and before the
/// write commits ([`flush_search`]); in a fresh load, to the index being
/// built beside the store.
fn queue_search(w: &Write, id: i64, text: String) -> Result<()> {
    if let Some(load) = w.search_load.borrow_mut().as_mut() {
        return load.push(id, text);
    }
    let bytes = w.pending_search_bytes.get() + text.len();
    w.pending_search_bytes.set(bytes);
    let full = {
        let mut pending = w.pending_search.borrow_mut();
        pending.push((id, text));
        pending.len() >= SEARCH_ROWS_PER_STATEMENT || bytes >= SEARCH_BYTES_PENDING
    };
    if full {
        flush_search(w)?;
    }
    Ok(())
}

/// Writes the search-index rows still pending in `w`: before any other
/// change to the search index and before the write commits. Refused while
/// a fresh load builds the index beside the store: none of its rows are in
/// the store's index yet, so nothing there may change (a fresh load only
/// adds EACs).
pub(crate) fn flush_search(w: &Write) -> Result<()> {
    if w.search_load.borrow().is_some() {
        return Err(StoreError::InvalidInput(
            "the search index cannot change while an import builds it".into(),
        ));
    }
    let pending = std::mem::take(&mut *w.pending_search.borrow_mut());
    w.pending_search_bytes.set(0);
    for chunk in pending.chunks(SEARCH_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO eac_search (rowid, text) VALUES {}",
            value_rows("(?, ?)", chunk.len())
        );
        let values = chunk
            .iter()
            .flat_map(|(id, text)| [id as &dyn rusqlite::ToSql, text as &dyn rusqlite::ToSql]);
        w.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    }
    Ok(())
}

/// `?1, ?2, …, ?n`: the list of an `IN (…)` of `n` parameters.
pub(crate) fn numbered_marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `row` `n` times, comma-separated: the `VALUES` list of an `INSERT` of
/// many rows by one statement.
pub(crate) fn value_rows(row: &str, n: usize) -> String {
    vec![row; n].join(", ")
}

fn insert_beneficiaries(w: &Write, id: i64, kind: BeneficiaryType, list: &[String]) -> Result<()> {
    for (position, beneficiary) in list.iter().enumerate() {
        w.db().execute(
            "INSERT INTO eac_beneficiaries (eac_id, position, beneficiary_type, beneficiary_id)
             VALUES (?1, ?2, ?3, ?4)",
            &[&id, &count(position), &kind.as_str(), beneficiary],
        )?;
    }
    Ok(())
}

/// Writes a new beneficiary assignment of a stored EAC (`eac` already holds
/// it) and its new `cds_modified`, keeping the search index in step.
pub(crate) fn update_beneficiaries(w: &Write, id: i64, eac: &Eac) -> Result<()> {
    periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
    claimed::check_replaced(w, id, eac)?;
    w.changed_eac()?;
    let db = w.db();
    db.execute(
        "UPDATE eacs SET beneficiary_type = ?2, cds_modified = ?3, missing = ?4,
            version = (SELECT version_high + 1 FROM eac_counts_kept)
         WHERE id = ?1",
        &[
            &id,
            &eac.beneficiary_type.map(BeneficiaryType::as_str),
            &eac.cds_modified.to_storage(),
            &missing_json(eac),
        ],
    )?;
    db.execute("DELETE FROM eac_beneficiaries WHERE eac_id = ?1", &[&id])?;
    match (db.kind(), eac.beneficiary_type) {
        (Kind::Postgres, _) => server::insert_beneficiaries(w, &[(id, eac)])?,
        (Kind::Sqlite, Some(kind)) => insert_beneficiaries(w, id, kind, &eac.beneficiaries)?,
        (Kind::Sqlite, None) => {}
    }
    // The search text (SQLite: its full-text index; a server: the column
    // its trigram index reads).
    match db.kind() {
        Kind::Sqlite => {
            flush_search(w)?;
            db.execute(
                "UPDATE eac_search SET text = ?2 WHERE rowid = ?1",
                &[&id, &search_text(eac)],
            )?;
        }
        Kind::Postgres => {
            db.execute(
                "UPDATE eacs SET search_text = ?2 WHERE id = ?1",
                &[&id, &search_text(eac)],
            )?;
        }
    }
    Ok(())
}

/// The names a registry statement gives an EAC that search finds too
/// (decision 442, migration 0026): the station, the beneficiary the
/// registry printed and the holder, as `eac_registry` writes them.
const SEARCHED_FACTS: [&str; 3] = [
    "eacdesk_device_name",
    "eacdesk_beneficiary_name",
    "eacdesk_holder",
];

/// What substring search looks in, one field per line (a query never holds
/// a line break, so matches never straddle two fields): the numbers, the
/// id, the asset, source, destination and beneficiaries, then the
/// [`SEARCHED_FACTS`] an EAC holds as non-empty JSON strings.
fn search_text(eac: &Eac) -> String {
    let facts: Vec<String> = SEARCHED_FACTS
        .iter()
        .filter_map(|name| crate::check::extension_text(eac, name))
        .filter(|text| !text.is_empty())
        .collect();
    let mut parts: Vec<&str> = Vec::with_capacity(8 + eac.beneficiaries.len() + eac.values.len());
    parts.extend(eac.eac_number.as_deref());
    parts.extend(eac.values.iter().filter_map(|v| v.eac_number.as_deref()));
    parts.extend([
        eac.cds_eac_id.as_str(),
        eac.asset_id.as_str(),
        eac.source_id.as_str(),
        eac.source_name.as_str(),
    ]);
    parts.extend(eac.destination_id.as_deref());
    parts.extend(eac.destination_name.as_deref());
    parts.extend(eac.beneficiaries.iter().map(String::as_str));
    parts.extend(facts.iter().map(String::as_str));
    crate::fold::fold(&parts.join("\n"))
}

/// Counts and positions as SQLite integers.
pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).expect("counts fit in 63 bits")
}

/// Counts read back from SQLite.
pub(crate) fn from_count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Parses an exact decimal written by SQLite integer arithmetic.
pub(crate) fn big_from_scaled(mantissa: i64, scale: i64) -> BigDecimal {
    BigDecimal::new(mantissa.into(), scale)
}

/// Parses decimal text stored by us.
pub(crate) fn big_from_text(text: &str) -> Result<BigDecimal> {
    BigDecimal::from_str(text).map_err(|_| StoreError::Sqlite(bad(0, text)))
}

/// The rows of an EAC on a server database (decision 220): the same
/// columns as on SQLite, written through [`Db`] (the SQLite path above binds
/// in place for an import's speed); the search text is the `eacs` column
/// the trigram index reads, and new rows' ids come back with `RETURNING`.
///
/// Each statement is a round trip to the server, which is what a server
/// import waited for: with one statement per EAC and table, 10,000 EACs
/// took 10 s on a server on the same machine, and would take ten times as
/// long across a network. EACs are therefore written many to a statement
/// ([`server::insert_many`]), and so are their values, totals and beneficiaries.
mod server {
    use std::collections::HashMap;

    use rusqlite::types::Value;
    use rusqlite::ToSql;

    use super::*;

    /// `eacs` rows one statement inserts, largest first: a few statement
    /// texts, each prepared once per connection.
    const EACS_PER_STATEMENT: [usize; 4] = [32, 8, 2, 1];
    /// Rows of `eac_values`, `eac_totals` and `eac_beneficiaries` one
    /// statement inserts (at most 11 parameters a row: far below the
    /// protocol's 65,535).
    const ROWS_PER_STATEMENT: [usize; 6] = [512, 128, 32, 8, 2, 1];

    fn text(t: Option<&str>) -> Value {
        t.map_or(Value::Null, |t| Value::Text(t.to_owned()))
    }

    /// [`head_columns`] owned, to send.
    fn head_values(eac: &Eac, p: &Prepared, batch_id: i64) -> [Value; 25] {
        head_columns(eac, p, batch_id).map(|column| match column {
            Column::Text(t) => text(t),
            Column::Integer(n) => Value::Integer(n),
        })
    }

    fn refs(values: &[Value]) -> Vec<&dyn ToSql> {
        values.iter().map(|v| v as &dyn ToSql).collect()
    }

    /// Runs `head VALUES row, row, …` over `values` (`width` a row, rows
    /// in order), as many rows to a statement as `sizes` allows (`{k}` in
    /// `row`: the row's place in its statement, from 1); `each` sees what
    /// a `RETURNING` in `tail` returns.
    fn insert_rows(
        w: &Write,
        (head, row, tail): (&str, &str, &str),
        width: usize,
        sizes: &'static [usize],
        values: &[Value],
        each: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        debug_assert_eq!(values.len() % width, 0);
        let mut rest = values;
        for size in sizes_from(sizes, values.len() / width) {
            let (now, later) = rest.split_at(size * width);
            let rows: Vec<String> = (1..=size)
                .map(|k| row.replace("{k}", &k.to_string()))
                .collect();
            let sql = format!("{head} VALUES {} {tail}", rows.join(", "));
            w.db().each(&sql, &refs(now), each)?;
            rest = later;
        }
        Ok(())
    }

    /// Inserts new EACs with all their rows, many to a statement; their row
    /// ids, in order ([`super::insert_many`] has shown each to the
    /// closed-period check).
    pub(super) fn insert_many(
        w: &Write,
        eacs: &mut [(&Eac, &mut Prepared)],
        batch_id: i64,
    ) -> Result<Vec<i64>> {
        /// The `eacs` columns after `cds_eac_id`, and what they hold, in order.
        const EACS_HEAD: &str =
            "INSERT INTO eacs (cds_eac_id, cds_created, cds_modified, eac_number,
            source_id, source_name, destination_id, destination_name, beneficiary_type, asset_id,
            asset_commissioned, asset_origination, asset_destination, technology_type,
            emissions_factor_direct, emissions_factor_lca, period_start, period_end, issuance,
            retired_state, value_count, quantity_sort_key, extensions, import_batch_id, missing,
            content_digest, seen_batch_id, search_text, cds_synced, version)";
        /// One `eacs` row: the 25 values of [`head_values`] after the id, then
        /// the batch again, the search text and the batch a third time. The
        /// `k`-th row of a statement takes the `k`-th change number after
        /// the highest given, as one statement per EAC did (decision 215:
        /// the kept highest moves when the statement's row triggers run).
        const EACS_ROW: &str =
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ?, ?, ?, ?, ?, (SELECT imported_at FROM import_batches WHERE id = ?),
            (SELECT version_high + {k} FROM eac_counts_kept))";
        const EACS_ROW_PARAMS: usize = 29;
        if eacs.is_empty() {
            return Ok(Vec::new());
        }
        w.changed_eacs(eacs.len())?;
        let mut values = Vec::with_capacity(eacs.len() * EACS_ROW_PARAMS);
        for (eac, p) in eacs.iter_mut() {
            values.push(Value::Text(eac.cds_eac_id.clone()));
            values.extend(head_values(eac, p, batch_id));
            values.push(Value::Integer(batch_id));
            values.push(Value::Text(std::mem::take(&mut p.search)));
            values.push(Value::Integer(batch_id));
        }
        // Matched by id, not by the order the server returns them in.
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(eacs.len());
        insert_rows(
            w,
            (EACS_HEAD, EACS_ROW, "RETURNING cds_eac_id, id"),
            EACS_ROW_PARAMS,
            &EACS_PER_STATEMENT,
            &values,
            &mut |row| {
                ids.insert(row.get(0)?, row.get(1)?);
                Ok(())
            },
        )?;
        let ids = (eacs.iter())
            .map(|(eac, _)| {
                ids.get(&eac.cds_eac_id).copied().ok_or_else(|| {
                    StoreError::InvalidInput(format!(
                        "the server did not return the row of EAC `{}`",
                        eac.cds_eac_id
                    ))
                })
            })
            .collect::<Result<Vec<i64>>>()?;
        let children: Vec<(i64, &Eac, &Prepared)> = (ids.iter().zip(eacs.iter()))
            .map(|(id, (eac, p))| (*id, *eac, &**p))
            .collect();
        insert_children(w, &children)?;
        Ok(ids)
    }

    /// The `eacs` columns [`head_values`] holds, in its order.
    const HEAD_COLUMNS: [&str; 25] = [
        "cds_created",
        "cds_modified",
        "eac_number",
        "source_id",
        "source_name",
        "destination_id",
        "destination_name",
        "beneficiary_type",
        "asset_id",
        "asset_commissioned",
        "asset_origination",
        "asset_destination",
        "technology_type",
        "emissions_factor_direct",
        "emissions_factor_lca",
        "period_start",
        "period_end",
        "issuance",
        "retired_state",
        "value_count",
        "quantity_sort_key",
        "extensions",
        "import_batch_id",
        "missing",
        "content_digest",
    ];
    /// Parameters of one row's update in [`replace_many`]: the id, the 25
    /// columns, the search text.
    const UPDATE_PARAMS: usize = 27;

    /// [`super::replace`] of EACs (distinct rows; one for a single
    /// replacement): each statement updates
    /// up to 32 rows (one `WITH` part each, each through the primary key),
    /// removes their old values, beneficiaries and totals, and then the new
    /// ones go in together ([`insert_children`]). [`super::replace_many`]
    /// has shown each to the closed-period check.
    pub(super) fn replace_many(
        w: &Write,
        items: &mut [Replacing<'_, '_>],
        batch_id: i64,
    ) -> Result<()> {
        // The `k`-th (from 0) row update of a statement, a part of its
        // `WITH`: what a replacement sets, by the parameters after the `k`
        // rows before it. The `k`-th row takes the `k`-th change number
        // after the highest given, as [`insert_many`]'s rows do.
        let update_part = |k: usize| -> String {
            let base = k * UPDATE_PARAMS;
            let set: Vec<String> = (HEAD_COLUMNS.iter().enumerate())
                .map(|(i, column)| format!("{column} = ?{}", base + i + 2))
                .collect();
            format!(
                "u{k} AS (UPDATE eacs SET {}, seen_batch_id = ?{}, search_text = ?{},
                    version = (SELECT version_high + {} FROM eac_counts_kept)
                 WHERE id = ?{})",
                set.join(", "),
                base + 24,
                base + 27,
                k + 1,
                base + 1
            )
        };
        let db = w.db();
        let mut at = 0;
        for size in sizes_from(&EACS_PER_STATEMENT, items.len()) {
            let now = &mut items[at..at + size];
            let mut values = Vec::with_capacity(size * UPDATE_PARAMS);
            for (id, eac, p) in now.iter_mut() {
                values.push(Value::Integer(*id));
                values.extend(head_values(eac, p, batch_id));
                values.push(Value::Text(std::mem::take(&mut p.search)));
            }
            let parts: Vec<String> = (0..size).map(update_part).collect();
            db.execute(
                &format!("WITH {} SELECT 1", parts.join(", ")),
                &refs(&values),
            )?;
            // The old children of these rows, by one statement.
            let ids: Vec<Value> = now.iter().map(|(id, _, _)| Value::Integer(*id)).collect();
            let marks = numbered_marks(size);
            db.execute(
                &format!(
                    "WITH v AS (DELETE FROM eac_values WHERE eac_id IN ({marks})),
                          b AS (DELETE FROM eac_beneficiaries WHERE eac_id IN ({marks}))
                     DELETE FROM eac_totals WHERE eac_id IN ({marks})"
                ),
                &refs(&ids),
            )?;
            at += size;
        }
        let children: Vec<(i64, &Eac, &Prepared)> = (items.iter())
            .map(|(id, eac, p)| (*id, *eac, &**p))
            .collect();
        insert_children(w, &children)
    }

    /// Values, totals and beneficiaries of the EACs in rows `id`, each
    /// table's rows of all of them together.
    fn insert_children(w: &Write, children: &[(i64, &Eac, &Prepared)]) -> Result<()> {
        let mut values = Vec::new();
        for (id, eac, p) in children {
            for (position, v) in eac.values.iter().enumerate() {
                let [issued, retired, start, end, extensions] = p.values[position];
                values.extend([
                    Value::Integer(*id),
                    Value::Integer(count(position)),
                    text(v.eac_number.as_deref()),
                    text(p.text(issued)),
                    text(p.text(retired)),
                    text(p.text(start)),
                    text(p.text(end)),
                    Value::Text(v.unit.as_str().to_owned()),
                    Value::Text(v.value.as_str().to_owned()),
                    text(p.text(extensions)),
                    Value::Integer(i64::from(v.retired_undated)),
                ]);
            }
        }
        insert_rows(
            w,
            (
                r#"INSERT INTO eac_values (eac_id, position, eac_number, issued, retired,
                    "start", "end", unit, value, extensions, retired_undated)"#,
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "",
            ),
            11,
            &ROWS_PER_STATEMENT,
            &values,
            &mut |_| Ok(()),
        )?;
        values.clear();
        for (id, _, p) in children {
            for t in &p.derived.totals {
                values.extend([
                    Value::Integer(*id),
                    Value::Text(t.unit.as_str().to_owned()),
                    Value::Text(t.total.as_str().to_owned()),
                    t.scaled.map_or(Value::Null, |(m, _)| Value::Integer(m)),
                    t.scaled.map_or(Value::Null, |(_, s)| Value::Integer(s)),
                ]);
            }
        }
        insert_rows(
            w,
            (
                "INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale)",
                "(?, ?, ?, ?, ?)",
                "",
            ),
            5,
            &ROWS_PER_STATEMENT,
            &values,
            &mut |_| Ok(()),
        )?;
        let beneficiaries: Vec<(i64, &Eac)> =
            children.iter().map(|(id, eac, _)| (*id, *eac)).collect();
        insert_beneficiaries(w, &beneficiaries)
    }

    /// The beneficiary rows of the EACs in rows `id` (none for an EAC
    /// without a beneficiary type), all together.
    pub(super) fn insert_beneficiaries(w: &Write, eacs: &[(i64, &Eac)]) -> Result<()> {
        let mut values = Vec::new();
        for (id, eac) in eacs {
            let Some(kind) = eac.beneficiary_type else {
                continue;
            };
            for (position, beneficiary) in eac.beneficiaries.iter().enumerate() {
                values.extend([
                    Value::Integer(*id),
                    Value::Integer(count(position)),
                    Value::Text(kind.as_str().to_owned()),
                    Value::Text(beneficiary.clone()),
                ]);
            }
        }
        insert_rows(
            w,
            (
                "INSERT INTO eac_beneficiaries (eac_id, position, beneficiary_type, beneficiary_id)",
                "(?, ?, ?, ?)",
                "",
            ),
            4,
            &ROWS_PER_STATEMENT,
            &values,
            &mut |_| Ok(()),
        )
    }

    /// [`mark_seen`] (`synced`) or [`mark_seen_differing`] of the EACs in
    /// rows `ids` (distinct), one update of one row each, many to a
    /// statement (as [`super::each_of`], each through the primary key
    /// whatever the plan: an `IN` list planned while the table was nearly
    /// empty stays a full scan as an import fills it).
    pub(super) fn mark_seen_many(
        w: &Write,
        ids: &[i64],
        batch_id: i64,
        synced: bool,
    ) -> Result<()> {
        let synced = match synced {
            true => ", cds_synced = (SELECT imported_at FROM batch)",
            false => "",
        };
        let mut rest = ids;
        for size in sizes_from(&IDS_PER_LOOK_UP, ids.len()) {
            let (now, later) = rest.split_at(size);
            let updates: Vec<String> = (0..size)
                .map(|i| {
                    format!(
                        "u{i} AS (UPDATE eacs SET seen_batch_id = ?1{synced} WHERE id = ?{})",
                        i + 2
                    )
                })
                .collect();
            let sql = format!(
                "WITH batch AS (SELECT imported_at FROM import_batches WHERE id = ?1), {} SELECT 1",
                updates.join(", ")
            );
            let mut params: Vec<&dyn ToSql> = vec![&batch_id];
            params.extend(now.iter().map(|id| id as &dyn ToSql));
            w.db().each(&sql, &params, &mut |_| Ok(()))?;
            rest = later;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EACs read together are the EACs read one by one: every field, every
    /// value and beneficiary in stored order, across statements of every
    /// size (45 EACs: 32 + 8 + 2 + 2 + 1), an id asked twice answered twice.
    #[test]
    fn eacs_read_together_are_the_eacs_read_one_by_one() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = crate::Store::open(&dir.path().join("db.sqlite")).unwrap();
        let mut sample = eac_sample::generate(45, 9, eac_sample::SampleOptions::default());
        store
            .import_eacs("sample", &mut sample, &crate::NoProgress)
            .unwrap();
        let db = store.db();
        let mut ids: Vec<i64> = db
            .collect("SELECT id FROM eacs ORDER BY cds_eac_id DESC", &[], |r| {
                Ok(r.get(0)?)
            })
            .unwrap();
        ids.push(ids[3]);
        let together = load_eacs_by_ids(db, &ids).unwrap();
        let one_by_one: Vec<Eac> = ids
            .iter()
            .map(|id| load_eac_by_id(db, *id).unwrap())
            .collect();
        assert_eq!(together, one_by_one);
        assert!(together.iter().any(|e| e.values.len() > 5));
        assert!(together.iter().any(|e| e.beneficiaries.len() > 1));
        let err = load_eacs_by_ids(db, &[ids[0], -7]).unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        assert!(!err.to_string().contains("-7"), "{err}");
    }
}
