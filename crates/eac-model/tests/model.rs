//! Reading and writing real documents through the public API.

use std::path::PathBuf;

use eac_model::{read_listing, CheckOptions, EacRead, Flow, ListingError, ListingWriter};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples")
        .join(name)
}

fn read_all(bytes: &[u8], opts: CheckOptions) -> (Vec<eac_model::Eac>, Vec<eac_model::Violation>) {
    let mut eacs = Vec::new();
    let mut violations = Vec::new();
    let summary = read_listing(bytes, opts, |_, outcome| {
        match outcome {
            EacRead::Valid { eac, warnings } => {
                eacs.push(*eac);
                violations.extend(warnings);
            }
            EacRead::Ignored { warnings } => violations.extend(warnings),
            EacRead::Invalid { violations: v } => violations.extend(v),
        }
        Flow::Continue
    });
    match summary {
        Ok(s) => violations.extend(s.violations),
        Err(ListingError::Malformed(v)) => violations.push(v),
        Err(e) => panic!("{e}"),
    }
    (eacs, violations)
}

#[test]
fn mixed_order_example_reads_and_keeps_digits() {
    let bytes = std::fs::read(example("good-p1-mixed-order.json")).unwrap();
    let (eacs, violations) = read_all(&bytes, CheckOptions::import());
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(eacs.len(), 7);
    let mut w = ListingWriter::begin(Vec::new()).unwrap();
    for e in &eacs {
        w.write_item(e).unwrap();
    }
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(out.contains("\"value\": 45.106820"));
    assert!(out.contains("\"acme_note\": \"extension field, must be tolerated\""));
    assert!(out.contains("\"start\": \"2024-01-01T00:00:00Z\""));
}

#[test]
fn not_json_example_is_located() {
    let bytes = std::fs::read(example("bad-p1-overview-not-json.json")).unwrap();
    let (_, violations) = read_all(&bytes, CheckOptions::import());
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].rule, 20);
    assert!(violations[0].line.is_some());
    eprintln!("{}", violations[0]);
}

#[test]
fn todo_emissions_flagged_on_import_refused_on_validate() {
    let bytes = std::fs::read(example("bad-p1-todo-emissions.json")).unwrap();
    let (eacs, violations) = read_all(&bytes, CheckOptions::import());
    assert_eq!(eacs.len(), 1);
    assert!(eacs[0].emissions_factor_direct.is_none());
    assert!(violations.iter().all(|v| !v.is_error() && v.rule == 6));
    let (eacs, violations) = read_all(&bytes, CheckOptions::validate());
    assert!(eacs.is_empty());
    assert!(
        violations
            .iter()
            .any(|v| v.is_error() && v.rule == 6 && v.pointer == "/eacs/0/emissions_factor_direct"),
        "{violations:#?}"
    );
}
