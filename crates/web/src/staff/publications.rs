//! The publication list (PUB-4, PUB-6) and the withdrawal form.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::access::OVERSIGHT;
use zhifa_domain::Violation;
use zhifa_store::Paging;

use super::tables::case_href;
use super::{Fields, Me, csrf_field, day, page, page_error, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::QueryMap;
use crate::html::{Crumb, enc, table};

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
    let may_withdraw = me.any(OVERSIGHT);
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
