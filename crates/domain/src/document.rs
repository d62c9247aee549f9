//! Official documents (执法文书, CASE-6, REC-1, LOG-5): which kinds a case may issue and
//! when, their numbers (文号) per agency, kind and year, and the record of an issued
//! document — its SHA-256, the platform's signature over a statement of it, and the short
//! verification code printed on it.
//!
//! - A kind is *available* once the case has a step whose action (in the case's procedure
//!   definition) lists the kind among its records or documents (PROC-1); each such step
//!   issues at most one document of the kind (one document per act). Corrections (REC-2)
//!   are not implemented: a wrong document is superseded by recording the act again.
//! - Numbered kinds (decisions, notices, opinions: [`DocumentKind::numbered`]) take the next
//!   number in their scope, exactly, checked inside the write transaction like case numbers
//!   (CASE-1): never reused, never skipped. Records (笔录, 审批表, 记录, 回证) carry the case
//!   number instead.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::account::{Account, Role};
use crate::case::{CaseFile, StepRecord};
use crate::procedure::{ProcedureDefinition, china_date};
use crate::violation::{Violation, check_text};

/// A document kind the platform renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentKind {
    pub code: &'static str,
    pub title: &'static str,
    /// Gets a 文号 (decisions, notices, opinions).
    pub numbered: bool,
    /// The kind's part of the default number pattern (`{agency}{abbrev}〔{year}〕{seq}号`).
    pub abbrev: &'static str,
    /// The record or document names (in procedure definitions) of acts that issue it.
    pub issued_by: &'static [&'static str],
}

/// The kinds, in the order a case usually produces them.
pub const KINDS: &[DocumentKind] = &[
    DocumentKind {
        code: "filing_approval",
        title: "立案审批表",
        numbered: false,
        abbrev: "立",
        issued_by: &["filing_approval"],
    },
    DocumentKind {
        code: "site_record",
        title: "现场检查笔录",
        numbered: false,
        abbrev: "检",
        issued_by: &["site_record"],
    },
    DocumentKind {
        code: "inquiry_record",
        title: "询问笔录",
        numbered: false,
        abbrev: "询",
        issued_by: &["inquiry_record"],
    },
    DocumentKind {
        code: "preservation_notice",
        title: "先行登记保存证据通知书",
        numbered: true,
        abbrev: "保",
        issued_by: &["preservation_notice"],
    },
    DocumentKind {
        code: "seizure_decision",
        title: "查封（扣押）决定书",
        numbered: true,
        abbrev: "强",
        issued_by: &["seizure_decision"],
    },
    DocumentKind {
        code: "penalty_notice",
        title: "行政处罚事先告知书",
        numbered: true,
        abbrev: "告",
        issued_by: &["penalty_notice"],
    },
    DocumentKind {
        code: "hearing_notice",
        title: "听证通知书",
        numbered: true,
        abbrev: "听",
        issued_by: &["hearing_notice"],
    },
    DocumentKind {
        code: "hearing_transcript",
        title: "听证笔录",
        numbered: false,
        abbrev: "听录",
        issued_by: &["hearing_transcript"],
    },
    DocumentKind {
        code: "review_opinion",
        title: "法制审核意见书",
        numbered: true,
        abbrev: "审",
        issued_by: &["review_opinion"],
    },
    DocumentKind {
        code: "discussion_record",
        title: "集体讨论记录",
        numbered: false,
        abbrev: "议",
        issued_by: &["discussion_record"],
    },
    DocumentKind {
        code: "penalty_decision",
        title: "行政处罚决定书",
        numbered: true,
        abbrev: "处罚",
        issued_by: &["penalty_decision"],
    },
    DocumentKind {
        code: "service_receipt",
        title: "送达回证",
        numbered: false,
        abbrev: "送",
        issued_by: &["service_receipt"],
    },
    DocumentKind {
        code: "closing_approval",
        title: "结案审批表",
        numbered: false,
        abbrev: "结",
        issued_by: &["closing_report", "closing_approval"],
    },
];

pub fn kind(code: &str) -> Option<&'static DocumentKind> {
    KINDS.iter().find(|k| k.code == code)
}

/// Per-agency document settings.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSettings {
    /// The agency's short name in numbers (e.g. `正市监`); default: the name's first two
    /// characters.
    #[serde(default)]
    pub short_name: Option<String>,
    /// Number patterns by kind, with `{year}` and `{seq}` (e.g. `正市监处罚〔{year}〕{seq}号`).
    #[serde(default)]
    pub patterns: BTreeMap<String, String>,
    /// CASE-6: the reconsideration body; default: the people's government at the agency's level.
    #[serde(default)]
    pub reconsideration: Option<String>,
    /// CASE-6: the court; default: the basic people's court of the agency's region.
    #[serde(default)]
    pub court: Option<String>,
    /// Where fines are paid (CASE-7): bank, account name, account.
    #[serde(default)]
    pub payment: Option<Payment>,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub bank: String,
    pub account_name: String,
    pub account: String,
}

impl DocumentSettings {
    pub fn validate(&self) -> Result<(), Violation> {
        if let Some(s) = &self.short_name {
            check_text("short_name", s, 20, true)?;
        }
        for (k, p) in &self.patterns {
            let Some(kd) = kind(k) else {
                return Err(Violation::new("CASE-6", format!("没有文书种类「{k}」")).at("patterns"));
            };
            check_text("patterns", p, 60, true)?;
            if kd.numbered && !p.contains("{seq}") {
                return Err(Violation::new("CASE-6", format!("{}的文号格式须包含 {{seq}}", kd.title)).at("patterns"));
            }
        }
        for (f, v) in [("reconsideration", &self.reconsideration), ("court", &self.court)] {
            if let Some(v) = v {
                check_text(f, v, 100, true)?;
            }
        }
        Ok(())
    }

    /// The number pattern of a kind for an agency named `agency_name`.
    pub fn pattern(&self, agency_name: &str, kind: &DocumentKind) -> String {
        if let Some(p) = self.patterns.get(kind.code) {
            return p.clone();
        }
        let short = self.short_name.clone().unwrap_or_else(|| agency_name.chars().take(2).collect());
        format!("{short}{}〔{{year}}〕{{seq}}号", kind.abbrev)
    }
}

/// A number from its pattern.
pub fn format_number(pattern: &str, year: i16, seq: u64) -> String {
    pattern.replace("{year}", &year.to_string()).replace("{seq}", &seq.to_string())
}

/// The scope a document sequence counts in.
pub fn number_scope(agency: &str, kind: &str, year: i16) -> String {
    format!("{agency}|{kind}|{year}")
}

/// An issued document, as recorded (`Event::DocumentIssued`).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedDocument {
    /// The verification code doubles as the document's id.
    pub code: String,
    pub case: String,
    pub agency: String,
    pub kind: String,
    /// The step (record seq) whose act the document records or issues.
    pub step_seq: i64,
    /// 文号 and its sequence in the scope, for numbered kinds.
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub seq: Option<u64>,
    /// Hex SHA-256 of the PDF bytes.
    pub sha256: String,
    pub size: u64,
    /// The blob store key of the PDF.
    pub key: String,
    pub issued_at: Timestamp,
    /// The signed note over [`statement`], in C2SP signed-note form (text + signature line).
    pub signature: String,
    /// The verifier key (C2SP vkey) of the signing key.
    pub signing_key: String,
    pub by: String,
}

/// The text the platform signs for a document (REC-1): every line is `field value`.
pub fn statement(d: &IssuedDocument) -> String {
    format!(
        "zhifa/document/v1\nagency {}\nkind {}\nnumber {}\ncase {}\nsha256 {}\nissued_at {}\ncode {}\n",
        d.agency,
        d.kind,
        d.number.as_deref().unwrap_or("-"),
        d.case,
        d.sha256,
        d.issued_at,
        d.code
    )
}

/// The steps of a case that issue documents of `kind`, oldest first.
pub fn issuing_steps<'a>(
    def: &ProcedureDefinition,
    steps: &'a [StepRecord],
    kind: &DocumentKind,
) -> Vec<&'a StepRecord> {
    steps
        .iter()
        .filter(|s| {
            let declared = def.action(&s.step.action).is_some_and(|a| {
                a.records.iter().chain(a.documents.iter()).any(|r| kind.issued_by.contains(&r.as_str()))
            });
            declared
                || s.step.records.iter().chain(s.step.documents.iter()).any(|r| kind.issued_by.contains(&r.as_str()))
        })
        .collect()
}

/// What the check of an issue reads from the store.
pub struct IssueContext<'a> {
    pub case: &'a CaseFile,
    pub def: &'a ProcedureDefinition,
    pub steps: &'a [StepRecord],
    pub account: Option<&'a Account>,
    /// Documents already issued in the case.
    pub issued: &'a [IssuedDocument],
    /// How many numbers the scope has given.
    pub numbered: u64,
    pub pattern: String,
    pub code_taken: bool,
}

/// CASE-6, PROC-1: may this document be recorded as issued, exactly so?
pub fn check_issue(d: &IssuedDocument, cx: &IssueContext, now: Timestamp) -> Result<(), Violation> {
    let k = kind(&d.kind).ok_or_else(|| Violation::new("CASE-6", format!("没有文书种类「{}」", d.kind)).at("kind"))?;
    let Some(account) = cx.account else {
        return Err(Violation::new("SEC-2", format!("账号 {} 不存在", d.by)));
    };
    if account.agency.as_ref() != Some(&cx.case.agency)
        || !(account.has(Role::Officer) || account.has(Role::AgencyHead))
    {
        return Err(Violation::new("SEC-2", "只有本案办案机关的执法人员或负责人可以签发本案文书"));
    }
    if d.agency != cx.case.agency.as_str() {
        return Err(Violation::new("CASE-6", "文书的签发机关须为本案的办案机关"));
    }
    let steps = issuing_steps(cx.def, cx.steps, k);
    if !steps.iter().any(|s| s.seq == d.step_seq) {
        return Err(Violation::new(
            "PROC-1",
            format!("本案尚无签发《{}》的环节，不能制作该文书（CASE-6：文书由相应的办案环节产生）", k.title),
        )
        .at("kind"));
    }
    if let Some(prev) = cx.issued.iter().find(|p| p.kind == d.kind && p.step_seq == d.step_seq) {
        return Err(Violation::new(
            "CASE-6",
            format!(
                "该环节的《{}》已签发（{}），一个行为只出具一份文书",
                k.title,
                prev.number.as_deref().unwrap_or(&prev.code)
            ),
        ));
    }
    if cx.code_taken {
        return Err(Violation::new("LOG-5", "核验码已被使用"));
    }
    let lag = now.duration_since(d.issued_at).abs();
    if lag > jiff::SignedDuration::from_mins(10) {
        return Err(Violation::new("REC-5", "文书的签发时间与服务器时间不符"));
    }
    let year = china_date(d.issued_at).year();
    match (k.numbered, d.seq, &d.number) {
        (true, Some(seq), Some(number)) => {
            let expected = format_number(&cx.pattern, year, cx.numbered + 1);
            if seq != cx.numbered + 1 || *number != expected {
                return Err(Violation::new(
                    "CASE-6",
                    format!("文号应为 {expected}（由平台按本机关的文号格式依次编号，不得重复或跳号）"),
                ));
            }
        }
        (false, None, None) => {}
        _ => {
            return Err(Violation::new(
                "CASE-6",
                format!("《{}》{}文号", k.title, if k.numbered { "须有" } else { "不编" }),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_patterns_and_numbers() {
        let s = DocumentSettings::default();
        let k = kind("penalty_decision").unwrap();
        let p = s.pattern("正定县市场监督管理局", k);
        assert_eq!(p, "正定处罚〔{year}〕{seq}号");
        assert_eq!(format_number(&p, 2026, 12), "正定处罚〔2026〕12号");
        let s = DocumentSettings { short_name: Some("正市监".into()), ..Default::default() };
        assert_eq!(format_number(&s.pattern("x", k), 2026, 1), "正市监处罚〔2026〕1号");
    }

    #[test]
    fn settings_patterns_need_a_sequence() {
        let mut s = DocumentSettings::default();
        s.patterns.insert("penalty_decision".into(), "正市监处罚〔{year}〕号".into());
        assert_eq!(s.validate().unwrap_err().rule, "CASE-6");
        s.patterns.insert("penalty_decision".into(), "正市监处罚〔{year}〕{seq}号".into());
        s.validate().unwrap();
    }

    #[test]
    fn every_kind_is_known_once() {
        for k in KINDS {
            assert_eq!(kind(k.code), Some(k));
        }
        assert_eq!(KINDS.len(), 13);
    }
}
