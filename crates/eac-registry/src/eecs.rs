//! EECS Guarantee of Origin cancellation statements (PDF), in the two
//! layouts met: the Norwegian NECS one (Statnett: "Performed by" / "On
//! behalf of", labels without colons, a device list and a "Certificate
//! Bundles cancelled" table) and the Danish one ("From" / "To", labels with
//! colons, 30-digit certificate numbers wrapped over lines, device details
//! on a later page).
//!
//! Each certificate range (bundle) becomes one [`RangeRecord`]: cancelled
//! on the transaction date (a claim), 1 MWh per certificate, issued on the
//! printed issuing date, produced over the printed day or month in the
//! issuing domain's local time. Every count is checked against the printed
//! volume and totals; a mismatch refuses the statement, naming the page.
//!
//! All EECS domains number certificates in one space (the 30-digit number
//! starts with the issuing body's code), so both layouts use the one
//! registry key `eecs`: the same certificates cancelled twice are found
//! across Norwegian and Danish statements.

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType};

use crate::pdf::{self, Field, Label, Line, Token};
use crate::record::{Claim, Device, Locator, RangeRecord, ReadError, Statement, Status, Warning};
use crate::text::{self, NumberStyle};
use crate::zones;

/// The registry key of every EECS Guarantee of Origin range.
pub const REGISTRY: &str = "eecs";

/// The two statement layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Norway, NECS (Statnett).
    Necs,
    /// Denmark (Energinet's registry).
    Danish,
}

/// Which layout the text is in, if it is a GO cancellation statement: told
/// by the labels of its first page, whether or not its certificate table
/// is there (a statement missing that page is said by [`read_text`]).
pub fn layout(pages: &[String]) -> Option<Layout> {
    let all = pages.join("\n");
    let go = has_table(&all) || all.contains("Guarantees of Origin");
    if go && all.contains("Performed by") && all.contains("On behalf of") {
        Some(Layout::Necs)
    } else if all.contains("Cancellation Purpose:") && all.contains("Total GO:") {
        Some(Layout::Danish)
    } else {
        None
    }
}

/// Whether the text holds a GO statement's certificate table (its header).
fn has_table(all: &str) -> bool {
    all.contains("Certificate Number") && all.contains("GSRN")
}

/// Whether the text is a GO cancellation statement in a known layout, or
/// its certificate table without the first page (said by [`read_text`]).
pub fn sniff_text(pages: &[String]) -> bool {
    layout(pages).is_some() || has_table(&pages.join("\n"))
}

/// Reads a GO cancellation statement PDF.
pub fn read(bytes: &[u8]) -> Result<Statement, ReadError> {
    read_text(&pdf::pages(bytes)?)
}

/// Reads the text of a GO cancellation statement (one string per page).
pub fn read_text(pages: &[String]) -> Result<Statement, ReadError> {
    let all = pages.join("\n");
    let Some(layout) = layout(pages) else {
        return Err(ReadError::new(
            Locator::Document,
            if has_table(&all) {
                "this is the certificate table of a Guarantee of Origin cancellation statement without its first page (no \"Performed by\"/\"On behalf of\" or \"Cancellation Purpose:\"/\"Total GO:\" labels: who cancelled the certificates, for whom and when); is a page missing? Import the whole statement, every page as the registry produced it (download it again if need be)"
            } else {
                "this is not a Guarantee of Origin cancellation statement in a known layout (Norwegian NECS or Danish): no certificate table with GSRNs, or no \"Performed by\"/\"On behalf of\" (NECS) or \"Cancellation Purpose:\"/\"Total GO:\" (Danish) labels"
            },
        ));
    };
    let lines = pdf::lines(pages);
    let header = match layout {
        Layout::Necs => necs_header(&lines)?,
        Layout::Danish => danish_header(&lines)?,
    };
    let devices = devices(&lines, layout);
    let rows = rows(&lines)?;
    if rows.is_empty() {
        if !has_table(&all) {
            let cancelled = header
                .totals
                .first()
                .map(|(what, v, page)| {
                    format!(
                        ", though page {page} says {} were cancelled (\"{what}\")",
                        v.as_str()
                    )
                })
                .unwrap_or_default();
            return Err(ReadError::new(
                Locator::Document,
                format!(
                    "the Guarantee of Origin statement lists no certificate bundles: its \"Certificate Bundles cancelled\" table, with the certificate numbers, is not in the file{cancelled}; is a page missing? Import the whole statement, every page as the registry produced it (download it again if need be)"
                ),
            ));
        }
        return Err(ReadError::new(
            Locator::Document,
            "the statement lists no certificate ranges (no row under \"Certificate Number (From - To)\" starting with a certificate number)",
        ));
    }
    build(header, devices, rows)
}

/// What the statement says once, for every range.
struct Header {
    holder: Option<String>,
    beneficiary: Option<String>,
    /// Transaction date as printed, its date and its page.
    transaction: (String, Date, u32),
    /// Totals to check the ranges against: (what, value, page).
    totals: Vec<(&'static str, Decimal, u32)>,
    facts: Vec<(String, String)>,
}

const NECS_LABELS: &[Label] = &[
    Label {
        text: "Account Holder",
        wraps: true,
    },
    Label {
        text: "Account",
        wraps: false,
    },
    Label {
        text: "Domain",
        wraps: false,
    },
    Label {
        text: "Street",
        wraps: true,
    },
    Label {
        text: "Postal Code",
        wraps: false,
    },
    Label {
        text: "City",
        wraps: true,
    },
    Label {
        text: "Country",
        wraps: true,
    },
    Label {
        text: "Name of Beneficiary",
        wraps: true,
    },
    Label {
        text: "Consumption Start",
        wraps: false,
    },
    Label {
        text: "Consumption End",
        wraps: false,
    },
    Label {
        text: "Country of Consumption",
        wraps: false,
    },
    Label {
        text: "Location of Beneficiary",
        wraps: true,
    },
    Label {
        text: "Usage Category",
        wraps: false,
    },
    Label {
        text: "Type of Beneficiary",
        wraps: false,
    },
    Label {
        text: "Transaction Date",
        wraps: false,
    },
    Label {
        text: "Transaction Number",
        wraps: false,
    },
    Label {
        text: "Cancellation Purpose",
        wraps: true,
    },
    Label {
        text: "Volume cancelled (sum)",
        wraps: false,
    },
];

const NECS_STOPS: &[&str] = &[
    "Performed by",
    "On behalf of",
    "Transaction information",
    "List of production devices included in cancellation",
];

/// Statement-level labels and the fact names they are kept under.
const FACTS: &[(&str, &str)] = &[
    ("Account", "account"),
    ("Domain", "domain"),
    ("Street", "account_holder_street"),
    ("Postal Code", "account_holder_postal_code"),
    ("City", "account_holder_city"),
    (
        "Postal Code and City",
        "account_holder_postal_code_and_city",
    ),
    ("Country", "account_holder_country"),
    ("Consumption Start", "consumption_start"),
    ("Consumption End", "consumption_end"),
    ("Country of Consumption", "consumption_country"),
    ("Location of Beneficiary", "beneficiary_location"),
    ("Usage Category", "usage_category"),
    ("Type of Beneficiary", "beneficiary_type"),
    ("Transaction Type", "transaction_type"),
    ("Transaction Date", "transaction_date"),
    ("Transaction Number", "transaction_number"),
    ("Cancellation Purpose", "purpose"),
    ("Message to Receiver", "message_to_receiver"),
];

fn facts_of(fields: &[Field]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (label, name) in FACTS {
        if let Some(f) = pdf::field(fields, label) {
            if printed(&f.value) {
                out.push((name.to_string(), f.value.clone()));
            }
        }
    }
    out
}

/// A value the statement actually gives (`-` means none).
fn printed(v: &str) -> bool {
    !v.is_empty() && v != "-"
}

fn required<'f>(fields: &'f [Field], label: &str) -> Result<&'f Field, ReadError> {
    pdf::field(fields, label)
        .filter(|f| printed(&f.value))
        .ok_or_else(|| {
            ReadError::new(
                Locator::Document,
                format!("the statement has no \"{label}\"; it is needed to read the cancellation (is this the whole statement?)"),
            )
        })
}

fn transaction(fields: &[Field]) -> Result<(String, Date, u32), ReadError> {
    let f = required(fields, "Transaction Date")?;
    let date = f
        .value
        .split_whitespace()
        .next()
        .and_then(text::date_iso)
        .ok_or_else(|| {
            ReadError::new(
                Locator::Page(f.page),
                format!(
                    "the Transaction Date \"{}\" is not a date written YYYY-MM-DD",
                    f.value
                ),
            )
        })?;
    Ok((f.value.clone(), date, f.page))
}

fn total(
    fields: &[Field],
    label: &'static str,
) -> Result<Option<(&'static str, Decimal, u32)>, ReadError> {
    let Some(f) = pdf::field(fields, label) else {
        return Ok(None);
    };
    let v = text::parse_number(&f.value, NumberStyle::DecimalComma).ok_or_else(|| {
        ReadError::new(
            Locator::Page(f.page),
            format!("\"{label}\" is \"{}\", not a number", f.value),
        )
    })?;
    Ok(Some((label, v, f.page)))
}

fn necs_header(lines: &[Line<'_>]) -> Result<Header, ReadError> {
    // Statement-level labels end where the device list starts.
    let end = lines
        .iter()
        .position(|l| l.text.starts_with("List of production devices"))
        .unwrap_or(lines.len());
    let fields = pdf::fields(&lines[..end], NECS_LABELS, NECS_STOPS);
    let mut totals = Vec::new();
    totals.extend(total(&fields, "Volume cancelled (sum)")?);
    Ok(Header {
        holder: pdf::field(&fields, "Account Holder").map(|f| f.value.clone()),
        beneficiary: pdf::field(&fields, "Name of Beneficiary").map(|f| f.value.clone()),
        transaction: transaction(&fields)?,
        totals,
        facts: facts_of(&fields),
    })
}

const DANISH_LABELS: &[Label] = &[
    Label {
        text: "Account Holder",
        wraps: true,
    },
    Label {
        text: "Account",
        wraps: true,
    },
    Label {
        text: "Domain",
        wraps: false,
    },
    Label {
        text: "Street",
        wraps: true,
    },
    Label {
        text: "Postal Code and City",
        wraps: true,
    },
    Label {
        text: "Country",
        wraps: false,
    },
    Label {
        text: "Name of Beneficiary",
        wraps: true,
    },
    Label {
        text: "Cancellation Purpose",
        wraps: true,
    },
    Label {
        text: "Consumption Period",
        wraps: false,
    },
    Label {
        text: "Country of Consumption",
        wraps: false,
    },
    Label {
        text: "Location of Beneficiary",
        wraps: true,
    },
    Label {
        text: "Usage Category",
        wraps: false,
    },
    Label {
        text: "Type of Beneficiary",
        wraps: false,
    },
    Label {
        text: "Transaction Type",
        wraps: false,
    },
    Label {
        text: "Transaction Date",
        wraps: false,
    },
    Label {
        text: "Transaction Number",
        wraps: false,
    },
    Label {
        text: "Message to Receiver",
        wraps: true,
    },
    Label {
        text: "Total GO",
        wraps: false,
    },
    Label {
        text: "Total MWh",
        wraps: false,
    },
];

const DANISH_STOPS: &[&str] = &["From", "To", "Transaction details", "Total"];

fn danish_header(lines: &[Line<'_>]) -> Result<Header, ReadError> {
    let end = lines
        .iter()
        .position(|l| l.text.starts_with("Certificate Number"))
        .unwrap_or(lines.len());
    let fields = pdf::fields(&lines[..end], DANISH_LABELS, DANISH_STOPS);
    let mut facts = facts_of(&fields);
    if let Some(f) = pdf::field(&fields, "Consumption Period") {
        // `2021-01-01 to 2021-12-31`: kept as its two ends, like NECS prints them.
        match f.value.split_once(" to ") {
            Some((a, b)) => {
                facts.push(("consumption_start".into(), a.trim().to_string()));
                facts.push(("consumption_end".into(), b.trim().to_string()));
            }
            None => facts.push(("consumption_period".into(), f.value.clone())),
        }
    }
    let mut totals = Vec::new();
    totals.extend(total(&fields, "Total GO")?);
    totals.extend(total(&fields, "Total MWh")?);
    Ok(Header {
        holder: pdf::field(&fields, "Account Holder").map(|f| f.value.clone()),
        beneficiary: pdf::field(&fields, "Name of Beneficiary").map(|f| f.value.clone()),
        transaction: transaction(&fields)?,
        totals,
        facts,
    })
}

/// A production device as the device list / device page describes it.
#[derive(Debug, Default)]
struct DeviceInfo {
    name: Option<String>,
    gsrn: String,
    country: Option<String>,
    issuing_body: Option<String>,
    capacity: Option<String>,
    commissioned: Option<Date>,
    technology: Option<String>,
    fuel: Option<String>,
    volume: Option<(Decimal, u32)>,
    facts: Vec<(String, String)>,
}

const DEVICE_LABELS: &[Label] = &[
    // NECS
    Label {
        text: "Production Device Name",
        wraps: true,
    },
    Label {
        text: "GSRN",
        wraps: false,
    },
    Label {
        text: "Country",
        wraps: false,
    },
    Label {
        text: "Installed Capacity, MW",
        wraps: false,
    },
    Label {
        text: "Date of Commisioning",
        wraps: false,
    },
    Label {
        text: "Date of Commissioning",
        wraps: false,
    },
    Label {
        text: "Location",
        wraps: true,
    },
    Label {
        text: "Technology",
        wraps: true,
    },
    Label {
        text: "Fuel",
        wraps: true,
    },
    Label {
        text: "Volume cancelled (sum)",
        wraps: false,
    },
    // Danish
    Label {
        text: "Production Device GSRN",
        wraps: false,
    },
    Label {
        text: "Domain of Production Device",
        wraps: false,
    },
    Label {
        text: "Location of Production Device",
        wraps: true,
    },
    Label {
        text: "Investment support",
        wraps: true,
    },
    Label {
        text: "Production support",
        wraps: true,
    },
];

/// The device list: NECS "List of production devices included in
/// cancellation" or the Danish "Production Device public information"
/// pages; one block per device, starting at its name.
fn devices(lines: &[Line<'_>], layout: Layout) -> Vec<DeviceInfo> {
    let (heading, table_start) = match layout {
        Layout::Necs => (
            "List of production devices",
            "Certificate Bundles cancelled",
        ),
        Layout::Danish => ("Production Device public information", "Certificate Number"),
    };
    let mut section: Vec<Line<'_>> = Vec::new();
    let mut inside = false;
    for l in lines {
        if l.text.starts_with(heading) {
            inside = true;
            continue;
        }
        if l.text.starts_with(table_start) || is_footer(l.text) {
            inside = false;
        }
        if inside {
            section.push(*l);
        }
    }
    let fields = pdf::fields(&section, DEVICE_LABELS, &[]);
    let mut out: Vec<DeviceInfo> = Vec::new();
    for f in fields {
        if f.label == "Production Device Name" {
            out.push(DeviceInfo {
                name: printed(&f.value).then(|| f.value.clone()),
                ..DeviceInfo::default()
            });
            continue;
        }
        let Some(d) = out.last_mut() else { continue };
        let v = f.value.clone();
        match f.label {
            "GSRN" | "Production Device GSRN" => d.gsrn = v,
            "Country" => match v.split_once(" - ") {
                Some((c, body)) => {
                    d.country = Some(c.trim().to_string());
                    d.issuing_body = Some(body.trim().to_string());
                }
                None => d.country = Some(v),
            },
            "Domain of Production Device" => d.country = Some(v),
            // A value that does not read as a number or a day is kept as
            // printed (a fact beside the EAC), never dropped.
            "Installed Capacity, MW" => match text::parse_number(&v, NumberStyle::DecimalComma) {
                Some(n) => d.capacity = Some(format!("{} MW", n.as_str())),
                None if printed(&v) => d.facts.push(("device_capacity_as_printed".into(), v)),
                None => {}
            },
            "Date of Commisioning" | "Date of Commissioning" => match text::date_iso(&v) {
                Some(day) => d.commissioned = Some(day),
                None if printed(&v) => d.facts.push(("device_commissioned_as_printed".into(), v)),
                None => {}
            },
            "Technology" => d.technology = Some(v),
            "Fuel" => d.fuel = Some(v),
            "Volume cancelled (sum)" => {
                d.volume = text::parse_number(&v, NumberStyle::DecimalComma).map(|n| (n, f.page))
            }
            label => {
                let name = match label {
                    "Location" | "Location of Production Device" => "device_location",
                    "Investment support" => "investment_support",
                    "Production support" => "production_support",
                    _ => continue,
                };
                if printed(&v) {
                    d.facts.push((name.into(), v));
                }
            }
        }
    }
    out
}

/// A page footer of the Danish layout: the print time (`2022-03-29
/// 22:44:48 CET`) or the page number (`1 / 2`).
fn is_footer(line: &str) -> bool {
    let t: Vec<&str> = line.split_whitespace().collect();
    let page_number = t.len() == 3
        && t[1] == "/"
        && t[0].bytes().all(|b| b.is_ascii_digit())
        && t[2].bytes().all(|b| b.is_ascii_digit());
    let printed_at = t.len() == 3
        && text::date_iso(t[0]).is_some()
        && t[1].contains(':')
        && t[2].bytes().all(|b| b.is_ascii_uppercase());
    page_number || printed_at
}

/// One row of the certificate table, as printed.
struct Row {
    page: u32,
    first: String,
    last: String,
    volume: Decimal,
    volume_text: String,
    domain: String,
    codes: Vec<String>,
    /// Danish "S/T" column.
    st: Option<String>,
    issued: Date,
    period: (Date, Date),
    /// The production device cell and the scheme cells, as words.
    rest: Vec<String>,
}

fn digits(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// The certificate table's words: from the first line starting with a
/// certificate number after a "Certificate Number" header, to the page's
/// footer or the device pages. A table cut by a page footer goes on at the
/// first certificate number of the next page, with or without a repeated
/// header.
fn table_tokens<'a>(lines: &[Line<'a>]) -> Vec<Token<'a>> {
    #[derive(PartialEq, Clone, Copy)]
    enum S {
        Out,
        Header,
        Rows,
        /// Rows were cut by a page footer; they may go on after it.
        Paused,
    }
    let mut out = Vec::new();
    let mut s = S::Out;
    for l in lines {
        let first_word = l.text.split_whitespace().next().unwrap_or("");
        let row_start = digits(first_word) && first_word.len() >= 10;
        if l.text.starts_with("Production Device public information")
            || l.text.starts_with("List of production devices")
        {
            s = S::Out;
            continue;
        }
        if l.text.starts_with("Certificate Number") {
            s = S::Header;
            continue;
        }
        s = match s {
            S::Header | S::Paused if row_start => S::Rows,
            S::Rows if is_footer(l.text) => S::Paused,
            other => other,
        };
        if s == S::Rows {
            out.extend(pdf::tokens(std::slice::from_ref(l)));
        }
    }
    out
}

/// Where each row starts: a certificate number (a long digit word) not
/// after another digit word or `To`, followed by a digit word of the same
/// length (NECS: first and last numbers; Danish: the first number's second
/// line-wrapped part).
fn row_starts(t: &[Token<'_>]) -> Vec<usize> {
    (0..t.len())
        .filter(|&i| {
            let w = t[i].text;
            let prev_ok = i == 0 || !(digits(t[i - 1].text) || t[i - 1].text == "To");
            let next_same = t
                .get(i + 1)
                .is_some_and(|n| digits(n.text) && n.text.len() == w.len());
            digits(w) && w.len() >= 10 && prev_ok && next_same
        })
        .collect()
}

fn rows(lines: &[Line<'_>]) -> Result<Vec<Row>, ReadError> {
    let t = table_tokens(lines);
    let starts = row_starts(&t);
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(t.len());
        out.push(row(&t[s..e])?);
    }
    Ok(out)
}

fn row(t: &[Token<'_>]) -> Result<Row, ReadError> {
    let page = t[0].page;
    let bad = |what: &str| {
        let shown: Vec<&str> = t.iter().take(24).map(|w| w.text).collect();
        ReadError::new(
            Locator::Page(page),
            format!(
                "a certificate row cannot be read: {what} (row text: \"{}\")",
                shown.join(" ")
            ),
        )
    };
    let mut i = 0;
    let mut run = Vec::new();
    while i < t.len() && digits(t[i].text) {
        run.push(t[i].text);
        i += 1;
    }
    let (first, last) = if t.get(i).is_some_and(|w| w.text == "To") {
        // Danish: the first number wrapped over lines, `To`, the last one.
        let first: String = run.concat();
        i += 1;
        let mut last = String::new();
        while last.len() < first.len() && i < t.len() && digits(t[i].text) {
            last.push_str(t[i].text);
            i += 1;
        }
        if last.len() != first.len() {
            return Err(bad(&format!(
                "the last certificate number \"{last}\" does not have the {} digits of the first, \"{first}\"",
                first.len()
            )));
        }
        (first, last)
    } else {
        // NECS: first and last number, then the volume.
        if run.len() < 2 || run[0].len() != run[1].len() {
            return Err(bad("no first and last certificate number"));
        }
        i = 2;
        (run[0].to_string(), run[1].to_string())
    };
    // Volume: a number, perhaps with space-separated thousands.
    let mut vol = Vec::new();
    while i < t.len()
        && t[i]
            .text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        vol.push(t[i].text);
        i += 1;
    }
    let volume_text = vol.join(" ");
    let volume = text::parse_number(&volume_text, NumberStyle::DecimalComma)
        .ok_or_else(|| bad(&format!("the volume \"{volume_text}\" is not a number")))?;
    let is_code = |w: &str, c: u8, n: usize| {
        let w = w.trim_end_matches(',');
        w.len() == n + 1 && w.as_bytes()[0] == c && digits(&w[1..])
    };
    let code = |w: &str| is_code(w, b'F', 8) || is_code(w, b'T', 6);
    let mut domain = Vec::new();
    while i < t.len() && !code(t[i].text) {
        domain.push(t[i].text);
        i += 1;
    }
    let mut codes = Vec::new();
    while i < t.len() && code(t[i].text) {
        codes.push(t[i].text.trim_end_matches(',').to_string());
        i += 1;
    }
    if domain.is_empty() || codes.is_empty() {
        return Err(bad(
            "no issuing domain followed by EECS fuel/technology codes",
        ));
    }
    let mut st = Vec::new();
    while i < t.len() && text::date_iso(t[i].text).is_none() {
        st.push(t[i].text);
        i += 1;
    }
    let mut date = |what: &str| -> Result<Date, ReadError> {
        if t.get(i).is_some_and(|w| w.text == "To") {
            i += 1;
        }
        let d = t
            .get(i)
            .and_then(|w| text::date_iso(w.text))
            .ok_or_else(|| bad(&format!("no {what} (YYYY-MM-DD)")))?;
        i += 1;
        Ok(d)
    };
    let issued = date("issuing date")?;
    let start = date("production period start")?;
    let end = date("production period end")?;
    if end < start {
        return Err(bad("the production period ends before it starts"));
    }
    Ok(Row {
        page,
        first,
        last,
        volume,
        volume_text,
        domain: domain.join(" "),
        codes,
        st: (!st.is_empty()).then(|| st.join(" ")),
        issued,
        period: (start, end),
        rest: t[i..].iter().map(|w| w.text.to_string()).collect(),
    })
}

/// EECS technology codes (`T` + 6 digits) by their first level, as the
/// EECS Rules number them: 01 solar, 02 wind, 03 hydro-electric head
/// installations, 04 marine. Thermal (05) and other codes depend on the
/// fuel and are not guessed.
pub fn technology_type(code: &str) -> Option<TechnologyType> {
    let c = code.trim();
    let c = c.split_whitespace().next().unwrap_or(c);
    if c.len() != 7 || !c.starts_with('T') || !digits(&c[1..]) {
        return None;
    }
    match &c[1..3] {
        "01" => Some(TechnologyType::Solar),
        "02" => Some(TechnologyType::Wind),
        "03" => Some(TechnologyType::Hydro),
        "04" => Some(TechnologyType::Marine),
        _ => None,
    }
}

/// The issuing body of an EECS domain whose statement does not print it.
fn issuing_body_of(domain: &str) -> Option<&'static str> {
    match domain {
        "Norway" => Some("Statnett"),
        "Denmark" => Some("Energinet"),
        _ => None,
    }
}

fn build(header: Header, devices: Vec<DeviceInfo>, rows: Vec<Row>) -> Result<Statement, ReadError> {
    let mut st = Statement::default();
    let one = Decimal::parse("1").expect("1 is a decimal");
    let mut warned_zone = Vec::new();
    for r in &rows {
        let at = Locator::Page(r.page);
        let count = text::inclusive_count(&r.first, &r.last).ok_or_else(|| {
            ReadError::new(
                at.clone(),
                format!(
                    "the certificate range {} to {} is not a range (the last number is below the first)",
                    r.first, r.last
                ),
            )
        })?;
        if count.to_big() != r.volume.to_big() {
            return Err(ReadError::new(
                at,
                format!(
                    "certificates {} to {} are {} certificates of 1 MWh, but the row prints a volume of {} MWh; the statement contradicts itself, ask the registry for a corrected copy",
                    r.first,
                    r.last,
                    count.as_str(),
                    r.volume_text
                ),
            ));
        }
        // The device: the row's GSRN, described on the device pages.
        let gsrn_at = r.rest.iter().position(|w| w.len() == 18 && digits(w));
        let gsrn = gsrn_at.map(|g| r.rest[g].clone());
        let info = gsrn
            .as_ref()
            .and_then(|g| devices.iter().find(|d| &d.gsrn == g));
        let (rest, capacity) = device_cell(&r.rest, gsrn_at, info.and_then(|d| d.name.as_deref()));
        if info.is_none() {
            st.warnings.push(Warning {
                at: at.clone(),
                message: format!(
                    "the device {} of certificates {} to {} is not described in the statement's device list; its name, commissioning date and technology wording are missing",
                    gsrn.as_deref().unwrap_or("(no GSRN printed)"),
                    r.first,
                    r.last
                ),
            });
        }
        let tech_code = r.codes.iter().find(|c| c.starts_with('T'));
        let fuel_code = r.codes.iter().find(|c| c.starts_with('F'));
        let technology = info
            .and_then(|d| d.technology.clone())
            .or_else(|| tech_code.cloned());
        let device = Device {
            id: gsrn.clone().unwrap_or_default(),
            name: info.and_then(|d| d.name.clone()),
            technology_type: technology.as_deref().and_then(technology_type),
            technology,
            commissioned: info.and_then(|d| d.commissioned),
            capacity: info.and_then(|d| d.capacity.clone()).or(capacity),
            country: info
                .and_then(|d| d.country.clone())
                .or_else(|| Some(r.domain.clone())),
        };
        let body = info
            .and_then(|d| d.issuing_body.clone())
            .or_else(|| issuing_body_of(&r.domain).map(str::to_string))
            .unwrap_or_else(|| r.domain.clone());
        let place = zones::country(&r.domain);
        let tz = place.map_or_else(zones::utc, |p| p.tz);
        if place.is_none_or(|p| p.several) && !warned_zone.contains(&r.domain) {
            warned_zone.push(r.domain.clone());
            let message = match place {
                None => format!(
                    "the issuing domain \"{}\" is not in EAC Desk's zone table; its production dates are read as UTC days, which may be off by the domain's offset",
                    r.domain
                ),
                Some(p) => format!(
                    "the issuing domain \"{}\" spans several time zones; its production dates are read in {}, its main one",
                    r.domain,
                    p.tz.name()
                ),
            };
            st.warnings.push(Warning {
                at: at.clone(),
                message,
            });
        }
        let (period_start, period_end) = text::local_period(r.period.0, r.period.1, tz)
            .ok_or_else(|| {
                ReadError::new(at.clone(), "the production period cannot be placed in time")
            })?;
        let mut facts = header.facts.clone();
        facts.push(("issuing_domain".into(), r.domain.clone()));
        if info.and_then(|d| d.issuing_body.as_ref()).is_some() {
            facts.push(("issuing_body".into(), body.clone()));
        }
        if let Some(f) = info
            .and_then(|d| d.fuel.clone())
            .or_else(|| fuel_code.cloned())
        {
            facts.push(("fuel".into(), f));
        }
        if let Some(s) = &r.st {
            facts.push(("s_t".into(), s.clone()));
        }
        if !rest.is_empty() {
            facts.push(("schemes".into(), rest));
        }
        if let Some(d) = info {
            facts.extend(d.facts.iter().cloned());
        }
        let (series, first_seq, last_seq) = text::range_numbers(&r.first, &r.last);
        st.ranges.push(RangeRecord {
            at: Locator::Page(r.page),
            registry: REGISTRY.into(),
            source_id: body.clone(),
            source_name: body,
            first: r.first.clone(),
            last: r.last.clone(),
            series,
            first_seq,
            last_seq,
            count,
            per_certificate: one.clone(),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Cancelled,
            claim: Claim::On(header.transaction.1),
            issued: Some(r.issued),
            period_start,
            period_end,
            device,
            emissions: None,
            beneficiary_name: header.beneficiary.clone(),
            holder: header.holder.clone(),
            facts,
        });
    }
    check_totals(&header, &devices, &st)?;
    Ok(st)
}

/// Splits the row's device and scheme cells: removes the GSRN, the
/// capacity (`201,6 MW`, `32 (MW)`) and the device's name; what remains is
/// the trading and support scheme text. Returns (schemes, capacity).
fn device_cell(
    rest: &[String],
    gsrn_at: Option<usize>,
    name: Option<&str>,
) -> (String, Option<String>) {
    let mut keep: Vec<bool> = vec![true; rest.len()];
    if let Some(g) = gsrn_at {
        keep[g] = false;
    }
    let mut capacity = None;
    for k in 0..rest.len().saturating_sub(1) {
        let unit = rest[k + 1].trim_matches(|c| c == '(' || c == ')');
        if !keep[k] || !matches!(unit, "MW" | "kW") {
            continue;
        }
        // The number before the unit, with its thousands groups (`1 234,5`).
        let mut from = k;
        while from > 0
            && keep[from - 1]
            && text::parse_number(&rest[from - 1..=k].join(" "), NumberStyle::DecimalComma)
                .is_some()
        {
            from -= 1;
        }
        if let Some(n) = text::parse_number(&rest[from..=k].join(" "), NumberStyle::DecimalComma) {
            capacity = Some(format!("{} {unit}", n.as_str()));
            keep[from..=k + 1].iter_mut().for_each(|x| *x = false);
            break;
        }
    }
    if let Some(name) = name {
        let words: Vec<&str> = name.split_whitespace().collect();
        let n = words.len();
        if n > 0 {
            let found = (0..=rest.len().saturating_sub(n)).find(|&s| {
                (s..s + n).all(|k| keep[k])
                    && rest[s..s + n].iter().zip(&words).all(|(a, b)| a == b)
            });
            if let Some(s) = found {
                keep[s..s + n].iter_mut().for_each(|k| *k = false);
            }
        }
    }
    let words: Vec<&str> = rest
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(w, _)| w.as_str())
        .collect();
    (pdf::join_wrapped(words), capacity)
}

/// The printed totals (volume cancelled, total GO / MWh, per-device
/// volume) must equal the sum of the ranges read.
fn check_totals(header: &Header, devices: &[DeviceInfo], st: &Statement) -> Result<(), ReadError> {
    let sum = Decimal::sum(st.ranges.iter().map(|r| &r.count));
    for (what, value, page) in &header.totals {
        if value.to_big() != sum.to_big() {
            return Err(ReadError::new(
                Locator::Page(*page),
                format!(
                    "\"{what}\" is {} but the certificate ranges listed add up to {}; a range may be missing or misread, so nothing is imported",
                    value.as_str(),
                    sum.as_str()
                ),
            ));
        }
    }
    for d in devices {
        if let Some((v, page)) = &d.volume {
            let of_device = Decimal::sum(
                st.ranges
                    .iter()
                    .filter(|r| r.device.id == d.gsrn)
                    .map(|r| &r.count),
            );
            if v.to_big() != of_device.to_big() {
                return Err(ReadError::new(
                    Locator::Page(*page),
                    format!(
                        "the device {} ({}) shows {} MWh cancelled but its certificate ranges add up to {}",
                        d.name.as_deref().unwrap_or(""),
                        d.gsrn,
                        v.as_str(),
                        of_device.as_str()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device's capacity or commissioning date that does not read as a
    /// number or a day is kept as printed, never dropped.
    #[test]
    fn an_unreadable_capacity_or_commissioning_date_is_kept_as_printed() {
        let page = "List of production devices included in cancellation\n\
                    Production Device Name Fjord Hydro\n\
                    Installed Capacity, MW about ten\n\
                    Date of Commissioning spring 1999\n\
                    Certificate Bundles cancelled\n"
            .to_owned();
        let pages = [page];
        let found = devices(&pdf::lines(&pages), Layout::Necs);
        assert_eq!(found.len(), 1, "{found:?}");
        let d = &found[0];
        assert_eq!((d.capacity.as_deref(), d.commissioned), (None, None));
        assert!(d
            .facts
            .contains(&("device_capacity_as_printed".into(), "about ten".into())));
        assert!(d.facts.contains(&(
            "device_commissioned_as_printed".into(),
            "spring 1999".into()
        )));
        // Readable ones are read as before.
        let page = page_with("12,5", "2001-06-30");
        let pages = [page];
        let d = &devices(&pdf::lines(&pages), Layout::Necs)[0];
        assert_eq!(d.capacity.as_deref(), Some("12.5 MW"));
        assert!(d.commissioned.is_some());
        assert!(d.facts.is_empty(), "{:?}", d.facts);
    }

    fn page_with(capacity: &str, commissioned: &str) -> String {
        format!(
            "List of production devices included in cancellation\n\
             Production Device Name Fjord Hydro\n\
             Installed Capacity, MW {capacity}\n\
             Date of Commissioning {commissioned}\n\
             Certificate Bundles cancelled\n"
        )
    }
}
