//! SEC-1 for people in a browser: the login form, the TOTP step, logout, the account page
//! (password change), and TOTP enrolment. Every attempt, enrolment and rejected code is a
//! record (SEC-4).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::accounts::login::{self as use_case, CodeStep, Enrolment, PENDING_SECS, PasswordStep};
use zhifa_app::accounts::totp;
use zhifa_domain::Violation;

use super::{Fields, Me, csrf_field, page, page_error, see_other, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::call;
use crate::html::{self, Crumb};
use crate::session;

const PENDING_COOKIE: &str = "zhifa_pending";
const ISSUER: &str = "Zhifa 行政执法";

/// Only our own pages are followed after login.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with("/staff") && !n.starts_with("//") && !n.contains("://") && !n.contains('\\'))
        .unwrap_or_else(|| "/staff".into())
}

/// SEC-5: a `next` with a control character cannot become a `Location`; it is refused
/// ([`bad_next`], 400) before anything is checked or written (no session, no record).
fn checked_next(f: &Fields) -> Option<String> {
    let next = f.get("next");
    if next.as_deref().is_some_and(|n| n.chars().any(char::is_control)) {
        return None;
    }
    Some(safe_next(next))
}

fn bad_next() -> Response {
    let doc = login_doc(Some("跳转地址含有控制字符，请从登录页重新登录"), "", "/staff");
    html::respond(StatusCode::BAD_REQUEST, doc)
}

fn login_doc(message: Option<&str>, login: &str, next: &str) -> Markup {
    let main = html! {
        @if let Some(m) = message {
            div.errors role="alert" { p { (m) } }
        }
        form.stack method="post" action="/staff/login" {
            input type="hidden" name="next" value=(next);
            label { "用户名" input name="login" autocomplete="username" required value=(login); }
            label { "密码" input type="password" name="password" autocomplete="current-password" required; }
            button type="submit" { "登录" }
        }
        p.muted { "连续多次登录失败将锁定账号；会话闲置超时后须重新登录（SEC-1）。" }
    };
    super::doc(None, "登录", Vec::new(), "", main)
}

pub async fn form(q: crate::extract::QueryMap) -> Response {
    html::respond(StatusCode::OK, login_doc(None, "", &safe_next(q.str("next"))))
}

pub async fn submit(State(s): State<AppState>, f: Fields) -> Response {
    let login = f.text("login");
    let password = f.raw("password");
    let Some(next) = checked_next(&f) else { return bad_next() };
    let (app, login_) = (s.app.clone(), login.clone());
    let r = call(move || use_case::login_password(&app, &login_, &password)).await;
    match r {
        Ok(PasswordStep::Refused(m)) => html::respond(StatusCode::UNAUTHORIZED, login_doc(Some(&m), &login, &next)),
        Ok(PasswordStep::Session(id)) => {
            let mut r = see_other(&next);
            r.headers_mut().insert(header::SET_COOKIE, session::session_cookie(&id, s.sessions.absolute_secs));
            r
        }
        Ok(PasswordStep::NeedsCode(id)) => {
            let mut r = html::respond(StatusCode::OK, code_doc(None, &next));
            let c = cookie::Cookie::build((PENDING_COOKIE, id))
                .path("/staff/login")
                .http_only(true)
                .secure(true)
                .same_site(cookie::SameSite::Strict)
                .max_age(cookie::time::Duration::seconds(PENDING_SECS));
            r.headers_mut().insert(header::SET_COOKIE, session::set_cookie(c));
            r
        }
        Err(e) => page_error(None, e),
    }
}

fn code_doc(message: Option<&str>, next: &str) -> Markup {
    let main = html! {
        @if let Some(m) = message {
            div.errors role="alert" { p { (m) } }
        }
        p { "本账号已启用动态口令。请打开身份验证器应用，输入当前显示的 6 位数字。" }
        form.stack method="post" action="/staff/login/totp" {
            input type="hidden" name="next" value=(next);
            label { "动态口令" input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required; }
            button type="submit" { "验证并登录" }
        }
        p { a href="/staff/login" { "返回重新输入密码" } }
    };
    super::doc(None, "动态口令验证", Vec::new(), "", main)
}

pub async fn submit_code(State(s): State<AppState>, headers: HeaderMap, f: Fields) -> Response {
    let Some(next) = checked_next(&f) else { return bad_next() };
    let Some(pending) = crate::cookies::cookie_value(&headers, PENDING_COOKIE) else {
        return html::respond(StatusCode::UNAUTHORIZED, login_doc(Some("请先输入用户名和密码"), "", &next));
    };
    let code = f.text("code");
    let app = s.app.clone();
    let r = call(move || use_case::login_code(&app, &pending, &code)).await;
    match r {
        Ok(CodeStep::Expired) => {
            html::respond(StatusCode::UNAUTHORIZED, login_doc(Some("验证已超时，请重新登录"), "", &next))
        }
        Ok(CodeStep::Wrong(m)) => html::respond(StatusCode::UNAUTHORIZED, code_doc(Some(&m), &next)),
        Ok(CodeStep::Session(id)) => {
            let mut r = see_other(&next);
            r.headers_mut().insert(header::SET_COOKIE, session::session_cookie(&id, s.sessions.absolute_secs));
            let done =
                cookie::Cookie::build((PENDING_COOKIE, "")).path("/staff/login").max_age(cookie::time::Duration::ZERO);
            r.headers_mut().append(header::SET_COOKIE, session::set_cookie(done));
            r
        }
        Err(e) => page_error(None, e),
    }
}

pub async fn logout(State(s): State<AppState>, me: Me, headers: HeaderMap) -> Response {
    if let Some(id) = crate::cookies::cookie_session(&headers) {
        let (app, account) = (s.app.clone(), me.account.clone());
        if let Err(e) = call(move || use_case::logout(&app, &account, &id)).await {
            return page_error(Some(&me), e);
        }
    }
    let main = html! {
        p.lead { "您已安全退出。" }
        p { a href="/staff/login" { "重新登录" } }
    };
    let mut r = html::respond(StatusCode::OK, super::doc(None, "已退出", Vec::new(), "", main));
    r.headers_mut().insert(header::SET_COOKIE, session::session_cookie("", 0));
    r
}

fn account_main(me: &Me, s: &AppState, totp_on: bool, errors: &[Violation], done: bool) -> Markup {
    let p = &s.passwords;
    html! {
        h2 { "修改密码" }
        @if done { p.ok role="status" { "密码已修改。" } }
        @else if me.must_change { p.warn role="alert" { "您的密码由管理员设置，须先修改密码才能继续使用（SEC-1）。" } }
        (violations(errors))
        form.stack method="post" action="/staff/account/password" {
            (csrf_field(me))
            label { "当前密码" input type="password" name="current" autocomplete="current-password" required; }
            label { "新密码" input type="password" name="new" autocomplete="new-password" required; }
            label { "再次输入新密码" input type="password" name="again" autocomplete="new-password" required; }
            p.muted { "密码至少 " (p.min_len) " 个字符，包含小写字母、大写字母、数字、其他字符中的至少 " (p.min_classes) " 类（SEC-1）。" }
            button type="submit" { "修改密码" }
        }
        h2 { "动态口令（第二因素）" }
        @if totp_on {
            p { span.tag.ok { "已启用" } " 登录时需输入身份验证器上的 6 位动态口令。" }
        } @else {
            p { span.tag.warn { "未启用" } " " a href="/staff/totp" { "绑定身份验证器" } }
        }
    }
}

pub async fn account(State(s): State<AppState>, me: Me) -> Response {
    let (app, account) = (s.app.clone(), me.account.clone());
    match call(move || use_case::totp_enabled(&app, &account)).await {
        Ok(on) => page(
            &me,
            "我的账号",
            vec![Crumb::here("我的账号")],
            "/staff/account",
            account_main(&me, &s, on, &[], false),
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn change_password(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let (current, new, again) = (f.raw("current"), f.raw("new"), f.raw("again"));
    let (app, account) = (s.app.clone(), me.account.clone());
    let r = call(move || use_case::change_password(&app, &account, &current, &new, &again)).await;
    let (on, errors, done) = match r {
        Ok(on) => (on, Vec::new(), true),
        Err(e) => match super::refusals(e) {
            Ok(vs) => (false, vs, false),
            Err(e) => return page_error(Some(&me), e),
        },
    };
    let mut resp = page(
        &me,
        "我的账号",
        vec![Crumb::here("我的账号")],
        "/staff/account",
        account_main(&me, &s, on, &errors, done),
    );
    if !errors.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

fn enrol_main(me: &Me, secret: &str, errors: &[Violation], required: bool) -> Result<Markup, ApiError> {
    let uri = totp::otpauth_uri(ISSUER, &me.account.login, secret);
    let svg = zhifa_render::qr_svg(&uri, 200).map_err(|e| ApiError::Internal(format!("QR: {e}")))?;
    // Inline in the page, without the XML declaration: the secret never travels in a URL.
    let qr = svg.find("<svg").map(|i| svg[i..].to_string()).unwrap_or(svg);
    Ok(html! {
        @if required {
            p.lead role="status" { "安全管理员要求您的角色使用动态口令登录。请先绑定身份验证器，然后才能使用本平台。" }
        }
        ol.steps {
            li { "在手机上打开身份验证器应用（支持 TOTP 的任一应用），扫描下方二维码，或手动输入密钥。" }
            li { "输入应用上显示的 6 位动态口令，完成绑定。" }
        }
        figure.qr-box {
            (html::trusted(qr))
            figcaption { "密钥：" code #totp-secret { (secret) } }
        }
        p.muted { "算法 SHA-1，30 秒，6 位（RFC 6238）。密钥只保存在账号凭据中，不写入任何记录。" }
        (violations(errors))
        form.stack method="post" action="/staff/totp" {
            (csrf_field(me))
            label { "动态口令" input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required; }
            button type="submit" { "确认绑定" }
        }
    })
}

pub async fn totp_page(State(s): State<AppState>, me: Me) -> Response {
    let (app, account) = (s.app.clone(), me.account.clone());
    let r = call(move || use_case::totp_enrolment(&app, &account)).await;
    let crumbs = vec![Crumb::link("我的账号", "/staff/account"), Crumb::here("动态口令")];
    match r {
        Ok(Enrolment::Done) => page(
            &me,
            "动态口令",
            crumbs,
            "/staff/account",
            html! { p { span.tag.ok { "已启用" } " 您的账号已绑定身份验证器。如需更换，请联系安全管理员。" } },
        ),
        Ok(Enrolment::Pending { secret, required }) => match enrol_main(&me, &secret, &[], required) {
            Ok(m) => page(&me, "绑定动态口令", crumbs, "/staff/account", m),
            Err(e) => page_error(Some(&me), e),
        },
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn totp_confirm(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let code = f.text("code");
    let (app, account) = (s.app.clone(), me.account.clone());
    let r = call(move || use_case::confirm_totp(&app, &account, &code)).await;
    match r {
        Ok(Enrolment::Done) => see_other("/staff/account"),
        Ok(Enrolment::Pending { secret, required }) => {
            let v = [Violation::new("SEC-1", "动态口令错误：请核对手机时间并输入当前显示的口令")];
            match enrol_main(&me, &secret, &v, required) {
                Ok(m) => {
                    let crumbs = vec![Crumb::link("我的账号", "/staff/account"), Crumb::here("动态口令")];
                    let mut r = page(&me, "绑定动态口令", crumbs, "/staff/account", m);
                    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    r
                }
                Err(e) => page_error(Some(&me), e),
            }
        }
        Err(e) => page_error(Some(&me), e),
    }
}
