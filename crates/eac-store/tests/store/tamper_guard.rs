//! Session 33 (a tester's findings): what another tool does to the audit
//! log's neighbourhood is refused or named. A trigger EAC Desk did not make
//! on `audit_log` (one that swallows inserts with `RAISE(IGNORE)`) cannot
//! make a change look audited: the write is refused whole; `audit verify`
//! names such a trigger. The `closed_periods` table is compared with the
//! chain's `period_close`/`period_reopen` records: a period lifted or
//! narrowed by editing the table is named by the verification (and so
//! refuses a pack) and freezes what its record says all the same. A
//! period ending on the last day there is counts its EACs.

use super::*;
use eac_store::{DeleteTarget, ErrorCode};

/// e-1 and e-2 in January 2024, e-2025 in January 2025.
fn three_eacs() -> Env {
    let mut env = Env::new();
    let mut later = eac("e-2025");
    later.period_start = ts("2025-01-01T00:00:00Z");
    later.period_end = ts("2025-02-01T00:00:00Z");
    for v in &mut later.values {
        v.start = Some(later.period_start);
        v.end = Some(later.period_end);
    }
    let listing = env.listing("first.json", &[eac("e-1"), eac("e-2"), later]);
    env.import(&listing).unwrap();
    env
}

#[test]
fn a_period_ending_on_the_last_day_there_is_counts_the_eacs_it_freezes() {
    let mut env = three_eacs();
    let closed = env
        .store
        .close_period(
            date("2000-01-01"),
            date("9999-12-31"),
            &why("everything filed"),
            "alice",
        )
        .unwrap();
    assert_eq!(closed.eac_count, 3, "{closed:?}");
    assert_eq!(env.store.closed_periods().unwrap()[0].eac_count, 3);
    // And they are frozen, as the count says.
    let e = env
        .store
        .delete_eacs(
            &DeleteTarget::Ids(vec!["e-2025".into()]),
            &why("x"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Frozen, "{e}");
}
