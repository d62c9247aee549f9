//! SEC-1 login for people: Argon2id passwords, lockout, browser sessions with idle and
//! absolute timeouts, and CSRF tokens. Every attempt and logout is a record (SEC-4).
//!
//! `POST /api/v1/session` logs in and sets the `zhifa_session` cookie (HttpOnly, Secure,
//! SameSite=Strict); `GET` says who is logged in and gives the CSRF token that every
//! state-changing request made with the cookie must carry in `X-CSRF-Token`; `DELETE`
//! logs out. API integrations keep using bearer tokens, which need no CSRF token.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zhifa_app::accounts::token_digest;
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, blocking};

pub const COOKIE: &str = "zhifa_session";

/// Hashes a password with Argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 with its defaults").to_string()
}

pub(crate) fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the login is unknown, so both cases take as long.
pub(crate) fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&hex::encode(rand::random::<[u8; 16]>())))
}

/// The session id in the request's cookie, if any.
pub fn cookie_session(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
}

/// The value of the request's cookie `name`, unless it is missing or empty.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v).filter_map(Result::ok))
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_string())
}

/// A cookie as a `Set-Cookie` header value.
pub(crate) fn set_cookie<'c>(c: impl Into<cookie::Cookie<'c>>) -> HeaderValue {
    HeaderValue::from_str(&c.into().to_string()).expect("ascii cookie")
}

/// The session cookie (HttpOnly, Secure, SameSite=Strict, the whole site) for `max_age`
/// seconds; `session_cookie("", 0)` clears it.
pub(crate) fn session_cookie(id: &str, max_age: i64) -> HeaderValue {
    set_cookie(
        cookie::Cookie::build((COOKIE, id))
            .path("/")
            .http_only(true)
            .secure(true)
            .same_site(cookie::SameSite::Strict)
            .max_age(cookie::time::Duration::seconds(max_age)),
    )
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub login: String,
    pub password: String,
    /// The current TOTP code, for an account with a second factor (SEC-1).
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct WhoAmI {
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Send it back in `X-CSRF-Token` with every state-changing request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf: Option<String>,
}

pub(crate) const BAD_LOGIN: &str = "用户名或密码错误";

/// SEC-1: checks a password against the lockout. `Ok(Err(message))` is a refusal for the
/// person; it is recorded and counts toward the lockout (SEC-4). Used by the JSON login and
/// the staff login form alike.
pub(crate) fn check_password(
    state: &AppState,
    login: &str,
    password: &str,
) -> Result<Result<Account, String>, ApiError> {
    let store = &state.store;
    let policy = &state.sessions;
    let now = store.now();
    let fail = |reason: &str, message: String| -> Result<Result<Account, String>, ApiError> {
        let lock_until = now + jiff::SignedDuration::from_secs(policy.lockout_secs);
        store.record_login_failure(login, reason, policy.max_failures, lock_until)?;
        Ok(Err(message))
    };
    let (Some(cred), Some(account)) = (store.credential(login)?, store.account(login)?) else {
        let _ = verify_password(decoy(), password);
        return fail("未知账号或未设置密码", BAD_LOGIN.into());
    };
    if let Some(until) = cred.locked_until.filter(|u| *u > now) {
        let local = until.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)));
        return fail("账号已锁定", format!("连续登录失败次数过多，账号已锁定至 {}", local.strftime("%Y-%m-%d %H:%M")));
    }
    if !verify_password(&cred.phc, password) {
        let left = policy.max_failures.saturating_sub(cred.failed + 1);
        let msg = if left == 0 {
            format!("{BAD_LOGIN}；账号已锁定 {} 分钟", policy.lockout_secs / 60)
        } else {
            format!("{BAD_LOGIN}；再失败 {left} 次账号将被锁定")
        };
        return fail("密码错误", msg);
    }
    // SEC-2: a disabled account cannot log in; only the right password learns why.
    if account.disabled {
        return fail("账号已停用", "该账号已停用，请联系系统管理员（SEC-2）".into());
    }
    Ok(Ok(account))
}

/// Whether the account has confirmed a TOTP second factor.
pub(crate) fn has_totp(state: &AppState, login: &str) -> Result<bool, ApiError> {
    Ok(state.store.totp_secret(login)?.is_some_and(|t| t.confirmed))
}

/// SEC-1: checks a TOTP code of an account with a second factor; each time step is used
/// once. `Ok(Err(message))` is a refusal for the person, recorded and counted toward the
/// lockout (SEC-4).
pub(crate) fn check_totp(state: &AppState, login: &str, code: &str) -> Result<Result<(), String>, ApiError> {
    let store = &state.store;
    let now = store.now();
    let Some(secret) = store.totp_secret(login)?.filter(|t| t.confirmed) else {
        return Ok(Err("该账号未绑定动态口令".into()));
    };
    if store.credential(login)?.and_then(|c| c.locked_until).is_some_and(|u| u > now) {
        return Ok(Err("连续验证失败次数过多，账号已锁定".into()));
    }
    let lock = Some((state.sessions.max_failures, now + jiff::SignedDuration::from_secs(state.sessions.lockout_secs)));
    let Some(step) = crate::staff::totp::verify(&secret.secret, code, now) else {
        store.record_totp_failure(login, "登录时动态口令错误", lock)?;
        return Ok(Err("动态口令错误，请核对身份验证器上的当前口令".into()));
    };
    if !store.use_totp_step(login, step)? {
        store.record_totp_failure(login, "动态口令重复使用", lock)?;
        return Ok(Err("该动态口令已使用过，请等待下一个口令".into()));
    }
    Ok(Ok(()))
}

/// Opens a browser session: (session id, CSRF token).
pub(crate) fn open_session(state: &AppState, login: &str) -> Result<(String, String), ApiError> {
    let id = hex::encode(rand::random::<[u8; 32]>());
    let csrf = hex::encode(rand::random::<[u8; 16]>());
    state.store.open_session(login, &token_digest(&id), &csrf)?;
    Ok((id, csrf))
}

/// A browser session, as its idle and absolute limits leave it (SEC-1).
pub(crate) enum SessionState {
    Unknown,
    /// Ended now (closed, the logout recorded): `idle` or too old.
    Ended {
        idle: bool,
    },
    Live(zhifa_store::Session),
}

/// Looks a session up by its id's digest and applies the limits; a live session's last
/// activity is refreshed at most every 15 s (or half the idle limit, if shorter).
pub(crate) fn live_session(state: &AppState, digest: &str) -> Result<SessionState, ApiError> {
    let store = &state.store;
    let Some(session) = store.session(digest)? else { return Ok(SessionState::Unknown) };
    let now = store.now();
    let idle = (now - session.last_seen).get_seconds() > state.sessions.idle_secs;
    let old = (now - session.created_at).get_seconds() > state.sessions.absolute_secs;
    if idle || old {
        store.close_session(digest, &session.login)?;
        return Ok(SessionState::Ended { idle });
    }
    if (now - session.last_seen).get_seconds() >= 15.min(state.sessions.idle_secs / 2) {
        store.touch_session(digest)?;
    }
    Ok(SessionState::Live(session))
}

pub async fn login(State(s): State<AppState>, JsonBody(input): JsonBody<LoginInput>) -> ApiResult<Response> {
    let state = s.clone();
    let (id, who) = blocking(move || {
        let login = input.login.trim().to_string();
        let refused = |m: String| ApiError::Unauthorized(Violation::new("SEC-1", m));
        let account = check_password(&state, &login, &input.password)?.map_err(refused)?;
        // SEC-1: the second factor, here as on the staff login form.
        if has_totp(&state, &login)? {
            let code = input.totp.as_deref().unwrap_or_default();
            if code.is_empty() {
                return Err(refused("该账号须同时提供动态口令（totp）".into()));
            }
            check_totp(&state, &login, code)?.map_err(refused)?;
        } else if state.store.security_settings()?.requires_totp(&account.roles) {
            return Err(refused("该角色须使用动态口令：请先在员工端登录并绑定".into()));
        }
        // SEC-1: a password an administrator set is changed in the staff application first.
        if state.store.credential(&login)?.is_some_and(|c| c.must_change) {
            return Err(refused("该账号的密码由管理员设置：请先在员工端登录并修改密码".into()));
        }
        let (id, csrf) = open_session(&state, &login)?;
        Ok((id, WhoAmI { login, display_name: account.display_name, roles: account.roles, csrf: Some(csrf) }))
    })
    .await?;
    let mut resp = axum::Json(who).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie(&id, s.sessions.absolute_secs));
    Ok(resp)
}

pub async fn whoami(State(s): State<AppState>, c: Caller, headers: HeaderMap) -> ApiResult<axum::Json<WhoAmI>> {
    let account = c.0.ok_or(ApiError::Unauthenticated)?;
    let csrf = match cookie_session(&headers) {
        Some(id) => {
            let store = s.store.clone();
            blocking(move || Ok(store.session(&token_digest(&id))?.map(|s| s.csrf))).await?
        }
        None => None,
    };
    Ok(axum::Json(WhoAmI { login: account.login, display_name: account.display_name, roles: account.roles, csrf }))
}

pub async fn logout(State(s): State<AppState>, c: Caller, headers: HeaderMap) -> ApiResult<Response> {
    let account = c.0.ok_or(ApiError::Unauthenticated)?;
    let id = cookie_session(&headers)
        .ok_or_else(|| ApiError::BadRequest(Violation::new("SEC-1", "没有可注销的会话（使用令牌访问时无需注销）")))?;
    let store = s.store.clone();
    blocking(move || Ok(store.close_session(&token_digest(&id), &account.login)?)).await?;
    let mut resp = axum::Json(serde_json::json!({"logged_out": true})).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let mut h = HeaderMap::new();
        assert_eq!(cookie_session(&h), None);
        h.append(header::COOKIE, HeaderValue::from_static("theme=dark; zhifa_session="));
        assert_eq!(cookie_session(&h), None, "an empty value is no session");
        h.append(header::COOKIE, HeaderValue::from_static("a=1;zhifa_session=ab12 ; zhifa_form=f0"));
        assert_eq!(cookie_session(&h).as_deref(), Some("ab12"));
        assert_eq!(cookie_value(&h, "zhifa_form").as_deref(), Some("f0"));
        assert_eq!(cookie_value(&h, "zhifa_pending"), None);
    }

    #[test]
    fn the_session_cookie_is_strict_and_http_only() {
        let set = session_cookie("ab12", 43_200);
        assert_eq!(set, "zhifa_session=ab12; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=43200");
        assert_eq!(session_cookie("", 0), "zhifa_session=; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=0");
    }
}
