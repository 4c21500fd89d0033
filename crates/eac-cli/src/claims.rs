//! `eacdesk consumption …` and `eacdesk claims …`: argument parsing and
//! rendering over `eac_app`'s claims operations.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use eac_app::{AppError, ClaimInput, ClaimRef};

use crate::args::{ClaimArgs, ClaimsCommand, ConsumptionCommand, FactorCommand};
use crate::commands::{open, open_read, open_to_check, write_or_create};
use crate::render::{Out, Table};

pub fn consumption(db: &Path, action: ConsumptionCommand) -> Result<ExitCode> {
    let mut out = Out::stdout();
    match action {
        ConsumptionCommand::Import { file, json } => {
            let done = write_or_create(db, |store| eac_app::import_consumption(store, &file))?;
            out.committed(format!("imported {} consumption rows", done.rows));
            if json {
                out.json(&done)?;
            } else {
                writeln!(
                    out,
                    "Imported {} consumption row(s) from {} for {}.",
                    done.rows,
                    done.file,
                    done.beneficiaries.join("; ")
                )?;
            }
        }
        ConsumptionCommand::Ls {
            beneficiary_type,
            beneficiary,
            json,
        } => {
            let store = open_read(db)?;
            let rows =
                eac_app::list_consumption(&store, beneficiary_type.as_deref(), &beneficiary)?;
            if json {
                out.json(&rows)?;
                return Ok(ExitCode::SUCCESS);
            }
            if rows.is_empty() {
                writeln!(
                    out,
                    "No consumption. Import some with `eacdesk consumption import FILE`."
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut table = Table::new(&[
                "TYPE",
                "BENEFICIARY",
                "START",
                "END",
                "VALUE",
                "UNIT",
                "FILE",
                "LINE",
            ])
            .right_align(4)
            .right_align(7);
            for r in &rows {
                table.row(vec![
                    r.beneficiary_type.clone(),
                    r.beneficiary.clone(),
                    r.start.clone(),
                    r.end.clone(),
                    r.value.clone(),
                    r.unit.clone(),
                    r.source_file.clone(),
                    r.line.to_string(),
                ]);
            }
            out.table(&table)?;
            writeln!(out, "{} row(s).", rows.len())?;
        }
        ConsumptionCommand::Delete {
            beneficiary_type,
            beneficiary,
            reason,
        } => {
            let mut store = open(db)?;
            let done =
                eac_app::delete_consumption(&mut store, &beneficiary_type, &beneficiary, &reason)?;
            out.committed(format!("deleted {} consumption rows", done.rows));
            writeln!(
                out,
                "Deleted {} consumption row(s) of {} {} (from {}).",
                done.rows,
                done.beneficiary_type,
                done.beneficiary,
                done.files.join(", ")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn input(a: &ClaimArgs) -> ClaimInput {
    let g = &a.given;
    ClaimInput {
        beneficiary_type: g.beneficiary_type.clone().unwrap_or_default(),
        beneficiaries: g.beneficiary.clone(),
        from: g.from.clone().unwrap_or_default(),
        to: g.to.clone().unwrap_or_default(),
        granularity: g.granularity.clone(),
        market: g.market.clone(),
        bidding_zone: g.bidding_zone.clone(),
        unit: a.unit.clone(),
        only_passing: g.only_passing.clone(),
    }
}

fn rules(a: &ClaimArgs) -> Vec<String> {
    a.rules.iter().cloned().collect()
}

/// `--unit` beside `--claim`: the recorded claim shown in that unit (a
/// claim given in full carries its unit in `input`).
fn unit(a: &ClaimArgs) -> Option<&str> {
    a.claim.and(a.unit.as_deref())
}

/// What `claims check` found nothing of (`missing`, in `claims report`'s
/// words), and, with no consumption to match, that nothing was allocated
/// and `claims create` refuses the claim: the criteria's passes alone are
/// no clean claim.
fn print_missing(out: &mut Out, check: &eac_app::ClaimCheck) -> Result<()> {
    for m in &check.missing {
        writeln!(out, "not computed: {m}")?;
    }
    if check.consumption_rows == 0 && check.claim_id.is_none() {
        writeln!(
            out,
            "With no consumption to match, nothing is allocated and `eacdesk claims create` \
             refuses this claim: a claim without consumption states nothing."
        )?;
    }
    Ok(())
}

/// A recorded claim's allocations that no longer hold, and what to do.
fn print_stale(out: &mut Out, check: &eac_app::ClaimCheck) -> Result<()> {
    if check.stale.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} of this claim's recorded allocations no longer hold:",
        check.stale.len()
    )?;
    for s in &check.stale {
        writeln!(
            out,
            "  {} value {}: {} {} allocated; {}",
            s.cds_eac_id, s.value, s.allocated, check.unit, s.why
        )?;
    }
    writeln!(
        out,
        "The figures above still count them. Delete the claim (`eacdesk claims delete {} --reason …`) and record it again from the EACs stored now.",
        check.claim_id.unwrap_or_default()
    )?;
    Ok(())
}

/// The claim's consumption that (other) recorded claims cover already,
/// and what to do.
fn print_claimed_elsewhere(out: &mut Out, check: &eac_app::ClaimCheck) -> Result<()> {
    for c in &check.claimed_elsewhere {
        writeln!(
            out,
            "Consumption already claimed: {c} — each hour of consumption may be claimed once."
        )?;
    }
    let mut ids: Vec<i64> = check.claimed_elsewhere.iter().map(|c| c.claim_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
    let deletes: Vec<String> = ids
        .iter()
        .map(|id| format!("`eacdesk claims delete {id} --reason …`"))
        .collect();
    match check.claim_id {
        // A database from before decision 272 may hold such a pair.
        Some(id) => writeln!(
            out,
            "Claim #{id} and recorded claim(s) {} count the same consumption: delete the claim \
             that should not count it (`eacdesk claims delete ID --reason …`).",
            named.join(", ")
        )?,
        None => writeln!(
            out,
            "`eacdesk claims create` refuses this claim: delete recorded claim(s) {} first ({}) \
             or claim other days or beneficiaries.",
            named.join(", "),
            deletes.join(", ")
        )?,
    }
    Ok(())
}

/// `claims ls`'s FACTORS of a claim recorded before schema 22.
const NOW: &str = "stored now";

/// `claims ls`'s FACTORS: whether the claim's report uses the emission
/// factors recorded with it (decision 273) or those stored now.
fn factors_words(c: &eac_app::ClaimRecord) -> &'static str {
    if c.factors_recorded {
        "recorded"
    } else {
        NOW
    }
}

pub fn claims(db: &Path, action: ClaimsCommand) -> Result<ExitCode> {
    let mut out = Out::stdout();
    match action {
        ClaimsCommand::Check { claim, only, json } => {
            let store = open_to_check(db, "claims check")?;
            let given = input(&claim);
            let which = claim
                .claim
                .map_or(ClaimRef::Input(&given), ClaimRef::Recorded);
            let mut check = eac_app::check_claim_in(&store, which, &rules(&claim), unit(&claim))?;
            let failed = check.any_failed();
            // How many values were checked, before `--only` keeps some.
            let checked = check.values.len();
            if let Some(only) = only.as_deref() {
                let keep = match only {
                    "fail" | "unknown" => only,
                    other => {
                        return Err(AppError::invalid_input(format!(
                            "--only takes fail or unknown, not `{}`.",
                            eac_model::quote(other)
                        ))
                        .into())
                    }
                };
                check
                    .values
                    .retain(|v| v.results.iter().any(|r| r.verdict.as_str() == keep));
            }
            if json {
                out.json(&check)?;
            } else {
                let sets: Vec<String> = check
                    .rule_sets
                    .iter()
                    .map(|s| format!("{} (version {}, {})", s.id, s.version, s.document))
                    .collect();
                writeln!(out, "Rule sets: {}.", sets.join("; "))?;
                // The criterion column as wide as the longest id checked.
                let width = check
                    .rule_sets
                    .iter()
                    .flat_map(|s| s.criteria.iter().map(|c| c.id.len()))
                    .max()
                    .unwrap_or(0);
                if check.values.is_empty() {
                    let values = |n: usize| if n == 1 { "value" } else { "values" };
                    match only.as_deref() {
                        // Said under `missing` below, with what to check.
                        _ if checked == 0 && !check.missing.is_empty() => {}
                        _ if checked == 0 => {
                            writeln!(out, "No EAC values of this beneficiary overlap the period.")?
                        }
                        Some("unknown") => writeln!(
                            out,
                            "No value has an unknown criterion ({checked} {} checked).",
                            values(checked)
                        )?,
                        _ => writeln!(
                            out,
                            "No value has a failed criterion ({checked} {} checked).",
                            values(checked)
                        )?,
                    }
                }
                for v in &check.values {
                    // One unit on the line: the value's quantity in the
                    // report's unit, as its allocation is (exact; `1 kWh`
                    // beside `allocated 0.001 MWh` had the reader compare 1
                    // with 0.001). `--json` keeps the quantity as stored.
                    let quantity = in_unit(&v.quantity, &v.unit, &check.unit);
                    writeln!(
                        out,
                        "{} value {}{}: {} {} ({} to {}), allocated {} {}: {}",
                        v.cds_eac_id,
                        v.value,
                        v.eac_number
                            .as_deref()
                            .map_or(String::new(), |n| format!(" [{n}]")),
                        quantity.0,
                        quantity.1,
                        v.start,
                        v.end,
                        v.allocated,
                        check.unit,
                        v.verdict.as_str().to_uppercase()
                    )?;
                    for r in &v.results {
                        writeln!(
                            out,
                            "  {:<7} {:<width$} {}",
                            r.verdict.as_str(),
                            r.criterion,
                            r.reason
                        )?;
                    }
                }
                writeln!(
                    out,
                    "{} passed, {} failed, {} unknown.",
                    check.passed, check.failed, check.unknown
                )?;
                print_missing(&mut out, &check)?;
                print_stale(&mut out, &check)?;
                print_claimed_elsewhere(&mut out, &check)?;
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        ClaimsCommand::Report { claim, json, csv } => {
            // A report attests what the database holds: none there is
            // refused, as `claims check` refuses it (decision 55).
            let store = open_to_check(db, "claims report")?;
            let given = input(&claim);
            let which = claim
                .claim
                .map_or(ClaimRef::Input(&given), ClaimRef::Recorded);
            let report = eac_app::claim_report_in(&store, which, &rules(&claim), unit(&claim))?;
            if json {
                out.json(&report)?;
            } else if csv {
                let mut raw = out.raw();
                let _ = raw.write_all(eac_app::claim_report_csv(&report).as_bytes());
                raw.finish()?;
            } else {
                let r = &report.report;
                let opt = |d: &Option<eac_model::Decimal>, suffix: &str| {
                    d.as_ref()
                        .map_or("—".to_owned(), |d| format!("{d}{suffix}"))
                };
                // `general` names no ids: the type alone, no space.
                let who = format!(
                    "{} {}",
                    r.beneficiary_type,
                    eac_app::id_list(&r.beneficiaries, ',')
                );
                writeln!(
                    out,
                    "{}: {} to {} (UTC days), {} matching{}",
                    who.trim_end(),
                    r.from,
                    r.to,
                    r.granularity.as_str(),
                    r.market
                        .as_deref()
                        .map_or(String::new(), |m| format!(", market {m}"))
                )?;
                writeln!(out, "consumption           {} {}", r.consumption, r.unit)?;
                writeln!(out, "matched               {} {}", r.matched, r.unit)?;
                writeln!(out, "unmatched             {} {}", r.unmatched, r.unit)?;
                match &r.surplus {
                    Some(surplus) => writeln!(out, "surplus               {surplus} {}", r.unit)?,
                    // Said under "not computed" with the reason.
                    None => writeln!(out, "surplus               — (recorded claim)")?,
                }
                writeln!(
                    out,
                    "coverage              {}",
                    opt(&r.coverage_percent, " %")
                )?;
                writeln!(
                    out,
                    "market-based          {}",
                    opt(&r.market_based_tco2e, " tCO2e")
                )?;
                writeln!(
                    out,
                    "location-based        {}",
                    opt(&r.location_based_tco2e, " tCO2e")
                )?;
                if let Some(h) = &r.hourly {
                    writeln!(
                        out,
                        "hours fully covered   {} of {} ({}); consumption matched hour by hour {}",
                        h.hours_fully_covered,
                        h.hours,
                        opt(&h.hours_covered_percent, " %"),
                        opt(&h.matched_percent, " %")
                    )?;
                }
                for f in [&r.residual_mix_factor, &r.grid_factor]
                    .into_iter()
                    .flatten()
                {
                    writeln!(
                        out,
                        "{} factor {} {}: {} tCO2e/MWh ({})",
                        f.kind, f.market, f.year, f.tco2e_per_mwh, f.source
                    )?;
                }
                for m in &r.missing {
                    writeln!(out, "not computed: {m}")?;
                }
                for m in &r.not_counted {
                    writeln!(out, "not counted: {m}")?;
                }
                writeln!(
                    out,
                    "criteria: {} passed, {} failed, {} unknown (`eacdesk claims check` lists them).",
                    report.check.passed, report.check.failed, report.check.unknown
                )?;
                print_stale(&mut out, &report.check)?;
                print_claimed_elsewhere(&mut out, &report.check)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Create {
            claim,
            name,
            reason,
            json,
        } => {
            // `--claim` and `--rules` are not offered (hidden), but read
            // to say why they do not apply.
            let claim = ClaimArgs::from(claim);
            if claim.claim.is_some() {
                return Err(AppError::invalid_input(
                    "--claim names a claim already recorded; `claims create` records a new one: \
                     give it in full (--beneficiary-type, --beneficiary, --from, --to, …)",
                )
                .into());
            }
            if claim.rules.is_some() {
                return Err(AppError::invalid_input(
                    "--rules chooses what `claims check` and `claims report` show; `claims create` \
                     records the claim whatever the rules say (use --only-passing RULESET to \
                     allocate only values that pass one)",
                )
                .into());
            }
            let record = write_or_create(db, |store| {
                eac_app::create_claim(store, &name, &input(&claim), &reason)
            })?;
            out.committed(format!("recorded claim {}", record.id));
            if json {
                out.json(&record)?;
            } else {
                writeln!(
                    out,
                    "Recorded claim {} ({}) with {} allocation(s). Report it with `eacdesk claims report --claim {}`.",
                    record.id, record.name, record.allocation_count, record.id
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Ls { json } => {
            let store = open_read(db)?;
            let list = eac_app::claims(&store)?;
            if json {
                out.json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            if list.is_empty() {
                writeln!(out, "No recorded claims.")?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut table = Table::new(&[
                "#",
                "NAME",
                "BENEFICIARY",
                "FROM",
                "TO",
                "GRANULARITY",
                "MARKET",
                "ALLOCATIONS",
                "FACTORS",
            ])
            .right_align(0)
            .right_align(7);
            for c in &list {
                table.row(vec![
                    c.id.to_string(),
                    c.name.clone(),
                    format!(
                        "{} {}",
                        c.beneficiary_type,
                        eac_app::id_list(&c.beneficiaries, ',')
                    ),
                    c.from.clone(),
                    c.to.clone(),
                    c.granularity.clone(),
                    c.market.clone().unwrap_or_default(),
                    c.allocation_count.to_string(),
                    factors_words(c).to_owned(),
                ]);
            }
            out.table(&table)?;
            let old: Vec<String> = list
                .iter()
                .filter(|c| !c.factors_recorded)
                .map(|c| format!("#{}", c.id))
                .collect();
            if !old.is_empty() {
                writeln!(
                    out,
                    "FACTORS `{NOW}`: claim(s) {} were recorded by an EAC Desk before schema 22, \
                     which kept no emission factors with a claim; their reports use the factors \
                     stored now and change when one is set again. Delete such a claim and record \
                     it again to keep its factors.",
                    old.join(", ")
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Delete { id, reason } => {
            let mut store = open(db)?;
            let c = eac_app::delete_claim(&mut store, id, &reason)?;
            out.committed(format!("deleted claim {id}"));
            writeln!(
                out,
                "Deleted claim {} ({}); its values are free again.",
                c.id, c.name
            )?;
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Factor { action } => match action {
            FactorCommand::Set {
                market,
                kind,
                year,
                factor,
                source,
                reason,
            } => {
                let done = write_or_create(db, |store| {
                    eac_app::set_factor(store, &market, &kind, year, &factor, &source, &reason)
                })?;
                out.committed("factor set");
                let f = &done.factor;
                writeln!(
                    out,
                    "Set the {} factor of {} for {}: {} tCO2e/MWh ({}).",
                    f.kind, f.market, f.year, f.tco2e_per_mwh, f.source
                )?;
                // Recorded claims keep the factors they were recorded with
                // (decision 273).
                for kept in &done.recorded_claims {
                    writeln!(out, "{}", kept.text)?;
                }
                Ok(ExitCode::SUCCESS)
            }
            FactorCommand::Ls { json } => {
                let store = open_read(db)?;
                let list = eac_app::factors(&store)?;
                if json {
                    out.json(&list)?;
                    return Ok(ExitCode::SUCCESS);
                }
                if list.is_empty() {
                    writeln!(
                        out,
                        "No emission factors. Enter one with `eacdesk claims factor set`."
                    )?;
                    return Ok(ExitCode::SUCCESS);
                }
                let mut table =
                    Table::new(&["MARKET", "KIND", "YEAR", "TCO2E/MWH", "SOURCE", "SET", "BY"])
                        .right_align(2)
                        .right_align(3);
                for f in &list {
                    table.row(vec![
                        f.market.clone(),
                        f.kind.clone(),
                        f.year.to_string(),
                        f.tco2e_per_mwh.clone(),
                        f.source.clone(),
                        f.set_at.clone(),
                        // As `audit` shows people: the display name and login.
                        f.setter(),
                    ]);
                }
                out.table(&table)?;
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

/// `quantity` of `unit` in `to`, exactly (trailing zeros dropped), as
/// (number, unit); as given when either unit is none EAC Desk knows.
fn in_unit(quantity: &eac_model::Decimal, unit: &str, to: &str) -> (String, String) {
    use eac_model::EnergyUnit;
    match (EnergyUnit::parse(unit), EnergyUnit::parse(to)) {
        (Some(from), Some(into)) if from != into => {
            let q = eac_model::units::convert(&quantity.to_big(), from, into);
            // Written as the allocation beside it is (`Decimal`: plain
            // digits, never an exponent, no trailing zeros).
            let text = eac_model::Decimal::from_big(&q.normalized()).to_string();
            let text = if text.chars().all(|c| matches!(c, '0' | '.' | '-')) {
                "0".to_owned()
            } else {
                text
            };
            (text, into.as_str().to_owned())
        }
        _ => (quantity.to_string(), unit.to_owned()),
    }
}
