//! `/api/v1` registries: regions, agencies, legal reviewers, the item catalogue and the
//! random-inspection list (the officers are [`super::officers`]). Reads are public
//! (PUB-1); writes are the registrars'. The use cases are `zhifa_app::registry`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{REGISTRARS, SUPERVISION, account};
use zhifa_app::registry::{self, ItemDetail, ReviewerInput, ReviewerRemoveInput};
use zhifa_domain::codes::RegionCode;
use zhifa_domain::item::{InspectionEntry, ItemKind, ItemVersion};
use zhifa_domain::regions::Region;
use zhifa_domain::registry::{Agency, AgencyStatus, Domain, ReviewerRatio};
use zhifa_store::{AgencyFilter, ItemFilter, Page, Record, ReviewerRow};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub(super) fn register(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    let registrars = Access::Roles(REGISTRARS);
    let api = api
        .add(
            M::GET,
            "/api/v1/regions",
            Op::new("区划", "GB/T 2260 行政区划（按上级查询下级）", public)
                .query(&[("parent", "上级区划代码；省略时返回省级")])
                .returns(schema::<Vec<Region>>),
            list_regions,
        )
        .add(
            M::GET,
            "/api/v1/agencies",
            Op::new("执法主体", "执法主体列表（PUB-1）", public)
                .query(&[
                    ("region", "区划代码，含下级"),
                    ("domain", "执法领域"),
                    ("status", "状态"),
                    ("q", "名称关键字"),
                    ("offset", "跳过条数"),
                    ("limit", "每页条数（1–500）"),
                ])
                .returns(schema::<Page<Agency>>),
            list_agencies,
        )
        .add(
            M::POST,
            "/api/v1/agencies",
            Op::new("执法主体", "登记执法主体（SUBJ-1）", registrars).body(schema::<Agency>).returns(schema::<Record>),
            create_agency,
        )
        .add(
            M::GET,
            "/api/v1/agencies/{code}",
            Op::new("执法主体", "执法主体详情", public).returns(schema::<Agency>),
            get_agency,
        )
        .add(
            M::PUT,
            "/api/v1/agencies/{code}",
            Op::new("执法主体", "变更执法主体（含确认、公告状态）", registrars)
                .body(schema::<Agency>)
                .returns(schema::<Record>),
            update_agency,
        );
    // The officers between the agencies and the reviewers: the generic schemas' names in
    // the OpenAPI document (`Page2`, `Page3`) follow the order of registration.
    let api = super::officers::register(api);
    api.add(
        M::GET,
        "/api/v1/reviewers",
        Op::new("法制审核人员", "法制审核人员任职记录（STAFF-5）", public).returns(schema::<Vec<ReviewerRow>>),
        list_reviewers,
    )
    .add(
        M::POST,
        "/api/v1/reviewers",
        Op::new("法制审核人员", "任命法制审核人员（STAFF-5）", registrars)
            .body(schema::<ReviewerInput>)
            .returns(schema::<Record>),
        appoint_reviewer,
    )
    .add(
        M::POST,
        "/api/v1/reviewers/remove",
        Op::new("法制审核人员", "免去法制审核人员", registrars)
            .body(schema::<ReviewerRemoveInput>)
            .returns(schema::<Record>),
        remove_reviewer,
    )
    .add(
        M::GET,
        "/api/v1/reviewer-ratios",
        Op::new("法制审核人员", "各机关法制审核人员占比（STAFF-5，低于 5% 者标出）", Access::Roles(SUPERVISION))
            .returns(schema::<Vec<ReviewerRatio>>),
        reviewer_ratios,
    )
    .add(
        M::GET,
        "/api/v1/items",
        Op::new("执法事项", "执法事项清单（PUB-1，ITEM-1）", public)
            .query(&[
                ("agency", "实施主体代码"),
                ("domain", "执法领域"),
                ("kind", "事项类别"),
                ("q", "名称关键字或编码"),
                ("in_force", "仅有效事项 true/false"),
                ("offset", "跳过条数"),
                ("limit", "每页条数（1–500）"),
            ])
            .returns(schema::<Page<ItemVersion>>),
        list_items,
    )
    .add(
        M::POST,
        "/api/v1/items",
        Op::new("执法事项", "新增事项或事项的新版本（ITEM-3：新增、变更、取消、下放、合并、调整管理方式）", registrars)
            .body(schema::<ItemVersion>)
            .returns(schema::<Record>),
        add_item_version,
    )
    .add(
        M::GET,
        "/api/v1/items/{code}",
        Op::new("执法事项", "事项及其全部版本（ITEM-3）", public).returns(schema::<ItemDetail>),
        get_item,
    )
    .add(
        M::GET,
        "/api/v1/item-changes",
        Op::new("执法事项", "清单调整历史（ITEM-3，公开）", public)
            .query(&[("offset", "跳过条数"), ("limit", "每页条数")])
            .returns(schema::<Page<ItemVersion>>),
        item_changes,
    )
    .add(
        M::GET,
        "/api/v1/inspection-list",
        Op::new("随机抽查", "随机抽查事项清单（ITEM-5）", public)
            .query(&[("domain", "执法领域")])
            .returns(schema::<Vec<InspectionEntry>>),
        inspection_list,
    )
    .add(
        M::POST,
        "/api/v1/inspection-list",
        Op::new("随机抽查", "新增或变更随机抽查事项", registrars)
            .body(schema::<InspectionEntry>)
            .returns(schema::<Record>),
        set_inspection_entry,
    )
}

// ---------------------------------------------------------------------------------------
// regions and agencies

async fn list_regions(q: QueryMap) -> ApiResult<Json<Vec<Region>>> {
    let parent = match q.str("parent") {
        Some(p) => Some(RegionCode::parse(&p).map_err(|e| bad("parent", e.to_string()))?),
        None => None,
    };
    Ok(Json(registry::regions(parent.as_ref())))
}

async fn list_agencies(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Page<Agency>>> {
    let f = AgencyFilter {
        region: match q.str("region") {
            Some(r) => Some(RegionCode::parse(&r).map_err(|e| bad("region", e.to_string()))?.to_string()),
            None => None,
        },
        domain: q.parse("domain", Domain::parse, "执法领域")?,
        status: q.parse("status", AgencyStatus::parse, "状态")?.map(|s| s.as_str().to_string()),
        q: q.str("q"),
    };
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || registry::agencies(&app, &f, p)).await.map(Json)
}

async fn get_agency(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Agency>> {
    let app = s.app.clone();
    call(move || registry::agency(&app, &code)).await.map(Json)
}

async fn create_agency(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(agency): JsonBody<Agency>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::register_agency(&app, account(c.0.as_ref())?, agency)).await.map(Json)
}

async fn update_agency(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(agency): JsonBody<Agency>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::update_agency(&app, account(c.0.as_ref())?, &code, agency)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// reviewers

async fn list_reviewers(State(s): State<AppState>) -> ApiResult<Json<Vec<ReviewerRow>>> {
    let app = s.app.clone();
    call(move || registry::reviewers(&app)).await.map(Json)
}

async fn appoint_reviewer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(i): JsonBody<ReviewerInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::appoint_reviewer(&app, account(c.0.as_ref())?, i)).await.map(Json)
}

async fn remove_reviewer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(i): JsonBody<ReviewerRemoveInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::remove_reviewer(&app, account(c.0.as_ref())?, i)).await.map(Json)
}

async fn reviewer_ratios(State(s): State<AppState>, c: Caller) -> ApiResult<Json<Vec<ReviewerRatio>>> {
    let app = s.app.clone();
    call(move || registry::reviewer_ratios(&app, account(c.0.as_ref())?)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// items

async fn list_items(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Page<ItemVersion>>> {
    let f = ItemFilter {
        agency: q.str("agency"),
        domain: q.parse("domain", Domain::parse, "执法领域")?,
        kind: q.parse("kind", ItemKind::parse, "事项类别")?.map(|k| k.as_str().to_string()),
        q: q.str("q"),
        in_force: q.bool("in_force")?,
    };
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || registry::items(&app, &f, p)).await.map(Json)
}

async fn get_item(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<ItemDetail>> {
    let app = s.app.clone();
    call(move || registry::item(&app, &code)).await.map(Json)
}

async fn add_item_version(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(item): JsonBody<ItemVersion>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::add_item_version(&app, account(c.0.as_ref())?, item)).await.map(Json)
}

async fn item_changes(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Page<ItemVersion>>> {
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || registry::item_changes(&app, p)).await.map(Json)
}

async fn inspection_list(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Vec<InspectionEntry>>> {
    let domain = q.parse("domain", Domain::parse, "执法领域")?;
    let app = s.app.clone();
    call(move || registry::inspection_list(&app, domain)).await.map(Json)
}

async fn set_inspection_entry(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(entry): JsonBody<InspectionEntry>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::set_inspection_entry(&app, account(c.0.as_ref())?, entry)).await.map(Json)
}
