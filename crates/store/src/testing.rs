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

    /// Opens with a clock stopped at `at` (REC-5: the platform's clock is injectable).
    pub fn open_at(&self, at: jiff::Timestamp) -> Store {
        let clock = std::sync::Arc::new(crate::ManualClock(std::sync::Mutex::new(at)));
        Store::open_with_clock(&self.config, clock).unwrap_or_else(|e| panic!("{}: open: {e}", self.backend))
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
    //! Small, valid registry values to build tests from.

    use jiff::civil::{Date, date};
    use zhifa_domain::citation::{BasisRole, Citation, Provision};
    use zhifa_domain::codes::{CreditCode, RegionCode, credit_code_complete};
    use zhifa_domain::event::{Account, Event, Role};
    use zhifa_domain::item::{
        Benchmark, ChangeKind, Grade, ItemKind, ItemVersion, Penalty, ProcedureKind, Seriousness,
    };
    use zhifa_domain::registry::{Agency, AgencyStatus, CertStatus, Certificate, Domain, Employment, Level, Officer};

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
                Citation {
                    law: law.clone(),
                    article: 124,
                    paragraph: Some(1),
                    item: Some(5),
                    role: BasisRole::Penalty,
                },
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
        }
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
