//! The face of complaints and reports (CMP-1, the use cases in `zhifa_app::complaints`):
//! a form, a random unguessable tracking number, and a status page that never shows the
//! contact details.
//!
//! CSRF: the public form uses a **double-submit token** — `GET /public/complaints/new`
//! sets a random token in a `SameSite=Strict; HttpOnly` cookie scoped to
//! `/public/complaints` and in a hidden field; the POST must carry both, equal. A request
//! whose `Origin` header names another site is refused as well.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use zhifa_app::complaints::{self, ComplaintInput};
use zhifa_store::Paging;

use super::{PageError, PageResult};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, call};
use crate::html::{self, Crumb};

const COOKIE: &str = "zhifa_form";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/complaints", get(lookup))
        .route("/public/complaints/new", get(new_form).post(submit))
        .route("/public/complaints/{tracking}", get(status))
}

fn page(status: StatusCode, title: &str, crumbs: Vec<Crumb>, main: Markup) -> Response {
    let mut all = vec![Crumb::link("首页", "/public"), Crumb::link("投诉举报", "/public/complaints")];
    all.extend(crumbs);
    html::respond(status, html::document(&super::CHROME, title, &all, "/public/complaints", main))
}

async fn lookup(q: QueryMap) -> PageResult {
    if let Some(t) = q.str("tracking") {
        let t = t.trim().to_ascii_uppercase();
        if !t.is_empty() {
            return Ok(Redirect::to(&format!("/public/complaints/{}", html::enc(&t))).into_response());
        }
    }
    let main = html! {
        p { "对行政执法行为的投诉、举报，可在本平台提交。提交后获得受理编号，凭编号查询办理状态。" }
        p { a href="/public/complaints/new" { "我要投诉举报" } }
        form.lookup method="get" action="/public/complaints" role="search" {
            label for="tracking" { "受理编号" }
            input #tracking type="text" name="tracking" autocomplete="off" required maxlength="12";
            button type="submit" { "查询" }
        }
    };
    Ok(html::respond(
        StatusCode::OK,
        html::document(
            &super::CHROME,
            "投诉举报",
            &[Crumb::link("首页", "/public"), Crumb::here("投诉举报")],
            "/public/complaints",
            main,
        ),
    ))
}

struct Values {
    what: String,
    agency: String,
    contact: String,
}

async fn agencies(s: &AppState) -> Result<Vec<zhifa_domain::registry::Agency>, PageError> {
    let app = s.app.clone();
    Ok(call(move || zhifa_app::registry::agencies(&app, &Default::default(), Paging { offset: 0, limit: 500 }))
        .await?
        .items)
}

fn form(token: &str, agencies: &[zhifa_domain::registry::Agency], v: &Values, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            div.verdict.bad role="alert" { span { (e) } }
        }
        p { "请如实填写。联系方式仅供执法机关回访核实，不会公开。" }
        form.complaint method="post" action="/public/complaints/new" {
            input type="hidden" name="csrf" value=(token);
            p { label for="what" { "发生了什么（必填，10–2000 字）" } }
            p { textarea #what name="what" rows="8" maxlength="2000" required { (v.what) } }
            p { label for="agency" { "涉及的执法机关（可选）" } }
            p {
                select #agency name="agency" {
                    option value="" { "不确定" }
                    @for a in agencies {
                        option value=(a.code.as_str()) selected[v.agency == a.code.as_str()] { (a.name) }
                    }
                }
            }
            p { label for="contact" { "联系方式（可选，不公开）" } }
            p { input #contact type="text" name="contact" maxlength="100" autocomplete="tel" value=(v.contact); }
            p { button type="submit" { "提交" } }
        }
    }
}

fn with_cookie(mut resp: Response, token: &str) -> Response {
    let c = cookie::Cookie::build((COOKIE, token))
        .path("/public/complaints")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(7200));
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

async fn new_form(State(s): State<AppState>) -> PageResult {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let agencies = agencies(&s).await?;
    let v = Values { what: String::new(), agency: String::new(), contact: String::new() };
    let resp = page(StatusCode::OK, "我要投诉举报", vec![Crumb::here("提交")], form(&token, &agencies, &v, None));
    Ok(with_cookie(resp, &token))
}

/// The request comes from this site: no `Origin`, or one naming our host.
fn same_origin(s: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return true };
    if let Some(base) = &s.public_url
        && origin == &**base
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
}

async fn submit(State(s): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> PageResult {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadRequest("表单内容无法识别".into()))?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let token = get("csrf");
    let cookie_token = crate::cookies::cookie_value(&headers, COOKIE).unwrap_or_default();
    if token.len() != 32 || token != cookie_token || !same_origin(&s, &headers) {
        return Ok(page(
            StatusCode::FORBIDDEN,
            "表单已失效",
            vec![Crumb::here("表单已失效")],
            html! {
                p.lead { "表单已过期或来源无法确认，未予提交。请" a href="/public/complaints/new" { "重新打开表单" } "后再提交。" }
            },
        ));
    }
    let v = Values { what: get("what"), agency: get("agency").trim().to_string(), contact: get("contact") };
    let input = ComplaintInput { what: v.what.clone(), agency: v.agency.clone(), contact: v.contact.clone() };
    let app = s.app.clone();
    let outcome = match call(move || complaints::submit(&app, input)).await {
        Ok(c) => Ok(c.tracking),
        Err(ApiError::Rule(v)) => Err(v.message),
        Err(ApiError::Rules(vs)) => Err(vs.into_iter().map(|v| v.message).collect::<Vec<_>>().join("；")),
        Err(e) => return Err(e.into()),
    };
    match outcome {
        Ok(tracking) => Ok(Redirect::to(&format!("/public/complaints/{tracking}")).into_response()),
        Err(message) => {
            // SEC-5: refused with a clear Chinese message; what was typed comes back escaped.
            let agencies = agencies(&s).await?;
            let resp = page(
                StatusCode::BAD_REQUEST,
                "我要投诉举报",
                vec![Crumb::here("提交")],
                form(&token, &agencies, &v, Some(&format!("未能提交：{message}"))),
            );
            Ok(resp)
        }
    }
}

async fn status(State(s): State<AppState>, Path(tracking): Path<String>) -> PageResult {
    let app = s.app.clone();
    let row = call(move || complaints::status(&app, &tracking)).await?;
    let received = row.received_at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)));
    // CMP-1: status only; neither the text nor the contact is shown.
    let main = html! {
        div.verdict.ok role="status" {
            strong.mono { (row.tracking) }
            span { "请保存受理编号，凭此编号查询办理状态。" }
        }
        (html::facts(&[
            ("受理编号", html! { span.mono { (row.tracking) } }),
            ("收到时间", html! { (received.strftime("%Y年%m月%d日 %H:%M")) }),
            ("涉及机关", html! { (row.agency_name.unwrap_or_else(|| "待确定".into())) }),
            ("办理状态", html! { "已收到，待分派至执法机关办理" }),
        ]))
        p.muted { "为保护投诉人，本页面不显示投诉内容和联系方式。" }
    };
    Ok(page(StatusCode::OK, "投诉举报办理状态", vec![Crumb::here("办理状态")], main))
}
