//! Running the `zhifa` binary in tests.

#![allow(dead_code)]

pub mod browser;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use zhifa_store::StoreConfig;
use zhifa_store::testing::TestStore;

/// `zhifa` on the test's store: its own data directory, and its PostgreSQL database if any.
pub fn zhifa(t: &TestStore) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    c.arg("--data-dir").arg(t.scratch_dir());
    if let StoreConfig::Postgres { url } = &t.config {
        c.arg("--database-url").arg(url);
    }
    c.env_remove("ZHIFA_DATA_DIR").env_remove("ZHIFA_DATABASE_URL");
    c
}

/// (succeeded, stdout, stderr)
pub fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().expect("run zhifa");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// A running `zhifa serve`/`demo`; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `zhifa <args> --listen 127.0.0.1:0` and waits for the address it prints.
pub fn serve(t: &TestStore, args: &[&str]) -> Server {
    let mut child = zhifa(t)
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("zhifa printed its address").unwrap();
        if let Some(i) = line.find("http://") {
            break line[i..].trim_end_matches('/').to_string();
        }
    };
    // Keep reading, so the child never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, base }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}
