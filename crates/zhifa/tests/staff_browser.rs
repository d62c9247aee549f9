//! The staff application in a real browser (headless Chromium) on the demo county, served
//! by the real `zhifa` binary, through the UI only: an officer registers a case and
//! records the lead, the head files it, the officer records an on-site inspection with a
//! second officer, notifies, the party waives its rights, the head decides; plus lockout,
//! idle timeout, a CSRF attempt and an XSS payload — at 375 px and on a desktop. Run with
//! `ZHIFA_TEST_CHROMEDRIVER=/usr/bin/chromedriver`.

mod common;

use common::browser::{Browser, Viewport, chromedriver, screenshot_dir};
use common::{Server, run, serve, zhifa};
use zhifa_store::testing::{TestStore, sqlite};

const XSS: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>食品店";

struct Demo {
    server: Server,
    passwords: std::collections::HashMap<String, String>,
    t: TestStore,
}

fn demo(extra: &[&str]) -> Demo {
    let t = sqlite();
    let (ok, out, err) = run(zhifa(&t).args(["demo", "--no-serve"]));
    assert!(ok, "{out}{err}");
    let text = std::fs::read_to_string(t.scratch_dir().join("demo-accounts.txt")).unwrap();
    let passwords = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.to_string(), w.next()?.to_string()))
        })
        .collect();
    let mut args = vec!["serve"];
    args.extend_from_slice(extra);
    let server = serve(&t, &args);
    Demo { server, passwords, t }
}

fn login(b: &Browser, d: &Demo, who: &str) {
    b.goto(&format!("{}/staff/login", d.server.base));
    b.type_into(&b.find("input[name='login']"), who);
    b.type_into(&b.find("input[name='password']"), &d.passwords[who]);
    b.click(&b.find("form button[type='submit']"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !b.current_url().ends_with("/staff") {
        assert!(std::time::Instant::now() < deadline, "login as {who}: {}", body_text(b));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The page's text, read without holding an element (the page may be changing).
fn body_text(b: &Browser) -> String {
    b.execute("return document.body ? document.body.innerText : ''").as_str().unwrap_or_default().to_string()
}

fn logout(b: &Browser) {
    b.execute("document.querySelector('.whoami form').requestSubmit(); return 1;");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !body_text(b).contains("您已安全退出") {
        assert!(std::time::Instant::now() < deadline, "logout");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Opens the form of an action on the case page and submits it; `fill` may type into it.
/// A refusal fails the test with the rules the page gives.
fn act(b: &Browser, action: &str, fill: impl Fn(&Browser, &str)) {
    let form = format!("form#act-{action}");
    let opened = b.execute(&format!(
        "var f = document.querySelector('{form}'); if (!f) return false; f.closest('details').open = true; return true;"
    ));
    assert_eq!(opened, true, "no form for {action} on {}: {}", b.current_url(), body_text(b));
    fill(b, &form);
    // The old page is marked, so that only the page the submission brings counts.
    b.execute(&format!("window.zhifaOld = true; document.querySelector('{form}').requestSubmit(); return 1;"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let url = b.current_url();
        let loaded = b.execute("return !window.zhifaOld && document.readyState === 'complete'") == true;
        if loaded && url.ends_with("#timeline") {
            return;
        }
        if loaded && url.ends_with(&format!("#act-{action}")) {
            let errors = b.execute("var e = document.querySelector('.errors'); return e ? e.innerText : '';");
            if errors.as_str().is_some_and(|e| !e.is_empty()) {
                panic!("{action} refused: {errors}");
            }
        }
        assert!(std::time::Instant::now() < deadline, "{action}: still at {url}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Types `text` into the field `name` of the form `f`.
fn fill(b: &Browser, f: &str, name: &str, text: &str) {
    b.type_into(&b.find(&format!("{f} [name='{name}']")), text);
}

/// Sets a `<select>` (single or multiple) of the form `f`: every option in `values` is
/// selected, the others are left as they are.
fn choose(b: &Browser, f: &str, name: &str, values: &[&str]) {
    let values = serde_json::to_string(values).unwrap();
    b.execute(&format!(
        "var s = document.querySelector(\"{f} select[name={name}]\"); var v = {values}; \
         for (var o of s.options) {{ if (v.includes(o.value)) o.selected = true; else if (!s.multiple) o.selected = false; }} return 1;"
    ));
}

/// Ticks every evidence file on the form `f`.
fn all_evidence(b: &Browser, f: &str) {
    b.execute(&format!(
        "for (var c of document.querySelectorAll('{f} input[name=evidence]')) c.checked = true; return 1;"
    ));
}

fn stage(b: &Browser) -> String {
    b.text(&b.find("#stage"))
}

/// Uploads a video through the case page's evidence form (REC-3, REC-4), as the logged-in
/// officer, and waits until the page lists it.
fn upload_av(b: &Browser, dir: &std::path::Path, name: &str) {
    // An MP4 by its bytes: an `ftyp` box, then content (distinct per name).
    let path = dir.join(name);
    let before =
        b.execute("return document.querySelectorAll('#evidence tbody td span.mono').length;").as_i64().unwrap_or(0);
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    bytes.extend(name.bytes());
    bytes.extend((0..64 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&path, bytes).unwrap();
    let form = "form[data-upload]";
    b.type_into(&b.find(&format!("{form} input[type='file']")), path.to_str().unwrap());
    b.execute(&format!(
        "var f = document.querySelector('{form}'); var d = new Date(Date.now() - 600000); \
         d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); \
         f.querySelector('[name=captured_at]').value = d.toISOString().slice(0, 16); return 1;"
    ));
    b.type_into(&b.find(&format!("{form} input[name='place']")), "正定县中山东路 8 号");
    b.type_into(&b.find(&format!("{form} input[name='proves']")), "现场存放过期食品");
    b.click(&b.find(&format!("{form} button[type='submit']")));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let listed = b.execute("return document.querySelectorAll('#evidence tbody td span.mono').length;");
        if listed.as_i64().unwrap_or(0) > before {
            break;
        }
        let status = b.execute("var s = document.querySelector('.upload-status'); return s ? s.textContent : '';");
        assert!(std::time::Instant::now() < deadline, "the upload did not finish: {status}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Registers a case through 登记案件 and returns its number.
fn register_case(b: &Browser, party: &str) -> String {
    b.execute("var s = document.querySelector('select[name=item]'); s.value = 'SCJG-CF-002'; return s.value;");
    b.type_into(&b.find("input[name='party_name']"), party);
    b.type_into(&b.find("textarea[name='summary']"), "销售超过保质期的食品");
    b.click(&b.find("#open button[type='submit']"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !b.current_url().contains("/staff/cases/") {
        assert!(std::time::Instant::now() < deadline, "no case page: {}", b.current_url());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    b.text(&b.find("#case-number"))
}

fn no_sideways_scroll(b: &Browser, what: &str) {
    let wide = b.execute("return document.documentElement.scrollWidth > window.innerWidth + 1");
    assert_eq!(wide, false, "{what}: the page scrolls sideways");
}

fn case_to_decision(vp: Viewport) {
    let Some(driver) = chromedriver() else { return };
    let d = demo(&[]);
    let b = Browser::start(&driver, vp);
    login(&b, &d, "officer");
    assert!(b.text(&b.find("main h1")).contains("我的工作"));
    no_sideways_scroll(&b, "home");
    let number = register_case(&b, XSS);
    let case_url = b.current_url();
    assert!(case_url.ends_with(&number), "{case_url}");
    // XSS: the party's name is text, and no dialog opened.
    assert_eq!(b.text(&b.find("#party")), XSS);
    assert_eq!(b.dialog(), None, "an XSS payload ran");
    no_sideways_scroll(&b, "case page");
    assert_eq!(stage(&b), "案件来源");
    act(&b, "register_lead", |b, f| {
        b.type_into(&b.find(&format!("{f} textarea[name='text']")), "群众举报：销售过期食品")
    });
    assert_eq!(stage(&b), "立案");
    logout(&b);

    login(&b, &d, "head");
    b.goto(&case_url);
    act(&b, "file", |b, f| b.type_into(&b.find(&format!("{f} textarea[name='text']")), "同意立案"));
    assert_eq!(stage(&b), "调查取证");
    logout(&b);

    // On-site inspection with a second officer (STAFF-4) and its audio/video (REC-3).
    let second = "130123-SJ-005";
    login(&b, &d, "officer");
    b.goto(&case_url);
    upload_av(&b, &d.t.scratch_dir(), "现场检查.mp4");
    act(&b, "inspect_site", |b, f| {
        b.execute(&format!(
            "var s = document.querySelector('{f} select[name=officers]'); for (var o of s.options) {{ if (o.value === '{second}') o.selected = true; }} \
             for (var c of document.querySelectorAll('{f} input[name=evidence]')) c.checked = true; return 1;"
        ));
        b.type_into(&b.find(&format!("{f} input[name='place']")), "正定县中山东路 8 号");
        b.type_into(&b.find(&format!("{f} textarea[name='text']")), "现场检查发现过期食品 12 件");
    });
    let timeline = b.text(&b.find("#timeline"));
    assert!(timeline.contains("现场检查（勘验）"), "{timeline}");
    act(&b, "notify", |b, f| b.type_into(&b.find(&format!("{f} input[name='fine_yuan']")), "2000"));
    assert_eq!(stage(&b), "告知");
    act(&b, "waive_rights", |_, _| {});
    act(&b, "submit_decision", |_, _| {});
    assert_eq!(stage(&b), "决定");
    logout(&b);

    login(&b, &d, "head");
    b.goto(&case_url);
    act(&b, "decide", |b, f| b.type_into(&b.find(&format!("{f} input[name='fine_yuan']")), "2000"));
    assert_eq!(stage(&b), "送达");
    let timeline = b.text(&b.find("#timeline"));
    assert!(timeline.contains("作出行政处罚决定") && timeline.contains("罚款 2000 元"), "{timeline}");
    b.screenshot(&screenshot_dir().join(format!("staff-case-{}.png", vp.name())));
}

#[test]
fn staff_case_from_registration_to_decision_on_desktop() {
    case_to_decision(Viewport::Desktop);
}

#[test]
fn staff_case_from_registration_to_decision_on_a_phone() {
    case_to_decision(Viewport::Phone);
}

#[test]
fn staff_lockout_csrf_and_idle_timeout() {
    let Some(driver) = chromedriver() else { return };
    let d = demo(&["--idle-timeout", "5"]);
    let b = Browser::start(&driver, Viewport::Phone);
    // Lockout after five failures (SEC-1).
    for _ in 0..5 {
        b.goto(&format!("{}/staff/login", d.server.base));
        b.type_into(&b.find("input[name='login']"), "reviewer");
        b.type_into(&b.find("input[name='password']"), "wrong-password");
        b.click(&b.find("form button[type='submit']"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !body_text(&b).contains("用户名或密码错误") {
            assert!(std::time::Instant::now() < deadline, "{}", body_text(&b));
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    b.goto(&format!("{}/staff/login", d.server.base));
    b.type_into(&b.find("input[name='login']"), "reviewer");
    b.type_into(&b.find("input[name='password']"), &d.passwords["reviewer"]);
    b.click(&b.find("form button[type='submit']"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !body_text(&b).contains("已锁定") {
        assert!(std::time::Instant::now() < deadline, "locked: {}", body_text(&b));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // CSRF: a form whose token was tampered with is refused and writes nothing.
    login(&b, &d, "officer");
    b.execute("document.querySelector('#open input[name=csrf]').value = 'forged'; return 1;");
    register_case_expect_refusal(&b);

    // Idle timeout (the server was started with --idle-timeout 5).
    b.goto(&format!("{}/staff", d.server.base));
    std::thread::sleep(std::time::Duration::from_secs(7));
    b.goto(&format!("{}/staff/cases", d.server.base));
    assert!(b.text(&b.find("main")).contains("会话已超时，请重新登录"));
}

fn register_case_expect_refusal(b: &Browser) {
    b.execute("var s = document.querySelector('select[name=item]'); s.value = 'SCJG-CF-002'; return 1;");
    b.type_into(&b.find("input[name='party_name']"), "某某超市");
    b.type_into(&b.find("textarea[name='summary']"), "CSRF 测试");
    b.click(&b.find("#open button[type='submit']"));
    b.wait_for_url("/staff/cases");
    let main = b.text(&b.find("main"));
    assert!(main.contains("CSRF"), "{main}");
    b.goto(&b.current_url().replace("/staff/cases", "/staff/cases?all=1"));
    assert!(!b.text(&b.find("main")).contains("某某超市"), "nothing was written");
}

/// Waits (up to 15 s, reloading) until `url`'s main text contains `what`; returns the text.
fn wait_for_text(b: &Browser, url: &str, what: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        b.goto(url);
        let text = body_text(b);
        if text.contains(what) {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "{url} never showed {what}: {text}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// The draft decision submitted for legal review (REV-5).
fn submit_for_review(b: &Browser) {
    act(b, "submit_review", |b, f| {
        fill(b, f, "fine_yuan", "60000");
        fill(b, f, "draft_facts", "当事人销售超过保质期的食品 12 件，货值金额 3000 元，有现场检查笔录和音像记录为证。");
        fill(b, f, "draft_basis", "《中华人民共和国食品安全法》第三十四条第十项、第一百二十四条第一款第五项");
        fill(b, f, "draft_reasons", "货值金额不足一万元，初次违法，按一般情节裁量。");
        fill(b, f, "draft_statement", "本人对所提交材料的真实性、完整性负责。");
    });
}

/// The whole path, through the UI only, at 375 px, on the demo county (whose
/// review catalogue sends fines of 50 000 yuan and more to legal review, REV-1): an
/// officer files a case and records evidence, a second officer joins the inspection
/// (STAFF-4, REC-3), the case goes to legal review, the reviewer returns it (REV-3, REV-4),
/// it is fixed and approved in a second round (REV-2), the head decides, the decision
/// document is generated and verifies (CASE-6, LOG-5), the publication appears on the
/// public portal (PUB-4), and the head withdraws it when the decision is changed (PUB-6).
#[test]
fn staff_case_through_review_decision_document_and_publication_on_a_phone() {
    let Some(driver) = chromedriver() else { return };
    let d = demo(&[]);
    let b = Browser::start(&driver, Viewport::Phone);
    let party = "正定县常山副食品商行";
    let (officer2, reviewer) = ("130123-SJ-005", "130123-SJ-028");

    login(&b, &d, "officer");
    let number = register_case(&b, party);
    let case_url = b.current_url();
    act(&b, "register_lead", |b, f| fill(b, f, "text", "市场巡查发现：销售超过保质期的食品"));
    logout(&b);
    login(&b, &d, "head");
    b.goto(&case_url);
    act(&b, "file", |b, f| fill(b, f, "text", "同意立案"));
    logout(&b);

    // The inspection, with a second officer and its video.
    login(&b, &d, "officer");
    b.goto(&case_url);
    upload_av(&b, &d.t.scratch_dir(), "现场检查.mp4");
    act(&b, "inspect_site", |b, f| {
        choose(b, f, "officers", &[officer2]);
        all_evidence(b, f);
        fill(b, f, "place", "正定县常山东路 12 号");
        fill(b, f, "text", "现场检查发现超过保质期的食品 12 件");
    });
    submit_for_review(&b);
    assert_eq!(stage(&b), "法制审核");
    logout(&b);

    // Round 1: the reviewer finds it in the queue, takes it and returns it.
    login(&b, &d, "reviewer");
    b.goto(&format!("{}/staff/reviews", d.server.base));
    let queue = b.text(&b.find("main"));
    assert!(queue.contains(&number) && queue.contains("未指定"), "{queue}");
    no_sideways_scroll(&b, "review queue");
    b.click(&b.find(&format!("main a[href='/staff/cases/{number}']")));
    b.wait_for_url(&number);
    // The reviewer reads the frozen draft on the case page (REV-5).
    let review = b.text(&b.find("#review"));
    assert!(
        review.contains("第 1 轮") && review.contains("货值金额 3000 元") && review.contains("罚款 60000 元"),
        "{review}"
    );
    b.execute("document.querySelector('#review').scrollIntoView(); return 1;");
    b.screenshot(&screenshot_dir().join("staff-review-round-phone.png"));
    act(&b, "assign_reviewer", |b, f| choose(b, f, "reviewer", &[reviewer]));
    act(&b, "review_return", |b, f| {
        choose(b, f, "finding_evidence_sufficient", &["problem"]);
        fill(b, f, "finding_evidence_sufficient_note", "缺少货值金额的证明");
        choose(b, f, "opinion", &["more_evidence"]);
        fill(b, f, "text", "证据不足：请补充进货票据，查明货值金额");
    });
    assert_eq!(stage(&b), "调查取证");
    let timeline = b.text(&b.find("#timeline"));
    assert!(timeline.contains("审核未通过") && timeline.contains("请补充进货票据"), "{timeline}");
    let review = b.text(&b.find("#review"));
    assert!(review.contains("未通过") && review.contains("有问题 缺少货值金额的证明"), "{review}");
    logout(&b);

    // The officer collects what was asked for and submits again.
    login(&b, &d, "officer");
    b.goto(&case_url);
    upload_av(&b, &d.t.scratch_dir(), "调取进货票据.mp4");
    act(&b, "collect_evidence", |b, f| {
        choose(b, f, "officers", &[officer2]);
        all_evidence(b, f);
        fill(b, f, "text", "调取进货票据 3 张，货值金额 3000 元");
    });
    submit_for_review(&b);
    logout(&b);

    // Round 2: approved, every item checked (REV-3).
    login(&b, &d, "reviewer");
    b.goto(&case_url);
    act(&b, "assign_reviewer", |b, f| choose(b, f, "reviewer", &[reviewer]));
    act(&b, "review_approve", |b, f| fill(b, f, "text", "事实清楚，证据确凿，适用依据正确，程序合法，同意"));
    assert_eq!(stage(&b), "法制审核");
    logout(&b);

    // Notice, waiver, and the head's decision on the approved draft.
    login(&b, &d, "officer");
    b.goto(&case_url);
    act(&b, "notify", |b, f| fill(b, f, "fine_yuan", "60000"));
    act(&b, "waive_rights", |_, _| {});
    act(&b, "submit_decision", |_, _| {});
    logout(&b);
    login(&b, &d, "head");
    b.goto(&case_url);
    act(&b, "decide", |b, f| fill(b, f, "fine_yuan", "60000"));
    assert_eq!(stage(&b), "送达");

    // The decision document, generated and signed from the case page (CASE-6) …
    b.execute(
        "document.querySelector(\"#documents form input[name=kind][value=penalty_decision]\").form.requestSubmit(); return 1;",
    );
    b.wait_for_url("#documents");
    let docs = b.text(&b.find("#documents"));
    assert!(docs.contains("《行政处罚决定书》") && docs.contains("〔2026〕"), "{docs}");
    no_sideways_scroll(&b, "case page with documents");
    // … verifies on the public page (LOG-5).
    let link = b.find("#documents td a[href^='/public/verify']");
    let href = b.attribute(&link, "href").unwrap();
    b.click(&link);
    b.wait_for_url(&href);
    let verified = body_text(&b);
    assert!(verified.contains("核验结果：一致"), "{verified}");

    // The staff publications screen and the portal show it (PUB-4).
    let listed = wait_for_text(&b, &format!("{}/staff/publications?state=published", d.server.base), &number);
    assert!(listed.contains("按时公示"), "{listed}");
    let found = wait_for_text(&b, &format!("{}/public/decisions?q={party}", d.server.base), party);
    assert!(found.contains(party), "{found}");
    let href = b.execute(&format!(
        "for (var li of document.querySelectorAll('ol.hits li')) {{ if (li.innerText.includes('{party}')) {{ var a = li.querySelector('a'); a.click(); return a.getAttribute('href'); }} }} return null;"
    ));
    let href = href.as_str().unwrap_or_else(|| panic!("no hit for {party}: {found}")).to_string();
    b.wait_for_url(&href);
    let page = body_text(&b);
    assert!(page.contains("罚款 60000 元") || page.contains("60000 元"), "{page}");
    no_sideways_scroll(&b, "public decision");
    b.screenshot(&screenshot_dir().join("staff-review-to-publication-phone.png"));
    let decision_url = b.current_url();

    // PUB-6: the decision is later changed on reconsideration; the head withdraws the
    // publication with its published reason.
    b.goto(&format!("{}/staff/publications?state=published", d.server.base));
    let opened = b.execute(&format!(
        "for (var tr of document.querySelectorAll('main tbody tr')) {{ if (tr.innerText.includes('{number}')) {{ \
           var d = tr.querySelector('details.withdraw'); d.open = true; return true; }} }} return false;"
    ));
    assert_eq!(opened, true, "no withdrawal form: {}", body_text(&b));
    let f = "details.withdraw[open] form";
    choose(&b, f, "ground", &["changed"]);
    fill(&b, f, "reason", "经行政复议，本决定已被变更");
    b.execute(&format!("document.querySelector('{f}').requestSubmit(); return 1;"));
    b.wait_for_url("/staff/publications?state=withdrawn");
    let withdrawn = body_text(&b);
    assert!(withdrawn.contains(&number) && withdrawn.contains("经行政复议，本决定已被变更"), "{withdrawn}");
    b.goto(&decision_url);
    let page = body_text(&b);
    assert!(page.contains("已撤下") && page.contains("决定被变更") && !page.contains("60000 元"), "{page}");
}
