//! Full-text search of published decisions (PUB-4) and power items (ITEM-1) for the
//! portal, with Chinese **word segmentation**.
//!
//! The index is a projection: the caller feeds it already-redacted publications (PUB-5)
//! and takes them off again on withdrawal or when their publication period ends (PUB-6).
//! It depends on nothing of the store.
//!
//! Segmentation is [jieba-rs](https://crates.io/crates/jieba-rs) with its embedded
//! dictionary, wrapped as a tantivy tokenizer ([`tokenizer::JiebaTokenizer`]):
//!
//! - documents are cut in **search mode**, which emits a long word and its dictionary
//!   sub-words (食品安全 → 食品, 安全, 食品安全), so both 食品 and 食品安全 find it;
//! - a query is cut in **default mode** (食品安全 stays one word) and every word must match
//!   (AND), in the title, party, text or agency name. A word is matched as a whole token,
//!   never as a substring: 研究生 does not find 研究生命起源, which jieba cuts 研究 / 生命 /
//!   起源. A query word no document has as a token (an out-of-dictionary word the query
//!   and the text segmented differently) falls back to its dictionary pieces, all required.
//!
//! User text is never parsed as query syntax (no `QueryParser`): `") OR *:*` is the word
//! "or"; punctuation is dropped. Searching never errors on user input.

pub mod tokenizer;

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use jiff::civil::Date;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query as TQuery, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::tokenizer::{JiebaTokenizer, TOKENIZER_NAME, query_pieces, query_words};

/// Errors of the index (I/O, corruption, a locked directory). User input never errors.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("全文检索索引错误：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("全文检索索引目录错误：{0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("全文检索索引写入器不可用")]
    Poisoned,
}

/// A published decision (PUB-4), as the portal shows it. `party` and `text` are already
/// redacted (PUB-5): the index never sees the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub id: String,
    /// The deciding agency's unified social credit code.
    pub agency: String,
    pub agency_name: String,
    /// Enforcement domain (e.g. 市场监管, 交通运输).
    pub domain: String,
    /// Decision kind (e.g. 行政处罚, 行政许可).
    pub kind: String,
    pub date: Date,
    /// Fine in fen (0 when none).
    pub amount_fen: i64,
    pub title: String,
    pub party: String,
    pub text: String,
}

/// A catalogued power item (ITEM-1): code, name, legal basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerItem {
    pub code: String,
    pub name: String,
    /// Item kind (处罚, 强制, 检查 …).
    pub kind: String,
    pub agency: String,
    pub agency_name: String,
    pub domain: String,
    /// The legal basis as text (ITEM-2).
    pub basis: String,
}

/// Which kind of document a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocType {
    Decision,
    Item,
}

impl DocType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Decision => "decision",
            DocType::Item => "item",
        }
    }
}

/// A search. Empty `text` (or text without any word) browses by the filters, newest first;
/// otherwise hits are ranked by BM25. `limit` is clamped to 1..=100, `offset` to 10,000.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub doc_type: Option<DocType>,
    pub agency: Option<String>,
    pub domain: Option<String>,
    pub kind: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

impl Query {
    /// A text query with the default page (first 10).
    pub fn text(text: impl Into<String>) -> Query {
        Query { text: text.into(), limit: 10, ..Query::default() }
    }
}

/// A page of hits and the total number of matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// One hit. `snippet` is plain text (never HTML: escaping is the renderer's job, SEC-5)
/// and `marks` are the byte ranges in it of the matched words.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc_type: DocType,
    pub id: String,
    pub score: f32,
    pub title: String,
    pub snippet: String,
    pub marks: Vec<std::ops::Range<usize>>,
    /// Decision date; `None` for a power item.
    pub date: Option<Date>,
    pub agency_name: String,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    doc_type: Field,
    id: Field,
    agency: Field,
    agency_name: Field,
    domain: Field,
    kind: Field,
    day: Field,
    amount: Field,
    title: Field,
    party: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        doc_type: b.add_text_field("doc_type", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        agency: b.add_text_field("agency", STRING | STORED),
        agency_name: b.add_text_field("agency_name", words.clone()),
        domain: b.add_text_field("domain", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        day: b.add_u64_field("day", INDEXED | FAST | STORED),
        amount: b.add_i64_field("amount_fen", INDEXED | FAST | STORED),
        title: b.add_text_field("title", words.clone()),
        party: b.add_text_field("party", words.clone()),
        text: b.add_text_field("text", words),
    };
    (b.build(), fields)
}

/// `YYYYMMDD` as a number: ordered like the dates.
fn day_number(d: Date) -> u64 {
    let y = u64::try_from(d.year()).unwrap_or(0);
    y * 10_000 + d.month() as u64 * 100 + d.day() as u64
}

fn day_from_number(n: u64) -> Option<Date> {
    let y = i16::try_from(n / 10_000).ok()?;
    Date::new(y, ((n / 100) % 100) as i8, (n % 100) as i8).ok()
}

/// The full-text index. Writes go through one writer; call [`SearchIndex::commit`] to make
/// them visible to searches.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    f: Fields,
}

/// Default indexing heap budget (all writer threads together).
pub const DEFAULT_HEAP_BYTES: usize = 200 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when empty, with the default heap budget.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        SearchIndex::open_with(dir, DEFAULT_HEAP_BYTES)
    }

    /// Opens the index in `dir` with an indexing heap budget in bytes (at least 15 MB per
    /// writer thread; one thread per 50 MB, at most the cores).
    pub fn open_with(dir: &Path, heap_bytes: usize) -> Result<SearchIndex, SearchError> {
        let (schema, _) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        SearchIndex::from_index(index, heap_bytes)
    }

    /// An index in memory (tests, previews).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, _) = schema();
        SearchIndex::from_index(Index::create_in_ram(schema), 30 * 1024 * 1024)
    }

    fn from_index(index: Index, heap_bytes: usize) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(TOKENIZER_NAME, JiebaTokenizer::default());
        let (_, f) = schema();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let heap_bytes = heap_bytes.max(15 * 1024 * 1024);
        let threads = (heap_bytes / (50 * 1024 * 1024)).clamp(1, cores.min(8));
        let writer = index.writer_with_num_threads(threads, heap_bytes)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), f })
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    fn key(t: DocType, id: &str) -> String {
        format!("{}:{id}", t.as_str())
    }

    /// Adds or replaces a publication (visible after [`SearchIndex::commit`]).
    pub fn upsert(&self, p: &Publication) -> Result<(), SearchError> {
        self.add(p, true)
    }

    fn add(&self, p: &Publication, replace: bool) -> Result<(), SearchError> {
        let f = self.f;
        let key = SearchIndex::key(DocType::Decision, &p.id);
        let mut doc = TantivyDocument::new();
        doc.add_text(f.key, &key);
        doc.add_text(f.doc_type, DocType::Decision.as_str());
        doc.add_text(f.id, &p.id);
        doc.add_text(f.agency, &p.agency);
        doc.add_text(f.agency_name, &p.agency_name);
        doc.add_text(f.domain, &p.domain);
        doc.add_text(f.kind, &p.kind);
        doc.add_u64(f.day, day_number(p.date));
        doc.add_i64(f.amount, p.amount_fen);
        doc.add_text(f.title, &p.title);
        doc.add_text(f.party, &p.party);
        doc.add_text(f.text, &p.text);
        let w = self.writer()?;
        if replace {
            w.delete_term(Term::from_field_text(f.key, &key));
        }
        w.add_document(doc)?;
        Ok(())
    }

    /// Adds a publication known to be new (a rebuild of the projection into an empty
    /// index): like [`SearchIndex::upsert`] without the delete of an older version, which
    /// saves work on bulk loads. Adding an id twice this way leaves two documents.
    pub fn insert_new(&self, p: &Publication) -> Result<(), SearchError> {
        self.add(p, false)
    }

    /// Adds or replaces a power item (ITEM-1).
    pub fn upsert_item(&self, item: &PowerItem) -> Result<(), SearchError> {
        let f = self.f;
        let key = SearchIndex::key(DocType::Item, &item.code);
        let mut doc = TantivyDocument::new();
        doc.add_text(f.key, &key);
        doc.add_text(f.doc_type, DocType::Item.as_str());
        doc.add_text(f.id, &item.code);
        doc.add_text(f.agency, &item.agency);
        doc.add_text(f.agency_name, &item.agency_name);
        doc.add_text(f.domain, &item.domain);
        doc.add_text(f.kind, &item.kind);
        doc.add_text(f.title, &item.name);
        doc.add_text(f.text, &item.basis);
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(f.key, &key));
        w.add_document(doc)?;
        Ok(())
    }

    /// Takes a publication off (withdrawal or end of its period, PUB-6).
    pub fn remove(&self, id: &str) -> Result<(), SearchError> {
        self.writer()?.delete_term(Term::from_field_text(self.f.key, &SearchIndex::key(DocType::Decision, id)));
        Ok(())
    }

    /// Takes a power item off (cancelled, ITEM-3).
    pub fn remove_item(&self, code: &str) -> Result<(), SearchError> {
        self.writer()?.delete_term(Term::from_field_text(self.f.key, &SearchIndex::key(DocType::Item, code)));
        Ok(())
    }

    /// Makes every write so far durable and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Number of searchable documents (as of the last commit).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Searches. User text is words, never syntax: this fails only on index errors.
    pub fn search(&self, q: &Query) -> Result<Hits, SearchError> {
        let f = self.f;
        let searcher = self.reader.searcher();
        let text_fields = [(f.title, 2.0f32), (f.party, 1.5), (f.text, 1.0), (f.agency_name, 1.0)];

        let mut must: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let mut terms: Vec<String> = Vec::new();
        for word in query_words(&q.text) {
            let exists = text_fields
                .iter()
                .map(|&(field, _)| searcher.doc_freq(&Term::from_field_text(field, &word)))
                .collect::<Result<Vec<u64>, _>>()?
                .iter()
                .any(|&n| n > 0);
            let pieces = if exists { vec![word.clone()] } else { query_pieces(&word) };
            for piece in pieces {
                terms.push(piece.clone());
                let any_field: Vec<(Occur, Box<dyn TQuery>)> = text_fields
                    .iter()
                    .map(|&(field, boost)| {
                        let tq = TermQuery::new(Term::from_field_text(field, &piece), IndexRecordOption::WithFreqs);
                        (Occur::Should, Box::new(BoostQuery::new(Box::new(tq), boost)) as Box<dyn TQuery>)
                    })
                    .collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any_field))));
            }
        }
        // No word at all (empty, or only punctuation): browse by the filters, newest first.
        let browse = must.is_empty();
        let matcher: Box<dyn TQuery> = if browse {
            Box::new(AllQuery)
        } else {
            let words: Box<dyn TQuery> = Box::new(BooleanQuery::new(must));
            // The whole text may also be an exact id (a case or item number typed in).
            let whole = q.text.trim();
            if whole.len() <= 64 {
                let id = TermQuery::new(Term::from_field_text(f.id, whole), IndexRecordOption::Basic);
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, words),
                    (Occur::Should, Box::new(BoostQuery::new(Box::new(id), 10.0))),
                ]))
            } else {
                words
            }
        };

        let mut filters: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let mut exact = |field: Field, v: &Option<String>| {
            if let Some(v) = v {
                let t = Term::from_field_text(field, v);
                filters.push((Occur::Must, Box::new(TermQuery::new(t, IndexRecordOption::Basic))));
            }
        };
        exact(f.doc_type, &q.doc_type.map(|t| t.as_str().to_owned()));
        exact(f.agency, &q.agency);
        exact(f.domain, &q.domain);
        exact(f.kind, &q.kind);
        if q.from.is_some() || q.to.is_some() {
            let b = |d: Option<Date>| {
                d.map_or(Bound::Unbounded, |d| Bound::Included(Term::from_field_u64(f.day, day_number(d))))
            };
            filters.push((Occur::Must, Box::new(RangeQuery::new(b(q.from), b(q.to)))));
        }
        if q.min_fen.is_some() || q.max_fen.is_some() {
            let b = |v: Option<i64>| v.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(f.amount, v)));
            filters.push((Occur::Must, Box::new(RangeQuery::new(b(q.min_fen), b(q.max_fen)))));
        }

        let query: Box<dyn TQuery> = if filters.is_empty() {
            matcher
        } else {
            filters.push((Occur::Must, matcher));
            Box::new(BooleanQuery::new(filters))
        };

        let limit = q.limit.clamp(1, 100);
        let offset = q.offset.min(10_000);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (docs, total): (Vec<(f32, tantivy::DocAddress)>, usize) = if browse {
            let (docs, total) = searcher.search(&query, &(top.order_by_u64_field("day", Order::Desc), Count))?;
            (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
        } else {
            searcher.search(&query, &(top.order_by_score(), Count))?
        };

        let mut hits = Vec::with_capacity(docs.len());
        for (score, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let doc_type = if s(f.doc_type) == DocType::Item.as_str() { DocType::Item } else { DocType::Decision };
            let (snippet_text, marks) = snippet(&s(f.text), &terms, SNIPPET_CHARS);
            hits.push(Hit {
                doc_type,
                id: s(f.id),
                score,
                title: s(f.title),
                snippet: snippet_text,
                marks,
                date: doc.get_first(f.day).and_then(|v| v.as_u64()).and_then(day_from_number),
                agency_name: s(f.agency_name),
            });
        }
        Ok(Hits { total, hits })
    }

    /// The underlying tantivy index (for statistics such as segment sizes).
    pub fn index(&self) -> &Index {
        &self.index
    }
}

/// Characters in a snippet.
const SNIPPET_CHARS: usize = 120;

/// A window of at most `max_chars` characters of `text` holding the most matches of
/// `terms` (as segmented tokens, like the index sees them), and the byte ranges of the
/// matches in it, overlaps merged. Without a match: the beginning of the text.
///
/// Our own rather than tantivy's `SnippetGenerator`, which assumes token offsets never go
/// back — search-mode segmentation emits 食品 and 安全 before 食品安全.
pub fn snippet(text: &str, terms: &[String], max_chars: usize) -> (String, Vec<std::ops::Range<usize>>) {
    let mut ranges: Vec<std::ops::Range<usize>> = if terms.is_empty() {
        Vec::new()
    } else {
        tokenizer::index_tokens(text)
            .into_iter()
            .filter(|t| terms.contains(&t.text))
            .map(|t| t.offset_from..t.offset_to)
            .collect()
    };
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    // Char boundaries of the text, to cut windows of max_chars characters.
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    let window_end = |start: usize| -> usize {
        let i = bounds.partition_point(|&b| b < start);
        bounds[(i + max_chars).min(bounds.len() - 1)]
    };
    // Start a little before the match that begins the fullest window.
    let mut best = (0usize, 0usize);
    for (k, m) in merged.iter().enumerate() {
        let end = window_end(m.start);
        let count = merged[k..].iter().take_while(|r| r.end <= end).count();
        if count > best.1 {
            best = (m.start, count);
        }
    }
    let lead = max_chars / 6;
    let start = if best.1 == 0 {
        0
    } else {
        let i = bounds.partition_point(|&b| b < best.0);
        bounds[i.saturating_sub(lead)]
    };
    let end = window_end(start);
    let marks =
        merged.iter().filter(|r| r.start >= start && r.end <= end).map(|r| r.start - start..r.end - start).collect();
    (text[start..end].to_owned(), marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_marks_matches_within_window() {
        let text = format!("{}当事人经营不符合食品安全标准的食品。{}", "前文".repeat(100), "后文".repeat(100));
        let (s, marks) = snippet(&text, &["食品".to_owned()], 40);
        assert_eq!(s.chars().count(), 40);
        assert!(marks.len() >= 2, "{s} {marks:?}");
        for m in &marks {
            assert!(s[m.clone()].starts_with("食品"), "{s} {marks:?}");
        }
        let (s, marks) = snippet("短文本", &[], 40);
        assert_eq!((s.as_str(), marks.len()), ("短文本", 0));
        let (s, marks) = snippet("", &["x".to_owned()], 40);
        assert_eq!((s.as_str(), marks.len()), ("", 0));
    }

    #[test]
    fn day_numbers_round_trip_and_order() {
        let a = Date::new(2026, 1, 31).unwrap();
        let b = Date::new(2026, 2, 1).unwrap();
        assert!(day_number(a) < day_number(b));
        assert_eq!(day_from_number(day_number(a)), Some(a));
        assert_eq!(day_from_number(20261340), None);
    }
}
