//! Reference data behind beneficiaries (digest §e): the ids a beneficiary
//! list may name, read from CDS Accounts and Service Contracts listings
//! (2024-08-29 §4.1/§5.1 and the 2026 shapes) and from a programs list.
//!
//! | type | id | read from |
//! |---|---|---|
//! | customer | `customer_number` | accounts (null ⇒ not nameable) |
//! | account | `cds_account_id` | accounts |
//! | servicecontract | `cds_servicecontract_id` | service contracts |
//! | rateplan | `rateplan_code` | service contracts (current plan) |
//! | program | `program_number` | programs list (CSV or JSON) |

use std::io;

use crate::read::{read_array_document, FieldReader};
use crate::strict::Element;
use crate::{BeneficiaryType, Flow, ListingError, Rule, Violation};

/// One id a beneficiary list may name, with a label for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefEntry {
    pub kind: BeneficiaryType,
    pub id: String,
    pub label: String,
}

/// What kind of reference document a file holds (named on the wire as
/// its top-level key: `accounts`, `service_contracts`, `programs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RefDocument {
    Accounts,
    ServiceContracts,
    Programs,
}

impl std::fmt::Display for RefDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RefDocument {
    /// The wire name (`"service_contracts"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RefDocument::Accounts => "accounts",
            RefDocument::ServiceContracts => "service_contracts",
            RefDocument::Programs => "programs",
        }
    }

    /// Guesses from the first bytes: `{"accounts"`, `{"service_contracts"`,
    /// `{"programs"` / `[`, or CSV text.
    pub fn detect(head: &[u8]) -> Option<RefDocument> {
        // A UTF-16 file is recognised, so that reading it names its
        // encoding (rule 20) instead of calling it no reference data.
        let text = match crate::strict::check_encoding(head) {
            Ok(_) => String::from_utf8_lossy(head).into_owned(),
            Err(_) => utf16_lossy(head),
        };
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            let key_at = |k: &str| trimmed.find(&format!("\"{k}\""));
            let found = [
                (key_at("accounts"), RefDocument::Accounts),
                (key_at("service_contracts"), RefDocument::ServiceContracts),
                (key_at("programs"), RefDocument::Programs),
            ];
            found
                .into_iter()
                .filter_map(|(at, kind)| at.map(|a| (a, kind)))
                .min_by_key(|(a, _)| *a)
                .map(|(_, k)| k)
        } else if trimmed.starts_with('[')
            || trimmed.to_ascii_lowercase().starts_with("program_number")
        {
            Some(RefDocument::Programs)
        } else {
            None
        }
    }
}

/// The first bytes of a UTF-16 text (either byte order, judged by the
/// mark or by where the NUL bytes of ASCII characters sit), decoded.
fn utf16_lossy(head: &[u8]) -> String {
    let big_endian = head.starts_with(&[0xFE, 0xFF]) || head.first() == Some(&0);
    let units = head.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Reads a reference document, calling `on_entry` for each id found.
/// Any violation means the document is refused as a whole (first 50 returned).
pub fn read_refdata<R: io::Read>(
    reader: R,
    kind: RefDocument,
    mut on_entry: impl FnMut(RefEntry),
) -> Result<usize, Vec<Violation>> {
    let mut errors = Vec::new();
    let mut count = 0;
    let key = match kind {
        RefDocument::Accounts => "accounts",
        RefDocument::ServiceContracts => "service_contracts",
        RefDocument::Programs => return read_programs(reader, on_entry),
    };
    let result = read_array_document(reader, key, |i, element| {
        let base = format!("/{key}/{i}");
        let Element::Object(fields) = element else {
            errors.push(Violation::error(
                Rule::RequiredKeys,
                base,
                "an entry must be an object",
            ));
            return Flow::Continue;
        };
        let mut r = FieldReader::new(fields, &base);
        let entries = match kind {
            RefDocument::Accounts => account_entries(&mut r),
            _ => contract_entries(&mut r),
        };
        errors.append(&mut r.errors);
        for e in entries {
            count += 1;
            on_entry(e);
        }
        if errors.len() >= 50 {
            Flow::Stop
        } else {
            Flow::Continue
        }
    });
    match result {
        Ok(_) | Err(ListingError::Stopped) => {}
        Err(ListingError::Malformed(v)) => errors.push(v),
        Err(ListingError::Io(e)) => errors.push(Violation::error(
            Rule::StrictJson,
            "",
            format!("could not read the file: {e}"),
        )),
    }
    errors.truncate(50);
    if errors.is_empty() {
        Ok(count)
    } else {
        Err(errors)
    }
}

fn optional_string(r: &mut FieldReader, key: &str) -> Option<String> {
    let raw = r.take(key)?;
    serde_json::from_str::<Option<String>>(raw.get())
        .ok()
        .flatten()
        .filter(|s| !s.trim().is_empty())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

fn join_label(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// An id read from `key`; one holding a control character is refused
/// (rule 17: beneficiary ids are plain strings; decision 63).
fn checked_id(r: &mut FieldReader, key: &str, id: Option<String>) -> Option<String> {
    let id = id?;
    // Nothing can name an empty id (the store would refuse it as damage).
    if id.trim().is_empty() {
        r.error(
            Rule::RequiredKeys,
            key,
            format!("`{key}` is empty; an id needs at least one character"),
        );
        return None;
    }
    match crate::check::id_with_control_character(&format!("`{key}`"), &id) {
        Some(message) => {
            r.error(Rule::UniqueStrings, key, message);
            None
        }
        None => Some(id),
    }
}

fn account_entries(r: &mut FieldReader) -> Vec<RefEntry> {
    let id = r.required_string("cds_account_id");
    let id = checked_id(r, "cds_account_id", id);
    let number = r.required_string("account_number");
    // R N in 2024, O N in 2026: absent and null both mean "not nameable".
    let customer = optional_string(r, "customer_number");
    let customer = checked_id(r, "customer_number", customer);
    let name = optional_string(r, "account_name");
    let address = optional_string(r, "account_address");
    let place = match (&name, &address) {
        (Some(n), Some(a)) => Some(format!("{n}, {}", first_line(a))),
        (Some(n), None) => Some(n.clone()),
        (None, Some(a)) => Some(first_line(a).to_owned()),
        (None, None) => None,
    };
    let (Some(id), Some(number)) = (id, number) else {
        return Vec::new();
    };
    let mut out = vec![RefEntry {
        kind: BeneficiaryType::Account,
        label: join_label(&[Some(&number), place.as_deref()]),
        id,
    }];
    if let Some(customer) = customer {
        out.push(RefEntry {
            kind: BeneficiaryType::Customer,
            label: join_label(&[name.as_deref(), Some(&format!("account {number}"))]),
            id: customer,
        });
    }
    out
}

fn contract_entries(r: &mut FieldReader) -> Vec<RefEntry> {
    let id = r.required_string("cds_servicecontract_id");
    let id = checked_id(r, "cds_servicecontract_id", id);
    let account_number = optional_string(r, "account_number");
    let contract_number = optional_string(r, "contract_number");
    let address = optional_string(r, "contract_address");
    // R in 2024, O in 2026.
    let rateplan = optional_string(r, "rateplan_code");
    let rateplan = checked_id(r, "rateplan_code", rateplan);
    let rateplan_name = optional_string(r, "rateplan_name");
    let Some(id) = id else { return Vec::new() };
    let mut out = vec![RefEntry {
        kind: BeneficiaryType::ServiceContract,
        label: join_label(&[
            contract_number.as_deref(),
            address.as_deref().map(first_line),
            account_number.map(|a| format!("account {a}")).as_deref(),
        ]),
        id,
    }];
    if let Some(code) = rateplan {
        out.push(RefEntry {
            kind: BeneficiaryType::RatePlan,
            label: rateplan_name.unwrap_or_default(),
            id: code,
        });
    }
    out
}

/// Programs: CSV with a header naming `program_number` and `name` (or
/// `program_name`), or JSON `{"programs": [...]}` / `[...]` of objects with
/// those members.
fn read_programs<R: io::Read>(
    reader: R,
    mut on_entry: impl FnMut(RefEntry),
) -> Result<usize, Vec<Violation>> {
    let mut bytes = Vec::new();
    let mut reader = reader;
    reader.read_to_end(&mut bytes).map_err(|e| {
        vec![Violation::error(
            Rule::StrictJson,
            "",
            format!("could not read the file: {e}"),
        )]
    })?;
    let bom = crate::strict::check_encoding(&bytes).map_err(|v| vec![v])?;
    let text = std::str::from_utf8(&bytes[bom..]).map_err(|e| {
        vec![Violation::error(
            Rule::StrictJson,
            "",
            format!(
                "the file is not UTF-8 text (byte {} is not UTF-8): save it as UTF-8 and try again",
                e.valid_up_to() + bom + 1
            ),
        )]
    })?;
    let body = text.trim_start();
    if body.starts_with('{') || body.starts_with('[') {
        programs_json(body, &mut on_entry)
    } else {
        programs_csv(body, &mut on_entry)
    }
}

fn programs_json(body: &str, on_entry: &mut impl FnMut(RefEntry)) -> Result<usize, Vec<Violation>> {
    let located = |e: serde_json::Error| {
        let mut v = Violation::error(Rule::StrictJson, "", crate::read::clean_message(&e));
        v.at_json_place(e.line() as u64, e.column() as u64);
        vec![v]
    };
    let (items, base): (Vec<Element>, &str) = if body.starts_with('[') {
        (serde_json::from_str(body).map_err(located)?, "")
    } else {
        let obj: crate::strict::StrictObject = serde_json::from_str(body).map_err(located)?;
        let raw = obj.get("programs").ok_or_else(|| {
            vec![Violation::error(
                Rule::RootShape,
                "",
                "the document has no `programs` array",
            )]
        })?;
        (
            serde_json::from_str(raw.get()).map_err(|_| {
                vec![Violation::error(
                    Rule::RootShape,
                    "/programs",
                    "`programs` must be an array",
                )]
            })?,
            "/programs",
        )
    };
    let mut errors = Vec::new();
    let mut count = 0;
    for (i, item) in items.into_iter().enumerate() {
        let at = format!("{base}/{i}");
        let Element::Object(fields) = item else {
            errors.push(Violation::error(
                Rule::RequiredKeys,
                at,
                "a program must be an object",
            ));
            continue;
        };
        let mut r = FieldReader::new(fields, &at);
        let number = r.required_string("program_number");
        let number = checked_id(&mut r, "program_number", number);
        let name =
            optional_string(&mut r, "name").or_else(|| optional_string(&mut r, "program_name"));
        errors.append(&mut r.errors);
        if let Some(id) = number.filter(|n| !n.trim().is_empty()) {
            count += 1;
            on_entry(RefEntry {
                kind: BeneficiaryType::Program,
                id,
                label: name.unwrap_or_default(),
            });
        }
    }
    if errors.is_empty() {
        Ok(count)
    } else {
        errors.truncate(50);
        Err(errors)
    }
}

fn programs_csv(body: &str, on_entry: &mut impl FnMut(RefEntry)) -> Result<usize, Vec<Violation>> {
    let rows = parse_csv(body).map_err(|(line, msg)| {
        let mut v = Violation::error(Rule::RequiredKeys, "", msg);
        v.line = Some(line);
        vec![v]
    })?;
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(0);
    };
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let Some(number_col) = col(&["program_number"]) else {
        let mut v = Violation::error(
            Rule::RequiredKeys,
            "",
            "the CSV header has no `program_number` column",
        );
        v.line = Some(1);
        return Err(vec![v]);
    };
    let name_col = col(&["name", "program_name"]);
    let mut errors = Vec::new();
    let mut count = 0;
    for (line, row) in rows {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let number = row.get(number_col).map(|s| s.trim()).unwrap_or("");
        if number.is_empty() {
            let mut v = Violation::error(Rule::RequiredKeys, "", "`program_number` is empty");
            v.line = Some(line);
            errors.push(v);
            continue;
        }
        if let Some(message) = crate::check::id_with_control_character("`program_number`", number) {
            let mut v = Violation::error(Rule::UniqueStrings, "", message);
            v.line = Some(line);
            errors.push(v);
            continue;
        }
        let name = name_col
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        count += 1;
        on_entry(RefEntry {
            kind: BeneficiaryType::Program,
            id: number.to_owned(),
            label: name,
        });
    }
    if errors.is_empty() {
        Ok(count)
    } else {
        errors.truncate(50);
        Err(errors)
    }
}

/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.
/// Returns each record with the line it starts on.
/// A CSV record and the line it starts on.
type CsvRecord = (u64, Vec<String>);

fn parse_csv(text: &str) -> Result<Vec<CsvRecord>, (u64, String)> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut line: u64 = 1;
    let mut row_line: u64 = 1;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, '\n') => {
                line += 1;
                field.push('\n');
            }
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => in_quotes = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if in_quotes {
        return Err((row_line, "a quoted field is not closed".to_owned()));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str, kind: RefDocument) -> Result<Vec<RefEntry>, Vec<Violation>> {
        let mut out = Vec::new();
        read_refdata(text.as_bytes(), kind, |e| out.push(e))?;
        Ok(out)
    }

    #[test]
    fn utf16_files_are_recognised_and_refused_by_name() {
        let doc =
            r#"{"accounts": [{"cds_account_id": "A-1", "account_number": "1"}], "next": null}"#;
        let csv = "program_number,name\nP-1,Green\n";
        for (text, kind) in [(doc, RefDocument::Accounts), (csv, RefDocument::Programs)] {
            let le: Vec<u8> = [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect();
            let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            for (bytes, name) in [(le, "UTF-16 (little-endian"), (be, "UTF-16 (big-endian")] {
                assert_eq!(RefDocument::detect(&bytes), Some(kind), "{name}");
                let errors = read_refdata(&bytes[..], kind, |_| {}).unwrap_err();
                assert!(errors[0].message.contains(name), "{errors:?}");
                assert_eq!(errors[0].rule, 20);
            }
        }
        // A UTF-8 byte order mark is ignored.
        let bom = format!("\u{feff}{doc}");
        assert_eq!(collect(&bom, RefDocument::Accounts).map(|e| e.len()), Ok(1));
    }

    #[test]
    fn ids_with_control_characters_are_refused_labels_keep_them() {
        let account = |id: &str, customer: &str| {
            serde_json::json!({"accounts": [{"cds_account_id": id, "customer_number": customer,
                "account_number": "1", "account_name": "Acme\tLtd", "account_address": "1 Main St\nSpringfield"}]})
            .to_string()
        };
        let contract = |id: &str, rateplan: &str| {
            serde_json::json!({"service_contracts": [{"cds_servicecontract_id": id,
                "rateplan_code": rateplan, "rateplan_name": "Green\u{7}"}]})
            .to_string()
        };
        let program =
            |id: &str| serde_json::json!({"programs": [{"program_number": id}]}).to_string();
        let csv = |id: &str| format!("program_number,name\nP-0,ok\n\"{id}\",Green\n");
        for (control, named) in [
            ("\u{0}", "U+0000 (NUL)"),
            ("\r", "U+000D (carriage return)"),
            ("\u{7f}", "U+007F (delete)"),
            ("\u{80}", "U+0080"),
        ] {
            let bad = format!("ID{control}x");
            let cases = [
                (
                    account(&bad, "C-1"),
                    RefDocument::Accounts,
                    "/accounts/0/cds_account_id",
                    None,
                ),
                (
                    account("A-1", &bad),
                    RefDocument::Accounts,
                    "/accounts/0/customer_number",
                    None,
                ),
                (
                    contract(&bad, "R-1"),
                    RefDocument::ServiceContracts,
                    "/service_contracts/0/cds_servicecontract_id",
                    None,
                ),
                (
                    contract("S-1", &bad),
                    RefDocument::ServiceContracts,
                    "/service_contracts/0/rateplan_code",
                    None,
                ),
                (
                    program(&bad),
                    RefDocument::Programs,
                    "/programs/0/program_number",
                    None,
                ),
                (csv(&bad), RefDocument::Programs, "", Some(3)),
            ];
            for (text, kind, pointer, line) in cases {
                let errors = collect(&text, kind).unwrap_err();
                assert_eq!(errors.len(), 1, "{text}: {errors:?}");
                let v = &errors[0];
                assert_eq!(
                    (v.rule, v.pointer.as_str(), v.line),
                    (17, pointer, line),
                    "{text}: {v}"
                );
                assert!(
                    v.message.contains(&format!(
                        "holds a control character, {named}, at character 3"
                    )),
                    "{text}: {v}"
                );
            }
        }
        // An empty or blank required id is refused where it stands.
        for (text, kind, pointer) in [
            (
                account("", "C-1"),
                RefDocument::Accounts,
                "/accounts/0/cds_account_id",
            ),
            (
                contract(" ", "R-1"),
                RefDocument::ServiceContracts,
                "/service_contracts/0/cds_servicecontract_id",
            ),
        ] {
            let errors = collect(&text, kind).unwrap_err();
            let v = &errors[0];
            assert_eq!((v.rule, v.pointer.as_str()), (2, pointer), "{text}: {v}");
            assert!(v.message.contains("is empty"), "{v}");
        }
        // Labels keep tabs, line breaks and other control characters.
        let entries = collect(&account("A-1", "C-1"), RefDocument::Accounts).unwrap();
        assert_eq!(entries[0].label, "1 · Acme\tLtd, 1 Main St");
        let entries = collect(&contract("S-1", "R-1"), RefDocument::ServiceContracts).unwrap();
        assert_eq!(entries[1].label, "Green\u{7}");
    }

    #[test]
    fn accounts_give_account_and_customer_ids() {
        let doc = r#"{"accounts": [
            {"cds_account_id": "ACC-1", "cds_created": "2024-01-01T00:00:00Z", "cds_modified": "2024-01-01T00:00:00Z",
             "cds_account_parent": null, "customer_number": "CUST123", "account_number": "22222-1",
             "account_name": "Acme Ltd", "account_address": "1 Main St\nSpringfield", "account_type": "business", "account_contacts": []},
            {"cds_account_id": "ACC-2", "customer_number": null, "account_number": "22222-2"}
        ], "next": null, "previous": null}"#;
        assert_eq!(
            RefDocument::detect(doc.as_bytes()),
            Some(RefDocument::Accounts)
        );
        let entries = collect(doc, RefDocument::Accounts).unwrap();
        assert_eq!(
            entries,
            vec![
                RefEntry {
                    kind: BeneficiaryType::Account,
                    id: "ACC-1".into(),
                    label: "22222-1 · Acme Ltd, 1 Main St".into()
                },
                RefEntry {
                    kind: BeneficiaryType::Customer,
                    id: "CUST123".into(),
                    label: "Acme Ltd · account 22222-1".into()
                },
                RefEntry {
                    kind: BeneficiaryType::Account,
                    id: "ACC-2".into(),
                    label: "22222-2".into()
                },
            ]
        );
    }

    #[test]
    fn service_contracts_give_contract_and_rateplan_ids() {
        let doc = r#"{"service_contracts": [{"cds_servicecontract_id": "3333333333-33", "account_number": "22222-222-22222",
            "contract_number": "333333-33-333333", "contract_address": "123 Main St - PARKING LOT", "rateplan_code": "GreenChoice",
            "rateplan_name": "Green Choice 100%"}]}"#;
        let entries = collect(doc, RefDocument::ServiceContracts).unwrap();
        assert_eq!(
            entries[0].label,
            "333333-33-333333 · 123 Main St - PARKING LOT · account 22222-222-22222"
        );
        assert_eq!(
            entries[1],
            RefEntry {
                kind: BeneficiaryType::RatePlan,
                id: "GreenChoice".into(),
                label: "Green Choice 100%".into()
            }
        );
    }

    #[test]
    fn missing_required_id_is_located() {
        let errs = collect(
            r#"{"accounts": [{"account_number": "1"}]}"#,
            RefDocument::Accounts,
        )
        .unwrap_err();
        assert_eq!(errs[0].pointer, "/accounts/0/cds_account_id");
        assert_eq!(errs[0].rule, 2);
    }

    #[test]
    fn programs_from_csv_and_json() {
        let csv = "program_number,name\nPRG-GREEN,\"Green, Power\"\n\nPRG-2,Solar for schools\n";
        assert_eq!(
            RefDocument::detect(csv.as_bytes()),
            Some(RefDocument::Programs)
        );
        let entries = collect(csv, RefDocument::Programs).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].label, "Green, Power");
        let json = r#"{"programs": [{"program_number": "PRG-GREEN", "name": "Green Power"}]}"#;
        assert_eq!(
            collect(json, RefDocument::Programs).unwrap()[0].id,
            "PRG-GREEN"
        );
        let bad = "program_number,name\n,nameless\n";
        assert_eq!(
            collect(bad, RefDocument::Programs).unwrap_err()[0].line,
            Some(2)
        );
    }
}
