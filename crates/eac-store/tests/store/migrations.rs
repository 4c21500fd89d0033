//! A shipped migration is never edited, only followed by a new one
//! (ARCHITECTURE.md, "How to add a migration"): `migrations/SHA256SUMS`
//! holds the SHA-256 of every file of `migrations/` as it shipped, in
//! `sha256sum` format, and this test fails when a file and its line differ.

use super::*;

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

#[test]
fn shipped_migrations_are_never_edited() {
    let dir = migrations_dir();
    let manifest = fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut listed = std::collections::BTreeMap::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("migrations/SHA256SUMS: `{line}` is not `<sha256>  <file>`"));
        assert!(
            listed.insert(name.to_owned(), hash.to_owned()).is_none(),
            "migrations/SHA256SUMS lists {name} twice"
        );
    }

    let mut problems = Vec::new();
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".sql") {
            files.push(name);
        }
    }
    files.sort();
    for name in &files {
        let actual = sha256_of(&dir.join(name));
        match listed.remove(name) {
            None => problems.push(format!(
                "{name} is new: add its line to migrations/SHA256SUMS \
                 (`cd migrations && sha256sum {name} >> SHA256SUMS`)"
            )),
            Some(expected) if expected != actual => problems.push(format!(
                "{name} changed after it shipped (SHA-256 {actual}, shipped as {expected}): \
                 restore it and put the change in a new migration"
            )),
            Some(_) => {}
        }
    }
    for name in listed.keys() {
        problems.push(format!(
            "{name} is listed in migrations/SHA256SUMS but missing: a shipped migration is never removed"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
