//! `zhifa-bench upload`: a 2 GiB video through `POST /api/v1/cases/{number}/evidence`,
//! against `sha256sum` of the same file in the same run, with the server's peak RSS.
//!
//! The server runs in a child process (this binary, `upload-serve`), so its VmHWM
//! (`/proc/<pid>/status`) counts the server alone, not the client or the file writer.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{CaseFile, Party};
use zhifa_domain::event::Event;
use zhifa_domain::item::{ItemKind, ProcedureKind};
use zhifa_domain::penalty::PartyKind;
use zhifa_store::testing::fixtures;
use zhifa_store::{Actor, Store, StoreConfig};

const SIZE: u64 = 2 << 30;

/// A file of `SIZE` pseudo-random bytes behind an MP4 `ftyp` box.
fn make_video(path: &Path) {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let head = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2";
    f.write_all(head).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = SIZE - head.len() as u64;
    while left > 0 {
        for c in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        f.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    f.into_inner().unwrap().sync_all().unwrap();
}

fn vm_hwm_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

pub fn run(dir: &Path) {
    println!("zhifa-bench upload: {} GiB MP4 through the API, dir {}", SIZE >> 30, dir.display());
    let video = dir.join("video.mp4");
    make_video(&video);

    // Baseline: sha256sum of the same file (page cache warm, as for the upload).
    let start = Instant::now();
    let out = Command::new("sha256sum").arg(&video).output().expect("sha256sum (coreutils) must be installed");
    let base_s = start.elapsed().as_secs_f64();
    assert!(out.status.success());
    let expected = String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string();
    let mb = SIZE as f64 / 1e6;
    println!("baseline  sha256sum:                 {:>7.0} MB/s ({base_s:.2} s)", mb / base_s);

    // The server, in a process of its own.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["upload-serve", dir.join("server").to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [_, addr, token, case] = parts[..] else { panic!("server said {line:?}") };
    let idle = vm_hwm_kib(pid);

    let captured = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10);
    let url = format!(
        "http://{addr}/api/v1/cases/{case}/evidence?captured_at={captured}&place=%E7%8E%B0%E5%9C%BA&collector=A1&proves=%E5%9F%BA%E5%87%86&file_name=video.mp4"
    );
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let file = std::fs::File::open(&video).unwrap();
    let mut reader = std::io::BufReader::with_capacity(256 << 10, file);
    let start = Instant::now();
    let mut resp = agent
        .post(&url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "video/mp4")
        .header("content-length", SIZE.to_string())
        .send(ureq::SendBody::from_reader(&mut reader))
        .unwrap();
    let up_s = start.elapsed().as_secs_f64();
    let body = resp.body_mut().read_to_string().unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["evidence"]["sha256"], expected.as_str(), "the server's SHA-256 is sha256sum's");
    let peak = vm_hwm_kib(pid);
    let _ = child.kill();
    let _ = child.wait();

    println!(
        "zhifa     upload (SHA-256 + SM3 + fsync + record): {:>7.0} MB/s ({up_s:.2} s)  = {:.2} × sha256sum",
        mb / up_s,
        base_s / up_s
    );
    println!(
        "          server peak RSS (VmHWM): {:.1} MB during the upload ({:.1} MB idle before it)",
        peak as f64 / 1024.0,
        idle as f64 / 1024.0
    );
    println!("          record seq {}, SHA-256 {expected}", v["record"]["seq"]);
}

/// The child: a store with a registry, officer A1's account and one open case; prints
/// `READY <addr> <token> <case>` and serves until killed.
pub fn serve(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let store = Store::open(&StoreConfig::Sqlite { data_dir: dir.to_path_buf() }).unwrap();
    let actor = Actor("bench".into());
    let mut events = fixtures::registry();
    events.push(Event::AccountCreated {
        account: Account {
            login: "a1".into(),
            display_name: "a1".into(),
            roles: vec![Role::Officer],
            agency: Some(fixtures::code(1)),
            staff_no: Some("A1".into()),
            disabled: false,
        },
    });
    let (token, event) = zhifa_app::accounts::issue_token("a1", "");
    events.push(event);
    store.append_batch(&actor, events).unwrap();
    let number = store.next_case_number(&fixtures::region(), ItemKind::Penalty).unwrap();
    let case = CaseFile {
        number: number.clone(),
        agency: fixtures::code(1),
        item: "SCJG-CF-001".into(),
        item_version: 1,
        procedure: store.definition_for(&fixtures::code(1), ProcedureKind::GeneralPenalty).unwrap().id(),
        party: Party {
            kind: PartyKind::Organisation,
            name: "基准测试公司".into(),
            id_number: None,
            legal_rep: None,
            address: None,
            phone: None,
        },
        summary: "基准测试".into(),
        opened_by: "a1".into(),
        flags: vec![],
    };
    store.append(&Actor("account:a1".into()), Event::CaseOpened { case }).unwrap();
    let blobs = zhifa_blob::BlobStore::local(dir.join("blobs")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = zhifa_app::log::LogConfig::ephemeral("zhifa.bench/log");
        let state =
            zhifa_web::AppState::from(zhifa_app::App::new(store, log).with_blobs(blobs, zhifa_blob::Limits::default()));
        println!("READY {addr} {token} {number}");
        std::io::stdout().flush().unwrap();
        zhifa_web::serve(state, listener, std::future::pending()).await.unwrap();
    });
}
