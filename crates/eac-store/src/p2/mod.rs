//! Profile P2 (CDS-WG3-01 v1) as files: the bundle folder (`eacs.json`, one
//! detail file per EAC under `eacs/`, `server-metadata.json`, `FORMAT.md`)
//! written atomically, its import, and the "verified" action that moves
//! `cds_synced`.
//!
//! A bundle is built in a hidden temporary folder next to the destination,
//! checked (per-EAC P1 rules on the detail data, envelope rules, P2 order,
//! rule 18 on the metadata, and whatever the caller adds), synced and only
//! then swapped into place (see [`crate::atomic`]): the destination holds
//! the earlier bundle or the new one at every instant. Every bundle lists
//! the files it owns in a hidden [`BUNDLE_MARKER`]; an existing folder is
//! replaced only when it is empty or holds exactly a bundle's own files,
//! and only those files are removed.
//!
//! By job: [`bundle`] writes bundles, [`detail`] finds and reads detail
//! files, [`import`] imports P2, [`envelopes`] keeps envelope-only EACs,
//! [`verify`] moves `cds_synced`.

mod bundle;
mod detail;
mod envelopes;
mod import;
mod ledger;
mod verify;

use std::io;
use std::path::Path;

use crate::StoreError;

pub use bundle::{
    base_url_problem, detail_file_name, is_replaceable_bundle, BundleCheck, BUNDLE_MARKER,
};
pub(crate) use bundle::{
    bundle_home, export_p2, is_bundle_folder, remove_bundle_files, remove_finished_bundle,
    write_p2, FinishedBundle, SwappedBundle,
};
pub use detail::{
    check_detail, locate, open_detail, read_detail, DetailFile, DetailFolders, P2Source,
};
pub(crate) use envelopes::{
    envelope_only_count, envelope_only_ids, envelope_only_row, envelope_only_rows,
    refuse_envelope_only,
};
pub(crate) use import::import_p2;
pub use import::{detect_profile, looks_like_p2, DetectedProfile};
pub(crate) use verify::{
    mark_synced_by_latest_batch, mark_verified, synced_by_import, verify_reason, VerifyTarget,
};

/// The listing of a bundle.
pub const BUNDLE_LISTING: &str = "eacs.json";
/// The server metadata of a bundle.
pub const BUNDLE_METADATA: &str = "server-metadata.json";
/// The most of a `server-metadata.json` that is read: one is a few KB, and
/// anything far larger is no server metadata (a link to `/dev/zero` there
/// ran `validate` out of memory).
pub const METADATA_CAP: u64 = 16 << 20;
/// The description of EAC Desk's detail format, shipped in every bundle.
pub const BUNDLE_FORMAT_DOC: &str = "FORMAT.md";
/// The folder of detail files inside a bundle.
pub const BUNDLE_DETAILS: &str = "eacs";

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}
