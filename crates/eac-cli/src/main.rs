//! `eacdesk`: the EAC Desk command line. A thin shell: parse arguments,
//! call `eac-app`/`eac-store`, render text or JSON. No business logic here.
//!
//! Exit codes: 0 success; 1 the data broke a rule (nothing was written);
//! 2 usage, I/O or any other error.

mod args;
mod commands;
mod progress;
mod render;

use std::process::ExitCode;

use clap::Parser;
use eac_app::AppError;

/// The data broke a rule of the spec; nothing was written.
const EXIT_RULES: u8 = 1;
/// Wrong usage, a missing file, a database problem.
const EXIT_OTHER: u8 = 2;

fn main() -> ExitCode {
    eac_app::ignore_file_size_signal();
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Prints an error in plain words (and the located violations, if any).
fn report(e: &anyhow::Error) -> ExitCode {
    match e.downcast_ref::<AppError>() {
        Some(app) => {
            eprintln!("error: {}", app.message);
            eprint!("{}", render::violations(&app.violations()));
            ExitCode::from(if app.is_validation() {
                EXIT_RULES
            } else {
                EXIT_OTHER
            })
        }
        None => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_OTHER)
        }
    }
}
