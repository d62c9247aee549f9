//! REV-3..6: a case's legal review as rounds — a submission and what followed it until
//! the next — folded from the case's steps. Kept with the case (the review's types are
//! `crate::review`, which knows nothing of case records).

use serde::Serialize;

use super::StepRecord;
use crate::review::Draft;

/// One round of review: a submission and what followed it until the next.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// 1-based.
    pub n: u32,
    pub submitted: StepRecord,
    pub reviewer: Option<String>,
    pub extended: bool,
    /// The reviewer's opinion (`review_approve`/`review_return`).
    pub opinion: Option<StepRecord>,
    /// The head's or collective discussion's resolution of a disagreement.
    pub escalation: Option<StepRecord>,
}

impl Round {
    pub fn draft(&self) -> Option<&Draft> {
        self.submitted.step.draft.as_ref()
    }
    /// Whether the round ended with the draft approved (by the reviewer, or by the head
    /// overruling the reviewer, REV-6).
    pub fn approved(&self) -> bool {
        match &self.escalation {
            Some(e) => e.step.action == "overrule_review",
            None => self.opinion.as_ref().is_some_and(|o| o.step.action == "review_approve"),
        }
    }
}

/// The review rounds of a case, oldest first.
pub fn rounds(steps: &[StepRecord]) -> Vec<Round> {
    let mut out: Vec<Round> = Vec::new();
    for s in steps.iter().filter(|s| s.step.late.is_none()) {
        match s.step.action.as_str() {
            "submit_review" => out.push(Round {
                n: out.len() as u32 + 1,
                submitted: s.clone(),
                reviewer: None,
                extended: false,
                opinion: None,
                escalation: None,
            }),
            "assign_reviewer" => {
                if let Some(r) = out.last_mut() {
                    r.reviewer.clone_from(&s.step.reviewer);
                }
            }
            "extend_review" => {
                if let Some(r) = out.last_mut() {
                    r.extended = true;
                }
            }
            "review_approve" | "review_return" => {
                if let Some(r) = out.last_mut() {
                    r.opinion = Some(s.clone());
                }
            }
            "overrule_review" | "uphold_review" => {
                if let Some(r) = out.last_mut() {
                    r.escalation = Some(s.clone());
                }
            }
            _ => {}
        }
    }
    out
}
