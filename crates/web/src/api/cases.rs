//! `/api/v1/cases`, `/api/v1/procedures`, `/api/v1/deadlines` and the case settings: the
//! JSON face of [`zhifa_app::cases`] — opening a case (CASE-1), recording its steps
//! (REC-1), heads' approvals, the running time limits (CASE-2), the procedure definitions
//! (PROC-1). Handlers parse, call one use case, answer JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{self, ACTORS, CASE_READERS, HANDLERS, HEADS, REGISTRARS};
use zhifa_app::cases::{self, AdaptInput, ApprovalInput, CaseDeadline, CaseDetail, OpenInput, ProcedureSummary};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{CaseSettings, Step};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::penalty::CaseNumberRule;
use zhifa_domain::procedure::ProcedureDefinition;
use zhifa_store::{CaseFilter, CaseRow, Page, Record};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub fn register(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    api.add(
        M::GET,
        "/api/v1/procedures",
        Op::new("程序", "程序定义列表（PROC-1）", public).returns(schema::<Vec<ProcedureSummary>>),
        list_procedures,
    )
    .add(
        M::GET,
        "/api/v1/procedures/{code}",
        Op::new("程序", "程序定义（最新版本；?version= 指定版本）", public)
            .query(&[("version", "版本号")])
            .returns(schema::<ProcedureDefinition>),
        get_procedure,
    )
    .add(
        M::POST,
        "/api/v1/agencies/{code}/procedures",
        Op::new(
            "程序",
            "机关调整平台提供的程序定义（PROC-1）：TOML 文本须 extends 一个平台定义；校验错误给出文件与行号；此后新立案件按新定义办理，已有案件仍按原定义",
            Access::Roles(REGISTRARS),
        )
        .body(schema::<AdaptInput>)
        .returns(schema::<Record>),
        adapt_procedure,
    )
    .add(
        M::POST,
        "/api/v1/cases",
        Op::new("案件", "登记案件：平台按编号规则分配案件编号（CASE-1）", Access::Roles(HANDLERS))
            .body(schema::<OpenInput>)
            .returns(schema::<Record>),
        open_case,
    )
    .add(
        M::GET,
        "/api/v1/cases",
        Op::new("案件", "案件列表（本机关；执法监督人员可看全部）", Access::Roles(CASE_READERS))
            .query(&[
                ("agency", "机关代码"),
                ("open", "仅未办结 true/false"),
                ("party", "当事人证件号码"),
                ("mine", "仅本人参与 true"),
                ("offset", "跳过条数"),
                ("limit", "每页条数"),
            ])
            .returns(schema::<Page<CaseRow>>),
        list_cases,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}",
        Op::new(
            "案件",
            "案件全貌：记录时间线、下一步可办事项及不可办的原因、期限（每次调阅均留痕，REC-7）",
            Access::Roles(CASE_READERS),
        )
        .query(&[("reason", "调阅事由（执法监督人员必填）")])
        .returns(schema::<CaseDetail>),
        get_case,
    )
    .add(
        M::POST,
        "/api/v1/cases/{number}/steps",
        Op::new(
            "案件",
            "记录一个办案环节（REC-1）；不符合程序、人员、音像、时限要求的被拒绝并说明规则",
            Access::Roles(ACTORS),
        )
        .body(schema::<Step>)
        .returns(schema::<Record>),
        record_step,
    )
    .add(
        M::POST,
        "/api/v1/cases/{number}/approvals",
        Op::new("案件", "机关负责人批准某一环节（或其迟录，REC-5）", Access::Roles(HEADS))
            .body(schema::<ApprovalInput>)
            .returns(schema::<Record>),
        approve,
    )
    .add(
        M::GET,
        "/api/v1/deadlines",
        Op::new(
            "案件",
            "全部未办结案件的在途期限（CASE-2、CAL-1）：到期日、工作日或自然日、是否暂定、是否中止、是否逾期",
            Access::Roles(CASE_READERS),
        )
        .query(&[("agency", "机关代码"), ("overdue", "仅逾期 true")])
        .returns(schema::<Vec<CaseDeadline>>),
        deadlines,
    )
    .add(
        M::GET,
        "/api/v1/agencies/{code}/case-settings",
        Op::new("案件", "机关的办案设置（迟录、听证较大数额标准）", Access::Roles(CASE_READERS))
            .returns(schema::<CaseSettings>),
        get_case_settings,
    )
    .add(
        M::PUT,
        "/api/v1/agencies/{code}/case-settings",
        Op::new("案件", "设置机关的办案设置", Access::Roles(REGISTRARS))
            .body(schema::<CaseSettings>)
            .returns(schema::<Record>),
        set_case_settings,
    )
    .add(
        M::GET,
        "/api/v1/settings/case-number-rule",
        Op::new("案件", "案件编号规则（CASE-1）", Access::Roles(CASE_READERS)).returns(schema::<CaseNumberRule>),
        get_number_rule,
    )
    .add(
        M::PUT,
        "/api/v1/settings/case-number-rule",
        Op::new("案件", "设置全省统一的案件编号规则（CASE-1）", Access::Roles(&[Role::SystemAdmin]))
            .body(schema::<CaseNumberRule>)
            .returns(schema::<Record>),
        set_number_rule,
    )
}

/// The caller's account (the routes' access has already required one).
fn me(c: &Caller) -> ApiResult<Account> {
    Ok(access::account(c.0.as_ref())?.clone())
}

async fn list_procedures(State(s): State<AppState>) -> ApiResult<Json<Vec<ProcedureSummary>>> {
    let app = s.app.clone();
    call(move || cases::procedures(&app)).await.map(Json)
}

async fn get_procedure(
    State(s): State<AppState>,
    Path(code): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<ProcedureDefinition>> {
    let version = q.i64("version")?;
    let app = s.app.clone();
    call(move || cases::procedure(&app, &code, version)).await.map(Json)
}

async fn adapt_procedure(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(i): JsonBody<AdaptInput>,
) -> ApiResult<Json<Record>> {
    let agency = CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::adapt_procedure(&app, &me, agency, i)).await.map(Json)
}

async fn open_case(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(input): JsonBody<OpenInput>,
) -> ApiResult<Json<Record>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::open(&app, &me, input)).await.map(Json)
}

async fn list_cases(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Page<CaseRow>>> {
    let me = me(&c)?;
    let f =
        CaseFilter { open: q.bool("open")?, party_id: q.str("party"), agency: q.str("agency"), ..Default::default() };
    let mine = q.bool("mine")? == Some(true);
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || cases::list(&app, &me, f, mine, p)).await.map(Json)
}

async fn get_case(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<CaseDetail>> {
    let me = me(&c)?;
    let reason = q.str("reason");
    let app = s.app.clone();
    call(move || cases::view(&app, &me, &number, reason)).await.map(Json)
}

async fn record_step(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<Step>,
) -> ApiResult<Json<Record>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::record(&app, &me, &number, i)).await.map(Json)
}

async fn approve(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<ApprovalInput>,
) -> ApiResult<Json<Record>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::approve(&app, &me, &number, i)).await.map(Json)
}

async fn deadlines(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Vec<CaseDeadline>>> {
    let me = me(&c)?;
    let agency = q.str("agency");
    let only_overdue = q.bool("overdue")? == Some(true);
    let app = s.app.clone();
    call(move || cases::running_limits(&app, &me, agency, only_overdue)).await.map(Json)
}

async fn get_case_settings(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<CaseSettings>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::case_settings(&app, &me, &code)).await.map(Json)
}

async fn set_case_settings(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(settings): JsonBody<CaseSettings>,
) -> ApiResult<Json<Record>> {
    let agency = CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::set_case_settings(&app, &me, agency, settings)).await.map(Json)
}

async fn get_number_rule(State(s): State<AppState>, c: Caller) -> ApiResult<Json<CaseNumberRule>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::number_rule(&app, &me)).await.map(Json)
}

async fn set_number_rule(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(rule): JsonBody<CaseNumberRule>,
) -> ApiResult<Json<Record>> {
    let (app, me) = (s.app.clone(), me(&c)?);
    call(move || cases::set_number_rule(&app, &me, rule)).await.map(Json)
}
