//! Proof generation from stored hashes, with Go `tlog`'s stored-hash numbering.
//!
//! A log that appends leaves stores, for each new leaf `n`, the leaf hash followed by the hash
//! of every perfect subtree that leaf completes. Numbering those hashes in the order they are
//! written gives each node `(level, n)` of the tree a fixed *stored-hash index*
//! ([`stored_hash_index`]) that never changes as the tree grows. Proofs and tree hashes then
//! need only a few of those hashes, which a [`HashReader`] fetches in one batch.
//!
//! Ported from `golang.org/x/mod/sumdb/tlog`, file `tlog.go` (`StoredHashIndex`,
//! `SplitStoredHashIndex`, `StoredHashCount`, `StoredHashesForRecordHash`, `TreeHash`,
//! `ProveRecord`, `ProveTree`), Copyright 2019 The Go Authors, used under the BSD 3-Clause
//! licence (<https://go.dev/LICENSE>); adapted to unsigned sizes, RFC 6962's empty-tree root
//! and errors instead of panics for bad input.
//!
//! Level 0 holds the leaf hashes; the node `(level, n)` is the root of the perfect subtree over
//! leaves `[n·2^level, (n+1)·2^level)`.

use crate::hash::{EMPTY_ROOT, Hash, node_hash};

/// Fetches stored hashes by stored-hash index (see [`stored_hash_index`]).
///
/// Contract: on success the result has exactly one hash per requested index, in the order
/// requested (indexes may come in any order; the functions here ask in ascending order within
/// each subtree). Every index asked for belongs to a node that is complete in the tree the
/// caller named, so a store that has durably written the tree of that size has it; a missing
/// hash is an error of the store (or of a tree size that was never reached), not a normal
/// outcome. A store backed by tiles can use [`crate::tile::TileHashReader`].
pub trait HashReader {
    /// The store's error.
    type Error: std::error::Error + 'static;

    /// Returns the hashes stored at `indexes`, in the same order.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    type Error = R::Error;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error> {
        (**self).read_hashes(indexes)
    }
}

/// An in-memory list of stored hashes, indexed by stored-hash index: what appending every
/// [`stored_hashes_for_leaf`] result to a `Vec` produces. Useful in tests and small tools.
impl HashReader for [Hash] {
    type Error = MissingHash;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        indexes
            .iter()
            .map(|&i| usize::try_from(i).ok().and_then(|i| self.get(i)).copied().ok_or(MissingHash(i)))
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    type Error = MissingHash;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        self.as_slice().read_hashes(indexes)
    }
}

/// An in-memory [`HashReader`] was asked for a hash it does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no stored hash at index {0}")]
pub struct MissingHash(pub u64);

/// Why a proof or tree hash could not be produced from stored hashes.
#[derive(Debug, thiserror::Error)]
pub enum ProveError<E> {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof needs `0 < old <= new`.
    #[error("no consistency proof from tree size {old} to {new}")]
    InvalidSizes {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// The reader broke its contract.
    #[error("the hash reader returned {got} hashes for {want} indexes")]
    WrongCount {
        /// Hashes returned.
        got: usize,
        /// Hashes requested.
        want: usize,
    },
    /// The reader failed.
    #[error("reading stored hashes failed")]
    Read(#[source] E),
}

/// The stored-hash index of node `(level, n)`.
///
/// Node `(L, n)` is written with the last leaf it covers, leaf `(n+1)·2^L − 1`: right after
/// that leaf's hash and the lower-level nodes the same leaf completes.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    // Work down to the level-0 record that completes this node.
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    // Level 0's nth hash is written at n + n/2 + n/4 + ... .
    let mut i = 0u64;
    let mut m = n;
    while m > 0 {
        i += m;
        m >>= 1;
    }
    i + u64::from(level)
}

/// The inverse of [`stored_hash_index`]: the `(level, n)` of a stored-hash index.
pub fn split_stored_hash_index(index: u64) -> (u8, u64) {
    // stored_hash_index(0, n) <= 2n, so the leaf we want is in [index/2, index/2 + log2(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    debug_assert!(index_n <= index);
    loop {
        // Each new leaf n adds 1 + trailing_ones(n) hashes (the leaf, then completed subtrees).
        let x = index_n + 1 + u64::from((n + 1).trailing_zeros());
        if x > index {
            break;
        }
        n += 1;
        index_n = x;
    }
    // The hash was written with leaf n: it is one of (0, n), (1, n/2), (2, n/4), ...
    let level = (index - index_n) as u8;
    (level, n >> level)
}

/// The number of hashes stored for a tree of `size` leaves.
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    // The hashes up to the last leaf hash, then those of the subtrees that leaf completes.
    stored_hash_index(0, size - 1) + 1 + u64::from((size - 1).trailing_ones())
}

/// The hashes to store when appending leaf `n` (the tree grows from `n` to `n + 1` leaves):
/// the leaf hash, then the root of each perfect subtree it completes, lowest first. They go at
/// stored-hash indexes `stored_hash_count(n)..stored_hash_count(n + 1)`.
///
/// Reads the left siblings it needs from `reader` (the tree of `n` leaves).
pub fn stored_hashes_for_leaf<R: HashReader + ?Sized>(
    n: u64,
    leaf: Hash,
    reader: &R,
) -> Result<Vec<Hash>, ProveError<R::Error>> {
    // Each trailing 1 bit of n completes a subtree, consuming a hash from its left sibling.
    let m = n.trailing_ones() as usize;
    let mut indexes = vec![0u64; m];
    for (i, slot) in (0..m).zip(indexes.iter_mut().rev()) {
        // Sorted ascending; n >> i is odd, so its left sibling is (n >> i) - 1.
        *slot = stored_hash_index(i as u8, (n >> i) - 1);
    }
    let old = read(reader, &indexes)?;
    let mut hashes = Vec::with_capacity(m + 1);
    let mut h = leaf;
    hashes.push(h);
    for i in 0..m {
        h = node_hash(&old[m - 1 - i], &h);
        hashes.push(h);
    }
    Ok(hashes)
}

fn read<R: HashReader + ?Sized>(reader: &R, indexes: &[u64]) -> Result<Vec<Hash>, ProveError<R::Error>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes).map_err(ProveError::Read)?;
    if hashes.len() != indexes.len() {
        return Err(ProveError::WrongCount { got: hashes.len(), want: indexes.len() });
    }
    Ok(hashes)
}

/// k, the largest power of two strictly below `n` (n >= 2), and log2(k).
fn split_point(n: u64) -> (u64, u8) {
    debug_assert!(n >= 2);
    let level = (63 - (n - 1).leading_zeros()) as u8;
    (1 << level, level)
}

/// The stored-hash indexes of the perfect subtrees that make up leaves `[lo, hi)`, left to
/// right (the largest first).
fn sub_tree_index(mut lo: u64, hi: u64, need: &mut Vec<u64>) {
    while lo < hi {
        let (k, level) = split_point(hi - lo + 1);
        debug_assert_eq!(lo & (k - 1), 0, "subtree is aligned");
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// The hash of leaves `[lo, hi)` from the hashes `sub_tree_index` asked for; returns the
/// hashes left over.
fn sub_tree_hash(mut lo: u64, hi: u64, hashes: &[Hash]) -> (Hash, &[Hash]) {
    let mut count = 0;
    while lo < hi {
        let (k, _) = split_point(hi - lo + 1);
        count += 1;
        lo += k;
    }
    let (mine, rest) = hashes.split_at(count);
    let mut h = mine[count - 1];
    for left in mine[..count - 1].iter().rev() {
        h = node_hash(left, &h);
    }
    (h, rest)
}

/// The root hash of the tree of `size` leaves, from at most `log2(size) + 1` stored hashes.
pub fn tree_hash<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, ProveError<R::Error>> {
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    let mut indexes = Vec::new();
    sub_tree_index(0, size, &mut indexes);
    let hashes = read(reader, &indexes)?;
    let (h, rest) = sub_tree_hash(0, size, &hashes);
    debug_assert!(rest.is_empty());
    Ok(h)
}

/// The inclusion proof (RFC 9162 §2.1.3.1) for leaf `index` in the tree of `size` leaves.
pub fn prove_inclusion<R: HashReader + ?Sized>(
    index: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>, ProveError<R::Error>> {
    if index >= size {
        return Err(ProveError::IndexOutOfRange { index, size });
    }
    let mut indexes = Vec::new();
    leaf_proof_index(0, size, index, &mut indexes);
    let hashes = read(reader, &indexes)?;
    let mut proof = Vec::new();
    let rest = leaf_proof(0, size, index, &hashes, &mut proof);
    debug_assert!(rest.is_empty());
    Ok(proof)
}

fn leaf_proof_index(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    debug_assert!(lo <= n && n < hi);
    if lo + 1 == hi {
        return;
    }
    let (k, _) = split_point(hi - lo);
    if n < lo + k {
        leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need);
    }
}

/// Appends the proof for leaf `n` in `[lo, hi)` to `proof` (leaf's sibling first).
fn leaf_proof<'h>(lo: u64, hi: u64, n: u64, hashes: &'h [Hash], proof: &mut Vec<Hash>) -> &'h [Hash] {
    if lo + 1 == hi {
        // The verifier knows the leaf hash.
        return hashes;
    }
    let (k, _) = split_point(hi - lo);
    if n < lo + k {
        let hashes = leaf_proof(lo, lo + k, n, hashes, proof);
        let (th, hashes) = sub_tree_hash(lo + k, hi, hashes);
        proof.push(th);
        hashes
    } else {
        let (th, hashes) = sub_tree_hash(lo, lo + k, hashes);
        let hashes = leaf_proof(lo + k, hi, n, hashes, proof);
        proof.push(th);
        hashes
    }
}

/// The consistency proof (RFC 9162 §2.1.4.1) from the tree of `old` leaves to the tree of
/// `new` leaves; `0 < old <= new`. Equal sizes give an empty proof.
pub fn prove_consistency<R: HashReader + ?Sized>(
    old: u64,
    new: u64,
    reader: &R,
) -> Result<Vec<Hash>, ProveError<R::Error>> {
    if old == 0 || old > new {
        return Err(ProveError::InvalidSizes { old, new });
    }
    let mut indexes = Vec::new();
    tree_proof_index(0, new, old, &mut indexes);
    let hashes = read(reader, &indexes)?;
    let mut proof = Vec::new();
    let rest = tree_proof(0, new, old, &hashes, &mut proof);
    debug_assert!(rest.is_empty());
    Ok(proof)
}

fn tree_proof_index(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    debug_assert!(lo < n && n <= hi);
    if n == hi {
        if lo != 0 {
            sub_tree_index(lo, hi, need);
        }
        return;
    }
    let (k, _) = split_point(hi - lo);
    if n <= lo + k {
        tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need);
    }
}

fn tree_proof<'h>(lo: u64, hi: u64, n: u64, hashes: &'h [Hash], proof: &mut Vec<Hash>) -> &'h [Hash] {
    if n == hi {
        if lo == 0 {
            // This subtree is the old tree itself: the verifier knows its hash.
            return hashes;
        }
        let (th, hashes) = sub_tree_hash(lo, hi, hashes);
        proof.push(th);
        return hashes;
    }
    let (k, _) = split_point(hi - lo);
    if n <= lo + k {
        let hashes = tree_proof(lo, lo + k, n, hashes, proof);
        let (th, hashes) = sub_tree_hash(lo + k, hi, hashes);
        proof.push(th);
        hashes
    } else {
        let (th, hashes) = sub_tree_hash(lo, lo + k, hashes);
        let hashes = tree_proof(lo + k, hi, n, hashes, proof);
        proof.push(th);
        hashes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, root_from_leaf_hashes};
    use crate::proof::{verify_consistency, verify_inclusion};

    fn build(n: u64) -> (Vec<Hash>, Vec<Hash>) {
        let mut stored = Vec::new();
        let mut leaves = Vec::new();
        for i in 0..n {
            let leaf = leaf_hash(&i.to_le_bytes());
            leaves.push(leaf);
            let new = stored_hashes_for_leaf(i, leaf, &stored).unwrap();
            assert_eq!(stored.len() as u64, stored_hash_count(i));
            stored.extend(new);
            assert_eq!(stored.len() as u64, stored_hash_count(i + 1));
        }
        (stored, leaves)
    }

    #[test]
    fn index_numbering_round_trips() {
        // The first stored hashes (Go tlog's table): leaf 0, leaf 1, (1,0), leaf 2, leaf 3,
        // (1,1), (2,0), leaf 4, ...
        let order = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4)];
        for (i, &(level, n)) in order.iter().enumerate() {
            assert_eq!(stored_hash_index(level, n), i as u64);
        }
        for i in 0..5000 {
            let (level, n) = split_stored_hash_index(i);
            assert_eq!(stored_hash_index(level, n), i);
        }
    }

    #[test]
    fn tree_hash_and_proofs_agree_with_direct_hashing() {
        let (stored, leaves) = build(70);
        for size in 1..=70u64 {
            let root = tree_hash(size, &stored).unwrap();
            assert_eq!(root, root_from_leaf_hashes(&leaves[..size as usize]));
            for index in 0..size {
                let proof = prove_inclusion(index, size, &stored).unwrap();
                verify_inclusion(&leaves[index as usize], index, size, &proof, &root).unwrap();
            }
            for old in 1..=size {
                let proof = prove_consistency(old, size, &stored).unwrap();
                let old_root = tree_hash(old, &stored).unwrap();
                verify_consistency(old, size, &proof, &old_root, &root).unwrap();
            }
        }
        assert_eq!(tree_hash(0, &stored).unwrap(), EMPTY_ROOT);
    }

    #[test]
    fn bad_requests_are_errors() {
        let (stored, _) = build(3);
        assert_eq!(prove_inclusion(3, 3, &stored).unwrap_err().to_string(), "leaf index 3 is not below tree size 3");
        assert_eq!(
            prove_consistency(0, 3, &stored).unwrap_err().to_string(),
            "no consistency proof from tree size 0 to 3"
        );
        assert!(matches!(prove_consistency(4, 3, &stored), Err(ProveError::InvalidSizes { old: 4, new: 3 })));
        // A tree larger than what was stored: the reader reports the missing hash.
        let err = prove_inclusion(0, 9, &stored).unwrap_err();
        assert!(matches!(err, ProveError::Read(MissingHash(_))), "{err:?}");
    }
}
