//! `/api/v1` working-day calendar (CAL-1): a year's arrangement, loading one, and the
//! deadline query. The use cases are `zhifa_app::calendar`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Method;
use zhifa_app::access::{REGISTRARS, account};
use zhifa_app::calendar::{self, CalendarYearView, DayUnit};
use zhifa_domain::calendar::{Deadline, HolidayYear};
use zhifa_store::Record;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{QueryMap, bad, call};
use crate::openapi::{Access, Api, Op, schema};

pub(super) fn register(api: Api) -> Api {
    use Method as M;
    let public = Access::Public;
    api.add(
        M::GET,
        "/api/v1/calendar/{year}",
        Op::new("工作日", "某年的节假日安排（CAL-1）", public).returns(schema::<CalendarYearView>),
        calendar_year,
    )
    .add(
        M::POST,
        "/api/v1/calendar",
        Op::new("工作日", "载入一年的国务院节假日安排（holiday-cn JSON，CAL-1）", Access::Roles(REGISTRARS))
            .body(schema::<HolidayYear>)
            .returns(schema::<Record>),
        load_calendar,
    )
    .add(
        M::GET,
        "/api/v1/deadline",
        Op::new("工作日", "期限计算：起算日加 N 个工作日或自然日（CAL-1）", public)
            .query(&[("from", "起算日（不计入）"), ("days", "天数"), ("unit", "working 或 calendar")])
            .returns(schema::<Deadline>),
        deadline,
    )
}

async fn calendar_year(State(s): State<AppState>, Path(year): Path<String>) -> ApiResult<Json<CalendarYearView>> {
    let year: i16 = year
        .parse()
        .ok()
        .filter(|y| (1949..=9999).contains(y))
        .ok_or_else(|| bad("year", format!("「{year}」不是年份")))?;
    let app = s.app.clone();
    call(move || calendar::year(&app, year)).await.map(Json)
}

async fn load_calendar(State(s): State<AppState>, c: Caller, body: Bytes) -> ApiResult<Json<Record>> {
    let text = std::str::from_utf8(&body).map_err(|_| bad("body", "请求体不是 UTF-8 文本"))?.to_string();
    let app = s.app.clone();
    call(move || calendar::load(&app, account(c.0.as_ref())?, &text)).await.map(Json)
}

async fn deadline(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Deadline>> {
    let from = q.date("from")?.ok_or_else(|| bad("from", "缺少参数 from（起算日）"))?;
    let days = q.i64("days")?.ok_or_else(|| bad("days", "缺少参数 days"))?;
    let days =
        u32::try_from(days).ok().filter(|d| *d <= 3650).ok_or_else(|| bad("days", "days 须在 0 至 3650 之间"))?;
    let unit = q.str("unit").unwrap_or_else(|| "working".into());
    let unit = DayUnit::parse(&unit).ok_or_else(|| bad("unit", format!("unit=「{unit}」应为 working 或 calendar")))?;
    let app = s.app.clone();
    call(move || calendar::deadline(&app, from, days, unit)).await.map(Json)
}
