//! What the checks of records read of the current state: the registry as the write
//! transaction sees it ([`RegistryView`]), and why a record was refused ([`Refused`]).

use crate::account::Account;
use crate::codes::CreditCode;
use crate::item::{InspectionEntry, ItemVersion};
use crate::registry::{Agency, Certificate, Officer};
use crate::violation::Violation;

/// What `event::check` needs to know of the current registry. The store implements it over
/// the transaction the event will be written in, so a batch sees its own earlier events.
pub trait RegistryView {
    type Error;
    fn agency(&self, code: &CreditCode) -> Result<Option<Agency>, Self::Error>;
    fn officer(&self, staff_no: &str) -> Result<Option<Officer>, Self::Error>;
    fn certificate(&self, number: &str) -> Result<Option<Certificate>, Self::Error>;
    fn latest_item(&self, code: &str) -> Result<Option<ItemVersion>, Self::Error>;
    fn inspection_entry(&self, code: &str) -> Result<Option<InspectionEntry>, Self::Error>;
    /// Is the person a reviewer of the agency now?
    fn is_reviewer(&self, agency: &CreditCode, staff_no: &str) -> Result<bool, Self::Error>;
    /// Has the person ever been appointed reviewer (of any agency)?
    fn was_ever_reviewer(&self, staff_no: &str) -> Result<bool, Self::Error>;
    fn account(&self, login: &str) -> Result<Option<Account>, Self::Error>;
    /// `Some(revoked)` when the token exists.
    fn token_revoked(&self, id: &str) -> Result<Option<bool>, Self::Error>;
}

/// Why an event was not recorded.
#[derive(Debug)]
pub enum Refused<E> {
    Rule(Violation),
    /// Several rules refused the same record (a case step), all reported.
    Many(Vec<Violation>),
    View(E),
}

impl<E> From<Violation> for Refused<E> {
    fn from(v: Violation) -> Self {
        Refused::Rule(v)
    }
}
