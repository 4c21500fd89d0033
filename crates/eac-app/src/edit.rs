//! Audited beneficiary edits, attributed to the operating-system user.

use eac_model::{BeneficiaryType, Rule, Violation};
use eac_store::{
    AuditRecord, BeneficiaryAssignment, BulkEditReport, Confirmed, EacFilter, Progress, Reason,
    Store,
};

use crate::AppError;

/// Checks a new assignment and reason before anything is counted or
/// written: rules 4 and 17 (a `validation` error) and the reason
/// (`invalid_input`: not blank, one line). `None`: a dry run given no
/// reason, which records nothing and needs none (decision 60); a reason
/// given to a dry run is checked as the change would check it. The edit
/// functions check again.
pub fn check_assignment(to: &BeneficiaryAssignment, reason: Option<&str>) -> Result<(), AppError> {
    assignment_checked(to)?;
    if let Some(reason) = reason {
        Reason::new(reason)?;
    }
    Ok(())
}

/// Rules 4 and 17 of a new assignment (a `validation` error).
fn assignment_checked(to: &BeneficiaryAssignment) -> Result<(), AppError> {
    let violations = eac_model::check_beneficiaries(to.beneficiary_type, &to.beneficiaries);
    if !violations.is_empty() {
        return Err(AppError::validation(rules_message(to), &violations));
    }
    Ok(())
}

/// [`check_assignment`] of a change, which needs a reason: the checked
/// reason.
fn checked(to: &BeneficiaryAssignment, reason: &str) -> Result<Reason, AppError> {
    assignment_checked(to)?;
    Ok(Reason::new(reason)?)
}

/// What saving `to` warns of without refusing it (rule 22, decision 322):
/// a type other than `general` with no beneficiary listed, in the words an
/// import, `validate` and `set` use (`eac_model::check_eac`), naming the
/// EAC when one is named. A forgotten `--id` emptied the list without a
/// word.
pub fn assignment_warnings(to: &BeneficiaryAssignment, cds_eac_id: Option<&str>) -> Vec<Violation> {
    if to.beneficiary_type == BeneficiaryType::General || !to.beneficiaries.is_empty() {
        return Vec::new();
    }
    vec![Violation::warning(
        Rule::WarnOnly,
        "/beneficiaries",
        format!(
            "beneficiary type `{}` with no beneficiaries listed",
            to.beneficiary_type
        ),
    )
    .with_eac(cds_eac_id)]
}

/// The reason of an audited change: not blank, one line, no control
/// characters (the store's one rule, [`Reason::new`]).
pub fn check_reason(reason: &str) -> Result<(), AppError> {
    Reason::new(reason)?;
    Ok(())
}

fn rules_message(to: &BeneficiaryAssignment) -> String {
    if to.beneficiary_type == BeneficiaryType::General && !to.beneficiaries.is_empty() {
        "Beneficiary type `general` takes no ids; remove the ids or choose another type. Nothing was changed.".to_owned()
    } else if to
        .beneficiaries
        .iter()
        .any(|id| eac_model::text::too_long(id).is_some())
    {
        format!(
            "A beneficiary id may hold at most {} characters; fix the list and try again. Nothing was changed.",
            eac_model::MAX_TEXT_CHARS
        )
    } else {
        "The beneficiary ids must be unique and not empty; fix the list and try again. Nothing was changed.".to_owned()
    }
}

/// Gives one EAC a new beneficiary assignment (rules 4 and 17 checked) and
/// records who, when and why.
pub fn set_beneficiaries(
    store: &mut Store,
    cds_eac_id: &str,
    to: &BeneficiaryAssignment,
    reason: &str,
    seen_version: Option<i64>,
) -> Result<AuditRecord, AppError> {
    let reason = checked(to, reason)?;
    store
        .set_beneficiaries_seen(cds_eac_id, seen_version, to, &reason, &eac_store::os_user())
        .map_err(|e| edit_error(e, to))
}

/// What [`set_beneficiaries`] would do, writing nothing (`--dry-run` with
/// one id): whether the EAC would change, or the same refusal. It records
/// nothing, so it needs no reason (`None`); one given is checked as the
/// change would check it.
pub fn set_beneficiaries_dry_run(
    store: &mut Store,
    cds_eac_id: &str,
    to: &BeneficiaryAssignment,
    reason: Option<&str>,
    seen_version: Option<i64>,
) -> Result<BulkEditReport, AppError> {
    check_assignment(to, reason)?;
    store
        .set_beneficiaries_dry_run(cds_eac_id, seen_version, to)
        .map_err(|e| edit_error(e, to))
}

/// Gives every EAC matching `filter` the assignment, in one transaction,
/// one audit record per EAC that changed.
pub fn bulk_set_beneficiaries(
    store: &mut Store,
    filter: &EacFilter,
    to: &BeneficiaryAssignment,
    reason: &str,
    progress: &dyn Progress,
) -> Result<BulkEditReport, AppError> {
    bulk_set_beneficiaries_confirmed(store, filter, to, reason, Confirmed::Yes, progress)
}

/// [`bulk_set_beneficiaries`], refused (`invalid_input`,
/// `details.unconfirmed`: the count; nothing written) when the filter
/// matches more EACs in the change's own write than `confirmed` allows.
pub fn bulk_set_beneficiaries_confirmed(
    store: &mut Store,
    filter: &EacFilter,
    to: &BeneficiaryAssignment,
    reason: &str,
    confirmed: Confirmed,
    progress: &dyn Progress,
) -> Result<BulkEditReport, AppError> {
    let reason = checked(to, reason)?;
    let user = eac_store::os_user();
    store
        .bulk_set_beneficiaries_confirmed(filter, to, &reason, &user, confirmed, progress)
        .map_err(|e| edit_error(e, to))
}

/// What [`bulk_set_beneficiaries`] would do, writing nothing: how many
/// EACs match and would change, or the same refusal (a closed period, a
/// recorded claim, a rule).
pub fn bulk_set_beneficiaries_dry_run(
    store: &mut Store,
    filter: &EacFilter,
    to: &BeneficiaryAssignment,
    progress: &dyn Progress,
) -> Result<BulkEditReport, AppError> {
    assignment_checked(to)?;
    store
        .bulk_set_beneficiaries_dry_run(filter, to, progress)
        .map_err(|e| edit_error(e, to))
}

fn edit_error(e: eac_store::StoreError, to: &BeneficiaryAssignment) -> AppError {
    let e = AppError::from(e);
    if e.is_validation() {
        e.with_message(rules_message(to))
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warning is the one the rules give an EAC with that assignment
    /// (an import, `validate`, `set`), word for word.
    #[test]
    fn an_empty_list_of_a_type_other_than_general_warns_as_the_rules_do() {
        let mut eac = eac_sample::sample_eac(1, 0, eac_sample::SampleOptions::default());
        eac.beneficiary_type = Some(BeneficiaryType::Customer);
        eac.beneficiaries.clear();
        let rules: Vec<Violation> =
            eac_model::check_eac(&eac, "", eac_model::CheckOptions::import())
                .into_iter()
                .filter(|v| v.pointer == "/beneficiaries")
                .collect();
        let to = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::Customer,
            beneficiaries: Vec::new(),
        };
        assert_eq!(assignment_warnings(&to, Some(&eac.cds_eac_id)), rules);
        assert_eq!(rules.len(), 1);
        let general = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::General,
            beneficiaries: Vec::new(),
        };
        assert!(assignment_warnings(&general, None).is_empty());
        let listed = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::Customer,
            beneficiaries: vec!["C-1".into()],
        };
        assert!(assignment_warnings(&listed, None).is_empty());
    }

    /// A dry run records nothing, so it needs no reason: `eacdesk
    /// beneficiaries set ID … --dry-run` had to pass eac-app a made-up one.
    /// A reason given is checked as the change checks it, and the change
    /// itself still needs one.
    #[test]
    fn a_dry_run_of_one_eacs_beneficiaries_needs_no_reason_but_the_change_does() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("d.sqlite")).unwrap();
        let mut eacs = eac_sample::generate(1, 1, eac_sample::SampleOptions::default());
        store
            .import_eacs("sample", &mut eacs, &eac_store::NoProgress)
            .unwrap();
        let id = store.browse(&Default::default()).unwrap()[0]
            .cds_eac_id
            .clone();
        let to = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::Account,
            beneficiaries: vec!["ACC-NEW".into()],
        };
        let plan = set_beneficiaries_dry_run(&mut store, &id, &to, None, None).unwrap();
        assert_eq!((plan.matching, plan.changed), (1, 1));
        assert!(check_assignment(&to, None).is_ok());
        // A reason given to a dry run is checked; the change needs one.
        let blank = set_beneficiaries_dry_run(&mut store, &id, &to, Some(" "), None);
        assert_eq!(blank.unwrap_err().code, "invalid_input");
        let refused = set_beneficiaries(&mut store, &id, &to, "", None).unwrap_err();
        assert_eq!(refused.code, "invalid_input");
        assert_eq!(
            check_assignment(&to, Some("")).unwrap_err().code,
            "invalid_input"
        );
        assert!(
            store.audit_log(None).unwrap().is_empty(),
            "nothing was recorded"
        );
    }

    #[test]
    fn assignments_are_checked_before_anything_else() {
        let general = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::General,
            beneficiaries: vec!["X".into()],
        };
        let e = check_assignment(&general, Some("why")).unwrap_err();
        assert_eq!(e.code, "validation");
        assert_eq!(e.violations()[0].rule, 4);
        let twice = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::Account,
            beneficiaries: vec!["A".into(), "A".into()],
        };
        assert_eq!(
            check_assignment(&twice, Some("why"))
                .unwrap_err()
                .violations()[0]
                .rule,
            17
        );
        let ok = BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::Account,
            beneficiaries: vec!["A".into()],
        };
        assert_eq!(
            check_assignment(&ok, Some(" ")).unwrap_err().code,
            "invalid_input"
        );
        assert!(check_assignment(&ok, Some("contract")).is_ok());
        let forged = check_assignment(&ok, Some("ok\n#2 2026-01-01 root moved")).unwrap_err();
        assert_eq!(forged.code, "invalid_input");
        assert!(forged.message.contains("line break"), "{}", forged.message);
    }
}
