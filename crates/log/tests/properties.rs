//! Property tests over random trees: proofs generated here verify, and any flipped bit, wrong
//! index or wrong size makes them fail; tile paths round-trip; the tile builder agrees with
//! direct hashing however appends are batched. Case counts are modest to keep the suite fast.

use proptest::prelude::*;
use zhifa_log::{
    Hash, TileBuilder, TileId, TlogProof, leaf_hash, new_hash_tiles, prove_consistency, prove_inclusion,
    root_from_leaf_hashes, stored_hashes_for_leaf, tree_hash, verify_consistency, verify_inclusion,
};

/// A tree of `size` leaves derived from `seed`: its leaf hashes and stored hashes.
fn tree(seed: u64, size: u64) -> (Vec<Hash>, Vec<Hash>) {
    let mut leaves = Vec::with_capacity(size as usize);
    let mut stored = Vec::new();
    for i in 0..size {
        let leaf = leaf_hash(&[seed.to_le_bytes(), i.to_le_bytes()].concat());
        stored.extend(stored_hashes_for_leaf(i, leaf, &stored).unwrap());
        leaves.push(leaf);
    }
    (leaves, stored)
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut b = *h.as_bytes();
    b[(bit / 8) % 32] ^= 1 << (bit % 8);
    Hash::from_bytes(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    // A wrong size is checked against the true root of the tree of that size. (With the
    // proof's own root a "wrong" size can verify when its path has the same shape, e.g. leaf 0
    // in trees of 31 and 32 leaves: the signed checkpoint is what binds a root to its size.)
    #[test]
    fn inclusion_proofs_verify_and_tampering_fails(
        seed: u64,
        size in 1u64..700,
        index_frac in 0.0f64..1.0,
        bit in 0usize..256,
        pick in any::<prop::sample::Index>(),
    ) {
        let (leaves, stored) = tree(seed, 2 * size);
        let root_of = |n: u64| tree_hash(n, &stored).unwrap();
        let index = ((size as f64 * index_frac) as u64).min(size - 1);
        let root = root_of(size);
        prop_assert_eq!(root, root_from_leaf_hashes(&leaves[..size as usize]));
        let leaf = leaves[index as usize];
        let proof = prove_inclusion(index, size, &stored).unwrap();
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_ok());

        // A flipped bit in the leaf, the root, or any proof hash.
        prop_assert!(verify_inclusion(&flip(&leaf, bit), index, size, &proof, &root).is_err());
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &flip(&root, bit)).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = pick.index(bad.len());
            bad[i] = flip(&bad[i], bit);
            prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
            // A missing hash.
            prop_assert!(verify_inclusion(&leaf, index, size, &proof[..proof.len() - 1], &root).is_err());
        }
        // An extra hash.
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(verify_inclusion(&leaf, index, size, &longer, &root).is_err());
        // Wrong sizes, each with its true root.
        for wrong in [size + 1, 2 * size, size - 1, size / 2] {
            if wrong != size && wrong > index {
                prop_assert!(
                    verify_inclusion(&leaf, index, wrong, &proof, &root_of(wrong)).is_err(),
                    "size {} accepted as {}", size, wrong
                );
            }
        }
        // Wrong indexes: the same leaf hash claimed elsewhere, or another leaf with this proof.
        for wrong in [index ^ 1, index + 1, index.wrapping_sub(1)] {
            if wrong != index && wrong < size {
                prop_assert!(verify_inclusion(&leaf, wrong, size, &proof, &root).is_err());
                prop_assert!(verify_inclusion(&leaves[wrong as usize], wrong, size, &proof, &root).is_err());
            }
        }
    }

    #[test]
    fn consistency_proofs_verify_and_tampering_fails(
        seed: u64,
        new in 1u64..700,
        old_frac in 0.0f64..1.0,
        bit in 0usize..256,
        pick in any::<prop::sample::Index>(),
    ) {
        let (_, stored) = tree(seed, 2 * new);
        let root_of = |n: u64| tree_hash(n, &stored).unwrap();
        let old = ((new as f64 * old_frac) as u64).clamp(1, new);
        let (old_root, new_root) = (root_of(old), root_of(new));
        let proof = prove_consistency(old, new, &stored).unwrap();
        prop_assert!(verify_consistency(old, new, &proof, &old_root, &new_root).is_ok());

        prop_assert!(verify_consistency(old, new, &proof, &flip(&old_root, bit), &new_root).is_err());
        prop_assert!(verify_consistency(old, new, &proof, &old_root, &flip(&new_root, bit)).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = pick.index(bad.len());
            bad[i] = flip(&bad[i], bit);
            prop_assert!(verify_consistency(old, new, &bad, &old_root, &new_root).is_err());
            prop_assert!(verify_consistency(old, new, &proof[1..], &old_root, &new_root).is_err());
        }
        let mut longer = proof.clone();
        longer.push(new_root);
        prop_assert!(verify_consistency(old, new, &longer, &old_root, &new_root).is_err());
        // Wrong sizes on either side, each with its true root.
        for wrong in [new + 1, 2 * new, new - 1, new / 2] {
            if wrong != new && wrong >= old {
                prop_assert!(
                    verify_consistency(old, wrong, &proof, &old_root, &root_of(wrong)).is_err(),
                    "{} -> {} accepted as {} -> {}", old, new, old, wrong
                );
            }
        }
        for wrong in [old + 1, old - 1, old / 2, 2 * old] {
            if wrong != old && wrong >= 1 && wrong <= new {
                prop_assert!(
                    verify_consistency(wrong, new, &proof, &root_of(wrong), &new_root).is_err(),
                    "{} -> {} accepted as {} -> {}", old, new, wrong, new
                );
            }
        }
    }

    #[test]
    fn tile_paths_round_trip(
        level in 0u8..=63,
        index: u64,
        width in 1u16..=256,
        entries: bool,
    ) {
        let id = if entries {
            TileId::entries(index, width).unwrap()
        } else {
            TileId::hashes(level, index, width).unwrap()
        };
        let path = id.path();
        prop_assert_eq!(TileId::parse(&path), Ok(id));
        // Any one-character change is either rejected or names a different tile.
        let mut bytes = path.clone().into_bytes();
        let i = (index as usize) % bytes.len();
        bytes[i] = if bytes[i] == b'1' { b'2' } else { b'1' };
        if let Ok(changed) = String::from_utf8(bytes)
            && let Ok(other) = TileId::parse(&changed) {
                prop_assert_ne!(other, id);
            }
    }

    #[test]
    fn tile_builder_matches_direct_hashing(
        seed: u64,
        batches in prop::collection::vec(0usize..400, 1..8),
    ) {
        let total: usize = batches.iter().sum();
        let (leaves, _) = tree(seed, total as u64);
        let mut builder = TileBuilder::new();
        let mut start = 0;
        for b in batches {
            let old = builder.size();
            let tiles = builder.append(&leaves[start..start + b]);
            start += b;
            prop_assert_eq!(
                tiles.iter().map(|t| t.id).collect::<Vec<_>>(),
                new_hash_tiles(old, start as u64)
            );
            prop_assert_eq!(builder.root(), root_from_leaf_hashes(&leaves[..start]));
        }
    }

    #[test]
    fn receipts_round_trip(index: u64, n in 0usize..64, extra in prop::option::of(prop::collection::vec(any::<u8>(), 0..40))) {
        let proof: Vec<Hash> = (0..n).map(|i| leaf_hash(&[i as u8])).collect();
        let mut receipt = TlogProof::new(index, proof, "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u{2014} o AAAAAAA=\n");
        if let Some(extra) = extra {
            receipt = receipt.with_extra(extra);
        }
        prop_assert_eq!(TlogProof::parse(&receipt.to_string()), Ok(receipt));
    }
}
