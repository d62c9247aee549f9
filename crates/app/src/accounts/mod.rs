//! Accounts (SEC-1..4): the API tokens — what a token is, what the store keeps of it, and
//! the record that issues one (the CLI, the benches and the tests issue them) — the actor
//! an account's records are written as, logging in ([`login`]: passwords, the second
//! factor, sessions), the administrators' use cases ([`admin`]) and TOTP ([`totp`]).

pub mod admin;
pub mod login;
pub mod totp;

pub use login::hash_password;

use sha2::{Digest, Sha256};
use zhifa_domain::account::Account;
use zhifa_domain::event::Event;
use zhifa_store::Actor;

/// SHA-256 of a token, hex: what the store keeps (tokens are 256-bit random, so a fast
/// hash is enough; the token itself is never stored).
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random API token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("zhifa_{}", hex::encode(bytes))
}

/// A token's id: a slice of its random part, which names it without revealing it.
pub fn token_id(token: &str) -> &str {
    &token[6..18]
}

/// A new API token for `login` and the record that creates it (only its SHA-256 is kept).
pub fn issue_token(login: &str, label: &str) -> (String, Event) {
    let token = new_token();
    let event = Event::TokenCreated {
        id: token_id(&token).into(),
        login: login.into(),
        token_sha256: token_digest(&token),
        label: label.into(),
    };
    (token, event)
}

/// Who an account's records are written as (`account:<login>`).
pub fn actor(me: &Account) -> Actor {
    Actor(format!("account:{}", me.login))
}
