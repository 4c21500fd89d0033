//! How messages say a few common things, written once: a list cut to its
//! first few ("`a`, `b` and 3 more") and a clause said as a sentence.

use std::fmt::{Display, Write as _};

/// The first `limit` of `items` as the message names them (each caller
/// quotes its own), joined by ", ", then how many of `total` (all there
/// are, named or not) that leaves unnamed: "`a`, `b` and 3 more"; all of
/// them named, only the names.
pub fn first_named<T: Display>(
    items: impl IntoIterator<Item = T>,
    limit: usize,
    total: usize,
) -> String {
    cut_list(items, limit, total, ", ", "")
}

/// [`first_named`] saying what the unnamed ones are: with `noun`
/// "ranges", "`a`, `b` and 3 more ranges".
pub fn first_named_of<T: Display>(
    items: impl IntoIterator<Item = T>,
    limit: usize,
    total: usize,
    noun: &str,
) -> String {
    cut_list(items, limit, total, ", ", noun)
}

/// [`first_named`] for items that hold commas themselves, joined by "; ":
/// "a: x, y; b: z and 3 more".
pub fn first_named_by_semicolons<T: Display>(
    items: impl IntoIterator<Item = T>,
    limit: usize,
    total: usize,
) -> String {
    cut_list(items, limit, total, "; ", "")
}

/// The list: the count follows the last name as " and 3 more", whatever
/// joins the names (no separator before its "and").
fn cut_list<T: Display>(
    items: impl IntoIterator<Item = T>,
    limit: usize,
    total: usize,
    separator: &str,
    noun: &str,
) -> String {
    let mut text = String::new();
    let mut named = 0;
    for item in items.into_iter().take(limit) {
        if named > 0 {
            text.push_str(separator);
        }
        let _ = write!(text, "{item}");
        named += 1;
    }
    let more = total.saturating_sub(named);
    if more > 0 {
        let and = if named > 0 { " and " } else { "" };
        let _ = write!(text, "{and}{more} more");
        if !noun.is_empty() {
            let _ = write!(text, " {noun}");
        }
    }
    text
}

/// `text` with its first letter capitalised, a clause said as a sentence:
/// `line 4: …` → `Line 4: …`.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("`e-{i}`")).collect()
    }

    #[test]
    fn a_list_is_cut_after_its_limit_and_says_how_many_more() {
        let said = |n: usize| first_named(ids(n), 3, n);
        assert_eq!(said(0), "");
        assert_eq!(said(1), "`e-1`");
        assert_eq!(said(2), "`e-1`, `e-2`");
        assert_eq!(said(3), "`e-1`, `e-2`, `e-3`");
        assert_eq!(said(4), "`e-1`, `e-2`, `e-3` and 1 more");
        assert_eq!(said(50), "`e-1`, `e-2`, `e-3` and 47 more");
    }

    #[test]
    fn the_total_may_count_more_than_the_items_given() {
        // The caller holds only the first few (a page, a sample).
        assert_eq!(first_named(ids(2), 10, 7), "`e-1`, `e-2` and 5 more");
        assert_eq!(first_named(ids(0), 10, 7), "7 more");
        // A total below the items given names them and says no more.
        assert_eq!(first_named(ids(2), 10, 0), "`e-1`, `e-2`");
    }

    #[test]
    fn the_unnamed_ones_can_be_counted_with_a_noun() {
        assert_eq!(
            first_named_of(["1-2", "5-9", "11-12", "20-21"], 3, 4, "ranges"),
            "1-2, 5-9, 11-12 and 1 more ranges"
        );
        assert_eq!(first_named_of(["1-2"], 3, 1, "ranges"), "1-2");
    }

    #[test]
    fn a_semicolon_list_says_its_count_as_a_comma_list_does() {
        let items = ["a: x, y", "b: z", "c: w"];
        assert_eq!(
            first_named_by_semicolons(items, 2, 3),
            "a: x, y; b: z and 1 more"
        );
        assert_eq!(first_named_by_semicolons(items, 2, 2), "a: x, y; b: z");
        assert_eq!(first_named_by_semicolons(items, 1, 1), "a: x, y");
    }

    #[test]
    fn capitalised_raises_only_the_first_letter() {
        assert_eq!(capitalised("line 4: a `b`"), "Line 4: a `b`");
        assert_eq!(capitalised("élan"), "Élan");
        assert_eq!(capitalised(""), "");
    }
}
