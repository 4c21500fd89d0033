//! Audited emission-factor edits (digest §f.4): EACs imported with a
//! non-numeric factor (the spec examples' `"TODO"`) hold it as missing and
//! block a P1 export until numbers are entered here. Audited exactly like a
//! beneficiary edit: same transaction, `cds_modified` bump, before/after.

use eac_model::{Decimal, Timestamp};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::edit::{self, AuditChange};
use crate::rows;
use crate::{AuditRecord, Result, Store, StoreError};

/// An EAC's two emission factors as exact decimal text; `None`: missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EmissionFactors {
    pub emissions_factor_direct: Option<String>,
    pub emissions_factor_lca: Option<String>,
}

/// Parses an emission factor typed by a person: a JSON number (exact
/// decimal text) that passes [`Decimal::check_amount`], the rule every
/// reader and export applies (0 allowed, negatives and numbers beyond what
/// a JSON reader holds refused; decisions 28, 37).
pub fn parse_emission_factor(what: &str, text: &str) -> Result<Decimal> {
    let d = Decimal::parse(text.trim()).map_err(|_| {
        StoreError::InvalidNumber(format!(
            "{what} `{}` is not a number (write it like 0 or 0.4 or 12.5, with a dot)",
            eac_model::quote(text)
        ))
    })?;
    d.check_amount()
        .map_err(|e| StoreError::InvalidNumber(format!("{what} {e}")))?;
    Ok(d)
}

impl Store {
    /// Gives one EAC the emission factors `direct` and `lca` (both
    /// required, not negative) and records who, when and why, in one
    /// transaction with the change; `cds_modified` is bumped.
    pub fn set_emissions(
        &mut self,
        cds_eac_id: &str,
        direct: &Decimal,
        lca: &Decimal,
        reason: &str,
        os_user: &str,
    ) -> Result<AuditRecord> {
        for (what, d) in [
            ("direct emission factor", direct),
            ("LCA emission factor", lca),
        ] {
            parse_emission_factor(what, d.as_str())?;
        }
        crate::check_reason(reason)?;
        let tx = self.conn.transaction()?;
        let (id, mut eac) = rows::load_eac(&tx, cds_eac_id)?;
        let before = EmissionFactors {
            emissions_factor_direct: eac
                .emissions_factor_direct
                .as_ref()
                .map(|d| d.as_str().to_owned()),
            emissions_factor_lca: eac
                .emissions_factor_lca
                .as_ref()
                .map(|d| d.as_str().to_owned()),
        };
        let after = EmissionFactors {
            emissions_factor_direct: Some(direct.as_str().to_owned()),
            emissions_factor_lca: Some(lca.as_str().to_owned()),
        };
        let at = Timestamp::now();
        eac.cds_modified = eac.cds_modified.max(at);
        tx.prepare_cached(
            "UPDATE eacs SET emissions_factor_direct = ?2, emissions_factor_lca = ?3,
                             cds_modified = ?4 WHERE id = ?1",
        )?
        .execute(params![
            id,
            direct.as_str(),
            lca.as_str(),
            rows::stored_time(&eac.cds_modified)
        ])?;
        let record = edit::record(
            &tx,
            &eac.cds_eac_id,
            AuditChange::Emissions { before, after },
            edit::assignment(&eac),
            reason,
            os_user,
            at,
        )?;
        tx.commit()?;
        self.after_write();
        Ok(record)
    }
}
