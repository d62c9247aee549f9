//! Rendering throughput of the 行政处罚决定书, against a baseline measured in the same run.
//!
//! `cargo run --release -p zhifa-render --example render_bench [-- N]` renders the decision N
//! times (default 40) on one thread and on all cores, and, as the baseline, serialises the
//! same JSON data and copies the same PDF bytes N times; it prints documents per second and
//! the ratios. Every rendered document differs (document number, verification code, a
//! line of the facts), as in real use, so Typst's memoisation cannot replay a whole
//! earlier document.

use std::hint::black_box;
use std::time::{Duration, Instant};

use zhifa_render::{FontConfig, Renderer};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(40);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/penalty_decision.json");
    let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();

    // N distinct documents (and N more for the parallel run).
    let variant = |i: usize| {
        let mut d = data.clone();
        d["doc_no"] = format!("正市监处罚〔2026〕{}号", 100 + i).into();
        d["verify"]["code"] = format!("ZD{i:06}").into();
        d["facts"] = format!("{}（第{i}份）", d["facts"].as_str().unwrap()).into();
        d
    };
    let docs: Vec<serde_json::Value> = (0..n).map(variant).collect();
    let docs2: Vec<serde_json::Value> = (n..2 * n).map(variant).collect();

    let t = Instant::now();
    let renderer = Renderer::new(FontConfig::vendored(), None).unwrap();
    let setup = t.elapsed();
    let first = Instant::now();
    let pdf = renderer.render("penalty_decision", &data).unwrap();
    let first = first.elapsed();

    // Single thread.
    let t = Instant::now();
    for d in &docs {
        black_box(renderer.render("penalty_decision", black_box(d)).unwrap());
    }
    let single = t.elapsed();

    // All cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    std::thread::scope(|s| {
        for i in 0..threads {
            let (renderer, docs2) = (&renderer, &docs2);
            s.spawn(move || {
                for d in docs2.iter().skip(i).step_by(threads) {
                    black_box(renderer.render("penalty_decision", black_box(d)).unwrap());
                }
            });
        }
    });
    let parallel = t.elapsed();

    // Baseline: serialise the data and copy the output bytes, N times.
    let t = Instant::now();
    for d in &docs {
        let json = serde_json::to_vec(black_box(d)).unwrap();
        let copy = black_box(&pdf).clone();
        black_box((json, copy));
    }
    let baseline = t.elapsed();

    let per_sec = |d: Duration| n as f64 / d.as_secs_f64();
    println!("zhifa-render bench: 行政处罚决定书, PDF of {} bytes, N = {n}", pdf.len());
    println!("  renderer set-up (fonts parsed)   {:>10.1} ms", setup.as_secs_f64() * 1e3);
    println!("  first render (cold caches)       {:>10.1} ms", first.as_secs_f64() * 1e3);
    println!(
        "  render, 1 thread                 {:>10.1} docs/s  ({:.1} ms/doc)",
        per_sec(single),
        single.as_secs_f64() * 1e3 / n as f64
    );
    println!("  render, {threads} threads                {:>10.1} docs/s", per_sec(parallel));
    println!("  baseline: JSON + copy bytes      {:>10.0} docs/s", per_sec(baseline));
    println!("  ratio render(1 thread)/baseline  {:>10.0}x slower", single.as_secs_f64() / baseline.as_secs_f64());
    println!("  ratio {threads} threads / 1 thread        {:>10.2}x", single.as_secs_f64() / parallel.as_secs_f64());
}
