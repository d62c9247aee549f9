//! `/api/v1/cases`: opening a case (CASE-1), recording its steps (REC-1) through the case
//! engine, heads' approvals, the running time limits (CASE-2), the procedure definitions
//! (PROC-1) and the case settings. The rules live in `zhifa_domain::case` and run inside
//! the store's write transaction; handlers only translate.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{Approval, ApprovalRecord, CaseFile, CaseSettings, Party, Step, StepRecord};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::penalty::CaseNumberRule;
use zhifa_domain::procedure::{ActionOption, Engine, LimitStatus, ProcedureDefinition};
use zhifa_store::{AppendError, CaseFilter, CaseRow, EvidenceRow, Page, Record, Store};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryMap, bad, blocking};
use crate::openapi::{Access, Api, Op, schema};

/// Who handles cases.
const HANDLERS: &[Role] = &[Role::Officer, Role::AgencyHead];
/// Who takes steps (reviewers record their opinions as steps).
const ACTORS: &[Role] = &[Role::Officer, Role::LegalReviewer, Role::AgencyHead];
/// Who may read cases: the agency's staff, and supervisors across agencies.
const READERS: &[Role] = &[Role::Officer, Role::LegalReviewer, Role::AgencyHead, Role::Supervisor];

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
            Access::Roles(&[Role::Supervisor, Role::SystemAdmin]),
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
        Op::new("案件", "案件列表（本机关；执法监督人员可看全部）", Access::Roles(READERS))
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
            Access::Roles(READERS),
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
        Op::new("案件", "机关负责人批准某一环节（或其迟录，REC-5）", Access::Roles(&[Role::AgencyHead]))
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
            Access::Roles(READERS),
        )
        .query(&[("agency", "机关代码"), ("overdue", "仅逾期 true")])
        .returns(schema::<Vec<CaseDeadline>>),
        deadlines,
    )
    .add(
        M::GET,
        "/api/v1/agencies/{code}/case-settings",
        Op::new("案件", "机关的办案设置（迟录、听证较大数额标准）", Access::Roles(READERS))
            .returns(schema::<CaseSettings>),
        get_case_settings,
    )
    .add(
        M::PUT,
        "/api/v1/agencies/{code}/case-settings",
        Op::new("案件", "设置机关的办案设置", Access::Roles(&[Role::Supervisor, Role::SystemAdmin]))
            .body(schema::<CaseSettings>)
            .returns(schema::<Record>),
        set_case_settings,
    )
    .add(
        M::GET,
        "/api/v1/settings/case-number-rule",
        Op::new("案件", "案件编号规则（CASE-1）", Access::Roles(READERS)).returns(schema::<CaseNumberRule>),
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

#[derive(Serialize, JsonSchema)]
pub struct ProcedureSummary {
    /// The agency that adapted it; `None` for the shipped definitions.
    pub agency: Option<String>,
    pub extends: Option<String>,
    pub code: String,
    pub version: u32,
    pub name: String,
    pub kind: String,
    pub description: String,
}

fn summary(agency: Option<String>, d: &ProcedureDefinition) -> ProcedureSummary {
    ProcedureSummary {
        agency,
        extends: d.extends.as_ref().map(ToString::to_string),
        code: d.code.clone(),
        version: d.version,
        name: d.name.clone(),
        kind: d.kind.as_str().into(),
        description: d.description.clone(),
    }
}

async fn list_procedures(State(s): State<AppState>) -> ApiResult<Json<Vec<ProcedureSummary>>> {
    let store = s.store.clone();
    blocking(move || {
        let mut out: Vec<ProcedureSummary> = store.definitions().iter().map(|d| summary(None, d)).collect();
        out.extend(store.adapted_definitions()?.into_iter().map(|(a, d)| summary(Some(a), &d)));
        Ok(Json(out))
    })
    .await
}

async fn get_procedure(
    State(s): State<AppState>,
    Path(code): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<ProcedureDefinition>> {
    let version = q.i64("version")?;
    let store = s.store.clone();
    blocking(move || {
        let mut all: Vec<ProcedureDefinition> = store.definitions().to_vec();
        all.extend(store.adapted_definitions()?.into_iter().map(|(_, d)| d));
        all.into_iter()
            .filter(|d| d.code == code && version.is_none_or(|v| i64::from(d.version) == v))
            .max_by_key(|d| d.version)
            .map(Json)
            .ok_or_else(|| ApiError::NotFound(format!("程序定义 {code} ")))
    })
    .await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdaptInput {
    /// A file name for error messages, e.g. `zd-general-penalty.toml`.
    pub file: String,
    /// The TOML text; it must `extends` a shipped definition (see the format in PROC-1 docs).
    pub source: String,
}

async fn adapt_procedure(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(i): JsonBody<AdaptInput>,
) -> ApiResult<Json<Record>> {
    let agency = CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || {
        store
            .append(&actor, Event::ProcedureAdapted { agency, file: i.file, source: i.source })
            .map(Json)
            .map_err(refused)
    })
    .await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// The power item code (ITEM-1).
    pub item: String,
    /// A procedure kind (e.g. `simple_penalty` for a penalty item); default the item's. The
    /// case runs under the agency's current definition of that kind.
    #[serde(default)]
    pub procedure: Option<String>,
    pub party: Party,
    /// 案由.
    pub summary: String,
    #[serde(default)]
    pub flags: Vec<String>,
}

fn account(c: &Caller) -> ApiResult<&Account> {
    c.0.as_ref().ok_or(ApiError::Unauthenticated)
}

fn agency_of(a: &Account) -> ApiResult<CreditCode> {
    a.agency.clone().ok_or_else(|| ApiError::Forbidden(format!("账号 {} 不属于任何执法机关，不能办理案件", a.login)))
}

/// Refusals of a case record: every violation, not only the first.
fn refused(e: AppendError) -> ApiError {
    match e {
        AppendError::RefusedMany(v) if v.len() > 1 => ApiError::Rules(v.into_iter().map(|(_, v)| v).collect()),
        e => e.into(),
    }
}

async fn open_case(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(input): JsonBody<OpenInput>,
) -> ApiResult<Json<Record>> {
    let me = account(&c)?.clone();
    let store = s.store.clone();
    blocking(move || open(&store, &me, input).map(Json)).await
}

/// Opens a case for `me` (the JSON API and the staff screens).
pub(crate) fn open(store: &Store, me: &Account, input: OpenInput) -> ApiResult<Record> {
    let agency_code = agency_of(me)?;
    let actor = zhifa_store::Actor(format!("account:{}", me.login));
    let agency = store.agency(agency_code.as_str())?.ok_or_else(|| ApiError::NotFound("所在机关".into()))?;
    let today = zhifa_domain::procedure::china_date(store.now());
    let Some(item) = store.item_on(&input.item, today)? else {
        if store.item_versions(&input.item)?.is_empty() {
            return Err(ApiError::NotFound(format!("事项 {} ", input.item)));
        }
        return Err(ApiError::Rule(Violation::new("ITEM-3", format!("事项 {} 在 {today} 不在清单内", input.item))));
    };
    // PROC-1: the agency's current definition of the kind (its adaptation, or the shipped one).
    let kind = match &input.procedure {
        Some(code) => zhifa_domain::item::ProcedureKind::parse(code)
            .ok_or_else(|| bad("procedure", format!("没有「{code}」这类程序")))?,
        None => item.procedure,
    };
    let def = store.definition_for(&agency.code, kind)?;
    // CASE-1: the next number in the scope; a concurrent opening that took it makes the
    // check refuse, and we take the next one.
    for _ in 0..8 {
        let number = store.next_case_number(&agency.region, item.kind).map_err(refused)?;
        let case = CaseFile {
            number: number.clone(),
            agency: agency.code.clone(),
            item: item.code.clone(),
            item_version: item.version,
            procedure: def.id(),
            party: input.party.clone(),
            summary: input.summary.clone(),
            opened_by: me.login.clone(),
            flags: input.flags.clone(),
        };
        match store.append(&actor, Event::CaseOpened { case }) {
            Ok(r) => return Ok(r),
            Err(AppendError::Refused(v))
                if v.rule == "CASE-1" && store.next_case_number(&agency.region, item.kind).ok() != Some(number) =>
            {
                continue;
            }
            Err(e) => return Err(refused(e)),
        }
    }
    Err(ApiError::Conflict("CASE-1", "同时登记的案件过多，请重试".into()))
}

/// May this account read this case? Its own agency (or the agency it acts for), or a
/// supervisor.
pub(crate) fn may_read(store: &Store, a: &Account, case: &CaseFile) -> ApiResult<()> {
    if a.has(Role::Supervisor) {
        return Ok(());
    }
    if let Some(own) = &a.agency {
        if own == &case.agency {
            return Ok(());
        }
        if store.agency(own.as_str())?.is_some_and(|ag| ag.acts_in_name_of() == &case.agency) {
            return Ok(());
        }
    }
    Err(ApiError::Forbidden("本案不属于您所在的机关，无权查看（SEC-2）".into()))
}

async fn list_cases(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Page<CaseRow>>> {
    let me = account(&c)?.clone();
    let f =
        CaseFilter { open: q.bool("open")?, party_id: q.str("party"), agency: q.str("agency"), ..Default::default() };
    let mine = q.bool("mine")? == Some(true);
    let p = q.paging()?;
    let store = s.store.clone();
    blocking(move || list(&store, &me, f, mine, p).map(Json)).await
}

/// The cases `me` may list: own agency's (supervisors: any); `mine`: those `me` took part in.
pub(crate) fn list(
    store: &Store,
    me: &Account,
    mut f: CaseFilter,
    mine: bool,
    p: zhifa_store::Paging,
) -> ApiResult<Page<CaseRow>> {
    if !me.has(Role::Supervisor) {
        let own = agency_of(me)?.as_str().to_string();
        if f.agency.as_ref().is_some_and(|a| a != &own) {
            return Err(ApiError::Forbidden("只能查看本机关的案件（SEC-2）".into()));
        }
        f.agency = Some(own);
    }
    if mine {
        f.officer = me.staff_no.clone();
    }
    Ok(store.cases(&f, p)?)
}

/// A step as shown: the record, its label, and how long after the act it was recorded.
#[derive(Serialize, JsonSchema)]
pub struct StepView {
    #[serde(flatten)]
    pub record: StepRecord,
    pub label: String,
    /// Seconds between the act (as the officer states it) and the record (REC-5).
    pub gap_seconds: Option<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct CaseDetail {
    pub case: CaseFile,
    pub procedure_name: String,
    pub stage: String,
    pub stage_label: String,
    pub terminal: bool,
    pub steps: Vec<StepView>,
    pub approvals: Vec<ApprovalRecord>,
    pub evidence: Vec<EvidenceRow>,
    /// For the caller's roles: what can be done now, and why the rest cannot.
    pub next_actions: Vec<ActionOption>,
    pub deadlines: Vec<LimitStatus>,
}

fn load_detail(store: &Store, case: CaseFile, roles: &[Role]) -> ApiResult<CaseDetail> {
    let number = case.number.as_str();
    let def = store
        .definition(&case.procedure)?
        .ok_or_else(|| ApiError::Internal(format!("definition {} missing", case.procedure)))?;
    let def = &def;
    let steps = store.case_steps(number)?;
    let calendar = store.calendar()?;
    let engine = Engine::new(def, &calendar);
    let history = zhifa_domain::case::engine_history(&case, &steps);
    let now = store.now();
    let state = engine.state(&history).map_err(|v| ApiError::Internal(v.message))?;
    Ok(CaseDetail {
        procedure_name: def.name.clone(),
        stage_label: def.stage_label(&state.stage).to_string(),
        stage: state.stage.clone(),
        terminal: state.terminal,
        next_actions: engine.next_actions(&history, roles, now),
        deadlines: engine.deadlines(&history, now),
        steps: steps
            .into_iter()
            .map(|r| StepView {
                label: def.action_label(&r.step.action).to_string(),
                gap_seconds: r.step.occurred_at.map(|t| (r.at - t).get_seconds()),
                record: r,
            })
            .collect(),
        approvals: store.case_approvals(number)?,
        evidence: store.case_evidence(number)?,
        case,
    })
}

async fn get_case(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<CaseDetail>> {
    let me = account(&c)?.clone();
    let reason = q.str("reason");
    let store = s.store.clone();
    blocking(move || view(&store, &me, &number, reason).map(Json)).await
}

/// A case's full view for `me`; the view is recorded first (REC-7). Staff of the case's
/// agency view it to work on it; others (supervisors) must say why.
pub(crate) fn view(store: &Store, me: &Account, number: &str, reason: Option<String>) -> ApiResult<CaseDetail> {
    let case = record_view(store, me, number, reason, "案件全貌")?;
    load_detail(store, case, &me.roles)
}

/// REC-7: checks that `me` may read the case and records the consultation (who, what,
/// why) before anything of it is shown. Staff of the case's agency read it to work on
/// it; others (supervisors) must say why.
pub(crate) fn record_view(
    store: &Store,
    me: &Account,
    number: &str,
    reason: Option<String>,
    what: &str,
) -> ApiResult<CaseFile> {
    let reason = match reason.filter(|r| r.trim().chars().count() >= 2) {
        Some(r) => r,
        None if me.has(Role::Supervisor) && me.agency.is_none() => {
            return Err(ApiError::BadRequest(
                Violation::new("REC-7", "调阅案件须说明事由（参数 reason）").at("reason"),
            ));
        }
        None => "办理本案".to_string(),
    };
    let row = store.case_row(number)?.ok_or_else(|| ApiError::NotFound(format!("案件 {number} ")))?;
    let case = store.case(number)?.ok_or_else(|| ApiError::NotFound(format!("案件 {number} ")))?;
    may_read(store, me, &case)?;
    let actor = zhifa_store::Actor(format!("account:{}", me.login));
    let of = format!("case/{number}");
    store.append(&actor, Event::RecordViewed { seq: row.seq, of, what: what.into(), reason })?;
    Ok(case)
}

async fn record_step(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<Step>,
) -> ApiResult<Json<Record>> {
    let me = account(&c)?.clone();
    let store = s.store.clone();
    blocking(move || record(&store, &me, &number, i).map(Json)).await
}

/// Records a step of a case by `me` through the case engine. Who records it and the review
/// outcome are the platform's, whatever the client sent.
pub(crate) fn record(store: &Store, me: &Account, number: &str, mut step: Step) -> ApiResult<Record> {
    step.by = me.login.clone();
    step.review = None;
    if store.case(number)?.is_none() {
        return Err(ApiError::NotFound(format!("案件 {number} ")));
    }
    let actor = zhifa_store::Actor(format!("account:{}", me.login));
    store.append(&actor, Event::CaseStepRecorded { case: number.to_string(), step: Box::new(step) }).map_err(refused)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    pub action: String,
    #[serde(default)]
    pub note: String,
}

async fn approve(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<ApprovalInput>,
) -> ApiResult<Json<Record>> {
    let me = account(&c)?.clone();
    let store = s.store.clone();
    blocking(move || approve_as(&store, &me, &number, i).map(Json)).await
}

/// An agency head's approval of the next act of a kind.
pub(crate) fn approve_as(store: &Store, me: &Account, number: &str, i: ApprovalInput) -> ApiResult<Record> {
    if store.case(number)?.is_none() {
        return Err(ApiError::NotFound(format!("案件 {number} ")));
    }
    let actor = zhifa_store::Actor(format!("account:{}", me.login));
    let approval = Approval { action: i.action, by: me.login.clone(), note: i.note };
    store.append(&actor, Event::CaseApproved { case: number.to_string(), approval }).map_err(refused)
}

/// A running time limit of an open case.
#[derive(Serialize, JsonSchema, Clone)]
pub struct CaseDeadline {
    pub case: String,
    pub agency: String,
    pub party_name: String,
    pub stage: String,
    #[serde(flatten)]
    pub limit: LimitStatus,
}

async fn deadlines(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Vec<CaseDeadline>>> {
    let me = account(&c)?.clone();
    let agency = q.str("agency");
    let only_overdue = q.bool("overdue")? == Some(true);
    let store = s.store.clone();
    blocking(move || running_limits(&store, &me, agency, only_overdue).map(Json)).await
}

/// Every running time limit of the open cases `me` may see (own agency; supervisors: all,
/// or `agency`), soonest first.
pub(crate) fn running_limits(
    store: &Store,
    me: &Account,
    agency: Option<String>,
    only_overdue: bool,
) -> ApiResult<Vec<CaseDeadline>> {
    let agency = match (me.has(Role::Supervisor), agency) {
        (true, a) => a,
        (false, _) => Some(agency_of(me)?.as_str().to_string()),
    };
    let calendar = store.calendar()?;
    let now = store.now();
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let f = CaseFilter { agency: agency.clone(), open: Some(true), ..Default::default() };
        let page = store.cases(&f, zhifa_store::Paging { offset, limit: 500 })?;
        for row in &page.items {
            let Some(case) = store.case(&row.number)? else { continue };
            let Some(def) = store.definition(&case.procedure)? else { continue };
            let def = &def;
            let steps = store.case_steps(&row.number)?;
            let history = zhifa_domain::case::engine_history(&case, &steps);
            for limit in Engine::new(def, &calendar).deadlines(&history, now) {
                if only_overdue && !limit.overdue {
                    continue;
                }
                out.push(CaseDeadline {
                    case: row.number.clone(),
                    agency: row.agency.clone(),
                    party_name: row.party_name.clone(),
                    stage: def.stage_label(&row.stage).to_string(),
                    limit,
                });
            }
        }
        offset += page.items.len() as i64;
        if page.items.is_empty() || offset >= page.total {
            break;
        }
    }
    out.sort_by(|a, b| a.limit.due.cmp(&b.limit.due).then_with(|| a.case.cmp(&b.case)));
    Ok(out)
}

async fn get_case_settings(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<CaseSettings>> {
    let store = s.store.clone();
    blocking(move || {
        store.agency(&code)?.ok_or_else(|| ApiError::NotFound(format!("执法主体 {code} ")))?;
        Ok(Json(store.case_settings(&code)?))
    })
    .await
}

async fn set_case_settings(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(settings): JsonBody<CaseSettings>,
) -> ApiResult<Json<Record>> {
    let agency = CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || Ok(Json(store.append(&actor, Event::CaseSettingsSet { agency, settings })?))).await
}

async fn get_number_rule(State(s): State<AppState>) -> ApiResult<Json<CaseNumberRule>> {
    let store = s.store.clone();
    blocking(move || Ok(Json(store.case_number_rule()?))).await
}

async fn set_number_rule(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(rule): JsonBody<CaseNumberRule>,
) -> ApiResult<Json<Record>> {
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || Ok(Json(store.append(&actor, Event::CaseNumberRuleSet { rule })?))).await
}
