//! Completing and correcting fields of stored EACs (`eacdesk set`, the
//! detail pane, bulk edit): one EAC or every EAC a filter matches, in one
//! transaction, each change audited with the whole EAC before and after.
//! EAC-level fields are set as given; a value's `issued` and `retired`
//! dates are filled only where the value lacks them (a statement that
//! proves a redemption but prints no date). An issue date a person
//! entered with `set` is corrected on an EAC named by its id; one the
//! imported document gave is never changed (decision 95 and its sequel).

use std::collections::HashSet;
use std::time::Instant;

use eac_model::{
    check_eac, AssetLocationType, CheckOptions, Date, Decimal, Eac, TechnologyType, Violation,
};
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::write::{Reason, Write};
use crate::{history, import, lock, rows, DeleteTarget, Progress, Result, StoreError};

/// A field `set` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SettableField {
    DestinationId,
    DestinationName,
    AssetOrigination,
    AssetDestination,
    AssetCommissioned,
    TechnologyType,
    EmissionsFactorDirect,
    EmissionsFactorLca,
    /// Values lacking an issue date.
    Issued,
    /// Values proven retired without a date.
    Retired,
}

impl SettableField {
    pub const ALL: &'static [SettableField] = &[
        SettableField::DestinationId,
        SettableField::DestinationName,
        SettableField::AssetOrigination,
        SettableField::AssetDestination,
        SettableField::AssetCommissioned,
        SettableField::TechnologyType,
        SettableField::EmissionsFactorDirect,
        SettableField::EmissionsFactorLca,
        SettableField::Issued,
        SettableField::Retired,
    ];

    /// The CDS field name.
    pub fn as_str(self) -> &'static str {
        match self {
            SettableField::DestinationId => "destination_id",
            SettableField::DestinationName => "destination_name",
            SettableField::AssetOrigination => "asset_origination",
            SettableField::AssetDestination => "asset_destination",
            SettableField::AssetCommissioned => "asset_commissioned",
            SettableField::TechnologyType => "technology_type",
            SettableField::EmissionsFactorDirect => "emissions_factor_direct",
            SettableField::EmissionsFactorLca => "emissions_factor_lca",
            SettableField::Issued => "issued",
            SettableField::Retired => "retired",
        }
    }

    pub fn parse(name: &str) -> Option<SettableField> {
        SettableField::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == name)
    }

    /// What the value must look like, for messages and help.
    pub fn expects(self) -> &'static str {
        match self {
            SettableField::DestinationId | SettableField::DestinationName => "text (not blank)",
            SettableField::AssetOrigination | SettableField::AssetDestination => {
                "grid or region"
            }
            SettableField::TechnologyType => {
                "solar, wind, hydro, geothermal, biomass, natural_gas, coal, oil (or nuclear, marine, storage)"
            }
            SettableField::EmissionsFactorDirect | SettableField::EmissionsFactorLca => {
                "a number, 0 or more, with a dot (0.4)"
            }
            SettableField::AssetCommissioned | SettableField::Issued | SettableField::Retired => {
                "a date YYYY-MM-DD"
            }
        }
    }
}

/// One field and the value to give it, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldValue {
    pub field: SettableField,
    pub value: String,
}

/// A checked value.
#[derive(Debug, Clone)]
enum Change {
    Text(SettableField, String),
    Location(SettableField, AssetLocationType),
    Technology(TechnologyType),
    Factor(SettableField, Decimal),
    Date(SettableField, Date),
}

/// Checks every value before anything is read or written; all problems at
/// once, in plain words.
fn parse_changes(values: &[FieldValue]) -> Result<Vec<Change>> {
    if values.is_empty() {
        return Err(StoreError::InvalidInput(
            "name at least one field to set, as FIELD=VALUE".to_owned(),
        ));
    }
    let mut problems = Vec::new();
    // Of `problems`, those of a number breaking the rule for amounts.
    let mut numbers = 0;
    let mut long = Vec::new();
    let mut out = Vec::new();
    for (i, fv) in values.iter().enumerate() {
        if values[..i].iter().any(|other| other.field == fv.field) {
            problems.push(format!("`{}` is given twice", fv.field.as_str()));
            continue;
        }
        let f = fv.field;
        let text = fv.value.trim();
        let bad = || {
            let found = if text.is_empty() {
                "is empty".to_owned()
            } else {
                format!("cannot be `{}`", eac_model::quote(&fv.value))
            };
            format!("`{}` {found}: it must be {}", f.as_str(), f.expects())
        };
        let change = match f {
            SettableField::DestinationId | SettableField::DestinationName => {
                // The text cap of every EAC string, refused before any
                // EAC is read, as the per-EAC rules would refuse each
                // edited EAC (a rule violation at the field, as `set`'s).
                if let Some(chars) = eac_model::text::too_long(text) {
                    let what = format!("`{}`", f.as_str());
                    long.push(Violation::error(
                        eac_model::Rule::RequiredKeys,
                        format!("/{}", f.as_str()),
                        eac_model::text::too_long_message(&what, chars),
                    ));
                    continue;
                }
                (!text.is_empty()).then(|| Change::Text(f, text.to_owned()))
            }
            SettableField::AssetOrigination | SettableField::AssetDestination => {
                AssetLocationType::parse(text).map(|t| Change::Location(f, t))
            }
            SettableField::TechnologyType => TechnologyType::parse(text).map(Change::Technology),
            SettableField::EmissionsFactorDirect | SettableField::EmissionsFactorLca => {
                match crate::parse_emission_factor(f.as_str(), text) {
                    Ok(d) => Some(Change::Factor(f, d)),
                    Err(e) => {
                        problems.push(e.to_string());
                        numbers += 1;
                        continue;
                    }
                }
            }
            SettableField::AssetCommissioned | SettableField::Issued | SettableField::Retired => {
                Date::parse(text).ok().map(|d| Change::Date(f, d))
            }
        };
        match change {
            Some(c) => out.push(c),
            None => problems.push(bad()),
        }
    }
    if problems.is_empty() && long.is_empty() {
        Ok(out)
    } else if problems.is_empty() {
        Err(StoreError::Rules {
            file: "set".to_owned(),
            violations: long,
        })
    } else if problems.len() == numbers {
        // Only data breaking a rule (an emission factor that is no
        // amount, a text over the cap): as `set-emissions` says the same
        // number (decision 70), a `validation` refusal, exit 1.
        problems.extend(long.into_iter().map(|v| v.message));
        Err(StoreError::InvalidNumber(problems.join("; ")))
    } else {
        problems.extend(long.into_iter().map(|v| v.message));
        Err(StoreError::InvalidInput(problems.join("; ")))
    }
}

/// What `apply` left as it was of the dates asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Kept {
    /// A value kept another issue date than the one `issued` gave.
    issued: bool,
    /// A value is not retired, which `retired` does not change.
    not_retired: bool,
    /// A value kept another retirement date than the one `retired` gave.
    retired_other: bool,
}

/// `eac` with the changes applied; `entered[i]` says that value `i`'s
/// issue date is one a person entered with `set` (corrected by `issued`);
/// with what was kept of the dates asked for.
fn apply(mut eac: Eac, changes: &[Change], entered: &[bool]) -> (Eac, Kept) {
    let mut kept = Kept::default();
    for c in changes {
        match c {
            Change::Text(SettableField::DestinationId, t) => eac.destination_id = Some(t.clone()),
            Change::Text(_, t) => eac.destination_name = Some(t.clone()),
            Change::Location(SettableField::AssetOrigination, t) => {
                eac.asset_origination = Some(*t)
            }
            Change::Location(_, t) => eac.asset_destination = Some(*t),
            Change::Technology(t) => eac.technology_type = Some(*t),
            Change::Factor(SettableField::EmissionsFactorDirect, d) => {
                eac.emissions_factor_direct = Some(d.clone())
            }
            Change::Factor(_, d) => eac.emissions_factor_lca = Some(d.clone()),
            Change::Date(SettableField::AssetCommissioned, d) => eac.asset_commissioned = Some(*d),
            Change::Date(SettableField::Issued, d) => {
                for (i, v) in eac.values.iter_mut().enumerate() {
                    match v.issued {
                        None => v.issued = Some(*d),
                        Some(held) if held == *d => {}
                        Some(_) if entered.get(i) == Some(&true) => v.issued = Some(*d),
                        Some(_) => kept.issued = true,
                    }
                }
            }
            Change::Date(_, d) => {
                for v in eac.values.iter_mut() {
                    match v.retired {
                        None if v.retired_undated => {
                            v.retired = Some(*d);
                            // The date is known now; the audit keeps where
                            // it came from.
                            v.retired_undated = false;
                        }
                        None => kept.not_retired = true,
                        Some(held) if held == *d => {}
                        Some(_) => kept.retired_other = true,
                    }
                }
            }
        }
    }
    (eac, kept)
}

/// For each value of the stored `eac`, whether its issue date is one a
/// person entered with `set`: the newest audited change to that date is a
/// `set` (an import that restated the EAC and kept the date is no change
/// to it). A date the EAC was imported with, or that an import or an undo
/// changed last, is the document's.
pub(crate) fn issue_dates_entered(db: &dyn Db, eac: &Eac) -> Result<Vec<bool>> {
    // Values without a date need no answer.
    let mut entered: Vec<Option<bool>> = (eac.values.iter())
        .map(|v| v.issued.is_none().then_some(false))
        .collect();
    db.stream(
        "SELECT action, before_state, after_state FROM audit_log
         WHERE cds_eac_id = ?1 AND (before_state IS NOT NULL OR after_state IS NOT NULL)
         ORDER BY id DESC",
        &[&eac.cds_eac_id],
        &mut |row| {
            if entered.iter().all(Option::is_some) {
                return Ok(());
            }
            let action = text_cell(row, 0)?.unwrap_or_default();
            let before = issue_dates_of(text_cell(row, 1)?.as_deref());
            let after = issue_dates_of(text_cell(row, 2)?.as_deref());
            for (i, answer) in entered.iter_mut().enumerate() {
                if answer.is_none() && before.get(i) != after.get(i) {
                    *answer = Some(action == crate::AuditAction::SetFields.as_str());
                }
            }
            Ok(())
        },
    )?;
    Ok(entered.into_iter().map(|e| e == Some(true)).collect())
}

/// A text cell (a saved state, an action), `None` when null.
fn text_cell(row: &dyn crate::db::DbRow, idx: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(idx)? {
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    })
}

/// The `issued` of each value of a saved EAC state (`history`'s
/// `{"kind", "batch", "synced", "data"}`), as written; none for no state
/// or an envelope's.
fn issue_dates_of(state: Option<&str>) -> Vec<Option<String>> {
    let Some(state) = state.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return Vec::new();
    };
    (state["data"]["values"].as_array())
        .map(|values| {
            values
                .iter()
                .map(|v| v["issued"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What a `set` did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetFieldsReport {
    /// EACs the ids or the filter named.
    pub matching: usize,
    /// EACs that changed (the others already held these values).
    pub changed: usize,
    /// Of the changed ones, how many the change made complete (they
    /// lacked fields before): one complete before and after is not
    /// counted (`set` said "1 of them now complete" of an EAC that was).
    pub now_complete: usize,
    /// Of the changed ones, how many still lack fields the spec requires.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub still_incomplete: usize,
    pub dry_run: bool,
    /// EACs (changed or not) of which a value kept an issue date other than
    /// the one `issued` gave: one its imported document gave, or through a
    /// filter one a person entered before (only an EAC named by its id has
    /// an entered date corrected).
    #[serde(default)]
    pub issued_kept: usize,
    /// Why those EACs kept their dates, in words the CLI and the app show
    /// (`None` while `issued_kept` is 0).
    #[serde(default)]
    pub issued_kept_why: Option<String>,
    /// EACs (changed or not) of which a value was left without the date
    /// `retired` gave: not retired (which `retired` never changes), or
    /// retired on another date.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub retired_kept: usize,
    /// Why, in words the CLI and the app show (`None` while
    /// `retired_kept` is 0).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Option<String>>", optional))]
    pub retired_kept_why: Option<String>,
    /// What the change made the EACs break that only warns (rule 22: an
    /// asset commissioned after the period), as an import or `validate`
    /// would say it; the first [`MAX_WARNINGS`].
    #[serde(default)]
    pub warnings: Vec<Violation>,
}

/// Why `kept` EACs kept an issue date other than the one `issued` gave:
/// named by id (`by_filter` false) only a date their imported document
/// gave is kept; through a filter also one a person entered.
fn issued_kept_why(kept: usize, by_filter: bool) -> Option<String> {
    let one = kept == 1;
    let eacs = match kept {
        0 => return None,
        1 => "1 EAC keeps".to_owned(),
        n => format!("{n} EACs keep"),
    };
    let its = if one { "its" } else { "their" };
    Some(if by_filter {
        format!(
            "{eacs} the issue dates {its} values hold: an issue date given to the EACs a filter \
             chooses only dates values without one. To correct a date a person entered, give it \
             to that EAC alone; a date its imported document gave is never changed (import a \
             corrected statement instead)."
        )
    } else {
        format!(
            "{eacs} the issue date {its} imported document gave: an issue date dates values \
             without one and corrects a date a person entered, never a document's (import a \
             corrected statement instead)."
        )
    })
}

/// Why EACs kept values without the date `retired` gave: `not_retired`
/// of them have values that are not retired, `other` values retired on
/// another date. `retired` dates only values proven retired without a date
/// (a statement that proves a redemption but prints no date).
fn retired_kept_why(not_retired: usize, other: usize) -> Option<String> {
    let eacs = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 EAC {one}"),
        n => format!("{n} EACs {many}"),
    };
    let mut said = Vec::new();
    if not_retired > 0 {
        said.push(format!(
            "{} values that are not retired, which stay so (a value's retirement comes from the \
             registry's statement: import it)",
            eacs(not_retired, "has", "have")
        ));
    }
    if other > 0 {
        said.push(format!(
            "{} values retired on another date, which is kept (import a corrected statement to \
             change it)",
            eacs(other, "has", "have")
        ));
    }
    (!said.is_empty()).then(|| {
        format!(
            "`retired` dates only values proven retired without a date: {}.",
            said.join("; ")
        )
    })
}

/// Warnings a `set` reports at most.
pub const MAX_WARNINGS: usize = 50;

/// Sets `values` on the EACs of `target`, audited, in the caller's write.
/// `seen`: the version the person saw of the one EAC `target` names
/// (refused with a conflict when it changed since; see `edit::check_seen`).
/// More EACs than `confirmed` allows are refused before any is written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn set_fields(
    w: &Write,
    target: &DeleteTarget,
    seen: Option<i64>,
    values: &[FieldValue],
    reason: &Reason,
    os_user: &str,
    dry_run: bool,
    confirmed: crate::Confirmed,
    progress: &dyn Progress,
) -> Result<SetFieldsReport> {
    let changes = parse_changes(values)?;
    // On a server the EACs are locked before any is read (a desk changing
    // them meanwhile is waited for, then its version is the one changed);
    // a dry run locks nothing.
    let lock = !dry_run;
    let ids: Vec<i64> = match target {
        DeleteTarget::Ids(ids) => {
            let stored = lock::named(w, ids, lock)?;
            let known: HashSet<&str> = stored.iter().map(|(_, id)| id.as_str()).collect();
            let unknown: Vec<String> = (ids.iter())
                .filter(|id| !known.contains(id.as_str()))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                crate::edit::refuse_envelope_only(w.db(), &unknown, "`set`", "set its fields")?;
                // A version names one EAC: removed since, it is a conflict.
                if let [id] = &ids[..] {
                    if let Some(removed) = crate::edit::removed_since(w.db(), id, seen)? {
                        return Err(removed);
                    }
                }
                return Err(StoreError::UnknownIds(unknown));
            }
            if seen.is_some() {
                let ([id], [(row, _)]) = (&ids[..], &stored[..]) else {
                    return Err(StoreError::InvalidInput(
                        "a version can be checked for one EAC at a time; name one EAC".into(),
                    ));
                };
                crate::edit::check_seen(w, *row, id, seen, lock)?;
            }
            stored.into_iter().map(|(row, _)| row).collect()
        }
        DeleteTarget::Filter(_) if seen.is_some() => {
            return Err(StoreError::InvalidInput(
                "a version can be checked for one EAC at a time, not for a filter".into(),
            ));
        }
        DeleteTarget::Filter(filter) => lock::matching(w, filter, lock)?,
    };
    confirmed.check(ids.len())?;
    // Entered issue dates are corrected on EACs named by id, never
    // through a filter (a bulk edit only fills).
    let corrects_issued = matches!(target, DeleteTarget::Ids(_));
    let issued = changes.iter().find_map(|c| match c {
        Change::Date(SettableField::Issued, d) => Some(*d),
        _ => None,
    });
    let total = ids.len() as u64;
    let mut issued_kept = 0;
    let (mut retired_kept, mut not_retired, mut retired_other) = (0, 0, 0);
    let mut warnings = Vec::new();
    let mut warned_extended = false;
    let mut changed = 0;
    let mut now_complete = 0;
    let mut still_incomplete = 0;
    let mut refused: Vec<Violation> = Vec::new();
    let mut last_progress = Instant::now();
    for (done, row) in ids.iter().enumerate() {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let before = rows::load_eac_by_id(w, *row)?;
        let other_date = |d| (before.values.iter()).any(|v| v.issued.is_some_and(|held| held != d));
        let entered = match issued {
            Some(d) if corrects_issued && other_date(d) => issue_dates_entered(w.db(), &before)?,
            _ => Vec::new(),
        };
        let (mut after, kept) = apply(before.clone(), &changes, &entered);
        issued_kept += usize::from(kept.issued);
        not_retired += usize::from(kept.not_retired);
        retired_other += usize::from(kept.retired_other);
        retired_kept += usize::from(kept.not_retired || kept.retired_other);
        if after == before {
            continue;
        }
        // Refused whole (the dry run too) when it lies in a closed period.
        crate::periods::check(
            w,
            &before.cds_eac_id,
            &before.period_start,
            &before.period_end,
        )?;
        after.cds_modified = crate::edit::modified_after(before.cds_modified, w.at())?;
        let check = CheckOptions::import().with_extended_technologies(true);
        let (problems, warned): (Vec<Violation>, Vec<Violation>) = check_eac(&after, "", check)
            .into_iter()
            .map(|v| v.with_eac(Some(&after.cds_eac_id)))
            .partition(Violation::is_error);
        if !problems.is_empty() {
            refused.extend(problems);
            continue;
        }
        // A technology outside the draft list, stored as given (decisions
        // 17 and 255): said once, as an export of it will say it, so the
        // file's refusal by `validate` and `import` is no surprise.
        let extended =
            (after.technology_type).filter(|t| !t.is_draft() && before.technology_type != Some(*t));
        if let Some(technology) = extended.filter(|_| !warned_extended) {
            warned_extended = true;
            warnings.push(
                eac_model::check::extended_technology_warning(technology, "/technology_type", None)
                    .with_eac(Some(&after.cds_eac_id)),
            );
        }
        // Only what the change brought: the EAC's own older warnings
        // (factors still missing) are not news.
        let held = check_eac(&before, "", check);
        warnings.extend(
            warned
                .into_iter()
                .filter(|v| {
                    !held
                        .iter()
                        .any(|h| h.pointer == v.pointer && h.message == v.message)
                })
                .take(MAX_WARNINGS.saturating_sub(warnings.len())),
        );
        changed += 1;
        match (before.missing().is_empty(), after.missing().is_empty()) {
            (false, true) => now_complete += 1,
            (_, false) => still_incomplete += 1,
            (true, true) => {}
        }
        if !dry_run {
            history::fields_set(w, *row, &after, reason, os_user)?;
            let batch: i64 = w.db().query_row(
                "SELECT import_batch_id FROM eacs WHERE id = ?1",
                &[row],
                |r| Ok(r.get(0)?),
            )?;
            rows::replace(w, *row, &after, batch)?;
        } else {
            // A dry run is refused as the change would be (`rows::replace`
            // asks the same) when a recorded claim counts or reads it.
            crate::claimed::check_replaced(w, *row, &after)?;
        }
        if last_progress.elapsed() >= import::PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::BulkEdit, done as u64 + 1, Some(total));
        }
    }
    if !refused.is_empty() {
        return Err(StoreError::Rules {
            file: "set".to_owned(),
            violations: refused,
        });
    }
    progress.update(crate::Phase::BulkEdit, total, Some(total));
    Ok(SetFieldsReport {
        matching: ids.len(),
        changed,
        now_complete,
        still_incomplete,
        dry_run,
        issued_kept,
        issued_kept_why: issued_kept_why(issued_kept, !corrects_issued),
        retired_kept,
        retired_kept_why: retired_kept_why(not_retired, retired_other),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(field: SettableField, value: &str) -> FieldValue {
        FieldValue {
            field,
            value: value.to_owned(),
        }
    }

    /// An empty value is called empty, not quoted as "``".
    #[test]
    fn an_empty_value_is_named_empty() {
        let e = parse_changes(&[
            value(SettableField::DestinationId, " "),
            value(SettableField::AssetOrigination, ""),
            value(SettableField::TechnologyType, "sun"),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`destination_id` is empty: it must be text (not blank); \
             `asset_origination` is empty: it must be grid or region; \
             `technology_type` cannot be `sun`: it must be solar, wind, hydro, geothermal, \
             biomass, natural_gas, coal, oil (or nuclear, marine, storage)"
        );
    }

    /// The first EAC of the spec's mixed-order example with three values
    /// or more.
    fn eac_with_three_values() -> Eac {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/spec-examples/good-p1-mixed-order.json"
        ))
        .unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        doc["eacs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| eac_model::p2::read_eac_document(&e.to_string(), CheckOptions::import()))
            .find_map(|read| match read {
                eac_model::EacRead::Valid { eac, .. } if eac.values.len() >= 3 => Some(*eac),
                _ => None,
            })
            .expect("an EAC with three values")
    }

    /// `issued` fills a missing date, corrects an entered one and keeps
    /// any other, saying so.
    #[test]
    fn issued_fills_corrects_what_was_entered_and_keeps_the_rest() {
        let eac = eac_with_three_values();
        let mut held = eac;
        let other = Date::parse("2024-03-01").ok();
        for v in &mut held.values {
            v.issued = other;
        }
        held.values[0].issued = None;
        let d = Date::parse("2020-01-01").unwrap();
        let set = [Change::Date(SettableField::Issued, d)];
        let (after, kept) = apply(held.clone(), &set, &[false, true, false]);
        assert_eq!(after.values[0].issued, Some(d), "filled");
        assert_eq!(after.values[1].issued, Some(d), "corrected");
        assert_eq!(after.values[2].issued, other, "the document's kept");
        assert!(kept.issued);
        // Nothing entered (or through a filter): only the missing one.
        let (after, kept) = apply(held.clone(), &set, &[]);
        assert_eq!(after.values[1].issued, other);
        assert!(kept.issued);
        // The date asked for already held: nothing kept back.
        let same = [Change::Date(SettableField::Issued, other.unwrap())];
        let (_, kept) = apply(held, &same, &[]);
        assert_eq!(kept, Kept::default());
    }

    /// `retired` dates the values proven retired without a date, and says
    /// which it left without it: not retired, or retired on another date;
    /// a value retired on the date given is no value kept.
    #[test]
    fn retired_dates_only_undated_retirements_and_says_what_it_left() {
        let mut eac = eac_with_three_values();
        eac.values.truncate(3);
        let (d, other) = (
            Date::parse("2024-06-30").unwrap(),
            Date::parse("2024-03-01").unwrap(),
        );
        for (v, (retired, undated)) in
            eac.values
                .iter_mut()
                .zip([(None, true), (Some(d), false), (None, false)])
        {
            (v.retired, v.retired_undated) = (retired, undated);
        }
        let set = [Change::Date(SettableField::Retired, d)];
        let (after, kept) = apply(eac.clone(), &set, &[]);
        assert_eq!(after.values[0].retired, Some(d), "dated");
        assert!(!after.values[0].retired_undated);
        assert_eq!(after.values[2].retired, None, "never retired by `retired`");
        let not_retired = Kept {
            not_retired: true,
            ..Kept::default()
        };
        assert_eq!(kept, not_retired, "the date already held is no date kept");
        eac.values[1].retired = Some(other);
        let (after, kept) = apply(eac, &set, &[]);
        assert_eq!(after.values[1].retired, Some(other), "another date is kept");
        assert!(kept.retired_other && kept.not_retired);
        assert_eq!(
            retired_kept_why(1, 2).unwrap(),
            "`retired` dates only values proven retired without a date: 1 EAC has values that \
             are not retired, which stay so (a value's retirement comes from the registry's \
             statement: import it); 2 EACs have values retired on another date, which is kept \
             (import a corrected statement to change it)."
        );
        assert_eq!(retired_kept_why(0, 0), None);
    }

    /// A saved state's issue dates, value by value.
    #[test]
    fn issue_dates_of_a_saved_state() {
        let state = r#"{"kind": "eac", "batch": 1, "synced": null,
            "data": {"values": [{"issued": "2024-01-05"}, {"issued": null}]}}"#;
        assert_eq!(
            issue_dates_of(Some(state)),
            [Some("2024-01-05".to_owned()), None]
        );
        assert!(issue_dates_of(None).is_empty());
        assert!(issue_dates_of(Some("{\"kind\": \"envelope\", \"data\": {}}")).is_empty());
    }
}
