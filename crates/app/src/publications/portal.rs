//! What the portal reads (PUB-4, PUB-7): the full-text search of the published decisions
//! with the agencies to filter by, and one publication with its withdrawal or expiry.

use zhifa_domain::registry::Agency;
use zhifa_store::{Paging, PublicationRow};

use crate::App;
use crate::error::{Error, Result};

/// A page of search hits, and the agencies the search form offers.
pub struct Found {
    pub hits: zhifa_search::Hits,
    pub agencies: Vec<Agency>,
}

/// PUB-4, PUB-7: searches the published decisions (the index holds the current ones only,
/// redacted, PUB-5).
pub fn search(app: &App, query: &zhifa_search::Query) -> Result<Found> {
    let hits = app.search.search(query).map_err(|e| Error::Internal(e.to_string()))?;
    let agencies = app.store.agencies(&Default::default(), Paging { offset: 0, limit: 500 })?.items;
    Ok(Found { hits, agencies })
}

/// PUB-4: the publication `id` as published, withdrawn (PUB-6, with the published reason)
/// or expired.
pub fn decision(app: &App, id: &str) -> Result<PublicationRow> {
    app.store.publication(id)?.ok_or_else(|| Error::NotFound(format!("公示 {id} ")))
}
