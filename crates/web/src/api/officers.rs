//! `/api/v1` officers and their certificates: the officers as shown (STAFF-1), training
//! and exams (STAFF-3), eligibility (STAFF-2..4), and the certificates, checked by anyone
//! (PUB-3). The use cases are `zhifa_app::registry`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{REGISTRARS, STAFF, account};
use zhifa_app::registry::{
    self, CertificateView, CheckInput, DateInput, ExamInput, OfficerView, RevokeInput, SuspendInput, TrainingInput,
};
use zhifa_domain::eligibility::Eligibility;
use zhifa_domain::registry::{Certificate, Officer};
use zhifa_store::{OfficerFilter, Page, Record};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub(super) fn register(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    let registrars = Access::Roles(REGISTRARS);
    api.add(
        M::GET,
        "/api/v1/officers",
        Op::new("执法人员", "执法人员列表（匿名访问只含公开字段，STAFF-1）", public)
            .query(&[
                ("agency", "执法主体统一社会信用代码"),
                ("q", "姓名关键字或人员编号"),
                ("offset", "跳过条数"),
                ("limit", "每页条数（1–500）"),
            ])
            .returns(schema::<Page<OfficerView>>),
        list_officers,
    )
    .add(
        M::POST,
        "/api/v1/officers",
        Op::new("执法人员", "登记人员", registrars).body(schema::<Officer>).returns(schema::<Record>),
        create_officer,
    )
    .add(
        M::GET,
        "/api/v1/officers/{staff_no}",
        Op::new("执法人员", "人员详情", public).returns(schema::<OfficerView>),
        get_officer,
    )
    .add(
        M::PUT,
        "/api/v1/officers/{staff_no}",
        Op::new("执法人员", "变更人员信息", registrars).body(schema::<Officer>).returns(schema::<Record>),
        update_officer,
    )
    .add(
        M::POST,
        "/api/v1/officers/{staff_no}/training",
        Op::new("执法人员", "记录培训学时（STAFF-3）", registrars)
            .body(schema::<TrainingInput>)
            .returns(schema::<Record>),
        record_training,
    )
    .add(
        M::POST,
        "/api/v1/officers/{staff_no}/exams",
        Op::new("执法人员", "记录资格考试（STAFF-3）", registrars).body(schema::<ExamInput>).returns(schema::<Record>),
        record_exam,
    )
    .add(
        M::GET,
        "/api/v1/officers/{staff_no}/eligibility",
        Op::new("执法人员", "该人员今天能否办理某事项；不能时给出规则（STAFF-2..4）", Access::Roles(STAFF))
            .query(&[("item", "事项编码（必填）"), ("date", "日期，默认今天")])
            .returns(schema::<Eligibility>),
        eligibility,
    )
    .add(
        M::POST,
        "/api/v1/certificates",
        Op::new("执法证", "发放执法证（STAFF-2）", registrars).body(schema::<Certificate>).returns(schema::<Record>),
        issue_certificate,
    )
    .add(
        M::GET,
        "/api/v1/certificates/{number}",
        Op::new("执法证", "按证号查验执法证当前是否有效（PUB-3）", public).returns(schema::<CertificateView>),
        get_certificate,
    )
    .add(
        M::POST,
        "/api/v1/certificates/{number}/suspend",
        Op::new("执法证", "暂扣执法证", registrars).body(schema::<SuspendInput>).returns(schema::<Record>),
        suspend_certificate,
    )
    .add(
        M::POST,
        "/api/v1/certificates/{number}/reinstate",
        Op::new("执法证", "恢复执法证", registrars).body(schema::<DateInput>).returns(schema::<Record>),
        reinstate_certificate,
    )
    .add(
        M::POST,
        "/api/v1/certificates/{number}/revoke",
        Op::new("执法证", "注销执法证（退休、调离、辞退、死亡）", registrars)
            .body(schema::<RevokeInput>)
            .returns(schema::<Record>),
        revoke_certificate,
    )
    .add(
        M::POST,
        "/api/v1/certificates/{number}/check",
        Op::new("执法证", "记录年检结果（STAFF-3）", registrars).body(schema::<CheckInput>).returns(schema::<Record>),
        check_certificate,
    )
}

// ---------------------------------------------------------------------------------------
// officers

async fn list_officers(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Page<OfficerView>>> {
    let f = OfficerFilter { agency: q.str("agency"), q: q.str("q") };
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || registry::officers(&app, c.0.as_ref(), &f, p)).await.map(Json)
}

async fn get_officer(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
) -> ApiResult<Json<OfficerView>> {
    let app = s.app.clone();
    call(move || registry::officer(&app, c.0.as_ref(), &staff_no)).await.map(Json)
}

async fn create_officer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(officer): JsonBody<Officer>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::register_officer(&app, account(c.0.as_ref())?, officer)).await.map(Json)
}

async fn update_officer(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(officer): JsonBody<Officer>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::update_officer(&app, account(c.0.as_ref())?, &staff_no, officer)).await.map(Json)
}

async fn record_training(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(t): JsonBody<TrainingInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::record_training(&app, account(c.0.as_ref())?, staff_no, t)).await.map(Json)
}

async fn record_exam(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(e): JsonBody<ExamInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::record_exam(&app, account(c.0.as_ref())?, staff_no, e)).await.map(Json)
}

async fn eligibility(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<Eligibility>> {
    let item = q.str("item").ok_or_else(|| bad("item", "缺少参数 item（事项编码）"))?;
    let on = q.date("date")?;
    let app = s.app.clone();
    call(move || registry::eligibility(&app, account(c.0.as_ref())?, &staff_no, &item, on)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// certificates

async fn issue_certificate(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(certificate): JsonBody<Certificate>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::issue_certificate(&app, account(c.0.as_ref())?, certificate)).await.map(Json)
}

async fn get_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<CertificateView>> {
    let app = s.app.clone();
    call(move || registry::certificate(&app, c.0.as_ref(), &number)).await.map(Json)
}

async fn suspend_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<SuspendInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::suspend_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}

async fn reinstate_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<DateInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::reinstate_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}

async fn revoke_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<RevokeInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::revoke_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}

async fn check_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<CheckInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::check_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}
