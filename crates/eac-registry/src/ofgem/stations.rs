//! The accredited stations report (CSV): not certificates, but what the
//! certificates report lacks about a station, above all its commissioning
//! date (`asset_commissioned`). The download's header mixes column names
//! and SSRS text-box names (`textbox6` is the operating organisation,
//! `textbox61` its address, `textbox65` the station's address).

use std::collections::HashMap;

use super::{
    encoding_warning, header_key, is_index_cell, one_kind_of_line_break, without_trailing_zeros,
};
use crate::csv_rows;
use crate::record::{Locator, ReadError, Statement, Station, Warning};
use crate::text::{self, LineIndex, NumberStyle};

/// Columns read into [`Station`]'s own fields.
const ID: &str = "generatorid";
const NAME: &str = "generatorname";
const CAPACITY: &str = "capacity";
const COMMISSIONED: &str = "commissiondate";

/// Fact names for the other known columns (by [`header_key`]); any other
/// column keeps its header as printed.
const FACTS: &[(&str, &str)] = &[
    ("statusname", "status"),
    ("schemename", "scheme"),
    ("country", "country"),
    ("technologyname", "technology"),
    ("outputtype", "output_type"),
    ("accreditationdate", "accreditation_date"),
    ("textbox6", "organisation"),
    ("textbox61", "organisation_address"),
    ("faxnumber", "fax_number"),
    ("textbox65", "station_address"),
];

fn is_header(record: &csv::StringRecord) -> bool {
    let keys: Vec<String> = record.iter().map(header_key).collect();
    keys.iter().any(|k| k == ID)
        && keys
            .iter()
            .any(|k| k == NAME || k == COMMISSIONED || k == CAPACITY)
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Reads an Ofgem accredited stations report: one [`Station`] per row,
/// after the header (lines before it are the download's preamble).
/// Capacity is in kW; CommissionDate is `dd/mm/yyyy`.
pub fn read_stations_csv(bytes: &[u8]) -> Result<Statement, ReadError> {
    let (text, guessed) = text::decode_document(bytes)?;
    let mut out = Statement::default();
    encoding_warning(guessed, &mut out);
    csv_rows::quotes(text.as_bytes(), b',', 1)?;
    let lines = LineIndex::new(&text);
    let mut header: Option<(u64, Vec<String>, Vec<String>)> = None;
    // Cells a row needs to reach the header's last named column.
    let mut named = 0;
    // Each GeneratorID's station in `out.stations` (its first row), so a
    // repeat is found without a scan of every station read before it.
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for record in reader(&text).records() {
        let record = record.map_err(|e| {
            let at = e.position().map_or(Locator::Document, |p| {
                Locator::Line(lines.line_of_record(p.byte()))
            });
            ReadError::new(
                at,
                format!("the CSV cannot be read ({e}); check the file is the report as downloaded"),
            )
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = lines.line_of_record(record.position().map_or(0, |p| p.byte()));
        let at = Locator::Line(line);
        let Some((header_line, keys, names)) = &header else {
            if is_header(&record) {
                let keys: Vec<String> = record.iter().map(header_key).collect();
                if let Some(twice) = keys
                    .iter()
                    .enumerate()
                    .find(|(i, k)| !k.is_empty() && keys[..*i].contains(k))
                {
                    return Err(ReadError::new(
                        at,
                        format!("the header names \"{}\" twice; keep one column of each name and import the file again", &record[twice.0]),
                    ));
                }
                let names = record.iter().map(|c| c.trim().to_string()).collect();
                named = csv_rows::named_width(record.iter());
                header = Some((line, keys, names));
            }
            continue;
        };
        if record.len() < named {
            return Err(csv_rows::short_row(
                line,
                record.len(),
                named,
                &format!("the header (line {header_line})"),
                b',',
            ));
        }
        if (keys.len()..record.len()).any(|i| !record[i].trim().is_empty()) {
            return Err(ReadError::new(
                at,
                format!(
                    "this row has {} cells but the header (line {header_line}) names {}; a comma inside a name or address must be quoted. Correct the row and import the file again",
                    record.len(),
                    keys.len()
                ),
            ));
        }
        let station = read_station(at, keys, names, &record)?;
        // One station, one row: the store would take the first row's date
        // for some EACs and the last one's for others.
        if let Some(&index) = first_row.get(&station.asset_id) {
            let before = &out.stations[index];
            let (first, again) = (&before.at, &station.at);
            if !same_station(before, &station) {
                return Err(ReadError::new(
                    station.at.clone(),
                    format!(
                        "GeneratorID {} is listed on {first} and again on {again} with \
                         other data ({}): a station is one row of the report (rule 7, ids are \
                         unique), and which row is right cannot be told. Keep one of the two rows \
                         and import the file again",
                        station.asset_id,
                        differences(before, &station).join(", ")
                    ),
                ));
            }
            out.warnings.push(Warning {
                at: station.at.clone(),
                message: format!(
                    "GeneratorID {} is listed on {first} and again here with the same data; \
                     it is read once",
                    station.asset_id
                ),
            });
            continue;
        }
        first_row.insert(station.asset_id.clone(), out.stations.len());
        out.stations.push(station);
    }
    if header.is_none() {
        return Err(ReadError::new(
            Locator::Document,
            "this is not an Ofgem accredited stations report: no line has its header (GeneratorID, GeneratorName, …, CommissionDate). Choose the CSV downloaded from the Ofgem Renewables and CHP Register's accredited stations report",
        ));
    }
    Ok(out)
}

fn read_station(
    at: Locator,
    keys: &[String],
    names: &[String],
    record: &csv::StringRecord,
) -> Result<Station, ReadError> {
    let error = |column: &str, what: String| {
        ReadError::new(
            at.clone(),
            format!("{column} {what}. Correct this row (or download the report again) and import the file again."),
        )
    };
    let mut station = Station {
        at: at.clone(),
        asset_id: String::new(),
        name: None,
        capacity: None,
        commissioned: None,
        facts: Vec::new(),
    };
    for (i, key) in keys.iter().enumerate() {
        let value = one_kind_of_line_break(record.get(i).unwrap_or(""));
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            ID => station.asset_id = value.to_string(),
            NAME => station.name = Some(value.to_string()),
            CAPACITY => {
                let kw = text::parse_number(value, NumberStyle::DecimalPoint).ok_or_else(|| {
                    error(&names[i], format!("\"{value}\" is not a number of kW"))
                })?;
                station.capacity = Some(format!("{} kW", without_trailing_zeros(&kw).as_str()));
            }
            COMMISSIONED => {
                let date = text::date_dmy(value, '/').ok_or_else(|| {
                    // In the download's form, yet no day: said as that, in
                    // the calendar's words, as the certificates' days are.
                    let why = match text::not_a_calendar_day(value, text::DateOrder::Dmy) {
                        Some(why) => format!("\"{value}\" is not a day of the calendar: {why}"),
                        None => format!(
                            "\"{value}\" is not a date; expected day/month/year like 13/01/2011"
                        ),
                    };
                    error(&names[i], why)
                })?;
                station.commissioned = Some(date);
            }
            _ if is_index_cell(&names[i]) => {}
            _ => {
                let name = FACTS
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or(names[i].as_str(), |(_, n)| n);
                station.facts.push((name.to_string(), value.to_string()));
            }
        }
    }
    if station.asset_id.is_empty() {
        return Err(error(
            "GeneratorID",
            "is empty; every station has its accreditation number".to_string(),
        ));
    }
    Ok(station)
}

/// Whether two rows state the same station (their lines aside).
fn same_station(a: &Station, b: &Station) -> bool {
    differences(a, b).is_empty()
}

/// The names of the columns in which two rows of one station differ.
fn differences(a: &Station, b: &Station) -> Vec<String> {
    let mut out = Vec::new();
    if a.name != b.name {
        out.push("GeneratorName".to_string());
    }
    if a.capacity != b.capacity {
        out.push("Capacity".to_string());
    }
    if a.commissioned != b.commissioned {
        out.push("CommissionDate".to_string());
    }
    let names = a.facts.iter().chain(&b.facts).map(|(name, _)| name);
    let mut seen: Vec<&String> = Vec::new();
    for name in names {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let value = |s: &Station| {
            s.facts
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if value(a) != value(b) {
            out.push(name.clone());
        }
    }
    out
}

/// True when the bytes look like an Ofgem accredited stations report.
pub fn sniff_stations_csv(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let (text, _) = text::decode_text(head);
    reader(&text)
        .records()
        .take(40)
        .map_while(Result::ok)
        .any(|r| is_header(&r))
}
