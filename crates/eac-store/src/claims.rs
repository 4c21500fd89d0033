//! Claims (issue 15) as the database keeps them: consumption intervals,
//! claims with the parts of EAC values allocated to them, and emission
//! factors per market. Every change is one [`Write`] with its
//! database-level audit record (`consumption_import`, `claim_create`,
//! `claim_delete`, `factor_set`).
//!
//! The store holds two invariants of its own: no EAC value is ever
//! allocated beyond its quantity over all claims together, so a value is
//! never counted for two claims (a second claim may take only what is
//! left of it; decision 171), and no stored consumption is covered by two
//! recorded claims, so an hour of consumption is never claimed twice
//! (decision 272). [`Store::create_claim`] checks both inside the write
//! and refuses the whole claim when one would break. It also records, in
//! the same write, the emission factors the claim's report uses, so that
//! setting a factor again never changes a recorded claim's report
//! (decision 273; [`Store::claim_factors`]). A closed reporting period
//! holds the claims and consumption of its days: recording or deleting a
//! claim, importing or deleting consumption over any of them is refused
//! (`frozen`), as is a factor that would change the report of a claim
//! recorded before schema 22 there. `claim_create`/`claim_delete` keep
//! the claim and every allocation in their record, `consumption_delete`
//! the rows it deleted, so the audit log alone says what was there.
//! Matching, rules and reports are not here: `eac-claims` computes them.

use std::collections::BTreeMap;

use bigdecimal::{BigDecimal, Zero};
use eac_model::{units, BeneficiaryType, Date, Decimal, Eac, EnergyUnit, Timestamp, Violation};
use serde::{Deserialize, Serialize};

use crate::db::{Db, DbRow, Kind};
use crate::packs::{insert_database_record, insert_database_record_with_states, States};
use crate::rows;
use crate::write::{Reason, Write};
use crate::{AuditAction, Result, Store, StoreError};

/// A consumption row to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConsumption {
    pub beneficiary_type: BeneficiaryType,
    pub beneficiary: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub value: Decimal,
    pub unit: EnergyUnit,
    /// Its line in the imported file.
    pub line: u64,
}

/// A stored consumption row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsumptionEntry {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub beneficiary_type: String,
    pub beneficiary: String,
    /// RFC 3339 UTC; `end` exclusive.
    pub start: String,
    pub end: String,
    /// Exact, as imported.
    pub value: String,
    pub unit: String,
    pub source_file: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: i64,
    pub imported_at: String,
}

/// A claim to record, with its allocations.
#[derive(Debug, Clone, PartialEq)]
pub struct NewClaim {
    pub name: String,
    pub beneficiary_type: BeneficiaryType,
    pub beneficiaries: Vec<String>,
    pub from: Date,
    pub to: Date,
    /// `annual`, `monthly` or `hourly`.
    pub granularity: String,
    pub market: Option<String>,
    pub bidding_zone: Option<String>,
    pub unit: EnergyUnit,
    pub only_passing: Option<String>,
    pub allocations: Vec<NewAllocation>,
    /// The database's audit mark ([`Store::audit_mark`]) read before the
    /// allocations were planned: the claim is refused (`conflict`) when a
    /// change was recorded since (an EAC deleted, re-assigned or restated,
    /// consumption imported, another claim recorded), since its
    /// allocations may no longer be what the stored data gives. `None`:
    /// the allocations are taken as given (checked only against the
    /// values' quantities).
    pub planned_at: Option<i64>,
}

/// Part of one EAC value given to a claim's interval.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAllocation {
    pub cds_eac_id: String,
    pub position: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Exact Wh.
    pub quantity_wh: BigDecimal,
}

/// A recorded claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: String,
    pub beneficiary_type: String,
    pub beneficiaries: Vec<String>,
    /// Inclusive days, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub granularity: String,
    pub market: Option<String>,
    pub bidding_zone: Option<String>,
    pub unit: String,
    pub only_passing: Option<String>,
    pub created_at: String,
    pub created_by: String,
    /// Allocation rows.
    pub allocation_count: usize,
    /// Whether the claim's emission factors were recorded with it
    /// (decision 273; [`Store::claim_factors`]). `false` for a claim
    /// recorded by an EAC Desk before schema 22, which kept none: its
    /// report reads the factors stored now.
    pub factors_recorded: bool,
}

/// One stored allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AllocationEntry {
    pub cds_eac_id: String,
    pub position: u32,
    pub start: String,
    pub end: String,
    /// Exact Wh.
    pub quantity_wh: String,
}

/// What other claims already hold of one value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllocatedElsewhere {
    pub quantity_wh: BigDecimal,
    pub claims: Vec<i64>,
}

/// Stored consumption of one beneficiary that a recorded claim already
/// covers (falls in its reporting period, for its beneficiary): each hour
/// of consumption may be claimed once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsumptionClaimed {
    /// The recorded claim that covers it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub claim_id: i64,
    pub claim_name: String,
    pub beneficiary_type: String,
    pub beneficiary: String,
    /// RFC 3339 UTC: the first row's start and the last row's end
    /// (exclusive).
    pub start: String,
    pub end: String,
    /// How many stored rows.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: usize,
}

impl std::fmt::Display for ConsumptionClaimed {
    /// `account `ACME` 2024-01-01 – 2024-12-31, 8784 rows, by recorded
    /// claim #3 (FY2024)`: the rows' span as people read it
    /// ([`period_words`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let period = match (Timestamp::parse(&self.start), Timestamp::parse(&self.end)) {
            (Ok(start), Ok(end)) => period_words(start, end),
            // Only another program could store other text.
            _ => format!("{} until {} (end excluded)", self.start, self.end),
        };
        write!(
            f,
            "{} `{}` {period}, {} row{}, by recorded claim #{} ({})",
            self.beneficiary_type,
            self.beneficiary,
            self.rows,
            if self.rows == 1 { "" } else { "s" },
            self.claim_id,
            self.claim_name
        )
    }
}

/// The span `[start, end)` as a person reads it (made in `eac_model`,
/// where the CLI's listings and the claims' reports take it too).
pub use eac_model::period_words;

/// An emission factor of a market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FactorEntry {
    pub market: String,
    /// `residual_mix` (market-based) or `grid` (location-based).
    pub kind: String,
    pub year: i32,
    /// tCO2e per MWh, exact.
    pub tco2e_per_mwh: String,
    pub source: String,
    pub set_at: String,
    /// Who set it (the OS login).
    pub set_by: String,
    /// The display name the `factor_set` audit record that set it keeps
    /// beside the login (absent when none was set), as `audit` shows it;
    /// given by [`Store::emission_factors`] (the list of factors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub set_by_name: Option<String>,
}

impl FactorEntry {
    /// Who set it, as the audit log shows people: `Ana Lopez (ana)`, or
    /// the login alone.
    pub fn setter(&self) -> String {
        crate::periods::who(&self.set_by, self.set_by_name.as_deref())
    }
}

/// The factor kinds.
pub const FACTOR_KINDS: [&str; 2] = ["residual_mix", "grid"];

/// The emission factors a recorded claim was recorded with
/// ([`Store::claim_factors`], decision 273).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFactors {
    /// Whether the claim's factors were recorded with it. `false` for a
    /// claim recorded by an EAC Desk before schema 22, which kept none: its
    /// report reads the factors stored now.
    pub recorded: bool,
    /// The factors recorded, by kind (`grid` before `residual_mix`): none
    /// when the claim names no market or none was entered for its market
    /// and year, one, or both. `set_at`/`set_by` say when the factor was
    /// set, not when the claim was recorded.
    pub factors: Vec<FactorEntry>,
}

impl ClaimFactors {
    /// The factor of `kind` recorded, if any.
    pub fn of_kind(&self, kind: &str) -> Option<&FactorEntry> {
        self.factors.iter().find(|f| f.kind == kind)
    }
}

/// A recorded claim of a factor's market and year, with the factor of that
/// kind it was recorded with ([`Store::claims_of_factor`]): what setting
/// the factor again does not change (decision 273).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimFactorKept {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub claim_id: i64,
    pub claim_name: String,
    /// `residual_mix` or `grid`.
    pub kind: String,
    /// Whether the claim's factors were recorded with it. `false`: recorded
    /// by an older EAC Desk, which kept none; its report reads the factor
    /// stored now.
    pub recorded: bool,
    /// The factor it was recorded with (tCO2e per MWh, exact) and its
    /// source; `None` when none had been entered then (or none was
    /// recorded).
    pub tco2e_per_mwh: Option<String>,
    pub source: Option<String>,
}

/// `residual-mix` or `grid`, as people read a factor's kind.
fn kind_words(kind: &str) -> &str {
    match kind {
        "residual_mix" => "residual-mix",
        other => other,
    }
}

impl std::fmt::Display for ClaimFactorKept {
    /// `Recorded claim #3 (FY2024) keeps 0.38 tCO2e/MWh (AIB 2023), the
    /// residual-mix factor it was recorded with.`, and the same in words
    /// for a claim recorded with none, or by an older EAC Desk.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = kind_words(&self.kind);
        write!(
            f,
            "Recorded claim #{} ({}) ",
            self.claim_id, self.claim_name
        )?;
        match (self.recorded, &self.tco2e_per_mwh) {
            (true, Some(value)) => write!(
                f,
                "keeps {value} tCO2e/MWh ({}), the {kind} factor it was recorded with.",
                self.source.as_deref().unwrap_or("")
            ),
            (true, None) => write!(
                f,
                "keeps no {kind} factor: none had been entered when it was recorded. Delete it and \
                 record it again to use this one."
            ),
            (false, _) => write!(
                f,
                "was recorded by an older version of EAC Desk, which kept no factors with it: its \
                 report now uses this {kind} factor."
            ),
        }
    }
}

const IMPORT_REASON: Reason = Reason::fixed("consumption imported");

fn consumption_row(r: &dyn DbRow) -> rusqlite::Result<ConsumptionEntry> {
    Ok(ConsumptionEntry {
        id: r.get(0)?,
        beneficiary_type: r.get(1)?,
        beneficiary: r.get(2)?,
        start: rows::display_time(r, 3)?,
        end: rows::display_time(r, 4)?,
        value: r.get(5)?,
        unit: r.get(6)?,
        source_file: r.get(7)?,
        line: r.get(8)?,
        imported_at: rows::display_time(r, 9)?,
    })
}

const CONSUMPTION_COLUMNS: &str = r#"SELECT id, beneficiary_type, beneficiary, "start", "end",
    value, unit, source_file, line, imported_at FROM consumption"#;

const CLAIM_COLUMNS: &str = "SELECT id, name, beneficiary_type, beneficiaries, date_from, date_to,
    granularity, market, bidding_zone, unit, only_passing, created_at, created_by,
    (SELECT count(*) FROM claim_allocations a WHERE a.claim_id = claims.id), factors_recorded
    FROM claims";

fn claim_row(r: &dyn DbRow) -> rusqlite::Result<ClaimRecord> {
    let list: String = r.get(3)?;
    Ok(ClaimRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        beneficiary_type: r.get(2)?,
        beneficiaries: serde_json::from_str(&list).unwrap_or_default(),
        from: r.get(4)?,
        to: r.get(5)?,
        granularity: r.get(6)?,
        market: r.get(7)?,
        bidding_zone: r.get(8)?,
        unit: r.get(9)?,
        only_passing: r.get(10)?,
        created_at: rows::display_time(r, 11)?,
        created_by: r.get(12)?,
        allocation_count: rows::from_count(r.get(13)?),
        factors_recorded: r.get::<i64>(14)? != 0,
    })
}

fn factor_row(r: &dyn DbRow) -> rusqlite::Result<FactorEntry> {
    Ok(FactorEntry {
        market: r.get(0)?,
        kind: r.get(1)?,
        year: r.get(2)?,
        tco2e_per_mwh: r.get(3)?,
        source: r.get(4)?,
        set_at: rows::display_time(r, 5)?,
        set_by: r.get(6)?,
        set_by_name: None,
    })
}

const FACTOR_COLUMNS: &str =
    "SELECT market, kind, year, tco2e_per_mwh, source, set_at, set_by FROM emission_factors";

/// On a server, waits for the one lock of claims and consumption and holds
/// it until the write ends: what the write checks (no value allocated
/// beyond its quantity, no overlapping consumption, no claim on consumption
/// it deletes, the factor it replaces) cannot change under it from another
/// desk before it commits (READ COMMITTED: after the wait its statements
/// see what the desk before it committed). A file's write lock does this
/// already.
fn lock_claims(db: &dyn Db) -> Result<()> {
    db.server_lock(crate::db::ServerLock::Claims)
}

/// `(SELECT …)` of the strings of the JSON array `json` (a column or a
/// bound parameter holding JSON text), for `x IN …`.
fn json_elements(kind: Kind, json: &str) -> String {
    match kind {
        Kind::Sqlite => format!("(SELECT value FROM json_each({json}))"),
        Kind::Postgres => format!("(SELECT json_array_elements_text(CAST({json} AS json)))"),
    }
}

/// The days `from..=to` as instants: `[from 00:00, to + 1 day 00:00)` UTC
/// (`None` past the last day times can hold).
fn days(from: Date, to: Date) -> Option<(Timestamp, Timestamp)> {
    let after = Date::from_naive(to.as_naive().succ_opt()?);
    Some((
        crate::query::day_start(from),
        crate::query::day_start(after),
    ))
}

/// A recorded claim's beneficiaries and reporting period `[from 00:00,
/// to + 1 day 00:00)` UTC, to find consumption it was allocated against.
struct ClaimedPeriod {
    claim: ClaimRecord,
    start: Timestamp,
    end: Timestamp,
}

impl ClaimedPeriod {
    fn of(claim: ClaimRecord) -> Option<ClaimedPeriod> {
        let (start, end) = days(Date::parse(&claim.from).ok()?, Date::parse(&claim.to).ok()?)?;
        Some(ClaimedPeriod { start, end, claim })
    }

    /// Every recorded claim's period, by claim number.
    fn all(db: &dyn Db) -> Result<Vec<ClaimedPeriod>> {
        Ok(db
            .collect(&format!("{CLAIM_COLUMNS} ORDER BY id"), &[], |r| {
                Ok(claim_row(r)?)
            })?
            .into_iter()
            .filter_map(ClaimedPeriod::of)
            .collect())
    }

    /// Whether consumption of `kind`/`beneficiary` over `[start, end)` (a
    /// row to import or a stored one) falls to this claim (as
    /// [`delete_consumption`] reads "for").
    fn covers(&self, kind: &str, beneficiary: &str, start: Timestamp, end: Timestamp) -> bool {
        let c = &self.claim;
        c.beneficiary_type == kind
            && (kind == BeneficiaryType::General.as_str()
                || c.beneficiaries.iter().any(|b| b == beneficiary))
            && start < self.end
            && self.start < end
    }
}

/// Stored consumption, by beneficiary and start; only `kind`/`ids` when
/// given (any of the ids; a `general` kind takes every row of its type),
/// only rows overlapping `within` ([`Store::consumption`]).
fn consumption_rows(
    db: &dyn Db,
    kind: Option<BeneficiaryType>,
    ids: &[String],
    within: Option<(Timestamp, Timestamp)>,
) -> Result<Vec<ConsumptionEntry>> {
    let (from, to) = within
        .map(|(a, b)| (a.to_storage(), b.to_storage()))
        .unwrap_or_default();
    let ids_json = serde_json::to_string(ids).expect("strings serialize");
    // The server must be told the types of parameters that are only
    // tested for NULL or emptiness; SQLite reads the casts as no-ops.
    let sql = format!(
        r#"{CONSUMPTION_COLUMNS}
         WHERE (CAST(?1 AS text) IS NULL OR beneficiary_type = ?1)
           AND (CAST(?1 AS text) IS NULL OR ?1 = 'general' OR {} = 0
                OR beneficiary IN {})
           AND (CAST(?3 AS text) = '' OR ("start" < ?4 AND "end" > ?3))
         ORDER BY beneficiary_type, beneficiary, "start", id"#,
        match db.kind() {
            Kind::Sqlite => "json_array_length(?2)",
            Kind::Postgres => "json_array_length(CAST(?2 AS json))",
        },
        json_elements(db.kind(), "?2"),
    );
    db.collect(
        &sql,
        &[&kind.map(|k| k.as_str()), &ids_json, &from, &to],
        |r| Ok(consumption_row(r)?),
    )
}

/// The stored consumption a claim for `kind`/`beneficiaries` over the days
/// `from..=to` covers (the rows its report would count) that a recorded
/// claim other than `except` covers too, per recorded claim and
/// beneficiary (by claim number, then beneficiary). Each hour of
/// consumption may be claimed once; a claim with no stored consumption in
/// its scope never clashes. Decision 173 keeps every stored row that
/// overlaps a recorded claim's period wholly inside it.
fn claimed_consumption(
    db: &dyn Db,
    kind: BeneficiaryType,
    beneficiaries: &[String],
    (from, to): (Date, Date),
    except: Option<i64>,
) -> Result<Vec<ConsumptionClaimed>> {
    let Some((start, end)) = days(from, to) else {
        return Ok(Vec::new());
    };
    // The recorded claims of the type whose days overlap (days compare as
    // their ISO text); claim numbers start at 1.
    let claimed: Vec<(i64, String, String, Date, Date)> = db
        .collect(
            "SELECT id, name, beneficiaries, date_from, date_to FROM claims
              WHERE beneficiary_type = ?1 AND date_from <= ?2 AND date_to >= ?3 AND id <> ?4
              ORDER BY id",
            &[
                &kind.as_str(),
                &to.to_string(),
                &from.to_string(),
                &except.unwrap_or(0),
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?
        .into_iter()
        .filter_map(
            |(id, name, theirs, f, t): (i64, String, String, String, String)| {
                Some((
                    id,
                    name,
                    theirs,
                    Date::parse(&f).ok()?,
                    Date::parse(&t).ok()?,
                ))
            },
        )
        .collect();
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let ours = serde_json::to_string(beneficiaries).expect("strings serialize");
    let count_ours = match db.kind() {
        Kind::Sqlite => "json_array_length(?2)",
        Kind::Postgres => "json_array_length(CAST(?2 AS json))",
    };
    // Per beneficiary, the rows both claims cover: a row overlapping both
    // periods overlaps the days they share.
    let sql = format!(
        r#"SELECT beneficiary, count(*), min("start"), max("end") FROM consumption
            WHERE beneficiary_type = ?1
              AND (?1 = 'general'
                   OR (({count_ours} = 0 OR beneficiary IN {}) AND beneficiary IN {}))
              AND "start" < ?4 AND "end" > ?3
            GROUP BY beneficiary ORDER BY beneficiary"#,
        json_elements(db.kind(), "?2"),
        json_elements(db.kind(), "?5"),
    );
    let mut out = Vec::new();
    for (claim_id, claim_name, theirs, f, t) in claimed {
        let Some((their_start, their_end)) = days(f, t) else {
            continue;
        };
        let shared = (start.max(their_start), end.min(their_end));
        out.extend(db.collect(
            &sql,
            &[
                &kind.as_str(),
                &ours,
                &shared.0.to_storage(),
                &shared.1.to_storage(),
                &theirs,
            ],
            |r| {
                let count: i64 = r.get(1)?;
                Ok(ConsumptionClaimed {
                    claim_id,
                    claim_name: claim_name.clone(),
                    beneficiary_type: kind.as_str().to_owned(),
                    beneficiary: r.get(0)?,
                    start: rows::display_time(r, 2)?,
                    end: rows::display_time(r, 3)?,
                    rows: count as usize,
                })
            },
        )?);
    }
    Ok(out)
}

/// What stored data says against consumption rows `new` of `file`: each
/// row overlapping consumption of its beneficiary already stored
/// (`[overlap]`), or falling in the reporting period of a recorded claim
/// for its beneficiary (`[claimed]`: that claim's allocations were made
/// against the consumption stored then, and its report would silently
/// change; decision 191 for deleting). Each located by the row's line.
fn consumption_problems(db: &dyn Db, file: &str, new: &[NewConsumption]) -> Result<Vec<Violation>> {
    let claimed = ClaimedPeriod::all(db)?;
    let mut problems = Vec::new();
    for row in new {
        if let Some(c) = claimed.iter().find(|c| {
            c.covers(
                row.beneficiary_type.as_str(),
                &row.beneficiary,
                row.start,
                row.end,
            )
        }) {
            let c = &c.claim;
            let mut v = Violation::unruled(format!(
                "[claimed] {} `{}` from {} to {} lies in the reporting period ({} to {}) of \
                 recorded claim #{} ({}): its allocations were made against the consumption \
                 stored then and its report would silently change. Delete the claim first \
                 (`eacdesk claims delete {} --reason …`), import this file, then record the \
                 claim again",
                row.beneficiary_type.as_str(),
                row.beneficiary,
                row.start,
                row.end,
                c.from,
                c.to,
                c.id,
                c.name,
                c.id
            ))
            .with_file(file);
            v.line = Some(row.line);
            v.column = Some(1);
            problems.push(v);
        }
        let (start, end) = (row.start.to_storage(), row.end.to_storage());
        let found: Option<(String, String, String, i64)> = db.query_opt(
            r#"SELECT "start", "end", source_file, line FROM consumption
                WHERE beneficiary_type = ?1 AND beneficiary = ?2 AND "start" < ?4 AND "end" > ?3
                ORDER BY "start" LIMIT 1"#,
            &[
                &row.beneficiary_type.as_str(),
                &row.beneficiary,
                &start,
                &end,
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        if let Some((s, e, f, l)) = found {
            let show = |t: &str| Timestamp::from_storage(t).map_or(t.to_owned(), |t| t.to_string());
            let mut v = Violation::unruled(format!(
                "[overlap] {} `{}` from {} to {} overlaps consumption already imported from \
                 {f} line {l} ({} to {}); each hour of consumption may be given once",
                row.beneficiary_type.as_str(),
                row.beneficiary,
                row.start,
                row.end,
                show(&s),
                show(&e)
            ))
            .with_file(file);
            // The row as a whole: its first column.
            v.line = Some(row.line);
            v.column = Some(1);
            problems.push(v);
        }
    }
    Ok(problems)
}

/// How many rows a refusal names; the rest are counted.
const ROWS_NAMED: usize = 10;

/// Refuses (`frozen`) consumption rows `new` of `file` over days of a
/// closed reporting period: the filed period's figures were computed on
/// the consumption stored then.
fn refuse_closed_rows(w: &Write, file: &str, new: &[NewConsumption]) -> Result<()> {
    let mut hits: Vec<(&NewConsumption, Vec<i64>)> = Vec::new();
    for row in new {
        let periods = crate::periods::closed_over(w, &row.start, &row.end)?;
        if !periods.is_empty() {
            hits.push((row, periods));
        }
    }
    if hits.is_empty() {
        return Ok(());
    }
    let periods: Vec<i64> = hits.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    let named = |row: &NewConsumption| {
        format!(
            "line {} ({} `{}` {})",
            row.line,
            row.beneficiary_type.as_str(),
            row.beneficiary,
            period_words(row.start, row.end)
        )
    };
    let what = if hits.len() == 1 {
        format!(
            "Consumption of {} {} covers days of a closed reporting period and cannot be \
             imported",
            file,
            named(hits[0].0)
        )
    } else {
        let shown = eac_model::words::first_named(
            hits.iter().map(|(r, _)| named(r)),
            ROWS_NAMED,
            hits.len(),
        );
        format!(
            "{} rows of {file} cover days of a closed reporting period and cannot be imported: \
             {shown}",
            hits.len()
        )
    };
    Err(crate::periods::refuse_closed(
        w,
        &periods,
        &what,
        "import the file",
    ))
}

/// Stores `new` (rows of `file`) through `w`; refuses the whole file when
/// a row lies in a closed reporting period (`frozen`) or stored data
/// stands against it ([`consumption_problems`], `validation`), and a file
/// without rows (`invalid_input`: nothing to import, no audit record).
fn import(w: &Write, file: &str, new: &[NewConsumption], os_user: &str) -> Result<usize> {
    if new.is_empty() {
        return Err(StoreError::InvalidInput(format!(
            "no consumption rows in {file}; nothing was imported"
        )));
    }
    let db = w.db();
    lock_claims(db)?;
    refuse_closed_rows(w, file, new)?;
    let problems = consumption_problems(db, file, new)?;
    if !problems.is_empty() {
        return Err(StoreError::Rules {
            file: file.to_owned(),
            violations: problems,
        });
    }
    let at = w.at().to_storage();
    for row in new {
        db.execute(
            r#"INSERT INTO consumption (beneficiary_type, beneficiary, "start", "end", value,
                                       unit, source_file, line, imported_at)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"#,
            &[
                &row.beneficiary_type.as_str(),
                &row.beneficiary,
                &row.start.to_storage(),
                &row.end.to_storage(),
                &row.value.as_str(),
                &row.unit.as_str(),
                &file,
                &i64::try_from(row.line).unwrap_or(i64::MAX),
                &at,
            ],
        )?;
    }
    let mut who: Vec<String> = new
        .iter()
        .map(|r| format!("{} {}", r.beneficiary_type.as_str(), r.beneficiary))
        .collect();
    who.sort();
    who.dedup();
    insert_database_record(
        w,
        AuditAction::ConsumptionImport,
        &[
            ("file", file.to_owned()),
            ("rows", new.len().to_string()),
            ("beneficiaries", who.join(", ")),
        ],
        &IMPORT_REASON,
        os_user,
        file,
    )?;
    Ok(new.len())
}

/// Each value's quantity in Wh (`None`: no such value).
fn value_wh(w: &Write, cds_eac_id: &str, position: u32) -> Result<Option<BigDecimal>> {
    let found: Option<(String, String)> = w.db().query_opt(
        "SELECT v.value, v.unit FROM eac_values v JOIN eacs e ON e.id = v.eac_id
          WHERE e.cds_eac_id = ?1 AND v.position = ?2",
        &[&cds_eac_id, &position],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let Some((value, unit)) = found else {
        return Ok(None);
    };
    let unit = EnergyUnit::parse(&unit).unwrap_or(EnergyUnit::Wh);
    Ok(Some(units::convert(
        &rows::big_from_text(&value)?,
        unit,
        EnergyUnit::Wh,
    )))
}

/// Why an allocation of value `position` (from 0) of EAC `cds_eac_id`
/// has no value to take from: no such EAC is stored (`NotFound`), or it
/// holds fewer values (`NoValue`).
fn no_value(w: &Write, cds_eac_id: &str, position: u32) -> Result<StoreError> {
    let values: Option<i64> = w.db().query_opt(
        "SELECT (SELECT count(*) FROM eac_values v WHERE v.eac_id = e.id)
           FROM eacs e WHERE e.cds_eac_id = ?1",
        &[&cds_eac_id],
        |r| Ok(r.get(0)?),
    )?;
    Ok(match values {
        None => StoreError::NotFound(cds_eac_id.to_owned()),
        Some(values) => StoreError::NoValue {
            cds_eac_id: cds_eac_id.to_owned(),
            position: position + 1,
            values: u32::try_from(values).unwrap_or(u32::MAX),
        },
    })
}

fn create(w: &Write, claim: &NewClaim, reason: &Reason, os_user: &str) -> Result<ClaimRecord> {
    let mut per_value: BTreeMap<(&str, u32), BigDecimal> = BTreeMap::new();
    for a in &claim.allocations {
        if a.quantity_wh <= BigDecimal::zero() {
            return Err(StoreError::InvalidInput(format!(
                "an allocation of EAC {} value {} is not above 0 Wh; nothing was changed",
                a.cds_eac_id,
                a.position + 1
            )));
        }
        *per_value
            .entry((a.cds_eac_id.as_str(), a.position))
            .or_default() += &a.quantity_wh;
    }
    let db = w.db();
    lock_claims(db)?;
    refuse_closed_claim(
        w,
        (&claim.name, None),
        (&claim.from.to_string(), &claim.to.to_string()),
        "recorded",
        "record it",
    )?;
    // On a server, EAC writes lock the audit chain before they read what
    // they change (`lock`): taken before the values are read, a deletion
    // or re-assignment by another desk either committed before (the mark
    // below has moved) or waits for this claim and then finds it (the
    // claimed-EAC guard refuses it). Without it a deletion could pass the
    // guard while this claim's allocations were not yet committed.
    crate::lock::chain_first(w)?;
    if let Some(planned) = claim.planned_at {
        if crate::chain::mark(db)? != planned {
            return Err(StoreError::ChangedWhilePlanned);
        }
    }
    refuse_claimed_consumption(db, claim)?;
    let held = allocated(db, None)?;
    let mut over = Vec::new();
    for ((id, position), new) in &per_value {
        let Some(total) = value_wh(w, id, *position)? else {
            return Err(no_value(w, id, *position)?);
        };
        let before = held
            .get(&((*id).to_owned(), *position))
            .map(|h| h.quantity_wh.clone())
            .unwrap_or_default();
        if &before + new > total {
            over.push((id.to_string(), *position, before, new.clone(), total));
        }
    }
    if !over.is_empty() {
        let text = eac_model::words::first_named_by_semicolons(
            over.iter().map(|(id, p, before, new, total)| {
                format!(
                    "EAC {id} value {}: {} Wh already allocated to other claims + {} Wh asked \
                     > its {} Wh",
                    p + 1,
                    before.normalized(),
                    new.normalized(),
                    total.normalized()
                )
            }),
            20,
            over.len(),
        );
        return Err(StoreError::Conflict {
            message: format!(
                "The claim would allocate EAC values beyond their quantity (a value is never \
                 counted for two claims); nothing was changed. {text}"
            ),
            ids: over.into_iter().map(|(id, ..)| id).collect(),
        });
    }
    let beneficiaries = serde_json::to_string(&claim.beneficiaries).expect("strings serialize");
    let id: i64 = db.query_row(
        "INSERT INTO claims (name, beneficiary_type, beneficiaries, date_from, date_to,
                             granularity, market, bidding_zone, unit, only_passing,
                             created_at, created_by, factors_recorded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1)
         RETURNING id",
        &[
            &claim.name,
            &claim.beneficiary_type.as_str(),
            &beneficiaries,
            &claim.from.to_string(),
            &claim.to.to_string(),
            &claim.granularity,
            &claim.market,
            &claim.bidding_zone,
            &claim.unit.as_str(),
            &claim.only_passing,
            &w.at().to_storage(),
            &os_user,
        ],
        |r| Ok(r.get(0)?),
    )?;
    for a in &claim.allocations {
        db.execute(
            "INSERT INTO claim_allocations (claim_id, cds_eac_id, position, interval_start,
                                            interval_end, quantity_wh)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                &id,
                &a.cds_eac_id,
                &a.position,
                &a.start.to_storage(),
                &a.end.to_storage(),
                &a.quantity_wh.normalized().to_plain_string(),
            ],
        )?;
    }
    let factors = record_factors(w, id, claim)?;
    let total: BigDecimal = per_value.values().sum();
    let record = load_claim(db, id)?;
    // The digest of the rows as stored, read back one at a time: the
    // record holds no row (decision 341).
    let digest = allocation_rows(db, id, &mut |_| {})?;
    let state = ClaimState::begin(&record, &factors).digest_only(&digest);
    insert_database_record_with_states(
        w,
        AuditAction::ClaimCreate,
        &[
            ("claim", id.to_string()),
            ("name", claim.name.clone()),
            (
                "beneficiary",
                format!(
                    "{} {}",
                    claim.beneficiary_type.as_str(),
                    claim.beneficiaries.join(", ")
                ),
            ),
            (
                "reporting_period",
                format!("{} to {}", claim.from, claim.to),
            ),
            ("granularity", claim.granularity.clone()),
            ("market", optional_words(&claim.market)),
            ("bidding_zone", optional_words(&claim.bidding_zone)),
            ("only_passing", optional_words(&claim.only_passing)),
            ("values", per_value.len().to_string()),
            ("allocations", claim.allocations.len().to_string()),
            ("allocated_wh", total.normalized().to_plain_string()),
            (
                "residual_mix_factor",
                factor_words(claim, factors.of_kind("residual_mix")),
            ),
            ("grid_factor", factor_words(claim, factors.of_kind("grid"))),
        ],
        States {
            before: None,
            after: Some(state),
        },
        reason,
        os_user,
        "",
    )?;
    Ok(record)
}

/// A claim's market, bidding zone or rule set as its audit record names
/// it: `(none)` when not given.
fn optional_words(text: &Option<String>) -> String {
    text.clone().unwrap_or_else(|| "(none)".to_owned())
}

/// Refuses (`frozen`) recording or deleting the claim `name` (number
/// `id` once recorded) over the days `from..=to` when they share a day
/// with a closed reporting period: the claim is what was filed for it (or
/// would change what was filed). `from` and `to` are as stored: days that
/// do not parse (a row another program changed) may be any days, so every
/// closed period covers them.
fn refuse_closed_claim(
    w: &Write,
    (name, id): (&str, Option<i64>),
    (from, to): (&str, &str),
    done: &str,
    to_do: &str,
) -> Result<()> {
    let span = match (Date::parse(from), Date::parse(to)) {
        (Ok(from), Ok(to)) => days(from, to),
        _ => None,
    };
    let periods = match span {
        Some((start, end)) => crate::periods::closed_over(w, &start, &end)?,
        None => crate::periods::closed_over_unknown(w)?,
    };
    if periods.is_empty() {
        return Ok(());
    }
    // A claim given no name is named by its days already.
    let named_by_days = name.ends_with(&format!("{from} to {to}"));
    let who = match id {
        Some(id) if named_by_days => format!("Claim #{id} ({name})"),
        Some(id) => format!("Claim #{id} ({name}, {from} to {to})"),
        None if named_by_days => format!("Claim `{name}`"),
        None => format!("Claim `{name}` ({from} to {to})"),
    };
    Err(crate::periods::refuse_closed(
        w,
        &periods,
        &format!("{who} covers days of a closed reporting period and cannot be {done}"),
        to_do,
    ))
}

/// A recorded claim as its audit records keep it (decision 341):
/// `{"claim": …, "allocations": {…}}`. `claim` is its definition as
/// [`ClaimRecord`] gives it with the factors recorded with it;
/// `allocations` gives `columns`, then (`claim_delete`'s before-state
/// only) every allocation row as a JSON array in the order of `columns`,
/// then their digest: `count`, `total_wh` and `sha256`, the SHA-256 of
/// the text of the `rows` array (`[[…],[…]]`, no spaces) as
/// `claim_delete` writes it. `claim_create`'s after-state keeps only the
/// digest (the rows are in `claim_allocations` while the claim exists),
/// `claim_delete`'s keeps the rows too, so a deleted claim can be rebuilt
/// from the log and checked against what was recorded. A row: the EAC,
/// `value` the value's number in its EAC from 1 (as `claims check` names
/// it), times RFC 3339 UTC with `end` exclusive, `quantity_wh` exact.
struct ClaimState {
    out: Vec<u8>,
}

/// What [`allocation_rows`] read: the digest of a claim's rows.
struct RowsDigest {
    count: usize,
    total: BigDecimal,
    sha256: String,
}

impl ClaimState {
    fn begin(claim: &ClaimRecord, factors: &ClaimFactors) -> ClaimState {
        let mut out = Vec::new();
        out.extend_from_slice(b"{\"claim\":");
        let mut definition = serde_json::to_value(claim).expect("a claim serializes");
        definition["factors"] = serde_json::to_value(&factors.factors).expect("factors serialize");
        serde_json::to_writer(&mut out, &definition).expect("JSON to memory");
        out.extend_from_slice(
            br#","allocations":{"columns":["cds_eac_id","value","start","end","quantity_wh"],"#,
        );
        ClaimState { out }
    }

    /// The state of `claim_create`: the digest, no rows.
    fn digest_only(mut self, digest: &RowsDigest) -> String {
        self.finish(digest);
        String::from_utf8(self.out).expect("JSON is UTF-8")
    }

    /// The state of `claim_delete`: the rows of claim `id`, streamed from
    /// the database into the state's text (the only copy held), then
    /// their digest.
    fn with_rows(mut self, db: &dyn Db, id: i64) -> Result<(String, RowsDigest)> {
        self.out.extend_from_slice(b"\"rows\":");
        let out = &mut self.out;
        let digest = allocation_rows(db, id, &mut |text| out.extend_from_slice(text))?;
        self.out.push(b',');
        self.finish(&digest);
        Ok((String::from_utf8(self.out).expect("JSON is UTF-8"), digest))
    }

    fn finish(&mut self, digest: &RowsDigest) {
        self.out.extend_from_slice(
            format!(
                "\"count\":{},\"total_wh\":{},\"sha256\":\"{}\"}}}}",
                digest.count,
                serde_json::Value::String(digest.total.normalized().to_plain_string()),
                digest.sha256
            )
            .as_bytes(),
        );
    }
}

/// Streams the allocation rows of claim `id` as the text of one JSON array
/// (`[[…],[…]]`, [`ClaimState`]'s row form) to `sink`, one row at a time,
/// in start, EAC and value order; returns their count, total and the
/// SHA-256 of that text. `claim_create` and `claim_delete` both read the
/// rows through here, so the digest of one matches the rows of the other.
fn allocation_rows(db: &dyn Db, id: i64, sink: &mut dyn FnMut(&[u8])) -> Result<RowsDigest> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut emit = |text: &[u8]| {
        hasher.update(text);
        sink(text);
    };
    let mut count = 0usize;
    let mut total = BigDecimal::zero();
    let mut row = Vec::new();
    emit(b"[");
    db.stream(
        "SELECT cds_eac_id, position, interval_start, interval_end, quantity_wh
           FROM claim_allocations WHERE claim_id = ?1
          ORDER BY interval_start, cds_eac_id, position",
        &[&id],
        &mut |r| {
            let cds_eac_id: String = r.get(0)?;
            let position: u32 = r.get(1)?;
            let quantity: String = r.get(4)?;
            total += rows::big_from_text(&quantity)?;
            row.clear();
            if count > 0 {
                row.push(b',');
            }
            count += 1;
            serde_json::to_writer(
                &mut row,
                &(
                    &cds_eac_id,
                    u64::from(position) + 1,
                    &rows::display_time(r, 2)?,
                    &rows::display_time(r, 3)?,
                    &quantity,
                ),
            )
            .expect("JSON to memory");
            emit(&row);
            Ok(())
        },
    )?;
    emit(b"]");
    Ok(RowsDigest {
        count,
        total,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Records with claim `id` the factors its report uses now (decision
/// 273): of each kind, the factor of the claim's market (compared as
/// [`same_market`]; of two spellings the newest set, as
/// [`Store::emission_factor`] finds it) for the year of its first day.
/// Runs inside the claim write, under the claims lock that
/// [`set_factor`] takes too, so the factor cannot change in between.
fn record_factors(w: &Write, id: i64, claim: &NewClaim) -> Result<ClaimFactors> {
    let db = w.db();
    let mut factors = Vec::new();
    if let Some(market) = &claim.market {
        let year = chrono::Datelike::year(&claim.from.as_naive());
        for kind in FACTOR_KINDS {
            if let Some(f) = factors_of(db, market, kind, year)?.into_iter().next() {
                db.execute(
                    "INSERT INTO claim_factors (claim_id, kind, market, year, tco2e_per_mwh,
                                               source, set_at, set_by)
                     SELECT ?1, kind, market, year, tco2e_per_mwh, source, set_at, set_by
                       FROM emission_factors WHERE market = ?2 AND kind = ?3 AND year = ?4",
                    &[&id, &f.market, &kind, &year],
                )?;
                factors.push(f);
            }
        }
    }
    factors.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(ClaimFactors {
        recorded: true,
        factors,
    })
}

/// A recorded factor as the claim's audit record names it.
fn factor_words(claim: &NewClaim, factor: Option<&FactorEntry>) -> String {
    match (factor, &claim.market) {
        (Some(f), _) => format!(
            "{} tCO2e/MWh ({}), market {} {}",
            f.tco2e_per_mwh, f.source, f.market, f.year
        ),
        (None, Some(_)) => "(none entered)".to_owned(),
        (None, None) => "(none: no market)".to_owned(),
    }
}

/// The factors recorded with `claim` (see [`Store::claim_factors`]): its
/// record says whether any were, so only `claim_factors` is read, and not
/// at all for a claim recorded before schema 22.
fn claim_factors(db: &dyn Db, claim: &ClaimRecord) -> Result<ClaimFactors> {
    let factors = if claim.factors_recorded {
        db.collect(
            "SELECT market, kind, year, tco2e_per_mwh, source, set_at, set_by FROM claim_factors
              WHERE claim_id = ?1 ORDER BY kind",
            &[&claim.id],
            |r| Ok(factor_row(r)?),
        )?
    } else {
        Vec::new()
    };
    Ok(ClaimFactors {
        recorded: claim.factors_recorded,
        factors,
    })
}

/// Every recorded claim of `market` (compared as [`same_market`]) whose
/// first day is in `year`, with the `kind` factor it was recorded with,
/// by claim number.
fn claims_of_factor(
    db: &dyn Db,
    market: &str,
    kind: &str,
    year: i32,
) -> Result<Vec<ClaimFactorKept>> {
    type Row = (
        i64,
        String,
        String,
        String,
        i64,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = db.collect(
        "SELECT c.id, c.name, c.market, c.date_from, c.factors_recorded, f.tco2e_per_mwh,
                f.source
           FROM claims c
           LEFT JOIN claim_factors f ON f.claim_id = c.id AND f.kind = ?1
          WHERE c.market IS NOT NULL
          ORDER BY c.id",
        &[&kind],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, m, from, ..)| {
            same_market(m, market)
                && Date::parse(from).is_ok_and(|d| chrono::Datelike::year(&d.as_naive()) == year)
        })
        .map(
            |(claim_id, claim_name, _, _, recorded, tco2e_per_mwh, source)| ClaimFactorKept {
                claim_id,
                claim_name,
                kind: kind.to_owned(),
                recorded: recorded != 0,
                tco2e_per_mwh,
                source,
            },
        )
        .collect())
}

/// Refuses (`validation`, nothing written) a claim covering stored
/// consumption that a recorded claim covers already: each hour of
/// consumption may be claimed once (decision 272), as each EAC value is
/// allocated once over all claims (decision 171). It is the finding
/// `claims check` reports (`claimed_elsewhere`, exit 1), so refusing it is
/// exit 1 too: the stored data stands in the way, not the invocation.
fn refuse_claimed_consumption(db: &dyn Db, claim: &NewClaim) -> Result<()> {
    let clashes = claimed_consumption(
        db,
        claim.beneficiary_type,
        &claim.beneficiaries,
        (claim.from, claim.to),
        None,
    )?;
    if clashes.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = clashes.iter().map(|c| c.claim_id).collect();
    ids.dedup();
    let what = eac_model::words::first_named_by_semicolons(clashes.iter(), 20, clashes.len());
    let those = if ids.len() == 1 {
        "that claim".to_owned()
    } else {
        let named: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
        format!("claims {}", named.join(", "))
    };
    Err(StoreError::ClaimedConsumption(format!(
        "Consumption already claimed: {what}. Each hour of consumption may be claimed once; \
         nothing was changed. Delete {those} first (`eacdesk claims delete {} --reason …`, \
         or Claims → Delete…) or claim other days or beneficiaries.",
        ids[0]
    )))
}

fn load_claim(db: &dyn Db, id: i64) -> Result<ClaimRecord> {
    db.query_opt(&format!("{CLAIM_COLUMNS} WHERE id = ?1"), &[&id], |r| {
        Ok(claim_row(r)?)
    })?
    .ok_or(StoreError::NoClaim(id))
}

/// Every value's allocations over all claims but `except`.
fn allocated(
    db: &dyn Db,
    except: Option<i64>,
) -> Result<BTreeMap<(String, u32), AllocatedElsewhere>> {
    let sql = match db.kind() {
        Kind::Sqlite => {
            "SELECT cds_eac_id, position, claim_id, quantity_wh FROM claim_allocations
              WHERE claim_id IS NOT ?1 ORDER BY cds_eac_id, position, claim_id"
        }
        Kind::Postgres => {
            "SELECT cds_eac_id, position, claim_id, quantity_wh FROM claim_allocations
              WHERE claim_id IS DISTINCT FROM ?1 ORDER BY cds_eac_id, position, claim_id"
        }
    };
    let mut out: BTreeMap<(String, u32), AllocatedElsewhere> = BTreeMap::new();
    db.each(sql, &[&except], &mut |r| {
        let key: (String, u32) = (r.get(0)?, r.get(1)?);
        let claim: i64 = r.get(2)?;
        let q: String = r.get(3)?;
        let entry = out.entry(key).or_default();
        // Exact: the stored decimal text, summed as decimals.
        entry.quantity_wh += rows::big_from_text(&q)?;
        if !entry.claims.contains(&claim) {
            entry.claims.push(claim);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Same market: compared ignoring case and surrounding spaces, as the
/// claims compare markets (decision 174).
fn same_market(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The factors of `market` (compared as [`same_market`]), `kind` and
/// `year`, the newest set first. One at most when set through
/// [`set_factor`]; a database from before it compared markets so can hold
/// one per spelling, and the newest is the one in force. Compared here, not
/// in SQL: SQLite's `lower` folds ASCII letters only, PostgreSQL's more.
fn factors_of(db: &dyn Db, market: &str, kind: &str, year: i32) -> Result<Vec<FactorEntry>> {
    let sql =
        format!("{FACTOR_COLUMNS} WHERE kind = ?1 AND year = ?2 ORDER BY set_at DESC, market");
    let all: Vec<FactorEntry> = db.collect(&sql, &[&kind, &year], |r| Ok(factor_row(r)?))?;
    Ok(all
        .into_iter()
        .filter(|f| same_market(&f.market, market))
        .collect())
}

/// Sets (or replaces) a factor through `w`, audited with before and after.
/// It replaces every factor of the same market (ignoring case and
/// surrounding spaces), kind and year: one row is left, spelled as given.
#[allow(clippy::too_many_arguments)]
fn set_factor(
    w: &Write,
    market: &str,
    kind: &str,
    year: i32,
    tco2e_per_mwh: &Decimal,
    source: &str,
    reason: &Reason,
    os_user: &str,
) -> Result<FactorEntry> {
    let db = w.db();
    lock_claims(db)?;
    let replaced = factors_of(db, market, kind, year)?;
    refuse_closed_factor(
        w,
        (market, kind, year),
        tco2e_per_mwh,
        source.trim(),
        replaced.first(),
    )?;
    for old in &replaced {
        db.execute(
            "DELETE FROM emission_factors WHERE market = ?1 AND kind = ?2 AND year = ?3",
            &[&old.market, &kind, &year],
        )?;
    }
    db.execute(
        "INSERT INTO emission_factors (market, kind, year, tco2e_per_mwh, source,
                                       set_at, set_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            &market,
            &kind,
            &year,
            &tco2e_per_mwh.as_str(),
            &source.trim(),
            &w.at().to_storage(),
            &os_user,
        ],
    )?;
    // The factor in force before: the newest of those replaced, with its
    // spelling when it differs.
    let before = replaced.first().map_or("(none)".to_owned(), |b| {
        let spelled = if b.market == market {
            String::new()
        } else {
            format!(", market {}", b.market)
        };
        format!("{} tCO2e/MWh ({}){spelled}", b.tco2e_per_mwh, b.source)
    });
    insert_database_record(
        w,
        AuditAction::FactorSet,
        &[
            ("market", market.to_owned()),
            ("kind", kind.to_owned()),
            ("year", year.to_string()),
            ("before", before),
            (
                "after",
                format!("{} tCO2e/MWh ({})", tco2e_per_mwh.as_str(), source.trim()),
            ),
        ],
        reason,
        os_user,
        "",
    )?;
    db.query_row(
        &format!("{FACTOR_COLUMNS} WHERE market = ?1 AND kind = ?2 AND year = ?3"),
        &[&market, &kind, &year],
        |r| Ok(factor_row(r)?),
    )
}

/// Refuses (`frozen`) setting the `kind` factor of `market` for `year` to
/// `factor` from `source` when it would change the report of a recorded
/// claim over days of a closed reporting period. A claim recorded since
/// schema 22 keeps the factors it was recorded with (decision 273), so no
/// factor set changes it; one recorded before kept none and reads the
/// factors stored now. Setting the factor in force again (the same exact
/// number and source) changes no report.
fn refuse_closed_factor(
    w: &Write,
    (market, kind, year): (&str, &str, i32),
    factor: &Decimal,
    source: &str,
    in_force: Option<&FactorEntry>,
) -> Result<()> {
    let unchanged = in_force.is_some_and(|now| {
        now.source == source
            && Decimal::parse(&now.tco2e_per_mwh).is_ok_and(|d| d.to_big() == factor.to_big())
    });
    if unchanged {
        return Ok(());
    }
    let older: Vec<ClaimRecord> = w.db().collect(
        &format!("{CLAIM_COLUMNS} WHERE factors_recorded = 0 AND market IS NOT NULL ORDER BY id"),
        &[],
        |r| Ok(claim_row(r)?),
    )?;
    let mut named = Vec::new();
    let mut periods = Vec::new();
    for c in older {
        if !c.market.as_deref().is_some_and(|m| same_market(m, market)) {
            continue;
        }
        // Days that do not parse (a row another program changed) may be
        // of any year and any days: every closed period covers them.
        let closed = match (Date::parse(&c.from), Date::parse(&c.to)) {
            (Ok(from), Ok(to)) => {
                let Some((start, end)) =
                    days(from, to).filter(|_| chrono::Datelike::year(&from.as_naive()) == year)
                else {
                    continue;
                };
                crate::periods::closed_over(w, &start, &end)?
            }
            _ => crate::periods::closed_over_unknown(w)?,
        };
        if !closed.is_empty() {
            named.push(format!("#{} ({}, {} to {})", c.id, c.name, c.from, c.to));
            periods.extend(closed);
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let (claims, its, use_, they) = if named.len() == 1 {
        ("claim", "its report", "uses", "it was")
    } else {
        ("claims", "their reports", "use", "they were")
    };
    Err(crate::periods::refuse_closed(
        w,
        &periods,
        &format!(
            "Setting the {kind} factor of {market} for {year} would change the filed report of \
             recorded {claims} {}, which cover{} days of a closed reporting period: {they} \
             recorded by an older version of EAC Desk, which kept no factors with a claim, so \
             {its} {use_} the factors stored now. The factor cannot be set",
            named.join(", "),
            if named.len() == 1 { "s" } else { "" }
        ),
        &format!(
            "set it (to keep {its} as filed, first delete and record again each such claim: a \
             claim recorded now keeps the factors it was recorded with)"
        ),
    ))
}

/// Deletes claim `id` and its allocations through `w`, audited.
fn delete(w: &Write, id: i64, reason: &Reason, os_user: &str) -> Result<ClaimRecord> {
    let db = w.db();
    // As `create`: the claims lock, then (in `refuse_closed_claim`) the
    // audit chain's, before the claim and the periods are read.
    lock_claims(db)?;
    let claim = load_claim(db, id)?;
    refuse_closed_claim(
        w,
        (&claim.name, Some(id)),
        (&claim.from, &claim.to),
        "deleted",
        "delete it",
    )?;
    // What it was, for its record: the definition, its factors and every
    // allocation, read before they go.
    let factors = claim_factors(db, &claim)?;
    let (state, digest) = ClaimState::begin(&claim, &factors).with_rows(db, id)?;
    let values: i64 = db.query_row(
        "SELECT count(*) FROM (SELECT DISTINCT cds_eac_id, position FROM claim_allocations
                                WHERE claim_id = ?1) v",
        &[&id],
        |r| Ok(r.get(0)?),
    )?;
    // Its allocations and recorded factors go with it (ON DELETE CASCADE,
    // both databases).
    db.execute("DELETE FROM claims WHERE id = ?1", &[&id])?;
    insert_database_record_with_states(
        w,
        AuditAction::ClaimDelete,
        &[
            ("claim", id.to_string()),
            ("name", claim.name.clone()),
            (
                "beneficiary",
                format!(
                    "{} {}",
                    claim.beneficiary_type,
                    claim.beneficiaries.join(", ")
                ),
            ),
            (
                "reporting_period",
                format!("{} to {}", claim.from, claim.to),
            ),
            ("granularity", claim.granularity.clone()),
            ("market", optional_words(&claim.market)),
            ("bidding_zone", optional_words(&claim.bidding_zone)),
            ("only_passing", optional_words(&claim.only_passing)),
            ("values", values.to_string()),
            ("allocations", digest.count.to_string()),
            ("allocated_wh", digest.total.normalized().to_plain_string()),
        ],
        States {
            before: Some(state),
            after: None,
        },
        reason,
        os_user,
        "",
    )?;
    Ok(claim)
}

/// What deleting a beneficiary's consumption removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsumptionDeleted {
    pub beneficiary_type: String,
    pub beneficiary: String,
    pub rows: usize,
    pub files: Vec<String>,
}

/// Deletes every stored consumption row of one beneficiary through `w`,
/// audited. Refused (`conflict`) while a recorded claim is for that
/// beneficiary: its allocations were made against this consumption.
fn delete_consumption(
    w: &Write,
    kind: BeneficiaryType,
    beneficiary: &str,
    reason: &Reason,
    os_user: &str,
) -> Result<ConsumptionDeleted> {
    let db = w.db();
    lock_claims(db)?;
    let (count, first, last): (i64, Option<String>, Option<String>) = db.query_row(
        r#"SELECT count(*), min("start"), max("end") FROM consumption
            WHERE beneficiary_type = ?1 AND beneficiary = ?2"#,
        &[&kind.as_str(), &beneficiary],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if count == 0 {
        return Err(StoreError::NoConsumption {
            beneficiary_type: kind.as_str().to_owned(),
            beneficiary: beneficiary.to_owned(),
        });
    }
    // Rows over days of a closed reporting period were part of what was
    // filed: looked for only when the rows' whole span meets one.
    // A time that does not parse (a row another program changed) may be any
    // day: every closed period covers it, and the rows are read one by one
    // (where a row's time does not parse, reading it fails: nothing is
    // deleted).
    let span = |t: &Option<String>| t.as_deref().and_then(|t| Timestamp::from_storage(t).ok());
    let meets = match (span(&first), span(&last)) {
        (Some(start), Some(end)) => crate::periods::closed_over(w, &start, &end)?,
        _ => crate::periods::closed_over_unknown(w)?,
    };
    if !meets.is_empty() {
        let mut hit: Vec<i64> = Vec::new();
        let (mut rows_in, mut earliest, mut latest) = (0usize, None, None);
        for (s, e) in db.collect(
            r#"SELECT "start", "end" FROM consumption
                    WHERE beneficiary_type = ?1 AND beneficiary = ?2 ORDER BY "start""#,
            &[&kind.as_str(), &beneficiary],
            |r| {
                Ok((
                    rows::parsed(r, 0, rows::timestamp)?,
                    rows::parsed(r, 1, rows::timestamp)?,
                ))
            },
        )? {
            let periods = crate::periods::closed_over(w, &s, &e)?;
            if !periods.is_empty() {
                rows_in += 1;
                earliest = earliest.or(Some(s));
                latest = Some(latest.map_or(e, |l: Timestamp| l.max(e)));
                hit.extend(periods);
            }
        }
        if let (Some(s), Some(e)) = (earliest, latest) {
            return Err(crate::periods::refuse_closed(
                w,
                &hit,
                &format!(
                    "The consumption of {} `{beneficiary}` covers days of a closed reporting \
                         period ({rows_in} row{} in {}) and cannot be deleted",
                    kind.as_str(),
                    if rows_in == 1 { "" } else { "s" },
                    period_words(s, e)
                ),
                "delete it",
            ));
        }
    }
    let claims: Vec<i64> = db.collect(
        &format!(
            "SELECT id FROM claims WHERE beneficiary_type = ?1
                AND (?1 = 'general' OR ?2 IN {})
              ORDER BY id",
            json_elements(db.kind(), "claims.beneficiaries")
        ),
        &[&kind.as_str(), &beneficiary],
        |r| Ok(r.get(0)?),
    )?;
    if !claims.is_empty() {
        let list: Vec<String> = claims.iter().map(|c| format!("#{c}")).collect();
        let (claim, are) = match claims.len() {
            1 => ("Recorded claim", "is for"),
            _ => ("Recorded claims", "are for"),
        };
        let was = if claims.len() == 1 { "was" } else { "were" };
        let whose = if beneficiary.is_empty() {
            kind.as_str().to_owned()
        } else {
            format!("{} `{beneficiary}`", kind.as_str())
        };
        return Err(StoreError::Conflict {
            message: format!(
                "{claim} {} {are} {whose} and {was} allocated against this consumption, so \
                 nothing was changed. Delete {}, then delete the consumption (and record the \
                 claim again from the corrected file).",
                list.join(", "),
                crate::claimed::delete_first(&claims),
            ),
            ids: Vec::new(),
        });
    }
    let files: Vec<String> = db.collect(
        "SELECT DISTINCT source_file FROM consumption
          WHERE beneficiary_type = ?1 AND beneficiary = ?2 ORDER BY source_file",
        &[&kind.as_str(), &beneficiary],
        |r| Ok(r.get(0)?),
    )?;
    let state = consumption_state(db, kind, beneficiary)?;
    db.execute(
        "DELETE FROM consumption WHERE beneficiary_type = ?1 AND beneficiary = ?2",
        &[&kind.as_str(), &beneficiary],
    )?;
    let show = |t: Option<String>| {
        t.map(|t| Timestamp::from_storage(&t).map_or(t.clone(), |t| t.to_string()))
            .unwrap_or_default()
    };
    insert_database_record_with_states(
        w,
        AuditAction::ConsumptionDelete,
        &[
            ("beneficiary", format!("{} {beneficiary}", kind.as_str())),
            ("rows", count.to_string()),
            ("files", files.join(", ")),
            (
                "consumption_from_to",
                format!("{} to {}", show(first), show(last)),
            ),
        ],
        States {
            before: Some(state),
            after: None,
        },
        reason,
        os_user,
        "",
    )?;
    Ok(ConsumptionDeleted {
        beneficiary_type: kind.as_str().to_owned(),
        beneficiary: beneficiary.to_owned(),
        rows: rows::from_count(count),
        files,
    })
}

/// The stored consumption of one beneficiary as `consumption_delete`'s
/// before-state keeps it, so the record alone says what was deleted:
/// `{"consumption": {"beneficiary_type", "beneficiary", "columns",
/// "files": [{"file", "rows": [[…], …]}, …]}}`, rows by file and start, each
/// a JSON array in the order of `columns` (written one by one into the
/// text: a year of hours is 8,784 rows); times RFC 3339 UTC, `end`
/// exclusive; `value` exact, as imported; `line` in the file.
fn consumption_state(db: &dyn Db, kind: BeneficiaryType, beneficiary: &str) -> Result<String> {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"consumption\":");
    let head = serde_json::json!({
        "beneficiary_type": kind.as_str(),
        "beneficiary": beneficiary,
        "columns": ["start", "end", "value", "unit", "line", "imported_at"],
    })
    .to_string();
    // The head's closing brace is where the files go.
    out.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    out.extend_from_slice(br#","files":["#);
    let mut file: Option<String> = None;
    let mut first_row = true;
    db.stream(
        r#"SELECT source_file, "start", "end", value, unit, line, imported_at FROM consumption
            WHERE beneficiary_type = ?1 AND beneficiary = ?2
            ORDER BY source_file, "start", id"#,
        &[&kind.as_str(), &beneficiary],
        &mut |r| {
            let source: String = r.get(0)?;
            if file.as_deref() != Some(source.as_str()) {
                if file.is_some() {
                    out.extend_from_slice(b"]},");
                }
                out.extend_from_slice(b"{\"file\":");
                serde_json::to_writer(&mut out, &source).expect("JSON to memory");
                out.extend_from_slice(br#","rows":["#);
                file = Some(source);
                first_row = true;
            }
            if !first_row {
                out.push(b',');
            }
            first_row = false;
            let line: i64 = r.get(5)?;
            let value: String = r.get(3)?;
            let unit: String = r.get(4)?;
            serde_json::to_writer(
                &mut out,
                &(
                    rows::display_time(r, 1)?,
                    rows::display_time(r, 2)?,
                    value,
                    unit,
                    line,
                    rows::display_time(r, 6)?,
                ),
            )
            .expect("JSON to memory");
            Ok(())
        },
    )?;
    if file.is_some() {
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"]}}");
    Ok(String::from_utf8(out).expect("JSON is UTF-8"))
}

impl Store {
    /// What stored data says against consumption rows `new` of `file`
    /// without importing them: rows overlapping stored consumption of
    /// their beneficiary (`[overlap]`) or lying in the period of a recorded
    /// claim for it (`[claimed]`), each located. The import checks the
    /// same again inside its write; this lets a file with other problems
    /// be told all of them at once.
    pub fn consumption_problems(
        &self,
        file: &str,
        new: &[NewConsumption],
    ) -> Result<Vec<Violation>> {
        consumption_problems(self.db(), file, new)
    }

    /// Imports consumption rows read from `file` in one write (all or
    /// nothing), audited (`consumption_import`). Refused (`validation`, each
    /// row located) when a row overlaps stored consumption of its
    /// beneficiary or lies in the reporting period of a recorded claim for
    /// its beneficiary (naming the claim); `frozen` when a row covers days
    /// of a closed reporting period; `invalid_input` without rows.
    pub fn import_consumption(
        &mut self,
        file: &str,
        new: &[NewConsumption],
        os_user: &str,
    ) -> Result<usize> {
        self.write_either(|w| import(w, file, new, os_user))
    }

    /// Stored consumption, by beneficiary and start; only `kind`/`ids`
    /// when given (any of the ids), only rows overlapping `within`.
    pub fn consumption(
        &self,
        kind: Option<BeneficiaryType>,
        ids: &[String],
        within: Option<(Timestamp, Timestamp)>,
    ) -> Result<Vec<ConsumptionEntry>> {
        consumption_rows(self.db(), kind, ids, within)
    }

    /// The stored consumption a claim for `kind`/`beneficiaries` over the
    /// days `from..=to` covers that a recorded claim other than `except`
    /// (a recorded claim's own number, to leave it out) covers too, per
    /// recorded claim and beneficiary. [`Store::create_claim`] refuses a
    /// claim while this is not empty: each hour of consumption may be
    /// claimed once.
    pub fn consumption_claimed(
        &self,
        kind: BeneficiaryType,
        beneficiaries: &[String],
        from: Date,
        to: Date,
        except: Option<i64>,
    ) -> Result<Vec<ConsumptionClaimed>> {
        claimed_consumption(self.db(), kind, beneficiaries, (from, to), except)
    }

    /// The newest audit record's id (0 before the first; see
    /// [`NewClaim::planned_at`]): it moves with every recorded change.
    pub fn audit_mark(&self) -> Result<i64> {
        crate::chain::mark(self.db())
    }

    /// Records `claim` and its allocations in one write, audited
    /// (`claim_create`). Refused (`conflict`) when a value would be
    /// allocated beyond its quantity over all claims or when a change was
    /// recorded after [`NewClaim::planned_at`]; `validation` when stored
    /// consumption it covers is covered by a recorded claim already
    /// ([`Store::consumption_claimed`]); `not_found` when an
    /// allocated value is not in the database; `frozen` when its days
    /// cover days of a closed reporting period. Its audit record keeps the
    /// claim and every allocation as its after-state.
    pub fn create_claim(
        &mut self,
        claim: &NewClaim,
        reason: &Reason,
        os_user: &str,
    ) -> Result<ClaimRecord> {
        self.write_either(|w| create(w, claim, reason, os_user))
    }

    /// The emission factors `claim` (as [`Store::claim`] read it) was
    /// recorded with (decision 273): its report uses these, whatever is set
    /// later. `recorded` is its `factors_recorded`: `false` for a claim
    /// recorded by an EAC Desk before schema 22, which kept none.
    pub fn claim_factors(&self, claim: &ClaimRecord) -> Result<ClaimFactors> {
        claim_factors(self.db(), claim)
    }

    /// Every recorded claim of `market` (ignoring case and surrounding
    /// spaces) whose first day is in `year`, with the `kind` factor it was
    /// recorded with: those a factor set for that market, kind and year
    /// does not change (or, recorded by an older EAC Desk, does).
    pub fn claims_of_factor(
        &self,
        market: &str,
        kind: &str,
        year: i32,
    ) -> Result<Vec<ClaimFactorKept>> {
        claims_of_factor(self.db(), market, kind, year)
    }

    /// Deletes claim `id` and its allocations (the values are free again),
    /// audited (`claim_delete`, keeping the claim and every allocation as
    /// its before-state); `frozen` when its days cover days of a closed
    /// reporting period.
    pub fn delete_claim(&mut self, id: i64, reason: &Reason, os_user: &str) -> Result<ClaimRecord> {
        self.write_either(|w| delete(w, id, reason, os_user))
    }

    /// Deletes every consumption row of one beneficiary in one write,
    /// audited (`consumption_delete`, keeping the rows as its
    /// before-state); `not_found` when it has none, `frozen` when a row
    /// covers days of a closed reporting period, `conflict` while a
    /// recorded claim is for it.
    pub fn delete_consumption(
        &mut self,
        kind: BeneficiaryType,
        beneficiary: &str,
        reason: &Reason,
        os_user: &str,
    ) -> Result<ConsumptionDeleted> {
        self.write_either(|w| delete_consumption(w, kind, beneficiary, reason, os_user))
    }

    /// How many stored consumption rows share an instant with the days
    /// `from..=to` (UTC): those a closed period over them holds (a row
    /// ending at its first midnight does not).
    pub fn consumption_rows_over(&self, from: Date, to: Date) -> Result<usize> {
        let Some((start, end)) = days(from, to) else {
            return Ok(0);
        };
        let n: i64 = self.db().query_row(
            r#"SELECT count(*) FROM consumption WHERE "start" < ?2 AND "end" > ?1"#,
            &[&start.to_storage(), &end.to_storage()],
            |r| Ok(r.get(0)?),
        )?;
        Ok(rows::from_count(n))
    }

    /// Every claim, newest first.
    pub fn claims(&self) -> Result<Vec<ClaimRecord>> {
        self.db()
            .collect(&format!("{CLAIM_COLUMNS} ORDER BY id DESC"), &[], |r| {
                Ok(claim_row(r)?)
            })
    }

    /// Claim `id` (`not_found` when there is none).
    pub fn claim(&self, id: i64) -> Result<ClaimRecord> {
        load_claim(self.db(), id)
    }

    /// The allocations of claim `id`, by value and interval.
    pub fn claim_allocations(&self, id: i64) -> Result<Vec<AllocationEntry>> {
        self.db().collect(
            "SELECT cds_eac_id, position, interval_start, interval_end, quantity_wh
               FROM claim_allocations WHERE claim_id = ?1
              ORDER BY interval_start, cds_eac_id, position",
            &[&id],
            |r| {
                Ok(AllocationEntry {
                    cds_eac_id: r.get(0)?,
                    position: r.get(1)?,
                    start: rows::display_time(r, 2)?,
                    end: rows::display_time(r, 3)?,
                    quantity_wh: r.get(4)?,
                })
            },
        )
    }

    /// What claims other than `except` hold of each value.
    pub fn allocated_elsewhere(
        &self,
        except: Option<i64>,
    ) -> Result<BTreeMap<(String, u32), AllocatedElsewhere>> {
        allocated(self.db(), except)
    }

    /// The values of the EACs `cds_eac_ids` whose certificates another
    /// stored EAC holds too, as `eacdesk check` finds them (the same
    /// certificate stored twice): a claim's uniqueness criteria fail them.
    pub fn stored_twice(
        &self,
        cds_eac_ids: &[String],
    ) -> Result<Vec<crate::check::ValueStoredTwice>> {
        crate::check::stored_twice(self.db(), cds_eac_ids)
    }

    /// Every EAC attributed to `kind` and any of `ids` (`general`: every
    /// EAC of that type), in id order.
    pub fn eacs_of_beneficiaries(&self, kind: BeneficiaryType, ids: &[String]) -> Result<Vec<Eac>> {
        let ids_json = serde_json::to_string(ids).expect("strings serialize");
        let db = self.db();
        let found: Vec<i64> = db.collect(
            &format!(
                "SELECT e.id FROM eacs e
                  WHERE e.beneficiary_type = ?1
                    AND (?1 = 'general' OR EXISTS (
                         SELECT 1 FROM eac_beneficiaries b
                          WHERE b.eac_id = e.id AND b.beneficiary_id IN {}))
                  ORDER BY e.cds_eac_id",
                json_elements(db.kind(), "?2")
            ),
            &[&kind.as_str(), &ids_json],
            |r| Ok(r.get(0)?),
        )?;
        found
            .into_iter()
            .map(|id| rows::load_eac_by_id(db, id))
            .collect()
    }

    /// Sets the `kind` factor of `market` for `year` (replacing one set
    /// before), audited (`factor_set`, with the old and new factor).
    /// `frozen` when it would change the report of a claim recorded before
    /// schema 22 (which reads the factors stored now) over days of a
    /// closed reporting period.
    #[allow(clippy::too_many_arguments)]
    pub fn set_emission_factor(
        &mut self,
        market: &str,
        kind: &str,
        year: i32,
        tco2e_per_mwh: &Decimal,
        source: &str,
        reason: &Reason,
        os_user: &str,
    ) -> Result<FactorEntry> {
        let market = market.trim();
        // Each wrong part named: "needs a market, a kind and a source" of
        // `--kind residual` left the person to find which one.
        let refused = if !FACTOR_KINDS.contains(&kind) {
            Some(format!(
                "`{kind}` is no kind of factor EAC Desk keeps: write residual_mix (the residual \
                 mix, market-based) or grid (the grid average, location-based)"
            ))
        } else if market.is_empty() {
            Some("A factor needs its market (a bidding zone or country, e.g. NO)".to_owned())
        } else if source.trim().is_empty() {
            Some("A factor needs its source (where the number comes from)".to_owned())
        } else {
            None
        };
        if let Some(refused) = refused {
            return Err(StoreError::InvalidInput(format!(
                "{refused}; nothing was changed."
            )));
        }
        self.write_either(|w| {
            set_factor(
                w,
                market,
                kind,
                year,
                tco2e_per_mwh,
                source,
                reason,
                os_user,
            )
        })
    }

    /// Every emission factor, by market, kind and year.
    pub fn emission_factors(&self) -> Result<Vec<FactorEntry>> {
        // The display name of the `factor_set` record written with the
        // factor (the same write: its time and login).
        self.db().collect(
            r#"SELECT f.market, f.kind, f.year, f.tco2e_per_mwh, f.source, f.set_at, f.set_by,
                      (SELECT a.display_name FROM audit_log a
                        WHERE a.cds_eac_id = '' AND a.action = 'factor_set'
                          AND a.at = f.set_at AND a.os_user = f.set_by
                        ORDER BY a.id DESC LIMIT 1)
                 FROM emission_factors f ORDER BY f.market, f.kind, f.year"#,
            &[],
            |r| {
                Ok(FactorEntry {
                    set_by_name: r.get(7)?,
                    ..factor_row(r)?
                })
            },
        )
    }

    /// The `kind` factor of `market` (compared ignoring case and
    /// surrounding spaces) for `year`; of two spellings an older database
    /// may hold, the newest set.
    pub fn emission_factor(
        &self,
        market: &str,
        kind: &str,
        year: i32,
    ) -> Result<Option<FactorEntry>> {
        Ok(factors_of(self.db(), market, kind, year)?
            .into_iter()
            .next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(start: &str, end: &str) -> String {
        period_words(
            Timestamp::parse(start).unwrap(),
            Timestamp::parse(end).unwrap(),
        )
    }

    /// An exclusive end at midnight reads as a day included: whole days
    /// are named by their last day, any other span says its end is
    /// excluded.
    #[test]
    fn a_span_reads_as_its_days_or_says_its_end_is_excluded() {
        assert_eq!(
            words("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
            "2024-01-01 – 2024-12-31"
        );
        assert_eq!(
            words("2024-02-01T00:00:00Z", "2024-02-02T00:00:00Z"),
            "2024-02-01"
        );
        // An offset is read as the instant it names (UTC days).
        assert_eq!(
            words("2024-01-01T01:00:00+01:00", "2024-03-01T00:00:00Z"),
            "2024-01-01 – 2024-02-29"
        );
        assert_eq!(
            words("2024-06-01T10:00:00Z", "2024-06-01T13:00:00Z"),
            "2024-06-01 10:00 until 13:00 UTC (end excluded)"
        );
        assert_eq!(
            words("2024-06-01T10:00:00Z", "2024-06-03T00:00:00Z"),
            "2024-06-01 10:00 until 2024-06-03 00:00 UTC (end excluded)"
        );
        assert_eq!(
            words("2024-06-01T00:00:00Z", "2024-06-01T00:15:30.5Z"),
            "2024-06-01 00:00 until 00:15:30.500 UTC (end excluded)"
        );
    }

    #[test]
    fn a_clash_names_its_days_rows_and_claim() {
        let clash = ConsumptionClaimed {
            claim_id: 3,
            claim_name: "FY2024".into(),
            beneficiary_type: "account".into(),
            beneficiary: "ACME".into(),
            start: "2024-01-01T00:00:00Z".into(),
            end: "2025-01-01T00:00:00Z".into(),
            rows: 8784,
        };
        assert_eq!(
            clash.to_string(),
            "account `ACME` 2024-01-01 – 2024-12-31, 8784 rows, by recorded claim #3 (FY2024)"
        );
        let one = ConsumptionClaimed {
            start: "2024-06-01T10:00:00Z".into(),
            end: "2024-06-01T11:00:00Z".into(),
            rows: 1,
            ..clash
        };
        assert_eq!(
            one.to_string(),
            "account `ACME` 2024-06-01 10:00 until 11:00 UTC (end excluded), 1 row, by recorded \
             claim #3 (FY2024)"
        );
    }
}
