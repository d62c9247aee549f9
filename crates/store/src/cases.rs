//! Case projections (PROC-1, CASE-*, REC-*): how each case record changes the tables, the
//! [`CaseView`] the domain's case checks read over the write transaction, and the case
//! queries.

use jiff::Timestamp;
use serde::Serialize;
use zhifa_domain::calendar::Calendar;
use zhifa_domain::case::{
    self, ApprovalRecord, CaseFile, CaseSettings, CaseView, Evidence, StepRecord, derive_facts, number_parts,
    number_scope,
};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::item::{ItemVersion, ProcedureKind};
use zhifa_domain::penalty::CaseNumberRule;
use zhifa_domain::procedure::{self, DefinitionId, ProcedureDefinition};
use zhifa_domain::registry::{Certificate, Qualification};
use zhifa_domain::review::ReviewCatalogue;
use zhifa_domain::view::{Refused, RegistryView};

use crate::registry::{Page, Paging, TxView, calendar_in, get_item_on, officer_qualification};
use crate::sql::{Conn, Value};
use crate::{Store, StoreError};

fn json<T: Serialize>(v: &T) -> Value {
    Value::Text(serde_json::to_string(v).expect("case types serialize"))
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(crate) fn clear(c: &mut dyn Conn) -> Result<(), StoreError> {
    for t in [
        "cases",
        "case_steps",
        "case_approvals",
        "evidence",
        "case_numbers",
        "case_settings",
        "platform_settings",
        "review_catalogues",
        "procedure_defs",
        "documents",
        "document_numbers",
        "document_settings",
    ] {
        c.execute(&format!("DELETE FROM {t}"), &[])?;
    }
    Ok(())
}

/// Is this one of the events checked here (with the clock) rather than by the registry?
pub(crate) fn is_case_event(e: &Event) -> bool {
    matches!(
        e,
        Event::CaseOpened { .. }
            | Event::CaseStepRecorded { .. }
            | Event::CaseApproved { .. }
            | Event::EvidenceStored { .. }
            | Event::EvidenceDeleted { .. }
            | Event::ReviewCatalogueSet { .. }
            | Event::ProcedureAdapted { .. }
            | Event::DocumentIssued { .. }
    )
}

pub(crate) fn check_in(c: &mut dyn Conn, event: &Event, now: Timestamp) -> Result<(), Refused<StoreError>> {
    let view = TxView::new(c);
    match event {
        Event::CaseOpened { case } => case::check_open(case, &view, now),
        Event::CaseStepRecorded { case, step } => case::check_step(case, step, &view, now),
        Event::CaseApproved { case, approval } => case::check_approval(case, approval, &view),
        Event::ProcedureAdapted { agency, file, source } => {
            if view.agency(agency).map_err(Refused::View)?.is_none() {
                return Err(Refused::Rule(zhifa_domain::Violation::new("SUBJ-1", format!("执法主体 {agency} 不存在"))));
            }
            zhifa_domain::violation::check_text("file", file, 100, true)?;
            let def = procedure::parse(file, source).map_err(|errors| {
                Refused::Many(
                    errors
                        .into_iter()
                        .map(|e| zhifa_domain::Violation::new("PROC-1", e.to_string()).at(format!("source:{}", e.line)))
                        .collect(),
                )
            })?;
            if def.extends.is_none() {
                return Err(Refused::Rule(zhifa_domain::Violation::new(
                    "PROC-1",
                    "机关只能调整平台提供的程序定义：文件须以 extends 指明所调整的定义",
                )));
            }
            if view.definition(&def.id()).map_err(Refused::View)?.is_some() {
                return Err(Refused::Rule(zhifa_domain::Violation::new(
                    "PROC-1",
                    format!("程序定义 {} 已存在：调整须使用新的编码或版本号", def.id()),
                )));
            }
            Ok(())
        }
        Event::ReviewCatalogueSet { catalogue } => {
            zhifa_domain::event::check(event, &view)?;
            let latest = view
                .conn()
                .query_opt(
                    "SELECT MAX(version) FROM review_catalogues WHERE agency = $1",
                    &[catalogue.agency.as_str().into()],
                )
                .map_err(Refused::View)?
                .map(|r| r.opt_int(0))
                .transpose()
                .map_err(Refused::View)?
                .flatten()
                .unwrap_or(0);
            if i64::from(catalogue.version) != latest + 1 {
                return Err(Refused::Rule(zhifa_domain::Violation::new(
                    "REV-1",
                    format!("审核目录清单的新版本应为第 {} 版", latest + 1),
                )));
            }
            Ok(())
        }
        Event::EvidenceStored { evidence } => case::check_evidence(evidence, &view, now),
        Event::DocumentIssued { document } => crate::documents::check_in(c, document, now),
        Event::EvidenceDeleted { case, sha256, by, reason } => {
            zhifa_domain::violation::check_text("reason", reason, 500, true)?;
            let stored_at = view.stored_at(case, sha256).map_err(Refused::View)?;
            let file = view.case(case).map_err(Refused::View)?;
            let Some(file) = file else {
                return Err(Refused::Rule(zhifa_domain::Violation::new("PROC-1", format!("案件 {case} 不存在"))));
            };
            let account = view.account(by).map_err(Refused::View)?;
            if !account
                .is_some_and(|a| a.has(zhifa_domain::account::Role::SystemAdmin) || a.agency == Some(file.agency))
            {
                return Err(Refused::Rule(zhifa_domain::Violation::new("SEC-2", "无权删除本案音像资料")));
            }
            match stored_at {
                None => {
                    Err(Refused::Rule(zhifa_domain::Violation::new("REC-6", format!("证据 {sha256} 不存在或已删除"))))
                }
                Some(at) => case::check_evidence_deletion(case, sha256, at, &view, now),
            }
        }
        _ => Ok(()),
    }
}

fn recorded_at(c: &mut dyn Conn, seq: i64) -> Result<Timestamp, StoreError> {
    let r = c.query_opt("SELECT recorded_at FROM records WHERE seq = $1", &[seq.into()])?;
    let micros = r.ok_or_else(|| corrupt(format!("record {seq} missing")))?.int(0)?;
    Timestamp::from_microsecond(micros).map_err(corrupt)
}

/// Applies a case event to the projections.
pub(crate) fn apply(c: &mut dyn Conn, seq: i64, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::CaseOpened { case } => {
            let at = recorded_at(c, seq)?;
            let (def, scope) = {
                let view = TxView::new(c);
                let def = view.definition(&case.procedure)?.ok_or_else(|| corrupt("definition missing"))?;
                let item = view.item_version(&case.item, case.item_version)?.ok_or_else(|| corrupt("item missing"))?;
                let agency = view.agency(&case.agency)?.ok_or_else(|| corrupt("agency missing"))?;
                let rule = view.number_rule()?;
                (def, number_scope(&rule, &number_parts(&agency.region, item.kind, at, 0)).map_err(corrupt)?)
            };
            let n = c.query_opt("SELECT n FROM case_numbers WHERE scope = $1", &[scope.as_str().into()])?;
            match n {
                Some(r) => c.execute(
                    "UPDATE case_numbers SET n = $2 WHERE scope = $1",
                    &[scope.as_str().into(), (r.int(0)? + 1).into()],
                )?,
                None => c.execute("INSERT INTO case_numbers (scope, n) VALUES ($1, 1)", &[scope.as_str().into()])?,
            };
            c.execute(
                "INSERT INTO cases (number, agency, item, procedure_code, party_name, party_id, stage, terminal, opened_at, updated_at, seq, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $9, $10)",
                &[
                    case.number.as_str().into(),
                    case.agency.as_str().into(),
                    case.item.as_str().into(),
                    case.procedure.code.as_str().into(),
                    case.party.name.as_str().into(),
                    case.party.id_number.as_deref().into(),
                    def.initial.as_str().into(),
                    at.as_microsecond().into(),
                    seq.into(),
                    json(case),
                ],
            )?;
        }
        Event::CaseStepRecorded { case, step } => {
            let at = recorded_at(c, seq)?;
            let (file, def, mut steps, facts, roles) = {
                let view = TxView::new(c);
                let file = view.case(case)?.ok_or_else(|| corrupt(format!("case {case} missing")))?;
                let def = view.definition(&file.procedure)?.ok_or_else(|| corrupt("definition missing"))?;
                let steps = view.steps(case)?;
                let approvals = view.approvals(case)?;
                let facts = derive_facts(&view, &file, step, &steps, &approvals)?;
                let roles = view.account(&step.by)?.map(|a| a.roles).unwrap_or_default();
                (file, def, steps, facts, roles)
            };
            let record = StepRecord { seq, at, roles, step: (**step).clone(), facts };
            c.execute(
                "INSERT INTO case_steps (seq, case_no, action, doc) VALUES ($1, $2, $3, $4)",
                &[seq.into(), case.as_str().into(), step.action.as_str().into(), json(&record)],
            )?;
            steps.push(record);
            let state = case::state(&def, &file, &steps).map_err(|v| corrupt(v.message))?;
            c.execute(
                "UPDATE cases SET stage = $2, terminal = $3, updated_at = $4 WHERE number = $1",
                &[case.as_str().into(), state.stage.as_str().into(), state.terminal.into(), at.as_microsecond().into()],
            )?;
        }
        Event::CaseApproved { case, approval } => {
            let at = recorded_at(c, seq)?;
            let roles = TxView::new(c).account(&approval.by)?.map(|a| a.roles).unwrap_or_default();
            let record = ApprovalRecord { seq, at, roles, approval: approval.clone() };
            c.execute(
                "INSERT INTO case_approvals (seq, case_no, doc) VALUES ($1, $2, $3)",
                &[seq.into(), case.as_str().into(), json(&record)],
            )?;
        }
        Event::EvidenceStored { evidence } => {
            let at = recorded_at(c, seq)?;
            c.execute(
                "INSERT INTO evidence (case_no, sha256, seq, stored_at, doc) VALUES ($1, $2, $3, $4, $5)",
                &[
                    evidence.case.as_str().into(),
                    evidence.sha256.as_str().into(),
                    seq.into(),
                    at.as_microsecond().into(),
                    json(evidence),
                ],
            )?;
        }
        Event::DocumentIssued { .. } | Event::DocumentSettingsSet { .. } => crate::documents::apply(c, seq, event)?,
        Event::EvidenceDeleted { case, sha256, .. } => {
            c.execute(
                "UPDATE evidence SET deleted_seq = $3 WHERE case_no = $1 AND sha256 = $2",
                &[case.as_str().into(), sha256.as_str().into(), seq.into()],
            )?;
        }
        Event::CaseSettingsSet { agency, settings } => {
            c.execute("DELETE FROM case_settings WHERE agency = $1", &[agency.as_str().into()])?;
            c.execute(
                "INSERT INTO case_settings (agency, doc) VALUES ($1, $2)",
                &[agency.as_str().into(), json(settings)],
            )?;
        }
        Event::ReviewCatalogueSet { catalogue } => {
            c.execute(
                "INSERT INTO review_catalogues (agency, version, effective_from, doc) VALUES ($1, $2, $3, $4)",
                &[
                    catalogue.agency.as_str().into(),
                    i64::from(catalogue.version).into(),
                    catalogue.effective_from.to_string().into(),
                    json(catalogue),
                ],
            )?;
        }
        Event::ProcedureAdapted { agency, file, source } => {
            let def = procedure::parse(file, source).map_err(|e| corrupt(format!("{e:?}")))?;
            c.execute(
                "INSERT INTO procedure_defs (code, version, agency, kind, file, source) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    def.code.as_str().into(),
                    i64::from(def.version).into(),
                    agency.as_str().into(),
                    def.kind.as_str().into(),
                    file.as_str().into(),
                    source.as_str().into(),
                ],
            )?;
        }
        Event::ReviewEveryGeneralPenaltySet { on } => {
            c.execute("DELETE FROM platform_settings WHERE key = 'review_every_general_penalty'", &[])?;
            c.execute(
                "INSERT INTO platform_settings (key, doc) VALUES ('review_every_general_penalty', $1)",
                &[json(on)],
            )?;
        }
        Event::CaseNumberRuleSet { rule } => {
            c.execute("DELETE FROM platform_settings WHERE key = 'case_number_rule'", &[])?;
            c.execute("INSERT INTO platform_settings (key, doc) VALUES ('case_number_rule', $1)", &[json(rule)])?;
        }
        _ => {}
    }
    Ok(())
}

fn definitions() -> &'static [ProcedureDefinition] {
    static DEFS: std::sync::OnceLock<Vec<ProcedureDefinition>> = std::sync::OnceLock::new();
    DEFS.get_or_init(procedure::shipped)
}

/// A parsed adaptation, cached by identity (definitions are immutable once adopted).
fn adapted(file: &str, source: &str) -> Result<ProcedureDefinition, StoreError> {
    static CACHE: std::sync::Mutex<Vec<(String, ProcedureDefinition)>> = std::sync::Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, d)) = cache.iter().find(|(s, _)| s == source) {
        return Ok(d.clone());
    }
    let def = procedure::parse(file, source).map_err(|e| corrupt(format!("stored definition {file}: {e:?}")))?;
    cache.push((source.to_string(), def.clone()));
    Ok(def)
}

/// The definition with this identity: shipped, or adopted by an agency (PROC-1).
fn definition_in(c: &mut dyn Conn, id: &DefinitionId) -> Result<Option<ProcedureDefinition>, StoreError> {
    if let Some(d) = procedure::find(definitions(), id) {
        return Ok(Some(d.clone()));
    }
    let row = c.query_opt(
        "SELECT file, source FROM procedure_defs WHERE code = $1 AND version = $2",
        &[id.code.as_str().into(), i64::from(id.version).into()],
    )?;
    row.map(|r| adapted(r.text(0)?, r.text(1)?)).transpose()
}

/// The definition of a kind a new case of the agency runs under: its latest adaptation,
/// else the shipped one.
fn definition_for_in(c: &mut dyn Conn, agency: &str, kind: ProcedureKind) -> Result<ProcedureDefinition, StoreError> {
    let rows = c.query(
        "SELECT file, source FROM procedure_defs WHERE agency = $1 AND kind = $2 ORDER BY version DESC, code",
        &[agency.into(), kind.as_str().into()],
    )?;
    if let Some(r) = rows.first() {
        return adapted(r.text(0)?, r.text(1)?);
    }
    definitions()
        .iter()
        .filter(|d| d.kind == kind)
        .max_by_key(|d| d.version)
        .cloned()
        .ok_or_else(|| corrupt(format!("no shipped definition for {kind:?}")))
}

fn steps_in(c: &mut dyn Conn, number: &str) -> Result<Vec<StepRecord>, StoreError> {
    c.query("SELECT doc FROM case_steps WHERE case_no = $1 ORDER BY seq", &[number.into()])?
        .iter()
        .map(|r| r.json(0))
        .collect()
}

fn approvals_in(c: &mut dyn Conn, number: &str) -> Result<Vec<ApprovalRecord>, StoreError> {
    c.query("SELECT doc FROM case_approvals WHERE case_no = $1 ORDER BY seq", &[number.into()])?
        .iter()
        .map(|r| r.json(0))
        .collect()
}

fn case_in(c: &mut dyn Conn, number: &str) -> Result<Option<CaseFile>, StoreError> {
    c.query_opt("SELECT doc FROM cases WHERE number = $1", &[number.into()])?.map(|r| r.json(0)).transpose()
}

fn evidence_in(c: &mut dyn Conn, number: &str, sha256: &str) -> Result<Option<Evidence>, StoreError> {
    c.query_opt(
        "SELECT doc FROM evidence WHERE case_no = $1 AND sha256 = $2 AND deleted_seq IS NULL",
        &[number.into(), sha256.into()],
    )?
    .map(|r| r.json(0))
    .transpose()
}

fn settings_in(c: &mut dyn Conn, agency: &str) -> Result<CaseSettings, StoreError> {
    Ok(c.query_opt("SELECT doc FROM case_settings WHERE agency = $1", &[agency.into()])?
        .map(|r| r.json(0))
        .transpose()?
        .unwrap_or_default())
}

fn number_rule_in(c: &mut dyn Conn) -> Result<CaseNumberRule, StoreError> {
    Ok(c.query_opt("SELECT doc FROM platform_settings WHERE key = 'case_number_rule'", &[])?
        .map(|r| r.json(0))
        .transpose()?
        .unwrap_or_default())
}

impl TxView<'_, '_> {
    fn stored_at(&self, number: &str, sha256: &str) -> Result<Option<Timestamp>, StoreError> {
        let mut c = self.conn();
        let r = c.query_opt(
            "SELECT stored_at FROM evidence WHERE case_no = $1 AND sha256 = $2 AND deleted_seq IS NULL",
            &[number.into(), sha256.into()],
        )?;
        r.map(|r| Timestamp::from_microsecond(r.int(0)?).map_err(corrupt)).transpose()
    }
}

fn catalogue_in(
    c: &mut dyn Conn,
    agency: &str,
    date: jiff::civil::Date,
) -> Result<Option<ReviewCatalogue>, StoreError> {
    c.query_opt(
        "SELECT doc FROM review_catalogues WHERE agency = $1 AND effective_from <= $2 ORDER BY version DESC LIMIT 1",
        &[agency.into(), date.to_string().into()],
    )?
    .map(|r| r.json(0))
    .transpose()
}

fn every_general_in(c: &mut dyn Conn) -> Result<bool, StoreError> {
    Ok(c.query_opt("SELECT doc FROM platform_settings WHERE key = 'review_every_general_penalty'", &[])?
        .map(|r| r.json(0))
        .transpose()?
        .unwrap_or(false))
}

impl CaseView for TxView<'_, '_> {
    fn catalogue(&self, agency: &CreditCode, date: jiff::civil::Date) -> Result<Option<ReviewCatalogue>, StoreError> {
        catalogue_in(*self.conn(), agency.as_str(), date)
    }
    fn every_general_penalty(&self) -> Result<bool, StoreError> {
        every_general_in(*self.conn())
    }
    fn review_assignments(&self, staff_no: &str) -> Result<u64, StoreError> {
        let pattern = format!("%\"reviewer\":\"{staff_no}\"%");
        self.conn()
            .query_opt(
                "SELECT COUNT(*) FROM case_steps WHERE action = 'assign_reviewer' AND doc LIKE $1",
                &[pattern.into()],
            )?
            .map_or(Ok(0), |r| r.int(0).map(|n| n as u64))
    }
    fn case(&self, number: &str) -> Result<Option<CaseFile>, StoreError> {
        case_in(*self.conn(), number)
    }
    fn steps(&self, number: &str) -> Result<Vec<StepRecord>, StoreError> {
        steps_in(*self.conn(), number)
    }
    fn approvals(&self, number: &str) -> Result<Vec<ApprovalRecord>, StoreError> {
        approvals_in(*self.conn(), number)
    }
    fn evidence(&self, number: &str, sha256: &str) -> Result<Option<Evidence>, StoreError> {
        evidence_in(*self.conn(), number, sha256)
    }
    fn certificates_of(&self, staff_no: &str) -> Result<Vec<Certificate>, StoreError> {
        self.conn()
            .query("SELECT doc FROM certificates WHERE holder = $1 ORDER BY number", &[staff_no.into()])?
            .iter()
            .map(|r| r.json(0))
            .collect()
    }
    fn qualification(&self, staff_no: &str) -> Result<Qualification, StoreError> {
        officer_qualification(*self.conn(), staff_no)
    }
    fn item_version(&self, code: &str, version: u32) -> Result<Option<ItemVersion>, StoreError> {
        self.conn()
            .query_opt(
                "SELECT doc FROM item_versions WHERE code = $1 AND version = $2",
                &[code.into(), (version as i64).into()],
            )?
            .map(|r| r.json(0))
            .transpose()
    }
    fn item_on(&self, code: &str, date: jiff::civil::Date) -> Result<Option<ItemVersion>, StoreError> {
        get_item_on(*self.conn(), code, date)
    }
    fn calendar(&self) -> Result<Calendar, StoreError> {
        calendar_in(*self.conn())
    }
    fn definition(&self, id: &DefinitionId) -> Result<Option<ProcedureDefinition>, StoreError> {
        definition_in(*self.conn(), id)
    }
    fn definition_for(&self, agency: &CreditCode, kind: ProcedureKind) -> Result<ProcedureDefinition, StoreError> {
        definition_for_in(*self.conn(), agency.as_str(), kind)
    }
    fn settings(&self, agency: &CreditCode) -> Result<CaseSettings, StoreError> {
        settings_in(*self.conn(), agency.as_str())
    }
    fn number_rule(&self) -> Result<CaseNumberRule, StoreError> {
        number_rule_in(*self.conn())
    }
    fn numbered(&self, scope: &str) -> Result<u64, StoreError> {
        self.conn()
            .query_opt("SELECT n FROM case_numbers WHERE scope = $1", &[scope.into()])?
            .map_or(Ok(0), |r| r.int(0).map(|n| n as u64))
    }
}

// ---------------------------------------------------------------------------------------
// Queries

/// A case as listed.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub number: String,
    /// The log seq of the opening record.
    pub seq: i64,
    pub agency: String,
    pub item: String,
    pub procedure: String,
    pub party_name: String,
    pub stage: String,
    pub terminal: bool,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub agency: Option<String>,
    /// Only cases not in a terminal stage.
    pub open: Option<bool>,
    pub party_id: Option<String>,
    /// Cases in which this staff number took part.
    pub officer: Option<String>,
}

/// A stored file with where it is in the log.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRow {
    pub seq: i64,
    pub stored_at: Timestamp,
    pub deleted_seq: Option<i64>,
    pub evidence: Evidence,
}

impl Store {
    pub fn case(&self, number: &str) -> Result<Option<CaseFile>, StoreError> {
        self.read(|c| case_in(c, number))
    }

    pub fn case_row(&self, number: &str) -> Result<Option<CaseRow>, StoreError> {
        self.read(|c| {
            let rows = c.query(&format!("{CASE_ROW} WHERE number = $1"), &[number.into()])?;
            rows.iter().map(case_row).next().transpose()
        })
    }

    pub fn cases(&self, f: &CaseFilter, p: Paging) -> Result<Page<CaseRow>, StoreError> {
        self.read(|c| {
            let mut conds = Vec::new();
            let mut params: Vec<Value> = Vec::new();
            let mut add = |cond: &str, v: Value| {
                params.push(v);
                conds.push(cond.replace('?', &format!("${}", params.len())));
            };
            if let Some(a) = &f.agency {
                add("agency = ?", a.as_str().into());
            }
            if let Some(open) = f.open {
                add("terminal = ?", (!open).into());
            }
            if let Some(p) = &f.party_id {
                add("party_id = ?", p.as_str().into());
            }
            if let Some(o) = &f.officer {
                add("number IN (SELECT case_no FROM case_steps WHERE doc LIKE ?)", format!("%\"{o}\"%").into());
            }
            let w = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
            let total = c.query_opt(&format!("SELECT COUNT(*) FROM cases{w}"), &params)?.map_or(Ok(0), |r| r.int(0))?;
            let n = params.len();
            params.push(p.limit.into());
            params.push(p.offset.into());
            let rows = c.query(
                &format!("{CASE_ROW}{w} ORDER BY updated_at DESC, number LIMIT ${} OFFSET ${}", n + 1, n + 2),
                &params,
            )?;
            Ok(Page {
                total,
                offset: p.offset,
                limit: p.limit,
                items: rows.iter().map(case_row).collect::<Result<_, _>>()?,
            })
        })
    }

    pub fn case_steps(&self, number: &str) -> Result<Vec<StepRecord>, StoreError> {
        self.read(|c| steps_in(c, number))
    }

    pub fn case_approvals(&self, number: &str) -> Result<Vec<ApprovalRecord>, StoreError> {
        self.read(|c| approvals_in(c, number))
    }

    /// Every file of a case, deleted ones included (their records stay, REC-6).
    pub fn case_evidence(&self, number: &str) -> Result<Vec<EvidenceRow>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT seq, stored_at, deleted_seq, doc FROM evidence WHERE case_no = $1 ORDER BY seq",
                &[number.into()],
            )?
            .iter()
            .map(|r| {
                Ok(EvidenceRow {
                    seq: r.int(0)?,
                    stored_at: Timestamp::from_microsecond(r.int(1)?).map_err(corrupt)?,
                    deleted_seq: r.opt_int(2)?,
                    evidence: r.json(3)?,
                })
            })
            .collect()
        })
    }

    pub fn evidence(&self, number: &str, sha256: &str) -> Result<Option<EvidenceRow>, StoreError> {
        Ok(self.case_evidence(number)?.into_iter().find(|e| e.evidence.sha256 == sha256))
    }

    pub fn case_settings(&self, agency: &str) -> Result<CaseSettings, StoreError> {
        self.read(|c| settings_in(c, agency))
    }

    /// REV-1: the agency's review catalogue in force on `date`, and all its versions.
    pub fn review_catalogue(
        &self,
        agency: &str,
        date: jiff::civil::Date,
    ) -> Result<Option<ReviewCatalogue>, StoreError> {
        self.read(|c| catalogue_in(c, agency, date))
    }

    pub fn review_catalogue_versions(&self, agency: &str) -> Result<Vec<ReviewCatalogue>, StoreError> {
        self.read(|c| {
            c.query("SELECT doc FROM review_catalogues WHERE agency = $1 ORDER BY version", &[agency.into()])?
                .iter()
                .map(|r| r.json(0))
                .collect()
        })
    }

    /// REV-1: why a decision of `penalties` in case `number` needs legal review (empty: it
    /// does not); `None` when there is no such case. The same answer the decision gate
    /// gives ([`zhifa_domain::case::review_requirements`]).
    pub fn review_requirements(
        &self,
        number: &str,
        penalties: &[zhifa_domain::penalty::DecidedPenalty],
        flags: &[String],
    ) -> Result<Option<Vec<zhifa_domain::review::Requirement>>, StoreError> {
        let now = self.now();
        self.read(|c| {
            let view = TxView::new(c);
            let Some(case) = view.case(number)? else { return Ok(None) };
            let def = view.definition(&case.procedure)?.ok_or_else(|| corrupt("definition missing"))?;
            let steps = view.steps(number)?;
            match case::review_requirements(&view, &case, &def, &steps, penalties, flags, now) {
                Ok(r) => Ok(Some(r)),
                Err(Refused::View(e)) => Err(e),
                Err(Refused::Rule(v)) => Err(corrupt(v.message)),
                Err(Refused::Many(vs)) => {
                    Err(corrupt(vs.iter().map(|v| v.message.as_str()).collect::<Vec<_>>().join("；")))
                }
            }
        })
    }

    pub fn review_every_general_penalty(&self) -> Result<bool, StoreError> {
        self.read(every_general_in)
    }

    pub fn case_number_rule(&self) -> Result<CaseNumberRule, StoreError> {
        self.read(number_rule_in)
    }

    /// CASE-1: the number the next case of this region and kind gets now, by the
    /// platform's rule and its scope's counter — exactly what the opening check demands.
    /// A sequence too long for the rule is refused (numbers are never reused or truncated).
    pub fn next_case_number(
        &self,
        region: &zhifa_domain::codes::RegionCode,
        kind: zhifa_domain::item::ItemKind,
    ) -> Result<String, crate::AppendError> {
        let now = self.now();
        let next = self.read(|c| {
            let view = TxView::new(c);
            let rule = view.number_rule()?;
            let parts = number_parts(region, kind, now, 0);
            let next = match number_scope(&rule, &parts) {
                Ok(scope) => view.numbered(&scope)? + 1,
                Err(v) => return Ok(Err(v)),
            };
            Ok(rule.format(&zhifa_domain::penalty::CaseNumberParts { seq: next, ..parts }))
        })?;
        next.map_err(crate::AppendError::Refused)
    }

    /// The checks an `EvidenceStored` of `e` would meet now (REC-4 and the rest of
    /// [`case::check_evidence`]), without writing: lets an upload be refused before its body
    /// is read. The append checks again, in its own transaction.
    pub fn precheck_evidence(&self, e: &Evidence) -> Result<(), crate::AppendError> {
        let now = self.now();
        let outcome = self.read(|c| match case::check_evidence(e, &TxView::new(c), now) {
            Ok(()) => Ok(Ok(())),
            Err(Refused::Rule(v)) => Ok(Err(v)),
            Err(Refused::Many(mut vs)) => Ok(Err(vs.remove(0))),
            Err(Refused::View(e)) => Err(e),
        })?;
        outcome.map_err(crate::AppendError::Refused)
    }

    /// Whether a live (not deleted) evidence record of any case refers to the content with
    /// this SHA-256 (content addressing: one stored object for all of them).
    pub fn evidence_content_in_use(&self, sha256: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(c.query_opt(
                "SELECT 1 FROM evidence WHERE sha256 = $1 AND deleted_seq IS NULL LIMIT 1",
                &[sha256.into()],
            )?
            .is_some())
        })
    }

    /// The shipped procedure definitions (PROC-1).
    pub fn definitions(&self) -> &'static [ProcedureDefinition] {
        definitions()
    }

    /// Every definition agencies have adopted: (agency, definition).
    pub fn adapted_definitions(&self) -> Result<Vec<(String, ProcedureDefinition)>, StoreError> {
        self.read(|c| {
            c.query("SELECT agency, file, source FROM procedure_defs ORDER BY agency, code, version", &[])?
                .iter()
                .map(|r| Ok((r.text(0)?.to_string(), adapted(r.text(1)?, r.text(2)?)?)))
                .collect()
        })
    }

    /// A definition by identity, shipped or adopted (a case's own).
    pub fn definition(&self, id: &DefinitionId) -> Result<Option<ProcedureDefinition>, StoreError> {
        self.read(|c| definition_in(c, id))
    }

    pub fn definition_for(&self, agency: &CreditCode, kind: ProcedureKind) -> Result<ProcedureDefinition, StoreError> {
        self.read(|c| definition_for_in(c, agency.as_str(), kind))
    }
}

const CASE_ROW: &str =
    "SELECT number, agency, item, procedure_code, party_name, stage, terminal, opened_at, updated_at, seq FROM cases";

fn case_row(r: &crate::sql::Row) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        number: r.text(0)?.into(),
        agency: r.text(1)?.into(),
        item: r.text(2)?.into(),
        procedure: r.text(3)?.into(),
        party_name: r.text(4)?.into(),
        stage: r.text(5)?.into(),
        terminal: r.int(6)? != 0,
        opened_at: Timestamp::from_microsecond(r.int(7)?).map_err(corrupt)?,
        updated_at: Timestamp::from_microsecond(r.int(8)?).map_err(corrupt)?,
        seq: r.int(9)?,
    })
}
