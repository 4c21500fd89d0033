//! The key that signs evidence packs: one Ed25519 key per user, created on
//! first use from the system's randomness and kept in the platform's data
//! folder (beside the default database; `EACDESK_KEY_DIR` names another
//! folder), readable by its owner only. Only its public key and
//! fingerprint ever leave this module: the secret is never logged, shown
//! or written into a pack.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AppError;

/// Environment variable naming the folder of the signing key; overrides
/// the platform data folder (tests, portable installs).
pub const KEY_DIR_ENV: &str = "EACDESK_KEY_DIR";

/// The key file: the 32-byte secret as hex, one line.
const KEY_FILE: &str = "pack-signing-key.ed25519";

/// The user's signing key as it may be shown: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SigningKeyInfo {
    /// `ed25519`.
    pub algorithm: String,
    /// The public key, 64 hex digits.
    pub public_key: String,
    /// The first 16 bytes of SHA-256(public key), hex in groups of 4
    /// (`ab12-cd34-…`): what a person compares.
    pub fingerprint: String,
    /// The file that holds the key.
    pub path: String,
}

/// The fingerprint of a public key (its 32 bytes).
pub fn fingerprint(public_key: &[u8]) -> String {
    let digest = Sha256::digest(public_key);
    let hex = hex::encode(&digest[..16]);
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The folder the key lives in: the override when set and non-empty,
/// else the data folder (as the default database's), else the current
/// folder.
fn resolve_key_dir(env_value: Option<OsString>, data_dir: Option<PathBuf>) -> PathBuf {
    match env_value.filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => data_dir.unwrap_or_default(),
    }
}

/// The folder of this user's signing key.
pub fn key_dir() -> PathBuf {
    let data_dir = directories::ProjectDirs::from("org", "EAC Desk", "eacdesk")
        .map(|dirs| dirs.data_dir().to_owned());
    resolve_key_dir(std::env::var_os(KEY_DIR_ENV), data_dir)
}

/// This user's signing key (created on first use): its public key and
/// fingerprint, for the app and `eacdesk pack` to show.
pub fn signing_key() -> Result<SigningKeyInfo, AppError> {
    signing_key_in(&key_dir())
}

/// [`signing_key`] kept in `dir` instead of the default folder.
pub fn signing_key_in(dir: &Path) -> Result<SigningKeyInfo, AppError> {
    load_or_create(dir).map(|k| k.info)
}

/// The loaded key and what may be shown of it.
pub(crate) struct PackKey {
    secret: SigningKey,
    pub(crate) info: SigningKeyInfo,
}

impl PackKey {
    /// The hex Ed25519 signature of `message` (what `sign_file` gives for a
    /// file holding it).
    #[cfg(test)]
    pub(crate) fn sign(&self, message: &[u8]) -> String {
        use ed25519_dalek::Signer as _;
        hex::encode(self.secret.sign(message).to_bytes())
    }

    /// The hex Ed25519 signature of the file at `path`, read in pieces
    /// (twice: Ed25519 hashes the message twice) instead of held in
    /// memory: the signature of its bytes.
    pub(crate) fn sign_file(&self, path: &Path) -> io::Result<String> {
        use ed25519_dalek::hazmat::{raw_sign_byupdate, ExpandedSecretKey};
        let failed: std::cell::RefCell<Option<io::Error>> = std::cell::RefCell::new(None);
        let expanded = ExpandedSecretKey::from(self.secret.as_bytes());
        let read_into = |digest: &mut sha2::Sha512| {
            fs::File::open(path)
                .and_then(|file| read_pieces(file, |piece| digest.update(piece)))
                .map(|_| ())
                .map_err(|e| {
                    failed.replace(Some(e));
                    ed25519_dalek::SignatureError::new()
                })
        };
        let signature = raw_sign_byupdate::<sha2::Sha512, _>(
            &expanded,
            read_into,
            &self.secret.verifying_key(),
        );
        match (signature, failed.take()) {
            (_, Some(e)) => Err(e),
            (Ok(s), None) => Ok(hex::encode(s.to_bytes())),
            (Err(e), None) => Err(io::Error::other(e)),
        }
    }
}

/// Reads `reader` to its end in pieces of 64 KiB, handing each to `each`
/// (a file hashed or signed without being held); returns its length.
pub(crate) fn read_pieces(
    mut reader: impl io::Read,
    mut each: impl FnMut(&[u8]),
) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(size);
        }
        size += n as u64;
        each(&buf[..n]);
    }
}

fn info_of(secret: &SigningKey, path: &Path) -> SigningKeyInfo {
    let public = secret.verifying_key().to_bytes();
    SigningKeyInfo {
        algorithm: "ed25519".to_owned(),
        public_key: hex::encode(public),
        fingerprint: fingerprint(&public),
        path: path.display().to_string(),
    }
}

/// Reads the key in `dir`, creating it when there is none. A key file
/// that cannot be read as a key is an error (never silently replaced: the
/// packs signed with it would no longer match the user's key).
pub(crate) fn load_or_create(dir: &Path) -> Result<PackKey, AppError> {
    use eac_store::regular::{open_following, read_capped, Regular};
    let path = dir.join(KEY_FILE);
    let failed = |e: io::Error| AppError::io(&path, &e);
    // Opened once as a regular file: a named pipe there is named, never
    // waited on (a plain read blocked `pack key` and `pack create` until
    // the process was killed), and a device is never read.
    let file = match open_following(&path).map_err(failed)? {
        Regular::File(file) => file,
        Regular::Missing => return create(dir, &path),
        Regular::Not("a folder") => {
            return Err(AppError {
                details: crate::error::ErrorDetails {
                    path: Some(path.display().to_string()),
                    ..Default::default()
                },
                ..AppError::new(
                    crate::ErrorCode::Io,
                    format!(
                        "{} is a folder, where EAC Desk keeps its signing key for evidence packs as a file of that name; nothing was changed. Move the folder away (EAC Desk then creates a new key there, or put your key file back in its place), or set EACDESK_KEY_DIR to the folder that holds your key file.",
                        path.display()
                    ),
                )
            })
        }
        Regular::Not(kind) => {
            return Err(crate::named::not_regular(
                &path,
                kind,
                "EAC Desk reads its signing key for evidence packs only from a file",
                "Nothing was changed. Put your key file in its place, or set EACDESK_KEY_DIR to \
                 the folder that holds your key file.",
            ))
        }
    };
    // A key file holds 65 bytes: a larger one is read no further than its
    // cap, and is no key.
    let text = read_capped(&file, KEY_FILE_CAP)
        .map_err(failed)?
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let secret = text.as_deref().and_then(parse_secret).ok_or_else(|| {
        AppError::invalid_input(format!(
            "{} is not an EAC Desk signing key (64 hex digits); it was not changed. Move it away to let EAC Desk create a new key, or restore it from a backup.",
            path.display()
        ))
    })?;
    owner_only(&path).map_err(failed)?;
    Ok(PackKey {
        info: info_of(&secret, &path),
        secret,
    })
}

/// The most of a key file read (one holds 64 hex digits and a line end).
const KEY_FILE_CAP: u64 = 64 * 1024;

fn parse_secret(text: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

/// Makes a key file readable by its owner only (Unix).
fn owner_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates the key: a temporary file beside it (owner-only from the
/// start), synced, then linked into place only if no key is there yet (a
/// second process creating one at the same moment wins, and its key is
/// read).
fn create(dir: &Path, path: &Path) -> Result<PackKey, AppError> {
    fs::create_dir_all(dir).map_err(|e| AppError::io(dir, &e))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::io(
            path,
            &io::Error::other(format!("the system gave no randomness for a new key ({e})")),
        )
    })?;
    let secret = SigningKey::from_bytes(&bytes);
    bytes.fill(0);
    // tempfile creates its files readable by their owner only.
    let mut temp = tempfile::Builder::new()
        .prefix(".eacdesk-key-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| AppError::io(path, &e))?;
    let written = temp
        .write_all(format!("{}\n", hex::encode(secret.to_bytes())).as_bytes())
        .and_then(|()| temp.as_file().sync_all());
    written.map_err(|e| AppError::io(path, &e))?;
    match temp.persist_noclobber(path) {
        Ok(_) => {
            #[cfg(unix)]
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(PackKey {
                info: info_of(&secret, path),
                secret,
            })
        }
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => load_or_create(dir),
        Err(e) => Err(AppError::io(path, &e.error)),
    }
}

/// Checks the hex Ed25519 signature `signature` of `message` by the hex
/// public key `public_key`; the error says what does not hold.
#[cfg(test)]
pub(crate) fn verify_signature(
    public_key: &str,
    message: &[u8],
    signature: &str,
) -> Result<(), String> {
    let mut check = SignatureCheck::new(public_key, signature)?;
    check.update(message);
    check.finish()
}

/// The check of a hex Ed25519 signature by a hex public key, given the
/// message in pieces (a manifest read from its file, never held whole).
pub(crate) struct SignatureCheck(ed25519_dalek::StreamVerifier);

impl SignatureCheck {
    /// Fails saying what is wrong with the key or the signature's form.
    pub(crate) fn new(public_key: &str, signature: &str) -> Result<SignatureCheck, String> {
        let public: [u8; 32] = hex::decode(public_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("the public key in the manifest is not 64 hex digits")?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| "the public key in the manifest is not an Ed25519 key".to_owned())?;
        let sig: [u8; 64] = hex::decode(signature.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("the signature is not 128 hex digits")?;
        key.verify_stream(&Signature::from_bytes(&sig))
            .map(SignatureCheck)
            .map_err(|_| MISMATCH.to_owned())
    }

    pub(crate) fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// Whether the signature holds over every piece given.
    pub(crate) fn finish(self) -> Result<(), String> {
        self.0
            .finalize_and_verify()
            .map_err(|_| MISMATCH.to_owned())
    }
}

const MISMATCH: &str = "the signature does not match MANIFEST.json and the key it names: the manifest was changed after it was signed, or signed by another key";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_signed_in_pieces_has_the_signature_of_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let key = load_or_create(&dir.path().join("keys")).unwrap();
        for len in [0usize, 1, 65_535, 65_536, 200_001] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let path = dir.path().join(format!("m{len}.json"));
            fs::write(&path, &bytes).unwrap();
            assert_eq!(
                key.sign_file(&path).unwrap(),
                key.sign(&bytes),
                "{len} bytes"
            );
        }
        let e = key.sign_file(&dir.path().join("missing")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn the_key_is_created_once_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let first = signing_key_in(&dir.path().join("keys")).unwrap();
        let again = signing_key_in(&dir.path().join("keys")).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.public_key.len(), 64);
        assert_eq!(first.fingerprint.len(), 8 * 4 + 7);
        assert_eq!(
            first.fingerprint,
            fingerprint(&hex::decode(&first.public_key).unwrap())
        );
        let text = fs::read_to_string(&first.path).unwrap();
        assert!(
            !text.contains(&first.public_key),
            "the file holds the secret"
        );
        // Nothing else is left in the folder.
        let names: Vec<_> = fs::read_dir(dir.path().join("keys")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let info = signing_key_in(dir.path()).unwrap();
        let mode = fs::metadata(&info.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // Loosened by someone else: tightened again on the next use.
        fs::set_permissions(&info.path, fs::Permissions::from_mode(0o644)).unwrap();
        signing_key_in(dir.path()).unwrap();
        let mode = fs::metadata(&info.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_damaged_key_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        fs::write(&path, "not a key").unwrap();
        let e = signing_key_in(dir.path()).unwrap_err();
        assert!(e.message.contains(KEY_FILE), "{}", e.message);
        assert_eq!(fs::read_to_string(&path).unwrap(), "not a key");
    }

    #[test]
    fn signatures_verify_with_the_key_and_fail_on_any_change() {
        let dir = tempfile::tempdir().unwrap();
        let key = load_or_create(dir.path()).unwrap();
        let sig = key.sign(b"manifest");
        verify_signature(&key.info.public_key, b"manifest", &sig).unwrap();
        assert!(verify_signature(&key.info.public_key, b"manifesT", &sig).is_err());
        let other = load_or_create(&dir.path().join("other")).unwrap();
        assert_ne!(other.info.fingerprint, key.info.fingerprint);
        assert!(verify_signature(&other.info.public_key, b"manifest", &sig).is_err());
        assert!(verify_signature("zz", b"manifest", &sig).is_err());
    }

    /// A folder where the key file belongs is said in words, with what to
    /// do (a tester's finding: "Is a directory (os error 21)").
    #[test]
    fn a_folder_in_the_key_files_place_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(KEY_FILE)).unwrap();
        let e = load_or_create(dir.path()).err().unwrap();
        assert_eq!(e.code, crate::ErrorCode::Io);
        assert!(
            e.message
                .contains("is a folder, where EAC Desk keeps its signing key"),
            "{}",
            e.message
        );
        assert!(e.message.contains("Move the folder away"), "{}", e.message);
        assert!(e.message.contains("EACDESK_KEY_DIR"), "{}", e.message);
        assert!(!e.message.contains("os error"), "{}", e.message);
        assert!(dir.path().join(KEY_FILE).is_dir(), "left as it was");
    }

    #[test]
    fn env_overrides_the_key_folder() {
        let data = PathBuf::from("/home/ana/.local/share/eacdesk");
        assert_eq!(
            resolve_key_dir(Some("/tmp/k".into()), Some(data.clone())),
            PathBuf::from("/tmp/k")
        );
        assert_eq!(resolve_key_dir(Some("".into()), Some(data.clone())), data);
        assert_eq!(resolve_key_dir(None, Some(data.clone())), data);
    }
}
