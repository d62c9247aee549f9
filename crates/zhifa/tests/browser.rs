//! The public portal in a real browser (headless Chromium): the citizen's paths on the
//! demo county, served by the real `zhifa` binary. Run with
//! `ZHIFA_TEST_CHROMEDRIVER=/usr/bin/chromedriver`; screenshots go to
//! `$ZHIFA_TEST_SCREENSHOTS` (default `<tmp>/zhifa-screenshots`).

mod common;

use common::browser::{Browser, Viewport, chromedriver, screenshot_dir};
use common::{Server, agent, run, serve, zhifa};
use serde_json::Value;
use zhifa_domain::event::Event;
use zhifa_store::Actor;
use zhifa_store::testing::{TestStore, fixtures, sqlite};

const XSS_NAME: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>执法局";
const XSS_OFFICER: &str = "\"><img src=x onerror=alert(2)>";

struct Demo {
    server: Server,
    xss_agency: String,
    _t: TestStore,
}

/// The demo county, plus an agency and an officer whose names are XSS payloads, served by
/// `zhifa serve`.
fn demo() -> Demo {
    let t = sqlite();
    let (ok, out, err) = run(zhifa(&t).args(["demo", "--no-serve"]));
    assert!(ok, "{out}{err}");
    let mut agency = fixtures::agency(977);
    agency.name = XSS_NAME.into();
    let mut officer = fixtures::officer("XSS-001", 977);
    officer.name = XSS_OFFICER.into();
    let xss_agency = agency.code.to_string();
    {
        let store = t.open();
        store
            .append_batch(
                &Actor("test".into()),
                vec![Event::AgencyRegistered { agency }, Event::OfficerRegistered { officer }],
            )
            .unwrap();
    }
    let server = serve(&t, &["serve"]);
    Demo { server, xss_agency, _t: t }
}

fn get_json(url: &str) -> Value {
    let mut r = agent().get(url).call().unwrap();
    r.body_mut().read_json().unwrap()
}

/// A certificate number whose standing today is `state` (from the public JSON API).
fn certificate_in(base: &str, state: &str) -> String {
    let officers = get_json(&format!("{base}/api/v1/officers?limit=500"));
    officers["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["certificates"].as_array().unwrap().iter())
        .find(|c| c["standing"]["state"] == state)
        .unwrap_or_else(|| panic!("the demo has a {state} certificate"))["number"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn citizen_finds_an_officer_through_the_agency_page() {
    let Some(driver) = chromedriver() else { return };
    let d = demo();
    let b = Browser::start(&driver, Viewport::Desktop);
    b.goto(&format!("{}/", d.server.base));
    assert!(b.current_url().ends_with("/public"), "/ leads to the portal: {}", b.current_url());
    assert_eq!(b.text(&b.find("header .brand")), "行政执法公示平台");
    b.click(&b.find("header nav a[href='/public/agencies']"));
    b.wait_for_url("/public/agencies");
    let agency = b.find_xpath("//main//table//a[contains(., '正定县市场监督管理局')]");
    let href = b.attribute(&agency, "href").unwrap();
    b.click(&agency);
    b.wait_for_url(&href);
    assert_eq!(b.text(&b.find("main h1")), "正定县市场监督管理局");
    let link = b.find("main table a[href^='/public/officers/']");
    let name = b.text(&link);
    let href = b.attribute(&link, "href").unwrap();
    b.click(&link);
    b.wait_for_url(&href);
    assert_eq!(b.text(&b.find("main h1")), name);
    let crumbs = b.text(&b.find("nav.crumbs"));
    assert!(crumbs.contains("正定县市场监督管理局"), "{crumbs}");
    assert!(b.text(&b.find("main")).contains("执法证"), "the officer's certificates are listed");
}

#[test]
fn citizen_checks_a_certificate_by_number_and_by_its_qr_url() {
    let Some(driver) = chromedriver() else { return };
    let d = demo();
    let base = &d.server.base;
    let number = certificate_in(base, "valid");
    let b = Browser::start(&driver, Viewport::Phone);
    b.goto(&format!("{base}/public/certificates"));
    let input = b.find("form.lookup input[name='number']");
    b.type_into(&input, &number);
    b.click(&b.find("form.lookup button[type='submit']"));
    b.wait_for_url(&format!("/public/certificates/{number}"));
    assert_eq!(b.text(&b.find(".verdict strong")), "有效");

    // PUB-3: the QR code encodes this page's absolute URL; the page prints it beside the
    // code. Open it as a phone that scanned the code would.
    let qr_target = b.attribute(&b.find("figure figcaption a"), "href").unwrap();
    assert_eq!(qr_target, format!("{base}/public/certificates/{number}"));
    let qr_src = b.attribute(&b.find("img.qr"), "src").unwrap();
    let mut r = agent().get(format!("{base}{qr_src}")).call().unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.body_mut().read_to_string().unwrap().contains("<svg"));
    b.goto("about:blank");
    b.goto(&qr_target);
    assert_eq!(b.text(&b.find(".verdict strong")), "有效");
    assert!(b.execute("return document.querySelector('img.qr').naturalWidth > 0").as_bool().unwrap(), "QR loads");

    // A revoked certificate says so, with the reason.
    let revoked = certificate_in(base, "revoked");
    b.goto(&format!("{base}/public/certificates/{revoked}"));
    assert_eq!(b.text(&b.find(".verdict strong")), "无效（已注销）");
    // An unknown number is a Chinese 404 page, not an error dump.
    b.goto(&format!("{base}/public/certificates/0000000000000"));
    assert_eq!(b.text(&b.find("main h1")), "未找到");
}

/// The portal's main pages, for the layout checks and screenshots.
fn main_pages(d: &Demo) -> Vec<(&'static str, String)> {
    let base = &d.server.base;
    let number = certificate_in(base, "valid");
    let officers = get_json(&format!("{base}/api/v1/officers?limit=50"));
    let officer = officers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["certificates"].as_array().is_some_and(|c| !c.is_empty()))
        .expect("an officer with a certificate");
    let staff_no = officer["staff_no"].as_str().unwrap().to_string();
    let agency = officer["agency"].as_str().unwrap().to_string();
    let item = get_json(&format!("{base}/api/v1/items?kind=penalty&limit=1"))["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let procedure = get_json(&format!("{base}/api/v1/public/procedures"))[0]["code"].as_str().unwrap().to_string();
    vec![
        ("home", format!("{base}/public")),
        ("agencies", format!("{base}/public/agencies")),
        ("agency", format!("{base}/public/agencies/{agency}")),
        ("officers", format!("{base}/public/officers")),
        ("officer", format!("{base}/public/officers/{staff_no}")),
        ("certificate", format!("{base}/public/certificates/{number}")),
        ("items", format!("{base}/public/items")),
        ("item", format!("{base}/public/items/{item}")),
        ("item-changes", format!("{base}/public/item-changes")),
        ("inspection-list", format!("{base}/public/inspection-list")),
        ("procedure", format!("{base}/public/procedures/{procedure}")),
        ("log", format!("{base}/public/log")),
    ]
}

#[test]
fn pages_fit_a_phone_and_look_right_on_both_screens() {
    let Some(driver) = chromedriver() else { return };
    let d = demo();
    let pages = main_pages(&d);
    let dir = screenshot_dir();
    for viewport in [Viewport::Phone, Viewport::Desktop] {
        let b = Browser::start(&driver, viewport);
        for (name, url) in &pages {
            b.goto(url);
            // Rendered and styled: the stylesheet loaded (the CSP allowed it).
            let styled = b.execute("return getComputedStyle(document.querySelector('header.site')).display");
            assert_eq!(styled, "block", "{name}: site.css applied");
            let width = b.execute("return document.documentElement.scrollWidth").as_i64().unwrap();
            let viewport_width = b.execute("return window.innerWidth").as_i64().unwrap();
            assert_eq!(viewport_width, viewport.width(), "{name}: the {} viewport", viewport.name());
            assert!(
                width <= viewport.width(),
                "{name} overflows a {} screen sideways: scrollWidth {width} > {}",
                viewport.name(),
                viewport.width()
            );
            b.screenshot(&dir.join(format!("{}-{name}.png", viewport.name())));
        }
    }
    eprintln!("screenshots in {}", dir.display());
}

#[test]
fn an_xss_payload_in_names_is_rendered_inert() {
    let Some(driver) = chromedriver() else { return };
    let d = demo();
    let base = &d.server.base;
    let b = Browser::start(&driver, Viewport::Desktop);
    for path in
        [format!("/public/agencies/{}", d.xss_agency), "/public/agencies".into(), "/public/officers/XSS-001".into()]
    {
        b.goto(&format!("{base}{path}"));
        assert_eq!(b.dialog(), None, "{path}: a script from the data ran");
        let injected =
            b.execute("return document.querySelectorAll('img[src=x], script:not([src^=\"/assets/\"])').length");
        assert_eq!(injected, 0, "{path}: markup from the data became elements");
        assert!(b.text(&b.find("main")).contains("<script>alert(1)</script>"), "{path}: the payload shows as text");
    }
    b.goto(&format!("{base}/public/agencies/{}", d.xss_agency));
    assert_eq!(b.text(&b.find("main h1")), XSS_NAME);
    assert!(b.text(&b.find("main table")).contains(XSS_OFFICER));
}

/// PUB-4, PUB-5, LOG-5 on a phone: a citizen searches a phrase of the facts, opens the
/// decision (published automatically from the demo's on-the-spot penalty, redacted) and
/// follows the verification link to the record's inclusion proof.
#[test]
fn citizen_finds_a_decision_by_a_phrase_opens_it_and_verifies_it_on_a_phone() {
    let Some(driver) = chromedriver() else { return };
    let d = demo();
    let base = &d.server.base;
    // The publisher publishes on its first round and the checkpointer signs within a second.
    let start = std::time::Instant::now();
    while get_json(&format!("{base}/api/v1/public/decisions"))["total"].as_i64().unwrap_or(0) < 3 {
        assert!(start.elapsed().as_secs() < 20, "the demo's decisions were not published");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let b = Browser::start(&driver, Viewport::Phone);
    b.goto(&format!("{base}/public/decisions"));
    let q = b.find("form.filters input[name='q']");
    b.type_into(&q, "保质期的袋装酸奶");
    b.click(&b.find("form.filters button[type='submit']"));
    b.wait_for_url("&max=");
    let hit = b.find("ol.hits li a");
    let href = b.attribute(&hit, "href").unwrap();
    assert!(b.text(&hit).contains("赵某某"), "{}", b.text(&hit));
    assert!(!b.find_all("ol.hits mark").is_empty(), "the matched words are marked");
    let width = b.execute("return document.documentElement.scrollWidth").as_i64().unwrap();
    assert!(width <= 375, "the search page overflows a phone: {width}");
    b.click(&hit);
    b.wait_for_url(href.rsplit('/').next().unwrap());
    let body = b.text(&b.find("main"));
    assert!(body.contains("赵某某") && body.contains("本公示已记入可验证日志"), "{body}");
    for secret in ["赵建国", "130123198503150031", "13903110001"] {
        assert!(!body.contains(secret), "PUB-5: {secret} on the page");
    }
    let width = b.execute("return document.documentElement.scrollWidth").as_i64().unwrap();
    assert!(width <= 375, "the decision page overflows a phone: {width}");
    b.screenshot(&screenshot_dir().join("phone-decision.png"));
    b.click(&b.find("#verify"));
    b.wait_for_url("/proof");
    let proof: Value = serde_json::from_str(&b.text(&b.find("body"))).expect("the proof is JSON");
    assert_eq!(proof["kind"], "decision_published");
    assert!(proof["tree_size"].as_u64().unwrap() > proof["index"].as_u64().unwrap());
    assert!(proof["checkpoint"].as_str().unwrap().contains(&proof["root"].as_str().unwrap().to_string()));
}
