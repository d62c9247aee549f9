//! "May this officer act on this item today, and if not, which rule says no"
//! (SUBJ-1, STAFF-2..4, ITEM-1, ITEM-3).

use jiff::civil::Date;
use serde::Serialize;

use crate::item::ItemVersion;
use crate::registry::{Agency, AgencyStatus, Certificate, Employment, Officer, Qualification, QualificationPolicy};
use crate::violation::Violation;

/// Everything the answer depends on, as of `today`.
pub struct ActingCase<'a> {
    pub officer: &'a Officer,
    pub qualification: &'a Qualification,
    pub certificates: &'a [Certificate],
    /// The officer's agency.
    pub agency: &'a Agency,
    /// The item version in force today.
    pub item: &'a ItemVersion,
    pub today: Date,
    pub policy: &'a QualificationPolicy,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    pub allowed: bool,
    /// The certificate that allows it, when allowed.
    pub certificate: Option<String>,
    /// Every rule that says no, most fundamental first.
    pub refusals: Vec<Violation>,
}

pub fn may_act(c: &ActingCase<'_>) -> Eligibility {
    let mut refusals = Vec::new();
    let who = &c.officer.name;
    // SUBJ-1 / SUBJ-2: the agency must be able to act (in its own or the entrusting name).
    if c.agency.status != AgencyStatus::Published {
        refusals.push(Violation::new(
            "SUBJ-1",
            format!("{}的执法主体资格状态为「{}」，未经确认并公告不得执法", c.agency.name, c.agency.status.label()),
        ));
    }
    // ITEM-1 / ITEM-3: the item must be in force and belong to the agency.
    if !c.item.in_force() || c.item.effective_from > c.today {
        refusals.push(Violation::new(
            "ITEM-3",
            format!("事项 {}（第 {} 版）在 {} 不在清单内", c.item.code, c.item.version, c.today),
        ));
    }
    if c.item.exercising_agency() != c.agency.acts_in_name_of() && c.item.exercising_agency() != &c.agency.code {
        refusals.push(Violation::new(
            "ITEM-1",
            format!("事项 {} 不属于{}的权责清单，不得在清单之外行使职权", c.item.code, c.agency.name),
        ));
    }
    // STAFF-4: only established officers count.
    if c.officer.employment != Employment::Established {
        refusals.push(Violation::new("STAFF-4", format!("{who}为{}，不得作为执法人员", c.officer.employment.label())));
    }
    // STAFF-3: exam (or legal-profession qualification) and last year's training.
    if c.qualification.exam_passed_on.is_none() && !c.officer.legal_qualification {
        refusals.push(Violation::new("STAFF-3", format!("{who}未通过执法资格考试，也无法律职业资格")));
    }
    // STAFF-2: a usable certificate whose category covers the item.
    let mut best: Option<&Certificate> = None;
    let mut cert_reasons = Vec::new();
    for cert in c.certificates {
        let standing = cert.standing(c.today, c.policy);
        if !standing.state.usable() {
            let rule =
                if matches!(standing.state, crate::registry::CertState::CheckOverdue) { "STAFF-3" } else { "STAFF-2" };
            cert_reasons.push(Violation::new(rule, format!("执法证 {} {}", cert.number, standing.state.label())));
            continue;
        }
        if !cert.categories.contains(&c.item.domain) {
            cert_reasons.push(Violation::new(
                "STAFF-2",
                format!("执法证 {} 的执法类别不含「{}」", cert.number, c.item.domain.label()),
            ));
            continue;
        }
        if let Some(first_year) = cert.issued_on.year().checked_add(1) {
            let last_year = c.today.year() - 1;
            let hours = c.qualification.hours_in(last_year);
            if last_year >= first_year && hours < c.policy.training_hours_per_year {
                cert_reasons.push(Violation::new(
                    "STAFF-3",
                    format!("{who} {last_year} 年度培训 {hours} 学时，不足 {} 学时", c.policy.training_hours_per_year),
                ));
                continue;
            }
        }
        best = Some(cert);
        break;
    }
    if best.is_none() {
        if c.certificates.is_empty() {
            refusals.push(Violation::new("STAFF-2", format!("{who}没有执法证")));
        } else {
            refusals.extend(cert_reasons);
        }
    }
    Eligibility { allowed: refusals.is_empty(), certificate: best.map(|c| c.number.clone()), refusals }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::ChangeKind;
    use crate::registry::{CertStatus, Domain, RevocationReason};
    use crate::testing;
    use jiff::civil::date;

    struct Fixture {
        officer: Officer,
        q: Qualification,
        certs: Vec<Certificate>,
        agency: Agency,
        item: ItemVersion,
        policy: QualificationPolicy,
    }

    impl Fixture {
        fn new() -> Self {
            let mut cert = testing::certificate("13012320230001", "SJ001");
            cert.issued_on = date(2023, 7, 1);
            cert.expires_on = date(2028, 6, 30);
            cert.last_check_on = Some(date(2025, 6, 1));
            Fixture {
                officer: testing::officer("SJ001", 1),
                q: Qualification { exam_passed_on: Some(date(2023, 6, 1)), training: vec![(2025, 40)] },
                certs: vec![cert],
                agency: testing::agency(1),
                item: testing::item("SCJG-CF-001", 1),
                policy: QualificationPolicy::default(),
            }
        }
        fn ask(&self, today: Date) -> Eligibility {
            may_act(&ActingCase {
                officer: &self.officer,
                qualification: &self.q,
                certificates: &self.certs,
                agency: &self.agency,
                item: &self.item,
                today,
                policy: &self.policy,
            })
        }
    }

    fn rules(e: &Eligibility) -> Vec<&'static str> {
        e.refusals.iter().map(|v| v.rule).collect()
    }

    #[test]
    fn a_qualified_officer_may_act() {
        let e = Fixture::new().ask(date(2026, 3, 2));
        assert!(e.allowed, "{:?}", e.refusals);
        assert_eq!(e.certificate.as_deref(), Some("13012320230001"));
    }

    #[test]
    fn each_shortcut_names_its_rule() {
        let today = date(2026, 3, 2);
        let mut f = Fixture::new();
        f.certs[0].status = CertStatus::Revoked { on: date(2026, 1, 1), reason: RevocationReason::Transferred };
        assert_eq!(rules(&f.ask(today)), ["STAFF-2"]);

        let mut f = Fixture::new();
        f.certs[0].categories = vec![Domain::Transport];
        assert_eq!(rules(&f.ask(today)), ["STAFF-2"]);

        let mut f = Fixture::new();
        f.officer.employment = Employment::Auxiliary;
        assert_eq!(rules(&f.ask(today)), ["STAFF-4"]);

        let mut f = Fixture::new();
        f.q.training = vec![(2025, 12)];
        let e = f.ask(today);
        assert_eq!(rules(&e), ["STAFF-3"]);
        assert_eq!(e.refusals[0].message, "张三 2025 年度培训 12 学时，不足 40 学时");

        let mut f = Fixture::new();
        f.certs[0].last_check_on = None; // due 2025-07-01, overdue by 2026
        assert_eq!(rules(&f.ask(today)), ["STAFF-3"]);

        let mut f = Fixture::new();
        f.agency.status = AgencyStatus::Confirmed;
        assert_eq!(rules(&f.ask(today)), ["SUBJ-1"]);

        let mut f = Fixture::new();
        f.item.change = ChangeKind::Cancel;
        f.item.version = 2;
        assert_eq!(rules(&f.ask(today)), ["ITEM-3"]);

        let f = Fixture::new();
        assert!(f.ask(date(2028, 7, 1)).refusals.iter().any(|v| v.message.contains("已过期")));
    }
}
