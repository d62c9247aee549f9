//! Bearer-token authentication and role checks (SEC-1, SEC-2).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use zhifa_domain::event::Account;

use crate::AppState;
use crate::error::ApiError;
use crate::openapi::Access;

/// SHA-256 of a token, hex: what the store keeps (tokens are 256-bit random, so a fast
/// hash is enough; the token itself is never stored).
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random API token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("zhifa_{}", hex::encode(bytes))
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

/// Route layer: resolves the bearer token (a bad token is refused even on public routes,
/// so a client learns its token is wrong) and enforces the route's [`Access`].
pub async fn authorise(State((state, access)): State<(AppState, Access)>, mut req: Request, next: Next) -> Response {
    let header = req.headers().get(axum::http::header::AUTHORIZATION).cloned();
    let account = match header {
        None => None,
        Some(h) => {
            let Some(token) = h.to_str().ok().and_then(|s| s.strip_prefix("Bearer ")).map(str::trim) else {
                return ApiError::Unauthenticated.into_response();
            };
            let digest = token_digest(token);
            let store = state.store.clone();
            match tokio::task::spawn_blocking(move || store.account_by_token(&digest)).await {
                Ok(Ok(Some(a))) => Some(a),
                Ok(Ok(None)) => return ApiError::Unauthenticated.into_response(),
                Ok(Err(e)) => return ApiError::from(e).into_response(),
                Err(e) => return ApiError::Internal(e.to_string()).into_response(),
            }
        }
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
