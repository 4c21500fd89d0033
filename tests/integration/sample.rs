//! The sample generator's EACs go through the store like imported files do:
//! stored, totalled exactly and exported without losing a digit.

use eac_model::{CheckOptions, Decimal, Eac, EnergyUnit};
use eac_sample::{generate, SampleOptions};
use eac_store::{EacFilter, NoProgress};
use eac_tests::{export_all, read_all, temp_store};

const COUNT: usize = 200;
const SEED: u64 = 20240829;

#[test]
fn sample_eacs_survive_the_store_and_export_in_p1_order() {
    let mut sample: Vec<Eac> = generate(COUNT, SEED, SampleOptions::default()).collect();
    let mut t = temp_store();
    let report = t
        .store
        .import_eacs("sample", &mut sample.clone().into_iter(), &NoProgress)
        .unwrap();
    assert_eq!(report.added, COUNT, "{report:#?}");
    assert_eq!(
        report.value_count,
        sample.iter().map(|e| e.values.len()).sum::<usize>()
    );

    let export = export_all(&t.store, &t.path("sample.json"));
    let back = read_all(export.as_bytes(), CheckOptions::validate());
    assert!(back.errors().is_empty(), "{:#?}", back.errors());
    sample.sort_by_key(Eac::p1_order_key);
    assert_eq!(back.eacs.len(), sample.len());
    for (stored, generated) in back.eacs.iter().zip(&sample) {
        assert_eq!(stored, generated, "EAC {} changed", generated.cds_eac_id);
    }
}

/// The store's totals per unit equal the exact sums of the generated values
/// (compared as numbers: `1.50` and `1.5` are the same total).
#[test]
fn store_totals_are_the_exact_sums_of_the_values() {
    let sample: Vec<Eac> = generate(COUNT, SEED, SampleOptions::default()).collect();
    let mut t = temp_store();
    t.store
        .import_eacs("sample", &mut sample.clone().into_iter(), &NoProgress)
        .unwrap();
    let summary = t.store.summary(&EacFilter::default()).unwrap();
    assert_eq!(summary.count, COUNT);
    for unit in EnergyUnit::ALL {
        let values: Vec<&Decimal> = sample
            .iter()
            .flat_map(|e| &e.values)
            .filter(|v| v.unit == *unit)
            .map(|v| &v.value)
            .collect();
        let stored = summary
            .totals
            .iter()
            .find(|q| q.unit.as_str() == unit.as_str());
        match (values.is_empty(), stored) {
            (true, None) => {}
            (true, Some(q)) => assert!(
                Decimal::parse(&q.total).unwrap().to_big() == Decimal::parse("0").unwrap().to_big(),
                "{unit}: no values, total {}",
                q.total
            ),
            (false, None) => panic!("{unit}: no total in {:?}", summary.totals),
            (false, Some(q)) => {
                let expected = Decimal::sum(values.iter().copied());
                let total = Decimal::parse(&q.total)
                    .unwrap_or_else(|e| panic!("{unit}: total is not a decimal: {e}"));
                assert_eq!(
                    total.to_big(),
                    expected.to_big(),
                    "{unit}: store total {} ≠ exact sum {}",
                    q.total,
                    expected
                );
            }
        }
    }
}
