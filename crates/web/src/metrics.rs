//! `/healthz` and Prometheus metrics at `/metrics` (text exposition via the Prometheus
//! project's own Rust client, `prometheus-client`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::blocking;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    records: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("zhifa");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        let records = Gauge::default();
        registry.register("http_requests", "HTTP requests by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("records", "Records in the spine", records.clone());
        Metrics { registry, requests, latency, records }
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let m = &state.metrics;
    m.requests.get_or_create(&RequestLabels { method, route: route.clone(), status: resp.status().as_u16() }).inc();
    m.latency.get_or_create(&RouteLabels { route }).observe(start.elapsed().as_secs_f64());
    resp
}

pub async fn metrics(State(state): State<AppState>) -> ApiResult<Response> {
    let store = state.store.clone();
    let n = blocking(move || Ok(store.record_count()?)).await?;
    state.metrics.records.set(n);
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &state.metrics.registry)
        .map_err(|e| crate::error::ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], out).into_response())
}

pub async fn healthz(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    let store = state.store.clone();
    let (records, schema) = blocking(move || Ok((store.record_count()?, store.schema_version()?))).await?;
    Ok(axum::Json(serde_json::json!({
        "status": "ok",
        "backend": state.store.backend_name(),
        "schema_version": schema,
        "records": records,
    })))
}
