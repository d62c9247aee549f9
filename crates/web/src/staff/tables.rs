//! What several work screens show alike: a case's link, its running limits as tags and as
//! a table, and the rows of a case list.

use std::collections::HashMap;

use maud::{Markup, html};
use zhifa_app::cases::CaseDeadline;
use zhifa_domain::procedure::{LimitKind, LimitStatus, ProcedureDefinition};
use zhifa_store::CaseRow;

use super::{cst, day};
use crate::html::{enc, table};

pub(super) fn case_href(number: &str) -> String {
    format!("/staff/cases/{}", enc(number))
}

pub(super) fn limit_tags(l: &LimitStatus) -> Markup {
    html! {
        @if l.overdue { span.tag.bad { "逾期" } " " }
        @if l.provisional { span.tag.warn title="所涉年份的节假日安排尚未载入，按周末推算（CAL-1）" { "暂定" } " " }
        @if l.suspended { span.tag { "中止计算" } " " }
        @if l.kind == LimitKind::Period && l.elapsed { span.tag.ok { "已届满" } }
    }
}

pub(super) fn limits_table(caption: &str, rows: &[CaseDeadline], names: &HashMap<String, String>) -> Markup {
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

pub(super) fn case_rows(rows: &[CaseRow], defs: &[ProcedureDefinition]) -> Vec<Vec<Markup>> {
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
