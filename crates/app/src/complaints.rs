//! Complaints and reports taken from the public (CMP-1): recording one under a random,
//! unguessable tracking number, and its status by that number — which never shows what
//! was written or the contact details.

use jiff::Timestamp;
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::Event;
use zhifa_domain::publication::Complaint;
use zhifa_store::Actor;

use crate::App;
use crate::error::{Error, Result, refused};

/// Who records a complaint taken from the portal.
const PORTAL: &str = "public:portal";

/// 12 characters of RFC 4648 base32 from 60 random bits: unguessable.
pub fn new_tracking() -> String {
    // 8 random bytes are 13 characters; the first 12 carry 60 of the 64 bits.
    let mut t = data_encoding::BASE32_NOPAD.encode(&rand::random::<[u8; 8]>());
    t.truncate(12);
    t
}

/// A complaint as typed into the portal's form.
pub struct ComplaintInput {
    /// What happened (the rules check its length).
    pub what: String,
    /// The agency concerned, by its code; empty or unrecognised: not known.
    pub agency: String,
    /// How to reach the complainant, if they want to be reached (never public).
    pub contact: String,
}

/// CMP-1: records a complaint under a new tracking number. Refused with the rules'
/// violations (every one of them, [`Error::Rules`], when several apply).
pub fn submit(app: &App, input: ComplaintInput) -> Result<Complaint> {
    let agency = match input.agency.trim() {
        "" => None,
        a => CreditCode::parse(a).ok(),
    };
    let complaint = Complaint {
        tracking: new_tracking(),
        agency,
        what: input.what.trim().to_string(),
        contact: Some(input.contact.trim().to_string()).filter(|c| !c.is_empty()),
    };
    app.store
        .append(&Actor(PORTAL.into()), Event::ComplaintReceived { complaint: complaint.clone() })
        .map_err(refused)?;
    Ok(complaint)
}

/// What anyone holding the tracking number learns of a complaint (CMP-1): neither its
/// text nor the contact.
pub struct ComplaintStatus {
    pub tracking: String,
    pub received_at: Timestamp,
    /// The name of the agency concerned, when one was named.
    pub agency_name: Option<String>,
}

/// CMP-1: a complaint's status by its tracking number.
pub fn status(app: &App, tracking: &str) -> Result<ComplaintStatus> {
    let row = app.store.complaint(tracking)?.ok_or_else(|| Error::NotFound(format!("受理编号 {tracking} ")))?;
    let agency_name = match &row.complaint.agency {
        Some(a) => app.store.agency(a.as_str())?.map(|a| a.name),
        None => None,
    };
    Ok(ComplaintStatus { tracking: row.complaint.tracking, received_at: row.received_at, agency_name })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_twelve_base32_characters() {
        let t = new_tracking();
        assert_eq!(t.len(), 12);
        assert!(t.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7')), "{t}");
        assert_ne!(t, new_tracking());
    }
}
