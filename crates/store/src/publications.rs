//! Publication projections (PUB-4..7, PUB-9) and complaints (CMP-1): every decided case
//! with its due date (`decisions_due`), the publications with their withdrawal and expiry,
//! the agencies' publication policies; the checks of the publication records run here in
//! the write transaction with the server clock; and the queries the pipeline and the
//! portal use.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use zhifa_domain::case::{CaseView, StepRecord};
use zhifa_domain::event::Event;
use zhifa_domain::item::ItemKind;
use zhifa_domain::procedure::china_date;
use zhifa_domain::publication::{
    self, Complaint, DecisionInput, Publication, PublicationPolicy, PublicationState, WithdrawalGround,
};
use zhifa_domain::view::{Refused, RegistryView};

use crate::registry::{Page, Paging, TxView, calendar_in};
use crate::sql::{Conn, Row, Value};
use crate::{Store, StoreError};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn json<T: Serialize>(v: &T) -> Value {
    Value::Text(serde_json::to_string(v).expect("publication types serialize"))
}

fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse().map_err(corrupt)
}

pub(crate) fn clear(c: &mut dyn Conn) -> Result<(), StoreError> {
    for t in ["publication_policies", "decisions_due", "publications", "complaints"] {
        c.execute(&format!("DELETE FROM {t}"), &[])?;
    }
    Ok(())
}

/// Is this one of the publication events checked here (with the clock)?
pub(crate) fn is_publication_event(e: &Event) -> bool {
    matches!(e, Event::DecisionPublished { .. } | Event::PublicationWithdrawn { .. } | Event::PublicationExpired { .. })
}

fn state_in(c: &mut dyn Conn, id: &str) -> Result<Option<PublicationState>, StoreError> {
    let r =
        c.query_opt("SELECT withdrawn_seq, expired_seq, until_date FROM publications WHERE id = $1", &[id.into()])?;
    r.map(|r| {
        Ok(PublicationState {
            withdrawn: r.opt_int(0)?.is_some(),
            expired: r.opt_int(1)?.is_some(),
            until: parse_date(r.text(2)?)?,
        })
    })
    .transpose()
}

pub(crate) fn check_in(c: &mut dyn Conn, event: &Event, now: Timestamp) -> Result<(), Refused<StoreError>> {
    let v = |e: StoreError| Refused::View(e);
    let today = china_date(now);
    match event {
        Event::DecisionPublished { publication: p } => {
            let state = state_in(c, &p.id).map_err(v)?;
            publication::check_publish(state, p)?;
            let due = c
                .query_opt("SELECT decision_seq FROM decisions_due WHERE case_no = $1", &[p.case.as_str().into()])
                .map_err(v)?;
            if due.map(|r| r.int(0)).transpose().map_err(v)? != Some(p.decision_seq) {
                return Err(Refused::Rule(zhifa_domain::Violation::new(
                    "PUB-4",
                    format!("案件 {} 没有序号为 {} 的决定记录", p.case, p.decision_seq),
                )));
            }
            let case = TxView::new(c).case(&p.case).map_err(v)?;
            let case = case.ok_or_else(|| {
                Refused::Rule(zhifa_domain::Violation::new("PUB-4", format!("案件 {} 不存在", p.case)))
            })?;
            // PUB-5: the record holds the redacted text only.
            publication::check_no_leak(p, &case, &[])?;
            Ok(())
        }
        Event::PublicationWithdrawn { id, reason, arose_on, .. } => {
            let state = state_in(c, id).map_err(v)?;
            Ok(publication::check_withdraw(state, id, reason, *arose_on, today)?)
        }
        Event::PublicationExpired { id } => {
            let state = state_in(c, id).map_err(v)?;
            Ok(publication::check_expire(state, id, today)?)
        }
        _ => Ok(()),
    }
}

fn recorded_at(c: &mut dyn Conn, seq: i64) -> Result<Timestamp, StoreError> {
    let r = c.query_opt("SELECT recorded_at FROM records WHERE seq = $1", &[seq.into()])?;
    Timestamp::from_microsecond(r.ok_or_else(|| corrupt(format!("record {seq} missing")))?.int(0)?).map_err(corrupt)
}

fn policy_in(c: &mut dyn Conn, agency: &str) -> Result<PublicationPolicy, StoreError> {
    Ok(c.query_opt("SELECT doc FROM publication_policies WHERE agency = $1", &[agency.into()])?
        .map(|r| r.json(0))
        .transpose()?
        .unwrap_or_default())
}

/// Applies a record to the publication projections.
pub(crate) fn apply(c: &mut dyn Conn, seq: i64, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::CaseStepRecorded { case, step } => {
            // PUB-4: a step that is the case's decision starts the publication clock.
            let (file, def, item) = {
                let view = TxView::new(c);
                let Some(file) = view.case(case)? else { return Ok(()) };
                let def = view.definition(&file.procedure)?;
                let item = view.item_version(&file.item, file.item_version)?;
                (file, def, item)
            };
            let (Some(def), Some(item)) = (def, item) else { return Ok(()) };
            if !def.actions.iter().any(|a| a.code == step.action && a.decision) {
                return Ok(());
            }
            if c.query_opt("SELECT 1 FROM decisions_due WHERE case_no = $1", &[case.as_str().into()])?.is_some() {
                return Ok(());
            }
            let at = recorded_at(c, seq)?;
            let decided_on = china_date(step.occurred_at.unwrap_or(at));
            let policy = policy_in(c, file.agency.as_str())?;
            let due = calendar_in(c)?.add_working_days(decided_on, policy.days_for(item.kind));
            c.execute(
                "INSERT INTO decisions_due (case_no, decision_seq, agency, kind, decided_on, due, provisional)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    case.as_str().into(),
                    seq.into(),
                    file.agency.as_str().into(),
                    item.kind.as_str().into(),
                    decided_on.to_string().into(),
                    due.date.to_string().into(),
                    due.provisional.into(),
                ],
            )?;
        }
        Event::CalendarYearLoaded { .. } => {
            // CAL-1: provisional due dates are recomputed when a year is loaded.
            let rows =
                c.query("SELECT case_no, agency, kind, decided_on FROM decisions_due WHERE provisional = 1", &[])?;
            let cal = calendar_in(c)?;
            for r in rows {
                let kind = ItemKind::parse(r.text(2)?).unwrap_or(ItemKind::Other);
                let policy = policy_in(c, r.text(1)?)?;
                let due = cal.add_working_days(parse_date(r.text(3)?)?, policy.days_for(kind));
                c.execute(
                    "UPDATE decisions_due SET due = $2, provisional = $3 WHERE case_no = $1",
                    &[r.text(0)?.into(), due.date.to_string().into(), due.provisional.into()],
                )?;
            }
        }
        Event::PublicationPolicySet { agency, policy } => {
            c.execute("DELETE FROM publication_policies WHERE agency = $1", &[agency.as_str().into()])?;
            c.execute(
                "INSERT INTO publication_policies (agency, doc) VALUES ($1, $2)",
                &[agency.as_str().into(), json(policy)],
            )?;
        }
        Event::DecisionPublished { publication: p } => {
            let at = recorded_at(c, seq)?;
            c.execute(
                "INSERT INTO publications (id, case_no, agency, kind, decided_on, due, until_date, fine_fen, seq, published_at, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    p.id.as_str().into(),
                    p.case.as_str().into(),
                    p.agency.as_str().into(),
                    p.kind.as_str().into(),
                    p.decided_on.to_string().into(),
                    p.due.to_string().into(),
                    p.until.to_string().into(),
                    p.fine_fen.into(),
                    seq.into(),
                    at.as_microsecond().into(),
                    json(p),
                ],
            )?;
        }
        Event::PublicationWithdrawn { id, reason, ground, arose_on } => {
            let at = recorded_at(c, seq)?;
            let w = Withdrawal { seq, at, reason: reason.clone(), ground: *ground, arose_on: *arose_on };
            c.execute(
                "UPDATE publications SET withdrawn_seq = $2, withdrawn_at = $3, withdrawal = $4 WHERE id = $1",
                &[id.as_str().into(), seq.into(), at.as_microsecond().into(), json(&w)],
            )?;
        }
        Event::PublicationExpired { id } => {
            let at = recorded_at(c, seq)?;
            c.execute(
                "UPDATE publications SET expired_seq = $2, expired_at = $3 WHERE id = $1",
                &[id.as_str().into(), seq.into(), at.as_microsecond().into()],
            )?;
        }
        Event::ComplaintReceived { complaint } => {
            let at = recorded_at(c, seq)?;
            c.execute(
                "INSERT INTO complaints (tracking, agency, received_at, seq, doc) VALUES ($1, $2, $3, $4, $5)",
                &[
                    complaint.tracking.as_str().into(),
                    complaint.agency.as_ref().map(|a| a.as_str()).into(),
                    at.as_microsecond().into(),
                    seq.into(),
                    json(complaint),
                ],
            )?;
        }
        _ => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Queries

/// PUB-6: a withdrawal as recorded.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Withdrawal {
    pub seq: i64,
    pub at: Timestamp,
    pub reason: String,
    pub ground: WithdrawalGround,
    pub arose_on: Date,
}

/// A publication with its place in the log and where it stands.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicationRow {
    pub publication: Publication,
    /// The publication record's seq: its leaf index in the log (LOG-5).
    pub seq: i64,
    pub published_at: Timestamp,
    pub withdrawal: Option<Withdrawal>,
    /// The expiry record's seq and time (PUB-6).
    pub expired_seq: Option<i64>,
    pub expired_at: Option<Timestamp>,
}

impl PublicationRow {
    /// On the portal now: neither withdrawn nor expired.
    pub fn current(&self) -> bool {
        self.withdrawal.is_none() && self.expired_seq.is_none()
    }
}

/// Which publications to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationListState {
    /// On the portal now.
    Current,
    Withdrawn,
    Expired,
    All,
}

/// Filters of [`Store::publications`].
#[derive(Debug, Clone)]
pub struct PublicationFilter {
    pub state: PublicationListState,
    pub agency: Option<String>,
    pub kind: Option<ItemKind>,
    /// Decision dates, inclusive.
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Default for PublicationFilter {
    fn default() -> Self {
        PublicationFilter { state: PublicationListState::Current, agency: None, kind: None, from: None, to: None }
    }
}

/// A decided case and its publication due date (PUB-4), published or not.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueDecision {
    pub case: String,
    pub decision_seq: i64,
    pub agency: String,
    pub kind: ItemKind,
    pub decided_on: Date,
    pub due: Date,
    /// CAL-1: the due date reaches into a year the calendar does not cover.
    pub provisional: bool,
}

/// A complaint as the store keeps it (CMP-1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintRow {
    pub complaint: Complaint,
    pub received_at: Timestamp,
    pub seq: i64,
}

const PUB_COLS: &str = "doc, seq, published_at, withdrawal, expired_seq, expired_at";

fn pub_row(r: &Row) -> Result<PublicationRow, StoreError> {
    let withdrawal = r.opt_text(3)?.map(serde_json::from_str).transpose().map_err(corrupt)?;
    Ok(PublicationRow {
        publication: r.json(0)?,
        seq: r.int(1)?,
        published_at: Timestamp::from_microsecond(r.int(2)?).map_err(corrupt)?,
        withdrawal,
        expired_seq: r.opt_int(4)?,
        expired_at: r.opt_int(5)?.map(Timestamp::from_microsecond).transpose().map_err(corrupt)?,
    })
}

fn due_row(r: &Row) -> Result<DueDecision, StoreError> {
    Ok(DueDecision {
        case: r.text(0)?.into(),
        decision_seq: r.int(1)?,
        agency: r.text(2)?.into(),
        kind: ItemKind::parse(r.text(3)?).unwrap_or(ItemKind::Other),
        decided_on: parse_date(r.text(4)?)?,
        due: parse_date(r.text(5)?)?,
        provisional: r.int(6)? != 0,
    })
}

impl Store {
    pub fn publication(&self, id: &str) -> Result<Option<PublicationRow>, StoreError> {
        self.read(|c| {
            c.query_opt(&format!("SELECT {PUB_COLS} FROM publications WHERE id = $1"), &[id.into()])?
                .map(|r| pub_row(&r))
                .transpose()
        })
    }

    /// Publications, newest decision first.
    pub fn publications(&self, f: &PublicationFilter, p: Paging) -> Result<Page<PublicationRow>, StoreError> {
        let mut cond = vec![
            match f.state {
                PublicationListState::Current => "withdrawn_seq IS NULL AND expired_seq IS NULL",
                PublicationListState::Withdrawn => "withdrawn_seq IS NOT NULL",
                PublicationListState::Expired => "expired_seq IS NOT NULL",
                PublicationListState::All => "1 = 1",
            }
            .to_string(),
        ];
        let mut params: Vec<Value> = Vec::new();
        if let Some(a) = &f.agency {
            params.push(a.as_str().into());
            cond.push(format!("agency = ${}", params.len()));
        }
        if let Some(k) = f.kind {
            params.push(k.as_str().into());
            cond.push(format!("kind = ${}", params.len()));
        }
        if let Some(d) = f.from {
            params.push(d.to_string().into());
            cond.push(format!("decided_on >= ${}", params.len()));
        }
        if let Some(d) = f.to {
            params.push(d.to_string().into());
            cond.push(format!("decided_on <= ${}", params.len()));
        }
        let wh = cond.join(" AND ");
        self.read(|c| {
            let total = c.query_opt(&format!("SELECT COUNT(*) FROM publications WHERE {wh}"), &params)?;
            let total = total.map_or(Ok(0), |r| r.int(0))?;
            let mut ps = params.clone();
            ps.push(p.limit.into());
            ps.push(p.offset.into());
            let n = ps.len();
            let rows = c.query(
                &format!(
                    "SELECT {PUB_COLS} FROM publications WHERE {wh} ORDER BY decided_on DESC, seq DESC LIMIT ${} OFFSET ${n}",
                    n - 1
                ),
                &ps,
            )?;
            Ok(Page { total, offset: p.offset, limit: p.limit, items: rows.iter().map(pub_row).collect::<Result<_, _>>()? })
        })
    }

    /// Decided cases not yet published, earliest due first (PUB-4).
    pub fn unpublished_decisions(&self, agency: Option<&str>, limit: i64) -> Result<Vec<DueDecision>, StoreError> {
        self.read(|c| {
            let base = "SELECT d.case_no, d.decision_seq, d.agency, d.kind, d.decided_on, d.due, d.provisional
                 FROM decisions_due d LEFT JOIN publications p ON p.case_no = d.case_no WHERE p.id IS NULL";
            let rows = match agency {
                Some(a) => c.query(
                    &format!("{base} AND d.agency = $1 ORDER BY d.due, d.case_no LIMIT $2"),
                    &[a.into(), limit.into()],
                )?,
                None => c.query(&format!("{base} ORDER BY d.due, d.case_no LIMIT $1"), &[limit.into()])?,
            };
            rows.iter().map(due_row).collect()
        })
    }

    /// Current publications whose period ended before `today` (PUB-6).
    pub fn publications_to_expire(&self, today: Date, limit: i64) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT id FROM publications WHERE withdrawn_seq IS NULL AND expired_seq IS NULL AND until_date < $1 ORDER BY until_date LIMIT $2",
                &[today.to_string().into(), limit.into()],
            )?
            .iter()
            .map(|r| r.text(0).map(str::to_owned))
            .collect()
        })
    }

    pub fn publication_policy(&self, agency: &str) -> Result<PublicationPolicy, StoreError> {
        self.read(|c| policy_in(c, agency))
    }

    /// PUB-4, PUB-5: the redacted publication of a decided case, built from its records
    /// (`None` when the case has no decision).
    pub fn build_publication(&self, case_no: &str) -> Result<Option<Publication>, StoreError> {
        self.read(|c| {
            let due = c.query_opt("SELECT decision_seq FROM decisions_due WHERE case_no = $1", &[case_no.into()])?;
            let Some(decision_seq) = due.map(|r| r.int(0)).transpose()? else { return Ok(None) };
            let policy = {
                let agency = c.query_opt("SELECT agency FROM cases WHERE number = $1", &[case_no.into()])?;
                match agency {
                    Some(a) => policy_in(c, a.text(0)?)?,
                    None => return Ok(None),
                }
            };
            let calendar = calendar_in(c)?;
            let view = TxView::new(c);
            let Some(case) = view.case(case_no)? else { return Ok(None) };
            let steps: Vec<StepRecord> = view.steps(case_no)?;
            let Some(decision) = steps.iter().position(|s| s.seq == decision_seq) else { return Ok(None) };
            let def = view.definition(&case.procedure)?.ok_or_else(|| corrupt("definition missing"))?;
            let item = view.item_version(&case.item, case.item_version)?.ok_or_else(|| corrupt("item missing"))?;
            let agency = view.agency(&case.agency)?.ok_or_else(|| corrupt("agency missing"))?;
            let label = def
                .actions
                .iter()
                .find(|a| a.code == steps[decision].step.action)
                .map(|a| a.label.clone())
                .unwrap_or_default();
            Ok(Some(publication::build(&DecisionInput {
                case: &case,
                steps: &steps,
                decision,
                action_label: &label,
                agency: &agency,
                item: &item,
                persons: &[],
                calendar: &calendar,
                policy: &policy,
            })))
        })
    }

    /// The publication records (`decision_published`, `publication_withdrawn`,
    /// `publication_expired`) with `after < seq <= upto`, in seq order: what a node's search
    /// index follows, whichever node wrote them.
    pub fn publication_records(&self, after: i64, upto: i64, limit: i64) -> Result<Vec<crate::Record>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT seq, kind, subject, actor, recorded_at, body FROM records
                 WHERE seq > $1 AND seq <= $2
                   AND kind IN ('decision_published', 'publication_withdrawn', 'publication_expired')
                 ORDER BY seq LIMIT $3",
                &[after.into(), upto.into(), limit.into()],
            )?
            .iter()
            .map(crate::record_from_row)
            .collect()
        })
    }

    pub fn complaint(&self, tracking: &str) -> Result<Option<ComplaintRow>, StoreError> {
        self.read(|c| {
            c.query_opt("SELECT doc, received_at, seq FROM complaints WHERE tracking = $1", &[tracking.into()])?
                .map(|r| {
                    Ok(ComplaintRow {
                        complaint: r.json(0)?,
                        received_at: Timestamp::from_microsecond(r.int(1)?).map_err(corrupt)?,
                        seq: r.int(2)?,
                    })
                })
                .transpose()
        })
    }
}
