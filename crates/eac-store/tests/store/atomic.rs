//! Two P2 exports to one place at the same moment (tester 35, findings 6
//! and 7): the second export is made inside the first one's own check of
//! its finished, still hidden bundle, so that it finishes in between the
//! first's look at the destination and the first's swap, every time.

use super::*;

/// EACs `a-0`…`a-2`, `b-0`…`b-2`: a bundle of each letter has detail files
/// of its own names.
fn two_sets(env: &mut Env) {
    let eacs = ["a", "b"]
        .iter()
        .flat_map(|set| (0..3).map(move |i| eac(&format!("{set}-{i}"))))
        .collect();
    env.import_eacs(eacs);
}

fn only(set: &str) -> EacFilter {
    EacFilter {
        ids: Some((0..3).map(|i| format!("{set}-{i}")).collect()),
        ..EacFilter::default()
    }
}

/// The hidden folders and files EAC Desk's outputs make, left in `dir`.
fn hidden(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".eacdesk-"))
        .collect();
    names.sort();
    names
}

/// The detail files of the bundle at `dir`.
fn details(dir: &Path) -> Vec<String> {
    names(&dir.join("eacs"))
}

/// Replacing one bundle twice at once: the export that swaps last removes
/// the bundle it swapped out, the other export's, by that bundle's own
/// list of files, not by the list of the bundle both found there first
/// (whose detail files have other names). Nothing hidden is left.
#[test]
fn two_exports_replacing_one_bundle_at_once_leave_no_hidden_folder() {
    let mut env = Env::new();
    two_sets(&mut env);
    let dest = env.file("bundle");
    env.store
        .export_p2(Some(&only("a")), &dest, None, &NoProgress)
        .unwrap();
    let parent = env.dir.path().to_owned();
    let ran = std::cell::Cell::new(false);
    let between = |_: &Path| {
        // Another export replaces the bundle while this one is checked.
        env.store
            .export_p2(Some(&only("b")), &dest, None, &NoProgress)
            .unwrap();
        ran.set(true);
        Vec::new()
    };
    let report = env
        .store
        .export_p2_checked(None, &dest, None, &NoProgress, &between)
        .unwrap();
    assert!(ran.get());
    assert_eq!(report.eac_count, 6);
    assert_eq!(details(&dest).len(), 6);
    assert_eq!(hidden(&parent), Vec::<String>::new());
}

/// A new folder made by another export while this one was written: this
/// one says so in plain words (not "Directory not empty (os error 39)"),
/// keeps nothing of its own, and leaves the other's bundle whole.
#[test]
fn an_export_beaten_to_a_new_folder_says_so_and_leaves_the_others_bundle() {
    let mut env = Env::new();
    two_sets(&mut env);
    let dest = env.file("bundle");
    let between = |_: &Path| {
        env.store
            .export_p2(Some(&only("b")), &dest, None, &NoProgress)
            .unwrap();
        Vec::new()
    };
    let e = env
        .store
        .export_p2_checked(None, &dest, None, &NoProgress, &between)
        .unwrap_err();
    let StoreError::Io { path, source } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(path, &dest);
    let said = source.to_string();
    assert!(
        said.contains(&format!(
            "another export or pack (or another program) made {} while this one was being written",
            dest.display()
        )),
        "{said}"
    );
    assert!(said.contains("nothing of this one was kept"), "{said}");
    assert!(said.contains("Run this one again"), "{said}");
    assert!(!said.contains("os error"), "{said}");
    assert_eq!(
        details(&dest),
        ["b-0", "b-1", "b-2"]
            .iter()
            .map(|id| eac_store::p2::detail_file_name(id))
            .collect::<Vec<_>>()
    );
    assert_eq!(hidden(env.dir.path()), Vec::<String>::new());
}
