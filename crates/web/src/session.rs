//! SEC-1 login for people, the HTTP side: the session cookie and the JSON login (the
//! checks are `zhifa_app::accounts::login`). Every attempt and logout is a record (SEC-4).
//!
//! `POST /api/v1/session` logs in and sets the `zhifa_session` cookie (HttpOnly, Secure,
//! SameSite=Strict); `GET` says who is logged in and gives the CSRF token that every
//! state-changing request made with the cookie must carry in `X-CSRF-Token`; `DELETE`
//! logs out. API integrations keep using bearer tokens, which need no CSRF token.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use zhifa_app::accounts::login::{self as use_case, LoginInput, WhoAmI};
use zhifa_domain::Violation;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, call};

use crate::cookies::{COOKIE, cookie_session};

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

pub async fn login(State(s): State<AppState>, JsonBody(input): JsonBody<LoginInput>) -> ApiResult<Response> {
    let app = s.app.clone();
    let (id, who) = call(move || use_case::login(&app, input)).await?;
    let mut resp = axum::Json(who).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie(&id, s.sessions.absolute_secs));
    Ok(resp)
}

pub async fn whoami(State(s): State<AppState>, c: Caller, headers: HeaderMap) -> ApiResult<axum::Json<WhoAmI>> {
    let account = c.0.ok_or(ApiError::Unauthenticated)?;
    let (app, id) = (s.app.clone(), cookie_session(&headers));
    Ok(axum::Json(call(move || use_case::whoami(&app, &account, id.as_deref())).await?))
}

pub async fn logout(State(s): State<AppState>, c: Caller, headers: HeaderMap) -> ApiResult<Response> {
    let account = c.0.ok_or(ApiError::Unauthenticated)?;
    let id = cookie_session(&headers)
        .ok_or_else(|| ApiError::BadRequest(Violation::new("SEC-1", "没有可注销的会话（使用令牌访问时无需注销）")))?;
    let app = s.app.clone();
    call(move || use_case::logout(&app, &account, &id)).await?;
    let mut resp = axum::Json(serde_json::json!({"logged_out": true})).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::cookie_value;

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
