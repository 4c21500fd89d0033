//! A small SQL builder for browse, totals, bulk edits and export: filters
//! become `WHERE` terms with bound parameters only (no user text ever enters
//! the SQL string), sort orders come from a fixed table.

use chrono::NaiveTime;
use eac_model::{Date, Timestamp};
use rusqlite::types::Value;

use crate::db::{Db, Kind};

use crate::{
    EacFilter, FieldMatch, FilterProblem, MatchField, Result, SortField, SortSpec, StoreError,
};

/// SQL text and the parameters bound to its `?` placeholders, in order.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Value>,
    /// Facet or period columns whose filter terms [`push_filter`] writes so that no
    /// index answers them (`+e.column`): the page of a broad facet filter
    /// is then read in sort order, stopping at the page's end, instead of
    /// fetching and sorting every match (see `browse::browse`).
    pub unindexed: Vec<&'static str>,
    /// The SQL the text is written in (a search and a list of ids are
    /// written differently on PostgreSQL).
    pub kind: Kind,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            params: Vec::new(),
            unindexed: Vec::new(),
            kind: Kind::Sqlite,
        }
    }

    /// A statement for `db`, written in its SQL.
    pub fn on(db: &dyn Db, text: &str) -> Self {
        Sql {
            kind: db.kind(),
            ..Sql::new(text)
        }
    }

    /// The parameters for [`Db`].
    pub fn args(&self) -> Vec<&dyn rusqlite::ToSql> {
        self.params
            .iter()
            .map(|v| v as &dyn rusqlite::ToSql)
            .collect()
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.params.push(value.into());
        self
    }
}

/// The longest search text, in characters. SQLite's `LIKE` takes a
/// pattern of at most 50,000 bytes (`SQLITE_LIMIT_LIKE_PATTERN_LENGTH`)
/// and fails past it as if the database could not be read; a character
/// takes at most 4 bytes of the folded, escaped pattern, so 10,000 always
/// fit. The same on a server, so a search means the same there.
pub const SEARCH_MAX_CHARS: usize = 10_000;

/// Refuses a search text longer than [`SEARCH_MAX_CHARS`] (trimmed, as it
/// is searched for): [`FilterProblem::SearchTooLong`].
fn check_search(search: &str) -> Result<()> {
    let chars = search.trim().chars().count();
    if chars > SEARCH_MAX_CHARS {
        return Err(StoreError::Filter(FilterProblem::SearchTooLong { chars }));
    }
    Ok(())
}

/// The filter's one validation, which every query of it passes
/// ([`push_filter`]) and a shell may ask before it opens a database: a
/// search too long to be searched for, a day that is not a date, and a
/// first day after the last ([`FilterProblem`], worded by each shell).
pub fn check_filter(filter: &EacFilter) -> Result<()> {
    if let Some(search) = &filter.search {
        check_search(search)?;
    }
    period_bounds(filter).map(|_| ())
}

/// Appends ` WHERE …` (or nothing) selecting the EACs of `filter` from
/// `eacs e`; says whether it wrote a `WHERE`.
pub(crate) fn push_filter(sql: &mut Sql, filter: &EacFilter) -> Result<bool> {
    let mut first = true;
    let mut and = |sql: &mut Sql| {
        sql.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        check_search(search)?;
        and(sql);
        // The trigram index answers `LIKE '%abc%'` (three characters or more,
        // no ESCAPE clause; SQLite re-checks each candidate). A query holding
        // a wildcard character needs the ESCAPE clause and, like a query of
        // one or two characters, is answered by a scan of the search text.
        // The text is stored folded (crate::fold), so the folded query
        // matches in any case, accented and non-Latin letters included.
        // PostgreSQL: the same folded text in `eacs.search_text`, answered
        // by its `pg_trgm` index.
        let pattern = format!("%{}%", like_escape(&crate::fold::fold(search)));
        match sql.kind {
            Kind::Sqlite => {
                sql.push("e.id IN (SELECT rowid FROM eac_search WHERE text LIKE ")
                    .bind(pattern);
                if search.contains(['%', '_', '\\']) {
                    sql.push(" ESCAPE '\\'");
                }
                sql.push(")");
            }
            Kind::Postgres => {
                sql.push("e.search_text LIKE ")
                    .bind(pattern)
                    .push(" ESCAPE '\\'");
            }
        }
    }
    if let Some(t) = filter.technology {
        and(sql);
        let column = facet_column(sql, "technology_type");
        sql.push(&column).push(" = ").bind(t.as_str().to_owned());
    }
    if let Some(t) = filter.beneficiary_type {
        and(sql);
        let column = facet_column(sql, "beneficiary_type");
        sql.push(&column).push(" = ").bind(t.as_str().to_owned());
    }
    let (after, before) = period_bounds(filter)?;
    if let Some(after) = after {
        and(sql);
        let column = facet_column(sql, "period_end");
        sql.push(&column).push(" > ").bind(after);
    }
    if let Some(before) = before {
        and(sql);
        let column = facet_column(sql, "period_start");
        sql.push(&column).push(" < ").bind(before);
    }
    if let Some(r) = filter.retired {
        and(sql);
        let column = facet_column(sql, "retired_state");
        sql.push(&column).push(" = ").bind(r.as_str().to_owned());
    }
    if let Some(source) = &filter.source {
        and(sql);
        let column = facet_column(sql, "source_id");
        push_equal(sql, &column, source);
    }
    if let Some(destination) = &filter.destination {
        and(sql);
        let column = facet_column(sql, "destination_id");
        push_equal(sql, &column, destination);
    }
    if let Some(missing) = filter.missing_emissions {
        and(sql);
        // A missing factor is always listed in `missing` (every write path
        // computes it from `Eac::missing`; migration 0007 filled it for the
        // EACs that existed), so saying so lets the partial index of
        // incomplete EACs find these (decision 227).
        sql.push(if missing {
            "(e.missing IS NOT NULL AND \
              (e.emissions_factor_direct IS NULL OR e.emissions_factor_lca IS NULL))"
        } else {
            "(e.emissions_factor_direct IS NOT NULL AND e.emissions_factor_lca IS NOT NULL)"
        });
    }
    if let Some(incomplete) = filter.incomplete {
        and(sql);
        sql.push(if incomplete {
            "e.missing IS NOT NULL"
        } else {
            "e.missing IS NULL"
        });
    }
    // A selection of any size is one bound JSON array (SQLite's limit on
    // bound parameters never applies).
    if let Some(ids) = &filter.ids {
        and(sql);
        sql.push("e.cds_eac_id IN ");
        push_id_list(sql, ids);
    }
    if let Some(ids) = filter.exclude_ids.as_ref().filter(|ids| !ids.is_empty()) {
        and(sql);
        sql.push("e.cds_eac_id NOT IN ");
        push_id_list(sql, ids);
    }
    for m in filter.matches.iter().flatten() {
        and(sql);
        push_match(sql, m);
    }
    Ok(!first)
}

/// `column = value`, or `column IN (…)` of the value's spellings
/// ([`crate::fold::spellings`]) when its accents can be written in more
/// than one way: an id typed on a keyboard (NFC) finds the one macOS saved
/// (NFD), and the other way round. Still an index lookup.
fn push_equal(sql: &mut Sql, column: &str, value: &str) {
    let spellings = crate::fold::spellings(value);
    if let [one] = spellings.as_slice() {
        sql.push(column).push(" = ").bind(one.clone());
        return;
    }
    sql.push(column).push(" IN (");
    for (i, s) in spellings.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(s);
    }
    sql.push(")");
}

/// `(SELECT …)` of the ids in `ids`, bound as one JSON array.
pub(crate) fn push_id_list(sql: &mut Sql, ids: &[String]) {
    match sql.kind {
        Kind::Sqlite => sql.push("(SELECT value FROM json_each("),
        Kind::Postgres => sql.push("(SELECT json_array_elements_text(CAST("),
    };
    sql.bind(id_list(ids));
    sql.push(match sql.kind {
        Kind::Sqlite => "))",
        Kind::Postgres => " AS json)))",
    });
}

/// `e.column`, or `+e.column` when it is [`Sql::unindexed`] (a facet's
/// or the period's).
fn facet_column(sql: &Sql, column: &'static str) -> String {
    if sql.unindexed.contains(&column) {
        format!("+e.{column}")
    } else {
        format!("e.{column}")
    }
}

/// One cell filter. `IS` / `IS NOT` compare with NULL too, so "missing" and
/// "exclude this value" (which keeps EACs where the field is missing) need
/// no second form; the column comes from a fixed table, the value is bound.
fn push_match(sql: &mut Sql, m: &FieldMatch) {
    let value = match &m.value {
        Some(v) => Value::Text(v.clone()),
        None => Value::Null,
    };
    let column = match m.field {
        MatchField::EacNumber => "e.eac_number",
        MatchField::Technology => "e.technology_type",
        MatchField::Source => "e.source_id",
        MatchField::Destination => "e.destination_id",
        MatchField::BeneficiaryType => "e.beneficiary_type",
        MatchField::Retired => "e.retired_state",
        MatchField::Asset => "e.asset_id",
        MatchField::AssetCommissioned => "e.asset_commissioned",
        MatchField::Issuance => "e.issuance",
        MatchField::Beneficiary => {
            // Missing: the EAC has no beneficiary id at all.
            let has = m.value.is_some();
            sql.push(if has == m.exclude {
                "NOT EXISTS"
            } else {
                "EXISTS"
            })
            .push(" (SELECT 1 FROM eac_beneficiaries b WHERE b.eac_id = e.id");
            if let Some(v) = &m.value {
                sql.push(" AND ");
                push_equal(sql, "b.beneficiary_id", v);
            }
            sql.push(")");
            return;
        }
    };
    let column = match column.strip_prefix("e.") {
        Some(name) if sql.unindexed.contains(&name) => format!("+{column}"),
        _ => column.to_owned(),
    };
    // A value whose accents can be written more than one way matches each
    // spelling (decision 140 as amended: canonically equal text is equal);
    // excluding it keeps the EACs where the field is missing, as `IS NOT`.
    if let Some(v) = m
        .value
        .as_deref()
        .filter(|v| crate::fold::spellings(v).len() > 1)
    {
        if m.exclude {
            sql.push("(").push(&column).push(" IS NULL OR NOT ");
            push_equal(sql, &column, v);
            sql.push(")");
        } else {
            push_equal(sql, &column, v);
        }
        return;
    }
    // PostgreSQL's `IS` takes no value: its spelling of SQLite's `IS`.
    let (is, is_not) = match sql.kind {
        Kind::Sqlite => (" IS ", " IS NOT "),
        Kind::Postgres => (" IS NOT DISTINCT FROM ", " IS DISTINCT FROM "),
    };
    sql.push(&column)
        .push(if m.exclude { is_not } else { is })
        .bind(value);
}

/// `ids` as a JSON array text, for `json_each`.
pub(crate) fn id_list(ids: &[String]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

/// A filter's period as stored times: a matching EAC's period overlaps
/// whole UTC days [from, to], so it ends after the first (`from`'s day
/// begins) and starts before the second (the day after `to` begins).
pub(crate) fn period_bounds(filter: &EacFilter) -> Result<(Option<String>, Option<String>)> {
    let from = match filter.from.as_deref().filter(|s| !s.is_empty()) {
        Some(from) => Some(parse_date(from)?),
        None => None,
    };
    let to = match filter.to.as_deref().filter(|s| !s.is_empty()) {
        Some(to) => Some(parse_date(to)?),
        None => None,
    };
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(StoreError::Filter(FilterProblem::FromAfterTo {
                from: from.to_string(),
                to: to.to_string(),
            }));
        }
    }
    Ok((
        from.map(|d| day_start(d).to_storage()),
        to.map(day_after_start),
    ))
}

/// The storage text of the start of the day after `day`. After
/// 9999-12-31 (whose next day, in year 10000, has no storage text of the
/// stored width) it is `9999-12-31T24:00:00.000000000Z`: of the same width
/// and above every stored time, so "before the day after 9999-12-31"
/// holds for every EAC, as it should.
pub(crate) fn day_after_start(day: Date) -> String {
    match day.as_naive().succ_opt().map(Date::from_naive) {
        Some(next) if chrono::Datelike::year(&next.as_naive()) <= 9999 => {
            day_start(next).to_storage()
        }
        _ => "9999-12-31T24:00:00.000000000Z".to_owned(),
    }
}

/// A filter's day, refused with the calendar's reason when it is written
/// as a day but is none ("`2023-02-29` is not a date: February 2023 has
/// 28 days"; it said only "is not a date").
fn parse_date(text: &str) -> Result<Date> {
    Date::parse(text.trim()).map_err(|e| StoreError::InvalidInput(e.not_a_day("")))
}

/// 00:00 UTC of `date`.
pub(crate) fn day_start(date: Date) -> Timestamp {
    Timestamp::from_utc(date.as_naive().and_time(NaiveTime::MIN).and_utc())
}

/// The storage text of the start of the day `text` (`YYYY-MM-DD`), or of
/// the day after it (`after`): the bounds of whole UTC days, as the
/// filter's dates use them. `None` for text that is not a date.
pub(crate) fn day_bound(text: &str, after: bool) -> Option<String> {
    let day = Date::parse(text.trim()).ok()?;
    Some(match after {
        true => day_after_start(day),
        false => day_start(day).to_storage(),
    })
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// P1 listing order (digest §b): `eac_number` ascending in code-point order
/// (BINARY collation on UTF-8), NULL numbers last, ties newest issuance
/// first, then `cds_eac_id`. Matches the `eacs_p1_order` index.
pub(crate) const P1_ORDER: &str =
    " ORDER BY (e.eac_number IS NULL), e.eac_number, e.issuance DESC, e.cds_eac_id";

/// [`P1_ORDER`] on PostgreSQL, which sorts NULL first when descending.
pub(crate) const P1_ORDER_PG: &str = " ORDER BY (e.eac_number IS NULL), e.eac_number, \
     e.issuance DESC NULLS LAST, e.cds_eac_id";

/// ` ORDER BY …` for a browse sort: the field's columns, then `cds_eac_id`
/// so that pages never overlap; descending reverses the whole order (so each
/// order is one index read forwards or backwards).
///
/// In `kind`'s SQL: PostgreSQL sorts NULL last where SQLite sorts it
/// first, so there each term says where NULL goes.
pub(crate) fn order_by_in(kind: Kind, sort: SortSpec) -> String {
    let terms: &[(&str, bool)] = match sort.field {
        SortField::EacNumber => &[
            ("(e.eac_number IS NULL)", true),
            ("e.eac_number", true),
            ("e.issuance", false),
        ],
        SortField::TechnologyType => &[("e.technology_type", true)],
        SortField::PeriodStart => &[("e.period_start", true)],
        SortField::PeriodEnd => &[("e.period_end", true)],
        SortField::Source => &[("e.source_name", true), ("e.source_id", true)],
        SortField::Destination => &[("e.destination_name", true), ("e.destination_id", true)],
        SortField::BeneficiaryType => &[("e.beneficiary_type", true)],
        SortField::Quantity => &[("e.quantity_sort_key", true)],
        SortField::RetiredState => &[("e.retired_state", true)],
        SortField::Issuance => &[("e.issuance", true)],
        SortField::CdsEacId => &[],
        SortField::CdsModified => &[("e.cds_modified", true)],
    };
    let mut out = String::from(" ORDER BY ");
    for (column, ascending) in terms.iter().chain(&[("e.cds_eac_id", true)]) {
        out.push_str(column);
        out.push_str(match (*ascending != sort.descending, kind) {
            (true, Kind::Sqlite) => " ASC, ",
            (false, Kind::Sqlite) => " DESC, ",
            (true, Kind::Postgres) => " ASC NULLS FIRST, ",
            (false, Kind::Postgres) => " DESC NULLS LAST, ",
        });
    }
    out.truncate(out.len() - 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_bound_never_inlined() {
        let filter = EacFilter {
            search: Some("x'); DROP TABLE eacs; --".into()),
            source: Some("a' OR 1=1".into()),
            ..Default::default()
        };
        let mut sql = Sql::new("SELECT 1 FROM eacs e");
        push_filter(&mut sql, &filter).unwrap();
        assert!(!sql.text.contains("DROP"));
        assert!(!sql.text.contains("1=1"));
        assert_eq!(sql.params.len(), 2);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_escape("5%_a\\"), "5\\%\\_a\\\\");
    }

    #[test]
    fn descending_reverses_every_term() {
        let asc = order_by_in(
            Kind::Sqlite,
            SortSpec {
                field: SortField::EacNumber,
                descending: false,
            },
        );
        assert_eq!(
            asc,
            " ORDER BY (e.eac_number IS NULL) ASC, e.eac_number ASC, e.issuance DESC, e.cds_eac_id ASC"
        );
        let desc = order_by_in(
            Kind::Sqlite,
            SortSpec {
                field: SortField::EacNumber,
                descending: true,
            },
        );
        assert_eq!(
            desc,
            " ORDER BY (e.eac_number IS NULL) DESC, e.eac_number DESC, e.issuance ASC, e.cds_eac_id DESC"
        );
    }
}
