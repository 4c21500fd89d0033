//! The documents and help texts tell the truth (tester report 38): what
//! `--help`, README.md and docs/*.md promise is what the commands do, and
//! the messages say what happened and what to do next.

use predicates::str::contains;
use serde_json::Value;

use super::{sampled, Desk};

/// The JSON `args --json` print (the command must succeed).
fn json_of(desk: &Desk, args: &[&str]) -> Value {
    let out = desk.eacdesk().args(args).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Finding 13: an emission factor typed as zero with a minus sign (`-0`,
/// `-0.0`) is refused as negatives are (decision 28), by `set-emissions`
/// and `set` alike, and nothing is stored or audited: it was stored and
/// exported as `-0`.
#[test]
fn a_zero_typed_with_a_minus_sign_is_no_emission_factor() {
    let desk = sampled();
    let id = "S5-0000000";
    let records = |desk: &Desk| json_of(desk, &["audit", id]).as_array().unwrap().len();
    let before = records(&desk);
    for direct in ["-0", "-0.0", " -0e3 "] {
        desk.eacdesk()
            .args(["set-emissions", id, "--direct", direct, "--lca", "1"])
            .args(["--reason", "typo"])
            .assert()
            .code(1)
            .stderr(contains(
                "is zero written with a minus sign; it must be 0 or more: write 0",
            ));
    }
    desk.eacdesk()
        .args(["set", id, "emissions_factor_lca=-0", "--reason", "typo"])
        .assert()
        .code(1)
        .stderr(contains(
            "emissions_factor_lca `-0` is zero written with a minus sign",
        ));
    assert_eq!(records(&desk), before, "nothing was audited");
    let shown = json_of(&desk, &["show", id]);
    assert!(
        !shown.to_string().contains("\"-0"),
        "no signed zero stored: {shown}"
    );
    // Zero itself is a factor.
    desk.eacdesk()
        .args(["set-emissions", id, "--direct", "0", "--lca", "0.0"])
        .args(["--reason", "measured"])
        .assert()
        .success();
}
