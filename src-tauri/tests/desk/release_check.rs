//! The release check of `src-tauri/tauri.conf.json`
//! (`scripts/check-tauri-config.mjs`, run by `make release-check`): the
//! app's configuration passes, and each way of loosening its Content
//! Security Policy fails it, naming the directive.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn config() -> Value {
    let text = std::fs::read_to_string(repo().join("src-tauri/tauri.conf.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs the check on `config`: whether it passed, and what it printed.
fn check(config: &Value) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tauri.conf.json");
    std::fs::write(&path, serde_json::to_vec_pretty(config).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(repo().join("scripts/check-tauri-config.mjs"))
        .arg(&path)
        .arg(env!("CARGO_PKG_VERSION"))
        .output()
        .expect("node runs the release check (it builds the UI too)");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success(), said)
}

#[test]
fn the_apps_configuration_passes_the_release_check() {
    let (passed, said) = check(&config());
    assert!(passed, "{said}");
    assert!(!said.contains("FAIL"), "{said}");
}

#[test]
fn a_loosened_csp_fails_the_release_check_naming_the_directive() {
    // (directive, loosened value or null: left out, the line that fails)
    let loosened: &[(&str, Option<&str>, &str)] = &[
        ("style-src", Some("'self' 'unsafe-inline'"), "CSP style-src"),
        ("style-src", Some("'self' https:"), "CSP style-src"),
        ("style-src", Some("*"), "CSP style-src"),
        ("style-src", None, "CSP style-src"),
        (
            "img-src",
            Some("'self' data: https://example.com"),
            "CSP img-src",
        ),
        ("font-src", Some("*"), "CSP img-src and font-src"),
        (
            "connect-src",
            Some("ipc: http://ipc.localhost wss:"),
            "CSP connect-src",
        ),
        ("base-uri", Some("'self'"), "CSP base-uri"),
        ("base-uri", None, "CSP base-uri"),
        ("form-action", Some("https:"), "CSP form-action"),
        ("form-action", None, "CSP form-action"),
        ("frame-ancestors", Some("*"), "CSP frame-ancestors"),
        ("frame-ancestors", None, "CSP frame-ancestors"),
    ];
    for (directive, value, line) in loosened {
        let mut config = config();
        let csp = config["app"]["security"]["csp"].as_object_mut().unwrap();
        match value {
            Some(v) => csp.insert(directive.to_string(), Value::from(*v)),
            None => csp.remove(*directive),
        };
        let (passed, said) = check(&config);
        assert!(!passed, "{directive} {value:?} passed:\n{said}");
        assert!(
            said.lines().any(|l| l.contains("FAIL") && l.contains(line)),
            "{directive} {value:?}: no FAIL line naming {line}:\n{said}"
        );
    }
}

/// Everything under `dir` with one of `extensions`.
fn files(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, extensions, out);
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
}

#[test]
fn the_built_ui_sets_no_inline_style_the_csp_would_block() {
    // `style-src 'self'` blocks style attributes in markup and set with
    // setAttribute, and <style> elements; styles set through the CSSOM
    // (Svelte's `style:` and `style={…}`, `element.style`) apply. A
    // static `style="…"` in a component would end up in the bundle as
    // markup and be dropped without a word in the app.
    let mut built = Vec::new();
    files(&repo().join("ui/dist"), &["js", "html"], &mut built);
    assert!(
        !built.is_empty(),
        "ui/dist is built before the app compiles"
    );
    let blocked = [
        " style=\"",
        " style='",
        " style=\\\"",
        "<style",
        "setAttribute(`style`",
        "setAttribute(\"style\"",
        "setAttribute('style'",
    ];
    for file in built {
        let text = std::fs::read_to_string(&file).unwrap();
        for b in blocked {
            if let Some(at) = text.find(b) {
                let near = &text.as_bytes()[at.saturating_sub(80)..(at + 80).min(text.len())];
                panic!(
                    "{} sets an inline style ({b}), which the CSP blocks: …{}…\n\
                     Set it through the CSSOM instead (Svelte `style:name={{…}}`).",
                    file.display(),
                    String::from_utf8_lossy(near)
                );
            }
        }
    }
}
