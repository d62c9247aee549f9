//! A small county for case tests: agency 1 with officers A1 and A3 (valid certificates),
//! A2 (certificate suspended), head H1, reviewers R1 and R2 (R2 also an officer with a
//! certificate), an officer B1 of agency 2; items for a penalty, a seizure and an
//! inspection; and request helpers.

use jiff::Timestamp;
use serde_json::{Value, json};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{Evidence, Retention};
use zhifa_domain::event::Event;
use zhifa_domain::item::{ItemKind, ProcedureKind};
use zhifa_domain::testing::{code, item, officer};
use zhifa_store::Actor;
use zhifa_store::testing::fixtures;

use super::{App, Resp};

pub struct County {
    /// Officers A1 and A3 (valid certificates), A2 (certificate suspended).
    pub a1: String,
    pub a3: String,
    pub head: String,
    pub reviewer: String,
    /// R2: a reviewer who is also a certified officer.
    pub reviewer2: String,
    /// An officer of another agency.
    pub stranger: String,
}

pub fn account(app: &App, login: &str, roles: &[Role], agency: u32, staff_no: Option<&str>) -> String {
    app.seed(vec![Event::AccountCreated {
        account: Account {
            login: login.into(),
            display_name: login.into(),
            roles: roles.to_vec(),
            agency: Some(code(agency)),
            staff_no: staff_no.map(Into::into),
            disabled: false,
        },
    }]);
    let (token, event) = zhifa_app::accounts::issue_token(login, "");
    app.seed(vec![event]);
    token
}

pub fn county(app: &App) -> County {
    let mut events = fixtures::registry();
    let mut r2 = officer("R2", 1);
    r2.legal_qualification = true;
    let mut seize = item("SCJG-QZ-001", 1);
    seize.kind = ItemKind::Coercion;
    seize.procedure = ProcedureKind::CoerciveMeasure;
    seize.name = "查封、扣押不符合食品安全标准的食品".into();
    seize.benchmark = None;
    let mut inspect = item("SCJG-JC-001", 1);
    inspect.kind = ItemKind::Inspection;
    inspect.procedure = ProcedureKind::Inspection;
    inspect.name = "食品经营者监督检查".into();
    inspect.benchmark = None;
    events.extend(fixtures::qualified(officer("A3", 1), "C3", 90));
    events.push(Event::OfficerRegistered { officer: officer("H1", 1) });
    events.extend(fixtures::qualified(r2, "C4", 95));
    events.extend([
        Event::ReviewerAppointed { agency: code(1), staff_no: "R2".into(), on: jiff::civil::date(2026, 1, 5) },
        Event::OfficerRegistered { officer: officer("B1", 2) },
        Event::ItemVersionAdded { item: seize },
        Event::ItemVersionAdded { item: inspect },
    ]);
    app.seed(events);
    County {
        a1: account(app, "a1", &[Role::Officer], 1, Some("A1")),
        a3: account(app, "a3", &[Role::Officer], 1, Some("A3")),
        head: account(app, "head", &[Role::AgencyHead], 1, Some("H1")),
        reviewer: account(app, "rev", &[Role::LegalReviewer], 1, Some("R1")),
        reviewer2: account(app, "rev2", &[Role::LegalReviewer], 1, Some("R2")),
        stranger: account(app, "b1", &[Role::Officer], 2, Some("B1")),
    }
}

pub fn post(app: &App, path: &str, token: &str, body: &Value) -> Resp {
    app.send("POST", path, Some(token), body.to_string().as_bytes())
}

pub fn ok(app: &App, r: Resp) -> Resp {
    assert_eq!(r.status, 200, "{}: {:?}", app.backend, r.body);
    r
}

/// Asserts a refusal naming `rule` among its violations, and that nothing was written.
pub fn refused(app: &App, before: i64, r: &Resp, rule: &str) {
    assert_eq!(r.status, 422, "{}: {:?}", app.backend, r.body);
    let rules: Vec<&str> = match r.body["error"]["violations"].as_array() {
        Some(vs) => vs.iter().map(|v| v["rule"].as_str().unwrap()).collect(),
        None => vec![r.rule()],
    };
    assert!(rules.contains(&rule), "{}: expected {rule} in {:?}", app.backend, r.body);
    assert!(!r.message().is_empty());
    assert_eq!(app.records(), before, "{}: a refused request wrote something", app.backend);
}

pub fn open(app: &App, token: &str, item: &str, procedure: Option<&str>) -> String {
    let body = json!({
        "item": item,
        "procedure": procedure,
        "party": { "kind": "organisation", "name": "正定县某某食品有限公司", "id_number": code(9).as_str(), "legal_rep": "覃某" },
        "summary": "涉嫌经营超过保质期的食品",
    });
    let r = ok(app, post(app, "/api/v1/cases", token, &body));
    r.body["body"]["case"]["number"].as_str().unwrap().to_string()
}

pub fn step(app: &App, number: &str, token: &str, body: Value) -> Resp {
    post(app, &format!("/api/v1/cases/{number}/steps"), token, &body)
}

/// A case of SCJG-CF-001 opened by A1, its lead registered and filed by the head: where
/// most case tests start.
pub fn filed(app: &App, c: &County) -> String {
    let n = open(app, &c.a1, "SCJG-CF-001", None);
    ok(app, step(app, &n, &c.a1, json!({"action": "register_lead", "records": ["lead_record"]})));
    ok(app, step(app, &n, &c.head, json!({"action": "file", "records": ["filing_approval"]})));
    n
}

/// Audio/video evidence of the case (the upload itself is tested with the evidence API).
pub fn av(app: &App, number: &str, n: u8) -> String {
    let sha256 = format!("{:064x}", u64::from(n) + 1);
    app.store
        .append(
            &Actor("account:a1".into()),
            Event::EvidenceStored {
                evidence: Evidence {
                    case: number.into(),
                    sha256: sha256.clone(),
                    sm3: sha256.clone(),
                    size: 1000,
                    media_type: "video/mp4".into(),
                    key: format!("sha256/{sha256}"),
                    file_name: "现场.mp4".into(),
                    captured_at: app.store.now(),
                    place: "正定县恒山路".into(),
                    collector: "A1".into(),
                    proves: "现场检查全过程".into(),
                    retention: Retention::Permanent,
                    by: "a1".into(),
                },
            },
        )
        .unwrap();
    sha256
}

pub fn set_now(app: &App, at: &str) {
    *app.clock.0.lock().unwrap() = at.parse::<Timestamp>().unwrap();
}

pub fn detail(app: &App, number: &str, token: &str) -> Value {
    ok(app, app.get(&format!("/api/v1/cases/{number}"), Some(token))).body
}

/// REV-3: a finding on every checklist item.
pub fn findings(ok: bool) -> Value {
    Value::Array(
        zhifa_domain::review::ChecklistItem::ALL
            .iter()
            .map(|i| json!({"item": i, "ok": ok, "note": "已核查"}))
            .collect(),
    )
}

/// REV-1: agency 1's catalogue: fines of ¥50,000 and more need review.
pub fn catalogue(app: &App) {
    let cat = json!({"agency": code(1).as_str(), "version": 1, "effective_from": "2026-01-01",
                     "rules": [{"code": "large_fine", "label": "罚款五万元以上", "kinds": ["penalty"], "min_fine_fen": 5_000_000}]});
    ok(app, app.put(&format!("/api/v1/agencies/{}/review-catalogue", code(1)), &cat));
}
