//! Official documents (CASE-6, LOG-5): the check of `document_issued` inside the write
//! transaction (numbering exactly like case numbers, CASE-1), its projections and queries.

use jiff::Timestamp;
use zhifa_domain::case::CaseView;
use zhifa_domain::document::{self, DocumentSettings, IssueContext, IssuedDocument};
use zhifa_domain::event::Event;
use zhifa_domain::procedure::china_date;
use zhifa_domain::view::{Refused, RegistryView};

use crate::registry::TxView;
use crate::sql::{Conn, Value};
use crate::{Store, StoreError};

fn json<T: serde::Serialize>(v: &T) -> Value {
    Value::Text(serde_json::to_string(v).expect("document types serialize"))
}

fn settings_in(c: &mut dyn Conn, agency: &str) -> Result<DocumentSettings, StoreError> {
    match c.query_opt("SELECT doc FROM document_settings WHERE agency = $1", &[agency.into()])? {
        Some(r) => r.json(0),
        None => Ok(DocumentSettings::default()),
    }
}

fn numbered_in(c: &mut dyn Conn, scope: &str) -> Result<u64, StoreError> {
    c.query_opt("SELECT n FROM document_numbers WHERE scope = $1", &[scope.into()])?
        .map_or(Ok(0), |r| r.int(0).map(|n| n as u64))
}

fn documents_in(c: &mut dyn Conn, case: &str) -> Result<Vec<IssuedDocument>, StoreError> {
    c.query("SELECT doc FROM documents WHERE case_no = $1 ORDER BY seq", &[case.into()])?
        .iter()
        .map(|r| r.json(0))
        .collect()
}

fn rule<E>(rule: &'static str, msg: impl Into<String>) -> Refused<E> {
    Refused::Rule(zhifa_domain::Violation::new(rule, msg))
}

/// The number pattern and scope of a kind for an agency in a year.
fn pattern_and_scope(
    c: &mut dyn Conn,
    agency: &zhifa_domain::codes::CreditCode,
    kind: &document::DocumentKind,
    year: i16,
) -> Result<(String, String), StoreError> {
    let name = TxView::new(c).agency(agency)?.map(|a| a.name).unwrap_or_default();
    let pattern = settings_in(c, agency.as_str())?.pattern(&name, kind);
    Ok((pattern, document::number_scope(agency.as_str(), kind.code, year)))
}

pub(crate) fn check_in(c: &mut dyn Conn, d: &IssuedDocument, now: Timestamp) -> Result<(), Refused<StoreError>> {
    let v = Refused::View;
    let view = TxView::new(c);
    let case = view.case(&d.case).map_err(v)?.ok_or_else(|| rule("PROC-1", format!("案件 {} 不存在", d.case)))?;
    let def = view.definition(&case.procedure).map_err(v)?.ok_or_else(|| rule("PROC-1", "程序定义不存在"))?;
    let steps = view.steps(&d.case).map_err(v)?;
    let account = view.account(&d.by).map_err(v)?;
    let kind = document::kind(&d.kind).ok_or_else(|| rule("CASE-6", format!("没有文书种类「{}」", d.kind)))?;
    let issued = documents_in(c, &d.case).map_err(v)?;
    let (pattern, scope) = pattern_and_scope(c, &case.agency, kind, china_date(d.issued_at).year()).map_err(v)?;
    let numbered = numbered_in(c, &scope).map_err(v)?;
    let code_taken =
        c.query_opt("SELECT 1 FROM documents WHERE code = $1", &[d.code.as_str().into()]).map_err(v)?.is_some();
    let cx = IssueContext {
        case: &case,
        def: &def,
        steps: &steps,
        account: account.as_ref(),
        issued: &issued,
        numbered,
        pattern,
        code_taken,
    };
    document::check_issue(d, &cx, now)?;
    Ok(())
}

pub(crate) fn apply(c: &mut dyn Conn, seq: i64, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::DocumentIssued { document: d } => {
            if let (Some(kind), Some(_)) = (document::kind(&d.kind), d.seq) {
                let agency = zhifa_domain::codes::CreditCode::parse(&d.agency)
                    .map_err(|e| StoreError::Corrupt(format!("document agency: {e}")))?;
                let (_, scope) = pattern_and_scope(c, &agency, kind, china_date(d.issued_at).year())?;
                match c.query_opt("SELECT n FROM document_numbers WHERE scope = $1", &[scope.as_str().into()])? {
                    Some(r) => c.execute(
                        "UPDATE document_numbers SET n = $2 WHERE scope = $1",
                        &[scope.as_str().into(), (r.int(0)? + 1).into()],
                    )?,
                    None => {
                        c.execute("INSERT INTO document_numbers (scope, n) VALUES ($1, 1)", &[scope.as_str().into()])?
                    }
                };
            }
            c.execute(
                "INSERT INTO documents (code, case_no, kind, sha256, seq, doc) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    d.code.as_str().into(),
                    d.case.as_str().into(),
                    d.kind.as_str().into(),
                    d.sha256.as_str().into(),
                    seq.into(),
                    json(d),
                ],
            )?;
        }
        Event::DocumentSettingsSet { agency, settings } => {
            c.execute("DELETE FROM document_settings WHERE agency = $1", &[agency.as_str().into()])?;
            c.execute(
                "INSERT INTO document_settings (agency, doc) VALUES ($1, $2)",
                &[agency.as_str().into(), json(settings)],
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// An issued document with the seq of its record (its log leaf index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub seq: i64,
    pub document: IssuedDocument,
}

fn rows(rs: Vec<crate::sql::Row>) -> Result<Vec<DocumentRow>, StoreError> {
    rs.iter().map(|r| Ok(DocumentRow { seq: r.int(0)?, document: r.json(1)? })).collect()
}

impl Store {
    /// The documents issued in a case, oldest first.
    pub fn case_documents(&self, case: &str) -> Result<Vec<DocumentRow>, StoreError> {
        self.read(|c| rows(c.query("SELECT seq, doc FROM documents WHERE case_no = $1 ORDER BY seq", &[case.into()])?))
    }

    /// A document by its verification code (LOG-5).
    pub fn document_by_code(&self, code: &str) -> Result<Option<DocumentRow>, StoreError> {
        self.read(|c| Ok(rows(c.query("SELECT seq, doc FROM documents WHERE code = $1", &[code.into()])?)?.pop()))
    }

    /// Documents whose PDF has this SHA-256 (LOG-5).
    pub fn documents_by_sha256(&self, sha256: &str) -> Result<Vec<DocumentRow>, StoreError> {
        self.read(|c| rows(c.query("SELECT seq, doc FROM documents WHERE sha256 = $1 ORDER BY seq", &[sha256.into()])?))
    }

    /// An agency's document settings (defaults when none were set).
    pub fn document_settings(&self, agency: &str) -> Result<DocumentSettings, StoreError> {
        self.read(|c| settings_in(c, agency))
    }

    /// The next number of a kind for an agency in a year, and its sequence (CASE-6). The
    /// append checks again in its own transaction; a concurrent issue makes it retry.
    pub fn next_document_number(
        &self,
        agency: &zhifa_domain::codes::CreditCode,
        kind: &document::DocumentKind,
        year: i16,
    ) -> Result<(String, u64), StoreError> {
        self.read(|c| {
            let (pattern, scope) = pattern_and_scope(c, agency, kind, year)?;
            let n = numbered_in(c, &scope)? + 1;
            Ok((document::format_number(&pattern, year, n), n))
        })
    }
}
