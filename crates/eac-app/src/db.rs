//! Where the database lives, and opening it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use eac_store::{NewDatabase, Store, StoreWatch};

use crate::AppError;

/// Environment variable naming the database file; overrides the default.
pub const DB_ENV: &str = "EACDESK_DB";

const FILE_NAME: &str = "eacdesk.sqlite";

/// The database the CLI and the desktop app share: `$EACDESK_DB` when set,
/// else `eacdesk.sqlite` in the platform's data folder (created when
/// missing), e.g. `~/.local/share/eacdesk/` on Linux.
pub fn default_db_path() -> PathBuf {
    let data_dir = directories::ProjectDirs::from("org", "EAC Desk", "eacdesk")
        .map(|dirs| dirs.data_dir().to_owned());
    let path = resolve_db_path(std::env::var_os(DB_ENV), data_dir);
    if is_server(&path) {
        return path;
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // A failure shows up, with the path, when the store opens the file.
        let _ = std::fs::create_dir_all(parent);
    }
    path
}

/// The override when set and non-empty, else the data folder's file, else
/// (no home folder at all) the current folder's.
fn resolve_db_path(env_value: Option<OsString>, data_dir: Option<PathBuf>) -> PathBuf {
    match env_value.filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => data_dir.unwrap_or_default().join(FILE_NAME),
    }
}

/// Opens (creating when missing, with its folder) and migrates a database;
/// the audit records it writes carry the display name of the user's
/// settings ([`crate::audit_name_setting`]).
///
/// A PostgreSQL address (`postgres://USER@HOST/DATABASE`, see
/// [`is_server`]) opens that server database instead (team mode): what is
/// not ported there yet is refused with a message, never run elsewhere.
pub fn open_store(path: &Path) -> Result<Store, AppError> {
    let mut store = match server_address(path) {
        Some(url) => Store::open_server(url)?,
        None if read_only_here(path) => Store::open_read_only(path)?,
        None => Store::open(path)?,
    };
    store.set_audit_name(crate::audit_name_setting().as_deref());
    Ok(store)
}

/// [`open_store`] of the database the app has chosen already, opened
/// again (each long operation has its own connection): a file deleted or
/// emptied since is refused (`io`, `details.database` `missing` or
/// `emptied`, decision 403) and nothing is made in its place
/// ([`Store::open_existing`]). Making a database stays [`open_store`]'s,
/// for a file the user names.
pub fn reopen_store(path: &Path) -> Result<Store, AppError> {
    let mut store = match server_address(path) {
        Some(url) => Store::open_server(url)?,
        None if read_only_here(path) => Store::open_read_only(path)?,
        None => Store::open_existing(path)?,
    };
    store.set_audit_name(crate::audit_name_setting().as_deref());
    Ok(store)
}

/// Whether the database file at `path` is read as it stands (decision
/// 261): this process may not write it or its folder, or its permission
/// bits protect it (`chmod 444`), whoever runs the program, root too, as
/// the CLI judges it ([`eac_store::atomic::database_writable`]).
fn read_only_here(path: &Path) -> bool {
    path.is_file() && !eac_store::atomic::database_writable(path)
}

/// Gives a database file's `-wal`/`-shm` that an earlier read-only opening
/// left unwritable to this user the database's permissions again (decision
/// 289), before it is opened for a session of work (the app's window; the
/// CLI's writing commands do it in their check). One someone else owns is
/// left: a write is then refused by SQLite, naming the -wal/-shm.
pub fn mend_companions(path: &Path) {
    if server_address(path).is_none() {
        let _ = eac_store::companions::mend(path);
    }
}

/// Starts a new database for `path` (which must not exist, or be an empty
/// file: decision 55), built hidden beside it and renamed into place (or
/// copied into the empty file) by [`NewDatabase::finish`] (an import into
/// a new file: decision 212); audit records as [`open_store`]'s. `None`
/// when a database is there after all (another command made it since the
/// caller looked): open it instead.
pub fn new_store(path: &Path) -> Result<Option<NewDatabase>, AppError> {
    let mut new = match NewDatabase::create_or_fill(path) {
        Ok(new) => new,
        Err(eac_store::StoreError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    new.store()
        .set_audit_name(crate::audit_name_setting().as_deref());
    Ok(Some(new))
}

/// Opens a database for reading only (listing, showing, the audit log,
/// exporting): the file is neither created nor changed (see
/// [`Store::open_read`]).
pub fn open_store_read(path: &Path) -> Result<Store, AppError> {
    match server_address(path) {
        Some(url) => Ok(Store::open_server(url)?),
        None => Ok(Store::open_read(path)?),
    }
}

/// `address` (`postgres://USER@HOST/DATABASE`, or libpq settings
/// `host=… user=… dbname=…`) with `password` in it, for this process only
/// (the app keeps it in memory; nothing writes it): as given when
/// `password` is empty or the address holds one already.
pub fn with_password(address: &str, password: &str) -> Result<String, AppError> {
    let address = address.trim();
    if !eac_store::server::names_server(address) {
        return Err(AppError::invalid_input(format!(
            "`{}` is not a PostgreSQL address; write it as postgres://USER@HOST/DATABASE",
            eac_store::server::without_password(address)
        )));
    }
    // Text meant as an address that is none (a scheme typo, an unknown
    // setting) is refused here, before a password is added to it.
    if let Some(problem) = eac_store::server::address_problem(address) {
        return Err(AppError::invalid_input(problem));
    }
    if password.is_empty() || !eac_store::server::password_spans(address).is_empty() {
        return Ok(address.to_owned());
    }
    if !eac_store::server::is_address(address) {
        // A setting of its own, quoted as libpq reads a quoted value.
        let quoted = password.replace('\\', "\\\\").replace('\'', "\\'");
        return Ok(format!("{address} password='{quoted}'"));
    }
    let Some(user) = eac_store::server::user_part(address) else {
        return Err(AppError::invalid_input(
            "name the user in the address (postgres://USER@HOST/DATABASE) to give a password",
        ));
    };
    if user.password.is_some() {
        return Ok(address.to_owned());
    }
    let mut encoded = String::new();
    for b in password.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(format!(
        "{}:{encoded}{}",
        &address[..user.at],
        &address[user.at..]
    ))
}

/// `address` without the passwords it may hold (in its user part or as
/// `password=` in its query): what the app remembers and shows of a server
/// database.
pub fn without_any_password(address: &str) -> String {
    eac_store::server::without_any_password(address)
}

/// Whether `path` (from `--db`, `EACDESK_DB` or the app's settings) is the
/// address of a database on a PostgreSQL server, not a file: a
/// `postgres://` address or libpq settings (`host=… dbname=…`), the forms
/// `eacdesk server init` and `copy` take, or text meant as one that is
/// none (`postgress://…`, a password holding an unquoted space), which
/// opening refuses: never a file of that name (decision 312).
pub fn is_server(path: &Path) -> bool {
    server_address(path).is_some()
}

fn server_address(path: &Path) -> Option<&str> {
    path.to_str()
        .filter(|text| eac_store::server::names_server(text))
}

/// The database as a message names it: a file's path, or a server
/// database's address with every password in it masked (`***`).
pub fn db_display(path: &Path) -> String {
    match server_address(path) {
        Some(address) => eac_store::server::without_password(address),
        None => path.display().to_string(),
    }
}

/// Opens a database only to notice other processes' commits (the desktop
/// app's change watcher): read-only, never created, never migrated (see
/// [`StoreWatch`]).
pub fn open_watch(path: &Path) -> Result<StoreWatch, AppError> {
    Ok(StoreWatch::open(path)?)
}

/// Team mode: copies the whole store into the empty server database `url`
/// (set up by [`server_init`]), verified table by table; `each` hears of
/// every table copied. A cancel through `progress` stops it within a few
/// thousand rows, with nothing copied (`cancelled`).
pub fn copy_to_server(
    store: &Store,
    url: &str,
    each: &mut dyn FnMut(&eac_store::server_copy::TableCopied),
    progress: &dyn eac_store::Progress,
) -> Result<eac_store::server_copy::CopyReport, AppError> {
    Ok(store.copy_to_server_cancellable(url, each, progress)?)
}

/// Team mode: copies the server database `url` whole into the new file
/// `dest`, verified table by table.
pub fn copy_from_server(
    url: &str,
    dest: &Path,
    each: &mut dyn FnMut(&eac_store::server_copy::TableCopied),
) -> Result<eac_store::server_copy::CopyReport, AppError> {
    eac_store::server_copy::copy_from_server(url, dest, each).map_err(|e| {
        // A read: no change was rolled back; what matters is the file.
        let Some(client) = e.lost_connection() else {
            return AppError::from(e);
        };
        let message = format!(
            "The connection to the server was lost while copying it, so no file was made at \
             {}. Check that the server runs and can be reached, then copy again. {client}.",
            dest.display()
        );
        AppError::from(e).with_message(message)
    })
}

/// Copies the database file `from` whole into the new file `dest` (SQLite's
/// own consistent copy, the write-ahead log included), every table
/// compared before the copy is put in place.
pub fn copy_file(
    from: &Path,
    dest: &Path,
    each: &mut dyn FnMut(&eac_store::server_copy::TableCopied),
) -> Result<eac_store::server_copy::CopyReport, AppError> {
    Ok(eac_store::server_copy::copy_file(from, dest, each)?)
}

/// How many tables a copy to or from a server goes through (its progress
/// counts them).
pub fn copied_table_count() -> usize {
    eac_store::server_copy::TABLES.len()
}

/// Team mode: copies the server database `from` into the empty server
/// database `to` (set up by [`server_init`]) through a file in the
/// system's temporary folder, removed at the end however it ends: each
/// step reads every table back and compares it, as the copies to and from
/// a file do; `each` hears of every table written to `to`.
pub fn copy_between_servers(
    from: &str,
    to: &str,
    each: &mut dyn FnMut(&eac_store::server_copy::TableCopied),
) -> Result<eac_store::server_copy::CopyReport, AppError> {
    let dir = tempfile::Builder::new()
        .prefix("eacdesk-copy-")
        .tempdir()
        .map_err(|e| {
            AppError::from(eac_store::StoreError::Io {
                path: std::env::temp_dir(),
                source: e,
            })
        })?;
    let file = dir.path().join("copy.sqlite");
    Ok(eac_store::server_copy::copy_between_servers(
        from, to, &file, each,
    )?)
}

/// Team mode: makes the PostgreSQL database `url` names ready for EAC Desk
/// (its schema and the analyst and auditor roles; `docs/team.md`).
pub fn server_init(url: &str) -> Result<eac_store::server::InitReport, AppError> {
    Ok(eac_store::server::init(url)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_the_data_folder() {
        let data = Some(PathBuf::from("/home/ana/.local/share/eacdesk"));
        assert_eq!(
            resolve_db_path(Some("/tmp/x.sqlite".into()), data.clone()),
            PathBuf::from("/tmp/x.sqlite")
        );
        assert_eq!(
            resolve_db_path(Some("".into()), data.clone()),
            PathBuf::from("/home/ana/.local/share/eacdesk/eacdesk.sqlite")
        );
        assert_eq!(
            resolve_db_path(None, data),
            PathBuf::from("/home/ana/.local/share/eacdesk/eacdesk.sqlite")
        );
        assert_eq!(resolve_db_path(None, None), PathBuf::from("eacdesk.sqlite"));
    }

    #[test]
    fn default_path_is_a_sqlite_file() {
        assert!(default_db_path().to_string_lossy().ends_with(".sqlite"));
    }

    #[test]
    fn open_creates_missing_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/eacdesk.sqlite");
        let store = open_store(&path).unwrap();
        assert_eq!(store.info().unwrap().eac_count, 0);
        assert!(path.exists());
    }

    #[test]
    fn a_password_goes_into_the_address_encoded_and_only_there() {
        assert_eq!(
            with_password("postgres://ann@db.example.org/eacs", "p@ss w:rd/1").unwrap(),
            "postgres://ann:p%40ss%20w%3Ard%2F1@db.example.org/eacs"
        );
        assert_eq!(
            with_password("postgres://ann@db/eacs", "").unwrap(),
            "postgres://ann@db/eacs"
        );
        assert_eq!(
            with_password("postgres://ann:old@db/eacs", "new").unwrap(),
            "postgres://ann:old@db/eacs"
        );
        assert!(with_password("postgres://db/eacs", "x").is_err());
        assert!(with_password("/home/ann/eacs.sqlite", "x").is_err());
        let url = with_password("postgres://ann@db/eacs", "s3cret").unwrap();
        assert_eq!(without_any_password(&url), "postgres://ann@db/eacs");
        assert_eq!(
            without_any_password("postgres://ann@/eacs?host=/tmp&password=s3cret&port=5433"),
            "postgres://ann@/eacs?host=/tmp&port=5433"
        );
        assert_eq!(
            eac_store::server::without_password(&url),
            "postgres://ann:***@db/eacs"
        );
        // libpq settings: a quoted setting of its own, libpq's escapes.
        assert_eq!(
            with_password("host=/tmp dbname=eacs user=ann", "it's a\\b").unwrap(),
            "host=/tmp dbname=eacs user=ann password='it\\'s a\\\\b'"
        );
        assert_eq!(
            with_password("host=/tmp dbname=eacs password=old", "new").unwrap(),
            "host=/tmp dbname=eacs password=old"
        );
        assert_eq!(
            with_password("postgres://ann@db/eacs?password=old", "new").unwrap(),
            "postgres://ann@db/eacs?password=old"
        );
    }

    /// Tester's report 34, bug 2: `--db`/`EACDESK_DB` given libpq settings
    /// (as `server init` and `copy` take them) named a local file of that
    /// name, which a write then created, password and all.
    #[test]
    fn settings_name_a_server_database_never_a_file() {
        let settings = Path::new("host=/tmp/pg port=5433 user=ann password=annpw dbname=team");
        assert!(is_server(settings));
        assert!(is_server(Path::new("postgresql://ann@db/team")));
        assert!(!is_server(Path::new("q1=final.sqlite")));
        assert!(!is_server(Path::new("/home/ann/eacs.sqlite")));
        let dir = tempfile::tempdir().unwrap();
        let here = std::env::current_dir().unwrap();
        // Opening it tries the server (none there) and makes no file.
        let bad = format!(
            "host={} port=1 user=ann password=annpw dbname=team",
            dir.path().display()
        );
        let e = open_store(Path::new(&bad)).unwrap_err();
        assert!(e.message.contains("could not connect"), "{}", e.message);
        assert!(!e.message.contains("annpw"), "{}", e.message);
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
        assert!(!here.join(&bad).exists());
        let e = open_store_read(Path::new(&bad)).unwrap_err();
        assert!(e.message.contains("could not connect"), "{}", e.message);
    }

    /// TEAM42 finding 1: text meant as a server's address that the client
    /// cannot read is a server's still (opening it is refused, never a
    /// file), and the app's Open database refuses it before adding a
    /// password to it, the password it holds masked.
    #[test]
    fn text_meant_as_a_server_is_refused_not_made_a_file() {
        for (text, said) in [
            (
                "host=/tmp/pg user=dan password=Tr1ck y@p dbname=team",
                "the password holds a space",
            ),
            (
                "postgress://ann:annpw@localhost/team",
                "its scheme is postgress://",
            ),
            ("host=/tmp/pg dbname=team extra", "`extra` is no setting"),
        ] {
            assert!(is_server(Path::new(text)), "{text}");
            assert!(!db_display(Path::new(text)).contains("annpw"), "{text}");
            let e = with_password(text, "pw").unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidInput, "{text}");
            assert!(
                e.message.contains("is not a PostgreSQL address: "),
                "{}",
                e.message
            );
            assert!(e.message.contains(said), "{}", e.message);
            for secret in ["annpw", "Tr1ck", "y@p"] {
                assert!(!e.message.contains(secret), "{}", e.message);
            }
        }
        // Settings the client reads that EAC Desk did not know, and a
        // scheme in capitals, take a password as any address does.
        assert_eq!(
            with_password("host=/tmp dbname=team user=ann keepalives=1", "pw").unwrap(),
            "host=/tmp dbname=team user=ann keepalives=1 password='pw'"
        );
        assert_eq!(
            with_password("POSTGRES://ann@db/team", "pw").unwrap(),
            "POSTGRES://ann:pw@db/team"
        );
    }

    /// Tester's report 34, bug 1: messages name a server database with its
    /// password masked, in every form the address can hold it.
    #[test]
    fn a_database_is_shown_with_its_passwords_masked() {
        for (given, shown) in [
            (
                "postgres://ann:annpw@%2Ftmp/team",
                "postgres://ann:***@%2Ftmp/team",
            ),
            (
                "postgres://ann@%2Ftmp/team?password=qpw",
                "postgres://ann@%2Ftmp/team?password=***",
            ),
            (
                "host=/tmp user=ann password='a b' dbname=team",
                "host=/tmp user=ann password=*** dbname=team",
            ),
            ("/home/ann/eacs.sqlite", "/home/ann/eacs.sqlite"),
        ] {
            assert_eq!(db_display(Path::new(given)), shown, "{given}");
        }
    }
}
