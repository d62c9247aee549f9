//! `/api/v1` import and export of the registries (XLSX workbook or one table as CSV). The
//! use cases are `zhifa_app::import`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use zhifa_app::access::{REGISTRARS, account};
use zhifa_app::import::{self, ImportResult};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{QueryMap, call};
use crate::openapi::{Access, Api, Op, schema};

pub(super) fn register(api: Api) -> Api {
    use Method as M;
    let registrars = Access::Roles(REGISTRARS);
    api.add(M::POST, "/api/v1/import", Op::new("导入导出", "导入 CSV（?sheet=officers 等）或 XLSX 工作簿；有任何错误则整体拒绝并列出每个错误行", registrars)
            .query(&[("format", "csv 或 xlsx"), ("sheet", "CSV 对应的工作表：agencies, officers, training, certificates, reviewers, items, basis, benchmarks, circumstances, inspection_list")])
            .body_media(&["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]).returns(schema::<ImportResult>), import)
        .add(M::GET, "/api/v1/export", Op::new("导入导出", "导出登记数据（XLSX 工作簿，或某一表的 CSV）", registrars)
            .query(&[("format", "xlsx（默认）或 csv"), ("sheet", "csv 时必填")]).returns_media("application/octet-stream"), export)
}

async fn import(State(s): State<AppState>, c: Caller, q: QueryMap, body: Bytes) -> ApiResult<Json<ImportResult>> {
    let app = s.app.clone();
    let (format, sheet) = (q.str("format"), q.str("sheet"));
    call(move || import::import(&app, account(c.0.as_ref())?, format.as_deref(), sheet.as_deref(), &body))
        .await
        .map(Json)
}

async fn export(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Response> {
    let app = s.app.clone();
    let (format, sheet) = (q.str("format"), q.str("sheet"));
    let file = call(move || import::export(&app, account(c.0.as_ref())?, format.as_deref(), sheet.as_deref())).await?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.filename)),
        ],
        file.bytes,
    )
        .into_response())
}
