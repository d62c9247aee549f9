//! The staff application (执法办案平台) under `/staff`: server-rendered pages in Simplified
//! Chinese for officers, agency heads, legal reviewers, supervisors and the three
//! administrators (SEC-1..5).
//!
//! - Every route is declared in [`routes`] with the roles that may use it (deny by
//!   default, SEC-2); the guard ([`guard`]) resolves the session cookie, ends idle or too
//!   old sessions with a "会话已超时" page, sends anonymous visitors to the login page,
//!   answers a wrong role with a 403 page, and forces TOTP enrolment where the security
//!   administrator requires it.
//! - CSRF (SEC-1): the cookie is SameSite=Strict, and every state-changing form POST must
//!   carry a hidden `csrf` field equal to the session's token (HTML forms cannot send the
//!   API's `X-CSRF-Token` header); a POST whose `Origin` is another site is refused too.
//!   The guard checks this before any handler runs, so a refused POST writes nothing.
//! - Pages only call the same use cases the JSON API uses (`zhifa_app`), so the
//!   rules, refusals and records are the same whichever door is used.

mod admin;
mod cases;
mod docs;
mod home;
mod login;
mod publications;
mod queues;
mod registry;
mod steps;
mod tables;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, on};
use maud::{Markup, html};
use zhifa_app::access::{
    ACCOUNT_ADMINS, ACTORS, AUDITORS, CASE_READERS, HANDLERS, HEADS, OVERSIGHT, PUBLICATION_READERS, REGISTRARS,
    REGISTRY_READERS, REVIEW_READERS, SECURITY_ADMINS, STAFF,
};
use zhifa_app::accounts::login::{self as account_login, SessionState};
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};

use crate::AppState;
use crate::error::ApiError;
use crate::html::{self, Chrome, Crumb};

/// One staff route: method, path and who may use it (`None`: the login pages).
#[derive(Debug, Clone, Copy)]
pub struct StaffRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub roles: Option<&'static [Role]>,
}

/// The navigation: (href, label, roles that see it).
const NAV: &[(&str, &str, &[Role])] = &[
    ("/staff", "我的工作", STAFF),
    ("/staff/cases", "案件", CASE_READERS),
    ("/staff/approvals", "待批事项", HEADS),
    ("/staff/deadlines", "期限预警", OVERSIGHT),
    ("/staff/reviews", "法制审核", REVIEW_READERS),
    ("/staff/publications", "公示", PUBLICATION_READERS),
    ("/staff/agencies", "执法主体", REGISTRY_READERS),
    ("/staff/officers", "执法人员", REGISTRY_READERS),
    ("/staff/items", "执法事项", REGISTRY_READERS),
    ("/staff/calendar", "工作日历", REGISTRY_READERS),
    ("/staff/import", "导入", REGISTRARS),
    ("/staff/users", "用户与角色", ACCOUNT_ADMINS),
    ("/staff/security", "安全设置", SECURITY_ADMINS),
    ("/staff/audit", "审计检索", AUDITORS),
    ("/staff/account", "我的账号", STAFF),
];

struct Table {
    state: AppState,
    router: Router<AppState>,
    routes: Vec<StaffRoute>,
}

impl Table {
    fn add<H, T>(mut self, method: Method, path: &'static str, roles: Option<&'static [Role]>, handler: H) -> Table
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("standard method");
        let route =
            on(filter, handler).route_layer(axum::middleware::from_fn_with_state((self.state.clone(), roles), guard));
        self.router = self.router.route(path, route);
        self.routes.push(StaffRoute { method: method.as_str().to_string().leak(), path, roles });
        self
    }
}

/// Every staff route with its roles (the route-enumeration test walks this).
pub fn routes(state: &AppState) -> Vec<StaffRoute> {
    table(state.clone()).routes
}

/// The staff application's router.
pub fn router(state: AppState) -> Router<AppState> {
    table(state).router
}

fn table(state: AppState) -> Table {
    use Method as M;
    let t = Table { state, router: Router::new(), routes: Vec::new() };
    t.add(M::GET, "/staff/login", None, login::form)
        .add(M::POST, "/staff/login", None, login::submit)
        .add(M::POST, "/staff/login/totp", None, login::submit_code)
        .add(M::POST, "/staff/logout", Some(STAFF), login::logout)
        .add(M::GET, "/staff/account", Some(STAFF), login::account)
        .add(M::POST, "/staff/account/password", Some(STAFF), login::change_password)
        .add(M::GET, "/staff/totp", Some(STAFF), login::totp_page)
        .add(M::POST, "/staff/totp", Some(STAFF), login::totp_confirm)
        .add(M::GET, "/staff", Some(STAFF), home::home)
        .add(M::GET, "/staff/cases", Some(CASE_READERS), cases::cases)
        .add(M::POST, "/staff/cases", Some(HANDLERS), home::open_case)
        .add(M::GET, "/staff/cases/{number}", Some(CASE_READERS), cases::case_page)
        .add(M::POST, "/staff/cases/{number}/steps", Some(ACTORS), steps::record_step)
        .add(M::POST, "/staff/cases/{number}/approvals", Some(HEADS), steps::approve)
        .add(M::POST, "/staff/cases/{number}/documents", Some(HANDLERS), docs::issue)
        .add(M::GET, "/staff/approvals", Some(HEADS), queues::approvals)
        .add(M::GET, "/staff/deadlines", Some(OVERSIGHT), queues::deadlines)
        .add(M::GET, "/staff/reviews", Some(REVIEW_READERS), queues::reviews)
        .add(M::GET, "/staff/publications", Some(PUBLICATION_READERS), publications::publications)
        .add(M::POST, "/staff/publications/{id}/withdraw", Some(OVERSIGHT), publications::withdraw)
        .add(M::GET, "/staff/agencies", Some(REGISTRY_READERS), registry::agencies)
        .add(M::GET, "/staff/officers", Some(REGISTRY_READERS), registry::officers)
        .add(M::GET, "/staff/officers/{staff_no}", Some(REGISTRY_READERS), registry::officer)
        .add(M::POST, "/staff/certificates/{number}/status", Some(REGISTRARS), registry::certificate_status)
        .add(M::GET, "/staff/items", Some(REGISTRY_READERS), registry::items)
        .add(M::GET, "/staff/items/{code}", Some(REGISTRY_READERS), registry::item)
        .add(M::GET, "/staff/calendar", Some(REGISTRY_READERS), registry::calendar)
        .add(M::POST, "/staff/calendar", Some(REGISTRARS), registry::load_calendar)
        .add(M::GET, "/staff/import", Some(REGISTRARS), registry::import_page)
        .add(M::POST, "/staff/import", Some(REGISTRARS), registry::import_csv)
        .add(M::GET, "/staff/users", Some(ACCOUNT_ADMINS), admin::users)
        .add(M::POST, "/staff/users", Some(ACCOUNT_ADMINS), admin::create_user)
        .add(M::GET, "/staff/users/{login}", Some(ACCOUNT_ADMINS), admin::account_page)
        .add(M::POST, "/staff/users/{login}", Some(ACCOUNT_ADMINS), admin::change_account)
        .add(M::POST, "/staff/users/{login}/password", Some(ACCOUNT_ADMINS), admin::reset_password)
        .add(M::GET, "/staff/security", Some(SECURITY_ADMINS), admin::security)
        .add(M::POST, "/staff/security", Some(SECURITY_ADMINS), admin::set_security)
        .add(M::POST, "/staff/security/totp-reset", Some(SECURITY_ADMINS), admin::reset_totp)
        .add(M::GET, "/staff/audit", Some(AUDITORS), admin::audit)
}

// ---------------------------------------------------------------------------------------
// the guard

/// The logged-in person, put in the request's extensions by the guard.
#[derive(Clone, Debug)]
pub struct Me {
    pub account: Account,
    pub csrf: String,
    /// SEC-1: the password was set by an administrator and must be changed first.
    pub must_change: bool,
}

impl Me {
    pub fn actor(&self) -> zhifa_store::Actor {
        zhifa_app::accounts::actor(&self.account)
    }
    pub fn has(&self, r: Role) -> bool {
        self.account.has(r)
    }
    pub fn any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.account.has(*r))
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Me {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Response> {
        parts.extensions.get::<Me>().cloned().ok_or_else(|| Redirect::to("/staff/login").into_response())
    }
}

/// A form's fields in order (repeated keys kept: multi-selects, checkboxes).
#[derive(Clone, Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn parse(bytes: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(bytes).into_owned().collect())
    }
    /// The trimmed value, `None` when missing or empty.
    pub fn get(&self, k: &str) -> Option<String> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty())
    }
    /// The value exactly as typed (passwords: spaces are characters of them).
    pub fn raw(&self, k: &str) -> String {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    pub fn text(&self, k: &str) -> String {
        self.get(k).unwrap_or_default()
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0.iter().filter(|(n, v)| n == k && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string()).collect()
    }
    pub fn has(&self, k: &str, v: &str) -> bool {
        self.0.iter().any(|(n, x)| n == k && x == v)
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Fields {
    // (the body was already read and checked by the guard)
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = <Bytes as axum::extract::FromRequest<S>>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Fields::parse(&bytes))
    }
}

/// Largest form body (the CSV import's textarea is the big one).
const FORM_LIMIT: usize = 8 << 20;

/// Whether a POST comes from our own pages. Browsers say so in `Sec-Fetch-Site`; with our
/// `Referrer-Policy: no-referrer` they send `Origin: null` on form posts, so a named
/// `Origin` is checked only when it is there.
fn same_origin(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin == "null" || origin.split_once("://").is_some_and(|(_, o)| o == host)
}

/// The route layer of every staff route (SEC-1, SEC-2).
async fn guard(
    State((state, roles)): State<(AppState, Option<&'static [Role]>)>,
    req: Request,
    next: Next,
) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD);
    if unsafe_method && !same_origin(&req) {
        return forbidden_page(None, "跨站提交被拒绝（SEC-1：请求来源与本站不一致）");
    }
    let Some(roles) = roles else { return next.run(req).await };
    let path = req.uri().path().to_string();
    let target = if req.method() == Method::GET { req.uri().to_string() } else { "/staff".into() };
    let login_again = move || Redirect::to(&html::with_query("/staff/login", &[("next", target)])).into_response();
    let Some(id) = crate::cookies::cookie_session(req.headers()) else { return login_again() };
    let app = state.app.clone();
    // (account and CSRF token, why the session ended, must change the password, must enrol TOTP)
    type Resolved = (Option<(Account, String)>, Option<String>, bool, bool);
    let resolved = crate::extract::call(move || -> zhifa_app::Result<Resolved> {
        let (csrf, login) = match account_login::session(&app, &id)? {
            SessionState::Live { csrf, login: Some(login) } => (csrf, login),
            SessionState::Live { login: None, .. } | SessionState::Unknown => return Ok((None, None, false, false)),
            SessionState::Ended { idle } => {
                let why = if idle {
                    format!(
                        "您已超过 {} 分钟没有操作，为保护执法数据，会话已结束。",
                        (app.sessions.idle_secs + 59) / 60
                    )
                } else {
                    "会话已达到最长时限。".to_string()
                };
                return Ok((None, Some(why), false, false));
            }
        };
        let must_enrol = account_login::must_enrol(&app, &login)?;
        Ok((Some((login.account, csrf)), None, login.must_change, must_enrol))
    })
    .await;
    let (account, csrf, must_change, must_enrol) = match resolved {
        Ok((Some((a, c)), _, p, t)) => (a, c, p, t),
        Ok((None, Some(why), ..)) => return timeout_page(&why),
        Ok((None, None, ..)) => return login_again(),
        Err(e) => return page_error(None, e),
    };
    let me = Me { account, csrf, must_change };
    if !roles.iter().any(|r| me.has(*r)) {
        let need: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        return forbidden_page(Some(&me), &format!("此页面仅限以下角色使用：{}（SEC-2）", need.join("、")));
    }
    // SEC-1: a password an administrator set is changed before anything else; then a role
    // that must use a second factor reaches nothing before enrolling.
    let gate: Option<(&str, &[&str])> = if must_change {
        Some(("/staff/account", &["/staff/account", "/staff/account/password", "/staff/logout"]))
    } else if must_enrol {
        Some(("/staff/totp", &["/staff/totp", "/staff/logout"]))
    } else {
        None
    };
    if let Some((to, open)) = gate
        && !open.contains(&path.as_str())
    {
        return Redirect::to(to).into_response();
    }
    let (mut parts, body) = req.into_parts();
    let req = if unsafe_method {
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => return error_page(Some(&me), StatusCode::PAYLOAD_TOO_LARGE, "提交内容过大（SEC-5）"),
        };
        let sent = Fields::parse(&bytes).get("csrf").unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), me.csrf.as_bytes()) {
            return forbidden_page(
                Some(&me),
                "表单校验失败：缺少或错误的 CSRF 令牌，未执行任何操作。请返回页面刷新后重试（SEC-1）。",
            );
        }
        parts.extensions.insert(me);
        Request::from_parts(parts, Body::from(bytes))
    } else {
        parts.extensions.insert(me);
        Request::from_parts(parts, body)
    };
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------------------
// the frame

/// The navigation for a set of roles (built once per combination of roles).
type Nav = &'static [(&'static str, &'static str)];

fn nav_for(roles: &[Role]) -> Nav {
    static CACHE: OnceLock<Mutex<HashMap<u8, Nav>>> = OnceLock::new();
    let key = Role::ALL.iter().enumerate().filter(|(_, r)| roles.contains(r)).fold(0u8, |k, (i, _)| k | 1 << i);
    let mut map = CACHE.get_or_init(Default::default).lock().expect("nav cache");
    map.entry(key).or_insert_with(|| {
        let v: Vec<(&str, &str)> =
            NAV.iter().filter(|(_, _, who)| who.iter().any(|r| roles.contains(r))).map(|(h, l, _)| (*h, *l)).collect();
        Vec::leak(v)
    })
}

fn chrome(me: Option<&Me>) -> Chrome {
    Chrome {
        site_name: "行政执法办案平台",
        home: "/staff",
        nav: me.map_or(&[], |m| nav_for(&m.account.roles)),
        footer: "本平台的每一项操作、每一次登录和调阅均形成记录并写入可验证日志（SEC-4）。",
    }
}

/// The hidden CSRF field every state-changing form carries.
pub fn csrf_field(me: &Me) -> Markup {
    html! { input type="hidden" name="csrf" value=(me.csrf); }
}

/// A staff page: the frame, who is logged in, a logout button.
pub fn page(me: &Me, title: &str, crumbs: Vec<Crumb>, current: &str, main: Markup) -> Response {
    html::respond(StatusCode::OK, doc(Some(me), title, crumbs, current, main))
}

fn doc(me: Option<&Me>, title: &str, crumbs: Vec<Crumb>, current: &str, main: Markup) -> Markup {
    let mut all = Vec::new();
    if me.is_some() && !crumbs.is_empty() {
        all.push(Crumb::link("我的工作", "/staff"));
        all.extend(crumbs);
    }
    let main = html! {
        @if let Some(me) = me {
            div.whoami {
                span { (me.account.display_name) "（" (me.account.login) "，"
                    (me.account.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")) "）" }
                form.inline method="post" action="/staff/logout" {
                    (csrf_field(me))
                    button type="submit" { "退出登录" }
                }
            }
        }
        (main)
    };
    html::document(&chrome(me), title, &all, current, main)
}

pub fn error_page(me: Option<&Me>, status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => "无权操作",
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => "请求有误",
        _ => "服务暂不可用",
    };
    let main = html! {
        p.lead.error role="alert" { (message) }
        p { a href="/staff" { "返回我的工作" } }
    };
    html::respond(status, doc(me, title, Vec::new(), "", main))
}

pub fn forbidden_page(me: Option<&Me>, message: &str) -> Response {
    error_page(me, StatusCode::FORBIDDEN, message)
}

/// SEC-1: the idle-timeout page; the cookie is cleared.
fn timeout_page(why: &str) -> Response {
    let main = html! {
        p.lead role="alert" { "会话已超时，请重新登录" }
        p { (why) }
        p { a.button href="/staff/login" { "重新登录" } }
    };
    let mut r = html::respond(StatusCode::UNAUTHORIZED, doc(None, "会话已超时", Vec::new(), "", main));
    r.headers_mut().insert(header::SET_COOKIE, crate::session::session_cookie("", 0));
    r
}

/// An error from the shared case and registry functions, as a page.
pub fn page_error(me: Option<&Me>, e: ApiError) -> Response {
    match e {
        ApiError::NotFound(what) => error_page(me, StatusCode::NOT_FOUND, &format!("{what}不存在。")),
        ApiError::Forbidden(why) => forbidden_page(me, &why),
        ApiError::Rule(v) | ApiError::BadRequest(v) | ApiError::Unauthorized(v) => {
            error_page(me, StatusCode::UNPROCESSABLE_ENTITY, &format!("{}（{}）", v.message, v.rule))
        }
        ApiError::Rules(vs) => error_page(
            me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &vs.iter().map(|v| format!("{}（{}）", v.message, v.rule)).collect::<Vec<_>>().join("；"),
        ),
        ApiError::Conflict(rule, m) => error_page(me, StatusCode::CONFLICT, &format!("{m}（{rule}）")),
        other => {
            tracing::error!(cause = ?other, "staff page failed");
            error_page(me, StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误，已记录日志。请稍后再试。")
        }
    }
}

/// The refusals an error carries, for re-rendering a form with them; `Err` for errors
/// that are not about the input.
pub fn refusals(e: ApiError) -> Result<Vec<Violation>, ApiError> {
    match e {
        ApiError::Rule(v) | ApiError::BadRequest(v) => Ok(vec![v]),
        ApiError::Rules(vs) => Ok(vs),
        ApiError::Conflict(rule, m) => Ok(vec![Violation::new(rule, m)]),
        other => Err(other),
    }
}

/// The refusals above a form, each with its rule.
pub fn violations(vs: &[Violation]) -> Markup {
    html! {
        @if !vs.is_empty() {
            div.errors role="alert" {
                p { strong { "未能提交：" } }
                ul {
                    @for v in vs {
                        li { (v.message) " " span.rule { "（" (v.rule) "）" } }
                    }
                }
            }
        }
    }
}

/// Redirect after a successful POST (303: the browser GETs the page).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A time in China Standard Time.
pub fn cst(t: jiff::Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8))).strftime("%Y-%m-%d %H:%M").to_string()
}

pub fn day(d: jiff::civil::Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}
