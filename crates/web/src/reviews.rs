//! Legal review over HTTP (REV-1..6): the catalogue, "does this draft need review and
//! why", the rounds of a case with their frozen materials, the review queue with overdue
//! reviews, and reviewers' workload. The review's own acts are case steps
//! (`POST /api/v1/cases/{number}/steps` with `submit_review`, `assign_reviewer`,
//! `review_approve`, `review_return`, …), checked by `zhifa_domain::case`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::penalty::DecidedPenalty;
use zhifa_domain::registry::ReviewerRatio;
use zhifa_domain::review::{Requirement, ReviewCatalogue, Round};
use zhifa_store::{EvidenceRow, Record, Store};

use crate::AppState;
use crate::auth::Caller;
use crate::cases::{CaseDeadline, running_limits};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryMap, bad, blocking};
use crate::openapi::{Access, Api, Op, schema};

const READERS: &[Role] = &[Role::Officer, Role::LegalReviewer, Role::AgencyHead, Role::Supervisor];
const KEEPERS: &[Role] = &[Role::Supervisor, Role::SystemAdmin];

pub fn register(api: Api) -> Api {
    use Method as M;
    api.add(M::GET, "/api/v1/agencies/{code}/review-catalogue", Op::new("法制审核", "机关的重大执法决定法制审核目录清单（REV-1）：现行版本与历次版本", Access::Public).returns(schema::<CatalogueView>), get_catalogue)
        .add(M::PUT, "/api/v1/agencies/{code}/review-catalogue", Op::new("法制审核", "发布审核目录清单的新版本（REV-1）", Access::Roles(KEEPERS)).body(schema::<ReviewCatalogue>).returns(schema::<Record>), set_catalogue)
        .add(M::PUT, "/api/v1/settings/review-every-general-penalty", Op::new("法制审核", "全省一般程序行政处罚决定均须法制审核的开关（REV-1）", Access::Roles(&[Role::SystemAdmin])).body(schema::<SwitchInput>).returns(schema::<Record>), set_switch)
        .add(M::POST, "/api/v1/cases/{number}/review-requirement", Op::new("法制审核", "拟作出的决定是否须经法制审核，以及依据哪一条（REV-1）", Access::Roles(READERS)).body(schema::<RequirementInput>).returns(schema::<Vec<Requirement>>), requirement)
        .add(M::GET, "/api/v1/cases/{number}/reviews", Op::new("法制审核", "本案每一轮法制审核：提交的草案与责任声明、冻结的材料、审核人员、逐项结论与意见、分歧处理（调阅留痕，REV-7）", Access::Roles(READERS))
            .query(&[("reason", "调阅事由（执法监督人员必填）")]).returns(schema::<Vec<RoundView>>), case_reviews)
        .add(M::GET, "/api/v1/reviews", Op::new("法制审核", "待审核队列与逾期审核（REV-6）", Access::Roles(READERS)).query(&[("agency", "机关代码"), ("overdue", "仅逾期 true")]).returns(schema::<Vec<QueueEntry>>), queue)
        .add(M::GET, "/api/v1/reviews/workload", Op::new("法制审核", "法制审核人员工作量与各机关审核人员占比（STAFF-5）", Access::Roles(&[Role::Supervisor, Role::AgencyHead])).returns(schema::<Workload>), workload)
}

fn account(c: &Caller) -> ApiResult<Account> {
    c.0.clone().ok_or(ApiError::Unauthenticated)
}

#[derive(Serialize, JsonSchema)]
pub struct CatalogueView {
    pub current: Option<ReviewCatalogue>,
    pub versions: Vec<ReviewCatalogue>,
    /// The province's switch: every general-procedure penalty is reviewed.
    pub every_general_penalty: bool,
}

async fn get_catalogue(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<CatalogueView>> {
    let store = s.store.clone();
    let today = s.today();
    blocking(move || {
        store.agency(&code)?.ok_or_else(|| ApiError::NotFound(format!("执法主体 {code} ")))?;
        Ok(Json(CatalogueView {
            current: store.review_catalogue(&code, today)?,
            versions: store.review_catalogue_versions(&code)?,
            every_general_penalty: store.review_every_general_penalty()?,
        }))
    })
    .await
}

async fn set_catalogue(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(catalogue): JsonBody<ReviewCatalogue>,
) -> ApiResult<Json<Record>> {
    if catalogue.agency.as_str() != code {
        return Err(bad("agency", format!("路径中的 {code} 与请求体中的 {} 不一致", catalogue.agency)));
    }
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || Ok(Json(store.append(&actor, Event::ReviewCatalogueSet { catalogue })?))).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchInput {
    pub on: bool,
}

async fn set_switch(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(i): JsonBody<SwitchInput>,
) -> ApiResult<Json<Record>> {
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || Ok(Json(store.append(&actor, Event::ReviewEveryGeneralPenaltySet { on: i.on })?))).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementInput {
    pub penalties: Vec<DecidedPenalty>,
    #[serde(default)]
    pub flags: Vec<String>,
}

async fn requirement(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<RequirementInput>,
) -> ApiResult<Json<Vec<Requirement>>> {
    let me = account(&c)?;
    let store = s.store.clone();
    blocking(move || {
        let case = store.case(&number)?.ok_or_else(|| ApiError::NotFound(format!("案件 {number} ")))?;
        crate::cases::may_read(&store, &me, &case)?;
        let needed = store.review_requirements(&number, &i.penalties, &i.flags)?;
        Ok(Json(needed.ok_or_else(|| ApiError::NotFound(format!("案件 {number} ")))?))
    })
    .await
}

/// A round with the materials it froze: every record of the case before the submission.
#[derive(Serialize, JsonSchema)]
pub struct RoundView {
    #[serde(flatten)]
    pub round: Round,
    pub materials: Materials,
}

#[derive(Serialize, JsonSchema)]
pub struct Materials {
    /// The steps recorded before the submission (records are immutable, so this is
    /// exactly what the reviewer saw).
    pub steps: Vec<zhifa_domain::case::StepRecord>,
    pub evidence: Vec<EvidenceRow>,
}

async fn case_reviews(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<Vec<RoundView>>> {
    let me = account(&c)?;
    let reason = q.str("reason");
    let store = s.store.clone();
    blocking(move || {
        crate::cases::record_view(&store, &me, &number, reason, "法制审核材料")?;
        let steps = store.case_steps(&number)?;
        let evidence = store.case_evidence(&number)?;
        let rounds = zhifa_domain::review::rounds(&steps);
        Ok(Json(
            rounds
                .into_iter()
                .map(|r| {
                    let at = r.submitted.seq;
                    RoundView {
                        materials: Materials {
                            steps: steps.iter().filter(|s| s.seq < at).cloned().collect(),
                            evidence: evidence.iter().filter(|e| e.seq < at).cloned().collect(),
                        },
                        round: r,
                    }
                })
                .collect(),
        ))
    })
    .await
}

/// A review waiting for its opinion.
#[derive(Serialize, JsonSchema)]
pub struct QueueEntry {
    pub case: String,
    pub round: u32,
    pub reviewer: Option<String>,
    /// REV-6: the one extension has been granted.
    pub extension_granted: bool,
    #[serde(flatten)]
    pub limit: CaseDeadline,
}

pub(crate) fn open_reviews(
    store: &Store,
    me: &Account,
    agency: Option<String>,
    overdue: bool,
) -> ApiResult<Vec<QueueEntry>> {
    let mut out = Vec::new();
    for d in running_limits(store, me, agency, overdue)? {
        if d.limit.limit != "review" {
            continue;
        }
        let steps = store.case_steps(&d.case)?;
        let rounds = zhifa_domain::review::rounds(&steps);
        let Some(r) = rounds.last() else { continue };
        out.push(QueueEntry {
            case: d.case.clone(),
            round: r.n,
            reviewer: r.reviewer.clone(),
            extension_granted: r.extended,
            limit: d,
        });
    }
    Ok(out)
}

async fn queue(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Vec<QueueEntry>>> {
    let me = account(&c)?;
    let agency = q.str("agency");
    let overdue = q.bool("overdue")? == Some(true);
    let store = s.store.clone();
    blocking(move || Ok(Json(open_reviews(&store, &me, agency, overdue)?))).await
}

#[derive(Serialize, JsonSchema, Default)]
pub struct ReviewerLoad {
    pub open: u32,
    pub overdue: u32,
}

#[derive(Serialize, JsonSchema)]
pub struct Workload {
    /// Open reviews per reviewer (staff number; `unassigned` for none yet).
    pub reviewers: BTreeMap<String, ReviewerLoad>,
    pub ratios: Vec<ReviewerRatio>,
}

async fn workload(State(s): State<AppState>, c: Caller) -> ApiResult<Json<Workload>> {
    let me = account(&c)?;
    let store = s.store.clone();
    blocking(move || {
        let mut reviewers: BTreeMap<String, ReviewerLoad> = BTreeMap::new();
        for e in open_reviews(&store, &me, None, false)? {
            let load = reviewers.entry(e.reviewer.clone().unwrap_or_else(|| "unassigned".into())).or_default();
            load.open += 1;
            load.overdue += u32::from(e.limit.limit.overdue);
        }
        let own: Option<CreditCode> = if me.has(Role::Supervisor) { None } else { me.agency.clone() };
        let ratios =
            store.reviewer_ratios()?.into_iter().filter(|r| own.as_ref().is_none_or(|a| &r.agency == a)).collect();
        Ok(Json(Workload { reviewers, ratios }))
    })
    .await
}
