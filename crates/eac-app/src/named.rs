//! Files read from a path the user named (a command's argument, a file
//! chosen in the app, the key or settings file in a folder an environment
//! variable names): opened once by `eac_store::regular::open_following`,
//! as refdata import (4692f54) and mapping files are, so that a named pipe
//! is never waited on (a plain open blocked until the process was killed)
//! and a device such as `/dev/zero`, or a link to one, is never read
//! without end. A file read whole into memory is read to at most a cap,
//! which its refusal says with what to check; a file read as a stream
//! needs none.

use std::fs::File;
use std::io;
use std::path::Path;

use eac_store::regular::{open_following, read_capped, Regular};

use crate::AppError;

/// The refusal of something that is not a regular file at `path` (`kind`:
/// `a named pipe`, `a device file` …): "`path` is a named pipe, not a
/// regular file: `reads`, never from a pipe or device; nothing was read
/// from it. `todo`".
pub(crate) fn not_regular(path: &Path, kind: &str, reads: &str, todo: &str) -> AppError {
    AppError::invalid_input(format!(
        "{} is {kind}, not a regular file: {reads}, never from a pipe or device; nothing was \
         read from it. {todo}",
        path.display()
    ))
}

/// Opens `path`, a file the user named (links followed), as a regular
/// file: a named pipe, device or socket is refused by [`not_regular`]
/// with `reads` and `todo`, neither opened nor waited on. A folder is the
/// plain I/O failure ("is a directory"), nothing there the plain "does not
/// exist".
pub(crate) fn open_named(path: &Path, reads: &str, todo: &str) -> Result<File, AppError> {
    let failed = |e: io::Error| AppError::io(path, &e);
    match open_following(path).map_err(failed)? {
        Regular::File(file) => Ok(file),
        Regular::Missing => Err(failed(io::ErrorKind::NotFound.into())),
        Regular::Not("a folder") => Err(failed(io::ErrorKind::IsADirectory.into())),
        Regular::Not(kind) => Err(not_regular(path, kind, reads, todo)),
    }
}

/// How much of a kind of file is read whole, and what its refusal says:
/// "`path` is larger than `limit`, the most `holds` may hold (`why`), so
/// it was not read as one. `check`".
pub(crate) struct Cap<'a> {
    pub bytes: u64,
    /// What kind of file, as the subject of "may hold": `a mapping file`.
    pub holds: &'a str,
    /// Why no real one comes near: `a column mapping is a JSON document of
    /// a few KB`.
    pub why: &'a str,
    /// What to check or do, a sentence.
    pub check: &'a str,
}

impl Cap<'_> {
    /// The refusal of the file at `path`, larger than the cap.
    pub(crate) fn refusal(&self, path: &Path) -> AppError {
        AppError::invalid_input(format!(
            "{} is larger than {}, the most {} may hold ({}), so it was not read as one. {}",
            path.display(),
            size_words(self.bytes),
            self.holds,
            self.why,
            self.check
        ))
    }
}

/// The whole of `file` (opened from `path`) when it holds at most
/// `cap.bytes`: a larger file is refused by its size before any of it is
/// read, and one that grew past the cap while read when it does.
pub(crate) fn read_whole(path: &Path, file: &File, cap: &Cap) -> Result<Vec<u8>, AppError> {
    let failed = |e: io::Error| AppError::io(path, &e);
    if file.metadata().map_err(failed)?.len() > cap.bytes {
        return Err(cap.refusal(path));
    }
    read_capped(file, cap.bytes)
        .map_err(failed)?
        .ok_or_else(|| cap.refusal(path))
}

/// A cap in words, in its largest whole unit: `64 KiB`, `256 MiB`, `1 GiB`.
pub(crate) fn size_words(bytes: u64) -> String {
    for (unit, name) in [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_are_said_in_the_largest_whole_unit() {
        assert_eq!(size_words(1 << 20), "1 MiB");
        assert_eq!(size_words(256 << 20), "256 MiB");
        assert_eq!(size_words(1 << 30), "1 GiB");
        assert_eq!(size_words(64 << 10), "64 KiB");
        assert_eq!(size_words((1 << 20) + 1), "1048577 bytes");
    }
}
