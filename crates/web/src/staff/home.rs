//! My work (我的工作): the handler's own cases and limits, and the case-opening form.
//! Everything goes through `zhifa_app::cases`, the functions the JSON API uses.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::access::HANDLERS;
use zhifa_app::cases::{self, CaseDeadline, OpenInput};
use zhifa_domain::Violation;
use zhifa_domain::case::Party;
use zhifa_domain::penalty::PartyKind;
use zhifa_store::{CaseFilter, CaseRow, ItemFilter, Paging};

use super::tables::{case_href, case_rows, limits_table};
use super::{Fields, Me, csrf_field, page, page_error, refusals, see_other, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::blocking;
use crate::html::table;

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
            zhifa_app::registry::items(s, &f, Paging { offset: 0, limit: 500 })?
                .items
                .into_iter()
                .map(|i| (i.code, i.name))
                .collect()
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
