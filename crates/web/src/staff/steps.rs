//! The step and approval forms: the submitted fields parsed into a domain step, recorded
//! through `zhifa_app::cases`; a refused one re-renders the case page with its reasons.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use zhifa_app::cases::{self, ApprovalInput};
use zhifa_domain::Violation;
use zhifa_domain::case::{LateEntry, Step};
use zhifa_domain::penalty::DecidedPenalty;
use zhifa_domain::review::{ChecklistItem, Draft, Finding};

use super::cases::{Submitted, case_main, crumbs, load_case};
use super::tables::case_href;
use super::{Fields, Me, page, page_error, refusals, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::blocking;

/// Yuan (with at most two decimals) to fen.
fn fen(field: &str, v: &str) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::BadRequest(
            Violation::new("SEC-5", format!("金额「{v}」应为以元为单位的数字，最多两位小数")).at(field),
        )
    };
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let i: i64 = int.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    i.checked_mul(100).and_then(|x| x.checked_add(f)).ok_or_else(bad)
}

fn step_input(f: &Fields) -> Result<Step, ApiError> {
    let occurred_at = match f.get("occurred_at") {
        Some(v) => {
            let dt: jiff::civil::DateTime = v.parse().map_err(|_| {
                ApiError::BadRequest(Violation::new("SEC-5", format!("发生时间「{v}」格式不正确")).at("occurred_at"))
            })?;
            Some(
                dt.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)))
                    .map_err(|e| ApiError::BadRequest(Violation::new("SEC-5", e.to_string()).at("occurred_at")))?
                    .timestamp(),
            )
        }
        None => None,
    };
    let mut penalties = Vec::new();
    if f.get("warning").is_some() {
        penalties.push(DecidedPenalty::Warning);
    }
    if let Some(v) = f.get("fine_yuan") {
        penalties.push(DecidedPenalty::Fine { fen: fen("fine_yuan", &v)? });
    }
    if let Some(v) = f.get("gains_yuan") {
        penalties.push(DecidedPenalty::ConfiscateIllegalGains { fen: fen("gains_yuan", &v)? });
    }
    let days = match f.get("days") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            ApiError::BadRequest(Violation::new("SEC-5", format!("延长天数「{v}」应为正整数")).at("days"))
        })?),
        None => None,
    };
    Ok(Step {
        action: f.text("action"),
        by: String::new(),
        review: None,
        officers: f.all("officers"),
        text: f.text("text"),
        occurred_at,
        place: f.get("place"),
        records: f.all("records"),
        documents: f.all("documents"),
        evidence: f.all("evidence"),
        flags: f.all("flags"),
        days,
        chair: f.get("chair"),
        late: f.get("late_reason").map(|reason| LateEntry { reason }),
        draft: (f.text("action") == "submit_review").then(|| Draft {
            penalties: penalties.clone(),
            facts: f.text("draft_facts"),
            basis: f.text("draft_basis"),
            reasons: f.text("draft_reasons"),
            statement: f.text("draft_statement"),
            flags: f.all("draft_flags"),
            hearing_held: false,
        }),
        reviewer: f.get("reviewer"),
        findings: ChecklistItem::ALL
            .iter()
            .filter_map(|item| {
                let key = format!("finding_{}", serde_json::to_value(item).ok()?.as_str()?);
                let v = f.get(&key)?;
                Some(Finding { item: *item, ok: v == "ok", note: f.text(&format!("{key}_note")) })
            })
            .collect(),
        opinion: f.get("opinion").and_then(|o| serde_json::from_value(serde_json::Value::String(o)).ok()),
        penalties,
    })
}

pub async fn record_step(State(s): State<AppState>, me: Me, Path(number): Path<String>, f: Fields) -> Response {
    let (st, m, n, fields) = (s.clone(), me.clone(), number.clone(), f.clone());
    let r = blocking(move || Ok(cases::record(&st, &m.account, &n, step_input(&fields)?)?)).await;
    match r {
        Ok(_) => see_other(&format!("{}#timeline", case_href(&number))),
        Err(e) => match refusals(e) {
            Ok(vs) => {
                let (st, m, n) = (s.clone(), me.clone(), number.clone());
                match blocking(move || load_case(&st, &m, &n, None)).await {
                    Ok(ctx) => {
                        let action = f.text("action");
                        let sub = Submitted { action: &action, fields: &f, errors: &vs };
                        let mut r = page(
                            &me,
                            &format!("案件 {number}"),
                            crumbs(&number),
                            "/staff/cases",
                            case_main(&s, &me, &ctx, Some(&sub)),
                        );
                        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                        r
                    }
                    Err(e) => page_error(Some(&me), e),
                }
            }
            Err(e) => page_error(Some(&me), e),
        },
    }
}

pub async fn approve(State(s): State<AppState>, me: Me, Path(number): Path<String>, f: Fields) -> Response {
    let input = ApprovalInput { action: f.text("action"), note: f.text("note") };
    let (st, m, n) = (s.clone(), me.clone(), number.clone());
    match blocking(move || Ok(cases::approve(&st, &m.account, &n, input)?)).await {
        Ok(_) => see_other(&format!("{}#approve", case_href(&number))),
        Err(e) => page_error(Some(&me), e),
    }
}
