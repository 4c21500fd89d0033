//! Embeds `migrations/*.sql` (workspace root) at compile time: lists the
//! folder, checks the numbering and generates the `include_str!` list, so a
//! new migration file cannot be forgotten.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest.join("../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut files: Vec<(u32, String, PathBuf)> = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a readable migrations folder").path();
        let name = file_name(&path);
        if !name.ends_with(".sql") {
            continue;
        }
        let number = name
            .split_once('_')
            .filter(|(n, _)| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
            .map(|(n, _)| n.parse::<u32>().expect("four digits"))
            .unwrap_or_else(|| panic!("migration `{name}` must be named NNNN_description.sql"));
        let absolute = fs::canonicalize(&path).expect("an existing migration file");
        files.push((number, name, absolute));
    }
    files.sort();
    for (i, (number, name, _)) in files.iter().enumerate() {
        let expected = u32::try_from(i + 1).expect("few migrations");
        assert_eq!(
            *number, expected,
            "migration `{name}`: numbers must run 0001, 0002, … without gaps or repeats"
        );
    }

    let mut out = String::from(
        "/// Every file of `migrations/`, in order: (file name, SQL).\n\
         pub(crate) const MIGRATION_FILES: &[(&str, &str)] = &[\n",
    );
    for (_, name, path) in &files {
        let path = path.to_str().expect("a UTF-8 path");
        writeln!(out, "    ({name:?}, include_str!({path:?})),").expect("write to a String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("migrations.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{}: not a UTF-8 file name", path.display()))
        .to_owned()
}
