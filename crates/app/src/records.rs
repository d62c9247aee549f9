//! The records themselves: read by subject for supervision (REC-8), one record with its
//! salt and log commitment — every such view said why and recorded first (REC-7) — and
//! the audit administrator's search over all of them (SEC-4).

use jiff::civil::Date;
use zhifa_domain::Violation;
use zhifa_domain::account::Account;
use zhifa_domain::event::Event;
use zhifa_store::log::RecordLeaf;
use zhifa_store::{Page, Paging, Record, RecordFilter};

use crate::App;
use crate::access::{self, AUDITORS, SUPERVISION};
use crate::accounts::actor;
use crate::error::{Error, Result, bad};

/// REC-7: a view needs a reason (two characters at least); it is recorded before the
/// record is shown ([`record_view`]).
pub fn view_reason(reason: Option<String>) -> Result<String> {
    reason
        .filter(|r| r.trim().chars().count() >= 2)
        .ok_or_else(|| Error::Invalid(Violation::new("REC-7", "调阅记录须说明事由（参数 reason）").at("reason")))
}

/// REC-7: records that `me` viewed `leaf` (`what`: the record, its receipt, a file…) and
/// why, before it is shown.
pub fn record_view(app: &App, me: &Account, leaf: &RecordLeaf, what: &str, reason: String) -> Result<()> {
    let event =
        Event::RecordViewed { seq: leaf.record.seq, of: leaf.record.subject.clone(), what: what.into(), reason };
    app.store.append(&actor(me), event)?;
    Ok(())
}

/// REC-8: the records of a subject (or all), after the sequence number `after`, at most
/// `limit` (1–500).
pub fn records(app: &App, me: &Account, subject: Option<&str>, after: i64, limit: i64) -> Result<Vec<Record>> {
    access::require(me, SUPERVISION)?;
    if !(1..=500).contains(&limit) {
        return Err(bad("limit", "limit 须在 1 至 500 之间"));
    }
    Ok(app.store.records(subject, after, limit)?)
}

/// REC-7: one record with its salt and log commitment, for a stated reason; the view is
/// recorded first.
pub fn record(app: &App, me: &Account, seq: i64, reason: Option<String>) -> Result<RecordLeaf> {
    access::require(me, SUPERVISION)?;
    let reason = view_reason(reason)?;
    let leaf = app.store.record_leaf(seq)?.ok_or_else(|| Error::NotFound(format!("记录 {seq} ")))?;
    record_view(app, me, &leaf, "记录", reason)?;
    Ok(leaf)
}

/// What the audit administrator searches by (SEC-4); days are China Standard Time, both
/// ends included.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Exact actor, e.g. `account:jdsj`.
    pub actor: Option<String>,
    /// Exact kind, e.g. `login_failed`.
    pub kind: Option<String>,
    /// Subject prefix, e.g. `account/`.
    pub subject: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// SEC-4: every record — login attempts and views included — by actor, kind, subject
/// and days.
pub fn audit(app: &App, me: &Account, q: AuditQuery, paging: Paging) -> Result<Page<Record>> {
    access::require(me, AUDITORS)?;
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    // The start of a day, or of the day after it for the end of the range.
    let start = |field: &str, d: Option<Date>, after: bool| -> Result<Option<jiff::Timestamp>> {
        d.map(|d| {
            let d = if after { d.tomorrow().map_err(|e| bad(field, e.to_string()))? } else { d };
            d.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|e| bad(field, e.to_string()))
        })
        .transpose()
    };
    let f = RecordFilter {
        actor: q.actor,
        kind: q.kind,
        subject: q.subject,
        from: start("from", q.from, false)?,
        to: start("to", q.to, true)?,
    };
    Ok(app.store.search_records(&f, paging)?)
}
