//! `zhifa log …` end to end: local verification that names an altered record, a remote
//! audit through the public endpoints only, and the refusal to sign after a rewind.

mod common;

use std::time::{Duration, Instant};

use common::{agent, serve, zhifa};
use zhifa_store::testing::sqlite;

fn run(c: &mut std::process::Command) -> (bool, String) {
    let (ok, out, err) = common::run(c);
    (ok, format!("{out}{err}"))
}

fn checkpoint_size(base: &str) -> Option<u64> {
    let mut r = agent().get(format!("{base}/log/checkpoint")).call().ok()?;
    if r.status() != 200 {
        return None;
    }
    r.body_mut().read_to_string().ok()?.lines().nth(1)?.parse().ok()
}

fn wait_for_checkpoint(base: &str, at_least: u64) -> u64 {
    let start = Instant::now();
    loop {
        if let Some(n) = checkpoint_size(base).filter(|n| *n >= at_least) {
            return n;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no checkpoint of size {at_least}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_remote_audit_uses_only_public_endpoints_and_names_the_first_bad_leaf() {
    let t = sqlite();
    let server = serve(&t, &["demo", "--checkpoint-interval-ms", "50"]);
    let base = server.base.clone();
    wait_for_checkpoint(&base, 1000);
    let (ok, vkey) = run(zhifa(&t).args(["log", "key"]));
    assert!(ok);
    let vkey = vkey.lines().next().unwrap().to_string();
    let since = t.scratch_dir().join("saved-checkpoint");
    let audit =
        |key: &str| run(zhifa(&t).args(["log", "verify", "--remote", &base, "--key", key, "--since"]).arg(&since));
    let (ok, out) = audit(&vkey);
    assert!(ok, "{out}");
    assert!(out.contains("远程审计通过"), "{out}");
    // The size this audit saved (the demo's publisher may still be adding records, so the
    // size read before it can be stale).
    let n: u64 = out
        .split("检查点（大小 ")
        .nth(1)
        .and_then(|r| r.split('）').next())
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("no checkpoint size in: {out}"));

    // The log grows; the next audit checks the new checkpoint extends the saved one.
    let token = std::fs::read_to_string(t.scratch_dir().join("demo-admin-token.txt")).unwrap();
    let body =
        r#"{"year": 2027, "papers": ["通知"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#;
    let r = agent()
        .post(format!("{base}/api/v1/calendar"))
        .header("authorization", format!("Bearer {}", token.trim()))
        .send(body)
        .unwrap();
    assert_eq!(r.status(), 200);
    wait_for_checkpoint(&base, n + 1);
    let (ok, out) = audit(&vkey);
    assert!(ok && out.contains(&format!("扩展了此前的检查点（大小 {n}）")), "{out}");

    // A wrong key is refused.
    let other = zhifa_log::Ed25519Signer::from_seed("zhifa.local/log", &[1; 32]).unwrap().verifier();
    let (ok, out) = audit(&other.vkey());
    assert!(!ok, "{out}");

    // A tile altered behind the platform's back: the audit names the first leaf it covers.
    let store = t.open();
    store
        .execute_raw(
            "UPDATE log_tiles SET data = substr(data, 1, 320) || 'ff' || substr(data, 323) WHERE level = 0 AND idx = 1",
        )
        .unwrap();
    let (ok, out) = audit(&vkey);
    assert!(!ok);
    assert!(out.contains("第一个不一致的叶子是 261"), "{out}");
}

#[test]
fn local_verify_names_a_record_altered_in_the_database() {
    let t = sqlite();
    assert!(run(zhifa(&t).args(["demo", "--no-serve"])).0);
    let (ok, out) = run(zhifa(&t).args(["log", "verify"]));
    assert!(ok && out.contains("日志验证通过"), "{out}");
    let store = t.open();
    store.execute_raw("DROP TRIGGER records_no_update").unwrap();
    store.execute_raw("UPDATE records SET actor = 'mallory' WHERE seq = 42").unwrap();
    let (ok, out) = run(zhifa(&t).args(["log", "verify"]));
    assert!(!ok);
    assert!(out.contains("第一个不一致的叶子是 42"), "{out}");
}

#[test]
fn log2_a_restore_that_rewinds_the_tree_stops_the_platform_until_acknowledged() {
    let t = sqlite();
    assert!(run(zhifa(&t).args(["demo", "--no-serve"])).0);
    let dir = t.scratch_dir();
    let backup = dir.join("backup.db");
    std::fs::copy(dir.join("zhifa.db"), &backup).unwrap();
    {
        let server = serve(&t, &["serve", "--checkpoint-interval-ms", "50"]);
        let n = wait_for_checkpoint(&server.base, 1);
        let token = std::fs::read_to_string(dir.join("demo-admin-token.txt")).unwrap();
        let body =
            r#"{"year": 2027, "papers": ["通知"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#;
        agent()
            .post(format!("{}/api/v1/calendar", server.base))
            .header("authorization", format!("Bearer {}", token.trim()))
            .send(body)
            .unwrap();
        wait_for_checkpoint(&server.base, n + 1);
    }
    // Restore the older database.
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("zhifa.{ext}")));
    }
    std::fs::copy(&backup, dir.join("zhifa.db")).unwrap();
    let (ok, out) = run(zhifa(&t).args(["serve", "--listen", "127.0.0.1:0"]));
    assert!(!ok);
    assert!(out.contains("LOG-2") && out.contains("acknowledge-rewind"), "{out}");
    let (ok, out) = run(zhifa(&t).args(["log", "acknowledge-rewind", "--reason", "从 11 月 20 日备份恢复（演练）"]));
    assert!(ok, "{out}");
    let store = t.open();
    let last = store.records(None, store.record_count().unwrap() - 2, 1).unwrap();
    assert_eq!(last[0].kind, "log_rewind_acknowledged");
    drop(store);
    let server = serve(&t, &["serve", "--checkpoint-interval-ms", "50"]);
    wait_for_checkpoint(&server.base, 1);
    assert!(run(zhifa(&t).args(["log", "verify"])).0);
}
