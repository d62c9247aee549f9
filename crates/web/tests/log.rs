//! The verifiable log over HTTP (LOG-1..4): checkpoints, tiles, proofs, receipts, witnesses.

mod common;

use std::sync::{Arc, Mutex};

use common::{App, apps};
use zhifa_log::{
    AddCheckpoint, Checkpoint, CosignatureSigner, Ed25519Verifier, Hash, Note, TileBuilder, TlogProof,
    decode_entry_bundle, entry_bundles, hash_tiles, leaf_hash, verify_consistency, verify_cosignatures,
    verify_inclusion,
};
use zhifa_store::testing::fixtures;

fn key(app: &App) -> Ed25519Verifier {
    let r = app.get("/log/key", None);
    Ed25519Verifier::from_vkey(String::from_utf8(r.bytes).unwrap().lines().next().unwrap()).unwrap()
}

fn checkpoint(app: &App) -> Checkpoint {
    let r = app.get("/log/checkpoint", None);
    assert_eq!(r.status, 200);
    let note = Note::parse(std::str::from_utf8(&r.bytes).unwrap()).unwrap();
    note.verify(&[&key(app)]).expect("LOG-2: the checkpoint verifies with the published key");
    Checkpoint::parse(note.text()).unwrap()
}

#[test]
fn log3_the_served_tree_verifies_from_the_tiles_alone() {
    for app in apps() {
        app.seed(fixtures::registry());
        assert_eq!(app.get("/log/checkpoint", None).status, 404, "no checkpoint yet");
        zhifa_app::log::checkpoint_once(&app.state).unwrap().expect("signed");
        let cp = checkpoint(&app);
        let r = app.get("/log/checkpoint", None);
        assert_eq!(r.status, 200);
        assert_eq!(cp.size(), app.records() as u64, "{}", app.backend);
        // Rebuild the tree from the entry bundles and compare every hash tile served.
        let mut builder = TileBuilder::new();
        let mut rebuilt = std::collections::BTreeMap::new();
        for id in entry_bundles(cp.size()) {
            let r = app.get(&format!("/log/{}", id.path()), None);
            assert_eq!(r.status, 200, "{}", id.path());
            for e in decode_entry_bundle(&r.bytes).unwrap() {
                assert_eq!(e.len(), 32, "LOG-4: entries are commitments, nothing private");
                for t in builder.append(&[leaf_hash(e)]) {
                    rebuilt.insert(t.id, t.to_bytes());
                }
            }
        }
        assert_eq!(&builder.root(), cp.root());
        for id in hash_tiles(cp.size()) {
            let r = app.get(&format!("/log/{}", id.path()), None);
            assert_eq!(r.bytes, rebuilt[&id], "{}", id.path());
        }
        let r = app.get(&format!("/log/{}", hash_tiles(cp.size())[0].path()), None);
        assert!(r.status == 200);
        for (path, status) in [("/log/tile/0/000.p/200", 404), ("/log/tile/0/x", 400), ("/log/tile/entries/001", 404)] {
            assert_eq!(app.get(path, None).status, status, "{path}");
        }
    }
}

#[test]
fn log3_proofs_verify_and_bad_parameters_are_refused() {
    for app in apps() {
        app.seed(fixtures::registry());
        let old = app.records() as u64;
        zhifa_app::log::checkpoint_once(&app.state).unwrap();
        let a = checkpoint(&app);
        app.seed(vec![zhifa_domain::event::Event::AgencyRegistered { agency: fixtures::agency(8) }]);
        zhifa_app::log::checkpoint_once(&app.state).unwrap();
        let b = checkpoint(&app);
        assert_eq!((a.size(), b.size()), (old, old + 1));
        let r = app.get(&format!("/log/proof/consistency?old={}&new={}", a.size(), b.size()), None);
        let proof: Vec<Hash> = r.body["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
            .collect();
        verify_consistency(a.size(), b.size(), &proof, a.root(), b.root()).unwrap();

        let leaf = app.store.record_leaf(3).unwrap().unwrap();
        let entry: Vec<u8> = hex::decode(&leaf.commitment).unwrap();
        let r = app.get(&format!("/log/proof/inclusion?index=3&size={}", b.size()), None);
        let proof: Vec<Hash> = r.body["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
            .collect();
        verify_inclusion(&leaf_hash(&entry), 3, b.size(), &proof, b.root()).unwrap();

        for q in ["index=3", "index=99&size=5", "index=0&size=999999", "index=-1&size=3", "index=a&size=3"] {
            let r = app.get(&format!("/log/proof/inclusion?{q}"), None);
            assert_eq!((r.status, r.rule()), (400, "SEC-5"), "{q}");
        }
        for q in ["old=0&new=3", "old=5&new=3", "old=1&new=999999"] {
            assert_eq!(app.get(&format!("/log/proof/consistency?{q}"), None).status, 400, "{q}");
        }
    }
}

#[test]
fn a_receipt_proves_a_record_to_anyone_holding_it() {
    for app in apps() {
        app.seed(fixtures::registry());
        let path = "/api/v1/records/3/receipt?reason=%E5%A4%8D%E6%A0%B8%E6%A1%88%E5%8D%B7"; // 复核案卷
        let r = app.get(path, Some(&app.admin));
        assert_eq!((r.status, r.rule()), (409, "LOG-3"), "not yet in a checkpoint");
        zhifa_app::log::checkpoint_once(&app.state).unwrap();
        assert_eq!(app.get(path, None).status, 401);
        let before = app.records();
        let r = app.get("/api/v1/records/3/receipt", Some(&app.admin));
        assert_eq!((r.status, r.rule()), (400, "REC-7"), "a view needs a reason");
        assert_eq!(app.records(), before);
        let r = app.get(path, Some(&app.admin));
        assert_eq!(r.status, 200, "{:?}", r.body);
        let receipt = TlogProof::parse(std::str::from_utf8(&r.bytes).unwrap()).unwrap();
        let extra: serde_json::Value = serde_json::from_slice(receipt.extra().unwrap()).unwrap();
        // The holder recomputes the leaf from the record and salt in the receipt.
        let salt: [u8; 32] = hex::decode(extra["salt"].as_str().unwrap()).unwrap().try_into().unwrap();
        let entry = zhifa_store::log::commitment(&salt, extra["canonical"].as_str().unwrap().as_bytes());
        let v = key(&app);
        receipt.verify(&leaf_hash(&entry), "zhifa.test/log", &[&v]).expect("the receipt verifies");
        assert_eq!(receipt.index(), 3);
        assert_eq!(app.get("/api/v1/records/999/receipt?reason=xx", Some(&app.admin)).status, 404);
        // REC-7: the download itself is on the record, next to the record it concerns.
        let subject = app.store.records(None, 2, 1).unwrap()[0].subject.clone();
        let views: Vec<_> = app
            .store
            .records(Some(&subject), -1, 100)
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == "record_viewed")
            .collect();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].actor, "account:admin");
        assert_eq!(views[0].body["reason"], "复核案卷");
        assert_eq!(views[0].body["what"], "收据");
    }
}

type WitnessState = (Arc<CosignatureSigner>, Arc<Ed25519Verifier>, Arc<Mutex<u64>>, Arc<Mutex<Option<Hash>>>);

/// A witness (C2SP tlog-witness) for tests: remembers the size it last cosigned, checks the
/// consistency proof, and answers 409 with its size when the log's `old` is wrong.
fn start_witness(
    signer: CosignatureSigner,
    log_key: Ed25519Verifier,
) -> (String, Arc<Mutex<u64>>, tokio::runtime::Runtime) {
    use axum::routing::post;
    let size = Arc::new(Mutex::new(0u64));
    let state = (Arc::new(signer), Arc::new(log_key), size.clone(), Arc::new(Mutex::new(None::<Hash>)));
    let router =
        axum::Router::new()
            .route(
                "/add-checkpoint",
                post(
                    |axum::extract::State((signer, key, size, root)): axum::extract::State<WitnessState>,
                     body: String| async move {
                        let req = AddCheckpoint::parse(&body).unwrap();
                        let note = Note::parse(&req.checkpoint).unwrap();
                        if note.verify(&[key.as_ref()]).is_err() {
                            return (axum::http::StatusCode::FORBIDDEN, String::new());
                        }
                        let cp = Checkpoint::parse(note.text()).unwrap();
                        let mut known = size.lock().unwrap();
                        if req.old_size != *known {
                            return (axum::http::StatusCode::CONFLICT, format!("{}\n", *known));
                        }
                        let mut last = root.lock().unwrap();
                        if let Some(old_root) = last.filter(|_| *known > 0)
                            && *known != cp.size()
                            && verify_consistency(*known, cp.size(), &req.proof, &old_root, cp.root()).is_err()
                        {
                            return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, String::new());
                        }
                        *known = cp.size();
                        *last = Some(*cp.root());
                        (axum::http::StatusCode::OK, signer.cosign(note.text(), 1_700_000_000).to_line())
                    },
                ),
            )
            .with_state(state);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, router).await });
    (url, size, rt)
}

#[test]
fn witnesses_cosign_each_checkpoint_and_the_cosignature_is_published() {
    let mut log = zhifa_app::log::LogConfig::ephemeral("zhifa.test/log");
    let witness = CosignatureSigner::from_seed("procuratorate.example/witness", &[3; 32]).unwrap();
    let wv = witness.verifier();
    let (url, size, _rt) = start_witness(witness, log.signer.verifier());
    log.witnesses.push(zhifa_app::log::Witness { verifier: wv.clone(), url });
    let app = App::start_with(zhifa_store::testing::sqlite(), log);
    app.seed(fixtures::registry());
    zhifa_app::log::checkpoint_once(&app.state).unwrap();
    app.seed(vec![zhifa_domain::event::Event::AgencyRegistered { agency: fixtures::agency(8) }]);
    // The witness lost its state: it answers 409 with its size; the log retries from there.
    *size.lock().unwrap() = 0;
    zhifa_app::log::checkpoint_once(&app.state).unwrap();
    let r = app.get("/log/checkpoint", None);
    let note = Note::parse(std::str::from_utf8(&r.bytes).unwrap()).unwrap();
    let cosigs = verify_cosignatures(&note, &[wv]).unwrap();
    assert_eq!(cosigs.len(), 1, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(*size.lock().unwrap(), app.records() as u64);
    note.verify(&[&key(&app)]).unwrap();
}

#[test]
fn log2_an_sm2_cosignature_rides_along_and_standard_verifiers_ignore_it() {
    let mut log = zhifa_app::log::LogConfig::ephemeral("zhifa.test/log");
    let sm2 = zhifa_log::Sm2Signer::from_secret("zhifa.test/log", &[5; 32]).unwrap();
    let sm2v = sm2.verifier();
    log.sm2 = Some(std::sync::Arc::new(sm2));
    let app = App::start_with(zhifa_store::testing::sqlite(), log);
    app.seed(fixtures::registry());
    zhifa_app::log::checkpoint_once(&app.state).unwrap();
    let keys = String::from_utf8(app.get("/log/key", None).bytes).unwrap();
    assert_eq!(keys.lines().count(), 2, "{keys}");
    let r = app.get("/log/checkpoint", None);
    let note = Note::parse(std::str::from_utf8(&r.bytes).unwrap()).unwrap();
    assert_eq!(note.signatures().len(), 2);
    note.verify(&[&key(&app)]).expect("an Ed25519-only verifier ignores the SM2 line");
    note.verify(&[&sm2v]).expect("the SM2 line verifies with the SM2 key");
}
