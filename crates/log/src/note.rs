//! C2SP signed notes (c2sp.org/signed-note): text signed by one or more keys, and Ed25519
//! signer and verifier keys in the `PRIVATE+KEY+<name>+<id>+<base64>` and
//! `<name>+<id>+<base64>` encodings of Go's `golang.org/x/mod/sumdb/note`.
//!
//! Parsing and verification follow the spec and Go's `note.Open`: the text is everything up
//! to the last blank line; signatures from unknown keys (no verifier with both the name and
//! the key ID) are ignored; a signature from a known key that fails rejects the whole note; a
//! note with no verified signature from a known key is rejected; repeated signatures by one
//! key count once.

use std::collections::BTreeSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

/// Notes larger than this are refused (as Go's `note.Open` limits work per note).
pub const MAX_NOTE_SIZE: usize = 1_000_000;
/// Notes with more signature lines than this are refused (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Signature type byte of Ed25519 note signatures (c2sp.org/signed-note).
pub const SIG_TYPE_ED25519: u8 = 0x01;
/// Signature type byte of timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature).
pub const SIG_TYPE_COSIGNATURE_V1: u8 = 0x04;

const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note, signature line or key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note or a signature line is not well-formed.
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// A key name is empty or contains a space or `+`.
    #[error("invalid key name {0:?}")]
    InvalidName(String),
    /// A signature from a known key did not verify.
    #[error("invalid signature by key {name}+{key_id:08x}")]
    InvalidSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// More than one verifier has this name and key ID.
    #[error("more than one verifier for key {name}+{key_id:08x}")]
    AmbiguousKey {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// No signature from a known key.
    #[error("the note has no signature from a known key")]
    NoKnownSignature,
    /// The signer failed.
    #[error("signing failed: {0}")]
    Sign(String),
}

/// A signer, verifier or key could not be made from the given text or bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not of the form the key type needs.
    #[error("malformed key: {0}")]
    Malformed(&'static str),
    /// A key name is empty or contains a space or `+`.
    #[error("invalid key name {0:?}")]
    InvalidName(String),
    /// The key ID does not match the name and key.
    #[error("key ID {got:08x} does not match the key, which has ID {want:08x}")]
    KeyIdMismatch {
        /// The key ID given.
        got: u32,
        /// The key ID of the name and key.
        want: u32,
    },
    /// An algorithm this crate does not know, or not the one asked for.
    #[error("unsupported signature type {0:#04x}")]
    UnsupportedType(u8),
}

/// Whether `name` may name a key: non-empty, no Unicode white space, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key ID the spec recommends: the first four bytes, big-endian, of
/// `SHA-256(name ‖ 0x0A ‖ type_and_key)`, where `type_and_key` is the signature type byte(s)
/// followed by the public key encoding.
pub fn key_id(name: &str, type_and_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(type_and_key);
    let digest = h.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Something that checks signatures by one key.
pub trait NoteVerifier {
    /// The key name.
    fn name(&self) -> &str;
    /// The key ID.
    fn key_id(&self) -> u32;
    /// Whether `signature` (without the 4-byte key ID) is a valid signature of `text`.
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool;
}

/// Something that signs note texts with one key.
pub trait NoteSigner {
    /// The key name.
    fn name(&self) -> &str;
    /// The key ID.
    fn key_id(&self) -> u32;
    /// Signs `text`, returning the signature bytes (without the key ID).
    fn sign(&self, text: &[u8]) -> Result<Vec<u8>, NoteError>;
}

/// One signature line of a note: key name, key ID and signature bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    name: String,
    key_id: u32,
    signature: Vec<u8>,
}

impl NoteSignature {
    /// A signature by key `name`/`key_id`. The signature bytes must not be empty.
    pub fn new(name: impl Into<String>, key_id: u32, signature: Vec<u8>) -> Result<Self, NoteError> {
        let name = name.into();
        if !is_valid_key_name(&name) {
            return Err(NoteError::InvalidName(name));
        }
        if signature.is_empty() {
            return Err(NoteError::Malformed("empty signature"));
        }
        Ok(Self { name, key_id, signature })
    }

    /// Parses one signature line, `— <name> <base64(key ID ‖ signature)>`, with or without
    /// its final newline.
    pub fn parse_line(line: &str) -> Result<Self, NoteError> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::Malformed("signature line does not start with an em dash and a space"))?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed("signature line has no signature"))?;
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidName(name.to_owned()));
        }
        let bytes = BASE64.decode(b64).map_err(|_| NoteError::Malformed("signature is not valid base64"))?;
        if bytes.len() < 5 {
            return Err(NoteError::Malformed("signature is too short"));
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            signature: bytes[4..].to_vec(),
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature bytes, without the key ID.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signature line, with its final newline.
    pub fn to_line(&self) -> String {
        let mut bytes = Vec::with_capacity(4 + self.signature.len());
        bytes.extend_from_slice(&self.key_id.to_be_bytes());
        bytes.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}\n", self.name, BASE64.encode(bytes))
    }
}

/// A note: a text and its signatures. The text ends in a newline, is valid UTF-8 and has no
/// control characters but newlines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

fn check_chars(s: &str) -> Result<(), NoteError> {
    if s.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character"));
    }
    Ok(())
}

impl Note {
    /// An unsigned note with `text`, which must end in a newline.
    pub fn new(text: impl Into<String>) -> Result<Self, NoteError> {
        let text = text.into();
        if text.len() > MAX_NOTE_SIZE {
            return Err(NoteError::Malformed("note is too large"));
        }
        if !text.ends_with('\n') {
            return Err(NoteError::Malformed("text does not end in a newline"));
        }
        check_chars(&text)?;
        Ok(Self { text, signatures: Vec::new() })
    }

    /// Parses a signed note: the text, a blank line, and one or more signature lines. The
    /// signatures are not verified: see [`Note::verify`].
    pub fn parse(msg: &str) -> Result<Self, NoteError> {
        if msg.len() > MAX_NOTE_SIZE {
            return Err(NoteError::Malformed("note is too large"));
        }
        check_chars(msg)?;
        let split = msg.rfind("\n\n").ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let (text, sigs) = (&msg[..=split], &msg[split + 2..]);
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(NoteError::Malformed("signatures do not end in a newline"));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed("too many signatures"));
            }
            signatures.push(NoteSignature::parse_line(line)?);
        }
        Ok(Self { text: text.to_owned(), signatures })
    }

    /// Parses a signed note from bytes, which must be UTF-8.
    pub fn parse_bytes(msg: &[u8]) -> Result<Self, NoteError> {
        let msg = std::str::from_utf8(msg).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        Self::parse(msg)
    }

    /// The signed text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line at the end, replacing any line with the same key name and ID.
    /// This is how witness cosignatures are attached to a checkpoint.
    pub fn add_signature(&mut self, signature: NoteSignature) -> Result<(), NoteError> {
        self.signatures.retain(|s| !(s.name == signature.name && s.key_id == signature.key_id));
        if self.signatures.len() == MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures"));
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// Signs the text with `signer` and adds the signature (see [`Note::add_signature`]).
    pub fn sign(&mut self, signer: &dyn NoteSigner) -> Result<(), NoteError> {
        let signature = signer.sign(self.text.as_bytes())?;
        self.add_signature(NoteSignature::new(signer.name(), signer.key_id(), signature)?)
    }

    /// Verifies the signatures of known keys and returns those that verified.
    ///
    /// A signature is from a known key when exactly one of `verifiers` has its name and key ID;
    /// others are ignored. Any known signature that fails rejects the note, as does a note
    /// with no known signature.
    pub fn verify(&self, verifiers: &[&dyn NoteVerifier]) -> Result<Vec<&NoteSignature>, NoteError> {
        let mut verified = Vec::new();
        let mut seen = BTreeSet::new();
        for sig in &self.signatures {
            let mut known = verifiers.iter().filter(|v| v.name() == sig.name && v.key_id() == sig.key_id);
            let Some(verifier) = known.next() else {
                continue;
            };
            if known.next().is_some() {
                return Err(NoteError::AmbiguousKey { name: sig.name.clone(), key_id: sig.key_id });
            }
            if !seen.insert((sig.name.as_str(), sig.key_id)) {
                continue;
            }
            if !verifier.verify(self.text.as_bytes(), &sig.signature) {
                return Err(NoteError::InvalidSignature { name: sig.name.clone(), key_id: sig.key_id });
            }
            verified.push(sig);
        }
        if verified.is_empty() {
            return Err(NoteError::NoKnownSignature);
        }
        Ok(verified)
    }
}

/// The encoded note: text, blank line, signature lines.
impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for sig in &self.signatures {
            f.write_str(&sig.to_line())?;
        }
        Ok(())
    }
}

/// Splits `<name>+<hex id>+<base64 key>` into its parts, checking the name and the ID form.
pub(crate) fn split_vkey(vkey: &str) -> Result<(&str, u32, Vec<u8>), KeyError> {
    let (name, rest) = vkey.split_once('+').ok_or(KeyError::Malformed("a key is <name>+<id>+<base64 key>"))?;
    let (id, b64) = rest.split_once('+').ok_or(KeyError::Malformed("a key is <name>+<id>+<base64 key>"))?;
    if !is_valid_key_name(name) {
        return Err(KeyError::InvalidName(name.to_owned()));
    }
    if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::Malformed("key ID is not 8 hexadecimal digits"));
    }
    let id = u32::from_str_radix(id, 16).map_err(|_| KeyError::Malformed("key ID is not 8 hexadecimal digits"))?;
    let key = BASE64.decode(b64).map_err(|_| KeyError::Malformed("key is not valid base64"))?;
    if key.is_empty() {
        return Err(KeyError::Malformed("empty key"));
    }
    Ok((name, id, key))
}

/// Splits `PRIVATE+KEY+<name>+<hex id>+<base64 key>`.
pub(crate) fn split_skey(skey: &str) -> Result<(&str, u32, Vec<u8>), KeyError> {
    let rest = skey.strip_prefix("PRIVATE+KEY+").ok_or(KeyError::Malformed("a signer key starts with PRIVATE+KEY+"))?;
    split_vkey(rest)
}

pub(crate) fn encode_vkey(name: &str, id: u32, type_and_key: &[u8]) -> String {
    format!("{name}+{id:08x}+{}", BASE64.encode(type_and_key))
}

fn check_name(name: &str) -> Result<(), KeyError> {
    if is_valid_key_name(name) { Ok(()) } else { Err(KeyError::InvalidName(name.to_owned())) }
}

/// Checks a vkey's ID against its name and key, then its type byte.
pub(crate) fn check_vkey_id(name: &str, id: u32, type_and_key: &[u8]) -> Result<(), KeyError> {
    let want = key_id(name, type_and_key);
    if id != want {
        return Err(KeyError::KeyIdMismatch { got: id, want });
    }
    Ok(())
}

pub(crate) fn ed25519_public_key(bytes: &[u8]) -> Result<VerifyingKey, KeyError> {
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed("an Ed25519 public key is 32 bytes"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Malformed("not an Ed25519 public key"))
}

/// Verifies Ed25519 note signatures (type `0x01`) by one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ed25519Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// The verifier for key `name` with the 32-byte Ed25519 `public_key`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        check_name(name)?;
        let key = ed25519_public_key(public_key)?;
        Ok(Self { name: name.to_owned(), key_id: key_id(name, &type_and_key(SIG_TYPE_ED25519, key.as_bytes())), key })
    }

    /// Parses a verifier key, `<name>+<id>+<base64(0x01 ‖ public key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, id, key) = split_vkey(vkey)?;
        check_vkey_id(name, id, &key)?;
        if key[0] != SIG_TYPE_ED25519 {
            return Err(KeyError::UnsupportedType(key[0]));
        }
        Ok(Self { name: name.to_owned(), key_id: id, key: ed25519_public_key(&key[1..])? })
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        encode_vkey(&self.name, self.key_id, &type_and_key(SIG_TYPE_ED25519, self.key.as_bytes()))
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl NoteVerifier for Ed25519Verifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        // RFC 8032 cofactorless verification, rejecting non-canonical S, as Go's
        // crypto/ed25519 (and so Go's sumdb/note) does.
        self.key.verify(text, &sig).is_ok()
    }
}

pub(crate) fn type_and_key(sig_type: u8, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + key.len());
    out.push(sig_type);
    out.extend_from_slice(key);
    out
}

/// Signs notes with an Ed25519 key (type `0x01`).
///
/// The key comes in as its 32-byte seed: this crate draws no randomness, so the caller
/// generates the seed (for example with `rand`) and keeps the [`Ed25519Signer::skey`] secret.
/// `Debug` does not print the key.
#[derive(Clone)]
pub struct Ed25519Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519Signer")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl Ed25519Signer {
    /// The signer for key `name` with the 32-byte Ed25519 private key `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(seed);
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, &type_and_key(SIG_TYPE_ED25519, key.verifying_key().as_bytes())),
            key,
        })
    }

    /// Parses a signer key, `PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>`. The ID must be
    /// that of the matching public key.
    pub fn from_skey(skey: &str) -> Result<Self, KeyError> {
        let (name, id, key) = split_skey(skey)?;
        if key[0] != SIG_TYPE_ED25519 {
            return Err(KeyError::UnsupportedType(key[0]));
        }
        let seed: [u8; 32] =
            key[1..].try_into().map_err(|_| KeyError::Malformed("an Ed25519 private key is 32 bytes"))?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != id {
            return Err(KeyError::KeyIdMismatch { got: id, want: signer.key_id });
        }
        Ok(signer)
    }

    /// The signer key text. Secret.
    pub fn skey(&self) -> String {
        format!(
            "PRIVATE+KEY+{}",
            encode_vkey(&self.name, self.key_id, &type_and_key(SIG_TYPE_ED25519, self.key.as_bytes()))
        )
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Ed25519Verifier {
        Ed25519Verifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }
}

impl NoteSigner for Ed25519Signer {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn sign(&self, text: &[u8]) -> Result<Vec<u8>, NoteError> {
        Ok(self.key.sign(text).to_bytes().to_vec())
    }
}

/// A verifier key of any type this crate knows, parsed from its text: Ed25519 (`0x01`),
/// witness cosignature/v1 (`0x04`) and, with the `sm2` feature, SM2 over SM3
/// ([`crate::SM2_SIGNATURE_TYPE`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifierKey {
    /// A log's Ed25519 key.
    Ed25519(Ed25519Verifier),
    /// A witness's cosignature/v1 key.
    Cosignature(crate::cosignature::CosignatureVerifier),
    /// An SM2 key.
    #[cfg(feature = "sm2")]
    Sm2(crate::sm2::Sm2Verifier),
}

impl VerifierKey {
    /// Parses `<name>+<id>+<base64(type ‖ key)>`, dispatching on the type.
    pub fn parse(vkey: &str) -> Result<Self, KeyError> {
        let (_, _, key) = split_vkey(vkey)?;
        match key[0] {
            SIG_TYPE_ED25519 => Ed25519Verifier::from_vkey(vkey).map(Self::Ed25519),
            SIG_TYPE_COSIGNATURE_V1 => crate::cosignature::CosignatureVerifier::from_vkey(vkey).map(Self::Cosignature),
            #[cfg(feature = "sm2")]
            0xff if key.starts_with(crate::sm2::SM2_SIGNATURE_TYPE) => {
                crate::sm2::Sm2Verifier::from_vkey(vkey).map(Self::Sm2)
            }
            other => Err(KeyError::UnsupportedType(other)),
        }
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        match self {
            Self::Ed25519(v) => v.vkey(),
            Self::Cosignature(v) => v.vkey(),
            #[cfg(feature = "sm2")]
            Self::Sm2(v) => v.vkey(),
        }
    }

    fn inner(&self) -> &dyn NoteVerifier {
        match self {
            Self::Ed25519(v) => v,
            Self::Cosignature(v) => v,
            #[cfg(feature = "sm2")]
            Self::Sm2(v) => v,
        }
    }
}

impl NoteVerifier for VerifierKey {
    fn name(&self) -> &str {
        self.inner().name()
    }
    fn key_id(&self) -> u32 {
        self.inner().key_id()
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        self.inner().verify(text, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str) -> Ed25519Signer {
        Ed25519Signer::from_seed(name, &[7; 32]).unwrap()
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let s = signer("example.com/log");
        let mut note = Note::new("hello\n\nworld\n").unwrap();
        note.sign(&s).unwrap();
        let text = note.to_string();
        let parsed = Note::parse(&text).unwrap();
        assert_eq!(parsed, note);
        assert_eq!(parsed.text(), "hello\n\nworld\n");
        let v = s.verifier();
        assert_eq!(parsed.verify(&[&v]).unwrap().len(), 1);
    }

    #[test]
    fn unknown_keys_are_ignored_but_one_known_is_required() {
        let a = signer("a.example");
        let b = Ed25519Signer::from_seed("b.example", &[9; 32]).unwrap();
        let mut note = Note::new("text\n").unwrap();
        note.sign(&a).unwrap();
        note.sign(&b).unwrap();
        let note = Note::parse(&note.to_string()).unwrap();
        assert_eq!(note.verify(&[&a.verifier()]).unwrap()[0].name(), "a.example");
        // Same name, other key: unknown, so ignored; nothing else known.
        let other = Ed25519Signer::from_seed("a.example", &[1; 32]).unwrap();
        assert_eq!(note.verify(&[&other.verifier()]), Err(NoteError::NoKnownSignature));
        assert_eq!(NoteError::NoKnownSignature.to_string(), "the note has no signature from a known key");
    }

    #[test]
    fn a_bad_known_signature_rejects_the_note() {
        let a = signer("a.example");
        let mut note = Note::new("text\n").unwrap();
        note.sign(&a).unwrap();
        let tampered = note.to_string().replacen("text", "test", 1);
        let err = Note::parse(&tampered).unwrap().verify(&[&a.verifier()]).unwrap_err();
        assert_eq!(err.to_string(), format!("invalid signature by key a.example+{:08x}", a.key_id()));
    }

    #[test]
    fn malformed_notes() {
        for (msg, why) in [
            ("no blank line\n— a AAAAAAA=\n", "malformed note: no blank line before the signatures"),
            ("text\n\n", "malformed note: signatures do not end in a newline"),
            ("text\n\n— a AAAAAAA=", "malformed note: signatures do not end in a newline"),
            ("text\n\n- a AAAAAAA=\n", "malformed note: signature line does not start with an em dash and a space"),
            ("text\n\n— a AAAA\n", "malformed note: signature is too short"),
            ("text\n\n— a !!!\n", "malformed note: signature is not valid base64"),
            ("text\n\n— a\n", "malformed note: signature line has no signature"),
            ("te\txt\n\n— a AAAAAAA=\n", "malformed note: control character"),
            ("text\n\n— a+b AAAAAAA=\n", "invalid key name \"a+b\""),
        ] {
            assert_eq!(Note::parse(msg).unwrap_err().to_string(), why, "{msg:?}");
        }
    }

    #[test]
    fn key_text_round_trips_and_errors() {
        let s = signer("example.com/log");
        assert_eq!(Ed25519Signer::from_skey(&s.skey()).unwrap().verifier(), s.verifier());
        let vkey = s.verifier().vkey();
        assert_eq!(Ed25519Verifier::from_vkey(&vkey).unwrap(), s.verifier());
        assert_eq!(VerifierKey::parse(&vkey).unwrap().vkey(), vkey);
        let wrong_id = format!("example.com/log+00000000+{}", vkey.rsplit('+').next().unwrap());
        assert_eq!(
            Ed25519Verifier::from_vkey(&wrong_id).unwrap_err().to_string(),
            format!("key ID 00000000 does not match the key, which has ID {:08x}", s.key_id())
        );
        let skey = s.skey();
        let secret = &skey["PRIVATE+KEY+example.com/log+01234567+".len()..];
        assert!(!format!("{s:?}").contains(secret));
    }
}
