//! Totals grouped by technology, period, registry and retirement: the
//! summary dashboard and `eacdesk summary`.
//!
//! SQLite groups the VALUE rows of the filtered EACs (a value's period
//! decides its month, so an EAC spanning two months adds to both) and sums
//! each group per unit with `eacdesk_sum(value)`, an aggregate registered
//! on every connection: it adds the stored decimal text as integer
//! mantissas per scale (`i128`), falling back to BigDecimal only when a
//! mantissa or a sum does not fit. Exact, and never a float.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use eac_model::{Decimal, EnergyUnit};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::Connection;

use crate::db::{Db, Kind};
use crate::query::{push_filter, Sql};
use crate::rows::from_count;
use crate::{EacFilter, GroupedTotals, QuantityTotal, Result, SummaryGroup, SummaryKey};

/// Registers `eacdesk_sum(text)`: the exact sum of decimal texts, as
/// plain decimal text (NULL over no rows).
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function(
        "eacdesk_sum",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        ExactSum,
    )
}

struct ExactSum;

/// Running sums: one integer per scale seen (a handful: registries write
/// a fixed number of decimals), and what did not fit in integers.
#[derive(Default)]
struct Sums {
    by_scale: Vec<(i64, i128)>,
    big: Option<BigDecimal>,
}

impl Sums {
    fn add(&mut self, text: &str) -> std::result::Result<(), String> {
        if let Some((mantissa, scale)) = scaled_i128(text) {
            match self.by_scale.iter_mut().find(|(s, _)| *s == scale) {
                Some((_, sum)) => match sum.checked_add(mantissa) {
                    Some(total) => *sum = total,
                    None => self.add_big(BigDecimal::new(mantissa.into(), scale)),
                },
                None => self.by_scale.push((scale, mantissa)),
            }
            return Ok(());
        }
        let exact = Decimal::parse(text)
            .map_err(|e| format!("a stored quantity is not a number: {e}"))?
            .to_big();
        self.add_big(exact);
        Ok(())
    }

    fn add_big(&mut self, value: BigDecimal) {
        self.big = Some(self.big.take().unwrap_or_default() + value);
    }

    fn total(self) -> BigDecimal {
        let mut total = self.big.unwrap_or_default();
        for (scale, mantissa) in self.by_scale {
            total += BigDecimal::new(mantissa.into(), scale);
        }
        total
    }
}

/// `digits[.digits]` with at most 36 digits as `(mantissa, scale)`;
/// `None` for anything else (exponents, signs, longer numbers), which
/// BigDecimal reads.
fn scaled_i128(text: &str) -> Option<(i128, i64)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() || int.len() + frac.len() > 36 {
        return None;
    }
    let mut mantissa: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + i128::from(b - b'0');
    }
    Some((mantissa, i64::try_from(frac.len()).ok()?))
}

impl Aggregate<Sums, Option<String>> for ExactSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Sums> {
        Ok(Sums::default())
    }

    fn step(&self, ctx: &mut Context<'_>, sums: &mut Sums) -> rusqlite::Result<()> {
        let text: String = ctx.get(0)?;
        sums.add(&text)
            .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        sums: Option<Sums>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(sums.map(|s| Decimal::from_big(&s.total()).as_str().to_owned()))
    }
}

/// The SQL of one key over `eac_values v JOIN eacs e`.
fn key_sql(key: SummaryKey) -> &'static str {
    // Stored times are fixed-width UTC text (`2024-01-31T23:00:00.000000000Z`).
    match key {
        SummaryKey::Technology => "e.technology_type",
        SummaryKey::Year => "substr(coalesce(v.\"start\", e.period_start), 1, 4)",
        SummaryKey::Quarter => {
            "substr(coalesce(v.\"start\", e.period_start), 1, 4) || '-Q' || \
             ((CAST(substr(coalesce(v.\"start\", e.period_start), 6, 2) AS INTEGER) + 2) / 3)"
        }
        SummaryKey::Month => "substr(coalesce(v.\"start\", e.period_start), 1, 7)",
        SummaryKey::Source => "e.source_id",
        SummaryKey::Retired => {
            "CASE WHEN v.retired IS NOT NULL OR v.retired_undated = 1 \
             THEN 'retired' ELSE 'not_retired' END"
        }
    }
}

/// Values of the EACs matching `filter`, grouped by `by` (in that order;
/// a key named twice counts once), groups in ascending key order. No keys:
/// one group of everything (none when nothing matches).
pub(crate) fn grouped_totals(
    conn: &dyn Db,
    filter: &EacFilter,
    by: &[SummaryKey],
) -> Result<GroupedTotals> {
    let mut keys: Vec<SummaryKey> = Vec::new();
    for key in by {
        if !keys.contains(key) {
            keys.push(*key);
        }
    }
    let mut columns: Vec<String> = keys.iter().map(|k| key_sql(*k).to_owned()).collect();
    let key_count = columns.len();
    // A source's name for its label (names may differ between imports).
    columns.push("min(e.source_name)".to_owned());
    columns.push("COUNT(DISTINCT v.eac_id)".to_owned());
    // PostgreSQL sums the stored text exactly as `numeric`; the total is
    // written in the same canonical form below.
    let sum = match conn.kind() {
        Kind::Sqlite => "eacdesk_sum(v.value)",
        Kind::Postgres => "sum(CAST(v.value AS numeric))",
    };
    for unit in EnergyUnit::ALL {
        columns.push(format!("{sum} FILTER (WHERE v.unit = '{}')", unit.as_str()));
    }
    let mut sql = Sql::on(
        conn,
        &format!(
            "SELECT {} FROM eac_values v JOIN eacs e ON e.id = v.eac_id",
            columns.join(", ")
        ),
    );
    push_filter(&mut sql, filter)?;
    if key_count > 0 {
        let positions: Vec<String> = (1..=key_count).map(|i| i.to_string()).collect();
        let positions = positions.join(", ");
        // SQLite sorts NULL (a missing key) first; so does this there.
        let order: Vec<String> = (1..=key_count)
            .map(|i| match conn.kind() {
                Kind::Sqlite => i.to_string(),
                Kind::Postgres => format!("{i} NULLS FIRST"),
            })
            .collect();
        sql.push(&format!(
            " GROUP BY {positions} ORDER BY {}",
            order.join(", ")
        ));
    }
    let mut groups = Vec::new();
    conn.each(&sql.text, &sql.args(), &mut |row| {
        let count = from_count(row.get(key_count + 1)?);
        if count == 0 {
            return Ok(());
        }
        let source_name: Option<String> = row.get(key_count)?;
        let mut values = Vec::with_capacity(key_count);
        let mut labels = Vec::with_capacity(key_count);
        for (i, key) in keys.iter().enumerate() {
            let value: Option<String> = row.get(i)?;
            labels.push(label(*key, value.as_deref(), source_name.as_deref()));
            values.push(value);
        }
        let mut totals = Vec::new();
        for (i, unit) in EnergyUnit::ALL.iter().enumerate() {
            let total = match row.get::<rusqlite::types::Value>(key_count + 2 + i)? {
                rusqlite::types::Value::Null => None,
                // Written by `eacdesk_sum`: plain decimal text.
                rusqlite::types::Value::Text(total) if conn.kind() == Kind::Sqlite => Some(total),
                // A server's `numeric`, in the canonical form.
                rusqlite::types::Value::Text(total) => Some(canonical(&total)?),
                rusqlite::types::Value::Integer(total) => Some(canonical(&total.to_string())?),
                other => {
                    return Err(crate::StoreError::InvalidInput(format!(
                        "a sum of quantities came back as {other:?}"
                    )))
                }
            };
            if let Some(total) = total {
                debug_assert!(BigDecimal::from_str(&total).is_ok());
                totals.push(QuantityTotal { unit: *unit, total });
            }
        }
        groups.push(SummaryGroup {
            keys: values,
            labels,
            count,
            totals,
        });
        Ok(())
    })?;
    if keys.contains(&SummaryKey::Source) {
        groups = merge_spellings(groups)?;
    }
    Ok(GroupedTotals { by: keys, groups })
}

/// One group for each set of groups whose keys are the same text written
/// differently: a registry's id saved once with `É` as one character
/// (NFC) and once as `E` and a combining accent (NFD, as macOS saves
/// names) is one registry to a person, who cannot see the difference and
/// whose `ls --source` finds both (decision 140 as amended). The group
/// keeps the key and label of its first spelling in key order; counts add
/// up (an EAC has one source, so no EAC is in both) and totals add up
/// exactly.
fn merge_spellings(groups: Vec<SummaryGroup>) -> Result<Vec<SummaryGroup>> {
    use unicode_normalization::UnicodeNormalization;
    let nfc = |keys: &[Option<String>]| -> Vec<Option<String>> {
        keys.iter()
            .map(|k| k.as_deref().map(|k| k.nfc().collect()))
            .collect()
    };
    let mut merged: Vec<SummaryGroup> = Vec::with_capacity(groups.len());
    let mut at: std::collections::HashMap<Vec<Option<String>>, usize> =
        std::collections::HashMap::new();
    for group in groups {
        let Some(&i) = at.get(&nfc(&group.keys)) else {
            at.insert(nfc(&group.keys), merged.len());
            merged.push(group);
            continue;
        };
        let into = &mut merged[i];
        into.count += group.count;
        for t in group.totals {
            match into.totals.iter_mut().find(|o| o.unit == t.unit) {
                Some(o) => {
                    let sum = BigDecimal::from_str(&o.total).map_err(|e| {
                        crate::StoreError::InvalidInput(format!(
                            "a sum `{}` is not a number: {e}",
                            o.total
                        ))
                    })? + BigDecimal::from_str(&t.total).map_err(|e| {
                        crate::StoreError::InvalidInput(format!(
                            "a sum `{}` is not a number: {e}",
                            t.total
                        ))
                    })?;
                    o.total = Decimal::from_big(&sum).as_str().to_owned();
                }
                None => into.totals.push(t),
            }
        }
        into.totals.sort_by_key(|t| {
            EnergyUnit::ALL
                .iter()
                .position(|u| *u == t.unit)
                .unwrap_or(usize::MAX)
        });
    }
    Ok(merged)
}

/// Decimal text written as `eacdesk_sum` writes its totals.
fn canonical(text: &str) -> Result<String> {
    let big = BigDecimal::from_str(text).map_err(|e| {
        crate::StoreError::InvalidInput(format!("a sum `{text}` is not a number: {e}"))
    })?;
    Ok(Decimal::from_big(&big).as_str().to_owned())
}

fn label(key: SummaryKey, value: Option<&str>, source_name: Option<&str>) -> String {
    use eac_model::SpecEnum;
    let Some(value) = value else {
        return "missing".to_owned();
    };
    match key {
        SummaryKey::Technology => eac_model::TechnologyType::parse(value)
            .map_or_else(|| value.to_owned(), |t| t.label().to_owned()),
        SummaryKey::Source => match source_name {
            Some(name) if name != value => format!("{name} ({value})"),
            _ => value.to_owned(),
        },
        SummaryKey::Retired if value == "retired" => "Retired".to_owned(),
        SummaryKey::Retired => "Not retired".to_owned(),
        SummaryKey::Year | SummaryKey::Quarter | SummaryKey::Month => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(texts: &[&str]) -> Option<String> {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT)").unwrap();
        for t in texts {
            conn.execute("INSERT INTO t VALUES (?1)", [t]).unwrap();
        }
        conn.query_row("SELECT eacdesk_sum(v) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn sums_decimal_text_exactly() {
        assert_eq!(sum(&[]), None);
        assert_eq!(sum(&["0.1", "0.2"]).as_deref(), Some("0.3"));
        assert_eq!(
            sum(&["1000.0", "45.106820", "1e3", "0"]).as_deref(),
            Some("2045.106820")
        );
        // Beyond 36 digits and beyond i128: BigDecimal takes over.
        let big = "9".repeat(38);
        let total = sum(&[&big, &big, "1"]).unwrap();
        assert_eq!(
            BigDecimal::from_str(&total).unwrap(),
            BigDecimal::from_str(&big).unwrap() * 2 + 1
        );
        let near_max = "9".repeat(36);
        let many: Vec<&str> = vec![near_max.as_str(); 300];
        let total = sum(&many).unwrap();
        assert_eq!(
            BigDecimal::from_str(&total).unwrap(),
            BigDecimal::from_str(&near_max).unwrap() * 300
        );
    }

    #[test]
    fn mantissas_of_plain_text() {
        assert_eq!(scaled_i128("45.106820"), Some((45_106_820, 6)));
        assert_eq!(scaled_i128("0"), Some((0, 0)));
        assert_eq!(scaled_i128("1e3"), None);
        assert_eq!(scaled_i128("-1"), None);
        assert_eq!(scaled_i128(".5"), None);
    }
}
