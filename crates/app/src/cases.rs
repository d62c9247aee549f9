//! Cases: opening one (CASE-1), recording its steps (REC-1) through the case engine,
//! heads' approvals, what a case shows with every view recorded (REC-7), the running time
//! limits (CASE-2), the procedure definitions (PROC-1) and the case settings. The rules
//! live in `zhifa_domain::case` and run inside the store's write transaction; these
//! functions check who asks and translate.
//!
//! The command and result types are the JSON API's schemas: a doc comment on one of them
//! is its description in the OpenAPI document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{Approval, ApprovalRecord, CaseFile, CaseSettings, Party, Step, StepRecord};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::penalty::CaseNumberRule;
use zhifa_domain::procedure::{ActionOption, Condition, Engine, LimitStatus, ProcedureDefinition};
use zhifa_store::{AppendError, CaseFilter, CaseRow, EvidenceRow, Page, Paging, Record, Store};

use crate::App;
use crate::access::{self, ACTORS, CASE_READERS, HANDLERS, HEADS, REGISTRARS};
use crate::accounts::actor;
use crate::error::{Error, Result, bad, refused};

// ---------------------------------------------------------------------------------------
// procedures (PROC-1)

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

/// PROC-1: every procedure definition, the shipped ones and the agencies' adaptations.
pub fn procedures(app: &App) -> Result<Vec<ProcedureSummary>> {
    let store = &app.store;
    let mut out: Vec<ProcedureSummary> = store.definitions().iter().map(|d| summary(None, d)).collect();
    out.extend(store.adapted_definitions()?.into_iter().map(|(a, d)| summary(Some(a), &d)));
    Ok(out)
}

/// PROC-1: the definition `code`, its latest version or `version`.
pub fn procedure(app: &App, code: &str, version: Option<i64>) -> Result<ProcedureDefinition> {
    let store = &app.store;
    let mut all: Vec<ProcedureDefinition> = store.definitions().to_vec();
    all.extend(store.adapted_definitions()?.into_iter().map(|(_, d)| d));
    all.into_iter()
        .filter(|d| d.code == code && version.is_none_or(|v| i64::from(d.version) == v))
        .max_by_key(|d| d.version)
        .ok_or_else(|| Error::NotFound(format!("程序定义 {code} ")))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdaptInput {
    /// A file name for error messages, e.g. `zd-general-penalty.toml`.
    pub file: String,
    /// The TOML text; it must `extends` a shipped definition (see the format in PROC-1 docs).
    pub source: String,
}

/// PROC-1: `agency` adapts a shipped definition; cases opened from now on run under it.
pub fn adapt_procedure(app: &App, me: &Account, agency: CreditCode, input: AdaptInput) -> Result<Record> {
    access::require(me, REGISTRARS)?;
    let event = Event::ProcedureAdapted { agency, file: input.file, source: input.source };
    app.store.append(&actor(me), event).map_err(refused)
}

// ---------------------------------------------------------------------------------------
// opening a case (CASE-1)

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

/// Opens a case in `me`'s agency, numbered by the platform (CASE-1), on an item in the
/// list today (ITEM-3), under the agency's current definition of the procedure (PROC-1).
pub fn open(app: &App, me: &Account, input: OpenInput) -> Result<Record> {
    access::require(me, HANDLERS)?;
    let store = &app.store;
    let agency_code = access::own_agency(me)?;
    let actor = actor(me);
    let agency = store.agency(agency_code.as_str())?.ok_or_else(|| Error::NotFound("所在机关".into()))?;
    let today = app.today();
    let Some(item) = store.item_on(&input.item, today)? else {
        if store.item_versions(&input.item)?.is_empty() {
            return Err(Error::NotFound(format!("事项 {} ", input.item)));
        }
        return Err(Error::Rule(Violation::new("ITEM-3", format!("事项 {} 在 {today} 不在清单内", input.item))));
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
    Err(Error::Conflict("CASE-1", "同时登记的案件过多，请重试".into()))
}

// ---------------------------------------------------------------------------------------
// reading cases (SEC-2, REC-7)

/// SEC-2: the cases `me` may list: own agency's (supervisors: any); `mine`: those `me`
/// took part in.
pub fn list(app: &App, me: &Account, mut f: CaseFilter, mine: bool, p: Paging) -> Result<Page<CaseRow>> {
    access::require(me, CASE_READERS)?;
    if !me.has(Role::Supervisor) {
        let own = access::own_agency(me)?.as_str().to_string();
        if f.agency.as_ref().is_some_and(|a| a != &own) {
            return Err(Error::Forbidden("只能查看本机关的案件（SEC-2）".into()));
        }
        f.agency = Some(own);
    }
    if mine {
        f.officer = me.staff_no.clone();
    }
    Ok(app.store.cases(&f, p)?)
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

fn load_detail(store: &Store, case: CaseFile, roles: &[Role]) -> Result<CaseDetail> {
    let number = case.number.as_str();
    let def = store
        .definition(&case.procedure)?
        .ok_or_else(|| Error::Internal(format!("definition {} missing", case.procedure)))?;
    let def = &def;
    let steps = store.case_steps(number)?;
    let calendar = store.calendar()?;
    let engine = Engine::new(def, &calendar);
    let history = zhifa_domain::case::engine_history(&case, &steps);
    let now = store.now();
    let state = engine.state(&history).map_err(|v| Error::Internal(v.message))?;
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

/// A case's full view for `me`; the view is recorded first (REC-7). Staff of the case's
/// agency view it to work on it; others (supervisors) must say why.
pub fn view(app: &App, me: &Account, number: &str, reason: Option<String>) -> Result<CaseDetail> {
    access::require(me, CASE_READERS)?;
    let case = record_view(app, me, number, reason, "案件全貌")?;
    load_detail(&app.store, case, &me.roles)
}

/// REC-7: checks that `me` may read the case (SEC-2) and records the consultation (who,
/// what, why) before anything of it is shown. Staff of the case's agency read it to work
/// on it; others (supervisors) must say why.
pub fn record_view(app: &App, me: &Account, number: &str, reason: Option<String>, what: &str) -> Result<CaseFile> {
    let store = &app.store;
    let reason = match reason.filter(|r| r.trim().chars().count() >= 2) {
        Some(r) => r,
        None if me.has(Role::Supervisor) && me.agency.is_none() => {
            return Err(Error::Invalid(Violation::new("REC-7", "调阅案件须说明事由（参数 reason）").at("reason")));
        }
        None => "办理本案".to_string(),
    };
    let row = store.case_row(number)?.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))?;
    let case = store.case(number)?.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))?;
    access::may_read_case(store, me, &case.agency)?;
    let of = format!("case/{number}");
    store.append(&actor(me), Event::RecordViewed { seq: row.seq, of, what: what.into(), reason })?;
    Ok(case)
}

// ---------------------------------------------------------------------------------------
// steps and approvals (REC-1, REC-5)

/// REC-1: records a step of a case by `me` through the case engine; every rule the step
/// breaks is answered. Who records it and the review outcome are the platform's, whatever
/// the client sent.
pub fn record(app: &App, me: &Account, number: &str, mut step: Step) -> Result<Record> {
    access::require(me, ACTORS)?;
    step.by = me.login.clone();
    step.review = None;
    if app.store.case(number)?.is_none() {
        return Err(Error::NotFound(format!("案件 {number} ")));
    }
    let event = Event::CaseStepRecorded { case: number.to_string(), step: Box::new(step) };
    app.store.append(&actor(me), event).map_err(refused)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    pub action: String,
    #[serde(default)]
    pub note: String,
}

/// An agency head's approval of the next act of a kind (or of its late entry, REC-5).
pub fn approve(app: &App, me: &Account, number: &str, i: ApprovalInput) -> Result<Record> {
    access::require(me, HEADS)?;
    if app.store.case(number)?.is_none() {
        return Err(Error::NotFound(format!("案件 {number} ")));
    }
    let approval = Approval { action: i.action, by: me.login.clone(), note: i.note };
    app.store.append(&actor(me), Event::CaseApproved { case: number.to_string(), approval }).map_err(refused)
}

// ---------------------------------------------------------------------------------------
// running time limits (CASE-2, CAL-1)

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

/// CASE-2: every running time limit of the open cases `me` may see (own agency;
/// supervisors: all, or `agency`), soonest first; `only_overdue`: the overdue ones.
pub fn running_limits(
    app: &App,
    me: &Account,
    agency: Option<String>,
    only_overdue: bool,
) -> Result<Vec<CaseDeadline>> {
    access::require(me, CASE_READERS)?;
    let store = &app.store;
    let agency = match (me.has(Role::Supervisor), agency) {
        (true, a) => a,
        (false, _) => Some(access::own_agency(me)?.as_str().to_string()),
    };
    let calendar = store.calendar()?;
    let now = store.now();
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let f = CaseFilter { agency: agency.clone(), open: Some(true), ..Default::default() };
        let page = store.cases(&f, Paging { offset, limit: 500 })?;
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

/// An act of an open case that waits for the agency head's approval.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AwaitingApproval {
    pub number: String,
    pub party_name: String,
    /// The stage the case is in (its label).
    pub stage: String,
    /// The act awaiting approval (its label).
    pub action: String,
}

/// PROC-1: the head's approvals queue — for every open case `me` may read, each act its
/// procedure allows from the current stage that needs the agency head's approval and has
/// none recorded yet.
pub fn awaiting_approval(app: &App, me: &Account) -> Result<Vec<AwaitingApproval>> {
    access::require(me, HEADS)?;
    let mut out = Vec::new();
    let calendar = app.store.calendar()?;
    let f = CaseFilter { open: Some(true), ..Default::default() };
    for row in list(app, me, f, false, Paging { offset: 0, limit: 500 })?.items {
        let Some(case) = app.store.case(&row.number)? else { continue };
        let Some(def) = zhifa_domain::procedure::find(app.store.definitions(), &case.procedure) else { continue };
        let steps = app.store.case_steps(&row.number)?;
        let approvals = app.store.case_approvals(&row.number)?;
        let history = zhifa_domain::case::engine_history(&case, &steps);
        let Ok(state) = Engine::new(def, &calendar).state(&history) else { continue };
        for a in def.actions.iter().filter(|a| a.from.contains(&state.stage)) {
            let needs = a.requires.iter().any(|r| r.any_of.contains(&Condition::Approval(Role::AgencyHead)));
            if needs && zhifa_domain::case::pending_approvals(&steps, &approvals, &a.code).is_empty() {
                out.push(AwaitingApproval {
                    number: row.number.clone(),
                    party_name: row.party_name.clone(),
                    stage: def.stage_label(&state.stage).to_string(),
                    action: a.label.clone(),
                });
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// settings

/// An agency's case settings (late entry, REC-5; the hearing thresholds, CASE-4).
pub fn case_settings(app: &App, me: &Account, agency: &str) -> Result<CaseSettings> {
    access::require(me, CASE_READERS)?;
    app.store.agency(agency)?.ok_or_else(|| Error::NotFound(format!("执法主体 {agency} ")))?;
    Ok(app.store.case_settings(agency)?)
}

/// Sets an agency's case settings.
pub fn set_case_settings(app: &App, me: &Account, agency: CreditCode, settings: CaseSettings) -> Result<Record> {
    access::require(me, REGISTRARS)?;
    Ok(app.store.append(&actor(me), Event::CaseSettingsSet { agency, settings })?)
}

/// CASE-1: the province's case number rule.
pub fn number_rule(app: &App, me: &Account) -> Result<CaseNumberRule> {
    access::require(me, CASE_READERS)?;
    Ok(app.store.case_number_rule()?)
}

/// CASE-1: sets the province's case number rule (system administrators).
pub fn set_number_rule(app: &App, me: &Account, rule: CaseNumberRule) -> Result<Record> {
    access::require(me, &[Role::SystemAdmin])?;
    Ok(app.store.append(&actor(me), Event::CaseNumberRuleSet { rule })?)
}
