//! Witness cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`) and the client side of
//! the witness protocol (c2sp.org/tlog-witness, `add-checkpoint`).
//!
//! A cosignature is a note signature line by a witness key with signature type `0x04`; its
//! bytes are a big-endian `u64` timestamp (seconds since the Unix epoch) followed by an Ed25519
//! signature over
//!
//! ```text
//! cosignature/v1
//! time <timestamp>
//! <the checkpoint text>
//! ```
//!
//! Timestamps are passed in: nothing here reads a clock.

use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::hash::Hash;
use crate::note::{
    KeyError, Note, NoteError, NoteSignature, NoteVerifier, SIG_TYPE_COSIGNATURE_V1, check_vkey_id, ed25519_public_key,
    encode_vkey, is_valid_key_name, key_id, split_vkey, type_and_key,
};

/// The signed message of a cosignature over `text` at `timestamp`.
pub fn cosigned_message(text: &[u8], timestamp: u64) -> Vec<u8> {
    let header = format!("cosignature/v1\ntime {timestamp}\n");
    let mut msg = Vec::with_capacity(header.len() + text.len());
    msg.extend_from_slice(header.as_bytes());
    msg.extend_from_slice(text);
    msg
}

/// The timestamp of a cosignature line's 72-byte `timestamped_signature`, if it is one.
pub fn cosignature_timestamp(signature: &NoteSignature) -> Option<u64> {
    let bytes: &[u8; 72] = signature.signature().try_into().ok()?;
    Some(u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes")))
}

/// Verifies cosignature/v1 lines by one witness key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// The verifier for witness `name` with the 32-byte Ed25519 `public_key`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName(name.to_owned()));
        }
        let key = ed25519_public_key(public_key)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, &type_and_key(SIG_TYPE_COSIGNATURE_V1, key.as_bytes())),
            key,
        })
    }

    /// Parses a witness verifier key, `<name>+<id>+<base64(0x04 ‖ public key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, id, key) = split_vkey(vkey)?;
        check_vkey_id(name, id, &key)?;
        if key[0] != SIG_TYPE_COSIGNATURE_V1 {
            return Err(KeyError::UnsupportedType(key[0]));
        }
        Ok(Self { name: name.to_owned(), key_id: id, key: ed25519_public_key(&key[1..])? })
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        encode_vkey(&self.name, self.key_id, &type_and_key(SIG_TYPE_COSIGNATURE_V1, self.key.as_bytes()))
    }
}

impl NoteVerifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; 72]>::try_from(signature) else {
            return false;
        };
        let timestamp = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&bytes[8..]) else {
            return false;
        };
        self.key.verify(&cosigned_message(text, timestamp), &sig).is_ok()
    }
}

/// Makes cosignature/v1 lines with a witness key. Useful for tests and for running a witness;
/// the key comes in as a seed and the time as an argument. `Debug` does not print the key.
#[derive(Clone)]
pub struct CosignatureSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CosignatureSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl CosignatureSigner {
    /// The witness key `name` with the 32-byte Ed25519 private key `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName(name.to_owned()));
        }
        let key = SigningKey::from_bytes(seed);
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, &type_and_key(SIG_TYPE_COSIGNATURE_V1, key.verifying_key().as_bytes())),
            key,
        })
    }

    /// The cosignature line over checkpoint `text` at `timestamp`.
    pub fn cosign(&self, text: &str, timestamp: u64) -> NoteSignature {
        let sig = self.key.sign(&cosigned_message(text.as_bytes(), timestamp));
        let mut bytes = Vec::with_capacity(72);
        bytes.extend_from_slice(&timestamp.to_be_bytes());
        bytes.extend_from_slice(&sig.to_bytes());
        NoteSignature::new(self.name.clone(), self.key_id, bytes).expect("name checked, bytes non-empty")
    }

    /// The matching verifier.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }
}

/// A verified witness cosignature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosignature {
    /// The witness key name.
    pub witness: String,
    /// When the witness cosigned, in seconds since the Unix epoch.
    pub timestamp: u64,
}

/// Verifies the cosignatures in `note` by the given witnesses and returns one per witness key
/// that cosigned. Lines by other keys are ignored; a line by a known witness that fails to
/// verify is an error. Returns an empty list when no known witness cosigned: how many are
/// enough is the caller's policy.
pub fn verify_cosignatures(note: &Note, witnesses: &[CosignatureVerifier]) -> Result<Vec<Cosignature>, NoteError> {
    let mut out: Vec<Cosignature> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for sig in note.signatures() {
        let Some(w) = witnesses.iter().find(|w| w.name == sig.name() && w.key_id == sig.key_id()) else {
            continue;
        };
        if !seen.insert((sig.name(), sig.key_id())) {
            continue;
        }
        if !w.verify(note.text().as_bytes(), sig.signature()) {
            return Err(NoteError::InvalidSignature { name: sig.name().to_owned(), key_id: sig.key_id() });
        }
        out.push(Cosignature {
            witness: sig.name().to_owned(),
            timestamp: cosignature_timestamp(sig).expect("verified, so 72 bytes"),
        });
    }
    Ok(out)
}

/// A request body for a witness's `add-checkpoint` (c2sp.org/tlog-witness).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the last checkpoint the witness cosigned for this log (0 if none).
    pub old_size: u64,
    /// The consistency proof from `old_size` to the checkpoint's size (empty when
    /// `old_size` is 0 or equal to the new size). At most 63 hashes.
    pub proof: Vec<Hash>,
    /// The signed checkpoint, as a complete note.
    pub checkpoint: String,
}

/// Why an `add-checkpoint` body or response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// The body is not well-formed.
    #[error("malformed witness message: {0}")]
    Malformed(&'static str),
    /// A cosignature line is not well-formed.
    #[error(transparent)]
    Note(#[from] NoteError),
}

impl AddCheckpoint {
    /// The request body.
    pub fn to_body(&self) -> Result<String, WitnessError> {
        if self.proof.len() > 63 {
            return Err(WitnessError::Malformed("more than 63 consistency proof lines"));
        }
        if self.old_size == 0 && !self.proof.is_empty() {
            return Err(WitnessError::Malformed("a proof from old size 0 must be empty"));
        }
        let mut out = format!("old {}\n", self.old_size);
        for h in &self.proof {
            out.push_str(&h.to_base64());
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        Ok(out)
    }

    /// Parses a request body (what a witness does).
    pub fn parse(body: &str) -> Result<Self, WitnessError> {
        let (old, mut rest) = body.split_once('\n').ok_or(WitnessError::Malformed("no old size line"))?;
        let old_size = old
            .strip_prefix("old ")
            .and_then(crate::checkpoint::parse_decimal)
            .ok_or(WitnessError::Malformed("bad old size line"))?;
        let mut proof = Vec::new();
        loop {
            let (line, next) =
                rest.split_once('\n').ok_or(WitnessError::Malformed("no empty line before the checkpoint"))?;
            rest = next;
            if line.is_empty() {
                break;
            }
            if proof.len() == 63 {
                return Err(WitnessError::Malformed("more than 63 consistency proof lines"));
            }
            proof.push(Hash::from_base64(line).map_err(|_| WitnessError::Malformed("bad proof line"))?);
        }
        Ok(Self { old_size, proof, checkpoint: rest.to_owned() })
    }
}

/// Parses the body of a successful `add-checkpoint` response: one or more signature lines.
/// Attach the ones from trusted witnesses with [`Note::add_signature`] after checking them
/// with [`verify_cosignatures`] (or add them all and verify the note).
pub fn parse_signature_lines(body: &str) -> Result<Vec<NoteSignature>, WitnessError> {
    let lines = body.strip_suffix('\n').ok_or(WitnessError::Malformed("response does not end in a newline"))?;
    if lines.is_empty() {
        return Err(WitnessError::Malformed("no signature lines"));
    }
    lines.split('\n').map(|l| NoteSignature::parse_line(l).map_err(WitnessError::from)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn spec_signed_message() {
        // c2sp.org/tlog-cosignature, "Signed message".
        assert_eq!(
            String::from_utf8(cosigned_message(CHECKPOINT.as_bytes(), 1_679_315_147)).unwrap(),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn cosign_attach_verify() {
        let w = CosignatureSigner::from_seed("witness.example.com/w1", &[3; 32]).unwrap();
        let line = w.cosign(CHECKPOINT, 1_679_315_147);
        assert_eq!(cosignature_timestamp(&line), Some(1_679_315_147));
        let mut note = Note::new(CHECKPOINT).unwrap();
        let parsed = parse_signature_lines(&line.to_line()).unwrap();
        note.add_signature(parsed[0].clone()).unwrap();
        let v = CosignatureVerifier::from_vkey(&w.verifier().vkey()).unwrap();
        assert_eq!(
            verify_cosignatures(&note, std::slice::from_ref(&v)).unwrap(),
            vec![Cosignature { witness: "witness.example.com/w1".into(), timestamp: 1_679_315_147 }]
        );
        // A cosignature is not valid as a plain signature over the text, nor over other text.
        let other = Note::new("other\n").map(|mut n| {
            n.add_signature(line.clone()).unwrap();
            n
        });
        assert!(verify_cosignatures(&other.unwrap(), &[v]).is_err());
    }

    #[test]
    fn add_checkpoint_body_round_trip() {
        let req = AddCheckpoint {
            old_size: 20_852_014,
            proof: vec![crate::leaf_hash(b"a"), crate::leaf_hash(b"b")],
            checkpoint: format!("{CHECKPOINT}\n\u{2014} example.com/behind-the-sofa AAAAAAA=\n"),
        };
        let body = req.to_body().unwrap();
        assert!(body.starts_with("old 20852014\n"));
        assert_eq!(AddCheckpoint::parse(&body).unwrap(), req);
        let from_zero = AddCheckpoint { old_size: 0, ..req.clone() };
        assert_eq!(
            from_zero.to_body().unwrap_err().to_string(),
            "malformed witness message: a proof from old size 0 must be empty"
        );
        assert_eq!(
            AddCheckpoint::parse("old 01\n\n").unwrap_err().to_string(),
            "malformed witness message: bad old size line"
        );
    }
}
