//! Test support shared by the store, web and CLI test suites: fresh stores on every
//! backend, and small registry fixtures.
//!
//! SQLite always runs. PostgreSQL runs when `ZHIFA_TEST_POSTGRES_URL` names an admin
//! connection (e.g. `postgres://postgres@127.0.0.1:5432/postgres`): each test gets a
//! database of its own, dropped afterwards. If the variable is set and the server cannot be
//! reached, the test fails — it never skips.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Store, StoreConfig};

pub const POSTGRES_ENV: &str = "ZHIFA_TEST_POSTGRES_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// A store for one test; cleans up after itself.
pub struct TestStore {
    pub backend: &'static str,
    pub config: StoreConfig,
    guard: Guard,
}

enum Guard {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

impl TestStore {
    pub fn open(&self) -> Store {
        Store::open(&self.config).unwrap_or_else(|e| panic!("{}: open: {e}", self.backend))
    }

    /// Opens with a clock stopped at `at` (REC-5: the platform's clock is injectable); the
    /// clock can be moved through the returned handle.
    pub fn open_at(&self, at: jiff::Timestamp) -> (Store, std::sync::Arc<crate::ManualClock>) {
        let clock = std::sync::Arc::new(crate::ManualClock(std::sync::Mutex::new(at)));
        let store = Store::open_with_clock(&self.config, clock.clone())
            .unwrap_or_else(|e| panic!("{}: open: {e}", self.backend));
        (store, clock)
    }

    /// A directory of the test's own for local files (removed afterwards).
    pub fn scratch_dir(&self) -> PathBuf {
        match &self.guard {
            Guard::Dir(d) => d.clone(),
            Guard::Database { name, .. } => {
                let d = std::env::temp_dir().join(name);
                std::fs::create_dir_all(&d).expect("scratch dir");
                d
            }
        }
    }

    /// For SQLite, the data directory.
    pub fn data_dir(&self) -> Option<&PathBuf> {
        match &self.guard {
            Guard::Dir(d) => Some(d),
            Guard::Database { .. } => None,
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        match &self.guard {
            Guard::Dir(d) => {
                let _ = std::fs::remove_dir_all(d);
            }
            Guard::Database { admin_url, name } => {
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(name));
                if let Ok(mut c) = postgres::Client::connect(admin_url, postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
        }
    }
}

pub fn sqlite() -> TestStore {
    let dir = std::env::temp_dir().join(unique("zhifa-test"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    TestStore { backend: "sqlite", config: StoreConfig::Sqlite { data_dir: dir.clone() }, guard: Guard::Dir(dir) }
}

/// A fresh PostgreSQL database, or `None` when the variable is not set.
pub fn postgres() -> Option<TestStore> {
    let admin_url = std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty())?;
    let name = unique("zhifa_test");
    let mut c = postgres::Client::connect(&admin_url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable at {admin_url}: {e}"));
    c.batch_execute(&format!("CREATE DATABASE \"{name}\"")).unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let url = database_url(&admin_url, &name);
    Some(TestStore {
        backend: "postgres",
        config: StoreConfig::Postgres { url },
        guard: Guard::Database { admin_url, name },
    })
}

/// The admin URL with its database replaced by `name`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((admin_url, None));
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Every backend this run tests: SQLite, and PostgreSQL when configured.
pub fn backends() -> Vec<TestStore> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

pub mod fixtures {
    //! Small, valid registry values to build tests from (the domain's, plus events).

    use jiff::civil::{Date, date};
    use zhifa_domain::event::Event;
    pub use zhifa_domain::testing::*;

    /// An officer who may enforce (STAFF-3): registered, with a valid certificate, this
    /// year's training and a passed exam.
    pub fn qualified(officer: zhifa_domain::registry::Officer, certificate_no: &str, score: u32) -> [Event; 4] {
        let staff_no = officer.staff_no.clone();
        let certificate = certificate(certificate_no, &staff_no);
        [
            Event::OfficerRegistered { officer },
            Event::CertificateIssued { certificate },
            Event::TrainingRecorded {
                staff_no: staff_no.clone(), year: 2025, hours: 40, course: "法律知识".into()
            },
            Event::ExamRecorded { staff_no, on: date(2024, 12, 1), passed: true, score: Some(score) },
        ]
    }

    /// A small registry: two agencies, three officers with certificates, one reviewer,
    /// one item (no accounts).
    pub fn registry() -> Vec<Event> {
        let today: Date = date(2026, 3, 1);
        let mut reviewer = officer("R1", 1);
        reviewer.legal_qualification = true;
        vec![
            Event::AgencyRegistered { agency: agency(1) },
            Event::AgencyRegistered { agency: agency(2) },
            Event::OfficerRegistered { officer: officer("A1", 1) },
            Event::OfficerRegistered { officer: officer("A2", 1) },
            Event::OfficerRegistered { officer: reviewer },
            Event::CertificateIssued { certificate: certificate("C1", "A1") },
            Event::CertificateIssued { certificate: certificate("C2", "A2") },
            Event::CertificateSuspended { number: "C2".into(), on: today, reason: "调查中".into() },
            Event::TrainingRecorded { staff_no: "A1".into(), year: 2025, hours: 40, course: "法律知识".into() },
            Event::ExamRecorded { staff_no: "A1".into(), on: date(2024, 12, 1), passed: true, score: Some(88) },
            Event::ReviewerAppointed { agency: code(1), staff_no: "R1".into(), on: today },
            Event::ItemVersionAdded { item: item("SCJG-CF-001", 1) },
        ]
    }
}
