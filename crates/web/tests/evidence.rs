//! Evidence over HTTP, black-box: upload with REC-4 metadata, the list, range playback with
//! every view recorded (REC-7), refusals that leave nothing behind (REC-4, SEC-5), deletion
//! after the retention (REC-6) and a party's records at once (REC-8). On SQLite and
//! PostgreSQL (`ZHIFA_TEST_POSTGRES_URL`), local files and S3 (`ZHIFA_TEST_S3_URL`).

mod common;

use common::cases::{CaseApp, case_apps, case_apps_with, party_id};
use sha2::{Digest, Sha256};

// Query values are percent-encoded as the application's own links are.
use zhifa_web::html::enc;

/// An MP4 file: an `ftyp` box, then `n` bytes of pseudo-random content.
fn mp4(n: usize, seed: u8) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 0x18];
    v.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    v.extend((0..n).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        (x >> 24) as u8
    }));
    v
}

const FULL: &[(&str, &str)] = &[
    ("captured_at", "2026-03-01T10:00:00+08:00"),
    ("place", "某某路 12 号店内"),
    ("collector", "A1"),
    ("proves", "货架上陈列超过保质期的食品"),
    ("file_name", "现场 录像.mp4"),
];

fn query(params: &[(&str, &str)]) -> String {
    params.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")
}

fn with(
    params: &[(&'static str, &'static str)],
    key: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = params.iter().filter(|(k, _)| *k != key).copied().collect();
    v.push((key, value));
    v
}

fn without(params: &[(&'static str, &'static str)], key: &str) -> Vec<(&'static str, &'static str)> {
    params.iter().filter(|(k, _)| *k != key).copied().collect()
}

fn upload(a: &CaseApp, case: &str, token: &str, params: &[(&str, &str)], body: &[u8]) -> common::Resp {
    a.app.send("POST", &format!("/api/v1/cases/{case}/evidence?{}", query(params)), Some(token), body)
}

fn views(a: &CaseApp) -> usize {
    a.app.store.records(None, -1, 500).unwrap().iter().filter(|r| r.kind == "record_viewed").count()
}

/// Refusals leave nothing: no new record, nothing in the object store.
fn assert_nothing_left(a: &CaseApp, records_before: i64, what: &str) {
    assert_eq!(a.app.records(), records_before, "{what}: a record was written");
    assert!(a.blobs.contents().is_empty(), "{what}: left behind on {}: {:?}", a.blobs.backend, a.blobs.contents());
}

#[test]
fn upload_list_and_play_back_by_range_with_every_view_recorded() {
    for a in case_apps() {
        let b = format!("{}+{}", a.app.backend, a.blobs.backend);
        let bytes = mp4(300_000, 1);
        let r = upload(&a, &a.case, &a.officer, FULL, &bytes);
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        let sha = hex::encode(Sha256::digest(&bytes));
        let ev = &r.body["evidence"];
        assert_eq!(ev["sha256"], sha.as_str(), "{b}: the SHA-256 is that of the bytes sent");
        assert_eq!(ev["size"], bytes.len() as u64);
        assert_eq!(ev["media_type"], "video/mp4", "{b}: type from the bytes");
        assert_eq!(ev["retention"], "permanent", "{b}: evidence is kept permanently by default (REC-6)");
        assert_eq!(ev["by"], "a1");
        assert_eq!(ev["sm3"].as_str().unwrap().len(), 64);
        let seq = r.body["record"]["seq"].as_i64().unwrap();

        // On the log, under the case.
        let rec = a.app.store.records(Some(&format!("case/{}", a.case)), -1, 100).unwrap();
        assert!(rec.iter().any(|x| x.seq == seq && x.kind == "evidence_stored"), "{b}: {rec:?}");

        // The list, with each file's log seq.
        let l = a.app.get(&format!("/api/v1/cases/{}/evidence", a.case), Some(&a.officer));
        assert_eq!(l.status, 200, "{b}: {}", l.body);
        assert_eq!(l.body[0]["seq"], seq);
        assert_eq!(l.body[0]["evidence"]["sha256"], sha.as_str());
        assert_eq!(l.body[0]["deleted_seq"], serde_json::Value::Null);

        let path = format!("/api/v1/cases/{}/evidence/{sha}", a.case);
        let auth = format!("Bearer {}", a.officer);
        let get = |q: &str, range: Option<&str>| {
            let mut h = vec![("authorization", auth.as_str())];
            if let Some(r) = range {
                h.push(("range", r));
            }
            a.app.get_raw(&format!("{path}{q}"), &h)
        };

        // REC-7: no reason, no bytes, nothing recorded.
        let before = views(&a);
        let r = a.app.get(&path, Some(&a.officer));
        assert_eq!((r.status, r.rule()), (400, "REC-7"), "{b}: {}", r.body);
        assert_eq!(views(&a), before);

        let reason = format!("?reason={}", enc("复核案件证据"));
        let r = get(&reason, None);
        assert_eq!(r.status, 200, "{b}");
        assert_eq!(r.bytes, bytes, "{b}: the whole file");
        assert_eq!(r.header("content-type"), Some("video/mp4"));
        assert_eq!(r.header("accept-ranges"), Some("bytes"));
        assert_eq!(r.header("content-length"), Some(bytes.len().to_string().as_str()));
        let cd = r.header("content-disposition").unwrap();
        assert!(cd.starts_with("inline; filename=\"") && cd.contains("filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20"), "{cd}");
        assert_eq!(views(&a), before + 1, "{b}: the view is recorded");

        let n = bytes.len();
        for (range, want) in [
            ("bytes=0-99", 0..100),
            ("bytes=1000-", 1000..n),
            ("bytes=-500", n - 500..n),
            ("bytes=299000-99999999", 299_000..n),
        ] {
            let r = get(&reason, Some(range));
            assert_eq!(r.status, 206, "{b}: {range}");
            assert_eq!(r.bytes, &bytes[want.clone()], "{b}: {range}");
            let cr = format!("bytes {}-{}/{n}", want.start, want.end - 1);
            assert_eq!(r.header("content-range"), Some(cr.as_str()), "{b}: {range}");
        }
        assert_eq!(views(&a), before + 5);
        // Unsatisfiable: 416, nothing sent, nothing recorded.
        let r = get(&reason, Some(&format!("bytes={n}-")));
        assert_eq!(r.status, 416, "{b}");
        assert_eq!(r.header("content-range"), Some(format!("bytes */{n}").as_str()));
        assert_eq!(views(&a), before + 5);

        // The recorded view says who, what and why (REC-7).
        let last = a.app.store.records(Some(&format!("case/{}", a.case)), -1, 100).unwrap();
        let v = last.iter().rev().find(|x| x.kind == "record_viewed").unwrap();
        assert_eq!(v.actor, "account:a1");
        assert_eq!(v.body["seq"], seq, "{b}: {}", v.body);
        assert_eq!(v.body["reason"], "复核案件证据");
        assert!(v.body["what"].as_str().unwrap().contains(&sha[..16]), "{}", v.body);

        // Downloading as an attachment.
        let r = get(&format!("{reason}&download=true"), Some("bytes=0-0"));
        assert!(r.header("content-disposition").unwrap().starts_with("attachment;"));

        // The same file again in the same case: refused (REC-2), the object stays.
        let r = upload(&a, &a.case, &a.officer, FULL, &bytes);
        assert_eq!((r.status, r.rule()), (422, "REC-2"), "{b}: {}", r.body);
        assert_eq!(get(&reason, None).bytes, bytes, "{b}: still there");

        // Another agency's officer: refused, and sees nothing.
        let r = a.app.get(&format!("{path}{reason}"), Some(&a.stranger));
        assert_eq!(r.status, 403, "{b}: {}", r.body);
        let r = a.app.get(&format!("/api/v1/cases/{}/evidence", a.case), Some(&a.stranger));
        assert_eq!(r.status, 403, "{b}");
        // A supervisor may look (with a reason).
        let r = a.app.get_raw(&format!("{path}{reason}"), &[("authorization", &format!("Bearer {}", a.supervisor))]);
        assert_eq!(r.status, 200, "{b}");
    }
}

#[test]
fn refused_uploads_leave_nothing_behind() {
    for a in case_apps_with(zhifa_blob::Limits { max_size: 64 * 1024, ..zhifa_blob::Limits::default() }) {
        let b = format!("{}+{}", a.app.backend, a.blobs.backend);
        let n = a.app.records();
        let small = mp4(1000, 2);

        // REC-4: each piece of metadata is required.
        for key in ["place", "proves", "collector", "captured_at"] {
            let r = upload(&a, &a.case, &a.officer, &without(FULL, key), &small);
            assert_eq!((r.status, r.rule()), (422, "REC-4"), "{b}: without {key}: {}", r.body);
            assert_eq!(r.body["error"]["field"], key, "{b}");
            assert_nothing_left(&a, n, key);
        }
        let r = upload(&a, &a.case, &a.officer, &with(FULL, "place", "  "), &small);
        assert_eq!((r.status, r.rule()), (422, "REC-4"), "{b}: blank place");
        let r = upload(&a, &a.case, &a.officer, &with(FULL, "collector", "Z99"), &small);
        assert_eq!((r.status, r.rule()), (422, "REC-4"), "{b}: unregistered collector: {}", r.body);
        assert!(r.message().contains("Z99"), "{}", r.message());
        let r = upload(&a, &a.case, &a.officer, &with(FULL, "captured_at", "2027-01-01T00:00:00+08:00"), &small);
        assert_eq!((r.status, r.rule()), (422, "REC-4"), "{b}: capture in the future");
        let r = upload(&a, &a.case, &a.officer, &with(FULL, "captured_at", "昨天"), &small);
        assert_eq!((r.status, r.rule()), (400, "SEC-5"), "{b}: not a time");
        let r = upload(&a, &a.case, &a.officer, &with(FULL, "retention", "forever"), &small);
        assert_eq!((r.status, r.rule()), (400, "SEC-5"), "{b}");
        assert_nothing_left(&a, n, "bad metadata");

        // Unknown case: 404.
        let r = upload(&a, "13012320269999999", &a.officer, FULL, &small);
        assert_eq!(r.status, 404, "{b}: {}", r.body);
        // Another agency's officer: refused by the domain (SEC-2).
        let r = upload(&a, &a.case, &a.stranger, FULL, &small);
        assert_eq!((r.status, r.rule()), (422, "SEC-2"), "{b}: {}", r.body);
        // A supervisor is no collector.
        let r = upload(&a, &a.case, &a.supervisor, FULL, &small);
        assert_eq!(r.status, 403, "{b}");
        assert_nothing_left(&a, n, "unknown case, wrong agency");

        // An ELF executable called .mp4: 415.
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
        elf.extend(mp4(5000, 3));
        let r = upload(&a, &a.case, &a.officer, &with(FULL, "file_name", "录像.mp4"), &elf);
        assert_eq!((r.status, r.rule()), (415, "SEC-5"), "{b}: {}", r.body);
        assert!(r.message().contains("不允许上传"), "{}", r.message());
        // A Windows EXE.
        let r = upload(&a, &a.case, &a.officer, FULL, b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0 this program");
        assert_eq!(r.status, 415, "{b}");
        assert_nothing_left(&a, n, "wrong type");

        // Over the limit: by Content-Length before reading, and while streaming (chunked).
        // (Small enough that the client has sent it all before the early answer.)
        let big = mp4(80 * 1024, 4);
        let r = upload(&a, &a.case, &a.officer, FULL, &big);
        assert_eq!((r.status, r.rule()), (413, "SEC-5"), "{b}: {}", r.body);
        assert!(r.message().contains("大小上限"), "{}", r.message());
        let path = format!("/api/v1/cases/{}/evidence?{}", a.case, query(FULL));
        // (Just over the limit, so the client has sent it all before the server answers.)
        let r = a.app.post_chunked(&path, &a.officer, &mp4(80 * 1024, 4));
        assert_eq!(r.status, 413, "{b}: chunked: {}", r.body);
        assert_nothing_left(&a, n, "too large");

        // Empty body.
        let r = upload(&a, &a.case, &a.officer, FULL, b"");
        assert_eq!(r.status, 400, "{b}");
        assert_nothing_left(&a, n, "empty");

        // And a good one still goes through, chunked.
        let r = a.app.post_chunked(&path, &a.officer, &small);
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert_eq!(r.body["evidence"]["sha256"], hex::encode(Sha256::digest(&small)).as_str());
    }
}

fn set_clock(a: &CaseApp, at: &str) {
    *a.app.clock.0.lock().unwrap() = at.parse().unwrap();
}

#[test]
fn deletion_follows_the_retention_and_leaves_its_record() {
    for a in case_apps() {
        let b = format!("{}+{}", a.app.backend, a.blobs.backend);
        let av = mp4(10_000, 5);
        let kept = mp4(10_000, 6);
        let shared = mp4(10_000, 7);
        let six = with(FULL, "retention", "six_months");
        let r = upload(&a, &a.case, &a.officer, &six, &av);
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert_eq!(r.body["evidence"]["retention"], "six_months");
        assert_eq!(upload(&a, &a.case, &a.officer, FULL, &kept).status, 200);
        // The same content in two cases is one object.
        let other = a.app.open_case(&a.officer);
        assert_eq!(upload(&a, &a.case, &a.officer, &six, &shared).status, 200);
        assert_eq!(upload(&a, &other, &a.officer, FULL, &shared).status, 200);

        let sha = |v: &[u8]| hex::encode(Sha256::digest(v));
        let del = |case: &str, v: &[u8], token: &str, reason: &str| {
            let body = serde_json::json!({ "reason": reason }).to_string();
            a.app.send_json_delete(&format!("/api/v1/cases/{case}/evidence/{}", sha(v)), token, &body)
        };

        // Stored 2026-03-01 12:00 (China): refused now, and at five months.
        let r = del(&a.case, &av, &a.head, "保存期限届满");
        assert_eq!((r.status, r.rule()), (422, "REC-6"), "{b}: {}", r.body);
        set_clock(&a, "2026-08-01T04:00:00Z");
        let r = del(&a.case, &av, &a.head, "保存期限届满");
        assert_eq!((r.status, r.rule()), (422, "REC-6"), "{b}: at five months: {}", r.body);
        assert!(r.message().contains("2026-09-01"), "{}", r.message());
        // An officer may not delete at all; a reason is required.
        set_clock(&a, "2026-09-02T04:00:00Z");
        assert_eq!(del(&a.case, &av, &a.officer, "保存期限届满").status, 403, "{b}");
        assert_eq!(del(&a.case, &av, &a.head, "").status, 422, "{b}: no reason");
        // After six months: deleted, the file gone, the record kept.
        let n = a.app.records();
        let r = del(&a.case, &av, &a.head, "保存期限届满，依规定删除");
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert_eq!(r.body["file_deleted"], true);
        assert_eq!(a.app.records(), n + 1);
        let seq = r.body["record"]["seq"].as_i64().unwrap();
        let key = format!("sha256/{}/{}/{}", &sha(&av)[0..2], &sha(&av)[2..4], sha(&av));
        assert!(!a.blobs.contents().contains(&key), "{b}: the object is gone");
        assert!(!a.blobs.store.exists(&zhifa_blob::BlobKey::parse(&key).unwrap()).unwrap());
        let l = a.app.get(&format!("/api/v1/cases/{}/evidence", a.case), Some(&a.officer));
        let row = l.body.as_array().unwrap().iter().find(|r| r["evidence"]["sha256"] == sha(&av).as_str()).unwrap();
        assert_eq!(row["deleted_seq"], seq, "{b}: the record of the file stays, marked deleted");
        let play = format!("/api/v1/cases/{}/evidence/{}?reason={}", a.case, sha(&av), enc("复核"));
        assert_eq!(a.app.get(&play, Some(&a.officer)).status, 404, "{b}");
        assert_eq!(del(&a.case, &av, &a.head, "再次删除").status, 404, "{b}: already deleted");

        // Permanent: never, even ten years on.
        set_clock(&a, "2036-03-02T04:00:00Z");
        let r = del(&a.case, &kept, &a.head, "清理");
        assert_eq!((r.status, r.rule()), (422, "REC-6"), "{b}: {}", r.body);
        assert!(r.message().contains("永久保存"), "{}", r.message());

        // Shared content: the record goes, the object stays for the other case.
        let r = del(&a.case, &shared, &a.head, "保存期限届满");
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert_eq!(r.body["file_deleted"], false, "{b}: still used by case {other}");
        let play = format!("/api/v1/cases/{other}/evidence/{}?reason={}", sha(&shared), enc("复核"));
        let r = a.app.get(&play, Some(&a.officer));
        assert_eq!(r.status, 200, "{b}");
        assert_eq!(r.bytes, shared);
    }
}

#[test]
fn a_partys_records_come_at_once_and_the_view_is_recorded() {
    for a in case_apps() {
        let b = format!("{}+{}", a.app.backend, a.blobs.backend);
        let second = a.app.open_case(&a.officer);
        assert_eq!(upload(&a, &a.case, &a.officer, FULL, &mp4(2000, 8)).status, 200);
        assert_eq!(upload(&a, &second, &a.officer, FULL, &mp4(2000, 9)).status, 200);
        let path = format!("/api/v1/parties/{}/records", party_id());

        let r = a.app.get(&path, Some(&a.officer));
        assert_eq!((r.status, r.rule()), (400, "REC-7"), "{b}: a reason is required");
        let before = views(&a);
        let r = a.app.get(&format!("{path}?reason={}", enc("办理新案，查阅当事人既往记录")), Some(&a.officer));
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        let cases = r.body["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 2, "{b}");
        let numbers: Vec<&str> = cases.iter().map(|c| c["case"]["number"].as_str().unwrap()).collect();
        assert!(numbers.contains(&a.case.as_str()) && numbers.contains(&second.as_str()), "{numbers:?}");
        for c in cases {
            assert_eq!(c["evidence"].as_array().unwrap().len(), 1, "{b}");
            assert!(c["steps"].is_array());
            assert_eq!(c["case"]["party"]["id_number"], party_id().as_str());
        }
        assert_eq!(views(&a), before + 2, "{b}: one recorded view per case (REC-7)");

        // A supervisor sees them too; another agency's staff see none.
        let q = format!("{path}?reason={}", enc("执法监督检查"));
        assert_eq!(a.app.get(&q, Some(&a.supervisor)).status, 200, "{b}");
        assert_eq!(a.app.get(&q, Some(&a.stranger)).status, 404, "{b}");
        assert_eq!(
            a.app.get(&format!("/api/v1/parties/x/records?reason={}", enc("查阅")), Some(&a.officer)).status,
            404
        );
        assert_eq!(a.app.get(&q, None).status, 401);
    }
}

#[test]
fn the_routes_are_in_the_openapi_document() {
    let a = &case_apps()[0];
    let doc = a.app.get("/api/openapi.json", None).body;
    for p in [
        "/api/v1/cases/{number}/evidence",
        "/api/v1/cases/{number}/evidence/{sha256}",
        "/api/v1/parties/{id_number}/records",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
    assert_eq!(doc["paths"]["/api/v1/cases/{number}/evidence"]["post"]["x-roles"][0], "officer");
}
