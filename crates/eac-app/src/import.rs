//! Importing files (each its own transaction) and loading sample data.

use std::path::{Path, PathBuf};

use eac_model::Violation;
use eac_sample::SampleOptions;
use eac_store::{
    ErrorCode, FileImportReport, ImportOptions, ImportOutcome, ImportReport, Progress, Store,
};

use crate::error::unchanged_said;
use crate::AppError;

/// The most sample EACs one request may load (about 10M values).
pub const MAX_SAMPLE_EACS: usize = 1_000_000;

/// Imports each file in its own transaction: a file that breaks a rule or
/// cannot be read is reported as failed (nothing from it is written) and the
/// others go on. After a cancel the file being read and all later ones are
/// reported as failed, and nothing from them is written. A failed file
/// names the files committed before it (`committed_before`); among
/// several files its message names it and says nothing from it was
/// imported, never that nothing was changed.
pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    opts: ImportOptions,
    progress: &dyn Progress,
) -> ImportReport {
    import_files_for(store, paths, opts, progress, Shell::Cli)
}

/// [`import_files`] as the desktop app reports it: a refused file's
/// message says what the app's user can do there (its dialog's "Map its
/// columns…", its menus), never a command to type, and leaves "nothing
/// from it was imported" to the app, which says it once per file (with
/// the files committed before it, `committed_before`): the message says
/// neither that nor that nothing was changed.
pub fn import_files_in_app(
    store: &mut Store,
    paths: &[PathBuf],
    opts: ImportOptions,
    progress: &dyn Progress,
) -> ImportReport {
    import_files_for(store, paths, opts, progress, Shell::App)
}

/// Who reads an import's messages: the command line's user, who types
/// commands, or the app's, who clicks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shell {
    Cli,
    App,
}

/// Refuses an import's dry run to a login that may not import (an
/// auditor's role on a server): the dry run is the import rolled back, and
/// the server refused its first write after the file was read, which said
/// both "read only" and "Dry run: nothing was written" (tester's report
/// 34). Said once, before anything is read.
pub fn refuse_dry_run_import(store: &Store) -> Result<(), AppError> {
    refuse_dry_run_for(store, Shell::Cli)
}

fn refuse_dry_run_for(store: &Store, shell: Shell) -> Result<(), AppError> {
    if store.may_import()? {
        return Ok(());
    }
    let what = match (store.is_server(), shell) {
        (true, Shell::Cli) => {
            "your role on this server reads only, and an import's dry run is the import run on \
             the server and rolled back. Nothing was changed. To see what it would do, copy the \
             database to a file (`eacdesk copy --from URL --to FILE`) and run the dry run there, \
             or ask an analyst (eacdesk_analyst) to run it"
        }
        (true, Shell::App) => {
            "your role on this server reads only, and a preview is the import run on the server \
             and rolled back. Nothing was changed. Ask an analyst (eacdesk_analyst) to import it"
        }
        (false, _) => {
            "the database is open read-only (this process may not write it), and an import's dry \
             run is the import rolled back. Nothing was changed. Work on a copy you can write"
        }
    };
    Err(AppError::new(
        ErrorCode::Database,
        format!("This import cannot be tried here: {what}."),
    ))
}

fn import_files_for(
    store: &mut Store,
    paths: &[PathBuf],
    opts: ImportOptions,
    progress: &dyn Progress,
    shell: Shell,
) -> ImportReport {
    let mut files = Vec::with_capacity(paths.len());
    let mut cancelled = false;
    let refused = match opts.dry_run {
        true => refuse_dry_run_for(store, shell).err(),
        false => None,
    };
    // Each file's failure is said in its place among the others: the
    // files committed before it stay committed ([`in_its_place`]).
    let several = paths.len() > 1;
    let mut committed: Vec<String> = Vec::new();
    // Several files: each a step, so the bar that starts again at each
    // says which file of how many it is at.
    let steps = u32::try_from(paths.len()).unwrap_or(u32::MAX);
    for (at, path) in (1u32..).zip(paths) {
        if steps > 1 {
            progress.step(at, steps);
        }
        cancelled = cancelled || progress.is_cancelled();
        if cancelled {
            let e = AppError::cancelled().with_message(format!(
                "Cancelled before {} was read; nothing from it was imported.",
                this_file(path, several, shell)
            ));
            let report = failed(path, e, store, shell);
            files.push(in_its_place(report, shell, several, &committed));
            continue;
        }
        // The file is opened once, as a regular file: a named pipe is
        // named, never waited on (opening it blocked until the process was
        // killed), and a device is never read.
        let opened = match refused.clone() {
            Some(refused) => Err(refused),
            None => open_to_import(path),
        };
        let opened = match opened.map(|o| (not_importable(path, o.as_ref()), o)) {
            Ok((None, opened)) => opened,
            Ok((Some(refused), _)) | Err(refused) => {
                let report = failed(path, refused, store, shell);
                files.push(in_its_place(report, shell, several, &committed));
                continue;
            }
        };
        let head = opened.as_ref().map(|o| o.head.as_slice());
        // A registry document (from its content, or a forced format or
        // mapping); else a CDS listing or bundle of the profile forced
        // (`cds-p1`, `cds-p2`) or found from the content (decision 274).
        let mut read_as: Option<ReadAs> = None;
        let result = if crate::registry::is_registry_document(path, head, &opts) {
            match &opened {
                Some(o) => {
                    crate::registry::import_document(store, path, &o.file, &opts, progress, shell)
                }
                // A registry document is a file (a format or mapping was
                // named for a folder).
                None => Err(AppError::io(path, &std::io::ErrorKind::IsADirectory.into())),
            }
        } else {
            let profile = ReadAs::of(path, opts.format.as_deref());
            read_as = Some(profile);
            if !profile.p2() && path.is_dir() {
                Err(AppError::invalid_input(match shell {
                    Shell::Cli => format!(
                        "{} is a folder, a P2 bundle, and --format cds-p1 reads a P1 listing \
                         file: import the folder without --format, or with --format cds-p2.",
                        path.display()
                    ),
                    Shell::App => format!(
                        "{} is a folder, a P2 bundle, and the format “{}” reads a listing \
                         file: choose “Detect from content” or the P2 format.",
                        path.display(),
                        P1_FORMAT_NAME
                    ),
                }))
            } else if profile.p2() {
                if opts.dry_run {
                    store.import_p2_dry_run(path, opts.clone(), progress)
                } else {
                    store.import_p2(path, opts.clone(), progress)
                }
                .map_err(AppError::from)
            } else if opts.dry_run {
                store
                    .import_file_dry_run(path, opts.clone(), progress)
                    .map_err(AppError::from)
            } else {
                store
                    .import_file(path, opts.clone(), progress)
                    .map_err(AppError::from)
            }
        };
        let report = match result {
            Ok(report) => report,
            Err(e) if e.code == eac_store::ErrorCode::Cancelled => {
                cancelled = true;
                failed(
                    path,
                    AppError::cancelled().with_message(format!(
                        "Cancelled while reading {}; nothing from it was imported.",
                        this_file(path, several, shell)
                    )),
                    store,
                    shell,
                )
            }
            Err(e) if e.is_validation() => {
                let violations = e.violations();
                let count = crate::error::rule_violations(violations.len());
                // Which profile a CDS file was read as, and why: a file
                // taken for the other profile says so, and how to force it.
                let read_as = read_as.map(|r| r.said(path, shell)).unwrap_or_default();
                let message = match shell {
                    Shell::Cli => format!(
                        "Nothing was imported from {}: {count}{read_as}",
                        path.display()
                    ),
                    Shell::App => format!("{count}, listed below.{read_as}"),
                };
                failed(
                    path,
                    AppError::validation(message, &violations),
                    store,
                    shell,
                )
            }
            Err(e) => failed(path, e, store, shell),
        };
        let report = in_its_place(report, shell, several, &committed);
        if report.outcome == ImportOutcome::Imported && !opts.dry_run {
            committed.push(report.file.clone());
        }
        files.push(match shell {
            Shell::Cli => report,
            Shell::App => report_in_app_words(report),
        });
    }
    ImportReport { files }
}

/// How a message about the file `path` names it: by its name on the
/// command line among several files, else "this file" (the app names it
/// above the message).
fn this_file(path: &Path, several: bool, shell: Shell) -> String {
    match (shell, several) {
        (Shell::Cli, true) => path.display().to_string(),
        _ => "this file".to_owned(),
    }
}

/// A file's report in its place among the files of one import (each its
/// own transaction, committed in order): a failed one names in
/// `committed_before` the files `committed` before it, and its message
/// does not deny them (the store's words for a refused write say
/// "nothing was changed", as of an operation that is one transaction).
/// On the command line, among several files, the message names the file
/// and says that nothing from it was imported (the CLI adds which files
/// are committed, and where); alone, it is the store's. In the app, which
/// says "nothing from this file was imported" below the message and the
/// files committed before it beside it, the message leaves its claim out.
fn in_its_place(
    mut report: FileImportReport,
    shell: Shell,
    several: bool,
    committed: &[String],
) -> FileImportReport {
    if report.outcome != ImportOutcome::Failed {
        return report;
    }
    report.committed_before = committed.to_vec();
    let Some(message) = report.message.take() else {
        return report;
    };
    let file = report.file.as_str();
    report.message = Some(match (shell, several) {
        (Shell::Cli, false) => message,
        (Shell::Cli, true) => {
            let nothing_from = format!("nothing from {file} was imported");
            match unchanged_said(&message, Some(&nothing_from)) {
                (said, true) => said,
                (said, false) if said.contains(file) => said,
                (said, false) => format!("Nothing was imported from {file}: {said}"),
            }
        }
        (Shell::App, _) => match unchanged_said(&message, None) {
            (said, true) if !said.ends_with(['.', '!', '?']) => format!("{said}."),
            (said, _) => said,
        },
    });
    report
}

/// The P1 format's name in the app's Import dialog (`formats()`).
const P1_FORMAT_NAME: &str = "CDS EAC listing, profile P1 (JSON)";
/// The P2 format's name in the app's Import dialog (`formats()`).
const P2_FORMAT_NAME: &str = "CDS EAC listing or bundle, profile P2 (JSON / folder)";

/// The CDS profile a file is read as: forced by `--format cds-p1|cds-p2`
/// (the app's format choice), else found from its content
/// ([`eac_store::p2::detect_profile`], decision 274).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadAs {
    /// The format was given: P2 or P1. What the content says is looked at
    /// only by a refusal ([`ReadAs::said`]), which names the other profile
    /// when the file reads as one of it, as `validate` hints (decision
    /// 274).
    Forced { p2: bool },
    /// Found from the content, and why.
    Detected(eac_store::p2::DetectedProfile),
}

impl ReadAs {
    fn of(path: &Path, format: Option<&str>) -> Self {
        match format {
            Some("cds-p1") => ReadAs::Forced { p2: false },
            Some("cds-p2") => ReadAs::Forced { p2: true },
            _ => ReadAs::Detected(eac_store::p2::detect_profile(path)),
        }
    }

    /// Whether the file is read as profile P2.
    fn p2(&self) -> bool {
        match self {
            ReadAs::Forced { p2 } => *p2,
            ReadAs::Detected(found) => found.p2,
        }
    }

    /// What a refusal adds: " (read as profile P2: why; if it is a P1
    /// listing, --format cds-p1 reads it as one)" on the command line, a
    /// sentence naming the format to choose in the app.
    fn said(&self, path: &Path, shell: Shell) -> String {
        let (profile, other, other_id, other_name) = if self.p2() {
            ("P2", "P1", "cds-p1", P1_FORMAT_NAME)
        } else {
            ("P1", "P2", "cds-p2", P2_FORMAT_NAME)
        };
        // A forced format's file read as the other profile: told from its
        // content here, on the refusal only.
        let other_found = match self {
            ReadAs::Forced { p2 } => Some(eac_store::p2::detect_profile(path))
                .filter(|found| found.told && found.p2 != *p2),
            ReadAs::Detected(_) => None,
        };
        match (shell, self, other_found) {
            // The content tells the other profile: said, and how to read
            // it as that.
            (Shell::Cli, ReadAs::Forced { .. }, Some(found)) => {
                format!(
                    " (read as profile {profile}, as --format asked; it reads as a profile \
                     {other} listing: {}; import it with --format {other_id}, or without \
                     --format)",
                    found.why
                )
            }
            (Shell::Cli, ReadAs::Forced { .. }, None) => {
                format!(" (read as profile {profile}, as --format asked)")
            }
            (Shell::App, ReadAs::Forced { .. }, Some(found)) => {
                format!(
                    " It was read as profile {profile}, the format chosen, but it reads as a \
                     profile {other} listing: {}. Choose the format “{other_name}” and import \
                     it again.",
                    found.why
                )
            }
            (Shell::App, ReadAs::Forced { .. }, None) => {
                format!(" It was read as profile {profile}, the format chosen.")
            }
            (Shell::Cli, ReadAs::Detected(d), _) if d.other_possible => format!(
                " (read as profile {profile}: {}; if it is a {other} listing, --format \
                 {other_id} reads it as one)",
                d.why
            ),
            (Shell::Cli, ReadAs::Detected(d), _) => {
                format!(" (read as profile {profile}: {})", d.why)
            }
            (Shell::App, ReadAs::Detected(d), _) if d.other_possible => format!(
                " It was read as profile {profile}: {}. If it is a {other} listing, choose the \
                 format “{other_name}” and import it again.",
                d.why
            ),
            (Shell::App, ReadAs::Detected(d), _) => {
                format!(" It was read as profile {profile}: {}.", d.why)
            }
        }
    }
}

/// A file's report with the store's advice to type an `eacdesk` command
/// (in its warnings and violations: "run `eacdesk check`") said as where
/// the app does it (decision 266).
fn report_in_app_words(mut report: FileImportReport) -> FileImportReport {
    for v in report
        .warnings
        .iter_mut()
        .chain(report.violations.iter_mut())
    {
        v.message = crate::error::app_words(&v.message);
    }
    // And a registry document's notes of what it did to stored EACs (a
    // split bundle replaced: "undoing this import puts it back").
    if let Some(registry) = report.registry.as_mut() {
        for n in registry.restatements.iter_mut() {
            n.message = crate::error::app_words(&n.message);
        }
    }
    // Its message is in the app's words already: only [`failed`] sets
    // one, and says it so.
    report
}

/// Why `path` is not worth reading at all, said before any reader sees
/// it: a folder that is not a CDS bundle (it has no `eacs.json`), an Excel
/// workbook, or a file that is not text (once called UTF-16 by the JSON
/// readers; text with NUL bytes in it is text, decision 268 as amended),
/// by the first bytes of the file `opened` (`None`: a folder). `None`: let
/// the readers judge it.
fn not_importable(path: &Path, opened: Option<&Opened>) -> Option<AppError> {
    let shown = path.display().to_string();
    let Some(Opened { head, .. }) = opened else {
        // Something that is not a regular file as `eacs.json` (a named
        // pipe, a link leading out) is named by the reader, unopened.
        if fs_entry(&path.join("eacs.json")) {
            return None;
        }
        return Some(AppError::invalid_input(format!(
            "The folder {shown} is not a CDS bundle (it has no eacs.json); choose a file, or a \
             bundle folder."
        )));
    };
    // An empty file is said as such, whatever its name, not as a P1
    // listing's JSON syntax (rule 20) or a PDF that does not open.
    let whole = (head.len() as u64) < HEAD_BYTES;
    let blank = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii()
        .is_empty();
    if whole && blank {
        let what = if head.is_empty() {
            "the file is empty (0 bytes)".to_owned()
        } else {
            format!(
                "the file is empty: its {} bytes are only spaces and line ends",
                head.len()
            )
        };
        let reason = format!(
            "{what}, so there is nothing in it to import; a download or copy may have failed: \
             download or export it again and import that file"
        );
        return Some(AppError::unreadable(&shown, "document", None, &reason));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let reason = match eac_registry::formats::not_a_document(head, &name)? {
        eac_registry::formats::NotADocument::ExcelWorkbook => {
            "this is an Excel workbook, which EAC Desk does not read: save it as CSV first (in \
             Excel or LibreOffice: File → Save As…, CSV UTF-8) and import the CSV file"
                .to_owned()
        }
        // Text with NUL padding or a NUL in a string is left to the
        // readers, which name its place and rule as `validate` does; a
        // binary file is named here, with where its first byte that is
        // not text stands.
        eac_registry::formats::NotADocument::NotText { byte, line, column } => format!(
            "this is not a text file (byte 0x{byte:02X} at line {line}, column {column} is no \
             text), so it is no CDS listing or registry report (those are JSON, CSV or XML \
             text; registry statements are PDF): check that you chose the right file"
        ),
    };
    Some(AppError::unreadable(&shown, "document", None, &reason))
}

/// How much of a file is read first to tell what it is (a registry
/// document or a CDS listing, a workbook or no text at all).
const HEAD_BYTES: u64 = 64 * 1024;

/// A file to import, opened once as a regular file, with its first
/// [`HEAD_BYTES`]; the file is back at its start.
struct Opened {
    file: std::fs::File,
    head: Vec<u8>,
}

/// The file at `path` opened to be imported; `None` for a folder (a P2
/// bundle, opened by its reader). A named pipe, device or socket is
/// refused naming it, neither opened nor waited on (a plain open of a
/// pipe blocked until the process was killed, and neither Ctrl-C nor the
/// app's Cancel ended it).
fn open_to_import(path: &Path) -> Result<Option<Opened>, AppError> {
    use std::io::{Read as _, Seek as _};
    if path.is_dir() {
        return Ok(None);
    }
    let file = crate::named::open_named(
        path,
        "EAC Desk imports only from a file",
        "Save what it holds to a file and import that file.",
    )?;
    let failed = |e: std::io::Error| AppError::io(path, &e);
    let mut head = Vec::with_capacity(HEAD_BYTES as usize);
    (&file)
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(failed)?;
    (&file).rewind().map_err(failed)?;
    Ok(Some(Opened { file, head }))
}

/// Whether anything is at `path`, a link leading nowhere included.
fn fs_entry(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// A file that was not imported, with its error's code, message and
/// violations; in the app, with the app's words ([`import_files_in_app`]).
fn failed(path: &Path, e: AppError, store: &Store, shell: Shell) -> FileImportReport {
    let file = path.display().to_string();
    let violations: Vec<Violation> = e
        .violations()
        .into_iter()
        .map(|v| match v.file {
            Some(_) => v,
            None => v.with_file(&file),
        })
        .collect();
    let (place, format) = (e.details.place.clone(), e.details.format.clone());
    let busy = e.details.busy;
    // A refusal by the data already stored (a closed period, a recorded
    // claim) speaks of EACs, not of the file: among several files, say
    // which one it was.
    let code = e.code;
    let message = match (shell, code) {
        (Shell::Cli, ErrorCode::Frozen | ErrorCode::Conflict) if !e.message.contains(&file) => {
            format!("Nothing was imported from {file}: {}", e.message)
        }
        (Shell::Cli, _) => e.message,
        // The file is named above the message in the app, and "nothing
        // from this file was imported" below it.
        (Shell::App, ErrorCode::Unreadable) => crate::error::app_words(
            &e.message
                .strip_prefix(&format!("{file}, "))
                .unwrap_or(&e.message)
                .strip_suffix(crate::error::UNREADABLE_TAIL)
                .map(|m| m.strip_prefix("document: ").unwrap_or(m))
                .map(|m| {
                    format!(
                        "{}.",
                        eac_model::words::capitalised(m.trim_end_matches('.'))
                    )
                })
                .unwrap_or_else(|| e.message.clone()),
        ),
        (Shell::App, ErrorCode::Frozen) => {
            // Why the file changes a frozen EAC, when the store says (a
            // registry document saying it was split), and what to do.
            let why = (e.message.find(eac_store::registry::SPLIT_REFUSED))
                .map(|at| format!(" {}", e.message[at..].trim()))
                .unwrap_or_default();
            let said =
                crate::error::frozen_in_app(&e.in_app(Some(store)).details, "import this file");
            format!("{said}{why}")
        }
        (Shell::App, _) => e.in_app(Some(store)).message,
    };
    FileImportReport {
        file,
        place,
        format,
        sha256: None,
        outcome: ImportOutcome::Failed,
        added: 0,
        replaced: 0,
        skipped: 0,
        skipped_differing: 0,
        ignored: 0,
        value_count: 0,
        message: Some(message),
        code: Some(code),
        busy,
        violations_capped: code == ErrorCode::Validation
            && violations.len() >= eac_store::MAX_REPORTED_ERRORS,
        violations,
        warnings: Vec::new(),
        warning_count: 0,
        readded: 0,
        registry: None,
        // Filled by [`in_its_place`].
        committed_before: Vec::new(),
    }
}

/// Generates `eacs` sample EACs from `seed` (the same seed gives the same
/// EACs) and imports them in one transaction. Loading the same seed again
/// skips the EACs already there.
pub fn load_sample(
    store: &mut Store,
    eacs: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<ImportReport, AppError> {
    if eacs == 0 || eacs > MAX_SAMPLE_EACS {
        return Err(AppError::invalid_input(format!(
            "Ask for between 1 and {MAX_SAMPLE_EACS} sample EACs (got {eacs})."
        )));
    }
    let mut sample = eac_sample::generate(eacs, seed, SampleOptions::default());
    let progress = KnownTotal {
        inner: progress,
        total: eacs as u64,
    };
    let name = format!("sample data (seed {seed})");
    let report = store.import_eacs(&name, &mut sample, &progress)?;
    Ok(ImportReport {
        files: vec![report],
    })
}

/// The store counts EACs from an iterator without knowing how many will
/// come; the sample does know, so progress can show a real bar.
struct KnownTotal<'p> {
    inner: &'p dyn Progress,
    total: u64,
}

impl Progress for KnownTotal<'_> {
    fn update(&self, phase: eac_store::Phase, done: u64, total: Option<u64>) {
        self.inner.update(phase, done, total.or(Some(self.total)));
    }
    fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app's words for a CDS file refused: which profile it was read
    /// as, why, and the format to choose for the other one (decision 274).
    #[test]
    fn a_refusal_in_the_app_says_which_profile_it_read_and_what_to_choose() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::open_store(&dir.path().join("db.sqlite")).unwrap();
        // An envelope whose detail file is not in a bundle: refused as P2.
        let listing = dir.path().join("listing.json");
        std::fs::write(
            &listing,
            r#"{"eacs": [{"cds_eac_id": "a", "eac_data_url": "https://x.org/a[1]"}]}"#,
        )
        .unwrap();
        let report = import_files_in_app(
            &mut store,
            std::slice::from_ref(&listing),
            ImportOptions::default(),
            &eac_store::NoProgress,
        );
        let message = report.files[0].message.as_deref().unwrap();
        assert!(
            message.contains(
                "listed below. It was read as profile P2: its first EAC has `eac_data_url` and no \
                 `values`, as a P2 envelope has. If it is a P1 listing, choose the format “CDS \
                 EAC listing, profile P1 (JSON)” and import it again."
            ),
            "{message}"
        );
        // The format named is the one the dialog lists.
        assert!(crate::registry::formats()
            .iter()
            .any(|f| f.id == "cds-p1" && f.name == P1_FORMAT_NAME));
        assert!(crate::registry::formats()
            .iter()
            .any(|f| f.id == "cds-p2" && f.name == P2_FORMAT_NAME));

        // Forced, it says so; forced as the other profile than its content
        // tells, it also says which that is and the format to choose.
        let mut forced = |format: &str| {
            let report = import_files_in_app(
                &mut store,
                std::slice::from_ref(&listing),
                ImportOptions {
                    format: Some(format.to_owned()),
                    ..ImportOptions::default()
                },
                &eac_store::NoProgress,
            );
            report.files[0].message.clone().unwrap()
        };
        let message = forced("cds-p2");
        assert!(
            message.ends_with("It was read as profile P2, the format chosen."),
            "{message}"
        );
        let message = forced("cds-p1");
        assert!(
            message.ends_with(
                "It was read as profile P1, the format chosen, but it reads as a profile P2 \
                 listing: its first EAC has `eac_data_url` and no `values`, as a P2 envelope \
                 has. Choose the format “CDS EAC listing or bundle, profile P2 (JSON / \
                 folder)” and import it again."
            ),
            "{message}"
        );
    }
}
