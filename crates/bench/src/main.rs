//! `cargo run --release -p zhifa-bench -- upload`: see `upload.rs`.
//!
//! `cargo run --release -p zhifa-bench -- documents`: see `documents.rs`.
//!
//! `cargo run --release -p zhifa-bench -- log`: durable record appends through the store
//! against a raw batched SQLite insert loop on the same disk, the latency of an
//! acknowledged append, and the rate of inclusion proofs served over HTTP.
//!
//! Every figure is measured in the same run as its baseline; BENCHMARKS.md records them.

mod documents;
mod portal;
mod upload;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_store::{Actor, Store, StoreConfig};

const RECORDS: u64 = 100_000;
const WRITERS: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("log");
    if what == "upload-serve" {
        // The server process of `upload` (its directory is the parent's).
        upload::serve(Path::new(&args[2]));
        return;
    }
    let dir = PathBuf::from(std::env::var("ZHIFA_BENCH_DIR").unwrap_or_else(|_| "target/bench-tmp".into()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    match what {
        "log" => log_bench(&dir),
        "upload" => upload::run(&dir),
        "portal" => portal::portal_bench(&dir),
        "documents" => documents::run(&dir),
        other => {
            eprintln!("unknown benchmark {other}; try: log, upload, portal, documents");
            std::process::exit(2);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn event(i: u64) -> Event {
    Event::AccountCreated {
        account: Account {
            login: format!("bench-{i}"),
            display_name: "基准测试账号".into(),
            roles: vec![Role::Officer],
            agency: None,
            staff_no: None,
            disabled: false,
        },
    }
}

/// Baseline: rows of the same shape inserted by a plain loop, in transactions of `batch`,
/// with the same durability settings (WAL, synchronous=FULL).
fn raw_sqlite(dir: &Path, batch: u64) -> f64 {
    let c = rusqlite::Connection::open(dir.join("raw.db")).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
         CREATE TABLE records (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,
           actor TEXT NOT NULL, recorded_at INTEGER NOT NULL, body TEXT NOT NULL);",
    )
    .unwrap();
    let body = serde_json::to_string(&event(0)).unwrap();
    let start = Instant::now();
    let mut seq = 0u64;
    while seq < RECORDS {
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut st = tx.prepare_cached("INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
            for _ in 0..batch.min(RECORDS - seq) {
                st.execute(rusqlite::params![
                    seq as i64,
                    "account_created",
                    format!("account/bench-{seq}"),
                    "bench",
                    seq as i64,
                    body
                ])
                .unwrap();
                seq += 1;
            }
        }
        tx.commit().unwrap();
    }
    RECORDS as f64 / start.elapsed().as_secs_f64()
}

struct Appends {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

fn appends(store: &Store, total: u64) -> Appends {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (store, next) = (store.clone(), next.clone());
            std::thread::spawn(move || {
                let actor = Actor("bench".into());
                let mut lat = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return lat;
                    }
                    let t = Instant::now();
                    store.append(&actor, event(i)).expect("append");
                    lat.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut lat: Vec<Duration> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let rate = total as f64 / start.elapsed().as_secs_f64();
    lat.sort();
    Appends { rate, p50: lat[lat.len() / 2], p99: lat[lat.len() * 99 / 100] }
}

fn proofs_served(store: &Store, seconds: u64) -> (f64, f64) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let state = zhifa_web::AppState::new(store.clone(), zhifa_app::log::LogConfig::ephemeral("bench.example/log"));
    zhifa_app::log::checkpoint_once(&state).unwrap();
    let size = store.tree_size().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(zhifa_web::serve(state, listener, std::future::pending()));
    let run = |path: Arc<dyn Fn(u64) -> String + Send + Sync>| {
        let count = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let handles: Vec<_> = (0..8)
            .map(|w| {
                let (count, base, path) = (count.clone(), base.clone(), path.clone());
                std::thread::spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
                    let mut i = w as u64 * 7919;
                    while Instant::now() < deadline {
                        i = (i * 6364136223846793005 + 1) % size.max(1);
                        let mut r = agent.get(format!("{base}{}", path(i))).call().expect("request");
                        let _ = r.body_mut().read_to_vec();
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        count.load(Ordering::Relaxed) as f64 / seconds as f64
    };
    let health = run(Arc::new(|_| "/healthz".to_string()));
    let proofs = run(Arc::new(move |i| format!("/log/proof/inclusion?index={i}&size={size}")));
    (proofs, health)
}

fn log_bench(dir: &Path) {
    println!(
        "zhifa-bench log: {RECORDS} records, {WRITERS} concurrent writers, SQLite WAL synchronous=FULL, dir {}",
        dir.display()
    );
    let raw = raw_sqlite(dir, 256);
    println!("baseline  raw SQLite insert loop, 256 rows/transaction: {raw:>9.0} rows/s");
    let store = Store::open(&StoreConfig::Sqlite { data_dir: dir.join("zhifa") }).unwrap();
    let a = appends(&store, RECORDS);
    println!(
        "zhifa     durable appends (record + projection + leaf + tiles): {:>9.0} records/s  = {:.2} × baseline",
        a.rate,
        a.rate / raw
    );
    println!("          acknowledged-append latency: p50 {:.2} ms, p99 {:.2} ms", ms(a.p50), ms(a.p99));
    let report = store.verify_log(None).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    let (proofs, health) = proofs_served(&store, 5);
    println!(
        "          inclusion proofs served over HTTP (8 clients, tree of {}): {proofs:.0}/s  = {:.2} × /healthz ({health:.0}/s)",
        store.tree_size().unwrap(),
        proofs / health
    );
    if let Ok(url) = std::env::var("ZHIFA_BENCH_POSTGRES_URL") {
        let pg = Store::open(&StoreConfig::Postgres { url }).unwrap();
        let before = pg.tree_size().unwrap();
        let a = appends(&pg, 20_000);
        println!(
            "postgres  durable appends: {:>9.0} records/s, p50 {:.2} ms, p99 {:.2} ms (tree {} → {})",
            a.rate,
            ms(a.p50),
            ms(a.p99),
            before,
            pg.tree_size().unwrap()
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
