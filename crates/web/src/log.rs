//! The log's HTTP face (LOG-2, LOG-3), exactly as C2SP tlog-tiles lays it out, and the
//! checkpointer that signs, publishes and has witnesses cosign.
//!
//! - `GET /log/checkpoint` — the latest signed checkpoint with witness cosignatures
//!   (cacheable for a second).
//! - `GET /log/key` — the verifier key(s) in C2SP signed-note form.
//! - `GET /log/tile/<L>/<N>[.p/<W>]`, `GET /log/tile/entries/<N>[.p/<W>]` — tiles; full
//!   and partial tiles never change once served, so both are cacheable forever.
//! - `GET /log/proof/inclusion?index=I&size=N`, `GET /log/proof/consistency?old=M&new=N`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhifa_log::{
    AddCheckpoint, CosignatureVerifier, Ed25519Signer, Note, NoteSigner, NoteVerifier, TileId, verify_cosignatures,
};
use zhifa_store::log::StoredCheckpoint;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{QueryMap, bad, blocking};

/// A witness the log asks to cosign each checkpoint (C2SP tlog-witness).
#[derive(Clone)]
pub struct Witness {
    pub verifier: CosignatureVerifier,
    /// The witness's base URL; `add-checkpoint` is POSTed to `<url>/add-checkpoint`.
    pub url: String,
}

/// The log's identity and keys.
#[derive(Clone)]
pub struct LogConfig {
    /// The checkpoint origin, also the key name.
    pub origin: String,
    pub signer: Arc<Ed25519Signer>,
    /// Optional national-algorithm cosigning key (SM2 over SM3).
    pub sm2: Option<Arc<zhifa_log::Sm2Signer>>,
    pub witnesses: Vec<Witness>,
    /// Where the latest published checkpoint is also kept outside the database, so that a
    /// database restored from an older backup is noticed (see `check_not_rewound`).
    pub state_file: Option<PathBuf>,
    /// How often the background checkpointer looks for growth (default: once a second);
    /// `None` runs none (tests sign with [`checkpoint_once`]).
    pub interval: Option<Duration>,
}

impl LogConfig {
    /// A throwaway identity (tests).
    pub fn ephemeral(origin: &str) -> LogConfig {
        let seed: [u8; 32] = rand::random();
        LogConfig {
            origin: origin.into(),
            signer: Arc::new(Ed25519Signer::from_seed(origin, &seed).expect("valid origin")),
            sm2: None,
            witnesses: Vec::new(),
            state_file: None,
            interval: None,
        }
    }

    fn signers(&self) -> Vec<&dyn NoteSigner> {
        let mut v: Vec<&dyn NoteSigner> = vec![self.signer.as_ref()];
        if let Some(s) = &self.sm2 {
            v.push(s.as_ref());
        }
        v
    }

    /// The verifier keys, one per line: what `/log/key` serves.
    pub fn verifier_keys(&self) -> String {
        let mut s = format!("{}\n", self.signer.verifier().vkey());
        if let Some(k) = &self.sm2 {
            s.push_str(&format!("{}\n", k.verifier().vkey()));
        }
        s
    }
}

/// Refuses to go on if the database's log does not extend the checkpoint last published
/// from this node (a restore from an older backup, or a tampered database). The operator
/// acknowledges with `zhifa log acknowledge-rewind`, which is itself a record.
pub fn check_not_rewound(store: &zhifa_store::Store, log: &LogConfig) -> Result<(), String> {
    let Some(path) = &log.state_file else { return Ok(()) };
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(()) };
    let note = Note::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let cp = zhifa_log::Checkpoint::parse(note.text()).map_err(|e| format!("{}: {e}", path.display()))?;
    let size = store.tree_size().map_err(|e| e.to_string())?;
    let refuse = |why: String| {
        Err(format!(
            "LOG-2: {why}。数据库可能是从较旧的备份恢复的。继续运行将签发与已发布检查点不一致的检查点，因此拒绝启动。\n\
             如确属有意恢复，请运行 `zhifa log acknowledge-rewind --reason \"…\"`：确认本身将作为一条记录写入日志。\n\
             已发布的检查点：{}",
            path.display()
        ))
    };
    if size < cp.size() {
        return refuse(format!("数据库中的日志只有 {size} 个叶子，少于已发布检查点的 {} 个", cp.size()));
    }
    let root = store.root_at(cp.size()).map_err(|e| e.to_string())?;
    if &root != cp.root() {
        return refuse(format!("数据库中的日志在大小 {} 处的根与已发布检查点不一致", cp.size()));
    }
    Ok(())
}

/// Writes `text` to `path` atomically and durably (temp file, fsync, rename, fsync dir).
fn write_durably(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// One round of the checkpointer: sign if grown, keep the copy outside the database, ask
/// the witnesses. Returns the new checkpoint, if any.
pub fn checkpoint_once(state: &AppState) -> Result<Option<StoredCheckpoint>, String> {
    let log = &state.log;
    let cp = state.store.sign_checkpoint(&log.origin, &log.signers()).map_err(|e| e.to_string())?;
    let Some(cp) = cp else { return Ok(None) };
    if let Some(path) = &log.state_file {
        // After the database commit: a crash in between leaves the file one checkpoint
        // behind, which the next start accepts (the database extends it).
        write_durably(path, &cp.note).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for w in &log.witnesses {
        if let Err(e) = ask_witness(state, w, &cp) {
            tracing::warn!(witness = %w.url, error = %e, "witness did not cosign");
        }
    }
    Ok(Some(cp))
}

/// Sends `add-checkpoint` to a witness (C2SP tlog-witness), retrying once with the size the
/// witness reports on a conflict, and stores its verified cosignature.
fn ask_witness(state: &AppState, w: &Witness, cp: &StoredCheckpoint) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let mut old = state.witness_sizes.lock().unwrap_or_else(|p| p.into_inner()).get(&w.url).copied().unwrap_or(0);
    for _ in 0..2 {
        let proof = if old == 0 || old == cp.size {
            Vec::new()
        } else {
            state.store.consistency_proof(old, cp.size).map_err(|e| e.to_string())?
        };
        let body =
            AddCheckpoint { old_size: old, proof, checkpoint: cp.note.clone() }.to_body().map_err(|e| e.to_string())?;
        let mut resp = agent
            .post(format!("{}/add-checkpoint", w.url.trim_end_matches('/')))
            .send(body.as_bytes())
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
        match status {
            200 => {
                let mut note = Note::parse(&cp.note).map_err(|e| e.to_string())?;
                for sig in zhifa_log::parse_signature_lines(&text).map_err(|e| e.to_string())? {
                    let _ = note.add_signature(sig);
                }
                let verified =
                    verify_cosignatures(&note, std::slice::from_ref(&w.verifier)).map_err(|e| e.to_string())?;
                let name = w.verifier.name().to_string();
                let line = text
                    .lines()
                    .find(|l| l.starts_with(&format!("— {name} ")))
                    .ok_or("witness reply has no cosignature line")?;
                if verified.is_empty() {
                    return Err("witness cosignature does not verify".into());
                }
                state.store.add_cosignature(cp.size, &name, &format!("{line}\n")).map_err(|e| e.to_string())?;
                state.witness_sizes.lock().unwrap_or_else(|p| p.into_inner()).insert(w.url.clone(), cp.size);
                return Ok(());
            }
            409 => {
                old = text.trim().parse().map_err(|_| format!("witness conflict without a size: {text}"))?;
            }
            s => return Err(format!("witness answered {s}: {}", text.trim())),
        }
    }
    Err("witness kept conflicting".into())
}

/// Runs the checkpointer until the process ends: at most one checkpoint per interval, and
/// only when the tree has grown.
pub fn spawn_checkpointer(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let interval = state.log.interval?;
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let s = state.clone();
            match tokio::task::spawn_blocking(move || checkpoint_once(&s)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "checkpoint not signed"),
                Err(e) => tracing::error!(error = %e, "checkpointer panicked"),
            }
        }
    }))
}

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
    let reason = crate::api::view_reason(&q)?;
    let store = s.store.clone();
    blocking(move || {
        let leaf = store.record_leaf(seq)?.ok_or_else(|| ApiError::NotFound(format!("记录 {seq} ")))?;
        let cp = store
            .latest_checkpoint()?
            .filter(|c| c.size > seq as u64)
            .ok_or_else(|| ApiError::Conflict("LOG-3", format!("记录 {seq} 尚未被已签发的检查点包含，请一秒后再试")))?;
        crate::api::record_view(&store, &c, &leaf, "收据", reason)?;
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
