//! One function per subcommand: call the operation, render its result.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use eac_app::{
    AppError, BeneficiaryAssignment, BrowseQuery, EacFilter, ExportProfile, ImportOptions,
    ImportOutcome, Store,
};
use serde::Serialize;

use crate::args::{
    AuditCommand, BeneficiariesCommand, CheckArgs, Cli, Command, CopyArgs, DeleteArgs, ExportArgs,
    ImportArgs, LsArgs, MappingCommand, PackArgs, PackCommand, PeriodCommand, RefdataCommand,
    SampleArgs, ServerCommand, SetArgs, SetEmissionsArgs, SetFieldsArgs, ShowArgs, SummaryArgs,
    UndoImportArgs, ValidateArgs, VerifyArgs,
};
use crate::pack;
use crate::progress::{Bar, Units};
use crate::render::{self, count, or_dash, ErrOut, Out, StreamTable, Table};
use crate::EXIT_OTHER;
use eac_app::{AuditAction, ErrorCode, FindingKind, SettableField, SourceView, SummaryKey};

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(filter) = filter_of(&cli.command) {
        filter.check()?;
    }
    refuse_misuse(&cli.command);
    // The default path creates the data folder, so it is not even worked
    // out for a command that needs no database (`pack verify` of a pack
    // received by mail must leave the machine as it was).
    let db = match cli.db {
        Some(db) => db,
        None if needs_no_database(&cli.command) => PathBuf::new(),
        None => eac_app::default_db_path(),
    };
    match cli.command {
        Command::Import(a) => import(&db, a),
        Command::Ls(a) => ls(&open_read(&db)?, a),
        Command::Summary(a) => summary(&open_read(&db)?, a),
        Command::Formats { json } => formats(json),
        Command::Show(a) => show(&open_read(&db)?, a),
        Command::Set(a) => set_fields(&db, a),
        Command::Check(a) => check(&open_to_check(&db, "check")?, a),
        Command::Mapping { action } => mapping(&db, action),
        Command::Period { action } => period(&db, action),
        Command::Consumption { action } => crate::claims::consumption(&db, action),
        Command::Claims { action } => crate::claims::claims(&db, action),
        Command::Beneficiaries {
            action: BeneficiariesCommand::Set(a),
        } => set_beneficiaries(&db, a),
        Command::Audit {
            check: Some(AuditCommand::Verify { json }),
            ..
        } => audit_verify(&open_to_check(&db, "audit verify")?, json),
        Command::Audit {
            check: None,
            cds_eac_id,
            json,
        } => audit(&open_read(&db)?, cds_eac_id.as_deref(), json),
        Command::Export(a) => {
            // An existing database (an export never creates one), written
            // for its record unless it may only be read.
            export(&mut open_to_record(&db)?, a)
        }
        Command::Validate(a) => validate(a),
        Command::Verify(a) => verify(&db, a),
        Command::Sample(a) => sample(&db, a),
        Command::Server {
            action: ServerCommand::Init { url, json },
        } => server_init(&url, json),
        Command::Copy(a) => copy(&db, a),
        Command::Refdata {
            action: RefdataCommand::Import { json, files },
        } => refdata_import(&db, &files, json),
        Command::Refdata {
            action:
                RefdataCommand::Rm {
                    kind,
                    ids,
                    reason,
                    dry_run,
                    json,
                },
        } => refdata_rm(&db, kind, &ids, reason.as_deref(), dry_run, json),
        Command::Refdata {
            action: RefdataCommand::Ls { kind, search, json },
        } => refdata_ls(&open_read(&db)?, kind, search.as_deref(), json),
        Command::SetEmissions(a) => set_emissions(&db, a),
        Command::Delete(a) => delete(&db, a),
        Command::Imports { json } => imports(&open_read(&db)?, json),
        Command::UndoImport(a) => undo_import(&db, a),
        Command::Pack(a) => pack::run(&db, a),
        Command::Key { json } => pack::key(json),
    }
}

/// Options that make no sense together, beyond what clap checks: a usage
/// error (exit 2) before any database or file is touched.
fn refuse_misuse(command: &Command) {
    match command {
        // `--limit 0` is the count and the total alone; a workbook of no
        // rows is nothing a person asks for, and replaced the file named
        // with an empty table.
        Command::Ls(a) if a.xlsx.is_some() && a.limit == Some(0) => Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--limit 0 lists no row (only the count and total, which `eacdesk ls --limit 0` \
                 prints), so --xlsx would write a workbook without EACs; nothing was written. \
                 Leave out --limit to write every matching EAC, or give the number of rows",
            )
            .exit(),
        // A missing option, not a file that broke a rule (it was exit 1,
        // the store's refusal of each file).
        Command::Import(a)
            if a.format.as_deref() == Some(MAPPED_CSV_FORMAT) && a.mapping.is_none() =>
        {
            Cli::command()
                .error(
                    clap::error::ErrorKind::MissingRequiredArgument,
                    "--format csv reads each file through a saved column mapping: name it with \
                     --mapping NAME (`eacdesk mapping ls` lists them; `eacdesk mapping save \
                     NAME FILE.json` saves one). Nothing was imported",
                )
                .exit()
        }
        _ => {}
    }
}

/// The filter a command was given, if it takes one.
fn filter_of(command: &Command) -> Option<&crate::args::FilterArgs> {
    match command {
        Command::Ls(a) => Some(&a.filter),
        Command::Summary(a) => Some(&a.filter),
        Command::Set(a) => Some(&a.filter),
        Command::Check(a) => Some(&a.filter),
        Command::Beneficiaries {
            action: BeneficiariesCommand::Set(a),
        } => Some(&a.filter),
        Command::Export(a) => Some(&a.filter),
        Command::Verify(a) => Some(&a.filter),
        Command::Delete(a) => Some(&a.filter),
        Command::Pack(a) => Some(&a.filter),
        _ => None,
    }
}

/// Commands that read no database (their files, the key, the formats).
fn needs_no_database(command: &Command) -> bool {
    matches!(
        command,
        Command::Formats { .. }
            | Command::Server { .. }
            | Command::Validate(_)
            | Command::Key { .. }
            | Command::Pack(PackArgs {
                action: Some(PackCommand::Verify { .. }),
                ..
            })
    )
}

/// Opens the database for a command that changes what it holds (`delete`,
/// `set`, `period reopen`, an export's audit record, …). A file that does
/// not exist is refused, never created: such a command on a mistyped
/// `--db` used to leave an empty database (and its folders) behind.
pub(crate) fn open(db: &Path) -> Result<Store, AppError> {
    must_exist(db)?;
    refuse_unusable_database(db, true)?;
    let store = eac_app::open_store(db).map_err(|e| naming(db, e))?;
    print_warnings(&store);
    Ok(store)
}

/// Refuses a `--db` that is not a regular file (a folder, a device such
/// as /dev/null, a named pipe), and for a command that writes a database
/// this process may not write (the file or its folder read-only, or
/// read-only media), naming the file and what to do, before SQLite is
/// asked (its words named no file and advised restoring a backup).
fn refuse_unusable_database(db: &Path, writing: bool) -> Result<(), AppError> {
    if eac_app::is_server(db) {
        return Ok(());
    }
    let Ok(meta) = std::fs::metadata(db) else {
        return Ok(());
    };
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a folder"
        } else {
            eac_store::atomic::special_kind(&kind)
        };
        return Err(AppError::invalid_input(format!(
            "{} is {what}, not a database file; nothing was read or changed. Name the database file with --db FILE.",
            db.display()
        )));
    }
    if writing && !eac_store::atomic::database_writable(db) {
        let folder = eac_store::atomic::folder_of(db);
        return Err(AppError::new(
            ErrorCode::Database,
            format!(
                "{} cannot be written: the file or its folder {} is read-only for you (file permissions, or read-only media). Nothing was changed. Ask for write access, or copy the database (with any -wal file beside it) to a folder you can write to and work on the copy.",
                db.display(),
                folder.display()
            ),
        ));
    }
    if writing {
        if let Some(refusal) = eac_store::companions::mend(db) {
            return Err(AppError::new(ErrorCode::Database, refusal));
        }
    }
    Ok(())
}

/// A SQLite failure at open, said of the file (SQLite's words name none);
/// a server database is named by its address with its password masked,
/// and not again where the server's message names it already.
fn naming(db: &Path, e: AppError) -> AppError {
    if e.code == ErrorCode::Database && e.details.path.is_none() && e.details.busy.is_none() {
        let shown = eac_app::db_display(db);
        if e.message.contains(&shown) {
            return e;
        }
        let message = format!("{shown}: {}", e.message);
        return e.with_message(message);
    }
    e
}

/// Why there is no database at `db`, said after its path: `None` when
/// there is one (a server database counts as one); `""` when nothing is
/// there; for an empty file (0 bytes: a `> db.sqlite` mistake, a copy cut
/// short), that it is one, which no command that reads makes a database of
/// (decision 55).
pub(crate) fn no_database_there(db: &Path) -> Option<&'static str> {
    if eac_app::is_server(db) {
        None
    } else if eac_store::atomic::is_empty_database_file(db) {
        Some(": it is an empty file (0 bytes), not an EAC Desk database yet")
    } else if db.exists() {
        None
    } else {
        Some("")
    }
}

/// The refusal of a command that needs an existing database.
fn no_database(db: &Path) -> AppError {
    let why = no_database_there(db).unwrap_or_default();
    let (left, create) = match why.is_empty() {
        true => ("no file was made", "import a file to create one"),
        false => (
            "the file was left as it is",
            "import a file into it to make it one",
        ),
    };
    AppError::new(
        ErrorCode::NotFound,
        format!(
            "There is no database at {}{why}; nothing was changed and {left}. Check the path (--db), or {create} (`eacdesk --db {} import FILE`).",
            db.display(),
            crate::render::shell_word(&db.display().to_string())
        ),
    )
}

/// Opens the database for a command that checks or attests what it holds
/// (`audit verify`, `check`, `claims check`, `claims report`, `pack diff`): as
/// [`open_read`], but a database that is not there (no file, or an empty
/// one) is refused, exit 2. Read as empty it passed: `eacdesk --db
/// "$DB" audit verify && echo PASS` printed PASS for a mistyped path, the
/// only sign a warning on stderr.
pub(crate) fn open_to_check(db: &Path, command: &str) -> Result<Store, AppError> {
    match no_database_there(db) {
        None => open_read(db),
        Some(why) => Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "There is no database at {}{why}, so there is nothing for `eacdesk {command}` to check; nothing was checked, changed or made. Check the path (--db or EACDESK_DB).",
                db.display()
            ),
        )),
    }
}

/// Runs `work` on the database at `db` for a command that may start one
/// (reference data, a mapping, consumption, a claim, a factor, a closed
/// period): when there is no file yet it is built hidden and put in place
/// only if `work` succeeds (decision 212), so a failed command leaves no
/// file.
pub(crate) fn write_or_create<R>(
    db: &Path,
    work: impl FnMut(&mut Store) -> Result<R, AppError>,
) -> Result<R, AppError> {
    LoadTarget::load(db, work, |_| true)
}

/// The folders above `db` that do not exist yet, deepest first: what a
/// command making the database creates, and removes again when it fails.
fn missing_folders(db: &Path) -> Vec<PathBuf> {
    let mut missing = Vec::new();
    let mut folder = eac_store::atomic::folder_of(db);
    while std::fs::symlink_metadata(folder).is_err() {
        missing.push(folder.to_owned());
        match folder.parent() {
            Some(up) if !up.as_os_str().is_empty() => folder = up,
            _ => break,
        }
    }
    missing
}

/// The database a loading command (`import`, `sample`) writes into: the
/// file, or, when there is none yet, a new one built hidden beside it and
/// renamed into place at the end (decision 212).
enum LoadTarget {
    Open(Store),
    New(eac_app::NewDatabase),
}

impl LoadTarget {
    /// Runs `work` on the database at `db`: a new one built hidden when
    /// there is none yet, renamed into place when `keep` says something was
    /// loaded, else removed (a dry run into a file that does not exist
    /// leaves none). When another command
    /// made the file meanwhile, `work` runs again in that file.
    fn load<R>(
        db: &Path,
        mut work: impl FnMut(&mut Store) -> Result<R, AppError>,
        keep: impl Fn(&R) -> bool,
    ) -> Result<R, AppError> {
        let made = if eac_app::is_server(db) {
            Vec::new()
        } else {
            missing_folders(db)
        };
        let result = LoadTarget::load_into(db, &mut work, keep);
        if !db.exists() {
            // Failed, or a dry run: only the folders this command made,
            // and only while empty.
            for folder in &made {
                let _ = std::fs::remove_dir(folder);
            }
        }
        result
    }

    fn load_into<R>(
        db: &Path,
        work: &mut impl FnMut(&mut Store) -> Result<R, AppError>,
        keep: impl Fn(&R) -> bool,
    ) -> Result<R, AppError> {
        loop {
            // A server database is never made here (`eacdesk server init`).
            // An empty file is made a database as a missing one is:
            // built hidden, copied into it only when `work` succeeds.
            let new = match no_database_there(db) {
                None => None,
                Some(why) => {
                    if !why.is_empty() {
                        refuse_unusable_database(db, true)?;
                    }
                    eac_app::new_store(db)?
                }
            };
            let mut target = match new {
                Some(new) => LoadTarget::New(new),
                None => LoadTarget::Open(open(db)?),
            };
            let out = match &mut target {
                LoadTarget::Open(store) => work(store)?,
                LoadTarget::New(new) => work(new.store())?,
            };
            let placed = match target {
                LoadTarget::New(new) if keep(&out) => new.finish()?,
                _ => true,
            };
            if placed {
                return Ok(out);
            }
        }
    }
}

/// Opens the database for a command that only reads: the file is left as it is.
pub(crate) fn open_read(db: &Path) -> Result<Store, AppError> {
    refuse_unusable_database(db, false)?;
    // Read as empty, and said: `ls` of a mistyped path said "No EACs
    // match." as if a database were there. An empty file is left as it
    // is (decision 55): a read made a 1 MB database of it.
    match no_database_there(db) {
        Some("") => {
            let mut err = ErrOut::stderr();
            writeln!(
                err,
                "warning: there is no database at {} (yet): it reads as empty; check the path (--db), or import a file to create one",
                db.display()
            );
        }
        Some(_) => {
            let mut err = ErrOut::stderr();
            writeln!(
                err,
                "warning: {} is an empty file (0 bytes), not an EAC Desk database yet: it reads as empty and is left as it is; check the path (--db), or import a file into it to make it one",
                db.display()
            );
        }
        None => {}
    }
    // A database this process may not write (a read-only folder or disk)
    // is read as it stands, SQLite's read-only mode.
    let read_only =
        !eac_app::is_server(db) && db.is_file() && !eac_store::atomic::database_writable(db);
    let store = if read_only {
        Store::open_read_only(db).map_err(|e| naming(db, e.into()))?
    } else {
        eac_app::open_store_read(db).map_err(|e| naming(db, e))?
    };
    print_warnings(&store);
    Ok(store)
}

/// The database of a command whose output the database records (an
/// export, a pack): opened to write, or, when this process may not write
/// it (a read-only folder or disk), read as it stands, the output then
/// written unrecorded and saying so (`not_recorded`).
pub(crate) fn open_to_record(db: &Path) -> Result<Store, AppError> {
    must_exist(db)?;
    let read_only =
        !eac_app::is_server(db) && db.is_file() && !eac_store::atomic::database_writable(db);
    match read_only {
        true => open_read(db),
        false => open(db),
    }
}

/// Refuses a command that needs an existing database ([`no_database`]):
/// no file, or an empty one (a write would have made a database of it).
fn must_exist(db: &Path) -> Result<(), AppError> {
    match no_database_there(db) {
        None => Ok(()),
        Some(_) => Err(no_database(db)),
    }
}

/// What the store noticed at open (e.g. re-created audit triggers), on stderr.
fn print_warnings(store: &Store) {
    let mut err = ErrOut::stderr();
    for w in eac_app::open_warnings(store) {
        writeln!(err, "warning: {w}");
    }
}

/// `import --json`: the report, and whether it was only a dry run.
#[derive(Serialize)]
struct ImportJson<'a> {
    #[serde(flatten)]
    report: &'a eac_app::ImportReport,
    dry_run: bool,
}

/// The `--format` of any registry's CSV read through a saved column
/// mapping (`eac_registry::Format::MappedCsv`).
const MAPPED_CSV_FORMAT: &str = "csv";

fn import(db: &Path, a: ImportArgs) -> Result<ExitCode> {
    let dry_run = a.dry_run;
    let report = LoadTarget::load(
        db,
        |store| {
            if dry_run {
                // Said once, as an error, before any file is read.
                eac_app::refuse_dry_run_import(store)?;
            }
            let opts = ImportOptions {
                allow_extended_technologies: a.allow_extended_technologies,
                details_from: a.details_from.clone(),
                format: a.format.clone(),
                mapping: a.mapping.clone(),
                dry_run,
            };
            let bar = Bar::new(Units::Bytes);
            let report = eac_app::import_files(store, &a.files, opts, &bar);
            bar.finish();
            Ok(report)
        },
        // Nothing imported into a new file (a dry run imports nothing): no
        // file is left behind.
        |report| {
            !dry_run
                && report
                    .files
                    .iter()
                    .any(|f| f.outcome == ImportOutcome::Imported)
        },
    )?;

    let failed: Vec<_> = report
        .files
        .iter()
        .filter(|f| f.outcome == ImportOutcome::Failed)
        .collect();
    let mut out = Out::stdout();
    let mut err = ErrOut::stderr();
    let imported = report.files.len() - failed.len();
    if dry_run {
        // Nothing was saved, so a failed print has nothing to own up to.
    } else if imported == report.files.len() {
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
        out.json(&ImportJson {
            report: &report,
            dry_run,
        })?;
    } else {
        for f in &report.files {
            match f.outcome {
                ImportOutcome::Imported => {
                    unprinted = unprinted.or(print_imported(&mut out, &mut err, f, dry_run).err());
                }
                ImportOutcome::Failed => {
                    // Among several files the message names the file;
                    // which of them went in is said once, at the end.
                    let message = f.message.as_deref().unwrap_or("Import failed.");
                    writeln!(err, "{}: {message}", refusal_label(f.code));
                    err.violations(&f.violations);
                }
            }
        }
        if !a.allow_extended_technologies && refused_for_technology(&report) {
            writeln!(
                err,
                "hint: nuclear, marine and storage are outside the 2024-08-29 draft list; if the \
                 file holds them on purpose, import it again with --allow-extended-technologies"
            );
        }
        if report.files.len() > 1 {
            unprinted = unprinted.or(writeln!(
                out,
                "{imported} of {} {}.",
                count(report.files.len(), "file"),
                if dry_run { "readable" } else { "imported" }
            )
            .err());
            if let Some(said) = several_files_outcome(&report, db, dry_run) {
                writeln!(err, "{said}");
            }
        }
        if dry_run {
            unprinted =
                unprinted.or(writeln!(out, "Dry run: nothing was written to the database.").err());
        }
    }
    if let Some(e) = unprinted {
        return Err(e.into());
    }
    // Stopped by Ctrl-C: as a shell reports an interrupted command.
    if crate::interrupt::asked() && failed.iter().any(|f| f.code == Some(ErrorCode::Cancelled)) {
        return Ok(ExitCode::from(crate::interrupt::EXIT_INTERRUPTED));
    }
    // A file that could not be read at all (2) outweighs one that broke
    // rules or is no document EAC Desk reads (1).
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

/// Among several files given to `import`, some refused: the last line on
/// stderr names the files not imported and those imported (committed in
/// the database: the import goes on after a refused file, so files after
/// it may be in too), `None` when every file went in. The refusals above
/// it each name their file; a file's own message had named only the files
/// committed before it, never those after it.
fn several_files_outcome(
    report: &eac_app::ImportReport,
    db: &Path,
    dry_run: bool,
) -> Option<String> {
    /// A long list is cut (`--json` gives each file's outcome).
    const NAMED: usize = 10;
    fn names(files: &[&str]) -> String {
        let mut names = eac_model::words::first_named(files, NAMED, files.len());
        if files.len() > NAMED {
            names.push_str(" (`--json` lists each file)");
        }
        names
    }
    let (mut went, mut not) = (Vec::new(), Vec::new());
    for f in &report.files {
        match f.outcome {
            ImportOutcome::Imported => went.push(f.file.as_str()),
            ImportOutcome::Failed => not.push(f.file.as_str()),
        }
    }
    if not.is_empty() {
        return None;
    }
    let given = report.files.len();
    // A file stopped by Ctrl-C makes the whole line `interrupted`.
    let cancelled = (report.files.iter()).any(|f| f.code == Some(ErrorCode::Cancelled));
    let label = refusal_label(cancelled.then_some(ErrorCode::Cancelled));
    let db = eac_app::db_display(db);
    let n = not.len();
    let them = if n == 1 { "it" } else { "them" };
    let not_done = match dry_run {
        true => format!("{n} of the {given} files given could not be imported"),
        false if n == given => format!("none of the {given} files given was imported"),
        false if n == 1 => format!("1 of the {given} files given was not imported"),
        false => format!("{n} of the {given} files given were not imported"),
    };
    let nothing = match (dry_run, went.is_empty()) {
        (true, _) => "dry run: nothing was written".to_owned(),
        (false, true) => format!("nothing was written to {db}"),
        (false, false) => format!("nothing from {them} is in {db}"),
    };
    let went_in = match (dry_run, went.is_empty()) {
        (_, true) => String::new(),
        (true, false) => format!(" Readable: {}.", names(&went)),
        (false, false) => format!(" Imported and committed in {db}: {}.", names(&went)),
    };
    Some(format!(
        "{label}: {not_done}: {} ({nothing}).{went_in}",
        names(&not)
    ))
}

/// How the refusal of one file of an import begins on stderr: `error`, as
/// every other command's error does (a log's `grep '^error:'` missed
/// them), or `interrupted` for a file stopped by Ctrl-C, as `main` says it.
fn refusal_label(code: Option<ErrorCode>) -> &'static str {
    if code == Some(ErrorCode::Cancelled) && crate::interrupt::asked() {
        "interrupted"
    } else {
        "error"
    }
}

/// What the refusal of a file adds, among several files of `refdata
/// import` into the database shown as `db`: the files committed before it
/// (`committed`, each its own transaction), which its failure left there
/// (the files after it are not tried, and named). Its message names it and
/// says that nothing from it was imported; `None` when no file was
/// committed before it. (`import` goes on after a refused file, so it
/// names the files imported and not once, at the end:
/// [`several_files_outcome`].)
fn committed_before<S: AsRef<str>>(committed: &[S], db: &str) -> Option<String> {
    const NAMED: usize = 3;
    let n = committed.len();
    if n == 0 {
        return None;
    }
    let names = eac_model::words::first_named(committed.iter().map(AsRef::as_ref), NAMED, n);
    let (what, are) = match n {
        1 => ("The file imported before it".to_owned(), "is"),
        _ => (format!("The {n} files imported before it"), "are"),
    };
    Some(format!("{what} ({names}) {are} committed in {db}."))
}

/// The most warnings of one file the text of `import` lists (`--json`
/// keeps the first 50, decision 373, and counts all).
const IMPORT_WARNINGS_SHOWN: usize = 10;

/// The first [`IMPORT_WARNINGS_SHOWN`] warnings of a file, then how many
/// more there are and where to read them: 5,000 unknown beneficiary ids
/// were 50 lines of 300 characters, ended by "… and 4953 more".
fn print_import_warnings(err: &mut ErrOut, f: &eac_app::FileImportReport) {
    let shown = f.warnings.len().min(IMPORT_WARNINGS_SHOWN);
    err.violations(&f.warnings[..shown]);
    let more = f.warning_count.saturating_sub(shown);
    if more == 0 {
        return;
    }
    let kept = f.warnings.len();
    let json = if kept >= f.warning_count {
        "`import --json` lists them all".to_owned()
    } else {
        format!(
            "`import --json` lists the first {kept} of the {} (and counts them all)",
            f.warning_count
        )
    };
    writeln!(err, "… and {more} more; {json}.");
}

/// Whether a file was refused for a technology outside the draft list
/// (rule 3 at `technology_type`, decision 9; not a misspelt one).
fn refused_for_technology(report: &eac_app::ImportReport) -> bool {
    (report.files.iter())
        .filter(|f| f.outcome == ImportOutcome::Failed)
        .flat_map(|f| &f.violations)
        .any(eac_model::check::refuses_extended_technology)
}

/// The report of one imported (or, in a dry run, readable) file: its
/// counts; for a registry document also its format, skipped rows, the
/// reader's notes, overlaps with stored ranges and what its EACs still lack.
fn print_imported(
    out: &mut Out,
    err: &mut ErrOut,
    f: &eac_app::FileImportReport,
    dry_run: bool,
) -> Result<(), render::OutputError> {
    let Some(r) = &f.registry else {
        let ignored = match f.ignored {
            0 => String::new(),
            n => format!(", {n} ignored (unknown beneficiary type)"),
        };
        let verb = if dry_run { "Would import" } else { "Imported" };
        // Skipped EACs the file states otherwise than they are stored (a
        // later version stored, or the same `cds_modified` with other
        // content, each of those warned of below): not marked checked.
        let differ = match f.skipped_differing {
            0 => String::new(),
            1 => " (1 differs)".to_owned(),
            n => format!(" ({n} differ)"),
        };
        writeln!(
            out,
            "{verb} {}: {} added, {} replaced, {} skipped{differ}{ignored}",
            f.file, f.added, f.replaced, f.skipped
        )?;
        if f.warning_count > 0 {
            writeln!(err, "{} in {}:", count(f.warning_count, "warning"), f.file);
            print_import_warnings(err, f);
        }
        return Ok(());
    };
    let verb = if dry_run { "Would import" } else { "Imported" };
    let counts = if dry_run {
        format!(
            "{} to add, {} to replace, {} unchanged",
            count(f.added, "EAC"),
            f.replaced,
            r.unchanged
        )
    } else {
        format!(
            "{} added, {} replaced, {} unchanged",
            count(f.added, "EAC"),
            f.replaced,
            r.unchanged
        )
    };
    writeln!(out, "{verb} {} ({}): {counts}", f.file, r.format_name)?;
    // EACs deleted before and stored again: the first warning names them
    // (a CDS file's warnings are all printed, a registry document's not).
    if let (true, Some(w)) = (f.readded > 0, f.warnings.first()) {
        writeln!(out, "  warning: {}", w.message)?;
    }
    if let (Some(seen), 0) = (&r.seen_before, f.added) {
        // The same bytes read again replace only what this version of EAC
        // Desk reads differently from what was stored then.
        let what = match f.replaced {
            0 => "nothing added".to_owned(),
            n => format!(
                "nothing added; read again it states {} differently, which {} replaced (audited)",
                count(n, "stored EAC"),
                match (dry_run, n) {
                    (true, _) => "would be",
                    (false, 1) => "was",
                    (false, _) => "were",
                }
            ),
        };
        writeln!(
            out,
            "  already imported on {} as {}: {what}",
            render::whole_seconds(&seen.imported_at),
            seen.file_name
        )?;
    }
    if r.stations > 0 || r.commissioned_filled > 0 {
        writeln!(
            out,
            "  {} read; the commissioning date of {} {} filled in",
            count(r.stations, "station"),
            count(r.commissioned_filled, "stored EAC"),
            if dry_run { "would be" } else { "was" }
        )?;
    }
    for s in &r.skipped_rows {
        writeln!(out, "  skipped {}: {}", s.place, s.reason)?;
    }
    for n in &r.notes {
        writeln!(out, "  note ({}): {}", n.place, n.reason)?;
    }
    // What giving stored EACs again did to their claims and to what was
    // set in EAC Desk (kept or replaced).
    for n in &r.restatements {
        let word = if n.kind.is_warning() {
            "warning"
        } else {
            "note"
        };
        writeln!(out, "  {word} ({}): {}", n.place, n.message)?;
    }
    if r.restatement_count > r.restatements.len() {
        writeln!(
            out,
            "  … and {} more of these (`--json` lists the first {})",
            r.restatement_count - r.restatements.len(),
            r.restatements.len()
        )?;
    }
    for o in &r.overlaps {
        writeln!(
            out,
            "  warning: overlap in {}: {} (EAC `{}`) shares {} certificates with the stored {} (EAC `{}`), so they are counted twice; keep the range the registry's newest download states and delete the other (the stored one: `eacdesk delete {} --reason TEXT`); to see every overlap, run `eacdesk check`",
            o.registry,
            range_words(&o.a.first, &o.a.last),
            o.a.cds_eac_id,
            o.shared,
            range_words(&o.b.first, &o.b.last),
            o.b.cds_eac_id,
            render::shell_word(&o.b.cds_eac_id)
        )?;
    }
    if r.incomplete_eacs > 0 {
        writeln!(
            out,
            "  {} of this file {} fields the spec requires (no P1 or P2 export until completed):",
            count(r.incomplete_eacs, "EAC"),
            if r.incomplete_eacs == 1 {
                "lacks"
            } else {
                "lack"
            }
        )?;
        for m in &r.missing_fields {
            writeln!(
                out,
                "    {:<24} missing in {}",
                m.field,
                count(m.eacs, "EAC")
            )?;
        }
        writeln!(
            out,
            "  Complete them with `eacdesk set --all-matching --incomplete [FILTERS] FIELD=VALUE... --reason TEXT` (`eacdesk set --help` lists the fields){}; `eacdesk ls --incomplete` lists them.",
            if r.missing_fields.iter().any(|m| m.field == "beneficiary_type") {
                " and `eacdesk beneficiaries set` for the beneficiaries"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

/// `first – last`, or the one number of a single certificate.
fn range_words(first: &str, last: &str) -> String {
    if first == last {
        first.to_owned()
    } else {
        format!("{first} – {last}")
    }
}

#[derive(Serialize)]
struct Listing {
    rows: Vec<ListedRow>,
    summary: eac_app::BrowseTotals,
    /// The EACs without values the count leaves out.
    envelope_only: EnvelopeOnlyCount,
}

/// `ls --json`: a row with its total in the display unit.
#[derive(Serialize)]
struct ListedRow {
    #[serde(flatten)]
    row: eac_app::EacRow,
    total: eac_app::UnitTotal,
}

fn ls(store: &Store, a: LsArgs) -> Result<ExitCode> {
    if a.envelope_only {
        return ls_envelope_only(store, &a);
    }
    let mut out = Out::stdout();
    let filter = a.filter.to_filter();
    let sort = a.sort.unwrap_or_default();
    let page = BrowseQuery {
        filter: filter.clone(),
        sort,
        offset: a.offset,
        limit: a.limit.unwrap_or(50),
    };
    if a.csv || a.xlsx.is_some() {
        // Every matching row, unless a page was asked for: then exactly
        // the rows asked for, however many (`--limit 5000` wrote 1000
        // rows without a word; `--limit 0` asks for none), the filter
        // kept so that the file says which rows of which EACs it holds
        // (a page made an id list said "3 selected EACs").
        let view = eac_app::TableView {
            filter,
            sort,
            ids: None,
            offset: (a.offset > 0).then_some(a.offset),
            limit: a.limit,
            unit: a.unit,
        };
        return match &a.xlsx {
            Some(dest) => ls_xlsx(store, &view, dest),
            None => ls_csv(store, &view),
        };
    }
    // The summary first: its count of the filter spares the page counting
    // it again to choose how to read it (`facets::read_in_sort_order`).
    let summary = eac_app::browse_totals(store, &filter, a.unit)?;
    // `--limit 0` asks for no row: only the count and the total (the
    // store reads a limit of 0 as a whole page).
    let rows = match page.limit {
        0 => Vec::new(),
        _ => eac_app::browse(store, &page)?,
    };
    warn_page_cut(rows.len(), page.limit, summary.count, a.offset);
    let envelope_only = EnvelopeOnlyCount::of(store, &filter)?;
    if a.json {
        let rows = rows
            .into_iter()
            .map(|row| {
                Ok(ListedRow {
                    total: eac_app::unit_total(&row.quantities, a.unit)?,
                    row,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        out.json(&Listing {
            rows,
            summary,
            envelope_only,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if summary.count == 0 {
        writeln!(out, "No EACs match.")?;
        envelope_only.print(&mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let quantity = format!("QUANTITY ({})", a.unit);
    let mut table = Table::with_headers(
        [
            "CDS_EAC_ID",
            "EAC_NUMBER",
            "TECHNOLOGY",
            "PERIOD",
            "SOURCE",
            "DESTINATION",
            "BENEFICIARIES",
            &quantity,
            "RETIRED",
            "VALUES",
            "MISSING",
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .right_align(7)
    .right_align(9)
    .right_align(10);
    // A cell past TABLE_CELL_CHARS is cut, as `audit` cuts its cells: one
    // 4,096-character id padded every row to its width.
    let mut cut = 0;
    for r in &rows {
        let cells = vec![
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
            eac_app::unit_total(&r.quantities, a.unit)?.total,
            r.retired_state.to_string(),
            r.value_count.to_string(),
            match r.missing.len() {
                0 => "–".to_owned(),
                n => n.to_string(),
            },
        ];
        table.row(cut_cells(cells, &mut cut));
    }
    if !rows.is_empty() {
        out.table(&table)?;
    }
    say_cut_cells(
        &mut out,
        cut,
        "`eacdesk ls --json` with the same options gives every value whole",
    )?;
    let shown = match rows.len() {
        0 if page.limit == 0 => "None shown (--limit 0) of".to_owned(),
        0 => format!("No EACs at offset {};", a.offset),
        n => format!("Showing {}–{} of", a.offset + 1, a.offset + n),
    };
    writeln!(
        out,
        "{shown} {} matching · total {}",
        count(summary.count, "EAC"),
        render::unit_total(&summary.total, &summary.totals)
    )?;
    envelope_only.print(&mut out)?;
    if rows.iter().any(|r| !r.missing.is_empty()) {
        writeln!(
            out,
            "MISSING counts the required fields an EAC lacks (`eacdesk show ID` names them; `eacdesk set` completes them)."
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The longest cell the text tables of `ls` and `audit` show whole.
const TABLE_CELL_CHARS: usize = 160;

/// `cells` with each one past [`TABLE_CELL_CHARS`] cut, ending in `…`;
/// `cut` counts the cells cut (`ls`'s and `audit`'s tables).
fn cut_cells(cells: Vec<String>, cut: &mut usize) -> Vec<String> {
    cells
        .into_iter()
        .map(|cell| match render::cut_chars(&cell, TABLE_CELL_CHARS) {
            Some(shorter) => {
                *cut += 1;
                shorter
            }
            None => cell,
        })
        .collect()
}

/// After a table that cut `cut` cells ([`cut_cells`]): how many, and
/// `whole`, what gives every value whole ("`eacdesk ls --json` with the
/// same options gives every value whole").
fn say_cut_cells(out: &mut Out, cut: usize, whole: &str) -> Result<(), render::OutputError> {
    if cut == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "{} longer than {TABLE_CELL_CHARS} characters {} cut, ending in …; {whole}.",
        count(cut, "cell"),
        if cut == 1 { "is" } else { "are" }
    )
}

/// `ls` (text or `--json`) shows at most [`eac_store::MAX_PAGE`] rows at a
/// time: when `--limit` asked for more than it got (`shown` of the
/// `matching` rows from `offset`), stderr says so and how to get the rest
/// (`--limit 5000 --json` gave 1000 rows without a word).
fn warn_page_cut(shown: usize, limit: usize, matching: usize, offset: usize) {
    let asked = limit.min(matching.saturating_sub(offset));
    if shown < asked {
        writeln!(
            ErrOut::stderr(),
            "warning: only {shown} of the {asked} rows asked for are shown: `ls` shows at most \
             {} at a time, --json too. `--csv` or `--xlsx FILE` write every row asked for; or \
             ask for the next ones with --offset {}.",
            eac_store::MAX_PAGE,
            offset + shown
        );
    }
}

/// The EACs stored without values (envelope-only, decision 25) beside
/// what `ls` and `summary` count: the browse filters look at fields they do
/// not have, so an unfiltered export or deletion takes them all and a
/// filtered one none. Said so that the count given is never short of what
/// `export` writes without a word.
#[derive(Serialize)]
struct EnvelopeOnlyCount {
    /// Those the filter selects too (an export of the same filter writes
    /// them): all when there is no filter, none otherwise.
    matching: usize,
    /// All of them in the database.
    stored: usize,
}

impl EnvelopeOnlyCount {
    fn of(store: &Store, filter: &EacFilter) -> Result<Self, AppError> {
        let stored = eac_app::envelope_only_count(store)?;
        let unfiltered = *filter == EacFilter::default();
        Ok(EnvelopeOnlyCount {
            matching: if unfiltered { stored } else { 0 },
            stored,
        })
    }

    /// One line after the count, when there are any.
    fn print(&self, out: &mut Out) -> Result<(), render::OutputError> {
        let n = self.stored;
        if n == 0 {
            return Ok(());
        }
        let it = if n == 1 { "it" } else { "them" };
        if self.matching > 0 {
            writeln!(
                out,
                "+ {} without values (envelope-only: from a P2 listing whose detail data EAC \
                 Desk does not read), not counted above; an export or deletion of all EACs takes \
                 {it} too. `eacdesk ls --envelope-only` lists {it}.",
                count(n, "EAC"),
            )
        } else {
            writeln!(
                out,
                "The filters leave out the {} stored without values (envelope-only): {} not \
                 searched or filtered, and an export with filters leaves {it} out too. \
                 `eacdesk ls --envelope-only` lists {it}.",
                count(n, "EAC"),
                if n == 1 { "it is" } else { "they are" },
            )
        }
    }
}

/// `ls --envelope-only --json`.
#[derive(Serialize)]
struct EnvelopeListing {
    rows: Vec<eac_app::EnvelopeOnlyRow>,
    /// How many the database holds.
    count: usize,
}

/// `ls --envelope-only`: the EACs stored without values, a page at a time,
/// and what they are.
fn ls_envelope_only(store: &Store, a: &LsArgs) -> Result<ExitCode> {
    if !a.filter.is_empty() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "filters do not apply to EACs without values (they have none of the fields \
                 the filters look at); give --envelope-only without filters",
            )
            .exit();
    }
    let mut out = Out::stdout();
    let total = eac_app::envelope_only_count(store)?;
    let limit = a.limit.unwrap_or(50);
    let rows = match limit {
        0 => Vec::new(),
        _ => eac_app::envelope_only(store, a.offset, limit)?,
    };
    warn_page_cut(rows.len(), limit, total, a.offset);
    if a.json {
        out.json(&EnvelopeListing { rows, count: total })?;
        return Ok(ExitCode::SUCCESS);
    }
    if total == 0 {
        writeln!(
            out,
            "No EACs are stored without values: every stored EAC has its values."
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "CDS_EAC_ID",
        "EAC_NUMBERS",
        "PERIOD",
        "BENEFICIARIES",
        "FORMAT",
        "DETAIL DATA (eac_data_url)",
        "LAST CHECKED",
    ]);
    let mut cut = 0;
    for r in &rows {
        let cells = vec![
            r.cds_eac_id.clone(),
            match r.eac_numbers.is_empty() {
                true => "–".to_owned(),
                false => r.eac_numbers.join(", "),
            },
            render::period(&r.period_start, &r.period_end),
            render::assignment_short(r.beneficiary_type, &r.beneficiaries),
            r.eac_format.clone(),
            r.eac_data_url.clone(),
            render::whole_seconds(&r.cds_synced),
        ];
        table.row(cut_cells(cells, &mut cut));
    }
    if !rows.is_empty() {
        out.table(&table)?;
    }
    say_cut_cells(
        &mut out,
        cut,
        "`eacdesk ls --envelope-only --json` with the same options gives every value whole",
    )?;
    let shown = match rows.len() {
        0 if limit == 0 => "None shown (--limit 0) of".to_owned(),
        0 => format!("None at offset {};", a.offset),
        n => format!("Showing {}–{} of", a.offset + 1, a.offset + n),
    };
    writeln!(out, "{shown} {} without values.", count(total, "EAC"))?;
    writeln!(out, "{ENVELOPE_ONLY_WHY}")?;
    Ok(ExitCode::SUCCESS)
}

/// What an envelope-only EAC is, what it blocks and how to fix it (the
/// app's dialog says the same).
const ENVELOPE_ONLY_WHY: &str = "They were imported from a P2 listing whose detail data is in \
    a format EAC Desk does not read (FORMAT above): only the envelope is stored (id, period, \
    beneficiaries, EAC numbers and where the detail data is), no values. `ls`, `summary` and \
    the filters leave them out; a P2 export writes them as imported; a P1 export of all EACs is \
    refused because of them (a filtered one works). To give one values, import its full data \
    (a CDS P1 listing, or a P2 bundle in EAC Desk's format): it takes the envelope's place.";

/// `ls --csv`: the rows as CSV on standard output (raw: CSV quoting, not
/// terminal escaping, keeps the cells intact).
fn ls_csv(store: &Store, view: &eac_app::TableView) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut sink = out.raw();
    let written = eac_app::write_table_csv(store, view, &mut sink, &eac_app::NoProgress);
    sink.finish()?;
    let report = written?;
    warn_envelope_only_left_out(view, &report);
    Ok(ExitCode::SUCCESS)
}

/// On standard error (standard output holds the CSV, or says what the
/// workbook holds): the EACs stored without values that an unfiltered
/// table leaves out, as text `ls` counts them (decision 359); a page
/// said as which rows it holds.
fn warn_envelope_only_left_out(view: &eac_app::TableView, report: &eac_app::TableExportReport) {
    let n = report.envelope_only_left_out;
    if n == 0 {
        return;
    }
    let rows = if view.offset.is_some() || view.limit.is_some() {
        report.selection.clone()
    } else {
        format!("{} with values", count(report.rows, "EAC"))
    };
    writeln!(
        ErrOut::stderr(),
        "{rows}; {}.",
        eac_app::envelope_only_left_out_words(n)
    );
}

/// `ls --xlsx FILE`: the workbook, then one line saying what it holds.
fn ls_xlsx(store: &Store, view: &eac_app::TableView, dest: &Path) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let bar = Bar::new(Units::Eacs);
    let report = eac_app::export_table(store, view, eac_app::TableFormat::Xlsx, dest, &bar)?;
    bar.finish();
    out.committed(format!("{} was written", dest.display()));
    writeln!(
        out,
        "Wrote {} ({}: {}) · total {}",
        dest.display(),
        report.selection,
        count(report.rows, "EAC"),
        render::unit_total(&report.total, &report.totals)
    )?;
    warn_envelope_only_left_out(view, &report);
    if report.inexact_numbers > 0 {
        writeln!(
            out,
            "{} too long for a spreadsheet's 15 digits: each has a note giving its exact text, which the workbook also keeps as text.",
            count(report.inexact_numbers, "number")
        )?;
    }
    if report.cut_cells > 0 {
        writeln!(
            out,
            "{} longer than a spreadsheet cell holds (32,767 characters): each is cut, marked \"… [cut\", and whole on the sheet \"Long cells\" (`--csv` keeps every cell whole).",
            count(report.cut_cells, "cell")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `eacdesk summary`: one row per group, totals exact and right-aligned.
/// `summary --json`: the report and the EACs without values it leaves out.
#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(flatten)]
    report: &'a eac_app::SummaryReport,
    envelope_only: EnvelopeOnlyCount,
}

fn summary(store: &Store, a: SummaryArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let filter = a.filter.to_filter();
    let report = eac_app::summary(store, &filter, &a.by, a.unit)?;
    let envelope_only = EnvelopeOnlyCount::of(store, &filter)?;
    if a.json {
        out.json(&SummaryJson {
            report: &report,
            envelope_only,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if a.csv {
        let mut sink = out.raw();
        let written =
            std::io::Write::write_all(&mut sink, eac_app::summary_csv(&report).as_bytes());
        sink.finish()?;
        written?;
        return Ok(ExitCode::SUCCESS);
    }
    if report.count == 0 {
        writeln!(out, "No EACs match.")?;
        envelope_only.print(&mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut headers: Vec<String> = report
        .by
        .iter()
        .map(|k| k.as_str().to_uppercase())
        .collect();
    // Without --by the one group is the total: one row, labelled (it was
    // printed twice, neither labelled); the label stands in a column of
    // its own.
    let grouped = !headers.is_empty();
    if !grouped {
        headers.push(String::new());
    }
    let keys = headers.len();
    headers.push("EACS".to_owned());
    headers.push(format!("TOTAL ({})", report.unit));
    headers.push("AS IMPORTED".to_owned());
    let mut table = Table::with_headers(headers)
        .right_align(keys)
        .right_align(keys + 1);
    if grouped {
        for g in &report.groups {
            let mut cells = g.labels.clone();
            cells.push(g.count.to_string());
            cells.push(g.total.total.clone());
            cells.push(render::quantities(&g.totals));
            table.row(cells);
        }
    }
    // The label column is always there (`keys` is at least 1).
    let mut cells = vec![String::new(); keys];
    cells[0] = "Total".to_owned();
    cells.push(report.count.to_string());
    cells.push(report.total.total.clone());
    cells.push(render::quantities(&report.totals));
    table.row(cells);
    out.table(&table)?;
    envelope_only.print(&mut out)?;
    if report.by.iter().any(|k| {
        matches!(
            k,
            SummaryKey::Year | SummaryKey::Quarter | SummaryKey::Month | SummaryKey::Retired
        )
    }) {
        writeln!(
            out,
            "Groups are of values: an EAC with values in two groups counts in both; its quantity is split between them."
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `show --json`: the detail, the documents it came from.
#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    detail: &'a eac_app::EacDetail,
    sources: Vec<ShownSource<'a>>,
}

/// A source document as `show --json` gives it: `altered_sha256`, the
/// SHA-256 its bytes have now, only when another program changed them
/// (known only with `--verify`, which hashes them).
#[derive(Serialize)]
struct ShownSource<'a> {
    #[serde(flatten)]
    source: &'a SourceView,
    #[serde(skip_serializing_if = "Option::is_none")]
    altered_sha256: Option<String>,
}

/// The SHA-256 the stored bytes of each source have now, where it is not
/// the one they were stored under (read and hashed one at a time); only
/// when `verify` (`show --verify`): a document may be 256 MiB, and `show`
/// is no place to read each whole every time.
fn altered_sources(
    store: &Store,
    sources: &[SourceView],
    verify: bool,
) -> Result<Vec<Option<String>>> {
    if !verify {
        return Ok(vec![None; sources.len()]);
    }
    sources
        .iter()
        .map(|s| match store.document(&s.sha256) {
            Err(eac_app::StoreError::DocumentAltered { found, .. }) => Ok(Some(found)),
            Err(e) => Err(AppError::from(e).into()),
            Ok(_) => Ok(None),
        })
        .collect()
}

fn show(store: &Store, a: ShowArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let id = a.cds_eac_id.as_str();
    let d = match eac_app::eac_detail(store, id) {
        // Not an EAC with values: perhaps one stored by its envelope only.
        Err(e) if e.code == ErrorCode::NotFound => match eac_app::envelope_only_eac(store, id)? {
            Some(envelope) => return show_envelope_only(&envelope, &a),
            None => return show_other_spelling(store, a, e),
        },
        found => found?,
    };
    let sources = eac_app::sources(store, id)?;
    if let (Some(n), Some(dest)) = (a.save_source, &a.out) {
        return save_source(store, id, &sources, n, dest, a.json);
    }
    let altered = altered_sources(store, &sources, a.verify)?;
    if a.json {
        out.json(&ShowJson {
            detail: &d,
            sources: sources
                .iter()
                .zip(&altered)
                .map(|(source, altered)| ShownSource {
                    source,
                    altered_sha256: altered.clone(),
                })
                .collect(),
        })?;
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
                (None, None) => MISSING.to_owned(),
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
        ("beneficiaries", eac_app::id_list(&d.beneficiaries, ',')),
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
        if let Some(ext) = &v.extensions_json {
            table.under(&format!("extensions  {ext}"));
        }
    }
    out.table(&table)?;
    print_missing(&mut out, &d)?;
    print_sources(&mut out, id, &sources, &altered, a.verify)?;
    Ok(ExitCode::SUCCESS)
}

/// `show ID` of an id stored with its accents written the other way (`É`
/// typed as one character, saved by macOS as `E` and a combining accent):
/// the one EAC so stored, with a note saying so on stderr; when two are,
/// the ids to choose from. `not_found` when none is.
fn show_other_spelling(store: &Store, a: ShowArgs, not_found: AppError) -> Result<ExitCode> {
    let others = store
        .other_spellings(&a.cds_eac_id)
        .map_err(AppError::from)?;
    match others.as_slice() {
        [] => Err(not_found.into()),
        [one] => {
            writeln!(
                ErrOut::stderr(),
                "note: no EAC has the id `{}` as typed; showing `{}`, the same text with its \
                 accents written the other way (as one character, or as a letter and a \
                 combining accent, as macOS saves text). It is stored and exported as shown.",
                eac_model::quote(&a.cds_eac_id),
                eac_model::quote(one)
            );
            show(
                store,
                ShowArgs {
                    cds_eac_id: one.clone(),
                    ..a
                },
            )
        }
        several => Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "There is no EAC with id `{}` as typed, but {} EACs have ids that are the same \
                 text with their accents written differently (as one character, or as a \
                 letter and a combining accent, as macOS saves text): {}. Copy the id you \
                 mean from `eacdesk ls --search` (or `ls --json`) and show that one.",
                eac_model::quote(&a.cds_eac_id),
                several.len(),
                several
                    .iter()
                    .map(|id| format!("`{}`", eac_model::quote(id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .into()),
    }
}

/// `show --json` of an envelope-only EAC: its envelope, no values, and why.
#[derive(Serialize)]
struct ShowEnvelopeJson<'a> {
    #[serde(flatten)]
    envelope: &'a eac_app::EnvelopeOnlyRow,
    envelope_only: bool,
    values: [(); 0],
    sources: [(); 0],
    why: String,
}

/// `show ID` of an EAC stored by its P2 envelope only (decision 25): the
/// fields it has, that it has no values, why and what to do.
fn show_envelope_only(e: &eac_app::EnvelopeOnlyRow, a: &ShowArgs) -> Result<ExitCode> {
    let id = e.cds_eac_id.as_str();
    let why = format!(
        "EAC {} is stored without values (envelope-only): it was imported from a P2 listing \
         whose detail data is in a format EAC Desk does not read ({}), so only its envelope is \
         kept. `ls`, `summary` and the filters leave it out; a P2 export writes it as imported; \
         a P1 export of all EACs is refused because of it. To give it values, import its full \
         data (a CDS P1 listing, or a P2 bundle in EAC Desk's format): it takes the envelope's \
         place.",
        eac_model::quote(id),
        eac_model::quote(&e.eac_format)
    );
    if a.save_source.is_some() {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "EAC {} is stored without values (envelope-only): no source document is kept \
                 for it, so there is none to save. Nothing was written.",
                eac_model::quote(id)
            ),
        )
        .into());
    }
    let mut out = Out::stdout();
    if a.json {
        out.json(&ShowEnvelopeJson {
            envelope: e,
            envelope_only: true,
            values: [],
            sources: [],
            why,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let fields: Vec<(&str, String)> = vec![
        ("cds_eac_id", e.cds_eac_id.clone()),
        (
            "eac_numbers",
            match e.eac_numbers.is_empty() {
                true => "–".to_owned(),
                false => e.eac_numbers.join(", "),
            },
        ),
        ("cds_created", e.cds_created.clone()),
        ("cds_modified", e.cds_modified.clone()),
        ("cds_synced", e.cds_synced.clone()),
        ("beneficiary_type", e.beneficiary_type.to_string()),
        ("beneficiaries", e.beneficiaries.join(", ")),
        ("period_start", e.period_start.clone()),
        ("period_end", e.period_end.clone()),
        ("eac_format", e.eac_format.clone()),
        ("eac_data_url", e.eac_data_url.clone()),
        ("values", "none (envelope-only)".to_owned()),
    ];
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in &fields {
        writeln!(out, "{key:<width$}  {value}")?;
    }
    writeln!(out)?;
    writeln!(out, "{why}")?;
    Ok(ExitCode::SUCCESS)
}

/// What a missing field is, in plain words (`values/0/issued` → the date
/// value 1 was issued).
fn missing_words(path: &str) -> String {
    let (value, field) = match path.strip_prefix("values/").and_then(|p| p.split_once('/')) {
        Some((i, field)) => (i.parse::<usize>().ok().map(|i| i + 1), field),
        None => (None, path),
    };
    let words = match field {
        "destination_id" => "the id of the organisation the EAC went to (its destination)",
        "destination_name" => "the name of that organisation",
        "beneficiary_type" => "who it is claimed for: the beneficiary type and ids",
        "asset_origination" => "where the energy was produced: grid or region",
        "asset_destination" => "where the energy was delivered: grid or region",
        "technology_type" => "the technology (the registry's name has no CDS type)",
        "emissions_factor_direct" => "the direct emission factor",
        "emissions_factor_lca" => "the life-cycle (LCA) emission factor",
        "issued" => "the date it was issued",
        "retired" => "the date it was retired (the document proves it was, without a date)",
        _ => "a required field",
    };
    match value {
        Some(n) => format!("value {n}: {words}"),
        None => words.to_owned(),
    }
}

fn print_missing(out: &mut Out, d: &eac_app::EacDetail) -> Result<(), render::OutputError> {
    if d.missing.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "Missing ({}; no P1 or P2 export until completed):",
        count(d.missing.len(), "field")
    )?;
    let width = d.missing.iter().map(String::len).max().unwrap_or(0);
    for path in &d.missing {
        writeln!(out, "  {path:<width$}  {}", missing_words(path))?;
    }
    let beneficiaries = if d.missing.iter().any(|p| p == "beneficiary_type") {
        format!(
            "; the beneficiaries with `eacdesk beneficiaries set {} --type TYPE --id ID --reason TEXT`",
            d.cds_eac_id
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "Complete them with `eacdesk set {} FIELD=VALUE... --reason TEXT`{beneficiaries}.",
        d.cds_eac_id
    )
}

fn print_sources(
    out: &mut Out,
    id: &str,
    sources: &[SourceView],
    altered: &[Option<String>],
    verified: bool,
) -> Result<(), render::OutputError> {
    writeln!(out)?;
    if sources.is_empty() {
        return writeln!(
            out,
            "No source document is kept for this EAC (it was not imported from a registry \
             document, or a CDS listing replaced what one stated since: `eacdesk audit` says which)."
        );
    }
    writeln!(out, "{}:", count(sources.len(), "source document"))?;
    for (i, s) in sources.iter().enumerate() {
        let range = s
            .range_text
            .as_deref()
            .map(|r| format!(", range {r}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}. {} ({}), {}{range}",
            i + 1,
            s.file_name,
            s.format,
            s.locator
        )?;
        writeln!(
            out,
            "     SHA-256 {}, {} bytes, imported {}",
            s.sha256,
            s.size,
            render::whole_seconds(&s.imported_at)
        )?;
        if let Some(Some(found)) = altered.get(i) {
            writeln!(
                out,
                "     CHANGED: its bytes in the database now have the SHA-256 {found}: another \
                 program changed it, so it is not the original and is not saved. Restore the \
                 database from a backup, or import the original file again."
            )?;
        }
    }
    if verified {
        let changed = altered.iter().filter(|a| a.is_some()).count();
        if changed == 0 {
            writeln!(
                out,
                "Each stored copy still has the SHA-256 it was stored with."
            )?;
        }
        if changed == altered.len() {
            return Ok(());
        }
    }
    writeln!(
        out,
        "Save a copy with `eacdesk show {id} --save-source N --out PATH`{}.",
        if verified {
            ""
        } else {
            "; `--verify` checks the stored copies against their SHA-256"
        }
    )
}

/// `show ID --save-source N --out PATH`: the original bytes of source N.
fn save_source(
    store: &Store,
    id: &str,
    sources: &[SourceView],
    n: usize,
    dest: &Path,
    json: bool,
) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let Some(source) = n.checked_sub(1).and_then(|i| sources.get(i)) else {
        return Err(AppError::invalid_input(match sources.len() {
            0 => format!("{id} has no source document to save; nothing was written"),
            k => format!(
                "{id} has {}; give --save-source 1{}; nothing was written",
                count(k, "source document"),
                if k > 1 {
                    format!(" to {k}")
                } else {
                    String::new()
                }
            ),
        })
        .into());
    };
    refuse_file_place(dest, "saved source document", &source.file_name)?;
    let report = eac_app::save_source(store, &source.sha256, dest)?;
    out.committed(format!("source {n} was saved to {}", report.path));
    if json {
        out.json(&report)?;
    } else {
        writeln!(
            out,
            "Saved source {n} of {id} ({}, {} bytes) to {}",
            source.file_name, source.size, report.path
        )?;
        writeln!(out, "SHA-256: {}", report.sha256)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `beneficiaries set --json` with filters or `--dry-run`: the counts and
/// what saving the assignment warns of (rule 22), as `set --json` has them.
#[derive(Serialize)]
struct BulkResult {
    matching: usize,
    changed: usize,
    dry_run: bool,
    warnings: Vec<eac_model::Violation>,
}

impl BulkResult {
    /// `report` of `to`, with its warnings when any EAC matched (none
    /// is changed otherwise); `cds_eac_id`: the one EAC named.
    fn of(
        report: &eac_app::BulkEditReport,
        dry_run: bool,
        to: &BeneficiaryAssignment,
        cds_eac_id: Option<&str>,
    ) -> Self {
        BulkResult {
            matching: report.matching,
            changed: report.changed,
            dry_run,
            warnings: match report.matching {
                0 => Vec::new(),
                _ => eac_app::assignment_warnings(to, cds_eac_id),
            },
        }
    }

    /// The warnings after the text report, as `set` prints its own.
    fn print_warnings(&self, out: &mut Out) -> Result<(), render::OutputError> {
        for w in &self.warnings {
            writeln!(out, "{w}")?;
        }
        Ok(())
    }
}

/// `beneficiaries set ID --json`: the audit record and what the saved
/// assignment warns of (rule 22).
#[derive(Serialize)]
struct BeneficiariesSet<'a> {
    #[serde(flatten)]
    record: &'a eac_app::AuditRecord,
    warnings: Vec<eac_model::Violation>,
}

fn set_beneficiaries(db: &Path, a: SetArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let to = BeneficiaryAssignment {
        beneficiary_type: a.kind,
        beneficiaries: a.ids,
    };
    // Usage and the new assignment first: a mistake is said as itself,
    // and the database is not opened (a missing --db was said to be
    // missing instead, an existing one migrated or mended for nothing).
    if a.cds_eac_id.is_some() && !a.filter.is_empty() {
        filters_need_all_matching("one CDS_EAC_ID");
    }
    // A dry run records nothing and needs no reason (decision 60): eac-app
    // takes none; one given is still checked, as the change would check
    // it. The change itself needs one (a missing one is refused there).
    let reason = a.reason.as_deref();
    let needed = if a.dry_run {
        reason
    } else {
        Some(reason.unwrap_or_default())
    };
    eac_app::check_assignment(&to, needed)?;
    let mut store = open(db)?;
    if let (Some(id), false) = (&a.cds_eac_id, a.dry_run) {
        let reason = reason.unwrap_or_default();
        let record = eac_app::set_beneficiaries(&mut store, id, &to, reason, a.if_version)?;
        if record.reviewed {
            // Decision 15: the review is recorded; the EAC is as it was.
            out.committed(format!(
                "the review of the beneficiaries of {id} was recorded (audit record {})",
                record.id
            ));
        } else {
            out.committed(format!(
                "the beneficiaries of {id} were changed (audit record {})",
                record.id
            ));
        }
        warn_unknown(&store, &to, false)?;
        // Rule 22, said as `set` says it (decision 322): a forgotten --id
        // emptied the list without a word.
        let warnings = eac_app::assignment_warnings(&to, Some(id));
        if a.json {
            out.json(&BeneficiariesSet {
                record: &record,
                warnings,
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        if record.reviewed {
            writeln!(
                out,
                "The beneficiaries of {id} are {} already: no change; recorded as reviewed \
                 (audit record {}).",
                render::assignment(to.beneficiary_type, &to.beneficiaries),
                record.id
            )?;
        } else {
            writeln!(
                out,
                "Changed the beneficiaries of {id}: {} (audit record {})",
                audit_change(&record),
                record.id
            )?;
        }
        for w in &warnings {
            writeln!(out, "{w}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let filter: EacFilter = a.filter.to_filter();
    let target = render::assignment(to.beneficiary_type, &to.beneficiaries);
    if a.dry_run {
        // The change itself, rolled back: the same count and the same
        // refusal (a closed period, a recorded claim) as the real run
        // (decision 105: dry runs say the same); one EAC as one of many.
        let plan = match &a.cds_eac_id {
            Some(id) => {
                eac_app::set_beneficiaries_dry_run(&mut store, id, &to, reason, a.if_version)?
            }
            None => {
                let bar = Bar::new(Units::Eacs);
                let plan = eac_app::bulk_set_beneficiaries_dry_run(&mut store, &filter, &to, &bar)?;
                bar.finish();
                plan
            }
        };
        // The warning the change would give (decision 26).
        warn_unknown(&store, &to, true)?;
        let result = BulkResult::of(&plan, true, &to, a.cds_eac_id.as_deref());
        if a.json {
            out.json(&result)?;
            reason_needed(&mut out, a.reason.as_deref(), true)?;
            return Ok(ExitCode::SUCCESS);
        }
        if plan.matching == 0 {
            no_match(&mut out, true)?;
        } else if let (Some(id), 0) = (&a.cds_eac_id, plan.changed) {
            // One EAC named: the change would record a review (decision 15).
            writeln!(
                out,
                "The beneficiaries of {id} are {target} already: no change; it would be recorded \
                 as reviewed. Nothing was changed (--dry-run)."
            )?;
        } else {
            writeln!(
                out,
                "{} Nothing was changed (--dry-run).",
                beneficiaries_plan(&plan, &target)
            )?;
        }
        result.print_warnings(&mut out)?;
        reason_needed(&mut out, a.reason.as_deref(), false)?;
        return Ok(ExitCode::SUCCESS);
    }
    let matching = eac_app::browse_summary(&store, &filter)?.count;
    // As `set`, `delete` and `undo-import`: more than one EAC only
    // with --yes; without it, the plan (as --dry-run says it) and the
    // refusal on stderr.
    let what = |n: &str| format!("change the beneficiaries of {n}");
    if let Err(e) = confirmed(matching, a.yes, what) {
        let bar = Bar::new(Units::Eacs);
        let plan = eac_app::bulk_set_beneficiaries_dry_run(&mut store, &filter, &to, &bar)?;
        bar.finish();
        let result = BulkResult::of(&plan, true, &to, None);
        if a.json {
            out.json(&result)?;
        } else {
            writeln!(
                out,
                "{} Nothing was changed: --yes was not given.",
                beneficiaries_plan(&plan, &target)
            )?;
            result.print_warnings(&mut out)?;
        }
        return Err(e.into());
    }
    // What it is about to do, said before a long write only when --yes
    // confirmed it for any number: without --yes the write may yet be
    // refused for the EACs it finds under the lock (more than one, after
    // another program imported), and a plan said then did not happen. It
    // is said after the write instead.
    let plan_line = |out: &mut Out| -> Result<(), render::OutputError> {
        match matching {
            0 => Ok(()),
            n => writeln!(
                out,
                "{} match{}; setting them to {target}.",
                count(n, "EAC"),
                if n == 1 { "es" } else { "" },
            ),
        }
    };
    // Nor is it said before a write this login is sure to be refused (an
    // auditor's role on a server, a file opened read-only: it may not add
    // to the audit log): a script reading stdout would take the plan for
    // a change made (TEAM42 finding 7.3). The refusal is said alone.
    let announced =
        !a.json && a.yes && matching > 0 && store.may_record(eac_store::RecordedOutput::Export)?;
    if announced {
        plan_line(&mut out)?;
    }
    let bar = Bar::new(Units::Eacs);
    let reason = reason.unwrap_or_default();
    // The change counts again under the write lock, and that count decides:
    // one EAC counted above may be many once another program has imported.
    let report = eac_app::bulk_set_beneficiaries_confirmed(
        &mut store,
        &filter,
        &to,
        reason,
        confirmation(a.yes),
        &bar,
    )
    .map_err(|e| unconfirmed_in_write(e, matching, what))?;
    bar.finish();
    out.committed(format!(
        "the beneficiaries of {} were changed",
        count(report.changed, "EAC")
    ));
    warn_unknown(&store, &to, false)?;
    // As the change found them: another program may have added, changed
    // or removed some since they were counted above, while this edit
    // waited for the write lock (or, on a server, for another desk).
    let counted = matching;
    let (matching, changed) = (report.matching, report.changed);
    let result = BulkResult::of(&report, false, &to, None);
    if a.json {
        out.json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !announced {
        plan_line(&mut out)?;
    }
    if counted > 0 && matching != counted {
        // The count said above no longer holds: one sentence says why,
        // instead of "2000 match" followed by "No EAC matches".
        writeln!(
            out,
            "Another program or window changed the matching EACs while this edit waited for the database: {}.",
            match matching {
                0 => "none match now, so nothing changed".to_owned(),
                n => format!("{n} match now, not {counted}"),
            }
        )?;
        if matching == 0 {
            result.print_warnings(&mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    if matching == 0 {
        no_match(&mut out, false)?;
    } else {
        writeln!(
            out,
            "Changed {} ({} already had these beneficiaries).",
            count(changed, "EAC"),
            matching - changed
        )?;
    }
    result.print_warnings(&mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// What a bulk `beneficiaries set` would do (`target`: the assignment in
/// words), for its dry run and for a run refused for want of `--yes`.
fn beneficiaries_plan(plan: &eac_app::BulkEditReport, target: &str) -> String {
    let already = plan.matching - plan.changed;
    format!(
        "{} match{}; {} would be set to {target} ({already} already {} these beneficiaries).",
        count(plan.matching, "EAC"),
        if plan.matching == 1 { "es" } else { "" },
        plan.changed,
        if already == 1 { "has" } else { "have" }
    )
}

/// The last line of a dry run given no `--reason` (which it does not
/// need: it records nothing): the change itself needs one, so a script
/// that drops `--dry-run` is not refused unwarned. On stdout after the
/// text; under `--json` (stdout JSON or nothing) a hint on stderr.
fn reason_needed(
    out: &mut Out,
    reason: Option<&str>,
    json: bool,
) -> Result<(), render::OutputError> {
    if reason.is_some() {
        return Ok(());
    }
    const NEEDED: &str =
        "To make the change, run it again without --dry-run and with --reason TEXT (kept in the audit log).";
    if json {
        writeln!(ErrOut::stderr(), "hint: {NEEDED}");
        Ok(())
    } else {
        writeln!(out, "{NEEDED}")
    }
}

/// Beneficiary ids the imported reference data does not know: warned about
/// on stderr, never refused (decision 26); a dry run warns as the change
/// would.
fn warn_unknown(store: &Store, to: &BeneficiaryAssignment, dry_run: bool) -> Result<()> {
    let mut err = ErrOut::stderr();
    let saved = if dry_run {
        "it would be saved anyway"
    } else {
        "saved anyway"
    };
    for id in eac_app::check_beneficiaries(store, to)? {
        writeln!(
            err,
            "warning: `{id}` is not in the imported {} reference data ({saved}; check the id)",
            to.beneficiary_type.as_str()
        );
    }
    Ok(())
}

/// One file's line of `refdata import --json`: its report when imported,
/// else why not (`failed`) or that it was not read (`not_tried`).
#[derive(Serialize)]
struct RefdataFileJson<'a> {
    outcome: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<&'a eac_app::RefdataReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a AppError>,
}

fn refdata_import(db: &Path, files: &[std::path::PathBuf], json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut err = ErrOut::stderr();
    // A new database is kept only when every file was imported (decision
    // 262): then a failure saved nothing, and says so.
    let new_database = !eac_app::is_server(db) && !db.exists();
    let done = LoadTarget::load(
        db,
        |store| {
            Ok(eac_app::import_refdata_files(
                store,
                files,
                &eac_app::NoProgress,
            ))
        },
        |done| done.failed.is_none(),
    )?;
    let saved = done.failed.is_none() || !new_database;
    let imported = if saved { done.imported.len() } else { 0 };
    if imported == files.len() {
        out.committed("the reference data was imported");
    } else if imported > 0 {
        out.committed(format!(
            "the reference data was imported from {imported} of {}",
            count(files.len(), "file")
        ));
    }
    let mut unprinted = None;
    if json {
        let mut lines: Vec<RefdataFileJson> = Vec::with_capacity(files.len());
        for r in &done.imported {
            lines.push(RefdataFileJson {
                outcome: if saved { "imported" } else { "not_saved" },
                report: Some(r),
                file: None,
                error: None,
            });
        }
        if let Some(f) = &done.failed {
            lines.push(RefdataFileJson {
                outcome: "failed",
                report: None,
                file: Some(&f.file),
                error: Some(&f.error),
            });
        }
        for name in &done.not_tried {
            lines.push(RefdataFileJson {
                outcome: "not_tried",
                report: None,
                file: Some(name),
                error: None,
            });
        }
        unprinted = out.json(&lines).err();
    } else {
        for r in &done.imported {
            let counts: Vec<String> = r
                .counts
                .iter()
                .map(|c| count(c.count, c.beneficiary_type.as_str()))
                .collect();
            let what = match saved {
                true => format!(
                    "{} added, {} changed",
                    r.added,
                    count(
                        usize::try_from(r.labels_changed).unwrap_or(usize::MAX),
                        "label"
                    )
                ),
                false => "read; not saved".to_owned(),
            };
            let result = writeln!(
                out,
                "{}: {} — {} ({what})",
                r.file,
                r.document,
                if counts.is_empty() {
                    "no ids".to_owned()
                } else {
                    counts.join(", ")
                },
            );
            unprinted = unprinted.or(result.err().map(Into::into));
            for note in &r.notes {
                writeln!(err, "note ({}): {note}", r.file);
            }
        }
    }
    let Some(failed) = &done.failed else {
        if let Some(e) = unprinted {
            return Err(e);
        }
        return Ok(ExitCode::SUCCESS);
    };
    writeln!(
        err,
        "{}: {}",
        refusal_label(Some(failed.error.code)),
        failed.error.message
    );
    // A CSV's findings are placed by line ("line 3: error …"), a JSON
    // file's by line and column or pointer.
    for v in failed.error.details.violations.iter().flatten() {
        match (v.line, &v.file) {
            (Some(line), None) => {
                let at = match v.column {
                    Some(column) => format!("line {line}, column {column}"),
                    None => format!("line {line}"),
                };
                let mut rest = v.clone();
                (rest.line, rest.column) = (None, None);
                writeln!(err, "{at}: {rest}");
            }
            _ => writeln!(err, "{v}"),
        }
    }
    if !done.not_tried.is_empty() {
        writeln!(
            err,
            "Not tried (after the failed file): {}.",
            done.not_tried.join(", ")
        );
    }
    if files.len() > 1 {
        if !json {
            let result = writeln!(
                out,
                "{imported} of {} imported.",
                count(files.len(), "file")
            );
            unprinted = unprinted.or(result.err().map(Into::into));
        }
        let names: Vec<&str> = done.imported.iter().map(|r| r.file.as_str()).collect();
        let are = if names.len() == 1 { "is" } else { "are" };
        if saved {
            if let Some(said) = committed_before(&names, &eac_app::db_display(db)) {
                writeln!(err, "{said}");
            }
        } else if !names.is_empty() {
            writeln!(
                err,
                "Nothing was saved: there was no database at {} and a command that fails makes \
                 none, so {} {are} not saved either. Import the files again once {} is put right.",
                db.display(),
                names.join(", "),
                failed.file
            );
        }
    }
    if let Some(e) = unprinted {
        return Err(e);
    }
    Ok(ExitCode::from(failed.error.code.exit_code()))
}

fn refdata_rm(
    db: &Path,
    kind: eac_model::BeneficiaryType,
    ids: &[String],
    reason: Option<&str>,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut err = ErrOut::stderr();
    let mut store = open(db)?;
    let report = eac_app::remove_refdata(&mut store, kind, ids, reason, dry_run)?;
    if !dry_run {
        out.committed("the reference data was removed");
    }
    let removed = if dry_run { "Would remove" } else { "Removed" };
    for n in &report.still_named {
        let eacs = eac_model::words::first_named(&n.cds_eac_ids, usize::MAX, n.eac_count);
        writeln!(
            err,
            "warning: {} {} the {} `{}`: {eacs}. They are not changed; once it is removed, \
             their id is one the reference data does not hold (check their beneficiaries, \
             `eacdesk beneficiaries set`).",
            count(n.eac_count, "EAC"),
            if n.eac_count == 1 { "names" } else { "name" },
            kind.as_str(),
            eac_model::quote(&n.id)
        );
    }
    if json {
        out.json(&report)?;
        if dry_run {
            reason_needed(&mut out, reason, true)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    for e in &report.removed {
        out.fields(&[e.beneficiary_type.as_str(), &e.id, &e.label])?;
    }
    writeln!(
        out,
        "{removed} {} from the {} reference data{}.",
        count(report.removed.len(), "id"),
        kind.as_str(),
        if dry_run {
            " (dry run: nothing was written)"
        } else {
            " (recorded in the audit log)"
        }
    )?;
    if dry_run {
        reason_needed(&mut out, reason, false)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The refusal of a copy from a file that holds no database
/// ([`no_database_there`]'s `why`).
fn no_database_to_copy(from: &str, why: &str) -> AppError {
    AppError::invalid_input(format!(
        "there is no database file {from}{why}; nothing was copied"
    ))
}

/// Whether `text` names a PostgreSQL database rather than a file: a
/// `postgres://` address or libpq settings.
fn is_server_address(text: &str) -> bool {
    eac_store::server::names_server(text)
}

/// A copy into a file, as its refusals name it ([`refuse_file_place`]).
const COPY: &str = "database copy";
const COPY_EXAMPLE: &str = "copy.sqlite";

fn copy(db: &Path, a: CopyArgs) -> Result<ExitCode> {
    let from = a.from.clone().unwrap_or_else(|| db.display().to_string());
    let mut err = ErrOut::stderr();
    let mut heard = |t: &eac_store::server_copy::TableCopied| {
        if !a.json {
            writeln!(err, "copied {}: {} rows", t.table, t.rows);
        }
    };
    let report = match (is_server_address(&from), is_server_address(&a.to)) {
        (false, true) => {
            refuse_unusable_database(Path::new(&from), false)?;
            if let Some(why) = no_database_there(Path::new(&from)) {
                return Err(no_database_to_copy(&from, why).into());
            }
            eac_app::copy_to_server(
                &open_read(Path::new(&from))?,
                &a.to,
                &mut heard,
                &eac_app::NoProgress,
            )?
        }
        (true, false) => {
            refuse_file_place(Path::new(&a.to), COPY, COPY_EXAMPLE)?;
            eac_app::copy_from_server(&from, Path::new(&a.to), &mut heard)?
        }
        (true, true) => eac_app::copy_between_servers(&from, &a.to, &mut heard)?,
        (false, false) => {
            refuse_unusable_database(Path::new(&from), false)?;
            // An empty file copied as a database of no tables (a missing
            // one is named by the copy).
            if let Some(why) = no_database_there(Path::new(&from)).filter(|w| !w.is_empty()) {
                return Err(no_database_to_copy(&from, why).into());
            }
            refuse_file_place(Path::new(&a.to), COPY, COPY_EXAMPLE)?;
            eac_app::copy_file(Path::new(&from), Path::new(&a.to), &mut heard)?
        }
    };
    let mut out = Out::stdout();
    // Said on stderr if stdout fails (decision 36): the copy is made.
    out.committed(format!(
        "the copy into {} was made",
        if is_server_address(&a.to) {
            format!("{} on the server", report.database)
        } else {
            a.to.clone()
        }
    ));
    if a.json {
        out.json(&report)?;
    } else {
        let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
        let (what, place) = if is_server_address(&from) && is_server_address(&a.to) {
            (
                eac_store::server::without_password(&from),
                format!("{} on the server", report.database),
            )
        } else if is_server_address(&a.to) {
            (from.clone(), format!("{} on the server", report.database))
        } else if !is_server_address(&from) {
            (from.clone(), a.to.clone())
        } else {
            (format!("{} on the server", report.database), a.to.clone())
        };
        writeln!(
            out,
            "Copied {what} into {place}: {} tables, {rows} rows, each read back and compared \
             (SHA-256).",
            report.tables.len()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A file the CLI writes (`what`, e.g. "workbook"; `example` a name for
/// one), refused before anything is written in the words of an export's
/// (decision 436, [`eac_store::placing::refuse_file_path`]): an empty name,
/// a name ending in `/` with no folder there, a folder that does not exist
/// or a file where a folder of the path should be. `copy --to nb/` and
/// `ls --xlsx nb/` said "Not a directory (os error 20)" once everything
/// was copied or written.
pub(crate) fn refuse_file_place(dest: &Path, what: &str, example: &str) -> Result<(), AppError> {
    eac_store::placing::refuse_file_path(dest, what, example).map_err(AppError::from)
}

fn server_init(url: &str, json: bool) -> Result<ExitCode> {
    let report = eac_app::server_init(url)?;
    let mut out = Out::stdout();
    out.committed(format!(
        "the database {} on the server was set up",
        report.database
    ));
    if json {
        out.json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let before = match report.version_before {
        None => "a new EAC Desk database".to_owned(),
        Some(v) if v == report.version => format!("already at schema {v}"),
        Some(v) => format!("upgraded from schema {v}"),
    };
    writeln!(
        out,
        "Database {} on the server: schema {} ({before}), owned by {}.",
        report.database, report.version, report.owner
    )?;
    if !report.applied.is_empty() {
        writeln!(out, "Applied: {}.", report.applied.join(", "))?;
    }
    for role in [eac_app::ANALYST_ROLE, eac_app::AUDITOR_ROLE] {
        let made = if report.roles_created.iter().any(|r| r == role) {
            "created"
        } else {
            "granted again"
        };
        writeln!(out, "Role {role}: {made}.")?;
    }
    writeln!(
        out,
        "Give each person a login in one of the roles, for example:"
    )?;
    writeln!(
        out,
        "  CREATE ROLE ann LOGIN PASSWORD '…' IN ROLE {};   -- imports, edits, exports",
        eac_app::ANALYST_ROLE
    )?;
    writeln!(
        out,
        "  CREATE ROLE bob LOGIN PASSWORD '…' IN ROLE {};   -- browses, checks, exports",
        eac_app::AUDITOR_ROLE
    )?;
    Ok(ExitCode::SUCCESS)
}

fn refdata_ls(
    store: &Store,
    kind: Option<eac_model::BeneficiaryType>,
    search: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    use std::ops::ControlFlow;
    let mut out = Out::stdout();
    // Entries are printed as they are read; the first failure to print
    // stops the walk and is returned.
    let mut failed: Option<anyhow::Error> = None;
    let mut stop = |r: Result<()>| match r {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            failed = Some(e);
            ControlFlow::Break(())
        }
    };
    if json {
        let mut array = render::JsonArray::new(&mut out);
        eac_app::list_refdata_each(store, kind, search, &mut |e| stop(array.push(&e)))?;
        if let Some(e) = failed {
            return Err(e);
        }
        array.finish()?;
    } else {
        let mut listed = 0;
        eac_app::list_refdata_each(store, kind, search, &mut |e| {
            listed += 1;
            stop(
                out.fields(&[e.beneficiary_type.as_str(), &e.id, &e.label])
                    .map_err(Into::into),
            )
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        writeln!(out, "{}", count(listed, "reference id"))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn set_emissions(db: &Path, a: SetEmissionsArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    // What was typed is checked before the database is looked for.
    eac_store::parse_emission_factor("The direct emission factor", &a.direct)
        .and_then(|_| eac_store::parse_emission_factor("The LCA emission factor", &a.lca))
        .and_then(|_| eac_store::Reason::new(&a.reason))
        .map_err(AppError::from)?;
    let mut store = open(db)?;
    let record = eac_app::set_emissions(
        &mut store,
        &a.cds_eac_id,
        &a.direct,
        &a.lca,
        &a.reason,
        a.if_version,
    )?;
    if record.reviewed {
        // Decision 15: the review is recorded; the EAC is as it was.
        out.committed(format!(
            "the review of the emission factors of {} was recorded (audit record {})",
            a.cds_eac_id, record.id
        ));
    } else {
        out.committed(format!(
            "the emission factors of {} were set (audit record {})",
            a.cds_eac_id, record.id
        ));
    }
    if a.json {
        out.json(&record)?;
    } else if record.reviewed {
        writeln!(
            out,
            "The emission factors of {} are direct {}, LCA {} already: no change; recorded as \
             reviewed (audit record {}).",
            a.cds_eac_id,
            a.direct.trim(),
            a.lca.trim(),
            record.id
        )?;
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

/// Streams the log: `--json` element by element, the table in two passes
/// (one measuring the columns, one printing rows as they are read), so
/// memory does not grow with the log.
fn audit(store: &Store, id: Option<&str>, json: bool) -> Result<ExitCode> {
    use std::ops::ControlFlow;
    if let Some(id) = id {
        known_to_audit(store, id)?;
    }
    let mut out = Out::stdout();
    // The first failure to print stops the walk and is returned.
    let mut failed: Option<anyhow::Error> = None;
    let mut stop = |r: Result<()>| match r {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            failed = Some(e);
            ControlFlow::Break(())
        }
    };
    if json {
        let mut array = render::JsonArray::new(&mut out);
        eac_app::audit_each_with_states(store, id, &mut |record, states| {
            // The whole EAC before and after, as saved (decimals as written).
            let state = |text: Option<String>| {
                text.and_then(|t| serde_json::from_str::<Box<serde_json::value::RawValue>>(&t).ok())
            };
            stop(array.push(&AuditJson {
                record: &record,
                before_state: state(states.before_state),
                after_state: state(states.after_state),
            }))
        })?;
        if let Some(e) = failed.take() {
            return Err(e);
        }
        array.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    // Cells cut as `ls` cuts a beneficiary list, and any cell past
    // TABLE_CELL_CHARS (cut_cells, as ls's): one long change (3,000
    // beneficiaries) padded every row of the table to its width. `--json`
    // has every record whole.
    let cells = |r: &eac_app::AuditRecord, cut: &mut usize| {
        cut_cells(
            vec![
                r.id.to_string(),
                render::whole_seconds(&r.at),
                audit_who(r),
                r.cds_eac_id.clone(),
                audit_change_as(r, render::assignment_short),
                r.reason.clone(),
            ],
            cut,
        )
    };
    let mut table =
        StreamTable::new(&["#", "AT", "USER", "CDS_EAC_ID", "CHANGE", "REASON"]).right_align(0);
    // The log only grows (no record is changed or removed): the second
    // pass prints exactly the records the first measured.
    let mut newest: Option<i64> = None;
    eac_app::audit_each(store, id, &mut |r| {
        newest = Some(newest.map_or(r.id, |n| n.max(r.id)));
        // Counted as the rows are printed, not as they are measured.
        table.measure(cells(&r, &mut 0));
        ControlFlow::Continue(())
    })?;
    let Some(newest) = newest else {
        match id {
            Some(id) => writeln!(out, "No changes recorded for {id}.")?,
            None => writeln!(out, "No changes recorded.")?,
        }
        return Ok(ExitCode::SUCCESS);
    };
    let mut problems: Vec<(i64, String)> = Vec::new();
    let mut cut = 0;
    eac_app::audit_each(store, id, &mut |r| {
        if r.id > newest {
            return ControlFlow::Continue(());
        }
        if let Some(problem) = &r.problem {
            problems.push((r.id, problem.clone()));
        }
        stop(
            table
                .write_row(&mut out, cells(&r, &mut cut))
                .map_err(Into::into),
        )
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    table.finish(&mut out)?;
    if cut > 0 {
        let whole = match id {
            Some(id) => format!("eacdesk audit {} --json", render::shell_word(id)),
            None => "eacdesk audit --json".to_owned(),
        };
        say_cut_cells(
            &mut out,
            cut,
            &format!("`{whole}` gives every record whole"),
        )?;
    }
    let mut err = ErrOut::stderr();
    for (id, problem) in problems {
        writeln!(err, "warning: audit record {id}: {problem}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses (not found, exit 2, as `show` does) an id `audit ID` knows
/// nothing of: neither a stored EAC (with values or envelope-only) nor
/// named by any audit record, as a deleted EAC still is. "No changes
/// recorded" for it (exit 0) let a mistyped id pass a script's check.
fn known_to_audit(store: &Store, id: &str) -> Result<(), AppError> {
    let mut recorded = false;
    eac_app::audit_each(store, Some(id), &mut |_| {
        recorded = true;
        std::ops::ControlFlow::Break(())
    })?;
    if recorded {
        return Ok(());
    }
    match eac_app::eac_detail(store, id) {
        Ok(_) => return Ok(()),
        Err(e) if e.code == ErrorCode::NotFound => {}
        Err(e) => return Err(e),
    }
    if eac_app::envelope_only_eac(store, id)?.is_some() {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::NotFound,
        format!(
            "No EAC with id `{}` is stored or recorded in the audit log. Check the id (it is \
             case-sensitive; `eacdesk ls --search TEXT` finds stored EACs by part of it).",
            eac_model::quote(id)
        ),
    ))
}

/// `audit --json`: a record and the states it keeps (the whole EAC before
/// and after an import replacement, a deletion, an undo or a `set`, its
/// decimals as written); left out where it keeps none or they cannot be
/// read (which `problem` says).
#[derive(Serialize)]
struct AuditJson<'a> {
    #[serde(flatten)]
    record: &'a eac_app::AuditRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    before_state: Option<Box<serde_json::value::RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_state: Option<Box<serde_json::value::RawValue>>,
}

/// Who made an audited change: the display name with the OS login beside
/// it (`Ana Lopez (ana)`), or the login alone; on a server, with the login
/// the server authenticated (`ana (server login ana)`), the name to trust.
pub(crate) fn audit_who(r: &eac_app::AuditRecord) -> String {
    eac_store::who_logged_in(
        &r.os_user,
        r.display_name.as_deref(),
        r.server_login.as_deref(),
    )
}

/// `audit verify`: the hash chain intact (exit 0) or broken at a record (1).
fn audit_verify(store: &Store, json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let report = eac_app::verify_audit_chain(store)?;
    if json {
        out.json(&report)?;
    } else {
        match (&report.broken, &report.head) {
            (None, Some(head)) => writeln!(
                out,
                "The audit log is intact: {}, chain head {head}.",
                count(report.records, "record")
            )?,
            (None, None) => writeln!(out, "The audit log is empty (nothing to check).")?,
            (Some(b), _) => {
                // Where it breaks, why (the reason, as a sentence), and what
                // can still be trusted.
                let records = count(report.records, "record");
                let (broken, trusted) = match &b.pack {
                    // The chain holds on its own, but no longer the head of a
                    // pack made before: the history was written again.
                    Some(pack) => (
                        format!(
                            "The audit log was changed outside EAC Desk after evidence pack {} was made: its {records} verify on their own, but record {}, the pack's last, is no longer what the pack recorded.",
                            pack.id, b.id
                        ),
                        format!(
                            "Records up to record {} cannot be trusted: `eacdesk pack diff {}` names each one that differs from the pack; restore the database from a backup made before the change.",
                            b.id,
                            render::shell_word(&pack.path)
                        ),
                    ),
                    None => {
                        // A break found after the last record (newest records
                        // deleted, a foreign trigger) has no place among them.
                        let place = match report.records {
                            0 => "the log holds no record".to_owned(),
                            n if b.position > n => format!("after the last of its {records}"),
                            _ => format!("the {} of {records}", ordinal(b.position)),
                        };
                        (
                            format!(
                                "The audit log was changed outside EAC Desk: the chain breaks at record {} ({place}).",
                                b.id
                            ),
                            "Records from there on cannot be trusted; restore the database from a backup or compare it with an evidence pack made before.".to_owned(),
                        )
                    }
                };
                let reason = b.reason_sentence();
                writeln!(out, "{broken}")?;
                writeln!(out, "{reason}.")?;
                writeln!(out, "{trusted}")?;
            }
        }
    }
    Ok(if report.broken.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `period close | reopen | ls`.
fn period(db: &Path, action: PeriodCommand) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let describe = |p: &eac_app::ClosedPeriod| {
        // Frozen only while closed: once reopened, the EACs inside can be
        // changed again.
        let state = if p.is_closed() {
            format!("{} frozen", count(p.eac_count, "EAC"))
        } else {
            format!(
                "{} inside, no longer frozen by it",
                count(p.eac_count, "EAC")
            )
        };
        format!("period {}: {} to {} ({state})", p.id, p.from, p.to)
    };
    match action {
        PeriodCommand::Close {
            from,
            to,
            reason,
            json,
        } => {
            let p = write_or_create(db, |store| {
                eac_app::close_period(store, &from, &to, &reason)
            })?;
            out.committed(format!("closed {}", describe(&p)));
            // Its claims and consumption are held too (docs/claims.md):
            // "0 EACs frozen" alone read as nothing locked.
            let holds = eac_app::period_holds(&open_read(db)?, &p)?;
            if json {
                #[derive(serde::Serialize)]
                struct Closed<'a> {
                    #[serde(flatten)]
                    period: &'a eac_app::ClosedPeriod,
                    #[serde(flatten)]
                    holds: &'a eac_app::PeriodHolds,
                }
                out.json(&Closed {
                    period: &p,
                    holds: &holds,
                })?;
            } else {
                writeln!(out, "Closed {}.", describe(&p))?;
                let claims: Vec<String> = holds.claims.iter().map(|c| format!("#{c}")).collect();
                let claims = match claims.len() {
                    0 => "no recorded claim".to_owned(),
                    n => format!("{} ({})", count(n, "recorded claim"), claims.join(", ")),
                };
                let rows = match holds.consumption_rows {
                    0 => "no consumption row".to_owned(),
                    n => count(n, "consumption row"),
                };
                writeln!(
                    out,
                    "It holds {claims} and {rows} over its days: recording or deleting a claim and \
                     importing or deleting consumption there are refused until it is reopened.",
                )?;
                writeln!(
                    out,
                    "Reopen it with `eacdesk period reopen {} --reason TEXT`.",
                    p.id
                )?;
            }
        }
        PeriodCommand::Reopen { id, reason, json } => {
            let mut store = open(db)?;
            let p = eac_app::reopen_period(&mut store, id, &reason)?;
            out.committed(format!("reopened {}", describe(&p)));
            if json {
                out.json(&p)?;
            } else {
                writeln!(out, "Reopened {}.", describe(&p))?;
            }
        }
        PeriodCommand::Ls { json } => {
            let store = open_read(db)?;
            let periods = eac_app::closed_periods(&store)?;
            if json {
                out.json(&periods)?;
                return Ok(ExitCode::SUCCESS);
            }
            if periods.is_empty() {
                writeln!(out, "No closed periods.")?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut table =
                Table::new(&["#", "FROM", "TO", "STATE", "EACS", "CLOSED", "BY", "REASON"])
                    .right_align(0)
                    .right_align(4);
            for p in &periods {
                let state = match &p.reopened_at {
                    None => "closed".to_owned(),
                    Some(at) => format!(
                        "reopened {} by {}: {}",
                        render::whole_seconds(at),
                        p.reopener().as_deref().unwrap_or("?"),
                        p.reopen_reason.as_deref().unwrap_or("")
                    ),
                };
                table.row(vec![
                    p.id.to_string(),
                    p.from.clone(),
                    p.to.clone(),
                    state,
                    p.eac_count.to_string(),
                    render::whole_seconds(&p.closed_at),
                    // As `audit` shows people: the display name and login.
                    p.closer(),
                    p.reason.clone(),
                ]);
            }
            out.table(&table)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`, …
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Whether a record changed only which registry documents an EAC names
/// (`sources`, `ranges`): an undo of an import that found it unchanged.
fn only_sources(r: &eac_app::AuditRecord) -> bool {
    !r.changes.is_empty()
        && (r.changes.iter()).all(|c| matches!(c.field.as_str(), "sources" | "ranges"))
}

/// The CHANGE cell of one audit record, beneficiary lists whole.
pub(crate) fn audit_change(r: &eac_app::AuditRecord) -> String {
    audit_change_as(r, render::assignment)
}

/// The CHANGE cell with each beneficiary assignment as `assign` says it
/// (the `audit` table: at most two ids each, as `ls` shows them).
fn audit_change_as(
    r: &eac_app::AuditRecord,
    assign: fn(eac_model::BeneficiaryType, &[String]) -> String,
) -> String {
    let assignment = |a: &Option<BeneficiaryAssignment>| match a {
        Some(a) => assign(a.beneficiary_type, &a.beneficiaries),
        None => "(none)".to_owned(),
    };
    let change = |b: &BeneficiaryAssignment, a: &BeneficiaryAssignment| {
        format!(
            "{} → {}",
            assign(b.beneficiary_type, &b.beneficiaries),
            assign(a.beneficiary_type, &a.beneficiaries)
        )
    };
    // The fields by name, then the values that changed as they changed
    // (`value 1: 1e3 kWh → 2.50 kWh`; `and 4 more values`).
    let fields = || {
        let is_value = |field: &str| {
            field == "values" || field.starts_with("value ") || field.starts_with("and ")
        };
        let names = (r.changes.iter())
            .filter(|c| c.field != "cds_synced" && !is_value(&c.field))
            .map(|c| c.field.clone());
        let values = (r.changes.iter()).filter(|c| is_value(&c.field)).map(|c| {
            match (&c.before, &c.after) {
                (None, None) => c.field.clone(),
                (b, a) => format!(
                    "{}: {} → {}",
                    c.field,
                    b.as_deref().unwrap_or("(none)"),
                    a.as_deref().unwrap_or("(none)")
                ),
            }
        });
        let names = names.collect::<Vec<_>>().join(", ");
        let values = values.collect::<Vec<_>>().join("; ");
        match (names.is_empty(), values.is_empty()) {
            (_, true) => names,
            (true, false) => values,
            (false, false) => format!("{names}; {values}"),
        }
    };
    let beneficiaries = match (&r.before, &r.after) {
        (Some(b), Some(a)) if b != a => format!("; beneficiaries {}", change(b, a)),
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
                if r.reviewed {
                    format!("emission factors reviewed, no change: {}", f(a))
                } else {
                    format!("emission factors {} → {}", f(b), f(a))
                }
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
        AuditAction::ImportReadd => format!(
            "{} after its removal (now {})",
            from("added again by"),
            assignment(&r.after)
        ),
        // Told by what the record keeps (`removed`), never by a missing
        // assignment: a registry EAC given back without beneficiaries has
        // none either.
        AuditAction::UndoImport if r.removed => {
            format!("removed by undoing {}", from("").trim_start())
        }
        // An EAC the import found unchanged: only its documents changed.
        AuditAction::UndoImport if only_sources(r) => {
            let sides: Vec<String> = (r.changes.iter())
                .map(|c| {
                    format!(
                        "{} {} → {}",
                        c.field,
                        c.before.as_deref().unwrap_or("(none)"),
                        c.after.as_deref().unwrap_or("(none)")
                    )
                })
                .collect();
            format!(
                "its document unlinked by undoing {}: {}",
                from("").trim_start(),
                sides.join("; ")
            )
        }
        AuditAction::UndoImport => {
            let changed = fields();
            let changed = if changed.is_empty() {
                String::new()
            } else {
                format!(": {changed}")
            };
            format!(
                "restored by undoing {}{changed}{beneficiaries}",
                from("").trim_start()
            )
        }
        // What `set` changed, each field with its values as the other
        // records show theirs (`emissions_factor_lca 0.0110 → 0.5`), then
        // the values that changed. `cds_modified` is left out: `set` cannot
        // set it, so here it is always the stamp every change gets.
        AuditAction::SetFields => {
            let is_value = |field: &str| {
                field == "values" || field.starts_with("value ") || field.starts_with("and ")
            };
            let sides = |c: &eac_app::FieldChange| {
                format!(
                    "{} → {}",
                    c.before.as_deref().unwrap_or("(none)"),
                    c.after.as_deref().unwrap_or("(none)")
                )
            };
            let changed: Vec<String> = (r.changes.iter())
                .filter(|c| !matches!(c.field.as_str(), "cds_modified" | "cds_synced"))
                .map(|c| match (&c.before, &c.after) {
                    (None, None) => c.field.clone(),
                    _ if is_value(&c.field) => format!("{}: {}", c.field, sides(c)),
                    _ => format!("{} {}", c.field, sides(c)),
                })
                .collect();
            if changed.is_empty() {
                "fields set".to_owned()
            } else {
                format!("set {}", changed.join("; "))
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
        AuditAction::Export
        | AuditAction::Pack
        | AuditAction::ConsumptionImport
        | AuditAction::ConsumptionDelete
        | AuditAction::ClaimCreate
        | AuditAction::ClaimDelete
        | AuditAction::FactorSet
        | AuditAction::RefdataImport
        | AuditAction::RefdataRemove
        | AuditAction::MappingSave
        | AuditAction::MappingDelete => {
            let what = match r.action {
                AuditAction::Export => "exported",
                AuditAction::Pack => "evidence pack made",
                AuditAction::ConsumptionImport => "consumption imported",
                AuditAction::ConsumptionDelete => "consumption deleted",
                AuditAction::ClaimCreate => "claim recorded",
                AuditAction::ClaimDelete => "claim deleted",
                AuditAction::RefdataImport => "reference data imported",
                AuditAction::RefdataRemove => "reference data removed",
                AuditAction::MappingSave => "mapping saved",
                AuditAction::MappingDelete => "mapping deleted",
                _ => "emission factor set",
            };
            let details: Vec<String> = r
                .changes
                .iter()
                .filter_map(|c| c.after.as_ref().map(|v| format!("{} {v}", c.field)))
                .collect();
            if details.is_empty() {
                what.to_owned()
            } else {
                format!("{what}: {}", details.join(", "))
            }
        }
        AuditAction::SetBeneficiaries | AuditAction::Unknown => match (&r.before, &r.after) {
            (_, Some(a)) if r.reviewed => format!(
                "beneficiaries reviewed, no change: {}",
                assign(a.beneficiary_type, &a.beneficiaries)
            ),
            (Some(b), Some(a)) => change(b, a),
            _ => format!("{} → {}", assignment(&r.before), assignment(&r.after)),
        },
    };
    text
}

fn export(store: &mut Store, a: ExportArgs) -> Result<ExitCode> {
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
    let report = refused_as_json(eac_app::export(store, profile, filter, &a.out, &bar), &a)?;
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
        not_recorded(&mut out, report.not_recorded.as_deref())?;
        // What `validate` and `import` of the file accept only when asked
        // (a technology outside the draft list); in `warnings` under --json.
        ErrOut::stderr().violations(&report.warnings);
    }
    Ok(ExitCode::SUCCESS)
}

fn export_p2(store: &mut Store, filter: Option<&EacFilter>, a: &ExportArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let bar = Bar::new(Units::Eacs);
    let report = refused_as_json(
        eac_app::export_p2(store, filter, &a.out, a.base_url.as_deref(), &bar),
        a,
    )?;
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
        not_recorded(&mut out, report.not_recorded.as_deref())?;
        ErrOut::stderr().violations(&report.warnings);
    }
    Ok(ExitCode::SUCCESS)
}

/// An export refused for rule violations, under `--json`: `{ errors,
/// warnings }` on stdout as `validate --json` prints them (it printed
/// nothing there), the refusal and the violations on stderr as without it;
/// any other refusal leaves stdout empty. The refusal is an
/// [`ExportRefused`], said by stored EAC.
fn refused_as_json<T>(result: Result<T, AppError>, a: &ExportArgs) -> Result<T> {
    if let Err(e) = &result {
        let (errors, warnings): (Vec<_>, Vec<_>) =
            e.violations().into_iter().partition(|v| v.is_error());
        // A refusal listing no error (none) would read as valid: nothing.
        if a.json && e.is_validation() && !errors.is_empty() {
            // An export stops at its first errors: `errors_capped` says the
            // list may not hold them all (`validate` counts them all).
            #[derive(serde::Serialize)]
            struct Refused {
                #[serde(flatten)]
                report: eac_app::ValidationReport,
                #[serde(skip_serializing_if = "std::ops::Not::not")]
                errors_capped: bool,
            }
            let errors_capped = errors.len() >= eac_store::MAX_REPORTED_ERRORS;
            Out::stdout().json(&Refused {
                report: eac_app::ValidationReport { errors, warnings },
                errors_capped,
            })?;
        }
    }
    result.map_err(|error| match error.is_validation() {
        true => ExportRefused {
            error,
            dest: a.out.display().to_string(),
        }
        .into(),
        false => error.into(),
    })
}

/// An export refused for rule violations. They are in stored EACs, at the
/// places they would have had in a file (or bundle) that was not written,
/// so each is said by its EAC and where it would be ([`stored_violation`]),
/// never in the `FILE: error … at POINTER` form `validate` gives a problem
/// inside a file: the file at `dest`, if any, is an older one, left as it
/// was.
#[derive(Debug)]
pub(crate) struct ExportRefused {
    pub(crate) error: AppError,
    /// The destination as typed, the file the violations name when they
    /// are in the listing.
    pub(crate) dest: String,
}

impl std::fmt::Display for ExportRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl std::error::Error for ExportRefused {}

impl ExportRefused {
    /// One line per violation, as [`stored_violation`] says it.
    pub(crate) fn lines(&self) -> impl Iterator<Item = String> + '_ {
        (self.error.details.violations.iter().flatten()).map(|v| stored_violation(v, &self.dest))
    }
}

/// A violation an export found in a stored EAC, led by the EAC:
/// ``stored EAC `x-1` (would be at /eacs/0/values): error (rule 16): …``;
/// a detail file of a bundle is named (`… in out/eacs/x-1.json`), the
/// listing at `dest` is not (the refusal names it). One not in an EAC
/// (the bundle's metadata) is the export's.
fn stored_violation(v: &eac_app::Violation, dest: &str) -> String {
    let mut place = Vec::new();
    match (v.line, v.column) {
        (Some(line), Some(column)) => place.push(format!("line {line}:{column}")),
        (Some(line), None) => place.push(format!("line {line}")),
        _ => {}
    }
    if !v.pointer.is_empty() {
        place.push(format!("at {}", v.pointer));
    }
    if let Some(file) = v.file.as_deref().filter(|f| *f != dest) {
        place.push(format!("in {file}"));
    }
    let whose = match &v.cds_eac_id {
        Some(id) => format!("stored EAC `{}`", eac_model::quote(id)),
        None => "the export".to_owned(),
    };
    let whose = match place.is_empty() {
        true => whose,
        false => format!("{whose} (would be {})", place.join(" ")),
    };
    let kind = match v.severity {
        eac_model::Severity::Error => "error",
        eac_model::Severity::Warning => "warning",
    };
    match v.rule {
        0 => format!("{whose}: {kind}: {}", v.message),
        rule => format!("{whose}: {kind} (rule {rule}): {}", v.message),
    }
}

/// The line of an export written without its audit record, and why (a
/// server role that reads only).
fn not_recorded(out: &mut Out, why: Option<&str>) -> Result<()> {
    if let Some(why) = why {
        writeln!(out, "Not recorded in the audit log: {why}.")?;
    }
    Ok(())
}

fn verify(db: &Path, a: VerifyArgs) -> Result<ExitCode> {
    // As `delete` and `set`: filters with one id would be a guard the
    // command ignored (it marked the EAC whatever they said).
    if a.cds_eac_id.is_some() && !a.filter.is_empty() {
        filters_need_all_matching("one CDS_EAC_ID");
    }
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let reason = a.reason.as_deref();
    let report = match &a.cds_eac_id {
        Some(id) if a.dry_run => eac_app::verify_eac_dry_run(&mut store, id, reason)?,
        Some(id) => eac_app::verify_eac(&mut store, id, reason)?,
        None => {
            let filter = a.filter.to_filter();
            let bar = Bar::new(Units::Eacs);
            // Without --yes a plan is made first, to ask for it when more
            // than one EAC would change; with it nothing is asked.
            let plan_first = a.dry_run || !a.yes;
            let what = |n: &str| format!("mark {n} as verified");
            let mut report = if plan_first {
                eac_app::verify_eacs(&mut store, &filter, reason, true, &bar)?
            } else {
                let yes = eac_app::Confirmed::Yes;
                eac_app::verify_eacs_confirmed(&mut store, &filter, reason, yes, &bar)?
            };
            if plan_first && !a.dry_run {
                if let Err(e) = confirmed(report.verified, false, what) {
                    bar.finish();
                    // Under --json stdout is JSON or nothing: the plan, as
                    // --dry-run --json prints it; in text what it would do
                    // and why it was not done, as `set` says it (decision
                    // 323); the refusal on stderr.
                    if a.json {
                        out.json(&report)?;
                    } else {
                        writeln!(
                            out,
                            "{} would be marked as verified. Nothing was changed: --yes was not given.",
                            count(report.verified, "EAC")
                        )?;
                    }
                    return Err(e.into());
                }
                // Counted again under the write lock: that count decides.
                let counted = report.verified;
                let at_most = confirmation(false);
                report = eac_app::verify_eacs_confirmed(&mut store, &filter, reason, at_most, &bar)
                    .map_err(|e| unconfirmed_in_write(e, counted, what))?;
            }
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
    } else if report.verified == 0 {
        // Only a filter matches nothing (an unknown id is refused); no
        // audit record was written, so none is claimed (as `set` says it).
        no_match(&mut out, report.dry_run)?;
    } else if report.dry_run {
        writeln!(
            out,
            "{} would be marked as verified; nothing was changed (--dry-run).",
            count(report.verified, "EAC")
        )?;
    } else {
        // The `cds_synced` stored: an EAC created later than now gets its
        // `cds_created` instead (decision 249), and is said to.
        let one = report.verified == 1;
        let synced = match (&report.cds_synced, report.created_later) {
            (_, 0) => format!("cds_synced = {}", report.at),
            (Some(created), _) => format!(
                "cds_synced = {created}, {} cds_created: {} created after now ({}), and an \
                 EAC is never synced before it was created",
                if one { "its" } else { "their" },
                if one { "it was" } else { "they were" },
                report.at
            ),
            (None, later) => format!(
                "cds_synced = {}; {} created later than that got {} cds_created instead",
                report.at,
                count(later, "EAC"),
                if later == 1 { "its" } else { "their" },
            ),
        };
        writeln!(
            out,
            "Marked {} as verified ({synced}; recorded in the audit log)",
            count(report.verified, "EAC"),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What a change through a filter that matches no EAC says, as `set` and
/// `beneficiaries set` say it (decision 323): nothing changed, and no
/// audit record is claimed.
fn no_match(out: &mut Out, dry_run: bool) -> Result<(), render::OutputError> {
    if dry_run {
        writeln!(
            out,
            "No EAC matches the filter. Nothing was changed (--dry-run)."
        )
    } else {
        writeln!(out, "No EAC matches the filter; nothing changed.")
    }
}

/// Filters given with ids (`one`: "one CDS_EAC_ID", "CDS_EAC_IDs") to a
/// command that takes either: a usage error (exit 2), nothing changed; a
/// guard the command would ignore must not pass unnoticed.
fn filters_need_all_matching(one: &str) -> ! {
    Cli::command()
        .error(
            clap::error::ErrorKind::ArgumentConflict,
            format!(
                "filters apply only with --all-matching; give either {one} or --all-matching with filters"
            ),
        )
        .exit()
}

/// Deleting, undoing, changing or marking more than one EAC needs `--yes`:
/// without it the command shows what it would do, changes nothing and
/// exits 2. `what` says the change of the counted EACs ("delete 3 EACs", "mark 3
/// EACs as verified"), given their count in words.
fn confirmed(
    affected: usize,
    yes: bool,
    what: impl FnOnce(&str) -> String,
) -> Result<(), AppError> {
    if affected > 1 && !yes {
        let action = what(&count(affected, "EAC"));
        return Err(AppError::invalid_input(format!(
            "This would {action}; nothing was changed. Run it again with --yes to confirm (or --dry-run to only look)."
        )));
    }
    Ok(())
}

/// The rule `--yes` (`yes`) sets for a change of the EACs it finds, passed
/// into the change's own write so that the count that decides is the one
/// written: confirmed, any number; not, at most one (as [`confirmed`]).
fn confirmation(yes: bool) -> eac_app::Confirmed {
    if yes {
        eac_app::Confirmed::Yes
    } else {
        eac_app::Confirmed::AtMost(1)
    }
}

/// `e`, or, when the change found more EACs in its own write than it may
/// change without `--yes` (`details.unconfirmed`) where `counted` were
/// counted before, [`confirmed`]'s refusal of the EACs it found, saying
/// why the count moved. Nothing was changed either way.
fn unconfirmed_in_write(
    e: AppError,
    counted: usize,
    what: impl FnOnce(&str) -> String,
) -> AppError {
    let Some(found) = e.details.unconfirmed else {
        return e;
    };
    let action = what(&count(found, "EAC"));
    AppError::invalid_input(format!(
        "This would {action} ({counted} when counted: another program or window changed the \
         EACs before this change could start); nothing was changed. Run it again with --yes to \
         confirm (or --dry-run to only look)."
    ))
}

fn delete(db: &Path, a: DeleteArgs) -> Result<ExitCode> {
    if !a.cds_eac_ids.is_empty() && !a.filter.is_empty() {
        filters_need_all_matching("CDS_EAC_IDs");
    }
    let target = if a.all_matching {
        eac_app::DeleteTarget::Filter(a.filter.to_filter())
    } else {
        eac_app::DeleteTarget::Ids(a.cds_eac_ids.clone())
    };
    let mut out = Out::stdout();
    let mut store = open(db)?;
    // Given on every real run (clap); a dry run needs none (decision 60).
    let reason = a.reason.as_deref().unwrap_or_default();
    let bar = Bar::new(Units::Eacs);
    let plan = eac_app::delete_eacs(&mut store, &target, reason, true, &bar)?;
    let affected = plan.deleted + plan.envelopes_deleted;
    let report = if a.dry_run {
        plan
    } else {
        let what = |n: &str| format!("delete {n}");
        if let Err(e) = confirmed(affected, a.yes, what) {
            bar.finish();
            if a.json {
                out.json(&plan)?;
            } else {
                print_delete(&mut out, &plan, Mode::Unconfirmed)?;
            }
            return Err(e.into());
        }
        // Counted again under the write lock: that count decides.
        let yes = confirmation(a.yes);
        eac_app::delete_eacs_confirmed(&mut store, &target, reason, yes, &bar)
            .map_err(|e| unconfirmed_in_write(e, affected, what))?
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
        let mode = if report.dry_run {
            Mode::DryRun
        } else {
            Mode::Done
        };
        print_delete(&mut out, &report, mode)?;
    }
    if report.dry_run {
        reason_needed(&mut out, a.reason.as_deref(), a.json)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `delete` says: done, a dry run, or a plan not carried out for want
/// of `--yes` (which ends as `set` ends it, decision 323).
fn print_delete(
    out: &mut Out,
    r: &eac_app::DeleteReport,
    mode: Mode,
) -> Result<(), render::OutputError> {
    let total = r.deleted + r.envelopes_deleted;
    if total == 0 {
        // Only a filter matches nothing (an unknown id is refused); a
        // plan of no EAC needs no --yes.
        return no_match(out, r.dry_run);
    }
    let envelopes = match r.envelopes_deleted {
        0 => String::new(),
        n => format!(" ({n} envelope-only)"),
    };
    let ids = eac_model::words::first_named(&r.ids, usize::MAX, total);
    writeln!(out, "{ids}")?;
    match mode {
        Mode::DryRun => writeln!(
            out,
            "{}{envelopes} would be deleted; nothing was changed (--dry-run).",
            count(total, "EAC")
        ),
        Mode::Unconfirmed => writeln!(
            out,
            "{}{envelopes} would be deleted. Nothing was changed: --yes was not given.",
            count(total, "EAC")
        ),
        Mode::Done => writeln!(
            out,
            "Deleted {}{envelopes}; each is kept in the audit log.",
            count(total, "EAC")
        ),
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
            match (&b.undone_at, &b.undo_refusal) {
                (Some(at), _) => format!("undone {}", render::whole_seconds(at)),
                (None, None) => "can be undone".to_owned(),
                (None, Some(_)) => "cannot be undone (see below)".to_owned(),
            },
        ]);
    }
    out.table(&table)?;
    // Why each import not undone cannot be, as `undo-import` would refuse
    // it (the store works it out for every import at once: no undo is
    // tried).
    for b in &batches {
        if let (None, Some(r)) = (&b.undone_at, &b.undo_refusal) {
            writeln!(
                out,
                "Import {} ({}) cannot be undone: {}",
                b.id,
                b.file_name,
                uncapitalized(&r.reason)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A sentence said after a colon: its first letter in lower case.
fn uncapitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn undo_import(db: &Path, a: UndoImportArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let mut store = open(db)?;
    // Given on every real run (clap); a dry run needs none (decision 60).
    let reason = a.reason.as_deref().unwrap_or_default();
    let bar = Bar::new(Units::Eacs);
    let plan = eac_app::undo_import(&mut store, a.batch_id, reason, true, &bar)?;
    let report = if a.dry_run {
        plan
    } else {
        let affected = plan.removed + plan.restored + plan.unlinked;
        let what = |n: &str| format!("remove, restore or unlink {n}");
        if let Err(e) = confirmed(affected, a.yes, what) {
            bar.finish();
            if a.json {
                out.json(&plan)?;
            } else {
                print_undo(&mut out, &plan, Mode::Unconfirmed)?;
            }
            return Err(e.into());
        }
        // Counted again under the write lock: that count decides (the
        // import's EACs may have changed since the plan above).
        let yes = confirmation(a.yes);
        eac_app::undo_import_confirmed(&mut store, a.batch_id, reason, yes, &bar)
            .map_err(|e| unconfirmed_in_write(e, affected, what))?
    };
    bar.finish();
    if !report.dry_run {
        out.committed(format!("import {} was undone", report.batch_id));
    }
    if a.json {
        out.json(&report)?;
    } else {
        let mode = if report.dry_run {
            Mode::DryRun
        } else {
            Mode::Done
        };
        print_undo(&mut out, &report, mode)?;
    }
    if report.dry_run {
        reason_needed(&mut out, a.reason.as_deref(), a.json)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_undo(
    out: &mut Out,
    r: &eac_app::UndoReport,
    mode: Mode,
) -> Result<(), render::OutputError> {
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
    // EACs it found unchanged and named its document as a source of.
    let unlinked = match (r.unlinked, r.dry_run) {
        (0, _) => String::new(),
        (n, true) => format!(
            "; it would unlink its document from {} it found unchanged, which stay as they are",
            count(n, "EAC")
        ),
        (n, false) => format!(
            "; it unlinked its document from {} it found unchanged, which stay as they are",
            count(n, "EAC")
        ),
    };
    writeln!(
        out,
        "Undoing import {} ({}) {verb} {} it added and {verb2} {} it replaced to their earlier version{gone}{unlinked}.",
        r.batch_id,
        r.file_name,
        count(r.removed, "EAC"),
        count(r.restored, "EAC"),
    )?;
    match mode {
        Mode::DryRun => writeln!(out, "Nothing was changed (--dry-run).")?,
        Mode::Unconfirmed => writeln!(out, "Nothing was changed: --yes was not given.")?,
        Mode::Done => {}
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
    // A folder given for a P1 listing is refused by eac-app (the app's
    // refusal too), saying that a P2 bundle folder takes --profile p2.
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
    if !report.is_valid() {
        other_profile_hint(&a);
    }
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(ErrorCode::Validation.exit_code())
    })
}

/// A file not valid for the profile asked that reads as a listing of the
/// other one: a hint on stderr naming that profile and why, as `import`
/// says which profile it read a file as (its errors alone, hundreds of
/// missing fields, did not say the profile was the mistake).
fn other_profile_hint(a: &ValidateArgs) {
    let found = eac_store::p2::detect_profile(&a.file);
    let asked_p2 = a.profile == ExportProfile::P2;
    if !found.told || found.p2 == asked_p2 {
        return;
    }
    let (profile, option) = if found.p2 { ("P2", "p2") } else { ("P1", "p1") };
    writeln!(
        ErrOut::stderr(),
        "hint: {} reads as a profile {profile} listing ({}): validate it with --profile {option}",
        a.file.display(),
        found.why
    );
}

fn sample(db: &Path, a: SampleArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    if a.out.is_none() && a.values_csv.is_none() {
        let report = LoadTarget::load(
            db,
            |store| {
                let bar = Bar::new(Units::Eacs);
                let report = eac_app::load_sample(store, a.eacs, a.seed, &bar)?;
                bar.finish();
                Ok(report)
            },
            |_| true,
        )?;
        out.committed("the sample EACs were loaded");
        if a.json {
            out.json(&report)?;
        } else {
            let f = &report.files[0];
            writeln!(out,
                "Loaded {} sample EACs (seed {}) into {}: {} added, {} replaced, {} skipped ({} values)",
                a.eacs,
                a.seed,
                eac_app::db_display(db),
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
    // Both destinations checked before either is written: a second one
    // refused after the first was in place said "Nothing was written".
    if let Some(path) = &a.out {
        refuse_file_place(path, "sample listing", "sample.json")?;
    }
    if let Some(csv) = &a.values_csv {
        refuse_file_place(csv, "values CSV", "values.csv")?;
        eac_store::atomic::refuse_database_file(db, csv).map_err(eac_app::AppError::from)?;
        // A link, a folder, a read-only file, a place inside a pack or a
        // bundle: refused now, not once the listing is in place.
        eac_store::atomic::refuse_file_destination(csv).map_err(eac_app::AppError::from)?;
        if a.out.as_deref() == Some(csv.as_path()) {
            return Err(eac_app::AppError::invalid_input(format!(
                "--out and --values-csv both name {}; name two files. Nothing was written.",
                csv.display()
            ))
            .into());
        }
    }
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

fn formats(json: bool) -> Result<ExitCode> {
    let mut out = Out::stdout();
    let list = eac_app::formats();
    if json {
        out.json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = list.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for f in &list {
        let how = if f.detected {
            "found from the file's content, or --format"
        } else {
            "only with --mapping NAME (or --format csv --mapping NAME)"
        };
        writeln!(out, "{:<width$}  {}", f.id, f.name)?;
        writeln!(out, "{:<width$}  reads {}", "", f.reads)?;
        writeln!(out, "{:<width$}  {how}", "")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The allowed fields of `set`, for messages.
fn settable_fields() -> String {
    SettableField::ALL
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `FIELD=VALUE` arguments as field values; every problem at once, naming
/// the allowed fields.
fn field_values(args: &[String]) -> Result<Vec<eac_app::FieldValue>, AppError> {
    if args.is_empty() {
        return Err(AppError::invalid_input(format!(
            "name at least one field to set, as FIELD=VALUE; the fields are {}; nothing was changed",
            settable_fields()
        )));
    }
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for arg in args {
        let Some((name, value)) = arg.split_once('=') else {
            problems.push(format!("`{arg}` is not FIELD=VALUE"));
            continue;
        };
        match SettableField::parse(name.trim()) {
            Some(field) => values.push(eac_app::FieldValue {
                field,
                value: value.to_owned(),
            }),
            None if name.trim() == "beneficiary_type" || name.trim() == "beneficiaries" => problems
                .push(format!(
                    "`{}` is set with `eacdesk beneficiaries set`",
                    name.trim()
                )),
            None => problems.push(format!("`{}` is not a field `set` writes", name.trim())),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(AppError::invalid_input(format!(
            "{}; the fields are {} (`eacdesk set --help` says what each takes); nothing was changed",
            problems.join("; "),
            settable_fields()
        )))
    }
}

fn set_fields(db: &Path, a: SetFieldsArgs) -> Result<ExitCode> {
    let (target, assignments) = if a.all_matching {
        (
            eac_app::DeleteTarget::Filter(a.filter.to_filter()),
            &a.args[..],
        )
    } else {
        if !a.filter.is_empty() {
            filters_need_all_matching("one CDS_EAC_ID");
        }
        (
            eac_app::DeleteTarget::Ids(vec![a.args[0].clone()]),
            &a.args[1..],
        )
    };
    let values = field_values(assignments)?;
    let mut out = Out::stdout();
    let mut store = open(db)?;
    let user = eac_store::os_user();
    let reason = a.reason.as_deref();
    let bar = Bar::new(Units::Eacs);
    let seen = a.if_version;
    let plan = eac_app::set_fields(
        &mut store, &target, &values, reason, &user, true, &bar, seen,
    )?;
    let report = if a.dry_run {
        plan
    } else {
        let what = |n: &str| format!("set fields of {n}");
        if let Err(e) = confirmed(plan.matching, a.yes, what) {
            bar.finish();
            // What it would do, said as not done for want of --yes (the
            // error says how to confirm), never as a dry run; under
            // --json the plan as --dry-run --json prints it.
            if a.json {
                out.json(&plan)?;
            } else {
                print_set(&mut out, &plan, Mode::Unconfirmed)?;
            }
            return Err(e.into());
        }
        // Counted again under the write lock: that count decides.
        eac_app::set_fields_confirmed(
            &mut store,
            &target,
            &values,
            reason,
            &user,
            confirmation(a.yes),
            &bar,
            seen,
        )
        .map_err(|e| unconfirmed_in_write(e, plan.matching, what))?
    };
    bar.finish();
    if !report.dry_run {
        out.committed(format!(
            "the fields of {} were set",
            count(report.changed, "EAC")
        ));
    }
    if a.json {
        out.json(&report)?;
    } else {
        let mode = if report.dry_run {
            Mode::DryRun
        } else {
            Mode::Done
        };
        print_set(&mut out, &report, mode)?;
        // What the change made the EACs break that only warns (rule 22),
        // as an import or `validate` says it.
        for w in &report.warnings {
            writeln!(out, "{w}")?;
        }
        // Why issue dates were kept, in the store's words (the app shows
        // the same), and where to see them.
        if let Some(why) = &report.issued_kept_why {
            writeln!(out, "{why}")?;
            if !a.all_matching {
                writeln!(
                    out,
                    "`eacdesk show {}` lists its values' issue dates.",
                    a.args[0]
                )?;
            }
        }
        // Why values kept no date from `retired`, in the store's words.
        if let Some(why) = &report.retired_kept_why {
            writeln!(out, "{why}")?;
        }
    }
    if report.dry_run {
        reason_needed(&mut out, a.reason.as_deref(), a.json)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What a `set` report says: done, a dry run, or a plan not carried out
/// for want of `--yes`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Done,
    DryRun,
    Unconfirmed,
}

fn print_set(
    out: &mut Out,
    r: &eac_app::SetFieldsReport,
    mode: Mode,
) -> Result<(), render::OutputError> {
    let matching = format!(
        "{} match{}",
        count(r.matching, "EAC"),
        if r.matching == 1 { "es" } else { "" }
    );
    let not_done = match mode {
        Mode::DryRun => "Nothing was changed (--dry-run).",
        Mode::Unconfirmed => "Nothing was changed: --yes was not given.",
        Mode::Done => "",
    };
    if r.matching == 0 {
        // Only a filter matches nothing (an unknown id is refused).
        match mode {
            Mode::Done => writeln!(out, "No EAC matches the filter; nothing changed.")?,
            _ => writeln!(out, "No EAC matches the filter. {not_done}")?,
        }
    } else if mode != Mode::Done {
        // A date asked for and not given (`issued`, `retired`) is no value
        // already held: said by the `…_why` lines after this one.
        let kept = r.issued_kept + r.retired_kept;
        let rest = match (r.changed, kept) {
            (0, 0) => format!(
                "; nothing would change: {} already {} these values",
                if r.matching == 1 { "it" } else { "they" },
                if r.matching == 1 { "holds" } else { "hold" }
            ),
            (0, _) => "; nothing would change".to_owned(),
            (changed, _) => format!(
                "; {changed} would change, {}",
                set_completion(r, "then complete")
            ),
        };
        writeln!(out, "{matching}{rest}. {not_done}")?;
    } else if r.changed == 0 && r.issued_kept + r.retired_kept > 0 {
        // Not "already held": a date asked for was not given.
        writeln!(
            out,
            "{matching}; nothing changed, so no audit record was written."
        )?;
    } else if r.changed == 0 {
        writeln!(
            out,
            "{matching}; nothing changed: {} already held these values, so no audit record was written.",
            if r.matching == 1 { "it" } else { "they" }
        )?;
    } else {
        let rest = if r.issued_kept + r.retired_kept > 0 {
            "left as they were"
        } else {
            "already held these values"
        };
        writeln!(
            out,
            "{matching}; changed {} ({} {rest}), {}; recorded in the audit log.",
            r.changed,
            r.matching - r.changed,
            set_completion(r, "now complete")
        )?;
        if r.still_incomplete > 0 {
            writeln!(
                out,
                "{} still {} fields: `eacdesk ls --incomplete` lists them.",
                count(r.still_incomplete, "EAC"),
                if r.still_incomplete == 1 {
                    "lacks"
                } else {
                    "lack"
                }
            )?;
        }
    }
    Ok(())
}

/// How many of the EACs a `set` changed it made complete (`now`: "now
/// complete", or "then complete" in a dry run), and how many were
/// complete before as well: an EAC complete already is never counted as
/// made complete (it was said "1 of them now complete").
fn set_completion(r: &eac_app::SetFieldsReport, now: &str) -> String {
    let before = r.changed - r.now_complete - r.still_incomplete;
    let made = format!("{} of them {now}", r.now_complete);
    match before {
        0 => made,
        n if n == r.changed => format!(
            "{} complete already",
            if n == 1 { "it was" } else { "all were" }
        ),
        n => format!("{made} ({n} complete already)"),
    }
}

fn finding_kind(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Overlap => "overlap",
        FindingKind::ClaimedTwice => "claimed for two beneficiaries",
        FindingKind::RetiredTwice => "retired twice",
    }
}

fn check(store: &Store, a: CheckArgs) -> Result<ExitCode> {
    let mut out = Out::stdout();
    // Seconds at a million EACs: a bar on a terminal, after a second.
    let bar = Bar::new(Units::Steps);
    let report = eac_app::check(store, &a.filter.to_filter(), &bar)?;
    bar.finish();
    // Which ranges were looked at: with a filter, the matching EACs'
    // against every stored one (it said "among 17 ranges", the whole
    // database's, of a filter whose EACs have none).
    let looked_at = match report.matching_ranges {
        None => format!("among {}", count(report.ranges, "range")),
        Some(theirs) => format!(
            "for the matching EACs ({theirs} of the {} {} theirs)",
            count(report.ranges, "stored range"),
            if theirs == 1 { "is" } else { "are" }
        ),
    };
    if a.json {
        out.json(&report)?;
    } else if report.findings.is_empty() {
        writeln!(out, "No double counting found {looked_at}.")?;
    } else {
        let side = |s: &eac_app::FindingSide| {
            let status = s
                .status
                .as_deref()
                .map(|st| format!("status {st}, "))
                .unwrap_or_default();
            let retired = if s.retired { "retired" } else { "not retired" };
            let beneficiary = s
                .beneficiary
                .as_deref()
                .map(|b| format!(", for {b}"))
                .unwrap_or_default();
            format!(
                "{} (EAC `{}`): {status}{retired}{beneficiary}",
                range_words(&s.first, &s.last),
                s.cds_eac_id
            )
        };
        for (i, f) in report.findings.iter().enumerate() {
            writeln!(
                out,
                "{}. {} in {}: {} certificate{} shared",
                i + 1,
                finding_kind(f.kind),
                f.registry,
                f.shared,
                if f.shared == "1" { "" } else { "s" }
            )?;
            writeln!(out, "   {}", side(&f.a))?;
            writeln!(out, "   {}", side(&f.b))?;
            // What settles it (decision 332): the copy that should not be
            // stored goes, e.g. a range a later download gives in parts.
            writeln!(
                out,
                "   The same certificates are stored twice: delete the EAC that should not be \
                 (an out-of-date copy, such as a range a later download gives in parts): \
                 `eacdesk delete {} --reason TEXT` or `eacdesk delete {} --reason TEXT`; \
                 `eacdesk show ID` names the documents each came from.",
                render::shell_word(&f.a.cds_eac_id),
                render::shell_word(&f.b.cds_eac_id)
            )?;
        }
        writeln!(
            out,
            "{} {looked_at}.",
            count(report.findings.len(), "finding")
        )?;
    }
    if !a.json && !report.documents.is_empty() {
        print_altered_documents(&mut out, &report.documents)?;
    }
    if !a.json && !report.violations.is_empty() {
        print_stored_violations(&mut out, &report.violations)?;
    }
    Ok(
        if report.findings.is_empty() && report.documents.is_empty() && report.violations.is_empty()
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(ErrorCode::Validation.exit_code())
        },
    )
}

/// `check`'s rule violations of stored EACs, which every export refuses.
fn print_stored_violations(
    out: &mut Out,
    violations: &[eac_app::Violation],
) -> Result<(), render::OutputError> {
    writeln!(out)?;
    writeln!(
        out,
        "{} of stored EACs every export refuses (stored before the rule, or by another \
         program):",
        count(violations.len(), "rule violation")
    )?;
    out.violations(violations)?;
    writeln!(
        out,
        "Delete each such EAC (`eacdesk delete ID --reason TEXT`) and import it again from a \
         corrected file."
    )
}

/// `check`'s stored documents that no longer match their SHA-256.
fn print_altered_documents(
    out: &mut Out,
    documents: &[eac_app::AlteredDocument],
) -> Result<(), render::OutputError> {
    writeln!(out)?;
    writeln!(
        out,
        "{} no longer {} the SHA-256 it was stored with: another program changed {} in the \
         database, and EAC Desk will not save or pack {}.",
        count(documents.len(), "stored document"),
        if documents.len() == 1 { "has" } else { "have" },
        if documents.len() == 1 { "it" } else { "them" },
        if documents.len() == 1 { "it" } else { "them" },
    )?;
    for d in documents {
        writeln!(
            out,
            "  {} (source of {}): stored as SHA-256 {}, its bytes now have {}",
            d.file_name,
            count(d.eacs, "EAC"),
            d.sha256,
            d.found
        )?;
    }
    writeln!(
        out,
        "Restore the database from a backup, or import each original file again (EAC Desk then \
         puts its stored copy back)."
    )
}

fn mapping(db: &Path, action: MappingCommand) -> Result<ExitCode> {
    let mut out = Out::stdout();
    match action {
        MappingCommand::Save { name, file } => {
            check_mapping_name(&name)?;
            let text = eac_app::read_mapping_file(&file)?;
            let saved = write_or_create(db, |store| {
                eac_app::save_mapping(store, &name, &text).map_err(|e| {
                    // What it lacks is said in words: where the keys are.
                    let keys = match e.details.problems.is_some() {
                        true => " (`eacdesk mapping save --help` lists the keys of a mapping file)",
                        false => "",
                    };
                    let message = format!("{}: {}{keys}", file.display(), e.message);
                    e.with_message(message)
                })
            })?;
            out.committed(format!("the mapping `{}` was saved", name.trim()));
            writeln!(
                out,
                "Saved the mapping `{}`; import with `eacdesk import --mapping {} FILE.csv` (check first with `eacdesk mapping preview FILE.csv --mapping {}`).",
                name.trim(),
                name.trim(),
                name.trim()
            )?;
            // A key like a built-in reader's but not it (`eecs-no`).
            if let Some(warning) = saved.registry_key_warning {
                writeln!(out, "warning: {}: {warning}.", file.display())?;
            }
        }
        MappingCommand::Ls { json } => {
            let list = eac_app::mappings(&open_read(db)?)?;
            if json {
                out.json(&list)?;
            } else if list.is_empty() {
                writeln!(
                    out,
                    "No saved mappings; save one with `eacdesk mapping save NAME FILE.json`."
                )?;
            } else {
                let mut table = Table::new(&["NAME", "REGISTRY", "SAVED", "UPDATED"]);
                for m in &list {
                    let registry = serde_json::from_str::<serde_json::Value>(&m.mapping)
                        .ok()
                        .and_then(|v| v.get("registry")?.as_str().map(str::to_owned));
                    table.row(vec![
                        m.name.clone(),
                        or_dash(registry.as_deref()),
                        render::whole_seconds(&m.created_at),
                        render::whole_seconds(&m.updated_at),
                    ]);
                }
                out.table(&table)?;
            }
        }
        MappingCommand::Show { name } => {
            let text = eac_app::saved_mapping(&open_read(db)?, &name)?.mapping;
            let value: serde_json::Value = serde_json::from_str(&text)?;
            out.json(&value)?;
        }
        MappingCommand::Rm { name } => {
            let mut store = open(db)?;
            // Looked for first: removing no row still commits, and a
            // file in rollback-journal mode would switch to write-ahead
            // logging for nothing (decision 55).
            // Found as import finds it (names differing only in case are
            // one name).
            let name = match eac_app::saved_mapping(&store, &name) {
                Ok(found) => found.name,
                Err(e) if e.message.starts_with("there is no saved mapping") => {
                    return Err(AppError::invalid_input(format!(
                        "there is no saved mapping `{name}`; nothing was changed. List the saved ones with `eacdesk mapping ls`."
                    ))
                    .into());
                }
                Err(e) => return Err(e.into()),
            };
            eac_app::delete_mapping(&mut store, &name)?;
            out.committed(format!("the mapping `{name}` was removed"));
            writeln!(out, "Removed the mapping `{name}`.")?;
        }
        MappingCommand::Preview {
            file,
            mapping,
            mapping_file,
            rows,
            json,
        } => {
            let mapping = match (mapping, mapping_file) {
                (Some(name), _) => eac_app::load_mapping(&open_read(db)?, &name)?,
                (None, Some(path)) => {
                    let text = eac_app::read_mapping_file(&path)?;
                    let mut m = eac_app::mapping_from_json(&text).map_err(|e| {
                        let message = format!("{}: {}", path.display(), e.message);
                        e.with_message(message)
                    })?;
                    // Saved, it takes the name it is saved under.
                    if m.name.trim().is_empty() {
                        m.name = path
                            .file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    }
                    m
                }
                (None, None) => unreachable!("clap requires --mapping or --mapping-file"),
            };
            let preview = eac_app::preview_mapping(&file, &mapping, rows)?;
            if json {
                out.json(&preview)?;
            } else {
                print_preview(&mut out, &file, &preview.preview)?;
                print_mapping_check(&mut out, &file, &preview)?;
            }
            // What import would refuse is a finding, as `check`'s are.
            if !preview.problems.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Which column feeds which field, then what import would refuse (or
/// that it would read the file).
fn print_mapping_check(
    out: &mut Out,
    file: &Path,
    p: &eac_app::MappingPreview,
) -> Result<(), render::OutputError> {
    writeln!(out)?;
    let mut table = Table::new(&["FIELD", "READ FROM"]);
    for f in &p.fields {
        table.row(vec![f.field.clone(), f.from.clone()]);
    }
    out.table(&table)?;
    writeln!(out)?;
    if p.problems.is_empty() {
        writeln!(
            out,
            "Import reads {} with this mapping: no row of it is refused.",
            file.display()
        )
    } else {
        writeln!(
            out,
            "Import would refuse {} with this mapping:",
            file.display()
        )?;
        for problem in &p.problems {
            writeln!(out, "  - {problem}")?;
        }
        Ok(())
    }
}

/// Refuses a mapping name that is blank or holds a control character (an
/// escape, a newline): it could not be typed back in `import --mapping
/// NAME`. Said of the name, before the mapping file is read.
fn check_mapping_name(name: &str) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(AppError::invalid_input(
            "the mapping name is empty; nothing was saved. Give it a name, e.g. `eacdesk mapping save wregis-2024 FILE.json`.",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid_input(format!(
            "the mapping name `{}` holds a control character; nothing was saved. Use letters, digits, spaces and punctuation only.",
            name.escape_debug()
        )));
    }
    Ok(())
}

fn print_preview(
    out: &mut Out,
    file: &Path,
    p: &eac_app::CsvPreview,
) -> Result<(), render::OutputError> {
    let columns = p
        .rows
        .iter()
        .map(|(_, cells)| cells.len())
        .chain(p.header.as_ref().map(Vec::len))
        .max()
        .unwrap_or(0);
    let mut headers = vec!["LINE".to_owned()];
    for i in 0..columns {
        headers.push(
            p.header
                .as_ref()
                .and_then(|h| h.get(i).cloned())
                .unwrap_or_else(|| format!("({})", i + 1)),
        );
    }
    let mut table = Table::with_headers(headers).right_align(0);
    for (line, cells) in &p.rows {
        let mut row = vec![line.to_string()];
        row.extend((0..columns).map(|i| cells.get(i).cloned().unwrap_or_default()));
        table.row(row);
    }
    out.table(&table)?;
    writeln!(
        out,
        "{} of {} as the mapping splits {} ({}).",
        count(p.rows.len(), "row"),
        file.display(),
        if p.header.is_some() {
            "it"
        } else {
            "it; no header row"
        },
        count(columns, "column")
    )
}
