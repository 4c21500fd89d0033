//! Profile P2: the CDS-WG3-01 v1 EAC envelope (2026 §10.9.1), the server
//! metadata that declares EAC data formats (§5, §10.9.3), and the P2 listing
//! order (§10.9.4). Detail data sits behind `eac_data_url`; EAC Desk's own
//! detail format is the P1 EAC object with its values (digest §a "File-based P2").

use std::io;

use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::check::{
    check_assignment, check_extension_texts, check_identity_and_period, check_text, named_id,
    CheckOptions, IdsInOrder,
};
use crate::read::{is_absolute_url, read_object, read_objects, FieldReader, ObjectRead};
use crate::strict::StrictObject;
use crate::{
    BeneficiaryType, Eac, Extensions, Flow, ListingError, ListingSummary, Rule, Timestamp,
    Violation,
};

/// The id under which EAC Desk declares its detail format.
pub const EACDESK_FORMAT_ID: &str = "eacdesk_eac_json_v1";

/// One EAC in the v1 envelope: who it is for, which certificate numbers it
/// covers, and where its detail data is.
#[derive(Debug, Clone, PartialEq)]
pub struct EacEnvelope {
    pub cds_eac_id: String,
    pub cds_created: Timestamp,
    pub cds_modified: Timestamp,
    pub cds_synced: Timestamp,
    pub beneficiary_type: BeneficiaryType,
    pub beneficiaries: Vec<String>,
    pub eac_numbers: Vec<String>,
    pub eac_format: String,
    pub eac_data_url: String,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub extensions: Extensions,
}

impl EacEnvelope {
    /// The envelope of a stored EAC (digest §a): `eac_numbers` are the distinct
    /// non-null EAC and value numbers, the EAC's own first. `None` for an
    /// incomplete EAC without a beneficiary type (exports refuse those
    /// before they get here).
    pub fn of(
        eac: &Eac,
        cds_synced: Timestamp,
        eac_format: &str,
        eac_data_url: String,
    ) -> Option<Self> {
        Some(EacEnvelope {
            cds_eac_id: eac.cds_eac_id.clone(),
            cds_created: eac.cds_created,
            cds_modified: eac.cds_modified,
            cds_synced,
            beneficiary_type: eac.beneficiary_type?,
            beneficiaries: eac.beneficiaries.clone(),
            eac_numbers: eac_numbers(eac),
            eac_format: eac_format.to_owned(),
            eac_data_url,
            period_start: eac.period_start,
            period_end: eac.period_end,
            extensions: kept_envelope_members(eac).unwrap_or_default(),
        })
    }

    pub fn p2_order_key(&self) -> P2OrderKey {
        P2OrderKey {
            period_start: self.period_start,
            cds_created: self.cds_created,
            cds_eac_id: self.cds_eac_id.clone(),
        }
    }
}

/// The extension member in which a full EAC keeps the extra members of the
/// P2 envelope it was imported with (rule 21: extra fields are allowed in
/// an envelope too), as one JSON object in their order and with their
/// text: a P2 export writes them in the EAC's envelope again, a P1 export
/// (which has no envelope) keeps them in this member, so nothing of the
/// envelope is lost either way. Envelope-only EACs keep theirs beside
/// their envelope (`eac_envelopes.extensions`).
pub const ENVELOPE_MEMBERS: &str = "eacdesk_envelope";

/// The members of an envelope of its own (§10.9.1): an object in
/// [`ENVELOPE_MEMBERS`] naming one of these is no envelope's extra members.
const ENVELOPE_FIELDS: [&str; 11] = [
    "cds_eac_id",
    "cds_created",
    "cds_modified",
    "cds_synced",
    "beneficiary_type",
    "beneficiaries",
    "eac_numbers",
    "eac_format",
    "eac_data_url",
    "period_start",
    "period_end",
];

/// The extra envelope members `eac` keeps in [`ENVELOPE_MEMBERS`]; `None`
/// when it has no such member or the member is not an object of extra
/// members (it is then an extension like any other).
pub fn kept_envelope_members(eac: &Eac) -> Option<Extensions> {
    let (_, raw) = eac.extensions.iter().find(|(k, _)| k == ENVELOPE_MEMBERS)?;
    if !raw.get().trim_start().starts_with('{') {
        return None;
    }
    let members = crate::extensions_from_json(raw.get()).ok()?;
    let own = members
        .iter()
        .any(|(k, _)| ENVELOPE_FIELDS.contains(&k.as_str()));
    (!own).then_some(members)
}

/// Keeps the extra members of `envelope` in the EAC its detail file states
/// ([`ENVELOPE_MEMBERS`], after the EAC's own extension members). A detail
/// file that keeps them already (EAC Desk's P2 export writes the member in
/// the detail file too) must keep the same ones, as JSON values: `Err`
/// names what differs.
pub fn keep_envelope_members(eac: &mut Eac, envelope: &EacEnvelope) -> Result<(), String> {
    let has_member = eac.extensions.iter().any(|(k, _)| k == ENVELOPE_MEMBERS);
    if !has_member {
        if let Some(text) = crate::extensions_to_json(&envelope.extensions) {
            let raw = RawValue::from_string(text).map_err(|e| e.to_string())?;
            eac.extensions.0.push((ENVELOPE_MEMBERS.to_owned(), raw));
        }
        return Ok(());
    }
    let kept = kept_envelope_members(eac).unwrap_or_default();
    if kept == envelope.extensions {
        return Ok(());
    }
    // The members stated otherwise or by one side only, by name.
    let value = |e: &Extensions, k: &str| -> Option<String> {
        e.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.get().to_owned())
    };
    let mut differing: Vec<String> = Vec::new();
    for (k, _) in envelope.extensions.iter().chain(kept.iter()) {
        let same = match (value(&envelope.extensions, k), value(&kept, k)) {
            (Some(a), Some(b)) => crate::json_same::same_json(&a, &b),
            _ => false,
        };
        let shown = format!("`{}`", crate::quote(k));
        if !same && !differing.contains(&shown) {
            differing.push(shown);
        }
    }
    Err(format!(
        "the envelope's extra members differ from the ones its detail file keeps in \
         `{ENVELOPE_MEMBERS}` (in {}): both state the same EAC's envelope; correct the one that \
         is wrong, or take `{ENVELOPE_MEMBERS}` out of the detail file",
        differing.join(", ")
    ))
}

/// Distinct non-null numbers of an EAC and its values, in document order.
/// A blank number (empty or white space only) names no certificate and is
/// no entry, which rule 17 would refuse there (decision 276).
pub fn eac_numbers(eac: &Eac) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in eac
        .eac_number
        .iter()
        .chain(eac.values.iter().filter_map(|v| v.eac_number.as_ref()))
    {
        if !crate::check::is_blank(n) && seen.insert(n.as_str()) {
            out.push(n.clone());
        }
    }
    out
}

/// P2 order (§10.9.4): `period_start` newest first, then `cds_created` newest
/// first, then `cds_eac_id` ascending (code points).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P2OrderKey {
    pub period_start: Timestamp,
    pub cds_created: Timestamp,
    pub cds_eac_id: String,
}

impl Ord for P2OrderKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .period_start
            .cmp(&self.period_start)
            .then_with(|| other.cds_created.cmp(&self.cds_created))
            .then_with(|| self.cds_eac_id.as_bytes().cmp(other.cds_eac_id.as_bytes()))
    }
}

impl PartialOrd for P2OrderKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for EacEnvelope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cds_eac_id", &self.cds_eac_id)?;
        m.serialize_entry("cds_created", &self.cds_created)?;
        m.serialize_entry("cds_modified", &self.cds_modified)?;
        m.serialize_entry("cds_synced", &self.cds_synced)?;
        m.serialize_entry("beneficiary_type", &self.beneficiary_type)?;
        m.serialize_entry("beneficiaries", &self.beneficiaries)?;
        m.serialize_entry("eac_numbers", &self.eac_numbers)?;
        m.serialize_entry("eac_format", &self.eac_format)?;
        m.serialize_entry("eac_data_url", &self.eac_data_url)?;
        m.serialize_entry("period_start", &self.period_start)?;
        m.serialize_entry("period_end", &self.period_end)?;
        for (key, raw) in self.extensions.iter() {
            m.serialize_entry(key, raw)?;
        }
        m.end()
    }
}

/// The outcome of reading one envelope object (`eac` holds the envelope).
pub type EnvelopeRead = ObjectRead<EacEnvelope>;

/// Turns one JSON object into a P2 envelope, checking rules 2–5, 7–9, 17, 22.
pub fn envelope_from_fields(
    fields: Vec<(String, Box<RawValue>)>,
    base: &str,
    opts: CheckOptions,
) -> EnvelopeRead {
    // A type `validate` refused (rule 3): the envelope is built with a
    // stand-in that only its other rules see (it is invalid already).
    let refused_type = std::cell::Cell::new(false);
    read_object(
        fields,
        base,
        opts,
        |r, t| {
            refused_type.set(t == Some(None));
            read_envelope(r, t.map(|t| t.unwrap_or(BeneficiaryType::General)))
        },
        |env| {
            let kind = (!refused_type.get()).then_some(env.beneficiary_type);
            check_envelope_as(env, kind, base)
        },
    )
}

/// The fields of one envelope (rules 2, 3, 5), or None when one is missing
/// or broken (the reader holds why).
fn read_envelope(
    r: &mut FieldReader,
    beneficiary_type: Option<BeneficiaryType>,
) -> Option<EacEnvelope> {
    let cds_eac_id = r.required_string("cds_eac_id");
    let cds_created = r.timestamp("cds_created");
    let cds_modified = r.timestamp("cds_modified");
    let cds_synced = r.timestamp("cds_synced");
    let beneficiaries = r.string_list("beneficiaries");
    let eac_numbers = r.string_list("eac_numbers");
    let eac_format = r.required_string("eac_format");
    // The schema's `minLength: 1`: an empty format names no detail data,
    // and a P2 export (its `cds_eac_formats` keyed by it) could not be made.
    if eac_format.as_deref().is_some_and(|f| f.trim().is_empty()) {
        r.error(
            Rule::RequiredKeys,
            "eac_format",
            "`eac_format` is empty: it names the format of the EAC's detail data (a format id \
             of the server's `cds_eac_formats`)"
                .to_owned(),
        );
    }
    let eac_data_url = r.required_string("eac_data_url");
    if let Some(url) = &eac_data_url {
        if !is_absolute_url(url) {
            r.error(
                Rule::RequiredKeys,
                "eac_data_url",
                not_a_url("eac_data_url", url),
            );
        }
    }
    let period_start = r.timestamp("period_start");
    let period_end = r.timestamp("period_end");
    let extensions = r.extensions();
    Some(EacEnvelope {
        cds_eac_id: cds_eac_id?,
        cds_created: cds_created?,
        cds_modified: cds_modified?,
        cds_synced: cds_synced?,
        beneficiary_type: beneficiary_type?,
        beneficiaries: beneficiaries?,
        eac_numbers: eac_numbers?,
        eac_format: eac_format?,
        eac_data_url: eac_data_url?,
        period_start: period_start?,
        period_end: period_end?,
        extensions,
    })
}

/// Per-envelope rules 4, 7, 8, 9, 17, 22, and the text cap ([`crate::text`]).
pub fn check_envelope(env: &EacEnvelope, base: &str) -> Vec<Violation> {
    check_envelope_as(env, Some(env.beneficiary_type), base)
}

/// [`check_envelope`] judging the beneficiaries as of type `kind` (`None`:
/// a type refused by rule 3, whose list is held to rule 17 alone).
fn check_envelope_as(
    env: &EacEnvelope,
    kind: Option<BeneficiaryType>,
    base: &str,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let at = |field: &str| format!("{base}/{field}");
    check_assignment(kind, &env.beneficiaries, base, &mut out);
    let names = crate::check::UniqueStrings {
        a: "an EAC number",
        the: "the EAC number",
        item: "EAC number",
    };
    crate::check::check_unique_strings(&env.eac_numbers, &at("eac_numbers"), &names, &mut out);
    check_identity_and_period(env, base, &mut out);
    for (field, text) in [
        ("eac_format", &env.eac_format),
        ("eac_data_url", &env.eac_data_url),
    ] {
        check_text(field, Some(text), || at(field), &mut out);
    }
    check_extension_texts(&env.extensions, || base.to_owned(), &mut out);
    if env.cds_created > env.cds_synced {
        out.push(Violation::error(
            Rule::CreatedNotAfterModified,
            at("cds_synced"),
            format!(
                "synced ({}) before created ({})",
                env.cds_synced, env.cds_created
            ),
        ));
    }
    let id = named_id(&env.cds_eac_id);
    out.into_iter().map(|v| v.with_eac(id)).collect()
}

/// Streams a P2 listing, one envelope at a time.
pub fn read_p2_listing<R: io::Read>(
    reader: R,
    opts: CheckOptions,
    on_envelope: impl FnMut(usize, EnvelopeRead) -> Flow,
) -> Result<ListingSummary, ListingError> {
    read_objects(
        reader,
        |fields, base| envelope_from_fields(fields, base, opts),
        on_envelope,
    )
}

/// Listing-wide P2 rules: unique ids (7) and P2 order (10).
#[derive(Debug, Default)]
pub struct P2ListingChecks {
    ids: IdsInOrder<P2OrderKey>,
}

impl P2ListingChecks {
    /// For a listing read by [`read_p2_listing`], which judges every
    /// envelope's id (rule 7, [`crate::check::ListingIds`]): only the
    /// order is checked here.
    pub fn order_only() -> Self {
        P2ListingChecks {
            ids: IdsInOrder::order_only(),
        }
    }

    pub fn check(&mut self, env: &EacEnvelope, base: &str) -> Vec<Violation> {
        self.ids.check(
            &env.cds_eac_id,
            env.p2_order_key(),
            base,
            "out of listing order: P2 EACs must be sorted by `period_start` newest first, then `cds_created` newest first, then `cds_eac_id`",
        )
    }
}

/// An EAC data format description (§10.9.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EacFormat {
    pub id: String,
    pub name: String,
    pub description: String,
    pub documentation: String,
}

impl EacFormat {
    /// EAC Desk's detail format: one P1 EAC object with its values.
    /// `documentation` is where the bundle's own format description is
    /// published (it ships inside every bundle, next to `eacs.json`).
    pub fn eacdesk(documentation: String) -> Self {
        EacFormat {
            id: EACDESK_FORMAT_ID.to_owned(),
            name: "EAC Desk EAC JSON v1".to_owned(),
            description: "One EAC object of the CDS-WG3-01 draft of 2024-08-29 (as amended), with its values, as written by EAC Desk".to_owned(),
            documentation,
        }
    }
}

/// Server metadata (§5), as far as EACs are concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerMetadata {
    pub cds_customerdata_version: String,
    pub cds_eacs_api: Option<String>,
    /// Declared formats, in document order, keyed by id.
    pub cds_eac_formats: Vec<(String, EacFormat)>,
}

impl ServerMetadata {
    pub fn format(&self, id: &str) -> Option<&EacFormat> {
        self.cds_eac_formats
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, f)| f)
    }
}

impl Serialize for ServerMetadata {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Formats<'a>(&'a [(String, EacFormat)]);
        impl Serialize for Formats<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cds_customerdata_version", &self.cds_customerdata_version)?;
        if let Some(api) = &self.cds_eacs_api {
            m.serialize_entry("cds_eacs_api", api)?;
        }
        m.serialize_entry("cds_eac_formats", &Formats(&self.cds_eac_formats))?;
        m.end()
    }
}

/// Reads server metadata, checking rule 18 (and rules 2, 20 on its fields).
pub fn read_server_metadata(text: &str) -> Result<ServerMetadata, Vec<Violation>> {
    let text = crate::strict::utf8_text(text).map_err(|v| vec![v])?;
    let obj: StrictObject = serde_json::from_str(text).map_err(|e| {
        let mut v = Violation::error(Rule::StrictJson, "", crate::read::clean_message(&e));
        v.at_json_place(crate::place::json_error_place(text.as_bytes(), &e));
        vec![v]
    })?;
    let mut r = FieldReader::new(obj.fields, "");
    let version = r.required_string("cds_customerdata_version");
    if let Some(v) = &version {
        if v != "v1" {
            r.error(
                Rule::DeclaredFormat,
                "cds_customerdata_version",
                format!(
                    "`cds_customerdata_version` must be \"v1\", found \"{}\"",
                    crate::quote(v)
                ),
            );
        }
    }
    let api = match r.take("cds_eacs_api") {
        None => None,
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(url) if is_absolute_url(&url) => Some(url),
            Ok(url) => {
                r.error(
                    Rule::RequiredKeys,
                    "cds_eacs_api",
                    not_a_url("cds_eacs_api", &url),
                );
                None
            }
            Err(_) => {
                r.error(
                    Rule::RequiredKeys,
                    "cds_eacs_api",
                    format!(
                        "`cds_eacs_api` must be an absolute URL (or left out), found {}",
                        crate::strict::kind_of(raw.get())
                    ),
                );
                None
            }
        },
    };
    let mut formats = Vec::new();
    match r.take("cds_eac_formats") {
        None if api.is_some() => r.error(
            Rule::DeclaredFormat,
            "cds_eac_formats",
            "`cds_eac_formats` is required once `cds_eacs_api` is set",
        ),
        None => {}
        Some(raw) => match serde_json::from_str::<StrictObject>(raw.get()) {
            Err(_) => r.error(
                Rule::RequiredKeys,
                "cds_eac_formats",
                "`cds_eac_formats` must be an object mapping format ids to descriptions",
            ),
            Ok(map) => {
                for (key, raw) in map.fields {
                    let base = format!("/cds_eac_formats/{}", crate::pointer_token(&key));
                    let Ok(desc) = serde_json::from_str::<StrictObject>(raw.get()) else {
                        r.errors.push(Violation::error(
                            Rule::RequiredKeys,
                            base,
                            "a format description must be an object",
                        ));
                        continue;
                    };
                    let mut fr = FieldReader::new(desc.fields, &base);
                    let id = fr.required_string("id");
                    let name = fr.required_string("name");
                    let description = fr.required_string("description");
                    let documentation = fr.required_string("documentation");
                    if let Some(doc) = &documentation {
                        if !is_absolute_url(doc) {
                            fr.error(
                                Rule::RequiredKeys,
                                "documentation",
                                not_a_url("documentation", doc),
                            );
                        }
                    }
                    if let Some(id) = &id {
                        if *id != key {
                            fr.error(
                                Rule::DeclaredFormat,
                                "id",
                                format!(
                                    "format id `{}` differs from its map key `{}`",
                                    crate::quote(id),
                                    crate::quote(&key)
                                ),
                            );
                        }
                    }
                    // Its other members are extensions: held to rule 20
                    // like every member (at most 64 levels, decision 58).
                    let _ = fr.extensions();
                    r.errors.append(&mut fr.errors);
                    if let (Some(id), Some(name), Some(description), Some(documentation)) =
                        (id, name, description, documentation)
                    {
                        formats.push((
                            key,
                            EacFormat {
                                id,
                                name,
                                description,
                                documentation,
                            },
                        ));
                    }
                }
            }
        },
    }
    let _ = r.extensions();
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    Ok(ServerMetadata {
        cds_customerdata_version: version.unwrap_or_default(),
        cds_eacs_api: api,
        cds_eac_formats: formats,
    })
}

/// The message for `key` holding `url`, which is not an absolute URL.
fn not_a_url(key: &str, url: &str) -> String {
    format!(
        "`{key}` must be an absolute URL, found `{}`: {}",
        crate::quote(url),
        crate::read::url_problem(url)
    )
}

/// Reads one EAC object document (a P2 detail file in EAC Desk's format).
pub fn read_eac_document(text: &str, opts: CheckOptions) -> crate::EacRead {
    let text = match crate::strict::utf8_text(text) {
        Ok(text) => text,
        Err(v) => {
            return crate::EacRead::Invalid {
                violations: vec![v],
            }
        }
    };
    // Read borrowed from the text, so a finding inside a member (a key
    // twice in an extension) is placed in the file.
    if let Ok(crate::frame::BorrowedElement::Object(fields)) = serde_json::from_str(text) {
        let origin = crate::read::Origin {
            text,
            place: crate::place::Place::START,
        };
        return crate::read::eac_from_borrowed(&fields, "", Some(origin), opts);
    }
    match serde_json::from_str::<StrictObject>(text) {
        Ok(obj) => crate::read::eac_from_fields(obj.fields, "", opts),
        Err(e) => {
            let mut v = Violation::error(Rule::StrictJson, "", crate::read::clean_message(&e));
            v.at_json_place(crate::place::json_error_place(text.as_bytes(), &e));
            crate::EacRead::Invalid {
                violations: vec![v],
            }
        }
    }
}

/// An EAC EAC Desk wrote itself as JSON after checking it (a registry
/// statement kept with its source), read back without judging its rules
/// again; `None` when the text is no such EAC.
pub fn read_stored_eac(text: &str) -> Option<Eac> {
    let obj = serde_json::from_str::<StrictObject>(text).ok()?;
    match crate::read::eac_from_fields_unchecked(obj.fields, "", CheckOptions::state()) {
        crate::EacRead::Valid { eac, .. } => Some(*eac),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_example_reads() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/spec-examples/good-p2-meeting-0926.json"
        ))
        .unwrap();
        let mut ok = 0;
        let mut checks = P2ListingChecks::default();
        read_p2_listing(text.as_bytes(), CheckOptions::validate(), |i, r| {
            match r {
                EnvelopeRead::Valid { eac: envelope, .. } => {
                    assert!(checks.check(&envelope, &format!("/eacs/{i}")).is_empty());
                    ok += 1
                }
                other => panic!("{other:?}"),
            }
            Flow::Continue
        })
        .unwrap();
        assert_eq!(ok, 4);
    }

    /// An envelope whose `eac_format` is empty (or blank) is refused where
    /// it is read, as the schema refuses it: the store would keep it and no
    /// P2 export could name its format.
    #[test]
    fn an_empty_eac_format_is_refused_by_rule_2() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/spec-examples/good-p2-meeting-0926.json"
        ))
        .unwrap();
        for empty in ["\"\"", "\"  \""] {
            let bad = text.replacen(
                "\"eac_format\": \"certiq\"",
                &format!("\"eac_format\": {empty}"),
                1,
            );
            assert_ne!(bad, text);
            let mut refused = Vec::new();
            read_p2_listing(bad.as_bytes(), CheckOptions::import(), |i, r| {
                if let EnvelopeRead::Invalid { violations } = r {
                    refused.push((i, violations));
                }
                Flow::Continue
            })
            .unwrap();
            assert_eq!(refused.len(), 1, "{refused:?}");
            let v = &refused[0].1[0];
            assert_eq!(
                (v.rule, v.pointer.as_str()),
                (2, "/eacs/0/eac_format"),
                "{v}"
            );
        }
    }

    /// The first envelope of the meeting example with `field` set to the
    /// JSON `value`, read for import: what it was refused for, if anything.
    fn envelope_refusals(field: &str, value: &str) -> Vec<Violation> {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/spec-examples/good-p2-meeting-0926.json"
        ))
        .unwrap();
        let mut listing: serde_json::Value = serde_json::from_str(&text).unwrap();
        listing["eacs"][0][field] = serde_json::from_str(value).unwrap();
        let text = serde_json::to_string(&listing).unwrap();
        let mut refused = Vec::new();
        read_p2_listing(text.as_bytes(), CheckOptions::import(), |i, r| {
            if let (0, EnvelopeRead::Invalid { violations }) = (i, r) {
                refused = violations;
            }
            Flow::Continue
        })
        .unwrap();
        refused
    }

    /// Decision 275: `eac_data_url` is judged by the JSON Schema `uri`
    /// format `validate` applies, so import refuses what validate refuses.
    #[test]
    fn an_eac_data_url_the_schema_calls_no_uri_is_refused_where_it_is_read() {
        for url in [
            r#""https://x.org/a[1]|b^c.pdf""#,
            r#""https://x.org/a%zz""#,
            r#""https://x.org/é""#,
            r#""https://bücher.example/a""#,
            r#""https://x.org/a\\b""#,
            r#""https://x.org/a\"b""#,
            r#""https://x.org/a{b}""#,
            r#""https://x.org/a<b>""#,
            r#""https://x.org/a`b""#,
            r#""https://x.org/#a#b""#,
            r#""https://x.org/a%""#,
        ] {
            let refused = envelope_refusals("eac_data_url", url);
            assert!(
                refused
                    .iter()
                    .any(|v| v.rule == 2 && v.pointer == "/eacs/0/eac_data_url"),
                "{url}: {refused:?}"
            );
        }
        for url in [
            r#""https://x.org/a%5B1%5D""#,
            r#""https://x.org/a?b=c#d""#,
            r#""urn:isbn:0451450523""#,
            r#""https://[::1]/a""#,
        ] {
            assert!(envelope_refusals("eac_data_url", url).is_empty(), "{url}");
        }
    }

    /// Decision 276: a blank EAC number is refused as a blank beneficiary
    /// id is (rule 17's "non-empty" read one way).
    #[test]
    fn blank_eac_numbers_are_refused_as_blank_beneficiary_ids_are() {
        for (field, list) in [
            ("eac_numbers", r#"[" "]"#),
            ("eac_numbers", r#"["\t"]"#),
            ("eac_numbers", r#"[""]"#),
            ("beneficiaries", r#"[" "]"#),
            ("beneficiaries", r#"[""]"#),
        ] {
            let refused = envelope_refusals(field, list);
            assert_eq!(refused.len(), 1, "{field} {list}: {refused:?}");
            let v = &refused[0];
            assert_eq!(
                (v.rule, v.pointer.as_str()),
                (17, format!("/eacs/0/{field}/0").as_str()),
                "{v}"
            );
        }
    }

    #[test]
    fn metadata_rule_18() {
        let good = r#"{"cds_customerdata_version": "v1", "cds_eacs_api": "https://x.example/eacs", "cds_eac_formats": {"f1": {"id": "f1", "name": "F", "description": "d", "documentation": "https://x.example/doc"}}}"#;
        assert_eq!(
            read_server_metadata(good)
                .unwrap()
                .format("f1")
                .unwrap()
                .name,
            "F"
        );
        let bad = good
            .replace("\"id\": \"f1\"", "\"id\": \"f2\"")
            .replace("\"v1\"", "\"v2\"");
        let errs = read_server_metadata(&bad).unwrap_err();
        assert_eq!(errs.iter().filter(|v| v.rule == 18).count(), 2, "{errs:?}");
    }
}
