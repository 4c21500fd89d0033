//! One function per subcommand: call the operation, render its result.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use eac_app::{
    AppError, BeneficiaryAssignment, BrowseQuery, EacFilter, ExportProfile, ImportOptions,
    ImportOutcome, Store,
};
use serde::Serialize;

use crate::args::{
    BeneficiariesCommand, Cli, Command, DeleteArgs, ExportArgs, ImportArgs, LsArgs, RefdataCommand,
    SampleArgs, SetArgs, SetEmissionsArgs, UndoImportArgs, ValidateArgs, VerifyArgs,
};
use crate::progress::{Bar, Units};
use crate::render::{self, count, or_dash, ErrOut, Out, Table};
use crate::EXIT_OTHER;
use eac_app::{AuditAction, ErrorCode};

pub fn run(cli: Cli) -> Result<ExitCode> {
    let db = cli.db.unwrap_or_else(eac_app::default_db_path);
    match cli.command {
        Command::Import(a) => import(&db, a),
        Command::Ls(a) => ls(&open_read(&db)?, a),
        Command::Show { cds_eac_id, json } => show(&open_read(&db)?, &cds_eac_id, json),
        Command::Beneficiaries {
            action: BeneficiariesCommand::Set(a),
        } => set_beneficiaries(&db, a),
        Command::Audit { cds_eac_id, json } => audit(&open_read(&db)?, cds_eac_id.as_deref(), json),
        Command::Export(a) => export(&open_read(&db)?, a),
        Command::Validate(a) => validate(a),
        Command::Verify(a) => verify(&db, a),
        Command::Sample(a) => sample(&db, a),
        Command::Refdata {
            action: RefdataCommand::Import { json, files },
        } => refdata_import(&db, &files, json),
        Command::Refdata {
            action: RefdataCommand::Ls { kind, search, json },
        } => refdata_ls(&open_read(&db)?, kind, search.as_deref(), json),
        Command::SetEmissions(a) => set_emissions(&db, a),
        Command::Delete(a) => delete(&db, a),
        Command::Imports { json } => imports(&open_read(&db)?, json),
        Command::UndoImport(a) => undo_import(&db, a),
    }
}

/// Opens the database for a command that writes.
fn open(db: &Path) -> Result<Store, AppError> {
    let store = eac_app::open_store(db)?;
    print_warnings(&store);
    Ok(store)
}

/// Opens the database for a command that only reads: the file is left as it is.
fn open_read(db: &Path) -> Result<Store, AppError> {
    let store = eac_app::open_store_read(db)?;
    print_warnings(&store);
    Ok(store)
}

/// What the store noticed at open (e.g. re-created audit triggers), on stderr.
fn print_warnings(store: &Store) {
    let mut err = ErrOut::stderr();
    for w in eac_app::open_warnings(store) {
        writeln!(err, "warning: {w}");
    }
}

fn import(db: &Path, a: ImportArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let opts = ImportOptions {
        allow_extended_technologies: a.allow_extended_technologies,
        details_from: a.details_from,
        ..ImportOptions::default()
    };
    let bar = Bar::new(Units::Bytes);
    let report = eac_app::import_files(&mut store, &a.files, opts, &bar);
    bar.finish();

    let failed: Vec<_> = report
        .files
        .iter()
        .filter(|f| f.outcome == ImportOutcome::Failed)
        .collect();
    let mut out = Out::stdout();
    let mut err = ErrOut::stderr();
    let imported = report.files.len() - failed.len();
    if imported == report.files.len() {
        out.committed("the import was committed");
    } else if imported > 0 {
        out.committed(format!(
            "the import was committed for {imported} of {}",
            count(report.files.len(), "file")
        ));
    }
    // Stdout failing part way must not hide why other files failed: the
    // first error is kept and returned once stderr has said everything.
    let mut unprinted = None;
    if a.json {
        out.json(&report)?;
    } else {
        for f in &report.files {
            match f.outcome {
                ImportOutcome::Imported => {
                    let ignored = match f.ignored {
                        0 => String::new(),
                        n => format!(", {n} ignored (unknown beneficiary type)"),
                    };
                    unprinted = unprinted.or(writeln!(
                        out,
                        "Imported {}: {} added, {} replaced, {} skipped{ignored}",
                        f.file, f.added, f.replaced, f.skipped
                    )
                    .err());
                    if f.warning_count > 0 {
                        writeln!(err, "{} in {}:", count(f.warning_count, "warning"), f.file);
                        err.violations(&f.warnings);
                        if f.warning_count > f.warnings.len() {
                            writeln!(err, "… and {} more", f.warning_count - f.warnings.len());
                        }
                    }
                }
                ImportOutcome::Failed => {
                    writeln!(err, "{}", f.message.as_deref().unwrap_or("Import failed."));
                    err.violations(&f.violations);
                }
            }
        }
        if report.files.len() > 1 {
            unprinted = unprinted.or(writeln!(
                out,
                "{imported} of {} imported.",
                count(report.files.len(), "file")
            )
            .err());
        }
    }
    if let Some(e) = unprinted {
        return Err(e.into());
    }
    // A file that could not be read at all (2) outweighs one that broke
    // rules (1).
    Ok(
        match failed
            .iter()
            .map(|f| f.code.map_or(EXIT_OTHER, ErrorCode::exit_code))
            .max()
        {
            Some(code) => ExitCode::from(code),
            None => ExitCode::SUCCESS,
        },
    )
}

#[derive(Serialize)]
struct Listing {
    rows: Vec<eac_app::EacRow>,
    summary: eac_app::BrowseSummary,
}

fn ls(store: &Store, a: LsArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let filter = a.filter.to_filter();
    let query = BrowseQuery {
        filter: filter.clone(),
        sort: a.sort.unwrap_or_default(),
        offset: a.offset,
        limit: a.limit,
    };
    let rows = eac_app::browse(store, &query)?;
    let summary = eac_app::browse_summary(store, &filter)?;
    if a.json {
        out.json(&Listing { rows, summary })?;
        return Ok(ExitCode::SUCCESS);
    }
    if summary.count == 0 {
        writeln!(out, "No EACs match.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "CDS_EAC_ID",
        "EAC_NUMBER",
        "TECHNOLOGY",
        "PERIOD",
        "SOURCE",
        "DESTINATION",
        "BENEFICIARIES",
        "QUANTITY",
        "RETIRED",
        "VALUES",
    ])
    .right_align(7)
    .right_align(9);
    for r in &rows {
        table.row(vec![
            r.cds_eac_id.clone(),
            or_dash(r.eac_number.as_deref()),
            r.technology_type
                .map_or_else(|| "missing".to_owned(), |t| t.to_string()),
            render::period(&r.period_start, &r.period_end),
            r.source_name.clone(),
            r.destination_name
                .clone()
                .unwrap_or_else(|| "missing".to_owned()),
            match r.beneficiary_type {
                Some(t) => render::assignment_short(t, &r.beneficiaries),
                None => "missing".to_owned(),
            },
            render::quantities(&r.quantities),
            r.retired_state.to_string(),
            r.value_count.to_string(),
        ]);
    }
    if !rows.is_empty() {
        out.table(&table)?;
    }
    let shown = match rows.len() {
        0 => format!("No EACs at offset {};", a.offset),
        n => format!("Showing {}–{} of", a.offset + 1, a.offset + n),
    };
    writeln!(
        out,
        "{shown} {} matching · total {}",
        count(summary.count, "EAC"),
        render::quantities(&summary.totals)
    )?;
    Ok(ExitCode::SUCCESS)
}

fn show(store: &Store, id: &str, json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let d = eac_app::eac_detail(store, id)?;
    if json {
        out.json(&d)?;
        return Ok(ExitCode::SUCCESS);
    }
    const MISSING: &str = "missing (enter it before exporting)";
    let factor = |f: &Option<String>| f.clone().unwrap_or_else(|| MISSING.to_owned());
    let given = |f: Option<String>| f.unwrap_or_else(|| MISSING.to_owned());
    let fields: Vec<(&str, String)> = vec![
        ("cds_eac_id", d.cds_eac_id.clone()),
        ("eac_number", or_dash(d.eac_number.as_deref())),
        ("cds_created", d.cds_created.clone()),
        ("cds_modified", d.cds_modified.clone()),
        ("source", format!("{} ({})", d.source_name, d.source_id)),
        (
            "destination",
            match (&d.destination_name, &d.destination_id) {
                (Some(name), Some(id)) => format!("{name} ({id})"),
                (name, id) => format!(
                    "{} ({})",
                    name.as_deref().unwrap_or(MISSING),
                    id.as_deref().unwrap_or(MISSING)
                ),
            },
        ),
        (
            "beneficiary_type",
            given(d.beneficiary_type.map(|t| t.to_string())),
        ),
        ("beneficiaries", d.beneficiaries.join(", ")),
        ("asset_id", d.asset_id.clone()),
        (
            "asset_commissioned",
            or_dash(d.asset_commissioned.as_deref()),
        ),
        (
            "asset_origination",
            given(d.asset_origination.map(|t| t.to_string())),
        ),
        (
            "asset_destination",
            given(d.asset_destination.map(|t| t.to_string())),
        ),
        (
            "technology_type",
            given(d.technology_type.map(|t| t.to_string())),
        ),
        (
            "emissions_factor_direct",
            factor(&d.emissions_factor_direct),
        ),
        ("emissions_factor_lca", factor(&d.emissions_factor_lca)),
        ("period_start", d.period_start.clone()),
        ("period_end", d.period_end.clone()),
        ("retired", d.retired_state.to_string()),
        ("quantity", render::quantities(&d.quantities)),
    ];
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in &fields {
        writeln!(out, "{key:<width$}  {value}")?;
    }
    if let Some(ext) = &d.extensions_json {
        writeln!(out, "{:<width$}  {ext}", "extensions")?;
    }
    writeln!(out)?;
    writeln!(out, "{}:", count(d.values.len(), "value"))?;
    let mut table = Table::new(&[
        "#",
        "EAC_NUMBER",
        "ISSUED",
        "RETIRED",
        "START",
        "END",
        "VALUE",
        "UNIT",
    ])
    .right_align(0)
    .right_align(6);
    for (i, v) in d.values.iter().enumerate() {
        table.row(vec![
            (i + 1).to_string(),
            or_dash(v.eac_number.as_deref()),
            v.issued.clone().unwrap_or_else(|| "missing".to_owned()),
            match (&v.retired, v.retired_undated) {
                (None, true) => "yes, date missing".to_owned(),
                (r, _) => or_dash(r.as_deref()),
            },
            or_dash(v.start.as_deref()),
            or_dash(v.end.as_deref()),
            v.value.clone(),
            v.unit.to_string(),
        ]);
    }
    out.table(&table)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct BulkResult {
    matching: usize,
    changed: usize,
    dry_run: bool,
}

fn set_beneficiaries(db: &Path, a: SetArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let to = BeneficiaryAssignment {
        beneficiary_type: a.kind,
        beneficiaries: a.ids,
    };
    let mut store = open(db)?;
    if let Some(id) = a.cds_eac_id {
        if !a.filter.is_empty() {
            Cli::command()
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "filters apply only with --all-matching; give either one CDS_EAC_ID or --all-matching with filters",
                )
                .exit();
        }
        let record = eac_app::set_beneficiaries(&mut store, &id, &to, &a.reason)?;
        out.committed(format!(
            "the beneficiaries of {id} were changed (audit record {})",
            record.id
        ));
        warn_unknown(&store, &to)?;
        if a.json {
            out.json(&record)?;
        } else {
            writeln!(
                out,
                "Changed the beneficiaries of {id}: {} (audit record {})",
                audit_change(&record),
                record.id
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    eac_app::check_assignment(&to, &a.reason)?;
    let filter: EacFilter = a.filter.to_filter();
    let matching = eac_app::browse_summary(&store, &filter)?.count;
    let target = render::assignment(to.beneficiary_type, &to.beneficiaries);
    if !a.json {
        writeln!(
            out,
            "{} match{}; {} {target}.",
            count(matching, "EAC"),
            if matching == 1 { "es" } else { "" },
            if a.dry_run {
                "they would be set to"
            } else {
                "setting them to"
            }
        )?;
    }
    let changed = if a.dry_run {
        0
    } else {
        let bar = Bar::new(Units::Eacs);
        let report = eac_app::bulk_set_beneficiaries(&mut store, &filter, &to, &a.reason, &bar)?;
        bar.finish();
        out.committed(format!(
            "the beneficiaries of {} were changed",
            count(report.changed, "EAC")
        ));
        warn_unknown(&store, &to)?;
        report.changed
    };
    if a.json {
        out.json(&BulkResult {
            matching,
            changed,
            dry_run: a.dry_run,
        })?;
    } else if a.dry_run {
        writeln!(out, "Nothing was changed (--dry-run).")?;
    } else {
        writeln!(
            out,
            "Changed {} ({} already had these beneficiaries).",
            count(changed, "EAC"),
            matching - changed
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Beneficiary ids the imported reference data does not know: warned about
/// on stderr, never refused.
fn warn_unknown(store: &Store, to: &BeneficiaryAssignment) -> Result<()> {
    let mut err = ErrOut::stderr();
    for id in eac_app::check_beneficiaries(store, to)? {
        writeln!(
            err,
            "warning: `{id}` is not in the imported {} reference data (saved anyway; check the id)",
            to.beneficiary_type.as_str()
        );
    }
    Ok(())
}

fn refdata_import(db: &Path, files: &[std::path::PathBuf], json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let reports = eac_app::import_refdata(&mut store, files, &eac_app::NoProgress)?;
    out.committed("the reference data was imported");
    if json {
        out.json(&reports)?;
    } else {
        for r in &reports {
            let counts: Vec<String> = r
                .counts
                .iter()
                .map(|c| format!("{} {}", c.count, c.beneficiary_type.as_str()))
                .collect();
            writeln!(
                out,
                "{}: {} — {}",
                r.file,
                r.document,
                if counts.is_empty() {
                    "no ids".to_owned()
                } else {
                    counts.join(", ")
                }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn refdata_ls(
    store: &Store,
    kind: Option<eac_model::BeneficiaryType>,
    search: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let entries = eac_app::list_refdata(store, kind, search, 0)?;
    if json {
        out.json(&entries)?;
    } else {
        for e in &entries {
            out.fields(&[e.beneficiary_type.as_str(), &e.id, &e.label])?;
        }
        writeln!(out, "{}", count(entries.len(), "reference id"))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn set_emissions(db: &Path, a: SetEmissionsArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let record = eac_app::set_emissions(&mut store, &a.cds_eac_id, &a.direct, &a.lca, &a.reason)?;
    out.committed(format!(
        "the emission factors of {} were set (audit record {})",
        a.cds_eac_id, record.id
    ));
    if a.json {
        out.json(&record)?;
    } else {
        writeln!(
            out,
            "Set the emission factors of {}: direct {}, LCA {} (audit record {})",
            a.cds_eac_id,
            a.direct.trim(),
            a.lca.trim(),
            record.id
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn audit(store: &Store, id: Option<&str>, json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let records = eac_app::audit_log(store, id)?;
    if json {
        out.json(&records)?;
        return Ok(ExitCode::SUCCESS);
    }
    if records.is_empty() {
        match id {
            Some(id) => writeln!(out, "No changes recorded for {id}.")?,
            None => writeln!(out, "No changes recorded.")?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut table =
        Table::new(&["#", "AT", "USER", "CDS_EAC_ID", "CHANGE", "REASON"]).right_align(0);
    for r in &records {
        table.row(vec![
            r.id.to_string(),
            render::whole_seconds(&r.at),
            r.os_user.clone(),
            r.cds_eac_id.clone(),
            audit_change(r),
            r.reason.clone(),
        ]);
    }
    out.table(&table)?;
    let mut err = ErrOut::stderr();
    for r in records.iter().filter(|r| r.problem.is_some()) {
        writeln!(
            err,
            "warning: audit record {}: {}",
            r.id,
            r.problem.as_deref().unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The CHANGE cell of one audit record.
fn audit_change(r: &eac_app::AuditRecord) -> String {
    let assignment = |a: &Option<BeneficiaryAssignment>| match a {
        Some(a) => render::assignment(a.beneficiary_type, &a.beneficiaries),
        None => "(none)".to_owned(),
    };
    let fields = || {
        r.changes
            .iter()
            .filter(|c| c.field != "cds_synced")
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let beneficiaries = match (&r.before, &r.after) {
        (Some(b), Some(a)) if b != a => format!("; beneficiaries {}", render::change(b, a)),
        _ => String::new(),
    };
    let from = |what: &str| match (&r.import_batch_id, &r.source_file) {
        (Some(id), Some(file)) => format!("{what} import {id} ({file})"),
        (Some(id), None) => format!("{what} import {id}"),
        _ => String::new(),
    };
    let text = match r.action {
        _ if r.problem.is_some() => "UNREADABLE RECORD (see the warning below)".to_owned(),
        AuditAction::SetEmissions => match (&r.before_emissions, &r.after_emissions) {
            (Some(b), Some(a)) => {
                let f = |e: &eac_app::EmissionFactors| {
                    format!(
                        "direct {} / LCA {}",
                        e.emissions_factor_direct.as_deref().unwrap_or("missing"),
                        e.emissions_factor_lca.as_deref().unwrap_or("missing")
                    )
                };
                format!("emission factors {} → {}", f(b), f(a))
            }
            _ => "emission factors".to_owned(),
        },
        AuditAction::Verify => {
            let synced = r.changes.iter().find(|c| c.field == "cds_synced");
            match synced.and_then(|c| c.after.as_deref()) {
                Some(at) => format!("marked verified (cds_synced {})", render::whole_seconds(at)),
                None => "marked verified".to_owned(),
            }
        }
        AuditAction::ImportReplace => {
            let changed = fields();
            let changed = if changed.is_empty() {
                String::new()
            } else {
                format!(": {changed}")
            };
            format!("{}{changed}{beneficiaries}", from("replaced by"))
        }
        AuditAction::Delete => format!("deleted (was {})", assignment(&r.before)),
        AuditAction::UndoImport => match (&r.before, &r.after) {
            (_, None) => format!("removed by undoing {}", from("").trim_start()),
            _ => format!(
                "restored by undoing {}{beneficiaries}",
                from("").trim_start()
            ),
        },
        AuditAction::SetFields => {
            let changed = fields();
            if changed.is_empty() {
                "fields set".to_owned()
            } else {
                format!("set {changed}")
            }
        }
        AuditAction::PeriodClose | AuditAction::PeriodReopen => {
            let period = r.changes.iter().find(|c| c.field == "closed_period");
            match (
                r.action,
                period.and_then(|c| c.after.as_ref().or(c.before.as_ref())),
            ) {
                (AuditAction::PeriodClose, Some(p)) => format!("closed {p}"),
                (_, Some(p)) => format!("reopened {p}"),
                (_, None) => r.action.as_str().replace('_', " "),
            }
        }
        AuditAction::SetBeneficiaries | AuditAction::Unknown => match (&r.before, &r.after) {
            (Some(b), Some(a)) => render::change(b, a),
            _ => format!("{} → {}", assignment(&r.before), assignment(&r.after)),
        },
    };
    text
}

fn export(store: &Store, a: ExportArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let filter = a.filter.to_filter();
    let filter = (!a.filter.is_empty()).then_some(&filter);
    let profile = a.profile;
    if profile == ExportProfile::P2 {
        return export_p2(store, filter, &a);
    }
    if a.base_url.is_some() {
        return Err(AppError::invalid_input("--base-url applies to profile p2 only").into());
    }
    let bar = Bar::new(Units::Eacs);
    let report = eac_app::export(store, profile, filter, &a.out, &bar)?;
    bar.finish();
    out.committed(format!("the export was written to {}", report.path));
    if a.json {
        out.json(&report)?;
    } else {
        writeln!(
            out,
            "Exported {} ({}) to {}",
            count(report.eac_count, "EAC"),
            count(report.value_count, "value"),
            report.path
        )?;
        writeln!(out, "SHA-256: {}", report.sha256)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn export_p2(store: &Store, filter: Option<&EacFilter>, a: &ExportArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let bar = Bar::new(Units::Eacs);
    let report = eac_app::export_p2(store, filter, &a.out, a.base_url.as_deref(), &bar)?;
    bar.finish();
    out.committed(format!("the P2 bundle was written to {}", report.path));
    if a.json {
        out.json(&report)?;
    } else {
        writeln!(
            out,
            "Exported {} as a P2 bundle ({}) to {}",
            count(report.eac_count, "EAC"),
            count(report.file_count, "file"),
            report.path
        )?;
        writeln!(out, "SHA-256 of eacs.json: {}", report.sha256)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(db: &Path, a: VerifyArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let reason = a.reason.as_deref();
    let report = match &a.cds_eac_id {
        Some(id) => eac_app::verify_eac(&mut store, id, reason)?,
        None => {
            let bar = Bar::new(Units::Eacs);
            let report =
                eac_app::verify_eacs(&mut store, &a.filter.to_filter(), reason, a.dry_run, &bar)?;
            bar.finish();
            report
        }
    };
    if !report.dry_run {
        out.committed(format!(
            "{} marked as verified",
            count(report.verified, "EAC")
        ));
    }
    if a.json {
        out.json(&report)?;
    } else if report.dry_run {
        writeln!(
            out,
            "{} would be marked as verified; nothing was changed (--dry-run).",
            count(report.verified, "EAC")
        )?;
    } else {
        writeln!(
            out,
            "Marked {} as verified (cds_synced = {}; recorded in the audit log)",
            count(report.verified, "EAC"),
            report.at
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Deleting or undoing more than one EAC needs `--yes`: without it the
/// command shows what it would do, changes nothing and exits 2.
fn confirmed(affected: usize, yes: bool, what: &str) -> Result<(), AppError> {
    if affected > 1 && !yes {
        return Err(AppError::invalid_input(format!(
            "This would {what} {}; nothing was changed. Run it again with --yes to confirm (or --dry-run to only look).",
            count(affected, "EAC")
        )));
    }
    Ok(())
}

fn delete(db: &Path, a: DeleteArgs) -> Result<ExitCode> {
    if !a.cds_eac_ids.is_empty() && !a.filter.is_empty() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "filters apply only with --all-matching; give either CDS_EAC_IDs or --all-matching with filters",
            )
            .exit();
    }
    let target = if a.all_matching {
        eac_app::DeleteTarget::Filter(a.filter.to_filter())
    } else {
        eac_app::DeleteTarget::Ids(a.cds_eac_ids.clone())
    };
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let bar = Bar::new(Units::Eacs);
    let plan = eac_app::delete_eacs(&mut store, &target, &a.reason, true, &bar)?;
    let affected = plan.deleted + plan.envelopes_deleted;
    let report = if a.dry_run {
        plan
    } else {
        if let Err(e) = confirmed(affected, a.yes, "delete") {
            print_delete(&mut out, &plan, false)?;
            return Err(e.into());
        }
        eac_app::delete_eacs(&mut store, &target, &a.reason, false, &bar)?
    };
    bar.finish();
    if !report.dry_run {
        out.committed(format!(
            "{} deleted",
            count(report.deleted + report.envelopes_deleted, "EAC")
        ));
    }
    if a.json {
        out.json(&report)?;
    } else {
        print_delete(&mut out, &report, true)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_delete(
    out: &mut Out,
    r: &eac_app::DeleteReport,
    summary: bool,
) -> Result<(), render::OutputError> {
    let total = r.deleted + r.envelopes_deleted;
    let envelopes = match r.envelopes_deleted {
        0 => String::new(),
        n => format!(" ({n} envelope-only)"),
    };
    let shown = r.ids.len();
    let more = if total > shown {
        format!(" … and {} more", total - shown)
    } else {
        String::new()
    };
    if total > 0 {
        writeln!(out, "{}{more}", r.ids.join(", "))?;
    }
    if !summary {
        return Ok(());
    }
    if r.dry_run {
        writeln!(
            out,
            "{}{envelopes} would be deleted; nothing was changed (--dry-run).",
            count(total, "EAC")
        )
    } else {
        writeln!(
            out,
            "Deleted {}{envelopes}; each is kept in the audit log.",
            count(total, "EAC")
        )
    }
}

fn imports(store: &Store, json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let batches = eac_app::import_batches(store)?;
    if json {
        out.json(&batches)?;
        return Ok(ExitCode::SUCCESS);
    }
    if batches.is_empty() {
        writeln!(out, "No imports yet.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "#",
        "IMPORTED_AT",
        "FILE",
        "ADDED",
        "REPLACED",
        "SKIPPED",
        "STATUS",
    ])
    .right_align(0)
    .right_align(3)
    .right_align(4)
    .right_align(5);
    for b in &batches {
        table.row(vec![
            b.id.to_string(),
            render::whole_seconds(&b.imported_at),
            b.file_name.clone(),
            b.added.to_string(),
            b.replaced.to_string(),
            b.skipped.to_string(),
            match (&b.undone_at, b.undoable) {
                (Some(at), _) => format!("undone {}", render::whole_seconds(at)),
                (None, true) => "can be undone".to_owned(),
                (None, false) => "cannot be undone (older version)".to_owned(),
            },
        ]);
    }
    out.table(&table)?;
    Ok(ExitCode::SUCCESS)
}

fn undo_import(db: &Path, a: UndoImportArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let bar = Bar::new(Units::Eacs);
    let plan = eac_app::undo_import(&mut store, a.batch_id, &a.reason, true, &bar)?;
    let report = if a.dry_run {
        plan
    } else {
        if let Err(e) = confirmed(plan.removed + plan.restored, a.yes, "remove or restore") {
            print_undo(&mut out, &plan)?;
            return Err(e.into());
        }
        eac_app::undo_import(&mut store, a.batch_id, &a.reason, false, &bar)?
    };
    bar.finish();
    if !report.dry_run {
        out.committed(format!("import {} was undone", report.batch_id));
    }
    if a.json {
        out.json(&report)?;
    } else {
        print_undo(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_undo(out: &mut Out, r: &eac_app::UndoReport) -> Result<(), render::OutputError> {
    let gone = match r.already_removed {
        0 => String::new(),
        n => format!(" ({} it added were already deleted)", count(n, "EAC")),
    };
    let verb = if r.dry_run { "would remove" } else { "removed" };
    let verb2 = if r.dry_run {
        "would restore"
    } else {
        "restored"
    };
    writeln!(
        out,
        "Undoing import {} ({}) {verb} {} it added and {verb2} {} it replaced to their earlier version{gone}.",
        r.batch_id,
        r.file_name,
        count(r.removed, "EAC"),
        count(r.restored, "EAC"),
    )?;
    if r.dry_run {
        writeln!(out, "Nothing was changed (dry run).")?;
    }
    Ok(())
}

fn profile_name(p: ExportProfile) -> &'static str {
    match p {
        ExportProfile::P1 => "P1",
        ExportProfile::P2 => "P2",
    }
}

fn validate(a: ValidateArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let profile = a.profile;
    let report = match (profile, &a.details_from) {
        (ExportProfile::P2, Some(folder)) => eac_app::validate_p2_with(
            &a.file,
            a.allow_extended_technologies,
            Some(folder.as_path()),
        )?,
        (_, Some(_)) => {
            return Err(AppError::invalid_input(
                "--details-from applies to P2 listings only (--profile p2)",
            )
            .into())
        }
        (_, None) => eac_app::validate_file(&a.file, profile, a.allow_extended_technologies)?,
    };
    if a.json {
        out.json(&report)?;
    } else {
        out.violations(&report.errors)?;
        out.violations(&report.warnings)?;
        let file = a.file.display();
        let profile = profile_name(profile);
        let warnings = count(report.warnings.len(), "warning");
        if report.is_valid() {
            match report.warnings.len() {
                0 => writeln!(out, "{file}: valid for profile {profile}")?,
                _ => writeln!(out, "{file}: valid for profile {profile}, with {warnings}")?,
            }
        } else {
            let capped = if report.errors.len() >= eac_app::MAX_REPORTED_VIOLATIONS {
                " (only the first ones are listed)"
            } else {
                ""
            };
            writeln!(
                out,
                "{file}: not valid for profile {profile}: {}, {warnings}{capped}",
                count(report.errors.len(), "error")
            )?;
        }
    }
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(ErrorCode::Validation.exit_code())
    })
}

fn sample(db: &Path, a: SampleArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    if a.out.is_none() && a.values_csv.is_none() {
        let mut store = open(db)?;
        let bar = Bar::new(Units::Eacs);
        let report = eac_app::load_sample(&mut store, a.eacs, a.seed, &bar)?;
        bar.finish();
        out.committed("the sample EACs were loaded");
        if a.json {
            out.json(&report)?;
        } else {
            let f = &report.files[0];
            writeln!(out,
                "Loaded {} sample EACs (seed {}) into {}: {} added, {} replaced, {} skipped ({} values)",
                a.eacs,
                a.seed,
                db.display(),
                f.added,
                f.replaced,
                f.skipped,
                f.value_count
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    #[derive(Serialize)]
    struct Files {
        listing: Option<eac_app::ExportReport>,
        values_csv_rows: Option<u64>,
    }
    let mut files = Files {
        listing: None,
        values_csv_rows: None,
    };
    if let Some(path) = &a.out {
        let bar = Bar::new(Units::Eacs);
        let report = eac_app::write_sample_file(path, a.eacs, a.seed, db, &bar)?;
        bar.finish();
        out.committed(format!("the sample file was written to {}", report.path));
        if !a.json {
            writeln!(
                out,
                "Wrote {} sample EACs (seed {}, {}) to {}",
                report.eac_count,
                a.seed,
                count(report.value_count, "value"),
                report.path
            )?;
            writeln!(out, "SHA-256: {}", report.sha256)?;
        }
        files.listing = Some(report);
    }
    if let Some(csv) = &a.values_csv {
        let bar = Bar::new(Units::Eacs);
        let rows = eac_app::write_sample_values_csv(csv, a.eacs, a.seed, db, &bar)?;
        bar.finish();
        out.committed(format!(
            "the sample values were written to {}",
            csv.display()
        ));
        if !a.json {
            writeln!(out, "Wrote {rows} value rows to {}", csv.display())?;
        }
        files.values_csv_rows = Some(rows);
    }
    if a.json {
        out.json(&files)?;
    }
    Ok(ExitCode::SUCCESS)
}
