//! Digest §d, rule by rule: every file of `tests/fixtures/rules/` breaks (or,
//! for rules 16, 21 and 22, illustrates) one rule, and `cases.json` says what
//! `eacdesk validate` and an import must report for it.
//!
//! Each test runs all cases and reports every disagreement at once, so one
//! failing rule does not hide another.

use std::collections::BTreeSet;
use std::fs;

use eac_model::{CheckOptions, Severity, Violation};
use eac_store::{ImportOptions, ImportOutcome, NoProgress, StoreError};
use eac_tests::{
    compare_findings, fixture, import_ok, read_all, read_bytes, rule_cases, sha256_file,
    temp_store, RuleCase,
};

/// The rules of digest §d that apply to profile P1 (18 and 19 are P2 only).
const P1_RULES: [u8; 20] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22,
];

/// Rule 10 is an export property: import accepts any order (decisions 10).
const VALIDATE_ONLY_RULES: [u8; 1] = [10];

fn fail_if_any(what: &str, failures: Vec<String>) {
    if !failures.is_empty() {
        panic!(
            "{what}: {} case(s) disagree with tests/fixtures/rules/cases.json\n\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[test]
fn every_rule_fixture_has_a_case_and_every_case_a_file() {
    let on_disk: BTreeSet<String> = fs::read_dir(fixture("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "cases.json")
        .collect();
    let cases = rule_cases();
    let in_manifest: BTreeSet<String> = cases.iter().map(|c| c.file.clone()).collect();
    let unlisted: Vec<_> = on_disk.difference(&in_manifest).collect();
    let missing: Vec<_> = in_manifest.difference(&on_disk).collect();
    assert!(unlisted.is_empty(), "fixtures without a case: {unlisted:?}");
    assert!(
        missing.is_empty(),
        "cases without a fixture file: {missing:?}"
    );
    for case in &cases {
        let number: u8 = case.file[5..7]
            .parse()
            .unwrap_or_else(|_| panic!("{}: name it rule-NN-what-it-shows.json", case.file));
        assert!(
            case.rules.contains(&number),
            "{}: named after rule {number}, but its case is about rules {:?}",
            case.file,
            case.rules
        );
    }
}

#[test]
fn every_p1_rule_has_at_least_one_case() {
    let cases = rule_cases();
    let covered: BTreeSet<u8> = cases.iter().flat_map(|c| c.rules.clone()).collect();
    let uncovered: Vec<u8> = P1_RULES
        .iter()
        .copied()
        .filter(|r| !covered.contains(r))
        .collect();
    assert!(
        uncovered.is_empty(),
        "P1 rules without a case: {uncovered:?}"
    );
    // Rules with several parts have a case for each part.
    let count = |rule: u8| cases.iter().filter(|c| c.rules.contains(&rule)).count();
    for (rule, parts) in [(1, 5), (2, 6), (5, 5), (6, 4), (10, 5), (16, 3), (20, 8)] {
        assert!(
            count(rule) >= parts,
            "rule {rule} has parts; expected at least {parts} cases, found {}",
            count(rule)
        );
    }
}

/// `eacdesk validate`: `read_listing` with `CheckOptions::validate()` and the
/// listing checks report exactly the expected errors and warnings.
#[test]
fn validate_reports_each_case_as_the_manifest_says() {
    let mut failures = Vec::new();
    for case in rule_cases() {
        let bytes = read_bytes(&fixture(&format!("rules/{}", case.file)));
        let read = read_all(&bytes, CheckOptions::validate());
        let all: Vec<&Violation> = read.violations.iter().collect();
        if let Some(diff) = compare_findings(&case.validate, &all, None) {
            failures.push(format!("{} ({}):\n{diff}", case.file, case.about));
        }
        // Syntax errors are located by line and column; rule errors by pointer only.
        for v in &all {
            if read.malformed && v.rule == 20 && v.line.is_none() {
                failures.push(format!("{}: syntax error without a line: {v}", case.file));
            }
        }
    }
    fail_if_any("validate", failures);
}

/// Where a violation says it is lives in `line`/`column`/`pointer`; the
/// message is plain words (the reader strips serde_json's " at line L column
/// C", which would otherwise count from the start of an embedded fragment,
/// not of the file).
#[test]
fn messages_carry_no_location_of_their_own() {
    let mut failures = Vec::new();
    for case in rule_cases() {
        let bytes = read_bytes(&fixture(&format!("rules/{}", case.file)));
        for opts in [CheckOptions::validate(), CheckOptions::import()] {
            for v in read_all(&bytes, opts).violations {
                if v.message.contains(" at line ") {
                    failures.push(format!(
                        "{}: {v}\n    (reported line {:?}, column {:?})",
                        case.file, v.line, v.column
                    ));
                }
            }
        }
    }
    fail_if_any("messages", failures);
}

/// The model's side of an import (`CheckOptions::import()`), before any store:
/// what the store must refuse or accept is already decided here.
#[test]
fn import_reading_agrees_with_the_manifest() {
    let mut failures = Vec::new();
    for case in rule_cases() {
        let bytes = read_bytes(&fixture(&format!("rules/{}", case.file)));
        let opts = CheckOptions::import()
            .with_extended_technologies(case.import.allow_extended_technologies);
        let read = read_all(&bytes, opts);
        let errors: Vec<&Violation> = read
            .errors()
            .into_iter()
            .filter(|v| !VALIDATE_ONLY_RULES.contains(&v.rule))
            .collect();
        let problem = if case.import.refused {
            compare_findings(&case.import.findings, &errors, None)
        } else if !errors.is_empty() {
            Some(format!("  refused, expected accepted: {errors:#?}\n"))
        } else {
            let mut out = String::new();
            if let Some(diff) = compare_findings(
                &case.import.findings,
                &read.warnings(),
                Some(Severity::Warning),
            ) {
                out.push_str(&diff);
            }
            if (read.eacs.len(), read.ignored) != (case.import.added, case.import.ignored) {
                out.push_str(&format!(
                    "  read {} EAC(s) and ignored {}, expected {} and {}\n",
                    read.eacs.len(),
                    read.ignored,
                    case.import.added,
                    case.import.ignored
                ));
            }
            (!out.is_empty()).then_some(out)
        };
        if let Some(p) = problem {
            failures.push(format!("{} ({}):\n{p}", case.file, case.about));
        }
    }
    fail_if_any("import (model)", failures);
}

/// `Store::import_file`: a refused file is `StoreError::Rules` naming the
/// rule, and the database file (which already holds the canonical fixture)
/// stays byte-identical; an accepted one is reported with its warnings.
#[test]
fn store_import_refuses_or_accepts_each_case_as_the_manifest_says() {
    let mut failures = Vec::new();
    for case in rule_cases() {
        if let Err(problem) = import_case(&case) {
            failures.push(format!("{} ({}):\n{problem}", case.file, case.about));
        }
    }
    fail_if_any("store import", failures);
}

fn import_case(case: &RuleCase) -> Result<(), String> {
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let before_hash = sha256_file(&t.db_path());
    let before_count = t.store.info().map_err(|e| e.to_string())?.eac_count;

    let path = fixture(&format!("rules/{}", case.file));
    let opts = ImportOptions {
        allow_extended_technologies: case.import.allow_extended_technologies,
        ..ImportOptions::default()
    };
    let outcome = t.store.import_file(&path, opts, &NoProgress);
    let count = t.store.info().map_err(|e| e.to_string())?.eac_count;
    let mut out = String::new();
    match (case.import.refused, outcome) {
        (true, Err(StoreError::Rules { violations, .. })) => {
            let errors: Vec<&Violation> = violations.iter().filter(|v| v.is_error()).collect();
            if let Some(diff) = compare_findings(&case.import.findings, &errors, None) {
                out.push_str(&diff);
            }
            if sha256_file(&t.db_path()) != before_hash {
                out.push_str("  refused, but the database file changed\n");
            }
            if count != before_count {
                out.push_str(&format!(
                    "  refused, but the store holds {count} EACs instead of {before_count}\n"
                ));
            }
        }
        (true, Err(e)) => out.push_str(&format!(
            "  expected StoreError::Rules, got {} error: {e}\n",
            e.code()
        )),
        (true, Ok(report)) => out.push_str(&format!(
            "  expected StoreError::Rules, but the import returned {:?} (added {}, violations {:?})\n",
            report.outcome, report.added, report.violations
        )),
        (false, Err(e)) => out.push_str(&format!("  refused, expected accepted: {e}\n{e:#?}\n")),
        (false, Ok(report)) => {
            if report.outcome != ImportOutcome::Imported {
                out.push_str(&format!("  outcome {:?}\n", report.outcome));
            }
            let warnings: Vec<&Violation> = report.warnings.iter().collect();
            if let Some(diff) =
                compare_findings(&case.import.findings, &warnings, Some(Severity::Warning))
            {
                out.push_str(&diff);
            }
            if (report.added, report.ignored) != (case.import.added, case.import.ignored) {
                out.push_str(&format!(
                    "  added {} and ignored {}, expected {} and {}\n",
                    report.added, report.ignored, case.import.added, case.import.ignored
                ));
            }
            if count != before_count + case.import.added {
                out.push_str(&format!(
                    "  the store holds {count} EACs, expected {}\n",
                    before_count + case.import.added
                ));
            }
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// `eacdesk validate` (the rules and the JSON Schemas together) agrees with
/// the reader on every case: what the manifest finds valid has no error
/// there either (the schema engine sees no number as a float), and every
/// expected error is reported where the manifest says.
#[test]
fn app_validate_with_schemas_agrees_with_the_manifest() {
    let mut failures = Vec::new();
    for case in rule_cases() {
        let path = fixture(&format!("rules/{}", case.file));
        // As the manifest's `validate`: without the extended technologies.
        let report = match eac_app::validate_file(&path, eac_model::ExportProfile::P1, false) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e:?}", case.file));
                continue;
            }
        };
        let expected: Vec<_> = case
            .validate
            .iter()
            .filter(|e| e.severity == Severity::Error)
            .collect();
        let all: Vec<&Violation> = report.errors.iter().collect();
        if expected.is_empty() && !all.is_empty() {
            failures.push(format!(
                "{} ({}): valid by the rules, but validate reports {all:#?}",
                case.file, case.about
            ));
        }
        for e in expected {
            if !all.iter().any(|v| e.matches(v)) {
                failures.push(format!("{}: missing {e} in {all:#?}", case.file));
            }
        }
    }
    fail_if_any("app validate", failures);
}

/// No accepted input whose export is refused: every case an import accepts
/// (and whose emission factors are all present) exports as P1, and the
/// export reads back to the same EACs.
#[test]
fn every_accepted_case_exports_and_reads_back_the_same() {
    let mut failures = Vec::new();
    for case in rule_cases() {
        let missing_factor = case
            .import
            .findings
            .iter()
            .any(|f| f.rule == 6 && f.severity == Severity::Warning);
        if case.import.refused || missing_factor || case.import.added == 0 {
            continue;
        }
        let path = fixture(&format!("rules/{}", case.file));
        let opts = CheckOptions::import()
            .with_extended_technologies(case.import.allow_extended_technologies);
        let mut held = read_all(&read_bytes(&path), opts).eacs;
        let mut t = temp_store();
        let options = ImportOptions {
            allow_extended_technologies: case.import.allow_extended_technologies,
            ..ImportOptions::default()
        };
        if let Err(e) = t.store.import_file(&path, options, &NoProgress) {
            failures.push(format!("{}: import refused: {e}", case.file));
            continue;
        }
        let dest = t.path("export.json");
        let exported = eac_app::export(
            &mut t.store,
            eac_model::ExportProfile::P1,
            None,
            &dest,
            &NoProgress,
        );
        if let Err(e) = exported {
            failures.push(format!(
                "{} ({}): accepted, but the export is refused: {} {:#?}",
                case.file,
                case.about,
                e.message,
                e.violations()
            ));
            continue;
        }
        let mut back = read_all(&read_bytes(&dest), opts).eacs;
        held.sort_by_key(eac_model::Eac::p1_order_key);
        back.sort_by_key(eac_model::Eac::p1_order_key);
        if back != held {
            failures.push(format!(
                "{}: the export reads back differently\n  held {held:#?}\n  back {back:#?}",
                case.file
            ));
        }
    }
    fail_if_any("export of accepted cases", failures);
}
