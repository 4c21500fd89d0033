//! Native file dialogs. Asynchronous (`rfd::AsyncFileDialog`), so the window
//! keeps painting while one is open. Each returns the chosen path(s), or
//! `None` when the person cancelled; the UI also has typed path fields, which
//! is how the end-to-end tests (which cannot drive native dialogs) get paths in.

use std::path::PathBuf;

use rfd::AsyncFileDialog;

fn json_dialog() -> AsyncFileDialog {
    AsyncFileDialog::new().add_filter("CDS JSON listing", &["json"])
}

fn text(path: PathBuf) -> String {
    path.to_string_lossy().into_owned()
}

pub async fn import_files() -> Option<Vec<String>> {
    let files = json_dialog()
        .set_title("Import EAC files")
        .pick_files()
        .await?;
    Some(
        files
            .into_iter()
            .map(|f| text(f.path().to_owned()))
            .collect(),
    )
}

pub async fn export_path(default_name: String) -> Option<String> {
    let file = json_dialog()
        .set_title("Export EACs")
        .set_file_name(default_name)
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
