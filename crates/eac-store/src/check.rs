//! Double counting: stored ranges of one registry sharing certificates
//! (partly or wholly, across documents and formats), the same certificates
//! claimed for two different beneficiaries, and certificates retired twice
//! (overlapping retired ranges, or one certificate number retired in two
//! EACs of one source). Ranges are compared as numbers (`registry::seq_key`),
//! so adjacent ranges (…10 and 11…) do not overlap. Also the stored EACs
//! holding text longer than the cap every reader and export holds EACs to
//! (stored before it, or written by another program).

use std::collections::HashSet;

use eac_model::{CheckOptions, Eac, Violation};
use serde::{Deserialize, Serialize};

use crate::db::{Db, Kind};
use crate::registry::{key_to_seq, shared_count};
use crate::{query, rows, EacFilter, Phase, Progress, Result, StoreError};

/// What kind of double counting a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Two stored ranges share certificates (at most one of them claimed).
    Overlap,
    /// The shared certificates are claimed for two different beneficiaries.
    ClaimedTwice,
    /// The same certificates are retired twice (same or unknown beneficiary).
    RetiredTwice,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Overlap => "overlap",
            FindingKind::ClaimedTwice => "claimed_twice",
            FindingKind::RetiredTwice => "retired_twice",
        }
    }
}

/// One side of a finding: a stored EAC and its range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FindingSide {
    pub cds_eac_id: String,
    /// First and last certificate (or the certificate number) as printed.
    pub first: String,
    pub last: String,
    /// The registry status kept on import (`eacdesk_status`), if any.
    pub status: Option<String>,
    pub retired: bool,
    /// Who it is claimed for: the CDS beneficiaries, else the registry's
    /// beneficiary name.
    pub beneficiary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    pub kind: FindingKind,
    /// The registry (numbering) both ranges belong to, or the source id for
    /// certificate numbers retired twice.
    pub registry: String,
    pub a: FindingSide,
    pub b: FindingSide,
    /// How many certificates both hold, exactly.
    pub shared: String,
    /// Plain words naming both sides.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckReport {
    /// Stored ranges compared.
    pub ranges: usize,
    /// Of those, the ranges of the EACs a filter selected (a finding is
    /// one of theirs against any stored range); absent for a check of
    /// every EAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub matching_ranges: Option<usize>,
    pub findings: Vec<Finding>,
    /// Stored documents whose bytes no longer have their SHA-256: the
    /// whole database's for an unfiltered check, those the selected EACs
    /// came from for a filtered one (`Store::altered_documents`).
    #[serde(default)]
    pub documents: Vec<crate::AlteredDocument>,
    /// What every export refuses in the stored EACs checked (the filter's,
    /// else all): text longer than 4096 characters (`eac_model::text`),
    /// stored before that cap or by another program. Each names its EAC
    /// (unless the id is itself too long), its place in it and the rule.
    #[serde(default)]
    pub violations: Vec<Violation>,
}

struct StoredRange {
    eac_id: i64,
    registry: String,
    series: String,
    first: String,
    last: String,
    first_key: String,
    last_key: String,
}

/// The steps of [`Phase::Check`]: the stored ranges compared, then the
/// retired certificate numbers grouped.
const STEPS: u64 = 2;

/// Runs every double-counting check over the stored EACs; a finding is
/// reported when at least one of its two EACs matches `filter`. Reports
/// its steps through `progress` and stops with [`StoreError::Cancelled`]
/// when that is cancelled, also in the middle of a query (a million EACs
/// take seconds, most of them in one grouping query).
pub(crate) fn check(
    conn: &dyn Db,
    filter: &EacFilter,
    progress: &dyn Progress,
) -> Result<CheckReport> {
    crate::db::interruptible(conn, progress, || checked(conn, filter, progress))
}

fn checked(conn: &dyn Db, filter: &EacFilter, progress: &dyn Progress) -> Result<CheckReport> {
    let step = |done: u64| {
        progress.update(Phase::Check, done, Some(STEPS));
        if progress.is_cancelled() {
            Err(StoreError::Cancelled)
        } else {
            Ok(())
        }
    };
    step(0)?;
    let wanted = wanted(conn, filter)?;
    let (ranges, matching_ranges, found) = findings(conn, wanted.as_ref(), None, progress, &step)?;
    let violations = long_texts(conn, wanted.as_ref(), progress)?;
    Ok(CheckReport {
        ranges,
        matching_ranges,
        findings: found.into_iter().map(|(f, _)| f).collect(),
        documents: Vec::new(),
        violations,
    })
}

/// The stored EACs (those among `wanted`; `None`: all) holding a string
/// longer than the text cap, by what the per-EAC rules say of each (every
/// export runs them): only EACs with a text column over the cap in
/// characters are read (an extension's JSON is longer than any string or
/// name in it), so the others cost one comparison each, in SQL.
fn long_texts(
    conn: &dyn Db,
    wanted: Option<&HashSet<i64>>,
    progress: &dyn Progress,
) -> Result<Vec<Violation>> {
    let over = |columns: &[&str]| -> String {
        (columns.iter())
            .map(|c| format!("length({c}) > {}", eac_model::MAX_TEXT_CHARS))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let sql = format!(
        "SELECT id FROM eacs WHERE {}
         UNION SELECT eac_id FROM eac_values WHERE {}
         UNION SELECT eac_id FROM eac_beneficiaries WHERE {}
         ORDER BY 1",
        over(&[
            "cds_eac_id",
            "eac_number",
            "source_id",
            "source_name",
            "destination_id",
            "destination_name",
            "asset_id",
            "extensions",
        ]),
        over(&["eac_number", "extensions"]),
        over(&["beneficiary_id"]),
    );
    let rows: Vec<i64> = conn.collect(&sql, &[], |r| Ok(r.get::<i64>(0)?))?;
    // Incomplete EACs are not refused for what they lack here: an export
    // names that itself, and `ls --incomplete` lists them.
    let check = CheckOptions::import().with_extended_technologies(true);
    let mut out = Vec::new();
    for row in rows
        .into_iter()
        .filter(|r| wanted.is_none_or(|w| w.contains(r)))
    {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let eac = crate::rows::load_eac_by_id(conn, row)?;
        out.extend(
            eac_model::check_eac(&eac, "", check)
                .into_iter()
                .filter(Violation::is_error)
                .map(|v| v.with_eac(Some(&eac.cds_eac_id))),
        );
    }
    Ok(out)
}

/// The rows of the EACs `filter` keeps; `None`: every EAC.
fn wanted(conn: &dyn Db, filter: &EacFilter) -> Result<Option<HashSet<i64>>> {
    if *filter == EacFilter::default() {
        return Ok(None);
    }
    let mut sql = query::Sql::on(conn, "SELECT e.id FROM eacs e");
    query::push_filter(&mut sql, filter)?;
    let ids = conn.collect(&sql.text, &sql.args(), |r| Ok(r.get::<i64>(0)?))?;
    Ok(Some(ids.into_iter().collect()))
}

/// Which certificates of its EACs a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shared {
    /// Their stored ranges: every value of each.
    Range,
    /// One certificate number (a value's, else its EAC's), of the retired
    /// values carrying it.
    Number(String),
}

/// A certificate number: a value's own, else its EAC's (`v`: `eac_values`,
/// `e`: `eacs`). With [`RETIRED`], what makes one certificate retired
/// twice: both the grouping of [`numbers_retired_twice`] and the values a
/// finding names ([`stored_twice`]) read them.
const NUMBER: &str = "COALESCE(v.eac_number, e.eac_number)";
const RETIRED: &str = "(v.retired IS NOT NULL OR v.retired_undated = 1)";

/// What [`findings`] gives: the stored ranges compared, of them those of
/// the EACs wanted (`None`: all were), and the findings with what each is
/// about.
type Found = (usize, Option<usize>, Vec<(Finding, Shared)>);

/// Every finding with one side among `wanted` (`None`: all), and which
/// certificates it is about; the number of stored ranges compared, and of
/// them those of `wanted` (`None` without it).
///
/// `near`: the `cds_eac_id`s of `wanted`, when they are few (a claim's
/// EACs): only the stored ranges that can share certificates with theirs
/// are read (those of their registry and series within their key span,
/// through `eac_ranges_by_series`) and only the retired values of their
/// sources and certificate numbers grouped, instead of the whole
/// database's. A finding is still a pair of those, decided below as for
/// the whole database, so both give the same findings.
fn findings(
    conn: &dyn Db,
    wanted: Option<&HashSet<i64>>,
    near: Option<&[String]>,
    progress: &dyn Progress,
    step: &dyn Fn(u64) -> Result<()>,
) -> Result<Found> {
    let keep = |a: i64, b: i64| wanted.is_none_or(|w| w.contains(&a) || w.contains(&b));

    let order = match conn.kind() {
        Kind::Sqlite => " ORDER BY o.registry, o.series, o.first_key, o.eac_id",
        Kind::Postgres => " ORDER BY o.registry, o.series NULLS FIRST, o.first_key, o.eac_id",
    };
    let mut ranges_sql = query::Sql::on(
        conn,
        "SELECT o.eac_id, o.registry, o.series, o.first, o.last, o.first_key, o.last_key",
    );
    match near {
        None => {
            ranges_sql.push(" FROM eac_ranges o");
        }
        Some(ids) => {
            // One key span per registry and series of the asked EACs: a
            // range outside it shares no certificate with theirs.
            ranges_sql.push(
                " FROM (SELECT r.registry, r.series, min(r.first_key) AS lo,
                               max(r.last_key) AS hi
                          FROM eac_ranges r JOIN eacs e ON e.id = r.eac_id
                         WHERE e.cds_eac_id IN ",
            );
            query::push_id_list(&mut ranges_sql, ids);
            ranges_sql.push(
                " GROUP BY r.registry, r.series) a
                  JOIN eac_ranges o ON o.registry = a.registry AND o.series = a.series
                   AND o.first_key <= a.hi AND o.last_key >= a.lo",
            );
        }
    }
    ranges_sql.push(order);
    let ranges: Vec<StoredRange> = conn.collect(&ranges_sql.text, &ranges_sql.args(), |r| {
        Ok(StoredRange {
            eac_id: r.get(0)?,
            registry: r.get(1)?,
            series: r.get(2)?,
            first: r.get(3)?,
            last: r.get(4)?,
            first_key: r.get(5)?,
            last_key: r.get(6)?,
        })
    })?;

    // Sweep: ranges sorted by start; `open` holds those of the same
    // registry and series that may still reach the current one.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        open.retain(|&j| {
            let o = &ranges[j];
            o.registry == r.registry && o.series == r.series && o.last_key >= r.first_key
        });
        for &j in &open {
            if keep(ranges[j].eac_id, r.eac_id) {
                pairs.push((j, i));
            }
        }
        open.push(i);
    }

    let mut sides = Sides::default();
    let mut findings = Vec::with_capacity(pairs.len());
    for (j, i) in pairs {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let (a, b) = (&ranges[j], &ranges[i]);
        let shared = shared_count(
            (&key_to_seq(&a.first_key), &key_to_seq(&a.last_key)),
            (&key_to_seq(&b.first_key), &key_to_seq(&b.last_key)),
        );
        let side_a = sides.of(conn, a.eac_id, &a.first, &a.last)?;
        let side_b = sides.of(conn, b.eac_id, &b.first, &b.last)?;
        findings.push((
            finding(a.registry.clone(), side_a, side_b, shared),
            Shared::Range,
        ));
    }
    step(1)?;
    findings.extend(numbers_retired_twice(
        conn, &keep, near, progress, &mut sides,
    )?);
    step(STEPS)?;
    let matching = wanted.map(|w| ranges.iter().filter(|r| w.contains(&r.eac_id)).count());
    Ok((ranges.len(), matching, findings))
}

/// The page cache while the retired values are grouped (negative: KiB;
/// [`crate::db::with_page_cache`]): with the store's 32 MiB a million EACs
/// (5.2M retired values) peaked at 77 MiB, with this 21 MiB in the same
/// time.
const CHECK_CACHE_KIB: i64 = -4096;

/// Certificate numbers (a value's, else its EAC's) retired in two EACs of
/// one source that carry no range (CDS imports). `near` ([`findings`]):
/// only the groups of the asked EACs' sources and retired numbers.
fn numbers_retired_twice(
    conn: &dyn Db,
    keep: &dyn Fn(i64, i64) -> bool,
    near: Option<&[String]>,
    progress: &dyn Progress,
    sides: &mut Sides,
) -> Result<Vec<(Finding, Shared)>> {
    let ids = match conn.kind() {
        Kind::Sqlite => "group_concat(DISTINCT e.id)",
        Kind::Postgres => "string_agg(DISTINCT CAST(e.id AS text), ',')",
    };
    let mut sql = query::Sql::on(
        conn,
        &format!(
            "SELECT e.source_id, {NUMBER} AS number, {ids}
               FROM eac_values v JOIN eacs e ON e.id = v.eac_id
              WHERE {RETIRED}
                AND {NUMBER} IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM eac_ranges r WHERE r.eac_id = e.id)"
        ),
    );
    if let Some(asked) = near {
        // The same source (through `eacs_by_source_id`) and number as a
        // retired value of an asked EAC: a group without one names none.
        let of_asked = |sql: &mut query::Sql, column: &str| {
            sql.push(&format!(
                " AND {column} IN (SELECT {column} FROM eac_values v
                                     JOIN eacs e ON e.id = v.eac_id
                                    WHERE {RETIRED} AND e.cds_eac_id IN "
            ));
            query::push_id_list(sql, asked);
            sql.push(")");
        };
        of_asked(&mut sql, "e.source_id");
        of_asked(&mut sql, NUMBER);
    }
    sql.push(
        " GROUP BY e.source_id, number
         HAVING COUNT(DISTINCT e.id) > 1
          ORDER BY e.source_id, number",
    );
    let groups: Vec<(String, String, String)> =
        crate::db::with_page_cache(conn, CHECK_CACHE_KIB, || {
            conn.collect(&sql.text, &sql.args(), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
        })?;
    let mut out = Vec::new();
    for (source, number, ids) in groups {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let mut ids: Vec<i64> = ids.split(',').filter_map(|s| s.parse().ok()).collect();
        ids.sort_unstable();
        for (k, &a) in ids.iter().enumerate() {
            for &b in &ids[k + 1..] {
                if !keep(a, b) {
                    continue;
                }
                let sa = sides.of(conn, a, &number, &number)?;
                let sb = sides.of(conn, b, &number, &number)?;
                let mut f = finding(source.clone(), sa, sb, "1".to_owned());
                // Both are retired by construction.
                f.kind = FindingKind::RetiredTwice;
                f.message = format!(
                    "certificate `{number}` of source {source} is retired in EAC `{}` and again in EAC `{}`",
                    f.a.cds_eac_id, f.b.cds_eac_id
                );
                out.push((f, Shared::Number(number.clone())));
            }
        }
    }
    Ok(out)
}

/// A stored value holding certificates another stored EAC holds too: one
/// side of a [`check`] finding, narrowed to its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueStoredTwice {
    pub cds_eac_id: String,
    /// 0-based, as stored.
    pub position: u32,
    /// The other EAC of the finding.
    pub other_eac: String,
    /// The finding as `eacdesk check` gives it.
    pub finding: Finding,
}

/// The values of the EACs `cds_eac_ids` whose certificates another stored
/// EAC holds too, by [`check`]'s own findings (decision 171's claims read
/// them): a range finding names every value of its EACs, a number retired
/// twice the retired values carrying that number. In EAC id, position and
/// finding order.
pub(crate) fn stored_twice(conn: &dyn Db, cds_eac_ids: &[String]) -> Result<Vec<ValueStoredTwice>> {
    if cds_eac_ids.is_empty() {
        return Ok(Vec::new());
    }
    let filter = EacFilter {
        ids: Some(cds_eac_ids.to_vec()),
        ..EacFilter::default()
    };
    let wanted = wanted(conn, &filter)?;
    let (_, _, found) = findings(
        conn,
        wanted.as_ref(),
        Some(cds_eac_ids),
        &crate::NoProgress,
        &|_| Ok(()),
    )?;
    let asked: HashSet<&str> = cds_eac_ids.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for (f, shared) in found {
        for (side, other) in [(&f.a, &f.b), (&f.b, &f.a)] {
            if !asked.contains(side.cds_eac_id.as_str()) {
                continue;
            }
            let positions: Vec<u32> = match &shared {
                Shared::Range => conn.collect(
                    "SELECT v.position FROM eac_values v JOIN eacs e ON e.id = v.eac_id
                      WHERE e.cds_eac_id = ?1 ORDER BY v.position",
                    &[&side.cds_eac_id],
                    |r| Ok(r.get(0)?),
                )?,
                Shared::Number(number) => conn.collect(
                    &format!(
                        "SELECT v.position FROM eac_values v JOIN eacs e ON e.id = v.eac_id
                          WHERE e.cds_eac_id = ?1 AND {NUMBER} = ?2 AND {RETIRED}
                          ORDER BY v.position"
                    ),
                    &[&side.cds_eac_id, number],
                    |r| Ok(r.get(0)?),
                )?,
            };
            out.extend(positions.into_iter().map(|position| ValueStoredTwice {
                cds_eac_id: side.cds_eac_id.clone(),
                position,
                other_eac: other.cds_eac_id.clone(),
                finding: f.clone(),
            }));
        }
    }
    out.sort_by(|a, b| (&a.cds_eac_id, a.position).cmp(&(&b.cds_eac_id, b.position)));
    Ok(out)
}

pub(crate) fn extension_text(eac: &Eac, key: &str) -> Option<String> {
    eac.extensions
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, raw)| serde_json::from_str::<String>(raw.get()).ok())
}

/// What a finding shows of each EAC it names, read once per EAC however
/// many findings name it (a number retired in `k` EACs makes `k(k-1)/2`
/// findings).
#[derive(Default)]
struct Sides(std::collections::HashMap<i64, FindingSide>);

impl Sides {
    /// The side of the EAC in row `id`, for the certificates `first`…`last`.
    fn of(&mut self, conn: &dyn Db, id: i64, first: &str, last: &str) -> Result<FindingSide> {
        let known = match self.0.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(side(&rows::load_eac_by_id(conn, id)?, "", ""))
            }
        };
        Ok(FindingSide {
            first: first.to_owned(),
            last: last.to_owned(),
            ..known.clone()
        })
    }
}

fn side(eac: &Eac, first: &str, last: &str) -> FindingSide {
    let retired = eac.values.iter().any(eac_model::EacValue::is_retired);
    let beneficiary = match eac.beneficiary_type {
        Some(t) if !eac.beneficiaries.is_empty() => {
            Some(format!("{t}: {}", eac.beneficiaries.join(", ")))
        }
        _ => extension_text(eac, "eacdesk_beneficiary_name"),
    };
    FindingSide {
        cds_eac_id: eac.cds_eac_id.clone(),
        first: first.to_owned(),
        last: last.to_owned(),
        status: extension_text(eac, "eacdesk_status"),
        retired,
        beneficiary,
    }
}

fn range_words(s: &FindingSide) -> String {
    if s.first == s.last {
        s.first.clone()
    } else {
        format!("{} – {}", s.first, s.last)
    }
}

fn finding(registry: String, a: FindingSide, b: FindingSide, shared: String) -> Finding {
    let kind = match (a.retired && b.retired, &a.beneficiary, &b.beneficiary) {
        (true, Some(x), Some(y)) if x != y => FindingKind::ClaimedTwice,
        (true, _, _) => FindingKind::RetiredTwice,
        _ => FindingKind::Overlap,
    };
    let what = match kind {
        FindingKind::Overlap => "share".to_owned(),
        FindingKind::RetiredTwice => "are both retired and share".to_owned(),
        FindingKind::ClaimedTwice => format!(
            "are claimed for different beneficiaries ({} and {}) and share",
            a.beneficiary.as_deref().unwrap_or("?"),
            b.beneficiary.as_deref().unwrap_or("?")
        ),
    };
    let message = format!(
        "{registry}: {} (EAC `{}`) and {} (EAC `{}`) {what} {shared} certificates",
        range_words(&a),
        a.cds_eac_id,
        range_words(&b),
        b.cds_eac_id
    );
    Finding {
        kind,
        registry,
        a,
        b,
        shared,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grouping runs on a small page cache (`CHECK_CACHE_KIB`); the
    /// store's own comes back after it, for the browsing and writing that
    /// follow.
    #[test]
    fn a_check_gives_the_store_its_page_cache_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::Store::open(&dir.path().join("db.sqlite")).unwrap();
        let listing = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/spec-examples/good-p1-mixed-order.json");
        store
            .import_file(
                &listing,
                crate::ImportOptions::default(),
                &crate::NoProgress,
            )
            .unwrap();
        let report = store
            .check(&EacFilter::default(), &crate::NoProgress)
            .unwrap();
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        let cache: i64 = store
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))
            .unwrap();
        assert_eq!(cache, crate::STORE_CACHE_KIB);
    }
}
