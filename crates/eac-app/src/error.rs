//! The error that crosses into the shells: `{ code, message, details }`, so
//! the desktop UI and scripts decide on `code` and never parse `message`.

use eac_model::Violation;
pub use eac_store::ErrorCode;
use eac_store::{BrowseQuery, ClosedPeriod, EacFilter, SortSpec, Store, StoreError};
use serde::{Deserialize, Serialize};

/// A failed operation. `code` says what kind (see [`ErrorCode`]; the CLI's
/// exit code is `code.exit_code()`); `message` is plain words for a person
/// and says what to do next; `details` holds what the code's failure names.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub details: ErrorDetails,
}

/// What an error names, each member present only where the code's failure
/// has it (on the wire an object; `{}` when it names nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorDetails {
    /// `validation`: the broken rules, located.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub violations: Option<Vec<Violation>>,
    /// `validation`: the file whose data broke them; `database`: the
    /// migration that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub file: Option<String>,
    /// `io`, `newer_database`, `database`: the file or folder concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub path: Option<String>,
    /// `io`: a full disk or a size limit, said in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<IoReason>,
    /// `unreadable`: where in the document (`line 12`, `page 1`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub place: Option<String>,
    /// `unreadable`: the format it was read as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub format: Option<String>,
    /// `database`: another connection held the database past the timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub busy: Option<bool>,
    /// `not_found`: the id that is not there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cds_eac_id: Option<String>,
    /// `not_found` (ids not there), `conflict` (EACs changed since),
    /// `frozen` (EACs in a closed period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cds_eac_ids: Option<Vec<String>>,
    /// `not_found`: the import number that is not there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub batch_id: Option<i64>,
    /// `newer_database`, `database` (a foreign schema): the schema version
    /// found…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub found: Option<i64>,
    /// … and the newest this version knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub supported: Option<i64>,
    /// `frozen`: the closed periods holding the EACs (the numbers `period
    /// reopen` takes); `not_found`: the period number that is not there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub period_ids: Option<Vec<i64>>,
    /// `frozen`, in the app ([`AppError::in_app`]): the closed periods of
    /// `period_ids` (their days, who closed them, when and why), so the
    /// app says which period and how to reopen it in its own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub closed_periods: Option<Vec<ClosedPeriod>>,
    /// `frozen`, in the app: each of `cds_eac_ids` as the table names it
    /// (its EAC number where it has one, else its id), in the same order;
    /// the first 50 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub eac_numbers: Option<Vec<String>>,
    /// `invalid_input`, `io`: what is wrong with the database file `path`
    /// names, so the app titles the case in words of its own rather than
    /// as input or a file in general.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub database: Option<DatabaseProblem>,
    /// `invalid_input` of a column mapping (`save_mapping`): each thing it
    /// lacks or gets wrong, one sentence each, as the message lists them
    /// (a `; ` inside a quoted column name or value stays in its item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub problems: Option<Vec<String>>,
    /// `conflict` of an edit made on a version of an EAC that changed
    /// since: the EAC, the version and the change, so a shell says it in
    /// its own words (the command line of `--if-version`, with its own
    /// steps) where `message` says it in the app's. Not on the wire: the
    /// app shows `message`.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub changed_since: Option<eac_store::ChangedSince>,
    /// `invalid_input` of a change not confirmed for the EACs it found in
    /// its own write (`eac_store::Confirmed::AtMost`; nothing was
    /// changed): how many it found there, so the app's dialog names them
    /// and asks again, and the command line asks for `--yes` naming them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub unconfirmed: Option<usize>,
}

/// What is wrong with a database file, where the app has words of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DatabaseProblem {
    /// An SQLite database of another program (decision 55): refused, and
    /// nothing in it or beside it changed.
    OtherProgram,
    /// No regular file: a folder, a named pipe, a device, a socket.
    NotAFile,
    /// The open database's file is no longer there (deleted or moved
    /// while the app had it open).
    Missing,
    /// The open database's file was emptied (0 bytes) while the app had it
    /// open.
    Emptied,
    /// Another file was put in the open database's place (saved, moved or
    /// restored there) while the app had it open.
    Replaced,
}

/// Why a file could not be written, where plain words can say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum IoReason {
    DiskFull,
    FileTooLarge,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            details: ErrorDetails::default(),
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::InvalidInput, message)
    }

    pub fn cancelled() -> Self {
        AppError::new(ErrorCode::Cancelled, "Cancelled; nothing was written.")
    }

    /// A scratch file in the temporary folder `folder` failed while
    /// `doing` (the work it was for, and `while_` — empty, or " while …" —
    /// what it was part of): said with that folder, which is not the
    /// user's database nor their output, a full disk in plain words;
    /// `unchanged` says what was left as it was, `again` what to do once
    /// there is room (or, when it is no folder that takes files, once
    /// TMPDIR names one).
    pub(crate) fn scratch(
        folder: &std::path::Path,
        source: &std::io::Error,
        [doing, while_]: [&str; 2],
        unchanged: &str,
        again: &str,
    ) -> Self {
        let (why, cure) = if let Some((why, cure)) = eac_store::atomic::no_room_words(source) {
            (why.to_owned(), cure)
        } else if source.kind() == std::io::ErrorKind::StorageFull {
            (
                "the disk is full".to_owned(),
                "free some space there (or set TMPDIR to a folder on a disk with room)",
            )
        } else {
            (
                source.to_string(),
                "set TMPDIR to a folder you can write to, on a disk with room,",
            )
        };
        AppError::new(
            ErrorCode::Io,
            format!(
                "Could not {doing} in the temporary folder {}{while_}: {why}. {unchanged}; {cure} and {again}.",
                folder.display()
            ),
        )
    }

    /// A file or folder could not be read or written. A full disk and a
    /// file beyond the size limit say so in plain words (`details.reason`
    /// `disk_full` / `file_too_large`).
    pub fn io(path: &std::path::Path, source: &std::io::Error) -> Self {
        let shown = path.display();
        // A disk with space left and no room for more files (the store's
        // one wording of it).
        let no_room = eac_store::atomic::no_room_words(source);
        let (reason, message) = match source.kind() {
            std::io::ErrorKind::StorageFull if no_room.is_some() => {
                let (why, cure) = no_room.unwrap_or_default();
                let message = format!(
                    "Could not write {shown}: {why}. Nothing was changed there; {cure}, and try again."
                );
                (Some(IoReason::DiskFull), message)
            }
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => (
                Some(IoReason::DiskFull),
                format!(
                    "Could not write {shown}: the disk is full. Nothing was changed there; free some space (or choose another disk) and try again."
                ),
            ),
            std::io::ErrorKind::FileTooLarge => (
                Some(IoReason::FileTooLarge),
                format!(
                    "Could not write {shown}: the file is too large for this disk or for the file size limit set for this program (ulimit -f). Nothing was changed there; raise the limit, choose another disk, or export fewer EACs."
                ),
            ),
            // Said by whoever refused to write over it, with what to do:
            // "check that the path exists" would contradict it.
            std::io::ErrorKind::AlreadyExists => (
                None,
                format!("Could not write {shown}: {source}."),
            ),
            // The advice to check the path is the shells' (the app says
            // it beside the message): said here too, it would be said twice.
            std::io::ErrorKind::NotFound => (
                None,
                format!("{shown} does not exist (or a folder on its way does not)."),
            ),
            _ => (None, format!("Could not read or write {shown}: {source}.")),
        };
        AppError {
            details: ErrorDetails {
                path: Some(shown.to_string()),
                reason,
                ..ErrorDetails::default()
            },
            ..AppError::new(ErrorCode::Io, message)
        }
    }

    /// The data broke rules; nothing was written.
    pub fn validation(message: impl Into<String>, violations: &[Violation]) -> Self {
        AppError {
            details: ErrorDetails {
                violations: Some(violations.to_vec()),
                ..ErrorDetails::default()
            },
            ..AppError::new(ErrorCode::Validation, message)
        }
    }

    /// A registry document that is not readable as `format` (or as any
    /// format EAC Desk knows, when `None`); nothing was imported.
    pub fn unreadable(file: &str, place: &str, format: Option<&str>, message: &str) -> Self {
        AppError {
            details: ErrorDetails {
                file: Some(file.to_owned()),
                place: Some(place.to_owned()),
                format: format.map(str::to_owned),
                ..ErrorDetails::default()
            },
            ..AppError::new(
                ErrorCode::Unreadable,
                format!("{file}, {place}: {message}{UNREADABLE_TAIL}"),
            )
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// This error as the desktop app says it: advice to type an `eacdesk`
    /// command becomes the app's own menu or button (the app's user has
    /// no command line), and a `frozen` refusal names its periods and
    /// EACs in `details` (`closed_periods`, `eac_numbers`) for the app to
    /// word. `store`: the database it happened on, when there is one.
    pub fn in_app(mut self, store: Option<&Store>) -> Self {
        self.message = app_words(&self.message);
        if self.code == ErrorCode::Frozen {
            if let Some(store) = store {
                self.name_frozen(store);
            }
        }
        self
    }

    /// Fills `closed_periods` and `eac_numbers` of a `frozen` error. A
    /// look-up that fails leaves the error as it was (it still refuses).
    fn name_frozen(&mut self, store: &Store) {
        let wanted = self.details.period_ids.clone().unwrap_or_default();
        if let Ok(all) = store.closed_periods() {
            let periods: Vec<ClosedPeriod> =
                all.into_iter().filter(|p| wanted.contains(&p.id)).collect();
            if !periods.is_empty() {
                self.details.closed_periods = Some(periods);
            }
        }
        // A refusal about claims or consumption names no EAC.
        let Some(mut ids) = self
            .details
            .cds_eac_ids
            .clone()
            .filter(|ids| !ids.is_empty())
        else {
            return;
        };
        // A bulk change can meet thousands: the app names the first few.
        ids.truncate(NAMED_IN_APP);
        let query = BrowseQuery {
            filter: EacFilter {
                ids: Some(ids.clone()),
                ..EacFilter::default()
            },
            sort: SortSpec::default(),
            offset: 0,
            limit: ids.len(),
        };
        let rows = store.browse(&query).unwrap_or_default();
        let numbers = ids
            .iter()
            .map(|id| {
                rows.iter()
                    .find(|r| &r.cds_eac_id == id)
                    .and_then(|r| r.eac_number.clone())
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| id.clone())
            })
            .collect();
        self.details.eac_numbers = Some(numbers);
    }

    /// The violations of a `validation` error (empty for other codes).
    pub fn violations(&self) -> Vec<Violation> {
        self.details.violations.clone().unwrap_or_default()
    }

    pub fn is_validation(&self) -> bool {
        self.code == ErrorCode::Validation
    }
}

/// `details.format` of an `unreadable` error about a file given as
/// reference data that is in none of its formats (the app words it as
/// such, not as a registry document).
pub const REFERENCE_DATA: &str = "reference data";

/// How an `unreadable` message ends (the app says it once, its own way).
pub(crate) const UNREADABLE_TAIL: &str = "; nothing from it was imported";

/// How the store's and this crate's messages say that a refused operation
/// left the database as it was (one transaction, rolled back).
const UNCHANGED: [&str; 3] = [
    "nothing was changed",
    "nothing was written",
    "nothing was saved",
];

/// `message` with its claim that nothing was changed (or written, or
/// saved: [`UNCHANGED`], said of the whole operation) said as `instead`
/// ("nothing from a.json was imported", capitalised where the claim was),
/// or, when `None`, left out with what joins it ("X; nothing was changed.
/// Period 1 …" → "X. Period 1 …", "… to it. Nothing was changed; wait …"
/// → "… to it. Wait …"): where the caller's words say what was left as it
/// was, or where the claim is untrue (an import's earlier files were
/// committed, an export was written). A claim about one place ("Nothing
/// was changed there", "nothing was written to FILE", "… and it is
/// untouched") is not the operation's and stays. Also says whether
/// `message` made the claim.
pub(crate) fn unchanged_said(message: &str, instead: Option<&str>) -> (String, bool) {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    let mut found = false;
    while let Some((at, len)) = unchanged_claim(rest) {
        found = true;
        let capital = rest[at..].starts_with('N');
        out.push_str(&rest[..at]);
        let after = &rest[at + len..];
        rest = after;
        let Some(words) = instead else {
            let kept = out.trim_end();
            if kept.is_empty() || kept.ends_with(['.', '!', '?']) {
                // A sentence of its own: gone, and the next one (after
                // its "." or ";") starts with a capital.
                let n = kept.len();
                out.truncate(n);
                let next = after.trim_start_matches(['.', ';', ',']).trim_start();
                let mut chars = next.chars();
                if let Some(first) = chars.next() {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.extend(first.to_uppercase());
                }
                rest = chars.as_str();
            } else {
                // A clause ("…; nothing was changed", ", so nothing was
                // saved"): gone with what joins it; what follows it (".
                // Period 1", "; wait") stays.
                let kept = kept.strip_suffix(" so").unwrap_or(kept);
                let kept = kept.strip_suffix(" and").unwrap_or(kept);
                let n = kept
                    .trim_end()
                    .trim_end_matches([';', ',', ':'])
                    .trim_end()
                    .len();
                out.truncate(n);
            }
            continue;
        };
        let mut chars = words.chars();
        if let Some(first) = chars.next() {
            match capital {
                true => out.extend(first.to_uppercase()),
                false => out.push(first),
            }
            out.push_str(chars.as_str());
        }
    }
    out.push_str(rest);
    (out, found)
}

/// Where in `text` the first claim of [`UNCHANGED`] stands (its byte
/// offset and length): a clause of its own, followed by its end, `.`,
/// `;`, `,` or a parenthesis.
fn unchanged_claim(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    UNCHANGED
        .iter()
        .filter_map(|said| {
            lower
                .match_indices(said)
                .map(|(at, _)| at)
                .find(|at| {
                    let after = &text[at + said.len()..];
                    after.is_empty()
                        || after.starts_with(['.', ';', ','])
                        || after.starts_with(" (")
                })
                .map(|at| (at, said.len()))
        })
        .min()
}

/// A `frozen` refusal as the app says it where only a message crosses (an
/// import's per-file report), from the details [`AppError::in_app`]
/// filled: which period (its days, who closed it and why), the EACs as the
/// table names them, and where the app reopens it to `to_do` (what was
/// refused). The app adds "nothing … was imported" itself.
pub(crate) fn frozen_in_app(d: &ErrorDetails, to_do: &str) -> String {
    let ids = d.cds_eac_ids.as_deref().unwrap_or_default();
    let names = d.eac_numbers.as_deref().unwrap_or(ids);
    let shown = eac_model::words::first_named(names, 10, ids.len().max(names.len()));
    let subject = match ids.len() {
        1 => format!("EAC {shown} lies"),
        n => format!("{n} EACs ({shown}) lie"),
    };
    let periods = d.closed_periods.as_deref().unwrap_or_default();
    let each: Vec<String> = periods
        .iter()
        .map(|p| {
            format!(
                "{} to {} (closed by {} on {} UTC: “{}”)",
                p.from,
                p.to,
                p.closer(),
                p.closed_at.replace('T', " ").trim_end_matches('Z'),
                p.reason
            )
        })
        .collect();
    let (where_, period) = match each.len() {
        0 => ("a closed reporting period".to_owned(), "the period"),
        1 => (
            format!("the closed reporting period {}", each[0]),
            "the period",
        ),
        _ => (
            format!("the closed reporting periods {}", each.join("; ")),
            "the periods",
        ),
    };
    format!(
        "{subject} in {where_}. To {to_do}, first reopen {period} in Evidence ▾ → Closed \
         periods… (Reopen…, with a reason)."
    )
}

/// How many EACs of a `frozen` refusal the app is given names for.
const NAMED_IN_APP: usize = 50;

/// Where the app does what an `eacdesk` command does, by the command's
/// first words (the longest that match wins).
const APP_PLACES: &[(&str, &str)] = &[
    ("period", "Evidence ▾ → Closed periods…"),
    ("refdata", "Reference data… in the toolbar"),
    ("claims delete", "Claims… → Delete…"),
    (
        "claims factor",
        "the Claims report (“Enter…” by the factor)",
    ),
    ("claims", "Claims…"),
    ("consumption", "the Consumption section of Claims…"),
    ("delete", "Delete… in the toolbar"),
    ("undo-import", "Imports… → Undo in the toolbar"),
    ("pack", "Evidence ▾ → Create evidence pack…"),
    ("check", "Problems above the table"),
    ("audit", "History…"),
    ("formats", "the Format list of the import dialog"),
    ("mapping", "“Map its columns…” in the import dialog"),
    ("set", "“Complete fields” in the EAC's details"),
    ("show", "the EAC's detail pane once it is shown again"),
];

/// `message` with each `eacdesk …` command it advises replaced by where
/// the app does it: "(`eacdesk X`, or Y)" keeps Y alone, "with `eacdesk
/// X`" becomes "in PLACE", "run `eacdesk X`" becomes "use PLACE" ("Run"
/// "Use"). A command the app has no place for (a server's set-up) is left
/// as it is. Command-line options outside a command become the app's
/// fields ([`crate::cli_options`]).
pub(crate) fn app_words(message: &str) -> String {
    const OPEN: &str = "`eacdesk ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let Some(end) = after.find('`') else { break };
        let command = &after[..end];
        let place = APP_PLACES
            .iter()
            .filter(|(verb, _)| {
                command == *verb
                    || command
                        .strip_prefix(verb)
                        .is_some_and(|r| r.starts_with(' '))
            })
            .max_by_key(|(verb, _)| verb.len())
            .map(|(_, place)| *place);
        let before = &rest[..at];
        let mut tail = &after[end + 1..];
        match place {
            None => {
                out.push_str(&rest[..at + OPEN.len() + end + 1]);
            }
            Some(_) if tail.starts_with(", or ") => {
                // The app's way is named already, after the command.
                out.push_str(before);
                tail = &tail[", or ".len()..];
            }
            Some(place) => {
                if let Some(b) = before.strip_suffix("with ") {
                    out.push_str(b);
                    out.push_str("in ");
                } else if let Some(b) = before.strip_suffix("run ") {
                    out.push_str(b);
                    out.push_str("use ");
                } else if let Some(b) = before.strip_suffix("Run ") {
                    out.push_str(b);
                    out.push_str("Use ");
                } else {
                    out.push_str(before);
                }
                out.push_str(place);
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    crate::cli_options::options_in_app(&out)
}

/// A refused filter in the words of the app's filter bar (its fields
/// “Search”, “Period from” and “Period to”).
fn filter_problem_in_app(problem: &eac_store::FilterProblem) -> String {
    match problem {
        eac_store::FilterProblem::SearchTooLong { chars } => format!(
            "The search text is {chars} characters; at most {} are searched for. Nothing was done; search for a shorter part of it.",
            eac_store::SEARCH_MAX_CHARS
        ),
        eac_store::FilterProblem::FromAfterTo { from, to } => format!(
            "“Period from” ({from}) is after “Period to” ({to}), so no EAC can match. Nothing was done; give the first day in “Period from” and the last in “Period to”."
        ),
    }
}

/// How many rule violations a refusal lists: `1 rule violation`, `3 rule
/// violations`, but `the first 50 rule violations (there may be more)`
/// once an import or export stopped reading at its cap
/// ([`eac_store::MAX_REPORTED_ERRORS`]): never a false total.
pub(crate) fn rule_violations(n: usize) -> String {
    if n >= eac_store::MAX_REPORTED_ERRORS {
        format!("the first {n} rule violations (there may be more)")
    } else {
        plural(n, "rule violation")
    }
}

/// `1 rule violation`, `3 rule violations`.
pub(crate) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let code = e.code();
        if e.is_busy() {
            // Named when the store knows which file it met busy: a
            // script working on two databases tells them apart.
            let path = match &e {
                StoreError::Busy { path } => Some(path.display().to_string()),
                _ => None,
            };
            let database = match &path {
                Some(path) => format!("The database {path}"),
                None => "The database".to_owned(),
            };
            return AppError {
                details: ErrorDetails {
                    busy: Some(true),
                    path,
                    ..ErrorDetails::default()
                },
                ..AppError::new(
                    code,
                    format!("{database} is busy: another EAC Desk window or an eacdesk command is still writing to it. Nothing was changed; wait until it has finished and try again."),
                )
            };
        }
        if let StoreError::DiskFull {
            path,
            size_limit: true,
        } = &e
        {
            // EFBIG: the limit, not damage (decision 48).
            let path = path.display().to_string();
            return AppError {
                details: ErrorDetails {
                    reason: Some(IoReason::FileTooLarge),
                    path: Some(path.clone()),
                    ..ErrorDetails::default()
                },
                ..AppError::new(
                    code,
                    format!(
                        "The database {path} reached the file size limit set for this program (ulimit -f). Nothing was changed; raise the limit (or run the command without it) and try again."
                    ),
                )
            };
        }
        if e.is_disk_full() {
            // The database's disk, or the temporary folder its statement
            // journals and sorts use: neither means the file is damaged.
            // Named when the store knows which database it wrote, as a
            // busy one is.
            let path = match &e {
                StoreError::DiskFull { path, .. } => Some(path.display().to_string()),
                _ => None,
            };
            let disk = match &path {
                Some(path) => format!("the disk holding the database {path}"),
                None => "the database's disk".to_owned(),
            };
            return AppError {
                details: ErrorDetails {
                    reason: Some(IoReason::DiskFull),
                    path,
                    ..ErrorDetails::default()
                },
                ..AppError::new(
                    code,
                    format!(
                        "The disk is full: {disk} or the temporary folder {} has no room left. Nothing was changed; free some space there (or set TMPDIR to a folder on a disk with room) and try again.",
                        std::env::temp_dir().display()
                    ),
                )
            };
        }
        let (message, details) = match e {
            StoreError::Rules { file, violations } => (
                format!(
                    "{file}: {}; nothing was written. Fix the problems listed and try again.",
                    plural(violations.len(), "rule violation")
                ),
                ErrorDetails { file: Some(file), violations: Some(violations), ..ErrorDetails::default() },
            ),
            StoreError::NotFound(id) => (
                format!(
                    "There is no EAC with id `{id}` in this database. Check the id (it is case-sensitive) or import the file that holds it."
                ),
                ErrorDetails { cds_eac_id: Some(id), ..ErrorDetails::default() },
            ),
            StoreError::InvalidInput(message)
            | StoreError::InvalidNumber(message)
            | StoreError::ClaimedConsumption(message) => (message, ErrorDetails::default()),
            StoreError::NotReferenceData { ref path } => (
                e.to_string(),
                ErrorDetails {
                    file: Some(path.display().to_string()),
                    place: Some("document".to_owned()),
                    format: Some(REFERENCE_DATA.to_owned()),
                    ..ErrorDetails::default()
                },
            ),
            StoreError::Filter(problem) => (filter_problem_in_app(&problem), ErrorDetails::default()),
            StoreError::NewerDatabase {
                ref path,
                found,
                supported,
            } => (
                e.to_string(),
                ErrorDetails { path: Some(path.display().to_string()), found: i64::try_from(found).ok(), supported: i64::try_from(supported).ok(), ..ErrorDetails::default() },
            ),
            StoreError::Io { path, source } => return AppError::io(&path, &source),
            StoreError::Sqlite(e) => (
                sqlite_message(e.sqlite_error().map(|f| f.extended_code & 0xff), &e),
                ErrorDetails::default(),
            ),
            // Said above, with every busy failure.
            e @ StoreError::Busy { .. } => (format!("{e}."), ErrorDetails::default()),
            // Said above (a full disk, the file size limit).
            e @ StoreError::DiskFull { .. } => (format!("{e}."), ErrorDetails::default()),
            StoreError::Server { message } => (
                format!("The PostgreSQL server: {message}."),
                ErrorDetails::default(),
            ),
            e @ StoreError::NotOnServer { .. } => (format!("{e}."), ErrorDetails::default()),
            StoreError::Migration { file, message } => (
                format!(
                    "The database could not be upgraded: migration {file} failed ({message}); nothing was changed. Restore it from a backup or open another database file."
                ),
                ErrorDetails { file: Some(file), ..ErrorDetails::default() },
            ),
            StoreError::ForeignSchema { ref path, found } => (
                e.to_string(),
                ErrorDetails { path: Some(path.display().to_string()), found: Some(found), ..ErrorDetails::default() },
            ),
            StoreError::UnknownIds(ids) => (
                format!(
                    "There is no EAC with id {} in this database. Check the ids (they are case-sensitive). Nothing was changed.",
                    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                ),
                ErrorDetails { cds_eac_ids: Some(ids), ..ErrorDetails::default() },
            ),
            StoreError::NoBatch(id) => (
                format!(
                    "There is no import number {id} in this database; list the imports to find the right number. Nothing was changed."
                ),
                ErrorDetails { batch_id: Some(id), ..ErrorDetails::default() },
            ),
            StoreError::Conflict { message, ids } => (message, ErrorDetails { cds_eac_ids: Some(ids), ..ErrorDetails::default() }),
            // As it was said when it was a conflict naming no EAC.
            StoreError::ChangedWhilePlanned => (
                e.to_string(),
                ErrorDetails { cds_eac_ids: Some(Vec::new()), ..ErrorDetails::default() },
            ),
            StoreError::ChangedSince(ref changed) => (
                e.to_string(),
                ErrorDetails {
                    cds_eac_ids: Some(vec![changed.cds_eac_id.clone()]),
                    changed_since: Some(changed.clone()),
                    ..ErrorDetails::default()
                },
            ),
            StoreError::Unconfirmed { found, at_most } => (
                format!(
                    "{} now, not the {at_most} you confirmed: another program or window changed the EACs after they were counted. Nothing was changed; confirm the change for {} to make it.",
                    match found {
                        1 => "1 EAC matches".to_owned(),
                        n => format!("{n} EACs match"),
                    },
                    plural(found, "EAC"),
                ),
                ErrorDetails { unconfirmed: Some(found), ..ErrorDetails::default() },
            ),
            StoreError::Frozen { message, ids, periods } => (
                message,
                ErrorDetails { cds_eac_ids: Some(ids), period_ids: Some(periods), ..ErrorDetails::default() },
            ),
            StoreError::DocumentAltered { file_name, sha256, found } => (
                altered_document_message(&file_name, &sha256, &found),
                ErrorDetails {
                    file: Some(file_name),
                    place: Some(STORED_COPY.to_owned()),
                    ..ErrorDetails::default()
                },
            ),
            StoreError::NoPeriod(id) => (
                format!(
                    "There is no closed period number {id} in this database; list them with `eacdesk period ls`. Nothing was changed."
                ),
                ErrorDetails { period_ids: Some(vec![id]), ..ErrorDetails::default() },
            ),
            StoreError::NoClaim(id) => (
                format!(
                    "There is no claim number {id} in this database; list them with `eacdesk claims ls`. Nothing was changed."
                ),
                ErrorDetails::default(),
            ),
            StoreError::NoConsumption { beneficiary_type, beneficiary } => (
                format!(
                    "There is no consumption stored for {beneficiary_type} `{beneficiary}` in this database; list what is stored with `eacdesk consumption ls`. Nothing was changed."
                ),
                ErrorDetails::default(),
            ),
            StoreError::NoRefdata { ref kind, .. } => {
                // Its own words: wrapped in the EAC's they spoke of an EAC
                // and advised importing the file that holds it.
                let said = e.to_string();
                let said = said.strip_prefix("the ").unwrap_or(&said);
                (
                    format!(
                        "The {said} (ids match exactly, case included); nothing was removed. See the ids it holds with `eacdesk refdata ls --type {kind}`."
                    ),
                    ErrorDetails::default(),
                )
            }
            StoreError::SelectedGone { ref ids } => {
                // Its own words: as `NotFound` the sentence became an id
                // ("There is no EAC with id `no EAC with the id …`").
                let said = e.to_string();
                let said = said.strip_prefix("the ").unwrap_or(&said);
                (
                    format!("The {said}; nothing was exported. Select the rows again and export them."),
                    ErrorDetails { cds_eac_ids: Some(ids.clone()), ..ErrorDetails::default() },
                )
            }
            StoreError::NoValue { ref cds_eac_id, .. } => (
                format!("{e}, so no claim can be allocated from that value; nothing was recorded. Plan the claim again from what is stored now."),
                ErrorDetails { cds_eac_id: Some(cds_eac_id.clone()), ..ErrorDetails::default() },
            ),
            StoreError::OtherProgram { ref path, .. } => (
                format!("{e}."),
                ErrorDetails {
                    path: Some(path.display().to_string()),
                    database: Some(DatabaseProblem::OtherProgram),
                    ..ErrorDetails::default()
                },
            ),
            StoreError::Cancelled => return AppError::cancelled(),
            // The database the app had open, gone when it was opened again
            // (decision 403's words).
            StoreError::DatabaseGone { ref path, emptied } => {
                let problem = match emptied {
                    true => DatabaseProblem::Emptied,
                    false => DatabaseProblem::Missing,
                };
                return crate::opened::gone(path, problem);
            }
        };
        AppError {
            code,
            message,
            details,
        }
    }
}

/// `details.place` of an `unreadable` error about a stored document that
/// no longer matches its SHA-256 (the app words it so).
pub const STORED_COPY: &str = "stored copy";

/// A stored document changed by another program, in plain words: both
/// hashes, that nothing was written and what to do.
pub(crate) fn altered_document_message(file_name: &str, sha256: &str, found: &str) -> String {
    format!(
        "The stored document {file_name} is no longer the one that was imported: it was stored with the SHA-256 {sha256}, and its bytes in the database now have the SHA-256 {found}. Another program changed it in the database; nothing was written. Restore the database from a backup, or import the original file {file_name} again (EAC Desk then puts its stored copy back)."
    )
}

/// SQLite's failure in plain words: a read-only file or folder and a file
/// that is not a database are not damage, so they never advise a backup.
fn sqlite_message(code: Option<i32>, e: &dyn std::fmt::Display) -> String {
    // `code`: SQLite's primary result code; SQLITE_READONLY,
    // SQLITE_CANTOPEN, SQLITE_NOTADB.
    match code {
        Some(8) => format!(
            "The database cannot be written: the file, its folder or the -wal/-shm files beside it are read-only here (file permissions, or read-only media) ({e}). Nothing was changed. Ask for write access, or copy the database (with any -wal file beside it) to a folder you can write to and work on the copy."
        ),
        Some(14) => format!(
            "The database file could not be opened ({e}): it or its folder cannot be accessed (permissions), or it is not a regular file. Check the path and your access to it."
        ),
        // SQLite says NOTADB of a file that is none, and of a database
        // whose first page is damaged: both are said, with what to do.
        Some(26) => format!(
            "The file is not a SQLite database, or its first page is damaged ({e}). Check the path; if it is your EAC Desk database, restore it from a backup."
        ),
        _ => format!(
            "The database could not be read or written ({e}). If another program is writing to it, wait and try again; if the file is damaged, restore it from a backup."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eac_model::Rule;
    use std::path::PathBuf;

    /// SQLite's NOTADB is said of a file that is none and of a database
    /// whose first page is damaged: the second still needs its backup.
    #[test]
    fn not_a_database_may_be_a_damaged_one() {
        let m = sqlite_message(Some(26), &"file is not a database");
        assert!(m.contains("or its first page is damaged"), "{m}");
        assert!(m.contains("restore it from a backup"), "{m}");
    }

    #[test]
    fn a_busy_database_says_who_holds_it_and_what_to_do() {
        let busy = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(5), None);
        let e = AppError::from(StoreError::Sqlite(busy));
        assert_eq!(e.code, "database");
        assert_eq!(e.details.busy, Some(true));
        assert!(e.message.contains("busy"), "{}", e.message);
        assert!(e.message.contains("Nothing was changed"), "{}", e.message);
        assert!(e.message.contains("try again"), "{}", e.message);
        // A full disk (SQLite's "database or disk is full") is said as such,
        // naming the temporary folder, without suggesting damage.
        let full = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(13), None);
        let e = AppError::from(StoreError::Sqlite(full));
        assert_eq!(e.details.reason, Some(IoReason::DiskFull));
        assert!(e.message.starts_with("The disk is full"), "{}", e.message);
        assert!(
            e.message
                .contains(&std::env::temp_dir().display().to_string()),
            "{}",
            e.message
        );
        assert!(!e.message.contains("backup"), "{}", e.message);
        // So is SQLite's failure to grow the `-shm` index on a disk with no
        // room, which it calls a "disk I/O error" (SQLITE_IOERR_SHMSIZE).
        let shm = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(10 | (19 << 8)), None);
        let e = AppError::from(StoreError::Sqlite(shm));
        assert_eq!(e.details.reason, Some(IoReason::DiskFull));
        assert!(e.message.starts_with("The disk is full"), "{}", e.message);
        assert!(!e.message.contains("backup"), "{}", e.message);
        // Other database errors keep the general advice.
        let other = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(11), None);
        let e = AppError::from(StoreError::Sqlite(other));
        assert!(e.details.busy.is_none());
        assert!(e.message.contains("backup"), "{}", e.message);
    }

    #[test]
    fn a_read_only_database_or_a_file_that_is_none_is_not_called_damaged() {
        // SQLITE_READONLY (8), SQLITE_CANTOPEN (14); SQLITE_NOTADB (26)
        // may be damage: `not_a_database_may_be_a_damaged_one`.
        for (code, said) in [
            (8, "read-only here (file permissions, or read-only media)"),
            (14, "could not be opened"),
        ] {
            let failed = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
            let e = AppError::from(StoreError::Sqlite(failed));
            assert_eq!(e.code, "database");
            assert!(e.message.contains(said), "{}", e.message);
            assert!(!e.message.contains("backup"), "{}", e.message);
        }
    }

    #[test]
    fn rule_errors_carry_their_violations() {
        let v = Violation::error(
            Rule::GeneralHasNoBeneficiaries,
            "/beneficiaries",
            "general needs an empty list",
        );
        let e = AppError::from(StoreError::Rules {
            file: "data.json".into(),
            violations: vec![v.clone()],
        });
        assert_eq!(e.code, "validation");
        assert!(e.is_validation());
        assert_eq!(e.violations(), vec![v]);
        assert!(
            e.message.contains("data.json: 1 rule violation;"),
            "{}",
            e.message
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["details"]["violations"][0]["rule"], 4);
        assert_eq!(json["code"], "validation");
    }

    /// The filter's refusal, from any caller (export, pack, delete, the
    /// table), is said with the filter bar's fields, never the CLI's
    /// options nor the claim form's.
    #[test]
    fn a_refused_filter_is_said_with_the_filter_bars_fields() {
        let e = AppError::from(StoreError::Filter(eac_store::FilterProblem::FromAfterTo {
            from: "2024-05-01".into(),
            to: "2024-04-01".into(),
        }))
        .in_app(None);
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(
            e.message,
            "“Period from” (2024-05-01) is after “Period to” (2024-04-01), so no EAC can match. Nothing was done; give the first day in “Period from” and the last in “Period to”."
        );
        let e = AppError::from(StoreError::Filter(
            eac_store::FilterProblem::SearchTooLong { chars: 10_001 },
        ))
        .in_app(None);
        assert!(e.message.starts_with("The search text is 10001 characters; at most 10000 are searched for. Nothing was done"), "{}", e.message);
    }

    #[test]
    fn codes_come_from_the_store() {
        let cases: Vec<(StoreError, &str)> = vec![
            (StoreError::NotFound("x".into()), "not_found"),
            (StoreError::InvalidInput("bad".into()), "invalid_input"),
            (StoreError::Cancelled, "cancelled"),
            (
                StoreError::Io {
                    path: PathBuf::from("/nope/a.json"),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                },
                "io",
            ),
            (
                StoreError::NewerDatabase {
                    path: PathBuf::from("db"),
                    found: 9,
                    supported: 1,
                },
                "newer_database",
            ),
            (
                StoreError::Migration {
                    file: "0009_x.sql".into(),
                    message: "boom".into(),
                },
                "database",
            ),
            (StoreError::UnknownIds(vec!["a".into()]), "not_found"),
            (StoreError::NoBatch(7), "not_found"),
            (
                StoreError::Conflict {
                    message: "changed".into(),
                    ids: vec!["a".into()],
                },
                "conflict",
            ),
            (
                StoreError::Frozen {
                    message: "closed".into(),
                    ids: vec!["a".into()],
                    periods: vec![3],
                },
                "frozen",
            ),
            (StoreError::NoPeriod(4), "not_found"),
            (StoreError::NoClaim(4), "not_found"),
            (
                StoreError::NoConsumption {
                    beneficiary_type: "account".into(),
                    beneficiary: "acc-1".into(),
                },
                "not_found",
            ),
        ];
        for (store_error, code) in cases {
            let e = AppError::from(store_error);
            assert_eq!(e.code, code);
            assert!(serde_json::to_value(&e.details).unwrap().is_object());
            assert!(e.violations().is_empty());
            assert!(!e.message.is_empty());
        }
        let e = AppError::from(StoreError::Io {
            path: PathBuf::from("/nope/a.json"),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
        assert_eq!(e.details.path.as_deref(), Some("/nope/a.json"));
        assert!(e.message.contains("/nope/a.json"));
    }

    #[test]
    fn a_full_disk_and_a_size_limit_are_said_in_plain_words() {
        let dest = PathBuf::from("/exports/eacs.json");
        for (errno, reason, words) in [
            (28, "disk_full", "the disk is full"),
            (27, "file_too_large", "the file is too large"),
        ] {
            let e = AppError::from(StoreError::Io {
                path: dest.clone(),
                source: std::io::Error::from_raw_os_error(errno),
            });
            assert_eq!(e.code, "io");
            let details = serde_json::to_value(&e.details).unwrap();
            assert_eq!(details["reason"], reason);
            assert_eq!(details["path"], "/exports/eacs.json");
            assert!(e.message.contains(words), "{}", e.message);
            assert!(e.message.contains("/exports/eacs.json"), "{}", e.message);
            assert!(e.message.contains("Nothing was changed"), "{}", e.message);
        }
    }

    #[test]
    fn in_the_app_no_message_tells_its_user_to_type_a_command() {
        for (cli, app) in [
            (
                "Delete the claim first (`eacdesk claims delete 3 --reason …`, or Claims → Delete…), make the change.",
                "Delete the claim first (Claims → Delete…), make the change.",
            ),
            (
                "There is no closed period number 4 in this database; list them with `eacdesk period ls`. Nothing was changed.",
                "There is no closed period number 4 in this database; list them in Evidence ▾ → Closed periods…. Nothing was changed.",
            ),
            (
                "Delete the EACs you do not want instead (`eacdesk delete`). Nothing was changed.",
                "Delete the EACs you do not want instead (Delete… in the toolbar). Nothing was changed.",
            ),
            (
                "Close it again with `eacdesk period close` if it should be closed.",
                "Close it again in Evidence ▾ → Closed periods… if it should be closed.",
            ),
            (
                "There is no consumption stored for account `acc-1` in this database; list what is stored with `eacdesk consumption ls`. Nothing was changed.",
                "There is no consumption stored for account `acc-1` in this database; list what is stored in the Consumption section of Claims…. Nothing was changed.",
            ),
            (
                "the database may be damaged (run `eacdesk check`)",
                "the database may be damaged (use Problems above the table)",
            ),
            (
                "Complete them (`eacdesk set`, or \"Complete fields\" in the app) or leave them out.",
                "Complete them (\"Complete fields\" in the app) or leave them out.",
            ),
            (
                "The audit log is broken at record 7 (x), so a pack made now would not verify. Run `eacdesk audit verify` and restore the database from a backup.",
                "The audit log is broken at record 7 (x), so a pack made now would not verify. Use History… and restore the database from a backup.",
            ),
            (
                "Give the version it has now (`version` in `eacdesk show S1-1 --json`)",
                "Give the version it has now (`version` in the EAC's detail pane once it is shown again)",
            ),
            (
                "no residual_mix factor for market NO in 2024; enter it with `eacdesk claims factor set`",
                "no residual_mix factor for market NO in 2024; enter it in the Claims report (“Enter…” by the factor)",
            ),
            (
                "The first day (--from) is not a date (2024-13-01).",
                "The first day (“First day”) is not a date (2024-13-01).",
            ),
        ] {
            assert_eq!(app_words(cli), app, "{cli}");
            let e = AppError::invalid_input(cli).in_app(None);
            assert!(!e.message.contains("`eacdesk"), "{}", e.message);
            assert!(!e.message.contains("--"), "{}", e.message);
        }
        // A setup step the app has no place for stays as said; a message
        // without a command is untouched.
        let server = "set it up with `eacdesk server init x` (as its owner)";
        assert_eq!(app_words(server), server);
        assert_eq!(app_words("plain `words`"), "plain `words`");
    }

    /// The claim that nothing was changed, said otherwise or left out
    /// with what joins it; a claim about one place is none.
    #[test]
    fn nothing_was_changed_is_said_otherwise_or_left_out() {
        let from = Some("nothing from b.json was imported");
        for (message, instead, said) in [
            (
                "The database is busy: X is writing to it. Nothing was changed; wait until it has finished and try again.",
                "The database is busy: X is writing to it. Nothing from b.json was imported; wait until it has finished and try again.",
                "The database is busy: X is writing to it. Wait until it has finished and try again.",
            ),
            (
                "EAC `e-01` lies in a closed reporting period and cannot be changed; nothing was changed. Period 1 (…) was closed.",
                "EAC `e-01` lies in a closed reporting period and cannot be changed; nothing from b.json was imported. Period 1 (…) was closed.",
                "EAC `e-01` lies in a closed reporting period and cannot be changed. Period 1 (…) was closed.",
            ),
            (
                "It would change what the claim counts, so nothing was changed. Delete the claim first.",
                "It would change what the claim counts, so nothing from b.json was imported. Delete the claim first.",
                "It would change what the claim counts. Delete the claim first.",
            ),
            (
                "your role on this server reads only (or may not change this): nothing was changed. Ask an analyst",
                "your role on this server reads only (or may not change this): nothing from b.json was imported. Ask an analyst",
                "your role on this server reads only (or may not change this). Ask an analyst",
            ),
            (
                "the connection to the server was lost, so nothing was saved (the server rolls back). Run it again",
                "the connection to the server was lost, so nothing from b.json was imported (the server rolls back). Run it again",
                "the connection to the server was lost (the server rolls back). Run it again",
            ),
            (
                "Read-only here. Nothing was changed.",
                "Read-only here. Nothing from b.json was imported.",
                "Read-only here.",
            ),
        ] {
            assert_eq!(unchanged_said(message, from), (instead.to_owned(), true));
            assert_eq!(unchanged_said(message, None), (said.to_owned(), true));
        }
        for untouched in [
            "Could not write /x.json: the disk is full. Nothing was changed there; free some space.",
            "the base URL is not valid; nothing was written to /out. Choose another.",
            "/x is a database. Nothing was written and it is untouched.",
            "No claim here.",
        ] {
            assert_eq!(unchanged_said(untouched, from), (untouched.to_owned(), false));
            assert_eq!(unchanged_said(untouched, None), (untouched.to_owned(), false));
        }
    }

    /// An edit on a version of an EAC that changed since keeps the app's
    /// words (the head, then "Reload it…") and carries what the command
    /// line says in its own: the EAC, the version and the change; never on
    /// the wire.
    #[test]
    fn an_edit_conflict_carries_its_parts_beside_the_apps_words() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("d.sqlite")).unwrap();
        let eacs: Vec<_> =
            eac_sample::generate(1, 1, eac_sample::SampleOptions::default()).collect();
        let id = eacs[0].cds_eac_id.clone();
        store
            .import_eacs("sample", &mut eacs.into_iter(), &eac_store::NoProgress)
            .unwrap();
        let seen = store.detail(&id).unwrap().version;
        let to = |who: &str| eac_store::BeneficiaryAssignment {
            beneficiary_type: eac_model::BeneficiaryType::Account,
            beneficiaries: vec![who.to_owned()],
        };
        crate::set_beneficiaries(&mut store, &id, &to("ACC-1"), "first", Some(seen)).unwrap();
        let e = crate::set_beneficiaries(&mut store, &id, &to("ACC-2"), "second", Some(seen))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Conflict);
        let changed = e.details.changed_since.clone().expect("typed");
        assert_eq!(
            (changed.cds_eac_id.as_str(), changed.seen),
            (id.as_str(), seen)
        );
        assert!(changed
            .change
            .starts_with("its beneficiaries were changed by "));
        assert_eq!(
            e.message,
            format!(
                "{} {}",
                changed.head("was changed after you opened it"),
                "Reload it to see the change, then make your edit again"
            )
        );
        assert_eq!(e.details.cds_eac_ids, Some(vec![id]));
        let wire = serde_json::to_value(&e).unwrap();
        assert!(wire["details"].get("changed_since").is_none(), "{wire}");
    }

    /// TEAM42 finding 4: the editor saving on the version it showed of an
    /// EAC another window deleted since is told who deleted it, when and
    /// why, as a conflict, never "check the id or import the file".
    #[test]
    fn an_edit_of_an_eac_deleted_since_names_the_deletion() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("d.sqlite");
        let mut store = Store::open(&path).unwrap();
        let eacs: Vec<_> =
            eac_sample::generate(1, 1, eac_sample::SampleOptions::default()).collect();
        let id = eacs[0].cds_eac_id.clone();
        store
            .import_eacs("sample", &mut eacs.into_iter(), &eac_store::NoProgress)
            .unwrap();
        let seen = store.detail(&id).unwrap().version;
        // Another window deletes it.
        let mut other = Store::open(&path).unwrap();
        other
            .delete_eacs(
                &eac_store::DeleteTarget::Ids(vec![id.clone()]),
                &eac_store::Reason::new("a duplicate").unwrap(),
                "ann",
                false,
                &eac_store::NoProgress,
            )
            .unwrap();
        let to = eac_store::BeneficiaryAssignment {
            beneficiary_type: eac_model::BeneficiaryType::Account,
            beneficiaries: vec!["ACC-1".to_owned()],
        };
        let e = crate::set_beneficiaries(&mut store, &id, &to, "mine", Some(seen)).unwrap_err();
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(
            e.message.starts_with(&format!(
                "EAC {id} was removed after you opened it (it was deleted by ann at "
            )),
            "{}",
            e.message
        );
        assert!(
            e.message.ends_with(
                " UTC: “a duplicate”); nothing was saved. It is no longer in this database (its \
                 history stays in the audit log); import it again to edit it"
            ),
            "{}",
            e.message
        );
        assert!(e.details.changed_since.as_ref().is_some_and(|c| c.removed));
        // Without the version it saw, the id is simply not there.
        let e = crate::set_beneficiaries(&mut store, &id, &to, "mine", None).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
    }

    #[test]
    fn plural_words() {
        assert_eq!(plural(1, "rule violation"), "1 rule violation");
        assert_eq!(plural(0, "warning"), "0 warnings");
    }
}
