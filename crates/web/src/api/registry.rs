//! `/api/v1` registries: regions, agencies, officers with their training, exams and
//! certificates, legal reviewers, the item catalogue and the random-inspection list.
//! Reads are public (PUB-1); writes are the registrars'. The use cases are
//! `zhifa_app::registry`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{REGISTRARS, STAFF, SUPERVISION, account};
use zhifa_app::registry::{
    self, CertificateView, CheckInput, DateInput, ExamInput, ItemDetail, OfficerView, ReviewerInput,
    ReviewerRemoveInput, RevokeInput, SuspendInput, TrainingInput,
};
use zhifa_domain::codes::RegionCode;
use zhifa_domain::eligibility::Eligibility;
use zhifa_domain::item::{InspectionEntry, ItemKind, ItemVersion};
use zhifa_domain::regions::Region;
use zhifa_domain::registry::{Agency, AgencyStatus, Certificate, Domain, Officer, ReviewerRatio};
use zhifa_store::{AgencyFilter, ItemFilter, OfficerFilter, Page, Record, ReviewerRow};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub(super) fn register(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    let registrars = Access::Roles(REGISTRARS);
    api.add(M::GET, "/api/v1/regions", Op::new("区划", "GB/T 2260 行政区划（按上级查询下级）", public)
            .query(&[("parent", "上级区划代码；省略时返回省级")]).returns(schema::<Vec<Region>>), list_regions)
        .add(M::GET, "/api/v1/agencies", Op::new("执法主体", "执法主体列表（PUB-1）", public)
            .query(&[("region", "区划代码，含下级"), ("domain", "执法领域"), ("status", "状态"), ("q", "名称关键字"), ("offset", "跳过条数"), ("limit", "每页条数（1–500）")])
            .returns(schema::<Page<Agency>>), list_agencies)
        .add(M::POST, "/api/v1/agencies", Op::new("执法主体", "登记执法主体（SUBJ-1）", registrars).body(schema::<Agency>).returns(schema::<Record>), create_agency)
        .add(M::GET, "/api/v1/agencies/{code}", Op::new("执法主体", "执法主体详情", public).returns(schema::<Agency>), get_agency)
        .add(M::PUT, "/api/v1/agencies/{code}", Op::new("执法主体", "变更执法主体（含确认、公告状态）", registrars).body(schema::<Agency>).returns(schema::<Record>), update_agency)
        .add(M::GET, "/api/v1/officers", Op::new("执法人员", "执法人员列表（匿名访问只含公开字段，STAFF-1）", public)
            .query(&[("agency", "执法主体统一社会信用代码"), ("q", "姓名关键字或人员编号"), ("offset", "跳过条数"), ("limit", "每页条数（1–500）")])
            .returns(schema::<Page<OfficerView>>), list_officers)
        .add(M::POST, "/api/v1/officers", Op::new("执法人员", "登记人员", registrars).body(schema::<Officer>).returns(schema::<Record>), create_officer)
        .add(M::GET, "/api/v1/officers/{staff_no}", Op::new("执法人员", "人员详情", public).returns(schema::<OfficerView>), get_officer)
        .add(M::PUT, "/api/v1/officers/{staff_no}", Op::new("执法人员", "变更人员信息", registrars).body(schema::<Officer>).returns(schema::<Record>), update_officer)
        .add(M::POST, "/api/v1/officers/{staff_no}/training", Op::new("执法人员", "记录培训学时（STAFF-3）", registrars).body(schema::<TrainingInput>).returns(schema::<Record>), record_training)
        .add(M::POST, "/api/v1/officers/{staff_no}/exams", Op::new("执法人员", "记录资格考试（STAFF-3）", registrars).body(schema::<ExamInput>).returns(schema::<Record>), record_exam)
        .add(M::GET, "/api/v1/officers/{staff_no}/eligibility", Op::new("执法人员", "该人员今天能否办理某事项；不能时给出规则（STAFF-2..4）", Access::Roles(STAFF))
            .query(&[("item", "事项编码（必填）"), ("date", "日期，默认今天")]).returns(schema::<Eligibility>), eligibility)
        .add(M::POST, "/api/v1/certificates", Op::new("执法证", "发放执法证（STAFF-2）", registrars).body(schema::<Certificate>).returns(schema::<Record>), issue_certificate)
        .add(M::GET, "/api/v1/certificates/{number}", Op::new("执法证", "按证号查验执法证当前是否有效（PUB-3）", public).returns(schema::<CertificateView>), get_certificate)
        .add(M::POST, "/api/v1/certificates/{number}/suspend", Op::new("执法证", "暂扣执法证", registrars).body(schema::<SuspendInput>).returns(schema::<Record>), suspend_certificate)
        .add(M::POST, "/api/v1/certificates/{number}/reinstate", Op::new("执法证", "恢复执法证", registrars).body(schema::<DateInput>).returns(schema::<Record>), reinstate_certificate)
        .add(M::POST, "/api/v1/certificates/{number}/revoke", Op::new("执法证", "注销执法证（退休、调离、辞退、死亡）", registrars).body(schema::<RevokeInput>).returns(schema::<Record>), revoke_certificate)
        .add(M::POST, "/api/v1/certificates/{number}/check", Op::new("执法证", "记录年检结果（STAFF-3）", registrars).body(schema::<CheckInput>).returns(schema::<Record>), check_certificate)
        .add(M::GET, "/api/v1/reviewers", Op::new("法制审核人员", "法制审核人员任职记录（STAFF-5）", public).returns(schema::<Vec<ReviewerRow>>), list_reviewers)
        .add(M::POST, "/api/v1/reviewers", Op::new("法制审核人员", "任命法制审核人员（STAFF-5）", registrars).body(schema::<ReviewerInput>).returns(schema::<Record>), appoint_reviewer)
        .add(M::POST, "/api/v1/reviewers/remove", Op::new("法制审核人员", "免去法制审核人员", registrars).body(schema::<ReviewerRemoveInput>).returns(schema::<Record>), remove_reviewer)
        .add(M::GET, "/api/v1/reviewer-ratios", Op::new("法制审核人员", "各机关法制审核人员占比（STAFF-5，低于 5% 者标出）", Access::Roles(SUPERVISION)).returns(schema::<Vec<ReviewerRatio>>), reviewer_ratios)
        .add(M::GET, "/api/v1/items", Op::new("执法事项", "执法事项清单（PUB-1，ITEM-1）", public)
            .query(&[("agency", "实施主体代码"), ("domain", "执法领域"), ("kind", "事项类别"), ("q", "名称关键字或编码"), ("in_force", "仅有效事项 true/false"), ("offset", "跳过条数"), ("limit", "每页条数（1–500）")])
            .returns(schema::<Page<ItemVersion>>), list_items)
        .add(M::POST, "/api/v1/items", Op::new("执法事项", "新增事项或事项的新版本（ITEM-3：新增、变更、取消、下放、合并、调整管理方式）", registrars).body(schema::<ItemVersion>).returns(schema::<Record>), add_item_version)
        .add(M::GET, "/api/v1/items/{code}", Op::new("执法事项", "事项及其全部版本（ITEM-3）", public).returns(schema::<ItemDetail>), get_item)
        .add(M::GET, "/api/v1/item-changes", Op::new("执法事项", "清单调整历史（ITEM-3，公开）", public).query(&[("offset", "跳过条数"), ("limit", "每页条数")]).returns(schema::<Page<ItemVersion>>), item_changes)
        .add(M::GET, "/api/v1/inspection-list", Op::new("随机抽查", "随机抽查事项清单（ITEM-5）", public).query(&[("domain", "执法领域")]).returns(schema::<Vec<InspectionEntry>>), inspection_list)
        .add(M::POST, "/api/v1/inspection-list", Op::new("随机抽查", "新增或变更随机抽查事项", registrars).body(schema::<InspectionEntry>).returns(schema::<Record>), set_inspection_entry)
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
// officers

async fn list_officers(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Page<OfficerView>>> {
    let f = OfficerFilter { agency: q.str("agency"), q: q.str("q") };
    let p = q.paging()?;
    let app = s.app.clone();
    call(move || registry::officers(&app, c.0.as_ref(), &f, p)).await.map(Json)
}

async fn get_officer(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
) -> ApiResult<Json<OfficerView>> {
    let app = s.app.clone();
    call(move || registry::officer(&app, c.0.as_ref(), &staff_no)).await.map(Json)
}

async fn create_officer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(officer): JsonBody<Officer>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::register_officer(&app, account(c.0.as_ref())?, officer)).await.map(Json)
}

async fn update_officer(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(officer): JsonBody<Officer>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::update_officer(&app, account(c.0.as_ref())?, &staff_no, officer)).await.map(Json)
}

async fn record_training(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(t): JsonBody<TrainingInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::record_training(&app, account(c.0.as_ref())?, staff_no, t)).await.map(Json)
}

async fn record_exam(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(e): JsonBody<ExamInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::record_exam(&app, account(c.0.as_ref())?, staff_no, e)).await.map(Json)
}

async fn eligibility(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<Eligibility>> {
    let item = q.str("item").ok_or_else(|| bad("item", "缺少参数 item（事项编码）"))?;
    let on = q.date("date")?;
    let app = s.app.clone();
    call(move || registry::eligibility(&app, account(c.0.as_ref())?, &staff_no, &item, on)).await.map(Json)
}

// ---------------------------------------------------------------------------------------
// certificates

async fn issue_certificate(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(certificate): JsonBody<Certificate>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::issue_certificate(&app, account(c.0.as_ref())?, certificate)).await.map(Json)
}

async fn get_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<CertificateView>> {
    let app = s.app.clone();
    call(move || registry::certificate(&app, c.0.as_ref(), &number)).await.map(Json)
}

async fn suspend_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<SuspendInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::suspend_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}

async fn reinstate_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<DateInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::reinstate_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}

async fn revoke_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<RevokeInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::revoke_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
}

async fn check_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<CheckInput>,
) -> ApiResult<Json<Record>> {
    let app = s.app.clone();
    call(move || registry::check_certificate(&app, account(c.0.as_ref())?, number, i)).await.map(Json)
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
