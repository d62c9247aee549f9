//! Black-box tests of the public portal's HTML pages (PUB-1..3, LOG-2), on every backend.

mod common;

use common::{App, apps};
use serde_json::json;
use zhifa_domain::event::Event;
use zhifa_domain::item::InspectionEntry;
use zhifa_store::testing::fixtures;

const XSS_1: &str = "<script>alert(1)</script>";
const XSS_2: &str = "\"><img src=x onerror=alert(1)>";

fn text(r: &common::Resp) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

/// GETs an HTML page and checks what every portal page must be.
fn html_page(app: &App, path: &str, status: u16) -> String {
    let r = app.get(path, None);
    let body = text(&r);
    assert_eq!(r.status, status, "{}: {path}: {body}", app.backend);
    assert_eq!(r.content_type, "text/html; charset=utf-8", "{path}");
    assert!(body.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"), "{path}");
    assert!(body.contains("行政执法公示平台"), "{path}: the site name");
    assert!(body.contains("<meta name=\"viewport\""), "{path}");
    // The CSP forbids inline styles and scripts; pages must not need them.
    assert!(!body.contains(" style=") && !body.contains("<style"), "{path}: inline style");
    assert_eq!(body.matches("<script").count(), body.matches("<script src=\"/assets/").count(), "{path}");
    body
}

fn inspection_entry() -> InspectionEntry {
    let item = fixtures::item("SCJG-CF-001", 1);
    InspectionEntry {
        code: "SCJG-CC-001".into(),
        domain: item.domain,
        agency: fixtures::code(1),
        item_code: "SCJG-JC-001".into(),
        name: "食品经营者监督检查".into(),
        basis: item.basis.clone(),
        targets: "食品经营者".into(),
        content: "经营条件、进货查验".into(),
        ratio_pct: 5,
        frequency: "每年一次".into(),
        method: "现场检查".into(),
    }
}

#[test]
fn every_page_renders_in_chinese() {
    for app in apps() {
        app.seed(fixtures::registry());
        let mut inspection = fixtures::item("SCJG-JC-001", 1);
        inspection.name = "食品经营监督检查".into();
        inspection.kind = zhifa_domain::item::ItemKind::Inspection;
        inspection.procedure = zhifa_domain::item::ProcedureKind::Inspection;
        inspection.benchmark = None;
        app.seed(vec![
            Event::ItemVersionAdded { item: inspection },
            Event::InspectionEntrySet { entry: inspection_entry() },
        ]);
        let agency = fixtures::code(1).to_string();
        let proc_code = zhifa_domain::procedure::shipped()[0].code.clone();
        let pages: Vec<(String, &str)> = vec![
            ("/public".into(), "执法证查验"),
            ("/public/agencies".into(), "测试县第1执法局"),
            (format!("/public/agencies/{agency}"), "张三"),
            ("/public/officers".into(), "执法证号"),
            ("/public/officers?q=A1".into(), "张三"),
            ("/public/officers/A1".into(), "科员"),
            ("/public/certificates".into(), "执法证号"),
            ("/public/certificates/C1".into(), "有效"),
            ("/public/items".into(), "对经营超过保质期的食品的行政处罚"),
            ("/public/items?kind=penalty&domain=market_regulation&q=食品".into(), "SCJG-CF-001"),
            ("/public/items/SCJG-CF-001".into(), "第一百二十四条第一款第（五）项"),
            ("/public/item-changes".into(), "新增"),
            ("/public/inspection-list".into(), "食品经营者监督检查"),
            ("/public/procedures".into(), "一般程序"),
            (format!("/public/procedures/{proc_code}"), "<svg"),
            ("/public/log".into(), "zhifa log verify --remote"),
        ];
        for (path, want) in &pages {
            let body = html_page(&app, path, 200);
            assert!(body.contains(want), "{}: {path} lacks {want}", app.backend);
        }
    }
}

#[test]
fn pages_show_public_fields_only_and_the_standing_now() {
    let app = App::start(zhifa_store::testing::sqlite());
    app.seed(fixtures::registry());
    // STAFF-1: the officer's private fields never reach the portal.
    let body = html_page(&app, "/public/officers/A1", 200);
    for private in ["编制", "established", "法律职业资格", "学时", "考试"] {
        assert!(!body.contains(private), "{private} shown publicly");
    }
    // PUB-3: the verdict, exactly as the JSON API computes it.
    let body = html_page(&app, "/public/certificates/C1", 200);
    assert!(body.contains("<strong>有效</strong>"), "{body}");
    assert_eq!(app.get("/api/v1/certificates/C1", None).body["standing"]["state"], "valid");
    let body = html_page(&app, "/public/certificates/C2", 200);
    assert!(body.contains("<strong>无效（暂扣）</strong>"), "{body}");
    assert_eq!(app.get("/api/v1/certificates/C2", None).body["standing"]["state"], "suspended");
    // Benchmarks as a table (ITEM-4), history of the list (ITEM-3).
    let body = html_page(&app, "/public/items/SCJG-CF-001", 200);
    assert!(body.contains("裁量基准") && body.contains("罚款 50000 元至 70000 元"), "{body}");
    assert!(body.contains("版本与调整记录") && body.contains("第 1 版"), "{body}");
}

#[test]
fn certificate_lookup_and_qr_code() {
    let app = App::start(zhifa_store::testing::sqlite());
    app.seed(fixtures::registry());
    let no_redirects: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let r = no_redirects.get(format!("{}/public/certificates?number=+C1+", app.base)).call().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/public/certificates/C1");
    // Followed, the form lands on the page.
    let body = html_page(&app, "/public/certificates?number=C1", 200);
    assert!(body.contains("有效"));
    // The QR code encodes the page's absolute URL (here from the request's host, as no
    // public URL is configured).
    let url = format!("{}/public/certificates/C1", app.base);
    assert!(body.contains(&format!("href=\"{url}\"")), "{body}");
    let r = app.get("/public/certificates/C1/qr.svg", None);
    assert_eq!((r.status, r.content_type.as_str()), (200, "image/svg+xml"));
    assert!(text(&r).contains("<svg") && !text(&r).contains("style="));

    // A configured public URL wins.
    let state = zhifa_web::AppState::from(app.state.app.clone().with_public_url("https://zhifa.example.gov.cn/"));
    let (router, _) = zhifa_web::app(state);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || rt.block_on(async { axum_serve(listener, router).await }));
    let mut r = ureq::get(format!("http://{addr}/public/certificates/C1")).call().unwrap();
    let body = r.body_mut().read_to_string().unwrap();
    assert!(body.contains("href=\"https://zhifa.example.gov.cn/public/certificates/C1\""), "{body}");
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    axum::serve(listener, router).await.unwrap();
}

#[test]
fn unknown_ids_are_chinese_404_pages_and_bad_filters_400() {
    for app in apps() {
        app.seed(fixtures::registry());
        for path in [
            "/public/agencies/911301230000000000",
            "/public/officers/NOBODY",
            "/public/certificates/NOPE",
            "/public/certificates/NOPE/qr.svg",
            "/public/items/NOPE-001",
            "/public/procedures/nope",
            "/public/procedures/nope.svg",
            "/public/no-such-page",
        ] {
            let body = html_page(&app, path, 404);
            assert!(body.contains("未找到") && body.contains("不存在"), "{path}: {body}");
        }
        for path in ["/public/items?kind=xyz", "/public/agencies?region=abc", "/public/officers?page=0"] {
            let body = html_page(&app, path, 400);
            assert!(body.contains("请求有误"), "{path}: {body}");
        }
    }
}

#[test]
fn names_are_escaped_everywhere() {
    for app in apps() {
        app.seed(fixtures::registry());
        let mut agency = fixtures::agency(7);
        agency.name = format!("{XSS_1}{XSS_2}局");
        agency.address = XSS_2.into();
        let r = app.post("/api/v1/agencies", &serde_json::to_value(&agency).unwrap());
        assert_eq!(r.status, 200, "{:?}", r.body);
        let mut officer = fixtures::officer("X1", 7);
        officer.name = XSS_2.into();
        officer.position = XSS_1.into();
        let r = app.post("/api/v1/officers", &serde_json::to_value(&officer).unwrap());
        assert_eq!(r.status, 200, "{:?}", r.body);
        let cert = fixtures::certificate("X-1", "X1");
        let r = app.post("/api/v1/certificates", &serde_json::to_value(&cert).unwrap());
        assert_eq!(r.status, 200, "{:?}", r.body);
        let mut item = fixtures::item("XSS-CF-001", 7);
        item.name = XSS_1.into();
        item.note = XSS_2.into();
        let r = app.post("/api/v1/items", &json!(item));
        assert_eq!(r.status, 200, "{:?}", r.body);
        let code = agency.code.to_string();
        for path in [
            "/public/agencies".to_string(),
            format!("/public/agencies/{code}"),
            "/public/officers".into(),
            "/public/officers/X1".into(),
            "/public/certificates/X-1".into(),
            "/public/items".into(),
            "/public/items/XSS-CF-001".into(),
            "/public/item-changes".into(),
            format!("/public/items?agency={code}"),
        ] {
            let body = html_page(&app, &path, 200);
            assert!(!body.contains(XSS_1), "{}: {path} renders the script payload raw", app.backend);
            assert!(!body.contains(XSS_2), "{}: {path} renders the attribute payload raw", app.backend);
            assert!(!body.contains("<img src=x"), "{path}");
            assert!(
                body.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                    || body.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
                "{}: {path} shows the payload as text",
                app.backend
            );
        }
    }
}

#[test]
fn root_redirects_assets_are_cached_and_pages_carry_the_csp() {
    let app = App::start(zhifa_store::testing::sqlite());
    let no_redirects: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let r = no_redirects.get(format!("{}/", app.base)).call().unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (307, "/public"));
    let r = no_redirects.get(format!("{}/public", app.base)).call().unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"), "{csp}");

    let body = html_page(&app, "/public", 200);
    let css = body.split("href=\"/assets/site.css").nth(1).unwrap().split('"').next().unwrap();
    assert!(css.starts_with("?v="), "{css}");
    let r = no_redirects.get(format!("{}/assets/site.css{css}", app.base)).call().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", &css[3..]));
    let r = no_redirects.get(format!("{}/assets/site.css", app.base)).header("if-none-match", &etag).call().unwrap();
    assert_eq!(r.status(), 304);
    let r = no_redirects.get(format!("{}/assets/site.js", app.base)).call().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(no_redirects.get(format!("{}/assets/nope.css", app.base)).call().unwrap().status(), 404);
}

#[test]
fn json_twins_are_in_the_openapi_document() {
    let app = App::start(zhifa_store::testing::sqlite());
    app.seed(fixtures::registry());
    let doc = app.get("/api/openapi.json", None).body;
    for p in ["/api/v1/public/procedures", "/api/v1/public/procedures/{code}", "/api/v1/public/log"] {
        assert!(doc["paths"][p]["get"].is_object(), "{p} missing from OpenAPI");
    }
    let list = app.get("/api/v1/public/procedures", None);
    assert_eq!(list.status, 200);
    let code = list.body[0]["code"].as_str().unwrap().to_string();
    let def = app.get(&format!("/api/v1/public/procedures/{code}"), None);
    assert_eq!((def.status, def.body["code"].as_str()), (200, Some(code.as_str())));
    assert_eq!(app.get("/api/v1/public/procedures/nope", None).status, 404);
    assert_eq!(app.get("/api/v1/public/log", None).body["checkpoint"], serde_json::Value::Null);
}

#[test]
fn log_page_shows_the_latest_checkpoint_and_key() {
    for app in apps() {
        app.seed(fixtures::registry());
        let body = html_page(&app, "/public/log", 200);
        assert!(body.contains("日志尚未签发检查点"), "{body}");
        let cp = zhifa_app::log::checkpoint_once(&app.state).unwrap().unwrap();
        let body = html_page(&app, "/public/log", 200);
        assert!(body.contains(&format!("{} 条记录", cp.size)), "{body}");
        assert!(body.contains(&cp.root.to_base64()), "{body}");
        let key = app.get("/log/key", None);
        let key = text(&key);
        assert!(body.contains(key.lines().next().unwrap()), "the verifier key is shown");
        let status = app.get("/api/v1/public/log", None).body;
        assert_eq!(status["checkpoint"]["tree_size"], cp.size);
        assert_eq!(status["origin"], "zhifa.test/log");
    }
}
