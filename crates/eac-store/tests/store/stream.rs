//! Issue 16 item 3: the bundle's envelope-only EACs, the envelope-only
//! listing, the audit log and reference data are read from the database a
//! row (or a small chunk) at a time; what comes out is what the
//! collect-everything code gave.

use super::*;

/// `(period_start, cds_created, id)` in P2 order: newest period first,
/// then newest created, then id.
fn p2_sorted(mut keys: Vec<(String, String, String)>) -> Vec<String> {
    keys.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    keys.into_iter().map(|k| k.2).collect()
}

/// More envelope-only EACs than one chunk (256) holds, with ties on period
/// and creation time across chunk boundaries, merged with full EACs: the
/// bundle lists every one once, in P2 order, and declares each format.
#[test]
fn bundle_reads_envelope_only_eacs_in_chunks_in_p2_order() {
    let mut env = Env::new();
    let formats = ["certiq", "attestation", "zz_other"];
    let mut keys = Vec::new();
    let mut envelopes = Vec::new();
    for i in 0..700 {
        let id = format!("env-{:04}", (i * 37) % 700);
        let start = format!("2023-{:02}-01T00:00:00Z", 1 + i % 6);
        let created = format!("2024-02-{:02}T00:00:00Z", 1 + i % 3);
        envelopes.push(serde_json::json!({
            "cds_eac_id": id,
            "cds_created": created,
            "cds_modified": created,
            "cds_synced": "2024-03-01T00:00:00Z",
            "eac_numbers": [format!("N-{id}")],
            "eac_format": formats[i % 3],
            "eac_data_url": format!("https://example.com/eacs/{id}.pdf"),
            "beneficiary_type": "customer",
            "beneficiaries": ["CUST123"],
            "period_start": start,
            "period_end": "2023-08-01T00:00:00Z",
        }));
        keys.push((start, created, id));
    }
    let order = p2_sorted(keys.clone());
    envelopes.sort_by_key(|e| {
        order
            .iter()
            .position(|id| e["cds_eac_id"] == id.as_str())
            .unwrap()
    });
    let listing = env.file("envelopes.json");
    fs::write(
        &listing,
        serde_json::to_vec(&serde_json::json!({"eacs": envelopes, "next": null, "previous": null}))
            .unwrap(),
    )
    .unwrap();
    let report = env
        .store
        .import_p2(&listing, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!(report.added, 700);
    let full: Vec<Eac> = (0..12)
        .map(|i| {
            let mut e = eac(&format!("full-{i:02}"));
            e.period_start = ts(&format!("2023-{:02}-01T00:00:00Z", 1 + i % 7));
            // Its value (January 2024) stays inside the period.
            e.period_end = ts("2024-03-01T00:00:00Z");
            keys.push((
                e.period_start.to_string(),
                e.cds_created.to_string(),
                e.cds_eac_id.clone(),
            ));
            e
        })
        .collect();
    env.import_eacs(full);

    let dest = env.file("bundle");
    let bundle = env.store.export_p2(None, &dest, None, &NoProgress).unwrap();
    assert_eq!(bundle.eac_count, 712);
    let listed: serde_json::Value =
        serde_json::from_slice(&fs::read(dest.join("eacs.json")).unwrap()).unwrap();
    let ids: Vec<&str> = listed["eacs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cds_eac_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, p2_sorted(keys));
    // The marker, written a name at a time from a list kept on disk, is
    // what serde_json writes for the whole list: every file written (the
    // twelve detail files and the three others), in name order.
    let marker = fs::read_to_string(dest.join(".eacdesk-bundle")).unwrap();
    let mut files: Vec<String> = fs::read_dir(dest.join("eacs"))
        .unwrap()
        .map(|e| format!("eacs/{}", e.unwrap().file_name().to_str().unwrap()))
        .chain(["eacs.json", "server-metadata.json", "FORMAT.md"].map(String::from))
        .collect();
    files.sort();
    assert_eq!(files.len(), 15);
    let expected = serde_json::to_string_pretty(&serde_json::json!({
        "eacdesk_bundle": 1,
        "files": files,
    }))
    .unwrap()
        + "\n";
    assert_eq!(marker, expected);
    let metadata = fs::read_to_string(dest.join("server-metadata.json")).unwrap();
    for f in formats {
        assert!(metadata.contains(&format!("\"{f}\"")), "{f} declared");
    }

    // The envelope-only listing cuts its page in SQL, in the same order.
    let page = env.store.envelope_only(250, 20).unwrap();
    let page_ids: Vec<&str> = page.iter().map(|e| e.cds_eac_id.as_str()).collect();
    assert_eq!(
        page_ids,
        order[250..270]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert!(env.store.envelope_only(700, 10).unwrap().is_empty());

    // A filtered export has no envelope-only EACs and declares no foreign format.
    let filtered = env.file("filtered");
    let report = env
        .store
        .export_p2(Some(&search("full-0")), &filtered, None, &NoProgress)
        .unwrap();
    assert_eq!(report.eac_count, 10);
    let metadata = fs::read_to_string(filtered.join("server-metadata.json")).unwrap();
    assert!(!metadata.contains("zz_other"));
}

/// `audit_each` hands out the records `audit_log` returns, in the same
/// order, one at a time: stopping after the first reads no further.
#[test]
fn audit_each_streams_what_audit_log_returns() {
    let mut env = browse_env();
    for id in ["a", "b", "c"] {
        env.store
            .mark_verified_id(id, Some(&why("called the registry")), "alice")
            .unwrap();
    }
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 3);
    let mut streamed = Vec::new();
    env.store
        .audit_each(None, &mut |r| {
            streamed.push(r);
            Ok(())
        })
        .unwrap();
    assert_eq!(
        serde_json::to_string(&streamed).unwrap(),
        serde_json::to_string(&log).unwrap()
    );
    let mut seen = 0;
    let e = env
        .store
        .audit_each(None, &mut |_| {
            seen += 1;
            Err(StoreError::Cancelled)
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::Cancelled));
    assert_eq!(seen, 1, "the walk stops at the first error");
    let mut one = Vec::new();
    env.store
        .audit_each(Some("b"), &mut |r| {
            one.push(r.cds_eac_id);
            Ok(())
        })
        .unwrap();
    assert_eq!(one, ["b"]);
}

/// An earlier bundle's marker is read a name at a time: one that is not a
/// marker refuses the export and leaves the folder as it was; a marker
/// with a field it does not know is still read.
#[test]
fn an_unreadable_marker_refuses_the_replacement() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("a"), eac("b")]);
    let dest = env.file("bundle");
    env.store.export_p2(None, &dest, None, &NoProgress).unwrap();
    let marker = dest.join(".eacdesk-bundle");
    let good = fs::read_to_string(&marker).unwrap();
    for bad in [
        "not json".to_owned(),
        r#"{"eacdesk_bundle": 1}"#.to_owned(),
        r#"{"files": []}"#.to_owned(),
        r#"{"eacdesk_bundle": 1, "files": [1]}"#.to_owned(),
        format!("{good} trailing"),
        r#"{"eacdesk_bundle": 1, "files": [], "files": []}"#.to_owned(),
    ] {
        fs::write(&marker, &bad).unwrap();
        let e = env
            .store
            .export_p2(None, &dest, None, &NoProgress)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read"), "{bad}: {e}");
        assert_eq!(fs::read_to_string(&marker).unwrap(), bad);
    }
    let extra = good.replacen('{', r#"{"written_by": "a later version","#, 1);
    fs::write(&marker, extra).unwrap();
    env.store.export_p2(None, &dest, None, &NoProgress).unwrap();
    assert_eq!(fs::read_to_string(&marker).unwrap(), good);
}
