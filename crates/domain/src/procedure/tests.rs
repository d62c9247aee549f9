//! Loader and engine tests over the shipped definitions and small hand-written ones.

use jiff::Timestamp;
use jiff::civil::date;

use super::*;
use crate::Violation;
use crate::account::Role::{AgencyHead, LegalReviewer, Officer};
use crate::calendar::Calendar;

// ------------------------------------------------------------------ loading

#[test]
fn every_shipped_definition_loads() {
    let defs = shipped();
    let kinds: Vec<ProcedureKind> = defs.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, ProcedureKind::ALL.to_vec());
    for (def, (file, text)) in defs.iter().zip(SHIPPED) {
        assert_eq!(parse(file, text).as_ref(), Ok(def));
        assert_eq!(def.version, 1);
        assert!(def.extends.is_none());
        for l in &def.limits {
            assert!(l.basis.contains('《') || l.basis.contains("国办发"), "{}: {} cites no statute", def.code, l.code);
        }
    }
    let id = DefinitionId { code: "coercive_measure".into(), version: 1 };
    assert_eq!(find(&defs, &id).map(|d| d.kind), Some(ProcedureKind::CoerciveMeasure));
    assert!(find(&defs, &DefinitionId { code: "coercive_measure".into(), version: 2 }).is_none());
}

#[test]
fn the_statutory_numbers_are_the_laws() {
    let defs = shipped();
    let limit = |proc: &str, code: &str| {
        let l = defs.iter().find(|d| d.code == proc).and_then(|d| d.limit(code)).expect(code);
        (l.length, l.unit)
    };
    assert_eq!(limit("general_penalty", "filing"), (15, Unit::Working));
    assert_eq!(limit("general_penalty", "decision"), (90, Unit::Calendar));
    assert_eq!(limit("general_penalty", "preservation"), (7, Unit::Working));
    assert_eq!(limit("general_penalty", "hearing_request"), (5, Unit::Working));
    assert_eq!(limit("general_penalty", "hearing_notice"), (7, Unit::Working));
    assert_eq!(limit("general_penalty", "service"), (7, Unit::Working));
    assert_eq!(limit("general_penalty", "payment"), (15, Unit::Calendar));
    assert_eq!(limit("coercive_measure", "emergency_report"), (24, Unit::Hours));
    assert_eq!(limit("coercive_measure", "seizure"), (30, Unit::Calendar));
    assert_eq!(limit("licensing", "license_decision"), (20, Unit::Working));
    assert_eq!(limit("licensing", "issuance"), (10, Unit::Working));
    assert_eq!(limit("licensing", "correction_notice"), (5, Unit::Working));
    let seizure = defs[2].limit("seizure").unwrap();
    assert_eq!(
        seizure.extensions,
        vec![Extension { action: "extend_seizure".into(), by: Some(AgencyHead), days: Some(30), times: Some(1) }]
    );
}

const MINI: &str = r#"code = "mini"
name = "测试流程"
version = 1
kind = "inspection"
initial = "a"

[records]
note = "记录"

[[stage]]
code = "a"
label = "开始"

[[stage]]
code = "b"
label = "中间"

[[stage]]
code = "z"
label = "结束"
terminal = true

[[action]]
code = "go"
label = "前进"
from = ["a"]
to = "b"
roles = ["officer"]
requires = ["record: note"]

[[action]]
code = "finish"
label = "完成"
from = ["b"]
to = "z"
roles = ["officer"]

[[limit]]
code = "lim"
label = "期限"
rule = "CASE-2"
basis = "某法第一条"
start = ["go"]
stop = ["finish"]
days = 5
unit = "working"
"#;

/// The 1-based line of the only line containing `needle`.
fn line_with(text: &str, needle: &str) -> u32 {
    let hits: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.contains(needle)).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "{needle:?} should occur once");
    hits[0] as u32 + 1
}

/// The line of the `[[…]]` header of the table holding `needle`.
fn header_of(text: &str, needle: &str) -> u32 {
    let at = line_with(text, needle) as usize;
    let lines: Vec<&str> = text.lines().collect();
    (0..at).rev().find(|&i| lines[i].starts_with("[[")).expect("a table header") as u32 + 1
}

fn refused(text: &str) -> Vec<DefinitionError> {
    parse("agency.toml", text).expect_err("the definition should be refused")
}

#[track_caller]
fn expect_error(text: &str, kind: DefinitionErrorKind, line: u32) -> DefinitionError {
    let errors = refused(text);
    match errors.iter().find(|e| e.kind == kind && e.line == line && e.file == "agency.toml") {
        Some(e) => e.clone(),
        None => panic!("expected {kind:?} at agency.toml:{line}, got {errors:#?}"),
    }
}

#[test]
fn the_mini_definition_loads() {
    let def = parse("agency.toml", MINI).unwrap();
    assert_eq!(def.id().to_string(), "mini@1");
    assert_eq!(def.actions[0].requires[0].any_of, vec![Condition::Record("note".into())]);
}

#[test]
fn refuses_an_unreachable_stage() {
    let text = MINI.replace(
        "[[action]]\ncode = \"go\"",
        "[[stage]]\ncode = \"orphan\"\nlabel = \"孤立\"\n\n[[action]]\ncode = \"leave\"\nlabel = \"离开\"\nfrom = [\"orphan\"]\nto = \"z\"\nroles = [\"officer\"]\n\n[[action]]\ncode = \"go\"",
    );
    let e = expect_error(&text, DefinitionErrorKind::UnreachableStage, line_with(&text, "code = \"orphan\""));
    assert_eq!(e.to_string(), format!("agency.toml:{}: PROC-1: 阶段「孤立」从起始阶段无法到达", e.line));
}

#[test]
fn refuses_a_transition_with_no_role() {
    let text = MINI.replacen("to = \"z\"\nroles = [\"officer\"]\n", "to = \"z\"\n", 1);
    expect_error(&text, DefinitionErrorKind::NoRole, header_of(&text, "code = \"finish\""));
    let text = MINI.replacen("to = \"z\"\nroles = [\"officer\"]", "to = \"z\"\nroles = []", 1);
    expect_error(&text, DefinitionErrorKind::NoRole, line_with(&text, "roles = []"));
    let text = MINI.replacen("to = \"z\"\nroles = [\"officer\"]", "to = \"z\"\nroles = [\"janitor\"]", 1);
    expect_error(&text, DefinitionErrorKind::UnknownRole, line_with(&text, "janitor"));
}

#[test]
fn refuses_transitions_to_or_from_unknown_stages() {
    let text = MINI.replace("to = \"z\"", "to = \"nowhere\"");
    expect_error(&text, DefinitionErrorKind::UnknownStage, line_with(&text, "nowhere"));
    let text = MINI.replace("from = [\"b\"]", "from = [\"elsewhere\"]");
    expect_error(&text, DefinitionErrorKind::UnknownStage, line_with(&text, "elsewhere"));
    let text = MINI.replace("initial = \"a\"", "initial = \"q\"");
    expect_error(&text, DefinitionErrorKind::UnknownStage, line_with(&text, "initial"));
}

#[test]
fn refuses_a_limit_without_a_unit_or_with_an_unknown_one() {
    let text = MINI.replace("unit = \"working\"\n", "");
    let e = expect_error(&text, DefinitionErrorKind::MissingUnit, header_of(&text, "code = \"lim\""));
    assert!(e.message.contains("没有写明单位 unit"), "{e}");
    let text = MINI.replace("unit = \"working\"", "unit = \"weeks\"");
    expect_error(&text, DefinitionErrorKind::UnknownUnit, line_with(&text, "weeks"));
    let text = MINI.replace("days = 5", "days = 0");
    expect_error(&text, DefinitionErrorKind::BadValue, line_with(&text, "days = 0"));
    let text = MINI.replace("rule = \"CASE-2\"", "rule = \"CASE-99\"");
    expect_error(&text, DefinitionErrorKind::UnknownRule, line_with(&text, "CASE-99"));
    let text = MINI.replace("basis = \"某法第一条\"\n", "");
    expect_error(&text, DefinitionErrorKind::MissingField, header_of(&text, "code = \"lim\""));
}

#[test]
fn refuses_duplicate_codes() {
    let text = MINI.replace("code = \"z\"", "code = \"b\"").replace("to = \"z\"", "to = \"b\"");
    let errors = refused(&text);
    let second_b = text.lines().enumerate().filter(|(_, l)| *l == "code = \"b\"").nth(1).unwrap().0 as u32 + 1;
    let e = errors.iter().find(|e| e.kind == DefinitionErrorKind::Duplicate).expect("duplicate");
    assert_eq!(e.line, second_b);
    assert!(e.message.contains(&format!("已在第 {} 行定义", line_with(MINI, "code = \"b\""))), "{e}");
    let text = MINI.replace("code = \"finish\"", "code = \"go\"");
    expect_error(&text, DefinitionErrorKind::Duplicate, header_of(&text, "label = \"完成\"") + 1);
}

#[test]
fn refuses_a_terminal_stage_with_a_way_out() {
    let text = format!(
        "{MINI}\n[[action]]\ncode = \"reopen\"\nlabel = \"重启\"\nfrom = [\"z\"]\nto = \"b\"\nroles = [\"officer\"]\n"
    );
    expect_error(&text, DefinitionErrorKind::TerminalWithExit, line_with(&text, "from = [\"z\"]"));
}

#[test]
fn refuses_a_stage_with_no_way_out() {
    // `finish` stays in `b`: b has no way out, and z becomes unreachable.
    let text = MINI.replace("from = [\"b\"]\nto = \"z\"\n", "from = [\"b\"]\n");
    let e = expect_error(&text, DefinitionErrorKind::NoWayOut, line_with(&text, "code = \"b\""));
    assert!(e.message.contains("非终结阶段「中间」没有通往其他阶段的步骤"));
    expect_error(&text, DefinitionErrorKind::UnreachableStage, line_with(&text, "code = \"z\""));
}

#[test]
fn refuses_a_stage_that_cannot_reach_an_end() {
    let text = MINI
        .replace("to = \"z\"", "to = \"c\"")
        .replace("[[action]]\ncode = \"go\"", "[[stage]]\ncode = \"c\"\nlabel = \"循环\"\n\n[[action]]\ncode = \"back\"\nlabel = \"返回\"\nfrom = [\"c\"]\nto = \"b\"\nroles = [\"officer\"]\n\n[[action]]\ncode = \"go\"");
    expect_error(&text, DefinitionErrorKind::NoPathToEnd, line_with(&text, "code = \"c\""));
}

#[test]
fn refuses_preconditions_naming_unknown_things() {
    for (clause, kind) in [
        ("period_elapsed: nolimit", DefinitionErrorKind::UnknownLimit),
        ("within: nolimit", DefinitionErrorKind::UnknownLimit),
        ("record: nokind", DefinitionErrorKind::UnknownRecord),
        ("document: nokind", DefinitionErrorKind::UnknownDocument),
        ("visited: nostage", DefinitionErrorKind::UnknownStage),
        ("done: noaction", DefinitionErrorKind::UnknownAction),
        ("flag: noflag", DefinitionErrorKind::UnknownFlag),
        ("approval: janitor", DefinitionErrorKind::UnknownRole),
        ("record: note @NOPE-1", DefinitionErrorKind::UnknownRule),
        ("review: maybe", DefinitionErrorKind::BadRequirement),
        ("weather: sunny", DefinitionErrorKind::BadRequirement),
        ("just words", DefinitionErrorKind::BadRequirement),
        ("record: note if flag: a if flag: b", DefinitionErrorKind::BadRequirement),
    ] {
        let text = MINI.replace("requires = [\"record: note\"]", &format!("requires = [\"{clause}\"]"));
        expect_error(&text, kind, line_with(&text, clause));
    }
    let text = MINI.replace("[[action]]\ncode = \"finish\"", "[[action]]\ncode = \"finish\"\nrecords = [\"nokind\"]");
    expect_error(&text, DefinitionErrorKind::UnknownRecord, line_with(&text, "nokind"));
    let text = MINI.replace("stop = [\"finish\"]", "stop = [\"nothing\"]");
    expect_error(&text, DefinitionErrorKind::UnknownAction, line_with(&text, "nothing"));
}

#[test]
fn parses_the_precondition_grammar() {
    let def = shipped().remove(0);
    let decide = def.action("decide").unwrap();
    let hearing = decide.requires.iter().find(|r| r.text.starts_with("done: hold_hearing")).unwrap();
    assert_eq!(
        hearing.any_of,
        vec![Condition::Done("hold_hearing".into()), Condition::Done("withdraw_hearing".into())]
    );
    assert_eq!(hearing.when, Some(Condition::Done("request_hearing".into())));
    assert_eq!(hearing.rule, Some("CASE-4"));
    let review = decide.requires.iter().find(|r| r.text.starts_with("review")).unwrap();
    assert_eq!((review.any_of.clone(), review.rule), (vec![Condition::ReviewPassed], None));
}

#[test]
fn reports_toml_errors_with_their_line_and_collects_all_errors() {
    let text = MINI.replace("label = \"中间\"", "label = \"中间");
    let errors = refused(&text);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].kind, errors[0].line), (DefinitionErrorKind::Syntax, line_with(&text, "label = \"中间")));
    let text = MINI.replace("terminal = true", "terminal = true\ncolour = \"red\"");
    expect_error(&text, DefinitionErrorKind::Syntax, line_with(&text, "colour"));
    // Several problems: all reported, in line order.
    let text = MINI.replace("unit = \"working\"", "unit = \"weeks\"").replace("to = \"z\"", "to = \"nowhere\"");
    let errors = refused(&text);
    assert!(errors.len() >= 2, "{errors:#?}");
    assert!(errors.windows(2).all(|w| w[0].line <= w[1].line));
}

// ------------------------------------------------------------------ extends

const ADAPTED: &str = r#"# 某省市场监管局对一般程序的调整
extends = { code = "general_penalty", version = 1 }
code = "general_penalty_hb"
version = 1
name = "行政处罚一般程序（某省）"

[[limit]]
code = "filing"
days = 10

[[action]]
code = "notify"
add_requires = ["approval: agency_head"]
"#;

#[test]
fn an_agency_adapts_a_shipped_definition() {
    let def = parse("agency.toml", ADAPTED).unwrap();
    assert_eq!(def.id(), DefinitionId { code: "general_penalty_hb".into(), version: 1 });
    assert_eq!(def.extends, Some(DefinitionId { code: "general_penalty".into(), version: 1 }));
    assert_eq!(def.kind, ProcedureKind::GeneralPenalty);
    let filing = def.limit("filing").unwrap();
    assert_eq!((filing.length, filing.unit, filing.rule), (10, Unit::Working, "CASE-2"));
    let notify = def.action("notify").unwrap();
    assert_eq!(notify.requires.len(), 3);
    assert_eq!(notify.requires[2].any_of, vec![Condition::Approval(AgencyHead)]);
    // The base is untouched, and both versions can be told apart.
    let mut defs = shipped();
    assert_eq!(defs[0].limit("filing").unwrap().length, 15);
    defs.push(def);
    assert_eq!(
        find(&defs, &DefinitionId { code: "general_penalty_hb".into(), version: 1 }).unwrap().name,
        "行政处罚一般程序（某省）"
    );

    // An adaptation of the adaptation, resolved against given bases.
    let second = "extends = { code = \"general_penalty_hb\", version = 1 }\ncode = \"general_penalty_hb\"\nversion = 2\n\n[[limit]]\ncode = \"service\"\ndays = 5\n";
    let bases = [("agency.toml", ADAPTED), SHIPPED[0]];
    let v2 = parse_with_bases("agency-v2.toml", second, &bases).unwrap();
    assert_eq!((v2.limit("filing").unwrap().length, v2.limit("service").unwrap().length), (10, 5));
    assert_eq!(v2.name, "行政处罚一般程序（某省）");
}

#[test]
fn an_adaptation_is_validated_like_any_definition() {
    let text = ADAPTED.replace("days = 10", "days = 10\nunit = \"fortnights\"");
    expect_error(&text, DefinitionErrorKind::UnknownUnit, line_with(&text, "fortnights"));
    let text = ADAPTED.replace("approval: agency_head", "period_elapsed: nolimit");
    expect_error(&text, DefinitionErrorKind::UnknownLimit, line_with(&text, "nolimit"));
    let text = ADAPTED.replace("version = 1\nname", "version = 1\nkind = \"licensing\"\nname");
    expect_error(&text, DefinitionErrorKind::BadValue, line_with(&text, "kind = \"licensing\""));
    let text = ADAPTED.replace("code = \"general_penalty\", version = 1", "code = \"general_penalty\", version = 9");
    expect_error(&text, DefinitionErrorKind::UnknownBase, line_with(&text, "extends"));
    let text = ADAPTED.replace("code = \"general_penalty_hb\"", "code = \"general_penalty\"");
    expect_error(&text, DefinitionErrorKind::BadValue, line_with(&text, "extends"));
    // An error caused by the patch but sitting in the base's text names the base's file
    // and line: making 结案 terminal leaves the base's 立卷归档 leaving a terminal stage.
    let text = format!("{ADAPTED}\n[[stage]]\ncode = \"closing\"\nterminal = true\n");
    let errors = refused(&text);
    let e = errors.iter().find(|e| e.kind == DefinitionErrorKind::TerminalWithExit).expect("terminal with exit");
    assert_eq!(e.file, "procedures/general_penalty.toml");
    let base = SHIPPED[0].1;
    let archive = base.find("code = \"archive\"").unwrap();
    // `code = "archive"`, `label = …`, then `from = ["closing"]`.
    let expected = base[..archive].lines().count() as u32 + 3;
    assert!(errors.iter().any(|e| e.line == expected && e.file == "procedures/general_penalty.toml"), "{errors:#?}");
}

// ------------------------------------------------------------------ engine

/// An instant in China Standard Time, "YYYY-MM-DD HH:MM".
fn t(s: &str) -> Timestamp {
    format!("{}T{}:00+08:00", &s[..10], &s[11..]).parse().unwrap()
}

trait Build {
    fn av(self) -> Self;
    fn officers(self, n: u32) -> Self;
    fn records(self, kinds: &[&str]) -> Self;
    fn docs(self, kinds: &[&str]) -> Self;
    fn approved(self, role: Role) -> Self;
    fn flags(self, flags: &[&str]) -> Self;
    fn review(self, outcome: ReviewOutcome) -> Self;
    fn days(self, days: u32) -> Self;
}

impl Build for Command {
    fn av(mut self) -> Self {
        self.facts.av = true;
        self
    }
    fn officers(mut self, n: u32) -> Self {
        self.facts.officers = n;
        self
    }
    fn records(mut self, kinds: &[&str]) -> Self {
        self.facts.records.extend(kinds.iter().map(|k| k.to_string()));
        self
    }
    fn docs(mut self, kinds: &[&str]) -> Self {
        self.facts.documents.extend(kinds.iter().map(|k| k.to_string()));
        self
    }
    fn approved(mut self, role: Role) -> Self {
        self.facts.approvals.push(role);
        self
    }
    fn flags(mut self, flags: &[&str]) -> Self {
        self.facts.flags.extend(flags.iter().map(|k| k.to_string()));
        self
    }
    fn review(mut self, outcome: ReviewOutcome) -> Self {
        self.facts.review = Some(outcome);
        self
    }
    fn days(mut self, days: u32) -> Self {
        self.facts.days = Some(days);
        self
    }
}

fn c(action: &str, role: Role) -> Command {
    Command::new(action, &[role])
}

fn def(code: &str) -> ProcedureDefinition {
    shipped().into_iter().find(|d| d.code == code).unwrap()
}

/// A case being run through a definition.
struct Case {
    def: ProcedureDefinition,
    cal: Calendar,
    history: Vec<CaseEvent>,
}

impl Case {
    fn new(code: &str) -> Case {
        Case { def: def(code), cal: Calendar::shipped(), history: Vec::new() }
    }
    fn engine(&self) -> Engine<'_> {
        Engine::new(&self.def, &self.cal)
    }
    #[track_caller]
    fn ok(&mut self, at: &str, cmd: Command) -> &mut Case {
        match self.engine().check(&self.history, &cmd, t(at)) {
            Verdict::Allowed { .. } => self.history.push(cmd.into_event(t(at))),
            Verdict::Refused { violations } => panic!("{} at {at} refused: {violations:#?}", cmd.action),
        }
        self
    }
    #[track_caller]
    fn refused(&self, at: &str, cmd: Command) -> Vec<Violation> {
        match self.engine().check(&self.history, &cmd, t(at)) {
            Verdict::Allowed { stage } => panic!("{} at {at} allowed (→ {stage})", cmd.action),
            Verdict::Refused { violations } => violations,
        }
    }
    fn stage(&self) -> String {
        self.engine().state(&self.history).unwrap().stage
    }
    fn limit(&self, at: &str, code: &str) -> Option<LimitStatus> {
        self.engine().deadlines(&self.history, t(at)).into_iter().find(|l| l.limit == code)
    }
}

fn messages(v: &[Violation]) -> Vec<String> {
    v.iter().map(|v| v.to_string()).collect()
}

/// A general-procedure case filed on 2026-08-03 and investigated, ready for the notice.
fn investigated(flags: &[&str]) -> Case {
    let mut case = Case::new("general_penalty");
    case.ok("2026-08-03 09:00", c("register_lead", Officer).records(&["lead_record"]))
        .ok("2026-08-03 15:00", c("file", AgencyHead).records(&["filing_approval"]).flags(flags))
        .ok("2026-08-04 10:00", c("inquire", Officer).officers(2).av().records(&["inquiry_record"]));
    case
}

#[test]
fn a_general_procedure_case_runs_from_lead_to_archive() {
    let mut case = investigated(&["review_required", "hearing_right", "collective_required", "fine"]);
    case.ok("2026-08-05 10:00", c("collect_evidence", Officer).officers(2).av().records(&["evidence"]))
        .ok("2026-08-10 10:00", c("start_testing", Officer))
        .ok("2026-08-20 10:00", c("finish_testing", Officer).records(&["testing_report"]))
        .ok("2026-08-24 10:00", c("submit_review", Officer).records(&["investigation_report"]))
        .ok("2026-08-25 10:00", c("assign_reviewer", AgencyHead))
        .ok(
            "2026-08-26 10:00",
            c("review_approve", LegalReviewer).records(&["review_opinion"]).review(ReviewOutcome::Passed),
        )
        .ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]))
        .ok("2026-10-09 10:00", c("request_hearing", Officer).records(&["hearing_request"]))
        .ok("2026-10-09 11:00", c("notify_hearing", Officer).docs(&["hearing_notice"]))
        .ok("2026-10-20 09:00", c("hold_hearing", Officer).av().records(&["hearing_transcript"]))
        .ok("2026-10-21 09:00", c("submit_discussion", Officer))
        .ok("2026-10-22 09:00", c("collective_discussion", AgencyHead).records(&["discussion_record"]))
        .ok("2026-10-23 09:00", c("submit_decision", Officer))
        .ok("2026-10-26 09:00", c("decide", AgencyHead).docs(&["penalty_decision"]))
        .ok("2026-10-27 09:00", c("serve", Officer).records(&["service_receipt"]))
        .ok("2026-11-05 09:00", c("record_payment", Officer).records(&["payment_receipt"]))
        .ok("2026-11-06 09:00", c("complete_execution", Officer).records(&["execution_record"]))
        .ok("2026-11-09 09:00", c("approve_closing", AgencyHead).records(&["closing_report"]))
        .ok("2026-11-10 09:00", c("archive", Officer));
    let state = case.engine().state(&case.history).unwrap();
    assert_eq!((state.stage.as_str(), state.terminal), ("archived", true));
    assert!(case.engine().deadlines(&case.history, t("2026-11-10 10:00")).is_empty());
    assert!(case.engine().next_actions(&case.history, &[Officer], t("2026-11-10 10:00")).is_empty());
    let v = case.refused("2026-11-11 09:00", c("inquire", Officer).officers(2).av().records(&["inquiry_record"]));
    assert_eq!(messages(&v), ["PROC-1: 案件已处于终结阶段「归档」，不能再进行「询问调查」（字段 action）"]);
}

#[test]
fn no_decision_before_the_statement_period_runs_out() {
    let mut case = investigated(&["fine"]);
    // Notice on Tuesday 29 September 2026: three working days are 30 September, then 8
    // and 9 October (1–7 October is the National Day holiday).
    case.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]))
        .ok("2026-10-08 10:00", c("submit_decision", Officer));
    let decide = || c("decide", AgencyHead).docs(&["penalty_decision"]);
    let v = case.refused("2026-10-09 17:00", decide());
    assert_eq!(
        messages(&v),
        [
            "CASE-3: 陈述申辩期至 2026-10-09 届满，届满前不得「作出行政处罚决定」（已「当事人放弃陈述、申辩和听证权利」的除外）"
        ]
    );
    // Saturday 10 October is an adjusted working day; the period is over.
    let mut later = Case { def: case.def.clone(), cal: case.cal.clone(), history: case.history.clone() };
    later.ok("2026-10-10 09:00", decide());
    assert_eq!(later.stage(), "service");

    // A waiver ends the period at once.
    let mut waived = investigated(&["fine"]);
    waived
        .ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]))
        .ok("2026-09-30 10:00", c("waive_rights", Officer).records(&["waiver"]))
        .ok("2026-09-30 11:00", c("submit_decision", Officer))
        .ok("2026-09-30 15:00", decide());

    // And no decision at all without the notice.
    let mut skipped = investigated(&[]);
    skipped.ok("2026-09-29 10:00", c("submit_decision", Officer).records(&["investigation_report"]));
    let v = skipped.refused("2026-10-20 10:00", decide());
    assert_eq!(v[0].rule, "CASE-3");
    assert_eq!(v[0].message, "「作出行政处罚决定」之前须先「送达行政处罚告知书」");
}

#[test]
fn a_party_with_the_hearing_right_gets_five_working_days_to_ask() {
    let mut case = investigated(&["hearing_right"]);
    case.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]));
    let hearing = case.limit("2026-09-29 12:00", "hearing_request").unwrap();
    assert_eq!((hearing.due, hearing.provisional, hearing.kind), (date(2026, 10, 12), false, LimitKind::Period));
    // The decision waits for the hearing window too, not only the 3-day statement period.
    case.ok("2026-10-10 09:00", c("submit_decision", Officer));
    let v = case.refused("2026-10-12 09:00", c("decide", AgencyHead).docs(&["penalty_decision"]));
    assert_eq!(v[0].rule, "CASE-4");
    assert!(v[0].message.starts_with("听证申请期至 2026-10-12 届满"), "{v:#?}");
    // Too late to ask for a hearing on 13 October.
    let mut late = investigated(&["hearing_right"]);
    late.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]));
    let v = late.refused("2026-10-13 09:00", c("request_hearing", Officer).records(&["hearing_request"]));
    assert_eq!(messages(&v), ["CASE-4: 听证申请期已于 2026-10-12 届满，不能再「当事人要求听证」"]);
    // Without the hearing right there is nothing to ask for.
    let mut none = investigated(&[]);
    none.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]));
    let v = none.refused("2026-09-30 09:00", c("request_hearing", Officer).records(&["hearing_request"]));
    assert_eq!(v.iter().map(|v| v.rule).collect::<Vec<_>>(), ["CASE-4", "CASE-4"]);
}

#[test]
fn the_hearing_is_notified_seven_working_days_ahead_and_suspends_the_decision_clock() {
    let mut case = investigated(&["hearing_right"]);
    assert_eq!(case.limit("2026-08-04 12:00", "decision").unwrap().due, date(2026, 11, 1));
    case.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]))
        .ok("2026-10-09 10:00", c("request_hearing", Officer).records(&["hearing_request"]))
        .ok("2026-10-09 11:00", c("notify_hearing", Officer).docs(&["hearing_notice"]));
    // While the hearing runs the clock holds: on 15 October, six days have not counted.
    let d = case.limit("2026-10-15 12:00", "decision").unwrap();
    assert_eq!((d.due, d.suspended, d.suspended_days), (date(2026, 11, 7), true, 6));
    // 10 (adjusted working Saturday), 12–16, 19 October: the seventh working day is the 19th.
    let hold = || c("hold_hearing", Officer).av().records(&["hearing_transcript"]);
    let v = case.refused("2026-10-19 09:00", hold());
    assert_eq!(messages(&v), ["CASE-4: 听证通知期至 2026-10-19 届满，届满前不得「举行听证」"]);
    case.ok("2026-10-20 09:00", hold());
    // Suspended from 9 to 20 October: eleven days added to 1 November.
    let d = case.limit("2026-10-21 12:00", "decision").unwrap();
    assert_eq!((d.due, d.suspended, d.suspended_days, d.overdue), (date(2026, 11, 12), false, 11, false));
    let d = case.limit("2026-11-13 09:00", "decision").unwrap();
    assert!(d.overdue && d.elapsed);
}

#[test]
fn no_decision_without_a_passed_review_where_it_is_required() {
    let mut case = investigated(&["review_required"]);
    case.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]))
        .ok("2026-10-12 10:00", c("submit_decision", Officer));
    let decide = || c("decide", AgencyHead).docs(&["penalty_decision"]);
    let v = case.refused("2026-10-12 15:00", decide());
    assert_eq!(messages(&v), ["REV-2: 「作出行政处罚决定」须经法制审核通过，本案尚未经法制审核"]);
    // A review that did not pass sends the case back; notice again only after a pass.
    let mut reviewed = investigated(&["review_required"]);
    reviewed
        .ok("2026-08-24 10:00", c("submit_review", Officer).records(&["investigation_report"]))
        .ok("2026-08-25 10:00", c("assign_reviewer", AgencyHead))
        .ok(
            "2026-08-26 10:00",
            c("review_return", LegalReviewer).records(&["review_opinion"]).review(ReviewOutcome::NotPassed),
        );
    let v = reviewed.refused("2026-08-27 10:00", c("notify", Officer).docs(&["penalty_notice"]));
    assert_eq!(messages(&v), ["REV-2: 「送达行政处罚告知书」须经法制审核通过，最近一次法制审核未通过"]);
    reviewed
        .ok("2026-08-28 10:00", c("submit_review", Officer))
        .ok(
            "2026-08-31 10:00",
            c("review_approve", LegalReviewer).records(&["review_opinion"]).review(ReviewOutcome::Passed),
        )
        .ok("2026-09-01 10:00", c("notify", Officer).docs(&["penalty_notice"]))
        .ok("2026-09-07 10:00", c("submit_decision", Officer))
        .ok("2026-09-07 15:00", decide());
    // Without the flag, no review is needed.
    let mut plain = investigated(&[]);
    plain
        .ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]))
        .ok("2026-10-12 10:00", c("submit_decision", Officer))
        .ok("2026-10-12 15:00", decide());
}

#[test]
fn refuses_the_wrong_role_one_officer_and_the_wrong_stage() {
    let mut case = Case::new("general_penalty");
    case.ok("2026-08-03 09:00", c("register_lead", Officer).records(&["lead_record"]));
    let v = case.refused("2026-08-03 10:00", c("file", Officer).records(&["filing_approval"]));
    assert_eq!(messages(&v), ["PROC-1: 「立案」须由机关负责人进行（字段 roles）"]);
    case.ok("2026-08-03 15:00", c("file", AgencyHead).records(&["filing_approval"]));
    let v = case.refused("2026-08-04 10:00", c("inquire", Officer).officers(1).av().records(&["inquiry_record"]));
    assert_eq!(messages(&v), ["STAFF-4: 「询问调查」须有至少 2 名执法人员参加，本次为 1 名（字段 facts.officers）"]);
    let v = case.refused("2026-08-04 10:00", c("serve", Officer).records(&["service_receipt"]));
    assert_eq!(
        messages(&v),
        ["PROC-1: 当前阶段「调查取证」不能进行「直接送达决定书」（只能在「送达」阶段进行）（字段 action）"]
    );
    // Every violation at once.
    let v = case.refused("2026-08-04 10:00", c("inquire", AgencyHead));
    assert_eq!(v.iter().map(|v| v.rule).collect::<Vec<_>>(), ["PROC-1", "STAFF-4", "REC-3", "REC-1"]);
    // Records never go back in time (REC-5), and unknown actions are named.
    let v = case.refused("2026-08-03 14:00", c("inquire", Officer).officers(2).av().records(&["inquiry_record"]));
    assert_eq!(v[0].rule, "REC-5");
    let v = case.refused("2026-08-04 10:00", c("teleport", Officer));
    assert_eq!(messages(&v), ["PROC-1: 流程「行政处罚一般程序」中没有「teleport」这一步骤（字段 action）"]);
}

#[test]
fn a_history_the_definition_cannot_produce_is_refused() {
    let case = Case::new("general_penalty");
    let history = vec![c("decide", AgencyHead).into_event(t("2026-08-03 09:00"))];
    let err = case.engine().state(&history).unwrap_err();
    assert_eq!(err.to_string(), "PROC-1: 案件第 1 条记录「作出行政处罚决定」与流程不符：当时案件处于「案件来源」阶段");
    assert!(!case.engine().check(&history, &c("serve", Officer), t("2026-08-04 09:00")).is_allowed());
    assert!(case.engine().next_actions(&history, &[Officer], t("2026-08-04 09:00")).is_empty());
}

#[test]
fn extensions_are_counted_capped_and_approved() {
    let mut case = investigated(&[]);
    let ext = || c("extend_decision", AgencyHead).records(&["extension_approval"]);
    case.ok("2026-10-20 10:00", ext());
    let d = case.limit("2026-10-20 11:00", "decision").unwrap();
    assert_eq!((d.due, d.extended, d.extensions), (date(2026, 12, 1), 30, 1));
    let v = case.refused("2026-10-21 10:00", ext());
    assert_eq!(messages(&v), ["CASE-2: 办案期限经「延长办案期限（负责人批准）」只能延长 1 次，已延长 1 次"]);
    let coll = || c("extend_decision_collective", AgencyHead).records(&["discussion_record", "extension_approval"]);
    let v = case.refused("2026-10-21 10:00", coll());
    assert_eq!(messages(&v), ["CASE-2: 「继续延长办案期限（集体讨论决定）」须写明延长的天数（字段 facts.days）"]);
    case.ok("2026-10-21 10:00", coll().days(45));
    assert_eq!(case.limit("2026-10-21 11:00", "decision").unwrap().due, date(2027, 1, 15));
    // Past the due date no extension helps.
    let v = case.refused("2027-01-16 10:00", coll().days(10));
    assert_eq!(messages(&v), ["CASE-2: 办案期限已于 2027-01-15 届满，届满后不能再延长"]);
}

#[test]
fn deadlines_across_national_day_and_into_uncovered_2027() {
    let mut case = investigated(&["fine"]);
    case.ok("2026-09-29 10:00", c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]))
        .ok("2026-09-29 12:00", c("waive_rights", Officer).records(&["waiver"]))
        .ok("2026-09-29 13:00", c("submit_decision", Officer))
        .ok("2026-09-30 09:00", c("decide", AgencyHead).docs(&["penalty_decision"]));
    // Service within 7 working days of 30 September: 8, 9, 10 (Saturday, adjusted working
    // day), 12, 13, 14, 15 October.
    let s = case.limit("2026-10-15 18:00", "service").unwrap();
    assert_eq!(
        (s.due, s.unit, s.provisional, s.overdue, s.rule),
        (date(2026, 10, 15), Unit::Working, false, false, "CASE-6")
    );
    assert!(case.limit("2026-10-16 08:00", "service").unwrap().overdue);
    // Serving late is still allowed (and recorded); the payment period then runs 15
    // calendar days, from 16 October to Saturday 31 October, rolled to Monday 2 November.
    case.ok("2026-10-16 09:00", c("serve", Officer).records(&["service_receipt"]));
    let p = case.limit("2026-10-16 10:00", "payment").unwrap();
    assert_eq!((p.due, p.kind, p.unit), (date(2026, 11, 2), LimitKind::Period, Unit::Calendar));
    let p = case.limit("2026-11-03 10:00", "payment").unwrap();
    assert!(p.elapsed && !p.overdue, "a period elapses, it is not the agency's overdue");
    // A deferral is granted before the period ends (CASE-7, APL Art. 66).
    let defer = || c("grant_deferral", AgencyHead).docs(&["deferral_approval"]).days(30);
    let v = case.refused("2026-11-03 10:00", defer());
    assert_eq!(messages(&v), ["CASE-7: 罚款缴纳期限已于 2026-11-02 届满，届满后不能再延长"]);
    case.ok("2026-11-02 10:00", defer());
    // 31 October + 30 days is 30 November, a Monday.
    assert_eq!(case.limit("2026-11-02 11:00", "payment").unwrap().due, date(2026, 11, 30));

    // An on-the-spot fine on 16 September: due on 1 October, a holiday, so 8 October.
    let mut spot = Case::new("simple_penalty");
    spot.ok("2026-09-16 09:00", c("present_certificate", Officer).officers(2).av().records(&["site_record"]))
        .ok("2026-09-16 09:05", c("inform_rights", Officer))
        .ok("2026-09-16 09:20", c("decide_on_site", Officer).officers(2).docs(&["on_site_decision"]).flags(&["fine"]));
    let p = spot.limit("2026-09-16 10:00", "payment").unwrap();
    assert_eq!((p.due, p.provisional), (date(2026, 10, 8), false));
    // Filing with the agency: two working days, 17 and 18 September.
    assert_eq!(spot.limit("2026-09-16 10:00", "report_filing").unwrap().due, date(2026, 9, 18));

    // A lead registered on 21 December 2026: the fifteen working days reach into 2027,
    // whose holidays are not loaded: Monday–Friday counts, and the date is provisional.
    let mut lead = Case::new("general_penalty");
    lead.ok("2026-12-21 09:00", c("register_lead", Officer).records(&["lead_record"]));
    let f = lead.limit("2026-12-21 10:00", "filing").unwrap();
    assert_eq!((f.due, f.provisional, f.rule), (date(2027, 1, 11), true, "CASE-2"));
    let mut early = Case::new("general_penalty");
    early.ok("2026-12-01 09:00", c("register_lead", Officer).records(&["lead_record"]));
    let f = early.limit("2026-12-01 10:00", "filing").unwrap();
    assert_eq!((f.due, f.provisional), (date(2026, 12, 22), false));
    // Once 2027 is loaded the date is no longer provisional.
    let y2027 = crate::calendar::HolidayYear::new(
        2027,
        vec![crate::calendar::HolidayDay { name: "元旦".into(), date: date(2027, 1, 1), off: true }],
        vec![],
    )
    .unwrap();
    lead.cal.load(y2027).unwrap();
    let f = lead.limit("2026-12-21 10:00", "filing").unwrap();
    assert_eq!((f.due, f.provisional), (date(2027, 1, 12), false));
}

#[test]
fn next_actions_say_what_stops_each_and_what_it_needs() {
    let case = investigated(&[]);
    let options = case.engine().next_actions(&case.history, &[Officer], t("2026-08-05 10:00"));
    let find = |code: &str| options.iter().find(|o| o.action == code).unwrap_or_else(|| panic!("{code}"));
    let inquire = find("inquire");
    assert!(inquire.allowed && inquire.refusals.is_empty());
    assert_eq!(inquire.needs.iter().map(|v| v.rule).collect::<Vec<_>>(), ["STAFF-4", "REC-3", "REC-1"]);
    let extend = find("extend_decision");
    assert!(!extend.allowed);
    assert_eq!(extend.refusals[0].message, "「延长办案期限（负责人批准）」须由机关负责人进行");
    let notify = find("notify");
    assert!(notify.allowed && notify.to.as_deref() == Some("notice"));
    assert_eq!(
        notify.needs.iter().map(|v| v.message.as_str()).collect::<Vec<_>>(),
        ["「送达行政处罚告知书」须附「行政处罚告知书」，本次未附", "「送达行政处罚告知书」须先有「调查终结报告」"]
    );
    let finish = find("finish_testing");
    assert!(!finish.allowed);
    assert!(!options.iter().any(|o| o.action == "serve" || o.action == "file"));
    assert_eq!(options.iter().filter(|o| o.action.starts_with("extend")).count(), 2);
}

#[test]
fn a_seizure_needs_approval_two_officers_and_full_video() {
    let mut case = Case::new("coercive_measure");
    case.ok("2026-09-01 09:00", c("request_approval", Officer).records(&["approval_form"]));
    let seize = || c("seize", Officer).records(&["site_record", "inventory"]).docs(&["seizure_decision"]);
    let v = case.refused("2026-09-01 10:00", seize().officers(2).approved(AgencyHead));
    assert_eq!(messages(&v), ["REC-3: 「实施查封、扣押」须全过程音像记录，本次未附音像记录（字段 facts.av）"]);
    let v = case.refused("2026-09-01 10:00", seize().officers(2).av());
    assert_eq!(messages(&v), ["CASE-2: 「实施查封、扣押」须经机关负责人批准，本次未附批准"]);
    let v = case.refused("2026-09-01 10:00", seize().officers(1).av().approved(AgencyHead));
    assert_eq!(v[0].rule, "STAFF-4");
    case.ok("2026-09-01 10:00", seize().officers(2).av().approved(AgencyHead));
    assert_eq!(case.stage(), "seized");
    // 30 days from 1 September, plus the testing time (10 to 15 September), plus one
    // extension of 30 days.
    assert_eq!(case.limit("2026-09-02 10:00", "seizure").unwrap().due, date(2026, 10, 1));
    case.ok("2026-09-10 10:00", c("start_testing", Officer))
        .ok("2026-09-15 10:00", c("finish_testing", Officer).records(&["testing_report"]));
    assert_eq!(case.limit("2026-09-16 10:00", "seizure").unwrap().due, date(2026, 10, 6));
    let ext = || c("extend_seizure", AgencyHead).records(&["extension_approval"]).docs(&["extension_notice"]);
    let v = case.refused("2026-09-30 10:00", ext().days(31));
    assert_eq!(messages(&v), ["CASE-2: 查封、扣押期限每次延长不得超过 30日，本次为 31日（字段 facts.days）"]);
    case.ok("2026-09-30 10:00", ext());
    assert_eq!(case.limit("2026-09-30 11:00", "seizure").unwrap().due, date(2026, 11, 5));
    let v = case.refused("2026-10-01 10:00", ext());
    assert_eq!(v[0].rule, "CASE-2");
    case.ok(
        "2026-11-02 10:00",
        c("confiscate", AgencyHead).officers(2).av().records(&["disposal_record"]).docs(&["confiscation_decision"]),
    )
    .ok("2026-11-03 10:00", c("archive", Officer).records(&["closing_report"]));
    assert_eq!(case.stage(), "archived");
}

#[test]
fn an_emergency_seizure_is_reported_within_24_hours_and_approved_afterwards() {
    let mut case = Case::new("coercive_measure");
    case.ok(
        "2026-10-01 22:00",
        c("seize_emergency", Officer)
            .officers(2)
            .av()
            .records(&["site_record", "inventory"])
            .docs(&["seizure_decision"]),
    );
    let r = case.limit("2026-10-02 08:00", "emergency_report").unwrap();
    assert_eq!(
        (r.due, r.due_at, r.unit, r.overdue),
        (date(2026, 10, 2), Some(t("2026-10-02 22:00")), Unit::Hours, false)
    );
    assert!(case.limit("2026-10-02 22:01", "emergency_report").unwrap().overdue);
    // The head cannot approve before the report.
    let v = case.refused("2026-10-02 09:00", c("approve_emergency", AgencyHead).records(&["approval_form"]));
    assert_eq!(messages(&v), ["CASE-2: 「补办批准手续」之前须先「向负责人报告（二十四小时内）」"]);
    case.ok("2026-10-02 09:00", c("report_emergency", Officer).records(&["emergency_report"]))
        .ok("2026-10-02 11:00", c("approve_emergency", AgencyHead).records(&["approval_form"]));
    assert!(case.limit("2026-10-02 12:00", "emergency_report").is_none());
    assert_eq!(case.limit("2026-10-02 12:00", "seizure").unwrap().due, date(2026, 10, 31));
    case.ok("2026-10-09 10:00", c("release", AgencyHead).docs(&["release_decision"]))
        .ok("2026-10-09 11:00", c("archive", Officer).records(&["closing_report"]));
    assert_eq!(case.stage(), "archived");
}

#[test]
fn a_random_inspection_runs_from_draw_to_publication() {
    let mut case = Case::new("inspection");
    let v = case.refused("2026-09-01 09:00", c("draw_random", Officer).records(&["draw_record"]));
    assert_eq!(v[0].rule, "RAND-3");
    case.ok("2026-09-01 09:00", c("draw_random", Officer).records(&["draw_record"]).flags(&["random"]));
    let v = case.refused("2026-09-03 09:00", c("conclude", Officer).records(&["conclusion"]));
    assert_eq!(messages(&v), ["PROC-1: 「作出检查结论」之前须先「实施现场检查」"]);
    let v = case.refused("2026-09-03 09:00", c("inspect", Officer).officers(2).records(&["inspection_record"]));
    assert_eq!(messages(&v), ["REC-3: 「实施现场检查」须对本环节进行音像记录，本次未附音像记录（字段 facts.av）"]);
    case.ok("2026-09-03 09:00", c("inspect", Officer).officers(2).av().records(&["inspection_record"]))
        .ok("2026-09-03 15:00", c("conclude", Officer).records(&["conclusion"]));
    // Published within 20 working days: 4, 7–11, 14–18, 20 (adjusted Sunday), 21–24
    // (Mid-Autumn on the 25th), 28–30 September = 19, then 8 October.
    let p = case.limit("2026-09-03 16:00", "publication").unwrap();
    assert_eq!((p.due, p.rule), (date(2026, 10, 8), "PUB-7"));
    case.ok("2026-09-04 09:00", c("order_rectification", Officer).docs(&["rectification_order"]))
        .ok("2026-09-18 09:00", c("recheck", Officer).officers(2).av().records(&["rectification_record"]))
        .ok("2026-09-21 09:00", c("publish_result", Officer).records(&["publication_record"]));
    assert_eq!(case.stage(), "archived");
}

#[test]
fn a_licence_is_examined_within_twenty_working_days() {
    let mut case = Case::new("licensing");
    case.ok("2026-09-01 09:00", c("receive_application", Officer).records(&["application"]));
    assert_eq!(case.limit("2026-09-01 10:00", "correction_notice").unwrap().due, date(2026, 9, 8));
    case.ok("2026-09-02 09:00", c("request_correction", Officer).docs(&["correction_notice"]))
        .ok("2026-09-07 09:00", c("receive_correction", Officer).records(&["application"]));
    // 一次告知: a second correction notice is refused.
    let v = case.refused("2026-09-08 09:00", c("request_correction", Officer).docs(&["correction_notice"]));
    assert_eq!(messages(&v), ["PROC-1: 已「一次告知需要补正的全部内容」，不能再「一次告知需要补正的全部内容」"]);
    case.ok("2026-09-08 09:00", c("accept", Officer).records(&["acceptance_record"]));
    // 20 working days from 8 September, over Mid-Autumn and National Day: 9–11, 14–18,
    // 20 (adjusted Sunday), 21–24, 28–30 September = 16, 8–10 (adjusted Saturday) and 12
    // October.
    let d = case.limit("2026-09-08 10:00", "license_decision").unwrap();
    assert_eq!((d.due, d.unit), (date(2026, 10, 12), Unit::Working));
    case.ok("2026-09-10 09:00", c("verify_on_site", Officer).officers(2).av().records(&["verification_record"]))
        .ok("2026-09-11 09:00", c("start_expert_review", Officer))
        .ok("2026-09-18 09:00", c("finish_expert_review", Officer).records(&["expert_opinion"]));
    // 14–18 September (5 working days) did not count: 13–16 and 19 October.
    let d = case.limit("2026-09-18 10:00", "license_decision").unwrap();
    assert_eq!((d.suspended_days, d.due), (5, date(2026, 10, 19)));
    // Ten more working days with the head's approval: 20–23, 26–30 October, 2 November.
    case.ok("2026-10-08 09:00", c("extend_examination", AgencyHead).records(&["extension_approval"]));
    assert_eq!(case.limit("2026-10-08 10:00", "license_decision").unwrap().due, date(2026, 11, 2));
    case.ok("2026-10-12 09:00", c("grant", AgencyHead).docs(&["license_decision"]))
        .ok("2026-10-13 09:00", c("issue_license", Officer).records(&["issuance_receipt"]).docs(&["license"]));
    assert_eq!(case.stage(), "archived");
}

#[test]
fn a_simple_penalty_is_decided_on_the_spot_and_filed() {
    let mut case = Case::new("simple_penalty");
    case.ok("2026-09-16 09:00", c("present_certificate", Officer).officers(2).av().records(&["site_record"]));
    let v = case.refused("2026-09-16 09:10", c("decide_on_site", Officer).officers(2).docs(&["on_site_decision"]));
    assert_eq!(messages(&v), ["CASE-3: 「当场作出处罚决定并交付」之前须先「告知违法事实、理由、依据和陈述申辩权」"]);
    case.ok("2026-09-16 09:10", c("inform_rights", Officer))
        .ok("2026-09-16 09:15", c("statement", Officer).records(&["statement_record"]))
        .ok("2026-09-16 09:20", c("decide_on_site", Officer).officers(2).docs(&["on_site_decision"]))
        .ok("2026-09-17 09:00", c("report_filing", Officer).records(&["filing_report"]))
        .ok("2026-09-17 10:00", c("complete_execution", Officer).records(&["execution_record"]));
    assert_eq!(case.stage(), "archived");
}

#[test]
fn an_adapted_definition_drives_the_engine() {
    let def = parse("agency.toml", ADAPTED).unwrap();
    let cal = Calendar::shipped();
    let mut case = Case { def, cal, history: Vec::new() };
    case.ok("2026-08-03 09:00", c("register_lead", Officer).records(&["lead_record"]));
    assert_eq!(case.limit("2026-08-03 10:00", "filing").unwrap().due, date(2026, 8, 17));
    case.ok("2026-08-03 15:00", c("file", AgencyHead).records(&["filing_approval"]));
    let notify = || c("notify", Officer).docs(&["penalty_notice"]).records(&["investigation_report"]);
    let v = case.refused("2026-08-04 10:00", notify());
    assert_eq!(messages(&v), ["PROC-1: 「送达行政处罚告知书」须经机关负责人批准，本次未附批准"]);
    case.ok("2026-08-04 10:00", notify().approved(AgencyHead));
}
