//! The case (案件): what the generic procedure engine ([`crate::procedure::Engine`]) does not
//! know — who the people are, amounts, case numbers, evidence, and when a record arrives.
//!
//! A case is a sequence of records: [`CaseFile`] opens it (CASE-1), each [`Step`] records
//! one act of its procedure, [`Approval`]s by an agency head authorise an act before it is
//! taken (or a late entry, REC-5), and [`Evidence`] is a stored file with its REC-4
//! metadata. [`check_open`], [`check_step`], [`check_approval`] and [`check_evidence`]
//! decide whether a record may be written; they read the store through [`CaseView`], over
//! the transaction the record will be written in, with `now` the server's commit time.
//!
//! The rules added on top of the definition:
//! - STAFF-2, STAFF-4: every officer named on a step is checked with
//!   [`crate::eligibility::may_act`] for the case's item on the day — at every step, not
//!   only at filing; only they count toward the definition's `officers = N`; the acting
//!   officer must be among them.
//! - REC-3, REC-4: a step's audio/video is evidence of the case whose media type is audio
//!   or video, carrying its REC-4 metadata.
//! - CASE-3: the decided penalty is never heavier than the one notified.
//! - CASE-4: the hearing right (APL Art. 63) from the notified penalties and the agency's
//!   thresholds; the hearing is chaired by someone who did not investigate.
//! - APL Art. 51: the simple procedure only within its caps.
//! - REC-5: a record claiming an act before the decision, arriving after it, is refused, or
//!   accepted as late — with reason and a head's approval — where the agency allows it.
//! - REC-6: evidence is deleted only after its retention class allows, and the deletion is
//!   itself a record.

mod rounds;
pub use rounds::{Round, rounds};

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::account::{Account, Role};
use crate::calendar::Calendar;
use crate::codes::{CreditCode, ResidentId};
use crate::eligibility::{ActingCase, may_act};
use crate::item::{ItemKind, ItemVersion, ProcedureKind};
use crate::penalty::{CaseNumberParts, CaseNumberRule, DecidedPenalty, HearingThresholds, PartyKind};
use crate::procedure::{
    CaseEvent, CaseState, DefinitionId, Engine, Facts, ProcedureDefinition, ReviewOutcome, china_date,
};
use crate::registry::{Certificate, Qualification, QualificationPolicy};
use crate::review::{ChecklistItem, Draft, Finding, Opinion, ReviewCatalogue};
use crate::view::{Refused, RegistryView};
use crate::violation::{Violation, check_text};

/// The party (当事人).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub kind: PartyKind,
    pub name: String,
    /// A citizen's resident ID (GB 11643) or an organisation's unified social credit code
    /// (GB 32100); check digits verified.
    #[serde(default)]
    pub id_number: Option<String>,
    /// An organisation's legal representative.
    #[serde(default)]
    pub legal_rep: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl Party {
    pub fn validate(&self) -> Result<(), Violation> {
        check_text("party.name", &self.name, 100, true)?;
        if let Some(id) = &self.id_number {
            let ok = match self.kind {
                PartyKind::Person => ResidentId::parse(id).map(|_| ()),
                PartyKind::Organisation => CreditCode::parse(id).map(|_| ()),
            };
            ok.map_err(|e| Violation::new("SEC-5", format!("当事人证件号码无效：{e}")).at("party.id_number"))?;
        }
        if let Some(r) = &self.legal_rep {
            check_text("party.legal_rep", r, 40, false)?;
        }
        if let Some(a) = &self.address {
            check_text("party.address", a, 200, false)?;
        }
        if let Some(p) = &self.phone {
            check_text("party.phone", p, 40, false)?;
        }
        Ok(())
    }
}

/// The opening record of a case.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    /// CASE-1: unique, never reused; assigned by the platform.
    pub number: String,
    pub agency: CreditCode,
    /// The power item (ITEM-1) and the version in force when the case was opened.
    pub item: String,
    pub item_version: u32,
    /// PROC-1: the definition the case runs under, kept for its whole life.
    pub procedure: DefinitionId,
    pub party: Party,
    /// 案由.
    pub summary: String,
    /// The account that opened it.
    pub opened_by: String,
    /// Case flags known at opening (e.g. `random` for a random inspection).
    #[serde(default)]
    pub flags: Vec<String>,
}

/// A late entry (REC-5): why, and the head's approval recorded before it.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateEntry {
    pub reason: String,
}

/// One act of the case's procedure, as recorded.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub action: String,
    /// The account recording it (set by the platform, never by the client).
    #[serde(default)]
    pub by: String,
    /// STAFF-4: the staff numbers of the officers taking part.
    #[serde(default)]
    pub officers: Vec<String>,
    /// The record's text (笔录 content, reasons, opinions).
    #[serde(default)]
    pub text: String,
    /// When the officer says the act happened; the record's own time is the server's (REC-5).
    #[serde(default)]
    pub occurred_at: Option<Timestamp>,
    #[serde(default)]
    pub place: Option<String>,
    /// Record kinds attached (the definition's `records`).
    #[serde(default)]
    pub records: Vec<String>,
    /// Document kinds issued or served (the definition's `documents`).
    #[serde(default)]
    pub documents: Vec<String>,
    /// Evidence of this case attached (ids, see [`Evidence::id`]).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// On the notice: the intended penalties; on the decision: the decided ones.
    #[serde(default)]
    pub penalties: Vec<DecidedPenalty>,
    /// On a legal review's record (set by the platform from the review steps, never by
    /// the client, REV-2).
    #[serde(default)]
    pub review: Option<ReviewOutcome>,
    /// Flags this record establishes (must be flags of the definition).
    #[serde(default)]
    pub flags: Vec<String>,
    /// On an extension: the days granted.
    #[serde(default)]
    pub days: Option<u32>,
    /// CASE-4: the staff number of the hearing's chair.
    #[serde(default)]
    pub chair: Option<String>,
    #[serde(default)]
    pub late: Option<LateEntry>,
    /// REV-5: on `submit_review`, the draft decision and the responsibility statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Draft>,
    /// On `assign_reviewer`: the reviewer's staff number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// REV-3: on a review opinion, a finding on every checklist item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// REV-4: on a review opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<Opinion>,
}

/// An agency head's approval of the next `action` of a case (or of a late entry of it).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub action: String,
    pub by: String,
    #[serde(default)]
    pub note: String,
}

/// REC-6 retention classes.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    /// AV not used as evidence: at least 6 months.
    SixMonths,
    /// Used as evidence, obstruction, major incident, difficult case: permanent.
    Permanent,
}

impl Retention {
    pub fn label(self) -> &'static str {
        match self {
            Retention::SixMonths => "六个月",
            Retention::Permanent => "永久",
        }
    }
    /// The earliest instant deletion is allowed, for a file stored at `stored`.
    pub fn deletable_from(self, stored: Timestamp) -> Option<Timestamp> {
        match self {
            Retention::SixMonths => {
                let d = jiff::tz::offset(8).to_datetime(stored);
                let later = d.checked_add(jiff::Span::new().months(6)).ok()?;
                jiff::tz::offset(8).to_timestamp(later).ok()
            }
            Retention::Permanent => None,
        }
    }
}

/// A stored file of a case (audio/video, photos, scans) and its REC-4 metadata.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub case: String,
    /// SHA-256 (hex) of the content: the file's identity within the case.
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
    /// From the bytes (magic numbers), not the name.
    pub media_type: String,
    /// The object's key in the blob store.
    pub key: String,
    #[serde(default)]
    pub file_name: String,
    /// REC-4: capture time, place, collector (staff number), what it proves.
    pub captured_at: Timestamp,
    pub place: String,
    pub collector: String,
    pub proves: String,
    pub retention: Retention,
    pub by: String,
}

impl Evidence {
    pub fn id(&self) -> &str {
        &self.sha256
    }
    pub fn is_av(&self) -> bool {
        self.media_type.starts_with("video/") || self.media_type.starts_with("audio/")
    }
}

/// Per-agency case settings.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSettings {
    /// REC-5: whether a record for an earlier step may be entered after the decision,
    /// marked late with reason and approval.
    #[serde(default)]
    pub late_entry_allowed: bool,
    /// CASE-4: large-fine thresholds for the hearing right.
    #[serde(default)]
    pub hearing: HearingThresholds,
}

/// A recorded step with what the platform derived when it was written.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub seq: i64,
    pub at: Timestamp,
    /// The roles of the account that recorded it.
    pub roles: Vec<Role>,
    pub step: Step,
    /// Derived: audio/video attached, approvals consumed.
    pub facts: Facts,
}

impl StepRecord {
    pub fn event(&self) -> CaseEvent {
        CaseEvent {
            action: self.step.action.clone(),
            at: self.at,
            roles: self.roles.clone(),
            facts: self.facts.clone(),
        }
    }
}

/// A recorded approval.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    pub seq: i64,
    pub at: Timestamp,
    pub roles: Vec<Role>,
    pub approval: Approval,
}

/// What the case checks read, over the write transaction.
pub trait CaseView: RegistryView {
    fn case(&self, number: &str) -> Result<Option<CaseFile>, Self::Error>;
    fn steps(&self, number: &str) -> Result<Vec<StepRecord>, Self::Error>;
    fn approvals(&self, number: &str) -> Result<Vec<ApprovalRecord>, Self::Error>;
    fn evidence(&self, number: &str, sha256: &str) -> Result<Option<Evidence>, Self::Error>;
    fn certificates_of(&self, staff_no: &str) -> Result<Vec<Certificate>, Self::Error>;
    fn qualification(&self, staff_no: &str) -> Result<Qualification, Self::Error>;
    fn item_version(&self, code: &str, version: u32) -> Result<Option<ItemVersion>, Self::Error>;
    fn item_on(&self, code: &str, date: jiff::civil::Date) -> Result<Option<ItemVersion>, Self::Error>;
    fn calendar(&self) -> Result<Calendar, Self::Error>;
    fn definition(&self, id: &DefinitionId) -> Result<Option<ProcedureDefinition>, Self::Error>;
    /// The latest definition for a kind that the agency uses (its adaptation or the shipped one).
    fn definition_for(&self, agency: &CreditCode, kind: ProcedureKind) -> Result<ProcedureDefinition, Self::Error>;
    fn settings(&self, agency: &CreditCode) -> Result<CaseSettings, Self::Error>;
    fn number_rule(&self) -> Result<CaseNumberRule, Self::Error>;
    /// How many cases have been numbered in the scope (see [`number_scope`]).
    fn numbered(&self, scope: &str) -> Result<u64, Self::Error>;
    /// REV-1: the agency's review catalogue in force on `date`.
    fn catalogue(&self, agency: &CreditCode, date: jiff::civil::Date) -> Result<Option<ReviewCatalogue>, Self::Error>;
    /// REV-1: the province requires review of every general-procedure penalty.
    fn every_general_penalty(&self) -> Result<bool, Self::Error>;
    /// How many times the person has been assigned a review (REV-5: first-time reviewers).
    fn review_assignments(&self, staff_no: &str) -> Result<u64, Self::Error>;
    fn policy(&self) -> QualificationPolicy {
        QualificationPolicy::default()
    }
}

fn v<T, E>(r: Result<T, E>) -> Result<T, Refused<E>> {
    r.map_err(Refused::View)
}

fn no<E>(rule: &'static str, msg: impl Into<String>) -> Refused<E> {
    Refused::Rule(Violation::new(rule, msg))
}

/// CASE-1: a case number's parts.
pub fn number_parts(region: &crate::codes::RegionCode, kind: ItemKind, now: Timestamp, seq: u64) -> CaseNumberParts {
    CaseNumberParts { region: *region, year: china_date(now).year(), kind, org: '2', seq }
}

/// The scope a sequence counts in: the number with the sequence left out (the region, year
/// and kind, as the rule uses them).
pub fn number_scope(rule: &CaseNumberRule, parts: &CaseNumberParts) -> Result<String, Violation> {
    // Sequence 0 formats to all zeros of the right width; the scope is the rest.
    let zero = rule.format(&CaseNumberParts { seq: 0, ..parts.clone() })?;
    Ok(format!("{}|{}", rule.pattern, zero))
}

/// The account recording, and that it works for the case's agency.
fn acting_account<V: CaseView>(view: &V, login: &str, agency: &CreditCode) -> Result<Account, Refused<V::Error>> {
    let account = v(view.account(login))?.ok_or_else(|| no("SEC-2", format!("账号 {login} 不存在")))?;
    let Some(own) = &account.agency else {
        return Err(no("SEC-2", format!("账号 {login} 不属于任何执法机关，不能办理案件")));
    };
    let ok = own == agency
        || v(view.agency(own))?
            .is_some_and(|a| a.entrusted_by.as_ref() == Some(agency) || a.acts_in_name_of() == agency);
    if !ok {
        return Err(no("SEC-2", format!("账号 {login} 所在机关不是本案的办案机关，不得办理或查看本案")));
    }
    Ok(account)
}

/// CASE-1, ITEM-1: may this case be opened, with exactly this number?
pub fn check_open<V: CaseView>(case: &CaseFile, view: &V, now: Timestamp) -> Result<(), Refused<V::Error>> {
    check_text("summary", &case.summary, 500, true)?;
    case.party.validate()?;
    let agency =
        v(view.agency(&case.agency))?.ok_or_else(|| no("SUBJ-1", format!("执法主体 {} 不存在", case.agency)))?;
    let account = acting_account(view, &case.opened_by, &case.agency)?;
    if !account.has(Role::Officer) && !account.has(Role::AgencyHead) {
        return Err(no("SEC-2", "只有执法人员或机关负责人可以登记案件"));
    }
    let today = china_date(now);
    let item = v(view.item_on(&case.item, today))?
        .ok_or_else(|| no("ITEM-3", format!("事项 {} 在 {today} 不在权责清单内，不得据此办案", case.item)))?;
    if item.version != case.item_version {
        return Err(no("ITEM-3", format!("事项 {} 现行为第 {} 版", case.item, item.version)));
    }
    if item.exercising_agency() != agency.acts_in_name_of() && item.exercising_agency() != &agency.code {
        return Err(no(
            "ITEM-1",
            format!("事项 {} 不属于{}的权责清单，不得在清单之外行使职权", item.code, agency.name),
        ));
    }
    let def = v(view.definition(&case.procedure))?
        .ok_or_else(|| no("PROC-1", format!("程序定义 {} 不存在", case.procedure)))?;
    let penalty_either = item.kind == ItemKind::Penalty
        && matches!(def.kind, ProcedureKind::GeneralPenalty | ProcedureKind::SimplePenalty);
    if def.kind != item.procedure && !penalty_either {
        return Err(no(
            "PROC-1",
            format!("事项 {} 应适用「{}」类程序，不能按「{}」办理", item.code, item.procedure.label(), def.name),
        ));
    }
    for f in &case.flags {
        if !def.flags.contains_key(f) {
            return Err(no("PROC-1", format!("「{}」没有标记「{f}」", def.name)));
        }
    }
    // CASE-1: the next number in its scope, exactly.
    let rule = v(view.number_rule())?;
    let parts = number_parts(&agency.region, item.kind, now, 0);
    let scope = number_scope(&rule, &parts)?;
    let next = v(view.numbered(&scope))? + 1;
    let expected = rule.format(&CaseNumberParts { seq: next, ..parts })?;
    if case.number != expected {
        return Err(no("CASE-1", format!("案件编号应为 {expected}（由平台按编号规则分配，不可自定）")));
    }
    if v(view.case(&case.number))?.is_some() {
        return Err(no("CASE-1", format!("案件编号 {} 已被使用，编号不得重复", case.number)));
    }
    Ok(())
}

/// The approvals a step of `action` recorded now would consume: those granted after the
/// last step of the same action.
pub fn pending_approvals<'a>(
    steps: &[StepRecord],
    approvals: &'a [ApprovalRecord],
    action: &str,
) -> Vec<&'a ApprovalRecord> {
    let last = steps.iter().filter(|s| s.step.action == action).map(|s| s.seq).max().unwrap_or(-1);
    approvals.iter().filter(|a| a.approval.action == action && a.seq > last).collect()
}

/// What the platform derives for a step: audio/video attached, approvals consumed, the
/// number of officers taking part (each checked by [`check_step`]).
pub fn derive_facts<V: CaseView>(
    view: &V,
    case: &CaseFile,
    step: &Step,
    steps: &[StepRecord],
    approvals: &[ApprovalRecord],
) -> Result<Facts, V::Error> {
    let mut av = false;
    for id in &step.evidence {
        if let Some(e) = view.evidence(&case.number, id)? {
            av |= e.is_av();
        }
    }
    let mut roles = Vec::new();
    for a in pending_approvals(steps, approvals, &step.action) {
        for r in &a.roles {
            if !roles.contains(r) {
                roles.push(*r);
            }
        }
    }
    let mut flags = step.flags.clone();
    if step.penalties.iter().any(|p| matches!(p, DecidedPenalty::Fine { .. })) {
        flags.push("fine".into());
    }
    // CASE-4: the hearing right follows from the penalty the party is told of (APL Art. 63).
    let thresholds = view.settings(&case.agency)?.hearing;
    if !crate::penalty::hearing_right(case.party.kind, &step.penalties, &thresholds).is_empty() {
        flags.push("hearing_right".into());
    }
    Ok(Facts {
        av,
        officers: step.officers.len() as u32,
        records: step.records.clone(),
        documents: step.documents.clone(),
        approvals: roles,
        review: match step.action.as_str() {
            "review_approve" | "overrule_review" => Some(ReviewOutcome::Passed),
            "review_return" | "uphold_review" => Some(ReviewOutcome::NotPassed),
            _ => step.review,
        },
        flags,
        days: step.days,
    })
}

fn fen_total(ps: &[DecidedPenalty]) -> i64 {
    ps.iter()
        .map(|p| match p {
            DecidedPenalty::Fine { fen }
            | DecidedPenalty::ConfiscateIllegalGains { fen }
            | DecidedPenalty::ConfiscateProperty { fen } => *fen,
            _ => 0,
        })
        .sum()
}

/// Everything about a step that can be refused. Returns every violation found.
pub fn check_step<V: CaseView>(number: &str, step: &Step, view: &V, now: Timestamp) -> Result<(), Refused<V::Error>> {
    let case = v(view.case(number))?.ok_or_else(|| no("PROC-1", format!("案件 {number} 不存在")))?;
    let def = v(view.definition(&case.procedure))?
        .ok_or_else(|| no("PROC-1", format!("案件的程序定义 {} 不存在", case.procedure)))?;
    let account = acting_account(view, &step.by, &case.agency)?;
    let action = def
        .action(&step.action)
        .ok_or_else(|| no("PROC-1", format!("「{}」没有「{}」这一步骤", def.name, step.action)))?;
    check_text("text", &step.text, 20_000, false)?;
    if let Some(p) = &step.place {
        check_text("place", p, 200, false)?;
    }
    for f in &step.flags {
        if !def.flags.contains_key(f) {
            return Err(no("PROC-1", format!("「{}」没有标记「{f}」", def.name)));
        }
    }
    let steps = v(view.steps(number))?;
    let approvals = v(view.approvals(number))?;
    let mut out: Vec<Violation> = Vec::new();
    let today = china_date(now);

    // REC-5: the record's time is the server's; a claimed time may not be in the future.
    if let Some(at) = step.occurred_at
        && at > now + SignedDuration::from_mins(5)
    {
        out.push(
            Violation::new("REC-5", "行为发生时间晚于平台当前时间：记录时间以平台时钟为准，不能预填").at("occurred_at"),
        );
    }
    // REC-5: back-filling after the decision.
    let decision = steps.iter().find(|s| def.action(&s.step.action).is_some_and(|a| a.decision));
    let claims_before_decision =
        decision.is_some_and(|d| step.occurred_at.is_some_and(|at| at < d.at) || step.late.is_some());
    if claims_before_decision {
        let d = decision.expect("checked");
        let settings = v(view.settings(&case.agency))?;
        let Some(late) = &step.late else {
            return Err(no(
                "REC-5",
                format!(
                    "本案已于 {} 作出决定（{}），不得补录决定前环节的记录",
                    jiff::tz::offset(8).to_datetime(d.at).strftime("%Y-%m-%d %H:%M"),
                    def.action_label(&d.step.action)
                ),
            ));
        };
        if !settings.late_entry_allowed {
            return Err(no("REC-5", "本机关未允许迟录：决定作出后不得补录决定前环节的记录"));
        }
        check_text("late.reason", &late.reason, 500, true)?;
        let approved =
            pending_approvals(&steps, &approvals, &step.action).iter().any(|a| a.roles.contains(&Role::AgencyHead));
        if !approved {
            return Err(no("REC-5", format!("迟录「{}」须先经机关负责人批准", action.label)));
        }
        let state = state(&def, &case, &steps).map_err(Refused::Rule)?;
        if !action.from.iter().any(|s| state.visited.contains(s)) {
            return Err(no("REC-5", format!("本案从未经过「{}」可办理的环节，不能迟录", action.label)));
        }
        // A late entry documents an earlier act; it does not move the case.
        check_people(view, &case, &def, step, &account, today, &mut out)?;
        return finish(out);
    }

    // The procedure itself: stage, roles, preconditions, time, AV, records.
    let facts = v(derive_facts(view, &case, step, &steps, &approvals))?;
    let mut cmd = crate::procedure::Command::new(&step.action, &account.roles);
    cmd.facts = facts;
    let calendar = v(view.calendar())?;
    let engine = Engine::new(&def, &calendar);
    let hist = engine_history(&case, &steps);
    if hist.is_empty() {
        cmd.facts.flags.extend(case.flags.iter().cloned());
    }
    if let crate::procedure::Verdict::Refused { violations } = engine.check(&hist, &cmd, now) {
        out.extend(violations);
    }

    check_people(view, &case, &def, step, &account, today, &mut out)?;

    // REC-3/REC-4: evidence attached must be this case's.
    for id in &step.evidence {
        if v(view.evidence(&case.number, id))?.is_none() {
            out.push(Violation::new("REC-4", format!("证据 {id} 不属于本案或尚未上传")).at("evidence"));
        }
    }

    // CASE-3 / APL Art. 51: the penalties.
    let notified: Option<&StepRecord> = steps
        .iter()
        .rev()
        .find(|s| !s.step.penalties.is_empty() && !def.action(&s.step.action).is_some_and(|a| a.decision));
    if action.decision && !step.penalties.is_empty() {
        if def.kind == ProcedureKind::SimplePenalty
            && let Err(e) = crate::penalty::simple_procedure_allows(case.party.kind, &step.penalties)
        {
            out.push(e);
        }
        if let Some(n) = notified {
            let heavier_kind = step.penalties.iter().any(|p| {
                std::mem::discriminant(p) != std::mem::discriminant(&DecidedPenalty::Warning)
                    && !n.step.penalties.iter().any(|q| std::mem::discriminant(p) == std::mem::discriminant(q))
            });
            if fen_total(&step.penalties) > fen_total(&n.step.penalties) || heavier_kind {
                out.push(Violation::new(
                    "CASE-3",
                    "决定的处罚重于事先告知的处罚：应重新告知当事人并听取陈述申辩（《行政处罚法》第四十五条不得因申辩加重处罚）",
                ));
            }
        }
    }
    check_review(view, &case, &def, step, &account, &steps, now, &mut out)?;

    // CASE-4: the hearing's chair did not investigate.
    if step.action == "hold_hearing" {
        match &step.chair {
            None => out.push(Violation::new("CASE-4", "须写明听证主持人（chair）").at("chair")),
            Some(chair) => {
                let investigated = steps.iter().any(|s| {
                    s.step.officers.contains(chair)
                        && def.action(&s.step.action).is_some_and(|a| a.from.iter().any(|f| f == "investigation"))
                });
                if investigated {
                    out.push(
                        Violation::new("CASE-4", format!("听证主持人 {chair} 参与了本案调查，应由非本案调查人员主持"))
                            .at("chair"),
                    );
                }
            }
        }
    }
    finish(out)
}

/// REV-1: every reason a decision of `penalties` in this case needs legal review — the
/// agency's catalogue, APL Art. 58, the province's switch, the flags of the case, of the
/// current draft and `flags`, and a case marked `review_required`. The decision gate and
/// the "does this draft need review" query both ask this.
pub fn review_requirements<V: CaseView>(
    view: &V,
    case: &CaseFile,
    def: &ProcedureDefinition,
    steps: &[StepRecord],
    penalties: &[DecidedPenalty],
    flags: &[String],
    now: Timestamp,
) -> Result<Vec<crate::review::Requirement>, Refused<V::Error>> {
    let item = v(view.item_version(&case.item, case.item_version))?
        .ok_or_else(|| no("ITEM-3", format!("事项 {} 第 {} 版不存在", case.item, case.item_version)))?;
    let level = v(view.agency(&case.agency))?.map_or(crate::registry::Level::County, |a| a.level);
    let catalogue = v(view.catalogue(&case.agency, china_date(now)))?;
    let mut all_flags: Vec<String> = case.flags.clone();
    all_flags.extend(flags.iter().cloned());
    if let Some(d) = rounds(steps).last().and_then(|c| c.draft().cloned()) {
        all_flags.extend(d.flags);
    }
    let subject = crate::review::Subject {
        item: &item,
        level,
        procedure: def.kind,
        penalties,
        hearing_held: steps.iter().any(|s| s.step.action == "hold_hearing"),
        flags: &all_flags,
    };
    let mut needed = crate::review::requires(catalogue.as_ref(), v(view.every_general_penalty())?, &subject);
    if steps.iter().any(|s| s.facts.flags.iter().any(|f| f == "review_required")) {
        needed.push(crate::review::Requirement {
            rule: "FLAG".into(), label: "案件已标记须经法制审核".into()
        });
    }
    Ok(needed)
}

/// Staff numbers of everyone who took part in an investigative act of the case.
fn investigators(def: &ProcedureDefinition, steps: &[StepRecord]) -> BTreeSet<String> {
    steps
        .iter()
        .filter(|s| def.action(&s.step.action).is_some_and(|a| a.from.iter().any(|f| f == "investigation")))
        .flat_map(|s| s.step.officers.iter().cloned())
        .collect()
}

/// REV-1..6 on the steps of the review, and the decision gate (REV-2).
#[allow(clippy::too_many_arguments)]
fn check_review<V: CaseView>(
    view: &V,
    case: &CaseFile,
    def: &ProcedureDefinition,
    step: &Step,
    account: &Account,
    steps: &[StepRecord],
    now: Timestamp,
    out: &mut Vec<Violation>,
) -> Result<(), Refused<V::Error>> {
    let rounds = rounds(steps);
    let current = rounds.last();
    let me = account.staff_no.as_deref().unwrap_or_default();
    match step.action.as_str() {
        "submit_review" => match &step.draft {
            None => {
                out.push(Violation::new("REV-5", "提交法制审核须附拟作出的决定草案和承办人员的责任声明").at("draft"))
            }
            Some(d) => {
                if let Err(v) = d.validate() {
                    out.push(v);
                }
            }
        },
        "assign_reviewer" => {
            let Some(r) = &step.reviewer else {
                out.push(Violation::new("REV-5", "须指定法制审核人员（reviewer）").at("reviewer"));
                return Ok(());
            };
            if current.is_some_and(|c| c.reviewer.is_some() && c.opinion.is_none()) {
                out.push(Violation::new("REV-5", "本轮审核已指定审核人员"));
            }
            if !v(view.is_reviewer(&case.agency, r))? {
                out.push(Violation::new("STAFF-5", format!("{r} 不是本机关在任的法制审核人员")).at("reviewer"));
            }
            if investigators(def, steps).contains(r) {
                out.push(
                    Violation::new("REV-5", format!("{r} 参与了本案调查，不得审核本案（办审分离）")).at("reviewer"),
                );
            }
            let qualified = v(view.officer(r))?.is_some_and(|o| o.legal_qualification);
            if !qualified && v(view.review_assignments(r))? == 0 {
                out.push(Violation::new("STAFF-5", format!("{r} 初次从事法制审核，须取得法律职业资格")).at("reviewer"));
            }
        }
        "review_approve" | "review_return" => {
            if current.and_then(|c| c.reviewer.as_deref()) != Some(me) {
                out.push(Violation::new("REV-5", "只有本轮指定的法制审核人员可以出具审核意见"));
            }
            let covered: BTreeSet<ChecklistItem> = step.findings.iter().map(|f| f.item).collect();
            let missing: Vec<&str> =
                ChecklistItem::ALL.iter().filter(|i| !covered.contains(i)).map(|i| i.label()).collect();
            if !missing.is_empty() {
                out.push(
                    Violation::new("REV-3", format!("以下审核事项未记录审核结论：{}", missing.join("、")))
                        .at("findings"),
                );
            }
            match (step.action.as_str(), step.opinion) {
                (_, None) => out.push(Violation::new("REV-4", "须选择审核意见（opinion）").at("opinion")),
                ("review_approve", Some(o)) if o != Opinion::Approve => out.push(
                    Violation::new("REV-4", format!("「{}」的意见应退回承办机构，而不是审核通过", o.label()))
                        .at("opinion"),
                ),
                ("review_return", Some(Opinion::Approve)) => {
                    out.push(Violation::new("REV-4", "同意的意见应选择「法制审核通过」").at("opinion"))
                }
                ("review_return", Some(_)) if step.text.trim().is_empty() => {
                    out.push(Violation::new("REV-4", "退回须写明理由和修改意见").at("text"))
                }
                _ => {}
            }
            if step.action == "review_approve" && step.findings.iter().any(|f| !f.ok) {
                out.push(Violation::new("REV-4", "审核事项中有不通过的结论，不能出具同意的意见").at("findings"));
            }
        }
        _ => {}
    }
    // REV-2: the gate on the decision.
    let Some(action) = def.action(&step.action) else { return Ok(()) };
    if !action.decision || def.kind != ProcedureKind::GeneralPenalty {
        return Ok(());
    }
    let needed = review_requirements(view, case, def, steps, &step.penalties, &step.flags, now)?;
    if needed.is_empty() {
        return Ok(());
    }
    let why = needed.iter().map(|r| r.label.as_str()).collect::<Vec<_>>().join("；");
    match current {
        Some(r) if r.approved() => {
            if r.draft().is_none_or(|d| d.penalties != step.penalties) {
                out.push(Violation::new(
                    "REV-2",
                    "决定内容与法制审核通过的草案不一致：修改草案后须重新提交法制审核".to_string(),
                ));
            }
            if r.reviewer.as_deref() == Some(me) {
                out.push(Violation::new("REV-5", "审核人员不得作出本案决定（审定分离）"));
            }
        }
        Some(_) => out.push(Violation::new("REV-2", format!("本案须经法制审核（{why}），最近一轮审核未通过"))),
        None => out.push(Violation::new("REV-2", format!("本案须经法制审核（{why}），尚未提交审核"))),
    }
    if !me.is_empty() && investigators(def, steps).contains(me) {
        out.push(Violation::new("REV-5", "参与调查的人员不得作出本案决定（办定分离）"));
    }
    Ok(())
}

fn finish<E>(mut out: Vec<Violation>) -> Result<(), Refused<E>> {
    match out.len() {
        0 => Ok(()),
        1 => Err(Refused::Rule(out.remove(0))),
        _ => Err(Refused::Many(out)),
    }
}

/// STAFF-2, STAFF-4: every officer named is checked for the case's item today; the acting
/// officer must be among them when the act needs officers.
fn check_people<V: CaseView>(
    view: &V,
    case: &CaseFile,
    def: &ProcedureDefinition,
    step: &Step,
    account: &Account,
    today: jiff::civil::Date,
    out: &mut Vec<Violation>,
) -> Result<(), Refused<V::Error>> {
    let action = def.action(&step.action).expect("checked by the caller");
    let mut seen = BTreeSet::new();
    for staff_no in &step.officers {
        if !seen.insert(staff_no) {
            out.push(Violation::new("STAFF-4", format!("执法人员 {staff_no} 重复列出，不能算作两人")).at("officers"));
        }
    }
    if action.officers > 0 {
        match &account.staff_no {
            Some(me) if step.officers.contains(me) => {}
            _ => out.push(
                Violation::new("STAFF-4", "记录人须是参与本次执法的执法人员之一（officers 中应包含本人人员编号）")
                    .at("officers"),
            ),
        }
    }
    let item = v(view.item_version(&case.item, case.item_version))?
        .ok_or_else(|| no("ITEM-3", format!("事项 {} 第 {} 版不存在", case.item, case.item_version)))?;
    // The item as in force today (a cancelled item stops the case's further acts).
    let item_today = v(view.item_on(&case.item, today))?.unwrap_or(item);
    let policy = view.policy();
    for staff_no in seen {
        let Some(officer) = v(view.officer(staff_no))? else {
            out.push(Violation::new("STAFF-1", format!("执法人员 {staff_no} 未在人员库中登记")).at("officers"));
            continue;
        };
        let Some(agency) = v(view.agency(&officer.agency))? else {
            out.push(Violation::new("SUBJ-1", format!("{}所在机关未登记", officer.name)));
            continue;
        };
        let certificates = v(view.certificates_of(staff_no))?;
        let qualification = v(view.qualification(staff_no))?;
        let e = may_act(&ActingCase {
            officer: &officer,
            qualification: &qualification,
            certificates: &certificates,
            agency: &agency,
            item: &item_today,
            today,
            policy: &policy,
        });
        out.extend(e.refusals.into_iter().map(|r| r.at("officers")));
    }
    Ok(())
}

/// The engine's view of a case's history: its steps in order (late entries document
/// earlier acts and do not move the case), the flags set at opening carried by the first.
pub fn engine_history(case: &CaseFile, steps: &[StepRecord]) -> Vec<CaseEvent> {
    let mut hist: Vec<CaseEvent> = steps.iter().filter(|s| s.step.late.is_none()).map(StepRecord::event).collect();
    if let Some(first) = hist.first_mut() {
        first.facts.flags.extend(case.flags.iter().cloned());
    }
    hist
}

/// The case's position (stage, flags) under its definition.
pub fn state(def: &ProcedureDefinition, case: &CaseFile, steps: &[StepRecord]) -> Result<CaseState, Violation> {
    Engine::new(def, &Calendar::default()).state(&engine_history(case, steps))
}

/// An approval: by an agency head of the case's agency, for an action of the definition.
pub fn check_approval<V: CaseView>(number: &str, a: &Approval, view: &V) -> Result<(), Refused<V::Error>> {
    let case = v(view.case(number))?.ok_or_else(|| no("PROC-1", format!("案件 {number} 不存在")))?;
    let def = v(view.definition(&case.procedure))?
        .ok_or_else(|| no("PROC-1", format!("案件的程序定义 {} 不存在", case.procedure)))?;
    let account = acting_account(view, &a.by, &case.agency)?;
    if !account.has(Role::AgencyHead) {
        return Err(no("SEC-2", "只有机关负责人可以批准"));
    }
    if def.action(&a.action).is_none() {
        return Err(no("PROC-1", format!("「{}」没有「{}」这一步骤", def.name, a.action)));
    }
    check_text("note", &a.note, 2000, false)?;
    Ok(())
}

/// Evidence: of an open case, with its REC-4 metadata, not stored twice.
pub fn check_evidence<V: CaseView>(e: &Evidence, view: &V, now: Timestamp) -> Result<(), Refused<V::Error>> {
    let case = v(view.case(&e.case))?.ok_or_else(|| no("PROC-1", format!("案件 {} 不存在", e.case)))?;
    acting_account(view, &e.by, &case.agency)?;
    check_text("place", &e.place, 200, true).map_err(|v| Violation::new("REC-4", v.message).at("place"))?;
    check_text("proves", &e.proves, 500, true).map_err(|v| Violation::new("REC-4", v.message).at("proves"))?;
    check_text("collector", &e.collector, 40, true).map_err(|v| Violation::new("REC-4", v.message).at("collector"))?;
    if v(view.officer(&e.collector))?.is_none() {
        return Err(no("REC-4", format!("采集人 {} 未在人员库中登记", e.collector)));
    }
    if e.captured_at > now + SignedDuration::from_mins(5) {
        return Err(no("REC-4", "采集时间晚于平台当前时间"));
    }
    if v(view.evidence(&e.case, &e.sha256))?.is_some() {
        return Err(no(
            "REC-2",
            format!("同一文件（SHA-256 {}…）已作为本案证据保存", &e.sha256[..12.min(e.sha256.len())]),
        ));
    }
    Ok(())
}

/// REC-6: deletion only once the retention class allows.
pub fn check_evidence_deletion<V: CaseView>(
    case: &str,
    sha256: &str,
    stored_at: Timestamp,
    view: &V,
    now: Timestamp,
) -> Result<(), Refused<V::Error>> {
    let e = v(view.evidence(case, sha256))?.ok_or_else(|| no("REC-6", format!("证据 {sha256} 不存在")))?;
    match e.retention.deletable_from(stored_at) {
        None => Err(no("REC-6", "该音像资料按规定永久保存，不得删除")),
        Some(from) if now < from => Err(no(
            "REC-6",
            format!(
                "保存期限（{}）未满，{} 之前不得删除",
                e.retention.label(),
                jiff::tz::offset(8).to_datetime(from).strftime("%Y-%m-%d")
            ),
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_month_retention_ends_six_calendar_months_later() {
        let at: Timestamp = "2026-03-31T02:00:00Z".parse().unwrap();
        let from = Retention::SixMonths.deletable_from(at).unwrap();
        assert_eq!(china_date(from).to_string(), "2026-09-30");
        assert_eq!(Retention::Permanent.deletable_from(at), None);
    }

    #[test]
    fn scope_leaves_out_the_sequence() {
        let rule = CaseNumberRule::default();
        let region = crate::codes::RegionCode::parse("130123").unwrap();
        let now: Timestamp = "2026-05-01T02:00:00Z".parse().unwrap();
        let p = number_parts(&region, ItemKind::Penalty, now, 7);
        assert_eq!(rule.format(&p).unwrap(), "13012320260100007");
        let s1 = number_scope(&rule, &p).unwrap();
        let s2 = number_scope(&rule, &number_parts(&region, ItemKind::Inspection, now, 7)).unwrap();
        assert_ne!(s1, s2);
    }

    #[test]
    fn party_id_numbers_are_verified() {
        let mut p = Party {
            kind: PartyKind::Organisation,
            name: "正定县某某食品有限公司".into(),
            id_number: Some("91130123MA0CXXXX1X".into()),
            legal_rep: None,
            address: None,
            phone: None,
        };
        assert_eq!(p.validate().unwrap_err().rule, "SEC-5");
        p.id_number = None;
        p.validate().unwrap();
    }
}
