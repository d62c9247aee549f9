//! SEC-1: password policy and session rules (the mechanics live in the web layer).

use serde::{Deserialize, Serialize};

use crate::violation::Violation;

/// Password policy (SEC-1; configurable, default ≥ 8 characters of 3 classes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_len: usize,
    /// Of lower-case letters, upper-case letters, digits and other characters.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_len: 8, min_classes: 3 }
    }
}

impl PasswordPolicy {
    pub fn check(&self, password: &str) -> Result<(), Violation> {
        let len = password.chars().count();
        if len < self.min_len {
            return Err(
                Violation::new("SEC-1", format!("密码至少 {} 个字符，当前 {len} 个", self.min_len)).at("password")
            );
        }
        if len > 256 {
            return Err(Violation::new("SEC-1", "密码不能超过 256 个字符").at("password"));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes {
            return Err(Violation::new(
                "SEC-1",
                format!(
                    "密码须包含小写字母、大写字母、数字、其他字符中的至少 {} 类，当前 {classes} 类",
                    self.min_classes
                ),
            )
            .at("password"));
        }
        Ok(())
    }
}

/// Lockout and session lifetimes (SEC-1; configurable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// Failed logins in a row that lock the account.
    pub max_failures: u32,
    /// How long a lock lasts, seconds.
    pub lockout_secs: i64,
    /// Idle timeout, seconds (default 600).
    pub idle_secs: i64,
    /// Absolute session lifetime, seconds (default 8 hours).
    pub absolute_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { max_failures: 5, lockout_secs: 15 * 60, idle_secs: 600, absolute_secs: 8 * 3600 }
    }
}

/// The security administrator's settings (SEC-1): the roles whose accounts must log in
/// with a TOTP second factor (RFC 6238). Stored as a record; the latest one holds.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySettings {
    #[serde(default)]
    pub totp_required: Vec<crate::account::Role>,
}

impl SecuritySettings {
    pub fn validate(&self) -> Result<(), Violation> {
        let mut seen = self.totp_required.clone();
        seen.sort_by_key(|r| r.as_str());
        seen.dedup();
        if seen.len() != self.totp_required.len() {
            return Err(Violation::new("SEC-1", "角色重复").at("totp_required"));
        }
        Ok(())
    }

    /// Must an account with these roles use the second factor?
    pub fn requires_totp(&self, roles: &[crate::account::Role]) -> bool {
        roles.iter().any(|r| self.totp_required.contains(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec1_totp_required_per_role() {
        use crate::account::Role;
        let s = SecuritySettings { totp_required: vec![Role::SecurityAdmin, Role::AgencyHead] };
        s.validate().unwrap();
        assert!(s.requires_totp(&[Role::AgencyHead]));
        assert!(!s.requires_totp(&[Role::Officer]));
        let dup = SecuritySettings { totp_required: vec![Role::Officer, Role::Officer] };
        assert_eq!(dup.validate().unwrap_err().rule, "SEC-1");
    }

    #[test]
    fn sec1_password_policy() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("Ab1!").unwrap_err().message, "密码至少 8 个字符，当前 4 个");
        assert_eq!(p.check("abcdefgh1").unwrap_err().rule, "SEC-1");
        p.check("abcdefG1").unwrap();
        p.check("执法平台Ab12").unwrap();
        p.check("abcdefg!1").unwrap();
    }
}
