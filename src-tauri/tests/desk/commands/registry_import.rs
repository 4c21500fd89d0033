//! Registry documents through the import commands: formats, dry runs,
//! saved CSV column mappings and their preview, on a real store.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::desk;

/// A real registry sample (the readers' fixtures).
fn sample(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/eac-registry/tests/fixtures")
        .join(rel)
}

fn mapping_fixture(name: &str) -> String {
    std::fs::read_to_string(sample(&format!("mapped/{name}.mapping.json"))).unwrap()
}

fn eac_count(desk: &super::Desk) -> u64 {
    desk.ok("db_info", json!({}))["eac_count"].as_u64().unwrap()
}

#[test]
fn formats_list_the_cds_profiles_then_every_registry_format() {
    let desk = desk();
    let formats = desk.ok("import_formats", json!({}));
    let list = formats.as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(&ids[..2], ["cds-p1", "cds-p2"]);
    for id in [
        "ofgem-csv",
        "ofgem-xml",
        "ofgem-stations",
        "irec-pdf",
        "go-pdf",
        "mrets-pdf",
        "mrets-csv",
        "energytag",
        "csv",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    for f in list {
        assert!(!f["name"].as_str().unwrap().is_empty(), "{f}");
        assert!(!f["reads"].as_str().unwrap().is_empty(), "{f}");
        // Only the mapped CSV needs to be chosen by hand.
        assert_eq!(f["detected"], json!(f["id"] != "csv"), "{f}");
    }
}

#[test]
fn a_pdf_statement_is_detected_checked_with_a_dry_run_then_imported_once() {
    let desk = desk();
    let pdf = sample("irec/redemption-statement-sample.pdf");
    let import = |dry_run: bool| {
        desk.ok(
            "import_files",
            json!({ "op_id": "pdf", "paths": [pdf], "dry_run": dry_run }),
        )["files"][0]
            .clone()
    };

    let dry = import(true);
    assert_eq!(dry["outcome"], "imported", "{dry}");
    assert_eq!(dry["registry"]["format"], "irec-pdf", "{dry}");
    let would_add = dry["added"].as_u64().unwrap();
    assert!(would_add > 0, "{dry}");
    assert_eq!(eac_count(&desk), 0, "a dry run writes nothing");

    let real = import(false);
    assert_eq!(real["outcome"], "imported", "{real}");
    assert_eq!(
        real["added"], would_add,
        "the dry run said what the import did"
    );
    assert_eq!(
        real["registry"]["format_name"],
        dry["registry"]["format_name"]
    );
    assert!(real["registry"]["seen_before"].is_null(), "{real}");
    // An I-REC statement prints no redemption date: the EACs are stored incomplete.
    assert!(
        real["registry"]["incomplete_eacs"].as_u64().unwrap() > 0,
        "{real}"
    );
    assert_eq!(eac_count(&desk), would_add);

    let again = import(false);
    assert_eq!(again["added"], 0, "{again}");
    let seen = &again["registry"]["seen_before"];
    assert!(
        seen["file_name"].as_str().unwrap().ends_with(".pdf"),
        "{again}"
    );
    assert_eq!(eac_count(&desk), would_add);
}

#[test]
fn a_forced_format_that_does_not_fit_refuses_the_file_with_its_place() {
    let desk = desk();
    let csv = sample("mapped/go-cancellations.csv");
    let report = desk.ok("import_files", json!({ "op_id": "x", "paths": [csv] }));
    // A CSV of a registry EAC Desk has no reader for is refused whole (the
    // Import dialog then offers to map its columns).
    let file = &report["files"][0];
    assert_eq!(file["outcome"], "failed", "{file}");
    assert_eq!(eac_count(&desk), 0);
    // Mapped CSV without a mapping is refused too, saying what is needed.
    let report = desk.ok(
        "import_files",
        json!({ "op_id": "z", "paths": [csv], "format": "csv" }),
    );
    let file = &report["files"][0];
    assert_eq!(file["outcome"], "failed", "{file}");
    assert!(
        file["message"].as_str().unwrap().contains("mapping"),
        "{file}"
    );

    let pdf = sample("irec/redemption-statement-sample.pdf");
    let report = desk.ok(
        "import_files",
        json!({ "op_id": "y", "paths": [pdf], "format": "ofgem-xml" }),
    );
    assert_eq!(report["files"][0]["code"], "unreadable", "{report}");
    assert_eq!(eac_count(&desk), 0);
}

#[test]
fn csv_mappings_are_previewed_saved_used_listed_and_deleted() {
    let desk = desk();
    let csv = sample("mapped/go-cancellations.csv");
    let mapping = mapping_fixture("go-cancellations");

    // Before any mapping: the defaults split on commas and see one column.
    let raw = desk.ok(
        "preview_csv",
        json!({ "path": csv, "mapping_json": "{}", "rows": 5 }),
    );
    assert_eq!(raw["header"].as_array().unwrap().len(), 1, "{raw}");

    let preview = desk.ok(
        "preview_csv",
        json!({ "path": csv, "mapping_json": mapping, "rows": 1 }),
    );
    let header: Vec<&str> = preview["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(header.contains(&"GSRN") && header.contains(&"Certificate numbers"));
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "only the rows asked for");
    // [line, cells]: the two preamble lines and the header come first.
    assert_eq!(rows[0][0], 4, "{preview}");
    assert_eq!(rows[0][1][0], "707057500000000001");

    // An incomplete mapping is refused with everything it lacks at once.
    let e = desk.err(
        "save_csv_mapping",
        json!({ "name": "half", "mapping_json": r#"{"delimiter": ";"}"# }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    let message = e["message"].as_str().unwrap();
    for lack in [
        "registry key",
        "time zone",
        "certificate numbers",
        "device id",
    ] {
        assert!(message.contains(lack), "{lack} not named: {message}");
    }
    assert_eq!(desk.ok("csv_mappings", json!({})), json!([]));
    // … and as a list, each item whole: a column name or value holding
    // "; " is one item (the app split the message at "; ").
    let e = desk.err(
        "save_csv_mapping",
        json!({
            "name": "half",
            "mapping_json": r#"{"has_header": false, "device_id": {"column": "GSRN; main"}, "unit": {"value": "M; Wh"}}"#,
        }),
    );
    let problems: Vec<&str> = e["details"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no list of problems: {e}"))
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems.contains(&"the unit `M; Wh` is not MWh, kWh or Wh"),
        "{problems:?}"
    );
    assert!(
        problems.contains(
            &"the device id names the column `GSRN; main`, but the file has no header: give its position (column_number)"
        ),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("registry key")),
        "{problems:?}"
    );
    assert_eq!(
        e["message"],
        format!("the mapping is not complete: {}", problems.join("; ")),
        "the message lists the same"
    );

    // Saved, and the look-alike registry key said as the CLI says it
    // (decision 461): the app shows it beside "Saved".
    let reply = desk.ok(
        "save_csv_mapping",
        json!({ "name": "NECS export", "mapping_json": mapping }),
    );
    assert_eq!(reply["name"], "NECS export", "{reply}");
    assert_eq!(reply["builtin_key"], "eecs", "{reply}");
    let warning = reply["registry_key_warning"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"));
    assert!(
        warning.starts_with("the registry key `eecs-no` looks like `eecs`")
            && warning.contains("write `\"registry\": \"eecs\"` in the mapping"),
        "{warning}"
    );
    let saved = desk.ok("csv_mappings", json!({}));
    assert_eq!(saved.as_array().unwrap().len(), 1);
    assert_eq!(saved[0]["name"], "NECS export");
    let stored: Value = serde_json::from_str(saved[0]["mapping"].as_str().unwrap()).unwrap();
    assert_eq!(stored["registry"], "eecs-no");
    assert_eq!(stored["name"], "NECS export", "saved under the name given");

    let report = desk.ok(
        "import_files",
        json!({ "op_id": "m", "paths": [csv], "format": "csv", "mapping": "NECS export" }),
    );
    let file = &report["files"][0];
    assert_eq!(file["outcome"], "imported", "{file}");
    assert_eq!(file["registry"]["format"], "csv", "{file}");
    assert_eq!(eac_count(&desk), file["added"].as_u64().unwrap());
    assert!(file["added"].as_u64().unwrap() > 0, "{file}");

    // A name differing only in case is the same name: refused in plain
    // words (no command to type), nothing saved.
    let e = desk.err(
        "save_csv_mapping",
        json!({ "name": "necs EXPORT", "mapping_json": mapping }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("a mapping `NECS export` is saved already")
            && message.contains("save under `NECS export` to replace it"),
        "{message}"
    );
    assert!(!message.contains("eacdesk"), "{message}");
    assert_eq!(
        desk.ok("csv_mappings", json!({})).as_array().unwrap().len(),
        1
    );
    // A key no mapping has is refused, naming the nearest.
    let typo = mapping.replace("\"claim_date\"", "\"claim_dte\"");
    let e = desk.err(
        "save_csv_mapping",
        json!({ "name": "typo", "mapping_json": typo }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("`claim_dte` is not a key of a mapping; did you mean `claim_date`?"),
        "{e}"
    );

    // The built-in key itself: nothing to warn about.
    let builtin = mapping.replace("\"eecs-no\"", "\"eecs\"");
    assert_ne!(builtin, mapping);
    let reply = desk.ok(
        "save_csv_mapping",
        json!({ "name": "  Norway GO ", "mapping_json": builtin }),
    );
    assert_eq!(
        reply,
        json!({ "name": "Norway GO", "registry_key_warning": null, "builtin_key": null })
    );
    desk.ok("delete_csv_mapping", json!({ "name": "Norway GO" }));

    desk.ok("delete_csv_mapping", json!({ "name": "NECS export" }));
    assert_eq!(desk.ok("csv_mappings", json!({})), json!([]));
    let e = desk.err("delete_csv_mapping", json!({ "name": "NECS export" }));
    assert_eq!(e["code"], "invalid_input", "{e}");
}

#[test]
fn a_preview_of_a_missing_file_names_it() {
    let desk = desk();
    let missing = desk.dir.path().join("nowhere.csv");
    let e = desk.err(
        "preview_csv",
        json!({ "path": missing, "mapping_json": "{}", "rows": 5 }),
    );
    assert_eq!(e["code"], "io", "{e}");
}

/// The one file of an import refused, as the app gets it.
fn refused(desk: &super::Desk, path: &std::path::Path) -> Value {
    let report = desk.ok(
        "import_files",
        json!({ "op_id": "refused", "paths": [path], "dry_run": false }),
    );
    let file = report["files"][0].clone();
    assert_eq!(file["outcome"], "failed", "{file}");
    file
}

#[test]
fn a_refused_file_is_said_in_the_apps_words_once_with_advice_that_fits_it() {
    let desk = desk();
    let dir = &desk.dir;
    let message = |f: &Value| f["message"].as_str().unwrap().to_owned();
    let never_cli = |m: &str| {
        assert!(!m.contains("eacdesk"), "{m}");
        assert!(!m.contains("--mapping"), "{m}");
        assert!(
            !m.to_lowercase().contains("nothing from it was imported"),
            "{m}"
        );
        assert!(!m.to_lowercase().contains("nothing was imported"), "{m}");
    };

    // A CSV no reader knows: the app offers "Map its columns…" beside it.
    let csv = dir.path().join("random.csv");
    std::fs::write(&csv, "colour,size\nred,3\n").unwrap();
    let f = refused(&desk, &csv);
    assert_eq!(f["code"], "unreadable", "{f}");
    never_cli(&message(&f));
    assert!(
        message(&f).starts_with("This is neither a CDS listing"),
        "{f}"
    );

    // An Excel workbook, by its content: save it as CSV first.
    let xlsx = dir.path().join("certificates.xlsx");
    let mut bytes = b"PK\x03\x04\x14\x00\x06\x00\x08\x00".to_vec();
    bytes.extend_from_slice(b"[Content_Types].xml\x00\x00xl/workbook.xml\x00\x01\x02");
    std::fs::write(&xlsx, &bytes).unwrap();
    let f = refused(&desk, &xlsx);
    never_cli(&message(&f));
    assert!(message(&f).contains("Excel workbook"), "{f}");
    assert!(message(&f).contains("save it as CSV first"), "{f}");

    // Bytes that are no text are not called UTF-16, even named .json.
    let binary = dir.path().join("binary.json");
    let noise: Vec<u8> = (0u32..2048)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut noise = noise;
    noise[0] = 0;
    noise[1] = 0x8F;
    std::fs::write(&binary, &noise).unwrap();
    let f = refused(&desk, &binary);
    never_cli(&message(&f));
    assert!(message(&f).contains("not a text file"), "{f}");
    assert!(!message(&f).contains("UTF-16"), "{f}");

    // A folder that is not a bundle: said so, not "eacs.json: no such file".
    let folder = dir.path().join("reports");
    std::fs::create_dir(&folder).unwrap();
    let f = refused(&desk, &folder);
    assert_eq!(
        message(&f),
        format!(
            "The folder {} is not a CDS bundle (it has no eacs.json); choose a file, or a bundle folder.",
            folder.display()
        )
    );
    assert!(!message(&f).contains("os error"), "{f}");
    assert_eq!(eac_count(&desk), 0);
}
