//! Zhifa's pure domain: types, registries' rules and the working-day calendar.
//!
//! No IO, no async, no database or web types. Time comes in as an argument.

#[macro_use]
mod macros;

pub mod account;
pub mod calendar;
pub mod case;
pub mod citation;
pub mod codes;
pub mod document;
pub mod eligibility;
pub mod event;
pub mod item;
pub mod money;
pub mod penalty;
pub mod procedure;
pub mod publication;
pub mod redact;
pub mod regions;
pub mod registry;
pub mod review;
pub mod security;
pub mod snapshot;
#[doc(hidden)]
pub mod testing;
pub mod view;
pub mod violation;

pub use violation::Violation;
