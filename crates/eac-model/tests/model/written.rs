//! The P1 writer (decision 206): its hand-written bytes are serde_json's
//! pretty layout, and whatever passes the rules, once written, reads back
//! as the same EAC without a finding and writes again to the same bytes.
//! (eac-app's tests add the JSON Schema and `validate` to the same EACs.)

use eac_model::write::check_written_form;
use eac_model::{
    check_eac, read_listing, CheckOptions, Eac, EacRead, Flow, ListingWriter, Violation,
};
use proptest::prelude::*;

use super::arb_eac;

fn opts() -> CheckOptions {
    CheckOptions::validate().with_extended_technologies(true)
}

/// The errors an export finds before writing `eac` at `/eacs/0`.
fn export_errors(eac: &Eac) -> Vec<Violation> {
    check_eac(eac, "/eacs/0", opts())
        .into_iter()
        .chain(check_written_form(eac, "/eacs/0"))
        .filter(Violation::is_error)
        .collect()
}

fn by_hand(eacs: &[Eac]) -> Vec<u8> {
    let mut w = ListingWriter::begin(Vec::new()).unwrap();
    for e in eacs {
        w.write_eac(e).unwrap();
    }
    w.finish().unwrap()
}

fn by_serde(eacs: &[Eac]) -> Vec<u8> {
    let mut w = ListingWriter::begin(Vec::new()).unwrap();
    for e in eacs {
        w.write_item(e).unwrap();
    }
    w.finish().unwrap()
}

proptest! {
    // Many generated EACs break a rule and are set aside (`prop_assume!`
    // below): one `make test` (session 19) reached proptest's default limit
    // of 1,024 set aside after 483 of the 512 passes, two in three, and
    // failed. Sixteen per case still stops a generator that produces
    // almost nothing valid.
    #![proptest_config(ProptestConfig {
        max_global_rejects: 16 * 512,
        ..ProptestConfig::with_cases(512)
    })]

    #[test]
    fn hand_written_bytes_are_serde_pretty_layout(
        eacs in prop::collection::vec(arb_eac::eac(), 0..4),
        undated in any::<bool>(),
    ) {
        let mut eacs = eacs;
        // The saved-state member too (only a value retired undated has it).
        if let Some(v) = eacs.first_mut().and_then(|e| e.values.first_mut()) {
            v.retired_undated = undated;
        }
        let hand = by_hand(&eacs);
        let serde = by_serde(&eacs);
        prop_assert_eq!(String::from_utf8(hand).unwrap(), String::from_utf8(serde).unwrap());
    }

    #[test]
    fn what_passes_the_rules_reads_back_equal_and_rewrites_identically(eac in arb_eac::eac()) {
        prop_assume!(export_errors(&eac).is_empty());
        let bytes = by_hand(std::slice::from_ref(&eac));
        let mut back = Vec::new();
        let mut findings = Vec::new();
        let summary = read_listing(&bytes[..], opts(), |_, read| {
            match read {
                EacRead::Valid { eac, warnings } => {
                    back.push(*eac);
                    findings.extend(warnings.into_iter().filter(Violation::is_error));
                }
                EacRead::Ignored { warnings } => findings.extend(warnings),
                EacRead::Invalid { violations } => findings.extend(violations),
            }
            Flow::Continue
        })
        .unwrap();
        prop_assert!(summary.violations.is_empty(), "{:#?}", summary.violations);
        prop_assert!(findings.is_empty(), "{:#?}\n{}", findings, String::from_utf8_lossy(&bytes));
        prop_assert_eq!(back.len(), 1);
        prop_assert_eq!(&back[0], &eac);
        prop_assert_eq!(by_hand(&back), bytes);
    }
}

/// What the types leave open is caught before writing: an extension
/// member named like a member the writer writes (a database changed
/// outside the app) would be a duplicate key.
#[test]
fn extension_members_that_would_be_duplicate_keys_are_refused() {
    let mut eac = proptest::strategy::ValueTree::current(
        &arb_eac::eac()
            .new_tree(&mut proptest::test_runner::TestRunner::deterministic())
            .unwrap(),
    );
    let raw = |t: &str| serde_json::value::RawValue::from_string(t.to_owned()).unwrap();
    eac.extensions.0 = vec![
        ("x_ok".into(), raw("1")),
        ("source_id".into(), raw("\"again\"")),
        ("x_ok".into(), raw("2")),
        ("x_bad".into(), raw(r#"{"a": 1, "a": 2}"#)),
        ("x_lone".into(), raw(r#""\ud800""#)),
    ];
    let found = check_written_form(&eac, "/eacs/0");
    let at: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(
        at,
        [
            "/eacs/0/source_id",
            "/eacs/0/x_ok",
            "/eacs/0/x_bad",
            "/eacs/0/x_lone"
        ],
        "{found:#?}"
    );
    assert!(found.iter().all(|v| v.rule == 20 && v.is_error()));
    // A value's own `eacdesk_retired_undated` member is an extension unless
    // the writer writes that member itself.
    if !eac.values.is_empty() {
        eac.extensions.0.clear();
        eac.values[0].extensions.0 = vec![(eac_model::RETIRED_UNDATED.into(), raw("true"))];
        eac.values[0].retired_undated = false;
        assert!(check_written_form(&eac, "/eacs/0").is_empty());
        eac.values[0].retired_undated = true;
        assert_eq!(check_written_form(&eac, "/eacs/0").len(), 1);
    }
}
