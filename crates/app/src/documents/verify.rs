//! LOG-5: the public check of a document — by its code, by its SHA-256, or by the PDF's
//! bytes — against the issued documents: which agency issued it and when, its signed
//! statement against the platform's published key, and its record's inclusion proof
//! against a signed checkpoint.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhifa_domain::document::{self, IssuedDocument};
use zhifa_log::{Note, NoteVerifier};
use zhifa_store::Store;

use super::data::cn_time;
use crate::App;
use crate::error::{Error, Result};

/// The most a verification upload may be.
pub const MAX_UPLOAD: usize = 32 << 20;

/// The outcome of a public check.
#[derive(Serialize, JsonSchema, Clone)]
pub struct Verification {
    /// Exactly a document the platform issued.
    pub ok: bool,
    /// A plain explanation in Chinese.
    pub message: String,
    /// The SHA-256 of the uploaded bytes (when a file was checked).
    pub computed_sha256: Option<String>,
    pub document: Option<PublicDocument>,
    /// The signed statement verifies against the platform's published key.
    pub signature_valid: bool,
    pub proof: Option<InclusionProof>,
}

/// What the public learns of an issued document (no party data).
#[derive(Serialize, JsonSchema, Clone)]
pub struct PublicDocument {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub number: Option<String>,
    pub agency: String,
    pub agency_name: String,
    pub issued_at: Timestamp,
    pub sha256: String,
    /// The signed statement (C2SP signed note).
    pub signature: String,
    pub signing_key: String,
}

/// The document's record in the log against a signed checkpoint (LOG-5).
#[derive(Serialize, JsonSchema, Clone)]
pub struct InclusionProof {
    /// The leaf index (= the record's seq).
    pub index: u64,
    pub tree_size: u64,
    /// The record's canonical bytes and salt: commitment = SHA-256("zhifa/record/v1\n" ‖ salt ‖ canonical).
    pub canonical: String,
    pub salt: String,
    /// Hex: the log entry.
    pub commitment: String,
    /// Base64 hashes, the leaf's sibling first.
    pub hashes: Vec<String>,
    /// The signed checkpoint with witness cosignatures.
    pub checkpoint: String,
    /// The proof leads to the checkpoint's root.
    pub valid: bool,
}

fn verifiers(app: &App) -> Vec<Box<dyn NoteVerifier>> {
    let mut v: Vec<Box<dyn NoteVerifier>> = Vec::new();
    v.push(Box::new(app.log.signer.verifier()));
    if let Some(k) = &app.log.sm2 {
        v.push(Box::new(k.verifier()));
    }
    v
}

fn signature_valid(app: &App, d: &IssuedDocument) -> bool {
    let Ok(note) = Note::parse(&d.signature) else { return false };
    let vs = verifiers(app);
    let refs: Vec<&dyn NoteVerifier> = vs.iter().map(|b| b.as_ref()).collect();
    let mut unsigned = d.clone();
    unsigned.signature = String::new();
    note.text() == document::statement(&unsigned) && note.verify(&refs).is_ok_and(|v| !v.is_empty())
}

fn inclusion(store: &Store, seq: i64) -> Result<Option<InclusionProof>> {
    let Some(leaf) = store.record_leaf(seq)? else { return Ok(None) };
    let Some(cp) = store.latest_checkpoint()?.filter(|c| c.size > seq as u64) else { return Ok(None) };
    let proof = store.inclusion_proof(seq as u64, cp.size)?;
    let commitment: [u8; 32] = hex::decode(&leaf.commitment)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| Error::Internal("commitment".into()))?;
    let valid = zhifa_log::root_from_inclusion_proof(&zhifa_log::leaf_hash(&commitment), seq as u64, cp.size, &proof)
        .is_ok_and(|r| r == cp.root);
    Ok(Some(InclusionProof {
        index: seq as u64,
        tree_size: cp.size,
        canonical: String::from_utf8_lossy(&zhifa_store::log::canonical_bytes(&leaf.record)).into_owned(),
        salt: leaf.salt,
        commitment: leaf.commitment,
        hashes: proof.iter().map(|h| h.to_base64()).collect(),
        checkpoint: cp.published(),
        valid,
    }))
}

/// LOG-5: checks a code, a hash or a file's bytes against the issued documents.
pub fn verify(app: &App, code: Option<&str>, bytes: Option<&[u8]>, sha256: Option<&str>) -> Result<Verification> {
    let store = &app.store;
    let computed = bytes.map(|b| hex::encode(Sha256::digest(b))).or_else(|| sha256.map(|h| h.trim().to_lowercase()));
    let code = code.map(|c| c.trim().to_uppercase().replace(['-', ' '], "")).filter(|c| !c.is_empty());
    let by_code = match &code {
        Some(c) => store.document_by_code(c)?,
        None => None,
    };
    let found = match (&computed, &by_code) {
        (Some(h), Some(d)) if &d.document.sha256 == h => Some(d.clone()),
        (Some(h), None) if code.is_none() => store.documents_by_sha256(h)?.pop(),
        (None, Some(d)) => Some(d.clone()),
        _ => None,
    };
    let Some(row) = found else {
        let message = match (&computed, &by_code, &code) {
            (Some(h), Some(d), _) => format!(
                "不一致：上传文件的 SHA-256 为 {h}，而核验码对应文书的 SHA-256 为 {}。文件哪怕只改动一个字节，哈希也会完全不同——该文件不是平台签发的原件，或已被修改。",
                d.document.sha256
            ),
            (Some(h), None, None) => format!(
                "不一致：上传文件的 SHA-256 为 {h}，与平台签发的任何文书都不相同。该文件不是平台签发的原件，或已被修改（哪怕只改动一个字节）。"
            ),
            (_, None, Some(c)) => format!("未找到核验码为 {c} 的文书。请核对核验码（10 位字母和数字）。"),
            _ => "请输入核验码或上传文书 PDF。".to_string(),
        };
        return Ok(Verification {
            ok: false,
            message,
            computed_sha256: computed,
            document: None,
            signature_valid: false,
            proof: None,
        });
    };
    let d = &row.document;
    let agency_name = store.agency(&d.agency)?.map(|a| a.name).unwrap_or_default();
    let sig = signature_valid(app, d);
    let proof = inclusion(store, row.seq)?;
    let title = document::kind(&d.kind).map_or("", |k| k.title).to_string();
    let when = cn_time(d.issued_at);
    let mut message = if computed.is_some() {
        format!("一致：该文件与{agency_name}于 {when} 签发的《{title}》逐字节相同。")
    } else {
        format!("核验码有效：对应{agency_name}于 {when} 签发的《{title}》。如需确认手中文件未被修改，请上传 PDF 核对。")
    };
    if !sig {
        message.push_str("但签名未能用平台公钥验证，请联系签发机关。");
    }
    if proof.is_none() {
        message.push_str("该记录尚未纳入已签名的日志检查点，请稍后再查包含证明。");
    }
    Ok(Verification {
        ok: sig,
        message,
        computed_sha256: computed,
        document: Some(PublicDocument {
            code: d.code.clone(),
            kind: d.kind.clone(),
            title,
            number: d.number.clone(),
            agency: d.agency.clone(),
            agency_name,
            issued_at: d.issued_at,
            sha256: d.sha256.clone(),
            signature: d.signature.clone(),
            signing_key: d.signing_key.clone(),
        }),
        signature_valid: sig,
        proof,
    })
}
