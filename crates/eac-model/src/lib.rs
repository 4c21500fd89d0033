//! The EAC domain model: the spec's types for export profile P1 (the
//! 2024-08-29 draft with values, as amended), exact decimals, RFC 3339 times,
//! strict streaming JSON reading and writing, and the checkable rules of the
//! digest (`shared/spec/EAC-SPEC-DIGEST.md` §d) as located [`Violation`]s.
//!
//! This crate never does IO of its own (it reads and writes any
//! `io::Read`/`io::Write` it is given), never touches SQLite or Tauri, and
//! never converts a quantity to a float.

pub mod check;
pub mod csv_quotes;
mod decimal;
mod eac;
mod enums;
pub mod frame;
pub mod json_same;
pub mod p2;
pub mod place;
pub mod read;
pub mod refdata;
mod scan;
pub mod strict;
pub mod text;
mod time;
pub mod units;
mod violation;
pub mod words;
pub mod write;

pub use check::{check_beneficiaries, check_eac, CheckOptions, ListingChecks, Purpose, SeenIds};
pub use decimal::{Decimal, DecimalError, ExactSum, UnitSums, MAX_AMOUNT_LEN, MAX_EXPONENT};
pub use eac::{
    extensions_from_json, extensions_to_json, Completable, Eac, EacValue, Extensions, Missing,
    P1OrderKey, RETIRED_UNDATED,
};
pub use enums::{
    AssetLocationType, BeneficiaryType, EnergyUnit, ExportProfile, RetiredState, SpecEnum,
    TechnologyType,
};
pub use read::{
    read_listing, read_listing_elements, EacRead, Flow, ListingError, ListingSummary, ObjectRead,
};
pub use text::MAX_TEXT_CHARS;
pub use time::{clock_words, no_such_day, period_words, Date, TimeError, Timestamp};
pub use violation::{cap, pointer_token, quote, rule_title, Rule, Severity, Violation};
pub use write::ListingWriter;
