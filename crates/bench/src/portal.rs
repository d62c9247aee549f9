//! `cargo run --release -p zhifa-bench -- portal`: a published decision page
//! (`/public/decisions/{id}`, read from the store and rendered per request) served by the
//! product, against a minimal static file server (axum, reading the same HTML from disk on
//! every request) — both loaded by `wrk` with keep-alive in the same run.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::json;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_domain::testing::{code, officer};
use zhifa_store::{Actor, ManualClock, Store, StoreConfig};

const SECONDS: &str = "10";
const CONNECTIONS: &str = "32";

/// The registry, and a simple-procedure penalty decided on the spot through the case engine
/// (PUB-4: the publisher publishes it). Returns the case number.
fn seed(store: &Store) -> String {
    let mut events = zhifa_store::testing::fixtures::registry();
    events.extend(zhifa_store::testing::fixtures::qualified(officer("A3", 1), "C3", 90));
    events.extend([Event::AccountCreated {
        account: Account {
            login: "a1".into(),
            display_name: "a1".into(),
            roles: vec![Role::Officer],
            agency: Some(code(1)),
            staff_no: Some("A1".into()),
            disabled: false,
        },
    }]);
    store.append_batch(&Actor("bench".into()), events).expect("seed");
    let open = json!({
        "item": "SCJG-CF-001", "procedure": "simple_penalty",
        "party": {"kind": "person", "name": "张三丰", "id_number": "11010519491231002X", "phone": "13812345678"},
        "summary": "张三丰在集贸市场销售过期酸奶",
    });
    let a1 = store.account("a1").expect("store").expect("a1");
    let app = zhifa_app::App::new(store.clone(), zhifa_app::log::LogConfig::ephemeral("bench.zhifa/cases"));
    let opened = zhifa_app::cases::open(&app, &a1, serde_json::from_value(open).expect("a case")).expect("opened");
    let number = opened.body["case"]["number"].as_str().expect("a case number").to_string();
    // An audio/video record of the scene, as `zhifa demo` stores it (the record only).
    let video = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(format!("zhifa-demo-video/{number}").as_bytes()))
    };
    let evidence = zhifa_domain::case::Evidence {
        case: number.clone(),
        sha256: video.clone(),
        sm3: video.clone(),
        size: 1_048_576,
        media_type: "video/mp4".into(),
        key: format!("sha256/{video}"),
        file_name: "执法记录仪.mp4".into(),
        captured_at: store.now(),
        place: "正定县燕赵南大街".into(),
        collector: a1.staff_no.clone().unwrap_or_default(),
        proves: "现场执法全过程".into(),
        retention: zhifa_domain::case::Retention::Permanent,
        by: "a1".into(),
    };
    store.append(&Actor("account:a1".into()), Event::EvidenceStored { evidence }).expect("the video");
    let officers = json!(["A1", "A3"]);
    let steps = [
        json!({"action": "present_certificate", "officers": officers, "records": ["site_record"], "evidence": [video]}),
        json!({"action": "inform_rights"}),
        json!({"action": "decide_on_site", "officers": officers, "documents": ["on_site_decision"],
           "penalties": [{"kind": "fine", "fen": 20_000}],
           "text": "当事人张三丰（身份证号11010519491231002X，电话13812345678）销售过期酸奶十二盒，当场缴纳罚款。"}),
    ];
    for step in steps {
        zhifa_app::cases::record(&app, &a1, &number, serde_json::from_value(step).expect("a step")).expect("recorded");
    }
    number
}

fn wrk(url: &str) -> f64 {
    let out = Command::new("wrk")
        .args(["-t2", "-c", CONNECTIONS, "-d", &format!("{SECONDS}s"), "--latency", url])
        .output()
        .expect("wrk (Debian package `wrk`) must be installed");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(!text.contains("Non-2xx"), "wrk saw errors for {url}");
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("wrk's Requests/sec")
}

pub fn portal_bench(dir: &Path) {
    let clock = Arc::new(ManualClock(Mutex::new("2026-03-02T01:00:00Z".parse().unwrap())));
    let store = Store::open_with_clock(&StoreConfig::Sqlite { data_dir: dir.join("db") }, clock).expect("store");
    let id = seed(&store);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let state = zhifa_web::AppState::new(store, zhifa_app::log::LogConfig::ephemeral("bench.zhifa/log"));
    let round = zhifa_app::publications::run_once(&state).expect("published");
    assert_eq!(round.published, vec![id.clone()]);

    let product = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let product_addr = product.local_addr().unwrap();
    rt.spawn(zhifa_web::serve(state, product, std::future::pending()));
    let url = format!("http://{product_addr}/public/decisions/{id}");
    let html = ureq::get(&url).call().expect("the page").body_mut().read_to_string().expect("html");
    assert!(html.contains("张某某") && !html.contains("张三丰"));
    let file = dir.join("decision.html");
    std::fs::write(&file, &html).unwrap();

    let static_listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let static_addr = static_listener.local_addr().unwrap();
    let path = Arc::new(file);
    let app = axum::Router::new().route(
        "/decision.html",
        axum::routing::get(move || {
            let path = path.clone();
            async move {
                // A plain read per request (page cache): a fast baseline.
                let bytes = std::fs::read(&*path).expect("the file");
                ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes)
            }
        }),
    );
    rt.spawn(async move { axum::serve(static_listener, app).await });

    println!("page: {} bytes; wrk -t2 -c{CONNECTIONS} -d{SECONDS}s, keep-alive", html.len());
    println!("== static file server (axum, file read per request)");
    let baseline = wrk(&format!("http://{static_addr}/decision.html"));
    println!("== product: /public/decisions/{id}");
    let ours = wrk(&url);
    println!("static file server: {baseline:.0} req/s");
    println!("decision page:      {ours:.0} req/s");
    println!("ratio:              {:.0}% (aim ≥ 50%)", 100.0 * ours / baseline);
}
