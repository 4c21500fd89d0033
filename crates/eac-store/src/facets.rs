//! Counts and totals kept per facet value (migration 0015, decision 217):
//! a filter on one facet (technology, retired state, beneficiary type,
//! source or destination) is counted and summed from a few kept rows, not
//! by looking up the totals of every EAC it matches.

use eac_model::EnergyUnit;
use rusqlite::{Connection, OptionalExtension};

use crate::rows::parsed;
use crate::write::Write;

use crate::{EacFilter, MatchField, Result};

/// The facet column and value when `filter` picks EACs by exactly one
/// facet value and nothing else (a filter field or a "filter by this
/// value" cell match).
pub(crate) fn single_facet(filter: &EacFilter) -> Option<(&'static str, String)> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if !blank(&filter.search)
        || !blank(&filter.from)
        || !blank(&filter.to)
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
    if let Some(s) = &filter.source {
        picked.push(("source_id", s.clone()));
    }
    if let Some(d) = &filter.destination {
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
            (Some(value), false) => picked.push((facet, value.clone())),
            _ => return None,
        }
    }
    match <[_; 1]>::try_from(picked) {
        Ok([one]) => Some(one),
        Err(_) => None,
    }
}

/// What is kept for one facet value: the number of EACs, and the sums per
/// unit and scale of their totals that fit in 64 bits (`None` when one of
/// those sums did not: the caller sums from the totals instead).
pub(crate) struct Kept {
    pub count: i64,
    pub sums: Option<Vec<(EnergyUnit, i64, i64)>>,
}

/// The kept count and sums of `facet` = `value`.
pub(crate) fn kept(conn: &Connection, facet: &str, value: &str) -> Result<Kept> {
    let count: Option<i64> = conn
        .prepare_cached(
            "SELECT summed FROM eac_facets_kept
             WHERE facet = ?1 AND value = ?2 AND unit = '' AND scale = 0",
        )?
        .query_row([facet, value], |r| r.get(0))
        .optional()?;
    let mut stmt = conn.prepare_cached(
        "SELECT unit, scale, mantissa FROM eac_facets_kept
         WHERE facet = ?1 AND value = ?2 AND unit > '' AND summed > 0 ORDER BY unit, scale",
    )?;
    let rows = stmt.query_map([facet, value], |r| {
        Ok((
            parsed(r, 0, EnergyUnit::parse)?,
            r.get(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })?;
    let mut sums = Some(Vec::new());
    for row in rows {
        let (unit, scale, mantissa) = row?;
        match (mantissa, sums.as_mut()) {
            (Some(m), Some(s)) => s.push((unit, scale, m)),
            _ => sums = None,
        }
    }
    Ok(Kept {
        count: count.unwrap_or(0),
        sums,
    })
}

/// The triggers that keep the table; a fresh load drops them and
/// [`rebuild`]s the table once at its end.
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
