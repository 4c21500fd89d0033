//! The read path for people: pages of rows, exact totals of a filtered set,
//! pickers and the detail pane.

use crate::db::{Db, Kind, Snapshot};
use bigdecimal::BigDecimal;
use eac_model::{BeneficiaryType, Decimal, EnergyUnit, RetiredState, TechnologyType};

use crate::query::{id_list, order_by_in, push_filter, push_id_list, Sql};
use crate::rows::{self, count, display_time, from_count, parsed, parsed_opt};
use crate::{
    BrowseQuery, BrowseSummary, Choice, ChoiceField, EacDetail, EacFilter, EacRow, EacValueView,
    QuantityTotal, Result, SortSpec, StoreError,
};

pub(crate) fn browse(
    conn: &dyn Db,
    query: &BrowseQuery,
    memo: Option<crate::facets::Memo<'_>>,
) -> Result<Vec<EacRow>> {
    let mut sql = Sql::on(conn, ROW_SELECT);
    let limit = crate::page_size(query.limit);
    let mut order = order_by_in(conn.kind(), query.sort);
    if conn.kind() == Kind::Sqlite {
        sql.unindexed =
            crate::facets::read_in_sort_order(conn, &query.filter, query.offset, limit, memo)?;
        if crate::facets::through_filter_index(conn, &query.filter, query.offset, limit)? {
            // `+`: the sort's index cannot answer the order (the same order:
            // a unary plus keeps a column's value and collation), so the
            // filter's does the filter.
            order = order.replacen(" ORDER BY ", " ORDER BY +", 1);
        }
    }
    push_filter(&mut sql, &query.filter)?;
    sql.push(&order);
    sql.push(" LIMIT ")
        .bind(count(limit))
        .push(" OFFSET ")
        .bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
    let mut out = Vec::new();
    rows_of(conn, &sql, &mut |row| {
        out.push(row);
        Ok(())
    })?;
    Ok(out)
}

/// Every row `filter` matches (or exactly the EACs `ids`), in `sort`
/// order, from one read snapshot.
pub(crate) fn browse_each(
    conn: &dyn Db,
    filter: &EacFilter,
    sort: SortSpec,
    ids: Option<&[String]>,
    each: &mut dyn FnMut(EacRow) -> Result<()>,
) -> Result<()> {
    let snapshot = Snapshot::begin(conn)?;
    let mut sql = Sql::on(conn, ROW_SELECT);
    match ids {
        Some(ids) => {
            // One bound JSON array, however many ids were selected.
            let mut unknown_sql = Sql::on(conn, "SELECT j.value FROM ");
            match conn.kind() {
                Kind::Sqlite => unknown_sql
                    .push("json_each(")
                    .bind(id_list(ids))
                    .push(") j"),
                Kind::Postgres => unknown_sql
                    .push("json_array_elements_text(CAST(")
                    .bind(id_list(ids))
                    .push(" AS json)) j(value)"),
            };
            unknown_sql.push(
                " WHERE NOT EXISTS (SELECT 1 FROM eacs e WHERE e.cds_eac_id = j.value) LIMIT 5",
            );
            let unknown: Vec<String> = conn.collect(
                &unknown_sql.text,
                &unknown_sql.args(),
                |row| Ok(row.get(0)?),
            )?;
            if !unknown.is_empty() {
                return Err(StoreError::SelectedGone { ids: unknown });
            }
            sql.push(" WHERE e.cds_eac_id IN ");
            push_id_list(&mut sql, ids);
        }
        None => {
            push_filter(&mut sql, filter)?;
        }
    }
    sql.push(&order_by_in(conn.kind(), sort));
    rows_of(conn, &sql, each)?;
    snapshot.end()
}

/// The `eacs` columns of a table row, for `FROM eacs e`.
const ROW_SELECT: &str =
    "SELECT e.id, e.cds_eac_id, e.eac_number, e.technology_type, e.period_start,
            e.period_end, e.issuance, e.source_id, e.source_name, e.destination_id,
            e.destination_name, e.beneficiary_type, e.retired_state, e.value_count,
            (e.emissions_factor_direct IS NULL OR e.emissions_factor_lca IS NULL), e.missing,
            e.asset_id, e.asset_commissioned, e.emissions_factor_direct, e.emissions_factor_lca,
            e.cds_created, e.cds_modified
         FROM eacs e";

/// Runs `sql` (a [`ROW_SELECT`] with its conditions) and hands out each row
/// with its beneficiaries and quantities.
fn rows_of(conn: &dyn Db, sql: &Sql, each: &mut dyn FnMut(EacRow) -> Result<()>) -> Result<()> {
    // Streamed: each row's beneficiaries and quantities are read as it
    // comes (a selection exported as CSV may be every EAC).
    conn.stream(&sql.text, &sql.args(), &mut |row| {
        let id: i64 = row.get(0)?;
        let mut eac_row = EacRow {
            cds_eac_id: row.get(1)?,
            eac_number: row.get(2)?,
            technology_type: parsed_opt(row, 3, TechnologyType::parse)?,
            period_start: display_time(row, 4)?,
            period_end: display_time(row, 5)?,
            issuance: row.get(6)?,
            source_id: row.get(7)?,
            source_name: row.get(8)?,
            destination_id: row.get(9)?,
            destination_name: row.get(10)?,
            beneficiary_type: parsed_opt(row, 11, BeneficiaryType::parse)?,
            beneficiaries: Vec::new(),
            quantities: Vec::new(),
            retired_state: parsed(row, 12, RetiredState::parse)?,
            value_count: from_count(row.get(13)?),
            asset_id: row.get(16)?,
            asset_commissioned: row.get(17)?,
            emissions_factor_direct: row.get(18)?,
            emissions_factor_lca: row.get(19)?,
            cds_created: display_time(row, 20)?,
            cds_modified: display_time(row, 21)?,
            emissions_missing: row.get(14)?,
            missing: rows::missing_from_json(row.get(15)?),
        };
        eac_row.beneficiaries = rows::beneficiaries(conn, id)?;
        eac_row.quantities = rows::quantities(conn, id)?;
        each(eac_row)
    })
}

/// Count and exact totals per unit. SQLite sums integer mantissas grouped by
/// unit and scale (unfiltered: the sums the triggers keep, so the cost does
/// not grow with the portfolio); Rust combines the groups with BigDecimal.
/// Totals whose mantissa does not fit in 64 bits are summed from their
/// text; so is everything when an integer sum overflows. Never a float.
pub(crate) fn summary(
    conn: &dyn Db,
    filter: &EacFilter,
    memo: Option<crate::facets::Memo<'_>>,
) -> Result<BrowseSummary> {
    // One facet value: its count and integer sums are kept (decision 217).
    let kept = match crate::facets::single_facet(filter) {
        Some((facet, value)) => Some(crate::facets::kept(conn, facet, &value)?),
        // A period alone: the kept rows of the periods it overlaps (decision 227).
        None => crate::facets::kept_period(conn, filter)?,
    };
    if kept.is_none() && conn.kind() == Kind::Sqlite {
        if let Some(summary) = filtered_summary(conn, filter, memo)? {
            return Ok(summary);
        }
    }
    let n: i64 = match &kept {
        Some(kept) => kept.count,
        None => {
            let mut sql = Sql::on(conn, "SELECT COUNT(*) FROM eacs e");
            push_filter(&mut sql, filter)?;
            conn.query_row(&sql.text, &sql.args(), |row| Ok(row.get(0)?))?
        }
    };
    let filtered = push_filter(&mut Sql::on(conn, ""), filter)?;

    // Indexed like EnergyUnit::ALL (Wh, kWh, MWh).
    let mut totals: Vec<Option<BigDecimal>> = vec![None; EnergyUnit::ALL.len()];
    let mut add = |unit: EnergyUnit, amount: BigDecimal| add_total(&mut totals, unit, amount);

    // Joined with `eacs` only when filtered. `join`: how; the totals kept
    // as text (rare: beyond 64 bits) are found from their own partial index
    // first (`CROSS JOIN` keeps that order), not by looking up the totals of
    // every EAC the filter matches (0.8 s at a million EACs).
    let totals_sql = |columns: &str, join: &str, condition: &str| -> Result<Sql> {
        let mut filter_sql = Sql::on(conn, "");
        let mut sql = Sql::on(conn, &format!("SELECT {columns} FROM eac_totals t"));
        if push_filter(&mut filter_sql, filter)? {
            sql.push(&format!(" {join} eacs e ON e.id = t.eac_id"));
            sql.push(&filter_sql.text).push(" AND ");
            sql.params.extend(filter_sql.params);
        } else {
            sql.push(" WHERE ");
        }
        sql.push(condition);
        Ok(sql)
    };

    // None: an integer sum overflowed.
    let kept_groups = kept.and_then(|kept| kept.sums);
    let groups = if kept_groups.is_some() {
        kept_groups
    } else if filtered {
        let sql = totals_sql(
            "t.unit, t.scale, SUM(t.mantissa)",
            "JOIN",
            "t.mantissa IS NOT NULL GROUP BY t.unit, t.scale",
        )?;
        // PostgreSQL sums exactly (`numeric`): a sum beyond 64 bits comes
        // as its text, where SQLite stops with an overflow.
        let groups = conn.collect(&sql.text, &sql.args(), |row| {
            let sum = match row.get::<rusqlite::types::Value>(2)? {
                rusqlite::types::Value::Integer(i) => Some(i),
                _ => None,
            };
            Ok((parsed(row, 0, EnergyUnit::parse)?, row.get::<i64>(1)?, sum))
        });
        match groups {
            Ok(groups) => groups
                .into_iter()
                .map(|(unit, scale, sum)| sum.map(|sum| (unit, scale, sum)))
                .collect::<Option<Vec<_>>>(),
            Err(StoreError::Sqlite(e)) if is_integer_overflow(&e) => None,
            Err(e) => return Err(e),
        }
    } else {
        kept_totals(conn)?
    };
    let (join, text_rows) = match groups {
        Some(groups) => {
            for (unit, scale, mantissa) in groups {
                add(unit, rows::big_from_scaled(mantissa, scale));
            }
            // PostgreSQL's planner needs no such hint (nor allows it).
            let join = match conn.kind() {
                Kind::Sqlite => "CROSS JOIN",
                Kind::Postgres => "JOIN",
            };
            (join, "t.mantissa IS NULL")
        }
        // Sum everything from the exact text.
        None => ("JOIN", "TRUE"),
    };

    let sql = totals_sql("t.unit, t.total", join, text_rows)?;
    conn.each(&sql.text, &sql.args(), &mut |row| {
        let unit = parsed(row, 0, EnergyUnit::parse)?;
        let total: String = row.get(1)?;
        add(unit, rows::big_from_text(&total)?);
        Ok(())
    })?;

    Ok(BrowseSummary {
        count: from_count(n),
        totals: quantity_totals(totals),
    })
}

/// A filter matching at least this share (1 / N) of the EACs is summed by
/// one pass over every EAC's totals rather than a lookup per match.
const BROAD_SHARE: i64 = 16;

/// [`summary`] of a filter on a file (decision 225): the row ids the
/// filter matches go into a bit set (their number is the count; one
/// reading of the filter, where `COUNT(*)` and the totals' join read it
/// twice). Their totals are then summed per unit and scale in 128 bits (a
/// million 64-bit mantissas cannot overflow it), the rare totals kept only
/// as text exactly: by one pass in key order over `eac_totals` when the
/// matches are at least 1/[`BROAD_SHARE`] of the EACs (about 0.2 µs a
/// row), by a lookup per match otherwise (about 4 µs each: at a million
/// EACs a year's period, a quarter of them, summed in 1.07 s that way).
/// `None` when nothing filters or the database holds no EAC.
fn filtered_summary(
    conn: &dyn Db,
    filter: &EacFilter,
    memo: Option<crate::facets::Memo<'_>>,
) -> Result<Option<BrowseSummary>> {
    // A period is two one-sided conditions: either index reads a range and
    // then each row for the other side (0.61 s for a year at a million
    // EACs); the covering facet index read whole answers both (0.24 s).
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    let covered = blank(&filter.search)
        && filter.ids.is_none()
        && filter.exclude_ids.as_ref().is_none_or(|ids| ids.is_empty())
        && filter.matches.as_ref().is_none_or(|m| m.is_empty())
        && !(blank(&filter.from) && blank(&filter.to));
    let mut ids = Sql::on(
        conn,
        if covered {
            "SELECT e.id FROM eacs e INDEXED BY eacs_by_facets"
        } else {
            "SELECT e.id FROM eacs e"
        },
    );
    if !push_filter(&mut ids, filter)? {
        return Ok(None);
    }
    let highest: Option<i64> =
        conn.query_row("SELECT max(id) FROM eacs", &[], |r| Ok(r.get(0)?))?;
    let Some(highest) = highest.and_then(|h| usize::try_from(h).ok()) else {
        return Ok(None);
    };
    // Read before the matches: a commit meanwhile makes it older, not newer.
    let at = memo.map(|m| m.version()).transpose()?;
    let mut set = vec![0u64; highest / 64 + 1];
    let mut n: i64 = 0;
    conn.each(&ids.text, &ids.args(), &mut |row| {
        let id = usize::try_from(row.get::<i64>(0)?).unwrap_or(usize::MAX);
        if let Some(word) = set.get_mut(id / 64) {
            *word |= 1 << (id % 64);
            n += 1;
        }
        Ok(())
    })?;
    // The next page of this filter need not count it again.
    if let (Some(m), Some(at)) = (memo, at) {
        m.put(filter, at, n);
    }
    let has = |id: i64| {
        usize::try_from(id)
            .ok()
            .and_then(|id| set.get(id / 64).map(|word| word & (1 << (id % 64)) != 0))
            .unwrap_or(false)
    };
    // (unit, scale) → exact sum of the mantissas; the text totals apart.
    let mut groups: Vec<(EnergyUnit, i64, i128)> = Vec::new();
    let mut totals: Vec<Option<BigDecimal>> = vec![None; EnergyUnit::ALL.len()];
    let mut take = |row: &dyn crate::db::DbRow| -> Result<()> {
        let unit = parsed(row, 1, EnergyUnit::parse)?;
        match row.get::<Option<i64>>(3)? {
            Some(mantissa) => {
                let scale: i64 = row.get(2)?;
                match groups.iter_mut().find(|g| g.0 == unit && g.1 == scale) {
                    Some(group) => group.2 += i128::from(mantissa),
                    None => groups.push((unit, scale, i128::from(mantissa))),
                }
            }
            None => {
                let total: String = row.get(4)?;
                add_total(&mut totals, unit, rows::big_from_text(&total)?);
            }
        }
        Ok(())
    };
    const COLUMNS: &str =
        "SELECT eac_id, unit, scale, mantissa, CASE WHEN mantissa IS NULL THEN total END
         FROM eac_totals";
    if n.saturating_mul(BROAD_SHARE) >= crate::facets::kept_all(conn)? {
        conn.each(COLUMNS, &[], &mut |row| {
            if has(row.get::<i64>(0)?) {
                take(row)?;
            }
            Ok(())
        })?;
    } else {
        let one = format!("{COLUMNS} WHERE eac_id = ?1");
        for (at, word) in set.iter().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                let id =
                    i64::try_from(at * 64).unwrap_or(i64::MAX) + i64::from(bits.trailing_zeros());
                bits &= bits - 1;
                conn.each(&one, &[&id], &mut |row| take(row))?;
            }
        }
    }
    for (unit, scale, sum) in groups {
        add_total(&mut totals, unit, BigDecimal::new(sum.into(), scale));
    }
    Ok(Some(BrowseSummary {
        count: from_count(n),
        totals: quantity_totals(totals),
    }))
}

/// Adds `amount` to `unit`'s total (`totals` in `EnergyUnit::ALL` order).
/// `+` keeps the larger scale of the two, so the digits shown do not
/// depend on the order the amounts come in.
fn add_total(totals: &mut [Option<BigDecimal>], unit: EnergyUnit, amount: BigDecimal) {
    let slot = &mut totals[rows::unit_index(unit)];
    *slot = Some(slot.take().unwrap_or_default() + amount);
}

/// The totals per unit, in unit order, as shown.
fn quantity_totals(totals: Vec<Option<BigDecimal>>) -> Vec<QuantityTotal> {
    EnergyUnit::ALL
        .iter()
        .zip(totals)
        .filter_map(|(unit, total)| {
            Some(QuantityTotal {
                unit: *unit,
                total: Decimal::from_big(&total?).as_str().to_owned(),
            })
        })
        .collect()
}

/// The totals of every EAC per unit and scale, as the triggers of
/// migration 0012 keep them (`eac_totals_kept`): a few rows whatever the
/// size of the portfolio. None when a group's sum has left 64 bits
/// (mantissa NULL there), as for an overflowing `SUM`.
fn kept_totals(conn: &dyn Db) -> Result<Option<Vec<(EnergyUnit, i64, i64)>>> {
    let rows = conn.collect(
        "SELECT unit, scale, mantissa FROM eac_totals_kept WHERE summed > 0 ORDER BY unit, scale",
        &[],
        |row| {
            Ok((
                parsed(row, 0, EnergyUnit::parse)?,
                row.get::<i64>(1)?,
                row.get::<Option<i64>>(2)?,
            ))
        },
    )?;
    let mut groups = Vec::new();
    for (unit, scale, mantissa) in rows {
        let Some(mantissa) = mantissa else {
            return Ok(None);
        };
        groups.push((unit, scale, mantissa));
    }
    Ok(Some(groups))
}

fn is_integer_overflow(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("integer overflow"))
}

/// Ids with a label `name (id)` for the source or destination picker.
pub(crate) fn choices(conn: &dyn Db, field: ChoiceField) -> Result<Vec<Choice>> {
    let sql = match field {
        ChoiceField::Source => {
            "SELECT source_id, min(source_name) || ' (' || source_id || ')' AS label
             FROM eacs GROUP BY source_id ORDER BY label, source_id"
        }
        ChoiceField::Destination => {
            // A registry import may leave the destination missing (NULL) until completed.
            "SELECT destination_id, coalesce(min(destination_name), destination_id) || ' (' || destination_id || ')' AS label
             FROM eacs WHERE destination_id IS NOT NULL GROUP BY destination_id ORDER BY label, destination_id"
        }
    };
    let mut choices: Vec<Choice> = conn.collect(sql, &[], |row| {
        Ok(Choice {
            value: row.get(0)?,
            label: row.get(1)?,
        })
    })?;
    // An id stored in two Unicode forms (`É` as one character, or as `E`
    // and a combining accent) is one choice: the filter picks both
    // (`query::push_equal`), and two entries would look alike.
    let mut seen = std::collections::HashSet::new();
    choices.retain(|c| {
        seen.insert(
            unicode_normalization::UnicodeNormalization::nfc(c.value.as_str()).collect::<String>(),
        )
    });
    Ok(choices)
}

/// [`crate::Store::other_spellings`].
pub(crate) fn other_spellings(conn: &dyn Db, cds_eac_id: &str) -> Result<Vec<String>> {
    let others: Vec<String> = crate::fold::spellings(cds_eac_id)
        .into_iter()
        .filter(|s| s != cds_eac_id)
        .collect();
    let mut found = Vec::new();
    for other in &others {
        let stored = conn.query_opt(
            "SELECT cds_eac_id FROM eacs WHERE cds_eac_id = ?1
             UNION SELECT cds_eac_id FROM eac_envelopes WHERE cds_eac_id = ?1",
            &[other],
            |row| Ok(row.get::<String>(0)?),
        )?;
        found.extend(stored);
    }
    found.sort();
    Ok(found)
}

/// Every field of one EAC for the detail pane.
pub(crate) fn detail(conn: &dyn Db, cds_eac_id: &str) -> Result<EacDetail> {
    let (id, eac) = rows::load_eac(conn, cds_eac_id)?;
    let extensions_json = eac_model::extensions_to_json(&eac.extensions);
    let quantities = rows::quantities(conn, id)?;
    let (cds_synced, version) = conn.query_row(
        "SELECT cds_synced, version FROM eacs WHERE id = ?1",
        &[&id],
        |row| Ok((rows::parsed_opt(row, 0, rows::timestamp)?, row.get(1)?)),
    )?;
    let retired_state = eac.retired_state();
    let missing = eac.missing().iter().map(eac_model::Missing::path).collect();
    let values = eac
        .values
        .into_iter()
        .map(|v| EacValueView {
            eac_number: v.eac_number,
            issued: v.issued.map(|d| d.to_string()),
            retired: v.retired.map(|d| d.to_string()),
            retired_undated: v.retired_undated,
            start: v.start.map(|t| t.to_string()),
            end: v.end.map(|t| t.to_string()),
            unit: v.unit,
            value: v.value.as_str().to_owned(),
            extensions_json: eac_model::extensions_to_json(&v.extensions),
        })
        .collect();
    Ok(EacDetail {
        cds_eac_id: eac.cds_eac_id,
        cds_created: eac.cds_created.to_string(),
        cds_modified: eac.cds_modified.to_string(),
        eac_number: eac.eac_number,
        source_id: eac.source_id,
        source_name: eac.source_name,
        destination_id: eac.destination_id,
        destination_name: eac.destination_name,
        beneficiary_type: eac.beneficiary_type,
        beneficiaries: eac.beneficiaries,
        asset_id: eac.asset_id,
        asset_commissioned: eac.asset_commissioned.map(|d| d.to_string()),
        asset_origination: eac.asset_origination,
        asset_destination: eac.asset_destination,
        technology_type: eac.technology_type,
        emissions_factor_direct: eac.emissions_factor_direct.map(|d| d.as_str().to_owned()),
        emissions_factor_lca: eac.emissions_factor_lca.map(|d| d.as_str().to_owned()),
        period_start: eac.period_start.to_string(),
        period_end: eac.period_end.to_string(),
        values,
        extensions_json,
        retired_state,
        quantities,
        cds_synced: cds_synced.map(|t| t.to_string()),
        missing,
        version,
    })
}
