//! The case list and the case page: its timeline, running limits and the next actions (a
//! form for each allowed one, the rule-cited reasons for each refused one), the review
//! rounds, the evidence upload and the documents.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::access::{ACTORS, HANDLERS};
use zhifa_app::cases::{self, CaseDetail};
use zhifa_domain::Violation;
use zhifa_domain::account::Role;
use zhifa_domain::money::yuan;
use zhifa_domain::penalty::DecidedPenalty;
use zhifa_domain::procedure::{AvRequirement, Condition, ProcedureDefinition, ReviewOutcome};
use zhifa_domain::review::Opinion;
use zhifa_store::{CaseFilter, OfficerFilter, Paging};

use super::tables::{case_href, case_rows, limit_tags};
use super::{Fields, Me, csrf_field, cst, day, page, page_error, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, blocking};
use crate::html::{self, Crumb, Pager, enc, facts, table};

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
pub(super) struct CaseContext {
    detail: CaseDetail,
    def: ProcedureDefinition,
    item_name: String,
    /// The agency's officers: (staff number, name).
    officers: Vec<(String, String)>,
    /// CASE-6: the documents issued and issuable.
    documents: zhifa_app::documents::CaseDocuments,
}

pub(super) fn load_case(s: &AppState, me: &Me, number: &str, reason: Option<String>) -> Result<CaseContext, ApiError> {
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
pub(super) struct Submitted<'a> {
    pub(super) action: &'a str,
    pub(super) fields: &'a Fields,
    pub(super) errors: &'a [Violation],
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

pub(super) fn case_main(s: &AppState, me: &Me, ctx: &CaseContext, sub: Option<&Submitted>) -> Markup {
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
            @if me.any(ACTORS) && !d.terminal { (evidence_form(me, &c.number)) }
        }
        (super::docs::section(me, &c.number, &ctx.documents, me.any(HANDLERS)))
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
    let rounds = zhifa_domain::case::rounds(history);
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

pub(super) fn crumbs(number: &str) -> Vec<Crumb> {
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
