//! The RFC 6962 / RFC 9162 test vectors of transparency-dev/merkle (Apache-2.0), copied from
//! `shared/vectors/rfc6962` into `tests/vectors/rfc6962` (see the LICENSE and README there):
//! `testdata/inclusion` and `testdata/consistency`, and the root hashes in the README.
//!
//! Each vector's `wantErr` says whether a verifier must reject it. As the README notes, the
//! reference verifier also rejects any hash that is not 32 bytes and any consistency check from
//! size 0, whatever `wantErr` says; so does this crate. The only vector where that makes a
//! difference is listed in `STRICTER_THAN_WANT_ERR` below, so a change shows.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use zhifa_log::{
    Hash, TileBuilder, leaf_hash, prove_consistency, prove_inclusion, root_from_leaf_hashes, stored_hashes_for_leaf,
    tree_hash, verify_consistency, verify_inclusion,
};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/rfc6962")
}

/// Every `*.json` file under `dir`, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn b64(s: &str) -> Vec<u8> {
    BASE64.decode(s).unwrap_or_else(|e| panic!("bad base64 {s:?} in vector: {e}"))
}

/// Decodes every hash; `None` if any is not 32 bytes (the verifier's type cannot hold it).
fn hashes(list: &[&str]) -> Option<Vec<Hash>> {
    list.iter().map(|s| Hash::from_slice(&b64(s)).ok()).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionVector {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsistencyVector {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

/// Vectors with `wantErr: false` that this crate rejects, with the reason.
const STRICTER_THAN_WANT_ERR: &[(&str, &str)] = &[(
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json",
    "its roots are 12 bytes (\"don't care 2\"), not 32",
)];

fn relative(path: &Path) -> String {
    path.strip_prefix(vectors_dir().join("testdata")).unwrap().to_string_lossy().replace('\\', "/")
}

fn check_verdict(path: &Path, want_err: bool, accepted: bool, desc: &str) {
    let name = relative(path);
    let stricter = STRICTER_THAN_WANT_ERR.iter().any(|(n, _)| *n == name);
    let want_accept = !want_err && !stricter;
    assert_eq!(accepted, want_accept, "{name} ({desc}): accepted={accepted}");
    if name.ends_with("happy-path.json") {
        assert!(accepted, "{name}: every happy path verifies");
    }
}

#[test]
fn inclusion_vectors() {
    let files = json_files(&vectors_dir().join("testdata/inclusion"));
    assert_eq!(files.len(), 98, "the copied inclusion vectors are all there");
    let mut accepted_count = 0;
    for path in &files {
        let v: InclusionVector = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let proof: Vec<&str> = v.proof.iter().flatten().map(String::as_str).collect();
        let accepted = match (hashes(&[&v.leaf_hash, &v.root]), hashes(&proof)) {
            (Some(lr), Some(proof)) => verify_inclusion(&lr[0], v.leaf_idx, v.tree_size, &proof, &lr[1]).is_ok(),
            _ => false,
        };
        accepted_count += usize::from(accepted);
        check_verdict(path, v.want_err, accepted, &v.desc);
    }
    // Five happy paths and the single-entry tree.
    assert_eq!(accepted_count, 6);
}

#[test]
fn consistency_vectors() {
    let files = json_files(&vectors_dir().join("testdata/consistency"));
    assert_eq!(files.len(), 98, "the copied consistency vectors are all there");
    let mut accepted_count = 0;
    for path in &files {
        let v: ConsistencyVector = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let proof: Vec<&str> = v.proof.iter().flatten().map(String::as_str).collect();
        let accepted = match (hashes(&[&v.root1, &v.root2]), hashes(&proof)) {
            (Some(roots), Some(proof)) => verify_consistency(v.size1, v.size2, &proof, &roots[0], &roots[1]).is_ok(),
            _ => false,
        };
        accepted_count += usize::from(accepted);
        check_verdict(path, v.want_err, accepted, &v.desc);
    }
    assert_eq!(accepted_count, 5, "the five happy paths");
}

/// The eight leaves the vectors' trees are built from (README).
fn leaves() -> Vec<Hash> {
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .iter()
        .map(|h| leaf_hash(&hex::decode(h).unwrap()))
        .collect()
}

#[test]
fn readme_root_hashes() {
    let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves = leaves();
    let mut stored = Vec::new();
    let mut builder = TileBuilder::new();
    for (n, want) in roots.iter().enumerate() {
        // Three independent computations agree with the README.
        assert_eq!(root_from_leaf_hashes(&leaves[..n]).to_hex(), *want, "direct, N={n}");
        assert_eq!(tree_hash(n as u64, &stored).unwrap().to_hex(), *want, "stored, N={n}");
        assert_eq!(builder.root().to_hex(), *want, "tiles, N={n}");
        if n < leaves.len() {
            stored.extend(stored_hashes_for_leaf(n as u64, leaves[n], &stored).unwrap());
            builder.append(&leaves[n..=n]);
        }
    }
}

/// The happy-path proofs are the ones this crate generates for the same trees.
#[test]
fn generated_proofs_match_the_happy_paths() {
    let leaves = leaves();
    let mut stored = Vec::new();
    for (n, leaf) in leaves.iter().enumerate() {
        stored.extend(stored_hashes_for_leaf(n as u64, *leaf, &stored).unwrap());
    }
    for path in json_files(&vectors_dir().join("testdata/inclusion")) {
        if !path.ends_with("happy-path.json") || relative(&path).starts_with("single-entry") {
            continue;
        }
        let v: InclusionVector = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let want = hashes(&v.proof.iter().flatten().map(String::as_str).collect::<Vec<_>>()).unwrap();
        assert_eq!(prove_inclusion(v.leaf_idx, v.tree_size, &stored).unwrap(), want, "{}", path.display());
    }
    for path in json_files(&vectors_dir().join("testdata/consistency")) {
        if !path.ends_with("happy-path.json") {
            continue;
        }
        let v: ConsistencyVector = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let want = hashes(&v.proof.iter().flatten().map(String::as_str).collect::<Vec<_>>()).unwrap();
        assert_eq!(prove_consistency(v.size1, v.size2, &stored).unwrap(), want, "{}", path.display());
    }
}

/// The copy in this crate must match `shared/vectors` when that directory is beside the
/// repository (as on developers' machines and in CI).
#[test]
fn copied_vectors_match_shared() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/rfc6962");
    if !shared.is_dir() {
        eprintln!("note: {} not found; copy not compared", shared.display());
        return;
    }
    for sub in ["testdata/inclusion", "testdata/consistency"] {
        let ours = json_files(&vectors_dir().join(sub));
        let theirs = json_files(&shared.join(sub));
        assert_eq!(ours.len(), theirs.len(), "{sub}");
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a.strip_prefix(vectors_dir()).unwrap(), b.strip_prefix(&shared).unwrap());
            assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap(), "{}", a.display());
        }
    }
    assert_eq!(std::fs::read(vectors_dir().join("LICENSE")).unwrap(), std::fs::read(shared.join("LICENSE")).unwrap());
}
