//! The profile P1 EAC object (2024-08-29 §12.1, §12.5, with the seed amendments).

use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::{
    AssetLocationType, BeneficiaryType, Date, Decimal, EnergyUnit, RetiredState, TechnologyType,
    Timestamp,
};

/// Fields a document carried that the spec does not define (digest rule 21),
/// in their original order and with their original text.
#[derive(Debug, Clone, Default)]
pub struct Extensions(pub Vec<(String, Box<RawValue>)>);

impl Extensions {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &(String, Box<RawValue>)> {
        self.0.iter()
    }
}

/// Equal when the same members carry the same JSON values, as an EAC's
/// data is compared (decision 360): the layout of a member's text (spaces,
/// line ends, a minified or pretty copy), the order of members and how a
/// string is escaped do not count; a number is its literal text
/// ([`crate::json_same::same_json`]). Each keeps its own text: an equal
/// copy read again leaves the stored one as written.
impl PartialEq for Extensions {
    fn eq(&self, other: &Self) -> bool {
        if self.0.len() != other.0.len() {
            return false;
        }
        // In the same order (the common case) each member is compared with
        // its counterpart; otherwise each is found by name (names are
        // unique: a duplicate key is refused, rule 20).
        self.0.iter().zip(&other.0).all(|((ka, va), (kb, vb))| {
            let (kb, vb) = match ka == kb {
                true => (kb, vb),
                false => match other.0.iter().find(|(k, _)| k == ka) {
                    Some((k, v)) => (k, v),
                    None => return false,
                },
            };
            ka == kb && crate::json_same::same_json(va.get(), vb.get())
        })
    }
}

/// One Energy Attribute Certificate with its values (profile P1).
#[derive(Debug, Clone, PartialEq)]
pub struct Eac {
    pub cds_eac_id: String,
    pub cds_created: Timestamp,
    pub cds_modified: Timestamp,
    pub eac_number: Option<String>,
    pub source_id: String,
    pub source_name: String,
    /// `None` (here and in the fields below marked "completable"): the
    /// document it came from (a registry statement) did not say; the EAC is
    /// stored as *incomplete* and blocks exports until the user enters it
    /// ([`Eac::missing`]). A CDS document always has them.
    pub destination_id: Option<String>,
    pub destination_name: Option<String>,
    /// Completable: registries name beneficiaries, they give no CDS type.
    pub beneficiary_type: Option<BeneficiaryType>,
    pub beneficiaries: Vec<String>,
    pub asset_id: String,
    pub asset_commissioned: Option<Date>,
    /// Completable.
    pub asset_origination: Option<AssetLocationType>,
    pub asset_destination: Option<AssetLocationType>,
    /// Completable: a registry technology not in the reader's table.
    pub technology_type: Option<TechnologyType>,
    /// `None`: the document held no number (e.g. `"TODO"`); must be entered
    /// before a P1 export (digest §f.4).
    pub emissions_factor_direct: Option<Decimal>,
    pub emissions_factor_lca: Option<Decimal>,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub values: Vec<EacValue>,
    pub extensions: Extensions,
}

/// One slice of an EAC: by time (`start`/`end` set) or by quantity (both null).
#[derive(Debug, Clone, PartialEq)]
pub struct EacValue {
    pub eac_number: Option<String>,
    /// Completable: I-REC and M-RETS statements print no issue date.
    pub issued: Option<Date>,
    /// `None` and not [`EacValue::retired_undated`]: not retired.
    pub retired: Option<Date>,
    /// The document proves the value was claimed (redeemed, cancelled,
    /// retired) but prints no date: `retired` is missing until entered.
    pub retired_undated: bool,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub unit: EnergyUnit,
    pub value: Decimal,
    pub extensions: Extensions,
}

impl Eac {
    /// Issuance: the earliest `values[].issued` (digest §f.1); `None` when
    /// no value has an issue date yet.
    pub fn issuance(&self) -> Option<Date> {
        self.values.iter().filter_map(|v| v.issued).min()
    }

    /// The market a claim reads of this EAC: `eacdesk_market`, else
    /// `eacdesk_device_country` (registry readers keep the device's
    /// country there), trimmed; `None` when neither holds text.
    pub fn claim_market(&self) -> Option<String> {
        self.extension_text("eacdesk_market")
            .or_else(|| self.extension_text("eacdesk_device_country"))
    }

    /// The bidding zone a claim reads of this EAC: `eacdesk_bidding_zone`,
    /// else `eacdesk_issue_market_zone` (the EnergyTag reader keeps a
    /// bundle's `issue_market_zone` there), trimmed; `None` when neither
    /// holds text.
    pub fn claim_bidding_zone(&self) -> Option<String> {
        self.extension_text("eacdesk_bidding_zone")
            .or_else(|| self.extension_text("eacdesk_issue_market_zone"))
    }

    /// The text of the extension `name` when it is a JSON string that is
    /// not blank, trimmed.
    fn extension_text(&self, name: &str) -> Option<String> {
        self.extensions
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, raw)| serde_json::from_str::<String>(raw.get()).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// The completable fields this EAC lacks, in field order (values in
    /// value order): empty for a complete EAC. An incomplete EAC is stored
    /// and shown but blocks P1 and P2 exports.
    pub fn missing(&self) -> Vec<Missing> {
        use Completable::*;
        let mut out = Vec::new();
        let mut eac = |absent: bool, field| {
            if absent {
                out.push(Missing { field, value: None });
            }
        };
        eac(self.destination_id.is_none(), DestinationId);
        eac(self.destination_name.is_none(), DestinationName);
        eac(self.beneficiary_type.is_none(), BeneficiaryType);
        eac(self.asset_origination.is_none(), AssetOrigination);
        eac(self.asset_destination.is_none(), AssetDestination);
        eac(self.technology_type.is_none(), TechnologyType);
        eac(
            self.emissions_factor_direct.is_none(),
            EmissionsFactorDirect,
        );
        eac(self.emissions_factor_lca.is_none(), EmissionsFactorLca);
        for (i, v) in self.values.iter().enumerate() {
            if v.issued.is_none() {
                out.push(Missing {
                    field: Issued,
                    value: Some(i),
                });
            }
            if v.retired_undated && v.retired.is_none() {
                out.push(Missing {
                    field: Retired,
                    value: Some(i),
                });
            }
        }
        out
    }

    /// The distinct names of the missing fields (`destination_id`,
    /// `issued`, …), in field order: what `ls --incomplete` and the app show.
    pub fn missing_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for m in self.missing() {
            if !names.contains(&m.field.as_str()) {
                names.push(m.field.as_str());
            }
        }
        names
    }

    /// Retired (partly) counts values with a retirement date and values a
    /// statement proves retired without printing the date.
    pub fn retired_state(&self) -> RetiredState {
        let retired = self.values.iter().filter(|v| v.is_retired()).count();
        match retired {
            0 => RetiredState::No,
            n if n == self.values.len() => RetiredState::Yes,
            _ => RetiredState::Partly,
        }
    }

    /// Exact total quantity per unit, in unit order (Wh, kWh, MWh).
    pub fn quantities(&self) -> Vec<(EnergyUnit, Decimal)> {
        EnergyUnit::ALL
            .iter()
            .filter_map(|unit| {
                let mut of_unit = self
                    .values
                    .iter()
                    .filter(|v| v.unit == *unit)
                    .map(|v| &v.value)
                    .peekable();
                of_unit.peek()?;
                Some((*unit, Decimal::sum(of_unit)))
            })
            .collect()
    }

    /// Emission factors are both present (digest §f.4).
    pub fn has_emission_factors(&self) -> bool {
        self.emissions_factor_direct.is_some() && self.emissions_factor_lca.is_some()
    }

    /// The key of the P1 listing order (digest §b).
    pub fn p1_order_key(&self) -> P1OrderKey {
        P1OrderKey {
            eac_number: self.eac_number.clone(),
            issuance: self.issuance(),
            cds_eac_id: self.cds_eac_id.clone(),
        }
    }
}

/// A field a registry statement may not give, which the user completes
/// (`eacdesk set FIELD=VALUE`, the app's detail pane and bulk edit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Completable {
    DestinationId,
    DestinationName,
    BeneficiaryType,
    AssetOrigination,
    AssetDestination,
    TechnologyType,
    EmissionsFactorDirect,
    EmissionsFactorLca,
    /// A value's `issued` date.
    Issued,
    /// A value's `retired` date, when the document proves the claim.
    Retired,
}

impl Completable {
    pub const ALL: &'static [Completable] = &[
        Completable::DestinationId,
        Completable::DestinationName,
        Completable::BeneficiaryType,
        Completable::AssetOrigination,
        Completable::AssetDestination,
        Completable::TechnologyType,
        Completable::EmissionsFactorDirect,
        Completable::EmissionsFactorLca,
        Completable::Issued,
        Completable::Retired,
    ];

    /// The field's CDS name.
    pub fn as_str(self) -> &'static str {
        match self {
            Completable::DestinationId => "destination_id",
            Completable::DestinationName => "destination_name",
            Completable::BeneficiaryType => "beneficiary_type",
            Completable::AssetOrigination => "asset_origination",
            Completable::AssetDestination => "asset_destination",
            Completable::TechnologyType => "technology_type",
            Completable::EmissionsFactorDirect => "emissions_factor_direct",
            Completable::EmissionsFactorLca => "emissions_factor_lca",
            Completable::Issued => "issued",
            Completable::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<Completable> {
        Completable::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == text)
    }

    /// A field of each value rather than of the EAC.
    pub fn of_value(self) -> bool {
        matches!(self, Completable::Issued | Completable::Retired)
    }
}

/// One missing field: of the EAC (`value: None`) or of value `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    pub field: Completable,
    pub value: Option<usize>,
}

impl Missing {
    /// The field's JSON pointer below the EAC (`destination_id`,
    /// `values/0/issued`).
    pub fn path(&self) -> String {
        match self.value {
            Some(i) => format!("values/{i}/{}", self.field.as_str()),
            None => self.field.as_str().to_owned(),
        }
    }
}

/// P1 order: `eac_number` ascending in code-point order with nulls last;
/// ties newest issuance first; then `cds_eac_id` ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P1OrderKey {
    pub eac_number: Option<String>,
    pub issuance: Option<Date>,
    pub cds_eac_id: String,
}

impl Ord for P1OrderKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        // UTF-8 byte order is code-point order.
        let number = match (&self.eac_number, &other.eac_number) {
            (Some(a), Some(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        number
            .then_with(|| other.issuance.cmp(&self.issuance))
            .then_with(|| self.cds_eac_id.as_bytes().cmp(other.cds_eac_id.as_bytes()))
    }
}

impl PartialOrd for P1OrderKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl EacValue {
    /// Retired: on a known date, or proven by its document without one.
    pub fn is_retired(&self) -> bool {
        self.retired.is_some() || self.retired_undated
    }
}

/// Serializes in the spec's field order, extensions last.
impl Serialize for Eac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cds_eac_id", &self.cds_eac_id)?;
        m.serialize_entry("cds_created", &self.cds_created)?;
        m.serialize_entry("cds_modified", &self.cds_modified)?;
        m.serialize_entry("eac_number", &self.eac_number)?;
        m.serialize_entry("source_id", &self.source_id)?;
        m.serialize_entry("source_name", &self.source_name)?;
        m.serialize_entry("destination_id", &self.destination_id)?;
        m.serialize_entry("destination_name", &self.destination_name)?;
        m.serialize_entry("beneficiary_type", &self.beneficiary_type)?;
        m.serialize_entry("beneficiaries", &self.beneficiaries)?;
        m.serialize_entry("asset_id", &self.asset_id)?;
        if let Some(date) = &self.asset_commissioned {
            m.serialize_entry("asset_commissioned", date)?;
        }
        m.serialize_entry("asset_origination", &self.asset_origination)?;
        m.serialize_entry("asset_destination", &self.asset_destination)?;
        m.serialize_entry("technology_type", &self.technology_type)?;
        m.serialize_entry("emissions_factor_direct", &self.emissions_factor_direct)?;
        m.serialize_entry("emissions_factor_lca", &self.emissions_factor_lca)?;
        m.serialize_entry("period_start", &self.period_start)?;
        m.serialize_entry("period_end", &self.period_end)?;
        m.serialize_entry("values", &self.values)?;
        for (key, raw) in self.extensions.iter() {
            m.serialize_entry(key, raw)?;
        }
        m.end()
    }
}

impl Serialize for EacValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("eac_number", &self.eac_number)?;
        m.serialize_entry("issued", &self.issued)?;
        m.serialize_entry("retired", &self.retired)?;
        m.serialize_entry("start", &self.start)?;
        m.serialize_entry("end", &self.end)?;
        m.serialize_entry("unit", &self.unit)?;
        m.serialize_entry("value", &self.value)?;
        // Only in saved states of incomplete EACs (exports refuse them).
        if self.retired_undated {
            m.serialize_entry(RETIRED_UNDATED, &true)?;
        }
        for (key, raw) in self.extensions.iter() {
            m.serialize_entry(key, raw)?;
        }
        m.end()
    }
}

/// The member that keeps [`EacValue::retired_undated`] in a saved state.
pub const RETIRED_UNDATED: &str = "eacdesk_retired_undated";

/// Extension fields as one JSON object text (for storage), keeping raw values.
pub fn extensions_to_json(ext: &Extensions) -> Option<String> {
    if ext.is_empty() {
        return None;
    }
    let mut out = String::from("{");
    for (i, (key, raw)) in ext.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key).expect("a string serializes"));
        out.push(':');
        out.push_str(raw.get());
    }
    out.push('}');
    Some(out)
}

/// Reads text written by [`extensions_to_json`].
pub fn extensions_from_json(text: &str) -> Result<Extensions, serde_json::Error> {
    let obj: crate::strict::StrictObject = serde_json::from_str(text)?;
    Ok(Extensions(obj.fields))
}
