//! The registry readers on fixture files: every field a user would see,
//! and every pitfall a real file brings, asserted per format.

mod energytag;
mod mapped;
mod mrets;
mod quotes;
mod robust;

use std::path::PathBuf;

use eac_registry::{RangeRecord, ReadError};

/// The bytes of `tests/fixtures/<path>`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// A range's numbers, energy and period as text, for compact assertions.
pub fn summary(r: &RangeRecord) -> (String, String, String, String, String, String, String) {
    (
        r.first.clone(),
        r.last.clone(),
        r.count.as_str().to_owned(),
        format!("{} {}", r.per_certificate.as_str(), r.unit.as_str()),
        r.status.as_str().to_owned(),
        r.period_start.to_string(),
        r.period_end.to_string(),
    )
}

/// The message of an error, after checking where it points.
pub fn message_at(err: ReadError, at: eac_registry::Locator) -> String {
    assert_eq!(err.at, at, "wrong place for: {}", err.message);
    err.message
}

/// `bytes` (UTF-8) as a spreadsheet's "Unicode text" saves them: UTF-16
/// with a byte order mark, little- or big-endian.
pub fn utf16(bytes: &[u8], little_endian: bool) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

pub fn facts(r: &RangeRecord) -> Vec<(&str, &str)> {
    r.facts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
