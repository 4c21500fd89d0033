//! Registry documents through the whole house: the real samples read,
//! stored (one transaction each, provenance, nothing invented), refused
//! by exports while incomplete, completed (audited) and then exported as
//! files the schemas accept; re-imports that add nothing; and double
//! counting found between overlapping ranges (partial, contained; adjacent
//! ranges are not overlaps) and the same certificates claimed twice.

use std::path::{Path, PathBuf};

use eac_app::{
    BeneficiaryAssignment, BeneficiaryType, DeleteTarget, EacFilter, ExportProfile, FieldValue,
    FindingKind, ImportOptions, ImportOutcome, NoProgress, SettableField, Store,
};
use eac_registry::{Claim, Device, Locator, RangeRecord, Status};
use eac_store::{CertRange, Reason, RegistryDocument, RegistryEac};
use eac_tests::{sha256_file, temp_store};

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/eac-registry/tests/fixtures")
        .join(rel)
}

fn import(store: &mut Store, path: &Path, opts: ImportOptions) -> eac_app::FileImportReport {
    let report = eac_app::import_files(store, &[path.to_owned()], opts, &NoProgress);
    report.files.into_iter().next().unwrap()
}

fn ok(store: &mut Store, path: &Path) -> eac_app::FileImportReport {
    let r = import(store, path, ImportOptions::default());
    assert_eq!(r.outcome, ImportOutcome::Imported, "{r:#?}");
    r
}

#[test]
fn every_real_sample_imports_with_its_format_and_nothing_invented() {
    for (file, format, ranges) in [
        ("ofgem/certificates-sample.csv", "ofgem-csv", None),
        ("ofgem/certificates-report-sample.xml", "ofgem-xml", None),
        ("irec/redemption-statement-sample.pdf", "irec-pdf", Some(1)),
        (
            "eecs-go/necs-cancellation-statement-sample.pdf",
            "go-pdf",
            Some(1),
        ),
        (
            "eecs-go/dk-cancellation-statement-sample.pdf",
            "go-pdf",
            Some(1),
        ),
        (
            "mrets/retirement-confirmation-sample.pdf",
            "mrets-pdf",
            Some(1),
        ),
        ("mrets/certificates.csv", "mrets-csv", None),
        ("energytag/bundles.json", "energytag", None),
    ] {
        let mut t = temp_store();
        let bytes = std::fs::read(sample(file)).unwrap();
        let statement = eac_registry::read(&bytes, None, None)
            .unwrap()
            .unwrap()
            .statement;
        let r = if file.starts_with("energytag/") {
            // Its bundles include nuclear and battery storage, outside the
            // draft list: refused, each named, until the extended
            // technologies are allowed, as in a listing (decision 9).
            let db = t.db_path();
            let before = sha256_file(&db);
            let refused = import(&mut t.store, &sample(file), ImportOptions::default());
            assert_eq!(refused.outcome, ImportOutcome::Failed, "{refused:#?}");
            let named: Vec<(u8, &str)> = (refused.violations.iter())
                .map(|v| (v.rule, v.pointer.as_str()))
                .collect();
            assert_eq!(
                named,
                [
                    (3, "JSON pointer /3, field /technology_type"),
                    (3, "JSON pointer /4, field /technology_type")
                ]
            );
            assert!(refused.violations[0].message.contains("nuclear"));
            assert_eq!(sha256_file(&db), before, "nothing written");
            let allowed = ImportOptions {
                allow_extended_technologies: true,
                ..ImportOptions::default()
            };
            let r = import(&mut t.store, &sample(file), allowed);
            assert_eq!(r.outcome, ImportOutcome::Imported, "{r:#?}");
            r
        } else {
            ok(&mut t.store, &sample(file))
        };
        let reg = r.registry.as_ref().expect("a registry report");
        assert_eq!(reg.format, format, "{file}");
        assert_eq!(r.added, statement.ranges.len(), "{file}");
        if let Some(n) = ranges {
            assert_eq!(r.added, n, "{file}");
        }
        assert_eq!(reg.skipped_rows.len(), statement.skipped.len(), "{file}");
        // Registries give no destination, asset location types or CDS
        // beneficiary type: every EAC is incomplete, and says why.
        assert_eq!(reg.incomplete_eacs, r.added, "{file}");
        let fields: Vec<&str> = reg
            .missing_fields
            .iter()
            .map(|m| m.field.as_str())
            .collect();
        for f in ["destination_id", "asset_origination", "beneficiary_type"] {
            assert!(fields.contains(&f), "{file}: {fields:?}");
        }
        // Each EAC keeps where it came from, and the document's bytes.
        let first = &statement.ranges[0];
        let id = eac_registry::eac_id(first);
        let sources = eac_app::sources(&t.store, &id).unwrap();
        assert_eq!(sources.len(), 1, "{file}");
        assert_eq!(sources[0].format, format);
        assert_eq!(sources[0].locator, first.at.to_string());
        let copy = t.path("copy.bin");
        eac_app::save_source(&t.store, &sources[0].sha256, &copy).unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), bytes, "{file}");
        // The stored quantity is count × energy per certificate, exactly.
        let eac = t.store.eac(&id).unwrap();
        assert_eq!(
            eac.values[0].value.as_str(),
            eac_registry::text::times(&first.count, &first.per_certificate).as_str()
        );
    }
}

#[test]
fn importing_the_same_document_again_adds_nothing_and_says_so() {
    let mut t = temp_store();
    let path = sample("eecs-go/necs-cancellation-statement-sample.pdf");
    let first = ok(&mut t.store, &path);
    assert_eq!(first.added, 1);
    let audit_before = t.store.audit_log(None).unwrap().len();
    let again = ok(&mut t.store, &path);
    assert_eq!((again.added, again.replaced), (0, 0));
    let reg = again.registry.unwrap();
    assert_eq!(reg.unchanged, 1);
    let seen = reg.seen_before.expect("the document was seen before");
    assert_eq!(seen.file_name, "necs-cancellation-statement-sample.pdf");
    assert_eq!(t.store.audit_log(None).unwrap().len(), audit_before);
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let mut t = temp_store();
    // Create the schema first, so the file exists before the dry run.
    t.store.info().unwrap();
    let db = t.db_path();
    let before = sha256_file(&db);
    let r = import(
        &mut t.store,
        &sample("ofgem/certificates-sample.csv"),
        ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    );
    assert_eq!(r.outcome, ImportOutcome::Imported, "{r:#?}");
    assert!(r.added > 0);
    assert_eq!(t.store.summary(&EacFilter::default()).unwrap().count, 0);
    assert_eq!(sha256_file(&db), before);
}

#[test]
fn a_document_that_is_no_statement_is_refused_naming_it() {
    let mut t = temp_store();
    let pdf = t.path("letter.pdf");
    // A real PDF that is none of the statements (the NECS sample's bytes
    // forced through the I-REC reader).
    std::fs::copy(
        sample("eecs-go/necs-cancellation-statement-sample.pdf"),
        &pdf,
    )
    .unwrap();
    let r = import(
        &mut t.store,
        &pdf,
        ImportOptions {
            format: Some("irec-pdf".into()),
            ..ImportOptions::default()
        },
    );
    assert_eq!(r.outcome, ImportOutcome::Failed);
    assert_eq!(r.code, Some(eac_app::ErrorCode::Unreadable));
    assert!(
        r.message.as_deref().unwrap().contains("letter.pdf"),
        "{r:#?}"
    );
    assert_eq!(t.store.summary(&EacFilter::default()).unwrap().count, 0);
}

#[test]
fn a_completed_registry_import_exports_files_the_schemas_accept() {
    let mut t = temp_store();
    ok(
        &mut t.store,
        &sample("eecs-go/necs-cancellation-statement-sample.pdf"),
    );
    ok(
        &mut t.store,
        &sample("irec/redemption-statement-sample.pdf"),
    );
    ok(&mut t.store, &sample("ofgem/certificates-sample.csv"));
    let all = EacFilter::default();
    let n = t.store.summary(&all).unwrap().count;

    // Incomplete: the export is refused, naming EACs and fields.
    let dest = t.path("out.json");
    let e = eac_app::export(&mut t.store, ExportProfile::P1, None, &dest, &NoProgress).unwrap_err();
    let violations = e.violations();
    assert!(
        violations
            .iter()
            .any(|v| v.pointer.ends_with("/destination_id") && v.cds_eac_id.is_some()),
        "{violations:#?}"
    );
    assert!(!dest.exists());

    // Completed in bulk (audited), beneficiaries assigned.
    let incomplete = EacFilter {
        incomplete: Some(true),
        ..EacFilter::default()
    };
    let values: Vec<FieldValue> = [
        (SettableField::DestinationId, "UTIL-1"),
        (SettableField::DestinationName, "Demo Utility"),
        (SettableField::AssetOrigination, "region"),
        (SettableField::AssetDestination, "grid"),
        (SettableField::TechnologyType, "wind"),
        (SettableField::EmissionsFactorDirect, "0"),
        (SettableField::EmissionsFactorLca, "0.011"),
        (SettableField::Issued, "2021-01-15"),
        (SettableField::Retired, "2021-12-31"),
    ]
    .into_iter()
    .map(|(field, value)| FieldValue {
        field,
        value: value.into(),
    })
    .collect();
    // Technology only where missing: the REGO sample has its own.
    let (tech, rest): (Vec<FieldValue>, Vec<FieldValue>) = values
        .into_iter()
        .partition(|v| v.field == SettableField::TechnologyType);
    let dry = eac_app::set_fields(
        &mut t.store,
        &DeleteTarget::Filter(incomplete.clone()),
        &rest,
        None,
        "analyst",
        true,
        &NoProgress,
        None,
    )
    .unwrap();
    assert_eq!(dry.matching, n);
    assert!(dry.dry_run);
    assert_eq!(
        t.store.summary(&incomplete).unwrap().count,
        n,
        "a dry run changes nothing"
    );
    let done = eac_app::set_fields(
        &mut t.store,
        &DeleteTarget::Filter(incomplete.clone()),
        &rest,
        Some("completed from the registry account"),
        "analyst",
        false,
        &NoProgress,
        None,
    )
    .unwrap();
    assert_eq!(done.changed, n);
    let no_tech = EacFilter {
        incomplete: Some(true),
        ..EacFilter::default()
    };
    let rows = t
        .store
        .browse(&eac_app::BrowseQuery {
            filter: no_tech.clone(),
            ..Default::default()
        })
        .unwrap();
    let untyped: Vec<String> = rows
        .iter()
        .filter(|r| r.technology_type.is_none())
        .map(|r| r.cds_eac_id.clone())
        .collect();
    if !untyped.is_empty() {
        eac_app::set_fields(
            &mut t.store,
            &DeleteTarget::Ids(untyped),
            &tech,
            Some("wind farm per the device register"),
            "analyst",
            false,
            &NoProgress,
            None,
        )
        .unwrap();
    }
    let ids: Vec<String> = t
        .store
        .browse(&eac_app::BrowseQuery {
            filter: no_tech,
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect();
    for id in &ids {
        t.store
            .set_beneficiaries(
                id,
                &BeneficiaryAssignment {
                    beneficiary_type: BeneficiaryType::Customer,
                    beneficiaries: vec!["CUST-1".into()],
                },
                &Reason::new("the claimant's customer number").unwrap(),
                "analyst",
            )
            .unwrap();
    }
    assert_eq!(t.store.summary(&incomplete).unwrap().count, 0);
    let log = t.store.audit_log(None).unwrap();
    assert!(log
        .iter()
        .any(|r| r.action == "set_fields" && r.reason == "completed from the registry account"));

    // Now both exports pass their own checks and the schemas.
    eac_app::export(&mut t.store, ExportProfile::P1, None, &dest, &NoProgress).unwrap();
    let report = eac_app::validate_file(&dest, ExportProfile::P1, true).unwrap();
    assert!(report.is_valid(), "{:#?}", report.errors);
    let text = std::fs::read_to_string(&dest).unwrap();
    assert!(text.contains("\"eacdesk_status\""));
    assert!(!text.contains("eacdesk_retired_undated"));
    let bundle = t.path("bundle");
    eac_app::export_p2(&mut t.store, None, &bundle, None, &NoProgress).unwrap();
    let report = eac_app::validate_file(&bundle, ExportProfile::P2, true).unwrap();
    assert!(report.is_valid(), "{:#?}", report.errors);
}

#[test]
fn a_later_statement_keeps_what_the_user_completed() {
    let mut t = temp_store();
    let path = sample("eecs-go/necs-cancellation-statement-sample.pdf");
    ok(&mut t.store, &path);
    let id = t.store.browse(&Default::default()).unwrap()[0]
        .cds_eac_id
        .clone();
    eac_app::set_fields(
        &mut t.store,
        &DeleteTarget::Ids(vec![id.clone()]),
        &[FieldValue {
            field: SettableField::DestinationId,
            value: "UTIL-9".into(),
        }],
        Some("from the contract"),
        "analyst",
        false,
        &NoProgress,
        None,
    )
    .unwrap();
    // The same range from another copy of the document (another file).
    let copy = t.path("copy.pdf");
    std::fs::copy(&path, &copy).unwrap();
    let again = ok(&mut t.store, &copy);
    assert_eq!((again.added, again.replaced), (0, 0), "{again:#?}");
    assert_eq!(
        t.store.eac(&id).unwrap().destination_id.as_deref(),
        Some("UTIL-9")
    );
    // Both file names are kept as provenance of the one document.
    let sources = eac_app::sources(&t.store, &id).unwrap();
    assert_eq!(sources.len(), 1);
}

fn range(
    registry: &str,
    (first, last): (u64, u64),
    claim: Claim,
    beneficiary: Option<&str>,
) -> RangeRecord {
    let count = last - first + 1;
    RangeRecord {
        at: Locator::Line(first),
        registry: registry.into(),
        source_id: "reg".into(),
        source_name: "Registry".into(),
        first: first.to_string(),
        last: last.to_string(),
        series: String::new(),
        first_seq: first.to_string(),
        last_seq: last.to_string(),
        count: eac_model::Decimal::parse(&count.to_string()).unwrap(),
        per_certificate: eac_model::Decimal::parse("1").unwrap(),
        total: None,
        unit: eac_model::EnergyUnit::MWh,
        status: if claim == Claim::No {
            Status::Issued
        } else {
            Status::Cancelled
        },
        claim,
        issued: None,
        period_start: eac_model::Timestamp::parse("2024-01-01T00:00:00Z").unwrap(),
        period_end: eac_model::Timestamp::parse("2024-02-01T00:00:00Z").unwrap(),
        device: Device {
            id: "DEV-1".into(),
            ..Default::default()
        },
        emissions: None,
        beneficiary_name: beneficiary.map(str::to_owned),
        holder: None,
        facts: Vec::new(),
    }
}

fn store_ranges(
    store: &mut Store,
    name: &str,
    ranges: &[RangeRecord],
) -> eac_app::FileImportReport {
    let now = eac_model::Timestamp::now();
    let bytes = name.as_bytes().to_vec();
    let doc = RegistryDocument {
        file_name: name,
        format: "test",
        format_name: "test ranges",
        mapping: None,
        bytes: &bytes,
        eacs: ranges
            .iter()
            .map(|r| {
                let eac = eac_registry::to_eac(r, now);
                RegistryEac {
                    claim_members: eac_registry::claim_members(&eac),
                    eac,
                    locator: r.at.to_string(),
                    range_text: eac_registry::range_text(r),
                    range: Some(CertRange {
                        registry: r.registry.clone(),
                        series: r.series.clone(),
                        first: r.first.clone(),
                        last: r.last.clone(),
                        first_seq: r.first_seq.clone(),
                        last_seq: r.last_seq.clone(),
                    }),
                    reverses_claim: r.status.is_reversal(),
                }
            })
            .collect(),
        stations: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        allow_extended_technologies: false,
        splits: Vec::new(),
        split_rows: false,
    };
    store.import_document(doc, &NoProgress).unwrap()
}

#[test]
fn overlapping_ranges_are_found_and_adjacent_ones_are_not() {
    let mut t = temp_store();
    store_ranges(&mut t.store, "a", &[range("r", (1, 100), Claim::No, None)]);
    // Adjacent (101…) and another registry's numbers: no overlap.
    let r = store_ranges(
        &mut t.store,
        "b",
        &[
            range("r", (101, 200), Claim::No, None),
            range("other", (1, 100), Claim::No, None),
        ],
    );
    assert!(r.registry.unwrap().overlaps.is_empty());
    assert!(t
        .store
        .check(&EacFilter::default(), &NoProgress)
        .unwrap()
        .findings
        .is_empty());
    // Partly overlapping (90…110: 11 shared with 1…100 and 101…200) and
    // contained (40…60).
    let r = store_ranges(
        &mut t.store,
        "c",
        &[
            range("r", (90, 110), Claim::No, None),
            range("r", (40, 60), Claim::No, None),
        ],
    );
    let overlaps = r.registry.unwrap().overlaps;
    let mut shared: Vec<(String, String, String)> = overlaps
        .iter()
        .map(|o| (o.a.first.clone(), o.b.first.clone(), o.shared.clone()))
        .collect();
    shared.sort();
    assert_eq!(
        shared,
        [
            ("40".into(), "1".into(), "21".into()),
            ("90".into(), "1".into(), "11".into()),
            ("90".into(), "101".into(), "10".into()),
        ]
    );
    let report = t.store.check(&EacFilter::default(), &NoProgress).unwrap();
    assert_eq!(report.ranges, 5);
    assert_eq!(report.findings.len(), 3);
    assert!(report
        .findings
        .iter()
        .all(|f| f.kind == FindingKind::Overlap && f.registry == "r"));
    assert!(report.findings[0].message.contains("share"));
}

/// GO certificates 1–10 claimed for Acme (registry file "a") and 5–12 for
/// Globex ("b"), both on 2024-03-01: six certificates claimed twice. The
/// claim, for more ranges.
fn claimed_for_acme_and_globex(store: &mut Store) -> Claim {
    let on = Claim::On(eac_model::Date::parse("2024-03-01").unwrap());
    store_ranges(
        store,
        "a",
        &[range("go", (1, 10), on.clone(), Some("Acme"))],
    );
    store_ranges(
        store,
        "b",
        &[range("go", (5, 12), on.clone(), Some("Globex"))],
    );
    on
}

#[test]
fn the_same_certificates_claimed_for_two_beneficiaries_or_twice_are_named() {
    let mut t = temp_store();
    let on = claimed_for_acme_and_globex(&mut t.store);
    store_ranges(
        &mut t.store,
        "c",
        &[range("go", (100, 110), on.clone(), Some("Acme"))],
    );
    store_ranges(
        &mut t.store,
        "d",
        &[range("go", (110, 120), Claim::Undated, Some("Acme"))],
    );
    let report = t.store.check(&EacFilter::default(), &NoProgress).unwrap();
    let kinds: Vec<(FindingKind, String)> = report
        .findings
        .iter()
        .map(|f| (f.kind, f.shared.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (FindingKind::ClaimedTwice, "6".to_owned()),
            (FindingKind::RetiredTwice, "1".to_owned())
        ]
    );
    let claimed = &report.findings[0];
    assert!(claimed.message.contains("Acme") && claimed.message.contains("Globex"));
    assert_eq!(claimed.a.beneficiary.as_deref(), Some("Acme"));
    // A filter keeps findings that touch a matching EAC.
    let only = EacFilter {
        search: Some("go:100".into()),
        ..EacFilter::default()
    };
    assert_eq!(t.store.check(&only, &NoProgress).unwrap().findings.len(), 1);
}

/// Every progress report, and "cancel" once `cancel_at` reports were made.
struct Steps {
    seen: std::sync::Mutex<Vec<(eac_app::Phase, u64, Option<u64>)>>,
    cancel_at: usize,
}

impl Steps {
    fn new(cancel_at: usize) -> Self {
        Steps {
            seen: Default::default(),
            cancel_at,
        }
    }
}

impl eac_app::Progress for Steps {
    fn update(&self, phase: eac_app::Phase, done: u64, total: Option<u64>) {
        self.seen.lock().unwrap().push((phase, done, total));
    }
    fn is_cancelled(&self) -> bool {
        self.seen.lock().unwrap().len() >= self.cancel_at
    }
}

#[test]
fn the_check_shows_its_steps_and_stops_when_cancelled() {
    let mut t = temp_store();
    claimed_for_acme_and_globex(&mut t.store);

    let steps = Steps::new(usize::MAX);
    let report = eac_app::check(&t.store, &EacFilter::default(), &steps).unwrap();
    assert_eq!(report.findings.len(), 1);
    let check = eac_app::Phase::Check;
    // Then the stored documents against their SHA-256, one at a time (the
    // two statements the EACs came from; decision 357).
    let documents = eac_app::Phase::CheckDocuments;
    assert_eq!(
        *steps.seen.lock().unwrap(),
        [
            (check, 0, Some(2)),
            (check, 1, Some(2)),
            (check, 2, Some(2)),
            (documents, 0, Some(2)),
            (documents, 1, Some(2)),
            (documents, 2, Some(2))
        ]
    );
    assert_eq!(check.as_str(), "check");

    // Cancelled after its first or second step: no report, the error says so.
    for at in [1, 2] {
        let steps = Steps::new(at);
        let err = eac_app::check(&t.store, &EacFilter::default(), &steps).unwrap_err();
        assert_eq!(err.code, eac_app::ErrorCode::Cancelled, "{err:?}");
        assert_eq!(steps.seen.lock().unwrap().len(), at);
    }
}

/// A certificate number retired in three EACs of one source (a CDS import,
/// no ranges) is three findings, one per pair, each naming both EACs.
#[test]
fn a_number_retired_in_three_eacs_is_named_for_every_pair() {
    let mut t = temp_store();
    let mut eacs: Vec<eac_model::Eac> =
        eac_sample::generate(3, 4, eac_sample::SampleOptions::default()).collect();
    for eac in &mut eacs {
        eac.source_id = "REG-1".to_owned();
        eac.eac_number = Some("DUP-7".to_owned());
        for v in &mut eac.values {
            v.eac_number = None;
            // Retired on the day it was issued (never before).
            v.retired = v
                .issued
                .or(Some(eac_model::Date::parse("2024-05-01").unwrap()));
        }
    }
    let ids: Vec<String> = eacs.iter().map(|e| e.cds_eac_id.clone()).collect();
    t.store
        .import_eacs("three", &mut eacs.into_iter(), &NoProgress)
        .unwrap();
    let report = t.store.check(&EacFilter::default(), &NoProgress).unwrap();
    let pairs: Vec<(String, String)> = report
        .findings
        .iter()
        .map(|f| {
            assert_eq!(f.kind, FindingKind::RetiredTwice, "{f:?}");
            assert_eq!((f.a.first.as_str(), f.b.last.as_str()), ("DUP-7", "DUP-7"));
            assert!(f.a.retired && f.b.retired);
            assert!(f.message.contains("DUP-7"), "{}", f.message);
            (f.a.cds_eac_id.clone(), f.b.cds_eac_id.clone())
        })
        .collect();
    let mut want = Vec::new();
    for (k, a) in ids.iter().enumerate() {
        for b in &ids[k + 1..] {
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            want.push((a.clone(), b.clone()));
        }
    }
    want.sort();
    let mut got = pairs;
    for p in &mut got {
        if p.0 > p.1 {
            std::mem::swap(&mut p.0, &mut p.1);
        }
    }
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn thirty_digit_and_fractional_ranges_compare_exactly() {
    let mut t = temp_store();
    let big = |a: &str, b: &str| {
        let mut r = range("eecs", (1, 1), Claim::No, None);
        r.first = a.into();
        r.last = b.into();
        r.first_seq = a.into();
        r.last_seq = b.into();
        r.count = eac_registry::text::inclusive_count(a, b).unwrap();
        r.at = Locator::Page(1);
        r
    };
    store_ranges(
        &mut t.store,
        "a",
        &[big(
            "643002406555900210000164308649",
            "643002406555900210000164308651",
        )],
    );
    let r = store_ranges(
        &mut t.store,
        "b",
        &[
            big(
                "643002406555900210000164308652",
                "643002406555900210000164308660",
            ),
            big(
                "643002406555900210000164308651",
                "643002406555900210000164308651",
            ),
        ],
    );
    let overlaps = r.registry.unwrap().overlaps;
    assert_eq!(overlaps.len(), 1, "{overlaps:#?}");
    assert_eq!(overlaps[0].shared, "1");
    let mut t = temp_store();
    store_ranges(&mut t.store, "i", &[big("5750.000000", "5761.999999")]);
    let r = store_ranges(
        &mut t.store,
        "j",
        &[
            big("5762.000000", "5770.999999"),
            big("5761.500000", "5761.500000"),
        ],
    );
    let overlaps = r.registry.unwrap().overlaps;
    assert_eq!(overlaps.len(), 1, "{overlaps:#?}");
    assert_eq!(overlaps[0].shared, "0.000001");
    // Past 40 integer digits and 12 fraction digits too (decision 256):
    // such ranges used to be stored without a key and never compared.
    let mut t = temp_store();
    let long = |tail: &str| format!("12345678901234567890123456789012345678901{tail}");
    store_ranges(&mut t.store, "k", &[big(&long("230"), &long("239"))]);
    let r = store_ranges(&mut t.store, "l", &[big(&long("235"), &long("235"))]);
    let overlaps = r.registry.unwrap().overlaps;
    assert_eq!(overlaps.len(), 1, "{overlaps:#?}");
    assert_eq!(overlaps[0].shared, "1");
    let found = t.store.check(&EacFilter::default(), &NoProgress).unwrap();
    assert_eq!(found.ranges, 2, "{found:#?}");
    assert_eq!(found.findings.len(), 1, "{found:#?}");
    // A database from before stored such ranges without their numbers:
    // the same statement given again stores them.
    rusqlite::Connection::open(t.db_path())
        .unwrap()
        .execute("DELETE FROM eac_ranges", [])
        .unwrap();
    assert_eq!(
        t.store
            .check(&EacFilter::default(), &NoProgress)
            .unwrap()
            .ranges,
        0
    );
    let again = store_ranges(&mut t.store, "k", &[big(&long("230"), &long("239"))]);
    assert_eq!(again.registry.unwrap().unchanged, 1);
    assert_eq!(
        t.store
            .check(&EacFilter::default(), &NoProgress)
            .unwrap()
            .ranges,
        1
    );
    // So does one of 13 fraction digits whose last is a zero (its key now
    // has the fixed width, but it had none before).
    let tail = || [big("3.1000000000000", "3.2000000000000")];
    store_ranges(&mut t.store, "p", &tail());
    rusqlite::Connection::open(t.db_path())
        .unwrap()
        .execute("DELETE FROM eac_ranges", [])
        .unwrap();
    store_ranges(&mut t.store, "p", &tail());
    let ranges = t
        .store
        .check(&EacFilter::default(), &NoProgress)
        .unwrap()
        .ranges;
    assert_eq!(ranges, 1);
    let r = store_ranges(
        &mut t.store,
        "m",
        &[big("7.12345678901230", "7.12345678901239")],
    );
    assert!(r.registry.unwrap().overlaps.is_empty());
    let r = store_ranges(
        &mut t.store,
        "n",
        &[big("7.12345678901235", "7.12345678901240")],
    );
    let overlaps = r.registry.unwrap().overlaps;
    assert_eq!(overlaps.len(), 1, "{overlaps:#?}");
    assert_eq!(overlaps[0].shared, "0.00000000000005");
}

#[test]
fn a_stations_report_fills_commissioning_dates_now_and_on_later_imports() {
    let stations = eac_tests::fixture("registries/stations-walney-extension.csv");
    let certificates = sample("ofgem/certificates-sample.csv");
    let walney = |store: &Store| -> Vec<Option<eac_model::Date>> {
        store
            .browse(&eac_app::BrowseQuery {
                filter: EacFilter {
                    search: Some("G01177FWEN".into()),
                    ..EacFilter::default()
                },
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .map(|r| store.eac(&r.cds_eac_id).unwrap().asset_commissioned)
            .collect()
    };
    let date = eac_model::Date::parse("2018-09-06").ok();

    // Certificates first, then the stations report: filled and audited.
    let mut t = temp_store();
    ok(&mut t.store, &certificates);
    let before = walney(&t.store);
    assert!(!before.is_empty() && before.iter().all(Option::is_none));
    let r = ok(&mut t.store, &stations);
    let reg = r.registry.unwrap();
    assert_eq!(reg.format, "ofgem-stations");
    assert_eq!((reg.stations, reg.commissioned_filled), (1, before.len()));
    assert!(walney(&t.store).iter().all(|d| *d == date));
    let log = t.store.audit_log(None).unwrap();
    assert_eq!(
        log.iter()
            .filter(|r| r.action == "import_replace"
                && r.changes.iter().any(|c| c.field == "asset_commissioned"))
            .count(),
        before.len()
    );

    // The stations report first: later certificates get the date as they come.
    let mut t = temp_store();
    ok(&mut t.store, &stations);
    ok(&mut t.store, &certificates);
    let after = walney(&t.store);
    assert!(!after.is_empty() && after.iter().all(|d| *d == date));
}

#[test]
fn a_claim_goes_back_only_when_a_statement_says_so_and_an_undated_one_counts_as_retired() {
    let mut t = temp_store();
    store_ranges(
        &mut t.store,
        "a",
        &[range("m", (1, 10), Claim::Undated, Some("Acme"))],
    );
    let id = t.store.browse(&Default::default()).unwrap()[0]
        .cds_eac_id
        .clone();
    let row = &t.store.browse(&Default::default()).unwrap()[0];
    assert_eq!(row.retired_state, eac_model::RetiredState::Yes);
    // A holdings download that cannot tell the status lists the range again.
    let r = store_ranges(
        &mut t.store,
        "b",
        &[range("m", (1, 10), Claim::No, Some("Acme"))],
    );
    assert_eq!((r.added, r.registry.as_ref().unwrap().unchanged), (0, 1));
    // Kept, and said: the document's `issued` against the stored claim.
    let said: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("is stored as retired (status `cancelled`)")
                && m.contains("this document says `issued`")
                && m.contains("the retirement is kept")),
        "{said:?}"
    );
    let eac = t.store.eac(&id).unwrap();
    assert!(eac.values[0].retired_undated);
    let status = |eac: &eac_model::Eac| {
        eac.extensions
            .iter()
            .find(|(k, _)| k == "eacdesk_status")
            .map(|(_, v)| v.get().to_owned())
    };
    assert_eq!(status(&eac).as_deref(), Some("\"cancelled\""));
    // A statement that says the certificates were revoked reverses the
    // claim (audited, said): a revoked certificate counts for no one.
    let mut revoked = range("m", (1, 10), Claim::No, Some("Acme"));
    revoked.status = Status::Revoked;
    let r = store_ranges(&mut t.store, "c", &[revoked]);
    assert_eq!(r.replaced, 1);
    let said: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("this document says `revoked`") && m.contains("not retired now")),
        "{said:?}"
    );
    let eac = t.store.eac(&id).unwrap();
    assert!(!eac.values[0].is_retired());
    assert_eq!(status(&eac).as_deref(), Some("\"revoked\""));
    let row = &t.store.browse(&Default::default()).unwrap()[0];
    assert_eq!(row.retired_state, eac_model::RetiredState::No);
}

#[test]
fn a_csv_no_reader_knows_is_unreadable_not_a_json_error() {
    let mut t = temp_store();
    let csv = t.path("other-registry.csv");
    std::fs::write(&csv, "Serial,Qty\nA-1,5\n").unwrap();
    let r = import(&mut t.store, &csv, ImportOptions::default());
    assert_eq!(r.outcome, ImportOutcome::Failed);
    assert_eq!(r.code, Some(eac_app::ErrorCode::Unreadable), "{r:#?}");
    let message = r.message.unwrap();
    assert!(message.contains("--mapping"), "{message}");
}

/// A UTF-16 CSV that no reader knows is said to be a CSV EAC Desk does not
/// recognise (with the mapping to use), not a JSON file that must be UTF-8;
/// a UTF-16 JSON listing still hears that JSON must be UTF-8.
#[test]
fn a_utf16_text_is_told_apart_as_csv_or_json_before_it_is_refused() {
    let mut t = temp_store();
    let utf16 = |text: &str| -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    };
    let csv = t.path("unknown.csv");
    std::fs::write(&csv, utf16("Station,Amount\nNorth,12\n")).unwrap();
    let r = import(&mut t.store, &csv, ImportOptions::default());
    assert_eq!(r.outcome, ImportOutcome::Failed);
    let said = r.message.unwrap();
    assert!(said.contains("--mapping NAME"), "{said}");
    assert!(!said.contains("JSON"), "{said}");
    let json = t.path("listing.json");
    std::fs::write(&json, utf16("{\"eacs\": []}")).unwrap();
    let r = import(&mut t.store, &json, ImportOptions::default());
    assert_eq!(r.outcome, ImportOutcome::Failed);
    let said = format!("{:?} {:?}", r.message, r.violations);
    assert!(said.contains("JSON files must be UTF-8"), "{said}");
}
