//! Cases for the evidence tests, opened through `POST /api/v1/cases`: the registry fixture, accounts of agency 1 (officer A1 with valid certificate C1,
//! an agency head) and of agency 2, and open cases numbered as CASE-1 requires. Also the
//! app with an evidence store of its own: local files, or S3 when `ZHIFA_TEST_S3_URL` is set.

use zhifa_blob::testing::TestBlobStore;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_store::testing::{TestStore, backends, fixtures};

use super::{App, token_for};

/// The party of the fixture's cases: an organisation, by its credit code.
pub fn party_id() -> String {
    fixtures::code(7).to_string()
}

pub struct CaseApp {
    pub app: App,
    pub blobs: TestBlobStore,
    /// Officer A1 of agency 1 (`a1`).
    pub officer: String,
    /// The head of agency 1 (`h1`).
    pub head: String,
    /// An officer of agency 2 (`b1`).
    pub stranger: String,
    /// A supervisor of the justice bureau (`sup`).
    pub supervisor: String,
    /// The first case of agency 1.
    pub case: String,
}

impl App {
    /// Opens the next case of agency 1 for the fixture's party, as `a1`, through the API.
    pub fn open_case(&self, officer: &str) -> String {
        let body = serde_json::json!({
            "item": "SCJG-CF-001",
            "party": { "kind": "organisation", "name": "某某食品有限公司", "id_number": party_id(), "legal_rep": "李四" },
            "summary": "销售超过保质期的食品",
        });
        let r = self.send("POST", "/api/v1/cases", Some(officer), body.to_string().as_bytes());
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["body"]["case"]["number"].as_str().unwrap().to_string()
    }
}

fn account(login: &str, roles: &[Role], agency: u32, staff_no: Option<&str>) -> Event {
    Event::AccountCreated {
        account: Account {
            login: login.into(),
            display_name: login.into(),
            roles: roles.to_vec(),
            agency: Some(fixtures::code(agency)),
            staff_no: staff_no.map(str::to_string),
            disabled: false,
        },
    }
}

/// The blob stores under test: local files, and S3 when `ZHIFA_TEST_S3_URL` is set (an
/// unreachable server fails the test).
fn blob_stores() -> Vec<TestBlobStore> {
    zhifa_blob::testing::stores()
}

/// One app per store backend with local files, plus one on SQLite with S3 when configured.
pub fn case_apps_with(limits: zhifa_blob::Limits) -> Vec<CaseApp> {
    let mut out = Vec::new();
    let mut pairs: Vec<(TestStore, TestBlobStore)> =
        backends().into_iter().map(|t| (t, zhifa_blob::testing::local())).collect();
    for b in blob_stores().into_iter().filter(|b| b.backend != "local") {
        pairs.push((zhifa_store::testing::sqlite(), b));
    }
    for (t, blobs) in pairs {
        let log = zhifa_app::log::LogConfig::ephemeral("zhifa.test/log");
        let app = App::start_full(t, log, Some((blobs.store.clone(), limits.clone())));
        let mut events = fixtures::registry();
        events.extend([
            account("a1", &[Role::Officer], 1, Some("A1")),
            account("h1", &[Role::AgencyHead], 1, None),
            account("b1", &[Role::Officer], 2, None),
        ]);
        app.seed(events);
        let officer = token_for(&app.store, "a1", &[]);
        let head = token_for(&app.store, "h1", &[]);
        let stranger = token_for(&app.store, "b1", &[]);
        let supervisor = token_for(&app.store, "sup", &[Role::Supervisor]);
        let case = app.open_case(&officer);
        out.push(CaseApp { app, blobs, officer, head, stranger, supervisor, case });
    }
    out
}

pub fn case_apps() -> Vec<CaseApp> {
    case_apps_with(zhifa_blob::Limits::default())
}

/// A raw response: status, headers (lowercase names) and body.
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl App {
    /// A GET with any headers, keeping the response's headers.
    pub fn get_raw(&self, path: &str, headers: &[(&str, &str)]) -> Raw {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut r = req.call().unwrap_or_else(|e| panic!("{}: request failed: {e}", self.backend));
        let headers =
            r.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let status = r.status().as_u16();
        let bytes = r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
        Raw { status, headers, bytes }
    }

    /// A POST whose body is sent chunked (no `Content-Length`), so only the streamed size
    /// can be checked.
    pub fn post_chunked(&self, path: &str, token: &str, body: &[u8]) -> super::Resp {
        let mut reader = body;
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"))
            .send(ureq::SendBody::from_reader(&mut reader));
        self.finish(r)
    }
}

impl App {
    /// A DELETE with a JSON body.
    pub fn send_json_delete(&self, path: &str, token: &str, body: &str) -> super::Resp {
        let r = self
            .agent
            .delete(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .force_send_body()
            .send(body.as_bytes());
        self.finish(r)
    }
}
