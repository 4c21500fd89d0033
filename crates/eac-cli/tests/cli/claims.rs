//! Issue 15 from the command line: consumption import (located errors,
//! overlaps refused), `claims check` (exit 1 when a criterion fails),
//! `claims report` on the hand-computed example of
//! `tests/fixtures/claims/README.md`, recorded claims that never count a
//! value twice, and audited emission factors.

use super::*;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/claims")
        .join(name)
        .display()
        .to_string()
}

pub(super) const HOURLY: [&str; 12] = [
    "--beneficiary-type",
    "account",
    "--beneficiary",
    "acc-1",
    "--from",
    "2024-06-01",
    "--to",
    "2024-06-01",
    "--granularity",
    "hourly",
    "--market",
    "NO",
];

/// A claim report CSV as every CSV of EAC Desk is written (RFC 4180, CRLF
/// line ends: TAB42 finding 6), with its line ends read as `\n` so the
/// figures below are compared line by line.
fn crlf(csv: &str) -> String {
    assert!(csv.ends_with("\r\n"), "{csv:?}");
    assert_eq!(
        csv.matches('\n').count(),
        csv.matches("\r\n").count(),
        "a line ends without CR: {csv:?}"
    );
    csv.replace("\r\n", "\n")
}

/// `claims check --json`, which exits 1 when a criterion fails.
fn check_json(desk: &Desk, args: &[&str]) -> Value {
    let out = desk
        .eacdesk()
        .args(["claims", "check"])
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn desk_with_claim_data() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &fixture("eacs.json")])
        .assert()
        .success();
    desk.eacdesk()
        .args(["consumption", "import", &fixture("consumption.csv")])
        .assert()
        .success()
        .stdout(contains("Imported 3 consumption row(s)"));
    for (kind, factor) in [("residual_mix", "0.4"), ("grid", "0.02")] {
        desk.eacdesk()
            .args(["claims", "factor", "set", "--market", "NO", "--kind", kind])
            .args([
                "--year",
                "2024",
                "--factor",
                factor,
                "--source",
                "test figures",
            ])
            .args(["--reason", "2024 report"])
            .assert()
            .success();
    }
    desk
}

/// The beneficiary type and the kind of factor are closed lists a person
/// types: any case, as every closed list of the CLI (decision 502; REG42b
/// finding 2: these are read outside the option parser).
#[test]
fn claims_take_a_beneficiary_type_and_factor_kind_in_any_case() {
    let desk = desk_with_claim_data();
    let mut typed = HOURLY;
    typed[1] = "Account";
    let report = |args: &[&str]| desk.json(&[&["claims", "report"], args].concat());
    assert_eq!(report(&typed), report(&HOURLY));
    assert_eq!(
        desk.json(&["consumption", "ls", "--beneficiary-type", "ACCOUNT",]),
        desk.json(&["consumption", "ls", "--beneficiary-type", "account",])
    );
    desk.eacdesk()
        .args([
            "claims", "factor", "set", "--market", "NO", "--kind", "Grid",
        ])
        .args([
            "--year",
            "2025",
            "--factor",
            "0.03",
            "--source",
            "test figures",
        ])
        .args(["--reason", "2025 report"])
        .assert()
        .success();
    let factors = desk.json(&["claims", "factor", "ls"]);
    assert!(
        factors
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "grid" && f["year"] == 2025),
        "{factors}"
    );
    // A word not in the list is still refused, naming the list.
    typed[1] = "owner";
    desk.eacdesk()
        .args(["claims", "report"])
        .args(typed)
        .assert()
        .code(2)
        .stderr(contains("`owner` is not a beneficiary type; give one of"));
}

#[test]
fn consumption_is_imported_whole_or_refused_with_every_problem_located() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["consumption", "import", &fixture("broken.csv")])
        .assert()
        .code(1)
        .stderr(contains("broken.csv:2:37: error: [value]"))
        .stderr(contains("broken.csv:3:1: error: [beneficiary_type]"))
        .stderr(contains("broken.csv:3:38: error: [unit]"));
    desk.eacdesk()
        .args(["consumption", "import", &fixture("overlapping.csv")])
        .assert()
        .code(1)
        .stderr(contains("overlapping.csv:2:1: error: [overlap]"))
        .stderr(contains("consumption.csv line 2"));
    let rows = desk.json(&["consumption", "ls"]);
    assert_eq!(rows.as_array().unwrap().len(), 3, "{rows}");
    assert_eq!(rows[2]["value"], "2.000", "as imported");
}

#[test]
fn check_lists_each_criterion_and_exits_1_when_one_fails() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "check"])
        .args(HOURLY)
        .args(["--bidding-zone", "NO1", "--only", "fail"])
        .assert()
        .code(1)
        .stdout(contains(
            "fail    re100.age         commissioned 2000-01-01",
        ))
        .stdout(contains("fail    ghg.retired       EAC gc-open"))
        .stdout(contains("gc-h10").not());
    let check = check_json(
        &desk,
        &[
            &HOURLY[..],
            &["--bidding-zone", "NO1", "--rules", "energytag"],
        ]
        .concat(),
    );
    let old = check["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["cds_eac_id"] == "gc-old")
        .unwrap();
    assert_eq!(old["verdict"], "fail");
    assert_eq!(old["results"][1]["criterion"], "energytag.zone");
    // Each result by id alone; the criterion's texts once, in its rule
    // set (CLM41 finding 1: repeated per value they were half the report).
    let keys: Vec<&String> = old["results"][1].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["criterion", "reason", "rule_set", "verdict"],
        "{old}"
    );
    let zone = &check["rule_sets"][0]["criteria"][1];
    assert_eq!(zone["id"], "energytag.zone");
    assert_eq!(zone["title"], "Same bidding zone");
    assert!(zone["section"].is_string(), "{zone}");
    assert!(check["rule_sets"][0]["document"].is_string());
    // Without a bidding zone the zone is unknown, naming what is missing;
    // unknown is no failure, but gc-open, never retired, fails EnergyTag's
    // cancellation (exit 1).
    let out = desk
        .eacdesk()
        .args(["claims", "check"])
        .args(HOURLY)
        .args(["--rules", "energytag", "--only", "unknown"])
        .assert()
        .code(1)
        .stdout(contains(
            "fail    energytag.retired EAC gc-open (number GC-OPEN-1) value 1 is not retired",
        ));
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("unknown energytag.zone    the claim names no bidding zone"),
        "{text}"
    );
}

#[test]
fn report_gives_the_hand_computed_scope2_figures_as_exact_json_and_csv() {
    let desk = desk_with_claim_data();
    let out = desk
        .eacdesk()
        .args(["claims", "report"])
        .args(HOURLY)
        .arg("--json")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for member in [
        "\"consumption\": 0.01,",
        "\"matched\": 0.008,",
        "\"unit\": \"MWh\",",
        "\"coverage_percent\": 80.0000,",
        "\"market_based_tco2e\": 0.0008,",
        "\"location_based_tco2e\": 0.0002,",
        "\"hours_fully_covered\": 2,",
    ] {
        assert!(text.contains(member), "{member} not in {text}");
    }
    let csv = desk
        .eacdesk()
        .args(["claims", "report"])
        .args(HOURLY)
        .args(["--only-passing", "re100", "--csv"])
        .assert()
        .success();
    let csv = crlf(&String::from_utf8_lossy(&csv.get_output().stdout));
    assert!(csv.starts_with("figure,value\n"), "{csv}");
    for part in [
        "matched,0.006\n",
        "coverage_percent,60.0000\n",
        "2024-06-01T11:00:00Z,2024-06-01T12:00:00Z,0.003,0.001,0.002,0\n",
        // The factors the figures used, after the figures that were there.
        "hourly_matched_percent,60.0000\n\
         residual_mix_factor_tco2e_per_mwh,0.4\n\
         residual_mix_factor_market,NO\n\
         residual_mix_factor_year,2024\n\
         residual_mix_factor_source,test figures\n\
         grid_factor_tco2e_per_mwh,0.02\n\
         grid_factor_market,NO\n\
         grid_factor_year,2024\n\
         grid_factor_source,test figures\n\
         not_counted,\"limited to re100 (--only-passing re100): 1 retired EAC value of account \
         `acc-1` (0.002 MWh) is left out, as such a claim allocates only values that pass every \
         criterion of re100 (unknown is not passing): re100.age fails for 1 (commissioned \
         2000-01-01: 15 years old on 2015-01-01, before it produced (2024-06-01T12:00:00Z), so \
         more than 15 years old then; a re-powering date, if any, is not recorded); \
         `eacdesk claims check` lists them\"\n\
         \nstart (UTC),end (UTC),",
    ] {
        assert!(csv.contains(part), "{part} not in {csv}");
    }
    // --only-passing names one rule set: a list or a lone comma is refused
    // in plain words (a lone comma used to panic).
    for given in ["re100,energytag", ","] {
        desk.eacdesk()
            .args(["claims", "report"])
            .args(HOURLY)
            .args(["--only-passing", given])
            .assert()
            .code(2)
            .stderr(contains(format!("There is no rule set `{given}`")));
    }
}

/// Sub-hour certificates (EnergyTag's 15-minute granular certificates)
/// back the hour they lie in: the hand-computed figures of
/// `tests/fixtures/claims/README.md` (quarters), recorded or not.
#[test]
fn quarter_hour_certificates_are_matched_in_their_hour() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &fixture("quarters.json")])
        .assert()
        .success();
    consumption_import(&desk, &fixture("quarters.csv"));
    let claim = [
        &["--beneficiary", "acc-2"][..],
        &HOURLY[..2],
        &HOURLY[4..],
        &["--bidding-zone", "NO1", "--unit", "kWh"],
        &["--only-passing", "energytag"],
    ]
    .concat();
    let figures = [
        "consumption,5\n",
        "matched,4\n",
        "surplus,0\n",
        "coverage_percent,80.0000\n",
        "hours_with_consumption,2\n",
        "hours_fully_covered,1\n",
        "hours_covered_percent,50.0000\n",
        "hourly_matched_percent,80.0000\n",
        "2024-06-01T10:00:00Z,2024-06-01T11:00:00Z,4,4,0,0\n",
        "2024-06-01T11:00:00Z,2024-06-01T12:00:00Z,1,0,1,0\n",
    ];
    let report = |args: &[&str]| {
        let out = desk
            .eacdesk()
            .args(["claims", "report"])
            .args(args)
            .arg("--csv")
            .assert()
            .success();
        crlf(&String::from_utf8_lossy(&out.get_output().stdout))
    };
    let now = report(&claim);
    for f in figures {
        assert!(now.contains(f), "{f} not in {now}");
    }
    desk.eacdesk()
        .args(["claims", "create"])
        .args(&claim)
        .args(["--reason", "June"])
        .assert()
        .success()
        .stdout(contains("with 4 allocation(s)"));
    // Recorded, the same figures but surplus (no part of its statement).
    let recorded = report(&["--claim", "1"]);
    for f in figures {
        let f = match f.strip_suffix(",0\n") {
            Some(rest) if f.starts_with("surplus") || f.starts_with("2024") => format!("{rest},\n"),
            _ => f.to_owned(),
        };
        assert!(recorded.contains(&f), "{f} not in {recorded}");
    }
}

/// An EnergyTag bundle's `issue_market_zone` (kept as
/// `eacdesk_issue_market_zone`) is its bidding zone for `energytag.zone`
/// and the allocation (`tests/fixtures/claims/README.md`, energytag.csv).
#[test]
fn an_energytag_bundles_issue_market_zone_is_its_bidding_zone() {
    let desk = Desk::new();
    let bundles = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/energytag/bundles.json")
        .display()
        .to_string();
    // (Its bundles include nuclear and storage: decision 9's option.)
    desk.eacdesk()
        .args(["import", &bundles, "--allow-extended-technologies"])
        .assert()
        .success();
    let id = "energytag:GCOS Registry:2:123456789012345678901234567890..\
              123456789012345678901234568889";
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            id,
            "--type",
            "account",
            "--id",
            "acc-1",
        ])
        .args(["--reason", "ours"])
        .assert()
        .success();
    consumption_import(&desk, &fixture("energytag.csv"));
    let claim = [&HOURLY[..10], &["--market", "GB", "--bidding-zone", "gb"]].concat();
    desk.eacdesk()
        .args(["claims", "check"])
        .args(&claim)
        .args(["--rules", "energytag"])
        .assert()
        .success()
        .stdout(contains(
            "pass    energytag.zone    produced in bidding zone GB",
        ));
    desk.eacdesk()
        .args(["claims", "report"])
        .args(&claim)
        .args(["--only-passing", "energytag", "--csv"])
        .assert()
        .success()
        .stdout(contains("consumption,2\r\n"))
        .stdout(contains("matched,1\r\n"));
}

/// A reporting period ending on 9999-12-31 would end in year 10000, which
/// the database compares wrongly as text (all consumption silently left
/// out): it is refused in plain words; 9999-12-30 is the latest last day.
#[test]
fn a_reporting_period_ending_after_9999_12_30_is_refused() {
    let desk = desk_with_claim_data();
    let claim = |to: &'static str| [&HOURLY[..4], &["--from", "2024-06-01", "--to", to]].concat();
    for command in [
        &["report"][..],
        &["check"],
        &["create", "--reason", "forever"],
    ] {
        desk.eacdesk()
            .arg("claims")
            .args(command)
            .args(claim("9999-12-31"))
            .assert()
            .code(2)
            .stderr(contains(
                "after 9999-12-30, the latest a reporting period can end on",
            ));
    }
    let report = desk.json(&[&["claims", "report"][..], &claim("9999-12-30")].concat());
    assert_eq!(report["consumption"].to_string(), "0.01", "{report}");
}

#[test]
fn a_recorded_claim_keeps_its_values_from_a_second_claim_and_is_audited() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success()
        .stdout(contains("Recorded claim 1 (June) with 3 allocation(s)"));
    // `create` takes a claim in full: the options of check and report that
    // name a recorded claim or rules are refused in plain words.
    for (args, said) in [
        (
            &["--claim", "1"][..],
            "--claim names a claim already recorded",
        ),
        (
            &[&HOURLY[..], &["--rules", "re100"]].concat()[..],
            "--rules chooses what `claims check`",
        ),
    ] {
        desk.eacdesk()
            .args(["claims", "create"])
            .args(args)
            .args(["--reason", "again"])
            .assert()
            .code(2)
            .stderr(contains(said));
    }
    // The same claim again: its hours are claimed already, named by their
    // instants with the end said to be excluded (not a day included).
    desk.eacdesk()
        .args(["claims", "check"])
        .args(HOURLY)
        .assert()
        .code(1)
        .stdout(contains(
            "Consumption already claimed: account `acc-1` 2024-06-01 10:00 until 13:00 UTC (end \
             excluded), 3 rows, by recorded claim #1 (June) — each hour",
        ));
    // Only what is left (gc-h10's 2 kWh surplus) can be matched, and
    // uniqueness says where the rest went.
    let report = desk.json(&[&["claims", "report"][..], &HOURLY].concat());
    assert_eq!(report["matched"].to_string(), "0.002", "{report}");
    let check = check_json(
        &desk,
        &[&HOURLY[..], &["--rules", "ghg-scope2-2015"]].concat(),
    );
    let h11 = check["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["cds_eac_id"] == "gc-h11")
        .unwrap();
    assert_eq!(h11["results"][1]["verdict"], "fail");
    assert!(h11["results"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("wholly allocated to claim 1"));
    // The recorded claim reports from its stored allocations.
    let recorded = desk.json(&["claims", "report", "--claim", "1"]);
    assert_eq!(recorded["matched"].to_string(), "0.008");
    assert_eq!(recorded["claim_id"], 1);
    desk.eacdesk()
        .args(["claims", "report", "--claim", "9"])
        .assert()
        .code(2)
        .stderr(contains("There is no claim number 9"));
    // Deleting it frees the values; every change is in the audit log.
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "redo"])
        .assert()
        .success();
    let report = desk.json(&[&["claims", "report"][..], &HOURLY].concat());
    assert_eq!(report["matched"].to_string(), "0.008");
    desk.eacdesk()
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("claim deleted"))
        .stdout(contains("claim recorded"))
        .stdout(contains("emission factor set"))
        .stdout(contains("consumption imported"));
}

#[test]
fn an_evidence_pack_holds_the_report_and_criteria_of_recorded_claims_over_its_eacs() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "filing", "--title", "June"])
        .assert()
        .success();
    let report: Value =
        serde_json::from_slice(&std::fs::read(desk.path("filing/claims/claim-1.json")).unwrap())
            .unwrap();
    assert_eq!(report["claim_id"], 1);
    // The values the claim allocated, not gc-open (unretired, not counted).
    assert!(report["check"]["values"].as_array().unwrap().len() == 3);
    let csv = std::fs::read_to_string(desk.path("filing/claims/claim-1.csv")).unwrap();
    assert!(crlf(&csv).contains("coverage_percent,80.0000\n"), "{csv}");
    let verdict = desk.json(&["pack", "verify", "filing"]);
    assert_eq!(verdict["ok"], true, "{verdict}");
    super::outputs::assert_pack_files_known(&desk.path("filing"));
}

/// A tester's finding (session 42, EVID 4): a pack's recorded claims were
/// visible only in `claims/`: not in the manifest's counts, nor in what
/// `pack` and `pack verify` print, nor in the claim statement. A pack whose
/// `claims/` was dropped and signed again could not be told from one that
/// never had claims.
#[test]
fn a_packs_recorded_claims_are_counted_printed_and_named_in_its_statement() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "T1", "--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "filing", "--title", "June"])
        .assert()
        .success()
        .stdout(contains(
            "\n  claims            1 recorded, each in claims/ and named in the claim statement\n",
        ));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(desk.path("filing/MANIFEST.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["claims"], 1, "{manifest}");
    desk.eacdesk()
        .args(["pack", "verify", "filing"])
        .assert()
        .success()
        .stdout(contains(
            "\n  claims            1 recorded, each in claims/ and named in the claim statement\n",
        ));
    let statement = std::fs::read_to_string(desk.path("filing/claim-statement.csv")).unwrap();
    let row = statement
        .lines()
        .find(|l| l.starts_with("claim,"))
        .unwrap_or_else(|| panic!("no claim row in {statement}"));
    assert_eq!(
        row,
        "claim,account: acc-1,2024-06-01 to 2024-06-01,,,,,,,,0.008,MWh,,,\"recorded claim 1 \"\"T1\"\" (hourly): consumption 0.01 MWh, matched 0.008 MWh, coverage 80.0000 %, market-based emissions 0.0008 tCO2e, location-based emissions 0.0002 tCO2e; its report: claims/claim-1.csv, claims/claim-1.json\""
    );

    // Its claims dropped and the pack signed again: the count says so.
    let dropped = desk.path("dropped");
    super::pack::copy_dir(&desk.path("filing"), &dropped);
    std::fs::remove_dir_all(dropped.join("claims")).unwrap();
    let path = dropped.join("MANIFEST.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    m["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| !f["path"].as_str().unwrap().starts_with("claims/"));
    std::fs::write(
        &path,
        format!("{}\n", serde_json::to_string_pretty(&m).unwrap()),
    )
    .unwrap();
    super::pack::resign_with_the_makers_key(&desk, &dropped, &[]);
    desk.eacdesk()
        .args(["pack", "verify", "dropped"])
        .assert()
        .code(1)
        .stdout(contains(
            "MANIFEST.json counts 1 recorded claim but lists 0 in claims/: a claim's report was removed or added",
        ));
}

/// A tester's finding (session 35): `pack diff` said "No changes since
/// this pack" (exit 0) after a claim the pack carries was deleted. The
/// pack's claims are what was filed too (decision 181).
#[test]
fn pack_diff_says_a_packed_claim_was_deleted_or_changed_and_one_recorded_since() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "filing"])
        .assert()
        .success();
    let diff = |code: i32| {
        let out = desk
            .eacdesk()
            .args(["pack", "diff", "filing"])
            .assert()
            .code(code);
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    assert!(diff(0).contains("No changes since this pack."));

    // Its allocation changed with another tool: the report differs.
    rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .execute(
            "UPDATE claim_allocations SET quantity_wh = '1'
              WHERE (cds_eac_id, position, interval_start) =
                    (SELECT cds_eac_id, position, interval_start FROM claim_allocations
                      ORDER BY cds_eac_id, position, interval_start LIMIT 1)",
            [],
        )
        .unwrap();
    let text = diff(1);
    assert!(
        text.contains("  claim 1 \"June\" changed: its report now differs from the pack's\n"),
        "{text}"
    );
    assert!(text.contains("    matched: \""), "{text}");
    assert!(text.contains("; claims: 1 changed."), "{text}");

    // Deleted (audited): said with its record, no longer among the
    // database's records.
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "withdrawn"])
        .assert()
        .success();
    let text = diff(1);
    assert!(
        text.contains("  claim 1 \"June\" deleted since the pack"),
        "{text}"
    );
    assert!(text.contains("(withdrawn)"), "{text}");
    assert!(
        text.contains(
            "Since this pack: 0 EACs added, 0 removed, 0 edited; 4 unchanged; claims: 1 deleted."
        ),
        "{text}"
    );
    // Recorded again over the pack's EACs: a claim the pack does not hold.
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June again", "--reason", "refiled"])
        .assert()
        .success();
    let out = desk
        .eacdesk()
        .args(["pack", "diff", "filing", "--json"])
        .assert()
        .code(1);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let claims: Vec<(i64, &str, &str)> = json["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["claim_id"].as_i64().unwrap(),
                c["change"].as_str().unwrap(),
                c["records"][0]["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        claims,
        [(1, "removed", "claim_delete"), (2, "added", "claim_create")]
    );
    assert_eq!(json["claims"][1]["name"], "June again");
    assert!(
        json["database_records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["action"] == "pack"),
        "{json}"
    );
}

/// A reviewer's finding (session 35): `pack diff` compared a packed claim
/// with the report regenerated now byte for byte, so a pack made by an
/// earlier EAC Desk (other reasons' words, other criteria, other `missing`
/// lines) read as "changed" with nothing changed in the data. What was
/// filed is compared: the definition, figures, factors and allocations.
#[test]
fn pack_diff_of_a_claim_reported_in_older_words_finds_no_change_but_a_changed_allocation() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["pack", "--out", "filing"])
        .assert()
        .success();
    // The claim as an earlier EAC Desk reported it: other reasons, one
    // criterion fewer, other counts and `missing` lines.
    let path = desk.path("filing/claims/claim-1.json");
    let mut report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for value in report["check"]["values"].as_array_mut().unwrap() {
        let results = value["results"].as_array_mut().unwrap();
        results.pop();
        for result in results {
            result["reason"] = "said in an earlier version's words".into();
        }
        value["verdict"] = "pass".into();
    }
    report["check"]["rule_sets"][0]["criteria"]
        .as_array_mut()
        .unwrap()
        .pop();
    report["check"]["passed"] = 99.into();
    report["missing"] = serde_json::json!(["an earlier version's line"]);
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap() + "\n").unwrap();
    super::pack::resign_with_the_makers_key(&desk, &desk.path("filing"), &["claims/claim-1.json"]);
    // … and recorded as that version made it: the pack this database
    // recorded has this manifest (a pack changed after it was recorded is
    // "not the pack this database recorded", decision 464).
    let manifest = std::fs::read(desk.path("filing/MANIFEST.json")).unwrap();
    rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .execute(
            "UPDATE packs SET manifest_sha256 = ?1",
            [hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                &manifest,
            ))],
        )
        .unwrap();
    let verdict = desk.json(&["pack", "verify", "filing"]);
    assert_eq!(verdict["ok"], true, "{verdict}");
    let diff = |code: i32| {
        let out = desk
            .eacdesk()
            .args(["pack", "diff", "filing"])
            .assert()
            .code(code);
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let text = diff(0);
    assert!(text.contains("No changes since this pack."), "{text}");

    // An allocation changed with another tool: named by what was filed.
    rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .execute(
            "UPDATE claim_allocations SET quantity_wh = '1'
              WHERE (cds_eac_id, position, interval_start) =
                    (SELECT cds_eac_id, position, interval_start FROM claim_allocations
                      ORDER BY cds_eac_id, position, interval_start LIMIT 1)",
            [],
        )
        .unwrap();
    let text = diff(1);
    assert!(
        text.contains("  claim 1 \"June\" changed: its report now differs from the pack's\n"),
        "{text}"
    );
    assert!(text.contains("    matched: \""), "{text}");
    assert!(text.contains("].allocated: \""), "{text}");
    assert!(!text.contains("reason"), "{text}");
    assert!(!text.contains("missing"), "{text}");
}

/// Customer B: the fixture's EACs as another registry's, for `acc-2`,
/// with consumption of their own (41.25 kWh an hour), claimed, the claim
/// deleted, the consumption deleted and both made again: every kind of
/// record about a customer's claims and consumption.
fn add_customer_b(desk: &Desk) {
    let text = std::fs::read_to_string(fixture("eacs.json"))
        .unwrap()
        .replace("\"gc-", "\"b-gc-")
        .replace("\"GC-", "\"B-GC-")
        .replace("GC-REG", "B-REG")
        .replace("\"acc-1\"", "\"acc-2\"");
    std::fs::write(desk.path("b.json"), text).unwrap();
    desk.eacdesk()
        .args(["import", desk.path("b.json").to_str().unwrap()])
        .assert()
        .success();
    std::fs::write(
        desk.path("b.csv"),
        "beneficiary_type,beneficiary,start,end,value,unit,meter\n\
         account,acc-2,2024-06-01T10:00:00Z,2024-06-01T11:00:00Z,41.25,kWh,MB\n\
         account,acc-2,2024-06-01T11:00:00Z,2024-06-01T12:00:00Z,41.25,kWh,MB\n",
    )
    .unwrap();
    let b_claim = [
        "claims",
        "create",
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-2",
        "--from",
        "2024-06-01",
        "--to",
        "2024-06-01",
        "--granularity",
        "hourly",
        "--market",
        "NO",
        "--name",
        "B's June",
        "--reason",
        "B's filing",
    ];
    let import_b = || {
        desk.eacdesk()
            .args([
                "consumption",
                "import",
                desk.path("b.csv").to_str().unwrap(),
            ])
            .assert()
            .success();
    };
    import_b();
    desk.eacdesk().args(b_claim).assert().success();
    desk.eacdesk()
        .args(["claims", "delete", "2", "--reason", "B redoes it"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["consumption", "delete", "--beneficiary-type", "account"])
        .args([
            "--beneficiary",
            "acc-2",
            "--reason",
            "B's meter file corrected",
        ])
        .assert()
        .success();
    import_b();
    desk.eacdesk().args(b_claim).assert().success();
}

/// A reviewer's finding (session 35): database-level records of claims
/// and consumption went into every pack whole, so a pack of customer A's
/// EACs disclosed customer B's consumption rows, allocations and name.
/// They are redacted (hash only) unless about a claim the pack carries;
/// the pack still verifies and `pack diff` still finds no change.
#[test]
fn a_pack_of_one_customer_keeps_another_customers_claims_and_consumption_private() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "A's June", "--reason", "A's filing"])
        .assert()
        .success();
    add_customer_b(&desk);
    desk.eacdesk()
        .args(["pack", "--out", "a", "--source", "GC-REG"])
        .assert()
        .success();
    assert!(desk.path("a/claims/claim-1.json").exists());
    assert!(!desk.path("a/claims/claim-3.json").exists());
    let audit = std::fs::read_to_string(desk.path("a/audit.jsonl")).unwrap();
    for private in ["acc-2", "b-gc-h1", "41.25", "B's", "B redoes it", "b.csv"] {
        assert!(!audit.contains(private), "{private} in the pack: {audit}");
    }
    let shown: Vec<(String, String)> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["record"]["cds_eac_id"] == "")
        .map(|l| {
            (
                l["record"]["action"].as_str().unwrap().to_owned(),
                l["record"]["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // A's claim is carried, so its record is shown; market factors are
    // no customer's; consumption names customers (a file may hold many).
    assert!(
        shown.contains(&("claim_create".to_owned(), "A's filing".to_owned())),
        "{shown:?}"
    );
    assert!(shown.iter().any(|(a, _)| a == "factor_set"), "{shown:?}");
    assert!(
        !shown.iter().any(|(a, _)| a.starts_with("consumption_")),
        "{shown:?}"
    );
    let redacted = audit
        .lines()
        .filter(|l| l.contains("\"record\":null"))
        .count();
    assert!(redacted >= 6, "{audit}");
    let verdict = desk.json(&["pack", "verify", "a"]);
    assert_eq!(verdict["ok"], true, "{verdict}");
    desk.eacdesk()
        .args(["pack", "diff", "a"])
        .assert()
        .code(0)
        .stdout(contains("No changes since this pack."));
}

#[test]
fn consumption_is_deleted_per_beneficiary_only_while_no_recorded_claim_uses_it() {
    let desk = desk_with_claim_data();
    let delete = [
        "consumption",
        "delete",
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-1",
        "--reason",
        "meter file corrected",
    ];
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args(delete)
        .assert()
        .code(2)
        // A command to run, as every other claim refusal names one, and
        // one claim said as one (CLM41 finding 9).
        .stderr(contains(
            "error: Recorded claim #1 is for account `acc-1` and was allocated against this \
             consumption, so nothing was changed. Delete the claim first (`eacdesk claims delete \
             1 --reason …`, or Claims → Delete…), then delete the consumption",
        ));
    assert_eq!(
        desk.json(&["consumption", "ls"]).as_array().unwrap().len(),
        3
    );
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "redo"])
        .assert()
        .success();
    desk.eacdesk()
        .args(delete)
        .assert()
        .success()
        .stdout(contains("Deleted 3 consumption row(s) of account acc-1"));
    assert_eq!(
        desk.json(&["consumption", "ls"]).as_array().unwrap().len(),
        0
    );
    // Nothing left to delete is said of the beneficiary (tester's report
    // 34, bug 7: "There is no EAC with id `consumption of account …`").
    desk.eacdesk()
        .args(delete)
        .assert()
        .code(2)
        .stderr(contains(
            "error: There is no consumption stored for account `acc-1` in this database; list \
             what is stored with `eacdesk consumption ls`. Nothing was changed.",
        ))
        .stderr(contains("EAC").not());
    // The corrected file can be imported again; the deletion is in the log.
    consumption_import(&desk, &fixture("consumption.csv"));
    desk.eacdesk()
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("consumption deleted"));
}

/// Consumption imported into a recorded claim's period would change its
/// report silently (or break it, for an hourly claim given a longer row):
/// the file is refused, located, naming the claim and what to do, and
/// nothing is stored; with the claim deleted it goes in.
#[test]
fn consumption_in_a_recorded_claims_period_is_refused_naming_the_claim() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["consumption", "import", &fixture("late.csv")])
        .assert()
        .code(1)
        .stderr(contains("late.csv:2:1: error: [claimed]"))
        .stderr(contains("recorded claim #1"))
        .stderr(contains("claims delete 1"));
    assert_eq!(
        desk.json(&["consumption", "ls"]).as_array().unwrap().len(),
        3
    );
    let recorded = desk.json(&["claims", "report", "--claim", "1"]);
    assert_eq!(recorded["consumption"].to_string(), "0.01");
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "more consumption"])
        .assert()
        .success();
    consumption_import(&desk, &fixture("late.csv"));
}

/// A database from before decision 243 may hold a recorded claim whose
/// allocated EAC value was deleted (or given to another beneficiary)
/// afterwards. `claims check --claim N` names each such allocation and
/// exits 1; `claims report --claim N` says so under its figures, with what
/// to do.
#[test]
fn a_recorded_allocation_whose_value_is_gone_is_named_by_check_and_report() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    let clean = check_json(&desk, &["--claim", "1"]);
    assert_eq!(clean["stale"], serde_json::json!([]), "{clean}");
    // What an earlier EAC Desk let a deletion leave behind.
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let moved = conn
        .execute(
            "UPDATE claim_allocations SET cds_eac_id = 'gc-gone'
              WHERE cds_eac_id = (SELECT min(cds_eac_id) FROM claim_allocations)",
            [],
        )
        .unwrap();
    assert!(moved >= 1);
    drop(conn);
    let check = check_json(&desk, &["--claim", "1"]);
    let stale = check["stale"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{check}");
    assert_eq!(stale[0]["cds_eac_id"], "gc-gone");
    assert!(stale[0]["why"]
        .as_str()
        .unwrap()
        .contains("no longer stored for this claim's beneficiaries"));
    desk.eacdesk()
        .args(["claims", "check", "--claim", "1"])
        .assert()
        .code(1)
        .stdout(contains(
            "1 of this claim's recorded allocations no longer hold:",
        ))
        .stdout(contains("gc-gone value 1:"));
    desk.eacdesk()
        .args(["claims", "report", "--claim", "1"])
        .assert()
        .success()
        .stdout(contains("no longer hold"))
        .stdout(contains("claims delete 1 --reason"));
}

/// A recorded claim is a statement an auditor re-reads (decisions 243 and
/// NNN): importing EACs it did not count, an unretired one among them, and
/// a second claim (for acc-5, whose EAC jan-v is too, over acc-5's own
/// consumption: an hour of consumption is claimed once, decision 272)
/// taking the rest of its value change neither its check (exit 0: only
/// the values it allocated are checked) nor its report, which gives no
/// surplus and says why. `--unit` shows it in another unit.
#[test]
fn a_recorded_claim_reads_the_same_after_unrelated_eacs_and_claims() {
    let desk = Desk::new();
    let claim = [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-4",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--market",
        "NO",
    ];
    desk.eacdesk()
        .args(["import", &fixture("january.json")])
        .assert()
        .success();
    consumption_import(&desk, &fixture("january.csv"));
    desk.eacdesk()
        .args(["claims", "create"])
        .args(claim)
        .args(["--reason", "2024"])
        .assert()
        .success();
    let read = |args: &[&str]| {
        let out = desk.eacdesk().args(args).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    let check = [
        "claims",
        "check",
        "--claim",
        "1",
        "--rules",
        "ghg-scope2-2015",
    ];
    let report = ["claims", "report", "--claim", "1"];
    let before = (
        read(&check),
        read(&[&report[..], &["--json"]].concat()),
        read(&[&report[..], &["--csv"]].concat()),
    );
    assert!(crlf(&before.2).contains("matched,3\n"), "{}", before.2);
    assert!(crlf(&before.2).contains("\nsurplus,\n"), "{}", before.2);
    let json: Value = serde_json::from_str(&before.1).unwrap();
    assert_eq!(json["surplus"], Value::Null, "{json}");
    assert_eq!(json["intervals"][0]["surplus"], Value::Null, "{json}");
    assert!(json["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.as_str().unwrap().contains("not part of a recorded claim")));
    // An unretired value and a retired one, neither counted by claim 1,
    // then a second claim, for acc-5, over what is left of jan-v.
    desk.eacdesk()
        .args(["import", &fixture("january-later.json")])
        .assert()
        .success();
    consumption_import(&desk, &fixture("january-acc-5.csv"));
    let mut acc5 = claim;
    acc5[3] = "acc-5";
    desk.eacdesk()
        .args(["claims", "create"])
        .args(acc5)
        .args(["--reason", "the rest"])
        .assert()
        .success()
        .stdout(contains("Recorded claim 2"));
    let rest = desk.json(&["claims", "report", "--claim", "2"]);
    assert_eq!(rest["matched"].to_string(), "2", "{rest}");
    let after = (
        read(&check),
        read(&[&report[..], &["--json"]].concat()),
        read(&[&report[..], &["--csv"]].concat()),
    );
    assert_eq!(before, after);
    assert!(!after.0.contains("jan-open"), "{}", after.0);
    // Given in full, the same claim sees what is free now (jan-more), and
    // that claim 1 counts its consumption already.
    let now = desk.json(&[&["claims", "report"][..], &claim].concat());
    assert_eq!(now["surplus"].to_string(), "0", "{now}");
    assert_eq!(now["matched"].to_string(), "1", "{now}");
    assert_eq!(now["check"]["claimed_elsewhere"][0]["claim_id"], 1, "{now}");
    // --unit with --claim is honoured, not ignored.
    let wh = desk.json(&[&report[..], &["--unit", "Wh"]].concat());
    assert_eq!(
        (wh["unit"].as_str(), wh["matched"].to_string()),
        (Some("Wh"), "3000000".to_owned())
    );
    let wh = desk.json(&[&check[..], &["--unit", "kWh"]].concat());
    assert_eq!(wh["values"][0]["allocated"].to_string(), "3000", "{wh}");
}

/// RE100's vintage window (3 months either side) brings a value produced
/// in December 2023 into a 2024 claim limited to RE100: listed, checked
/// and allocated (decision 264). One from August 2023 stays out, and a
/// claim not limited to RE100 keeps to the period.
#[test]
fn a_claim_limited_to_re100_uses_values_of_its_vintage_window() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &fixture("window.json")])
        .assert()
        .success();
    consumption_import(&desk, &fixture("window.csv"));
    let claim = [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-3",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--market",
        "NO",
    ];
    let ids = |check: &Value| -> Vec<String> {
        check["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["cds_eac_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = desk.json(&[&["claims", "report"][..], &claim].concat());
    assert_eq!(plain["matched"].to_string(), "1", "{plain}");
    assert_eq!(ids(&plain["check"]), ["w-jun24"]);
    let re100 = [&claim[..], &["--only-passing", "re100"]].concat();
    let limited = desk.json(&[&["claims", "report"][..], &re100].concat());
    assert_eq!(limited["matched"].to_string(), "3", "{limited}");
    assert_eq!(ids(&limited["check"]), ["w-dec23", "w-jun24"]);
    let dec = &limited["check"]["values"][0];
    assert_eq!(dec["allocated"].to_string(), "2");
    let reasons: Vec<(&str, &str)> = dec["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["criterion"].as_str().unwrap(),
                r["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(reasons.contains(&("re100.vintage", "pass")), "{reasons:?}");
    assert!(reasons.contains(&("ghg.vintage", "fail")), "{reasons:?}");
    // Under RE100 alone it passes; recorded, it reports the same.
    desk.eacdesk()
        .args(["claims", "check"])
        .args(&re100)
        .args(["--rules", "re100"])
        .assert()
        .success()
        .stdout(contains("widened by 3 month(s) before and 3 after"));
    desk.eacdesk()
        .args(["claims", "create"])
        .args(&re100)
        .args(["--reason", "RE100 2024"])
        .assert()
        .success();
    let recorded = desk.json(&["claims", "report", "--claim", "1"]);
    assert_eq!(recorded["matched"].to_string(), "3", "{recorded}");
    assert_eq!(ids(&recorded["check"]), ["w-dec23", "w-jun24"]);
}

/// A claim of more matching intervals than ten years of hours is refused
/// before anything is built (0001-01-01 to 9999-12-30 hourly grew past
/// gigabytes), saying what to do; an annual claim over the same days is
/// one interval.
#[test]
fn a_claim_of_more_than_ten_years_of_hours_is_refused_up_front() {
    let desk = desk_with_claim_data();
    let claim = |g: &'static str| {
        [
            &HOURLY[..4],
            &[
                "--from",
                "0001-01-01",
                "--to",
                "9999-12-30",
                "--granularity",
                g,
            ],
        ]
        .concat()
    };
    for command in [
        &["report"][..],
        &["check"],
        &["create", "--reason", "all time"],
    ] {
        desk.eacdesk()
            .arg("claims")
            .args(command)
            .args(claim("hourly"))
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .code(2)
            .stderr(contains(
                "error: An hourly claim from 0001-01-01 to 9999-12-30 has ",
            ))
            .stderr(contains(
                " matching intervals (clock hours); one claim may have at most 87840 matching \
                 intervals, as many as ten years of clock hours.",
            ))
            .stderr(contains("Give a shorter period"));
    }
    // Months are said as months (CLM41 finding 9).
    desk.eacdesk()
        .args(["claims", "report"])
        .args(claim("monthly"))
        .assert()
        .code(2)
        .stderr(contains(
            "error: A monthly claim from 0001-01-01 to 9999-12-30 has 119988 matching intervals \
             (calendar months); one claim may have at most 87840 matching intervals",
        ))
        .stderr(contains("or choose annual matching"));
    let annual = desk.json(&[&["claims", "report"][..], &claim("annual")].concat());
    assert_eq!(annual["consumption"].to_string(), "0.01", "{annual}");
}

/// Each hour of consumption may be claimed once (decision 272): a second
/// claim over consumption a recorded claim covers is refused (the conflict
/// exit code, nothing recorded) naming the rows and the claim;
/// `claims check` of that draft exits 1 and prints the clash though every
/// criterion passes; and a pair an EAC Desk from before the fix recorded is
/// named by `claims check --claim N`. A claim for another beneficiary
/// sharing the EAC is recorded, and once claim 1 is deleted so is the
/// second.
#[test]
fn consumption_a_recorded_claim_covers_is_not_claimed_again() {
    let desk = Desk::new();
    for (what, file) in [
        ("import", "january.json"),
        ("consumption", "january.csv"),
        ("consumption", "january-acc-5.csv"),
    ] {
        let mut cmd = desk.eacdesk();
        if what == "consumption" {
            cmd.args(["consumption", "import"]);
        } else {
            cmd.arg("import");
        }
        cmd.arg(fixture(file)).assert().success();
    }
    let claim = |who: &'static str, from: &'static str, to: &'static str| {
        [
            "--beneficiary-type",
            "account",
            "--beneficiary",
            who,
            "--from",
            from,
            "--to",
            to,
            "--market",
            "NO",
        ]
    };
    let year = claim("acc-4", "2024-01-01", "2024-12-31");
    desk.eacdesk()
        .args(["claims", "create"])
        .args(year)
        .args(["--name", "FY2024", "--reason", "2024 filing"])
        .assert()
        .success()
        .stdout(contains("Recorded claim 1 (FY2024)"));
    // The row's span as people read it: January's days, the 31st the last
    // (its end, 2024-02-01 00:00, is excluded).
    let clash = "account `acc-4` 2024-01-01 – 2024-01-31, 1 row, by recorded claim #1 (FY2024)";
    let january = claim("acc-4", "2024-01-01", "2024-01-31");
    let audit = || desk.json(&["audit"]).as_array().unwrap().len();
    let audited = audit();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(january)
        .args(["--name", "January", "--reason", "again"])
        .assert()
        // The finding `claims check` exits 1 with (below): the same exit
        // code when `create` refuses for it.
        .code(1)
        .stderr(contains(format!("Consumption already claimed: {clash}")))
        .stderr(contains("Each hour of consumption may be claimed once"))
        .stderr(contains("nothing was changed"))
        .stderr(contains("eacdesk claims delete 1 --reason"));
    assert_eq!(desk.json(&["claims", "ls"]).as_array().unwrap().len(), 1);
    assert_eq!(audit(), audited);

    // Its check: every criterion passes, the clash alone fails it.
    let draft = [&january[..], &["--rules", "ghg-scope2-2015"]].concat();
    let check = check_json(&desk, &draft);
    assert_eq!(check["failed"], 0, "{check}");
    assert_eq!(check["claimed_elsewhere"][0]["claim_id"], 1, "{check}");
    assert_eq!(check["claimed_elsewhere"][0]["rows"], 1, "{check}");
    desk.eacdesk()
        .args(["claims", "check"])
        .args(&draft)
        .assert()
        .code(1)
        .stdout(contains(format!(
            "Consumption already claimed: {clash} — each hour of consumption may be claimed once"
        )))
        .stdout(contains("delete recorded claim(s) #1 first"));
    desk.eacdesk()
        .args(["claims", "report"])
        .args(january)
        .assert()
        .success()
        .stdout(contains("Consumption already claimed"));
    // The recorded claim itself is not named against itself.
    let own = check_json(&desk, &["--claim", "1", "--rules", "ghg-scope2-2015"]);
    assert_eq!(own["claimed_elsewhere"], serde_json::json!([]), "{own}");

    // acc-5 shares jan-v (decision 171) and has consumption of its own.
    desk.eacdesk()
        .args(["claims", "create"])
        .args(claim("acc-5", "2024-01-01", "2024-12-31"))
        .args(["--reason", "acc-5 2024"])
        .assert()
        .success()
        .stdout(contains("Recorded claim 2"));

    // What an EAC Desk from before the fix let through: a copy of claim 1.
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    conn.execute(
        "INSERT INTO claims (name, beneficiary_type, beneficiaries, date_from, date_to,
                             granularity, market, bidding_zone, unit, only_passing,
                             created_at, created_by)
         SELECT 'twice', beneficiary_type, beneficiaries, date_from, date_to, granularity,
                market, bidding_zone, unit, only_passing, created_at, created_by
           FROM claims WHERE id = 1",
        [],
    )
    .unwrap();
    drop(conn);
    desk.eacdesk()
        .args([
            "claims",
            "check",
            "--claim",
            "1",
            "--rules",
            "ghg-scope2-2015",
        ])
        .assert()
        .code(1)
        .stdout(contains(
            "Consumption already claimed: account `acc-4` 2024-01-01 – 2024-01-31, 1 row, by \
             recorded claim #3 (twice)",
        ))
        .stdout(contains(
            "Claim #1 and recorded claim(s) #3 count the same consumption",
        ));
    desk.eacdesk()
        .args(["claims", "delete", "3", "--reason", "made twice"])
        .assert()
        .success();

    // With claim 1 deleted, January goes in.
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "redo per month"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(january)
        .args(["--name", "January", "--reason", "per month"])
        .assert()
        .success()
        .stdout(contains("Recorded claim 4 (January)"));
}

/// `claims factor set` of `kind` for NO in 2024.
fn set_factor(desk: &Desk, kind: &str, factor: &str, source: &str) -> String {
    let out = desk
        .eacdesk()
        .args(["claims", "factor", "set", "--market", "no", "--kind", kind])
        .args(["--year", "2024", "--factor", factor, "--source", source])
        .args(["--reason", "revised figures"])
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// `claims report … --json` as printed.
/// `claims report --json`, as printed.
fn report_text(desk: &Desk, args: &[&str]) -> String {
    claims_out(desk, &[args, &["--json"]].concat())
}

fn missing(report: &Value) -> Vec<String> {
    report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

/// A recorded claim's report uses the emission factors it was recorded
/// with (decision 273): setting a factor again leaves it (and its copy in
/// a later evidence pack) exactly as it was, and says so, while the same
/// claim given in full uses the factor stored now.
#[test]
fn a_recorded_claims_report_keeps_the_factors_it_was_recorded_with() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    let before = report_text(&desk, &["--claim", "1"]);
    let recorded: Value = serde_json::from_str(&before).unwrap();
    assert_eq!(recorded["market_based_tco2e"].to_string(), "0.0008");
    assert_eq!(recorded["location_based_tco2e"].to_string(), "0.0002");

    let said = set_factor(&desk, "residual_mix", "0.5", "AIB revised");
    assert!(
        said.contains(
            "Recorded claim #1 (June) keeps 0.4 tCO2e/MWh (test figures), the residual-mix \
             factor it was recorded with."
        ),
        "{said}"
    );
    let said = set_factor(&desk, "grid", "0.03", "NVE revised");
    assert!(
        said.contains("keeps 0.02 tCO2e/MWh (test figures), the grid factor"),
        "{said}"
    );
    assert_eq!(report_text(&desk, &["--claim", "1"]), before);

    // Given in full, the same claim uses the factors stored now: 0.002 MWh
    // matched (what claim 1 left), 0.008 unmatched × 0.5, 0.01 × 0.03.
    let draft: Value = serde_json::from_str(&report_text(&desk, &HOURLY)).unwrap();
    assert_eq!(
        draft["residual_mix_factor"]["tco2e_per_mwh"].to_string(),
        "0.5"
    );
    assert_eq!(draft["market_based_tco2e"].to_string(), "0.004");
    assert_eq!(draft["location_based_tco2e"].to_string(), "0.0003");

    // An evidence pack made now holds the report as recorded.
    desk.eacdesk()
        .args(["pack", "--out", "filing", "--title", "June"])
        .assert()
        .success();
    let packed: Value =
        serde_json::from_slice(&std::fs::read(desk.path("filing/claims/claim-1.json")).unwrap())
            .unwrap();
    assert_eq!(packed["market_based_tco2e"].to_string(), "0.0008");
    assert_eq!(
        packed["residual_mix_factor"]["tco2e_per_mwh"].to_string(),
        "0.4"
    );

    // Setting the factor it was recorded with names no claim, however the
    // number is written (0.40 is the 0.4 it was recorded with); each
    // keeps its spelling.
    for same in ["0.4", "0.40", "4e-1"] {
        let said = set_factor(&desk, "residual_mix", same, "test figures");
        assert!(said.contains(&format!("{same} tCO2e/MWh")), "{said}");
        assert!(!said.contains("Recorded claim"), "{same}: {said}");
    }
    assert_eq!(report_text(&desk, &["--claim", "1"]), before);
    // Another number or source is another factor.
    let said = set_factor(&desk, "residual_mix", "0.400001", "test figures");
    assert!(
        said.contains("Recorded claim #1 (June) keeps 0.4 tCO2e/MWh"),
        "{said}"
    );
    let said = set_factor(&desk, "residual_mix", "0.40", "AIB 2024");
    assert!(
        said.contains("Recorded claim #1 (June) keeps 0.4 tCO2e/MWh"),
        "{said}"
    );
}

/// A factor missing when a claim was recorded stays missing from its
/// report, which says so and names one entered since; the claim given in
/// full uses it.
#[test]
fn a_factor_missing_when_a_claim_was_recorded_stays_missing_and_is_named() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &fixture("eacs.json")])
        .assert()
        .success();
    consumption_import(&desk, &fixture("consumption.csv"));
    set_factor(&desk, "residual_mix", "0.4", "test figures");
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    let recorded: Value = serde_json::from_str(&report_text(&desk, &["--claim", "1"])).unwrap();
    assert_eq!(recorded["location_based_tco2e"], Value::Null);
    let lines = missing(&recorded);
    assert!(
        lines.iter().any(|m| m.contains(
            "no grid factor for market NO in 2024 had been entered when this claim was recorded"
        ) && m
            .ends_with("enter it, then delete the claim and record it again")),
        "{lines:?}"
    );

    let said = set_factor(&desk, "grid", "0.02", "NVE");
    assert!(
        said.contains(
            "Recorded claim #1 (June) keeps no grid factor: none had been entered when it was \
             recorded. Delete it and record it again to use this one."
        ),
        "{said}"
    );
    let recorded: Value = serde_json::from_str(&report_text(&desk, &["--claim", "1"])).unwrap();
    assert_eq!(recorded["location_based_tco2e"], Value::Null);
    assert_eq!(recorded["market_based_tco2e"].to_string(), "0.0008");
    let lines = missing(&recorded);
    assert!(
        lines.iter().any(|m| m.contains(
            "one has been entered since (0.02 tCO2e/MWh, NVE): recording the claim again"
        )),
        "{lines:?}"
    );
    // The CSV says it too: the factor used, none for the grid, and every
    // line of `missing` in the text's words.
    let csv = desk
        .eacdesk()
        .args(["claims", "report", "--claim", "1", "--csv"])
        .output()
        .unwrap();
    assert!(csv.status.success(), "{csv:?}");
    let csv = crlf(&String::from_utf8(csv.stdout).unwrap());
    for part in [
        "\nresidual_mix_factor_tco2e_per_mwh,0.4\nresidual_mix_factor_market,no\n\
         residual_mix_factor_year,2024\nresidual_mix_factor_source,test figures\n",
        "\ngrid_factor_tco2e_per_mwh,\ngrid_factor_market,\ngrid_factor_year,\n\
         grid_factor_source,\n",
        "\nmissing,\"location-based emissions: no grid factor for market NO in 2024 had been \
         entered when this claim was recorded, and a recorded claim's report keeps the factors \
         it was recorded with; one has been entered since (0.02 tCO2e/MWh, NVE): recording the \
         claim again (delete it and record it anew) would use it\"\n",
        "\nmissing,\"surplus: not part of a recorded claim's statement (",
    ] {
        assert!(csv.contains(part), "{part} not in {csv}");
    }
    assert_eq!(csv.matches("\nmissing,").count(), lines.len(), "{csv}");
    let draft: Value = serde_json::from_str(&report_text(&desk, &HOURLY)).unwrap();
    assert_eq!(draft["location_based_tco2e"].to_string(), "0.0002");
    assert!(
        !missing(&draft).iter().any(|m| m.contains("grid")),
        "{draft}"
    );
}

/// A claim recorded by an EAC Desk before schema 22, which kept no
/// factors with a claim, reads the same after the upgrade: the factors
/// stored now, as before, with a note saying so; setting one again
/// changes its report, and `factor set` says that too.
#[test]
fn a_claim_recorded_before_schema_22_reads_the_same_and_says_whose_factors() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    let before: Value = serde_json::from_str(&report_text(&desk, &["--claim", "1"])).unwrap();
    let listed = desk.json(&["claims", "ls"]);
    assert_eq!(listed[0]["factors_recorded"], true, "{listed}");
    desk.eacdesk()
        .args(["claims", "ls"])
        .assert()
        .success()
        .stdout(contains("FACTORS"))
        .stdout(is_match(r"(?m)^ *1 +June .+ recorded *$").unwrap())
        .stdout(contains("stored now").not());
    // The file as schema 21 had it: the step 0022 added only this table
    // and column (0023 only the column of registry statements, 0024 only
    // the EACs' digests and the trigger that forgets them, 0027 only the
    // audit records' server login).
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    conn.execute_batch(
        "ALTER TABLE audit_log DROP COLUMN server_login;
         DROP TABLE claim_factors;
         ALTER TABLE claims DROP COLUMN factors_recorded;
         ALTER TABLE eac_sources DROP COLUMN stated;
         DROP TRIGGER eacs_content_digest_stale;
         ALTER TABLE eacs DROP COLUMN content_digest;
         PRAGMA user_version = 21;",
    )
    .unwrap();
    drop(conn);

    let mut after: Value = serde_json::from_str(&report_text(&desk, &["--claim", "1"])).unwrap();
    let version: i64 = rusqlite::Connection::open(desk.path("desk.sqlite"))
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, eac_store::supported_schema_version());
    let mut lines = missing(&after);
    let note = lines.pop().unwrap();
    assert!(
        note.starts_with("emission factors: this claim was recorded by an older version"),
        "{note}"
    );
    after["missing"] = Value::from(lines);
    assert_eq!(after, before);
    // `claims ls` says whose factors its report reads, in text and JSON.
    let listed = desk.json(&["claims", "ls"]);
    assert_eq!(listed[0]["factors_recorded"], false, "{listed}");
    desk.eacdesk()
        .args(["claims", "ls"])
        .assert()
        .success()
        .stdout(is_match(r"(?m)^ *1 +June .+ stored now *$").unwrap())
        .stdout(contains(
            "claim(s) #1 were recorded by an EAC Desk before schema 22, which kept no emission \
             factors with a claim; their reports use the factors stored now",
        ));

    let said = set_factor(&desk, "residual_mix", "0.5", "AIB revised");
    assert!(
        said.contains(
            "Recorded claim #1 (June) was recorded by an older version of EAC Desk, which kept no \
             factors with it: its report now uses this residual-mix factor."
        ),
        "{said}"
    );
    let now = desk.json(&["claims", "report", "--claim", "1"]);
    assert_eq!(now["market_based_tco2e"].to_string(), "0.001");
}

/// One annual 2024 EAC of `account BENEFICIARY` in `market`, one value of
/// `mwh` MWh numbered `NUMBER-v` (retired on 2024-06-01 unless `retired`
/// is null), from a `technology` plant of 2016: `eacs.json`'s first EAC
/// made over.
fn annual_eac(
    id: &str,
    number: &str,
    beneficiary: &str,
    technology: &str,
    mwh: u32,
    retired: Value,
    market: &str,
) -> Value {
    let listing: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("eacs.json")).unwrap()).unwrap();
    let mut e = listing["eacs"][0].clone();
    e["cds_eac_id"] = id.into();
    e["eac_number"] = number.into();
    e["source_id"] = "REG-X".into();
    e["beneficiaries"] = serde_json::json!([beneficiary]);
    e["asset_id"] = format!("PLANT-{id}").into();
    e["technology_type"] = technology.into();
    e["period_start"] = "2024-01-01T00:00:00Z".into();
    e["period_end"] = "2025-01-01T00:00:00Z".into();
    e["eacdesk_market"] = market.into();
    e["values"] = serde_json::json!([{
        "eac_number": format!("{number}-v"),
        "issued": "2024-01-15",
        "retired": retired,
        "start": "2024-01-01T00:00:00Z",
        "end": "2025-01-01T00:00:00Z",
        "unit": "MWh",
        "value": mwh,
    }]);
    e
}

/// Imports `eacs` (a P1 listing, sorted by number) and `mwh` MWh of 2024
/// consumption of `account BENEFICIARY`.
fn import_annual(desk: &Desk, eacs: &[Value], beneficiary: &str, mwh: u32) {
    let mut eacs = eacs.to_vec();
    eacs.sort_by(|a, b| a["eac_number"].as_str().cmp(&b["eac_number"].as_str()));
    let listing = serde_json::json!({ "eacs": eacs, "next": null, "previous": null });
    let path = desk.path(&format!("{beneficiary}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&listing).unwrap()).unwrap();
    desk.eacdesk().arg("import").arg(&path).assert().success();
    let csv = desk.path(&format!("{beneficiary}.csv"));
    std::fs::write(
        &csv,
        format!(
            "beneficiary_type,beneficiary,start,end,value,unit\n\
             account,{beneficiary},2024-01-01,2025-01-01,{mwh},MWh\n"
        ),
    )
    .unwrap();
    desk.eacdesk()
        .args(["consumption", "import"])
        .arg(&csv)
        .assert()
        .success();
}

fn annual(beneficiary: &'static str, market: &'static str) -> [&'static str; 10] {
    [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        beneficiary,
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--market",
        market,
    ]
}

/// A retirement dated after today has not happened: every rule set's
/// `retired` criterion fails saying so and no claim is allocated the value;
/// one dated before the value's production ended passes, saying the dates
/// contradict each other (MAT42 finding 2). A claim limited to a rule set
/// says what the rule set left out, also once recorded (finding 3), and
/// `check`'s line gives the value and its allocation in one unit (finding 4).
#[test]
fn a_retirement_still_to_come_is_not_allocated_and_left_out_values_are_named() {
    let desk = Desk::new();
    import_annual(
        &desk,
        &[
            annual_eac("fut", "F", "acc-f", "wind", 2, "2099-01-01".into(), "NO"),
            annual_eac("now", "N", "acc-f", "wind", 3, "2025-01-10".into(), "NO"),
            annual_eac("early", "E", "acc-f", "wind", 1, "2024-03-01".into(), "NO"),
            annual_eac("se", "S", "acc-f", "wind", 1, "2025-01-10".into(), "SE"),
        ],
        "acc-f",
        10,
    );
    let claim = annual("acc-f", "NO");
    let report = desk.json(&[&["claims", "report"][..], &claim].concat());
    // now 3 + early 1 + se 1; the retirement still to come is not counted.
    assert_eq!(report["matched"].to_string(), "5", "{report}");
    let check = check_json(&desk, &claim);
    for criterion in ["ghg.retired", "re100.retired", "energytag.retired"] {
        let results = results_of(&check, criterion);
        let fut = results.iter().find(|r| r.0 == "fut").unwrap();
        assert_eq!(fut.1, "fail", "{criterion}: {fut:?}");
        assert!(
            fut.2.starts_with(
                "EAC fut (number F-v) value 1 is retired on 2099-01-01, a date still to come \
                 (today is "
            ),
            "{}",
            fut.2
        );
        assert!(
            fut.2.ends_with(
                "): it is not retired yet, so no claim is allocated it; if the date is a \
                 mistake, correct it in the registry's document and import that again"
            ),
            "{}",
            fut.2
        );
        let early = results.iter().find(|r| r.0 == "early").unwrap();
        assert_eq!(early.1, "pass", "{early:?}");
        assert_eq!(
            early.2,
            "retired on 2024-03-01 for account acc-f, but 2024-03-01 is before its production \
             ended (2025-01-01T00:00:00Z): a certificate is retired only once its electricity \
             is produced, so check the retirement date and the production period"
        );
        let now = results.iter().find(|r| r.0 == "now").unwrap();
        assert_eq!(now.2, "retired on 2025-01-10 for account acc-f");
    }
    let fut = check["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["cds_eac_id"] == "fut")
        .unwrap();
    assert_eq!(
        (&fut["retired"], &fut["allocated"]),
        (&serde_json::json!(false), &serde_json::json!(0))
    );
    // One unit on each line of the text: the report's (--unit kWh).
    let out = desk
        .eacdesk()
        .args(["claims", "check"])
        .args(claim)
        .args(["--unit", "kWh"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "now value 1 [N-v]: 3000 kWh (2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z), \
             allocated 3000 kWh: FAIL\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("fut value 1 [F-v]: 2000 kWh (2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z), allocated 0 kWh: FAIL\n"),
        "{text}"
    );

    // Limited to GHG's criteria, SE's value is left out, and the recorded
    // claim says so (the one still to come is not retired: not named).
    let limited = [&claim[..], &["--only-passing", "ghg-scope2-2015"]].concat();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(&limited)
        .args(["--reason", "FY2024"])
        .assert()
        .success()
        .stdout(contains("with 2 allocation(s)"));
    let recorded = desk.json(&["claims", "report", "--claim", "1"]);
    assert_eq!(recorded["matched"].to_string(), "4", "{recorded}");
    let line = "limited to ghg-scope2-2015 (--only-passing ghg-scope2-2015): 1 retired EAC value \
                of account `acc-f` (1 MWh) is left out, as such a claim allocates only values \
                that pass every criterion of ghg-scope2-2015 (unknown is not passing): \
                ghg.market fails for 1 (produced in SE, the consumption is in NO); `eacdesk \
                claims check` lists them";
    assert_eq!(
        recorded["not_counted"],
        serde_json::json!([line]),
        "{recorded}"
    );
    let text = claims_out(&desk, &["--claim", "1"]);
    assert!(text.contains(&format!("not counted: {line}\n")), "{text}");
}

/// A claim limited to a rule set it cannot pass for want of the claim's
/// market or bidding zone (every value's criterion unknown) is refused up
/// front, naming the option, rather than recorded with nothing allocated
/// (MAT42 finding 3).
#[test]
fn a_claim_limited_to_a_rule_set_without_its_market_or_zone_is_refused() {
    let desk = desk_with_claim_data();
    // HOURLY names the market, not the bidding zone.
    let no_zone = HOURLY;
    for command in ["create", "report", "check"] {
        let reason: &[&str] = if command == "create" {
            &["--reason", "x"]
        } else {
            &[]
        };
        desk.eacdesk()
            .args(["claims", command])
            .args(no_zone)
            .args(["--only-passing", "energytag"])
            .args(reason)
            .assert()
            .code(2)
            .stderr(contains(
                "A claim limited to energytag (--only-passing energytag) allocates only values \
                 that pass every one of its criteria, and energytag.zone is unknown for every \
                 value while the claim does not give the bidding zone of the consumption: give \
                 it (--bidding-zone), or leave out --only-passing.",
            ));
    }
    let no_market = &HOURLY[..10];
    for set in ["re100", "ghg-scope2-2015"] {
        desk.eacdesk()
            .args(["claims", "create"])
            .args(no_market)
            .args(["--only-passing", set, "--reason", "x"])
            .assert()
            .code(2)
            .stderr(contains(format!(
                "A claim limited to {set} (--only-passing {set}) allocates only values that \
                 pass every one of its criteria, and {}.market is unknown for every value while \
                 the claim does not give the market of the consumption: give it (--market), or \
                 leave out --only-passing.",
                if set == "re100" { "re100" } else { "ghg" }
            )));
    }
    // Nothing was recorded; without --only-passing the claim is recorded.
    assert_eq!(desk.json(&["claims", "ls"]), serde_json::json!([]));
    desk.eacdesk()
        .args(["claims", "create"])
        .args(no_zone)
        .args(["--reason", "x"])
        .assert()
        .success();
}

/// The results of `criterion` for each value of a `claims check --json`,
/// by EAC id: (verdict, reason).
fn results_of(check: &Value, criterion: &str) -> Vec<(String, String, String)> {
    check["values"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["criterion"] == criterion)
                .map(|r| {
                    (
                        v["cds_eac_id"].as_str().unwrap().to_owned(),
                        r["verdict"].as_str().unwrap().to_owned(),
                        r["reason"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One certificate stored twice (a statement imported as a listing and
/// again from the registry's file) is what `eacdesk check` calls retired
/// twice: no rule set's uniqueness passes it, naming the other EAC, and a
/// claim limited to one allocates neither copy (it counted 10 MWh from 5).
#[test]
fn a_certificate_stored_twice_is_no_unique_claim_and_is_not_allocated_twice() {
    let desk = Desk::new();
    let copy = |id: &str| annual_eac(id, "GO-FR-0001", "W", "wind", 5, "2024-06-01".into(), "FR");
    import_annual(&desk, &[copy("D1"), copy("D2")], "W", 20);
    desk.eacdesk()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("retired twice in REG-X: 1 certificate shared"));
    let claim = annual("W", "FR");
    let check = check_json(&desk, &claim);
    for criterion in ["ghg.unique", "re100.unique", "energytag.unique"] {
        let got = results_of(&check, criterion);
        assert_eq!(got.len(), 2, "{got:?}");
        for (id, verdict, reason) in &got {
            let other = if id == "D1" { "D2" } else { "D1" };
            assert_eq!(verdict, "fail", "{criterion} {id}: {reason}");
            assert!(
                reason.contains(&format!(
                    "EAC `{other}` (retired twice in REG-X: 1 certificate shared)"
                )),
                "{reason}"
            );
            assert!(reason.contains("`eacdesk check`"), "{reason}");
        }
    }
    desk.eacdesk()
        .args(["claims", "check"])
        .args(claim)
        .args(["--rules", "ghg-scope2-2015"])
        .assert()
        .code(1);
    // Limited to a rule set, neither copy is allocated.
    for set in ["ghg-scope2-2015", "re100"] {
        let r = desk.json(&[&["claims", "report"][..], &claim, &["--only-passing", set]].concat());
        assert_eq!(r["matched"].to_string(), "0", "{set}: {r}");
    }
    desk.eacdesk()
        .args(["claims", "create"])
        .args(claim)
        .args(["--only-passing", "ghg-scope2-2015", "--reason", "FY2024"])
        .assert()
        .success();
    let r = desk.json(&["claims", "report", "--claim", "1"]);
    assert_eq!(r["matched"].to_string(), "0", "{r}");
}

/// RE100 counts renewable electricity only: coal and gas certificates
/// fail it, and their matched MWh are not zero-emission, so the
/// market-based figure is not given (never 3.5 t for 15 MWh of fossil
/// certificates) and the report says how many MWh came from which; a
/// value never retired fails `re100` and `energytag`.
#[test]
fn fossil_certificates_fail_re100_and_leave_the_market_based_figure_not_computed() {
    let desk = Desk::new();
    let retired = || Value::from("2024-06-01");
    import_annual(
        &desk,
        &[
            annual_eac("C1", "C-1", "A", "coal", 10, retired(), "DE"),
            annual_eac("G1", "G-1", "A", "natural_gas", 5, retired(), "DE"),
            annual_eac("W1", "W-1", "A", "wind", 2, retired(), "DE"),
            annual_eac("U1", "U-1", "A", "wind", 3, Value::Null, "DE"),
        ],
        "A",
        20,
    );
    desk.eacdesk()
        .args([
            "claims",
            "factor",
            "set",
            "--market",
            "DE",
            "--kind",
            "residual_mix",
        ])
        .args([
            "--year", "2024", "--factor", "0.7", "--source", "AIB", "--reason", "r",
        ])
        .assert()
        .success();
    let claim = annual("A", "DE");

    let check = check_json(&desk, &[&claim[..], &["--rules", "re100"]].concat());
    let renewable = results_of(&check, "re100.renewable");
    let verdicts: Vec<(&str, &str)> = renewable
        .iter()
        .map(|(id, v, _)| (id.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("C1", "fail"),
            ("G1", "fail"),
            ("U1", "pass"),
            ("W1", "pass")
        ]
    );
    assert!(
        renewable[0].2.contains("produced from coal"),
        "{renewable:?}"
    );
    let retired = results_of(&check, "re100.retired");
    assert!(
        retired
            .iter()
            .any(|(id, v, r)| id == "U1" && v == "fail" && r.contains("is not retired")),
        "{retired:?}"
    );
    let hourly_check = check_json(&desk, &[&claim[..], &["--rules", "energytag"]].concat());
    assert!(results_of(&hourly_check, "energytag.retired")
        .iter()
        .any(|(id, v, _)| id == "U1" && v == "fail"));

    let said = "market-based emissions: of the matched quantity, 5 MWh from natural_gas EACs \
                and 10 MWh from coal EACs; ";
    let r = desk.json(&[&["claims", "report"][..], &claim].concat());
    assert_eq!(r["matched"].to_string(), "17");
    assert!(r["market_based_tco2e"].is_null(), "{r}");
    assert!(missing(&r)[0].starts_with(said), "{r}");
    desk.eacdesk()
        .args(["claims", "report"])
        .args(claim)
        .assert()
        .success()
        .stdout(contains("market-based          —\n"))
        .stdout(contains(format!("not computed: {said}")));
    desk.eacdesk()
        .args(["claims", "report"])
        .args(claim)
        .arg("--csv")
        .assert()
        .success()
        .stdout(contains("market_based_tco2e,\r\n"))
        // Quoted: the sentence holds commas.
        .stdout(contains(format!("missing,\"{said}")));
    // Limited to RE100: only the wind value, 18 MWh × 0.7.
    let r = desk.json(
        &[
            &["claims", "report"][..],
            &claim,
            &["--only-passing", "re100"],
        ]
        .concat(),
    );
    assert_eq!(r["matched"].to_string(), "2");
    assert_eq!(r["market_based_tco2e"].to_string(), "12.6");
    // A recorded claim over them says the same.
    desk.eacdesk()
        .args(["claims", "create"])
        .args(claim)
        .args(["--reason", "FY2024"])
        .assert()
        .success();
    let r = desk.json(&["claims", "report", "--claim", "1"]);
    assert!(r["market_based_tco2e"].is_null(), "{r}");
    assert!(missing(&r)[0].starts_with(said), "{r}");
}

/// `eacdesk consumption import FILE`, which must succeed.
fn consumption_import(desk: &Desk, file: &str) {
    desk.eacdesk()
        .args(["consumption", "import", file])
        .assert()
        .success();
}

/// Writes `text` into the desk's folder as `name`; its path.
fn csv_file(desk: &Desk, name: &str, text: &str) -> String {
    let path = desk.path(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const HEAD: &str = "beneficiary_type,beneficiary,start,end,value,unit";

/// Tester's report 35, finding 5: a consumption file with `\r\n` line ends
/// (Excel on Windows) had every line number one too low — in its errors,
/// the stored LINE and the overlap messages citing a stored row.
#[test]
fn a_windows_consumption_file_is_located_by_its_own_lines() {
    let desk = Desk::new();
    let mut text = format!("{HEAD}\r\n");
    for m in ["01", "02", "03", "04", "05"] {
        text.push_str(&format!("account,A,2024-{m}-01,2024-{m}-02,1,MWh\r\n"));
    }
    let bad = format!("{text}account,A,2024-07-01,2024-07-02,x,MWh\r\n");
    let bad = csv_file(&desk, "crlf.csv", &bad);
    desk.eacdesk()
        .args(["consumption", "import", &bad])
        .assert()
        .code(1)
        .stderr(contains(
            "crlf.csv:7:33: error: [value] column `value` (cell 5): `x`",
        ));
    let good = csv_file(&desk, "crlf_ok.csv", &text);
    consumption_import(&desk, &good);
    let lines: Vec<i64> = desk
        .json(&["consumption", "ls"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    // A row overlapping the stored March row names its line, 4.
    let again = csv_file(
        &desk,
        "again.csv",
        &format!("\u{feff}{HEAD}\r\naccount,A,2024-03-01,2024-03-03,1,MWh\r\n"),
    );
    desk.eacdesk()
        .args(["consumption", "import", &again])
        .assert()
        .code(1)
        .stderr(contains("again.csv:2:1: error: [overlap]"))
        .stderr(contains("crlf_ok.csv line 4 (2024-03-01T00:00:00Z"));
}

/// Findings 7 and 8: a file's overlap with stored consumption and its
/// clash with a recorded claim are told in the same run as its other
/// problems; a header naming a column twice is refused, naming both.
#[test]
fn every_problem_of_a_consumption_file_is_told_in_one_run() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--reason", "2024 filing"])
        .assert()
        .success();
    let first = csv_file(
        &desk,
        "o1.csv",
        &format!("{HEAD}\naccount,A,2024-01-01,2024-02-01,1,MWh\n"),
    );
    consumption_import(&desk, &first);
    let second = csv_file(
        &desk,
        "o2.csv",
        &format!(
            "{HEAD}\naccount,A,2024-01-15,2024-02-15,1,MWh\n\
             account,A,2024-03-01,2024-04-01,x,MWh\n\
             account,acc-1,2024-06-01T13:00:00Z,2024-06-01T14:00:00Z,1,kWh\n\
             account,acc-1,2024-06-01T10:00:00Z,2024-06-01T10:30:00Z,1,kWh\n"
        ),
    );
    desk.eacdesk()
        .args(["consumption", "import", &second])
        .assert()
        .code(1)
        .stderr(contains("5 problem(s) in the consumption file"))
        .stderr(contains("o2.csv:2:1: error: [overlap]"))
        .stderr(contains("o2.csv:3:33: error: [value]"))
        .stderr(contains("o2.csv:4:1: error: [claimed]"))
        .stderr(contains("o2.csv:5:1: error: [claimed]"))
        .stderr(contains("o2.csv:5:1: error: [overlap]"));
    let twice = csv_file(
        &desk,
        "twice.csv",
        &format!("{HEAD},value\naccount,B,2024-01-01,2024-02-01,1,MWh,1000\n"),
    );
    desk.eacdesk()
        .args(["consumption", "import", &twice])
        .assert()
        .code(1)
        .stderr(contains(
            "twice.csv:1:51: error: [header] the header names `value` twice, in columns 5 and 7",
        ));
    assert_eq!(
        desk.json(&["consumption", "ls"]).as_array().unwrap().len(),
        4
    );
}

/// Finding 9: a header-only file is refused, saying so, with no audit
/// record; a claim of a beneficiary without consumption or EACs (a typo)
/// says why in `missing` and is not recorded; `claims create --help`
/// offers only what `create` takes.
#[test]
fn an_empty_file_and_a_claim_of_nothing_say_so() {
    let desk = desk_with_claim_data();
    let records = |desk: &Desk| desk.json(&["audit"]).as_array().unwrap().len();
    let before = records(&desk);
    let empty = csv_file(&desk, "c16.csv", &format!("{HEAD}\n"));
    desk.eacdesk()
        .args(["consumption", "import", &empty])
        .assert()
        .code(1)
        .stderr(contains("c16.csv:1:1: error: [row] no consumption rows in"))
        .stderr(contains("nothing was imported"))
        .stdout(contains("Imported").not());
    assert_eq!(records(&desk), before, "no audit record");

    let typo = [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-l",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--market",
        "NO",
    ];
    let report = desk.json(&[&["claims", "report"][..], &typo].concat());
    let missing = missing(&report);
    assert!(
        missing.contains(
            &"coverage: no consumption of account `acc-l` is stored in 2024-01-01 – 2024-12-31; \
              import it with `eacdesk consumption import FILE` (or check the beneficiary type and \
              id)"
            .to_owned()
        ),
        "{missing:?}"
    );
    assert!(
        missing.contains(
            &"matched: no EAC value attributed to account `acc-l` overlaps 2024-01-01 – \
              2024-12-31 (check the beneficiary type and id)"
                .to_owned()
        ),
        "{missing:?}"
    );
    desk.eacdesk()
        .args(["claims", "create"])
        .args(typo)
        .args(["--reason", "FY2024"])
        .assert()
        .code(2)
        .stderr(contains(
            "No consumption of account `acc-l` is stored in 2024-01-01 – 2024-12-31",
        ));
    assert_eq!(desk.json(&["claims", "ls"]).as_array().unwrap().len(), 0);
    assert_eq!(records(&desk), before);

    let help = desk
        .eacdesk()
        .args(["claims", "create", "--help"])
        .assert()
        .success();
    let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    assert!(help.contains("--only-passing"), "{help}");
    assert!(!help.contains("--claim"), "{help}");
    assert!(!help.contains("--rules"), "{help}");
}

/// CLM41 finding 9, the wording slips: `general` consumption names no
/// id, so no space is left for one (import, report header, `ghg.retired`);
/// a beneficiary given twice is one; a rule set is named in any case, as a
/// granularity is; a claim given no name is not followed by its days again.
#[test]
fn claims_words_have_no_stray_space_repeat_or_case() {
    let desk = Desk::new();
    let mut eac = annual_eac("G1", "GO-G", "x", "wind", 5, "2024-06-01".into(), "NO");
    eac["beneficiary_type"] = "general".into();
    eac["beneficiaries"] = serde_json::json!([]);
    import_annual(&desk, &[eac], "W", 1);
    let general = csv_file(
        &desk,
        "gen.csv",
        &format!("{HEAD}\ngeneral,,2024-06-01,2024-07-01,3,MWh\n"),
    );
    desk.eacdesk()
        .args(["consumption", "import", &general])
        .assert()
        .success()
        .stdout(contains("gen.csv for general.\n"));
    let claim = [
        "--beneficiary-type",
        "general",
        "--from",
        "2024-06-01",
        "--to",
        "2024-06-30",
        "--market",
        "NO",
    ];
    let text = claims_out(&desk, &claim);
    assert!(
        text.starts_with("general: 2024-06-01 to 2024-06-30 (UTC days)"),
        "{text}"
    );
    let check = check_json(&desk, &claim);
    let retired = results_of(&check, "ghg.retired");
    // Retired on the first day of the year its EAC was produced in: passes,
    // and the reason says the dates contradict each other (MAT42 finding 2).
    assert_eq!(
        retired[0].2,
        "retired on 2024-06-01 for general, but 2024-06-01 is before its production ended \
         (2025-01-01T00:00:00Z): a certificate is retired only once its electricity is \
         produced, so check the retirement date and the production period",
        "{check}"
    );

    let twice = [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "W",
        "--beneficiary",
        " W",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--market",
        "NO",
    ];
    let text = claims_out(&desk, &[&twice[..], &["--only-passing", "RE100"]].concat());
    assert!(text.starts_with("account W: 2024-01-01"), "{text}");
    desk.eacdesk()
        .args(["claims", "create"])
        .args(twice)
        .args(["--only-passing", "Re100", "--reason", "filing"])
        .assert()
        .success()
        .stdout(contains(
            "Recorded claim 1 (account W 2024-01-01 to 2024-12-31)",
        ));
    assert_eq!(desk.json(&["claims", "ls"])[0]["only_passing"], "re100");
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
        ])
        .args(["--reason", "filed"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "again"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: Claim #1 (account W 2024-01-01 to 2024-12-31) covers days of a closed",
        ));
    desk.eacdesk()
        .args(["claims", "create"])
        .args(annual("W", "NO"))
        .args(["--reason", "again"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: Claim `account W 2024-01-01 to 2024-12-31` covers days of a closed reporting \
             period",
        ));
}

/// CLM41 finding 6: consumption adding up to 0 leaves coverage (and an
/// hourly claim's shares) not computed, and `missing` says why, in the
/// JSON, the text and the CSV's `missing` rows.
#[test]
fn consumption_adding_up_to_zero_says_why_coverage_is_not_computed() {
    let desk = Desk::new();
    let zero = csv_file(
        &desk,
        "zero.csv",
        &format!(
            "{HEAD}\naccount,Z,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,0,MWh\n\
             account,Z,2024-01-01T01:00:00Z,2024-01-01T02:00:00Z,0.000,kWh\n"
        ),
    );
    consumption_import(&desk, &zero);
    let claim = [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "Z",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-01",
        "--market",
        "NO",
    ];
    let annual = desk.json(&[&["claims", "report"][..], &claim].concat());
    assert_eq!(annual["coverage_percent"], Value::Null, "{annual}");
    let why = "coverage: the consumption of account `Z` stored in 2024-01-01 adds up to 0 (its 2 \
               rows all hold 0), so its coverage, a share of nothing, is not computed";
    assert!(missing(&annual).contains(&why.to_owned()), "{annual}");
    let hourly = desk.json(
        &[
            &["claims", "report"][..],
            &claim,
            &["--granularity", "hourly"],
        ]
        .concat(),
    );
    assert_eq!(hourly["hourly"]["hours_covered_percent"], Value::Null);
    assert!(
        missing(&hourly).contains(&format!(
            "{why}, nor the share of hours fully covered or of consumption matched hour by hour"
        )),
        "{hourly}"
    );
    let csv = crlf(&claims_out(&desk, &[&claim[..], &["--csv"]].concat()));
    assert!(csv.contains("coverage_percent,\n"), "{csv}");
    assert!(csv.contains(&format!("missing,\"{why}\"\n")), "{csv}");
    let text = claims_out(&desk, &claim);
    assert!(text.contains("coverage              —\n"), "{text}");
    assert!(text.contains(&format!("not computed: {why}\n")), "{text}");
}

/// CLM41 finding 5: an EAC counted by two recorded claims is refused
/// naming both and a command deleting each (deleting only the first left
/// the change refused again for the second); one EAC is "it", two claims
/// are "the claims".
#[test]
fn a_refusal_for_several_claims_says_to_delete_each_of_them() {
    let desk = Desk::new();
    let mut eac = annual_eac("S1", "GO-NO-S", "X", "wind", 5, "2024-06-01".into(), "NO");
    eac["beneficiaries"] = serde_json::json!(["X", "Y"]);
    import_annual(&desk, &[eac], "X", 3);
    let y = csv_file(
        &desk,
        "y.csv",
        &format!("{HEAD}\naccount,Y,2024-01-01,2025-01-01,4,MWh\n"),
    );
    consumption_import(&desk, &y);
    for (who, name) in [("X", "FY X"), ("Y", "FY Y")] {
        desk.eacdesk()
            .args(["claims", "create"])
            .args(annual(who, "NO"))
            .args(["--name", name, "--reason", "filing"])
            .assert()
            .success();
    }
    let words = "error: EAC `S1` is counted by recorded claims #1 (FY X), #2 (FY Y); removing it \
                 would change what the claims count (beneficiaries, period or allocated values) \
                 or what their reports read of it (technology, commissioning date, market, \
                 bidding zone), so nothing was changed. Delete all 2 claims first (`eacdesk \
                 claims delete 1 --reason … && eacdesk claims delete 2 --reason …`, or Claims → \
                 Delete… for each), make the change, then record the claims again.";
    desk.eacdesk()
        .args(["delete", "S1", "--reason", "wrong"])
        .assert()
        .code(2)
        .stderr(contains(words));
    desk.eacdesk()
        .args([
            "set",
            "S1",
            "asset_commissioned=2001-01-01",
            "--reason",
            "typo",
        ])
        .assert()
        .code(2)
        .stderr(contains("changing it would change what the claims count"))
        .stderr(contains("claims delete 2 --reason"));
    desk.eacdesk()
        .args(["undo-import", "1", "--reason", "wrong file"])
        .assert()
        .code(2)
        .stderr(contains("Delete all 2 claims first"));
    // The import history says why it cannot be undone in the same words.
    let imports = desk.eacdesk().arg("imports").assert().success();
    let said = String::from_utf8_lossy(&imports.get_output().stdout).into_owned();
    assert!(
        said.contains(
            "Undoing it would change what the claims count; delete all 2 claims first (`eacdesk \
             claims delete 1 --reason … && eacdesk claims delete 2 --reason …`, or Claims → \
             Delete… for each), undo the import, then record the claims again."
        ),
        "{said}"
    );
    // Exit 2 for a recorded claim in the way, as documented (CLM41
    // finding 4): a conflict with a record, not a rule the data breaks.
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/claims.md"),
    )
    .unwrap();
    assert!(
        docs.contains("and a change a recorded\n  claim stands in the way of, which running it again does not resolve"),
        "docs/claims.md says what exit 2 covers"
    );
    // One claim left: the claim, its report, one command.
    desk.eacdesk()
        .args(["claims", "delete", "2", "--reason", "restating"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["delete", "S1", "--reason", "wrong"])
        .assert()
        .code(2)
        .stderr(contains(
            "is counted by recorded claim #1 (FY X); removing it would change what the claim \
             counts",
        ))
        .stderr(contains("what its report reads of it"))
        .stderr(contains(
            "Delete the claim first (`eacdesk claims delete 1 --reason …`, or Claims → \
             Delete…), make the change, then record the claim again.",
        ));
}

/// CLM41 findings 2 and 3: `claims check` of a beneficiary with no
/// consumption in the period says so under `missing` (text and `--json`,
/// the words of `claims report`) and that `claims create` refuses the
/// claim, rather than reading as a clean pass; it exits 0, as a report of
/// no consumption is still a report (decision 422). `--only fail` with
/// nothing failing says that no value fails, not that none overlaps.
#[test]
fn check_without_consumption_says_so_and_only_fail_says_nothing_fails() {
    let desk = Desk::new();
    let eac = annual_eac("N1", "GO-NO-1", "N", "wind", 5, "2024-06-01".into(), "NO");
    import_annual(&desk, &[eac], "N", 4);
    desk.eacdesk()
        .args(["consumption", "delete", "--beneficiary-type", "account"])
        .args(["--beneficiary", "N", "--reason", "wrong meter"])
        .assert()
        .success();
    let claim = annual("N", "NO");
    let no_consumption = "not computed: coverage: no consumption of account `N` is stored in \
                          2024-01-01 – 2024-12-31; import it with `eacdesk consumption import \
                          FILE` (or check the beneficiary type and id)";
    let refused = "With no consumption to match, nothing is allocated and `eacdesk claims \
                   create` refuses this claim";
    desk.eacdesk()
        .args(["claims", "check"])
        .args(claim)
        .args(["--rules", "ghg-scope2-2015"])
        .assert()
        .code(0)
        .stdout(contains("4 passed, 0 failed, 0 unknown.\n"))
        .stdout(contains(no_consumption))
        .stdout(contains(refused));
    let check = check_json(
        &desk,
        &[&claim[..], &["--rules", "ghg-scope2-2015"]].concat(),
    );
    assert_eq!(check["consumption_rows"], 0, "{check}");
    assert_eq!(
        check["missing"][0].as_str(),
        no_consumption.strip_prefix("not computed: "),
        "{check}"
    );
    // The app and `claims report` say the same line under `missing`.
    let report = desk.json(&[&["claims", "report"][..], &claim].concat());
    assert!(missing(&report).contains(&check["missing"][0].as_str().unwrap().to_owned()));

    for (only, words) in [
        ("fail", "No value has a failed criterion (1 value checked)."),
        (
            "unknown",
            "No value has an unknown criterion (1 value checked).",
        ),
    ] {
        desk.eacdesk()
            .args(["claims", "check"])
            .args(claim)
            .args(["--rules", "ghg-scope2-2015", "--only", only])
            .assert()
            .code(0)
            .stdout(contains(words))
            .stdout(contains("overlap").not())
            .stdout(contains("4 passed"));
    }
    // A beneficiary with neither: both lines, no sentence of its own.
    desk.eacdesk()
        .args(["claims", "check"])
        .args(annual("M", "NO"))
        .assert()
        .code(0)
        .stdout(contains(
            "not computed: matched: no EAC value attributed to account `M` overlaps",
        ))
        .stdout(contains("No EAC values of this beneficiary").not());
}

/// Finding 3: a closed period protects its filed claim and consumption as
/// it protects its EACs: deleting the claim, recording another over its
/// days, importing or deleting consumption there are refused (`frozen`,
/// exit 1) in a frozen EAC's words, naming the period and how to reopen
/// it; once reopened they go through.
#[test]
fn a_closed_period_keeps_its_claim_and_consumption_from_the_command_line() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "June", "--reason", "2024 filing"])
        .assert()
        .success();
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2024-06-01",
            "--to",
            "2024-06-30",
        ])
        .args(["--reason", "June filed"])
        .assert()
        .success()
        // What else it holds (CLM41 finding 8): no EAC lies wholly inside
        // June here, but its claim and consumption are held.
        .stdout(contains(
            "It holds 1 recorded claim (#1) and 3 consumption rows over its days: recording or \
             deleting a claim and importing or deleting consumption there are refused until it \
             is reopened.",
        ));
    let closed = desk.json(&[
        "period",
        "close",
        "--from",
        "2030-01-01",
        "--to",
        "2030-01-31",
        "--reason",
        "none",
    ]);
    assert_eq!(
        (
            &closed["claims"],
            &closed["consumption_rows"],
            &closed["eac_count"]
        ),
        (
            &serde_json::json!([]),
            &serde_json::json!(0),
            &serde_json::json!(0)
        ),
        "{closed}"
    );
    let help = desk
        .eacdesk()
        .args(["period", "close", "--help"])
        .assert()
        .success();
    let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    assert!(
        help.contains(
            "recorded claims and consumption rows sharing a moment with those days are held"
        ),
        "{help}"
    );
    let reopen = "; reopen it with `eacdesk period reopen 1 --reason …` to";
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "gone"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: Claim #1 (June, 2024-06-01 to 2024-06-01) covers days of a closed reporting \
             period and cannot be deleted; nothing was changed. Period 1 (2024-06-01 to \
             2024-06-30) was closed by ",
        ))
        .stderr(contains(format!("“June filed”{reopen} delete it.")));
    desk.eacdesk()
        .args([
            "consumption",
            "delete",
            "--beneficiary-type",
            "account",
            "--beneficiary",
            "acc-1",
            "--reason",
            "r",
        ])
        .assert()
        .code(1)
        .stderr(contains("covers days of a closed reporting period"))
        .stderr(contains(format!("{reopen} delete it.")));
    let more = csv_file(
        &desk,
        "more.csv",
        &format!("{HEAD}\naccount,acc-2,2024-06-30T23:00:00Z,2024-07-01T01:00:00Z,1,kWh\n"),
    );
    desk.eacdesk()
        .args(["consumption", "import", &more])
        .assert()
        .code(1)
        .stderr(contains("more.csv line 2 (account `acc-2`"))
        .stderr(contains(format!("{reopen} import the file.")));
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args(["--name", "again", "--reason", "r"])
        .assert()
        .code(1)
        .stderr(contains(
            "Claim `again` (2024-06-01 to 2024-06-01) covers days",
        ))
        .stderr(contains(format!("{reopen} record it.")));
    assert_eq!(desk.json(&["claims", "ls"]).as_array().unwrap().len(), 1);
    assert_eq!(
        desk.json(&["consumption", "ls"]).as_array().unwrap().len(),
        3
    );
    desk.eacdesk()
        .args(["period", "reopen", "1", "--reason", "restating June"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "restated"])
        .assert()
        .success();
    consumption_import(&desk, &more);
}

/// Finding 4 from the command line: the audit log says what a deleted
/// claim allocated (its record's before-state, as `audit --json` and an
/// evidence pack give it), while `audit` shows one readable line.
#[test]
fn a_deleted_claims_allocations_stay_in_the_audit_log() {
    let desk = desk_with_claim_data();
    desk.eacdesk()
        .args(["claims", "create"])
        .args(HOURLY)
        .args([
            "--name",
            "June",
            "--bidding-zone",
            "NO1",
            "--reason",
            "2024 filing",
        ])
        .assert()
        .success();
    desk.eacdesk()
        .args(["claims", "delete", "1", "--reason", "redo"])
        .assert()
        .success();
    let log = desk.json(&["audit"]);
    let record = log
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "claim_delete")
        .unwrap();
    let state = &record["before_state"];
    assert_eq!(state["claim"]["bidding_zone"], "NO1");
    assert_eq!(state["claim"]["granularity"], "hourly");
    let rows = state["allocations"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{state}");
    assert_eq!(
        rows[0],
        serde_json::json!([
            "gc-h10",
            1,
            "2024-06-01T10:00:00Z",
            "2024-06-01T11:00:00Z",
            "5000"
        ])
    );
    let out = desk.eacdesk().arg("audit").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = text
        .lines()
        .find(|l| l.contains("claim deleted"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("allocations 3"), "{line}");
    assert!(line.contains("bidding_zone NO1"), "{line}");
    assert!(!line.contains("gc-h10"), "{line}");
}

/// A negative factor written as its own argument (`--factor -0.1`) reaches
/// the rule, whose message says what an emission factor is, as
/// `--factor=-0.1` does: clap took `-0` for an unknown option. Nothing is
/// recorded.
#[test]
fn a_negative_factor_gets_the_rules_message_not_a_parser_error() {
    let desk = Desk::new();
    for factor in [&["--factor", "-0.1"][..], &["--factor=-0.1"][..]] {
        let out = desk
            .eacdesk()
            .args([
                "claims", "factor", "set", "--market", "NO", "--kind", "grid",
            ])
            .args(["--year", "2024"])
            .args(factor)
            .args(["--source", "s", "--reason", "r"])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{factor:?}: {out:?}");
        assert!(
            said.contains("`-0.1` is not an emission factor"),
            "{factor:?}: {said}"
        );
        assert!(!said.contains("unexpected argument"), "{factor:?}: {said}");
    }
    let out = desk
        .eacdesk()
        .args(["claims", "factor", "ls", "--json"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("-0.1"),
        "{out:?}"
    );
}

/// `claims factor ls` names who set each factor as `audit` and `period ls`
/// show people (decision 414): the display name of the settings beside
/// the login, or the login alone; `--json` gives `set_by_name` beside
/// `set_by`. Its BY column showed the login alone.
#[test]
fn factor_ls_names_who_set_a_factor_as_audit_does() {
    let desk = Desk::new();
    let set = |market: &str| {
        desk.eacdesk()
            .args(["claims", "factor", "set", "--market", market])
            .args(["--kind", "grid", "--year", "2024", "--factor", "0.02"])
            .args(["--source", "NVE", "--reason", "FY2024"])
            .assert()
            .success();
    };
    std::fs::create_dir_all(desk.path("config")).unwrap();
    std::fs::write(
        desk.path("config").join("settings.json"),
        r#"{"display_name": "Ana Analyst"}"#,
    )
    .unwrap();
    set("NO");
    std::fs::remove_file(desk.path("config").join("settings.json")).unwrap();
    set("SE");
    let listed = desk.json(&["claims", "factor", "ls"]);
    let login = listed[0]["set_by"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["market"], "NO", "{listed}");
    assert_eq!(listed[0]["set_by_name"], "Ana Analyst", "{listed}");
    assert_eq!(listed[1]["market"], "SE", "{listed}");
    assert!(listed[1].get("set_by_name").is_none(), "{listed}");
    let table = stdout(
        &desk
            .eacdesk()
            .args(["claims", "factor", "ls"])
            .assert()
            .success(),
    );
    let row = |market: &str| {
        table
            .lines()
            .find(|l| l.starts_with(market))
            .unwrap_or_else(|| panic!("{table}"))
            .trim_end()
            .to_owned()
    };
    assert!(
        row("NO").ends_with(&format!("Ana Analyst ({login})")),
        "{table}"
    );
    assert!(row("SE").ends_with(&format!(" {login}")), "{table}");
    assert!(!row("SE").contains("Ana"), "{table}");
}

/// `tests/fixtures/claims/edges.json` and `edges.csv` (README): account
/// acc-6's day 2024-12-31 given in local time (+01:00), and its retired
/// values around the last hour.
fn desk_with_edges() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &fixture("edges.json")])
        .assert()
        .success();
    consumption_import(&desk, &fixture("edges.csv"));
    desk
}

const EDGES: [&str; 12] = [
    "--beneficiary-type",
    "account",
    "--beneficiary",
    "acc-6",
    "--from",
    "2024-12-31",
    "--to",
    "2024-12-31",
    "--market",
    "GB",
    "--bidding-zone",
    "GB",
];

/// What `claims report` prints (it must succeed).
fn claims_out(desk: &Desk, args: &[&str]) -> String {
    let out = desk
        .eacdesk()
        .args(["claims", "report"])
        .args(args)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// Tester 38, finding 3: a claim's period is of UTC days, and a file
/// written in local time has a row just before it that the figures leave
/// out. The report says its days are UTC days (text, CSV, the JSON's
/// docs) and names the rows of the file outside them, and where they lie.
#[test]
fn a_report_says_its_days_are_utc_and_names_the_files_rows_outside_them() {
    let desk = desk_with_edges();
    let file = fixture("edges.csv");
    let line = format!(
        "consumption: 1 row of account `acc-6` in {file} lies outside the period (2024-12-31, \
         UTC days): 1 before it (2024-12-30 23:00 until 2024-12-31 00:00 UTC (end excluded)); \
         a reporting period is of UTC days, and a file written in local time (such as +01:00) \
         reaches past them: such a row counts in a claim of the UTC day it lies in"
    );
    for granularity in ["annual", "hourly"] {
        let claim = [&EDGES[..], &["--granularity", granularity]].concat();
        let text = claims_out(&desk, &claim);
        assert!(
            text.starts_with(&format!(
                "account acc-6: 2024-12-31 to 2024-12-31 (UTC days), {granularity} matching"
            )),
            "{text}"
        );
        // The file's other two rows are counted: 20 MWh, not 21.
        assert!(text.contains("consumption           20 MWh\n"), "{text}");
        assert!(text.contains(&format!("\nnot counted: {line}\n")), "{text}");
        let csv = crlf(&claims_out(&desk, &[&claim[..], &["--csv"]].concat()));
        assert!(
            csv.contains("\nfrom (UTC),2024-12-31\nto (UTC),2024-12-31\n"),
            "{csv}"
        );
        assert!(
            csv.contains(&format!("\nnot_counted,\"{line}\"\n")),
            "{csv}"
        );
        assert!(
            csv.contains("\n\nstart (UTC),end (UTC),consumption,matched,shortfall,surplus\n"),
            "{csv}"
        );
        let json: Value =
            serde_json::from_str(&claims_out(&desk, &[&claim[..], &["--json"]].concat())).unwrap();
        assert_eq!(json["from"], "2024-12-31");
        assert_eq!(json["not_counted"][0], line.as_str(), "{json}");
    }
    // A claim holding the whole file names nothing.
    let whole = [&EDGES[..4], &["--from", "2024-12-30", "--to", "2024-12-31"]].concat();
    let json: Value =
        serde_json::from_str(&claims_out(&desk, &[&whole[..], &["--json"]].concat())).unwrap();
    assert_eq!(json["consumption"], serde_json::json!(21), "{json}");
    assert_eq!(json["not_counted"], serde_json::json!([]), "{json}");
}

/// Tester 38, finding 5: retired values crossing an hour's edge back no
/// hour (decisions 172, 250) and were in none of the hourly report's
/// figures, without a word. The report names them, with their energy and
/// the command that lists them; a recorded claim's report too.
#[test]
fn an_hourly_report_names_the_retired_values_that_cross_an_hours_edge() {
    let desk = desk_with_edges();
    let line = "hourly matching: 2 retired EAC values of account `acc-6` in the period (10 MWh) \
                cross the edge of a clock hour (UTC) without covering a whole hour, so they back \
                no hour and are in neither matched nor surplus: edge-a value 1 (2024-12-31 22:30 \
                until 23:30 UTC (end excluded)) and edge-b value 1 (2024-12-31 23:30 until \
                2025-01-01 00:30 UTC (end excluded)); `eacdesk claims check` lists them \
                (energytag.hour fails)";
    let hourly = [&EDGES[..], &["--granularity", "hourly"]].concat();
    let text = claims_out(&desk, &hourly);
    // edge-q (23:45 to 24:00) backs hour 23: matched 1, surplus 0.
    assert!(text.contains("matched               1 MWh\n"), "{text}");
    assert!(text.contains("surplus               0 MWh\n"), "{text}");
    assert!(text.contains(&format!("\nnot counted: {line}\n")), "{text}");
    let csv = crlf(&claims_out(&desk, &[&hourly[..], &["--csv"]].concat()));
    assert!(
        csv.contains(&format!("\nnot_counted,\"{line}\"\n")),
        "{csv}"
    );
    // `claims check` lists them, failing energytag.hour.
    let check = check_json(&desk, &[&hourly[..], &["--rules", "energytag"]].concat());
    for id in ["edge-a", "edge-b"] {
        let v = check["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["cds_eac_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {check}"));
        assert!(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["criterion"] == "energytag.hour" && r["verdict"] == "fail"),
            "{v}"
        );
    }
    // An annual claim matches them: no such line.
    let annual = claims_out(&desk, &[&EDGES[..], &["--granularity", "annual"]].concat());
    assert!(!annual.contains("hourly matching:"), "{annual}");
    // A recorded hourly claim's report says it as well.
    desk.eacdesk()
        .args(["claims", "create"])
        .args(&hourly)
        .args(["--reason", "FY24"])
        .assert()
        .success();
    let recorded = claims_out(&desk, &["--claim", "1"]);
    assert!(
        recorded.contains(&format!("\nnot counted: {line}\n")),
        "{recorded}"
    );
}

/// Tester 38, finding 4: hourly rows at +05:30 are hourly, but lie across
/// UTC clock hours. The refusal says so and what to do (30-minute rows),
/// not "give hourly rows", and exits 1 as data breaking a rule does
/// (`eacdesk --help`'s exit codes), in every claims command.
#[test]
fn hourly_rows_off_the_utc_hour_are_refused_saying_why_with_exit_1() {
    let desk = Desk::new();
    consumption_import(&desk, &fixture("halfhour.csv"));
    let claim = [
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-8",
        "--from",
        "2024-05-31",
        "--to",
        "2024-06-01",
        "--granularity",
        "hourly",
    ];
    for command in [&["report"][..], &["check"], &["create", "--reason", "r"]] {
        let out = desk
            .eacdesk()
            .arg("claims")
            .args(command)
            .args(claim)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {said}");
        assert!(
            said.contains(&format!(
                "error: consumption {} line 2 (account acc-8) (2024-05-31T18:30:00Z to \
                 2024-05-31T19:30:00Z) does not line up with the clock hours an hourly claim \
                 matches: hourly matching uses UTC clock hours",
                fixture("halfhour.csv")
            )),
            "{command:?}: {said}"
        );
        assert!(said.contains("this row starts at 18:30 UTC"), "{said}");
        assert!(
            said.contains("give the consumption in rows of 30 minutes, which lie within UTC clock hours, or choose monthly or annual matching."),
            "{said}"
        );
        assert!(!said.contains("give hourly rows"), "{said}");
    }
    // Nothing was recorded.
    let out = desk
        .eacdesk()
        .args(["claims", "ls", "--json"])
        .assert()
        .success();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.get_output().stdout).unwrap(),
        serde_json::json!([])
    );
    // Matched by month, the same rows fit.
    desk.eacdesk()
        .args(["claims", "report"])
        .args(&claim[..8])
        .args(["--granularity", "monthly"])
        .assert()
        .success();
}
