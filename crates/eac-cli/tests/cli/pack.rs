//! Evidence packs through `eacdesk` (issue 12 items 2–4): `pack` writes a
//! signed folder of sample EACs and a completed registry statement,
//! `pack verify` checks it without any database and names every file that
//! was changed, added or removed, `pack diff` says what changed since,
//! `pack ls` and `key` show what was made and with which key, and a
//! refused pack writes nothing. The signing key lives in the test's
//! temporary folder (`EACDESK_KEY_DIR`, set by `Desk::eacdesk`).

use super::snapshots::mask_now;
use super::*;

const NECS: &str = "eecs-go/necs-cancellation-statement-sample.pdf";

fn registry_sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

impl Desk {
    /// 20 sample EACs and a registry statement completed as a person would
    /// (`set` of the fields it lacks, then its beneficiary), so every EAC
    /// can be packed and the pack holds a source document.
    fn packable() -> Desk {
        let desk = Desk::new();
        desk.eacdesk()
            .args(["sample", "--eacs", "20"])
            .assert()
            .success();
        desk.eacdesk()
            .args(["import", &registry_sample(NECS)])
            .assert()
            .success();
        desk.complete_registry_eacs();
        desk
    }

    fn complete_registry_eacs(&self) {
        self.eacdesk()
            .args([
                "set",
                "--all-matching",
                "--incomplete",
                "destination_id=UTIL-1",
                "destination_name=Demo Utility",
                "asset_origination=region",
                "asset_destination=grid",
                "emissions_factor_direct=0",
                "emissions_factor_lca=0.011",
                "issued=2021-01-15",
                "retired=2021-12-31",
                "--reason",
                "from the registry account",
                "--yes",
            ])
            .assert()
            .success();
        self.eacdesk()
            .args([
                "beneficiaries",
                "set",
                "--all-matching",
                "--incomplete",
                "--type",
                "customer",
                "--id",
                "CUST-1",
                "--reason",
                "the claimant's customer number",
            ])
            .assert()
            .success();
        assert_eq!(self.json(&["ls", "--incomplete"])["summary"]["count"], 0);
    }

    /// `pack --out NAME --json`: the report.
    fn pack(&self, name: &str, extra: &[&str]) -> Value {
        let out = self
            .eacdesk()
            .args(["pack", "--out", name, "--json"])
            .args(extra)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }

    /// `pack verify DIR`: exit code and standard output (no database given).
    fn verify(&self, dir: &Path, extra: &[&str]) -> (i32, String) {
        let out = self
            .eacdesk()
            .args(["pack", "verify"])
            .arg(dir)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    }
}

/// A copy of a folder and everything in it.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Flips one bit of the byte in the middle of a file.
fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

/// The only file in `dir` (the pack's `sources/`).
fn only_file(dir: &Path) -> String {
    let names = entries(dir);
    assert_eq!(names.len(), 1, "{names:?}");
    names[0].clone()
}

#[test]
fn a_pack_of_sample_eacs_verifies_anywhere_and_names_its_signer() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "20"])
        .assert()
        .success();
    let pack = desk.path("filing-2024");
    let out = desk
        .eacdesk()
        .args(["pack", "--out", "filing-2024", "--title", "FY2024 filing"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("Wrote the evidence pack "), "{text}");
    assert!(text.contains("EACs              20 (160 values)"), "{text}");
    assert!(
        text.contains("Your signing key was created for this pack"),
        "{text}"
    );
    for file in [
        "MANIFEST.json",
        "MANIFEST.sig",
        "eacs.json",
        "p2/eacs.json",
        "audit.jsonl",
        "claim-statement.csv",
        "claim-statement.pdf",
    ] {
        assert!(pack.join(file).is_file(), "{file} is missing");
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(pack.join("MANIFEST.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["eacs"], 20);
    assert_eq!(manifest["title"], "FY2024 filing");

    // `key` shows the key that signed it, already there, never the secret.
    let key = desk.json(&["key"]);
    assert_eq!(key["fingerprint"], manifest["key"]["fingerprint"]);
    assert_eq!(key["public_key"], manifest["key"]["public_key"]);
    assert_eq!(key["created"], false);
    let secret = std::fs::read_to_string(key["path"].as_str().unwrap()).unwrap();
    let shown = String::from_utf8(
        desk.eacdesk()
            .arg("key")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(!shown.contains(secret.trim()), "{shown}");
    assert!(shown.contains(key["fingerprint"].as_str().unwrap()));
    let fingerprint = key["fingerprint"].as_str().unwrap();

    let (code, text) = desk.verify(&pack, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with(&format!(
            "The evidence pack {} is intact: signed by {fingerprint}, 30 files, ",
            pack.display()
        )),
        "{text}"
    );

    // The pack is remembered with the manifest's hash.
    let verdict = desk.json(&["pack", "verify", "filing-2024"]);
    assert_eq!(verdict["ok"], true);
    let packs = desk.json(&["pack", "ls"]);
    assert_eq!(packs.as_array().unwrap().len(), 1);
    assert_eq!(packs[0]["manifest_sha256"], verdict["manifest_sha256"]);
    assert_eq!(packs[0]["title"], "FY2024 filing");
    assert_eq!(packs[0]["eac_count"], 20);
    assert_eq!(packs[0]["key_fingerprint"], fingerprint);

    // A copy elsewhere still verifies, with the maker's key expected.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("received").join("pack");
    copy_dir(&pack, &copy);
    let (code, text) = desk.verify(&copy, &["--key", fingerprint]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("(the expected key)"), "{text}");
    // … but not with another signer expected.
    let other = "0123-4567-89ab-cdef-0123-4567-89ab-cdef";
    let (code, text) = desk.verify(&copy, &["--key", other]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "MANIFEST.json is signed by the key {fingerprint}, not by the expected key {other}"
        )),
        "{text}"
    );
}

#[test]
fn every_change_to_a_pack_is_named_and_fails_verification() {
    let desk = Desk::packable();
    let report = desk.pack("pack", &[]);
    assert_eq!(report["eac_count"], 21);
    assert_eq!(report["source_count"], 1);
    assert_eq!(report["key_created"], true);
    assert_eq!(desk.pack("again", &[])["key_created"], false);
    let pack = desk.path("pack");
    let source = format!("sources/{}", only_file(&pack.join("sources")));
    assert!(source.ends_with("-necs-cancellation-statement-sample.pdf"));
    assert_eq!(desk.verify(&pack, &[]).0, 0);

    /// What is done to a copy of the pack.
    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper, String)> = vec![
        (
            "a byte of eacs.json",
            Box::new(|p: &Path| flip_a_byte(&p.join("eacs.json"))),
            "eacs.json was changed".to_owned(),
        ),
        (
            "a byte of MANIFEST.json",
            Box::new(|p: &Path| {
                // A changed digit keeps the JSON readable: only the
                // signature can tell.
                let path = p.join("MANIFEST.json");
                let text = std::fs::read_to_string(&path).unwrap();
                let text = text.replacen("\"eacs\": 21", "\"eacs\": 22", 1);
                std::fs::write(&path, text).unwrap();
            }),
            "MANIFEST.sig does not hold".to_owned(),
        ),
        (
            "a byte of the source document",
            Box::new({
                let source = source.clone();
                move |p: &Path| flip_a_byte(&p.join(&source))
            }),
            format!("{source} was changed"),
        ),
        (
            "a byte of audit.jsonl",
            Box::new(|p: &Path| {
                let path = p.join("audit.jsonl");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text.replacen("CUST-1", "CUST-2", 1)).unwrap();
            }),
            "audit.jsonl was changed".to_owned(),
        ),
        (
            "an added file",
            Box::new(|p: &Path| std::fs::write(p.join("p2/notes.txt"), "added later").unwrap()),
            "p2/notes.txt was added: the manifest does not list it".to_owned(),
        ),
        (
            "a removed file",
            Box::new(|p: &Path| std::fs::remove_file(p.join("claim-statement.pdf")).unwrap()),
            "claim-statement.pdf is missing (the manifest lists it)".to_owned(),
        ),
        (
            "the removed signature",
            Box::new(|p: &Path| std::fs::remove_file(p.join("MANIFEST.sig")).unwrap()),
            "MANIFEST.sig is missing: the manifest is not signed".to_owned(),
        ),
    ];
    for (what, tamper, named) in cases {
        let copy = desk.path(&format!("tampered-{}", what.replace(' ', "-")));
        copy_dir(&pack, &copy);
        tamper(&copy);
        let (code, text) = desk.verify(&copy, &[]);
        assert_eq!(code, 1, "{what}: {text}");
        assert!(
            text.starts_with(&format!(
                "The evidence pack {} does not verify:",
                copy.display()
            )),
            "{what}: {text}"
        );
        assert!(text.contains(&named), "{what}: {text}");
        // --json names the file too.
        let out = desk
            .eacdesk()
            .args(["pack", "verify", "--json"])
            .arg(&copy)
            .assert()
            .code(1);
        let verdict: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(verdict["ok"], false, "{what}");
        let file = named.split(' ').next().unwrap();
        assert!(
            verdict["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["file"] == file),
            "{what}: {verdict}"
        );
    }
    // The original was never touched.
    assert_eq!(desk.verify(&pack, &[]).0, 0);

    // A folder that is no pack at all, or is missing: exit 2.
    desk.eacdesk()
        .args(["pack", "verify", "no-such-folder"])
        .assert()
        .code(2)
        .stderr(contains("no-such-folder"));
}

#[test]
fn pack_verify_needs_no_database_and_creates_none() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    desk.pack("pack", &[]);
    // A machine that never ran EAC Desk: no --db, no EACDESK_DB, an empty
    // home folder.
    let home = tempfile::tempdir().unwrap();
    let run = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_eacdesk"));
        cmd.env_remove("EACDESK_DB")
            .env_remove("EACDESK_KEY_DIR")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .current_dir(home.path());
        cmd
    };
    run()
        .args(["pack", "verify"])
        .arg(desk.path("pack"))
        .assert()
        .success()
        .stdout(contains("is intact"));
    run()
        .args(["pack", "verify", "--json"])
        .arg(desk.path("pack"))
        .assert()
        .success();
    assert_eq!(entries(home.path()), Vec::<String>::new());

    // The commands that need a database refuse, creating none.
    let missing = home.path().join("none.sqlite");
    run()
        .arg("--db")
        .arg(&missing)
        .args(["pack", "--out", "p"])
        .assert()
        .code(2)
        .stderr(contains("There is no database at"));
    assert_eq!(entries(home.path()), Vec::<String>::new());
}

#[test]
fn pack_diff_lists_what_changed_since_with_the_audit_records() {
    let desk = Desk::packable();
    desk.pack("pack", &["--title", "FY2021 filing"]);
    desk.eacdesk()
        .args(["pack", "diff", "pack"])
        .assert()
        .code(0)
        .stdout(contains("was made from this database on"))
        .stdout(contains("No changes since this pack. 21 EACs as packed."));

    desk.eacdesk()
        .env("USER", "auditor")
        .args([
            "beneficiaries",
            "set",
            "S1-0000003",
            "--type",
            "account",
            "--id",
            "ACC-77",
            "--reason",
            "contract moved to Acme",
        ])
        .assert()
        .success();
    desk.eacdesk()
        .args(["delete", "S1-0000004", "--reason", "imported twice"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["sample", "--eacs", "1", "--seed", "99"])
        .assert()
        .success();

    let out = desk
        .eacdesk()
        .args(["pack", "diff", "pack"])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let edited = text.find("Edited (in both, changed since): 1 EAC").unwrap();
    let removed = text
        .find("Removed (in the pack, no longer matching its selection): 1 EAC")
        .unwrap();
    assert!(text.contains("Added (they match the pack's selection now and are not in it): 1 EAC"));
    assert!(text[edited..].contains("S1-0000003"), "{text}");
    assert!(text[edited..].contains("auditor"), "{text}");
    assert!(text[edited..].contains("→ account: ACC-77"), "{text}");
    assert!(text[edited..].contains("contract moved to Acme"), "{text}");
    assert!(text[removed..].contains("S1-0000004 (deleted)"), "{text}");
    assert!(text[removed..].contains("imported twice"), "{text}");
    assert!(
        text.contains("Since this pack: 1 EAC added, 1 removed, 1 edited; 19 unchanged."),
        "{text}"
    );
    assert!(!text.contains("No changes since this pack"), "{text}");

    let diff = {
        let out = desk
            .eacdesk()
            .args(["pack", "diff", "pack", "--json"])
            .assert()
            .code(1);
        serde_json::from_slice::<Value>(&out.get_output().stdout).unwrap()
    };
    assert_eq!(diff["edited"][0]["cds_eac_id"], "S1-0000003");
    assert_eq!(
        diff["edited"][0]["records"][0]["reason"],
        "contract moved to Acme"
    );
    assert_eq!(diff["removed"][0]["cds_eac_id"], "S1-0000004");
    assert_eq!(diff["removed"][0]["deleted"], true);
    assert_eq!(diff["removed"][0]["records"][0]["action"], "delete");
    assert_eq!(diff["record"]["title"], "FY2021 filing");
    assert_eq!(diff["head_found"], true);

    // A folder that is not a pack: nothing to compare (exit 2).
    std::fs::create_dir(desk.path("empty")).unwrap();
    desk.eacdesk()
        .args(["pack", "diff", "empty"])
        .assert()
        .code(2)
        .stderr(contains("holds no evidence pack"));

    // The same pack compared with another database says it was not made
    // there; the registry EAC imported there at another time differs.
    let other = Desk::packable();
    let out = other
        .eacdesk()
        .args(["pack", "diff"])
        .arg(desk.path("pack"))
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("was not made from this database"), "{text}");
    assert!(text.contains("not in this database's audit log"), "{text}");
    assert!(
        text.contains("Since this pack: 0 EACs added, 0 removed, 1 edited; 20 unchanged."),
        "{text}"
    );
}

#[test]
fn a_refused_pack_writes_nothing_and_says_why() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "5"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", &registry_sample(NECS)])
        .assert()
        .success();
    let id = desk.ids(&["--incomplete"]).remove(0);
    let before = entries_but_db(desk.dir.path());

    // Incomplete EACs (a data problem): exit 1, naming them and their fields.
    let out = desk
        .eacdesk()
        .args(["pack", "--out", "pack"])
        .assert()
        .code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!(
            "1 of the selected EACs is incomplete: {id} (missing destination_id,"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    // … and says how to pack the others (a tester's finding).
    assert!(
        stderr.contains("or pack only the complete ones (`eacdesk pack --complete`"),
        "{stderr}"
    );
    assert!(!desk.path("pack").exists());

    // Nothing selected: exit 2.
    desk.eacdesk()
        .args(["pack", "--out", "pack", "--technology", "marine"])
        .assert()
        .code(2)
        .stderr(contains("No EAC matches the selection"));
    assert!(!desk.path("pack").exists());

    // The complete ones alone can be packed, titled in words…
    let report = desk.pack("pack", &["--complete"]);
    assert_eq!(desk.verify(&desk.path("pack"), &[]).0, 0);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(desk.path("pack/MANIFEST.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["title"], "Evidence pack: complete EACs",
        "{report}"
    );
    assert_eq!(manifest["selection"], "complete EACs");
    // … but not over a folder holding files EAC Desk did not write.
    std::fs::create_dir(desk.path("mine")).unwrap();
    std::fs::write(desk.path("mine/notes.txt"), "keep me").unwrap();
    desk.eacdesk()
        .args(["pack", "--out", "mine", "--complete"])
        .assert()
        .code(2)
        .stderr(contains("is not an EAC Desk evidence pack"))
        .stderr(contains("notes.txt"));
    assert_eq!(entries(&desk.path("mine")), ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(desk.path("mine/notes.txt")).unwrap(),
        "keep me"
    );
    let mut after = before;
    after.extend(["keys".to_owned(), "mine".to_owned(), "pack".to_owned()]);
    after.sort();
    assert_eq!(entries_but_db(desk.dir.path()), after);

    // Usage: `pack` needs --out.
    desk.eacdesk()
        .arg("pack")
        .assert()
        .code(2)
        .stderr(contains("--out <DIR>"));
}

/// A folder where the signing key file belongs is said with what to do,
/// not as "Is a directory (os error 21)" (a tester's finding).
#[test]
fn a_folder_in_the_key_files_place_says_what_to_do() {
    let desk = Desk::new();
    std::fs::create_dir_all(desk.path("keys/pack-signing-key.ed25519")).unwrap();
    desk.eacdesk()
        .arg("key")
        .assert()
        .code(2)
        .stderr(contains(
            "pack-signing-key.ed25519 is a folder, where EAC Desk keeps its signing key",
        ))
        .stderr(contains("Move the folder away"))
        .stderr(contains("EACDESK_KEY_DIR"))
        .stderr(contains("os error").not());
    assert!(desk.path("keys/pack-signing-key.ed25519").is_dir());
}

#[test]
fn key_is_created_once_and_said_so() {
    let desk = Desk::new();
    let out = desk.eacdesk().arg("key").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.starts_with("Created your signing key for evidence packs"),
        "{text}"
    );
    let key = desk.json(&["key"]);
    assert_eq!(key["created"], false);
    assert_eq!(key["algorithm"], "ed25519");
    assert!(key["path"]
        .as_str()
        .unwrap()
        .starts_with(desk.path("keys").to_str().unwrap()));
    desk.eacdesk()
        .arg("key")
        .assert()
        .success()
        .stdout(contains("Your signing key for evidence packs:"))
        .stdout(contains(key["fingerprint"].as_str().unwrap()));
    // No database was created for it.
    assert!(!desk.path("desk.sqlite").exists());
}

// ---- What a person reads ----

/// Hashes, public keys and fingerprints of a run become placeholders of
/// the same width; the temporary folder becomes `<TMP>`; times of the run
/// and the program's version are masked.
fn mask(desk: &Desk, text: &str) -> String {
    let tmp = desk.dir.path().canonicalize().unwrap();
    let text = text
        .replace(&tmp.display().to_string(), "<TMP>")
        .replace(&desk.dir.path().display().to_string(), "<TMP>")
        .replace(
            &format!("EAC Desk {}", env!("CARGO_PKG_VERSION")),
            "EAC Desk VERSION",
        );
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let hex = |c: char| c.is_ascii_hexdigit() && !c.is_ascii_uppercase();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| hex(**c)).count();
        let fingerprint = chars.len() >= i + 39
            && (0..39).all(|k| {
                if k % 5 == 4 {
                    chars[i + k] == '-'
                } else {
                    hex(chars[i + k])
                }
            });
        if fingerprint {
            out.push_str("ffff-ffff-ffff-ffff-ffff-ffff-ffff-ffff");
            i += 39;
        } else if run == 64 || (run == 16 && chars.get(i + 16) == Some(&'…')) {
            out.push_str(&"x".repeat(run));
            i += run;
        } else if run > 0 {
            out.extend(&chars[i..i + run]);
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    mask_now(&out)
}

#[test]
fn human_output_of_packs() {
    let desk = Desk::packable();
    let run = |args: &[&str], code: i32| {
        let out = desk
            .eacdesk()
            .env("USER", "auditor")
            .args(args)
            .assert()
            .code(code);
        mask(
            &desk,
            &String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        )
    };
    insta::assert_snapshot!(
        "pack",
        run(
            &["pack", "--out", "filing-2021", "--title", "FY2021 filing"],
            0
        )
    );
    insta::assert_snapshot!("pack_verify", run(&["pack", "verify", "filing-2021"], 0));
    insta::assert_snapshot!("pack_ls", run(&["pack", "ls"], 0));
    insta::assert_snapshot!(
        "pack_diff_unchanged",
        run(&["pack", "diff", "filing-2021"], 0)
    );
    insta::assert_snapshot!("key", run(&["key"], 0));

    let tampered = desk.path("tampered");
    copy_dir(&desk.path("filing-2021"), &tampered);
    flip_a_byte(&tampered.join("eacs.json"));
    std::fs::remove_file(tampered.join("claim-statement.csv")).unwrap();
    std::fs::write(tampered.join("extra.txt"), "added").unwrap();
    insta::assert_snapshot!(
        "pack_verify_tampered",
        run(&["pack", "verify", "tampered"], 1)
    );

    run(
        &[
            "beneficiaries",
            "set",
            "S1-0000003",
            "--type",
            "account",
            "--id",
            "ACC-77",
            "--reason",
            "contract moved to Acme",
        ],
        0,
    );
    run(&["delete", "S1-0000004", "--reason", "imported twice"], 0);
    insta::assert_snapshot!("pack_diff", run(&["pack", "diff", "filing-2021"], 1));
}

#[test]
fn a_packs_claim_statement_lists_exactly_its_listing_by_beneficiary_and_period() {
    // The pack reads its listing once and keeps the statement's lines on
    // disk until their group is written: the CSV is the statement made
    // whole from the same EACs, line for line and total for total.
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "400", "--seed", "7"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "big"])
        .assert()
        .success();
    let pack = desk.path("big");
    let mut eacs = Vec::new();
    eac_model::read_listing(
        std::io::BufReader::new(std::fs::File::open(pack.join("eacs.json")).unwrap()),
        eac_model::CheckOptions::validate().with_extended_technologies(true),
        |_, read| {
            if let eac_model::EacRead::Valid { eac, .. } = read {
                eacs.push(*eac);
            }
            eac_model::Flow::Continue
        },
    )
    .unwrap();
    assert_eq!(eacs.len(), 400);
    let whole = eac_report::claim_statement_csv(&eac_report::ClaimStatement {
        title: String::new(),
        created_at: eac_model::Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        selection: String::new(),
        eacs,
        problems: Vec::new(),
        key_fingerprint: String::new(),
        audit_head: None,
    });
    let packed = std::fs::read_to_string(pack.join("claim-statement.csv")).unwrap();
    // Problems are the check's, not the statement's: left out of both.
    let rows = |csv: &str| -> Vec<String> {
        csv.split("\r\n")
            .filter(|r| !r.starts_with("problem,"))
            .map(str::to_owned)
            .collect()
    };
    let (packed, whole) = (rows(&packed), rows(&String::from_utf8(whole).unwrap()));
    let groups = packed.iter().filter(|r| r.starts_with("total,")).count();
    assert!(groups > 50, "{groups} groups");
    assert_eq!(packed.len(), whole.len());
    for (p, w) in packed.iter().zip(&whole) {
        assert_eq!(p, w);
    }
}

/// The command `pack` and `pack diff` suggest, as a POSIX shell reads it
/// (`eacdesk` run as this build): exit code and standard output.
#[cfg(unix)]
fn run_suggested(desk: &Desk, printed: &str) -> (i32, String) {
    let command = printed
        .split('`')
        .find(|part| part.starts_with("eacdesk pack verify "))
        .unwrap_or_else(|| panic!("no suggested command in: {printed}"));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command.replacen("eacdesk", "\"$EACDESK\"", 1))
        .env("EACDESK", env!("CARGO_BIN_EXE_eacdesk"))
        .current_dir(desk.dir.path())
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// A suggested `eacdesk pack verify` names the folder as one word of the
/// shell: pasted, it checks that folder (decision 288).
#[cfg(unix)]
#[test]
fn the_suggested_verify_command_runs_as_printed_whatever_the_folder_is_called() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("sp dir")).unwrap();
    let name = "sp dir/it's a $HOME pack";
    let out = desk
        .eacdesk()
        .args(["pack", "--out", name])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let last = text.lines().last().unwrap();
    assert!(
        last.contains(r#"`eacdesk pack verify '"#) && last.contains(r"'\''s a $HOME pack' --key "),
        "{last}"
    );
    let (code, verdict) = run_suggested(&desk, last);
    assert_eq!(code, 0, "{last}\n{verdict}");
    assert!(verdict.contains("is intact"), "{verdict}");
    assert!(verdict.contains("(the expected key)"), "{verdict}");

    // `pack diff`'s warning about a pack that does not verify too.
    std::fs::write(desk.path(name).join("extra.txt"), "added").unwrap();
    let out = desk.eacdesk().args(["pack", "diff", name]).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let warning = text
        .lines()
        .find(|l| l.starts_with("Warning: the pack itself does not verify"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        warning.contains(r"`eacdesk pack verify 'sp dir/it'\''s a $HOME pack'`"),
        "{warning}"
    );
    let (code, verdict) = run_suggested(&desk, warning);
    assert_eq!(code, 1, "{warning}\n{verdict}");
    assert!(verdict.contains("extra.txt was added"), "{verdict}");

    // A folder whose name needs no quoting is printed as it is.
    let out = desk
        .eacdesk()
        .args(["pack", "--out", "plain-2024"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let plain = desk.path("plain-2024").display().to_string();
    assert!(
        text.contains(&format!("`eacdesk pack verify {plain} --key ")),
        "{text}"
    );
}

/// `MANIFEST.sig` is read only as EAC Desk writes it: 128 lower-case hex
/// digits and a line end (0.1.0: no line end). Any other byte — a line
/// end or spaces added, a BOM, a second line, upper case — fails
/// verification, naming the file and what is wrong (decision 286).
#[test]
fn any_byte_added_to_or_changed_in_the_signature_fails_verification() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    desk.pack("pack", &[]);
    let pack = desk.path("pack");
    let written = std::fs::read_to_string(pack.join("MANIFEST.sig")).unwrap();
    let sig = written.strip_suffix('\n').unwrap();
    assert!(
        sig.len() == 128 && sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "{written:?}"
    );
    let copy = |name: &str, sig_bytes: &[u8]| -> PathBuf {
        let dir = desk.path(name);
        copy_dir(&pack, &dir);
        std::fs::write(dir.join("MANIFEST.sig"), sig_bytes).unwrap();
        dir
    };

    // As 0.1.0 wrote it, without the line end: still intact.
    let old = copy("as-0.1.0-wrote-it", sig.as_bytes());
    let (code, text) = desk.verify(&old, &[]);
    assert_eq!(code, 0, "{text}");

    let form =
        "MANIFEST.sig is not as EAC Desk writes it (128 lower-case hex digits and a line end): it ";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a line end added",
            format!("{sig}\n\n").into_bytes(),
            "holds 1 more byte after the line end",
        ),
        (
            "blank lines added",
            format!("{sig}\n\r\n \n\n").into_bytes(),
            "holds 5 more bytes after the line end",
        ),
        (
            "a second line",
            format!("{sig}\n{sig}\n").into_bytes(),
            "holds 129 more bytes after the line end",
        ),
        (
            "a Windows line end",
            format!("{sig}\r\n").into_bytes(),
            "holds a carriage return after the signature, where only a line end belongs",
        ),
        (
            "a space before",
            format!(" {sig}\n").into_bytes(),
            "has a space at byte 1, where a hex digit belongs",
        ),
        (
            "a byte order mark",
            [&[0xEF, 0xBB, 0xBF][..], written.as_bytes()].concat(),
            "begins with a byte order mark",
        ),
        (
            "upper case",
            format!("{}\n", sig.to_ascii_uppercase()).into_bytes(),
            "has the upper-case hex digit",
        ),
    ];
    for (what, bytes, wrong) in cases {
        let dir = copy(&format!("sig-{}", what.replace(' ', "-")), &bytes);
        let (code, text) = desk.verify(&dir, &[]);
        assert_eq!(code, 1, "{what}: {text}");
        assert!(
            text.contains("does not verify: 1 problem."),
            "{what}: {text}"
        );
        assert!(text.contains(&format!("{form}{wrong}")), "{what}: {text}");
        let out = desk
            .eacdesk()
            .args(["pack", "verify", "--json"])
            .arg(&dir)
            .assert()
            .code(1);
        let verdict: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(verdict["problems"][0]["file"], "MANIFEST.sig", "{what}");
    }
    // The original was never touched.
    assert_eq!(desk.verify(&pack, &[]).0, 0);
}

/// `--key` that is no fingerprint is the auditor's typo, not a tampered
/// pack: a usage error (exit 2) saying what a fingerprint looks like,
/// before the pack is read (decision 287). Any spelling of the right
/// fingerprint still verifies.
#[test]
fn a_key_that_is_no_fingerprint_is_a_usage_error_before_the_pack_is_read() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    let fingerprint = desk.pack("pack", &[])["key_fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = "A fingerprint is 32 hex digits in eight groups of four, such as 0123-4567-89ab-cdef-0123-4567-89ab-cdef";
    for (key, why) in [
        (
            fingerprint[..4].to_owned(),
            format!(
                "The expected key `{}` is not a key fingerprint: it holds 4 hex digits.",
                &fingerprint[..4]
            ),
        ),
        (
            format!("{fingerprint}-0"),
            "is not a key fingerprint: it holds 33 hex digits.".to_owned(),
        ),
        (
            fingerprint.replacen(|c: char| c.is_ascii_hexdigit(), "z", 1),
            "is not a key fingerprint: `z` is not a hex digit.".to_owned(),
        ),
        (String::new(), "The expected key is empty.".to_owned()),
    ] {
        for pack in [desk.path("pack"), desk.path("no-such-folder")] {
            for json in [false, true] {
                let mut cmd = desk.eacdesk();
                cmd.args(["pack", "verify"])
                    .arg(&pack)
                    .args(["--key", &key]);
                if json {
                    cmd.arg("--json");
                }
                let out = cmd.output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(2), "--key {key:?}: {stderr}");
                assert!(out.stdout.is_empty(), "--key {key:?}");
                assert!(stderr.contains(&why), "--key {key:?}: {stderr}");
                assert!(stderr.contains(form), "--key {key:?}: {stderr}");
                assert!(
                    stderr.contains("the pack was not checked"),
                    "--key {key:?}: {stderr}"
                );
            }
        }
    }
    // The fingerprint as printed, in capitals, without dashes or with
    // spaces: the expected key.
    for key in [
        fingerprint.clone(),
        fingerprint.to_ascii_uppercase(),
        fingerprint.replace('-', ""),
        format!(" {} ", fingerprint.replace('-', " ")),
    ] {
        let (code, text) = desk.verify(&desk.path("pack"), &["--key", &key]);
        assert_eq!(code, 0, "--key {key:?}: {text}");
        assert!(text.contains("(the expected key)"), "{text}");
    }
    // A well-formed fingerprint of another key is still a pack that does
    // not verify (exit 1), as before.
    let (code, text) = desk.verify(
        &desk.path("pack"),
        &["--key", "0123-4567-89ab-cdef-0123-4567-89ab-cdef"],
    );
    assert_eq!(code, 1, "{text}");
}

// ---------------------------------------------------------------------------
// A pack stopped part-way (power lost, kill -9) between its swap and its end

/// A desk of sample EACs, a folder `out` and a first pack `out/pk`, made
/// and recorded; the SHA-256 of its manifest.
fn desk_with_a_recorded_pack() -> (Desk, String) {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "10"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("out")).unwrap();
    let report = desk.pack("out/pk", &["--title", "filed"]);
    let recorded = report["manifest_sha256"].as_str().unwrap().to_owned();
    assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
    (desk, recorded)
}

/// `eacdesk pack --out out/pk --title TITLE`, where the system has no
/// atomic exchange when `no_exchange` (the two renames of Windows).
fn pack_command(desk: &Desk, title: &str, no_exchange: bool) -> assert_cmd::Command {
    let mut cmd = desk.eacdesk();
    if no_exchange {
        cmd.env("EACDESK_NO_EXCHANGE", "1");
    }
    cmd.args(["pack", "--out", "out/pk", "--title", title]);
    cmd
}

/// [`pack_command`] killed at the crash point `point`.
fn stopped_pack(desk: &Desk, point: &str, no_exchange: bool) {
    let out = pack_command(desk, "stopped", no_exchange)
        .env("EACDESK_CRASH_AT", point)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_none(),
        "{point}: the pack was not stopped: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The SHA-256 of the `MANIFEST.json` in `dir`.
fn manifest_of(dir: &Path) -> String {
    sha256_of(&dir.join("MANIFEST.json"))
}

/// The hidden folders of `out`, each with the SHA-256 of its manifest.
fn hidden_packs(desk: &Desk) -> Vec<(String, String)> {
    entries(&desk.path("out"))
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .map(|n| {
            let sha = manifest_of(&desk.path("out").join(&n));
            (n, sha)
        })
        .collect()
}

/// The SHA-256s of the manifests of the packs this database recorded,
/// newest first.
fn recorded_packs(desk: &Desk) -> Vec<String> {
    desk.json(&["pack", "ls"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["manifest_sha256"].as_str().unwrap().to_owned())
        .collect()
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_pack_stopped_after_its_swap_before_its_record_gives_the_recorded_pack_back() {
    for no_exchange in [false, true] {
        for next in ["pack diff", "pack"] {
            let case = format!("no exchange: {no_exchange}, then {next}");
            let (desk, recorded) = desk_with_a_recorded_pack();
            // Stopped with its new pack in place and the recorded one
            // beside it, whole, before the database recorded the new one.
            stopped_pack(&desk, "bundle-after-swap", no_exchange);
            let unrecorded = manifest_of(&desk.path("out/pk"));
            assert_ne!(unrecorded, recorded, "{case}");
            let hidden = hidden_packs(&desk);
            assert_eq!(hidden.len(), 1, "{case}: {hidden:?}");
            let (name, sha) = &hidden[0];
            if no_exchange {
                assert_eq!(name, ".eacdesk-aside-pk", "{case}");
            } else {
                assert!(name.starts_with(".eacdesk-bundle-"), "{case}: {name}");
            }
            assert_eq!(sha, &recorded, "{case}");
            assert_eq!(
                recorded_packs(&desk),
                std::slice::from_ref(&recorded),
                "{case}"
            );

            // Exports into that folder (each repairs and cleans it) leave
            // the recorded pack alone: they used to remove it.
            desk.eacdesk()
                .args(["export", "--profile", "p2", "--out", "out/bundle"])
                .assert()
                .success();
            desk.eacdesk()
                .args(["export", "--profile", "p1", "--out", "out/eacs.json"])
                .assert()
                .success();
            assert_eq!(hidden_packs(&desk), hidden, "{case}");

            // `pack verify`, without the database, says another pack was
            // left beside the one it checks.
            let (code, text) = desk.verify(&desk.path("out/pk"), &[]);
            assert_eq!(code, 0, "{case}: {text}");
            assert!(
                text.contains("was interrupted and left another evidence pack beside it"),
                "{case}: {text}"
            );

            let restored = "was interrupted after it put its new pack in place but before the database recorded it: the pack the database records there (made ";
            let sha_said = format!(
                "MANIFEST.json SHA-256 {recorded}) was put back and the unrecorded one removed."
            );
            if next == "pack diff" {
                let out = desk
                    .eacdesk()
                    .args(["pack", "diff", "out/pk"])
                    .output()
                    .unwrap();
                let text = stdout_of(&out);
                assert_eq!(out.status.code(), Some(0), "{case}: {text}");
                assert!(text.contains(restored), "{case}: {text}");
                assert!(text.contains(&sha_said), "{case}: {text}");
                // Compared as the pack the database records.
                assert!(
                    text.contains("was made from this database on"),
                    "{case}: {text}"
                );
                assert_eq!(manifest_of(&desk.path("out/pk")), recorded, "{case}");
                assert_eq!(
                    recorded_packs(&desk),
                    std::slice::from_ref(&recorded),
                    "{case}"
                );
            } else {
                let out = pack_command(&desk, "again", no_exchange).output().unwrap();
                let text = stdout_of(&out);
                assert_eq!(out.status.code(), Some(0), "{case}: {text}");
                assert!(text.contains(restored), "{case}: {text}");
                assert!(text.contains(&sha_said), "{case}: {text}");
                let packs = recorded_packs(&desk);
                assert_eq!(packs.len(), 2, "{case}");
                assert_eq!(packs[1], recorded, "{case}");
                assert_eq!(manifest_of(&desk.path("out/pk")), packs[0], "{case}");
            }
            assert_eq!(
                entries(&desk.path("out")),
                ["bundle", "eacs.json", "pk"],
                "{case}"
            );
            let (code, text) = desk.verify(&desk.path("out/pk"), &[]);
            assert_eq!(code, 0, "{case}: {text}");
            assert!(!text.contains("interrupted"), "{case}: {text}");
        }
    }
}

#[test]
fn a_pack_stopped_after_its_record_is_completed_and_one_stopped_before_its_swap_undone() {
    for no_exchange in [false, true] {
        // Stopped after the database recorded the new pack, before the
        // earlier one was removed: the new one stays.
        let (desk, first) = desk_with_a_recorded_pack();
        stopped_pack(&desk, "bundle-before-removing-earlier", no_exchange);
        let packs = recorded_packs(&desk);
        assert_eq!(packs.len(), 2);
        assert_eq!(packs[1], first);
        assert_eq!(manifest_of(&desk.path("out/pk")), packs[0]);
        assert_eq!(hidden_packs(&desk).len(), 1);
        assert_eq!(hidden_packs(&desk)[0].1, first);
        let out = desk
            .eacdesk()
            .args(["pack", "diff", "out/pk"])
            .output()
            .unwrap();
        let text = stdout_of(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.contains("was interrupted after the database recorded it, and was completed: the pack it replaced (made "),
            "{text}"
        );
        assert_eq!(manifest_of(&desk.path("out/pk")), packs[0]);
        assert_eq!(entries(&desk.path("out")), ["pk"]);
        let verdict = desk.json(&["pack", "verify", "out/pk"]);
        assert_eq!(verdict["ok"], true);
        assert_eq!(verdict["manifest_sha256"], packs[0].as_str());

        // Stopped with its new pack whole but before its swap: the
        // recorded pack never left its place; the new one is removed.
        let (desk, recorded) = desk_with_a_recorded_pack();
        stopped_pack(&desk, "pack-before-swap", no_exchange);
        assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
        let hidden = hidden_packs(&desk);
        assert_eq!(hidden.len(), 1, "{hidden:?}");
        assert_ne!(hidden[0].1, recorded);
        let out = desk
            .eacdesk()
            .args(["pack", "diff", "out/pk"])
            .output()
            .unwrap();
        let text = stdout_of(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(!text.contains("interrupted"), "{text}");
        assert_eq!(entries(&desk.path("out")), ["pk"]);
        assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
        assert_eq!(recorded_packs(&desk), [recorded]);
    }
}

#[test]
fn a_pack_stopped_between_its_two_renames_leaves_the_recorded_pack_to_the_next_look() {
    // Without an exchange the earlier pack is moved aside, then the new
    // one in: stopped between, nothing is at the place.
    let (desk, recorded) = desk_with_a_recorded_pack();
    stopped_pack(&desk, "bundle-between-renames", true);
    assert!(!desk.path("out/pk").exists());
    // Any export into the folder puts it back first …
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "out/eacs.json"])
        .assert()
        .success();
    assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
    // … and the next pack there removes the one never put in place.
    let out = pack_command(&desk, "again", true).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert_eq!(entries(&desk.path("out")), ["eacs.json", "pk"]);
    let packs = recorded_packs(&desk);
    assert_eq!(packs.len(), 2);
    assert_eq!(packs[1], recorded);
    assert_eq!(manifest_of(&desk.path("out/pk")), packs[0]);
}

/// `eacdesk --db other.sqlite` in `desk`'s folder: another database.
fn other(desk: &Desk) -> assert_cmd::Command {
    let mut cmd = desk.bare();
    cmd.args(["--db", "other.sqlite"]);
    cmd
}

/// Another database `other.sqlite` of 5 sample EACs beside `desk`'s; with
/// `records`, a change of every EAC is in its audit log (so its packs
/// have an audit head), else its log is empty (its first pack has none).
fn other_database(desk: &Desk, records: bool) {
    other(desk)
        .args(["sample", "--eacs", "5", "--seed", "8"])
        .assert()
        .success();
    if records {
        other(desk)
            .args([
                "set",
                "--all-matching",
                "destination_name=Other Utility",
                "--reason",
                "renamed",
                "--yes",
            ])
            .assert()
            .success();
    }
}

/// The manifest SHA-256s of the packs `other.sqlite` records.
fn other_packs(desk: &Desk) -> Vec<String> {
    let out = other(desk)
        .args(["pack", "ls", "--json"])
        .assert()
        .success();
    let packs: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    packs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["manifest_sha256"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_pack_of_another_database_stopped_after_its_swap_is_undone_by_it_when_it_can_tell() {
    // `out/pk` is this database's recorded pack; a pack of another
    // database, which records neither, is stopped after its swap.
    for records in [true, false] {
        let (desk, recorded) = desk_with_a_recorded_pack();
        other_database(&desk, records);
        let out = other(&desk)
            .env("EACDESK_CRASH_AT", "bundle-after-swap")
            .args(["pack", "--out", "out/pk"])
            .output()
            .unwrap();
        assert!(out.status.code().is_none());
        let unfinished = manifest_of(&desk.path("out/pk"));
        assert_ne!(unfinished, recorded);
        let hidden = hidden_packs(&desk);
        let out = other(&desk)
            .args(["pack", "diff", "out/pk"])
            .output()
            .unwrap();
        let text = stdout_of(&out);
        if records {
            // Its pack's audit head is a record of its log: its own, so
            // the place goes back to the pack that was there before.
            assert!(
                text.contains(
                    "was interrupted before it was finished: the pack that was there before it (made "
                ),
                "{text}"
            );
            assert!(
                text.contains(&format!(
                    "SHA-256 {recorded}) was put back and the unfinished one removed."
                )),
                "{text}"
            );
            assert_eq!(entries(&desk.path("out")), ["pk"]);
            assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
        } else {
            // Made from an empty log, its pack cannot be told from the
            // other's (itself made from an empty log): both are left.
            assert!(text.contains("EAC Desk left both as they are"), "{text}");
            assert_eq!(manifest_of(&desk.path("out/pk")), unfinished);
            assert_eq!(hidden_packs(&desk), hidden);
            // Nor can this database tell the unfinished pack its own: the
            // person removes it, and the recorded pack is put back.
            desk.eacdesk()
                .args(["pack", "diff", "out/pk"])
                .assert()
                .stdout(contains("EAC Desk left both as they are"));
            std::fs::remove_dir_all(desk.path("out/pk")).unwrap();
            desk.eacdesk()
                .args(["pack", "diff", "out/pk"])
                .assert()
                .code(0)
                .stdout(contains("in a hidden folder beside it (made "))
                .stdout(contains(format!(
                    "MANIFEST.json SHA-256 {recorded}): it was put back."
                )));
            assert_eq!(entries(&desk.path("out")), ["pk"]);
            assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
        }
        desk.eacdesk()
            .args(["pack", "diff", "out/pk"])
            .assert()
            .code(0)
            .stdout(contains("was made from this database on"));
    }
}

#[test]
fn a_pack_another_database_recorded_is_never_removed_by_settling() {
    // This database recorded `out/pk`; another database packed to the
    // same folder, recorded its pack and was stopped before removing the
    // first, which waits whole in a hidden folder. Neither database may
    // settle the place: each would remove the pack the other records
    // (this one used to put its own back and delete the other's).
    for no_exchange in [false, true] {
        for records in [false, true] {
            for next in ["pack diff", "pack"] {
                let case = format!(
                    "no exchange: {no_exchange}, its log has records: {records}, then {next}"
                );
                let (desk, first) = desk_with_a_recorded_pack();
                other_database(&desk, records);
                let mut cmd = other(&desk);
                if no_exchange {
                    cmd.env("EACDESK_NO_EXCHANGE", "1");
                }
                let out = cmd
                    .env("EACDESK_CRASH_AT", "bundle-before-removing-earlier")
                    .args(["pack", "--out", "out/pk"])
                    .output()
                    .unwrap();
                assert!(out.status.code().is_none(), "{case}");
                let theirs = manifest_of(&desk.path("out/pk"));
                assert_eq!(other_packs(&desk), std::slice::from_ref(&theirs), "{case}");
                let hidden = hidden_packs(&desk);
                assert_eq!(hidden.len(), 1, "{case}: {hidden:?}");
                assert_eq!(hidden[0].1, first, "{case}");
                let hidden_path = desk.path("out").join(&hidden[0].0);
                let place = desk.path("out/pk").canonicalize().unwrap();
                let said = format!(
                    "A pack to {} was interrupted and left more than one evidence pack for it, and one of them is not this database's: at {}, {} (made ",
                    place.display(),
                    place.display(),
                    if records {
                        "a pack made from another database"
                    } else {
                        "a pack made from an empty audit log that this database does not record, perhaps another database's"
                    },
                );
                let beside = format!(
                    "beside it in {}, the pack this database records (made ",
                    hidden_path.canonicalize().unwrap().display()
                );
                let left = "EAC Desk left both as they are, as it never removes or moves a pack another database may record: move the one that is not this database's where it belongs or delete it";

                let (code, told) = if next == "pack diff" {
                    let out = desk
                        .eacdesk()
                        .args(["pack", "diff", "out/pk"])
                        .output()
                        .unwrap();
                    (out.status.code(), stdout_of(&out))
                } else {
                    let out = pack_command(&desk, "again", no_exchange).output().unwrap();
                    (
                        out.status.code(),
                        String::from_utf8_lossy(&out.stderr).into_owned(),
                    )
                };
                // The other database's pack is where it was, and this
                // one's beside it: neither removed.
                assert_eq!(manifest_of(&desk.path("out/pk")), theirs, "{case}: {told}");
                assert_eq!(hidden_packs(&desk), hidden, "{case}: {told}");
                assert_eq!(other_packs(&desk), std::slice::from_ref(&theirs), "{case}");
                assert_eq!(
                    recorded_packs(&desk),
                    std::slice::from_ref(&first),
                    "{case}"
                );
                // Said, with where each pack is.
                assert!(told.contains(&said), "{case}: {told}");
                assert!(told.contains(&beside), "{case}: {told}");
                assert!(told.contains(left), "{case}: {told}");
                if next == "pack diff" {
                    // The pack compared is the other database's, as it is
                    // (its EACs are not these: exit 1).
                    assert_eq!(code, Some(1), "{case}: {told}");
                    assert!(
                        !told.contains("was made from this database"),
                        "{case}: {told}"
                    );
                } else {
                    // A new pack there would replace one of them: refused,
                    // nothing written.
                    assert_eq!(code, Some(2), "{case}: {told}");
                    assert!(
                        told.contains(&format!("Nothing was written to {}.", place.display())),
                        "{case}: {told}"
                    );
                }

                // The other database leaves them too: the pack beside its
                // own is no record of its log.
                let out = other(&desk)
                    .args(["pack", "diff", "out/pk"])
                    .output()
                    .unwrap();
                let text = stdout_of(&out);
                assert_eq!(out.status.code(), Some(0), "{case}: {text}");
                assert!(
                    text.contains("the pack this database records (made "),
                    "{case}: {text}"
                );
                assert!(
                    text.contains(
                        "a pack made from an empty audit log that this database does not record"
                    ),
                    "{case}: {text}"
                );
                assert!(
                    text.contains("was made from this database on"),
                    "{case}: {text}"
                );
                assert_eq!(manifest_of(&desk.path("out/pk")), theirs, "{case}");
                assert_eq!(hidden_packs(&desk), hidden, "{case}");

                // Once the other's pack is moved where it belongs, this
                // database's is put back in its place.
                std::fs::rename(desk.path("out/pk"), desk.path("out/theirs")).unwrap();
                if next == "pack diff" {
                    desk.eacdesk()
                        .args(["pack", "diff", "out/pk"])
                        .assert()
                        .code(0)
                        .stdout(contains(": it was put back."))
                        .stdout(contains("was made from this database on"));
                    assert_eq!(manifest_of(&desk.path("out/pk")), first, "{case}");
                } else {
                    let out = pack_command(&desk, "again", no_exchange).output().unwrap();
                    let text = stdout_of(&out);
                    assert_eq!(out.status.code(), Some(0), "{case}: {text}");
                    assert!(text.contains(": it was put back."), "{case}: {text}");
                    let packs = recorded_packs(&desk);
                    assert_eq!(packs.len(), 2, "{case}");
                    assert_eq!(manifest_of(&desk.path("out/pk")), packs[0], "{case}");
                }
                assert_eq!(entries(&desk.path("out")), ["pk", "theirs"], "{case}");
                assert_eq!(manifest_of(&desk.path("out/theirs")), theirs, "{case}");
                other(&desk)
                    .args(["pack", "diff", "out/theirs"])
                    .assert()
                    .code(0)
                    .stdout(contains("was made from this database on"));
            }
        }
    }
}

#[test]
fn a_place_left_alone_with_no_pack_in_it_is_said_with_the_refusal_to_compare() {
    // Another database's pack to `out/pk`, without an exchange, stopped
    // between its renames: this database's recorded pack is moved aside,
    // the other's new one waits in its hidden folder, nothing is at the
    // place. `pack diff` has nothing to compare, and says why.
    let (desk, first) = desk_with_a_recorded_pack();
    other_database(&desk, true);
    let out = other(&desk)
        .env("EACDESK_NO_EXCHANGE", "1")
        .env("EACDESK_CRASH_AT", "bundle-between-renames")
        .args(["pack", "--out", "out/pk"])
        .output()
        .unwrap();
    assert!(out.status.code().is_none());
    let hidden = hidden_packs(&desk);
    assert_eq!(hidden.len(), 2, "{hidden:?}");
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "out/pk"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("out/pk does not exist"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "beside it in {}, the pack this database records (made ",
            desk.path("out/.eacdesk-aside-pk")
                .canonicalize()
                .unwrap()
                .display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(", a pack made from another database (made "),
        "{stderr}"
    );
    assert!(
        stderr.contains("EAC Desk left both as they are"),
        "{stderr}"
    );
    assert_eq!(hidden_packs(&desk), hidden);
    // The other's unfinished pack deleted, the recorded one goes back.
    let theirs = hidden.iter().find(|(_, sha)| *sha != first).unwrap();
    std::fs::remove_dir_all(desk.path("out").join(&theirs.0)).unwrap();
    desk.eacdesk()
        .args(["pack", "diff", "out/pk"])
        .assert()
        .code(0)
        .stdout(contains(format!(
            "MANIFEST.json SHA-256 {first}): it was put back."
        )));
    assert_eq!(entries(&desk.path("out")), ["pk"]);
}

/// Makes every write that records a pack in `desk`'s database fail at its
/// commit, after the pack's swap, as a full disk would: a trap in the
/// schema, a deferred foreign key that recording a pack breaks.
fn fail_recording_packs(desk: &Desk) {
    rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .execute_batch(
            "CREATE TABLE trap_parent (id INTEGER PRIMARY KEY);
             CREATE TABLE trap (parent INTEGER REFERENCES trap_parent (id) DEFERRABLE INITIALLY DEFERRED);
             CREATE TRIGGER trap_pack AFTER INSERT ON packs BEGIN INSERT INTO trap VALUES (1); END;",
        )
        .unwrap();
}

#[test]
fn a_pack_whose_record_fails_after_its_swap_puts_back_what_was_there_whosever_it_is() {
    // `out/pk` is another database's recorded pack. This database, whose
    // log is empty (its pack has no audit head, so nothing but the command
    // that made it can tell it its own), packs there and its write fails
    // at its commit, after the swap: a trap in this database's schema, a
    // deferred foreign key that recording a pack breaks.
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "10"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("out")).unwrap();
    other_database(&desk, false);
    other(&desk)
        .args(["pack", "--out", "out/pk"])
        .assert()
        .success();
    let theirs = manifest_of(&desk.path("out/pk"));
    fail_recording_packs(&desk);
    for no_exchange in [false, true] {
        let out = pack_command(&desk, "fails", no_exchange).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("held before was put back there."),
            "no exchange: {no_exchange}: {stderr}"
        );
        assert!(!stderr.contains("left both as they are"), "{stderr}");
        assert_eq!(
            entries(&desk.path("out")),
            ["pk"],
            "no exchange: {no_exchange}"
        );
        assert_eq!(manifest_of(&desk.path("out/pk")), theirs);
        assert_eq!(recorded_packs(&desk), Vec::<String>::new());
    }
}

#[test]
fn a_pack_whose_record_fails_where_nothing_was_is_not_kept() {
    // The write that records the pack fails at its commit, after the
    // swap (a deferred foreign key that recording a pack breaks, as a
    // full disk would at the commit): where nothing, or an empty folder,
    // was, the place goes back to that, and the message is true.
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "10"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("out")).unwrap();
    fail_recording_packs(&desk);
    for (empty_folder, no_exchange) in [(false, false), (true, false), (true, true)] {
        if empty_folder {
            std::fs::create_dir(desk.path("out/pk")).unwrap();
        }
        let out = pack_command(&desk, "fails", no_exchange).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("The pack was not kept at ")
                && stderr.contains(
                    "out/pk: a pack stands there only together with its record in the audit log."
                ),
            "empty folder: {empty_folder}: {stderr}"
        );
        if empty_folder {
            assert_eq!(entries(&desk.path("out")), ["pk"], "{stderr}");
            assert_eq!(entries(&desk.path("out/pk")), Vec::<String>::new());
            std::fs::remove_dir(desk.path("out/pk")).unwrap();
        } else {
            assert_eq!(entries(&desk.path("out")), Vec::<String>::new(), "{stderr}");
        }
        assert_eq!(recorded_packs(&desk), Vec::<String>::new());
    }
}

#[test]
fn a_pack_whose_temporary_folder_fails_says_that_folder_not_the_destination() {
    // The P2 bundle's list of files is kept in TMPDIR: its failure (a full
    // temporary folder, here one that is not there) is said as that
    // folder's, with what to do (decision 241), never as the pack's disk.
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "10"])
        .assert()
        .success();
    std::fs::create_dir(desk.path("out")).unwrap();
    let tmp = desk.path("no-such-folder");
    let out = desk
        .eacdesk()
        .env("TMPDIR", &tmp)
        .args(["pack", "--out", "out/pk"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let pack = desk.path("out").canonicalize().unwrap().join("pk");
    assert!(
        stderr.starts_with(&format!(
            "error: Could not keep a working file for {} in the temporary folder {}",
            pack.display(),
            tmp.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "Nothing was written to {}; set TMPDIR to a folder you can write to",
            pack.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with("and make the pack again."),
        "{stderr}"
    );
    assert!(!stderr.contains("pack's listing"), "{stderr}");
    assert_eq!(entries(&desk.path("out")), Vec::<String>::new());
}

#[test]
fn a_pack_moved_aside_that_cannot_be_settled_stops_the_next_pack_and_is_named() {
    // Stopped after both renames, without an exchange; the pack moved
    // aside is held (as a running command would hold it, or as nothing
    // can be judged where folders cannot be locked): the next pack to
    // that place says where it is and changes nothing.
    let (desk, recorded) = desk_with_a_recorded_pack();
    stopped_pack(&desk, "bundle-after-swap", true);
    let aside = desk.path("out/.eacdesk-aside-pk");
    let held = std::fs::File::open(&aside).unwrap();
    held.try_lock().unwrap();
    let unrecorded = manifest_of(&desk.path("out/pk"));
    let out = pack_command(&desk, "again", true).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds the folder an earlier export or pack to"),
        "{stderr}"
    );
    assert!(stderr.contains(".eacdesk-aside-pk"), "{stderr}");
    assert_eq!(manifest_of(&desk.path("out/pk")), unrecorded);
    assert_eq!(manifest_of(&aside), recorded);
    assert_eq!(recorded_packs(&desk), std::slice::from_ref(&recorded));
    // Let go, the next look puts it back.
    drop(held);
    desk.eacdesk()
        .args(["pack", "diff", "out/pk"])
        .assert()
        .code(0)
        .stdout(contains("was put back and the unrecorded one removed"));
    assert_eq!(manifest_of(&desk.path("out/pk")), recorded);
    assert_eq!(entries(&desk.path("out")), ["pk"]);
}

/// Puts the size and SHA-256 of the files `changed` into the pack's
/// manifest and signs it again with its maker's key: a pack only the key
/// holder (or a bug in the writer) can make.
pub(super) fn resign_with_the_makers_key(desk: &Desk, dir: &Path, changed: &[&str]) {
    use ed25519_dalek::Signer as _;
    use sha2::Digest as _;
    let manifest_path = dir.join("MANIFEST.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    for file in manifest["files"].as_array_mut().unwrap() {
        let path = file["path"].as_str().unwrap().to_owned();
        if changed.contains(&path.as_str()) {
            let bytes = std::fs::read(dir.join(&path)).unwrap();
            file["size"] = bytes.len().into();
            file["sha256"] = hex::encode(sha2::Sha256::digest(&bytes)).into();
        }
    }
    let text = format!("{}\n", serde_json::to_string_pretty(&manifest).unwrap());
    std::fs::write(&manifest_path, &text).unwrap();
    let secret = std::fs::read_to_string(desk.path("keys/pack-signing-key.ed25519")).unwrap();
    let secret: [u8; 32] = hex::decode(secret.trim()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&secret);
    let signature = hex::encode(key.sign(text.as_bytes()).to_bytes());
    std::fs::write(dir.join("MANIFEST.sig"), format!("{signature}\n")).unwrap();
}

/// A pack missing one P2 detail file is said to miss it, once (a tester's
/// finding): no second problem calling it "outside the bundle folder" at
/// the maker's path, and no advice of `--details-from`, which `pack
/// verify` does not take.
#[test]
fn a_missing_detail_file_is_one_problem_without_false_advice() {
    let desk = Desk::packable();
    desk.pack("made", &[]);
    // The maker's pack stays where it was made (its `file:` URIs name it);
    // the auditor's copy lacks one detail file.
    let copy = desk.path("received/pack");
    copy_dir(&desk.path("made"), &copy);
    let details = copy.join("p2/eacs");
    let gone = entries(&details).into_iter().next().unwrap();
    std::fs::remove_file(details.join(&gone)).unwrap();
    let (code, out) = desk.verify(&copy, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not verify: 1 problem."), "{out}");
    assert!(
        out.contains(&format!(
            "p2/eacs/{gone} is missing (the manifest lists it)"
        )),
        "{out}"
    );
    assert!(!out.contains("outside"), "{out}");
    assert!(!out.contains("--details-from"), "{out}");
    assert!(!out.contains(desk.path("made").to_str().unwrap()), "{out}");
}

/// The parts of a pack are checked against each other (a tester's
/// observation): a P2 bundle that states an EAC otherwise than `eacs.json`,
/// re-signed with the maker's key, is a problem naming both files.
#[test]
fn a_bundle_that_disagrees_with_the_listing_is_named_even_when_signed() {
    let desk = Desk::packable();
    desk.pack("made", &[]);
    let dir = desk.path("made");
    let (code, out) = desk.verify(&dir, &[]);
    assert_eq!(code, 0, "{out}");

    // One EAC's destination changed in eacs.json only (as text: every
    // other byte stays as written).
    let changed = desk.path("changed");
    copy_dir(&dir, &changed);
    let listing_path = changed.join("eacs.json");
    let (text, ids) = listing_parts(&listing_path);
    let id = ids[3].clone();
    let at = text.find(&format!("\"cds_eac_id\": \"{id}\"")).unwrap();
    let needle = "\"destination_name\": \"";
    let name = at + text[at..].find(needle).unwrap() + needle.len();
    let end = name + text[name..].find('"').unwrap();
    let text = format!("{}Someone Else{}", &text[..name], &text[end..]);
    std::fs::write(&listing_path, text).unwrap();
    resign_with_the_makers_key(&desk, &changed, &["eacs.json"]);
    let (code, out) = desk.verify(&changed, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not verify: 1 problem."), "{out}");
    assert!(
        out.contains(&format!(
            "does not state EAC `{id}` as eacs.json does: the P2 bundle and the P1 listing of the pack disagree"
        )),
        "{out}"
    );
    assert!(out.contains("p2/eacs/"), "{out}");

    // An EAC left out of eacs.json.
    let fewer = desk.path("fewer");
    copy_dir(&dir, &fewer);
    let listing_path = fewer.join("eacs.json");
    #[derive(serde::Deserialize, serde::Serialize)]
    struct Listing {
        eacs: Vec<Box<serde_json::value::RawValue>>,
    }
    let mut listing: Listing =
        serde_json::from_slice(&std::fs::read(&listing_path).unwrap()).unwrap();
    let removed = listing.eacs.remove(0);
    let id = serde_json::from_str::<Value>(removed.get()).unwrap()["cds_eac_id"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::write(&listing_path, serde_json::to_vec(&listing).unwrap()).unwrap();
    resign_with_the_makers_key(&desk, &fewer, &["eacs.json"]);
    let (code, out) = desk.verify(&fewer, &[]);
    assert_eq!(code, 1, "{out}");
    // (An id this long is shown cut, as every id from a file is.)
    assert!(
        out.contains(&format!("eacs.json does not hold EAC `{}", &id[..40]))
            && out.contains("which p2/eacs.json lists: the P1 listing and the P2 bundle"),
        "{out}"
    );
}

/// A pack's `eacs.json` as text, and the ids of its EACs in order.
fn listing_parts(path: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let listing: Value = serde_json::from_str(&text).unwrap();
    let ids = listing["eacs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cds_eac_id"].as_str().unwrap().to_owned())
        .collect();
    (text, ids)
}

/// Runs `change` on the database file as another tool would, then
/// computes every audit record's chain hashes again, as a tool that
/// rewrites the history does: EAC Desk's own triggers are put back as
/// they were, so the log verifies on its own.
fn rewrite_history(desk: &Desk, change: &str) {
    use eac_store::chain::{canonical_json, link, CONTENT_NAMES, GENESIS};
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit_log'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))
            .unwrap();
    }
    conn.execute_batch(change).unwrap();
    let columns: Vec<String> = CONTENT_NAMES.iter().map(|c| format!("\"{c}\"")).collect();
    let rows: Vec<(i64, Vec<Value>)> = conn
        .prepare(&format!(
            "SELECT {} FROM audit_log ORDER BY id",
            columns.join(", ")
        ))
        .unwrap()
        .query_map([], |r| {
            let values = (0..CONTENT_NAMES.len())
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(n) => n.into(),
                        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                        other => panic!("{other:?}"),
                    })
                })
                .collect::<rusqlite::Result<Vec<Value>>>()?;
            Ok((r.get(0)?, values))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = GENESIS.to_owned();
    for (id, values) in rows {
        let hash = link(&prev, &canonical_json(&values));
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![prev, hash, id],
        )
        .unwrap();
        prev = hash;
    }
    for (_, sql) in triggers {
        conn.execute_batch(&sql).unwrap();
    }
}

/// A tester's finding (session 35): a record changed and the chain
/// computed again verified, `pack diff` said "No changes" (exit 0) and a
/// new pack signed the rewritten history. The pack made before holds the
/// head of its time (decision 120).
#[test]
fn a_history_rewritten_after_a_pack_fails_audit_verify_pack_and_pack_diff() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["set", "S1-0000001", "destination_name=X Co"])
        .args(["--reason", "fix name"])
        .assert()
        .success();
    desk.pack("mp1", &[]);
    desk.eacdesk()
        .args(["set", "S1-0000002", "destination_name=Y Co"])
        .args(["--reason", "later fix"])
        .assert()
        .success();
    rewrite_history(
        &desk,
        "UPDATE audit_log SET reason = 'nothing to see' WHERE id = 1",
    );
    let pack = desk.path("mp1").display().to_string();

    // audit verify fails, naming the pack and its last record.
    let out = desk.eacdesk().args(["audit", "verify"]).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for words in [
        "The audit log was changed outside EAC Desk after evidence pack 1 was made: its 3 records verify on their own, but record 1, the pack's last, is no longer what the pack recorded.",
        "Evidence pack 1 (made ",
        &format!(", folder {pack}) ends at record 1 with the hash "),
        "the audit log was changed after that pack was made",
        &format!("`eacdesk pack diff {pack}` names each one that differs from the pack"),
    ] {
        assert!(text.contains(words), "{words}\n{text}");
    }
    let out = desk
        .eacdesk()
        .args(["audit", "verify", "--json"])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["broken"]["id"], 1, "{report}");
    assert_eq!(report["broken"]["pack"]["id"], 1, "{report}");
    assert_eq!(report["broken"]["pack"]["path"], pack.as_str(), "{report}");

    // No pack signs over it.
    desk.eacdesk()
        .args(["pack", "--out", "mp2"])
        .assert()
        .code(2)
        .stderr(contains(
            "the audit log was changed after an earlier evidence pack was made, and a pack made now would sign the changed history",
        ));
    assert!(!desk.path("mp2").exists());

    // pack diff says so plainly and names the record, field by field.
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "mp1"])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("The audit log was changed after this pack was made: this database made the pack, and its log no longer holds the pack's last record (record 1, hash "),
        "{text}"
    );
    assert!(!text.contains("another database"), "{text}");
    assert!(
        text.contains("  record 1 changed\n    reason: \"fix name\" → \"nothing to see\"\n"),
        "{text}"
    );
    // The records since still come with the changes they explain.
    assert!(text.contains("later fix"), "{text}");
    assert!(
        text.contains("; the audit log before the pack was changed."),
        "{text}"
    );
    assert!(!text.contains("No changes since this pack"), "{text}");
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "mp1", "--json"])
        .assert()
        .code(1);
    let diff: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(diff["history_changed"], true);
    assert_eq!(diff["head_found"], false);
    let changes = diff["audit_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{diff}");
    assert_eq!(changes[0]["id"], 1);
    assert_eq!(changes[0]["change"], "changed");
    assert_eq!(
        changes[0]["fields"],
        serde_json::json!([{ "field": "reason", "before": "fix name", "after": "nothing to see" }])
    );
    assert_eq!(diff["edited"][0]["records"][0]["reason"], "later fix");
}

/// A tester's findings (session 35): a packed source document whose
/// stored bytes changed gave "No changes" (exit 0), and an EAC changed
/// with another tool was named without what changed.
#[test]
fn pack_diff_names_a_changed_source_document_and_what_changed_outside_eac_desk() {
    let desk = Desk::packable();
    desk.pack("pack", &[]);
    desk.eacdesk()
        .args(["pack", "diff", "pack"])
        .assert()
        .code(0)
        .stdout(contains("No changes since this pack."));
    let source = format!("sources/{}", only_file(&desk.path("pack").join("sources")));
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let was: String = conn
        .query_row(
            "SELECT v.value FROM eac_values v JOIN eacs e ON e.id = v.eac_id
              WHERE e.cds_eac_id = 'S1-0000002' AND v.position = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(
        "UPDATE eac_values SET value = '9999' WHERE position = 0
            AND eac_id = (SELECT id FROM eacs WHERE cds_eac_id = 'S1-0000002');
         UPDATE documents SET content = content || x'0a';",
    )
    .unwrap();
    drop(conn);

    let out = desk
        .eacdesk()
        .args(["pack", "diff", "pack"])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let edited = text.find("Edited (in both, changed since): 1 EAC").unwrap();
    let line = text[edited..]
        .lines()
        .find(|l| l.starts_with("S1-0000002"))
        .unwrap();
    assert!(
        line.contains(&format!("values[0].value: \"{was}\" → \"9999\"")),
        "{text}"
    );
    assert!(
        line.ends_with("no audit record: changed outside EAC Desk"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{source} changed: the document stored under SHA-256 "
        )),
        "{text}"
    );
    assert!(
        text.contains("; 1 source document not stored as packed."),
        "{text}"
    );
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "pack", "--json"])
        .assert()
        .code(1);
    let diff: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let eac = &diff["edited"][0];
    assert_eq!(eac["unrecorded"], true, "{diff}");
    assert_eq!(
        eac["fields"],
        serde_json::json!([{ "field": "values[0].value", "before": was, "after": "9999" }])
    );
    assert_eq!(diff["sources"][0]["file"], source.as_str());
    assert_eq!(diff["sources"][0]["change"], "changed");
    assert_ne!(
        diff["sources"][0]["stored_sha256"],
        diff["sources"][0]["sha256"]
    );

    // An EAC row deleted with another tool: said so.
    rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .execute("DELETE FROM eacs WHERE cds_eac_id = 'S1-0000005'", [])
        .unwrap();
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "pack"])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("S1-0000005 (deleted)"))
        .unwrap();
    assert!(
        line.contains("deleted outside EAC Desk (no audit record)"),
        "{text}"
    );
}

/// A reviewer's finding (session 35): a stored document changed into TEXT
/// (`UPDATE documents SET content = 'x'`, as `sqlite3` leaves it) made
/// `check`, `show` and `pack` stop with a column-type error instead of
/// naming the changed document. `show` hashes its sources only when asked
/// (`--verify`); a filtered `check` hashes only the selected EACs'
/// documents, an unfiltered one every document.
#[test]
fn a_document_changed_into_text_is_named_as_changed_by_check_show_and_pack() {
    let desk = Desk::packable();
    let necs = desk.ids(&["--search", "eecs:"]);
    assert_eq!(necs.len(), 1, "{necs:?}");
    let id = necs[0].as_str();
    let stored = desk.json(&["show", id])["sources"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .execute("UPDATE documents SET content = 'x'", [])
        .unwrap();
    use sha2::Digest;
    let found = hex::encode(sha2::Sha256::digest(b"x"));
    let named = format!(
        "necs-cancellation-statement-sample.pdf (source of 1 EAC): stored as SHA-256 {stored}, its bytes now have {found}"
    );

    desk.eacdesk()
        .args(["check"])
        .assert()
        .code(1)
        .stdout(contains(named.as_str()));
    desk.eacdesk()
        .args(["check", "--search", "eecs:"])
        .assert()
        .code(1)
        .stdout(contains(named.as_str()));
    // The sample EACs came from no document: none is read.
    desk.eacdesk()
        .args(["check", "--search", "S1-"])
        .assert()
        .success()
        .stdout(contains("stored document").not());

    // `show` reads no document unless asked to verify them.
    desk.eacdesk()
        .args(["show", id])
        .assert()
        .success()
        .stdout(contains("CHANGED").not())
        .stdout(contains("`--verify` checks the stored copies"));
    assert!(desk.json(&["show", id])["sources"][0]
        .get("altered_sha256")
        .is_none());
    desk.eacdesk()
        .args(["show", id, "--verify"])
        .assert()
        .success()
        .stdout(contains(format!(
            "CHANGED: its bytes in the database now have the SHA-256 {found}"
        )));
    assert_eq!(
        desk.json(&["show", id, "--verify"])["sources"][0]["altered_sha256"],
        found.as_str()
    );

    desk.eacdesk()
        .args(["pack", "--out", "p"])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "The stored document necs-cancellation-statement-sample.pdf is no longer the one that \
             was imported: it was stored with the SHA-256 {stored}, and its bytes in the \
             database now have the SHA-256 {found}"
        )));
    assert!(!desk.path("p").exists());
}

// ---- A pack's own files are read only as the regular files they must be ----

/// What an adversarial run of `eacdesk` did: its exit code when it ended
/// by itself within [`PROMPTLY`] (`None`: it hung and was killed), and
/// its standard output and error together.
pub(crate) struct Bounded {
    pub(crate) code: Option<i32>,
    pub(crate) said: String,
}

/// How long a refusal may take; a pack of five EACs verifies in well under
/// a second.
const PROMPTLY: std::time::Duration = std::time::Duration::from_secs(20);

impl Desk {
    /// `eacdesk ARGS` (with this desk's database when `db`) in a child of
    /// its own, with 3 GB of address space (an unbounded read aborts
    /// rather than taking the machine's memory), killed when it has not
    /// ended after [`PROMPTLY`].
    pub(crate) fn bounded(&self, db: bool, args: &[&std::ffi::OsStr]) -> Bounded {
        use std::process::{Command, Stdio};
        let out = self.path("bounded.out");
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "ulimit -v 3000000 && exec \"$@\"", "sh"])
            .arg(env!("CARGO_BIN_EXE_eacdesk"));
        if db {
            cmd.arg("--db").arg(self.path("desk.sqlite"));
        }
        let file = std::fs::File::create(&out).unwrap();
        let mut child = cmd
            .args(args)
            .env_remove("EACDESK_DB")
            .env("EACDESK_KEY_DIR", self.path("keys"))
            .env("EACDESK_CONFIG_DIR", self.path("config"))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let code = loop {
            if let Some(status) = child.try_wait().unwrap() {
                // Killed by a signal (an abort): no code, but it ended.
                break Some(status.code().unwrap_or(-1));
            }
            if started.elapsed() > PROMPTLY {
                child.kill().unwrap();
                child.wait().unwrap();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        Bounded {
            code,
            said: String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned(),
        }
    }
}

/// A named pipe at `path` (in place of what was there).
pub(crate) fn fifo_at(path: &Path) {
    if path.exists() {
        std::fs::remove_file(path).unwrap();
    }
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

/// A symbolic link at `path` (in place of what was there) to `target`.
pub(crate) fn link_at(path: &Path, target: &Path) {
    if path.is_dir() && !path.is_symlink() {
        std::fs::remove_dir_all(path).unwrap();
    } else if path.symlink_metadata().is_ok() {
        std::fs::remove_file(path).unwrap();
    }
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// Packs travel as archives, and an archive keeps links and named pipes
/// (security finding 2): in place of a pack's manifest, signature, audit
/// log, listing or bundle, a link to /dev/zero or to files outside the
/// pack, or a named pipe, is named as what it is and never followed or
/// opened. `pack verify` and `pack diff` end promptly by themselves,
/// within bounded memory, say the pack does not verify, and quote nothing
/// of the files outside (whose EAC id is `ZZ-OUTSIDE-SECRET`).
#[cfg(unix)]
#[test]
fn links_and_named_pipes_in_a_pack_are_named_never_followed_or_opened() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "5"])
        .assert()
        .success();
    desk.pack("made", &[]);
    let made = desk.path("made");
    assert_eq!(desk.verify(&made, &[]).0, 0);

    // Outside the pack: a listing and a bundle holding an EAC of another id.
    const SECRET: &str = "ZZ-OUTSIDE-SECRET";
    let listing = std::fs::read_to_string(made.join("eacs.json")).unwrap();
    let first = listing.split('"').nth(5).unwrap().to_owned();
    assert!(first.starts_with("S1-"), "{first}");
    let outside = desk.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("listing.json"),
        listing.replace(&first, SECRET),
    )
    .unwrap();
    copy_dir(&made.join("p2"), &outside.join("bundle"));
    let bundled = outside.join("bundle/eacs.json");
    let text = std::fs::read_to_string(&bundled).unwrap();
    std::fs::write(&bundled, text.replace(&first, SECRET)).unwrap();

    /// What is done to a copy of the pack.
    type Tamper = Box<dyn Fn(&Path)>;
    let zero = Path::new("/dev/zero");
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "audit.jsonl a link to /dev/zero",
            Box::new(move |p: &Path| link_at(&p.join("audit.jsonl"), zero)),
            "audit.jsonl is a symbolic link, not a regular file",
        ),
        (
            "MANIFEST.json a named pipe",
            Box::new(|p: &Path| fifo_at(&p.join("MANIFEST.json"))),
            "MANIFEST.json is a named pipe, not a regular file",
        ),
        (
            "MANIFEST.sig a named pipe",
            Box::new(|p: &Path| fifo_at(&p.join("MANIFEST.sig"))),
            "MANIFEST.sig is a named pipe, not a regular file",
        ),
        (
            "audit.jsonl a named pipe",
            Box::new(|p: &Path| fifo_at(&p.join("audit.jsonl"))),
            "audit.jsonl is a named pipe, not a regular file",
        ),
        (
            "eacs.json a link outside",
            Box::new({
                let to = outside.join("listing.json");
                move |p: &Path| link_at(&p.join("eacs.json"), &to)
            }),
            "eacs.json is a symbolic link, not a regular file",
        ),
        (
            "p2 a link outside",
            Box::new({
                let to = outside.join("bundle");
                move |p: &Path| link_at(&p.join("p2"), &to)
            }),
            "p2 is a symbolic link, not a folder",
        ),
        (
            "p2/server-metadata.json a link to /dev/zero",
            Box::new(move |p: &Path| link_at(&p.join("p2/server-metadata.json"), zero)),
            "p2/server-metadata.json is a symbolic link, not a regular file",
        ),
        (
            "a detail file a link to another of the bundle",
            Box::new(|p: &Path| {
                // A link that stays inside the pack is not followed either.
                let details = p.join("p2/eacs");
                let names = entries(&details);
                link_at(&details.join(&names[0]), Path::new(&names[1]));
            }),
            "is a symbolic link or is reached through one, and links are not followed",
        ),
        (
            "p2/eacs.json a named pipe",
            Box::new(|p: &Path| fifo_at(&p.join("p2/eacs.json"))),
            "p2/eacs.json is a named pipe, not a regular file",
        ),
    ];
    for (what, tamper, named) in cases {
        let copy = desk.path(&format!("tampered-{}", what.replace([' ', '/'], "-")));
        copy_dir(&made, &copy);
        tamper(&copy);
        let verify = desk.bounded(false, &["pack".as_ref(), "verify".as_ref(), copy.as_ref()]);
        let said = &verify.said;
        assert_eq!(
            verify.code,
            Some(1),
            "{what}: it did not end by itself: {said}"
        );
        assert!(
            said.starts_with(&format!(
                "The evidence pack {} does not verify:",
                copy.display()
            )),
            "{what}: {said}"
        );
        assert!(said.contains(named), "{what}: {said}");
        assert!(
            !said.contains(SECRET),
            "{what}: read outside the pack: {said}"
        );
        // `pack diff` reads the same files: it ends by itself too, and
        // reads nothing outside the pack.
        let diff = desk.bounded(true, &["pack".as_ref(), "diff".as_ref(), copy.as_ref()]);
        assert!(
            matches!(diff.code, Some(0..=2)),
            "{what}: pack diff did not end by itself ({:?}): {}",
            diff.code,
            diff.said
        );
        assert!(!diff.said.contains(SECRET), "{what}: {}", diff.said);
    }
    // The pack as made is untouched, and so are the files outside.
    assert_eq!(desk.verify(&made, &[]).0, 0);

    // A pack made to a folder whose manifest is a named pipe: its
    // destination is looked at without waiting on the pipe, and refused.
    let place = desk.path("piped");
    std::fs::create_dir_all(&place).unwrap();
    fifo_at(&place.join("MANIFEST.json"));
    let pack = desk.bounded(true, &["pack".as_ref(), "--out".as_ref(), place.as_ref()]);
    assert_eq!(
        pack.code,
        Some(2),
        "it did not end by itself: {}",
        pack.said
    );
    assert!(
        pack.said.contains(
            "already exists and is not an EAC Desk evidence pack (it holds MANIFEST.json)"
        ),
        "{}",
        pack.said
    );
}

/// An `audit.jsonl` line longer than any audit record (64 MiB) is named and
/// not read further: the chain is not checked past it.
#[test]
fn an_audit_line_longer_than_any_record_is_named_not_read_whole() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "2"])
        .assert()
        .success();
    desk.pack("made", &[]);
    let audit = desk.path("made/audit.jsonl");
    let mut text = std::fs::read(&audit).unwrap();
    let line = text.iter().filter(|b| **b == b'\n').count() + 1;
    text.extend(std::iter::repeat_n(b' ', 64 << 20));
    text.extend(b"{}\n");
    std::fs::write(&audit, text).unwrap();
    let (code, out) = desk.verify(&desk.path("made"), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "line {line} of audit.jsonl is longer than 67108864 bytes, longer than any audit record: the audit chain cannot be checked past it"
        )),
        "{out}"
    );
}

/// The manifest of the pack `dir` changed by `change`, signed again with
/// its maker's key (as a pack made by another version would be).
fn remanifest(desk: &Desk, dir: &Path, change: impl FnOnce(&mut Value)) {
    let path = dir.join("MANIFEST.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    change(&mut manifest);
    let text = format!("{}\n", serde_json::to_string_pretty(&manifest).unwrap());
    std::fs::write(&path, text).unwrap();
    resign_with_the_makers_key(desk, dir, &[]);
}

/// A tester's finding (session 42, EVID 3): nothing in a pack said which
/// registry document (nor which line or page of it) each EAC came from.
/// `source-documents.csv` says it, a row per EAC and document, as `show`
/// numbers and places them; it is listed and hashed like every file, and
/// `pack verify` holds each path it names to a source document of the
/// pack. A pack made before it (no index) still verifies.
#[test]
fn a_pack_ties_each_eac_to_the_document_and_place_it_came_from() {
    let desk = Desk::packable();
    desk.pack("pk", &[]);
    let pack = desk.path("pk");
    let document = format!("sources/{}", only_file(&pack.join("sources")));
    let bytes = std::fs::read(pack.join(&document)).unwrap();
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let index = std::fs::read_to_string(pack.join("source-documents.csv")).unwrap();
    let mut lines = index.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "cds_eac_id,source,path,sha256,size,format,place,range,file_name,imported_at"
    );
    let rows: Vec<Vec<String>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    // Every EAC of the document, each as `show` gives its source 1.
    // (The sample EACs, `S1-0000000`, came from no document.)
    let registry: Vec<String> = desk.json(&["ls", "--limit", "100"])["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cds_eac_id"].as_str().unwrap().to_owned())
        .filter(|id| id.contains(':'))
        .collect();
    assert!(!registry.is_empty());
    assert_eq!(rows.len(), registry.len(), "{index}");
    for row in &rows {
        assert!(registry.contains(&row[0]), "{row:?}");
        let shown = &desk.json(&["show", &row[0]])["sources"][0];
        assert_eq!(row[1], "1");
        assert_eq!(row[2], document);
        assert_eq!(row[3], sha256);
        assert_eq!(row[4], bytes.len().to_string());
        assert_eq!(row[5], shown["format"].as_str().unwrap());
        assert_eq!(row[6], shown["locator"].as_str().unwrap());
        assert!(row[6].starts_with("page "), "{row:?}");
        assert_eq!(row[8], shown["file_name"].as_str().unwrap());
    }
    let manifest = std::fs::read_to_string(pack.join("MANIFEST.json")).unwrap();
    assert!(
        manifest.contains("\"path\": \"source-documents.csv\""),
        "{manifest}"
    );
    let (code, text) = desk.verify(&pack, &[]);
    assert_eq!(code, 0, "{text}");

    // An index naming a document the pack does not hold, signed again.
    let named = desk.path("named");
    copy_dir(&pack, &named);
    let changed = index.replacen(&document, "sources/0123456789ab-other.pdf", 1);
    std::fs::write(named.join("source-documents.csv"), changed).unwrap();
    resign_with_the_makers_key(&desk, &named, &["source-documents.csv"]);
    let (code, text) = desk.verify(&named, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "source-documents.csv line 2 names sources/0123456789ab-other.pdf, which is not a source document the manifest lists"
        ),
        "{text}"
    );

    // A pack made before the index (and before claims were counted).
    let older = desk.path("older");
    copy_dir(&pack, &older);
    std::fs::remove_file(older.join("source-documents.csv")).unwrap();
    remanifest(&desk, &older, |m| {
        m["files"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["path"] != "source-documents.csv");
        m["counts"].as_object_mut().unwrap().remove("claims");
    });
    let (code, text) = desk.verify(&older, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("  claims            not counted"), "{text}");
}

/// Puts every listed file's size and SHA-256 into the pack's manifest,
/// lets `edit` change the manifest, and signs it with `secret` (a key of
/// anyone's: its public half and fingerprint go into the manifest), as
/// anyone holding the pack can with a script.
fn resign_with(dir: &Path, secret: [u8; 32], edit: impl FnOnce(&mut Value)) -> String {
    use ed25519_dalek::Signer as _;
    use sha2::Digest as _;
    let manifest_path = dir.join("MANIFEST.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    for file in manifest["files"].as_array_mut().unwrap() {
        let bytes = std::fs::read(dir.join(file["path"].as_str().unwrap())).unwrap();
        file["size"] = bytes.len().into();
        file["sha256"] = hex::encode(sha2::Sha256::digest(&bytes)).into();
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&secret);
    let public = key.verifying_key().to_bytes();
    let digest = hex::encode(&sha2::Sha256::digest(public)[..16]);
    let fingerprint = (0..8)
        .map(|i| &digest[i * 4..i * 4 + 4])
        .collect::<Vec<_>>()
        .join("-");
    manifest["key"] = serde_json::json!({
        "algorithm": "ed25519",
        "public_key": hex::encode(public),
        "fingerprint": fingerprint,
    });
    edit(&mut manifest);
    let text = format!("{}\n", serde_json::to_string_pretty(&manifest).unwrap());
    std::fs::write(&manifest_path, &text).unwrap();
    let signature = hex::encode(key.sign(text.as_bytes()).to_bytes());
    std::fs::write(dir.join("MANIFEST.sig"), format!("{signature}\n")).unwrap();
    fingerprint
}

/// The maker's secret key, as `resign_with` takes it.
fn makers_secret(desk: &Desk) -> [u8; 32] {
    let secret = std::fs::read_to_string(desk.path("keys/pack-signing-key.ed25519")).unwrap();
    hex::decode(secret.trim()).unwrap().try_into().unwrap()
}

/// The first EAC of a pack's `eacs.json` given another destination name
/// (a text the totals do not add up): its id.
fn forge_first_destination(dir: &Path) -> String {
    let path = dir.join("eacs.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let listing: Value = serde_json::from_str(&text).unwrap();
    let id = listing["eacs"][0]["cds_eac_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = text.replacen(
        "\"destination_name\": \"",
        "\"destination_name\": \"Forged ",
        1,
    );
    std::fs::write(&path, text).unwrap();
    id
}

/// `pack diff`: exit code and standard output.
fn diff_of(desk: &Desk, dir: &str) -> (i32, String) {
    let out = desk.eacdesk().args(["pack", "diff", dir]).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// A tester's finding (session 42): a pack of this database changed and
/// signed again by someone else was called this database's ("made by a
/// role that reads only"), and `pack diff` said "No changes", exit 0, or
/// blamed the database for the pack's change. A pack made at the moment
/// and from the audit head of a recorded pack, with another manifest, is
/// said not to be that pack, naming both manifests and signers (exit 1).
#[test]
fn a_pack_signed_again_is_never_called_the_one_this_database_recorded() {
    let desk = Desk::packable();
    let report = desk.pack("pack", &[]);
    let recorded_sha = report["manifest_sha256"].as_str().unwrap().to_owned();
    let own_key = report["key_fingerprint"].as_str().unwrap().to_owned();

    // (a) A figure of the claim statement changed, signed by a stranger.
    copy_dir(&desk.path("pack"), &desk.path("forged"));
    let csv = desk.path("forged/claim-statement.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen(',', ",9", 1)).unwrap();
    let stranger = resign_with(&desk.path("forged"), [7; 32], |_| {});
    assert_eq!(desk.verify(&desk.path("forged"), &[]).0, 0);
    let given_sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(
            std::fs::read(desk.path("forged/MANIFEST.json")).unwrap(),
        ))
    };
    let (code, text) = diff_of(&desk, "forged");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("is not the pack this database recorded: it claims to be pack 1 (made "),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "its MANIFEST.json has the SHA-256 {}…, not pack 1's {}…, and it is signed by the key {stranger}, not by pack 1's key {own_key}",
            &given_sha[..16],
            &recorded_sha[..16]
        )),
        "{text}"
    );
    assert!(text.contains("do not rely on it"), "{text}");
    assert!(!text.contains("reads only"), "{text}");
    assert!(!text.contains("No changes since this pack"), "{text}");
    assert!(
        text.contains("; the pack is not pack 1 as recorded."),
        "{text}"
    );
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "forged", "--json"])
        .assert()
        .code(1);
    let diff: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(diff["not_the_recorded"]["id"], 1, "{diff}");
    assert_eq!(diff["key_recorded"], false, "{diff}");

    // (b) An EAC changed in the pack, signed again with the maker's own
    // key: the same words, the same key, and the EAC's difference is not
    // called a change outside EAC Desk.
    copy_dir(&desk.path("pack"), &desk.path("forged2"));
    let id = forge_first_destination(&desk.path("forged2"));
    resign_with(&desk.path("forged2"), makers_secret(&desk), |_| {});
    let (code, text) = diff_of(&desk, "forged2");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "not pack 1's {}…, and it is signed by the same key {own_key}",
            &recorded_sha[..16]
        )),
        "{text}"
    );
    let line = text.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        line.ends_with("no audit record; the pack is not pack 1 as recorded: may be its change"),
        "{text}"
    );
    assert!(!text.contains("changed outside EAC Desk"), "{text}");

    // A pack of this head at another moment, signed by a key no recorded
    // pack was: both explanations, never only the innocent one.
    copy_dir(&desk.path("pack"), &desk.path("unknown"));
    let stranger = resign_with(&desk.path("unknown"), [9; 32], |m| {
        m["created_at"] = "2030-01-01T00:00:00Z".into();
    });
    let (code, text) = diff_of(&desk, "unknown");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("it is signed by the key {stranger}, which signed no pack recorded here: it was made without a record by someone else (a role that reads only, or from a read-only copy), or it is a pack of this database changed and signed again by someone else")),
        "{text}"
    );
    assert!(text.contains("--key FINGERPRINT"), "{text}");

    // The pack as made is still this database's, unchanged.
    let (code, text) = diff_of(&desk, "pack");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("No changes since this pack."), "{text}");
}

/// A tester's finding (session 42): an EAC whose line in the pack's
/// `eacs.json` was changed (the file fails its SHA-256) was listed as
/// "no audit record: changed outside EAC Desk", sending the user after
/// someone who edited the database. Its difference is said to be read
/// from a pack that does not verify; a change made to the database with
/// another tool, the pack intact, still is one outside EAC Desk.
#[test]
fn a_difference_read_from_a_changed_pack_is_not_blamed_on_the_database() {
    let desk = Desk::packable();
    desk.pack("pack", &[]);
    copy_dir(&desk.path("pack"), &desk.path("changed"));
    let id = forge_first_destination(&desk.path("changed"));
    let (code, text) = diff_of(&desk, "changed");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("the pack was changed after it was made, so an EAC below that differs without an audit record may differ because the pack changed, not this database."),
        "{text}"
    );
    let line = text.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(line.contains("destination_name: \"Forged "), "{text}");
    assert!(
        line.ends_with("no audit record; the pack does not verify: may be its change"),
        "{text}"
    );
    assert!(!text.contains("changed outside EAC Desk"), "{text}");
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "changed", "--json"])
        .assert()
        .code(1);
    let diff: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(diff["pack_changed"], true, "{diff}");
    assert_eq!(diff["edited"][0]["unrecorded"], false, "{diff}");
    // The pack as made: intact, and not marked changed.
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "pack", "--json"])
        .assert()
        .code(0);
    let diff: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(diff["pack_changed"], false, "{diff}");
    assert_eq!(diff["key_recorded"], true, "{diff}");
}

/// A tester's finding (session 42): a manifest whose `counts.audit_records`
/// disagreed with `audit.jsonl` was reported as "holds 1 records; the
/// manifest says 1", the figure of another member. Each member is named
/// with its own figure.
#[test]
fn a_wrong_audit_record_count_names_the_member_and_its_figure() {
    let desk = Desk::packable();
    desk.pack("pack", &[]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(desk.path("pack/MANIFEST.json")).unwrap()).unwrap();
    let records = manifest["audit"]["records"].as_u64().unwrap();
    let held = if records == 1 {
        "1 record".to_owned()
    } else {
        format!("{records} records")
    };
    copy_dir(&desk.path("pack"), &desk.path("cnt"));
    resign_with(&desk.path("cnt"), makers_secret(&desk), |m| {
        m["counts"]["audit_records"] = (records + 4).into();
    });
    let (code, text) = desk.verify(&desk.path("cnt"), &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "  audit.jsonl holds {held}, but the manifest's counts.audit_records says {}\n",
            records + 4
        )),
        "{text}"
    );
    assert!(text.contains("does not verify: 1 problem."), "{text}");
    // Both members wrong by as much: one problem naming both.
    resign_with(&desk.path("cnt"), makers_secret(&desk), |m| {
        m["audit"]["records"] = (records + 4).into();
    });
    let (code, text) = desk.verify(&desk.path("cnt"), &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "audit.jsonl holds {held}, but the manifest's audit.records and counts.audit_records say {}",
            records + 4
        )),
        "{text}"
    );
}

/// A tester's finding (session 42): the folder a zip of a pack unzips
/// into (`unz/pack`) was named by its parent and called a pack that
/// "does not verify" (exit 1: "ask its maker for the pack as it was
/// made") by `pack verify`, and no pack (exit 2) by `pack diff`. A folder
/// with none of a pack's files is no pack for both (exit 2), naming the
/// pack one level down; a pack that lost its manifest does not verify
/// for both (exit 1).
#[test]
fn a_folder_holding_a_pack_one_level_down_points_at_it() {
    let desk = Desk::packable();
    desk.pack("pack", &[]);
    copy_dir(&desk.path("pack"), &desk.path("unz/pack"));
    // A hidden one (as an interrupted pack moves one aside) is not named.
    copy_dir(&desk.path("pack"), &desk.path("unz/.eacdesk-aside-pack"));
    let inside = desk.path("unz").join("pack");
    for args in [&["pack", "verify", "unz"][..], &["pack", "diff", "unz"]] {
        desk.eacdesk()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(
                "unz holds no evidence pack: it has no MANIFEST.json, MANIFEST.sig, eacs.json or audit.jsonl, but unz/pack does: name that folder instead",
            ));
    }
    assert_eq!(desk.verify(&inside, &[]).0, 0);
    std::fs::create_dir(desk.path("empty")).unwrap();
    for args in [&["pack", "verify", "empty"][..], &["pack", "diff", "empty"]] {
        desk.eacdesk()
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(
                "empty holds no evidence pack: it has no MANIFEST.json, MANIFEST.sig, eacs.json or audit.jsonl; name the evidence pack's folder (the one that holds MANIFEST.json)",
            ));
    }
    // A pack whose manifest was removed is a pack that does not verify.
    std::fs::remove_file(desk.path("unz/pack/MANIFEST.json")).unwrap();
    let (code, text) = desk.verify(&inside, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("MANIFEST.json is missing"), "{text}");
    desk.eacdesk()
        .args(["pack", "diff"])
        .arg(&inside)
        .assert()
        .code(1)
        .stderr(contains(
            "does not verify and has no readable MANIFEST.json, so there is nothing to compare it with",
        ));
}

/// The commands of docs/packs.md, "Verifying a pack without EAC Desk",
/// run in one shell in the pack `dir`: exit code and output.
fn documented_verification(dir: &Path) -> (i32, String) {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/packs.md"),
    )
    .unwrap();
    let section = &doc[doc
        .find("## Verifying a pack without EAC Desk")
        .expect("docs/packs.md has the section")..];
    let script: Vec<&str> = section
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert!(script.len() >= 5, "{script:?}");
    let out = std::process::Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", &script.concat()])
        .current_dir(dir)
        .output()
        .expect("bash runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A tester's finding (session 42, EVID 5): no document said how to check
/// a pack without EAC Desk. docs/packs.md does, with sha256sum, python3
/// and openssl; this runs its commands as written on a pack EAC Desk made
/// (so the documented signature, fingerprint, file and chain rules are the
/// ones EAC Desk uses) and on changed copies, which they must refuse.
#[test]
fn the_documented_verification_without_eac_desk_holds_on_a_real_pack() {
    for tool in ["python3", "openssl", "sha256sum"] {
        let found = std::process::Command::new(tool)
            .arg(if tool == "openssl" {
                "version"
            } else {
                "--version"
            })
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(found, "the documented verification needs {tool}");
    }
    let desk = Desk::packable();
    let report = desk.pack("pk", &[]);
    let pack = desk.path("pk");
    let (code, text) = documented_verification(&pack);
    assert_eq!(code, 0, "{text}");
    let fingerprint = report["key_fingerprint"].as_str().unwrap();
    assert!(
        text.contains(&format!("signing key fingerprint: {fingerprint}\n")),
        "{text}"
    );
    assert!(text.contains("Signature Verified Successfully"), "{text}");
    assert!(
        text.contains("every listed file has its SHA-256; no file was added"),
        "{text}"
    );
    let records = report["audit_records"].as_u64().unwrap();
    assert!(records > 1);
    assert!(
        text.contains(&format!(
            "audit chain of {records} records ({records} shown, 0 redacted) ends at the manifest's head {}",
            report["audit_head"].as_str().unwrap()
        )),
        "{text}"
    );
    assert!(
        text.contains("1 source document, 1 named in source-documents.csv; 0 recorded claims"),
        "{text}"
    );

    // A pack of some EACs only: the others' records are redacted, their
    // hashes kept, and the chain still holds.
    let rows = desk.json(&["ls", "--limit", "100"])["rows"].clone();
    let registry = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cds_eac_id"].as_str().unwrap().contains(':'))
        .unwrap()["source_id"]
        .as_str()
        .unwrap()
        .to_owned();
    desk.pack("some", &["--exclude", &format!("source={registry}")]);
    let (code, text) = documented_verification(&desk.path("some"));
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains(", 0 redacted)"), "{text}");
    assert!(
        text.contains("0 source documents, 0 named in source-documents.csv"),
        "{text}"
    );

    // A changed file.
    let changed = desk.path("changed");
    copy_dir(&pack, &changed);
    flip_a_byte(&changed.join("eacs.json"));
    let (code, text) = documented_verification(&changed);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("eacs.json: FAILED"), "{text}");

    // A signature of another manifest.
    let unsigned = desk.path("unsigned");
    copy_dir(&pack, &unsigned);
    let manifest = std::fs::read_to_string(unsigned.join("MANIFEST.json")).unwrap();
    std::fs::write(
        unsigned.join("MANIFEST.json"),
        manifest.replacen("\"title\": \"", "\"title\": \"X", 1),
    )
    .unwrap();
    let (code, text) = documented_verification(&unsigned);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("Signature Verification Failure"), "{text}");

    // A record's reason changed, its file hashed and signed again: only
    // the chain shows it.
    let rewritten = desk.path("rewritten");
    copy_dir(&pack, &rewritten);
    let audit = std::fs::read_to_string(rewritten.join("audit.jsonl")).unwrap();
    assert!(audit.contains("from the registry account"));
    std::fs::write(
        rewritten.join("audit.jsonl"),
        audit.replacen("from the registry account", "from another account", 1),
    )
    .unwrap();
    resign_with_the_makers_key(&desk, &rewritten, &["audit.jsonl"]);
    let (code, text) = documented_verification(&rewritten);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains(": its content does not match its hash"),
        "{text}"
    );
    assert_eq!(desk.verify(&rewritten, &[]).0, 1);
}
