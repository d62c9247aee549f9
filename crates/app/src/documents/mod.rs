//! Official documents (执法文书, CASE-6, REC-1, LOG-5):
//!
//! - [`issue`] renders a document from the case's records ([`data::document_data`]),
//!   hashes (SHA-256) and signs a statement of it with the platform's document key (the
//!   log's SM2 key when configured, its Ed25519 key otherwise: one key to publish and
//!   keep), stores the PDF in the blob store and records `document_issued`, so the hash is
//!   a log leaf.
//! - [`list`] — what was issued and what may be issued now.
//! - [`download`] — the PDF, the view recorded first (REC-7).
//! - [`verify()`] — the public check by code or by the PDF's bytes.
//!
//! The command and result types are the JSON API's schemas: a doc comment on one of them
//! is its description in the OpenAPI document.

pub mod data;
mod verify;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zhifa_domain::Violation;
use zhifa_domain::account::Account;
use zhifa_domain::case::{CaseFile, Evidence, StepRecord};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::document::{self, DocumentSettings, IssuedDocument};
use zhifa_domain::event::Event;
use zhifa_domain::procedure::{ProcedureDefinition, china_date};
use zhifa_log::{Note, NoteSigner};
use zhifa_store::documents::DocumentRow;
use zhifa_store::{AppendError, Record, Store};

use crate::App;
use crate::access::{self, CASE_READERS, HANDLERS, REGISTRARS};
use crate::accounts::actor;
use crate::error::{Error, Result, bad};
use data::{Issue, Person, Sources, document_data};

pub use verify::{InclusionProof, MAX_UPLOAD, PublicDocument, Verification, verify};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The document kind (`penalty_decision`, …).
    pub kind: String,
    /// Which act of the kind (1 = the first); default: the earliest without a document.
    #[serde(default)]
    pub round: Option<u32>,
}

#[derive(Serialize, JsonSchema, Clone)]
pub struct DocumentInfo {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub number: Option<String>,
    pub case: String,
    pub step_seq: i64,
    pub sha256: String,
    pub size: u64,
    pub issued_at: jiff::Timestamp,
    /// The record's seq: its leaf index in the log.
    pub seq: i64,
    pub signature: String,
    pub signing_key: String,
}

impl DocumentInfo {
    fn from_row(r: &DocumentRow) -> DocumentInfo {
        let d = &r.document;
        DocumentInfo {
            code: d.code.clone(),
            kind: d.kind.clone(),
            title: document::kind(&d.kind).map_or("", |k| k.title).to_string(),
            number: d.number.clone(),
            case: d.case.clone(),
            step_seq: d.step_seq,
            sha256: d.sha256.clone(),
            size: d.size,
            issued_at: d.issued_at,
            seq: r.seq,
            signature: d.signature.clone(),
            signing_key: d.signing_key.clone(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct Available {
    pub kind: String,
    pub title: String,
    /// 1-based: which act of the kind.
    pub round: u32,
    pub step_seq: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct CaseDocuments {
    pub issued: Vec<DocumentInfo>,
    pub available: Vec<Available>,
}

/// An issued document's PDF, as stored.
pub struct DocumentPdf {
    /// The verification code: the file is `{code}.pdf`.
    pub code: String,
    pub bytes: Vec<u8>,
}

/// The case, readable by this account (SEC-2).
fn readable(store: &Store, me: &Account, number: &str) -> Result<CaseFile> {
    let case = store.case(number)?.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))?;
    access::may_read_case(store, me, &case.agency)?;
    Ok(case)
}

/// The documents the case may issue now: one per issuing act not yet documented.
pub fn available(def: &ProcedureDefinition, steps: &[StepRecord], issued: &[IssuedDocument]) -> Vec<Available> {
    let mut out = Vec::new();
    for k in document::KINDS {
        for (i, s) in document::issuing_steps(def, steps, k).into_iter().enumerate() {
            if !issued.iter().any(|d| d.kind == k.code && d.step_seq == s.seq) {
                out.push(Available {
                    kind: k.code.into(),
                    title: k.title.into(),
                    round: i as u32 + 1,
                    step_seq: s.seq,
                });
            }
        }
    }
    out
}

/// The documents of a case the caller has already been allowed to read (the staff case
/// page, after its recorded view): issued and issuable.
pub fn case_documents(app: &App, case: &CaseFile) -> Result<CaseDocuments> {
    let store = &app.store;
    let def = store
        .definition(&case.procedure)?
        .ok_or_else(|| Error::Internal(format!("definition {} missing", case.procedure)))?;
    let steps = store.case_steps(&case.number)?;
    let rows = store.case_documents(&case.number)?;
    let issued: Vec<IssuedDocument> = rows.iter().map(|r| r.document.clone()).collect();
    Ok(CaseDocuments {
        issued: rows.iter().map(DocumentInfo::from_row).collect(),
        available: available(&def, &steps, &issued),
    })
}

/// CASE-6: what the case `number` has issued and may issue now.
pub fn list(app: &App, me: &Account, number: &str) -> Result<CaseDocuments> {
    access::require(me, CASE_READERS)?;
    let case = readable(&app.store, me, number)?;
    case_documents(app, &case)
}

/// An agency's document settings: number format, reconsideration body, court, payment
/// account (CASE-6).
pub fn settings(app: &App, me: &Account, agency: &str) -> Result<DocumentSettings> {
    access::require(me, CASE_READERS)?;
    app.store.agency(agency)?.ok_or_else(|| Error::NotFound(format!("执法主体 {agency} ")))?;
    Ok(app.store.document_settings(agency)?)
}

/// Sets an agency's document settings.
pub fn set_settings(app: &App, me: &Account, agency: CreditCode, settings: DocumentSettings) -> Result<Record> {
    access::require(me, REGISTRARS)?;
    Ok(app.store.append(&actor(me), Event::DocumentSettingsSet { agency, settings })?)
}

/// REC-7: the PDF of the case's document `code`, the view (with its `reason`) on the log
/// before a byte leaves.
pub fn download(app: &App, me: &Account, number: &str, code: &str, reason: String) -> Result<DocumentPdf> {
    access::require(me, CASE_READERS)?;
    let store = &app.store;
    readable(store, me, number)?;
    let row = store
        .document_by_code(code)?
        .filter(|r| r.document.case == number)
        .ok_or_else(|| Error::NotFound(format!("本案文书 {code} ")))?;
    let d = &row.document;
    let what = format!("文书 {}", d.number.as_deref().unwrap_or(&d.code));
    store.append(
        &actor(me),
        Event::RecordViewed {
            seq: row.seq,
            of: format!("case/{number}"),
            what: what.chars().take(50).collect(),
            reason,
        },
    )?;
    let key = zhifa_blob::BlobKey::parse(&d.key).map_err(|e| Error::Internal(e.to_string()))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut app.blobs.get(&key).map_err(|e| Error::Internal(e.to_string()))?, &mut bytes)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(DocumentPdf { code: d.code.clone(), bytes })
}

/// Crockford's base32 (no I, L, O or U), upper case, unpadded: document codes (LOG-5).
static CROCKFORD: std::sync::LazyLock<data_encoding::Encoding> = std::sync::LazyLock::new(|| {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.encoding().expect("a valid base32 specification")
});

/// An unguessable short code: 10 characters of Crockford base32 (50 bits) from the OS RNG.
pub fn new_code() -> String {
    // 7 random bytes are 12 characters; the first 10 carry 50 of the 56 bits.
    let mut code = CROCKFORD.encode(&rand::random::<[u8; 7]>());
    code.truncate(10);
    code
}

/// The key documents are signed with: SM2 when configured, Ed25519 otherwise.
fn signer(app: &App) -> (&dyn NoteSigner, String) {
    match &app.log.sm2 {
        Some(k) => (k.as_ref(), k.verifier().vkey()),
        None => (app.log.signer.as_ref(), app.log.signer.verifier().vkey()),
    }
}

fn verify_base(app: &App) -> String {
    format!("{}/public/verify", app.public_url.as_deref().unwrap_or(""))
}

/// The person a staff number names, with their latest certificate's number (STAFF-4).
fn person(store: &Store, no: &str) -> Result<Person> {
    Ok(store.officer(no)?.map_or(Person { name: no.to_string(), cert_no: String::new() }, |o| Person {
        name: o.officer.name.clone(),
        cert_no: o.certificates.last().map(|c| c.number.clone()).unwrap_or_default(),
    }))
}

/// CASE-6, REC-1, LOG-5: issues one document of the case `number` — the act it records,
/// its number, the PDF rendered, hashed, signed and stored, `document_issued` recorded.
pub fn issue(app: &App, me: &Account, number: &str, input: IssueInput) -> Result<DocumentInfo> {
    if !access::holds(me, HANDLERS) {
        return Err(Error::Forbidden("只有执法人员或机关负责人可以签发文书（SEC-2）".into()));
    }
    let store = &app.store;
    let case = readable(store, me, number)?;
    let kind = document::kind(&input.kind).ok_or_else(|| bad("kind", format!("没有文书种类「{}」", input.kind)))?;
    let agency = store.agency(case.agency.as_str())?.ok_or_else(|| Error::Internal("agency missing".into()))?;
    let def = store
        .definition(&case.procedure)?
        .ok_or_else(|| Error::Internal(format!("definition {} missing", case.procedure)))?;
    let item = store.item_versions(&case.item)?.into_iter().find(|i| i.version == case.item_version);
    let settings = store.document_settings(case.agency.as_str())?;
    let evidence: Vec<Evidence> =
        store.case_evidence(number)?.into_iter().filter(|e| e.deleted_seq.is_none()).map(|e| e.evidence).collect();
    let mut accounts = BTreeMap::new();
    let mut staff = BTreeMap::new();
    let opener = store.account(&case.opened_by)?.and_then(|a| a.staff_no);
    if let Some(no) = &opener {
        staff.insert(no.clone(), person(store, no)?);
    }
    for _attempt in 0..12 {
        let steps = store.case_steps(number)?;
        let issued: Vec<IssuedDocument> = store.case_documents(number)?.into_iter().map(|r| r.document).collect();
        for st in &steps {
            if !accounts.contains_key(&st.step.by) {
                let name = store.account(&st.step.by)?.map_or(st.step.by.clone(), |a| a.display_name);
                accounts.insert(st.step.by.clone(), name);
            }
            for no in st.step.officers.iter().chain(st.step.chair.iter()) {
                if !staff.contains_key(no) {
                    staff.insert(no.clone(), person(store, no)?);
                }
            }
        }
        if !accounts.contains_key(&case.opened_by) {
            let name = store.account(&case.opened_by)?.map_or(case.opened_by.clone(), |a| a.display_name);
            accounts.insert(case.opened_by.clone(), name);
        }
        // PROC-1, CASE-6: the act this document records.
        let steps_of = document::issuing_steps(&def, &steps, kind);
        let step = match input.round {
            Some(r) => steps_of.get((r as usize).wrapping_sub(1)).copied(),
            None => {
                steps_of.iter().copied().find(|s| !issued.iter().any(|d| d.kind == kind.code && d.step_seq == s.seq))
            }
        };
        let Some(step) = step else {
            let msg = if steps_of.is_empty() {
                format!(
                    "本案尚无签发《{}》的环节，不能制作该文书（PROC-1、CASE-6：文书由相应的办案环节产生）",
                    kind.title
                )
            } else {
                format!("本案各环节的《{}》均已签发，一个行为只出具一份文书（CASE-6）", kind.title)
            };
            return Err(Error::Rule(
                Violation::new(if steps_of.is_empty() { "PROC-1" } else { "CASE-6" }, msg).at("kind"),
            ));
        };
        let now = store.now();
        let year = china_date(now).year();
        let (doc_no, seq) = if kind.numbered {
            let (n, q) = store.next_document_number(&case.agency, kind, year)?;
            (Some(n), Some(q))
        } else {
            (None, None)
        };
        let code = new_code();
        let url = verify_base(app);
        let src = Sources {
            case: &case,
            agency: &agency,
            item: item.as_ref(),
            def: &def,
            steps: &steps,
            evidence: &evidence,
            staff: &staff,
            accounts: &accounts,
            opener: opener.as_deref(),
            settings: &settings,
            issued: &issued,
        };
        let data = document_data(
            &src,
            &Issue { kind, step, number: doc_no.as_deref(), date: china_date(now), verify: Some((&url, &code)) },
        );
        let pdf = app
            .renderer
            .render(kind.code, &data)
            .map_err(|e| Error::Rule(Violation::new("CASE-6", format!("文书生成失败：{e}"))))?;
        let sha256 = hex::encode(Sha256::digest(&pdf));
        let limits = zhifa_blob::Limits { max_size: 64 << 20, allowed: vec!["application/pdf".into()] };
        let blob = app.blobs.put_reader(&pdf[..], &limits).map_err(|e| Error::Internal(e.to_string()))?;
        let (key, vkey) = signer(app);
        let mut doc = IssuedDocument {
            code,
            case: case.number.clone(),
            agency: case.agency.as_str().to_string(),
            kind: kind.code.into(),
            step_seq: step.seq,
            number: doc_no,
            seq,
            sha256,
            size: pdf.len() as u64,
            key: blob.key.as_str().to_string(),
            issued_at: now,
            signature: String::new(),
            signing_key: vkey,
            by: me.login.clone(),
        };
        let mut note = Note::new(document::statement(&doc)).map_err(|e| Error::Internal(e.to_string()))?;
        note.sign(key).map_err(|e| Error::Internal(e.to_string()))?;
        doc.signature = note.to_string();
        match store.append(&actor(me), Event::DocumentIssued { document: doc.clone() }) {
            Ok(r) => return Ok(DocumentInfo::from_row(&DocumentRow { seq: r.seq, document: doc })),
            // A concurrent issue took the number (or the act): try again with the next.
            Err(AppendError::Refused(v)) if v.rule == "CASE-6" && v.message.contains("文号应为") => continue,
            Err(AppendError::Refused(v)) if v.rule == "LOG-5" => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Conflict("CASE-6", "同时签发的文书过多，请重试".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_unambiguous_characters() {
        let a = new_code();
        assert_eq!(a.len(), 10);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() && !"ILOU".contains(c)));
        assert_ne!(a, new_code());
    }

    #[test]
    fn codes_use_crockfords_alphabet_in_order() {
        let raw = b"\x00\x44\x32\x14\xc7\x42\x54\xb6\x35\xcf\x84\x65\x3a\x56\xd7\xc6\x75\xbe\x77\xdf";
        assert_eq!(CROCKFORD.encode(raw), "0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    }
}
