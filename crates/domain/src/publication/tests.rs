use jiff::civil::date;
use serde_json::json;

use super::*;
use crate::case::{CaseFile, Party, StepRecord};
use crate::procedure::DefinitionId;
use crate::testing::{agency, code, item};

fn person_case(procedure: &str) -> CaseFile {
    CaseFile {
        number: "13012320260100001".into(),
        agency: code(1),
        item: "SCJG-CF-001".into(),
        item_version: 1,
        procedure: DefinitionId { code: procedure.into(), version: 1 },
        party: Party {
            kind: PartyKind::Person,
            name: "张三丰".into(),
            id_number: Some("11010519491231002X".into()),
            legal_rep: None,
            address: Some("正定县恒山路12号3单元502室".into()),
            phone: Some("13812345678".into()),
        },
        summary: "张三丰经营超过保质期的食品".into(),
        opened_by: "a1".into(),
        flags: vec![],
    }
}

fn decision(text: &str, fen: i64) -> StepRecord {
    serde_json::from_value(json!({
        "seq": 42,
        "at": "2026-03-02T02:00:00Z",
        "roles": ["officer"],
        "step": {"action": "decide_on_site", "by": "a1", "text": text,
                  "penalties": [{"kind": "fine", "fen": fen}]},
        "facts": {}
    }))
    .unwrap()
}

fn publish(case: &CaseFile, steps: &[StepRecord], cal: &Calendar) -> Publication {
    let (a, i) = (agency(1), item("SCJG-CF-001", 1));
    let policy = PublicationPolicy::default();
    build(&DecisionInput {
        case,
        steps,
        decision: steps.len() - 1,
        action_label: "当场作出处罚决定并交付",
        agency: &a,
        item: &i,
        persons: &[KnownPerson::new("李四", PersonRole::Witness)],
        calendar: cal,
        policy: &policy,
    })
}

#[test]
fn pub4_pub5_a_citizens_decision_is_published_redacted_with_its_due_date() {
    let case = person_case("simple_penalty");
    let steps = [decision("张三丰（身份证 11010519491231002X，电话 13812345678）当场缴纳。证人李四在场。", 20_000)];
    let p = publish(&case, &steps, &Calendar::shipped());
    assert_eq!(p.party.name, "张某某");
    assert_eq!(p.party.id_masked.as_deref(), Some("1****************X"));
    assert_eq!(p.decided_on, date(2026, 3, 2));
    // PUB-4: 7 working days after Monday 2 March 2026.
    assert_eq!(p.due, date(2026, 3, 11));
    assert!(!p.due_provisional);
    // PUB-6: a ¥200 fine: three months.
    assert_eq!(p.until, date(2026, 6, 2));
    let all = serde_json::to_string(&p).unwrap();
    for secret in ["张三丰", "11010519491231002X", "13812345678", "李四", "12号3单元"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    assert!(p.text.contains("张某某") && p.text.contains("李某"), "{}", p.text);
    check_no_leak(&p, &case, &[]).unwrap();
    let open = OpenRecord::of(&p);
    assert_eq!(open.cf_xdr_lb, "自然人");
    assert_eq!(open.cf_nr_fk, "0.02");
    assert_eq!(open.cf_jdrq, "2026/03/02");
    assert_eq!(open.values().len(), OPEN_FIELDS.len());
}

#[test]
fn pub5_legal_persons_are_shown_and_the_legal_rep_only_in_cf_frdb() {
    let mut case = person_case("general_penalty");
    case.party = Party {
        kind: PartyKind::Organisation,
        name: "正定县王五食品有限公司".into(),
        id_number: Some(code(9).to_string()),
        legal_rep: Some("王五".into()),
        address: None,
        phone: None,
    };
    case.summary = "经营超过保质期的食品，法定代表人王五到场".into();
    let steps = [decision("", 5_000_000)];
    let p = publish(&case, &steps, &Calendar::shipped());
    assert_eq!(p.party.name, "正定县王五食品有限公司");
    assert!(p.text.contains("正定县王五食品有限公司"), "{}", p.text);
    assert!(p.title.contains("法定代表人王某"), "{}", p.title);
    assert!(p.text.contains("行政复议"), "general procedure: the full text");
    assert_eq!(OpenRecord::of(&p).cf_frdb, "王五");
    assert_eq!(OpenRecord::of(&p).cf_xdr_shxym, code(9).to_string());
    // ¥50,000 is no low fine: three years.
    assert_eq!(p.until, date(2029, 3, 2));
    check_no_leak(&p, &case, &[]).unwrap();
}

#[test]
fn pub5_a_publication_with_a_name_unmasked_is_refused() {
    let case = person_case("simple_penalty");
    let mut p = publish(&case, &[decision("x", 100)], &Calendar::shipped());
    p.text.push_str("张三丰");
    assert_eq!(check_no_leak(&p, &case, &[]).unwrap_err().rule, "PUB-5");
}

#[test]
fn cal1_a_due_date_in_a_missing_year_is_provisional() {
    let case = person_case("simple_penalty");
    let p = publish(&case, &[decision("", 100)], &Calendar::empty());
    assert!(p.due_provisional);
}

#[test]
fn pub4_pub6_publish_once_withdraw_with_reason_expire_after_the_period() {
    let case = person_case("simple_penalty");
    let p = publish(&case, &[decision("", 100)], &Calendar::shipped());
    check_publish(None, &p).unwrap();
    let live = PublicationState { withdrawn: false, expired: false, until: p.until };
    assert_eq!(check_publish(Some(live), &p).unwrap_err().rule, "PUB-4");
    let today = date(2026, 3, 5);
    assert_eq!(check_withdraw(None, "x", "撤销", today, today).unwrap_err().rule, "PUB-6");
    assert_eq!(check_withdraw(Some(live), "x", " ", today, today).unwrap_err().rule, "PUB-6");
    assert_eq!(check_withdraw(Some(live), "x", "复议撤销", date(2026, 3, 6), today).unwrap_err().rule, "PUB-6");
    check_withdraw(Some(live), "x", "复议撤销", today, today).unwrap();
    let gone = PublicationState { withdrawn: true, ..live };
    assert_eq!(check_withdraw(Some(gone), "x", "复议撤销", today, today).unwrap_err().rule, "PUB-6");
    assert_eq!(check_expire(Some(live), "x", p.until).unwrap_err().rule, "PUB-6");
    check_expire(Some(live), "x", p.until.tomorrow().unwrap()).unwrap();
    assert_eq!(check_expire(Some(gone), "x", date(2030, 1, 1)).unwrap_err().rule, "PUB-6");
    // PUB-6: three working days from Friday 6 March 2026 is Wednesday 11 March.
    assert_eq!(
        withdrawal_due(&Calendar::shipped(), date(2026, 3, 6), &PublicationPolicy::default()),
        date(2026, 3, 11)
    );
}

#[test]
fn cmp1_complaints_are_validated() {
    let ok = Complaint {
        tracking: "ABCDEFGH2345".into(),
        agency: None,
        what: "商店出售过期食品，店主拒绝退换。".into(),
        contact: None,
    };
    ok.validate().unwrap();
    let short = Complaint { what: "太短".into(), ..ok.clone() };
    assert_eq!(short.validate().unwrap_err().rule, "CMP-1");
    let ctl = Complaint { what: "商店出售过期食品\u{0}，店主拒绝退换。".into(), ..ok.clone() };
    assert_eq!(ctl.validate().unwrap_err().rule, "CMP-1");
    let bad = Complaint { tracking: "abc".into(), ..ok };
    assert_eq!(bad.validate().unwrap_err().rule, "CMP-1");
}

#[test]
fn pub9_amounts_in_wan_yuan_and_policy_defaults() {
    assert_eq!(wan_yuan(0), "");
    assert_eq!(wan_yuan(1_000_000), "1");
    assert_eq!(wan_yuan(123_400), "0.1234");
    assert_eq!(wan_yuan(25_000_000), "25");
    PublicationPolicy::default().validate().unwrap();
    let bad = PublicationPolicy { withdraw_days: 5, ..Default::default() };
    assert!(bad.validate().is_err());
    assert_eq!(mask_id("11010519491231002X"), "1****************X");
}
