//! Counts and totals kept per facet value (migration 0015, decision 217):
//! a filter on one facet (technology, retired state, beneficiary type,
//! source or destination) is counted and summed from a few kept rows, not
//! by looking up the totals of every EAC it matches.

use std::cell::RefCell;
use std::collections::HashMap;

use eac_model::EnergyUnit;

use crate::db::Db;
use crate::rows::parsed;
use crate::write::Write;

use crate::{EacFilter, MatchField, Result};

/// The facet column and value when `filter` picks EACs by exactly one
/// facet value and nothing else (a filter field or a "filter by this
/// value" cell match).
pub(crate) fn single_facet(filter: &EacFilter) -> Option<(&'static str, String)> {
    match <[_; 1]>::try_from(picked_facets(filter)?) {
        Ok([one]) => Some(one),
        Err(_) => None,
    }
}

/// The facet columns and values `filter` picks EACs by when it picks them
/// by facet values only (filter fields and "filter by this value" cell
/// matches); `None` when anything else filters.
fn picked_facets(filter: &EacFilter) -> Option<Vec<(&'static str, String)>> {
    if has_period(filter) {
        return None;
    }
    picked_facets_and_period(filter)
}

/// Whether `filter` picks EACs by their period (`from`, `to`).
fn has_period(filter: &EacFilter) -> bool {
    let given = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    given(&filter.from) || given(&filter.to)
}

/// [`picked_facets`], a period allowed beside the facet values.
fn picked_facets_and_period(filter: &EacFilter) -> Option<Vec<(&'static str, String)>> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if !blank(&filter.search)
        || filter.missing_emissions.is_some()
        || filter.incomplete.is_some()
        || filter.ids.is_some()
        || filter
            .exclude_ids
            .as_ref()
            .is_some_and(|ids| !ids.is_empty())
    {
        return None;
    }
    let mut picked: Vec<(&'static str, String)> = Vec::new();
    if let Some(t) = filter.technology {
        picked.push(("technology_type", t.as_str().to_owned()));
    }
    if let Some(r) = filter.retired {
        picked.push(("retired_state", r.as_str().to_owned()));
    }
    if let Some(b) = filter.beneficiary_type {
        picked.push(("beneficiary_type", b.as_str().to_owned()));
    }
    // A value whose accents can be written more than one way picks the
    // EACs of each spelling (`query::push_equal`): several kept rows, so
    // the totals are summed from the matches instead.
    let one_spelling = |v: &str| crate::fold::spellings(v).len() == 1;
    if let Some(s) = &filter.source {
        if !one_spelling(s) {
            return None;
        }
        picked.push(("source_id", s.clone()));
    }
    if let Some(d) = &filter.destination {
        if !one_spelling(d) {
            return None;
        }
        picked.push(("destination_id", d.clone()));
    }
    for m in filter.matches.iter().flatten() {
        let facet = match m.field {
            MatchField::Technology => "technology_type",
            MatchField::Retired => "retired_state",
            MatchField::BeneficiaryType => "beneficiary_type",
            MatchField::Source => "source_id",
            MatchField::Destination => "destination_id",
            _ => return None,
        };
        match (&m.value, m.exclude) {
            (Some(value), false) if one_spelling(value) => picked.push((facet, value.clone())),
            _ => return None,
        }
    }
    Some(picked)
}

/// What is kept for one facet value: the number of EACs, and the sums per
/// unit and scale of their totals that fit in 64 bits (`None` when one of
/// those sums did not: the caller sums from the totals instead).
pub(crate) struct Kept {
    pub count: i64,
    pub sums: Option<Vec<(EnergyUnit, i64, i64)>>,
}

/// The kept count and sums of `facet` = `value`.
pub(crate) fn kept(conn: &dyn Db, facet: &str, value: &str) -> Result<Kept> {
    let count = kept_count(conn, facet, value)?;
    let rows = conn.collect(
        "SELECT unit, scale, mantissa FROM eac_facets_kept
         WHERE facet = ?1 AND value = ?2 AND unit > '' AND summed > 0 ORDER BY unit, scale",
        &[&facet, &value],
        |r| {
            Ok((
                parsed(r, 0, EnergyUnit::parse)?,
                r.get::<i64>(1)?,
                r.get::<Option<i64>>(2)?,
            ))
        },
    )?;
    let mut sums = Some(Vec::new());
    for (unit, scale, mantissa) in rows {
        match (mantissa, sums.as_mut()) {
            (Some(m), Some(s)) => s.push((unit, scale, m)),
            _ => sums = None,
        }
    }
    Ok(Kept { count, sums })
}

/// What is kept for the EACs whose period overlaps that of `filter`, when
/// `filter` picks EACs by their period alone (decision 227): the kept rows
/// of every period it overlaps, added up. `None` for any other filter.
pub(crate) fn kept_period(conn: &dyn Db, filter: &EacFilter) -> Result<Option<Kept>> {
    if !has_period(filter) || !picked_facets_and_period(filter).is_some_and(|p| p.is_empty()) {
        return Ok(None);
    }
    let (after, before) = crate::query::period_bounds(filter)?;
    // The start is the value's first 30 characters: it is before `before`
    // exactly when the value is (the bound is 30 characters long too).
    let mut sql = crate::query::Sql::on(
        conn,
        "SELECT unit, scale, summed, mantissa FROM eac_facets_kept
         WHERE facet = 'period' AND summed > 0",
    );
    if let Some(before) = before {
        sql.push(" AND value < ").bind(before);
    }
    if let Some(after) = after {
        sql.push(&format!(" AND substr(value, {}) > ", STORED_TIME_LEN + 2))
            .bind(after);
    }
    let rows = conn.collect(&sql.text, &sql.args(), |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<i64>(1)?,
            r.get::<i64>(2)?,
            r.get::<Option<i64>>(3)?,
        ))
    })?;
    let mut count = 0i64;
    // (unit, scale, sum); None once a period's sum is unknown.
    let mut sums: Option<Vec<(EnergyUnit, i64, i128)>> = Some(Vec::new());
    for (unit, scale, summed, mantissa) in rows {
        if unit.is_empty() {
            count += summed;
            continue;
        }
        let unit = EnergyUnit::parse(&unit).ok_or_else(|| {
            crate::StoreError::InvalidInput(format!("a kept total has no known unit: `{unit}`"))
        })?;
        match (mantissa, sums.as_mut()) {
            (Some(m), Some(groups)) => {
                match groups.iter_mut().find(|g| g.0 == unit && g.1 == scale) {
                    Some(group) => group.2 += i128::from(m),
                    None => groups.push((unit, scale, i128::from(m))),
                }
            }
            _ => sums = None,
        }
    }
    // A sum of periods beyond 64 bits: summed from the totals instead.
    let sums = sums.and_then(|groups| {
        groups
            .into_iter()
            .map(|(unit, scale, sum)| i64::try_from(sum).ok().map(|sum| (unit, scale, sum)))
            .collect()
    });
    Ok(Some(Kept { count, sums }))
}

/// For a page of a filter by facet values: the facet columns whose index
/// should not answer the filter (none: empty), so that SQLite reads the
/// EACs in the sort's order and stops at the page's end, when that visits
/// fewer EACs than fetching every match and sorting them would. SQLite's
/// planner cannot weigh the two (it takes an equality on an indexed column
/// for a narrow one): `ls --retired no` on a million EACs sorted half a
/// million rows (1.2 s) for a page of 50. Reading in order visits about
/// (offset + limit) × all ÷ matching EACs, fetching visits the matching
/// ones. One facet's matches are kept; those of several are counted
/// (their covering index answers it: 0.1 s for 142,496 of a million).
///
/// A count of several facets (or of a period) scans the covering index:
/// `memo`, the last filter counted (by the summary or a page) while the
/// data is unchanged, spares the next page of the same filter that scan.
pub(crate) fn read_in_sort_order(
    conn: &dyn Db,
    filter: &EacFilter,
    offset: usize,
    limit: usize,
    memo: Option<Memo<'_>>,
) -> Result<Vec<&'static str>> {
    // A period alone is left to the planner (it reads the sort's index
    // and stops early when the period is broad, and counting it would cost
    // a scan of the facet index); beside facet values it is not.
    let Some(picked) = picked_facets_and_period(filter).filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let period = has_period(filter);
    let matching: i64 = match picked.as_slice() {
        [(facet, value)] if !period => kept_count(conn, facet, value)?,
        _ => count_matching(conn, filter, memo)?,
    };
    let all = kept_all(conn)?;
    let wanted = i128::try_from(offset.saturating_add(limit)).unwrap_or(i128::MAX);
    let visits_in_order = wanted.saturating_mul(i128::from(all));
    let visits_fetching = i128::from(matching) * i128::from(matching);
    Ok(if visits_in_order < visits_fetching {
        let mut columns: Vec<&'static str> = picked.into_iter().map(|(facet, _)| facet).collect();
        if period {
            columns.extend(["period_start", "period_end"]);
        }
        columns
    } else {
        Vec::new()
    })
}

/// For a page of a filter by its period alone, or of incomplete EACs or
/// EACs missing an emission factor alone: whether that filter's own index should find the matches (which
/// are then sorted) rather than the sort's index be read until the page is
/// full (decision 227). SQLite's planner, which has no statistics, always
/// reads in sort order: right for a broad filter, a scan of every EAC for
/// a narrow or empty one (0.24 s at a million EACs for a period before any
/// EAC, 0.3 s for "incomplete" when none is). The kept period rows count a
/// period's matches, the partial index `eacs_incomplete` the others (they
/// are all incomplete; counted only as far as the choice needs); the choice weighs visits
/// as [`read_in_sort_order`] does.
pub(crate) fn through_filter_index(
    conn: &dyn Db,
    filter: &EacFilter,
    offset: usize,
    limit: usize,
) -> Result<bool> {
    let wanted = i128::try_from(offset.saturating_add(limit)).unwrap_or(i128::MAX);
    // Fetching and sorting `n` matches visits fewer EACs than reading in
    // sort order when n² ≤ wanted × all.
    let fetch =
        |n: i64, all: i64| wanted.saturating_mul(i128::from(all)) >= i128::from(n) * i128::from(n);
    if let Some(kept) = kept_period(conn, filter)? {
        return Ok(fetch(kept.count, kept_all(conn)?));
    }
    // Incomplete EACs, EACs missing an emission factor (all incomplete), or
    // both, and nothing else.
    let wants = |flag: Option<bool>| flag.is_none_or(|f| f);
    let by_missing = (filter.incomplete.is_some() || filter.missing_emissions.is_some())
        && wants(filter.incomplete)
        && wants(filter.missing_emissions)
        && EacFilter {
            incomplete: None,
            missing_emissions: None,
            ..filter.clone()
        } == EacFilter::default();
    if by_missing {
        let all = kept_all(conn)?;
        // Counted no further than the largest count that fetches, plus one.
        let bound = i64::try_from(isqrt(wanted.saturating_mul(i128::from(all))))
            .unwrap_or(i64::MAX)
            .saturating_add(1);
        let mut count = crate::query::Sql::on(conn, "SELECT count(*) FROM (SELECT 1 FROM eacs e");
        crate::query::push_filter(&mut count, filter)?;
        count.push(" LIMIT ").bind(bound).push(")");
        let n: i64 = conn.query_row(&count.text, &count.args(), |r| Ok(r.get(0)?))?;
        return Ok(fetch(n, all));
    }
    Ok(false)
}

/// The integer square root (the largest r with r² ≤ n; 0 for n ≤ 0), by
/// Newton's steps on integers.
fn isqrt(n: i128) -> i128 {
    if n <= 0 {
        return 0;
    }
    let (mut x, mut y) = (n, (n + 1) / 2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

/// What a SQLite store's data is at: `PRAGMA data_version` (changes when
/// another connection commits) and the connection's own total of changed
/// rows. Equal versions: the same data.
pub(crate) type Version = (i64, u64);

/// The exact count of the last filter counted on a store's connection,
/// with the [`Version`] read before counting (a write meanwhile makes it
/// older, never newer, so it is only ever counted again). It only chooses
/// how a page is read ([`read_in_sort_order`]), never which rows it holds.
#[derive(Debug, Default)]
pub(crate) struct Counted(RefCell<Option<(EacFilter, Version, i64)>>);

/// A store's [`Counted`] and the connection whose data it counts. The
/// version is read only by a filter that counts.
#[derive(Clone, Copy)]
pub(crate) struct Memo<'a> {
    pub(crate) counted: &'a Counted,
    pub(crate) conn: &'a rusqlite::Connection,
}

impl Memo<'_> {
    /// The data's version now: read it before counting.
    pub(crate) fn version(&self) -> Result<Version> {
        let data = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?;
        Ok((data, self.conn.total_changes()))
    }

    /// The count of `filter`, if it was the last counted and nothing changed.
    pub(crate) fn get(&self, filter: &EacFilter) -> Result<Option<i64>> {
        let kept = match &*self.counted.0.borrow() {
            Some((f, version, n)) if f == filter => Some((*version, *n)),
            _ => None,
        };
        Ok(match kept {
            Some((version, n)) if version == self.version()? => Some(n),
            _ => None,
        })
    }

    /// Keeps `n` as the count of `filter` at version `at` (read before counting).
    pub(crate) fn put(&self, filter: &EacFilter, at: Version, n: i64) {
        *self.counted.0.borrow_mut() = Some((filter.clone(), at, n));
    }
}

/// The exact number of EACs `filter` matches, from the covering index
/// (facet values and a period are all in it), or `memo`'s.
fn count_matching(conn: &dyn Db, filter: &EacFilter, memo: Option<Memo<'_>>) -> Result<i64> {
    if let Some(known) = memo.map(|m| m.get(filter)).transpose()?.flatten() {
        return Ok(known);
    }
    let at = memo.map(|m| m.version()).transpose()?;
    let mut count = crate::query::Sql::on(
        conn,
        "SELECT count(*) FROM eacs e INDEXED BY eacs_by_facets",
    );
    crate::query::push_filter(&mut count, filter)?;
    let n = conn.query_row(&count.text, &count.args(), |r| Ok(r.get(0)?))?;
    if let (Some(m), Some(at)) = (memo, at) {
        m.put(filter, at, n);
    }
    Ok(n)
}

/// The number of EACs, from the kept counts: every EAC has a retired
/// state, so theirs add up to all EACs.
pub(crate) fn kept_all(conn: &dyn Db) -> Result<i64> {
    conn.query_row(
        "SELECT coalesce(sum(summed), 0) FROM eac_facets_kept
         WHERE facet = 'retired_state' AND unit = '' AND scale = 0",
        &[],
        |r| Ok(r.get(0)?),
    )
}

fn kept_count(conn: &dyn Db, facet: &str, value: &str) -> Result<i64> {
    Ok(conn
        .query_opt(
            "SELECT summed FROM eac_facets_kept
             WHERE facet = ?1 AND value = ?2 AND unit = '' AND scale = 0",
            &[&facet, &value],
            |r| Ok(r.get(0)?),
        )?
        .unwrap_or(0))
}

/// The kept numbers of a fresh load, tallied on the store's connection
/// thread as each EAC is inserted and written by [`Tally::write`]: the
/// facet counts and sums (cheaper than any pass over the stored rows at
/// the end: a rebuild in SQL cost 2.6 s at 100k EACs), and the whole
/// portfolio's value count, totals and highest version (migrations
/// 0012–0014), whose insert triggers a fresh load drops too
/// ([`INSERT_TRIGGERS`]): they ran a statement per EAC and per total.
/// A load that also replaces or deletes an EAC marks it stale: the facet
/// table is then rebuilt from the rows (the portfolio's numbers are added
/// to what the kept delete and update triggers left).
#[derive(Default)]
pub(crate) struct Tally {
    /// Per facet (in [`FACETS`] order): value → index in `groups`.
    values: [HashMap<String, usize>; 6],
    /// (facet, value, EACs, sums per unit and scale).
    groups: Vec<(usize, String, i64, Vec<Sum>)>,
    stale: bool,
    /// Values of the EACs inserted.
    value_count: i64,
    /// Their totals per unit and scale (those that fit in 64 bits).
    totals: Vec<Sum>,
    /// The highest version given (`eac_counts_kept.version_high` at the
    /// start, then one more per EAC inserted: [`Tally::next_version`]).
    version_high: i64,
}

/// The whole portfolio's insert triggers a fresh load drops besides the
/// facets' ([`TRIGGER_PREFIX`]); [`Tally`] does their work.
pub(crate) const INSERT_TRIGGERS: [&str; 2] = ["eac_counts_kept_insert", "eac_totals_kept_insert"];

/// A tallied sum: unit, scale, rows summed, their mantissas' sum.
type Sum = (EnergyUnit, i64, i64, i128);

/// The kept facets: `eacs` columns, and the period (migration 0016:
/// `period_start`, '/', `period_end`).
const FACETS: [&str; 6] = [
    "technology_type",
    "retired_state",
    "beneficiary_type",
    "source_id",
    "destination_id",
    PERIOD,
];

/// The facet of the period (migration 0016, decision 227).
const PERIOD: &str = "period";

/// The length of a stored time (`Timestamp::to_storage`): a kept period's
/// value is its start, '/', its end.
const STORED_TIME_LEN: usize = 30;

impl Tally {
    /// A tally starting from the store's highest version so far.
    pub(crate) fn start(w: &Write) -> Result<Tally> {
        let version_high =
            w.query_row("SELECT version_high FROM eac_counts_kept", [], |r| r.get(0))?;
        Ok(Tally {
            version_high,
            ..Tally::default()
        })
    }

    /// The version of the next EAC inserted: the next change number, as
    /// the dropped trigger would have counted it (`version_high` + 1).
    pub(crate) fn next_version(&mut self) -> i64 {
        self.version_high += 1;
        self.version_high
    }

    /// Counts an EAC inserted with these facet values (in [`FACETS`]
    /// order), this many values and totals `(unit, mantissa, scale)` that
    /// fit in 64 bits.
    pub(crate) fn add(
        &mut self,
        facets: [Option<&str>; 6],
        value_count: i64,
        totals: impl Iterator<Item = (EnergyUnit, i64, i64)> + Clone,
    ) {
        self.value_count += value_count;
        add_sums(&mut self.totals, totals.clone());
        for (facet, value) in facets.into_iter().enumerate() {
            let Some(value) = value else { continue };
            let at = match self.values[facet].get(value) {
                Some(at) => *at,
                None => {
                    self.groups.push((facet, value.to_owned(), 0, Vec::new()));
                    self.values[facet].insert(value.to_owned(), self.groups.len() - 1);
                    self.groups.len() - 1
                }
            };
            let group = &mut self.groups[at];
            group.2 += 1;
            add_sums(&mut group.3, totals.clone());
        }
    }

    /// The load changed a stored EAC: the tally no longer says it all.
    pub(crate) fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Writes the tallied rows over the table (or rebuilds it from the
    /// stored rows when the tally is stale).
    pub(crate) fn write(self, w: &Write) -> Result<()> {
        // Added to what is kept: the delete and update triggers stayed.
        w.execute(
            "UPDATE eac_counts_kept SET \"values\" = \"values\" + ?1,
                 version_high = max(version_high, ?2)",
            rusqlite::params![self.value_count, self.version_high],
        )?;
        let mut stmt = w.prepare_cached(
            "INSERT INTO eac_totals_kept (unit, scale, summed, mantissa) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (unit, scale) DO UPDATE SET
                 summed = summed + excluded.summed,
                 mantissa = CASE WHEN typeof(mantissa + excluded.mantissa) = 'integer'
                                 THEN mantissa + excluded.mantissa END",
        )?;
        for (unit, scale, summed, sum) in &self.totals {
            // Beyond 64 bits: unknown, summed from the totals.
            let mantissa = i64::try_from(*sum).ok();
            stmt.execute(rusqlite::params![unit.as_str(), scale, summed, mantissa])?;
        }
        drop(stmt);
        if self.stale {
            return rebuild(w);
        }
        w.execute_batch("DELETE FROM eac_facets_kept")?;
        let mut stmt = w.prepare_cached(
            "INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (facet, value, count, sums) in &self.groups {
            let facet = FACETS[*facet];
            stmt.execute(rusqlite::params![facet, value, "", 0, count, None::<i64>])?;
            for (unit, scale, summed, sum) in sums {
                // Beyond 64 bits: unknown, summed from the totals.
                let mantissa = i64::try_from(*sum).ok();
                stmt.execute(rusqlite::params![
                    facet,
                    value,
                    unit.as_str(),
                    scale,
                    summed,
                    mantissa
                ])?;
            }
        }
        Ok(())
    }
}

/// Adds totals `(unit, mantissa, scale)` to `sums`.
fn add_sums(sums: &mut Vec<Sum>, totals: impl Iterator<Item = (EnergyUnit, i64, i64)>) {
    for (unit, mantissa, scale) in totals {
        match sums.iter_mut().find(|g| g.0 == unit && g.1 == scale) {
            Some(sum) => {
                sum.2 += 1;
                sum.3 += i128::from(mantissa);
            }
            None => sums.push((unit, scale, 1, i128::from(mantissa))),
        }
    }
}

/// The triggers that keep the table; a fresh load drops them and
/// tallies it ([`Tally`]) and writes it once at its end.
pub(crate) const TRIGGER_PREFIX: &str = "eac_facets_kept_";

/// Fills the table from the stored EACs (as migration 0015 did): counts,
/// then sums in two halves that cannot overflow, put together with the
/// triggers' 64-bit check.
pub(crate) fn rebuild(w: &Write) -> Result<()> {
    w.execute_batch(
        "DELETE FROM eac_facets_kept;
         INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
         SELECT facet, value, '', 0, count(*), NULL FROM eac_facet_values GROUP BY facet, value;
         INSERT INTO eac_facets_kept (facet, value, unit, scale, summed, mantissa)
         SELECT facet, value, unit, scale, n,
                CASE WHEN typeof(high * 4294967296 + low) = 'integer'
                     THEN high * 4294967296 + low END
         FROM (
             SELECT f.facet, f.value, t.unit, t.scale, count(*) AS n,
                    sum(t.mantissa / 4294967296) AS high, sum(t.mantissa % 4294967296) AS low
             FROM eac_facet_values f JOIN eac_totals t ON t.eac_id = f.id
             WHERE t.mantissa IS NOT NULL
             GROUP BY f.facet, f.value, t.unit, t.scale
         );",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldMatch;
    use eac_model::RetiredState;

    #[test]
    fn a_count_is_reused_only_for_the_same_filter_on_unchanged_data() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        let counted = Counted::default();
        let memo = Memo {
            counted: &counted,
            conn: &conn,
        };
        let no = EacFilter {
            retired: Some(RetiredState::No),
            from: Some("2023-01-01".into()),
            ..Default::default()
        };
        let yes = EacFilter {
            retired: Some(RetiredState::Yes),
            ..no.clone()
        };
        assert_eq!(memo.get(&no).unwrap(), None);
        memo.put(&no, memo.version().unwrap(), 7);
        assert_eq!(memo.get(&no).unwrap(), Some(7));
        assert_eq!(memo.get(&yes).unwrap(), None);
        // A row changed by this connection.
        let before = memo.version().unwrap();
        conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_eq!(memo.get(&no).unwrap(), None);
        // A count whose version was read before a write is never taken.
        memo.put(&no, before, 7);
        assert_eq!(memo.get(&no).unwrap(), None);
        memo.put(&no, memo.version().unwrap(), 8);
        assert_eq!(memo.get(&no).unwrap(), Some(8));
        // Another connection's commit.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute("INSERT INTO t VALUES (2)", [])
            .unwrap();
        assert_eq!(memo.get(&no).unwrap(), None);
        // Only the last filter counted is kept.
        memo.put(&no, memo.version().unwrap(), 8);
        memo.put(&yes, memo.version().unwrap(), 3);
        assert_eq!(memo.get(&no).unwrap(), None);
        assert_eq!(memo.get(&yes).unwrap(), Some(3));
    }

    #[test]
    fn the_stores_version_moves_with_its_own_writes_and_other_connections_commits() {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut store = crate::Store::open(&path).unwrap();
        let now = |store: &crate::Store| store.memo().expect("a file's memo").version().unwrap();
        let empty = now(&store);
        assert_eq!(now(&store), empty, "reading changes nothing");
        store
            .import_file(
                &fixtures.join("canonical-p1.json"),
                crate::ImportOptions::default(),
                &crate::NoProgress,
            )
            .unwrap();
        let imported = now(&store);
        assert_ne!(imported, empty);
        // The summary of a filter no kept row answers leaves its count for
        // the page; a page that counts leaves its own.
        let memo = store.memo().unwrap();
        let retired_since = EacFilter {
            retired: Some(RetiredState::Yes),
            from: Some("2020-01-01".into()),
            ..Default::default()
        };
        let n = store.summary(&retired_since).unwrap().count;
        assert_eq!(
            memo.get(&retired_since).unwrap(),
            Some(crate::rows::count(n))
        );
        let two = EacFilter {
            technology: Some(eac_model::TechnologyType::Wind),
            ..retired_since.clone()
        };
        store
            .browse(&crate::BrowseQuery {
                filter: two.clone(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            memo.get(&two).unwrap(),
            Some(crate::rows::count(store.summary(&two).unwrap().count))
        );
        // Another program's commit.
        let other = rusqlite::Connection::open(&path).unwrap();
        other
            .execute("UPDATE eacs SET cds_modified = cds_modified", [])
            .unwrap();
        assert_ne!(now(&store), imported);
    }

    fn kept_counts(counts: &[(&str, &str, i64)]) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE eac_facets_kept (facet TEXT, value TEXT, unit TEXT, scale INTEGER,
                 summed INTEGER, mantissa INTEGER)",
        )
        .unwrap();
        for (facet, value, n) in counts {
            conn.execute(
                "INSERT INTO eac_facets_kept VALUES (?1, ?2, '', 0, ?3, NULL)",
                rusqlite::params![facet, value, n],
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn only_one_facet_value_and_nothing_else_is_a_single_facet() {
        let retired = EacFilter {
            retired: Some(RetiredState::No),
            ..Default::default()
        };
        assert_eq!(
            single_facet(&retired),
            Some(("retired_state", "no".to_owned()))
        );
        let blank_search = EacFilter {
            search: Some("  ".into()),
            exclude_ids: Some(Vec::new()),
            ..retired.clone()
        };
        assert!(
            single_facet(&blank_search).is_some(),
            "blank terms filter nothing"
        );
        for not_single in [
            EacFilter::default(),
            EacFilter {
                source: Some("S".into()),
                ..retired.clone()
            },
            EacFilter {
                search: Some("x".into()),
                ..retired.clone()
            },
            EacFilter {
                ids: Some(Vec::new()),
                ..retired.clone()
            },
            EacFilter {
                matches: Some(vec![FieldMatch {
                    field: MatchField::Source,
                    value: Some("S".into()),
                    exclude: true,
                }]),
                ..Default::default()
            },
        ] {
            assert_eq!(single_facet(&not_single), None, "{not_single:?}");
        }
        let cell = EacFilter {
            matches: Some(vec![FieldMatch {
                field: MatchField::Destination,
                value: Some("D".into()),
                exclude: false,
            }]),
            ..Default::default()
        };
        assert_eq!(
            single_facet(&cell),
            Some(("destination_id", "D".to_owned()))
        );
    }

    #[test]
    fn a_broad_filter_is_read_in_sort_order_and_a_narrow_one_through_its_index() {
        // A million EACs, half of them not retired, 200 from source S.
        let conn = kept_counts(&[
            ("retired_state", "no", 500_000),
            ("retired_state", "yes", 500_000),
            ("source_id", "S", 200),
        ]);
        let not_retired = EacFilter {
            retired: Some(RetiredState::No),
            ..Default::default()
        };
        let from_s = EacFilter {
            source: Some("S".into()),
            ..Default::default()
        };
        let plan = |filter: &EacFilter, offset: usize, limit: usize| {
            read_in_sort_order(&conn, filter, offset, limit, None).unwrap()
        };
        assert_eq!(plan(&not_retired, 0, 50), ["retired_state"]);
        // Deep pages visit fewer EACs by fetching and sorting the matches.
        assert!(plan(&not_retired, 400_000, 50).is_empty());
        assert!(plan(&from_s, 0, 50).is_empty());
        assert!(plan(&EacFilter::default(), 0, 50).is_empty());
        // A value no EAC has: its index finds nothing at once.
        let none = EacFilter {
            source: Some("nowhere".into()),
            ..Default::default()
        };
        assert!(plan(&none, 0, 50).is_empty());
    }

    #[test]
    fn integer_square_roots_are_exact() {
        for n in [
            0i128,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            50_000_000,
            i128::from(i64::MAX),
        ] {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}: {r}");
        }
        assert_eq!(isqrt(-5), 0);
    }

    #[test]
    fn few_incomplete_eacs_are_found_through_their_index_and_many_read_in_sort_order() {
        // A million EACs (the kept retired states count them all).
        let conn = kept_counts(&[("retired_state", "no", 1_000_000)]);
        conn.execute_batch(
            "CREATE TABLE eacs (id INTEGER PRIMARY KEY, missing TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
             INSERT INTO eacs (id, missing) SELECT i, NULL FROM n;",
        )
        .unwrap();
        let incomplete = EacFilter {
            incomplete: Some(true),
            ..Default::default()
        };
        let through_index =
            |filter: &EacFilter| through_filter_index(&conn, filter, 0, 50).unwrap();
        // None incomplete: their index finds that at once.
        assert!(through_index(&incomplete));
        conn.execute_batch("UPDATE eacs SET missing = '[\"x\"]' WHERE id <= 7000")
            .unwrap();
        // 7,000 of a million: 7,000² ≤ 50 × 1,000,000.
        assert!(through_index(&incomplete));
        conn.execute_batch("UPDATE eacs SET missing = '[\"x\"]' WHERE id <= 7100")
            .unwrap();
        assert!(!through_index(&incomplete));
        // Deeper pages fetch sooner; another filter beside it: the planner's.
        assert!(through_filter_index(&conn, &incomplete, 5_000, 50).unwrap());
        let with_search = EacFilter {
            search: Some("x".into()),
            ..incomplete.clone()
        };
        assert!(!through_index(&with_search));
        let complete = EacFilter {
            incomplete: Some(false),
            ..Default::default()
        };
        assert!(!through_index(&complete));
        // EACs missing an emission factor are among the incomplete ones.
        conn.execute_batch(
            "ALTER TABLE eacs ADD COLUMN emissions_factor_direct TEXT DEFAULT '0';
             ALTER TABLE eacs ADD COLUMN emissions_factor_lca TEXT DEFAULT '0';
             UPDATE eacs SET emissions_factor_lca = NULL WHERE id <= 10;",
        )
        .unwrap();
        let no_factor = EacFilter {
            missing_emissions: Some(true),
            ..Default::default()
        };
        assert!(through_index(&no_factor));
        assert!(through_index(&EacFilter {
            incomplete: Some(true),
            ..no_factor.clone()
        }));
        conn.execute_batch("UPDATE eacs SET emissions_factor_lca = NULL WHERE id <= 7100")
            .unwrap();
        assert!(!through_index(&no_factor));
    }

    #[test]
    fn a_narrow_period_is_found_through_its_index_and_a_broad_one_read_in_sort_order() {
        // A million EACs: 300,000 in 2022 (monthly), 100 in 2019, none before.
        let start = |month: u32, year: i32| format!("{year}-{month:02}-01T00:00:00.000000000Z");
        let mut counts: Vec<(&str, String, i64)> = vec![
            ("retired_state", "no".into(), 999_000),
            ("retired_state", "yes".into(), 1_000),
            (
                "period",
                format!("{}/{}", start(6, 2019), start(7, 2019)),
                100,
            ),
        ];
        for month in 1..=12 {
            let end = if month == 12 {
                start(1, 2023)
            } else {
                start(month + 1, 2022)
            };
            counts.push(("period", format!("{}/{end}", start(month, 2022)), 25_000));
        }
        let counts: Vec<(&str, &str, i64)> = counts
            .iter()
            .map(|(f, v, n)| (*f, v.as_str(), *n))
            .collect();
        let conn = kept_counts(&counts);
        let period = |from: Option<&str>, to: Option<&str>| EacFilter {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
            ..Default::default()
        };
        let through_index = |filter: &EacFilter, offset: usize| {
            through_filter_index(&conn, filter, offset, 50).unwrap()
        };
        let year = period(Some("2022-01-01"), Some("2022-12-31"));
        assert_eq!(kept_period(&conn, &year).unwrap().unwrap().count, 300_000);
        assert!(!through_index(&year, 0));
        // Deep in a broad period: fetching and sorting visits fewer.
        assert!(through_index(&year, 290_000));
        let before = period(None, Some("2019-12-31"));
        assert_eq!(kept_period(&conn, &before).unwrap().unwrap().count, 100);
        assert!(through_index(&before, 0));
        let none = period(None, Some("2018-12-31"));
        assert_eq!(kept_period(&conn, &none).unwrap().unwrap().count, 0);
        assert!(through_index(&none, 0));
        // Not a period alone: the planner's choice, as before.
        let with_facet = EacFilter {
            retired: Some(RetiredState::No),
            ..before.clone()
        };
        assert!(kept_period(&conn, &with_facet).unwrap().is_none());
        assert!(!through_index(&with_facet, 0));
    }
}
