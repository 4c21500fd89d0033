//! Native file dialogs. Asynchronous (`rfd::AsyncFileDialog`), so the window
//! keeps painting while one is open. Each returns the chosen path(s), or
//! `None` when the person cancelled; the UI also has typed path fields, which
//! is how the end-to-end tests (which cannot drive native dialogs) get paths in.

use std::path::PathBuf;

use rfd::AsyncFileDialog;

fn json_dialog() -> AsyncFileDialog {
    AsyncFileDialog::new().add_filter("CDS JSON listing", &["json"])
}

/// Every export dialog (P1 file, P2 bundle, evidence pack, table) with the
/// name it proposes: `proposal` is a name or a path
/// (`/home/ana/exports/eacs-2026-12-02.json`). The dialog starts in the
/// proposal's folder when it exists, else in the folder of the last export
/// (from the settings file) when it still exists, else where it likes.
fn export_dialog(dialog: AsyncFileDialog, proposal: &str) -> (AsyncFileDialog, String) {
    let (start, name) = split_proposal(proposal);
    match start.or_else(last_export_folder) {
        Some(folder) => (dialog.set_directory(folder), name),
        None => (dialog, name),
    }
}

/// The folder of the last export, when it still exists.
fn last_export_folder() -> Option<PathBuf> {
    eac_app::load_settings()
        .ok()
        .and_then(|l| l.settings.last_export_folder)
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
}

fn text(path: PathBuf) -> String {
    path.to_string_lossy().into_owned()
}

fn texts(files: Vec<rfd::FileHandle>) -> Vec<String> {
    files
        .into_iter()
        .map(|f| text(f.path().to_owned()))
        .collect()
}

/// The picker's filters for every kind of file `import` reads, "All
/// supported files" first (the one selected when the dialog opens).
pub const IMPORT_FILTERS: &[(&str, &[&str])] = &[
    ("All supported files", &["json", "csv", "xml", "pdf", "txt"]),
    ("CDS EAC listings and EnergyTag bundles (JSON)", &["json"]),
    ("Registry reports and exports (CSV)", &["csv", "txt"]),
    ("Ofgem certificates reports (XML)", &["xml"]),
    ("Registry statements (PDF)", &["pdf"]),
];

/// What to import: CDS listings (a P1 file, a P2 `eacs.json`, whose bundle
/// is found next to it) and registry documents of every format.
pub async fn import_files() -> Option<Vec<String>> {
    let dialog = IMPORT_FILTERS
        .iter()
        .fold(AsyncFileDialog::new(), |d, (name, extensions)| {
            d.add_filter(*name, extensions)
        });
    let files = dialog.set_title("Import EAC files").pick_files().await?;
    Some(texts(files))
}

/// Accounts / service contracts listings (JSON) and programs lists (CSV or JSON).
pub async fn refdata_files() -> Option<Vec<String>> {
    let files = AsyncFileDialog::new()
        .add_filter("Accounts, service contracts or programs", &["json", "csv"])
        .set_title("Import reference data")
        .pick_files()
        .await?;
    Some(texts(files))
}

/// Where a P2 bundle folder goes: the person picks the parent folder and the
/// bundle is created inside it under `default_name` (a folder that does not
/// exist yet cannot be picked in most native dialogs).
pub async fn export_folder(default_name: String) -> Option<String> {
    let (dialog, name) = export_dialog(AsyncFileDialog::new(), &default_name);
    let parent = dialog
        .set_title("Choose the folder to put the bundle in")
        .pick_folder()
        .await?;
    Some(text(parent.path().join(name)))
}

/// A proposed path (`/home/ana/exports/eacs-2026-12-02.json`) as the folder
/// the dialog starts in (when it exists) and the name it proposes; a bare
/// name starts wherever the dialog likes.
fn split_proposal(proposal: &str) -> (Option<PathBuf>, String) {
    let path = std::path::Path::new(proposal);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| proposal.to_owned());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && p.is_dir())
        .map(std::path::Path::to_path_buf);
    (dir, name)
}

/// Where a new evidence pack goes: the parent folder, with the pack folder
/// `default_name` inside it (as [`export_folder`]).
pub async fn pack_folder(default_name: String) -> Option<String> {
    let (dialog, name) = export_dialog(AsyncFileDialog::new(), &default_name);
    let parent = dialog
        .set_title("Choose the folder to put the evidence pack in")
        .pick_folder()
        .await?;
    Some(text(parent.path().join(name)))
}

/// An evidence pack folder (the one holding `MANIFEST.json`).
pub async fn pack() -> Option<String> {
    let folder = AsyncFileDialog::new()
        .set_title("Choose the evidence pack folder to verify")
        .pick_folder()
        .await?;
    Some(text(folder.path().to_owned()))
}

pub async fn export_path(default_name: String) -> Option<String> {
    let (dialog, name) = export_dialog(json_dialog(), &default_name);
    let file = dialog
        .set_title("Export EACs")
        .set_file_name(name)
        .save_file()
        .await?;
    Some(text(file.path().to_owned()))
}

/// An existing database, or (`create`) a new file name.
pub async fn database(create: bool) -> Option<String> {
    let dialog = AsyncFileDialog::new().add_filter("EAC Desk database", &["sqlite", "db"]);
    let file = if create {
        dialog
            .set_title("New EAC Desk database")
            .set_file_name("eacdesk.sqlite")
            .save_file()
            .await?
    } else {
        dialog
            .set_title("Open an EAC Desk database")
            .pick_file()
            .await?
    };
    Some(text(file.path().to_owned()))
}

/// Where a copy of a stored source document goes; the dialog suggests its
/// original file name, made safe to offer.
pub async fn source_path(file_name: &str) -> Option<String> {
    let file = AsyncFileDialog::new()
        .set_title("Save a copy of the source document")
        .set_file_name(suggested_name(file_name))
        .save_file()
        .await?;
    Some(text(file.path().to_owned()))
}

/// A file name as stored (it came from the user's disk or another system)
/// made safe to suggest: only its last path component, no control
/// characters, no leading dots (a hidden file) and never empty.
pub fn suggested_name(file_name: &str) -> String {
    let last = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        "source-document".to_owned()
    } else {
        clean.to_owned()
    }
}

/// A consumption CSV to import (one file: its rows are imported whole or
/// not at all).
pub async fn consumption_file() -> Option<String> {
    let file = AsyncFileDialog::new()
        .add_filter("Consumption (CSV)", &["csv", "txt"])
        .set_title("Import consumption")
        .pick_file()
        .await?;
    Some(text(file.path().to_owned()))
}

/// Where a claim's report CSV goes.
pub async fn claim_report_path(default_name: String) -> Option<String> {
    let (dialog, name) = export_dialog(
        AsyncFileDialog::new().add_filter("CSV", &["csv"]),
        &default_name,
    );
    let file = dialog
        .set_title("Export the claim report")
        .set_file_name(name)
        .save_file()
        .await?;
    Some(text(file.path().to_owned()))
}

/// Where an exported table view goes: a `.csv` or `.xlsx` file name.
pub async fn table_path(default_name: String, format: eac_app::TableFormat) -> Option<String> {
    let dialog = match format {
        eac_app::TableFormat::Csv => AsyncFileDialog::new().add_filter("CSV", &["csv"]),
        eac_app::TableFormat::Xlsx => {
            AsyncFileDialog::new().add_filter("Excel workbook", &["xlsx"])
        }
    };
    let (dialog, name) = export_dialog(dialog, &default_name);
    let file = dialog
        .set_title("Export the table")
        .set_file_name(name)
        .save_file()
        .await?;
    Some(text(file.path().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::{split_proposal, suggested_name, IMPORT_FILTERS};

    #[test]
    fn a_proposed_path_starts_the_dialog_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let proposal = dir.path().join("eacs-2026-12-02.json");
        let (start, name) = split_proposal(&proposal.display().to_string());
        assert_eq!(start.as_deref(), Some(dir.path()));
        assert_eq!(name, "eacs-2026-12-02.json");
        // a bare name, or a folder that does not exist: the dialog's own start
        assert_eq!(split_proposal("eacs.json"), (None, "eacs.json".to_owned()));
        let (start, name) = split_proposal("/no/such/folder/eacs.json");
        assert_eq!((start, name.as_str()), (None, "eacs.json"));
    }

    #[test]
    fn a_suggested_name_is_one_safe_file_name() {
        assert_eq!(suggested_name("statement.pdf"), "statement.pdf");
        assert_eq!(suggested_name("../../etc/passwd"), "passwd");
        assert_eq!(suggested_name(r"C:\Users\a\rego.csv"), "rego.csv");
        assert_eq!(suggested_name("a\u{1b}[31m:b?.csv"), "a_[31m_b_.csv");
        assert_eq!(suggested_name(".hidden"), "hidden");
        assert_eq!(suggested_name(" .. "), "source-document");
        assert_eq!(suggested_name("dir/"), "source-document");
    }

    #[test]
    fn the_import_picker_offers_every_kind_with_all_supported_files_first() {
        let (first, all) = IMPORT_FILTERS[0];
        assert_eq!(first, "All supported files");
        // CDS and EnergyTag JSON, registry CSV, Ofgem XML, statement PDFs.
        for ext in ["json", "csv", "xml", "pdf"] {
            assert!(all.contains(&ext), "{ext} is not in {all:?}");
            assert!(
                IMPORT_FILTERS[1..].iter().any(|(_, e)| e.contains(&ext)),
                "no filter of its own for {ext}"
            );
        }
        // "All supported files" is exactly the union of the others.
        for (name, extensions) in &IMPORT_FILTERS[1..] {
            for ext in *extensions {
                assert!(
                    all.contains(ext),
                    "{name}: {ext} is missing from the first filter"
                );
            }
        }
    }
}
