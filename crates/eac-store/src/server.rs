//! Team mode's server side (issue 17): `eacdesk server init` makes a
//! PostgreSQL database ready for EAC Desk. It brings the schema to this
//! version with the steps of `migrations/postgres/` (the same numbered list
//! as SQLite's, from 0014 on) and sets up the two roles people are given:
//! analysts, who read and change EACs (the audit log only grows), and
//! auditors, who read only. Grants do the enforcing, in the database, so a
//! SQL client holds to them as the app does; `docs/team.md` has the SQL.
//!
//! Run again after an upgrade of EAC Desk: it applies the new steps and
//! grants the roles the tables they bring. Everything happens in one
//! transaction, under a lock, so two runs at once cannot interleave.

use postgres::{Client, NoTls};

use crate::migrate::POSTGRES_MIGRATION_FILES;
use crate::{Result, StoreError};

/// The role analysts are members of.
pub const ANALYST_ROLE: &str = "eacdesk_analyst";
/// The role auditors are members of.
pub const AUDITOR_ROLE: &str = "eacdesk_auditor";

/// What [`init`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InitReport {
    /// The database's name on the server.
    pub database: String,
    /// The role that ran the steps (owns the tables).
    pub owner: String,
    /// The schema version before (`None`: the database had no EAC Desk
    /// tables) and after.
    pub version_before: Option<u32>,
    pub version: u32,
    /// The migration files applied, in order.
    pub applied: Vec<String>,
    /// The roles this run created (already there: not listed).
    pub roles_created: Vec<String>,
}

/// The grants of the two roles, run by [`init`] after the migrations (all
/// of it is idempotent). Public: `docs/team.md` shows this text and a
/// test keeps the two the same.
pub const ROLES_SQL: &str = "\
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'eacdesk_analyst') THEN
        CREATE ROLE eacdesk_analyst NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'eacdesk_auditor') THEN
        CREATE ROLE eacdesk_auditor NOLOGIN;
    END IF;
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO eacdesk_analyst, eacdesk_auditor;
-- Auditors: read everything, change nothing.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO eacdesk_auditor;
-- Analysts: read and change the data; the audit log only grows and the
-- schema's version is the owner's.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO eacdesk_analyst;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM eacdesk_analyst;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON eacdesk_schema FROM eacdesk_analyst;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO eacdesk_analyst;
";

/// Makes the database `conn` names (a `postgres://…` URL or `key=value`
/// settings) ready for EAC Desk; see the module documentation. The role
/// connecting owns what is created: a database owner, with the right to
/// create roles the first time.
pub fn init(conn: &str) -> Result<InitReport> {
    let mut client = connect(conn)?;
    let mut tx = client.transaction().map_err(server_error)?;
    // One run at a time per database (the key: "EACDESK" in ASCII).
    tx.batch_execute("SELECT pg_advisory_xact_lock(4604985245445451)")
        .map_err(server_error)?;
    let row = tx
        .query_one("SELECT current_database()::text, current_user::text", &[])
        .map_err(server_error)?;
    let (database, owner): (String, String) = (row.get(0), row.get(1));
    let version_before = schema_version(&mut tx)?;
    if version_before.is_none() {
        let tables: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                &[],
            )
            .map_err(server_error)?
            .get(0);
        if tables > 0 {
            return Err(StoreError::Server {
                message: format!(
                    "the database {database} holds tables but none of EAC Desk's: \
                     it is another program's; create an empty database for EAC Desk \
                     (CREATE DATABASE …) and run this again with its name"
                ),
            });
        }
    }
    let newest = newest_version();
    if let Some(found) = version_before.filter(|v| *v > newest) {
        return Err(StoreError::Server {
            message: format!(
                "the database {database} was set up by a newer EAC Desk (schema {found}, \
                 this version knows up to {newest}); update EAC Desk"
            ),
        });
    }
    let mut applied = Vec::new();
    for (file, sql) in POSTGRES_MIGRATION_FILES {
        let number = step_number(file);
        if version_before.is_some_and(|v| number <= v) {
            continue;
        }
        tx.batch_execute(sql).map_err(|e| StoreError::Migration {
            file: format!("postgres/{file}"),
            message: describe(&e),
        })?;
        applied.push((*file).to_owned());
    }
    let existed: Vec<String> = tx
        .query(
            "SELECT rolname::text FROM pg_roles WHERE rolname IN ($1, $2)",
            &[&ANALYST_ROLE, &AUDITOR_ROLE],
        )
        .map_err(server_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    grant_roles(&mut tx)?;
    let roles_created = [ANALYST_ROLE, AUDITOR_ROLE]
        .into_iter()
        .filter(|r| !existed.iter().any(|e| e == r))
        .map(str::to_owned)
        .collect();
    tx.commit().map_err(server_error)?;
    Ok(InitReport {
        database,
        owner,
        version_before,
        version: newest,
        applied,
        roles_created,
    })
}

/// Runs [`ROLES_SQL`]. Roles belong to the whole server, but a run's lock
/// to its database: two databases set up at once may both find a role
/// missing, and the second `CREATE ROLE` then fails when the first commits.
/// That attempt is undone (a savepoint) and made again: the role is there
/// now.
fn grant_roles(tx: &mut postgres::Transaction) -> Result<()> {
    let mut attempts = 0;
    loop {
        let mut savepoint = tx.transaction().map_err(server_error)?;
        match savepoint.batch_execute(ROLES_SQL) {
            Ok(()) => return savepoint.commit().map_err(server_error),
            Err(e)
                if attempts < 5
                    && e.code().is_some_and(|c| {
                        *c == postgres::error::SqlState::UNIQUE_VIOLATION
                            || *c == postgres::error::SqlState::INTERNAL_ERROR
                    }) =>
            {
                // "tuple concurrently updated" is an internal error.
                attempts += 1;
                drop(savepoint);
            }
            Err(e) => return Err(server_error(e)),
        }
    }
}

/// The database's EAC Desk schema version; `None` without EAC Desk's
/// tables.
pub(crate) fn schema_version(tx: &mut postgres::Transaction) -> Result<Option<u32>> {
    let has_schema: bool = tx
        .query_one(
            "SELECT to_regclass('public.eacdesk_schema') IS NOT NULL",
            &[],
        )
        .map_err(server_error)?
        .get(0);
    if !has_schema {
        return Ok(None);
    }
    let v: i32 = tx
        .query_one("SELECT version FROM eacdesk_schema", &[])
        .map_err(server_error)?
        .get(0);
    Ok(Some(u32::try_from(v).unwrap_or(0)))
}

/// Whether `text` is a PostgreSQL address (`postgres://…` or
/// `postgresql://…`) rather than a file name: what `--db`, `EACDESK_DB`
/// and the app's "Open database…" accept for a server database.
pub fn is_address(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Whether `text` is libpq settings (`host=… dbname=…`): every word a
/// setting libpq knows, so a file named `q1=final.sqlite` is not.
pub fn is_settings(text: &str) -> bool {
    const SETTINGS: [&str; 14] = [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "application_name",
        "connect_timeout",
        "options",
    ];
    !text.trim().is_empty()
        && text.split_whitespace().all(|word| {
            word.split_once('=')
                .is_some_and(|(key, _)| SETTINGS.contains(&key))
        })
}

/// Refuses to open a server database that is not at this build's schema
/// (`shown`: its address without a password, for the message).
pub(crate) fn check_for_open(client: &mut Client, shown: &str) -> Result<()> {
    let version = {
        let mut tx = client.transaction().map_err(server_error)?;
        let version = schema_version(&mut tx)?;
        tx.commit().map_err(server_error)?;
        version
    };
    let newest = newest_version();
    let message = match version {
        Some(v) if v == newest => return Ok(()),
        Some(v) if v > newest => format!(
            "{shown} holds an EAC Desk database of schema {v}, newer than this version of \
             EAC Desk knows ({newest}); update EAC Desk"
        ),
        Some(v) => format!(
            "{shown} holds an EAC Desk database of schema {v}; bring it to schema {newest} \
             with `eacdesk server init {shown}` (as its owner)"
        ),
        None => format!(
            "{shown} holds no EAC Desk database; set it up with `eacdesk server init {shown}` \
             (then, to fill it from a file, `eacdesk copy --from FILE --to {shown}`)"
        ),
    };
    Err(StoreError::Server { message })
}

/// The schema version this build brings a server database to.
pub fn newest_version() -> u32 {
    POSTGRES_MIGRATION_FILES
        .last()
        .map_or(0, |(file, _)| step_number(file))
}

fn step_number(file: &str) -> u32 {
    file[..4].parse().expect("NNNN_ names, checked by build.rs")
}

/// Connects to the server `conn` names. A password not in `conn` is taken
/// from `PGPASSWORD`, as PostgreSQL's own tools do.
pub(crate) fn connect(conn: &str) -> Result<Client> {
    let mut config: postgres::Config = conn.parse().map_err(|e| StoreError::Server {
        message: format!(
            "`{}` is not a PostgreSQL address ({e}); write it as \
             postgres://USER@HOST/DATABASE",
            without_password(conn)
        ),
    })?;
    if config.get_password().is_none() {
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
    }
    config.connect(NoTls).map_err(|e| StoreError::Server {
        message: format!(
            "could not connect to {}: {}; check the address, that the server runs \
             and that it lets this user in",
            without_password(conn),
            describe(&e)
        ),
    })
}

/// Where a URL's user part ends (`USER[:PASSWORD]@`), as byte offsets
/// into the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserPart {
    /// The `:` before the password, when the address holds one.
    pub password: Option<usize>,
    /// The `@` after the user part.
    pub at: usize,
}

/// The user part of a `scheme://USER[:PASSWORD]@HOST/…` address, or None
/// when it names no user (or is no URL).
pub fn user_part(address: &str) -> Option<UserPart> {
    let start = address.find("://")? + 3;
    let rest = &address[start..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some(UserPart {
        password: authority[..at].find(':').map(|colon| start + colon),
        at: start + at,
    })
}

/// `conn` for messages: a password in it replaced by `***` (in a URL's
/// user part or a `password=` setting).
pub fn without_password(conn: &str) -> String {
    if conn.contains("://") {
        return match user_part(conn) {
            Some(UserPart {
                password: Some(colon),
                at,
            }) => format!("{}***{}", &conn[..colon + 1], &conn[at..]),
            _ => conn.to_owned(),
        };
    }
    conn.split_whitespace()
        .map(|part| {
            if part.starts_with("password=") {
                "password=***"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The server's own words for an error (its message and detail), or the
/// client's.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    }
}

pub(crate) fn server_error(e: postgres::Error) -> StoreError {
    StoreError::Server {
        message: describe(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            without_password("postgres://ann:secret@db.example/eacs"),
            "postgres://ann:***@db.example/eacs"
        );
        assert_eq!(
            without_password("postgres://ann:s3cret@/eacs?host=/tmp"),
            "postgres://ann:***@/eacs?host=/tmp"
        );
        assert_eq!(
            without_password("postgres://ann@db/eacs"),
            "postgres://ann@db/eacs"
        );
        assert_eq!(
            without_password("host=/tmp/x password=secret user=ann"),
            "host=/tmp/x password=*** user=ann"
        );
        let err = connect("postgres://ann:secret@/eacs?host=/nonexistent-folder")
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("could not connect"), "{text}");
    }

    #[test]
    fn the_server_steps_reach_sqlites_version() {
        assert_eq!(
            newest_version() as usize,
            crate::migrate::supported_version()
        );
    }
}
