//! RFC 6962 / RFC 9162 tree hashing (SHA-256, leaf prefix `0x00`, node prefix `0x01`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// The size in bytes of every hash in the tree.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 Merkle tree hash: a leaf hash, an interior node hash or a root.
///
/// The type has exactly 32 bytes, so a hash of any other length cannot be represented:
/// [`Hash::from_slice`] and [`Hash::from_base64`] are where such input is rejected.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash([u8; HASH_SIZE]);

/// A byte string that is not a 32-byte hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// The bytes have the wrong length.
    #[error("a hash is 32 bytes, not {0}")]
    Length(usize),
    /// The text is not standard, padded base64.
    #[error("a hash is not valid base64")]
    Base64,
}

impl Hash {
    /// Wraps 32 bytes.
    pub const fn from_bytes(bytes: [u8; HASH_SIZE]) -> Self {
        Self(bytes)
    }

    /// Copies a hash from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashParseError> {
        <[u8; HASH_SIZE]>::try_from(bytes).map(Self).map_err(|_| HashParseError::Length(bytes.len()))
    }

    /// Parses standard padded base64 (RFC 4648 §4), the encoding C2SP formats use.
    pub fn from_base64(text: &str) -> Result<Self, HashParseError> {
        let bytes = BASE64.decode(text).map_err(|_| HashParseError::Base64)?;
        Self::from_slice(&bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Standard padded base64, as in checkpoints and proofs.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Lower-case hexadecimal.
    pub fn to_hex(&self) -> String {
        use fmt::Write as _;
        let mut out = String::with_capacity(HASH_SIZE * 2);
        for b in self.0 {
            // Writing to a String cannot fail.
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; HASH_SIZE]> for Hash {
    fn from(bytes: [u8; HASH_SIZE]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// Displays as standard base64, the form every C2SP text format uses.
impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

/// Serialises as a base64 string, as RFC 9162's JSON and C2SP texts do.
impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Hash::from_base64(&text).map_err(serde::de::Error::custom)
    }
}

/// The root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// The leaf hash of an entry: `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The Merkle Tree Hash (RFC 6962 §2.1) of a list of leaf hashes, in order.
///
/// Also the hash of any subtree given the hashes of its leaves (or of a perfect subtree given
/// the hashes of its equal-sized children). The empty list hashes to [`EMPTY_ROOT`].
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return EMPTY_ROOT;
    }
    // Fold a stack of perfect subtrees as leaves arrive (like a binary counter), then combine
    // the remaining subtrees right to left: the same result as the recursive definition.
    let mut stack: Vec<(Hash, u32)> = Vec::with_capacity(64);
    for leaf in leaves {
        let mut h = *leaf;
        let mut height = 0;
        while let Some(&(top, top_height)) = stack.last() {
            if top_height != height {
                break;
            }
            stack.pop();
            h = node_hash(&top, &h);
            height += 1;
        }
        stack.push((h, height));
    }
    let (mut root, _) = stack.pop().expect("non-empty input leaves a subtree");
    while let Some((left, _)) = stack.pop() {
        root = node_hash(&left, &root);
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, Hash(Sha256::digest([]).into()));
        assert_eq!(root_from_leaf_hashes(&[]), EMPTY_ROOT);
    }

    #[test]
    fn root_matches_the_recursive_definition() {
        fn mth(leaves: &[Hash]) -> Hash {
            match leaves.len() {
                0 => EMPTY_ROOT,
                1 => leaves[0],
                n => {
                    // The largest power of two smaller than n.
                    let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
                    node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
                }
            }
        }
        let leaves: Vec<Hash> = (0u32..40).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 0..leaves.len() {
            assert_eq!(root_from_leaf_hashes(&leaves[..n]), mth(&leaves[..n]), "n={n}");
        }
    }

    #[test]
    fn parse_errors_have_exact_text() {
        assert_eq!(Hash::from_slice(&[0; 31]).unwrap_err().to_string(), "a hash is 32 bytes, not 31");
        assert_eq!(Hash::from_base64("***").unwrap_err().to_string(), "a hash is not valid base64");
    }

    #[test]
    fn serde_round_trip_is_base64() {
        let h = leaf_hash(b"x");
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{}\"", h.to_base64()));
        assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), h);
    }
}
