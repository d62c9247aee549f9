//! Small, valid registry values to build tests from (this crate's tests and the store's,
//! web's and CLI's test suites). Not for production use.

use crate::account::{Account, Role};
use crate::citation::{BasisRole, Citation, Provision};
use crate::codes::{CreditCode, RegionCode, credit_code_complete};
use crate::item::{Benchmark, ChangeKind, Grade, ItemKind, ItemVersion, Penalty, ProcedureKind, Seriousness};
use crate::registry::{Agency, AgencyStatus, CertStatus, Certificate, Domain, Employment, Level, Officer};
use jiff::civil::date;

pub fn code(i: u32) -> CreditCode {
    credit_code_complete(&format!("11130123{:09}", 100_000_000 + i)).expect("valid code")
}

pub fn region() -> RegionCode {
    RegionCode::parse("130123").expect("region")
}

pub fn agency(i: u32) -> Agency {
    Agency {
        code: code(i),
        name: format!("测试县第{i}执法局"),
        region: region(),
        level: Level::County,
        domains: vec![Domain::MarketRegulation],
        status: AgencyStatus::Published,
        entrusted_by: None,
        address: String::new(),
        phone: String::new(),
    }
}

pub fn officer(staff_no: &str, agency: u32) -> Officer {
    Officer {
        staff_no: staff_no.into(),
        name: "张三".into(),
        agency: code(agency),
        position: "科员".into(),
        employment: Employment::Established,
        badge_no: None,
        legal_qualification: false,
    }
}

pub fn certificate(number: &str, holder: &str) -> Certificate {
    Certificate {
        number: number.into(),
        holder: holder.into(),
        categories: vec![Domain::MarketRegulation],
        region: region(),
        issued_on: date(2025, 1, 10),
        expires_on: date(2030, 1, 9),
        status: CertStatus::Valid,
        last_check_on: None,
    }
}

pub fn item(code_: &str, agency: u32) -> ItemVersion {
    let law = "中华人民共和国食品安全法".to_string();
    ItemVersion {
        code: code_.into(),
        version: 1,
        change: ChangeKind::Add,
        effective_from: date(2024, 1, 1),
        name: "对经营超过保质期的食品的行政处罚".into(),
        kind: ItemKind::Penalty,
        domain: Domain::MarketRegulation,
        agency: code(agency),
        procedure: ProcedureKind::GeneralPenalty,
        basis: vec![
            Citation { law: law.clone(), article: 34, paragraph: None, item: Some(10), role: BasisRole::Violated },
            Citation { law: law.clone(), article: 124, paragraph: Some(1), item: Some(5), role: BasisRole::Penalty },
        ],
        benchmark: Some(Benchmark {
            grades: vec![Grade {
                grade: Seriousness::General,
                conditions: "货值金额不足一万元".into(),
                penalties: vec![Penalty::Fine { min_fen: 5_000_000, max_fen: 7_000_000 }],
                cites: Provision { law, article: 124, paragraph: Some(1), item: Some(5) },
            }],
            circumstances: vec![],
            first_offence_exempt: false,
        }),
        delegated_to: None,
        merged_into: None,
        note: String::new(),
    }
}

pub fn admin() -> Account {
    Account {
        login: "admin".into(),
        display_name: "管理员".into(),
        roles: vec![Role::SystemAdmin, Role::Supervisor],
        agency: None,
        staff_no: None,
        disabled: false,
    }
}
