//! What a use case answers when it does not do what was asked: the refusal with its
//! DOMAIN rule, or the reason it could not be done. Each face maps it once (the HTTP
//! mapping is `zhifa_web::error`); internal causes never reach a person, only the log.

use zhifa_domain::Violation;
use zhifa_store::{AppendError, StoreError};

/// Why a use case did not do what was asked.
#[derive(Debug)]
pub enum Error {
    /// A DOMAIN rule refused the command.
    Rule(Violation),
    /// Several rules refused one record (a case step): all of them.
    Rules(Vec<Violation>),
    /// Several rows of an import were refused: every bad row.
    Rows(Vec<serde_json::Value>),
    /// The command itself is malformed (SEC-5).
    Invalid(Violation),
    /// The thing is not ready or in a conflicting state, with the rule.
    Conflict(&'static str, String),
    /// No such thing (the text names it: "案件 X ").
    NotFound(String),
    /// No caller where one is needed.
    Unauthenticated,
    /// Refused login or ended session, with the reason.
    Unauthorized(Violation),
    /// The caller may not do this (SEC-2), with the reason in Chinese.
    Forbidden(String),
    /// A failing store or other internal error: the cause, for the log only.
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A malformed field of a command (SEC-5).
pub fn bad(field: &str, msg: impl Into<String>) -> Error {
    Error::Invalid(Violation::new("SEC-5", msg).at(field))
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

impl From<AppendError> for Error {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Refused(v) => Error::Rule(v),
            AppendError::RefusedMany(mut v) => Error::Rule(v.remove(0).1),
            AppendError::Store(e) => e.into(),
        }
    }
}

impl From<Violation> for Error {
    fn from(v: Violation) -> Self {
        Error::Rule(v)
    }
}

/// Refusals of a record checked by several rules at once (a case step): every violation,
/// not only the first.
pub fn refused(e: AppendError) -> Error {
    match e {
        AppendError::RefusedMany(v) if v.len() > 1 => Error::Rules(v.into_iter().map(|(_, v)| v).collect()),
        e => e.into(),
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Rule(v) | Error::Invalid(v) | Error::Unauthorized(v) => write!(f, "{}: {}", v.rule, v.message),
            Error::Rules(v) => {
                let all: Vec<String> = v.iter().map(|v| format!("{}: {}", v.rule, v.message)).collect();
                write!(f, "{}", all.join("; "))
            }
            Error::Rows(rows) => write!(f, "IMPORT: {} rows refused", rows.len()),
            Error::Conflict(rule, m) => write!(f, "{rule}: {m}"),
            Error::NotFound(what) => write!(f, "{what}不存在"),
            Error::Unauthenticated => write!(f, "SEC-1: 需要登录"),
            Error::Forbidden(why) => write!(f, "SEC-2: {why}"),
            Error::Internal(cause) => write!(f, "internal: {cause}"),
        }
    }
}

impl std::error::Error for Error {}
