//! GB/T 2260 administrative divisions (province, city, county), shipped as data
//! (`data/regions.csv`, see `data/README.md` for its source).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::codes::{RegionCode, RegionLevel};

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
}

const CSV: &str = include_str!("../data/regions.csv");

fn table() -> &'static BTreeMap<String, Region> {
    static TABLE: OnceLock<BTreeMap<String, Region>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = BTreeMap::new();
        for (n, line) in CSV.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            fn bad<T>(n: usize, line: &str) -> T {
                panic!("data/regions.csv line {}: malformed: {line}", n + 1)
            }
            if cols.len() != 4 {
                bad::<()>(n, line);
            }
            let code = RegionCode::parse(cols[0]).unwrap_or_else(|_| bad(n, line));
            let level = match cols[2] {
                "province" => RegionLevel::Province,
                "city" => RegionLevel::City,
                "county" => RegionLevel::County,
                _ => bad(n, line),
            };
            let parent = if cols[3].is_empty() {
                None
            } else {
                Some(RegionCode::parse(cols[3]).unwrap_or_else(|_| bad(n, line)))
            };
            out.insert(code.as_str().to_string(), Region { code, name: cols[1].to_string(), level, parent });
        }
        out
    })
}

pub fn lookup(code: &RegionCode) -> Option<&'static Region> {
    table().get(code.as_str())
}

pub fn all() -> impl Iterator<Item = &'static Region> {
    table().values()
}

/// "河北省石家庄市正定县"
pub fn full_name(code: &RegionCode) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = lookup(code);
    while let Some(r) = cur {
        parts.push(r.name.as_str());
        cur = r.parent.as_ref().and_then(lookup);
    }
    if parts.is_empty() {
        return None;
    }
    parts.reverse();
    parts.dedup();
    Some(parts.concat())
}

/// Children of a region (all provinces for `None`).
pub fn children(code: Option<&RegionCode>) -> Vec<&'static Region> {
    all().filter(|r| r.parent.as_ref() == code).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_has_the_demo_county() {
        let zd = RegionCode::parse("130123").unwrap();
        assert_eq!(full_name(&zd).as_deref(), Some("河北省石家庄市正定县"));
        let counties = all().filter(|r| r.level == RegionLevel::County).count();
        assert!(counties > 2500, "{counties}");
        assert!(children(None).len() >= 31);
    }
}
