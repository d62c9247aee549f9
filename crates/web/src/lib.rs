//! Zhifa's HTTP layer: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`),
//! `/healthz` and `/metrics`. Handlers are thin: parse into domain types, call the store,
//! render.

mod api;
pub mod auth;
mod cases;
mod complaints;
pub mod documents;
pub mod error;
pub mod evidence;
mod extract;
pub mod html;
pub mod log;
mod metrics;
pub mod openapi;
pub mod public;
pub mod publish;
mod reviews;
pub mod session;
pub mod staff;

pub use api::import_tables;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use zhifa_domain::registry::QualificationPolicy;
use zhifa_store::Store;

pub use openapi::{Access, RouteInfo};

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub policy: Arc<QualificationPolicy>,
    pub log: Arc<log::LogConfig>,
    pub passwords: Arc<zhifa_domain::security::PasswordPolicy>,
    pub sessions: Arc<zhifa_domain::security::SessionPolicy>,
    /// The platform's absolute base URL (`https://zhifa.example.gov.cn`), for links that
    /// leave the page, like the certificate QR codes (PUB-3); `None`: the request's host.
    pub public_url: Option<Arc<str>>,
    /// The full-text index of published decisions (PUB-4): a projection of the
    /// publication records, rebuilt at start by the publisher (`publish.rs`).
    pub search: Arc<zhifa_search::SearchIndex>,
    /// Rendered publication pages (`publish.rs`).
    pub pages: Arc<publish::PageCache>,
    /// The tree size each witness last cosigned (C2SP tlog-witness `old`).
    witness_sizes: Arc<Mutex<HashMap<String, u64>>>,
    metrics: Arc<metrics::Metrics>,
    /// Evidence files (REC-3, REC-4), and what an upload may be.
    pub blobs: zhifa_blob::BlobStore,
    pub limits: Arc<zhifa_blob::Limits>,
    /// Official documents (CASE-6): templates and fonts, built once.
    pub renderer: Arc<zhifa_render::Renderer>,
}

impl AppState {
    pub fn new(store: Store, log: log::LogConfig) -> AppState {
        AppState {
            store,
            policy: Arc::new(QualificationPolicy::default()),
            log: Arc::new(log),
            passwords: Arc::default(),
            sessions: Arc::default(),
            public_url: None,
            search: Arc::new(zhifa_search::SearchIndex::in_memory().expect("an in-memory search index")),
            pages: Arc::default(),
            witness_sizes: Arc::default(),
            metrics: Arc::new(metrics::Metrics::new()),
            // A scratch store until [`AppState::with_blobs`] names the real one.
            blobs: zhifa_blob::BlobStore::local(
                std::env::temp_dir().join(format!("zhifa-blobs-{}", std::process::id())),
            )
            .expect("a blob directory under the temporary directory"),
            limits: Arc::default(),
            renderer: default_renderer(),
        }
    }

    /// The document renderer (agencies' templates, licensed fonts: `--templates`, `--fonts`).
    pub fn with_renderer(mut self, renderer: zhifa_render::Renderer) -> AppState {
        self.renderer = Arc::new(renderer);
        self
    }

    /// Sets the absolute base URL the platform is reached at.
    pub fn with_public_url(mut self, url: impl Into<String>) -> AppState {
        self.public_url = Some(url.into().trim_end_matches('/').into());
        self
    }

    /// Where evidence files are kept (`<data-dir>/blobs` or S3) and the upload limits.
    pub fn with_blobs(mut self, blobs: zhifa_blob::BlobStore, limits: zhifa_blob::Limits) -> AppState {
        self.blobs = blobs;
        self.limits = Arc::new(limits);
        self
    }

    /// Keeps the search index in `index` (e.g. a directory under the data dir) instead of
    /// memory.
    pub fn with_search_index(mut self, index: zhifa_search::SearchIndex) -> AppState {
        self.search = Arc::new(index);
        self
    }

    /// Today in China Standard Time (UTC+8, no daylight saving), by the platform clock.
    pub fn today(&self) -> jiff::civil::Date {
        let offset = jiff::tz::Offset::constant(8);
        self.store.now().to_zoned(jiff::tz::TimeZone::fixed(offset)).date()
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

/// The whole application router, and the table of API routes.
pub fn app(state: AppState) -> (Router, Vec<RouteInfo>) {
    let (api_router, doc, routes) =
        publish::api(public::api(documents::register(reviews::register(cases::register(api::routes(state.clone()))))))
            .finish();
    let doc = Arc::new(doc);
    let router = Router::new()
        .merge(api_router)
        .merge(public::router())
        .merge(staff::router(state.clone()))
        .merge(publish::router())
        .merge(complaints::router())
        .route("/api/openapi.json", get(move || async move { axum::Json((*doc).clone()) }))
        // C2SP tlog-tiles and tlog-checkpoint, public (LOG-2, LOG-3).
        .route("/log/checkpoint", get(log::checkpoint))
        .route("/log/key", get(log::key))
        .route("/log/tile/{*rest}", get(log::tile))
        .route("/healthz", get(metrics::healthz))
        .route("/metrics", get(metrics::metrics))
        .fallback(|| async { error::ApiError::NotFound("该路径".into()) })
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state);
    (router, routes)
}

/// Serves until `shutdown` completes, with the checkpointer running.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let checkpointer = log::spawn_checkpointer(state.clone());
    let publisher = publish::spawn_publisher(state.clone());
    let (router, _) = app(state);
    let _abort = AbortOnDrop(checkpointer);
    let _abort_publisher = AbortOnDrop(Some(publisher));
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

/// SEC-1 headers on every response: a strict Content-Security-Policy (everything from this
/// origin, nothing inline), no sniffing, no framing, no referrer.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::HeaderValue;
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    resp
}
