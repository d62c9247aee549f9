//! Who may see and do what (SEC-2, SEC-3): the one place that decides it. Every face (the
//! JSON API, the staff pages, the CLI) asks here; role sets are named once, by what they
//! allow, and the decisions that look at an agency or a region are functions here.

use zhifa_domain::account::{Account, Role};
use zhifa_domain::codes::CreditCode;
use zhifa_store::Store;

use crate::error::{Error, Result};

use Role::*;

/// Every staff role: any logged-in person.
pub const STAFF: &[Role] = &Role::ALL;
/// Who handles cases: opens them, collects evidence, issues documents (CASE-1, REC-3, CASE-6).
pub const HANDLERS: &[Role] = &[Officer, AgencyHead];
/// Who records steps of a case (reviewers record their opinions as steps, REV-4).
pub const ACTORS: &[Role] = &[Officer, LegalReviewer, AgencyHead];
/// Who reads cases, their reviews, documents and publications: the agency's staff, and
/// supervisors across agencies ([`case_visible`]).
pub const CASE_READERS: &[Role] = &[Officer, LegalReviewer, AgencyHead, Supervisor];
/// Who approves acts of a case (REC-5 late entries, collective decisions).
pub const HEADS: &[Role] = &[AgencyHead];
/// Who withdraws a published decision (PUB-6) and watches an agency's work on the staff
/// pages: heads for their agency, supervisors across agencies.
pub const OVERSIGHT: &[Role] = &[AgencyHead, Supervisor];
/// Who reads the review queues and workload (REV-3..6).
pub const REVIEW_READERS: &[Role] = &[LegalReviewer, AgencyHead, Supervisor];
/// Who reads the publication lists on the staff side (PUB-4).
pub const PUBLICATION_READERS: &[Role] = &[Officer, AgencyHead, Supervisor];
/// Who reads the registries' staff views.
pub const REGISTRY_READERS: &[Role] = &[Officer, LegalReviewer, AgencyHead, Supervisor, SystemAdmin];
/// Who keeps the registries, the review catalogues, the case and procedure settings.
pub const REGISTRARS: &[Role] = &[Supervisor, SystemAdmin];
/// Who reads platform-wide oversight data (checkpoints, statistics of the spine).
pub const SUPERVISION: &[Role] = &[Supervisor, AuditAdmin, SystemAdmin];
/// Who deletes an evidence file whose retention has run out (REC-6).
pub const EVIDENCE_DELETERS: &[Role] = &[AgencyHead, SystemAdmin];
/// Who searches every record (SEC-4).
pub const AUDITORS: &[Role] = &[AuditAdmin];
/// Who administers accounts (SEC-2, SEC-3).
pub const ACCOUNT_ADMINS: &[Role] = &[SystemAdmin];
/// Who resets second factors (SEC-1, SEC-3).
pub const SECURITY_ADMINS: &[Role] = &[SecurityAdmin];

/// Does the account hold any of `roles`?
pub fn holds(a: &Account, roles: &[Role]) -> bool {
    roles.iter().any(|r| a.has(*r))
}

/// The caller's account, or [`Error::Unauthenticated`].
pub fn account(caller: Option<&Account>) -> Result<&Account> {
    caller.ok_or(Error::Unauthenticated)
}

/// Refuses unless the account holds one of `roles`.
pub fn require(a: &Account, roles: &[Role]) -> Result<()> {
    if holds(a, roles) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
    Err(Error::Forbidden(format!("需要以下角色之一：{}", names.join("、"))))
}

/// The agency the account works in; an account of no agency cannot handle cases.
pub fn own_agency(a: &Account) -> Result<CreditCode> {
    a.agency.clone().ok_or_else(|| Error::Forbidden(format!("账号 {} 不属于任何执法机关，不能办理案件", a.login)))
}

/// SEC-2: may this account see the cases of `agency`? Its own agency, an agency it acts
/// for (an entrusted organisation, SUBJ-2), or a supervisor. Nobody else — not the audit
/// administrator, who searches records (SEC-4) but reads no case (SEC-3).
pub fn case_visible(store: &Store, a: &Account, agency: &str) -> Result<bool> {
    if a.has(Supervisor) {
        return Ok(true);
    }
    let Some(own) = &a.agency else { return Ok(false) };
    if own.as_str() == agency {
        return Ok(true);
    }
    Ok(store.agency(own.as_str())?.is_some_and(|ag| ag.acts_in_name_of().as_str() == agency))
}

/// [`case_visible`], refused with the reason.
pub fn may_read_case(store: &Store, a: &Account, agency: &CreditCode) -> Result<()> {
    if case_visible(store, a, agency.as_str())? {
        return Ok(());
    }
    Err(Error::Forbidden("本案不属于您所在的机关，无权查看（SEC-2）".into()))
}

/// SEC-2: which agency's lists the account sees: a supervisor every agency (or the one
/// asked for, `None` for all), everyone else their own, whatever they ask for.
pub fn agency_scope(a: &Account, asked: Option<String>) -> Result<Option<String>> {
    if a.has(Supervisor) {
        return Ok(asked);
    }
    match &a.agency {
        Some(own) => Ok(Some(own.to_string())),
        None => Err(Error::Forbidden("账号未归属执法主体".into())),
    }
}
