//! Evidence and audio/video: an upload's REC-4 metadata checked before a byte is read,
//! its record once the file is stored, the list, who may play or download a file with
//! every view recorded (REC-7), deletion after the retention period (REC-6), and
//! everything of one party at once (REC-8).
//!
//! The bytes themselves stream between the face and [`App::blobs`]; these functions decide
//! and write the records.

use std::ops::Range;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_blob::{BlobKey, StoredBlob};
use zhifa_domain::Violation;
use zhifa_domain::account::Account;
use zhifa_domain::case::{CaseFile, Evidence, Retention, StepRecord};
use zhifa_domain::event::Event;
use zhifa_store::{CaseFilter, CaseRow, EvidenceRow, Paging, Record};

use crate::App;
use crate::access::{self, EVIDENCE_DELETERS, HANDLERS, STAFF};
use crate::accounts::actor;
use crate::error::{Error, Result, bad};

/// SEC-2: the case, if it exists and `me` may see it ([`access::case_visible`]).
fn visible_case(app: &App, me: &Account, number: &str) -> Result<CaseFile> {
    let case = app.store.case(number)?.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))?;
    if !access::case_visible(&app.store, me, case.agency.as_str())? {
        return Err(Error::Forbidden("本账号所在机关不是本案的办案机关，不得查看本案".into()));
    }
    Ok(case)
}

// ---------------------------------------------------------------------------------------
// upload

/// The REC-4 metadata of an upload, as given (the API's query parameters).
#[derive(Default, Debug, Clone)]
pub struct UploadMetadata {
    /// RFC 3339.
    pub captured_at: Option<String>,
    pub place: Option<String>,
    /// The collector's staff number.
    pub collector: Option<String>,
    /// What it proves (证明对象).
    pub proves: Option<String>,
    /// `permanent` (the default) or `six_months` (REC-6).
    pub retention: Option<String>,
    /// The original file name (for display only).
    pub file_name: Option<String>,
}

/// What an upload stored: its record on the log and the evidence.
#[derive(Serialize, JsonSchema)]
pub struct StoredEvidence {
    pub record: Record,
    pub evidence: Evidence,
}

/// REC-4: the metadata of an upload, checked.
fn metadata(m: UploadMetadata, case: &str, by: &str) -> Result<Evidence> {
    let required = |v: Option<String>, k: &str, what: &str| {
        v.filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::Rule(Violation::new("REC-4", format!("音像资料须载明{what}（参数 {k}）")).at(k)))
    };
    let captured_at = required(m.captured_at, "captured_at", "采集时间")?;
    let captured_at: Timestamp = captured_at.parse().map_err(|_| {
        bad("captured_at", format!("captured_at=「{captured_at}」不是 RFC 3339 时间，如 2026-03-01T10:00:00+08:00"))
    })?;
    let retention = match m.retention.as_deref() {
        None | Some("permanent") => Retention::Permanent,
        Some("six_months") => Retention::SixMonths,
        Some(other) => return Err(bad("retention", format!("retention=「{other}」应为 permanent 或 six_months"))),
    };
    let file_name = m.file_name.unwrap_or_default();
    if file_name.chars().count() > 255 || file_name.chars().any(char::is_control) {
        return Err(bad("file_name", "文件名过长或含控制字符"));
    }
    Ok(Evidence {
        case: case.to_string(),
        // Filled in from the bytes once stored.
        sha256: String::new(),
        sm3: String::new(),
        size: 0,
        media_type: String::new(),
        key: String::new(),
        file_name,
        captured_at,
        place: required(m.place, "place", "采集地点")?,
        collector: required(m.collector, "collector", "采集人")?,
        proves: required(m.proves, "proves", "证明对象")?,
        retention,
        by: by.to_string(),
    })
}

/// Everything an upload can be refused for before a byte is read: the metadata (REC-4),
/// the case, the caller's agency, the collector registered, the capture time not in the
/// future. Answers the evidence to complete with [`store_upload`] once the file is stored.
pub fn prepare_upload(app: &App, me: &Account, number: &str, meta: UploadMetadata) -> Result<Evidence> {
    access::require(me, HANDLERS)?;
    let evidence = metadata(meta, number, &me.login)?;
    app.store.case(&evidence.case)?.ok_or_else(|| Error::NotFound(format!("案件 {} ", evidence.case)))?;
    app.store.precheck_evidence(&evidence)?;
    Ok(evidence)
}

/// Records the evidence whose file `stored` holds. Refused (or failed), the stored object
/// goes too, unless a record already refers to the same content (content addressing, one
/// object for all).
pub fn store_upload(app: &App, me: &Account, mut evidence: Evidence, stored: StoredBlob) -> Result<StoredEvidence> {
    evidence.sha256 = stored.sha256;
    evidence.sm3 = stored.sm3;
    evidence.size = stored.size;
    evidence.media_type = stored.media_type;
    evidence.key = stored.key.to_string();
    let key = stored.key;
    match app.store.append(&actor(me), Event::EvidenceStored { evidence: evidence.clone() }) {
        Ok(record) => Ok(StoredEvidence { record, evidence }),
        Err(e) => {
            match app.store.evidence_content_in_use(key.sha256_hex()) {
                Ok(false) => {
                    if let Err(d) = app.blobs.delete(&key) {
                        tracing::error!(%key, cause = %d, "removing the object of a refused upload");
                    }
                }
                Ok(true) => {}
                Err(q) => tracing::error!(%key, cause = %q, "checking the object of a refused upload"),
            }
            Err(e.into())
        }
    }
}

// ---------------------------------------------------------------------------------------
// list, playback and download

/// The evidence of a case, deleted files' records included.
pub fn list(app: &App, me: &Account, number: &str) -> Result<Vec<EvidenceRow>> {
    access::require(me, STAFF)?;
    visible_case(app, me, number)?;
    Ok(app.store.case_evidence(number)?)
}

/// The live (not deleted) evidence `sha256` of a case `me` may see: what a playback or
/// download serves.
pub fn file(app: &App, me: &Account, number: &str, sha256: &str) -> Result<EvidenceRow> {
    access::require(me, STAFF)?;
    visible_case(app, me, number)?;
    app.store
        .evidence(number, sha256)?
        .filter(|r| r.deleted_seq.is_none())
        .ok_or_else(|| Error::NotFound(format!("本案证据 {sha256} ")))
}

/// REC-7: records that `me` views the file of `row` (the bytes of `range`, or all), for
/// `reason`, before a byte of it leaves.
pub fn record_view(
    app: &App,
    me: &Account,
    row: &EvidenceRow,
    range: Option<&Range<u64>>,
    reason: String,
) -> Result<()> {
    let e = &row.evidence;
    // At most 50 characters (the record's limit): the hash's first 16 digits name it in the
    // case, and the record's seq names it exactly.
    let short = e.sha256.get(..16).unwrap_or(&e.sha256);
    let what = match range {
        Some(r) => format!("证据文件 {short} 字节 {}-{}", r.start, r.end - 1),
        None => format!("证据文件 {short}"),
    };
    let of = format!("case/{}", e.case);
    app.store.append(&actor(me), Event::RecordViewed { seq: row.seq, of, what, reason })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// deletion (REC-6)

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteInput {
    /// Why (required).
    pub reason: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Deleted {
    /// The record of the deletion (it stays on the log).
    pub record: Record,
    /// Whether the stored object was removed (it stays while another live record of any
    /// case refers to the same content).
    pub file_deleted: bool,
}

/// REC-6: deletes the file of evidence `sha256` once its retention has run out; the
/// record of the deletion stays. The domain refuses before the retention allows and
/// outside the agency.
pub fn delete(app: &App, me: &Account, number: &str, sha256: &str, input: DeleteInput) -> Result<Deleted> {
    access::require(me, EVIDENCE_DELETERS)?;
    let store = &app.store;
    store.case(number)?.ok_or_else(|| Error::NotFound(format!("案件 {number} ")))?;
    let row = store
        .evidence(number, sha256)?
        .filter(|r| r.deleted_seq.is_none())
        .ok_or_else(|| Error::NotFound(format!("本案证据 {sha256} ")))?;
    let event = Event::EvidenceDeleted {
        case: number.to_string(),
        sha256: sha256.to_string(),
        by: me.login.clone(),
        reason: input.reason,
    };
    let record = store.append(&actor(me), event)?;
    let mut file_deleted = false;
    if !store.evidence_content_in_use(sha256)? {
        let key = BlobKey::parse(&row.evidence.key).map_err(|e| Error::Internal(e.to_string()))?;
        match app.blobs.delete(&key) {
            Ok(_) => file_deleted = true,
            // The record stands; the object is orphaned and can be removed again later.
            Err(e) => tracing::error!(%key, cause = %e, "deleting an evidence object after its record"),
        }
    }
    Ok(Deleted { record, file_deleted })
}

// ---------------------------------------------------------------------------------------
// REC-8: a party's records at once

#[derive(Serialize, JsonSchema)]
pub struct PartyRecords {
    pub id_number: String,
    pub cases: Vec<PartyCase>,
}

#[derive(Serialize, JsonSchema)]
pub struct PartyCase {
    pub case: CaseFile,
    pub summary: CaseRow,
    pub steps: Vec<StepRecord>,
    pub evidence: Vec<EvidenceRow>,
}

/// REC-8: every case of the party `id_number` that `me` may see, with its steps and
/// evidence; one view per case is recorded first, for `reason` (REC-7).
pub fn party_records(app: &App, me: &Account, id_number: String, reason: String) -> Result<PartyRecords> {
    access::require(me, STAFF)?;
    let store = &app.store;
    let filter = CaseFilter { party_id: Some(id_number.clone()), ..CaseFilter::default() };
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.cases(&filter, Paging { offset, limit: 500 })?;
        let n = page.items.len() as i64;
        rows.extend(page.items);
        offset += n;
        if n == 0 || offset >= page.total {
            break;
        }
    }
    let mut cases = Vec::new();
    for row in rows {
        if !access::case_visible(store, me, &row.agency)? {
            continue;
        }
        let Some(case) = store.case(&row.number)? else { continue };
        let steps = store.case_steps(&row.number)?;
        let evidence = store.case_evidence(&row.number)?;
        cases.push(PartyCase { case, summary: row, steps, evidence });
    }
    if cases.is_empty() {
        return Err(Error::NotFound(format!("当事人 {id_number} 的案件")));
    }
    // REC-7: one view per case, on the case's opening record, before anything is shown.
    let mut views = Vec::new();
    for pc in &cases {
        let of = format!("case/{}", pc.case.number);
        let opened = store.records(Some(&of), -1, 1)?;
        let seq = opened.first().map(|r| r.seq).ok_or_else(|| Error::Internal(format!("{of}: no record")))?;
        views.push(Event::RecordViewed { seq, of, what: "当事人案卷（REC-8）".into(), reason: reason.clone() });
    }
    store.append_batch(&actor(me), views)?;
    Ok(PartyRecords { id_number, cases })
}
