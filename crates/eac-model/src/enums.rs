//! The spec's enumerations (digest §a, §c).

use std::fmt;

use serde::{Deserialize, Serialize};

/// What every spec enumeration offers the shells: its values in spec
/// order, their spellings and parsing, so a CLI value parser or a UI list
/// is written once for all of them.
pub trait SpecEnum: Copy + Send + Sync + 'static {
    /// Every value, in the spec's order.
    const ALL: &'static [Self];

    /// The spec's spelling.
    fn as_str(self) -> &'static str;

    /// Exact (case-sensitive) spec spelling.
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// Every spelling, in the spec's order (for help texts and pickers).
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.as_str()).collect()
    }
}

macro_rules! spec_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spec's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Exact (case-sensitive) spec spelling.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl SpecEnum for $name {
            const ALL: &'static [$name] = $name::ALL;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn parse(text: &str) -> Option<Self> {
                $name::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spec_enum!(
    /// Who an EAC is attributed to (2024-08-29 §12.2; 2026 §10.9.2).
    BeneficiaryType {
        Customer = "customer",
        Account = "account",
        ServiceContract = "servicecontract",
        RatePlan = "rateplan",
        Program = "program",
        General = "general",
    }
);

spec_enum!(
    /// Where the generating asset sits relative to the destination (§12.3).
    AssetLocationType { Grid = "grid", Region = "region" }
);

spec_enum!(
    /// Generation technology (§12.4 draft list, plus the 2024-08-29 meeting's additions).
    TechnologyType {
        Solar = "solar",
        Wind = "wind",
        Hydro = "hydro",
        Geothermal = "geothermal",
        Biomass = "biomass",
        NaturalGas = "natural_gas",
        Coal = "coal",
        Oil = "oil",
        Nuclear = "nuclear",
        Marine = "marine",
        Storage = "storage",
    }
);

spec_enum!(
    /// Energy units, in the 2026 spelling (§10.8.7.1).
    EnergyUnit { Wh = "Wh", KWh = "kWh", MWh = "MWh" }
);

spec_enum!(
    /// Whether an EAC's values are retired: none, some or all.
    RetiredState { No = "no", Partly = "partly", Yes = "yes" }
);

impl TechnologyType {
    /// In the 2024-08-29 draft's list; the others need the explicit
    /// non-draft flag (digest §f.5).
    pub fn is_draft(self) -> bool {
        !matches!(
            self,
            TechnologyType::Nuclear | TechnologyType::Marine | TechnologyType::Storage
        )
    }
}

impl EnergyUnit {
    /// Reads a unit case-insensitively (`kwh` in the 2024 examples).
    pub fn parse_lenient(text: &str) -> Option<Self> {
        EnergyUnit::ALL
            .iter()
            .copied()
            .find(|u| u.as_str().eq_ignore_ascii_case(text))
    }

    /// Powers of ten from Wh, to compare quantities across units exactly.
    pub fn wh_exponent(self) -> i64 {
        match self {
            EnergyUnit::Wh => 0,
            EnergyUnit::KWh => 3,
            EnergyUnit::MWh => 6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_case_insensitively_and_write_2026_spelling() {
        assert_eq!(EnergyUnit::parse_lenient("kwh"), Some(EnergyUnit::KWh));
        assert_eq!(EnergyUnit::parse_lenient("MWH").unwrap().as_str(), "MWh");
        assert_eq!(EnergyUnit::parse_lenient("kW"), None);
    }

    fn round_trips<T: SpecEnum + PartialEq + fmt::Debug>() {
        assert!(!T::ALL.is_empty());
        assert_eq!(T::names().len(), T::ALL.len());
        for (v, name) in T::ALL.iter().zip(T::names()) {
            assert_eq!(<T as SpecEnum>::parse(name), Some(*v));
        }
        assert_eq!(<T as SpecEnum>::parse(""), None);
    }

    #[test]
    fn every_spec_enum_lists_and_parses_its_spellings() {
        round_trips::<BeneficiaryType>();
        round_trips::<AssetLocationType>();
        round_trips::<TechnologyType>();
        round_trips::<EnergyUnit>();
        round_trips::<RetiredState>();
        assert_eq!(RetiredState::names(), ["no", "partly", "yes"]);
    }

    #[test]
    fn spellings_round_trip() {
        for t in TechnologyType::ALL {
            assert_eq!(TechnologyType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(
            BeneficiaryType::parse("servicecontract"),
            Some(BeneficiaryType::ServiceContract)
        );
        assert_eq!(BeneficiaryType::parse("Customer"), None);
    }
}
