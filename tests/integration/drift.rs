//! Drift guards between the UI and what documents it: every `data-testid`
//! the UI renders is listed in `ui/TESTIDS.md` (the E2E suite's contract),
//! and every id listed there is still rendered.
//!
//! The UI builds some ids from its shared components' props: `<ErrorNotice
//! testid="import-error">` renders `import-error`, `import-error-message`
//! and `import-error-dismiss`. The test follows those props (through
//! components that pass them on) to the literal values. A shared piece's
//! own parts may be documented once, generically, as `X-message`; ids made
//! in a loop (`col-{c.field}`) need at least one documented id of their prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The UI's sources, by component name (file stem): Svelte and TypeScript,
/// without the generated bindings and the unit tests.
fn ui_sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if path.is_dir() {
                if name != "bindings" {
                    walk(&path, out);
                }
            } else if (name.ends_with(".svelte") || name.ends_with(".ts"))
                && !name.ends_with(".test.ts")
                // The component tests' helper: only tests import it, and
                // its selector text is no id the UI renders.
                && name != "testMount.ts"
            {
                let stem = name.split('.').next().unwrap().to_owned();
                let text = fs::read_to_string(&path).unwrap();
                out.entry(stem).or_default().push_str(&text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&repo().join("ui/src"), &mut out);
    assert!(out.contains_key("App"), "ui/src/App.svelte not found");
    out
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.ends_with('-')
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `{prop}` or `{prop}-rest`: an id made from one of the component's props.
fn template(s: &str) -> Option<(&str, &str)> {
    let (prop, rest) = s.strip_prefix('{')?.split_once('}')?;
    (is_ident(prop) && (rest.is_empty() || (rest.starts_with('-') && is_id(&rest[1..]))))
        .then_some((prop, rest))
}

/// Text up to the `}` closing a `{` just before `s`.
fn braced(s: &str) -> &str {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

/// The double-quoted strings of `s`.
fn literals(s: &str) -> impl Iterator<Item = &str> {
    s.split('"').skip(1).step_by(2)
}

/// A component tag's text from after its name to its closing `>`, skipping
/// `>` inside `{…}` and quotes.
fn tag(s: &str) -> &str {
    let (mut depth, mut quote) = (0, None);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if depth == 0 => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => depth -= 1,
            (None, '>') if depth == 0 => return &s[..i],
            _ => {}
        }
    }
    s
}

/// `name="value"` attributes of a tag.
fn attributes(tag: &str) -> BTreeMap<&str, &str> {
    let mut out = BTreeMap::new();
    let mut rest = tag;
    while let Some(at) = rest.find("=\"") {
        let name = rest[..at]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap();
        let Some(end) = rest[at + 2..].find('"') else {
            break;
        };
        if is_ident(name) {
            out.insert(name, &rest[at + 2..at + 2 + end]);
        }
        rest = &rest[at + 2 + end + 1..];
    }
    out
}

#[derive(Default)]
struct Used {
    /// Ids the UI renders.
    ids: BTreeSet<String>,
    /// Prefixes of ids made in loops (`col-`).
    prefixes: BTreeSet<String>,
}

fn used_ids(sources: &BTreeMap<String, String>) -> Used {
    let mut used = Used::default();
    // Per component: ids made from its props, as `{prop}-rest`.
    let mut templates: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    // (component using it, component used, tag text).
    let mut usages = Vec::new();
    for (component, text) in sources {
        let own = templates.entry(component).or_default();
        for (at, _) in text.match_indices("data-testid=") {
            let value = &text[at + "data-testid=".len()..];
            if let Some(quoted) = value.strip_prefix('"') {
                let id = &quoted[..quoted.find('"').unwrap()];
                if !id.contains('{') {
                    used.ids.insert(id.to_owned());
                } else if template(id).is_some() {
                    own.insert(id.to_owned());
                } else {
                    used.prefixes.insert(id[..id.find('{').unwrap()].to_owned());
                }
            } else if let Some(expr) = value.strip_prefix('{') {
                let expr = braced(expr);
                if is_ident(expr) {
                    own.insert(format!("{{{expr}}}"));
                }
                used.ids
                    .extend(literals(expr).filter(|s| is_id(s)).map(str::to_owned));
            }
        }
        for (at, _) in text.match_indices('<') {
            let rest = &text[at + 1..];
            if rest.starts_with(|c: char| c.is_ascii_uppercase()) {
                let name_end = rest
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                usages.push((
                    component.as_str(),
                    &rest[..name_end],
                    tag(&rest[name_end..]),
                ));
            }
        }
    }
    // Follow props to literal values, through components passing them on.
    loop {
        let mut new_templates = Vec::new();
        for (owner, component, tag) in &usages {
            let attrs = attributes(tag);
            for t in templates.get(component).into_iter().flatten() {
                let (prop, rest) = template(t).unwrap();
                let Some(value) = attrs.get(prop) else {
                    continue;
                };
                let id = format!("{value}{rest}");
                if template(&id).is_some() {
                    new_templates.push((*owner, id));
                } else if is_id(&id) {
                    used.ids.insert(id);
                }
            }
        }
        let before: usize = templates.values().map(BTreeSet::len).sum();
        for (owner, t) in new_templates {
            templates.entry(owner).or_default().insert(t);
        }
        if templates.values().map(BTreeSet::len).sum::<usize>() == before {
            return used;
        }
    }
}

/// Every backticked word of `ui/TESTIDS.md`; `` `-cancel` `` after
/// `` `delete-progress` `` on a line stands for `delete-progress-cancel`.
fn documented() -> BTreeSet<String> {
    let text = fs::read_to_string(repo().join("ui/TESTIDS.md")).unwrap();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let mut last: Option<&str> = None;
        for token in line.split('`').skip(1).step_by(2) {
            match (token.strip_prefix('-'), last) {
                (Some(_), Some(base)) => {
                    out.insert(format!("{base}{token}"));
                }
                _ => {
                    out.insert(token.to_owned());
                    if is_id(token) {
                        last = Some(token);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn testids_md_lists_every_data_testid_the_ui_renders() {
    let sources = ui_sources();
    let used = used_ids(&sources);
    let doc = documented();
    // `X-message`: every id `b-message` whose `b` is documented.
    let generic: Vec<&str> = doc.iter().filter_map(|t| t.strip_prefix("X-")).collect();
    let is_documented = |id: &str| {
        doc.contains(id)
            || generic.iter().any(|suffix| {
                id.strip_suffix(suffix)
                    .and_then(|b| b.strip_suffix('-'))
                    .is_some_and(|b| doc.contains(b))
            })
    };
    let missing: Vec<&String> = used.ids.iter().filter(|id| !is_documented(id)).collect();
    let loose: Vec<&String> = used
        .prefixes
        .iter()
        .filter(|p| !doc.iter().any(|d| d.starts_with(p.as_str())))
        .collect();

    // Listed ids the UI no longer renders (attribute names and values in
    // the notes are not ids; one-word ids are not checked this way).
    let all_text: String = sources.values().map(String::as_str).collect();
    let quoted = |id: &str| {
        ['"', '\'']
            .iter()
            .any(|q| all_text.contains(&format!("{q}{id}{q}")))
    };
    let stale: Vec<&String> = doc
        .iter()
        .filter(|d| is_id(d) && d.contains('-'))
        .filter(|d| !["data-", "aria-"].iter().any(|p| d.starts_with(p)))
        .filter(|d| !used.ids.contains(*d) && !quoted(d))
        .filter(|d| !used.prefixes.iter().any(|p| d.starts_with(p.as_str())))
        .collect();

    assert!(
        missing.is_empty() && loose.is_empty() && stale.is_empty(),
        "ui/TESTIDS.md is out of date:\n\
         - rendered but not listed: {missing:?}\n\
         - made in a loop, no id of the prefix listed: {loose:?}\n\
         - listed but no longer rendered: {stale:?}"
    );
    // The scan itself works: it sees ids of every kind.
    for id in [
        "db-open",
        "import-error-message",
        "verify-progress-cancel",
        "export-errors-message",
    ] {
        assert!(
            used.ids.contains(id),
            "{id} not found in ui/src: the scan is broken"
        );
    }
}

/// The Open database dialog tells a server database from a file as `--db`
/// does: its list of libpq settings is the store's, and both read the
/// shared cases of `tests/fixtures/server-addresses.json` alike (the UI's
/// side in `ui/src/lib/openDb.test.ts`).
#[test]
fn the_open_database_dialog_and_the_store_name_servers_alike() {
    let ts = fs::read_to_string(repo().join("ui/src/lib/openDb.ts")).unwrap();
    let start = ts
        .find("const LIBPQ_SETTINGS = new Set([")
        .expect("openDb.ts lists LIBPQ_SETTINGS");
    let list = &ts[start..];
    let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
    let ui: BTreeSet<&str> = list
        .split(',')
        .map(|w| w.trim().trim_matches('"'))
        .filter(|w| !w.is_empty())
        .collect();
    let store: BTreeSet<&str> = eac_store::server::LIBPQ_SETTINGS.into_iter().collect();
    assert_eq!(ui, store, "ui/src/lib/openDb.ts LIBPQ_SETTINGS");
    let cases: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo().join("tests/fixtures/server-addresses.json")).unwrap(),
    )
    .unwrap();
    for case in cases["cases"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        assert_eq!(
            eac_store::server::names_server(text),
            case["server"].as_bool().unwrap(),
            "{text:?}"
        );
    }
}

/// The Export dialog's check of a P2 base URL, made as one types, takes
/// what the export takes and refuses what it refuses, in its words: both
/// read the shared cases of `tests/fixtures/base-urls.json` (the UI's side
/// in `ui/src/lib/refdata.test.ts`). Here, the export's own check; the
/// words compared without the backticks the command line puts around code.
#[test]
fn the_export_dialog_and_the_export_judge_base_urls_alike() {
    let cases: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo().join("tests/fixtures/base-urls.json")).unwrap(),
    )
    .unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert!(
        cases.len() > 20,
        "tests/fixtures/base-urls.json holds its cases"
    );
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let problem = eac_store::p2::base_url_problem(text);
        assert_eq!(
            problem.is_some(),
            case["refused"].as_bool().unwrap(),
            "{text:?}: {problem:?}"
        );
        let problem = problem.unwrap_or_default().replace('`', "");
        if let Some(says) = case["says"].as_str() {
            assert!(problem.contains(says), "{text:?}: {problem}");
        }
        if let Some(hides) = case["hides"].as_str() {
            assert!(!problem.contains(hides), "{text:?}: {problem}");
        }
    }
    // The UI's unit test reads the same file.
    let ui = fs::read_to_string(repo().join("ui/src/lib/refdata.test.ts")).unwrap();
    assert!(
        ui.contains("tests/fixtures/base-urls.json"),
        "ui/src/lib/refdata.test.ts reads the shared base URL cases"
    );
}
