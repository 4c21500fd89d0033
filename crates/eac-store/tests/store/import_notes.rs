//! The notes an import keeps for its undo (`import_changes`) are written
//! many to a statement; they are the same as one per EAC: every EAC added
//! by the batch, and an undo removes exactly those.

use super::*;

/// `(cds_eac_id, change, kind)` noted for an undo of batch `batch`.
fn notes(env: &Env, batch: i64) -> Vec<(String, String, String)> {
    env.raw_rows(&format!(
        "SELECT cds_eac_id, change, kind FROM import_changes WHERE batch_id = {batch}
          ORDER BY cds_eac_id"
    ))
    .into_iter()
    .map(|r| {
        let mut r = r.into_iter().map(Option::unwrap);
        (r.next().unwrap(), r.next().unwrap(), r.next().unwrap())
    })
    .collect()
}

fn noted(eacs: &[Eac], change: &str) -> Vec<(String, String, String)> {
    let mut ids: Vec<_> = eacs
        .iter()
        .map(|e| (e.cds_eac_id.clone(), change.to_owned(), "eac".to_owned()))
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_eac_an_import_adds_or_replaces_is_noted_for_its_undo() {
    // 300 EACs: more than one statement's worth of notes.
    let (a, b) = (varied_eacs("na", 300), varied_eacs("nb", 40));
    let mut env = Env::new();
    let fa = env.listing("a.json", &a);
    env.import(&fa).unwrap(); // a fresh load
                              // Into a populated database: 40 new EACs and 5 newer versions.
    let mut newer: Vec<Eac> = a[..5].to_vec();
    for e in &mut newer {
        e.cds_modified = ts("2025-01-01T00:00:00Z");
    }
    let mut second = b.clone();
    second.extend(newer.iter().cloned());
    let fb = env.listing("b.json", &second);
    env.import(&fb).unwrap();
    assert_eq!(notes(&env, 1), noted(&a, "added"));
    let mut expected = noted(&b, "added");
    expected.extend(noted(&newer, "replaced"));
    expected.sort();
    assert_eq!(notes(&env, 2), expected);

    // Undoing the second import removes its 40 and restores the 5.
    env.store
        .undo_import(
            2,
            &Reason::new("wrong file").unwrap(),
            "tester",
            false,
            &NoProgress,
        )
        .unwrap();
    let left = env.ids(EacFilter::default());
    assert_eq!(left.len(), 300);
    assert!(left.iter().all(|id| id.starts_with("na-")));
    assert_eq!(
        env.store.eac("na-000").unwrap().cds_modified,
        a[0].cds_modified
    );
    // Undoing the fresh load removes everything it added.
    env.store
        .undo_import(
            1,
            &Reason::new("wrong file").unwrap(),
            "tester",
            false,
            &NoProgress,
        )
        .unwrap();
    assert!(env.ids(EacFilter::default()).is_empty());
}
