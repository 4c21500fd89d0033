use std::path::PathBuf;

use eac_model::Violation;
use serde::{Deserialize, Serialize};

/// What kind of failure an error is: the `code` that crosses IPC and that
/// scripts and the UI decide on (never the message). The names on the wire
/// are the snake_case strings of the variants; the UI has a text for every
/// one (its `Record<ErrorCode, …>` fails to compile when one is added).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The data broke a rule of digest §d (`details.violations` lists
    /// them); nothing was written.
    Validation,
    /// No EAC, import or entry with that id (`details.cds_eac_id`,
    /// `cds_eac_ids` or `batch_id`).
    NotFound,
    /// An argument is not acceptable (a blank reason, an unknown field).
    InvalidInput,
    /// A file or folder could not be read or written (`details.path`,
    /// `details.reason` for a full disk or a size limit).
    Io,
    /// SQLite failed, the database is busy (`details.busy`) or damaged.
    Database,
    /// The person cancelled; nothing was written.
    Cancelled,
    /// The database was written by a newer EAC Desk (`details.found`,
    /// `details.supported`).
    NewerDatabase,
    /// An undo would overwrite later changes (`details.cds_eac_ids`).
    Conflict,
    /// A bug in EAC Desk itself (the desktop shell's lost worker or lock).
    Internal,
    /// A registry document could not be read in its format (`details.file`,
    /// `details.place`, `details.format`); nothing from it was imported.
    Unreadable,
    /// The operation would change EACs inside a closed reporting period
    /// (`details.cds_eac_ids`, `details.period_ids`); nothing was changed.
    Frozen,
}

impl ErrorCode {
    /// Every code, in declaration order (tests and docs list them).
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Validation,
        ErrorCode::NotFound,
        ErrorCode::InvalidInput,
        ErrorCode::Io,
        ErrorCode::Database,
        ErrorCode::Cancelled,
        ErrorCode::NewerDatabase,
        ErrorCode::Conflict,
        ErrorCode::Internal,
        ErrorCode::Unreadable,
        ErrorCode::Frozen,
    ];

    /// The wire name (`"not_found"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Io => "io",
            ErrorCode::Database => "database",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::NewerDatabase => "newer_database",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Internal => "internal",
            ErrorCode::Unreadable => "unreadable",
            ErrorCode::Frozen => "frozen",
        }
    }

    /// The exit code of `eacdesk` for a command that failed with this
    /// code: 1 when the data broke a rule, a document is not readable
    /// as its format or the EACs are in a closed period (nothing was
    /// written), 2 for usage, I/O and every other failure. 0 is success,
    /// never an error.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorCode::Validation | ErrorCode::Unreadable | ErrorCode::Frozen => 1,
            ErrorCode::NotFound
            | ErrorCode::InvalidInput
            | ErrorCode::Io
            | ErrorCode::Database
            | ErrorCode::Cancelled
            | ErrorCode::NewerDatabase
            | ErrorCode::Conflict
            | ErrorCode::Internal => 2,
        }
    }
}

/// `code == "not_found"`: the wire name, for tests and scripts.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the store can refuse or fail at. `code()` is what crosses IPC.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data broke rules of digest §d; nothing was written.
    #[error("{file}: {count} rule violation(s); nothing was written", count = violations.len())]
    Rules {
        file: String,
        violations: Vec<Violation>,
    },
    #[error("no EAC with id `{0}`")]
    NotFound(String),
    /// A number the person typed breaks the one rule for amounts (digest
    /// rule 6, decision 37): bad data, like a rule violation of a file.
    #[error("{0}")]
    InvalidNumber(String),
    #[error("{0}")]
    InvalidInput(String),
    /// A file `refdata import` was given that is in none of the
    /// reference-data formats: a document EAC Desk does not read there,
    /// bad data as such a file given to `import` is (`unreadable`, exit 1;
    /// decision 96). Nothing was imported from it.
    #[error(
        "{}: not a reference-data file (expected a CDS accounts listing {{\"accounts\": […]}}, a \
         service contracts listing {{\"service_contracts\": […]}}, or a programs list as CSV \
         with a `program_number` column or JSON)",
        .path.display()
    )]
    NotReferenceData { path: PathBuf },
    /// A filter no query is asked ([`crate::check_filter`]): each shell
    /// says it with its own names for the filter's fields (the CLI's
    /// options, the app's filter bar); nothing was done.
    #[error("{0}")]
    Filter(FilterProblem),
    #[error("the database {path} was written by a newer version of EAC Desk (schema {found}, this version knows up to {supported}); update EAC Desk to open it")]
    NewerDatabase {
        path: PathBuf,
        found: usize,
        supported: usize,
    },
    /// `user_version` holds a value EAC Desk never writes (negative).
    #[error("the database {path} has schema version {found}, which no version of EAC Desk writes: another program changed it or it is not an EAC Desk database; open another file or restore it from a backup")]
    ForeignSchema { path: PathBuf, found: i64 },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Another connection (a second window, an `eacdesk` command) kept the
    /// database file `path` locked for longer than the busy timeout;
    /// nothing was changed. SQLite's busy failure said of its file
    /// ([`StoreError::busy_at`]).
    #[error("the database {} is busy: another EAC Desk window or an eacdesk command is still writing to it", .path.display())]
    Busy { path: PathBuf },
    /// A write to the database file `path` was refused (rolled back,
    /// nothing changed) for want of room: its disk, or the temporary
    /// folder its statement journals and sorts use, is full, or
    /// (`size_limit`) the file reached the file size limit set for this
    /// program (`ulimit -f`). SQLite's failure said of its file
    /// ([`StoreError::busy_at`]): its own words name no file, and the
    /// limit it calls a "disk I/O error".
    #[error("the database {} could not grow: {}", .path.display(), if *.size_limit { "the file size limit (ulimit -f) was reached" } else { "the disk is full" })]
    DiskFull { path: PathBuf, size_limit: bool },
    /// A schema upgrade failed (rolled back): the migration file and
    /// SQLite's message, never the whole SQL.
    #[error("upgrading the database with migration {file} failed: {message}")]
    Migration { file: String, message: String },
    /// These ids are not in the database (nothing was changed).
    #[error("no EAC with id {}", .0.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "))]
    UnknownIds(Vec<String>),
    /// There is no import batch with this number.
    #[error("there is no import with number {0}")]
    NoBatch(i64),
    /// The operation would overwrite later changes to these EACs; nothing
    /// was changed. `message` says what happened and what to do.
    #[error("{message}")]
    Conflict { message: String, ids: Vec<String> },
    /// An edit made on a version of one EAC that has had a later version
    /// since (`conflict`, as [`StoreError::Conflict`]); nothing was saved.
    /// Said in the app's words (its detail pane is reloaded); each shell
    /// may say [`ChangedSince::head`] with steps of its own instead. Also
    /// an edit of an EAC removed since ([`ChangedSince::removed`]).
    #[error("{}", .0.in_app_words())]
    ChangedSince(ChangedSince),
    /// A change not confirmed for more than `at_most` EACs found `found`
    /// in its own write ([`crate::Confirmed::AtMost`]): the count that
    /// decides is the one that would have been written, not one taken
    /// before; nothing was changed.
    #[error(
        "this change would take {found} EACs, more than the {at_most} it may take without \
         confirmation; nothing was changed"
    )]
    Unconfirmed { found: usize, at_most: usize },
    /// A claim planned before a change was recorded
    /// (`NewClaim::planned_at`; `conflict`, as [`StoreError::Conflict`]):
    /// planning it again from what is stored now may succeed, where another
    /// conflict (a value over-allocated) would not. Nothing was changed.
    #[error("{}", CHANGED_WHILE_PLANNED)]
    ChangedWhilePlanned,
    #[error("cancelled; nothing was written")]
    Cancelled,
    /// The operation would add, change or remove these EACs, which lie in
    /// the closed reporting periods `periods`; nothing was changed.
    /// `message` names them, the periods and how to reopen them.
    #[error("{message}")]
    Frozen {
        message: String,
        ids: Vec<String>,
        periods: Vec<i64>,
    },
    /// A stored document's bytes no longer have the SHA-256 it was stored
    /// under (`sha256`; `found`: theirs): another program changed it in
    /// the database, so it is not handed out as the original.
    #[error("the stored document {file_name} does not match its SHA-256 {sha256} (its bytes now have {found})")]
    DocumentAltered {
        file_name: String,
        sha256: String,
        found: String,
    },
    /// There is no closed period with this number.
    #[error("there is no closed period number {0}")]
    NoPeriod(i64),
    /// There is no recorded claim with this number.
    #[error("there is no claim number {0}")]
    NoClaim(i64),
    /// A claim would count consumption a recorded claim counts already:
    /// each hour of consumption is claimed once (decision 272). The stored
    /// data breaks a rule of claims, as `claims check` finds it (exit 1
    /// there and in `claims create`); nothing was written. `message` names
    /// the rows and the claim and says what to do.
    #[error("{0}")]
    ClaimedConsumption(String),
    /// The beneficiary has no stored consumption (deleting it).
    #[error("there is no consumption stored for {beneficiary_type} `{beneficiary}`")]
    NoConsumption {
        beneficiary_type: String,
        beneficiary: String,
    },
    /// Reference-data ids of type `kind` that are not stored (a removal
    /// naming them removed nothing), as given.
    #[error("the {kind} reference data holds no {}", refdata_ids(.ids))]
    NoRefdata { kind: String, ids: Vec<String> },
    /// EACs selected to be exported (by id) that are no longer stored
    /// (deleted since they were selected), at most five; nothing was
    /// exported.
    #[error(
        "the selected {} no longer in the database (deleted since {} selected?)",
        selected_ids(.ids),
        if .ids.len() == 1 { "it was" } else { "they were" }
    )]
    SelectedGone { ids: Vec<String> },
    /// A value an allocation names (`position`, counted from 1) that the
    /// stored EAC does not hold (it holds `values`); nothing was changed.
    #[error(
        "EAC `{}` has no value {position} (it holds {})",
        eac_model::quote(.cds_eac_id),
        match .values { 1 => "1 value".to_owned(), n => format!("{n} values") }
    )]
    NoValue {
        cds_eac_id: String,
        position: u32,
        values: u32,
    },
    /// An SQLite file that holds another program's database
    /// ([`crate::migrate::refuse_other_program`]): `entries` (type, name)
    /// are its schema entries no version of EAC Desk's schema holds,
    /// tables first. Nothing was written to it.
    #[error(
        "{} is an SQLite database of another program (it holds {}); EAC Desk keeps its data in a \
         database of its own and changes nothing in it. Choose another file, or a new name to \
         start an EAC Desk database",
        .path.display(),
        other_entries(.entries)
    )]
    OtherProgram {
        path: PathBuf,
        entries: Vec<(String, String)>,
    },
    /// The database file a program had chosen is not there to open again
    /// ([`crate::Store::open_existing`]): deleted or moved, or emptied to 0
    /// bytes (`emptied`) by another program. Nothing was read or written,
    /// and no database was made in its place.
    #[error(
        "the database {} {}; nothing was read or written, and no new database was made {}",
        .path.display(),
        if *.emptied { "is empty now (0 bytes): another program emptied it" } else { "is no longer there: it was deleted or moved" },
        if *.emptied { "in it" } else { "in its place" }
    )]
    DatabaseGone { path: PathBuf, emptied: bool },
    /// A PostgreSQL server refused or failed (team mode): `message` says
    /// what, in the server's words, and what to do.
    #[error("PostgreSQL: {message}")]
    Server { message: String },
    /// The operation does not run on a database on a PostgreSQL server yet
    /// (issue 17: the store's operations move to the server one by one).
    #[error(
        "{operation} does not work on a database on a PostgreSQL server yet; browse, show and \
         export it there, or copy it to a file with `eacdesk copy --from URL --to FILE` and \
         work on the file"
    )]
    NotOnServer { operation: String },
}

/// Reference-data ids as a message names them: the first ten, back-quoted
/// (a long one cut, `eac_model::quote`), and how many more.
pub(crate) fn refdata_ids(ids: &[String]) -> String {
    let quoted = ids.iter().map(|id| format!("`{}`", eac_model::quote(id)));
    eac_model::words::first_named(quoted, 10, ids.len())
}

/// Selected EACs as [`StoreError::SelectedGone`] names them: "EAC `a`
/// is", "EACs `a`, `b` are".
fn selected_ids(ids: &[String]) -> String {
    let shown: Vec<String> = ids
        .iter()
        .map(|id| format!("`{}`", eac_model::quote(id)))
        .collect();
    match ids.len() {
        1 => format!("EAC {} is", shown.join(", ")),
        _ => format!("EACs {} are", shown.join(", ")),
    }
}

/// The schema entries of another program's database as its refusal names
/// them: "tables EAC Desk does not use: `a`, `b`, view `c`" (the first
/// five, then how many more).
fn other_entries(entries: &[(String, String)]) -> String {
    const SHOWN: usize = 5;
    let tables = entries.iter().filter(|(kind, _)| kind == "table").count();
    let what = match (tables, entries.first().map(|(kind, _)| kind.as_str())) {
        (0, Some("index")) if entries.len() == 1 => "an index",
        (0, Some(kind)) if entries.len() == 1 => match kind {
            "view" => "a view",
            _ => "a trigger",
        },
        (0, _) => "views, indexes or triggers",
        (1, _) if entries.len() == 1 => "a table",
        _ => "tables",
    };
    let names = entries.iter().map(|(kind, name)| {
        let name = eac_model::quote(name);
        match kind.as_str() {
            "table" => format!("`{name}`"),
            kind => format!("{kind} `{name}`"),
        }
    });
    let names = eac_model::words::first_named(names, SHOWN, entries.len());
    format!("{what} EAC Desk does not use: {names}")
}

/// What a change says that met another desk's change of the same EACs on a
/// server and was rolled back whole (PostgreSQL broke a deadlock or a
/// serialization failure by ending it, or an EAC it had found was gone):
/// running it again works, against what the other desk saved.
pub(crate) const RACED: &str =
    "Another desk changed the same EACs at the same moment; nothing was changed. Run it again.";

/// The refusal (`conflict`) of a claim planned before a change was
/// recorded (`NewClaim::planned_at`): planning it again may succeed,
/// where another conflict (a value over-allocated) would not.
const CHANGED_WHILE_PLANNED: &str = "The database changed while the claim was being planned \
    (another desk or program recorded a change); nothing was changed. Record the claim again: it \
    is planned from what is stored now.";

impl StoreError {
    /// Whether this refuses a claim planned before another change was
    /// recorded ([`StoreError::ChangedWhilePlanned`]): planning it again
    /// may succeed, where another conflict (a value over-allocated, or one
    /// that only says the same words) would not.
    pub fn is_changed_while_planned(&self) -> bool {
        matches!(self, StoreError::ChangedWhilePlanned)
    }

    /// A change that met another desk's change of the same EACs ([`RACED`]):
    /// a conflict naming no EAC.
    pub(crate) fn raced() -> StoreError {
        StoreError::Conflict {
            message: RACED.to_owned(),
            ids: Vec::new(),
        }
    }

    /// The connection to the server was lost (the server stopped, the
    /// connection was cut) before anything was committed: what the client
    /// said of it ("The client said: …"), so a read-only job (an export,
    /// a copy from a server into a file) says what became of its file
    /// instead of a change rolled back (TEAM42 finding 7.1).
    pub fn lost_connection(&self) -> Option<&str> {
        match self {
            StoreError::Server { message } => crate::server::lost_connection_words(message),
            _ => None,
        }
    }

    /// Another connection (a second window, an `eacdesk` command) kept the
    /// database locked for longer than the busy timeout; nothing was changed.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
            || matches!(
                self,
                StoreError::Sqlite(e) if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                )
            )
    }

    /// This error, a busy one said of the database file `path` it met
    /// ([`StoreError::Busy`]): SQLite's own words name no file, and a
    /// script working on two databases could not tell which was busy. A
    /// full disk, or the file size limit, met writing it is said of it the
    /// same way ([`StoreError::DiskFull`]).
    pub fn busy_at(self, path: &std::path::Path) -> StoreError {
        match self {
            StoreError::Sqlite(_) if self.is_busy() => StoreError::Busy {
                path: path.to_owned(),
            },
            StoreError::Sqlite(_) if self.is_disk_full() => StoreError::DiskFull {
                path: path.to_owned(),
                size_limit: false,
            },
            StoreError::Sqlite(ref e) if at_size_limit(e) => StoreError::DiskFull {
                path: path.to_owned(),
                size_limit: true,
            },
            other => other,
        }
    }

    /// SQLite's "database or disk is full": the database's disk, or the
    /// temporary folder its statement journals and sorts use, had no room;
    /// the statement was rolled back. Also its failure to make or grow the
    /// `-shm` index beside a database (`SQLITE_IOERR_SHMSIZE`), which on a
    /// disk with no room left is every command's first step, reads
    /// included: SQLite calls it a "disk I/O error", which said nothing
    /// of the cure and advised a backup.
    pub fn is_disk_full(&self) -> bool {
        /// `SQLITE_IOERR_SHMSIZE`: `SQLITE_IOERR | (19 << 8)`.
        const IOERR_SHMSIZE: i32 = 10 | (19 << 8);
        matches!(self, StoreError::DiskFull { .. })
            || matches!(
                self,
                StoreError::Sqlite(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
                    || e.sqlite_error().is_some_and(|f| f.extended_code == IOERR_SHMSIZE)
            )
    }

    /// Stable code for IPC and scripts.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Rules { .. }
            | StoreError::InvalidNumber(_)
            | StoreError::ClaimedConsumption(_) => ErrorCode::Validation,
            StoreError::NotFound(_)
            | StoreError::UnknownIds(_)
            | StoreError::NoBatch(_)
            | StoreError::NoPeriod(_)
            | StoreError::NoClaim(_)
            | StoreError::NoConsumption { .. }
            | StoreError::NoRefdata { .. } => ErrorCode::NotFound,
            StoreError::Frozen { .. } => ErrorCode::Frozen,
            // The data, not the invocation, stands in the way (exit 1).
            StoreError::DocumentAltered { .. } | StoreError::NotReferenceData { .. } => {
                ErrorCode::Unreadable
            }
            StoreError::Conflict { .. }
            | StoreError::ChangedSince(_)
            | StoreError::ChangedWhilePlanned => ErrorCode::Conflict,
            StoreError::ForeignSchema { .. } => ErrorCode::Database,
            StoreError::InvalidInput(_)
            | StoreError::Filter(_)
            | StoreError::Unconfirmed { .. }
            | StoreError::NotOnServer { .. } => ErrorCode::InvalidInput,
            StoreError::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            StoreError::Io { .. }
            | StoreError::DatabaseGone { .. }
            | StoreError::DiskFull { .. } => ErrorCode::Io,
            StoreError::Sqlite(_)
            | StoreError::Busy { .. }
            | StoreError::Migration { .. }
            | StoreError::Server { .. } => ErrorCode::Database,
            StoreError::SelectedGone { .. } | StoreError::NoValue { .. } => ErrorCode::NotFound,
            // The person named the wrong file: usage, as a folder given
            // as --db is.
            StoreError::OtherProgram { .. } => ErrorCode::InvalidInput,
            StoreError::Cancelled => ErrorCode::Cancelled,
        }
    }
}

/// An edit refused because the EAC changed after the version it was made
/// on ([`StoreError::ChangedSince`]): what each shell needs to say it in
/// its own words, the app's detail pane or the command line's
/// `--if-version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedSince {
    /// The EAC as the detail pane's header names it: its certificate
    /// number with the id beside it (`AAAZZZ-123 (id e-01)`), or the id.
    pub named: String,
    /// Its id (`cds_eac_id`), as given.
    pub cds_eac_id: String,
    /// The version the edit was made on.
    pub seen: i64,
    /// The last change recorded of it, in words ("its beneficiaries were
    /// changed by Ann (ann) at 2026-12-03 01:52:36 UTC"; of a removal, with
    /// its reason: "it was deleted by ann at … UTC: “duplicate”").
    pub change: String,
    /// That change removed the EAC (another desk or window deleted it, or
    /// undid the import that added it): it is no longer stored, so there is
    /// nothing to reload or to edit again.
    pub removed: bool,
}

impl ChangedSince {
    /// What happened and that nothing was saved, `happened` said of the
    /// EAC ("was changed after you opened it"): the refusal before the
    /// shell's steps ("EAC e-01 was changed after you opened it (its
    /// beneficiaries were changed by …); nothing was saved.").
    pub fn head(&self, happened: &str) -> String {
        format!(
            "EAC {} {happened} ({}); nothing was saved.",
            self.named, self.change
        )
    }

    /// The whole refusal in the app's words (the person opened the EAC in
    /// its detail pane).
    pub fn in_app_words(&self) -> String {
        if self.removed {
            let head = self.head(crate::edit::REMOVED_SINCE_OPENED);
            format!("{head} {}", crate::edit::REMOVED_ADVICE)
        } else {
            let head = self.head(crate::edit::CHANGED_SINCE_OPENED);
            format!("{head} {}", crate::edit::RELOAD_ADVICE)
        }
    }
}

/// Why a filter is refused before any query: every caller (the CLI, the
/// app, the store's own operations) meets the same refusal, which each
/// shell words with its own names for the fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterProblem {
    /// The search text (trimmed) is `chars` characters, more than
    /// [`crate::SEARCH_MAX_CHARS`].
    #[error("the search text is {chars} characters; at most {max} are searched for. Search for a shorter part of it", max = crate::SEARCH_MAX_CHARS)]
    SearchTooLong { chars: usize },
    /// The period's first day `from` is after its last day `to`
    /// (`YYYY-MM-DD`): no EAC's period could match.
    #[error(
        "the period's first day {from} is after its last day {to}: no EAC's period could match"
    )]
    FromAfterTo { from: String, to: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// SQLite's failure to write a file (`SQLITE_IOERR_WRITE`) while this
/// process has a file size limit (`ulimit -f`): SQLite keeps no `errno`
/// in its error, and with the limit set EFBIG is by far the likeliest
/// cause (a database made new, written in a hidden file removed when it
/// failed, leaves no size to compare with the limit).
fn at_size_limit(e: &rusqlite::Error) -> bool {
    /// `SQLITE_IOERR_WRITE`: `SQLITE_IOERR | (3 << 8)`.
    const IOERR_WRITE: i32 = 10 | (3 << 8);
    if e.sqlite_error()
        .is_none_or(|f| f.extended_code != IOERR_WRITE)
    {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getrlimit, Resource};
        getrlimit(Resource::Fsize).current.is_some()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn codes_keep_their_wire_names_and_exit_codes() {
        for code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            assert_eq!(serde_json::from_value::<ErrorCode>(wire).unwrap(), code);
            let rule = matches!(
                code,
                ErrorCode::Validation | ErrorCode::Unreadable | ErrorCode::Frozen
            );
            assert_eq!(code.exit_code(), if rule { 1 } else { 2 }, "{code}");
        }
    }

    /// A claim is planned again (`eac_app::create_claim`) only when its
    /// refusal is the typed one: another conflict that says the same
    /// words (a message built elsewhere, a server's text) is not planned
    /// again, and the typed one says what it always said.
    #[test]
    fn only_the_typed_refusal_is_planned_again() {
        let typed = super::StoreError::ChangedWhilePlanned;
        assert!(typed.is_changed_while_planned());
        assert_eq!(typed.code(), ErrorCode::Conflict);
        assert_eq!(typed.to_string(), super::CHANGED_WHILE_PLANNED);
        let worded = super::StoreError::Conflict {
            message: super::CHANGED_WHILE_PLANNED.to_owned(),
            ids: Vec::new(),
        };
        assert!(!worded.is_changed_while_planned());
    }
}
