//! The upload area on disk: bytes stored once per content under `sha256/ab/cd/<hex>`,
//! written to a temporary file in the same directory and renamed into place, so a reader
//! never sees half a file and two writers of the same content cannot corrupt it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The root of the upload area (`<data_dir>/uploads`). Shared storage when several servers
/// run: every process must see the same files.
#[derive(Debug, Clone)]
pub struct Uploads {
    root: PathBuf,
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Uploads {
    /// The area at `root`, made absolute so a scanner running elsewhere gets a usable path.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let root = std::path::absolute(&root).unwrap_or(root);
        Self { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the bytes with this SHA-256 live; `None` for anything but 64 lowercase hex
    /// digits, so a stored value can never point outside the area.
    pub fn path_for(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256_hex(sha256).then(|| {
            self.root
                .join("sha256")
                .join(&sha256[0..2])
                .join(&sha256[2..4])
                .join(sha256)
        })
    }

    /// Stores `bytes` under their hash unless already there. Blocking.
    pub(super) fn write(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let path = self
            .path_for(sha256)
            .ok_or_else(|| std::io::Error::other("not a SHA-256 hex digest"))?;
        if path.is_file() {
            // Written again now, as far as the sweep of files no document uses is concerned
            // (`older_files`): the record about to name it may be this upload's.
            if let Ok(f) = std::fs::File::options().write(true).open(&path) {
                let _ = f.set_modified(std::time::SystemTime::now());
            }
            // Still there after the touch: a removal that had already decided (see
            // `remove_unless_written_since`) sees the touch and puts it back. Gone: written
            // anew below.
            if path.is_file() {
                return Ok(path);
            }
        }
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(
            ".{sha256}.{}.tmp",
            uuid::Uuid::now_v7().as_simple()
        ));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map(|()| path)
    }

    /// The stored files (their SHA-256) and the temporary files of writes that never
    /// finished (their paths), last written before `before`. Blocking.
    pub(super) fn older_files(
        &self,
        before: std::time::SystemTime,
    ) -> std::io::Result<(Vec<String>, Vec<PathBuf>)> {
        let mut stored = Vec::new();
        let mut unfinished = Vec::new();
        let top = self.root.join("sha256");
        if !top.is_dir() {
            return Ok((stored, unfinished));
        }
        for a in std::fs::read_dir(&top)? {
            let a = a?.path();
            if !a.is_dir() {
                continue;
            }
            for b in std::fs::read_dir(&a)? {
                let b = b?.path();
                if !b.is_dir() {
                    continue;
                }
                for f in std::fs::read_dir(&b)? {
                    let f = f?;
                    let meta = f.metadata()?;
                    if !meta.is_file() || meta.modified()? >= before {
                        continue;
                    }
                    let name = f.file_name().to_string_lossy().into_owned();
                    if is_sha256_hex(&name) {
                        stored.push(name);
                    } else if name.starts_with('.') && name.ends_with(".tmp") {
                        unfinished.push(f.path());
                    }
                }
            }
        }
        Ok((stored, unfinished))
    }

    /// Removes the bytes with this hash unless they were written (or touched, see [`write`])
    /// at `since` or after; whether they went. A missing file is not an error. Blocking.
    ///
    /// The caller found no document naming the bytes; an upload of the same bytes records its
    /// document, then writes the file again. So the file is moved aside first and looked at
    /// again there: touched in between, it is put back (a copy written meanwhile is the same
    /// bytes); touched later, the upload finds the name free and writes it anew.
    ///
    /// [`write`]: Uploads::write
    pub(super) fn remove_unless_written_since(
        &self,
        sha256: &str,
        since: std::time::SystemTime,
    ) -> std::io::Result<bool> {
        use std::io::ErrorKind::NotFound;
        let Some(path) = self.path_for(sha256) else {
            return Ok(false);
        };
        let written_since = |p: &Path| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .map(|t| t >= since)
        };
        match written_since(&path) {
            Ok(false) => {}
            Err(e) if e.kind() != NotFound => return Err(e),
            _ => return Ok(false),
        }
        let aside = path.with_file_name(format!(
            ".{sha256}.{}.removing.tmp",
            uuid::Uuid::now_v7().as_simple()
        ));
        match std::fs::rename(&path, &aside) {
            Ok(()) => {}
            Err(e) if e.kind() == NotFound => return Ok(false),
            Err(e) => return Err(e),
        }
        if written_since(&aside).unwrap_or(true) {
            std::fs::rename(&aside, &path)?;
            return Ok(false);
        }
        std::fs::remove_file(&aside)?;
        Ok(true)
    }
}
