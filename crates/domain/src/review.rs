//! Legal review of major decisions (重大执法决定法制审核, REV-1..6).
//!
//! The review runs inside the case, as steps of the general procedure (its definition
//! holds the stages, roles, the REV-6 time limit and its one extension): the handler
//! submits a [`Draft`] with the responsibility statement (`submit_review`, REV-5), a head or
//! reviewer assigns a registered reviewer (`assign_reviewer`), the reviewer records a
//! [`Finding`] on every [`ChecklistItem`] of REV-3 and an [`Opinion`] of REV-4
//! (`review_approve`, or `review_return`, which sends the case back), and a disagreement
//! goes to the head or collective discussion (`escalate_review` →
//! `overrule_review`/`uphold_review`). Each submission opens a new `case::Round`; every round
//! stays on the record.
//!
//! This module holds the catalogue (REV-1, [`ReviewCatalogue::requires`]), the checklist
//! and opinions. The case module folds a case's steps into rounds and applies the
//! separation rules (REV-5) and the decision gate (REV-2) when a step is recorded; this
//! module knows nothing of case records.

use serde::{Deserialize, Serialize};

use crate::codes::CreditCode;
use crate::item::{ItemKind, ItemVersion, ProcedureKind};
use crate::penalty::DecidedPenalty;
use crate::registry::{Domain, Level};
use crate::violation::{Violation, check_text};

/// REV-3: what the reviewer checks.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistItem {
    AgencyLawful,
    OfficersQualified,
    FactsClear,
    EvidenceSufficient,
    LawCorrect,
    DiscretionWithinBenchmark,
    ProcedureLawful,
    WithinPowers,
    DocumentsComplete,
    CrimeTransfer,
}

impl ChecklistItem {
    pub const ALL: [ChecklistItem; 10] = [
        ChecklistItem::AgencyLawful,
        ChecklistItem::OfficersQualified,
        ChecklistItem::FactsClear,
        ChecklistItem::EvidenceSufficient,
        ChecklistItem::LawCorrect,
        ChecklistItem::DiscretionWithinBenchmark,
        ChecklistItem::ProcedureLawful,
        ChecklistItem::WithinPowers,
        ChecklistItem::DocumentsComplete,
        ChecklistItem::CrimeTransfer,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ChecklistItem::AgencyLawful => "执法主体是否合法",
            ChecklistItem::OfficersQualified => "执法人员是否具备执法资格",
            ChecklistItem::FactsClear => "案件事实是否清楚",
            ChecklistItem::EvidenceSufficient => "证据是否确实充分",
            ChecklistItem::LawCorrect => "适用法律、法规、规章是否准确",
            ChecklistItem::DiscretionWithinBenchmark => "裁量是否适当、是否符合裁量基准",
            ChecklistItem::ProcedureLawful => "程序是否合法",
            ChecklistItem::WithinPowers => "是否超越法定职权、滥用职权",
            ChecklistItem::DocumentsComplete => "执法文书是否齐全、规范",
            ChecklistItem::CrimeTransfer => "是否涉嫌犯罪需要移送司法机关",
        }
    }
}

/// A finding on one checklist item: `ok` means no problem found (for
/// [`ChecklistItem::CrimeTransfer`]: no transfer needed).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub item: ChecklistItem,
    pub ok: bool,
    #[serde(default)]
    pub note: String,
}

/// REV-4: the seven opinions.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opinion {
    Approve,
    DoNotIssue,
    Change,
    CorrectProcedure,
    MoreEvidence,
    Lighter,
    Transfer,
}

impl Opinion {
    pub fn label(self) -> &'static str {
        match self {
            Opinion::Approve => "同意",
            Opinion::DoNotIssue => "不予作出决定（违法事实不能成立）",
            Opinion::Change => "变更（定性、适用依据或裁量不当）",
            Opinion::CorrectProcedure => "纠正程序",
            Opinion::MoreEvidence => "退回补充调查取证或完善文书",
            Opinion::Lighter => "建议从轻、减轻或不予处罚",
            Opinion::Transfer => "移送（超越管辖或涉嫌犯罪）",
        }
    }
}

/// The draft decision submitted for review, frozen in the submitting record: the reviewer
/// reviews exactly this, and a decision may only carry exactly this (REV-2).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub penalties: Vec<DecidedPenalty>,
    /// The facts found and the evidence relied on.
    pub facts: String,
    /// The legal basis, cited to article, paragraph and item.
    pub basis: String,
    /// Why lightened or aggravated (discretion, ITEM-4).
    #[serde(default)]
    pub reasons: String,
    /// REV-5: the handler's responsibility statement (承办人员责任声明).
    pub statement: String,
    /// Facts the catalogue's flags test (e.g. `major_public_interest`).
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub hearing_held: bool,
}

impl Draft {
    pub fn validate(&self) -> Result<(), Violation> {
        check_text("draft.facts", &self.facts, 20_000, true)?;
        check_text("draft.basis", &self.basis, 5_000, true)?;
        check_text("draft.reasons", &self.reasons, 5_000, false)?;
        check_text("draft.statement", &self.statement, 2_000, true)
            .map_err(|_| Violation::new("REV-5", "提交法制审核须附承办人员的责任声明").at("draft.statement"))?;
        for f in &self.flags {
            if !FLAGS.iter().any(|(code, _)| code == f) {
                return Err(Violation::new("REV-1", format!("未知的审核情形「{f}」")).at("draft.flags"));
            }
        }
        Ok(())
    }
}

/// REV-1 statutory flags (APL Art. 58).
pub const FLAGS: [(&str, &str); 3] = [
    ("major_public_interest", "涉及重大公共利益"),
    ("major_rights", "直接关系当事人或者第三人重大权益"),
    ("complex", "案件情况疑难复杂、涉及多个法律关系"),
];

/// A catalogue rule (审核目录清单的一项): every condition given must hold.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueRule {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub kinds: Vec<ItemKind>,
    #[serde(default)]
    pub levels: Vec<Level>,
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// A fine of at least this much (fen).
    #[serde(default)]
    pub min_fine_fen: Option<i64>,
    /// Confiscation (gains or property) of at least this much (fen).
    #[serde(default)]
    pub min_confiscation_fen: Option<i64>,
    /// Any of these penalties (by their `kind` code, e.g. `revoke_licence`).
    #[serde(default)]
    pub penalties: Vec<String>,
    #[serde(default)]
    pub hearing_held: bool,
    /// All of these flags ([`FLAGS`]).
    #[serde(default)]
    pub flags: Vec<String>,
}

/// An agency's review catalogue (REV-1), versioned: the version in force when the draft
/// is submitted applies.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCatalogue {
    pub agency: CreditCode,
    pub version: u32,
    pub effective_from: jiff::civil::Date,
    pub rules: Vec<CatalogueRule>,
    /// REV-6: working days the reviewer has (the procedure's default is 5).
    #[serde(default)]
    pub note: String,
}

impl ReviewCatalogue {
    pub fn validate(&self) -> Result<(), Violation> {
        if self.version == 0 {
            return Err(Violation::new("REV-1", "版本号从 1 开始").at("version"));
        }
        let mut codes = std::collections::BTreeSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            crate::registry::check_key(&format!("{at}.code"), &r.code, "REV-1")?;
            check_text(&format!("{at}.label"), &r.label, 200, true)?;
            if !codes.insert(&r.code) {
                return Err(Violation::new("REV-1", format!("规则编码 {} 重复", r.code)).at(at));
            }
            for f in &r.flags {
                if !FLAGS.iter().any(|(c, _)| c == f) {
                    return Err(Violation::new("REV-1", format!("未知的审核情形「{f}」")).at(at));
                }
            }
            for p in &r.penalties {
                if !PENALTY_CODES.contains(&p.as_str()) {
                    return Err(Violation::new("REV-1", format!("未知的处罚种类「{p}」")).at(at));
                }
            }
            if r.min_fine_fen.is_some_and(|f| f <= 0) || r.min_confiscation_fen.is_some_and(|f| f <= 0) {
                return Err(Violation::new("REV-1", "金额标准必须为正数").at(at));
            }
        }
        Ok(())
    }
}

const PENALTY_CODES: [&str; 11] = [
    "warning",
    "notice_of_criticism",
    "fine",
    "confiscate_illegal_gains",
    "confiscate_property",
    "suspend_business",
    "revoke_licence",
    "lower_qualification",
    "restrict_activity",
    "order_closure",
    "detention",
];

fn penalty_code(p: &DecidedPenalty) -> &'static str {
    match p {
        DecidedPenalty::Warning => "warning",
        DecidedPenalty::NoticeOfCriticism => "notice_of_criticism",
        DecidedPenalty::Fine { .. } => "fine",
        DecidedPenalty::ConfiscateIllegalGains { .. } => "confiscate_illegal_gains",
        DecidedPenalty::ConfiscateProperty { .. } => "confiscate_property",
        DecidedPenalty::SuspendBusiness => "suspend_business",
        DecidedPenalty::RevokeLicence => "revoke_licence",
        DecidedPenalty::LowerQualification => "lower_qualification",
        DecidedPenalty::RestrictActivity => "restrict_activity",
        DecidedPenalty::OrderClosure => "order_closure",
        DecidedPenalty::Detention { .. } => "detention",
    }
}

/// Why a decision needs review: the rule and its label.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// `APL58:<flag>`, `PROVINCE:general_penalty`, or the catalogue rule's code.
    pub rule: String,
    pub label: String,
}

/// What a decision is, for the catalogue.
pub struct Subject<'a> {
    pub item: &'a ItemVersion,
    pub level: Level,
    pub procedure: ProcedureKind,
    pub penalties: &'a [DecidedPenalty],
    pub hearing_held: bool,
    pub flags: &'a [String],
}

/// REV-1: every reason the decision needs legal review (empty: it does not).
pub fn requires(catalogue: Option<&ReviewCatalogue>, every_general_penalty: bool, s: &Subject) -> Vec<Requirement> {
    let mut out = Vec::new();
    // APL Art. 58: always, whatever the catalogue says.
    for (code, label) in FLAGS {
        if s.flags.iter().any(|f| f == code) {
            out.push(Requirement {
                rule: format!("APL58:{code}"),
                label: format!("{label}（《行政处罚法》第五十八条）"),
            });
        }
    }
    if s.hearing_held {
        out.push(Requirement {
            rule: "APL58:hearing".into(),
            label: "经过听证程序（《行政处罚法》第五十八条第一款第二项）".into(),
        });
    }
    if every_general_penalty && s.procedure == ProcedureKind::GeneralPenalty {
        out.push(Requirement {
            rule: "PROVINCE:general_penalty".into(),
            label: "本省规定一般程序行政处罚决定均须法制审核".into(),
        });
    }
    let amount = |f: fn(&DecidedPenalty) -> Option<i64>| s.penalties.iter().filter_map(f).sum::<i64>();
    let fine = amount(|p| match p {
        DecidedPenalty::Fine { fen } => Some(*fen),
        _ => None,
    });
    let confiscation = amount(|p| match p {
        DecidedPenalty::ConfiscateIllegalGains { fen } | DecidedPenalty::ConfiscateProperty { fen } => Some(*fen),
        _ => None,
    });
    for r in catalogue.map(|c| c.rules.as_slice()).unwrap_or_default() {
        let holds = (r.kinds.is_empty() || r.kinds.contains(&s.item.kind))
            && (r.levels.is_empty() || r.levels.contains(&s.level))
            && (r.domains.is_empty() || r.domains.contains(&s.item.domain))
            && r.min_fine_fen.is_none_or(|min| fine >= min)
            && r.min_confiscation_fen.is_none_or(|min| confiscation >= min)
            && (r.penalties.is_empty() || s.penalties.iter().any(|p| r.penalties.iter().any(|c| c == penalty_code(p))))
            && (!r.hearing_held || s.hearing_held)
            && r.flags.iter().all(|f| s.flags.contains(f));
        if holds {
            out.push(Requirement { rule: r.code.clone(), label: r.label.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::item;

    fn subject<'a>(item: &'a ItemVersion, penalties: &'a [DecidedPenalty], flags: &'a [String]) -> Subject<'a> {
        Subject {
            item,
            level: Level::County,
            procedure: ProcedureKind::GeneralPenalty,
            penalties,
            hearing_held: false,
            flags,
        }
    }

    #[test]
    fn rev1_the_catalogue_and_the_statute_say_when_review_is_needed() {
        let it = item("SCJG-CF-001", 1);
        let cat = ReviewCatalogue {
            agency: crate::testing::code(1),
            version: 1,
            effective_from: jiff::civil::date(2026, 1, 1),
            rules: vec![CatalogueRule {
                code: "large_fine".into(),
                label: "罚款五万元以上".into(),
                kinds: vec![ItemKind::Penalty],
                levels: vec![],
                domains: vec![],
                min_fine_fen: Some(5_000_000),
                min_confiscation_fen: None,
                penalties: vec![],
                hearing_held: false,
                flags: vec![],
            }],
            note: String::new(),
        };
        cat.validate().unwrap();
        let small = [DecidedPenalty::Fine { fen: 4_999_999 }];
        let large = [DecidedPenalty::Fine { fen: 5_000_000 }];
        assert!(requires(Some(&cat), false, &subject(&it, &small, &[])).is_empty());
        let r = requires(Some(&cat), false, &subject(&it, &large, &[]));
        assert_eq!(r.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>(), ["large_fine"]);
        // APL Art. 58 applies whatever the catalogue says; so does the province's switch.
        let flags = vec!["complex".to_string()];
        assert_eq!(requires(None, false, &subject(&it, &small, &flags))[0].rule, "APL58:complex");
        assert_eq!(requires(None, true, &subject(&it, &small, &[]))[0].rule, "PROVINCE:general_penalty");
    }

    #[test]
    fn a_catalogue_with_unknown_terms_is_refused() {
        let mut cat = ReviewCatalogue {
            agency: crate::testing::code(1),
            version: 1,
            effective_from: jiff::civil::date(2026, 1, 1),
            rules: vec![],
            note: String::new(),
        };
        cat.rules.push(CatalogueRule {
            code: "x".into(),
            label: "x".into(),
            kinds: vec![],
            levels: vec![],
            domains: vec![],
            min_fine_fen: None,
            min_confiscation_fen: None,
            penalties: vec!["beheading".into()],
            hearing_held: false,
            flags: vec![],
        });
        assert_eq!(cat.validate().unwrap_err().rule, "REV-1");
    }
}
