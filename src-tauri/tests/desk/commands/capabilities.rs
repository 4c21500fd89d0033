//! What the window may call. build.rs declares every command of the list to
//! Tauri's access control, so a command runs only where a capability grants
//! it; `capabilities/default.json` grants the main window exactly the commands
//! the UI calls (through `ui/src/lib/api.ts`) and only listening to events.
//! These tests keep the list, the grants and the UI's calls equal: a new
//! command without its grant, a grant without a command, a command or a
//! wrapper the UI never calls each fail here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tauri::ipc::Origin;
use tauri::test::{mock_builder, MockRuntime};
use tauri::{Manager, WebviewWindowBuilder};

use super::{invoke, test_key_dir};

/// Listening to the app's events (progress, db-changed, close-requested and
/// files dropped on the window); never emitting them.
const EVENT_PERMISSIONS: [&str; 2] = ["core:event:allow-listen", "core:event:allow-unlisten"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn registered() -> BTreeSet<String> {
    crate::ipc::commands()
        .iter()
        .map(|c| c.name.to_owned())
        .collect()
}

/// `capabilities/default.json`: the app commands it grants (`allow-<command>`,
/// underscores spelt as hyphens) and its other permissions.
fn granted() -> (BTreeSet<String>, BTreeSet<String>) {
    let path = repo().join("src-tauri/capabilities/default.json");
    let capability: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(capability["windows"], json!(["main"]), "{capability}");
    let mut commands = BTreeSet::new();
    let mut others = BTreeSet::new();
    for permission in capability["permissions"].as_array().unwrap() {
        let permission = permission
            .as_str()
            .expect("permissions are plain identifiers (no scopes)");
        match permission.strip_prefix("allow-") {
            Some(command) if !permission.contains(':') => {
                commands.insert(command.replace('-', "_"));
            }
            _ => {
                others.insert(permission.to_owned());
            }
        }
    }
    (commands, others)
}

/// The words of `text` that follow `api` and a dot (`api.name`, also
/// across a line break: `api\n  .name`).
fn api_uses(text: &str) -> Vec<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut uses = Vec::new();
    for (at, _) in text.match_indices("api") {
        if text[..at].ends_with(ident) {
            continue;
        }
        let rest = text[at + 3..].trim_start();
        let Some(rest) = rest.strip_prefix('.') else {
            continue;
        };
        let rest = rest.trim_start();
        let name: String = rest.chars().take_while(|&c| ident(c)).collect();
        if !name.is_empty() {
            uses.push(name);
        }
    }
    uses
}

/// Every `.ts` and `.svelte` file under `dir`, tests and `api.ts` itself left out.
fn ui_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            ui_sources(&path, out);
        } else if (name.ends_with(".ts") || name.ends_with(".svelte"))
            && !name.ends_with(".test.ts")
            && name != "api.ts"
        {
            out.push(path);
        }
    }
}

/// `ui/src/lib/api.ts`: each wrapper of `export const api = {…}` with the
/// command it calls (`name: (…) => call("command", …)`).
fn ui_wrappers() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("ui/src/lib/api.ts")).unwrap();
    let start = text
        .find("export const api = {")
        .expect("api.ts exports `api`");
    let body = &text[start..];
    let body = &body[..body.find("\n};").expect("the api object ends with `};`")];
    let mut wrappers: Vec<(String, String)> = Vec::new();
    for line in body.lines().skip(1) {
        // A wrapper starts at two spaces: `  name: …`.
        if let Some(key) = line
            .strip_prefix("  ")
            .filter(|l| !l.starts_with(' '))
            .and_then(|l| l.split_once(':'))
            .map(|(k, _)| k)
            .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            wrappers.push((key.to_owned(), String::new()));
        }
        if let Some((_, after)) = line.split_once("call(\"") {
            let command = &after[..after.find('"').unwrap()];
            let last = wrappers.last_mut().expect("a call inside a wrapper");
            assert!(
                last.1.is_empty(),
                "api.{} calls two commands: {} and {command}",
                last.0,
                last.1
            );
            last.1 = command.to_owned();
        }
    }
    wrappers
}

fn listed(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

#[test]
fn the_window_is_granted_exactly_the_commands_the_ui_calls() {
    let commands = registered();
    let (grants, others) = granted();
    assert_eq!(
        others,
        EVENT_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
        "capabilities/default.json: besides the app's commands the window may only listen to \
         events (`core:event:default` would also let it emit them)"
    );
    let ungranted: BTreeSet<_> = commands.difference(&grants).cloned().collect();
    let unknown: BTreeSet<_> = grants.difference(&commands).cloned().collect();
    assert!(
        ungranted.is_empty() && unknown.is_empty(),
        "capabilities/default.json must grant every command of src-tauri/src/commands.rs and \
         no other: add \"allow-<command>\" (underscores as hyphens) for [{}]; remove the grants \
         of [{}]",
        listed(&ungranted),
        listed(&unknown)
    );

    let wrappers = ui_wrappers();
    let called: BTreeSet<String> = wrappers.iter().map(|(_, c)| c.clone()).collect();
    assert!(
        wrappers.iter().all(|(_, c)| !c.is_empty()),
        "every wrapper calls a command: {wrappers:?}"
    );
    let never_called: BTreeSet<_> = commands.difference(&called).cloned().collect();
    assert!(
        never_called.is_empty(),
        "commands ui/src/lib/api.ts never calls (remove them from the list, or call them): [{}]",
        listed(&never_called)
    );

    let mut files = Vec::new();
    ui_sources(&repo().join("ui/src"), &mut files);
    let used: BTreeSet<String> = files
        .iter()
        .flat_map(|f| api_uses(&std::fs::read_to_string(f).unwrap()))
        .collect();
    let unused: BTreeSet<String> = wrappers
        .iter()
        .filter(|(name, _)| !used.contains(name))
        .map(|(name, command)| format!("api.{name} ({command})"))
        .collect();
    assert!(
        unused.is_empty(),
        "wrappers of ui/src/lib/api.ts no part of the UI calls, so their commands are granted \
         for nothing (remove the wrapper and its command): [{}]",
        listed(&unused)
    );
}

/// The app as built: the real `tauri.conf.json`, capabilities and the app
/// manifest of build.rs (`generate_context!`), on the mock runtime.
fn built_app(dir: &Path) -> tauri::App<MockRuntime> {
    test_key_dir();
    eac_desk::with_database(mock_builder(), dir.join("test.sqlite"))
        .build(tauri::generate_context!())
        .unwrap()
}

#[test]
fn the_built_app_allows_each_command_to_the_main_window_only() {
    let mut context: tauri::Context<MockRuntime> = tauri::generate_context!();
    let authority = context.runtime_authority_mut();
    let allowed = |command: &str, window: &str| {
        authority
            .resolve_access(command, window, window, &Origin::Local)
            .is_some()
    };
    for command in registered() {
        assert!(
            allowed(&command, "main"),
            "{command} is not granted to the main window"
        );
        assert!(
            !allowed(&command, "other"),
            "{command} is granted to a window no capability names"
        );
    }
    assert!(allowed("plugin:event|listen", "main"));
    assert!(allowed("plugin:event|unlisten", "main"));
    assert!(!allowed("plugin:event|emit", "main"));
    assert!(!allowed("plugin:event|emit_to", "main"));
}

#[test]
fn a_window_no_capability_names_can_call_no_command() {
    let dir = tempfile::tempdir().unwrap();
    let app = built_app(dir.path());
    let main = match app.get_webview_window("main") {
        Some(window) => window,
        None => WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap(),
    };
    let other = WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .unwrap();

    let info = invoke(&main, "db_info", json!({})).expect("the main window reads db_info");
    assert_eq!(info["eac_count"], 0);
    let refused = invoke(&other, "db_info", json!({})).expect_err("refused to another window");
    assert!(refused.to_string().contains("not allowed"), "{refused}");
    // The UI listens to events but never sends them.
    let emitted = invoke(
        &main,
        "plugin:event|emit",
        json!({ "event": "db-changed", "payload": {} }),
    )
    .expect_err("the window may not emit");
    assert!(emitted.to_string().contains("not allowed"), "{emitted}");
}
