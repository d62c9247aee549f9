//! Legal review over HTTP (REV-1..6): the JSON face of [`zhifa_app::reviews`] — the
//! catalogue, "does this draft need review and why", the rounds of a case with their
//! frozen materials, the review queue with overdue reviews, and reviewers' workload. The
//! review's own acts are case steps (`POST /api/v1/cases/{number}/steps` with
//! `submit_review`, `assign_reviewer`, `review_approve`, `review_return`, …), checked by
//! `zhifa_domain::case`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{self, CASE_READERS, REGISTRARS};
use zhifa_app::reviews::{self, CatalogueView, QueueEntry, RequirementInput, RoundView, SwitchInput, Workload};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::review::{Requirement, ReviewCatalogue};
use zhifa_store::Record;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryMap, call};
use crate::openapi::{Access, Api, Op, schema};

pub fn register(api: Api) -> Api {
    use Method as M;
    api.add(M::GET, "/api/v1/agencies/{code}/review-catalogue", Op::new("法制审核", "机关的重大执法决定法制审核目录清单（REV-1）：现行版本与历次版本", Access::Public).returns(schema::<CatalogueView>), get_catalogue)
        .add(M::PUT, "/api/v1/agencies/{code}/review-catalogue", Op::new("法制审核", "发布审核目录清单的新版本（REV-1）", Access::Roles(REGISTRARS)).body(schema::<ReviewCatalogue>).returns(schema::<Record>), set_catalogue)
        .add(M::PUT, "/api/v1/settings/review-every-general-penalty", Op::new("法制审核", "全省一般程序行政处罚决定均须法制审核的开关（REV-1）", Access::Roles(&[Role::SystemAdmin])).body(schema::<SwitchInput>).returns(schema::<Record>), set_switch)
        .add(M::POST, "/api/v1/cases/{number}/review-requirement", Op::new("法制审核", "拟作出的决定是否须经法制审核，以及依据哪一条（REV-1）", Access::Roles(CASE_READERS)).body(schema::<RequirementInput>).returns(schema::<Vec<Requirement>>), requirement)
        .add(M::GET, "/api/v1/cases/{number}/reviews", Op::new("法制审核", "本案每一轮法制审核：提交的草案与责任声明、冻结的材料、审核人员、逐项结论与意见、分歧处理（调阅留痕，REV-7）", Access::Roles(CASE_READERS))
            .query(&[("reason", "调阅事由（执法监督人员必填）")]).returns(schema::<Vec<RoundView>>), case_reviews)
        .add(M::GET, "/api/v1/reviews", Op::new("法制审核", "待审核队列与逾期审核（REV-6）", Access::Roles(CASE_READERS)).query(&[("agency", "机关代码"), ("overdue", "仅逾期 true")]).returns(schema::<Vec<QueueEntry>>), queue)
        .add(M::GET, "/api/v1/reviews/workload", Op::new("法制审核", "法制审核人员工作量与各机关审核人员占比（STAFF-5）", Access::Roles(&[Role::Supervisor, Role::AgencyHead])).returns(schema::<Workload>), workload)
}

/// The caller's account (the routes' access has already required one).
fn me(c: &Caller) -> ApiResult<Account> {
    Ok(access::account(c.0.as_ref())?.clone())
}

async fn get_catalogue(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<CatalogueView>> {
    let app = s.app.clone();
    call(move || reviews::catalogue(&app, &code)).await.map(Json)
}

async fn set_catalogue(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(catalogue): JsonBody<ReviewCatalogue>,
) -> ApiResult<Json<Record>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || reviews::set_catalogue(&app, &me, &code, catalogue)).await.map(Json)
}

async fn set_switch(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(i): JsonBody<SwitchInput>,
) -> ApiResult<Json<Record>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || reviews::set_every_general_penalty(&app, &me, i)).await.map(Json)
}

async fn requirement(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<RequirementInput>,
) -> ApiResult<Json<Vec<Requirement>>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || reviews::requirement(&app, &me, &number, i)).await.map(Json)
}

async fn case_reviews(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<Vec<RoundView>>> {
    let me = me(&c)?;
    let reason = q.str("reason");
    let app = s.app.clone();
    call(move || reviews::rounds(&app, &me, &number, reason)).await.map(Json)
}

async fn queue(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Vec<QueueEntry>>> {
    let me = me(&c)?;
    let agency = q.str("agency");
    let overdue = q.bool("overdue")? == Some(true);
    let app = s.app.clone();
    call(move || reviews::open_reviews(&app, &me, agency, overdue)).await.map(Json)
}

async fn workload(State(s): State<AppState>, c: Caller) -> ApiResult<Json<Workload>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || reviews::workload(&app, &me)).await.map(Json)
}
