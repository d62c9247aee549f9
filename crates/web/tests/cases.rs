//! Black-box tests of cases over HTTP (PROC-1, CASE-1..8, REC-1..5, STAFF-2/4), on every
//! backend: complete cases through the shipped procedures, and every shortcut refused
//! with its rule and nothing written.

mod common;

use common::county::*;
use common::{App, apps};
use serde_json::{Value, json};
use zhifa_domain::testing::code;

#[test]
fn a_general_procedure_penalty_runs_from_lead_to_archive_and_every_shortcut_is_refused() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z"); // Monday 09:00 China time
        let n = open(&app, &c.a1, "SCJG-CF-001", None);
        assert_eq!(n, "13012320260100001", "CASE-1: region, year, kind, sequence");

        ok(
            &app,
            step(&app, &n, &c.a1, json!({"action": "register_lead", "records": ["lead_record"], "text": "群众举报"})),
        );
        // PROC-1: an officer may not file; the head does.
        let before = app.records();
        refused(
            &app,
            before,
            &step(&app, &n, &c.a1, json!({"action": "file", "records": ["filing_approval"]})),
            "PROC-1",
        );
        ok(&app, step(&app, &n, &c.head, json!({"action": "file", "records": ["filing_approval"]})));

        // STAFF-4: one officer is not enough; REC-3: no audio/video.
        let before = app.records();
        let r =
            step(&app, &n, &c.a1, json!({"action": "inspect_site", "officers": ["A1"], "records": ["site_record"]}));
        refused(&app, before, &r, "STAFF-4");
        refused(&app, before, &r, "REC-3");
        // STAFF-2: the second officer's certificate is suspended — checked at this step.
        let video = av(&app, &n, 1);
        let before = app.records();
        let r = step(
            &app,
            &n,
            &c.a1,
            json!({"action": "inspect_site", "officers": ["A1", "A2"], "records": ["site_record"], "evidence": [video]}),
        );
        refused(&app, before, &r, "STAFF-2");
        // The recorder must be one of the officers.
        let r = step(
            &app,
            &n,
            &c.a1,
            json!({"action": "inspect_site", "officers": ["A3", "H1"], "records": ["site_record"], "evidence": [video]}),
        );
        refused(&app, before, &r, "STAFF-4");
        // Another agency's officer can neither act on nor read the case (SEC-2).
        let r = step(
            &app,
            &n,
            &c.stranger,
            json!({"action": "inspect_site", "officers": ["B1"], "records": ["site_record"]}),
        );
        refused(&app, before, &r, "SEC-2");
        assert_eq!(app.get(&format!("/api/v1/cases/{n}"), Some(&c.stranger)).status, 403);

        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "inspect_site", "officers": ["A1", "A3"], "records": ["site_record"], "evidence": [video],
                       "text": "现场查见超过保质期的食品 12 箱", "place": "正定县恒山路", "occurred_at": "2026-03-02T00:40:00Z"}),
            ),
        );

        // CASE-3: notice of the intended penalty (a large fine: the hearing right, CASE-4).
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "notify", "documents": ["penalty_notice"], "records": ["investigation_report"],
                       "penalties": [{"kind": "fine", "fen": 6_000_000}]}),
            ),
        );
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_decision"})));
        // CASE-3/CASE-4: no decision before the statement and hearing-request periods end.
        let before = app.records();
        let decide = |fen: i64| json!({"action": "decide", "documents": ["penalty_decision"], "penalties": [{"kind": "fine", "fen": fen}]});
        let r = step(&app, &n, &c.head, decide(6_000_000));
        refused(&app, before, &r, "CASE-3");
        refused(&app, before, &r, "CASE-4");
        let d = detail(&app, &n, &c.head);
        let periods: Vec<&str> =
            d["deadlines"].as_array().unwrap().iter().map(|l| l["limit"].as_str().unwrap()).collect();
        assert!(periods.contains(&"hearing_request") && periods.contains(&"decision"), "{periods:?}");

        // Two weeks later the periods have run out.
        set_now(&app, "2026-03-16T02:00:00Z");
        // CASE-3: the decision may not be heavier than the notice.
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.head, decide(7_000_000)), "CASE-3");
        ok(&app, step(&app, &n, &c.head, decide(6_000_000)));

        // REC-5: after the decision, a record for an earlier act is refused.
        let before = app.records();
        let r = step(
            &app,
            &n,
            &c.a1,
            json!({"action": "inquire", "officers": ["A1", "A3"], "records": ["inquiry_record"], "evidence": [video],
                   "occurred_at": "2026-03-05T02:00:00Z"}),
        );
        refused(&app, before, &r, "REC-5");
        // …and so is a late entry where the agency does not allow it.
        let late = json!({"action": "inquire", "officers": ["A1", "A3"], "records": ["inquiry_record"],
                          "evidence": [video], "occurred_at": "2026-03-05T02:00:00Z", "late": {"reason": "笔录遗漏"}});
        refused(&app, before, &step(&app, &n, &c.a1, late.clone()), "REC-5");
        // Where it is allowed: with a head's approval, marked late; the case does not move.
        ok(
            &app,
            app.send(
                "PUT",
                &format!("/api/v1/agencies/{}/case-settings", code(1)),
                Some(&app.admin),
                json!({"late_entry_allowed": true}).to_string().as_bytes(),
            ),
        );
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.a1, late.clone()), "REC-5");
        ok(&app, post(&app, &format!("/api/v1/cases/{n}/approvals"), &c.head, &json!({"action": "inquire"})));
        ok(&app, step(&app, &n, &c.a1, late));

        // CASE-6: service; CASE-7: payment; closing and archive.
        ok(&app, step(&app, &n, &c.a1, json!({"action": "serve", "records": ["service_receipt"]})));
        let before = app.records();
        refused(
            &app,
            before,
            &step(&app, &n, &c.a1, json!({"action": "complete_execution", "records": ["execution_record"]})),
            "CASE-7",
        );
        ok(&app, step(&app, &n, &c.a1, json!({"action": "record_payment", "records": ["payment_receipt"]})));
        ok(&app, step(&app, &n, &c.a1, json!({"action": "complete_execution", "records": ["execution_record"]})));
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.a1, json!({"action": "archive"})), "PROC-1");
        ok(&app, step(&app, &n, &c.head, json!({"action": "approve_closing", "records": ["closing_report"]})));
        ok(&app, step(&app, &n, &c.a1, json!({"action": "archive"})));

        let d = detail(&app, &n, &c.a1);
        assert_eq!(d["stage"], "archived");
        assert_eq!(d["terminal"], true);
        let steps = d["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 12);
        let site = steps.iter().find(|s| s["step"]["action"] == "inspect_site").unwrap();
        assert_eq!(site["gap_seconds"], 1200, "REC-5: the gap between the act and its record is kept");
        assert!(steps.iter().any(|s| s["step"]["late"]["reason"] == "笔录遗漏"));
        // REC-7: the views are records.
        let views = app.store.records(Some(&format!("case/{n}")), -1, 500).unwrap();
        assert!(views.iter().any(|r| r.kind == "record_viewed"));
        // REC-1: every step is on the log, in order.
        let kinds: Vec<String> = views
            .iter()
            .filter(|r| r.kind == "case_step_recorded")
            .map(|r| r.body["step"]["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds.first().map(String::as_str), Some("register_lead"));
        assert_eq!(kinds.last().map(String::as_str), Some("archive"));

        // The case projections are rebuilt from the records, identically.
        let snapshot = |app: &App| {
            let cases = app.store.cases(&Default::default(), zhifa_store::Paging { offset: 0, limit: 500 }).unwrap();
            (
                serde_json::to_string(&cases.items).unwrap(),
                serde_json::to_string(&app.store.case_steps(&n).unwrap()).unwrap(),
                serde_json::to_string(&app.store.case_approvals(&n).unwrap()).unwrap(),
                serde_json::to_string(&app.store.case_evidence(&n).unwrap()).unwrap(),
            )
        };
        let before = snapshot(&app);
        app.store.rebuild_projections().unwrap();
        assert_eq!(snapshot(&app), before);
    }
}

#[test]
fn a_seizure_needs_the_heads_approval_two_officers_and_full_audio_video() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = open(&app, &c.a1, "SCJG-QZ-001", None);
        assert_eq!(n, "13012320260200001", "CASE-1: the kind is part of the number");
        ok(&app, step(&app, &n, &c.a1, json!({"action": "request_approval", "records": ["approval_form"]})));
        let video = av(&app, &n, 7);
        let seize = json!({"action": "seize", "officers": ["A1", "A3"], "records": ["site_record", "inventory"],
                           "documents": ["seizure_decision"], "evidence": [video]});
        let before = app.records();
        let mut no_av = seize.clone();
        no_av["evidence"] = json!([]);
        let r = step(&app, &n, &c.a1, no_av);
        refused(&app, before, &r, "REC-3");
        refused(&app, before, &r, "CASE-2");
        // The reviewer cannot approve; the head can.
        let r = post(&app, &format!("/api/v1/cases/{n}/approvals"), &c.reviewer, &json!({"action": "seize"}));
        assert_eq!(r.status, 403, "{:?}", r.body);
        ok(
            &app,
            post(&app, &format!("/api/v1/cases/{n}/approvals"), &c.head, &json!({"action": "seize", "note": "同意"})),
        );
        ok(&app, step(&app, &n, &c.a1, seize));
        let d = detail(&app, &n, &c.a1);
        assert_eq!(d["stage"], "seized");
        let seizure = d["deadlines"].as_array().unwrap().iter().find(|l| l["limit"] == "seizure").unwrap().clone();
        assert_eq!(seizure["due"], "2026-04-01", "CASE-2: 30 days");
        ok(&app, step(&app, &n, &c.head, json!({"action": "release", "documents": ["release_decision"]})));
        ok(&app, step(&app, &n, &c.a1, json!({"action": "archive", "records": ["closing_report"]})));
        assert_eq!(detail(&app, &n, &c.a1)["stage"], "archived");
    }
}

#[test]
fn an_emergency_seizure_must_be_reported_within_24_hours_and_shows_overdue() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = open(&app, &c.a1, "SCJG-QZ-001", None);
        let video = av(&app, &n, 3);
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "seize_emergency", "officers": ["A1", "A3"], "records": ["site_record", "inventory"],
                       "documents": ["seizure_decision"], "evidence": [video]}),
            ),
        );
        // CASE-2: the approval afterwards needs the report first.
        let before = app.records();
        refused(
            &app,
            before,
            &step(&app, &n, &c.head, json!({"action": "approve_emergency", "records": ["approval_form"]})),
            "CASE-2",
        );
        set_now(&app, "2026-03-03T02:00:01Z");
        let overdue = ok(&app, app.get("/api/v1/deadlines?overdue=true", Some(&c.head))).body;
        let mine: Vec<&Value> = overdue.as_array().unwrap().iter().filter(|l| l["case"] == n.as_str()).collect();
        assert_eq!(mine.len(), 1, "{overdue:?}");
        assert_eq!(mine[0]["limit"], "emergency_report");
        ok(&app, step(&app, &n, &c.a1, json!({"action": "report_emergency", "records": ["emergency_report"]})));
        ok(&app, step(&app, &n, &c.head, json!({"action": "approve_emergency", "records": ["approval_form"]})));
        assert_eq!(detail(&app, &n, &c.a1)["stage"], "seized");
    }
}

#[test]
fn an_inspection_runs_to_archive() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = open(&app, &c.head, "SCJG-JC-001", None);
        assert_eq!(n, "13012320260300001");
        ok(&app, step(&app, &n, &c.head, json!({"action": "assign_task", "records": ["task_record"]})));
        let video = av(&app, &n, 4);
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a3,
                json!({"action": "inspect", "officers": ["A3", "A1"], "records": ["inspection_record"], "evidence": [video]}),
            ),
        );
        ok(&app, step(&app, &n, &c.a3, json!({"action": "conclude", "records": ["conclusion"], "text": "未发现问题"})));
        ok(&app, step(&app, &n, &c.a3, json!({"action": "close_without_issue"})));
        ok(&app, step(&app, &n, &c.a3, json!({"action": "publish_result", "records": ["publication_record"]})));
        assert_eq!(detail(&app, &n, &c.a3)["stage"], "archived");
    }
}

#[test]
fn case1_numbers_are_unique_and_gapless_under_concurrent_openings() {
    for app in apps() {
        let c = county(&app);
        let app = std::sync::Arc::new(app);
        let numbers: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| open(&app, &c.a1, "SCJG-CF-001", None))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = numbers.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 8, "{numbers:?}");
        let expected: Vec<String> = (1..=8).map(|i| format!("1301232026010{i:04}")).collect();
        assert_eq!(sorted, expected);
    }
}

#[test]
fn cal1_time_limits_count_working_days_across_national_day_and_spring_festival() {
    let cal = zhifa_domain::calendar::Calendar::shipped();
    for app in apps() {
        let c = county(&app);
        for (now, lead_day) in [
            ("2026-09-28T01:00:00Z", jiff::civil::date(2026, 9, 28)),
            ("2026-02-12T01:00:00Z", jiff::civil::date(2026, 2, 12)),
        ] {
            set_now(&app, now);
            let n = open(&app, &c.a1, "SCJG-CF-001", None);
            ok(&app, step(&app, &n, &c.a1, json!({"action": "register_lead", "records": ["lead_record"]})));
            let d = detail(&app, &n, &c.a1);
            let filing = d["deadlines"].as_array().unwrap().iter().find(|l| l["limit"] == "filing").unwrap().clone();
            let expected = cal.add_working_days(lead_day, 15);
            assert_eq!(filing["due"], expected.date.to_string());
            assert_eq!(filing["provisional"], false);
            // The holidays are not counted: more than 15 + 2×3 weekend days pass.
            let span = (expected.date - lead_day).get_days();
            assert!(span > 21, "{n}: {span} days");
        }
    }
}

#[test]
fn bad_case_input_is_refused_and_changes_nothing() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let before = app.records();
        // Unknown item → 404; bad party ID → 422/400; unknown field → 400; unknown case → 404.
        let r = post(
            &app,
            "/api/v1/cases",
            &c.a1,
            &json!({"item": "NOPE", "party": {"kind": "person", "name": "王某"}, "summary": "x"}),
        );
        assert_eq!(r.status, 404, "{:?}", r.body);
        let r = post(
            &app,
            "/api/v1/cases",
            &c.a1,
            &json!({"item": "SCJG-CF-001", "party": {"kind": "person", "name": "王某", "id_number": "130123199001011234"}, "summary": "x"}),
        );
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.rule(), "SEC-5");
        let r = post(
            &app,
            "/api/v1/cases",
            &c.a1,
            &json!({"item": "SCJG-CF-001", "party": {"kind": "person", "name": "王某"}, "summary": "x", "number": "1"}),
        );
        assert_eq!(r.status, 400, "{:?}", r.body);
        let r = step(&app, "13012320269999999", &c.a1, json!({"action": "register_lead"}));
        assert_eq!(r.status, 404);
        let r = post(
            &app,
            "/api/v1/cases",
            &c.reviewer,
            &json!({"item": "SCJG-CF-001", "party": {"kind": "person", "name": "王某"}, "summary": "x"}),
        );
        assert_eq!(r.status, 403);
        assert_eq!(app.records(), before);
        // A hostile summary is stored as text and comes back as text.
        let r = post(
            &app,
            "/api/v1/cases",
            &c.a1,
            &json!({"item": "SCJG-CF-001", "party": {"kind": "person", "name": "<script>alert(1)</script>"}, "summary": "\"><img src=x onerror=alert(1)>"}),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
        // An action the procedure does not have.
        let n = r.body["body"]["case"]["number"].as_str().unwrap().to_string();
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.a1, json!({"action": "teleport"})), "PROC-1");
    }
}

#[test]
fn the_simple_procedure_only_within_apl_art_51_caps() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = open(&app, &c.a1, "SCJG-CF-001", Some("simple_penalty"));
        let video = av(&app, &n, 5);
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "present_certificate", "officers": ["A1", "A3"], "records": ["site_record"], "evidence": [video]}),
            ),
        );
        // CASE-3: no on-the-spot decision before the party is told of their rights.
        let decide = |fen: i64| {
            json!({"action": "decide_on_site", "officers": ["A1", "A3"], "documents": ["on_site_decision"],
                   "penalties": [{"kind": "fine", "fen": fen}]})
        };
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.a1, decide(200_000)), "CASE-3");
        ok(&app, step(&app, &n, &c.a1, json!({"action": "inform_rights"})));
        // APL Art. 51: an organisation at most ¥3,000 on the spot.
        let before = app.records();
        let r = step(&app, &n, &c.a1, decide(300_001));
        refused(&app, before, &r, "PROC-1");
        assert!(r.body.to_string().contains("第五十一条"), "{:?}", r.body);
        ok(&app, step(&app, &n, &c.a1, decide(300_000)));
        assert_eq!(detail(&app, &n, &c.a1)["stage"], "report");
    }
}

#[test]
fn case4_the_hearing_is_chaired_by_someone_who_did_not_investigate_and_case8_transfer() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let n = filed(&app, &c);
        let video = av(&app, &n, 6);
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "inquire", "officers": ["A1", "A3"], "records": ["inquiry_record"], "evidence": [video]}),
            ),
        );
        // A large fine gives the hearing right (APL Art. 63).
        ok(
            &app,
            step(
                &app,
                &n,
                &c.a1,
                json!({"action": "notify", "documents": ["penalty_notice"], "records": ["investigation_report"],
                       "penalties": [{"kind": "fine", "fen": 6_000_000}]}),
            ),
        );
        ok(&app, step(&app, &n, &c.a1, json!({"action": "request_hearing", "records": ["hearing_request"]})));
        ok(&app, step(&app, &n, &c.a1, json!({"action": "notify_hearing", "documents": ["hearing_notice"]})));
        set_now(&app, "2026-03-16T02:00:00Z");
        let hearing = |chair: &str| json!({"action": "hold_hearing", "records": ["hearing_transcript"], "evidence": [video], "chair": chair});
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.a1, hearing("A3")), "CASE-4");
        ok(&app, step(&app, &n, &c.a1, hearing("H1")));
        // CASE-8: a suspected crime goes to the judicial organs, and the case is closed.
        ok(
            &app,
            step(
                &app,
                &n,
                &c.head,
                json!({"action": "transfer_crime", "documents": ["transfer_letter"], "text": "涉嫌生产、销售不符合安全标准的食品罪"}),
            ),
        );
        assert_eq!(detail(&app, &n, &c.a1)["stage"], "closing");
    }
}

#[test]
fn proc1_an_agency_adapts_a_definition_and_old_cases_keep_theirs() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        let old = open(&app, &c.a1, "SCJG-CF-001", None);
        ok(&app, step(&app, &old, &c.a1, json!({"action": "register_lead", "records": ["lead_record"]})));
        let path = format!("/api/v1/agencies/{}/procedures", code(1));
        // A bad file is refused with the file and the line.
        let before = app.records();
        let bad = "code = \"zd_general_penalty\"\nname = \"正定行政处罚一般程序\"\nversion = 1\nextends = { code = \"general_penalty\", version = 1 }\n\n[[limit]]\ncode = \"filing\"\ndays = \"十\"\n";
        let r = app.post(&path, &json!({"file": "zd.toml", "source": bad}));
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.rule(), "PROC-1");
        assert!(r.message().contains("zd.toml:8"), "{}", r.message());
        assert_eq!(app.records(), before);
        // A good one: filing within 10 working days instead of 15.
        let good = bad.replace("days = \"十\"", "days = 10");
        ok(&app, app.post(&path, &json!({"file": "zd.toml", "source": good})));
        let list = ok(&app, app.get("/api/v1/procedures", None)).body;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|p| p["code"] == "zd_general_penalty" && p["agency"] == code(1).as_str())
        );
        let new = open(&app, &c.a1, "SCJG-CF-001", None);
        ok(&app, step(&app, &new, &c.a1, json!({"action": "register_lead", "records": ["lead_record"]})));
        let due = |n: &str| {
            let d = detail(&app, n, &c.a1);
            let l = d["deadlines"].as_array().unwrap().iter().find(|l| l["limit"] == "filing").unwrap().clone();
            (d["case"]["procedure"]["code"].as_str().unwrap().to_string(), l["due"].as_str().unwrap().to_string())
        };
        assert_eq!(due(&old), ("general_penalty".into(), "2026-03-23".into()));
        assert_eq!(due(&new), ("zd_general_penalty".into(), "2026-03-16".into()));
    }
}
