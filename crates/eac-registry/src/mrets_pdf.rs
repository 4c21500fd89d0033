//! M-RETS retirement "Transaction Confirmation" (PDF).
//!
//! The confirmation prints the date (`MM-DD-YYYY`), the retiring
//! organization, "Retiring N active RECs", a table (Account, Account ID,
//! Project, Fuel Type, Vintage, Location, Quantity, Serial Number), the
//! retirement reason, its details, notes and the retirement account.
//!
//! Each table row becomes one [`RangeRecord`]: retired (a claim) on the
//! confirmation date, 1 MWh per REC, produced over the vintage month in the
//! generator's state's local time. The serial number
//! `<generator>-<state>-<MM>-<YYYY>-<base>-<start>-<end>` is kept as the
//! first and last certificate numbers `<generator>-…-<base>-<start>` and
//! `…-<end>` (the sequence is the part after the last dash), counted
//! exactly and checked against the row's quantity and the total retired.

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType};

use crate::pdf::{self, Label, Line};
use crate::record::{Claim, Device, Locator, RangeRecord, ReadError, Statement, Status, Warning};
use crate::text::{self, NumberStyle};
use crate::zones;

/// The registry key of M-RETS ranges.
pub const REGISTRY: &str = "mrets";
pub const SOURCE_ID: &str = "mrets";
pub const SOURCE_NAME: &str = "M-RETS";

const TITLE: &str = "Transaction Confirmation";
const TABLE_HEADER: &str = "Account ID Project";

/// Whether the text is an M-RETS retirement Transaction Confirmation.
pub fn sniff_text(pages: &[String]) -> bool {
    let all = pages.join("\n");
    all.contains(TITLE) && all.contains("M-RETS") && retiring(&pdf::lines(pages)).is_some()
}

/// Reads an M-RETS retirement Transaction Confirmation PDF.
pub fn read(bytes: &[u8]) -> Result<Statement, ReadError> {
    read_text(&pdf::pages(bytes)?)
}

const LABELS: &[Label] = &[
    Label {
        text: "Date",
        wraps: false,
    },
    Label {
        text: "M-RETS Organization",
        wraps: false,
    },
    Label {
        text: "Retirement reason",
        wraps: true,
    },
    Label {
        text: "Retirement reason details",
        wraps: true,
    },
    Label {
        text: "Notes",
        wraps: true,
    },
    Label {
        text: "to this retirement account",
        wraps: false,
    },
];

/// `Retiring N active RECs`: the number as printed, and its line.
fn retiring<'a>(lines: &[Line<'a>]) -> Option<(&'a str, u32)> {
    lines.iter().find_map(|l| {
        let rest = l.text.strip_prefix("Retiring ")?;
        let (n, _) = rest.split_once(" active REC")?;
        Some((n, l.page))
    })
}

/// M-RETS fuel types, to tell the Fuel Type column from the project name
/// before it, and the CDS technology each is (`None`: not mapped).
const FUELS: &[(&str, Option<TechnologyType>)] = &[
    ("Solar Photovoltaic", Some(TechnologyType::Solar)),
    ("Solar", Some(TechnologyType::Solar)),
    ("Wind", Some(TechnologyType::Wind)),
    ("Hydro", Some(TechnologyType::Hydro)),
    ("Hydroelectric", Some(TechnologyType::Hydro)),
    ("Geothermal", Some(TechnologyType::Geothermal)),
    ("Biomass", Some(TechnologyType::Biomass)),
    ("Wood", None),
    ("Biogas", None),
    ("Landfill Gas", None),
    ("Natural Gas", Some(TechnologyType::NaturalGas)),
    ("Coal", Some(TechnologyType::Coal)),
    ("Oil", Some(TechnologyType::Oil)),
    ("Nuclear", Some(TechnologyType::Nuclear)),
    ("Other", None),
];

/// The CDS technology of an M-RETS fuel type; `None` when not in the table.
pub fn technology_type(fuel: &str) -> Option<TechnologyType> {
    FUELS
        .iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(fuel.trim()))
        .and_then(|(_, t)| *t)
}

/// Reads the text of an M-RETS Transaction Confirmation (one string per page).
pub fn read_text(pages: &[String]) -> Result<Statement, ReadError> {
    let lines = pdf::lines(pages);
    if !sniff_text(pages) {
        return Err(ReadError::new(
            Locator::Document,
            "this is not an M-RETS retirement Transaction Confirmation (no \"Transaction Confirmation\", \"M-RETS\" and \"Retiring N active RECs\")",
        ));
    }
    let header = lines
        .iter()
        .position(|l| l.text.starts_with(TABLE_HEADER))
        .ok_or_else(|| {
            ReadError::new(
                Locator::Document,
                "the confirmation has no table of retired RECs (no header \"Account ID Project Fuel Type Vintage Location Quantity Serial Number\")",
            )
        })?;
    let table_end = lines[header..]
        .iter()
        .position(|l| l.text.starts_with("Retirement reason"))
        .map_or(lines.len(), |k| header + k);
    let mut outside: Vec<Line<'_>> = lines[..header].to_vec();
    outside.extend_from_slice(&lines[table_end..]);
    let fields = pdf::fields(&outside, LABELS, &[]);
    let date_field = pdf::field(&fields, "Date")
        .ok_or_else(|| ReadError::new(Locator::Page(1), "the confirmation has no \"Date:\""))?;
    let date = text::date_mdy(&date_field.value, '-')
        .or_else(|| text::date_mdy(&date_field.value, '/'))
        .ok_or_else(|| {
            ReadError::new(
                Locator::Page(date_field.page),
                format!(
                    "the confirmation date \"{}\" is not a date written MM-DD-YYYY",
                    date_field.value
                ),
            )
        })?;
    let holder = pdf::field(&fields, "M-RETS Organization").map(|f| f.value.clone());
    let mut facts = vec![("transaction_date".to_string(), date_field.value.clone())];
    for (label, name) in [
        ("Retirement reason", "retirement_reason"),
        ("Retirement reason details", "retirement_reason_details"),
        ("Notes", "notes"),
        ("to this retirement account", "retirement_account"),
    ] {
        if let Some(f) = pdf::field(&fields, label).filter(|f| !f.value.is_empty()) {
            facts.push((name.to_string(), f.value.clone()));
        }
    }

    let mut st = Statement::default();
    let one = Decimal::parse("1").expect("1 is a decimal");
    let table = &lines[header + 1..table_end];
    let words: Vec<(&str, u32)> = table
        .iter()
        .flat_map(|l| l.text.split_whitespace().map(move |w| (w, l.page)))
        .collect();
    let mut start = 0;
    let mut warned = Vec::new();
    for (j, (w, page)) in words.iter().enumerate() {
        let Some(serial) = Serial::parse(w) else {
            continue;
        };
        let row: Vec<&str> = words[start..=j].iter().map(|(w, _)| *w).collect();
        start = j + 1;
        let r = row_of(&row, serial, *page)?;
        let at = Locator::Page(*page);
        let place = zones::state(&r.location);
        let tz = place.map_or_else(zones::utc, |p| p.tz);
        if place.is_none_or(|p| p.several) && !warned.contains(&r.location) {
            warned.push(r.location.clone());
            st.warnings.push(Warning {
                at: at.clone(),
                message: match place {
                    None => format!(
                        "the location \"{}\" is not in EAC Desk's zone table; the vintage month is read in UTC, which may be off by the state's offset",
                        r.location
                    ),
                    Some(p) => format!(
                        "{} spans several time zones; the vintage month is read in {}, its main one",
                        r.location,
                        p.tz.name()
                    ),
                },
            });
        }
        let (period_start, period_end) =
            text::local_period(r.month.0, r.month.1, tz).ok_or_else(|| {
                ReadError::new(at.clone(), "the vintage month cannot be placed in time")
            })?;
        let tech = technology_type(&r.fuel);
        let mut row_facts = facts.clone();
        row_facts.extend([
            ("account".to_string(), r.account.clone()),
            ("account_id".to_string(), r.account_id.clone()),
            ("vintage".to_string(), r.vintage.clone()),
            ("location".to_string(), r.location.clone()),
            ("serial_number".to_string(), r.serial.text.clone()),
        ]);
        let (series, first_seq, last_seq) =
            text::range_numbers(&r.serial.first(), &r.serial.last());
        st.ranges.push(RangeRecord {
            at,
            registry: REGISTRY.into(),
            source_id: SOURCE_ID.into(),
            source_name: SOURCE_NAME.into(),
            first: r.serial.first(),
            last: r.serial.last(),
            series,
            first_seq,
            last_seq,
            count: r.count,
            per_certificate: one.clone(),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Retired,
            claim: Claim::On(date),
            issued: None,
            period_start,
            period_end,
            device: Device {
                id: r.serial.generator.clone(),
                name: Some(r.project.clone()),
                technology: Some(r.fuel.clone()),
                technology_type: tech,
                commissioned: None,
                capacity: None,
                country: Some(r.location.clone()),
            },
            emissions: None,
            beneficiary_name: None,
            holder: holder.clone(),
            facts: row_facts,
        });
    }
    let left: Vec<&str> = words[start..].iter().map(|(w, _)| *w).collect();
    if !left.is_empty() {
        return Err(ReadError::new(
            Locator::Page(words[start].1),
            format!(
                "the table text \"{}\" does not end with a serial number like 2194-ND-07-2020-CAC76615-56217-58010",
                left.join(" ")
            ),
        ));
    }
    if st.ranges.is_empty() {
        return Err(ReadError::new(
            Locator::Page(lines[header].page),
            "the table of retired RECs has no rows",
        ));
    }
    let (total_text, total_page) = retiring(&lines).expect("sniffed");
    let total = text::parse_number(total_text, NumberStyle::DecimalPoint).ok_or_else(|| {
        ReadError::new(
            Locator::Page(total_page),
            format!("\"Retiring {total_text} active RECs\": {total_text} is not a number"),
        )
    })?;
    let sum = Decimal::sum(st.ranges.iter().map(|r| &r.count));
    if sum.to_big() != total.to_big() {
        return Err(ReadError::new(
            Locator::Page(total_page),
            format!(
                "the confirmation retires {} RECs but its rows add up to {}; a row may be missing or misread, so nothing is imported",
                total.as_str(),
                sum.as_str()
            ),
        ));
    }
    Ok(st)
}

/// An M-RETS serial number range.
#[derive(Debug, Clone)]
struct Serial {
    text: String,
    generator: String,
    state: String,
    month: String,
    year: String,
    /// Everything before the start sequence number.
    prefix: String,
    start: String,
    end: String,
}

impl Serial {
    fn parse(w: &str) -> Option<Serial> {
        let p: Vec<&str> = w.split('-').collect();
        if p.len() < 7 {
            return None;
        }
        let n = p.len();
        let (end, start, base, year, month, state) =
            (p[n - 1], p[n - 2], p[n - 3], p[n - 4], p[n - 5], p[n - 6]);
        let generator = p[..n - 6].join("-");
        let num = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let ok = num(end)
            && num(start)
            && !base.is_empty()
            && base.bytes().all(|b| b.is_ascii_alphanumeric())
            && year.len() == 4
            && num(year)
            && month.len() == 2
            && num(month)
            && state.len() == 2
            && state.bytes().all(|b| b.is_ascii_uppercase())
            && !generator.is_empty()
            && generator
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| Serial {
            text: w.to_string(),
            generator,
            state: state.to_string(),
            month: month.to_string(),
            year: year.to_string(),
            prefix: p[..n - 2].join("-"),
            start: start.to_string(),
            end: end.to_string(),
        })
    }

    fn first(&self) -> String {
        format!("{}-{}", self.prefix, self.start)
    }

    fn last(&self) -> String {
        format!("{}-{}", self.prefix, self.end)
    }
}

struct Row {
    account: String,
    account_id: String,
    project: String,
    fuel: String,
    vintage: String,
    month: (Date, Date),
    location: String,
    count: Decimal,
    serial: Serial,
}

/// `<account> <account id> <project> <fuel type> <vintage> <location>
/// <quantity> <serial>`, read from the right: the serial, the quantity,
/// the state, the vintage; then the account id (`086E2257-6853`) splits
/// the account name from the project, and the fuel type is the known fuel
/// wording the row's left part ends with.
fn row_of(row: &[&str], serial: Serial, page: u32) -> Result<Row, ReadError> {
    let bad = |what: String| {
        ReadError::new(
            Locator::Page(page),
            format!(
                "a retired REC row cannot be read: {what} (row text: \"{}\")",
                row.join(" ")
            ),
        )
    };
    let n = row.len();
    if n < 7 {
        return Err(bad("too few columns".into()));
    }
    // Quantity, perhaps with thousands separators (`1,794`, `1 794`).
    let mut q = n - 1;
    while q > 0
        && row[q - 1]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        q -= 1;
    }
    let quantity_text = row[q..n - 1].join(" ");
    let quantity = text::parse_number(&quantity_text, NumberStyle::DecimalPoint)
        .ok_or_else(|| bad(format!("the quantity \"{quantity_text}\" is not a number")))?;
    let location = row[q - 1].to_string();
    let vintage = row[q - 2].to_string();
    let month = text::month(&format!("{}/{}", serial.month, serial.year)).ok_or_else(|| {
        bad(format!(
            "the serial number's month {}-{} is not a month",
            serial.month, serial.year
        ))
    })?;
    let in_month = match text::date_iso(&vintage) {
        Some(d) => d >= month.0 && d <= month.1,
        None => text::month(&vintage) == Some(month),
    };
    if !in_month {
        return Err(bad(format!(
            "the vintage {vintage} is not the month {}-{} of the serial number",
            serial.month, serial.year
        )));
    }
    if location != serial.state {
        return Err(bad(format!(
            "the location {location} is not the state {} of the serial number",
            serial.state
        )));
    }
    let count = text::inclusive_count(&serial.start, &serial.end).ok_or_else(|| {
        bad(format!(
            "the serial number ends ({} to {}) are not a range",
            serial.start, serial.end
        ))
    })?;
    if count.to_big() != quantity.to_big() {
        return Err(bad(format!(
            "serial numbers {} to {} are {} RECs, but the quantity printed is {quantity_text}; the confirmation contradicts itself",
            serial.start,
            serial.end,
            count.as_str()
        )));
    }
    let left = &row[..q - 2];
    let id_at = left
        .iter()
        .position(|w| {
            w.contains('-')
                && w.bytes().any(|b| b.is_ascii_digit())
                && w.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        })
        .filter(|&k| k > 0)
        .ok_or_else(|| bad("no account id (like 086E2257-6853) after the account name".into()))?;
    let rest = &left[id_at + 1..];
    let fuel_words = FUELS
        .iter()
        .map(|(f, _)| f.split(' ').count())
        .filter(|&k| {
            k < rest.len()
                && FUELS
                    .iter()
                    .any(|(f, _)| f.eq_ignore_ascii_case(&rest[rest.len() - k..].join(" ")))
        })
        .max()
        .ok_or_else(|| {
            bad(format!(
                "the fuel type is not one of {}",
                FUELS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
            ))
        })?;
    let split = rest.len() - fuel_words;
    Ok(Row {
        account: left[..id_at].join(" "),
        account_id: left[id_at].to_string(),
        project: rest[..split].join(" "),
        fuel: rest[split..].join(" "),
        vintage,
        month,
        location,
        count,
        serial,
    })
}
