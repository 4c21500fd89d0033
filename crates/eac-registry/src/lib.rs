//! Readers of the files registries hand out: each reader turns one document
//! (its bytes) into a [`Statement`]: the certificate ranges it lists as
//! [`RangeRecord`]s, what it skipped and why, and warnings, each located in
//! the document. Readers know nothing of SQLite or the UI; turning records
//! into CDS EACs (ids, missing fields, extension fields) is `to_eac`'s one
//! job, the same for every format.
//!
//! Shared reading helpers (exact numbers with thousands separators and
//! decimal commas, dates, local production periods to UTC) live in
//! [`text`], so no reader parses a number or a date its own way.

pub mod convert;
mod csv_rows;
pub mod eecs;
pub mod energytag;
pub mod formats;
pub mod irec;
pub mod mapped;
pub mod mrets_csv;
pub mod mrets_pdf;
pub mod ofgem;
pub mod pdf;
mod pdf_bounds;
mod pdf_font_nesting;
mod pdf_nesting;
pub mod record;
pub mod text;
pub mod zones;

pub use convert::{claim_members, eac_id, range_text, split_eac_id, to_eac};
pub use formats::{read, Format, Read};
pub use mapped::Mapping;
pub use record::{
    Claim, Device, Locator, RangeRecord, ReadError, Skipped, SplitBundle, Statement, Station,
    Status, Warning,
};
