//! I-REC Redemption Statements (PDF) from the Evident registry.
//!
//! Page 1 is prose with the facts between fixed phrases ("produced for"
//! the beneficiary, "by" the redeeming account holder, "confirming the
//! Redemption of" the total, the country of consumption, the reporting
//! period, the redemption purpose, the verification key and URL). Later
//! pages hold, per production device, a device table (Device, Country of
//! Origin, Energy Source, Technology, Supported, Commissioning Date, Carbon
//! CO2/MWh) followed by its range table (From / To Certificate ID, Number of
//! Certificates, Offset Attributes, Period of Production, Issuer).
//!
//! Each range becomes one [`RangeRecord`]: redeemed (a claim) with no date
//! (none is printed: [`Claim::Undated`]), no issue date, 1 MWh per
//! certificate, counted exactly from its six-decimal ids and checked
//! against the printed number and totals.
//!
//! The statement prints no device code: the device's printed name is its
//! id. It prints no issuer in the Issuer column of the samples seen; when
//! it does, that issuer is the range's source, otherwise the I-REC registry.

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType};

use crate::pdf::{self, Line, Token};
use crate::record::{Claim, Device, Locator, RangeRecord, ReadError, Statement, Status, Warning};
use crate::text::{self, NumberStyle};
use crate::zones;

/// The registry key of I-REC ranges.
pub const REGISTRY: &str = "irec";
/// The fact of the device table's Technology column (`Run of river`,
/// `On-shore`), which refines its Energy Source (`Hydro-electric`, kept as
/// the device's technology, `eacdesk_device_technology`).
pub const TECHNOLOGY_DETAIL: &str = "device_technology_detail";
/// The source of ranges whose statement prints no issuer.
pub const SOURCE_ID: &str = "irec";
pub const SOURCE_NAME: &str = "I-REC Registry (Evident)";

const PRODUCED_FOR: &str = "This Redemption Statement has been produced for";
const BY: &str = "by";
const CONFIRMING: &str = "confirming the Redemption of";
const REPRESENTING: &str = "I-REC Certificates, representing";
const LOCATED: &str = "This Statement relates to electricity consumption located at or in";
const PERIOD: &str = "in respect of the reporting period";
const PURPOSE: &str = "The stated Redemption Purpose is";
const QR: &str = "QR Code Verification";
const KEY: &str = "Verification Key";
const REDEEMED: &str = "Redeemed Certificates";
const DEVICES: &str = "Production Device Details";
const RANGES: &str = "From Certificate ID";
const NOTES: &str = "Auditor Notes";

/// Whether the text is an I-REC Redemption Statement.
pub fn sniff_text(pages: &[String]) -> bool {
    let all = pages.join("\n");
    all.contains(PRODUCED_FOR) && all.contains("I-REC")
}

/// Reads an I-REC Redemption Statement PDF.
pub fn read(bytes: &[u8]) -> Result<Statement, ReadError> {
    read_text(&pdf::pages(bytes)?)
}

/// Reads the text of an I-REC Redemption Statement (one string per page).
pub fn read_text(pages: &[String]) -> Result<Statement, ReadError> {
    if !sniff_text(pages) {
        return Err(ReadError::new(
            Locator::Document,
            format!(
                "this is not an I-REC Redemption Statement (no \"{PRODUCED_FOR}\" and \"I-REC\")"
            ),
        ));
    }
    let lines = pdf::lines(pages);
    let head = head(&lines)?;
    let blocks = blocks(&lines);
    let mut st = Statement::default();
    let one = Decimal::parse("1").expect("1 is a decimal");
    let mut warned = Vec::new();
    for b in &blocks {
        if b.ranges.is_empty() {
            continue;
        }
        let devices = device_rows(&b.devices)?;
        let device = match devices.as_slice() {
            [d] => d,
            [] => {
                return Err(ReadError::new(
                    Locator::Page(b.ranges[0].page),
                    "certificate ranges are listed without a production device before them (no \"Production Device Details\" row)",
                ))
            }
            _ => {
                return Err(ReadError::new(
                    Locator::Page(b.ranges[0].page),
                    "several production devices are listed above one table of certificate ranges, and the statement does not say which range came from which device; EAC Desk cannot read this layout",
                ))
            }
        };
        let place = zones::country(&device.country);
        let tz = place.map_or_else(zones::utc, |p| p.tz);
        if place.is_none_or(|p| p.several) && !warned.contains(&device.country) {
            warned.push(device.country.clone());
            st.warnings.push(Warning {
                at: Locator::Page(device.page),
                message: match place {
                    None => format!(
                        "the country of origin \"{}\" is not in EAC Desk's zone table; the production period is read as UTC days, which may be off by the country's offset",
                        device.country
                    ),
                    Some(p) => format!(
                        "{} spans several time zones; the production period of device \"{}\" is read in {}, its main one",
                        device.country,
                        device.name,
                        p.tz.name()
                    ),
                },
            });
        }
        for r in ranges(&b.ranges)? {
            let at = Locator::Page(r.page);
            let count = text::inclusive_count(&r.first.replace('-', ""), &r.last.replace('-', ""))
                .ok_or_else(|| {
                    ReadError::new(
                        at.clone(),
                        format!(
                            "the certificate ids {} to {} are not a range (different decimals, or the last is below the first)",
                            r.first, r.last
                        ),
                    )
                })?;
            if count.to_big() != r.count.to_big() {
                return Err(ReadError::new(
                    at,
                    format!(
                        "certificates {} to {} are {} certificates, but the statement prints {}; it contradicts itself, ask the registry for a corrected copy",
                        r.first,
                        r.last,
                        count.as_str(),
                        r.count_text
                    ),
                ));
            }
            let (period_start, period_end) = text::local_period(r.period.0, r.period.1, tz)
                .ok_or_else(|| {
                    ReadError::new(at.clone(), "the production period cannot be placed in time")
                })?;
            let mut facts = head.facts.clone();
            // The Technology column refines the Energy Source, which is the
            // device's technology (`device_technology`); a fact of that
            // name would be dropped by `to_eac` (the first of a name wins).
            facts.push((TECHNOLOGY_DETAIL.into(), device.technology.clone()));
            facts.push(("supported".into(), device.supported.clone()));
            if !r.offset.is_empty() {
                facts.push(("offset_attributes".into(), r.offset.clone()));
            }
            if let Some(i) = &r.issuer {
                facts.push(("issuer".into(), i.clone()));
            }
            let (source_id, source_name) = match &r.issuer {
                Some(i) => (i.clone(), i.clone()),
                None => (SOURCE_ID.to_string(), SOURCE_NAME.to_string()),
            };
            let (series, first_seq, last_seq) =
                text::range_numbers(&r.first.replace('-', ""), &r.last.replace('-', ""));
            st.ranges.push(RangeRecord {
                at: Locator::Page(r.page),
                registry: REGISTRY.into(),
                source_id,
                source_name,
                first: r.first.clone(),
                last: r.last.clone(),
                series,
                first_seq,
                last_seq,
                count,
                per_certificate: one.clone(),
                total: None,
                unit: EnergyUnit::MWh,
                status: Status::Redeemed,
                claim: Claim::Undated,
                issued: None,
                period_start,
                period_end,
                device: Device {
                    id: device.name.clone(),
                    name: Some(device.name.clone()),
                    technology: Some(device.energy_source.clone()),
                    technology_type: technology_type(&device.energy_source),
                    commissioned: Some(device.commissioned),
                    capacity: None,
                    country: Some(device.country.clone()),
                },
                emissions: Some((device.carbon.clone(), "CO2/MWh".into())),
                beneficiary_name: Some(head.beneficiary.clone()),
                holder: Some(head.holder.clone()),
                facts,
            });
        }
    }
    if st.ranges.is_empty() {
        return Err(ReadError::new(
            Locator::Document,
            "the statement lists no redeemed certificate ranges (no rows under \"From Certificate ID\")",
        ));
    }
    let sum = Decimal::sum(st.ranges.iter().map(|r| &r.count));
    for (what, value, page) in &head.totals {
        if value.to_big() != sum.to_big() {
            return Err(ReadError::new(
                Locator::Page(*page),
                format!(
                    "the statement confirms {} {what}, but its certificate ranges add up to {}; a range may be missing or misread, so nothing is imported",
                    value.as_str(),
                    sum.as_str()
                ),
            ));
        }
    }
    Ok(st)
}

/// The I-REC Energy Source wordings and the CDS technology each is.
/// Wordings not here (Biogas, Landfill gas, …) leave the type missing.
pub fn technology_type(energy_source: &str) -> Option<TechnologyType> {
    match energy_source.trim().to_lowercase().as_str() {
        "solar" => Some(TechnologyType::Solar),
        "wind" => Some(TechnologyType::Wind),
        "hydro-electric" | "hydro" => Some(TechnologyType::Hydro),
        "geothermal" => Some(TechnologyType::Geothermal),
        "biomass" => Some(TechnologyType::Biomass),
        "marine" | "tidal" => Some(TechnologyType::Marine),
        "nuclear" => Some(TechnologyType::Nuclear),
        _ => None,
    }
}

/// Energy Source wordings known to the reader, to tell the Energy Source
/// column from the Technology column after it.
const ENERGY_SOURCES: &[&str] = &[
    "Hydro-electric",
    "Hydro",
    "Solar",
    "Wind",
    "Geothermal",
    "Biomass",
    "Biogas",
    "Landfill gas",
    "Marine",
    "Tidal",
    "Nuclear",
    "Thermal",
];

/// Page 1: who, how much, where, when, why, how to verify.
struct Head {
    beneficiary: String,
    holder: String,
    totals: Vec<(&'static str, Decimal, u32)>,
    facts: Vec<(String, String)>,
}

/// The lines strictly between the line `from` and the first line after it
/// starting with one of `to` (or the end of the page).
fn between<'a>(lines: &[Line<'a>], from: &str, to: &[&str]) -> Option<(Vec<&'a str>, u32)> {
    let i = lines.iter().position(|l| l.text == from)?;
    let page = lines[i].page;
    let body = lines[i + 1..]
        .iter()
        .take_while(|l| l.page == page && !to.iter().any(|t| l.text.starts_with(t)))
        .map(|l| l.text)
        .collect();
    Some((body, page))
}

fn head(lines: &[Line<'_>]) -> Result<Head, ReadError> {
    let need = |from: &str, to: &[&str], what: &str| -> Result<(String, u32), ReadError> {
        let (body, page) = between(lines, from, to).ok_or_else(|| {
            ReadError::new(
                Locator::Page(1),
                format!("the statement has no line \"{from}\" before the {what}; is this a whole I-REC Redemption Statement?"),
            )
        })?;
        let v = pdf::join_wrapped(body.iter().copied());
        if v.is_empty() {
            return Err(ReadError::new(
                Locator::Page(page),
                format!("the {what} after \"{from}\" is empty"),
            ));
        }
        Ok((v, page))
    };
    let (beneficiary, _) = need(PRODUCED_FOR, &[BY], "beneficiary")?;
    let (holder, _) = need(BY, &[CONFIRMING], "redeeming account holder")?;
    let (total_text, total_page) = need(CONFIRMING, &[REPRESENTING], "number of certificates")?;
    let number = |t: &str, page: u32, what: &str| {
        text::parse_number(t, NumberStyle::DecimalPoint).ok_or_else(|| {
            ReadError::new(
                Locator::Page(page),
                format!("the {what} \"{t}\" is not a number"),
            )
        })
    };
    let mut totals = vec![(
        "I-REC certificates",
        number(&total_text, total_page, "number of certificates redeemed")?,
        total_page,
    )];
    if let Some(l) = lines.iter().find(|l| l.text.starts_with(REPRESENTING)) {
        let rest = l.text[REPRESENTING.len()..].trim();
        if let Some((mwh, _)) = rest.split_once(" MWh") {
            totals.push(("MWh", number(mwh, l.page, "energy represented")?, l.page));
        }
    }
    let (country, _) = need(LOCATED, &[PERIOD], "country of consumption")?;
    let (period, period_page) = need(PERIOD, &[PURPOSE], "reporting period")?;
    let mut facts = vec![("consumption_country".to_string(), country)];
    match period.split_once(" to ") {
        Some((a, b)) if text::date_iso(a).is_some() && text::date_iso(b).is_some() => {
            facts.push(("consumption_start".into(), a.trim().to_string()));
            facts.push(("consumption_end".into(), b.trim().to_string()));
        }
        _ => {
            return Err(ReadError::new(
                Locator::Page(period_page),
                format!(
                    "the reporting period \"{period}\" is not written YYYY-MM-DD to YYYY-MM-DD"
                ),
            ))
        }
    }
    if let Some((body, _)) = between(lines, PURPOSE, &[QR, KEY, REDEEMED]) {
        let p = pdf::join_wrapped(body.iter().copied());
        if !p.is_empty() {
            facts.push(("purpose".into(), p));
        }
    }
    if let Some((body, _)) = between(lines, KEY, &[REDEEMED, DEVICES]) {
        let mut it = body.iter();
        if let Some(k) = it.next().filter(|k| !k.starts_with("http")) {
            // Printed letter-spaced (`1 8 7 5 5 9 1 9`): the key is the characters.
            let spaced = k.split(' ').all(|c| c.chars().count() == 1);
            let key = if spaced {
                k.replace(' ', "")
            } else {
                k.to_string()
            };
            facts.push(("verification_key".into(), key));
        }
        let url: String = body
            .iter()
            .skip_while(|l| !l.starts_with("http"))
            .copied()
            .collect();
        if !url.is_empty() {
            facts.push(("verification_url".into(), url));
        }
    }
    Ok(Head {
        beneficiary,
        holder,
        totals,
        facts,
    })
}

/// One device section: its device-table lines and the range-table lines
/// that follow it.
#[derive(Default)]
struct Block<'a> {
    devices: Vec<Line<'a>>,
    ranges: Vec<Line<'a>>,
}

fn is_id(w: &str) -> bool {
    let (int, frac) = w.split_once('.').unwrap_or((w, ""));
    int.contains('-')
        && int.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && int.bytes().filter(u8::is_ascii_digit).count() >= 8
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn blocks<'a>(lines: &[Line<'a>]) -> Vec<Block<'a>> {
    #[derive(PartialEq)]
    enum S {
        Out,
        DeviceHeader,
        Devices,
        RangeHeader,
        Ranges,
    }
    let mut out: Vec<Block<'a>> = Vec::new();
    let mut s = S::Out;
    for l in lines {
        let t = l.text;
        if t == DEVICES {
            out.push(Block::default());
            s = S::DeviceHeader;
            continue;
        }
        if t.starts_with(RANGES) {
            s = S::RangeHeader;
            continue;
        }
        if t == REDEEMED || t.starts_with(NOTES) {
            s = S::Out;
            continue;
        }
        let Some(b) = out.last_mut() else { continue };
        match s {
            S::DeviceHeader if t.ends_with("MWh)") => s = S::Devices,
            S::Devices => b.devices.push(*l),
            S::RangeHeader if t.split_whitespace().next().is_some_and(is_id) => {
                s = S::Ranges;
                b.ranges.push(*l);
            }
            S::Ranges => b.ranges.push(*l),
            _ => {}
        }
    }
    out
}

struct DeviceRow {
    page: u32,
    name: String,
    country: String,
    energy_source: String,
    technology: String,
    supported: String,
    commissioned: Date,
    carbon: Decimal,
}

fn words(lines: &[Line<'_>]) -> Vec<String> {
    pdf::join_wrapped(lines.iter().map(|l| l.text))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Device rows end with `Yes|No <commissioning date> <carbon>`; before
/// that come the device name, the country of origin (from the zone
/// table's names), the energy source (from [`ENERGY_SOURCES`]) and the
/// technology. The CO2 subscript of the header is printed after the rows
/// as a lone `2`, which is skipped.
fn device_rows(lines: &[Line<'_>]) -> Result<Vec<DeviceRow>, ReadError> {
    let page = lines.first().map_or(1, |l| l.page);
    let w = words(lines);
    let mut out = Vec::new();
    let mut start = 0;
    let mut j = 0;
    while j + 2 < w.len() {
        let end = matches!(w[j].as_str(), "Yes" | "No")
            && text::date_iso(&w[j + 1]).is_some()
            && text::parse_number(&w[j + 2], NumberStyle::DecimalPoint).is_some();
        if !end {
            j += 1;
            continue;
        }
        out.push(device_row(&w[start..j], &w[j..j + 3], page)?);
        j += 3;
        if w.get(j).is_some_and(|t| t == "2") {
            j += 1;
        }
        start = j;
    }
    let left: Vec<&str> = w[start..]
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "2")
        .collect();
    if !left.is_empty() {
        return Err(ReadError::new(
            Locator::Page(page),
            format!(
                "a production device row cannot be read: \"{}\" does not end with Supported (Yes/No), a commissioning date (YYYY-MM-DD) and a carbon figure",
                left.join(" ")
            ),
        ));
    }
    Ok(out)
}

fn device_row(body: &[String], end: &[String], page: u32) -> Result<DeviceRow, ReadError> {
    let joined = |a: usize, b: usize| body[a..b].join(" ");
    let source_at = |k: usize| {
        ENERGY_SOURCES.iter().find_map(|s| {
            let n = s.split(' ').count();
            (k + n <= body.len() && joined(k, k + n).eq_ignore_ascii_case(s)).then_some(k + n)
        })
    };
    // The earliest (country, energy source) pair after at least one word of name.
    let mut split = None;
    'outer: for c in 1..body.len() {
        for e in (c + 1..body.len()).rev() {
            if zones::country(&joined(c, e)).is_some() {
                if let Some(s_end) = source_at(e) {
                    split = Some((c, e, s_end));
                    break 'outer;
                }
            }
        }
    }
    // A country not in the table: the word before a known energy source.
    if split.is_none() {
        split = (2..body.len()).find_map(|e| source_at(e).map(|s_end| (e - 1, e, s_end)));
    }
    let Some((c, e, s_end)) = split else {
        return Err(ReadError::new(
            Locator::Page(page),
            format!(
                "the production device row \"{}\" cannot be split into device, country of origin, energy source and technology (energy source not one of {})",
                body.join(" "),
                ENERGY_SOURCES.join(", ")
            ),
        ));
    };
    Ok(DeviceRow {
        page,
        name: joined(0, c),
        country: joined(c, e),
        energy_source: joined(e, s_end),
        technology: joined(s_end, body.len()),
        supported: end[0].clone(),
        commissioned: text::date_iso(&end[1]).expect("checked"),
        carbon: text::parse_number(&end[2], NumberStyle::DecimalPoint).expect("checked"),
    })
}

struct RangeRow {
    page: u32,
    first: String,
    last: String,
    count: Decimal,
    count_text: String,
    offset: String,
    period: (Date, Date),
    issuer: Option<String>,
}

/// Range rows: `<from id> <to id> <number> <offset attributes> <start> -
/// <end> [issuer]`, lines joined where a cell wrapped (at a dash).
fn ranges(lines: &[Line<'_>]) -> Result<Vec<RangeRow>, ReadError> {
    let joined = pdf::join_wrapped(lines.iter().map(|l| l.text));
    // Tokens keep the page of the line they start on, for messages.
    let toks: Vec<Token<'_>> = pdf::tokens(lines);
    let page_of = |id: &str| {
        toks.iter()
            .find(|t| t.text.contains('-') && id.starts_with(t.text))
            .map_or(1, |t| t.page)
    };
    let w: Vec<&str> = joined.split_whitespace().collect();
    let starts: Vec<usize> = (0..w.len())
        .filter(|&i| {
            is_id(w[i]) && w.get(i + 1).is_some_and(|n| is_id(n)) && (i == 0 || !is_id(w[i - 1]))
        })
        .collect();
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(w.len());
        let r = &w[s..e];
        let page = page_of(r[0]);
        let bad = |what: &str| {
            ReadError::new(
                Locator::Page(page),
                format!(
                    "a certificate range row cannot be read: {what} (row text: \"{}\")",
                    r.join(" ")
                ),
            )
        };
        let mut i = 2;
        let mut n = Vec::new();
        while i < r.len()
            && r[i]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        {
            n.push(r[i]);
            i += 1;
        }
        let count_text = n.join(" ");
        let count =
            text::parse_number(&count_text, NumberStyle::DecimalPoint).ok_or_else(|| {
                bad(&format!(
                    "the number of certificates \"{count_text}\" is not a number"
                ))
            })?;
        let mut offset = Vec::new();
        while i < r.len() && text::date_iso(r[i]).is_none() {
            offset.push(r[i]);
            i += 1;
        }
        let start = r
            .get(i)
            .and_then(|d| text::date_iso(d))
            .ok_or_else(|| bad("no production period start"))?;
        i += 1;
        if r.get(i) == Some(&"-") {
            i += 1;
        }
        let end = r
            .get(i)
            .and_then(|d| text::date_iso(d.trim_start_matches('-')))
            .ok_or_else(|| bad("no production period end (YYYY-MM-DD)"))?;
        if end < start {
            return Err(bad("the production period ends before it starts"));
        }
        let issuer = r[i + 1..].join(" ");
        out.push(RangeRow {
            page,
            first: r[0].to_string(),
            last: r[1].to_string(),
            count,
            count_text,
            offset: offset.join(" "),
            period: (start, end),
            issuer: (!issuer.is_empty()).then_some(issuer),
        });
    }
    if out.is_empty() {
        let page = lines.first().map_or(1, |l| l.page);
        return Err(ReadError::new(
            Locator::Page(page),
            format!("the certificate range table cannot be read: \"{joined}\" has no pair of certificate ids (like 0000-0000-6529-5750.000000)"),
        ));
    }
    Ok(out)
}
