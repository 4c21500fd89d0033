//! Case folding for search: names from European registries (`Ørsted`,
//! `Énergie`) must be found by whatever case the analyst types. SQLite's
//! `LIKE` folds ASCII letters only, so searchable text (the EAC search index,
//! reference-data ids and labels) is stored folded when written, queries are
//! folded the same way, and `eacdesk_fold()` gives SQL (migration 0005, which
//! folds text stored by older versions) the very same folding.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Unicode lowercase, with the Greek final sigma as σ, in Unicode
/// normalization form C: what both the stored search text and a query
/// become. Lowercase alone writes Σ at the end of a word as ς, so the start
/// of a name typed in capitals (`ΟΔΥΣ`) would not find the name
/// (`ΟΔΥΣΣΕΑΣ`, stored `οδυσσεας`); one σ for both makes the fold the same
/// wherever the letter stands (decision 258, migration 0021). `é` may be
/// written as one character or as `e` and a combining accent (NFD, as
/// macOS saves names): both look the same and are the same text, so both
/// fold to the one character (NFC), whichever a file or a query holds.
pub(crate) fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    let lower = match lower.contains('ς') {
        true => lower.replace('ς', "σ"),
        false => lower,
    };
    match is_nfc_quick(lower.chars()) {
        IsNormalized::Yes => lower,
        IsNormalized::No | IsNormalized::Maybe => lower.nfc().collect(),
    }
}

/// A name a person gives (a saved column mapping's) as names are told
/// apart: [`fold`]ed, so that names differing only in case, or in how an
/// accent is written (`É` as one character, or as `E` and a combining
/// accent, as macOS saves names), are one name.
pub fn name_key(name: &str) -> String {
    fold(name)
}

/// Whether `a` and `b` are the same text, whichever way each writes its
/// accents (equal once both are in Unicode normalization form C); case
/// counts.
pub fn canonically_equal(a: &str, b: &str) -> bool {
    a == b || a.nfc().eq(b.nfc())
}

/// The spellings of `text` a person means by it: `text` as typed, then its
/// Unicode normalization forms C and D, each once. `É` typed on a keyboard
/// (one character) and `É` saved by macOS (`E` and a combining accent) look
/// the same and are the same text, so an exact filter or an id looked up
/// matches either (decision 140 compares exactly: case and substrings
/// still count). Stored text is never rewritten: exports stay byte-exact.
pub(crate) fn spellings(text: &str) -> Vec<String> {
    let mut out = vec![text.to_owned()];
    for form in [text.nfc().collect::<String>(), text.nfd().collect()] {
        if !out.contains(&form) {
            out.push(form);
        }
    }
    out
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

    /// Tester 35, finding 3: `Énergie Café` typed or saved with combining
    /// accents (NFD, as macOS saves names) and with precomposed letters
    /// (NFC) look the same and fold the same; SQL folds alike.
    #[test]
    fn canonically_equal_text_folds_the_same() {
        let nfc = "\u{c9}nergie Caf\u{e9} \u{d8}rsted \u{1f08}\u{345}";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(&nfd), fold(nfc));
        assert_eq!(fold(&nfd), "\u{e9}nergie caf\u{e9} \u{f8}rsted \u{1f80}");
        assert!(fold(&nfd).contains(&fold("CAF\u{c9}")));
        assert!(fold(nfc).contains(&fold("cafe\u{301}")));
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let folded: String = conn
            .query_row("SELECT eacdesk_fold(?1)", [&nfd], |r| r.get(0))
            .unwrap();
        assert_eq!(folded, fold(nfc));
        // Every character with a decomposition folds the same either way.
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            let text = c.to_string();
            let (nfc, nfd): (String, String) = (text.nfc().collect(), text.nfd().collect());
            assert_eq!(fold(&nfc), fold(&nfd), "U+{:04X}", c as u32);
        }
    }
}
