//! An EnergyTag bundle the registry split, imported in the app (tester 38,
//! finding 1): the note of its replacement says where the app undoes the
//! import, never an `eacdesk` command, and a closed period's refusal says
//! why the file changes the frozen bundle and what to do.

use std::path::PathBuf;

use eac_app::{close_period, import_files_in_app, open_store, ImportOptions, NoProgress};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/energytag")
        .join(name)
}

#[test]
fn a_split_bundle_is_said_in_the_apps_words_replaced_or_refused_in_a_closed_period() {
    for closed in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(&dir.path().join("db.sqlite")).unwrap();
        let import = |store: &mut eac_app::Store, name: &str| {
            import_files_in_app(
                store,
                &[sample(name)],
                ImportOptions::default(),
                &NoProgress,
            )
            .files
            .remove(0)
        };
        import(&mut store, "split-before.json");
        if closed {
            close_period(&mut store, "2024-05-01", "2024-05-31", "filed").unwrap();
        }
        let file = import(&mut store, "split-after-cancelling.json");
        if closed {
            let said = file.message.as_deref().unwrap_or_default();
            assert!(
                said.contains("first reopen the period in Evidence ▾ → Closed periods…")
                    && said.ends_with(
                        "This document says `energytag:Ofgem-GC:7:1..10` was split in the \
                         registry into the bundles it lists (`energytag:Ofgem-GC:7:1..4`, \
                         `energytag:Ofgem-GC:7:5..10`), which hold exactly its certificates: \
                         importing it replaces `energytag:Ofgem-GC:7:1..10` by them. To keep \
                         the figures of the closed period as filed, leave it closed and do not \
                         import this document (`energytag:Ofgem-GC:7:1..10` holds the same \
                         certificates and energy as those bundles); to record the split, \
                         reopen the period, import the document and close the period again."
                    ),
                "{said}"
            );
            continue;
        }
        let notes = &file.registry.as_ref().unwrap().restatements;
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].message.ends_with(
                "the stored EAC is replaced by them (audited); undoing this import puts it \
                 back (Imports… → Undo in the toolbar)"
            ),
            "{}",
            notes[0].message
        );
        assert!(
            !notes[0].message.contains("eacdesk"),
            "{}",
            notes[0].message
        );
    }
}
