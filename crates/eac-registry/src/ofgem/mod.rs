//! Ofgem Renewables and CHP Register: the "Certificates" report (REGO and
//! RO rows), as CSV ([`read_certificates_csv`]) or as the SSRS XML
//! rendering ([`read_certificates_xml`]), and the accredited stations report
//! ([`read_stations_csv`]). Each `sniff_*` function tells from a file's
//! content, not its name, whether the matching reader is the one to use.
//!
//! Both certificates readers turn one row into one [`RangeRecord`] through
//! the same code, so a row reads the same from either format:
//!
//! - REGO rows only; an RO row (Renewables Obligation, a subsidy
//!   certificate) is [`Skipped`] with [`RO_SKIP_REASON`].
//! - A REGO certificate number is `<Accreditation No.><sequence><period
//!   code><letters>`, e.g. `G01821BWEN` `0000005000` `010323310323` `GEN`:
//!   the period code is the output period's first and last day as
//!   `ddmmyyddmmyy`. The range holds sequence(last) − sequence(first) + 1
//!   certificates, which must equal "No. Of Certificates"; first and last
//!   must agree on everything but the sequence, and the period code must
//!   be the row's Output Period (else the row is refused: which of the two
//!   is wrong cannot be told).
//! - Output Period `Mar-2023` or `01/03/2023 - 31/03/2023` (last day
//!   included) is a period of UK local days, converted to UTC with the
//!   Europe/London offset of each end.
//! - `Redeemed` and `Retired` are claims dated by Status Date; `Issued`,
//!   `Expired`, `Revoked` are stored as such and are not claims (the last
//!   two take back a claim stored before, [`Status::is_reversal`]). Any
//!   other status (also `Cancelled`, `Claimed` or `Withdrawn`, which other
//!   registries use but Ofgem does not) is kept as printed, is neither a
//!   claim nor a reversal of one, and is said in a warning on its line.
//! - Nothing is padded or guessed: company numbers stay text as printed
//!   (a 7-character number keeps its 7 characters), a Technology Group not
//!   in [`technology_type`]'s table leaves the type unknown, an empty or
//!   `N/A` Generation Type is no fact.
//!
//! The SSRS XML names its attributes after the report designer's text
//! boxes. Which is which (from Ofgem's own rendering of the report):
//!
//! | attribute   | column                              |
//! |-------------|-------------------------------------|
//! | `textbox4`  | Accreditation No.                   |
//! | `textbox13` | Generating Station / Agent Group    |
//! | `textbox19` | Station TIC (kW)                    |
//! | `textbox5`  | Scheme (`REGO` / `RO`)              |
//! | `textbox12` | Country                             |
//! | `textbox15` | Technology Group                    |
//! | `textbox31` | Generation Type                     |
//! | `textbox18` | Output Period                       |
//! | `textbox21` | No. Of Certificates                 |
//! | `textbox24` | Start Certificate No.               |
//! | `textbox27` | End Certificate No.                 |
//! | `textbox37` | MWh Per Certificate                 |
//! | `textbox30` | Issue Date (`YYYY-MM-DDT00:00:00`)  |
//! | `textbox33` | Certificate Status                  |
//! | `textbox36` | Status Date (`YYYY-MM-DDT00:00:00`) |
//! | `textbox39` | Current Holder Organisation Name    |
//! | `textbox45` | Company Registration Number         |
//!
//! On the `Report` element: `textbox10` is the report title, `textbox7` the
//! period of generation asked for, `textbox47` the total number of
//! certificates in the report (checked against the rows: a warning when a
//! file was cut short). An attribute the XML leaves out is an empty cell.
//! CSV copies whose header is these attribute names are read too.

mod certificates_csv;
mod certificates_xml;
mod stations;

pub use certificates_csv::{read_certificates_csv, sniff_certificates_csv};
pub use certificates_xml::{read_certificates_xml, sniff_certificates_xml};
pub use stations::{read_stations_csv, sniff_stations_csv};

use chrono_tz::Tz;
use eac_model::{Date, Decimal, EnergyUnit, TechnologyType};

use crate::record::{
    Claim, Device, Locator, RangeRecord, ReadError, Skipped, Statement, Status, Warning,
};
use crate::text::{self, NumberStyle};

/// The numbering all Ofgem certificate numbers follow (overlap checks).
pub const REGISTRY: &str = "ofgem";
/// The issuing body, as CDS `source_id` / `source_name`.
pub const SOURCE_ID: &str = "ofgem";
pub const SOURCE_NAME: &str = "Ofgem Renewables and CHP Register";
/// Why an RO row is not imported.
pub const RO_SKIP_REASON: &str =
    "RO certificates are subsidy certificates, not energy attribute certificates";

/// Ofgem's production dates are UK local dates.
fn london() -> Tz {
    chrono_tz::Europe::London
}

/// The columns of the certificates report, in the order of the download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Accreditation,
    Station,
    Tic,
    Scheme,
    Country,
    Technology,
    GenerationType,
    OutputPeriod,
    Count,
    Start,
    End,
    PerCertificate,
    IssueDate,
    Status,
    StatusDate,
    Holder,
    CompanyNumber,
}

const COLUMNS: usize = 17;

impl Column {
    const ALL: [Column; COLUMNS] = [
        Column::Accreditation,
        Column::Station,
        Column::Tic,
        Column::Scheme,
        Column::Country,
        Column::Technology,
        Column::GenerationType,
        Column::OutputPeriod,
        Column::Count,
        Column::Start,
        Column::End,
        Column::PerCertificate,
        Column::IssueDate,
        Column::Status,
        Column::StatusDate,
        Column::Holder,
        Column::CompanyNumber,
    ];

    /// The column's name in the report's header.
    fn header(self) -> &'static str {
        match self {
            Column::Accreditation => "Accreditation No.",
            Column::Station => "Generating Station / Agent Group",
            Column::Tic => "Station TIC",
            Column::Scheme => "Scheme",
            Column::Country => "Country",
            Column::Technology => "Technology Group",
            Column::GenerationType => "Generation Type",
            Column::OutputPeriod => "Output Period",
            Column::Count => "No. Of Certificates",
            Column::Start => "Start Certificate No.",
            Column::End => "End Certificate No.",
            Column::PerCertificate => "MWh Per Certificate",
            Column::IssueDate => "Issue Date",
            Column::Status => "Certificate Status",
            Column::StatusDate => "Status Date",
            Column::Holder => "Current Holder Organisation Name",
            Column::CompanyNumber => "Company Registration Number",
        }
    }

    /// The attribute the SSRS XML rendering uses for the column.
    fn xml_attribute(self) -> &'static str {
        match self {
            Column::Accreditation => "textbox4",
            Column::Station => "textbox13",
            Column::Tic => "textbox19",
            Column::Scheme => "textbox5",
            Column::Country => "textbox12",
            Column::Technology => "textbox15",
            Column::GenerationType => "textbox31",
            Column::OutputPeriod => "textbox18",
            Column::Count => "textbox21",
            Column::Start => "textbox24",
            Column::End => "textbox27",
            Column::PerCertificate => "textbox37",
            Column::IssueDate => "textbox30",
            Column::Status => "textbox33",
            Column::StatusDate => "textbox36",
            Column::Holder => "textbox39",
            Column::CompanyNumber => "textbox45",
        }
    }

    /// Header spellings (as [`header_key`]s) that name this column.
    fn matches_header(self, key: &str) -> bool {
        let extra: &[&str] = match self {
            Column::Accreditation => &["accreditationnumber"],
            Column::Station => &["generatingstation", "stationname"],
            Column::Tic => &["stationtickw"],
            Column::Count => &["numberofcertificates"],
            Column::Start => &["startcertificatenumber"],
            Column::End => &["endcertificatenumber"],
            Column::Status => &["status"],
            Column::Holder => &["currentholder", "currentholderorganisation"],
            _ => &[],
        };
        key == header_key(self.header()) || key == self.xml_attribute() || extra.contains(&key)
    }

    /// Columns a row cannot be read without.
    fn required(self) -> bool {
        matches!(
            self,
            Column::Accreditation
                | Column::Scheme
                | Column::OutputPeriod
                | Column::Count
                | Column::Start
                | Column::End
                | Column::PerCertificate
                | Column::Status
        )
    }
}

/// A header cell reduced to lowercase letters and digits, so `Station TIC
/// (kW)`, `station tic` and `StationTIC` name one column.
fn header_key(cell: &str) -> String {
    cell.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A cell pandas or a spreadsheet adds in front of the report's columns.
fn is_index_cell(cell: &str) -> bool {
    let key = header_key(cell);
    key.is_empty() || key == "index" || key == "unnamed0" || key.bytes().all(|b| b.is_ascii_digit())
}

/// One row of the certificates report, whatever the file format.
struct Row {
    at: Locator,
    cells: [String; COLUMNS],
    /// How its numbers are written.
    numbers: Numbers,
}

/// How a file writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// As Ofgem's downloads do: `.` is the decimal point (`1.0`,
    /// `659000.0`).
    DecimalPoint,
    /// A CSV whose cells are separated by `;`: a spreadsheet re-save in a
    /// locale that writes decimal commas (`1,0`, `659000,0`), read exactly
    /// as written ([`semicolon_number`]).
    Semicolons,
}

/// A number of a `;`-separated copy of the report, exactly as written, or
/// `Err` when it cannot be told exactly. A `,` is the decimal comma
/// (`1,0` is 1.0, `659.000,0` 659000.0): the locales that separate cells
/// with `;` write decimal commas. A number without a comma is read where
/// it means one number only: `5000`, `1.0` (a `.` before one, two or more
/// than three digits groups no thousands), `1.234.567`. `1.000` could be
/// 1 (a decimal point, as a locale with `;` and decimal points writes it)
/// or 1000 (a thousands separator): refused, never guessed.
fn semicolon_number(text: &str) -> Result<Option<Decimal>, ()> {
    if text.contains(',') {
        return Ok(text::parse_number(text, NumberStyle::DecimalComma));
    }
    let point = text::parse_number(text, NumberStyle::DecimalPoint);
    let comma = text::parse_number(text, NumberStyle::DecimalComma);
    match (point, comma) {
        (Some(a), Some(b)) if a.to_big() != b.to_big() => Err(()),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

impl Row {
    fn get(&self, column: Column) -> &str {
        self.cells[column as usize].trim()
    }

    fn error(&self, column: Column, what: impl std::fmt::Display) -> ReadError {
        ReadError::new(
            self.at.clone(),
            format!(
                "{} {what}. Correct this row (or download the report again from the Ofgem register) and import the file again.",
                column.header()
            ),
        )
    }

    /// Like [`Row::error`], for a `what` that says itself what to do (so
    /// the advice is not given twice).
    fn refuse(&self, column: Column, what: impl std::fmt::Display) -> ReadError {
        ReadError::new(self.at.clone(), format!("{} {what}.", column.header()))
    }

    fn required(&self, column: Column) -> Result<&str, ReadError> {
        match self.get(column) {
            "" => Err(self.error(column, "is empty; every row of the report has it")),
            text => Ok(text),
        }
    }

    fn optional(&self, column: Column) -> Option<&str> {
        Some(self.get(column)).filter(|t| !t.is_empty())
    }

    /// No. Of Certificates, `counted` the range's count: a whole number
    /// checked against it, so a `;` file's `5.000`, which as a number may
    /// be 5 or 5000, is the one of the two the range is (never guessed:
    /// when neither is, it is refused as any other number).
    fn count(&self, counted: &Decimal) -> Result<Decimal, ReadError> {
        let text = self.required(Column::Count)?;
        if self.numbers == Numbers::Semicolons && semicolon_number(text).is_err() {
            let readings = [NumberStyle::DecimalPoint, NumberStyle::DecimalComma]
                .map(|style| text::parse_number(text, style));
            if let Some(n) = readings
                .into_iter()
                .flatten()
                .find(|n| n.to_big() == counted.to_big())
            {
                return Ok(n);
            }
        }
        self.number(Column::Count)
    }

    fn number(&self, column: Column) -> Result<Decimal, ReadError> {
        let text = self.required(column)?;
        let decimal = match self.numbers {
            Numbers::DecimalPoint => "1.0",
            Numbers::Semicolons => "1,0",
        };
        self.parse_number(
            column,
            text,
            &format!("a number; expected digits like 5000 or {decimal}"),
        )
    }

    /// `text` of `column` as a number written the file's way; `what` says
    /// what it should be when it is none.
    fn parse_number(&self, column: Column, text: &str, what: &str) -> Result<Decimal, ReadError> {
        match self.numbers {
            Numbers::DecimalPoint => text::parse_number(text, NumberStyle::DecimalPoint)
                .ok_or_else(|| self.error(column, format!("\"{text}\" is not {what}"))),
            Numbers::Semicolons => match semicolon_number(text) {
                Ok(Some(n)) => Ok(n),
                Ok(None) => Err(self.error(column, format!("\"{text}\" is not {what}"))),
                Err(()) => Err(self.refuse(
                    column,
                    format!(
                        "\"{text}\" cannot be read exactly: the file separates its cells with \
                         `;` and writes no decimal comma here, so its `.` may be a decimal point \
                         ({}) or group thousands ({}). Write the number without thousands \
                         separators in this row, or download the report again from the Ofgem \
                         register, and import the file again",
                        text::parse_number(text, NumberStyle::DecimalPoint)
                            .map_or_else(String::new, |n| n.as_str().to_owned()),
                        text::parse_number(text, NumberStyle::DecimalComma)
                            .map_or_else(String::new, |n| n.as_str().to_owned()),
                    ),
                )),
            },
        }
    }

    fn date(&self, column: Column) -> Result<Option<Date>, ReadError> {
        let Some(text) = self.optional(column) else {
            return Ok(None);
        };
        parse_date(text).map(Some).ok_or_else(|| {
            // In the form the file writes it, yet no day: said as that,
            // not as the form's fault nor as a time.
            let impossible = text::not_a_calendar_day(text, text::DateOrder::Iso).or_else(|| {
                text.contains('/')
                    .then(|| text::not_a_calendar_day(text, text::DateOrder::Dmy))
                    .flatten()
            });
            if let Some(why) = impossible {
                if let Some(day) = month_first(text) {
                    return self.refuse(
                        column,
                        format!(
                            "\"{text}\" is no day read day/month/year, as the Ofgem download \
                             writes its days ({why}), but is one read month-first ({}). {}",
                            day.as_naive().format("%d/%m/%Y"),
                            MONTH_FIRST_FILE
                        ),
                    );
                }
                return self.error(
                    column,
                    format!("\"{text}\" is not a day of the calendar: {why}"),
                );
            }
            // The XML report writes its days YYYY-MM-DDT00:00:00, the CSV
            // download day/month/year; nobody saves the XML from a
            // spreadsheet.
            let (expected, note) = match self.at {
                Locator::Element(_) => (
                    "YYYY-MM-DDT00:00:00 like 2023-05-15T00:00:00, as the report writes its days",
                    text::date_time_note_advising(
                        text,
                        "Write it as the report does, e.g. 2023-05-15T00:00:00",
                    ),
                ),
                _ => ("day/month/year like 15/05/2023", text::date_time_note(text)),
            };
            self.error(
                column,
                format!("\"{text}\" is not a date; expected {expected}{note}"),
            )
        })
    }
}

/// `dd/mm/yyyy` (CSV) or `YYYY-MM-DD[T00:00:00]` (XML): both are read in
/// either file, as neither can be mistaken for the other.
fn parse_date(text: &str) -> Option<Date> {
    text::date_dmy(text, '/').or_else(|| text::date_iso(text))
}

/// What to do with a file whose days are written month-first: a
/// spreadsheet set to US dates re-saved it, and every date in it is in
/// that order, those that also read as a day day-first too.
const MONTH_FIRST_FILE: &str = "The file looks re-saved by a spreadsheet that writes dates \
     month-first (US settings), so none of its dates can be read as the download writes them, \
     even those that would read day-first. Download the report again from the Ofgem register \
     (or save it with day/month/year dates) and import that file";

/// `text` read month-first (`5/15/2023`), when it is a day so.
fn month_first(text: &str) -> Option<Date> {
    text::date_mdy(text, '/')
}

/// Whether `text` is a date as a spreadsheet set to month-first (US)
/// dates writes it and no day-first source does: a month of one digit
/// (`7/1/2023`; the download writes `01/07/2023`, a British spreadsheet
/// `1/07/2023`) and a different day when read month-first. Such a file
/// reads day-first without an error, wrongly if it is month-first.
fn month_first_suspect(text: &str) -> bool {
    let mut parts = text.trim().split('/');
    let (Some(_), Some(second), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    second.len() == 1
        && matches!(
            (text::date_dmy(text, '/'), month_first(text)),
            (Some(a), Some(b)) if a != b
        )
}

/// The start of the note [`read_row`] gives once per file on a
/// [`month_first_suspect`] date.
const SUSPECT_NOTE: &str = "is not written as the Ofgem download writes days";

/// Output Period: a month (`Mar-2023`) or a range of days (`01/03/2023 -
/// 31/03/2023`, last day included). First and last day.
fn output_period(text: &str) -> Option<(Date, Date)> {
    match period_days(text) {
        Some((a, b)) => {
            let (first, last) = (parse_date(a)?, parse_date(b)?);
            (first <= last).then_some((first, last))
        }
        None => text::month(text),
    }
}

/// The two days of an Output Period written as a range of days.
fn period_days(text: &str) -> Option<(&str, &str)> {
    text.split_once(" - ")
        .or_else(|| text.contains('/').then(|| text.split_once('-')).flatten())
}

/// An Output Period written as days month-first (`3/1/2023 - 3/31/2023`)
/// that is, read so, `coded` (the period the certificate numbers state):
/// proof that a spreadsheet re-saved the file with month-first dates.
fn month_first_period(text: &str, coded: (Date, Date)) -> bool {
    period_days(text)
        .is_some_and(|(a, b)| (month_first(a), month_first(b)) == (Some(coded.0), Some(coded.1)))
}

/// Why a text that is not an Output Period was not read, when more than
/// "not a period" can be said: it holds a time ([`text::date_time_note`]),
/// or it is two days joined by something other than a hyphen (`01/03/2023
/// – 31/03/2023` with an en dash, `… to …`), which the report never
/// prints.
fn period_note(period: &str) -> String {
    let note = text::date_time_note(period);
    if !note.is_empty() {
        return note;
    }
    let t = period.trim();
    // The longest day at each end (d/m/yyyy is 8 to 10 characters).
    let day_at = |range: &mut dyn Iterator<Item = usize>, first: bool| {
        range
            .filter(|&n| n <= t.len() && t.is_char_boundary(if first { n } else { t.len() - n }))
            .find(|&n| parse_date(if first { &t[..n] } else { &t[t.len() - n..] }).is_some())
    };
    let (Some(a), Some(b)) = (
        day_at(&mut (8..=10).rev(), true),
        day_at(&mut (8..=10).rev(), false),
    ) else {
        return String::new();
    };
    if a + b > t.len() {
        return String::new();
    }
    let between = t[a..t.len() - b].trim();
    if between.is_empty() || between == "-" {
        return String::new();
    }
    format!(
        " (its two days are joined by \"{between}\"; the report joins them with a hyphen, \
         as in 01/03/2023 - 31/03/2023)"
    )
}

/// The statuses Ofgem's register gives a certificate (the registry
/// README): `Issued` (live), `Redeemed` and `Retired` (claims), `Expired`,
/// `Revoked`.
const OFGEM_STATUSES: [Status; 5] = [
    Status::Issued,
    Status::Redeemed,
    Status::Retired,
    Status::Expired,
    Status::Revoked,
];

/// A Certificate Status as this reader takes it: one of
/// [`OFGEM_STATUSES`], or any other word as [`Status::Other`] (kept as
/// printed, no claim, decision 75), even one another registry uses:
/// `Cancelled` and `Claimed` are claims in EnergyTag's or an EECS
/// registry's words, never in Ofgem's, so an Ofgem file saying them is not
/// taken to prove a claim.
fn ofgem_status(text: &str) -> Status {
    match Status::parse(text) {
        known if OFGEM_STATUSES.contains(&known) => known,
        _ => Status::Other(text.trim().to_lowercase()),
    }
}

/// Ofgem Technology Group → CDS technology type. A group not listed here
/// leaves the type unknown for the user to complete (never guessed): mixed
/// or fuel-neutral groups (Fuelled, Energy from Waste, Advanced Conversion
/// Technologies, Good Quality CHP) are deliberately absent.
const TECHNOLOGY: &[(&str, TechnologyType)] = &[
    ("photovoltaic", TechnologyType::Solar),
    ("solar photovoltaic", TechnologyType::Solar),
    ("solar pv", TechnologyType::Solar),
    ("wind", TechnologyType::Wind),
    ("on-shore wind", TechnologyType::Wind),
    ("onshore wind", TechnologyType::Wind),
    ("off-shore wind", TechnologyType::Wind),
    ("offshore wind", TechnologyType::Wind),
    ("hydro", TechnologyType::Hydro),
    ("micro hydro", TechnologyType::Hydro),
    ("biomass", TechnologyType::Biomass),
    ("dedicated biomass", TechnologyType::Biomass),
    ("co-firing of biomass", TechnologyType::Biomass),
    ("co-firing of biomass with cchp", TechnologyType::Biomass),
    ("biomass using an act", TechnologyType::Biomass),
    ("bioliquid", TechnologyType::Biomass),
    ("dedicated energy crops", TechnologyType::Biomass),
    ("landfill gas", TechnologyType::Biomass),
    ("sewage gas", TechnologyType::Biomass),
    ("anaerobic digestion", TechnologyType::Biomass),
    ("biogas", TechnologyType::Biomass),
    ("geothermal", TechnologyType::Geothermal),
    ("wave", TechnologyType::Marine),
    ("tidal", TechnologyType::Marine),
    ("tidal flow", TechnologyType::Marine),
    ("tidal stream", TechnologyType::Marine),
    ("tidal power", TechnologyType::Marine),
    ("tidal impoundment", TechnologyType::Marine),
    ("tidal barrage", TechnologyType::Marine),
    ("tidal lagoon", TechnologyType::Marine),
];

/// The CDS technology type of an Ofgem Technology Group, from
/// [`TECHNOLOGY`] (case and surrounding or repeated spaces ignored).
pub fn technology_type(group: &str) -> Option<TechnologyType> {
    let key = group
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    TECHNOLOGY
        .iter()
        .find(|(name, _)| *name == key)
        .map(|&(_, t)| t)
}

/// The parts of a REGO certificate number around its sequence.
struct CertificateNumber<'a> {
    sequence: &'a str,
    rest: &'a str,
}

/// Splits `<accreditation><sequence><ddmmyyddmmyy><letters>`.
fn split_number<'a>(accreditation: &str, number: &'a str) -> Option<CertificateNumber<'a>> {
    let after = number.strip_prefix(accreditation)?;
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    let letters = &after[digits..];
    if digits <= 12 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let code = &after[digits - 12..digits];
    // The period code is two valid ddmmyy dates: proof the split is right.
    let valid = |d: &str| chrono::NaiveDate::parse_from_str(d, "%d%m%y").is_ok();
    (valid(&code[..6]) && valid(&code[6..])).then_some(CertificateNumber {
        sequence: &after[..digits - 12],
        rest: &after[digits - 12..],
    })
}

/// Why `number`, shaped as a REGO certificate number of the station
/// (`<accreditation><sequence><ddmmyyddmmyy><letters>`), is not one: a
/// day of its period code is no day of the calendar (`290223`: "February
/// 2023 has 28 days"). `None` when it is not so shaped or its days are days.
fn period_code_not_a_day(accreditation: &str, number: &str) -> Option<String> {
    let after = number.strip_prefix(accreditation)?;
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    if digits <= 12 || !after[digits..].bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let code = &after[digits - 12..digits];
    [(&code[..6], "starts"), (&code[6..], "ends")]
        .into_iter()
        .find_map(|(day, which)| {
            let (d, m, y): (u32, u32, i32) = (
                day[..2].parse().ok()?,
                day[2..4].parse().ok()?,
                day[4..].parse().ok()?,
            );
            // Two-digit years as `%y` reads them (69–99: the 1900s).
            let year = if y < 69 { 2000 + y } else { 1900 + y };
            let why = eac_model::no_such_day(year, m, d)?;
            Some(format!(
                "its period code {code} (the ddmmyyddmmyy after the sequence number) {which} on \
                 {}/{}/{year}, which is not a day of the calendar: {why}",
                &day[..2],
                &day[2..4]
            ))
        })
}

/// The first and last day of a certificate number's period code
/// (`ddmmyyddmmyy`, checked valid by [`split_number`]).
fn code_period(rest: &str) -> Option<(Date, Date)> {
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%d%m%y").ok();
    Some((
        Date::from_naive(day(rest.get(..6)?)?),
        Date::from_naive(day(rest.get(6..12)?)?),
    ))
}

/// A range of one row as numbers: how many certificates, the series and
/// sequences for overlap checks, and the period its numbers encode.
struct Range {
    count: Decimal,
    series: String,
    first_seq: String,
    last_seq: String,
    /// First and last day of the numbers' period code.
    coded: (Date, Date),
}

/// The number of certificates from Start to End Certificate No., and the
/// range as numbers.
fn range_count<'a>(
    row: &Row,
    accreditation: &str,
    first: &'a str,
    last: &'a str,
) -> Result<Range, ReadError> {
    let shape = |column: Column, number: &'a str| {
        split_number(accreditation, number).ok_or_else(|| {
            row.error(
                column,
                match period_code_not_a_day(accreditation, number) {
                    Some(why) => format!(
                        "\"{number}\" is not a REGO certificate number: {why}"
                    ),
                    None => format!(
                        "\"{number}\" is not a REGO certificate number of station {accreditation}; expected the accreditation number, a sequence number, the period as ddmmyyddmmyy and letters, like {accreditation}0000000000010323310323GEN"
                    ),
                },
            )
        })
    };
    let a = shape(Column::Start, first)?;
    let b = shape(Column::End, last)?;
    if a.sequence.len() != b.sequence.len() || a.rest != b.rest {
        return Err(row.error(
            Column::End,
            format!("\"{last}\" does not continue Start Certificate No. \"{first}\": a range's numbers differ only in their sequence part"),
        ));
    }
    let count = text::inclusive_count(a.sequence, b.sequence).ok_or_else(|| {
        row.error(
            Column::End,
            format!("\"{last}\" comes before Start Certificate No. \"{first}\""),
        )
    })?;
    let coded = code_period(a.rest).ok_or_else(|| {
        row.error(
            Column::Start,
            format!("\"{first}\" has no period code ddmmyyddmmyy"),
        )
    })?;
    Ok(Range {
        count,
        series: format!("{accreditation}…{}", a.rest),
        first_seq: a.sequence.to_string(),
        last_seq: b.sequence.to_string(),
        coded,
    })
}

/// Reads one row into `out`: a range, a skipped RO row, or an error.
fn read_row(row: Row, out: &mut Statement) -> Result<(), ReadError> {
    let scheme = row.required(Column::Scheme)?;
    if scheme.eq_ignore_ascii_case("RO") {
        out.skipped.push(Skipped {
            at: row.at.clone(),
            reason: RO_SKIP_REASON.to_string(),
        });
        return Ok(());
    }
    if !scheme.eq_ignore_ascii_case("REGO") {
        return Err(row.error(
            Column::Scheme,
            format!("is \"{scheme}\"; expected REGO or RO"),
        ));
    }
    let accreditation = row.required(Column::Accreditation)?;
    let first = row.required(Column::Start)?;
    let last = row.required(Column::End)?;
    let Range {
        count,
        series,
        first_seq,
        last_seq,
        coded,
    } = range_count(&row, accreditation, first, last)?;
    let printed = row.count(&count)?;
    if printed.to_big() != count.to_big() {
        return Err(row.error(
            Column::Count,
            format!(
                "is {} but {first} to {last} is {} certificates (end − start + 1 of the sequence numbers)",
                printed.as_str(),
                count.as_str()
            ),
        ));
    }
    let per_certificate = without_trailing_zeros(&row.number(Column::PerCertificate)?);
    if per_certificate.to_big().sign() != bigdecimal::num_bigint::Sign::Plus {
        return Err(row.error(
            Column::PerCertificate,
            format!(
                "is {}; a certificate holds more than 0 MWh",
                per_certificate.as_str()
            ),
        ));
    }
    let period_text = row.required(Column::OutputPeriod)?;
    let month_first_refusal = || {
        row.refuse(
            Column::OutputPeriod,
            format!(
                "\"{period_text}\" is written month-first: read so, it is {} – {}, the period \
                 the certificate numbers state, while the Ofgem download writes its days \
                 day/month/year. {MONTH_FIRST_FILE}",
                coded.0.as_naive().format("%d/%m/%Y"),
                coded.1.as_naive().format("%d/%m/%Y"),
            ),
        )
    };
    let read_period = output_period(period_text);
    if read_period != Some(coded) && month_first_period(period_text, coded) {
        return Err(month_first_refusal());
    }
    let (period_first, period_last) = read_period.ok_or_else(|| {
        row.error(
            Column::OutputPeriod,
            format!(
                "\"{period_text}\" is not a period; expected a month like Mar-2023 or days like 01/03/2023 - 31/03/2023{}",
                period_note(period_text)
            ),
        )
    })?;
    // The certificate numbers state the period too (decision 75): a row
    // whose Output Period says another one is inconsistent, and which of
    // the two is wrong cannot be told (Feb-2023 with April's numbers was
    // imported as February).
    if coded != (period_first, period_last) {
        let day = |d: Date| d.as_naive().format("%d/%m/%Y").to_string();
        return Err(row.error(
            Column::OutputPeriod,
            format!(
                "\"{period_text}\" ({} – {}) is not the period the certificate numbers state: \
                 {first} to {last} are numbered for {} – {} (the ddmmyyddmmyy after the \
                 sequence). The row is inconsistent",
                day(period_first),
                day(period_last),
                day(coded.0),
                day(coded.1)
            ),
        ));
    }
    let (period_start, period_end) = text::local_period(period_first, period_last, london())
        .ok_or_else(|| {
            row.error(
                Column::OutputPeriod,
                format!("\"{period_text}\" is out of range"),
            )
        })?;
    let issued = row.date(Column::IssueDate)?;
    let status_text = row.required(Column::Status)?;
    let status = ofgem_status(status_text);
    let status_date = row.date(Column::StatusDate)?;
    let suspect = [Column::IssueDate, Column::StatusDate]
        .into_iter()
        .find(|&c| month_first_suspect(row.get(c)));
    if let Some(column) = suspect {
        if !out
            .warnings
            .iter()
            .any(|w| w.message.contains(SUSPECT_NOTE))
        {
            let text = row.get(column);
            let day = |d: Option<Date>| {
                d.map(|d| d.as_naive().format("%-d %B %Y").to_string())
                    .unwrap_or_default()
            };
            out.warnings.push(Warning {
                at: row.at.clone(),
                message: format!(
                    "{} \"{text}\" {SUSPECT_NOTE} (dd/mm/yyyy): its month has one digit, as a \
                     spreadsheet set to month-first (US) dates writes it. It was read \
                     day-first, as {}, and so were all the file's dates; if the spreadsheet \
                     wrote them month-first, this one is {} and every date of the file is \
                     wrong. Check the dates against the Ofgem register, or download the report \
                     again and import that file",
                    column.header(),
                    day(text::date_dmy(text, '/')),
                    day(month_first(text)),
                ),
            });
        }
    }
    let claim = if status.is_claim() {
        let date = status_date.ok_or_else(|| {
            row.error(
                Column::StatusDate,
                format!(
                    "is empty; a {status_text} row needs the date its certificates were claimed"
                ),
            )
        })?;
        Claim::On(date)
    } else {
        Claim::No
    };
    if let Status::Other(_) = status {
        out.warnings.push(Warning {
            at: row.at.clone(),
            message: format!(
                "Certificate Status \"{status_text}\" is not one Ofgem is known to use (Issued, Redeemed, Retired, Expired, Revoked); it is kept as printed and not counted as a claim"
            ),
        });
    }
    let capacity = match row.optional(Column::Tic) {
        None => None,
        Some(tic) => {
            let kw = row.parse_number(Column::Tic, tic, "a number of kW")?;
            Some(format!("{} kW", without_trailing_zeros(&kw).as_str()))
        }
    };
    let technology = row.optional(Column::Technology).map(str::to_string);
    let country = row.optional(Column::Country).map(str::to_string);

    let mut facts = vec![("scheme".to_string(), scheme.to_string())];
    let mut fact = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            facts.push((name.to_string(), v));
        }
    };
    fact("country", country.clone());
    let generation_type = row
        .optional(Column::GenerationType)
        .filter(|t| !t.eq_ignore_ascii_case("N/A"));
    fact("generation_type", generation_type.map(str::to_string));
    fact("certificate_status", Some(status_text.to_string()));
    fact("status_date", status_date.map(|d| d.to_string()));
    fact(
        "company_registration_number",
        row.optional(Column::CompanyNumber).map(str::to_string),
    );

    out.ranges.push(RangeRecord {
        at: row.at.clone(),
        registry: REGISTRY.to_string(),
        source_id: SOURCE_ID.to_string(),
        source_name: SOURCE_NAME.to_string(),
        first: first.to_string(),
        last: last.to_string(),
        series,
        first_seq,
        last_seq,
        count,
        per_certificate,
        total: None,
        unit: EnergyUnit::MWh,
        status,
        claim,
        issued,
        period_start,
        period_end,
        device: Device {
            id: accreditation.to_string(),
            name: row.optional(Column::Station).map(str::to_string),
            technology_type: technology.as_deref().and_then(technology_type),
            technology,
            commissioned: None,
            capacity,
            country,
        },
        emissions: None,
        beneficiary_name: None,
        holder: row.optional(Column::Holder).map(str::to_string),
        facts,
    });
    Ok(())
}

/// The number without zeros after its last significant decimal: the CSV
/// prints `1.0` and `4065000.0` where the XML prints `1.000000000000` and
/// `4065000.00`, and one row must read the same from both (same value,
/// exactly).
fn without_trailing_zeros(number: &Decimal) -> Decimal {
    let text = number.as_str();
    if !text.contains('.') {
        return number.clone();
    }
    let short = text.trim_end_matches('0').trim_end_matches('.');
    Decimal::parse(short).unwrap_or_else(|_| number.clone())
}

/// A cell's text with its line breaks (CRLF, or a lone CR as in the
/// stations report's addresses) written as `\n`.
fn one_kind_of_line_break(cell: &str) -> String {
    cell.replace("\r\n", "\n").replace('\r', "\n")
}

/// The warning a reader gives when it had to guess the file's encoding.
fn encoding_warning(guessed: Option<&'static str>, out: &mut Statement) {
    if let Some(encoding) = guessed {
        out.warnings.push(Warning {
            at: Locator::Document,
            message: format!(
                "the file is not UTF-8; it was read as {encoding} (a spreadsheet re-save?). Check that names with accents read correctly"
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_the_digits_between_station_and_period_code() {
        let n = split_number("G01821BWEN", "G01821BWEN0000655421010323310323GEN").unwrap();
        assert_eq!((n.sequence, n.rest), ("0000655421", "010323310323GEN"));
        // Another station's number, no period code, a bad period code.
        assert!(split_number("G01821BWEN", "G01177FWEN0000251285010323310323GEN").is_none());
        assert!(split_number("G01821BWEN", "G01821BWEN0000655421GEN").is_none());
        assert!(split_number("G01821BWEN", "G01821BWEN0000655421013323310323GEN").is_none());
    }

    #[test]
    fn technology_groups_map_through_one_table_only() {
        assert_eq!(
            technology_type("Photovoltaic "),
            Some(TechnologyType::Solar)
        );
        assert_eq!(
            technology_type("Off-shore Wind"),
            Some(TechnologyType::Wind)
        );
        assert_eq!(
            technology_type("landfill  gas"),
            Some(TechnologyType::Biomass)
        );
        assert_eq!(technology_type("Fuelled"), None);
        assert_eq!(technology_type("Energy from Waste"), None);
    }

    #[test]
    fn output_periods_in_both_forms() {
        let p = |t| output_period(t).map(|(a, b)| (a.to_string(), b.to_string()));
        let march = Some(("2023-03-01".to_string(), "2023-03-31".to_string()));
        assert_eq!(p("Mar-2023"), march);
        assert_eq!(p("01/03/2023 - 31/03/2023"), march);
        assert_eq!(p("01/03/2023-31/03/2023"), march);
        assert_eq!(p("31/03/2023 - 01/03/2023"), None);
        assert_eq!(p("Q1 2023"), None);
    }
}
