//! A change of the EACs a filter matches, not confirmed for more than a
//! number (the command line without `--yes`: one), decides on the EACs
//! its own write finds: a filter that matched one EAC when counted and
//! matches three once another desk has imported two more is refused with
//! the three, nothing written; confirmed for them, it goes ahead.

use super::*;
use eac_store::{Confirmed, DeleteTarget, FieldValue, SettableField};

fn solar(id: &str) -> Eac {
    let mut eac = eac(id);
    eac.technology_type = Some(TechnologyType::Solar);
    eac
}

fn solar_filter() -> EacFilter {
    EacFilter {
        technology: Some(TechnologyType::Solar),
        ..EacFilter::default()
    }
}

/// A database where the filter matches one EAC (`s-1`; `w-1` is wind),
/// counted as each change's dry run counts it; then another desk imports
/// two more solar EACs. Returns it with the count taken before.
fn counted_then_imported(count: impl FnOnce(&mut Store) -> usize) -> (Env, usize) {
    let mut env = Env::new();
    env.import_eacs(vec![eac("w-1"), solar("s-1")]);
    let counted = count(&mut env.store);
    env.reopen()
        .import_eacs(
            "later.json",
            &mut vec![solar("s-2"), solar("s-3")].into_iter(),
            &NoProgress,
        )
        .unwrap();
    (env, counted)
}

/// The refusal: the count found in the write, nothing written.
fn refused_with_three(env: &Env, before: &str, err: StoreError) {
    assert!(
        matches!(
            err,
            StoreError::Unconfirmed {
                found: 3,
                at_most: 1
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), eac_store::ErrorCode::InvalidInput);
    assert!(err.to_string().contains("3 EACs"), "{err}");
    assert_eq!(env.fingerprint(), before, "nothing was written");
}

#[test]
fn beneficiaries_of_a_filter_decide_on_the_eacs_the_write_finds() {
    let to = assign(BeneficiaryType::Account, &["ACC-9"]);
    let (mut env, counted) = counted_then_imported(|s| {
        (s.bulk_set_beneficiaries_dry_run(&solar_filter(), &to, &NoProgress))
            .unwrap()
            .matching
    });
    assert_eq!(counted, 1);
    let change = |s: &mut Store, confirmed| {
        let reason = why("new contract");
        s.bulk_set_beneficiaries_confirmed(
            &solar_filter(),
            &to,
            &reason,
            "bob",
            confirmed,
            &NoProgress,
        )
    };
    let before = env.fingerprint();
    let err = change(&mut env.store, Confirmed::AtMost(1)).unwrap_err();
    refused_with_three(&env, &before, err);
    assert_eq!(env.store.eac("s-1").unwrap().beneficiaries, ["CUST123"]);
    // Confirmed for the three: done.
    let done = change(&mut env.store, Confirmed::AtMost(3)).unwrap();
    assert_eq!((done.matching, done.changed), (3, 3));
}

#[test]
fn fields_of_a_filter_decide_on_the_eacs_the_write_finds() {
    let target = DeleteTarget::Filter(solar_filter());
    let values = [FieldValue {
        field: SettableField::DestinationName,
        value: "Other Utility".into(),
    }];
    let (mut env, counted) = counted_then_imported(|s| {
        let reason = why("dry run");
        (s.set_fields(&target, &values, &reason, "bob", true, &NoProgress))
            .unwrap()
            .matching
    });
    assert_eq!(counted, 1);
    let change = |s: &mut Store, confirmed| {
        let reason = why("renamed");
        s.set_fields_confirmed(
            &target,
            None,
            &values,
            &reason,
            "bob",
            confirmed,
            &NoProgress,
        )
    };
    let before = env.fingerprint();
    let err = change(&mut env.store, Confirmed::AtMost(1)).unwrap_err();
    refused_with_three(&env, &before, err);
    let done = change(&mut env.store, Confirmed::Yes).unwrap();
    assert_eq!((done.matching, done.changed), (3, 3));
}

#[test]
fn a_deletion_by_filter_decides_on_the_eacs_the_write_finds() {
    let target = DeleteTarget::Filter(solar_filter());
    let (mut env, counted) = counted_then_imported(|s| {
        (s.delete_eacs(&target, &why("dry run"), "bob", true, &NoProgress))
            .unwrap()
            .deleted
    });
    assert_eq!(counted, 1);
    let change = |s: &mut Store, confirmed| {
        s.delete_eacs_confirmed(&target, &why("withdrawn"), "bob", confirmed, &NoProgress)
    };
    let before = env.fingerprint();
    let err = change(&mut env.store, Confirmed::AtMost(1)).unwrap_err();
    refused_with_three(&env, &before, err);
    assert_eq!(env.ids(EacFilter::default()), ["s-1", "s-2", "s-3", "w-1"]);
    let done = change(&mut env.store, Confirmed::Yes).unwrap();
    assert_eq!(done.deleted, 3);
    assert_eq!(env.ids(EacFilter::default()), ["w-1"]);
}

#[test]
fn verifying_a_filter_decides_on_the_eacs_the_write_finds() {
    let (mut env, counted) = counted_then_imported(|s| {
        (s.mark_verified(&solar_filter(), None, "bob", true, &NoProgress))
            .unwrap()
            .verified
    });
    assert_eq!(counted, 1);
    let change = |s: &mut Store, confirmed| {
        s.mark_verified_confirmed(&solar_filter(), None, "bob", confirmed, &NoProgress)
    };
    let before = env.fingerprint();
    let err = change(&mut env.store, Confirmed::AtMost(1)).unwrap_err();
    refused_with_three(&env, &before, err);
    let done = change(&mut env.store, Confirmed::AtMost(3)).unwrap();
    assert_eq!(done.verified, 3);
}

/// Within the number it may take unconfirmed, a change goes ahead as
/// before: the one EAC counted is the one changed.
#[test]
fn within_its_number_an_unconfirmed_change_goes_ahead() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("w-1"), solar("s-1")]);
    let to = assign(BeneficiaryType::Account, &["ACC-9"]);
    let done = env
        .store
        .bulk_set_beneficiaries_confirmed(
            &solar_filter(),
            &to,
            &why("new contract"),
            "bob",
            Confirmed::AtMost(1),
            &NoProgress,
        )
        .unwrap();
    assert_eq!((done.matching, done.changed), (1, 1));
    assert_eq!(env.store.eac("s-1").unwrap().beneficiaries, ["ACC-9"]);
}

/// An undo decides on the EACs its own write would take out, not on a dry
/// run's count taken before: not confirmed for more than one, an import of
/// three is refused with the three, nothing changed. Confirmed for the
/// three its plan counted, it goes ahead when another desk deleted one of
/// them meanwhile (two are taken out, the third was gone).
#[test]
fn an_undo_decides_on_the_eacs_the_write_finds() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("w-1")]);
    env.store
        .import_eacs(
            "later.json",
            &mut vec![solar("s-1"), solar("s-2"), solar("s-3")].into_iter(),
            &NoProgress,
        )
        .unwrap();
    let batch = env.store.import_batches().unwrap()[0].id;
    let plan = env
        .store
        .undo_import(batch, &why("dry run"), "bob", true, &NoProgress)
        .unwrap();
    assert_eq!(plan.removed, 3);
    let undo = |s: &mut Store, confirmed| {
        s.undo_import_confirmed(batch, &why("wrong file"), "bob", confirmed, &NoProgress)
    };
    let before = env.fingerprint();
    let err = undo(&mut env.store, Confirmed::AtMost(1)).unwrap_err();
    refused_with_three(&env, &before, err);
    assert_eq!(env.ids(solar_filter()), ["s-1", "s-2", "s-3"]);
    env.reopen()
        .delete_eacs(
            &DeleteTarget::Ids(vec!["s-3".into()]),
            &why("withdrawn"),
            "ann",
            false,
            &NoProgress,
        )
        .unwrap();
    let done = undo(&mut env.store, Confirmed::AtMost(plan.removed)).unwrap();
    assert_eq!((done.removed, done.already_removed), (2, 1));
    assert_eq!(env.ids(EacFilter::default()), ["w-1"]);
}
