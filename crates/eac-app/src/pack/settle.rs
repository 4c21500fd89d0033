//! A pack that was stopped part-way (power lost, killed) between putting
//! its folder in place and the end: its place is settled by the database.
//!
//! A pack is swapped into its place inside the write that records it, and
//! the pack it replaced is removed only after that write is committed
//! ([`super::make_pack`]). Stopped in between, the place holds the new
//! pack and the earlier one waits whole in a hidden folder beside it
//! (`.eacdesk-bundle-XXXXXX` after an exchange, `.eacdesk-aside-NAME`
//! where the system has none); stopped before the swap, the new pack waits
//! there instead. The store leaves such folders alone
//! ([`eac_store::atomic::left_packs`]); here the database decides which
//! pack belongs at the place:
//!
//! - the one it recorded last (the new pack once its write was committed,
//!   else the pack it records there from before), by the SHA-256 of its
//!   `MANIFEST.json` in table `packs`, wherever it was recorded;
//! - when it records none of them (packs of a role that reads only, or of
//!   another database), the one made first: the place goes back to what it
//!   held before the stopped pack, as it would had it been stopped sooner.
//!
//! That pack is put (back) in place and the others are removed, each by
//! the files of its own manifest (anything else stays). A folder a running
//! command holds (its lock) is left alone, and so is a place holding
//! anything but a pack, an empty folder or nothing.
//!
//! Only this database's packs are ever removed or moved out of a place:
//! those it records, and those whose audit head is a record of its audit
//! chain ([`Whose`]). Another database's pack may be the one that database
//! records there, which this one cannot know: when settling would remove
//! or displace such a pack, the place is left as it is and the person is
//! told where each pack is ([`Settled::LeftAlone`]). A pack made from an
//! empty audit log (no audit head) and not recorded here cannot be told
//! from another database's (every database's first pack is made so) and
//! is taken for one: at worst a place is left for the person to settle,
//! where taking it for this database's could remove the pack another
//! database records. It may still be put back in place (which neither
//! removes nor displaces it), as the pack made first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use eac_store::atomic::{self, LeftPack};
use eac_store::{PackRecord, Store};

use super::{
    hash_open, remove_pack_files, verify, Walk, MANIFEST_FILE, PACK_FORMAT, SIGNATURE_FILE,
};
use crate::AppError;

/// What settling a place did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Settled {
    /// The pack that belongs there was put back (`recorded`: the database
    /// records it); `replaced` packs were removed.
    Restored {
        place: PathBuf,
        made: String,
        manifest_sha256: String,
        recorded: bool,
        replaced: usize,
    },
    /// The pack at the place is the one the database recorded last; the
    /// earlier pack it replaced (made `earlier`) was removed.
    Completed { place: PathBuf, earlier: String },
    /// Settling would have removed or displaced a pack that is not this
    /// database's: nothing was changed. `packs`: every pack of the place,
    /// where it is (the place itself, or a hidden folder beside it).
    LeftAlone { place: PathBuf, packs: Vec<Seen> },
}

/// A pack of a place left alone, as the person is told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Seen {
    pub(super) at: PathBuf,
    pub(super) whose: Whose,
    pub(super) made: String,
}

/// Whose a pack is, as far as this database can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Whose {
    /// This database records it (table `packs`).
    Recorded,
    /// Made from this database, not recorded: its audit head is a record
    /// of this database's chain (stopped before its record, or made by a
    /// role that reads only), or it is the pack the running command made
    /// and failed to record.
    Unrecorded,
    /// Made from another database: its audit head is no record here.
    Other,
    /// Made from an empty audit log and not recorded here: whose it is
    /// cannot be told, so it is taken for another database's.
    Untold,
}

impl Whose {
    /// This database's own: settling may remove it.
    fn ours(self) -> bool {
        matches!(self, Whose::Recorded | Whose::Unrecorded)
    }

    fn words(self) -> &'static str {
        match self {
            Whose::Recorded => "the pack this database records",
            Whose::Unrecorded => "a pack made from this database and not recorded",
            Whose::Other => "a pack made from another database",
            Whose::Untold => "a pack made from an empty audit log that this database does not record, perhaps another database's",
        }
    }
}

impl Settled {
    /// In plain words, for the report of the command that settled it.
    pub(super) fn words(&self) -> String {
        match self {
            // Nothing else was there: the place was empty or missing.
            Settled::Restored {
                place,
                made,
                manifest_sha256,
                recorded,
                replaced: 0,
            } => format!(
                "A pack to {} was interrupted and left {} in a hidden folder beside it (made {}, MANIFEST.json SHA-256 {manifest_sha256}{}): it was {}.",
                place.display(),
                if *recorded {
                    "the pack this database records there"
                } else {
                    "an evidence pack"
                },
                whole_seconds(made),
                if *recorded {
                    ""
                } else {
                    ", not recorded by this database"
                },
                if *recorded { "put back" } else { "put in place" }
            ),
            Settled::Restored {
                place,
                made,
                manifest_sha256,
                recorded: true,
                ..
            } => format!(
                "An earlier pack to {} was interrupted after it put its new pack in place but before the database recorded it: the pack the database records there (made {}, MANIFEST.json SHA-256 {manifest_sha256}) was put back and the unrecorded one removed.",
                place.display(),
                whole_seconds(made),
            ),
            Settled::Restored {
                place,
                made,
                manifest_sha256,
                recorded: false,
                ..
            } => format!(
                "An earlier pack to {} was interrupted before it was finished: the pack that was there before it (made {}, MANIFEST.json SHA-256 {manifest_sha256}) was put back and the unfinished one removed.",
                place.display(),
                whole_seconds(made),
            ),
            Settled::Completed { place, earlier } => format!(
                "An earlier pack to {} was interrupted after the database recorded it, and was completed: the pack it replaced (made {}) was removed.",
                place.display(),
                whole_seconds(earlier)
            ),
            Settled::LeftAlone { place, packs } => {
                let seen: Vec<String> = packs
                    .iter()
                    .map(|p| {
                        let at = if p.at == *place {
                            format!("at {}", place.display())
                        } else {
                            format!("beside it in {}", p.at.display())
                        };
                        format!("{at}, {} (made {})", p.whose.words(), whole_seconds(&p.made))
                    })
                    .collect();
                let others = packs.iter().filter(|p| !p.whose.ours()).count();
                format!(
                    "A pack to {} was interrupted and left more than one evidence pack for it, and {}: {}. EAC Desk left {} as they are, as it never removes or moves a pack another database may record: move {} where it belongs or delete it; the next pack to that folder, or `pack diff` of {}, then settles the rest.",
                    place.display(),
                    if others == 1 {
                        "one of them is not this database's"
                    } else {
                        "some of them are not this database's"
                    },
                    seen.join("; "),
                    if packs.len() == 2 { "both" } else { "them all" },
                    if others == 1 {
                        "the one that is not this database's"
                    } else {
                        "each one that is not this database's"
                    },
                    place.display()
                )
            }
        }
    }

    /// The place this is about.
    pub(super) fn place(&self) -> &Path {
        match self {
            Settled::Restored { place, .. }
            | Settled::Completed { place, .. }
            | Settled::LeftAlone { place, .. } => place,
        }
    }
}

/// An RFC 3339 time to the second (`…:05.123Z` → `…:05Z`).
fn whole_seconds(text: &str) -> String {
    match (text.find('.'), text.ends_with('Z')) {
        (Some(dot), true) => format!("{}Z", &text[..dot]),
        _ => text.to_owned(),
    }
}

/// What settling needs of a pack folder.
struct PackInfo {
    manifest_sha256: String,
    created_at: String,
    /// Its record in this database, if it has one.
    record: Option<PackRecord>,
    whose: Whose,
}

/// The pack in `dir` (its manifest and signature, the manifest readable
/// and of this format), with its record and whose it is (`ours`: the
/// manifest SHA-256 of the pack the running command made, this database's
/// whatever its audit head); `None` when it is none.
fn pack_info(store: &Store, dir: &Path, ours: Option<&str>) -> Result<Option<PackInfo>, AppError> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let is_file = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
    if !is_file(&dir.join(SIGNATURE_FILE)) {
        return Ok(None);
    }
    // Opened as a pack's files are, and read twice from the same file.
    let Ok(verify::InPack::File(file)) = verify::open_in_pack(&manifest_path) else {
        return Ok(None);
    };
    let Ok(manifest) = verify::read_manifest(&file, |_| true) else {
        return Ok(None);
    };
    if manifest.format != PACK_FORMAT {
        return Ok(None);
    }
    let Ok((_, manifest_sha256)) = verify::rewound(&file).and_then(hash_open) else {
        return Ok(None);
    };
    let record = store.pack_by_manifest(&manifest_sha256)?;
    let whose = if record.is_some() {
        Whose::Recorded
    } else if ours == Some(manifest_sha256.as_str()) {
        Whose::Unrecorded
    } else {
        match &manifest.audit.head {
            None => Whose::Untold,
            Some(head) => {
                if store.has_audit_record(head, head_number(dir, head))? {
                    Whose::Unrecorded
                } else {
                    Whose::Other
                }
            }
        }
    };
    Ok(Some(PackInfo {
        manifest_sha256,
        created_at: manifest.created_at,
        record,
        whose,
    }))
}

/// The number of the audit record `head` in the pack in `dir`: that of the
/// last line of its `audit.jsonl` when that line has this hash (`None`:
/// not found so), for a lookup by number rather than through the log.
pub(super) fn head_number(dir: &Path, head: &str) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: i64,
        hash: Option<String>,
    }
    let line = last_line(&dir.join(super::AUDIT_FILE))?;
    let line: Line = serde_json::from_slice(&line).ok()?;
    (line.hash.as_deref() == Some(head)).then_some(line.id)
}

/// The last line of the file at `path`, read from its end (`None`: it
/// cannot be read, or the line is longer than any audit record).
fn last_line(path: &Path) -> Option<Vec<u8>> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    const CHUNK: u64 = 64 * 1024;
    const LONGEST: u64 = 64 * 1024 * 1024;
    let verify::InPack::File(mut file) = verify::open_in_pack(path).ok()? else {
        return None;
    };
    let len = file.metadata().ok()?.len();
    let mut tail: Vec<u8> = Vec::new();
    let mut start = len;
    loop {
        let from = start.saturating_sub(CHUNK);
        let mut chunk = vec![0; usize::try_from(start - from).ok()?];
        file.seek(SeekFrom::Start(from)).ok()?;
        file.read_exact(&mut chunk).ok()?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        start = from;
        let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
        if let Some(newline) = body.iter().rposition(|&b| b == b'\n') {
            return Some(body[newline + 1..].to_vec());
        }
        if start == 0 {
            return Some(body.to_vec());
        }
        if len - start >= LONGEST {
            return None;
        }
    }
}

/// Settles every place of `folder` (only `only`, when given) that a
/// stopped pack left a pack beside (see the module's documentation); what
/// was done, or left alone, place by place. `ours`: the manifest SHA-256
/// of a pack the running command made (and failed to record), which is
/// this database's whatever its audit head.
pub(super) fn settle(
    store: &Store,
    folder: &Path,
    only: Option<&Path>,
    ours: Option<&str>,
) -> Result<Vec<Settled>, AppError> {
    let mut by_place: BTreeMap<PathBuf, Vec<(LeftPack, PackInfo)>> = BTreeMap::new();
    for left in atomic::left_packs(folder) {
        let Some(info) = pack_info(store, &left.path, ours)? else {
            continue;
        };
        // Where it belongs: the place its name or its P2 bundle names,
        // else where the database recorded it (in this folder).
        let place = left.place.clone().or_else(|| {
            let recorded = PathBuf::from(&info.record.as_ref()?.path);
            let name = recorded.file_name()?;
            (atomic::folder_of(&recorded) == folder).then(|| folder.join(name))
        });
        let Some(place) = place else { continue };
        if only.is_some_and(|only| only != place) {
            continue;
        }
        by_place.entry(place).or_default().push((left, info));
    }
    let mut done = Vec::new();
    for (place, left) in by_place {
        if let Some(settled) = settle_place(store, &place, left, ours)? {
            done.push(settled);
        }
    }
    Ok(done)
}

/// What is at a place.
enum Here {
    Missing,
    Empty,
    Pack(PackInfo),
}

/// Puts at `place` the pack that belongs there, of the one there and those
/// `left` beside it, and removes the others; leaves them all as they are
/// when one of the others is not this database's.
fn settle_place(
    store: &Store,
    place: &Path,
    left: Vec<(LeftPack, PackInfo)>,
    ours: Option<&str>,
) -> Result<Option<Settled>, AppError> {
    // Held while the place is settled: a running pack holds it while its
    // new folder is there and not yet recorded.
    let mut _held = None;
    let here = match fs::symlink_metadata(place) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Here::Missing,
        Err(e) => return Err(AppError::io(place, &e)),
        Ok(meta) if !meta.is_dir() => return Ok(None),
        Ok(_) => {
            let Some(lock) = atomic::lock_folder(place) else {
                return Ok(None);
            };
            _held = Some(lock);
            match pack_info(store, place, ours)? {
                Some(info) => Here::Pack(info),
                None if fs::read_dir(place).is_ok_and(|mut e| e.next().is_none()) => Here::Empty,
                // Something else: not EAC Desk's to settle.
                None => return Ok(None),
            }
        }
    };
    // The last recorded, else the first made; the place's own on a tie.
    let at_place = match &here {
        Here::Pack(info) => Some(info),
        _ => None,
    };
    let candidates = at_place.into_iter().map(|info| (None, info)).chain(
        left.iter()
            .enumerate()
            .map(|(i, (_, info))| (Some(i), info)),
    );
    let winner = candidates
        .max_by(|(a_left, a), (b_left, b)| {
            let rank = |info: &PackInfo| info.record.as_ref().map(|r| r.id);
            rank(a)
                .cmp(&rank(b))
                .then_with(|| match (&a.record, &b.record) {
                    // Neither recorded: the first made wins.
                    (None, None) => made(b).cmp(&made(a)),
                    _ => std::cmp::Ordering::Equal,
                })
                // The place's own (`None`) wins a tie.
                .then_with(|| b_left.is_some().cmp(&a_left.is_some()))
        })
        .map(|(i, _)| i);
    // Every other pack is removed, the place's own displaced: only this
    // database's may be.
    if let Some(winner) = winner {
        let others_ours = at_place
            .filter(|_| winner.is_some())
            .into_iter()
            .chain(
                left.iter()
                    .enumerate()
                    .filter(|(i, _)| winner != Some(*i))
                    .map(|(_, (_, info))| info),
            )
            .all(|info| info.whose.ours());
        if !others_ours {
            let seen = |at: &Path, info: &PackInfo| Seen {
                at: at.to_owned(),
                whose: info.whose,
                made: info.created_at.clone(),
            };
            return Ok(Some(Settled::LeftAlone {
                place: place.to_owned(),
                packs: at_place
                    .map(|info| seen(place, info))
                    .into_iter()
                    .chain(left.iter().map(|(pack, info)| seen(&pack.path, info)))
                    .collect(),
            }));
        }
    }
    match winner {
        // Nothing readable at all: nothing to do.
        None => Ok(None),
        Some(None) => {
            let Here::Pack(kept) = &here else {
                unreachable!("the place's own is a candidate only when it is a pack")
            };
            let mut earlier: Option<&str> = None;
            for (pack, info) in &left {
                remove_pack(&pack.path);
                if made(info) < made(kept) {
                    earlier = Some(&info.created_at);
                }
            }
            Ok(match (&kept.record, earlier) {
                (Some(_), Some(earlier)) => Some(Settled::Completed {
                    place: place.to_owned(),
                    earlier: earlier.to_owned(),
                }),
                _ => None,
            })
        }
        Some(Some(i)) => {
            let (pack, info) = &left[i];
            let displaced = pack.put_in_place(place)?;
            let mut replaced = 0;
            if let Some(displaced) = displaced {
                match here {
                    Here::Pack(_) => {
                        remove_pack(&displaced);
                        replaced += 1;
                    }
                    _ => {
                        let _ = fs::remove_dir(&displaced);
                    }
                }
            }
            for (j, (other, _)) in left.iter().enumerate() {
                if j != i {
                    remove_pack(&other.path);
                    replaced += 1;
                }
            }
            Ok(Some(Settled::Restored {
                place: place.to_owned(),
                made: info.created_at.clone(),
                manifest_sha256: info.manifest_sha256.clone(),
                recorded: info.record.is_some(),
                replaced,
            }))
        }
    }
}

/// When a pack was made, for comparing: its `created_at` as an instant
/// where it reads as one (else as written, after every instant).
fn made(info: &PackInfo) -> (bool, Option<eac_model::Timestamp>, &str) {
    let at = eac_model::Timestamp::parse(&info.created_at).ok();
    (at.is_none(), at, &info.created_at)
}

/// Removes the pack in `dir`: the files its manifest lists that are there,
/// the manifest and its signature, then its emptied folders. Anything else
/// stays, and so does the folder holding it. Best effort.
fn remove_pack(dir: &Path) {
    let Some((_, listed)) = super::manifest_files(dir) else {
        return;
    };
    let mut walk = Walk::default();
    if walk.run(dir, "").is_err() {
        return;
    }
    let owned: Vec<String> = walk
        .files
        .into_iter()
        .filter(|f| listed.contains(f))
        .collect();
    remove_pack_files(dir, &owned);
}

/// Of a pack verified without its database: the packs an interrupted pack
/// left beside `dir` for its place, in plain words (`None`: none).
pub(super) fn left_beside(dir: &Path) -> Option<String> {
    let place = super::final_location(dir).ok()?;
    let left: Vec<String> = atomic::left_packs(atomic::folder_of(&place))
        .into_iter()
        .filter(|l| l.place.as_deref() == Some(place.as_path()))
        .map(|l| l.path.display().to_string())
        .collect();
    if left.is_empty() {
        return None;
    }
    Some(format!(
        "A pack to {} was interrupted and left another evidence pack beside it ({}). Which of them belongs here is known to the database they were made from: comparing this pack with that database (pack diff), or the next pack to this folder, puts the one it records here and removes the other (a pack made from another database is left where it is).",
        dir.display(),
        left.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The last line is found from the file's end, however long, with or
    /// without a newline after it.
    #[test]
    fn the_last_line_is_read_from_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let long = format!("{{\"id\":7,\"hash\":\"{}\"}}", "x".repeat(200_000));
        for (text, last) in [
            ("a\nb\n".to_owned(), "b".to_owned()),
            ("a\nb".to_owned(), "b".to_owned()),
            ("only\n".to_owned(), "only".to_owned()),
            (format!("first\n{long}\n"), long.clone()),
            (String::new(), String::new()),
        ] {
            fs::write(&path, &text).unwrap();
            assert_eq!(last_line(&path).unwrap(), last.as_bytes(), "{text:.20}");
        }
        fs::write(&path, format!("first\n{long}\n")).unwrap();
        let head = "x".repeat(200_000);
        assert_eq!(head_number(dir.path(), &head), Some(7));
        assert_eq!(head_number(dir.path(), "y"), None);
    }
}
