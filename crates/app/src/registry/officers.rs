//! The officers' registry: the officers as shown (STAFF-1: the public sees only the
//! public fields), their training and exams (STAFF-3), whether one may act on an item
//! (STAFF-2..4), and their enforcement certificates (STAFF-2, checked by anyone, PUB-3).

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::Violation;
use zhifa_domain::account::Account;
use zhifa_domain::codes::{CreditCode, RegionCode};
use zhifa_domain::eligibility::{ActingCase, Eligibility, may_act};
use zhifa_domain::event::Event;
use zhifa_domain::registry::{
    CertStanding, CertStatus, Certificate, Domain, Employment, Officer, Qualification, RevocationReason,
};
use zhifa_store::{OfficerFilter, OfficerRecord, Page, Paging, Record};

use super::{register, same_key};
use crate::App;
use crate::access::{self, STAFF};
use crate::error::{Error, Result};

/// An officer as shown: to the public only STAFF-1's fields; to staff everything.
#[derive(Serialize, JsonSchema)]
pub struct OfficerView {
    pub staff_no: String,
    pub name: String,
    pub agency: String,
    pub agency_name: String,
    pub position: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge_no: Option<String>,
    pub certificates: Vec<CertificateView>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<OfficerPrivate>,
}

#[derive(Serialize, JsonSchema)]
pub struct OfficerPrivate {
    pub employment: Employment,
    pub legal_qualification: bool,
    pub qualification: Qualification,
    pub reviewer_of: Vec<CreditCode>,
}

#[derive(Serialize, JsonSchema)]
pub struct CertificateView {
    pub number: String,
    pub holder_name: String,
    pub categories: Vec<Domain>,
    pub region: RegionCode,
    pub issued_on: Date,
    pub expires_on: Date,
    /// Validity right now (PUB-3).
    pub standing: CertStanding,
    pub standing_label: String,
    /// Staff only: the recorded status with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CertStatus>,
}

fn cert_view(app: &App, c: &Certificate, holder_name: &str, staff: bool) -> CertificateView {
    let standing = c.standing(app.today(), &app.policy);
    CertificateView {
        number: c.number.clone(),
        holder_name: holder_name.to_string(),
        categories: c.categories.clone(),
        region: c.region,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        standing_label: standing.state.label().into(),
        standing,
        status: staff.then(|| c.status.clone()),
    }
}

fn officer_view(app: &App, r: OfficerRecord, staff: bool) -> OfficerView {
    let certificates = r.certificates.iter().map(|c| cert_view(app, c, &r.officer.name, staff)).collect();
    OfficerView {
        staff_no: r.officer.staff_no.clone(),
        name: r.officer.name.clone(),
        agency: r.officer.agency.to_string(),
        agency_name: r.agency_name,
        position: r.officer.position.clone(),
        badge_no: r.officer.badge_no.clone(),
        certificates,
        private: staff.then_some(OfficerPrivate {
            employment: r.officer.employment,
            legal_qualification: r.officer.legal_qualification,
            qualification: r.qualification,
            reviewer_of: r.reviewer_of,
        }),
    }
}

// ---------------------------------------------------------------------------------------
// officers

/// The officers (PUB-1), filtered and paged: STAFF-1's public fields to anyone, everything
/// to a logged-in caller.
pub fn officers(
    app: &App,
    caller: Option<&Account>,
    filter: &OfficerFilter,
    paging: Paging,
) -> Result<Page<OfficerView>> {
    let page = app.store.officers(filter, paging)?;
    let staff = caller.is_some();
    Ok(Page {
        total: page.total,
        offset: page.offset,
        limit: page.limit,
        items: page.items.into_iter().map(|r| officer_view(app, r, staff)).collect(),
    })
}

/// One officer, shown as [`officers`] shows them.
pub fn officer(app: &App, caller: Option<&Account>, staff_no: &str) -> Result<OfficerView> {
    let r = app.store.officer(staff_no)?.ok_or_else(|| Error::NotFound(format!("人员 {staff_no} ")))?;
    Ok(officer_view(app, r, caller.is_some()))
}

/// Registers an officer (STAFF-1).
pub fn register_officer(app: &App, me: &Account, officer: Officer) -> Result<Record> {
    register(app, me, Event::OfficerRegistered { officer })
}

/// Changes the officer `staff_no`.
pub fn update_officer(app: &App, me: &Account, staff_no: &str, officer: Officer) -> Result<Record> {
    same_key("staff_no", staff_no, &officer.staff_no)?;
    register(app, me, Event::OfficerUpdated { officer })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingInput {
    pub year: i16,
    pub hours: u32,
    pub course: String,
}

/// STAFF-3: records an officer's training hours.
pub fn record_training(app: &App, me: &Account, staff_no: String, t: TrainingInput) -> Result<Record> {
    register(app, me, Event::TrainingRecorded { staff_no, year: t.year, hours: t.hours, course: t.course })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamInput {
    pub on: Date,
    pub passed: bool,
    #[serde(default)]
    pub score: Option<u32>,
}

/// STAFF-3: records an officer's qualification exam.
pub fn record_exam(app: &App, me: &Account, staff_no: String, e: ExamInput) -> Result<Record> {
    register(app, me, Event::ExamRecorded { staff_no, on: e.on, passed: e.passed, score: e.score })
}

/// STAFF-2..4: may the officer act on the item on `on` (today by default)? If not, the
/// rules that refuse it; an item not yet in force then is ITEM-3's refusal.
pub fn eligibility(app: &App, me: &Account, staff_no: &str, item_code: &str, on: Option<Date>) -> Result<Eligibility> {
    access::require(me, STAFF)?;
    let today = on.unwrap_or_else(|| app.today());
    let store = &app.store;
    let r = store.officer(staff_no)?.ok_or_else(|| Error::NotFound(format!("人员 {staff_no} ")))?;
    let agency = store
        .agency(r.officer.agency.as_str())?
        .ok_or_else(|| Error::Internal(format!("agency of {staff_no} missing")))?;
    let Some(item) = store.item_on(item_code, today)? else {
        if store.item_versions(item_code)?.is_empty() {
            return Err(Error::NotFound(format!("事项 {item_code} ")));
        }
        return Ok(Eligibility {
            allowed: false,
            certificate: None,
            refusals: vec![Violation::new("ITEM-3", format!("事项 {item_code} 在 {today} 尚未生效"))],
        });
    };
    Ok(may_act(&ActingCase {
        officer: &r.officer,
        qualification: &r.qualification,
        certificates: &r.certificates,
        agency: &agency,
        item: &item,
        today,
        policy: &app.policy,
    }))
}

// ---------------------------------------------------------------------------------------
// certificates

/// STAFF-2: issues an enforcement certificate.
pub fn issue_certificate(app: &App, me: &Account, certificate: Certificate) -> Result<Record> {
    register(app, me, Event::CertificateIssued { certificate })
}

/// PUB-3: a certificate by its number and whether it is valid right now; a logged-in
/// caller also sees its recorded status.
pub fn certificate(app: &App, caller: Option<&Account>, number: &str) -> Result<CertificateView> {
    let cert = app.store.certificate(number)?.ok_or_else(|| Error::NotFound(format!("执法证 {number} ")))?;
    let holder = app.store.officer(&cert.holder)?.map(|o| o.officer.name).unwrap_or_default();
    Ok(cert_view(app, &cert, &holder, caller.is_some()))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendInput {
    pub on: Date,
    pub reason: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateInput {
    pub on: Date,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    pub on: Date,
    pub reason: RevocationReason,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    pub on: Date,
    pub passed: bool,
    #[serde(default)]
    pub note: String,
}

/// Suspends a certificate.
pub fn suspend_certificate(app: &App, me: &Account, number: String, i: SuspendInput) -> Result<Record> {
    register(app, me, Event::CertificateSuspended { number, on: i.on, reason: i.reason })
}

/// Reinstates a suspended certificate.
pub fn reinstate_certificate(app: &App, me: &Account, number: String, i: DateInput) -> Result<Record> {
    register(app, me, Event::CertificateReinstated { number, on: i.on })
}

/// Revokes a certificate (retirement, transfer, dismissal, death).
pub fn revoke_certificate(app: &App, me: &Account, number: String, i: RevokeInput) -> Result<Record> {
    register(app, me, Event::CertificateRevoked { number, on: i.on, reason: i.reason })
}

/// STAFF-3: records a certificate's annual check.
pub fn check_certificate(app: &App, me: &Account, number: String, i: CheckInput) -> Result<Record> {
    register(app, me, Event::CertificateChecked { number, on: i.on, passed: i.passed, note: i.note })
}
