//! Signed-note vectors: the C2SP signed-note example (quoted in `shared/vectors/rfc6962/
//! README.md`), and the keys and signatures of Go's `golang.org/x/mod/sumdb/note`
//! `note_test.go` (`TestNewVerifier`, `TestSign`, `TestOpen`), which every C2SP note
//! implementation must reproduce byte for byte since Ed25519 is deterministic.

use zhifa_log::{
    Checkpoint, CosignatureSigner, CosignatureVerifier, Ed25519Signer, Ed25519Verifier, Note, NoteError, NoteSigner,
    NoteVerifier, VerifierKey, open_checkpoint, verify_cosignatures,
};

const EXAMPLE_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const EXAMPLE_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const GO_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str =
    "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

#[test]
fn signed_note_spec_example_verifies() {
    let v = Ed25519Verifier::from_vkey(EXAMPLE_VKEY).unwrap();
    assert_eq!(v.name(), "example.com/foo");
    assert_eq!(v.key_id(), 0x530d_903a);
    assert_eq!(v.vkey(), EXAMPLE_VKEY);
    let note = Note::parse(EXAMPLE_NOTE).unwrap();
    assert_eq!(note.text(), "This is an example message.\n");
    assert_eq!(note.verify(&[&v]).unwrap().len(), 1);
    assert_eq!(note.to_string(), EXAMPLE_NOTE);
    // Any other text fails under the same key.
    let tampered = EXAMPLE_NOTE.replace("example message", "example massage");
    assert!(matches!(Note::parse(&tampered).unwrap().verify(&[&v]), Err(NoteError::InvalidSignature { .. })));
}

#[test]
fn peter_neumann_signer_reproduces_go_bytes() {
    // Go TestNewSigner / TestSign.
    let signer = Ed25519Signer::from_skey(PETER_SKEY).unwrap();
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.key_id(), 0xc74f_20a3);
    assert_eq!(signer.skey(), PETER_SKEY);
    assert_eq!(signer.verifier().vkey(), PETER_VKEY);
    let mut note = Note::new(GO_TEXT).unwrap();
    note.sign(&signer).unwrap();
    assert_eq!(note.to_string(), format!("{GO_TEXT}\n{PETER_SIG}"));
}

#[test]
fn go_open_cases() {
    // Go TestOpen: a note signed by two keys.
    let peter = Ed25519Verifier::from_vkey(PETER_VKEY).unwrap();
    let enoch = Ed25519Verifier::from_vkey(ENOCH_VKEY).unwrap();
    let msg = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let note = Note::parse(&msg).unwrap();
    let both = note.verify(&[&peter, &enoch]).unwrap();
    assert_eq!(both.iter().map(|s| s.name()).collect::<Vec<_>>(), ["PeterNeumann", "EnochRoot"]);
    // One known key: the other signature is ignored.
    assert_eq!(note.verify(&[&enoch]).unwrap()[0].name(), "EnochRoot");
    // No known key.
    assert_eq!(note.verify(&[]), Err(NoteError::NoKnownSignature));
    // Duplicate signatures by one key count once.
    let dup = Note::parse(&format!("{GO_TEXT}\n{PETER_SIG}{PETER_SIG}")).unwrap();
    assert_eq!(dup.verify(&[&peter]).unwrap().len(), 1);
    // The same verifier twice is ambiguous.
    assert!(matches!(note.verify(&[&peter, &peter]), Err(NoteError::AmbiguousKey { .. })));
    // Go's sumdb key parses and keeps its ID (TestNewVerifier-style).
    let sumdb = VerifierKey::parse("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8").unwrap();
    assert_eq!(sumdb.key_id(), 0x033d_e0ae);
}

#[test]
fn bad_keys_are_refused() {
    // Go TestNewVerifier's bad cases, adapted: wrong ID, bad base64, bad name.
    for (vkey, why) in [
        (
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "key ID c74f20a4 does not match the key, which has ID c74f20a3",
        ),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "malformed key: key is not valid base64"),
        (
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "malformed key: key ID is not 8 hexadecimal digits",
        ),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name \"Peter Neumann\""),
        ("PeterNeumann", "malformed key: a key is <name>+<id>+<base64 key>"),
    ] {
        assert_eq!(Ed25519Verifier::from_vkey(vkey).unwrap_err().to_string(), why, "{vkey}");
    }
}

#[test]
fn checkpoint_with_log_signature_and_witness_cosignature() {
    let log = Ed25519Signer::from_skey(PETER_SKEY).unwrap();
    let cp = Checkpoint::new("PeterNeumann", 3, zhifa_log::leaf_hash(b"root")).unwrap();
    let mut note = cp.sign(&[&log]).unwrap();
    let witness = CosignatureSigner::from_seed("witness.example/w1", &[4; 32]).unwrap();
    note.add_signature(witness.cosign(note.text(), 1_700_000_000)).unwrap();
    let published = note.to_string();

    // A standard verifier with only the log key opens it, ignoring the cosignature.
    let (opened, note) = open_checkpoint(&published, "PeterNeumann", &[&log.verifier()]).unwrap();
    assert_eq!(opened, cp);
    let w: CosignatureVerifier = witness.verifier();
    let cosigs = verify_cosignatures(&note, &[w]).unwrap();
    assert_eq!(cosigs[0].timestamp, 1_700_000_000);
    // The witness key alone does not open it as a log checkpoint: the cosignature is over a
    // different message than the log's signature.
    let as_log = Ed25519Verifier::new("witness.example/w1", &witness_public(&witness)).unwrap();
    assert!(open_checkpoint(&published, "PeterNeumann", &[&as_log]).is_err());
}

fn witness_public(w: &CosignatureSigner) -> [u8; 32] {
    let vkey = w.verifier().vkey();
    let b64 = vkey.rsplit('+').next().unwrap();
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    bytes[1..].try_into().unwrap()
}

#[test]
fn signer_trait_objects_mix() {
    let signers: Vec<Box<dyn NoteSigner>> = vec![Box::new(Ed25519Signer::from_skey(PETER_SKEY).unwrap())];
    let mut note = Note::new(GO_TEXT).unwrap();
    for s in &signers {
        note.sign(s.as_ref()).unwrap();
    }
    assert_eq!(note.signatures()[0].to_line(), PETER_SIG);
}
