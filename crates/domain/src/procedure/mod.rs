//! PROC-1: procedures are data.
//!
//! A procedure definition is a TOML file: its stages, the actions that move a case between
//! them (who may take each, what must exist first, what the action records), its time
//! limits in working days, calendar days or hours, and the events that suspend and resume
//! them. One definition drives the case engine ([`engine`]), the public flowchart
//! ([`flowchart`], PUB-2) and, later, the compliance checks (SUP-2).
//!
//! The platform ships five definitions (`crates/domain/procedures/*.toml`, embedded with
//! `include_str!`, see [`shipped`]). An agency adapts one by writing a file that `extends`
//! it; the adaptation is validated exactly like a shipped file. A definition's identity is
//! its code *and* version ([`DefinitionId`]): a case records the identity it was opened
//! under and keeps being judged by that definition even when a newer version exists.
//!
//! # The format
//!
//! ```toml
//! code = "general_penalty"          # snake_case ASCII
//! name = "行政处罚一般程序"
//! version = 1                       # ≥ 1; (code, version) is the identity
//! kind = "general_penalty"          # the ProcedureKind it implements
//! initial = "source"                # the stage a case is in before its first record
//!
//! [flags]                           # case facts that preconditions and limits may test
//! review_required = "须经法制审核"
//! [records]                         # record kinds (internal records)
//! investigation_report = "调查终结报告"
//! [documents]                       # document kinds (文书 issued or served)
//! penalty_decision = "行政处罚决定书"
//!
//! [[stage]]
//! code = "decision"
//! label = "决定"                    # shown to officers and on the flowchart
//! # terminal = true                 # a terminal stage has no way out
//!
//! [[action]]
//! code = "decide"
//! label = "作出行政处罚决定"
//! from = ["decision"]               # the stages it may be taken in
//! to = "service"                    # omitted: the case stays in its stage
//! roles = ["agency_head"]           # account::Role codes; at least one
//! officers = 2                      # STAFF-4: at least this many officers take part
//! decision = true                   # the case's decision (REC-5 back-filling, PUB-4)
//! av = "step"                       # REC-3: "step" (this step) or "full" (full process)
//! records = ["..."]                 # what the action records: the command must carry them
//! documents = ["penalty_decision"]
//! requires = [                      # preconditions, see below
//!   "period_elapsed: statement_defence or done: waive_rights",
//!   "review: passed if flag: review_required",
//! ]
//!
//! [[limit]]
//! code = "decision"
//! label = "办案期限"
//! rule = "CASE-2"                   # the DOMAIN rule it implements
//! basis = "《行政处罚法》第六十条"   # the article: required
//! kind = "deadline"                 # the agency must act by then ("period": a period
//!                                   # granted to the party, or a wait; no alert)
//! when = "fine"                     # optional: applies only to cases with this flag
//! start = ["file"]                  # actions that start (restart) the clock
//! stop = ["decide"]                 # actions that stop it
//! days = 90                         # or `hours = 24` with unit = "hours"
//! unit = "calendar"                 # "working" (CAL-1), "calendar" or "hours"
//! roll_forward = false              # a last day on a rest day moves to the next working day
//! extension = [{ action = "extend_decision", by = "agency_head", days = 30, times = 1 }]
//!
//! [[suspension]]                    # the clock stops between suspend and resume
//! code = "hearing"
//! label = "听证期间"
//! rule = "CASE-2"
//! limits = ["decision"]
//! suspend = ["request_hearing"]
//! resume = ["hold_hearing"]
//! ```
//!
//! A precondition is `clause [or clause]* [if clause] [@RULE]`: it holds when any of the
//! clauses holds, or when its `if` clause does not; `@RULE` names the DOMAIN rule a refusal
//! cites (otherwise the clause's own: REC-3 for `av`, STAFF-4 for `officers`, REV-2 for
//! `review`, the limit's rule for `period_elapsed`/`within`, PROC-1 for the rest). The
//! clauses are a closed vocabulary ([`Condition`]):
//!
//! | clause | holds when |
//! |---|---|
//! | `record: <kind>` | a record of that kind is in the case or attached to the command |
//! | `document: <kind>` | likewise for a document |
//! | `av: required` | the command carries audio/video |
//! | `officers: <n>` | at least n officers take part in the command |
//! | `approval: <role>` | the command carries an approval by someone in that role |
//! | `review: passed` | the latest legal review of the case passed (REV-2) |
//! | `period_elapsed: <limit>` | the period has run out or was ended (e.g. waived); a limit that does not apply to the case counts as run out |
//! | `within: <limit>` | the limit is running and not yet past its due date |
//! | `done: <action>` | the action is in the case's history |
//! | `not_after: <action>` | the action is *not* in the case's history |
//! | `flag: <flag>` | the case has the flag |
//! | `visited: <stage>` | the case has been in the stage |
//!
//! An adaptation starts with `extends = { code = "general_penalty", version = 1 }`, gives
//! its own `code`/`version`, and lists only what changes: a `[[limit]]` with the code of an
//! existing limit replaces the fields it gives (`days = 10`), an `[[action]]` may add
//! preconditions with `add_requires = ["approval: agency_head"]`, and entries with new
//! codes are added. The merged result is validated as a whole; errors name the file and
//! line where each offending value was written, whichever of the two files that is.

pub mod engine;
pub mod flowchart;
mod load;
mod raw;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::account::Role;
use crate::item::ProcedureKind;

pub use engine::{
    ActionOption, CaseEvent, CaseState, Command, Engine, Facts, LimitStatus, ReviewOutcome, Verdict, china_date,
};
pub use flowchart::flowchart_svg;
pub use load::{DefinitionError, DefinitionErrorKind};

/// A definition's identity: code and version.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct DefinitionId {
    pub code: String,
    pub version: u32,
}

impl std::fmt::Display for DefinitionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.code, self.version)
    }
}

/// A validated procedure definition (build one with [`parse`] or take a [`shipped`] one).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureDefinition {
    pub code: String,
    pub name: String,
    pub version: u32,
    pub kind: ProcedureKind,
    pub description: String,
    /// The shipped (or other) definition this one adapts.
    pub extends: Option<DefinitionId>,
    /// The stage a case is in before its first record.
    pub initial: String,
    pub flags: BTreeMap<String, String>,
    pub records: BTreeMap<String, String>,
    pub documents: BTreeMap<String, String>,
    /// In the order of the file (the flowchart's order).
    pub stages: Vec<Stage>,
    pub actions: Vec<Action>,
    pub limits: Vec<TimeLimit>,
    pub suspensions: Vec<Suspension>,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub code: String,
    pub label: String,
    pub terminal: bool,
}

/// REC-3: how an action must be filmed.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AvRequirement {
    #[default]
    None,
    /// Audio/video of this step.
    Step,
    /// Full-process audio/video (seizure, disposal of confiscated property…).
    Full,
}

/// A transition (`to` is some other stage) or an action within a stage (`to` is `None`).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub code: String,
    pub label: String,
    pub description: String,
    pub from: Vec<String>,
    pub to: Option<String>,
    pub roles: Vec<Role>,
    pub requires: Vec<Requirement>,
    /// Record kinds the command must carry.
    pub records: Vec<String>,
    /// Document kinds the command must carry.
    pub documents: Vec<String>,
    pub av: AvRequirement,
    /// STAFF-4: the minimum number of officers (0: no requirement).
    pub officers: u32,
    /// The action is the case's decision (REC-5: records for earlier steps may not be
    /// entered after it; PUB-4: it is what gets published).
    pub decision: bool,
}

impl Action {
    /// Whether the action moves the case to another stage than `from`.
    pub fn leaves(&self, from: &str) -> bool {
        self.to.as_deref().is_some_and(|to| to != from)
    }
}

/// One precondition: `any_of` (at least one must hold) unless `when` does not hold.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub any_of: Vec<Condition>,
    pub when: Option<Condition>,
    /// The DOMAIN rule named in the file (`@RULE`), if any.
    pub rule: Option<&'static str>,
    /// The text as written.
    pub text: String,
}

/// The closed vocabulary of preconditions (see the module docs).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Condition {
    Record(String),
    Document(String),
    Av,
    Officers(u32),
    Approval(Role),
    ReviewPassed,
    PeriodElapsed(String),
    Within(String),
    Done(String),
    NotAfter(String),
    Flag(String),
    Visited(String),
}

/// The unit of a time limit (CAL-1).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Working days: weekends and statutory holidays excluded, 调休 days included.
    Working,
    Calendar,
    Hours,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Working => "个工作日",
            Unit::Calendar => "日",
            Unit::Hours => "小时",
        }
    }
}

/// Whether passing the due date is the agency's failure (an alert) or simply the end of a
/// period granted to the party (or of a wait).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    #[default]
    Deadline,
    Period,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeLimit {
    pub code: String,
    pub label: String,
    pub rule: &'static str,
    /// The statute and article.
    pub basis: String,
    pub kind: LimitKind,
    /// Applies only to cases with this flag.
    pub when: Option<String>,
    pub start: Vec<String>,
    pub stop: Vec<String>,
    /// In `unit`s.
    pub length: u32,
    pub unit: Unit,
    /// A last day that falls on a rest day moves to the next working day.
    pub roll_forward: bool,
    pub extensions: Vec<Extension>,
}

/// How a limit may be extended: by recording `action`, approved by `by`, for at most
/// `days` (`None`: the approval states the length), at most `times` times (`None`: no cap).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub action: String,
    pub by: Option<Role>,
    pub days: Option<u32>,
    pub times: Option<u32>,
}

/// The `limits` do not run between a `suspend` action and the next `resume` action.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspension {
    pub code: String,
    pub label: String,
    pub rule: &'static str,
    pub basis: String,
    pub limits: Vec<String>,
    pub suspend: Vec<String>,
    pub resume: Vec<String>,
}

impl ProcedureDefinition {
    pub fn id(&self) -> DefinitionId {
        DefinitionId { code: self.code.clone(), version: self.version }
    }
    pub fn stage(&self, code: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.code == code)
    }
    pub fn action(&self, code: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.code == code)
    }
    pub fn limit(&self, code: &str) -> Option<&TimeLimit> {
        self.limits.iter().find(|l| l.code == code)
    }
    /// The stage's label, or the code if there is no such stage.
    pub fn stage_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.stage(code).map_or(code, |s| s.label.as_str())
    }
    pub fn action_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.action(code).map_or(code, |a| a.label.as_str())
    }
    pub fn record_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.records.get(code).map_or(code, String::as_str)
    }
    pub fn document_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.documents.get(code).map_or(code, String::as_str)
    }
    pub fn flag_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.flags.get(code).map_or(code, String::as_str)
    }
}

/// The shipped definition files: (file name, text).
pub const SHIPPED: [(&str, &str); 5] = [
    ("procedures/general_penalty.toml", include_str!("../../procedures/general_penalty.toml")),
    ("procedures/simple_penalty.toml", include_str!("../../procedures/simple_penalty.toml")),
    ("procedures/coercive_measure.toml", include_str!("../../procedures/coercive_measure.toml")),
    ("procedures/inspection.toml", include_str!("../../procedures/inspection.toml")),
    ("procedures/licensing.toml", include_str!("../../procedures/licensing.toml")),
];

/// The five shipped definitions, one per [`ProcedureKind`], parsed once per process.
pub fn shipped() -> Vec<ProcedureDefinition> {
    static DEFS: OnceLock<Vec<ProcedureDefinition>> = OnceLock::new();
    DEFS.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|(file, text)| match load::parse_with_bases(file, text, &[]) {
                Ok(def) => def,
                // The files are compiled in and tested (`every_shipped_definition_loads`).
                Err(errors) => panic!("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
            })
            .collect()
    })
    .clone()
}

/// Parses and validates a definition file. A file that `extends` another is resolved
/// against the shipped definitions. Every problem found is returned, each with the file
/// and line.
pub fn parse(file: &str, text: &str) -> Result<ProcedureDefinition, Vec<DefinitionError>> {
    load::parse_with_bases(file, text, &SHIPPED)
}

/// Like [`parse`], resolving `extends` against `bases` (file name, text) instead — for an
/// agency definition that adapts another agency definition, or a shipped one passed in.
pub fn parse_with_bases(
    file: &str,
    text: &str,
    bases: &[(&str, &str)],
) -> Result<ProcedureDefinition, Vec<DefinitionError>> {
    load::parse_with_bases(file, text, bases)
}

/// The definition with this identity (the one a case was opened under).
pub fn find<'a>(defs: &'a [ProcedureDefinition], id: &DefinitionId) -> Option<&'a ProcedureDefinition> {
    defs.iter().find(|d| d.code == id.code && d.version == id.version)
}

#[cfg(test)]
mod tests;
