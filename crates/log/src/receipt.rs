//! C2SP tlog-proof receipts (`.tlog-proof` files): an offline-verifiable proof that an entry
//! is in the log, made of the entry's index, its inclusion proof and the signed checkpoint
//! (with any witness cosignatures) verbatim.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64, optional>
//! index <decimal>
//! <base64 hash, one per line, leaf's sibling first>
//!
//! <signed checkpoint>
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checkpoint::{Checkpoint, CheckpointError, open_checkpoint, parse_decimal};
use crate::hash::Hash;
use crate::note::{Note, NoteVerifier};
use crate::proof::{ProofError, verify_inclusion};

const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A tlog-proof receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogProof {
    extra: Option<Vec<u8>>,
    index: u64,
    proof: Vec<Hash>,
    checkpoint: String,
}

/// Why a receipt could not be read or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The text is not a tlog-proof.
    #[error("malformed tlog-proof: {0}")]
    Malformed(&'static str),
    /// The checkpoint does not open with the log's keys, or is for another log.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The inclusion proof does not lead to the checkpoint's root.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

/// A receipt whose checkpoint and inclusion proof verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The checkpoint the entry is included in.
    pub checkpoint: Checkpoint,
    /// The signed checkpoint note, for checking witness cosignatures
    /// ([`crate::verify_cosignatures`]) against the caller's policy.
    pub note: Note,
}

impl TlogProof {
    /// A receipt for the entry at `index`, with its inclusion `proof` in the tree of the
    /// signed `checkpoint` (a complete signed note, kept verbatim).
    pub fn new(index: u64, proof: Vec<Hash>, checkpoint: impl Into<String>) -> Self {
        Self { extra: None, index, proof, checkpoint: checkpoint.into() }
    }

    /// Adds opaque, unauthenticated extra data.
    pub fn with_extra(mut self, extra: Vec<u8>) -> Self {
        self.extra = Some(extra);
        self
    }

    /// The extra data, if any. Not authenticated: never trust it implicitly.
    pub fn extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }

    /// The entry's index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The inclusion proof.
    pub fn proof(&self) -> &[Hash] {
        &self.proof
    }

    /// The signed checkpoint note, verbatim.
    pub fn checkpoint(&self) -> &str {
        &self.checkpoint
    }

    /// Parses a receipt.
    pub fn parse(text: &str) -> Result<Self, ReceiptError> {
        let bad = ReceiptError::Malformed;
        let (header, mut rest) = text.split_once('\n').ok_or(bad("no header line"))?;
        if header != HEADER {
            return Err(bad("the first line is not c2sp.org/tlog-proof@v1"));
        }
        let mut next_line = |what: &'static str| -> Result<&str, ReceiptError> {
            let (line, after) = rest.split_once('\n').ok_or(bad(what))?;
            rest = after;
            Ok(line)
        };
        let mut line = next_line("no index line")?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(BASE64.decode(b64).map_err(|_| bad("extra data is not base64"))?);
            line = next_line("no index line")?;
        }
        let index = line.strip_prefix("index ").and_then(parse_decimal).ok_or(bad("bad index line"))?;
        let mut proof = Vec::new();
        loop {
            let line = next_line("no empty line before the checkpoint")?;
            if line.is_empty() {
                break;
            }
            if proof.len() == 64 {
                return Err(bad("more than 64 proof hashes"));
            }
            proof.push(Hash::from_base64(line).map_err(|_| bad("a proof line is not a base64 hash"))?);
        }
        if rest.is_empty() {
            return Err(bad("no checkpoint"));
        }
        Ok(Self { extra, index, proof, checkpoint: rest.to_owned() })
    }

    /// Verifies the receipt for the entry whose leaf hash is `leaf` (computing it from the
    /// entry is the application's business): the checkpoint must be for `origin` and signed by
    /// one of `log_keys`, and the proof must lead from `leaf` at the index to its root.
    pub fn verify(
        &self,
        leaf: &Hash,
        origin: &str,
        log_keys: &[&dyn NoteVerifier],
    ) -> Result<VerifiedReceipt, ReceiptError> {
        let (checkpoint, note) = open_checkpoint(&self.checkpoint, origin, log_keys)?;
        verify_inclusion(leaf, self.index, checkpoint.size(), &self.proof, checkpoint.root())?;
        Ok(VerifiedReceipt { checkpoint, note })
    }
}

/// The receipt's text.
impl fmt::Display for TlogProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{HEADER}")?;
        if let Some(extra) = &self.extra {
            writeln!(f, "extra {}", BASE64.encode(extra))?;
        }
        writeln!(f, "index {}", self.index)?;
        for h in &self.proof {
            writeln!(f, "{h}")?;
        }
        writeln!(f)?;
        f.write_str(&self.checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_parses() {
        // The example of c2sp.org/tlog-proof, verbatim but for its signature lines, which the
        // spec elides with `[...]` (not base64): one well-formed line stands in for them.
        let text = "c2sp.org/tlog-proof@v1\n\
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n\
index 73894\n\
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n\
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n\
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n\
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n\
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n\
\n\
example.com/fancylog\n\
109482\n\
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\
\n\
\u{2014} example.com/fancylog AAAAAAA=\n";
        let p = TlogProof::parse(text).unwrap();
        assert_eq!(p.index(), 73_894);
        assert_eq!(p.proof().len(), 5);
        assert!(p.extra().unwrap().starts_with(b"age-v1.2.1-darwin-arm64.tar.gz"));
        assert!(p.checkpoint().starts_with("example.com/fancylog\n109482\n"));
        assert_eq!(p.to_string(), text);
    }

    #[test]
    fn malformed_receipts() {
        for (text, why) in [
            (
                "c2sp.org/tlog-proof@v2\nindex 1\n\ncp\n",
                "malformed tlog-proof: the first line is not c2sp.org/tlog-proof@v1",
            ),
            ("c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n", "malformed tlog-proof: bad index line"),
            (
                "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncp\n",
                "malformed tlog-proof: a proof line is not a base64 hash",
            ),
            ("c2sp.org/tlog-proof@v1\nindex 1\n", "malformed tlog-proof: no empty line before the checkpoint"),
            ("c2sp.org/tlog-proof@v1\nindex 1\n\n", "malformed tlog-proof: no checkpoint"),
        ] {
            assert_eq!(TlogProof::parse(text).unwrap_err().to_string(), why, "{text:?}");
        }
    }
}
