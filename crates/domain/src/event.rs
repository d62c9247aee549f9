//! The record spine's facts for the registries. Every change is an [`Event`] written as
//! a record; registry tables are projections of them. [`check`] decides, against the
//! current registry, whether an event may be recorded.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::calendar::HolidayYear;
use crate::codes::CreditCode;
use crate::item::{InspectionEntry, ItemKind, ItemVersion};
use crate::registry::{Agency, CertStatus, Certificate, Employment, Officer, RevocationReason};
use crate::view::{Refused, RegistryView};
use crate::violation::{Violation, check_text};

/// A registry fact. Serialized with `type` as the tag; the tag is the record's kind.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    AgencyRegistered {
        agency: Agency,
    },
    AgencyUpdated {
        agency: Agency,
    },
    OfficerRegistered {
        officer: Officer,
    },
    OfficerUpdated {
        officer: Officer,
    },
    CertificateIssued {
        certificate: Certificate,
    },
    CertificateSuspended {
        number: String,
        on: Date,
        reason: String,
    },
    CertificateReinstated {
        number: String,
        on: Date,
    },
    CertificateRevoked {
        number: String,
        on: Date,
        reason: RevocationReason,
    },
    CertificateChecked {
        number: String,
        on: Date,
        passed: bool,
        #[serde(default)]
        note: String,
    },
    TrainingRecorded {
        staff_no: String,
        year: i16,
        hours: u32,
        course: String,
    },
    ExamRecorded {
        staff_no: String,
        on: Date,
        passed: bool,
        #[serde(default)]
        score: Option<u32>,
    },
    ReviewerAppointed {
        agency: CreditCode,
        staff_no: String,
        on: Date,
    },
    ReviewerRemoved {
        agency: CreditCode,
        staff_no: String,
        on: Date,
        reason: String,
    },
    ItemVersionAdded {
        item: ItemVersion,
    },
    InspectionEntrySet {
        entry: InspectionEntry,
    },
    InspectionEntryRemoved {
        code: String,
        reason: String,
    },
    CalendarYearLoaded {
        year: HolidayYear,
    },
    AccountCreated {
        account: Account,
    },
    /// SEC-2, SEC-3: the system administrator changed an account — its name, roles, agency
    /// or staff entry, or disabled or re-enabled it — giving a reason. The login is the key
    /// and does not change.
    AccountChanged {
        account: Account,
        reason: String,
    },
    TokenCreated {
        id: String,
        login: String,
        token_sha256: String,
        label: String,
    },
    TokenRevoked {
        id: String,
    },
    /// SEC-4: login attempts and session ends are records.
    LoginSucceeded {
        login: String,
    },
    LoginFailed {
        login: String,
        reason: String,
    },
    LoggedOut {
        login: String,
    },
    /// SEC-1: the password was set (the hash is kept apart, never in a record).
    PasswordChanged {
        login: String,
    },
    /// REC-7: someone viewed or downloaded a record (who is the record's actor), and why.
    RecordViewed {
        seq: i64,
        /// The viewed record's subject, so a subject's views stand with its records (REC-8).
        of: String,
        what: String,
        reason: String,
    },
    /// LOG-2: an operator acknowledged that the database's log no longer extends a
    /// checkpoint already published (a restore from an older backup). Kept as a record so
    /// the break is itself on the log.
    LogRewindAcknowledged {
        previous_checkpoint: String,
        tree_size: u64,
        reason: String,
    },
    /// CASE-1: a case is opened under its number (checked by [`crate::case`]).
    CaseOpened {
        case: crate::case::CaseFile,
    },
    /// REC-1: one act of a case's procedure.
    CaseStepRecorded {
        case: String,
        step: Box<crate::case::Step>,
    },
    /// An agency head approves the next act of a case (or its late entry, REC-5).
    CaseApproved {
        case: String,
        approval: crate::case::Approval,
    },
    /// REC-3, REC-4: a file stored as evidence of a case; its hash is on the log.
    EvidenceStored {
        evidence: crate::case::Evidence,
    },
    /// REC-6: a file deleted after its retention; the record stays.
    EvidenceDeleted {
        case: String,
        sha256: String,
        by: String,
        reason: String,
    },
    CaseSettingsSet {
        agency: CreditCode,
        settings: crate::case::CaseSettings,
    },
    /// CASE-1: the province's case-number rule.
    CaseNumberRuleSet {
        rule: crate::penalty::CaseNumberRule,
    },
    /// REV-1: a version of an agency's review catalogue.
    ReviewCatalogueSet {
        catalogue: crate::review::ReviewCatalogue,
    },
    /// PROC-1: an agency adapts a shipped procedure definition (the file as written; it
    /// `extends` a shipped one). Cases opened afterwards run under it; earlier cases keep
    /// the definition they were opened under.
    ProcedureAdapted {
        agency: CreditCode,
        file: String,
        source: String,
    },
    /// REV-1: the province's switch "every general-procedure penalty is reviewed".
    ReviewEveryGeneralPenaltySet {
        on: bool,
    },
    /// SEC-1: the security administrator's settings (which roles must use a second factor).
    SecuritySettingsSet {
        settings: crate::security::SecuritySettings,
    },
    /// SEC-1, SEC-4: a TOTP second factor was confirmed for the login (the secret is kept
    /// beside the records, never in one).
    TotpEnrolled {
        login: String,
    },
    /// SEC-1: the security administrator removed a login's second factor (a lost or
    /// compromised authenticator); the account enrols again at its next login, and its
    /// sessions ended.
    TotpReset {
        login: String,
        reason: String,
    },
    /// SEC-1, SEC-4: a wrong or replayed TOTP code, at login or at enrolment.
    TotpRejected {
        login: String,
        reason: String,
    },
    /// PUB-4, PUB-7: a decided case's decision (or inspection result) published, redacted
    /// (PUB-5): the record holds the redacted publication only.
    DecisionPublished {
        publication: Box<crate::publication::Publication>,
    },
    /// PUB-6: a published decision withdrawn (changed, revoked, confirmed illegal, void);
    /// the reason is published.
    PublicationWithdrawn {
        id: String,
        reason: String,
        ground: crate::publication::WithdrawalGround,
        /// When the ground arose (the 3 working days run from it).
        arose_on: Date,
    },
    /// PUB-6: the publication period ended; the item leaves the portal.
    PublicationExpired {
        id: String,
    },
    /// PUB-4, PUB-6: an agency's publication limits and periods.
    PublicationPolicySet {
        agency: CreditCode,
        policy: crate::publication::PublicationPolicy,
    },
    /// CMP-1: a complaint taken from the portal.
    ComplaintReceived {
        complaint: crate::publication::Complaint,
    },
    /// CASE-6, REC-1, LOG-5: an official document was issued; its hash and signature are on
    /// the log (checked by the store, with the case's records and the server clock).
    DocumentIssued {
        document: crate::document::IssuedDocument,
    },
    /// CASE-6: an agency's document numbering patterns, remedy bodies and payment account.
    DocumentSettingsSet {
        agency: CreditCode,
        settings: crate::document::DocumentSettings,
    },
}

impl Event {
    /// The record kind (the serde tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::AgencyRegistered { .. } => "agency_registered",
            Event::AgencyUpdated { .. } => "agency_updated",
            Event::OfficerRegistered { .. } => "officer_registered",
            Event::OfficerUpdated { .. } => "officer_updated",
            Event::CertificateIssued { .. } => "certificate_issued",
            Event::CertificateSuspended { .. } => "certificate_suspended",
            Event::CertificateReinstated { .. } => "certificate_reinstated",
            Event::CertificateRevoked { .. } => "certificate_revoked",
            Event::CertificateChecked { .. } => "certificate_checked",
            Event::TrainingRecorded { .. } => "training_recorded",
            Event::ExamRecorded { .. } => "exam_recorded",
            Event::ReviewerAppointed { .. } => "reviewer_appointed",
            Event::ReviewerRemoved { .. } => "reviewer_removed",
            Event::ItemVersionAdded { .. } => "item_version_added",
            Event::InspectionEntrySet { .. } => "inspection_entry_set",
            Event::InspectionEntryRemoved { .. } => "inspection_entry_removed",
            Event::CalendarYearLoaded { .. } => "calendar_year_loaded",
            Event::AccountCreated { .. } => "account_created",
            Event::AccountChanged { .. } => "account_changed",
            Event::TokenCreated { .. } => "token_created",
            Event::TokenRevoked { .. } => "token_revoked",
            Event::LogRewindAcknowledged { .. } => "log_rewind_acknowledged",
            Event::CaseOpened { .. } => "case_opened",
            Event::CaseStepRecorded { .. } => "case_step_recorded",
            Event::CaseApproved { .. } => "case_approved",
            Event::EvidenceStored { .. } => "evidence_stored",
            Event::EvidenceDeleted { .. } => "evidence_deleted",
            Event::CaseSettingsSet { .. } => "case_settings_set",
            Event::CaseNumberRuleSet { .. } => "case_number_rule_set",
            Event::ReviewCatalogueSet { .. } => "review_catalogue_set",
            Event::ProcedureAdapted { .. } => "procedure_adapted",
            Event::ReviewEveryGeneralPenaltySet { .. } => "review_every_general_penalty_set",
            Event::RecordViewed { .. } => "record_viewed",
            Event::LoginSucceeded { .. } => "login_succeeded",
            Event::LoginFailed { .. } => "login_failed",
            Event::LoggedOut { .. } => "logged_out",
            Event::PasswordChanged { .. } => "password_changed",
            Event::SecuritySettingsSet { .. } => "security_settings_set",
            Event::TotpEnrolled { .. } => "totp_enrolled",
            Event::TotpReset { .. } => "totp_reset",
            Event::TotpRejected { .. } => "totp_rejected",
            Event::DecisionPublished { .. } => "decision_published",
            Event::PublicationWithdrawn { .. } => "publication_withdrawn",
            Event::PublicationExpired { .. } => "publication_expired",
            Event::PublicationPolicySet { .. } => "publication_policy_set",
            Event::ComplaintReceived { .. } => "complaint_received",
            Event::DocumentIssued { .. } => "document_issued",
            Event::DocumentSettingsSet { .. } => "document_settings_set",
        }
    }

    /// What the record is about, e.g. `officer/A001`; records of one subject are kept
    /// together (REC-8).
    pub fn subject(&self) -> String {
        match self {
            Event::AgencyRegistered { agency } | Event::AgencyUpdated { agency } => format!("agency/{}", agency.code),
            Event::OfficerRegistered { officer } | Event::OfficerUpdated { officer } => {
                format!("officer/{}", officer.staff_no)
            }
            Event::CertificateIssued { certificate } => format!("certificate/{}", certificate.number),
            Event::CertificateSuspended { number, .. }
            | Event::CertificateReinstated { number, .. }
            | Event::CertificateRevoked { number, .. }
            | Event::CertificateChecked { number, .. } => format!("certificate/{number}"),
            Event::TrainingRecorded { staff_no, .. } | Event::ExamRecorded { staff_no, .. } => {
                format!("officer/{staff_no}")
            }
            Event::ReviewerAppointed { staff_no, .. } | Event::ReviewerRemoved { staff_no, .. } => {
                format!("officer/{staff_no}")
            }
            Event::ItemVersionAdded { item } => format!("item/{}", item.code),
            Event::InspectionEntrySet { entry } => format!("inspection/{}", entry.code),
            Event::InspectionEntryRemoved { code, .. } => format!("inspection/{code}"),
            Event::CalendarYearLoaded { year } => format!("calendar/{}", year.year),
            Event::AccountCreated { account } | Event::AccountChanged { account, .. } => {
                format!("account/{}", account.login)
            }
            Event::TokenCreated { id, .. } | Event::TokenRevoked { id } => format!("token/{id}"),
            Event::LogRewindAcknowledged { .. } => "log/rewind".into(),
            Event::CaseOpened { case } => format!("case/{}", case.number),
            Event::CaseStepRecorded { case, .. }
            | Event::CaseApproved { case, .. }
            | Event::EvidenceDeleted { case, .. } => format!("case/{case}"),
            Event::EvidenceStored { evidence } => format!("case/{}", evidence.case),
            Event::CaseSettingsSet { agency, .. } => format!("agency/{agency}"),
            Event::CaseNumberRuleSet { .. } => "settings/case-number".into(),
            Event::ReviewCatalogueSet { catalogue } => format!("agency/{}", catalogue.agency),
            Event::ReviewEveryGeneralPenaltySet { .. } => "settings/review".into(),
            Event::ProcedureAdapted { agency, .. } => format!("agency/{agency}"),
            Event::RecordViewed { of, .. } => of.clone(),
            Event::LoginSucceeded { login }
            | Event::LoginFailed { login, .. }
            | Event::LoggedOut { login }
            | Event::PasswordChanged { login }
            | Event::TotpEnrolled { login }
            | Event::TotpReset { login, .. }
            | Event::TotpRejected { login, .. } => format!("account/{login}"),
            Event::SecuritySettingsSet { .. } => "settings/security".into(),
            Event::DecisionPublished { publication } => format!("publication/{}", publication.id),
            Event::PublicationWithdrawn { id, .. } | Event::PublicationExpired { id } => format!("publication/{id}"),
            Event::PublicationPolicySet { agency, .. } => format!("agency/{agency}"),
            Event::ComplaintReceived { complaint } => format!("complaint/{}", complaint.tracking),
            Event::DocumentIssued { document } => format!("case/{}", document.case),
            Event::DocumentSettingsSet { agency, .. } => format!("agency/{agency}"),
        }
    }
}

fn v<T, E>(r: Result<T, E>) -> Result<T, Refused<E>> {
    r.map_err(Refused::View)
}

fn rule<E>(rule: &'static str, field: &str, msg: impl Into<String>) -> Refused<E> {
    Refused::Rule(Violation::new(rule, msg).at(field))
}

/// Decides whether `event` may be recorded given the registry as `view` sees it.
pub fn check<V: RegistryView>(event: &Event, view: &V) -> Result<(), Refused<V::Error>> {
    match event {
        Event::AgencyRegistered { agency } | Event::AgencyUpdated { agency } => {
            agency.validate()?;
            if crate::regions::lookup(&agency.region).is_none() {
                return Err(rule(
                    "SUBJ-1",
                    "region",
                    format!("行政区划代码 {} 不在 GB/T 2260 代码表中", agency.region),
                ));
            }
            let existing = v(view.agency(&agency.code))?;
            match (event, existing) {
                (Event::AgencyRegistered { .. }, Some(_)) => {
                    return Err(rule("SUBJ-1", "code", format!("统一社会信用代码 {} 已登记", agency.code)));
                }
                (Event::AgencyUpdated { .. }, None) => {
                    return Err(rule("SUBJ-1", "code", format!("执法主体 {} 不存在", agency.code)));
                }
                _ => {}
            }
            if let Some(by) = &agency.entrusted_by {
                let Some(principal) = v(view.agency(by))? else {
                    return Err(rule("SUBJ-2", "entrusted_by", format!("委托机关 {by} 不存在")));
                };
                if principal.entrusted_by.is_some() {
                    return Err(rule("SUBJ-2", "entrusted_by", "受委托组织不得再委托"));
                }
            }
        }
        Event::OfficerRegistered { officer } | Event::OfficerUpdated { officer } => {
            officer.validate()?;
            let existing = v(view.officer(&officer.staff_no))?;
            match (event, existing) {
                (Event::OfficerRegistered { .. }, Some(_)) => {
                    return Err(rule("STAFF-1", "staff_no", format!("人员编号 {} 已存在", officer.staff_no)));
                }
                (Event::OfficerUpdated { .. }, None) => {
                    return Err(rule("STAFF-1", "staff_no", format!("人员 {} 不存在", officer.staff_no)));
                }
                _ => {}
            }
            if v(view.agency(&officer.agency))?.is_none() {
                return Err(rule("STAFF-1", "agency", format!("执法主体 {} 不存在", officer.agency)));
            }
        }
        Event::CertificateIssued { certificate } => {
            certificate.validate()?;
            if v(view.certificate(&certificate.number))?.is_some() {
                return Err(rule("STAFF-2", "number", format!("执法证号 {} 已存在", certificate.number)));
            }
            let Some(holder) = v(view.officer(&certificate.holder))? else {
                return Err(rule("STAFF-2", "holder", format!("持证人 {} 不存在", certificate.holder)));
            };
            if holder.employment != Employment::Established {
                return Err(rule(
                    "STAFF-4",
                    "holder",
                    format!("{}（{}）不得申领执法证", holder.name, holder.employment.label()),
                ));
            }
            let agency = v(view.agency(&holder.agency))?;
            if let Some(agency) = agency
                && let Some(d) = certificate.categories.iter().find(|d| !agency.domains.contains(d))
            {
                return Err(rule(
                    "STAFF-2",
                    "categories",
                    format!("执法类别「{}」不在持证人所在执法主体{}的执法领域内", d.label(), agency.name),
                ));
            }
        }
        Event::CertificateSuspended { number, on, reason } => {
            check_text("reason", reason, 500, true)?;
            let c = existing_cert(view, number)?;
            check_date_not_before(on, c.issued_on)?;
            if c.status != CertStatus::Valid {
                return Err(rule(
                    "STAFF-2",
                    "number",
                    format!("执法证 {number} 当前为「{}」，不能暂扣", c.status.label()),
                ));
            }
        }
        Event::CertificateReinstated { number, on } => {
            let c = existing_cert(view, number)?;
            check_date_not_before(on, c.issued_on)?;
            if !matches!(c.status, CertStatus::Suspended { .. }) {
                return Err(rule(
                    "STAFF-2",
                    "number",
                    format!("执法证 {number} 当前为「{}」，不能恢复", c.status.label()),
                ));
            }
        }
        Event::CertificateRevoked { number, on, .. } => {
            let c = existing_cert(view, number)?;
            check_date_not_before(on, c.issued_on)?;
            if matches!(c.status, CertStatus::Revoked { .. }) {
                return Err(rule("STAFF-2", "number", format!("执法证 {number} 已注销")));
            }
        }
        Event::CertificateChecked { number, on, note, .. } => {
            check_text("note", note, 500, false)?;
            let c = existing_cert(view, number)?;
            check_date_not_before(on, c.issued_on)?;
            if matches!(c.status, CertStatus::Revoked { .. }) {
                return Err(rule("STAFF-3", "number", format!("执法证 {number} 已注销，不能年检")));
            }
        }
        Event::TrainingRecorded { staff_no, year, hours, course } => {
            check_text("course", course, 200, true)?;
            existing_officer(view, staff_no)?;
            if !(1..=200).contains(hours) {
                return Err(rule("STAFF-3", "hours", format!("培训学时 {hours} 须在 1 至 200 之间")));
            }
            if !(2000..=2100).contains(year) {
                return Err(rule("STAFF-3", "year", format!("年度 {year} 不合理")));
            }
        }
        Event::ExamRecorded { staff_no, score, .. } => {
            existing_officer(view, staff_no)?;
            if score.is_some_and(|s| s > 100) {
                return Err(rule("STAFF-3", "score", "考试成绩须在 0 至 100 之间"));
            }
        }
        Event::ReviewerAppointed { agency, staff_no, .. } => {
            let officer = existing_officer(view, staff_no)?;
            if v(view.agency(agency))?.is_none() {
                return Err(rule("STAFF-5", "agency", format!("执法主体 {agency} 不存在")));
            }
            if &officer.agency != agency {
                return Err(rule("STAFF-5", "staff_no", format!("{} 不属于执法主体 {agency}", officer.name)));
            }
            if v(view.is_reviewer(agency, staff_no))? {
                return Err(rule("STAFF-5", "staff_no", format!("{} 已是该机关的法制审核人员", officer.name)));
            }
            if !v(view.was_ever_reviewer(staff_no))? && !officer.legal_qualification {
                return Err(rule(
                    "STAFF-5",
                    "staff_no",
                    format!("{} 初次从事法制审核，须取得法律职业资格", officer.name),
                ));
            }
        }
        Event::ReviewerRemoved { agency, staff_no, reason, .. } => {
            check_text("reason", reason, 500, true)?;
            if !v(view.is_reviewer(agency, staff_no))? {
                return Err(rule("STAFF-5", "staff_no", format!("{staff_no} 不是该机关的法制审核人员")));
            }
        }
        Event::ItemVersionAdded { item } => check_item(item, view)?,
        Event::InspectionEntrySet { entry } => {
            entry.validate()?;
            if v(view.agency(&entry.agency))?.is_none() {
                return Err(rule("ITEM-5", "agency", format!("执法主体 {} 不存在", entry.agency)));
            }
            match v(view.latest_item(&entry.item_code))? {
                Some(i) if i.kind == ItemKind::Inspection && i.in_force() => {}
                Some(i) => {
                    return Err(rule(
                        "ITEM-5",
                        "item_code",
                        format!("事项 {} 是{}（{}），不是有效的行政检查事项", i.code, i.kind.label(), i.change.label()),
                    ));
                }
                None => return Err(rule("ITEM-5", "item_code", format!("事项 {} 不存在", entry.item_code))),
            }
        }
        Event::InspectionEntryRemoved { code, reason } => {
            check_text("reason", reason, 500, true)?;
            if v(view.inspection_entry(code))?.is_none() {
                return Err(rule("ITEM-5", "code", format!("抽查事项 {code} 不存在")));
            }
        }
        Event::CalendarYearLoaded { year } => {
            year.validate()
                .map_err(|e| rule("CAL-1", "year", e.to_string().trim_start_matches("CAL-1: ").to_string()))?;
        }
        Event::AccountCreated { account } => {
            account.validate()?;
            if v(view.account(&account.login))?.is_some() {
                return Err(rule("SEC-1", "login", format!("账号 {} 已存在", account.login)));
            }
            check_account_links(view, account)?;
        }
        Event::AccountChanged { account, reason } => {
            account.validate()?;
            check_text("reason", reason, 500, true)?;
            if v(view.account(&account.login))?.is_none() {
                return Err(rule("SEC-1", "login", format!("账号 {} 不存在", account.login)));
            }
            check_account_links(view, account)?;
        }
        Event::TotpReset { login, reason } => {
            check_text("reason", reason, 500, true)?;
            if v(view.account(login))?.is_none() {
                return Err(rule("SEC-1", "login", format!("账号 {login} 不存在")));
            }
        }
        Event::TokenCreated { id, login, token_sha256, label } => {
            check_text("label", label, 100, false)?;
            if v(view.account(login))?.is_none() {
                return Err(rule("SEC-1", "login", format!("账号 {login} 不存在")));
            }
            if token_sha256.len() != 64 || !token_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(rule("SEC-1", "token_sha256", "令牌摘要格式错误"));
            }
            if v(view.token_revoked(id))?.is_some() {
                return Err(rule("SEC-1", "id", format!("令牌 {id} 已存在")));
            }
        }
        Event::LoginSucceeded { login }
        | Event::LoggedOut { login }
        | Event::PasswordChanged { login }
        | Event::TotpEnrolled { login } => {
            if v(view.account(login))?.is_none() {
                return Err(rule("SEC-1", "login", format!("账号 {login} 不存在")));
            }
        }
        Event::RecordViewed { reason, what, .. } => {
            check_text("reason", reason, 500, true)?;
            check_text("what", what, 50, true)?;
            if reason.trim().chars().count() < 2 {
                return Err(rule("REC-7", "reason", "调阅记录须说明事由"));
            }
        }
        // A failed attempt is recorded whatever login was typed (SEC-4), bounded and clean.
        Event::LoginFailed { login, reason } => {
            check_text("login", login, 100, false)?;
            check_text("reason", reason, 200, true)?;
        }
        Event::TotpRejected { login, reason } => {
            check_text("reason", reason, 200, true)?;
            if v(view.account(login))?.is_none() {
                return Err(rule("SEC-1", "login", format!("账号 {login} 不存在")));
            }
        }
        Event::SecuritySettingsSet { settings } => settings.validate()?,
        Event::LogRewindAcknowledged { previous_checkpoint, reason, .. } => {
            check_text("reason", reason, 2000, true)?;
            check_text("previous_checkpoint", previous_checkpoint, 10_000, true)?;
        }
        Event::TokenRevoked { id } => match v(view.token_revoked(id))? {
            None => return Err(rule("SEC-1", "id", format!("令牌 {id} 不存在"))),
            Some(true) => return Err(rule("SEC-1", "id", format!("令牌 {id} 已吊销"))),
            Some(false) => {}
        },
        Event::CaseSettingsSet { agency, settings } => {
            if v(view.agency(agency))?.is_none() {
                return Err(rule("SUBJ-1", "agency", format!("执法主体 {agency} 不存在")));
            }
            let t = &settings.hearing;
            if t.person_fen <= 0 || t.organisation_fen <= 0 {
                return Err(rule("CASE-4", "hearing", "较大数额罚款标准必须为正数"));
            }
        }
        Event::CaseNumberRuleSet { rule } => rule.validate()?,
        Event::ReviewCatalogueSet { catalogue } => {
            if v(view.agency(&catalogue.agency))?.is_none() {
                return Err(rule("SUBJ-1", "agency", format!("执法主体 {} 不存在", catalogue.agency)));
            }
            catalogue.validate()?;
        }
        Event::ReviewEveryGeneralPenaltySet { .. } => {}
        Event::DocumentSettingsSet { agency, settings } => {
            if v(view.agency(agency))?.is_none() {
                return Err(rule("SUBJ-1", "agency", format!("执法主体 {agency} 不存在")));
            }
            settings.validate()?;
        }
        // Checked by the store, which knows the definitions already adopted.
        Event::ProcedureAdapted { .. } => {}
        // Checked by `crate::case` with the case's records and the server clock.
        Event::CaseOpened { .. }
        | Event::CaseStepRecorded { .. }
        | Event::CaseApproved { .. }
        | Event::EvidenceStored { .. }
        | Event::EvidenceDeleted { .. }
        | Event::DocumentIssued { .. } => {}
        // Checked by the store with the publication state and the clock
        // (`zhifa_domain::publication`).
        Event::DecisionPublished { .. } | Event::PublicationWithdrawn { .. } | Event::PublicationExpired { .. } => {}
        Event::PublicationPolicySet { agency, policy } => {
            policy.validate()?;
            if v(view.agency(agency))?.is_none() {
                return Err(rule("PUB-4", "agency", format!("执法主体 {agency} 不存在")));
            }
        }
        Event::ComplaintReceived { complaint } => {
            complaint.validate()?;
            if let Some(a) = &complaint.agency
                && v(view.agency(a))?.is_none()
            {
                return Err(rule("CMP-1", "agency", format!("执法主体 {a} 不存在")));
            }
        }
    }
    Ok(())
}

/// SEC-2: an account's agency exists, and its staff entry is a person of that agency.
fn check_account_links<V: RegistryView>(view: &V, account: &Account) -> Result<(), Refused<V::Error>> {
    if let Some(a) = &account.agency
        && v(view.agency(a))?.is_none()
    {
        return Err(rule("SEC-2", "agency", format!("执法主体 {a} 不存在")));
    }
    if let Some(n) = &account.staff_no {
        let Some(person) = v(view.officer(n))? else {
            return Err(rule("SEC-2", "staff_no", format!("人员 {n} 不存在")));
        };
        if account.agency.as_ref() != Some(&person.agency) {
            return Err(rule("SEC-2", "staff_no", format!("人员 {n} 不属于该账号的执法主体")));
        }
    }
    Ok(())
}

fn existing_cert<V: RegistryView>(view: &V, number: &str) -> Result<Certificate, Refused<V::Error>> {
    view.certificate(number)
        .map_err(Refused::View)?
        .ok_or_else(|| rule("STAFF-2", "number", format!("执法证 {number} 不存在")))
}

fn existing_officer<V: RegistryView>(view: &V, staff_no: &str) -> Result<Officer, Refused<V::Error>> {
    view.officer(staff_no)
        .map_err(Refused::View)?
        .ok_or_else(|| rule("STAFF-1", "staff_no", format!("人员 {staff_no} 不存在")))
}

fn check_date_not_before<E>(on: &Date, issued: Date) -> Result<(), Refused<E>> {
    if *on < issued {
        return Err(rule("STAFF-2", "on", format!("日期 {on} 早于发证日期 {issued}")));
    }
    Ok(())
}

fn check_item<V: RegistryView>(item: &ItemVersion, view: &V) -> Result<(), Refused<V::Error>> {
    item.validate()?;
    let Some(agency) = v(view.agency(&item.agency))? else {
        return Err(rule("ITEM-1", "agency", format!("实施主体 {} 不存在", item.agency)));
    };
    if !agency.domains.contains(&item.domain) {
        return Err(rule("ITEM-1", "domain", format!("{}的执法领域不含「{}」", agency.name, item.domain.label())));
    }
    if let Some(to) = &item.delegated_to
        && v(view.agency(to))?.is_none()
    {
        return Err(rule("ITEM-3", "delegated_to", format!("承接主体 {to} 不存在")));
    }
    if let Some(target) = &item.merged_into {
        match v(view.latest_item(target))? {
            Some(t) if t.in_force() => {}
            _ => return Err(rule("ITEM-3", "merged_into", format!("并入的事项 {target} 不存在或已失效"))),
        }
    }
    let previous = v(view.latest_item(&item.code))?;
    match previous {
        None if item.version != 1 => {
            return Err(rule("ITEM-3", "version", format!("事项 {} 不存在，版本号应为 1", item.code)));
        }
        None => {}
        Some(p) => {
            if item.version != p.version + 1 {
                return Err(rule(
                    "ITEM-3",
                    "version",
                    format!("事项 {} 当前为第 {} 版，新版本号应为 {}", item.code, p.version, p.version + 1),
                ));
            }
            if !p.in_force() {
                return Err(rule("ITEM-3", "code", format!("事项 {} 已{}，不能再变更", item.code, p.change.label())));
            }
            if item.effective_from < p.effective_from {
                return Err(rule(
                    "ITEM-3",
                    "effective_from",
                    format!("生效日期 {} 早于上一版的生效日期 {}", item.effective_from, p.effective_from),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SEC-2: `disabled` was added later; records written before read as enabled, and an
    /// enabled account is written exactly as before.
    #[test]
    fn an_enabled_account_keeps_its_old_shape() {
        let old = r#"{"login":"a1","display_name":"张三","roles":["officer"],"agency":null,"staff_no":null}"#;
        let a: Account = serde_json::from_str(old).unwrap();
        assert!(!a.disabled);
        assert_eq!(serde_json::to_string(&a).unwrap(), old);
        let off = Account { disabled: true, ..a };
        assert!(serde_json::to_string(&off).unwrap().ends_with(r#""disabled":true}"#));
    }
}
