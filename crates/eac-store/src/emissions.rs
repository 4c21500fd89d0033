//! Audited emission-factor edits (digest §f.4): EACs imported with a
//! non-numeric factor (the spec examples' `"TODO"`) hold it as missing and
//! block a P1 export until numbers are entered here. Audited exactly like a
//! beneficiary edit: same transaction, `cds_modified` bump, before/after;
//! the factors the EAC holds (as written) are a review, recorded without
//! changing the EAC.

use eac_model::Decimal;
use serde::{Deserialize, Serialize};

use crate::edit::{self, AuditChange};
use crate::rows;
use crate::write::{Reason, Write};
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
/// a JSON reader holds refused; decisions 28, 37). Zero typed with a
/// minus sign (`-0`, `-0.0`) is refused too: the factor is kept as typed,
/// and a signed zero in an export is a typing slip an auditor would
/// question (a file's own `-0` is imported as written).
pub fn parse_emission_factor(what: &str, text: &str) -> Result<Decimal> {
    let d = Decimal::parse(text.trim()).map_err(|_| {
        StoreError::InvalidNumber(format!(
            "{what} `{}` is not a number (write it like 0 or 0.4 or 12.5, with a dot)",
            eac_model::quote(text)
        ))
    })?;
    d.check_amount()
        .map_err(|e| StoreError::InvalidNumber(format!("{what} {e}")))?;
    if d.as_str().starts_with('-') {
        // check_amount refused every other negative number.
        return Err(StoreError::InvalidNumber(format!(
            "{what} `{}` is zero written with a minus sign; it must be 0 or more: write 0",
            eac_model::quote(text.trim())
        )));
    }
    Ok(d)
}

impl Store {
    /// Gives one EAC the emission factors `direct` and `lca` (both
    /// required, not negative) and records who, when and why, in one
    /// transaction with the change; `cds_modified` is bumped. Factors the
    /// EAC holds already, as written, change nothing and are recorded as
    /// reviewed (the version and `cds_modified` stay).
    pub fn set_emissions(
        &mut self,
        cds_eac_id: &str,
        direct: &Decimal,
        lca: &Decimal,
        reason: &Reason,
        os_user: &str,
    ) -> Result<AuditRecord> {
        self.set_emissions_seen(cds_eac_id, None, direct, lca, reason, os_user)
    }

    /// [`Store::set_emissions`] of an EAC the person saw at version `seen`:
    /// refused with [`StoreError::Conflict`] when it has changed since (see
    /// [`Store::set_beneficiaries_seen`]).
    pub fn set_emissions_seen(
        &mut self,
        cds_eac_id: &str,
        seen: Option<i64>,
        direct: &Decimal,
        lca: &Decimal,
        reason: &Reason,
        os_user: &str,
    ) -> Result<AuditRecord> {
        for (what, d) in [
            ("direct emission factor", direct),
            ("LCA emission factor", lca),
        ] {
            parse_emission_factor(what, d.as_str())?;
        }
        // On a server database too (decision 220).
        self.write_either(|w| set(w, cds_eac_id, seen, direct, lca, reason, os_user))
    }
}

/// [`Store::set_emissions`] through the write `w`.
fn set(
    w: &Write,
    cds_eac_id: &str,
    seen: Option<i64>,
    direct: &Decimal,
    lca: &Decimal,
    reason: &Reason,
    os_user: &str,
) -> Result<AuditRecord> {
    // Locked before it is read: a desk saving it meanwhile is waited for.
    crate::lock::named(w, &[cds_eac_id.to_owned()], true)?;
    let (id, mut eac) = edit::load_to_edit(
        w.db(),
        cds_eac_id,
        seen,
        "`set-emissions`",
        "set its emission factors",
    )?;
    edit::check_seen(w, id, cds_eac_id, seen, true)?;
    crate::periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
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
    if before == after {
        // The factors it holds, as written: a review, recorded and no
        // change (decision 15, `edit::REVIEW`).
        return edit::record(
            w,
            &eac.cds_eac_id,
            AuditChange::Emissions { before, after },
            edit::assignment(&eac),
            reason,
            os_user,
        );
    }
    eac.cds_modified = edit::modified_after(eac.cds_modified, w.at())?;
    // The stored list of missing fields follows the factors (`ls --incomplete`).
    eac.emissions_factor_direct = Some(direct.clone());
    eac.emissions_factor_lca = Some(lca.clone());
    w.changed_eac()?;
    w.db().execute(
        "UPDATE eacs SET emissions_factor_direct = ?2, emissions_factor_lca = ?3,
                         cds_modified = ?4, missing = ?5,
                         version = (SELECT version_high + 1 FROM eac_counts_kept)
         WHERE id = ?1",
        &[
            &id,
            &direct.as_str(),
            &lca.as_str(),
            &eac.cds_modified.to_storage(),
            &rows::missing_json(&eac),
        ],
    )?;
    edit::record(
        w,
        &eac.cds_eac_id,
        AuditChange::Emissions { before, after },
        edit::assignment(&eac),
        reason,
        os_user,
    )
}
