//! Black-box tests of legal review over HTTP (REV-1..6, STAFF-5), on every backend.

mod common;

use common::county::*;
use common::{App, apps};
use serde_json::{Value, json};

fn draft(fen: i64) -> Value {
    json!({"penalties": [{"kind": "fine", "fen": fen}], "facts": "当事人经营超过保质期的食品 12 箱",
           "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第五项", "reasons": "首次违法，积极整改",
           "statement": "本人对所提交材料的真实性、完整性负责"})
}

/// A case investigated, with R2 among the investigators.
fn investigated(app: &App, c: &County) -> String {
    let n = filed(app, c);
    let video = av(app, &n, 1);
    ok(
        app,
        step(
            app,
            &n,
            &c.a1,
            json!({"action": "inspect_site", "officers": ["A1", "R2"], "records": ["site_record", "investigation_report"], "evidence": [video]}),
        ),
    );
    n
}

/// The party told of a fine of `fen` (CASE-3), and waiving their rights.
fn notify(app: &App, c: &County, n: &str, fen: i64) {
    ok(
        app,
        step(
            app,
            n,
            &c.a1,
            json!({"action": "notify", "documents": ["penalty_notice"], "penalties": [{"kind": "fine", "fen": fen}]}),
        ),
    );
    ok(app, step(app, n, &c.a1, json!({"action": "waive_rights", "records": ["waiver"]})));
}

fn notified(app: &App, c: &County, fen: i64) -> String {
    let n = investigated(app, c);
    notify(app, c, &n, fen);
    n
}

fn decide(fen: i64) -> Value {
    json!({"action": "decide", "documents": ["penalty_decision"], "penalties": [{"kind": "fine", "fen": fen}]})
}

#[test]
fn rev2_a_fine_above_the_threshold_cannot_be_decided_without_a_passed_review() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        catalogue(&app);
        // The platform says whether review is needed, and which rule says so.
        let n = notified(&app, &c, 6_000_000);
        let r = ok(
            &app,
            post(
                &app,
                &format!("/api/v1/cases/{n}/review-requirement"),
                &c.a1,
                &json!({"penalties": [{"kind": "fine", "fen": 6_000_000}]}),
            ),
        );
        assert_eq!(r.body[0]["rule"], "large_fine");
        let r = ok(
            &app,
            post(
                &app,
                &format!("/api/v1/cases/{n}/review-requirement"),
                &c.a1,
                &json!({"penalties": [{"kind": "fine", "fen": 100_000}]}),
            ),
        );
        assert_eq!(r.body, json!([]));
        // SEC-5: a negative amount is malformed, and the query writes nothing.
        let before = app.records();
        let r = post(
            &app,
            &format!("/api/v1/cases/{n}/review-requirement"),
            &c.a1,
            &json!({"penalties": [{"kind": "fine", "fen": -1}]}),
        );
        assert_eq!((r.status, r.body["error"]["rule"].as_str()), (400, Some("SEC-5")), "{:?}", r.body);
        assert_eq!(app.records(), before);

        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_decision"})));
        let before = app.records();
        let r = step(&app, &n, &c.head, decide(6_000_000));
        refused(&app, before, &r, "REV-2");
        assert!(r.body.to_string().contains("罚款五万元以上"), "{:?}", r.body);

        // A small fine in another case needs no review.
        let small = notified(&app, &c, 100_000);
        ok(&app, step(&app, &small, &c.a1, json!({"action": "submit_decision"})));
        ok(&app, step(&app, &small, &c.head, decide(100_000)));
    }
}

#[test]
fn rounds_separation_the_checklist_and_the_exact_draft() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        catalogue(&app);
        let n = investigated(&app, &c);
        // REV-5: a submission without the draft and statement is refused.
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.a1, json!({"action": "submit_review"})), "REV-5");
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_review", "draft": draft(6_000_000)})));
        // REV-5: R2 took part in the investigation and cannot review; A3 is no reviewer.
        let before = app.records();
        refused(
            &app,
            before,
            &step(&app, &n, &c.head, json!({"action": "assign_reviewer", "reviewer": "R2"})),
            "REV-5",
        );
        refused(
            &app,
            before,
            &step(&app, &n, &c.head, json!({"action": "assign_reviewer", "reviewer": "A3"})),
            "STAFF-5",
        );
        ok(&app, step(&app, &n, &c.head, json!({"action": "assign_reviewer", "reviewer": "R1"})));
        // Only the assigned reviewer gives the opinion; REV-3 every item; REV-4 its kind.
        let before = app.records();
        let ret = json!({"action": "review_return", "records": ["review_opinion"], "opinion": "more_evidence",
                         "findings": findings(true), "text": "证据不足：缺少货值金额的证明"});
        refused(&app, before, &step(&app, &n, &c.reviewer2, ret.clone()), "REV-5");
        refused(
            &app,
            before,
            &step(
                &app,
                &n,
                &c.reviewer,
                json!({"action": "review_approve", "records": ["review_opinion"], "opinion": "approve", "findings": []}),
            ),
            "REV-3",
        );
        refused(
            &app,
            before,
            &step(
                &app,
                &n,
                &c.reviewer,
                json!({"action": "review_approve", "records": ["review_opinion"], "opinion": "change", "findings": findings(true)}),
            ),
            "REV-4",
        );
        // Round 1: returned for more evidence. The decision is refused until a new round approves.
        ok(&app, step(&app, &n, &c.reviewer, ret));
        let before = app.records();
        refused(
            &app,
            before,
            &step(&app, &n, &c.a1, json!({"action": "notify", "documents": ["penalty_notice"]})),
            "REV-2",
        );
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_decision"})));
        let before = app.records();
        refused(&app, before, &step(&app, &n, &c.head, decide(6_000_000)), "REV-2");
        ok(&app, step(&app, &n, &c.head, json!({"action": "return_investigation"})));
        // Round 2: resubmitted, approved.
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_review", "draft": draft(6_000_000)})));
        ok(&app, step(&app, &n, &c.reviewer, json!({"action": "assign_reviewer", "reviewer": "R1"})));
        ok(
            &app,
            step(
                &app,
                &n,
                &c.reviewer,
                json!({"action": "review_approve", "records": ["review_opinion"], "opinion": "approve", "findings": findings(true)}),
            ),
        );
        notify(&app, &c, &n, 6_000_000);
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_decision"})));
        // REV-2: a decision other than the approved draft needs a new round.
        let before = app.records();
        let r = step(&app, &n, &c.head, decide(5_500_000));
        refused(&app, before, &r, "REV-2");
        assert!(r.body.to_string().contains("不一致"), "{:?}", r.body);
        ok(&app, step(&app, &n, &c.head, decide(6_000_000)));

        // Every round is on the record, with the materials it froze.
        let rounds = ok(&app, app.get(&format!("/api/v1/cases/{n}/reviews"), Some(&c.reviewer))).body;
        let rounds = rounds.as_array().unwrap();
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0]["opinion"]["step"]["opinion"], "more_evidence");
        assert_eq!(rounds[1]["opinion"]["step"]["opinion"], "approve");
        assert_eq!(rounds[0]["submitted"]["step"]["draft"]["statement"], "本人对所提交材料的真实性、完整性负责");
        assert!(
            rounds[1]["materials"]["steps"].as_array().unwrap().len()
                > rounds[0]["materials"]["steps"].as_array().unwrap().len()
        );
        let log = app.store.records(Some(&format!("case/{n}")), -1, 500).unwrap();
        let opinions = log
            .iter()
            .filter(|r| r.body["step"]["action"] == "review_return" || r.body["step"]["action"] == "review_approve")
            .count();
        assert_eq!(opinions, 2);
    }
}

#[test]
fn rev6_overdue_reviews_are_listed_extension_once_and_disagreement_goes_to_the_head() {
    for app in apps() {
        let c = county(&app);
        set_now(&app, "2026-03-02T01:00:00Z");
        catalogue(&app);
        let n = investigated(&app, &c);
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_review", "draft": draft(6_000_000)})));
        ok(&app, step(&app, &n, &c.head, json!({"action": "assign_reviewer", "reviewer": "R1"})));
        let queue = ok(&app, app.get("/api/v1/reviews", Some(&c.reviewer))).body;
        assert_eq!(queue[0]["case"], n.as_str());
        assert_eq!(queue[0]["due"], "2026-03-09", "5 working days");
        assert_eq!(ok(&app, app.get("/api/v1/reviews?overdue=true", Some(&c.head))).body, json!([]));
        // One extension, with a reason, before the limit runs out.
        set_now(&app, "2026-03-05T02:00:00Z");
        ok(
            &app,
            step(
                &app,
                &n,
                &c.head,
                json!({"action": "extend_review", "records": ["extension_approval"], "text": "案情复杂"}),
            ),
        );
        let before = app.records();
        refused(
            &app,
            before,
            &step(&app, &n, &c.head, json!({"action": "extend_review", "records": ["extension_approval"]})),
            "REV-6",
        );
        let queue = ok(&app, app.get("/api/v1/reviews", Some(&c.reviewer))).body;
        assert_eq!(queue[0]["due"], "2026-03-16");
        assert_eq!(queue[0]["extension_granted"], true);
        set_now(&app, "2026-03-17T02:00:00Z");
        let overdue = ok(&app, app.get("/api/v1/reviews?overdue=true", Some(&c.head))).body;
        assert_eq!(overdue[0]["case"], n.as_str());
        assert_eq!(overdue[0]["reviewer"], "R1");
        let load = ok(&app, app.get("/api/v1/reviews/workload", Some(&c.head))).body;
        assert_eq!(load["reviewers"]["R1"]["overdue"], 1);
        // The reviewer returns it; the handler disagrees; the head overrules the reviewer.
        ok(
            &app,
            step(
                &app,
                &n,
                &c.reviewer,
                json!({"action": "review_return", "records": ["review_opinion"], "opinion": "lighter", "findings": findings(true), "text": "建议从轻"}),
            ),
        );
        ok(&app, step(&app, &n, &c.a1, json!({"action": "escalate_review", "text": "处罚已在裁量基准内"})));
        ok(
            &app,
            step(
                &app,
                &n,
                &c.head,
                json!({"action": "overrule_review", "records": ["discussion_record"], "text": "集体讨论：维持原处罚"}),
            ),
        );
        notify(&app, &c, &n, 6_000_000);
        ok(&app, step(&app, &n, &c.a1, json!({"action": "submit_decision"})));
        ok(&app, step(&app, &n, &c.head, decide(6_000_000)));
    }
}
