//! Command-line options in a message, said as the app's fields: the app's
//! user has no command line, so "(--market)" becomes "(“Market” in the
//! claim form)", as [`crate::error::app_words`] turns an `eacdesk` command
//! into the app's menu or button. The libraries word their messages for
//! the command line; only the app's copy is reworded, here, whatever the
//! sentence around the option says.

/// Options the app has a field for, and that field in the app's words.
const APP_FIELDS: &[(&str, &str)] = &[
    ("--market", "“Market” in the claim form"),
    ("--bidding-zone", "“Bidding zone” in the claim form"),
    ("--beneficiary", "“Beneficiary” in the claim form"),
    ("--from", "“First day”"),
    ("--to", "“Last day”"),
    ("--claim", "a recorded claim's “Report”"),
];

/// `message` with each command-line option outside back quotes said as
/// where the app takes it: a field ("give --market" → "fill in “Market”
/// in the claim form"), the Allocate choice (`--only-passing ID`), or,
/// for `--details-from FOLDER` (the app reads detail files from a bundle
/// only), the bundle to import. An option the app has no words for is
/// left as it is; so is a back-quoted command.
pub(crate) fn options_in_app(message: &str) -> String {
    if !message.contains("--") {
        return message.to_owned();
    }
    let mut out = String::with_capacity(message.len() + 32);
    let mut quoted = false;
    let mut i = 0;
    while i < message.len() {
        let rest = &message[i..];
        if rest.starts_with('`') {
            quoted = !quoted;
        } else if !quoted && rest.starts_with("--") && at_word_start(&out) {
            if let Some(used) = rewrite_option(&mut out, message, i) {
                i += used;
                continue;
            }
        }
        let ch = rest.chars().next().expect("i is below the length");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn at_word_start(out: &str) -> bool {
    out.is_empty() || out.ends_with([' ', '(', '“', '"', '\''])
}

/// Rewrites the option starting at `message[at..]` into `out` (which may
/// change what `out` ends with: "give " → "fill in "); how many bytes of
/// `message` it used, or `None` for an option the app has no words for.
fn rewrite_option(out: &mut String, message: &str, at: usize) -> Option<usize> {
    let name_len = message[at + 2..]
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || *b == b'-')
        .count();
    if name_len == 0 {
        return None;
    }
    let flag = &message[at..at + 2 + name_len];
    let after = at + 2 + name_len;
    let (arg, arg_len) = argument(&message[after..], flag == "--only-passing");
    let used = 2 + name_len + arg_len;
    match flag {
        "--only-passing" => {
            let name = arg.and_then(rule_set_name);
            let words = match name {
                Some(name) => format!("“only values passing {name}” under Allocate"),
                None => "“only values passing …” under Allocate".to_owned(),
            };
            // a rule set's id that is not one names nothing: keep it out of the words
            let used = if arg.is_some() && name.is_none() {
                2 + name_len
            } else {
                used
            };
            out.push_str(&words);
            Some(used)
        }
        "--details-from" => {
            details_from_in_app(out);
            Some(used)
        }
        "--claim" if out.ends_with("without ") => {
            out.truncate(out.len() - "without ".len());
            out.push_str("with “Check” rather than a recorded claim's “Report”");
            Some(used)
        }
        _ => {
            let (_, words) = APP_FIELDS.iter().find(|(f, _)| *f == flag)?;
            for (cli, app) in [("give ", "fill in "), ("with ", "in "), ("as ", "in ")] {
                if out.ends_with(cli) {
                    out.truncate(out.len() - cli.len());
                    out.push_str(app);
                    break;
                }
            }
            out.push_str(words);
            Some(used)
        }
    }
}

/// The option's argument right after it: a placeholder (`ID`, `FOLDER`)
/// or, when `ids` (`--only-passing`), a word of lower-case letters, digits
/// and dashes (a rule set's id), with its length including the space
/// before it. Any other word is the sentence going on.
fn argument(rest: &str, ids: bool) -> (Option<&str>, usize) {
    let Some(word) = rest.strip_prefix(' ') else {
        return (None, 0);
    };
    let len = word
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        .count();
    let token = &word[..len];
    let placeholder = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit());
    let id = ids
        && !token.is_empty()
        && token.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if placeholder {
        (None, 1 + len)
    } else if id {
        (Some(token), 1 + len)
    } else {
        (None, 0)
    }
}

fn rule_set_name(id: &str) -> Option<&'static str> {
    eac_claims::rules::rule_sets()
        .into_iter()
        .find(|r| r.id == id)
        .map(|r| r.name)
}

/// `--details-from FOLDER` ends `out`'s clause: the app has no such
/// folder to name (it reads a P2 listing's detail files from the bundle
/// the listing is in). "…, or name the folder … with" loses its
/// alternative; a clause that only names the folder becomes the bundle
/// to import, keeping the detail file it named in brackets.
fn details_from_in_app(out: &mut String) {
    let alternative = out.rfind(" or ");
    let clause_start = [out.rfind(": "), out.rfind("; ")]
        .into_iter()
        .flatten()
        .max()
        .map(|at| at + 2);
    if let Some(or) = alternative.filter(|or| clause_start.is_none_or(|c| *or >= c)) {
        out.truncate(or);
        return;
    }
    let start = clause_start.unwrap_or(0);
    let clause = out[start..].to_owned();
    let named = bracketed(&clause)
        .map(|b| format!(" ({b})"))
        .unwrap_or_default();
    out.truncate(start);
    // "…read only from a folder you name:" — the app names none
    const NAMED_FOLDER: &str = "so its detail files are read only from a folder you name: ";
    if out.ends_with(NAMED_FOLDER) {
        out.truncate(out.len() - NAMED_FOLDER.len());
        out.push_str("so EAC Desk cannot find its detail files: ");
    }
    out.push_str(&format!(
        "put it in a bundle and import the bundle folder (the listing as eacs.json, the detail \
         file{named} in the eacs/ folder beside it)"
    ));
}

/// The text inside the first brackets of `clause`, brackets inside it kept.
fn bracketed(clause: &str) -> Option<&str> {
    let open = clause.find('(')?;
    let mut depth = 0usize;
    for (i, c) in clause[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&clause[open + 1..open + i]);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_becomes_the_field_the_app_takes_it_in() {
        for (cli, app) in [
            (
                "the claim names no market: give the market of the consumption (--market)",
                "the claim names no market: give the market of the consumption (“Market” in the claim form)",
            ),
            (
                "residual-mix emissions: the claim names no market (give --market) to find its residual-mix factor",
                "residual-mix emissions: the claim names no market (fill in “Market” in the claim form) to find its residual-mix factor",
            ),
            (
                "the claim names no bidding zone: give the consumption's zone (--bidding-zone)",
                "the claim names no bidding zone: give the consumption's zone (“Bidding zone” in the claim form)",
            ),
            (
                "Name the beneficiary the claim is for (--beneficiary ID).",
                "Name the beneficiary the claim is for (“Beneficiary” in the claim form).",
            ),
            (
                "The claim ends (2024-01-01) before it begins (2024-02-01); give the first day as --from and the last day as --to.",
                "The claim ends (2024-01-01) before it begins (2024-02-01); give the first day in “First day” and the last day in “Last day”.",
            ),
            (
                "The first day (--from) is not a date",
                "The first day (“First day”) is not a date",
            ),
            (
                "surplus: not part of a recorded claim's statement; report the claim given in full, without --claim, to see what is free now",
                "surplus: not part of a recorded claim's statement; report the claim given in full, with “Check” rather than a recorded claim's “Report”, to see what is free now",
            ),
        ] {
            assert_eq!(options_in_app(cli), app, "{cli}");
        }
    }

    #[test]
    fn only_passing_names_the_allocate_choice_and_its_rule_set() {
        assert_eq!(
            options_in_app(
                "it lies outside the period, so only a claim limited to this rule set (--only-passing re100) allocates it"
            ),
            "it lies outside the period, so only a claim limited to this rule set (“only values passing RE100 technical criteria” under Allocate) allocates it"
        );
        assert_eq!(
            options_in_app("allocated only by a claim limited to this rule set (--only-passing)"),
            "allocated only by a claim limited to this rule set (“only values passing …” under Allocate)"
        );
        assert_eq!(
            options_in_app("Leave those values out (e.g. --only-passing re100) or compute"),
            "Leave those values out (e.g. “only values passing RE100 technical criteria” under Allocate) or compute"
        );
    }

    #[test]
    fn details_from_becomes_the_bundle_to_import() {
        assert_eq!(
            options_in_app(
                "the detail file /x/b3/eacs/1.json is missing; copy the detail file into /x/b3/eacs or name the folder it is in with --details-from FOLDER"
            ),
            "the detail file /x/b3/eacs/1.json is missing; copy the detail file into /x/b3/eacs"
        );
        assert_eq!(
            options_in_app(
                "the listing is not inside a bundle (a `eacs.json` with an `eacs/` folder beside it), so its detail files are read only from a folder you name: name the folder that holds the detail file (\"file:///d/1.json\") with --details-from FOLDER"
            ),
            "the listing is not inside a bundle (a `eacs.json` with an `eacs/` folder beside it), so EAC Desk cannot find its detail files: put it in a bundle and import the bundle folder (the listing as eacs.json, the detail file (\"file:///d/1.json\") in the eacs/ folder beside it)"
        );
        // reworded around the option, it still names no option
        let other = options_in_app("name its folder with --details-from FOLDER, then import again");
        assert!(!other.contains("--"), "{other}");
    }

    #[test]
    fn commands_unknown_options_and_dashes_are_left_alone() {
        for kept in [
            "delete the copy (`eacdesk delete CDS_EAC_ID --reason …`)",
            "use --frobnicate to do it",
            "2024-01-01 — 2024-02-01",
            "a--b",
            "plain words",
        ] {
            assert_eq!(options_in_app(kept), kept);
        }
    }
}
