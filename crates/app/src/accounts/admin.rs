//! The administrators' use cases (SEC-3): the system administrator's accounts and roles
//! (SEC-2) and temporary passwords (SEC-1); the security administrator's settings (TOTP
//! per role) and second-factor resets (SEC-1). Every change is a record (SEC-4).

use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_domain::security::SecuritySettings;
use zhifa_store::Paging;

use super::{actor, hash_password};
use crate::App;
use crate::access::{self, ACCOUNT_ADMINS, SECURITY_ADMINS};
use crate::error::{Error, Result};

/// The agencies an account can belong to: (code, name).
pub type Agencies = Vec<(String, String)>;

fn agencies(app: &App) -> Result<Agencies> {
    Ok(app
        .store
        .agencies(&Default::default(), Paging { offset: 0, limit: 500 })?
        .items
        .into_iter()
        .map(|a| (a.code.to_string(), a.name))
        .collect())
}

/// Every account, and the agencies one can belong to.
pub struct Users {
    pub accounts: Vec<Account>,
    pub agencies: Agencies,
}

/// SEC-2: the accounts, for the system administrator.
pub fn users(app: &App, me: &Account) -> Result<Users> {
    access::require(me, ACCOUNT_ADMINS)?;
    Ok(Users { accounts: app.store.accounts()?, agencies: agencies(app)? })
}

/// One account as its administrator sees it.
pub struct AccountView {
    pub account: Account,
    pub agencies: Agencies,
    /// Locked after too many failed logins, until then (SEC-1).
    pub locked_until: Option<jiff::Timestamp>,
    pub has_password: bool,
    pub totp: bool,
}

/// SEC-2: the account `login`, for the system administrator.
pub fn account(app: &App, me: &Account, login: &str) -> Result<AccountView> {
    access::require(me, ACCOUNT_ADMINS)?;
    let store = &app.store;
    let account = store.account(login)?.ok_or_else(|| Error::NotFound(format!("账号 {login} ")))?;
    let cred = store.credential(login)?;
    let now = store.now();
    Ok(AccountView {
        account,
        agencies: agencies(app)?,
        locked_until: cred.as_ref().and_then(|c| c.locked_until).filter(|u| *u > now),
        has_password: cred.is_some(),
        totp: store.totp_secret(login)?.is_some_and(|t| t.confirmed),
    })
}

/// SEC-2, SEC-3: creates an account with an initial password, which its holder changes
/// at the first login (SEC-1). Answers the login.
pub fn create_account(app: &App, me: &Account, account: Account, password: &str) -> Result<String> {
    access::require(me, ACCOUNT_ADMINS)?;
    // The domain refuses two administrator roles on one account (SEC-3) and the rest.
    account.validate()?;
    app.passwords.check(password)?;
    let login = account.login.clone();
    app.store.create_account(&actor(me), account, hash_password(password))?;
    Ok(login)
}

/// SEC-2, SEC-3: saves an account as described — roles, agency, staff number, disabled
/// (which ends its sessions and revokes its tokens) — with the reason.
pub fn change_account(app: &App, me: &Account, account: Account, reason: &str) -> Result<()> {
    access::require(me, ACCOUNT_ADMINS)?;
    if app.store.account(&account.login)?.is_none() {
        return Err(Error::NotFound(format!("账号 {} ", account.login)));
    }
    // The administrator cannot lock the platform out of its own administration.
    if account.login == me.login && (account.disabled || !account.has(Role::SystemAdmin)) {
        return Err(Error::Rule(Violation::new("SEC-3", "不能停用自己的账号或取消自己的系统管理员角色").at("roles")));
    }
    account.validate()?;
    Ok(app.store.change_account(&actor(me), account, reason)?)
}

/// SEC-1: sets a temporary password under the password policy (its holder must change
/// it first); it also lifts a lockout.
pub fn set_temporary_password(app: &App, me: &Account, login: &str, password: &str) -> Result<()> {
    access::require(me, ACCOUNT_ADMINS)?;
    if app.store.account(login)?.is_none() {
        return Err(Error::NotFound(format!("账号 {login} ")));
    }
    app.passwords.check(password)?;
    Ok(app.store.set_temporary_password(&actor(me), login, hash_password(password))?)
}

/// The security settings and who has a second factor.
pub struct Security {
    pub settings: SecuritySettings,
    /// The logins with a confirmed second factor.
    pub totp: Vec<String>,
}

/// SEC-1: the security settings, for the security administrator.
pub fn security(app: &App, me: &Account) -> Result<Security> {
    access::require(me, SECURITY_ADMINS)?;
    Ok(Security { settings: app.store.security_settings()?, totp: app.store.totp_logins()? })
}

/// SEC-1: sets which roles must use a second factor.
pub fn set_security(app: &App, me: &Account, settings: SecuritySettings) -> Result<()> {
    access::require(me, SECURITY_ADMINS)?;
    app.store.append(&actor(me), Event::SecuritySettingsSet { settings })?;
    Ok(())
}

/// SEC-1: removes a login's second factor, with the reason; its sessions end.
pub fn reset_totp(app: &App, me: &Account, login: &str, reason: &str) -> Result<()> {
    access::require(me, SECURITY_ADMINS)?;
    if !app.store.totp_secret(login)?.is_some_and(|t| t.confirmed) {
        return Err(Error::Rule(Violation::new("SEC-1", format!("账号 {login} 未绑定动态口令")).at("login")));
    }
    Ok(app.store.reset_totp(&actor(me), login, reason)?)
}
