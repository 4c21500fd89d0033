//! Audited beneficiary edits: the only mutation of stored EACs besides
//! import. Each change updates the EAC, bumps its `cds_modified` and appends
//! an audit record in the caller's transaction, so both commit or neither.

use eac_model::{check_beneficiaries, BeneficiaryType, Eac, Timestamp};
use rusqlite::{params, Connection, Row};

use serde::{Deserialize, Serialize};

use crate::emissions::EmissionFactors;
use crate::rows::{self, parsed};
use crate::{AuditRecord, BeneficiaryAssignment, Result, StoreError};

const ACTION: &str = "set_beneficiaries";
const EMISSIONS_ACTION: &str = "set_emissions";

/// Rules 4 and 17 on the new assignment, and a reason; before any write.
pub(crate) fn validate(label: &str, to: &BeneficiaryAssignment, reason: &str) -> Result<()> {
    let violations = check_beneficiaries(to.beneficiary_type, &to.beneficiaries);
    if !violations.is_empty() {
        return Err(StoreError::Rules {
            file: label.to_owned(),
            violations,
        });
    }
    if reason.trim().is_empty() {
        return Err(StoreError::InvalidInput("a reason is required".to_owned()));
    }
    Ok(())
}

pub(crate) fn assignment(eac: &Eac) -> BeneficiaryAssignment {
    BeneficiaryAssignment {
        beneficiary_type: eac.beneficiary_type,
        beneficiaries: eac.beneficiaries.clone(),
    }
}

/// Gives the stored EAC (row `id`, currently `eac`) the assignment `to` and
/// records the change. `cds_modified` becomes `at`, never earlier than it was
/// (a re-import of the original file then keeps the edit).
pub(crate) fn apply(
    conn: &Connection,
    id: i64,
    mut eac: Eac,
    to: &BeneficiaryAssignment,
    reason: &str,
    os_user: &str,
    at: Timestamp,
) -> Result<AuditRecord> {
    let before = assignment(&eac);
    eac.beneficiary_type = to.beneficiary_type;
    eac.beneficiaries = to.beneficiaries.clone();
    eac.cds_modified = eac.cds_modified.max(at);
    rows::update_beneficiaries(conn, id, &eac)?;

    record(
        conn,
        &eac.cds_eac_id,
        AuditChange::Beneficiaries {
            before,
            after: to.clone(),
        },
        assignment(&eac),
        reason,
        os_user,
        at,
    )
}

/// What one audit record changed.
pub(crate) enum AuditChange {
    Beneficiaries {
        before: BeneficiaryAssignment,
        after: BeneficiaryAssignment,
    },
    /// The assignment (unchanged) is recorded too, so every record says who
    /// the EAC was attributed to.
    Emissions {
        before: EmissionFactors,
        after: EmissionFactors,
    },
}

/// One stored side of a change: the assignment, plus the emission factors
/// for `set_emissions` (absent keys in older records and beneficiary edits).
#[derive(Serialize, Deserialize)]
struct AuditSide {
    #[serde(flatten)]
    assignment: BeneficiaryAssignment,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    emissions: Option<EmissionFactors>,
}

/// Appends the audit record of a change made in `conn`'s transaction.
pub(crate) fn record(
    conn: &Connection,
    cds_eac_id: &str,
    change: AuditChange,
    current: BeneficiaryAssignment,
    reason: &str,
    os_user: &str,
    at: Timestamp,
) -> Result<AuditRecord> {
    let (action, before, after) = match change {
        AuditChange::Beneficiaries { before, after } => (
            ACTION,
            AuditSide {
                assignment: before,
                emissions: None,
            },
            AuditSide {
                assignment: after,
                emissions: None,
            },
        ),
        AuditChange::Emissions { before, after } => (
            EMISSIONS_ACTION,
            AuditSide {
                assignment: current.clone(),
                emissions: Some(before),
            },
            AuditSide {
                assignment: current,
                emissions: Some(after),
            },
        ),
    };
    let reason = reason.trim();
    let before_json = serde_json::to_string(&before).expect("an audit side serializes");
    let after_json = serde_json::to_string(&after).expect("an audit side serializes");
    conn.prepare_cached(
        r#"INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"#,
    )?
    .execute(params![
        at.to_storage(),
        os_user,
        cds_eac_id,
        action,
        before_json,
        after_json,
        reason,
    ])?;
    Ok(AuditRecord {
        id: conn.last_insert_rowid(),
        at: at.to_string(),
        os_user: os_user.to_owned(),
        cds_eac_id: cds_eac_id.to_owned(),
        action: action.to_owned(),
        before: before.assignment,
        after: after.assignment,
        before_emissions: before.emissions,
        after_emissions: after.emissions,
        reason: reason.to_owned(),
    })
}

/// Audit records, newest first; all of them or those of one EAC.
pub(crate) fn audit_log(conn: &Connection, cds_eac_id: Option<&str>) -> Result<Vec<AuditRecord>> {
    const COLUMNS: &str =
        r#"SELECT id, at, os_user, cds_eac_id, action, "before", "after", reason FROM audit_log"#;
    let records = match cds_eac_id {
        Some(id) => {
            let sql = format!("{COLUMNS} WHERE cds_eac_id = ?1 ORDER BY id DESC");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([id], audit_record)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        }
        None => {
            let sql = format!("{COLUMNS} ORDER BY id DESC");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([], audit_record)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(records)
}

fn audit_record(row: &Row) -> rusqlite::Result<AuditRecord> {
    let json = |text: &str| serde_json::from_str::<AuditSide>(text).ok();
    let action: String = row.get(4)?;
    let mut before = parsed(row, 5, json)?;
    let mut after = parsed(row, 6, json)?;
    // A flattened optional object is always present when read back: only
    // emission edits carry factors.
    if action != EMISSIONS_ACTION {
        before.emissions = None;
        after.emissions = None;
    }
    Ok(AuditRecord {
        id: row.get(0)?,
        at: rows::display_time(row, 1)?,
        os_user: row.get(2)?,
        cds_eac_id: row.get(3)?,
        action,
        before: before.assignment,
        after: after.assignment,
        before_emissions: before.emissions,
        after_emissions: after.emissions,
        reason: row.get(7)?,
    })
}

/// Whether an EAC already has exactly this assignment.
pub(crate) fn is_assigned(eac: &Eac, to: &BeneficiaryAssignment) -> bool {
    eac.beneficiary_type == to.beneficiary_type && eac.beneficiaries == to.beneficiaries
}

/// Beneficiary ids already used with `kind`, starting with `prefix` (any case).
pub(crate) fn suggestions(
    conn: &Connection,
    kind: BeneficiaryType,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        r"SELECT DISTINCT beneficiary_id FROM eac_beneficiaries
          WHERE beneficiary_type = ?1 AND beneficiary_id LIKE ?2 ESCAPE '\'
          ORDER BY beneficiary_id COLLATE NOCASE, beneficiary_id
          LIMIT ?3",
    )?;
    let pattern = format!("{}%", crate::query::like_escape(prefix));
    let limit = rows::count(crate::page_size(limit));
    let ids = stmt
        .query_map(params![kind.as_str(), pattern, limit], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}
