//! The generic core of the case engine: pure functions of a definition, a case's history,
//! a proposed command, the clock and the calendar.
//!
//! [`Engine::check`] says whether a command may be recorded now (and the stage it leads
//! to) or refuses it with every [`Violation`] that stops it; [`Engine::next_actions`] lists
//! what can be done from the current stage for the staff screen; [`Engine::deadlines`]
//! lists every running time limit with its due date (CAL-1), honouring suspensions and
//! recorded extensions.
//!
//! Dates: a record's date is its time in China Standard Time (UTC+8, no daylight saving),
//! see [`china_date`]. A period "starts the day after the event" (APL Art. 85, ACL
//! Art. 69): a limit of N days started on day D is due on the N-th counted day after D,
//! and acting on the due date itself is in time. A day between a suspension and its
//! resumption (after the suspending day, up to and including the resuming day) does not
//! count; an unresumed suspension holds the clock through today.
//!
//! What this module does not know (the case engine adds it): who the people are
//! (certificates, STAFF-2; the hearing chair who did not investigate, CASE-4; REV-5
//! separation), amounts (APL Art. 51 thresholds, fines, late fees), case numbers, and the
//! server clock itself — `now` is an argument.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{Action, AvRequirement, Condition, LimitKind, ProcedureDefinition, Requirement, TimeLimit, Unit};
use crate::account::Role;
use crate::calendar::{Calendar, Deadline};
use crate::violation::Violation;

/// The date of an instant in China Standard Time (UTC+8).
pub fn china_date(at: Timestamp) -> Date {
    jiff::tz::offset(8).to_datetime(at).date()
}

/// The outcome of a legal review (REV-4 opinions other than approve are `NotPassed`).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Passed,
    NotPassed,
}

/// What a record (or a command) carries besides its action.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// REC-3: audio/video is attached.
    #[serde(default)]
    pub av: bool,
    /// STAFF-4: officers taking part (the case engine counts only valid certificates).
    #[serde(default)]
    pub officers: u32,
    /// Record kinds attached.
    #[serde(default)]
    pub records: Vec<String>,
    /// Document kinds attached (issued or served).
    #[serde(default)]
    pub documents: Vec<String>,
    /// Roles that signed an approval of this act.
    #[serde(default)]
    pub approvals: Vec<Role>,
    /// A legal review's outcome, on the record of the review.
    #[serde(default)]
    pub review: Option<ReviewOutcome>,
    /// Case flags this record establishes (e.g. `review_required` from the REV-1
    /// catalogue, `hearing_right`).
    #[serde(default)]
    pub flags: Vec<String>,
    /// On an extension: the days granted.
    #[serde(default)]
    pub days: Option<u32>,
}

/// A record of the case's history, as far as the procedure is concerned.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub action: String,
    /// The server's time of the record (REC-5).
    pub at: Timestamp,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub facts: Facts,
}

/// A proposed action; if allowed it becomes a [`CaseEvent`] at `now`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub action: String,
    /// The roles of the person acting.
    pub roles: Vec<Role>,
    #[serde(default)]
    pub facts: Facts,
}

impl Command {
    pub fn new(action: impl Into<String>, roles: &[Role]) -> Command {
        Command { action: action.into(), roles: roles.to_vec(), facts: Facts::default() }
    }
    pub fn into_event(self, at: Timestamp) -> CaseEvent {
        CaseEvent { action: self.action, at, roles: self.roles, facts: self.facts }
    }
}

/// A case's position, folded from its history.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseState {
    pub stage: String,
    pub terminal: bool,
    pub flags: BTreeSet<String>,
    pub visited: BTreeSet<String>,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The command may be recorded; the case is then in `stage`.
    Allowed {
        stage: String,
    },
    Refused {
        violations: Vec<Violation>,
    },
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allowed { .. })
    }
    pub fn violations(&self) -> &[Violation] {
        match self {
            Verdict::Allowed { .. } => &[],
            Verdict::Refused { violations } => violations,
        }
    }
}

/// One action the staff screen may offer.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionOption {
    pub action: String,
    pub label: String,
    /// The stage it leads to (`None`: stays).
    pub to: Option<String>,
    /// No refusal: the action can be taken now once the command brings what `needs` says.
    pub allowed: bool,
    /// What stops it whatever the command brings (stage, role, time, earlier steps, review).
    pub refusals: Vec<Violation>,
    /// What the command must bring: audio/video, officers, records, documents, approvals.
    pub needs: Vec<Violation>,
}

/// A running time limit.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitStatus {
    pub limit: String,
    pub label: String,
    pub rule: &'static str,
    pub basis: String,
    pub kind: LimitKind,
    pub start_action: String,
    pub started_at: Timestamp,
    /// The length in the definition, in `unit`s.
    pub length: u32,
    pub unit: Unit,
    /// Units added by recorded extensions, and how many extensions.
    pub extended: u32,
    pub extensions: u32,
    /// The last day (inclusive) on which acting is in time.
    pub due: Date,
    /// For limits in hours: the exact instant.
    pub due_at: Option<Timestamp>,
    /// CAL-1: some day counted lies in a year whose holidays are not loaded.
    pub provisional: bool,
    /// A suspension is holding the clock now.
    pub suspended: bool,
    /// Days not counted because of suspensions (in `unit`s).
    pub suspended_days: u32,
    /// The due date has passed.
    pub elapsed: bool,
    /// The due date of a deadline has passed: an alert (SUP-1). Never set for a period.
    pub overdue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Stops the action whatever the command carries.
    Blocking,
    /// Something the command must carry.
    Needs,
}

struct Failure {
    violation: Violation,
    class: Class,
}

fn fail(rule: &'static str, class: Class, message: String) -> Failure {
    Failure { violation: Violation::new(rule, message), class }
}

enum Run {
    /// The limit's flag is not set on the case.
    NotApplicable,
    NotStarted,
    Stopped,
    Running(Clock),
}

struct Clock {
    start_index: usize,
    started_at: Timestamp,
    due: Deadline,
    due_at: Option<Timestamp>,
    extended: u32,
    extensions: u32,
    suspended: bool,
    suspended_days: u32,
}

impl Clock {
    fn elapsed(&self, now: Timestamp) -> bool {
        match self.due_at {
            Some(at) => now > at,
            None => china_date(now) > self.due.date,
        }
    }
    fn due_text(&self) -> String {
        match self.due_at {
            Some(at) => jiff::tz::offset(8).to_datetime(at).strftime("%Y-%m-%d %H:%M").to_string(),
            None => self.due.date.to_string(),
        }
    }
}

/// Everything a check looks at.
struct Ctx<'h> {
    history: &'h [CaseEvent],
    cmd: &'h Command,
    now: Timestamp,
    state: CaseState,
    /// The case's flags and the command's.
    flags: BTreeSet<String>,
    action: &'h Action,
}

fn quoted(labels: impl IntoIterator<Item = impl AsRef<str>>, sep: &str) -> String {
    labels.into_iter().map(|l| format!("「{}」", l.as_ref())).collect::<Vec<_>>().join(sep)
}

/// The engine for one definition and calendar.
#[derive(Debug, Clone, Copy)]
pub struct Engine<'a> {
    def: &'a ProcedureDefinition,
    cal: &'a Calendar,
}

impl<'a> Engine<'a> {
    pub fn new(def: &'a ProcedureDefinition, cal: &'a Calendar) -> Engine<'a> {
        Engine { def, cal }
    }

    pub fn definition(&self) -> &'a ProcedureDefinition {
        self.def
    }

    /// Folds the history: the current stage, the flags, the stages visited. Refuses a
    /// history that this definition cannot have produced (unknown action, action taken in
    /// the wrong stage, records out of order).
    pub fn state(&self, history: &[CaseEvent]) -> Result<CaseState, Violation> {
        let def = self.def;
        let mut stage = def.initial.clone();
        let mut visited = BTreeSet::from([stage.clone()]);
        let mut flags = BTreeSet::new();
        for (i, e) in history.iter().enumerate() {
            let n = i + 1;
            let Some(a) = def.action(&e.action) else {
                return Err(Violation::new(
                    "PROC-1",
                    format!("案件第 {n} 条记录「{}」不是流程「{}」（{}）中的步骤", e.action, def.name, def.id()),
                ));
            };
            if !a.from.contains(&stage) {
                return Err(Violation::new(
                    "PROC-1",
                    format!(
                        "案件第 {n} 条记录「{}」与流程不符：当时案件处于「{}」阶段",
                        a.label,
                        def.stage_label(&stage)
                    ),
                ));
            }
            if i > 0 && history[i - 1].at > e.at {
                return Err(Violation::new("REC-5", format!("案件第 {n} 条记录的时间早于前一条记录")));
            }
            if let Some(to) = &a.to {
                stage.clone_from(to);
                visited.insert(stage.clone());
            }
            flags.extend(e.facts.flags.iter().cloned());
        }
        let terminal = def.stage(&stage).is_some_and(|s| s.terminal);
        Ok(CaseState { stage, terminal, flags, visited })
    }

    /// Whether `cmd` may be recorded at `now`: the stage it leads to, or every violation
    /// that stops it.
    pub fn check(&self, history: &[CaseEvent], cmd: &Command, now: Timestamp) -> Verdict {
        match self.evaluate(history, cmd, now) {
            Ok((stage, failures)) if failures.is_empty() => Verdict::Allowed { stage },
            Ok((_, failures)) => Verdict::Refused { violations: failures.into_iter().map(|f| f.violation).collect() },
            Err(v) => Verdict::Refused { violations: vec![v] },
        }
    }

    /// Every action that can be taken from the current stage, in definition order, each
    /// with what stops it and what a command for it must carry, for someone in `roles`.
    /// A history the definition cannot have produced gives no options.
    pub fn next_actions(&self, history: &[CaseEvent], roles: &[Role], now: Timestamp) -> Vec<ActionOption> {
        let Ok(state) = self.state(history) else { return Vec::new() };
        self.def
            .actions
            .iter()
            .filter(|a| a.from.contains(&state.stage))
            .map(|a| {
                let cmd = Command::new(a.code.clone(), roles);
                let failures = self.evaluate(history, &cmd, now).map(|(_, f)| f).unwrap_or_default();
                let (refusals, needs): (Vec<_>, Vec<_>) =
                    failures.into_iter().partition(|f| f.class == Class::Blocking);
                ActionOption {
                    action: a.code.clone(),
                    label: a.label.clone(),
                    to: a.to.clone(),
                    allowed: refusals.is_empty(),
                    refusals: refusals.into_iter().map(|f| f.violation).collect(),
                    needs: needs.into_iter().map(|f| f.violation).collect(),
                }
            })
            .collect()
    }

    /// Every running time limit of the case at `now`, in definition order.
    pub fn deadlines(&self, history: &[CaseEvent], now: Timestamp) -> Vec<LimitStatus> {
        let flags: BTreeSet<String> = history.iter().flat_map(|e| e.facts.flags.iter().cloned()).collect();
        self.def
            .limits
            .iter()
            .filter_map(|l| match self.run(l, history, &flags, now) {
                Run::Running(clock) => Some(self.status(l, history, clock, now)),
                _ => None,
            })
            .collect()
    }

    fn status(&self, l: &TimeLimit, history: &[CaseEvent], c: Clock, now: Timestamp) -> LimitStatus {
        let elapsed = c.elapsed(now);
        LimitStatus {
            limit: l.code.clone(),
            label: l.label.clone(),
            rule: l.rule,
            basis: l.basis.clone(),
            kind: l.kind,
            start_action: history[c.start_index].action.clone(),
            started_at: c.started_at,
            length: l.length,
            unit: l.unit,
            extended: c.extended,
            extensions: c.extensions,
            due: c.due.date,
            due_at: c.due_at,
            provisional: c.due.provisional,
            suspended: c.suspended,
            suspended_days: c.suspended_days,
            elapsed,
            overdue: elapsed && l.kind == LimitKind::Deadline,
        }
    }

    /// The state of one limit at `now`.
    fn run(&self, l: &TimeLimit, history: &[CaseEvent], flags: &BTreeSet<String>, now: Timestamp) -> Run {
        if l.when.as_ref().is_some_and(|w| !flags.contains(w)) {
            return Run::NotApplicable;
        }
        let Some(start_index) = history.iter().rposition(|e| l.start.contains(&e.action)) else {
            return Run::NotStarted;
        };
        let after = &history[start_index + 1..];
        if after.iter().any(|e| l.stop.contains(&e.action)) {
            return Run::Stopped;
        }
        let started_at = history[start_index].at;
        let (mut extended, mut extensions) = (0u32, 0u32);
        for e in after {
            for x in l.extensions.iter().filter(|x| x.action == e.action) {
                extensions += 1;
                let granted = match (x.days, e.facts.days) {
                    (Some(max), Some(d)) => d.min(max),
                    (Some(max), None) => max,
                    (None, d) => d.unwrap_or(0),
                };
                extended = extended.saturating_add(granted);
            }
        }
        // Suspension intervals (suspending date, resuming date), the open one up to today.
        let today = china_date(now);
        let mut intervals = Vec::new();
        let mut suspended = false;
        for s in self.def.suspensions.iter().filter(|s| s.limits.contains(&l.code)) {
            let mut open: Option<Date> = None;
            for e in after {
                if open.is_none() && s.suspend.contains(&e.action) {
                    open = Some(china_date(e.at));
                } else if let Some(since) = open
                    && s.resume.contains(&e.action)
                {
                    intervals.push((since, china_date(e.at)));
                    open = None;
                }
            }
            if let Some(since) = open {
                intervals.push((since, today));
                suspended = true;
            }
        }
        let total = l.length.saturating_add(extended);
        let (due, due_at, suspended_days) = match l.unit {
            Unit::Hours => {
                let at = started_at.checked_add(SignedDuration::from_hours(i64::from(total))).unwrap_or(Timestamp::MAX);
                (Deadline { date: china_date(at), provisional: false }, Some(at), 0)
            }
            Unit::Working | Unit::Calendar => {
                let (due, skipped) = self.count_days(china_date(started_at), total, l, &intervals);
                (due, None, skipped)
            }
        };
        Run::Running(Clock { start_index, started_at, due, due_at, extended, extensions, suspended, suspended_days })
    }

    /// The `n`-th counted day after `start`: working days only for a working-day limit,
    /// never a day inside a suspension interval; rolled forward to a working day if the
    /// limit says so. Also the number of days the suspensions took out.
    fn count_days(&self, start: Date, n: u32, l: &TimeLimit, intervals: &[(Date, Date)]) -> (Deadline, u32) {
        let mut date = start;
        let mut left = n;
        let mut provisional = false;
        let mut skipped = 0;
        while left > 0 {
            let Ok(next) = date.tomorrow() else {
                return (Deadline { date: Date::MAX, provisional: true }, skipped);
            };
            date = next;
            if l.unit == Unit::Working {
                let day = self.cal.is_working_day(date);
                provisional |= day.provisional;
                if !day.working {
                    continue;
                }
            }
            if intervals.iter().any(|&(s, r)| s < date && date <= r) {
                skipped += 1;
                continue;
            }
            left -= 1;
        }
        if l.roll_forward {
            let rolled = self.cal.next_working_day_on_or_after(date);
            provisional |= rolled.provisional;
            date = rolled.date;
        }
        (Deadline { date, provisional }, skipped)
    }

    /// The stage the command leads to and everything that stops it; `Err` when the
    /// history itself is unusable or the action does not exist.
    fn evaluate(
        &self,
        history: &[CaseEvent],
        cmd: &Command,
        now: Timestamp,
    ) -> Result<(String, Vec<Failure>), Violation> {
        let def = self.def;
        let state = self.state(history)?;
        let Some(action) = def.action(&cmd.action) else {
            return Err(
                Violation::new("PROC-1", format!("流程「{}」中没有「{}」这一步骤", def.name, cmd.action)).at("action")
            );
        };
        let mut flags = state.flags.clone();
        flags.extend(cmd.facts.flags.iter().cloned());
        let next = action.to.clone().unwrap_or_else(|| state.stage.clone());
        let cx = Ctx { history, cmd, now, state, flags, action };
        let mut out = Vec::new();
        let a = &action.label;

        if !action.from.contains(&cx.state.stage) {
            let here = def.stage_label(&cx.state.stage);
            let message = if cx.state.terminal {
                format!("案件已处于终结阶段「{here}」，不能再进行「{a}」")
            } else {
                let from = quoted(action.from.iter().map(|s| def.stage_label(s)), "、");
                format!("当前阶段「{here}」不能进行「{a}」（只能在{from}阶段进行）")
            };
            out.push(Failure { violation: Violation::new("PROC-1", message).at("action"), class: Class::Blocking });
        }
        if !cmd.roles.iter().any(|r| action.roles.contains(r)) {
            let who = action.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("或");
            out.push(Failure {
                violation: Violation::new("PROC-1", format!("「{a}」须由{who}进行")).at("roles"),
                class: Class::Blocking,
            });
        }
        if let Some(last) = history.last()
            && last.at > now
        {
            out.push(Failure {
                violation: Violation::new("REC-5", format!("记录时间 {now} 早于本案上一条记录的时间 {}", last.at))
                    .at("at"),
                class: Class::Blocking,
            });
        }
        if action.officers > 0 && cmd.facts.officers < action.officers {
            out.push(officers_failure(a, action.officers, cmd.facts.officers));
        }
        if action.av != AvRequirement::None && !cmd.facts.av {
            let what = if action.av == AvRequirement::Full {
                "全过程音像记录"
            } else {
                "对本环节进行音像记录"
            };
            out.push(Failure {
                violation: Violation::new("REC-3", format!("「{a}」须{what}，本次未附音像记录")).at("facts.av"),
                class: Class::Needs,
            });
        }
        for k in action.records.iter().filter(|k| !cmd.facts.records.contains(k)) {
            out.push(Failure {
                violation: Violation::new("REC-1", format!("「{a}」须记录「{}」，本次未附", def.record_label(k)))
                    .at("facts.records"),
                class: Class::Needs,
            });
        }
        for k in action.documents.iter().filter(|k| !cmd.facts.documents.contains(k)) {
            out.push(Failure {
                violation: Violation::new("REC-1", format!("「{a}」须附「{}」，本次未附", def.document_label(k)))
                    .at("facts.documents"),
                class: Class::Needs,
            });
        }
        for req in &action.requires {
            if let Some(f) = self.requirement(req, &cx) {
                out.push(f);
            }
        }
        self.extension_checks(&cx, &mut out);
        Ok((next, out))
    }

    fn requirement(&self, req: &Requirement, cx: &Ctx) -> Option<Failure> {
        if let Some(when) = &req.when
            && self.condition(when, cx).is_err()
        {
            return None;
        }
        let mut failures = Vec::new();
        for c in &req.any_of {
            match self.condition(c, cx) {
                Ok(()) => return None,
                Err(f) => failures.push(f),
            }
        }
        let class = if failures.iter().all(|f| f.class == Class::Needs) { Class::Needs } else { Class::Blocking };
        let mut first = failures.swap_remove(0);
        if let Some(rule) = req.rule {
            first.violation.rule = rule;
        }
        if req.any_of.len() > 1 {
            let others: Vec<String> = req.any_of[1..].iter().map(|c| self.describe(c)).collect();
            first.violation.message.push_str(&format!("（{}的除外）", others.join("或")));
        }
        first.class = class;
        Some(first)
    }

    /// A condition in its satisfied form, for "unless" clauses.
    fn describe(&self, c: &Condition) -> String {
        let def = self.def;
        match c {
            Condition::Record(k) => format!("已有「{}」", def.record_label(k)),
            Condition::Document(k) => format!("已有「{}」", def.document_label(k)),
            Condition::Av => "附有音像记录".to_string(),
            Condition::Officers(n) => format!("有 {n} 名以上执法人员参加"),
            Condition::Approval(r) => format!("经{}批准", r.label()),
            Condition::ReviewPassed => "法制审核已通过".to_string(),
            Condition::PeriodElapsed(l) => format!("「{}」已届满", def.limit(l).map_or(l.as_str(), |l| &l.label)),
            Condition::Within(l) => format!("在「{}」内", def.limit(l).map_or(l.as_str(), |l| &l.label)),
            Condition::Done(a) => format!("已「{}」", def.action_label(a)),
            Condition::NotAfter(a) => format!("尚未「{}」", def.action_label(a)),
            Condition::Flag(f) => format!("属于「{}」的情形", def.flag_label(f)),
            Condition::Visited(s) => format!("经过「{}」阶段", def.stage_label(s)),
        }
    }

    fn condition(&self, c: &Condition, cx: &Ctx) -> Result<(), Failure> {
        let def = self.def;
        let a = &cx.action.label;
        let in_history = |f: &dyn Fn(&CaseEvent) -> bool| cx.history.iter().any(f);
        match c {
            Condition::Record(k) => {
                if cx.cmd.facts.records.contains(k) || in_history(&|e| e.facts.records.contains(k)) {
                    return Ok(());
                }
                Err(fail("PROC-1", Class::Needs, format!("「{a}」须先有「{}」", def.record_label(k))))
            }
            Condition::Document(k) => {
                if cx.cmd.facts.documents.contains(k) || in_history(&|e| e.facts.documents.contains(k)) {
                    return Ok(());
                }
                Err(fail("PROC-1", Class::Needs, format!("「{a}」须先出具「{}」", def.document_label(k))))
            }
            Condition::Av if cx.cmd.facts.av => Ok(()),
            Condition::Av => Err(fail("REC-3", Class::Needs, format!("「{a}」须附音像记录，本次未附"))),
            Condition::Officers(n) if cx.cmd.facts.officers >= *n => Ok(()),
            Condition::Officers(n) => Err(officers_failure(a, *n, cx.cmd.facts.officers)),
            Condition::Approval(r) => {
                if cx.cmd.facts.approvals.contains(r) || cx.cmd.roles.contains(r) {
                    return Ok(());
                }
                Err(fail("PROC-1", Class::Needs, format!("「{a}」须经{}批准，本次未附批准", r.label())))
            }
            Condition::ReviewPassed => match cx.history.iter().rev().find_map(|e| e.facts.review) {
                Some(ReviewOutcome::Passed) => Ok(()),
                Some(ReviewOutcome::NotPassed) => {
                    Err(fail("REV-2", Class::Blocking, format!("「{a}」须经法制审核通过，最近一次法制审核未通过")))
                }
                None => Err(fail("REV-2", Class::Blocking, format!("「{a}」须经法制审核通过，本案尚未经法制审核"))),
            },
            Condition::PeriodElapsed(code) => {
                let Some(l) = def.limit(code) else { return Ok(()) };
                match self.run(l, cx.history, &cx.flags, cx.now) {
                    Run::NotApplicable | Run::Stopped => Ok(()),
                    Run::Running(clock) if clock.elapsed(cx.now) => Ok(()),
                    Run::Running(clock) => Err(fail(
                        l.rule,
                        Class::Blocking,
                        format!("{}至 {} 届满，届满前不得「{a}」", l.label, clock.due_text()),
                    )),
                    Run::NotStarted => Err(fail(
                        l.rule,
                        Class::Blocking,
                        format!(
                            "{}尚未开始计算（须先{}），不得「{a}」",
                            l.label,
                            quoted(l.start.iter().map(|s| def.action_label(s)), "或")
                        ),
                    )),
                }
            }
            Condition::Within(code) => {
                let Some(l) = def.limit(code) else { return Ok(()) };
                let message = match self.run(l, cx.history, &cx.flags, cx.now) {
                    Run::Running(clock) if !clock.elapsed(cx.now) => return Ok(()),
                    Run::Running(clock) => format!("{}已于 {} 届满，不能再「{a}」", l.label, clock.due_text()),
                    Run::NotApplicable => format!("本案不适用{}，不能「{a}」", l.label),
                    Run::NotStarted => format!("{}尚未开始计算，不能「{a}」", l.label),
                    Run::Stopped => format!("{}已经结束，不能再「{a}」", l.label),
                };
                Err(fail(l.rule, Class::Blocking, message))
            }
            Condition::Done(x) => {
                if in_history(&|e| &e.action == x) {
                    return Ok(());
                }
                Err(fail("PROC-1", Class::Blocking, format!("「{a}」之前须先「{}」", def.action_label(x))))
            }
            Condition::NotAfter(x) => {
                if !in_history(&|e| &e.action == x) {
                    return Ok(());
                }
                Err(fail("PROC-1", Class::Blocking, format!("已「{}」，不能再「{a}」", def.action_label(x))))
            }
            Condition::Flag(f) if cx.flags.contains(f) => Ok(()),
            Condition::Flag(f) => {
                Err(fail("PROC-1", Class::Needs, format!("本案不属于「{}」的情形，不能「{a}」", def.flag_label(f))))
            }
            Condition::Visited(s) if cx.state.visited.contains(s) => Ok(()),
            Condition::Visited(s) => {
                Err(fail("PROC-1", Class::Blocking, format!("「{a}」之前案件须经过「{}」阶段", def.stage_label(s))))
            }
        }
    }

    /// The command records an extension of some limit: the limit must be running and not
    /// yet past due, within its number of extensions and length, approved by `by`.
    fn extension_checks(&self, cx: &Ctx, out: &mut Vec<Failure>) {
        let a = &cx.action.label;
        for l in &self.def.limits {
            for x in l.extensions.iter().filter(|x| x.action == cx.cmd.action) {
                let clock = match self.run(l, cx.history, &cx.flags, cx.now) {
                    Run::Running(clock) => clock,
                    _ => {
                        out.push(fail(l.rule, Class::Blocking, format!("{}未在计算中，不能「{a}」", l.label)));
                        continue;
                    }
                };
                if clock.elapsed(cx.now) {
                    out.push(fail(
                        l.rule,
                        Class::Blocking,
                        format!("{}已于 {} 届满，届满后不能再延长", l.label, clock.due_text()),
                    ));
                }
                let done = cx.history[clock.start_index + 1..].iter().filter(|e| e.action == x.action).count();
                if let Some(times) = x.times
                    && done >= times as usize
                {
                    out.push(fail(
                        l.rule,
                        Class::Blocking,
                        format!("{}经「{a}」只能延长 {times} 次，已延长 {done} 次", l.label),
                    ));
                }
                let unit = l.unit.label();
                match (x.days, cx.cmd.facts.days) {
                    (_, Some(0)) | (None, None) => out.push(Failure {
                        violation: Violation::new(l.rule, format!("「{a}」须写明延长的天数")).at("facts.days"),
                        class: Class::Needs,
                    }),
                    (Some(max), Some(d)) if d > max => out.push(Failure {
                        violation: Violation::new(
                            l.rule,
                            format!("{}每次延长不得超过 {max}{unit}，本次为 {d}{unit}", l.label),
                        )
                        .at("facts.days"),
                        class: Class::Needs,
                    }),
                    _ => {}
                }
                if let Some(by) = x.by
                    && !cx.cmd.roles.contains(&by)
                    && !cx.cmd.facts.approvals.contains(&by)
                {
                    out.push(Failure {
                        violation: Violation::new(l.rule, format!("延长{}须经{}批准", l.label, by.label()))
                            .at("facts.approvals"),
                        class: Class::Needs,
                    });
                }
            }
        }
    }
}

fn officers_failure(action: &str, need: u32, have: u32) -> Failure {
    Failure {
        violation: Violation::new("STAFF-4", format!("「{action}」须有至少 {need} 名执法人员参加，本次为 {have} 名"))
            .at("facts.officers"),
        class: Class::Needs,
    }
}
