//! The case screens: my work (我的工作) with the case-opening form, the case page with its
//! timeline, running limits and the next actions (a form for each allowed one, the
//! rule-cited reasons for each refused one), heads' approvals and supervisors' alerts.
//! Everything goes through `zhifa_app::cases`, the functions the JSON API uses.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::cases::{self, ApprovalInput, CaseDeadline, CaseDetail, OpenInput};
use zhifa_domain::Violation;
use zhifa_domain::account::Role;
use zhifa_domain::case::{LateEntry, Party, Step};
use zhifa_domain::money::yuan;
use zhifa_domain::penalty::{DecidedPenalty, PartyKind};
use zhifa_domain::procedure::{
    AvRequirement, Condition, Engine, LimitKind, LimitStatus, ProcedureDefinition, ReviewOutcome,
};
use zhifa_domain::review::{ChecklistItem, Draft, Finding, Opinion};
use zhifa_store::{CaseFilter, CaseRow, ItemFilter, OfficerFilter, Paging};

use super::{Fields, HANDLERS, Me, csrf_field, cst, day, page, page_error, refusals, see_other, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, blocking};
use crate::html::{self, Crumb, Pager, enc, facts, table};

fn case_href(number: &str) -> String {
    format!("/staff/cases/{}", enc(number))
}

fn limit_tags(l: &LimitStatus) -> Markup {
    html! {
        @if l.overdue { span.tag.bad { "逾期" } " " }
        @if l.provisional { span.tag.warn title="所涉年份的节假日安排尚未载入，按周末推算（CAL-1）" { "暂定" } " " }
        @if l.suspended { span.tag { "中止计算" } " " }
        @if l.kind == LimitKind::Period && l.elapsed { span.tag.ok { "已届满" } }
    }
}

fn limits_table(caption: &str, rows: &[CaseDeadline], names: &HashMap<String, String>) -> Markup {
    table(
        caption,
        &["案件", "当事人", "阶段", "期限", "到期日", "状态"],
        rows.iter().map(|d| {
            vec![
                html! { a href=(case_href(&d.case)) { (d.case) } },
                html! { (d.party_name) },
                html! { (d.stage) @if let Some(n) = names.get(&d.agency) { br; span.muted { (n) } } },
                html! { (d.limit.label) "（" (d.limit.length) (d.limit.unit.label()) "，" (d.limit.rule) "）" },
                html! { (day(d.limit.due)) },
                limit_tags(&d.limit),
            ]
        }),
    )
}

fn case_rows(rows: &[CaseRow], defs: &[ProcedureDefinition]) -> Vec<Vec<Markup>> {
    rows.iter()
        .map(|r| {
            let stage = defs
                .iter()
                .find(|d| r.procedure.starts_with(&format!("{}@", d.code)) || r.procedure == d.code)
                .map(|d| d.stage_label(&r.stage).to_string())
                .unwrap_or_else(|| r.stage.clone());
            vec![
                html! { a href=(case_href(&r.number)) { (r.number) } },
                html! { (r.party_name) },
                html! { (r.item) },
                html! { (stage) @if r.terminal { " " span.tag { "已终结" } } },
                html! { (cst(r.updated_at)) },
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// home: my work

struct OpenForm {
    items: Vec<(String, String)>,
    defs: Vec<(String, String)>,
}

fn open_form(me: &Me, form: &OpenForm, f: &Fields, errors: &[Violation]) -> Markup {
    let kind = f.get("party_kind").unwrap_or_else(|| "organisation".into());
    html! {
        section #open aria-labelledby="open-h" {
            h2 #open-h { "登记案件" }
            (violations(errors))
            form.stack method="post" action="/staff/cases" {
                (csrf_field(me))
                label { "执法事项"
                    select name="item" required {
                        option value="" { "请选择本机关的执法事项" }
                        @for (code, name) in &form.items {
                            option value=(code) selected[f.has("item", code)] { (name) "（" (code) "）" }
                        }
                    }
                }
                label { "适用程序"
                    select name="procedure" {
                        option value="" { "按事项默认程序" }
                        @for (code, name) in &form.defs {
                            option value=(code) selected[f.has("procedure", code)] { (name) }
                        }
                    }
                }
                fieldset {
                    legend { "当事人" }
                    label.inline { input type="radio" name="party_kind" value="organisation" checked[kind == "organisation"]; "法人或其他组织" }
                    label.inline { input type="radio" name="party_kind" value="person" checked[kind == "person"]; "公民" }
                    label { "名称或姓名" input name="party_name" required maxlength="100" value=(f.text("party_name")); }
                    label { "统一社会信用代码或身份证号码（可选）" input name="party_id" maxlength="18" value=(f.text("party_id")); }
                }
                label { "案由" textarea name="summary" required maxlength="500" rows="2" { (f.text("summary")) } }
                button type="submit" { "登记" }
            }
        }
    }
}

fn load_open_form(s: &AppState, me: &Me) -> Result<OpenForm, ApiError> {
    let agency = me.account.agency.as_ref().map(|a| a.to_string());
    let items = match agency {
        Some(a) => {
            let f = ItemFilter { agency: Some(a), in_force: Some(true), ..Default::default() };
            s.store.items(&f, Paging { offset: 0, limit: 500 })?.items.into_iter().map(|i| (i.code, i.name)).collect()
        }
        None => Vec::new(),
    };
    let mut defs: Vec<(String, String)> = Vec::new();
    for d in s.store.definitions() {
        if !defs.iter().any(|(c, _)| c == &d.code) {
            defs.push((d.code.clone(), d.name.clone()));
        }
    }
    Ok(OpenForm { items, defs })
}

struct Home {
    cases: Vec<CaseRow>,
    limits: Vec<CaseDeadline>,
    form: Option<OpenForm>,
}

fn load_home(s: &AppState, me: &Me) -> Result<Home, ApiError> {
    if !me.any(HANDLERS) || me.account.agency.is_none() {
        return Ok(Home { cases: Vec::new(), limits: Vec::new(), form: None });
    }
    let f = CaseFilter { open: Some(true), ..Default::default() };
    let cases = cases::list(s, &me.account, f, true, Paging { offset: 0, limit: 100 })?.items;
    let mine: std::collections::HashSet<&str> = cases.iter().map(|c| c.number.as_str()).collect();
    let limits = cases::running_limits(s, &me.account, None, false)?
        .into_iter()
        .filter(|l| mine.contains(l.case.as_str()))
        .collect();
    Ok(Home { cases, limits, form: Some(load_open_form(s, me)?) })
}

fn home_main(s: &AppState, me: &Me, home: &Home, f: &Fields, errors: &[Violation]) -> Markup {
    let today = s.today();
    let soon = today.checked_add(jiff::Span::new().days(7)).unwrap_or(today);
    let overdue = home.limits.iter().filter(|l| l.limit.overdue).count();
    let due_soon = home.limits.iter().filter(|l| !l.limit.overdue && l.limit.due <= soon).count();
    let links: Vec<(&str, &str)> =
        super::nav_for(&me.account.roles).iter().filter(|(h, _)| *h != "/staff").copied().collect();
    html! {
        @if home.form.is_some() {
            p.lead { "在办案件 " strong { (home.cases.len()) } " 件；逾期 " strong { (overdue) } " 项，七日内到期 " strong { (due_soon) } " 项。" }
            (table("我的在办案件", &["案件编号", "当事人", "事项", "阶段", "最近更新"], case_rows(&home.cases, s.store.definitions())))
            (limits_table("期限（到期日为最后一日；暂定＝节假日安排未载入，CAL-1）", &home.limits, &HashMap::new()))
            @if let Some(form) = &home.form { (open_form(me, form, f, errors)) }
        } @else {
            p.lead { "请选择要办理的工作：" }
        }
        ul.tiles {
            @for (href, label) in &links {
                li { a href=(href) { strong { (label) } } }
            }
        }
    }
}

pub async fn home(State(s): State<AppState>, me: Me) -> Response {
    let (st, m) = (s.clone(), me.clone());
    match blocking(move || load_home(&st, &m)).await {
        Ok(h) => page(&me, "我的工作", Vec::new(), "/staff", home_main(&s, &me, &h, &Fields::default(), &[])),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn open_case(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let kind =
        if f.get("party_kind").as_deref() == Some("person") { PartyKind::Person } else { PartyKind::Organisation };
    let input = OpenInput {
        item: f.text("item"),
        procedure: f.get("procedure"),
        party: Party {
            kind,
            name: f.text("party_name"),
            id_number: f.get("party_id"),
            legal_rep: None,
            address: None,
            phone: None,
        },
        summary: f.text("summary"),
        flags: Vec::new(),
    };
    let (st, m) = (s.clone(), me.clone());
    let r = blocking(move || {
        if input.item.is_empty() {
            return Err(ApiError::BadRequest(Violation::new("ITEM-1", "请选择执法事项").at("item")));
        }
        Ok(cases::open(&st, &m.account, input)?)
    })
    .await;
    match r {
        Ok(rec) => see_other(&case_href(rec.subject.trim_start_matches("case/"))),
        Err(e) => match refusals(e) {
            Ok(vs) => {
                let (st, m) = (s.clone(), me.clone());
                match blocking(move || load_home(&st, &m)).await {
                    Ok(h) => {
                        let mut r = page(&me, "我的工作", Vec::new(), "/staff", home_main(&s, &me, &h, &f, &vs));
                        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                        r
                    }
                    Err(e) => page_error(Some(&me), e),
                }
            }
            Err(e) => page_error(Some(&me), e),
        },
    }
}

// ---------------------------------------------------------------------------------------
// the case list

pub async fn cases(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let all = q.str("all").is_some();
    let mine = q.str("mine").is_some();
    let pg = Pager::new(q.i64("page").ok().flatten().unwrap_or(1), 20);
    let f = CaseFilter { open: (!all).then_some(true), agency: q.str("agency"), ..Default::default() };
    let (st, m) = (s.clone(), me.clone());
    let r = blocking(move || {
        Ok(cases::list(&st, &m.account, f, mine, Paging { offset: pg.offset(), limit: pg.per_page })?)
    })
    .await;
    let pg_q = [
        ("all", if all { "1".to_string() } else { String::new() }),
        ("mine", if mine { "1".into() } else { String::new() }),
    ];
    match r {
        Ok(p) => page(
            &me,
            "案件",
            vec![Crumb::here("案件")],
            "/staff/cases",
            html! {
                form.filters method="get" action="/staff/cases" {
                    label.inline { input type="checkbox" name="all" value="1" checked[all]; "含已终结" }
                    label.inline { input type="checkbox" name="mine" value="1" checked[mine]; "仅本人参与" }
                    button type="submit" { "筛选" }
                }
                (table("案件列表", &["案件编号", "当事人", "事项", "阶段", "最近更新"], case_rows(&p.items, s.store.definitions())))
                (html::pagination("/staff/cases", &pg_q, pg, p.total))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

// ---------------------------------------------------------------------------------------
// the case page

/// What the case page shows besides the case's own view.
struct CaseContext {
    detail: CaseDetail,
    def: ProcedureDefinition,
    item_name: String,
    /// The agency's officers: (staff number, name).
    officers: Vec<(String, String)>,
    /// CASE-6: the documents issued and issuable.
    documents: zhifa_app::documents::CaseDocuments,
}

fn load_case(s: &AppState, me: &Me, number: &str, reason: Option<String>) -> Result<CaseContext, ApiError> {
    let detail = cases::view(s, &me.account, number, reason)?;
    let def = zhifa_domain::procedure::find(s.store.definitions(), &detail.case.procedure)
        .cloned()
        .ok_or_else(|| ApiError::Internal("definition missing".into()))?;
    let item_name = s
        .store
        .item_versions(&detail.case.item)?
        .into_iter()
        .find(|i| i.version == detail.case.item_version)
        .map(|i| i.name)
        .unwrap_or_default();
    let f = OfficerFilter { agency: Some(detail.case.agency.to_string()), q: None };
    let officers = s
        .store
        .officers(&f, Paging { offset: 0, limit: 500 })?
        .items
        .into_iter()
        .map(|o| (o.officer.staff_no, o.officer.name))
        .collect();
    let documents = zhifa_app::documents::case_documents(s, &detail.case)?;
    Ok(CaseContext { detail, def, item_name, officers, documents })
}

/// The form a refused submission came from: its action, what was typed, and why.
struct Submitted<'a> {
    action: &'a str,
    fields: &'a Fields,
    errors: &'a [Violation],
}

fn datetime_local(t: jiff::Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8))).strftime("%Y-%m-%dT%H:%M").to_string()
}

fn action_form(
    s: &AppState,
    me: &Me,
    ctx: &CaseContext,
    code: &str,
    needs: &[Violation],
    sub: Option<&Submitted>,
) -> Markup {
    let def = &ctx.def;
    let Some(a) = def.action(code) else { return html! {} };
    let number = &ctx.detail.case.number;
    let empty = Fields::default();
    let (f, fresh) = match sub {
        Some(sub) if sub.action == code => (sub.fields, false),
        _ => (&empty, true),
    };
    let errors: &[Violation] = match sub {
        Some(sub) if sub.action == code => sub.errors,
        _ => &[],
    };
    let picked = |k: &str, v: &str, default: bool| if fresh { default } else { f.has(k, v) };
    let my_no = me.account.staff_no.clone().unwrap_or_default();
    let with_officers = a.officers > 0 || a.roles.contains(&Role::Officer);
    let penalties = code == "notify" || code == "submit_review" || a.decision;
    let evidence: Vec<_> = ctx.detail.evidence.iter().filter(|e| e.deleted_seq.is_none()).collect();
    let now = datetime_local(s.store.now());
    // The kinds the action brings, and those its preconditions ask for (e.g. the
    // investigation report a notice needs), each once.
    let mut records = a.records.clone();
    let mut documents = a.documents.clone();
    for c in a.requires.iter().flat_map(|r| r.any_of.iter()) {
        match c {
            Condition::Record(k) if !records.contains(k) => records.push(k.clone()),
            Condition::Document(k) if !documents.contains(k) => documents.push(k.clone()),
            _ => {}
        }
    }
    html! {
        form.stack.action method="post" action={ "/staff/cases/" (enc(number)) "/steps#act-" (code) } id={ "act-" (code) } {
            (csrf_field(me))
            input type="hidden" name="action" value=(code);
            (violations(errors))
            @if !needs.is_empty() {
                div.needs { p { "提交时须具备：" } ul { @for n in needs { li { (n.message) " " span.rule { "（" (n.rule) "）" } } } } }
            }
            @if with_officers {
                label { "执法人员（可多选；至少 " (a.officers.max(1)) " 名，STAFF-4）"
                    select name="officers" multiple size="5" {
                        @for (no, name) in &ctx.officers {
                            option value=(no) selected[picked("officers", no, *no == my_no)] { (name) "（" (no) "）" }
                        }
                    }
                }
            }
            label { "记录内容" textarea name="text" rows="3" maxlength="5000" { (f.text("text")) } }
            div.row {
                label { "发生时间" input type="datetime-local" name="occurred_at" value=(f.get("occurred_at").unwrap_or(now)); }
                label { "地点" input name="place" maxlength="200" value=(f.text("place")); }
            }
            @if !records.is_empty() {
                fieldset { legend { "记录" }
                    @for r in &records {
                        label.inline { input type="checkbox" name="records" value=(r) checked[picked("records", r, true)]; (def.record_label(r)) }
                    }
                }
            }
            @if !documents.is_empty() {
                fieldset { legend { "文书" }
                    @for d in &documents {
                        label.inline { input type="checkbox" name="documents" value=(d) checked[picked("documents", d, true)]; (def.document_label(d)) }
                    }
                }
            }
            @if a.av != AvRequirement::None || !evidence.is_empty() {
                fieldset { legend { "证据（音像记录" @if a.av != AvRequirement::None { "，本环节必需，REC-3" } "）" }
                    @if evidence.is_empty() { p.muted { "本案尚无证据文件，请先在下方「证据」中上传。" } }
                    @for e in &evidence {
                        label.inline { input type="checkbox" name="evidence" value=(e.evidence.sha256) checked[picked("evidence", &e.evidence.sha256, false)];
                            (e.evidence.file_name) "（" (e.evidence.media_type) "）" }
                    }
                }
            }
            @if penalties {
                fieldset { legend { @if a.decision { "决定的处罚（CASE-3：不得重于告知）" } @else { "拟作出的处罚" } }
                    label.inline { input type="checkbox" name="warning" value="1" checked[picked("warning", "1", false)]; "警告" }
                    label { "罚款（元）" input name="fine_yuan" inputmode="decimal" value=(f.text("fine_yuan")); }
                    label { "没收违法所得（元）" input name="gains_yuan" inputmode="decimal" value=(f.text("gains_yuan")); }
                }
            }
            @if code == "submit_review" {
                fieldset { legend { "拟作出的决定（提交后冻结，REV-5）" }
                    label { "违法事实与证据" textarea name="draft_facts" rows="3" required maxlength="20000" { (f.text("draft_facts")) } }
                    label { "法律依据（条、款、项）" textarea name="draft_basis" rows="2" required maxlength="5000" { (f.text("draft_basis")) } }
                    label { "裁量理由" textarea name="draft_reasons" rows="2" maxlength="5000" { (f.text("draft_reasons")) } }
                    label { "承办人员责任声明" textarea name="draft_statement" rows="2" required maxlength="2000" { (f.text("draft_statement")) } }
                    @for (flag, label) in zhifa_domain::review::FLAGS {
                        label.inline { input type="checkbox" name="draft_flags" value=(flag) checked[f.has("draft_flags", flag)]; (label) }
                    }
                }
            }
            @if code == "assign_reviewer" {
                label { "法制审核人员（REV-5：未参与本案调查）"
                    select name="reviewer" required {
                        option value="" { "请选择" }
                        @for (no, name) in &ctx.officers { option value=(no) selected[f.has("reviewer", no)] { (name) "（" (no) "）" } }
                    }
                }
            }
            @if code == "review_approve" || code == "review_return" {
                fieldset { legend { "逐项审核（REV-3）" }
                    @for item in zhifa_domain::review::ChecklistItem::ALL {
                        @let key = format!("finding_{}", serde_json::to_value(item).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default());
                        div.row {
                            label { (item.label())
                                select name=(key) {
                                    option value="ok" selected[f.has(&key, "ok")] { "无问题" }
                                    option value="problem" selected[f.has(&key, "problem")] { "有问题" }
                                }
                            }
                            label { "说明" input name={ (key) "_note" } maxlength="500" value=(f.text(&format!("{key}_note"))); }
                        }
                    }
                }
                label { "审核意见（REV-4）"
                    select name="opinion" required {
                        @for o in [Opinion::Approve, Opinion::DoNotIssue, Opinion::Change, Opinion::CorrectProcedure, Opinion::MoreEvidence, Opinion::Lighter, Opinion::Transfer] {
                            @let v = serde_json::to_value(o).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                            @if (code == "review_approve") == (o == Opinion::Approve) {
                                option value=(v) selected[f.has("opinion", &v)] { (o.label()) }
                            }
                        }
                    }
                }
            }
            @if code == "hold_hearing" {
                label { "听证主持人（未参与调查，CASE-4）"
                    select name="chair" required {
                        option value="" { "请选择" }
                        @for (no, name) in &ctx.officers { option value=(no) selected[f.has("chair", no)] { (name) "（" (no) "）" } }
                    }
                }
            }
            @if code.starts_with("extend") {
                label { "延长天数" input type="number" name="days" min="1" max="365" value=(f.text("days")); }
            }
            @if !def.flags.is_empty() {
                details { summary { "案件标记" }
                    @for (flag, label) in &def.flags {
                        label.inline { input type="checkbox" name="flags" value=(flag) checked[picked("flags", flag, false)]; (label) }
                    }
                }
            }
            details { summary { "迟录（REC-5）" }
                label { "迟录原因（须经负责人批准）" input name="late_reason" maxlength="500" value=(f.text("late_reason")); }
            }
            button type="submit" { "记录：" (a.label) }
        }
    }
}

fn case_main(s: &AppState, me: &Me, ctx: &CaseContext, sub: Option<&Submitted>) -> Markup {
    let d = &ctx.detail;
    let c = &d.case;
    let names: HashMap<&str, &str> = ctx.officers.iter().map(|(n, m)| (n.as_str(), m.as_str())).collect();
    let who = |nos: &[String]| {
        nos.iter().map(|n| names.get(n.as_str()).copied().unwrap_or(n).to_string()).collect::<Vec<_>>().join("、")
    };
    let allowed: Vec<_> = d.next_actions.iter().filter(|a| a.allowed).collect();
    let refused: Vec<_> = d.next_actions.iter().filter(|a| !a.allowed).collect();
    let stage_actions: Vec<_> = ctx
        .def
        .actions
        .iter()
        .filter(|a| a.from.contains(&d.stage))
        .filter(|a| a.requires.iter().any(|r| r.any_of.contains(&Condition::Approval(Role::AgencyHead))))
        .collect();
    let history: Vec<_> = d.steps.iter().map(|v| v.record.clone()).collect();
    html! {
        (facts(&[
            ("案件编号", html! { span.mono #case-number { (c.number) } }),
            ("当事人", html! { span #party { (c.party.name) } }),
            ("执法事项", html! { (ctx.item_name) "（" (c.item) "，第 " (c.item_version) " 版）" }),
            ("适用程序", html! { (d.procedure_name) }),
            ("当前阶段", html! { strong #stage { (d.stage_label) } @if d.terminal { " " span.tag { "已终结" } } }),
            ("案由", html! { (c.summary) }),
        ]))
        section #next aria-labelledby="next-h" {
            h2 #next-h { "下一步" }
            @if let Some(sub) = sub.filter(|sub| !allowed.iter().any(|a| a.action == sub.action)) {
                p { "提交的环节：" (ctx.def.action_label(sub.action)) }
                (violations(sub.errors))
            }
            @if allowed.is_empty() { p.muted { "您的角色当前没有可办理的环节。" } }
            @for a in &allowed {
                details.action open[sub.is_some_and(|s| s.action == a.action)] {
                    summary { (a.label) }
                    (action_form(s, me, ctx, &a.action, &a.needs, sub))
                }
            }
            @if !refused.is_empty() {
                h3 { "暂不能办理的环节及原因" }
                ul.refused {
                    @for a in &refused {
                        li { strong { (a.label) } "："
                            @for (i, v) in a.refusals.iter().enumerate() {
                                @if i > 0 { "；" }
                                (v.message) " " span.rule { "（" (v.rule) "）" }
                            }
                        }
                    }
                }
            }
        }
        @if me.has(Role::AgencyHead) && !stage_actions.is_empty() {
            section #approve aria-labelledby="approve-h" {
                h2 #approve-h { "负责人审批" }
                @for a in &stage_actions {
                    @if zhifa_domain::case::pending_approvals(&history, &d.approvals, &a.code).is_empty() {
                        form.inline method="post" action={ "/staff/cases/" (enc(&c.number)) "/approvals" } {
                            (csrf_field(me))
                            input type="hidden" name="action" value=(a.code);
                            label { "审批意见" input name="note" maxlength="500"; }
                            button type="submit" { "批准：" (a.label) }
                        }
                    } @else {
                        p { span.tag.ok { "已批准" } " " (a.label) "（待执行）" }
                    }
                }
            }
        }
        (review_section(ctx, &history, &who))
        section #limits aria-labelledby="limits-h" {
            h2 #limits-h { "期限" }
            (table("在途期限", &["期限", "起算", "到期日", "依据", "状态"], d.deadlines.iter().map(|l| vec![
                html! { (l.label) "（" (l.length) (l.unit.label()) @if l.extended > 0 { "，已延长 " (l.extended) } "）" },
                html! { (cst(l.started_at)) },
                html! { (day(l.due)) },
                html! { (l.rule) " " span.muted { (l.basis) } },
                limit_tags(l),
            ])))
        }
        section #timeline aria-labelledby="timeline-h" {
            h2 #timeline-h { "办案记录" }
            (table("记录时间线（记录时间为平台时间；发生时间为执法人员所述，REC-5）", &["序号", "环节", "记录时间", "发生时间", "间隔", "地点", "执法人员", "记录与文书", "内容"],
                d.steps.iter().map(|v| {
                    let st = &v.record.step;
                    vec![
                        html! { (v.record.seq) },
                        html! { (v.label) @if st.late.is_some() { " " span.tag.warn { "迟录" } } },
                        html! { (cst(v.record.at)) },
                        html! { @if let Some(t) = st.occurred_at { (cst(t)) } @else { "—" } },
                        html! { @if let Some(g) = v.gap_seconds { (gap(g)) } @else { "—" } },
                        html! { (st.place.clone().unwrap_or_default()) },
                        html! { (who(&st.officers)) },
                        html! {
                            @for r in &st.records { span.tag { (ctx.def.record_label(r)) } " " }
                            @for doc in &st.documents { span.tag { (ctx.def.document_label(doc)) } " " }
                            @for p in &st.penalties { span.tag.warn { (penalty_text(p)) } " " }
                            @if let Some(r) = &st.review { span.tag { @if *r == ReviewOutcome::Passed { "审核通过" } @else { "审核未通过" } } }
                        },
                        html! { (st.text) @if let Some(l) = &st.late { br; span.muted { "迟录原因：" (l.reason) } } },
                    ]
                })))
            @if !d.approvals.is_empty() {
                (table("负责人审批", &["序号", "审批事项", "审批人", "时间", "意见"], d.approvals.iter().map(|a| vec![
                    html! { (a.seq) },
                    html! { (ctx.def.action_label(&a.approval.action)) },
                    html! { (a.approval.by) },
                    html! { (cst(a.at)) },
                    html! { (a.approval.note) },
                ])))
            }
        }
        section #evidence aria-labelledby="evidence-h" {
            h2 #evidence-h { "证据" }
            (table("证据文件（哈希写入可验证日志，REC-3、REC-4）", &["文件", "类型", "采集时间", "地点", "采集人", "证明对象", "SHA-256"],
                d.evidence.iter().map(|e| vec![
                    html! { (e.evidence.file_name) @if e.deleted_seq.is_some() { " " span.tag { "已删除" } } },
                    html! { (e.evidence.media_type) },
                    html! { (cst(e.evidence.captured_at)) },
                    html! { (e.evidence.place) },
                    html! { (e.evidence.collector) },
                    html! { (e.evidence.proves) },
                    html! { span.mono { (e.evidence.sha256.get(..16).unwrap_or_default()) "…" } },
                ])))
            @if me.any(super::ACTORS) && !d.terminal { (evidence_form(me, &c.number)) }
        }
        (super::docs::section(me, &c.number, &ctx.documents, me.any(super::HANDLERS)))
    }
}

/// REV-3..6: every review round — the frozen draft the reviewer is asked to approve, what
/// the case held when it was submitted, the checklist, the opinion and any escalation.
/// The newest round is open.
fn review_section(
    ctx: &CaseContext,
    history: &[zhifa_domain::case::StepRecord],
    who: &dyn Fn(&[String]) -> String,
) -> Markup {
    let rounds = zhifa_domain::review::rounds(history);
    if rounds.is_empty() {
        return html! {};
    }
    let evidence = &ctx.detail.evidence;
    let last = rounds.len();
    html! {
        section #review aria-labelledby="review-h" {
            h2 #review-h { "法制审核" }
            @for r in rounds.iter().rev() {
                @let at = r.submitted.seq;
                details.round open[r.n as usize == last] {
                    summary {
                        "第 " (r.n) " 轮 "
                        @if r.approved() { span.tag.ok { "审核通过" } }
                        @else if r.escalation.is_some() { span.tag.warn { "采纳审核意见" } }
                        @else if r.opinion.is_some() { span.tag.bad { "未通过" } }
                        @else { span.tag { "审核中" } }
                    }
                    (facts(&[
                        ("提交", html! {
                            (cst(r.submitted.at)) "，"
                            @if r.submitted.step.officers.is_empty() { (r.submitted.step.by) } @else { (who(&r.submitted.step.officers)) }
                        }),
                        ("冻结的材料", html! {
                            "提交时本案已有 " (history.iter().filter(|s| s.seq < at).count()) " 条办案记录、"
                            (evidence.iter().filter(|e| e.seq < at && e.deleted_seq.is_none_or(|d| d > at)).count()) " 个证据文件（见下方时间线序号 " (at) " 之前）"
                        }),
                        ("审核人员", html! { @match &r.reviewer { Some(n) => { (who(std::slice::from_ref(n))) }, None => span.tag.warn { "未指定" } } }),
                    ]))
                    @if let Some(d) = r.draft() {
                        h3 { "拟作出的决定（REV-5 冻结）" }
                        (facts(&[
                            ("处罚", html! { @for p in &d.penalties { span.tag.warn { (penalty_text(p)) } " " } }),
                            ("违法事实与证据", html! { (d.facts) }),
                            ("法律依据", html! { (d.basis) }),
                            ("裁量理由", html! { (d.reasons) }),
                            ("承办人员责任声明", html! { (d.statement) }),
                        ]))
                        @if !d.flags.is_empty() || d.hearing_held {
                            p { "审核情形："
                                @for f in &d.flags {
                                    span.tag { (zhifa_domain::review::FLAGS.iter().find(|(c, _)| c == f).map_or(f.as_str(), |(_, l)| l)) } " "
                                }
                                @if d.hearing_held { span.tag { "经过听证" } }
                            }
                        }
                    }
                    @if let Some(o) = &r.opinion {
                        h3 { "审核意见" }
                        p {
                            @if let Some(op) = o.step.opinion { strong { (op.label()) } "：" }
                            (o.step.text) " " span.muted { "（" (cst(o.at)) "）" }
                        }
                        @if !o.step.findings.is_empty() {
                            ul.findings {
                                @for f in &o.step.findings {
                                    li { (f.item.label()) "："
                                        @if f.ok { "无问题" } @else { span.tag.bad { "有问题" } }
                                        @if !f.note.is_empty() { " " (f.note) }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(e) = &r.escalation {
                        p { strong { (ctx.def.action_label(&e.step.action)) } "：" (e.step.text) }
                    }
                }
            }
        }
    }
}

/// REC-3, REC-4: the upload form. Files go to the JSON evidence endpoint with the session's
/// CSRF token (`assets/site.js`); the form names every piece of metadata REC-4 requires.
fn evidence_form(me: &Me, number: &str) -> Markup {
    html! {
        form.stack.upload method="post" enctype="multipart/form-data"
            action={ "/api/v1/cases/" (enc(number)) "/evidence" }
            data-upload={ "/api/v1/cases/" (enc(number)) "/evidence" } data-csrf=(me.csrf) {
            p.muted { "上传音像或其他证据文件（手机可直接拍摄）。须填写采集时间、地点、采集人和证明对象（REC-4）。" }
            label { "文件" input type="file" name="file" accept="audio/*,video/*,image/*,application/pdf" capture="environment" required; }
            label { "采集时间" input type="datetime-local" name="captured_at" required; }
            label { "采集地点" input name="place" required maxlength="200"; }
            label { "采集人（人员编号）" input name="collector" required maxlength="40" value=(me.account.staff_no.clone().unwrap_or_default()); }
            label { "证明对象" input name="proves" required maxlength="500"; }
            button type="submit" { "上传证据" }
            p.upload-status role="status" aria-live="polite" {}
        }
    }
}

fn gap(secs: i64) -> String {
    let s = secs.abs();
    let sign = if secs < 0 { "-" } else { "" };
    match s {
        s if s < 3600 => format!("{sign}{} 分钟", s / 60),
        s if s < 86400 => format!("{sign}{} 小时 {} 分", s / 3600, s % 3600 / 60),
        s => format!("{sign}{} 天 {} 小时", s / 86400, s % 86400 / 3600),
    }
}

fn penalty_text(p: &DecidedPenalty) -> String {
    match p {
        DecidedPenalty::Fine { fen }
        | DecidedPenalty::ConfiscateIllegalGains { fen }
        | DecidedPenalty::ConfiscateProperty { fen } => {
            format!("{} {} 元", p.label(), yuan(*fen))
        }
        DecidedPenalty::Detention { days } => format!("{} {days} 日", p.label()),
        p => p.label().to_string(),
    }
}

fn reason_form(me: &Me, number: &str) -> Markup {
    let _ = me;
    html! {
        p.lead { "调阅案件须说明事由；调阅本身将被记录（REC-7）。" }
        form.stack method="get" action=(case_href(number)) {
            label { "调阅事由" input name="reason" required minlength="2" maxlength="500"; }
            button type="submit" { "调阅" }
        }
    }
}

fn crumbs(number: &str) -> Vec<Crumb> {
    vec![Crumb::link("案件", "/staff/cases"), Crumb::here(number.to_string())]
}

pub async fn case_page(State(s): State<AppState>, me: Me, Path(number): Path<String>, q: QueryMap) -> Response {
    let reason = q.str("reason");
    if reason.is_none() && me.has(Role::Supervisor) && me.account.agency.is_none() {
        return page(&me, &format!("调阅案件 {number}"), crumbs(&number), "/staff/cases", reason_form(&me, &number));
    }
    let (st, m, n) = (s.clone(), me.clone(), number.clone());
    match blocking(move || load_case(&st, &m, &n, reason)).await {
        Ok(ctx) => {
            page(&me, &format!("案件 {number}"), crumbs(&number), "/staff/cases", case_main(&s, &me, &ctx, None))
        }
        Err(e) => page_error(Some(&me), e),
    }
}

/// Yuan (with at most two decimals) to fen.
fn fen(field: &str, v: &str) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::BadRequest(
            Violation::new("SEC-5", format!("金额「{v}」应为以元为单位的数字，最多两位小数")).at(field),
        )
    };
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let i: i64 = int.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    i.checked_mul(100).and_then(|x| x.checked_add(f)).ok_or_else(bad)
}

fn step_input(f: &Fields) -> Result<Step, ApiError> {
    let occurred_at = match f.get("occurred_at") {
        Some(v) => {
            let dt: jiff::civil::DateTime = v.parse().map_err(|_| {
                ApiError::BadRequest(Violation::new("SEC-5", format!("发生时间「{v}」格式不正确")).at("occurred_at"))
            })?;
            Some(
                dt.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)))
                    .map_err(|e| ApiError::BadRequest(Violation::new("SEC-5", e.to_string()).at("occurred_at")))?
                    .timestamp(),
            )
        }
        None => None,
    };
    let mut penalties = Vec::new();
    if f.get("warning").is_some() {
        penalties.push(DecidedPenalty::Warning);
    }
    if let Some(v) = f.get("fine_yuan") {
        penalties.push(DecidedPenalty::Fine { fen: fen("fine_yuan", &v)? });
    }
    if let Some(v) = f.get("gains_yuan") {
        penalties.push(DecidedPenalty::ConfiscateIllegalGains { fen: fen("gains_yuan", &v)? });
    }
    let days = match f.get("days") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            ApiError::BadRequest(Violation::new("SEC-5", format!("延长天数「{v}」应为正整数")).at("days"))
        })?),
        None => None,
    };
    Ok(Step {
        action: f.text("action"),
        by: String::new(),
        review: None,
        officers: f.all("officers"),
        text: f.text("text"),
        occurred_at,
        place: f.get("place"),
        records: f.all("records"),
        documents: f.all("documents"),
        evidence: f.all("evidence"),
        flags: f.all("flags"),
        days,
        chair: f.get("chair"),
        late: f.get("late_reason").map(|reason| LateEntry { reason }),
        draft: (f.text("action") == "submit_review").then(|| Draft {
            penalties: penalties.clone(),
            facts: f.text("draft_facts"),
            basis: f.text("draft_basis"),
            reasons: f.text("draft_reasons"),
            statement: f.text("draft_statement"),
            flags: f.all("draft_flags"),
            hearing_held: false,
        }),
        reviewer: f.get("reviewer"),
        findings: ChecklistItem::ALL
            .iter()
            .filter_map(|item| {
                let key = format!("finding_{}", serde_json::to_value(item).ok()?.as_str()?);
                let v = f.get(&key)?;
                Some(Finding { item: *item, ok: v == "ok", note: f.text(&format!("{key}_note")) })
            })
            .collect(),
        opinion: f.get("opinion").and_then(|o| serde_json::from_value(serde_json::Value::String(o)).ok()),
        penalties,
    })
}

pub async fn record_step(State(s): State<AppState>, me: Me, Path(number): Path<String>, f: Fields) -> Response {
    let (st, m, n, fields) = (s.clone(), me.clone(), number.clone(), f.clone());
    let r = blocking(move || Ok(cases::record(&st, &m.account, &n, step_input(&fields)?)?)).await;
    match r {
        Ok(_) => see_other(&format!("{}#timeline", case_href(&number))),
        Err(e) => match refusals(e) {
            Ok(vs) => {
                let (st, m, n) = (s.clone(), me.clone(), number.clone());
                match blocking(move || load_case(&st, &m, &n, None)).await {
                    Ok(ctx) => {
                        let action = f.text("action");
                        let sub = Submitted { action: &action, fields: &f, errors: &vs };
                        let mut r = page(
                            &me,
                            &format!("案件 {number}"),
                            crumbs(&number),
                            "/staff/cases",
                            case_main(&s, &me, &ctx, Some(&sub)),
                        );
                        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                        r
                    }
                    Err(e) => page_error(Some(&me), e),
                }
            }
            Err(e) => page_error(Some(&me), e),
        },
    }
}

pub async fn approve(State(s): State<AppState>, me: Me, Path(number): Path<String>, f: Fields) -> Response {
    let input = ApprovalInput { action: f.text("action"), note: f.text("note") };
    let (st, m, n) = (s.clone(), me.clone(), number.clone());
    match blocking(move || Ok(cases::approve(&st, &m.account, &n, input)?)).await {
        Ok(_) => see_other(&format!("{}#approve", case_href(&number))),
        Err(e) => page_error(Some(&me), e),
    }
}

// ---------------------------------------------------------------------------------------
// heads and supervisors

/// (case, party, stage, action label) for every open case with an act awaiting the head's
/// approval.
fn awaiting_approval(s: &AppState, me: &Me) -> Result<Vec<(String, String, String, String)>, ApiError> {
    let mut out = Vec::new();
    let calendar = s.store.calendar()?;
    let f = CaseFilter { open: Some(true), ..Default::default() };
    for row in cases::list(s, &me.account, f, false, Paging { offset: 0, limit: 500 })?.items {
        let Some(case) = s.store.case(&row.number)? else { continue };
        let Some(def) = zhifa_domain::procedure::find(s.store.definitions(), &case.procedure) else { continue };
        let steps = s.store.case_steps(&row.number)?;
        let approvals = s.store.case_approvals(&row.number)?;
        let history = zhifa_domain::case::engine_history(&case, &steps);
        let Ok(state) = Engine::new(def, &calendar).state(&history) else { continue };
        for a in def.actions.iter().filter(|a| a.from.contains(&state.stage)) {
            let needs = a.requires.iter().any(|r| r.any_of.contains(&Condition::Approval(Role::AgencyHead)));
            if needs && zhifa_domain::case::pending_approvals(&steps, &approvals, &a.code).is_empty() {
                out.push((
                    row.number.clone(),
                    row.party_name.clone(),
                    def.stage_label(&state.stage).to_string(),
                    a.label.clone(),
                ));
            }
        }
    }
    Ok(out)
}

pub async fn approvals(State(s): State<AppState>, me: Me) -> Response {
    let (st, m) = (s.clone(), me.clone());
    let r = blocking(move || {
        let waiting = awaiting_approval(&st, &m)?;
        let soon = st.today().checked_add(jiff::Span::new().days(10)).unwrap_or(st.today());
        let limits: Vec<_> = cases::running_limits(&st, &m.account, None, false)?
            .into_iter()
            .filter(|l| l.limit.kind == LimitKind::Deadline && (l.limit.overdue || l.limit.due <= soon))
            .collect();
        Ok((waiting, limits))
    })
    .await;
    match r {
        Ok((waiting, limits)) => page(
            &me,
            "待批事项",
            vec![Crumb::here("待批事项")],
            "/staff/approvals",
            html! {
                (table("须经负责人批准的环节", &["案件", "当事人", "阶段", "待批环节"], waiting.iter().map(|(n, p, st, a)| vec![
                    html! { a href={ (case_href(n)) "#approve" } { (n) } }, html! { (p) }, html! { (st) }, html! { (a) },
                ])))
                p.muted { "期限届满前可在案件页面办理延长（负责人批准，CASE-2）。" }
                (limits_table("十日内到期或已逾期的办案期限", &limits, &HashMap::new()))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn deadlines(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let all = q.str("all").is_some();
    let agency = q.str("agency");
    let (st, m) = (s.clone(), me.clone());
    let r = blocking(move || {
        let limits = cases::running_limits(&st, &m.account, agency, !all)?;
        let names: HashMap<String, String> = st
            .store
            .agencies(&Default::default(), Paging { offset: 0, limit: 500 })?
            .items
            .into_iter()
            .map(|a| (a.code.to_string(), a.name))
            .collect();
        Ok((limits, names))
    })
    .await;
    match r {
        Ok((limits, names)) => page(
            &me,
            "期限预警",
            vec![Crumb::here("期限预警")],
            "/staff/deadlines",
            html! {
                p.lead { @if me.has(Role::Supervisor) { "各机关" } @else { "本机关" } "在办案件的" @if all { "全部在途期限" } @else { "逾期期限" } "：" strong { (limits.len()) } " 项（SUP-1）。" }
                form.filters method="get" action="/staff/deadlines" {
                    label.inline { input type="checkbox" name="all" value="1" checked[all]; "显示全部在途期限" }
                    button type="submit" { "筛选" }
                }
                (limits_table("期限（暂定＝节假日安排未载入，CAL-1）", &limits, &names))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

/// REV-6: the legal-review queue — open rounds, who reviews them, due and overdue ones.
pub async fn reviews(State(s): State<AppState>, me: Me) -> Response {
    let (st, m) = (s.clone(), me.clone());
    let r = blocking(move || Ok(zhifa_app::reviews::open_reviews(&st, &m.account, None, false)?)).await;
    let mine = me.account.staff_no.clone().unwrap_or_default();
    match r {
        Ok(queue) => page(
            &me,
            "法制审核",
            vec![Crumb::here("法制审核")],
            "/staff/reviews",
            html! {
                p.lead { "待出具审核意见的案件：" strong { (queue.len()) } " 件（REV-6：默认五个工作日，可延长一次）。" }
                (table(
                    "审核队列",
                    &["案件", "当事人", "轮次", "审核人员", "到期日", "状态"],
                    queue.iter().map(|q| vec![
                        html! { a href=(case_href(&q.case)) { (q.case) } },
                        html! { (q.limit.party_name) },
                        html! { "第 " (q.round) " 轮" },
                        html! {
                            @match &q.reviewer {
                                Some(r) => { (r) @if *r == mine { " " span.tag { "我" } } },
                                None => span.tag.warn { "未指定" },
                            }
                        },
                        html! { (day(q.limit.limit.due)) @if q.extension_granted { " " span.tag { "已延长" } } },
                        limit_tags(&q.limit.limit),
                    ]),
                ))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

/// PUB-4, PUB-6: publications due (with warnings), overdue, published and withdrawn.
pub async fn publications(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let state = q.str("state").unwrap_or_else(|| "due".into());
    let (app, m, stt) = (s.app.clone(), me.clone(), state.clone());
    let r = crate::extract::call(move || {
        zhifa_app::publications::publication_list(&app, &m.account, stt, None, Paging { offset: 0, limit: 200 })
    })
    .await;
    let tabs = [
        ("due", "待公示"),
        ("overdue", "逾期未公示"),
        ("published", "已公示"),
        ("withdrawn", "已撤回"),
        ("expired", "公示期满"),
    ];
    let may_withdraw = me.any(super::OVERSIGHT);
    match r {
        Ok(list) => page(
            &me,
            "行政执法公示",
            vec![Crumb::here("公示")],
            "/staff/publications",
            html! {
                nav.tabs {
                    @for (code, label) in tabs {
                        @if code == state { strong { (label) } } @else { a href={ "/staff/publications?state=" (code) } { (label) } }
                        " "
                    }
                }
                (table(
                    "公示（PUB-4：决定后 7 或 20 个工作日内公示；PUB-6：撤回须在 3 个工作日内并公开理由）",
                    &["案件", "决定日期", "公示期限", "状态", "公示"],
                    list.items.iter().map(|i| vec![
                        html! {
                            a href=(case_href(&i.case)) { (i.case) }
                            @if let (Some(id), true, None) = (&i.id, may_withdraw, &i.withdrawal) { (withdraw_form(&me, id)) }
                        },
                        html! { (day(i.decided_on)) },
                        html! { (day(i.due)) @if i.due_provisional { " " span.tag { "暂定" } } },
                        html! {
                            @if i.overdue { span.tag.bad { "逾期" } }
                            @else if i.warning { span.tag.warn { "即将到期" } }
                            @else if let Some(w) = &i.withdrawal { span.tag { "已撤回" } " " (w.reason) }
                            @else if i.on_time == Some(true) { span.tag { "按时公示" } }
                            @else if i.on_time == Some(false) { span.tag.bad { "迟延公示" } }
                        },
                        html! {
                            @if let Some(u) = &i.verify_url { a href=(u) { "公示页面" } }
                            @if let Some(seq) = i.seq { " " span.muted { "日志记录 " (seq) } }
                        },
                    ]),
                ))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

/// PUB-6: the withdrawal of a published decision, with its ground and published reason.
fn withdraw_form(me: &Me, id: &str) -> Markup {
    use zhifa_domain::publication::WithdrawalGround;
    html! {
        details.withdraw {
            summary { "撤下公示" }
            form.stack method="post" action={ "/staff/publications/" (enc(id)) "/withdraw" } {
                (csrf_field(me))
                label { "撤下原因"
                    select name="ground" required {
                        @for g in WithdrawalGround::ALL { option value=(g.as_str()) { (g.label()) } }
                    }
                }
                label { "原因发生日期（3 个工作日内撤下）" input type="date" name="arose_on"; }
                label { "公开说明" textarea name="reason" required maxlength="500" rows="2" {} }
                button type="submit" { "撤下" }
            }
        }
    }
}

/// PUB-6: heads withdraw their agency's publications, supervisors any.
pub async fn withdraw(State(s): State<AppState>, me: Me, Path(id): Path<String>, f: Fields) -> Response {
    use zhifa_domain::publication::WithdrawalGround;
    let refuse = |v: Violation| page_error(Some(&me), ApiError::BadRequest(v));
    let Some(ground) = WithdrawalGround::ALL.iter().copied().find(|g| f.has("ground", g.as_str())) else {
        return refuse(Violation::new("PUB-6", "请选择撤下原因").at("ground"));
    };
    let arose_on = match f.get("arose_on").map(|d| d.parse::<jiff::civil::Date>()) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => return refuse(Violation::new("SEC-5", "原因发生日期格式错误，应为 YYYY-MM-DD").at("arose_on")),
    };
    let body = zhifa_app::publications::WithdrawBody { reason: f.text("reason"), ground, arose_on };
    let (app, m) = (s.app.clone(), me.clone());
    match crate::extract::call(move || zhifa_app::publications::withdraw(&app, &m.account, &id, body)).await {
        Ok(_) => see_other("/staff/publications?state=withdrawn"),
        Err(e) => page_error(Some(&me), e),
    }
}
