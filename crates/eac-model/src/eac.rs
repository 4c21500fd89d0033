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

/// Equal when the same keys carry the same JSON text, in the same order.
impl PartialEq for Extensions {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((ka, va), (kb, vb))| ka == kb && va.get() == vb.get())
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
    pub destination_id: String,
    pub destination_name: String,
    pub beneficiary_type: BeneficiaryType,
    pub beneficiaries: Vec<String>,
    pub asset_id: String,
    pub asset_commissioned: Option<Date>,
    pub asset_origination: AssetLocationType,
    pub asset_destination: AssetLocationType,
    pub technology_type: TechnologyType,
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
    pub issued: Date,
    pub retired: Option<Date>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub unit: EnergyUnit,
    pub value: Decimal,
    pub extensions: Extensions,
}

impl Eac {
    /// Issuance: the earliest `values[].issued` (digest §f.1).
    pub fn issuance(&self) -> Option<Date> {
        self.values.iter().map(|v| v.issued).min()
    }

    pub fn retired_state(&self) -> RetiredState {
        let retired = self.values.iter().filter(|v| v.retired.is_some()).count();
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
        for (key, raw) in self.extensions.iter() {
            m.serialize_entry(key, raw)?;
        }
        m.end()
    }
}

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
