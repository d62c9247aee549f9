//! The local-file backend: a directory (e.g. `<data-dir>/blobs`) holding
//!
//! - `sha256/ab/cd/<hex>`: the objects, read-only (mode 0444 on Unix);
//! - `tmp/<pid>-<random>.part`: uploads in progress.
//!
//! An upload is written to a temporary file in `tmp/` (same file system, so the final
//! rename is atomic), fsynced, renamed to its key, and the directory fsynced, before the
//! upload returns: once a caller holds a [`crate::StoredBlob`], the object survives a
//! crash or power loss. A refused or failed upload removes its temporary file. A crash
//! mid-upload can leave one; [`crate::BlobStore::sweep_stale`] removes those (at start-up,
//! with an age well above the longest upload, since another process may be uploading).

use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::ingest::{Backend, Sink};
use crate::sniff::{SNIFF_LEN, detect};
use crate::{BlobError, BlobKey, BlobReader, BlobStat};

const WRITE_BUFFER: usize = 256 * 1024;

pub(crate) struct LocalStore {
    root: PathBuf,
}

fn io(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> BlobError {
    let what = format!("{what} {}", path.display());
    move |e| BlobError::local_io(&what, e)
}

/// fsync a directory, so that entries created, renamed or removed in it are durable.
fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io("fsync", dir))
}

impl LocalStore {
    pub(crate) fn open(root: PathBuf) -> Result<Self, BlobError> {
        for d in [root.join("sha256"), root.join("tmp")] {
            fs::create_dir_all(&d).map_err(io("create directory", &d))?;
        }
        sync_dir(&root)?;
        Ok(LocalStore { root })
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        // A key contains only `sha256`, `/` and lowercase hex (see `BlobKey::parse`).
        self.root.join(key.as_str())
    }

    /// Creates `sha256/ab` and `sha256/ab/cd` if needed, each made durable in its parent.
    fn ensure_parents(&self, file: &Path) -> Result<(), BlobError> {
        let cd = file.parent().expect("key has a parent");
        let ab = cd.parent().expect("key has a grandparent");
        for dir in [ab, cd] {
            match fs::create_dir(dir) {
                Ok(()) => sync_dir(dir.parent().expect("under the root"))?,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io("create directory", dir)(e)),
            }
        }
        Ok(())
    }
}

fn media_type_of(file: &mut File) -> Result<Option<&'static str>, std::io::Error> {
    let mut head = [0u8; SNIFF_LEN];
    let mut n = 0;
    while n < SNIFF_LEN {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(detect(&head[..n]))
}

impl Backend for LocalStore {
    fn begin(&self, _media_type: &'static str) -> Result<Box<dyn Sink + '_>, BlobError> {
        let name = format!("{}-{:016x}.part", std::process::id(), rand::random::<u64>());
        let tmp = self.root.join("tmp").join(name);
        let file = fs::OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(io("create", &tmp))?;
        Ok(Box::new(LocalSink { store: self, file: Some(BufWriter::with_capacity(WRITE_BUFFER, file)), tmp }))
    }

    fn open(&self, key: &BlobKey, range: Option<std::ops::Range<u64>>) -> Result<BlobReader, BlobError> {
        let path = self.path(key);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound { key: key.to_string() });
            }
            Err(e) => return Err(io("open", &path)(e)),
        };
        let size = file.metadata().map_err(io("stat", &path))?.len();
        let media_type = media_type_of(&mut file).map_err(io("read", &path))?;
        let range = crate::check_range(range, size)?;
        file.seek(SeekFrom::Start(range.start)).map_err(io("seek", &path))?;
        let len = range.end - range.start;
        Ok(BlobReader::new(Box::new(file.take(len)), len, size, media_type.map(str::to_string)))
    }

    fn stat(&self, key: &BlobKey) -> Result<Option<BlobStat>, BlobError> {
        let path = self.path(key);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("open", &path)(e)),
        };
        let size = file.metadata().map_err(io("stat", &path))?.len();
        let media_type = media_type_of(&mut file).map_err(io("read", &path))?;
        Ok(Some(BlobStat { key: key.clone(), size, media_type: media_type.map(str::to_string) }))
    }

    fn delete(&self, key: &BlobKey) -> Result<bool, BlobError> {
        let path = self.path(key);
        match fs::remove_file(&path) {
            Ok(()) => {
                sync_dir(path.parent().expect("key has a parent"))?;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("remove", &path)(e)),
        }
    }

    fn sweep(&self, older_than: Duration) -> Result<usize, BlobError> {
        let dir = self.root.join("tmp");
        let cutoff = SystemTime::now().checked_sub(older_than).unwrap_or(SystemTime::UNIX_EPOCH);
        let mut removed = 0;
        for entry in fs::read_dir(&dir).map_err(io("list", &dir))? {
            let entry = entry.map_err(io("list", &dir))?;
            let modified = entry.metadata().and_then(|m| m.modified()).map_err(io("stat", &entry.path()))?;
            if modified <= cutoff {
                match fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io("remove", &entry.path())(e)),
                }
            }
        }
        if removed > 0 {
            sync_dir(&dir)?;
        }
        Ok(removed)
    }

    fn check(&self) -> Result<(), BlobError> {
        let dir = self.root.join("tmp");
        let probe = dir.join(format!("check-{}-{:016x}", std::process::id(), rand::random::<u64>()));
        File::create(&probe).map_err(io("create", &probe))?;
        fs::remove_file(&probe).map_err(io("remove", &probe))
    }

    fn describe(&self) -> String {
        format!("local:{}", self.root.display())
    }
}

struct LocalSink<'a> {
    store: &'a LocalStore,
    /// `None` once committed.
    file: Option<BufWriter<File>>,
    tmp: PathBuf,
}

impl Sink for LocalSink<'_> {
    fn write(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        let file = self.file.as_mut().expect("not committed");
        file.write_all(chunk).map_err(io("write", &self.tmp))
    }

    fn commit(&mut self, key: &BlobKey, size: u64) -> Result<(), BlobError> {
        let file = self.file.as_mut().expect("not committed");
        file.flush().map_err(io("write", &self.tmp))?;
        file.get_ref().sync_all().map_err(io("fsync", &self.tmp))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let readonly = fs::Permissions::from_mode(0o444);
            file.get_ref().set_permissions(readonly).map_err(io("chmod", &self.tmp))?;
        }
        let dest = self.store.path(key);
        // Same content already stored (same hash, same size): keep it, drop this copy. A
        // file of another size under the key is damaged and is replaced.
        if fs::metadata(&dest).is_ok_and(|m| m.len() == size) {
            // Another upload may have renamed it a moment ago: make sure the entry is durable
            // before answering. `drop` removes the temporary file.
            return sync_dir(dest.parent().expect("key has a parent"));
        }
        self.store.ensure_parents(&dest)?;
        fs::rename(&self.tmp, &dest).map_err(io("rename", &dest))?;
        self.file = None;
        sync_dir(dest.parent().expect("key has a parent"))
    }
}

impl Drop for LocalSink<'_> {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
