//! The log's HTTP face (LOG-2, LOG-3), exactly as C2SP tlog-tiles lays it out. The
//! checkpointer that signs, publishes and has witnesses cosign is `zhifa_app::log`.
//!
//! - `GET /log/checkpoint` — the latest signed checkpoint with witness cosignatures
//!   (cacheable for a second).
//! - `GET /log/key` — the verifier key(s) in C2SP signed-note form.
//! - `GET /log/tile/<L>/<N>[.p/<W>]`, `GET /log/tile/entries/<N>[.p/<W>]` — tiles; full
//!   and partial tiles never change once served, so both are cacheable forever.
//! - `GET /log/proof/inclusion?index=I&size=N`, `GET /log/proof/consistency?old=M&new=N`.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhifa_log::TileId;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{QueryMap, bad, blocking};

// ---------------------------------------------------------------------------------------
// handlers

fn text(body: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

pub async fn checkpoint(State(s): State<AppState>) -> ApiResult<Response> {
    let store = s.store.clone();
    let cp = blocking(move || Ok(store.latest_checkpoint()?)).await?;
    match cp {
        Some(cp) => Ok(text(cp.published(), "public, max-age=1")),
        None => Err(ApiError::NotFound("检查点（日志尚未签发检查点）".into())),
    }
}

pub async fn key(State(s): State<AppState>) -> Response {
    text(s.log.verifier_keys(), "public, max-age=3600")
}

pub async fn tile(State(s): State<AppState>, Path(rest): Path<String>) -> ApiResult<Response> {
    let path = format!("tile/{rest}");
    let id = TileId::parse(&path).map_err(|e| bad("path", format!("{path} 不是 C2SP tlog-tiles 路径：{e}")))?;
    let store = s.store.clone();
    match blocking(move || Ok(store.tile(id)?)).await? {
        Some(bytes) => Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")),
                // Full tiles never change; a partial tile of a given width never changes either.
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
            ],
            bytes,
        )
            .into_response()),
        None => {
            Ok((StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], format!("{path} 不存在\n"))
                .into_response())
        }
    }
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct ProofResponse {
    /// Base64 hashes, as in C2SP.
    pub proof: Vec<String>,
    pub root: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_root: Option<String>,
}

async fn sizes(s: &AppState) -> ApiResult<u64> {
    let store = s.store.clone();
    blocking(move || Ok(store.tree_size()?)).await
}

fn u64_param(q: &QueryMap, k: &str) -> ApiResult<u64> {
    let v = q.i64(k)?.ok_or_else(|| bad(k, format!("缺少参数 {k}")))?;
    u64::try_from(v).map_err(|_| bad(k, format!("参数 {k} 不能为负")))
}

pub async fn inclusion(State(s): State<AppState>, q: QueryMap) -> ApiResult<axum::Json<ProofResponse>> {
    let (index, size) = (u64_param(&q, "index")?, u64_param(&q, "size")?);
    let tree = sizes(&s).await?;
    if size > tree {
        return Err(bad("size", format!("size={size} 超过日志当前大小 {tree}")));
    }
    if index >= size {
        return Err(bad("index", format!("index={index} 须小于 size={size}")));
    }
    let store = s.store.clone();
    blocking(move || {
        let proof = store.inclusion_proof(index, size)?;
        let root = store.root_at(size)?;
        Ok(axum::Json(ProofResponse {
            proof: proof.iter().map(|h| h.to_base64()).collect(),
            root: root.to_base64(),
            old_root: None,
        }))
    })
    .await
}

pub async fn consistency(State(s): State<AppState>, q: QueryMap) -> ApiResult<axum::Json<ProofResponse>> {
    let (old, new) = (u64_param(&q, "old")?, u64_param(&q, "new")?);
    let tree = sizes(&s).await?;
    if new > tree {
        return Err(bad("new", format!("new={new} 超过日志当前大小 {tree}")));
    }
    if old == 0 || old > new {
        return Err(bad("old", format!("old={old} 须在 1 与 new={new} 之间")));
    }
    let store = s.store.clone();
    blocking(move || {
        let proof = store.consistency_proof(old, new)?;
        Ok(axum::Json(ProofResponse {
            proof: proof.iter().map(|h| h.to_base64()).collect(),
            root: store.root_at(new)?.to_base64(),
            old_root: Some(store.root_at(old)?.to_base64()),
        }))
    })
    .await
}

/// A record's receipt: a C2SP tlog-proof against the latest checkpoint that includes it,
/// with the record and its salt as the receipt's extra data, so the holder can recompute
/// the leaf.
pub async fn receipt(
    State(s): State<AppState>,
    c: crate::auth::Caller,
    Path(seq): Path<String>,
    q: QueryMap,
) -> ApiResult<Response> {
    let seq: i64 = seq.parse().map_err(|_| bad("seq", format!("「{seq}」不是记录序号")))?;
    let reason = crate::extract::view_reason(&q)?;
    let (app, store) = (s.app.clone(), s.store.clone());
    blocking(move || {
        let leaf = store.record_leaf(seq)?.ok_or_else(|| ApiError::NotFound(format!("记录 {seq} ")))?;
        let cp = store
            .latest_checkpoint()?
            .filter(|c| c.size > seq as u64)
            .ok_or_else(|| ApiError::Conflict("LOG-3", format!("记录 {seq} 尚未被已签发的检查点包含，请一秒后再试")))?;
        zhifa_app::records::record_view(&app, zhifa_app::access::account(c.0.as_ref())?, &leaf, "收据", reason)?;
        let proof = store.inclusion_proof(seq as u64, cp.size)?;
        let extra = serde_json::to_vec(&serde_json::json!({
            "record": leaf.record,
            "salt": leaf.salt,
            "canonical": String::from_utf8_lossy(&zhifa_store::log::canonical_bytes(&leaf.record)),
        }))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        let receipt = zhifa_log::TlogProof::new(seq as u64, proof, cp.published()).with_extra(extra);
        Ok((
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"record-{seq}.tlog-proof\"")),
            ],
            receipt.to_string(),
        )
            .into_response())
    })
    .await
}
