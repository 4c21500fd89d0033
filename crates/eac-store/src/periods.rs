//! Closed reporting periods: once a year (or any span of days) is filed,
//! closing it freezes every EAC whose period lies inside, so the filed
//! numbers cannot change behind the filing's back. Closing and reopening
//! are audited (database-level records, `cds_eac_id` ''); a reopened
//! period keeps its row with who reopened it, when and why.
//!
//! The rule, checked where EAC rows are written (`rows`, emission
//! factors, envelope-only EACs) and so on every write path: a [`Write`]
//! notes each EAC it would add, change or remove whose period
//! `[period_start, period_end)` lies inside the closed periods in effect
//! (each `[from 00:00 UTC, to + 1 day 00:00 UTC)`; overlapping or adjacent
//! periods together, so a period covered by two closed quarters is
//! frozen), and the write is refused whole when it ends, naming them all
//! ([`StoreError::Frozen`]). An EAC that only straddles a boundary is not
//! inside and stays editable. `cds_synced` ("mark verified") is no data
//! change and stays allowed.
//!
//! Claims and consumption over the closed days are what was filed: the
//! claim and consumption writes ask [`closed_over`] for any day they share
//! with a closed period and refuse at once ([`refuse_closed`], `frozen`,
//! naming the periods and no EAC).

use std::cell::{OnceCell, RefCell};

use eac_model::{Date, Timestamp};
use serde::{Deserialize, Serialize};

use crate::db::{Db, DbRow};
use crate::edit::{self, AuditEntry, AuditSide};
use crate::query::day_start as midnight; // 00:00 UTC of a day
use crate::rows;
use crate::write::{Reason, Write};
use crate::{AuditAction, Result, Store, StoreError};

/// EACs named in a refusal; the rest are counted.
const MAX_NAMED: usize = 50;

/// Characters of an id a refusal shows (registry range ids run to ~80).
const ID_CHARS: usize = 200;

/// A closed reporting period, in effect or reopened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClosedPeriod {
    /// The number `period reopen` takes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// First and last day, inclusive (UTC), `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// When it was closed (RFC 3339 UTC), by whom (the OS login) and why.
    pub closed_at: String,
    pub closed_by: String,
    pub reason: String,
    /// Set once it was reopened (then nothing is frozen by it).
    pub reopened_at: Option<String>,
    pub reopened_by: Option<String>,
    pub reopen_reason: Option<String>,
    /// The display name its `period_close` audit record keeps beside the
    /// login (absent when none was set), as `audit` shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub closed_by_name: Option<String>,
    /// The same of its `period_reopen` record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reopened_by_name: Option<String>,
    /// EACs (envelope-only ones included) whose period lies inside it:
    /// frozen by it while it is closed.
    pub eac_count: usize,
}

impl ClosedPeriod {
    /// Still closed (not reopened).
    pub fn is_closed(&self) -> bool {
        self.reopened_at.is_none()
    }

    /// Who closed it, as the audit log shows people: `Ana Lopez (ana)`, or
    /// the login alone.
    pub fn closer(&self) -> String {
        who(&self.closed_by, self.closed_by_name.as_deref())
    }

    /// Who reopened it, as [`ClosedPeriod::closer`]; `None` while closed.
    pub fn reopener(&self) -> Option<String> {
        (self.reopened_by.as_deref()).map(|by| who(by, self.reopened_by_name.as_deref()))
    }
}

/// A person as the audit log shows them: the display name with the OS
/// login beside it (`Ana Lopez (ana)`), or the login alone (no name, or
/// the same).
pub fn who(login: &str, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) if name != login => format!("{name} ({login})"),
        _ => login.to_owned(),
    }
}

/// Who wrote an audit record, as messages name them: [`who`], with the
/// login the server authenticated the writer as when the record was
/// written on a team server (`server_login`) beside it: `ann (server login
/// ann)`, `Ann Lee (ann, server login ann)`. The desk's name and login are
/// what its environment said; the server login is the one it checked, so a
/// desk that called itself `bob` while logged in as `ann` reads `bob
/// (server login ann)`.
pub fn who_logged_in(login: &str, name: Option<&str>, server_login: Option<&str>) -> String {
    let Some(server) = server_login else {
        return who(login, name);
    };
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) if name != login => format!("{name} ({login}, server login {server})"),
        _ => format!("{login} (server login {server})"),
    }
}

/// A period as its audit records keep it (`before`/`after` `period`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PeriodSide {
    pub id: i64,
    pub from: String,
    pub to: String,
}

impl PeriodSide {
    /// How the audit view shows it.
    pub(crate) fn text(&self) -> String {
        format!("period {}: {} to {}", self.id, self.from, self.to)
    }
}

/// A closed period in effect, as instants.
#[derive(Debug, Clone)]
struct Span {
    id: i64,
    from: String,
    to: String,
    /// Whole seconds, for messages.
    closed_at: String,
    closed_by: String,
    reason: String,
    start: Timestamp,
    /// Exclusive: the day after `to`, 00:00 UTC.
    end: Timestamp,
    /// Closed by its audit record while the `closed_periods` table no
    /// longer says so (another program deleted, reopened or narrowed it):
    /// it freezes all the same (decision 283).
    lifted_outside: bool,
}

/// The closed periods in effect and the instants they cover together.
#[derive(Debug, Default)]
struct InEffect {
    spans: Vec<Span>,
    /// Disjoint, sorted; overlapping and adjacent periods merged.
    cover: Vec<(Timestamp, Timestamp)>,
}

impl InEffect {
    fn load(conn: &dyn Db) -> Result<InEffect> {
        let recorded = recorded(conn)?;
        let mut spans = InEffect::table(conn)?;
        // Who closed each, as its refusals say it: with the display name
        // its audit record keeps.
        for s in &mut spans {
            if let Some(r) = closing_record(&recorded, s.id, &s.closed_by) {
                s.closed_by = who(&s.closed_by, r.close.name.as_deref());
            }
        }
        Ok(InEffect::of(with_recorded(spans, &recorded)))
    }

    /// The `closed_periods` rows in effect, without the audit chain's.
    fn table(conn: &dyn Db) -> Result<Vec<Span>> {
        conn.collect(
            "SELECT id, date_from, date_to, closed_at, closed_by, reason
               FROM closed_periods WHERE reopened_at IS NULL
              ORDER BY date_from, date_to, id",
            &[],
            |r| {
                let from: Date = rows::parsed(r, 1, rows::date)?;
                let to: Date = rows::parsed(r, 2, rows::date)?;
                Ok(Span {
                    id: r.get(0)?,
                    from: from.to_string(),
                    to: to.to_string(),
                    closed_at: rows::parsed(r, 3, rows::timestamp)?
                        .as_utc()
                        .format("%Y-%m-%d %H:%M:%S UTC")
                        .to_string(),
                    closed_by: r.get(4)?,
                    reason: r.get(5)?,
                    start: midnight(from),
                    end: day_after(to),
                    lifted_outside: false,
                })
            },
        )
    }

    fn of(mut spans: Vec<Span>) -> InEffect {
        spans.sort_by_key(|s| (s.start, s.end, s.id));
        let mut cover: Vec<(Timestamp, Timestamp)> = Vec::new();
        for s in &spans {
            match cover.last_mut() {
                Some((_, end)) if s.start <= *end => *end = (*end).max(s.end),
                _ => cover.push((s.start, s.end)),
            }
        }
        InEffect { spans, cover }
    }

    /// The periods freezing an EAC of period `[start, end)`: `None` when it
    /// does not lie inside the closed periods, else those it overlaps.
    fn freezing(&self, start: &Timestamp, end: &Timestamp) -> Option<Vec<i64>> {
        let inside = self.cover.iter().any(|(a, b)| a <= start && end <= b);
        inside.then(|| {
            self.spans
                .iter()
                .filter(|s| {
                    (s.start < *end && *start < s.end) || (s.start <= *start && start < &s.end)
                })
                .map(|s| s.id)
                .collect()
        })
    }
}

/// The closed periods in effect, read once for a reader that asks about
/// many EACs without writing anything (the list of imports, whose undo a
/// closed period refuses): the same rule as a write's [`check`].
pub(crate) struct Closed(InEffect);

impl Closed {
    /// `None` when no period is closed (nothing is frozen).
    pub(crate) fn load(conn: &dyn Db) -> Result<Option<Closed>> {
        let in_effect = InEffect::load(conn)?;
        Ok((!in_effect.cover.is_empty()).then_some(Closed(in_effect)))
    }

    /// The periods freezing an EAC of period `[start, end)`, as [`check`]
    /// finds them; `None` when it does not lie inside them.
    pub(crate) fn freezing(&self, start: &Timestamp, end: &Timestamp) -> Option<Vec<i64>> {
        self.0.freezing(start, end)
    }

    /// [`Closed::freezing`] of a period as storage text (an envelope row,
    /// an audit state); `None` too when it does not read (the write
    /// refuses it otherwise, as unreadable).
    pub(crate) fn freezing_stored(&self, start: &str, end: &str) -> Option<Vec<i64>> {
        let read = |t: &str| rows::timestamp(t).or_else(|| Timestamp::parse(t).ok());
        self.freezing(&read(start)?, &read(end)?)
    }

    /// The periods `ids` in words: "period 2 (2024-01-01 to 2024-12-31)",
    /// joined by commas.
    pub(crate) fn named(&self, ids: &[i64]) -> String {
        let mut words: Vec<String> = Vec::new();
        for id in ids {
            if let Some(s) = self.0.spans.iter().find(|s| s.id == *id) {
                let w = format!("period {} ({} to {})", s.id, s.from, s.to);
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
        words.join(", ")
    }
}

/// `spans` (the table's periods in effect) and every period the audit
/// chain closed and did not reopen that the table does not hold in effect
/// with the same days: editing the table does not lift a freeze.
fn with_recorded(mut spans: Vec<Span>, recorded: &[Recorded]) -> Vec<Span> {
    for r in recorded.iter().filter(|r| r.reopen.is_none()) {
        let (Some(from), Some(to)) = (rows::date(&r.from), rows::date(&r.to)) else {
            continue;
        };
        let held = spans
            .iter()
            .any(|s| s.id == r.id && s.from == from.to_string() && s.to == to.to_string());
        if !held {
            spans.push(Span {
                id: r.id,
                from: from.to_string(),
                to: to.to_string(),
                closed_at: rows::timestamp(&r.close.at).map_or_else(
                    || r.close.at.clone(),
                    |t| t.as_utc().format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                ),
                closed_by: who(&r.close.by, r.close.name.as_deref()),
                reason: r.close.reason.clone(),
                start: midnight(from),
                end: day_after(to),
                lifted_outside: true,
            });
        }
    }
    spans
}

/// Who did it, when and why, as an audit record or a `closed_periods` row
/// keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Act {
    /// The audit record (0 for a row's side).
    record: i64,
    at: String,
    by: String,
    reason: String,
    /// The display name an audit record keeps beside `by` (a row keeps
    /// none; not compared by [`Act::same`]).
    name: Option<String>,
}

impl Act {
    /// The same act: the same instant (compared as times when both read
    /// as stored times), user and reason.
    fn same(&self, other: &Act) -> bool {
        let same_at = match (rows::timestamp(&self.at), rows::timestamp(&other.at)) {
            (Some(a), Some(b)) => a == b,
            _ => self.at == other.at,
        };
        same_at && self.by == other.by && self.reason == other.reason
    }
}

/// A period as the audit chain holds it: its `period_close` record and,
/// once reopened, its `period_reopen` record.
#[derive(Debug)]
struct Recorded {
    id: i64,
    from: String,
    to: String,
    close: Act,
    reopen: Option<Act>,
}

/// The `before`/`after` of a period record.
#[derive(Deserialize)]
struct RecordSide {
    period: Option<PeriodSide>,
}

/// The periods the audit chain closed (and reopened), in record order.
fn recorded(conn: &dyn Db) -> Result<Vec<Recorded>> {
    let mut out: Vec<Recorded> = Vec::new();
    conn.each(
        r#"SELECT id, action, "before", "after", at, os_user, reason, display_name FROM audit_log
            WHERE cds_eac_id = '' AND action IN ('period_close', 'period_reopen')
            ORDER BY id"#,
        &[],
        &mut |r| {
            let action: String = r.get(1)?;
            let side: Option<String> = r.get(if action == "period_close" { 3 } else { 2 })?;
            let Some(period) = side
                .and_then(|s| serde_json::from_str::<RecordSide>(&s).ok())
                .and_then(|s| s.period)
            else {
                // Not one EAC Desk wrote; the hashes speak for it.
                return Ok(());
            };
            let act = Act {
                record: r.get(0)?,
                at: r.get::<Option<String>>(4)?.unwrap_or_default(),
                by: r.get::<Option<String>>(5)?.unwrap_or_default(),
                reason: r.get::<Option<String>>(6)?.unwrap_or_default(),
                name: r.get::<Option<String>>(7)?,
            };
            if action == "period_close" {
                out.push(Recorded {
                    id: period.id,
                    from: period.from,
                    to: period.to,
                    close: act,
                    reopen: None,
                });
            } else if let Some(closed) = out
                .iter_mut()
                .rev()
                .find(|c| c.id == period.id && c.reopen.is_none())
            {
                closed.reopen = Some(act);
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// Where the `closed_periods` table and the chain's period records
/// disagree first (decision 283): the audit record the difference is
/// about (0: none; the row was added outside) and what differs. Each
/// `period_close` record has its row with the same days, time, user and
/// reason; a `period_reopen` record, the row's reopening; a row no record
/// closed, or reopened without a record, was written by another program.
pub(crate) fn against_chain(conn: &dyn Db) -> Result<Option<(i64, String)>> {
    let recorded = recorded(conn)?;
    let mut table: Vec<(i64, String, String, Act, Option<Act>)> = Vec::new();
    let sql = format!("SELECT {COLUMNS} FROM closed_periods ORDER BY id");
    conn.each(&sql, &[], &mut |r| {
        let text = |i: usize| -> rusqlite::Result<String> {
            Ok(r.get::<Option<String>>(i)?.unwrap_or_default())
        };
        let reopen = match r.get::<Option<String>>(6)? {
            None if r.get::<Option<String>>(7)?.is_none()
                && r.get::<Option<String>>(8)?.is_none() =>
            {
                None
            }
            at => Some(Act {
                record: 0,
                at: at.unwrap_or_default(),
                by: text(7)?,
                reason: text(8)?,
                name: None,
            }),
        };
        table.push((
            r.get(0)?,
            text(1)?,
            text(2)?,
            Act {
                record: 0,
                at: text(3)?,
                by: text(4)?,
                reason: text(5)?,
                name: None,
            },
            reopen,
        ));
        Ok(())
    })?;
    let outside = "another program changed the closed periods";
    for rec in &recorded {
        let days = format!("{} to {}", rec.from, rec.to);
        let closed = format!(
            "period {} ({days}), closed by audit record {}",
            rec.id, rec.close.record
        );
        let Some((_, from, to, close, reopen)) = table.iter().find(|t| t.0 == rec.id) else {
            return Ok(Some((
                rec.close.record,
                format!(
                    "{closed}, is missing from the closed periods: {outside} and lifted it (the record still freezes its EACs)"
                ),
            )));
        };
        if (from.as_str(), to.as_str()) != (rec.from.as_str(), rec.to.as_str()) {
            return Ok(Some((
                rec.close.record,
                format!(
                    "{closed}, is stored as {from} to {to}: {outside} and changed its days (the record still freezes what it closed)"
                ),
            )));
        }
        if !close.same(&rec.close) {
            return Ok(Some((
                rec.close.record,
                format!(
                    "{closed}, is stored as closed at {} by {} (“{}”): {outside} and changed who closed it, when or why",
                    close.at, close.by, close.reason
                ),
            )));
        }
        match (&rec.reopen, reopen) {
            (None, Some(stored)) => {
                return Ok(Some((
                    rec.close.record,
                    format!(
                        "{closed}, is stored as reopened at {} by {} (“{}”) but no audit record reopened it: {outside} and lifted it (the record still freezes its EACs)",
                        stored.at, stored.by, stored.reason
                    ),
                )))
            }
            (Some(q), stored) if !stored.as_ref().is_some_and(|s| s.same(q)) => {
                return Ok(Some((
                    q.record,
                    format!(
                        "{closed} and reopened by audit record {}, is stored as {}: {outside}",
                        q.record,
                        match stored {
                            Some(s) => format!("reopened at {} by {} (“{}”)", s.at, s.by, s.reason),
                            None => "not reopened".to_owned(),
                        }
                    ),
                )));
            }
            _ => {}
        }
    }
    if let Some((id, from, to, ..)) = table.iter().find(|t| !recorded.iter().any(|r| r.id == t.0)) {
        return Ok(Some((
            0,
            format!(
                "period {id} ({from} to {to}) is in the closed periods but no audit record closed it: {outside} and added it"
            ),
        )));
    }
    Ok(None)
}

/// 00:00 UTC of the day after `d`.
fn day_after(d: Date) -> Timestamp {
    let next = d.as_naive().succ_opt().unwrap_or(chrono::NaiveDate::MAX);
    midnight(Date::from_naive(next))
}

/// One EAC a write would change inside a closed period.
#[derive(Debug)]
struct Hit {
    cds_eac_id: String,
    periods: Vec<i64>,
}

/// What one write found about closed periods: read once, at the first EAC
/// it changes; every frozen EAC it would change, in order, once each.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    in_effect: OnceCell<InEffect>,
    hits: RefCell<Vec<Hit>>,
    /// Why the write changes an EAC (its id), in words the refusal adds
    /// when it names that EAC ([`Guard::explain`]).
    why: RefCell<Vec<(String, String)>>,
}

impl Guard {
    fn in_effect(&self, conn: &dyn Db) -> Result<&InEffect> {
        if let Some(found) = self.in_effect.get() {
            return Ok(found);
        }
        let loaded = InEffect::load(conn)?;
        Ok(self.in_effect.get_or_init(|| loaded))
    }

    /// Says why the write changes the EAC `cds_eac_id` beyond what its
    /// refusal says (a registry document says it was split): a sentence
    /// the refusal ends with when it names that EAC.
    pub(crate) fn explain(&self, cds_eac_id: &str, words: String) {
        self.why.borrow_mut().push((cds_eac_id.to_owned(), words));
    }

    /// The write's outcome, or the refusal when it changed frozen EACs
    /// (a cancel stays a cancel).
    pub(crate) fn settle<T>(&self, out: Result<T>) -> Result<T> {
        let hits = self.hits.borrow();
        if hits.is_empty() || matches!(out, Err(StoreError::Cancelled)) {
            return out;
        }
        let spans = self.in_effect.get().map_or(&[][..], |e| &e.spans[..]);
        let mut refused = refusal(&hits, spans);
        if let StoreError::Frozen { message, .. } = &mut refused {
            for (id, words) in self.why.borrow().iter() {
                if hits.iter().any(|h| h.cds_eac_id == *id) {
                    message.push(' ');
                    message.push_str(words);
                }
            }
        }
        Err(refused)
    }
}

/// The refusal naming the frozen EACs and the closed periods holding them.
fn refusal(hits: &[Hit], spans: &[Span]) -> StoreError {
    let ids: Vec<String> = hits.iter().map(|h| h.cds_eac_id.clone()).collect();
    let mut periods: Vec<i64> = Vec::new();
    for id in hits.iter().flat_map(|h| &h.periods) {
        if !periods.contains(id) {
            periods.push(*id);
        }
    }
    let named = eac_model::words::first_named(
        ids.iter()
            .map(|id| format!("`{}`", eac_model::cap(id, ID_CHARS))),
        MAX_NAMED,
        ids.len(),
    );
    let mut message = if ids.len() == 1 {
        format!(
            "EAC {named} lies in a closed reporting period and cannot be changed; nothing was \
             changed."
        )
    } else {
        format!(
            "{} EACs lie in a closed reporting period and cannot be changed: {named}; nothing \
             was changed.",
            ids.len()
        )
    };
    let them = if ids.len() == 1 { "it" } else { "them" };
    message.push_str(&period_words(&periods, spans, &format!("change {them}")));
    StoreError::Frozen {
        message,
        ids,
        periods,
    }
}

/// The sentences of a refusal naming each closed period of `periods`: its
/// days, who closed it, when and why, and "reopen it with `eacdesk period
/// reopen ID --reason …` to {to_do}." (a period whose row another program
/// lifted: that it still counts and what to do).
fn period_words(periods: &[i64], spans: &[Span], to_do: &str) -> String {
    let mut message = String::new();
    for id in periods {
        // A period whose row another program changed: what its record
        // closed, and that the change does not count.
        let span = spans
            .iter()
            .find(|s| s.id == *id && s.lifted_outside)
            .or_else(|| spans.iter().find(|s| s.id == *id));
        if let Some(s) = span {
            if s.lifted_outside {
                message.push_str(&format!(
                    " Period {} ({} to {}) was closed by {} at {}: “{}”, and the audit log \
                     holds no reopening; another program changed the closed periods table to \
                     lift it, which does not count: `eacdesk audit verify` names the change, \
                     restore the database from a backup.",
                    s.id, s.from, s.to, s.closed_by, s.closed_at, s.reason
                ));
                continue;
            }
            message.push_str(&format!(
                " Period {} ({} to {}) was closed by {} at {}: “{}”; reopen it with \
                 `eacdesk period reopen {} --reason …` to {to_do}.",
                s.id, s.from, s.to, s.closed_by, s.closed_at, s.reason, s.id
            ));
        }
    }
    message
}

/// The closed periods in effect that share an instant with `[start,
/// end)`, by first day: a claim or consumption over those days is part of
/// what was filed. Unlike an EAC, which is frozen
/// only when it lies wholly inside (decision 104), consumption and claims
/// are protected by any day they share: a row straddling the edge was
/// counted in the filed period's figures.
///
/// On a server it first takes the audit chain's lock ([`crate::lock::chain_first`])
/// and only then reads the periods: a period another desk closes commits
/// under that lock, so it is either seen here or closed after this write
/// (read before the lock, at READ COMMITTED, it could be missed).
pub(crate) fn closed_over(w: &Write, start: &Timestamp, end: &Timestamp) -> Result<Vec<i64>> {
    crate::lock::chain_first(w)?;
    let in_effect = w.periods().in_effect(w)?;
    Ok(in_effect
        .spans
        .iter()
        .filter(|s| s.start < *end && *start < s.end)
        .map(|s| s.id)
        .collect())
}

/// [`closed_over`] for stored days that do not parse (a row another program
/// changed): they may be any days, so every closed period in effect covers
/// them (the check fails closed).
pub(crate) fn closed_over_unknown(w: &Write) -> Result<Vec<i64>> {
    crate::lock::chain_first(w)?;
    let in_effect = w.periods().in_effect(w)?;
    Ok(in_effect.spans.iter().map(|s| s.id).collect())
}

/// The `frozen` refusal of a change to claims or consumption over days of
/// the closed periods `periods` ([`closed_over`]): `what` says what cannot
/// be done ("Claim #3 (FY2024) … cannot be deleted"), then, as a frozen
/// EAC's refusal does, "nothing was changed" and each period with how to
/// reopen it to `to_do`. It names no EAC.
pub(crate) fn refuse_closed(w: &Write, periods: &[i64], what: &str, to_do: &str) -> StoreError {
    let spans = w
        .periods()
        .in_effect
        .get()
        .map_or(&[][..], |e| &e.spans[..]);
    let mut ids: Vec<i64> = Vec::new();
    for id in periods {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    let message = format!(
        "{what}; nothing was changed.{}",
        period_words(&ids, spans, to_do)
    );
    StoreError::Frozen {
        message,
        ids: Vec::new(),
        periods: ids,
    }
}

/// Notes that the write `w` adds, changes or removes the EAC `cds_eac_id`
/// whose period is `[start, end)`: the write is refused when it ends if
/// that period lies inside the closed periods.
pub(crate) fn check(w: &Write, cds_eac_id: &str, start: &Timestamp, end: &Timestamp) -> Result<()> {
    let guard = w.periods();
    let in_effect = guard.in_effect(w)?;
    if in_effect.cover.is_empty() {
        return Ok(());
    }
    if let Some(periods) = in_effect.freezing(start, end) {
        let mut hits = guard.hits.borrow_mut();
        if !hits.iter().any(|h| h.cds_eac_id == cds_eac_id) {
            hits.push(Hit {
                cds_eac_id: cds_eac_id.to_owned(),
                periods,
            });
        }
    }
    Ok(())
}

/// [`check`] for the stored EAC in `eacs` row `row` (its period as stored).
pub(crate) fn check_row(w: &Write, row: i64) -> Result<()> {
    if w.periods().in_effect(w)?.cover.is_empty() {
        return Ok(());
    }
    let found = w.db().query_opt(
        "SELECT cds_eac_id, period_start, period_end FROM eacs WHERE id = ?1",
        &[&row],
        |r| Ok(stored_period(r)?),
    )?;
    match found {
        Some((id, start, end)) => check(w, &id, &start, &end),
        None => Ok(()),
    }
}

/// [`check_row`] of several rows in one query (one round trip on a server).
pub(crate) fn check_rows(w: &Write, rows: &[i64]) -> Result<()> {
    if rows.is_empty() || w.periods().in_effect(w)?.cover.is_empty() {
        return Ok(());
    }

    let sql = format!(
        "SELECT cds_eac_id, period_start, period_end FROM eacs WHERE id IN ({})",
        rows::numbered_marks(rows.len())
    );
    let params: Vec<&dyn rusqlite::ToSql> =
        rows.iter().map(|r| r as &dyn rusqlite::ToSql).collect();
    for (id, start, end) in w.db().collect(&sql, &params, |r| Ok(stored_period(r)?))? {
        check(w, &id, &start, &end)?;
    }
    Ok(())
}

/// [`check`] for the stored EAC or envelope-only EAC `cds_eac_id`.
pub(crate) fn check_id(w: &Write, cds_eac_id: &str) -> Result<()> {
    if w.periods().in_effect(w)?.cover.is_empty() {
        return Ok(());
    }
    for sql in [
        "SELECT cds_eac_id, period_start, period_end FROM eacs WHERE cds_eac_id = ?1",
        "SELECT cds_eac_id, period_start, period_end FROM eac_envelopes WHERE cds_eac_id = ?1",
    ] {
        let found = w
            .db()
            .query_opt(sql, &[&cds_eac_id], |r| Ok(stored_period(r)?))?;
        if let Some((id, start, end)) = found {
            check(w, &id, &start, &end)?;
        }
    }
    Ok(())
}

/// [`check`] for a period held as storage text (envelope rows, states).
pub(crate) fn check_stored(w: &Write, cds_eac_id: &str, start: &str, end: &str) -> Result<()> {
    match (rows::timestamp(start), rows::timestamp(end)) {
        (Some(start), Some(end)) => check(w, cds_eac_id, &start, &end),
        _ => Err(StoreError::InvalidInput(format!(
            "the period of `{}` as stored (`{}` to `{}`) is not readable (changed outside EAC \
             Desk); nothing was changed",
            eac_model::quote(cds_eac_id),
            eac_model::quote(start),
            eac_model::quote(end)
        ))),
    }
}

fn stored_period(r: &dyn DbRow) -> rusqlite::Result<(String, Timestamp, Timestamp)> {
    Ok((
        r.get(0)?,
        rows::parsed(r, 1, rows::timestamp)?,
        rows::parsed(r, 2, rows::timestamp)?,
    ))
}

const COLUMNS: &str = "id, date_from, date_to, closed_at, closed_by, reason, reopened_at, \
                       reopened_by, reopen_reason";

/// The audit record that closed period `id` as `by` (the last such),
/// among `recorded`.
fn closing_record<'r>(recorded: &'r [Recorded], id: i64, by: &str) -> Option<&'r Recorded> {
    (recorded.iter().rev()).find(|r| r.id == id && r.close.by == by)
}

/// One `closed_periods` row selected with [`COLUMNS`], how many EACs lie
/// inside it, and the display names its audit records (`recorded`) keep.
fn closed_period(conn: &dyn Db, r: &dyn DbRow, recorded: &[Recorded]) -> Result<ClosedPeriod> {
    let from: Date = rows::parsed(r, 1, rows::date)?;
    let to: Date = rows::parsed(r, 2, rows::date)?;
    let reopened_at: Option<String> = r.get(6)?;
    // The stored width's bound after 9999-12-31 (decision 257): the text
    // of the midnight after it (year 10000 and beyond) would sort below
    // every stored time and count nothing.
    let start = midnight(from).to_storage();
    let end = crate::query::day_after_start(to);
    let eac_count: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM eacs WHERE period_start >= ?1 AND period_end <= ?2)
              + (SELECT COUNT(*) FROM eac_envelopes
                  WHERE period_start >= ?1 AND period_end <= ?2)",
        &[&start, &end],
        |c| Ok(c.get(0)?),
    )?;
    let id: i64 = r.get(0)?;
    let closed_by: String = r.get(4)?;
    let reopened_by: Option<String> = r.get(7)?;
    let closing = closing_record(recorded, id, &closed_by);
    let reopened_by_name = match (closing.and_then(|c| c.reopen.as_ref()), &reopened_by) {
        (Some(act), Some(by)) if act.by == *by => act.name.clone(),
        _ => None,
    };
    Ok(ClosedPeriod {
        id,
        from: from.to_string(),
        to: to.to_string(),
        closed_at: rows::display_time(r, 3)?,
        closed_by_name: closing.and_then(|c| c.close.name.clone()),
        closed_by,
        reason: r.get(5)?,
        reopened_at: reopened_at.map(|t| rows::timestamp(&t).map(|t| t.to_string()).unwrap_or(t)),
        reopened_by,
        reopened_by_name,
        reopen_reason: r.get(8)?,
        eac_count: rows::from_count(eac_count),
    })
}

fn load(conn: &dyn Db, id: i64) -> Result<Option<ClosedPeriod>> {
    let recorded = recorded(conn)?;
    let sql = format!("SELECT {COLUMNS} FROM closed_periods WHERE id = ?1");
    conn.query_opt(&sql, &[&id], |r| closed_period(conn, r, &recorded))
}

fn list(conn: &dyn Db) -> Result<Vec<ClosedPeriod>> {
    let recorded = recorded(conn)?;
    let sql = format!("SELECT {COLUMNS} FROM closed_periods ORDER BY date_from, date_to, id");
    conn.collect(&sql, &[], |r| closed_period(conn, r, &recorded))
}

/// Closes `from`..=`to` through `w`, audited.
fn close(w: &Write, from: Date, to: Date, reason: &Reason, os_user: &str) -> Result<ClosedPeriod> {
    let (from, to) = (from.to_string(), to.to_string());
    let db = w.db();
    // A trigger another tool put on the table could swallow the row.
    crate::chain::refuse_foreign(db)?;
    let same: Option<i64> = db.query_opt(
        "SELECT id FROM closed_periods
          WHERE reopened_at IS NULL AND date_from = ?1 AND date_to = ?2",
        &[&from, &to],
        |r| Ok(r.get(0)?),
    )?;
    if let Some(id) = same {
        if let Some(p) = load(db, id)? {
            return Err(StoreError::InvalidInput(format!(
                "{from} to {to} is already closed (period {id}, closed by {} at {}: “{}”); \
                 nothing was changed.",
                p.closer(),
                p.closed_at,
                p.reason
            )));
        }
    }
    let id: i64 = db.query_row(
        "INSERT INTO closed_periods (date_from, date_to, closed_at, closed_by, reason)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        &[&from, &to, &w.at().to_storage(), &os_user, &reason.as_str()],
        |r| Ok(r.get(0)?),
    )?;
    let side = PeriodSide { id, from, to };
    audit(
        w,
        AuditAction::PeriodClose,
        None,
        Some(side),
        reason,
        os_user,
    )?;
    load(db, id)?.ok_or(StoreError::NoPeriod(id))
}

/// Reopens period `id` through `w`, audited.
fn reopen(w: &Write, id: i64, reason: &Reason, os_user: &str) -> Result<ClosedPeriod> {
    let db = w.db();
    crate::chain::refuse_foreign(db)?;
    let Some(p) = load(db, id)? else {
        return Err(StoreError::NoPeriod(id));
    };
    if let (Some(at), Some(by)) = (&p.reopened_at, p.reopener()) {
        return Err(StoreError::InvalidInput(format!(
            "Period {id} ({} to {}) was already reopened by {by} at {at}: “{}”; nothing was \
             changed. Close it again with `eacdesk period close` if it should be closed.",
            p.from,
            p.to,
            p.reopen_reason.as_deref().unwrap_or("")
        )));
    }
    db.execute(
        "UPDATE closed_periods SET reopened_at = ?2, reopened_by = ?3, reopen_reason = ?4
          WHERE id = ?1",
        &[&id, &w.at().to_storage(), &os_user, &reason.as_str()],
    )?;
    let side = PeriodSide {
        id,
        from: p.from,
        to: p.to,
    };
    audit(
        w,
        AuditAction::PeriodReopen,
        Some(side),
        None,
        reason,
        os_user,
    )?;
    load(db, id)?.ok_or(StoreError::NoPeriod(id))
}

/// The database-level audit record of a close or reopen.
fn audit(
    w: &Write,
    action: AuditAction,
    before: Option<PeriodSide>,
    after: Option<PeriodSide>,
    reason: &Reason,
    os_user: &str,
) -> Result<i64> {
    let side = |period: Option<PeriodSide>| {
        period.map(|p| AuditSide {
            period: Some(p),
            ..AuditSide::of(None)
        })
    };
    edit::insert(
        w,
        AuditEntry {
            cds_eac_id: "",
            action,
            before: side(before),
            after: side(after),
            before_state: None,
            after_state: None,
            reason,
            os_user,
            source_file: None,
            import_batch_id: None,
        },
    )
}

impl Store {
    /// Closes the reporting period `from`..=`to` (whole days, UTC): every
    /// EAC whose period lies inside is frozen until it is reopened.
    /// Audited (`period_close`, with who, when and `reason`). Periods may
    /// overlap (each is its own record); the same days closed twice are
    /// refused.
    pub fn close_period(
        &mut self,
        from: Date,
        to: Date,
        reason: &Reason,
        os_user: &str,
    ) -> Result<ClosedPeriod> {
        if to < from {
            return Err(StoreError::InvalidInput(format!(
                "The period ends ({to}) before it begins ({from}); give the first day as \
                 --from and the last day as --to. Nothing was changed."
            )));
        }
        // On a server database too (decision 220).
        self.write_either(|w| close(w, from, to, reason, os_user))
    }

    /// Reopens closed period `id`: its EACs can be changed again (unless
    /// another closed period holds them). Audited (`period_reopen`).
    pub fn reopen_period(
        &mut self,
        id: i64,
        reason: &Reason,
        os_user: &str,
    ) -> Result<ClosedPeriod> {
        self.write_either(|w| reopen(w, id, reason, os_user))
    }

    /// Every closed period, in effect or reopened, by first day.
    pub fn closed_periods(&self) -> Result<Vec<ClosedPeriod>> {
        list(self.db())
    }

    /// The closed periods freezing the EAC (or envelope-only EAC)
    /// `cds_eac_id`; empty when it can be changed.
    pub fn frozen_by(&self, cds_eac_id: &str) -> Result<Vec<ClosedPeriod>> {
        let conn = self.db();
        let mut found = None;
        for sql in [
            "SELECT cds_eac_id, period_start, period_end FROM eacs WHERE cds_eac_id = ?1",
            "SELECT cds_eac_id, period_start, period_end FROM eac_envelopes WHERE cds_eac_id = ?1",
        ] {
            found = conn.query_opt(sql, &[&cds_eac_id], |r| Ok(stored_period(r)?))?;
            if found.is_some() {
                break;
            }
        }
        let Some((_, start, end)) = found else {
            return Err(StoreError::NotFound(cds_eac_id.to_owned()));
        };
        // The table alone first: the audit chain's periods only add to
        // it (editing the table cannot lift a freeze), so they are read
        // only when the table freezes nothing.
        let table = InEffect::table(conn)?;
        let found = match InEffect::of(table.clone()).freezing(&start, &end) {
            Some(ids) => Some(ids),
            None => InEffect::of(with_recorded(table, &recorded(conn)?)).freezing(&start, &end),
        };
        let Some(ids) = found else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(load(conn, id)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: i64, from: &str, to: &str) -> Span {
        let (f, t) = (Date::parse(from).unwrap(), Date::parse(to).unwrap());
        Span {
            id,
            from: from.into(),
            to: to.into(),
            closed_at: String::new(),
            closed_by: String::new(),
            reason: String::new(),
            start: midnight(f),
            end: day_after(t),
            lifted_outside: false,
        }
    }

    fn t(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn inside_means_the_whole_period_from_the_first_midnight_to_the_day_after_the_last() {
        let year = InEffect::of(vec![span(1, "2024-01-01", "2024-12-31")]);
        let frozen = |a: &str, b: &str| year.freezing(&t(a), &t(b));
        assert_eq!(
            frozen("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
            Some(vec![1])
        );
        assert_eq!(
            frozen("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"),
            Some(vec![1])
        );
        // Straddling either boundary, by one second: not inside.
        assert_eq!(frozen("2023-12-31T23:59:59Z", "2024-01-31T00:00:00Z"), None);
        assert_eq!(frozen("2024-12-01T00:00:00Z", "2025-01-01T00:00:01Z"), None);
        // A local midnight is an instant like any other.
        assert_eq!(
            frozen("2024-01-01T00:00:00+01:00", "2024-02-01T00:00:00Z"),
            None
        );
    }

    #[test]
    fn adjacent_and_overlapping_periods_cover_together_and_are_named() {
        let halves = InEffect::of(vec![
            span(1, "2024-01-01", "2024-06-30"),
            span(2, "2024-07-01", "2024-12-31"),
        ]);
        assert_eq!(
            halves.freezing(&t("2024-06-15T00:00:00Z"), &t("2024-07-15T00:00:00Z")),
            Some(vec![1, 2])
        );
        assert_eq!(
            halves.freezing(&t("2024-02-01T00:00:00Z"), &t("2024-03-01T00:00:00Z")),
            Some(vec![1])
        );
        // A gap between two periods leaves what spans it editable.
        let gap = InEffect::of(vec![
            span(1, "2024-01-01", "2024-06-29"),
            span(2, "2024-07-01", "2024-12-31"),
        ]);
        assert_eq!(
            gap.freezing(&t("2024-06-15T00:00:00Z"), &t("2024-07-15T00:00:00Z")),
            None
        );
    }
}
