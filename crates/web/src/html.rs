//! The HTML foundation shared by the public portal and, later, the staff application:
//! the page layout, breadcrumbs, pagination, tables, error pages and the static assets.
//!
//! Templates are `maud`: compiled with the crate, and every interpolated value is
//! HTML-escaped unless it is explicitly wrapped in `PreEscaped`, so a name such as
//! `<script>alert(1)</script>` always renders as text. The Content-Security-Policy
//! (`lib.rs::security_headers`) forbids inline scripts and inline styles, so nothing here
//! writes a `style` attribute, a `<style>` block or an inline `<script>`: all presentation
//! is in `assets/site.css`, and the pages work without JavaScript.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

/// A site's frame: its name, home and navigation (the portal has one, the staff
/// application will have its own).
pub struct Chrome {
    pub site_name: &'static str,
    pub home: &'static str,
    /// (href, label)
    pub nav: &'static [(&'static str, &'static str)],
    pub footer: &'static str,
}

/// One breadcrumb: a label, and a link unless it is the current page.
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Crumb {
        Crumb { label: label.into(), href: Some(href.into()) }
    }
    pub fn here(label: impl Into<String>) -> Crumb {
        Crumb { label: label.into(), href: None }
    }
}

/// A whole HTML document: skip link, header with the site name and navigation,
/// breadcrumbs, the page's `main`, footer.
pub fn document(chrome: &Chrome, title: &str, crumbs: &[Crumb], current: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - " (chrome.site_name) }
                link rel="stylesheet" href=(asset_url("site.css"));
                script src=(asset_url("site.js")) defer {}
            }
            body {
                a.skip href="#main" { "跳到正文" }
                header.site {
                    div.wrap {
                        a.brand href=(chrome.home) { (chrome.site_name) }
                        nav aria-label="主导航" {
                            ul {
                                @for (href, label) in chrome.nav {
                                    li {
                                        @if *href == current {
                                            a href=(href) aria-current="page" { (label) }
                                        } @else {
                                            a href=(href) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div.wrap {
                    (breadcrumbs(crumbs))
                    main #main tabindex="-1" {
                        h1 { (title) }
                        (main)
                    }
                }
                footer.site {
                    div.wrap { p { (chrome.footer) } }
                }
            }
        }
    }
}

/// Breadcrumbs (nothing when there are none).
pub fn breadcrumbs(crumbs: &[Crumb]) -> Markup {
    html! {
        @if !crumbs.is_empty() {
            nav.crumbs aria-label="当前位置" {
                ol {
                    @for c in crumbs {
                        li {
                            @match &c.href {
                                Some(h) => a href=(h) { (c.label) },
                                None => span aria-current="page" { (c.label) },
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A page of a list, by 1-based page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
}

impl Pager {
    pub fn new(page: i64, per_page: i64) -> Pager {
        Pager { page: page.max(1), per_page: per_page.clamp(1, 500) }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
    pub fn pages(&self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// "共 N 条，第 x / y 页" with previous/next links that keep the other query parameters.
/// `query` are the current filters (empty values are dropped).
pub fn pagination(path: &str, query: &[(&str, String)], pager: Pager, total: i64) -> Markup {
    let pages = pager.pages(total);
    let link = |page: i64| {
        let mut q: Vec<(&str, String)> = query.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
        if page > 1 {
            q.push(("page", page.to_string()));
        }
        with_query(path, &q)
    };
    html! {
        nav.pager aria-label="分页" {
            span { "共 " (total) " 条，第 " (pager.page.min(pages)) " / " (pages) " 页" }
            @if pager.page > 1 {
                a rel="prev" href=(link((pager.page - 1).min(pages))) { "上一页" }
            }
            @if pager.page < pages {
                a rel="next" href=(link(pager.page + 1)) { "下一页" }
            }
        }
    }
}

/// A table that scrolls sideways inside itself on a narrow screen (the page never does).
pub fn table(caption: &str, headers: &[&str], rows: impl IntoIterator<Item = Vec<Markup>>) -> Markup {
    let rows: Vec<Vec<Markup>> = rows.into_iter().collect();
    html! {
        div.table-wrap role="region" aria-label=(caption) tabindex="0" {
            table {
                caption { (caption) }
                thead { tr { @for h in headers { th scope="col" { (h) } } } }
                tbody {
                    @if rows.is_empty() {
                        tr { td colspan=(headers.len()) { "暂无数据" } }
                    }
                    @for row in &rows {
                        tr { @for cell in row { td { (cell) } } }
                    }
                }
            }
        }
    }
}

/// A definition list of (term, value).
pub fn facts(items: &[(&str, Markup)]) -> Markup {
    html! {
        dl.facts {
            @for (k, v) in items {
                div { dt { (k) } dd { (v) } }
            }
        }
    }
}

/// An HTML response.
pub fn respond(status: StatusCode, doc: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        doc.into_string(),
    )
        .into_response()
}

/// An error page in the site's frame.
pub fn error_page(chrome: &Chrome, status: StatusCode, title: &str, message: &str) -> Response {
    let main = html! {
        p.lead { (message) }
        p { a href=(chrome.home) { "返回首页" } }
    };
    respond(status, document(chrome, title, &[Crumb::link("首页", chrome.home), Crumb::here(title)], "", main))
}

// ---------------------------------------------------------------------------------------
// URLs

/// Percent-encodes a path segment or query value (everything but RFC 3986 unreserved).
pub fn enc(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// Everything but RFC 3986's unreserved characters.
    const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    utf8_percent_encode(s, RESERVED).to_string()
}

/// `path?k=v&…` with the values encoded; no `?` when there are none.
pub fn with_query(path: &str, q: &[(&str, String)]) -> String {
    let parts: Vec<String> =
        q.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    if parts.is_empty() { path.to_string() } else { format!("{path}?{}", parts.join("&")) }
}

// ---------------------------------------------------------------------------------------
// Static assets, compiled into the binary.

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("site.css", "text/css; charset=utf-8", include_bytes!("../assets/site.css")),
    ("site.js", "text/javascript; charset=utf-8", include_bytes!("../assets/site.js")),
];

/// Each asset's content hash (first 16 hex digits of SHA-256).
fn hashes() -> &'static Vec<String> {
    static H: OnceLock<Vec<String>> = OnceLock::new();
    H.get_or_init(|| ASSETS.iter().map(|(_, _, b)| hex::encode(&Sha256::digest(b)[..8])).collect())
}

/// `/assets/<name>?v=<hash>`: the hash changes with the content, so the asset may be cached
/// for a year.
pub fn asset_url(name: &str) -> String {
    match ASSETS.iter().position(|(n, _, _)| *n == name) {
        Some(i) => format!("/assets/{name}?v={}", hashes()[i]),
        None => format!("/assets/{name}"),
    }
}

/// `GET /assets/{name}`, with an ETag (and 304 on a match) and long caching.
pub fn assets_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/assets/{name}", get(asset))
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(i) = ASSETS.iter().position(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "资源不存在\n")
            .into_response();
    };
    let (_, mime, bytes) = ASSETS[i];
    let etag = format!("\"{}\"", hashes()[i]);
    let cache = "public, max-age=31536000, immutable";
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(&etag)) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache.to_string())])
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, mime.to_string()), (header::ETAG, etag), (header::CACHE_CONTROL, cache.to_string())],
        bytes,
    )
        .into_response()
}

/// Pre-rendered markup trusted by construction (e.g. the generated flowchart SVG, which
/// escapes its own text). Use sparingly; everything else goes through maud's escaping.
pub fn trusted(s: String) -> Markup {
    PreEscaped(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: Chrome = Chrome { site_name: "站点", home: "/", nav: &[("/", "首页")], footer: "页脚" };

    #[test]
    fn everything_interpolated_is_escaped() {
        let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";
        let doc = document(
            &CHROME,
            evil,
            &[Crumb::link(evil, "/x"), Crumb::here(evil)],
            "/",
            table(evil, &[evil], vec![vec![html! { (evil) }]]),
        )
        .into_string();
        assert!(!doc.contains("<script>alert"), "{doc}");
        assert!(!doc.contains("<img src=x"), "{doc}");
        assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn no_inline_styles_or_scripts() {
        // The CSP forbids them; the layout must not need them.
        let doc = document(&CHROME, "标题", &[], "/", html! { p { "正文" } }).into_string();
        assert!(!doc.contains("style="), "{doc}");
        assert!(!doc.contains("<style"), "{doc}");
        let scripts = doc.matches("<script").count();
        assert_eq!(scripts, doc.matches("<script src=\"/assets/").count(), "only external scripts: {doc}");
        assert!(doc.contains("<meta name=\"viewport\""));
        assert!(doc.contains("href=\"#main\""), "skip link");
    }

    #[test]
    fn pager_and_query_links() {
        let p = Pager::new(2, 20);
        assert_eq!((p.offset(), p.pages(41), p.pages(0)), (20, 3, 1));
        let m = pagination("/public/items", &[("q", "食品 & 药".into()), ("kind", String::new())], p, 41).into_string();
        assert!(m.contains("href=\"/public/items?q=%E9%A3%9F%E5%93%81%20%26%20%E8%8D%AF\""), "{m}");
        assert!(m.contains("page=3"), "{m}");
        assert!(m.contains("共 41 条，第 2 / 3 页"), "{m}");
        assert_eq!(enc("a/b c"), "a%2Fb%20c");
        assert_eq!(with_query("/x", &[("a", String::new())]), "/x");
    }

    #[test]
    fn enc_keeps_only_rfc3986_unreserved() {
        let all: String = (0u8..128).map(char::from).chain("执法".chars()).collect();
        assert_eq!(
            enc(&all),
            "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%\
             1D%1E%1F%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDE\
             FGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~%7F%E6%89%A7%E6\
             %B3%95"
        );
    }

    #[test]
    fn assets_have_stable_hashed_urls() {
        let u = asset_url("site.css");
        assert!(u.starts_with("/assets/site.css?v=") && u.len() == "/assets/site.css?v=".len() + 16, "{u}");
        assert_eq!(u, asset_url("site.css"));
    }
}
