//! The staff application over HTTP, without a browser (SEC-1..5): every staff route refuses
//! anonymous callers and wrong roles, login with lockout and TOTP, the idle timeout, form
//! CSRF, XSS, and the case screens' refusals.

mod common;

use common::{App, session};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_domain::testing::code;
use zhifa_store::Actor;
use zhifa_store::testing::{fixtures, sqlite};

struct Page {
    status: u16,
    location: String,
    body: String,
    cookie: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).max_idle_connections(0).build().into()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", zhifa_web::html::enc(k), zhifa_web::html::enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn call(app: &App, method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> Page {
    let url = format!("{}{path}", app.base);
    let a = agent();
    let r = match method {
        "GET" => {
            let mut q = a.get(url);
            if let Some(c) = cookie {
                q = q.header("cookie", c);
            }
            q.call()
        }
        _ => {
            let mut q = a.post(url).header("content-type", "application/x-www-form-urlencoded");
            if let Some(c) = cookie {
                q = q.header("cookie", c);
            }
            q.send(body.unwrap_or(""))
        }
    };
    let mut r = r.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("zhifa_session=") || v.starts_with("zhifa_pending="))
        .map(|v| v.split(';').next().unwrap().to_string());
    let body = r.body_mut().read_to_string().unwrap_or_default();
    Page { status, location, body, cookie }
}

fn account(app: &App, login: &str, roles: &[Role], agency: Option<u32>, staff_no: Option<&str>) {
    app.seed(vec![Event::AccountCreated {
        account: Account {
            login: login.into(),
            display_name: format!("{login} 的名字"),
            roles: roles.to_vec(),
            agency: agency.map(code),
            staff_no: staff_no.map(Into::into),
            disabled: false,
        },
    }]);
}

fn county(app: &App) {
    let mut events = fixtures::registry();
    events.extend([
        Event::OfficerRegistered { officer: fixtures::officer("A3", 1) },
        Event::CertificateIssued { certificate: fixtures::certificate("C3", "A3") },
        Event::OfficerRegistered { officer: fixtures::officer("H1", 1) },
    ]);
    app.seed(events);
    account(app, "a1", &[Role::Officer], Some(1), Some("A1"));
    account(app, "head", &[Role::AgencyHead], Some(1), Some("H1"));
    account(app, "sup", &[Role::Supervisor], None, None);
    account(app, "sys", &[Role::SystemAdmin], None, None);
    account(app, "sec", &[Role::SecurityAdmin], None, None);
    account(app, "aud", &[Role::AuditAdmin], None, None);
    account(app, "rev", &[Role::LegalReviewer], Some(1), Some("R1"));
}

fn fill(path: &str) -> String {
    path.replace("{number}", "X")
        .replace("{staff_no}", "A1")
        .replace("{code}", "SCJG-CF-001")
        .replace("{login}", "a1")
        .replace("{id}", "X")
}

#[test]
fn sec2_every_staff_route_refuses_anonymous_callers_and_wrong_roles() {
    let app = App::start(sqlite());
    county(&app);
    let routes = zhifa_web::staff::routes(&app.state);
    assert!(routes.len() >= 25, "{}", routes.len());
    let mut sessions = std::collections::HashMap::new();
    for login in ["a1", "head", "sup", "sys", "sec", "aud", "rev"] {
        sessions.insert(login, session(&app, login));
    }
    let by_role = |r: Role| match r {
        Role::Officer => "a1",
        Role::AgencyHead => "head",
        Role::Supervisor => "sup",
        Role::SystemAdmin => "sys",
        Role::SecurityAdmin => "sec",
        Role::AuditAdmin => "aud",
        Role::LegalReviewer => "rev",
    };
    let mut checked = 0;
    for r in &routes {
        let path = fill(r.path);
        let Some(roles) = r.roles else {
            let p = call(&app, r.method, &path, None, Some(""));
            assert_ne!(p.status, 303, "{} {path} is the login itself", r.method);
            continue;
        };
        // Anonymous: to the login page, never the page.
        let p = call(&app, r.method, &path, None, Some("csrf=x"));
        assert_eq!(p.status, 303, "{} {path} anonymous", r.method);
        assert!(p.location.starts_with("/staff/login"), "{} {path}: {}", r.method, p.location);
        // Every role not allowed gets the 403 page.
        for wrong in Role::ALL.iter().filter(|x| !roles.contains(x)) {
            let (cookie, csrf) = &sessions[by_role(*wrong)];
            let before = app.records();
            let p = call(&app, r.method, &path, Some(cookie), Some(&form(&[("csrf", csrf)])));
            assert_eq!(p.status, 403, "{} {path} as {wrong:?}", r.method);
            assert!(p.body.contains("无权操作") && p.body.contains("SEC-2"), "{}", p.body);
            assert_eq!(app.records(), before, "{} {path}: a refused request writes nothing", r.method);
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn sec2_navigation_shows_only_what_the_role_can_do() {
    let app = App::start(sqlite());
    county(&app);
    let (officer, _) = session(&app, "a1");
    let body = call(&app, "GET", "/staff", Some(&officer), None).body;
    assert!(body.contains("href=\"/staff/cases\""), "{body}");
    assert!(!body.contains("href=\"/staff/users\"") && !body.contains("href=\"/staff/audit\""));
    let (auditor, _) = session(&app, "aud");
    let body = call(&app, "GET", "/staff", Some(&auditor), None).body;
    assert!(body.contains("href=\"/staff/audit\""));
    assert!(!body.contains("href=\"/staff/cases\"") && !body.contains("登记案件"));
}

#[test]
fn sec1_login_form_lockout_and_logout() {
    let app = App::start(sqlite());
    county(&app);
    app.store.set_password(&Actor("test".into()), "a1", zhifa_app::accounts::hash_password("Zhifa-2026")).unwrap();
    let p = call(&app, "GET", "/staff/login?next=/staff/cases", None, None);
    assert_eq!(p.status, 200);
    assert!(p.body.contains("name=\"password\"") && p.body.contains("value=\"/staff/cases\""));
    let p = call(
        &app,
        "POST",
        "/staff/login",
        None,
        Some(&form(&[("login", "a1"), ("password", "Zhifa-2026"), ("next", "https://evil.example/")])),
    );
    assert_eq!((p.status, p.location.as_str()), (303, "/staff"), "an outside next is not followed");
    let cookie = p.cookie.unwrap();
    // SEC-5: a control character in `next` is refused with 400 before the password is
    // checked: no session cookie, no record.
    let before = app.records();
    let p = call(
        &app,
        "POST",
        "/staff/login",
        None,
        Some(&form(&[("login", "a1"), ("password", "Zhifa-2026"), ("next", "/staff\u{1}x")])),
    );
    assert_eq!((p.status, p.cookie.is_none()), (400, true), "{}", p.body);
    assert!(p.body.contains("控制字符"));
    assert_eq!(app.records(), before);
    let home = call(&app, "GET", "/staff", Some(&cookie), None);
    assert_eq!(home.status, 200);
    assert!(home.body.contains("我的工作") && home.body.contains("a1 的名字"));
    let csrf = home.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let p = call(&app, "POST", "/staff/logout", Some(&cookie), Some(&form(&[("csrf", &csrf)])));
    assert_eq!(p.status, 200);
    assert!(p.body.contains("您已安全退出"));
    assert_eq!(call(&app, "GET", "/staff", Some(&cookie), None).status, 303, "the session is gone");

    for i in 1..=5 {
        let p = call(&app, "POST", "/staff/login", None, Some(&form(&[("login", "a1"), ("password", "wrong")])));
        assert_eq!(p.status, 401, "attempt {i}");
        assert!(p.body.contains("用户名或密码错误"));
    }
    let p = call(&app, "POST", "/staff/login", None, Some(&form(&[("login", "a1"), ("password", "Zhifa-2026")])));
    assert_eq!(p.status, 401);
    assert!(p.body.contains("已锁定"), "{}", p.body);
    let kinds: Vec<String> =
        app.store.records(Some("account/a1"), -1, 100).unwrap().into_iter().map(|r| r.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "login_failed").count(), 6, "SEC-4: {kinds:?}");

    // A POST from another site is refused before anything is read.
    let a = agent();
    let r = a
        .post(format!("{}/staff/login", app.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .send(form(&[("login", "a1"), ("password", "x")]))
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[test]
fn sec1_idle_timeout_shows_its_page() {
    let app = App::start(sqlite());
    county(&app);
    let (cookie, _) = session(&app, "a1");
    assert_eq!(call(&app, "GET", "/staff", Some(&cookie), None).status, 200);
    let now = *app.clock.0.lock().unwrap();
    *app.clock.0.lock().unwrap() = now + jiff::SignedDuration::from_secs(601);
    let p = call(&app, "GET", "/staff", Some(&cookie), None);
    assert_eq!(p.status, 401);
    assert!(p.body.contains("会话已超时，请重新登录"), "{}", p.body);
    let kinds: Vec<String> =
        app.store.records(Some("account/a1"), -1, 100).unwrap().into_iter().map(|r| r.kind).collect();
    assert_eq!(kinds.last().map(String::as_str), Some("logged_out"));
}

#[test]
fn sec1_totp_required_per_role_enrolment_and_login() {
    let app = App::start(sqlite());
    county(&app);
    app.store.set_password(&Actor("test".into()), "a1", zhifa_app::accounts::hash_password("Zhifa-2026")).unwrap();
    // The security administrator requires TOTP of officers.
    let (sec, csrf) = session(&app, "sec");
    let p = call(&app, "POST", "/staff/security", Some(&sec), Some(&form(&[("csrf", &csrf), ("totp", "officer")])));
    assert_eq!((p.status, p.location.as_str()), (303, "/staff/security?saved=settings"), "{}", p.body);
    assert_eq!(app.store.security_settings().unwrap().totp_required, vec![Role::Officer]);

    let login =
        || call(&app, "POST", "/staff/login", None, Some(&form(&[("login", "a1"), ("password", "Zhifa-2026")])));
    let cookie = login().cookie.unwrap();
    let p = call(&app, "GET", "/staff/cases", Some(&cookie), None);
    assert_eq!((p.status, p.location.as_str()), (303, "/staff/totp"), "nothing before enrolling");
    let page = call(&app, "GET", "/staff/totp", Some(&cookie), None).body;
    assert!(page.contains("<svg") && !page.contains("otpauth"), "the QR is inline; the URI is not a link");
    let secret = page.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let p = call(&app, "POST", "/staff/totp", Some(&cookie), Some(&form(&[("csrf", &csrf), ("code", "000000")])));
    assert_eq!(p.status, 422);
    let now = app.store.now();
    let code = zhifa_app::accounts::totp::code_at(&secret, now);
    let p = call(&app, "POST", "/staff/totp", Some(&cookie), Some(&form(&[("csrf", &csrf), ("code", &code)])));
    assert_eq!((p.status, p.location.as_str()), (303, "/staff/account"));
    assert_eq!(call(&app, "GET", "/staff/cases", Some(&cookie), None).status, 200);

    // The next login asks for the code; a wrong one and a replayed one are refused.
    let p = login();
    assert_eq!(p.status, 200);
    assert!(p.body.contains("动态口令"));
    let pending = p.cookie.unwrap();
    assert!(pending.starts_with("zhifa_pending="));
    let p = call(&app, "POST", "/staff/login/totp", Some(&pending), Some(&form(&[("code", "123456")])));
    assert_eq!(p.status, 401);
    let p = call(&app, "POST", "/staff/login/totp", Some(&pending), Some(&form(&[("code", &code)])));
    assert_eq!(p.status, 401, "the enrolment's code cannot be replayed");
    *app.clock.0.lock().unwrap() = now + jiff::SignedDuration::from_secs(30);
    let code = zhifa_app::accounts::totp::code_at(&secret, app.store.now());
    let p = call(&app, "POST", "/staff/login/totp", Some(&pending), Some(&form(&[("code", &code)])));
    assert_eq!(p.status, 303);
    assert!(p.cookie.unwrap().starts_with("zhifa_session="));
    let kinds: Vec<String> =
        app.store.records(Some("account/a1"), -1, 100).unwrap().into_iter().map(|r| r.kind).collect();
    for k in ["totp_enrolled", "totp_rejected"] {
        assert!(kinds.iter().any(|x| x == k), "SEC-4 {k}: {kinds:?}");
    }
    let secret_in_records =
        app.store.records(None, -1, 1000).unwrap().iter().any(|r| r.body.to_string().contains(&secret));
    assert!(!secret_in_records, "the TOTP secret is never in a record");

    // The JSON login asks for the second factor too: no way around it.
    let api_login = |body: serde_json::Value| {
        let mut r = agent().post(format!("{}/api/v1/session", app.base)).send(body.to_string()).unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    };
    let (status, body) = api_login(serde_json::json!({"login": "a1", "password": "Zhifa-2026"}));
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("动态口令"), "{body}");
    *app.clock.0.lock().unwrap() = app.store.now() + jiff::SignedDuration::from_secs(30);
    let code = zhifa_app::accounts::totp::code_at(&secret, app.store.now());
    let (status, body) = api_login(serde_json::json!({"login": "a1", "password": "Zhifa-2026", "totp": code}));
    assert_eq!(status, 200, "{body}");
}

const XSS: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

#[test]
fn sec5_csrf_and_xss_through_the_case_form() {
    let app = App::start(sqlite());
    county(&app);
    let (cookie, csrf) = session(&app, "a1");
    let fields = |csrf: &str| {
        form(&[
            ("csrf", csrf),
            ("item", "SCJG-CF-001"),
            ("party_kind", "organisation"),
            ("party_name", XSS),
            ("summary", "销售过期食品"),
        ])
    };
    let before = app.records();
    for bad in ["", "wrong-token"] {
        let p = call(&app, "POST", "/staff/cases", Some(&cookie), Some(&fields(bad)));
        assert_eq!(p.status, 403, "csrf={bad:?}");
        assert!(p.body.contains("CSRF"));
        assert_eq!(app.records(), before, "a refused form writes nothing");
    }
    let p = call(&app, "POST", "/staff/cases", Some(&cookie), Some(&fields(&csrf)));
    assert_eq!(p.status, 303, "{}", p.body);
    let case = p.location.clone();
    for path in [case.as_str(), "/staff/cases"] {
        let body = call(&app, "GET", path, Some(&cookie), None).body;
        assert!(!body.contains("<script>alert") && !body.contains("<img src=x"), "{path}: {body}");
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path} shows it as text");
    }
}

#[test]
fn case_page_shows_next_actions_refusals_and_keeps_input_on_refusal() {
    let app = App::start(sqlite());
    county(&app);
    let (officer, csrf) = session(&app, "a1");
    let p = call(
        &app,
        "POST",
        "/staff/cases",
        Some(&officer),
        Some(&form(&[
            ("csrf", &csrf),
            ("item", "SCJG-CF-001"),
            ("party_name", "某某食品店"),
            ("summary", "销售过期食品"),
        ])),
    );
    let case = p.location.clone();
    let page = call(&app, "GET", &case, Some(&officer), None).body;
    assert!(page.contains("登记案件线索"), "the next action");
    // The head's act, tried by the officer: refused with the rule, input kept.
    let steps = format!("{case}/steps");
    let p = call(
        &app,
        "POST",
        &steps,
        Some(&officer),
        Some(&form(&[("csrf", &csrf), ("action", "file"), ("text", "我写的记录内容"), ("records", "filing_approval")])),
    );
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("未能提交"), "{}", p.body);
    // A malformed time: refused (SEC-5), the form re-rendered with what was typed.
    let p = call(
        &app,
        "POST",
        &steps,
        Some(&officer),
        Some(&form(&[
            ("csrf", &csrf),
            ("action", "register_lead"),
            ("officers", "A1"),
            ("text", "我写的记录内容"),
            ("occurred_at", "昨天"),
        ])),
    );
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("我写的记录内容") && p.body.contains("SEC-5"), "input kept, rule shown");
    // The lead, properly.
    let p = call(
        &app,
        "POST",
        &steps,
        Some(&officer),
        Some(&form(&[
            ("csrf", &csrf),
            ("action", "register_lead"),
            ("officers", "A1"),
            ("text", "群众举报"),
            ("records", "lead_record"),
            ("place", "正定县中山路 1 号"),
        ])),
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let page = call(&app, "GET", &case, Some(&officer), None).body;
    assert!(page.contains("群众举报") && page.contains("正定县中山路 1 号"));
    assert!(page.contains("立案核查期限"), "the running limit");
    // The head files it.
    let (head, hcsrf) = session(&app, "head");
    let p = call(
        &app,
        "POST",
        &steps,
        Some(&head),
        Some(&form(&[("csrf", &hcsrf), ("action", "file"), ("text", "同意立案"), ("records", "filing_approval")])),
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let page = call(&app, "GET", &case, Some(&officer), None).body;
    assert!(page.contains("调查取证"), "the stage");
    assert!(page.contains("办案期限"));
}

#[test]
fn sec3_administrators_create_accounts_and_the_domain_refuses_two_admin_roles() {
    for app in common::apps() {
        county(&app);
        let (sys, csrf) = session(&app, "sys");
        let p = call(
            &app,
            "POST",
            "/staff/users",
            Some(&sys),
            Some(&form(&[
                ("csrf", &csrf),
                ("login", "both"),
                ("display_name", "兼任"),
                ("roles", "system_admin"),
                ("roles", "audit_admin"),
                ("password", "Zhifa-2026"),
            ])),
        );
        assert_eq!(p.status, 422);
        assert!(p.body.contains("SEC-3") && p.body.contains("不得由同一账号兼任"), "{}", p.body);
        assert!(app.store.account("both").unwrap().is_none());
        let p = call(
            &app,
            "POST",
            "/staff/users",
            Some(&sys),
            Some(&form(&[
                ("csrf", &csrf),
                ("login", "newbie"),
                ("display_name", "新人"),
                ("roles", "officer"),
                ("agency", code(1).as_str()),
                ("password", "Zhifa-2026"),
            ])),
        );
        assert_eq!(p.status, 303, "{}", p.body);
        assert!(app.store.credential("newbie").unwrap().is_some());
        let (aud, _) = session(&app, "aud");
        let p = call(&app, "GET", "/staff/audit?kind=account_created", Some(&aud), None);
        assert!(p.body.contains("account/newbie"), "SEC-4 audit search");
    }
}

/// The login's records' kinds, oldest first.
fn kinds(app: &App, login: &str) -> Vec<String> {
    app.store.records(Some(&format!("account/{login}")), -1, 500).unwrap().into_iter().map(|r| r.kind).collect()
}

#[test]
fn sec2_sec3_the_system_administrator_changes_and_disables_accounts() {
    for app in common::apps() {
        county(&app);
        app.store.set_password(&Actor("test".into()), "a1", zhifa_app::accounts::hash_password("Zhifa-2026")).unwrap();
        let (sys, csrf) = session(&app, "sys");
        let (a1, _) = session(&app, "a1");
        let token = common::token_for(&app.store, "a1", &[]);
        let page = call(&app, "GET", "/staff/users", Some(&sys), None);
        assert!(page.body.contains("href=\"/staff/users/a1\""), "the list links each account");
        let page = call(&app, "GET", "/staff/users/a1", Some(&sys), None);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("修改账号") && page.body.contains("a1 的名字"), "{}", page.body);
        assert_eq!(call(&app, "GET", "/staff/users/nobody", Some(&sys), None).status, 404);

        let agency = code(1).to_string();
        let change = |login: &str, roles: &[&str], disabled: bool, reason: &str| {
            let mut f = vec![("csrf", csrf.as_str()), ("display_name", "a1 的名字"), ("reason", reason)];
            f.extend(roles.iter().map(|r| ("roles", *r)));
            if login == "a1" {
                f.extend([("agency", agency.as_str()), ("staff_no", "A1")]);
            }
            if disabled {
                f.push(("disabled", "1"));
            }
            call(&app, "POST", &format!("/staff/users/{login}"), Some(&sys), Some(&form(&f)))
        };
        // Refusals change nothing: two administrator roles (SEC-3), no reason, a staff entry
        // of another agency (SEC-2), the administrator disabling itself.
        let before = app.records();
        let p = change("a1", &["system_admin", "audit_admin"], false, "调整岗位");
        assert_eq!(p.status, 422);
        assert!(p.body.contains("SEC-3") && p.body.contains("不得由同一账号兼任"), "{}", p.body);
        assert!(p.body.contains("value=\"调整岗位\""), "what was typed is kept");
        assert_eq!(change("a1", &["officer"], false, "").status, 422, "a reason is required");
        let p = change("sys", &["system_admin"], true, "离职");
        assert_eq!(p.status, 422);
        assert!(p.body.contains("不能停用自己的账号"), "{}", p.body);
        assert_eq!(change("nobody", &["officer"], false, "调整").status, 404);
        assert_eq!(app.records(), before, "nothing was written");

        // New roles take effect on the next request of a live session.
        assert_eq!(call(&app, "GET", "/staff/reviews", Some(&a1), None).status, 403);
        let p = change("a1", &["officer", "legal_reviewer"], false, "兼任法制审核人员");
        assert_eq!((p.status, p.location.as_str()), (303, "/staff/users/a1?saved=account"), "{}", p.body);
        assert_eq!(app.store.account("a1").unwrap().unwrap().roles, vec![Role::Officer, Role::LegalReviewer]);
        assert_eq!(call(&app, "GET", "/staff/reviews", Some(&a1), None).status, 200);
        assert_eq!(app.get("/api/v1/cases", Some(&token)).status, 200);

        // Disabled: the session and the API token end at once, and the login is refused.
        let p = change("a1", &["officer", "legal_reviewer"], true, "调离执法岗位");
        assert_eq!(p.status, 303, "{}", p.body);
        assert_eq!(call(&app, "GET", "/staff", Some(&a1), None).status, 303, "the session ended");
        assert_eq!(app.get("/api/v1/cases", Some(&token)).status, 401, "the token was revoked");
        let login =
            || call(&app, "POST", "/staff/login", None, Some(&form(&[("login", "a1"), ("password", "Zhifa-2026")])));
        let p = login();
        assert_eq!(p.status, 401);
        assert!(p.body.contains("已停用"), "{}", p.body);
        let p = call(&app, "POST", "/staff/login", None, Some(&form(&[("login", "a1"), ("password", "wrong")])));
        assert!(!p.body.contains("已停用"), "a wrong password learns nothing about the account");
        // Enabled again, with a new password set by the administrator.
        assert_eq!(change("a1", &["officer"], false, "恢复执法岗位").status, 303);
        let reset = |pw: &str| {
            call(
                &app,
                "POST",
                "/staff/users/a1/password",
                Some(&sys),
                Some(&form(&[("csrf", &csrf), ("password", pw)])),
            )
        };
        assert_eq!(reset("short").status, 422, "the password policy holds (SEC-1)");
        let p = reset("Neu-Start-2026");
        assert_eq!(p.status, 303, "{}", p.body);
        // SEC-1: the password an administrator set is changed before anything else, and
        // the JSON login does not get around it.
        let mut r = agent()
            .post(format!("{}/api/v1/session", app.base))
            .send(serde_json::json!({"login": "a1", "password": "Neu-Start-2026"}).to_string())
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        assert!(r.body_mut().read_to_string().unwrap().contains("修改密码"));
        let p =
            call(&app, "POST", "/staff/login", None, Some(&form(&[("login", "a1"), ("password", "Neu-Start-2026")])));
        assert_eq!(p.status, 303, "{}", p.body);
        let cookie = p.cookie.unwrap();
        let p = call(&app, "GET", "/staff/cases", Some(&cookie), None);
        assert_eq!((p.status, p.location.as_str()), (303, "/staff/account"));
        let page = call(&app, "GET", "/staff/account", Some(&cookie), None).body;
        assert!(page.contains("须先修改密码"), "{page}");
        let own = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let p = call(
            &app,
            "POST",
            "/staff/account/password",
            Some(&cookie),
            Some(&form(&[
                ("csrf", &own),
                ("current", "Neu-Start-2026"),
                ("new", "Mein-Eigenes-2026"),
                ("again", "Mein-Eigenes-2026"),
            ])),
        );
        assert!(p.body.contains("密码已修改"), "{}", p.body);
        assert_eq!(call(&app, "GET", "/staff/cases", Some(&cookie), None).status, 200);
        assert_eq!(app.get("/api/v1/cases", Some(&token)).status, 401, "a revoked token stays revoked");
        let changes: Vec<_> = app
            .store
            .records(Some("account/a1"), -1, 500)
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == "account_changed")
            .map(|r| (r.actor, r.body["reason"].as_str().unwrap_or_default().to_string()))
            .collect();
        assert_eq!(changes.len(), 3, "SEC-4 {changes:?}");
        assert_eq!(changes[1], ("account:sys".to_string(), "调离执法岗位".to_string()));
    }
}

#[test]
fn sec1_the_security_administrator_resets_a_lost_second_factor() {
    for app in common::apps() {
        county(&app);
        app.store.begin_totp("a1", "JBSWY3DPEHPK3PXP").unwrap();
        app.store.confirm_totp("a1", "JBSWY3DPEHPK3PXP", 1).unwrap();
        let (a1, _) = session(&app, "a1");
        let (sec, csrf) = session(&app, "sec");
        let page = call(&app, "GET", "/staff/security", Some(&sec), None).body;
        assert!(page.contains("已绑定动态口令的账号") && page.contains("name=\"login\" value=\"a1\""), "{page}");
        let reset = |login: &str, reason: &str| {
            call(
                &app,
                "POST",
                "/staff/security/totp-reset",
                Some(&sec),
                Some(&form(&[("csrf", &csrf), ("login", login), ("reason", reason)])),
            )
        };
        let before = app.records();
        assert_eq!(reset("a1", "").status, 422, "a reason is required");
        let p = reset("head", "手机丢失");
        assert_eq!(p.status, 422);
        assert!(p.body.contains("未绑定动态口令"), "{}", p.body);
        assert_eq!(app.records(), before, "nothing was written");
        let p = reset("a1", "手机丢失");
        assert_eq!((p.status, p.location.as_str()), (303, "/staff/security?saved=totp#totp-reset"), "{}", p.body);
        assert!(app.store.totp_secret("a1").unwrap().is_none());
        assert_eq!(call(&app, "GET", "/staff", Some(&a1), None).status, 303, "its sessions ended");
        let last = app.store.records(Some("account/a1"), -1, 500).unwrap().pop().unwrap();
        assert_eq!((last.kind.as_str(), last.actor.as_str()), ("totp_reset", "account:sec"));
        assert_eq!(last.body["reason"], "手机丢失");
        assert!(kinds(&app, "a1").contains(&"totp_enrolled".to_string()));
    }
}

#[test]
fn registry_screens_render_for_their_readers() {
    let app = App::start(sqlite());
    county(&app);
    let (sup, csrf) = session(&app, "sup");
    for path in [
        "/staff/agencies",
        "/staff/officers",
        "/staff/officers/A1",
        "/staff/items",
        "/staff/items/SCJG-CF-001",
        "/staff/calendar",
        "/staff/import",
        "/staff/deadlines",
        "/staff/cases",
    ] {
        let p = call(&app, "GET", path, Some(&sup), None);
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        assert!(!p.body.contains("style="), "{path}: CSP forbids inline styles");
    }
    // A certificate suspended through the form, and the refusal of suspending it again.
    let suspend = || {
        let f =
            [("csrf", csrf.as_str()), ("staff_no", "A1"), ("op", "suspend"), ("on", "2026-03-01"), ("reason", "调查")];
        call(&app, "POST", "/staff/certificates/C1/status", Some(&sup), Some(&form(&f)))
    };
    let p = suspend();
    assert_eq!(p.status, 303, "{}", p.body);
    let p = suspend();
    assert_eq!(p.status, 422);
    assert!(p.body.contains("STAFF-2"));
    // An import with a bad row names it and writes nothing.
    let before = app.records();
    let p = call(
        &app,
        "POST",
        "/staff/import",
        Some(&sup),
        Some(&form(&[("csrf", &csrf), ("sheet", "training"), ("csv", "人员编号,年度,学时\nNOBODY,2025,40\n")])),
    );
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("导入被拒绝"));
    assert_eq!(app.records(), before);
}

/// A JSON API call with a cookie session and its CSRF token.
fn api(app: &App, login: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let (cookie, csrf) = session(app, login);
    let mut r = agent()
        .post(format!("{}{path}", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .send(body.to_string())
        .unwrap();
    let status = r.status().as_u16();
    let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(status, 200, "{path}: {v}");
    v
}

#[test]
fn rev6_the_review_queue_and_the_publication_screens() {
    let app = App::start(sqlite());
    county(&app);
    let opened = api(
        &app,
        "a1",
        "/api/v1/cases",
        serde_json::json!({"item": "SCJG-CF-001", "party": {"kind": "organisation", "name": "某某食品有限公司"}, "summary": "销售过期食品"}),
    );
    let n = opened["body"]["case"]["number"].as_str().unwrap().to_string();
    let steps = format!("/api/v1/cases/{n}/steps");
    api(&app, "a1", &steps, serde_json::json!({"action": "register_lead", "records": ["lead_record"]}));
    api(&app, "head", &steps, serde_json::json!({"action": "file", "records": ["filing_approval"]}));
    let draft = serde_json::json!({"penalties": [{"kind": "warning"}], "facts": "事实", "basis": "《中华人民共和国食品安全法》第一百二十四条", "statement": "本人负责"});
    api(
        &app,
        "a1",
        &steps,
        serde_json::json!({"action": "submit_review", "records": ["investigation_report"], "draft": draft}),
    );
    api(&app, "head", &steps, serde_json::json!({"action": "assign_reviewer", "reviewer": "R1"}));
    let (rev, _) = session(&app, "rev");
    let p = call(&app, "GET", "/staff/reviews", Some(&rev), None);
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains(&n) && p.body.contains("第 1 轮") && p.body.contains("R1"), "{}", p.body);
    // The case page shows the round and its frozen draft (REV-5).
    let p = call(&app, "GET", &format!("/staff/cases/{n}"), Some(&rev), None);
    assert!(
        p.body.contains("id=\"review\"") && p.body.contains("第 1 轮") && p.body.contains("本人负责"),
        "{}",
        p.body
    );
    // An officer has no review queue (SEC-2).
    let (a1, _) = session(&app, "a1");
    assert_eq!(call(&app, "GET", "/staff/reviews", Some(&a1), None).status, 403);
    let (sup, _) = session(&app, "sup");
    for state in ["due", "overdue", "published", "withdrawn", "expired"] {
        let p = call(&app, "GET", &format!("/staff/publications?state={state}"), Some(&sup), None);
        assert_eq!(p.status, 200, "{state}: {}", p.body);
    }
    let p = call(&app, "GET", "/staff/publications?state=nope", Some(&sup), None);
    assert!((400..500).contains(&p.status) && p.body.contains("无效"), "{}: {}", p.status, p.body);
}
