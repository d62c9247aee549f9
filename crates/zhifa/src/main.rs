//! `zhifa`: the command line of the Zhifa administrative law-enforcement platform.

mod demo;
mod logcmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_store::{Actor, Store, StoreConfig};

#[derive(Parser)]
#[command(
    name = "zhifa",
    version,
    about = "Zhifa 行政执法平台 — administrative law enforcement under the three systems",
    long_about = "Zhifa runs administrative law enforcement: the registries of agencies, officers and power items, \
cases with full-process recording, legal review, and publicity.\n\n\
Start here: `zhifa demo` seeds a demo county into ./zhifa-data and serves it on http://127.0.0.1:8080.\n\
Data lives in SQLite under --data-dir by default; pass --database-url postgres://… for PostgreSQL."
)]
struct Cli {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    log: logcmd::LogArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub(crate) struct StoreArgs {
    /// Data directory for the embedded SQLite store and local files.
    #[arg(long, global = true, default_value = "./zhifa-data", env = "ZHIFA_DATA_DIR")]
    pub(crate) data_dir: PathBuf,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://postgres@127.0.0.1:5432/zhifa
    #[arg(long, global = true, env = "ZHIFA_DATABASE_URL")]
    database_url: Option<String>,
    /// Keep evidence files on an S3-protocol server instead of <data-dir>/blobs, e.g.
    /// http://127.0.0.1:9000 (keys from ZHIFA_S3_ACCESS_KEY and ZHIFA_S3_SECRET_KEY).
    #[arg(long, global = true, env = "ZHIFA_S3_URL", requires = "s3_bucket")]
    s3_url: Option<String>,
    /// The bucket for evidence files (it must exist).
    #[arg(long, global = true, env = "ZHIFA_S3_BUCKET")]
    s3_bucket: Option<String>,
}

impl StoreArgs {
    /// The evidence store: S3 when `--s3-url` is given, else `<data-dir>/blobs`.
    fn blobs(&self) -> Result<zhifa_blob::BlobStore> {
        let store = match (&self.s3_url, &self.s3_bucket) {
            (Some(url), Some(bucket)) => {
                let key =
                    |name: &str| std::env::var(name).map_err(|_| format!("使用 --s3-url 时须设置环境变量 {name}"));
                let config =
                    zhifa_blob::S3Config::new(url, bucket, key("ZHIFA_S3_ACCESS_KEY")?, key("ZHIFA_S3_SECRET_KEY")?);
                zhifa_blob::BlobStore::s3(config)
            }
            _ => zhifa_blob::BlobStore::local(self.data_dir.join("blobs")),
        }
        .map_err(|e| e.to_string())?;
        store.check().map_err(|e| format!("证据存储 {} 不可用：{e}", store.describe()))?;
        Ok(store)
    }

    fn config(&self) -> StoreConfig {
        match &self.database_url {
            Some(url) => StoreConfig::Postgres { url: url.clone() },
            None => StoreConfig::Sqlite { data_dir: self.data_dir.clone() },
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        public: PublicArgs,
    },
    /// Seed a demo county (once; re-running reuses it) and serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Seed only; do not serve.
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        public: PublicArgs,
    },
    /// Import registries from XLSX workbooks or CSV files (a directory imports every CSV in
    /// it). A file with any bad row is refused whole; every bad row is listed.
    Import {
        /// .xlsx, .csv (the file name, e.g. officers.csv, names the sheet) or a directory.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export the registries: one XLSX workbook, or a directory of CSV files.
    Export {
        #[arg(long, default_value = "xlsx", value_parser = ["xlsx", "csv"])]
        format: String,
        /// Output file (xlsx) or directory (csv).
        #[arg(long)]
        out: PathBuf,
    },
    /// The working-day calendar (CAL-1).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens (Authorization: Bearer …).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Rebuild every registry table from the records (they are projections of them).
    Rebuild,
    /// The verifiable log: keys, verification, audits (LOG-1..5).
    Log {
        #[command(subcommand)]
        command: logcmd::LogCommand,
    },
}

#[derive(Args, Clone)]
struct PublicArgs {
    /// The absolute URL the platform is reached at, e.g. https://zhifa.example.gov.cn
    /// (certificate QR codes encode it, PUB-3). Default: the listening address.
    #[arg(long, env = "ZHIFA_PUBLIC_URL")]
    public_url: Option<String>,
    /// SEC-1: seconds without activity after which a staff session ends (default 600).
    #[arg(long, env = "ZHIFA_IDLE_TIMEOUT", default_value_t = 600, value_parser = clap::value_parser!(i64).range(5..=86_400))]
    idle_timeout: i64,
    /// A directory of adapted document templates (`penalty_decision.typ`, `common.typ`…)
    /// replacing the embedded ones (CASE-6).
    #[arg(long, env = "ZHIFA_TEMPLATES")]
    templates: Option<PathBuf>,
    /// A directory of licensed official-document fonts (仿宋_GB2312, 方正小标宋…), used
    /// before the vendored Noto Serif CJK.
    #[arg(long, env = "ZHIFA_FONTS")]
    fonts: Option<PathBuf>,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Load a year's State Council holiday arrangement (holiday-cn JSON format).
    Load { file: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account.
    Add {
        login: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role (repeatable): officer, legal_reviewer, agency_head, supervisor, system_admin,
        /// security_admin, audit_admin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The agency's unified social credit code, for agency staff.
        #[arg(long)]
        agency: Option<String>,
    },
    /// Set an account's password, read from standard input (SEC-1 policy applies).
    Passwd { login: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for an account and print it (shown once; only its hash is kept).
    Create {
        login: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

pub(crate) fn open(args: &StoreArgs) -> Result<Store> {
    Store::open(&args.config()).map_err(|e| match &args.database_url {
        Some(_) => format!("无法打开 PostgreSQL 数据库: {e}"),
        None => format!("无法打开数据目录 {}: {e}", args.data_dir.display()),
    })
}

fn cli_actor() -> Actor {
    Actor("cli".into())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { listen, public } => {
            let store = open(&cli.store)?;
            let log = logcmd::config(&cli.log, &cli.store.data_dir)?;
            serve(store, cli.store.blobs()?, log, &listen, public, None)
        }
        Command::Demo { listen, no_serve, public } => {
            let store = open(&cli.store)?;
            let log = logcmd::config(&cli.log, &cli.store.data_dir)?;
            let access = demo::seed(&store, &cli.store.data_dir)?;
            let banner = format!(
                "  管理员令牌（Authorization: Bearer …）: {}\n  演示账号（在 /staff/login 登录，或 POST /api/v1/session）:\n{}",
                access.token,
                access.accounts.lines().map(|l| format!("    {l}\n")).collect::<String>()
            );
            if no_serve {
                print!("演示数据已就绪。\n{banner}");
                return Ok(());
            }
            serve(store, cli.store.blobs()?, log, &listen, public, Some(banner))
        }
        Command::Log { command } => logcmd::run(command, &cli.store, &cli.log),
        Command::Import { files } => {
            let store = open(&cli.store)?;
            let tables = read_tables(&files)?;
            match zhifa_app::import::import_tables(&store, &cli_actor(), &tables) {
                Ok(n) => {
                    println!("导入完成：写入 {n} 条记录");
                    Ok(())
                }
                Err(rows) => {
                    for r in &rows {
                        eprintln!("  {r}");
                    }
                    Err(format!("导入被拒绝：{} 处错误，未写入任何数据", rows.len()))
                }
            }
        }
        Command::Export { format, out } => {
            let store = open(&cli.store)?;
            let tables = zhifa_sheets::export(&store.snapshot().map_err(|e| e.to_string())?);
            if format == "xlsx" {
                let bytes = zhifa_sheets::write_xlsx(&tables).map_err(|e| e.to_string())?;
                std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
            } else {
                std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
                for t in &tables {
                    let p = out.join(format!("{}.csv", t.name));
                    std::fs::write(&p, zhifa_sheets::write_csv(t)).map_err(|e| format!("{}: {e}", p.display()))?;
                }
            }
            println!("已导出到 {}", out.display());
            Ok(())
        }
        Command::Calendar { command: CalendarCommand::Load { file } } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let year = zhifa_domain::calendar::HolidayYear::from_holiday_cn_json(&text).map_err(|e| e.to_string())?;
            let y = year.year;
            let store = open(&cli.store)?;
            store.append(&cli_actor(), Event::CalendarYearLoaded { year }).map_err(|e| e.to_string())?;
            println!("已载入 {y} 年节假日安排");
            Ok(())
        }
        Command::User { command: UserCommand::Add { login, name, roles, agency } } => {
            let roles = roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| format!("未知角色「{r}」")))
                .collect::<Result<Vec<_>>>()?;
            let agency =
                agency.map(|a| zhifa_domain::codes::CreditCode::parse(&a).map_err(|e| e.to_string())).transpose()?;
            let store = open(&cli.store)?;
            let account =
                Account { login: login.clone(), display_name: name, roles, agency, staff_no: None, disabled: false };
            store.append(&cli_actor(), Event::AccountCreated { account }).map_err(|e| e.to_string())?;
            println!("已创建账号 {login}");
            Ok(())
        }
        Command::User { command: UserCommand::Passwd { login } } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(|e| e.to_string())?;
            let password = password.trim_end_matches(['\n', '\r']);
            zhifa_domain::security::PasswordPolicy::default().check(password).map_err(|v| v.to_string())?;
            let store = open(&cli.store)?;
            store
                .set_password(&cli_actor(), &login, zhifa_app::accounts::hash_password(password))
                .map_err(|e| e.to_string())?;
            println!("已设置 {login} 的密码");
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { login, label } } => {
            let store = open(&cli.store)?;
            let (id, token) = create_token(&store, &login, &label)?;
            println!("令牌编号: {id}\n令牌（只显示这一次，请妥善保存）:\n{token}");
            Ok(())
        }
        Command::Token { command: TokenCommand::Revoke { id } } => {
            let store = open(&cli.store)?;
            store.append(&cli_actor(), Event::TokenRevoked { id: id.clone() }).map_err(|e| e.to_string())?;
            println!("已吊销令牌 {id}");
            Ok(())
        }
        Command::Rebuild => {
            let store = open(&cli.store)?;
            store.rebuild_projections().map_err(|e| e.to_string())?;
            println!("已由记录重建全部登记表");
            Ok(())
        }
    }
}

pub(crate) fn create_token(store: &Store, login: &str, label: &str) -> Result<(String, String)> {
    let (token, event) = zhifa_app::accounts::issue_token(login, label);
    let id = zhifa_app::accounts::token_id(&token).to_string();
    store.append(&cli_actor(), event).map_err(|e| e.to_string())?;
    Ok((id, token))
}

fn read_tables(paths: &[PathBuf]) -> Result<Vec<zhifa_sheets::Table>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect();
            entries.sort();
            files.extend(entries);
        } else {
            files.push(p.clone());
        }
    }
    let mut tables = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        match f.extension().and_then(|x| x.to_str()) {
            Some("xlsx") => tables.extend(zhifa_sheets::read_workbook(&bytes).map_err(|e| e.to_string())?),
            Some("csv") => {
                let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                let key = zhifa_sheets::sheet_key(stem);
                if !zhifa_sheets::SHEETS.iter().any(|s| s.0 == key) {
                    return Err(format!("{}: 文件名须为工作表名，如 officers.csv", f.display()));
                }
                tables.push(zhifa_sheets::read_csv(&key, &bytes).map_err(|e| e.to_string())?);
            }
            _ => return Err(format!("{}: 只能导入 .xlsx 或 .csv 文件", f.display())),
        }
    }
    Ok(tables)
}

fn serve(
    store: Store,
    blobs: zhifa_blob::BlobStore,
    log: zhifa_app::log::LogConfig,
    listen: &str,
    public: PublicArgs,
    banner: Option<String>,
) -> Result<()> {
    let PublicArgs { public_url, idle_timeout, templates, fonts } = public;
    let mut font_config = zhifa_render::FontConfig::vendored();
    if let Some(dir) = fonts {
        font_config = font_config.with_dir(dir);
    }
    let renderer =
        zhifa_render::Renderer::new(font_config, templates).map_err(|e| format!("文书模板或字体无法加载：{e}"))?;
    zhifa_app::log::check_not_rewound(&store, &log)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("无法监听 {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
        println!("Zhifa 已启动（{}）: http://{addr}/", store.backend_name());
        println!("  公示平台: {}/public", public_url.trim_end_matches('/'));
        println!("  办案平台（工作人员登录）: {}/staff/login", public_url.trim_end_matches('/'));
        println!("  API 文档: http://{addr}/api/openapi.json");
        println!("  执法主体: http://{addr}/api/v1/agencies");
        if let Some(b) = banner {
            print!("{b}");
        }
        println!("  可验证日志: http://{addr}/log/checkpoint  公钥: {}", log.signer.verifier().vkey());
        println!("  证据存储: {}", blobs.describe());
        let mut app = zhifa_app::App::new(store, log)
            .with_public_url(public_url)
            .with_blobs(blobs, zhifa_blob::Limits::default())
            .with_renderer(renderer);
        app.sessions = std::sync::Arc::new(zhifa_domain::security::SessionPolicy {
            idle_secs: idle_timeout,
            ..Default::default()
        });
        zhifa_web::serve(zhifa_web::AppState::from(app), listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
    })
}
