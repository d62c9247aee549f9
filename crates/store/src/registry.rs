//! Registry projections: how each event changes the tables, the [`RegistryView`] the
//! domain's checks read, and the registry queries.

use std::cell::RefCell;

use jiff::civil::Date;
use serde::Serialize;
use zhifa_domain::account::Account;
use zhifa_domain::calendar::{Calendar, HolidayYear};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::item::{InspectionEntry, ItemVersion};
use zhifa_domain::registry::{Agency, CertStatus, Certificate, Domain, Officer, Qualification, ReviewerRatio};
use zhifa_domain::snapshot::Snapshot;
use zhifa_domain::view::{Refused, RegistryView};

use crate::sql::{Conn, Row, Value};
use crate::{Store, StoreError};

fn to_json<T: Serialize>(v: &T) -> Value {
    Value::Text(serde_json::to_string(v).expect("registry types serialize"))
}

fn domains_col(ds: &[Domain]) -> String {
    let mut s = String::from(";");
    for d in ds {
        s.push_str(d.as_str());
        s.push(';');
    }
    s
}

pub(crate) fn clear(c: &mut dyn Conn) -> Result<(), StoreError> {
    for t in [
        "agencies",
        "officers",
        "certificates",
        "training",
        "reviewers",
        "items",
        "item_versions",
        "inspection_list",
        "calendar_years",
        "accounts",
        "tokens",
    ] {
        c.execute(&format!("DELETE FROM {t}"), &[])?;
    }
    Ok(())
}

/// Applies a checked event to the projections (and only the projections).
pub(crate) fn apply(c: &mut dyn Conn, seq: i64, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::AgencyRegistered { agency } | Event::AgencyUpdated { agency } => {
            c.execute("DELETE FROM agencies WHERE code = $1", &[agency.code.as_str().into()])?;
            c.execute(
                "INSERT INTO agencies (code, name, region, level, status, domains, entrusted_by, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    agency.code.as_str().into(),
                    agency.name.as_str().into(),
                    agency.region.as_str().into(),
                    agency.level.as_str().into(),
                    agency.status.as_str().into(),
                    domains_col(&agency.domains).into(),
                    agency.entrusted_by.as_ref().map(|c| c.as_str()).into(),
                    to_json(agency),
                ],
            )?;
        }
        Event::OfficerRegistered { officer } => put_officer(c, officer, true)?,
        Event::OfficerUpdated { officer } => put_officer(c, officer, false)?,
        Event::CertificateIssued { certificate } => put_certificate(c, certificate, true)?,
        Event::CertificateSuspended { number, on, reason } => {
            update_cert(c, number, |cert| cert.status = CertStatus::Suspended { since: *on, reason: reason.clone() })?
        }
        Event::CertificateReinstated { number, .. } => update_cert(c, number, |cert| cert.status = CertStatus::Valid)?,
        Event::CertificateRevoked { number, on, reason } => {
            update_cert(c, number, |cert| cert.status = CertStatus::Revoked { on: *on, reason: *reason })?
        }
        Event::CertificateChecked { number, on, passed, .. } => update_cert(c, number, |cert| {
            if *passed {
                cert.last_check_on = Some(*on);
            } else {
                cert.status = CertStatus::Suspended { since: *on, reason: "年检不合格".into() };
            }
        })?,
        Event::TrainingRecorded { staff_no, year, hours, .. } => {
            let existing = c
                .query_opt(
                    "SELECT hours FROM training WHERE staff_no = $1 AND year = $2",
                    &[staff_no.into(), (*year as i64).into()],
                )?
                .map(|r| r.int(0))
                .transpose()?;
            match existing {
                Some(h) => c.execute(
                    "UPDATE training SET hours = $3 WHERE staff_no = $1 AND year = $2",
                    &[staff_no.into(), (*year as i64).into(), (h + *hours as i64).into()],
                )?,
                None => c.execute(
                    "INSERT INTO training (staff_no, year, hours) VALUES ($1, $2, $3)",
                    &[staff_no.into(), (*year as i64).into(), (*hours as i64).into()],
                )?,
            };
        }
        Event::ExamRecorded { staff_no, on, passed, .. } => {
            if *passed {
                c.execute(
                    "UPDATE officers SET exam_passed_on = $2 WHERE staff_no = $1 AND (exam_passed_on IS NULL OR exam_passed_on < $2)",
                    &[staff_no.into(), on.to_string().into()],
                )?;
            }
        }
        Event::ReviewerAppointed { agency, staff_no, on } => {
            c.execute(
                "INSERT INTO reviewers (agency, staff_no, since, until_date) VALUES ($1, $2, $3, NULL)",
                &[agency.as_str().into(), staff_no.into(), on.to_string().into()],
            )?;
        }
        Event::ReviewerRemoved { agency, staff_no, on, .. } => {
            c.execute(
                "UPDATE reviewers SET until_date = $3 WHERE agency = $1 AND staff_no = $2 AND until_date IS NULL",
                &[agency.as_str().into(), staff_no.into(), on.to_string().into()],
            )?;
        }
        Event::ItemVersionAdded { item } => {
            c.execute(
                "INSERT INTO item_versions (code, version, effective_from, change, doc, seq) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    item.code.as_str().into(),
                    (item.version as i64).into(),
                    item.effective_from.to_string().into(),
                    item.change.as_str().into(),
                    to_json(item),
                    seq.into(),
                ],
            )?;
            c.execute("DELETE FROM items WHERE code = $1", &[item.code.as_str().into()])?;
            c.execute(
                "INSERT INTO items (code, version, name, kind, domain, agency, exercising, in_force, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    item.code.as_str().into(),
                    (item.version as i64).into(),
                    item.name.as_str().into(),
                    item.kind.as_str().into(),
                    item.domain.as_str().into(),
                    item.agency.as_str().into(),
                    item.exercising_agency().as_str().into(),
                    item.in_force().into(),
                    to_json(item),
                ],
            )?;
        }
        Event::InspectionEntrySet { entry } => {
            c.execute("DELETE FROM inspection_list WHERE code = $1", &[entry.code.as_str().into()])?;
            c.execute(
                "INSERT INTO inspection_list (code, domain, agency, item_code, doc) VALUES ($1, $2, $3, $4, $5)",
                &[
                    entry.code.as_str().into(),
                    entry.domain.as_str().into(),
                    entry.agency.as_str().into(),
                    entry.item_code.as_str().into(),
                    to_json(entry),
                ],
            )?;
        }
        Event::InspectionEntryRemoved { code, .. } => {
            c.execute("DELETE FROM inspection_list WHERE code = $1", &[code.into()])?;
        }
        Event::CalendarYearLoaded { year } => {
            c.execute("DELETE FROM calendar_years WHERE year = $1", &[(year.year as i64).into()])?;
            c.execute(
                "INSERT INTO calendar_years (year, doc) VALUES ($1, $2)",
                &[(year.year as i64).into(), to_json(year)],
            )?;
        }
        Event::AccountCreated { account } => {
            c.execute(
                "INSERT INTO accounts (login, doc) VALUES ($1, $2)",
                &[account.login.as_str().into(), to_json(account)],
            )?;
        }
        // SEC-2: a disabled account's API tokens end with it (its sessions end in the same
        // transaction, see `Store::change_account`).
        Event::AccountChanged { account, .. } => {
            c.execute(
                "UPDATE accounts SET doc = $2 WHERE login = $1",
                &[account.login.as_str().into(), to_json(account)],
            )?;
            if account.disabled {
                c.execute("UPDATE tokens SET revoked = 1 WHERE login = $1", &[account.login.as_str().into()])?;
            }
        }
        Event::TokenCreated { id, login, token_sha256, label } => {
            c.execute(
                "INSERT INTO tokens (id, login, token_sha256, label, revoked) VALUES ($1, $2, $3, $4, 0)",
                &[id.into(), login.into(), token_sha256.into(), label.into()],
            )?;
        }
        Event::TokenRevoked { id } => {
            c.execute("UPDATE tokens SET revoked = 1 WHERE id = $1", &[id.into()])?;
        }
        // Only the record itself: nothing to project (credentials and sessions are
        // operational state kept beside the records, see `store/src/auth.rs`).
        Event::LogRewindAcknowledged { .. }
        | Event::RecordViewed { .. }
        | Event::LoginSucceeded { .. }
        | Event::LoginFailed { .. }
        | Event::LoggedOut { .. }
        | Event::PasswordChanged { .. }
        | Event::TotpEnrolled { .. }
        | Event::TotpReset { .. }
        | Event::TotpRejected { .. } => {}
        Event::SecuritySettingsSet { settings } => {
            c.execute("DELETE FROM platform_settings WHERE key = 'security'", &[])?;
            c.execute("INSERT INTO platform_settings (key, doc) VALUES ('security', $1)", &[to_json(settings)])?;
        }
        // Case projections: see `cases.rs`.
        Event::CaseOpened { .. }
        | Event::CaseStepRecorded { .. }
        | Event::CaseApproved { .. }
        | Event::EvidenceStored { .. }
        | Event::EvidenceDeleted { .. }
        | Event::CaseSettingsSet { .. }
        | Event::CaseNumberRuleSet { .. }
        | Event::ReviewCatalogueSet { .. }
        | Event::ReviewEveryGeneralPenaltySet { .. }
        | Event::ProcedureAdapted { .. }
        | Event::DocumentIssued { .. }
        | Event::DocumentSettingsSet { .. } => {}
        // Publication projections: see `publications.rs`.
        Event::DecisionPublished { .. }
        | Event::PublicationWithdrawn { .. }
        | Event::PublicationExpired { .. }
        | Event::PublicationPolicySet { .. }
        | Event::ComplaintReceived { .. } => {}
    }
    Ok(())
}

fn put_officer(c: &mut dyn Conn, officer: &Officer, insert: bool) -> Result<(), StoreError> {
    let params = [
        officer.staff_no.as_str().into(),
        officer.agency.as_str().into(),
        officer.name.as_str().into(),
        officer.employment.as_str().into(),
        to_json(officer),
    ];
    if insert {
        c.execute(
            "INSERT INTO officers (staff_no, agency, name, employment, exam_passed_on, doc) VALUES ($1, $2, $3, $4, NULL, $5)",
            &params,
        )?;
    } else {
        c.execute(
            "UPDATE officers SET agency = $2, name = $3, employment = $4, doc = $5 WHERE staff_no = $1",
            &params,
        )?;
    }
    Ok(())
}

fn put_certificate(c: &mut dyn Conn, cert: &Certificate, insert: bool) -> Result<(), StoreError> {
    let params = [
        cert.number.as_str().into(),
        cert.holder.as_str().into(),
        cert.status.as_str().into(),
        cert.expires_on.to_string().into(),
        to_json(cert),
    ];
    if insert {
        c.execute(
            "INSERT INTO certificates (number, holder, status, expires_on, doc) VALUES ($1, $2, $3, $4, $5)",
            &params,
        )?;
    } else {
        c.execute(
            "UPDATE certificates SET holder = $2, status = $3, expires_on = $4, doc = $5 WHERE number = $1",
            &params,
        )?;
    }
    Ok(())
}

fn update_cert(c: &mut dyn Conn, number: &str, f: impl FnOnce(&mut Certificate)) -> Result<(), StoreError> {
    let mut cert =
        get_certificate(c, number)?.ok_or_else(|| StoreError::Corrupt(format!("certificate {number} missing")))?;
    f(&mut cert);
    put_certificate(c, &cert, false)
}

fn get_certificate(c: &mut dyn Conn, number: &str) -> Result<Option<Certificate>, StoreError> {
    c.query_opt("SELECT doc FROM certificates WHERE number = $1", &[number.into()])?.map(|r| r.json(0)).transpose()
}

fn get_agency(c: &mut dyn Conn, code: &str) -> Result<Option<Agency>, StoreError> {
    c.query_opt("SELECT doc FROM agencies WHERE code = $1", &[code.into()])?.map(|r| r.json(0)).transpose()
}

fn get_officer(c: &mut dyn Conn, staff_no: &str) -> Result<Option<Officer>, StoreError> {
    c.query_opt("SELECT doc FROM officers WHERE staff_no = $1", &[staff_no.into()])?.map(|r| r.json(0)).transpose()
}

/// The domain's view of the registry, over the write transaction.
pub(crate) struct TxView<'a, 'b>(RefCell<&'a mut (dyn Conn + 'b)>);

impl<'a, 'b> TxView<'a, 'b> {
    pub(crate) fn new(c: &'a mut (dyn Conn + 'b)) -> Self {
        TxView(RefCell::new(c))
    }
    pub(crate) fn conn(&self) -> std::cell::RefMut<'_, &'a mut (dyn Conn + 'b)> {
        self.0.borrow_mut()
    }
}

pub(crate) fn get_item_on(c: &mut dyn Conn, code: &str, date: Date) -> Result<Option<ItemVersion>, StoreError> {
    c.query_opt(
        "SELECT doc FROM item_versions WHERE code = $1 AND effective_from <= $2 ORDER BY version DESC LIMIT 1",
        &[code.into(), date.to_string().into()],
    )?
    .map(|r| r.json(0))
    .transpose()
}

pub(crate) fn calendar_in(c: &mut dyn Conn) -> Result<Calendar, StoreError> {
    let years: Vec<HolidayYear> = c
        .query("SELECT doc FROM calendar_years ORDER BY year", &[])?
        .iter()
        .map(|r| r.json(0))
        .collect::<Result<_, _>>()?;
    let mut cal = Calendar::shipped();
    for y in years {
        cal.load(y).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    Ok(cal)
}

pub(crate) fn officer_qualification(c: &mut dyn Conn, staff_no: &str) -> Result<Qualification, StoreError> {
    let exam = c.query_opt("SELECT exam_passed_on FROM officers WHERE staff_no = $1", &[staff_no.into()])?;
    let exam_passed_on = match exam {
        Some(r) => r.opt_text(0)?.map(parse_date).transpose()?,
        None => None,
    };
    let training = c
        .query("SELECT year, hours FROM training WHERE staff_no = $1 ORDER BY year", &[staff_no.into()])?
        .iter()
        .map(|r| Ok((r.int(0)? as i16, r.int(1)? as u32)))
        .collect::<Result<_, StoreError>>()?;
    Ok(Qualification { exam_passed_on, training })
}

impl RegistryView for TxView<'_, '_> {
    type Error = StoreError;
    fn agency(&self, code: &CreditCode) -> Result<Option<Agency>, StoreError> {
        get_agency(*self.0.borrow_mut(), code.as_str())
    }
    fn officer(&self, staff_no: &str) -> Result<Option<Officer>, StoreError> {
        get_officer(*self.0.borrow_mut(), staff_no)
    }
    fn certificate(&self, number: &str) -> Result<Option<Certificate>, StoreError> {
        get_certificate(*self.0.borrow_mut(), number)
    }
    fn latest_item(&self, code: &str) -> Result<Option<ItemVersion>, StoreError> {
        let mut c = self.0.borrow_mut();
        c.query_opt("SELECT doc FROM items WHERE code = $1", &[code.into()])?.map(|r| r.json(0)).transpose()
    }
    fn inspection_entry(&self, code: &str) -> Result<Option<InspectionEntry>, StoreError> {
        let mut c = self.0.borrow_mut();
        c.query_opt("SELECT doc FROM inspection_list WHERE code = $1", &[code.into()])?.map(|r| r.json(0)).transpose()
    }
    fn is_reviewer(&self, agency: &CreditCode, staff_no: &str) -> Result<bool, StoreError> {
        let mut c = self.0.borrow_mut();
        Ok(c.query_opt(
            "SELECT 1 FROM reviewers WHERE agency = $1 AND staff_no = $2 AND until_date IS NULL",
            &[agency.as_str().into(), staff_no.into()],
        )?
        .is_some())
    }
    fn was_ever_reviewer(&self, staff_no: &str) -> Result<bool, StoreError> {
        let mut c = self.0.borrow_mut();
        Ok(c.query_opt("SELECT 1 FROM reviewers WHERE staff_no = $1", &[staff_no.into()])?.is_some())
    }
    fn account(&self, login: &str) -> Result<Option<Account>, StoreError> {
        let mut c = self.0.borrow_mut();
        c.query_opt("SELECT doc FROM accounts WHERE login = $1", &[login.into()])?.map(|r| r.json(0)).transpose()
    }
    fn token_revoked(&self, id: &str) -> Result<Option<bool>, StoreError> {
        let mut c = self.0.borrow_mut();
        c.query_opt("SELECT revoked FROM tokens WHERE id = $1", &[id.into()])?
            .map(|r| r.int(0).map(|n| n != 0))
            .transpose()
    }
}

pub(crate) fn check_in(c: &mut dyn Conn, event: &Event) -> Result<(), Refused<StoreError>> {
    zhifa_domain::event::check(event, &TxView(RefCell::new(c)))
}

// ---------------------------------------------------------------------------------------
// Queries

/// Paging: `offset` rows skipped, at most `limit` (1..=500) returned.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub offset: i64,
    pub limit: i64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging { offset: 0, limit: 50 }
    }
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, Default)]
pub struct AgencyFilter {
    /// GB/T 2260 code: the region and everything below it.
    pub region: Option<String>,
    pub domain: Option<Domain>,
    pub status: Option<String>,
    /// Substring of the name.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct OfficerFilter {
    pub agency: Option<String>,
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub agency: Option<String>,
    pub domain: Option<Domain>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub in_force: Option<bool>,
}

/// An officer with everything the registry knows of them.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct OfficerRecord {
    pub officer: Officer,
    pub agency_name: String,
    pub certificates: Vec<Certificate>,
    pub qualification: Qualification,
    /// Agencies the person is a legal reviewer of now.
    pub reviewer_of: Vec<CreditCode>,
}

/// A reviewer appointment, current or past.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ReviewerRow {
    pub agency: String,
    pub staff_no: String,
    pub since: String,
    pub until: Option<String>,
}

struct Where {
    sql: String,
    params: Vec<Value>,
}

impl Where {
    fn new() -> Self {
        Where { sql: String::new(), params: Vec::new() }
    }
    fn add(&mut self, cond: &str, v: Value) {
        self.params.push(v);
        let cond = cond.replace("?", &format!("${}", self.params.len()));
        self.sql.push_str(if self.sql.is_empty() { " WHERE " } else { " AND " });
        self.sql.push_str(&cond);
    }
}

fn like(q: &str) -> Value {
    let esc = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Value::Text(format!("%{esc}%"))
}

fn page_of<T: serde::de::DeserializeOwned>(
    c: &mut dyn Conn,
    table: &str,
    order: &str,
    w: Where,
    p: Paging,
) -> Result<Page<T>, StoreError> {
    let limit = p.limit.clamp(1, 500);
    let offset = p.offset.max(0);
    let total =
        c.query_opt(&format!("SELECT COUNT(*) FROM {table}{}", w.sql), &w.params)?.map_or(Ok(0), |r| r.int(0))?;
    let mut params = w.params;
    let n = params.len();
    params.push(limit.into());
    params.push(offset.into());
    let rows = c.query(
        &format!("SELECT doc FROM {table}{} ORDER BY {order} LIMIT ${} OFFSET ${}", w.sql, n + 1, n + 2),
        &params,
    )?;
    let items = rows.iter().map(|r| r.json(0)).collect::<Result<_, _>>()?;
    Ok(Page { total, offset, limit, items })
}

/// What the audit administrator searches the records by (SEC-4).
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Exact actor, e.g. `account:jdsj`.
    pub actor: Option<String>,
    /// Exact kind, e.g. `login_failed`.
    pub kind: Option<String>,
    /// Subject prefix, e.g. `account/` or `officer/130123-SJ-001`.
    pub subject: Option<String>,
    pub from: Option<jiff::Timestamp>,
    pub to: Option<jiff::Timestamp>,
}

impl Store {
    /// Records matching `f`, newest first (SEC-4 audit search).
    pub fn search_records(&self, f: &RecordFilter, p: Paging) -> Result<Page<crate::Record>, StoreError> {
        self.read(|c| {
            let mut w = Where::new();
            if let Some(a) = &f.actor {
                w.add("actor = ?", a.into());
            }
            if let Some(k) = &f.kind {
                w.add("kind = ?", k.into());
            }
            if let Some(s) = &f.subject {
                let esc = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                w.add("subject LIKE ? ESCAPE '\\'", Value::Text(format!("{esc}%")));
            }
            if let Some(t) = f.from {
                w.add("recorded_at >= ?", t.as_microsecond().into());
            }
            if let Some(t) = f.to {
                w.add("recorded_at < ?", t.as_microsecond().into());
            }
            let limit = p.limit.clamp(1, 500);
            let offset = p.offset.max(0);
            let total = c.query_opt(&format!("SELECT COUNT(*) FROM records{}", w.sql), &w.params)?;
            let total = total.map_or(Ok(0), |r| r.int(0))?;
            let mut params = w.params;
            let n = params.len();
            params.push(limit.into());
            params.push(offset.into());
            let rows = c.query(
                &format!(
                    "SELECT seq, kind, subject, actor, recorded_at, body FROM records{} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
                    w.sql,
                    n + 1,
                    n + 2
                ),
                &params,
            )?;
            let items = rows.iter().map(crate::record_from_row).collect::<Result<_, _>>()?;
            Ok(Page { total, offset, limit, items })
        })
    }

    pub fn agencies(&self, f: &AgencyFilter, p: Paging) -> Result<Page<Agency>, StoreError> {
        self.read(|c| {
            let mut w = Where::new();
            if let Some(r) = &f.region {
                // Region containment by GB/T 2260 prefix: 130000 → 13%, 130100 → 1301%.
                let prefix = r.trim_end_matches("00");
                let prefix = if prefix.len() % 2 == 1 { &r[..prefix.len() + 1] } else { prefix };
                w.add("region LIKE ?", Value::Text(format!("{prefix}%")));
            }
            if let Some(d) = f.domain {
                w.add("domains LIKE ?", Value::Text(format!("%;{};%", d.as_str())));
            }
            if let Some(s) = &f.status {
                w.add("status = ?", s.into());
            }
            if let Some(q) = &f.q {
                w.add("name LIKE ? ESCAPE '\\'", like(q));
            }
            page_of(c, "agencies", "region, code", w, p)
        })
    }

    pub fn agency(&self, code: &str) -> Result<Option<Agency>, StoreError> {
        self.read(|c| get_agency(c, code))
    }

    pub fn officers(&self, f: &OfficerFilter, p: Paging) -> Result<Page<OfficerRecord>, StoreError> {
        self.read(|c| {
            let mut w = Where::new();
            if let Some(a) = &f.agency {
                w.add("agency = ?", a.into());
            }
            if let Some(q) = &f.q {
                w.add("(name LIKE ? ESCAPE '\\' OR staff_no = $Q)", like(q));
                let n = w.params.len();
                w.sql = w.sql.replace("$Q", &format!("${}", n + 1));
                w.params.push(q.into());
            }
            let page: Page<Officer> = page_of(c, "officers", "agency, staff_no", w, p)?;
            let items = page.items.into_iter().map(|o| officer_record(c, o)).collect::<Result<_, _>>()?;
            Ok(Page { total: page.total, offset: page.offset, limit: page.limit, items })
        })
    }

    pub fn officer(&self, staff_no: &str) -> Result<Option<OfficerRecord>, StoreError> {
        self.read(|c| get_officer(c, staff_no)?.map(|o| officer_record(c, o)).transpose())
    }

    pub fn certificate(&self, number: &str) -> Result<Option<Certificate>, StoreError> {
        self.read(|c| get_certificate(c, number))
    }

    pub fn items(&self, f: &ItemFilter, p: Paging) -> Result<Page<ItemVersion>, StoreError> {
        self.read(|c| {
            let mut w = Where::new();
            if let Some(a) = &f.agency {
                w.add("(exercising = ? OR agency = $A)", a.into());
                let n = w.params.len();
                w.sql = w.sql.replace("$A", &format!("${n}"));
            }
            if let Some(d) = f.domain {
                w.add("domain = ?", d.as_str().into());
            }
            if let Some(k) = &f.kind {
                w.add("kind = ?", k.into());
            }
            if let Some(q) = &f.q {
                w.add("(name LIKE ? ESCAPE '\\' OR code = $Q)", like(q));
                let n = w.params.len();
                w.sql = w.sql.replace("$Q", &format!("${}", n + 1));
                w.params.push(q.into());
            }
            if let Some(b) = f.in_force {
                w.add("in_force = ?", b.into());
            }
            page_of(c, "items", "code", w, p)
        })
    }

    /// Every version of an item, oldest first (ITEM-3 history).
    pub fn item_versions(&self, code: &str) -> Result<Vec<ItemVersion>, StoreError> {
        self.read(|c| {
            c.query("SELECT doc FROM item_versions WHERE code = $1 ORDER BY version", &[code.into()])?
                .iter()
                .map(|r| r.json(0))
                .collect()
        })
    }

    /// The version of an item in force on `date` (the latest whose effective date has come).
    pub fn item_on(&self, code: &str, date: Date) -> Result<Option<ItemVersion>, StoreError> {
        self.read(|c| get_item_on(c, code, date))
    }

    /// The whole list-change history of all items, newest first (ITEM-3, published).
    pub fn item_changes(&self, p: Paging) -> Result<Page<ItemVersion>, StoreError> {
        self.read(|c| page_of(c, "item_versions", "seq DESC", Where::new(), p))
    }

    pub fn inspection_list(&self, domain: Option<Domain>) -> Result<Vec<InspectionEntry>, StoreError> {
        self.read(|c| {
            let mut w = Where::new();
            if let Some(d) = domain {
                w.add("domain = ?", d.as_str().into());
            }
            Ok(page_of(c, "inspection_list", "code", w, Paging { offset: 0, limit: 500 })?.items)
        })
    }

    pub fn reviewers(&self) -> Result<Vec<ReviewerRow>, StoreError> {
        self.read(|c| {
            c.query("SELECT agency, staff_no, since, until_date FROM reviewers ORDER BY agency, staff_no, since", &[])?
                .iter()
                .map(|r| {
                    Ok(ReviewerRow {
                        agency: r.text(0)?.into(),
                        staff_no: r.text(1)?.into(),
                        since: r.text(2)?.into(),
                        until: r.opt_text(3)?.map(Into::into),
                    })
                })
                .collect()
        })
    }

    /// STAFF-5 reviewer ratio per agency: current reviewers against established officers
    /// holding a certificate that is not revoked.
    pub fn reviewer_ratios(&self) -> Result<Vec<ReviewerRatio>, StoreError> {
        self.read(|c| {
            let rows = c.query(
                "SELECT a.code, a.name,
                    (SELECT COUNT(DISTINCT o.staff_no) FROM officers o JOIN certificates k ON k.holder = o.staff_no
                       WHERE o.agency = a.code AND o.employment = 'established' AND k.status <> 'revoked'),
                    (SELECT COUNT(*) FROM reviewers r WHERE r.agency = a.code AND r.until_date IS NULL)
                 FROM agencies a ORDER BY a.region, a.code",
                &[],
            )?;
            rows.iter()
                .map(|r| {
                    let code = CreditCode::parse(r.text(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok(ReviewerRatio::new(code, r.text(1)?.into(), r.int(2)? as u32, r.int(3)? as u32))
                })
                .collect()
        })
    }

    /// The working-day calendar: the shipped years, overridden by years loaded at run time.
    pub fn calendar(&self) -> Result<Calendar, StoreError> {
        self.read(calendar_in)
    }

    pub fn account(&self, login: &str) -> Result<Option<Account>, StoreError> {
        self.read(|c| {
            c.query_opt("SELECT doc FROM accounts WHERE login = $1", &[login.into()])?.map(|r| r.json(0)).transpose()
        })
    }

    /// The account behind an unrevoked API token, by the token's SHA-256 (hex).
    /// Every account, by login (the administrators' user list, SEC-2).
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.read(|c| c.query("SELECT doc FROM accounts ORDER BY login", &[])?.iter().map(|r| r.json(0)).collect())
    }

    pub fn account_by_token(&self, token_sha256: &str) -> Result<Option<Account>, StoreError> {
        self.read(|c| {
            c.query_opt(
                "SELECT a.doc FROM tokens t JOIN accounts a ON a.login = t.login WHERE t.token_sha256 = $1 AND t.revoked = 0",
                &[token_sha256.into()],
            )?
            .map(|r| r.json(0))
            .transpose()
        })
    }

    /// Everything in the registries, for export (deterministic order).
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        self.read(|c| {
            let docs = |c: &mut dyn Conn, sql: &str| -> Result<Vec<Row>, StoreError> { c.query(sql, &[]) };
            let agencies = docs(c, "SELECT doc FROM agencies ORDER BY code")?
                .iter()
                .map(|r| r.json(0))
                .collect::<Result<_, _>>()?;
            let officers: Vec<Officer> = docs(c, "SELECT doc FROM officers ORDER BY staff_no")?
                .iter()
                .map(|r| r.json(0))
                .collect::<Result<_, _>>()?;
            let exams = docs(
                c,
                "SELECT staff_no, exam_passed_on FROM officers WHERE exam_passed_on IS NOT NULL ORDER BY staff_no",
            )?
            .iter()
            .map(|r| Ok((r.text(0)?.to_string(), parse_date(r.text(1)?)?)))
            .collect::<Result<_, StoreError>>()?;
            let certificates = docs(c, "SELECT doc FROM certificates ORDER BY number")?
                .iter()
                .map(|r| r.json(0))
                .collect::<Result<_, _>>()?;
            let training = docs(c, "SELECT staff_no, year, hours FROM training ORDER BY staff_no, year")?
                .iter()
                .map(|r| Ok((r.text(0)?.to_string(), r.int(1)? as i16, r.int(2)? as u32)))
                .collect::<Result<_, StoreError>>()?;
            let item_versions = docs(c, "SELECT doc FROM item_versions ORDER BY code, version")?
                .iter()
                .map(|r| r.json(0))
                .collect::<Result<_, _>>()?;
            let inspection_list = docs(c, "SELECT doc FROM inspection_list ORDER BY code")?
                .iter()
                .map(|r| r.json(0))
                .collect::<Result<_, _>>()?;
            let reviewers = docs(
                c,
                "SELECT agency, staff_no, since FROM reviewers WHERE until_date IS NULL ORDER BY agency, staff_no",
            )?
            .iter()
            .map(|r| Ok((r.text(0)?.to_string(), r.text(1)?.to_string(), parse_date(r.text(2)?)?)))
            .collect::<Result<_, StoreError>>()?;
            Ok(Snapshot {
                agencies,
                officers,
                exams,
                certificates,
                training,
                reviewers,
                item_versions,
                inspection_list,
            })
        })
    }
}

fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse().map_err(|e| StoreError::Corrupt(format!("date {s}: {e}")))
}

fn officer_record(c: &mut dyn Conn, officer: Officer) -> Result<OfficerRecord, StoreError> {
    let agency_name = get_agency(c, officer.agency.as_str())?.map(|a| a.name).unwrap_or_default();
    let certificates = c
        .query("SELECT doc FROM certificates WHERE holder = $1 ORDER BY number", &[officer.staff_no.as_str().into()])?
        .iter()
        .map(|r| r.json(0))
        .collect::<Result<_, _>>()?;
    let qualification = officer_qualification(c, &officer.staff_no)?;
    let reviewer_of = c
        .query(
            "SELECT agency FROM reviewers WHERE staff_no = $1 AND until_date IS NULL ORDER BY agency",
            &[officer.staff_no.as_str().into()],
        )?
        .iter()
        .map(|r| CreditCode::parse(r.text(0)?).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(OfficerRecord { officer, agency_name, certificates, qualification, reviewer_of })
}
