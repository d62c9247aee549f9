//! Heads' and supervisors' queues: approvals awaiting the head, deadline alerts (SUP-1)
//! and the legal-review queue (REV-6).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use maud::html;
use zhifa_app::cases::{self};
use zhifa_domain::account::Role;
use zhifa_domain::procedure::LimitKind;
use zhifa_store::Paging;

use super::tables::{case_href, limit_tags, limits_table};
use super::{Me, day, page, page_error};
use crate::AppState;
use crate::extract::{QueryMap, blocking};
use crate::html::{Crumb, table};

pub async fn approvals(State(s): State<AppState>, me: Me) -> Response {
    let (st, m) = (s.clone(), me.clone());
    let r = blocking(move || {
        let waiting = cases::awaiting_approval(&st, &m.account)?;
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
                (table("须经负责人批准的环节", &["案件", "当事人", "阶段", "待批环节"], waiting.iter().map(|w| vec![
                    html! { a href={ (case_href(&w.number)) "#approve" } { (w.number) } }, html! { (w.party_name) }, html! { (w.stage) }, html! { (w.action) },
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
