//! The public portal (行政执法公示平台), server-rendered in Simplified Chinese under
//! `/public`: before enforcement (PUB-1, PUB-2: agencies, officers, items with basis,
//! benchmarks and history, the random-inspection list, flowcharts), during enforcement
//! (PUB-3: certificate check and QR codes) and the transparency log's page (LOG-2, LOG-3).
//!
//! Every page is public, reads only published data, and shows an officer's public fields
//! only (STAFF-1). Pages whose data has no JSON twin under `/api/v1` get one under
//! `/api/v1/public/…` ([`api`]), registered in the OpenAPI route table.
//!
//! The decisions (PUB-4, [`decisions`]) and the complaints (CMP-1, [`complaints`]) have
//! their own routers, merged into [`router`].

mod complaints;
pub mod decisions;
mod items;
mod log;
mod registry;
mod verify;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use zhifa_domain::codes::RegionCode;
use zhifa_domain::regions;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, call};
use crate::html::{self, Chrome, Crumb, Pager};
use crate::openapi::Api;

/// The portal's frame.
pub const CHROME: Chrome = Chrome {
    site_name: "行政执法公示平台",
    home: "/public",
    nav: &[
        ("/public", "首页"),
        ("/public/agencies", "执法主体"),
        ("/public/officers", "执法人员"),
        ("/public/certificates", "执法证查验"),
        ("/public/items", "执法事项"),
        ("/public/inspection-list", "随机抽查事项"),
        ("/public/procedures", "执法流程"),
        ("/public/decisions", "决定公示"),
        ("/public/complaints", "投诉举报"),
        ("/public/log", "可验证日志"),
        ("/public/verify", "文书核验"),
    ],
    footer: "本平台公示行政执法主体、人员、事项、流程与执法证状态（行政执法公示制度）。数据随登记变化即时更新。",
};

/// Rows per page on list pages.
const PER_PAGE: i64 = 20;

/// The portal's routes (HTML), the assets, and `/` → `/public`: with the decisions and
/// the complaints.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/public") }))
        .route("/public", get(home))
        .route("/public/", get(|| async { Redirect::permanent("/public") }))
        .route("/public/agencies", get(registry::agencies))
        .route("/public/agencies/{code}", get(registry::agency))
        .route("/public/officers", get(registry::officers))
        .route("/public/officers/{staff_no}", get(registry::officer))
        .route("/public/certificates", get(registry::certificate_lookup))
        .route("/public/certificates/{number}", get(registry::certificate))
        .route("/public/certificates/{number}/qr.svg", get(registry::certificate_qr))
        .route("/public/items", get(items::items))
        .route("/public/items/{code}", get(items::item))
        .route("/public/item-changes", get(items::item_changes))
        .route("/public/inspection-list", get(items::inspection_list))
        .route("/public/procedures", get(items::procedures))
        .route("/public/procedures/{code}", get(items::procedure))
        .route("/public/log", get(log::page_route))
        .route(
            "/public/verify",
            get(verify::get_page)
                .post(verify::post_page)
                .layer(axum::extract::DefaultBodyLimit::max(zhifa_app::documents::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/public/{*rest}", get(|| async { PageError::NotFound("该页面".into()) }))
        .merge(html::assets_router())
        .merge(decisions::router())
        .merge(complaints::router())
}

/// The JSON twins of pages that have none elsewhere (PUB-9: published data is open data).
pub fn api(api: Api) -> Api {
    use crate::openapi::{Access, Op, schema};
    use axum::http::Method as M;
    let public = Access::Public;
    api.add(
        M::GET,
        "/api/v1/public/procedures",
        Op::new("执法流程", "已发布的执法流程定义（PROC-1，PUB-2）", public)
            .returns(schema::<Vec<items::ProcedureSummary>>),
        items::procedures_json,
    )
    .add(
        M::GET,
        "/api/v1/public/procedures/{code}",
        Op::new("执法流程", "执法流程定义全文：环节、动作、前置条件与时限（PROC-1）", public)
            .returns(schema::<zhifa_domain::procedure::ProcedureDefinition>),
        items::procedure_json,
    )
    .add(
        M::GET,
        "/api/v1/public/log",
        Op::new("可验证日志", "日志的最新签名检查点摘要与公钥（LOG-2）", public)
            .returns(schema::<zhifa_app::log::LogStatus>),
        log::status_json,
    )
}

// ---------------------------------------------------------------------------------------
// errors

/// A page's failure, rendered as a Chinese HTML page (never JSON, never a bare 500 text).
#[derive(Debug)]
pub enum PageError {
    NotFound(String),
    BadRequest(String),
    Internal(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound(what) => html::error_page(
                &CHROME,
                StatusCode::NOT_FOUND,
                "未找到",
                &format!("{what}不存在。请核对后重试，或从首页查找。"),
            ),
            PageError::BadRequest(why) => {
                html::error_page(&CHROME, StatusCode::BAD_REQUEST, "请求有误", &format!("{why}。"))
            }
            PageError::Internal(cause) => {
                tracing::error!(%cause, "portal page failed");
                html::error_page(
                    &CHROME,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务暂不可用",
                    "服务器内部错误，已记录日志。请稍后再试。",
                )
            }
        }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(what) => PageError::NotFound(what),
            ApiError::BadRequest(v) | ApiError::Rule(v) => PageError::BadRequest(v.message),
            other => PageError::Internal(format!("{other:?}")),
        }
    }
}

impl From<zhifa_store::StoreError> for PageError {
    fn from(e: zhifa_store::StoreError) -> Self {
        PageError::Internal(e.to_string())
    }
}

pub type PageResult = Result<Response, PageError>;

// ---------------------------------------------------------------------------------------
// helpers shared by the pages

/// A portal page; `crumbs` follow "首页" (none at all on the home page itself).
fn page(title: &str, crumbs: Vec<Crumb>, current: &str, main: Markup) -> PageResult {
    let mut all = Vec::new();
    if !crumbs.is_empty() {
        all.push(Crumb::link("首页", "/public"));
        all.extend(crumbs);
    }
    Ok(html::respond(StatusCode::OK, html::document(&CHROME, title, &all, current, main)))
}

/// The 1-based page number from `?page=`.
fn pager(q: &QueryMap) -> Result<Pager, PageError> {
    let page = q.i64("page")?.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(PageError::BadRequest("页码须为正整数".into()));
    }
    Ok(Pager::new(page, PER_PAGE))
}

fn paging(p: Pager) -> zhifa_store::Paging {
    zhifa_store::Paging { offset: p.offset(), limit: p.per_page }
}

fn region_name(code: &RegionCode) -> String {
    regions::full_name(code).unwrap_or_else(|| code.to_string())
}

fn date(d: jiff::civil::Date) -> String {
    d.strftime("%Y年%m月%d日").to_string()
}

/// The absolute base URL of the platform: the configured `public_url`, or else the
/// request's own host.
fn base_url(s: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &s.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

// ---------------------------------------------------------------------------------------
// home

async fn home(axum::extract::State(s): axum::extract::State<AppState>) -> PageResult {
    let app = s.app.clone();
    let zhifa_app::registry::portal::PortalCounts { agencies, officers, items, inspections } =
        call(move || zhifa_app::registry::portal::counts(&app)).await?;
    let procedures = zhifa_domain::procedure::shipped().len();
    let tiles: [(&str, &str, String); 9] = [
        ("/public/agencies", "执法主体", format!("{agencies} 个行政执法主体及受委托组织：名称、区划、执法领域")),
        ("/public/officers", "执法人员", format!("{officers} 名人员的执法证号、执法类别、执法区域与有效期")),
        ("/public/certificates", "执法证查验", "输入证号或扫描执法证上的二维码，查验执法证当前是否有效".into()),
        ("/public/items", "执法事项清单", format!("{items} 项执法事项的设定依据（条、款、项）与裁量基准")),
        ("/public/item-changes", "清单调整记录", "事项的新增、变更、取消、下放、合并，按生效时间公开".into()),
        (
            "/public/inspection-list",
            "随机抽查事项清单",
            format!("{inspections} 项随机抽查事项：对象、内容、比例、频次"),
        ),
        ("/public/procedures", "执法流程图", format!("{procedures} 类执法程序的流程图，由流程定义自动生成")),
        ("/public/log", "可验证日志", "全部执法记录的默克尔日志：签名检查点、公钥与核验方法".into()),
        ("/api/openapi.json", "开放数据接口", "以上公示数据均可通过 JSON 接口获取（OpenAPI 文档）".into()),
    ];
    let main = html! {
        p.lead {
            "本平台依照行政执法公示制度，向社会公开行政执法主体、执法人员、执法事项及其依据、裁量基准、随机抽查事项和执法流程，"
            "并提供执法证在线查验。平台的全部执法记录写入可公开核验的日志，任何人都可以核对记录未被篡改。"
        }
        h2 { "事前公开" }
        ul.tiles {
            @for (href, title, text) in &tiles[..7] {
                @if *href != "/public/certificates" {
                    li { a href=(href) { strong { (title) } span { (text) } } }
                }
            }
        }
        h2 { "事中公示" }
        ul.tiles {
            li { a href=(tiles[2].0) { strong { (tiles[2].1) } span { (tiles[2].2) } } }
        }
        h2 { "核验与开放数据" }
        ul.tiles {
            @for (href, title, text) in &tiles[7..] {
                li { a href=(href) { strong { (title) } span { (text) } } }
            }
        }
    };
    page("行政执法公示", Vec::new(), "/public", main)
}
