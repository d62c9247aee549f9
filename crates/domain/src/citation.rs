//! ITEM-2 legal-basis citations down to article, paragraph and item (条、款、项).

use serde::{Deserialize, Serialize};

use crate::violation::{Violation, check_text};

/// What a cited provision does for an item.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisRole {
    /// 违则: the provision the party violated.
    Violated,
    /// 罚则: the provision that sets the penalty.
    Penalty,
    /// 授权: the provision that empowers the act (coercion, inspection, licensing).
    Authority,
}

impl BasisRole {
    pub fn label(self) -> &'static str {
        match self {
            BasisRole::Violated => "违则",
            BasisRole::Penalty => "罚则",
            BasisRole::Authority => "依据",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "violated" | "违则" => Some(BasisRole::Violated),
            "penalty" | "罚则" => Some(BasisRole::Penalty),
            "authority" | "依据" => Some(BasisRole::Authority),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BasisRole::Violated => "violated",
            BasisRole::Penalty => "penalty",
            BasisRole::Authority => "authority",
        }
    }
}

/// A provision: law, article, and optionally paragraph and item.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Provision {
    pub law: String,
    pub article: u16,
    #[serde(default)]
    pub paragraph: Option<u16>,
    #[serde(default)]
    pub item: Option<u16>,
}

/// A citation in an item's legal basis: a provision and its role.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Citation {
    pub law: String,
    pub article: u16,
    #[serde(default)]
    pub paragraph: Option<u16>,
    #[serde(default)]
    pub item: Option<u16>,
    pub role: BasisRole,
}

impl Citation {
    pub fn provision(&self) -> Provision {
        Provision { law: self.law.clone(), article: self.article, paragraph: self.paragraph, item: self.item }
    }

    pub fn validate(&self, field: &str) -> Result<(), Violation> {
        self.provision().validate(field)
    }
}

impl Provision {
    pub fn validate(&self, field: &str) -> Result<(), Violation> {
        check_text(&format!("{field}.law"), &self.law, 100, true)?;
        if self.law.contains('《') || self.law.contains('》') {
            return Err(Violation::new("ITEM-2", "法律名称不带书名号").at(format!("{field}.law")));
        }
        if self.article == 0 {
            return Err(Violation::new("ITEM-2", "条的序号必须从 1 开始").at(format!("{field}.article")));
        }
        if self.paragraph == Some(0) || self.item == Some(0) {
            return Err(Violation::new("ITEM-2", "款、项的序号必须从 1 开始").at(field));
        }
        Ok(())
    }

    /// 《中华人民共和国食品安全法》第一百二十四条第一款第（一）项
    pub fn to_chinese(&self) -> String {
        let mut s = format!("《{}》第{}条", self.law, chinese_number(self.article as u32));
        if let Some(p) = self.paragraph {
            s.push_str(&format!("第{}款", chinese_number(p as u32)));
        }
        if let Some(i) = self.item {
            s.push_str(&format!("第（{}）项", chinese_number(i as u32)));
        }
        s
    }
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.provision().to_chinese())
    }
}

/// Chinese numerals as used in statute citations: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十,
/// 105 → 一百零五, 124 → 一百二十四, 1000 → 一千.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return "零".into();
    }
    if n < 10 {
        return DIGITS[n as usize].into();
    }
    if n < 20 {
        return format!("十{}", if n == 10 { "" } else { DIGITS[(n - 10) as usize] });
    }
    let units = [(1000, "千"), (100, "百"), (10, "十")];
    let mut out = String::new();
    let mut rest = n;
    let mut pending_zero = false;
    for (value, name) in units {
        let d = rest / value;
        rest %= value;
        if d > 0 {
            if pending_zero {
                out.push('零');
                pending_zero = false;
            }
            out.push_str(DIGITS[d as usize]);
            out.push_str(name);
        } else if !out.is_empty() {
            pending_zero = true;
        }
    }
    if rest > 0 {
        if pending_zero {
            out.push('零');
        }
        out.push_str(DIGITS[rest as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_as_in_statutes() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (33, "三十三"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (124, "一百二十四"),
            (1000, "一千"),
            (1001, "一千零一"),
        ];
        for (n, want) in cases {
            assert_eq!(chinese_number(n), want, "{n}");
        }
    }

    #[test]
    fn citation_renders_to_item_depth() {
        // ITEM-2
        let c = Provision {
            law: "中华人民共和国食品安全法".into(), article: 124, paragraph: Some(1), item: Some(1)
        };
        assert_eq!(c.to_chinese(), "《中华人民共和国食品安全法》第一百二十四条第一款第（一）项");
        let c =
            Provision { law: "中华人民共和国行政处罚法".into(), article: 33, paragraph: None, item: None };
        assert_eq!(c.to_chinese(), "《中华人民共和国行政处罚法》第三十三条");
    }

    #[test]
    fn law_names_are_stored_without_book_title_marks() {
        let c = Provision { law: "《食品安全法》".into(), article: 1, paragraph: None, item: None };
        assert_eq!(c.validate("basis[0]").unwrap_err().rule, "ITEM-2");
    }
}
