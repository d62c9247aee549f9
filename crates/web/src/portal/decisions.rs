//! The portal's decision pages (PUB-4, PUB-7): `/public/decisions` (full-text search with
//! filters), `/public/decisions/{id}` (served from the page cache, `zhifa_app::publications`
//! drops a page when a record changes it) and `/public/inspections` (PUB-7). What they show
//! is read by `zhifa_app::publications`; this face parses and renders.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, html};
use zhifa_app::publications;
use zhifa_domain::item::ItemKind;
use zhifa_domain::money::yuan;
use zhifa_domain::procedure::china_date;

use super::{PageError, PageResult};
use crate::AppState;
use crate::extract::{QueryMap, call};
use crate::html::{self, Crumb, Pager};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/decisions", get(decisions))
        .route("/public/decisions/{id}", get(decision))
        .route("/public/inspections", get(inspections))
}

const PER_PAGE: i64 = 20;

fn page(title: &str, crumbs: Vec<Crumb>, current: &str, main: Markup) -> PageResult {
    let mut all = vec![Crumb::link("首页", "/public")];
    all.extend(crumbs);
    Ok(html::respond(StatusCode::OK, html::document(&super::CHROME, title, &all, current, main)))
}

fn pdate(d: Date) -> String {
    d.strftime("%Y年%m月%d日").to_string()
}

/// The snippet with its matched words in `<mark>`, every piece escaped (SEC-5).
fn marked(snippet: &str, marks: &[std::ops::Range<usize>]) -> Markup {
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for m in marks {
        let (Some(before), Some(word)) = (snippet.get(at..m.start), snippet.get(m.start..m.end)) else { continue };
        if m.start < at {
            continue;
        }
        pieces.push((false, before));
        pieces.push((true, word));
        at = m.end;
    }
    pieces.push((false, snippet.get(at..).unwrap_or("")));
    html! { @for (hit, text) in pieces { @if hit { mark { (text) } } @else { (text) } } }
}

fn fen_param(q: &QueryMap, k: &str) -> Result<Option<i64>, PageError> {
    match q.str(k) {
        None => Ok(None),
        Some(v) => {
            let yuan: f64 = v.trim().parse().map_err(|_| PageError::BadRequest(format!("金额「{v}」不是数字")))?;
            if !(0.0..=1e12).contains(&yuan) {
                return Err(PageError::BadRequest("金额超出范围".into()));
            }
            Ok(Some((yuan * 100.0).round() as i64))
        }
    }
}

struct SearchForm {
    q: String,
    agency: String,
    domain: String,
    kind: String,
    from: String,
    to: String,
    min: String,
    max: String,
}

async fn search_page(
    s: AppState,
    q: QueryMap,
    fixed_kind: Option<ItemKind>,
    path: &'static str,
    title: &'static str,
) -> PageResult {
    let pager = {
        let page = q.i64("page").map_err(PageError::from)?.unwrap_or(1);
        if !(1..=10_000).contains(&page) {
            return Err(PageError::BadRequest("页码须为正整数".into()));
        }
        Pager::new(page, PER_PAGE)
    };
    let form = SearchForm {
        q: q.str("q").unwrap_or_default(),
        agency: q.str("agency").unwrap_or_default(),
        domain: q.str("domain").unwrap_or_default(),
        kind: fixed_kind.map(|k| k.as_str().to_string()).or_else(|| q.str("kind")).unwrap_or_default(),
        from: q.str("from").unwrap_or_default(),
        to: q.str("to").unwrap_or_default(),
        min: q.str("min").unwrap_or_default(),
        max: q.str("max").unwrap_or_default(),
    };
    if form.q.chars().count() > 100 {
        return Err(PageError::BadRequest("检索词不能超过 100 个字".into()));
    }
    let kind = match form.kind.as_str() {
        "" => None,
        k => Some(ItemKind::parse(k).ok_or_else(|| PageError::BadRequest(format!("决定类别「{k}」无效")))?),
    };
    let query = zhifa_search::Query {
        text: form.q.clone(),
        doc_type: Some(zhifa_search::DocType::Decision),
        agency: Some(form.agency.clone()).filter(|a| !a.is_empty()),
        domain: Some(form.domain.clone()).filter(|a| !a.is_empty()),
        kind: kind.map(|k| k.label().to_string()),
        from: q.date("from").map_err(PageError::from)?,
        to: q.date("to").map_err(PageError::from)?,
        min_fen: fen_param(&q, "min")?,
        max_fen: fen_param(&q, "max")?,
        offset: pager.offset() as usize,
        limit: PER_PAGE as usize,
    };
    let app = s.app.clone();
    let publications::Found { hits, agencies } = call(move || publications::search(&app, &query)).await?;
    let domains: Vec<&str> = zhifa_domain::registry::Domain::ALL.iter().map(|d| d.label()).collect();
    let query_pairs: Vec<(&str, String)> = vec![
        ("q", form.q.clone()),
        ("agency", form.agency.clone()),
        ("domain", form.domain.clone()),
        ("kind", if fixed_kind.is_some() { String::new() } else { form.kind.clone() }),
        ("from", form.from.clone()),
        ("to", form.to.clone()),
        ("min", form.min.clone()),
        ("max", form.max.clone()),
    ];
    let main = html! {
        p { "依照行政执法公示制度，行政处罚、行政许可等决定作出后依法公示。公示内容已对自然人姓名、身份证号码、联系电话、住址等个人信息作去标识化处理。" }
        form.filters method="get" action=(path) role="search" {
            label.wide { "关键词" input type="search" name="q" value=(form.q) placeholder="如：过期食品、当事人名称、案号"; }
            label { "执法主体"
                select name="agency" {
                    option value="" { "全部" }
                    @for a in &agencies {
                        option value=(a.code.as_str()) selected[form.agency == a.code.as_str()] { (a.name) }
                    }
                }
            }
            label { "执法领域"
                select name="domain" {
                    option value="" { "全部" }
                    @for d in &domains { option value=(d) selected[form.domain == *d] { (d) } }
                }
            }
            @if fixed_kind.is_none() {
                label { "决定类别"
                    select name="kind" {
                        option value="" { "全部" }
                        @for k in [ItemKind::Penalty, ItemKind::Licensing, ItemKind::Inspection, ItemKind::Coercion] {
                            option value=(k.as_str()) selected[form.kind == k.as_str()] { (k.label()) }
                        }
                    }
                }
            }
            label { "决定日期起" input type="date" name="from" value=(form.from); }
            label { "决定日期止" input type="date" name="to" value=(form.to); }
            label { "罚款金额下限（元）" input type="number" name="min" min="0" step="0.01" value=(form.min) inputmode="decimal"; }
            label { "罚款金额上限（元）" input type="number" name="max" min="0" step="0.01" value=(form.max) inputmode="decimal"; }
            button type="submit" { "检索" }
        }
        p.muted { "共 " (hits.total) " 条" }
        @if hits.hits.is_empty() {
            p { "没有符合条件的公示。" }
        } @else {
            ol.hits {
                @for h in &hits.hits {
                    li {
                        a href={ "/public/decisions/" (html::enc(&h.id)) } { strong { (h.title) } }
                        div.muted { (h.agency_name) @if let Some(d) = h.date { " · " (pdate(d)) } }
                        p.snippet { (marked(&h.snippet, &h.marks)) }
                    }
                }
            }
        }
        (html::pagination(path, &query_pairs, pager, hits.total as i64))
        p.muted { "开放数据：" a href="/api/v1/public/decisions" { "JSON" } " · " a href="/api/v1/public/decisions.csv" { "CSV" } " · " a href="/api/v1/public/decisions.jsonl" { "JSON Lines" } }
    };
    page(title, vec![Crumb::here(title)], path, main)
}

async fn decisions(State(s): State<AppState>, q: QueryMap) -> PageResult {
    search_page(s, q, None, "/public/decisions", "执法决定公示").await
}

/// PUB-7: inspection results.
async fn inspections(State(s): State<AppState>, q: QueryMap) -> PageResult {
    search_page(s, q, Some(ItemKind::Inspection), "/public/inspections", "检查结果公示").await
}

fn html_bytes(page: axum::body::Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        page,
    )
        .into_response()
}

async fn decision(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    if let Some(page) = s.pages.get(&id) {
        return Ok(html_bytes(page));
    }
    let resp = render_decision(&s, id.clone()).await?;
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 22).await.map_err(|e| PageError::Internal(e.to_string()))?;
    if parts.status == StatusCode::OK {
        s.pages.put(&id, bytes.clone());
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

async fn render_decision(s: &AppState, id: String) -> PageResult {
    let app = s.app.clone();
    let row = call(move || publications::decision(&app, &id)).await?;
    let p = &row.publication;
    let title = format!("{}：{}", p.party.name, p.title);
    let facts: Vec<(&str, Markup)> = vec![
        ("案号", html! { (p.case) }),
        ("执法主体", html! { (p.agency_name) }),
        ("当事人", html! { (p.party.name) }),
        ("统一社会信用代码", html! { (p.party.credit_code.clone().unwrap_or_else(|| "—".into())) }),
        ("决定类别", html! { (p.kind.label()) }),
        ("决定日期", html! { (pdate(p.decided_on)) }),
        ("决定内容", html! { (p.conclusion) }),
        ("处罚依据", html! { (p.basis) }),
        ("罚款金额", html! { @if p.fine_fen > 0 { (yuan(p.fine_fen)) " 元" } @else { "—" } }),
        ("公示期至", html! { (pdate(p.until)) }),
    ];
    let main = html! {
        @if let Some(w) = &row.withdrawal {
            div.verdict.bad role="status" {
                strong { "已撤下" }
                span { "本决定" (w.ground.label()) "，已于 " (pdate(china_date(w.at))) " 撤下公示。" }
            }
            h2 { "撤下理由" }
            p.reason { (w.reason) }
            p.verify { "撤下记录已记入可验证日志：记录序号 " (w.seq) "。"
                a href={ "/api/v1/public/records/" (w.seq) "/proof" } { "核验证明" } }
        } @else if row.expired_seq.is_some() {
            div.verdict.bad role="status" {
                strong { "公示期满" }
                span { "本决定的公示期已于 " (pdate(p.until)) " 届满，公示内容已撤下。" }
            }
        } @else {
            (html::facts(&facts))
            h2 { "决定书（已去标识化）" }
            div.decision-text {
                @for line in p.text.lines() { p { (line) } }
            }
        }
        h2 { "核验" }
        p.verify {
            "本公示已记入可验证日志：记录序号 " strong { (row.seq) } "。"
            a #verify href={ "/api/v1/public/records/" (row.seq) "/proof" } { "查看包含证明（JSON）" }
            "，并可对照 " a href="/public/log" { "可验证日志" } " 的签名检查点自行核验。"
        }
    };
    page(
        &title,
        vec![Crumb::link("执法决定公示", "/public/decisions"), Crumb::here(p.case.clone())],
        "/public/decisions",
        main,
    )
}
