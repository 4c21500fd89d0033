//! Embeds `migrations/*.sql` and `migrations/postgres/*.sql` (workspace
//! root) at compile time: lists each folder, checks the numbering and generates the `include_str!` list, so a
//! new migration file cannot be forgotten.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest.join("../../migrations");
    let mut out = String::new();
    embed(
        &mut out,
        &dir,
        1,
        "/// Every file of `migrations/`, in order: (file name, SQL).",
        "MIGRATION_FILES",
    );
    // PostgreSQL's steps start at 0014: the whole schema at SQLite's 14.
    embed(
        &mut out,
        &dir.join("postgres"),
        14,
        "/// Every file of `migrations/postgres/`, in order: (file name, SQL).",
        "POSTGRES_MIGRATION_FILES",
    );
    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("migrations.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// Appends `const NAME: &[(&str, &str)]` listing the `.sql` files of `dir`
/// numbered from `first` on without gaps.
fn embed(out: &mut String, dir: &Path, first: u32, doc: &str, name: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(u32, String, PathBuf)> = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a readable migrations folder").path();
        let file = file_name(&path);
        if !file.ends_with(".sql") {
            continue;
        }
        let number = file
            .split_once('_')
            .filter(|(n, _)| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
            .map(|(n, _)| n.parse::<u32>().expect("four digits"))
            .unwrap_or_else(|| panic!("migration `{file}` must be named NNNN_description.sql"));
        let absolute = fs::canonicalize(&path).expect("an existing migration file");
        files.push((number, file, absolute));
    }
    files.sort();
    for (i, (number, file, _)) in files.iter().enumerate() {
        let expected = first + u32::try_from(i).expect("few migrations");
        assert_eq!(
            *number, expected,
            "migration `{file}`: numbers must run on from {first:04} without gaps or repeats"
        );
    }
    writeln!(out, "{doc}\npub(crate) const {name}: &[(&str, &str)] = &[")
        .expect("write to a String");
    for (_, file, path) in &files {
        let path = path.to_str().expect("a UTF-8 path");
        writeln!(out, "    ({file:?}, include_str!({path:?})),").expect("write to a String");
    }
    out.push_str("];\n");
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{}: not a UTF-8 file name", path.display()))
        .to_owned()
}
