//! The staff side of publication: the lists of decisions due, overdue, published, withdrawn
//! and expired (PUB-4, PUB-6, SUP-1), the withdrawal of a published decision with its
//! published reason (PUB-6), and each agency's publication policy (PUB-4, PUB-6).

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::account::Account;
use zhifa_domain::event::Event;
use zhifa_domain::item::ItemKind;
use zhifa_domain::procedure::china_date;
use zhifa_domain::publication::{PublicationPolicy, WithdrawalGround, withdrawal_due};
use zhifa_store::{DueDecision, Paging, PublicationFilter, PublicationListState, PublicationRow};

use crate::access;
use crate::accounts::actor;
use crate::error::{Error, Result, bad};
use crate::{App, publications::decision_url};

/// One row of the staff list.
#[derive(Serialize, JsonSchema)]
pub struct ListItem {
    /// The publication's id, once published.
    pub id: Option<String>,
    pub case: String,
    pub agency: String,
    pub kind: ItemKind,
    pub decided_on: Date,
    pub due: Date,
    pub due_provisional: bool,
    /// Due within the agency's warning window (PUB-4: staff are warned before).
    pub warning: bool,
    pub overdue: bool,
    /// Published: the publication record's log seq and the verification page (LOG-5).
    pub seq: Option<i64>,
    pub published_on: Option<Date>,
    pub on_time: Option<bool>,
    pub verify_url: Option<String>,
    pub proof_url: Option<String>,
    pub withdrawal: Option<zhifa_store::Withdrawal>,
}

#[derive(Serialize, JsonSchema)]
pub struct PublicationList {
    pub state: String,
    pub today: Date,
    pub items: Vec<ListItem>,
}

fn due_item(d: DueDecision, today: Date, warn_by: Date) -> ListItem {
    ListItem {
        overdue: d.due < today,
        warning: d.due >= today && d.due <= warn_by,
        id: None,
        case: d.case,
        agency: d.agency,
        kind: d.kind,
        decided_on: d.decided_on,
        due: d.due,
        due_provisional: d.provisional,
        seq: None,
        published_on: None,
        on_time: None,
        verify_url: None,
        proof_url: None,
        withdrawal: None,
    }
}

fn pub_item(r: PublicationRow) -> ListItem {
    let p = r.publication;
    let published_on = china_date(r.published_at);
    ListItem {
        verify_url: Some(decision_url(&p.id)),
        proof_url: Some(format!("/api/v1/public/records/{}/proof", r.seq)),
        id: Some(p.id.clone()),
        case: p.case,
        agency: p.agency.to_string(),
        kind: p.kind,
        decided_on: p.decided_on,
        due: p.due,
        due_provisional: p.due_provisional,
        warning: false,
        overdue: false,
        seq: Some(r.seq),
        published_on: Some(published_on),
        on_time: Some(published_on <= p.due),
        withdrawal: r.withdrawal,
    }
}

/// PUB-4, PUB-6, SUP-1: the publications in `state` (`due`, `overdue`, `published`,
/// `withdrawn`, `expired`) that `me` sees (SEC-2: a supervisor every agency or the one
/// `asked` for, staff their own), for the JSON API and the staff screen alike.
pub fn publication_list(
    app: &App,
    me: &Account,
    state: String,
    asked: Option<String>,
    paging: Paging,
) -> Result<PublicationList> {
    access::require(me, access::CASE_READERS)?;
    let store = &app.store;
    let today = app.today();
    let agency = access::agency_scope(me, asked)?;
    let items = match state.as_str() {
        "due" | "overdue" => {
            let cal = store.calendar()?;
            let mut out = Vec::new();
            for d in store.unpublished_decisions(agency.as_deref(), 10_000)? {
                let policy = store.publication_policy(&d.agency)?;
                let warn_by = cal.add_working_days(today, policy.warn_days).date;
                let item = due_item(d, today, warn_by);
                if item.overdue == (state == "overdue") {
                    out.push(item);
                }
            }
            out
        }
        "published" | "withdrawn" | "expired" => {
            let st = match state.as_str() {
                "published" => PublicationListState::Current,
                "withdrawn" => PublicationListState::Withdrawn,
                _ => PublicationListState::Expired,
            };
            let f = PublicationFilter { state: st, agency, ..Default::default() };
            store.publications(&f, paging)?.items.into_iter().map(pub_item).collect()
        }
        other => {
            return Err(bad(
                "state",
                format!("state=「{other}」无效，应为 due、overdue、published、withdrawn 或 expired"),
            ));
        }
    };
    Ok(PublicationList { state, today, items })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    /// The published reason (PUB-6).
    pub reason: String,
    pub ground: WithdrawalGround,
    /// When the ground arose (default today): the 3 working days run from it.
    #[serde(default)]
    pub arose_on: Option<Date>,
}

#[derive(Serialize, JsonSchema)]
pub struct WithdrawResult {
    pub id: String,
    pub seq: i64,
    /// PUB-6: the last day the withdrawal was on time.
    pub due: Date,
    pub late: bool,
    pub verify_url: String,
}

/// PUB-6: withdraws a publication with its published reason, for the API and the staff
/// screen alike; the page and the search hit go at once.
pub fn withdraw(app: &App, me: &Account, id: &str, b: WithdrawBody) -> Result<WithdrawResult> {
    access::require(me, access::OVERSIGHT)?;
    let store = &app.store;
    let today = app.today();
    let row = store.publication(id)?.ok_or_else(|| Error::NotFound(format!("公示 {id} ")))?;
    // SEC-2: a head withdraws their own agency's publications; a supervisor any.
    match access::agency_scope(me, None) {
        Ok(None) => {}
        Ok(Some(own)) if own == row.publication.agency.as_str() => {}
        _ => return Err(Error::Forbidden("只能撤下本机关的公示".into())),
    }
    let arose_on = b.arose_on.unwrap_or(today);
    let event = Event::PublicationWithdrawn { id: id.to_string(), reason: b.reason, ground: b.ground, arose_on };
    let rec = store.append(&actor(me), event)?;
    app.pages.forget(id);
    app.search.remove(id).map_err(|e| Error::Internal(e.to_string()))?;
    app.search.commit().map_err(|e| Error::Internal(e.to_string()))?;
    let policy = store.publication_policy(row.publication.agency.as_str())?;
    let due = withdrawal_due(&store.calendar()?, arose_on, &policy);
    Ok(WithdrawResult { verify_url: decision_url(id), id: id.to_string(), seq: rec.seq, due, late: today > due })
}

/// PUB-4, PUB-6: an agency's publication deadlines and period (public).
pub fn policy(app: &App, code: &str) -> Result<PublicationPolicy> {
    app.store.agency(code)?.ok_or_else(|| Error::NotFound(format!("执法主体 {code} ")))?;
    Ok(app.store.publication_policy(code)?)
}

/// PUB-4, PUB-6: sets an agency's publication deadlines and period, as `me` (the system
/// administrator: the face admits no one else).
pub fn set_policy(app: &App, me: &Account, code: &str, policy: PublicationPolicy) -> Result<PublicationPolicy> {
    let agency = zhifa_domain::codes::CreditCode::parse(code).map_err(|e| bad("code", e.to_string()))?;
    app.store.append(&actor(me), Event::PublicationPolicySet { agency, policy: policy.clone() })?;
    Ok(policy)
}
