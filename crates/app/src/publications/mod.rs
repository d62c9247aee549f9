//! Publication (PUB-4..7, PUB-9, LOG-5): the background publisher that publishes every
//! decided case, redacted (PUB-5), as soon as the decision is recorded and expires ended
//! periods (PUB-6); the search index as a projection of the publication records, rebuilt
//! at start and then following them, whichever node wrote them; the cache of rendered
//! decision pages those records invalidate. The use cases: the staff lists, withdrawal and
//! policies ([`lists`]), open data and the public proofs ([`open_data`]), and what the
//! portal reads ([`portal`]).

mod lists;
mod open_data;
mod portal;

pub use lists::{
    ListItem, PublicationList, WithdrawBody, WithdrawResult, policy, publication_list, set_policy, withdraw,
};
pub use open_data::{DateRange, OpenPage, PublicProof, export, open_page, proof};
pub use portal::{Found, decision, search};

use std::time::Duration;

use bytes::Bytes;
use zhifa_domain::event::Event;
use zhifa_domain::procedure::china_date;
use zhifa_domain::publication::Publication;
use zhifa_store::{Actor, AppendError, Paging, PublicationFilter, PublicationListState};

use crate::App;

/// How often the publisher looks for new decisions and ended periods.
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(500);

/// The actor of the records the pipeline writes.
pub const PUBLISHER: &str = "system:publisher";

/// Record kinds whose proofs are public (LOG-4, LOG-5).
pub const PUBLIC_KINDS: [&str; 3] = ["decision_published", "publication_withdrawn", "publication_expired"];

/// The portal page of publication `id` (LOG-5: where a person checks it), its id
/// percent-encoded as a path segment (everything but RFC 3986 unreserved).
pub fn decision_url(id: &str) -> String {
    let mut out = String::from("/public/decisions/");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Rendered decision pages, kept for at most [`PAGE_TTL`] and dropped at once when this
/// node publishes, withdraws or expires the item: the page is read far more often than it
/// changes (PUB-4). Another node's withdrawal shows here within the TTL.
#[derive(Default)]
pub struct PageCache(std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Bytes)>>);

/// How long a rendered decision page is served from memory.
pub const PAGE_TTL: Duration = Duration::from_secs(1);

impl PageCache {
    pub fn get(&self, id: &str) -> Option<Bytes> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id).filter(|(at, _)| at.elapsed() < PAGE_TTL).map(|(_, b)| b.clone())
    }
    pub fn put(&self, id: &str, page: Bytes) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= 10_000 {
            map.retain(|_, (at, _)| at.elapsed() < PAGE_TTL);
        }
        map.insert(id.to_string(), (std::time::Instant::now(), page));
    }
    /// Drops a page (publication, withdrawal, expiry).
    pub fn forget(&self, id: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// The search document of a publication (already redacted, PUB-5).
pub fn index_doc(p: &Publication) -> zhifa_search::Publication {
    zhifa_search::Publication {
        id: p.id.clone(),
        agency: p.agency.to_string(),
        agency_name: p.agency_name.clone(),
        domain: p.domain.clone(),
        kind: p.kind.label().to_string(),
        date: p.decided_on,
        amount_fen: p.fine_fen,
        title: format!("{}：{}", p.party.name, p.title),
        party: p.party.name.clone(),
        text: format!("{}\n{}\n{}", p.conclusion, p.facts, p.text),
    }
}

/// Rebuilds the search index from the publication records (at start). Returns how many
/// are current and the last record seq the index reflects.
pub fn rebuild_index(app: &App) -> Result<(usize, i64), String> {
    let s = |e: zhifa_search::SearchError| e.to_string();
    // Taken first: anything recorded during the rebuild is followed afterwards (idempotent).
    let cursor = app.store.record_count().map_err(|e| e.to_string())? - 1;
    let f = PublicationFilter { state: PublicationListState::All, ..Default::default() };
    let mut offset = 0;
    let mut n = 0;
    loop {
        let page = app.store.publications(&f, Paging { offset, limit: 500 }).map_err(|e| e.to_string())?;
        for row in &page.items {
            if row.current() {
                app.search.upsert(&index_doc(&row.publication)).map_err(s)?;
                n += 1;
            } else {
                app.search.remove(&row.publication.id).map_err(s)?;
            }
        }
        offset += page.items.len() as i64;
        if page.items.is_empty() || offset >= page.total {
            break;
        }
    }
    app.search.commit().map_err(s)?;
    Ok((n, cursor))
}

/// Brings the search index and the page cache up to the records after `cursor`, whichever
/// node wrote them (the index is a projection of the publication records). Returns the new
/// cursor.
pub fn follow(app: &App, cursor: i64) -> Result<i64, String> {
    let e = |e: zhifa_store::StoreError| e.to_string();
    let s = |e: zhifa_search::SearchError| e.to_string();
    let upto = app.store.record_count().map_err(e)? - 1;
    let mut after = cursor;
    let mut changed = false;
    loop {
        let recs = app.store.publication_records(after, upto, 500).map_err(e)?;
        for r in &recs {
            match serde_json::from_value::<Event>(r.body.clone()) {
                Ok(Event::DecisionPublished { publication }) => {
                    app.pages.forget(&publication.id);
                    app.search.upsert(&index_doc(&publication)).map_err(s)?;
                }
                Ok(Event::PublicationWithdrawn { id, .. } | Event::PublicationExpired { id }) => {
                    app.pages.forget(&id);
                    app.search.remove(&id).map_err(s)?;
                }
                Ok(_) => {}
                Err(err) => return Err(format!("record {}: {err}", r.seq)),
            }
            changed = true;
        }
        match recs.last() {
            Some(last) if recs.len() == 500 => after = last.seq,
            _ => break,
        }
    }
    if changed {
        app.search.commit().map_err(s)?;
    }
    Ok(upto.max(cursor))
}

/// What one round of the publisher did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub published: Vec<String>,
    pub expired: Vec<String>,
    /// Decisions that could not be published (e.g. PUB-5 refused a leak): they stay due
    /// and become overdue for the supervisor to see.
    pub refused: Vec<(String, String)>,
}

/// One round: publish every decided, unpublished case; expire ended periods (PUB-4, PUB-6);
/// then bring the search index up to the records.
pub fn run_once(app: &App) -> Result<Round, String> {
    let round = run_round(app, &mut std::collections::HashMap::new())?;
    rebuild_index(app)?;
    Ok(round)
}

/// How long a refused decision is left alone before the publisher tries it again.
const RETRY_REFUSED: Duration = Duration::from_secs(300);

fn run_round(app: &App, refused: &mut std::collections::HashMap<String, std::time::Instant>) -> Result<Round, String> {
    let store = &app.store;
    refused.retain(|_, at| at.elapsed() < RETRY_REFUSED);
    let actor = Actor(PUBLISHER.into());
    let mut round = Round::default();
    let e = |e: zhifa_store::StoreError| e.to_string();
    for d in store.unpublished_decisions(None, 200).map_err(e)? {
        if refused.contains_key(&d.case) {
            continue;
        }
        let Some(p) = store.build_publication(&d.case).map_err(e)? else { continue };
        match store.append(&actor, Event::DecisionPublished { publication: Box::new(p.clone()) }) {
            Ok(_) => {
                app.pages.forget(&p.id);
                round.published.push(p.id);
            }
            Err(AppendError::Store(err)) => return Err(err.to_string()),
            Err(refusal) => {
                tracing::error!(case = %d.case, error = %refusal, "decision not published");
                refused.insert(d.case.clone(), std::time::Instant::now());
                round.refused.push((d.case, refusal.to_string()));
            }
        }
    }
    let today = china_date(store.now());
    for id in store.publications_to_expire(today, 200).map_err(e)? {
        match store.append(&actor, Event::PublicationExpired { id: id.clone() }) {
            Ok(_) => {
                app.pages.forget(&id);
                round.expired.push(id);
            }
            Err(AppendError::Store(err)) => return Err(err.to_string()),
            Err(refusal) => tracing::warn!(%id, error = %refusal, "publication not expired"),
        }
    }
    Ok(round)
}

/// Runs the publisher until the process ends: the index is rebuilt first, then a round
/// every [`PUBLISH_INTERVAL`].
pub fn spawn_publisher(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let s = app.clone();
        let mut cursor = match tokio::task::spawn_blocking(move || rebuild_index(&s)).await {
            Ok(Ok((n, cursor))) => {
                tracing::info!(publications = n, "search index rebuilt");
                cursor
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "search index not rebuilt");
                -1
            }
            Err(e) => {
                tracing::error!(error = %e, "search index rebuild panicked");
                -1
            }
        };
        let mut tick = tokio::time::interval(PUBLISH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let refused = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        loop {
            tick.tick().await;
            let s = app.clone();
            let r = refused.clone();
            let round = move || {
                run_round(&s, &mut r.lock().unwrap_or_else(|p| p.into_inner()))?;
                follow(&s, cursor)
            };
            match tokio::task::spawn_blocking(round).await {
                Ok(Ok(c)) => cursor = c,
                Ok(Err(e)) => tracing::error!(error = %e, "publisher round failed"),
                Err(e) => tracing::error!(error = %e, "publisher panicked"),
            }
        }
    })
}
