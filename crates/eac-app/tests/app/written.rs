//! The P1 writer is correct by construction (decision 206): an export no
//! longer reads its file back, so this shows, for generated EACs of every
//! shape, that whatever passes the checks an export runs before writing
//! passes, once written, the shipped JSON Schema and every rule of
//! `validate` with no error.

use eac_app::{validate_file, ExportProfile};
use eac_model::write::check_written_form;
use eac_model::{check_eac, CheckOptions, Eac, ListingChecks, ListingWriter, Violation};
use proptest::prelude::*;

#[path = "../../../eac-model/tests/model/arb_eac.rs"]
mod arb_eac;

/// The export's checks (eac-store's P1 sink) on a listing of `eacs`.
fn export_errors(eacs: &[Eac]) -> Vec<Violation> {
    let opts = CheckOptions::validate().with_extended_technologies(true);
    let mut listing = ListingChecks::default();
    let mut out = Vec::new();
    for (i, eac) in eacs.iter().enumerate() {
        let at = format!("/eacs/{i}");
        out.extend(check_eac(eac, &at, opts));
        out.extend(check_written_form(eac, &at));
        out.extend(listing.check(eac, &at));
    }
    out.retain(Violation::is_error);
    out
}

proptest! {
    // Several EACs pass the rules together less often than one does.
    #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn what_an_export_writes_passes_the_schema_and_validate(
        eacs in prop::collection::vec(arb_eac::eac(), 1..4)
    ) {
        let mut eacs = eacs;
        eacs.sort_by_key(Eac::p1_order_key);
        prop_assume!(export_errors(&eacs).is_empty());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("eacs.json");
        let mut w = ListingWriter::begin(Vec::new()).unwrap();
        for e in &eacs {
            w.write_eac(e).unwrap();
        }
        std::fs::write(&path, w.finish().unwrap()).unwrap();
        let report = validate_file(&path, ExportProfile::P1, true).unwrap();
        prop_assert!(
            report.errors.is_empty(),
            "{:#?}\n{}",
            report.errors,
            std::fs::read_to_string(&path).unwrap()
        );
    }
}
