//! EnergyTag granular certificate (GC) bundles, JSON, as the EnergyTag API
//! specification v2 and its open-source reference registry define them
//! (`GranularCertificateBundle`, `…Read`, `…ReadFull`): a JSON array of
//! bundles, one bundle object, or an object wrapping them
//! (`granular_certificate_bundles` of a query response).
//!
//! One bundle is one range (docs/decisions.md, "EnergyTag bundles"):
//! - `certificate_bundle_id_range_start` … `_end` are inclusive integer
//!   certificate ids (also read under the reference registry's newer names
//!   `bundle_id_range_start` / `_end`, `certificate_status`), kept as their
//!   exact digits. `bundle_quantity` is the number of certificates and must
//!   equal end − start + 1; `face_value` is the energy of each certificate
//!   in Wh, so the bundle's energy is `bundle_quantity × face_value` Wh.
//! - The reference registry numbers certificates per production device, so
//!   the registry key is `energytag:<issuing_body>:<device_id>`: ranges of
//!   two devices never overlap, however their ids compare.
//! - `production_starting_interval` / `_ending_interval` are instants: with
//!   an offset as RFC 3339 gives it, without one (`2021-01-01T00:00:00`,
//!   as the reference registry writes them) in UTC, which is how the
//!   specification defines both fields ("the datetime in UTC format"),
//!   said once in a warning; another form (a space for the `T`, no
//!   seconds, a day alone) is refused saying what is wrong.
//! - `device_production_start_date` (the commissioning day) is typed a
//!   datetime by the reference registry: a day, its midnight, or its
//!   midnight UTC (`…T00:00:00Z`, `…T00:00:00+00:00`) is read as that day;
//!   another time or offset is refused.
//! - Status: `Cancelled` and `Claimed` are claims (the schema has no claim
//!   date: the claim is undated until the user enters it); `Active`,
//!   `Expired`, `Withdrawn`, `Locked`, `Reserved`, `Exported` and
//!   `Cancelled for Storage` never count as retired; `Expired` and
//!   `Withdrawn` take back a claim stored before ([`Status::is_reversal`]).
//!   A word the specification does not give (`Retired`, `Revoked`) is kept
//!   as printed, with a warning: neither a claim nor a reversal (as
//!   decision 292 reads Ofgem's). A `Bundle Split` or
//!   deleted (`is_deleted`) bundle is skipped: its certificates live on in
//!   the bundles it was split into. A split bundle's range is kept
//!   ([`Statement::splits`]): the store replaces a stored EAC of it by the
//!   document's bundles that hold exactly its certificates. Bundles of an
//!   energy carrier other than electricity are skipped.
//! - Numbers are read from the JSON text itself (never through a float):
//!   30-digit ids and emission factors keep every digit.
//! - A key written twice in one object refuses the file (digest rule 20,
//!   strict JSON, as the listing readers do), naming the key, its pointer,
//!   line and column: a JSON reader would keep the last value without a
//!   word (`face_value` 1000 then 1000000 is 1000 times the energy).

use std::collections::HashMap;

use eac_model::{Decimal, EnergyUnit, TechnologyType, Timestamp};
use serde_json::value::RawValue;

use crate::record::{
    Claim, Device, Locator, RangeRecord, ReadError, Skipped, SplitBundle, Statement, Status,
    Warning,
};
use crate::text;

/// EnergyTag `energy_source` values → CDS technology types. `battery_storage`
/// maps to `storage`, a type outside the 2024 draft list: exporting it needs
/// the explicit non-draft flag (digest §f.5). `electrolysis`, `chp` and
/// `other` are not generation technologies CDS names: left empty.
const TECHNOLOGY: &[(&str, TechnologyType)] = &[
    ("solar_pv", TechnologyType::Solar),
    ("wind", TechnologyType::Wind),
    ("hydro", TechnologyType::Hydro),
    ("biomass", TechnologyType::Biomass),
    ("nuclear", TechnologyType::Nuclear),
    ("geothermal", TechnologyType::Geothermal),
    ("battery_storage", TechnologyType::Storage),
];

/// The CDS technology type of an EnergyTag energy source, if the table has it.
pub fn technology_type(energy_source: &str) -> Option<TechnologyType> {
    let key = energy_source.trim().to_lowercase();
    TECHNOLOGY.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// The statuses of the specification's `CertificateStatus`.
const KNOWN_STATUSES: &[&str] = &[
    "active",
    "cancelled",
    "claimed",
    "expired",
    "withdrawn",
    "locked",
    "reserved",
    "exported",
    "bundle split",
    "cancelled for storage",
];

const EMISSIONS_UNIT: &str = "kgCO2e/MWh";

/// Keys under which an object wraps its bundles.
const WRAPPERS: &[&str] = &[
    "granular_certificate_bundles",
    "filtered_certificate_bundles",
];

/// Further fields kept as facts (`eacdesk_<name>`), in this order.
const FACTS: &[(&str, &str)] = &[
    ("id", "bundle_id"),
    ("issuance_id", "issuance_id"),
    ("hash", "bundle_hash"),
    ("account_id", "account_id"),
    ("metadata_id", "metadata_id"),
    ("energy_carrier", "energy_carrier"),
    ("expiry_datestamp", "expiry_datestamp"),
    ("country_of_issuance", "country_of_issuance"),
    (
        "connected_grid_identification",
        "connected_grid_identification",
    ),
    ("issue_market_zone", "issue_market_zone"),
    ("legal_status", "legal_status"),
    ("issuance_purpose", "issuance_purpose"),
    ("support_received", "support_received"),
    ("quality_scheme_reference", "quality_scheme_reference"),
    ("dissemination_level", "dissemination_level"),
    ("emissions_factor_source", "emissions_factor_source"),
    ("device_technology_type", "device_technology_type"),
    ("device_type", "device_type"),
    ("device_location", "device_location"),
    ("is_storage", "is_storage"),
    ("storage_efficiency_factor", "storage_efficiency_factor"),
    ("allocated_storage_record_id", "allocated_storage_record_id"),
    ("sdr_allocation_id", "sdr_allocation_id"),
    ("discharging_start_datetime", "discharging_start_datetime"),
    ("discharging_end_datetime", "discharging_end_datetime"),
    (
        "issuance_post_energy_carrier_conversion",
        "issuance_post_energy_carrier_conversion",
    ),
    ("registry_configuration", "registry_configuration"),
];

/// Whether `bytes` look like EnergyTag GC bundles: JSON naming a bundle id
/// range and a face value.
pub fn sniff(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if !matches!(first, Some(b'[' | b'{')) {
        return false;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    head.contains("\"face_value\"") && head.contains("_id_range_start\"")
}

/// Reads EnergyTag GC bundles.
pub fn read(bytes: &[u8]) -> Result<Statement, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root = |message: String| ReadError::new(Locator::Pointer(String::new()), message);
    let json = std::str::from_utf8(bytes)
        .map_err(|_| root("the file is not UTF-8 text, so it is not EnergyTag JSON".into()))?;
    let top: &RawValue = serde_json::from_str(json).map_err(|e| {
        // Placed as an editor counts (characters, CR-only line ends too),
        // not as serde_json does (bytes), which its message also says.
        let place = eac_model::place::json_error_place(json.as_bytes(), &e);
        let said = e.to_string();
        let said = said
            .rfind(" at line ")
            .map_or(said.as_str(), |at| &said[..at]);
        // Said at its line and column ("JSON pointer :", the empty
        // pointer of the whole document, read as a message cut short).
        let (at, end) = match (place.line, place.before) {
            (line, 0) if line > 1 => (Locator::Line(line - 1), " (at the end of the line)"),
            (line, 0) => (Locator::Line(line), ""),
            (line, column) => (Locator::LineColumn(line, column), ""),
        };
        ReadError::new(at, format!("the file is not valid JSON: {said}{end}"))
    })?;
    if let Some(d) = duplicate_key(json) {
        let (line, column) = text::LineIndex::new(json).line_column(d.offset);
        return Err(ReadError::new(
            Locator::Pointer(d.pointer),
            // The words of the listing readers' rule 20 (`eac_model::strict`).
            format!(
                "duplicate key `{}` (rule 20: strict JSON) at line {line}, column {column}: the \
                 object gives this key twice, so which value is meant cannot be told (a JSON \
                 reader would silently keep the last); keep one and import the file again",
                eac_model::quote(&d.key)
            ),
        ));
    }
    let (prefix, bundles) = bundles_of(top)?;
    let mut statement = Statement::default();
    if bundles.is_empty() {
        statement.warnings.push(Warning {
            at: Locator::Pointer(prefix.clone()),
            message: "the file lists no certificate bundles".into(),
        });
    }
    let mut naive = WithoutOffset::default();
    for (i, raw) in bundles.iter().enumerate() {
        let pointer = if prefix == "." {
            String::new()
        } else {
            format!("{prefix}/{i}")
        };
        read_bundle(raw, pointer, &mut statement, &mut naive)?;
    }
    if let Some((at, text)) = naive.first {
        // Said once: the file's own convention, not an assumption.
        statement.warnings.push(Warning {
            at,
            message: format!(
                "{} written without a UTC offset (the first: `{text}`): read as UTC, as the \
                 EnergyTag specification defines production_starting_interval and \
                 production_ending_interval (\"the datetime in UTC format\")",
                match naive.count {
                    1 => "1 interval time is".to_owned(),
                    n => format!("{n} interval times are"),
                }
            ),
        });
    }
    Ok(statement)
}

/// The keys of a bundle's first and last certificate id (the
/// specification's and the reference registry's names).
const RANGE_START: &[&str] = &["certificate_bundle_id_range_start", "bundle_id_range_start"];
const RANGE_END: &[&str] = &["certificate_bundle_id_range_end", "bundle_id_range_end"];

/// The registry key of a device's certificates: the reference registry
/// numbers them per production device (module text).
fn registry_key(issuing_body: &str, device_id: &str) -> String {
    format!("energytag:{issuing_body}:{device_id}")
}

/// The range of a split bundle, keyed as its EAC was
/// (`energytag:<issuing_body>:<device_id>`, [`read_bundle`]); `None` when
/// the bundle does not say it (no issuing body, device or range), or is
/// not electricity: no EAC can have been stored of it. Read leniently:
/// the bundle is skipped either way, and a file was never refused for a
/// split bundle.
fn split_bundle(b: &Bundle, at: Locator, status: &str) -> Option<SplitBundle> {
    if (b.optional_string("energy_carrier").ok()?)
        .is_some_and(|c| !c.eq_ignore_ascii_case("electricity"))
    {
        return None;
    }
    let (_, first) = (b.integer(RANGE_START)).ok()?;
    let (_, last) = (b.integer(RANGE_END)).ok()?;
    text::inclusive_count(&first, &last)?;
    let (_, issuing_body) = b.required_string(&["issuing_body"]).ok()?;
    let issuing_body = issuing_body.trim();
    let (_, device_id) = b.integer(&["device_id"]).ok()?;
    if issuing_body.is_empty() {
        return None;
    }
    let (series, first_seq, last_seq) = text::range_numbers(&first, &last);
    Some(SplitBundle {
        at,
        registry: registry_key(issuing_body, &device_id),
        first,
        last,
        series,
        first_seq,
        last_seq,
        status: status.to_owned(),
    })
}

/// The interval times of a document written without an offset, read as
/// UTC ([`interval_time`]): how many, and the first with its place.
#[derive(Default)]
struct WithoutOffset {
    count: usize,
    first: Option<(Locator, String)>,
}

/// An interval time (`production_starting_interval` / `_ending_interval`)
/// as an instant, and whether it was written without an offset. The
/// EnergyTag specification gives these fields as "the datetime in UTC
/// format" and its reference registry writes them without one
/// (`2021-01-01T00:00:00`, Python's naive `datetime` in ISO form): such a
/// text is that instant in UTC, by the specification's own words, not by
/// an assumed zone. A text with an offset is read as RFC 3339. Anything
/// else is refused with what is wrong with it: a day without a time, a
/// time without seconds, a space instead of `T` (Python's `str()` of a
/// datetime, which neither the specification nor its registry writes).
fn interval_time(text: &str) -> Result<(Timestamp, bool), String> {
    let ask = "EnergyTag intervals are written YYYY-MM-DDTHH:MM:SS, in UTC (as the \
               specification and its reference registry write them), or with an offset \
               (2024-01-01T13:00:00Z, 2024-01-01T14:00:00+01:00)";
    if let Ok(at) = Timestamp::parse(text) {
        return Ok((at, false));
    }
    let quoted = eac_model::quote(text);
    let b = text.as_bytes();
    let digits = |from: usize, to: usize| {
        b.get(from..to)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let day = digits(0, 4) && at(4, b'-') && digits(5, 7) && at(7, b'-') && digits(8, 10);
    let minutes = digits(11, 13) && at(13, b':') && digits(14, 16);
    let seconds = minutes && at(16, b':') && digits(17, 19);
    let separator = b.get(10).copied();
    if !day {
        return Err(format!("`{quoted}` is not a date-time; {ask}"));
    }
    if b.len() == 10 {
        return Err(format!(
            "`{quoted}` is a day without a time: an interval starts and ends at an instant; {ask}"
        ));
    }
    if separator == Some(b' ') {
        return Err(format!(
            "`{quoted}` separates the date and the time with a space, where the \
             specification's date-time has a `T` (Python's str() of a datetime writes a space; \
             the registry's API does not); {ask}. Download the bundles from the registry's API \
             again, or put a `T` in place of the space in every interval"
        ));
    }
    if !matches!(separator, Some(b'T' | b't')) {
        return Err(format!("`{quoted}` is not a date-time; {ask}"));
    }
    if !seconds {
        return Err(match minutes {
            true => format!(
                "`{quoted}` gives no seconds, which the specification's date-time always has; \
                 {ask}"
            ),
            false => format!("`{quoted}` is not a date-time; {ask}"),
        });
    }
    // What follows the seconds and their fraction: nothing (the
    // reference registry's form, in UTC), or an offset.
    let fraction = match b.get(19) {
        Some(b'.') => 1 + b[20..].iter().take_while(|d| d.is_ascii_digit()).count(),
        _ => 0,
    };
    let rest = &text[19 + fraction..];
    if fraction == 1 {
        return Err(format!(
            "`{quoted}` has a decimal point after the seconds but no digits; {ask}"
        ));
    }
    if rest.is_empty() {
        // (The reason names the text as written, without the `Z`.)
        let utc = format!("{text}Z");
        return Timestamp::parse(&utc).map(|at| (at, true)).map_err(|e| {
            let why = e.to_string().replacen(&eac_model::quote(&utc), &quoted, 1);
            format!("{why}; {ask}")
        });
    }
    let offset = rest
        .strip_prefix(['+', '-'])
        .is_some_and(|o| o.len() == 5 && o.as_bytes()[2] == b':');
    if !offset && !rest.eq_ignore_ascii_case("z") {
        return Err(format!(
            "`{quoted}` ends in `{}`, which is no offset as RFC 3339 writes one (Z, or ±HH:MM \
             such as +01:00); {ask}",
            eac_model::quote(rest)
        ));
    }
    // A leap second outside 23:59 UTC, a year past 9999 in UTC, more than
    // nine fraction digits, an hour 24: the time's own reason.
    Err(match Timestamp::parse(text) {
        Err(eac_model::TimeError::DateTime(_)) | Ok(_) => {
            format!("`{quoted}` is not a date-time (no such day or time); {ask}")
        }
        Err(e) => format!("{e}; {ask}"),
    })
}

/// A key written twice in one object: the key, the JSON pointer of its
/// second writing and that writing's byte offset (its opening quote).
#[derive(Debug, PartialEq, Eq)]
struct Duplicate {
    key: String,
    pointer: String,
    offset: usize,
}

/// The first key written twice in one object of `json` (digest rule 20,
/// strict JSON), anywhere in the document. serde_json keeps the last value
/// of a repeated key without a word, so the readers' objects cannot tell;
/// the text is scanned once instead, by the one scan every reader uses
/// (`eac_model::strict::repeated_key_at`: a stack, not a recursion).
fn duplicate_key(json: &str) -> Option<Duplicate> {
    let (pointer, offset) = eac_model::strict::repeated_key_at(json)?;
    // The key as the readers see it: the pointer's last token, unescaped
    // (RFC 6901).
    let token = pointer.rsplit('/').next().unwrap_or_default();
    let key = token.replace("~1", "/").replace("~0", "~");
    Some(Duplicate {
        key,
        pointer,
        offset,
    })
}

/// The bundles of the document and the pointer of their array (`"."` for a
/// lone bundle object at the root).
fn bundles_of(top: &RawValue) -> Result<(String, Vec<&RawValue>), ReadError> {
    let at = |p: &str| Locator::Pointer(p.to_owned());
    if top.get().trim_start().starts_with('[') {
        let list: Vec<&RawValue> = serde_json::from_str(top.get())
            .map_err(|e| ReadError::new(at(""), format!("the array cannot be read: {e}")))?;
        return Ok((String::new(), list));
    }
    let object: HashMap<String, &RawValue> = serde_json::from_str(top.get()).map_err(|_| {
        ReadError::new(
            at(""),
            "expected an array of EnergyTag certificate bundles, or an object holding them",
        )
    })?;
    for key in WRAPPERS {
        if let Some(raw) = object.get(*key) {
            let pointer = format!("/{key}");
            let list: Vec<&RawValue> = serde_json::from_str(raw.get()).map_err(|_| {
                ReadError::new(at(&pointer), format!("`{key}` must be an array of bundles"))
            })?;
            return Ok((pointer, list));
        }
    }
    if RANGE_START.iter().any(|k| object.contains_key(*k)) {
        return Ok((".".into(), vec![top]));
    }
    Err(ReadError::new(
        at(""),
        "this JSON object holds no EnergyTag certificate bundles (no \
         `granular_certificate_bundles` array, no bundle id range)",
    ))
}

/// One bundle's fields, read from the JSON text.
struct Bundle<'a> {
    pointer: String,
    fields: HashMap<String, &'a RawValue>,
}

impl<'a> Bundle<'a> {
    fn at(&self, key: &str) -> Locator {
        Locator::Pointer(format!("{}/{key}", self.pointer))
    }

    fn err(&self, key: &str, message: String) -> ReadError {
        ReadError::new(self.at(key), message)
    }

    /// The first of `keys` present and not null, with its name.
    fn field(&self, keys: &[&'static str]) -> Option<(&'static str, &'a RawValue)> {
        keys.iter().find_map(|k| {
            self.fields
                .get(*k)
                .filter(|raw| raw.get() != "null")
                .map(|raw| (*k, *raw))
        })
    }

    fn required(&self, keys: &[&'static str]) -> Result<(&'static str, &'a RawValue), ReadError> {
        self.field(keys).ok_or_else(|| {
            self.err(
                keys[0],
                format!(
                    "the bundle has no `{}`; every EnergyTag bundle carries it",
                    keys[0]
                ),
            )
        })
    }

    fn string(&self, key: &'static str, raw: &RawValue) -> Result<String, ReadError> {
        serde_json::from_str::<String>(raw.get())
            .map_err(|_| self.err(key, format!("`{key}` must be a string, not {}", raw.get())))
    }

    fn required_string(&self, keys: &[&'static str]) -> Result<(&'static str, String), ReadError> {
        let (key, raw) = self.required(keys)?;
        Ok((key, self.string(key, raw)?))
    }

    fn optional_string(&self, key: &'static str) -> Result<Option<String>, ReadError> {
        match self.field(&[key]) {
            Some((k, raw)) => Ok(Some(self.string(k, raw)?).filter(|s| !s.trim().is_empty())),
            None => Ok(None),
        }
    }

    /// A JSON integer ≥ 0, as its exact digits.
    fn integer(&self, keys: &[&'static str]) -> Result<(&'static str, String), ReadError> {
        let (key, raw) = self.required(keys)?;
        let t = raw.get();
        if t.is_empty()
            || !t.bytes().all(|b| b.is_ascii_digit())
            || (t.len() > 1 && t.starts_with('0'))
        {
            return Err(self.err(
                key,
                format!("`{key}` must be a whole number of 0 or more, not {t}"),
            ));
        }
        Ok((key, t.to_owned()))
    }

    /// Any fact's text: a string's content, a number's or boolean's JSON text.
    fn fact(&self, key: &str) -> Option<String> {
        let raw = self.fields.get(key)?;
        match raw.get() {
            "null" => None,
            t if t.starts_with('"') => serde_json::from_str::<String>(t)
                .ok()
                .filter(|s| !s.trim().is_empty()),
            t if t.starts_with(['[', '{']) => Some(compact(t)),
            t => Some(t.to_owned()),
        }
    }
}

/// A JSON value's text without insignificant white space (numbers keep
/// their digits: the text is not re-rendered).
fn compact(raw: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(raw.len()), false, false);
    for c in raw.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

fn read_bundle(
    raw: &RawValue,
    pointer: String,
    statement: &mut Statement,
    naive: &mut WithoutOffset,
) -> Result<(), ReadError> {
    let fields: HashMap<String, &RawValue> = serde_json::from_str(raw.get()).map_err(|_| {
        ReadError::new(
            Locator::Pointer(pointer.clone()),
            "a certificate bundle must be a JSON object",
        )
    })?;
    let b = Bundle { pointer, fields };
    let here = Locator::Pointer(b.pointer.clone());

    // A split bundle (the reference registry also marks it deleted): its
    // certificates are in the bundles it was split into. Its range is
    // kept, so that the store can replace a stored EAC of it by them.
    const STATUS: &[&str] = &["certificate_bundle_status", "certificate_status"];
    let stated =
        (b.field(STATUS)).and_then(|(_, raw)| serde_json::from_str::<String>(raw.get()).ok());
    if let Some(printed) = stated.filter(|t| Status::parse(t).as_str() == "bundle split") {
        statement.skipped.push(Skipped {
            at: here.clone(),
            reason: "status `Bundle Split`: its certificates are listed in the bundles it was \
                     split into"
                .into(),
        });
        statement
            .splits
            .extend(split_bundle(&b, here, printed.trim()));
        return Ok(());
    }
    if b.fact("is_deleted").as_deref() == Some("true") {
        statement.skipped.push(Skipped {
            at: here,
            reason: "the registry marks this bundle deleted (`is_deleted`)".into(),
        });
        return Ok(());
    }
    let (status_key, status_text) = b.required_string(STATUS)?;
    // A word the specification does not give is kept as printed
    // (`Other`), as its warning says: neither a claim (`Retired`) nor a
    // reversal of one (`Revoked`) in another registry's words.
    let status = match Status::parse(&status_text) {
        known if KNOWN_STATUSES.contains(&known.as_str()) => known,
        _ => Status::Other(status_text.trim().to_lowercase()),
    };
    if !KNOWN_STATUSES.contains(&status.as_str()) {
        statement.warnings.push(Warning {
            at: b.at(status_key),
            message: format!(
                "status `{status_text}` is not one of the EnergyTag statuses; kept as printed, \
                 never counted as a claim"
            ),
        });
    }
    if let Some(carrier) = b.optional_string("energy_carrier")? {
        if !carrier.eq_ignore_ascii_case("electricity") {
            statement.skipped.push(Skipped {
                at: here,
                reason: format!(
                    "a certificate of {carrier}, not electricity: not an electricity EAC"
                ),
            });
            return Ok(());
        }
    }

    // The range and its size.
    let (start_key, first) = b.integer(RANGE_START)?;
    let (end_key, last) = b.integer(RANGE_END)?;
    let count = text::inclusive_count(&first, &last).ok_or_else(|| {
        b.err(
            end_key,
            format!("the range ends ({last}) before it starts ({first} at `{start_key}`)"),
        )
    })?;
    let (quantity_key, quantity) = b.integer(&["bundle_quantity"])?;
    if Decimal::parse(&quantity).map(|q| q.to_big()).ok() != Some(count.to_big()) {
        return Err(b.err(
            quantity_key,
            format!(
                "bundle_quantity is {quantity} but the range {first}…{last} holds {count} \
                 certificates (end − start + 1): the bundle is inconsistent; ask the registry \
                 for a corrected export"
            ),
        ));
    }
    let (face_key, face) = b.integer(&["face_value"])?;
    if face.trim_start_matches('0').is_empty() {
        return Err(b.err(
            face_key,
            "face_value is 0: each certificate must stand for at least 1 Wh".into(),
        ));
    }
    let per_certificate = Decimal::parse(&face).map_err(|e| b.err(face_key, e.to_string()))?;

    // The production interval.
    let mut instant = |keys: &[&'static str]| -> Result<Timestamp, ReadError> {
        let (key, text) = b.required_string(keys)?;
        let (at, without_offset) = interval_time(&text).map_err(|why| b.err(key, why))?;
        if without_offset {
            naive.count += 1;
            naive.first.get_or_insert_with(|| (b.at(key), text.clone()));
        }
        Ok(at)
    };
    let period_start = instant(&["production_starting_interval"])?;
    let period_end = instant(&["production_ending_interval"])?;
    if period_end.as_utc() <= period_start.as_utc() {
        return Err(b.err(
            "production_ending_interval",
            format!("the production interval ends ({period_end}) before or when it starts ({period_start})"),
        ));
    }
    if period_end.as_utc() - period_start.as_utc() > chrono::Duration::hours(1) {
        statement.warnings.push(Warning {
            at: b.at("production_ending_interval"),
            message: format!(
                "the production interval {period_start} – {period_end} is longer than the one \
                 hour an EnergyTag bundle may cover"
            ),
        });
    }

    // Who issued it, and for which device.
    let (_, issuing_body) = b.required_string(&["issuing_body"]).map_err(|_| {
        b.err(
            "issuing_body",
            "the bundle has no `issuing_body`: without it the certificate ids cannot be told \
             apart from another registry's; export the bundles with their issuance metadata \
             (the full bundle view) and import that file"
                .into(),
        )
    })?;
    let issuing_body = issuing_body.trim().to_owned();
    let (_, device_id) = b.integer(&["device_id"])?;
    let (_, source) = b.required_string(&["energy_source"])?;
    let capacity = match (b.fact("device_power_mw"), b.fact("device_capacity")) {
        (Some(mw), _) => Some(format!("{mw} MW")),
        (None, Some(w)) => Some(format!("{w} W")),
        _ => None,
    };
    // The commissioning date is a fact CDS exports (`asset_commissioned`):
    // one that cannot be read is refused where it is, not left out.
    const COMMISSIONED: &str = "device_production_start_date";
    let commissioned = match b.optional_string(COMMISSIONED)? {
        Some(t) => Some(text::date_iso(&t).ok_or_else(|| {
            b.err(
                COMMISSIONED,
                format!(
                    "`{t}` is not a date: {COMMISSIONED} must be written YYYY-MM-DD (or that \
                     day's midnight, YYYY-MM-DDT00:00:00, or midnight UTC, \
                     YYYY-MM-DDT00:00:00Z){}",
                    text::date_time_note(&t)
                ),
            )
        })?),
        None => None,
    };
    let device = Device {
        id: device_id.clone(),
        name: b.optional_string("device_name")?,
        technology: Some(source.clone()),
        technology_type: technology_type(&source),
        commissioned,
        capacity,
        country: b.optional_string("country_of_issuance")?,
    };
    let emissions = match b.field(&["emissions_factor_production_device"]) {
        Some((key, raw)) => Some((
            Decimal::parse(raw.get())
                .map_err(|_| b.err(key, format!("`{key}` must be a number, not {}", raw.get())))?,
            EMISSIONS_UNIT.to_owned(),
        )),
        None => None,
    };
    let claim = if status.is_claim() {
        Claim::Undated
    } else {
        Claim::No
    };
    let facts = FACTS
        .iter()
        .filter_map(|(key, name)| b.fact(key).map(|t| ((*name).to_owned(), t)))
        .collect();

    let (series, first_seq, last_seq) = text::range_numbers(&first, &last);
    statement.ranges.push(RangeRecord {
        at: here,
        registry: registry_key(&issuing_body, &device_id),
        source_id: issuing_body.clone(),
        source_name: issuing_body,
        first,
        last,
        series,
        first_seq,
        last_seq,
        count,
        per_certificate,
        total: None,
        unit: EnergyUnit::Wh,
        status,
        claim,
        issued: None,
        period_start,
        period_end,
        device,
        emissions,
        beneficiary_name: b.optional_string("beneficiary")?,
        holder: None,
        facts,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_past_strings_that_look_like_json() {
        let d = |json: &str| {
            serde_json::from_str::<serde_json::Value>(json).expect("test input is JSON");
            duplicate_key(json).map(|d| (d.key, d.pointer, d.offset))
        };
        // Quotes, brackets and commas inside strings are text.
        let ok = r#"{"a": "x\",{\"a\":1,[", "b": [1, {"a": 1}, {"a": 2}], "a\\": {"a/b~": [{}]}}"#;
        assert_eq!(d(ok), None);
        assert_eq!(d("[]"), None);
        assert_eq!(d(r#"[{"k": 1}, {"k": 2}]"#), None);
        assert_eq!(
            d(r#"[{"k": 1}, {"k": [{"x": {}, "y": 2, "x": 3}]}]"#),
            Some(("x".into(), "/1/k/0/x".into(), 36))
        );
        // Escaped names are compared as the readers see them, pointers escaped.
        assert_eq!(
            d(r#"{"a/b": {"\u0061": 1, "a": 2}}"#),
            Some(("a".into(), "/a~1b/a".into(), 22))
        );
    }

    #[test]
    fn a_json_error_is_placed_in_characters_and_cr_lines() {
        // `Ø` and `東` are one column each; CR alone ends a line.
        let e = read("{\"a\": \"Ø東\",\r  ,}".as_bytes()).unwrap_err();
        assert_eq!(e.at, Locator::LineColumn(2, 3), "{e}");
        assert_eq!(
            e.to_string(),
            "line 2, column 3: the file is not valid JSON: key must be a string"
        );
    }

    /// A syntax error was said "JSON pointer : the file is not valid JSON
    /// (line 50, column 19: …)": the empty pointer of the whole document
    /// read as a message cut short. Said at its line and column, and a
    /// refusal of the whole document names it as that.
    #[test]
    fn no_refusal_names_an_empty_pointer() {
        let e = read(b"[\n  {\"a\" 1}\n]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, column 8: the file is not valid JSON: expected `:`"
        );
        let e = read(b"[\n  {\"a\": 1,\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 2: the file is not valid JSON: ")
                && e.to_string().ends_with(" (at the end of the line)"),
            "{e}"
        );
        let e = read(b"[\xff]").unwrap_err();
        assert!(
            e.to_string().starts_with("document: the file is not UTF-8"),
            "{e}"
        );
        for bytes in [&b"{\"a\" 1}"[..], b"[\xff]", b"{}", b"[1"] {
            let e = read(bytes).unwrap_err();
            assert!(!e.to_string().contains("pointer :"), "{e}");
            assert!(!e.to_string().starts_with("JSON pointer :"), "{e}");
        }
    }

    #[test]
    fn compact_drops_only_white_space_outside_strings() {
        assert_eq!(
            compact("[ 51.50000000000000001 , -0.12 ]"),
            "[51.50000000000000001,-0.12]"
        );
        assert_eq!(compact(r#"{ "a b": "c \" d" }"#), r#"{"a b":"c \" d"}"#);
    }
}
