//! Open data (PUB-9): the published decisions with their 双公示 fields, a page at a time
//! or every one in a date range for the bulk exports; and LOG-5, the public proof of a
//! publication record against the latest signed checkpoint — for publication records
//! only, every other record stays private (LOG-4).

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::Serialize;
use zhifa_domain::publication::OpenRecord;
use zhifa_store::{Paging, PublicationFilter};

use crate::App;
use crate::error::{Error, Result, bad};
use crate::publications::PUBLIC_KINDS;

/// The decision dates asked for, both ends included; checked (the start not after the end).
#[derive(Debug, Clone, Copy, Default)]
pub struct DateRange {
    from: Option<Date>,
    to: Option<Date>,
}

impl DateRange {
    pub fn new(from: Option<Date>, to: Option<Date>) -> Result<DateRange> {
        if let (Some(a), Some(b)) = (from, to)
            && a > b
        {
            return Err(bad("from", "起始日期不能晚于截止日期"));
        }
        Ok(DateRange { from, to })
    }

    /// The current publications decided in the range.
    fn filter(&self) -> PublicationFilter {
        PublicationFilter { from: self.from, to: self.to, ..Default::default() }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct OpenPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<OpenRecord>,
}

/// PUB-9: a page of the current publications decided in `range`.
pub fn open_page(app: &App, range: DateRange, paging: Paging) -> Result<OpenPage> {
    let page = app.store.publications(&range.filter(), paging)?;
    Ok(OpenPage {
        total: page.total,
        offset: page.offset,
        limit: page.limit,
        items: page.items.iter().map(|r| OpenRecord::of(&r.publication)).collect(),
    })
}

/// PUB-9, the bulk exports: every current publication decided in `range`, handed to `rows`
/// 500 at a time, in order, until they are all given or `rows` answers `false` (the reader
/// went away).
pub fn export(app: &App, range: DateRange, mut rows: impl FnMut(Vec<OpenRecord>) -> bool) -> Result<()> {
    let f = range.filter();
    let mut offset = 0;
    loop {
        let page = app.store.publications(&f, Paging { offset, limit: 500 })?;
        if !rows(page.items.iter().map(|r| OpenRecord::of(&r.publication)).collect()) {
            return Ok(());
        }
        offset += page.items.len() as i64;
        if page.items.is_empty() || offset >= page.total {
            return Ok(());
        }
    }
}

/// Everything needed to check that a publication record is in the log: recompute the
/// leaf from `canonical` and `salt` (`SHA-256("zhifa/record/v1\n" ‖ salt ‖ canonical)`),
/// hash it as an RFC 6962 leaf, and fold `proof` at `index` up to the root of `checkpoint`.
#[derive(Serialize, JsonSchema)]
pub struct PublicProof {
    pub seq: i64,
    pub kind: String,
    /// The record (public: a publication, withdrawal or expiry).
    pub record: serde_json::Value,
    /// The record's canonical bytes as text.
    pub canonical: String,
    /// Hex of the salt.
    pub salt: String,
    /// Hex of the log entry (the salted commitment).
    pub entry: String,
    pub index: u64,
    pub tree_size: u64,
    /// Base64 hashes of the inclusion proof (RFC 6962).
    pub proof: Vec<String>,
    pub root: String,
    /// The signed checkpoint (C2SP tlog-checkpoint) the proof is against.
    pub checkpoint: String,
}

/// LOG-5: the inclusion proof of publication record `seq` against the latest signed
/// checkpoint; LOG-4: any other record is "not found"; LOG-3: one not yet in a signed
/// checkpoint is a conflict, to be asked again.
pub fn proof(app: &App, seq: i64) -> Result<PublicProof> {
    let store = &app.store;
    let leaf = store
        .record_leaf(seq)?
        .filter(|l| PUBLIC_KINDS.contains(&l.record.kind.as_str()))
        .ok_or_else(|| Error::NotFound(format!("公示记录 {seq} ")))?;
    let cp = store
        .latest_checkpoint()?
        .filter(|c| c.size > seq as u64)
        .ok_or_else(|| Error::Conflict("LOG-3", format!("记录 {seq} 尚未被已签发的检查点包含，请稍后再试")))?;
    let proof = store.inclusion_proof(seq as u64, cp.size)?;
    Ok(PublicProof {
        seq,
        kind: leaf.record.kind.clone(),
        canonical: String::from_utf8_lossy(&zhifa_store::log::canonical_bytes(&leaf.record)).into_owned(),
        record: serde_json::to_value(&leaf.record).map_err(|e| Error::Internal(e.to_string()))?,
        salt: leaf.salt,
        entry: leaf.commitment,
        index: seq as u64,
        tree_size: cp.size,
        proof: proof.iter().map(|h| h.to_base64()).collect(),
        root: cp.root.to_base64(),
        checkpoint: cp.published(),
    })
}
