//! [`BlobKey`]: the content address of a stored object.

use std::fmt;
use std::str::FromStr;

use crate::BlobError;

/// The key of a stored object: `sha256/ab/cd/<64 lowercase hex digits of the SHA-256>`,
/// where `ab` and `cd` are the first two bytes of the hash (so no directory holds more than
/// 65,536 entries on the local store).
///
/// A key is only ever made from a hash or parsed and checked, so it contains only
/// `[0-9a-f/]` and `sha256`, and can be joined to a directory or put in a URL as it is.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobKey(String);

impl BlobKey {
    const PREFIX: &'static str = "sha256/";

    /// The key of content whose SHA-256 is `digest`.
    pub fn from_sha256(digest: &[u8; 32]) -> Self {
        let hex = hex::encode(digest);
        BlobKey(format!("{}{}/{}/{hex}", Self::PREFIX, &hex[0..2], &hex[2..4]))
    }

    /// The key of content whose SHA-256 is `hex` (64 hex digits, either case).
    pub fn from_sha256_hex(hex: &str) -> Result<Self, BlobError> {
        let mut digest = [0u8; 32];
        hex::decode_to_slice(hex, &mut digest).map_err(|_| BlobError::InvalidKey(hex.to_string()))?;
        Ok(Self::from_sha256(&digest))
    }

    /// Parses a key as written by [`BlobKey::as_str`].
    pub fn parse(s: &str) -> Result<Self, BlobError> {
        let bad = || BlobError::InvalidKey(s.to_string());
        let rest = s.strip_prefix(Self::PREFIX).ok_or_else(bad)?;
        let hex = rest.get(6..).ok_or_else(bad)?;
        let lower_hex = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !lower_hex || rest[..6] != format!("{}/{}/", &hex[0..2], &hex[2..4]) {
            return Err(bad());
        }
        Ok(BlobKey(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the content, 64 lowercase hex digits.
    pub fn sha256_hex(&self) -> &str {
        &self.0[self.0.len() - 64..]
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobKey({})", self.0)
    }
}

impl FromStr for BlobKey {
    type Err = BlobError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for BlobKey {
    type Error = BlobError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BlobKey> for String {
    fn from(k: BlobKey) -> String {
        k.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn round_trip() {
        let k = BlobKey::from_sha256_hex(&ABC.to_uppercase()).unwrap();
        assert_eq!(k.as_str(), format!("sha256/ba/78/{ABC}"));
        assert_eq!(k.sha256_hex(), ABC);
        assert_eq!(BlobKey::parse(k.as_str()).unwrap(), k);
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(serde_json::from_str::<BlobKey>(&json).unwrap(), k);
    }

    #[test]
    fn refuses_anything_else() {
        for bad in [
            "",
            "sha256/",
            &format!("sha256/ba/79/{ABC}"),
            &format!("sha256/BA/78/{}", ABC.to_uppercase()),
            &format!("sha256/ba/78/{ABC}0"),
            &format!("sha256/ba/78/../{ABC}"),
            &format!("sha1/ba/78/{ABC}"),
            &format!("/sha256/ba/78/{ABC}"),
        ] {
            let e = BlobKey::parse(bad).unwrap_err();
            assert!(matches!(e, BlobError::InvalidKey(_)), "{bad}");
        }
        assert!(serde_json::from_str::<BlobKey>("\"sha256/../../etc/passwd\"").is_err());
    }
}
