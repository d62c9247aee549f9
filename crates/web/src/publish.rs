//! The publication pipeline's HTTP faces (PUB-4..7, PUB-9, LOG-5); the publisher and the
//! search follower are background jobs in `zhifa_app::publications`:
//!
//! - staff API: `GET /api/v1/publications?state=due|overdue|published|withdrawn|expired`
//!   and `POST /api/v1/publications/{id}/withdraw` (heads, supervisors);
//! - the portal: `/public/decisions` (search with filters), `/public/decisions/{id}`,
//!   `/public/inspections` (PUB-7);
//! - open data (PUB-9): `GET /api/v1/public/decisions` (双公示 fields), bulk
//!   `decisions.csv` / `decisions.jsonl`, streamed;
//! - LOG-5: `GET /api/v1/public/records/{seq}/proof`, the inclusion proof of a
//!   publication record against the latest signed checkpoint — for publication records
//!   only; every other record stays private (LOG-4).

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, html};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::account::{Account, Role};
use zhifa_domain::event::Event;
use zhifa_domain::item::ItemKind;
use zhifa_domain::money::yuan;
use zhifa_domain::procedure::china_date;
use zhifa_domain::publication::{OPEN_FIELDS, OpenRecord, PublicationPolicy, WithdrawalGround, withdrawal_due};
use zhifa_store::{Actor, DueDecision, Paging, PublicationFilter, PublicationListState, PublicationRow};

use zhifa_app::publications::PUBLIC_KINDS;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryMap, bad, blocking};
use crate::html::{self, Crumb, Pager};
use crate::openapi::{Access, Api, Op, schema};
use crate::public::{PageError, PageResult};

// ---------------------------------------------------------------------------------------
// staff API

const STAFF: &[Role] = &[Role::Officer, Role::LegalReviewer, Role::AgencyHead, Role::Supervisor];
const WITHDRAWERS: &[Role] = &[Role::AgencyHead, Role::Supervisor];

pub fn api(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    api.add(
        M::GET,
        "/api/v1/publications",
        Op::new(
            "公示",
            "决定公示的到期、逾期、已公示、已撤下、已届满清单（PUB-4，PUB-6，SUP-1）",
            Access::Roles(STAFF),
        )
        .query(&[
            ("state", "due（待公示）| overdue（逾期未公示）| published | withdrawn | expired"),
            ("agency", "执法主体统一社会信用代码（监督人员可指定）"),
        ])
        .returns(schema::<PublicationList>),
        list,
    )
    .add(
        M::POST,
        "/api/v1/publications/{id}/withdraw",
        Op::new("公示", "撤下已公示的决定并公开理由（PUB-6）", Access::Roles(WITHDRAWERS))
            .body(schema::<WithdrawBody>)
            .returns(schema::<WithdrawResult>),
        withdraw,
    )
    .add(
        M::GET,
        "/api/v1/agencies/{code}/publication-policy",
        Op::new("公示", "执法主体的公示时限与公示期（PUB-4，PUB-6）", public).returns(schema::<PublicationPolicy>),
        get_policy,
    )
    .add(
        M::PUT,
        "/api/v1/agencies/{code}/publication-policy",
        Op::new("公示", "设置执法主体的公示时限与公示期（PUB-4，PUB-6）", Access::Roles(&[Role::SystemAdmin]))
            .body(schema::<PublicationPolicy>)
            .returns(schema::<PublicationPolicy>),
        set_policy,
    )
    .add(
        M::GET,
        "/api/v1/public/decisions",
        Op::new("开放数据", "已公示的行政处罚等决定，双公示字段（PUB-9）", public)
            .query(&[
                ("from", "决定日期起（含），2026-01-01"),
                ("to", "决定日期止（含）"),
                ("offset", "跳过条数"),
                ("limit", "每页条数（1–500）"),
            ])
            .returns(schema::<OpenPage>),
        open_json,
    )
    .add(
        M::GET,
        "/api/v1/public/decisions.csv",
        Op::new("开放数据", "按日期范围批量导出（CSV，UTF-8 带 BOM，双公示字段，PUB-9）", public)
            .query(&[("from", "决定日期起（含）"), ("to", "决定日期止（含）")])
            .returns_media("text/csv"),
        open_csv,
    )
    .add(
        M::GET,
        "/api/v1/public/decisions.jsonl",
        Op::new("开放数据", "按日期范围批量导出（JSON Lines，双公示字段，PUB-9）", public)
            .query(&[("from", "决定日期起（含）"), ("to", "决定日期止（含）")])
            .returns_media("application/jsonl"),
        open_jsonl,
    )
    .add(
        M::GET,
        "/api/v1/public/records/{seq}/proof",
        Op::new("可验证日志", "公示记录的包含证明：记录、盐值、叶子与最新签名检查点（LOG-3，LOG-5）", public)
            .returns(schema::<PublicProof>),
        proof,
    )
}

/// One row of the staff list.
#[derive(Serialize, JsonSchema)]
pub struct ListItem {
    /// The publication's id, once published.
    pub id: Option<String>,
    pub case: String,
    pub agency: String,
    pub kind: ItemKind,
    pub decided_on: Date,
    pub due: Date,
    pub due_provisional: bool,
    /// Due within the agency's warning window (PUB-4: staff are warned before).
    pub warning: bool,
    pub overdue: bool,
    /// Published: the publication record's log seq and the verification page (LOG-5).
    pub seq: Option<i64>,
    pub published_on: Option<Date>,
    pub on_time: Option<bool>,
    pub verify_url: Option<String>,
    pub proof_url: Option<String>,
    pub withdrawal: Option<zhifa_store::Withdrawal>,
}

#[derive(Serialize, JsonSchema)]
pub struct PublicationList {
    pub state: String,
    pub today: Date,
    pub items: Vec<ListItem>,
}

/// SEC-2: a supervisor sees every agency (or the one asked for); staff their own.
fn agency_scope(account: &zhifa_domain::account::Account, asked: Option<String>) -> ApiResult<Option<String>> {
    if account.has(Role::Supervisor) {
        return Ok(asked);
    }
    match &account.agency {
        Some(a) => Ok(Some(a.to_string())),
        None => Err(ApiError::Forbidden("账号未归属执法主体".into())),
    }
}

fn due_item(d: DueDecision, today: Date, warn_by: Date) -> ListItem {
    ListItem {
        overdue: d.due < today,
        warning: d.due >= today && d.due <= warn_by,
        id: None,
        case: d.case,
        agency: d.agency,
        kind: d.kind,
        decided_on: d.decided_on,
        due: d.due,
        due_provisional: d.provisional,
        seq: None,
        published_on: None,
        on_time: None,
        verify_url: None,
        proof_url: None,
        withdrawal: None,
    }
}

fn pub_item(r: PublicationRow) -> ListItem {
    let p = r.publication;
    let published_on = china_date(r.published_at);
    ListItem {
        verify_url: Some(format!("/public/decisions/{}", html::enc(&p.id))),
        proof_url: Some(format!("/api/v1/public/records/{}/proof", r.seq)),
        id: Some(p.id.clone()),
        case: p.case,
        agency: p.agency.to_string(),
        kind: p.kind,
        decided_on: p.decided_on,
        due: p.due,
        due_provisional: p.due_provisional,
        warning: false,
        overdue: false,
        seq: Some(r.seq),
        published_on: Some(published_on),
        on_time: Some(published_on <= p.due),
        withdrawal: r.withdrawal,
    }
}

async fn list(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<PublicationList>> {
    let account = c.0.clone().ok_or(ApiError::Unauthenticated)?;
    let asked = q.str("agency");
    let state = q.str("state").unwrap_or_else(|| "due".into());
    let paging = q.paging()?;
    let store = s.store.clone();
    let today = s.today();
    blocking(move || publication_list(&store, &account, asked, state, paging, today).map(Json)).await
}

/// The staff list of publications in a state (`due`, `overdue`, `published`, `withdrawn`,
/// `expired`) for `account` (the JSON API and the staff screen).
pub(crate) fn publication_list(
    store: &zhifa_store::Store,
    account: &zhifa_domain::account::Account,
    asked: Option<String>,
    state: String,
    paging: zhifa_store::Paging,
    today: Date,
) -> ApiResult<PublicationList> {
    let agency = agency_scope(account, asked)?;
    let items = match state.as_str() {
        "due" | "overdue" => {
            let cal = store.calendar()?;
            let mut out = Vec::new();
            for d in store.unpublished_decisions(agency.as_deref(), 10_000)? {
                let policy = store.publication_policy(&d.agency)?;
                let warn_by = cal.add_working_days(today, policy.warn_days).date;
                let item = due_item(d, today, warn_by);
                if item.overdue == (state == "overdue") {
                    out.push(item);
                }
            }
            out
        }
        "published" | "withdrawn" | "expired" => {
            let st = match state.as_str() {
                "published" => PublicationListState::Current,
                "withdrawn" => PublicationListState::Withdrawn,
                _ => PublicationListState::Expired,
            };
            let f = PublicationFilter { state: st, agency, ..Default::default() };
            store.publications(&f, paging)?.items.into_iter().map(pub_item).collect()
        }
        other => {
            return Err(bad(
                "state",
                format!("state=「{other}」无效，应为 due、overdue、published、withdrawn 或 expired"),
            ));
        }
    };
    Ok(PublicationList { state, today, items })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    /// The published reason (PUB-6).
    pub reason: String,
    pub ground: WithdrawalGround,
    /// When the ground arose (default today): the 3 working days run from it.
    #[serde(default)]
    pub arose_on: Option<Date>,
}

#[derive(Serialize, JsonSchema)]
pub struct WithdrawResult {
    pub id: String,
    pub seq: i64,
    /// PUB-6: the last day the withdrawal was on time.
    pub due: Date,
    pub late: bool,
    pub verify_url: String,
}

async fn withdraw(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<WithdrawBody>,
) -> ApiResult<Json<WithdrawResult>> {
    let account = c.0.clone().ok_or(ApiError::Unauthenticated)?;
    blocking(move || withdraw_blocking(&s, &account, &id, b).map(Json)).await
}

/// PUB-6: withdraws a publication with its published reason, for the API and the staff
/// screen alike; the page and the search hit go at once.
pub fn withdraw_blocking(
    st: &AppState,
    account: &Account,
    id: &str,
    b: WithdrawBody,
) -> Result<WithdrawResult, ApiError> {
    let store = &st.store;
    let today = st.today();
    let row = store.publication(id)?.ok_or_else(|| ApiError::NotFound(format!("公示 {id} ")))?;
    // SEC-2: a head withdraws their own agency's publications; a supervisor any.
    if !account.has(Role::Supervisor) && account.agency.as_ref() != Some(&row.publication.agency) {
        return Err(ApiError::Forbidden("只能撤下本机关的公示".into()));
    }
    let arose_on = b.arose_on.unwrap_or(today);
    let actor = Actor(format!("account:{}", account.login));
    let event = Event::PublicationWithdrawn { id: id.to_string(), reason: b.reason, ground: b.ground, arose_on };
    let rec = store.append(&actor, event)?;
    st.pages.forget(id);
    st.search.remove(id).map_err(|e| ApiError::Internal(e.to_string()))?;
    st.search.commit().map_err(|e| ApiError::Internal(e.to_string()))?;
    let policy = store.publication_policy(row.publication.agency.as_str())?;
    let due = withdrawal_due(&store.calendar()?, arose_on, &policy);
    Ok(WithdrawResult {
        verify_url: format!("/public/decisions/{}", html::enc(id)),
        id: id.to_string(),
        seq: rec.seq,
        due,
        late: today > due,
    })
}

async fn get_policy(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<PublicationPolicy>> {
    let store = s.store.clone();
    blocking(move || {
        store.agency(&code)?.ok_or_else(|| ApiError::NotFound(format!("执法主体 {code} ")))?;
        Ok(Json(store.publication_policy(&code)?))
    })
    .await
}

async fn set_policy(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(policy): JsonBody<PublicationPolicy>,
) -> ApiResult<Json<PublicationPolicy>> {
    let agency = zhifa_domain::codes::CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let store = s.store.clone();
    blocking(move || {
        store.append(&c.actor(), Event::PublicationPolicySet { agency, policy: policy.clone() })?;
        Ok(Json(policy))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// open data (PUB-9)

#[derive(Serialize, JsonSchema)]
pub struct OpenPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<OpenRecord>,
}

fn date_range(q: &QueryMap) -> ApiResult<PublicationFilter> {
    let (from, to) = (q.date("from")?, q.date("to")?);
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Err(bad("from", "起始日期不能晚于截止日期"));
    }
    Ok(PublicationFilter { from, to, ..Default::default() })
}

async fn open_json(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<OpenPage>> {
    let f = date_range(&q)?;
    let paging = q.paging()?;
    let store = s.store.clone();
    blocking(move || {
        let page = store.publications(&f, paging)?;
        Ok(Json(OpenPage {
            total: page.total,
            offset: page.offset,
            limit: page.limit,
            items: page.items.iter().map(|r| OpenRecord::of(&r.publication)).collect(),
        }))
    })
    .await
}

/// A CSV cell: always quoted; a leading `= + - @` is defused (spreadsheet formula injection).
fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) { format!("'{v}") } else { v.to_string() };
    format!("\"{}\"", v.replace('"', "\"\""))
}

fn csv_line(values: &[&str]) -> String {
    let mut s = values.iter().map(|v| csv_cell(v)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

/// Streams the current publications in the range, page by page, as lines made by `line`.
fn stream_export(
    s: &AppState,
    f: PublicationFilter,
    head: Option<String>,
    line: fn(&OpenRecord) -> String,
    content_type: &'static str,
    file: &'static str,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let store = s.store.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(h) = head
            && tx.blocking_send(Ok(h.into_bytes())).is_err()
        {
            return;
        }
        let mut offset = 0;
        loop {
            let page = match store.publications(&f, Paging { offset, limit: 500 }) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "export failed");
                    let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
                    return;
                }
            };
            let mut chunk = String::new();
            for r in &page.items {
                chunk.push_str(&line(&OpenRecord::of(&r.publication)));
            }
            if tx.blocking_send(Ok(chunk.into_bytes())).is_err() {
                return;
            }
            offset += page.items.len() as i64;
            if page.items.is_empty() || offset >= page.total {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static(file)),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn open_csv(State(s): State<AppState>, q: QueryMap) -> ApiResult<Response> {
    let f = date_range(&q)?;
    // UTF-8 with BOM, so spreadsheet programs read the Chinese correctly.
    let head = format!("\u{feff}{}", csv_line(&OPEN_FIELDS));
    Ok(stream_export(
        &s,
        f,
        Some(head),
        |r| csv_line(&r.values()),
        "text/csv; charset=utf-8",
        "attachment; filename=\"decisions.csv\"",
    ))
}

async fn open_jsonl(State(s): State<AppState>, q: QueryMap) -> ApiResult<Response> {
    let f = date_range(&q)?;
    Ok(stream_export(
        &s,
        f,
        None,
        |r| {
            let mut l = serde_json::to_string(r).unwrap_or_default();
            l.push('\n');
            l
        },
        "application/jsonl; charset=utf-8",
        "attachment; filename=\"decisions.jsonl\"",
    ))
}

// ---------------------------------------------------------------------------------------
// LOG-5: public proofs of publication records

/// Everything needed to check that a publication record is in the log: recompute the
/// leaf from `canonical` and `salt` (`SHA-256("zhifa/record/v1\n" ‖ salt ‖ canonical)`),
/// hash it as an RFC 6962 leaf, and fold `proof` at `index` up to the root of `checkpoint`.
#[derive(Serialize, JsonSchema)]
pub struct PublicProof {
    pub seq: i64,
    pub kind: String,
    /// The record (public: a publication, withdrawal or expiry).
    pub record: serde_json::Value,
    /// The record's canonical bytes as text.
    pub canonical: String,
    /// Hex of the salt.
    pub salt: String,
    /// Hex of the log entry (the salted commitment).
    pub entry: String,
    pub index: u64,
    pub tree_size: u64,
    /// Base64 hashes of the inclusion proof (RFC 6962).
    pub proof: Vec<String>,
    pub root: String,
    /// The signed checkpoint (C2SP tlog-checkpoint) the proof is against.
    pub checkpoint: String,
}

async fn proof(State(s): State<AppState>, Path(seq): Path<String>) -> ApiResult<Json<PublicProof>> {
    let seq: i64 = seq.parse().map_err(|_| bad("seq", format!("「{seq}」不是记录序号")))?;
    let store = s.store.clone();
    blocking(move || {
        let leaf = store.record_leaf(seq)?;
        // LOG-4: only publication records are public; any other is "not found".
        let leaf = leaf
            .filter(|l| PUBLIC_KINDS.contains(&l.record.kind.as_str()))
            .ok_or_else(|| ApiError::NotFound(format!("公示记录 {seq} ")))?;
        let cp = store
            .latest_checkpoint()?
            .filter(|c| c.size > seq as u64)
            .ok_or_else(|| ApiError::Conflict("LOG-3", format!("记录 {seq} 尚未被已签发的检查点包含，请稍后再试")))?;
        let proof = store.inclusion_proof(seq as u64, cp.size)?;
        Ok(Json(PublicProof {
            seq,
            kind: leaf.record.kind.clone(),
            canonical: String::from_utf8_lossy(&zhifa_store::log::canonical_bytes(&leaf.record)).into_owned(),
            record: serde_json::to_value(&leaf.record).map_err(|e| ApiError::Internal(e.to_string()))?,
            salt: leaf.salt,
            entry: leaf.commitment,
            index: seq as u64,
            tree_size: cp.size,
            proof: proof.iter().map(|h| h.to_base64()).collect(),
            root: cp.root.to_base64(),
            checkpoint: cp.published(),
        }))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// portal pages

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/decisions", get(decisions))
        .route("/public/decisions/{id}", get(decision))
        .route("/public/inspections", get(inspections))
}

const PER_PAGE: i64 = 20;

fn page(title: &str, crumbs: Vec<Crumb>, current: &str, main: Markup) -> PageResult {
    let mut all = vec![Crumb::link("首页", "/public")];
    all.extend(crumbs);
    Ok(html::respond(StatusCode::OK, html::document(&crate::public::CHROME, title, &all, current, main)))
}

fn pdate(d: Date) -> String {
    d.strftime("%Y年%m月%d日").to_string()
}

/// The snippet with its matched words in `<mark>`, every piece escaped (SEC-5).
fn marked(snippet: &str, marks: &[std::ops::Range<usize>]) -> Markup {
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for m in marks {
        let (Some(before), Some(word)) = (snippet.get(at..m.start), snippet.get(m.start..m.end)) else { continue };
        if m.start < at {
            continue;
        }
        pieces.push((false, before));
        pieces.push((true, word));
        at = m.end;
    }
    pieces.push((false, snippet.get(at..).unwrap_or("")));
    html! { @for (hit, text) in pieces { @if hit { mark { (text) } } @else { (text) } } }
}

fn fen_param(q: &QueryMap, k: &str) -> Result<Option<i64>, PageError> {
    match q.str(k) {
        None => Ok(None),
        Some(v) => {
            let yuan: f64 = v.trim().parse().map_err(|_| PageError::BadRequest(format!("金额「{v}」不是数字")))?;
            if !(0.0..=1e12).contains(&yuan) {
                return Err(PageError::BadRequest("金额超出范围".into()));
            }
            Ok(Some((yuan * 100.0).round() as i64))
        }
    }
}

struct SearchForm {
    q: String,
    agency: String,
    domain: String,
    kind: String,
    from: String,
    to: String,
    min: String,
    max: String,
}

async fn search_page(
    s: AppState,
    q: QueryMap,
    fixed_kind: Option<ItemKind>,
    path: &'static str,
    title: &'static str,
) -> PageResult {
    let pager = {
        let page = q.i64("page").map_err(PageError::from)?.unwrap_or(1);
        if !(1..=10_000).contains(&page) {
            return Err(PageError::BadRequest("页码须为正整数".into()));
        }
        Pager::new(page, PER_PAGE)
    };
    let form = SearchForm {
        q: q.str("q").unwrap_or_default(),
        agency: q.str("agency").unwrap_or_default(),
        domain: q.str("domain").unwrap_or_default(),
        kind: fixed_kind.map(|k| k.as_str().to_string()).or_else(|| q.str("kind")).unwrap_or_default(),
        from: q.str("from").unwrap_or_default(),
        to: q.str("to").unwrap_or_default(),
        min: q.str("min").unwrap_or_default(),
        max: q.str("max").unwrap_or_default(),
    };
    if form.q.chars().count() > 100 {
        return Err(PageError::BadRequest("检索词不能超过 100 个字".into()));
    }
    let kind = match form.kind.as_str() {
        "" => None,
        k => Some(ItemKind::parse(k).ok_or_else(|| PageError::BadRequest(format!("决定类别「{k}」无效")))?),
    };
    let query = zhifa_search::Query {
        text: form.q.clone(),
        doc_type: Some(zhifa_search::DocType::Decision),
        agency: Some(form.agency.clone()).filter(|a| !a.is_empty()),
        domain: Some(form.domain.clone()).filter(|a| !a.is_empty()),
        kind: kind.map(|k| k.label().to_string()),
        from: q.date("from").map_err(PageError::from)?,
        to: q.date("to").map_err(PageError::from)?,
        min_fen: fen_param(&q, "min")?,
        max_fen: fen_param(&q, "max")?,
        offset: pager.offset() as usize,
        limit: PER_PAGE as usize,
    };
    let index = s.search.clone();
    let store = s.store.clone();
    let (hits, agencies) = blocking(move || {
        let hits = index.search(&query).map_err(|e| ApiError::Internal(e.to_string()))?;
        let agencies = store.agencies(&Default::default(), Paging { offset: 0, limit: 500 })?.items;
        Ok((hits, agencies))
    })
    .await?;
    let domains: Vec<&str> = zhifa_domain::registry::Domain::ALL.iter().map(|d| d.label()).collect();
    let query_pairs: Vec<(&str, String)> = vec![
        ("q", form.q.clone()),
        ("agency", form.agency.clone()),
        ("domain", form.domain.clone()),
        ("kind", if fixed_kind.is_some() { String::new() } else { form.kind.clone() }),
        ("from", form.from.clone()),
        ("to", form.to.clone()),
        ("min", form.min.clone()),
        ("max", form.max.clone()),
    ];
    let main = html! {
        p { "依照行政执法公示制度，行政处罚、行政许可等决定作出后依法公示。公示内容已对自然人姓名、身份证号码、联系电话、住址等个人信息作去标识化处理。" }
        form.filters method="get" action=(path) role="search" {
            label.wide { "关键词" input type="search" name="q" value=(form.q) placeholder="如：过期食品、当事人名称、案号"; }
            label { "执法主体"
                select name="agency" {
                    option value="" { "全部" }
                    @for a in &agencies {
                        option value=(a.code.as_str()) selected[form.agency == a.code.as_str()] { (a.name) }
                    }
                }
            }
            label { "执法领域"
                select name="domain" {
                    option value="" { "全部" }
                    @for d in &domains { option value=(d) selected[form.domain == *d] { (d) } }
                }
            }
            @if fixed_kind.is_none() {
                label { "决定类别"
                    select name="kind" {
                        option value="" { "全部" }
                        @for k in [ItemKind::Penalty, ItemKind::Licensing, ItemKind::Inspection, ItemKind::Coercion] {
                            option value=(k.as_str()) selected[form.kind == k.as_str()] { (k.label()) }
                        }
                    }
                }
            }
            label { "决定日期起" input type="date" name="from" value=(form.from); }
            label { "决定日期止" input type="date" name="to" value=(form.to); }
            label { "罚款金额下限（元）" input type="number" name="min" min="0" step="0.01" value=(form.min) inputmode="decimal"; }
            label { "罚款金额上限（元）" input type="number" name="max" min="0" step="0.01" value=(form.max) inputmode="decimal"; }
            button type="submit" { "检索" }
        }
        p.muted { "共 " (hits.total) " 条" }
        @if hits.hits.is_empty() {
            p { "没有符合条件的公示。" }
        } @else {
            ol.hits {
                @for h in &hits.hits {
                    li {
                        a href={ "/public/decisions/" (html::enc(&h.id)) } { strong { (h.title) } }
                        div.muted { (h.agency_name) @if let Some(d) = h.date { " · " (pdate(d)) } }
                        p.snippet { (marked(&h.snippet, &h.marks)) }
                    }
                }
            }
        }
        (html::pagination(path, &query_pairs, pager, hits.total as i64))
        p.muted { "开放数据：" a href="/api/v1/public/decisions" { "JSON" } " · " a href="/api/v1/public/decisions.csv" { "CSV" } " · " a href="/api/v1/public/decisions.jsonl" { "JSON Lines" } }
    };
    page(title, vec![Crumb::here(title)], path, main)
}

async fn decisions(State(s): State<AppState>, q: QueryMap) -> PageResult {
    search_page(s, q, None, "/public/decisions", "执法决定公示").await
}

/// PUB-7: inspection results.
async fn inspections(State(s): State<AppState>, q: QueryMap) -> PageResult {
    search_page(s, q, Some(ItemKind::Inspection), "/public/inspections", "检查结果公示").await
}

fn html_bytes(page: axum::body::Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        page,
    )
        .into_response()
}

async fn decision(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    if let Some(page) = s.pages.get(&id) {
        return Ok(html_bytes(page));
    }
    let resp = render_decision(&s, id.clone()).await?;
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 22).await.map_err(|e| PageError::Internal(e.to_string()))?;
    if parts.status == StatusCode::OK {
        s.pages.put(&id, bytes.clone());
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

async fn render_decision(s: &AppState, id: String) -> PageResult {
    let store = s.store.clone();
    let key = id.clone();
    let row = blocking(move || Ok(store.publication(&key)?)).await?;
    let row = row.ok_or_else(|| PageError::NotFound(format!("公示 {id} ")))?;
    let p = &row.publication;
    let title = format!("{}：{}", p.party.name, p.title);
    let facts: Vec<(&str, Markup)> = vec![
        ("案号", html! { (p.case) }),
        ("执法主体", html! { (p.agency_name) }),
        ("当事人", html! { (p.party.name) }),
        ("统一社会信用代码", html! { (p.party.credit_code.clone().unwrap_or_else(|| "—".into())) }),
        ("决定类别", html! { (p.kind.label()) }),
        ("决定日期", html! { (pdate(p.decided_on)) }),
        ("决定内容", html! { (p.conclusion) }),
        ("处罚依据", html! { (p.basis) }),
        ("罚款金额", html! { @if p.fine_fen > 0 { (yuan(p.fine_fen)) " 元" } @else { "—" } }),
        ("公示期至", html! { (pdate(p.until)) }),
    ];
    let main = html! {
        @if let Some(w) = &row.withdrawal {
            div.verdict.bad role="status" {
                strong { "已撤下" }
                span { "本决定" (w.ground.label()) "，已于 " (pdate(china_date(w.at))) " 撤下公示。" }
            }
            h2 { "撤下理由" }
            p.reason { (w.reason) }
            p.verify { "撤下记录已记入可验证日志：记录序号 " (w.seq) "。"
                a href={ "/api/v1/public/records/" (w.seq) "/proof" } { "核验证明" } }
        } @else if row.expired_seq.is_some() {
            div.verdict.bad role="status" {
                strong { "公示期满" }
                span { "本决定的公示期已于 " (pdate(p.until)) " 届满，公示内容已撤下。" }
            }
        } @else {
            (html::facts(&facts))
            h2 { "决定书（已去标识化）" }
            div.decision-text {
                @for line in p.text.lines() { p { (line) } }
            }
        }
        h2 { "核验" }
        p.verify {
            "本公示已记入可验证日志：记录序号 " strong { (row.seq) } "。"
            a #verify href={ "/api/v1/public/records/" (row.seq) "/proof" } { "查看包含证明（JSON）" }
            "，并可对照 " a href="/public/log" { "可验证日志" } " 的签名检查点自行核验。"
        }
    };
    page(
        &title,
        vec![Crumb::link("执法决定公示", "/public/decisions"), Crumb::here(p.case.clone())],
        "/public/decisions",
        main,
    )
}

// ---------------------------------------------------------------------------------------
// the demo's decided cases

/// Runs a case through the real case engine: opens it with `open` as the account `login`
/// and records `steps`, each as its account (the API's request bodies). With `video`, an
/// audio/video evidence record of the scene is stored first and `"$video"` in a step's
/// `evidence` stands for it. Returns the case number. Used by `zhifa demo` so that the
/// portal has publications (PUB-4).
pub fn run_case(
    store: &zhifa_store::Store,
    login: &str,
    open: serde_json::Value,
    steps: &[(&str, serde_json::Value)],
    video: bool,
) -> Result<String, String> {
    let err = |e: zhifa_app::Error| format!("{:?}", ApiError::from(e));
    let me = store.account(login).map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {login} 不存在"))?;
    let input: zhifa_app::cases::OpenInput = serde_json::from_value(open).map_err(|e| e.to_string())?;
    // The case use cases need only the store of an application.
    let app = zhifa_app::App::new(store.clone(), zhifa_app::log::LogConfig::ephemeral("zhifa.demo/cases"));
    let rec = zhifa_app::cases::open(&app, &me, input).map_err(err)?;
    let number = rec.body["case"]["number"].as_str().ok_or("no case number")?.to_string();
    let mut sha = String::new();
    if video {
        use sha2::Digest;
        sha = hex::encode(sha2::Sha256::digest(format!("zhifa-demo-video/{number}").as_bytes()));
        let evidence = zhifa_domain::case::Evidence {
            case: number.clone(),
            sha256: sha.clone(),
            sm3: sha.clone(),
            size: 1_048_576,
            media_type: "video/mp4".into(),
            key: format!("sha256/{sha}"),
            file_name: "执法记录仪.mp4".into(),
            captured_at: store.now(),
            place: "正定县燕赵南大街".into(),
            collector: me.staff_no.clone().unwrap_or_default(),
            proves: "现场执法全过程".into(),
            retention: zhifa_domain::case::Retention::Permanent,
            by: login.into(),
        };
        store
            .append(&Actor(format!("account:{login}")), Event::EvidenceStored { evidence })
            .map_err(|e| e.to_string())?;
    }
    for (who, s) in steps {
        let actor = store.account(who).map_err(|e| e.to_string())?.ok_or_else(|| format!("账号 {who} 不存在"))?;
        let s = serde_json::from_str::<serde_json::Value>(&s.to_string().replace("$video", &sha))
            .map_err(|e| e.to_string())?;
        let input: zhifa_domain::case::Step = serde_json::from_value(s).map_err(|e| e.to_string())?;
        let action = input.action.clone();
        zhifa_app::cases::record(&app, &actor, &number, input).map_err(|e| format!("{action}: {}", err(e)))?;
    }
    Ok(number)
}
