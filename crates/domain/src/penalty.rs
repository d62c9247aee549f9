//! Penalty arithmetic and thresholds the case engine applies: case numbers (CASE-1), the
//! simple-procedure caps (APL Art. 51), the hearing right (APL Art. 63, CASE-4) and the
//! late-payment surcharge (CASE-7; APL Art. 72, ACL Art. 45). Money in fen.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::codes::RegionCode;
use crate::item::{ItemKind, Penalty};
use crate::violation::Violation;

/// Who the party is: the thresholds differ.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 公民
    Person,
    /// 法人或者其他组织
    Organisation,
}

/// CASE-1: the case-number rule, configurable per province. Placeholders: `{region}` (GB/T
/// 2260, 6 digits), `{year}` (4 digits), `{year2}` (2 digits), `{kind}` (2 digits, the kind
/// of power), `{org}` (1 character, the organisation type of Fujian's 一案一码), `{seq:N}`
/// (the sequence, zero-padded to N digits; required). Anything else is literal text.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNumberRule {
    pub pattern: String,
}

impl Default for CaseNumberRule {
    /// Region, year, kind, sequence: `13012320260100001`.
    fn default() -> Self {
        CaseNumberRule { pattern: "{region}{year}{kind}{seq:5}".into() }
    }
}

/// What a case number is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNumberParts {
    pub region: RegionCode,
    pub year: i16,
    pub kind: ItemKind,
    pub org: char,
    pub seq: u64,
}

fn kind_code(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Penalty => "01",
        ItemKind::Coercion => "02",
        ItemKind::Inspection => "03",
        ItemKind::Licensing => "04",
        ItemKind::Levy => "05",
        ItemKind::Confirmation => "06",
        ItemKind::Benefit => "07",
        ItemKind::Adjudication => "08",
        ItemKind::Reward => "09",
        ItemKind::Other => "99",
    }
}

enum Piece {
    Text(String),
    Region,
    Year,
    Year2,
    Kind,
    Org,
    Seq(usize),
}

impl CaseNumberRule {
    fn pieces(&self) -> Result<Vec<Piece>, Violation> {
        let bad = |m: String| Violation::new("CASE-1", m).at("pattern");
        let mut out = Vec::new();
        let mut rest = self.pattern.as_str();
        let mut seq = false;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                out.push(Piece::Text(rest[..open].to_string()));
            }
            let close = rest[open..].find('}').ok_or_else(|| bad(format!("「{}」缺少右花括号", self.pattern)))? + open;
            let name = &rest[open + 1..close];
            out.push(match name {
                "region" => Piece::Region,
                "year" => Piece::Year,
                "year2" => Piece::Year2,
                "kind" => Piece::Kind,
                "org" => Piece::Org,
                s if s.starts_with("seq:") => {
                    let n: usize = s[4..]
                        .parse()
                        .ok()
                        .filter(|n| (1..=12).contains(n))
                        .ok_or_else(|| bad(format!("序号位数「{}」须为 1 至 12", &s[4..])))?;
                    seq = true;
                    Piece::Seq(n)
                }
                other => return Err(bad(format!("未知的占位符 {{{other}}}"))),
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            out.push(Piece::Text(rest.to_string()));
        }
        if !seq {
            return Err(bad("案件编号规则必须含有序号 {seq:N}，否则编号不能唯一".into()));
        }
        Ok(out)
    }

    pub fn validate(&self) -> Result<(), Violation> {
        self.pieces().map(|_| ())
    }

    /// The case number for `parts`; refuses a sequence too long for its width (numbers are
    /// never reused or truncated).
    pub fn format(&self, p: &CaseNumberParts) -> Result<String, Violation> {
        let mut s = String::new();
        for piece in self.pieces()? {
            match piece {
                Piece::Text(t) => s.push_str(&t),
                Piece::Region => s.push_str(p.region.as_str()),
                Piece::Year => s.push_str(&format!("{:04}", p.year)),
                Piece::Year2 => s.push_str(&format!("{:02}", p.year.rem_euclid(100))),
                Piece::Kind => s.push_str(kind_code(p.kind)),
                Piece::Org => s.push(p.org),
                Piece::Seq(n) => {
                    let digits = p.seq.to_string();
                    if digits.len() > n {
                        return Err(Violation::new(
                            "CASE-1",
                            format!("本年度序号 {} 超出编号规则的 {n} 位，请调整编号规则", p.seq),
                        ));
                    }
                    s.push_str(&format!("{:0>n$}", digits));
                }
            }
        }
        Ok(s)
    }
}

/// APL Art. 51: the simple (on-the-spot) procedure only for a warning, or a fine of at most
/// ¥200 for a citizen or ¥3,000 for an organisation.
pub fn simple_procedure_allows(party: PartyKind, penalties: &[DecidedPenalty]) -> Result<(), Violation> {
    let cap = match party {
        PartyKind::Person => 20_000,
        PartyKind::Organisation => 300_000,
    };
    for p in penalties {
        match p {
            DecidedPenalty::Warning => {}
            DecidedPenalty::Fine { fen } if *fen <= cap => {}
            DecidedPenalty::Fine { fen } => {
                return Err(Violation::new(
                    "PROC-1",
                    format!(
                        "罚款 {} 元超过简易程序上限 {} 元（《行政处罚法》第五十一条），应适用一般程序",
                        crate::money::yuan(*fen),
                        crate::money::yuan(cap)
                    ),
                ));
            }
            other => {
                return Err(Violation::new(
                    "PROC-1",
                    format!("简易程序只能给予警告或小额罚款，不能{}（《行政处罚法》第五十一条）", other.label()),
                ));
            }
        }
    }
    Ok(())
}

/// A penalty as decided in a case (amounts fixed), as opposed to a benchmark's range.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecidedPenalty {
    Warning,
    NoticeOfCriticism,
    Fine { fen: i64 },
    ConfiscateIllegalGains { fen: i64 },
    ConfiscateProperty { fen: i64 },
    SuspendBusiness,
    RevokeLicence,
    LowerQualification,
    RestrictActivity,
    OrderClosure,
    Detention { days: u32 },
}

impl DecidedPenalty {
    pub fn label(&self) -> &'static str {
        match self {
            DecidedPenalty::Warning => "警告",
            DecidedPenalty::NoticeOfCriticism => "通报批评",
            DecidedPenalty::Fine { .. } => "罚款",
            DecidedPenalty::ConfiscateIllegalGains { .. } => "没收违法所得",
            DecidedPenalty::ConfiscateProperty { .. } => "没收非法财物",
            DecidedPenalty::SuspendBusiness => "责令停产停业",
            DecidedPenalty::RevokeLicence => "吊销许可证件",
            DecidedPenalty::LowerQualification => "降低资质等级",
            DecidedPenalty::RestrictActivity => "限制开展生产经营活动",
            DecidedPenalty::OrderClosure => "责令关闭",
            DecidedPenalty::Detention { .. } => "行政拘留",
        }
    }

    /// Is this decided penalty within a benchmark penalty's range (AID-1, SUP-1)? Multiples
    /// need the base amount, so they are judged by the caller.
    pub fn within(&self, range: &Penalty) -> Option<bool> {
        match (self, range) {
            (DecidedPenalty::Fine { fen }, Penalty::Fine { min_fen, max_fen }) => {
                Some((min_fen..=max_fen).contains(&fen))
            }
            (DecidedPenalty::Detention { days }, Penalty::Detention { min_days, max_days }) => {
                Some((min_days..=max_days).contains(&days))
            }
            _ => None,
        }
    }
}

/// CASE-4: what counts as a large fine or large confiscation for the hearing right;
/// configurable per agency and region (e.g. police: ¥2,000 for a person, ¥10,000 for an
/// organisation).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingThresholds {
    pub person_fen: i64,
    pub organisation_fen: i64,
}

impl Default for HearingThresholds {
    fn default() -> Self {
        HearingThresholds { person_fen: 200_000, organisation_fen: 1_000_000 }
    }
}

/// APL Art. 63: the party may ask for a hearing before a large fine or large confiscation,
/// lowering a qualification or revoking a licence, ordering suspension or closure, or
/// restricting activity. Returns the penalties that give the right.
pub fn hearing_right<'a>(
    party: PartyKind,
    penalties: &'a [DecidedPenalty],
    t: &HearingThresholds,
) -> Vec<&'a DecidedPenalty> {
    let large = match party {
        PartyKind::Person => t.person_fen,
        PartyKind::Organisation => t.organisation_fen,
    };
    penalties
        .iter()
        .filter(|p| match p {
            DecidedPenalty::Fine { fen }
            | DecidedPenalty::ConfiscateIllegalGains { fen }
            | DecidedPenalty::ConfiscateProperty { fen } => *fen >= large,
            DecidedPenalty::LowerQualification
            | DecidedPenalty::RevokeLicence
            | DecidedPenalty::SuspendBusiness
            | DecidedPenalty::OrderClosure
            | DecidedPenalty::RestrictActivity => true,
            _ => false,
        })
        .collect()
}

/// CASE-7 (APL Art. 72(1), ACL Art. 45): a fine not paid by `due` incurs 3% of the fine for
/// each day after it, in total never more than the fine itself. Calendar days; `paid_on`
/// is the day of payment (or the day of the calculation).
pub fn late_surcharge(fine_fen: i64, due: Date, paid_on: Date) -> i64 {
    if paid_on <= due || fine_fen <= 0 {
        return 0;
    }
    let days = (paid_on - due).get_days() as i64;
    // 3% a day, to the fen (rounded down), capped at the fine.
    (fine_fen.saturating_mul(3).saturating_mul(days) / 100).min(fine_fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn parts(seq: u64) -> CaseNumberParts {
        CaseNumberParts {
            region: RegionCode::parse("130123").unwrap(),
            year: 2026,
            kind: ItemKind::Penalty,
            org: '2',
            seq,
        }
    }

    #[test]
    fn case1_numbers_follow_the_configured_rule() {
        assert_eq!(CaseNumberRule::default().format(&parts(12)).unwrap(), "13012320260100012");
        // Fujian's 一案一码: organisation type 1, region 6, year 2, serial 5 = 14 digits.
        let fujian = CaseNumberRule { pattern: "{org}{region}{year2}{seq:5}".into() };
        assert_eq!(fujian.format(&parts(7)).unwrap(), "21301232600007");
        let readable = CaseNumberRule { pattern: "冀正市监罚〔{year}〕{seq:3}号".into() };
        assert_eq!(readable.format(&parts(12)).unwrap(), "冀正市监罚〔2026〕012号");
        let e = readable.format(&parts(1000)).unwrap_err();
        assert_eq!(e.rule, "CASE-1");
        assert!(CaseNumberRule { pattern: "{region}{year}".into() }.validate().unwrap_err().message.contains("序号"));
        assert!(CaseNumberRule { pattern: "{region}{yr}{seq:5}".into() }.validate().is_err());
        assert!(CaseNumberRule { pattern: "{seq:5".into() }.validate().is_err());
    }

    #[test]
    fn apl51_simple_procedure_caps() {
        use DecidedPenalty::*;
        simple_procedure_allows(PartyKind::Person, &[Fine { fen: 20_000 }]).unwrap();
        simple_procedure_allows(PartyKind::Person, &[Warning]).unwrap();
        let e = simple_procedure_allows(PartyKind::Person, &[Fine { fen: 20_001 }]).unwrap_err();
        assert_eq!(e.message, "罚款 200.01 元超过简易程序上限 200 元（《行政处罚法》第五十一条），应适用一般程序");
        simple_procedure_allows(PartyKind::Organisation, &[Fine { fen: 300_000 }]).unwrap();
        assert!(simple_procedure_allows(PartyKind::Organisation, &[SuspendBusiness]).is_err());
    }

    #[test]
    fn apl63_hearing_right() {
        use DecidedPenalty::*;
        let t = HearingThresholds { person_fen: 200_000, organisation_fen: 1_000_000 };
        assert!(hearing_right(PartyKind::Person, &[Fine { fen: 199_999 }, Warning], &t).is_empty());
        assert_eq!(hearing_right(PartyKind::Person, &[Fine { fen: 200_000 }], &t).len(), 1);
        assert!(hearing_right(PartyKind::Organisation, &[Fine { fen: 200_000 }], &t).is_empty());
        assert_eq!(hearing_right(PartyKind::Organisation, &[RevokeLicence, Warning], &t), vec![&RevokeLicence]);
    }

    #[test]
    fn case7_three_percent_a_day_capped_at_the_fine() {
        let due = date(2026, 3, 16);
        assert_eq!(late_surcharge(1_000_000, due, due), 0);
        assert_eq!(late_surcharge(1_000_000, due, date(2026, 3, 17)), 30_000);
        assert_eq!(late_surcharge(1_000_000, due, date(2026, 3, 26)), 300_000);
        assert_eq!(late_surcharge(1_000_000, due, date(2026, 4, 18)), 990_000, "33 days");
        assert_eq!(late_surcharge(1_000_000, due, date(2026, 4, 19)), 1_000_000, "34 days: capped at the fine");
        assert_eq!(late_surcharge(1_000_000, due, date(2027, 1, 1)), 1_000_000);
        assert_eq!(late_surcharge(333, due, date(2026, 3, 17)), 9, "to the fen, rounded down");
    }

    #[test]
    fn decided_fines_are_judged_against_the_benchmark() {
        let range = Penalty::Fine { min_fen: 5_000_000, max_fen: 7_000_000 };
        assert_eq!(DecidedPenalty::Fine { fen: 6_000_000 }.within(&range), Some(true));
        assert_eq!(DecidedPenalty::Fine { fen: 8_000_000 }.within(&range), Some(false));
        assert_eq!(DecidedPenalty::Warning.within(&range), None);
    }
}
