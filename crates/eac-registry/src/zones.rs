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

/// US states (and DC) and Canadian provinces and territories: code, name,
/// the zone of their largest part, and whether they span several zones.
/// A state split by a zone line takes the zone most of the state is in
/// (Tennessee: Central, where its capital and most of its land are).
const STATES: &[(&str, &str, Tz, bool)] = {
    use chrono_tz::America::*;
    use chrono_tz::Pacific::Honolulu;
    &[
        ("AL", "Alabama", Chicago, false),
        ("AK", "Alaska", Anchorage, true),
        ("AZ", "Arizona", Phoenix, false),
        ("AR", "Arkansas", Chicago, false),
        ("CA", "California", Los_Angeles, false),
        ("CO", "Colorado", Denver, false),
        ("CT", "Connecticut", New_York, false),
        ("DE", "Delaware", New_York, false),
        ("DC", "District of Columbia", New_York, false),
        ("FL", "Florida", New_York, true),
        ("GA", "Georgia", New_York, false),
        ("HI", "Hawaii", Honolulu, false),
        ("ID", "Idaho", Boise, true),
        ("IL", "Illinois", Chicago, false),
        ("IN", "Indiana", New_York, true),
        ("IA", "Iowa", Chicago, false),
        ("KS", "Kansas", Chicago, true),
        ("KY", "Kentucky", New_York, true),
        ("LA", "Louisiana", Chicago, false),
        ("ME", "Maine", New_York, false),
        ("MD", "Maryland", New_York, false),
        ("MA", "Massachusetts", New_York, false),
        ("MI", "Michigan", New_York, true),
        ("MN", "Minnesota", Chicago, false),
        ("MS", "Mississippi", Chicago, false),
        ("MO", "Missouri", Chicago, false),
        ("MT", "Montana", Denver, false),
        ("NE", "Nebraska", Chicago, true),
        ("NV", "Nevada", Los_Angeles, false),
        ("NH", "New Hampshire", New_York, false),
        ("NJ", "New Jersey", New_York, false),
        ("NM", "New Mexico", Denver, false),
        ("NY", "New York", New_York, false),
        ("NC", "North Carolina", New_York, false),
        ("ND", "North Dakota", Chicago, true),
        ("OH", "Ohio", New_York, false),
        ("OK", "Oklahoma", Chicago, false),
        ("OR", "Oregon", Los_Angeles, true),
        ("PA", "Pennsylvania", New_York, false),
        ("RI", "Rhode Island", New_York, false),
        ("SC", "South Carolina", New_York, false),
        ("SD", "South Dakota", Chicago, true),
        ("TN", "Tennessee", Chicago, true),
        ("TX", "Texas", Chicago, true),
        ("UT", "Utah", Denver, false),
        ("VT", "Vermont", New_York, false),
        ("VA", "Virginia", New_York, false),
        ("WA", "Washington", Los_Angeles, false),
        ("WV", "West Virginia", New_York, false),
        ("WI", "Wisconsin", Chicago, false),
        ("WY", "Wyoming", Denver, false),
        ("AB", "Alberta", Edmonton, false),
        ("BC", "British Columbia", Vancouver, true),
        ("MB", "Manitoba", Winnipeg, false),
        ("NB", "New Brunswick", Moncton, false),
        ("NL", "Newfoundland and Labrador", St_Johns, true),
        ("NS", "Nova Scotia", Halifax, false),
        ("NT", "Northwest Territories", Yellowknife, false),
        ("NU", "Nunavut", Iqaluit, true),
        ("ON", "Ontario", Toronto, true),
        ("PE", "Prince Edward Island", Halifax, false),
        ("QC", "Quebec", Toronto, true),
        ("SK", "Saskatchewan", Regina, false),
        ("YT", "Yukon", Whitehorse, false),
    ]
};

/// A US state or Canadian province as M-RETS prints a generator's
/// location: its two-letter code (`ND`, `MN`, `MB`) or its name
/// (`Minnesota`), also followed by a country (`Manitoba, Canada`); case
/// and surrounding spaces ignored. The one table both M-RETS readers (the
/// certificates CSV and the retirement confirmation) take zones from.
pub fn state(location: &str) -> Option<PlaceZone> {
    let key = location.split(',').next().unwrap_or("").trim();
    STATES
        .iter()
        .find(|(code, name, _, _)| code.eq_ignore_ascii_case(key) || name.eq_ignore_ascii_case(key))
        .map(|&(_, _, tz, several)| PlaceZone { tz, several })
}

/// The UTC zone, for places not in the tables (the reader warns).
pub fn utc() -> Tz {
    chrono_tz::UTC
}
