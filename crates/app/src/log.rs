//! The log's background work (LOG-2, LOG-3): the checkpointer that signs checkpoints when
//! the tree grew, keeps the latest outside the database, and has witnesses cosign (C2SP
//! tlog-witness); and the start-up check that the database was not rewound.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use zhifa_log::{
    AddCheckpoint, CosignatureVerifier, Ed25519Signer, Note, NoteSigner, NoteVerifier, verify_cosignatures,
};
use zhifa_store::log::StoredCheckpoint;

use crate::App;

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
pub fn checkpoint_once(app: &App) -> Result<Option<StoredCheckpoint>, String> {
    let log = &app.log;
    let cp = app.store.sign_checkpoint(&log.origin, &log.signers()).map_err(|e| e.to_string())?;
    let Some(cp) = cp else { return Ok(None) };
    if let Some(path) = &log.state_file {
        // After the database commit: a crash in between leaves the file one checkpoint
        // behind, which the next start accepts (the database extends it).
        write_durably(path, &cp.note).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for w in &log.witnesses {
        if let Err(e) = ask_witness(app, w, &cp) {
            tracing::warn!(witness = %w.url, error = %e, "witness did not cosign");
        }
    }
    Ok(Some(cp))
}

/// Sends `add-checkpoint` to a witness (C2SP tlog-witness), retrying once with the size the
/// witness reports on a conflict, and stores its verified cosignature.
fn ask_witness(app: &App, w: &Witness, cp: &StoredCheckpoint) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let mut old = app.witness_sizes.lock().unwrap_or_else(|p| p.into_inner()).get(&w.url).copied().unwrap_or(0);
    for _ in 0..2 {
        let proof = if old == 0 || old == cp.size {
            Vec::new()
        } else {
            app.store.consistency_proof(old, cp.size).map_err(|e| e.to_string())?
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
                app.store.add_cosignature(cp.size, &name, &format!("{line}\n")).map_err(|e| e.to_string())?;
                app.witness_sizes.lock().unwrap_or_else(|p| p.into_inner()).insert(w.url.clone(), cp.size);
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
pub fn spawn_checkpointer(app: App) -> Option<tokio::task::JoinHandle<()>> {
    let interval = app.log.interval?;
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let s = app.clone();
            match tokio::task::spawn_blocking(move || checkpoint_once(&s)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "checkpoint not signed"),
                Err(e) => tracing::error!(error = %e, "checkpointer panicked"),
            }
        }
    }))
}

// ---------------------------------------------------------------------------------------
// the log's public status

/// The log's state as published (LOG-2; the portal's `/public/log` and its JSON twin).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct LogStatus {
    /// The checkpoint origin (its first line, and the key name).
    pub origin: String,
    /// The verifier key(s), C2SP signed-note `vkey` form; the first is the log's Ed25519 key.
    pub verifier_keys: Vec<String>,
    pub checkpoint: Option<CheckpointSummary>,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct CheckpointSummary {
    pub tree_size: u64,
    /// Base64, as in the checkpoint.
    pub root_hash: String,
    pub signed_at: jiff::Timestamp,
    /// The signed note with witness cosignatures, exactly as `/log/checkpoint` serves it.
    pub note: String,
}

/// LOG-2: the latest signed checkpoint and the verifier keys, for anyone.
pub fn status(app: &App) -> crate::Result<LogStatus> {
    let cp = app.store.latest_checkpoint()?;
    Ok(LogStatus {
        origin: app.log.origin.clone(),
        verifier_keys: app.log.verifier_keys().lines().map(str::to_string).collect(),
        checkpoint: cp.map(|c| CheckpointSummary {
            tree_size: c.size,
            root_hash: c.root.to_base64(),
            signed_at: c.signed_at,
            note: c.published(),
        }),
    })
}
