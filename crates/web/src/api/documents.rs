//! The JSON face of [`zhifa_app::documents`] — official documents (执法文书, CASE-6,
//! REC-1, LOG-5):
//!
//! - `POST /api/v1/cases/{number}/documents` `{kind, round?}` — issues a document: rendered
//!   from the case's records, numbered, hashed, signed, stored, recorded in the log.
//! - `GET /api/v1/cases/{number}/documents` — what was issued and what may be issued now.
//! - `GET /api/v1/cases/{number}/documents/{code}.pdf?reason=` — the PDF (a view, REC-7).
//! - `GET|POST /api/v1/public/verify` — the public check by code or by the PDF's bytes.
//! - The agencies' document settings.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use zhifa_app::access::{self, CASE_READERS, HANDLERS, REGISTRARS};
use zhifa_app::documents::{self, CaseDocuments, DocumentInfo, IssueInput, MAX_UPLOAD, Verification};
use zhifa_domain::account::Account;
use zhifa_domain::codes::CreditCode;
use zhifa_domain::document::DocumentSettings;
use zhifa_store::Record;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub fn register(api: Api) -> Api {
    use Method as M;
    api.add(
        M::POST,
        "/api/v1/cases/{number}/documents",
        Op::new(
            "文书",
            "制作并签发文书（CASE-6）：按案件记录生成 PDF，编文号，计算 SHA-256 并以平台密钥签名，记入可验证日志（REC-1，LOG-5）",
            Access::Roles(HANDLERS),
        )
        .body(schema::<IssueInput>)
        .returns(schema::<DocumentInfo>),
        issue,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}/documents",
        Op::new("文书", "本案已签发的文书与现在可以签发的文书", Access::Roles(CASE_READERS))
            .returns(schema::<CaseDocuments>),
        list,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}/documents/{file}",
        Op::new("文书", "下载文书 PDF（{核验码}.pdf；记录调阅，REC-7）", Access::Roles(CASE_READERS))
            .query(&[("reason", "调阅事由（必填）")]),
        download,
    )
    .add(
        M::GET,
        "/api/v1/agencies/{code}/document-settings",
        Op::new("文书", "机关的文书设置：文号格式、复议机关、法院、缴款账户", Access::Roles(CASE_READERS))
            .returns(schema::<DocumentSettings>),
        get_settings,
    )
    .add(
        M::PUT,
        "/api/v1/agencies/{code}/document-settings",
        Op::new(
            "文书",
            "设置机关的文书设置（文号格式含 {year}、{seq}；未设置的用默认：机关简称+文书类别〔年〕序号号）",
            Access::Roles(REGISTRARS),
        )
        .body(schema::<DocumentSettings>)
        .returns(schema::<Record>),
        set_settings,
    )
    .add(
        M::GET,
        "/api/v1/public/verify",
        Op::new("文书核验", "按核验码核验文书（LOG-5）：签发机关、时间、签名与日志包含证明", Access::Public)
            .query(&[("code", "核验码"), ("sha256", "PDF 的 SHA-256（十六进制）")])
            .returns(schema::<Verification>),
        verify_json,
    )
    .add(
        M::POST,
        "/api/v1/public/verify",
        Op::new("文书核验", "上传 PDF 原文核验（请求体即文件；?code= 可选）：逐字节一致才通过", Access::Public)
            .query(&[("code", "核验码（可选）")])
            .returns(schema::<Verification>),
        verify_upload_json,
    )
}

/// The caller's account (the routes' access has already required one).
fn me(c: &Caller) -> ApiResult<Account> {
    Ok(access::account(c.0.as_ref())?.clone())
}

async fn issue(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(input): JsonBody<IssueInput>,
) -> ApiResult<Json<DocumentInfo>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || documents::issue(&app, &me, &number, input)).await.map(Json)
}

async fn list(State(s): State<AppState>, c: Caller, Path(number): Path<String>) -> ApiResult<Json<CaseDocuments>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || documents::list(&app, &me, &number)).await.map(Json)
}

async fn download(
    State(s): State<AppState>,
    c: Caller,
    Path((number, file)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult<Response> {
    let reason = crate::extract::view_reason(&q)?;
    let code = file.strip_suffix(".pdf").unwrap_or(&file).to_string();
    let (app, me) = (s.app.clone(), me(&c)?);
    let pdf = call(move || documents::download(&app, &me, &number, &code, reason)).await?;
    let mut resp = Response::new(Body::from(pdf.bytes));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.pdf\"", pdf.code)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

async fn get_settings(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<DocumentSettings>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || documents::settings(&app, &me, &code)).await.map(Json)
}

async fn set_settings(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(settings): JsonBody<DocumentSettings>,
) -> ApiResult<Json<Record>> {
    let agency = CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || documents::set_settings(&app, &me, agency, settings)).await.map(Json)
}

async fn verify_json(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Verification>> {
    let app = s.app.clone();
    call(move || documents::verify(&app, q.str("code").as_deref(), None, q.str("sha256").as_deref())).await.map(Json)
}

async fn verify_upload_json(
    State(s): State<AppState>,
    q: QueryMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Verification>> {
    if body.len() > MAX_UPLOAD {
        return Err(bad("file", "文件过大（最大 32 MB）"));
    }
    let app = s.app.clone();
    call(move || documents::verify(&app, q.str("code").as_deref(), Some(&body[..]), None)).await.map(Json)
}
