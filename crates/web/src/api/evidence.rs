//! Evidence and audio/video over HTTP, the face of [`zhifa_app::evidence`]: streamed
//! upload with its REC-4 metadata, the list, playback and download by byte range with
//! every view recorded (REC-7), deletion after the retention period (REC-6), and
//! everything of one party at once (REC-8).
//!
//! Bodies are never held whole: an upload goes from the request body through
//! [`zhifa_blob::BlobStore::put_stream`] (hashing SHA-256 and SM3 as it goes) and a download
//! from [`zhifa_blob::BlobStore::get_stream`] to the response body.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use zhifa_app::access::{self, EVIDENCE_DELETERS, HANDLERS, STAFF};
use zhifa_app::evidence::{self, DeleteInput, Deleted, PartyRecords, StoredEvidence, UploadMetadata};
use zhifa_blob::{BlobError, BlobKey};
use zhifa_domain::account::Account;
use zhifa_store::EvidenceRow;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::view_reason;
use crate::extract::{JsonBody, QueryMap, call};
use crate::openapi::{Access, Api, Op, schema};

/// The evidence routes, added to the API table.
pub fn register(api: Api) -> Api {
    use Method as M;
    api.add(
        M::POST,
        "/api/v1/cases/{number}/evidence",
        Op::new(
            "证据",
            "上传证据或音像资料（请求体为文件本身，流式保存；REC-4 信息在查询参数中）",
            Access::Roles(HANDLERS),
        )
        .query(&[
            ("captured_at", "采集时间（RFC 3339，如 2026-03-01T10:00:00+08:00，必填）"),
            ("place", "采集地点（必填）"),
            ("collector", "采集人人员编号（必填）"),
            ("proves", "证明对象（必填）"),
            ("retention", "保存期限：permanent（默认，作为证据使用）或 six_months（REC-6）"),
            ("file_name", "原文件名（仅用于显示）"),
        ])
        .body_media(&["application/octet-stream", "video/mp4", "image/jpeg", "audio/mpeg", "application/pdf"])
        .returns(schema::<StoredEvidence>),
        upload,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}/evidence",
        Op::new("证据", "本案证据清单（含已删除文件的记录；seq 为其日志序号，可取包含证明）", Access::Roles(STAFF))
            .returns(schema::<Vec<EvidenceRow>>),
        list,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}/evidence/{sha256}",
        Op::new("证据", "播放或下载证据文件（支持 Range；须说明事由，调阅本身被记录，REC-7）", Access::Roles(STAFF))
            .query(&[("reason", "调阅事由（必填）"), ("download", "true 时作为附件下载")])
            .returns_media("application/octet-stream"),
        download,
    )
    .add(
        M::DELETE,
        "/api/v1/cases/{number}/evidence/{sha256}",
        Op::new("证据", "保存期限届满后删除文件（REC-6；删除记录永久保留）", Access::Roles(EVIDENCE_DELETERS))
            .body(schema::<DeleteInput>)
            .returns(schema::<Deleted>),
        delete,
    )
    .add(
        M::GET,
        "/api/v1/parties/{id_number}/records",
        Op::new("证据", "同一当事人的全部案件、环节记录与证据（REC-8；须说明事由，REC-7）", Access::Roles(STAFF))
            .query(&[("reason", "调阅事由（必填）")])
            .returns(schema::<PartyRecords>),
        party_records,
    )
}

// ---------------------------------------------------------------------------------------
// errors

/// An API error, or a refusal of the object store (413, 415, 416, 503, … with its rule).
enum Failure {
    Api(ApiError),
    Blob(BlobError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<BlobError> for Failure {
    fn from(e: BlobError) -> Self {
        Failure::Blob(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Api(e) => e.into_response(),
            Failure::Blob(e) => blob_error(&e),
        }
    }
}

/// The store's message is "RULE: text" in Chinese; the body has the usual error shape.
fn blob_error(e: &BlobError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = e.to_string();
    if status.is_server_error() {
        tracing::error!(cause = %text, "evidence store");
    }
    let (rule, message) = text.split_once(": ").unwrap_or(("HTTP", text.as_str()));
    let mut resp = (status, Json(serde_json::json!({"error": {"rule": rule, "message": message}}))).into_response();
    if let BlobError::RangeNotSatisfiable { size } = e
        && let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}"))
    {
        resp.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    resp
}

type Result<T> = std::result::Result<T, Failure>;

/// The caller's account (the routes' access has already required one).
fn me(c: &Caller) -> ApiResult<Account> {
    Ok(access::account(c.0.as_ref())?.clone())
}

// ---------------------------------------------------------------------------------------
// upload

/// The REC-4 metadata of an upload, from the query; checked before the body is read.
fn metadata(q: &QueryMap) -> UploadMetadata {
    UploadMetadata {
        captured_at: q.str("captured_at"),
        place: q.str("place"),
        collector: q.str("collector"),
        proves: q.str("proves"),
        retention: q.str("retention"),
        file_name: q.str("file_name"),
    }
}

async fn upload(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    q: QueryMap,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<StoredEvidence>> {
    let me = me(&c)?;
    // Everything that can be refused before a byte is read: REC-4, the case, the caller's
    // agency, the collector registered, the capture time not in the future.
    let (app, m, meta) = (s.app.clone(), me.clone(), metadata(&q));
    let evidence = call(move || evidence::prepare_upload(&app, &m, &number, meta)).await?;
    if let Some(len) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) {
        s.limits.check_declared_size(len)?;
    }

    let stored = s.blobs.put_stream(body.into_data_stream(), &s.limits).await?;
    let app = s.app.clone();
    Ok(Json(call(move || evidence::store_upload(&app, &me, evidence, stored)).await?))
}

// ---------------------------------------------------------------------------------------
// list

async fn list(State(s): State<AppState>, c: Caller, Path(number): Path<String>) -> ApiResult<Json<Vec<EvidenceRow>>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || evidence::list(&app, &me, &number)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// playback and download

/// A single byte range of `Range: bytes=…` (RFC 9110 §14.1.2) over an object of `size`
/// bytes: `Ok(None)` when there is no usable range header (serve it whole: several ranges
/// or another unit are ignored, as the RFC allows); `Err` when unsatisfiable (416).
fn parse_range(value: Option<&str>, size: u64) -> std::result::Result<Option<std::ops::Range<u64>>, BlobError> {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let unsatisfiable = BlobError::RangeNotSatisfiable { size };
    let (a, b) = spec.trim().split_once('-').ok_or(BlobError::RangeNotSatisfiable { size })?;
    let num = |s: &str| s.trim().parse::<u64>().ok();
    let range = match (a.trim().is_empty(), b.trim().is_empty()) {
        // bytes=-n: the last n bytes.
        (true, false) => {
            let n = num(b).ok_or(BlobError::RangeNotSatisfiable { size })?;
            if n == 0 || size == 0 {
                return Err(unsatisfiable);
            }
            size.saturating_sub(n)..size
        }
        // bytes=a-: from a to the end.
        (false, true) => {
            let start = num(a).ok_or(BlobError::RangeNotSatisfiable { size })?;
            start..size
        }
        // bytes=a-b: inclusive; b past the end is cut to it.
        (false, false) => {
            let (start, end) = (num(a), num(b));
            let (Some(start), Some(end)) = (start, end) else { return Err(unsatisfiable) };
            if end < start {
                return Err(unsatisfiable);
            }
            start..end.saturating_add(1).min(size)
        }
        (true, true) => return Err(unsatisfiable),
    };
    if range.start >= size || range.start >= range.end {
        return Err(unsatisfiable);
    }
    Ok(Some(range))
}

/// `Content-Disposition` with the file name safe in any browser: an ASCII fallback in
/// `filename` and the exact UTF-8 name in `filename*` (RFC 6266, RFC 8187).
fn content_disposition(kind: &str, name: &str, fallback: &str) -> String {
    let name = if name.trim().is_empty() { fallback } else { name };
    let ascii: String = name
        .chars()
        .map(|ch| if ch.is_ascii_graphic() && ch != '"' && ch != '\\' || ch == ' ' { ch } else { '_' })
        .collect();
    // RFC 8187 `value-chars`: everything but its `attr-char`s is percent-encoded.
    const NOT_ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(name, NOT_ATTR_CHAR);
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

async fn download(
    State(s): State<AppState>,
    c: Caller,
    Path((number, sha256)): Path<(String, String)>,
    q: QueryMap,
    headers: HeaderMap,
) -> Result<Response> {
    let reason = view_reason(&q)?;
    let attachment = q.bool("download")?.unwrap_or(false);
    let me = me(&c)?;
    let (app, m) = (s.app.clone(), me.clone());
    let row = call(move || evidence::file(&app, &m, &number, &sha256)).await?;
    let e = &row.evidence;
    let key = BlobKey::parse(&e.key)?;
    let range = parse_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), e.size)?;

    // REC-7: the view is on the log before a byte leaves.
    let (app, r, rg) = (s.app.clone(), row.clone(), range.clone());
    call(move || evidence::record_view(&app, &me, &r, rg.as_ref(), reason)).await?;

    let stream = s.blobs.get_stream(&key, range.clone()).await?;
    let len = stream.len();
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    let media = HeaderValue::from_str(&e.media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, media);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", e.sha256)) {
        h.insert(header::ETAG, etag);
    }
    let disposition = content_disposition(if attachment { "attachment" } else { "inline" }, &e.file_name, &e.sha256);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(r) = range {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        let v = format!("bytes {}-{}/{}", r.start, r.end - 1, e.size);
        resp.headers_mut().insert(header::CONTENT_RANGE, HeaderValue::from_str(&v).expect("ascii"));
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------------------
// deletion (REC-6)

async fn delete(
    State(s): State<AppState>,
    c: Caller,
    Path((number, sha256)): Path<(String, String)>,
    JsonBody(input): JsonBody<DeleteInput>,
) -> ApiResult<Json<Deleted>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || evidence::delete(&app, &me, &number, &sha256, input)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// REC-8: a party's records at once

async fn party_records(
    State(s): State<AppState>,
    c: Caller,
    Path(id_number): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<PartyRecords>> {
    let reason = view_reason(&q)?;
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || evidence::party_records(&app, &me, id_number, reason)).await.map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = |v: &str| parse_range(Some(v), 100);
        assert_eq!(r("bytes=0-9").unwrap(), Some(0..10));
        assert_eq!(r("bytes=90-").unwrap(), Some(90..100));
        assert_eq!(r("bytes=-10").unwrap(), Some(90..100));
        assert_eq!(r("bytes=-1000").unwrap(), Some(0..100));
        assert_eq!(r("bytes=50-1000").unwrap(), Some(50..100));
        assert_eq!(r("bytes=0-0").unwrap(), Some(0..1));
        assert_eq!(r("bytes=0-1,5-6").unwrap(), None);
        assert_eq!(parse_range(None, 100).unwrap(), None);
        assert_eq!(r("items=0-1").unwrap(), None);
        for bad in ["bytes=100-", "bytes=100-200", "bytes=-0", "bytes=5-4", "bytes=x-1", "bytes=-", "bytes=7"] {
            assert!(matches!(r(bad), Err(BlobError::RangeNotSatisfiable { size: 100 })), "{bad}");
        }
    }

    #[test]
    fn disposition_names_keep_rfc8187_attr_chars() {
        let all: String = (0u8..128).map(char::from).chain("执法".chars()).collect();
        let d = content_disposition("inline", &all, "x");
        assert!(
            d.ends_with(
                "filename*=UTF-8''%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%1\
             7%18%19%1A%1B%1C%1D%1E%1F%20!%22#$%25&%27%28%29%2A+%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%\
             40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D^_`abcdefghijklmnopqrstuvwxyz%7B|%7D~%7F%E6%89%A7%E\
             6%B3%95"
            ),
            "{d}"
        );
    }

    #[test]
    fn dispositions_are_safe() {
        assert_eq!(
            content_disposition("inline", "现场 录像.mp4", "x"),
            "inline; filename=\"__ __.mp4\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E5%BD%95%E5%83%8F.mp4"
        );
        let d = content_disposition("attachment", "a\"b\\c\r\n.mp4", "x");
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(d.starts_with("attachment; filename=\"a_b_c__.mp4\""), "{d}");
        assert_eq!(content_disposition("inline", "", "abc"), "inline; filename=\"abc\"; filename*=UTF-8''abc");
    }
}
