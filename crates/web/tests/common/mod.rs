//! Black-box harness: the real router on a real port (port 0), a fresh store per test on
//! each backend, and typed request helpers.

#![allow(dead_code)]

pub mod cases;
pub mod county;

use serde_json::Value;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_store::testing::{TestStore, backends};
use zhifa_store::{Actor, Store};

pub struct App {
    pub base: String,
    pub store: Store,
    pub state: zhifa_web::AppState,
    pub clock: std::sync::Arc<zhifa_store::ManualClock>,
    pub admin: String,
    pub backend: &'static str,
    agent: ureq::Agent,
    _rt: tokio::runtime::Runtime,
    _t: TestStore,
}

pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub set_cookie: Option<String>,
}

impl Resp {
    /// The `rule` of an error body.
    pub fn rule(&self) -> &str {
        self.body["error"]["rule"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

/// A session opened directly in the store: (cookie header, CSRF token).
pub fn session(app: &App, login: &str) -> (String, String) {
    let id = zhifa_app::accounts::new_token();
    let csrf = format!("csrf-{login}-{}", &id[6..14]);
    app.store.open_session(login, &zhifa_app::accounts::token_digest(&id), &csrf).unwrap();
    (format!("zhifa_session={id}"), csrf)
}

pub fn token_for(store: &Store, login: &str, roles: &[Role]) -> String {
    let actor = Actor("test".into());
    if store.account(login).unwrap().is_none() {
        store
            .append(
                &actor,
                Event::AccountCreated {
                    account: Account {
                        login: login.into(),
                        display_name: login.into(),
                        roles: roles.to_vec(),
                        agency: None,
                        staff_no: None,
                        disabled: false,
                    },
                },
            )
            .unwrap();
    }
    let (token, event) = zhifa_app::accounts::issue_token(login, "");
    store.append(&actor, event).unwrap();
    token
}

impl App {
    pub fn start(t: TestStore) -> App {
        Self::start_with(t, zhifa_app::log::LogConfig::ephemeral("zhifa.test/log"))
    }

    pub fn start_with(t: TestStore, log: zhifa_app::log::LogConfig) -> App {
        Self::start_full(t, log, None)
    }

    /// The app with `blobs` as its evidence store (default: a scratch local store).
    pub fn start_full(
        t: TestStore,
        log: zhifa_app::log::LogConfig,
        blobs: Option<(zhifa_blob::BlobStore, zhifa_blob::Limits)>,
    ) -> App {
        // Tests run on 2026-03-01 at noon, China time, whatever the real date.
        let (store, clock) = t.open_at("2026-03-01T04:00:00Z".parse().unwrap());
        let admin = token_for(&store, "admin", &[Role::SystemAdmin, Role::Supervisor]);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let mut app = zhifa_app::App::new(store.clone(), log);
        if let Some((b, limits)) = blobs {
            app = app.with_blobs(b, limits);
        }
        let state = zhifa_web::AppState::from(app);
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        rt.spawn(zhifa_web::serve(state.clone(), listener, std::future::pending()));
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // The server may close a connection whose request body it refused unread.
            .max_idle_connections(0)
            .build()
            .into();
        App { base: format!("http://{addr}"), store, state, clock, admin, backend: t.backend, agent, _rt: rt, _t: t }
    }

    fn finish(&self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
        let mut r = r.unwrap_or_else(|e| panic!("{}: request failed: {e}", self.backend));
        let status = r.status().as_u16();
        let set_cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, body, bytes, content_type, set_cookie }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.finish(req.call())
    }

    /// A request with any headers (cookies, CSRF tokens).
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Resp {
        let url = format!("{}{path}", self.base);
        macro_rules! go {
            ($req:expr) => {{
                let mut req = $req;
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req
            }};
        }
        let r = match (method, body) {
            ("GET", _) => go!(self.agent.get(url)).call(),
            ("DELETE", _) => go!(self.agent.delete(url)).call(),
            ("POST", b) => go!(self.agent.post(url)).send(b.unwrap_or_default()),
            ("PUT", b) => go!(self.agent.put(url)).send(b.unwrap_or_default()),
            (m, _) => panic!("method {m}"),
        };
        self.finish(r)
    }

    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> Resp {
        let url = format!("{}{path}", self.base);
        if method == "DELETE" {
            let auth = token.map(|t| format!("Bearer {t}"));
            let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
            return self.request("DELETE", path, &headers, None);
        }
        let mut req = match method {
            "POST" => self.agent.post(url),
            "PUT" => self.agent.put(url),
            "PATCH" => self.agent.patch(url),
            m => panic!("method {m}"),
        };
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.finish(req.send(body))
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.send("POST", path, Some(&self.admin), body.to_string().as_bytes())
    }

    pub fn put(&self, path: &str, body: &Value) -> Resp {
        self.send("PUT", path, Some(&self.admin), body.to_string().as_bytes())
    }

    pub fn records(&self) -> i64 {
        self.store.record_count().unwrap()
    }

    pub fn seed(&self, events: Vec<Event>) {
        self.store.append_batch(&Actor("test".into()), events).unwrap();
    }
}

/// One app per backend.
pub fn apps() -> Vec<App> {
    backends().into_iter().map(App::start).collect()
}
