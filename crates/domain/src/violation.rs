//! The one error shape of the domain: a rule that was violated, and what would satisfy it.

use serde::Serialize;

/// Every rule ID of DOMAIN.md, so a rule named in text can be recognised.
pub const RULES: &[&str] = &[
    "SUBJ-1", "SUBJ-2", "STAFF-1", "STAFF-2", "STAFF-3", "STAFF-4", "STAFF-5", "ITEM-1", "ITEM-2", "ITEM-3", "ITEM-4",
    "ITEM-5", "PROC-1", "CASE-1", "CASE-2", "CASE-3", "CASE-4", "CASE-5", "CASE-6", "CASE-7", "CASE-8", "CAL-1",
    "REC-1", "REC-2", "REC-3", "REC-4", "REC-5", "REC-6", "REC-7", "REC-8", "REV-1", "REV-2", "REV-3", "REV-4",
    "REV-5", "REV-6", "PUB-1", "PUB-2", "PUB-3", "PUB-4", "PUB-5", "PUB-6", "PUB-7", "PUB-8", "PUB-9", "RAND-1",
    "RAND-2", "RAND-3", "RAND-4", "SUP-1", "SUP-2", "SUP-3", "STAT-1", "CMP-1", "AID-1", "LOG-1", "LOG-2", "LOG-3",
    "LOG-4", "LOG-5", "SEC-1", "SEC-2", "SEC-3", "SEC-4", "SEC-5",
];

/// A refusal by a DOMAIN rule. `rule` is the DOMAIN.md ID (e.g. `SUBJ-1`); `message` is
/// Chinese text for people; `field` names the input field at fault when there is one.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl Violation {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        Violation { rule, field: None, message: message.into() }
    }

    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {}（字段 {}）", self.rule, self.message, field),
            None => write!(f, "{}: {}", self.rule, self.message),
        }
    }
}

impl std::error::Error for Violation {}

/// Checks a free-text field that people type and that may later be published (SEC-5):
/// not empty, within `max` characters, and free of control characters.
pub fn check_text(field: &str, value: &str, max: usize, required: bool) -> Result<(), Violation> {
    let trimmed = value.trim();
    if required && trimmed.is_empty() {
        return Err(Violation::new("SEC-5", "不能为空").at(field));
    }
    let len = value.chars().count();
    if len > max {
        return Err(Violation::new("SEC-5", format!("长度 {len} 超过上限 {max} 个字符")).at(field));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Violation::new("SEC-5", "含有不允许的控制字符").at(field));
    }
    Ok(())
}
