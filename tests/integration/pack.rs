//! Issue 12 items 2–4: evidence packs made from a real store (sample EACs
//! and a completed registry statement), verified on their own, every kind
//! of tampering detected and named, copies that still verify, what changed
//! in the database since a pack, and packs refused without writing.

use std::fs;
use std::path::{Path, PathBuf};

use eac_app::{
    AuditAction, BeneficiaryAssignment, BeneficiaryType, DeleteTarget, EacFilter, ErrorCode,
    ExportProfile, FieldValue, ImportOptions, ImportOutcome, Manifest, NoProgress, PackVerdict,
    Phase, Progress, SettableField, Store,
};
use eac_store::Reason;
use eac_tests::{folder_entries, sha256_file, temp_store, TempStore};
use ed25519_dalek::{Signer, SigningKey};

const NECS: &str = "eecs-go/necs-cancellation-statement-sample.pdf";
const DK: &str = "eecs-go/dk-cancellation-statement-sample.pdf";

fn registry_sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/eac-registry/tests/fixtures")
        .join(rel)
}

fn import(store: &mut Store, path: &Path) {
    let report = eac_app::import_files(
        store,
        &[path.to_owned()],
        ImportOptions::default(),
        &NoProgress,
    );
    let file = &report.files[0];
    assert_eq!(file.outcome, ImportOutcome::Imported, "{file:#?}");
}

fn incomplete() -> EacFilter {
    EacFilter {
        incomplete: Some(true),
        ..EacFilter::default()
    }
}

/// Completes every incomplete EAC as a person would (audited `set`,
/// then a beneficiary).
fn complete_all(store: &mut Store) {
    let ids: Vec<String> = store
        .browse(&eac_app::BrowseQuery {
            filter: incomplete(),
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect();
    let values: Vec<FieldValue> = [
        (SettableField::DestinationId, "UTIL-1"),
        (SettableField::DestinationName, "Demo Utility"),
        (SettableField::AssetOrigination, "region"),
        (SettableField::AssetDestination, "grid"),
        (SettableField::EmissionsFactorDirect, "0"),
        (SettableField::EmissionsFactorLca, "0.011"),
        (SettableField::Issued, "2021-01-15"),
        (SettableField::Retired, "2021-12-31"),
    ]
    .into_iter()
    .map(|(field, value)| FieldValue {
        field,
        value: value.into(),
    })
    .collect();
    eac_app::set_fields(
        store,
        &DeleteTarget::Ids(ids.clone()),
        &values,
        Some("completed from the registry account"),
        "analyst",
        false,
        &NoProgress,
        None,
    )
    .unwrap();
    for id in &ids {
        if store.eac(id).unwrap().technology_type.is_none() {
            eac_app::set_fields(
                store,
                &DeleteTarget::Ids(vec![id.clone()]),
                &[FieldValue {
                    field: SettableField::TechnologyType,
                    value: "hydro".into(),
                }],
                Some("per the device register"),
                "analyst",
                false,
                &NoProgress,
                None,
            )
            .unwrap();
        }
        store
            .set_beneficiaries(
                id,
                &BeneficiaryAssignment {
                    beneficiary_type: BeneficiaryType::Customer,
                    beneficiaries: vec!["CUST-1".into()],
                },
                &Reason::new("the claimant's customer number").unwrap(),
                "analyst",
            )
            .unwrap();
    }
    assert_eq!(store.summary(&incomplete()).unwrap().count, 0);
}

/// A store with sample EACs, a completed registry statement and one edit.
fn filled() -> TempStore {
    let mut t = temp_store();
    eac_app::load_sample(&mut t.store, 12, 7, &NoProgress).unwrap();
    import(&mut t.store, &registry_sample(NECS));
    complete_all(&mut t.store);
    t
}

fn keys(t: &TempStore) -> PathBuf {
    t.path("keys")
}

fn make(t: &mut TempStore, filter: &EacFilter, dest: &Path) -> eac_app::PackReport {
    let key_dir = keys(t);
    eac_app::make_pack_with_key_dir(
        &mut t.store,
        filter,
        dest,
        Some("FY2021 filing"),
        &key_dir,
        &NoProgress,
    )
    .unwrap()
}

fn verify(dir: &Path) -> PackVerdict {
    eac_app::verify_pack(dir, None).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn manifest_of(dir: &Path) -> Manifest {
    serde_json::from_slice(&fs::read(dir.join("MANIFEST.json")).unwrap()).unwrap()
}

/// The problems naming `file`, as text.
fn problems_of(v: &PackVerdict, file: &str) -> Vec<String> {
    v.problems
        .iter()
        .filter(|p| p.file == file)
        .map(|p| p.message.clone())
        .collect()
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = fs::read(path).unwrap();
    if bytes.is_empty() {
        // A file with no byte to flip gets one.
        bytes.push(b'x');
    } else {
        let i = at.min(bytes.len() - 1);
        bytes[i] ^= 0x01;
    }
    fs::write(path, bytes).unwrap();
}

struct Made {
    t: TempStore,
    pack: PathBuf,
    report: eac_app::PackReport,
}

fn made() -> Made {
    let mut t = filled();
    let pack = t.path("pack");
    let report = make(&mut t, &EacFilter::default(), &pack);
    Made { t, pack, report }
}

#[test]
fn a_pack_holds_the_layout_and_verifies_on_its_own() {
    let Made {
        mut t,
        pack,
        report,
    } = made();
    let count = t.store.summary(&EacFilter::default()).unwrap();
    assert_eq!(report.eac_count, count.count);
    assert_eq!(report.totals, count.totals);
    assert_eq!(report.source_count, 1);

    let verdict = verify(&pack);
    assert!(verdict.ok, "{:#?}", verdict.problems);
    // The verdict holds the manifest without its list of files (a
    // million-file pack's would be 170 MB): the count says how many.
    assert!(verdict.manifest.as_ref().unwrap().files.is_empty());
    let m = manifest_of(&pack);
    assert_eq!(verdict.file_count, Some(m.files.len()));
    let mut read = m.clone();
    read.files.clear();
    assert_eq!(verdict.manifest.as_ref(), Some(&read));
    assert_eq!(m.format, "eacdesk-pack-v1");
    assert_eq!(m.title, "FY2021 filing");
    assert_eq!(m.counts.eacs, count.count);
    assert_eq!(m.totals, count.totals);
    let paths: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "files are sorted by path");
    for must in [
        "eacs.json",
        "p2/eacs.json",
        "p2/server-metadata.json",
        "audit.jsonl",
        "claim-statement.csv",
        "claim-statement.pdf",
    ] {
        assert!(paths.contains(&must), "{must} in {paths:?}");
    }
    assert!(!paths.contains(&"MANIFEST.json") && !paths.contains(&"MANIFEST.sig"));
    // What a killed pack leaves is removed by these names, which the store
    // knows on its own: every file of a pack has one.
    for path in paths.iter().filter(|p| !p.starts_with("p2/")) {
        assert!(eac_store::atomic::is_pack_file(path), "{path}");
    }
    assert_eq!(
        paths.iter().filter(|p| p.starts_with("p2/eacs/")).count(),
        count.count
    );

    // The bundle's detail URLs name where the pack is, never the hidden
    // folder it was built in.
    let listing = fs::read_to_string(pack.join("p2/eacs.json")).unwrap();
    assert!(listing.contains("/pack/p2/eacs/"), "{listing}");
    assert!(!listing.contains(".eacdesk-bundle-"), "{listing}");

    // The registry statement, byte for byte, named by its hash.
    let original = fs::read(registry_sample(NECS)).unwrap();
    let source = paths
        .iter()
        .find(|p| p.starts_with("sources/"))
        .expect("a source document");
    assert!(source.ends_with("-necs-cancellation-statement-sample.pdf"));
    assert_eq!(fs::read(pack.join(source)).unwrap(), original);

    // The key: the user's, shown by fingerprint; its secret is nowhere in
    // the pack.
    let key = eac_app::signing_key_in(&keys(&t)).unwrap();
    assert_eq!(m.key.fingerprint, key.fingerprint);
    assert_eq!(m.key.public_key, key.public_key);
    assert_eq!(report.key_fingerprint, key.fingerprint);
    let secret = fs::read_to_string(&key.path).unwrap();
    for f in &m.files {
        let bytes = fs::read(pack.join(&f.path)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(secret.trim()),
            "{} holds the secret key",
            f.path
        );
    }

    // The pack is remembered, its `pack` record is the chain's newest and
    // the chain still holds; the manifest's head was the head before it.
    let log = t.store.audit_log(None).unwrap();
    let last = &log[0];
    assert_eq!(last.action, AuditAction::Pack);
    assert_eq!(last.cds_eac_id, "");
    assert_eq!(last.reason, "FY2021 filing");
    assert!(last.changes.iter().any(|c| c.field == "manifest_sha256"
        && c.after.as_deref() == Some(report.manifest_sha256.as_str())));
    let chain = t.store.verify_audit_chain().unwrap();
    assert!(chain.broken.is_none());
    assert_eq!(chain.records, m.audit.records + 1);
    assert_eq!(m.audit.records, m.counts.audit_records);
    // Made from a file: recorded.
    assert_eq!(report.not_recorded, None);
    assert_eq!(
        eac_app::packs(&t.store).unwrap(),
        vec![report.record.clone().unwrap()]
    );
    assert_eq!(
        report.manifest_sha256,
        sha256_file(&pack.join("MANIFEST.json"))
    );
    assert_eq!(
        verdict.manifest_sha256,
        Some(report.manifest_sha256.clone())
    );
    // Nothing is left beside it.
    assert_eq!(
        folder_entries(pack.parent().unwrap())
            .iter()
            .filter(|n| n.starts_with('.'))
            .count(),
        0
    );

    // The expected key holds, in any spelling of its fingerprint.
    let upper = key.fingerprint.to_uppercase().replace('-', " ");
    assert!(eac_app::verify_pack(&pack, Some(&upper)).unwrap().ok);

    // Made again to the same folder: the earlier pack is replaced.
    let again = make(&mut t, &EacFilter::default(), &pack);
    assert_ne!(again.manifest_sha256, report.manifest_sha256);
    assert!(verify(&pack).ok);
    assert_eq!(eac_app::packs(&t.store).unwrap().len(), 2);
}

#[test]
fn a_copy_elsewhere_verifies_even_with_the_original_gone() {
    let Made { t, pack, .. } = made();
    let elsewhere = t.path("another/place/pack-copy");
    copy_dir(&pack, &elsewhere);
    fs::rename(&pack, t.path("moved-away")).unwrap();
    let verdict = verify(&elsewhere);
    assert!(verdict.ok, "{:#?}", verdict.problems);
}

#[test]
fn the_audit_log_redacts_other_eacs_and_keeps_database_records() {
    let mut t = filled();
    // An export (a database-level record), then a pack of one source only.
    let all = t.path("all.json");
    eac_app::export(&mut t.store, ExportProfile::P1, None, &all, &NoProgress).unwrap();
    // The registry statement's source; one EAC of another source edited.
    let rows = t
        .store
        .browse(&eac_app::BrowseQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    let registry = rows
        .iter()
        .find(|r| {
            !eac_app::sources(&t.store, &r.cds_eac_id)
                .unwrap()
                .is_empty()
        })
        .unwrap();
    let source = registry.source_id.clone();
    let outside = rows.iter().find(|r| r.source_id != source).unwrap();
    t.store
        .set_beneficiaries(
            &outside.cds_eac_id,
            &BeneficiaryAssignment {
                beneficiary_type: BeneficiaryType::General,
                beneficiaries: vec![],
            },
            &Reason::new("not in the pack").unwrap(),
            "analyst",
        )
        .unwrap();
    let filter = EacFilter {
        source: Some(source.clone()),
        ..EacFilter::default()
    };
    let inside: Vec<String> = t
        .store
        .browse(&eac_app::BrowseQuery {
            filter: filter.clone(),
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect();
    let pack = t.path("one-source");
    let report = make(&mut t, &filter, &pack);
    assert_eq!(report.eac_count, inside.len());
    assert!(verify(&pack).ok);

    let text = fs::read_to_string(pack.join("audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let log = t.store.audit_log(None).unwrap();
    assert_eq!(lines.len(), log.len() - 1, "the whole chain up to the pack");
    let mut redacted = 0;
    let mut exports = 0;
    for line in &lines {
        let id = line["id"].as_i64().unwrap();
        let stored = log.iter().find(|r| r.id == id).unwrap();
        let shown = stored.cds_eac_id.is_empty() || inside.contains(&stored.cds_eac_id);
        assert_eq!(line["record"].is_null(), !shown, "record {id}");
        if line["record"].is_null() {
            redacted += 1;
        } else if line["record"]["action"] == "export" {
            exports += 1;
        }
    }
    assert!(redacted > 0, "records of other EACs are redacted");
    assert_eq!(exports, 1, "the export record is kept");
}

/// Each kind of change to a copy of the pack, and what must be named.
#[test]
fn every_kind_of_tampering_is_detected_and_named() {
    let Made { t, pack, .. } = made();
    let m = manifest_of(&pack);
    let detail = m
        .files
        .iter()
        .find(|f| f.path.starts_with("p2/eacs/"))
        .unwrap()
        .path
        .clone();
    let source = m
        .files
        .iter()
        .find(|f| f.path.starts_with("sources/"))
        .unwrap()
        .path
        .clone();
    let case = |name: &str, change: &dyn Fn(&Path)| -> PackVerdict {
        let dir = t.path(&format!("tampered-{name}"));
        copy_dir(&pack, &dir);
        change(&dir);
        let v = verify(&dir);
        assert!(!v.ok, "{name}: not detected");
        v
    };

    // One byte flipped in each kind of file.
    for file in [
        "eacs.json",
        detail.as_str(),
        source.as_str(),
        "claim-statement.csv",
        "claim-statement.pdf",
    ] {
        let v = case(&file.replace('/', "_"), &|d| flip_byte(&d.join(file), 200));
        let named = problems_of(&v, file);
        assert!(
            named.iter().any(|p| p.contains("was changed")),
            "{file}: {:#?}",
            v.problems
        );
    }

    // audit.jsonl: a letter of a record's reason changed; the record is named.
    let v = case("audit", &|d| {
        let path = d.join("audit.jsonl");
        let text = fs::read_to_string(&path).unwrap();
        let at = text.find("\"reason\":\"completed").unwrap() + "\"reason\":\"".len();
        let mut bytes = text.into_bytes();
        bytes[at] = b'C';
        fs::write(&path, bytes).unwrap();
    });
    assert!(problems_of(&v, "audit.jsonl")
        .iter()
        .any(|p| p.contains("was changed")));
    let record = v
        .problems
        .iter()
        .find(|p| p.record.is_some())
        .expect("the record is named");
    assert!(
        record.message.contains("audit.jsonl line"),
        "{}",
        record.message
    );
    assert!(
        record.message.contains("does not match its hash"),
        "{}",
        record.message
    );

    // audit.jsonl: a record removed (the rest re-hashed would not help:
    // the next record no longer follows).
    let v = case("audit-removed", &|d| {
        let path = d.join("audit.jsonl");
        let text = fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.remove(0);
        fs::write(&path, lines.join("\n") + "\n").unwrap();
    });
    assert!(v
        .problems
        .iter()
        .any(|p| p.record.is_some() && p.message.contains("does not follow")));

    // MANIFEST.json: one byte of its title changed.
    let v = case("manifest", &|d| {
        let path = d.join("MANIFEST.json");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("FY2021 filing", "FY2021 filinG")).unwrap();
    });
    assert!(problems_of(&v, "MANIFEST.sig")
        .iter()
        .any(|p| p.contains("does not match")));

    // A file removed, a file added, a folder added.
    let v = case("removed", &|d| fs::remove_file(d.join(&detail)).unwrap());
    assert!(problems_of(&v, &detail)
        .iter()
        .any(|p| p.contains("is missing")));
    let v = case("added", &|d| {
        fs::write(d.join("notes.txt"), "mine").unwrap()
    });
    assert!(problems_of(&v, "notes.txt")
        .iter()
        .any(|p| p.contains("was added")));
    let v = case("added-in-folder", &|d| {
        fs::write(d.join("p2/eacs/extra.json"), "{}").unwrap()
    });
    assert!(!problems_of(&v, "p2/eacs/extra.json").is_empty());

    // A symbolic link in place of a file.
    #[cfg(unix)]
    {
        let v = case("link", &|d| {
            fs::remove_file(d.join("claim-statement.csv")).unwrap();
            std::os::unix::fs::symlink(d.join("eacs.json"), d.join("claim-statement.csv")).unwrap();
        });
        assert!(problems_of(&v, "claim-statement.csv")
            .iter()
            .any(|p| p.contains("symbolic link")));
    }

    // The manifest replaced by one that matches a changed listing, with
    // the old signature: the signature fails.
    // (The change keeps the listing valid — trailing white space — so the
    // only problem is the signature; a flipped byte could land in a
    // timestamp and break a rule, depending on the time of day.)
    let v = case("replaced-manifest", &|d| {
        let mut listing = fs::OpenOptions::new()
            .append(true)
            .open(d.join("eacs.json"))
            .unwrap();
        std::io::Write::write_all(&mut listing, b"\n ").unwrap();
        rewrite_manifest(d, None);
    });
    assert!(problems_of(&v, "MANIFEST.sig")
        .iter()
        .any(|p| p.contains("does not match")));
    assert!(
        problems_of(&v, "eacs.json").is_empty(),
        "the listing's hash matches the new manifest: {:?}",
        problems_of(&v, "eacs.json")
    );

    // Re-signed with another key, the manifest naming that key: every hash
    // and the signature hold, so only the signer tells — and it is named.
    let other_dir = t.path("other-keys");
    let other = eac_app::signing_key_in(&other_dir).unwrap();
    let own = eac_app::signing_key_in(&keys(&t)).unwrap();
    let resigned = t.path("resigned");
    copy_dir(&pack, &resigned);
    rewrite_manifest(&resigned, Some(&other));
    let v = verify(&resigned);
    assert!(
        v.ok,
        "a consistent re-signed pack holds by itself: {:#?}",
        v.problems
    );
    assert_eq!(v.manifest.unwrap().key.fingerprint, other.fingerprint);
    let v = eac_app::verify_pack(&resigned, Some(&own.fingerprint)).unwrap();
    assert!(!v.ok);
    let named = problems_of(&v, "MANIFEST.json");
    assert!(
        named
            .iter()
            .any(|p| p.contains(&other.fingerprint) && p.contains(&own.fingerprint)),
        "{named:#?}"
    );

    // Re-signed with another key but still naming the user's: fails.
    let v = case("resigned-own-name", &|d| {
        let bytes = fs::read(d.join("MANIFEST.json")).unwrap();
        fs::write(d.join("MANIFEST.sig"), sign(&other, &bytes)).unwrap();
    });
    assert!(problems_of(&v, "MANIFEST.sig")
        .iter()
        .any(|p| p.contains("does not match")));

    // The manifest removed.
    let v = case("no-manifest", &|d| {
        fs::remove_file(d.join("MANIFEST.json")).unwrap()
    });
    assert!(problems_of(&v, "MANIFEST.json")
        .iter()
        .any(|p| p.contains("is missing")));
}

/// The hex signature of `bytes` by the key in `info`'s file.
fn sign(info: &eac_app::SigningKeyInfo, bytes: &[u8]) -> String {
    let secret: [u8; 32] = hex::decode(fs::read_to_string(&info.path).unwrap().trim())
        .unwrap()
        .try_into()
        .unwrap();
    hex::encode(SigningKey::from_bytes(&secret).sign(bytes).to_bytes())
}

/// Writes a manifest whose file list matches the folder's files again;
/// with `key`, naming that key and signed by it (else the old signature
/// stays).
fn rewrite_manifest(dir: &Path, key: Option<&eac_app::SigningKeyInfo>) {
    let mut m = manifest_of(dir);
    for f in &mut m.files {
        let bytes = fs::read(dir.join(&f.path)).unwrap();
        f.size = bytes.len() as u64;
        f.sha256 = sha256_file(&dir.join(&f.path));
    }
    if let Some(k) = key {
        m.key.public_key = k.public_key.clone();
        m.key.fingerprint = k.fingerprint.clone();
    }
    let mut bytes = serde_json::to_vec_pretty(&m).unwrap();
    bytes.push(b'\n');
    fs::write(dir.join("MANIFEST.json"), &bytes).unwrap();
    if let Some(k) = key {
        fs::write(dir.join("MANIFEST.sig"), sign(k, &bytes)).unwrap();
    }
}

/// Rewrites the manifest's list with `edit` and signs it with the user's
/// own key, so that the signature holds and only the list can be at fault.
fn relist(t: &TempStore, dir: &Path, edit: &dyn Fn(&mut Vec<eac_app::ManifestFile>)) {
    let own = eac_app::signing_key_in(&keys(t)).unwrap();
    let mut m = manifest_of(dir);
    edit(&mut m.files);
    let mut bytes = serde_json::to_vec_pretty(&m).unwrap();
    bytes.push(b'\n');
    fs::write(dir.join("MANIFEST.json"), &bytes).unwrap();
    fs::write(dir.join("MANIFEST.sig"), sign(&own, &bytes)).unwrap();
}

/// The verifier reads the manifest's list as it streams and counts the
/// folder's files instead of listing them (decision 242): what the list
/// says is checked entry by entry, and a count that does not add up sends
/// it back to name each file the list leaves out.
#[test]
fn a_list_out_of_order_twice_or_through_a_link_is_named_with_every_unlisted_file() {
    let Made { t, pack, .. } = made();
    let case = |name: &str, change: &dyn Fn(&Path)| -> PackVerdict {
        let dir = t.path(&format!("listed-{name}"));
        copy_dir(&pack, &dir);
        change(&dir);
        verify(&dir)
    };
    let all =
        |v: &PackVerdict| -> Vec<String> { v.problems.iter().map(|p| p.message.clone()).collect() };

    // Re-signed unchanged: holds (the helper itself is sound).
    let v = case("same", &|d| relist(&t, d, &|_| {}));
    assert!(v.ok, "{:#?}", v.problems);

    // One entry listed twice, next to itself.
    let v = case("twice", &|d| {
        relist(&t, d, &|files| {
            let again = files[1].clone();
            files.insert(1, again);
        })
    });
    assert!(!v.ok);
    let twice = problems_of(&v, "MANIFEST.json");
    assert_eq!(twice.len(), 1, "{twice:#?}");
    assert!(twice[0].contains("twice"), "{twice:#?}");
    assert_eq!(v.file_count, Some(manifest_of(&pack).files.len() + 1));

    // Listed twice far apart: the list is out of order where it returns.
    let v = case("twice-apart", &|d| {
        relist(&t, d, &|files| {
            let first = files[0].clone();
            files.push(first);
        })
    });
    assert!(!v.ok);
    assert!(
        all(&v).iter().any(|p| p.contains("are not sorted by path")),
        "{:#?}",
        v.problems
    );

    // Out of order and a file left out of the list while still in the
    // folder: both named, the file by its path.
    let v = case("unsorted-and-unlisted", &|d| {
        relist(&t, d, &|files| {
            files.retain(|f| f.path != "claim-statement.csv");
            let n = files.len();
            files.swap(n - 2, n - 1);
        })
    });
    assert!(!v.ok);
    assert!(
        all(&v).iter().any(|p| p.contains("are not sorted by path")),
        "{:#?}",
        v.problems
    );
    assert_eq!(
        problems_of(&v, "claim-statement.csv"),
        ["claim-statement.csv was added: the manifest does not list it"]
    );

    // A source document's hash that is not hex (a byte of it cut in two
    // at the twelfth): named, not a crash.
    let v = case("hash-not-hex", &|d| {
        relist(&t, d, &|files| {
            let source = files
                .iter_mut()
                .find(|f| f.path.starts_with("sources/"))
                .unwrap();
            source.sha256 = format!("a{}", "é".repeat(32));
        })
    });
    let source = manifest_of(&pack)
        .files
        .into_iter()
        .find(|f| f.path.starts_with("sources/"))
        .unwrap()
        .path;
    let named = problems_of(&v, &source);
    assert!(
        named
            .iter()
            .any(|p| p.contains("not named after its SHA-256")),
        "{named:#?}"
    );
    assert!(
        named.iter().any(|p| p.contains("was changed")),
        "{named:#?}"
    );

    // Files added deep in the pack and an empty folder: each named once,
    // the folder that holds the added file not named as well.
    let v = case("added-several", &|d| {
        fs::write(d.join("p2/eacs/zz-extra.json"), "{}").unwrap();
        fs::create_dir_all(d.join("notes/more")).unwrap();
        fs::write(d.join("notes/more/a.txt"), "a").unwrap();
        fs::create_dir(d.join("empty")).unwrap();
    });
    assert_eq!(
        problems_of(&v, "p2/eacs/zz-extra.json"),
        ["p2/eacs/zz-extra.json was added: the manifest does not list it"]
    );
    assert_eq!(problems_of(&v, "notes/more/a.txt").len(), 1);
    assert!(problems_of(&v, "notes/").is_empty(), "{:#?}", v.problems);
    assert!(problems_of(&v, "notes/more/").is_empty());
    assert_eq!(
        problems_of(&v, "empty/"),
        ["empty/ was added: the manifest lists nothing in it"]
    );
    assert_eq!(v.problems.len(), 3, "{:#?}", v.problems);

    // A listed folder swapped for a link to an intact copy: the link is
    // named and its files are not the pack's, though they would hash right.
    #[cfg(unix)]
    {
        let v = case("linked-folder", &|d| {
            let elsewhere = d.with_extension("p2-elsewhere");
            fs::rename(d.join("p2"), &elsewhere).unwrap();
            std::os::unix::fs::symlink(&elsewhere, d.join("p2")).unwrap();
        });
        assert!(!v.ok);
        assert!(problems_of(&v, "p2")
            .iter()
            .any(|p| p.contains("symbolic link")));
        // Named once, as the link it is (decision 378): the files listed
        // under it are neither read through it nor each called missing.
        assert!(
            problems_of(&v, "p2")
                .iter()
                .any(|p| p.contains("was not checked")),
            "{:#?}",
            v.problems
        );
        assert!(
            problems_of(&v, "p2/eacs.json").is_empty(),
            "{:#?}",
            v.problems
        );
    }

    // A named pipe in a listed file's place: named, never waited on.
    #[cfg(unix)]
    {
        let v = case("fifo", &|d| {
            let path = d.join("claim-statement.csv");
            fs::remove_file(&path).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(made.success());
        });
        assert!(
            problems_of(&v, "claim-statement.csv")
                .iter()
                .any(|p| p.contains("named pipe")),
            "{:#?}",
            v.problems
        );
    }

    // A manifest that is not one: a member given twice, text after it.
    for (name, edit) in [
        ("title-twice", "{\n  \"title\": \"again\","),
        ("trailing", ""),
    ] {
        let v = case(name, &|d| {
            let path = d.join("MANIFEST.json");
            let text = fs::read_to_string(&path).unwrap();
            let text = if edit.is_empty() {
                text + "{}"
            } else {
                text.replacen('{', edit, 1)
            };
            fs::write(&path, text).unwrap();
        });
        assert!(!v.ok);
        let named = problems_of(&v, "MANIFEST.json");
        assert!(
            named
                .iter()
                .any(|p| p.contains("cannot be read as an EAC Desk pack manifest")),
            "{name}: {named:#?}"
        );
        assert!(v.manifest.is_none() && v.file_count.is_none());
        assert!(
            v.manifest_sha256.is_some(),
            "the file's hash is still given"
        );
    }

    // audit.jsonl with a line that is not UTF-8: named by its line.
    let v = case("audit-not-utf8", &|d| {
        let path = d.join("audit.jsonl");
        let mut bytes = fs::read(&path).unwrap();
        let second = bytes.iter().position(|b| *b == b'\n').unwrap() + 3;
        bytes[second] = 0xff;
        fs::write(&path, bytes).unwrap();
    });
    assert!(
        problems_of(&v, "audit.jsonl")
            .iter()
            .any(|p| p.contains("audit.jsonl line 2") && p.contains("not UTF-8")),
        "{:#?}",
        v.problems
    );
}

#[test]
fn pack_diff_names_edits_deletions_and_new_imports_with_their_records() {
    let Made {
        mut t,
        pack,
        report,
    } = made();
    let diff = eac_app::pack_diff(&t.store, &pack).unwrap();
    assert!(diff.is_unchanged(), "{diff:#?}");
    assert!(diff.verdict.ok);
    assert!(diff.head_found);
    assert_eq!(diff.record, report.record.clone());
    assert_eq!(diff.unchanged, report.eac_count);
    // Its own `pack` record is the one database-level record since.
    assert_eq!(diff.database_records.len(), 1);
    assert_eq!(diff.database_records[0].action, AuditAction::Pack);

    let ids: Vec<String> = t
        .store
        .browse(&eac_app::BrowseQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect();
    // An edit.
    t.store
        .set_beneficiaries(
            &ids[0],
            &BeneficiaryAssignment {
                beneficiary_type: BeneficiaryType::General,
                beneficiaries: vec![],
            },
            &Reason::new("moved to the general claim").unwrap(),
            "analyst",
        )
        .unwrap();
    // A deletion.
    eac_app::delete_eacs(
        &mut t.store,
        &DeleteTarget::Ids(vec![ids[1].clone()]),
        "entered twice",
        false,
        &NoProgress,
    )
    .unwrap();
    // A new import.
    import(&mut t.store, &registry_sample(DK));

    let diff = eac_app::pack_diff(&t.store, &pack).unwrap();
    assert!(diff.verdict.ok, "the pack itself is untouched");
    assert_eq!(
        diff.edited
            .iter()
            .map(|c| c.cds_eac_id.as_str())
            .collect::<Vec<_>>(),
        [ids[0].as_str()]
    );
    assert_eq!(diff.edited[0].records.len(), 1);
    assert_eq!(
        diff.edited[0].records[0].reason,
        "moved to the general claim"
    );
    assert_eq!(diff.removed.len(), 1);
    assert_eq!(diff.removed[0].cds_eac_id, ids[1]);
    assert!(diff.removed[0].deleted);
    assert_eq!(diff.removed[0].records[0].action, AuditAction::Delete);
    assert_eq!(diff.added.len(), 1);
    assert!(!ids.contains(&diff.added[0].cds_eac_id));
    assert_eq!(diff.unchanged, report.eac_count - 2);

    // A pack this database did not make: no record, and said so.
    let other = temp_store();
    let d = eac_app::pack_diff(&other.store, &pack).unwrap();
    assert_eq!(d.record, None);
    assert!(!d.head_found);
    assert_eq!(d.removed.len(), report.eac_count);
}

#[test]
fn a_pack_of_incomplete_eacs_or_of_nothing_is_refused_and_writes_nothing() {
    let mut t = temp_store();
    eac_app::load_sample(&mut t.store, 5, 3, &NoProgress).unwrap();
    import(&mut t.store, &registry_sample(NECS));
    let db = t.db_path();
    let audit = t.store.audit_log(None).unwrap().len();
    let before = sha256_file(&db);
    let parent = t.path("out");
    fs::create_dir(&parent).unwrap();
    let dest = parent.join("pack");
    let key_dir = keys(&t);
    let e = eac_app::make_pack_with_key_dir(
        &mut t.store,
        &EacFilter::default(),
        &dest,
        None,
        &key_dir,
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(
        e.message.contains("1 of the selected EACs is incomplete"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("missing destination_id"),
        "{}",
        e.message
    );
    assert!(e.message.contains("nothing was written"), "{}", e.message);
    let id = t
        .store
        .browse(&eac_app::BrowseQuery {
            filter: incomplete(),
            ..Default::default()
        })
        .unwrap()[0]
        .cds_eac_id
        .clone();
    assert_eq!(e.details.cds_eac_ids, Some(vec![id]));
    assert!(folder_entries(&parent).is_empty());
    assert!(!key_dir.exists(), "not even a key is made");

    // Nothing matches.
    let none = EacFilter {
        search: Some("no such certificate anywhere".into()),
        ..EacFilter::default()
    };
    let e =
        eac_app::make_pack_with_key_dir(&mut t.store, &none, &dest, None, &key_dir, &NoProgress)
            .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("No EAC matches"), "{}", e.message);
    assert!(folder_entries(&parent).is_empty());

    // A title on two lines.
    let complete = EacFilter {
        incomplete: Some(false),
        ..EacFilter::default()
    };
    let e = eac_app::make_pack_with_key_dir(
        &mut t.store,
        &complete,
        &dest,
        Some("FY\n2021"),
        &key_dir,
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(folder_entries(&parent).is_empty());

    assert_eq!(t.store.audit_log(None).unwrap().len(), audit);
    assert!(eac_app::packs(&t.store).unwrap().is_empty());
    assert_eq!(sha256_file(&db), before);
}

#[test]
fn a_folder_eac_desk_did_not_write_is_never_replaced() {
    let mut t = filled();
    let dest = t.path("taken");
    fs::create_dir(&dest).unwrap();
    fs::write(dest.join("notes.txt"), "mine").unwrap();
    let key_dir = keys(&t);
    let e = eac_app::make_pack_with_key_dir(
        &mut t.store,
        &EacFilter::default(),
        &dest,
        None,
        &key_dir,
        &NoProgress,
    )
    .unwrap_err();
    assert!(
        e.message.contains("not an EAC Desk evidence pack"),
        "{}",
        e.message
    );
    assert!(e.message.contains("notes.txt"), "{}", e.message);
    assert_eq!(folder_entries(&dest), ["notes.txt"]);

    // An earlier pack with a file added to it is not replaced either.
    let pack = t.path("pack");
    make(&mut t, &EacFilter::default(), &pack);
    fs::write(pack.join("extra.txt"), "mine").unwrap();
    let e = eac_app::make_pack_with_key_dir(
        &mut t.store,
        &EacFilter::default(),
        &pack,
        None,
        &key_dir,
        &NoProgress,
    )
    .unwrap_err();
    assert!(e.message.contains("extra.txt"), "{}", e.message);
    assert_eq!(fs::read_to_string(pack.join("extra.txt")).unwrap(), "mine");
    assert_eq!(eac_app::packs(&t.store).unwrap().len(), 1);

    // An empty folder is fine.
    let empty = t.path("empty");
    fs::create_dir(&empty).unwrap();
    make(&mut t, &EacFilter::default(), &empty);
    assert!(verify(&empty).ok);
}

/// A person who pressed Cancel.
struct Cancelled;

impl Progress for Cancelled {
    fn update(&self, _: Phase, _: u64, _: Option<u64>) {}
    fn is_cancelled(&self) -> bool {
        true
    }
}

#[test]
fn a_cancelled_pack_writes_nothing() {
    let mut t = filled();
    let audit = t.store.audit_log(None).unwrap().len();
    let dest = t.path("cancelled");
    let key_dir = keys(&t);
    let e = eac_app::make_pack_with_key_dir(
        &mut t.store,
        &EacFilter::default(),
        &dest,
        None,
        &key_dir,
        &Cancelled,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert!(!dest.exists());
    assert!(folder_entries(dest.parent().unwrap())
        .iter()
        .all(|n| !n.starts_with(".eacdesk")));
    assert_eq!(t.store.audit_log(None).unwrap().len(), audit);
}

#[test]
fn exports_are_recorded_in_the_audit_log() {
    let mut t = filled();
    let dest = t.path("all.json");
    let report =
        eac_app::export(&mut t.store, ExportProfile::P1, None, &dest, &NoProgress).unwrap();
    let last = &t.store.audit_log(None).unwrap()[0];
    assert_eq!(last.action, AuditAction::Export);
    assert_eq!(last.cds_eac_id, "");
    let after = |f: &str| {
        last.changes
            .iter()
            .find(|c| c.field == f)
            .and_then(|c| c.after.clone())
    };
    assert_eq!(after("sha256"), Some(report.sha256.clone()));
    assert_eq!(after("sha256"), Some(sha256_file(&dest)));
    assert_eq!(after("eacs"), Some(report.eac_count.to_string()));
    assert_eq!(after("profile").as_deref(), Some("P1"));
    let bundle = t.path("bundle");
    eac_app::export(&mut t.store, ExportProfile::P2, None, &bundle, &NoProgress).unwrap();
    let last = &t.store.audit_log(None).unwrap()[0];
    assert_eq!(last.action, AuditAction::Export);
    assert!(last
        .changes
        .iter()
        .any(|c| c.after.as_deref() == Some("P2")));
    assert!(t.store.verify_audit_chain().unwrap().broken.is_none());
}

/// Every progress report, and a Cancel pressed once the claim statement
/// has written `cancel_at` lines (never when `None`).
/// The reports (done, total) of one phase, in order.
fn reports_of(reports: &[(Phase, u64, Option<u64>)], phase: Phase) -> Vec<(u64, Option<u64>)> {
    reports
        .iter()
        .filter(|(p, _, _)| *p == phase)
        .map(|(_, d, t)| (*d, *t))
        .collect()
}

/// The phases reported, each once, in the order they came.
fn phases_of(reports: &[(Phase, u64, Option<u64>)]) -> Vec<Phase> {
    let mut seen: Vec<Phase> = Vec::new();
    for (p, _, _) in reports {
        if seen.last() != Some(p) {
            seen.push(*p);
        }
    }
    seen
}

/// Reports of one phase (done, total) that all give `total` and count up
/// to it.
fn counts_up_to(reports: &[(u64, Option<u64>)], total: u64) {
    assert!(
        reports.iter().all(|(_, t)| *t == Some(total)),
        "{reports:?}"
    );
    assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0), "{reports:?}");
    assert_eq!(reports.last(), Some(&(total, Some(total))));
}

struct Watched {
    reports: std::sync::Mutex<Vec<(Phase, u64, Option<u64>)>>,
    /// The steps said, in order.
    steps: std::sync::Mutex<Vec<(u32, u32)>>,
    /// Cancelled once this phase has reported this much done.
    cancel_at: Option<(Phase, u64)>,
}

impl Progress for Watched {
    fn update(&self, phase: Phase, done: u64, total: Option<u64>) {
        self.reports.lock().unwrap().push((phase, done, total));
    }
    fn step(&self, step: u32, steps: u32) {
        self.steps.lock().unwrap().push((step, steps));
    }
    fn is_cancelled(&self) -> bool {
        self.cancel_at.is_some_and(|(phase, at)| {
            self.reports
                .lock()
                .unwrap()
                .iter()
                .any(|(p, done, _)| *p == phase && *done >= at)
        })
    }
}

#[test]
fn a_pack_shows_its_eacs_read_and_its_statement_written_and_stops_there_when_cancelled() {
    let mut t = temp_store();
    eac_app::load_sample(&mut t.store, 300, 7, &NoProgress).unwrap();
    let key_dir = keys(&t);
    let watched_pack = |t: &mut TempStore, name: &str, cancel_at: Option<(Phase, u64)>| {
        let watched = Watched {
            reports: Default::default(),
            steps: Default::default(),
            cancel_at,
        };
        let dest = t.path(name);
        let made = eac_app::make_pack_with_key_dir(
            &mut t.store,
            &EacFilter::default(),
            &dest,
            None,
            &key_dir,
            &watched,
        );
        let steps = watched.steps.into_inner().unwrap();
        (made, watched.reports.into_inner().unwrap(), steps)
    };
    let (report, reports, steps) = watched_pack(&mut t, "pack", None);
    let report = report.unwrap();
    // Six steps, said in order, each before its phase counts.
    assert_eq!(steps, (1..=6).map(|s| (s, 6)).collect::<Vec<_>>());
    // The last: every file of the pack hashed for its manifest.
    counts_up_to(
        &reports_of(&reports, Phase::PackManifest),
        report.file_count as u64,
    );
    let of = |phase: Phase| reports_of(&reports, phase);
    // The listing's EACs, counted up to all of them.
    let read = of(Phase::Pack);
    assert!(read.len() > 2, "{read:?}");
    assert!(read.windows(2).all(|w| w[0].0 <= w[1].0), "{read:?}");
    assert_eq!(read.last(), Some(&(300, Some(300))));
    // The statement: each value a line of the CSV (read twice: the
    // values, then each group's totals) and of the PDF.
    let lines = 3 * report.value_count as u64;
    let written = of(Phase::Statement);
    assert!(written.len() > 4, "{written:?}");
    counts_up_to(&written, lines);
    // Reading comes before writing.
    let first_written = reports
        .iter()
        .position(|(p, _, _)| *p == Phase::Statement)
        .unwrap();
    assert!(reports[first_written..]
        .iter()
        .all(|(p, _, _)| *p != Phase::Pack));

    // A Cancel while the PDF is written stops the pack there: nothing
    // written, nothing recorded.
    let audit = t.store.audit_log(None).unwrap().len();
    let dest = t.path("cancelled");
    let (made, reports, _) = watched_pack(
        &mut t,
        "cancelled",
        Some((Phase::Statement, 2 * report.value_count as u64 + 256)),
    );
    let e = made.unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled, "{}", e.message);
    let last = *reports.last().unwrap();
    assert_eq!(last.0, Phase::Statement);
    assert!(last.1 < lines, "{last:?}");
    assert!(!dest.exists());
    assert!(folder_entries(dest.parent().unwrap())
        .iter()
        .all(|n| !n.starts_with(".eacdesk")));
    assert_eq!(t.store.audit_log(None).unwrap().len(), audit);

    // A Cancel while its files are hashed for the manifest: the same.
    let dest = t.path("cancelled-hashing");
    let (made, reports, _) =
        watched_pack(&mut t, "cancelled-hashing", Some((Phase::PackManifest, 0)));
    let e = made.unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled, "{}", e.message);
    // Stopped at the first check, a few hundred files in, not after them all.
    assert_eq!(
        *reports.last().unwrap(),
        (Phase::PackManifest, 0, Some(report.file_count as u64))
    );
    assert!(!dest.exists());
    assert_eq!(t.store.audit_log(None).unwrap().len(), audit);
}

#[test]
fn verifying_and_comparing_a_pack_show_what_they_check_and_a_cancel_stops_them() {
    let mut t = temp_store();
    eac_app::load_sample(&mut t.store, 600, 7, &NoProgress).unwrap();
    let pack = t.path("pack");
    let report = make(&mut t, &EacFilter::default(), &pack);
    let watched = |cancel_at: Option<(Phase, u64)>| Watched {
        reports: Default::default(),
        steps: Default::default(),
        cancel_at,
    };
    let w = watched(None);
    let v = eac_app::verify_pack_with(&pack, None, &w).unwrap();
    assert!(v.ok, "{:#?}", v.problems);
    assert_eq!(*w.steps.lock().unwrap(), [(1, 3), (2, 3), (3, 3)]);
    let reports = w.reports.into_inner().unwrap();
    let of = |phase: Phase| reports_of(&reports, phase);
    // Every file in the folder, counted up in steps: the listed ones,
    // then the manifest and its signature (as many as the verdict's
    // "Files" and the folder hold).
    let files = report.file_count as u64 + 2;
    assert_eq!(v.file_count, Some(report.file_count));
    assert_eq!(files_under(&pack), files as usize);
    let checked = of(Phase::PackFiles);
    assert!(checked.len() > 3, "{checked:?}");
    assert_eq!(checked.first(), Some(&(0, Some(files))));
    counts_up_to(&checked, files);
    // The listing: one reading, no count.
    assert_eq!(of(Phase::PackListing), [(0, None)]);
    // The bundle's EACs, of the manifest's count.
    let eacs = report.eac_count as u64;
    let bundle = of(Phase::PackBundle);
    assert_eq!(bundle.first(), Some(&(0, Some(eacs))));
    assert!(bundle.contains(&(512, Some(eacs))), "{bundle:?}");
    assert_eq!(bundle.last(), Some(&(eacs, Some(eacs))));
    // In that order.
    let phases = phases_of(&reports);
    assert_eq!(
        phases,
        [Phase::PackFiles, Phase::PackListing, Phase::PackBundle]
    );

    // A Cancel stops the check where it is, with no verdict.
    for phase in [Phase::PackFiles, Phase::PackBundle] {
        let w = watched(Some((phase, 256)));
        let e = eac_app::verify_pack_with(&pack, None, &w).unwrap_err();
        assert_eq!(e.code, ErrorCode::Cancelled, "{}", e.message);
        let reports = w.reports.into_inner().unwrap();
        let last = *reports.last().unwrap();
        assert_eq!(last.0, phase);
        assert_eq!(last.1, 256, "{reports:?}");
    }

    // What changed since: the pack verified, its EACs read, each id
    // compared; a Cancel while comparing stops it with no answer.
    let w = watched(None);
    let diff = eac_app::pack_diff_with(&t.store, &pack, &w).unwrap();
    assert!(diff.is_unchanged(), "{diff:#?}");
    assert_eq!(
        *w.steps.lock().unwrap(),
        (1..=5).map(|s| (s, 5)).collect::<Vec<_>>()
    );
    assert_eq!(diff.unchanged, report.eac_count);
    let reports = w.reports.into_inner().unwrap();
    let phases = phases_of(&reports);
    assert_eq!(
        phases,
        [
            Phase::PackFiles,
            Phase::PackListing,
            Phase::PackBundle,
            Phase::Pack,
            Phase::PackCompare
        ]
    );
    let of = |phase: Phase| reports_of(&reports, phase);
    counts_up_to(&of(Phase::Pack), eacs);
    let compared = of(Phase::PackCompare);
    assert!(compared.len() > 2, "{compared:?}");
    counts_up_to(&compared, eacs);
    let w = watched(Some((Phase::PackCompare, 256)));
    let e = eac_app::pack_diff_with(&t.store, &pack, &w).unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled, "{}", e.message);
}

/// Regular files anywhere under `dir`, as a file manager would count them.
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                files_under(&e.path())
            } else {
                usize::from(kind.is_file())
            }
        })
        .sum()
}

/// Runs `change` on the store's file as another tool would, then computes
/// every audit record's chain hashes again, its own triggers put back:
/// the log then verifies on its own.
fn rewrite_history(t: &TempStore, change: &str) {
    use eac_store::chain::{canonical_json, link, CONTENT_NAMES, GENESIS};
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(t.db_path()).unwrap();
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
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {} FROM audit_log ORDER BY id",
            columns.join(", ")
        ))
        .unwrap();
    let rows: Vec<(i64, Vec<serde_json::Value>)> = stmt
        .query_map([], |r| {
            let values = (0..CONTENT_NAMES.len())
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Null => serde_json::Value::Null,
                        ValueRef::Integer(n) => n.into(),
                        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                        other => panic!("{other:?}"),
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((r.get(0)?, values))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(stmt);
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

/// `pack diff` beyond the EACs (session 35, a tester's findings): a
/// document of the pack the database no longer stores, and a history
/// written again before the pack's head, compared record by record with
/// the pack's `audit.jsonl`; no new pack signs such a history.
#[test]
fn pack_diff_names_a_removed_document_and_the_records_of_a_rewritten_history() {
    let Made { mut t, pack, .. } = made();
    let diff = eac_app::pack_diff(&t.store, &pack).unwrap();
    assert!(diff.is_unchanged(), "{diff:#?}");
    assert!(diff.sources.is_empty() && diff.claims.is_empty());

    // The registry document deleted with another tool.
    rusqlite::Connection::open(t.db_path())
        .unwrap()
        .execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM documents;")
        .unwrap();
    let diff = eac_app::pack_diff(&t.store, &pack).unwrap();
    assert!(!diff.is_unchanged());
    assert_eq!(diff.sources.len(), 1, "{diff:#?}");
    let source = &diff.sources[0];
    assert_eq!(source.change, eac_app::PackPartChange::Removed);
    assert!(pack.join(&source.file).is_file(), "{}", source.file);
    assert_eq!(
        source.sha256,
        sha256_file(&pack.join(&source.file)),
        "named by its hash"
    );
    assert_eq!(source.stored_sha256, None);

    // Record 1 changed, the chain computed again: no new pack signs it.
    rewrite_history(
        &t,
        "UPDATE audit_log SET reason = 'nothing to see' WHERE id = 1",
    );
    let (again, key_dir) = (t.path("again"), keys(&t));
    let e = eac_app::make_pack_with_key_dir(
        &mut t.store,
        &EacFilter::default(),
        &again,
        None,
        &key_dir,
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{}", e.message);
    assert!(
        e.message
            .contains("a pack made now would sign the changed history"),
        "{}",
        e.message
    );
    assert!(!again.exists());

    // … and record 2 deleted: each named, by number.
    rewrite_history(&t, "DELETE FROM audit_log WHERE id = 2");
    let diff = eac_app::pack_diff(&t.store, &pack).unwrap();
    assert!(diff.history_changed && !diff.head_found, "{diff:#?}");
    assert!(diff.record.is_some());
    let seen: Vec<(i64, eac_app::PackPartChange)> = diff
        .audit_changes
        .iter()
        .map(|c| (c.id, c.change))
        .collect();
    assert_eq!(
        seen,
        [
            (1, eac_app::PackPartChange::Changed),
            (2, eac_app::PackPartChange::Removed)
        ]
    );
    let reason = &diff.audit_changes[0].fields;
    assert_eq!(reason.len(), 1, "{reason:?}");
    assert_eq!(reason[0].field, "reason");
    assert_eq!(reason[0].after.as_deref(), Some("nothing to see"));
    assert!(
        diff.audit_changes[1]
            .fields
            .iter()
            .any(|f| f.field == "action" && f.before.is_some() && f.after.is_none()),
        "{:?}",
        diff.audit_changes[1]
    );
    // The records since are those numbered after the pack's last: its own.
    assert_eq!(diff.database_records.len(), 1);
    assert_eq!(diff.database_records[0].action, AuditAction::Pack);
}
