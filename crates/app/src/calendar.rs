//! The working-day calendar (CAL-1): the State Council's holiday arrangements, one year at
//! a time, and deadlines counted in working or calendar days.

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::Serialize;
use zhifa_domain::Violation;
use zhifa_domain::account::Account;
use zhifa_domain::calendar::{Deadline, HolidayYear};
use zhifa_domain::event::Event;
use zhifa_store::Record;

use crate::App;
use crate::access::{self, REGISTRARS};
use crate::accounts::actor;
use crate::error::{Result, bad};

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

/// CAL-1: a year's arrangement, whether it is loaded, and the warning when this year's or
/// (from December) next year's is missing.
pub fn year(app: &App, year: i16) -> Result<CalendarYearView> {
    let cal = app.store.calendar()?;
    Ok(CalendarYearView {
        year,
        loaded: cal.covers(year),
        arrangement: cal.year(year).cloned(),
        warning: cal.missing_next_year_warning(app.today()),
    })
}

/// The years whose arrangement is loaded.
pub fn years(app: &App) -> Result<Vec<i16>> {
    Ok(app.store.calendar()?.years())
}

/// CAL-1: loads a year's arrangement from holiday-cn's JSON (a registrar's act); a file
/// that is not one is refused with CAL-1.
pub fn load(app: &App, me: &Account, json: &str) -> Result<Record> {
    access::require(me, REGISTRARS)?;
    let year = HolidayYear::from_holiday_cn_json(json)
        .map_err(|e| Violation::new("CAL-1", e.to_string().trim_start_matches("CAL-1: ").to_string()))?;
    Ok(app.store.append(&actor(me), Event::CalendarYearLoaded { year })?)
}

/// What a deadline counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayUnit {
    /// Working days: weekends and holidays skipped, adjusted working days counted.
    Working,
    /// Calendar days.
    Calendar,
}

impl DayUnit {
    /// `working` or `calendar`.
    pub fn parse(s: &str) -> Option<DayUnit> {
        match s {
            "working" => Some(DayUnit::Working),
            "calendar" => Some(DayUnit::Calendar),
            _ => None,
        }
    }
}

/// CAL-1: the day `days` working or calendar days after `from` (which does not count);
/// provisional where a year on the way has no loaded arrangement.
pub fn deadline(app: &App, from: Date, days: u32, unit: DayUnit) -> Result<Deadline> {
    // SEC-5: a start far outside any calendar would saturate the date arithmetic and
    // answer a silently wrong date; refuse it.
    let (first, last) = (jiff::civil::date(1990, 1, 1), jiff::civil::date(2100, 12, 31));
    if from < first || from > last {
        return Err(bad("from", format!("起算日 {from} 超出可计算范围（{first} 至 {last}）")));
    }
    let cal = app.store.calendar()?;
    Ok(match unit {
        DayUnit::Working => cal.add_working_days(from, days),
        DayUnit::Calendar => cal.add_calendar_days(from, days),
    })
}
