//! The spec's enumerations (digest §a, §c).

use std::fmt;

use serde::{Deserialize, Serialize};

/// What every spec enumeration offers the shells: its values in spec
/// order, their spellings and parsing, and a label and a short help in
/// plain words for each value, so a CLI value parser, a UI list or a
/// tooltip is written once for all of them (the UI's lists are generated
/// from this: `ui/src/lib/bindings/enums.ts`).
pub trait SpecEnum: Copy + Send + Sync + 'static {
    /// Every value, in the spec's order.
    const ALL: &'static [Self];

    /// The spec's spelling.
    fn as_str(self) -> &'static str;

    /// The value in plain words, as the app shows it ("Service contract").
    fn label(self) -> &'static str;

    /// What the value means, in one or two plain sentences (CLI `--help`,
    /// the app's tooltips).
    fn help(self) -> &'static str;

    /// Exact (case-sensitive) spec spelling.
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// A spelling a person typed (an option, a form): any case, around
    /// white space, as the CLI's closed lists take them (decision 502);
    /// files keep [`SpecEnum::parse`]'s exact spelling.
    fn parse_typed(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().eq_ignore_ascii_case(text))
    }

    /// Every spelling, in the spec's order (for help texts and pickers).
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.as_str()).collect()
    }
}

/// One spec enumeration: each variant with its spelling, its label and
/// its help.
macro_rules! spec_enum {
    ($(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $variant:ident = $text:literal { label: $label:literal, help: $help:literal $(,)? }),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
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

            fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            fn help(self) -> &'static str {
                match self { $($name::$variant => $help),+ }
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
    /// Who an EAC is attributed to (2024-08-29 §12.2; 2026 §10.9.2); what
    /// each type's ids name is digest §e.
    BeneficiaryType {
        Customer = "customer" {
            label: "Customer",
            help: "Customers, named by their customer number (the customer_number of a CDS account).",
        },
        Account = "account" {
            label: "Account",
            help: "CDS accounts, named by their account id (cds_account_id).",
        },
        ServiceContract = "servicecontract" {
            label: "Service contract",
            help: "Service contracts, named by their id (cds_servicecontract_id).",
        },
        RatePlan = "rateplan" {
            label: "Rate plan",
            help: "Rate plans, named by their code (rateplan_code): the plan a service contract is on now.",
        },
        Program = "program" {
            label: "Program",
            help: "Programs, named by their program number (program_number of an account or service program).",
        },
        General = "general" {
            label: "General (everyone)",
            help: "Everyone: the EAC names no beneficiary, so its list of ids is empty.",
        },
    }
);

spec_enum!(
    /// Where the generating asset sits relative to the destination (§12.3).
    /// The working group has not settled the meaning (digest §f.7): the
    /// help says what the draft says.
    AssetLocationType {
        Grid = "grid" {
            label: "Grid",
            help: "Inside the destination's local distribution grid.",
        },
        Region = "region" {
            label: "Region",
            help: "Inside the area of the destination's regional transmission operator.",
        },
    }
);

spec_enum!(
    /// Generation technology (§12.4 draft list, plus the 2024-08-29 meeting's additions).
    TechnologyType {
        Solar = "solar" { label: "Solar", help: "Energy from sunlight." },
        Wind = "wind" { label: "Wind", help: "Energy from the wind." },
        Hydro = "hydro" { label: "Hydro", help: "Energy from flowing water." },
        Geothermal = "geothermal" { label: "Geothermal", help: "Energy from the earth's heat." },
        Biomass = "biomass" {
            label: "Biomass",
            help: "Energy from plant or animal matter, burned or digested.",
        },
        NaturalGas = "natural_gas" { label: "Natural gas", help: "Electricity from natural gas." },
        Coal = "coal" { label: "Coal", help: "Electricity from coal." },
        Oil = "oil" { label: "Oil", help: "Electricity from oil." },
        Nuclear = "nuclear" {
            label: "Nuclear",
            help: "Nuclear power. Not in the 2024-08-29 draft list: files holding it are accepted only with the extended technologies option.",
        },
        Marine = "marine" {
            label: "Marine",
            help: "Energy from ocean waves and tides. Not in the 2024-08-29 draft list: files holding it are accepted only with the extended technologies option.",
        },
        Storage = "storage" {
            label: "Storage",
            help: "Energy released from storage, such as batteries. Not in the 2024-08-29 draft list: files holding it are accepted only with the extended technologies option.",
        },
    }
);

spec_enum!(
    /// Energy units, in the 2026 spelling (§10.8.7.1).
    EnergyUnit {
        Wh = "Wh" { label: "Wh", help: "Watt-hours." },
        KWh = "kWh" { label: "kWh", help: "Kilowatt-hours: 1,000 Wh." },
        MWh = "MWh" { label: "MWh", help: "Megawatt-hours: 1,000,000 Wh." },
    }
);

spec_enum!(
    /// Whether an EAC's values are retired: none, some or all.
    RetiredState {
        No = "no" { label: "Not retired", help: "None of the EAC's values is retired." },
        Partly = "partly" {
            label: "Partly retired",
            help: "Some of the EAC's values are retired, others not.",
        },
        Yes = "yes" { label: "Retired", help: "Every value of the EAC is retired." },
    }
);

spec_enum!(
    /// The export profiles (digest §a).
    ExportProfile {
        /// CDSC-WG3-01 draft 2024-08-29 with values, as amended.
        P1 = "p1" {
            label: "CDS draft 2024-08-29 (with values)",
            help: "One JSON file with the certificates and all their values (the CDSC-WG3-01 draft of 2024-08-29, as amended).",
        },
        /// CDS-WG3-01 v1 envelope (bundle).
        P2 = "p2" {
            label: "CDS-WG3-01 v1 bundle",
            help: "A FOLDER, not a single file: eacs.json (the list of certificates), one detail file per EAC and server-metadata.json (CDS-WG3-01 v1).",
        },
    }
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
        // Every value is explained in plain words: a label and one or two
        // sentences, distinct per value.
        let mut helps = std::collections::HashSet::new();
        let mut labels = std::collections::HashSet::new();
        for v in T::ALL {
            let help = v.help();
            assert!(help.ends_with('.'), "{v:?}: {help}");
            assert!(
                help.starts_with(|c: char| c.is_uppercase()),
                "{v:?}: {help}"
            );
            assert!(helps.insert(help), "{v:?} repeats a help text");
            assert!(!v.label().is_empty() && labels.insert(v.label()), "{v:?}");
        }
    }

    #[test]
    fn every_spec_enum_lists_and_parses_its_spellings() {
        round_trips::<BeneficiaryType>();
        round_trips::<AssetLocationType>();
        round_trips::<TechnologyType>();
        round_trips::<EnergyUnit>();
        round_trips::<RetiredState>();
        round_trips::<ExportProfile>();
        assert_eq!(RetiredState::names(), ["no", "partly", "yes"]);
        assert_eq!(ExportProfile::names(), ["p1", "p2"]);
    }

    #[test]
    fn help_says_which_technologies_need_the_non_draft_flag() {
        for t in TechnologyType::ALL {
            let says = t.help().contains("Not in the 2024-08-29 draft list");
            assert_eq!(says, !t.is_draft(), "{t:?}: {}", t.help());
        }
        assert_eq!(BeneficiaryType::General.label(), "General (everyone)");
        assert!(BeneficiaryType::ServiceContract
            .help()
            .contains("cds_servicecontract_id"));
    }

    #[test]
    fn export_profiles_keep_their_wire_spelling() {
        assert_eq!(serde_json::to_string(&ExportProfile::P2).unwrap(), "\"p2\"");
        assert_eq!(
            serde_json::from_str::<ExportProfile>("\"p1\"").unwrap(),
            ExportProfile::P1
        );
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
