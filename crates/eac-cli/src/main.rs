//! `eacdesk`: the EAC Desk command line. A thin shell: parse arguments,
//! call `eac-app`/`eac-store`, render text or JSON. No business logic here.
//!
//! Exit codes: 0 success; 1 the data broke a rule (nothing was written);
//! 2 usage, I/O or any other error (a full disk under stdout included) —
//! for a failed operation, `ErrorCode::exit_code` of its code;
//! 141 the reader closed stdout (`eacdesk ls | head`), as for a process
//! stopped by SIGPIPE.

// Everything goes through `render::Out`/`ErrOut`: escaped, and a closed
// pipe or a full disk is an exit code, never a panic.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod claims;
mod commands;
mod interrupt;
mod pack;
mod progress;
mod render;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use eac_app::AppError;
use render::{ErrOut, OutputError};

/// Wrong usage, a missing file, a database problem: what an error that
/// is not an [`AppError`] (whose code decides) exits with.
const EXIT_OTHER: u8 = 2;
/// Whoever read stdout stopped reading: 128 + SIGPIPE, what a shell
/// reports for a C tool killed by the signal, so `set -o pipefail`
/// scripts see that the output was cut short.
const EXIT_CLOSED_PIPE: u8 = 141;

fn main() -> ExitCode {
    eac_app::ignore_file_size_signal();
    interrupt::catch();
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_said(&e),
    };
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(e) => report(&e),
    };
    // Committed changes a full disk (or the file size limit) kept in a
    // database's -wal: said last, where the user looks.
    let mut err = ErrOut::stderr();
    for notice in eac_store::kept_in_log_notices() {
        writeln!(err, "warning: {notice}");
    }
    code
}

/// What clap says instead of running a command: the help or the version
/// on stdout (exit 0), a usage error on stderr (exit 2). Help that could
/// not be written (a full disk, a closed pipe) fails as every other output
/// does: `Error::exit` ignored the failure and exited 0, so `eacdesk --help
/// > file` on a full disk looked written.
fn clap_said(e: &clap::Error) -> ExitCode {
    let printed = e.print().and_then(|()| std::io::stdout().flush());
    match printed {
        Err(source) if !e.use_stderr() => output_failed(
            &OutputError {
                source,
                committed: None,
            },
            &mut ErrOut::stderr(),
        ),
        // A usage error that stderr could not take: nowhere left to say it.
        _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_OTHER)),
    }
}

/// Prints an error in plain words (and the located violations, if any).
fn report(e: &anyhow::Error) -> ExitCode {
    let mut err = ErrOut::stderr();
    if let Some(output) = e.downcast_ref::<OutputError>() {
        return output_failed(output, &mut err);
    }
    // Its violations are in stored EACs, not in the file it names.
    if let Some(refused) = e.downcast_ref::<commands::ExportRefused>() {
        writeln!(err, "error: {refused}");
        for line in refused.lines() {
            writeln!(err, "{line}");
        }
        return ExitCode::from(refused.error.code.exit_code());
    }
    match e.downcast_ref::<AppError>() {
        Some(app) if app.code == eac_app::ErrorCode::Cancelled && interrupt::asked() => {
            writeln!(err, "interrupted: {}", app.message);
            ExitCode::from(interrupt::EXIT_INTERRUPTED)
        }
        Some(app) => {
            writeln!(err, "error: {}", in_cli_words(app));
            err.violations(&app.violations());
            ExitCode::from(app.code.exit_code())
        }
        None => {
            writeln!(err, "error: {e:#}");
            ExitCode::from(EXIT_OTHER)
        }
    }
}

/// `app`'s message as the command line says it: an edit refused because
/// the EAC changed since the version given with `--if-version`
/// (`details.changed_since`) says so of that version rather than of the
/// EAC "opened" in the app, and gives the steps on the command line
/// instead of the app's "Reload it to see the change" (there is no pane
/// to reload).
fn in_cli_words(app: &AppError) -> std::borrow::Cow<'_, str> {
    match &app.details.changed_since {
        // Deleted, or its import undone, by another desk or window.
        Some(changed) if changed.removed => {
            let since = format!(
                "was removed since version {}, the one --if-version gave",
                changed.seen
            );
            let id = eac_model::quote(&changed.cds_eac_id);
            format!(
                "{} It is no longer in this database: see its history with `eacdesk audit {id}`, \
                 and import it again first if it should still be edited",
                changed.head(&since)
            )
            .into()
        }
        Some(changed) => {
            let since = format!(
                "was changed since version {}, the one --if-version gave",
                changed.seen
            );
            let id = eac_model::quote(&changed.cds_eac_id);
            format!(
                "{} See the change with `eacdesk audit {id}`, and the version the EAC has now \
                 with `eacdesk show {id} --json` (`version`); then make your edit again with \
                 --if-version set to it",
                changed.head(&since)
            )
            .into()
        }
        None => app.message.as_str().into(),
    }
}

/// Stdout failed. A closed pipe is quiet unless something was saved
/// before: then, as for a full disk, stderr says it was saved, so nobody
/// repeats an import that went through.
fn output_failed(e: &OutputError, err: &mut ErrOut) -> ExitCode {
    let cause = if e.is_closed_pipe() {
        "the output was closed".to_owned()
    } else {
        e.source.to_string()
    };
    match &e.committed {
        Some(done) => writeln!(err, "{done}; the report could not be printed: {cause}"),
        None if e.is_closed_pipe() => {}
        None => writeln!(err, "error: {e}"),
    }
    ExitCode::from(if e.is_closed_pipe() {
        EXIT_CLOSED_PIPE
    } else {
        EXIT_OTHER
    })
}
