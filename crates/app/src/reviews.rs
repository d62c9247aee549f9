//! Legal review (REV-1..6): the catalogue, "does this draft need review and why", the
//! rounds of a case with their frozen materials, the review queue with overdue reviews,
//! and reviewers' workload. The review's own acts are case steps (`submit_review`,
//! `assign_reviewer`, `review_approve`, `review_return`, …, recorded by
//! [`crate::cases::record`]), checked by `zhifa_domain::case`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::Round;
use zhifa_domain::event::Event;
use zhifa_domain::penalty::DecidedPenalty;
use zhifa_domain::registry::ReviewerRatio;
use zhifa_domain::review::{Requirement, ReviewCatalogue};
use zhifa_store::{EvidenceRow, Record};

use crate::App;
use crate::access::{self, CASE_READERS, OVERSIGHT, REGISTRARS};
use crate::accounts::actor;
use crate::cases::{CaseDeadline, record_view, running_limits};
use crate::error::{Error, Result, bad};

#[derive(Serialize, JsonSchema)]
pub struct CatalogueView {
    pub current: Option<ReviewCatalogue>,
    pub versions: Vec<ReviewCatalogue>,
    /// The province's switch: every general-procedure penalty is reviewed.
    pub every_general_penalty: bool,
}

/// REV-1: the review catalogue of `agency` (public).
pub fn catalogue(app: &App, agency: &str) -> Result<CatalogueView> {
    let store = &app.store;
    let today = app.today();
    store.agency(agency)?.ok_or_else(|| Error::NotFound(format!("执法主体 {agency} ")))?;
    Ok(CatalogueView {
        current: store.review_catalogue(agency, today)?,
        versions: store.review_catalogue_versions(agency)?,
        every_general_penalty: store.review_every_general_penalty()?,
    })
}

/// REV-1: publishes a new version of the review catalogue of `agency`.
pub fn set_catalogue(app: &App, me: &Account, agency: &str, catalogue: ReviewCatalogue) -> Result<Record> {
    access::require(me, REGISTRARS)?;
    if catalogue.agency.as_str() != agency {
        return Err(bad("agency", format!("路径中的 {agency} 与请求体中的 {} 不一致", catalogue.agency)));
    }
    Ok(app.store.append(&actor(me), Event::ReviewCatalogueSet { catalogue })?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchInput {
    pub on: bool,
}

/// REV-1: turns the province's "every general-procedure penalty is reviewed" on or off.
pub fn set_every_general_penalty(app: &App, me: &Account, input: SwitchInput) -> Result<Record> {
    access::require(me, &[Role::SystemAdmin])?;
    Ok(app.store.append(&actor(me), Event::ReviewEveryGeneralPenaltySet { on: input.on })?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementInput {
    pub penalties: Vec<DecidedPenalty>,
    #[serde(default)]
    pub flags: Vec<String>,
}

/// REV-1: whether the decision drafted in the case needs legal review, and by which rule.
pub fn requirement(app: &App, me: &Account, number: &str, input: RequirementInput) -> Result<Vec<Requirement>> {
    access::require(me, CASE_READERS)?;
    let store = &app.store;
    let case = store.case(number)?.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))?;
    access::may_read_case(store, me, &case.agency)?;
    // SEC-5: an amount is never negative.
    for (i, p) in input.penalties.iter().enumerate() {
        if let DecidedPenalty::Fine { fen }
        | DecidedPenalty::ConfiscateIllegalGains { fen }
        | DecidedPenalty::ConfiscateProperty { fen } = p
            && *fen < 0
        {
            return Err(bad(&format!("penalties[{i}].fen"), "金额不能为负"));
        }
    }
    let needed = store.review_requirements(number, &input.penalties, &input.flags)?;
    needed.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))
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

/// Every review round of the case with its frozen materials; the consultation is recorded
/// first (REC-7).
pub fn rounds(app: &App, me: &Account, number: &str, reason: Option<String>) -> Result<Vec<RoundView>> {
    access::require(me, CASE_READERS)?;
    let store = &app.store;
    record_view(app, me, number, reason, "法制审核材料")?;
    let steps = store.case_steps(number)?;
    let evidence = store.case_evidence(number)?;
    let rounds = zhifa_domain::case::rounds(&steps);
    Ok(rounds
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
        .collect())
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

/// REV-6: the reviews waiting for their opinion in the cases `me` may see (own agency;
/// supervisors: all, or `agency`), soonest due first; `overdue`: the overdue ones.
pub fn open_reviews(app: &App, me: &Account, agency: Option<String>, overdue: bool) -> Result<Vec<QueueEntry>> {
    let mut out = Vec::new();
    for d in running_limits(app, me, agency, overdue)? {
        if d.limit.limit != "review" {
            continue;
        }
        let steps = app.store.case_steps(&d.case)?;
        let rounds = zhifa_domain::case::rounds(&steps);
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

/// STAFF-5: the open reviews per reviewer and the agencies' reviewer ratios (heads: their
/// agency; supervisors: all).
pub fn workload(app: &App, me: &Account) -> Result<Workload> {
    access::require(me, OVERSIGHT)?;
    let mut reviewers: BTreeMap<String, ReviewerLoad> = BTreeMap::new();
    for e in open_reviews(app, me, None, false)? {
        let load = reviewers.entry(e.reviewer.clone().unwrap_or_else(|| "unassigned".into())).or_default();
        load.open += 1;
        load.overdue += u32::from(e.limit.limit.overdue);
    }
    let own = access::agency_scope(me, None)?;
    let ratios = app
        .store
        .reviewer_ratios()?
        .into_iter()
        .filter(|r| own.as_ref().is_none_or(|a| r.agency.as_str() == a))
        .collect();
    Ok(Workload { reviewers, ratios })
}
