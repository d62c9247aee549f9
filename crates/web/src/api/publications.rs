//! The publication pipeline's JSON faces (PUB-4..7, PUB-9, LOG-5); the use cases are
//! `zhifa_app::publications`:
//!
//! - staff API: `GET /api/v1/publications?state=due|overdue|published|withdrawn|expired`
//!   and `POST /api/v1/publications/{id}/withdraw` (heads, supervisors);
//! - the agencies' publication policies (PUB-4, PUB-6);
//! - open data (PUB-9): `GET /api/v1/public/decisions` (双公示 fields), bulk
//!   `decisions.csv` / `decisions.jsonl`, streamed;
//! - LOG-5: `GET /api/v1/public/records/{seq}/proof`, the inclusion proof of a
//!   publication record against the latest signed checkpoint — for publication records
//!   only; every other record stays private (LOG-4).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use zhifa_app::access;
use zhifa_app::publications::{self, DateRange, OpenPage, PublicProof, PublicationList, WithdrawBody, WithdrawResult};
use zhifa_domain::account::Role;
use zhifa_domain::publication::{OPEN_FIELDS, OpenRecord, PublicationPolicy};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub fn register(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    api.add(
        M::GET,
        "/api/v1/publications",
        Op::new(
            "公示",
            "决定公示的到期、逾期、已公示、已撤下、已届满清单（PUB-4，PUB-6，SUP-1）",
            Access::Roles(access::CASE_READERS),
        )
        .query(&[
            ("state", "due（待公示）| overdue（逾期未公示）| published | withdrawn | expired"),
            ("agency", "执法主体统一社会信用代码（监督人员可指定）"),
        ])
        .returns(schema::<PublicationList>),
        list,
    )
    .add(
        M::POST,
        "/api/v1/publications/{id}/withdraw",
        Op::new("公示", "撤下已公示的决定并公开理由（PUB-6）", Access::Roles(access::OVERSIGHT))
            .body(schema::<WithdrawBody>)
            .returns(schema::<WithdrawResult>),
        withdraw,
    )
    .add(
        M::GET,
        "/api/v1/agencies/{code}/publication-policy",
        Op::new("公示", "执法主体的公示时限与公示期（PUB-4，PUB-6）", public).returns(schema::<PublicationPolicy>),
        get_policy,
    )
    .add(
        M::PUT,
        "/api/v1/agencies/{code}/publication-policy",
        Op::new("公示", "设置执法主体的公示时限与公示期（PUB-4，PUB-6）", Access::Roles(&[Role::SystemAdmin]))
            .body(schema::<PublicationPolicy>)
            .returns(schema::<PublicationPolicy>),
        set_policy,
    )
    .add(
        M::GET,
        "/api/v1/public/decisions",
        Op::new("开放数据", "已公示的行政处罚等决定，双公示字段（PUB-9）", public)
            .query(&[
                ("from", "决定日期起（含），2026-01-01"),
                ("to", "决定日期止（含）"),
                ("offset", "跳过条数"),
                ("limit", "每页条数（1–500）"),
            ])
            .returns(schema::<OpenPage>),
        open_json,
    )
    .add(
        M::GET,
        "/api/v1/public/decisions.csv",
        Op::new("开放数据", "按日期范围批量导出（CSV，UTF-8 带 BOM，双公示字段，PUB-9）", public)
            .query(&[("from", "决定日期起（含）"), ("to", "决定日期止（含）")])
            .returns_media("text/csv"),
        open_csv,
    )
    .add(
        M::GET,
        "/api/v1/public/decisions.jsonl",
        Op::new("开放数据", "按日期范围批量导出（JSON Lines，双公示字段，PUB-9）", public)
            .query(&[("from", "决定日期起（含）"), ("to", "决定日期止（含）")])
            .returns_media("application/jsonl"),
        open_jsonl,
    )
    .add(
        M::GET,
        "/api/v1/public/records/{seq}/proof",
        Op::new("可验证日志", "公示记录的包含证明：记录、盐值、叶子与最新签名检查点（LOG-3，LOG-5）", public)
            .returns(schema::<PublicProof>),
        proof,
    )
}

// ---------------------------------------------------------------------------------------
// staff API

async fn list(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<PublicationList>> {
    let me = c.0.clone().ok_or(ApiError::Unauthenticated)?;
    let asked = q.str("agency");
    let state = q.str("state").unwrap_or_else(|| "due".into());
    let paging = q.paging()?;
    let app = s.app.clone();
    call(move || publications::publication_list(&app, &me, state, asked, paging)).await.map(Json)
}

async fn withdraw(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<WithdrawBody>,
) -> ApiResult<Json<WithdrawResult>> {
    let me = c.0.clone().ok_or(ApiError::Unauthenticated)?;
    let app = s.app.clone();
    call(move || publications::withdraw(&app, &me, &id, b)).await.map(Json)
}

async fn get_policy(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<PublicationPolicy>> {
    let app = s.app.clone();
    call(move || publications::policy(&app, &code)).await.map(Json)
}

async fn set_policy(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(policy): JsonBody<PublicationPolicy>,
) -> ApiResult<Json<PublicationPolicy>> {
    let me = c.0.clone().ok_or(ApiError::Unauthenticated)?;
    let app = s.app.clone();
    call(move || publications::set_policy(&app, &me, &code, policy)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// open data (PUB-9)

fn date_range(q: &QueryMap) -> ApiResult<DateRange> {
    Ok(DateRange::new(q.date("from")?, q.date("to")?)?)
}

async fn open_json(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<OpenPage>> {
    let range = date_range(&q)?;
    let paging = q.paging()?;
    let app = s.app.clone();
    call(move || publications::open_page(&app, range, paging)).await.map(Json)
}

/// A CSV cell: always quoted; a leading `= + - @` is defused (spreadsheet formula injection).
fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) { format!("'{v}") } else { v.to_string() };
    format!("\"{}\"", v.replace('"', "\"\""))
}

fn csv_line(values: &[&str]) -> String {
    let mut s = values.iter().map(|v| csv_cell(v)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

/// Streams the export of the range (`zhifa_app::publications::export`), a chunk per page,
/// as lines made by `line`.
fn stream_export(
    s: &AppState,
    range: DateRange,
    head: Option<String>,
    line: fn(&OpenRecord) -> String,
    content_type: &'static str,
    file: &'static str,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(h) = head
            && tx.blocking_send(Ok(h.into_bytes())).is_err()
        {
            return;
        }
        let sent = publications::export(&app, range, |rows| {
            let chunk: String = rows.iter().map(line).collect();
            tx.blocking_send(Ok(chunk.into_bytes())).is_ok()
        });
        if let Err(e) = sent {
            tracing::error!(error = %e, "export failed");
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static(file)),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn open_csv(State(s): State<AppState>, q: QueryMap) -> ApiResult<Response> {
    let range = date_range(&q)?;
    // UTF-8 with BOM, so spreadsheet programs read the Chinese correctly.
    let head = format!("\u{feff}{}", csv_line(&OPEN_FIELDS));
    Ok(stream_export(
        &s,
        range,
        Some(head),
        |r| csv_line(&r.values()),
        "text/csv; charset=utf-8",
        "attachment; filename=\"decisions.csv\"",
    ))
}

async fn open_jsonl(State(s): State<AppState>, q: QueryMap) -> ApiResult<Response> {
    let range = date_range(&q)?;
    Ok(stream_export(
        &s,
        range,
        None,
        |r| {
            let mut l = serde_json::to_string(r).unwrap_or_default();
            l.push('\n');
            l
        },
        "application/jsonl; charset=utf-8",
        "attachment; filename=\"decisions.jsonl\"",
    ))
}

// ---------------------------------------------------------------------------------------
// LOG-5: public proofs of publication records

async fn proof(State(s): State<AppState>, Path(seq): Path<String>) -> ApiResult<Json<PublicProof>> {
    let seq: i64 = seq.parse().map_err(|_| bad("seq", format!("「{seq}」不是记录序号")))?;
    let app = s.app.clone();
    call(move || publications::proof(&app, seq)).await.map(Json)
}
