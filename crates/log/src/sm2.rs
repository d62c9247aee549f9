//! SM2-over-SM3 note signatures (GB/T 32918.2 digital signatures, GB/T 32905 hash) for
//! agencies that must sign with national algorithms, as an extra signature line on a
//! checkpoint next to the log's Ed25519 line.
//!
//! The signed-note spec assigns no signature type to SM2, so this uses its escape hatch: type
//! byte `0xff` followed by a longer identifier, here [`SM2_SIGNATURE_TYPE`]
//! (`0xff ‖ "zhifa/sm2-sm3@v1"`). Concretely:
//!
//! - public key encoding: the 65-byte uncompressed SEC1 point `0x04 ‖ X ‖ Y`;
//! - key ID: `SHA-256(name ‖ 0x0A ‖ 0xff ‖ "zhifa/sm2-sm3@v1" ‖ public key)[:4]`, as the spec
//!   recommends for any type;
//! - verifier key text: `<name>+<id>+base64(0xff ‖ "zhifa/sm2-sm3@v1" ‖ public key)`;
//!   signer key text: `PRIVATE+KEY+<name>+<id>+base64(0xff ‖ "zhifa/sm2-sm3@v1" ‖ 32-byte
//!   private scalar)`;
//! - signature: SM2 with SM3 over the note text, with the default distinguishing identifier
//!   `1234567812345678` (GB/T 35276), encoded as the 64 bytes `r ‖ s`. Nonces are derived
//!   deterministically (RFC 6979 style, with SM3), so no randomness is needed at signing.
//!
//! Standard verifiers do not know this key (name and ID), so they ignore the line.

use std::fmt;

use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::sec1::ToEncodedPoint as _;

use crate::note::{
    KeyError, NoteError, NoteSigner, NoteVerifier, check_vkey_id, encode_vkey, is_valid_key_name, key_id, split_skey,
    split_vkey,
};

/// The signature type bytes of SM2-over-SM3 note signatures: `0xff` then an identifier.
pub const SM2_SIGNATURE_TYPE: &[u8] = b"\xffzhifa/sm2-sm3@v1";

/// The distinguishing identifier signed into every SM2 signature (the GB/T 35276 default).
pub const SM2_DISTINGUISHING_ID: &str = "1234567812345678";

fn type_and(key: &[u8]) -> Vec<u8> {
    let mut out = SM2_SIGNATURE_TYPE.to_vec();
    out.extend_from_slice(key);
    out
}

fn strip_type(key: &[u8]) -> Result<&[u8], KeyError> {
    key.strip_prefix(SM2_SIGNATURE_TYPE).ok_or(KeyError::UnsupportedType(key[0]))
}

/// Verifies SM2-over-SM3 note signatures by one key.
#[derive(Clone, Debug)]
pub struct Sm2Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl Sm2Verifier {
    /// The verifier for key `name` with the SEC1-encoded SM2 `public_key` (compressed or not).
    pub fn new(name: &str, public_key: &[u8]) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName(name.to_owned()));
        }
        let key = VerifyingKey::from_sec1_bytes(SM2_DISTINGUISHING_ID, public_key)
            .map_err(|_| KeyError::Malformed("not an SM2 public key"))?;
        Ok(Self::from_key(name, key))
    }

    fn from_key(name: &str, key: VerifyingKey) -> Self {
        Self { name: name.to_owned(), key_id: key_id(name, &type_and(&uncompressed(&key))), key }
    }

    /// Parses a verifier key, `<name>+<id>+base64(0xff ‖ "zhifa/sm2-sm3@v1" ‖ public key)`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, id, key) = split_vkey(vkey)?;
        check_vkey_id(name, id, &key)?;
        let point = strip_type(&key)?;
        if point.len() != 65 {
            return Err(KeyError::Malformed("an SM2 public key is a 65-byte uncompressed point"));
        }
        Self::new(name, point)
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        encode_vkey(&self.name, self.key_id, &type_and(&uncompressed(&self.key)))
    }

    /// The 65-byte uncompressed SEC1 public key.
    pub fn public_key(&self) -> Vec<u8> {
        uncompressed(&self.key)
    }
}

impl PartialEq for Sm2Verifier {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.key_id == other.key_id && self.key.as_affine() == other.key.as_affine()
    }
}

impl Eq for Sm2Verifier {}

fn uncompressed(key: &VerifyingKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

impl NoteVerifier for Sm2Verifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        self.key.verify(text, &sig).is_ok()
    }
}

/// Signs notes with an SM2 key. The key comes in as its 32-byte private scalar (which must be
/// in `[1, n−1]`); this crate draws no randomness. `Debug` does not print the key.
#[derive(Clone)]
pub struct Sm2Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for Sm2Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sm2Signer")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl Sm2Signer {
    /// The signer for key `name` with the 32-byte big-endian private scalar `secret`.
    pub fn from_secret(name: &str, secret: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName(name.to_owned()));
        }
        let key = SigningKey::from_slice(SM2_DISTINGUISHING_ID, secret)
            .map_err(|_| KeyError::Malformed("not an SM2 private key"))?;
        let verifier = Sm2Verifier::from_key(name, key.verifying_key().clone());
        Ok(Self { name: name.to_owned(), key_id: verifier.key_id, key })
    }

    /// Parses a signer key, `PRIVATE+KEY+<name>+<id>+base64(0xff ‖ "zhifa/sm2-sm3@v1" ‖
    /// private scalar)`. The ID must be that of the matching public key.
    pub fn from_skey(skey: &str) -> Result<Self, KeyError> {
        let (name, id, key) = split_skey(skey)?;
        let secret: [u8; 32] =
            strip_type(&key)?.try_into().map_err(|_| KeyError::Malformed("an SM2 private key is 32 bytes"))?;
        let signer = Self::from_secret(name, &secret)?;
        if signer.key_id != id {
            return Err(KeyError::KeyIdMismatch { got: id, want: signer.key_id });
        }
        Ok(signer)
    }

    /// The signer key text. Secret.
    pub fn skey(&self) -> String {
        format!("PRIVATE+KEY+{}", encode_vkey(&self.name, self.key_id, &type_and(&self.key.to_bytes())))
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Sm2Verifier {
        Sm2Verifier::from_key(&self.name, self.key.verifying_key().clone())
    }
}

impl NoteSigner for Sm2Signer {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn sign(&self, text: &[u8]) -> Result<Vec<u8>, NoteError> {
        let sig: Signature = self.key.try_sign(text).map_err(|e| NoteError::Sign(e.to_string()))?;
        Ok(sig.to_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Ed25519Signer, Note, VerifierKey};

    fn signer() -> Sm2Signer {
        let mut secret = [0u8; 32];
        secret[31] = 42;
        Sm2Signer::from_secret("example.com/log", &secret).unwrap()
    }

    #[test]
    fn sign_and_verify_alongside_ed25519() {
        let sm2 = signer();
        let ed = Ed25519Signer::from_seed("example.com/log", &[1; 32]).unwrap();
        let mut note = Note::new("example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").unwrap();
        note.sign(&ed).unwrap();
        note.sign(&sm2).unwrap();
        let note = Note::parse(&note.to_string()).unwrap();
        assert_eq!(note.signatures().len(), 2);
        assert_eq!(note.signatures()[1].signature().len(), 64);
        // A standard verifier knows only the Ed25519 key and ignores the SM2 line.
        assert_eq!(note.verify(&[&ed.verifier()]).unwrap().len(), 1);
        // An SM2-aware verifier checks it.
        let v = VerifierKey::parse(&sm2.verifier().vkey()).unwrap();
        assert_eq!(note.verify(&[&v]).unwrap()[0].key_id(), sm2.key_id());
        // Signing is deterministic.
        assert_eq!(sm2.sign(b"x\n").unwrap(), sm2.sign(b"x\n").unwrap());
    }

    #[test]
    fn keys_round_trip() {
        let s = signer();
        assert_eq!(Sm2Signer::from_skey(&s.skey()).unwrap().verifier(), s.verifier());
        assert_eq!(Sm2Verifier::from_vkey(&s.verifier().vkey()).unwrap(), s.verifier());
        assert_eq!(
            Sm2Signer::from_secret("example.com/log", &[0; 32]).unwrap_err().to_string(),
            "malformed key: not an SM2 private key"
        );
    }
}
