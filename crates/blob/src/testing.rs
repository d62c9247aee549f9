//! Test support for this crate's tests and the web and CLI suites: a fresh store on every
//! backend, and a view of everything a backend holds (to prove that nothing was left
//! behind).
//!
//! Local files always. S3 when `ZHIFA_TEST_S3_URL` names a server (e.g.
//! `http://127.0.0.1:9900`), with `ZHIFA_TEST_S3_ACCESS_KEY` and `ZHIFA_TEST_S3_SECRET_KEY`
//! (and optionally `ZHIFA_TEST_S3_REGION`): each test store creates a bucket of its own and
//! empties and deletes it afterwards. If the variable is set and the server cannot be
//! reached, the test fails — it never skips.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::s3::{S3Store, STAGING_PREFIX};
use crate::{BlobStore, S3Config};

pub const S3_URL_ENV: &str = "ZHIFA_TEST_S3_URL";
pub const S3_ACCESS_KEY_ENV: &str = "ZHIFA_TEST_S3_ACCESS_KEY";
pub const S3_SECRET_KEY_ENV: &str = "ZHIFA_TEST_S3_SECRET_KEY";
pub const S3_REGION_ENV: &str = "ZHIFA_TEST_S3_REGION";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}-{}-{n}-{nanos}", std::process::id())
}

/// A store for one test, on one backend; cleans up after itself.
pub struct TestBlobStore {
    /// `"local"` or `"s3"`, for assertion messages.
    pub backend: &'static str,
    pub store: BlobStore,
    guard: Guard,
}

enum Guard {
    Dir(PathBuf),
    Bucket(Box<S3Store>),
}

/// A store on every backend under test: local files, and S3 when configured.
pub fn stores() -> Vec<TestBlobStore> {
    stores_with(|_| {})
}

/// As [`stores`], with the S3 configuration adjusted first (e.g. a smaller `part_size`, so
/// that a test reaches multipart uploads with little data).
pub fn stores_with(adjust: impl Fn(&mut S3Config)) -> Vec<TestBlobStore> {
    let mut v = vec![local()];
    if let Some(mut config) = s3_config_from_env() {
        adjust(&mut config);
        v.push(s3(config));
    }
    v
}

/// A store in a fresh temporary directory.
pub fn local() -> TestBlobStore {
    let dir = std::env::temp_dir().join(unique("zhifa-blob-test"));
    let store = BlobStore::local(&dir).unwrap_or_else(|e| panic!("local store in {}: {e}", dir.display()));
    TestBlobStore { backend: "local", store, guard: Guard::Dir(dir) }
}

/// The S3 test server's configuration with a fresh bucket name (not yet created), or
/// `None` if `ZHIFA_TEST_S3_URL` is not set.
pub fn s3_config_from_env() -> Option<S3Config> {
    let url = std::env::var(S3_URL_ENV).ok().filter(|u| !u.is_empty())?;
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{S3_URL_ENV} is set, so {name} must be too"));
    let mut c = S3Config::new(url, unique("zhifa-test"), var(S3_ACCESS_KEY_ENV), var(S3_SECRET_KEY_ENV));
    if let Ok(region) = std::env::var(S3_REGION_ENV) {
        c.region = region;
    }
    Some(c)
}

/// A store in a bucket created for it from `config`; panics if the server is unreachable.
pub fn s3(config: S3Config) -> TestBlobStore {
    let admin = S3Store::new(config.clone()).unwrap_or_else(|e| panic!("S3 test configuration: {e}"));
    admin
        .create_bucket()
        .unwrap_or_else(|e| panic!("S3 test server {} (from {S3_URL_ENV}) unusable: {e}", config.endpoint));
    let store = BlobStore::s3(config).expect("same configuration");
    TestBlobStore { backend: "s3", store, guard: Guard::Bucket(Box::new(admin)) }
}

impl TestBlobStore {
    /// Everything the backend holds, sorted: every file under the local directory (path
    /// relative to it, temporary files included), or every object key in the bucket and
    /// every open multipart upload (as `upload:<key>`). Empty after a refused or failed
    /// upload into an empty store.
    pub fn contents(&self) -> Vec<String> {
        let mut out = match &self.guard {
            Guard::Dir(dir) => {
                let mut files = Vec::new();
                walk(dir, dir, &mut files);
                files
            }
            Guard::Bucket(s3) => {
                let objects = s3.list_objects("").unwrap_or_else(|e| panic!("list objects: {e}"));
                let uploads = s3.list_uploads("").unwrap_or_else(|e| panic!("list uploads: {e}"));
                objects
                    .into_iter()
                    .map(|o| o.key)
                    .chain(uploads.into_iter().map(|u| format!("upload:{}", u.key)))
                    .collect()
            }
        };
        out.sort();
        out
    }

    /// Leaves behind what an upload interrupted by a crash would: a temporary file (local)
    /// or an open multipart upload under `tmp/` (S3).
    pub fn start_orphan_upload(&self) {
        match &self.guard {
            Guard::Dir(dir) => {
                std::fs::write(dir.join("tmp").join("crashed.part"), b"partial").expect("write orphan");
            }
            Guard::Bucket(s3) => s3.start_orphan_upload().unwrap_or_else(|e| panic!("orphan upload: {e}")),
        }
    }

    /// Where staging data lives: `tmp/` on both backends.
    pub fn staging_prefix(&self) -> &'static str {
        STAGING_PREFIX
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            out.push(path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/"));
        }
    }
}

impl Drop for TestBlobStore {
    fn drop(&mut self) {
        match &self.guard {
            Guard::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Guard::Bucket(s3) => {
                for u in s3.list_uploads("").unwrap_or_default() {
                    let _ = s3.abort_upload(&u.key, u.upload_id.as_deref().unwrap_or_default());
                }
                for o in s3.list_objects("").unwrap_or_default() {
                    let _ = s3.delete_object(&o.key);
                }
                let _ = s3.delete_bucket();
            }
        }
    }
}
