//! Zhifa's persistence: the append-only record spine and the registry projections, on
//! SQLite (embedded default, one data directory) or PostgreSQL.
//!
//! ## Contract
//! - [`Store::append`] and [`Store::append_batch`] are atomic: the records and their
//!   projections are written in one transaction, or nothing is. When they return `Ok`,
//!   the transaction is committed durably (SQLite `synchronous=FULL` in WAL mode;
//!   PostgreSQL's commit), so an acknowledged write survives `kill -9` and power loss.
//! - The records table refuses UPDATE and DELETE at the database (triggers on both
//!   backends). Projections can always be rebuilt from the records
//!   ([`Store::rebuild_projections`]).
//! - Record `seq` numbers are gapless from 0 in commit order: writers are serialised
//!   (SQLite's single writer; a transaction-scoped advisory lock on PostgreSQL).
//! - Reads return `Ok(None)` for an unknown key; `Err` only for a failing database (or a
//!   stored value of the wrong type: [`StoreError::CorruptColumn`], never a panic).
//! - A panic while the committer writes a group (a bug) answers that group's callers with
//!   [`StoreError::CommitPanicked`]; nothing of the group is written, and later appends go on.

mod auth;
mod cases;
pub mod documents;
pub mod log;
mod publications;
mod registry;
pub mod sql;
#[doc(hidden)]
pub mod testing;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use serde::Serialize;
use zhifa_domain::Violation;
use zhifa_domain::event::Event;

pub use auth::{Credential, LoginState, Session};
pub use cases::{CaseFilter, CaseRow, EvidenceRow};
pub use publications::{
    ComplaintRow, DueDecision, PublicationFilter, PublicationListState, PublicationRow, Withdrawal,
};
pub use registry::*;
use sql::{Conn, PgConn, SqliteConn, Value};

/// The schema version this binary runs on.
pub const SCHEMA_VERSION: i64 = 8;

/// A migration: version, common SQL, SQLite part, PostgreSQL part, and a step in Rust run
/// after the SQL in the same transaction.
type Migration = (i64, &'static str, &'static str, &'static str, Option<fn(&mut dyn Conn) -> Result<(), StoreError>>);

const MIGRATIONS: &[Migration] = &[
    (
        1,
        include_str!("migrations/0001_common.sql"),
        include_str!("migrations/0001_sqlite.sql"),
        include_str!("migrations/0001_postgres.sql"),
        None,
    ),
    (
        2,
        include_str!("migrations/0002_common.sql"),
        include_str!("migrations/0002_sqlite.sql"),
        include_str!("migrations/0002_postgres.sql"),
        // Records written under version 1 get their leaves and tiles.
        Some(log::backfill),
    ),
    (
        3,
        include_str!("migrations/0003_common.sql"),
        include_str!("migrations/0003_sqlite.sql"),
        include_str!("migrations/0003_postgres.sql"),
        None,
    ),
    (
        4,
        include_str!("migrations/0004_common.sql"),
        include_str!("migrations/0004_sqlite.sql"),
        include_str!("migrations/0004_postgres.sql"),
        None,
    ),
    (
        5,
        include_str!("migrations/0005_common.sql"),
        include_str!("migrations/0005_sqlite.sql"),
        include_str!("migrations/0005_postgres.sql"),
        None,
    ),
    (
        6,
        include_str!("migrations/0006_common.sql"),
        include_str!("migrations/0006_sqlite.sql"),
        include_str!("migrations/0006_postgres.sql"),
        None,
    ),
    (
        7,
        include_str!("migrations/0007_common.sql"),
        include_str!("migrations/0007_sqlite.sql"),
        include_str!("migrations/0007_postgres.sql"),
        None,
    ),
    (
        8,
        include_str!("migrations/0008_common.sql"),
        include_str!("migrations/0008_sqlite.sql"),
        include_str!("migrations/0008_postgres.sql"),
        None,
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite 错误: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL 错误: {0}")]
    Postgres(String),
    #[error("文件错误: {0}")]
    Io(#[from] std::io::Error),
    #[error("数据库架构版本不符: {0}")]
    Schema(String),
    #[error("数据损坏: {0}")]
    Corrupt(String),
    /// A stored value is not what the schema says: a missing column or another type.
    /// `table` is the table the query reads (or the query's first words when it reads none).
    #[error("数据损坏: {table}.{column}: {problem}")]
    CorruptColumn { table: String, column: String, problem: String },
    /// The group's transaction failed; nothing of it was written.
    #[error("提交失败，未写入: {0}")]
    Commit(String),
    /// The committer panicked (a bug) while writing the group; its transaction was rolled
    /// back, so nothing of it was written. The committer goes on with later groups.
    #[error("提交时内部错误，本次写入未保存: {0}")]
    CommitPanicked(String),
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The driver's Display says only "db error"; the server's message is the useful part.
        match e.as_db_error() {
            Some(db) => StoreError::Postgres(format!("{} ({})", db.message(), db.code().code())),
            None => StoreError::Postgres(e.to_string()),
        }
    }
}

/// Why an append did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// A DOMAIN rule refused the event; nothing was written.
    #[error("{0}")]
    Refused(Violation),
    /// Several events of a batch were refused (index in the batch, reason); nothing was written.
    #[error("{} 条被拒绝", .0.len())]
    RefusedMany(Vec<(usize, Violation)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the store lives.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// SQLite database `zhifa.db` inside this data directory (created if missing).
    Sqlite { data_dir: PathBuf },
    /// A PostgreSQL connection URL (`postgres://user@host:port/db`).
    Postgres { url: String },
}

/// The platform clock (REC-5: a record's time is the server's, never the client's).
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A settable clock for tests.
pub struct ManualClock(pub Mutex<Timestamp>);
impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

/// Who did it: `account:<login>`, `cli`, `system`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor(pub String);

/// A stored record.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub seq: i64,
    pub kind: String,
    pub subject: String,
    pub actor: String,
    pub recorded_at: Timestamp,
    pub body: serde_json::Value,
}

enum Backend {
    Sqlite { writer: Mutex<rusqlite::Connection>, readers: Mutex<Vec<rusqlite::Connection>>, path: PathBuf },
    Postgres { url: String, pool: Mutex<Vec<sql::PgClient>> },
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Backend::Postgres { pool, .. } = self {
            // A blocking client closes its connection by blocking on its own runtime, which
            // panics on an async thread; the last store handle may well be dropped on one.
            let clients = std::mem::take(pool.get_mut().unwrap_or_else(|p| p.into_inner()));
            if !clients.is_empty() {
                let _ = std::thread::spawn(move || drop(clients)).join();
            }
        }
    }
}

/// The store. Cheap to share (`Arc` inside); all methods block: call them from
/// `spawn_blocking` in async code.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
    clock: Arc<dyn Clock>,
    /// The group-commit thread's queue, started on the first append.
    committer: Arc<std::sync::OnceLock<std::sync::mpsc::Sender<Job>>>,
    /// A panic to inject into the next commit group (unit tests only; see [`Fault`]).
    #[cfg(test)]
    fault: Arc<Mutex<Option<Fault>>>,
}

/// Where the committer panics when a test asks it to (`cfg(test)` only, so no build that
/// ships can trigger it).
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// In the group's first job that writes records, after its records and projections.
    InJob,
    /// After the group's leaves and tiles were written (and the cached tile builder moved
    /// on), just before the commit.
    BeforeCommit,
}

fn open_sqlite(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    let c = rusqlite::Connection::open(path)?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
    Ok(c)
}

fn connect_pg(url: &str) -> Result<postgres::Client, StoreError> {
    Ok(postgres::Client::connect(url, postgres::NoTls)?)
}

impl Store {
    /// Opens (creating or migrating as needed) the store. Refuses a database whose schema
    /// is newer than this binary's.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        Self::open_with_clock(config, Arc::new(SystemClock))
    }

    pub fn open_with_clock(config: &StoreConfig, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let store = Self::connect(config, clock)?;
        store.migrate(SCHEMA_VERSION)?;
        Ok(store)
    }

    fn connect(config: &StoreConfig, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let backend = match config {
            StoreConfig::Sqlite { data_dir } => {
                std::fs::create_dir_all(data_dir)?;
                let path = data_dir.join("zhifa.db");
                let writer = open_sqlite(&path)?;
                Backend::Sqlite { writer: Mutex::new(writer), readers: Mutex::new(Vec::new()), path }
            }
            StoreConfig::Postgres { url } => {
                let client = connect_pg(url)?;
                Backend::Postgres { url: url.clone(), pool: Mutex::new(vec![sql::PgClient::new(client)]) }
            }
        };
        Ok(Store {
            backend: Arc::new(backend),
            clock,
            committer: Arc::new(std::sync::OnceLock::new()),
            #[cfg(test)]
            fault: Arc::default(),
        })
    }

    /// Opens a store migrated only up to `version` (tests of the migrations themselves).
    #[doc(hidden)]
    pub fn open_at_schema_version(config: &StoreConfig, version: i64) -> Result<Store, StoreError> {
        let store = Self::connect(config, Arc::new(SystemClock))?;
        store.migrate(version)?;
        Ok(store)
    }

    pub fn backend_name(&self) -> &'static str {
        match &*self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Brings the schema up to `target` (never past [`SCHEMA_VERSION`]).
    fn migrate(&self, target: i64) -> Result<(), StoreError> {
        let is_pg = matches!(&*self.backend, Backend::Postgres { .. });
        self.write(|c| {
            if is_pg {
                // Serialise concurrent start-ups of several nodes.
                c.execute("SELECT pg_advisory_xact_lock(72620001)", &[])?;
            }
            let has_meta = if is_pg {
                let row = c.query_opt("SELECT to_regclass('meta')::text", &[])?;
                row.map(|r| r.opt_text(0).map(|t| t.is_some())).transpose()?.unwrap_or(false)
            } else {
                c.query_opt("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'", &[])?.is_some()
            };
            let current = if has_meta {
                let row = c.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?;
                match row {
                    Some(r) => r.text(0)?.parse::<i64>().map_err(|e| r.corrupt(0, format!("schema_version: {e}")))?,
                    None => 0,
                }
            } else {
                0
            };
            if current > SCHEMA_VERSION {
                return Err(StoreError::Schema(format!(
                    "数据库的架构版本为 {current}，本程序只支持到 {SCHEMA_VERSION}。请使用更新版本的 zhifa，或恢复与本程序匹配的备份。"
                )));
            }
            for (version, common, sqlite, pg, step) in MIGRATIONS.iter().filter(|m| m.0 > current && m.0 <= target) {
                c.batch(common)?;
                c.batch(if is_pg { pg } else { sqlite })?;
                if let Some(step) = step {
                    step(c)?;
                }
                c.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[Value::Text(version.to_string())],
                )?;
            }
            Ok(())
        })
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            let r = c.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?;
            Ok(match r {
                Some(r) => r.text(0)?.parse().unwrap_or(-1),
                None => 0,
            })
        })
    }

    /// Runs `f` in one write transaction; commits if it returns `Ok`, rolls back otherwise.
    pub(crate) fn write<R, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<R, E>) -> Result<R, E> {
        match &*self.backend {
            Backend::Sqlite { writer, .. } => {
                let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let r = f(&mut SqliteConn(&tx))?;
                // Commit point: after this returns, the records and projections are durable
                // together; a crash before it leaves neither (SQLite's WAL rolls back).
                tx.commit().map_err(StoreError::from)?;
                Ok(r)
            }
            Backend::Postgres { .. } => self.with_pg(|pg| {
                let mut tx = pg.client.transaction().map_err(StoreError::from)?;
                // Writers are serialised so record seq numbers are gapless and in commit order.
                tx.execute("SELECT pg_advisory_xact_lock(72620002)", &[]).map_err(StoreError::from)?;
                let r = f(&mut PgConn(&mut tx, &mut pg.statements))?;
                // Commit point: as above; PostgreSQL's commit is durable (fsync on WAL).
                tx.commit().map_err(StoreError::from)?;
                Ok(r)
            }),
        }
    }

    /// Runs `f` on a read connection (SQLite: a pooled reader seeing the last commit).
    pub(crate) fn read<R>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<R, StoreError>) -> Result<R, StoreError> {
        match &*self.backend {
            Backend::Sqlite { readers, path, .. } => {
                let conn = readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
                let conn = match conn {
                    Some(c) => c,
                    None => open_sqlite(path)?,
                };
                let r = f(&mut SqliteConn(&conn));
                let mut pool = readers.lock().unwrap_or_else(|p| p.into_inner());
                if pool.len() < 8 {
                    pool.push(conn);
                }
                r
            }
            Backend::Postgres { .. } => self.with_pg(|pg| f(&mut PgConn(&mut pg.client, &mut pg.statements))),
        }
    }

    fn with_pg<R, E: From<StoreError>>(&self, f: impl FnOnce(&mut sql::PgClient) -> Result<R, E>) -> Result<R, E> {
        let Backend::Postgres { url, pool } = &*self.backend else { unreachable!() };
        let client = pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut client = match client {
            Some(c) if !c.client.is_closed() => c,
            _ => sql::PgClient::new(connect_pg(url)?),
        };
        // A panic in `f` unwinds past the pooling below: that client is dropped, never
        // reused, whatever state its session was left in (the committer relies on this).
        let r = f(&mut client);
        if !client.client.is_closed() {
            let mut pool = pool.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 16 {
                pool.push(client);
            }
        }
        r
    }

    /// Appends one event as a record, with its projection, if the rules allow it.
    pub fn append(&self, actor: &Actor, event: Event) -> Result<Record, AppendError> {
        match self.append_batch(actor, vec![event]) {
            Ok(mut v) => Ok(v.remove(0)),
            Err(AppendError::RefusedMany(mut v)) if v.len() == 1 => Err(AppendError::Refused(v.remove(0).1)),
            Err(e) => Err(e),
        }
    }

    /// Appends all events or none. Every event is checked against the state the earlier
    /// events of the batch leave; all refusals are collected (so an import can name every
    /// bad row) and then the whole batch is rolled back.
    ///
    /// Group commit: concurrent calls are gathered by one committer thread into a single
    /// transaction (each call in a savepoint of its own, so one caller's refusal does not
    /// touch another's), and every caller is answered only after that transaction is
    /// durably committed.
    pub fn append_batch(&self, actor: &Actor, events: Vec<Event>) -> Result<Vec<Record>, AppendError> {
        self.append_with(actor, events, None)
    }

    /// [`Store::append_batch`] plus `effect`, SQL on state kept beside the records, run in
    /// the same transaction after the events and only if they were all accepted.
    pub(crate) fn append_with(
        &self,
        actor: &Actor,
        events: Vec<Event>,
        effect: Option<Effect>,
    ) -> Result<Vec<Record>, AppendError> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        let job = Job { actor: actor.clone(), events, effect, reply };
        self.committer().send(job).map_err(|_| StoreError::Commit("提交线程已停止".into()))?;
        answer.recv().map_err(|_| StoreError::Commit("提交线程已停止".into()))?
    }

    fn committer(&self) -> &std::sync::mpsc::Sender<Job> {
        self.committer.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<Job>();
            // The committer's own handle shares the backend but not the channel, so the
            // thread ends when the last `Store` clone is dropped.
            let inner = Store {
                backend: self.backend.clone(),
                clock: self.clock.clone(),
                committer: Arc::new(std::sync::OnceLock::new()),
                #[cfg(test)]
                fault: self.fault.clone(),
            };
            std::thread::Builder::new()
                .name("zhifa-committer".into())
                .spawn(move || inner.run_committer(rx))
                .expect("spawn the committer thread");
            tx
        })
    }

    fn run_committer(&self, rx: std::sync::mpsc::Receiver<Job>) {
        let mut tiles: Option<zhifa_log::TileBuilder> = None;
        while let Ok(first) = rx.recv() {
            let mut jobs = vec![first];
            while jobs.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let group =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.commit_group(&mut jobs, &mut tiles)));
            let outcomes = match group {
                Ok(outcomes) => outcomes,
                Err(payload) => {
                    // Crash safety: a panic inside a group (a bug: an `expect`, an index, a
                    // domain check) must neither leave anything of the group behind nor stop
                    // the committer, which would fail every later write until a restart.
                    // - The group's transaction ended as the panic unwound: rusqlite's and
                    //   postgres's `Transaction` roll back when dropped, and `with_pg` drops a
                    //   PostgreSQL client it was running instead of pooling it (its session,
                    //   advisory lock and prepared statements go with it). `reset_writer`
                    //   makes sure of the SQLite writer.
                    // - The cached tile builder may hold the group's leaves (`append_leaves`
                    //   ran, then the rollback): dropped, so the next group resumes it from
                    //   the stored tiles (`log::append_leaves`).
                    // - Nothing else is carried between groups: each group reads its first
                    //   seq in its own transaction (`next_seq`), so seq stays gapless. The
                    //   procedure parse cache (`cases::adapted`) is keyed by source text, so
                    //   an entry from the rolled-back group is harmless.
                    // - Every caller of the group is told nothing was written, which holds:
                    //   the commit is the last step of `write`, and neither driver's commit
                    //   panics. Nobody got an acknowledgement for it.
                    tiles = None;
                    let mut msg = panic_message(payload.as_ref());
                    if let Err(e) = self.reset_writer() {
                        msg.push_str(&format!("；恢复写连接失败: {e}"));
                    }
                    jobs.iter().map(|_| Err(AppendError::Store(StoreError::CommitPanicked(msg.clone())))).collect()
                }
            };
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
    }

    /// After a panic in a write transaction: leaves the writer ready for the next one.
    fn reset_writer(&self) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite { writer, .. } => {
                let conn = writer.lock().unwrap_or_else(|p| p.into_inner());
                writer.clear_poison();
                if !conn.is_autocommit() {
                    conn.execute_batch("ROLLBACK")?;
                }
                Ok(())
            }
            // The client that panicked was dropped, not pooled (see `with_pg`).
            Backend::Postgres { .. } => Ok(()),
        }
    }

    /// One transaction for a group of jobs. Returns each job's outcome.
    fn commit_group(
        &self,
        jobs: &mut [Job],
        tiles: &mut Option<zhifa_log::TileBuilder>,
    ) -> Vec<Result<Vec<Record>, AppendError>> {
        #[cfg(test)]
        let fault = self.fault.lock().unwrap_or_else(|p| p.into_inner()).take();
        let now = self.clock.now();
        let mut builder = tiles.take();
        let result = self.write(|c| {
            let mut seq = next_seq(c)?;
            let mut outcomes = Vec::with_capacity(jobs.len());
            let mut written = Vec::new();
            for job in jobs.iter_mut() {
                c.execute("SAVEPOINT job", &[])?;
                let start = seq;
                match append_job(c, job, now, &mut seq) {
                    Ok(records) => {
                        #[cfg(test)]
                        if fault == Some(Fault::InJob) && !records.is_empty() {
                            panic!("注入的故障：作业记录已写入");
                        }
                        c.execute("RELEASE SAVEPOINT job", &[])?;
                        written.extend(records.iter().cloned());
                        outcomes.push(Ok(records));
                    }
                    Err(AppendError::Store(e)) => return Err(e),
                    Err(refusal) => {
                        c.execute("ROLLBACK TO SAVEPOINT job", &[])?;
                        c.execute("RELEASE SAVEPOINT job", &[])?;
                        seq = start;
                        outcomes.push(Err(refusal));
                    }
                }
            }
            // Each record's leaf and the tiles, in the same transaction (LOG-1).
            log::append_leaves(c, &written, &mut builder)?;
            #[cfg(test)]
            if fault == Some(Fault::BeforeCommit) {
                panic!("注入的故障：叶子与瓦片已写入，尚未提交");
            }
            Ok(outcomes)
        });
        match result {
            // Commit point passed: every accepted record, its leaf and tiles are durable.
            Ok(outcomes) => {
                *tiles = builder;
                outcomes
            }
            // Nothing of the group was written; every caller is told.
            Err(e) => {
                let msg = e.to_string();
                jobs.iter().map(|_| Err(AppendError::Store(StoreError::Commit(msg.clone())))).collect()
            }
        }
    }

    /// Records in seq order, optionally of one subject (REC-8).
    pub fn records(&self, subject: Option<&str>, after: i64, limit: i64) -> Result<Vec<Record>, StoreError> {
        self.read(|c| {
            let rows = match subject {
                Some(s) => c.query(
                    "SELECT seq, kind, subject, actor, recorded_at, body FROM records WHERE subject = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                    &[s.into(), after.into(), limit.into()],
                )?,
                None => c.query(
                    "SELECT seq, kind, subject, actor, recorded_at, body FROM records WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[after.into(), limit.into()],
                )?,
            };
            rows.iter().map(record_from_row).collect()
        })
    }

    pub fn record_count(&self) -> Result<i64, StoreError> {
        // seq is gapless from 0, so this is an index lookup rather than a count.
        self.read(next_seq)
    }

    /// Drops every projection and replays all records into it, in one transaction.
    pub fn rebuild_projections(&self) -> Result<(), StoreError> {
        self.write(|c| {
            registry::clear(c)?;
            cases::clear(c)?;
            publications::clear(c)?;
            for_each_record_batch(c, |c, records| {
                for rec in records {
                    let event: Event = serde_json::from_value(rec.body.clone())
                        .map_err(|e| StoreError::Corrupt(format!("record {}: {e}", rec.seq)))?;
                    registry::apply(c, rec.seq, &event)?;
                    cases::apply(c, rec.seq, &event)?;
                    publications::apply(c, rec.seq, &event)?;
                }
                Ok(())
            })
        })
    }

    /// Runs raw SQL (tests and operator tooling only).
    pub fn execute_raw(&self, sql: &str) -> Result<u64, StoreError> {
        self.write(|c| c.execute(sql, &[]))
    }
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(s), _) => (*s).to_string(),
        (_, Some(s)) => s.clone(),
        _ => "（panic 未附说明）".into(),
    }
}

/// Calls `f` with every record in seq order, a thousand at a time.
pub(crate) fn for_each_record_batch(
    c: &mut dyn Conn,
    mut f: impl FnMut(&mut dyn Conn, &[Record]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut after = -1i64;
    loop {
        let rows = c.query(
            "SELECT seq, kind, subject, actor, recorded_at, body FROM records WHERE seq > $1 ORDER BY seq LIMIT 1000",
            &[after.into()],
        )?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = last.int(0)?;
        let records: Vec<Record> = rows.iter().map(record_from_row).collect::<Result<_, _>>()?;
        f(c, &records)?;
    }
}

/// The most calls gathered into one transaction.
const MAX_GROUP: usize = 1024;

/// SQL run in an append's transaction on state kept beside the records.
pub(crate) type Effect = Box<dyn FnOnce(&mut dyn Conn) -> Result<(), StoreError> + Send>;

/// One caller's append, waiting for its group's commit.
struct Job {
    actor: Actor,
    events: Vec<Event>,
    effect: Option<Effect>,
    reply: std::sync::mpsc::SyncSender<Result<Vec<Record>, AppendError>>,
}

/// Checks and writes one job's events (records and projections) from `seq` on; a refusal
/// of any event refuses the job, after checking the rest so every refusal is named.
fn append_job(c: &mut dyn Conn, job: &mut Job, now: Timestamp, seq: &mut i64) -> Result<Vec<Record>, AppendError> {
    let mut refused = Vec::new();
    let mut out = Vec::with_capacity(job.events.len());
    for (i, event) in job.events.iter().enumerate() {
        let checked = if cases::is_case_event(event) {
            cases::check_in(c, event, now)
        } else if publications::is_publication_event(event) {
            publications::check_in(c, event, now)
        } else {
            registry::check_in(c, event)
        };
        match checked {
            Ok(()) => {}
            Err(zhifa_domain::view::Refused::Rule(v)) => {
                refused.push((i, v));
                continue;
            }
            Err(zhifa_domain::view::Refused::Many(vs)) => {
                refused.extend(vs.into_iter().map(|v| (i, v)));
                continue;
            }
            Err(zhifa_domain::view::Refused::View(e)) => return Err(AppendError::Store(e)),
        }
        if !refused.is_empty() {
            // Keep checking later events, but write nothing more.
            continue;
        }
        out.push(insert_record(c, *seq, &job.actor, now, event)?);
        registry::apply(c, *seq, event)?;
        cases::apply(c, *seq, event)?;
        publications::apply(c, *seq, event)?;
        *seq += 1;
    }
    if !refused.is_empty() {
        return Err(AppendError::RefusedMany(refused));
    }
    if let Some(effect) = job.effect.take() {
        effect(c)?;
    }
    Ok(out)
}

fn next_seq(c: &mut dyn Conn) -> Result<i64, StoreError> {
    let r = c.query_opt("SELECT MAX(seq) FROM records", &[])?;
    // MAX of no rows is NULL.
    Ok(match r {
        Some(r) => r.opt_int(0)?.map_or(0, |n| n + 1),
        None => 0,
    })
}

fn insert_record(
    c: &mut dyn Conn,
    seq: i64,
    actor: &Actor,
    now: Timestamp,
    event: &Event,
) -> Result<Record, StoreError> {
    let body = serde_json::to_value(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let text = serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let micros = now.as_microsecond();
    c.execute(
        "INSERT INTO records (seq, kind, subject, actor, recorded_at, body) VALUES ($1, $2, $3, $4, $5, $6)",
        &[seq.into(), event.kind().into(), event.subject().into(), actor.0.as_str().into(), micros.into(), text.into()],
    )?;
    Ok(Record {
        seq,
        kind: event.kind().to_string(),
        subject: event.subject(),
        actor: actor.0.clone(),
        recorded_at: Timestamp::from_microsecond(micros).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        body,
    })
}

pub(crate) fn record_from_row(r: &sql::Row) -> Result<Record, StoreError> {
    Ok(Record {
        seq: r.int(0)?,
        kind: r.text(1)?.to_string(),
        subject: r.text(2)?.to_string(),
        actor: r.text(3)?.to_string(),
        recorded_at: Timestamp::from_microsecond(r.int(4)?).map_err(|e| r.corrupt(4, e.to_string()))?,
        body: r.json(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{backends, fixtures};

    fn actor() -> Actor {
        Actor("test".into())
    }

    /// REC-1, LOG-1 and the store's durability contract (ARCHITECTURE.md: nothing
    /// acknowledged is lost, nothing unacknowledged is half-written): a panic while the
    /// committer writes a group answers that group's callers with an error, leaves nothing
    /// of it in the records, projections, leaves or tiles, and the committer goes on —
    /// later appends get the next seq with no gap and the log verifies.
    #[test]
    fn rec1_log1_a_panic_in_the_committer_writes_nothing_and_later_appends_go_on() {
        let signer = zhifa_log::Ed25519Signer::from_seed("zhifa.test/log", &[7; 32]).unwrap();
        let signers: [&dyn zhifa_log::NoteSigner; 1] = [&signer];
        for t in backends() {
            let b = t.backend;
            let s = t.open();
            s.append_batch(&actor(), fixtures::registry()).expect("fixture registry is valid");
            s.sign_checkpoint("zhifa.test/log", &signers).unwrap();
            for (i, fault) in [Fault::InJob, Fault::BeforeCommit, Fault::InJob].into_iter().enumerate() {
                let agency = fixtures::agency(3 + i as u32);
                let code = agency.code.as_str().to_string();
                let before = s.record_count().unwrap();

                *s.fault.lock().unwrap() = Some(fault);
                let e = s.append(&actor(), Event::AgencyRegistered { agency: agency.clone() }).expect_err("panicked");
                let AppendError::Store(StoreError::CommitPanicked(msg)) = &e else {
                    panic!("{b} {fault:?}: expected CommitPanicked, got {e:?}")
                };
                assert!(msg.contains("注入的故障"), "{b} {fault:?}: the panic's message: {msg}");
                assert!(e.to_string().starts_with("提交时内部错误，本次写入未保存"), "{b}: {e}");
                assert_eq!(s.record_count().unwrap(), before, "{b} {fault:?}: no record written");
                assert_eq!(s.tree_size().unwrap(), before as u64, "{b} {fault:?}: no leaf written");
                assert!(s.agency(&code).unwrap().is_none(), "{b} {fault:?}: no projection written");

                // The committer is still there, and the next append takes the seq the
                // failed one would have had.
                let rec = s.append(&actor(), Event::AgencyRegistered { agency }).expect("the committer goes on");
                assert_eq!(rec.seq, before, "{b} {fault:?}: seq stays gapless");
                assert!(s.agency(&code).unwrap().is_some(), "{b}");
                let cp = s.sign_checkpoint("zhifa.test/log", &signers).unwrap().expect("the tree grew");
                assert_eq!(cp.size, before as u64 + 1, "{b}");
            }
            // Concurrent writers after the panics still get gapless seqs (several groups).
            std::thread::scope(|scope| {
                for k in 0..4 {
                    let s = s.clone();
                    scope.spawn(move || {
                        let event = Event::TrainingRecorded {
                            staff_no: "A1".into(),
                            year: 2030 + k,
                            hours: 8,
                            course: "安全生产".into(),
                        };
                        s.append(&actor(), event).unwrap();
                    });
                }
            });
            let n = s.record_count().unwrap();
            let seqs: Vec<i64> = s.records(None, -1, 1000).unwrap().iter().map(|r| r.seq).collect();
            assert_eq!(seqs, (0..n).collect::<Vec<_>>(), "{b}: gapless");
            let report = s.verify_log(Some(&signer.verifier())).unwrap();
            assert!(report.ok(), "{b}: {:?}", report.problems);
            assert_eq!(report.leaves, n as u64, "{b}: leaves and records agree");
            assert!(
                s.sign_checkpoint("zhifa.test/log", &signers).unwrap().is_some(),
                "{b}: the new tree extends the old"
            );
        }
    }
}
