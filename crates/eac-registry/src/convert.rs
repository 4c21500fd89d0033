//! Registry ranges as CDS EACs, the same way for every format: one EAC
//! with one value per range; nothing the document does not state is filled
//! in (those fields stay `None` and the EAC is incomplete); everything CDS
//! has no field for is kept as `eacdesk_*` extension fields (digest rule
//! 21).

use eac_model::{Eac, EacValue, Extensions, Timestamp};
use serde_json::value::RawValue;

use crate::record::{Claim, RangeRecord, SplitBundle};
use crate::text;

/// The prefix of every extension field EAC Desk writes (digest rule 21:
/// extra fields are name-prefixed).
pub const PREFIX: &str = "eacdesk_";

/// The names of the facts [`to_eac`] writes itself (as `eacdesk_<name>`)
/// ahead of a document's own facts. A document fact of one of these names
/// is not written (the first of a name wins), so a mapping may not name a
/// fact so (`Mapping::validate`). `retired_undated` is the member a saved
/// value keeps its undated claim in (`eac_model::RETIRED_UNDATED`).
pub const BUILT_IN_FACTS: &[&str] = &[
    "registry",
    "status",
    "first_certificate",
    "last_certificate",
    "certificates",
    "energy_per_certificate",
    "device_name",
    "device_technology",
    "device_capacity",
    "device_country",
    "beneficiary_name",
    "holder",
    "registry_emissions_factor",
    "retired_undated",
];

/// The facts (names without [`PREFIX`]) that describe a range's status or
/// the claim of its certificates, in any reader's words: the status and
/// when the registry set it, who the certificates were claimed for and by
/// whom, why, when and into which account. A stored claim a document does
/// not repeat (a holdings download) keeps these with it: the document's
/// own speak of certificates it cannot see claimed (decision 304).
pub const CLAIM_FACTS: &[&str] = &[
    "status",
    "certificate_status",
    "status_date",
    "beneficiary_name",
    "holder",
    "purpose",
    "retirement_date",
    "retirement_reason",
    "retirement_reason_details",
    "retirement_account",
    "transaction_date",
    "consumption_start",
    "consumption_end",
    "consumption_period",
    "verification_key",
    "verification_url",
];

/// The `eacdesk_*` members of a range's EAC ([`to_eac`]) that describe
/// its status or claim ([`CLAIM_FACTS`]), in the EAC's order.
pub fn claim_members(eac: &Eac) -> Vec<String> {
    eac.extensions
        .iter()
        .filter_map(|(name, _)| {
            let fact = name.strip_prefix(PREFIX)?;
            CLAIM_FACTS.contains(&fact).then(|| name.clone())
        })
        .collect()
}

/// The stable `cds_eac_id` of a range: the same document (or any document
/// listing the same range of the same registry) always gives the same id.
pub fn eac_id(r: &RangeRecord) -> String {
    id_of(&r.registry, &r.first, &r.last)
}

/// The `cds_eac_id` a split bundle's range had as an EAC ([`eac_id`]).
pub fn split_eac_id(s: &SplitBundle) -> String {
    id_of(&s.registry, &s.first, &s.last)
}

fn id_of(registry: &str, first: &str, last: &str) -> String {
    if first == last {
        format!("{registry}:{first}")
    } else {
        format!("{registry}:{first}..{last}")
    }
}

/// The range as people read it: `first` or `first – last`.
pub fn range_text(r: &RangeRecord) -> String {
    if r.first == r.last {
        r.first.clone()
    } else {
        format!("{} – {}", r.first, r.last)
    }
}

/// One range as an EAC, created and modified at `now` (the import's time).
pub fn to_eac(r: &RangeRecord, now: Timestamp) -> Eac {
    let value = EacValue {
        eac_number: None,
        issued: r.issued,
        retired: match r.claim {
            Claim::On(d) => Some(d),
            Claim::No | Claim::Undated => None,
        },
        retired_undated: r.claim == Claim::Undated,
        start: Some(r.period_start),
        end: Some(r.period_end),
        unit: r.unit,
        // A printed total is the value as written; otherwise count × energy
        // per certificate, exactly.
        value: r
            .total
            .clone()
            .unwrap_or_else(|| text::times(&r.count, &r.per_certificate)),
        extensions: Extensions::default(),
    };
    Eac {
        cds_eac_id: eac_id(r),
        cds_created: now,
        cds_modified: now,
        eac_number: Some(range_text(r)),
        source_id: r.source_id.clone(),
        source_name: r.source_name.clone(),
        destination_id: None,
        destination_name: None,
        beneficiary_type: None,
        beneficiaries: Vec::new(),
        asset_id: r.device.id.clone(),
        asset_commissioned: r.device.commissioned,
        asset_origination: None,
        asset_destination: None,
        technology_type: r.device.technology_type,
        emissions_factor_direct: None,
        emissions_factor_lca: None,
        period_start: r.period_start,
        period_end: r.period_end,
        values: vec![value],
        extensions: extensions(r),
    }
}

/// What CDS has no field for, as `eacdesk_*` string fields in a fixed
/// order: the registry and its status, the range, the device, who
/// claimed, and the document's own facts.
fn extensions(r: &RangeRecord) -> Extensions {
    let mut out: Vec<(String, String)> = vec![
        ("registry".into(), r.registry.clone()),
        ("status".into(), r.status.as_str().to_owned()),
        ("first_certificate".into(), r.first.clone()),
        ("last_certificate".into(), r.last.clone()),
        ("certificates".into(), r.count.as_str().to_owned()),
        (
            "energy_per_certificate".into(),
            format!("{} {}", r.per_certificate.as_str(), r.unit),
        ),
    ];
    let mut opt = |name: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push((name.to_owned(), v.clone()));
        }
    };
    opt("device_name", &r.device.name);
    opt("device_technology", &r.device.technology);
    opt("device_capacity", &r.device.capacity);
    opt("device_country", &r.device.country);
    opt("beneficiary_name", &r.beneficiary_name);
    opt("holder", &r.holder);
    if let Some((factor, unit)) = &r.emissions {
        out.push((
            "registry_emissions_factor".into(),
            format!("{} {unit}", factor.as_str()),
        ));
    }
    for (name, value) in &r.facts {
        if !out.iter().any(|(k, _)| k == name) {
            out.push((name.clone(), value.clone()));
        }
    }
    Extensions(
        out.into_iter()
            .map(|(k, v)| {
                let json = serde_json::to_string(&v).expect("a string serializes");
                let raw = RawValue::from_string(json).expect("a JSON string is JSON");
                (format!("{PREFIX}{k}"), raw)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Device, Locator, Status};
    use eac_model::{Completable, Date, Decimal, EnergyUnit};

    fn record(claim: Claim) -> RangeRecord {
        RangeRecord {
            at: Locator::Line(3),
            registry: "irec".into(),
            source_id: "irec".into(),
            source_name: "I-REC".into(),
            first: "0000-0000-6529-5750.000000".into(),
            last: "0000-0000-6529-5761.999999".into(),
            series: String::new(),
            first_seq: "65295750.000000".into(),
            last_seq: "65295761.999999".into(),
            count: Decimal::parse("12.000000").unwrap(),
            per_certificate: Decimal::parse("1").unwrap(),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Redeemed,
            claim,
            issued: None,
            period_start: Timestamp::parse("2020-09-30T17:00:00Z").unwrap(),
            period_end: Timestamp::parse("2020-10-31T17:00:00Z").unwrap(),
            device: Device {
                id: "PLTA Poso".into(),
                ..Default::default()
            },
            emissions: None,
            beneficiary_name: Some("Protocol Labs".into()),
            holder: None,
            facts: vec![("purpose".into(), "Miner f0123".into())],
        }
    }

    #[test]
    fn a_range_becomes_one_incomplete_eac_with_nothing_invented() {
        let now = Timestamp::parse("2026-12-02T10:00:00Z").unwrap();
        let eac = to_eac(&record(Claim::Undated), now);
        assert_eq!(
            eac.cds_eac_id,
            "irec:0000-0000-6529-5750.000000..0000-0000-6529-5761.999999"
        );
        assert_eq!(eac.values.len(), 1);
        assert_eq!(eac.values[0].value.as_str(), "12.000000");
        assert!(eac.values[0].retired.is_none() && eac.values[0].retired_undated);
        let missing: Vec<Completable> = eac.missing().iter().map(|m| m.field).collect();
        assert_eq!(
            missing,
            [
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
            ]
        );
        let ext: Vec<(&str, &str)> = eac
            .extensions
            .iter()
            .map(|(k, v)| (k.as_str(), v.get()))
            .collect();
        assert!(ext.contains(&("eacdesk_status", "\"redeemed\"")), "{ext:?}");
        assert!(ext.contains(&("eacdesk_beneficiary_name", "\"Protocol Labs\"")));
        assert!(ext.contains(&("eacdesk_purpose", "\"Miner f0123\"")));
        assert!(ext.contains(&("eacdesk_certificates", "\"12.000000\"")));
        assert_eq!(
            claim_members(&eac),
            [
                "eacdesk_status",
                "eacdesk_beneficiary_name",
                "eacdesk_purpose"
            ]
        );
        // The same range always gets the same id.
        assert_eq!(
            to_eac(&record(Claim::Undated), now).cds_eac_id,
            eac.cds_eac_id
        );
    }

    #[test]
    fn every_fact_written_before_the_documents_own_is_a_built_in_name() {
        let mut r = record(Claim::Undated);
        r.facts.clear();
        r.device.name = Some("n".into());
        r.device.technology = Some("t".into());
        r.device.capacity = Some("c".into());
        r.device.country = Some("NO".into());
        r.holder = Some("h".into());
        r.emissions = Some((Decimal::parse("1").unwrap(), "kgCO2e/MWh".into()));
        let eac = to_eac(&r, Timestamp::parse("2026-12-02T10:00:00Z").unwrap());
        for (key, _) in eac.extensions.iter() {
            let name = key.strip_prefix(PREFIX).unwrap();
            assert!(BUILT_IN_FACTS.contains(&name), "{name} is not listed");
        }
        assert_eq!(
            eac_model::RETIRED_UNDATED.strip_prefix(PREFIX),
            Some("retired_undated")
        );
    }

    #[test]
    fn only_a_claim_retires_and_a_dated_claim_is_complete_there() {
        let now = Timestamp::parse("2026-12-02T10:00:00Z").unwrap();
        let d = Date::parse("2021-08-30").unwrap();
        let eac = to_eac(&record(Claim::On(d)), now);
        assert_eq!(eac.values[0].retired, Some(d));
        assert!(!eac.values[0].retired_undated);
        let eac = to_eac(&record(Claim::No), now);
        assert_eq!(eac.values[0].retired, None);
        assert!(!eac
            .missing()
            .iter()
            .any(|m| m.field == Completable::Retired));
    }
}
