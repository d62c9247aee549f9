//! Zhifa's application layer: the use cases, one plain function per thing a person or a
//! job does, each taking the caller and a typed command and answering a typed result or
//! an [`Error`] that carries the DOMAIN rule; the background jobs (checkpointer,
//! publisher, search follower); and [`access`], the one module that decides who may see
//! and do what. Every face — the JSON API, the portal, the staff pages, the CLI — calls
//! these functions; none holds a use case of its own.
//!
//! The functions are blocking (the store is); the web faces run them off the async
//! threads.

pub mod access;
pub mod accounts;
pub mod calendar;
pub mod cases;
pub mod complaints;
pub mod documents;
pub mod error;
pub mod evidence;
pub mod import;
pub mod log;
pub mod publications;
pub mod records;
pub mod registry;
pub mod reviews;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zhifa_domain::registry::QualificationPolicy;
use zhifa_store::Store;

pub use error::{Error, Result};

/// What the use cases work with: the store, the evidence files, the renderer, the search
/// index, the log's keys and the platform's policies. Cheap to clone (all shared).
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub policy: Arc<QualificationPolicy>,
    pub log: Arc<log::LogConfig>,
    pub passwords: Arc<zhifa_domain::security::PasswordPolicy>,
    pub sessions: Arc<zhifa_domain::security::SessionPolicy>,
    /// The platform's absolute base URL (`https://zhifa.example.gov.cn`), for links that
    /// leave the page, like the certificate QR codes (PUB-3); `None`: the request's host.
    pub public_url: Option<Arc<str>>,
    /// The full-text index of published decisions (PUB-4): a projection of the
    /// publication records, rebuilt at start by the publisher.
    pub search: Arc<zhifa_search::SearchIndex>,
    /// Evidence files (REC-3, REC-4), and what an upload may be.
    pub blobs: zhifa_blob::BlobStore,
    pub limits: Arc<zhifa_blob::Limits>,
    /// Official documents (CASE-6): templates and fonts, built once.
    pub renderer: Arc<zhifa_render::Renderer>,
    /// Rendered decision pages, dropped when a publication record changes them.
    pub pages: Arc<publications::PageCache>,
    /// The tree size each witness last cosigned (C2SP tlog-witness `old`).
    witness_sizes: Arc<Mutex<HashMap<String, u64>>>,
}

impl App {
    pub fn new(store: Store, log: log::LogConfig) -> App {
        App {
            store,
            policy: Arc::new(QualificationPolicy::default()),
            log: Arc::new(log),
            passwords: Arc::default(),
            sessions: Arc::default(),
            public_url: None,
            search: Arc::new(zhifa_search::SearchIndex::in_memory().expect("an in-memory search index")),
            pages: Arc::default(),
            witness_sizes: Arc::default(),
            // A scratch store until [`App::with_blobs`] names the real one.
            blobs: zhifa_blob::BlobStore::local(
                std::env::temp_dir().join(format!("zhifa-blobs-{}", std::process::id())),
            )
            .expect("a blob directory under the temporary directory"),
            limits: Arc::default(),
            renderer: default_renderer(),
        }
    }

    /// The document renderer (agencies' templates, licensed fonts: `--templates`, `--fonts`).
    pub fn with_renderer(mut self, renderer: zhifa_render::Renderer) -> App {
        self.renderer = Arc::new(renderer);
        self
    }

    /// Sets the absolute base URL the platform is reached at.
    pub fn with_public_url(mut self, url: impl Into<String>) -> App {
        self.public_url = Some(url.into().trim_end_matches('/').into());
        self
    }

    /// Where evidence files are kept (`<data-dir>/blobs` or S3) and the upload limits.
    pub fn with_blobs(mut self, blobs: zhifa_blob::BlobStore, limits: zhifa_blob::Limits) -> App {
        self.blobs = blobs;
        self.limits = Arc::new(limits);
        self
    }

    /// Keeps the search index in `index` (e.g. a directory under the data dir) instead of
    /// memory.
    pub fn with_search_index(mut self, index: zhifa_search::SearchIndex) -> App {
        self.search = Arc::new(index);
        self
    }

    /// Today in China Standard Time (UTC+8, no daylight saving), by the platform clock.
    pub fn today(&self) -> jiff::civil::Date {
        zhifa_domain::procedure::china_date(self.store.now())
    }
}

/// The embedded templates with the vendored fonts, loaded once per process.
fn default_renderer() -> Arc<zhifa_render::Renderer> {
    static DEFAULT: std::sync::OnceLock<Arc<zhifa_render::Renderer>> = std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            Arc::new(
                zhifa_render::Renderer::new(zhifa_render::FontConfig::vendored(), None)
                    .expect("the embedded templates and fonts load"),
            )
        })
        .clone()
}
