//! Black-box tests of official documents over HTTP (CASE-6, REC-1, REC-7, LOG-5), on every
//! backend: every kind renders for cases driven through the engine, numbers are distinct
//! and gapless under concurrent issue, a document is refused before its act, and one
//! changed byte fails verification while the original verifies with its inclusion proof.
//!
//! With `ZHIFA_TEST_PDFTOOLS=1`, `pdftotext` (poppler-utils) reads the issued PDFs; the
//! test fails if the tool is missing.

mod common;

use common::county::*;
use common::{App, Resp, apps};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zhifa_domain::document::{DocumentSettings, Payment};
use zhifa_domain::testing::code;

fn issue(app: &App, n: &str, token: &str, kind: &str) -> Resp {
    post(app, &format!("/api/v1/cases/{n}/documents"), token, &json!({"kind": kind}))
}

fn settings(app: &App) {
    let settings = DocumentSettings {
        short_name: Some("测试执".into()),
        payment: Some(Payment {
            bank: "中国农业银行正定县支行".into(),
            account_name: "正定县财政局非税收入专户".into(),
            account: "50-123401040012345".into(),
        }),
        ..Default::default()
    };
    let path = format!("/api/v1/agencies/{}/document-settings", code(1));
    // CASE-6: a pattern without a sequence is refused, nothing written.
    let before = app.records();
    let r = app.put(&path, &json!({"patterns": {"penalty_decision": "测试执处罚〔{year}〕号"}}));
    refused(app, before, &r, "CASE-6");
    ok(app, app.put(&path, &serde_json::to_value(&settings).unwrap()));
    assert_eq!(ok(app, app.get(&path, Some(&app.admin))).body["short_name"], "测试执");
}

fn pdftools() -> bool {
    std::env::var("ZHIFA_TEST_PDFTOOLS").is_ok_and(|v| v == "1")
}

/// The text of a PDF, through poppler's pdftotext (only with ZHIFA_TEST_PDFTOOLS=1).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("zhifa-doc-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("ZHIFA_TEST_PDFTOOLS=1 but pdftotext (poppler-utils) is not installed");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
    // pdftotext may break lines anywhere: compare without whitespace.
    String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect()
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A general-procedure penalty with preservation, review, hearing, collective discussion,
/// decision, service, payment and closing.
fn full_case(app: &App, c: &County) -> String {
    catalogue(app);
    set_now(app, "2026-03-02T01:00:00Z");
    let n = open(app, &c.a1, "SCJG-CF-001", None);
    ok(app, step(app, &n, &c.a1, json!({"action": "register_lead", "records": ["lead_record"], "text": "群众举报"})));
    // CASE-6: no document before its act; nothing is written.
    let before = app.records();
    refused(app, before, &issue(app, &n, &c.a1, "penalty_decision"), "PROC-1");
    refused(app, before, &issue(app, &n, &c.a1, "filing_approval"), "PROC-1");
    ok(
        app,
        step(
            app,
            &n,
            &c.head,
            json!({"action": "file", "records": ["filing_approval"], "text": "经初步核查，符合立案条件"}),
        ),
    );
    let video = av(app, &n, 1);
    ok(
        app,
        step(
            app,
            &n,
            &c.a1,
            json!({"action": "inspect_site", "officers": ["A1", "A3"], "records": ["site_record", "investigation_report"],
                   "evidence": [video], "text": "现场查见超过保质期的食品 12 箱", "place": "正定县恒山路 8 号"}),
        ),
    );
    ok(
        app,
        step(
            app,
            &n,
            &c.a1,
            json!({"action": "inquire", "officers": ["A1", "A3"], "records": ["inquiry_record"], "evidence": [video],
                   "text": "当事人承认自 2 月起销售该批食品"}),
        ),
    );
    ok(app, post(app, &format!("/api/v1/cases/{n}/approvals"), &c.head, &json!({"action": "preserve_evidence"})));
    ok(
        app,
        step(
            app,
            &n,
            &c.a1,
            json!({"action": "preserve_evidence", "officers": ["A1", "A3"], "documents": ["preservation_notice"],
                   "evidence": [video], "text": "过期食品 12 箱"}),
        ),
    );
    let draft = json!({"penalties": [{"kind": "fine", "fen": 6_000_000}], "facts": "当事人经营超过保质期的食品 12 箱",
                       "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第五项", "reasons": "首次违法，积极整改",
                       "statement": "本人对所提交材料的真实性、完整性负责"});
    ok(app, step(app, &n, &c.a1, json!({"action": "submit_review", "draft": draft})));
    ok(app, step(app, &n, &c.head, json!({"action": "assign_reviewer", "reviewer": "R1"})));
    ok(
        app,
        step(
            app,
            &n,
            &c.reviewer,
            json!({"action": "review_approve", "records": ["review_opinion"], "opinion": "approve",
                   "findings": findings(true), "text": "事实清楚，证据充分"}),
        ),
    );
    ok(
        app,
        step(
            app,
            &n,
            &c.a1,
            json!({"action": "notify", "documents": ["penalty_notice"], "penalties": [{"kind": "fine", "fen": 6_000_000}]}),
        ),
    );
    ok(app, step(app, &n, &c.a1, json!({"action": "request_hearing", "records": ["hearing_request"]})));
    ok(app, step(app, &n, &c.a1, json!({"action": "notify_hearing", "documents": ["hearing_notice"]})));
    set_now(app, "2026-03-16T02:00:00Z");
    ok(
        app,
        step(
            app,
            &n,
            &c.a1,
            json!({"action": "hold_hearing", "records": ["hearing_transcript"], "evidence": [video], "chair": "H1",
                   "text": "当事人对事实无异议，请求从轻处罚"}),
        ),
    );
    ok(app, step(app, &n, &c.a1, json!({"action": "submit_discussion"})));
    ok(
        app,
        step(
            app,
            &n,
            &c.head,
            json!({"action": "collective_discussion", "records": ["discussion_record"], "text": "同意处罚"}),
        ),
    );
    ok(app, step(app, &n, &c.a1, json!({"action": "submit_decision"})));
    ok(
        app,
        step(
            app,
            &n,
            &c.head,
            json!({"action": "decide", "documents": ["penalty_decision"], "penalties": [{"kind": "fine", "fen": 6_000_000}]}),
        ),
    );
    ok(app, step(app, &n, &c.a1, json!({"action": "serve", "records": ["service_receipt"]})));
    ok(app, step(app, &n, &c.a1, json!({"action": "record_payment", "records": ["payment_receipt"]})));
    ok(app, step(app, &n, &c.a1, json!({"action": "complete_execution", "records": ["execution_record"]})));
    ok(app, step(app, &n, &c.head, json!({"action": "approve_closing", "records": ["closing_report"]})));
    n
}

const PENALTY_KINDS: [&str; 12] = [
    "filing_approval",
    "site_record",
    "inquiry_record",
    "preservation_notice",
    "penalty_notice",
    "hearing_notice",
    "hearing_transcript",
    "review_opinion",
    "discussion_record",
    "penalty_decision",
    "service_receipt",
    "closing_approval",
];

#[test]
fn case6_every_document_of_a_penalty_renders_is_numbered_signed_and_verifiable() {
    for app in apps() {
        let c = county(&app);
        settings(&app);
        let n = full_case(&app, &c);
        let list = ok(&app, app.get(&format!("/api/v1/cases/{n}/documents"), Some(&c.a1))).body;
        let kinds: Vec<&str> =
            list["available"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
        for k in PENALTY_KINDS {
            assert!(kinds.contains(&k), "{}: {k} not available: {kinds:?}", app.backend);
        }
        let mut issued = std::collections::BTreeMap::new();
        for k in PENALTY_KINDS {
            let r = issue(&app, &n, &c.a1, k);
            assert_eq!(r.status, 200, "{}: {k}: {:?}", app.backend, r.body);
            issued.insert(k, r.body);
        }
        let decision = &issued["penalty_decision"];
        assert_eq!(decision["number"], "测试执处罚〔2026〕1号");
        assert_eq!(issued["penalty_notice"]["number"], "测试执告〔2026〕1号");
        assert!(issued["site_record"]["number"].is_null(), "records are not numbered");
        // One document per act (CASE-6); nothing written. The decision is published first,
        // so the background publisher cannot append while the refusal is counted.
        zhifa_app::publications::run_once(&app.state).unwrap();
        let before = app.records();
        refused(&app, before, &issue(&app, &n, &c.a1, "penalty_decision"), "CASE-6");
        // Another agency's officer may not issue.
        assert_eq!(issue(&app, &n, &c.stranger, "penalty_decision").status, 403);

        // REC-7: the download is a recorded view, with a reason.
        let code_ = decision["code"].as_str().unwrap();
        let path = format!("/api/v1/cases/{n}/documents/{code_}.pdf");
        assert_eq!(app.get(&path, Some(&c.a1)).status, 400, "a reason is required");
        let pdf = ok(&app, app.get(&format!("{path}?reason=送达前核对"), Some(&c.a1))).bytes;
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(hex::encode(Sha256::digest(&pdf)), decision["sha256"].as_str().unwrap());
        let views = app.store.records(Some(&format!("case/{n}")), -1, 500).unwrap();
        assert!(views.iter().any(|r| r.kind == "record_viewed" && r.body["reason"] == "送达前核对"));
        assert_eq!(
            views.iter().filter(|r| r.kind == "document_issued").count(),
            12,
            "REC-1: every document is a record"
        );

        // LOG-5: verification by code, with the inclusion proof against a signed checkpoint.
        zhifa_app::log::checkpoint_once(&app.state).unwrap();
        let v = ok(&app, app.get(&format!("/api/v1/public/verify?code={code_}"), None)).body;
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["signature_valid"], true);
        assert_eq!(v["document"]["agency_name"], "测试县第1执法局");
        assert_eq!(v["document"]["number"], "测试执处罚〔2026〕1号");
        check_proof(&app, &v["proof"], decision["seq"].as_u64().unwrap());

        // The exact bytes verify; one flipped byte does not.
        let v = ok(&app, app.send("POST", "/api/v1/public/verify", None, &pdf)).body;
        assert_eq!(v["ok"], true, "{v}");
        let mut bad = pdf.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0x01;
        let v = ok(&app, app.send("POST", "/api/v1/public/verify", None, &bad)).body;
        assert_eq!(v["ok"], false);
        assert!(v["message"].as_str().unwrap().contains("不一致"), "{v}");
        assert_eq!(v["computed_sha256"], hex::encode(Sha256::digest(&bad)));
        assert!(v["document"].is_null());
        // With the code and the wrong file: names both hashes.
        let v = ok(&app, app.send("POST", &format!("/api/v1/public/verify?code={code_}"), None, &bad)).body;
        assert_eq!(v["ok"], false);
        assert!(v["message"].as_str().unwrap().contains(decision["sha256"].as_str().unwrap()));

        // The page: by code, and by upload (a plain multipart form).
        let page = app.get(&format!("/public/verify?code={code_}"), None);
        assert_eq!(page.status, 200);
        let html = String::from_utf8_lossy(&page.bytes);
        assert!(html.contains("核验结果：一致") && html.contains("测试县第1执法局"), "{html}");
        let page = multipart(&app, &bad);
        let html = String::from_utf8_lossy(&page.bytes);
        assert_eq!(page.status, 200, "{html}");
        assert!(html.contains("核验结果：不一致"), "{html}");
        let page = multipart(&app, &pdf);
        assert!(String::from_utf8_lossy(&page.bytes).contains("核验结果：一致"));

        // Deterministic: the same record renders to the same bytes (the render is pure).
        if pdftools() {
            let text = pdf_text(&pdf);
            assert!(text.contains("正定县某某食品有限公司"), "party name: {text}");
            assert!(text.contains("测试执处罚〔2026〕1号"), "number: {text}");
            assert!(text.contains("测试县第1执法局"), "agency: {text}");
            assert!(text.contains(code_), "verification code: {text}");
            for k in PENALTY_KINDS {
                let code_ = issued[k]["code"].as_str().unwrap();
                let bytes =
                    ok(&app, app.get(&format!("/api/v1/cases/{n}/documents/{code_}.pdf?reason=核对文书"), Some(&c.a1)))
                        .bytes;
                let text = pdf_text(&bytes);
                assert!(text.contains("测试县第1执法局"), "{k}: {text}");
            }
        }
    }
}

/// Checks an inclusion proof with the log crate's own verification functions.
fn check_proof(app: &App, p: &Value, seq: u64) {
    assert_eq!(p["valid"], true, "{p}");
    assert_eq!(p["index"].as_u64().unwrap(), seq);
    let salt: [u8; 32] = hex::decode(p["salt"].as_str().unwrap()).unwrap().try_into().unwrap();
    let commitment = zhifa_store::log::commitment(&salt, p["canonical"].as_str().unwrap().as_bytes());
    assert_eq!(hex::encode(commitment), p["commitment"].as_str().unwrap());
    let proof: Vec<zhifa_log::Hash> = p["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| zhifa_log::Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    let verifier = app.state.log.signer.verifier();
    let (cp, _) =
        zhifa_log::open_checkpoint(p["checkpoint"].as_str().unwrap(), &app.state.log.origin, &[&verifier]).unwrap();
    let size = p["tree_size"].as_u64().unwrap();
    assert_eq!(cp.size(), size);
    zhifa_log::verify_inclusion(&zhifa_log::leaf_hash(&commitment), seq, size, &proof, cp.root()).unwrap();
}

fn multipart(app: &App, pdf: &[u8]) -> Resp {
    let boundary = "----zhifa-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(pdf);
    body.extend_from_slice(
        format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n\r\n--{boundary}--\r\n")
            .as_bytes(),
    );
    app.request(
        "POST",
        "/public/verify",
        &[("content-type", &format!("multipart/form-data; boundary={boundary}"))],
        Some(&body),
    )
}

#[test]
fn case6_a_seizure_decision_renders_with_its_remedies() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = open(&app, &c.a1, "SCJG-QZ-001", None);
        let video = av(&app, &n, 1);
        let before = app.records();
        refused(&app, before, &issue(&app, &n, &c.a1, "seizure_decision"), "PROC-1");
        ok(&app, step(&app, &n, &c.a1, json!({"action": "request_approval", "records": ["approval_form"]})));
        ok(
            &app,
            post(&app, &format!("/api/v1/cases/{n}/approvals"), &c.head, &json!({"action": "seize", "note": "同意"})),
        );
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "seize", "officers": ["A1", "A3"], "records": ["site_record", "inventory"],
                       "documents": ["seizure_decision"], "evidence": [video], "text": "扣押过期食品 12 箱"}),
            ),
        );
        let r = ok(&app, issue(&app, &n, &c.a1, "seizure_decision")).body;
        assert_eq!(r["number"], "测试强〔2026〕1号", "default pattern from the agency's name");
        ok(&app, issue(&app, &n, &c.a1, "site_record"));
        if pdftools() {
            let code_ = r["code"].as_str().unwrap();
            let bytes =
                ok(&app, app.get(&format!("/api/v1/cases/{n}/documents/{code_}.pdf?reason=核对文书"), Some(&c.a1)))
                    .bytes;
            let text = pdf_text(&bytes);
            assert!(
                text.contains("扣押") && text.contains("正定县人民政府") && text.contains("正定县人民法院"),
                "{text}"
            );
        }
    }
}

#[test]
fn case6_numbers_are_distinct_and_gapless_under_concurrent_issue() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let mut cases = Vec::new();
        for i in 0..8u8 {
            let n = filed(&app, &c);
            let video = av(&app, &n, i + 1);
            ok(
                &app,
                step(
                    &app,
                    &n,
                    &c.a1,
                    json!({"action": "inspect_site", "officers": ["A1", "A3"], "records": ["site_record", "investigation_report"], "evidence": [video]}),
                ),
            );
            ok(
                &app,
                step(
                    &app,
                    &n,
                    &c.a1,
                    json!({"action": "notify", "documents": ["penalty_notice"], "penalties": [{"kind": "fine", "fen": 100_000}]}),
                ),
            );
            cases.push(n);
        }
        let numbers: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = cases
                .iter()
                .map(|n| {
                    let app = &app;
                    let token = &c.a1;
                    s.spawn(move || {
                        let r = issue(app, n, token, "penalty_notice");
                        assert_eq!(r.status, 200, "{}: {:?}", app.backend, r.body);
                        r.body["number"].as_str().unwrap().to_string()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut seqs: Vec<u32> = numbers
            .iter()
            .map(|n| n.trim_start_matches("测试告〔2026〕").trim_end_matches('号').parse().unwrap())
            .collect();
        seqs.sort();
        assert_eq!(seqs, (1..=8).collect::<Vec<_>>(), "{}: {numbers:?}", app.backend);
    }
}

#[test]
fn sec5_hostile_party_names_render_as_text() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let hostile = "<script>alert(1)</script>#set text(red) $x$ \\u{41} ]】\"";
        let body = json!({
            "item": "SCJG-CF-001",
            "party": { "kind": "person", "name": hostile },
            "summary": "涉嫌经营超过保质期的食品",
        });
        let r = ok(&app, post(&app, "/api/v1/cases", &c.a1, &body));
        let n = r.body["body"]["case"]["number"].as_str().unwrap().to_string();
        ok(&app, step(&app, &n, &c.a1, json!({"action": "register_lead", "records": ["lead_record"]})));
        ok(&app, step(&app, &n, &c.head, json!({"action": "file", "records": ["filing_approval"]})));
        let r = ok(&app, issue(&app, &n, &c.a1, "filing_approval")).body;
        if pdftools() {
            let code_ = r["code"].as_str().unwrap();
            let bytes =
                ok(&app, app.get(&format!("/api/v1/cases/{n}/documents/{code_}.pdf?reason=核对文书"), Some(&c.a1)))
                    .bytes;
            let text = pdf_text(&bytes);
            assert!(text.contains("<script>alert(1)</script>#settext(red)$x$"), "{text}");
        }
    }
}

#[test]
fn case6_the_staff_case_page_lists_issuable_documents_and_issues_them() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = filed(&app, &c);
        let (cookie, csrf) = common::session(&app, "a1");
        let page = |app: &App| {
            let r = app.request("GET", &format!("/staff/cases/{n}"), &[("cookie", &cookie)], None);
            assert_eq!(r.status, 200);
            String::from_utf8_lossy(&r.bytes).into_owned()
        };
        let html = page(&app);
        assert!(html.contains("id=\"documents\"") && html.contains("生成并签发《立案审批表》"), "{html}");
        let post = |app: &App, csrf: &str| {
            let body = format!("csrf={csrf}&kind=filing_approval&round=1");
            app.request(
                "POST",
                &format!("/staff/cases/{n}/documents"),
                &[("cookie", &cookie), ("content-type", "application/x-www-form-urlencoded")],
                Some(body.as_bytes()),
            )
        };
        // SEC-1: the form carries the session's CSRF token.
        let before = app.records();
        assert_eq!(post(&app, "wrong").status, 403);
        assert_eq!(app.records(), before);
        let r = post(&app, &csrf);
        assert!(r.status == 303 || r.status == 200, "{}", r.status);
        let html = page(&app);
        assert!(!html.contains("生成并签发《立案审批表》"), "one document per act");
        assert!(html.contains("《立案审批表》") && html.contains("下载 PDF"), "{html}");
    }
}

#[test]
fn case6_documents_are_signed_with_sm2_when_it_is_configured() {
    let mut log = zhifa_app::log::LogConfig::ephemeral("zhifa.test/log");
    let sm2 = zhifa_log::Sm2Signer::from_secret("zhifa.test/log", &[5; 32]).unwrap();
    let vkey = sm2.verifier().vkey();
    log.sm2 = Some(std::sync::Arc::new(sm2));
    let app = App::start_with(zhifa_store::testing::sqlite(), log);
    let c = county(&app);
    set_now(&app, "2026-03-02T01:00:00Z");
    let n = filed(&app, &c);
    let d = ok(&app, issue(&app, &n, &c.a1, "filing_approval")).body;
    assert_eq!(d["signing_key"], vkey.as_str());
    let v = ok(&app, app.get(&format!("/api/v1/public/verify?code={}", d["code"].as_str().unwrap()), None)).body;
    assert_eq!(v["signature_valid"], true, "{v}");
    let verifier = zhifa_log::Sm2Verifier::from_vkey(&vkey).unwrap();
    let note = zhifa_log::Note::parse(v["document"]["signature"].as_str().unwrap()).unwrap();
    note.verify(&[&verifier]).expect("the SM2 signature verifies with the published SM2 key");
    assert!(note.text().contains(&format!("sha256 {}", d["sha256"].as_str().unwrap())));
}
