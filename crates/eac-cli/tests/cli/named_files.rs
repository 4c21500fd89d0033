//! Files named on the command line (and the key and settings files in the
//! folders `EACDESK_KEY_DIR` and `EACDESK_CONFIG_DIR` name) are read only
//! as regular files: a named pipe is named, never waited on, and a device
//! such as `/dev/zero` is never read. Files read whole are read to a cap
//! the refusal says. Each command runs bounded (`Desk::bounded`: 3 GB of
//! address space, killed after 20 s): before, a pipe blocked each of them
//! until it was killed, and `/dev/zero` ran `consumption import`, `mapping
//! preview`, `key` and every write (the settings file) out of memory.

use super::pack::{fifo_at, link_at, Bounded};
use super::*;

use std::ffi::OsStr;

/// `eacdesk ARGS` on the desk's database, bounded; it must have ended by
/// itself, refusing (exit 1 or 2), and said `said` and `also`.
fn refused(desk: &Desk, args: &[&str], said: &str, also: &str) -> Bounded {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let run = desk.bounded(true, &args);
    assert!(run.code.is_some(), "{args:?} did not end by itself");
    assert!(
        matches!(run.code, Some(1 | 2)),
        "{args:?}: {:?} {}",
        run.code,
        run.said
    );
    assert!(run.said.contains(said), "{args:?}: {}", run.said);
    assert!(run.said.contains(also), "{args:?}: {}", run.said);
    run
}

/// A named pipe `pipe.csv` and a link `zero.csv` to `/dev/zero` beside the
/// mapping fixtures; the two with what each is said to be.
fn pipe_and_zero(desk: &Desk) -> [(&'static str, &'static str); 2] {
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../eac-registry/tests/fixtures/mapped");
    std::fs::copy(fixtures.join("go-cancellations.csv"), desk.path("go.csv")).unwrap();
    std::fs::copy(
        fixtures.join("go-cancellations.mapping.json"),
        desk.path("go.mapping.json"),
    )
    .unwrap();
    fifo_at(&desk.path("pipe.csv"));
    link_at(&desk.path("zero.csv"), Path::new("/dev/zero"));
    [
        ("pipe.csv", "pipe.csv is a named pipe, not a regular file"),
        ("zero.csv", "zero.csv is a device file, not a regular file"),
    ]
}

/// `import` (a registry document or CDS listing, found from its content or
/// forced), `validate`, `consumption import` and `mapping preview` (the
/// CSV, with a mapping file or a saved mapping) of a named pipe end at
/// once, naming it: each opened it with a plain open, which waited for a
/// writer until the process was killed (neither Ctrl-C nor SIGTERM ended
/// it). A link to `/dev/zero` is named as the device it leads to: read, it
/// ran `consumption import` and `mapping preview` out of memory. Nothing
/// is imported.
#[cfg(unix)]
#[test]
fn a_named_pipe_or_device_named_as_a_file_to_read_is_refused_at_once() {
    let desk = Desk::new();
    let named = pipe_and_zero(&desk);
    desk.eacdesk()
        .args(["mapping", "save", "go", "go.mapping.json"])
        .assert()
        .success();
    for (file, what) in named {
        let imports = "EAC Desk imports only from a file, never from a pipe or device; nothing \
                       was read from it";
        for args in [
            &["import", file][..],
            &["import", "--format", "ofgem-csv", file],
            &["import", "--format", "cds-p1", file],
            &["import", "--mapping", "go", "--dry-run", file],
        ] {
            refused(&desk, args, what, imports);
        }
        refused(
            &desk,
            &["validate", "--profile", "p1", file],
            what,
            "EAC Desk validates a P1 listing only from a file",
        );
        refused(
            &desk,
            &["consumption", "import", file],
            what,
            "EAC Desk reads consumption only from a CSV file",
        );
        for args in [
            &[
                "mapping",
                "preview",
                file,
                "--mapping-file",
                "go.mapping.json",
            ][..],
            &["mapping", "preview", file, "--mapping", "go"],
        ] {
            refused(
                &desk,
                args,
                what,
                "a CSV is read through a column mapping only from a file",
            );
        }
    }
    assert_eq!(desk.count(), 0);
    assert_eq!(desk.json(&["imports"]), serde_json::json!([]));
    // Regular files are read as before.
    desk.eacdesk()
        .args(["mapping", "preview", "go.csv", "--mapping", "go"])
        .assert()
        .success()
        .stdout(contains("3 rows of go.csv"));
    desk.eacdesk()
        .args(["import", "--mapping", "go", "go.csv"])
        .assert()
        .success();
    assert_eq!(desk.count(), 3);
}

/// The signing key of evidence packs (`EACDESK_KEY_DIR`) and the settings
/// file (`EACDESK_CONFIG_DIR`) are opened as regular files too: a named
/// pipe as the key blocked `key` and `pack`; as the settings file, whose
/// display name every write records, it blocked every write; a link to
/// `/dev/zero` ran them out of memory. The key is refused, naming what is
/// there and what to do; settings that cannot be read give no display
/// name, as before, and the write goes on.
#[cfg(unix)]
#[test]
fn a_named_pipe_or_device_as_the_key_or_settings_file_blocks_nothing() {
    let desk = Desk::new();
    pipe_and_zero(&desk);
    desk.import(&["good-p1-overview-monthly.json"]);
    std::fs::create_dir_all(desk.path("keys")).unwrap();
    std::fs::create_dir_all(desk.path("config")).unwrap();
    let key = desk.path("keys/pack-signing-key.ed25519");
    let settings = desk.path("config/settings.json");
    for (kind, place) in [
        ("a named pipe", None),
        ("a device file", Some(Path::new("/dev/zero"))),
    ] {
        match place {
            None => {
                fifo_at(&key);
                fifo_at(&settings);
            }
            Some(to) => {
                link_at(&key, to);
                link_at(&settings, to);
            }
        }
        let said = format!("pack-signing-key.ed25519 is {kind}, not a regular file");
        let reads = "EAC Desk reads its signing key for evidence packs only from a file";
        refused(&desk, &["key"], &said, reads);
        refused(&desk, &["pack", "--out", "p"], &said, "EACDESK_KEY_DIR");
        assert!(!desk.path("p").exists());
        // A write records the display name the settings file holds.
        let name = format!("m{}", place.is_some() as u8);
        let args = ["mapping", "save", &name, "go.mapping.json"].map(OsStr::new);
        let run = desk.bounded(true, &args);
        assert_eq!(run.code, Some(0), "{kind}: {}", run.said);
    }
    let saved = desk.json(&["mapping", "ls"]);
    let names: Vec<&str> = saved
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["m0", "m1"]);
}

/// A file read whole is read to a cap well above any real one of its
/// kind, and a larger one is refused by its size before it is read,
/// saying the limit and what to check: a consumption CSV to 1 GiB (it was
/// read whole, however large), a registry document, and a CSV previewed
/// through a mapping, to 256 MiB (the preview read any size). The files
/// are sparse: nothing of them needs the disk.
#[test]
fn files_read_whole_beyond_their_cap_are_refused_saying_the_limit() {
    let desk = Desk::new();
    pipe_and_zero(&desk);
    let sparse = |name: &str, head: &str, len: u64| {
        let file = std::fs::File::create(desk.path(name)).unwrap();
        std::io::Write::write_all(&mut &file, head.as_bytes()).unwrap();
        file.set_len(len).unwrap();
    };
    sparse(
        "usage.csv",
        "beneficiary_type,beneficiary,start,end,value,unit\n",
        (1 << 30) + 1,
    );
    refused(
        &desk,
        &["consumption", "import", "usage.csv"],
        "usage.csv is larger than 1 GiB, the most a consumption file may hold",
        "a larger one can be imported in parts",
    );
    let go = std::fs::read_to_string(desk.path("go.csv")).unwrap();
    sparse("big.csv", &go, (256 << 20) + 1);
    refused(
        &desk,
        &["import", "--format", "ofgem-csv", "big.csv"],
        "big.csv, document: the file is 268435457 bytes, more than a registry document holds \
         (at most 256 MiB): check that you chose the registry's report or statement itself",
        "nothing from it was imported",
    );
    refused(
        &desk,
        &[
            "mapping",
            "preview",
            "big.csv",
            "--mapping-file",
            "go.mapping.json",
        ],
        "big.csv is larger than 256 MiB, the most a registry document may hold (import reads \
         none larger)",
        "Check that you named the registry's CSV report.",
    );
    assert!(!desk.path("desk.sqlite").exists());
}
