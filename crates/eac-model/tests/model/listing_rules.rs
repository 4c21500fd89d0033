//! Every violation of an object listed once, whatever else it breaks
//! (decision 18): rule 7 across a listing for valid, skipped and invalid
//! objects alike (decision 11), the other rules of an EAC whose type
//! `validate` refuses, a wrong entry of a list named at its own place, and
//! rule 20's depth inside server metadata (decision 58).

use eac_model::p2::{read_p2_listing, read_server_metadata, EnvelopeRead};
use eac_model::{read_listing, CheckOptions, EacRead, Flow, Violation};
use serde_json::{json, Value};

fn eac(id: &str, beneficiary_type: &str) -> Value {
    json!({
        "cds_eac_id": id, "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-02T00:00:00Z", "eac_number": "N1",
        "source_id": "S", "source_name": "S", "destination_id": "D", "destination_name": "D",
        "beneficiary_type": beneficiary_type, "beneficiaries": ["A1"], "asset_id": "A",
        "asset_origination": "grid", "asset_destination": "grid", "technology_type": "solar",
        "emissions_factor_direct": 0, "emissions_factor_lca": 0,
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z",
        "values": [{"eac_number": null, "issued": "2024-02-05", "retired": null,
                    "start": null, "end": null, "unit": "kWh", "value": 1}]
    })
}

fn envelope(id: &str, beneficiary_type: &str) -> Value {
    json!({
        "cds_eac_id": id, "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z", "cds_synced": "2024-01-01T00:00:00Z",
        "eac_numbers": ["N1"], "eac_format": "other", "eac_data_url": "https://example.org/e",
        "beneficiary_type": beneficiary_type, "beneficiaries": ["A1"],
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z"
    })
}

fn listing(items: &[Value]) -> String {
    json!({"eacs": items, "next": null, "previous": null}).to_string()
}

/// What each element read as: "valid", "ignored" or "invalid", and every
/// finding as `rule pointer`.
fn read_p1(items: &[Value], opts: CheckOptions) -> (Vec<&'static str>, Vec<String>) {
    let text = listing(items);
    let mut kinds = Vec::new();
    let mut found = Vec::new();
    read_listing(text.as_bytes(), opts, |_, read| {
        let (kind, vs) = match read {
            EacRead::Valid { warnings, .. } => ("valid", warnings),
            EacRead::Ignored { warnings } => ("ignored", warnings),
            EacRead::Invalid { violations } => ("invalid", violations),
        };
        kinds.push(kind);
        found.extend(vs.iter().map(located));
        Flow::Continue
    })
    .unwrap();
    (kinds, found)
}

fn read_p2(items: &[Value], opts: CheckOptions) -> (Vec<&'static str>, Vec<String>) {
    let text = listing(items);
    let mut kinds = Vec::new();
    let mut found = Vec::new();
    read_p2_listing(text.as_bytes(), opts, |_, read| {
        let (kind, vs) = match read {
            EnvelopeRead::Valid { warnings, .. } => ("valid", warnings),
            EnvelopeRead::Ignored { warnings } => ("ignored", warnings),
            EnvelopeRead::Invalid { violations } => ("invalid", violations),
        };
        kinds.push(kind);
        found.extend(vs.iter().map(located));
        Flow::Continue
    })
    .unwrap();
    (kinds, found)
}

fn located(v: &Violation) -> String {
    let kind = if v.is_error() { "error" } else { "warning" };
    format!("{kind} {} {}", v.rule, v.pointer)
}

/// Decision 11: an id listed twice refuses the file, also when one of the
/// two is an EAC an import skips (unknown beneficiary type, rule 21), in
/// either order, P1 and P2 alike.
#[test]
fn an_id_listed_twice_is_refused_when_one_of_them_is_skipped() {
    let import = CheckOptions::import();
    let repeated = "error 7 /eacs/1/cds_eac_id".to_owned();
    let skipped = "warning 21 /eacs/1/beneficiary_type".to_owned();
    let (kinds, found) = read_p1(&[eac("E1", "account"), eac("E1", "household")], import);
    assert_eq!(kinds, ["valid", "invalid"]);
    assert_eq!(found, [skipped.clone(), repeated.clone()]);
    let (kinds, found) = read_p1(&[eac("E1", "household"), eac("E1", "account")], import);
    assert_eq!(kinds, ["ignored", "invalid"]);
    assert_eq!(found[1], repeated);
    let (kinds, _) = read_p1(&[eac("E1", "household"), eac("E1", "household")], import);
    assert_eq!(kinds, ["ignored", "invalid"]);
    // Different ids: one imported, one skipped, as before.
    let (kinds, found) = read_p1(&[eac("E1", "account"), eac("E2", "household")], import);
    assert_eq!(
        (kinds, found),
        (vec!["valid", "ignored"], vec![skipped.clone()])
    );

    let (kinds, found) = read_p2(
        &[envelope("E1", "account"), envelope("E1", "household")],
        import,
    );
    assert_eq!(kinds, ["valid", "invalid"]);
    assert_eq!(found, [skipped, repeated]);
}

/// Rule 7 is named beside the duplicate's own errors, not only once
/// those are fixed.
#[test]
fn an_id_listed_twice_is_named_beside_the_duplicates_own_errors() {
    let mut second = eac("E1", "account");
    second["values"][0]["value"] = json!(-5);
    for opts in [CheckOptions::import(), CheckOptions::validate()] {
        let (kinds, found) = read_p1(&[eac("E1", "account"), second.clone()], opts);
        assert_eq!(kinds, ["valid", "invalid"]);
        assert_eq!(
            found,
            [
                "error 16 /eacs/1/values/0/value",
                "error 7 /eacs/1/cds_eac_id"
            ]
        );
    }
    let mut second = envelope("E1", "account");
    second["period_end"] = json!("2023-01-01T00:00:00Z");
    let (_, found) = read_p2(&[envelope("E1", "account"), second], CheckOptions::import());
    assert_eq!(
        found,
        ["error 8 /eacs/1/period_end", "error 7 /eacs/1/cds_eac_id"]
    );
}

/// `validate` refuses a type outside P1's list (rule 3) and still judges
/// the EAC's other rules: its period (8) and quantities (16), not only
/// the schema; the type is not also called missing.
#[test]
fn an_unknown_beneficiary_type_does_not_hide_the_other_rules_from_validate() {
    let mut d = eac("E1", "household");
    d["period_end"] = json!("2023-01-01T00:00:00Z");
    d["values"][0]["value"] = json!(-5);
    d["beneficiaries"] = json!(["A1", "A1"]);
    let (kinds, found) = read_p1(&[d.clone()], CheckOptions::validate());
    assert_eq!(kinds, ["invalid"]);
    assert_eq!(
        found,
        [
            "error 3 /eacs/0/beneficiary_type",
            "error 17 /eacs/0/beneficiaries/1",
            "error 8 /eacs/0/period_end",
            "error 16 /eacs/0/values/0/value",
        ]
    );
    // An import skips it (rule 21) without judging it further.
    let (kinds, found) = read_p1(&[d], CheckOptions::import());
    assert_eq!(kinds, ["ignored"]);
    assert_eq!(found, ["warning 21 /eacs/0/beneficiary_type"]);

    let mut e = envelope("E1", "household");
    e["period_end"] = json!("2023-01-01T00:00:00Z");
    e["beneficiaries"] = json!([]);
    let (_, found) = read_p2(&[e], CheckOptions::validate());
    // No rule 22 warning about an empty list of a type it does not know.
    assert_eq!(
        found,
        [
            "error 3 /eacs/0/beneficiary_type",
            "error 8 /eacs/0/period_end"
        ]
    );
}

/// An entry of `beneficiaries` or `eac_numbers` that is not a string is
/// named at its own pointer, each such entry, and the message does not
/// contradict itself ("must be an array …, found an array").
#[test]
fn a_list_entry_that_is_not_a_string_is_named_where_it_is() {
    for opts in [CheckOptions::import(), CheckOptions::validate()] {
        let mut d = eac("E1", "account");
        d["beneficiaries"] = json!([1, "A1", null]);
        let text = listing(&[d]);
        let mut found = Vec::new();
        read_listing(text.as_bytes(), opts, |_, read| {
            if let EacRead::Invalid { violations } = read {
                found.extend(violations);
            }
            Flow::Continue
        })
        .unwrap();
        let got: Vec<(String, String)> = found
            .iter()
            .map(|v| (located(v), v.message.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "error 2 /eacs/0/beneficiaries/0".to_owned(),
                    "an entry of `beneficiaries` must be a string, found a number".to_owned()
                ),
                (
                    "error 2 /eacs/0/beneficiaries/2".to_owned(),
                    "an entry of `beneficiaries` must be a string, found null".to_owned()
                ),
            ]
        );
        let mut e = envelope("E1", "account");
        e["beneficiaries"] = json!([1]);
        e["eac_numbers"] = json!(["N1", 2]);
        let (_, found) = read_p2(&[e], opts);
        assert_eq!(
            found,
            [
                "error 2 /eacs/0/beneficiaries/0",
                "error 2 /eacs/0/eac_numbers/1"
            ]
        );
    }
    // Not an array at all: said of the member.
    let mut d = eac("E1", "account");
    d["beneficiaries"] = json!("A1");
    let (_, found) = read_p1(&[d], CheckOptions::import());
    assert_eq!(found, ["error 2 /eacs/0/beneficiaries"]);
}

/// A format description's extra members are held to rule 20 like every
/// member: at most 64 levels (decision 58), at their own pointer.
#[test]
fn a_member_of_a_format_description_nested_too_deep_is_refused() {
    let metadata = |extra: &str, level: &str| {
        let format = format!(
            r#"{{"id": "f", "name": "F", "description": "d", "documentation": "https://example.org/f"{level}}}"#
        );
        format!(
            r#"{{"cds_customerdata_version": "v1", "cds_eacs_api": "https://example.org/eacs"{extra}, "cds_eac_formats": {{"f": {format}}}}}"#
        )
    };
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(read_server_metadata(&metadata("", "")).is_ok());
    let ok = format!(r#", "x_deep": {}"#, deep(64));
    assert!(read_server_metadata(&metadata("", &ok)).is_ok());
    for n in [65, 5000] {
        let inside = format!(r#", "x_deep": {}"#, deep(n));
        let found = read_server_metadata(&metadata("", &inside)).unwrap_err();
        let got: Vec<String> = found.iter().map(located).collect();
        assert_eq!(got, ["error 20 /cds_eac_formats/f/x_deep"], "{n} levels");
        let top = format!(r#", "x_top": {}"#, deep(n));
        let found = read_server_metadata(&metadata(&top, "")).unwrap_err();
        let got: Vec<String> = found.iter().map(located).collect();
        assert_eq!(got, ["error 20 /x_top"], "{n} levels");
    }
    // A repeated key inside a description's extension too.
    let twice = r#", "x_note": {"a": 1, "a": 2}"#;
    let found = read_server_metadata(&metadata("", twice)).unwrap_err();
    assert_eq!(found[0].pointer, "/cds_eac_formats/f/x_note/a");
}

/// The URL members of server metadata say what they found and why it is
/// no absolute URL, as `eac_data_url` does.
#[test]
fn server_metadata_urls_are_refused_with_the_value_and_the_reason() {
    let text = r#"{"cds_customerdata_version": "v1", "cds_eacs_api": "eacs.json",
        "cds_eac_formats": {"f": {"id": "f", "name": "F", "description": "d", "documentation": "FORMAT.md"}}}"#;
    let found = read_server_metadata(text).unwrap_err();
    let messages: Vec<&str> = found.iter().map(|v| v.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`cds_eacs_api` must be an absolute URL, found `eacs.json`: it needs a scheme (`https:`, `file:`…) and, for http(s), `//` and a host",
            "`documentation` must be an absolute URL, found `FORMAT.md`: it needs a scheme (`https:`, `file:`…) and, for http(s), `//` and a host",
        ]
    );
    let null_api = text.replace(r#""eacs.json""#, "null");
    let found = read_server_metadata(&null_api).unwrap_err();
    assert_eq!(
        found[0].message,
        "`cds_eacs_api` must be an absolute URL (or left out), found null"
    );
}

/// An http(s) URL names a server: one whose host is empty (`https:///x`)
/// is no absolute URL in any member that holds one (rules 1 and 2), said
/// so, while the publisher's upper-case scheme or host and userinfo are
/// theirs to write.
#[test]
fn an_http_url_without_a_host_is_no_absolute_url() {
    use eac_model::read::is_absolute_url;
    for (url, absolute) in [
        ("https:///x", false),
        ("http:///x", false),
        ("HTTPS:///x", false),
        ("https:////example.org/x", false),
        ("https://user@/x", false),
        ("https://:443/x", false),
        ("https://?q", false),
        ("https://example.org/x", true),
        ("HTTPS://EXAMPLE.ORG/a", true),
        ("https://user:pw@example.org/a", true),
        ("https://[2001:db8::1]:8443/a", true),
        ("file:///srv/a.pdf", true),
        ("urn:isbn:0451450523", true),
    ] {
        assert_eq!(is_absolute_url(url), absolute, "{url}");
    }
    let text = r#"{"cds_customerdata_version": "v1", "cds_eacs_api": "https:///eacs.json",
        "cds_eac_formats": {"f": {"id": "f", "name": "F", "description": "d", "documentation": "https:///doc"}}}"#;
    let found = read_server_metadata(text).unwrap_err();
    let got: Vec<String> = found
        .iter()
        .map(|v| format!("{}: {}", located(v), v.message))
        .collect();
    assert_eq!(
        got,
        [
            "error 2 /cds_eacs_api: `cds_eacs_api` must be an absolute URL, found `https:///eacs.json`: it has no host: write the server's name after `//` (as in `https://example.org/…`)",
            "error 2 /cds_eac_formats/f/documentation: `documentation` must be an absolute URL, found `https:///doc`: it has no host: write the server's name after `//` (as in `https://example.org/…`)",
        ]
    );
}

/// Rule 14 names the end of a value's interval that lies outside the
/// EAC's period, and each end on its own when both do: a pointer leads
/// an editor or a script to the field to change, not to one that is
/// right (validate, import and every check of an EAC alike).
#[test]
fn a_value_outside_the_period_is_named_at_the_end_that_lies_outside() {
    let at = |start: &str, end: &str| {
        let mut e = eac("E1", "account");
        e["values"][0]["start"] = json!(start);
        e["values"][0]["end"] = json!(end);
        e
    };
    for opts in [CheckOptions::import(), CheckOptions::validate()] {
        let late = at("2024-01-01T00:00:00Z", "2024-02-01T00:00:00.000000001Z");
        let (kinds, found) = read_p1(&[late], opts);
        assert_eq!(
            (kinds, found),
            (
                vec!["invalid"],
                vec!["error 14 /eacs/0/values/0/end".to_owned()]
            )
        );
        let early = at("2023-12-31T23:59:59Z", "2024-02-01T00:00:00Z");
        let (_, found) = read_p1(&[early], opts);
        assert_eq!(found, ["error 14 /eacs/0/values/0/start"]);
        let both = at("2023-12-31T00:00:00Z", "2024-03-01T00:00:00Z");
        let (_, found) = read_p1(&[both], opts);
        assert_eq!(
            found,
            [
                "error 14 /eacs/0/values/0/start",
                "error 14 /eacs/0/values/0/end"
            ]
        );
    }
    let late = at("2024-01-01T00:00:00Z", "2024-02-01T00:00:00.000000001Z");
    let eac = eac_model::p2::read_stored_eac(&late.to_string()).expect("read unchecked");
    let found = eac_model::check_eac(&eac, "/eacs/3", CheckOptions::validate());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "/eacs/3/values/0/end");
    assert_eq!(
        found[0].message,
        "value interval 2024-01-01T00:00:00Z – 2024-02-01T00:00:00.000000001Z is outside the \
         EAC period 2024-01-01T00:00:00Z – 2024-02-01T00:00:00Z: it ends after the period ends"
    );
}
