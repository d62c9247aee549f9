//! The registries (PUB-1: read by anyone; kept by the registrars): the regions, the
//! enforcement agencies (SUBJ-1), the officers with their training, exams and
//! certificates ([`officers`], STAFF-1..4), the legal reviewers (STAFF-5), the catalogue
//! of enforcement items with its versions (ITEM-1, ITEM-3) and the random-inspection list
//! (ITEM-5).

mod officers;
pub mod portal;

pub use officers::*;

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::account::Account;
use zhifa_domain::codes::{CreditCode, RegionCode};
use zhifa_domain::event::Event;
use zhifa_domain::item::{InspectionEntry, ItemVersion};
use zhifa_domain::regions::{self, Region};
use zhifa_domain::registry::{Agency, Domain, ReviewerRatio};
use zhifa_store::{AgencyFilter, ItemFilter, Page, Paging, Record, ReviewerRow};

use crate::App;
use crate::access::{self, REGISTRARS, SUPERVISION};
use crate::accounts::actor;
use crate::error::{Error, Result, bad};

/// A registrar's change to a registry: refused unless `me` keeps the registries; the
/// record is the change.
fn register(app: &App, me: &Account, event: Event) -> Result<Record> {
    access::require(me, REGISTRARS)?;
    Ok(app.store.append(&actor(me), event)?)
}

/// SEC-5: the key in the path names the thing in the body.
fn same_key(field: &str, path: &str, body: &str) -> Result<()> {
    if path != body {
        return Err(bad(field, format!("路径中的 {path} 与请求体中的 {body} 不一致")));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// regions and agencies

/// GB/T 2260 regions: the children of `parent`, or the provinces.
pub fn regions(parent: Option<&RegionCode>) -> Vec<Region> {
    regions::children(parent).into_iter().cloned().collect()
}

/// The agencies (PUB-1), filtered and paged.
pub fn agencies(app: &App, filter: &AgencyFilter, paging: Paging) -> Result<Page<Agency>> {
    Ok(app.store.agencies(filter, paging)?)
}

/// One agency (PUB-1).
pub fn agency(app: &App, code: &str) -> Result<Agency> {
    app.store.agency(code)?.ok_or_else(|| Error::NotFound(format!("执法主体 {code} ")))
}

/// SUBJ-1: registers an agency.
pub fn register_agency(app: &App, me: &Account, agency: Agency) -> Result<Record> {
    register(app, me, Event::AgencyRegistered { agency })
}

/// Changes the agency `code` (its confirmation and announcement included, SUBJ-1).
pub fn update_agency(app: &App, me: &Account, code: &str, agency: Agency) -> Result<Record> {
    same_key("code", code, agency.code.as_str())?;
    register(app, me, Event::AgencyUpdated { agency })
}

// ---------------------------------------------------------------------------------------
// reviewers

/// The legal reviewers' appointments (STAFF-5, public).
pub fn reviewers(app: &App) -> Result<Vec<ReviewerRow>> {
    Ok(app.store.reviewers()?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerInput {
    pub agency: CreditCode,
    pub staff_no: String,
    pub on: Date,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerRemoveInput {
    pub agency: CreditCode,
    pub staff_no: String,
    pub on: Date,
    pub reason: String,
}

/// STAFF-5: appoints a legal reviewer of an agency.
pub fn appoint_reviewer(app: &App, me: &Account, i: ReviewerInput) -> Result<Record> {
    register(app, me, Event::ReviewerAppointed { agency: i.agency, staff_no: i.staff_no, on: i.on })
}

/// STAFF-5: ends a legal reviewer's appointment.
pub fn remove_reviewer(app: &App, me: &Account, i: ReviewerRemoveInput) -> Result<Record> {
    register(app, me, Event::ReviewerRemoved { agency: i.agency, staff_no: i.staff_no, on: i.on, reason: i.reason })
}

/// STAFF-5: each agency's share of legal reviewers (those under 5% marked), for
/// supervision.
pub fn reviewer_ratios(app: &App, me: &Account) -> Result<Vec<ReviewerRatio>> {
    access::require(me, SUPERVISION)?;
    Ok(app.store.reviewer_ratios()?)
}

// ---------------------------------------------------------------------------------------
// items

/// The catalogue of enforcement items (PUB-1, ITEM-1), filtered and paged.
pub fn items(app: &App, filter: &ItemFilter, paging: Paging) -> Result<Page<ItemVersion>> {
    Ok(app.store.items(filter, paging)?)
}

#[derive(Serialize, JsonSchema)]
pub struct ItemDetail {
    pub code: String,
    /// The version in force today, if any.
    pub current: Option<ItemVersion>,
    /// All versions, oldest first.
    pub versions: Vec<ItemVersion>,
}

/// One item and its versions (ITEM-3), with the one in force today.
pub fn item(app: &App, code: &str) -> Result<ItemDetail> {
    let versions = app.store.item_versions(code)?;
    if versions.is_empty() {
        return Err(Error::NotFound(format!("事项 {code} ")));
    }
    let current = app.store.item_on(code, app.today())?;
    Ok(ItemDetail { code: code.to_string(), current, versions })
}

/// ITEM-3: adds an item or a new version of one (added, changed, cancelled, delegated,
/// merged, its management adjusted).
pub fn add_item_version(app: &App, me: &Account, item: ItemVersion) -> Result<Record> {
    register(app, me, Event::ItemVersionAdded { item })
}

/// The history of changes to the catalogue (ITEM-3, public), newest first.
pub fn item_changes(app: &App, paging: Paging) -> Result<Page<ItemVersion>> {
    Ok(app.store.item_changes(paging)?)
}

/// The random-inspection list (ITEM-5), of one domain or all.
pub fn inspection_list(app: &App, domain: Option<Domain>) -> Result<Vec<InspectionEntry>> {
    Ok(app.store.inspection_list(domain)?)
}

/// ITEM-5: adds or changes an entry of the random-inspection list.
pub fn set_inspection_entry(app: &App, me: &Account, entry: InspectionEntry) -> Result<Record> {
    register(app, me, Event::InspectionEntrySet { entry })
}
