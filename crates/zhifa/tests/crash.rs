//! LOG-1, REC-2, "nothing acknowledged is ever lost": a separate `zhifa` process appends
//! records from several threads and signs checkpoints while this harness kills it with
//! SIGKILL at random moments. After every kill: every acknowledged record is there with the
//! subject it was acknowledged with, every checkpoint published before the kill is still a
//! prefix of the tree, and `zhifa log verify` is clean. ZHIFA_CRASH_KILLS sets the number of
//! kills per backend (default 200).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::zhifa;
use std::time::{Duration, Instant};

use zhifa_store::Store;
use zhifa_store::testing::{TestStore, backends};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Runs the stress writer for a while, kills it, and returns what it said.
fn run_and_kill(t: &TestStore, millis: u64) -> Vec<String> {
    let mut child = zhifa(t)
        .args(["log", "stress", "--writers", "4", "--checkpoint-ms", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zhifa");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    std::thread::sleep(Duration::from_millis(millis));
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    let lines = reader.join().unwrap();
    if let Some(code) = status.code() {
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
        panic!("{}: the stress writer exited by itself ({code}) before the kill: {err}", t.backend);
    }
    lines
}

/// Checks `acked` records and `published` checkpoints against the store.
fn check_after_restart(t: &TestStore, store: &Store, acked: &HashMap<i64, String>, published: &[(u64, String)]) {
    // Every acknowledged record is there, with the subject it was acknowledged with.
    let min = acked.keys().min().copied().unwrap_or(0);
    let mut found = 0;
    let mut after = min - 1;
    loop {
        let page = store.records(None, after, 500).unwrap();
        if page.is_empty() {
            break;
        }
        for r in &page {
            if let Some(subject) = acked.get(&r.seq) {
                assert_eq!(&r.subject, subject, "{}: record {} changed", t.backend, r.seq);
                found += 1;
            }
        }
        after = page.last().unwrap().seq;
    }
    assert_eq!(found, acked.len(), "{}: acknowledged records lost", t.backend);
    // Every checkpoint published before the kill is a prefix of the tree now.
    let size = store.tree_size().unwrap();
    for (s, root) in published {
        assert!(*s <= size, "{}: tree shrank below a published checkpoint", t.backend);
        assert_eq!(&store.root_at(*s).unwrap().to_base64(), root, "{}: checkpoint {s} no longer holds", t.backend);
    }
}

/// Kills per database: the log is recomputed after every kill, so each round starts a
/// fresh database to keep that recomputation short.
const ROUND: usize = 50;

#[test]
fn kill_9_at_random_moments_loses_nothing_acknowledged() {
    let kills: usize = std::env::var("ZHIFA_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    for backend in backends().iter().map(|t| t.backend) {
        let started = Instant::now();
        let mut rng = Lcg(20261124);
        let (mut total_acked, mut total_published) = (0, 0);
        let mut k = 0;
        while k < kills {
            let t = match backend {
                "postgres" => zhifa_store::testing::postgres().expect("configured"),
                _ => zhifa_store::testing::sqlite(),
            };
            let mut acked: HashMap<i64, String> = HashMap::new();
            let mut published: Vec<(u64, String)> = Vec::new();
            for _ in 0..ROUND.min(kills - k) {
                let lines = run_and_kill(&t, 20 + rng.next(130));
                let mut new_acked = HashMap::new();
                let mut new_published = Vec::new();
                for l in &lines {
                    let mut parts = l.split(' ');
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some("ack"), Some(seq), Some(subject)) => {
                            new_acked.insert(seq.parse().unwrap(), subject.to_string());
                        }
                        (Some("checkpoint"), Some(size), Some(root)) => {
                            new_published.push((size.parse().unwrap(), root.to_string()))
                        }
                        _ => {}
                    }
                }
                // What this run acknowledged and published, and the latest checkpoint of
                // earlier runs, must survive the kill.
                let store = t.open();
                let mut must_hold = new_published.clone();
                must_hold.extend(published.last().cloned());
                check_after_restart(&t, &store, &new_acked, &must_hold);
                drop(store);
                acked.extend(new_acked);
                published.extend(new_published);
                let out = zhifa(&t).args(["log", "verify"]).output().unwrap();
                assert!(
                    out.status.success(),
                    "{backend}: zhifa log verify after kill {k}: {}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                k += 1;
            }
            // And at the end of the round, everything acknowledged and published, at once.
            check_after_restart(&t, &t.open(), &acked, &published);
            total_acked += acked.len();
            total_published += published.len();
        }
        assert!(total_acked > kills, "{backend}: the writer hardly wrote ({total_acked} records)");
        assert!(total_published > 0, "{backend}: no checkpoint was published");
        eprintln!(
            "{backend}: {kills} kills, {total_acked} acknowledged records, {total_published} checkpoints, {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
}
