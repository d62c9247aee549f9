//! The case engine's two entry points for code outside the faces — `zhifa demo`'s decided
//! cases and the portal benchmark's seed — until the case use cases are
//! `zhifa_app::cases` (issue 13); then those callers use them and this module goes.

use zhifa_domain::account::Account;
use zhifa_domain::case::Step;
use zhifa_store::{Record, Store};

pub use crate::cases::OpenInput;
use crate::error::ApiResult;

/// Opens a case for `me` (CASE-1).
pub fn open(store: &Store, me: &Account, input: OpenInput) -> ApiResult<Record> {
    crate::cases::open(store, me, input)
}

/// Records a step of case `number` by `me` through the case engine.
pub fn record(store: &Store, me: &Account, number: &str, step: Step) -> ApiResult<Record> {
    crate::cases::record(store, me, number, step)
}
