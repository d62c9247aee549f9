//! Search behaviour: segmentation, filters, withdrawal (PUB-6), hostile queries (SEC-5),
//! persistence.

use jiff::civil::Date;
use zhifa_search::{DocType, PowerItem, Publication, Query, SearchIndex};

fn date(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn publication(id: &str, title: &str, text: &str) -> Publication {
    publication_of(id, title, "正定县某某百货有限公司", text)
}

fn publication_of(id: &str, title: &str, party: &str, text: &str) -> Publication {
    Publication {
        id: id.to_owned(),
        agency: "11130123MB0000001X".to_owned(),
        agency_name: "正定县市场监督管理局".to_owned(),
        domain: "市场监管".to_owned(),
        kind: "行政处罚".to_owned(),
        date: date(2026, 3, 1),
        amount_fen: 3_000_000,
        title: title.to_owned(),
        party: party.to_owned(),
        text: text.to_owned(),
    }
}

fn ids(index: &SearchIndex, q: &Query) -> Vec<String> {
    let mut v: Vec<String> = index.search(q).unwrap().hits.into_iter().map(|h| h.id).collect();
    v.sort();
    v
}

fn sample() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index
        .upsert(&publication(
            "D1",
            "正市监处罚〔2026〕1号",
            "当事人经营不符合食品安全标准的食品，违反《中华人民共和国食品安全法》第三十四条第（十）项。",
        ))
        .unwrap();
    let mut d2 = publication("D2", "正交执罚〔2026〕2号", "当事人未取得道路运输经营许可，擅自从事道路客运经营。");
    d2.agency = "11130123MB0000002X".to_owned();
    d2.agency_name = "正定县交通运输局".to_owned();
    d2.domain = "交通运输".to_owned();
    d2.date = date(2026, 5, 20);
    d2.amount_fen = 1_000_000;
    index.upsert(&d2).unwrap();
    let mut d3 = publication("D3", "实验室案", "研究生命起源的实验室未经许可使用危险化学品。");
    d3.kind = "行政检查".to_owned();
    d3.date = date(2025, 12, 31);
    d3.amount_fen = 0;
    index.upsert(&d3).unwrap();
    index
        .upsert_item(&PowerItem {
            code: "130123-CF-001".to_owned(),
            name: "对经营不符合食品安全标准食品的行政处罚".to_owned(),
            kind: "处罚".to_owned(),
            agency: "11130123MB0000001X".to_owned(),
            agency_name: "正定县市场监督管理局".to_owned(),
            domain: "市场监管".to_owned(),
            basis: "《中华人民共和国食品安全法》第一百二十四条第一款第（一）项".to_owned(),
        })
        .unwrap();
    index.commit().unwrap();
    index
}

#[test]
fn segmentation_whole_word_and_sub_word_both_find() {
    let index = sample();
    let decisions = |t: &str| Query { doc_type: Some(DocType::Decision), ..Query::text(t) };
    assert_eq!(ids(&index, &decisions("食品安全")), ["D1"]);
    assert_eq!(ids(&index, &decisions("食品")), ["D1"]);
    assert_eq!(ids(&index, &decisions("道路运输")), ["D2"]);
    assert_eq!(ids(&index, &decisions("运输")), ["D2"]);
    // Several words: all must match.
    assert_eq!(ids(&index, &decisions("食品 道路")), Vec::<String>::new());
    assert_eq!(ids(&index, &decisions("客运 经营")), ["D2"]);
}

/// A query word that is only a substring across a word boundary does not match: jieba cuts
/// 研究生命起源 as 研究 / 生命 / 起源, so 研究生 (graduate student) is not in it, nor 命起.
/// Substring search would find both.
#[test]
fn segmentation_no_match_across_word_boundary() {
    let index = sample();
    assert_eq!(ids(&index, &Query::text("研究生")), Vec::<String>::new());
    assert_eq!(ids(&index, &Query::text("生命")), ["D3"]);
    assert_eq!(ids(&index, &Query::text("研究")), ["D3"]);
}

#[test]
fn hits_have_plain_text_snippets_with_marks() {
    let index = sample();
    let hits = index.search(&Query { doc_type: Some(DocType::Decision), ..Query::text("食品安全") }).unwrap();
    assert_eq!(hits.total, 1);
    let hit = &hits.hits[0];
    assert_eq!(hit.title, "正市监处罚〔2026〕1号");
    assert_eq!(hit.agency_name, "正定县市场监督管理局");
    assert_eq!(hit.date, Some(date(2026, 3, 1)));
    assert!(!hit.marks.is_empty());
    for m in &hit.marks {
        assert_eq!(&hit.snippet[m.clone()], "食品安全");
    }
    assert!(!hit.snippet.contains('<'));
}

#[test]
fn power_items_are_searchable_and_typed() {
    let index = sample();
    let hits = index.search(&Query { doc_type: Some(DocType::Item), ..Query::text("食品安全") }).unwrap();
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].doc_type, DocType::Item);
    assert_eq!(hits.hits[0].id, "130123-CF-001");
    assert_eq!(hits.hits[0].date, None);
    // Both kinds without a type filter.
    assert_eq!(index.search(&Query::text("食品安全")).unwrap().total, 2);
    // An item code typed in finds the item.
    assert_eq!(ids(&index, &Query::text("130123-CF-001")), ["130123-CF-001"]);
    index.remove_item("130123-CF-001").unwrap();
    index.commit().unwrap();
    assert_eq!(index.search(&Query::text("食品安全")).unwrap().total, 1);
}

#[test]
fn filters_each() {
    let index = sample();
    let all = Query { doc_type: Some(DocType::Decision), limit: 10, ..Query::default() };
    assert_eq!(ids(&index, &all), ["D1", "D2", "D3"]);
    assert_eq!(ids(&index, &Query { agency: Some("11130123MB0000002X".into()), ..all.clone() }), ["D2"]);
    assert_eq!(ids(&index, &Query { domain: Some("交通运输".into()), ..all.clone() }), ["D2"]);
    assert_eq!(ids(&index, &Query { kind: Some("行政检查".into()), ..all.clone() }), ["D3"]);
    assert_eq!(ids(&index, &Query { from: Some(date(2026, 1, 1)), ..all.clone() }), ["D1", "D2"]);
    assert_eq!(ids(&index, &Query { to: Some(date(2026, 3, 1)), ..all.clone() }), ["D1", "D3"]);
    assert_eq!(ids(&index, &Query { from: Some(date(2026, 3, 1)), to: Some(date(2026, 3, 1)), ..all.clone() }), ["D1"]);
    assert_eq!(ids(&index, &Query { min_fen: Some(1_000_001), ..all.clone() }), ["D1"]);
    assert_eq!(ids(&index, &Query { max_fen: Some(1_000_000), ..all.clone() }), ["D2", "D3"]);
    assert_eq!(ids(&index, &Query { min_fen: Some(1), max_fen: Some(1_000_000), ..all.clone() }), ["D2"]);
    // Text and filter together.
    assert_eq!(ids(&index, &Query { domain: Some("交通运输".into()), ..Query::text("经营") }), ["D2"]);
    // Unknown filter value: nothing.
    assert_eq!(ids(&index, &Query { agency: Some("nope".into()), ..all.clone() }), Vec::<String>::new());
    // Browsing is newest first; paging.
    let page = index.search(&Query { limit: 2, ..all.clone() }).unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["D2", "D1"]);
    let page2 = index.search(&Query { limit: 2, offset: 2, ..all }).unwrap();
    assert_eq!(page2.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["D3"]);
}

/// PUB-6: a withdrawn decision is off the index after the commit; upsert replaces.
#[test]
fn pub6_withdrawal_removes_and_upsert_replaces() {
    let index = sample();
    index.remove("D1").unwrap();
    index.commit().unwrap();
    assert_eq!(ids(&index, &Query { doc_type: Some(DocType::Decision), ..Query::text("食品") }), Vec::<String>::new());
    let mut d2 = publication("D2", "更正后的决定", "当事人从事非法营运。");
    d2.domain = "交通运输".to_owned();
    index.upsert(&d2).unwrap();
    index.commit().unwrap();
    assert_eq!(ids(&index, &Query::text("道路运输")), Vec::<String>::new());
    assert_eq!(ids(&index, &Query::text("营运")), ["D2"]);
    assert_eq!(index.num_docs(), 3);
}

/// SEC-5: user text is words, never syntax; nothing errors.
#[test]
fn sec5_hostile_queries_never_error() {
    let index = sample();
    let long = "食品".repeat(10_000);
    for q in [
        "\") OR *:*",
        "*:*",
        "<script>alert(1)</script>",
        "",
        "   ",
        "title:食品 AND -text:x",
        "[0 TO 9]",
        "\\\\\\",
        "\u{0}\u{ffff}😀",
        "食品~2^10",
        long.as_str(),
        "'; DROP TABLE x; --",
    ] {
        let hits = index.search(&Query::text(q)).unwrap();
        assert!(hits.hits.len() <= 10, "{q}");
    }
    // Query syntax is not interpreted: *:* is no match-all.
    assert_eq!(index.search(&Query::text("\") OR *:*")).unwrap().total, 0);
    // Absurd paging is clamped.
    let q = Query { offset: usize::MAX, limit: usize::MAX, ..Query::text("食品") };
    assert!(index.search(&q).unwrap().hits.is_empty());
}

#[test]
fn persistence_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_with(dir.path(), 20 * 1024 * 1024).unwrap();
        index.upsert(&publication("P1", "正市监处罚〔2026〕9号", "销售过期食品。")).unwrap();
        index.upsert(&publication("P2", "正市监处罚〔2026〕10号", "无照经营。")).unwrap();
        index.commit().unwrap();
        index.remove("P2").unwrap();
        // Not committed: lost on drop.
        index.upsert(&publication("P3", "未提交", "未提交的文本。")).unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.num_docs(), 2);
    assert_eq!(ids(&index, &Query::text("过期食品")), ["P1"]);
    assert_eq!(ids(&index, &Query::text("提交")), Vec::<String>::new());
}
