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

use std::ops::Range;
use std::sync::{Arc, Mutex};

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
    // The server's warnings that a GRANT or REVOKE did nothing (the role
    // owns neither the tables nor the schema): never reported as granted.
    let not_done: Arc<Mutex<Vec<String>>> = Arc::default();
    let heard = Arc::clone(&not_done);
    let mut client = connect_with(conn, |config| {
        config.notice_callback(move |notice| {
            use postgres::error::SqlState;
            if *notice.code() == SqlState::WARNING_PRIVILEGE_NOT_GRANTED
                || *notice.code() == SqlState::WARNING_PRIVILEGE_NOT_REVOKED
            {
                if let Ok(mut heard) = heard.lock() {
                    heard.push(notice.message().to_owned());
                }
            }
        });
    })?;
    let mut tx = client.transaction().map_err(owner_error)?;
    // One run at a time per database (the key: "EACDESK" in ASCII).
    tx.batch_execute("SELECT pg_advisory_xact_lock(4604985245445451)")
        .map_err(owner_error)?;
    let row = tx
        .query_one(
            "SELECT current_database()::text, current_user::text,
                    pg_get_userbyid(d.datdba)::text, pg_has_role(current_user, d.datdba, 'MEMBER'),
                    (SELECT string_agg(DISTINCT t.tableowner::text, ', ' ORDER BY t.tableowner::text)
                       FROM pg_tables t
                      WHERE t.schemaname = 'public'
                        AND NOT pg_has_role(current_user, t.tableowner, 'MEMBER')),
                    to_regclass('public.eacdesk_schema') IS NOT NULL
               FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )
        .map_err(owner_error)?;
    let (database, owner): (String, String) = (row.get(0), row.get(1));
    let (db_owner, owns, others, ours): (String, bool, Option<String>, bool) =
        (row.get(2), row.get(3), row.get(4), row.get(5));
    // Decision 253: what only the owner may do is refused to anyone else
    // (an analyst's run granted nothing and said it had).
    let not_owner = |whose: String| StoreError::Server {
        message: format!("{OWNER_ONLY} ({whose}; you connected as {owner})"),
    };
    if !owns {
        return Err(not_owner(format!(
            "the database {database} is owned by {db_owner}"
        )));
    }
    // EAC Desk's tables are granted (and altered by a migration) by their
    // owner; another program's are refused below, whoever owns them.
    if let Some(others) = others.filter(|_| ours) {
        return Err(not_owner(format!("its tables are owned by {others}")));
    }
    let version_before = schema_version(&mut tx)?;
    if version_before.is_none() {
        let tables: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                &[],
            )
            .map_err(owner_error)?
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
            message: describe_for_owner(&e),
        })?;
        applied.push((*file).to_owned());
    }
    let existed: Vec<String> = tx
        .query(
            "SELECT rolname::text FROM pg_roles WHERE rolname IN ($1, $2)",
            &[&ANALYST_ROLE, &AUDITOR_ROLE],
        )
        .map_err(owner_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    grant_roles(&mut tx)?;
    let refused = not_done.lock().map(|w| w.clone()).unwrap_or_default();
    if let Some(first) = refused.first() {
        // Rolled back: nothing this run did is kept.
        return Err(StoreError::Server {
            message: format!(
                "{OWNER_ONLY} (the server granted or revoked nothing for {owner}: {first})"
            ),
        });
    }
    let roles_created = [ANALYST_ROLE, AUDITOR_ROLE]
        .into_iter()
        .filter(|r| !existed.iter().any(|e| e == r))
        .map(str::to_owned)
        .collect();
    tx.commit().map_err(owner_error)?;
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
        let mut savepoint = tx.transaction().map_err(owner_error)?;
        match savepoint.batch_execute(ROLES_SQL) {
            Ok(()) => return savepoint.commit().map_err(owner_error),
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
            Err(e) => return Err(owner_error(e)),
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
/// `postgresql://…`, the scheme in any case as RFC 3986 reads schemes)
/// rather than a file name: what `--db`, `EACDESK_DB` and the app's "Open
/// database…" accept for a server database.
pub fn is_address(text: &str) -> bool {
    // Spaces around it (a pasted address) do not make it a file name.
    let text = text.trim();
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Whether `text` names a database on a PostgreSQL server rather than a
/// file: a `postgres://` address ([`is_address`]), libpq settings
/// ([`is_settings`]), or text meant as one of them that is neither
/// ([`meant_as_server`]). What `--db`, `EACDESK_DB`, `copy`, `server init`
/// and the app's Open database all take for a server database, so none of
/// them makes a file of it: what is not an address the client reads is
/// refused when it is opened ([`address_problem`]), never made a file.
pub fn names_server(text: &str) -> bool {
    is_address(text) || is_settings(text) || meant_as_server(text)
}

/// Whether `text` is libpq settings (`host=… dbname=…`): every word a
/// setting the client reads ([`LIBPQ_SETTINGS`]), so a file named
/// `q1=final.sqlite` is not.
pub fn is_settings(text: &str) -> bool {
    let words = setting_words(text);
    !words.is_empty()
        && words
            .iter()
            .all(|word| word.value.is_some() && LIBPQ_SETTINGS.contains(&&text[word.key.clone()]))
}

/// Whether `text`, no address the client reads, was still meant as one
/// (TEAM42 finding 1: each of these was made a file, folders, password in
/// its name and all): a URL (`scheme://…`, a scheme of two characters or
/// more: `C://x` is a Windows drive), `postgres:` without `//`, a
/// `password=` word (`sslpassword=` too), or key=value text, its first
/// word a `name=value` setting whose name the client reads or most of its
/// words such settings. A file whose name looks so is named with `./`
/// before it (`./dbname=x`), unless it holds a `password=` word.
pub fn meant_as_server(text: &str) -> bool {
    let text = text.trim();
    if url_scheme(text).is_some() || postgres_without_slashes(text) {
        return true;
    }
    let words = setting_words(text);
    let named =
        |word: &SettingWord| word.value.is_some() && is_setting_name(&text[word.key.clone()]);
    if words
        .iter()
        .any(|w| named(w) && is_password_key(&text[w.key.clone()]))
    {
        return true;
    }
    match words.first() {
        Some(first) if named(first) => {
            let settings = words.iter().filter(|w| named(w)).count();
            LIBPQ_SETTINGS.contains(&&text[first.key.clone()])
                || (words.len() >= 2 && 2 * settings > words.len())
        }
        _ => false,
    }
}

/// A setting's name as libpq writes one: a letter or `_`, then letters,
/// digits and `_` (a path's `./host` or `/data/host` is none).
fn is_setting_name(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The scheme of a URL `scheme://…` (RFC 3986: a letter, then letters,
/// digits, `+`, `-` and `.`), two characters or more: one letter before
/// `://` is a Windows drive.
fn url_scheme(text: &str) -> Option<&str> {
    let scheme = &text[..text.find("://")?];
    let mut bytes = scheme.bytes();
    (scheme.len() >= 2
        && bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    .then_some(scheme)
}

/// `postgres:` or `postgresql:` (any case) not followed by `//`.
fn postgres_without_slashes(text: &str) -> bool {
    let lower = text.get(..11).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("postgres:") || lower.starts_with("postgresql:")) && !is_address(text)
}

/// The settings the PostgreSQL client EAC Desk uses (the `postgres`
/// crate) reads, in `key=value` settings and a URL's query alike: the one
/// list `--db`, `EACDESK_DB`, `copy` and `server init` take (a unit test
/// holds it to the client's; the app's Open database dialog reads the
/// same list: a drift test compares them). libpq's others (`passfile`,
/// `sslrootcert`, `service`, …) are refused by name.
pub const LIBPQ_SETTINGS: [&str; 19] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "options",
    "application_name",
    "connect_timeout",
    "sslmode",
    "sslnegotiation",
    "channel_binding",
    "target_session_attrs",
    "load_balance_hosts",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
];

/// Why `conn` is no address the client can connect with, in plain words
/// (the address named with its passwords masked), or `None` when it is
/// one: what [`connect`] refuses before trying the server, as usage
/// ([`StoreError::InvalidInput`]: the person's text, not the server's
/// answer).
pub fn address_problem(conn: &str) -> Option<String> {
    parse_address(conn).err()
}

/// `conn` read as the client reads it, after EAC Desk's own reading of
/// what the client would refuse in its own terms ("unexpected EOF",
/// "unknown option") or not at all (a scheme in capitals, no host).
fn parse_address(conn: &str) -> std::result::Result<postgres::Config, String> {
    const WRITE_IT: &str = "write it as postgres://USER@HOST/DATABASE";
    let text = conn.trim();
    let shown = without_password(text);
    let not_address = |why: &str| format!("`{shown}` is not a PostgreSQL address: {why}.");
    let parsed = match url_scheme(text) {
        Some(scheme) if scheme.eq_ignore_ascii_case("file") => {
            return Err(format!(
                "`{shown}` is not a PostgreSQL address, and a database file is named by its \
                 path, not a file:// URL: {}",
                file_url_path(text).map_or_else(
                    || "write the file's path.".to_owned(),
                    |path| format!("write {path}.")
                )
            ));
        }
        Some(scheme) => {
            let lower = scheme.to_ascii_lowercase();
            if lower != "postgres" && lower != "postgresql" {
                return Err(not_address(&format!(
                    "its scheme is {scheme}://, and EAC Desk reads postgres:// and \
                     postgresql:// addresses; {WRITE_IT}"
                )));
            }
            // RFC 3986: a scheme reads alike in any case; the client takes
            // it in lower case only.
            format!("{lower}{}", &text[scheme.len()..]).parse::<postgres::Config>()
        }
        None if postgres_without_slashes(text) => {
            return Err(not_address(&format!(
                "its scheme is not followed by `//`; {WRITE_IT}"
            )));
        }
        None => {
            if let Some(why) = settings_problem(text) {
                return Err(not_address(&why));
            }
            text.parse::<postgres::Config>()
        }
    };
    let config = parsed.map_err(|e| not_address(&format!("{}; {WRITE_IT}", words(&e))))?;
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        return Err(format!(
            "`{shown}` names no server: give its host (postgres://USER@HOST/DATABASE, or \
             host=HOST among settings; a socket folder such as /var/run/postgresql is a host \
             too). EAC Desk takes only the password from the environment (PGPASSWORD), not \
             PGHOST, PGPORT, PGUSER or PGDATABASE."
        ));
    }
    Ok(config)
}

/// The path a `file:///PATH` or `file://localhost/PATH` URL names,
/// `%XX` decoded; `None` for another host's.
fn file_url_path(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let path = match rest.get(..10) {
        Some(host) if host.eq_ignore_ascii_case("localhost/") => &rest[9..],
        _ => rest,
    };
    path.starts_with('/').then(|| percent_decoded(path))
}

/// Why settings text is not settings the client reads, in plain words:
/// a word that is no `key=value` (an unquoted password holding a space
/// above all, said without its words) or a key the client does not read.
fn settings_problem(text: &str) -> Option<String> {
    let mut after_password = false;
    for word in setting_words(text) {
        let key = &text[word.key.clone()];
        let known = word.value.is_some() && LIBPQ_SETTINGS.contains(&key);
        if after_password && !known {
            return Some(
                "the password holds a space: quote it, password='…' (a ' or \\ in it written \
                 \\' or \\\\), or give it in PGPASSWORD"
                    .to_owned(),
            );
        }
        let Some(value) = word.value else {
            return Some(format!(
                "`{key}` is no setting (key=value); quote a value that holds spaces \
                 (key='a b')"
            ));
        };
        if !known {
            return Some(format!(
                "`{key}` is not a setting EAC Desk's PostgreSQL client reads; it reads {}",
                LIBPQ_SETTINGS.join(", ")
            ));
        }
        after_password = is_password_key(key) && !text[value].starts_with('\'');
    }
    None
}

/// Refuses to open a server database that is not at this build's schema
/// (`shown`: its address without a password, for the message). Setting
/// one up or upgrading it is its owner's job (decision 313): a login that
/// is not the owner is told to ask the owner, named as the server names
/// it, and the command suggested names the owner's login and no password
/// (decision 288: it works as written, the password from PGPASSWORD).
pub(crate) fn check_for_open(client: &mut Client, conn: &str, shown: &str) -> Result<()> {
    let (version, (owner, is_owner)) = {
        let mut tx = client.transaction().map_err(server_error)?;
        let version = schema_version(&mut tx)?;
        let owner = owner_of(&mut tx)?;
        tx.commit().map_err(server_error)?;
        (version, owner)
    };
    let newest = newest_version();
    // Whose job it is, and the address they run it with.
    let (by, address) = if is_owner {
        (String::new(), without_any_password(conn))
    } else {
        (
            format!("ask the database's owner ({owner}) to "),
            as_user(conn, &owner),
        )
    };
    let message = match version {
        Some(v) if v == newest => return Ok(()),
        Some(v) if v > newest => format!(
            "{shown} holds an EAC Desk database of schema {v}, newer than this version of \
             EAC Desk knows ({newest}); update EAC Desk"
        ),
        Some(v) => format!(
            "{shown} holds an EAC Desk database of schema {v}, older than this version of \
             EAC Desk knows ({newest}); {by}bring it to schema {newest} with `eacdesk server \
             init {address}` (give the password in PGPASSWORD)"
        ),
        None => format!(
            "{shown} holds no EAC Desk database; {by}set it up with `eacdesk server init \
             {address}` (give the password in PGPASSWORD), then, to fill it from a file, \
             `eacdesk copy --from FILE --to {address}`"
        ),
    };
    Err(StoreError::Server { message })
}

/// The owner of the database `tx` is connected to, as the server names it
/// (`pg_database.datdba`), and whether this login may act as it (is it, a
/// member of it, or a superuser).
pub(crate) fn owner_of(tx: &mut postgres::Transaction) -> Result<(String, bool)> {
    let row = tx
        .query_one(
            "SELECT pg_get_userbyid(d.datdba)::text, pg_has_role(d.datdba, 'MEMBER')
               FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )
        .map_err(server_error)?;
    Ok((row.get(0), row.get(1)))
}

/// `conn` naming the login `user` and no password: a URL's user part
/// (`USER[:PASSWORD]@`) becomes `user@`; libpq settings get `user=user`.
fn as_user(conn: &str, user: &str) -> String {
    let bare = without_any_password(conn).trim().to_owned();
    if is_address(&bare) {
        let encoded: String = (user.bytes())
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let start = bare.find("://").map_or(0, |end| end + 3);
        return match user_part(&bare) {
            Some(part) => format!("{}{encoded}{}", &bare[..start], &bare[part.at..]),
            None => format!("{}{encoded}@{}", &bare[..start], &bare[start..]),
        };
    }
    let quoted = if !user.is_empty() && !user.contains([' ', '\'', '\\']) {
        user.to_owned()
    } else {
        format!("'{}'", user.replace('\\', "\\\\").replace('\'', "\\'"))
    };
    let users: Vec<Range<usize>> = (setting_words(&bare).into_iter())
        .filter(|w| &bare[w.key.clone()] == "user")
        .filter_map(|w| w.value)
        .collect();
    if users.is_empty() {
        format!("{bare} user={quoted}")
    } else {
        replaced(&bare, users, &quoted)
    }
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
    connect_with(conn, |_| {})
}

/// [`connect`] with `settle` making its last changes to the settings
/// (a notice callback, say).
fn connect_with(conn: &str, settle: impl FnOnce(&mut postgres::Config)) -> Result<Client> {
    // The person's text, no server's answer: usage (exit 2, invalid_input).
    let mut config = parse_address(conn).map_err(StoreError::InvalidInput)?;
    if config.get_password().is_none() {
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
    }
    let given = config.get_password().is_some();
    settle(&mut config);
    config.connect(NoTls).map_err(|e| {
        let shown = without_password(conn);
        let refused = e.code() == Some(&postgres::error::SqlState::INVALID_PASSWORD);
        // The client stops before asking when it has no password to give.
        let asked =
            std::error::Error::source(&e).is_some_and(|c| c.to_string() == "password missing");
        let message = if !given && (refused || asked) {
            format!(
                "could not connect to {shown}: the server asks for a password and none was \
                 given; put it in the address (postgres://USER:PASSWORD@HOST/DATABASE) or in \
                 the PGPASSWORD environment variable"
            )
        } else if refused {
            format!(
                "could not connect to {shown}: {}; check the password (in the address or in \
                 PGPASSWORD)",
                words(&e)
            )
        } else {
            format!(
                "could not connect to {shown}: {}; check the address, that the server runs \
                 and that it lets this user in",
                words(&e)
            )
        };
        StoreError::Server { message }
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

/// Where one password sits in a server address, as byte offsets into it
/// (see [`password_spans`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordSpan {
    /// The password itself (what a message replaces with `***`).
    pub value: Range<usize>,
    /// The password with what names it (`:` before a URL's password,
    /// `&password=` or ` password=`): what to remove to leave the address
    /// without it.
    pub whole: Range<usize>,
}

/// Every password `conn` holds, in each form PostgreSQL's clients read one:
/// a URL's `USER:PASSWORD@` (its end found both as libpq finds it and as
/// the `postgres` crate does, which takes the first `@`), a URL query's
/// `password=` (the key in any case, percent-encoded or not) and a
/// `password=` setting, its value quoted (`password='a b'`) or not. Keys
/// ending in `password` (`sslpassword`) count too. Spans may overlap.
pub fn password_spans(conn: &str) -> Vec<PasswordSpan> {
    // `postgres:/USER:PASSWORD@…` (a slash short): read as the URL meant.
    let start = conn.len() - conn.trim_start().len();
    if postgres_without_slashes(&conn[start..]) {
        let colon = start + conn[start..].find(':').unwrap_or(0);
        let rest =
            colon + 1 + conn[colon + 1..].len() - conn[colon + 1..].trim_start_matches('/').len();
        const MEANT: &str = "postgres://";
        let moved = |r: Range<usize>| r.start - MEANT.len() + rest..r.end - MEANT.len() + rest;
        return password_spans(&format!("{MEANT}{}", &conn[rest..]))
            .into_iter()
            .filter(|s| s.whole.start >= MEANT.len())
            .map(|s| PasswordSpan {
                value: moved(s.value),
                whole: moved(s.whole),
            })
            .collect();
    }
    let mut spans = Vec::new();
    match conn.find("://").filter(|&end| {
        let scheme = conn[..end].trim_start();
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    }) {
        Some(scheme_end) => {
            let start = scheme_end + 3;
            let rest = &conn[start..];
            // libpq: the user part ends at the last `@` before the host.
            if let Some(UserPart {
                password: Some(colon),
                at,
            }) = user_part(conn)
            {
                spans.push(PasswordSpan {
                    value: colon + 1..at,
                    whole: colon..at,
                });
            }
            // The `postgres` crate: everything before the first `@`.
            if let Some(at) = rest.find('@') {
                if let Some(colon) = rest[..at].find(':') {
                    spans.push(PasswordSpan {
                        value: start + colon + 1..start + at,
                        whole: start + colon..start + at,
                    });
                }
            }
            if let Some(question) = rest.find('?') {
                url_query_passwords(conn, start + question, &mut spans);
            }
        }
        None => setting_passwords(conn, &mut spans),
    }
    spans
}

/// Whether a key names a password (`password`, `PASSWORD`, `sslpassword`).
fn is_password_key(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with("password")
}

/// The `password=` parameters of the URL query that starts at `question`
/// (the `?`).
fn url_query_passwords(conn: &str, question: usize, spans: &mut Vec<PasswordSpan>) {
    let mut from = question + 1;
    let end = conn.len();
    while from <= end {
        let stop = conn[from..].find('&').map_or(end, |i| from + i);
        let segment = &conn[from..stop];
        if let Some(eq) = segment.find('=') {
            if is_password_key(&percent_decoded(&segment[..eq])) {
                // Removing it takes one separator with it: the `&` before,
                // or the `?` with the `&` after when it is the first.
                let whole = if from == question + 1 {
                    if stop < end {
                        from..stop + 1
                    } else {
                        question..stop
                    }
                } else {
                    from - 1..stop
                };
                spans.push(PasswordSpan {
                    value: from + eq + 1..stop,
                    whole,
                });
            }
        }
        from = stop + 1;
    }
}

/// `text` with its `%XX` escapes decoded (a broken escape kept as is).
fn percent_decoded(text: &str) -> String {
    String::from_utf8_lossy(&crate::percent::decoded(text)).into_owned()
}

/// One word of libpq `key=value` settings, as byte offsets.
struct SettingWord {
    /// Where the word starts, with the spaces before it.
    start: usize,
    key: Range<usize>,
    /// The value (its quotes included); `None` for a word without `=`.
    value: Option<Range<usize>>,
}

/// The words of libpq `key=value` settings, read as libpq reads them:
/// spaces around `=` allowed, a value quoted in `'…'` (with `\'` inside)
/// or running to the next space (`\` escaping one character). An unclosed
/// quote runs to the end.
fn setting_words(conn: &str) -> Vec<SettingWord> {
    let bytes = conn.as_bytes();
    let skip_spaces = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    // The byte after the character at `i`, and after the one a `\\` at
    // `i` escapes.
    let next = |i: usize| {
        let step = |at: usize| conn[at..].chars().next().map_or(1, char::len_utf8);
        let after = i + step(i);
        if bytes[i] == b'\\' && after < bytes.len() {
            after + step(after)
        } else {
            after
        }
    };
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let key_start = skip_spaces(i);
        if key_start == bytes.len() {
            break;
        }
        i = key_start;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i = next(i);
        }
        let key = key_start..i;
        let after_key = skip_spaces(i);
        if bytes.get(after_key) != Some(&b'=') {
            words.push(SettingWord {
                start,
                key,
                value: None,
            });
            continue;
        }
        let value_start = skip_spaces(after_key + 1);
        i = value_start;
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            while i < bytes.len() && bytes[i] != b'\'' {
                i = next(i);
            }
            i = (i + 1).min(bytes.len());
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i = next(i);
            }
        }
        words.push(SettingWord {
            start,
            key,
            value: Some(value_start..i),
        });
    }
    words
}

/// The `password` settings of libpq `key=value` words (an unclosed quote:
/// all the rest is the password). An unquoted one runs on over the words
/// without `=` after it (`password=Tr1ck y@p`: a password holding a space,
/// which the client refuses; a message names the text with it masked).
fn setting_passwords(conn: &str, spans: &mut Vec<PasswordSpan>) {
    let words = setting_words(conn);
    for (at, word) in words.iter().enumerate() {
        if let Some(value) = word
            .value
            .clone()
            .filter(|_| is_password_key(&conn[word.key.clone()]))
        {
            let mut end = value.end;
            if !conn[value.clone()].starts_with('\'') {
                for more in words[at + 1..].iter().take_while(|w| w.value.is_none()) {
                    end = more.key.end;
                }
            }
            spans.push(PasswordSpan {
                whole: word.start..end,
                value: value.start..end,
            });
        }
    }
}

/// `ranges` sorted and merged where they overlap or touch.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `conn` with each of `ranges` replaced by `with`.
fn replaced(conn: &str, ranges: Vec<Range<usize>>, with: &str) -> String {
    let mut out = String::with_capacity(conn.len());
    let mut from = 0;
    for r in merged(ranges) {
        out.push_str(&conn[from..r.start]);
        out.push_str(with);
        from = r.end;
    }
    out.push_str(&conn[from..]);
    out
}

/// `conn` for messages: every password in it (see [`password_spans`])
/// replaced by `***`.
pub fn without_password(conn: &str) -> String {
    let spans = password_spans(conn);
    replaced(conn, spans.into_iter().map(|s| s.value).collect(), "***")
}

/// `conn` with every password in it taken out, and what named it (what
/// the app remembers and shows of a server database).
pub fn without_any_password(conn: &str) -> String {
    let spans = password_spans(conn);
    replaced(conn, spans.into_iter().map(|s| s.whole).collect(), "")
}

/// What a role that may not do something is told (SQLSTATE 42501,
/// `insufficient_privilege`): an auditor's role reads only, and the
/// server refuses every change to it.
const READ_ONLY_ROLE: &str = "your role on this server reads only (or may not change this): \
     nothing was changed. Ask an analyst (eacdesk_analyst) to make the change";

/// What a role other than the database's owner is told when it runs what
/// only the owner may (`server init`, `copy --to`).
const OWNER_ONLY: &str = "only the database's owner may do this (set it up, copy into it); \
     nothing was changed. Run it again as the role that owns the database";

/// What a command is told whose connection to the server was lost.
const CONNECTION_LOST: &str = "the connection to the server was lost, so nothing was saved (the \
     server rolls back a change it did not see committed). Check that the server runs and can be \
     reached, then run it again";

/// What a lost connection's message ([`CONNECTION_LOST`]) says of the
/// client: the words after it, or `None` when `message` is no lost
/// connection's. A read-only job (an export, a copy from a server) says
/// its own outcome before them instead of a rolled-back change.
pub(crate) fn lost_connection_words(message: &str) -> Option<&str> {
    let rest = message.strip_prefix(CONNECTION_LOST)?;
    Some(rest.strip_prefix(". ").unwrap_or(rest))
}

/// What a command is told whose connection was lost while its change was
/// being committed: the server may have committed it or not.
const COMMIT_UNKNOWN: &str = "the connection to the server was lost while the change was being \
     committed, so it is not known whether it was saved. Look at the audit log (`eacdesk audit`, \
     or the app's history) and the list of imports before running it again";

/// [`server_error`] of a statement that commits: a lost connection there
/// leaves the outcome unknown, and says so instead of "nothing was saved".
pub(crate) fn commit_error(e: postgres::Error) -> StoreError {
    if connection_lost(&e) {
        return StoreError::Server {
            message: format!("{COMMIT_UNKNOWN}. The client said: {}", words(&e)),
        };
    }
    server_error(e)
}

/// What is said of an error: its [`words`], after plain words of their
/// own for a refusal for want of a privilege and a lost connection.
fn describe(e: &postgres::Error) -> String {
    let words = words(e);
    if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
        format!("{READ_ONLY_ROLE}. The server said: {words}")
    } else if connection_lost(e) {
        format!("{CONNECTION_LOST}. The client said: {words}")
    } else {
        words
    }
}

/// The server's own words for an error (its message and detail), or the
/// client's with their cause (its words name only the kind of error,
/// "error connecting to server").
fn words(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// Whether `e` says the connection to the server is gone: closed, broken
/// (an error reading or writing it), or ended by the server (shut down,
/// the session terminated by an administrator).
fn connection_lost(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    let ended = e.code().is_some_and(|c| {
        *c == SqlState::ADMIN_SHUTDOWN
            || *c == SqlState::CRASH_SHUTDOWN
            || c.code().starts_with("08")
    });
    let broken = std::error::Error::source(e).is_some_and(|c| c.is::<std::io::Error>());
    ended || broken || e.is_closed()
}

/// [`describe`] of what only the database's owner may do: a refusal for
/// want of a privilege says to run it as the owner.
fn describe_for_owner(e: &postgres::Error) -> String {
    if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
        format!("{OWNER_ONLY}. The server said: {}", words(e))
    } else {
        describe(e)
    }
}

/// [`server_error`] of what only the database's owner may do (see
/// [`describe_for_owner`]).
pub(crate) fn owner_error(e: postgres::Error) -> StoreError {
    if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
        return StoreError::Server {
            message: describe_for_owner(&e),
        };
    }
    server_error(e)
}

pub(crate) fn server_error(e: postgres::Error) -> StoreError {
    // The server ended the transaction to break a deadlock (40P01) or a
    // serialization failure (40001): all of it was rolled back.
    use postgres::error::SqlState;
    if e.code().is_some_and(|c| {
        *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
    }) {
        return StoreError::raced();
    }
    StoreError::Server {
        message: describe(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TEAM42 finding 6: the address suggested to the database's owner
    /// names the owner's login and no password, in the form given.
    #[test]
    fn an_address_for_the_owner_names_the_owner_and_no_password() {
        assert_eq!(
            as_user(
                "postgres://bob:bobpw@%2Ftmp%2Fpg:5433/empty1",
                "eacdesk_admin"
            ),
            "postgres://eacdesk_admin@%2Ftmp%2Fpg:5433/empty1"
        );
        assert_eq!(
            as_user("postgresql://db.example/team", "Dr Who"),
            "postgresql://Dr%20Who@db.example/team"
        );
        assert_eq!(
            as_user("host=/tmp/pg user=bob password='a b' dbname=team", "olga"),
            "host=/tmp/pg user=olga dbname=team"
        );
        assert_eq!(
            as_user("host=/tmp/pg dbname=team", "o'k"),
            "host=/tmp/pg dbname=team user='o\\'k'"
        );
    }

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
        // Every form a password takes in an address: (given, shown).
        let cases = [
            // In a URL's query, first, in the middle or last; any case;
            // the key or the value percent-encoded.
            (
                "postgresql://ann@/empt?host=/tmp/x&port=5433&password=annSecret1",
                "postgresql://ann@/empt?host=/tmp/x&port=5433&password=***",
            ),
            (
                "postgres://ann@db/eacs?password=secret&sslmode=disable",
                "postgres://ann@db/eacs?password=***&sslmode=disable",
            ),
            (
                "postgres://ann@db/eacs?PASSWORD=secret",
                "postgres://ann@db/eacs?PASSWORD=***",
            ),
            (
                "postgres://ann@db/eacs?Password=secret",
                "postgres://ann@db/eacs?Password=***",
            ),
            (
                "postgres://ann@db/eacs?pass%77ord=secret",
                "postgres://ann@db/eacs?pass%77ord=***",
            ),
            (
                "postgres://ann@db/eacs?password=s%20e%26cret",
                "postgres://ann@db/eacs?password=***",
            ),
            (
                "postgres://ann@db/eacs?sslpassword=secret",
                "postgres://ann@db/eacs?sslpassword=***",
            ),
            // In both places at once.
            (
                "postgres://ann:secret@db/eacs?password=secret",
                "postgres://ann:***@db/eacs?password=***",
            ),
            // A percent-encoded user part, and one with `@`, `/` or `?`
            // unencoded (the `postgres` crate ends it at the first `@`,
            // libpq at the last before the host).
            (
                "postgres://ann:s%40cret@db/eacs",
                "postgres://ann:***@db/eacs",
            ),
            (
                "postgres://ann:se@cret@db/eacs",
                "postgres://ann:***@db/eacs",
            ),
            (
                "postgres://ann:se/cret@db/eacs",
                "postgres://ann:***@db/eacs",
            ),
            (
                "postgres://ann:se?cret@db/eacs",
                "postgres://ann:***@db/eacs",
            ),
            // A URL without a password is shown as given.
            (
                "postgres://ann@/eacs?host=/tmp&port=5433",
                "postgres://ann@/eacs?host=/tmp&port=5433",
            ),
            // key=value settings: quoted, with spaces around `=`, escaped,
            // any case, an unclosed quote.
            (
                "host=/tmp password='a b' user=ann",
                "host=/tmp password=*** user=ann",
            ),
            (
                "host=/tmp password='it\\'s secret' user=ann",
                "host=/tmp password=*** user=ann",
            ),
            (
                "host=/tmp password = secret user=ann",
                "host=/tmp password = *** user=ann",
            ),
            (
                "host=/tmp password=se\\ cret user=ann",
                "host=/tmp password=*** user=ann",
            ),
            ("PASSWORD=secret host=/tmp", "PASSWORD=*** host=/tmp"),
            ("host=/tmp password='a secret", "host=/tmp password=***"),
            ("host=/tmp password=sécret", "host=/tmp password=***"),
        ];
        for (given, shown) in cases {
            assert_eq!(without_password(given), shown, "{given}");
            for secret in ["secret", "annSecret1", "cret", "a b", "%20e"] {
                assert!(!without_password(given).contains(secret), "{given}");
            }
        }
        // What the app remembers: the passwords and what named them gone.
        for (given, kept) in [
            (
                "postgres://ann:secret@db/eacs?password=secret&port=5433",
                "postgres://ann@db/eacs?port=5433",
            ),
            (
                "postgres://ann@/eacs?host=/tmp&PASSWORD=secret",
                "postgres://ann@/eacs?host=/tmp",
            ),
            (
                "postgres://ann@/eacs?password=secret",
                "postgres://ann@/eacs",
            ),
            ("host=/tmp password='a b' user=ann", "host=/tmp user=ann"),
        ] {
            assert_eq!(without_any_password(given), kept, "{given}");
        }
        // Settings with a quoted value are settings (a server address).
        assert!(is_settings("host=/tmp password='a b' user=ann"));
        assert!(!is_settings("q1=final.sqlite"));
        let err = connect("postgres://ann:secret@/eacs?host=/nonexistent-folder")
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("could not connect"), "{text}");
        for conn in [
            "postgres://ann@/eacs?host=/nonexistent-folder&password=secret",
            "host=/nonexistent-folder password='a secret' dbname=eacs",
        ] {
            let text = connect(conn).err().unwrap().to_string();
            assert!(!text.contains("secret"), "{text}");
            assert!(text.contains("could not connect"), "{text}");
        }
        // An address the client cannot read is named without its password.
        let text = connect("postgres://ann@db/eacs?PASSWORD=secret")
            .err()
            .unwrap()
            .to_string();
        assert!(!text.contains("secret"), "{text}");
    }

    /// TEAM42 finding 1: text meant as a server's address that the client
    /// cannot read (a setting EAC Desk did not know, an unquoted password
    /// holding a space, a scheme typo) was taken for a file's path, made
    /// with its folders and the password in its name. Now it names the
    /// server database: read as an address, or refused in plain words,
    /// its passwords masked.
    #[test]
    fn text_meant_as_a_server_is_read_or_refused_never_a_file() {
        let cases: [(&str, Option<&str>); 16] = [
            // Every setting the client reads works, as in `server init`.
            (
                "host=/tmp/pg port=5433 user=ann password=annpw dbname=team keepalives=1",
                None,
            ),
            (
                "host=db target_session_attrs=read-write channel_binding=prefer \
                 keepalives_idle=30 tcp_user_timeout=5000 load_balance_hosts=random",
                None,
            ),
            // RFC 3986: a scheme in capitals is a scheme (TEAM42 7.4).
            ("POSTGRES://ann:annpw@%2Ftmp%2Fpg:5433/team", None),
            ("  PostgreSQL://ann@db/team ", None),
            (
                "host=/tmp/pg port=5433 user=dan password=Tr1ck y@p dbname=team",
                Some(
                    "`host=/tmp/pg port=5433 user=dan password=*** dbname=team` is not a \
                     PostgreSQL address: the password holds a space: quote it, password='…'",
                ),
            ),
            (
                "host=/tmp/pg user=dan password=s3cr3t! sslmode=disable dbname=team extra",
                Some("`extra` is no setting (key=value); quote a value that holds spaces"),
            ),
            (
                "postgress://ann:annpw@localhost/team",
                Some(
                    "`postgress://ann:***@localhost/team` is not a PostgreSQL address: its \
                     scheme is postgress://, and EAC Desk reads postgres:// and postgresql:// \
                     addresses; write it as postgres://USER@HOST/DATABASE",
                ),
            ),
            (
                "postgres:/ann:annpw@localhost/team",
                Some("is not a PostgreSQL address: its scheme is not followed by `//`"),
            ),
            (
                "file:///home/ann/eac%20desk.sqlite",
                Some(
                    "a database file is named by its path, not a file:// URL: write \
                     /home/ann/eac desk.sqlite",
                ),
            ),
            (
                "host=/tmp/pg passfile=/home/ann/.pgpass dbname=team",
                Some(
                    "`passfile` is not a setting EAC Desk's PostgreSQL client reads; it reads \
                     host, hostaddr, port, dbname, user, password,",
                ),
            ),
            (
                "user=ann PASSWORD=annpw dbname=team",
                Some("`user=ann PASSWORD=*** dbname=team` is not a PostgreSQL address: `PASSWORD`"),
            ),
            (
                "host=/tmp/pg dbname=team some words here",
                Some("`some` is no setting (key=value)"),
            ),
            (
                "foo=1 bar=2",
                Some("`foo` is not a setting EAC Desk's PostgreSQL client reads"),
            ),
            (
                "host=/tmp sslmode=verify-full",
                Some("invalid value for option `sslmode`"),
            ),
            // TEAM42 7.5: no host (PGHOST is not read), in plain words.
            (
                "dbname=team user=ann",
                Some(
                    "`dbname=team user=ann` names no server: give its host \
                     (postgres://USER@HOST/DATABASE, or host=HOST among settings",
                ),
            ),
            (
                "postgres://ann:annpw@/team",
                Some("not PGHOST, PGPORT, PGUSER or PGDATABASE"),
            ),
        ];
        for (text, problem) in cases {
            assert!(names_server(text), "{text}");
            match problem {
                None => assert_eq!(address_problem(text), None, "{text}"),
                Some(said) => {
                    let message = address_problem(text).expect(text);
                    assert!(message.contains(said), "{text}: {message}");
                    for secret in ["annpw", "Tr1ck", "y@p", "s3cr3t"] {
                        assert!(!message.contains(secret), "{text}: {message}");
                    }
                    // connect refuses it before trying a server.
                    let e = connect(text).err().unwrap().to_string();
                    assert_eq!(e, message);
                }
            }
        }
        // What remains a file's name: a path, one unknown setting alone,
        // a name with `=` inside, settings written with `./` before them.
        for file in [
            "/home/ann/eacs.sqlite",
            "eacs.sqlite",
            "q1=final.sqlite",
            "/data/host=x.sqlite",
            "./host=/tmp/pg dbname=team",
            "./postgress:/ann@localhost/team",
            "reports/Q1 final dbname=x.sqlite",
            "C://Users/ann/eacs.sqlite",
            "host",
            "",
        ] {
            assert!(!names_server(file), "{file}");
        }
    }

    /// The settings `--db` takes are the client's (TEAM42 finding 1: one
    /// list, not two): each reads, and one of libpq's it does not read
    /// is refused by the client too (were it read, this list would lack it).
    #[test]
    fn the_settings_taken_are_the_ones_the_client_reads() {
        let sample = |key: &str| match key {
            "port" => "5433",
            "hostaddr" => "127.0.0.1",
            "sslmode" => "disable",
            "sslnegotiation" => "postgres",
            "channel_binding" => "prefer",
            "target_session_attrs" => "any",
            "load_balance_hosts" => "disable",
            "keepalives" => "1",
            key if key.contains("time") || key.starts_with("keepalives_") => "5",
            _ => "x",
        };
        for key in LIBPQ_SETTINGS {
            let text = format!("host=/tmp {key}={}", sample(key));
            assert!(is_settings(&text), "{text}");
            assert!(text.parse::<postgres::Config>().is_ok(), "{text}");
            assert_eq!(address_problem(&text), None, "{text}");
        }
        for key in ["passfile", "sslrootcert", "sslcert", "sslkey", "service"] {
            assert!(format!("host=/tmp {key}=x")
                .parse::<postgres::Config>()
                .is_err());
        }
    }

    /// One message of PostgreSQL's protocol, as a server sends it.
    fn message(tag: u8, body: &[u8]) -> Vec<u8> {
        let len = u32::try_from(body.len() + 4).unwrap();
        [&[tag][..], &len.to_be_bytes(), body].concat()
    }

    /// A stand-in PostgreSQL server for one connection on 127.0.0.1: it
    /// answers the client's start with `greeting`, then its first message
    /// with `answer` (or drops the connection when there is none), and
    /// returns settings that reach it (as `bob`, no password).
    fn stand_in(greeting: Vec<u8>, answer: Option<Vec<u8>>) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut len = [0u8; 4];
            stream.read_exact(&mut len).unwrap();
            let mut startup = vec![0u8; u32::from_be_bytes(len) as usize - 4];
            stream.read_exact(&mut startup).unwrap();
            stream.write_all(&greeting).unwrap();
            let mut head = [0u8; 5];
            if stream.read_exact(&mut head).is_err() {
                return;
            }
            let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
            let mut body = vec![0u8; len - 4];
            let _ = stream.read_exact(&mut body);
            if let Some(answer) = answer {
                stream.write_all(&answer).unwrap();
                // Until the client goes.
                let _ = stream.read_to_end(&mut Vec::new());
            }
        });
        format!("host=127.0.0.1 port={port} user=bob dbname=eacs sslmode=disable")
    }

    /// The server's refusals and a lost connection are said in plain
    /// words, the server's or the client's own after them: a role that
    /// may not change something (SQLSTATE 42501: an auditor's), a server
    /// asking for a password none was given for, a connection lost in the
    /// middle of a command.
    #[test]
    fn refusals_and_a_lost_connection_say_what_happened_and_what_to_do() {
        let ready = || [message(b'R', &0u32.to_be_bytes()), message(b'Z', b"I")].concat();
        // An auditor's change, refused by the server.
        let refusal = [
            message(
                b'E',
                b"SERROR\0VERROR\0C42501\0Mpermission denied for table import_batches\0\0",
            ),
            message(b'Z', b"I"),
        ]
        .concat();
        let mut client = connect(&stand_in(ready(), Some(refusal))).unwrap();
        let e = client
            .batch_execute("INSERT INTO import_batches DEFAULT VALUES")
            .unwrap_err();
        assert_eq!(
            server_error(e).to_string(),
            "PostgreSQL: your role on this server reads only (or may not change this): nothing \
             was changed. Ask an analyst (eacdesk_analyst) to make the change. The server said: \
             permission denied for table import_batches"
        );
        // What only the owner may do says so.
        let refusal = [
            message(
                b'E',
                b"SERROR\0VERROR\0C42501\0Mmust be owner of table eacs\0\0",
            ),
            message(b'Z', b"I"),
        ]
        .concat();
        let mut client = connect(&stand_in(ready(), Some(refusal))).unwrap();
        let e = client
            .batch_execute("ALTER TABLE eacs DISABLE TRIGGER USER")
            .unwrap_err();
        let text = owner_error(e).to_string();
        assert!(
            text.contains("only the database's owner may do this"),
            "{text}"
        );
        assert!(
            text.ends_with("The server said: must be owner of table eacs"),
            "{text}"
        );

        // The connection lost while committing: the outcome is not known.
        let mut client = connect(&stand_in(ready(), None)).unwrap();
        let e = client.batch_execute("COMMIT").unwrap_err();
        let text = commit_error(e).to_string();
        assert!(
            text.starts_with(
                "PostgreSQL: the connection to the server was lost while the change was being \
                 committed, so it is not known whether it was saved."
            ),
            "{text}"
        );
        assert!(!text.contains("nothing was saved"), "{text}");

        // The connection lost in the middle of a command.
        let mut client = connect(&stand_in(ready(), None)).unwrap();
        let e = client
            .batch_execute("INSERT INTO import_batches DEFAULT VALUES")
            .unwrap_err();
        let text = server_error(e).to_string();
        assert!(
            text.starts_with(
                "PostgreSQL: the connection to the server was lost, so nothing was saved (the \
                 server rolls back a change it did not see committed). Check that the server \
                 runs and can be reached, then run it again. The client said: "
            ),
            "{text}"
        );

        // A password asked for, none given (a cleartext request).
        if std::env::var_os("PGPASSWORD").is_none() {
            let conn = stand_in(message(b'R', &3u32.to_be_bytes()), None);
            let text = connect(&conn).err().unwrap().to_string();
            assert!(
                text.contains("the server asks for a password and none was given")
                    && text.contains("postgres://USER:PASSWORD@HOST/DATABASE")
                    && text.contains("PGPASSWORD"),
                "{text}"
            );
        }
        // Nothing listening: the client's words with their cause.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let text = connect(&format!(
            "host=127.0.0.1 port={port} user=bob sslmode=disable"
        ))
        .err()
        .unwrap()
        .to_string();
        assert!(text.contains("error connecting to server: "), "{text}");
        assert!(text.contains("check the address"), "{text}");
    }

    #[test]
    fn the_server_steps_reach_sqlites_version() {
        assert_eq!(
            newest_version() as usize,
            crate::migrate::supported_version()
        );
    }
}
