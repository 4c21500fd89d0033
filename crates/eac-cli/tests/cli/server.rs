//! `eacdesk server init` against a real PostgreSQL server (`make test`
//! starts a throwaway one and names it in `EACDESK_TEST_PG`).

use super::*;

/// The settings of a new, empty database on the test server.
fn empty_database(name: &str) -> Option<String> {
    let Ok(conn) = std::env::var("EACDESK_TEST_PG") else {
        assert!(
            std::env::var("EACDESK_REQUIRE_PG").is_err(),
            "EACDESK_REQUIRE_PG is set but EACDESK_TEST_PG is not"
        );
        eprintln!("skipped: no PostgreSQL server (EACDESK_TEST_PG; `make test` starts one)");
        return None;
    };
    let mut admin = postgres::Client::connect(&conn, postgres::NoTls).expect("the test server");
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
        .unwrap();
    Some(format!("{conn} dbname={name}"))
}

#[test]
fn server_init_sets_up_a_database_once_and_says_what_it_did() {
    let Some(db) = empty_database("eacdesk_cli_init") else {
        return;
    };
    let desk = Desk::new();
    desk.eacdesk()
        .args(["server", "init", &db])
        .assert()
        .success()
        .stdout(contains(format!(
            "Database eacdesk_cli_init on the server: schema {} (a new EAC Desk database)",
            eac_store::supported_schema_version()
        )))
        .stdout(contains("Applied: 0014_schema.sql"))
        .stdout(contains("IN ROLE eacdesk_analyst"))
        .stdout(contains("IN ROLE eacdesk_auditor"));
    let out = desk
        .eacdesk()
        .args(["server", "init", "--json", &db])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["applied"], serde_json::json!([]));
    assert_eq!(report["version_before"], report["version"]);
    // No local database is made or touched.
    assert!(!desk.path("desk.sqlite").exists());
}

#[test]
fn server_init_refuses_an_unreachable_server_without_showing_the_password() {
    let desk = Desk::new();
    desk.eacdesk()
        .args([
            "server",
            "init",
            "postgres://ann:s3cret@/eacs?host=/nonexistent-socket-folder",
        ])
        .assert()
        .code(2)
        .stderr(contains("could not connect to postgres://ann:***@"))
        .stderr(contains("s3cret").not());
}

#[test]
fn copy_puts_the_whole_database_on_a_server_once_and_checks_it() {
    let Some(db) = empty_database("eacdesk_cli_copy") else {
        return;
    };
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["server", "init", &db])
        .assert()
        .success();
    desk.eacdesk()
        .args(["copy", "--to", &db])
        .assert()
        .success()
        .stderr(contains("copied eacs: 7 rows"))
        .stdout(contains("into eacdesk_cli_copy on the server"))
        .stdout(contains("each read back and compared (SHA-256)"));
    let mut pg = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    let n: i64 = pg
        .query_one("SELECT count(*) FROM eacs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 7);
    // Never into a database that holds data; nothing changes there.
    desk.eacdesk()
        .args(["copy", "--to", &db])
        .assert()
        .code(2)
        .stderr(contains("already holds data"));
    let n: i64 = pg
        .query_one("SELECT count(*) FROM eacs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 7);
    // And back into a new file, which lists the same EACs.
    let back = desk.path("back.sqlite");
    desk.eacdesk()
        .args(["copy", "--from", &db, "--to"])
        .arg(&back)
        .assert()
        .success()
        .stdout(contains("into "))
        .stdout(contains("back.sqlite"));
    let listed = |path: &Path| {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_eacdesk"))
            .env_remove("EACDESK_DB")
            .env("EACDESK_CONFIG_DIR", desk.path("config"))
            .arg("--db")
            .arg(path)
            .args(["ls", "--json"])
            .assert()
            .success();
        out.get_output().stdout.clone()
    };
    let original = listed(&desk.path("desk.sqlite"));
    assert!(String::from_utf8_lossy(&original).contains("cds_eac_id"));
    assert_eq!(listed(&back), original);
    // A file into a new file: the same, checked; never over a file.
    desk.eacdesk()
        .args(["copy", "--to", "elsewhere.sqlite"])
        .assert()
        .success()
        .stdout(contains("into elsewhere.sqlite"))
        .stdout(contains("each read back and compared"));
    assert_eq!(listed(&desk.path("elsewhere.sqlite")), original);
    let before = std::fs::read(&back).unwrap();
    desk.eacdesk()
        .args(["copy", "--to"])
        .arg(&back)
        .assert()
        .code(2)
        .stderr(contains("exists and was left alone"));
    assert_eq!(std::fs::read(&back).unwrap(), before);
    let hidden: Vec<_> = std::fs::read_dir(desk.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".eacdesk-copy-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// `settings` (`host=… port=… user=… dbname=…`, as `EACDESK_TEST_PG`
/// names the test server) as the `postgres://` address `--db` takes.
fn address(settings: &str) -> String {
    let get = |key: &str| {
        settings
            .split_whitespace()
            .rev()
            .find_map(|part| part.strip_prefix(&format!("{key}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let host = get("host").replace('/', "%2F");
    let port = get("port");
    let port = if port.is_empty() {
        String::new()
    } else {
        format!(":{port}")
    };
    format!("postgres://{}@{host}{port}/{}", get("user"), get("dbname"))
}

/// A new server database `name` set up by `server init` through `desk`:
/// its `postgres://` address, or None without a test server.
fn initialised(desk: &Desk, name: &str) -> Option<String> {
    let url = address(&empty_database(name)?);
    desk.eacdesk()
        .args(["server", "init", &url])
        .assert()
        .success();
    Some(url)
}

#[test]
fn db_names_a_server_database_that_lists_shows_and_exports_as_its_file_did() {
    let desk = Desk::new();
    let Some(url) = initialised(&desk, "eacdesk_cli_reads") else {
        return;
    };
    desk.import(&["good-p1-mixed-order.json", "good-p1-overview-monthly.json"]);
    desk.eacdesk()
        .args(["copy", "--to", &url])
        .assert()
        .success();
    // The desk's settings without its `--db`.
    let bare = || desk.bare();
    let server = |args: &[&str]| {
        let out = bare().args(["--db", &url]).args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let file = |args: &[&str]| {
        let out = desk.eacdesk().args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    for args in [
        &["ls", "--json"][..],
        &["ls", "--sort", "quantity:desc", "--retired", "no"],
        &["ls", "--search", "aaa", "--from", "2020-01-01"],
    ] {
        assert_eq!(server(args), file(args), "{args:?}");
    }
    let listed: Value = serde_json::from_str(&server(&["ls", "--json"])).unwrap();
    let id = listed["rows"][0]["cds_eac_id"].as_str().unwrap().to_owned();
    assert_eq!(server(&["show", &id]), file(&["show", &id]));

    // The same export, byte for byte, recorded in the server's audit log.
    server(&[
        "export",
        "--profile",
        "p1",
        "--out",
        desk.path("server.json").to_str().unwrap(),
    ]);
    file(&[
        "export",
        "--profile",
        "p1",
        "--out",
        desk.path("file.json").to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(desk.path("server.json")).unwrap(),
        std::fs::read(desk.path("file.json")).unwrap()
    );
    let audit = server(&["audit"]);
    assert!(audit.contains("P1 listing exported"), "{audit}");
    // The same P2 bundle, file by file.
    let (to_server, to_file) = (desk.path("server-p2"), desk.path("file-p2"));
    let p2 = [
        "export",
        "--profile",
        "p2",
        "--base-url",
        "https://example.com/p2/",
    ];
    server(&[&p2[..], &["--out", to_server.to_str().unwrap()]].concat());
    file(&[&p2[..], &["--out", to_file.to_str().unwrap()]].concat());
    let mut names: Vec<_> = std::fs::read_dir(desk.path("file-p2/eacs"))
        .unwrap()
        .map(|e| format!("eacs/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert!(!names.is_empty());
    names.extend(
        [
            "eacs.json",
            "server-metadata.json",
            "FORMAT.md",
            ".eacdesk-bundle",
        ]
        .map(String::from),
    );
    for name in names {
        assert_eq!(
            std::fs::read(desk.path("server-p2").join(&name)).unwrap(),
            std::fs::read(desk.path("file-p2").join(&name)).unwrap(),
            "{name}"
        );
    }
    let audit = server(&["audit"]);
    assert!(audit.contains("P2 bundle exported"), "{audit}");

    // The double-counting check runs there.
    bare().args(["--db", &url, "check"]).assert().success();
    // EACDESK_DB takes the address too; claims (see
    // `claims_work_on_a_server_database_as_on_its_file`) and packs work
    // there.
    bare()
        .env("EACDESK_DB", &url)
        .args(["set", &id, "destination_name=Utility X", "--reason", "test"])
        .assert()
        .success();
    assert!(server(&["show", &id]).contains("Utility X"));
    bare()
        .env("EACDESK_DB", &url)
        .args(["claims", "ls"])
        .assert()
        .success();
    bare()
        .env("EACDESK_DB", &url)
        .args(["pack", "ls"])
        .assert()
        .success()
        .stdout(contains("No evidence packs were made from this database"));
    // A dry run of an import writes nothing there either.
    let before = server(&["ls", "--json"]);
    bare()
        .args(["--db", &url, "import", "--dry-run"])
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/spec-examples/good-p1-overview-monthly.json"),
        )
        .assert()
        .success();
    assert_eq!(server(&["ls", "--json"]), before);
    // Beneficiaries are set there, audited in the server's chain.
    bare()
        .args([
            "--db",
            &url,
            "beneficiaries",
            "set",
            &id,
            "--type",
            "customer",
        ])
        .args(["--id", "CUST-TEAM", "--reason", "assigned on the server"])
        .assert()
        .success();
    assert!(server(&["show", &id]).contains("CUST-TEAM"));
    let audit = server(&["audit", &id]);
    assert!(audit.contains("assigned on the server"), "{audit}");
    bare()
        .args(["--db", &url, "audit", "verify"])
        .assert()
        .success()
        .stdout(contains("The audit log is intact"));
    // One server database copied into another: the same export.
    let second = initialised(&desk, "eacdesk_cli_reads_two").unwrap();
    bare()
        .args(["copy", "--from", &url, "--to", &second])
        .assert()
        .success()
        .stdout(contains("into eacdesk_cli_reads_two on the server"));
    bare()
        .args(["--db", &second, "export", "--profile", "p1", "--out"])
        .arg(desk.path("second.json"))
        .assert()
        .success();
    bare()
        .args(["--db", &url, "export", "--profile", "p1", "--out"])
        .arg(desk.path("first.json"))
        .assert()
        .success();
    assert_eq!(
        std::fs::read(desk.path("first.json")).unwrap(),
        std::fs::read(desk.path("second.json")).unwrap()
    );
    // Nothing named after the address appeared as a file or folder.
    assert!(!std::path::Path::new("postgres:").exists());
    assert!(!desk.path("postgres:").exists());
}

/// A registry sample of `crates/eac-registry/tests/fixtures`, or one of
/// this crate's fixtures (`own:`).
fn registry_file(name: &str) -> String {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match name.strip_prefix("own:") {
        Some(own) => root.join("tests/fixtures").join(own),
        None => root.join("../eac-registry/tests/fixtures").join(name),
    }
    .display()
    .to_string()
}

/// Times of this run (`2026-…T…Z`, with or without a fraction) masked,
/// so a file desk's and a server's answers compare.
fn mask_times(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let now_year = &eac_model::Timestamp::now().to_string()[..4];
    while i < bytes.len() {
        let rest = &text[i..];
        let shape = rest.len() >= 20
            && rest.starts_with(now_year)
            && rest.as_bytes()[10] == b'T'
            && rest[..19]
                .bytes()
                .enumerate()
                .all(|(k, c)| matches!(k, 4 | 7 | 10 | 13 | 16) || c.is_ascii_digit());
        if shape {
            let end = rest[19..]
                .find(|c: char| !(c == '.' || c.is_ascii_digit()))
                .map_or(rest.len(), |k| k + 19);
            out.push_str("<now>");
            i += end;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Every import number in an audit record (`import_batch_id`, a state's
/// `batch`, its sources' `import_batch_id`) as whether there is one.
fn mask_import_numbers(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "import_batch_id" || key == "batch" {
                    *value = Value::Bool(value.is_number());
                } else {
                    mask_import_numbers(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_import_numbers),
        _ => {}
    }
}

#[test]
fn registry_statements_mappings_and_stations_go_into_a_server_as_into_a_file() {
    let desk = Desk::new();
    let Some(url) = initialised(&desk, "eacdesk_cli_registry") else {
        return;
    };
    let bare = || desk.bare();
    // One command on both stores: the same exit code and, times of this
    // run masked, the same output.
    let both = |args: &[&str]| -> String {
        let server = bare().args(["--db", &url]).args(args).output().unwrap();
        let file = desk.eacdesk().args(args).output().unwrap();
        assert_eq!(server.status.code(), file.status.code(), "{args:?}");
        let (s, f) = (
            mask_times(&String::from_utf8_lossy(&server.stdout)),
            mask_times(&String::from_utf8_lossy(&file.stdout)),
        );
        assert_eq!(s, f, "{args:?}");
        assert_eq!(
            mask_times(&String::from_utf8_lossy(&server.stderr)),
            mask_times(&String::from_utf8_lossy(&file.stderr)),
            "{args:?}"
        );
        s
    };
    let statements = [
        "ofgem/certificates-sample.csv",
        "ofgem/certificates-report-sample.xml",
        "irec/redemption-statement-sample.pdf",
        "eecs-go/dk-cancellation-statement-sample.pdf",
        "mrets/retirement-confirmation-sample.pdf",
        "mrets/certificates.csv",
        "energytag/bundles.json",
    ];
    for name in statements {
        let file = registry_file(name);
        let mut args = vec!["import", &file, "--json"];
        // EnergyTag's bundles include nuclear and storage (decision 9).
        if name.starts_with("energytag/") {
            args.push("--allow-extended-technologies");
        }
        let out: Value = serde_json::from_str(&both(&args)).unwrap();
        assert_eq!(out["files"][0]["outcome"], "imported", "{name}: {out}");
    }
    // Again: recognised by its bytes, nothing added.
    let again = both(&[
        "import",
        &registry_file("ofgem/certificates-sample.csv"),
        "--json",
    ]);
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["files"][0]["added"], 0);
    assert!(again["files"][0]["registry"]["seen_before"].is_object());
    // A dry run, overlapping ranges (warned) and a stations report that
    // fills commissioning dates, audited as replacements.
    both(&[
        "import",
        "--dry-run",
        &registry_file("own:ofgem-overlap.csv"),
        "--json",
    ]);
    let overlap = both(&["import", &registry_file("own:ofgem-overlap.csv"), "--json"]);
    assert!(overlap.contains("\"overlaps\""), "{overlap}");
    let stations = both(&[
        "import",
        &registry_file("ofgem/accredited-stations-sample.csv"),
        "--json",
    ]);
    let stations: Value = serde_json::from_str(&stations).unwrap();
    assert_eq!(stations["files"][0]["registry"]["stations"], 5);
    assert!(stations["files"][0]["registry"]["commissioned_filled"].as_u64() > Some(0));
    // A bad file is refused alike, and changes neither.
    let before = both(&["ls", "--json"]);
    both(&["import", &registry_file("ofgem/bad-date.csv")]);
    assert_eq!(both(&["ls", "--json"]), before);

    // A saved mapping, used, listed and removed.
    both(&[
        "mapping",
        "save",
        "necs",
        &registry_file("mapped/go-cancellations.mapping.json"),
    ]);
    both(&["mapping", "ls", "--json"]);
    both(&["mapping", "show", "necs"]);
    both(&[
        "import",
        &registry_file("mapped/go-cancellations.csv"),
        "--mapping",
        "necs",
        "--json",
    ]);
    both(&["mapping", "rm", "necs"]);
    assert!(both(&["mapping", "ls"]).contains("No saved mappings"));

    // What was stored answers alike: the list, each EAC with its source
    // documents (one saved byte for byte), the double-counting check, the
    // history of imports and the audit trail (whose chain holds).
    let listed: Value = serde_json::from_str(&both(&["ls", "--json", "--limit", "500"])).unwrap();
    let ids: Vec<String> = listed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cds_eac_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() > 20, "{ids:?}");
    for id in &ids {
        both(&["show", id, "--json"]);
    }
    let pdf = registry_file("mrets/retirement-confirmation-sample.pdf");
    let mrets = "mrets:2194-ND-07-2020-CAC76615-56217..2194-ND-07-2020-CAC76615-58010";
    bare()
        .args(["--db", &url, "show", mrets, "--save-source", "1", "--out"])
        .arg(desk.path("from-server.pdf"))
        .assert()
        .success();
    assert_eq!(
        std::fs::read(desk.path("from-server.pdf")).unwrap(),
        std::fs::read(&pdf).unwrap()
    );
    both(&["check", "--json"]);
    // The list of imports, but for their numbers: a server's sequence
    // does not take back a number a refused or dry-run import drew, so
    // its numbers may skip one (decision 222); the order is the same.
    let imports = |cmd: &mut Command| -> Vec<Value> {
        let out = cmd.args(["imports", "--json"]).assert().success();
        let list: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let mut i = i.clone();
                i.as_object_mut().unwrap().remove("id");
                i["imported_at"] = Value::Null;
                i
            })
            .collect()
    };
    assert_eq!(
        imports(bare().args(["--db", &url])),
        imports(&mut desk.eacdesk())
    );
    let audit = |cmd: &mut Command| -> Vec<Value> {
        let out = cmd.args(["audit", "--json"]).assert().success();
        let list: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let text = mask_times(&list.to_string());
        let list: Value = serde_json::from_str(&text).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                // Imports are numbered by each database's own sequence (a
                // server's may skip numbers): the record and its states say
                // whether they name one, not which.
                mask_import_numbers(&mut r);
                r
            })
            .collect()
    };
    // The server names the login that wrote each record (decision 481), a
    // file none: alike but for that.
    let logins = |trail: &mut Vec<Value>| -> Vec<Value> {
        trail
            .iter_mut()
            .map(|r| std::mem::take(&mut r["server_login"]))
            .collect()
    };
    let mut trail = audit(bare().args(["--db", &url]));
    let mut file_trail = audit(&mut desk.eacdesk());
    assert!(trail.len() > 5);
    assert!(
        logins(&mut trail)
            .iter()
            .all(|l| l.as_str().is_some_and(|l| !l.is_empty())),
        "a server's records name their login"
    );
    assert!(logins(&mut file_trail).iter().all(Value::is_null));
    assert_eq!(trail, file_trail);
    bare()
        .args(["--db", &url, "audit", "verify"])
        .assert()
        .success()
        .stdout(contains("The audit log is intact"));
}

/// `value` without the keys of `times` at any depth: the times each
/// database read from its own clock.
fn without_times(mut value: Value) -> Value {
    const TIMES: [&str; 3] = ["imported_at", "created_at", "set_at"];
    match &mut value {
        Value::Object(map) => {
            for key in TIMES {
                map.remove(key);
            }
            for v in map.values_mut() {
                *v = without_times(v.take());
            }
        }
        Value::Array(list) => {
            for v in list.iter_mut() {
                *v = without_times(v.take());
            }
        }
        _ => {}
    }
    value
}

#[test]
fn claims_work_on_a_server_database_as_on_its_file() {
    let desk = Desk::new();
    let Some(url) = initialised(&desk, "eacdesk_cli_claims") else {
        return;
    };
    let fixture = |name: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/claims")
            .join(name)
            .display()
            .to_string()
    };
    desk.eacdesk()
        .args(["import", &fixture("eacs.json")])
        .assert()
        .success();
    desk.eacdesk()
        .args(["copy", "--to", &url])
        .assert()
        .success();
    // The same command on the file (first) and on the server (second).
    let on = |server: bool| {
        if !server {
            return desk.eacdesk();
        }
        let mut cmd = desk.bare();
        cmd.args(["--db", &url]);
        cmd
    };
    let delete_consumption = [
        "consumption",
        "delete",
        "--beneficiary-type",
        "account",
        "--beneficiary",
        "acc-1",
        "--reason",
        "meter file corrected",
    ];
    for server in [false, true] {
        on(server)
            .args(["consumption", "import", &fixture("consumption.csv")])
            .assert()
            .success()
            .stdout(contains("Imported 3 consumption row(s)"));
        on(server)
            .args(["consumption", "import", &fixture("overlapping.csv")])
            .assert()
            .code(1)
            .stderr(contains(
                "problem(s) in the consumption file; nothing was imported",
            ))
            .stderr(contains("consumption.csv line 2"));
        for (kind, factor) in [("residual_mix", "0.4"), ("grid", "0.02")] {
            on(server)
                .args(["claims", "factor", "set", "--market", "NO", "--kind", kind])
                .args(["--year", "2024", "--factor", factor])
                .args(["--source", "test figures", "--reason", "2024 report"])
                .assert()
                .success();
        }
        on(server)
            .args(["claims", "create"])
            .args(super::claims::HOURLY)
            .args(["--name", "June", "--reason", "2024 filing"])
            .assert()
            .success()
            .stdout(contains("Recorded claim 1 (June) with 3 allocation(s)"));
        on(server)
            .args(delete_consumption)
            .assert()
            .code(2)
            .stderr(contains("Recorded claim #1 is for account `acc-1`"));
    }
    // Every listing, check and report alike (times aside).
    let json = |server: bool, args: &[&str]| {
        let out = on(server).args(args).arg("--json").output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?} {out:?}");
        let value: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), without_times(value))
    };
    for args in [
        &["consumption", "ls"][..],
        &["claims", "ls"],
        &["claims", "factor", "ls"],
        &["claims", "report", "--claim", "1"],
        &[&["claims", "report"][..], &super::claims::HOURLY].concat(),
        &[&["claims", "check"][..], &super::claims::HOURLY].concat(),
        &["claims", "check", "--claim", "1"],
    ] {
        let (file, server) = (json(false, args), json(true, args));
        assert_eq!(file, server, "{args:?}");
    }
    let (_, report) = json(true, &["claims", "report", "--claim", "1"]);
    assert_eq!(report["matched"].to_string(), "0.008", "{report}");
    // What is left for a second claim: gc-h10's 2 kWh, on both.
    let (_, again) = json(
        true,
        &[&["claims", "report"][..], &super::claims::HOURLY].concat(),
    );
    assert_eq!(again["matched"].to_string(), "0.002", "{again}");
    for server in [false, true] {
        on(server)
            .args(["claims", "delete", "1", "--reason", "redo"])
            .assert()
            .success();
        on(server)
            .args(delete_consumption)
            .assert()
            .success()
            .stdout(contains("Deleted 3 consumption row(s) of account acc-1"));
    }
    assert_eq!(
        json(false, &["claims", "ls"]),
        json(true, &["claims", "ls"])
    );
    on(true)
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("claim deleted"))
        .stdout(contains("claim recorded"))
        .stdout(contains("emission factor set"))
        .stdout(contains("consumption imported"))
        .stdout(contains("consumption deleted"));
    on(true)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(contains("The audit log is intact"));
}

#[test]
fn a_file_whose_name_holds_an_equals_sign_is_a_file_not_a_server() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["copy", "--to", "q1=final.sqlite"])
        .assert()
        .success()
        .stdout(contains("into q1=final.sqlite"));
    assert!(desk.path("q1=final.sqlite").exists());
    // libpq settings are a server's, refused here only for want of one.
    desk.eacdesk()
        .args(["copy", "--to", "host=/nonexistent-socket-folder dbname=x"])
        .assert()
        .code(2)
        .stderr(contains("could not connect"));
}

/// An Ofgem certificates CSV: one row per (station, month, first
/// certificate, count, status).
fn ofgem_csv(rows: &[(u32, u32, u64, u64, &str)]) -> String {
    let mut out = String::from(
        "Accreditation No.,Generating Station / Agent Group,Station TIC,Scheme,Country,Technology Group,Generation Type,Output Period,No. Of Certificates,Start Certificate No.,End Certificate No.,MWh Per Certificate,Issue Date,Certificate Status,Status Date,Current Holder Organisation Name,Company Registration Number\n",
    );
    for (station, month, first, n, status) in rows {
        let acc = format!("G{station:05}FWEN");
        let last = first + n - 1;
        let days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][*month as usize - 1];
        let tail = format!("01{month:02}23{days}{month:02}23GEN");
        let names = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        out.push_str(&format!(
            "{acc},Station {station},659000.0,REGO,England,Off-shore Wind,,{}-2023,{n},{acc}{first:010}{tail},{acc}{last:010}{tail},1.0,25/04/2023,{status},06/06/2023,ACT Holder Ltd,27336523\n",
            names[*month as usize - 1]
        ));
    }
    out
}

/// A registry statement is written a group of EACs at a time (on a server
/// a few statements per group instead of about twelve per EAC): over many
/// groups, with ranges listed twice inside one group and across two,
/// ranges seen again, restated and new, and ranges overlapping stored
/// ones, a server answers as the file does, and each answer is what the
/// document says.
#[test]
fn long_registry_statements_go_into_a_server_as_into_a_file() {
    let desk = Desk::new();
    let Some(url) = initialised(&desk, "eacdesk_cli_registry_groups") else {
        return;
    };
    let both = |args: &[&str]| -> (Option<i32>, String, String) {
        let server = desk
            .bare()
            .args(["--db", &url])
            .args(args)
            .output()
            .unwrap();
        let file = desk.eacdesk().args(args).output().unwrap();
        let text = |b: &[u8]| mask_times(&String::from_utf8_lossy(b));
        assert_eq!(server.status.code(), file.status.code(), "{args:?}");
        assert_eq!(text(&server.stdout), text(&file.stdout), "{args:?}");
        assert_eq!(text(&server.stderr), text(&file.stderr), "{args:?}");
        (file.status.code(), text(&file.stdout), text(&file.stderr))
    };
    let write = |name: &str, rows: &[(u32, u32, u64, u64, &str)]| {
        let path = desk.path(name);
        std::fs::write(&path, ofgem_csv(rows)).unwrap();
        path.display().to_string()
    };
    // 120 ranges: 10 stations × 12 months, 1,000 certificates each.
    let first: Vec<(u32, u32, u64, u64, &str)> = (1..=10)
        .flat_map(|s| (1..=12).map(move |m| (s, m, 0, 1000, "Issued")))
        .collect();
    let path = write("first.csv", &first);
    let (code, out, _) = both(&["import", &path, "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["files"][0]["added"], 120, "{out}");

    // Listed twice: rows 3 and 5 (one group) and 1 and 70 (two groups).
    let mut twice = first.clone();
    twice[5] = twice[3];
    twice[70] = twice[1];
    for row in &mut twice {
        row.4 = "Retired";
    }
    let path = write("twice.csv", &twice);
    let (code, _, err) = both(&["import", &path]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        err.matches("is listed twice in this document").count(),
        2,
        "{err}"
    );
    assert!(err.contains("line 7") && err.contains("line 72"), "{err}");

    // Seen again (the first 40), restated as retired (the next 40), new
    // (40 ranges of another station, which numbers its own certificates),
    // and two new ranges whose numbers run into stored ones of the same
    // station and month (overlaps, warned).
    let mut second: Vec<(u32, u32, u64, u64, &str)> = first[..40].to_vec();
    second.extend(
        first[40..80]
            .iter()
            .map(|r| (r.0, r.1, r.2, r.3, "Retired")),
    );
    second.extend(
        (1..=12)
            .flat_map(|m| (0..4).map(move |k| (11, m, k * 1000, 1000, "Issued")))
            .take(40),
    );
    second.push((1, 1, 500, 1000, "Issued"));
    second.push((2, 6, 900, 50, "Issued"));
    let path = write("second.csv", &second);
    let (code, out, _) = both(&["import", &path, "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let file = &report["files"][0];
    assert_eq!(
        (&file["added"], &file["replaced"], &file["skipped"]),
        (&Value::from(42), &Value::from(40), &Value::from(40)),
        "{out}"
    );
    // Each pair once, though both ranges of each are in this document (the
    // stored one seen again).
    let overlaps = file["registry"]["overlaps"].as_array().unwrap();
    let shared: Vec<&str> = overlaps
        .iter()
        .map(|o| o["shared"].as_str().unwrap())
        .collect();
    assert_eq!(shared, ["500", "50"], "{out}");
    // Everything stored answers alike.
    let (_, listed, _) = both(&["ls", "--json", "--limit", "500"]);
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["rows"].as_array().unwrap().len(), 162);
    both(&["check", "--json"]);
    // The imports alike, but for the server's number the refused one drew
    // (decision 222).
    let imports = |mut cmd: Command| {
        let out = cmd.args(["imports", "--json"]).output().unwrap();
        let mut list: Value = serde_json::from_slice(&out.stdout).unwrap();
        for import in list.as_array_mut().unwrap() {
            import.as_object_mut().unwrap().remove("id");
            import.as_object_mut().unwrap().remove("imported_at");
        }
        list
    };
    let mut server = desk.bare();
    server.args(["--db", &url]);
    assert_eq!(imports(server), imports(desk.eacdesk()));
    // The restated ranges, retired now.
    let (_, ls, _) = both(&["ls", "--retired", "yes", "--json", "--limit", "500"]);
    let ls: Value = serde_json::from_str(&ls).unwrap();
    assert_eq!(ls["rows"].as_array().unwrap().len(), 40, "{ls}");
}

/// A server database with the fixtures' EACs, its owner's address and
/// that of a login `login` made in `role` (dropped first when it exists).
fn with_login(desk: &Desk, name: &str, login: &str, role: &str) -> Option<(String, String)> {
    let settings = empty_database(name)?;
    let url = address(&settings);
    desk.eacdesk()
        .args(["server", "init", &url])
        .assert()
        .success();
    desk.import(&["good-p1-mixed-order.json", "good-p1-overview-monthly.json"]);
    desk.eacdesk()
        .args(["copy", "--to", &url])
        .assert()
        .success();
    let mut owner = postgres::Client::connect(&settings, postgres::NoTls).unwrap();
    owner
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {login}; CREATE ROLE {login} LOGIN IN ROLE {role};"
        ))
        .unwrap();
    Some((url, address(&format!("{settings} user={login}"))))
}

/// The server database's audit records, newest first, as `audit --json`
/// lists them (owner's view).
fn audit_records(desk: &Desk, url: &str) -> Value {
    let out = desk
        .bare()
        .args(["--db", url, "audit", "--json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// docs/team.md: auditors browse, check and export. An auditor's role may
/// not write the audit log, so an auditor's P1 export, P2 bundle and
/// evidence pack are written unrecorded, and say so (exit 0), instead of
/// an error after the file is in place that asks to export again; an
/// analyst's are recorded as before.
#[test]
fn an_auditor_exports_and_packs_unrecorded_and_is_told_so() {
    let desk = Desk::new();
    let Some((url, auditor)) = with_login(
        &desk,
        "eacdesk_cli_auditor_exports",
        "eacdesk_cli_bob",
        "eacdesk_auditor",
    ) else {
        return;
    };
    let before = audit_records(&desk, &url);
    let run = |db: &str, args: &[&str]| {
        let out = desk.bare().args(["--db", db]).args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let said = "Not recorded in the audit log: your role on this server reads only.";
    let listing = desk.path("bob.json");
    let out = run(
        &auditor,
        &[
            "export",
            "--profile",
            "p1",
            "--out",
            listing.to_str().unwrap(),
        ],
    );
    assert!(out.contains(said), "{out}");
    assert!(listing.exists());
    let out = run(
        &auditor,
        &[
            "export",
            "--profile",
            "p1",
            "--json",
            "--out",
            listing.to_str().unwrap(),
        ],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["not_recorded"], "your role on this server reads only",
        "{out}"
    );
    let bundle = desk.path("bob-p2");
    let out = run(
        &auditor,
        &[
            "export",
            "--profile",
            "p2",
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    assert!(out.contains(said), "{out}");
    assert!(bundle.join("eacs.json").exists());
    let pack = desk.path("bob-pack");
    let out = run(&auditor, &["pack", "--out", pack.to_str().unwrap()]);
    assert!(
        out.contains("Not recorded in the database (its list of packs and the audit log): your role on this server reads only."),
        "{out}"
    );
    assert!(pack.join("MANIFEST.json").exists());
    run(&auditor, &["pack", "verify", pack.to_str().unwrap()]);
    // Nothing was written to the server.
    assert_eq!(audit_records(&desk, &url), before);
    let out = run(&url, &["pack", "ls", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        serde_json::json!([])
    );

    // The owner's export is recorded, without the line.
    let out = run(
        &url,
        &[
            "export",
            "--profile",
            "p1",
            "--out",
            desk.path("owner.json").to_str().unwrap(),
        ],
    );
    assert!(!out.contains("Not recorded"), "{out}");
    let after = audit_records(&desk, &url);
    assert_eq!(
        after.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1,
        "{after}"
    );
}

/// A change an auditor's role may not make is refused in plain words,
/// naming the role and who may make it, the server's words after them,
/// with nothing changed; what only the database's owner may do (`copy
/// --to`) says so to an analyst.
#[test]
fn a_refused_change_names_the_role_and_who_may_make_it() {
    let desk = Desk::new();
    let Some((url, auditor)) = with_login(
        &desk,
        "eacdesk_cli_auditor_writes",
        "eacdesk_cli_carol",
        "eacdesk_auditor",
    ) else {
        return;
    };
    let before = audit_records(&desk, &url);
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let listing = fixtures.join("spec-examples/good-p1-overview-endpoint.json");
    let out = desk
        .bare()
        .args(["--db", &auditor, "import", listing.to_str().unwrap()])
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stderr).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stdout);
    assert!(
        text.contains(
            "your role on this server reads only (or may not change this): nothing was changed. \
             Ask an analyst (eacdesk_analyst) to make the change. The server said: permission \
             denied for"
        ),
        "{text}"
    );
    assert_eq!(audit_records(&desk, &url), before);

    // An analyst may change EACs but not copy a whole database in.
    let Some(settings) = empty_database("eacdesk_cli_analyst_copies") else {
        return;
    };
    let empty = address(&settings);
    desk.eacdesk()
        .args(["server", "init", &empty])
        .assert()
        .success();
    let mut owner = postgres::Client::connect(&settings, postgres::NoTls).unwrap();
    owner
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_cli_dan;
             CREATE ROLE eacdesk_cli_dan LOGIN IN ROLE eacdesk_analyst;",
        )
        .unwrap();
    let analyst = address(&format!("{settings} user=eacdesk_cli_dan"));
    desk.eacdesk()
        .args(["copy", "--to", &analyst])
        .assert()
        .code(2)
        .stderr(contains(
            "only the database's owner may do this (set it up, copy into it); nothing was \
             changed. Run it again as the role that owns the database. The server said: must be \
             owner of",
        ));
}

// ------------------------------------------------------------ session 34

/// `url` (`postgres://USER@…`) with `password` given in it.
fn with_password_in(url: &str, password: &str) -> String {
    let at = url.find('@').unwrap();
    format!("{}:{password}{}", &url[..at], &url[at..])
}

/// The files of the desk's folder (besides its own settings and keys).
fn files_made(desk: &Desk) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(desk.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "config" | "keys"))
        .collect();
    names.sort();
    names
}

/// Tester's report 34, bugs 1 and 2 without a server: `--db` and
/// `EACDESK_DB` given libpq settings (as `server init` and `copy` take
/// them) made a SQLite file of that name, password and all, and said
/// "Imported … 4 added"; a server address that could not be opened was
/// echoed whole, its password included, before the masked one.
#[test]
fn db_settings_name_a_server_never_a_file_and_no_message_shows_a_password() {
    let desk = Desk::new();
    let listing = example("good-p1-mixed-order.json");
    let settings = "host=/nonexistent-socket-folder port=5433 user=ann password=annpw dbname=team";
    for args in [&["import", &listing][..], &["ls"], &["audit", "verify"]] {
        let out = desk
            .bare()
            .args(["--db", settings])
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(
                "could not connect to host=/nonexistent-socket-folder",
            ))
            .stderr(contains("password=***"))
            .stderr(contains("there is no database at").not());
        let all = format!("{:?}", out.get_output());
        assert!(!all.contains("annpw"), "{args:?}: {all}");
    }
    desk.bare()
        .env("EACDESK_DB", settings)
        .args(["import", &listing])
        .assert()
        .code(2)
        .stderr(contains("could not connect"))
        .stderr(contains("annpw").not());
    assert_eq!(files_made(&desk), Vec::<String>::new());
    for url in [
        "postgres://ann:annpw@/nosuch?host=/nonexistent-socket-folder",
        "postgres://ann@/nosuch?host=/nonexistent-socket-folder&password=annpw",
    ] {
        for args in [&["ls"][..], &["import", &listing]] {
            let out = desk
                .bare()
                .args(["--db", url])
                .args(args)
                .assert()
                .code(2)
                .stderr(contains("could not connect to postgres://ann"))
                .stderr(contains("***"));
            let all = format!("{:?}", out.get_output());
            assert!(!all.contains("annpw"), "{url} {args:?}: {all}");
        }
    }
    assert_eq!(files_made(&desk), Vec::<String>::new());
}

/// TEAM42 finding 1 without a server: text meant as a server's address
/// that the client cannot read (an unquoted password holding a space, a
/// word that is no setting, a scheme typo, a file:// URL) was made a
/// SQLite file, folders and password in its name, the import said
/// "1 added" (exit 0) and `ls` printed the password. Now it is refused,
/// exit 2, the password masked, and nothing is made; settings the client
/// reads that EAC Desk did not know (`keepalives=1`) and a scheme in
/// capitals (TEAM42 7.4) reach for the server, and no host is said so
/// (7.5).
#[test]
fn text_meant_as_a_server_is_refused_and_no_file_is_made() {
    let desk = Desk::new();
    let listing = example("good-p1-mixed-order.json");
    for (db, said) in [
        (
            "host=/tmp/TEAM42/pg port=5433 user=dan password=Tr1ck y@p dbname=team",
            "error: `host=/tmp/TEAM42/pg port=5433 user=dan password=*** dbname=team` \
             is not a PostgreSQL address: the password holds a space: quote it, password='…'",
        ),
        (
            "host=/tmp/TEAM42/pg user=dan password=s3cr3t! sslmode=disable dbname=team extra",
            "is not a PostgreSQL address: `extra` is no setting (key=value)",
        ),
        (
            "postgress://ann:annpw@localhost/team",
            "`postgress://ann:***@localhost/team` is not a PostgreSQL address: its scheme is \
             postgress://",
        ),
        (
            "host=/tmp/TEAM42/pg user=ann passfile=/x dbname=team",
            "`passfile` is not a setting EAC Desk's PostgreSQL client reads",
        ),
        (
            "file:///tmp/TEAM42/eacs.sqlite",
            "not a file:// URL: write /tmp/TEAM42/eacs.sqlite",
        ),
        (
            "dbname=team user=ann",
            "`dbname=team user=ann` names no server: give its host",
        ),
        (
            "host=/nonexistent-socket-folder user=ann password=annpw dbname=team keepalives=1",
            "could not connect to host=/nonexistent-socket-folder user=ann password=*** \
             dbname=team keepalives=1",
        ),
        (
            "POSTGRES://ann:annpw@/team?host=/nonexistent-socket-folder",
            "could not connect to POSTGRES://ann:***@/team",
        ),
    ] {
        for args in [
            &["import", &listing][..],
            &["ls", "--limit", "0"],
            &["sample", "--eacs", "1"],
        ] {
            let out = desk
                .bare()
                .args(["--db", db])
                .args(args)
                .assert()
                .code(2)
                .stderr(contains(said))
                .stderr(contains("there is no database at").not());
            let all = format!("{:?}", out.get_output());
            for secret in ["annpw", "Tr1ck", "y@p", "s3cr3t"] {
                assert!(!all.contains(secret), "{db} {args:?}: {all}");
            }
        }
        desk.bare()
            .env("EACDESK_DB", db)
            .args(["import", &listing])
            .assert()
            .code(2)
            .stderr(contains(said));
    }
    // A file named like settings is written with ./ before it.
    desk.bare()
        .args(["--db", "./dbname=x", "import", &listing])
        .assert()
        .success();
    assert_eq!(files_made(&desk), vec!["dbname=x".to_owned()]);
}

/// Tester's report 34, bugs 1 and 2 on a server: a password is never
/// shown, whatever form the address holds it in (a database that is not
/// there, one that holds no EAC Desk database, sample data loaded), and
/// libpq settings given to `--db` reach the server.
#[test]
fn a_server_database_is_named_without_its_password_and_settings_reach_it() {
    let desk = Desk::new();
    let Some(settings) = empty_database("eacdesk_cli_masked") else {
        return;
    };
    let url = address(&settings);
    desk.eacdesk()
        .args(["server", "init", &url])
        .assert()
        .success();
    let Some(blank) = empty_database("eacdesk_cli_masked_blank") else {
        return;
    };
    // The test server trusts its local logins: any password is taken.
    let secret = "s3cretpw";
    let in_url = with_password_in(&url, secret);
    let nosuch = in_url.replace("/eacdesk_cli_masked", "/eacdesk_cli_no_such");
    let in_query = format!(
        "{}?password={secret}",
        url.replace("/eacdesk_cli_masked", "/eacdesk_cli_no_such")
    );
    let blank = with_password_in(&address(&blank), secret);
    for (db, said) in [
        (&nosuch, "does not exist"),
        (&in_query, "does not exist"),
        (&blank, "holds no EAC Desk database"),
    ] {
        let out = desk
            .bare()
            .args(["--db", db, "ls"])
            .assert()
            .code(2)
            .stderr(contains(said))
            .stderr(contains("***"));
        let all = format!("{:?}", out.get_output());
        assert!(!all.contains(secret), "{db}: {all}");
    }
    let out = desk
        .bare()
        .args(["--db", &in_url, "sample", "--eacs", "1", "--seed", "99"])
        .assert()
        .success()
        .stdout(contains("Loaded 1 sample EACs (seed 99) into postgres://"))
        .stdout(contains(":***@"));
    let all = format!("{:?}", out.get_output());
    assert!(!all.contains(secret), "{all}");

    // Settings with a password, as `server init` takes them: the EACs go
    // to the server, and no file is made.
    let kv = format!("{settings} password={secret}");
    let out = desk
        .bare()
        .args(["--db", &kv, "import", &example("good-p1-mixed-order.json")])
        .assert()
        .success()
        .stdout(contains("7 added"));
    let all = format!("{:?}", out.get_output());
    assert!(!all.contains(secret), "{all}");
    assert_eq!(files_made(&desk), Vec::<String>::new());
    let mut pg = postgres::Client::connect(&settings, postgres::NoTls).unwrap();
    let n: i64 = pg
        .query_one("SELECT count(*) FROM eacs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 8, "the sample EAC and the listing's 7");
    desk.bare()
        .env("EACDESK_DB", &kv)
        .args(["ls", "--json"])
        .assert()
        .success()
        .stdout(contains("\"count\": 8"));
    // TEAM42 finding 1 and 7.4: every setting the client reads works in
    // --db as in `server init`, and a scheme in capitals is a scheme.
    let upper = url.replacen("postgres://", "POSTGRES://", 1);
    for db in [
        format!("{kv} keepalives=1 target_session_attrs=any channel_binding=prefer"),
        upper.clone(),
    ] {
        desk.bare()
            .args(["--db", &db, "ls", "--json"])
            .assert()
            .success()
            .stdout(contains("\"count\": 8"));
    }
    desk.bare()
        .args(["server", "init", &upper])
        .assert()
        .success();
    assert_eq!(files_made(&desk), Vec::<String>::new());
}

/// Tester's report 34, bug 3: `server init` run by an analyst said it had
/// granted the roles again and that the database was "owned by" the
/// analyst, while the server granted nothing. Only the database's owner
/// may run it (decision 253); anyone else is refused, nothing changed.
#[test]
fn server_init_is_refused_to_anyone_but_the_databases_owner() {
    let desk = Desk::new();
    let Some((owner, analyst)) = with_login(
        &desk,
        "eacdesk_cli_init_owner",
        "eacdesk_cli_erin",
        "eacdesk_analyst",
    ) else {
        return;
    };
    let auditor = analyst.replace("eacdesk_cli_erin", "eacdesk_cli_frank");
    let settings = std::env::var("EACDESK_TEST_PG").unwrap();
    let mut admin = postgres::Client::connect(&settings, postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS eacdesk_cli_frank;
             CREATE ROLE eacdesk_cli_frank LOGIN IN ROLE eacdesk_auditor;",
        )
        .unwrap();
    let mut db = postgres::Client::connect(
        &format!("{settings} dbname=eacdesk_cli_init_owner"),
        postgres::NoTls,
    )
    .unwrap();
    let grants = |db: &mut postgres::Client| -> Vec<String> {
        db.query(
            "SELECT grantee::text || ' ' || table_name::text || ' ' || privilege_type::text
               FROM information_schema.role_table_grants
              WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let before = grants(&mut db);
    let test_login: String = admin
        .query_one("SELECT current_user::text", &[])
        .unwrap()
        .get(0);
    for (who, login) in [
        (&analyst, "eacdesk_cli_erin"),
        (&auditor, "eacdesk_cli_frank"),
    ] {
        desk.bare()
            .args(["server", "init", who])
            .assert()
            .code(2)
            .stdout(contains("granted").not())
            .stdout(contains("owned by").not())
            .stderr(contains(
                "only the database's owner may do this (set it up, copy into it); nothing was \
                 changed. Run it again as the role that owns the database",
            ))
            .stderr(contains(format!(
                "the database eacdesk_cli_init_owner is owned by {test_login}; you connected as \
                 {login}"
            )));
    }
    assert_eq!(grants(&mut db), before);
    desk.bare()
        .args(["server", "init", &owner])
        .assert()
        .success()
        .stdout(contains(format!("owned by {test_login}.")))
        .stdout(contains("Role eacdesk_analyst: granted again."));
}

/// Tester's report 34, bug 6: an auditor's `import --dry-run` was refused
/// by the server after the file was read, the refusal without `error:`
/// and followed by "Dry run: nothing was written". It is refused before
/// anything is read, once, saying why and what to do instead; an analyst's
/// dry run shows what would happen and changes nothing. Bug 4 on a
/// server: a dry run of one EAC only looks, for an auditor too.
#[test]
fn an_auditors_import_dry_run_is_refused_plainly_and_dry_runs_of_one_eac_only_look() {
    let desk = Desk::new();
    let Some((url, auditor)) = with_login(
        &desk,
        "eacdesk_cli_dry_runs",
        "eacdesk_cli_gail",
        "eacdesk_auditor",
    ) else {
        return;
    };
    let before = audit_records(&desk, &url);
    let listing = example("good-p1-overview-endpoint.json");
    let out = desk
        .bare()
        .args(["--db", &auditor, "import", &listing, "--dry-run"])
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with(
            "error: This import cannot be tried here: your role on this server reads only, and \
             an import's dry run is the import run on the server and rolled back. Nothing was \
             changed."
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("eacdesk copy --from URL --to FILE"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    desk.bare()
        .args(["--db", &url, "import", &listing, "--dry-run"])
        .assert()
        .success()
        .stdout(contains("Would import"))
        .stdout(contains("1 added"))
        .stdout(contains("Dry run: nothing was written to the database."));

    let id = desk.ids(&[])[0].clone();
    let shown = desk
        .bare()
        .args(["--db", &url, "show", &id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    for db in [&url, &auditor] {
        desk.bare()
            .args(["--db", db, "beneficiaries", "set", &id, "--type", "program"])
            .args(["--id", "P-1", "--reason", "only looking", "--dry-run"])
            .assert()
            .success()
            .stdout(contains("1 would be set to program: P-1"))
            .stdout(contains("Nothing was changed (--dry-run)."));
        desk.bare()
            .args(["--db", db, "verify", &id, "--dry-run"])
            .assert()
            .success()
            .stdout(contains(
                "1 EAC would be marked as verified; nothing was changed",
            ));
    }
    assert_eq!(audit_records(&desk, &url), before);
    let after = desk
        .bare()
        .args(["--db", &url, "show", &id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(after, shown);
}

/// Tester's report 35, finding 5: an auditor's dry run of one EAC with an
/// out-of-date `--if-version` gets the change's own conflict (who changed
/// it since), not "your role reads only": the dry run reads the version
/// without locking the row, which a role that only reads may not do
/// (decision 314). A version the EAC never had is said to be so.
#[test]
fn an_auditors_dry_run_on_an_old_version_is_told_of_the_change_since() {
    let desk = Desk::new();
    let Some((url, auditor)) = with_login(
        &desk,
        "eacdesk_cli_dry_versions",
        "eacdesk_cli_hana",
        "eacdesk_auditor",
    ) else {
        return;
    };
    let id = desk.ids(&[])[0].clone();
    let show = |db: &str| -> Value {
        let out = desk
            .bare()
            .args(["--db", db, "show", &id, "--json"])
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let seen = show(&auditor)["version"].to_string();
    // An analyst (the owner here) changes the EAC after the auditor read it.
    desk.bare()
        .args([
            "--db",
            &url,
            "beneficiaries",
            "set",
            &id,
            "--type",
            "program",
        ])
        .args(["--id", "P-9", "--reason", "new programme"])
        .assert()
        .success();
    let before = audit_records(&desk, &url);
    let now = show(&url);
    for args in [
        vec!["beneficiaries", "set", &id, "--type", "general"],
        vec!["set", &id, "destination_name=Other Utility"],
    ] {
        let out = desk
            .bare()
            .args(["--db", &auditor])
            .args(&args)
            .args([
                "--reason",
                "only looking",
                "--dry-run",
                "--if-version",
                &seen,
            ])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains(&format!(
                "was changed since version {seen}, the one --if-version gave (its beneficiaries \
                 were changed by"
            )),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("reads only"), "{args:?}: {stderr}");
        // A version it never had, likewise without a lock.
        let out = desk
            .bare()
            .args(["--db", &auditor])
            .args(&args)
            .args(["--reason", "r", "--dry-run", "--if-version", "999999"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("Version 999999 was never a version of EAC"),
            "{args:?}: {stderr}"
        );
        // On the version it has, the dry run looks and says so.
        desk.bare()
            .args(["--db", &auditor])
            .args(&args)
            .args(["--reason", "r", "--dry-run", "--if-version"])
            .arg(now["version"].to_string())
            .assert()
            .success()
            .stdout(contains("Nothing was changed (--dry-run)."));
    }
    assert_eq!(audit_records(&desk, &url), before);
    assert_eq!(show(&url), now);
}

/// Finding 2 of tester report 42: an analyst whose desk says `USER=bob`
/// recorded changes as bob. The record names the login the server
/// authenticated beside what the desk said, in `audit`'s table and
/// `--json`, and in the conflict another desk is told.
#[test]
fn audit_and_conflicts_name_the_server_login_beside_the_desks_user() {
    let desk = Desk::new();
    let Some((url, analyst)) = with_login(
        &desk,
        "eacdesk_cli_server_login",
        "eacdesk_cli_lena",
        "eacdesk_analyst",
    ) else {
        return;
    };
    let id = desk.ids(&[])[0].clone();
    let id = id.as_str();
    let shown: Value = serde_json::from_slice(
        &desk
            .bare()
            .args(["--db", &url, "show", id, "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    let seen = shown["version"].to_string();
    desk.bare()
        .env("USER", "bob")
        .args(["--db", &analyst, "beneficiaries", "set", id])
        .args([
            "--type",
            "customer",
            "--id",
            "CUST123",
            "--reason",
            "lena's login",
        ])
        .assert()
        .success();
    let records = audit_records(&desk, &url);
    let newest = &records[0];
    assert_eq!(
        (&newest["os_user"], &newest["server_login"]),
        (&Value::from("bob"), &Value::from("eacdesk_cli_lena")),
        "{newest}"
    );
    let out = desk
        .bare()
        .args(["--db", &url, "audit", id])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("bob (server login eacdesk_cli_lena)"),
        "{text}"
    );
    // Another desk saving the version it had is told both names.
    let out = desk
        .bare()
        .env("USER", "carol")
        .args(["--db", &url, "beneficiaries", "set", id])
        .args(["--type", "customer", "--id", "CUST9", "--reason", "carol"])
        .args(["--if-version", &seen])
        .assert()
        .failure();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("changed by bob (server login eacdesk_cli_lena) at "),
        "{err}"
    );
    // A file's records name no login (null in --json).
    let file = audit_records(&desk, desk.path("desk.sqlite").to_str().unwrap());
    assert!(file
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["server_login"].is_null()));
}

/// TEAM42 finding 7.3: a bulk change an auditor's role is sure to be
/// refused never announces "N EACs match; setting them to …" on stdout
/// first (a script would take it for done): the refusal is said alone;
/// an analyst's confirmed change announces its plan as before.
#[test]
fn a_bulk_change_refused_to_a_role_announces_no_plan_first() {
    let desk = Desk::new();
    let Some((url, auditor)) = with_login(
        &desk,
        "eacdesk_cli_t42_bulk",
        "eacdesk_cli_t42_bob",
        "eacdesk_auditor",
    ) else {
        return;
    };
    let bulk = |db: &str| {
        let mut cmd = desk.bare();
        cmd.args(["--db", db, "beneficiaries", "set", "--all-matching"])
            .args([
                "--technology",
                "wind",
                "--type",
                "customer",
                "--id",
                "CUST-2",
            ])
            .args(["--reason", "r", "--yes"]);
        cmd
    };
    let out = bulk(&auditor)
        .assert()
        .code(2)
        .stderr(contains("your role on this server reads only"));
    assert_eq!(stdout(&out), "", "{:?}", out.get_output());
    bulk(&url)
        .assert()
        .success()
        .stdout(contains("6 EACs match; setting them to customer: CUST-2."));
}
