//! Reading P1 documents: one EAC object at a time from a stream, each turned
//! into an [`Eac`] or a list of located violations.
//!
//! Memory stays bounded by the largest single EAC: the listing's `eacs` array
//! is visited element by element and handed to a callback.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::io::{self, BufRead};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::value::RawValue;

use crate::check::{check_eac, CheckOptions, ListingIds, Purpose};
use crate::frame::{frame_array, BorrowedElement, FlatElement, FlatElements, Framed, Resume};
use crate::place::{Place, Placed};
use crate::strict::{
    check_encoding, check_no_duplicate_keys, duplicate_key, kind_of, lone_surrogate, visit_scalars,
    Element,
};
use crate::violation::{pointer_token, quote};
use crate::{
    AssetLocationType, BeneficiaryType, Date, Decimal, Eac, EacValue, EnergyUnit, Extensions, Rule,
    SpecEnum, TechnologyType, Timestamp, Violation,
};

/// The outcome of reading one object of a listing: a P1 EAC
/// ([`EacRead`]) or a P2 envelope (`p2::EnvelopeRead`).
#[derive(Debug)]
pub enum ObjectRead<T> {
    /// Valid for the purpose; `warnings` may be non-empty.
    Valid {
        eac: Box<T>,
        warnings: Vec<Violation>,
    },
    /// Skipped by rule 21 (unknown beneficiary type on import).
    Ignored { warnings: Vec<Violation> },
    /// Broke at least one rule; `violations` holds errors and warnings.
    Invalid { violations: Vec<Violation> },
}

impl<T> ObjectRead<T> {
    /// With the error `v` (found beyond the object, such as its id listed
    /// twice) added to what its reading found: invalid, whatever it was.
    pub fn with_error(self, v: Violation) -> Self {
        let mut violations = match self {
            ObjectRead::Valid { warnings, .. } | ObjectRead::Ignored { warnings } => warnings,
            ObjectRead::Invalid { violations } => violations,
        };
        violations.push(v);
        ObjectRead::Invalid { violations }
    }
}

/// The outcome of reading one EAC object.
pub type EacRead = ObjectRead<Eac>;

/// The `cds_eac_id` of an element of a listing as its reading takes it
/// (its first such member, a JSON string), for rule 7 across the listing
/// ([`crate::check::ListingIds`]) whatever else the element breaks.
pub fn element_id<'e>(element: &'e BorrowedElement<'_>) -> Option<Cow<'e, str>> {
    match element {
        BorrowedElement::Object(fields) => {
            id_member(fields.iter().map(|(k, raw)| (k.as_ref(), *raw)))
        }
        BorrowedElement::Other(_) => None,
    }
}

/// The text of the first `cds_eac_id` among `members`, when a string.
fn id_member<'e>(
    mut members: impl Iterator<Item = (&'e str, &'e RawValue)>,
) -> Option<Cow<'e, str>> {
    let (_, raw) = members.find(|(k, _)| *k == "cds_eac_id")?;
    // An id over the text cap is refused by the object's reading; it is
    // not copied to be remembered.
    if crate::text::json_string_too_long(raw.get()).is_some() {
        return None;
    }
    serde_json::from_str::<Cow<'e, str>>(raw.get()).ok()
}

/// Reads one object the way every listing object is read: its id (named
/// in every message) and beneficiary type first (an unknown type on import
/// skips it, rule 21), then `build` reads its fields (given `Some(None)`
/// for a type `validate` refused, rule 3, or a null one in a saved
/// state), and an object it builds is judged by `check`, whose findings
/// at a place the reading reported already are left out: each violation is
/// listed once (decision 18), the same object's other rules too.
pub(crate) fn read_object<T>(
    fields: Vec<(String, Box<RawValue>)>,
    base: &str,
    opts: CheckOptions,
    build: impl FnOnce(&mut FieldReader, Option<Option<BeneficiaryType>>) -> Option<T>,
    check: impl FnOnce(&T) -> Vec<Violation>,
) -> ObjectRead<T> {
    read_object_from(FieldReader::new(fields, base), opts, build, check)
}

/// [`read_object`] from a reader over owned or borrowed members.
fn read_object_from<'a, T>(
    mut r: FieldReader<'a>,
    opts: CheckOptions,
    build: impl FnOnce(&mut FieldReader<'a>, Option<Option<BeneficiaryType>>) -> Option<T>,
    check: impl FnOnce(&T) -> Vec<Violation>,
) -> ObjectRead<T> {
    r.eac_id = r.peek_string("cds_eac_id");
    // `Some(None)`: null in a saved state of an incomplete EAC; `None`:
    // missing or broken (the reader holds why).
    let beneficiary_type = match r.completable(opts, "beneficiary_type", |r, _| {
        Some(r.beneficiary_type(opts))
    }) {
        Some(Some(Ok(t))) => t,
        Some(Some(Err(skipped))) => {
            return ObjectRead::Ignored {
                warnings: vec![skipped],
            }
        }
        Some(None) => Some(None),
        None => None,
    };
    let built = build(&mut r, beneficiary_type);
    let FieldReader { errors, eac_id, .. } = r;
    let mut violations: Vec<Violation> = errors
        .into_iter()
        .map(|v| v.with_eac(eac_id.as_deref()))
        .collect();
    let Some(object) = built else {
        return ObjectRead::Invalid { violations };
    };
    let found = check(&object);
    if violations.iter().any(Violation::is_error) {
        let read_at: std::collections::HashSet<String> = (violations.iter())
            .filter(|v| v.is_error())
            .map(|v| v.pointer.clone())
            .collect();
        violations.extend(found.into_iter().filter(|v| !read_at.contains(&v.pointer)));
    } else {
        violations.extend(found);
    }
    if violations.iter().any(Violation::is_error) {
        ObjectRead::Invalid { violations }
    } else {
        ObjectRead::Valid {
            eac: Box::new(object),
            warnings: violations,
        }
    }
}

/// Turns one JSON object into an EAC, checking rules 2, 3, 5, 6 while reading
/// and then every per-EAC rule.
pub fn eac_from_fields(
    fields: Vec<(String, Box<RawValue>)>,
    base: &str,
    opts: CheckOptions,
) -> EacRead {
    eac_from_reader(FieldReader::new(fields, base), base, opts)
}

/// [`eac_from_fields`] without the per-EAC rules (rules 2, 3, 5, 6 still
/// hold while reading): for EAC Desk's own JSON of an EAC it checked when
/// it stored it, read back as it was written.
pub fn eac_from_fields_unchecked(
    fields: Vec<(String, Box<RawValue>)>,
    base: &str,
    opts: CheckOptions,
) -> EacRead {
    read_object_from(
        FieldReader::new(fields, base),
        opts,
        |r, t| read_eac(r, t, opts),
        |_| Vec::new(),
    )
}

/// [`eac_from_fields`] over members borrowed from the listing's buffer
/// (only what the EAC keeps is copied); from `origin`'s text, when
/// given, so what is found inside a member is placed in the file.
pub fn eac_from_borrowed(
    fields: &[(Cow<'_, str>, &RawValue)],
    base: &str,
    origin: Option<Origin<'_>>,
    opts: CheckOptions,
) -> EacRead {
    let fields = fields
        .iter()
        .map(|(k, raw)| (Cow::Borrowed(k.as_ref()), Raw::Borrowed(raw)))
        .collect();
    let mut r = FieldReader::borrowed(fields, base);
    r.origin = origin;
    eac_from_reader(r, base, opts)
}

/// The text an object's members were parsed from, borrowed, and the
/// place of its first byte in its file: a finding inside a member (a key
/// twice in an extension) is placed at its line and column there.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'t> {
    pub text: &'t str,
    pub place: Place,
}

impl Origin<'_> {
    /// The place of `inner[offset]` when `inner` is part of this text.
    fn place_of(&self, inner: &str, offset: usize) -> Option<Place> {
        let start = (inner.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start.checked_add(inner.len())?;
        if end > self.text.len() || offset >= inner.len() {
            return None;
        }
        let mut place = self.place;
        // Past the character, as serde_json's places are (`Place::before`
        // is its column: [`Violation::at_json_place`]).
        place.pass(&self.text.as_bytes()[..start + offset + 1]);
        Some(place)
    }
}

fn eac_from_reader(r: FieldReader<'_>, base: &str, opts: CheckOptions) -> EacRead {
    read_object_from(
        r,
        opts,
        |r, t| read_eac(r, t, opts),
        |eac| check_eac(eac, base, opts),
    )
}

/// The fields of one EAC object (rules 2, 3, 5, 6), or None when one is
/// missing or broken (the reader holds why).
fn read_eac(
    r: &mut FieldReader,
    beneficiary_type: Option<Option<BeneficiaryType>>,
    opts: CheckOptions,
) -> Option<Eac> {
    let cds_eac_id = r.required_string("cds_eac_id");
    let cds_created = r.timestamp("cds_created");
    let cds_modified = r.timestamp("cds_modified");
    let eac_number = r.nullable_string("eac_number");
    let source_id = r.required_string("source_id");
    let source_name = r.required_string("source_name");
    let destination_id = r.completable(opts, "destination_id", FieldReader::required_string);
    let destination_name = r.completable(opts, "destination_name", FieldReader::required_string);
    let beneficiaries = r.string_list("beneficiaries");
    let asset_id = r.required_string("asset_id");
    let asset_commissioned = r.optional_date("asset_commissioned");
    let asset_origination = r.completable(opts, "asset_origination", FieldReader::asset_location);
    let asset_destination = r.completable(opts, "asset_destination", FieldReader::asset_location);
    let technology_type = r.completable(opts, "technology_type", FieldReader::technology);
    let emissions_factor_direct = r.emission_factor("emissions_factor_direct", opts);
    let emissions_factor_lca = r.emission_factor("emissions_factor_lca", opts);
    let period_start = r.timestamp("period_start");
    let period_end = r.timestamp("period_end");
    let values = r.values(opts);
    let extensions = r.extensions();

    // Every field is read (and every problem named) before the first `?`.
    (|| {
        Some(Eac {
            cds_eac_id: cds_eac_id?,
            cds_created: cds_created?,
            cds_modified: cds_modified?,
            eac_number: eac_number?,
            source_id: source_id?,
            source_name: source_name?,
            destination_id: destination_id?,
            destination_name: destination_name?,
            beneficiary_type: beneficiary_type?,
            beneficiaries: beneficiaries?,
            asset_id: asset_id?,
            asset_commissioned: asset_commissioned?,
            asset_origination: asset_origination?,
            asset_destination: asset_destination?,
            technology_type: technology_type?,
            emissions_factor_direct: emissions_factor_direct?,
            emissions_factor_lca: emissions_factor_lca?,
            period_start: period_start?,
            period_end: period_end?,
            values: values?,
            extensions,
        })
    })()
}

/// A JSON string or null where a number belongs: a placeholder for a value
/// not known yet, not a broken value.
fn is_placeholder(raw: &str) -> bool {
    raw.starts_with('"') || raw == "null"
}

/// A member of an object: its name and raw value, owned or borrowed from
/// the text being read.
pub(crate) type Member<'a> = (Cow<'a, str>, Raw<'a>);

/// A member's value as JSON text.
#[derive(Debug)]
pub(crate) enum Raw<'a> {
    /// Borrowed from the text a parse read it from.
    Borrowed(&'a RawValue),
    Owned(Box<RawValue>),
    /// Part of a `RawValue`'s text, found by [`crate::scan::Objects`]
    /// (checked as JSON with the whole of it).
    Span(&'a str),
}

impl Raw<'_> {
    pub(crate) fn get(&self) -> &str {
        match self {
            Raw::Borrowed(raw) => raw.get(),
            Raw::Owned(raw) => raw.get(),
            Raw::Span(text) => text,
        }
    }

    /// The value as a `RawValue` of its own (a span is read again: it is
    /// JSON, checked as part of the text it was found in).
    fn into_owned(self) -> serde_json::Result<Box<RawValue>> {
        match self {
            Raw::Borrowed(raw) => Ok(raw.to_owned()),
            Raw::Owned(raw) => Ok(raw),
            Raw::Span(text) => RawValue::from_string(text.to_owned()),
        }
    }
}

/// Takes fields out of a JSON object by name; what remains are extensions.
pub(crate) struct FieldReader<'a> {
    pub(crate) fields: Vec<Member<'a>>,
    /// The object's JSON pointer: `base`, then `/values/{i}` for a value
    /// of an EAC (put together only when a finding names it).
    base: &'a str,
    value: Option<usize>,
    pub(crate) errors: Vec<Violation>,
    pub(crate) eac_id: Option<String>,
    /// The text the members are borrowed from, when known.
    origin: Option<Origin<'a>>,
}

impl<'a> FieldReader<'a> {
    pub(crate) fn new(fields: Vec<(String, Box<RawValue>)>, base: &'a str) -> Self {
        let fields = fields
            .into_iter()
            .map(|(k, raw)| (Cow::Owned(k), Raw::Owned(raw)))
            .collect();
        FieldReader::borrowed(fields, base)
    }

    pub(crate) fn borrowed(fields: Vec<Member<'a>>, base: &'a str) -> Self {
        FieldReader {
            fields,
            base,
            value: None,
            errors: Vec::new(),
            eac_id: None,
            origin: None,
        }
    }

    /// The pointer of the object read.
    pub(crate) fn pointer(&self) -> String {
        match self.value {
            Some(i) => format!("{}/values/{i}", self.base),
            None => self.base.to_owned(),
        }
    }

    pub(crate) fn at(&self, key: &str) -> String {
        match self.value {
            Some(i) => format!("{}/values/{i}/{key}", self.base),
            None => format!("{}/{}", self.base, key),
        }
    }

    pub(crate) fn error(&mut self, rule: Rule, key: &str, message: impl Into<String>) {
        let pointer = self.at(key);
        self.errors.push(Violation::error(rule, pointer, message));
    }

    pub(crate) fn take(&mut self, key: &str) -> Option<Raw<'a>> {
        let i = self.fields.iter().position(|(k, _)| k == key)?;
        Some(self.fields.remove(i).1)
    }

    pub(crate) fn peek_string(&self, key: &str) -> Option<String> {
        let raw = self.fields.iter().find(|(k, _)| k == key)?.1.get();
        // Text over the cap is not copied into every message about the
        // object: its reading refuses it.
        if crate::text::json_string_too_long(raw).is_some() {
            return None;
        }
        serde_json::from_str::<String>(raw).ok()
    }

    /// `beneficiary_type` (rule 3): `Some(Some(_))` a type, `Some(None)`
    /// one `validate` refuses (rule 3: P1's list is closed) while the rest
    /// of the object is still judged, `None` missing or not a string. On
    /// import an unknown type is extensible (rule 21): `Err` carries the
    /// warning and the whole object is skipped.
    pub(crate) fn beneficiary_type(
        &mut self,
        opts: CheckOptions,
    ) -> Result<Option<Option<BeneficiaryType>>, Violation> {
        let Some(text) = self.required_str("beneficiary_type") else {
            return Ok(None);
        };
        if let Some(t) = BeneficiaryType::parse(&text) {
            return Ok(Some(Some(t)));
        }
        if opts.purpose == Purpose::Import {
            return Err(Violation::warning(
                Rule::Extensions,
                self.at("beneficiary_type"),
                format!(
                    "unknown beneficiary type `{}`: this EAC was not imported",
                    quote(&text)
                ),
            )
            .with_eac(self.eac_id.as_deref()));
        }
        self.not_in_enum::<BeneficiaryType>("beneficiary_type", &text, "a beneficiary type");
        Ok(Some(None))
    }

    /// A completable field: as `read` reads it, or `Some(None)` when it is
    /// null in a saved state of an incomplete EAC (`opts.incomplete`).
    pub(crate) fn completable<T>(
        &mut self,
        opts: CheckOptions,
        key: &str,
        read: impl FnOnce(&mut Self, &str) -> Option<T>,
    ) -> Option<Option<T>> {
        let is_null = self
            .fields
            .iter()
            .any(|(k, raw)| k == key && raw.get() == "null");
        if opts.incomplete && is_null {
            self.take(key);
            return Some(None);
        }
        read(self, key).map(Some)
    }

    /// A spec enum's spelling (rule 3); another is named with every allowed one.
    fn spec_enum<T: SpecEnum>(&mut self, key: &str, what: &str) -> Option<T> {
        let text = self.required_str(key)?;
        let parsed = <T as SpecEnum>::parse(&text);
        if parsed.is_none() {
            self.not_in_enum::<T>(key, &text, what);
        }
        parsed
    }

    fn not_in_enum<T: SpecEnum>(&mut self, key: &str, text: &str, what: &str) {
        let message = format!(
            "`{}` is not {what} ({})",
            quote(text),
            T::names().join(", ")
        );
        self.error(Rule::Enumerations, key, message);
    }

    /// A member of JSON type `T` (rule 2); another type is named as not
    /// `expected`.
    fn typed<T: serde::de::DeserializeOwned>(&mut self, key: &str, expected: &str) -> Option<T> {
        let raw = self.present(key)?;
        match serde_json::from_str::<T>(raw.get()) {
            Ok(v) => Some(v),
            Err(_) => {
                self.wrong_type(key, expected, &raw);
                None
            }
        }
    }

    /// Present (rule 2), possibly null.
    pub(crate) fn present(&mut self, key: &str) -> Option<Raw<'a>> {
        let raw = self.take(key);
        if raw.is_none() {
            self.error(
                Rule::RequiredKeys,
                key,
                format!("required field `{key}` is missing"),
            );
        }
        raw
    }

    pub(crate) fn wrong_type(&mut self, key: &str, expected: &str, raw: &Raw) {
        if let Some(escape) = lone_surrogate(raw.get()) {
            self.error(
                Rule::StrictJson,
                key,
                format!("`{key}` holds the escape `{escape}`, {LONE_SURROGATE}"),
            );
            return;
        }
        let found = kind_of(raw.get());
        self.error(
            Rule::RequiredKeys,
            key,
            format!("`{key}` must be {expected}, found {found}"),
        );
    }

    pub(crate) fn required_string(&mut self, key: &str) -> Option<String> {
        self.required_str(key).map(Cow::into_owned)
    }

    /// [`FieldReader::required_string`], borrowed where it can be.
    fn required_str(&mut self, key: &str) -> Option<Cow<'a, str>> {
        if let Some(taken) = self.take_plain_string(key) {
            return taken;
        }
        self.typed(key, "a string").map(Cow::Owned)
    }

    pub(crate) fn nullable_string(&mut self, key: &str) -> Option<Option<String>> {
        self.nullable_str(key).map(|s| s.map(Cow::into_owned))
    }

    /// [`FieldReader::nullable_string`], borrowed where it can be.
    fn nullable_str(&mut self, key: &str) -> Option<Option<Cow<'a, str>>> {
        if let Some(taken) = self.take_plain_string(key) {
            return taken.map(Some);
        }
        self.typed::<Option<String>>(key, "a string or null")
            .map(|s| s.map(Cow::Owned))
    }

    /// A member that is a string without escapes, taken as its text as
    /// written (the parser has checked it already: no control characters),
    /// borrowed when the member is: `Some(Some(text))`. A string longer
    /// than the text cap, escaped or not, is taken and refused before any
    /// of it is copied: `Some(None)`, the error noted (one comparison for
    /// a string of ordinary length). `None` leaves the member for the
    /// general reading.
    fn take_plain_string(&mut self, key: &str) -> Option<Option<Cow<'a, str>>> {
        let i = self.fields.iter().position(|(k, _)| k == key)?;
        let raw = self.fields[i].1.get();
        if let Some(chars) = crate::text::json_string_too_long(raw) {
            self.fields.remove(i);
            let message = crate::text::too_long_message(&format!("`{key}`"), chars);
            self.error(Rule::RequiredKeys, key, message);
            return Some(None);
        }
        let plain = raw.len() >= 2
            && raw.starts_with('"')
            && raw.ends_with('"')
            && !raw[1..raw.len() - 1].contains('\\');
        if !plain {
            return None;
        }
        let inner = |raw: &str| raw.len() - 1;
        Some(Some(match self.fields.remove(i).1 {
            Raw::Borrowed(raw) => {
                let text = raw.get();
                Cow::Borrowed(&text[1..inner(text)])
            }
            Raw::Span(text) => Cow::Borrowed(&text[1..inner(text)]),
            Raw::Owned(raw) => {
                let text = raw.get();
                Cow::Owned(text[1..inner(text)].to_owned())
            }
        }))
    }

    /// An array of strings (rule 2): an entry that is not a string, or
    /// one longer than the text cap, is named at its own place
    /// (`/beneficiaries/1`), every such entry. A well-formed list is read
    /// in one pass; only a list that fails it, or whose text is longer
    /// than the cap (then an entry may be), is read entry by entry, and an
    /// entry over the cap is refused before it is copied.
    pub(crate) fn string_list(&mut self, key: &str) -> Option<Vec<String>> {
        let raw = self.present(key)?;
        if raw.get().len() <= crate::MAX_TEXT_CHARS {
            if let Ok(list) = serde_json::from_str::<Vec<String>>(raw.get()) {
                return Some(list);
            }
        }
        let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) else {
            self.wrong_type(key, "an array of strings", &raw);
            return None;
        };
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(chars) = crate::text::json_string_too_long(item.get()) {
                let message = crate::text::too_long_message(&format!("an entry of `{key}`"), chars);
                self.error(Rule::RequiredKeys, &format!("{key}/{i}"), message);
                continue;
            }
            match serde_json::from_str::<String>(item.get()) {
                Ok(text) => list.push(text),
                Err(_) => {
                    let at = format!("{key}/{i}");
                    if let Some(escape) = lone_surrogate(item.get()) {
                        self.error(
                            Rule::StrictJson,
                            &at,
                            format!(
                                "an entry of `{key}` holds the escape `{escape}`, {LONE_SURROGATE}"
                            ),
                        );
                    } else {
                        let found = kind_of(item.get());
                        self.error(
                            Rule::RequiredKeys,
                            &at,
                            format!("an entry of `{key}` must be a string, found {found}"),
                        );
                    }
                }
            }
        }
        (list.len() == items.len()).then_some(list)
    }

    pub(crate) fn timestamp(&mut self, key: &str) -> Option<Timestamp> {
        let text = self.required_str(key)?;
        match Timestamp::parse(&text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(Rule::DateTimeSyntax, key, e.to_string());
                None
            }
        }
    }

    /// Optional key (O): absent is fine, null is not.
    pub(crate) fn optional_date(&mut self, key: &str) -> Option<Option<Date>> {
        let Some(raw) = self.take(key) else {
            return Some(None);
        };
        let Ok(text) = serde_json::from_str::<String>(raw.get()) else {
            self.wrong_type(key, "a date string (omit the field when unknown)", &raw);
            return None;
        };
        match Date::parse(&text) {
            Ok(d) => Some(Some(d)),
            Err(e) => {
                self.error(Rule::DateTimeSyntax, key, e.to_string());
                None
            }
        }
    }

    pub(crate) fn asset_location(&mut self, key: &str) -> Option<AssetLocationType> {
        self.spec_enum(key, "an asset location type")
    }

    pub(crate) fn technology(&mut self, key: &str) -> Option<TechnologyType> {
        self.spec_enum(key, "a technology type")
    }

    /// A JSON number kept exactly; `Some(None)` when the document holds a
    /// non-number (flagged as missing by the per-EAC checks, rule 6).
    pub(crate) fn emission_factor(
        &mut self,
        key: &str,
        opts: CheckOptions,
    ) -> Option<Option<Decimal>> {
        let raw = self.present(key)?;
        match Decimal::parse(raw.get()) {
            Ok(d) => Some(Some(d)),
            Err(e @ crate::DecimalError::ExponentTooLarge(_)) => {
                self.error(Rule::ExactDecimals, key, e.to_string());
                None
            }
            // A placeholder such as the examples' `"TODO"` (or null) is
            // kept as "missing" on import and flagged (decision 7); an
            // object, array or boolean is not a placeholder but broken data,
            // refused like by `validate` rather than dropped.
            Err(_) if opts.purpose == Purpose::Import && is_placeholder(raw.get()) => Some(None),
            Err(_) => {
                let found = quote(raw.get());
                self.error(
                    Rule::ExactDecimals,
                    key,
                    format!("`{key}` must be a JSON number, found {found}"),
                );
                None
            }
        }
    }

    pub(crate) fn values(&mut self, opts: CheckOptions) -> Option<Vec<EacValue>> {
        let before = self.errors.len();
        let values = self.read_values(opts);
        self.one_milli_warning(before);
        values
    }

    /// The warnings [`FieldReader::unit`] gave about `mWh` since finding
    /// `from`, as one: the first value's, saying how many more values
    /// of this EAC are so written (an hourly EAC has thousands).
    fn one_milli_warning(&mut self, from: usize) {
        let is_milli = |v: &Violation| !v.is_error() && v.message.starts_with(MILLI_MARK);
        let n = self.errors[from..].iter().filter(|v| is_milli(v)).count();
        if n < 2 {
            return;
        }
        // The first is kept, in its place, and says how many more.
        let mut first = true;
        let mut found = self.errors.split_off(from);
        found.retain(|v| !is_milli(v) || std::mem::take(&mut first));
        if let Some(first) = found.iter_mut().find(|v| is_milli(v)) {
            let more = match n - 1 {
                1 => "so is 1 more value".to_owned(),
                more => format!("so are {more} more values"),
            };
            first.message = format!("{} ({more} of this EAC)", first.message);
        }
        self.errors.append(&mut found);
    }

    fn read_values(&mut self, opts: CheckOptions) -> Option<Vec<EacValue>> {
        let raw = self.present("values")?;
        if !raw.get().starts_with('[') {
            self.wrong_type("values", "an array of value objects", &raw);
            return None;
        }
        // Split by a scan of the text serde_json has checked already, each
        // value read at once where it holds only what a value needs
        // ([`quick_value`]); where the scan leaves the array to serde_json,
        // read in one pass; where that fails, each element is parsed on its
        // own, so a broken value (e.g. a duplicate key) is located at its
        // own pointer (what succeeds in one pass succeeds element by
        // element, with the same elements, and what the scan reads the one
        // pass reads the same).
        let base = self.pointer();
        let text = raw.get();
        let mut out = Vec::new();
        // One vector of members for every value, refilled.
        let mut fields: Vec<Member> = Vec::new();
        if let Some(mut objects) = crate::scan::Objects::new(text) {
            let errors_before = self.errors.len();
            let mut scanned = Vec::with_capacity(8);
            let mut ok = true;
            let mut i = 0;
            loop {
                match objects.next_object(&mut scanned) {
                    Ok(true) => {}
                    Ok(false) => return ok.then_some(out),
                    Err(crate::scan::Unscanned) => break,
                }
                if let Some(v) = quick_value(&scanned, opts) {
                    out.push(v);
                } else {
                    fields.clear();
                    fields.extend(
                        scanned
                            .iter()
                            .map(|&(k, v)| (Cow::Borrowed(k), Raw::Span(v))),
                    );
                    let (value, back) =
                        read_value(fields, &base, i, self.origin, opts, &mut self.errors);
                    fields = back;
                    match value {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                i += 1;
            }
            // What the scan left: read again as a whole.
            self.errors.truncate(errors_before);
            out.clear();
        }
        let (members, elements) = match serde_json::from_str::<FlatElements>(text) {
            Ok(flat) => (flat.members, flat.elements),
            Err(_) => {
                let mut members = Vec::new();
                let mut elements = Vec::new();
                for element in self.value_elements(text)? {
                    elements.push(match element {
                        BorrowedElement::Object(fields) => {
                            let n = fields.len();
                            members.extend(fields);
                            FlatElement::Object(n)
                        }
                        BorrowedElement::Other(kind) => FlatElement::Other(kind),
                    });
                }
                (members, elements)
            }
        };
        out.reserve_exact(elements.len());
        let mut ok = true;
        let mut members = members.into_iter();
        for (i, element) in elements.into_iter().enumerate() {
            match element {
                FlatElement::Object(n) => {
                    fields.clear();
                    fields.extend(
                        members
                            .by_ref()
                            .take(n)
                            .map(|(k, raw)| (k, Raw::Borrowed(raw))),
                    );
                    let (value, back) =
                        read_value(fields, &base, i, self.origin, opts, &mut self.errors);
                    fields = back;
                    match value {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                FlatElement::Other(kind) => {
                    ok = false;
                    self.errors.push(Violation::error(
                        Rule::RequiredKeys,
                        format!("{base}/values/{i}"),
                        format!("a value must be an object, found {kind}"),
                    ));
                }
            }
        }
        ok.then_some(out)
    }

    /// The elements of a `values` array that did not read in one pass,
    /// each parsed on its own (`None` once the errors are noted).
    fn value_elements<'r>(&mut self, text: &'r str) -> Option<Vec<BorrowedElement<'r>>> {
        let raws: Vec<&RawValue> = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                self.error(Rule::StrictJson, "values", clean_message(&e));
                return None;
            }
        };
        let mut elements = Vec::with_capacity(raws.len());
        for (i, raw) in raws.iter().enumerate() {
            match serde_json::from_str::<BorrowedElement>(raw.get()) {
                Ok(e) => elements.push(e),
                Err(e) => {
                    let pointer = format!("{}/values/{i}", self.pointer());
                    let v = Violation::error(Rule::StrictJson, pointer, clean_message(&e));
                    self.errors.push(self.at_repeated_key(v, raw.get()));
                }
            }
        }
        (elements.len() == raws.len()).then_some(elements)
    }

    pub(crate) fn value(&mut self, opts: CheckOptions) -> Option<EacValue> {
        let eac_number = self.nullable_string("eac_number");
        let issued = self.completable(opts, "issued", FieldReader::date);
        let retired_undated = opts.incomplete
            && self
                .take(crate::RETIRED_UNDATED)
                .is_some_and(|raw| raw.get() == "true");
        let retired = self.nullable_date("retired");
        let start = self.nullable_timestamp("start");
        let end = self.nullable_timestamp("end");
        let unit = self.unit("unit");
        let value = self.decimal("value");
        let extensions = self.extensions();
        Some(EacValue {
            eac_number: eac_number?,
            issued: issued?,
            retired: retired?,
            retired_undated,
            start: start?,
            end: end?,
            unit: unit?,
            value: value?,
            extensions,
        })
    }

    pub(crate) fn date(&mut self, key: &str) -> Option<Date> {
        let text = self.required_str(key)?;
        Date::parse(&text)
            .map_err(|e| self.error(Rule::DateTimeSyntax, key, e.to_string()))
            .ok()
    }

    pub(crate) fn nullable_date(&mut self, key: &str) -> Option<Option<Date>> {
        match self.nullable_str(key)? {
            None => Some(None),
            Some(text) => Date::parse(&text)
                .map(Some)
                .map_err(|e| self.error(Rule::DateTimeSyntax, key, e.to_string()))
                .ok(),
        }
    }

    pub(crate) fn nullable_timestamp(&mut self, key: &str) -> Option<Option<Timestamp>> {
        match self.nullable_str(key)? {
            None => Some(None),
            Some(text) => Timestamp::parse(&text)
                .map(Some)
                .map_err(|e| self.error(Rule::DateTimeSyntax, key, e.to_string()))
                .ok(),
        }
    }

    pub(crate) fn unit(&mut self, key: &str) -> Option<EnergyUnit> {
        let text = self.required_str(key)?;
        let unit = EnergyUnit::parse_lenient(&text);
        if unit.is_none() {
            self.error(
                Rule::ValueQuantities,
                key,
                format!("`{}` is not an energy unit (Wh, kWh, MWh)", quote(&text)),
            );
        } else if is_milli_spelling(&text) {
            let pointer = self.at(key);
            self.errors.push(Violation::warning(
                Rule::WarnOnly,
                pointer,
                format!(
                    "{MILLI_MARK}`{}` is read as MWh (megawatt-hours): units are \
                     case-insensitive in CDS data (digest §c), so this quantity counts a billion \
                     times what milliwatt-hours would; if milliwatt-hours were meant, have the \
                     source state the quantity in Wh (a thousandth of the number) and import it \
                     again",
                    quote(&text)
                ),
            ));
        }
        unit
    }

    pub(crate) fn decimal(&mut self, key: &str) -> Option<Decimal> {
        let raw = self.present(key)?;
        match Decimal::parse(raw.get()) {
            Ok(d) => Some(d),
            Err(e @ crate::DecimalError::ExponentTooLarge(_)) => {
                self.error(Rule::ExactDecimals, key, e.to_string());
                None
            }
            Err(_) => {
                let found = quote(raw.get());
                self.error(
                    Rule::ExactDecimals,
                    key,
                    format!("`{key}` must be a JSON number written without quotes, found {found}"),
                );
                None
            }
        }
    }

    /// Whatever was not taken: kept as extensions (rule 21), checked for
    /// duplicate keys inside (rule 20) and for text over the cap (its
    /// name, the strings and names inside it), which is refused before it
    /// is copied.
    pub(crate) fn extensions(&mut self) -> Extensions {
        // Drained, not taken: a value's reader hands its vector on.
        let mut rest: Vec<(String, Box<RawValue>)> = Vec::with_capacity(self.fields.len());
        let mut fields = std::mem::take(&mut self.fields);
        for (key, raw) in fields.drain(..) {
            if let Some(v) = crate::text::long_member(&key, raw.get(), || self.pointer()) {
                self.errors.push(v);
                continue;
            }
            // The member's text where it was parsed, to place a finding.
            let raw_text: &str = match &raw {
                Raw::Borrowed(raw) => raw.get(),
                Raw::Span(text) => text,
                Raw::Owned(_) => "",
            };
            let owned = raw.into_owned();
            if let Err(e) = owned.as_ref().map_or_else(
                |e| Err(serde::de::Error::custom(e)),
                |raw| check_no_duplicate_keys(raw),
            ) {
                let member = self.at(&pointer_token(&key));
                let v = Violation::error(Rule::StrictJson, member, clean_message(&e));
                // A key twice is named and placed itself, as a field's is.
                let text = match (&owned, raw_text) {
                    (Ok(owned), "") => owned.get(),
                    (_, text) => text,
                };
                self.errors.push(self.at_repeated_key(v, text));
            }
            let raw = owned;
            if let Ok(raw) = raw {
                rest.push((key.into_owned(), raw));
            }
        }
        self.fields = fields;
        Extensions(rest)
    }

    /// `v`, found in the member (or value) at `v.pointer` whose JSON text
    /// is `text`: when it is a key written twice, named at that key
    /// (`/eacs/0/acme/a`, however deep) and placed at its line and column
    /// when `text` is where it was parsed, as a field's key twice is.
    fn at_repeated_key(&self, mut v: Violation, text: &str) -> Violation {
        if !v.message.starts_with("duplicate key `") {
            return v;
        }
        let Some((inside, offset)) = crate::strict::repeated_key_at(text) else {
            return v;
        };
        v.pointer.push_str(&inside);
        if let Some(place) = self.origin.and_then(|o| o.place_of(text, offset)) {
            v.at_json_place(place);
        }
        v
    }
}

/// The value at `values/{i}` of the EAC at `base` from its members, its
/// findings added to `errors`; the members' vector handed back, emptied,
/// for the next value.
fn read_value<'f>(
    fields: Vec<Member<'f>>,
    base: &'f str,
    i: usize,
    origin: Option<Origin<'f>>,
    opts: CheckOptions,
    errors: &mut Vec<Violation>,
) -> (Option<EacValue>, Vec<Member<'f>>) {
    let mut vr = FieldReader::borrowed(fields, base);
    vr.value = Some(i);
    vr.origin = origin;
    let value = match vr.value(opts) {
        // A warning (a unit written `mWh`) keeps the value.
        Some(v) if !vr.errors.iter().any(Violation::is_error) => Some(v),
        _ => None,
    };
    errors.append(&mut vr.errors);
    (value, vr.fields)
}

/// How the warning about a unit written as milliwatt-hours begins (one
/// per EAC: [`FieldReader::values`]).
const MILLI_MARK: &str = "the unit ";

/// A unit spelled as the SI writes milliwatt-hours (`mWh`: a small `m`
/// before a capital `W`), which CDS reads case-insensitively as MWh
/// (digest §c, decision 4): `mwh` and `MWH` are plainly MWh.
fn is_milli_spelling(text: &str) -> bool {
    text.len() == 3 && text.starts_with("mW") && text[2..].eq_ignore_ascii_case("h")
}

/// A value whose members are exactly the seven a value has, each of the
/// type and form [`FieldReader::value`] reads without a finding, read as
/// it reads them (`members` come from [`crate::scan::Objects`]: no
/// escapes, no name twice). Anything else (an extension, a null issue
/// date, a date that does not parse, a key missing) is `None`, left to
/// [`FieldReader::value`], which names what is wrong.
fn quick_value(members: &[(&str, &str)], opts: CheckOptions) -> Option<EacValue> {
    // The text of a string member, `None` for null.
    fn string(raw: &str) -> Result<Option<&str>, ()> {
        if raw == "null" {
            return Ok(None);
        }
        match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(text) if raw.len() >= 2 => Ok(Some(text)),
            _ => Err(()),
        }
    }
    if members.len() != 7 {
        return None;
    }
    let (mut eac_number, mut issued, mut retired, mut start, mut end, mut unit, mut value) =
        (None, None, None, None, None, None, None);
    for &(key, raw) in members {
        match key {
            // Text that may be over the cap is left to the reader that
            // refuses it (one comparison).
            "eac_number" if raw.len() > crate::MAX_TEXT_CHARS => return None,
            "eac_number" => eac_number = Some(string(raw).ok()?.map(str::to_owned)),
            "issued" => {
                issued = Some(match string(raw).ok()? {
                    Some(text) => Some(Date::parse(text).ok()?),
                    None if opts.incomplete => None,
                    None => return None,
                })
            }
            "retired" => retired = Some(string(raw).ok()?.map(Date::parse).transpose().ok()?),
            "start" => start = Some(string(raw).ok()?.map(Timestamp::parse).transpose().ok()?),
            "end" => end = Some(string(raw).ok()?.map(Timestamp::parse).transpose().ok()?),
            "unit" => {
                let text = string(raw).ok()??;
                // Warned of by the full reading.
                if is_milli_spelling(text) {
                    return None;
                }
                unit = Some(EnergyUnit::parse_lenient(text)?)
            }
            "value" => value = Some(Decimal::parse(raw).ok()?),
            _ => return None,
        }
    }
    Some(EacValue {
        eac_number: eac_number?,
        issued: issued?,
        retired: retired?,
        retired_undated: false,
        start: start?,
        end: end?,
        unit: unit?,
        value: value?,
        extensions: Extensions::default(),
    })
}

/// What the callback wants after each EAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// How reading a whole listing ended.
#[derive(Debug, Default)]
pub struct ListingSummary {
    pub eac_count: usize,
    /// Listing-level findings (rule 1 on `next`/`previous`).
    pub violations: Vec<Violation>,
    /// The listing's `next` link when it gives one: the document is one
    /// page of a longer listing.
    pub next: Option<String>,
    /// The listing's `previous` link when it gives one: the document is a
    /// later page of a longer listing.
    pub previous: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The document is not strict JSON or not a listing (rules 1, 20).
    #[error("{0}")]
    Malformed(Violation),
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    /// The callback asked to stop.
    #[error("stopped")]
    Stopped,
}

/// Reads a listing `{"eacs": [...], "next": …, "previous": …}` from a stream,
/// calling `on_eac(index, outcome)` for each EAC object in document order.
/// An object whose `cds_eac_id` an earlier one had is invalid (rule 7),
/// whatever else it breaks or whether an import would skip it
/// ([`ListingIds`]).
pub fn read_listing<R: io::Read>(
    reader: R,
    opts: CheckOptions,
    mut on_eac: impl FnMut(usize, EacRead) -> Flow,
) -> Result<ListingSummary, ListingError> {
    read_listing_with(reader, opts, |index, _, _, read| on_eac(index, read))
}

/// [`read_listing`] that also shows each element as read, borrowed, and
/// its JSON text when framed (see [`read_array_framed`]), before it is
/// turned into an EAC: a second judge (`validate`'s JSON Schema check)
/// reads the same parse.
pub fn read_listing_with<R: io::Read>(
    reader: R,
    opts: CheckOptions,
    mut on_eac: impl FnMut(usize, &BorrowedElement<'_>, Option<&str>, EacRead) -> Flow,
) -> Result<ListingSummary, ListingError> {
    let mut ids = ListingIds::default();
    read_array_framed(reader, "eacs", |index, element, origin| {
        let outcome = eac_from_element(index, &element, origin, opts);
        let outcome = ids.check(element_id(&element).as_deref(), index, outcome);
        on_eac(index, &element, origin.map(|o| o.text), outcome)
    })
}

/// The EAC at `index` of a listing's `eacs` from its element, as
/// [`read_listing`] reads it (an element that is not an object breaks
/// rule 2), parsed from `origin` when given ([`eac_from_borrowed`]).
pub fn eac_from_element(
    index: usize,
    element: &BorrowedElement<'_>,
    origin: Option<Origin<'_>>,
    opts: CheckOptions,
) -> EacRead {
    let base = format!("/eacs/{index}");
    match element {
        BorrowedElement::Object(fields) => eac_from_borrowed(fields, &base, origin, opts),
        BorrowedElement::Other(kind) => ObjectRead::Invalid {
            violations: vec![not_an_eac(base, kind)],
        },
    }
}

/// Streams the objects of a listing's `eacs` (P1 EACs or P2 envelopes),
/// each read by `from_fields` (an element that is not an object breaks
/// rule 2), calling `on_object(index, outcome)` in document order.
pub(crate) fn read_objects<R: io::Read, T>(
    reader: R,
    from_fields: impl Fn(Vec<(String, Box<RawValue>)>, &str) -> ObjectRead<T>,
    mut on_object: impl FnMut(usize, ObjectRead<T>) -> Flow,
) -> Result<ListingSummary, ListingError> {
    let mut ids = ListingIds::default();
    read_listing_elements(reader, |index, element| {
        let base = format!("/eacs/{index}");
        let outcome = match element {
            Element::Object(fields) => {
                let members = fields.iter().map(|(k, raw)| (k.as_str(), raw.as_ref()));
                let repeated = ids.repeated(id_member(members).as_deref(), index);
                let read = from_fields(fields, &base);
                match repeated {
                    Some(v) => read.with_error(v),
                    None => read,
                }
            }
            Element::Other(kind) => ObjectRead::Invalid {
                violations: vec![not_an_eac(base, kind)],
            },
        };
        on_object(index, outcome)
    })
}

/// Rule 2 for an element of `eacs` that is not an object.
fn not_an_eac(base: String, kind: &str) -> Violation {
    Violation::error(
        Rule::RequiredKeys,
        base,
        format!("an EAC must be an object, found {kind}"),
    )
}

/// The listing envelope of any profile: streams each element of `eacs`
/// (objects with raw members) to `on_element`, checks rules 1 and 20.
pub fn read_listing_elements<R: io::Read>(
    reader: R,
    on_element: impl FnMut(usize, Element) -> Flow,
) -> Result<ListingSummary, ListingError> {
    read_array_document(reader, "eacs", on_element)
}

/// A CDS listing document `{"<key>": [...], "next": …, "previous": …}`
/// (EACs, accounts, service contracts): streams each element of the array.
pub fn read_array_document<R: io::Read>(
    reader: R,
    key: &'static str,
    mut on_element: impl FnMut(usize, Element) -> Flow,
) -> Result<ListingSummary, ListingError> {
    read_array_borrowed(reader, key, |index, element| {
        on_element(index, element.into_owned())
    })
}

/// [`read_array_document`] handing each element over borrowed from the
/// reader's buffer (valid during the call): the elements are framed in
/// large chunks and parsed from there (`frame`), and only what the framing
/// does not expect is read by the streaming reader, so every finding is
/// the one the streaming reader gives.
pub fn read_array_borrowed<R: io::Read>(
    reader: R,
    key: &'static str,
    mut on_element: impl FnMut(usize, BorrowedElement<'_>) -> Flow,
) -> Result<ListingSummary, ListingError> {
    read_array_framed(reader, key, |index, element, _| on_element(index, element))
}

/// [`read_array_borrowed`] that also hands over each element's JSON text,
/// and its place in the file, when it was framed (`None` for what the
/// streaming reader read).
pub fn read_array_framed<R: io::Read>(
    mut reader: R,
    key: &'static str,
    mut on_element: impl FnMut(usize, BorrowedElement<'_>, Option<Origin<'_>>) -> Flow,
) -> Result<ListingSummary, ListingError> {
    // Enough of the start to tell the encoding (at most 4 bytes decide).
    let mut head = vec![0u8; 1 << 16];
    let mut got = 0;
    while got < 4 {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ListingError::Io(e)),
        }
    }
    head.truncate(got);
    match check_encoding(&head) {
        Ok(bom) => drop(head.drain(..bom)),
        Err(v) => return Err(ListingError::Malformed(v)),
    }
    let framed = frame_array(reader, head, key, &mut |index, element, text, place| {
        on_element(index, element, Some(Origin { text, place })) == Flow::Continue
    })?;
    match framed {
        Framed::Stopped => Err(ListingError::Stopped),
        Framed::Resume { resume, rest } => {
            stream_array_document(rest, key, resume, |index, element| {
                on_element(index, element, None)
            })
        }
    }
}

/// The streaming reader (serde_json over the reader, strict, every error
/// located): reads the document from `resume` on.
#[doc(hidden)]
pub fn read_array_streaming<R: io::Read>(
    reader: R,
    key: &'static str,
    on_element: impl FnMut(usize, BorrowedElement<'_>) -> Flow,
) -> Result<ListingSummary, ListingError> {
    let mut reader = io::BufReader::with_capacity(1 << 16, reader);
    match check_encoding(reader.fill_buf()?) {
        Ok(bom) => reader.consume(bom),
        Err(v) => return Err(ListingError::Malformed(v)),
    }
    let resume = Resume {
        prefix: Vec::new(),
        index: 0,
        skip: 0,
        place: Place::START,
    };
    stream_array_document(reader, key, resume, on_element)
}

fn stream_array_document<R: io::Read>(
    reader: R,
    key: &'static str,
    resume: Resume,
    mut on_element: impl FnMut(usize, BorrowedElement<'_>) -> Flow,
) -> Result<ListingSummary, ListingError> {
    let state = RefCell::new(ReadState {
        key,
        on_element: &mut on_element,
        summary: ListingSummary {
            eac_count: resume.index,
            violations: Vec::new(),
            next: None,
            previous: None,
        },
        stopped: false,
        saw_eacs: false,
        in_eacs: false,
        index: resume.index,
        skip: resume.skip,
        pending: None,
    });
    // serde_json counts its line 1 from the prefix, which is not the
    // file's; the file's bytes are placed as an editor counts them.
    let mut placed = Placed::new(reader, resume.place, 1, resume.prefix.len() as u64);
    let result = {
        let text = io::Read::chain(io::Cursor::new(resume.prefix.clone()), &mut placed);
        let reader = io::BufReader::with_capacity(1 << 16, text);
        let mut de = serde_json::Deserializer::from_reader(reader);
        (&mut de)
            .deserialize_any(RootVisitor { state: &state })
            .and_then(|()| de.end())
    };
    let mut st = state.into_inner();
    match result {
        // Named at the member it lacks, as a missing field is.
        Ok(()) if !st.saw_eacs => Err(ListingError::Malformed(Violation::error(
            Rule::RootShape,
            format!("/{key}"),
            format!("the document has no `{key}` array"),
        ))),
        Ok(()) => Ok(st.summary),
        Err(_) if st.stopped => Err(ListingError::Stopped),
        Err(e) if e.is_io() => Err(ListingError::Io(io::Error::other(e.to_string()))),
        Err(e) => {
            let mut v = st.pending.take().unwrap_or_else(|| {
                let pointer = if st.in_eacs {
                    let element = format!("/{key}/{}", st.index);
                    // Inside the element, the member it broke in, when
                    // the text up to the error is still at hand (an
                    // element in the first two reads; only this error's
                    // path scans it, never the reading).
                    let inside = placed.read_until(&e).and_then(|read| {
                        let pointer = crate::place::pointer_at(&[&resume.prefix, read].concat());
                        let rest = pointer.strip_prefix(&format!("/{key}/"))?;
                        Some(rest[rest.find('/')?..].to_owned())
                    });
                    element + inside.as_deref().unwrap_or("")
                } else {
                    String::new()
                };
                Violation::error(Rule::StrictJson, pointer, clean_message(&e))
            });
            if e.line() > 0 {
                // Within the prefix (never: it is well-formed), or past
                // the bytes kept (never: see `Placed`): where it resumed.
                let place = placed.place_of_error(&e).unwrap_or(resume.place);
                v.at_json_place(place);
            }
            Err(ListingError::Malformed(v))
        }
    }
}

/// Why a lone surrogate escape is refused, after "holds the escape `\\ud800`, ".
pub(crate) const LONE_SURROGATE: &str = "half of a UTF-16 surrogate pair without its other half: \
    that is not Unicode text (RFC 8259 §8.2); write the character itself or a complete pair";

/// serde_json appends " at line L column C"; the location is kept separately.
/// Its messages can quote input (`invalid type: string "…"`): capped.
pub(crate) fn clean_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    // A library message that quotes input is capped a little above a quote.
    let text = crate::violation::cap(&text, 200);
    let explained = if text.contains("surrogate in hex escape") {
        " (a `\\uD800`–`\\uDFFF` escape must be half of a complete pair: a lone half is not Unicode text, RFC 8259 §8.2)"
    } else if text.starts_with("trailing comma") {
        " (strict JSON allows no trailing commas)"
    } else if text.starts_with("expected value") || text.starts_with("key must be a string") {
        " (strict JSON: no comments, `...` or trailing commas)"
    } else if text.starts_with("EOF while parsing") {
        " (the file ends too early: it is empty or was cut off; save or export it again)"
    } else {
        ""
    };
    format!("{text}{explained}")
}

struct ReadState<'f> {
    on_element: &'f mut dyn FnMut(usize, BorrowedElement<'_>) -> Flow,
    summary: ListingSummary,
    stopped: bool,
    saw_eacs: bool,
    /// Inside the array (errors there belong to the element being read).
    in_eacs: bool,
    key: &'static str,
    index: usize,
    /// Synthetic elements still to pass over (a resumed reading).
    skip: usize,
    pending: Option<Violation>,
}

struct RootVisitor<'s, 'f> {
    state: &'s RefCell<ReadState<'f>>,
}

impl<'de> Visitor<'de> for RootVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "an object with an `{}` array (rule 1)",
            self.state.borrow().key
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(duplicate_key(&key));
            }
            match key.as_str() {
                k if k == self.state.borrow().key => {
                    {
                        let mut st = self.state.borrow_mut();
                        st.saw_eacs = true;
                        st.in_eacs = true;
                    }
                    map.next_value_seed(EacsSeed { state: self.state })?;
                    self.state.borrow_mut().in_eacs = false;
                }
                "next" | "previous" => {
                    let raw: Box<RawValue> = map.next_value()?;
                    if let Some(v) = check_page_link(&key, &raw) {
                        self.state.borrow_mut().summary.violations.push(v);
                    } else {
                        let link = serde_json::from_str::<Option<String>>(raw.get())
                            .ok()
                            .flatten();
                        let mut st = self.state.borrow_mut();
                        match key.as_str() {
                            "next" => st.summary.next = link,
                            _ => st.summary.previous = link,
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            seen.push(key);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.root_error("an array"))
    }
    visit_scalars!((), |visitor, kind| Err(visitor.root_error(kind)));
}

impl RootVisitor<'_, '_> {
    fn root_error<E: de::Error>(&self, found: &str) -> E {
        let key = self.state.borrow().key;
        let msg = format!("the document must be an object with an `{key}` array, found {found}");
        wrong_shape(self.state, String::new(), msg)
    }
}

/// Rule 1: the listing is not shaped as one. The violation at `pointer`
/// waits for the reader's caller; serde stops with `msg`.
fn wrong_shape<E: de::Error>(state: &RefCell<ReadState<'_>>, pointer: String, msg: String) -> E {
    state.borrow_mut().pending = Some(Violation::error(Rule::RootShape, pointer, msg.clone()));
    E::custom(msg)
}

fn check_page_link(key: &str, raw: &RawValue) -> Option<Violation> {
    match serde_json::from_str::<Option<String>>(raw.get()) {
        Ok(None) => None,
        Ok(Some(url)) if is_absolute_url(&url) => None,
        Ok(Some(url)) => Some(Violation::error(
            Rule::RootShape,
            format!("/{key}"),
            format!(
                "`{key}` must be null or an absolute URL, found `{}`: {}",
                quote(&url),
                url_problem(&url)
            ),
        )),
        Err(_) => Some(Violation::error(
            Rule::RootShape,
            format!("/{key}"),
            format!(
                "`{key}` must be null or an absolute URL, found {}",
                kind_of(raw.get())
            ),
        )),
    }
}

/// An absolute URL: a scheme (RFC 3986 §3.1) followed by a non-empty rest,
/// no spaces, an `http(s)` URL with its `//` authority and a host in it
/// (RFC 9110 §4.2: `https:///x` names no server), and a URI as the
/// shipped schemas' `"format": "uri"` judges it ([`is_uri`]). Every URL the
/// rules read (`next`/`previous`, `eac_data_url`, `cds_eacs_api`, a format's
/// `documentation`) is judged here, so import refuses exactly the URLs
/// `validate` refuses (decision 275), and the P2 base URL too.
pub fn is_absolute_url(text: &str) -> bool {
    let Some((scheme, rest)) = scheme_and_rest(text) else {
        return false;
    };
    !rest.is_empty()
        && !text.chars().any(char::is_whitespace)
        && (!is_http(scheme) || rest.len() > 2 && rest.starts_with("//"))
        && !http_host_missing(text)
        && is_uri(text)
}

fn is_http(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// The byte range of a `scheme://` URL's authority (RFC 3986 §3.2: up to
/// the next `/`, `?` or `#`).
fn authority_range(text: &str) -> Option<std::ops::Range<usize>> {
    let (scheme, rest) = scheme_and_rest(text)?;
    let start = scheme.len() + 1 + 2;
    rest.starts_with("//").then_some(())?;
    let end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| start + i);
    Some(start..end)
}

/// The byte range of a `scheme://` URL's userinfo (RFC 3986 §3.2.1: what
/// precedes the authority's last `@`, the `@` left out), if it has an `@`.
pub fn userinfo_range(text: &str) -> Option<std::ops::Range<usize>> {
    let authority = authority_range(text)?;
    let at = text[authority.clone()].rfind('@')?;
    Some(authority.start..authority.start + at)
}

/// Whether `text` is an `http(s)://` URL whose authority has no host:
/// `https:///x`, `https://user@/x`, `https://:443/x`.
fn http_host_missing(text: &str) -> bool {
    let (Some((scheme, _)), Some(authority)) = (scheme_and_rest(text), authority_range(text))
    else {
        return false;
    };
    let host_port = match userinfo_range(text) {
        Some(userinfo) => &text[userinfo.end + 1..authority.end],
        None => &text[authority],
    };
    let host = match host_port.starts_with('[') {
        true => host_port,
        false => host_port.split(':').next().unwrap_or(""),
    };
    is_http(scheme) && host.is_empty()
}

/// A URL's scheme (RFC 3986 §3.1: a letter, then letters, digits, `+`,
/// `-`, `.`) and what follows its `:`.
fn scheme_and_rest(text: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let good = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    good.then_some((scheme, rest))
}

/// Whether `text` is a URI (RFC 3986 §3: ASCII only, `[ ] | ^ { } < > " \`
/// and `` ` `` percent-encoded, every `%` followed by two hex digits, at
/// most one `#`), judged by the same JSON Schema engine and format check
/// that `validate` runs on the shipped schemas' `"format": "uri"`, not by
/// a copy of its grammar: the two cannot drift apart.
pub fn is_uri(text: &str) -> bool {
    static URI: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    URI.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&serde_json::json!({ "type": "string", "format": "uri" }))
            .expect("the `uri` format schema compiles")
    })
    .is_valid(&serde_json::Value::String(text.to_owned()))
}

/// What an `eac_data_url`, `next`/`previous` or `documentation` that is
/// not an absolute URL lacks, for its message: why [`is_absolute_url`]
/// refused it.
pub fn url_problem(text: &str) -> &'static str {
    if text.chars().any(char::is_whitespace) {
        "it holds white space"
    } else if !text.is_ascii() {
        "it holds characters outside ASCII, which a URI must percent-encode (an IRI is not a URI)"
    } else if scheme_and_rest(text).is_none_or(|(_, rest)| rest.is_empty()) {
        "it needs a scheme (`https:`, `file:`…) and, for http(s), `//` and a host"
    } else if http_host_missing(text) {
        "it has no host: write the server's name after `//` (as in `https://example.org/…`)"
    } else if !is_uri(text) {
        "it is no URI by RFC 3986 (characters such as [ ] | ^ { } < > \\ \" ` and a second # must be percent-encoded, and every % is followed by two hex digits)"
    } else {
        "it needs a scheme (`https:`, `file:`…) and, for http(s), `//` and a host"
    }
}

struct EacsSeed<'s, 'f> {
    state: &'s RefCell<ReadState<'f>>,
}

impl<'de> DeserializeSeed<'de> for EacsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EacsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of EAC objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let element = seq.next_element::<Element>()?;
            let Some(element) = element else { break };
            let mut st = self.state.borrow_mut();
            if st.skip > 0 {
                st.skip -= 1;
                continue;
            }
            let index = st.index;
            st.index += 1;
            st.summary.eac_count += 1;
            if (st.on_element)(index, BorrowedElement::view(&element)) == Flow::Stop {
                st.stopped = true;
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_array("an object"))
    }
    visit_scalars!((), |visitor, kind| Err(visitor.not_array(kind)));
}

impl EacsSeed<'_, '_> {
    fn not_array<E: de::Error>(&self, found: &str) -> E {
        let key = self.state.borrow().key;
        let msg = format!("`{key}` must be an array, found {found}");
        wrong_shape(self.state, format!("/{key}"), msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general reading of a value object (`FieldReader::value`)
    /// makes of `text`, and what the quick reading makes of it.
    fn both(text: &str, opts: CheckOptions) -> (Option<EacValue>, Option<EacValue>) {
        let array = format!("[{text}]");
        let mut objects = crate::scan::Objects::new(&array).expect("no escapes");
        let mut members = Vec::new();
        assert_eq!(objects.next_object(&mut members), Ok(true), "{text}");
        let quick = quick_value(&members, opts);
        let fields = members
            .iter()
            .map(|&(k, v)| (Cow::Borrowed(k), Raw::Span(v)))
            .collect();
        let mut errors = Vec::new();
        let (general, _) = read_value(fields, "/eacs/0", 0, None, opts, &mut errors);
        assert_eq!(general.is_some(), errors.is_empty(), "{text}: {errors:?}");
        (quick, general)
    }

    const VALUE: &str = r#"{"eac_number": "N-1", "issued": "2024-02-01", "retired": null,
        "start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00+01:00",
        "unit": "MWh", "value": 1000.0}"#;

    #[test]
    fn a_plain_value_is_read_quickly_as_the_general_reading_reads_it() {
        for opts in [
            CheckOptions::import(),
            CheckOptions::validate(),
            CheckOptions::state(),
        ] {
            let (quick, general) = both(VALUE, opts);
            assert!(quick.is_some(), "the quick reading took the plain value");
            assert_eq!(quick, general);
            assert_eq!(quick.expect("read").value.as_str(), "1000.0");
        }
    }

    #[test]
    fn what_the_general_reading_refuses_the_quick_one_declines() {
        let null_issued = VALUE.replace(r#""2024-02-01","#, "null,");
        let (quick, general) = both(&null_issued, CheckOptions::import());
        assert_eq!(
            (quick, general),
            (None, None),
            "an import needs the issue date"
        );
        let (quick, general) = both(&null_issued, CheckOptions::state());
        assert!(quick.is_some(), "a saved state may lack it");
        assert_eq!(quick, general);
        for broken in [
            VALUE.replace("1000.0", r#""1000.0""#),
            VALUE.replace(r#""MWh""#, r#""GWh""#),
            VALUE.replace("2024-02-01T00:00:00+01:00", "2024-02-01"),
            VALUE.replace(r#""N-1""#, "7"),
            VALUE.replace(r#""eac_number""#, r#""eac_numbers""#),
        ] {
            assert_eq!(
                both(&broken, CheckOptions::import()),
                (None, None),
                "{broken}"
            );
        }
        // Good, but more than a value needs: an extension.
        let extended = VALUE.replace('}', r#", "note": "x"}"#);
        let (quick, general) = both(&extended, CheckOptions::import());
        assert!(quick.is_none() && general.is_some(), "{extended}");
    }

    /// Tester 39, finding 7: `mWh` is read as MWh (units are
    /// case-insensitive, decision 4) with a warning at the first value so
    /// written, saying how many more of the EAC's are; `mwh`, `MWH` and
    /// the usual spellings say nothing.
    #[test]
    fn a_unit_written_as_milliwatt_hours_is_read_as_mwh_with_a_warning() {
        let listing = |unit: &str| {
            let value = VALUE.replace("\"MWh\"", &format!("\"{unit}\""));
            let second = value.replace("N-1", "N-2");
            format!(
                r#"{{"eacs": [{{"cds_eac_id": "E1", "cds_created": "2024-01-01T00:00:00Z",
                "cds_modified": "2024-01-01T00:00:00Z", "eac_number": null, "source_id": "s",
                "source_name": "S", "destination_id": "d", "destination_name": "D",
                "beneficiary_type": "general", "beneficiaries": [], "asset_id": "a",
                "asset_origination": "grid", "asset_destination": "grid",
                "technology_type": "wind", "emissions_factor_direct": 0,
                "emissions_factor_lca": 0, "period_start": "2024-01-01T00:00:00Z",
                "period_end": "2024-03-01T00:00:00Z", "values": [{value}, {second}]}}]}}"#
            )
        };
        let read = |unit: &str| {
            let mut found = Vec::new();
            read_listing(listing(unit).as_bytes(), CheckOptions::import(), |_, r| {
                match r {
                    EacRead::Valid { eac, warnings } => found.push((eac.values, warnings)),
                    other => panic!("{unit}: {other:?}"),
                }
                Flow::Continue
            })
            .unwrap();
            found.pop().unwrap()
        };
        let (values, warnings) = read("mWh");
        assert!(values.iter().all(|v| v.unit == EnergyUnit::MWh));
        let said: Vec<(&str, &str)> = (warnings.iter())
            .map(|w| (w.pointer.as_str(), w.message.as_str()))
            .collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert_eq!(said[0].0, "/eacs/0/values/0/unit");
        assert!(
            said[0].1.starts_with(
                "the unit `mWh` is read as MWh (megawatt-hours): units are case-insensitive in \
                 CDS data (digest §c)"
            ) && said[0].1.ends_with("(so is 1 more value of this EAC)"),
            "{said:?}"
        );
        for unit in ["MWh", "mwh", "MWH", "kWh", "Wh"] {
            assert!(read(unit).1.is_empty(), "{unit}");
        }
    }

    proptest::proptest! {
        /// For any value object built from good, bad, null, missing,
        /// repeated-looking and extra members, the quick reading either
        /// declines or reads exactly what the general reading reads.
        #[test]
        fn the_quick_reading_of_a_value_agrees_with_the_general_one(
            // Mostly the first (good) choice, so that many values are read
            // by both readings.
            choices in proptest::collection::vec(
                proptest::prop_oneof![3 => proptest::strategy::Just(0usize), 2 => 1usize..6],
                8,
            ),
            incomplete in proptest::bool::ANY,
        ) {
            let options: [(&str, [&str; 6]); 8] = [
                ("eac_number", [r#""N-1""#, "null", "1", r#""""#, r#""é 💡""#, "[]"]),
                ("issued", [r#""2024-02-01""#, "null", r#""2024-02-30""#, r#""2024-2-1""#, "20240201", r#""2024-12-31""#]),
                ("retired", [r#""2024-03-01""#, "null", r#""bad""#, "false", r#""2024-02-29""#, r#""2023-02-29""#]),
                ("start", [r#""2024-01-01T00:00:00Z""#, "null", r#""2024-01-01T00:00:00""#, r#""2024-01-01T24:00:00Z""#, r#""2024-01-01T00:00:00.5+05:30""#, "{}"]),
                ("end", [r#""2024-02-01T00:00:00Z""#, "null", r#""2024-02-01""#, "0", r#""2024-02-01T00:00:60Z""#, r#""2024-02-01T00:00:00.123456789Z""#]),
                ("unit", [r#""MWh""#, r#""kwh""#, r#""GWh""#, "null", r#""Wh""#, "7"]),
                ("value", ["1000.0", "45.106820", r#""1.0""#, "null", "-0", "1e2"]),
                ("note", ["", "", "", r#""an extension""#, "{}", "null"]),
            ];
            let members: Vec<String> = options
                .iter()
                .zip(&choices)
                .filter(|((_, texts), &c)| !texts[c].is_empty())
                // `eac_number` given as an array: left out (a member missing).
                .filter(|((key, _), &c)| !(*key == "eac_number" && c == 5))
                .map(|((key, texts), &c)| format!(r#""{key}": {}"#, texts[c]))
                .collect();
            let text = format!("{{{}}}", members.join(", "));
            let opts = if incomplete { CheckOptions::state() } else { CheckOptions::import() };
            let (quick, general) = both(&text, opts);
            if let Some(quick) = quick {
                proptest::prop_assert_eq!(Some(quick), general, "{}", text);
            }
        }
    }
}
