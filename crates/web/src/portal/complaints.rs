//! Complaints and reports taken from the portal (CMP-1): a form, a random unguessable
//! tracking number, and a status page that never shows the contact details.
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
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::publication::Complaint;
use zhifa_store::{Actor, AppendError, Paging};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, blocking};
use crate::html::{self, Crumb};
use super::{PageError, PageResult};

const COOKIE: &str = "zhifa_form";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/complaints", get(lookup))
        .route("/public/complaints/new", get(new_form).post(submit))
        .route("/public/complaints/{tracking}", get(status))
}

/// 12 characters of RFC 4648 base32 from 60 random bits: unguessable.
pub fn new_tracking() -> String {
    // 8 random bytes are 13 characters; the first 12 carry 60 of the 64 bits.
    let mut t = data_encoding::BASE32_NOPAD.encode(&rand::random::<[u8; 8]>());
    t.truncate(12);
    t
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
    let store = s.store.clone();
    Ok(blocking(move || Ok(store.agencies(&Default::default(), Paging { offset: 0, limit: 500 })?.items)).await?)
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
    let cookie_token = crate::session::cookie_value(&headers, COOKIE).unwrap_or_default();
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
    let agency = match v.agency.as_str() {
        "" => None,
        a => CreditCode::parse(a).ok(),
    };
    let complaint = Complaint {
        tracking: new_tracking(),
        agency,
        what: v.what.trim().to_string(),
        contact: Some(v.contact.trim().to_string()).filter(|c| !c.is_empty()),
    };
    let store = s.store.clone();
    let c = complaint.clone();
    let outcome = blocking(move || {
        match store.append(&Actor("public:portal".into()), Event::ComplaintReceived { complaint: c }) {
            Ok(r) => Ok(Ok(r.seq)),
            Err(AppendError::Refused(v)) => Ok(Err(v.message)),
            Err(AppendError::RefusedMany(vs)) => {
                Ok(Err(vs.into_iter().map(|(_, v)| v.message).collect::<Vec<_>>().join("；")))
            }
            Err(e) => Err(ApiError::from(e)),
        }
    })
    .await?;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/public/complaints/{}", complaint.tracking)).into_response()),
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
    let store = s.store.clone();
    let key = tracking.clone();
    let row = blocking(move || {
        let Some(row) = store.complaint(&key)? else { return Ok(None) };
        let agency = match &row.complaint.agency {
            Some(a) => store.agency(a.as_str())?.map(|a| a.name),
            None => None,
        };
        Ok(Some((row, agency)))
    })
    .await?;
    let (row, agency) = row.ok_or_else(|| PageError::NotFound(format!("受理编号 {tracking} ")))?;
    let received = row.received_at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)));
    // CMP-1: status only; neither the text nor the contact is shown.
    let main = html! {
        div.verdict.ok role="status" {
            strong.mono { (row.complaint.tracking) }
            span { "请保存受理编号，凭此编号查询办理状态。" }
        }
        (html::facts(&[
            ("受理编号", html! { span.mono { (row.complaint.tracking) } }),
            ("收到时间", html! { (received.strftime("%Y年%m月%d日 %H:%M")) }),
            ("涉及机关", html! { (agency.unwrap_or_else(|| "待确定".into())) }),
            ("办理状态", html! { "已收到，待分派至执法机关办理" }),
        ]))
        p.muted { "为保护投诉人，本页面不显示投诉内容和联系方式。" }
    };
    Ok(page(StatusCode::OK, "投诉举报办理状态", vec![Crumb::here("办理状态")], main))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_twelve_base32_characters() {
        let t = new_tracking();
        assert_eq!(t.len(), 12);
        assert!(t.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7')), "{t}");
        assert_ne!(t, new_tracking());
    }
}
