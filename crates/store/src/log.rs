//! The record spine's verifiable log (LOG-1..4): every record's leaf, the C2SP hash tiles,
//! signed checkpoints and proofs, kept in the same database as the records.
//!
//! ## Leaves
//! A record's log entry is a salted commitment to its canonical bytes:
//! `SHA-256("zhifa/record/v1\n" ‖ salt ‖ canonical(record))`, 32 bytes. The entry (and so
//! the public tiles and entry bundles) reveals nothing of the record (LOG-4); whoever is
//! shown the record and its salt can recompute the entry and check its inclusion proof.
//! The leaf is written in the record's own transaction, so there is never a record without
//! its leaf or a leaf without its record, whatever the moment of a crash.
//!
//! ## Tiles
//! Hash tiles are updated in the same transaction too, from a cached [`TileBuilder`] that is
//! resumed from the stored right-edge tiles whenever another writer (another process, or
//! a rolled-back transaction) moved the tree on. So the stored tiles always describe exactly
//! the stored leaves.
//!
//! ## Checkpoints
//! [`Store::sign_checkpoint`] signs the current tree only if it extends the latest stored
//! checkpoint: it recomputes the root at that checkpoint's size from the stored tiles and
//! refuses (fatally) if it differs. Checkpoints are stored append-only. A copy of the latest
//! signed checkpoint is also kept outside the database by the caller (see `zhifa` serve), so a
//! database restored from an older backup is noticed before anything is signed.

use std::cell::RefCell;

use jiff::Timestamp;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use zhifa_log::{
    Checkpoint, Hash, NoteSigner, TileBuilder, TileHashReader, TileId, TileKind, TileReader, encode_entry_bundle,
    leaf_hash, prove_consistency, prove_inclusion, tree_hash,
};

use crate::sql::Conn;
use crate::{Record, Store, StoreError};

const COMMITMENT_PREFIX: &[u8] = b"zhifa/record/v1\n";

/// Canonical bytes of a record: JSON with object keys sorted at every level, no
/// insignificant whitespace, `recorded_at` as microseconds since the Unix epoch.
pub fn canonical_bytes(r: &Record) -> Vec<u8> {
    let v = serde_json::json!({
        "actor": r.actor,
        "body": r.body,
        "kind": r.kind,
        "recorded_at": r.recorded_at.as_microsecond(),
        "seq": r.seq,
        "subject": r.subject,
    });
    let mut out = String::new();
    write_canonical(&v, &mut out);
    out.into_bytes()
}

fn write_canonical(v: &Json, out: &mut String) {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("string"));
                out.push(':');
                write_canonical(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Json::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).expect("scalar")),
    }
}

/// The log entry of a record: its salted commitment.
pub fn commitment(salt: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(COMMITMENT_PREFIX);
    h.update(salt);
    h.update(canonical);
    h.finalize().into()
}

fn from_hex<const N: usize>(s: &str, what: &str) -> Result<[u8; N], StoreError> {
    let v = hex::decode(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?;
    v.try_into().map_err(|_| StoreError::Corrupt(format!("{what}: wrong length")))
}

/// Reads hash tiles through a connection (inside or outside a transaction).
struct ConnTiles<'a, 'b>(RefCell<&'a mut (dyn Conn + 'b)>);

impl TileReader for ConnTiles<'_, '_> {
    type Error = StoreError;
    fn read_tiles(&self, tiles: &[TileId]) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut c = self.0.borrow_mut();
        tiles
            .iter()
            .map(|id| {
                let TileKind::Hashes(level) = id.kind() else {
                    return Err(StoreError::Corrupt(format!("not a hash tile: {}", id.path())));
                };
                let row = c
                    .query_opt(
                        "SELECT width, data FROM log_tiles WHERE level = $1 AND idx = $2",
                        &[(level as i64).into(), (id.index() as i64).into()],
                    )?
                    .ok_or_else(|| StoreError::Corrupt(format!("missing tile {}", id.path())))?;
                let width = row.int(0)? as usize;
                let want = id.width() as usize;
                if width < want {
                    return Err(StoreError::Corrupt(format!("tile {} has only {width} hashes", id.path())));
                }
                let mut bytes = hex::decode(row.text(1)?).map_err(|e| row.corrupt(1, e.to_string()))?;
                bytes.truncate(want * 32);
                Ok(bytes)
            })
            .collect()
    }
}

fn tree_size_in(c: &mut dyn Conn) -> Result<u64, StoreError> {
    // Leaves are numbered like the records, gaplessly from 0: an index lookup, not a count.
    // MAX of no rows is NULL.
    Ok(match c.query_opt("SELECT MAX(seq) FROM log_leaves", &[])? {
        Some(r) => r.opt_int(0)?.map_or(0, |n| n as u64 + 1),
        None => 0,
    })
}

fn put_tiles(c: &mut dyn Conn, tiles: &[zhifa_log::Tile]) -> Result<(), StoreError> {
    for t in tiles {
        let level = t.id.level().expect("hash tile") as i64;
        c.execute(
            "INSERT INTO log_tiles (level, idx, width, data) VALUES ($1, $2, $3, $4)
             ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, data = excluded.data
             WHERE log_tiles.width < excluded.width",
            &[
                level.into(),
                (t.id.index() as i64).into(),
                (t.id.width() as i64).into(),
                hex::encode(t.to_bytes()).into(),
            ],
        )?;
    }
    Ok(())
}

/// Writes the leaves of `records` (which start at the current tree size) and the tiles
/// they change. `cache` is the builder for the tree before them, if known.
pub(crate) fn append_leaves(
    c: &mut dyn Conn,
    records: &[Record],
    cache: &mut Option<TileBuilder>,
) -> Result<(), StoreError> {
    let Some(first) = records.first() else { return Ok(()) };
    let start = first.seq as u64;
    let mut builder = match cache.take() {
        Some(b) if b.size() == start => b,
        _ => {
            let size = tree_size_in(c)?;
            if size != start {
                return Err(StoreError::Corrupt(format!("log has {size} leaves but the next record is {start}")));
            }
            TileBuilder::resume(size, &ConnTiles(RefCell::new(c))).map_err(|e| match e {
                // The database's own error (or a corrupt column), as it was.
                zhifa_log::ResumeError::Read(e) => e,
                other => StoreError::Corrupt(other.to_string()),
            })?
        }
    };
    let mut hashes = Vec::with_capacity(records.len());
    for r in records {
        let salt: [u8; 32] = rand::random();
        let entry = commitment(&salt, &canonical_bytes(r));
        c.execute(
            "INSERT INTO log_leaves (seq, salt, commitment) VALUES ($1, $2, $3)",
            &[r.seq.into(), hex::encode(salt).into(), hex::encode(entry).into()],
        )?;
        hashes.push(leaf_hash(&entry));
    }
    put_tiles(c, &builder.append(&hashes))?;
    *cache = Some(builder);
    Ok(())
}

/// Migration 2: gives every record written before the log existed its leaf and tiles.
pub(crate) fn backfill(c: &mut dyn Conn) -> Result<(), StoreError> {
    let mut cache = Some(TileBuilder::new());
    crate::for_each_record_batch(c, |c, records| append_leaves(c, records, &mut cache))
}

/// A record with what proves it: its salt and its log entry.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RecordLeaf {
    pub record: Record,
    /// Hex of the 32-byte salt.
    pub salt: String,
    /// Hex of the 32-byte commitment: the log entry.
    pub commitment: String,
}

/// A signed checkpoint as stored, with any witness cosignature lines.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The signed note as signed by the log.
    pub note: String,
    pub signed_at: Timestamp,
    /// Witness cosignature lines (`— name sig`), in witness order.
    pub cosignatures: Vec<String>,
}

impl StoredCheckpoint {
    /// The note with the witnesses' cosignatures appended: what is published.
    pub fn published(&self) -> String {
        let mut s = self.note.clone();
        for l in &self.cosignatures {
            s.push_str(l);
            if !l.ends_with('\n') {
                s.push('\n');
            }
        }
        s
    }
}

/// Why no checkpoint could be signed.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The stored tree does not extend the latest signed checkpoint. Fatal: signing now
    /// would publish a fork.
    #[error(
        "LOG-2: 当前日志树（大小 {size}）在大小 {old_size} 处的根为 {found}，与已签发检查点的根 {signed} 不一致，拒绝签发"
    )]
    Inconsistent { size: u64, old_size: u64, signed: String, found: String },
    /// The stored tree is smaller than the latest signed checkpoint.
    #[error("LOG-2: 当前日志树大小 {size} 小于已签发检查点的大小 {old_size}，拒绝签发")]
    Shrunk { size: u64, old_size: u64 },
    #[error("LOG-2: 检查点格式错误: {0}")]
    Format(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn checkpoint_from_row(r: &crate::sql::Row, cosigs: Vec<String>) -> Result<StoredCheckpoint, StoreError> {
    Ok(StoredCheckpoint {
        size: r.int(0)? as u64,
        root: Hash::from_base64(r.text(1)?).map_err(|e| r.corrupt(1, e.to_string()))?,
        note: r.text(2)?.to_string(),
        signed_at: Timestamp::from_microsecond(r.int(3)?).map_err(|e| r.corrupt(3, e.to_string()))?,
        cosignatures: cosigs,
    })
}

fn latest_checkpoint_in(c: &mut dyn Conn) -> Result<Option<StoredCheckpoint>, StoreError> {
    let Some(row) =
        c.query_opt("SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size DESC LIMIT 1", &[])?
    else {
        return Ok(None);
    };
    let size = row.int(0)?;
    let cosigs = c
        .query("SELECT line FROM log_cosignatures WHERE size = $1 ORDER BY witness", &[size.into()])?
        .iter()
        .map(|r| r.text(0).map(str::to_owned))
        .collect::<Result<_, _>>()?;
    Ok(Some(checkpoint_from_row(&row, cosigs)?))
}

fn root_at(c: &mut dyn Conn, size: u64) -> Result<Hash, StoreError> {
    let tiles = ConnTiles(RefCell::new(c));
    let reader = TileHashReader::new(size, &tiles);
    tree_hash(size, &reader).map_err(|e| StoreError::Corrupt(format!("tree hash at {size}: {e}")))
}

impl Store {
    /// The number of leaves (= records).
    pub fn tree_size(&self) -> Result<u64, StoreError> {
        self.read(tree_size_in)
    }

    /// The root of the tree of the first `size` leaves, from the stored tiles.
    pub fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.read(|c| root_at(c, size))
    }

    /// A record with its salt and log entry, if it exists.
    pub fn record_leaf(&self, seq: i64) -> Result<Option<RecordLeaf>, StoreError> {
        self.read(|c| {
            let Some(row) = c.query_opt(
                "SELECT r.seq, r.kind, r.subject, r.actor, r.recorded_at, r.body, l.salt, l.commitment
                 FROM records r JOIN log_leaves l ON l.seq = r.seq WHERE r.seq = $1",
                &[seq.into()],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(RecordLeaf {
                record: crate::record_from_row(&row)?,
                salt: row.text(6)?.to_string(),
                commitment: row.text(7)?.to_string(),
            }))
        })
    }

    /// A C2SP tile's bytes: a hash tile, or an entry bundle made from the leaves. `None` if
    /// the tree does not (yet) have that tile at that width.
    pub fn tile(&self, id: TileId) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| match id.kind() {
            TileKind::Hashes(level) => {
                let row = c.query_opt(
                    "SELECT width, data FROM log_tiles WHERE level = $1 AND idx = $2",
                    &[(level as i64).into(), (id.index() as i64).into()],
                )?;
                let Some(r) = row else { return Ok(None) };
                let width = r.int(0)? as usize;
                // A full tile is served only when complete; a partial width only while
                // the stored tile has at least that many hashes (they never change).
                if width < id.width() as usize {
                    return Ok(None);
                }
                let mut b = hex::decode(r.text(1)?).map_err(|e| r.corrupt(1, e.to_string()))?;
                b.truncate(id.width() as usize * 32);
                Ok(Some(b))
            }
            TileKind::Entries => {
                let start = id.index() as i64 * 256;
                let rows = c.query(
                    "SELECT commitment FROM log_leaves WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                    &[start.into(), (start + id.width() as i64).into()],
                )?;
                if rows.len() < id.width() as usize {
                    return Ok(None);
                }
                let entries: Vec<Vec<u8>> = rows
                    .iter()
                    .map(|r| hex::decode(r.text(0)?).map_err(|e| r.corrupt(0, e.to_string())))
                    .collect::<Result<_, _>>()?;
                Ok(Some(
                    encode_entry_bundle(entries.iter().map(|e| e.as_slice()))
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ))
            }
        })
    }

    /// Inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.read(|c| {
            let tiles = ConnTiles(RefCell::new(c));
            let reader = TileHashReader::new(size, &tiles);
            prove_inclusion(index, size, &reader).map_err(|e| StoreError::Corrupt(format!("inclusion proof: {e}")))
        })
    }

    /// Consistency proof from the tree of `old` leaves to that of `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.read(|c| {
            let tiles = ConnTiles(RefCell::new(c));
            let reader = TileHashReader::new(new, &tiles);
            prove_consistency(old, new, &reader).map_err(|e| StoreError::Corrupt(format!("consistency proof: {e}")))
        })
    }

    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.read(latest_checkpoint_in)
    }

    /// Every signed checkpoint, oldest first (without cosignatures).
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.read(|c| {
            c.query("SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size", &[])?
                .iter()
                .map(|r| checkpoint_from_row(r, Vec::new()))
                .collect()
        })
    }

    /// Signs a checkpoint of the current tree if it has grown since the latest one, after
    /// checking that it extends it. Returns the new checkpoint, or `None` if the tree has not
    /// grown. Writers may go on meanwhile; the checkpoint is of the tree as this transaction
    /// sees it.
    pub fn sign_checkpoint(
        &self,
        origin: &str,
        signers: &[&dyn NoteSigner],
    ) -> Result<Option<StoredCheckpoint>, CheckpointError> {
        let now = self.now();
        self.write(|c| {
            let size = tree_size_in(c)?;
            let latest = latest_checkpoint_in(c)?;
            if let Some(l) = &latest {
                if size == l.size {
                    return Ok(None);
                }
                if size < l.size {
                    return Err(CheckpointError::Shrunk { size, old_size: l.size });
                }
                let found = root_at(c, l.size)?;
                if found != l.root {
                    return Err(CheckpointError::Inconsistent {
                        size,
                        old_size: l.size,
                        signed: l.root.to_base64(),
                        found: found.to_base64(),
                    });
                }
            }
            let root = root_at(c, size)?;
            let cp = Checkpoint::new(origin, size, root).map_err(|e| CheckpointError::Format(e.to_string()))?;
            let note = cp.sign(signers).map_err(|e| CheckpointError::Format(e.to_string()))?.to_string();
            // Commit point: the checkpoint is stored before anyone is shown it. A crash
            // before the commit leaves no trace; it was never published.
            c.execute(
                "INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)",
                &[(size as i64).into(), root.to_base64().into(), note.clone().into(), now.as_microsecond().into()],
            )?;
            Ok(Some(StoredCheckpoint { size, root, note, signed_at: now, cosignatures: Vec::new() }))
        })
    }

    /// Stores a witness's cosignature line for the checkpoint of `size` (verified by the caller).
    pub fn add_cosignature(&self, size: u64, witness: &str, line: &str) -> Result<(), StoreError> {
        self.write(|c| {
            c.execute(
                "INSERT INTO log_cosignatures (size, witness, line) VALUES ($1, $2, $3) ON CONFLICT (size, witness) DO NOTHING",
                &[(size as i64).into(), witness.into(), line.into()],
            )
            .map(|_| ())
        })
    }
}

/// What `zhifa log verify` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    pub leaves: u64,
    pub tiles: u64,
    pub checkpoints: u64,
    /// The first leaf (= record seq) whose record, leaf or tiles disagree, if any.
    pub first_bad_leaf: Option<u64>,
    /// Every problem found, in Chinese, the first one first.
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn bad(&mut self, leaf: Option<u64>, msg: String) {
        if self.first_bad_leaf.is_none() {
            self.first_bad_leaf = leaf;
        }
        if self.problems.len() < 100 {
            self.problems.push(msg);
        }
    }
}

impl Store {
    /// Recomputes the whole log from the stored records: every record against its
    /// commitment, every stored tile against tiles rebuilt from the recomputed leaves, and
    /// every stored checkpoint's root (and, given `verifier`, its signature).
    pub fn verify_log(&self, verifier: Option<&dyn zhifa_log::NoteVerifier>) -> Result<VerifyReport, StoreError> {
        self.read(|c| {
            let mut report = VerifyReport::default();
            let checkpoints: Vec<StoredCheckpoint> = c
                .query("SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size", &[])?
                .iter()
                .map(|r| checkpoint_from_row(r, Vec::new()))
                .collect::<Result<_, _>>()?;
            let mut next_cp = 0usize;
            let mut builder = TileBuilder::new();
            let mut rebuilt: std::collections::BTreeMap<(u8, u64), Vec<Hash>> = Default::default();
            let check_roots = |builder: &TileBuilder, next_cp: &mut usize, report: &mut VerifyReport| {
                while let Some(cp) = checkpoints.get(*next_cp).filter(|cp| cp.size == builder.size()) {
                    if builder.root() != cp.root {
                        report.bad(None, format!("检查点（大小 {}）的根与由记录重算的根不一致", cp.size));
                    }
                    *next_cp += 1;
                }
            };
            check_roots(&builder, &mut next_cp, &mut report);
            let mut after = -1i64;
            let mut expected_seq = 0i64;
            loop {
                let rows = c.query(
                    "SELECT r.seq, r.kind, r.subject, r.actor, r.recorded_at, r.body, l.salt, l.commitment
                     FROM records r LEFT JOIN log_leaves l ON l.seq = r.seq WHERE r.seq > $1 ORDER BY r.seq LIMIT 1000",
                    &[after.into()],
                )?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let record = crate::record_from_row(row)?;
                    let seq = record.seq;
                    after = seq;
                    if seq != expected_seq {
                        report.bad(Some(expected_seq as u64), format!("记录序号不连续：缺少第 {expected_seq} 号"));
                    }
                    expected_seq = seq + 1;
                    let (Some(salt), Some(stored)) = (row.opt_text(6)?, row.opt_text(7)?) else {
                        report.bad(Some(seq as u64), format!("记录 {seq} 没有日志叶子"));
                        continue;
                    };
                    let salt: [u8; 32] = from_hex(salt, "salt")?;
                    let entry = commitment(&salt, &canonical_bytes(&record));
                    if hex::encode(entry) != stored {
                        report.bad(
                            Some(seq as u64),
                            format!(
                                "叶子 {seq}：记录 {seq}（{}，{}）与其日志承诺不符，记录已被改动",
                                record.kind, record.subject
                            ),
                        );
                    }
                    report.leaves += 1;
                    // The tree is rebuilt from the stored entries: a record changed after the
                    // fact is caught above; a changed entry or tile is caught below.
                    let stored_entry: [u8; 32] = from_hex(stored, "commitment")?;
                    for t in builder.append(&[leaf_hash(&stored_entry)]) {
                        rebuilt.insert((t.id.level().expect("hash tile"), t.id.index()), t.hashes);
                    }
                    check_roots(&builder, &mut next_cp, &mut report);
                }
            }
            let leaves_total = tree_size_in(c)?;
            if leaves_total != report.leaves {
                report.bad(Some(report.leaves), format!("日志有 {leaves_total} 个叶子，记录只有 {} 条", report.leaves));
            }
            // Compare every stored tile with the rebuilt one, naming the first leaf below
            // the first differing hash.
            for ((level, idx), hashes) in &rebuilt {
                report.tiles += 1;
                let row = c.query_opt(
                    "SELECT width, data FROM log_tiles WHERE level = $1 AND idx = $2",
                    &[(*level as i64).into(), (*idx as i64).into()],
                )?;
                let stored: Vec<u8> = match row {
                    Some(r) => hex::decode(r.text(1)?).map_err(|e| r.corrupt(1, e.to_string()))?,
                    None => Vec::new(),
                };
                let first_leaf = |i: usize| (idx * 256 + i as u64) << (8 * *level as u32);
                for (i, h) in hashes.iter().enumerate() {
                    if stored.get(i * 32..i * 32 + 32) != Some(h.as_ref()) {
                        report.bad(
                            Some(first_leaf(i)),
                            format!("瓦片 tile/{level}/{idx} 的第 {i} 个哈希与重算不符（自叶子 {} 起）", first_leaf(i)),
                        );
                        break;
                    }
                }
            }
            for cp in &checkpoints[next_cp.min(checkpoints.len())..] {
                report.bad(None, format!("检查点（大小 {}）超出了日志的大小 {}", cp.size, builder.size()));
            }
            for cp in &checkpoints {
                report.checkpoints += 1;
                if let Some(v) = verifier {
                    let ok = zhifa_log::Note::parse(&cp.note).ok().is_some_and(|n| n.verify(&[v]).is_ok());
                    if !ok {
                        report.bad(None, format!("检查点（大小 {}）的签名无法用日志公钥验证", cp.size));
                    }
                }
            }
            Ok(report)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_sort_keys_at_every_level() {
        let r = Record {
            seq: 7,
            kind: "k".into(),
            subject: "s".into(),
            actor: "a".into(),
            recorded_at: Timestamp::from_microsecond(1).unwrap(),
            body: serde_json::json!({"z": 1, "a": {"y": [2, {"c": 3, "b": "é\""}], "x": null}}),
        };
        assert_eq!(
            String::from_utf8(canonical_bytes(&r)).unwrap(),
            r#"{"actor":"a","body":{"a":{"x":null,"y":[2,{"b":"é\"","c":3}]},"z":1},"kind":"k","recorded_at":1,"seq":7,"subject":"s"}"#
        );
    }

    #[test]
    fn the_commitment_depends_on_salt_and_bytes() {
        let a = commitment(&[0; 32], b"x");
        assert_ne!(a, commitment(&[1; 32], b"x"));
        assert_ne!(a, commitment(&[0; 32], b"y"));
        assert_eq!(from_hex::<32>(&hex::encode(a), "t").unwrap(), a);
    }
}
