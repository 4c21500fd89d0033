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

use std::collections::HashMap;
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
        } else if trimmed.starts_with('[') || csv_header_names_program_number(trimmed) {
            Some(RefDocument::Programs)
        } else {
            None
        }
    }
}

/// Whether a UTF-16 or UTF-32 file's text starts as JSON does (`{` or
/// `[` after any byte order mark and white space), not as a CSV.
fn json_text(bytes: &[u8]) -> bool {
    let text = utf16_lossy(&bytes[..bytes.len().min(4096)]);
    text.trim_start_matches(|c: char| c == '\u{feff}' || c == '\0' || c.is_whitespace())
        .starts_with(['{', '['])
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

/// What reading a reference document found besides its entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefRead {
    /// Ids read.
    pub count: usize,
    /// An accounts or service contracts listing's `next` link: the file is
    /// one page of a longer listing, whose other pages it does not hold.
    pub next: Option<String>,
}

/// Whether the first line of `text` is a CSV header with a
/// `program_number` column, wherever it stands, quoted or not, its cells
/// separated by `,` or `;` (Excel's CSV where `,` is the decimal mark).
fn csv_header_names_program_number(text: &str) -> bool {
    let line = text.lines().next().unwrap_or("");
    line.split([',', ';']).any(|cell| {
        cell.trim()
            .trim_matches('"')
            .trim()
            .eq_ignore_ascii_case("program_number")
    })
}

/// The cell separator of a programs CSV: `;` when its header line holds a
/// `;` and no `,` outside quotes (Excel saves CSV so where `,` is the
/// decimal mark), else `,`.
fn csv_separator(text: &str) -> char {
    let mut in_quotes = false;
    let (mut commas, mut semicolons) = (0, 0);
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' | '\r' if !in_quotes => break,
            ',' if !in_quotes => commas += 1,
            ';' if !in_quotes => semicolons += 1,
            _ => {}
        }
    }
    if commas == 0 && semicolons > 0 {
        ';'
    } else {
        ','
    }
}

/// Reads a reference document, calling `on_entry` for each id found.
/// Any violation means the document is refused as a whole (first 50 returned).
pub fn read_refdata<R: io::Read>(
    reader: R,
    kind: RefDocument,
    mut on_entry: impl FnMut(RefEntry),
) -> Result<RefRead, Vec<Violation>> {
    let mut errors = Vec::new();
    let mut count = 0;
    let mut ids = FileIds::default();
    let key = match kind {
        RefDocument::Accounts => "accounts",
        RefDocument::ServiceContracts => "service_contracts",
        RefDocument::Programs => {
            return read_programs(reader, on_entry).map(|count| RefRead { count, next: None })
        }
    };
    let mut next = None;
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
        for Found {
            entry,
            key: id_key,
            names,
        } in entries
        {
            match (ids.first(&entry, i as u64), names) {
                (None, _) => {
                    count += 1;
                    on_entry(entry);
                }
                (Some(first), Names::Entry) => errors.push(Violation::error(
                    Rule::UniqueStrings,
                    format!("{base}/{id_key}"),
                    given_twice(id_key, &entry.id, &format!("/{key}/{first}")),
                )),
                // A customer of several accounts, a rate plan of several
                // contracts: one id, labelled as it was first given.
                (Some(_), Names::Shared) => {}
            }
        }
        if errors.len() >= 50 {
            Flow::Stop
        } else {
            Flow::Continue
        }
    });
    match result {
        Ok(summary) => next = summary.next,
        Err(ListingError::Stopped) => {}
        Err(ListingError::Malformed(v)) => errors.push(v),
        Err(ListingError::Io(e)) => errors.push(Violation::error(
            Rule::StrictJson,
            "",
            format!("could not read the file: {e}"),
        )),
    }
    errors.truncate(50);
    if errors.is_empty() {
        Ok(RefRead { count, next })
    } else {
        Err(errors)
    }
}

/// An id a reference entry gives, with the member it was read from.
struct Found {
    entry: RefEntry,
    key: &'static str,
    names: Names,
}

/// What an id read from an entry names.
#[derive(Clone, Copy)]
enum Names {
    /// The entry itself (`cds_account_id`, `cds_servicecontract_id`,
    /// `program_number`): given once in a file, like `cds_eac_id`.
    Entry,
    /// Something entries share (`customer_number`: one customer may hold
    /// several accounts; `rateplan_code`: many contracts are on one plan).
    Shared,
}

/// The ids a reference file gave, per beneficiary type, with where each
/// was first given (the entry's index, or the CSV line): a file naming an
/// entry's id twice contradicts itself and is refused naming both places,
/// as a listing repeating a `cds_eac_id` is (decision 11). Without this
/// the later entry silently replaced the earlier, and the import's audit
/// record told of a label change the database never held.
#[derive(Default)]
struct FileIds {
    seen: HashMap<(BeneficiaryType, String), u64>,
}

impl FileIds {
    /// Where `entry`'s id was given before in the file, else remembers it
    /// as given at `at`.
    fn first(&mut self, entry: &RefEntry, at: u64) -> Option<u64> {
        match self.seen.entry((entry.kind, entry.id.clone())) {
            std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(at);
                None
            }
        }
    }
}

/// Rule 17's finding on an entry whose id an earlier entry of the file
/// (at `first`) gave.
fn given_twice(key: &str, id: &str, first: &str) -> String {
    format!(
        "`{key}` `{}` appears more than once in this file (also at {first}): which entry is \
         meant cannot be told; keep one and import the file again",
        crate::quote(id)
    )
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

fn account_entries(r: &mut FieldReader) -> Vec<Found> {
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
    let mut out = vec![Found {
        entry: RefEntry {
            kind: BeneficiaryType::Account,
            label: join_label(&[Some(&number), place.as_deref()]),
            id,
        },
        key: "cds_account_id",
        names: Names::Entry,
    }];
    if let Some(customer) = customer {
        out.push(Found {
            entry: RefEntry {
                kind: BeneficiaryType::Customer,
                label: join_label(&[name.as_deref(), Some(&format!("account {number}"))]),
                id: customer,
            },
            key: "customer_number",
            names: Names::Shared,
        });
    }
    out
}

fn contract_entries(r: &mut FieldReader) -> Vec<Found> {
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
    let mut out = vec![Found {
        entry: RefEntry {
            kind: BeneficiaryType::ServiceContract,
            label: join_label(&[
                contract_number.as_deref(),
                address.as_deref().map(first_line),
                account_number.map(|a| format!("account {a}")).as_deref(),
            ]),
            id,
        },
        key: "cds_servicecontract_id",
        names: Names::Entry,
    }];
    if let Some(code) = rateplan {
        out.push(Found {
            entry: RefEntry {
                kind: BeneficiaryType::RatePlan,
                label: rateplan_name.unwrap_or_default(),
                id: code,
            },
            key: "rateplan_code",
            names: Names::Shared,
        });
    }
    out
}

/// Programs: CSV with a header naming `program_number` and `name` (or
/// `program_name`), or JSON `{"programs": [...]}` / `[...]` of objects with
/// those members. Cells and strings are read as written, spaces included
/// (RFC 4180: spaces are part of a field), so the same id from CSV and
/// from JSON is the same id; a blank id is refused, a blank name is none.
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
    let bom = match crate::strict::other_encoding(&bytes) {
        // A programs CSV (Excel's "Unicode text" is UTF-16) said as the
        // other CSV readers say it: it was refused as "JSON files must be
        // UTF-8".
        Err(encoding) if !json_text(&bytes) => {
            return Err(vec![crate::strict::encoding_violation(format!(
                "the file is encoded as {encoding}, but a programs CSV must be UTF-8: {}",
                crate::strict::SAVE_AS_CSV_UTF8
            ))]);
        }
        _ => crate::strict::check_encoding(&bytes).map_err(|v| vec![v])?,
    };
    let text = std::str::from_utf8(&bytes[bom..]).map_err(|e| {
        let body = &bytes[bom..];
        // A JSON list is refused by the JSON rule's words; a CSV (a
        // Windows-1252 "é" from an older Excel) as the CSV readers say it,
        // at the byte's line and column either way.
        let json = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['));
        if json {
            return vec![crate::strict::utf8_document(&bytes).expect_err("not UTF-8")];
        }
        let place = crate::place::Place::after(&body[..e.valid_up_to()]);
        let (line, column) = (place.line, place.column());
        let mut v = crate::strict::encoding_violation(format!(
            "the file is not UTF-8 text: byte 0x{:02X} is not part of a UTF-8 character \
             (a file saved as Windows-1252 or Latin-1 writes é so), but a \
             programs CSV must be UTF-8: {}",
            body[e.valid_up_to()],
            crate::strict::SAVE_AS_CSV_UTF8
        ));
        v.line = Some(line);
        v.column = Some(column);
        vec![v]
    })?;
    let body = text.trim_start();
    if body.starts_with('{') || body.starts_with('[') {
        programs_json(text, &mut on_entry)
    } else {
        programs_csv(text, &mut on_entry)
    }
}

/// A programs list as JSON: `text` is the whole file after any byte order
/// mark (leading white space included, so errors are placed in the file).
fn programs_json(text: &str, on_entry: &mut impl FnMut(RefEntry)) -> Result<usize, Vec<Violation>> {
    let located = |e: serde_json::Error| {
        let mut v = Violation::error(Rule::StrictJson, "", crate::read::clean_message(&e));
        v.at_json_place(crate::place::json_error_place(text.as_bytes(), &e));
        vec![v]
    };
    let (items, base): (Vec<Element>, &str) = if text.trim_start().starts_with('[') {
        (serde_json::from_str(text).map_err(located)?, "")
    } else {
        let obj: crate::strict::StrictObject = serde_json::from_str(text).map_err(located)?;
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
    let mut ids = FileIds::default();
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
        if let Some(id) = number {
            let entry = RefEntry {
                kind: BeneficiaryType::Program,
                id,
                label: name.unwrap_or_default(),
            };
            match ids.first(&entry, i as u64) {
                Some(first) => errors.push(Violation::error(
                    Rule::UniqueStrings,
                    format!("{at}/program_number"),
                    given_twice("program_number", &entry.id, &format!("{base}/{first}")),
                )),
                None => {
                    count += 1;
                    on_entry(entry);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(count)
    } else {
        errors.truncate(50);
        Err(errors)
    }
}

/// A programs list as CSV (`text`: the file after any byte order mark).
fn programs_csv(text: &str, on_entry: &mut impl FnMut(RefEntry)) -> Result<usize, Vec<Violation>> {
    let at_line = |line: u64, rule: Rule, message: String| {
        let mut v = Violation::error(rule, "", message);
        v.line = Some(line);
        v
    };
    let separator = csv_separator(text.trim_start_matches(['\r', '\n']));
    // The one quoting check of every CSV reader: a quote never closed
    // took every later row into one cell, and `"Drax" Storage` lost its
    // quotes.
    let delimiter = u8::try_from(separator).unwrap_or(b',');
    crate::csv_quotes::check_quotes(text.as_bytes(), delimiter, crate::place::Place::START)
        .map_err(|fault| {
            let mut v = at_line(fault.line(), Rule::RequiredKeys, fault.message(delimiter));
            v.column = Some(fault.column());
            vec![v]
        })?;
    let rows = parse_csv(text, separator);
    // Lines holding nothing (blank lines around the table) are no rows.
    let mut rows = rows
        .into_iter()
        .filter(|(_, row)| !row.iter().all(|c| c.trim().is_empty()));
    let Some((header_line, header)) = rows.next() else {
        return Ok(0);
    };
    // Column names are matched whatever spaces surround them.
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let Some(number_col) = col(&["program_number"]) else {
        return Err(vec![at_line(
            header_line,
            Rule::RequiredKeys,
            "the CSV header has no `program_number` column".to_owned(),
        )]);
    };
    let name_col = col(&["name", "program_name"]);
    let mut errors = Vec::new();
    let mut count = 0;
    let mut ids = FileIds::default();
    for (line, row) in rows {
        // Every row has a cell for each column (decision 259(b) for
        // registry CSVs): an unquoted separator in a name split it, and a
        // short row lost cells; either was read into the wrong columns.
        if row.len() != header.len() {
            let advice = match row.len() > header.len() {
                true => format!(
                    "a value holding `{separator}` must be quoted (\"Green{separator} Power\")"
                ),
                false => format!(
                    "each row needs a cell for every column; leave a cell empty between two \
                     `{separator}`"
                ),
            };
            errors.push(at_line(
                line,
                Rule::RequiredKeys,
                format!(
                    "the row has {}, the header {}: {advice}",
                    cells(row.len()),
                    header.len()
                ),
            ));
            if errors.len() >= 50 {
                break;
            }
            continue;
        }
        let number = row.get(number_col).map_or("", String::as_str);
        if number.trim().is_empty() {
            errors.push(at_line(
                line,
                Rule::RequiredKeys,
                "`program_number` is empty".to_owned(),
            ));
            continue;
        }
        if let Some(message) = crate::check::id_with_control_character("`program_number`", number) {
            errors.push(at_line(line, Rule::UniqueStrings, message));
            continue;
        }
        let name = name_col
            .and_then(|c| row.get(c))
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        let entry = RefEntry {
            kind: BeneficiaryType::Program,
            id: number.to_owned(),
            label: name,
        };
        match ids.first(&entry, line) {
            Some(first) => errors.push(at_line(
                line,
                Rule::UniqueStrings,
                given_twice("program_number", &entry.id, &format!("line {first}")),
            )),
            None => {
                count += 1;
                on_entry(entry);
            }
        }
    }
    if errors.is_empty() {
        Ok(count)
    } else {
        errors.truncate(50);
        Err(errors)
    }
}

/// "1 cell", "3 cells".
fn cells(n: usize) -> String {
    match n {
        1 => "1 cell".to_owned(),
        n => format!("{n} cells"),
    }
}

/// A CSV record and the line it starts on.
type CsvRecord = (u64, Vec<String>);

/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line
/// breaks. A record ends at `\r\n`, `\n` or a lone `\r` (old Excel for Mac
/// saves CSV so); lines are counted as [`crate::place`] counts them, line
/// breaks inside quoted fields included. Returns each record with the line
/// it starts on. Its quoting has been checked
/// ([`crate::csv_quotes::check_quotes`]): every quoted field is closed.
fn parse_csv(text: &str, separator: char) -> Vec<CsvRecord> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut line: u64 = 1;
    let mut row_line: u64 = 1;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let crlf = c == '\r' && chars.peek() == Some(&'\n');
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, '\n' | '\r') => {
                if !crlf {
                    line += 1;
                }
                field.push(c);
            }
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => in_quotes = true,
            (false, c) if c == separator => row.push(std::mem::take(&mut field)),
            // A `\r\n` ends the record at its `\n`.
            (false, '\r') if crlf => {}
            (false, '\n' | '\r') => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str, kind: RefDocument) -> Result<Vec<RefEntry>, Vec<Violation>> {
        let mut out = Vec::new();
        read_refdata(text.as_bytes(), kind, |e| out.push(e))?;
        Ok(out)
    }

    /// A byte that is not UTF-8 (Windows-1252's `é`) is refused at its line
    /// and column, a CSV in the CSV readers' words, a JSON list in JSON's:
    /// it was "byte 61 is not UTF-8: save it as UTF-8", with no place.
    #[test]
    fn a_byte_that_is_not_utf8_is_placed_and_said_for_its_format() {
        let csv = b"program_number,name\nP-1,Green\nP-2,Sol\xE9r\n";
        let errors = read_refdata(&csv[..], RefDocument::Programs, |_| {}).unwrap_err();
        assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(8)));
        assert!(
            errors[0].message.starts_with(
                "the file is not UTF-8 text: byte 0xE9 is not part of a UTF-8 character (a file \
                 saved as Windows-1252 or Latin-1 writes é so), but a programs CSV must be \
                 UTF-8: save it as CSV UTF-8"
            ),
            "{errors:?}"
        );
        let json = b"[{\"program_number\": \"P\xE9\"}]";
        let errors = read_refdata(&json[..], RefDocument::Programs, |_| {}).unwrap_err();
        assert_eq!((errors[0].line, errors[0].column), (Some(1), Some(23)));
        assert!(
            errors[0].message.contains("and JSON files must be UTF-8"),
            "{errors:?}"
        );
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
                // A CSV is said as a CSV, in the other CSV readers' words
                // (it was "JSON files must be UTF-8").
                let says = match kind {
                    RefDocument::Programs => {
                        "but a programs CSV must be UTF-8: save it as CSV UTF-8"
                    }
                    _ => "but JSON files must be UTF-8",
                };
                assert!(errors[0].message.contains(says), "{errors:?}");
                assert_eq!((errors[0].line, errors[0].column), (Some(1), Some(1)));
            }
        }
        // A programs list as JSON in UTF-16 is still said as JSON.
        let json: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(r#"[{"program_number": "P-1"}]"#.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let errors = read_refdata(&json[..], RefDocument::Programs, |_| {}).unwrap_err();
        assert!(
            errors[0].message.contains("but JSON files must be UTF-8"),
            "{errors:?}"
        );
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

    /// Tester 35, finding 2: a file giving one entry's id twice
    /// contradicts itself. It was imported last-wins without a word (the
    /// count was of rows, and the audit told of a label change the
    /// database never held); it is refused naming both places, as a
    /// listing repeating a `cds_eac_id` is.
    #[test]
    fn an_entry_id_given_twice_refuses_the_file_naming_both_places() {
        let csv = "program_number,name\nPRG-1,Green Power\nPRG-2,Solar\nPRG-1,Dup\n";
        let errors = collect(csv, RefDocument::Programs).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let v = &errors[0];
        assert_eq!((v.rule, v.line), (17, Some(4)), "{v}");
        assert!(
            v.message.starts_with(
                "`program_number` `PRG-1` appears more than once in this file (also at line 2)"
            ),
            "{v}"
        );
        let json = r#"{"programs": [{"program_number": "PRG-1", "name": "Green Power"},
            {"program_number": "PRG-1", "name": "Dup"}]}"#;
        let v = &collect(json, RefDocument::Programs).unwrap_err()[0];
        assert_eq!(
            (v.rule, v.pointer.as_str()),
            (17, "/programs/1/program_number")
        );
        assert!(v.message.contains("(also at /programs/0)"), "{v}");
        let accounts = r#"{"accounts": [
            {"cds_account_id": "ACC-1", "account_number": "1", "account_name": "First"},
            {"cds_account_id": "ACC-2", "account_number": "2"},
            {"cds_account_id": "ACC-1", "account_number": "3", "account_name": "Second"}]}"#;
        let v = &collect(accounts, RefDocument::Accounts).unwrap_err()[0];
        assert_eq!(
            (v.rule, v.pointer.as_str()),
            (17, "/accounts/2/cds_account_id")
        );
        assert!(
            v.message
                .contains("`ACC-1` appears more than once in this file (also at /accounts/0)"),
            "{v}"
        );
        let contracts = r#"{"service_contracts": [{"cds_servicecontract_id": "S-1"},
            {"cds_servicecontract_id": "S-1"}]}"#;
        let v = &collect(contracts, RefDocument::ServiceContracts).unwrap_err()[0];
        assert_eq!(v.pointer, "/service_contracts/1/cds_servicecontract_id");
        // Ids of one type only: a program and an account may share one.
        let entries = collect("program_number\nACC-1\n", RefDocument::Programs).unwrap();
        assert_eq!(entries.len(), 1);
    }

    /// A customer holds several accounts and many contracts are on one
    /// rate plan: their ids are given once each, as first labelled.
    #[test]
    fn a_customer_or_rate_plan_several_entries_share_is_one_id() {
        let accounts = r#"{"accounts": [
            {"cds_account_id": "ACC-1", "customer_number": "C-1", "account_number": "1", "account_name": "Acme"},
            {"cds_account_id": "ACC-2", "customer_number": "C-1", "account_number": "2", "account_name": "Acme"}]}"#;
        let entries = collect(accounts, RefDocument::Accounts).unwrap();
        let customers: Vec<_> = entries
            .iter()
            .filter(|e| e.kind == BeneficiaryType::Customer)
            .collect();
        assert_eq!(customers.len(), 1, "{entries:?}");
        assert_eq!(customers[0].label, "Acme · account 1");
        let contracts = r#"{"service_contracts": [
            {"cds_servicecontract_id": "S-1", "rateplan_code": "GREEN", "rateplan_name": "Green"},
            {"cds_servicecontract_id": "S-2", "rateplan_code": "GREEN", "rateplan_name": "Green"}]}"#;
        let entries = collect(contracts, RefDocument::ServiceContracts).unwrap();
        assert_eq!(entries.len(), 3, "{entries:?}");
    }

    /// Ids are kept as written by both readers: a quoted CSV cell's spaces
    /// are data (RFC 4180), as a JSON string's are. The CSV reader trimmed
    /// them, so one id became two.
    #[test]
    fn ids_keep_their_spaces_in_csv_as_in_json() {
        let csv = "program_number,name\n\"PRG-Q \",quoted\n PRG-R,unquoted\nPRG-S, Solar \n";
        let entries = collect(csv, RefDocument::Programs).unwrap();
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["PRG-Q ", " PRG-R", "PRG-S"]);
        assert_eq!(entries[2].label, " Solar ");
        let json = r#"{"programs": [{"program_number": "PRG-Q ", "name": "json"}]}"#;
        assert_eq!(
            collect(json, RefDocument::Programs).unwrap()[0].id,
            "PRG-Q "
        );
        // A blank id is none, in both.
        let blank = "program_number,name\n\"  \",x\n";
        let v = &collect(blank, RefDocument::Programs).unwrap_err()[0];
        assert_eq!((v.rule, v.line), (2, Some(2)));
        let blank = r#"{"programs": [{"program_number": "  "}]}"#;
        assert_eq!(
            collect(blank, RefDocument::Programs).unwrap_err()[0].rule,
            2
        );
    }

    /// A CSV saved with CR line ends (old Excel for Mac) is read row by
    /// row, lines numbered as an editor shows them; it was one row, so
    /// nothing was imported and nothing said.
    #[test]
    fn a_cr_only_csv_is_read_row_by_row() {
        let csv = "program_number,name\rPRG-1,\"Two\rlines\"\rPRG-2,x\r,empty\r";
        let v = &collect(csv, RefDocument::Programs).unwrap_err()[0];
        assert_eq!((v.rule, v.line), (2, Some(5)), "{v}");
        let entries = collect(&csv.replace(",empty\r", ""), RefDocument::Programs).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].label, "Two\rlines");
        // JSON errors are placed in the file, leading blank lines included.
        let json = "\r\n\r\n{\"programs\": [\r\n  {\"program_number\": \"Ø\",, }]}";
        let v = &collect(json, RefDocument::Programs).unwrap_err()[0];
        assert_eq!((v.rule, v.line, v.column), (20, Some(4), Some(26)), "{v}");
    }

    /// Tester 36, finding 5: a row with more cells than the header (an
    /// unquoted comma in a name) lost its last cells, and one with fewer
    /// was read; both are refused at their line.
    #[test]
    fn a_csv_row_with_more_or_fewer_cells_than_the_header_is_refused_at_its_line() {
        let csv = "program_number,name\nPRG-G,Green, Power\nPRG-1\nPRG-2,ok\n";
        let errors = collect(csv, RefDocument::Programs).unwrap_err();
        let found: Vec<(u8, Option<u64>, &str)> = (errors.iter())
            .map(|v| (v.rule, v.line, v.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    Some(2),
                    "the row has 3 cells, the header 2: a value holding `,` must be quoted \
                     (\"Green, Power\")"
                ),
                (
                    2,
                    Some(3),
                    "the row has 1 cell, the header 2: each row needs a cell for every column; \
                     leave a cell empty between two `,`"
                ),
            ]
        );
        // An empty cell is a cell.
        let entries = collect("program_number,name\nPRG-1,\n", RefDocument::Programs).unwrap();
        assert_eq!(entries[0].label, "");
    }

    /// Tester 39, finding 1: the programs CSV refuses a quote never closed
    /// at the line and column where it opens (it named the line the row
    /// started on, without a column), and a cell whose quoted part ends
    /// before it does (`"Green" Power` was read as `Green Power`).
    #[test]
    fn csv_quoting_faults_are_refused_where_they_are() {
        let csv = "program_number,name\nPRG-1,One\nPRG-2,\"Two\nPRG-3,Three\n";
        let v = &collect(csv, RefDocument::Programs).unwrap_err()[0];
        assert_eq!((v.rule, v.line, v.column), (2, Some(3), Some(7)), "{v}");
        assert!(v.message.starts_with("a quoted field is not closed"), "{v}");
        let csv = "program_number;name\nPRG-G;\"Green\" Power\n";
        let v = &collect(csv, RefDocument::Programs).unwrap_err()[0];
        assert_eq!((v.rule, v.line, v.column), (2, Some(2), Some(13)), "{v}");
        assert!(v.message.contains("`\"\"\"Green\"\" Power\"`"), "{v}");
        let ok = "program_number,name\nPRG-G,\"Say \"\"Green\"\"\"\n";
        assert_eq!(
            collect(ok, RefDocument::Programs).unwrap()[0].label,
            "Say \"Green\""
        );
    }

    /// Tester 36, finding 6: a quoted header, the id column not first and
    /// Excel's `;`-separated CSV were taken for no reference data, or for
    /// one without a `program_number` column.
    #[test]
    fn a_quoted_header_any_column_order_and_semicolons_are_read() {
        for (csv, label) in [
            ("\"program_number\",\"name\"\nPRG-G,Green\n", "Green"),
            ("name,program_number\nGreen,PRG-G\n", "Green"),
            (
                "\u{feff}program_number;name\r\nPRG-G;Green, Power\r\n",
                "Green, Power",
            ),
            ("\"name\";\"program_number\"\nGreen;PRG-G\n", "Green"),
        ] {
            assert_eq!(
                RefDocument::detect(csv.as_bytes()),
                Some(RefDocument::Programs),
                "{csv:?}"
            );
            let entries = collect(csv, RefDocument::Programs).unwrap();
            assert_eq!(
                (entries[0].id.as_str(), entries[0].label.as_str()),
                ("PRG-G", label),
                "{csv:?}"
            );
        }
        // A header whose separator is `,` keeps `;` in its cells.
        let entries = collect("program_number,name\nPRG-1,a;b\n", RefDocument::Programs).unwrap();
        assert_eq!(entries[0].label, "a;b");
        assert_eq!(RefDocument::detect(b"id,name\nPRG-1,x\n"), None);
    }

    /// Tester 36, finding 7: a listing's `next` link says it is one page
    /// of several; the reader hands it over.
    #[test]
    fn a_listing_page_gives_its_next_link() {
        let page = r#"{"accounts": [{"cds_account_id": "A-1", "account_number": "1"}],
            "next": "https://utility.example/cds/accounts?page=2", "previous": null}"#;
        let read = read_refdata(page.as_bytes(), RefDocument::Accounts, |_| {}).unwrap();
        assert_eq!(
            (read.count, read.next.as_deref()),
            (1, Some("https://utility.example/cds/accounts?page=2"))
        );
        let last = page.replace("\"https://utility.example/cds/accounts?page=2\"", "null");
        let read = read_refdata(last.as_bytes(), RefDocument::Accounts, |_| {}).unwrap();
        assert_eq!(read.next, None);
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
