//! C2SP tlog-tiles: the spec's own examples, and a 70,000-leaf log built tile by tile and
//! read back through tiles only.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::convert::Infallible;

use zhifa_log::{
    Hash, TileBuilder, TileHashReader, TileId, TileKind, TileReader, check_entry_bundle, encode_entry_bundle,
    entry_bundles, hash_tiles, leaf_hash, new_entry_bundles, new_hash_tiles, prove_consistency, prove_inclusion,
    root_from_leaf_hashes, tree_hash, verify_consistency, verify_inclusion,
};

fn ids(paths: &[&str]) -> Vec<TileId> {
    paths.iter().map(|p| TileId::parse(p).unwrap()).collect()
}

/// c2sp.org/tlog-tiles, "Partial Tiles": "a tree of size 70,000 will be represented by 273
/// full level 0 tiles, one partial level 0 tile of width 112, one full level 1 tile, one
/// partial level 1 tile of width 17, and one partial level 2 tile of width 1."
#[test]
fn spec_example_70000() {
    let tiles = hash_tiles(70_000);
    let count = |level: u8, full: bool| {
        tiles.iter().filter(|t| t.kind() == TileKind::Hashes(level) && t.is_full() == full).count()
    };
    assert_eq!(count(0, true), 273);
    assert_eq!(count(1, true), 1);
    assert_eq!(count(2, true), 0);
    let partial: Vec<String> = tiles.iter().filter(|t| !t.is_full()).map(TileId::path).collect();
    assert_eq!(partial, ["tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1"]);
    assert_eq!(tiles.len(), 273 + 1 + 1 + 1 + 1);
    assert_eq!(tiles[0].path(), "tile/0/000");
    assert_eq!(tiles[272].path(), "tile/0/272");
    assert_eq!(tiles[274].path(), "tile/1/000");
    // Entry bundles mirror level 0.
    let bundles = entry_bundles(70_000);
    assert_eq!(bundles.len(), 274);
    assert_eq!(bundles[273].path(), "tile/entries/273.p/112");
}

/// Same section: "a tree of size 256 will be represented by a full level 0 tile and a partial
/// level 1 tile of width 1."
#[test]
fn spec_example_256() {
    assert_eq!(hash_tiles(256), ids(&["tile/0/000", "tile/1/000.p/1"]));
    assert_eq!(hash_tiles(0), vec![]);
    assert_eq!(hash_tiles(1), ids(&["tile/0/000.p/1"]));
}

#[test]
fn new_tiles_when_growing() {
    assert_eq!(new_hash_tiles(255, 257), ids(&["tile/0/000", "tile/0/001.p/1", "tile/1/000.p/1"]));
    assert_eq!(new_hash_tiles(256, 257), ids(&["tile/0/001.p/1"]));
    assert_eq!(new_hash_tiles(10, 10), vec![]);
    assert_eq!(new_entry_bundles(250, 600), ids(&["tile/entries/000", "tile/entries/001", "tile/entries/002.p/88"]));
}

/// Tiles kept in a map, as a store would: later writes of a partial tile replace earlier ones.
#[derive(Default)]
struct MapStore {
    tiles: BTreeMap<String, Vec<u8>>,
    reads: Cell<usize>,
}

impl TileReader for MapStore {
    type Error = Infallible;
    fn read_tiles(&self, tiles: &[TileId]) -> Result<Vec<Vec<u8>>, Infallible> {
        self.reads.set(self.reads.get() + 1);
        Ok(tiles
            .iter()
            .map(|t| {
                // Serve a partial request from the full tile if the partial one is gone.
                self.tiles.get(&t.path()).cloned().unwrap_or_else(|| {
                    let full = &self.tiles[&t.to_full().path()];
                    full[..t.hash_bytes_len()].to_vec()
                })
            })
            .collect())
    }
}

#[test]
fn build_70000_leaves_in_batches_and_read_back_through_tiles() {
    let leaves: Vec<Hash> = (0u32..70_000).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut builder = TileBuilder::new();
    let mut store = MapStore::default();
    let mut checkpoints = Vec::new();
    let mut start = 0usize;
    // Uneven batches, crossing tile boundaries at every level.
    for (i, batch) in [1usize, 254, 1, 1, 3000, 65_535, 1, 1207].iter().enumerate() {
        let end = start + batch;
        let old = builder.size();
        let written = builder.append(&leaves[start..end]);
        let written_ids: Vec<TileId> = written.iter().map(|t| t.id).collect();
        assert_eq!(written_ids, new_hash_tiles(old, end as u64), "batch {i}");
        for t in written {
            assert_eq!(t.hashes.len(), usize::from(t.id.width()));
            store.tiles.insert(t.id.path(), t.to_bytes());
        }
        checkpoints.push((end as u64, builder.root()));
        start = end;
    }
    assert_eq!(start, 70_000);
    let root = builder.root();
    assert_eq!(root, root_from_leaf_hashes(&leaves));

    // Every tile of the final tree is stored with the right contents.
    for id in hash_tiles(70_000) {
        let bytes = &store.tiles[&id.path()];
        assert_eq!(bytes.len(), id.hash_bytes_len(), "{id}");
        if id.level() == Some(0) {
            let first = (id.index() * 256) as usize;
            let want: Vec<u8> =
                leaves[first..first + usize::from(id.width())].iter().flat_map(|h| *h.as_bytes()).collect();
            assert_eq!(bytes, &want, "{id}");
        }
    }

    // Tree hashes and proofs from tiles alone, each in one tile read.
    let reader = TileHashReader::new(70_000, &store);
    assert_eq!(tree_hash(70_000, &reader).unwrap(), root);
    for index in [0u64, 255, 256, 65_535, 65_536, 69_887, 69_888, 69_999] {
        store.reads.set(0);
        let proof = prove_inclusion(index, 70_000, &reader).unwrap();
        assert_eq!(store.reads.get(), 1);
        verify_inclusion(&leaves[index as usize], index, 70_000, &proof, &root).unwrap();
    }
    for &(old, old_root) in &checkpoints {
        let proof = prove_consistency(old, 70_000, &reader).unwrap();
        verify_consistency(old, 70_000, &proof, &old_root, &root).unwrap();
        // Older trees can be read from the same tiles (partials served from full tiles).
        let old_reader = TileHashReader::new(old, &store);
        assert_eq!(tree_hash(old, &old_reader).unwrap(), old_root, "size {old}");
    }

    // Resuming from the stored partial tiles gives the same builder state.
    let resumed = TileBuilder::resume(70_000, &store).unwrap();
    assert_eq!(resumed.root(), root);
    assert_eq!(resumed.partial_tiles(), builder.partial_tiles());
    let mut a = resumed;
    let more: Vec<Hash> = (70_000u32..70_600).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    assert_eq!(a.append(&more), builder.append(&more));
    assert_eq!(a.root(), builder.root());
}

#[test]
fn entry_bundle_matches_level_zero_tile() {
    let entries: Vec<Vec<u8>> = (0u8..5).map(|i| vec![i; usize::from(i) * 10]).collect();
    let bundle = encode_entry_bundle(entries.iter().map(Vec::as_slice)).unwrap();
    let mut builder = TileBuilder::new();
    let tiles = builder.append(&entries.iter().map(|e| leaf_hash(e)).collect::<Vec<_>>());
    assert_eq!(tiles[0].id.path(), "tile/0/000.p/5");
    assert_eq!(tiles[0].id.counterpart().path(), "tile/entries/000.p/5");
    check_entry_bundle(&bundle, &tiles[0].hashes).unwrap();
    let mut other = tiles[0].hashes.clone();
    other.swap(1, 2);
    assert_eq!(check_entry_bundle(&bundle, &other).unwrap_err().to_string(), "entry 1 does not match its leaf hash");
}
