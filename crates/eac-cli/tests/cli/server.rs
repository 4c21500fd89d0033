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
    // One side must be a server.
    desk.eacdesk()
        .args(["copy", "--to", "elsewhere.sqlite"])
        .assert()
        .code(2)
        .stderr(contains("one side must be a server database"));
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

#[test]
fn db_names_a_server_database_that_lists_shows_and_exports_as_its_file_did() {
    let Some(settings) = empty_database("eacdesk_cli_reads") else {
        return;
    };
    let url = address(&settings);
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json", "good-p1-overview-monthly.json"]);
    desk.eacdesk()
        .args(["server", "init", &url])
        .assert()
        .success();
    desk.eacdesk()
        .args(["copy", "--to", &url])
        .assert()
        .success();
    // The desk's settings without its `--db`.
    let bare = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_eacdesk"));
        cmd.env_remove("EACDESK_DB")
            .env("EACDESK_KEY_DIR", desk.path("keys"))
            .env("EACDESK_CONFIG_DIR", desk.path("config"))
            .current_dir(desk.path(""));
        cmd
    };
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
    // EACDESK_DB takes the address too; what does not run on a server yet
    // is refused, plainly.
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
        .code(2)
        .stderr(contains(
            "does not work on a database on a PostgreSQL server yet",
        ))
        .stderr(contains("eacdesk copy --from URL --to FILE"));
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
    let second = address(&empty_database("eacdesk_cli_reads_two").unwrap());
    desk.eacdesk()
        .args(["server", "init", &second])
        .assert()
        .success();
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
