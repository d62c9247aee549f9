//! The registries as staff see them: agencies, officers and their certificates (with the
//! registrars' suspend, reinstate and revoke actions), items with their benchmarks, the
//! working-day calendar, and the import with its row errors.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::access::REGISTRARS;
use zhifa_app::calendar;
use zhifa_app::registry::{self, DateInput, RevokeInput, SuspendInput};
use zhifa_domain::Violation;
use zhifa_domain::registry::{CertState, RevocationReason};
use zhifa_store::{ItemFilter, OfficerFilter, Paging};

use super::{Fields, Me, csrf_field, day, page, page_error, refusals, see_other, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, blocking, call};
use crate::html::{self, Crumb, Pager, enc, facts, table};

const PER_PAGE: i64 = 30;

fn pager(q: &QueryMap) -> Pager {
    Pager::new(q.i64("page").ok().flatten().unwrap_or(1), PER_PAGE)
}

pub async fn agencies(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let pg = pager(&q);
    let text = q.str("q");
    let st = s.clone();
    let f = zhifa_store::AgencyFilter { q: text.clone(), ..Default::default() };
    match call(move || registry::agencies(&st, &f, Paging { offset: pg.offset(), limit: pg.per_page })).await {
        Ok(p) => page(
            &me,
            "执法主体",
            vec![Crumb::here("执法主体")],
            "/staff/agencies",
            html! {
                (search_form("/staff/agencies", "名称", None, text.as_deref()))
                (table("执法主体（SUBJ-1）", &["名称", "统一社会信用代码", "区划", "执法领域", "状态", "人员"], p.items.iter().map(|a| vec![
                    html! { (a.name) @if a.entrusted_by.is_some() { " " span.tag { "受委托组织" } } },
                    html! { span.mono { (a.code) } },
                    html! { (zhifa_domain::regions::full_name(&a.region).unwrap_or_else(|| a.region.to_string())) },
                    html! { (a.domains.iter().map(|d| d.label()).collect::<Vec<_>>().join("、")) },
                    html! { (a.status.label()) },
                    html! { a href=(html::with_query("/staff/officers", &[("agency", a.code.to_string())])) { "查看人员" } },
                ])))
                (html::pagination("/staff/agencies", &[("q", text.unwrap_or_default())], pg, p.total))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

fn state_tag(st: CertState) -> Markup {
    let class = match st {
        CertState::Valid => "tag ok",
        CertState::CheckDueSoon | CertState::ExpiringSoon => "tag warn",
        _ => "tag bad",
    };
    html! { span class=(class) { (st.label()) } }
}

/// A registry list's search box; `agency` (the agency the list is limited to) is kept.
fn search_form(action: &str, label: &str, agency: Option<&str>, text: Option<&str>) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            @if let Some(a) = agency { input type="hidden" name="agency" value=(a); }
            label { (label) input name="q" value=(text.unwrap_or_default()); }
            button type="submit" { "查询" }
        }
    }
}

pub async fn officers(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let pg = pager(&q);
    // Agency staff see their own agency by default (SEC-2).
    let agency = q.str("agency").or_else(|| me.account.agency.as_ref().map(|a| a.to_string()));
    let text = q.str("q");
    let f = OfficerFilter { agency: agency.clone(), q: text.clone() };
    let st = s.clone();
    let today = s.today();
    match blocking(move || Ok(st.store.officers(&f, Paging { offset: pg.offset(), limit: pg.per_page })?)).await {
        Ok(p) => page(
            &me,
            "执法人员",
            vec![Crumb::here("执法人员")],
            "/staff/officers",
            html! {
                (search_form("/staff/officers", "姓名或编号", agency.as_deref(), text.as_deref()))
                (table("执法人员与执法证（STAFF-1..3）", &["姓名", "人员编号", "机关", "职务", "用工", "执法证"], p.items.iter().map(|o| vec![
                    html! { a href={ "/staff/officers/" (enc(&o.officer.staff_no)) } { (o.officer.name) } },
                    html! { span.mono { (o.officer.staff_no) } },
                    html! { (o.agency_name) },
                    html! { (o.officer.position) },
                    html! { (o.officer.employment.label()) },
                    html! { @for c in &o.certificates { span.mono { (c.number) } " " (state_tag(c.standing(today, &s.policy).state)) br; } },
                ])))
                (html::pagination("/staff/officers", &[("agency", agency.unwrap_or_default()), ("q", text.unwrap_or_default())], pg, p.total))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

fn officer_main(s: &AppState, me: &Me, o: &zhifa_store::OfficerRecord, errors: &[Violation]) -> Markup {
    let today = s.today();
    html! {
        (facts(&[
            ("人员编号", html! { span.mono { (o.officer.staff_no) } }),
            ("机关", html! { (o.agency_name) }),
            ("职务", html! { (o.officer.position) }),
            ("用工性质", html! { (o.officer.employment.label()) }),
            ("法律职业资格", html! { @if o.officer.legal_qualification { "有" } @else { "无" } }),
            ("资格考试通过", html! { @if let Some(d) = o.qualification.exam_passed_on { (day(d)) } @else { "—" } }),
        ]))
        (violations(errors))
        @for c in &o.certificates {
            section.cert {
                h2 { "执法证 " span.mono { (c.number) } " " (state_tag(c.standing(today, &s.policy).state)) }
                (facts(&[
                    ("执法类别", html! { (c.categories.iter().map(|d| d.label()).collect::<Vec<_>>().join("、")) }),
                    ("发证日期", html! { (day(c.issued_on)) }),
                    ("有效期至", html! { (day(c.expires_on)) }),
                    ("状态", html! { (c.status.label()) }),
                ]))
                @if me.any(REGISTRARS) {
                    form.stack method="post" action={ "/staff/certificates/" (enc(&c.number)) "/status" } {
                        (csrf_field(me))
                        input type="hidden" name="staff_no" value=(o.officer.staff_no);
                        label { "操作"
                            select name="op" {
                                option value="suspend" { "暂扣" }
                                option value="reinstate" { "恢复" }
                                option value="revoke" { "注销" }
                            }
                        }
                        label { "日期" input type="date" name="on" required value=(day(today)); }
                        label { "暂扣原因" input name="reason" maxlength="500"; }
                        label { "注销原因"
                            select name="revoke_reason" {
                                @for r in [RevocationReason::Retired, RevocationReason::Transferred, RevocationReason::Dismissed, RevocationReason::Dead, RevocationReason::Other] {
                                    option value=(r.as_str()) { (r.label()) }
                                }
                            }
                        }
                        button type="submit" { "提交" }
                    }
                }
            }
        }
    }
}

async fn officer_page(s: AppState, me: Me, staff_no: String, errors: Vec<Violation>) -> Response {
    let st = s.clone();
    let no = staff_no.clone();
    match blocking(move || st.store.officer(&no)?.ok_or_else(|| ApiError::NotFound(format!("人员 {no} ")))).await {
        Ok(o) => {
            let title = o.officer.name.clone();
            let mut r = page(
                &me,
                &title,
                vec![Crumb::link("执法人员", "/staff/officers"), Crumb::here(title.clone())],
                "/staff/officers",
                officer_main(&s, &me, &o, &errors),
            );
            if !errors.is_empty() {
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            r
        }
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn officer(State(s): State<AppState>, me: Me, Path(staff_no): Path<String>) -> Response {
    officer_page(s, me, staff_no, Vec::new()).await
}

pub async fn certificate_status(State(s): State<AppState>, me: Me, Path(number): Path<String>, f: Fields) -> Response {
    let staff_no = f.text("staff_no");
    let on = match f.text("on").parse::<jiff::civil::Date>() {
        Ok(d) => d,
        Err(_) => {
            let v = Violation::new("SEC-5", "日期格式应为 2026-01-31").at("on");
            return officer_page(s, me, staff_no, vec![v]).await;
        }
    };
    let (app, account) = (s.app.clone(), me.account.clone());
    let r = match f.text("op").as_str() {
        "suspend" => {
            let i = SuspendInput { on, reason: f.text("reason") };
            call(move || registry::suspend_certificate(&app, &account, number, i)).await
        }
        "reinstate" => call(move || registry::reinstate_certificate(&app, &account, number, DateInput { on })).await,
        "revoke" => {
            let reason = RevocationReason::parse(&f.text("revoke_reason")).unwrap_or(RevocationReason::Other);
            call(move || registry::revoke_certificate(&app, &account, number, RevokeInput { on, reason })).await
        }
        other => {
            let v = Violation::new("SEC-5", format!("未知操作「{other}」")).at("op");
            return officer_page(s, me, staff_no, vec![v]).await;
        }
    };
    match r {
        Ok(_) => see_other(&format!("/staff/officers/{}", enc(&staff_no))),
        Err(e) => match refusals(e) {
            Ok(vs) => officer_page(s, me, staff_no, vs).await,
            Err(e) => page_error(Some(&me), e),
        },
    }
}

pub async fn items(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let pg = pager(&q);
    let text = q.str("q");
    let agency = q.str("agency").or_else(|| me.account.agency.as_ref().map(|a| a.to_string()));
    let f = ItemFilter { agency: agency.clone(), q: text.clone(), in_force: Some(true), ..Default::default() };
    let st = s.clone();
    match call(move || registry::items(&st, &f, Paging { offset: pg.offset(), limit: pg.per_page })).await {
        Ok(p) => page(
            &me,
            "执法事项",
            vec![Crumb::here("执法事项")],
            "/staff/items",
            html! {
                (search_form("/staff/items", "名称或编码", agency.as_deref(), text.as_deref()))
                (table("执法事项清单（ITEM-1）", &["编码", "名称", "类别", "领域", "版本", "裁量基准"], p.items.iter().map(|i| vec![
                    html! { a href={ "/staff/items/" (enc(&i.code)) } { span.mono { (i.code) } } },
                    html! { (i.name) },
                    html! { (i.kind.label()) },
                    html! { (i.domain.label()) },
                    html! { (i.version) },
                    html! { @if let Some(b) = &i.benchmark { (b.grades.len()) " 档" } @else { "—" } },
                ])))
                (html::pagination("/staff/items", &[("agency", agency.unwrap_or_default()), ("q", text.unwrap_or_default())], pg, p.total))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn item(State(s): State<AppState>, me: Me, Path(code): Path<String>) -> Response {
    let st = s.clone();
    match call(move || registry::item(&st, &code)).await {
        Ok(detail) => {
            let latest = detail.versions.iter().max_by_key(|v| v.version).expect("an item has a version").clone();
            page(
                &me,
                &latest.name,
                vec![Crumb::link("执法事项", "/staff/items"), Crumb::here(latest.name.clone())],
                "/staff/items",
                html! {
                    (facts(&[
                        ("编码", html! { span.mono { (latest.code) } }),
                        ("类别", html! { (latest.kind.label()) }),
                        ("执法领域", html! { (latest.domain.label()) }),
                        ("现行版本", html! { (latest.version) "（" (latest.change.label()) "，" (day(latest.effective_from)) " 起）" }),
                    ]))
                    h2 { "设定依据（ITEM-2）" }
                    ul { @for c in &latest.basis { li { (c.to_string()) } } }
                    h2 { "裁量基准（ITEM-4）" }
                    @if let Some(b) = &latest.benchmark {
                        (table("裁量档次", &["档次", "适用情形", "处罚种类数"], b.grades.iter().map(|g| vec![
                            html! { (g.grade.label()) }, html! { (g.conditions) }, html! { (g.penalties.len()) },
                        ])))
                        @if b.first_offence_exempt { p { span.tag.ok { "首违不罚" } "（《行政处罚法》第三十三条）" } }
                    } @else { p.muted { "本事项无裁量基准。" } }
                    p { a href={ "/public/items/" (enc(&latest.code)) } { "在公示平台查看完整裁量基准与历史版本" } }
                },
            )
        }
        Err(e) => page_error(Some(&me), e),
    }
}

fn calendar_main(me: &Me, years: &[i16], errors: &[Violation], text: &str) -> Markup {
    html! {
        p { "已载入国务院节假日安排的年份：" @for y in years { span.tag { (y) } " " } }
        p.muted { "未载入年份的期限按周末推算，标为「暂定」，载入后自动重算（CAL-1）。" }
        @if me.any(REGISTRARS) {
            h2 { "载入一年的节假日安排" }
            (violations(errors))
            form.stack method="post" action="/staff/calendar" {
                (csrf_field(me))
                label { "holiday-cn 格式的 JSON" textarea name="json" rows="8" required { (text) } }
                button type="submit" { "载入" }
            }
        }
    }
}

pub async fn calendar(State(s): State<AppState>, me: Me) -> Response {
    let app = s.app.clone();
    match call(move || calendar::years(&app)).await {
        Ok(years) => {
            page(&me, "工作日历", vec![Crumb::here("工作日历")], "/staff/calendar", calendar_main(&me, &years, &[], ""))
        }
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn load_calendar(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let text = f.text("json");
    let (app, account, t) = (s.app.clone(), me.account.clone(), text.clone());
    let r = call(move || calendar::load(&app, &account, &t)).await;
    match r {
        Ok(_) => see_other("/staff/calendar"),
        Err(e) => match refusals(e) {
            Ok(vs) => {
                let app = s.app.clone();
                let years = call(move || calendar::years(&app)).await.unwrap_or_default();
                let mut r = page(
                    &me,
                    "工作日历",
                    vec![Crumb::here("工作日历")],
                    "/staff/calendar",
                    calendar_main(&me, &years, &vs, &text),
                );
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                r
            }
            Err(e) => page_error(Some(&me), e),
        },
    }
}

fn import_main(me: &Me, result: Option<Result<usize, &[zhifa_sheets::RowError]>>, sheet: &str, text: &str) -> Markup {
    html! {
        p { "导入执法主体、人员、执法证、事项等登记数据。任何一行有错误则整体不写入，并列出每个错误行。" }
        @match result {
            Some(Ok(n)) => p.ok role="status" { "导入完成：写入 " (n) " 条记录。" },
            Some(Err(rows)) => div.errors role="alert" {
                p { strong { "导入被拒绝：" (rows.len()) " 处错误，未写入任何数据。" } }
                (table("错误行", &["工作表", "行", "列", "错误"], rows.iter().map(|r| vec![
                    html! { (r.sheet) }, html! { (r.row) }, html! { (r.column.clone().unwrap_or_default()) }, html! { (r.message) },
                ])))
            },
            None => {},
        }
        h2 { "上传文件（XLSX 工作簿或 CSV）" }
        form.stack.upload method="post" action="/api/v1/import" data-import="/api/v1/import" data-csrf=(me.csrf) {
            label { "文件" input type="file" name="file" accept=".xlsx,.csv" required; }
            label { "CSV 对应的工作表" (sheet_select(sheet)) }
            button type="submit" { "上传并导入" }
            p.upload-status role="status" aria-live="polite" {}
        }
        h2 { "或粘贴 CSV 文本" }
        form.stack method="post" action="/staff/import" {
            (csrf_field(me))
            label { "工作表" (sheet_select(sheet)) }
            label { "CSV（首行为表头）" textarea name="csv" rows="8" required { (text) } }
            button type="submit" { "导入" }
        }
    }
}

fn sheet_select(selected: &str) -> Markup {
    html! {
        select name="sheet" {
            @for (key, label, _) in zhifa_sheets::SHEETS {
                option value=(key) selected[*key == selected] { (label) }
            }
        }
    }
}

pub async fn import_page(me: Me) -> Response {
    page(&me, "导入登记数据", vec![Crumb::here("导入")], "/staff/import", import_main(&me, None, "", ""))
}

pub async fn import_csv(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let sheet = f.text("sheet");
    let text = f.raw("csv");
    let key = zhifa_sheets::sheet_key(&sheet);
    let table = match zhifa_sheets::read_csv(&key, text.as_bytes()) {
        Ok(t) => t,
        Err(e) => {
            let rows = [zhifa_sheets::RowError { sheet: sheet.clone(), row: 0, column: None, message: e.to_string() }];
            let mut r = page(
                &me,
                "导入登记数据",
                vec![Crumb::here("导入")],
                "/staff/import",
                import_main(&me, Some(Err(&rows)), &sheet, &text),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let (store, actor) = (s.store.clone(), me.actor());
    let r = tokio::task::spawn_blocking(move || zhifa_app::import::import_tables(&store, &actor, &[table])).await;
    match r {
        Ok(Ok(n)) => page(
            &me,
            "导入登记数据",
            vec![Crumb::here("导入")],
            "/staff/import",
            import_main(&me, Some(Ok(n)), &sheet, ""),
        ),
        Ok(Err(rows)) => {
            let mut r = page(
                &me,
                "导入登记数据",
                vec![Crumb::here("导入")],
                "/staff/import",
                import_main(&me, Some(Err(&rows)), &sheet, &text),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(Some(&me), ApiError::Internal(e.to_string())),
    }
}
