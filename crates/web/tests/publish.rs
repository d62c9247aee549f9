//! Black-box tests of the publication pipeline over HTTP, on every backend (PUB-4..7,
//! PUB-9, LOG-5, CMP-1): a decided case is published automatically and redacted before
//! its due date, found by search, verified against the signed checkpoint, withdrawn with
//! its reason shown, and taken off when its period ends; hostile text renders inert.

mod common;

use std::time::{Duration, Instant};

use common::county::*;
use common::{App, apps};
use serde_json::{Value, json};
use zhifa_log::{Hash, leaf_hash, verify_inclusion};

const NAME: &str = "张三丰";
const ID: &str = "11010519491231002X";
const PHONE: &str = "13812345678";
const HOUSE: &str = "3单元502";

/// Opens a simple-procedure case against a citizen and decides it on the spot.
fn decide_citizen_case(app: &App, c: &County) -> String {
    let body = json!({
        "item": "SCJG-CF-001",
        "procedure": "simple_penalty",
        "party": { "kind": "person", "name": NAME, "id_number": ID, "phone": PHONE,
                   "address": "正定县恒山路12号3单元502室" },
        "summary": "张三丰在集贸市场销售过期酸奶",
    });
    let r = ok(app, post(app, "/api/v1/cases", &c.a1, &body));
    let n = r.body["body"]["case"]["number"].as_str().unwrap().to_string();
    decide_on_site(
        app,
        c,
        &n,
        &format!(
            "当事人{NAME}（身份证号{ID}，电话{PHONE}，住正定县恒山路12号3单元502室）销售过期酸奶十二盒，当场缴纳罚款。"
        ),
    );
    n
}

fn decide_on_site(app: &App, c: &County, n: &str, text: &str) {
    let video = av(app, n, 7);
    ok(
        app,
        step(
            app,
            n,
            &c.a1,
            json!({"action": "present_certificate", "officers": ["A1", "A3"], "records": ["site_record"], "evidence": [video]}),
        ),
    );
    ok(app, step(app, n, &c.a1, json!({"action": "inform_rights"})));
    ok(
        app,
        step(
            app,
            n,
            &c.a1,
            json!({"action": "decide_on_site", "officers": ["A1", "A3"], "documents": ["on_site_decision"],
                   "penalties": [{"kind": "fine", "fen": 20_000}], "text": text}),
        ),
    );
}

/// Waits until the staff list in `state` holds publication `id` (the publisher runs in the
/// background).
fn wait_for(app: &App, state: &str, id: &str) -> Value {
    let start = Instant::now();
    loop {
        let r = app.get(&format!("/api/v1/publications?state={state}"), Some(&app.admin));
        assert_eq!(r.status, 200, "{:?}", r.body);
        if let Some(item) = r.body["items"].as_array().unwrap().iter().find(|i| i["case"] == id) {
            return item.clone();
        }
        let published = app.get("/api/v1/publications?state=published", Some(&app.admin)).body;
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{}: {id} never became {state}: {:?}; published: {published}",
            app.backend,
            r.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the portal's decision list does (or does not) show `id`: the search index
/// is updated by the publisher right after the record is committed.
fn wait_listed(app: &App, id: &str, listed: bool) {
    let start = Instant::now();
    while text(&app.get("/public/decisions", None)).contains(&format!("/public/decisions/{id}\"")) != listed {
        assert!(start.elapsed() < Duration::from_secs(60), "{}: {id} listed should be {listed}", app.backend);
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn text(r: &common::Resp) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

fn assert_no_personal_data(app: &App, what: &str, body: &str) {
    for secret in [NAME, ID, PHONE, HOUSE] {
        assert!(!body.contains(secret), "{}: PUB-5: {secret} in {what}: {body}", app.backend);
    }
}

/// Every public surface of a publication.
fn public_surfaces(app: &App, n: &str) -> Vec<(String, String)> {
    [
        format!("/public/decisions/{n}"),
        "/public/decisions?q=过期酸奶".to_string(),
        "/public/decisions".to_string(),
        "/api/v1/public/decisions".to_string(),
        "/api/v1/public/decisions.csv".to_string(),
        "/api/v1/public/decisions.jsonl".to_string(),
    ]
    .into_iter()
    .map(|p| {
        let r = app.get(&p, None);
        assert_eq!(r.status, 200, "{}: {p}", app.backend);
        (p, text(&r))
    })
    .collect()
}

#[test]
fn pub4_to_pub9_a_decided_case_is_published_redacted_found_verified_withdrawn_and_expires() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z"); // Monday 09:00 China time
        let n = decide_citizen_case(&app, &c);

        // PUB-4: published automatically on the day of the decision, well before it is due.
        let item = wait_for(&app, "published", &n);
        wait_listed(&app, &n, true);
        assert_eq!(item["decided_on"], "2026-03-02");
        assert_eq!(item["due"], "2026-03-11", "7 working days");
        assert_eq!(item["published_on"], "2026-03-02");
        assert_eq!(item["on_time"], true);
        let seq = item["seq"].as_i64().unwrap();
        assert_eq!(item["verify_url"], format!("/public/decisions/{n}"));

        // PUB-5: the natural person's name, ID number, phone and house number appear nowhere.
        for (path, body) in public_surfaces(&app, &n) {
            assert_no_personal_data(&app, &path, &body);
        }
        let page = text(&app.get(&format!("/public/decisions/{n}"), None));
        assert!(page.contains("张某某"), "{page}");
        assert!(page.contains(&format!("本公示已记入可验证日志：记录序号 <strong>{seq}</strong>")), "{page}");
        // The record itself holds the redacted text only.
        let rec = app.store.records(Some(&format!("publication/{n}")), -1, 10).unwrap();
        assert_eq!(rec.len(), 1);
        assert_no_personal_data(&app, "the record", &rec[0].body.to_string());

        // Search: word-segmented, the matched words marked.
        let hits = text(&app.get("/public/decisions?q=%E8%BF%87%E6%9C%9F%E9%85%B8%E5%A5%B6", None));
        assert!(hits.contains(&format!("/public/decisions/{n}")), "{hits}");
        assert!(hits.contains("<mark>"), "{hits}");
        let none = text(&app.get("/public/decisions?q=%E6%B1%BD%E8%BD%A6%E7%BB%B4%E4%BF%AE", None));
        assert!(!none.contains(&format!("/public/decisions/{n}")));
        // Filters: amount range, kind.
        let f = text(&app.get("/public/decisions?min=100&max=300&kind=penalty", None));
        assert!(f.contains(&format!("/public/decisions/{n}")), "{f}");
        let f = text(&app.get("/public/decisions?min=1000", None));
        assert!(!f.contains(&format!("/public/decisions/{n}")));

        // PUB-9: the 双公示 fields.
        let opendata = app.get("/api/v1/public/decisions?from=2026-03-01&to=2026-03-31", None);
        assert_eq!(opendata.body["total"], 1);
        let r = &opendata.body["items"][0];
        assert_eq!(r["cf_xdr_mc"], "张某某");
        assert_eq!(r["cf_xdr_lb"], "自然人");
        assert_eq!(r["cf_xdr_zjhm"], "1****************X");
        assert_eq!(r["cf_wsh"], n.as_str());
        assert_eq!(r["cf_nr_fk"], "0.02");
        assert_eq!(r["cf_jdrq"], "2026/03/02");
        let csv = app.get("/api/v1/public/decisions.csv", None);
        assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF\"cf_xdr_mc\""), "UTF-8 with BOM");
        assert_eq!(text(&csv).lines().count(), 2);
        let jsonl = text(&app.get("/api/v1/public/decisions.jsonl", None));
        let line: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(line["cf_wsh"], n.as_str());
        assert_eq!(app.get("/api/v1/public/decisions?from=2026-04-01", None).body["total"], 0);

        // LOG-5: the proof checks against the signed checkpoint.
        assert_eq!(app.get(&format!("/api/v1/public/records/{seq}/proof"), None).status, 409, "no checkpoint yet");
        zhifa_app::log::checkpoint_once(&app.state).unwrap();
        let proof = app.get(&format!("/api/v1/public/records/{seq}/proof"), None);
        assert_eq!(proof.status, 200, "{:?}", proof.body);
        let p = &proof.body;
        let salt: [u8; 32] = hex::decode(p["salt"].as_str().unwrap()).unwrap().try_into().unwrap();
        let entry = zhifa_store::log::commitment(&salt, p["canonical"].as_str().unwrap().as_bytes());
        assert_eq!(hex::encode(entry), p["entry"].as_str().unwrap());
        let hashes: Vec<Hash> =
            p["proof"].as_array().unwrap().iter().map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap()).collect();
        let checkpoint = text(&app.get("/log/checkpoint", None));
        let root_line = checkpoint.lines().nth(2).unwrap();
        assert_eq!(p["root"].as_str().unwrap(), root_line);
        assert_eq!(p["tree_size"].to_string(), checkpoint.lines().nth(1).unwrap());
        verify_inclusion(
            &leaf_hash(&entry),
            p["index"].as_u64().unwrap(),
            p["tree_size"].as_u64().unwrap(),
            &hashes,
            &Hash::from_base64(root_line).unwrap(),
        )
        .expect("LOG-3: the publication record is in the log");
        assert_no_personal_data(&app, "the proof", &text(&proof));
        // LOG-4: no other record's proof is public.
        assert_eq!(app.get("/api/v1/public/records/0/proof", None).status, 404);
        assert_eq!(app.get(&format!("/api/v1/public/records/{}/proof", seq - 1), None).status, 404);

        // PUB-6: an officer may not withdraw; a head withdraws with the reason published.
        let body = json!({"reason": "经行政复议，原处罚决定被撤销", "ground": "revoked"});
        let r = post(&app, &format!("/api/v1/publications/{n}/withdraw"), &c.a1, &body);
        assert_eq!(r.status, 403, "{:?}", r.body);
        let before = app.records();
        let r = post(
            &app,
            &format!("/api/v1/publications/{n}/withdraw"),
            &c.head,
            &json!({"reason": " ", "ground": "revoked"}),
        );
        refused(&app, before, &r, "PUB-6");
        set_now(&app, "2026-03-04T02:00:00Z");
        let r = ok(&app, post(&app, &format!("/api/v1/publications/{n}/withdraw"), &c.head, &body));
        assert_eq!(r.body["late"], false);
        assert_eq!(r.body["due"], "2026-03-09", "3 working days from Wednesday 4 March");
        let before = app.records();
        let again = post(&app, &format!("/api/v1/publications/{n}/withdraw"), &c.head, &body);
        refused(&app, before, &again, "PUB-6");
        let page = text(&app.get(&format!("/public/decisions/{n}"), None));
        assert!(page.contains("已撤下") && page.contains("经行政复议，原处罚决定被撤销"), "{page}");
        assert!(!page.contains("销售过期酸奶十二盒"), "the text is replaced by the notice");
        assert!(!text(&app.get("/public/decisions?q=过期酸奶", None)).contains(&format!("/public/decisions/{n}")));
        assert_eq!(app.get("/api/v1/public/decisions", None).body["total"], 0);
        assert_eq!(text(&app.get("/api/v1/public/decisions.csv", None)).lines().count(), 1);
        let w = wait_for(&app, "withdrawn", &n);
        assert_eq!(w["withdrawal"]["ground"], "revoked");

        // PUB-6: a second decision leaves when its three-month period ends.
        let m = open(&app, &c.a1, "SCJG-CF-001", Some("simple_penalty"));
        decide_on_site(&app, &c, &m, "当场缴纳罚款。");
        let item = wait_for(&app, "published", &m);
        assert_eq!(item["decided_on"], "2026-03-04");
        wait_listed(&app, &m, true);
        set_now(&app, "2026-06-05T02:00:00Z");
        wait_for(&app, "expired", &m);
        wait_listed(&app, &m, false);
        let page = text(&app.get(&format!("/public/decisions/{m}"), None));
        assert!(page.contains("公示期满"), "{page}");
        assert!(!text(&app.get("/public/decisions", None)).contains(&format!("/public/decisions/{m}")));
        let expired = app.store.records(Some(&format!("publication/{m}")), -1, 10).unwrap();
        assert_eq!(expired.last().unwrap().kind, "publication_expired");

        // The projections are rebuilt from the records identically.
        let before: Vec<_> = ["published", "withdrawn", "expired"]
            .iter()
            .map(|s| app.get(&format!("/api/v1/publications?state={s}"), Some(&app.admin)).body["items"].clone())
            .collect();
        app.store.rebuild_projections().unwrap();
        let after: Vec<_> = ["published", "withdrawn", "expired"]
            .iter()
            .map(|s| app.get(&format!("/api/v1/publications?state={s}"), Some(&app.admin)).body["items"].clone())
            .collect();
        assert_eq!(before, after);
        assert_eq!(app.get("/api/v1/publications?state=overdue", Some(&app.admin)).body["items"], json!([]));
        assert_eq!(app.get("/api/v1/publications?state=bogus", Some(&app.admin)).status, 400);
        assert_eq!(app.get("/api/v1/publications?state=due", None).status, 401);

        // PUB-4: the limits are configurable per agency (SAMR Order 45: 20 working days).
        let agency = zhifa_domain::testing::code(1).to_string();
        let path = format!("/api/v1/agencies/{agency}/publication-policy");
        assert_eq!(app.get(&path, None).body["penalty_licensing_days"], 7);
        let mut policy = app.get(&path, None).body;
        policy["penalty_licensing_days"] = json!(20);
        assert_eq!(app.put(&path, &policy).status, 200);
        assert_eq!(app.get(&path, None).body["penalty_licensing_days"], 20);
        policy["withdraw_days"] = json!(9);
        let before = app.records();
        refused(&app, before, &app.put(&path, &policy), "PUB-6");
        set_now(&app, "2026-06-08T02:00:00Z");
        let k = open(&app, &c.a1, "SCJG-CF-001", Some("simple_penalty"));
        decide_on_site(&app, &c, &k, "当场缴纳罚款。");
        let item = wait_for(&app, "published", &k);
        // 20 working days from Monday 8 June, across the Dragon Boat Festival (CAL-1).
        assert_eq!(item["due"], app.get("/api/v1/deadline?from=2026-06-08&days=20", None).body["date"]);
        assert_eq!(item["due"], "2026-07-07");
    }
}

#[test]
fn sec5_hostile_party_names_and_facts_render_inert() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let body = json!({
            "item": "SCJG-CF-001",
            "procedure": "simple_penalty",
            "party": { "kind": "organisation", "name": "<script>alert('x')</script>有限公司",
                       "id_number": zhifa_domain::testing::code(9).as_str() },
            "summary": "销售<img src=x onerror=alert(1)>变质食品",
        });
        let r = ok(&app, post(&app, "/api/v1/cases", &c.a1, &body));
        let n = r.body["body"]["case"]["number"].as_str().unwrap().to_string();
        decide_on_site(&app, &c, &n, "\"><svg onload=alert(2)> 当场缴纳罚款。");
        wait_for(&app, "published", &n);
        wait_listed(&app, &n, true);
        for path in
            [format!("/public/decisions/{n}"), "/public/decisions?q=变质食品".into(), "/public/decisions".into()]
        {
            let page = text(&app.get(&path, None));
            assert!(page.contains(&format!("/public/decisions/{n}")) || path.ends_with(&n), "{path}: {page}");
            for raw in ["<script>alert", "<img src=x", "<svg onload"] {
                assert!(!page.contains(raw), "{}: {path} renders {raw} raw", app.backend);
            }
            assert!(page.contains("&lt;script&gt;") || page.contains("&lt;img"), "{path}: {page}");
        }
        // CSV cells are quoted; a formula is defused.
        let csv = text(&app.get("/api/v1/public/decisions.csv", None));
        assert!(csv.contains("\"<script>alert('x')</script>有限公司\""), "{csv}");
    }
}

#[test]
fn cmp1_a_complaint_gets_a_tracking_number_and_a_status_page_without_contact() {
    for app in apps() {
        county(&app);
        let form = app.get("/public/complaints/new", None);
        assert_eq!(form.status, 200);
        let cookie = form.set_cookie.clone().expect("the CSRF cookie");
        assert!(cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"), "{cookie}");
        let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
        assert!(text(&form).contains(&format!("value=\"{token}\"")));
        let cookie_header = format!("zhifa_form={token}");
        let what = "执法人员在<script>alert(1)</script>检查时未出示执法证，态度恶劣。";
        let body = format!(
            "csrf={token}&what={}&agency=&contact={}",
            zhifa_web::html::enc(what),
            zhifa_web::html::enc("王先生 13900001111")
        );
        let form_type = ("content-type", "application/x-www-form-urlencoded");

        // CSRF: no cookie, a wrong token, or another site's origin: refused, nothing written.
        let before = app.records();
        let r = app.request("POST", "/public/complaints/new", &[form_type], Some(body.as_bytes()));
        assert_eq!(r.status, 403);
        let r = app.request(
            "POST",
            "/public/complaints/new",
            &[form_type, ("cookie", "zhifa_form=00000000000000000000000000000000")],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 403);
        let r = app.request(
            "POST",
            "/public/complaints/new",
            &[form_type, ("cookie", &cookie_header), ("origin", "https://evil.example")],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 403);
        assert_eq!(app.records(), before);

        // Too short: refused with a clear Chinese message, what was typed echoed escaped.
        let short = format!("csrf={token}&what=%3Cb%3E%E5%B7%AE%3C%2Fb%3E");
        let r = app.request(
            "POST",
            "/public/complaints/new",
            &[form_type, ("cookie", &cookie_header)],
            Some(short.as_bytes()),
        );
        assert_eq!(r.status, 400);
        let page = text(&r);
        assert!(page.contains("10 个字") && page.contains("&lt;b&gt;差"), "{page}");
        assert_eq!(app.records(), before);

        let r = app.request(
            "POST",
            "/public/complaints/new",
            &[form_type, ("cookie", &cookie_header)],
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 200, "followed to the status page: {}", text(&r));
        let page = text(&r);
        let rec = app.store.records(None, before - 1, 10).unwrap();
        assert_eq!(rec.len(), 1);
        assert_eq!(rec[0].kind, "complaint_received");
        let tracking = rec[0].body["complaint"]["tracking"].as_str().unwrap().to_string();
        assert_eq!(tracking.len(), 12);
        assert!(page.contains(&tracking) && page.contains("待分派"), "{page}");
        // The contact and the text are never shown publicly.
        let status = text(&app.get(&format!("/public/complaints/{tracking}"), None));
        for secret in ["13900001111", "王先生", "未出示执法证", "<script>alert(1)"] {
            assert!(!status.contains(secret), "{secret} on the status page");
        }
        assert_eq!(app.get("/public/complaints/AAAAAAAAAAAA", None).status, 404);
    }
}

#[test]
fn pub5_sup1_a_decision_that_would_leak_personal_data_is_not_published_and_becomes_overdue() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        // A phone number in a form no detector knows: the publisher's PUB-5 check refuses.
        let body = json!({
            "item": "SCJG-CF-001",
            "procedure": "simple_penalty",
            "party": { "kind": "person", "name": "李大为", "phone": "7654321" },
            "summary": "李大为销售过期饮料",
        });
        let r = ok(&app, post(&app, "/api/v1/cases", &c.a1, &body));
        let n = r.body["body"]["case"]["number"].as_str().unwrap().to_string();
        decide_on_site(&app, &c, &n, "当事人联系方式7654321，当场缴纳罚款。");
        // Staff of the agency see it due, with a warning close to the date.
        let item = wait_for(&app, "due", &n);
        assert_eq!(item["due"], "2026-03-11");
        assert_eq!(item["overdue"], false);
        let mine = app.get("/api/v1/publications?state=due", Some(&c.a1));
        assert_eq!(mine.status, 200);
        assert!(mine.body["items"].as_array().unwrap().iter().any(|i| i["case"] == n.as_str()));
        let other = app.get("/api/v1/publications?state=due", Some(&c.stranger));
        assert!(!other.body["items"].as_array().unwrap().iter().any(|i| i["case"] == n.as_str()), "SEC-2");
        set_now(&app, "2026-03-10T02:00:00Z");
        assert_eq!(wait_for(&app, "due", &n)["warning"], true, "due within two working days");
        // After the due date the supervisor sees it overdue; nothing was ever published.
        set_now(&app, "2026-03-12T02:00:00Z");
        let item = wait_for(&app, "overdue", &n);
        assert_eq!(item["overdue"], true);
        assert!(app.store.records(Some(&format!("publication/{n}")), -1, 10).unwrap().is_empty());
        assert_eq!(app.get(&format!("/public/decisions/{n}"), None).status, 404);
        assert!(!text(&app.get("/api/v1/public/decisions.jsonl", None)).contains("7654321"));
    }
}

#[test]
fn pub7_an_inspection_result_is_published_among_the_inspection_results() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        // A second node on the same store: its index follows the records whoever wrote them.
        let node2 = zhifa_web::AppState::new(app.store.clone(), zhifa_app::log::LogConfig::ephemeral("zhifa.test/log"));
        let (current, cursor) = zhifa_app::publications::rebuild_index(&node2).unwrap();
        assert_eq!(current, 0);
        let n = open(&app, &c.head, "SCJG-JC-001", None);
        ok(&app, step(&app, &n, &c.head, json!({"action": "assign_task", "records": ["task_record"]})));
        let video = av(&app, &n, 4);
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a3,
                json!({"action": "inspect", "officers": ["A3", "A1"], "records": ["inspection_record"], "evidence": [video]}),
            ),
        );
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a3,
                json!({"action": "conclude", "records": ["conclusion"], "text": "冷藏柜温度不达标，已责令当场整改"}),
            ),
        );
        // PUB-4: an inspection result is "other": 20 working days.
        let item = wait_for(&app, "published", &n);
        assert_eq!(item["kind"], "inspection");
        assert_eq!(item["due"], app.get("/api/v1/deadline?from=2026-03-02&days=20", None).body["date"]);
        wait_listed(&app, &n, true);
        let page = text(&app.get("/public/inspections", None));
        assert!(page.contains(&format!("/public/decisions/{n}")), "{page}");
        let hits = text(&app.get("/public/inspections?q=%E5%86%B7%E8%97%8F%E6%9F%9C", None));
        assert!(hits.contains(&format!("/public/decisions/{n}")) && hits.contains("<mark>"), "{hits}");
        let detail = text(&app.get(&format!("/public/decisions/{n}"), None));
        assert!(detail.contains("行政检查") && detail.contains("冷藏柜温度不达标"), "{detail}");
        let q = zhifa_search::Query::text("冷藏柜");
        assert_eq!(node2.search.search(&q).unwrap().total, 0);
        let cursor = zhifa_app::publications::follow(&node2, cursor).unwrap();
        assert_eq!(node2.search.search(&q).unwrap().total, 1, "the other node's index followed");
        ok(
            &app,
            post(
                &app,
                &format!("/api/v1/publications/{n}/withdraw"),
                &c.head,
                &json!({"reason": "检查结论被撤销", "ground": "revoked"}),
            ),
        );
        zhifa_app::publications::follow(&node2, cursor).unwrap();
        assert_eq!(node2.search.search(&q).unwrap().total, 0, "and the withdrawal");
    }
}

/// The links the publication use cases answer (`verify_url`) are the portal's own paths,
/// encoded as the pages encode them, whatever a case number holds.
#[test]
fn verify_urls_are_encoded_as_the_portal_encodes_them() {
    for id in ["130123-2026-0001", "正市监罚〔2026〕1号", "a b/c?d#e%f", "-._~"] {
        assert_eq!(
            zhifa_app::publications::decision_url(id),
            format!("/public/decisions/{}", zhifa_web::html::enc(id))
        );
    }
}
