//! The fuzzer inside `cargo test`: the regression corpus replays clean, and a
//! short run with a fixed seed (the same inputs every time) finds nothing
//! beyond the known, not yet fixed findings of `corpus/pending/`.

use std::collections::BTreeSet;
use std::time::Duration;

use eac_fuzz::{corpus_dir, files_in, known_findings, run, Fuzzer, RunConfig, Target};

#[test]
fn every_corpus_input_keeps_every_property() {
    let work = tempfile::tempdir().unwrap();
    let mut fuzzer = Fuzzer::new(&work.path().join("work"));
    let mut checked = 0;
    let mut broken = Vec::new();
    for target in Target::ALL {
        for file in files_in(&corpus_dir().join(target.name())) {
            checked += 1;
            for f in fuzzer.check_corpus_file(target, &file).findings {
                broken.push(format!("{}: {}\n  {}", file.display(), f.key(), f.message));
            }
        }
    }
    assert!(checked > 0, "the corpus is empty");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn a_short_run_with_a_fixed_seed_finds_nothing_new() {
    let work = tempfile::tempdir().unwrap();
    let known = known_findings(&work.path().join("known"));
    let config = RunConfig {
        seed: 20_240_829,
        targets: Target::ALL.to_vec(),
        budget: Duration::from_secs(3600),
        max_iterations: Some(120),
        only_iteration: None,
        work: work.path().join("work"),
        out: None,
        verbose: false,
    };
    let summary = run(&config);
    assert_eq!(summary.iterations, 120);
    // Every reader saw inputs, and some of each were accepted and went
    // through export and the round trip (the properties were exercised).
    for target in Target::ALL {
        let (n, accepted) = summary.per_target.get(&target).copied().unwrap_or_default();
        assert!(
            n > 0 && accepted > 0,
            "{}: {n} inputs, {accepted} accepted",
            target.name()
        );
    }
    let new: Vec<String> = summary
        .new_findings(&known)
        .iter()
        .map(|(f, i, _)| format!("iteration {i}: {}\n  {}", f.key(), f.message))
        .collect();
    assert!(new.is_empty(), "{}", new.join("\n"));
}

#[test]
fn pending_inputs_show_a_finding_until_their_fix_is_merged() {
    // A pending input that no longer breaks anything belongs in the corpus
    // proper: this names it so it can be moved.
    let work = tempfile::tempdir().unwrap();
    let mut fuzzer = Fuzzer::new(&work.path().join("work"));
    let mut fixed = BTreeSet::new();
    for target in Target::ALL {
        for file in files_in(&corpus_dir().join("pending").join(target.name())) {
            if fuzzer.check_corpus_file(target, &file).findings.is_empty() {
                fixed.insert(file.display().to_string());
            }
        }
    }
    assert!(
        fixed.is_empty(),
        "fixed: move these to corpus/<target>/ (and out of FUZZ_FINDINGS.md): {fixed:#?}"
    );
}
