//! Reading the request's cookies (the `cookie` crate parses the header); the session
//! cookie's name. Writing them is `session::session_cookie`.

use axum::http::{HeaderMap, header};

pub const COOKIE: &str = "zhifa_session";

/// The session id in the request's cookie, if any.
pub fn cookie_session(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
}

/// The value of the request's cookie `name`, unless it is missing or empty.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v).filter_map(Result::ok))
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_string())
}
