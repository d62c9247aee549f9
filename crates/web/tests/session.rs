//! SEC-1 login, lockout, sessions, CSRF; SEC-4 attempts on the record.

mod common;

use common::{App, apps};
use serde_json::json;
use zhifa_domain::account::Role;
use zhifa_store::Actor;

fn with_password(app: &App, login: &str, password: &str) {
    common::token_for(&app.store, login, &[Role::Supervisor]);
    app.store.set_password(&Actor("test".into()), login, zhifa_app::accounts::hash_password(password)).unwrap();
}

fn login(app: &App, login: &str, password: &str) -> common::Resp {
    app.request(
        "POST",
        "/api/v1/session",
        &[],
        Some(json!({"login": login, "password": password}).to_string().as_bytes()),
    )
}

fn kinds(app: &App, subject: &str) -> Vec<String> {
    app.store.records(Some(subject), -1, 500).unwrap().into_iter().map(|r| r.kind).collect()
}

#[test]
fn sec1_a_session_works_with_its_csrf_token_and_ends_at_logout() {
    for app in apps() {
        with_password(&app, "jdsj", "Zhifa-2026");
        let r = login(&app, "jdsj", "Zhifa-2026");
        assert_eq!(r.status, 200, "{}: {:?}", app.backend, r.body);
        let set = r.set_cookie.clone().unwrap();
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(attr), "{set}");
        }
        let cookie = set.split(';').next().unwrap().to_string();
        let csrf = r.body["csrf"].as_str().unwrap().to_string();
        let me = app.request("GET", "/api/v1/session", &[("cookie", &cookie)], None);
        assert_eq!((me.status, me.body["login"].as_str()), (200, Some("jdsj")));

        let body = serde_json::to_vec(&zhifa_store::testing::fixtures::agency(4)).unwrap();
        let before = app.records();
        let r = app.request("POST", "/api/v1/agencies", &[("cookie", &cookie)], Some(&body));
        assert_eq!((r.status, r.rule()), (403, "SEC-2"), "a cookie without its CSRF token is refused");
        assert!(r.message().contains("CSRF"));
        let r = app.request("POST", "/api/v1/agencies", &[("cookie", &cookie), ("x-csrf-token", "0000")], Some(&body));
        assert_eq!(r.status, 403);
        assert_eq!(app.records(), before);
        let r = app.request("POST", "/api/v1/agencies", &[("cookie", &cookie), ("x-csrf-token", &csrf)], Some(&body));
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["actor"], "account:jdsj");

        let r = app.request("DELETE", "/api/v1/session", &[("cookie", &cookie), ("x-csrf-token", &csrf)], None);
        assert_eq!(r.status, 200);
        assert!(r.set_cookie.unwrap().contains("Max-Age=0"));
        let r = app.request("GET", "/api/v1/session", &[("cookie", &cookie)], None);
        assert_eq!(r.status, 401);
        assert_eq!(kinds(&app, "account/jdsj")[2..], ["login_succeeded", "logged_out"], "SEC-4");
    }
}

#[test]
fn sec1_five_failures_lock_the_account_and_every_attempt_is_recorded() {
    for app in apps() {
        with_password(&app, "jdsj", "Zhifa-2026");
        for i in 1..=5 {
            let r = login(&app, "jdsj", "wrong-password");
            assert_eq!((r.status, r.rule()), (401, "SEC-1"));
            assert!(r.message().starts_with("用户名或密码错误"), "{}", r.message());
            if i == 4 {
                assert!(r.message().contains("再失败 1 次"), "{}", r.message());
            }
        }
        let r = login(&app, "jdsj", "Zhifa-2026");
        assert_eq!(r.status, 401, "{}: locked even with the right password", app.backend);
        assert!(r.message().contains("已锁定"), "{}", r.message());
        let failures = kinds(&app, "account/jdsj").iter().filter(|k| *k == "login_failed").count();
        assert_eq!(failures, 6);
        // After the lock runs out, the right password works again.
        *app.clock.0.lock().unwrap() += jiff::SignedDuration::from_secs(16 * 60);
        assert_eq!(login(&app, "jdsj", "Zhifa-2026").status, 200);
        // An unknown login is refused the same way, and recorded too.
        let r = login(&app, "nobody", "Zhifa-2026");
        assert_eq!((r.status, r.message()), (401, "用户名或密码错误"));
        assert_eq!(kinds(&app, "account/nobody"), ["login_failed"]);
    }
}

#[test]
fn sec1_an_idle_session_ends_and_says_why() {
    let app = App::start(zhifa_store::testing::sqlite());
    with_password(&app, "jdsj", "Zhifa-2026");
    let r = login(&app, "jdsj", "Zhifa-2026");
    let cookie = r.set_cookie.unwrap().split(';').next().unwrap().to_string();
    *app.clock.0.lock().unwrap() += jiff::SignedDuration::from_secs(599);
    assert_eq!(app.request("GET", "/api/v1/session", &[("cookie", &cookie)], None).status, 200);
    *app.clock.0.lock().unwrap() += jiff::SignedDuration::from_secs(601);
    let r = app.request("GET", "/api/v1/session", &[("cookie", &cookie)], None);
    assert_eq!(r.status, 401);
    assert!(r.message().contains("闲置"), "{}", r.message());
    assert_eq!(kinds(&app, "account/jdsj").last().map(String::as_str), Some("logged_out"));
}

#[test]
fn every_response_carries_the_security_headers() {
    let app = App::start(zhifa_store::testing::sqlite());
    let r = app.request("GET", "/api/v1/agencies", &[], None);
    assert_eq!(r.status, 200);
    let raw = ureq::get(format!("{}/healthz", app.base)).call().unwrap();
    let csp = raw.headers().get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(raw.headers().get("x-content-type-options").unwrap(), "nosniff");
}
