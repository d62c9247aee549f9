//! The one error shape of the domain: a rule that was violated, and what would satisfy it.

use serde::Serialize;

/// A refusal by a DOMAIN rule. `rule` is the DOMAIN.md ID (e.g. `SUBJ-1`); `message` is
/// Chinese text for people; `field` names the input field at fault when there is one.
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
