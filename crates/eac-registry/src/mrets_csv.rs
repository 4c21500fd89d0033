//! The M-RETS "Certificates" dashboard download (CSV): one row per batch of
//! RECs held, columns Account, Account ID, M-RETS ID, Organization,
//! Generator, Fuel Type, Vintage, Generation Start, Generation End Date,
//! Location, Type, Eligibility, Quantity, Serial Numbers.
//!
//! What the file says and what it leaves out (docs/decisions.md, "M-RETS
//! certificates download"):
//! - A serial number `<generator>-<state>-<MM>-<YYYY>-<base>-<start>-<end>`
//!   names an inclusive range; the range's first and last certificate
//!   numbers are the full serials of its first and last certificate
//!   (`…-<base>-<start>` and `…-<base>-<end>`), so ranges of one batch
//!   compare by their trailing sequence number. The printed text is kept
//!   as the `serial_numbers` fact. The counts of the ranges in a row must
//!   add up to its Quantity (1 REC = 1 MWh).
//! - `Type` is the certificate type (`REC`); the file does not say whether
//!   its rows are active or retired (that is the dashboard tab it was
//!   downloaded from). A `Status` column, or a Type that is a status word,
//!   is read; otherwise the rows are `active` (never retired) and the
//!   statement warns once. A retired row's claim date comes from a
//!   `Retirement Date` / `Retired Date` column when there is one, else
//!   the claim is undated. A Status no reader knows (`Retired -
//!   Voluntary`) is kept as printed and is not a claim, with a warning on
//!   its line (decision 75); a Retirement Date of a row that is not a
//!   claim is kept as the `retirement_date` fact.
//! - Generation dates are calendar days local to the generator's state or
//!   province (the zone of its largest part, from the one table in
//!   `zones`; a state spanning several zones is said once, naming the zone
//!   taken); an unknown Location is read in America/Chicago (M-RETS' home
//!   zone) with a warning.
//! - Each serial number is numbered for its vintage month (`<MM>-<YYYY>`):
//!   the Vintage, when printed, must be that month, and Generation Start
//!   and Generation End Date must lie in it (M-RETS reports generation per
//!   vintage month); otherwise the row is refused naming both, since which
//!   is wrong cannot be told. Dates that fit only when read day-first are
//!   said to look like a spreadsheet re-save.

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType};

use crate::csv_rows::{self, Row};
use crate::record::{Claim, Device, Locator, RangeRecord, ReadError, Statement, Status, Warning};
use crate::text::{self, DateOrder, NumberStyle};
use crate::zones;

// The same registry key and issuing body as the retirement confirmation
// PDF (`mrets_pdf`), so `--source mrets` finds the ranges of both and a
// range stated by both keeps its source.
use crate::mrets_pdf::{REGISTRY, SOURCE_ID, SOURCE_NAME};

/// M-RETS fuel types → CDS technology types. A fuel type not listed here
/// leaves `technology_type` empty for the user to complete.
const TECHNOLOGY: &[(&str, TechnologyType)] = &[
    ("wind", TechnologyType::Wind),
    ("solar", TechnologyType::Solar),
    ("solar pv", TechnologyType::Solar),
    ("solar photovoltaic", TechnologyType::Solar),
    ("photovoltaic", TechnologyType::Solar),
    ("solar thermal", TechnologyType::Solar),
    ("hydro", TechnologyType::Hydro),
    ("hydroelectric", TechnologyType::Hydro),
    ("water", TechnologyType::Hydro),
    ("geothermal", TechnologyType::Geothermal),
    ("biomass", TechnologyType::Biomass),
    ("wood", TechnologyType::Biomass),
    ("wood waste", TechnologyType::Biomass),
    ("nuclear", TechnologyType::Nuclear),
    ("natural gas", TechnologyType::NaturalGas),
    ("coal", TechnologyType::Coal),
    ("oil", TechnologyType::Oil),
    ("ocean", TechnologyType::Marine),
    ("tidal", TechnologyType::Marine),
    ("wave", TechnologyType::Marine),
];

/// The CDS technology type of an M-RETS fuel type, if the table has it.
pub fn technology_type(fuel_type: &str) -> Option<TechnologyType> {
    let key = fuel_type.trim().to_lowercase();
    TECHNOLOGY.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// The zone used when the Location is not in the table.
const FALLBACK_ZONE: &str = "America/Chicago";

const SERIALS: &str = "Serial Numbers";
const QUANTITY: &str = "Quantity";

/// Whether `bytes` look like an M-RETS certificates download: a header
/// line with the Serial Numbers, M-RETS ID and Generation End Date columns.
pub fn sniff(bytes: &[u8]) -> bool {
    // UTF-16 with its byte order mark too (a re-saved download), as the
    // reader takes it.
    let (head, _) = text::decode_text(&bytes[..bytes.len().min(8192)]);
    let head = head.to_lowercase();
    // Lines end at `\r\n`, `\n` or a lone `\r` (text::ends_line).
    head.split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .take(10)
        .any(|l| {
            l.contains("serial numbers")
                && l.contains("m-rets id")
                && l.contains("generation end date")
        })
}

/// The columns of the download, found by name in the header.
struct Columns {
    account: Option<usize>,
    account_id: Option<usize>,
    mrets_id: Option<usize>,
    organization: Option<usize>,
    generator: Option<usize>,
    fuel_type: Option<usize>,
    vintage: Option<usize>,
    generation_start: Option<usize>,
    generation_end: Option<usize>,
    location: Option<usize>,
    kind: Option<usize>,
    eligibility: Option<usize>,
    quantity: usize,
    serials: usize,
    status: Option<usize>,
    retired_on: Option<usize>,
}

impl Columns {
    fn find(header: &Row) -> Result<Columns, ReadError> {
        let col = |name: &str| csv_rows::column(header, name);
        let need = |name: &str| {
            col(name).ok_or_else(|| {
                ReadError::new(
                    Locator::Line(header.line),
                    format!(
                        "the header has no `{name}` column; an M-RETS certificates download \
                         has Account, Account ID, M-RETS ID, Organization, Generator, Fuel Type, \
                         Vintage, Generation Start, Generation End Date, Location, Type, \
                         Eligibility, Quantity and Serial Numbers: download it again from the \
                         Certificates dashboard"
                    ),
                )
            })
        };
        let c = Columns {
            account: col("Account"),
            account_id: col("Account ID"),
            mrets_id: col("M-RETS ID"),
            organization: col("Organization"),
            generator: col("Generator"),
            fuel_type: col("Fuel Type"),
            vintage: col("Vintage"),
            generation_start: col("Generation Start").or_else(|| col("Generation Start Date")),
            generation_end: col("Generation End Date").or_else(|| col("Generation End")),
            location: col("Location"),
            kind: col("Type"),
            eligibility: col("Eligibility"),
            quantity: need(QUANTITY)?,
            serials: need(SERIALS)?,
            status: col("Status"),
            retired_on: col("Retirement Date").or_else(|| col("Retired Date")),
        };
        if c.vintage.is_none() && (c.generation_start.is_none() || c.generation_end.is_none()) {
            return Err(ReadError::new(
                Locator::Line(header.line),
                "the header has neither `Generation Start` and `Generation End Date` nor \
                 `Vintage`: without them the production period is unknown; download the file \
                 again from the Certificates dashboard",
            ));
        }
        Ok(c)
    }
}

/// One serial number, split into its parts.
struct Serial<'a> {
    /// The whole serial as printed.
    text: &'a str,
    /// Everything before the start number (`2194-ND-07-2020-CAC76615`).
    prefix: &'a str,
    /// The vintage `<MM>-<YYYY>` the serial is numbered for: its first
    /// and last day.
    month: (Date, Date),
    start: &'a str,
    end: &'a str,
}

fn parse_serial(text: &str) -> Option<Serial<'_>> {
    let parts: Vec<&str> = text.split('-').collect();
    let n = parts.len();
    if n < 7 || parts[..n - 6].iter().any(|p| p.is_empty()) {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (mm, yyyy) = (parts[n - 5], parts[n - 4]);
    let month_ok = mm.len() == 2 && digits(mm) && (1..=12).contains(&mm.parse::<u32>().ok()?);
    if !month_ok || yyyy.len() != 4 || !digits(yyyy) || parts[n - 3].is_empty() {
        return None;
    }
    let (start, end) = (parts[n - 2], parts[n - 1]);
    if !digits(start) || !digits(end) {
        return None;
    }
    let prefix_len = text.len() - start.len() - end.len() - 2;
    Some(Serial {
        text,
        prefix: &text[..prefix_len],
        month: text::month(&format!("{mm}/{yyyy}"))?,
        start,
        end,
    })
}

/// Reads an M-RETS certificates download.
pub fn read(bytes: &[u8]) -> Result<Statement, ReadError> {
    let rows = csv_rows::rows(bytes, b',', 0)?;
    // The header is the first row naming the Serial Numbers column (a
    // title line or two before it are tolerated).
    let header_at = rows
        .iter()
        .take(10)
        .position(|r| csv_rows::column(r, SERIALS).is_some())
        .ok_or_else(|| {
            ReadError::new(
                Locator::Document,
                "no header line with a `Serial Numbers` column in the first rows: this is not an \
                 M-RETS certificates download (download it from the Certificates dashboard)",
            )
        })?;
    let header = &rows[header_at];
    let cols = Columns::find(header)?;
    let width = csv_rows::named_width(header.fields.iter().map(String::as_str));
    let mut statement = Statement::default();
    let mut seen = Seen::default();
    for row in &rows[header_at + 1..] {
        if row.fields.len() < width {
            return Err(csv_rows::short_row(
                row.line,
                row.fields.len(),
                width,
                &format!("the header (line {})", header.line),
                b',',
            ));
        }
        read_row(row, &cols, &mut statement, &mut seen)?;
    }
    if seen.status_unstated {
        statement.warnings.insert(
            0,
            Warning {
                at: Locator::Document,
                message: "this M-RETS download does not say whether its certificates are active \
                          or retired (that is the dashboard tab it came from): they are imported \
                          as active, never as retired. Import the retirement Transaction \
                          Confirmations to record the retirements."
                    .into(),
            },
        );
    }
    Ok(statement)
}

/// What earlier rows of the file showed, for warnings said once.
#[derive(Default)]
struct Seen {
    /// A row whose status the file does not state.
    status_unstated: bool,
    /// Locations spanning several time zones already said.
    several_zones: Vec<String>,
}

fn read_row(
    row: &Row,
    cols: &Columns,
    statement: &mut Statement,
    seen: &mut Seen,
) -> Result<(), ReadError> {
    let at = Locator::Line(row.line);
    let err = |message: String| ReadError::new(at.clone(), message);
    let cell = |c: Option<usize>| c.map(|i| row.get(i)).filter(|t| !t.is_empty());

    // Serial numbers and their counts.
    let printed = row.get(cols.serials);
    let serials: Vec<&str> = printed
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .filter(|s| !s.is_empty())
        .collect();
    if serials.is_empty() {
        return Err(err(format!(
            "column `{SERIALS}` is empty; every row needs the serial numbers of its certificates"
        )));
    }
    let mut ranges = Vec::new();
    for s in &serials {
        let serial = parse_serial(s).ok_or_else(|| {
            err(format!(
                "column `{SERIALS}`: `{s}` is not an M-RETS serial number \
                 `<generator>-<state>-<MM>-<YYYY>-<base>-<start>-<end>`"
            ))
        })?;
        let count = text::inclusive_count(serial.start, serial.end).ok_or_else(|| {
            err(format!(
                "column `{SERIALS}`: `{s}` ends ({}) before it starts ({})",
                serial.end, serial.start
            ))
        })?;
        ranges.push((serial, count));
    }
    let quantity_text = row.get(cols.quantity);
    let quantity = text::parse_number(quantity_text, NumberStyle::DecimalPoint)
        .filter(|q| !q.as_str().contains('.') && !q.is_negative())
        .ok_or_else(|| {
            err(format!(
                "column `{QUANTITY}`: `{quantity_text}` is not a whole number of RECs"
            ))
        })?;
    let total = Decimal::sum(ranges.iter().map(|(_, c)| c));
    if total.to_big() != quantity.to_big() {
        return Err(err(format!(
            "column `{QUANTITY}` says {quantity_text} RECs but the serial numbers `{printed}` \
             hold {total} (end − start + 1); the row is inconsistent: download the file again \
             or correct the row"
        )));
    }

    // Status and claim.
    let status = match (cell(cols.status), cell(cols.kind).map(Status::parse)) {
        (Some(s), _) => Status::parse(s),
        (None, Some(s)) if !matches!(s, Status::Other(_)) => s,
        _ => {
            seen.status_unstated = true;
            Status::Active
        }
    };
    let retired_on = match cell(cols.retired_on) {
        Some(t) => Some((
            t,
            date(t).ok_or_else(|| err(format!("the retirement date {}", not_a_day(t))))?,
        )),
        None => None,
    };
    let claim = match (status.is_claim(), retired_on) {
        (true, Some((_, d))) => Claim::On(d),
        (true, None) => Claim::Undated,
        (false, _) => Claim::No,
    };
    if let (Status::Other(_), Some(printed)) = (&status, cell(cols.status)) {
        // Decision 75: kept as printed, not a claim, and said.
        let dated = match retired_on {
            Some((t, _)) => format!(
                ", although the row has a Retirement Date ({t}): if these RECs were retired, \
                 correct the Status to Retired and import the file again"
            ),
            None => String::new(),
        };
        statement.warnings.push(Warning {
            at: at.clone(),
            message: format!(
                "Status `{printed}` is not one EAC Desk knows (Active, Issued, Retired, \
                 Redeemed, Cancelled, Claimed, Expired, Revoked, Withdrawn); it is kept as \
                 printed and not counted as a claim{dated}"
            ),
        });
    }

    // Production period, local to the generator's state (decision 82:
    // the zone taken for a state spanning several is said).
    let location = cell(cols.location);
    let zone = match location.and_then(zones::state) {
        Some(place) => {
            let location = location.unwrap_or_default();
            if place.several && !seen.several_zones.iter().any(|l| l == location) {
                seen.several_zones.push(location.to_owned());
                statement.warnings.push(Warning {
                    at: at.clone(),
                    message: format!(
                        "{location} spans several time zones; its generation dates are read in \
                         {}, its main one",
                        place.tz.name()
                    ),
                });
            }
            place.tz
        }
        None => {
            statement.warnings.push(Warning {
                at: at.clone(),
                message: format!(
                    "Location `{}` is not a US state or Canadian province EAC Desk knows: \
                     its generation dates are read in {FALLBACK_ZONE} time",
                    location.unwrap_or("")
                ),
            });
            text::zone(FALLBACK_ZONE).ok_or_else(|| err("no time zone data".into()))?
        }
    };
    // The Vintage, when printed, is a month: the month each serial number
    // is numbered for (as the confirmation PDF's reader checks it).
    let vintage_month = match cell(cols.vintage) {
        Some(v) => Some((
            v,
            vintage(v).ok_or_else(|| {
                err(format!(
                    "column `Vintage`: `{v}` is not a month (MM/YYYY, YYYY-MM or a date)"
                ))
            })?,
        )),
        None => None,
    };
    if let Some((v, month)) = vintage_month {
        if let Some((serial, _)) = ranges.iter().find(|(s, _)| s.month != month) {
            let read_as = match month_text(month) {
                same if same == v => String::new(),
                other => format!(" ({other})"),
            };
            return Err(err(format!(
                "column `Vintage` says {v}{read_as} but the serial number `{}` is numbered for \
                 {} (its <MM>-<YYYY>): the row is inconsistent, and which is right cannot be \
                 told. Download the file again or correct the row",
                serial.text,
                month_text(serial.month)
            )));
        }
    }
    let (first_day, last_day) = match (cell(cols.generation_start), cell(cols.generation_end)) {
        (Some(s), Some(e)) => {
            let d = |t: &str, name: &str| {
                date(t).ok_or_else(|| err(format!("column `{name}`: {}", not_a_day(t))))
            };
            let days = (d(s, "Generation Start")?, d(e, "Generation End Date")?);
            // Generation is reported per vintage month (M-RETS' upload
            // format: the start and end dates of the month's generation):
            // both days lie in the month of every serial number.
            let within =
                |days: (Date, Date), month: (Date, Date)| month.0 <= days.0 && days.1 <= month.1;
            if let Some((serial, _)) = ranges.iter().find(|(x, _)| !within(days, x.month)) {
                let day_first = (
                    text::date_in_order(s, DateOrder::Dmy),
                    text::date_in_order(e, DateOrder::Dmy),
                );
                let hint = match day_first {
                    (Some(a), Some(b)) if within((a, b), serial.month) => format!(
                        ". Read day-first they would be {a} to {b}, in that month: the dates \
                         look re-saved by a spreadsheet that writes days first, while M-RETS \
                         writes MM/DD/YYYY. Download the file again, or write the dates \
                         month-first"
                    ),
                    _ => ". Download the file again or correct the row".to_owned(),
                };
                return Err(err(format!(
                    "the generation dates `{s}` to `{e}` (read month-first, as M-RETS writes \
                     them: {} to {}) do not lie in {}, the month the serial number `{}` is \
                     numbered for (its <MM>-<YYYY>); the row is inconsistent{hint}",
                    days.0,
                    days.1,
                    month_text(serial.month),
                    serial.text
                )));
            }
            days
        }
        _ => match vintage_month {
            Some((_, month)) => month,
            None => {
                return Err(err(
                    "neither the generation dates nor the Vintage are given".into(),
                ))
            }
        },
    };
    let (period_start, period_end) =
        text::local_period(first_day, last_day, zone).ok_or_else(|| {
            err(format!(
                "the generation ends ({last_day}) before it starts ({first_day})"
            ))
        })?;

    // The generator.
    let fuel = cell(cols.fuel_type);
    let device = Device {
        id: cell(cols.mrets_id)
            .map(str::to_owned)
            .unwrap_or_else(|| generator_of(ranges[0].0.prefix).to_owned()),
        name: cell(cols.generator).map(str::to_owned),
        technology: fuel.map(str::to_owned),
        technology_type: fuel.and_then(technology_type),
        commissioned: None,
        capacity: None,
        country: location.map(str::to_owned),
    };
    let mut facts = Vec::new();
    for (name, c) in [
        ("account", cols.account),
        ("account_id", cols.account_id),
        ("vintage", cols.vintage),
        ("certificate_type", cols.kind),
        ("eligibility", cols.eligibility),
    ] {
        if let Some(t) = cell(c) {
            facts.push((name.to_owned(), t.to_owned()));
        }
    }
    facts.push(("serial_numbers".to_owned(), printed.to_owned()));
    if let (Claim::No, Some((_, d))) = (&claim, retired_on) {
        // Printed but no claim date here: kept, never dropped.
        facts.push(("retirement_date".to_owned(), d.to_string()));
    }

    for (serial, count) in ranges {
        let (first, last) = (
            format!("{}-{}", serial.prefix, serial.start),
            format!("{}-{}", serial.prefix, serial.end),
        );
        let (series, first_seq, last_seq) = text::range_numbers(&first, &last);
        statement.ranges.push(RangeRecord {
            at: at.clone(),
            registry: REGISTRY.into(),
            source_id: SOURCE_ID.into(),
            source_name: SOURCE_NAME.into(),
            first,
            last,
            series,
            first_seq,
            last_seq,
            count,
            per_certificate: Decimal::parse("1").expect("1 is a number"),
            total: None,
            unit: EnergyUnit::MWh,
            status: status.clone(),
            claim: claim.clone(),
            issued: None,
            period_start,
            period_end,
            device: device.clone(),
            emissions: None,
            beneficiary_name: None,
            holder: cell(cols.organization).map(str::to_owned),
            facts: facts.clone(),
        });
    }
    Ok(())
}

/// A month as M-RETS prints a vintage, `07/2020`.
fn month_text((first, _): (Date, Date)) -> String {
    first.as_naive().format("%m/%Y").to_string()
}

/// `<generator>` of a serial prefix `<generator>-<state>-<MM>-<YYYY>-<base>`.
fn generator_of(prefix: &str) -> &str {
    let mut cut = prefix;
    for _ in 0..4 {
        cut = cut.rsplit_once('-').map_or(cut, |(a, _)| a);
    }
    cut
}

/// M-RETS dates: `MM-DD-YYYY`, `MM/DD/YYYY`, or ISO `YYYY-MM-DD`.
fn date(t: &str) -> Option<Date> {
    text::date_in_order(t, DateOrder::Mdy).or_else(|| text::date_iso(t))
}

/// `t`, which [`date`] does not read, refused: in the calendar's words
/// when it is written as a day but is none ([`no_such_day`]: "`2023-02-30`
/// is not a day of the calendar: February 2023 has 28 days"), else in the
/// form's. One wording for the retirement date and the generation days.
fn not_a_day(t: &str) -> String {
    match no_such_day(t) {
        Some(why) => format!("`{t}` is not a day of the calendar: {why}"),
        None => format!(
            "`{t}` is not a date (MM-DD-YYYY or MM/DD/YYYY){}",
            text::date_time_note(t)
        ),
    }
}

/// Why `t`, written as M-RETS writes a day (month first) or as YYYY-MM-DD,
/// is no day of the calendar ("February 2023 has 28 days": the model's
/// words, [`eac_model::no_such_day`]). `None` for a text in neither form,
/// and for one that is a day read day-first (`13/07/2020`: a spreadsheet's
/// re-save, which the form's own message asks to write month-first, not a
/// month 13).
fn no_such_day(t: &str) -> Option<String> {
    if text::date_in_order(t, DateOrder::Dmy).is_some() {
        return None;
    }
    text::not_a_calendar_day(t, DateOrder::Mdy)
        .or_else(|| text::not_a_calendar_day(t, DateOrder::Iso))
}

/// A vintage month: `07/2020`, `2020-07`, `Jul-2020`, or a date in it.
fn vintage(t: &str) -> Option<(Date, Date)> {
    text::month(t).or_else(|| {
        let d = date(t)?;
        text::month(&d.to_string()[..7])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_split_from_the_right() {
        let s = parse_serial("2194-ND-07-2020-CAC76615-56217-58010").unwrap();
        assert_eq!(
            (s.prefix, s.start, s.end),
            ("2194-ND-07-2020-CAC76615", "56217", "58010")
        );
        assert_eq!(generator_of(s.prefix), "2194");
        let s = parse_serial("W-12-ND-07-2020-AB-1-10").unwrap();
        assert_eq!(generator_of(s.prefix), "W-12");
        assert!(parse_serial("2194-ND-13-2020-CAC76615-1-2").is_none());
        assert!(parse_serial("2194-ND-07-20-CAC76615-1-2").is_none());
        assert!(parse_serial("ND-07-2020-CAC76615-1-2").is_none());
        assert!(parse_serial("2194-ND-07-2020-CAC76615-1-2x").is_none());
    }
}
