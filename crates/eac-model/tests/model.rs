//! Reading and writing real documents through the public API.

use std::path::PathBuf;

use eac_model::{read_listing, CheckOptions, EacRead, Flow, ListingError, ListingWriter};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples")
        .join(name)
}

fn read_all(bytes: &[u8], opts: CheckOptions) -> (Vec<eac_model::Eac>, Vec<eac_model::Violation>) {
    let mut eacs = Vec::new();
    let mut violations = Vec::new();
    let summary = read_listing(bytes, opts, |_, outcome| {
        match outcome {
            EacRead::Valid { eac, warnings } => {
                eacs.push(*eac);
                violations.extend(warnings);
            }
            EacRead::Ignored { warnings } => violations.extend(warnings),
            EacRead::Invalid { violations: v } => violations.extend(v),
        }
        Flow::Continue
    });
    match summary {
        Ok(s) => violations.extend(s.violations),
        Err(ListingError::Malformed(v)) => violations.push(v),
        Err(e) => panic!("{e}"),
    }
    (eacs, violations)
}

#[test]
fn mixed_order_example_reads_and_keeps_digits() {
    let bytes = std::fs::read(example("good-p1-mixed-order.json")).unwrap();
    let (eacs, violations) = read_all(&bytes, CheckOptions::import());
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(eacs.len(), 7);
    let mut w = ListingWriter::begin(Vec::new()).unwrap();
    for e in &eacs {
        w.write_item(e).unwrap();
    }
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(out.contains("\"value\": 45.106820"));
    assert!(out.contains("\"acme_note\": \"extension field, must be tolerated\""));
    assert!(out.contains("\"start\": \"2024-01-01T00:00:00Z\""));
}

#[test]
fn not_json_example_is_located() {
    let bytes = std::fs::read(example("bad-p1-overview-not-json.json")).unwrap();
    let (_, violations) = read_all(&bytes, CheckOptions::import());
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].rule, 20);
    assert!(violations[0].line.is_some());
    eprintln!("{}", violations[0]);
}

#[test]
fn todo_emissions_flagged_on_import_refused_on_validate() {
    let bytes = std::fs::read(example("bad-p1-todo-emissions.json")).unwrap();
    let (eacs, violations) = read_all(&bytes, CheckOptions::import());
    assert_eq!(eacs.len(), 1);
    assert!(eacs[0].emissions_factor_direct.is_none());
    assert!(violations.iter().all(|v| !v.is_error() && v.rule == 6));
    let (eacs, violations) = read_all(&bytes, CheckOptions::validate());
    assert!(eacs.is_empty());
    assert!(
        violations
            .iter()
            .any(|v| v.is_error() && v.rule == 6 && v.pointer == "/eacs/0/emissions_factor_direct"),
        "{violations:#?}"
    );
}

/// Every member of an EAC, of one of its values, or of the listing, holding
/// a 100 kB string, number or array of strings: each is refused
/// or accepted as the rules say, and no message quotes more than a few
/// dozen characters of it (a 50 MB value once filled the report).
#[test]
fn no_message_quotes_a_huge_value_whole() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/rules/rule-16-accepts-negative-zero-and-unit-case.json"),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let huge_text = "é".repeat(50_000);
    let huge_number = format!("1{}", "0".repeat(100_000));
    let replacements = [
        serde_json::to_string(&huge_text).unwrap(),
        huge_number.clone(),
        format!(
            "[\"a\", {}, {}]",
            serde_json::to_string(&huge_text).unwrap(),
            serde_json::to_string(&huge_text).unwrap()
        ),
        format!("[{huge_number}]"),
    ];
    let eac = doc["eacs"][0].as_object().unwrap();
    let value = eac["values"][0].as_object().unwrap();
    let mut places: Vec<(String, String)> = Vec::new();
    for key in eac.keys().filter(|k| *k != "values") {
        places.push((format!("eacs.0.{key}"), key.clone()));
    }
    for key in value.keys() {
        places.push((format!("eacs.0.values.0.{key}"), key.clone()));
    }
    places.push(("next".into(), "next".into()));
    // Duplicated: an id listed twice.
    places.push(("eacs.0.beneficiaries.dup".into(), "beneficiaries".into()));
    for (place, key) in &places {
        for replacement in &replacements {
            let mut d = doc.clone();
            let marker = "\"@@HUGE@@\"";
            let target = match place.as_str() {
                "next" => &mut d["next"],
                p if p.starts_with("eacs.0.values.0.") => {
                    &mut d["eacs"][0]["values"][0][key.as_str()]
                }
                p if p.ends_with(".dup") => {
                    d["eacs"][0]["beneficiary_type"] = "customer".into();
                    &mut d["eacs"][0][key.as_str()]
                }
                _ => &mut d["eacs"][0][key.as_str()],
            };
            *target = serde_json::Value::String("@@HUGE@@".into());
            let text = serde_json::to_string_pretty(&d).unwrap();
            let text = if place.ends_with(".dup") {
                let id = serde_json::to_string(&huge_text).unwrap();
                text.replace(marker, &format!("[{id}, {id}]"))
            } else {
                text.replace(marker, replacement)
            };
            for opts in [CheckOptions::import(), CheckOptions::validate()] {
                let (_, violations) = read_all(text.as_bytes(), opts);
                for v in &violations {
                    let shown = v.to_string();
                    assert!(
                        shown.chars().count() < 600,
                        "{place} = {}…: {} characters: {}",
                        &replacement[..20],
                        shown.chars().count(),
                        &shown[..shown
                            .char_indices()
                            .nth(300)
                            .map_or(shown.len(), |(i, _)| i)]
                    );
                }
            }
        }
    }
}

#[test]
fn an_extension_nested_without_end_is_refused_at_its_member_not_a_crash() {
    // 100,000 levels once overflowed the stack of import and validate alike.
    let text = std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap();
    let n = 100_000;
    let deep = format!(
        "\"x_deep\": {}{}, \"cds_eac_id\"",
        "[".repeat(n),
        "]".repeat(n)
    );
    let bytes = text.replacen("\"cds_eac_id\"", &deep, 1);
    let (eacs, violations) = read_all(bytes.as_bytes(), CheckOptions::import());
    assert_eq!(eacs.len(), 6, "the other EACs are still read");
    let v = violations
        .iter()
        .find(|v| v.is_error())
        .expect("the deep member is refused");
    assert_eq!(
        (v.rule, v.pointer.as_str()),
        (20, "/eacs/0/x_deep"),
        "{v:?}"
    );
    assert!(v.message.contains("at most 64 levels"), "{}", v.message);
}

#[test]
fn an_emission_factor_placeholder_is_flagged_but_broken_data_is_refused_on_import() {
    let text = std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap();
    let first = "\"emissions_factor_lca\": 0.011";
    assert!(text.contains(first));
    let with =
        |factor: &str| text.replacen(first, &format!("\"emissions_factor_lca\": {factor}"), 1);
    // The examples' "TODO" (and null): kept as missing, flagged (decision 7).
    for placeholder in ["\"TODO\"", "null"] {
        let (eacs, violations) = read_all(with(placeholder).as_bytes(), CheckOptions::import());
        assert_eq!(eacs.len(), 7, "{placeholder}: {violations:#?}");
        assert!(violations.iter().all(|v| !v.is_error()), "{violations:#?}");
        assert!(
            violations.iter().any(|v| v.rule == 6),
            "flagged: {violations:#?}"
        );
    }
    // An object, array or boolean is broken data: refused, not dropped.
    for broken in ["{\"a\": 1}", "[1]", "true"] {
        let (eacs, violations) = read_all(with(broken).as_bytes(), CheckOptions::import());
        assert_eq!(eacs.len(), 6, "{broken}");
        let v = violations.iter().find(|v| v.is_error()).expect("refused");
        assert_eq!(
            (v.rule, v.pointer.as_str()),
            (6, "/eacs/0/emissions_factor_lca"),
            "{broken}"
        );
    }
}

/// Each broken value of an EAC is reported at its own pointer, whether the
/// `values` array reads in one pass (a value missing a field, one that is
/// not an object) or only element by element (a duplicate key).
#[test]
fn broken_values_are_located_each_at_its_own_pointer() {
    let text = std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = serde_json::to_string(&doc["eacs"][0]["values"][0]).unwrap();
    let with_values = |values: &str| {
        let mut eac = doc["eacs"][0].clone();
        eac["values"] = serde_json::Value::Null;
        let eac = serde_json::to_string(&eac).unwrap().replacen(
            "\"values\":null",
            &format!("\"values\":{values}"),
            1,
        );
        format!("{{\"eacs\": [{eac}]}}")
    };
    let missing = first.replacen("\"unit\":\"MWh\",", "", 1);
    assert_ne!(missing, first, "the example's value has a unit");
    let (eacs, violations) = read_all(
        with_values(&format!("[{first}, 5, {missing}]")).as_bytes(),
        CheckOptions::import(),
    );
    assert!(eacs.is_empty());
    let errors: Vec<(u8, &str)> = violations
        .iter()
        .filter(|v| v.is_error())
        .map(|v| (v.rule, v.pointer.as_str()))
        .collect();
    assert_eq!(
        errors,
        [(2, "/eacs/0/values/1"), (2, "/eacs/0/values/2/unit")],
        "{violations:#?}"
    );
    let duplicate = first.replacen("{", "{\"unit\":\"MWh\",", 1);
    let listing = with_values(&format!("[{first}, {first}, {duplicate}]"));
    let (eacs, violations) = read_all(listing.as_bytes(), CheckOptions::import());
    assert!(eacs.is_empty());
    let v = violations.iter().find(|v| v.is_error()).expect("refused");
    // Named and placed at the key written twice (its second `"unit"`),
    // as a key twice among an EAC's own fields is.
    let (second, _) = duplicate.match_indices("\"unit\"").nth(1).unwrap();
    let at = listing.rfind(&duplicate).unwrap() + second;
    let column = listing[..at].chars().count() as u64 + 1;
    assert_eq!(
        (v.rule, v.pointer.as_str(), v.line, v.column),
        (20, "/eacs/0/values/2/unit", Some(1), Some(column)),
        "{v}"
    );
    assert!(v.message.contains("duplicate key `unit`"), "{v}");
}

/// The line and column of the first `needle` in `text` (1-based, columns
/// in characters; the fixture's lines end with `\n`).
fn line_column(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle}"));
    let line = text[..at].matches('\n').count() as u64 + 1;
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, text[start..at].chars().count() as u64 + 1)
}

/// Tester 39: a duplicate member was placed at the colon after its second
/// key, not where that key starts; a repeated `cds_eac_id` did not say
/// where the first one is (reference data does: "also at /accounts/0");
/// a syntax error inside `/eacs/1/values/0` was named at `/eacs/1`, the
/// element. Each is said where it is, with the same line and column, in
/// a small listing and past the first megabyte of a large one.
#[test]
fn duplicates_and_syntax_errors_are_placed_where_the_user_looks() {
    let text = std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap();
    let located = |text: &str| {
        let (_, violations) = read_all(text.as_bytes(), CheckOptions::import());
        let v = violations
            .into_iter()
            .find(|v| v.is_error())
            .expect("refused");
        (v.pointer.clone(), v.line, v.column, v.message.clone())
    };
    // Padding before the defect: a large listing's first EACs, so the
    // error lies past the first reads (framed, then resumed).
    let first = text.find("\n    {").unwrap();
    let end = text.find("\n    },").unwrap() + "\n    },".len();
    let element = &text[first..end];
    let big = |doc: &str| {
        let mut padded = String::from(&doc[..first]);
        for i in 0..4000 {
            padded.push_str(&element.replacen("\"e-01\"", &format!("\"pad-{i}\""), 1));
        }
        padded.push_str(&doc[first..]);
        assert!(padded.len() > 3 << 20);
        padded
    };

    let dup = text.replacen(
        "\"source_name\": \"Registry One\",",
        "\"source_name\": \"Registry One\", \"source_name\": \"Registry Two\",",
        1,
    );
    for (doc, index) in [(dup.clone(), 0), (big(&dup), 4000)] {
        let (pointer, line, column, message) = located(&doc);
        let (key_line, key_column) = line_column(&doc, "\"source_name\": \"Registry Two\"");
        assert_eq!(
            (pointer.as_str(), line, column),
            (
                format!("/eacs/{index}/source_name").as_str(),
                Some(key_line),
                Some(key_column)
            ),
            "{message}"
        );
        assert!(
            message.starts_with("duplicate key `source_name`"),
            "{message}"
        );
    }

    let repeated = text.replacen("\"e-03\"", "\"e-01\"", 1);
    let (pointer, _, _, message) = located(&repeated);
    assert_eq!(pointer, "/eacs/2/cds_eac_id");
    assert_eq!(
        message,
        "`cds_eac_id` `e-01` appears more than once in this file (also at /eacs/0)"
    );

    let second_value = text.find("\"cds_eac_id\": \"e-02\"").unwrap();
    let value = second_value + text[second_value..].find("\"value\": ").unwrap();
    let number_end = value + text[value..].find('\n').unwrap();
    // `"value": 30.0.5`: the second `.` is the defect.
    let broken = format!("{}.0.5{}", &text[..number_end], &text[number_end..]);
    let member = format!("{}.0.5", &text[value..number_end]);
    for (doc, index) in [(broken.clone(), 1), (big(&broken), 4001)] {
        let (pointer, line, column, message) = located(&doc);
        let (l, c) = line_column(&doc, &member);
        assert_eq!(
            (pointer.as_str(), line, column),
            (
                format!("/eacs/{index}/values/0/value").as_str(),
                Some(l),
                Some(c + member.rfind('.').unwrap() as u64)
            ),
            "{message}"
        );
    }
    // An object whose next key is not read yet is named itself.
    let trailing = text.replacen("\"value\": 30\n", "\"value\": 30,\n", 1);
    let (pointer, _, _, message) = located(&trailing);
    assert_eq!(pointer, "/eacs/0/values/0", "{message}");
}

/// Tester 42: a key written twice inside an extension member (on an EAC,
/// on a value, nested deeper, in a P2 detail file) was named at the
/// member, with no line or column: in an extension written on one line
/// the user could not find it. It is named and placed at the key itself,
/// as a key twice among the spec's fields is, in a small listing and
/// past the first megabyte of a large one.
#[test]
fn a_key_twice_inside_an_extension_is_placed_at_the_key() {
    let text = std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap();
    let located = |text: &str| {
        let (_, violations) = read_all(text.as_bytes(), CheckOptions::validate());
        let errors: Vec<_> = violations.into_iter().filter(|v| v.is_error()).collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let v = &errors[0];
        assert_eq!(v.message, "duplicate key `a` (rule 20: strict JSON)");
        (v.pointer.clone(), v.line, v.column)
    };
    let first = text.find("\n    {").unwrap();
    let end = text.find("\n    },").unwrap() + "\n    },".len();
    let element = &text[first..end];
    let big = |doc: &str| {
        let mut padded = String::from(&doc[..first]);
        for i in 0..4000 {
            padded.push_str(&element.replacen("\"e-01\"", &format!("\"pad-{i}\""), 1));
        }
        padded.push_str(&doc[first..]);
        assert!(padded.len() > 3 << 20);
        padded
    };
    let note = "\"acme_note\": \"extension field, must be tolerated\"";
    let value = "\"unit\": \"MWh\",\n          \"value\": 30\n        }\n      ],\n      \"acme";
    for (from, to, pointer, needle) in [
        // On the EAC, the key twice on one line with the first.
        (
            note,
            "\"acme\": {\"a\": 1, \"b\": [], \"a\": 2}",
            "/eacs/2/acme/a",
            "\"a\": 2",
        ),
        // Deeper: in an object in an array in the member, after a CR.
        (
            note,
            "\"acme\": {\"a\": [1, {\"a\": 1,\r\"a\": 2}]}",
            "/eacs/2/acme/a/1/a",
            "\"a\": 2",
        ),
        // On a value, the member's key written with an escape.
        (
            value,
            "\"unit\": \"MWh\", \"ac~me\": {\"a\": 1, \"\\u0061\": 2},\n          \"value\": 30\n        }\n      ],\n      \"acme",
            "/eacs/2/values/0/ac~0me/a",
            "\"\\u0061\": 2",
        ),
    ] {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        let doc = text.replacen(from, to, 1);
        for (doc, index) in [(doc.clone(), 2), (big(&doc), 4002)] {
            let at = doc.find(needle).unwrap();
            let line = doc[..at].matches(['\n', '\r']).count() as u64 + 1;
            let start = doc[..at].rfind(['\n', '\r']).map_or(0, |n| n + 1);
            let column = doc[start..at].chars().count() as u64 + 1;
            let pointer = pointer.replacen("/eacs/2/", &format!("/eacs/{index}/"), 1);
            assert_eq!(located(&doc), (pointer, Some(line), Some(column)), "{to}");
        }
    }

    // A P2 detail file, one EAC object read on its own.
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let detail = serde_json::to_string_pretty(&doc["eacs"][2])
        .unwrap()
        .replacen(note, "\"acme\": {\"x\": {\"a\": 1, \"a\": 2}}", 1);
    let EacRead::Invalid { violations } =
        eac_model::p2::read_eac_document(&detail, CheckOptions::validate())
    else {
        panic!("a key twice is refused");
    };
    let (line, column) = line_column(&detail, "\"a\": 2");
    let v = &violations[0];
    assert_eq!(
        (v.rule, v.pointer.as_str(), v.line, v.column),
        (20, "/acme/x/a", Some(line), Some(column)),
        "{v}"
    );
}

/// A valid P1 listing (a rule fixture that breaks no rule: its bytes and
/// its JSON) and a valid P2 envelope, for tests that break one string of either.
fn valid_listing_and_envelope() -> (Vec<u8>, serde_json::Value, serde_json::Value) {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/rules/rule-16-accepts-negative-zero-and-unit-case.json"),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let envelope = serde_json::json!({
        "cds_eac_id": "eac-1",
        "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z",
        "cds_synced": "2024-01-01T00:00:00Z",
        "eac_numbers": ["AAA-001"],
        "eac_format": "other",
        "eac_data_url": "https://example.org/eac-1",
        "beneficiary_type": "customer",
        "beneficiaries": ["CUST123"],
        "period_start": "2024-01-01T00:00:00Z",
        "period_end": "2024-02-01T00:00:00Z"
    });
    (bytes, doc, envelope)
}

/// An id holding a control character (C0 with NUL, DEL, C1) is refused by
/// the P1 and P2 readers as a located violation of that id's rule, on
/// import and on validate; free text keeps every character (decision in
/// docs/decisions.md).
#[test]
fn ids_with_control_characters_are_refused_where_they_are() {
    use eac_model::p2::{read_p2_listing, EnvelopeRead};
    let (bytes, doc, envelope) = valid_listing_and_envelope();
    let p2_violations = |d: &serde_json::Value, opts: CheckOptions| {
        let text = serde_json::json!({"eacs": [d], "next": null, "previous": null}).to_string();
        let mut out = Vec::new();
        read_p2_listing(text.as_bytes(), opts, |_, read| {
            match read {
                EnvelopeRead::Valid { warnings, .. } => out.extend(warnings),
                EnvelopeRead::Ignored { warnings } => out.extend(warnings),
                EnvelopeRead::Invalid { violations } => out.extend(violations),
            }
            Flow::Continue
        })
        .unwrap();
        out
    };
    // Unchanged, both documents are valid.
    assert!(read_all(&bytes, CheckOptions::validate()).1.is_empty());
    assert!(p2_violations(&envelope, CheckOptions::validate()).is_empty());

    let controls = [
        ("\u{0}", "U+0000 (NUL)"),
        ("\n", "U+000A (line feed)"),
        ("\t", "U+0009 (tab)"),
        ("\u{1b}", "U+001B (escape)"),
        ("\u{7f}", "U+007F (delete)"),
        ("\u{85}", "U+0085"),
        ("\u{9f}", "U+009F"),
    ];
    // (P1 place, rule) — a value at the place gets a control character.
    let p1_places: [(&[&str], u8); 4] = [
        (&["cds_eac_id"], 7),
        (&["beneficiaries", "0"], 17),
        (&["eac_number"], 17),
        (&["values", "0", "eac_number"], 17),
    ];
    let p2_places: [(&[&str], u8); 3] = [
        (&["cds_eac_id"], 7),
        (&["beneficiaries", "0"], 17),
        (&["eac_numbers", "0"], 17),
    ];
    for (control, named) in controls {
        for (profile, places) in [("P1", &p1_places[..]), ("P2", &p2_places[..])] {
            for (path, rule) in places {
                let mut d = if profile == "P1" {
                    doc["eacs"][0].clone()
                } else {
                    envelope.clone()
                };
                let place = value_at(&mut d, path);
                let id = format!("{}{control}x", &place.as_str().unwrap()[..2]);
                *place = id.into();
                let pointer = format!("/eacs/0/{}", path.join("/"));
                for opts in [CheckOptions::import(), CheckOptions::validate()] {
                    let violations = if profile == "P1" {
                        let text = serde_json::json!({"eacs": [d], "next": null, "previous": null})
                            .to_string();
                        read_all(text.as_bytes(), opts).1
                    } else {
                        p2_violations(&d, opts)
                    };
                    let case = format!("{profile} {pointer} with {named}");
                    let errors: Vec<_> = violations.iter().filter(|v| v.is_error()).collect();
                    assert_eq!(errors.len(), 1, "{case}: {violations:#?}");
                    let v = errors[0];
                    assert_eq!(
                        (v.rule, v.pointer.as_str()),
                        (*rule, pointer.as_str()),
                        "{case}: {v}"
                    );
                    assert!(
                        v.message.contains(&format!(
                            "holds a control character, {named}, at character 3"
                        )),
                        "{case}: {v}"
                    );
                }
            }
        }
    }
    // Free text keeps its characters, and ids keep any other character.
    let mut d = doc["eacs"][0].clone();
    d["source_name"] = "Registry\tOne\nline two\u{0}".into();
    d["cds_eac_id"] = "eac\u{a0}1 — 風".into();
    let text = serde_json::json!({"eacs": [d], "next": null, "previous": null}).to_string();
    let (eacs, violations) = read_all(text.as_bytes(), CheckOptions::validate());
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(eacs[0].source_name, "Registry\tOne\nline two\u{0}");
}

/// Text of more than 4096 characters (Unicode scalar values, not bytes)
/// is refused wherever an EAC holds a string: each of its CDS text fields,
/// a beneficiary id, a value's `eac_number`, an extension member, a string
/// or member name inside one, and the same in a P2 envelope; on import and
/// on validate, written plainly or with escapes, as one rule 2 error at
/// the string's place (a member name: at its object). 4096 characters are
/// accepted. The per-EAC rules (what an export runs on stored EACs) say
/// the same of an EAC built in memory.
#[test]
fn text_longer_than_4096_characters_is_refused_wherever_it_is() {
    use eac_model::p2::{read_p2_listing, EnvelopeRead};
    let (bytes, doc, envelope) = valid_listing_and_envelope();
    let p2_violations = |text: &str, opts: CheckOptions| {
        let mut out = Vec::new();
        read_p2_listing(text.as_bytes(), opts, |_, read| {
            match read {
                EnvelopeRead::Valid { warnings, .. } => out.extend(warnings),
                EnvelopeRead::Ignored { warnings } => out.extend(warnings),
                EnvelopeRead::Invalid { violations } => out.extend(violations),
            }
            Flow::Continue
        })
        .unwrap();
        out
    };
    // Where the text goes, and where the refusal points (below /eacs/0).
    let p1_places: &[(&[&str], &str)] = &[
        (&["cds_eac_id"], "cds_eac_id"),
        (&["eac_number"], "eac_number"),
        (&["source_id"], "source_id"),
        (&["source_name"], "source_name"),
        (&["destination_id"], "destination_id"),
        (&["destination_name"], "destination_name"),
        (&["asset_id"], "asset_id"),
        (&["beneficiaries", "0"], "beneficiaries/0"),
        (&["values", "0", "eac_number"], "values/0/eac_number"),
        (&["acme_note"], "acme_note"),
        (&["acme_more", "list", "1"], "acme_more/list/1"),
        (&["values", "0", "acme_note"], "values/0/acme_note"),
    ];
    let p2_places: &[(&[&str], &str)] = &[
        (&["cds_eac_id"], "cds_eac_id"),
        (&["beneficiaries", "0"], "beneficiaries/0"),
        (&["eac_numbers", "0"], "eac_numbers/0"),
        (&["eac_format"], "eac_format"),
        (&["eac_data_url"], "eac_data_url"),
        (&["acme_note"], "acme_note"),
    ];
    let listing = |d: &serde_json::Value| {
        serde_json::json!({"eacs": [d], "next": null, "previous": null}).to_string()
    };
    for (profile, places) in [("P1", p1_places), ("P2", p2_places)] {
        for (path, pointer) in places {
            for chars in [4096, 4097] {
                let mut d = match profile {
                    "P1" => doc["eacs"][0].clone(),
                    _ => envelope.clone(),
                };
                d["acme_more"] = serde_json::json!({"list": ["a", "b"]});
                if profile == "P1" {
                    d["values"][0]["acme_note"] = "short".into();
                }
                let text = match *pointer {
                    "eac_data_url" => {
                        let head = "https://example.org/";
                        // A URI holds ASCII only.
                        format!("{head}{}", "a".repeat(chars - head.len()))
                    }
                    _ => "é".repeat(chars),
                };
                *value_at(&mut d, path) = text.into();
                let plain = listing(&d);
                // The same document with every `é` written as an escape.
                let escaped = plain.replace('é', "\\u00e9");
                for (written, text) in [("plainly", &plain), ("escaped", &escaped)] {
                    for opts in [CheckOptions::import(), CheckOptions::validate()] {
                        let violations = match profile {
                            "P1" => read_all(text.as_bytes(), opts).1,
                            _ => p2_violations(text, opts),
                        };
                        let case =
                            format!("{profile} /eacs/0/{pointer}, {chars} characters {written}");
                        let errors: Vec<_> = violations.iter().filter(|v| v.is_error()).collect();
                        if chars == 4096 {
                            assert!(errors.is_empty(), "{case}: {violations:#?}");
                            continue;
                        }
                        assert_eq!(errors.len(), 1, "{case}: {violations:#?}");
                        let v = errors[0];
                        assert_eq!(
                            (v.rule, v.pointer.as_str()),
                            (2, format!("/eacs/0/{pointer}").as_str()),
                            "{case}: {v}"
                        );
                        assert!(
                            v.message.contains(
                                "is text longer than 4096 characters (4097): at most 4096; shorten it"
                            ),
                            "{case}: {v}"
                        );
                        assert!(v.to_string().len() < 300, "{case}: {v}");
                    }
                }
            }
        }
    }
    // A member name over the cap is placed at its object.
    let mut d = doc["eacs"][0].clone();
    d[&"é".repeat(4097)] = 1.into();
    d["acme_more"] = serde_json::json!({"x": {"é".repeat(4097): 1}});
    let (_, violations) = read_all(listing(&d).as_bytes(), CheckOptions::validate());
    let placed: Vec<(&str, u8)> = violations
        .iter()
        .map(|v| (v.pointer.as_str(), v.rule))
        .collect();
    assert_eq!(
        placed,
        [("/eacs/0/acme_more/x", 2), ("/eacs/0", 2)],
        "{violations:#?}"
    );
    assert!(
        violations[0]
            .message
            .contains("a member name inside `acme_more`"),
        "{}",
        violations[0]
    );
    assert!(
        violations[1].message.contains("the member name `éé"),
        "{}",
        violations[1]
    );
    d = doc["eacs"][0].clone();
    d[&"é".repeat(4096)] = "é".repeat(4096).into();
    assert!(read_all(listing(&d).as_bytes(), CheckOptions::validate())
        .1
        .is_empty());

    // The per-EAC rules on an EAC in memory (a stored one, before export).
    let (mut eacs, _) = read_all(&bytes, CheckOptions::validate());
    let mut eac = eacs.remove(0);
    eac.source_name = "é".repeat(4097);
    eac.values[0].eac_number = Some("x".repeat(5000));
    eac.beneficiaries = vec!["b".repeat(4097)];
    eac.extensions = eac_model::extensions_from_json(&format!(
        r#"{{"acme": [{{"k": "{}"}}]}}"#,
        "y".repeat(4097)
    ))
    .unwrap();
    let found: Vec<(String, u8)> = eac_model::check_eac(&eac, "/eacs/0", CheckOptions::validate())
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect();
    let want = [
        "/eacs/0/beneficiaries/0",
        "/eacs/0/source_name",
        "/eacs/0/acme/0/k",
        "/eacs/0/values/0/eac_number",
    ];
    assert_eq!(
        found,
        want.iter().map(|p| (p.to_string(), 2)).collect::<Vec<_>>()
    );
    eac.source_name = "é".repeat(4096);
    eac.values[0].eac_number = None;
    eac.beneficiaries = vec!["b".repeat(4096)];
    eac.extensions = eac_model::Extensions::default();
    assert_eq!(eac_model::check_eac(&eac, "", CheckOptions::validate()), []);
}

fn value_at<'a>(mut d: &'a mut serde_json::Value, path: &[&str]) -> &'a mut serde_json::Value {
    for k in path {
        d = match k.parse::<usize>() {
            Ok(i) => &mut d[i],
            Err(_) => &mut d[*k],
        };
    }
    d
}

#[path = "model/arb_eac.rs"]
mod arb_eac;
#[path = "model/framing.rs"]
mod framing;
#[path = "model/listing_rules.rs"]
mod listing_rules;
#[path = "model/properties.rs"]
mod properties;
#[path = "model/time_parse.rs"]
mod time_parse;
#[path = "model/units.rs"]
mod units;
#[path = "model/written.rs"]
mod written;
