//! The one place where errors become HTTP responses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhifa_domain::Violation;
use zhifa_store::{AppendError, StoreError};

/// An API error. 5xx bodies are opaque; the cause goes to the log.
#[derive(Debug)]
pub enum ApiError {
    /// A DOMAIN rule refused the request (422).
    Rule(Violation),
    /// Several rules refused one record (a case step): all of them (422).
    Rules(Vec<Violation>),
    /// Several rules refused (an import): every bad row (422).
    Rows(Vec<serde_json::Value>),
    /// The request itself is malformed (400).
    BadRequest(Violation),
    /// The resource is not ready or in a conflicting state (409), with the rule.
    Conflict(&'static str, String),
    /// No such resource (404).
    NotFound(String),
    /// No or bad credentials (401).
    Unauthenticated,
    /// Refused login or ended session (401), with the reason.
    Unauthorized(Violation),
    /// Authenticated, but the role does not allow it (403).
    Forbidden(String),
    /// A failing store or other internal error (500).
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    /// The DOMAIN rule (or `HTTP`) that refused it.
    rule: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<&'a [serde_json::Value]>,
    /// Every rule that refused, when there are several.
    #[serde(skip_serializing_if = "Option::is_none")]
    violations: Option<&'a [Violation]>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let violations = match &self {
            ApiError::Rules(v) => Some(v.as_slice()),
            _ => None,
        };
        let (status, rule, message, field, rows) = match &self {
            ApiError::Rules(v) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                v[0].rule,
                v.iter().map(|v| format!("{}：{}", v.rule, v.message)).collect::<Vec<_>>().join("；"),
                v[0].field.as_deref(),
                None,
            ),
            ApiError::Rule(v) => {
                (StatusCode::UNPROCESSABLE_ENTITY, v.rule, v.message.clone(), v.field.as_deref(), None)
            }
            ApiError::BadRequest(v) => (StatusCode::BAD_REQUEST, v.rule, v.message.clone(), v.field.as_deref(), None),
            ApiError::Rows(rows) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "IMPORT",
                format!("导入被拒绝：{} 处错误，未写入任何数据", rows.len()),
                None,
                Some(rows.as_slice()),
            ),
            ApiError::Conflict(rule, m) => (StatusCode::CONFLICT, *rule, m.clone(), None, None),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "HTTP", format!("{what}不存在"), None, None),
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "SEC-1",
                "需要登录：请在 Authorization 头中提供有效的 Bearer 令牌".to_string(),
                None,
                None,
            ),
            ApiError::Unauthorized(v) => (StatusCode::UNAUTHORIZED, v.rule, v.message.clone(), None, None),
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, "SEC-2", why.clone(), None, None),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "HTTP", "服务器内部错误，已记录日志".to_string(), None, None)
            }
        };
        let mut resp =
            (status, axum::Json(Body { error: ErrorBody { rule, message: &message, field, rows, violations } }))
                .into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<AppendError> for ApiError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Refused(v) => ApiError::Rule(v),
            AppendError::RefusedMany(mut v) => ApiError::Rule(v.remove(0).1),
            AppendError::Store(e) => e.into(),
        }
    }
}

impl From<zhifa_app::Error> for ApiError {
    fn from(e: zhifa_app::Error) -> Self {
        use zhifa_app::Error as E;
        match e {
            E::Rule(v) => ApiError::Rule(v),
            E::Rules(v) => ApiError::Rules(v),
            E::Rows(r) => ApiError::Rows(r),
            E::Invalid(v) => ApiError::BadRequest(v),
            E::Conflict(rule, m) => ApiError::Conflict(rule, m),
            E::NotFound(what) => ApiError::NotFound(what),
            E::Unauthenticated => ApiError::Unauthenticated,
            E::Unauthorized(v) => ApiError::Unauthorized(v),
            E::Forbidden(why) => ApiError::Forbidden(why),
            E::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<Violation> for ApiError {
    fn from(v: Violation) -> Self {
        ApiError::Rule(v)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
