//! C2SP tlog-checkpoint: the note text `origin\nsize\nbase64(root)\n[extension lines]`, and
//! signing and opening checkpoints as signed notes.

use std::fmt;

use crate::hash::Hash;
use crate::note::{Note, NoteError, NoteSigner, NoteVerifier};

/// A tree head: origin, size, root hash, and optional extension lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

/// Why a checkpoint could not be made, read or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text is not a checkpoint body.
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    /// The note around it is not well-formed, or its signatures do not verify.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The checkpoint is for another log.
    #[error("checkpoint origin is {got:?}, want {want:?}")]
    OriginMismatch {
        /// The origin expected.
        want: String,
        /// The origin found.
        got: String,
    },
}

/// A decimal with no leading zeroes (unless it is `0`) that fits in a `u64`.
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

fn check_line(line: &str, what: &'static str) -> Result<(), CheckpointError> {
    if line.is_empty() || line.chars().any(|c| c < ' ') {
        return Err(CheckpointError::Malformed(what));
    }
    Ok(())
}

impl Checkpoint {
    /// A checkpoint for the tree of `size` leaves with `root`, from log `origin` (non-empty,
    /// one line; by convention a schema-less URL that is also the log's key name).
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        let origin = origin.into();
        check_line(&origin, "origin must be one non-empty line")?;
        Ok(Self { origin, size, root, extensions: Vec::new() })
    }

    /// Adds an extension line (non-empty, one line). The spec does not recommend them.
    pub fn with_extension(mut self, line: impl Into<String>) -> Result<Self, CheckpointError> {
        let line = line.into();
        check_line(&line, "extension lines must be non-empty single lines")?;
        self.extensions.push(line);
        Ok(self)
    }

    /// Parses a checkpoint body (a note's text).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Malformed("text does not end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        let size = lines.next().ok_or(CheckpointError::Malformed("no tree size line"))?;
        let root = lines.next().ok_or(CheckpointError::Malformed("no root hash line"))?;
        check_line(origin, "origin must be one non-empty line")?;
        let size = parse_decimal(size)
            .ok_or(CheckpointError::Malformed("tree size is not a decimal without leading zeroes"))?;
        let root =
            Hash::from_base64(root).map_err(|_| CheckpointError::Malformed("root hash is not base64 of 32 bytes"))?;
        let mut extensions = Vec::new();
        for line in lines {
            check_line(line, "extension lines must be non-empty single lines")?;
            extensions.push(line.to_owned());
        }
        Ok(Self { origin: origin.to_owned(), size, root, extensions })
    }

    /// The origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash.
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The note text.
    pub fn to_text(&self) -> String {
        self.to_string()
    }

    /// Signs the checkpoint with each signer, in order (the log's Ed25519 key first, then
    /// for example an SM2 key), giving the signed note to publish.
    pub fn sign(&self, signers: &[&dyn NoteSigner]) -> Result<Note, CheckpointError> {
        let mut note = Note::new(self.to_text())?;
        for s in signers {
            note.sign(*s)?;
        }
        Ok(note)
    }
}

/// The note text: origin, size, base64 root, extension lines, each ending in a newline.
impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.origin)?;
        writeln!(f, "{}", self.size)?;
        writeln!(f, "{}", self.root)?;
        for line in &self.extensions {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Opens a signed checkpoint: parses the note, verifies it with the log's keys (at least one
/// must have signed; unknown signatures, such as witness cosignatures, are ignored), parses
/// the body, and checks that it is for `origin`.
pub fn open_checkpoint(
    signed: &str,
    origin: &str,
    log_keys: &[&dyn NoteVerifier],
) -> Result<(Checkpoint, Note), CheckpointError> {
    let note = Note::parse(signed)?;
    note.verify(log_keys)?;
    let checkpoint = Checkpoint::parse(note.text())?;
    if checkpoint.origin != origin {
        return Err(CheckpointError::OriginMismatch { want: origin.to_owned(), got: checkpoint.origin });
    }
    Ok((checkpoint, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Ed25519Signer;

    const SPEC: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn spec_example_round_trips() {
        // c2sp.org/tlog-checkpoint's example body.
        let cp = Checkpoint::parse(SPEC).unwrap();
        assert_eq!(cp.origin(), "example.com/behind-the-sofa");
        assert_eq!(cp.size(), 20_852_163);
        assert_eq!(cp.to_text(), SPEC);
        let ext = format!("{SPEC}extension one\n");
        let cp = Checkpoint::parse(&ext).unwrap();
        assert_eq!(cp.extensions(), ["extension one"]);
        assert_eq!(cp.to_text(), ext);
    }

    #[test]
    fn malformed_bodies() {
        for (text, why) in [
            ("o\n1\n", "malformed checkpoint: no root hash line"),
            (
                "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                "malformed checkpoint: tree size is not a decimal without leading zeroes",
            ),
            ("o\n1\nAAAA\n", "malformed checkpoint: root hash is not base64 of 32 bytes"),
            (
                "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                "malformed checkpoint: origin must be one non-empty line",
            ),
            (
                "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
                "malformed checkpoint: extension lines must be non-empty single lines",
            ),
            (
                "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
                "malformed checkpoint: text does not end in a newline",
            ),
        ] {
            assert_eq!(Checkpoint::parse(text).unwrap_err().to_string(), why, "{text:?}");
        }
    }

    #[test]
    fn sign_and_open() {
        let log = Ed25519Signer::from_seed("example.com/log", &[5; 32]).unwrap();
        let cp = Checkpoint::new("example.com/log", 3, crate::leaf_hash(b"r")).unwrap();
        let signed = cp.sign(&[&log]).unwrap().to_string();
        let (opened, _) = open_checkpoint(&signed, "example.com/log", &[&log.verifier()]).unwrap();
        assert_eq!(opened, cp);
        assert_eq!(
            open_checkpoint(&signed, "example.com/other", &[&log.verifier()]).unwrap_err().to_string(),
            "checkpoint origin is \"example.com/log\", want \"example.com/other\""
        );
    }
}
