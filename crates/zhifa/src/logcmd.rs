//! `zhifa log …`: the log's keys and state files, local and remote verification, the
//! rewind acknowledgement, and the stress writer the crash test kills.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use zhifa_app::log::{LogConfig, Witness};
use zhifa_log::{
    Checkpoint, CosignatureVerifier, Ed25519Signer, Ed25519Verifier, Hash, Note, NoteVerifier, TileBuilder,
    decode_entry_bundle, leaf_hash,
};
use zhifa_store::Actor;

#[derive(Args, Clone)]
pub struct LogArgs {
    /// The log's origin (checkpoint first line and key name), used when the key is created.
    #[arg(long, global = true, default_value = "zhifa.local/log", env = "ZHIFA_LOG_ORIGIN")]
    pub log_origin: String,
    /// The log's Ed25519 signing key (C2SP `PRIVATE+KEY+…`); created if missing.
    /// Default: <data-dir>/log/ed25519.key
    #[arg(long, global = true, env = "ZHIFA_LOG_KEY")]
    pub log_key: Option<PathBuf>,
    /// An SM2 key (`PRIVATE+KEY+…` from `zhifa log sm2-keygen`) that cosigns every checkpoint.
    #[arg(long, global = true, env = "ZHIFA_LOG_SM2_KEY")]
    pub log_sm2_key: Option<PathBuf>,
    /// A witness to ask for cosignatures: "URL VKEY" (repeatable).
    #[arg(long = "witness", global = true)]
    pub witnesses: Vec<String>,
    /// At most one checkpoint per this many milliseconds (when the tree has grown).
    #[arg(long, global = true, default_value_t = 1000)]
    pub checkpoint_interval_ms: u64,
}

#[derive(Subcommand)]
pub enum LogCommand {
    /// Print the log's verifier key(s).
    Key,
    /// Verify the log. Locally: recompute every leaf from its record, every tile and every
    /// checkpoint. With --remote: audit a running platform from outside, through its public
    /// endpoints only, against a checkpoint saved earlier.
    Verify {
        /// Base URL of a platform to audit, e.g. https://zhifa.example.gov.cn
        #[arg(long)]
        remote: Option<String>,
        /// A signed checkpoint saved earlier (file); the new one must extend it. With
        /// --remote it is updated to the new checkpoint after a clean audit.
        #[arg(long, requires = "remote")]
        since: Option<PathBuf>,
        /// The log's verifier key (default: fetched from the platform, which is weaker).
        #[arg(long)]
        key: Option<String>,
    },
    /// Acknowledge that the database's log was rewound (restored from an older backup): the
    /// acknowledgement is recorded in the log, and signing resumes.
    AcknowledgeRewind {
        #[arg(long)]
        reason: String,
    },
    /// Create an SM2 signing key for national-algorithm cosignatures.
    Sm2Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Append records as fast as possible, printing each acknowledged one (crash tests).
    #[command(hide = true)]
    Stress {
        #[arg(long, default_value_t = 4)]
        writers: usize,
        #[arg(long, default_value_t = 20)]
        checkpoint_ms: u64,
    },
}

fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("log")
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Loads (or on first use creates) the log's keys and settings.
pub fn config(args: &LogArgs, data_dir: &Path) -> Result<LogConfig, String> {
    let key_path = args.log_key.clone().unwrap_or_else(|| log_dir(data_dir).join("ed25519.key"));
    let signer = match std::fs::read_to_string(&key_path) {
        Ok(text) => Ed25519Signer::from_skey(text.trim()).map_err(|e| format!("{}: {e}", key_path.display()))?,
        Err(_) => {
            let seed: [u8; 32] = rand::random();
            let s = Ed25519Signer::from_seed(&args.log_origin, &seed)
                .map_err(|e| format!("--log-origin「{}」不是合法的名称: {e}", args.log_origin))?;
            write_private(&key_path, &format!("{}\n", s.skey()))?;
            s
        }
    };
    let sm2 = match &args.log_sm2_key {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Some(Arc::new(zhifa_log::Sm2Signer::from_skey(text.trim()).map_err(|e| format!("{}: {e}", p.display()))?))
        }
        None => None,
    };
    let witnesses = args
        .witnesses
        .iter()
        .map(|w| {
            let (url, vkey) = w.split_once(' ').ok_or_else(|| format!("--witness「{w}」应为 \"URL VKEY\""))?;
            let verifier = CosignatureVerifier::from_vkey(vkey.trim()).map_err(|e| format!("--witness key: {e}"))?;
            Ok(Witness { verifier, url: url.to_string() })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(LogConfig {
        origin: signer.verifier().name().to_string(),
        signer: Arc::new(signer),
        sm2,
        witnesses,
        state_file: Some(log_dir(data_dir).join("latest-checkpoint")),
        interval: Some(Duration::from_millis(args.checkpoint_interval_ms.max(10))),
    })
}

pub fn run(cmd: LogCommand, store_args: &crate::StoreArgs, args: &LogArgs) -> Result<(), String> {
    match cmd {
        LogCommand::Key => {
            print!("{}", config(args, &store_args.data_dir)?.verifier_keys());
            Ok(())
        }
        LogCommand::Verify { remote: Some(url), since, key } => verify_remote(&url, since.as_deref(), key),
        LogCommand::Verify { remote: None, key, .. } => {
            let store = crate::open(store_args)?;
            let verifier = match key {
                Some(k) => Ed25519Verifier::from_vkey(&k).map_err(|e| e.to_string())?,
                None => config(args, &store_args.data_dir)?.signer.verifier(),
            };
            let report = store.verify_log(Some(&verifier)).map_err(|e| e.to_string())?;
            if report.ok() {
                println!(
                    "日志验证通过：{} 个叶子均与其记录相符，{} 个瓦片、{} 个检查点一致",
                    report.leaves, report.tiles, report.checkpoints
                );
                Ok(())
            } else {
                for p in &report.problems {
                    eprintln!("  {p}");
                }
                Err(match report.first_bad_leaf {
                    Some(n) => format!("日志验证失败：第一个不一致的叶子是 {n}"),
                    None => "日志验证失败".into(),
                })
            }
        }
        LogCommand::AcknowledgeRewind { reason } => {
            let store = crate::open(store_args)?;
            let log = config(args, &store_args.data_dir)?;
            let path = log.state_file.clone().expect("state file");
            let previous = std::fs::read_to_string(&path).unwrap_or_default();
            if zhifa_app::log::check_not_rewound(&store, &log).is_ok() {
                return Err("日志没有回退，无需确认".into());
            }
            let size = store.tree_size().map_err(|e| e.to_string())?;
            store
                .append(
                    &Actor("cli".into()),
                    zhifa_domain::event::Event::LogRewindAcknowledged {
                        previous_checkpoint: previous,
                        tree_size: size,
                        reason,
                    },
                )
                .map_err(|e| e.to_string())?;
            let aside = path.with_extension(format!("rewound-{}", store.now().as_second()));
            std::fs::rename(&path, &aside).map_err(|e| e.to_string())?;
            println!("已记录回退确认；原检查点移至 {}", aside.display());
            Ok(())
        }
        LogCommand::Sm2Keygen { out } => {
            let secret: [u8; 32] = rand::random();
            let s = zhifa_log::Sm2Signer::from_secret(&args.log_origin, &secret).map_err(|e| e.to_string())?;
            write_private(&out, &format!("{}\n", s.skey()))?;
            println!("{}", s.verifier().vkey());
            Ok(())
        }
        LogCommand::Stress { writers, checkpoint_ms } => stress(store_args, args, writers, checkpoint_ms),
    }
}

fn get(agent: &ureq::Agent, url: &str) -> Result<(u16, Vec<u8>), String> {
    let mut r = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
    let status = r.status().as_u16();
    let body = r.body_mut().with_config().limit(16 << 20).read_to_vec().map_err(|e| format!("{url}: {e}"))?;
    Ok((status, body))
}

fn get_ok(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, String> {
    match get(agent, url)? {
        (200, b) => Ok(b),
        (s, b) => Err(format!("{url}: HTTP {s}: {}", String::from_utf8_lossy(&b).trim())),
    }
}

fn open_note(text: &str, verifier: &Ed25519Verifier, what: &str) -> Result<Checkpoint, String> {
    let note = Note::parse(text).map_err(|e| format!("{what}: {e}"))?;
    note.verify(&[verifier]).map_err(|e| format!("{what}: 签名无效: {e}"))?;
    Checkpoint::parse(note.text()).map_err(|e| format!("{what}: {e}"))
}

/// Audits a platform from outside, with the public C2SP endpoints only: checks the
/// checkpoint's signature, rebuilds the whole tree from the entry bundles, compares every
/// hash tile the platform serves with the rebuilt one (naming the first leaf that differs),
/// and checks the new checkpoint against the one saved earlier.
fn verify_remote(url: &str, since: Option<&Path>, key: Option<String>) -> Result<(), String> {
    let base = url.trim_end_matches('/');
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let vkey = match key {
        Some(k) => k,
        None => {
            eprintln!("提示：未给出 --key，使用平台自己公布的公钥（较弱）");
            let text = String::from_utf8(get_ok(&agent, &format!("{base}/log/key"))?).map_err(|e| e.to_string())?;
            text.lines().next().unwrap_or_default().to_string()
        }
    };
    let verifier = Ed25519Verifier::from_vkey(vkey.trim()).map_err(|e| format!("公钥: {e}"))?;
    let cp_text = String::from_utf8(get_ok(&agent, &format!("{base}/log/checkpoint"))?).map_err(|e| e.to_string())?;
    let cp = open_note(&cp_text, &verifier, "检查点")?;
    let old = match since {
        Some(p) if p.exists() => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Some(open_note(&text, &verifier, &p.display().to_string())?)
        }
        _ => None,
    };
    if let Some(old) = &old {
        if old.origin() != cp.origin() {
            return Err(format!("来源不同：保存的检查点来自 {}，平台为 {}", old.origin(), cp.origin()));
        }
        if old.size() > cp.size() {
            return Err(format!("平台的检查点（大小 {}）小于此前保存的（大小 {}）：日志被回退", cp.size(), old.size()));
        }
    }
    let size = cp.size();
    let mut builder = TileBuilder::new();
    let mut leaves: Vec<Hash> = Vec::with_capacity(size as usize);
    let mut old_root_ok = old.as_ref().map(|o| o.size() == 0);
    let mut rebuilt = std::collections::BTreeMap::new();
    for id in zhifa_log::entry_bundles(size) {
        let bundle = get_ok(&agent, &format!("{base}/log/{}", id.path()))?;
        let entries = decode_entry_bundle(&bundle).map_err(|e| format!("{}: {e}", id.path()))?;
        if entries.len() != id.width() as usize {
            return Err(format!("{}: 有 {} 个条目，应为 {}", id.path(), entries.len(), id.width()));
        }
        for e in entries {
            let h = leaf_hash(e);
            leaves.push(h);
            for t in builder.append(&[h]) {
                rebuilt.insert(t.id, t.hashes);
            }
            if let Some(o) = &old
                && builder.size() == o.size()
            {
                old_root_ok = Some(builder.root() == *o.root());
            }
        }
    }
    for id in zhifa_log::hash_tiles(size) {
        let served = get_ok(&agent, &format!("{base}/log/{}", id.path()))?;
        let want = rebuilt.get(&id).ok_or_else(|| format!("{}: 无法重算", id.path()))?;
        let level = id.level().unwrap_or(0);
        for (i, h) in want.iter().enumerate() {
            if served.get(i * 32..i * 32 + 32) != Some(h.as_ref()) {
                let leaf = (id.index() * 256 + i as u64) << (8 * level as u32);
                return Err(format!("瓦片 {} 与由条目重算的不符：第一个不一致的叶子是 {leaf}", id.path()));
            }
        }
    }
    if builder.root() != *cp.root() {
        return Err(format!("由条目重算的根与检查点（大小 {size}）的根不一致"));
    }
    if old_root_ok == Some(false) {
        let o = old.as_ref().expect("old");
        return Err(format!("平台的日志不再扩展此前保存的检查点（大小 {}）：日志被改写", o.size()));
    }
    if let Some(p) = since {
        std::fs::write(p, &cp_text).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    println!(
        "远程审计通过：检查点（大小 {size}）签名有效，{} 个条目与全部瓦片相符{}",
        leaves.len(),
        match &old {
            Some(o) => format!("，且扩展了此前的检查点（大小 {}）", o.size()),
            None => String::new(),
        }
    );
    Ok(())
}

/// Writers append as fast as they can; a checkpointer signs every few milliseconds. Each
/// acknowledged append prints `ack <seq> <subject>`, each durable checkpoint
/// `checkpoint <size> <root>` — what a kill must never lose.
fn stress(store_args: &crate::StoreArgs, args: &LogArgs, writers: usize, checkpoint_ms: u64) -> Result<(), String> {
    let store = crate::open(store_args)?;
    let log = config(args, &store_args.data_dir)?;
    zhifa_app::log::check_not_rewound(&store, &log)?;
    let out = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let pid = std::process::id();
    let mut handles = Vec::new();
    for w in 0..writers {
        let (store, out) = (store.clone(), out.clone());
        handles.push(std::thread::spawn(move || {
            let actor = Actor("stress".into());
            for i in 0.. {
                let login = format!("s{pid}-{w}-{i}");
                let account = zhifa_domain::account::Account {
                    login: login.clone(),
                    display_name: "压力测试".into(),
                    roles: vec![zhifa_domain::account::Role::Officer],
                    agency: None,
                    staff_no: None,
                    disabled: false,
                };
                match store.append(&actor, zhifa_domain::event::Event::AccountCreated { account }) {
                    Ok(r) => {
                        let mut o = out.lock().unwrap();
                        let _ = writeln!(o, "ack {} {}", r.seq, r.subject);
                        let _ = o.flush();
                    }
                    Err(e) => {
                        eprintln!("append failed: {e}");
                        std::process::exit(3);
                    }
                }
            }
        }));
    }
    let state = zhifa_web::AppState::new(store, log);
    loop {
        std::thread::sleep(Duration::from_millis(checkpoint_ms));
        match zhifa_app::log::checkpoint_once(&state) {
            Ok(Some(cp)) => {
                let mut o = out.lock().unwrap();
                let _ = writeln!(o, "checkpoint {} {}", cp.size, cp.root.to_base64());
                let _ = o.flush();
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("checkpoint failed: {e}");
                std::process::exit(4);
            }
        }
    }
}
