//! Credentials and sessions (SEC-1), kept beside the records: every change of them is
//! written in the same transaction as the record that states it (SEC-4), but the password
//! hash and the session secrets themselves are never in a record.

use jiff::Timestamp;
use zhifa_domain::account::Account;
use zhifa_domain::event::Event;

use crate::sql::Conn;
use crate::{Actor, AppendError, Store, StoreError};

/// A login's password hash (PHC string) and lockout state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub login: String,
    pub phc: String,
    /// Failed attempts in a row.
    pub failed: u32,
    pub locked_until: Option<Timestamp>,
    /// SEC-1: set by an administrator; the owner must change it before anything else.
    pub must_change: bool,
}

/// A browser session, keyed by the SHA-256 of its cookie value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub login: String,
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen: Timestamp,
}

/// Ends every session of a login, and any login waiting for its second factor.
fn end_sessions(c: &mut dyn Conn, login: &str) -> Result<(), StoreError> {
    c.execute("DELETE FROM sessions WHERE login = $1", &[login.into()])?;
    c.execute("DELETE FROM totp_pending WHERE login = $1", &[login.into()])?;
    Ok(())
}

/// SEC-1: one more failed attempt in a row; at `max_failures` the login locks until
/// `lock_until`. Unknown logins have no row, so nothing changes for them.
fn count_failure(login: &str, max_failures: u32, lock_until: Timestamp) -> crate::Effect {
    let login = login.to_string();
    Box::new(move |c: &mut dyn Conn| {
        c.execute(
            "UPDATE credentials SET failed = failed + 1,
               locked_until = CASE WHEN failed + 1 >= $2 THEN $3 ELSE locked_until END
             WHERE login = $1",
            &[login.into(), (max_failures as i64).into(), lock_until.as_microsecond().into()],
        )?;
        Ok(())
    })
}

fn ts(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    pub fn credential(&self, login: &str) -> Result<Option<Credential>, StoreError> {
        self.read(|c| {
            let Some(r) = c.query_opt(
                "SELECT login, phc, failed, locked_until, must_change FROM credentials WHERE login = $1",
                &[login.into()],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(Credential {
                login: r.text(0)?.into(),
                phc: r.text(1)?.into(),
                failed: r.int(2)? as u32,
                locked_until: r.opt_int(3)?.map(ts).transpose()?,
                must_change: r.int(4)? != 0,
            }))
        })
    }

    /// Sets a login's password hash (and lifts any lock), recording that it changed: the
    /// owner's own change (or the operator's, from the command line).
    pub fn set_password(&self, actor: &Actor, login: &str, phc: String) -> Result<(), AppendError> {
        self.record_password(actor, login, phc, false)
    }

    /// An administrator's reset: like [`Store::set_password`], but the owner must change
    /// the password at the next login (SEC-1).
    pub fn set_temporary_password(&self, actor: &Actor, login: &str, phc: String) -> Result<(), AppendError> {
        self.record_password(actor, login, phc, true)
    }

    fn record_password(&self, actor: &Actor, login: &str, phc: String, must_change: bool) -> Result<(), AppendError> {
        let effect = self.put_password(login, phc, must_change);
        self.append_with(actor, vec![Event::PasswordChanged { login: login.into() }], Some(effect)).map(|_| ())
    }

    /// Creates an account with its first password, in one transaction: both or neither.
    /// The owner changes the password at the first login (SEC-1).
    pub fn create_account(&self, actor: &Actor, account: Account, phc: String) -> Result<(), AppendError> {
        let login = account.login.clone();
        let effect = self.put_password(&login, phc, true);
        let events = vec![Event::AccountCreated { account }, Event::PasswordChanged { login }];
        self.append_with(actor, events, Some(effect)).map(|_| ())
    }

    fn put_password(&self, login: &str, phc: String, must_change: bool) -> crate::Effect {
        let (login, now) = (login.to_string(), self.now().as_microsecond());
        Box::new(move |c: &mut dyn Conn| {
            c.execute("DELETE FROM credentials WHERE login = $1", &[login.as_str().into()])?;
            c.execute(
                "INSERT INTO credentials (login, phc, failed, locked_until, changed_at, must_change)
                 VALUES ($1, $2, 0, NULL, $3, $4)",
                &[login.into(), phc.into(), now.into(), (must_change as i64).into()],
            )?;
            Ok(())
        })
    }

    /// SEC-2, SEC-3: the system administrator's change of an account. Disabling it ends its
    /// sessions (and, in the projection, its API tokens) in the same transaction.
    pub fn change_account(&self, actor: &Actor, account: Account, reason: &str) -> Result<(), AppendError> {
        let effect = account.disabled.then(|| {
            let login = account.login.clone();
            Box::new(move |c: &mut dyn Conn| end_sessions(c, &login)) as crate::Effect
        });
        self.append_with(actor, vec![Event::AccountChanged { account, reason: reason.into() }], effect).map(|_| ())
    }

    /// Records a failed login (SEC-4). For a known login, counts the failure and, at
    /// `max_failures` in a row, locks it until `lock_until` (SEC-1).
    pub fn record_login_failure(
        &self,
        login: &str,
        reason: &str,
        max_failures: u32,
        lock_until: Timestamp,
    ) -> Result<(), AppendError> {
        let effect = count_failure(login, max_failures, lock_until);
        let event = Event::LoginFailed { login: login.chars().take(100).collect(), reason: reason.into() };
        self.append_with(&Actor("anonymous".into()), vec![event], Some(effect)).map(|_| ())
    }

    /// Records a successful login and opens a session.
    pub fn open_session(&self, login: &str, id_sha256: &str, csrf: &str) -> Result<(), AppendError> {
        let (login_, id, csrf, now) =
            (login.to_string(), id_sha256.to_string(), csrf.to_string(), self.now().as_microsecond());
        let effect = Box::new(move |c: &mut dyn Conn| {
            c.execute(
                "UPDATE credentials SET failed = 0, locked_until = NULL WHERE login = $1",
                &[login_.as_str().into()],
            )?;
            c.execute(
                "INSERT INTO sessions (id_sha256, login, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
                &[id.into(), login_.into(), csrf.into(), now.into()],
            )?;
            Ok(())
        });
        let actor = Actor(format!("account:{login}"));
        self.append_with(&actor, vec![Event::LoginSucceeded { login: login.into() }], Some(effect)).map(|_| ())
    }

    pub fn session(&self, id_sha256: &str) -> Result<Option<Session>, StoreError> {
        self.read(|c| {
            let Some(r) = c.query_opt(
                "SELECT login, csrf, created_at, last_seen FROM sessions WHERE id_sha256 = $1",
                &[id_sha256.into()],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(Session {
                login: r.text(0)?.into(),
                csrf: r.text(1)?.into(),
                created_at: ts(r.int(2)?)?,
                last_seen: ts(r.int(3)?)?,
            }))
        })
    }

    /// Notes activity on a session (for the idle timeout).
    pub fn touch_session(&self, id_sha256: &str) -> Result<(), StoreError> {
        let now = self.now().as_microsecond();
        self.write(|c| {
            c.execute("UPDATE sessions SET last_seen = $2 WHERE id_sha256 = $1", &[id_sha256.into(), now.into()])
                .map(|_| ())
        })
    }

    /// Ends a session (logout or expiry), recording it.
    pub fn close_session(&self, id_sha256: &str, login: &str) -> Result<(), AppendError> {
        let id = id_sha256.to_string();
        let effect = Box::new(move |c: &mut dyn Conn| {
            c.execute("DELETE FROM sessions WHERE id_sha256 = $1", &[id.into()])?;
            Ok(())
        });
        let actor = Actor(format!("account:{login}"));
        self.append_with(&actor, vec![Event::LoggedOut { login: login.into() }], Some(effect)).map(|_| ())
    }
}

/// What a request made with a session needs to know of its login (SEC-1, SEC-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginState {
    pub account: Account,
    /// The password was set by an administrator and must be changed first.
    pub must_change: bool,
    /// A second factor is bound.
    pub totp: bool,
}

impl Store {
    /// The login's account with its password and second-factor state, in one read; `None`
    /// for an unknown or disabled account.
    pub fn login_state(&self, login: &str) -> Result<Option<LoginState>, StoreError> {
        self.read(|c| {
            let Some(r) = c.query_opt(
                "SELECT a.doc, COALESCE(c.must_change, 0), t.confirmed_at FROM accounts a
                   LEFT JOIN credentials c ON c.login = a.login
                   LEFT JOIN totp_secrets t ON t.login = a.login
                 WHERE a.login = $1",
                &[login.into()],
            )?
            else {
                return Ok(None);
            };
            let account: Account = r.json(0)?;
            let must_change = r.int(1)? != 0;
            let totp = r.opt_int(2)?.is_some();
            Ok((!account.disabled).then_some(LoginState { account, must_change, totp }))
        })
    }
}

/// A login's TOTP second factor (SEC-1): the base32 secret, whether it was confirmed, and
/// the last time step accepted (a code is never accepted twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSecret {
    pub login: String,
    pub secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

impl Store {
    /// The security administrator's settings (SEC-1); the default when never set.
    pub fn security_settings(&self) -> Result<zhifa_domain::security::SecuritySettings, StoreError> {
        self.read(|c| {
            Ok(c.query_opt("SELECT doc FROM platform_settings WHERE key = 'security'", &[])?
                .map(|r| r.json(0))
                .transpose()?
                .unwrap_or_default())
        })
    }

    pub fn totp_secret(&self, login: &str) -> Result<Option<TotpSecret>, StoreError> {
        self.read(|c| {
            let Some(r) = c.query_opt(
                "SELECT login, secret, confirmed_at, last_step FROM totp_secrets WHERE login = $1",
                &[login.into()],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(TotpSecret {
                login: r.text(0)?.into(),
                secret: r.text(1)?.into(),
                confirmed: r.opt_int(2)?.is_some(),
                last_step: r.int(3)?,
            }))
        })
    }

    /// The logins with a confirmed second factor (SEC-1), in order.
    pub fn totp_logins(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            c.query("SELECT login FROM totp_secrets WHERE confirmed_at IS NOT NULL ORDER BY login", &[])?
                .iter()
                .map(|r| r.text(0).map(str::to_owned))
                .collect()
        })
    }

    /// Starts an enrolment with a new secret, replacing an unconfirmed one. A confirmed
    /// factor is kept until the new one is confirmed ([`Store::confirm_totp`]).
    pub fn begin_totp(&self, login: &str, secret: &str) -> Result<(), StoreError> {
        let (login, secret) = (login.to_string(), secret.to_string());
        self.write(move |c| {
            c.execute("DELETE FROM totp_secrets WHERE login = $1 AND confirmed_at IS NULL", &[login.as_str().into()])?;
            c.execute(
                "INSERT INTO totp_secrets (login, secret, confirmed_at, last_step) VALUES ($1, $2, NULL, 0)
                 ON CONFLICT (login) DO NOTHING",
                &[login.into(), secret.into()],
            )?;
            Ok(())
        })
    }

    /// Confirms the enrolment of `secret` (a valid code at `step` was given), recording it.
    pub fn confirm_totp(&self, login: &str, secret: &str, step: i64) -> Result<(), AppendError> {
        let (login_, secret, now) = (login.to_string(), secret.to_string(), self.now().as_microsecond());
        let effect = Box::new(move |c: &mut dyn Conn| {
            c.execute("DELETE FROM totp_secrets WHERE login = $1", &[login_.as_str().into()])?;
            c.execute(
                "INSERT INTO totp_secrets (login, secret, confirmed_at, last_step) VALUES ($1, $2, $3, $4)",
                &[login_.into(), secret.into(), now.into(), step.into()],
            )?;
            Ok(())
        });
        let actor = Actor(format!("account:{login}"));
        self.append_with(&actor, vec![Event::TotpEnrolled { login: login.into() }], Some(effect)).map(|_| ())
    }

    /// SEC-1: the security administrator removes a login's second factor (a lost or
    /// compromised authenticator): the secret and the login's sessions go with the record.
    pub fn reset_totp(&self, actor: &Actor, login: &str, reason: &str) -> Result<(), AppendError> {
        let login_ = login.to_string();
        let effect = Box::new(move |c: &mut dyn Conn| {
            c.execute("DELETE FROM totp_secrets WHERE login = $1", &[login_.as_str().into()])?;
            end_sessions(c, &login_)
        });
        let event = Event::TotpReset { login: login.into(), reason: reason.into() };
        self.append_with(actor, vec![event], Some(effect)).map(|_| ())
    }

    /// Accepts a code's time step for a confirmed factor; `false` if that step (or a later
    /// one) was already used (a replay).
    pub fn use_totp_step(&self, login: &str, step: i64) -> Result<bool, StoreError> {
        let login = login.to_string();
        self.write(move |c| {
            let n = c.execute(
                "UPDATE totp_secrets SET last_step = $2 WHERE login = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
                &[login.into(), step.into()],
            )?;
            Ok(n == 1)
        })
    }

    /// Records a rejected code (SEC-4); at login it also counts toward the lockout (SEC-1).
    pub fn record_totp_failure(
        &self,
        login: &str,
        reason: &str,
        lockout: Option<(u32, Timestamp)>,
    ) -> Result<(), AppendError> {
        let effect = lockout.map(|(max_failures, lock_until)| count_failure(login, max_failures, lock_until));
        let actor = Actor(format!("account:{login}"));
        let event = Event::TotpRejected { login: login.into(), reason: reason.into() };
        self.append_with(&actor, vec![event], effect).map(|_| ())
    }

    /// A password-checked login waiting for its second factor.
    pub fn add_pending_login(&self, id_sha256: &str, login: &str) -> Result<(), StoreError> {
        let (id, login, now) = (id_sha256.to_string(), login.to_string(), self.now().as_microsecond());
        self.write(move |c| {
            c.execute(
                "INSERT INTO totp_pending (id_sha256, login, created_at) VALUES ($1, $2, $3)",
                &[id.into(), login.into(), now.into()],
            )?;
            Ok(())
        })
    }

    /// The pending login (and when it began), if any.
    pub fn pending_login(&self, id_sha256: &str) -> Result<Option<(String, Timestamp)>, StoreError> {
        self.read(|c| {
            c.query_opt("SELECT login, created_at FROM totp_pending WHERE id_sha256 = $1", &[id_sha256.into()])?
                .map(|r| Ok((r.text(0)?.to_string(), ts(r.int(1)?)?)))
                .transpose()
        })
    }

    pub fn drop_pending_login(&self, id_sha256: &str) -> Result<(), StoreError> {
        let id = id_sha256.to_string();
        self.write(move |c| c.execute("DELETE FROM totp_pending WHERE id_sha256 = $1", &[id.into()]).map(|_| ()))
    }
}
