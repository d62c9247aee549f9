//! The `zhifa` binary end to end: the demo, restart, import/export through files.

mod common;

use std::path::Path;
use std::process::Command;

use common::{agent, run, serve, zhifa};

use zhifa_store::Store;
use zhifa_store::testing::{TestStore, backends, sqlite};

fn count(t: &TestStore) -> i64 {
    t.open().record_count().unwrap()
}

fn read_dir_sorted(p: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn demo_seeds_a_realistic_county_once() {
    for t in backends() {
        let (ok, out, err) = run(zhifa(&t).args(["demo", "--no-serve"]));
        assert!(ok, "{}: {out}{err}", t.backend);
        assert!(out.contains("管理员令牌（Authorization: Bearer …）: zhifa_"), "{out}");
        assert!(out.contains("reviewer") && out.contains("法制审核人员"), "{out}");
        let n = count(&t);
        let (ok, out, _) = run(zhifa(&t).args(["demo", "--no-serve"]));
        assert!(ok && out.contains("演示数据已存在"), "{out}");
        assert_eq!(count(&t), n, "{}: no duplicates", t.backend);

        let s: Store = t.open();
        let agencies = s.agencies(&Default::default(), zhifa_store::Paging { offset: 0, limit: 500 }).unwrap();
        assert!(agencies.total >= 8);
        let officers = s.officers(&Default::default(), zhifa_store::Paging { offset: 0, limit: 500 }).unwrap();
        assert!(officers.total >= 150, "{}", officers.total);
        let today = jiff::Zoned::now().date();
        let policy = Default::default();
        let states: std::collections::BTreeSet<&str> = officers
            .items
            .iter()
            .flat_map(|o| o.certificates.iter())
            .map(|c| c.standing(today, &policy).state.as_str())
            .collect();
        for want in ["valid", "expiring_soon", "expired", "suspended", "revoked"] {
            assert!(states.contains(want), "{}: no certificate {want}: {states:?}", t.backend);
        }
        let items = s.items(&Default::default(), zhifa_store::Paging { offset: 0, limit: 500 }).unwrap();
        assert!(items.total >= 60);
        assert!(items.items.iter().filter(|i| i.benchmark.is_some()).count() >= 40);
        assert!(!s.reviewers().unwrap().is_empty());
        assert!(s.reviewer_ratios().unwrap().iter().any(|r| !r.meets_rule), "the demo shows an agency below STAFF-5");
    }
}

#[test]
fn export_import_export_through_files_is_identical() {
    for t in backends() {
        assert!(run(zhifa(&t).args(["demo", "--no-serve"])).0);
        let work = sqlite();
        let dir = work.data_dir().unwrap().clone();
        let (a, b) = (dir.join("a"), dir.join("b"));
        let (ok, _, err) = run(zhifa(&t).args(["export", "--format", "csv", "--out"]).arg(&a));
        assert!(ok, "{err}");
        let xlsx_a = dir.join("a.xlsx");
        assert!(run(zhifa(&t).args(["export", "--out"]).arg(&xlsx_a)).0);

        let empty = sqlite();
        let (ok, out, err) = run(zhifa(&empty).arg("import").arg(&a));
        assert!(ok, "{}: {out}{err}", t.backend);
        assert!(run(zhifa(&empty).args(["export", "--format", "csv", "--out"]).arg(&b)).0);
        assert_eq!(read_dir_sorted(&a), read_dir_sorted(&b), "{}: CSV export → import → export", t.backend);
        let xlsx_b = dir.join("b.xlsx");
        assert!(run(zhifa(&empty).args(["export", "--out"]).arg(&xlsx_b)).0);
        assert_eq!(std::fs::read(&xlsx_a).unwrap(), std::fs::read(&xlsx_b).unwrap(), "{}: XLSX identical", t.backend);

        // The XLSX imports into another empty store too.
        let empty2 = sqlite();
        assert!(run(zhifa(&empty2).arg("import").arg(&xlsx_a)).0);
        assert_eq!(empty2.open().snapshot().unwrap(), empty.open().snapshot().unwrap());
    }
}

#[test]
fn a_bad_import_file_is_refused_whole_naming_each_row() {
    let t = sqlite();
    assert!(run(zhifa(&t).args(["demo", "--no-serve"])).0);
    let n = count(&t);
    let dir = t.data_dir().unwrap().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = "执法证号,持证人编号,执法类别,执法区域,发证日期,有效期至,状态,状态日期,状态原因,最近年检日期\n\
               N1,130123-SJ-001,市场监管,130123,2026-01-01,2031-01-01,有效,,,\n\
               N2,130123-SJ-001,市场监管,130123,2026-01-01,2025-01-01,有效,,,\n\
               N3,130123-SJ-001,税务,999999,2026-01-01,2031-01-01,有效,,,\n";
    std::fs::write(dir.join("certificates.csv"), csv).unwrap();
    let (ok, _, err) = run(zhifa(&t).arg("import").arg(dir.join("certificates.csv")));
    assert!(!ok);
    assert!(err.contains("执法证 第 3 行") && err.contains("STAFF-2"), "{err}");
    assert!(err.contains("执法证 第 4 行「执法类别」列") && err.contains("执法证 第 4 行「执法区域」列"), "{err}");
    assert!(!err.contains("第 2 行"), "{err}");
    assert_eq!(count(&t), n, "nothing written");
}

#[test]
fn demo_serves_prints_its_address_and_survives_kill_9() {
    let t = sqlite();
    let get = |url: &str| -> serde_json::Value { agent().get(url).call().unwrap().body_mut().read_json().unwrap() };
    let demo = serve(&t, &["demo"]);
    assert!(get(&format!("{}/api/v1/agencies", demo.base))["total"].as_i64().unwrap() >= 8);
    // One account per role; each logs in with the password printed for it.
    let accounts = std::fs::read_to_string(t.scratch_dir().join("demo-accounts.txt")).unwrap();
    assert_eq!(accounts.lines().count(), 7);
    for line in accounts.lines() {
        let mut f = line.split_whitespace();
        let (login, password) = (f.next().unwrap(), f.next().unwrap());
        let mut r = agent()
            .post(format!("{}/api/v1/session", demo.base))
            .send(serde_json::json!({"login": login, "password": password}).to_string())
            .unwrap();
        assert_eq!(r.status(), 200, "{login}");
        let body: serde_json::Value = r.body_mut().read_json().unwrap();
        assert_eq!(body["login"], login);
    }
    let before = get(&format!("{}/healthz", demo.base))["records"].as_i64().unwrap();
    assert!(before > 1000);
    drop(demo); // SIGKILL
    let again = serve(&t, &["serve"]);
    assert_eq!(
        get(&format!("{}/healthz", again.base))["records"].as_i64().unwrap(),
        before,
        "a restart keeps everything"
    );
}

#[test]
fn help_is_there_for_a_newcomer() {
    let (ok, out, _) = run(Command::new(env!("CARGO_BIN_EXE_zhifa")).arg("--help"));
    assert!(ok);
    for word in ["demo", "serve", "import", "export", "calendar", "token", "--data-dir", "--database-url"] {
        assert!(out.contains(word), "--help lacks {word}: {out}");
    }
}

#[test]
fn accounts_tokens_and_the_calendar_from_the_command_line() {
    let t = sqlite();
    assert!(run(zhifa(&t).args(["demo", "--no-serve"])).0);
    let (ok, out, err) = run(zhifa(&t).args(["user", "add", "jdsj", "--name", "司法局监督员", "--role", "supervisor"]));
    assert!(ok, "{out}{err}");
    let (ok, _, err) =
        run(zhifa(&t).args(["user", "add", "two", "--name", "x", "--role", "system_admin", "--role", "audit_admin"]));
    assert!(!ok && err.contains("SEC-3"), "{err}");
    let (ok, out, _) = run(zhifa(&t).args(["token", "create", "jdsj", "--label", "省平台对接"]));
    assert!(ok);
    let token = out.lines().find(|l| l.starts_with("zhifa_")).unwrap().to_string();
    let id = out.lines().find_map(|l| l.strip_prefix("令牌编号: ")).unwrap().to_string();
    let store = t.open();
    let digest = zhifa_app::accounts::token_digest(&token);
    assert_eq!(store.account_by_token(&digest).unwrap().unwrap().login, "jdsj");
    assert!(run(zhifa(&t).args(["token", "revoke", &id])).0);
    assert!(store.account_by_token(&digest).unwrap().is_none(), "a revoked token no longer works");

    let file = t.scratch_dir().join("2027.json");
    std::fs::write(
        &file,
        r#"{"year": 2027, "papers": ["通知"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
    )
    .unwrap();
    let (ok, out, err) = run(zhifa(&t).args(["calendar", "load"]).arg(&file));
    assert!(ok && out.contains("2027"), "{out}{err}");
    assert!(store.calendar().unwrap().covers(2027));
    std::fs::write(&file, r#"{"year": 2027, "papers": [], "days": []}"#).unwrap();
    let (ok, _, err) = run(zhifa(&t).args(["calendar", "load"]).arg(&file));
    assert!(!ok && err.contains("CAL-1"), "{err}");
}
