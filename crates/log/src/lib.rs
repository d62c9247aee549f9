//! The verifiable record log of Zhifa (DOMAIN.md LOG-1..5): the pure parts, knowing nothing of
//! cases. No IO, no async, no clock, no randomness: times, keys and stored data come in as
//! arguments or through the small reader traits below.
//!
//! - [`hash`]: RFC 6962/9162 tree hashing — [`leaf_hash`] `SHA-256(0x00‖data)`, [`node_hash`]
//!   `SHA-256(0x01‖l‖r)`, [`root_from_leaf_hashes`].
//! - [`proof`]: inclusion and consistency proof verification (RFC 9162 §2.1.3.2, §2.1.4.2).
//! - [`stored`]: proof and tree-hash generation from stored hashes, addressed with Go `tlog`'s
//!   stored-hash indexes through the [`HashReader`] trait.
//! - [`tile`]: C2SP tlog-tiles — [`TileId`] coordinates and paths, the tiles of a tree,
//!   [`TileBuilder`] for building tiles while appending, [`TileReader`] and
//!   [`TileHashReader`] for generating proofs from stored tiles, and entry bundles.
//! - [`note`]: C2SP signed notes and Ed25519 signer/verifier keys.
//! - [`checkpoint`]: C2SP tlog-checkpoint bodies, signing and opening.
//! - [`cosignature`]: C2SP tlog-cosignature (`cosignature/v1`) lines and the client side of
//!   C2SP tlog-witness's `add-checkpoint`.
//! - [`receipt`]: C2SP tlog-proof receipts (`.tlog-proof`).
//! - `sm2` (feature `sm2`, on by default): SM2-over-SM3 note signature lines for agencies
//!   that must use national algorithms.
//!
//! # Why this is written here rather than taken from a crate
//!
//! The architecture asks for a well-kept implementation of the C2SP formats where one fits.
//! In the Rust ecosystem the candidates are Cloudflare's `tlog_tiles` 0.2 and `signed_note`
//! 0.2 (from the Azul project, ports of Go's `sumdb/tlog` and `sumdb/note`). Checked against
//! what this log needs, neither fits:
//!
//! - `tlog_tiles` 0.2 writes Go-`tlog` paths, which carry the tile height and use `data` for
//!   entries (`tile/8/0/x001/...`, `tile/8/data/...`), not C2SP tlog-tiles paths
//!   (`tile/0/x001/...`, `tile/entries/...`); it has no entry bundles and no tlog-proof; and it
//!   depends on `url` (with its IDNA/ICU stack) outside its tests, plus `thiserror` 1 and
//!   `base64` 0.21 beside the workspace's newer versions.
//! - `signed_note` 0.2 offers no way to list a note's signatures without verifying it, its
//!   verifier-key parser accepts only Ed25519 (`0x01`), so witness (`0x04`) keys cannot be
//!   read, and it too brings `thiserror` 1 and `base64` 0.21.
//!
//! Both are young (two 0.x releases each) and lightly used. Adapting them would cost more than
//! the few hundred lines of careful code here, so this crate implements the formats itself,
//! porting the reference algorithms and recording where each comes from: Go's
//! `golang.org/x/mod/sumdb/tlog` (stored-hash indexing and proof generation), RFC 9162's
//! verification algorithms with the length checks of `transparency-dev/merkle`, and
//! `golang.org/x/mod/sumdb/note` (note parsing and verification rules). It is checked against
//! the transparency-dev/merkle test vectors, the C2SP signed-note and Go `note` key and
//! signature vectors, and the tlog-tiles spec's 70,000-leaf example (see `tests/`).
//! Cryptography comes from well-kept crates: `sha2`, `ed25519-dalek` 2, and RustCrypto's `sm2`
//! (with `sm3`) for the optional national-algorithm line.
//!
//! # Reading stored data: the two reader traits
//!
//! Proof generation is written against [`HashReader`]: `read_hashes(&[u64]) -> Vec<Hash>`,
//! where each `u64` is a stored-hash index ([`stored_hash_index`]`(level, n)`), the position at
//! which node `(level, n)` is written when leaves are appended one by one
//! ([`stored_hashes_for_leaf`]). A store can implement it directly (a table keyed by index), or
//! keep only tiles and wrap a [`TileReader`] (`read_tiles(&[TileId]) -> Vec<Vec<u8>>`, each the
//! tile's bytes) in a [`TileHashReader`] for the tree size the proof is for. Either way one
//! call fetches everything a proof needs: at most about `2·log2(size)` hashes, or a handful
//! of tiles.
//!
//! # Typical use by a sequencer
//!
//! ```
//! use zhifa_log::{Checkpoint, Ed25519Signer, TileBuilder, leaf_hash};
//!
//! let log_key = Ed25519Signer::from_seed("log.example.gov.cn/zhifa", &[9; 32]).unwrap();
//! let mut tiles = TileBuilder::new();
//! let written = tiles.append(&[leaf_hash(b"record 0"), leaf_hash(b"record 1")]);
//! assert_eq!(written[0].id.path(), "tile/0/000.p/2");
//! let checkpoint = Checkpoint::new("log.example.gov.cn/zhifa", tiles.size(), tiles.root()).unwrap();
//! let signed = checkpoint.sign(&[&log_key]).unwrap().to_string();
//! assert!(signed.starts_with("log.example.gov.cn/zhifa\n2\n"));
//! ```

pub mod checkpoint;
pub mod cosignature;
pub mod hash;
pub mod note;
pub mod proof;
pub mod receipt;
#[cfg(feature = "sm2")]
pub mod sm2;
pub mod stored;
pub mod tile;

pub use checkpoint::{Checkpoint, CheckpointError, open_checkpoint};
pub use cosignature::{
    AddCheckpoint, Cosignature, CosignatureSigner, CosignatureVerifier, WitnessError, cosignature_timestamp,
    cosigned_message, parse_signature_lines, verify_cosignatures,
};
pub use hash::{EMPTY_ROOT, HASH_SIZE, Hash, HashParseError, leaf_hash, node_hash, root_from_leaf_hashes};
pub use note::{
    Ed25519Signer, Ed25519Verifier, KeyError, Note, NoteError, NoteSignature, NoteSigner, NoteVerifier,
    SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, VerifierKey, is_valid_key_name, key_id,
};
pub use proof::{
    ProofError, consistency_proof_len, inclusion_proof_len, root_from_inclusion_proof, verify_consistency,
    verify_inclusion,
};
pub use receipt::{ReceiptError, TlogProof, VerifiedReceipt};
#[cfg(feature = "sm2")]
pub use sm2::{SM2_DISTINGUISHING_ID, SM2_SIGNATURE_TYPE, Sm2Signer, Sm2Verifier};
pub use stored::{
    HashReader, MissingHash, ProveError, prove_consistency, prove_inclusion, split_stored_hash_index,
    stored_hash_count, stored_hash_index, stored_hashes_for_leaf, tree_hash,
};
pub use tile::{
    EntryBundleError, MAX_ENTRY_LEN, ResumeError, TILE_HEIGHT, TILE_WIDTH, Tile, TileBuilder, TileDataError,
    TileHashReader, TileId, TileIdError, TileKind, TileReadError, TileReader, check_entry_bundle, decode_entry_bundle,
    encode_entry_bundle, entry_bundles, hash_tiles, new_entry_bundles, new_hash_tiles, partial_hash_tiles,
};
