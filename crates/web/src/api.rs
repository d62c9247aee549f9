//! `/api/v1`: the registries (PUB-1 reads are public; writes need a token), the
//! working-day calendar, import/export and the records.

pub mod publications;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use zhifa_domain::Violation;
use zhifa_domain::account::Role;
use zhifa_domain::calendar::{Deadline, HolidayYear};
use zhifa_domain::codes::{CreditCode, RegionCode};
use zhifa_domain::eligibility::{ActingCase, Eligibility, may_act};
use zhifa_domain::event::Event;
use zhifa_domain::item::{InspectionEntry, ItemKind, ItemVersion};
use zhifa_domain::regions::{self, Region};
use zhifa_domain::registry::{
    Agency, AgencyStatus, CertStanding, CertStatus, Certificate, Domain, Officer, Qualification, ReviewerRatio,
    RevocationReason,
};
use zhifa_store::{AgencyFilter, AppendError, ItemFilter, OfficerFilter, OfficerRecord, Page, Record, ReviewerRow};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryMap, bad, blocking};
use crate::openapi::{Access, Api, Op, schema};

/// Who keeps the registries: the justice bureau's supervisors and system administrators.
const REGISTRARS: &[Role] = &[Role::Supervisor, Role::SystemAdmin];
const SUPERVISION: &[Role] = &[Role::Supervisor, Role::AuditAdmin, Role::SystemAdmin];
const STAFF: &[Role] = &Role::ALL;

pub fn routes(state: AppState) -> Api {
    use Method as M;
    let public = Access::Public;
    let registrars = Access::Roles(REGISTRARS);
    crate::evidence::register(Api::new(state))
        .add(M::POST, "/api/v1/session", Op::new("登录", "用户名密码登录，设置会话 Cookie（SEC-1；连续失败将锁定）", public)
            .body(schema::<crate::session::LoginInput>).returns(schema::<crate::session::WhoAmI>), crate::session::login)
        .add(M::GET, "/api/v1/session", Op::new("登录", "当前登录的账号与 CSRF 令牌", Access::Roles(STAFF)).returns(schema::<crate::session::WhoAmI>), crate::session::whoami)
        .add(M::DELETE, "/api/v1/session", Op::new("登录", "注销当前会话", Access::Roles(STAFF)), crate::session::logout)
        .add(M::GET, "/api/v1/regions", Op::new("区划", "GB/T 2260 行政区划（按上级查询下级）", public)
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
        .add(M::GET, "/api/v1/calendar/{year}", Op::new("工作日", "某年的节假日安排（CAL-1）", public).returns(schema::<CalendarYearView>), calendar_year)
        .add(M::POST, "/api/v1/calendar", Op::new("工作日", "载入一年的国务院节假日安排（holiday-cn JSON，CAL-1）", registrars).body(schema::<HolidayYear>).returns(schema::<Record>), load_calendar)
        .add(M::GET, "/api/v1/deadline", Op::new("工作日", "期限计算：起算日加 N 个工作日或自然日（CAL-1）", public)
            .query(&[("from", "起算日（不计入）"), ("days", "天数"), ("unit", "working 或 calendar")]).returns(schema::<Deadline>), deadline)
        .add(M::POST, "/api/v1/import", Op::new("导入导出", "导入 CSV（?sheet=officers 等）或 XLSX 工作簿；有任何错误则整体拒绝并列出每个错误行", registrars)
            .query(&[("format", "csv 或 xlsx"), ("sheet", "CSV 对应的工作表：agencies, officers, training, certificates, reviewers, items, basis, benchmarks, circumstances, inspection_list")])
            .body_media(&["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]).returns(schema::<ImportResult>), import)
        .add(M::GET, "/api/v1/export", Op::new("导入导出", "导出登记数据（XLSX 工作簿，或某一表的 CSV）", registrars)
            .query(&[("format", "xlsx（默认）或 csv"), ("sheet", "csv 时必填")]).returns_media("application/octet-stream"), export)
        .add(M::GET, "/log/proof/inclusion", Op::new("可验证日志", "包含证明：叶子 index 在大小为 size 的树中（LOG-3）", public)
            .query(&[("index", "叶子序号（= 记录序号）"), ("size", "树的大小")]).returns(schema::<crate::log::ProofResponse>), crate::log::inclusion)
        .add(M::GET, "/log/proof/consistency", Op::new("可验证日志", "一致性证明：大小 new 的树扩展了大小 old 的树（LOG-3）", public)
            .query(&[("old", "旧树大小"), ("new", "新树大小")]).returns(schema::<crate::log::ProofResponse>), crate::log::consistency)
        .add(M::GET, "/api/v1/records/{seq}", Op::new("记录", "调阅一条记录及其盐值与日志承诺（须说明事由；调阅本身被记录，REC-7）", Access::Roles(SUPERVISION))
            .query(&[("reason", "调阅事由（必填）")]).returns(schema::<zhifa_store::log::RecordLeaf>), get_record)
        .add(M::GET, "/api/v1/records/{seq}/receipt", Op::new("记录", "下载记录的收据（C2SP tlog-proof；须说明事由，REC-7）", Access::Roles(SUPERVISION))
            .query(&[("reason", "调阅事由（必填）")]).returns_media("text/plain"), crate::log::receipt)
        .add(M::GET, "/api/v1/audit", Op::new("审计", "审计检索：全部记录，含登录尝试与调阅（SEC-4）", Access::Roles(&[Role::AuditAdmin]))
            .query(&[("actor", "操作者，如 account:jdsj"), ("kind", "记录类型，如 login_failed"), ("subject", "主体前缀，如 account/"), ("from", "起始日期（含）"), ("to", "截止日期（含）"), ("offset", "跳过条数"), ("limit", "每页条数（1–500）")])
            .returns(schema::<Page<Record>>), audit)
        .add(M::GET, "/api/v1/records", Op::new("记录", "记录（按主体查询，REC-8）", Access::Roles(SUPERVISION))
            .query(&[("subject", "主体，如 officer/A001"), ("after", "从该序号之后"), ("limit", "条数（1–500）")]).returns(schema::<Vec<Record>>), list_records)
}

// ---------------------------------------------------------------------------------------
// helpers

async fn append(state: &AppState, caller: &Caller, event: Event) -> ApiResult<Json<Record>> {
    let store = state.store.clone();
    let actor = caller.actor();
    blocking(move || Ok(Json(store.append(&actor, event)?))).await
}

fn path_matches(field: &str, path: &str, body: &str) -> ApiResult<()> {
    if path != body {
        return Err(ApiError::BadRequest(
            Violation::new("SEC-5", format!("路径中的 {path} 与请求体中的 {body} 不一致")).at(field),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// regions and agencies

async fn list_regions(q: QueryMap) -> ApiResult<Json<Vec<Region>>> {
    let parent = match q.str("parent") {
        Some(p) => Some(RegionCode::parse(&p).map_err(|e| bad("parent", e.to_string()))?),
        None => None,
    };
    Ok(Json(regions::children(parent.as_ref()).into_iter().cloned().collect()))
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
    let store = s.store.clone();
    blocking(move || Ok(Json(store.agencies(&f, p)?))).await
}

async fn get_agency(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Agency>> {
    let store = s.store.clone();
    blocking(move || store.agency(&code)?.map(Json).ok_or_else(|| ApiError::NotFound(format!("执法主体 {code} "))))
        .await
}

async fn create_agency(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(agency): JsonBody<Agency>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::AgencyRegistered { agency }).await
}

async fn update_agency(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(agency): JsonBody<Agency>,
) -> ApiResult<Json<Record>> {
    path_matches("code", &code, agency.code.as_str())?;
    append(&s, &c, Event::AgencyUpdated { agency }).await
}

// ---------------------------------------------------------------------------------------
// officers

/// An officer as shown: to the public only STAFF-1's fields; to staff everything.
#[derive(Serialize, JsonSchema)]
pub struct OfficerView {
    pub staff_no: String,
    pub name: String,
    pub agency: String,
    pub agency_name: String,
    pub position: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge_no: Option<String>,
    pub certificates: Vec<CertificateView>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<OfficerPrivate>,
}

#[derive(Serialize, JsonSchema)]
pub struct OfficerPrivate {
    pub employment: zhifa_domain::registry::Employment,
    pub legal_qualification: bool,
    pub qualification: Qualification,
    pub reviewer_of: Vec<CreditCode>,
}

#[derive(Serialize, JsonSchema)]
pub struct CertificateView {
    pub number: String,
    pub holder_name: String,
    pub categories: Vec<Domain>,
    pub region: RegionCode,
    pub issued_on: Date,
    pub expires_on: Date,
    /// Validity right now (PUB-3).
    pub standing: CertStanding,
    pub standing_label: String,
    /// Staff only: the recorded status with its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CertStatus>,
}

fn cert_view(s: &AppState, c: &Certificate, holder_name: &str, staff: bool) -> CertificateView {
    let standing = c.standing(s.today(), &s.policy);
    CertificateView {
        number: c.number.clone(),
        holder_name: holder_name.to_string(),
        categories: c.categories.clone(),
        region: c.region,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        standing_label: standing.state.label().into(),
        standing,
        status: staff.then(|| c.status.clone()),
    }
}

fn officer_view(s: &AppState, r: OfficerRecord, staff: bool) -> OfficerView {
    let certificates = r.certificates.iter().map(|c| cert_view(s, c, &r.officer.name, staff)).collect();
    OfficerView {
        staff_no: r.officer.staff_no.clone(),
        name: r.officer.name.clone(),
        agency: r.officer.agency.to_string(),
        agency_name: r.agency_name,
        position: r.officer.position.clone(),
        badge_no: r.officer.badge_no.clone(),
        certificates,
        private: staff.then_some(OfficerPrivate {
            employment: r.officer.employment,
            legal_qualification: r.officer.legal_qualification,
            qualification: r.qualification,
            reviewer_of: r.reviewer_of,
        }),
    }
}

async fn list_officers(State(s): State<AppState>, c: Caller, q: QueryMap) -> ApiResult<Json<Page<OfficerView>>> {
    let f = OfficerFilter { agency: q.str("agency"), q: q.str("q") };
    let p = q.paging()?;
    let store = s.store.clone();
    let page = blocking(move || Ok(store.officers(&f, p)?)).await?;
    let staff = c.0.is_some();
    Ok(Json(Page {
        total: page.total,
        offset: page.offset,
        limit: page.limit,
        items: page.items.into_iter().map(|r| officer_view(&s, r, staff)).collect(),
    }))
}

async fn get_officer(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
) -> ApiResult<Json<OfficerView>> {
    let store = s.store.clone();
    let key = staff_no.clone();
    let r = blocking(move || Ok(store.officer(&key)?))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("人员 {staff_no} ")))?;
    Ok(Json(officer_view(&s, r, c.0.is_some())))
}

async fn create_officer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(officer): JsonBody<Officer>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::OfficerRegistered { officer }).await
}

async fn update_officer(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(officer): JsonBody<Officer>,
) -> ApiResult<Json<Record>> {
    path_matches("staff_no", &staff_no, &officer.staff_no)?;
    append(&s, &c, Event::OfficerUpdated { officer }).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingInput {
    pub year: i16,
    pub hours: u32,
    pub course: String,
}

async fn record_training(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(t): JsonBody<TrainingInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::TrainingRecorded { staff_no, year: t.year, hours: t.hours, course: t.course }).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamInput {
    pub on: Date,
    pub passed: bool,
    #[serde(default)]
    pub score: Option<u32>,
}

async fn record_exam(
    State(s): State<AppState>,
    c: Caller,
    Path(staff_no): Path<String>,
    JsonBody(e): JsonBody<ExamInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::ExamRecorded { staff_no, on: e.on, passed: e.passed, score: e.score }).await
}

async fn eligibility(
    State(s): State<AppState>,
    Path(staff_no): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<Eligibility>> {
    let item_code = q.str("item").ok_or_else(|| bad("item", "缺少参数 item（事项编码）"))?;
    let today = q.date("date")?.unwrap_or_else(|| s.today());
    let store = s.store.clone();
    let policy = s.policy.clone();
    blocking(move || {
        let r = store.officer(&staff_no)?.ok_or_else(|| ApiError::NotFound(format!("人员 {staff_no} ")))?;
        let agency = store
            .agency(r.officer.agency.as_str())?
            .ok_or_else(|| ApiError::Internal(format!("agency of {staff_no} missing")))?;
        let Some(item) = store.item_on(&item_code, today)? else {
            if store.item_versions(&item_code)?.is_empty() {
                return Err(ApiError::NotFound(format!("事项 {item_code} ")));
            }
            return Ok(Json(Eligibility {
                allowed: false,
                certificate: None,
                refusals: vec![Violation::new("ITEM-3", format!("事项 {item_code} 在 {today} 尚未生效"))],
            }));
        };
        Ok(Json(may_act(&ActingCase {
            officer: &r.officer,
            qualification: &r.qualification,
            certificates: &r.certificates,
            agency: &agency,
            item: &item,
            today,
            policy: &policy,
        })))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// certificates

async fn issue_certificate(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(certificate): JsonBody<Certificate>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::CertificateIssued { certificate }).await
}

async fn get_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<CertificateView>> {
    let store = s.store.clone();
    let key = number.clone();
    let (cert, holder) = blocking(move || {
        let Some(cert) = store.certificate(&key)? else { return Ok(None) };
        let holder = store.officer(&cert.holder)?.map(|o| o.officer.name).unwrap_or_default();
        Ok(Some((cert, holder)))
    })
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("执法证 {number} ")))?;
    Ok(Json(cert_view(&s, &cert, &holder, c.0.is_some())))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendInput {
    pub on: Date,
    pub reason: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateInput {
    pub on: Date,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    pub on: Date,
    pub reason: RevocationReason,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    pub on: Date,
    pub passed: bool,
    #[serde(default)]
    pub note: String,
}

async fn suspend_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<SuspendInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::CertificateSuspended { number, on: i.on, reason: i.reason }).await
}

async fn reinstate_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<DateInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::CertificateReinstated { number, on: i.on }).await
}

async fn revoke_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<RevokeInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::CertificateRevoked { number, on: i.on, reason: i.reason }).await
}

async fn check_certificate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(i): JsonBody<CheckInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::CertificateChecked { number, on: i.on, passed: i.passed, note: i.note }).await
}

// ---------------------------------------------------------------------------------------
// reviewers

async fn list_reviewers(State(s): State<AppState>) -> ApiResult<Json<Vec<ReviewerRow>>> {
    let store = s.store.clone();
    blocking(move || Ok(Json(store.reviewers()?))).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerInput {
    pub agency: CreditCode,
    pub staff_no: String,
    pub on: Date,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerRemoveInput {
    pub agency: CreditCode,
    pub staff_no: String,
    pub on: Date,
    pub reason: String,
}

async fn appoint_reviewer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(i): JsonBody<ReviewerInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::ReviewerAppointed { agency: i.agency, staff_no: i.staff_no, on: i.on }).await
}

async fn remove_reviewer(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(i): JsonBody<ReviewerRemoveInput>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::ReviewerRemoved { agency: i.agency, staff_no: i.staff_no, on: i.on, reason: i.reason }).await
}

async fn reviewer_ratios(State(s): State<AppState>) -> ApiResult<Json<Vec<ReviewerRatio>>> {
    let store = s.store.clone();
    blocking(move || Ok(Json(store.reviewer_ratios()?))).await
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
    let store = s.store.clone();
    blocking(move || Ok(Json(store.items(&f, p)?))).await
}

#[derive(Serialize, JsonSchema)]
pub struct ItemDetail {
    pub code: String,
    /// The version in force today, if any.
    pub current: Option<ItemVersion>,
    /// All versions, oldest first.
    pub versions: Vec<ItemVersion>,
}

async fn get_item(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<ItemDetail>> {
    let store = s.store.clone();
    let today = s.today();
    blocking(move || {
        let versions = store.item_versions(&code)?;
        if versions.is_empty() {
            return Err(ApiError::NotFound(format!("事项 {code} ")));
        }
        let current = store.item_on(&code, today)?;
        Ok(Json(ItemDetail { code, current, versions }))
    })
    .await
}

async fn add_item_version(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(item): JsonBody<ItemVersion>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::ItemVersionAdded { item }).await
}

async fn item_changes(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Page<ItemVersion>>> {
    let p = q.paging()?;
    let store = s.store.clone();
    blocking(move || Ok(Json(store.item_changes(p)?))).await
}

async fn inspection_list(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Vec<InspectionEntry>>> {
    let domain = q.parse("domain", Domain::parse, "执法领域")?;
    let store = s.store.clone();
    blocking(move || Ok(Json(store.inspection_list(domain)?))).await
}

async fn set_inspection_entry(
    State(s): State<AppState>,
    c: Caller,
    JsonBody(entry): JsonBody<InspectionEntry>,
) -> ApiResult<Json<Record>> {
    append(&s, &c, Event::InspectionEntrySet { entry }).await
}

// ---------------------------------------------------------------------------------------
// calendar

#[derive(Serialize, JsonSchema)]
pub struct CalendarYearView {
    pub year: i16,
    /// Whether the State Council's arrangement for the year is loaded; if not, deadlines
    /// in it are provisional (weekends only).
    pub loaded: bool,
    pub arrangement: Option<HolidayYear>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

async fn calendar_year(State(s): State<AppState>, Path(year): Path<String>) -> ApiResult<Json<CalendarYearView>> {
    let year: i16 = year
        .parse()
        .ok()
        .filter(|y| (1949..=9999).contains(y))
        .ok_or_else(|| bad("year", format!("「{year}」不是年份")))?;
    let store = s.store.clone();
    let today = s.today();
    blocking(move || {
        let cal = store.calendar()?;
        Ok(Json(CalendarYearView {
            year,
            loaded: cal.covers(year),
            arrangement: cal.year(year).cloned(),
            warning: cal.missing_next_year_warning(today),
        }))
    })
    .await
}

async fn load_calendar(State(s): State<AppState>, c: Caller, body: Bytes) -> ApiResult<Json<Record>> {
    let text = std::str::from_utf8(&body).map_err(|_| bad("body", "请求体不是 UTF-8 文本"))?;
    let year = HolidayYear::from_holiday_cn_json(text).map_err(|e| {
        ApiError::Rule(Violation::new("CAL-1", e.to_string().trim_start_matches("CAL-1: ").to_string()))
    })?;
    append(&s, &c, Event::CalendarYearLoaded { year }).await
}

async fn deadline(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Deadline>> {
    let from = q.date("from")?.ok_or_else(|| bad("from", "缺少参数 from（起算日）"))?;
    let days = q.i64("days")?.ok_or_else(|| bad("days", "缺少参数 days"))?;
    let days =
        u32::try_from(days).ok().filter(|d| *d <= 3650).ok_or_else(|| bad("days", "days 须在 0 至 3650 之间"))?;
    let unit = q.str("unit").unwrap_or_else(|| "working".into());
    let store = s.store.clone();
    blocking(move || {
        let cal = store.calendar()?;
        match unit.as_str() {
            "working" => Ok(Json(cal.add_working_days(from, days))),
            "calendar" => Ok(Json(cal.add_calendar_days(from, days))),
            other => Err(bad("unit", format!("unit=「{other}」应为 working 或 calendar"))),
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------
// import / export

#[derive(Serialize, JsonSchema)]
pub struct ImportResult {
    /// Records written.
    pub records: usize,
}

async fn import(State(s): State<AppState>, c: Caller, q: QueryMap, body: Bytes) -> ApiResult<Json<ImportResult>> {
    let format = q.str("format").unwrap_or_else(|| "xlsx".into());
    let tables = match format.as_str() {
        "xlsx" => zhifa_sheets::read_workbook(&body).map_err(|e| bad("body", e.to_string()))?,
        "csv" => {
            let sheet = q.str("sheet").ok_or_else(|| bad("sheet", "CSV 导入须给出 sheet 参数"))?;
            let key = zhifa_sheets::sheet_key(&sheet);
            if !zhifa_sheets::SHEETS.iter().any(|s| s.0 == key) {
                return Err(bad("sheet", format!("未知的工作表「{sheet}」")));
            }
            vec![zhifa_sheets::read_csv(&key, &body).map_err(|e| bad("body", e.to_string()))?]
        }
        other => return Err(bad("format", format!("format=「{other}」应为 xlsx 或 csv"))),
    };
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || {
        let n = import_tables(&store, &actor, &tables).map_err(|rows| {
            ApiError::Rows(rows.iter().map(|r| serde_json::to_value(r).expect("serializable")).collect())
        })?;
        Ok(Json(ImportResult { records: n }))
    })
    .await
}

/// Imports tables wholly or not at all; on refusal, every bad row.
pub fn import_tables(
    store: &zhifa_store::Store,
    actor: &zhifa_store::Actor,
    tables: &[zhifa_sheets::Table],
) -> Result<usize, Vec<zhifa_sheets::RowError>> {
    let internal = |e: String| vec![zhifa_sheets::RowError { sheet: "-".into(), row: 0, column: None, message: e }];
    let existing = store.snapshot().map_err(|e| internal(e.to_string()))?;
    let planned = zhifa_sheets::import(tables, &existing)?;
    let (origins, events): (Vec<_>, Vec<_>) = planned.into_iter().unzip();
    match store.append_batch(actor, events) {
        Ok(records) => Ok(records.len()),
        Err(AppendError::RefusedMany(refused)) => Err(refused
            .into_iter()
            .map(|(i, v)| zhifa_sheets::RowError {
                sheet: origins[i].sheet.into(),
                row: origins[i].row,
                column: v.field.clone(),
                message: v.to_string(),
            })
            .collect()),
        Err(e) => Err(internal(e.to_string())),
    }
}

async fn export(State(s): State<AppState>, q: QueryMap) -> ApiResult<Response> {
    let format = q.str("format").unwrap_or_else(|| "xlsx".into());
    let sheet = q.str("sheet");
    let store = s.store.clone();
    let tables = blocking(move || Ok(zhifa_sheets::export(&store.snapshot()?))).await?;
    match format.as_str() {
        "xlsx" => {
            let bytes = zhifa_sheets::write_xlsx(&tables).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"zhifa-registry.xlsx\"".to_string()),
                ],
                bytes,
            )
                .into_response())
        }
        "csv" => {
            let sheet = sheet.ok_or_else(|| bad("sheet", "CSV 导出须给出 sheet 参数"))?;
            let key = zhifa_sheets::sheet_key(&sheet);
            let t = tables
                .iter()
                .find(|t| t.name == key)
                .ok_or_else(|| bad("sheet", format!("未知的工作表「{sheet}」")))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{key}.csv\"")),
                ],
                zhifa_sheets::write_csv(t),
            )
                .into_response())
        }
        other => Err(bad("format", format!("format=「{other}」应为 xlsx 或 csv"))),
    }
}

// ---------------------------------------------------------------------------------------
// records

async fn list_records(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Vec<Record>>> {
    let subject = q.str("subject");
    let after = q.i64("after")?.unwrap_or(-1);
    let limit = q.i64("limit")?.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(bad("limit", "limit 须在 1 至 500 之间"));
    }
    let store = s.store.clone();
    blocking(move || Ok(Json(store.records(subject.as_deref(), after, limit)?))).await
}

/// REC-7: a view needs a reason; it is recorded before the record is shown.
pub(crate) fn view_reason(q: &QueryMap) -> ApiResult<String> {
    q.str("reason")
        .filter(|r| r.trim().chars().count() >= 2)
        .ok_or_else(|| ApiError::BadRequest(Violation::new("REC-7", "调阅记录须说明事由（参数 reason）").at("reason")))
}

pub(crate) fn record_view(
    store: &zhifa_store::Store,
    caller: &Caller,
    leaf: &zhifa_store::log::RecordLeaf,
    what: &str,
    reason: String,
) -> ApiResult<()> {
    let event =
        Event::RecordViewed { seq: leaf.record.seq, of: leaf.record.subject.clone(), what: what.into(), reason };
    store.append(&caller.actor(), event)?;
    Ok(())
}

async fn get_record(
    State(s): State<AppState>,
    c: Caller,
    Path(seq): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<zhifa_store::log::RecordLeaf>> {
    let seq: i64 = seq.parse().map_err(|_| bad("seq", format!("「{seq}」不是记录序号")))?;
    let reason = view_reason(&q)?;
    let store = s.store.clone();
    blocking(move || {
        let leaf = store.record_leaf(seq)?.ok_or_else(|| ApiError::NotFound(format!("记录 {seq} ")))?;
        record_view(&store, &c, &leaf, "记录", reason)?;
        Ok(Json(leaf))
    })
    .await
}

async fn audit(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Page<Record>>> {
    let day = |k: &str| -> ApiResult<Option<jiff::Timestamp>> {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
        q.date(k)?
            .map(|d| {
                let d = if k == "to" { d.tomorrow().map_err(|e| bad(k, e.to_string()))? } else { d };
                d.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|e| bad(k, e.to_string()))
            })
            .transpose()
    };
    let f = zhifa_store::RecordFilter {
        actor: q.str("actor"),
        kind: q.str("kind"),
        subject: q.str("subject"),
        from: day("from")?,
        to: day("to")?,
    };
    let p = q.paging()?;
    let store = s.store.clone();
    blocking(move || Ok(Json(store.search_records(&f, p)?))).await
}
