//! Where an output may go: a single file is written only over a regular
//! file (never through or over a symbolic link, a named pipe, a device or
//! a folder), nothing is ever written inside an evidence pack, and the
//! hidden files of a stopped command are removed by the next one. Each
//! refusal names the destination as given and writes nothing.

use super::*;

const MRETS_ID: &str = "mrets:2194-ND-07-2020-CAC76615-56217..2194-ND-07-2020-CAC76615-58010";

fn mrets_sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/mrets/retirement-confirmation-sample.pdf")
        .display()
        .to_string()
}

/// A desk of sample EACs and one registry document (for `--save-source`).
fn desk_with_a_source() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "20"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", &mrets_sample()])
        .assert()
        .success();
    desk
}

/// Every command that writes one file, with the option naming it last.
const SINGLE_FILE_OUTPUTS: [&[&str]; 4] = [
    &["export", "--profile", "p1", "--out"],
    &["ls", "--xlsx"],
    &["sample", "--eacs", "5", "--out"],
    &["show", MRETS_ID, "--save-source", "1", "--out"],
];

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[test]
fn a_single_file_output_never_replaces_a_link_a_pipe_or_a_folder() {
    use std::os::unix::fs::FileTypeExt;
    let desk = desk_with_a_source();
    std::fs::write(desk.path("precious.txt"), "mine").unwrap();
    std::os::unix::fs::symlink("precious.txt", desk.path("link.json")).unwrap();
    std::os::unix::fs::symlink("gone.txt", desk.path("dangling.json")).unwrap();
    mkfifo(&desk.path("ff"));
    std::fs::create_dir(desk.path("sub")).unwrap();
    let before = entries_but_db(desk.dir.path());
    for args in SINGLE_FILE_OUTPUTS {
        for (out, what) in [
            ("link.json", "is a symbolic link, not a file"),
            ("dangling.json", "is a symbolic link, not a file"),
            ("ff", "is a named pipe (FIFO), not a file"),
            ("sub", "is a folder, not a file"),
            // Not "Device or resource busy (os error 16)": `.` below.
            ("sub/.", "is a folder, not a file"),
        ] {
            desk.eacdesk()
                .args(args)
                .arg(out)
                .timeout(std::time::Duration::from_secs(60))
                .assert()
                .code(2)
                .stderr(contains(format!("{out} {what}")))
                .stderr(contains("nothing was written"))
                .stderr(contains(".eacdesk-").not());
        }
        // The current folder, which does not hold the database.
        desk.eacdesk()
            .current_dir(desk.path("sub"))
            .args(args)
            .arg(".")
            .assert()
            .code(2)
            .stderr(contains(". is a folder, not a file; nothing was written"));
        assert_eq!(entries_but_db(desk.dir.path()), before, "{args:?}");
        assert!(is_link(&desk.path("link.json")), "{args:?}");
        assert!(is_link(&desk.path("dangling.json")), "{args:?}");
        assert!(std::fs::symlink_metadata(desk.path("ff"))
            .unwrap()
            .file_type()
            .is_fifo());
        assert_eq!(
            std::fs::read_to_string(desk.path("precious.txt")).unwrap(),
            "mine"
        );
        assert!(entries(&desk.path("sub")).is_empty());
    }
    // A device node: /dev/null stands for any (making one needs root).
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "/dev/null"])
        .assert()
        .code(2)
        .stderr(contains("/dev/null is a device, not a file"));
    // A regular file is still replaced, as before.
    std::fs::write(desk.path("old.json"), "old").unwrap();
    // (Not `export`: the registry document's EAC is incomplete.)
    for args in &SINGLE_FILE_OUTPUTS[1..] {
        std::fs::write(desk.path("old.json"), "old").unwrap();
        desk.eacdesk()
            .args(*args)
            .arg("old.json")
            .assert()
            .success();
        assert!(std::fs::read(desk.path("old.json")).unwrap() != b"old");
    }
}

/// Every file and folder under `dir` with its content's SHA-256.
pub(super) fn tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for name in entries(dir) {
            let path = dir.join(&name);
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                out.push((format!("{relative}/"), String::new()));
                walk(root, &path, out);
            } else {
                out.push((relative, sha256_of(&path)));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn nothing_is_ever_written_inside_an_evidence_pack() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "10"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "pk"])
        .assert()
        .success();
    let before = tree(&desk.path("pk"));
    let outputs: [&[&str]; 9] = [
        &["pack", "--out", "pk/sub"],
        &["pack", "--out", "pk/p2"],
        &["export", "--profile", "p2", "--out", "pk/p2"],
        &["export", "--profile", "p2", "--out", "pk/new"],
        &["export", "--profile", "p1", "--out", "pk/eacs.json"],
        &["export", "--profile", "p1", "--out", "pk/p2/eacs/new.json"],
        &["sample", "--eacs", "3", "--out", "pk/sample.json"],
        &["ls", "--xlsx", "pk/eacs.xlsx"],
        &["copy", "--to", "pk/copy.sqlite"],
    ];
    for args in outputs {
        let out = args.last().unwrap();
        desk.eacdesk()
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(format!("{out} is inside the evidence pack")))
            .stderr(contains("would break that signed pack"))
            .stderr(contains("Choose another folder"));
        assert_eq!(tree(&desk.path("pk")), before, "{args:?}");
    }
    // A new database inside it.
    desk.bare()
        .args(["--db", "pk/new.sqlite", "sample", "--eacs", "3"])
        .assert()
        .code(2)
        .stderr(contains("would break that signed pack"));
    assert_eq!(tree(&desk.path("pk")), before);
    desk.bare()
        .args(["pack", "verify", "pk"])
        .assert()
        .success();
    // The pack itself may still be replaced by a new pack.
    desk.eacdesk()
        .args(["pack", "--out", "pk"])
        .assert()
        .success();
}

/// Every file of the pack at `dir` outside its P2 bundle has a name the
/// store knows for a pack's (what it removes of a killed pack by).
pub(super) fn assert_pack_files_known(dir: &Path) {
    for (relative, _) in tree(dir) {
        if relative.ends_with('/') || relative.starts_with("p2/") {
            continue;
        }
        assert!(
            eac_store::atomic::is_pack_file(&relative),
            "{relative} of a pack is not known to the store"
        );
    }
}

#[test]
fn a_pack_killed_while_it_builds_leaves_nothing_the_next_one_does_not_remove() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "30"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("kp")).unwrap();
    // Stopped while its P1 listing was written, and while its P2 bundle
    // was built: each inside the pack's own hidden folder.
    for point in ["file-before-rename", "bundle-before-swap"] {
        let out = desk
            .eacdesk()
            .env("EACDESK_CRASH_AT", point)
            .args(["pack", "--out", "kp/p"])
            .output()
            .unwrap();
        assert!(out.status.code().is_none(), "{point}: not stopped");
        // One hidden folder (the next pack removed the one before), and
        // in it the listing's temporary file or the bundle's folder.
        let left = entries(&desk.path("kp"));
        assert_eq!(left.len(), 1, "{point}: {left:?}");
        let nested = entries(&desk.path("kp").join(&left[0]));
        let inner = if point == "file-before-rename" {
            ".eacdesk-export-"
        } else {
            ".eacdesk-bundle-"
        };
        assert!(
            nested.iter().any(|n| n.starts_with(inner)),
            "{point}: {nested:?}"
        );
    }
    desk.eacdesk()
        .args(["pack", "--out", "kp/p"])
        .assert()
        .success();
    assert_eq!(entries(&desk.path("kp")), ["p"]);
    assert_pack_files_known(&desk.path("kp/p"));
    // And an export into the folder cleans it too.
    let out = desk
        .eacdesk()
        .env("EACDESK_CRASH_AT", "bundle-before-swap")
        .args(["pack", "--out", "kp/q"])
        .output()
        .unwrap();
    assert!(out.status.code().is_none());
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "kp/eacs.json"])
        .assert()
        .success();
    assert_eq!(entries(&desk.path("kp")), ["eacs.json", "p"]);
}

/// `eacdesk --db DB ARGS` under a file size limit of `kib` KiB.
fn under_file_size_limit(desk: &Desk, kib: u32, args: &str) -> std::process::Output {
    std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -f {kib}; exec {} --db {} {args}",
            env!("CARGO_BIN_EXE_eacdesk"),
            desk.path("desk.sqlite").display()
        ))
        .current_dir(desk.dir.path())
        .env_remove("EACDESK_DB")
        .env("EACDESK_CONFIG_DIR", desk.path("config"))
        .output()
        .unwrap()
}

#[test]
fn a_file_copy_names_its_destination_and_leaves_no_hidden_file() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "300"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("cp")).unwrap();
    // The file size limit (a full disk says "the disk is full" the same
    // way): the destination as given, in plain words, and nothing left.
    let out = under_file_size_limit(&desk, 200, "copy --to cp/big.sqlite");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Could not write cp/big.sqlite: the file is too large"),
        "{stderr}"
    );
    assert!(!stderr.contains("restore it from a backup"), "{stderr}");
    assert!(!stderr.contains(".eacdesk-"), "{stderr}");
    assert!(entries(&desk.path("cp")).is_empty());
    // Killed before the copy is renamed into place: the next copy into
    // that folder removes what it left.
    let out = desk
        .eacdesk()
        .env("EACDESK_CRASH_AT", "copy-before-rename")
        .args(["copy", "--to", "cp/a.sqlite"])
        .output()
        .unwrap();
    assert!(out.status.code().is_none(), "not stopped");
    let left = entries(&desk.path("cp"));
    assert!(
        left.iter().all(|n| n.starts_with(".eacdesk-copy-")) && !left.is_empty(),
        "{left:?}"
    );
    desk.eacdesk()
        .args(["copy", "--to", "cp/b.sqlite"])
        .assert()
        .success();
    assert_eq!(entries(&desk.path("cp")), ["b.sqlite"]);
    // Refused before anything is copied, each in words that agree.
    std::os::unix::fs::symlink("nowhere.sqlite", desk.path("cp/link.sqlite")).unwrap();
    desk.eacdesk()
        .args(["copy", "--to", "cp/link.sqlite"])
        .assert()
        .code(2)
        .stderr(contains("cp/link.sqlite: it is a symbolic link"))
        .stderr(contains("copied ").not());
    desk.eacdesk()
        .args(["copy", "--to", "cp/b.sqlite"])
        .assert()
        .code(2)
        .stderr(contains("cp/b.sqlite: it exists and was left alone"))
        .stderr(contains("Check that the path exists").not());
    std::fs::write(desk.path("notes.txt"), "x".repeat(4096)).unwrap();
    desk.bare()
        .args(["copy", "--from", "notes.txt", "--to", "cp/c.sqlite"])
        .assert()
        .code(2)
        .stderr(contains("notes.txt is not a database"));
    assert_eq!(entries(&desk.path("cp")), ["b.sqlite", "link.sqlite"]);
}

#[test]
fn a_workbook_whose_temporary_file_cannot_be_written_is_an_error_not_a_panic() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "600"])
        .assert()
        .success();
    std::fs::write(desk.path("t.xlsx"), "earlier").unwrap();
    // The library's temporary file outgrows the limit long before the
    // workbook is whole (a full temporary folder fails the same write).
    let out = under_file_size_limit(&desk, 100, "ls --xlsx t.xlsx");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("Could not build the workbook for t.xlsx in the temporary folder"),
        "{stderr}"
    );
    assert!(stderr.contains("file size limit"), "{stderr}");
    assert!(stderr.contains("t.xlsx was not changed"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(desk.path("t.xlsx")).unwrap(),
        "earlier"
    );
    let hidden: Vec<String> = entries_but_db(desk.dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".eacdesk-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn no_output_replaces_another_database() {
    let desk = desk_with_a_source();
    // Another EAC Desk database, and a SQLite log, beside the open one.
    let other = Desk::new();
    other
        .eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    let theirs = std::fs::read(other.path("desk.sqlite")).unwrap();
    std::fs::write(desk.path("other.db"), &theirs).unwrap();
    std::fs::write(
        desk.path("other.db-wal"),
        [0x37, 0x7f, 0x06, 0x82, 0, 0x2d, 0xe2, 0x18],
    )
    .unwrap();
    // A rollback journal: a hot one holds what a write cut short must
    // roll back, and replaced, its database is damaged.
    std::fs::write(
        desk.path("other.db-journal"),
        [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0, 0, 1],
    )
    .unwrap();
    let before = tree(desk.dir.path());
    let outputs = SINGLE_FILE_OUTPUTS
        .iter()
        .map(|args| args.to_vec())
        .chain([vec!["sample", "--eacs", "5", "--values-csv"]]);
    for args in outputs {
        for name in ["other.db", "other.db-wal", "other.db-journal"] {
            desk.eacdesk()
                .args(&args)
                .arg(name)
                .assert()
                .code(2)
                .stderr(contains(format!("{name} is a SQLite database")))
                .stderr(contains("Nothing was written and it is untouched"));
        }
        assert_eq!(tree(desk.dir.path()), before, "{args:?}");
    }
    // A sample into a new database file refuses the same, and leaves no file.
    desk.bare()
        .args([
            "--db",
            "new.sqlite",
            "sample",
            "--eacs",
            "3",
            "--out",
            "other.db",
        ])
        .assert()
        .code(2)
        .stderr(contains("other.db is a SQLite database"));
    assert_eq!(tree(desk.dir.path()), before);
    // Any other existing file is replaced, as a shell's `>` would.
    std::fs::write(desk.path("notes.txt"), "old").unwrap();
    desk.eacdesk()
        .args(["ls", "--xlsx", "notes.txt"])
        .assert()
        .success();
}

/// An export's audit record names the file by its absolute path, for P1
/// as for P2: a path relative to a working folder nobody remembers tells
/// an auditor nothing about where the filed listing went.
#[test]
fn an_export_is_recorded_under_its_absolute_path() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("filed")).unwrap();
    for (profile, out) in [("p1", "filed/listing.json"), ("p2", "filed/bundle")] {
        let report = desk.json(&["export", "--profile", profile, "--out", out]);
        let absolute = desk.dir.path().canonicalize().unwrap().join(out);
        assert_eq!(report["path"], absolute.display().to_string(), "{profile}");
        let records = desk.json(&["audit"]);
        let last = records.as_array().unwrap()[0].clone(); // newest first
        assert_eq!(last["action"], "export");
        let path = last["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == "path")
            .unwrap()["after"]
            .clone();
        assert_eq!(path, absolute.display().to_string(), "{profile}");
        assert_eq!(
            last["source_file"],
            absolute.display().to_string(),
            "{profile}"
        );
    }
}

/// A file someone made read-only (the copy sent to a regulator) is never
/// replaced by any output, refused as `cp` refuses it, by its permission
/// bits (the tests run as root, whom the system lets write it): named,
/// with what to do, and nothing written, its mode kept.
#[test]
fn a_read_only_file_is_never_replaced_by_an_output() {
    use std::os::unix::fs::PermissionsExt;
    let desk = desk_with_a_source();
    let signed = desk.path("signed.json");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    std::fs::write(&signed, "signed copy").unwrap();
    std::fs::set_permissions(&signed, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = entries_but_db(desk.dir.path());
    let values_csv: &[&str] = &["sample", "--eacs", "2", "--values-csv"];
    // The listing and the values together: neither is written.
    let both: &[&str] = &["sample", "--eacs", "2", "--out", "new.json", "--values-csv"];
    for args in SINGLE_FILE_OUTPUTS.iter().chain([&values_csv, &both]) {
        desk.eacdesk()
            .args(*args)
            .arg("signed.json")
            .assert()
            .code(2)
            .stderr(contains("signed.json is read-only (write-protected)"))
            .stderr(contains("nothing was written and it is untouched"))
            .stderr(contains(
                "Make it writable (`chmod u+w signed.json`) if it is to be replaced, or choose another file name.",
            ));
        assert_eq!(
            std::fs::read_to_string(&signed).unwrap(),
            "signed copy",
            "{args:?}"
        );
        assert_eq!(mode(&signed), 0o444, "{args:?}");
        assert_eq!(entries_but_db(desk.dir.path()), before, "{args:?}");
    }
    // Made writable, it is replaced (and keeps its mode).
    std::fs::set_permissions(&signed, std::fs::Permissions::from_mode(0o644)).unwrap();
    desk.eacdesk()
        .args(["ls", "--xlsx", "signed.json"])
        .assert()
        .success();
    assert_eq!(mode(&signed), 0o644);
}

/// Nothing is written inside a P2 bundle EAC Desk exported, by any output,
/// in the words of the same mistake inside an evidence pack: a file
/// replaced there broke the bundle (`validate` refused it), one added
/// kept the next export from replacing it.
#[test]
fn nothing_is_ever_written_inside_a_p2_bundle() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "10"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b2"])
        .assert()
        .success();
    let detail = format!("b2/eacs/{}", entries(&desk.path("b2/eacs"))[0]);
    let before = tree(&desk.path("b2"));
    let outputs: Vec<Vec<&str>> = vec![
        vec![
            "export",
            "--profile",
            "p1",
            "--out",
            "b2/server-metadata.json",
        ],
        vec!["export", "--profile", "p1", "--out", "b2/eacs.json"],
        vec!["export", "--profile", "p1", "--out", &detail],
        vec!["export", "--profile", "p1", "--out", "b2/notes.json"],
        vec!["export", "--profile", "p2", "--out", "b2/eacs/sub"],
        vec!["sample", "--eacs", "3", "--out", "b2/sample.json"],
        vec!["ls", "--xlsx", "b2/eacs.xlsx"],
        vec!["pack", "--out", "b2/pk"],
        vec!["copy", "--to", "b2/copy.sqlite"],
    ];
    for args in outputs {
        let out = args.last().unwrap();
        desk.eacdesk()
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains(format!("{out} is inside the P2 bundle")))
            .stderr(contains("writing there would break that bundle"))
            .stderr(contains("Nothing was written. Choose another folder."));
        assert_eq!(tree(&desk.path("b2")), before, "{args:?}");
    }
    // A new database inside it.
    desk.bare()
        .args(["--db", "b2/new.sqlite", "sample", "--eacs", "3"])
        .assert()
        .code(2)
        .stderr(contains("would break that bundle"));
    assert_eq!(tree(&desk.path("b2")), before);
    desk.bare()
        .args(["validate", "--profile", "p2", "b2"])
        .assert()
        .success();
    // The bundle itself may still be replaced by a new export.
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b2"])
        .assert()
        .success();
}

/// `-` is not standard output for any output, and no file named `-` is
/// made (it was, and the export was recorded under it).
#[test]
fn a_dash_as_an_output_is_refused_and_makes_no_file() {
    let desk = desk_with_a_source();
    let before = entries_but_db(desk.dir.path());
    let outputs: [&[&str]; 5] = [
        &["ls", "--xlsx", "-"],
        &["sample", "--eacs", "2", "--out", "-"],
        &["sample", "--eacs", "2", "--values-csv", "-"],
        &["show", MRETS_ID, "--save-source", "1", "--out", "-"],
        &["copy", "--to", "-"],
    ];
    for args in outputs {
        desk.eacdesk().args(args).assert().code(2).stderr(contains(
            "write to a file; `-` (standard output) is not supported for this output",
        ));
        assert_eq!(entries_but_db(desk.dir.path()), before, "{args:?}");
    }
    // A pack and a P2 export are folders, and "write to a file" said the
    // wrong thing: each says what it is and what to give.
    for (args, said) in [
        (
            &["pack", "--out", "-"][..],
            "a pack is a folder of files (the listings, the registry documents, the audit log, \
             the claim statement and the signed manifest), which standard output (`-`) cannot \
             hold; give the folder to write, e.g. --out evidence-pack",
        ),
        (
            &["export", "--profile", "p1", "--out", "-"],
            "an export is written whole to a file (P1) or a bundle folder (P2)",
        ),
        (
            &["export", "--profile", "p2", "--out", "-"],
            "give the file or folder to write",
        ),
    ] {
        desk.eacdesk()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(said))
            .stderr(contains("write to a file").not());
        assert_eq!(entries_but_db(desk.dir.path()), before, "{args:?}");
    }
    desk.eacdesk()
        .args(["ls", "--xlsx", "-"])
        .assert()
        .stderr(contains("`ls --csv` prints the table to standard output"));
    let audit = desk.json(&["audit"]);
    assert!(
        !audit
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "export"),
        "{audit}"
    );
}

/// A P2 export whose list of files cannot be kept in the temporary folder
/// names the destination and the temporary folder, and says to set
/// TMPDIR (as an import and a pack say it), never the scratch file.
#[test]
fn a_p2_export_whose_temporary_folder_fails_names_its_destination_and_tmpdir() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "5"])
        .assert()
        .success();
    // A file where the temporary folder should be.
    std::fs::write(desk.path("tmp"), "not a folder").unwrap();
    let tmp = desk.path("tmp").display().to_string();
    desk.eacdesk()
        .env("TMPDIR", &tmp)
        .args(["export", "--profile", "p2", "--out", "B"])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "Could not keep a working file for B in the temporary folder {tmp}:"
        )))
        .stderr(contains(
            "Nothing was exported to B; set TMPDIR to a folder you can write to",
        ))
        .stderr(contains(".eacdesk-bundle-files").not());
    assert!(!desk.path("B").exists());
    let hidden: Vec<String> = entries_but_db(desk.dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".eacdesk-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// Tester 41, finding 10: the database's own folder given where one file
/// is written said that writing there "would destroy" the database; no
/// file written in place of a folder could. It is refused as any folder
/// is ("a folder, not a file": name a file in it), by its path or as `.`;
/// a P2 bundle, which is a folder, is still refused there as holding the
/// database.
#[test]
fn the_databases_folder_given_as_a_file_is_refused_as_a_folder() {
    let desk = desk_with_a_source();
    let folder = desk.dir.path().display().to_string();
    let before = entries_but_db(desk.dir.path());
    let values_csv: &[&str] = &["sample", "--eacs", "5", "--out", "s.json", "--values-csv"];
    for args in SINGLE_FILE_OUTPUTS.iter().chain([&values_csv]) {
        for dest in [folder.as_str(), "."] {
            desk.eacdesk()
                .args(*args)
                .arg(dest)
                .assert()
                .code(2)
                .stderr(contains(format!(
                    "{dest} is a folder, not a file; nothing was written and it is untouched. \
                     Name a file in it, or choose another file name."
                )))
                .stderr(contains("database").not());
        }
    }
    desk.eacdesk()
        .args(["copy", "--to", "."])
        .assert()
        .code(2)
        .stderr(contains("it is a folder"))
        .stderr(contains("destroy").not());
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "."])
        .assert()
        .code(2)
        .stderr(contains(". holds the database EAC Desk is using ("))
        .stderr(contains("writing there would destroy it."));
    assert_eq!(entries_but_db(desk.dir.path()), before);
}

/// `pack --out`, `ls --xlsx`, `copy --to`, `sample --out`/`--values-csv`
/// and `show --save-source --out` refuse a destination that cannot be
/// written in the words of an export's (decision 436), before anything is
/// written: a missing folder ("create it first"), a name ending in `/`
/// with no folder there, an empty name, a file where a folder should be.
/// They said "nonexist/sub does not exist (or a folder on its way does
/// not)", "Not a directory (os error 20)" (`copy` after copying the whole
/// database), or `copy`'s own "the folder afile does not exist" of a file.
#[test]
fn every_destination_the_cli_writes_is_refused_in_an_exports_words() {
    let desk = desk_with_a_source();
    std::fs::write(desk.path("afile"), "a file").unwrap();
    let before = entries_but_db(desk.dir.path());
    let gone = "create it first; nothing was written.";
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["pack", "--out", "nonexist/sub/p"],
            format!("The folder nonexist/sub does not exist, so nothing can be written at nonexist/sub/p (EAC Desk makes the pack's own folder only): {gone}"),
        ),
        (
            vec!["pack", "--out", ""],
            "The evidence pack needs a folder name (the name given is empty); nothing was written.".into(),
        ),
        (
            vec!["pack", "--out", "afile/p"],
            "afile is a file, not a folder, so nothing can be written at afile/p; nothing was written.".into(),
        ),
        (
            vec!["ls", "--xlsx", "nb2/"],
            "nb2/ ends with `/`, so it names a folder, but a workbook is one file, and the folder nb2 does not exist; nothing was written. Name the file to write (e.g. nb2.xlsx), or create the folder nb2 first".into(),
        ),
        (
            vec!["ls", "--xlsx", "nonexist/t.xlsx"],
            format!("The folder nonexist does not exist, so nothing can be written at nonexist/t.xlsx (EAC Desk makes no folder for a workbook): {gone}"),
        ),
        (
            vec!["ls", "--xlsx", ""],
            "The workbook needs a file name (the name given is empty); nothing was written.".into(),
        ),
        (
            vec!["copy", "--to", "nonexist/c.sqlite"],
            format!("The folder nonexist does not exist, so nothing can be written at nonexist/c.sqlite (EAC Desk makes no folder for a database copy): {gone}"),
        ),
        (
            vec!["copy", "--to", "nb3/"],
            "nb3/ ends with `/`, so it names a folder, but a database copy is one file, and the folder nb3 does not exist; nothing was written.".into(),
        ),
        (
            vec!["copy", "--to", ""],
            "The database copy needs a file name (the name given is empty); nothing was written.".into(),
        ),
        (
            vec!["copy", "--to", "afile/c.sqlite"],
            "afile is a file, not a folder, so nothing can be written at afile/c.sqlite; nothing was written.".into(),
        ),
        (
            vec!["sample", "--eacs", "2", "--out", "nb4/"],
            "nb4/ ends with `/`, so it names a folder, but a sample listing is one file".into(),
        ),
        (
            vec!["sample", "--eacs", "2", "--values-csv", "nonexist/v.csv"],
            format!("The folder nonexist does not exist, so nothing can be written at nonexist/v.csv (EAC Desk makes no folder for a values CSV): {gone}"),
        ),
        (
            vec!["show", MRETS_ID, "--save-source", "1", "--out", "nonexist/s.pdf"],
            format!("The folder nonexist does not exist, so nothing can be written at nonexist/s.pdf (EAC Desk makes no folder for a saved source document): {gone}"),
        ),
    ];
    for (args, says) in cases {
        let assert = desk.eacdesk().args(&args).assert().code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains(&says), "{args:?}: {err}");
        assert!(!err.contains("os error"), "{args:?}: {err}");
        assert!(!err.contains("on its way"), "{args:?}: {err}");
        assert!(!err.contains("copied "), "{args:?} copied first: {err}");
        assert_eq!(
            entries_but_db(desk.dir.path()),
            before,
            "{args:?} left something"
        );
    }
}

/// The sqlite file alone, as a backup copy of it would be: whole, and
/// how many EACs it holds.
fn eacs_in_file_alone(desk: &Desk, db: &Path) -> i64 {
    let alone = desk.path("alone.sqlite");
    std::fs::copy(db, &alone).unwrap();
    let conn = rusqlite::Connection::open(&alone).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let n = conn
        .query_row("SELECT count(*) FROM eacs", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    std::fs::remove_file(&alone).unwrap();
    n
}

/// ROB42 finding 3: a database reaching the file size limit is said as
/// the limit, naming it, for an existing database and a new one alike,
/// never as damage to restore from a backup.
#[test]
fn a_database_at_the_file_size_limit_says_the_limit_not_damage() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "300"])
        .assert()
        .success();
    desk.eacdesk()
        .args([
            "sample", "--eacs", "3000", "--seed", "2", "--out", "in.json",
        ])
        .assert()
        .success();
    let before = sha256_of(&desk.path("desk.sqlite"));
    for db in ["desk.sqlite", "new.sqlite"] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "ulimit -f 1500; exec {} --db {} import in.json",
                env!("CARGO_BIN_EXE_eacdesk"),
                desk.path(db).display()
            ))
            .current_dir(desk.dir.path())
            .env_remove("EACDESK_DB")
            .env("EACDESK_CONFIG_DIR", desk.path("config"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{db}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "The database {} reached the file size limit set for this program (ulimit -f). Nothing was changed",
                desk.path(db).display()
            )),
            "{db}: {stderr}"
        );
        assert!(!stderr.contains("restore it from a backup"), "{stderr}");
    }
    assert_eq!(sha256_of(&desk.path("desk.sqlite")), before);
    assert!(!desk.path("new.sqlite").exists());
    // The set's refusal too; an import's report says `io`.
    let out = under_file_size_limit(
        &desk,
        1500,
        "set --all-matching destination_name=X --reason r --yes",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("reached the file size limit"), "{stderr}");
    let out = under_file_size_limit(&desk, 1500, "import --json in.json");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"][0]["code"], "io", "{report}");
}

/// ROB42 finding 1 under the file size limit (any user): an import whose
/// log fits but whose database file may not grow to take it succeeds, says
/// its changes are kept in the -wal and not to separate it, and leaves the
/// .sqlite whole as it was (not part-copied); a command without the limit
/// then copies them in.
#[test]
fn changes_the_file_cannot_take_are_kept_whole_in_the_log_and_said() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3000"])
        .assert()
        .success();
    desk.eacdesk()
        .args([
            "sample", "--eacs", "1000", "--seed", "2", "--out", "in.json",
        ])
        .assert()
        .success();
    let db = desk.path("desk.sqlite");
    // The log (about 6 MB) fits under the limit, the file grown to take
    // it (9.7 MB to 12.9 MB) does not.
    let out = under_file_size_limit(&desk, 11_000, "import in.json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let wal = desk.path("desk.sqlite-wal");
    assert!(
        stderr.contains("desk.sqlite-wal beside it: do not delete that file"),
        "{stderr}"
    );
    assert!(stderr.contains("(ulimit -f)"), "{stderr}");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    assert_eq!(eacs_in_file_alone(&desk, &db), 3000);
    // Without the limit, any command copies the log in.
    let out = desk
        .eacdesk()
        .args(["ls", "--limit", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("-wal"), "{stderr}");
    assert!(std::fs::metadata(&wal).map_or(true, |m| m.len() == 0));
    assert_eq!(eacs_in_file_alone(&desk, &db), 4000);
}

/// A small tmpfs mounted for one test (as root only), unmounted when
/// dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: PathBuf, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(&at).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk(at))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// ROB42 findings 1 and 5 on a real full disk (a 40 MB tmpfs; needs
/// root, as CI runs; skipped otherwise): a refused import names the
/// database and gives the room its log took back; an import that commits
/// but whose file cannot grow keeps its changes whole in the -wal and says
/// so, the .sqlite alone whole as it was.
#[test]
fn a_full_disk_keeps_the_database_whole_and_gives_room_back() {
    let desk = Desk::new();
    let Some(disk) = SmallDisk::mount(desk.path("fs"), "40m") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let db = disk.0.join("db.sqlite");
    let on_disk = |args: &[&str]| {
        let out = desk
            .bare()
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stderr)
    };
    assert_eq!(on_disk(&["sample", "--eacs", "2000"]).0, Some(0));
    for (eacs, name) in [("15000", "big.json"), ("6000", "s6000.json")] {
        desk.eacdesk()
            .args(["sample", "--eacs", eacs, "--seed", "5", "--out", name])
            .assert()
            .success();
    }
    let wal = disk.0.join("db.sqlite-wal");
    let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    // Refused: named, and the log's room given back.
    let (code, stderr) = on_disk(&["import", "big.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "The disk is full: the disk holding the database {}",
            db.display()
        )),
        "{stderr}"
    );
    assert_eq!(wal_len(), 0);
    let (code, stderr) = on_disk(&["import", "--json", "big.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    // Committed, the file unable to grow: kept in the log, said.
    let (code, stderr) = on_disk(&["import", "s6000.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "only in {}-wal beside it: do not delete that file",
            db.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("Free some space on that disk"), "{stderr}");
    assert!(wal_len() > 0);
    assert_eq!(eacs_in_file_alone(&desk, &db), 2000);
    let (code, stderr) = on_disk(&["ls", "--limit", "0"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("do not delete that file"), "{stderr}");
    assert_eq!(eacs_in_file_alone(&desk, &db), 2000);
}
