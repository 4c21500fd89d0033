//! Registry documents stored again: a statement given again after its EACs
//! came from a CDS listing stores its ranges (decision 256(b)); a stored
//! claim a statement reverses or keeps is said in the report itself; the
//! same document never undoes a person's audited correction, and a
//! restatement replaces only what the registry now states differently;
//! a holdings download keeps a confirmation's facts with its claim; a
//! listing that replaces a registry EAC's content takes the documents and
//! the range off it.

use super::*;
use eac_store::{
    CertRange, DeleteTarget, FieldValue, RegistryDocument, RegistryEac, SettableField,
};

/// The registry's extension members of a statement, as JSON text.
fn members(pairs: &[(&str, &str)]) -> Extensions {
    Extensions(
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_owned(),
                    RawValue::from_string(serde_json::to_string(v).unwrap()).unwrap(),
                )
            })
            .collect(),
    )
}

/// Registry `r`'s certificates `first`..=`last` as a statement gives
/// them: what no registry prints (destination, beneficiaries, origins,
/// emission factors) left out, a status among the extension members,
/// retired on 2024-03-01 when `status` is `retired`.
fn stated(first: u64, last: u64, status: &str) -> Eac {
    let mut e = eac(&format!("r:{first}..{last}"));
    e.eac_number = Some(format!("{first} – {last}"));
    e.destination_id = None;
    e.destination_name = None;
    e.beneficiary_type = None;
    e.beneficiaries = Vec::new();
    e.asset_origination = None;
    e.asset_destination = None;
    e.emissions_factor_direct = None;
    e.emissions_factor_lca = None;
    e.asset_commissioned = Some(date("2019-05-01"));
    e.values[0].value = dec(&(last - first + 1).to_string());
    if status == "retired" {
        e.values[0].retired = Some(date("2024-03-01"));
    }
    e.extensions = members(&[("eacdesk_registry", "r"), ("eacdesk_status", status)]);
    e
}

/// A document of `eacs` (each with its range `r` first..last read back
/// from its id) whose bytes are `bytes`.
fn statement<'a>(name: &'a str, bytes: &'a [u8], eacs: Vec<Eac>) -> RegistryDocument<'a> {
    RegistryDocument {
        file_name: name,
        format: "test",
        format_name: "Test statement",
        mapping: None,
        bytes,
        eacs: eacs
            .into_iter()
            .enumerate()
            .map(|(i, eac)| {
                let (first, last) = eac
                    .cds_eac_id
                    .strip_prefix("r:")
                    .and_then(|r| r.split_once(".."))
                    .map(|(a, b)| (a.to_owned(), b.to_owned()))
                    .unwrap();
                // As the readers mark them (`Status::is_reversal`).
                let status = member(&eac, "eacdesk_status");
                // As the readers name them (`eac_registry::claim_members`).
                let claim_members = (eac.extensions.iter())
                    .map(|(name, _)| name.clone())
                    .filter(|name| {
                        [
                            "eacdesk_status",
                            "eacdesk_status_date",
                            "eacdesk_retirement_reason",
                        ]
                        .contains(&name.as_str())
                    })
                    .collect();
                RegistryEac {
                    claim_members,
                    reverses_claim: matches!(
                        status.as_deref(),
                        Some("revoked" | "withdrawn" | "expired")
                    ),
                    locator: format!("line {}", i + 2),
                    range_text: format!("{first} – {last}"),
                    range: Some(CertRange {
                        registry: "r".into(),
                        series: String::new(),
                        first: first.clone(),
                        last: last.clone(),
                        first_seq: first,
                        last_seq: last,
                    }),
                    eac,
                }
            })
            .collect(),
        stations: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        allow_extended_technologies: false,
        splits: Vec::new(),
        split_rows: false,
    }
}

/// The stored ranges, as `eac id: first..last`.
fn ranges(env: &Env) -> Vec<String> {
    let mut rows: Vec<String> = env
        .raw_rows(
            "SELECT e.cds_eac_id, r.first, r.last FROM eac_ranges r JOIN eacs e ON e.id = r.eac_id",
        )
        .into_iter()
        .map(|r| {
            format!(
                "{}: {}..{}",
                r[0].as_deref().unwrap(),
                r[1].as_deref().unwrap(),
                r[2].as_deref().unwrap()
            )
        })
        .collect();
    rows.sort();
    rows
}

/// A person completes what the statement left out, as `set` does.
fn complete(env: &mut Env, id: &str) {
    let fields: Vec<FieldValue> = [
        (SettableField::DestinationId, "UTIL-1"),
        (SettableField::DestinationName, "Demo Utility"),
        (SettableField::AssetOrigination, "region"),
        (SettableField::AssetDestination, "grid"),
        (SettableField::EmissionsFactorDirect, "0"),
        (SettableField::EmissionsFactorLca, "0.011"),
    ]
    .into_iter()
    .map(|(field, value)| FieldValue {
        field,
        value: value.into(),
    })
    .collect();
    env.store
        .set_fields(
            &DeleteTarget::Ids(vec![id.to_owned()]),
            &fields,
            &why("from the contract"),
            "ana",
            false,
            &NoProgress,
        )
        .unwrap();
    env.store
        .set_beneficiaries(
            id,
            &assign(BeneficiaryType::Customer, &["CUST123"]),
            &why("contract"),
            "ana",
        )
        .unwrap();
}

#[test]
fn a_statement_given_again_after_a_listing_stores_its_range_and_overlaps_are_found() {
    // One desk imports the statement, completes the EAC and exports it.
    let mut first = Env::new();
    let doc = stated(1, 100, "retired");
    first
        .store
        .import_document(
            statement("stmt.csv", b"statement 1..100", vec![doc.clone()]),
            &NoProgress,
        )
        .unwrap();
    complete(&mut first, "r:1..100");
    let listing = first.file("listing.json");
    first.store.export_p1(None, &listing, &NoProgress).unwrap();

    // Another desk takes the listing, then the statement itself.
    let mut env = Env::new();
    let copied = env.file("listing.json");
    fs::copy(&listing, &copied).unwrap();
    env.import(&copied).unwrap();
    assert!(ranges(&env).is_empty(), "a listing carries no range");
    let again = env
        .store
        .import_document(
            statement("stmt.csv", b"statement 1..100", vec![doc]),
            &NoProgress,
        )
        .unwrap();
    assert_eq!(
        (
            again.added,
            again.replaced,
            again.registry.as_ref().unwrap().unchanged
        ),
        (0, 0, 1),
        "{again:#?}"
    );
    assert_eq!(ranges(&env), ["r:1..100: 1..100"]);
    // Given once more, nothing changes (the range is stored as it is).
    let before = env.snapshot();
    let mut doc_again = stated(1, 100, "retired");
    // Read later: created and modified then.
    doc_again.cds_created = ts("2030-01-01T00:00:00Z");
    doc_again.cds_modified = doc_again.cds_created;
    let bytes = b"statement 1..100".to_vec();
    env.store
        .import_document_dry_run(statement("stmt.csv", &bytes, vec![doc_again]), &NoProgress)
        .unwrap();
    assert_eq!(env.snapshot(), before);

    // Another statement sharing ten certificates is warned about, and
    // the check finds the two.
    let other = env
        .store
        .import_document(
            statement(
                "other.csv",
                b"statement 91..200",
                vec![stated(91, 200, "retired")],
            ),
            &NoProgress,
        )
        .unwrap();
    let overlaps = &other.registry.as_ref().unwrap().overlaps;
    assert_eq!(overlaps.len(), 1, "{other:#?}");
    assert_eq!(
        (
            overlaps[0].b.cds_eac_id.as_str(),
            overlaps[0].shared.as_str()
        ),
        ("r:1..100", "10")
    );
    let check = env.store.check(&EacFilter::default(), &NoProgress).unwrap();
    assert_eq!(check.ranges, 2);
    assert_eq!(check.findings.len(), 1, "{check:#?}");
    assert_eq!(check.findings[0].shared, "10");
}

/// The registry's status of `eac`, as stored (`eacdesk_status`).
fn member(eac: &Eac, name: &str) -> Option<String> {
    eac.extensions
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| serde_json::from_str::<String>(v.get()).unwrap())
}

fn import_doc(
    env: &mut Env,
    name: &str,
    bytes: &[u8],
    eacs: Vec<Eac>,
) -> eac_store::FileImportReport {
    env.store
        .import_document(statement(name, bytes, eacs), &NoProgress)
        .unwrap()
}

/// (kind, message) of each restatement the report lists.
fn restated(report: &eac_store::FileImportReport) -> Vec<(eac_store::RestatedKind, String)> {
    let r = report.registry.as_ref().unwrap();
    assert_eq!(r.restatement_count, r.restatements.len());
    r.restatements
        .iter()
        .map(|n| (n.kind, n.message.clone()))
        .collect()
}

fn set_one(env: &mut Env, id: &str, field: SettableField, value: &str, reason: &str) {
    env.store
        .set_fields(
            &DeleteTarget::Ids(vec![id.to_owned()]),
            &[FieldValue {
                field,
                value: value.into(),
            }],
            &why(reason),
            "ana",
            false,
            &NoProgress,
        )
        .unwrap();
}

#[test]
fn a_reversed_or_kept_retirement_is_listed_in_the_report_in_words() {
    use eac_store::RestatedKind::{ClaimKept, ClaimReversed};
    let mut env = Env::new();
    import_doc(&mut env, "june.csv", b"june", vec![stated(1, 9, "retired")]);
    // A holdings download that cannot tell: kept, and said.
    let r = import_doc(
        &mut env,
        "holdings.csv",
        b"holdings",
        vec![stated(1, 9, "active")],
    );
    let notes = restated(&r);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].0, ClaimKept);
    assert!(notes[0].1.contains("EAC `r:1..9` is stored as retired (status `retired`) and this document says `active`: the retirement is kept"), "{notes:?}");
    assert_eq!(r.registry.as_ref().unwrap().restatements[0].place, "line 2");
    assert!(env.store.eac("r:1..9").unwrap().values[0].is_retired());

    // A statement saying they expired: what importing would do, then does.
    let bytes = b"later".to_vec();
    let before = env.snapshot();
    let dry = env
        .store
        .import_document_dry_run(
            statement("later.csv", &bytes, vec![stated(1, 9, "expired")]),
            &NoProgress,
        )
        .unwrap();
    assert_eq!(env.snapshot(), before);
    let notes = restated(&dry);
    assert_eq!(notes[0].0, ClaimReversed);
    assert!(
        notes[0]
            .1
            .contains("importing it would store it as not retired (audited)"),
        "{notes:?}"
    );
    let r = import_doc(&mut env, "later.csv", &bytes, vec![stated(1, 9, "expired")]);
    assert_eq!(r.replaced, 1);
    let notes = restated(&r);
    assert_eq!(notes[0].0, ClaimReversed);
    // (The status stayed with the claim the download kept.)
    assert!(
        notes[0].1.contains(
            "EAC `r:1..9` was stored as retired (status `retired`) and this document says `expired`"
        ),
        "{notes:?}"
    );
    assert!(
        notes[0]
            .1
            .contains("it is stored as not retired now (audited)"),
        "{notes:?}"
    );
    // Still among the warnings (`import --json` keeps them there).
    assert!(r.warnings.iter().any(|w| w.message == notes[0].1));
    assert!(!env.store.eac("r:1..9").unwrap().values[0].is_retired());
    // Given again, the same statement says nothing more.
    let again = import_doc(&mut env, "later.csv", &bytes, vec![stated(1, 9, "expired")]);
    assert_eq!(
        (again.replaced, restated(&again).len()),
        (0, 0),
        "{again:#?}"
    );
}

#[test]
fn the_same_document_never_undoes_a_correction_and_a_restatement_replaces_only_what_it_changes() {
    use eac_store::RestatedKind::{EditKept, EditReplaced};
    let mut env = Env::new();
    let id = "r:1..9";
    let first = stated(1, 9, "issued");
    import_doc(&mut env, "stmt.pdf", b"statement v1", vec![first.clone()]);
    set_one(
        &mut env,
        id,
        SettableField::AssetCommissioned,
        "2019-06-15",
        "per the owner's letter",
    );
    set_one(
        &mut env,
        id,
        SettableField::TechnologyType,
        "solar",
        "the station is a solar park",
    );
    let records = env.store.audit_log(Some(id)).unwrap().len();

    // The same bytes again, read later: nothing changes, both kept and said.
    let mut again = stated(1, 9, "issued");
    again.cds_created = ts("2031-01-01T00:00:00Z");
    again.cds_modified = again.cds_created;
    let eac_before = env.store.eac(id).unwrap();
    let r = import_doc(&mut env, "stmt.pdf", b"statement v1", vec![again]);
    assert_eq!(
        (r.added, r.replaced, r.registry.as_ref().unwrap().unchanged),
        (0, 0, 1),
        "{r:#?}"
    );
    let notes = restated(&r);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().all(|(k, _)| *k == EditKept));
    assert!(notes.iter().any(|(_, m)| m
        == "EAC `r:1..9`: asset_commissioned is kept as set in EAC Desk (2019-06-15); the document says 2019-05-01, as the registry stated before"));
    // Nothing stored changed (the import batch and its marks aside).
    let eac = env.store.eac(id).unwrap();
    assert_eq!(eac.asset_commissioned, Some(date("2019-06-15")));
    assert_eq!(eac.technology_type, Some(TechnologyType::Solar));
    assert_eq!(env.store.audit_log(Some(id)).unwrap().len(), records);
    assert_eq!(env.store.eac(id).unwrap(), eac_before);

    // A genuine restatement: the registry now says retired and another
    // commissioning date, and the technology as before.
    let mut later = stated(1, 9, "retired");
    later.asset_commissioned = Some(date("2019-07-01"));
    let r = import_doc(&mut env, "stmt-2.pdf", b"statement v2", vec![later]);
    assert_eq!(r.replaced, 1, "{r:#?}");
    let eac = env.store.eac(id).unwrap();
    assert_eq!(
        eac.asset_commissioned,
        Some(date("2019-07-01")),
        "the registry's new date"
    );
    assert_eq!(
        eac.technology_type,
        Some(TechnologyType::Solar),
        "the correction it did not touch"
    );
    assert!(eac.values[0].is_retired());
    let notes = restated(&r);
    assert!(notes.contains(&(
        EditReplaced,
        "EAC `r:1..9`: the registry now states asset_commissioned as 2019-07-01 (it stated 2019-05-01), which replaces the value set in EAC Desk (2019-06-15); `eacdesk audit` shows both".to_owned()
    )), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|(k, m)| *k == EditKept && m.contains("technology_type is kept")),
        "{notes:?}"
    );
    let log = env.store.audit_log(Some(id)).unwrap();
    let record = &log[0];
    assert_eq!(record.action, eac_store::AuditAction::ImportReplace);
    assert!(!record.reason.contains("cds_modified"), "{}", record.reason);
    assert!(
        record
            .reason
            .starts_with("the registry document stmt-2.pdf (Test statement, SHA-256 "),
        "{}",
        record.reason
    );
    assert!(
        record.reason.contains("asset_commissioned"),
        "{}",
        record.reason
    );
    assert!(record.reason.ends_with("; replaced what was set in EAC Desk: asset_commissioned; kept what was set in EAC Desk: technology_type"), "{}", record.reason);

    // The first document again: it stated what it stated; nothing goes
    // back (neither the claim nor the date).
    let r = import_doc(&mut env, "stmt.pdf", b"statement v1", vec![first]);
    assert_eq!(
        (r.replaced, r.registry.as_ref().unwrap().unchanged),
        (0, 1),
        "{r:#?}"
    );
    let eac = env.store.eac(id).unwrap();
    assert_eq!(eac.asset_commissioned, Some(date("2019-07-01")));
    assert!(eac.values[0].is_retired());
}

#[test]
fn a_correction_made_before_statements_were_kept_survives_the_same_document() {
    // A statement stored by an earlier version keeps no statement: the
    // version the import stored (the first correction's record) stands in.
    let mut env = Env::new();
    let id = "r:1..9";
    import_doc(
        &mut env,
        "stmt.pdf",
        b"statement v1",
        vec![stated(1, 9, "issued")],
    );
    env.raw("UPDATE eac_sources SET stated = NULL").unwrap();
    set_one(
        &mut env,
        id,
        SettableField::AssetCommissioned,
        "2019-06-15",
        "per the owner's letter",
    );
    let r = import_doc(
        &mut env,
        "stmt.pdf",
        b"statement v1",
        vec![stated(1, 9, "issued")],
    );
    assert_eq!(
        (r.replaced, r.registry.as_ref().unwrap().unchanged),
        (0, 1),
        "{r:#?}"
    );
    assert_eq!(
        env.store.eac(id).unwrap().asset_commissioned,
        Some(date("2019-06-15"))
    );
    // Its statement is kept now.
    let kept =
        env.raw_text("SELECT CAST(count(*) AS TEXT) FROM eac_sources WHERE stated IS NOT NULL");
    assert_eq!(kept.as_deref(), Some("1"));
}

#[test]
fn a_holdings_download_keeps_the_confirmation_facts_with_the_retirement_and_alternating_changes_nothing(
) {
    let mut env = Env::new();
    let id = "r:1..9";
    let mut confirmation = stated(1, 9, "retired");
    confirmation.extensions = members(&[
        ("eacdesk_registry", "r"),
        ("eacdesk_status", "retired"),
        ("eacdesk_transaction_date", "12-30-2022"),
        ("eacdesk_retirement_reason", "Beneficial Ownership"),
        ("eacdesk_notes", "Zero Labs"),
        ("eacdesk_retirement_account", "DefaultRET"),
        ("eacdesk_serial_number", "1-9"),
        ("eacdesk_vintage", "2020-07-01"),
    ]);
    let mut holdings = stated(1, 9, "active");
    holdings.extensions = members(&[
        ("eacdesk_registry", "r"),
        ("eacdesk_status", "active"),
        ("eacdesk_vintage", "07/2020"),
        ("eacdesk_serial_numbers", "1-9"),
    ]);
    import_doc(
        &mut env,
        "confirmation.pdf",
        b"confirmation",
        vec![confirmation.clone()],
    );
    let r = import_doc(
        &mut env,
        "holdings.csv",
        b"holdings",
        vec![holdings.clone()],
    );
    assert_eq!(r.replaced, 1);
    let eac = env.store.eac(id).unwrap();
    assert!(eac.values[0].is_retired());
    for (name, value) in [
        ("eacdesk_status", "retired"),
        ("eacdesk_transaction_date", "12-30-2022"),
        ("eacdesk_retirement_reason", "Beneficial Ownership"),
        ("eacdesk_notes", "Zero Labs"),
        ("eacdesk_retirement_account", "DefaultRET"),
        ("eacdesk_serial_number", "1-9"),
        // What the download states of its own is taken.
        ("eacdesk_serial_numbers", "1-9"),
        ("eacdesk_vintage", "07/2020"),
    ] {
        assert_eq!(member(&eac, name).as_deref(), Some(value), "{name}");
    }
    // Importing either again changes nothing and says nothing.
    for _ in 0..2 {
        for (name, bytes, doc) in [
            ("confirmation.pdf", &b"confirmation"[..], &confirmation),
            ("holdings.csv", &b"holdings"[..], &holdings),
        ] {
            let r = import_doc(&mut env, name, bytes, vec![doc.clone()]);
            assert_eq!(
                (r.replaced, r.registry.as_ref().unwrap().unchanged),
                (0, 1),
                "{name}: {r:#?}"
            );
            assert!(restated(&r).is_empty(), "{name}: {r:#?}");
        }
    }
    assert_eq!(env.store.eac(id).unwrap(), eac);
}

/// The documents and ranges the store names for `id`.
fn provenance_of(env: &Env, id: &str) -> (Vec<String>, usize) {
    let sources = env
        .store
        .sources(id)
        .unwrap()
        .into_iter()
        .map(|s| s.file_name)
        .collect();
    let ranges = ranges(env)
        .iter()
        .filter(|r| r.starts_with(&format!("{id}:")))
        .count();
    (sources, ranges)
}

#[test]
fn a_listing_replacing_what_the_registry_stated_takes_the_documents_off_until_it_is_undone() {
    let mut env = Env::new();
    let id = "r:1..100";
    import_doc(
        &mut env,
        "stmt.csv",
        b"statement 1..100",
        vec![stated(1, 100, "retired")],
    );
    complete(&mut env, id);
    assert_eq!(provenance_of(&env, id), (vec!["stmt.csv".to_owned()], 1));

    // A listing with only what a person completed (EAC Desk's own export
    // read back, edited later): the documents stay.
    let mut same = env.store.eac(id).unwrap();
    same.destination_name = Some("Another name".into());
    same.cds_modified = ts("2030-01-01T00:00:00Z");
    let listing = env.listing("same.json", &[same]);
    let r = env.import(&listing).unwrap();
    assert_eq!(r.replaced, 1);
    assert!(r.warnings.is_empty(), "{r:#?}");
    assert_eq!(provenance_of(&env, id), (vec!["stmt.csv".to_owned()], 1));

    // Another issuer's quantity: the document no longer holds what it says.
    let mut other = env.store.eac(id).unwrap();
    other.source_id = "other".into();
    other.source_name = "Another issuer".into();
    other.values[0].value = dec("99");
    other.extensions = Extensions::default();
    other.cds_modified = ts("2031-01-01T00:00:00Z");
    let listing = env.listing("other.json", &[other]);
    let r = env.import(&listing).unwrap();
    assert_eq!(r.replaced, 1);
    assert_eq!(r.warnings.len(), 1, "{r:#?}");
    let said = &r.warnings[0].message;
    assert!(said.starts_with("EAC `r:1..100` came from the registry document stmt.csv; this file states what the registry stated"), "{said}");
    assert!(
        said.contains("its certificate range (r 1 – 100) is no longer compared"),
        "{said}"
    );
    assert_eq!(provenance_of(&env, id), (Vec::new(), 0));
    // A range sharing certificates is no overlap with it any more.
    let r = import_doc(
        &mut env,
        "b.csv",
        b"statement 91..200",
        vec![stated(91, 200, "retired")],
    );
    assert!(r.registry.as_ref().unwrap().overlaps.is_empty(), "{r:#?}");
    // The audit record of the replacement says what came off.
    let log = env.store.audit_log(Some(id)).unwrap();
    let record = log
        .iter()
        .find(|a| {
            a.source_file
                .as_deref()
                .is_some_and(|f| f.ends_with("other.json"))
        })
        .unwrap();
    let change = |field: &str| record.changes.iter().find(|c| c.field == field).cloned();
    let sources = change("sources").expect("the documents taken off");
    assert_eq!(
        (sources.before.as_deref(), sources.after),
        (Some("stmt.csv (line 2)"), None)
    );
    assert_eq!(
        change("ranges").unwrap().before.as_deref(),
        Some("r 1 – 100")
    );

    // Undoing the listing's import puts them back with the registry's version.
    let batch = env
        .store
        .import_batches()
        .unwrap()
        .into_iter()
        .find(|b| b.file_name.ends_with("other.json"))
        .unwrap();
    // (The later statement 91..200 first.)
    let later = env
        .store
        .import_batches()
        .unwrap()
        .into_iter()
        .find(|b| b.file_name == "b.csv")
        .unwrap();
    env.store
        .undo_import(later.id, &why("wrong file"), "ana", false, &NoProgress)
        .unwrap();
    env.store
        .undo_import(batch.id, &why("wrong issuer"), "ana", false, &NoProgress)
        .unwrap();
    assert_eq!(env.store.eac(id).unwrap().source_id, "REG-1");
    assert_eq!(provenance_of(&env, id), (vec!["stmt.csv".to_owned()], 1));
    let check = env.store.check(&EacFilter::default(), &NoProgress).unwrap();
    assert_eq!(check.ranges, 1);
}

#[test]
fn undoing_a_restatement_keeps_the_documents_and_range_of_the_version_it_restores() {
    let mut env = Env::new();
    let id = "r:1..9";
    import_doc(&mut env, "a.csv", b"first", vec![stated(1, 9, "issued")]);
    let r = import_doc(&mut env, "b.csv", b"second", vec![stated(1, 9, "retired")]);
    assert_eq!(r.replaced, 1);
    assert_eq!(
        provenance_of(&env, id),
        (vec!["a.csv".to_owned(), "b.csv".to_owned()], 1)
    );
    // A third document finding it as stored adds itself as a source;
    // undoing its import takes it off again.
    let r = import_doc(&mut env, "c.csv", b"third", vec![stated(1, 9, "retired")]);
    assert_eq!(r.registry.as_ref().unwrap().unchanged, 1);
    assert_eq!(provenance_of(&env, id).0.len(), 3);
    let batches = env.store.import_batches().unwrap();
    let batch = |name: &str| batches.iter().find(|b| b.file_name == name).unwrap().id;
    env.store
        .undo_import(batch("c.csv"), &why("not ours"), "ana", false, &NoProgress)
        .unwrap();
    assert_eq!(
        provenance_of(&env, id),
        (vec!["a.csv".to_owned(), "b.csv".to_owned()], 1)
    );
    env.store
        .undo_import(
            batch("b.csv"),
            &why("wrong statement"),
            "ana",
            false,
            &NoProgress,
        )
        .unwrap();
    assert!(!env.store.eac(id).unwrap().values[0].is_retired());
    assert_eq!(provenance_of(&env, id), (vec!["a.csv".to_owned()], 1));
    // And the first document given again is its own statement: unchanged.
    let r = import_doc(&mut env, "a.csv", b"first", vec![stated(1, 9, "issued")]);
    assert_eq!(
        (r.replaced, r.registry.as_ref().unwrap().unchanged),
        (0, 1),
        "{r:#?}"
    );
}

/// The document `name` (`bytes`) of `eacs`, imported: its refusal.
fn refused(env: &mut Env, name: &str, bytes: &[u8], eacs: Vec<Eac>) -> Vec<eac_model::Violation> {
    match env
        .store
        .import_document(statement(name, bytes, eacs), &NoProgress)
    {
        Err(StoreError::Rules { violations, .. }) => violations,
        other => panic!("expected the document refused for its rules: {other:#?}"),
    }
}

/// A statement that retires certificates before the issue date a person
/// entered would store an EAC breaking rule 13, which every export then
/// refuses: the merged EAC is checked as an edit is, and the document is
/// refused whole (its dry run too), naming both dates, where each comes
/// from and the `set` that corrects the entered one (decision 311); once
/// corrected, it imports.
#[test]
fn a_restatement_that_would_retire_before_the_entered_issue_date_is_refused_naming_both() {
    let mut env = Env::new();
    let id = "r:1..9";
    let mut active = stated(1, 9, "active");
    active.values[0].issued = None;
    import_doc(&mut env, "holdings.csv", b"holdings", vec![active]);
    set_one(
        &mut env,
        id,
        SettableField::Issued,
        "2024-04-01",
        "as I recall",
    );
    let mut retired = stated(1, 9, "retired");
    retired.values[0].issued = None;
    let before = env.snapshot();
    let dry = env.store.import_document_dry_run(
        statement("claims.csv", b"claims", vec![retired.clone()]),
        &NoProgress,
    );
    assert!(matches!(dry, Err(StoreError::Rules { .. })), "{dry:#?}");
    let errors = refused(&mut env, "claims.csv", b"claims", vec![retired.clone()]);
    assert_eq!(env.snapshot(), before, "nothing of the document is stored");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        (e.rule, e.pointer.as_str(), e.cds_eac_id.as_deref()),
        (13, "line 2, field /values/0/retired", Some(id))
    );
    assert_eq!(
        e.message,
        "retired on 2024-03-01 (as this document states), before it was issued on 2024-04-01 \
         (a date set in EAC Desk); if the issue date is wrong, correct it (`eacdesk set r:1..9 \
         issued=YYYY-MM-DD --reason TEXT`) and import the document again"
    );
    // The entered date corrected, the same document imports.
    set_one(
        &mut env,
        id,
        SettableField::Issued,
        "2024-02-20",
        "registry e-mail",
    );
    let r = import_doc(&mut env, "claims.csv", b"claims", vec![retired]);
    assert_eq!(r.replaced, 1, "{r:#?}");
    let value = &env.store.eac(id).unwrap().values[0];
    assert_eq!(
        (value.issued, value.retired),
        (Some(date("2024-02-20")), Some(date("2024-03-01")))
    );
}

/// Two documents whose dates cannot both be right (a holdings download
/// issuing certificates after the retirement a confirmation stored, which
/// it does not repeat) are not stored together either: the registry
/// settles them, not `set`.
#[test]
fn a_restatement_issuing_after_the_stored_retirement_is_refused_as_the_registrys_to_settle() {
    let mut env = Env::new();
    let id = "r:1..9";
    let mut confirmation = stated(1, 9, "retired");
    confirmation.values[0].issued = None;
    import_doc(
        &mut env,
        "confirmation.pdf",
        b"confirmation",
        vec![confirmation],
    );
    let mut holdings = stated(1, 9, "active");
    holdings.values[0].issued = Some(date("2024-04-01"));
    let before = env.snapshot();
    let errors = refused(&mut env, "holdings.csv", b"holdings", vec![holdings]);
    assert_eq!(env.snapshot(), before);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].rule, 13);
    assert_eq!(
        errors[0].message,
        "retired on 2024-03-01 (the date stored before; this document gives none), before it \
         was issued on 2024-04-01 (as this document states); the two dates cannot both be \
         right: ask the registry which is; to take this document's, delete the EAC (`eacdesk \
         delete r:1..9`) and import the document again"
    );
    assert!(env.store.eac(id).unwrap().values[0].issued.is_none());
}

/// Not rule 13 alone: whatever rule the EAC to be stored breaks refuses
/// the document, even one the stored EAC broke already (stored so by
/// another tool or an earlier version) and the document does not mend.
#[test]
fn a_restatement_is_held_to_every_rule_an_edit_is() {
    let mut env = Env::new();
    let id = "r:1..9";
    import_doc(&mut env, "a.csv", b"first", vec![stated(1, 9, "active")]);
    env.raw_batch(
        "UPDATE eacs SET beneficiary_type = 'general' WHERE cds_eac_id = 'r:1..9';
         INSERT INTO eac_beneficiaries (eac_id, position, beneficiary_type, beneficiary_id)
           SELECT id, 0, 'general', 'ACME' FROM eacs WHERE cds_eac_id = 'r:1..9';",
    )
    .unwrap();
    let mut later = stated(1, 9, "active");
    later.extensions = members(&[
        ("eacdesk_registry", "r"),
        ("eacdesk_status", "active"),
        ("eacdesk_holder", "Someone else"),
    ]);
    let before = env.snapshot();
    let errors = refused(&mut env, "b.csv", b"second", vec![later]);
    assert_eq!(env.snapshot(), before);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        (e.rule, e.pointer.as_str(), e.cds_eac_id.as_deref()),
        (4, "line 2, field /beneficiaries", Some(id))
    );
    assert!(
        e.message.starts_with("beneficiary type `general` requires an empty `beneficiaries` list — in the EAC this document's statement makes with what is kept of the stored one"),
        "{e:#?}"
    );
}

/// A stored claim goes back only when the registry's reader says the
/// document's status takes it back (decision 256(a)): an Ofgem file
/// saying `Withdrawn` (a word Ofgem does not use, decision 292) keeps it,
/// where a registry whose word it is reverses it.
#[test]
fn a_status_reverses_a_stored_claim_only_when_its_reader_says_so() {
    use eac_store::RestatedKind::{ClaimKept, ClaimReversed};
    let mut env = Env::new();
    let id = "r:1..9";
    import_doc(&mut env, "june.csv", b"june", vec![stated(1, 9, "retired")]);
    let bytes = b"withdrawn, in another registry's words".to_vec();
    let mut doc = statement("later.csv", &bytes, vec![stated(1, 9, "withdrawn")]);
    doc.eacs[0].reverses_claim = false;
    let r = env.store.import_document(doc, &NoProgress).unwrap();
    let notes = restated(&r);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].0, ClaimKept);
    assert!(
        notes[0].1.contains(
            "this document says `withdrawn`: the retirement is kept, since only a status its \
             registry gives certificates that count for no one"
        ),
        "{notes:?}"
    );
    assert!(env.store.eac(id).unwrap().values[0].is_retired());
    // A reader for which `withdrawn` is its registry's word.
    let mut env = Env::new();
    import_doc(&mut env, "june.csv", b"june", vec![stated(1, 9, "retired")]);
    let r = import_doc(
        &mut env,
        "withdrawn.csv",
        b"withdrawn",
        vec![stated(1, 9, "withdrawn")],
    );
    assert_eq!(restated(&r)[0].0, ClaimReversed, "{r:#?}");
    assert!(!env.store.eac(id).unwrap().values[0].is_retired());
}

#[test]
fn a_document_stating_as_the_newest_refers_to_it_and_is_still_its_own_statement_later() {
    let mut env = Env::new();
    let x = stated(1, 9, "issued");
    let mut y = x.clone();
    y.technology_type = Some(TechnologyType::Hydro);
    import_doc(&mut env, "a.csv", b"a", vec![x.clone()]);
    // B states what A did: it keeps no copy of its own.
    import_doc(&mut env, "b.csv", b"b", vec![x.clone()]);
    let kept = |env: &Env| -> Vec<usize> {
        env.raw_rows("SELECT CAST(length(stated) AS TEXT) FROM eac_sources ORDER BY document_id")
            .into_iter()
            .map(|r| r[0].as_deref().unwrap().parse().unwrap())
            .collect()
    };
    let two = kept(&env);
    assert!(two[0] > 300 && two[1] < 120, "{two:?}");
    // C states another technology; B again still says what it said (as
    // A did), so C's technology stays, and it is no person's.
    let r = import_doc(&mut env, "c.csv", b"c", vec![y.clone()]);
    assert_eq!(r.replaced, 1);
    let r = import_doc(&mut env, "b.csv", b"b", vec![x.clone()]);
    assert_eq!((r.replaced, r.registry.as_ref().unwrap().unchanged), (0, 1));
    assert!(restated(&r).is_empty(), "{:?}", restated(&r));
    assert_eq!(
        env.store.eac("r:1..9").unwrap().technology_type,
        Some(TechnologyType::Hydro)
    );
    assert_eq!(kept(&env)[..2], two[..]);
}

/// A retirement of one of two stored values, which a document giving the
/// EAC with one value does not repeat: refused unless the document's
/// status takes claims back, and then said, never dropped in silence.
#[test]
fn a_retirement_is_never_dropped_silently_by_another_number_of_values() {
    let mut env = Env::new();
    let mut two = stated(1, 9, "retired");
    let mut second = two.values[0].clone();
    two.values[0].value = dec("5");
    second.value = dec("4");
    second.retired = None;
    two.values.push(second);
    import_doc(&mut env, "two.csv", b"two", vec![two]);
    let before = env.snapshot();
    let errors = refused(
        &mut env,
        "holdings.csv",
        b"holdings",
        vec![stated(1, 9, "issued")],
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].pointer, "line 2");
    assert!(
        errors[0].message.starts_with(
            "EAC `r:1..9` is stored with 2 values and a retirement; this document states it \
             with 1 and does not repeat the retirement, and its status (`issued`) does not say"
        ),
        "{}",
        errors[0].message
    );
    assert_eq!(env.snapshot(), before);
    assert!(env.store.eac("r:1..9").unwrap().values[0].is_retired());

    // A registry that says the certificates expired takes it back: said.
    let r = import_doc(
        &mut env,
        "expired.csv",
        b"expired",
        vec![stated(1, 9, "expired")],
    );
    assert_eq!(
        restated(&r),
        [(
            eac_store::RestatedKind::ClaimReversed,
            "EAC `r:1..9` was stored as retired (status `retired`) and this document says \
             `expired` (with 1 values where 2 are stored): it is stored as not retired now \
             (audited); reports and claims made before counted it as retired"
                .to_owned()
        )]
    );
    let eac = env.store.eac("r:1..9").unwrap();
    assert_eq!(eac.values.len(), 1);
    assert!(!eac.values[0].is_retired());
}

/// The same certificates with other energy: another registry document is
/// refused whole, naming the EAC and both quantities (a registry range's
/// energy does not change: `93.000` read as 93000 with a decimal comma, a
/// `MWh Per Certificate` edited to 1000.0); the same bytes read again (a
/// changed mapping) replace it with a warning that says both. It had been
/// "1 replaced", said only in the audit log.
#[test]
fn other_energy_for_stored_certificates_is_refused_or_said_never_silently_replaced() {
    let mut env = Env::new();
    import_doc(&mut env, "june.csv", b"june", vec![stated(1, 9, "issued")]);
    let before = env.snapshot();
    let mut thousandfold = stated(1, 9, "issued");
    thousandfold.values[0].value = dec("9000");
    let errors = refused(&mut env, "july.csv", b"july", vec![thousandfold.clone()]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].pointer, "line 2");
    assert_eq!(
        errors[0].message,
        "EAC `r:1..9` (certificates 1 – 9) is stored with 9 MWh; this document states 9000 MWh \
         for the same certificates. A registry range's energy does not change, so one of the \
         two files was misread (its number style, a column of its mapping) or edited, and the \
         document is not imported. If this document is right, delete the stored EAC (`eacdesk \
         delete r:1..9 --reason TEXT`; `eacdesk show` names the documents it came from) and \
         import it again; otherwise correct the file or its mapping"
    );
    assert_eq!(env.snapshot(), before);

    // The same bytes read again (through a changed mapping, here a
    // reader's other reading of them): replaced, and said.
    let r = import_doc(&mut env, "june.csv", b"june", vec![thousandfold]);
    assert_eq!(r.replaced, 1);
    assert_eq!(
        restated(&r),
        [(
            eac_store::RestatedKind::QuantityRestated,
            "EAC `r:1..9` (certificates 1 – 9): the same file (byte for byte), read again by \
             this version of EAC Desk, now gives 9000 MWh where 9 MWh is stored; the stored \
             quantity is replaced (audited, `eacdesk audit r:1..9` shows both). A registry \
             range's energy does not change: check that the file is read as its registry wrote \
             it"
            .to_owned()
        )]
    );
    assert_eq!(
        env.store.eac("r:1..9").unwrap().values[0].value,
        dec("9000")
    );
}

/// A statement kept with its source is what the document stated, read as
/// it was written: not judged again by the rules (one an earlier version
/// kept may break a rule added since), so it still tells a person's value
/// from the registry's.
#[test]
fn a_kept_statement_is_read_as_written_not_judged_again() {
    let mut env = Env::new();
    let x = stated(1, 9, "issued");
    import_doc(&mut env, "a.csv", b"a", vec![x.clone()]);
    set_one(
        &mut env,
        "r:1..9",
        SettableField::TechnologyType,
        "solar",
        "per the station",
    );
    // What a.csv stated, as an earlier reading kept it: hydro, and a
    // period ending before it starts (no EAC passes that rule).
    let kept = env.raw_rows("SELECT stated FROM eac_sources");
    let mut statement: serde_json::Value =
        serde_json::from_str(kept[0][0].as_deref().unwrap()).unwrap();
    statement["technology_type"] = "hydro".into();
    let (start, end) = (
        statement["period_start"].clone(),
        statement["period_end"].clone(),
    );
    statement["period_start"] = end;
    statement["period_end"] = start;
    // (As another tool would write it, on either backend.)
    let literal = statement.to_string().replace('\'', "''");
    env.raw(&format!("UPDATE eac_sources SET stated = '{literal}'"))
        .unwrap();
    // a.csv now says wind where it said hydro: the registry's word
    // replaces the person's solar, and says so.
    let r = import_doc(&mut env, "a.csv", b"a", vec![x]);
    assert_eq!(r.replaced, 1, "{r:#?}");
    assert_eq!(
        restated(&r)
            .iter()
            .map(|(kind, _)| *kind)
            .collect::<Vec<_>>(),
        [eac_store::RestatedKind::EditReplaced]
    );
    assert_eq!(
        env.store.eac("r:1..9").unwrap().technology_type,
        Some(TechnologyType::Wind)
    );
}

/// Undoing the import of a document whose statement a later one refers to
/// (it stated the EAC the same) leaves the later one its statement.
#[test]
fn undoing_the_document_a_later_one_refers_to_leaves_it_its_statement() {
    let mut env = Env::new();
    import_doc(&mut env, "z.csv", b"z", vec![stated(1, 9, "retired")]);
    // A holdings download: the retirement is kept, the EAC unchanged, the
    // statement another (kept in full).
    let a = import_doc(&mut env, "a.csv", b"a", vec![stated(1, 9, "issued")]);
    assert_eq!(a.registry.as_ref().unwrap().unchanged, 1);
    // The same download again under another name: refers to a's.
    import_doc(&mut env, "b.csv", b"b", vec![stated(1, 9, "issued")]);
    let lengths = |env: &Env| -> Vec<(String, usize)> {
        env.raw_rows("SELECT file_name, stated FROM eac_sources ORDER BY file_name")
            .into_iter()
            .map(|r| (r[0].clone().unwrap(), r[1].as_deref().unwrap().len()))
            .collect()
    };
    let kept = lengths(&env);
    // (a.csv, b.csv, z.csv)
    assert!(kept[0].1 > 300 && kept[1].1 < 120, "{kept:?}");
    let batch: i64 = env.raw_rows(
        "SELECT CAST(import_batch_id AS TEXT) FROM eac_sources WHERE file_name = 'a.csv'",
    )[0][0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    env.store
        .undo_import(batch, &why("wrong file"), "ana", false, &NoProgress)
        .unwrap();
    let now = lengths(&env);
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[0], ("b.csv".to_owned(), kept[0].1), "{now:?}");
    assert_eq!(now[1], kept[2]);
    // b.csv again: as it stated, nothing changes and nothing is said.
    let r = import_doc(&mut env, "b.csv", b"b", vec![stated(1, 9, "issued")]);
    assert_eq!(r.registry.as_ref().unwrap().unchanged, 1);
    assert!(restated(&r).is_empty(), "{:?}", restated(&r));
}

/// The values a claim's uniqueness criteria fail are `eacdesk check`'s own
/// findings narrowed to values (`Store::stored_twice`): overlapping ranges
/// of one registry name every value of both EACs; one certificate number
/// retired in two EACs of one source names the retired values carrying
/// it, and no other value of those EACs.
#[test]
fn values_stored_twice_for_claims_are_the_checks_findings() {
    let mut env = Env::new();
    for (name, doc) in [
        ("a.csv", stated(1, 100, "retired")),
        ("b.csv", stated(91, 200, "retired")),
    ] {
        env.store
            .import_document(statement(name, name.as_bytes(), vec![doc]), &NoProgress)
            .unwrap();
    }
    // Two CDS EACs of one source both retiring certificate `GO-7`, one of
    // them with a second value of another number; and one alone.
    let mut one = eac("c-1");
    one.values[0].eac_number = Some("GO-7".into());
    one.values[0].retired = Some(date("2024-03-01"));
    let mut other_value = value(EnergyUnit::MWh, "1");
    other_value.eac_number = Some("GO-8".into());
    other_value.retired = Some(date("2024-03-01"));
    one.values.push(other_value);
    let mut two = eac("c-2");
    two.values[0].eac_number = Some("GO-7".into());
    two.values[0].retired = Some(date("2024-03-01"));
    env.import_eacs(vec![one, two, eac("c-3")]);

    let ids = |ids: &[&str]| ids.iter().map(|i| (*i).to_owned()).collect::<Vec<_>>();
    let found = env
        .store
        .stored_twice(&ids(&["r:1..100", "c-1", "c-3"]))
        .unwrap();
    let got: Vec<(&str, u32, &str, &str, &str)> = found
        .iter()
        .map(|t| {
            (
                t.cds_eac_id.as_str(),
                t.position,
                t.other_eac.as_str(),
                t.finding.kind.as_str(),
                t.finding.shared.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("c-1", 0, "c-2", "retired_twice", "1"),
            ("r:1..100", 0, "r:91..200", "retired_twice", "10"),
        ]
    );
    // The same findings as `eacdesk check` gives.
    let check = env.store.check(&EacFilter::default(), &NoProgress).unwrap();
    assert_eq!(check.findings.len(), 2, "{check:#?}");
    for t in &found {
        assert!(check.findings.contains(&t.finding), "{t:?}");
    }
    assert!(env.store.stored_twice(&ids(&["c-3"])).unwrap().is_empty());
    assert!(env.store.stored_twice(&[]).unwrap().is_empty());
    // Review 35, finding 12: asked alone, each side finds the other, from
    // only the ranges and numbers near it: a range starting before the
    // asked one and reaching into it, a number retired by another EAC of
    // its source.
    let alone = |id: &str| -> Vec<(String, String)> {
        env.store
            .stored_twice(&ids(&[id]))
            .unwrap()
            .into_iter()
            .map(|t| (t.cds_eac_id, t.other_eac))
            .collect()
    };
    assert_eq!(
        alone("r:91..200"),
        [("r:91..200".into(), "r:1..100".into())]
    );
    assert_eq!(alone("c-2"), [("c-2".into(), "c-1".into())]);
}

/// A stored document whose bytes another program changed is never handed
/// out as the original: `document` refuses it naming both SHA-256s,
/// `altered_documents` lists it, and importing the original file again
/// puts its stored copy back, saying so (a tester's finding).
#[test]
fn a_stored_document_changed_by_another_program_is_named_and_put_back_by_the_original() {
    let mut env = Env::new();
    let bytes = b"statement 1..100";
    let report = import_doc(&mut env, "stmt.csv", bytes, vec![stated(1, 100, "retired")]);
    let sha256 = report.sha256.clone().unwrap();
    assert_eq!(env.store.document(&sha256).unwrap().unwrap(), bytes);
    assert!(env
        .store
        .altered_documents(&EacFilter::default(), &NoProgress)
        .unwrap()
        .is_empty());

    // Another program changes the stored bytes.
    let sql = match env.server {
        Some(_) => "UPDATE documents SET content = convert_to('statement 1..999', 'UTF8')",
        None => "UPDATE documents SET content = CAST('statement 1..999' AS BLOB)",
    };
    assert_eq!(env.raw(sql), Ok(1));
    let found = hex::encode(Sha256::digest(b"statement 1..999"));
    match env.store.document(&sha256) {
        Err(StoreError::DocumentAltered {
            file_name,
            sha256: stored,
            found: now,
        }) => {
            assert_eq!(file_name, "stmt.csv");
            assert_eq!(stored, sha256);
            assert_eq!(now, found);
        }
        other => panic!("{other:?}"),
    }
    let altered = env
        .store
        .altered_documents(&EacFilter::default(), &NoProgress)
        .unwrap();
    assert_eq!(
        altered,
        [eac_store::AlteredDocument {
            file_name: "stmt.csv".into(),
            sha256: sha256.clone(),
            found,
            eacs: 1,
        }]
    );

    // The original, imported again, puts its copy back and says so.
    let again = import_doc(&mut env, "stmt.csv", bytes, vec![stated(1, 100, "retired")]);
    let notes = &again.registry.as_ref().unwrap().notes;
    assert!(
        notes.iter().any(|n| n
            .reason
            .contains("had been changed in the database by another program")),
        "{notes:?}"
    );
    assert_eq!(env.store.document(&sha256).unwrap().unwrap(), bytes);
    assert!(env
        .store
        .altered_documents(&EacFilter::default(), &NoProgress)
        .unwrap()
        .is_empty());
    // Once put back, importing it again says nothing of it.
    let third = import_doc(&mut env, "stmt.csv", bytes, vec![stated(1, 100, "retired")]);
    assert!(third.registry.as_ref().unwrap().notes.is_empty());
}

/// A reviewer's finding (session 35): bytes another program wrote into
/// the content as TEXT (`UPDATE documents SET content = 'x'`, or
/// `content || x'0a'`, which SQLite stores as text) made `document` and
/// `altered_documents` fail with a column-type error, so `check`, `show`
/// and `pack` stopped instead of naming the changed document. Every
/// reader reads the bytes whatever their type and hashes them.
#[test]
fn a_stored_document_changed_into_text_is_named_as_changed() {
    file_only!("a server's bytea column holds no text");
    let mut env = Env::new();
    let bytes = b"statement 1..100";
    let report = import_doc(&mut env, "stmt.csv", bytes, vec![stated(1, 100, "retired")]);
    let sha256 = report.sha256.clone().unwrap();
    assert_eq!(env.raw("UPDATE documents SET content = 'x'"), Ok(1));
    let found = hex::encode(Sha256::digest(b"x"));
    match env.store.document(&sha256) {
        Err(StoreError::DocumentAltered { found: now, .. }) => assert_eq!(now, found),
        other => panic!("{other:?}"),
    }
    let altered = env
        .store
        .altered_documents(&EacFilter::default(), &NoProgress)
        .unwrap();
    assert_eq!(altered.len(), 1, "{altered:?}");
    assert_eq!(altered[0].found, found);
    assert_eq!(
        env.store.stored_document_sha256(&sha256).unwrap(),
        Some(found)
    );
    // The text the fixers' own tamper leaves, `content || x'0a'`.
    assert_eq!(
        env.raw("UPDATE documents SET content = CAST('statement 1..100' AS BLOB) || x'0a'"),
        Ok(1)
    );
    let found = hex::encode(Sha256::digest(b"statement 1..100\n"));
    let phases = Phases::default();
    let altered = env
        .store
        .altered_documents(&EacFilter::default(), &phases)
        .unwrap();
    assert_eq!(altered[0].found, found);
    // Each document hashed is a step of its own phase (finding 13).
    let seen = phases.0.lock().unwrap().clone();
    assert!(
        !seen.is_empty() && seen.iter().all(|p| *p == eac_store::Phase::CheckDocuments),
        "{seen:?}"
    );
    // A filtered check reads only the documents of the EACs it selects.
    let none = EacFilter {
        search: Some("no such EAC".into()),
        ..EacFilter::default()
    };
    assert!(env
        .store
        .altered_documents(&none, &NoProgress)
        .unwrap()
        .is_empty());
}

/// A search text too long for SQLite's LIKE (50,000 bytes) is refused in
/// plain words on either backend, never failing as a database error.
#[test]
fn a_search_too_long_to_be_searched_for_is_refused_in_plain_words() {
    let mut env = Env::new();
    import_doc(&mut env, "stmt.csv", b"s", vec![stated(1, 100, "retired")]);
    let filter = |n: usize| EacFilter {
        search: Some("a".repeat(n)),
        ..EacFilter::default()
    };
    let e = env.store.summary(&filter(50_010)).unwrap_err();
    assert_eq!(e.code(), eac_store::ErrorCode::InvalidInput, "{e}");
    assert_eq!(
        e.to_string(),
        "the search text is 50010 characters; at most 10000 are searched for. Search for a shorter part of it"
    );
    // The longest allowed, of the widest characters, is searched for.
    let widest = EacFilter {
        search: Some("😀".repeat(eac_store::SEARCH_MAX_CHARS)),
        ..EacFilter::default()
    };
    assert_eq!(env.store.summary(&widest).unwrap().count, 0);
    assert_eq!(env.store.summary(&filter(10_000)).unwrap().count, 0);
}

/// Each audit record of `id`, oldest first, with its saved states (JSON).
fn records_with_states(
    env: &Env,
    id: &str,
) -> Vec<(
    eac_store::AuditRecord,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
)> {
    let mut out = Vec::new();
    env.store
        .audit_each_with_states(Some(id), &mut |record, states| {
            let parse = |t: Option<String>| t.map(|t| serde_json::from_str(&t).unwrap());
            out.push((
                record,
                parse(states.before_state),
                parse(states.after_state),
            ));
            Ok(())
        })
        .unwrap();
    out.reverse();
    out
}

/// The file names of a saved state's `sources`.
fn state_sources(state: &serde_json::Value) -> Vec<String> {
    state["sources"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["file_name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Tester 37, finding 3: a restatement's `import_replace` record kept the
/// EAC after it without the document just imported (its row was written
/// after the record), so the next record's state before had a source no
/// record's state after had. The record holds the EAC as stored after the
/// import, and its changes name `sources`, as the undo's do.
#[test]
fn a_restatements_record_holds_the_document_it_added_among_the_sources() {
    let mut env = Env::new();
    let id = "r:1..9";
    import_doc(&mut env, "a.csv", b"first", vec![stated(1, 9, "issued")]);
    let r = import_doc(&mut env, "b.csv", b"second", vec![stated(1, 9, "retired")]);
    assert_eq!(r.replaced, 1);
    let records = records_with_states(&env, id);
    assert_eq!(records.len(), 1, "{records:#?}");
    let (record, before, after) = &records[0];
    assert_eq!(record.action, "import_replace");
    assert_eq!(state_sources(before.as_ref().unwrap()), ["a.csv"]);
    assert_eq!(
        state_sources(after.as_ref().unwrap()),
        ["a.csv", "b.csv"],
        "{after:#?}"
    );
    let sources = (record.changes.iter())
        .find(|c| c.field == "sources")
        .unwrap_or_else(|| panic!("{:#?}", record.changes));
    assert_eq!(sources.before.as_deref(), Some("a.csv (line 2)"));
    assert_eq!(
        sources.after.as_deref(),
        Some("a.csv (line 2); b.csv (line 2)")
    );
    // The undo's record starts where the import's ended.
    let batch = env.store.import_batches().unwrap()[0].id;
    env.store
        .undo_import(batch, &why("draft"), "ana", false, &NoProgress)
        .unwrap();
    let records = records_with_states(&env, id);
    let (_, undo_before, _) = &records[1];
    assert_eq!(
        state_sources(undo_before.as_ref().unwrap()),
        state_sources(after.as_ref().unwrap())
    );
}

/// Tester 37, finding 1: undoing an import that only named its document
/// as a source of EACs it found unchanged (the same statement imported
/// again as other bytes; the unchanged EACs of a restatement) took the
/// document's rows off them with no audit record, and its report (and
/// dry run) said nothing was removed or restored. Each such EAC now gets
/// an `undo_import` record naming the `sources` change, with the reason,
/// and the report counts them.
#[test]
fn undoing_an_import_that_only_named_its_document_records_each_eac_it_unlinks() {
    let mut env = Env::new();
    import_doc(
        &mut env,
        "a.csv",
        b"first",
        vec![stated(1, 9, "issued"), stated(10, 19, "issued")],
    );
    let r = import_doc(
        &mut env,
        "b.csv",
        b"first, another copy",
        vec![stated(1, 9, "issued"), stated(10, 19, "issued")],
    );
    assert_eq!(r.registry.as_ref().unwrap().unchanged, 2);
    assert_eq!(provenance_of(&env, "r:1..9").0, ["a.csv", "b.csv"]);
    let batch = env.store.import_batches().unwrap()[0].id;
    let plan = env
        .store
        .undo_import(batch, &why("second copy"), "ana", true, &NoProgress)
        .unwrap();
    assert_eq!(
        (plan.removed, plan.restored, plan.unlinked),
        (0, 0, 2),
        "{plan:#?}"
    );
    assert_eq!(plan.ids, ["r:1..9", "r:10..19"]);
    assert!(env.store.audit_log(None).unwrap().is_empty());
    let done = env
        .store
        .undo_import(batch, &why("second copy"), "ana", false, &NoProgress)
        .unwrap();
    assert_eq!((done.unlinked, done.dry_run), (2, false));
    for (id, line) in [("r:1..9", 2), ("r:10..19", 3)] {
        assert_eq!(provenance_of(&env, id).0, ["a.csv"]);
        let log = env.store.audit_log(Some(id)).unwrap();
        assert_eq!(log.len(), 1, "{log:#?}");
        let record = &log[0];
        assert_eq!(record.action, "undo_import");
        assert_eq!(record.reason, "second copy");
        assert_eq!(record.os_user, "ana");
        assert_eq!(record.import_batch_id, Some(batch));
        assert!(!record.removed);
        let fields: Vec<&str> = record.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["sources"], "{record:#?}");
        assert_eq!(
            record.changes[0].before,
            Some(format!("a.csv (line {line}); b.csv (line {line})"))
        );
        assert_eq!(
            record.changes[0].after,
            Some(format!("a.csv (line {line})"))
        );
    }
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());

    // A restatement: the EAC it changes is restored, the one it found
    // unchanged unlinked, both recorded.
    let r = import_doc(
        &mut env,
        "c.csv",
        b"restated",
        vec![stated(1, 9, "retired"), stated(10, 19, "issued")],
    );
    assert_eq!((r.replaced, r.registry.as_ref().unwrap().unchanged), (1, 1));
    let batch = env.store.import_batches().unwrap()[0].id;
    let done = env
        .store
        .undo_import(batch, &why("draft"), "ana", false, &NoProgress)
        .unwrap();
    assert_eq!((done.restored, done.unlinked), (1, 1), "{done:#?}");
    let log = env.store.audit_log(Some("r:10..19")).unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[0].reason, "draft");
    assert_eq!(provenance_of(&env, "r:10..19").0, ["a.csv"]);
}

/// Tester 41, finding 4: undoing the import of a report took out the EACs
/// it added although a later import of the same report (saved again,
/// other bytes) still stated them: the dry run said nothing, and the later
/// import was then listed as having changed nothing. The undo (dry run
/// too) is refused as `conflict` naming the EACs and the later imports to
/// undo first, the list of imports says the same, and nothing changes;
/// undone newest first, both go through.
#[test]
fn undoing_an_import_whose_eacs_a_later_document_still_states_is_refused_naming_it() {
    let mut env = Env::new();
    let both = || vec![stated(1, 9, "issued"), stated(10, 19, "issued")];
    import_doc(&mut env, "a.csv", b"report", both());
    let r = import_doc(&mut env, "b.csv", b"report, saved again", both());
    assert_eq!(r.registry.as_ref().unwrap().unchanged, 2);
    let batches = env.store.import_batches().unwrap();
    let batch = |name: &str| batches.iter().find(|b| b.file_name == name).unwrap().id;
    let (a, b) = (batch("a.csv"), batch("b.csv"));
    let said = "Import 1 (a.csv) cannot be undone: 2 EACs it added are also stated by a later \
                import's document, import 2 (b.csv): `r:1..9`, `r:10..19`. Undoing it would \
                take them out while that document still states them: undo import 2 first, \
                then this one, and import b.csv again if those EACs should stay. Nothing was \
                changed.";
    for dry_run in [true, false] {
        let e = env
            .store
            .undo_import(a, &why("wrong file"), "ana", dry_run, &NoProgress)
            .unwrap_err();
        match &e {
            StoreError::Conflict { message, ids } => {
                assert_eq!(message, said);
                assert_eq!(ids, &["r:1..9", "r:10..19"]);
            }
            other => panic!("dry run {dry_run}: {other:#?}"),
        }
    }
    // The list of imports says what the undo says, and the later import
    // can be undone.
    let listed = env.store.import_batches().unwrap();
    let of = |id: i64| listed.iter().find(|b| b.id == id).unwrap();
    let refusal = of(a).undo_refusal.as_ref().expect("refused");
    assert_eq!(refusal.code, eac_store::ErrorCode::Conflict);
    assert_eq!(
        format!(
            "Import 1 (a.csv) cannot be undone: {} Nothing was changed.",
            refusal.reason
        ),
        said
    );
    assert_eq!(refusal.cds_eac_ids, ["r:1..9", "r:10..19"]);
    assert!(!of(a).undoable && of(b).undoable);
    // Nothing changed: both EACs, both documents, no record.
    assert_eq!(provenance_of(&env, "r:1..9").0, ["a.csv", "b.csv"]);
    assert!(env.store.audit_log(None).unwrap().is_empty());

    // Newest first: b's document comes off, then a's EACs go.
    let done = env
        .store
        .undo_import(b, &why("second copy"), "ana", false, &NoProgress)
        .unwrap();
    assert_eq!(done.unlinked, 2);
    let done = env
        .store
        .undo_import(a, &why("wrong file"), "ana", false, &NoProgress)
        .unwrap();
    assert_eq!((done.removed, done.unlinked), (2, 0));
    assert!(env.store.eac("r:1..9").is_err());
}

/// Finding 4 of an import that replaced what it states: undoing it would
/// give the EAC back the version before, which the later documents do not
/// state; refused naming every later import, newest first to undo.
#[test]
fn undoing_a_restatement_later_documents_still_state_names_each_of_them() {
    let mut env = Env::new();
    import_doc(&mut env, "z.csv", b"issued", vec![stated(1, 9, "issued")]);
    let r = import_doc(&mut env, "a.csv", b"retired", vec![stated(1, 9, "retired")]);
    assert_eq!(r.replaced, 1);
    import_doc(
        &mut env,
        "b.csv",
        b"retired b",
        vec![stated(1, 9, "retired")],
    );
    import_doc(
        &mut env,
        "c.csv",
        b"retired c",
        vec![stated(1, 9, "retired")],
    );
    let e = env
        .store
        .undo_import(2, &why("wrong file"), "ana", true, &NoProgress)
        .unwrap_err();
    let said = e.to_string();
    assert!(
        said.contains(
            "1 EAC it replaced is also stated by later imports' documents, imports 3 (b.csv), \
             4 (c.csv): `r:1..9`. Undoing it would give them back their earlier version while \
             those documents still state them: undo imports 4, 3 first (newest first)"
        ),
        "{said}"
    );
    let listed = env.store.import_batches().unwrap();
    let a = listed.iter().find(|b| b.id == 2).unwrap();
    assert!(
        (a.undo_refusal.as_ref().unwrap().reason).starts_with("1 EAC it replaced is also stated"),
        "{a:#?}"
    );
    assert!(env.store.eac("r:1..9").unwrap().values[0].is_retired());
}

/// Decision 22 for registry documents: an EAC a document gives again
/// unchanged is marked checked against it (its `cds_synced` becomes the
/// import's time) only when the document states it as stored. One whose
/// correction by a person is kept (the registry states the field as it
/// did before), or that an older document states otherwise than the newer
/// one stored, keeps its `cds_synced`: it was not found in sync with the
/// document. A document stating it as stored marks it.
#[test]
fn an_eac_a_document_states_otherwise_than_stored_keeps_its_cds_synced() {
    let mut env = Env::new();
    let id = "r:1..9";
    let synced = |env: &Env| env.store.detail(id).unwrap().cds_synced.unwrap();
    import_doc(
        &mut env,
        "holdings-1.csv",
        b"holdings, January",
        vec![stated(1, 9, "issued")],
    );
    set_one(
        &mut env,
        id,
        SettableField::AssetCommissioned,
        "2019-06-15",
        "per the owner's letter",
    );
    let before = synced(&env);
    // A later download stating it as the registry did before: the
    // person's date is kept, so the document states it otherwise.
    let r = import_doc(
        &mut env,
        "holdings-2.csv",
        b"holdings, February",
        vec![stated(1, 9, "issued")],
    );
    assert_eq!(
        (r.added, r.replaced, r.registry.as_ref().unwrap().unchanged),
        (0, 0, 1),
        "{r:#?}"
    );
    let eac = env.store.eac(id).unwrap();
    assert_eq!(eac.asset_commissioned, Some(date("2019-06-15")));
    assert_eq!(
        synced(&env),
        before,
        "marked checked against a document stating it otherwise"
    );
    // A document stating it as stored (the registry took the date over).
    let mut as_stored = stated(1, 9, "issued");
    as_stored.asset_commissioned = Some(date("2019-06-15"));
    let r = import_doc(
        &mut env,
        "holdings-3.csv",
        b"holdings, March",
        vec![as_stored],
    );
    assert_eq!(r.registry.as_ref().unwrap().unchanged, 1, "{r:#?}");
    let checked = synced(&env);
    assert!(ts(&checked) > ts(&before), "{checked} after {before}");
    // The first download again, stating the date the registry gave before
    // the newer one: left as stored, and not checked against it.
    let r = import_doc(
        &mut env,
        "holdings-1.csv",
        b"holdings, January",
        vec![stated(1, 9, "issued")],
    );
    assert_eq!(r.registry.as_ref().unwrap().unchanged, 1, "{r:#?}");
    assert_eq!(
        env.store.eac(id).unwrap().asset_commissioned,
        Some(date("2019-06-15"))
    );
    assert_eq!(synced(&env), checked);
}
