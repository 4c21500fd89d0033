//! `eac-fuzz`: mutates valid files and checks every reader of EAC Desk until
//! a time budget ends (see the crate documentation for the properties).
//!
//! ```text
//! eac-fuzz [--seconds N] [--seed S] [--target p1,p2,detail,refdata|all]
//!          [--iteration I] [--iterations N] [--out DIR] [--strict]
//! eac-fuzz --show-pending     # what each corpus/pending input still breaks
//! ```
//!
//! Exit status 0 when no new finding was made; 1 when one was (each saved
//! under `DIR/findings/` with its input and how to reproduce it); 2 on bad
//! arguments. Findings still shown by `corpus/pending/` (bugs known and not
//! fixed yet) are listed but fail the run only with `--strict`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eac_fuzz::{known_findings, run, RunConfig, Target};

fn usage() -> ExitCode {
    eprintln!(
        "usage: eac-fuzz [--seconds N] [--seed S] [--target p1,p2,detail,refdata|all] \
         [--iteration I] [--iterations N] [--out DIR] [--strict]"
    );
    ExitCode::from(2)
}

/// Prints what each input of `corpus/pending/` still breaks.
fn show_pending() {
    let work = std::env::temp_dir().join(format!("eac-fuzz-pending-{}", std::process::id()));
    let mut fuzzer = eac_fuzz::Fuzzer::new(&work);
    for target in Target::ALL {
        let dir = eac_fuzz::corpus_dir().join("pending").join(target.name());
        for file in eac_fuzz::files_in(&dir) {
            println!("{}", file.display());
            for f in fuzzer.check_corpus_file(target, &file).findings {
                println!(
                    "  {}\n   {}",
                    f.key(),
                    f.message.trim().replace('\n', "\n   ")
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
}

fn main() -> ExitCode {
    let mut seconds = 60u64;
    let mut seed = None;
    let mut targets = Target::ALL.to_vec();
    let mut only_iteration = None;
    let mut max_iterations = None;
    let mut out =
        PathBuf::from(std::env::var_os("CARGO_TARGET_DIR").unwrap_or("target".into())).join("fuzz");
    let mut strict = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        let number = |v: Option<String>| v.and_then(|v| v.parse::<u64>().ok());
        match arg.as_str() {
            "--seconds" => match number(value()) {
                Some(n) => seconds = n,
                None => return usage(),
            },
            "--seed" => match number(value()) {
                Some(n) => seed = Some(n),
                None => return usage(),
            },
            "--iteration" => match number(value()) {
                Some(n) => only_iteration = Some(n),
                None => return usage(),
            },
            "--iterations" => match number(value()) {
                Some(n) => max_iterations = Some(n),
                None => return usage(),
            },
            "--target" => {
                let Some(list) = value() else {
                    return usage();
                };
                if list != "all" {
                    let parsed: Option<Vec<Target>> = list.split(',').map(Target::parse).collect();
                    match parsed {
                        Some(t) if !t.is_empty() => targets = t,
                        _ => return usage(),
                    }
                }
            }
            "--out" => match value() {
                Some(dir) => out = PathBuf::from(dir),
                None => return usage(),
            },
            "--strict" => strict = true,
            "--show-pending" => {
                show_pending();
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    let seed = seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_secs())
    });
    let target_names: Vec<&str> = targets.iter().map(|t| t.name()).collect();
    let findings_dir = out.join("findings");
    let _ = std::fs::remove_dir_all(&findings_dir);
    eprintln!(
        "eac-fuzz: seed {seed}, targets {}, {}; findings go to {}",
        target_names.join(","),
        match only_iteration {
            Some(i) => format!("iteration {i} only"),
            None => format!("{seconds} s"),
        },
        findings_dir.display()
    );
    // Each run works in its own folder, so two runs (make fuzz beside make
    // test) never open or delete each other's databases.
    let work = out.join(format!("work-{}", std::process::id()));
    let known = known_findings(&work);
    let config = RunConfig {
        seed,
        targets,
        budget: Duration::from_secs(seconds),
        max_iterations,
        only_iteration,
        work: work.clone(),
        out: Some(findings_dir.clone()),
        verbose: true,
    };
    let summary = run(&config);
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("eac-fuzz: {} iterations", summary.iterations);
    for (target, (n, accepted)) in &summary.per_target {
        eprintln!(
            "  {:<8} {n} inputs, {accepted} accepted and round-tripped",
            target.name()
        );
    }
    let new = summary.new_findings(&known);
    let known_seen = summary.findings.len() - new.len();
    for (finding, iteration, count) in summary.findings.values() {
        let label = if known.contains(&finding.key()) {
            "known (corpus/pending)"
        } else {
            "NEW"
        };
        eprintln!(
            "  {label}: {} — first at iteration {iteration}, seen {count} times",
            finding.key()
        );
    }
    if new.is_empty() && (known_seen == 0 || !strict) {
        eprintln!(
            "eac-fuzz: clean ({} known finding(s) of corpus/pending seen)",
            known_seen
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "eac-fuzz: {} new finding(s); inputs and details in {}",
            new.len(),
            findings_dir.display()
        );
        ExitCode::FAILURE
    }
}
