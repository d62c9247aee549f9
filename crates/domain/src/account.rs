//! SEC-1..3: staff accounts and their roles.

use serde::{Deserialize, Serialize};

use crate::codes::CreditCode;
use crate::violation::{Violation, check_text};

/// SEC-2/SEC-3 roles.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Officer,
    LegalReviewer,
    AgencyHead,
    Supervisor,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Officer,
        Role::LegalReviewer,
        Role::AgencyHead,
        Role::Supervisor,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::LegalReviewer => "legal_reviewer",
            Role::AgencyHead => "agency_head",
            Role::Supervisor => "supervisor",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Officer => "执法人员",
            Role::LegalReviewer => "法制审核人员",
            Role::AgencyHead => "机关负责人",
            Role::Supervisor => "执法监督人员",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim() || r.label() == s.trim())
    }
    fn is_admin(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }
}

/// A staff account (the full login comes with the staff application; API tokens now).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The agency the account works in; `None` for platform-level accounts.
    #[serde(default)]
    pub agency: Option<CreditCode>,
    /// The staff registry entry of the person (STAFF-1), for officers, reviewers and heads:
    /// who acts in a case is the registered person, with their certificates.
    #[serde(default)]
    pub staff_no: Option<String>,
    /// SEC-2: a disabled account cannot log in; its sessions and API tokens ended when it
    /// was disabled (`Event::AccountChanged`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

impl Account {
    pub fn validate(&self) -> Result<(), Violation> {
        crate::registry::check_key("login", &self.login, "SEC-1")?;
        check_text("display_name", &self.display_name, 40, true)?;
        if self.roles.is_empty() {
            return Err(Violation::new("SEC-2", "账号至少要有一个角色").at("roles"));
        }
        let admins: Vec<&str> = self.roles.iter().filter(|r| r.is_admin()).map(|r| r.label()).collect();
        if admins.len() > 1 {
            return Err(Violation::new(
                "SEC-3",
                format!("系统、安全、审计三类管理员不得由同一账号兼任（{}）", admins.join("、")),
            )
            .at("roles"));
        }
        Ok(())
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}
