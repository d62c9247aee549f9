//! Black-box tests of the registry API over HTTP, on every backend.

mod common;

use common::{App, apps, token_for};
use serde_json::{Value, json};
use zhifa_domain::account::Role;
use zhifa_store::testing::fixtures;

fn v<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

/// Asserts a refusal: the status, the rule, and that nothing was written.
fn refused(app: &App, before: i64, r: &common::Resp, status: u16, rule: &str) {
    assert_eq!(r.status, status, "{}: {:?}", app.backend, r.body);
    assert_eq!(r.rule(), rule, "{}: {:?}", app.backend, r.body);
    assert!(!r.message().is_empty());
    assert_eq!(app.records(), before, "{}: a refused request wrote something", app.backend);
}

#[test]
fn public_reads_need_no_login_and_every_write_does() {
    for app in apps() {
        app.seed(fixtures::registry());
        let r = app.get("/api/v1/agencies", None);
        assert_eq!((r.status, r.body["total"].as_i64()), (200, Some(2)), "{}", app.backend);
        let r = app.get("/api/v1/items?kind=penalty", None);
        assert_eq!(r.body["items"][0]["code"], "SCJG-CF-001");
        let r = app.get("/api/v1/officers/A1", None);
        assert_eq!(r.status, 200);
        assert!(r.body.get("private").is_none(), "STAFF-1: the public sees only public fields");
        assert_eq!(r.body["certificates"][0]["standing"]["state"], "valid");
        let r = app.get("/api/v1/officers/A1", Some(&app.admin));
        assert_eq!(r.body["private"]["employment"], "established");

        let before = app.records();
        let body = v(&fixtures::agency(3)).to_string();
        let r = app.send("POST", "/api/v1/agencies", None, body.as_bytes());
        refused(&app, before, &r, 401, "SEC-1");
        let r = app.send("POST", "/api/v1/agencies", Some("zhifa_not_a_token"), body.as_bytes());
        refused(&app, before, &r, 401, "SEC-1");
        let officer = token_for(&app.store, "officer1", &[Role::Officer]);
        let before = app.records();
        let r = app.send("POST", "/api/v1/agencies", Some(&officer), body.as_bytes());
        refused(&app, before, &r, 403, "SEC-2");
        let r = app.send("POST", "/api/v1/agencies", Some(&app.admin), body.as_bytes());
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["kind"], "agency_registered");
        assert_eq!(app.records(), before + 1);
    }
}

#[test]
fn every_protected_route_refuses_anonymous_callers() {
    // SEC-2: deny by default. Walks the router's own route table.
    let app = App::start(zhifa_store::testing::sqlite());
    let (_, routes) = zhifa_web::app(app.state.clone());
    let mut protected = 0;
    for r in &routes {
        let path =
            r.path.replace("{code}", "x").replace("{staff_no}", "x").replace("{number}", "x").replace("{year}", "2026");
        let resp = match r.method.as_str() {
            "GET" => app.get(&path, None),
            m => app.send(m, &path, None, b"{}"),
        };
        match r.access {
            zhifa_web::Access::Roles(_) => {
                protected += 1;
                assert_eq!(resp.status, 401, "{} {path} must refuse anonymous callers", r.method);
            }
            zhifa_web::Access::Public => assert_ne!(resp.status, 401, "{} {path} is public", r.method),
        }
    }
    assert!(protected >= 20, "{protected}");
}

#[test]
fn bad_input_gets_a_precise_error_and_changes_nothing() {
    for app in apps() {
        app.seed(fixtures::registry());
        let before = app.records();

        let r = app.send("POST", "/api/v1/agencies", Some(&app.admin), b"{not json");
        refused(&app, before, &r, 400, "SEC-5");

        let mut a = v(&fixtures::agency(3));
        let code = a["code"].as_str().unwrap().to_string();
        let wrong = format!("{}{}", &code[..17], if code.ends_with('0') { '1' } else { '0' });
        a["code"] = json!(wrong);
        let r = app.post("/api/v1/agencies", &a);
        refused(&app, before, &r, 422, "SUBJ-1");
        assert!(r.message().contains("校验位"), "{}", r.message());
        assert_eq!(r.body["error"]["field"], "code");

        let mut c = v(&fixtures::certificate("C9", "A1"));
        c["expires_on"] = json!("2024-01-01");
        let r = app.post("/api/v1/certificates", &c);
        refused(&app, before, &r, 422, "STAFF-2");
        assert_eq!(r.body["error"]["field"], "expires_on");

        let r = app.post("/api/v1/certificates", &v(&fixtures::certificate("C9", "NOBODY")));
        refused(&app, before, &r, 422, "STAFF-2");
        assert!(r.message().contains("NOBODY"));

        let mut item = fixtures::item("SCJG-CF-002", 1);
        if let Some(b) = item.benchmark.as_mut() {
            b.grades[0].penalties[0] = zhifa_domain::item::Penalty::Fine { min_fen: 900_000, max_fen: 100_000 };
        }
        let r = app.post("/api/v1/items", &v(&item));
        refused(&app, before, &r, 422, "ITEM-4");
        assert_eq!(r.message(), "罚款下限 9000 元大于上限 1000 元");

        let mut item = fixtures::item("SCJG-CF-002", 1);
        if let Some(b) = item.benchmark.as_mut() {
            b.grades[0].cites.article = 125;
        }
        let r = app.post("/api/v1/items", &v(&item));
        refused(&app, before, &r, 422, "ITEM-2");

        let r = app.post("/api/v1/certificates/NOPE/suspend", &json!({"on": "2026-03-01", "reason": "x"}));
        refused(&app, before, &r, 422, "STAFF-2");
        let r = app.post("/api/v1/certificates/C1/suspend", &json!({"on": "2026-03-01"}));
        refused(&app, before, &r, 400, "SEC-5");
        let r = app.post("/api/v1/certificates/C1/suspend", &json!({"on": "2026-03-01", "reason": "x", "extra": 1}));
        refused(&app, before, &r, 400, "SEC-5");

        let mut o = v(&fixtures::officer("A9", 1));
        o["name"] = json!("<script>alert(1)</script>\u{0007}");
        let r = app.post("/api/v1/officers", &o);
        refused(&app, before, &r, 422, "SEC-5");

        let r = app.put("/api/v1/officers/A1", &v(&fixtures::officer("A2", 1)));
        refused(&app, before, &r, 400, "SEC-5");

        for path in [
            "/api/v1/agencies/91350100M000100Y43",
            "/api/v1/officers/nobody",
            "/api/v1/items/NOPE",
            "/api/v1/certificates/NOPE",
            "/api/v1/nothing-here",
        ] {
            let r = app.get(path, None);
            assert_eq!(r.status, 404, "{path}");
            assert!(r.message().contains("不存在"), "{path}: {:?}", r.body);
        }
        let r = app.get("/api/v1/agencies?limit=0", None);
        assert_eq!((r.status, r.rule()), (400, "SEC-5"));
        let r = app.get("/api/v1/agencies?domain=taxes", None);
        assert_eq!((r.status, r.rule()), (400, "SEC-5"));
        assert_eq!(app.records(), before);
    }
}

#[test]
fn the_certificate_lifecycle_and_the_public_check() {
    for app in apps() {
        app.seed(fixtures::registry());
        let r = app.get("/api/v1/certificates/C1", None);
        assert_eq!((r.status, r.body["holder_name"].as_str()), (200, Some("张三")));
        assert!(r.body.get("status").is_none(), "the public sees the standing, not internal reasons");

        assert_eq!(
            app.post("/api/v1/certificates/C1/suspend", &json!({"on": "2026-03-02", "reason": "调查"})).status,
            200
        );
        assert_eq!(app.get("/api/v1/certificates/C1", None).body["standing"]["state"], "suspended");
        let before = app.records();
        let r = app.post("/api/v1/certificates/C1/suspend", &json!({"on": "2026-03-03", "reason": "again"}));
        refused(&app, before, &r, 422, "STAFF-2");
        assert_eq!(app.post("/api/v1/certificates/C1/reinstate", &json!({"on": "2026-03-04"})).status, 200);
        assert_eq!(app.post("/api/v1/certificates/C1/check", &json!({"on": "2026-03-05", "passed": true})).status, 200);
        let r = app.post("/api/v1/certificates/C1/revoke", &json!({"on": "2026-03-06", "reason": "retired"}));
        assert_eq!(r.status, 200);
        let r = app.get("/api/v1/certificates/C1", Some(&app.admin));
        assert_eq!(r.body["status"]["state"], "revoked");
        assert_eq!(r.body["status"]["reason"], "retired");
        let r = app.get("/api/v1/records?subject=certificate/C1", Some(&app.admin));
        let kinds: Vec<&str> = r.body.as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "certificate_issued",
                "certificate_suspended",
                "certificate_reinstated",
                "certificate_checked",
                "certificate_revoked"
            ],
            "REC-8: a subject's records together and in order"
        );
    }
}

#[test]
fn eligibility_says_which_rule_says_no() {
    for app in apps() {
        app.seed(fixtures::registry());
        let q = "/api/v1/officers/A1/eligibility?item=SCJG-CF-001&date=2026-03-01";
        let r = app.get(q, Some(&app.admin));
        assert_eq!(r.body["allowed"], true, "{}: {:?}", app.backend, r.body);
        assert_eq!(r.body["certificate"], "C1");
        let r = app.get("/api/v1/officers/A2/eligibility?item=SCJG-CF-001&date=2026-03-01", Some(&app.admin));
        assert_eq!(r.body["allowed"], false);
        let rules: Vec<&str> =
            r.body["refusals"].as_array().unwrap().iter().map(|x| x["rule"].as_str().unwrap()).collect();
        assert!(rules.contains(&"STAFF-2") && rules.contains(&"STAFF-3"), "{rules:?}");
        assert_eq!(app.get(q, None).status, 401);
        assert_eq!(app.get("/api/v1/officers/A1/eligibility?item=NOPE", Some(&app.admin)).status, 404);
    }
}

#[test]
fn reviewers_and_the_ratio() {
    for app in apps() {
        app.seed(fixtures::registry());
        let before = app.records();
        let body = json!({"agency": fixtures::code(1), "staff_no": "A1", "on": "2026-03-01"});
        let r = app.post("/api/v1/reviewers", &body);
        refused(&app, before, &r, 422, "STAFF-5");
        let r = app.get("/api/v1/reviewer-ratios", Some(&app.admin));
        let a2 = r.body.as_array().unwrap().iter().find(|x| x["agency"] == json!(fixtures::code(2))).unwrap();
        assert_eq!(a2["meets_rule"], false);
        assert_eq!(app.get("/api/v1/reviewer-ratios", None).status, 401);
    }
}

#[test]
fn items_are_versioned_with_their_history_public() {
    for app in apps() {
        app.seed(fixtures::registry());
        let mut v2 = fixtures::item("SCJG-CF-001", 1);
        v2.version = 2;
        v2.change = zhifa_domain::item::ChangeKind::Cancel;
        v2.effective_from = jiff::civil::date(2025, 1, 1);
        v2.note = "上位法修改".into();
        assert_eq!(app.post("/api/v1/items", &v(&v2)).status, 200);
        let r = app.get("/api/v1/items/SCJG-CF-001", None);
        assert_eq!(r.body["versions"].as_array().unwrap().len(), 2);
        assert_eq!(r.body["current"]["change"], "cancel");
        assert_eq!(app.get("/api/v1/items?in_force=true", None).body["total"], 0);
        let r = app.get("/api/v1/item-changes", None);
        assert_eq!(r.body["items"][0]["note"], "上位法修改");
        let before = app.records();
        let mut v3 = v2.clone();
        v3.version = 3;
        v3.change = zhifa_domain::item::ChangeKind::Amend;
        let r = app.post("/api/v1/items", &v(&v3));
        refused(&app, before, &r, 422, "ITEM-3");
    }
}

#[test]
fn cal1_calendar_and_deadlines() {
    for app in apps() {
        // National Day 2026: 5 working days from 30 September.
        let r = app.get("/api/v1/deadline?from=2026-09-30&days=5", None);
        assert_eq!(r.body["date"], "2026-10-13", "{:?}", r.body);
        let r = app.get("/api/v1/deadline?from=2026-12-28&days=5", None);
        assert_eq!(r.body["provisional"], true);
        // SEC-5: a start outside any calendar is refused, not answered with a wrong date.
        for from in ["9999-12-31", "0001-01-01"] {
            let r = app.get(&format!("/api/v1/deadline?from={from}&days=5"), None);
            assert_eq!((r.status, r.body["error"]["field"].as_str()), (400, Some("from")), "{from}: {:?}", r.body);
        }
        let r = app.get("/api/v1/calendar/2027", None);
        assert_eq!(r.body["loaded"], false);
        let before = app.records();
        let bad = r#"{"year": 2027, "papers": [], "days": [{"name": "x", "date": "2027-01-05", "isOffDay": false}]}"#;
        let r = app.send("POST", "/api/v1/calendar", Some(&app.admin), bad.as_bytes());
        refused(&app, before, &r, 422, "CAL-1");
        let good =
            r#"{"year": 2027, "papers": ["通知"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#;
        assert_eq!(app.send("POST", "/api/v1/calendar", Some(&app.admin), good.as_bytes()).status, 200);
        let r = app.get("/api/v1/deadline?from=2026-12-28&days=5", None);
        assert_eq!((r.body["date"].as_str(), r.body["provisional"].as_bool()), (Some("2027-01-05"), Some(false)));
        assert_eq!(app.get("/api/v1/calendar/2027", None).body["loaded"], true);
    }
}

#[test]
fn import_refuses_a_bad_file_whole_and_names_every_bad_row() {
    for app in apps() {
        app.seed(fixtures::registry());
        let before = app.records();
        let csv = "人员编号,姓名,执法主体代码,职务,用工性质,警号,法律职业资格,资格考试通过日期\n\
                   B1,李四,{A},科员,在编,,否,2025-01-01\n\
                   B2,,{A},科员,在编,,否,\n\
                   B3,王五,91350100M000100Y44,科员,在编,,否,\n\
                   B4,赵六,{A},科员,外包,,也许,2025-13-01\n"
            .replace("{A}", fixtures::code(1).as_str());
        let r = app.send("POST", "/api/v1/import?format=csv&sheet=officers", Some(&app.admin), csv.as_bytes());
        refused(&app, before, &r, 422, "IMPORT");
        let rows: Vec<(u64, String)> = r.body["error"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["row"].as_u64().unwrap(), x["column"].as_str().unwrap_or("").to_string()))
            .collect();
        assert_eq!(
            rows,
            [
                (3, "姓名".into()),
                (4, "执法主体代码".into()),
                (5, "用工性质".into()),
                (5, "法律职业资格".into()),
                (5, "资格考试通过日期".into())
            ],
            "{}: {:?}",
            app.backend,
            r.body
        );
        // A row that parses but breaks a rule in the store is named too.
        let csv = "人员编号,姓名,执法主体代码,职务,用工性质,警号,法律职业资格,资格考试通过日期\n\
                   B1,李四,{A},科员,在编,,否,\nA1,张三改,{B},科员,在编,,否,\nB5,钱七,{C},科员,在编,,否,\n"
            .replace("{A}", fixtures::code(1).as_str())
            .replace("{B}", fixtures::code(1).as_str())
            .replace("{C}", fixtures::code(7).as_str());
        let r = app.send("POST", "/api/v1/import?format=csv&sheet=officers", Some(&app.admin), csv.as_bytes());
        refused(&app, before, &r, 422, "IMPORT");
        let rows = r.body["error"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["row"], 4);
        assert!(rows[0]["message"].as_str().unwrap().contains("STAFF-1"));
    }
}

#[test]
fn export_import_export_is_identical() {
    for app in apps() {
        app.seed(fixtures::registry());
        let xlsx = app.get("/api/v1/export", Some(&app.admin));
        assert_eq!(xlsx.status, 200);
        let csv = app.get("/api/v1/export?format=csv&sheet=certificates", Some(&app.admin));
        assert!(csv.content_type.starts_with("text/csv"));
        assert!(String::from_utf8_lossy(&csv.bytes).contains("暂扣"));

        let empty = App::start(zhifa_store::testing::sqlite());
        let r = empty.send("POST", "/api/v1/import?format=xlsx", Some(&empty.admin), &xlsx.bytes);
        assert_eq!(r.status, 200, "{}: {:?}", app.backend, r.body);
        let again = empty.get("/api/v1/export", Some(&empty.admin));
        assert_eq!(again.bytes, xlsx.bytes, "{}: export → import → export", app.backend);
        // Importing the same workbook again changes nothing.
        let n = empty.records();
        let r = empty.send("POST", "/api/v1/import?format=xlsx", Some(&empty.admin), &xlsx.bytes);
        assert_eq!((r.status, r.body["records"].as_u64()), (200, Some(0)));
        assert_eq!(empty.records(), n);
    }
}

#[test]
fn openapi_documents_every_route_and_health_and_metrics_answer() {
    let app = App::start(zhifa_store::testing::sqlite());
    let doc = app.get("/api/openapi.json", None).body;
    assert_eq!(doc["openapi"], "3.0.3");
    let (_, routes) = zhifa_web::app(app.state.clone());
    for r in &routes {
        let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
        assert!(op.is_object(), "{} {} missing from OpenAPI", r.method, r.path);
    }
    assert!(doc["components"]["schemas"]["Agency"].is_object());
    let h = app.get("/healthz", None);
    assert_eq!(h.body["status"], "ok");
    let m = app.get("/metrics", None);
    let text = String::from_utf8(m.bytes).unwrap();
    assert!(text.contains("zhifa_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("zhifa_records "), "{text}");
}

#[test]
fn sec4_the_audit_administrator_searches_every_record() {
    for app in apps() {
        app.seed(fixtures::registry());
        let auditor = token_for(&app.store, "auditor", &[Role::AuditAdmin]);
        let supervisor = token_for(&app.store, "sup", &[Role::Supervisor]);
        let r = app.request(
            "POST",
            "/api/v1/session",
            &[],
            Some(json!({"login": "nobody", "password": "x"}).to_string().as_bytes()),
        );
        assert_eq!(r.status, 401);
        let r = app.get("/api/v1/audit?kind=login_failed", Some(&auditor));
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["total"], 1);
        assert_eq!(r.body["items"][0]["subject"], "account/nobody");
        let r = app.get("/api/v1/audit?subject=officer/&limit=2", Some(&auditor));
        assert_eq!((r.body["total"].as_i64(), r.body["items"].as_array().unwrap().len()), (Some(6), 2));
        let r = app.get("/api/v1/audit?actor=test&from=2026-03-01&to=2026-03-01", Some(&auditor));
        assert!(r.body["total"].as_i64().unwrap() > 10, "{:?}", r.body);
        let r = app.get("/api/v1/audit?from=2026-03-02", Some(&auditor));
        assert_eq!(r.body["total"], 0, "the platform clock stands at 2026-03-01");
        assert_eq!(
            app.get("/api/v1/audit", Some(&supervisor)).status,
            403,
            "SEC-3: audit is the audit administrator's"
        );
        assert_eq!(app.get("/api/v1/audit?from=yesterday", Some(&auditor)).status, 400);
    }
}
