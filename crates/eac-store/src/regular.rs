//! Opening a file that must be a regular file, without waiting on a named
//! pipe, reading a device or following a link it should not: how an
//! evidence pack's files are opened (security finding 2) and how a P2
//! bundle's `eacs.json` and `server-metadata.json` are (a pipe there hung
//! `validate`, a link to `/dev/zero` ran it out of memory).

use std::fs;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

/// What is at a path, looked at before anything is read from it.
#[derive(Debug)]
pub enum Regular {
    /// A regular file, open for reading.
    File(fs::File),
    /// Nothing is there.
    Missing,
    /// Something else, in words (`a symbolic link`, `a named pipe` …),
    /// not opened.
    Not(&'static str),
}

/// What [`open_within`] found at a path of a folder.
#[derive(Debug)]
pub enum Within {
    /// The path, or the link there, stays inside the folder: what is there.
    Inside(Regular),
    /// A link there leads outside the folder, to this path: not opened.
    Outside(PathBuf),
}

/// A symbolic link, in words.
pub const LINK: &str = "a symbolic link";

/// Opens `path` as a regular file, never following a link: a symbolic
/// link is not followed, and a named pipe, device, socket or folder is
/// not opened, but said (a pipe put in the file's place after it was
/// looked at is opened without waiting for a writer, and refused). Only
/// the last part of `path` is looked at.
pub fn open_regular(path: &Path) -> io::Result<Regular> {
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_file() => return Ok(Regular::Not(kind_words(&meta.file_type()))),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Regular::Missing),
        Err(e) => return Err(e),
    }
    open_checked(path, true)
}

/// [`open_regular`] following a symbolic link at `path` only when where
/// it leads stays inside `folder` (decision 42, as for a bundle's detail
/// files): a link leading out is [`Within::Outside`], not opened, and a
/// link leading nowhere is [`LINK`].
pub fn open_within(path: &Path, folder: &Path) -> io::Result<Within> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {}
        _ => return open_regular(path).map(Within::Inside),
    }
    let Ok(target) = path.canonicalize() else {
        return Ok(Within::Inside(Regular::Not(LINK)));
    };
    let root = folder.canonicalize()?;
    if !target.starts_with(&root) {
        return Ok(Within::Outside(target));
    }
    // The target is named without a link in it: one put there since is
    // not followed.
    open_regular(&target).map(Within::Inside)
}

/// A P2 listing at `path`: in a bundle folder (`bundle`) through
/// [`open_within`], else the file the user named through
/// [`open_following`]. Import and validate each word what it found.
pub fn open_listing(path: &Path, bundle: Option<&Path>) -> io::Result<Within> {
    match bundle {
        Some(folder) => open_within(path, folder),
        None => open_following(path).map(Within::Inside),
    }
}

/// [`open_regular`] following links: what `path` leads to must be a
/// regular file (a named pipe or device there is said, not opened, nor
/// waited on). For a file the user named, wherever it is.
pub fn open_following(path: &Path) -> io::Result<Regular> {
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Ok(Regular::Not(kind_words(&meta.file_type()))),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Regular::Missing),
        Err(e) => return Err(e),
    }
    open_checked(path, false)
}

/// Opens `path` for reading without waiting on a pipe (`O_NONBLOCK`) and,
/// when `no_follow`, without following a link in its last part
/// (`O_NOFOLLOW`: the open fails with `ELOOP`). What was opened, a regular
/// file or not, is for the caller to look at on the open file (`fstat`),
/// never by its path again: something put at the path since it was looked
/// at is what was opened.
pub(crate) fn open_nonblocking(path: &Path, no_follow: bool) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = OFlags::NONBLOCK;
        if no_follow {
            flags |= OFlags::NOFOLLOW;
        }
        options.custom_flags(flags.bits() as i32);
    }
    #[cfg(not(unix))]
    let _ = no_follow;
    options.open(path)
}

/// Opens `path` for reading without waiting on a pipe (`O_NONBLOCK`),
/// without following a link in its last part when `no_follow`, and keeps
/// it only when the open file is a regular file.
fn open_checked(path: &Path, no_follow: bool) -> io::Result<Regular> {
    let file = match open_nonblocking(path, no_follow) {
        Ok(file) => file,
        // ELOOP: the last part of the path became a link.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Ok(Regular::Not(LINK))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Regular::Missing),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    Ok(if meta.is_file() {
        Regular::File(file)
    } else {
        Regular::Not(kind_words(&meta.file_type()))
    })
}

/// The whole of `file` when it holds at most `cap` bytes; `None` when it
/// holds more (read no further than one byte past `cap`).
pub fn read_capped(file: &fs::File, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

/// What a folder entry that is not a regular file is, in words.
pub fn kind_words(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device file";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        LINK
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn pipes_devices_and_links_leading_out_are_said_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("real.json"), "{}").unwrap();
        let fifo = root.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
        std::os::unix::fs::symlink("real.json", root.join("inside")).unwrap();
        std::os::unix::fs::symlink("pipe", root.join("to-pipe")).unwrap();

        assert!(matches!(
            open_regular(&fifo).unwrap(),
            Regular::Not("a named pipe")
        ));
        assert!(matches!(
            open_regular(&root.join("zero")).unwrap(),
            Regular::Not(LINK)
        ));
        assert!(matches!(
            open_regular(&root.join("absent")).unwrap(),
            Regular::Missing
        ));
        assert!(matches!(
            open_within(&root.join("zero"), root).unwrap(),
            Within::Outside(to) if to == Path::new("/dev/zero")
        ));
        assert!(matches!(
            open_within(&root.join("to-pipe"), root).unwrap(),
            Within::Inside(Regular::Not("a named pipe"))
        ));
        let Within::Inside(Regular::File(file)) = open_within(&root.join("inside"), root).unwrap()
        else {
            panic!("a link inside the folder is followed");
        };
        assert_eq!(read_capped(&file, 2).unwrap().unwrap(), b"{}");
        let file = fs::File::open(root.join("real.json")).unwrap();
        assert_eq!(read_capped(&file, 1).unwrap(), None);
    }
}
