//! The portal's reads of the registries that gather several things on one page (PUB-1,
//! PUB-3): the home page's counts, an agency with its officers and items, a certificate
//! with its holder, and every agency for the filters. Public: published data only, an
//! officer's public fields only (STAFF-1).

use zhifa_domain::item::ItemVersion;
use zhifa_domain::registry::{Agency, Certificate};
use zhifa_store::{AgencyFilter, ItemFilter, OfficerFilter, Page, Paging};

use super::{OfficerView, agency, officer, officers};
use crate::App;
use crate::error::{Error, Result};

/// How much the registries hold, for the portal's home page.
pub struct PortalCounts {
    pub agencies: i64,
    pub officers: i64,
    pub items: i64,
    pub inspections: usize,
}

/// PUB-1: the sizes of the registries.
pub fn counts(app: &App) -> Result<PortalCounts> {
    let one = Paging { offset: 0, limit: 1 };
    Ok(PortalCounts {
        agencies: app.store.agencies(&Default::default(), one)?.total,
        officers: app.store.officers(&Default::default(), one)?.total,
        items: app.store.items(&Default::default(), one)?.total,
        inspections: app.store.inspection_list(None)?.len(),
    })
}

/// Every agency (the registry of a county or city: hundreds at most), for filters and
/// names.
pub fn all_agencies(app: &App) -> Result<Vec<Agency>> {
    Ok(app.store.agencies(&AgencyFilter::default(), Paging { offset: 0, limit: 500 })?.items)
}

/// An agency's page: the agency, the one that entrusted it (if any), its officers (public
/// fields) and its items.
pub struct AgencyPage {
    pub agency: Agency,
    pub entrusting: Option<Agency>,
    pub officers: Page<OfficerView>,
    pub items: Page<ItemVersion>,
}

/// PUB-1: one agency with its officers and items.
pub fn agency_page(app: &App, code: &str) -> Result<AgencyPage> {
    let agency = agency(app, code)?;
    let entrusting = match &agency.entrusted_by {
        Some(c) => app.store.agency(c.as_str())?,
        None => None,
    };
    let all = Paging { offset: 0, limit: 500 };
    let officers = officers(app, None, &OfficerFilter { agency: Some(code.to_string()), q: None }, all)?;
    let items = app.store.items(&ItemFilter { agency: Some(code.to_string()), ..Default::default() }, all)?;
    Ok(AgencyPage { agency, entrusting, officers, items })
}

/// A certificate's page: the certificate and its holder (public fields, STAFF-1).
pub struct CertificatePage {
    pub cert: Certificate,
    pub holder: Option<OfficerView>,
}

/// PUB-3: a certificate by its number, with its holder.
pub fn certificate_page(app: &App, number: &str) -> Result<CertificatePage> {
    let cert = app.store.certificate(number)?.ok_or_else(|| Error::NotFound(format!("执法证 {number} ")))?;
    let holder = match officer(app, None, &cert.holder) {
        Ok(h) => Some(h),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    Ok(CertificatePage { cert, holder })
}
