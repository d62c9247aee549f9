//! Request parsing with precise Chinese errors (SEC-5), and the blocking bridge.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use zhifa_domain::Violation;

use crate::error::{ApiError, ApiResult};

/// Runs blocking store work off the async threads.
pub async fn blocking<R: Send + 'static>(f: impl FnOnce() -> ApiResult<R> + Send + 'static) -> ApiResult<R> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Runs a use case of `zhifa_app` off the async threads; its refusal becomes the HTTP
/// answer (`crate::error`).
pub async fn call<R: Send + 'static>(f: impl FnOnce() -> zhifa_app::Result<R> + Send + 'static) -> ApiResult<R> {
    Ok(tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))??)
}

/// A JSON body; malformed JSON or a wrong shape is a 400 naming the problem.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(Violation::new("SEC-5", format!("无法读取请求体：{}", e.body_text()))))?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON. A value refused by a domain type's own parser (a credit code with a wrong
/// check digit, say) is a 422 with that rule; any other mismatch is a 400 (SEC-5). Both
/// name the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let r: Result<T, _> = serde_path_to_error::deserialize(de);
    let v = match r {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let msg = inner.to_string();
            // serde_json appends " at line L column C"; the rule text is what precedes it.
            let text = msg.rsplit_once(" at line ").map(|(t, _)| t).unwrap_or(&msg);
            let field = (path != ".").then_some(path);
            if let Some((rule, rest)) = domain_rule(text) {
                let v = Violation::new(rule, rest);
                return Err(ApiError::Rule(match field {
                    Some(f) => v.at(f),
                    None => v,
                }));
            }
            let v = Violation::new("SEC-5", format!("请求体不是合法的 JSON 或字段不符：{text}"));
            return Err(ApiError::BadRequest(match field {
                Some(f) => v.at(f),
                None => v,
            }));
        }
    };
    Ok(v)
}

/// Splits "SUBJ-1: message" into a known rule ID and the message.
fn domain_rule(text: &str) -> Option<(&'static str, String)> {
    let (id, rest) = text.split_once(": ")?;
    zhifa_domain::violation::RULES.iter().find(|r| **r == id).map(|r| (*r, rest.to_string()))
}

/// Query parameters as a map; typed access returns 400s naming the parameter.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|_| bad("query", "查询参数格式错误"))?
            .0;
        Ok(QueryMap(pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect()))
    }
}

pub fn bad(field: &str, msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(Violation::new("SEC-5", msg).at(field))
}

impl QueryMap {
    pub fn str(&self, k: &str) -> Option<String> {
        self.0.get(k).cloned()
    }
    pub fn i64(&self, k: &str) -> ApiResult<Option<i64>> {
        self.0.get(k).map(|v| v.parse::<i64>().map_err(|_| bad(k, format!("参数 {k}=「{v}」不是整数")))).transpose()
    }
    pub fn parse<T>(&self, k: &str, f: impl Fn(&str) -> Option<T>, what: &str) -> ApiResult<Option<T>> {
        self.0.get(k).map(|v| f(v).ok_or_else(|| bad(k, format!("参数 {k}=「{v}」不是合法的{what}")))).transpose()
    }
    pub fn date(&self, k: &str) -> ApiResult<Option<jiff::civil::Date>> {
        self.parse(k, |s| s.parse().ok(), "日期（2026-01-31）")
    }
    pub fn bool(&self, k: &str) -> ApiResult<Option<bool>> {
        self.parse(
            k,
            |s| match s {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            "布尔值（true/false）",
        )
    }
    pub fn paging(&self) -> ApiResult<zhifa_store::Paging> {
        let offset = self.i64("offset")?.unwrap_or(0);
        let limit = self.i64("limit")?.unwrap_or(50);
        if offset < 0 {
            return Err(bad("offset", "offset 不能为负"));
        }
        if !(1..=500).contains(&limit) {
            return Err(bad("limit", "limit 须在 1 至 500 之间"));
        }
        Ok(zhifa_store::Paging { offset, limit })
    }
}

/// REC-7: the `reason` a view of a record must give (`zhifa_app::records::view_reason`).
pub fn view_reason(q: &QueryMap) -> ApiResult<String> {
    Ok(zhifa_app::records::view_reason(q.str("reason"))?)
}
