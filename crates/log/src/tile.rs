//! C2SP tlog-tiles: tile coordinates and paths, the tiles of a tree, building tiles as leaves
//! are appended, reading stored hashes out of tiles, and entry bundles.
//!
//! Tiles have height 8: a full tile holds 256 hashes. The tile at level `L`, index `N` holds
//! the hashes of tree level `8·L` at positions `N·256 ..`; each is the root of a perfect
//! subtree of `256^L` leaves. Level 0 tiles hold leaf hashes. A tree of `s` leaves has
//! `⌊s / 256^L⌋` hashes at level `L`, so `⌊s / 256^(L+1)⌋` full tiles and one partial tile
//! of width `⌊s / 256^L⌋ mod 256` when that is not zero (c2sp.org/tlog-tiles, "Partial
//! Tiles").

use std::collections::BTreeMap;
use std::fmt;

use crate::hash::{EMPTY_ROOT, HASH_SIZE, Hash, node_hash, root_from_leaf_hashes};
use crate::stored::{HashReader, split_stored_hash_index};

/// Tile height: each tile spans 8 levels of the tree.
pub const TILE_HEIGHT: u32 = 8;
/// Hashes in a full tile (entries in a full entry bundle).
pub const TILE_WIDTH: u16 = 256;
/// The highest tile level a path may name.
pub const MAX_TILE_LEVEL: u8 = 63;

/// Which tile family: Merkle hashes at a level, or entry bundles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// A Merkle tree tile at this level (0 = leaf hashes), `tile/<L>/...`.
    Hashes(u8),
    /// An entry bundle, `tile/entries/...`.
    Entries,
}

/// The coordinates of a tile or entry bundle: kind, index within its level, and width.
///
/// Invariants (enforced by the constructors): the level is at most 63 and the width is
/// between 1 and 256; 256 means a full tile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    kind: TileKind,
    index: u64,
    width: u16,
}

/// A tile coordinate or path that the spec does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileIdError {
    /// Level above 63.
    #[error("tile level {0} is above 63")]
    Level(u8),
    /// Width outside 1..=256.
    #[error("tile width {0} is not between 1 and 256")]
    Width(u16),
    /// The path is not a canonical tlog-tiles path.
    #[error("malformed tile path {0:?}")]
    Path(String),
}

impl TileId {
    /// A Merkle hash tile.
    pub fn hashes(level: u8, index: u64, width: u16) -> Result<Self, TileIdError> {
        if level > MAX_TILE_LEVEL {
            return Err(TileIdError::Level(level));
        }
        Self::new(TileKind::Hashes(level), index, width)
    }

    /// An entry bundle.
    pub fn entries(index: u64, width: u16) -> Result<Self, TileIdError> {
        Self::new(TileKind::Entries, index, width)
    }

    fn new(kind: TileKind, index: u64, width: u16) -> Result<Self, TileIdError> {
        if width == 0 || width > TILE_WIDTH {
            return Err(TileIdError::Width(width));
        }
        Ok(Self { kind, index, width })
    }

    /// Hash tile or entry bundle, and the level of a hash tile.
    pub fn kind(&self) -> TileKind {
        self.kind
    }

    /// The level of a hash tile; `None` for an entry bundle.
    pub fn level(&self) -> Option<u8> {
        match self.kind {
            TileKind::Hashes(level) => Some(level),
            TileKind::Entries => None,
        }
    }

    /// The index of the tile within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Hashes (or entries) in the tile: 256 when full.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile is full (256 wide). Full tiles never change and may be cached forever.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// The same tile at full width.
    pub fn to_full(&self) -> Self {
        Self { width: TILE_WIDTH, ..*self }
    }

    /// The same tile family and index at another width (1..=256).
    pub fn with_width(&self, width: u16) -> Result<Self, TileIdError> {
        Self::new(self.kind, self.index, width)
    }

    /// The level-0 tile (leaf hashes) that matches an entry bundle, and vice versa.
    pub fn counterpart(&self) -> Self {
        let kind = match self.kind {
            TileKind::Entries => TileKind::Hashes(0),
            TileKind::Hashes(_) => TileKind::Entries,
        };
        Self { kind, ..*self }
    }

    /// The tile's size in bytes, for a hash tile (`width × 32`).
    pub fn hash_bytes_len(&self) -> usize {
        usize::from(self.width) * HASH_SIZE
    }

    /// The tlog-tiles path, e.g. `tile/0/x001/x234/067`, `tile/1/003.p/12`,
    /// `tile/entries/000.p/1`.
    pub fn path(&self) -> String {
        let mut out = String::from("tile/");
        match self.kind {
            TileKind::Hashes(level) => out.push_str(&level.to_string()),
            TileKind::Entries => out.push_str("entries"),
        }
        out.push('/');
        out.push_str(&encode_index(self.index));
        if !self.is_full() {
            out.push_str(".p/");
            out.push_str(&self.width.to_string());
        }
        out
    }

    /// Parses a tlog-tiles path (`tile/...`, without a URL prefix). Only the canonical form is
    /// accepted: no leading zeroes in the level or width, no empty leading index group, no
    /// `.p/256`.
    pub fn parse(path: &str) -> Result<Self, TileIdError> {
        let bad = || TileIdError::Path(path.to_owned());
        // tile/63/x018/x446/x744/x073/x709/x551/615.p/255 is the longest: guard before work.
        if path.len() > 64 {
            return Err(bad());
        }
        let mut parts: Vec<&str> = path.split('/').collect();
        if parts.len() < 3 || parts[0] != "tile" {
            return Err(bad());
        }
        let kind = match parts[1] {
            "entries" => TileKind::Entries,
            level => TileKind::Hashes(parse_decimal_u8(level).ok_or_else(bad)?),
        };
        let mut width = TILE_WIDTH;
        let n = parts.len();
        if n >= 4 && parts[n - 2].ends_with(".p") {
            let w = parse_decimal_u8(parts[n - 1]).ok_or_else(bad)?;
            if w == 0 {
                return Err(bad());
            }
            width = u16::from(w);
            parts[n - 2] = &parts[n - 2][..parts[n - 2].len() - 2];
            parts.pop();
        }
        let groups = &parts[2..];
        let mut index: u64 = 0;
        for (i, group) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let digits = if last { Some(*group) } else { group.strip_prefix('x') };
            let digits = digits.filter(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()));
            let value: u64 = digits.ok_or_else(bad)?.parse().map_err(|_| bad())?;
            index = index.checked_mul(1000).and_then(|i| i.checked_add(value)).ok_or_else(bad)?;
        }
        let id = Self::new(kind, index, width).map_err(|_| bad())?;
        if let TileKind::Hashes(level) = kind
            && level > MAX_TILE_LEVEL
        {
            return Err(bad());
        }
        // Reject non-canonical spellings such as x000/067 for 67.
        if id.path() != path {
            return Err(bad());
        }
        Ok(id)
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// A decimal 0..=255 with no leading zeroes.
fn parse_decimal_u8(s: &str) -> Option<u8> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// `N` as zero-padded 3-digit path elements, all but the last prefixed with `x`:
/// 1234067 → `x001/x234/067`.
pub fn encode_index(index: u64) -> String {
    let mut out = format!("{:03}", index % 1000);
    let mut n = index / 1000;
    while n > 0 {
        out = format!("x{:03}/{out}", n % 1000);
        n /= 1000;
    }
    out
}

/// The number of hashes at tile level `level` in a tree of `size` leaves: `⌊size / 256^level⌋`.
fn hashes_at_level(size: u64, level: u8) -> u64 {
    size.checked_shr(TILE_HEIGHT * u32::from(level)).unwrap_or(0)
}

/// The tiles (full and partial) at `level` for `count` hashes at that level, from tile `from`.
fn tiles_at_level(kind: TileKind, count: u64, from: u64) -> impl Iterator<Item = TileId> {
    let w = u64::from(TILE_WIDTH);
    (from..count.div_ceil(w)).map(move |index| TileId { kind, index, width: (count - index * w).min(w) as u16 })
}

/// Every Merkle hash tile of a tree of `size` leaves, full and partial, by level then index.
///
/// For 70,000 leaves: 273 full level-0 tiles, a level-0 partial of width 112, one full level-1
/// tile, a level-1 partial of width 17 and a level-2 partial of width 1.
pub fn hash_tiles(size: u64) -> Vec<TileId> {
    let mut out = Vec::new();
    for level in 0..=MAX_TILE_LEVEL {
        let count = hashes_at_level(size, level);
        if count == 0 {
            break;
        }
        out.extend(tiles_at_level(TileKind::Hashes(level), count, 0));
    }
    out
}

/// Every entry bundle of a tree of `size` leaves.
pub fn entry_bundles(size: u64) -> Vec<TileId> {
    tiles_at_level(TileKind::Entries, size, 0).collect()
}

/// The hash tiles that are new or changed when the tree grows from `old` to `new` leaves
/// (what a log must write to serve the tree of size `new`), by level then index.
pub fn new_hash_tiles(old: u64, new: u64) -> Vec<TileId> {
    let mut out = Vec::new();
    if new <= old {
        return out;
    }
    for level in 0..=MAX_TILE_LEVEL {
        let (before, after) = (hashes_at_level(old, level), hashes_at_level(new, level));
        if after == 0 {
            break;
        }
        if after > before {
            out.extend(tiles_at_level(TileKind::Hashes(level), after, before / u64::from(TILE_WIDTH)));
        }
    }
    out
}

/// The entry bundles that are new or changed when the tree grows from `old` to `new` leaves.
pub fn new_entry_bundles(old: u64, new: u64) -> Vec<TileId> {
    if new <= old {
        return Vec::new();
    }
    tiles_at_level(TileKind::Entries, new, old / u64::from(TILE_WIDTH)).collect()
}

/// The partial hash tile at each level of a tree of `size` leaves (levels whose partial
/// width is zero are skipped): what [`TileBuilder::resume`] reads.
pub fn partial_hash_tiles(size: u64) -> Vec<TileId> {
    hash_tiles(size).into_iter().filter(|t| !t.is_full()).collect()
}

/// A hash tile with its contents.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Tile {
    /// Where the tile goes.
    pub id: TileId,
    /// Its hashes: exactly `id.width()` of them.
    pub hashes: Vec<Hash>,
}

/// Tile contents that do not match their coordinates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileDataError {
    /// An entry bundle where a hash tile was expected.
    #[error("{0} is an entry bundle, not a hash tile")]
    NotHashTile(TileId),
    /// Wrong number of bytes.
    #[error("tile {tile} has {got} bytes, want {want}")]
    Length {
        /// The tile.
        tile: TileId,
        /// Bytes found.
        got: usize,
        /// Bytes expected.
        want: usize,
    },
}

impl Tile {
    /// The tile's bytes as served: its hashes concatenated.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.hashes.len() * HASH_SIZE);
        for h in &self.hashes {
            out.extend_from_slice(h.as_bytes());
        }
        out
    }

    /// Reads a hash tile's bytes, which must be exactly `width × 32` long.
    pub fn from_bytes(id: TileId, bytes: &[u8]) -> Result<Self, TileDataError> {
        Ok(Self { id, hashes: hashes_from_tile_bytes(id, bytes)? })
    }

    /// The root of the perfect subtree a full tile spans, which is the hash it contributes to
    /// the level above. For a partial tile, the hash of its hashes as an RFC 6962 tree.
    pub fn subtree_root(&self) -> Hash {
        root_from_leaf_hashes(&self.hashes)
    }
}

fn hashes_from_tile_bytes(id: TileId, bytes: &[u8]) -> Result<Vec<Hash>, TileDataError> {
    if id.level().is_none() {
        return Err(TileDataError::NotHashTile(id));
    }
    let want = id.hash_bytes_len();
    if bytes.len() != want {
        return Err(TileDataError::Length { tile: id, got: bytes.len(), want });
    }
    Ok(bytes.chunks_exact(HASH_SIZE).map(|c| Hash::from_slice(c).expect("chunks are 32 bytes")).collect())
}

/// Builds tiles incrementally as leaf hashes are appended, keeping only the rightmost
/// (partial) tile of each level in memory: at most 255 hashes per level.
///
/// A sequencer appends a batch of leaf hashes and writes the tiles [`TileBuilder::append`]
/// returns; [`TileBuilder::root`] is the root for the checkpoint of the new size.
#[derive(Clone, Debug, Default)]
pub struct TileBuilder {
    size: u64,
    /// `partials[L]` holds the hashes of the partial tile at level L: `⌊size/256^L⌋ mod 256`.
    partials: Vec<Vec<Hash>>,
}

/// Why a [`TileBuilder`] could not be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError<E> {
    /// The partial tiles do not fit the tree size.
    #[error("partial tile at level {level} has {got} hashes, want {want}")]
    Width {
        /// The level.
        level: usize,
        /// Hashes given.
        got: usize,
        /// Hashes a tree of this size has there.
        want: usize,
    },
    /// A tile read was malformed.
    #[error(transparent)]
    Data(#[from] TileDataError),
    /// The reader broke its contract.
    #[error("the tile reader returned {got} tiles for {want}")]
    WrongCount {
        /// Tiles returned.
        got: usize,
        /// Tiles requested.
        want: usize,
    },
    /// The tile reader failed.
    #[error("reading tiles failed")]
    Read(#[source] E),
}

impl TileBuilder {
    /// A builder for the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder for a tree of `size` leaves, from its partial tiles: `partials[L]` holds the
    /// hashes of the level-`L` partial tile (`⌊size/256^L⌋ mod 256` of them, possibly none),
    /// for every level that has hashes.
    pub fn from_partials(
        size: u64,
        mut partials: Vec<Vec<Hash>>,
    ) -> Result<Self, ResumeError<std::convert::Infallible>> {
        // Drop trailing levels that the tree does not have.
        while partials.last().is_some_and(|p| p.is_empty()) {
            partials.pop();
        }
        if partials.len() > usize::from(MAX_TILE_LEVEL) + 1 {
            let level = partials.len() - 1;
            let got = partials[level].len();
            return Err(ResumeError::Width { level, got, want: 0 });
        }
        for level in 0..partials.len().max(levels(size)) {
            let want = (hashes_at_level(size, level as u8) % u64::from(TILE_WIDTH)) as usize;
            let got = partials.get(level).map_or(0, Vec::len);
            if got != want {
                return Err(ResumeError::Width { level, got, want });
            }
        }
        partials.resize(levels(size), Vec::new());
        Ok(Self { size, partials })
    }

    /// A builder for a tree of `size` leaves whose tiles `reader` holds: reads the partial
    /// tiles ([`partial_hash_tiles`]) in one call.
    pub fn resume<R: TileReader + ?Sized>(size: u64, reader: &R) -> Result<Self, ResumeError<R::Error>> {
        let ids = partial_hash_tiles(size);
        let data = if ids.is_empty() { Vec::new() } else { reader.read_tiles(&ids).map_err(ResumeError::Read)? };
        if data.len() != ids.len() {
            return Err(ResumeError::WrongCount { got: data.len(), want: ids.len() });
        }
        let mut partials = vec![Vec::new(); levels(size)];
        for (id, bytes) in ids.iter().zip(&data) {
            let level = usize::from(id.level().expect("hash tile"));
            partials[level] = hashes_from_tile_bytes(*id, bytes)?;
        }
        Ok(Self { size, partials })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The partial tiles of the current tree, lowest level first.
    pub fn partial_tiles(&self) -> Vec<Tile> {
        self.partials
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_empty())
            .map(|(level, p)| self.partial_tile(level, p))
            .collect()
    }

    fn partial_tile(&self, level: usize, hashes: &[Hash]) -> Tile {
        let index = hashes_at_level(self.size, level as u8) / u64::from(TILE_WIDTH);
        Tile {
            id: TileId { kind: TileKind::Hashes(level as u8), index, width: hashes.len() as u16 },
            hashes: hashes.to_vec(),
        }
    }

    /// Appends leaf hashes and returns every tile that is new or changed, by level then index:
    /// the full tiles the batch completed and the partial tiles that now differ. Exactly the
    /// tiles [`new_hash_tiles`] names for the growth.
    pub fn append(&mut self, leaves: &[Hash]) -> Vec<Tile> {
        let old = self.size;
        let mut out = Vec::new();
        for leaf in leaves {
            self.size += 1;
            self.push(0, *leaf, &mut out);
        }
        for level in 0..self.partials.len() {
            let changed = hashes_at_level(self.size, level as u8) != hashes_at_level(old, level as u8);
            if changed && !self.partials[level].is_empty() {
                out.push(self.partial_tile(level, &self.partials[level]));
            }
        }
        out.sort_by_key(|t| t.id);
        out
    }

    fn push(&mut self, level: usize, hash: Hash, out: &mut Vec<Tile>) {
        if self.partials.len() <= level {
            self.partials.push(Vec::new());
        }
        self.partials[level].push(hash);
        if self.partials[level].len() == usize::from(TILE_WIDTH) {
            let hashes = std::mem::take(&mut self.partials[level]);
            // The tile just filled is the last full one at this level.
            let index = hashes_at_level(self.size, level as u8) / u64::from(TILE_WIDTH) - 1;
            let tile = Tile { id: TileId { kind: TileKind::Hashes(level as u8), index, width: TILE_WIDTH }, hashes };
            let up = tile.subtree_root();
            out.push(tile);
            self.push(level + 1, up, out);
        }
    }

    /// The root hash of the current tree.
    ///
    /// The tree of `s` leaves is a run of perfect subtrees, largest first, one per set bit of
    /// `s`. Bits `8L..8L+7` are the level-`L` partial tile's width, and the subtrees they stand
    /// for are power-of-two runs of that tile's hashes, top level leftmost.
    pub fn root(&self) -> Hash {
        let mut subtrees = Vec::new();
        for hashes in self.partials.iter().rev() {
            let mut start = 0;
            for bit in (0..TILE_HEIGHT).rev() {
                let len = 1usize << bit;
                if hashes.len() & len != 0 {
                    subtrees.push(root_from_leaf_hashes(&hashes[start..start + len]));
                    start += len;
                }
            }
        }
        let Some(mut root) = subtrees.pop() else {
            return EMPTY_ROOT;
        };
        while let Some(left) = subtrees.pop() {
            root = node_hash(&left, &root);
        }
        root
    }
}

/// The number of tile levels with hashes in a tree of `size` leaves.
fn levels(size: u64) -> usize {
    (0..=MAX_TILE_LEVEL).take_while(|&l| hashes_at_level(size, l) > 0).count()
}

/// Reads hash tiles from wherever the log keeps them.
///
/// Contract: on success the result has one entry per requested tile, in order, each the
/// tile's bytes (`width × 32`). A request for a partial tile may be served from the full tile
/// at the same index cut to the requested width, if the store has that instead: the hashes are
/// the same. Only tiles that exist for the tree size the caller named are requested.
pub trait TileReader {
    /// The store's error.
    type Error: std::error::Error + 'static;

    /// Returns the bytes of each tile in `tiles`, in the same order.
    fn read_tiles(&self, tiles: &[TileId]) -> Result<Vec<Vec<u8>>, Self::Error>;
}

impl<R: TileReader + ?Sized> TileReader for &R {
    type Error = R::Error;
    fn read_tiles(&self, tiles: &[TileId]) -> Result<Vec<Vec<u8>>, Self::Error> {
        (**self).read_tiles(tiles)
    }
}

/// A [`HashReader`] over the tiles of a tree of a given size: each stored hash is read from
/// the tile that holds it (or computed from up to 128 of its hashes, for tree levels between
/// tile levels). One [`TileReader::read_tiles`] call per [`HashReader::read_hashes`] call.
///
/// The tiles are not authenticated here. A verifier that reads someone else's tiles compares
/// what it computes from them (a tree hash, or a proof it then verifies) with a signed
/// checkpoint, which fails if any tile it used was wrong.
pub struct TileHashReader<'a, R: ?Sized> {
    size: u64,
    reader: &'a R,
}

impl<'a, R: TileReader + ?Sized> TileHashReader<'a, R> {
    /// Reads the tree of `size` leaves from `reader`.
    pub fn new(size: u64, reader: &'a R) -> Self {
        Self { size, reader }
    }
}

/// Why stored hashes could not be read from tiles.
#[derive(Debug, thiserror::Error)]
pub enum TileReadError<E> {
    /// The hash is not complete in the tree of this size.
    #[error("stored hash {index} is not in the tree of size {size}")]
    NotInTree {
        /// The stored-hash index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A tile had the wrong length.
    #[error(transparent)]
    Data(#[from] TileDataError),
    /// The reader broke its contract.
    #[error("the tile reader returned {got} tiles for {want}")]
    WrongCount {
        /// Tiles returned.
        got: usize,
        /// Tiles requested.
        want: usize,
    },
    /// The tile reader failed.
    #[error("reading tiles failed")]
    Read(#[source] E),
}

impl<R: TileReader + ?Sized> HashReader for TileHashReader<'_, R> {
    type Error = TileReadError<R::Error>;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error> {
        // Where each hash lives: (tile, first position, count of tile hashes to combine).
        let mut places = Vec::with_capacity(indexes.len());
        let mut tiles: BTreeMap<TileId, usize> = BTreeMap::new();
        for &index in indexes {
            let (level, n) = split_stored_hash_index(index);
            let tile_level = level / TILE_HEIGHT as u8;
            let sub = u32::from(level) % TILE_HEIGHT;
            let first = n << sub;
            let count = 1u64 << sub;
            let w = u64::from(TILE_WIDTH);
            let tile_index = first / w;
            let at_level = hashes_at_level(self.size, tile_level);
            if first + count > at_level {
                return Err(TileReadError::NotInTree { index, size: self.size });
            }
            let id = TileId {
                kind: TileKind::Hashes(tile_level),
                index: tile_index,
                width: (at_level - tile_index * w).min(w) as u16,
            };
            let next = tiles.len();
            tiles.entry(id).or_insert(next);
            places.push((id, (first % w) as usize, count as usize));
        }
        let mut ids = vec![None; tiles.len()];
        for (id, &slot) in &tiles {
            ids[slot] = Some(*id);
        }
        let ids: Vec<TileId> = ids.into_iter().map(|id| id.expect("every slot filled")).collect();
        let data =
            if ids.is_empty() { Vec::new() } else { self.reader.read_tiles(&ids).map_err(TileReadError::Read)? };
        if data.len() != ids.len() {
            return Err(TileReadError::WrongCount { got: data.len(), want: ids.len() });
        }
        let mut decoded = Vec::with_capacity(ids.len());
        for (id, bytes) in ids.iter().zip(&data) {
            decoded.push(hashes_from_tile_bytes(*id, bytes)?);
        }
        Ok(places
            .into_iter()
            .map(|(id, pos, count)| {
                let hashes = &decoded[tiles[&id]][pos..pos + count];
                root_from_leaf_hashes(hashes)
            })
            .collect())
    }
}

/// The largest entry an entry bundle can hold (its length is a big-endian `u16`).
pub const MAX_ENTRY_LEN: usize = u16::MAX as usize;

/// A malformed entry bundle, or an entry too large for one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryBundleError {
    /// An entry longer than 65,535 bytes.
    #[error("entry {index} is {len} bytes; an entry bundle holds at most 65535")]
    EntryTooLong {
        /// Position in the bundle.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// The bundle ends inside an entry.
    #[error("entry bundle is truncated in entry {index}")]
    Truncated {
        /// Position in the bundle.
        index: usize,
    },
    /// More than 256 entries.
    #[error("entry bundle has more than 256 entries")]
    TooManyEntries,
    /// An entry does not hash to the leaf hash in the matching level-0 tile.
    #[error("entry {index} does not match its leaf hash")]
    LeafMismatch {
        /// Position in the bundle.
        index: usize,
    },
    /// The bundle and the level-0 tile have different widths.
    #[error("entry bundle has {entries} entries but the tile has {hashes} hashes")]
    WidthMismatch {
        /// Entries in the bundle.
        entries: usize,
        /// Hashes in the tile.
        hashes: usize,
    },
}

/// Encodes an entry bundle: each entry as a big-endian `u16` length and its bytes.
pub fn encode_entry_bundle<'e, I>(entries: I) -> Result<Vec<u8>, EntryBundleError>
where
    I: IntoIterator<Item = &'e [u8]>,
{
    let mut out = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        if index >= usize::from(TILE_WIDTH) {
            return Err(EntryBundleError::TooManyEntries);
        }
        let len = u16::try_from(entry.len()).map_err(|_| EntryBundleError::EntryTooLong { index, len: entry.len() })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Splits an entry bundle into its entries.
pub fn decode_entry_bundle(bundle: &[u8]) -> Result<Vec<&[u8]>, EntryBundleError> {
    let mut out = Vec::new();
    let mut rest = bundle;
    while !rest.is_empty() {
        let index = out.len();
        if index >= usize::from(TILE_WIDTH) {
            return Err(EntryBundleError::TooManyEntries);
        }
        if rest.len() < 2 {
            return Err(EntryBundleError::Truncated { index });
        }
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if rest.len() < 2 + len {
            return Err(EntryBundleError::Truncated { index });
        }
        out.push(&rest[2..2 + len]);
        rest = &rest[2 + len..];
    }
    Ok(out)
}

/// Checks that each entry of a bundle hashes ([`crate::leaf_hash`]) to the matching hash of
/// the level-0 tile with the same index and width.
pub fn check_entry_bundle(bundle: &[u8], level0: &[Hash]) -> Result<(), EntryBundleError> {
    let entries = decode_entry_bundle(bundle)?;
    if entries.len() != level0.len() {
        return Err(EntryBundleError::WidthMismatch { entries: entries.len(), hashes: level0.len() });
    }
    for (index, (entry, hash)) in entries.iter().zip(level0).enumerate() {
        if crate::hash::leaf_hash(entry) != *hash {
            return Err(EntryBundleError::LeafMismatch { index });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_path_examples() {
        // c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067".
        assert_eq!(encode_index(1_234_067), "x001/x234/067");
        assert_eq!(TileId::hashes(0, 1_234_067, 256).unwrap().path(), "tile/0/x001/x234/067");
        assert_eq!(TileId::hashes(1, 3, 12).unwrap().path(), "tile/1/003.p/12");
        assert_eq!(TileId::entries(0, 1).unwrap().path(), "tile/entries/000.p/1");
        assert_eq!(encode_index(1000), "x001/000");
        assert_eq!(encode_index(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    }

    #[test]
    fn bad_paths_are_rejected_with_their_text() {
        for bad in [
            "tile/0/67",
            "tile/00/067",
            "tile/64/000",
            "tile/0/x000/067",
            "tile/0/067.p/256",
            "tile/0/067.p/0",
            "tile/0/067.p/012",
            "tile/0/001/067",
            "tile/entries/x067",
            "tile/0/067/",
            "tiles/0/067",
            "/tile/0/067",
            "tile/data/000",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
        ] {
            assert_eq!(TileId::parse(bad), Err(TileIdError::Path(bad.to_owned())), "{bad}");
        }
        assert_eq!(TileIdError::Path("tile/x".into()).to_string(), "malformed tile path \"tile/x\"");
        assert_eq!(TileId::hashes(64, 0, 1), Err(TileIdError::Level(64)));
        assert_eq!(TileId::entries(0, 0), Err(TileIdError::Width(0)));
    }

    #[test]
    fn entry_bundles_round_trip() {
        let entries: Vec<&[u8]> = vec![b"", b"a", &[7u8; 300]];
        let bundle = encode_entry_bundle(entries.iter().copied()).unwrap();
        assert_eq!(&bundle[..5], &[0, 0, 0, 1, b'a']);
        assert_eq!(decode_entry_bundle(&bundle).unwrap(), entries);
        assert_eq!(decode_entry_bundle(&bundle[..bundle.len() - 1]), Err(EntryBundleError::Truncated { index: 2 }));
        let big = vec![0u8; 70_000];
        assert_eq!(
            encode_entry_bundle([big.as_slice()]).unwrap_err().to_string(),
            "entry 0 is 70000 bytes; an entry bundle holds at most 65535"
        );
    }
}
