//! What ties a stored EAC to the registry documents it came from: its rows
//! of `eac_sources` (which document, where in it, what it stated) and of
//! `eac_ranges` (its certificates as numbers). They go with the EAC into
//! the audit states of an import replacing it, a deletion and an undo
//! (`sources` and `ranges` beside `data`), so that undoing an import puts
//! them back with the version it replaced; and they come off an EAC whose
//! registry facts a CDS listing or bundle replaces ([`contradicts`]), since
//! the documents no longer hold what it says.

use eac_model::{Eac, EacValue};
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::rows;
use crate::write::Write;
use crate::Result;

/// A row of `eac_sources`, the document named by its SHA-256 (the same on
/// every copy of the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SourceRow {
    pub document: String,
    pub file_name: String,
    pub locator: String,
    pub range_text: Option<String>,
    pub imported_at: String,
    pub import_batch_id: Option<i64>,
    /// What the document stated of the EAC (JSON text), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<String>,
}

/// A row of `eac_ranges`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RangeRow {
    pub position: i64,
    pub registry: String,
    pub series: String,
    pub first: String,
    pub last: String,
    pub first_key: String,
    pub last_key: String,
}

/// An EAC's documents and ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Attached {
    pub sources: Vec<SourceRow>,
    pub ranges: Vec<RangeRow>,
}

impl Attached {
    pub(crate) fn is_empty(&self) -> bool {
        self.sources.is_empty() && self.ranges.is_empty()
    }

    /// The same documents and ranges without what each document stated
    /// (`stated`), as the record of the version after an import keeps
    /// them: only a version before is ever put back (an undo), so the
    /// statements are kept once, there (each EAC's would otherwise be
    /// written twice into every record of a restatement).
    pub(crate) fn without_statements(&self) -> Attached {
        let mut out = self.clone();
        for s in &mut out.sources {
            s.stated = None;
        }
        out
    }

    /// The documents in words, for the audit view: `stmt.csv (line 2)`,
    /// separated by `; `; `None` when there are none.
    pub(crate) fn sources_text(&self) -> Option<String> {
        let words: Vec<String> = (self.sources.iter())
            .map(|s| format!("{} ({})", s.file_name, s.locator))
            .collect();
        (!words.is_empty()).then(|| words.join("; "))
    }

    /// The ranges in words: `ofgem 1 – 100`, separated by `; `.
    pub(crate) fn ranges_text(&self) -> Option<String> {
        let words: Vec<String> = (self.ranges.iter())
            .map(|r| match r.first == r.last {
                true => format!("{} {}", r.registry, r.first),
                false => format!("{} {} – {}", r.registry, r.first, r.last),
            })
            .collect();
        (!words.is_empty()).then(|| words.join("; "))
    }
}

/// The import warning that `attached` came off EAC `id` (its registry
/// facts replaced by a CDS listing or bundle).
pub(crate) fn detached_warning(id: &str, attached: &Attached) -> eac_model::Violation {
    let mut names: Vec<&str> = attached
        .sources
        .iter()
        .map(|s| s.file_name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let documents = match names.len() {
        0 => "the registry statement it came from".to_owned(),
        1 => format!("the registry document {}", names[0]),
        _ => format!("the registry documents {}", names.join(", ")),
    };
    let range = match attached.ranges_text() {
        Some(r) => {
            format!(" and its certificate range ({r}) is no longer compared for double counting")
        }
        None => String::new(),
    };
    let is = if names.len() > 1 { "are" } else { "is" };
    let mut v = eac_model::Violation::unruled(format!(
        "EAC `{id}` came from {documents}; this file states what the registry stated \
         (its source, asset, period, quantities, retirement or the registry's `eacdesk_` \
         members) differently, so once this file is imported {documents} {is} no longer named \
         as its source{range}; the audit record of the replacement keeps them and undoing the \
         import puts them back."
    ))
    .with_eac(Some(id));
    v.severity = eac_model::Severity::Warning;
    v
}

/// The documents and ranges of the EACs in rows `rows`, in order; `None`
/// for an EAC without any (a CDS import's). Two look-ups for up to 32
/// EACs ([`rows::each_of`]).
pub(crate) fn read_many(db: &dyn Db, rows_of: &[i64]) -> Result<Vec<Option<Attached>>> {
    let mut found: Vec<Attached> = vec![Attached::default(); rows_of.len()];
    rows::each_of(
        db,
        rows_of,
        |k| {
            format!(
                "SELECT {k}, d.sha256, s.file_name, s.locator, s.range_text, s.imported_at,
                        s.import_batch_id, s.stated
                   FROM eac_sources s JOIN documents d ON d.id = s.document_id
                  WHERE s.eac_id = ?"
            )
        },
        |row| vec![row as &dyn rusqlite::ToSql],
        &mut |at, r| {
            found[at].sources.push(SourceRow {
                document: r.get(0)?,
                file_name: r.get(1)?,
                locator: r.get(2)?,
                range_text: r.get(3)?,
                imported_at: r.get(4)?,
                import_batch_id: r.get(5)?,
                stated: r.get(6)?,
            });
            Ok(())
        },
    )?;
    rows::each_of(
        db,
        rows_of,
        |k| {
            format!(
                "SELECT {k}, position, registry, series, first, last, first_key, last_key
                   FROM eac_ranges WHERE eac_id = ?"
            )
        },
        |row| vec![row as &dyn rusqlite::ToSql],
        &mut |at, r| {
            found[at].ranges.push(RangeRow {
                position: r.get(0)?,
                registry: r.get(1)?,
                series: r.get(2)?,
                first: r.get(3)?,
                last: r.get(4)?,
                first_key: r.get(5)?,
                last_key: r.get(6)?,
            });
            Ok(())
        },
    )?;
    Ok(found
        .into_iter()
        .map(|mut a| {
            // In one order whatever order the rows came in.
            a.sources.sort_by(|x, y| {
                (&x.imported_at, &x.file_name, &x.locator).cmp(&(
                    &y.imported_at,
                    &y.file_name,
                    &y.locator,
                ))
            });
            a.ranges.sort_by_key(|r| r.position);
            (!a.is_empty()).then_some(a)
        })
        .collect())
}

/// [`read_many`] of one EAC.
pub(crate) fn read(db: &dyn Db, row: i64) -> Result<Option<Attached>> {
    Ok(read_many(db, &[row])?.pop().flatten())
}

/// Takes the documents and ranges off the EAC in row `row`.
pub(crate) fn detach(w: &Write, row: i64) -> Result<()> {
    for sql in [
        "DELETE FROM eac_sources WHERE eac_id = ?1",
        "DELETE FROM eac_ranges WHERE eac_id = ?1",
    ] {
        w.db().execute(sql, &[&row])?;
    }
    Ok(())
}

/// Puts `attached` (back) on the EAC in row `row`, which holds none.
pub(crate) fn restore(w: &Write, row: i64, attached: &Attached) -> Result<()> {
    for s in &attached.sources {
        let document: Option<i64> = w.db().query_opt(
            "SELECT id FROM documents WHERE sha256 = ?1",
            &[&s.document],
            |r| Ok(r.get(0)?),
        )?;
        // Documents are never removed; one missing was taken out by
        // another tool, and its row cannot point at it.
        let Some(document) = document else { continue };
        w.db().execute(
            "INSERT INTO eac_sources (eac_id, document_id, file_name, locator, range_text,
                imported_at, import_batch_id, stated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT DO NOTHING",
            &[
                &row,
                &document,
                &s.file_name,
                &s.locator,
                &s.range_text,
                &s.imported_at,
                &s.import_batch_id,
                &s.stated,
            ],
        )?;
    }
    for r in &attached.ranges {
        w.db().execute(
            "INSERT INTO eac_ranges (eac_id, position, registry, series, first, last,
                first_key, last_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT DO NOTHING",
            &[
                &row,
                &r.position,
                &r.registry,
                &r.series,
                &r.first,
                &r.last,
                &r.first_key,
                &r.last_key,
            ],
        )?;
    }
    Ok(())
}

/// Whether `after` states what a registry document stated of `before`
/// differently: its number, source, asset, period, a value's quantity,
/// unit, interval or number, an issue or retirement date the EAC had, or
/// one of the registry's members (`eacdesk_*`). What a person completes
/// (destination, beneficiaries, origins, commissioning date, technology,
/// emission factors, a missing issue date, the date of an undated
/// retirement) and other tools' members are no registry facts.
pub(crate) fn contradicts(before: &Eac, after: &Eac) -> bool {
    if before.eac_number != after.eac_number
        || before.source_id != after.source_id
        || before.source_name != after.source_name
        || before.asset_id != after.asset_id
        || before.period_start != after.period_start
        || before.period_end != after.period_end
        || before.values.len() != after.values.len()
        || registry_members(&before.extensions) != registry_members(&after.extensions)
    {
        return true;
    }
    before
        .values
        .iter()
        .zip(&after.values)
        .any(|(b, a)| value_contradicts(b, a))
}

fn value_contradicts(b: &EacValue, a: &EacValue) -> bool {
    b.eac_number != a.eac_number
        || b.start != a.start
        || b.end != a.end
        || b.unit != a.unit
        || b.value.as_str() != a.value.as_str()
        || (b.issued.is_some() && b.issued != a.issued)
        || (b.retired.is_some() && b.retired != a.retired)
        // A claim the document proved (dated or not) taken away, or one
        // it did not prove added.
        || b.is_retired() != a.is_retired()
        || registry_members(&b.extensions) != registry_members(&a.extensions)
}

/// The `eacdesk_*` members of `ext`, as (name, JSON text), sorted.
fn registry_members(ext: &eac_model::Extensions) -> Vec<(&str, &str)> {
    let mut members: Vec<(&str, &str)> = (ext.iter())
        .filter(|(k, _)| k.starts_with("eacdesk_"))
        .map(|(k, v)| (k.as_str(), v.get()))
        .collect();
    members.sort_unstable();
    members
}
