//! Case folding for search: names from European registries (`Ørsted`,
//! `Énergie`) must be found by whatever case the analyst types. SQLite's
//! `LIKE` folds ASCII letters only, so searchable text (the EAC search index,
//! reference-data ids and labels) is stored folded when written, queries are
//! folded the same way, and `eacdesk_fold()` gives SQL (migration 0005, which
//! folds text stored by older versions) the very same folding.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

/// Unicode lowercase, with the Greek final sigma as σ: what both the
/// stored search text and a query become. Lowercase alone writes Σ at the
/// end of a word as ς, so the start of a name typed in capitals (`ΟΔΥΣ`)
/// would not find the name (`ΟΔΥΣΣΕΑΣ`, stored `οδυσσεας`); one σ for
/// both makes the fold the same wherever the letter stands (decision 258,
/// migration 0021).
pub(crate) fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    match lower.contains('ς') {
        true => lower.replace('ς', "σ"),
        false => lower,
    }
}

/// Registers `eacdesk_fold(text)` on a connection (every connection the
/// store opens has it; migrations use it).
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "eacdesk_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|t| fold(&t))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_beyond_ascii_and_sql_folds_alike() {
        assert_eq!(
            fold("Ørsted ÉNERGIE Café REGO-1"),
            "ørsted énergie café rego-1"
        );
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let folded: Option<String> = conn
            .query_row("SELECT eacdesk_fold('ØRESUND Kraft')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(folded.as_deref(), Some("øresund kraft"));
        // Σ folds alike wherever it stands (decision 258).
        assert_eq!(fold("ΟΔΥΣΣΕΑΣ Energy"), "οδυσσεασ energy");
        assert_eq!(fold("ΟΔΥΣ"), "οδυσ");
        assert!(fold("ΟΔΥΣΣΕΑΣ Energy").contains(&fold("ΟΔΥΣ")));
        assert_eq!(fold("Οδυσσεύς"), "οδυσσεύσ");
        let null: Option<String> = conn
            .query_row("SELECT eacdesk_fold(NULL)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(null, None);
    }
}
