//! Bearer-token and session authentication and role checks (SEC-1, SEC-2): the HTTP side
//! (headers, CSRF); resolving a token or a session is `zhifa_app::accounts::login`.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use zhifa_app::accounts::login::{self, SessionState};
use zhifa_domain::account::Account;

use zhifa_domain::account::Role;

use crate::AppState;
use crate::error::ApiError;

/// Who may call a route (SEC-2: deny by default; every non-public route names its roles).
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anyone (PUB-1 data, health, metrics, the log).
    Public,
    /// An authenticated account holding one of these roles.
    Roles(&'static [Role]),
}

/// The authenticated account, if any, in the request's extensions.
#[derive(Clone, Debug)]
pub struct Caller(pub Option<Account>);

impl Caller {
    pub fn actor(&self) -> zhifa_store::Actor {
        zhifa_store::Actor(match &self.0 {
            Some(a) => format!("account:{}", a.login),
            None => "anonymous".into(),
        })
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        Ok(parts.extensions.get::<Caller>().cloned().unwrap_or(Caller(None)))
    }
}

/// Route layer: resolves the caller — a bearer token (integrations) or a session cookie
/// (people, SEC-1) — and enforces the route's [`Access`]. A bad token is refused even on
/// public routes, so a client learns its token is wrong. A cookie session must carry its
/// CSRF token in `X-CSRF-Token` on every state-changing request to a protected route; an
/// idle or too old session is ended (and that is recorded).
pub async fn authorise(State((state, access)): State<(AppState, Access)>, mut req: Request, next: Next) -> Response {
    let protected = matches!(access, Access::Roles(_));
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().get(axum::http::header::AUTHORIZATION).cloned();
    let cookie = crate::cookies::cookie_session(req.headers());
    let csrf = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    if bearer.is_none() && cookie.is_none() {
        // Anonymous: nothing to look up, so no trip to the store on the public hot path.
        if protected {
            return ApiError::Unauthenticated.into_response();
        }
        req.extensions_mut().insert(Caller(None));
        return next.run(req).await;
    }
    let app = state.app.clone();
    let resolved = tokio::task::spawn_blocking(move || -> Result<Option<Account>, ApiError> {
        if let Some(h) = bearer {
            let Some(token) = h.to_str().ok().and_then(|s| s.strip_prefix("Bearer ")).map(str::trim) else {
                return Err(ApiError::Unauthenticated);
            };
            return Ok(Some(login::token_account(&app, token)?));
        }
        let Some(id) = cookie else { return Ok(None) };
        let (session_csrf, login) = match login::session(&app, &id)? {
            SessionState::Live { csrf, login } => (csrf, login),
            SessionState::Unknown if !protected => return Ok(None),
            SessionState::Unknown => {
                return Err(ApiError::Unauthorized(zhifa_domain::Violation::new("SEC-1", "会话已失效，请重新登录")));
            }
            SessionState::Ended { idle } => {
                let why = if idle {
                    format!("会话闲置超过 {} 秒已结束，请重新登录", app.sessions.idle_secs)
                } else {
                    "会话已达到最长时限，请重新登录".to_string()
                };
                return Err(ApiError::Unauthorized(zhifa_domain::Violation::new("SEC-1", why)));
            }
        };
        if protected && unsafe_method && csrf.as_deref() != Some(session_csrf.as_str()) {
            return Err(ApiError::Forbidden("SEC-1: CSRF 校验失败：缺少或错误的 X-CSRF-Token".into()));
        }
        match login {
            // SEC-1: a password an administrator set is changed in the staff application
            // before the session can do anything else.
            Some(l) if l.must_change && protected => {
                Err(ApiError::Forbidden("SEC-1: 该账号的密码由管理员设置，请先在员工端修改密码".into()))
            }
            l => Ok(l.map(|l| l.account)),
        }
    })
    .await;
    let account = match resolved {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => return e.into_response(),
        Err(e) => return ApiError::Internal(e.to_string()).into_response(),
    };
    if let Access::Roles(roles) = access {
        match &account {
            None => return ApiError::Unauthenticated.into_response(),
            Some(a) if !roles.iter().any(|r| a.has(*r)) => {
                let need: Vec<&str> = roles.iter().map(|r| r.label()).collect();
                return ApiError::Forbidden(format!("此操作需要以下角色之一：{}", need.join("、"))).into_response();
            }
            Some(_) => {}
        }
    }
    req.extensions_mut().insert(Caller(account));
    next.run(req).await
}
