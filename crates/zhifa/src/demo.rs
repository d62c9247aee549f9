//! `zhifa demo`: a realistic demo county (河北省石家庄市正定县, 130123) — eight agencies of
//! different domains and one entrusted organisation, 170-odd officers with certificates in
//! every state, legal reviewers, and the power items of `demo/items.json` with their real
//! legal bases and benchmarks. Seeded once, in one batch; re-running reuses it.

use std::path::Path;

use jiff::civil::{Date, date};
use jiff::{Span, ToSpan};
use serde::Deserialize;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::citation::Citation;
use zhifa_domain::codes::{CreditCode, RegionCode, credit_code_complete};
use zhifa_domain::event::Event;
use zhifa_domain::item::{Benchmark, ChangeKind, InspectionEntry, ItemKind, ItemVersion, ProcedureKind};
use zhifa_domain::registry::{
    Agency, AgencyStatus, CertStatus, Certificate, Domain, Employment, Level, Officer, RevocationReason,
};
use zhifa_domain::review::{CatalogueRule, ReviewCatalogue};
use zhifa_store::{Actor, Store};

const ITEMS: &str = include_str!("../demo/items.json");
const REGION: &str = "130123";
const TOKEN_FILE: &str = "demo-admin-token.txt";

#[derive(Deserialize)]
struct DemoFile {
    items: Vec<DemoItem>,
    inspection_list: Vec<DemoInspection>,
}

#[derive(Deserialize)]
struct DemoItem {
    code: String,
    name: String,
    kind: ItemKind,
    domain: Domain,
    procedure: ProcedureKind,
    basis: Vec<Citation>,
    benchmark: Option<Benchmark>,
}

#[derive(Deserialize)]
struct DemoInspection {
    code: String,
    domain: Domain,
    item_code: String,
    name: String,
    basis: Vec<Citation>,
    targets: String,
    content: String,
    ratio_pct: u32,
    frequency: String,
    method: String,
}

/// (domain, name, code prefix for staff numbers, officers, reviewers)
const AGENCIES: &[(Domain, &str, &str, usize, usize)] = &[
    (Domain::MarketRegulation, "正定县市场监督管理局", "SJ", 28, 2),
    (Domain::PublicSecurity, "正定县公安局", "GA", 30, 1),
    (Domain::EcologyEnvironment, "石家庄市生态环境局正定县分局", "HB", 18, 1),
    (Domain::Transport, "正定县交通运输局", "JT", 20, 1),
    (Domain::EmergencyManagement, "正定县应急管理局", "YJ", 16, 1),
    (Domain::Agriculture, "正定县农业农村局", "NY", 18, 1),
    (Domain::CultureTourism, "正定县文化广电和旅游局", "WL", 14, 1),
    (Domain::UrbanManagement, "正定县城市管理综合行政执法局", "CG", 24, 2),
];

fn agency_code(i: usize) -> CreditCode {
    // 1 (机构编制) 1 (机关) 130123 + an organisation code; the check digit is computed.
    credit_code_complete(&format!("11{REGION}{:09}", 745_100_000 + i * 731)).expect("demo credit code")
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "欧阳", "上官", "司马", "诸葛", "闫", "鄢", "邗", "亓", "仉", "禤",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "雪梅", "国庆", "春生", "立新", "嘉怡", "子涵", "浩然", "梓萱",
    "宇轩", "龑", "堃", "喆", "昇", "赟", "燚", "淼", "玥", "珺", "翀",
];
const POSITIONS: &[&str] = &["科员", "副科长", "科长", "一级主任科员", "二级主任科员", "执法队员", "中队长", "大队长"];

/// A small deterministic generator so every demo is the same county.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// A demo login: (login, name, role, agency index, staff number).
type DemoAccount = (&'static str, &'static str, Role, Option<usize>, Option<&'static str>);

/// One account per role, so a newcomer can log in as each.
const ACCOUNTS: &[DemoAccount] = &[
    ("officer", "执法人员（演示）", Role::Officer, Some(0), Some("130123-SJ-001")),
    ("reviewer", "法制审核人员（演示）", Role::LegalReviewer, Some(0), Some("130123-SJ-028")),
    ("head", "机关负责人（演示）", Role::AgencyHead, Some(0), None),
    ("supervisor", "司法局执法监督人员（演示）", Role::Supervisor, None, None),
    ("sysadmin", "系统管理员（演示）", Role::SystemAdmin, None, None),
    ("secadmin", "安全管理员（演示）", Role::SecurityAdmin, None, None),
    ("auditor", "审计管理员（演示）", Role::AuditAdmin, None, None),
];

const ACCOUNTS_FILE: &str = "demo-accounts.txt";

/// What a newcomer needs: the administrator's API token and the demo logins.
pub struct DemoAccess {
    pub token: String,
    /// One line per account: login, password, role.
    pub accounts: String,
}

/// Seeds the demo county unless it is already there.
pub fn seed(store: &Store, data_dir: &Path) -> Result<DemoAccess, String> {
    let token_path = data_dir.join(TOKEN_FILE);
    let accounts_path = data_dir.join(ACCOUNTS_FILE);
    let seeded = store.agency(agency_code(0).as_str()).map_err(|e| e.to_string())?.is_some();
    if seeded {
        println!("演示数据已存在，沿用 {}", data_dir.display());
    } else {
        let today = store.now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8))).date();
        let events = events(today)?;
        let n = events.len();
        store.append_batch(&Actor("demo".into()), events).map_err(|e| match e {
            zhifa_store::AppendError::RefusedMany(v) => {
                v.iter().map(|(i, v)| format!("演示数据第 {i} 条: {v}")).collect::<Vec<_>>().join("\n")
            }
            e => e.to_string(),
        })?;
        println!("已创建演示县（河北省石家庄市正定县）：{n} 条记录");
        let decided = decided_cases(store)?;
        println!("已作出 {decided} 起行政处罚决定（简易程序与一般程序），决定将自动公示（PUB-4）");
    }
    // The secrets live in the data directory (only their hashes in the store); when they
    // are missing (a fresh directory over an existing PostgreSQL database), new ones are set.
    let token = match std::fs::read_to_string(&token_path) {
        Ok(t) => t.trim().to_string(),
        Err(_) => {
            let (_, token) = crate::create_token(store, "admin", "demo")?;
            write_private(data_dir, &token_path, &token)?;
            token
        }
    };
    let accounts = match std::fs::read_to_string(&accounts_path) {
        Ok(t) => t,
        Err(_) => {
            let mut text = String::new();
            for (login, _, role, _, _) in ACCOUNTS {
                let password =
                    format!("Zf-{}-{}", hex::encode(rand::random::<[u8; 4]>()), 10 + rand::random::<u8>() % 90);
                store
                    .set_password(&Actor("demo".into()), login, zhifa_app::accounts::hash_password(&password))
                    .map_err(|e| e.to_string())?;
                text.push_str(&format!("{login:<11} {password:<16} {}\n", role.label()));
            }
            write_private(data_dir, &accounts_path, &text)?;
            text
        }
    };
    Ok(DemoAccess { token, accounts })
}

fn write_private(dir: &Path, path: &Path, token: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    std::fs::write(path, token).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

fn before(today: Date, days: i64) -> Date {
    today.checked_sub(days.days()).expect("date in range")
}

fn events(today: Date) -> Result<Vec<Event>, String> {
    let region = RegionCode::parse(REGION).expect("demo region");
    let mut ev = Vec::new();
    let mut rng = Lcg(2026);

    // Agencies, all confirmed and published (SUBJ-1).
    for (i, (domain, name, _, _, _)) in AGENCIES.iter().enumerate() {
        ev.push(Event::AgencyRegistered {
            agency: Agency {
                code: agency_code(i),
                name: name.to_string(),
                region,
                level: Level::County,
                domains: vec![*domain],
                status: AgencyStatus::Published,
                entrusted_by: None,
                address: format!("河北省石家庄市正定县{}", ["中山东路", "恒州南街", "燕赵大街", "解放街"][i % 4]),
                phone: format!("0311-8801{:04}", 1000 + i * 37),
            },
        });
    }
    // An entrusted organisation acting in the market regulator's name (SUBJ-2), still
    // awaiting confirmation, so the refusal of SUBJ-1 can be seen.
    ev.push(Event::AgencyRegistered {
        agency: Agency {
            code: agency_code(8),
            name: "正定县城区市场监督管理所".into(),
            region,
            level: Level::Township,
            domains: vec![Domain::MarketRegulation],
            status: AgencyStatus::Confirmed,
            entrusted_by: Some(agency_code(0)),
            address: "河北省石家庄市正定县常山西路".into(),
            phone: "0311-88012345".into(),
        },
    });

    // Officers with certificates in every state (STAFF-1..4), training, exams, reviewers.
    for (ai, (domain, _, prefix, count, reviewers)) in AGENCIES.iter().enumerate() {
        let agency = agency_code(ai);
        for k in 0..*count {
            let staff_no = format!("{REGION}-{prefix}-{:03}", k + 1);
            let name = format!("{}{}", SURNAMES[rng.next(SURNAMES.len())], GIVEN[rng.next(GIVEN.len())]);
            let is_reviewer = k >= count - reviewers;
            // The last few of a larger agency are auxiliary or contract staff (STAFF-4).
            let employment = match k {
                k if k + 1 == count - reviewers && *count >= 20 => Employment::Auxiliary,
                k if k + 2 == count - reviewers && *count >= 24 => Employment::Contract,
                _ => Employment::Established,
            };
            ev.push(Event::OfficerRegistered {
                officer: Officer {
                    staff_no: staff_no.clone(),
                    name,
                    agency: agency.clone(),
                    position: if is_reviewer {
                        "法制审核员".into()
                    } else {
                        POSITIONS[rng.next(POSITIONS.len())].into()
                    },
                    employment,
                    badge_no: (*domain == Domain::PublicSecurity).then(|| format!("{:06}", 130_100 + k * 7)),
                    legal_qualification: is_reviewer || k % 9 == 4,
                },
            });
            if employment != Employment::Established {
                continue;
            }
            let issued_years = 1 + rng.next(4) as i64;
            let issued_on = before(today, issued_years * 365 + rng.next(200) as i64);
            ev.push(Event::ExamRecorded {
                staff_no: staff_no.clone(),
                on: before(issued_on, 30),
                passed: true,
                score: Some(70 + rng.next(30) as u32),
            });
            for year in issued_on.year()..today.year() {
                // One officer per agency trained too little last year (STAFF-3).
                let hours = if k == 3 && year == today.year() - 1 { 24 } else { 40 + rng.next(3) as u32 * 8 };
                ev.push(Event::TrainingRecorded {
                    staff_no: staff_no.clone(),
                    year,
                    hours,
                    course: "行政执法人员公共法律知识和专业法律知识培训".into(),
                });
            }
            let number = format!("{}{:04}{:03}", &REGION[..6], ai * 100 + k, issued_on.year() % 1000);
            // Expiry: normally five years; a few expire soon or have expired.
            let expires_on = match k {
                1 => today.checked_add(40.days()).expect("date"),
                2 => before(today, 20),
                _ => issued_on
                    .checked_add(Span::new().years(5))
                    .expect("date")
                    .min(today.checked_add(Span::new().years(5)).expect("date")),
            };
            let issued_on = if expires_on <= issued_on { before(expires_on, 5 * 365) } else { issued_on };
            let last_check_on = match k {
                5 => None, // periodic check overdue when issued long enough ago
                _ => Some(before(today, 30 + rng.next(300) as i64).max(issued_on)),
            };
            ev.push(Event::CertificateIssued {
                certificate: Certificate {
                    number: number.clone(),
                    holder: staff_no.clone(),
                    categories: vec![*domain],
                    region,
                    issued_on,
                    expires_on,
                    status: CertStatus::Valid,
                    last_check_on,
                },
            });
            match k {
                6 => ev.push(Event::CertificateSuspended {
                    number,
                    on: before(today, 15),
                    reason: "涉嫌违纪接受调查，暂扣执法证".into(),
                }),
                7 => ev.push(Event::CertificateRevoked {
                    number,
                    on: before(today, 90),
                    reason: [RevocationReason::Retired, RevocationReason::Transferred][ai % 2],
                }),
                _ => {}
            }
            if is_reviewer {
                ev.push(Event::ReviewerAppointed { agency: agency.clone(), staff_no, on: before(today, 200) });
            }
        }
    }

    // Each agency's review catalogue (REV-1, 审核目录清单): large fines and confiscations,
    // licence revocations and business suspensions go to legal review before the decision.
    for i in 0..AGENCIES.len() {
        let rule = |code: &str, label: &str| CatalogueRule {
            code: code.into(),
            label: label.into(),
            kinds: vec![ItemKind::Penalty],
            levels: vec![],
            domains: vec![],
            min_fine_fen: None,
            min_confiscation_fen: None,
            penalties: vec![],
            hearing_held: false,
            flags: vec![],
        };
        ev.push(Event::ReviewCatalogueSet {
            catalogue: ReviewCatalogue {
                agency: agency_code(i),
                version: 1,
                effective_from: date(2024, 1, 1),
                rules: vec![
                    CatalogueRule { min_fine_fen: Some(5_000_000), ..rule("large_fine", "罚款五万元以上") },
                    CatalogueRule {
                        min_confiscation_fen: Some(5_000_000),
                        ..rule("large_confiscation", "没收违法所得、非法财物价值五万元以上")
                    },
                    CatalogueRule {
                        penalties: vec!["revoke_licence".into(), "suspend_business".into(), "order_closure".into()],
                        ..rule("licence_or_business", "吊销许可证件、责令停产停业、责令关闭")
                    },
                ],
                note: "2024 年重大执法决定法制审核目录清单".into(),
            },
        });
    }

    // Power items (ITEM-1..4) and the random-inspection list (ITEM-5).
    let file: DemoFile = serde_json::from_str(ITEMS).map_err(|e| format!("demo/items.json: {e}"))?;
    let agency_of = |d: Domain| {
        AGENCIES
            .iter()
            .position(|a| a.0 == d)
            .map(agency_code)
            .ok_or_else(|| format!("no demo agency for {}", d.label()))
    };
    let effective = date(2024, 1, 1);
    let mut items = Vec::new();
    for it in file.items {
        let item = ItemVersion {
            code: it.code,
            version: 1,
            change: ChangeKind::Add,
            effective_from: effective,
            name: it.name,
            kind: it.kind,
            domain: it.domain,
            agency: agency_of(it.domain)?,
            procedure: it.procedure,
            basis: it.basis,
            benchmark: it.benchmark,
            delegated_to: None,
            merged_into: None,
            note: "2024 年权责清单".into(),
        };
        items.push(item.clone());
        ev.push(Event::ItemVersionAdded { item });
    }
    // Some list history (ITEM-3): an amendment, a delegation, a cancellation.
    let history: [(usize, ChangeKind, &str); 3] = [
        (1, ChangeKind::Amend, "依据修订，调整裁量基准"),
        (2, ChangeKind::Delegate, "委托城区市场监督管理所实施"),
        (items.len() - 1, ChangeKind::Cancel, "上位法修改，取消该事项"),
    ];
    for (i, change, note) in history {
        let mut v = items[i].clone();
        v.version = 2;
        v.change = change;
        v.effective_from = date(2025, 7, 1);
        v.note = note.into();
        if change == ChangeKind::Delegate {
            v.delegated_to = Some(agency_code(8));
        }
        ev.push(Event::ItemVersionAdded { item: v });
    }
    for e in file.inspection_list {
        ev.push(Event::InspectionEntrySet {
            entry: InspectionEntry {
                agency: agency_of(e.domain)?,
                code: e.code,
                domain: e.domain,
                item_code: e.item_code,
                name: e.name,
                basis: e.basis,
                targets: e.targets,
                content: e.content,
                ratio_pct: e.ratio_pct,
                frequency: e.frequency,
                method: e.method,
            },
        });
    }

    for (login, name, role, agency, staff_no) in ACCOUNTS {
        ev.push(Event::AccountCreated {
            account: Account {
                login: login.to_string(),
                display_name: name.to_string(),
                roles: vec![*role],
                agency: agency.map(agency_code),
                staff_no: staff_no.map(str::to_string),
                disabled: false,
            },
        });
    }
    ev.push(Event::AccountCreated {
        account: Account {
            login: "admin".into(),
            display_name: "演示管理员".into(),
            roles: vec![Role::SystemAdmin, Role::Supervisor],
            agency: None,
            staff_no: None,
            disabled: false,
        },
    });
    Ok(ev)
}

/// A few simple-procedure penalties decided on the spot through the real case engine, with
/// the clock as it is, so that the portal has publications (PUB-4, PUB-5: the citizen's
/// name, ID number and phone are redacted by the publisher).
fn decided_cases(store: &Store) -> Result<usize, String> {
    use serde_json::json;
    let officers = json!(["130123-SJ-001", "130123-SJ-002"]);
    let cases = [
        (
            json!({"kind": "person", "name": "赵建国", "id_number": "130123198503150031", "phone": "13903110001",
                   "address": "正定县燕赵南大街18号2单元301室"}),
            "在燕赵南大街早市销售超过保质期的袋装酸奶",
            "当事人赵建国（身份证号130123198503150031，电话13903110001）在早市摊位销售超过保质期的袋装酸奶六袋，货值金额三十元，当场予以警告并罚款。",
            json!([{"kind": "warning"}, {"kind": "fine", "fen": 20_000}]),
        ),
        (
            json!({"kind": "organisation", "name": "正定县古城鲜果超市有限公司",
                   "id_number": credit_code_complete(&format!("91{REGION}{:09}", 745_300_017)).map(|c| c.to_string()).unwrap_or_default(),
                   "legal_rep": "钱晓东"}),
            "未按规定公示食品经营许可证",
            "当事人正定县古城鲜果超市有限公司未在经营场所显著位置公示食品经营许可证，法定代表人钱晓东到场，当场罚款。",
            json!([{"kind": "fine", "fen": 150_000}]),
        ),
    ];
    let mut n = 0;
    for (party, summary, text, penalties) in cases {
        let open = json!({"item": "SCJG-CF-001", "procedure": "simple_penalty", "party": party, "summary": summary});
        let steps = [
            (
                "officer",
                json!({"action": "present_certificate", "officers": officers, "records": ["site_record"], "evidence": ["$video"]}),
            ),
            ("officer", json!({"action": "inform_rights"})),
            (
                "officer",
                json!({"action": "decide_on_site", "officers": officers, "documents": ["on_site_decision"],
                   "penalties": penalties, "text": text}),
            ),
        ];
        run_case(store, "officer", open, &steps, true)?;
        n += 1;
    }
    // A general-procedure penalty in which the party waived the statement and hearing
    // rights, decided by the head: its full decision text is published (PUB-4).
    let fine = json!([{"kind": "fine", "fen": 500_000}]);
    let open = json!({"item": "SCJG-CF-001", "procedure": "general_penalty",
        "party": {"kind": "organisation", "name": "正定县荣国府餐饮管理有限公司",
                  "id_number": credit_code_complete(&format!("91{REGION}{:09}", 745_300_113)).map(|c| c.to_string()).unwrap_or_default(),
                  "legal_rep": "孙立新"},
        "summary": "使用超过保质期的食品原料加工食品"});
    let steps = [
        (
            "officer",
            json!({"action": "register_lead", "records": ["lead_record"], "text": "群众举报：后厨使用过期原料"}),
        ),
        ("head", json!({"action": "file", "records": ["filing_approval"]})),
        (
            "officer",
            json!({"action": "inspect_site", "officers": officers, "records": ["site_record"], "evidence": ["$video"]}),
        ),
        (
            "officer",
            json!({"action": "notify", "documents": ["penalty_notice"], "records": ["investigation_report"], "penalties": fine}),
        ),
        ("officer", json!({"action": "waive_rights", "records": ["waiver"]})),
        ("officer", json!({"action": "submit_decision"})),
        (
            "head",
            json!({"action": "decide", "documents": ["penalty_decision"], "penalties": fine,
            "text": "经查，当事人于后厨使用超过保质期的面粉二十公斤加工面点，违反《中华人民共和国食品安全法》第三十四条第（二）项。法定代表人孙立新对违法事实无异议，书面放弃陈述、申辩和听证权利。"}),
        ),
    ];
    run_case(store, "officer", open, &steps, true)?;
    Ok(n + 1)
}

/// Runs a case through the real case engine: opens it with `open` as the account `login`
/// and records `steps`, each as its account (the API's request bodies). With `video`, an
/// audio/video evidence record of the scene is stored first and `"$video"` in a step's
/// `evidence` stands for it. Returns the case number. Used by `zhifa demo` so that the
/// portal has publications (PUB-4).
fn run_case(
    store: &Store,
    login: &str,
    open: serde_json::Value,
    steps: &[(&str, serde_json::Value)],
    video: bool,
) -> Result<String, String> {
    // The case use cases need only the application's store.
    let app = zhifa_app::App::new(store.clone(), zhifa_app::log::LogConfig::ephemeral("zhifa.demo/cases"));
    let err = |e: zhifa_app::Error| e.to_string();
    let me = store.account(login).map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {login} 不存在"))?;
    let input: zhifa_app::cases::OpenInput = serde_json::from_value(open).map_err(|e| e.to_string())?;
    let rec = zhifa_app::cases::open(&app, &me, input).map_err(err)?;
    let number = rec.body["case"]["number"].as_str().ok_or("no case number")?.to_string();
    let mut sha = String::new();
    if video {
        use sha2::Digest;
        sha = hex::encode(sha2::Sha256::digest(format!("zhifa-demo-video/{number}").as_bytes()));
        let evidence = zhifa_domain::case::Evidence {
            case: number.clone(),
            sha256: sha.clone(),
            sm3: sha.clone(),
            size: 1_048_576,
            media_type: "video/mp4".into(),
            key: format!("sha256/{sha}"),
            file_name: "执法记录仪.mp4".into(),
            captured_at: store.now(),
            place: "正定县燕赵南大街".into(),
            collector: me.staff_no.clone().unwrap_or_default(),
            proves: "现场执法全过程".into(),
            retention: zhifa_domain::case::Retention::Permanent,
            by: login.into(),
        };
        store
            .append(&Actor(format!("account:{login}")), Event::EvidenceStored { evidence })
            .map_err(|e| e.to_string())?;
    }
    for (who, s) in steps {
        let actor = store.account(who).map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {who} 不存在"))?;
        let s = serde_json::from_str::<serde_json::Value>(&s.to_string().replace("$video", &sha))
            .map_err(|e| e.to_string())?;
        let input: zhifa_domain::case::Step = serde_json::from_value(s).map_err(|e| e.to_string())?;
        let action = input.action.clone();
        zhifa_app::cases::record(&app, &actor, &number, input).map_err(|e| format!("{action}: {}", err(e)))?;
    }
    Ok(number)
}
