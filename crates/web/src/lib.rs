//! Zhifa's HTTP layer: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`),
//! `/healthz` and `/metrics`. Handlers are thin: parse into domain types, call the store,
//! render.

mod api;
pub mod auth;
pub mod error;
mod extract;
mod metrics;
pub mod openapi;

pub use api::import_tables;

use std::sync::Arc;

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
    metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState { store, policy: Arc::new(QualificationPolicy::default()), metrics: Arc::new(metrics::Metrics::new()) }
    }

    /// Today in China Standard Time (UTC+8, no daylight saving), by the platform clock.
    pub fn today(&self) -> jiff::civil::Date {
        let offset = jiff::tz::Offset::constant(8);
        self.store.now().to_zoned(jiff::tz::TimeZone::fixed(offset)).date()
    }
}

/// The whole application router, and the table of API routes.
pub fn app(state: AppState) -> (Router, Vec<RouteInfo>) {
    let (api_router, doc, routes) = api::routes(state.clone()).finish();
    let doc = Arc::new(doc);
    let router = Router::new()
        .merge(api_router)
        .route("/api/openapi.json", get(move || async move { axum::Json((*doc).clone()) }))
        .route("/healthz", get(metrics::healthz))
        .route("/metrics", get(metrics::metrics))
        .fallback(|| async { error::ApiError::NotFound("该路径".into()) })
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state);
    (router, routes)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (router, _) = app(state);
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
