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
use zhifa_domain::Violation;
use zhifa_domain::event::Role;

use crate::AppState;
use crate::auth::{Caller, token_digest};
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
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty()).then(|| v.to_string())
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub login: String,
    pub password: String,
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

pub async fn login(State(s): State<AppState>, JsonBody(input): JsonBody<LoginInput>) -> ApiResult<Response> {
    let state = s.clone();
    let (id, who) = blocking(move || {
        let store = &state.store;
        let policy = &state.sessions;
        let now = store.now();
        let login = input.login.trim().to_string();
        let cred = store.credential(&login)?;
        let account = store.account(&login)?;
        let fail = |reason: &str, message: String| -> ApiResult<(String, WhoAmI)> {
            let lock_until = now + jiff::SignedDuration::from_secs(policy.lockout_secs);
            store.record_login_failure(&login, reason, policy.max_failures, lock_until)?;
            Err(ApiError::Unauthorized(Violation::new("SEC-1", message)))
        };
        let (Some(cred), Some(account)) = (cred, account) else {
            let _ = verify_password(decoy(), &input.password);
            return fail("未知账号或未设置密码", BAD_LOGIN.into());
        };
        if let Some(until) = cred.locked_until.filter(|u| *u > now) {
            let local = until.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)));
            return fail("账号已锁定", format!("连续登录失败次数过多，账号已锁定至 {}", local.strftime("%H:%M")));
        }
        if !verify_password(&cred.phc, &input.password) {
            let left = policy.max_failures.saturating_sub(cred.failed + 1);
            let msg = if left == 0 {
                format!("{BAD_LOGIN}；账号已锁定 {} 分钟", policy.lockout_secs / 60)
            } else {
                format!("{BAD_LOGIN}；再失败 {left} 次账号将被锁定")
            };
            return fail("密码错误", msg);
        }
        let id = hex::encode(rand::random::<[u8; 32]>());
        let csrf = hex::encode(rand::random::<[u8; 16]>());
        store.open_session(&login, &token_digest(&id), &csrf)?;
        Ok((id, WhoAmI { login, display_name: account.display_name, roles: account.roles, csrf: Some(csrf) }))
    })
    .await?;
    let cookie =
        format!("{COOKIE}={id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}", s.sessions.absolute_secs);
    let mut resp = axum::Json(who).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ascii cookie"));
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
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("zhifa_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}
