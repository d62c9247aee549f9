//! The evidence object store of Zhifa: photos, audio/video records (REC-3, REC-4) and scanned
//! documents, kept as immutable, content-addressed objects on local files or on any
//! S3-protocol server.
//!
//! # What it does
//!
//! - **One interface, two backends.** [`BlobStore`] over a local directory (the default,
//!   e.g. `<data-dir>/blobs`) or an S3-compatible bucket ([`S3Config`]: endpoint URL,
//!   bucket, region, keys; path-style addressing, so MinIO, Ceph RGW, SeaweedFS, OSS/COS
//!   S3 gateways and AWS all work). [`BlobConfig`] chooses one from configuration.
//! - **Streaming upload, bounded memory.** Bytes are never collected whole: they are hashed
//!   and written as they arrive (see [`BlobStore::put_stream`] and
//!   [`BlobStore::put_reader`]). Memory in flight is a few chunk queues plus, on S3, one
//!   part buffer (16 MiB by default), whatever the size of the upload.
//! - **SHA-256 and SM3 in the same pass** (SM3 on a second thread, see `ingest.rs`): the
//!   SHA-256 names the object and becomes its log leaf; the SM3 (GB/T 32905) is there for
//!   agencies that must use national algorithms.
//! - **Type from the bytes.** The media type is detected from the first bytes (magic
//!   numbers, [`sniff::detect`]) and checked against [`Limits::allowed`]; the file name is
//!   never seen by this crate, so a `.jpg` that is an EXE is refused and a PNG called
//!   `.txt` is `image/png`.
//! - **Limits enforced while streaming** ([`Limits`], default 4 GiB): the upload stops as
//!   soon as the limit is passed.
//! - **Nothing left behind.** A refused or failed upload removes its temporary file or
//!   aborts its multipart upload, and nothing appears under the final key until the
//!   content is complete and durable. On S3 a crash (or an unreachable server at abort
//!   time) can leave an open multipart upload or a staging object under `tmp/`;
//!   [`BlobStore::sweep_stale`] removes them (and an `AbortIncompleteMultipartUpload`
//!   lifecycle rule on the bucket is a good second net).
//! - **Content-addressed and idempotent**: key `sha256/ab/cd/<hex>` ([`BlobKey`]); storing
//!   the same content twice stores it once and returns the same [`StoredBlob`].
//! - **Durable before returning**: local files are fsynced and renamed into place and the
//!   directory fsynced; S3 answers only once the object is stored.
//! - **Reads** ([`BlobStore::get`], [`BlobStore::get_range`] for HTTP range requests,
//!   [`BlobStore::get_stream`] for an async body), [`BlobStore::stat`],
//!   [`BlobStore::exists`], and [`BlobStore::delete`] for retention expiry only (REC-6).
//!
//! # Blocking core, async adapters
//!
//! The backends are blocking (`std::fs`, and the blocking HTTP client `ureq` for S3), like
//! the rest of the platform's storage (`zhifa-store`). From async code (an axum handler):
//!
//! ```text
//! async fn upload(State(app): State<App>, body: axum::body::Body) -> Result<Json<StoredBlob>, ApiError> {
//!     let stored = app.blobs.put_stream(body.into_data_stream(), &app.limits).await?;
//!     Ok(Json(stored))
//! }
//! ```
//!
//! [`BlobStore::put_stream`] polls the body on the caller's task and passes the chunks
//! through a small bounded channel to a `spawn_blocking` task that runs the upload; the
//! blocking side never waits for more than the channel holds, and if the caller's future
//! is dropped (client gone) the upload fails and cleans up. Synchronous callers (the CLI, an
//! import) use [`BlobStore::put_reader`] with any `std::io::Read`.
//!
//! # Deleting (REC-6)
//!
//! [`BlobStore::delete`] exists for the end of a retention period and nothing else. This
//! crate knows no retention: the caller decides that the retention of **every** record
//! referring to the object has ended (content addressing means two evidence records with
//! the same bytes share one object), deletes, and records the deletion.
//!
//! # Dependencies, and why each
//!
//! - `sha2` (workspace; SHA-NI accelerated), `sm3` 0.4 (RustCrypto, GB/T 32905; the
//!   version already in the tree through `sm2`, same `digest` 0.10 as `sha2`), `hex`.
//! - `rusty-s3` 0.11, default features off, `rustcrypto` only: a small, sans-IO SigV4
//!   signer (presigned URLs), steadily released (0.1 to 0.11) and tested against MinIO in
//!   its CI; no HTTP stack of its own, and with the features off no XML framework either.
//!   Its dependencies (`hmac`, `sha2` 0.11, `url`, `percent-encoding`, `zeroize`, `jiff`)
//!   were already in the tree, so it is the only new crate. Its public `signing::sign`
//!   signs every request. The AWS SDK was rejected as far too heavy (hundreds of crates,
//!   its own HTTP and async stack).
//! - `quick-xml` 0.42 (`serialize` only): the few XML answers read (upload ids, listings,
//!   errors) as serde structs in `s3.rs`. The version already in the tree (through
//!   `calamine`), so no new crate; the most used XML reader in Rust, actively released.
//!   (`rusty-s3`'s own `xml` feature would bring `instant-xml` as a second XML crate.)
//! - `ureq` 3 (`rustls` feature only): the blocking HTTP client the workspace already uses
//!   for witnesses; it streams response bodies and sends part buffers as they are.
//! - `url`: the endpoint type `rusty-s3` takes (already in the tree).
//! - `bytes`, `futures-core`, `tokio` (`sync`, `rt`): the async adapters, all already in
//!   the tree through axum; `Bytes` lets a chunk go to the SM3 thread without a copy.
//! - `jiff` (workspace): the signing time, and the ages of staging objects when sweeping.
//! - `rand` (workspace): names of temporary files and staging objects.
//! - `serde`, `thiserror` (workspace).
//! - No `infer`: it has no 3GP, takes any file with `mdat` at offset 4 for QuickTime,
//!   misses the HEIF sequence brands and some MP3 frame headers (MPEG-1 with CRC,
//!   MPEG-2.5), and decides ISO media files by the order of its matchers. The allowed set
//!   is small, so [`sniff`] recognises exactly it, by the `ftyp` brands and the EBML
//!   `DocType`, in about 200 lines with tests.

mod error;
mod ingest;
mod key;
mod limits;
mod local;
mod s3;
pub mod sniff;
mod stream;
pub mod testing;

use std::io::Read;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use error::BlobError;
pub use key::BlobKey;
pub use limits::{DEFAULT_ALLOWED, DEFAULT_MAX_SIZE, Limits};
pub use s3::S3Config;
pub use stream::BlobStream;

use ingest::Backend;

/// What an upload stored: its key, size, both hashes and the detected media type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredBlob {
    /// `sha256/ab/cd/<sha256>`.
    pub key: BlobKey,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    /// SM3 (GB/T 32905) of the content, 64 lowercase hex digits.
    pub sm3: String,
    /// The media type detected from the content (e.g. `video/mp4`).
    pub media_type: String,
}

/// What [`BlobStore::stat`] knows of a stored object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlobStat {
    pub key: BlobKey,
    pub size: u64,
    /// Detected again from the first bytes (local) or the `Content-Type` stored with the
    /// object at upload (S3); `None` if neither is available.
    pub media_type: Option<String>,
}

/// Which backend, from configuration: `{"backend": "local", "dir": "/var/lib/zhifa/blobs"}`
/// or `{"backend": "s3", "endpoint": "https://s3.example.cn", "bucket": "evidence",
/// "region": "cn-north-1", "access_key": "…", "secret_key": "…"}`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase")]
pub enum BlobConfig {
    Local { dir: PathBuf },
    S3(S3Config),
}

/// A blocking reader over a stored object or a byte range of it. Implements `Read`.
pub struct BlobReader {
    inner: Box<dyn Read + Send>,
    len: u64,
    total_size: u64,
    media_type: Option<String>,
}

impl BlobReader {
    pub(crate) fn new(inner: Box<dyn Read + Send>, len: u64, total_size: u64, media_type: Option<String>) -> Self {
        BlobReader { inner, len, total_size, media_type }
    }

    /// How many bytes this reader yields (the range's length, or the object's size).
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole object's size (for `Content-Range: bytes a-b/size`).
    pub fn total_size(&self) -> u64 {
        self.total_size
    }

    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader").field("len", &self.len).field("total_size", &self.total_size).finish()
    }
}

/// A requested byte range within an object of `size` bytes: non-empty and inside it. No
/// range is the whole object.
pub(crate) fn check_range(range: Option<Range<u64>>, size: u64) -> Result<Range<u64>, BlobError> {
    match range {
        None => Ok(0..size),
        Some(r) if r.start < r.end && r.end <= size => Ok(r),
        Some(_) => Err(BlobError::RangeNotSatisfiable { size }),
    }
}

/// The object store. Cheap to clone (an `Arc`); safe to share between threads and tasks.
#[derive(Clone)]
pub struct BlobStore {
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.backend.describe())
    }
}

impl BlobStore {
    /// Opens the configured backend. No network access: see [`BlobStore::check`].
    pub fn open(config: &BlobConfig) -> Result<Self, BlobError> {
        match config {
            BlobConfig::Local { dir } => Self::local(dir.clone()),
            BlobConfig::S3(c) => Self::s3(c.clone()),
        }
    }

    /// A store in the directory `dir`, created if missing.
    pub fn local(dir: impl Into<PathBuf>) -> Result<Self, BlobError> {
        Ok(BlobStore { backend: Arc::new(local::LocalStore::open(dir.into())?) })
    }

    /// A store in an S3 bucket (which must exist).
    pub fn s3(config: S3Config) -> Result<Self, BlobError> {
        Ok(BlobStore { backend: Arc::new(s3::S3Store::new(config)?) })
    }

    /// `local:/path` or `s3:http://host:port/bucket`, for logs.
    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    /// Checks that the store can be used now: the local directory is writable, or the S3
    /// bucket answers. For start-up and health checks.
    pub fn check(&self) -> Result<(), BlobError> {
        self.backend.check()
    }

    /// Stores everything `reader` yields (blocking). See [`BlobStore::put_stream`] for the
    /// async form; both enforce `limits` while reading and leave nothing behind on error.
    /// A read error of `reader` is [`BlobError::Source`].
    pub fn put_reader<R: Read>(&self, reader: R, limits: &Limits) -> Result<StoredBlob, BlobError> {
        ingest::ingest(&*self.backend, &mut ingest::read_chunks(reader), limits)
    }

    /// Reads a whole object (blocking). [`BlobError::NotFound`] if there is none.
    pub fn get(&self, key: &BlobKey) -> Result<BlobReader, BlobError> {
        self.backend.open(key, None)
    }

    /// Reads the bytes `range` (end exclusive) of an object (blocking); the range must be
    /// non-empty and inside the object, else [`BlobError::RangeNotSatisfiable`].
    pub fn get_range(&self, key: &BlobKey, range: Range<u64>) -> Result<BlobReader, BlobError> {
        self.backend.open(key, Some(range))
    }

    /// Size and media type of an object, or `None` if there is none.
    pub fn stat(&self, key: &BlobKey) -> Result<Option<BlobStat>, BlobError> {
        self.backend.stat(key)
    }

    pub fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        Ok(self.stat(key)?.is_some())
    }

    /// Deletes an object; `true` if it existed. **Only** for the end of a retention period
    /// (REC-6), decided and recorded by the caller for every record that refers to it (see
    /// the crate documentation).
    pub fn delete(&self, key: &BlobKey) -> Result<bool, BlobError> {
        self.backend.delete(key)
    }

    /// Removes what interrupted uploads left behind and is older than `older_than`:
    /// temporary files (local), open multipart uploads and staging objects under `tmp/`
    /// (S3). Returns how many were removed. Run it at start-up and now and then, with an age
    /// well above the longest upload (e.g. a day), since other processes may be uploading.
    pub fn sweep_stale(&self, older_than: Duration) -> Result<usize, BlobError> {
        self.backend.sweep(older_than)
    }
}
