//! `eacdesk pack` (make, `verify`, `diff`, `ls`) and `eacdesk key`: the
//! evidence pack of `eac_app::pack`, rendered. `pack verify` and `key`
//! open no database.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use eac_app::{
    AuditRecord, FieldChange, PackDiff, PackEacChange, PackPartChange, PackVerdict, SigningKeyInfo,
};
use serde::Serialize;

use crate::args::{PackArgs, PackCommand};
use crate::commands::{audit_change, open_read, open_to_check, open_to_record};
use crate::progress::{Bar, Units};
use crate::render::{self, count, Out, OutputError, Table};

pub fn run(db: &Path, a: PackArgs) -> Result<ExitCode> {
    match a.action {
        None => make(db, a),
        Some(PackCommand::Verify { dir, key, json }) => verify(&dir, key.as_deref(), json),
        Some(PackCommand::Diff { dir, json }) => diff(db, &dir, json),
        Some(PackCommand::Ls { json }) => ls(db, json),
    }
}

/// The files of the key folder, to tell afterwards whether the key was
/// created just now.
fn key_files() -> HashSet<PathBuf> {
    std::fs::read_dir(eac_app::key_dir())
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// `pack --json`: the report, and whether the signing key was created for it.
#[derive(Serialize)]
struct PackJson<'a> {
    #[serde(flatten)]
    report: &'a eac_app::PackReport,
    key_created: bool,
}

fn make(db: &Path, a: PackArgs) -> Result<ExitCode> {
    let dest = a
        .out
        .clone()
        .expect("clap requires --out when no subcommand is given");
    // The database must exist (a pack never creates one; a server
    // database is set up by `server init`); the pack is recorded in it, so
    // it needs a writable store.
    if let Some(why) = crate::commands::no_database_there(db) {
        return Err(eac_app::AppError::new(
            eac_app::ErrorCode::NotFound,
            format!(
                "There is no database at {}{why}, so there are no EACs to pack; nothing was written. Name the database with --db or EACDESK_DB.",
                db.display()
            ),
        )
        .into());
    }
    let mut store = open_to_record(db)?;
    let filter = a.filter.to_filter();
    let keys_before = key_files();
    let bar = Bar::new(Units::Eacs);
    // Refused for rule violations: said by stored EAC, as an export's are
    // (the pack's folder was not written).
    let report = eac_app::make_pack(&mut store, &filter, &dest, a.title.as_deref(), &bar).map_err(
        |error| -> anyhow::Error {
            match error.is_validation() {
                true => crate::commands::ExportRefused {
                    error,
                    dest: dest.display().to_string(),
                }
                .into(),
                false => error.into(),
            }
        },
    )?;
    bar.finish();
    let mut out = Out::stdout();
    out.committed(match &report.not_recorded {
        None => format!(
            "the evidence pack was written to {} and recorded",
            report.path
        ),
        Some(why) => format!(
            "the evidence pack was written to {} (not recorded: {why})",
            report.path
        ),
    });
    // The pack is written: the key is there, and only read here.
    let created_key = eac_app::signing_key()
        .ok()
        .filter(|k| !keys_before.contains(Path::new(&k.path)));
    if a.json {
        out.json(&PackJson {
            report: &report,
            key_created: created_key.is_some(),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let title = a
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| format!("Evidence pack: {}", eac_app::selection_words(&filter)));
    if let Some(words) = &report.recovered {
        writeln!(out, "{words}")?;
    }
    writeln!(out, "Wrote the evidence pack {}", report.path)?;
    let closed = if report.closed_periods.is_empty() {
        "none".to_owned()
    } else {
        report
            .closed_periods
            .iter()
            .map(|p| {
                format!(
                    "{} to {} (closed {}: {})",
                    p.from,
                    p.to,
                    render::whole_seconds(&p.closed_at),
                    p.reason
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let chain = match &report.audit_head {
        Some(head) => format!("{} (the whole chain, ending {head})", report.audit_records),
        None => "none yet".to_owned(),
    };
    fields(
        &mut out,
        &[
            ("title", title),
            ("selection", eac_app::selection_words(&filter)),
            (
                "EACs",
                format!(
                    "{} ({})",
                    report.eac_count,
                    count(report.value_count, "value")
                ),
            ),
            ("totals", render::quantities(&report.totals)),
            ("source documents", report.source_count.to_string()),
            ("claims", claims_words(Some(report.claim_count))),
            ("audit records", chain),
            ("closed periods", closed),
            (
                "files",
                format!(
                    "{}: {} listed in MANIFEST.json with its SHA-256, the manifest and its signature",
                    report.file_count + 2,
                    report.file_count
                ),
            ),
            (
                "MANIFEST.json",
                format!("SHA-256 {}", report.manifest_sha256),
            ),
            ("signed by", format!("the key {}", report.key_fingerprint)),
        ],
    )?;
    if let Some(key) = &created_key {
        writeln!(
            out,
            "Your signing key was created for this pack and is kept in {} (`eacdesk key` shows it).",
            key.path
        )?;
    }
    if let Some(why) = &report.not_recorded {
        writeln!(
            out,
            "Not recorded in the database (its list of packs and the audit log): {why}. The pack is signed and checks all the same."
        )?;
    }
    writeln!(
        out,
        "Check it anywhere with `eacdesk pack verify {} --key {}`.",
        crate::render::shell_word(&report.path),
        report.key_fingerprint
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `name  value` lines, the names aligned.
fn fields(out: &mut Out, list: &[(&str, String)]) -> Result<(), OutputError> {
    let width = list.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in list {
        writeln!(out, "  {key:<width$}  {value}")?;
    }
    Ok(())
}

fn verify(dir: &Path, key: Option<&str>, json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let bar = Bar::new(Units::Files);
    let verdict = eac_app::verify_pack_with(dir, key, &bar);
    bar.finish();
    let verdict = verdict?;
    if json {
        out.json(&verdict)?;
    } else {
        print_verdict(&mut out, &verdict, key.is_some())?;
    }
    Ok(if verdict.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(eac_app::ErrorCode::Validation.exit_code())
    })
}

fn print_verdict(out: &mut Out, v: &PackVerdict, key_expected: bool) -> Result<(), OutputError> {
    print_verdict_itself(out, v, key_expected)?;
    if let Some(words) = &v.interrupted {
        writeln!(out, "Note: {words}")?;
    }
    Ok(())
}

fn print_verdict_itself(
    out: &mut Out,
    v: &PackVerdict,
    key_expected: bool,
) -> Result<(), OutputError> {
    match (&v.manifest, v.ok) {
        (Some(m), true) => {
            let chain = match &m.audit.head {
                Some(head) => format!(
                    "audit chain of {} ending {head}",
                    count(m.audit.records, "record")
                ),
                None => "no audit records".to_owned(),
            };
            let expected = if key_expected {
                " (the expected key)"
            } else {
                ""
            };
            writeln!(
                out,
                "The evidence pack {} is intact: signed by {}{expected}, {}, {chain}.",
                v.path,
                m.key.fingerprint,
                // Every file of the folder: those listed, the manifest and
                // its signature (the app's "Files" too).
                count(v.file_count.unwrap_or_default() + 2, "file")
            )?;
            fields(
                out,
                &[
                    ("title", m.title.clone()),
                    (
                        "made",
                        format!(
                            "{} with {} {}",
                            render::whole_seconds(&m.created_at),
                            m.program.name,
                            m.program.version
                        ),
                    ),
                    ("selection", m.selection.clone()),
                    (
                        "EACs",
                        format!("{} ({})", m.counts.eacs, count(m.counts.values, "value")),
                    ),
                    ("totals", render::quantities(&m.totals)),
                    ("source documents", m.counts.sources.to_string()),
                    ("claims", claims_words(m.counts.claims)),
                    (
                        "MANIFEST.json",
                        format!("SHA-256 {}", v.manifest_sha256.as_deref().unwrap_or("–")),
                    ),
                ],
            )?;
            if !key_expected {
                writeln!(
                    out,
                    "Anyone can sign a pack: compare the fingerprint with the one its maker gave you, or check it with --key FINGERPRINT."
                )?;
            }
        }
        _ => {
            writeln!(
                out,
                "The evidence pack {} does not verify: {}.",
                v.path,
                count(v.problems.len(), "problem")
            )?;
            for p in &v.problems {
                writeln!(out, "  {}", p.message)?;
            }
            writeln!(
                out,
                "Do not rely on what it holds: ask its maker for the pack as it was made, or make a new one."
            )?;
        }
    }
    Ok(())
}

fn diff(db: &Path, dir: &Path, json: bool) -> Result<ExitCode> {
    // Against no database every packed EAC read as removed.
    let store = open_to_check(db, "pack diff")?;
    let bar = Bar::new(Units::Eacs);
    let d = eac_app::pack_diff_with(&store, dir, &bar);
    bar.finish();
    let d = d?;
    let mut out = Out::stdout();
    if json {
        out.json(&d)?;
    } else {
        print_diff(&mut out, &d)?;
    }
    Ok(if d.is_unchanged() && d.verdict.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(eac_app::ErrorCode::Validation.exit_code())
    })
}

fn print_diff(out: &mut Out, d: &PackDiff) -> Result<(), OutputError> {
    if let Some(words) = &d.recovered {
        writeln!(out, "{words}")?;
    }
    let made = d
        .verdict
        .manifest
        .as_ref()
        .map(|m| render::whole_seconds(&m.created_at))
        .unwrap_or_default();
    let signer = d
        .verdict
        .manifest
        .as_ref()
        .map(|m| m.key.fingerprint.as_str())
        .unwrap_or("–");
    match (&d.record, &d.not_the_recorded) {
        (Some(r), _) => writeln!(
            out,
            "The pack {} was made from this database on {made} ({}, pack {} in `eacdesk pack ls`).",
            d.path,
            count(r.eac_count, "EAC"),
            r.id
        )?,
        // Another manifest at the moment and head of a recorded pack: a
        // pack changed and signed again after it was made.
        (None, Some(r)) => print_not_the_recorded(out, d, r, signer)?,
        // No record, but the audit log it was made at is this one's: made
        // from this database (or a copy of it) without a record — by a
        // role that reads only, or from a read-only file (decisions 252,
        // 261) — or, signed by a key no recorded pack was, a pack of this
        // database changed and signed again by someone else.
        (None, None)
            if d.head_found
                && (d.verdict.manifest.as_ref()).is_some_and(|m| m.audit.head.is_some()) =>
        {
            if d.key_recorded {
                writeln!(
                    out,
                    "The pack {} was made from this database's audit log (on {made}) but not recorded in it: made by a role that reads only, or from a read-only copy, with the key {signer}, which signed packs recorded here. The EACs here are compared with the pack's.",
                    d.path
                )?
            } else {
                writeln!(
                    out,
                    "The pack {} was made from this database's audit log (on {made}) but not recorded in it, and it is signed by the key {signer}, which signed no pack recorded here: it was made without a record by someone else (a role that reads only, or from a read-only copy), or it is a pack of this database changed and signed again by someone else. Ask whoever gave it to you for the fingerprint of the key they sign with, and check it with `eacdesk pack verify {} --key FINGERPRINT`. The EACs here are compared with the pack's.",
                    d.path,
                    crate::render::shell_word(&d.path)
                )?
            }
        }
        (None, None) => writeln!(
            out,
            "This database has no record of the pack {}: it was not made from this database, or was made without a record (by a role that reads only, or from a read-only copy). The EACs here are compared with the pack's.",
            d.path
        )?,
    }
    if !d.verdict.ok {
        let changed = if d.pack_changed {
            " Its eacs.json, manifest or signature fails verification: the pack was changed after it was made, so an EAC below that differs without an audit record may differ because the pack changed, not this database."
        } else {
            ""
        };
        writeln!(
            out,
            "Warning: the pack itself does not verify ({}; `eacdesk pack verify {}` names them), so it may not be what was filed.{changed}",
            count(d.verdict.problems.len(), "problem"),
            crate::render::shell_word(&d.path)
        )?;
    }
    if d.history_changed {
        print_history_changed(out, d)?;
    } else if !d.head_found {
        writeln!(
            out,
            "The pack's audit head is not in this database's audit log (another database, or records were removed): the changes below come without their audit records."
        )?;
    }
    if d.is_unchanged() {
        writeln!(
            out,
            "No changes since this pack. {} as packed.",
            count(d.unchanged, "EAC")
        )?;
    } else {
        // Differences that no record explains, read from a pack that is
        // not as it was made: its change as likely as the database's.
        let suspect = match &d.not_the_recorded {
            Some(r) => Some(format!(
                "no audit record; the pack is not pack {} as recorded: may be its change",
                r.id
            )),
            None if d.pack_changed => {
                Some("no audit record; the pack does not verify: may be its change".to_owned())
            }
            None => None,
        };
        let suspect = suspect.as_deref();
        section(
            out,
            "Added (they match the pack's selection now and are not in it)",
            &d.added,
            suspect,
        )?;
        section(
            out,
            "Removed (in the pack, no longer matching its selection)",
            &d.removed,
            suspect,
        )?;
        section(out, "Edited (in both, changed since)", &d.edited, suspect)?;
        print_claims(out, d)?;
        print_sources(out, d)?;
        let mut since = format!(
            "Since this pack: {} added, {} removed, {} edited; {} unchanged",
            count(d.added.len(), "EAC"),
            d.removed.len(),
            d.edited.len(),
            d.unchanged
        );
        let claims = |kind: PackPartChange| d.claims.iter().filter(|c| c.change == kind).count();
        let parts: Vec<String> = [
            (claims(PackPartChange::Removed), "deleted"),
            (claims(PackPartChange::Changed), "changed"),
            (claims(PackPartChange::Added), "added"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !parts.is_empty() {
            since.push_str(&format!("; claims: {}", parts.join(", ")));
        }
        if !d.sources.is_empty() {
            since.push_str(&format!(
                "; {} not stored as packed",
                count(d.sources.len(), "source document")
            ));
        }
        if d.history_changed {
            since.push_str("; the audit log before the pack was changed");
        }
        if let Some(r) = &d.not_the_recorded {
            since.push_str(&format!("; the pack is not pack {} as recorded", r.id));
        }
        writeln!(out, "{since}.")?;
    }
    if !d.database_records.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Records of the whole database since ({}):",
            count(d.database_records.len(), "record")
        )?;
        // One line each: these name folders, too long to align.
        for r in &d.database_records {
            record_line(out, "  ", r)?;
        }
    }
    Ok(())
}

/// A pack made at the moment and from the audit head of a recorded pack
/// whose manifest differs: said plainly, with both manifests' SHA-256 and
/// signers, and what to do.
fn print_not_the_recorded(
    out: &mut Out,
    d: &PackDiff,
    r: &eac_app::PackRecord,
    signer: &str,
) -> Result<(), OutputError> {
    let start = |sha: &str| format!("{}…", sha.get(..16).unwrap_or(sha));
    let given = d.verdict.manifest_sha256.as_deref().unwrap_or("–");
    let key = if signer == r.key_fingerprint {
        format!("it is signed by the same key {signer}")
    } else {
        format!(
            "it is signed by the key {signer}, not by pack {}'s key {}",
            r.id, r.key_fingerprint
        )
    };
    writeln!(
        out,
        "The pack {} is not the pack this database recorded: it claims to be pack {} (made {} from the same audit head, in {}), but its MANIFEST.json has the SHA-256 {}, not pack {}'s {}, and {key}. It was changed and signed again after it was made: do not rely on it. Compare the pack as it was made (`eacdesk pack ls` names its folder), or ask whoever gave you this one for it. The EACs here are compared with this pack's all the same.",
        d.path,
        r.id,
        render::whole_seconds(&r.created_at),
        r.path,
        start(given),
        r.id,
        start(&r.manifest_sha256),
    )
}

/// An audit record on a line of its own, after `indent`: `#N AT USER:
/// CHANGE (REASON)`, as the database's records since and a claim's are
/// listed (not aligned in a table: they name folders and claims).
fn record_line(out: &mut Out, indent: &str, r: &AuditRecord) -> Result<(), OutputError> {
    writeln!(
        out,
        "{indent}#{} {} {}: {} ({})",
        r.id,
        render::whole_seconds(&r.at),
        crate::commands::audit_who(r),
        audit_change(r),
        r.reason
    )
}

fn records_table() -> Table {
    Table::new(&["CDS_EAC_ID", "#", "AT", "USER", "CHANGE", "REASON"]).right_align(1)
}

/// A record's cells, after the EAC's id.
fn record_cells(id: &str, r: &AuditRecord) -> Vec<String> {
    vec![
        id.to_owned(),
        r.id.to_string(),
        render::whole_seconds(&r.at),
        crate::commands::audit_who(r),
        audit_change(r),
        r.reason.clone(),
    ]
}

/// The opening of one part of the diff: nothing when it has no items
/// (`false`: print none), else a blank line and `heading` with how many
/// `noun`s it has.
fn part_heading(out: &mut Out, heading: &str, n: usize, noun: &str) -> Result<bool, OutputError> {
    if n == 0 {
        return Ok(false);
    }
    writeln!(out)?;
    writeln!(out, "{heading}: {}", count(n, noun))?;
    Ok(true)
}

/// One kind of change: its EACs, each with its audit records since, or
/// what changed without one.
fn section(
    out: &mut Out,
    heading: &str,
    list: &[PackEacChange],
    suspect: Option<&str>,
) -> Result<(), OutputError> {
    if !part_heading(out, heading, list.len(), "EAC")? {
        return Ok(());
    }
    let mut table = records_table();
    for change in list {
        let id = if change.deleted {
            format!("{} (deleted)", change.cds_eac_id)
        } else {
            change.cds_eac_id.clone()
        };
        if change.records.is_empty() {
            // No record: what differs, packed → now, and (when the log
            // since is known) that EAC Desk did not make the change, or
            // (the pack changed since it was made) that the pack may have.
            let why = if change.unrecorded {
                "no audit record: changed outside EAC Desk"
            } else {
                suspect.unwrap_or_default()
            };
            let mut lines: Vec<String> = change.fields.iter().map(field_words).collect();
            if change.fields_more > 0 {
                lines.push(format!("… and {} more", change.fields_more));
            }
            if lines.is_empty() {
                lines.push(match (change.deleted, change.unrecorded) {
                    (true, true) => "deleted outside EAC Desk (no audit record)".to_owned(),
                    (true, false) if suspect.is_some() => {
                        "not in this database (no audit record)".to_owned()
                    }
                    _ => "no audit record since the pack".to_owned(),
                });
            }
            for (i, line) in lines.into_iter().enumerate() {
                let first = i == 0;
                table.row(vec![
                    if first { id.clone() } else { String::new() },
                    if first {
                        "–".to_owned()
                    } else {
                        String::new()
                    },
                    String::new(),
                    String::new(),
                    line,
                    if first && (!change.deleted || suspect.is_some()) {
                        why.to_owned()
                    } else {
                        String::new()
                    },
                ]);
            }
        }
        for (i, r) in change.records.iter().enumerate() {
            table.row(record_cells(if i == 0 { &id } else { "" }, r));
        }
    }
    out.table(&table)
}

/// The longest value a change shows whole; longer ones are cut.
const SHOWN_CHARS: usize = 60;

/// A value as a change shows it: quoted, cut after [`SHOWN_CHARS`].
fn shown(value: Option<&str>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(v) if v.chars().count() > SHOWN_CHARS => {
            let cut: String = v.chars().take(SHOWN_CHARS).collect();
            format!("\"{cut}…\"")
        }
        Some(v) => format!("\"{v}\""),
    }
}

/// `field: "packed" → "now"`.
fn field_words(c: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        c.field,
        shown(c.before.as_deref()),
        shown(c.after.as_deref())
    )
}

/// The pack's history no longer in the log: said plainly, then each
/// record that differs from the pack's, by number.
fn print_history_changed(out: &mut Out, d: &PackDiff) -> Result<(), OutputError> {
    let audit = d.verdict.manifest.as_ref().map(|m| &m.audit);
    let last = audit.map_or(0, |a| a.records);
    let head = audit.and_then(|a| a.head.as_deref()).unwrap_or_default();
    writeln!(
        out,
        "The audit log was changed after this pack was made: this database made the pack, and its log no longer holds the pack's last record (record {last}, hash {head}). Records up to there were changed, removed or inserted outside EAC Desk and the chain computed again; the records since are those numbered after {last}."
    )?;
    if d.audit_changes.is_empty() {
        writeln!(
            out,
            "Every record the pack holds still reads as packed; only the chain's hashes were changed."
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Compared with the pack's audit.jsonl, record by record ({}):",
        count(d.audit_changes.len() + d.audit_changes_more, "record")
    )?;
    for c in &d.audit_changes {
        let what = match c.change {
            PackPartChange::Changed => "changed",
            PackPartChange::Removed => "removed (in the pack, not in the log)",
            PackPartChange::Added => "added (in the log, not in the pack)",
        };
        let redacted = if c.redacted {
            " (a record about an EAC outside the pack: the pack holds only its hash, so how it changed is not known)"
        } else {
            ""
        };
        writeln!(out, "  record {} {what}{redacted}", c.id)?;
        for f in &c.fields {
            let line = match c.change {
                PackPartChange::Changed => field_words(f),
                PackPartChange::Removed => format!("{}: {}", f.field, shown(f.before.as_deref())),
                PackPartChange::Added => format!("{}: {}", f.field, shown(f.after.as_deref())),
            };
            writeln!(out, "    {line}")?;
        }
    }
    if d.audit_changes_more > 0 {
        writeln!(
            out,
            "  … and {} more",
            count(d.audit_changes_more, "record")
        )?;
    }
    Ok(())
}

/// The claims the pack carries that were deleted or changed since, and
/// those recorded since over its EACs.
fn print_claims(out: &mut Out, d: &PackDiff) -> Result<(), OutputError> {
    let heading = "Claims (the pack's claims/, recorded claims over its EACs)";
    if !part_heading(out, heading, d.claims.len(), "claim")? {
        return Ok(());
    }
    for c in &d.claims {
        let name = c
            .name
            .as_deref()
            .map_or(String::new(), |n| format!(" \"{n}\""));
        let what = match c.change {
            PackPartChange::Removed => {
                "deleted since the pack (its claims/ report states an allocation that no longer exists)"
            }
            PackPartChange::Changed => "changed: its report now differs from the pack's",
            PackPartChange::Added => "recorded since the pack over EACs in it",
        };
        writeln!(out, "  claim {}{name} {what}", c.claim_id)?;
        for f in &c.fields {
            writeln!(out, "    {}", field_words(f))?;
        }
        if c.fields_more > 0 {
            writeln!(out, "    … and {} more", c.fields_more)?;
        }
        for r in &c.records {
            record_line(out, "    ", r)?;
        }
    }
    Ok(())
}

/// The pack's registry documents the database no longer stores as packed.
fn print_sources(out: &mut Out, d: &PackDiff) -> Result<(), OutputError> {
    let heading = "Source documents (the pack's sources/) not stored as packed";
    if !part_heading(out, heading, d.sources.len(), "document")? {
        return Ok(());
    }
    for s in &d.sources {
        match (s.change, &s.stored_sha256) {
            (PackPartChange::Changed, Some(now)) => writeln!(
                out,
                "  {} changed: the document stored under SHA-256 {} now has the SHA-256 {now} (changed in the database outside EAC Desk)",
                s.file, s.sha256
            )?,
            _ => writeln!(
                out,
                "  {} removed: this database no longer stores a document with SHA-256 {}",
                s.file, s.sha256
            )?,
        }
    }
    Ok(())
}

fn ls(db: &Path, json: bool) -> Result<ExitCode> {
    let store = open_read(db)?;
    let packs = eac_app::packs(&store)?;
    let mut out = Out::stdout();
    if json {
        out.json(&packs)?;
        return Ok(ExitCode::SUCCESS);
    }
    if packs.is_empty() {
        writeln!(
            out,
            "No evidence packs were made from this database; make one with `eacdesk pack --out DIR`."
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["#", "MADE", "TITLE", "EACS", "MANIFEST", "KEY", "FOLDER"])
        .right_align(0)
        .right_align(3);
    for p in &packs {
        table.row(vec![
            p.id.to_string(),
            render::whole_seconds(&p.created_at),
            p.title.clone().unwrap_or_else(|| {
                format!("Evidence pack: {}", eac_app::selection_words(&p.filter))
            }),
            p.eac_count.to_string(),
            format!(
                "{}…",
                p.manifest_sha256.get(..16).unwrap_or(&p.manifest_sha256)
            ),
            p.key_fingerprint.clone(),
            p.path.clone(),
        ]);
    }
    out.table(&table)?;
    writeln!(
        out,
        "MANIFEST is the start of the SHA-256 of each pack's MANIFEST.json (`--json` gives it whole); `eacdesk pack diff FOLDER` says what changed since one."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `key --json`: the key, and whether it was created just now.
#[derive(Serialize)]
struct KeyJson<'a> {
    #[serde(flatten)]
    key: &'a SigningKeyInfo,
    created: bool,
}

pub fn key(json: bool) -> Result<ExitCode> {
    let before = key_files();
    let key = eac_app::signing_key()?;
    let created = !before.contains(Path::new(&key.path));
    let mut out = Out::stdout();
    if created {
        out.committed(format!("a signing key was created in {}", key.path));
    }
    if json {
        out.json(&KeyJson { key: &key, created })?;
        return Ok(ExitCode::SUCCESS);
    }
    if created {
        writeln!(
            out,
            "Created your signing key for evidence packs (there was none yet):"
        )?;
    } else {
        writeln!(out, "Your signing key for evidence packs:")?;
    }
    fields(
        &mut out,
        &[
            ("algorithm", key.algorithm.clone()),
            ("fingerprint", key.fingerprint.clone()),
            ("public key", key.public_key.clone()),
            ("kept in", key.path.clone()),
        ],
    )?;
    writeln!(
        out,
        "The secret part stays in that file, readable by you only; it is never shown or written into a pack. Give the fingerprint to whoever checks your packs (`eacdesk pack verify DIR --key FINGERPRINT`), and back the file up: packs signed with a lost key still verify, but new ones get a new fingerprint."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The `claims` line of `pack` and `pack verify`: how many recorded claims
/// the pack carries in `claims/` (`None`: a pack made before the manifest
/// counted them).
fn claims_words(claims: Option<usize>) -> String {
    match claims {
        Some(0) => "0".to_owned(),
        Some(n) => format!("{n} recorded, each in claims/ and named in the claim statement"),
        None => "not counted (a pack made before EAC Desk counted them: see claims/)".to_owned(),
    }
}
