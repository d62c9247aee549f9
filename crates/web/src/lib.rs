//! Zhifa's HTTP layer: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`),
//! `/healthz` and `/metrics`. Handlers are thin: parse into domain types, call the store,
//! render.

mod api;
pub mod auth;
pub mod cookies;
pub mod error;
mod extract;
pub mod html;
pub mod log;
mod metrics;
pub mod openapi;
pub mod portal;
pub mod session;
pub mod staff;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use zhifa_app::App;
use zhifa_store::Store;

pub use openapi::{Access, RouteInfo};

/// Shared by all handlers: the application ([`App`], what the use cases work with) and
/// what only HTTP needs (the metrics).
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    metrics: Arc<metrics::Metrics>,
}

impl From<App> for AppState {
    fn from(app: App) -> AppState {
        AppState { app, metrics: Arc::new(metrics::Metrics::new()) }
    }
}

impl AppState {
    /// The application on `store` with the log's identity, everything else by default.
    pub fn new(store: Store, log: zhifa_app::log::LogConfig) -> AppState {
        AppState::from(App::new(store, log))
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

/// The whole application router, and the table of API routes.
pub fn app(state: AppState) -> (Router, Vec<RouteInfo>) {
    let (api_router, doc, routes) = api::publications::register(portal::api(api::documents::register(
        api::reviews::register(api::cases::register(api::routes(state.clone()))),
    )))
    .finish();
    let doc = Arc::new(doc);
    let router = Router::new()
        .merge(api_router)
        .merge(portal::router())
        .merge(staff::router(state.clone()))
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
    let checkpointer = zhifa_app::log::spawn_checkpointer(state.app.clone());
    let publisher = zhifa_app::publications::spawn_publisher(state.app.clone());
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
