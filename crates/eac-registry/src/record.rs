//! What a reader produces: registry facts, exactly as the document states
//! them, in registry-neutral types. Nothing here is guessed: a fact the
//! document does not print is `None`.

use std::fmt;

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType, Timestamp};

/// Where in a document something was read (for provenance and messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// 1-based line of a text file (CSV), counting preamble lines.
    Line(u64),
    /// 1-based line and column of a text file, as an editor counts them
    /// (`eac_model::place`: columns count characters): where a defect of
    /// the file's syntax is, not the row or element it is in.
    LineColumn(u64, u64),
    /// 1-based page of a PDF.
    Page(u32),
    /// An XML element, as a short path (`/Report/…/Detail[3]`).
    Element(String),
    /// A JSON pointer (`/0/certificate_bundle_id_range_start`).
    Pointer(String),
    /// The whole document.
    Document,
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Locator::Line(n) => write!(f, "line {n}"),
            Locator::LineColumn(line, column) => write!(f, "line {line}, column {column}"),
            Locator::Page(n) => write!(f, "page {n}"),
            Locator::Element(p) => write!(f, "element {p}"),
            // The empty pointer is the whole document: "JSON pointer :"
            // read as a message cut short.
            Locator::Pointer(p) if p.is_empty() => f.write_str("document"),
            Locator::Pointer(p) => write!(f, "JSON pointer {p}"),
            Locator::Document => f.write_str("document"),
        }
    }
}

/// A document a reader cannot read: nothing of it is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct ReadError {
    pub at: Locator,
    /// Plain words: what is wrong and what to do next.
    pub message: String,
}

impl ReadError {
    /// The message is a clause without its final full stop: whoever shows
    /// it ends the sentence (the import report adds "; nothing from it was
    /// imported", the app its own full stop), so a reader's "… import the
    /// file again." is kept without the `.` that made ".;" there.
    pub fn new(at: Locator, message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        message.truncate(message.trim_end().len());
        if message.ends_with('.') && !message.ends_with("..") {
            message.pop();
        }
        ReadError { at, message }
    }
}

/// A row or entry deliberately not imported (e.g. an Ofgem RO row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub at: Locator,
    pub reason: String,
}

/// Something read but worth the user's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub at: Locator,
    pub message: String,
}

/// Everything one document says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statement {
    /// Certificate ranges, in document order.
    pub ranges: Vec<RangeRecord>,
    /// Stations (Ofgem accredited stations report): not EACs.
    pub stations: Vec<Station>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
    /// Bundles the document says were split into others (EnergyTag's
    /// `Bundle Split`): not EACs (they are in `skipped` too), but the
    /// store replaces a stored EAC of the same range by the document's
    /// ranges that hold exactly its certificates.
    pub splits: Vec<SplitBundle>,
}

/// A range the document says was split into other ranges, which hold its
/// certificates now (EnergyTag's `Bundle Split`: the registry keeps the
/// parent bundle, with its range, beside the child bundles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitBundle {
    pub at: Locator,
    /// As [`RangeRecord`]'s fields of the same names.
    pub registry: String,
    pub first: String,
    pub last: String,
    pub series: String,
    pub first_seq: String,
    pub last_seq: String,
    /// The status as printed (`Bundle Split`).
    pub status: String,
}

/// The registry status of a range, as the document states it. The
/// lowercase name is kept exactly (`eacdesk_status`); only
/// [`Status::is_claim`] statuses make a value retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Issued,
    Active,
    Redeemed,
    Retired,
    Cancelled,
    Claimed,
    Expired,
    Revoked,
    Withdrawn,
    /// Any other status, lowercased as printed.
    Other(String),
}

impl Status {
    /// Reads a status word case-insensitively, trimming spaces.
    pub fn parse(text: &str) -> Status {
        let t = text.trim().to_lowercase();
        match t.as_str() {
            "issued" => Status::Issued,
            "active" => Status::Active,
            "redeemed" => Status::Redeemed,
            "retired" => Status::Retired,
            "cancelled" | "canceled" => Status::Cancelled,
            "claimed" => Status::Claimed,
            "expired" => Status::Expired,
            "revoked" => Status::Revoked,
            "withdrawn" => Status::Withdrawn,
            _ => Status::Other(t),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::Issued => "issued",
            Status::Active => "active",
            Status::Redeemed => "redeemed",
            Status::Retired => "retired",
            Status::Cancelled => "cancelled",
            Status::Claimed => "claimed",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
            Status::Withdrawn => "withdrawn",
            Status::Other(s) => s,
        }
    }

    /// The certificates were used for a claim (redeemed, retired, cancelled
    /// on behalf of someone, claimed): the value is retired.
    pub fn is_claim(&self) -> bool {
        matches!(
            self,
            Status::Redeemed | Status::Retired | Status::Cancelled | Status::Claimed
        )
    }

    /// The registry says the certificates count for no one (revoked,
    /// withdrawn, expired): a claim stored with them that the document does
    /// not repeat goes back (decision 256(a)). Only a reader that knows the
    /// word in its registry gives one of these: a reader keeps a word its
    /// registry does not use as [`Status::Other`] (Ofgem's `Withdrawn`,
    /// EnergyTag's `Revoked`), which never reverses a claim.
    pub fn is_reversal(&self) -> bool {
        matches!(self, Status::Revoked | Status::Withdrawn | Status::Expired)
    }
}

/// Whether and when the document says the certificates were claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Not claimed (live, expired, revoked, …).
    No,
    /// Claimed on this date (redemption / cancellation / status date).
    On(Date),
    /// The document proves the claim but prints no date (I-REC): the
    /// `retired` date is missing until the user enters it.
    Undated,
}

/// The generating device (asset) a range was produced by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Device {
    /// The registry's id of the device: Ofgem accreditation number, GSRN,
    /// I-REC device code, M-RETS generator id, EnergyTag device id.
    pub id: String,
    pub name: Option<String>,
    /// The registry's technology / fuel wording, exactly as printed
    /// (trailing spaces trimmed).
    pub technology: Option<String>,
    /// From the reader's own per-registry table; `None` when the wording is
    /// not in it (the EAC stays incomplete, never guessed).
    pub technology_type: Option<TechnologyType>,
    pub commissioned: Option<Date>,
    /// Capacity as printed with its unit, e.g. `75.6 MW` (decimal comma read).
    pub capacity: Option<String>,
    /// Country (or state) of the device, as printed.
    pub country: Option<String>,
}

/// One inclusive range of certificates: becomes one EAC with one value.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeRecord {
    /// Where in the document the range was read.
    pub at: Locator,
    /// The registry whose numbering the certificate numbers follow (a
    /// stable key: `ofgem`, `irec`, `eecs-no`, `eecs-dk`, `mrets`,
    /// `energytag:<issuing body>`, `csv:<mapping>`). Overlap checks compare
    /// ranges of one registry only.
    pub registry: String,
    /// The issuing body (CDS `source_id` / `source_name`).
    pub source_id: String,
    pub source_name: String,
    /// First and last certificate numbers, exactly as printed (inclusive).
    pub first: String,
    pub last: String,
    /// The range as numbers, for overlap checks: `first_seq`/`last_seq` are
    /// the part of the certificate numbers that counts (digits, optionally
    /// `.` and fractional digits, e.g. the 10-digit run inside an Ofgem
    /// number, the whole 30-digit GO number, I-REC's `…5606.037999`), and
    /// `series` is the rest of the number (e.g. prefix and suffix joined
    /// with `…`), which must be equal for two ranges to share certificates.
    pub series: String,
    pub first_seq: String,
    pub last_seq: String,
    /// Number of certificates in the range (exact; fractional for I-REC).
    pub count: Decimal,
    /// Energy per certificate and its unit (1 MWh for most; Wh face value
    /// for EnergyTag; 0.25 MWh … as printed).
    pub per_certificate: Decimal,
    /// The range's energy as the document prints it, when it prints the
    /// total rather than (only) the energy per certificate (a mapped CSV's
    /// total energy column): the EAC's value, with its written precision
    /// (`1234.5`, not 100 × 12.345 = `1234.500`). `None`: the value is
    /// `count × per_certificate`.
    pub total: Option<Decimal>,
    pub unit: EnergyUnit,
    pub status: Status,
    pub claim: Claim,
    /// Issue date, when printed.
    pub issued: Option<Date>,
    /// Production period in UTC (converted from the issuing domain's local
    /// time with an explicit offset, see `text::local_period`).
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub device: Device,
    /// Emission factor printed by the registry for the device (I-REC's
    /// "Carbon CO2/MWh", EnergyTag's production-device factor), as printed,
    /// with its unit text.
    pub emissions: Option<(Decimal, String)>,
    /// Who the certificates were claimed for, by name (registries give
    /// names, not CDS ids).
    pub beneficiary_name: Option<String>,
    /// The current holder / account holder / retiring organisation.
    pub holder: Option<String>,
    /// Further facts CDS has no field for, as (name without prefix, text):
    /// consumption period, purpose, usage category, country of consumption,
    /// scheme, verification key and URL, transaction number, … Kept and
    /// exported as `eacdesk_<name>` extension fields (digest rule 21).
    pub facts: Vec<(String, String)>,
}

/// One station of an Ofgem accredited stations report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Station {
    pub at: Locator,
    /// Accreditation number (`GeneratorID`), matched against `asset_id`.
    pub asset_id: String,
    pub name: Option<String>,
    /// Installed capacity as printed, with unit (`1500 kW`).
    pub capacity: Option<String>,
    pub commissioned: Option<Date>,
    /// Further columns as (name, text), kept for display.
    pub facts: Vec<(String, String)>,
}
