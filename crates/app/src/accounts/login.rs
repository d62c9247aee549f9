//! SEC-1 login for people: Argon2id passwords, lockout, the TOTP second factor, browser
//! sessions with idle and absolute timeouts, password changes and TOTP enrolment. Every
//! attempt, logout, enrolment and rejected code is a record (SEC-4).
//!
//! The JSON login and the staff login form share the checks here; resolving a session or
//! a token to its account (what the route guards ask) is here too. Cookies and CSRF
//! checks are the faces' business.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};
use zhifa_store::LoginState;

use super::{actor, token_digest, totp};
use crate::App;
use crate::error::{Error, Result};

/// Hashes a password with Argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 with its defaults").to_string()
}

fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the login is unknown, so both cases take as long.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&hex::encode(rand::random::<[u8; 16]>())))
}

const BAD_LOGIN: &str = "用户名或密码错误";

/// A refusal for the person (the message says why), as the login checks answer it.
pub type Refusal<T> = std::result::Result<T, String>;

/// SEC-1: checks a password against the lockout. `Ok(Err(message))` is a refusal for the
/// person; it is recorded and counts toward the lockout (SEC-4).
fn check_password(app: &App, login: &str, password: &str) -> Result<Refusal<Account>> {
    let store = &app.store;
    let policy = &app.sessions;
    let now = store.now();
    let fail = |reason: &str, message: String| -> Result<Refusal<Account>> {
        let lock_until = now + jiff::SignedDuration::from_secs(policy.lockout_secs);
        store.record_login_failure(login, reason, policy.max_failures, lock_until)?;
        Ok(Err(message))
    };
    let (Some(cred), Some(account)) = (store.credential(login)?, store.account(login)?) else {
        let _ = verify_password(decoy(), password);
        return fail("未知账号或未设置密码", BAD_LOGIN.into());
    };
    if let Some(until) = cred.locked_until.filter(|u| *u > now) {
        let local = until.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)));
        return fail("账号已锁定", format!("连续登录失败次数过多，账号已锁定至 {}", local.strftime("%Y-%m-%d %H:%M")));
    }
    if !verify_password(&cred.phc, password) {
        let left = policy.max_failures.saturating_sub(cred.failed + 1);
        let msg = if left == 0 {
            format!("{BAD_LOGIN}；账号已锁定 {} 分钟", policy.lockout_secs / 60)
        } else {
            format!("{BAD_LOGIN}；再失败 {left} 次账号将被锁定")
        };
        return fail("密码错误", msg);
    }
    // SEC-2: a disabled account cannot log in; only the right password learns why.
    if account.disabled {
        return fail("账号已停用", "该账号已停用，请联系系统管理员（SEC-2）".into());
    }
    Ok(Ok(account))
}

/// Whether the account has confirmed a TOTP second factor.
fn has_totp(app: &App, login: &str) -> Result<bool> {
    Ok(app.store.totp_secret(login)?.is_some_and(|t| t.confirmed))
}

/// SEC-1: checks a TOTP code of an account with a second factor; each time step is used
/// once. `Ok(Err(message))` is a refusal for the person, recorded and counted toward the
/// lockout (SEC-4).
fn check_totp(app: &App, login: &str, code: &str) -> Result<Refusal<()>> {
    let store = &app.store;
    let now = store.now();
    let Some(secret) = store.totp_secret(login)?.filter(|t| t.confirmed) else {
        return Ok(Err("该账号未绑定动态口令".into()));
    };
    if store.credential(login)?.and_then(|c| c.locked_until).is_some_and(|u| u > now) {
        return Ok(Err("连续验证失败次数过多，账号已锁定".into()));
    }
    let lock = Some((app.sessions.max_failures, now + jiff::SignedDuration::from_secs(app.sessions.lockout_secs)));
    let Some(step) = totp::verify(&secret.secret, code, now) else {
        store.record_totp_failure(login, "登录时动态口令错误", lock)?;
        return Ok(Err("动态口令错误，请核对身份验证器上的当前口令".into()));
    };
    if !store.use_totp_step(login, step)? {
        store.record_totp_failure(login, "动态口令重复使用", lock)?;
        return Ok(Err("该动态口令已使用过，请等待下一个口令".into()));
    }
    Ok(Ok(()))
}

/// A new browser session: its id (the cookie's value) and its CSRF token.
pub struct NewSession {
    pub id: String,
    pub csrf: String,
}

fn open_session(app: &App, login: &str) -> Result<NewSession> {
    let id = hex::encode(rand::random::<[u8; 32]>());
    let csrf = hex::encode(rand::random::<[u8; 16]>());
    app.store.open_session(login, &token_digest(&id), &csrf)?;
    Ok(NewSession { id, csrf })
}

// ---------------------------------------------------------------------------------------
// the JSON login

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub login: String,
    pub password: String,
    /// The current TOTP code, for an account with a second factor (SEC-1).
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct WhoAmI {
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Send it back in `X-CSRF-Token` with every state-changing request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf: Option<String>,
}

/// SEC-1: logs in with the password and, for an account with a second factor, its code;
/// answers the new session's id and who is logged in.
pub fn login(app: &App, input: LoginInput) -> Result<(String, WhoAmI)> {
    let login = input.login.trim().to_string();
    let refused = |m: String| Error::Unauthorized(Violation::new("SEC-1", m));
    let account = check_password(app, &login, &input.password)?.map_err(refused)?;
    // SEC-1: the second factor, here as on the staff login form.
    if has_totp(app, &login)? {
        let code = input.totp.as_deref().unwrap_or_default();
        if code.is_empty() {
            return Err(refused("该账号须同时提供动态口令（totp）".into()));
        }
        check_totp(app, &login, code)?.map_err(refused)?;
    } else if app.store.security_settings()?.requires_totp(&account.roles) {
        return Err(refused("该角色须使用动态口令：请先在员工端登录并绑定".into()));
    }
    // SEC-1: a password an administrator set is changed in the staff application first.
    if app.store.credential(&login)?.is_some_and(|c| c.must_change) {
        return Err(refused("该账号的密码由管理员设置：请先在员工端登录并修改密码".into()));
    }
    let s = open_session(app, &login)?;
    let who = WhoAmI { login, display_name: account.display_name, roles: account.roles, csrf: Some(s.csrf) };
    Ok((s.id, who))
}

/// Who is logged in, with the CSRF token of the session `session_id` (if it is one).
pub fn whoami(app: &App, me: &Account, session_id: Option<&str>) -> Result<WhoAmI> {
    let csrf = match session_id {
        Some(id) => app.store.session(&token_digest(id))?.map(|s| s.csrf),
        None => None,
    };
    Ok(WhoAmI { login: me.login.clone(), display_name: me.display_name.clone(), roles: me.roles.clone(), csrf })
}

/// SEC-1: ends the session `session_id` (the logout is recorded, SEC-4).
pub fn logout(app: &App, me: &Account, session_id: &str) -> Result<()> {
    Ok(app.store.close_session(&token_digest(session_id), &me.login)?)
}

// ---------------------------------------------------------------------------------------
// the staff login form: the password, then the code on its own page

/// How long a password-checked login waits for its code.
pub const PENDING_SECS: i64 = 300;

/// What the password step of the staff login form leads to.
pub enum PasswordStep {
    Refused(String),
    /// Logged in: the new session's id.
    Session(String),
    /// Password right; the code is awaited under this pending id.
    NeedsCode(String),
}

/// SEC-1: the staff login form's password.
pub fn login_password(app: &App, login: &str, password: &str) -> Result<PasswordStep> {
    if let Err(message) = check_password(app, login, password)? {
        return Ok(PasswordStep::Refused(message));
    }
    if has_totp(app, login)? {
        let id = hex::encode(rand::random::<[u8; 32]>());
        app.store.add_pending_login(&token_digest(&id), login)?;
        return Ok(PasswordStep::NeedsCode(id));
    }
    Ok(PasswordStep::Session(open_session(app, login)?.id))
}

/// What the code step of the staff login form leads to.
pub enum CodeStep {
    /// No such pending login, or it waited too long: start again from the password.
    Expired,
    Wrong(String),
    /// Logged in: the new session's id.
    Session(String),
}

/// SEC-1: the staff login form's TOTP code for the pending login `pending`.
pub fn login_code(app: &App, pending: &str, code: &str) -> Result<CodeStep> {
    let store = &app.store;
    let digest = token_digest(pending);
    let Some((login, since)) = store.pending_login(&digest)? else { return Ok(CodeStep::Expired) };
    if (store.now() - since).get_seconds() > PENDING_SECS || !has_totp(app, &login)? {
        store.drop_pending_login(&digest)?;
        return Ok(CodeStep::Expired);
    }
    if let Err(message) = check_totp(app, &login, code)? {
        // A locked account starts again from the password.
        if store.credential(&login)?.and_then(|c| c.locked_until).is_some_and(|u| u > store.now()) {
            store.drop_pending_login(&digest)?;
        }
        return Ok(CodeStep::Wrong(message));
    }
    store.drop_pending_login(&digest)?;
    Ok(CodeStep::Session(open_session(app, &login)?.id))
}

// ---------------------------------------------------------------------------------------
// resolving a caller (the route guards)

/// A browser session, as its idle and absolute limits leave it (SEC-1).
pub enum SessionState {
    Unknown,
    /// Ended now (closed, the logout recorded): `idle` or too old.
    Ended {
        idle: bool,
    },
    /// Live: its CSRF token, and its account's state (`None`: the account is gone).
    Live {
        csrf: String,
        login: Option<LoginState>,
    },
}

/// SEC-1: the session whose id is `session_id`, with its idle and absolute limits
/// applied; a live session's last activity is refreshed at most every 15 s (or half the
/// idle limit, if shorter).
pub fn session(app: &App, session_id: &str) -> Result<SessionState> {
    let store = &app.store;
    let digest = token_digest(session_id);
    let Some(session) = store.session(&digest)? else { return Ok(SessionState::Unknown) };
    let now = store.now();
    let idle = (now - session.last_seen).get_seconds() > app.sessions.idle_secs;
    let old = (now - session.created_at).get_seconds() > app.sessions.absolute_secs;
    if idle || old {
        store.close_session(&digest, &session.login)?;
        return Ok(SessionState::Ended { idle });
    }
    if (now - session.last_seen).get_seconds() >= 15.min(app.sessions.idle_secs / 2) {
        store.touch_session(&digest)?;
    }
    Ok(SessionState::Live { csrf: session.csrf, login: store.login_state(&session.login)? })
}

/// SEC-1: whether a role of the account must use a second factor it has not bound yet.
pub fn must_enrol(app: &App, login: &LoginState) -> Result<bool> {
    Ok(!login.totp && app.store.security_settings()?.requires_totp(&login.account.roles))
}

/// SEC-1, SEC-2: the account of an API token, unless it is unknown or disabled.
pub fn token_account(app: &App, token: &str) -> Result<Account> {
    app.store.account_by_token(&token_digest(token))?.filter(|a| !a.disabled).ok_or(Error::Unauthenticated)
}

// ---------------------------------------------------------------------------------------
// my account: the password, the second factor

/// Whether `me` has a confirmed second factor.
pub fn totp_enabled(app: &App, me: &Account) -> Result<bool> {
    has_totp(app, &me.login)
}

/// SEC-1: changes my password under the password policy; answers whether I have a second
/// factor (the account page shows it).
pub fn change_password(app: &App, me: &Account, current: &str, new: &str, again: &str) -> Result<bool> {
    let store = &app.store;
    let login = &me.login;
    if !store.credential(login)?.is_some_and(|c| verify_password(&c.phc, current)) {
        return Err(Error::Rule(Violation::new("SEC-1", "当前密码不正确").at("current")));
    }
    if new != again {
        return Err(Error::Rule(Violation::new("SEC-5", "两次输入的新密码不一致").at("again")));
    }
    app.passwords.check(new)?;
    store.set_password(&actor(me), login, hash_password(new))?;
    has_totp(app, login)
}

/// Where my TOTP enrolment stands.
pub enum Enrolment {
    /// A second factor is bound.
    Done,
    /// To be confirmed with a code of `secret`; `required`: my role must use one.
    Pending { secret: String, required: bool },
}

/// SEC-1: my TOTP enrolment, begun with a new secret if none is pending.
pub fn totp_enrolment(app: &App, me: &Account) -> Result<Enrolment> {
    let store = &app.store;
    let required = store.security_settings()?.requires_totp(&me.roles);
    match store.totp_secret(&me.login)? {
        Some(t) if t.confirmed => Ok(Enrolment::Done),
        Some(t) => Ok(Enrolment::Pending { secret: t.secret, required }),
        None => {
            let secret = totp::new_secret();
            store.begin_totp(&me.login, &secret)?;
            Ok(Enrolment::Pending { secret, required })
        }
    }
}

/// SEC-1: confirms my pending TOTP secret with a code; a wrong code is recorded and the
/// enrolment stays pending.
pub fn confirm_totp(app: &App, me: &Account, code: &str) -> Result<Enrolment> {
    let store = &app.store;
    let required = store.security_settings()?.requires_totp(&me.roles);
    let Some(t) = store.totp_secret(&me.login)?.filter(|t| !t.confirmed) else {
        return Ok(Enrolment::Done);
    };
    match totp::verify(&t.secret, code, store.now()) {
        Some(step) => {
            store.confirm_totp(&me.login, &t.secret, step)?;
            Ok(Enrolment::Done)
        }
        None => {
            store.record_totp_failure(&me.login, "绑定时动态口令错误", None)?;
            Ok(Enrolment::Pending { secret: t.secret, required })
        }
    }
}
