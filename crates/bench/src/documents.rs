//! `zhifa-bench documents`: official documents issued per second through
//! `POST /api/v1/cases/{number}/documents` (render + SHA-256 + signature + blob store +
//! `document_issued` record with its log leaf), against the pure render rate of the same
//! kind (立案审批表, the example data) in the same run.

use std::path::Path;
use std::time::Instant;

use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{CaseFile, Party, Step};
use zhifa_domain::event::Event;
use zhifa_domain::item::{ItemKind, ProcedureKind};
use zhifa_domain::penalty::PartyKind;
use zhifa_store::testing::fixtures;
use zhifa_store::{Actor, Store, StoreConfig};

const CASES: usize = 120;
const CLIENTS: usize = 2;

fn account(login: &str, role: Role, staff_no: &str) -> Event {
    Event::AccountCreated {
        account: Account {
            login: login.into(),
            display_name: login.into(),
            roles: vec![role],
            agency: Some(fixtures::code(1)),
            staff_no: Some(staff_no.into()),
            disabled: false,
        },
    }
}

fn step(action: &str, by: &str, record: &str) -> Step {
    serde_json::from_value(serde_json::json!({"action": action, "by": by, "records": [record]})).unwrap()
}

pub fn run(dir: &Path) {
    println!("zhifa-bench documents: {CASES} 立案审批表 through the API, {CLIENTS} clients, dir {}", dir.display());
    // Baseline: the pure render of the same kind, in this process.
    let renderer =
        zhifa_render::Renderer::new(zhifa_render::FontConfig::vendored(), None).expect("embedded templates and fonts");
    let example: serde_json::Value =
        serde_json::from_str(include_str!("../../render/examples/filing_approval.json")).unwrap();
    renderer.render("filing_approval", &example).unwrap();
    let start = Instant::now();
    for i in 0..CASES {
        let mut data = example.clone();
        data["case"]["number"] = serde_json::json!(format!("BENCH-{i}"));
        renderer.render("filing_approval", &data).unwrap();
    }
    let base = CASES as f64 / start.elapsed().as_secs_f64();
    println!("baseline  render only (1 thread):    {base:>7.1} docs/s");

    let store = Store::open(&StoreConfig::Sqlite { data_dir: dir.join("zhifa") }).unwrap();
    let mut events = fixtures::registry();
    events.push(Event::OfficerRegistered { officer: zhifa_domain::testing::officer("H1", 1) });
    events.push(account("a1", Role::Officer, "A1"));
    events.push(account("head", Role::AgencyHead, "H1"));
    let (token, event) = zhifa_app::accounts::issue_token("a1", "");
    events.push(event);
    store.append_batch(&Actor("bench".into()), events).unwrap();
    let def = store.definition_for(&fixtures::code(1), ProcedureKind::GeneralPenalty).unwrap().id();
    let mut numbers = Vec::new();
    for _ in 0..CASES {
        let number = store.next_case_number(&fixtures::region(), ItemKind::Penalty).unwrap();
        let case = CaseFile {
            number: number.clone(),
            agency: fixtures::code(1),
            item: "SCJG-CF-001".into(),
            item_version: 1,
            procedure: def.clone(),
            party: Party {
                kind: PartyKind::Organisation,
                name: "基准测试食品有限公司".into(),
                id_number: None,
                legal_rep: Some("覃亓禤".into()),
                address: Some("河北省石家庄市正定县燕赵南大街 126 号".into()),
                phone: None,
            },
            summary: "销售超过保质期的食品".into(),
            opened_by: "a1".into(),
            flags: vec![],
        };
        store.append(&Actor("account:a1".into()), Event::CaseOpened { case }).unwrap();
        let lead = step("register_lead", "a1", "lead_record");
        store
            .append(&Actor("account:a1".into()), Event::CaseStepRecorded { case: number.clone(), step: Box::new(lead) })
            .unwrap();
        let file = step("file", "head", "filing_approval");
        store
            .append(
                &Actor("account:head".into()),
                Event::CaseStepRecorded { case: number.clone(), step: Box::new(file) },
            )
            .unwrap();
        numbers.push(number);
    }
    let blobs = zhifa_blob::BlobStore::local(dir.join("blobs")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let log = zhifa_app::log::LogConfig::ephemeral("zhifa.bench/log");
    let state =
        zhifa_web::AppState::from(zhifa_app::App::new(store, log).with_blobs(blobs, zhifa_blob::Limits::default()));
    rt.spawn(zhifa_web::serve(state, listener, std::future::pending()));

    let start = Instant::now();
    std::thread::scope(|s| {
        for chunk in numbers.chunks(CASES.div_ceil(CLIENTS)) {
            let token = &token;
            s.spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                for n in chunk {
                    let mut r = agent
                        .post(format!("http://{addr}/api/v1/cases/{n}/documents"))
                        .header("authorization", format!("Bearer {token}"))
                        .header("content-type", "application/json")
                        .send(r#"{"kind":"filing_approval"}"#)
                        .unwrap();
                    let status = r.status().as_u16();
                    let body = r.body_mut().read_to_string().unwrap();
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });
    let rate = CASES as f64 / start.elapsed().as_secs_f64();
    println!("issued through the API ({CLIENTS} clients): {rate:>7.1} docs/s");
    println!("ratio issue/render                   {:>7.2}", rate / base);
}
