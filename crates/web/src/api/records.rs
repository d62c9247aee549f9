//! `/api/v1` records: by subject (REC-8), one with its salt and commitment or its receipt
//! for a stated reason (REC-7), and the audit search (SEC-4). The use cases are
//! `zhifa_app::records`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{AUDITORS, SUPERVISION, account};
use zhifa_app::records::{self, AuditQuery};
use zhifa_store::log::RecordLeaf;
use zhifa_store::{Page, Record};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub(super) fn register(api: Api) -> Api {
    use Method as M;
    api.add(
        M::GET,
        "/api/v1/records/{seq}",
        Op::new(
            "记录",
            "调阅一条记录及其盐值与日志承诺（须说明事由；调阅本身被记录，REC-7）",
            Access::Roles(SUPERVISION),
        )
        .query(&[("reason", "调阅事由（必填）")])
        .returns(schema::<RecordLeaf>),
        get_record,
    )
    .add(
        M::GET,
        "/api/v1/records/{seq}/receipt",
        Op::new("记录", "下载记录的收据（C2SP tlog-proof；须说明事由，REC-7）", Access::Roles(SUPERVISION))
            .query(&[("reason", "调阅事由（必填）")])
            .returns_media("text/plain"),
        crate::log::receipt,
    )
    .add(
        M::GET,
        "/api/v1/audit",
        Op::new("审计", "审计检索：全部记录，含登录尝试与调阅（SEC-4）", Access::Roles(AUDITORS))
            .query(&[
                ("actor", "操作者，如 account:jdsj"),
                ("kind", "记录类型，如 login_failed"),
                ("subject", "主体前缀，如 account/"),
                ("from", "起始日期（含）"),
                ("to", "截止日期（含）"),
                ("offset", "跳过条数"),
                ("limit", "每页条数（1–500）"),
            ])
            .returns(schema::<Page<Record>>),
        audit,
    )
    .add(
        M::GET,
        "/api/v1/records",
        Op::new("记录", "记录（按主体查询，REC-8）", Access::Roles(SUPERVISION))
            .query(&[("subject", "主体，如 officer/A001"), ("after", "从该序号之后"), ("limit", "条数（1–500）")])
            .returns(schema::<Vec<Record>>),
        list_records,
    )
}

async fn list_records(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Vec<Record>>> {
    let subject = q.str("subject");
    let after = q.i64("after")?.unwrap_or(-1);
    let limit = q.i64("limit")?.unwrap_or(100);
    let app = s.app.clone();
    call(move || records::records(&app, account(c.0.as_ref())?, subject.as_deref(), after, limit)).await.map(Json)
}

async fn get_record(
    State(s): State<AppState>,
    c: Caller,
    Path(seq): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<RecordLeaf>> {
    let seq: i64 = seq.parse().map_err(|_| bad("seq", format!("「{seq}」不是记录序号")))?;
    let reason = q.str("reason");
    let app = s.app.clone();
    call(move || records::record(&app, account(c.0.as_ref())?, seq, reason)).await.map(Json)
}

async fn audit(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Page<Record>>> {
    let query = AuditQuery {
        actor: q.str("actor"),
        kind: q.str("kind"),
        subject: q.str("subject"),
        from: q.date("from")?,
        to: q.date("to")?,
    };
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || records::audit(&app, account(c.0.as_ref())?, query, p)).await.map(Json)
}
