//! ITEM-1..5: the power-item list (执法事项清单), versions, discretion benchmarks and the
//! random-inspection item list.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::citation::{BasisRole, Citation, Provision};
use crate::codes::CreditCode;
use crate::money::yuan;
use crate::registry::{Domain, check_key};
use crate::violation::{Violation, check_text};

str_enum!(
    /// ITEM-1 kinds of administrative power.
    ItemKind {
        Penalty = "penalty" / "行政处罚",
        Coercion = "coercion" / "行政强制",
        Inspection = "inspection" / "行政检查",
        Licensing = "licensing" / "行政许可",
        Levy = "levy" / "行政征收",
        Confirmation = "confirmation" / "行政确认",
        Benefit = "benefit" / "行政给付",
        Adjudication = "adjudication" / "行政裁决",
        Reward = "reward" / "行政奖励",
        Other = "other" / "其他",
    }
);

str_enum!(
    /// PROC-1: the shipped procedures an item runs under.
    ProcedureKind {
        GeneralPenalty = "general_penalty" / "一般程序",
        SimplePenalty = "simple_penalty" / "简易程序",
        CoerciveMeasure = "coercive_measure" / "行政强制措施",
        Inspection = "inspection" / "行政检查",
        Licensing = "licensing" / "行政许可",
    }
);

str_enum!(
    /// ITEM-3 kinds of change to the list.
    ChangeKind {
        Add = "add" / "新增",
        Amend = "amend" / "变更",
        Cancel = "cancel" / "取消",
        Delegate = "delegate" / "下放",
        Merge = "merge" / "合并",
        ManagementChange = "management_change" / "调整管理方式",
    }
);

str_enum!(
    /// ITEM-4 grades of seriousness.
    Seriousness {
        Minor = "minor" / "轻微",
        General = "general" / "一般",
        Serious = "serious" / "较重",
        Severe = "severe" / "严重",
    }
);

str_enum!(
    /// ITEM-4 effects of a circumstance.
    Effect {
        Exempt = "exempt" / "不予处罚",
        Mitigate = "mitigate" / "减轻处罚",
        Lighten = "lighten" / "从轻处罚",
        Aggravate = "aggravate" / "从重处罚",
    }
);

str_enum!(
    /// Base of a fine expressed as a multiple.
    MultipleOf {
        IllegalGains = "illegal_gains" / "违法所得",
        GoodsValue = "goods_value" / "货值金额",
        Sales = "sales" / "销售额",
    }
);

/// A penalty within a benchmark grade (ITEM-4). Money in fen.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Penalty {
    Warning,
    NoticeOfCriticism,
    Fine { min_fen: i64, max_fen: i64 },
    FineMultiple { of: MultipleOf, min_pct: u32, max_pct: u32 },
    ConfiscateIllegalGains,
    ConfiscateProperty,
    SuspendBusiness,
    RevokeLicence,
    LowerQualification,
    RestrictActivity,
    Detention { min_days: u32, max_days: u32 },
}

impl Penalty {
    pub fn describe(&self) -> String {
        match self {
            Penalty::Warning => "警告".into(),
            Penalty::NoticeOfCriticism => "通报批评".into(),
            Penalty::Fine { min_fen, max_fen } => format!("罚款 {} 元至 {} 元", yuan(*min_fen), yuan(*max_fen)),
            Penalty::FineMultiple { of, min_pct, max_pct } => {
                format!("处{}{}以上{}以下罚款", of.label(), times(*min_pct), times(*max_pct))
            }
            Penalty::ConfiscateIllegalGains => "没收违法所得".into(),
            Penalty::ConfiscateProperty => "没收非法财物".into(),
            Penalty::SuspendBusiness => "责令停产停业".into(),
            Penalty::RevokeLicence => "吊销许可证件".into(),
            Penalty::LowerQualification => "降低资质等级".into(),
            Penalty::RestrictActivity => "限制开展生产经营活动".into(),
            Penalty::Detention { min_days, max_days } => format!("行政拘留 {min_days} 日至 {max_days} 日"),
        }
    }

    fn validate(&self, field: &str) -> Result<(), Violation> {
        let bad = |m: String| Err(Violation::new("ITEM-4", m).at(field));
        match *self {
            Penalty::Fine { min_fen, .. } if min_fen < 0 => bad(format!("罚款下限 {} 元不能为负", yuan(min_fen))),
            Penalty::Fine { min_fen, max_fen } if min_fen > max_fen => {
                bad(format!("罚款下限 {} 元大于上限 {} 元", yuan(min_fen), yuan(max_fen)))
            }
            Penalty::FineMultiple { min_pct, max_pct, .. } if min_pct > max_pct => {
                bad(format!("倍数下限 {} 大于上限 {}", times(min_pct), times(max_pct)))
            }
            Penalty::Detention { min_days, max_days } if min_days > max_days || max_days > 20 => {
                bad(format!("拘留天数 {min_days}–{max_days} 不合法"))
            }
            _ => Ok(()),
        }
    }
}

fn times(pct: u32) -> String {
    if pct.is_multiple_of(100) { format!("{}倍", pct / 100) } else { format!("百分之{pct}") }
}

/// One grade of a benchmark.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    pub grade: Seriousness,
    pub conditions: String,
    pub penalties: Vec<Penalty>,
    /// The penalty provision (罚则) this grade applies; must be in the item's basis.
    pub cites: Provision,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Circumstance {
    pub effect: Effect,
    pub text: String,
}

/// ITEM-4 discretion benchmark (裁量基准).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benchmark {
    pub grades: Vec<Grade>,
    #[serde(default)]
    pub circumstances: Vec<Circumstance>,
    /// 首违不罚 (APL Art. 33).
    #[serde(default)]
    pub first_offence_exempt: bool,
}

/// One version of a power item (ITEM-1, ITEM-3). Versions of an item are numbered from 1;
/// a case keeps the version in force when it was opened.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemVersion {
    pub code: String,
    pub version: u32,
    pub change: ChangeKind,
    pub effective_from: Date,
    pub name: String,
    pub kind: ItemKind,
    pub domain: Domain,
    /// The responsible agency (实施主体).
    pub agency: CreditCode,
    pub procedure: ProcedureKind,
    pub basis: Vec<Citation>,
    #[serde(default)]
    pub benchmark: Option<Benchmark>,
    /// ITEM-3 delegate: the lower-level agency the power is delegated to.
    #[serde(default)]
    pub delegated_to: Option<CreditCode>,
    /// ITEM-3 merge: the item this one was merged into.
    #[serde(default)]
    pub merged_into: Option<String>,
    /// Why the list changed (published with the history).
    #[serde(default)]
    pub note: String,
}

impl ItemVersion {
    /// Is the item a power that may be exercised (ITEM-1/ITEM-3)?
    pub fn in_force(&self) -> bool {
        !matches!(self.change, ChangeKind::Cancel | ChangeKind::Merge)
    }

    /// The agency that exercises the power under this version (ITEM-3 delegation).
    pub fn exercising_agency(&self) -> &CreditCode {
        self.delegated_to.as_ref().unwrap_or(&self.agency)
    }

    /// Checks what a version says on its own; checks against the registry (agency exists,
    /// the previous version, the merge target) are in `event`.
    pub fn validate(&self) -> Result<(), Violation> {
        check_key("code", &self.code, "ITEM-1")?;
        check_text("name", &self.name, 200, true)?;
        check_text("note", &self.note, 500, false)?;
        if self.version == 0 {
            return Err(Violation::new("ITEM-3", "版本号从 1 开始").at("version"));
        }
        if self.in_force() && self.basis.is_empty() {
            return Err(Violation::new("ITEM-1", "事项必须有法律依据").at("basis"));
        }
        for (i, c) in self.basis.iter().enumerate() {
            c.validate(&format!("basis[{i}]"))?;
            if self.basis[..i].contains(c) {
                return Err(Violation::new("ITEM-2", format!("依据 {c} 重复")).at(format!("basis[{i}]")));
            }
        }
        let expected_procedures: &[ProcedureKind] = match self.kind {
            ItemKind::Penalty => &[ProcedureKind::GeneralPenalty, ProcedureKind::SimplePenalty],
            ItemKind::Coercion => &[ProcedureKind::CoerciveMeasure],
            ItemKind::Inspection => &[ProcedureKind::Inspection],
            ItemKind::Licensing => &[ProcedureKind::Licensing],
            _ => ProcedureKind::ALL,
        };
        if !expected_procedures.contains(&self.procedure) {
            return Err(Violation::new(
                "PROC-1",
                format!("{}事项不能适用{}", self.kind.label(), self.procedure.label()),
            )
            .at("procedure"));
        }
        match self.change {
            ChangeKind::Delegate if self.delegated_to.is_none() => {
                return Err(Violation::new("ITEM-3", "下放必须写明承接的执法主体").at("delegated_to"));
            }
            ChangeKind::Merge if self.merged_into.is_none() => {
                return Err(Violation::new("ITEM-3", "合并必须写明并入的事项").at("merged_into"));
            }
            ChangeKind::Merge if self.merged_into.as_deref() == Some(self.code.as_str()) => {
                return Err(Violation::new("ITEM-3", "事项不能并入自身").at("merged_into"));
            }
            ChangeKind::Add if self.version != 1 => {
                return Err(Violation::new("ITEM-3", "新增只能是事项的第 1 版").at("change"));
            }
            c if c != ChangeKind::Add && self.version == 1 => {
                return Err(
                    Violation::new("ITEM-3", format!("事项的第 1 版只能是新增，不能是{}", c.label())).at("change")
                );
            }
            _ => {}
        }
        if let Some(b) = &self.benchmark {
            self.validate_benchmark(b)?;
        }
        Ok(())
    }

    fn validate_benchmark(&self, b: &Benchmark) -> Result<(), Violation> {
        if self.kind != ItemKind::Penalty {
            return Err(Violation::new("ITEM-4", "裁量基准只属于行政处罚事项").at("benchmark"));
        }
        if b.grades.is_empty() {
            return Err(Violation::new("ITEM-4", "裁量基准至少要有一个裁量阶次").at("benchmark.grades"));
        }
        for (i, g) in b.grades.iter().enumerate() {
            let field = format!("benchmark.grades[{i}]");
            if i > 0 && (b.grades[i - 1].grade as u8) >= (g.grade as u8) {
                return Err(Violation::new("ITEM-4", "裁量阶次须按轻微、一般、较重、严重的顺序且不重复").at(field));
            }
            check_text(&format!("{field}.conditions"), &g.conditions, 1000, true)?;
            if g.penalties.is_empty() {
                return Err(Violation::new("ITEM-4", "裁量阶次至少要有一种处罚").at(format!("{field}.penalties")));
            }
            for (j, p) in g.penalties.iter().enumerate() {
                p.validate(&format!("{field}.penalties[{j}]"))?;
            }
            let cited = self.basis.iter().any(|c| c.role == BasisRole::Penalty && c.provision() == g.cites);
            if !cited {
                return Err(Violation::new(
                    "ITEM-2",
                    format!("裁量阶次援引的 {} 不在该事项的罚则依据中", g.cites.to_chinese()),
                )
                .at(format!("{field}.cites")));
            }
        }
        for (i, c) in b.circumstances.iter().enumerate() {
            check_text(&format!("benchmark.circumstances[{i}].text"), &c.text, 500, true)?;
        }
        Ok(())
    }
}

/// ITEM-5: an entry of the random-inspection item list (随机抽查事项清单).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionEntry {
    pub code: String,
    pub domain: Domain,
    /// The inspecting agency.
    pub agency: CreditCode,
    /// The inspection power item it runs under.
    pub item_code: String,
    pub name: String,
    pub basis: Vec<Citation>,
    pub targets: String,
    pub content: String,
    /// Share of targets drawn, percent.
    pub ratio_pct: u32,
    pub frequency: String,
    pub method: String,
}

impl InspectionEntry {
    pub fn validate(&self) -> Result<(), Violation> {
        check_key("code", &self.code, "ITEM-5")?;
        check_text("name", &self.name, 200, true)?;
        check_text("targets", &self.targets, 500, true)?;
        check_text("content", &self.content, 2000, true)?;
        check_text("frequency", &self.frequency, 100, true)?;
        check_text("method", &self.method, 200, true)?;
        if self.ratio_pct == 0 || self.ratio_pct > 100 {
            return Err(
                Violation::new("ITEM-5", format!("抽查比例 {}% 须在 1% 至 100% 之间", self.ratio_pct)).at("ratio_pct")
            );
        }
        if self.basis.is_empty() {
            return Err(Violation::new("ITEM-5", "抽查事项必须有依据").at("basis"));
        }
        for (i, c) in self.basis.iter().enumerate() {
            c.validate(&format!("basis[{i}]"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn food_item() -> ItemVersion {
        crate::testing::item("SCJG-CF-001", 1)
    }

    #[test]
    fn a_sound_item_validates() {
        food_item().validate().unwrap();
    }

    #[test]
    fn benchmark_range_min_above_max_is_refused() {
        let mut it = food_item();
        it.benchmark.as_mut().unwrap().grades[0].penalties[0] =
            Penalty::Fine { min_fen: 7_000_000, max_fen: 5_000_000 };
        let v = it.validate().unwrap_err();
        assert_eq!(v.rule, "ITEM-4");
        assert_eq!(v.message, "罚款下限 70000 元大于上限 50000 元");
        assert_eq!(v.field.as_deref(), Some("benchmark.grades[0].penalties[0]"));
    }

    #[test]
    fn benchmark_citing_a_provision_outside_the_basis_is_refused() {
        let mut it = food_item();
        it.benchmark.as_mut().unwrap().grades[0].cites.article = 125;
        let v = it.validate().unwrap_err();
        assert_eq!(v.rule, "ITEM-2");
        assert!(v.message.contains("第一百二十五条"), "{}", v.message);
    }

    #[test]
    fn cancelled_items_are_not_in_force_and_merges_name_their_target() {
        let mut it = food_item();
        it.version = 2;
        it.change = ChangeKind::Merge;
        assert_eq!(it.validate().unwrap_err().rule, "ITEM-3");
        it.merged_into = Some("SCJG-CF-002".into());
        it.validate().unwrap();
        assert!(!it.in_force());
    }
}
