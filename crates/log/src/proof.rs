//! Verification of inclusion and consistency proofs (RFC 9162 §2.1.3.2 and §2.1.4.2).
//!
//! The algorithms are the RFC's, with the proof length checked up front as in the reference
//! verifier of `transparency-dev/merkle` (package `proof`), so that a proof of the wrong length
//! is reported as such rather than as a root mismatch. Hash lengths are enforced by the
//! [`Hash`](struct@crate::Hash) type: input that is not 32 bytes never becomes a `Hash`.

use crate::hash::{Hash, node_hash};

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The old tree is larger than the new one.
    #[error("old tree size {old} is larger than new tree size {new}")]
    SizesOutOfOrder {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// A consistency proof from the empty tree proves nothing and is refused.
    #[error("a consistency proof from the empty tree is meaningless")]
    EmptyOldTree,
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has {got} hashes, but these sizes need {want}")]
    WrongLength {
        /// Hashes given.
        got: usize,
        /// Hashes the sizes call for.
        want: usize,
    },
    /// The proof leads to a different root.
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
    /// A consistency proof does not reproduce the old root.
    #[error("the proof does not reproduce the old root")]
    OldRootMismatch,
    /// A consistency proof does not reproduce the new root.
    #[error("the proof does not reproduce the new root")]
    NewRootMismatch,
}

/// The number of hashes in an inclusion proof for leaf `index` in a tree of `size` leaves
/// (`index < size`): the hashes along the path below the point where the path to `index`
/// and the path to the last leaf split, plus one per left-side "border" subtree above it.
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    debug_assert!(index < size);
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// The number of hashes in a consistency proof from `old` to `new` leaves (`0 < old <= new`).
pub fn consistency_proof_len(old: u64, new: u64) -> usize {
    debug_assert!(0 < old && old <= new);
    if old == new {
        return 0;
    }
    let inner = 64 - ((old - 1) ^ (new - 1)).leading_zeros();
    let border = (old - 1).checked_shr(inner).unwrap_or(0).count_ones();
    let shift = old.trailing_zeros();
    // When the old tree is a perfect subtree its root is the first node of the path and the
    // verifier knows it; otherwise the proof starts with the hash of the old tree's last
    // perfect subtree.
    let start = u32::from(!old.is_power_of_two());
    (start + inner - shift + border) as usize
}

/// Computes the root that an inclusion proof leads to (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion_proof(leaf: &Hash, index: u64, size: u64, proof: &[Hash]) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let want = inclusion_proof_len(index, size);
    if proof.len() != want {
        return Err(ProofError::WrongLength { got: proof.len(), want });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength { got: proof.len(), want });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { got: proof.len(), want });
    }
    Ok(r)
}

/// Verifies that `leaf` is the leaf hash at `index` in the tree of `size` leaves with `root`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if root_from_inclusion_proof(leaf, index, size, proof)? == *root { Ok(()) } else { Err(ProofError::RootMismatch) }
}

/// Verifies that the tree of `new_size` leaves with `new_root` extends the tree of `old_size`
/// leaves with `old_root` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots. A proof from size 0 is refused
/// ([`ProofError::EmptyOldTree`]) as the reference verifier does, even 0 to 0: every tree
/// extends the empty tree, so such a check proves nothing, and a caller that holds a size-0
/// checkpoint should not ask for one.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizesOutOfOrder { old: old_size, new: new_size });
    }
    if old_size == 0 {
        return Err(ProofError::EmptyOldTree);
    }
    let want = consistency_proof_len(old_size, new_size);
    if proof.len() != want {
        return Err(ProofError::WrongLength { got: proof.len(), want });
    }
    if old_size == new_size {
        return if old_root == new_root { Ok(()) } else { Err(ProofError::RootMismatch) };
    }

    // If the old tree is a perfect subtree, its root is the first node of the path.
    let (first, rest) = if old_size.is_power_of_two() { (old_root, proof) } else { (&proof[0], &proof[1..]) };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongLength { got: proof.len(), want });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { got: proof.len(), want });
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts() {
        assert_eq!(
            ProofError::IndexOutOfRange { index: 8, size: 8 }.to_string(),
            "leaf index 8 is not below tree size 8"
        );
        assert_eq!(
            ProofError::WrongLength { got: 2, want: 3 }.to_string(),
            "the proof has 2 hashes, but these sizes need 3"
        );
        assert_eq!(ProofError::EmptyOldTree.to_string(), "a consistency proof from the empty tree is meaningless");
    }

    #[test]
    fn proof_lengths_of_small_trees() {
        // Tree of 7: leaf 0's path is [1, (2,3), (4..7)], leaf 6's is [(4,5), (0..4)].
        assert_eq!(inclusion_proof_len(0, 7), 3);
        assert_eq!(inclusion_proof_len(6, 7), 2);
        assert_eq!(inclusion_proof_len(0, 1), 0);
        // RFC 6962 §2.1.3's examples: PROOF(3, D[7]) = [c, d, g, l], PROOF(4, D[7]) = [l],
        // PROOF(6, D[7]) = [i, j, k].
        assert_eq!(consistency_proof_len(3, 7), 4);
        assert_eq!(consistency_proof_len(4, 7), 1);
        assert_eq!(consistency_proof_len(6, 7), 3);
        assert_eq!(consistency_proof_len(7, 7), 0);
    }
}
