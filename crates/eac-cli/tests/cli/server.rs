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
