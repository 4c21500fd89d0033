//! Which time zone a production period printed as local dates is in: one
//! table of countries / EECS domains (I-REC country of origin, GO issuing
//! domain) and one of US states and Canadian provinces (M-RETS location).
//!
//! A place spanning several zones maps to the zone most of its generation
//! (and its capital) is in, flagged `several` so the reader warns the user
//! which zone it took; a place not in the table has no zone (the reader
//! warns and reads the dates as UTC). Nothing here guesses silently.

use chrono_tz::Tz;

/// The zone a place's local dates are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceZone {
    pub tz: Tz,
    /// The place spans several zones; `tz` is its main one.
    pub several: bool,
}

const fn one(tz: Tz) -> Option<PlaceZone> {
    Some(PlaceZone { tz, several: false })
}

const fn main_of_several(tz: Tz) -> Option<PlaceZone> {
    Some(PlaceZone { tz, several: true })
}

/// A country or EECS domain by its English name as registries print it
/// (case-insensitive; `Norway`, `Viet Nam`, `Türkiye`, `Flanders`).
pub fn country(name: &str) -> Option<PlaceZone> {
    use chrono_tz::{Africa, America, Asia, Atlantic, Europe};
    let n = name.trim().to_lowercase();
    match n.as_str() {
        // EECS domains (Guarantees of Origin).
        "norway" => one(Europe::Oslo),
        "denmark" => one(Europe::Copenhagen),
        "sweden" => one(Europe::Stockholm),
        "finland" => one(Europe::Helsinki),
        "iceland" => one(Atlantic::Reykjavik),
        "germany" => one(Europe::Berlin),
        "netherlands" | "the netherlands" => one(Europe::Amsterdam),
        "belgium" | "flanders" | "wallonia" | "brussels" => one(Europe::Brussels),
        "luxembourg" => one(Europe::Luxembourg),
        "france" => one(Europe::Paris),
        "austria" => one(Europe::Vienna),
        "switzerland" => one(Europe::Zurich),
        "italy" => one(Europe::Rome),
        "spain" => main_of_several(Europe::Madrid),
        "portugal" => main_of_several(Europe::Lisbon),
        "ireland" => one(Europe::Dublin),
        "estonia" => one(Europe::Tallinn),
        "latvia" => one(Europe::Riga),
        "lithuania" => one(Europe::Vilnius),
        "poland" => one(Europe::Warsaw),
        "czech republic" | "czechia" => one(Europe::Prague),
        "slovakia" => one(Europe::Bratislava),
        "slovenia" => one(Europe::Ljubljana),
        "croatia" => one(Europe::Zagreb),
        "hungary" => one(Europe::Budapest),
        "greece" => one(Europe::Athens),
        "cyprus" => one(Asia::Nicosia),
        "serbia" => one(Europe::Belgrade),
        "montenegro" => one(Europe::Podgorica),
        "bosnia and herzegovina" => one(Europe::Sarajevo),
        "north macedonia" => one(Europe::Skopje),
        "united kingdom" => one(Europe::London),
        // I-REC countries.
        "indonesia" => main_of_several(Asia::Jakarta),
        "malaysia" => one(Asia::Kuala_Lumpur),
        "singapore" => one(Asia::Singapore),
        "thailand" => one(Asia::Bangkok),
        "viet nam" | "vietnam" => one(Asia::Ho_Chi_Minh),
        "philippines" => one(Asia::Manila),
        "china" => one(Asia::Shanghai),
        "taiwan" => one(Asia::Taipei),
        "japan" => one(Asia::Tokyo),
        "south korea" | "korea, republic of" => one(Asia::Seoul),
        "india" => one(Asia::Kolkata),
        "bangladesh" => one(Asia::Dhaka),
        "sri lanka" => one(Asia::Colombo),
        "pakistan" => one(Asia::Karachi),
        "kazakhstan" => main_of_several(Asia::Almaty),
        "united arab emirates" => one(Asia::Dubai),
        "saudi arabia" => one(Asia::Riyadh),
        "oman" => one(Asia::Muscat),
        "jordan" => one(Asia::Amman),
        "israel" => one(Asia::Jerusalem),
        "turkey" | "türkiye" | "turkiye" => one(Europe::Istanbul),
        "russia" | "russian federation" => main_of_several(Europe::Moscow),
        "ukraine" => one(Europe::Kyiv),
        "south africa" => one(Africa::Johannesburg),
        "egypt" => one(Africa::Cairo),
        "morocco" => one(Africa::Casablanca),
        "nigeria" => one(Africa::Lagos),
        "kenya" => one(Africa::Nairobi),
        "brazil" => main_of_several(America::Sao_Paulo),
        "mexico" => main_of_several(America::Mexico_City),
        "chile" => main_of_several(America::Santiago),
        "colombia" => one(America::Bogota),
        "peru" => one(America::Lima),
        "argentina" => one(America::Argentina::Buenos_Aires),
        "uruguay" => one(America::Montevideo),
        "guatemala" => one(America::Guatemala),
        "honduras" => one(America::Tegucigalpa),
        "el salvador" => one(America::El_Salvador),
        "costa rica" => one(America::Costa_Rica),
        "panama" => one(America::Panama),
        "dominican republic" => one(America::Santo_Domingo),
        _ => None,
    }
}

/// A US state or Canadian province by its two-letter code (`ND`, `MN`,
/// `MB`), as M-RETS prints a generator's location.
pub fn state(code: &str) -> Option<PlaceZone> {
    use chrono_tz::America;
    match code.trim().to_uppercase().as_str() {
        // Wholly in one zone.
        "MN" | "IA" | "WI" | "IL" | "MO" | "AR" | "LA" | "MS" | "AL" | "OK" => {
            one(America::Chicago)
        }
        "OH" | "PA" | "NY" | "VA" | "WV" | "NC" | "SC" | "GA" | "MD" | "DE" | "NJ" | "CT"
        | "RI" | "MA" | "VT" | "NH" | "ME" | "DC" => one(America::New_York),
        "MT" | "WY" | "CO" | "NM" | "UT" => one(America::Denver),
        "AZ" => one(America::Phoenix),
        "CA" | "WA" | "NV" => one(America::Los_Angeles),
        "HI" => one(chrono_tz::Pacific::Honolulu),
        "MB" => one(America::Winnipeg),
        "ON" => main_of_several(America::Toronto),
        "SK" => one(America::Regina),
        // Split by a zone line: the zone most of the state is in.
        "ND" | "SD" | "NE" | "KS" | "TX" => main_of_several(America::Chicago),
        "MI" | "IN" | "KY" | "TN" | "FL" => main_of_several(America::New_York),
        "ID" => main_of_several(America::Boise),
        "OR" => main_of_several(America::Los_Angeles),
        "AK" => main_of_several(America::Anchorage),
        _ => None,
    }
}

/// The UTC zone, for places not in the tables (the reader warns).
pub fn utc() -> Tz {
    chrono_tz::UTC
}
