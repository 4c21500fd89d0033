//! What a person reads: the human output of `ls`, `summary`, `show`, `audit`,
//! `imports` and a `validate` report, as insta snapshots of one fixed
//! database (the working group's mixed-order example and one audited
//! edit). Times of "now" are masked with a placeholder of the same width
//! and the user is fixed, so the columns keep their real alignment.
//! After a deliberate change: `cargo insta review`, or run with
//! `INSTA_UPDATE=always` and read the diff.

use super::*;

/// `2026-12-02T04:09:22Z` (a time of the test run, not of the fixture:
/// the fixtures hold no year after 2025) becomes `YYYY-MM-DDTHH:MM:SSZ`.
pub(super) fn mask_now(text: &str) -> String {
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    let fits = |s: &[u8]| {
        s.len() >= shape.len()
            && shape.bytes().zip(s).all(|(p, c)| match p {
                b'd' => c.is_ascii_digit(),
                p => p == *c,
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if fits(&bytes[i..]) && &text[i..i + 4] > "2025" {
            out.push_str("YYYY-MM-DDTHH:MM:SSZ");
            i += shape.len();
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The fixed database: the mixed-order example imported as `listing.json`,
/// then one audited beneficiary change.
fn desk() -> Desk {
    let desk = Desk::new();
    std::fs::copy(
        example("good-p1-mixed-order.json"),
        desk.path("listing.json"),
    )
    .unwrap();
    desk.run(&["import", "listing.json"]);
    desk.run(&[
        "beneficiaries",
        "set",
        "e-01",
        "--type",
        "account",
        "--id",
        "ACC-9",
        "--reason",
        "contract moved",
    ]);
    desk
}

impl Desk {
    /// Standard output of a command that succeeds, with "now" masked.
    pub(super) fn run(&self, args: &[&str]) -> String {
        let out = self
            .eacdesk()
            .env("USER", "auditor")
            .args(args)
            .assert()
            .success();
        mask_now(&String::from_utf8(out.get_output().stdout.clone()).unwrap())
    }
}

#[test]
fn human_output_of_the_reading_commands() {
    let desk = desk();
    insta::assert_snapshot!("ls", desk.run(&["ls"]));
    insta::assert_snapshot!(
        "ls_filtered_sorted",
        desk.run(&[
            "ls",
            "--sort",
            "quantity:desc",
            "--technology",
            "wind",
            "--limit",
            "3"
        ])
    );
    insta::assert_snapshot!(
        "summary",
        desk.run(&["summary", "--by", "technology,month,retired"])
    );
    insta::assert_snapshot!(
        "summary_kwh_csv",
        desk.run(&["summary", "--by", "source", "--unit", "kWh", "--csv"])
    );
    insta::assert_snapshot!("show", desk.run(&["show", "e-04"]));
    insta::assert_snapshot!("audit", desk.run(&["audit"]));
    insta::assert_snapshot!("imports", desk.run(&["imports"]));
}

#[test]
fn human_output_of_a_validate_report() {
    let desk = Desk::new();
    let name = "rule-08-13-17-several-in-one-eac.json";
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/rules")
        .join(name);
    std::fs::copy(fixture, desk.path(name)).unwrap();
    let out = desk
        .eacdesk()
        .args(["validate", "--profile", "p1", name])
        .assert()
        .code(1);
    let report = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    insta::assert_snapshot!("validate_report", mask_now(&report));
}

#[test]
fn only_times_of_the_run_are_masked() {
    assert_eq!(
        mask_now("2024-01-01T00:00:00Z 2026-12-02T04:09:22Z é"),
        "2024-01-01T00:00:00Z YYYY-MM-DDTHH:MM:SSZ é"
    );
}
