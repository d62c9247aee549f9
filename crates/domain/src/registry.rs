//! SUBJ-1..2 and STAFF-1..5: agencies, officers, certificates, legal reviewers.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::codes::{CreditCode, RegionCode};
use crate::violation::{Violation, check_text};

/// Enforcement domains (执法领域), also the law-enforcement categories (执法类别) a
/// certificate covers (STAFF-2).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    MarketRegulation,
    PublicSecurity,
    EcologyEnvironment,
    Transport,
    EmergencyManagement,
    Agriculture,
    CultureTourism,
    UrbanManagement,
    NaturalResources,
    Health,
    Other,
}

impl Domain {
    pub const ALL: [Domain; 11] = [
        Domain::MarketRegulation,
        Domain::PublicSecurity,
        Domain::EcologyEnvironment,
        Domain::Transport,
        Domain::EmergencyManagement,
        Domain::Agriculture,
        Domain::CultureTourism,
        Domain::UrbanManagement,
        Domain::NaturalResources,
        Domain::Health,
        Domain::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Domain::MarketRegulation => "market_regulation",
            Domain::PublicSecurity => "public_security",
            Domain::EcologyEnvironment => "ecology_environment",
            Domain::Transport => "transport",
            Domain::EmergencyManagement => "emergency_management",
            Domain::Agriculture => "agriculture",
            Domain::CultureTourism => "culture_tourism",
            Domain::UrbanManagement => "urban_management",
            Domain::NaturalResources => "natural_resources",
            Domain::Health => "health",
            Domain::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Domain::MarketRegulation => "市场监管",
            Domain::PublicSecurity => "公安",
            Domain::EcologyEnvironment => "生态环境",
            Domain::Transport => "交通运输",
            Domain::EmergencyManagement => "应急管理",
            Domain::Agriculture => "农业农村",
            Domain::CultureTourism => "文化旅游",
            Domain::UrbanManagement => "城市管理",
            Domain::NaturalResources => "自然资源",
            Domain::Health => "卫生健康",
            Domain::Other => "其他",
        }
    }

    /// Accepts the code or the Chinese label (spreadsheets use the label).
    pub fn parse(s: &str) -> Option<Domain> {
        let s = s.trim();
        Domain::ALL.into_iter().find(|d| d.as_str() == s || d.label() == s)
    }
}

/// Parses a list of domains separated by `;`, `；`, `,`, `、` or `|`.
pub fn parse_domains(s: &str) -> Result<Vec<Domain>, String> {
    let mut out = Vec::new();
    for part in s.split([';', '；', ',', '，', '、', '|']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match Domain::parse(part) {
            Some(d) if !out.contains(&d) => out.push(d),
            Some(_) => {}
            None => return Err(format!("未知的执法领域「{part}」")),
        }
    }
    Ok(out)
}

pub fn format_domains(ds: &[Domain]) -> String {
    ds.iter().map(|d| d.label()).collect::<Vec<_>>().join("；")
}

/// Government level of an agency.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    City,
    County,
    Township,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::City => "市级",
            Level::County => "县级",
            Level::Township => "乡镇级",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        [Level::Province, Level::City, Level::County, Level::Township]
            .into_iter()
            .find(|l| l.as_str() == s.trim() || l.label() == s.trim())
    }
}

str_enum!(
    /// SUBJ-1: only a confirmed and published agency may act in its own name.
    AgencyStatus {
        Registered = "registered" / "待确认",
        Confirmed = "confirmed" / "已确认",
        Published = "published" / "已确认并公告",
        Withdrawn = "withdrawn" / "已撤销",
    }
);

/// An enforcement subject (执法主体), SUBJ-1.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: CreditCode,
    pub name: String,
    pub region: RegionCode,
    pub level: Level,
    pub domains: Vec<Domain>,
    pub status: AgencyStatus,
    /// SUBJ-2: set for an entrusted organisation (受委托组织): the agency in whose name it acts.
    #[serde(default)]
    pub entrusted_by: Option<CreditCode>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

impl Agency {
    pub fn validate(&self) -> Result<(), Violation> {
        check_text("name", &self.name, 100, true)?;
        check_text("address", &self.address, 200, false)?;
        check_text("phone", &self.phone, 40, false)?;
        if self.domains.is_empty() {
            return Err(Violation::new("SUBJ-1", "执法主体至少要有一个执法领域").at("domains"));
        }
        if self.entrusted_by.as_ref() == Some(&self.code) {
            return Err(Violation::new("SUBJ-2", "不能委托给自身").at("entrusted_by"));
        }
        Ok(())
    }

    /// SUBJ-1/SUBJ-2: the name in which this agency's acts are done.
    pub fn acts_in_name_of(&self) -> &CreditCode {
        self.entrusted_by.as_ref().unwrap_or(&self.code)
    }
}

str_enum!(
    /// Employment kind. STAFF-4: contract and temporary staff, and auxiliary staff, never
    /// count as one of the two officers.
    Employment {
        Established = "established" / "在编",
        Contract = "contract" / "合同制",
        Temporary = "temporary" / "临时聘用",
        Auxiliary = "auxiliary" / "执法辅助人员",
    }
);

/// A person in an agency's staff registry (STAFF-1). Legal reviewers are registered as
/// staff too (STAFF-5).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// 人员编号: the agency's own unique staff number; the registry's key.
    pub staff_no: String,
    pub name: String,
    pub agency: CreditCode,
    #[serde(default)]
    pub position: String,
    pub employment: Employment,
    /// Police badge number (警号), STAFF-1.
    #[serde(default)]
    pub badge_no: Option<String>,
    /// 法律职业资格 (exempts the exam, STAFF-3; required of a new reviewer, STAFF-5).
    #[serde(default)]
    pub legal_qualification: bool,
}

pub fn check_key(field: &str, value: &str, rule: &'static str) -> Result<(), Violation> {
    if value.is_empty() || value.len() > 40 {
        return Err(Violation::new(rule, "编号必须为 1 至 40 个字符").at(field));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || ('\u{4e00}'..='\u{9fff}').contains(&c))
    {
        return Err(Violation::new(rule, "编号只能由字母、数字、汉字、连字符和下划线组成").at(field));
    }
    Ok(())
}

impl Officer {
    pub fn validate(&self) -> Result<(), Violation> {
        check_key("staff_no", &self.staff_no, "STAFF-1")?;
        check_text("name", &self.name, 40, true)?;
        check_text("position", &self.position, 60, false)?;
        if let Some(b) = &self.badge_no {
            check_key("badge_no", b, "STAFF-1")?;
        }
        Ok(())
    }
}

/// STAFF-2 revocation reasons (seed 002).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    Retired,
    Transferred,
    Dismissed,
    Dead,
    Other,
}

impl RevocationReason {
    pub fn label(self) -> &'static str {
        match self {
            RevocationReason::Retired => "退休",
            RevocationReason::Transferred => "调离执法岗位",
            RevocationReason::Dismissed => "辞退或开除",
            RevocationReason::Dead => "死亡",
            RevocationReason::Other => "其他",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationReason::Retired => "retired",
            RevocationReason::Transferred => "transferred",
            RevocationReason::Dismissed => "dismissed",
            RevocationReason::Dead => "dead",
            RevocationReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<RevocationReason> {
        [
            RevocationReason::Retired,
            RevocationReason::Transferred,
            RevocationReason::Dismissed,
            RevocationReason::Dead,
            RevocationReason::Other,
        ]
        .into_iter()
        .find(|l| l.as_str() == s.trim() || l.label() == s.trim())
    }
}

/// STAFF-2 certificate status.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CertStatus {
    Valid,
    Suspended { since: Date, reason: String },
    Revoked { on: Date, reason: RevocationReason },
}

impl CertStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            CertStatus::Valid => "valid",
            CertStatus::Suspended { .. } => "suspended",
            CertStatus::Revoked { .. } => "revoked",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            CertStatus::Valid => "有效",
            CertStatus::Suspended { .. } => "暂扣",
            CertStatus::Revoked { .. } => "已注销",
        }
    }
}

/// A law-enforcement certificate (执法证), STAFF-2.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub number: String,
    pub holder: String,
    /// 执法类别: the domains the certificate covers.
    pub categories: Vec<Domain>,
    /// 执法区域
    pub region: RegionCode,
    pub issued_on: Date,
    pub expires_on: Date,
    pub status: CertStatus,
    /// Last passed periodic check (年检/定期审验), STAFF-3.
    #[serde(default)]
    pub last_check_on: Option<Date>,
}

impl Certificate {
    /// Validation of a newly issued certificate.
    pub fn validate(&self) -> Result<(), Violation> {
        check_key("number", &self.number, "STAFF-2")?;
        if self.categories.is_empty() {
            return Err(Violation::new("STAFF-2", "执法证至少要有一个执法类别").at("categories"));
        }
        if self.expires_on <= self.issued_on {
            return Err(Violation::new(
                "STAFF-2",
                format!("有效期截止日 {} 早于或等于发证日 {}", self.expires_on, self.issued_on),
            )
            .at("expires_on"));
        }
        if self.status != CertStatus::Valid {
            return Err(Violation::new("STAFF-2", "新发证件的状态必须为有效").at("status"));
        }
        if let Some(c) = self.last_check_on
            && c < self.issued_on
        {
            return Err(Violation::new("STAFF-3", "年检日期早于发证日期").at("last_check_on"));
        }
        Ok(())
    }

    /// When the next periodic check is due (STAFF-3).
    pub fn check_due(&self, policy: &QualificationPolicy) -> Date {
        let base = self.last_check_on.unwrap_or(self.issued_on);
        base.saturating_add(jiff::Span::new().months(policy.check_interval_months as i64))
    }

    /// The certificate's standing on `today`, without regard to the holder or the item.
    pub fn standing(&self, today: Date, policy: &QualificationPolicy) -> CertStanding {
        let due = self.check_due(policy);
        let warn_from = due.saturating_sub(jiff::Span::new().months(policy.check_warning_months as i64));
        let expiry_warn = self.expires_on.saturating_sub(jiff::Span::new().months(policy.check_warning_months as i64));
        let state = match &self.status {
            CertStatus::Revoked { .. } => CertState::Revoked,
            CertStatus::Suspended { .. } => CertState::Suspended,
            CertStatus::Valid if today > self.expires_on => CertState::Expired,
            CertStatus::Valid if today > due => CertState::CheckOverdue,
            CertStatus::Valid if today >= expiry_warn => CertState::ExpiringSoon,
            CertStatus::Valid if today >= warn_from => CertState::CheckDueSoon,
            CertStatus::Valid => CertState::Valid,
        };
        CertStanding { state, check_due: due, expires_on: self.expires_on }
    }
}

/// The public view of a certificate's standing (PUB-3) and the flags of STAFF-3.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertState {
    Valid,
    /// Valid, but the periodic check is due within the warning window (STAFF-3).
    CheckDueSoon,
    /// Valid, but expiring within the warning window.
    ExpiringSoon,
    CheckOverdue,
    Expired,
    Suspended,
    Revoked,
}

impl CertState {
    /// May a holder act with it today (ignoring category and region)?
    pub fn usable(self) -> bool {
        matches!(self, CertState::Valid | CertState::CheckDueSoon | CertState::ExpiringSoon)
    }
    pub fn label(self) -> &'static str {
        match self {
            CertState::Valid => "有效",
            CertState::CheckDueSoon => "有效（即将年检）",
            CertState::ExpiringSoon => "有效（即将到期）",
            CertState::CheckOverdue => "年检逾期，暂不可执法",
            CertState::Expired => "已过期",
            CertState::Suspended => "暂扣",
            CertState::Revoked => "已注销",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CertState::Valid => "valid",
            CertState::CheckDueSoon => "check_due_soon",
            CertState::ExpiringSoon => "expiring_soon",
            CertState::CheckOverdue => "check_overdue",
            CertState::Expired => "expired",
            CertState::Suspended => "suspended",
            CertState::Revoked => "revoked",
        }
    }
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CertStanding {
    pub state: CertState,
    pub check_due: Date,
    pub expires_on: Date,
}

/// STAFF-3 settings; the defaults are the DOMAIN's.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationPolicy {
    /// Training hours required per calendar year (default 40; some rules ask 60).
    pub training_hours_per_year: u32,
    /// Months between periodic checks (Shandong: every two years).
    pub check_interval_months: u32,
    /// How long before a check or expiry it is flagged (two months).
    pub check_warning_months: u32,
}

impl Default for QualificationPolicy {
    fn default() -> Self {
        QualificationPolicy { training_hours_per_year: 40, check_interval_months: 24, check_warning_months: 2 }
    }
}

/// STAFF-3 qualification facts about a person, from the records.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    /// Date of the latest passed exam.
    pub exam_passed_on: Option<Date>,
    /// Training hours per year.
    pub training: Vec<(i16, u32)>,
}

impl Qualification {
    pub fn hours_in(&self, year: i16) -> u32 {
        self.training.iter().filter(|(y, _)| *y == year).map(|(_, h)| h).sum()
    }
}

/// STAFF-5: reviewers should number at least 5% of the agency's officers, and at least one.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerRatio {
    pub agency: CreditCode,
    pub agency_name: String,
    pub officers: u32,
    pub reviewers: u32,
    /// reviewers / officers in per mille.
    pub permille: u32,
    pub meets_rule: bool,
}

impl ReviewerRatio {
    pub fn new(agency: CreditCode, agency_name: String, officers: u32, reviewers: u32) -> Self {
        let permille = (reviewers * 1000).checked_div(officers).unwrap_or(1000);
        // reviewers / officers >= 5%  <=>  20 * reviewers >= officers
        let meets_rule = reviewers >= 1 && reviewers * 20 >= officers;
        ReviewerRatio { agency, agency_name, officers, reviewers, permille, meets_rule }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cert() -> Certificate {
        Certificate {
            number: "13012320240001".into(),
            holder: "A1".into(),
            categories: vec![Domain::MarketRegulation],
            region: RegionCode::parse("130123").unwrap(),
            issued_on: date(2024, 3, 1),
            expires_on: date(2029, 2, 28),
            status: CertStatus::Valid,
            last_check_on: None,
        }
    }

    #[test]
    fn expiry_before_issue_is_refused() {
        let mut c = cert();
        c.expires_on = date(2024, 1, 1);
        let v = c.validate().unwrap_err();
        assert_eq!(v.rule, "STAFF-2");
        assert_eq!(v.field.as_deref(), Some("expires_on"));
    }

    #[test]
    fn standing_follows_check_and_expiry() {
        // STAFF-3: check due two years after issue, flagged two months before.
        let p = QualificationPolicy::default();
        let c = cert();
        assert_eq!(c.check_due(&p), date(2026, 3, 1));
        assert_eq!(c.standing(date(2025, 12, 31), &p).state, CertState::Valid);
        assert_eq!(c.standing(date(2026, 1, 1), &p).state, CertState::CheckDueSoon);
        assert_eq!(c.standing(date(2026, 3, 2), &p).state, CertState::CheckOverdue);
        let mut checked = c.clone();
        checked.last_check_on = Some(date(2026, 2, 20));
        assert_eq!(checked.standing(date(2026, 3, 2), &p).state, CertState::Valid);
        assert_eq!(checked.standing(date(2029, 3, 1), &p).state, CertState::Expired);
        assert_eq!(checked.standing(date(2029, 1, 1), &p).state, CertState::CheckOverdue);
        checked.last_check_on = Some(date(2028, 2, 1));
        assert_eq!(checked.standing(date(2029, 1, 1), &p).state, CertState::ExpiringSoon);
    }

    #[test]
    fn reviewer_ratio_rule() {
        // STAFF-5: at least 5% and at least one.
        let code = crate::codes::credit_code_complete("11130123MB0000001").unwrap();
        assert!(ReviewerRatio::new(code.clone(), "x".into(), 20, 1).meets_rule);
        assert!(!ReviewerRatio::new(code.clone(), "x".into(), 21, 1).meets_rule);
        assert!(!ReviewerRatio::new(code.clone(), "x".into(), 0, 0).meets_rule);
        assert!(ReviewerRatio::new(code, "x".into(), 40, 2).meets_rule);
    }

    #[test]
    fn domains_parse_from_labels_and_codes() {
        assert_eq!(parse_domains("市场监管；transport").unwrap(), vec![Domain::MarketRegulation, Domain::Transport]);
        assert!(parse_domains("税务").is_err());
    }
}
