//! CAL-1 working-day calendar.
//!
//! The APL's "2, 3, 5 and 7 days" (Art. 85) and the ACL's periods up to 10 days (Art. 69)
//! are working days: weekends and statutory holidays are excluded, adjusted working
//! weekends (调休) are included. The State Council publishes each year's arrangement
//! around November of the year before; the platform ships the arrangements it knows
//! ([`Calendar::shipped`], from the vendored holiday-cn files in `data/holiday-cn/`) and an
//! administrator loads later ones ([`Calendar::load`]).
//!
//! A date in a year the calendar does not cover follows Monday–Friday and every result
//! that depends on such a date is marked **provisional**; it is recomputed once the year is
//! loaded.
//!
//! # Data format
//!
//! One [`HolidayYear`] per notice, in the holiday-cn format:
//! `{"year": 2026, "papers": [url], "days": [{"name": "春节", "date": "2026-02-15",
//! "isOffDay": true}]}`. `days` lists the exceptions to Monday–Friday. What the shipped
//! files really contain, and so what is accepted:
//!
//! - `isOffDay: true` on a weekday: a holiday. On a weekend it is also accepted: holiday-cn
//!   lists every day of a holiday block, weekends included (they carry the holiday's name
//!   and change nothing).
//! - `isOffDay: false` on a weekend: an adjusted working day. On a weekday it is rejected
//!   (it would change nothing, and is most likely a mistyped 调休 date) — except on the day
//!   right after one of the file's holidays, which is how holiday-cn records a notice's
//!   "正常上班" (2020-02-03, after the 2020 Spring Festival extension).
//! - Dates lie in the notice's year, or in December of the year before: the New Year
//!   holiday can start in late December and is then arranged by the next year's notice
//!   (2019's file has 2018-12-29..31, 2023's has 2022-12-31). Such a date is decided by the
//!   later notice, whether or not the earlier year is loaded.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::SignedDuration;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a holiday year was rejected. Display text in Simplified Chinese, prefixed "CAL-1".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Not JSON of the holiday-cn shape (missing field, wrong type, malformed date…).
    #[error("CAL-1: 节假日文件格式错误（应为 holiday-cn 格式）：{0}")]
    Json(String),
    /// The declared year is outside 1949–9999.
    #[error("CAL-1: 节假日安排的年份 {0} 不合理（应在 1949–9999 之间）")]
    YearOutOfRange(i16),
    /// The file lists no days: the year's notice is not known. Such a year is not loaded.
    #[error("CAL-1: {0} 年节假日安排为空（国务院通知尚未发布或文件未填写），不能载入")]
    EmptyYear(i16),
    /// A date outside the declared year (and not in the previous December).
    #[error("CAL-1: 日期 {date} 不属于 {year} 年节假日安排（只能是该年内的日期，或上一年 12 月的元旦连休日期）")]
    DateOutsideYear { year: i16, date: Date },
    /// The same date twice.
    #[error("CAL-1: {year} 年节假日安排中日期 {date} 出现了两次")]
    DuplicateDate { year: i16, date: Date },
    /// `isOffDay: false` on a Monday–Friday that does not follow a holiday.
    #[error(
        "CAL-1: {date}（{weekday}）被标为调休上班日（isOffDay: false），但这一天本来就是工作日；调休上班日只能是周六或周日"
    )]
    WorkdayOnWeekday { date: Date, weekday: &'static str },
}

/// One exception to Monday–Friday: a holiday (`off`) or an adjusted working day.
/// Serializes in the holiday-cn shape: `{"name": …, "date": "YYYY-MM-DD", "isOffDay": …}`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDay {
    /// The holiday it belongs to, e.g. "春节" (also on its adjusted working days).
    pub name: String,
    pub date: Date,
    /// `true`: a day off; `false`: a working day.
    #[serde(rename = "isOffDay")]
    pub off: bool,
}

/// One year's arrangement (one State Council notice, possibly amended).
///
/// The fields are public; [`HolidayYear::validate`] checks them, and every way in
/// ([`HolidayYear::new`], [`HolidayYear::from_holiday_cn_json`], serde, [`Calendar::load`])
/// validates. Serializes as holiday-cn JSON without `$schema`/`$id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayYear {
    pub year: i16,
    pub days: Vec<HolidayDay>,
    /// Addresses of the notice(s) the data comes from.
    pub papers: Vec<String>,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Deserialize)]
struct RawYear {
    year: i16,
    papers: Vec<String>,
    days: Vec<HolidayDay>,
}

#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Serialize)]
struct FileOut<'a> {
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    schema: Option<&'static str>,
    #[serde(rename = "$id", skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    year: i16,
    papers: &'a [String],
    days: &'a [HolidayDay],
}

const HOLIDAY_CN_SCHEMA: &str = "https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/schema.json";

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn weekday_zh(date: Date) -> &'static str {
    match date.weekday() {
        Weekday::Monday => "星期一",
        Weekday::Tuesday => "星期二",
        Weekday::Wednesday => "星期三",
        Weekday::Thursday => "星期四",
        Weekday::Friday => "星期五",
        Weekday::Saturday => "星期六",
        Weekday::Sunday => "星期日",
    }
}

impl HolidayYear {
    /// Builds and validates a year.
    pub fn new(year: i16, days: Vec<HolidayDay>, papers: Vec<String>) -> Result<HolidayYear, CalendarError> {
        let y = HolidayYear { year, days, papers };
        y.validate()?;
        Ok(y)
    }

    /// Checks the year: 1949–9999; at least one day (else [`CalendarError::EmptyYear`]);
    /// every date in the year or the previous December; no date twice; `isOffDay: false`
    /// only on a weekend or on the day after one of the year's holidays (see the module
    /// docs).
    pub fn validate(&self) -> Result<(), CalendarError> {
        let year = self.year;
        if !(1949..=9999).contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        if self.days.is_empty() {
            return Err(CalendarError::EmptyYear(year));
        }
        let mut seen: BTreeMap<Date, bool> = BTreeMap::new();
        for day in &self.days {
            let date = day.date;
            let in_year = date.year() == year || (date.year() == year - 1 && date.month() == 12);
            if !in_year {
                return Err(CalendarError::DateOutsideYear { year, date });
            }
            if seen.insert(date, day.off).is_some() {
                return Err(CalendarError::DuplicateDate { year, date });
            }
        }
        for day in &self.days {
            if day.off || is_weekend(day.date) {
                continue;
            }
            let after_holiday = day.date.yesterday().ok().and_then(|d| seen.get(&d).copied()) == Some(true);
            if !after_holiday {
                return Err(CalendarError::WorkdayOnWeekday { date: day.date, weekday: weekday_zh(day.date) });
            }
        }
        Ok(())
    }

    /// Parses and validates one holiday-cn year file. `$schema`, `$id` and other unknown
    /// fields are ignored. A file with no days (the notice is not out yet, like the vendored
    /// 2027) gives [`CalendarError::EmptyYear`].
    pub fn from_holiday_cn_json(json: &str) -> Result<HolidayYear, CalendarError> {
        let raw: RawYear = serde_json::from_str(json).map_err(|e| CalendarError::Json(e.to_string()))?;
        HolidayYear::new(raw.year, raw.days, raw.papers)
    }

    /// The year as a holiday-cn file (4-space indented, like upstream, with `$schema` and
    /// `$id`). For a shipped year the output is byte for byte the vendored file.
    pub fn to_holiday_cn_json(&self) -> String {
        let out = FileOut {
            schema: Some(HOLIDAY_CN_SCHEMA),
            id: Some(format!("https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/{}.json", self.year)),
            year: self.year,
            papers: &self.papers,
            days: &self.days,
        };
        let mut buf = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
        // Serializing strings, numbers, bools and dates into a Vec cannot fail.
        out.serialize(&mut ser).expect("serializing a HolidayYear cannot fail");
        String::from_utf8(buf).expect("serde_json writes UTF-8")
    }
}

impl Serialize for HolidayYear {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FileOut { schema: None, id: None, year: self.year, papers: &self.papers, days: &self.days }
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for HolidayYear {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawYear::deserialize(deserializer)?;
        HolidayYear::new(raw.year, raw.days, raw.papers).map_err(serde::de::Error::custom)
    }
}

/// What one date is.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayKind {
    pub working: bool,
    /// The date's year is not covered and no loaded notice names the date: `working`
    /// follows Monday–Friday only.
    pub provisional: bool,
    /// The holiday the date belongs to (for holidays and adjusted working days).
    pub name: Option<String>,
}

/// A computed due date.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub date: Date,
    /// Some day the computation looked at is not covered by a loaded notice, so the date
    /// may move once that year is loaded (CAL-1).
    pub provisional: bool,
}

/// The vendored holiday-cn files, 2027 included (empty: skipped).
const SHIPPED: [(i16, &str); 9] = [
    (2019, include_str!("../data/holiday-cn/2019.json")),
    (2020, include_str!("../data/holiday-cn/2020.json")),
    (2021, include_str!("../data/holiday-cn/2021.json")),
    (2022, include_str!("../data/holiday-cn/2022.json")),
    (2023, include_str!("../data/holiday-cn/2023.json")),
    (2024, include_str!("../data/holiday-cn/2024.json")),
    (2025, include_str!("../data/holiday-cn/2025.json")),
    (2026, include_str!("../data/holiday-cn/2026.json")),
    (2027, include_str!("../data/holiday-cn/2027.json")),
];

/// The working-day calendar: the loaded years, and an index of every listed date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i16, HolidayYear>,
    /// date → (off, holiday name); a later notice wins over an earlier one.
    index: BTreeMap<Date, (bool, String)>,
}

impl Calendar {
    /// A calendar with no year loaded: every date is provisional Monday–Friday.
    pub fn empty() -> Calendar {
        Calendar::default()
    }

    /// The calendar of the vendored holiday-cn files (2019–2026; the empty 2027 is
    /// skipped). Parsed once per process, cloned on every call.
    pub fn shipped() -> Calendar {
        static SHIPPED_CALENDAR: OnceLock<Calendar> = OnceLock::new();
        SHIPPED_CALENDAR
            .get_or_init(|| {
                let mut cal = Calendar::empty();
                for (year, json) in SHIPPED {
                    match HolidayYear::from_holiday_cn_json(json) {
                        Ok(y) => {
                            assert_eq!(y.year, year, "data/holiday-cn/{year}.json");
                            cal.years.insert(y.year, y);
                        }
                        Err(CalendarError::EmptyYear(_)) => {}
                        // The files are compiled in and tested; this cannot happen.
                        Err(e) => panic!("data/holiday-cn/{year}.json: {e}"),
                    }
                }
                cal.rebuild_index();
                cal
            })
            .clone()
    }

    /// Loads (or replaces) one year after validating it. Results computed before for
    /// dates it touches should be recomputed.
    pub fn load(&mut self, year: HolidayYear) -> Result<(), CalendarError> {
        year.validate()?;
        self.years.insert(year.year, year);
        self.rebuild_index();
        Ok(())
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        // Ascending years: a December date listed by next year's notice overrides.
        for y in self.years.values() {
            for d in &y.days {
                self.index.insert(d.date, (d.off, d.name.clone()));
            }
        }
    }

    /// Whether `year`'s arrangement is loaded.
    pub fn covers(&self, year: i16) -> bool {
        self.years.contains_key(&year)
    }

    /// The loaded years, ascending.
    pub fn years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    /// The loaded arrangement of `year`.
    pub fn year(&self, year: i16) -> Option<&HolidayYear> {
        self.years.get(&year)
    }

    /// (working, provisional) without allocating.
    fn day(&self, date: Date) -> (bool, bool) {
        match self.index.get(&date) {
            Some((off, _)) => (!off, false),
            None => (!is_weekend(date), !self.covers(date.year())),
        }
    }

    /// Whether `date` is a working day, by the loaded notices; for a year not covered,
    /// Monday–Friday and provisional.
    pub fn is_working_day(&self, date: Date) -> DayKind {
        match self.index.get(&date) {
            Some((off, name)) => DayKind { working: !off, provisional: false, name: Some(name.clone()) },
            None => DayKind { working: !is_weekend(date), provisional: !self.covers(date.year()), name: None },
        }
    }

    /// The `n`-th working day after `start` (CAL-1; APL Art. 85, ACL Art. 69): the period
    /// starts the day after the event, so `start` itself never counts; `n = 0` gives
    /// `start`. Provisional if any day counted over is provisional. Past 9999-12-31 the
    /// result is clamped there (provisional).
    pub fn add_working_days(&self, start: Date, n: u32) -> Deadline {
        let mut date = start;
        let mut provisional = false;
        let mut left = n;
        while left > 0 {
            let Ok(next) = date.tomorrow() else {
                return Deadline { date: Date::MAX, provisional: true };
            };
            date = next;
            let (working, p) = self.day(date);
            provisional |= p;
            if working {
                left -= 1;
            }
        }
        Deadline { date, provisional }
    }

    /// `start` plus `n` calendar days (never provisional; clamped at 9999-12-31, and then
    /// provisional).
    pub fn add_calendar_days(&self, start: Date, n: u32) -> Deadline {
        match start.checked_add(SignedDuration::from_hours(24 * i64::from(n))) {
            Ok(date) => Deadline { date, provisional: false },
            Err(_) => Deadline { date: Date::MAX, provisional: true },
        }
    }

    /// `date` if it is a working day, else the first working day after it (for periods
    /// whose last day, falling on a holiday, rolls forward). Provisional if any day looked
    /// at is.
    pub fn next_working_day_on_or_after(&self, date: Date) -> Deadline {
        let mut date = date;
        let mut provisional = false;
        loop {
            let (working, p) = self.day(date);
            provisional |= p;
            if working {
                return Deadline { date, provisional };
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => {
                    return Deadline { date: Date::MAX, provisional: true };
                }
            }
        }
    }

    /// The number of working days in `(a, b]` (so `add_working_days(a, n)` gives a `b`
    /// with `n` of them), and whether any day in it is provisional. `(0, false)` when
    /// `b <= a`.
    pub fn working_days_between(&self, a: Date, b: Date) -> (u32, bool) {
        let mut count = 0;
        let mut provisional = false;
        let mut date = a;
        while date < b {
            let Ok(next) = date.tomorrow() else { break };
            date = next;
            let (working, p) = self.day(date);
            provisional |= p;
            if working {
                count += 1;
            }
        }
        (count, provisional)
    }

    /// CAL-1: the warning shown to the supervisor. From 1 December of year Y, when Y+1 is
    /// not covered; at any time, when the current year itself is not covered.
    pub fn missing_next_year_warning(&self, today: Date) -> Option<String> {
        let y = today.year();
        let missing = if !self.covers(y) {
            y
        } else if today.month() == 12 && !self.covers(y + 1) {
            y + 1
        } else {
            return None;
        };
        Some(format!("CAL-1: {missing} 年节假日安排尚未载入，涉及该年的期限为临时计算"))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for HolidayYear {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HolidayYear".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        RawYear::json_schema(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::shipped()
    }

    fn wd(start: Date, n: u32) -> Date {
        let d = cal().add_working_days(start, n);
        assert!(!d.provisional, "{start} + {n}");
        d.date
    }

    #[test]
    fn shipped_covers_2019_to_2026() {
        let c = cal();
        assert_eq!(c.years(), (2019..=2026).collect::<Vec<i16>>());
        assert!(c.covers(2026) && !c.covers(2027) && !c.covers(2018));
        assert_eq!(HolidayYear::from_holiday_cn_json(SHIPPED[8].1), Err(CalendarError::EmptyYear(2027)));
    }

    #[test]
    fn shipped_years_round_trip() {
        for (year, json) in SHIPPED {
            let Ok(y) = HolidayYear::from_holiday_cn_json(json) else {
                assert_eq!(year, 2027);
                continue;
            };
            assert_eq!(y.year, year);
            let out = y.to_holiday_cn_json();
            assert_eq!(out, json, "{year}: byte-identical");
            assert_eq!(HolidayYear::from_holiday_cn_json(&out).unwrap(), y);
            // serde (as stored in events) round-trips too.
            let stored = serde_json::to_string(&y).unwrap();
            assert!(!stored.contains("$schema"));
            assert_eq!(serde_json::from_str::<HolidayYear>(&stored).unwrap(), y);
        }
    }

    #[test]
    fn day_kinds() {
        let c = cal();
        // 2026 Spring Festival: Sat 14 Feb adjusted working day, 15–23 Feb off.
        assert_eq!(
            c.is_working_day(date(2026, 2, 14)),
            DayKind { working: true, provisional: false, name: Some("春节".into()) }
        );
        assert_eq!(
            c.is_working_day(date(2026, 2, 16)),
            DayKind { working: false, provisional: false, name: Some("春节".into()) }
        );
        // An ordinary Saturday and Monday.
        assert_eq!(c.is_working_day(date(2026, 3, 7)), DayKind { working: false, provisional: false, name: None });
        assert!(c.is_working_day(date(2026, 3, 9)).working);
        // 2027 is not covered: Friday 1 January 2027 counts as working, provisionally.
        assert_eq!(c.is_working_day(date(2027, 1, 1)), DayKind { working: true, provisional: true, name: None });
        assert!(c.is_working_day(date(2027, 1, 2)).provisional);
        // 2020: the Spring Festival extension made Sat 1 Feb a day off (it had been an
        // adjusted working day); Mon 3 Feb "正常上班".
        assert!(!c.is_working_day(date(2020, 2, 1)).working);
        assert!(c.is_working_day(date(2020, 2, 3)).working);
    }

    #[test]
    fn previous_december_belongs_to_the_next_notice() {
        let c = cal();
        // 2019 notice: Sat 2018-12-29 working, Mon 2018-12-31 off. 2018 itself is not
        // loaded, but these dates are known.
        assert_eq!(
            c.is_working_day(date(2018, 12, 29)),
            DayKind { working: true, provisional: false, name: Some("元旦".into()) }
        );
        assert!(!c.is_working_day(date(2018, 12, 31)).working);
        assert!(!c.is_working_day(date(2018, 12, 31)).provisional);
        let fri = c.is_working_day(date(2018, 12, 28));
        assert!(fri.working && fri.provisional);
        // From Fri 2018-12-28: Sat 29 (adjusted) is the first, Wed 2 Jan the second.
        assert_eq!(c.add_working_days(date(2018, 12, 28), 2), Deadline { date: date(2019, 1, 2), provisional: false });
        // 2023 notice: Sat 2022-12-31 off (with 2022 loaded too).
        assert!(!c.is_working_day(date(2022, 12, 31)).working);
        assert_eq!(c.is_working_day(date(2022, 12, 31)).name.as_deref(), Some("元旦"));
    }

    #[test]
    fn spring_festival_2025() {
        // Sun 26 Jan working; 28 Jan – 4 Feb off; Sat 8 Feb working.
        let fri = date(2025, 1, 24);
        assert_eq!(wd(fri, 1), date(2025, 1, 26)); // the adjusted Sunday
        assert_eq!(wd(fri, 2), date(2025, 1, 27));
        assert_eq!(wd(fri, 3), date(2025, 2, 5));
        // Start inside the holiday; crosses the adjusted Saturday 8 Feb.
        assert_eq!(wd(date(2025, 1, 30), 3), date(2025, 2, 7));
        assert_eq!(wd(date(2025, 1, 30), 4), date(2025, 2, 8));
        assert_eq!(wd(date(2025, 1, 30), 5), date(2025, 2, 10));
    }

    #[test]
    fn spring_festival_2026() {
        // Sat 14 Feb working; 15–23 Feb off; Sat 28 Feb working.
        let fri = date(2026, 2, 13);
        assert_eq!(wd(fri, 1), date(2026, 2, 14));
        assert_eq!(wd(fri, 2), date(2026, 2, 24));
        // Start inside the holiday (Wed 18 Feb), 7 working days: 24, 25, 26, 27, Sat 28,
        // Mon 2 Mar, Tue 3 Mar.
        assert_eq!(wd(date(2026, 2, 18), 5), date(2026, 2, 28));
        assert_eq!(wd(date(2026, 2, 18), 7), date(2026, 3, 3));
        assert_eq!(cal().working_days_between(date(2026, 2, 13), date(2026, 3, 3)), (8, false));
    }

    #[test]
    fn national_day_2025() {
        // Sun 28 Sep working; 1–8 Oct off; Sat 11 Oct working.
        let fri = date(2025, 9, 26);
        assert_eq!(wd(fri, 1), date(2025, 9, 28));
        assert_eq!(wd(fri, 3), date(2025, 9, 30));
        assert_eq!(wd(fri, 5), date(2025, 10, 10));
        // Inside the holiday: 9, 10, Sat 11 Oct.
        assert_eq!(wd(date(2025, 10, 3), 3), date(2025, 10, 11));
        assert_eq!(wd(date(2025, 10, 3), 4), date(2025, 10, 13));
    }

    #[test]
    fn national_day_2026() {
        // Sun 20 Sep working; Mid-Autumn Fri 25 Sep off (26–27 weekend); 1–7 Oct off;
        // Sat 10 Oct working.
        // The Friday before the National Day holiday is itself the Mid-Autumn holiday:
        // 5 working days are Mon 28, 29, 30 Sep, Thu 8, Fri 9 Oct.
        let fri = date(2026, 9, 25);
        assert_eq!(wd(fri, 5), date(2026, 10, 9));
        assert_eq!(wd(fri, 6), date(2026, 10, 10)); // the adjusted Saturday
        assert_eq!(wd(fri, 7), date(2026, 10, 12));
        // Across the adjusted Sunday 20 Sep.
        assert_eq!(wd(date(2026, 9, 18), 1), date(2026, 9, 20));
        assert_eq!(wd(date(2026, 9, 18), 5), date(2026, 9, 24));
        assert_eq!(wd(date(2026, 9, 18), 6), date(2026, 9, 28));
        // Inside the holiday.
        assert_eq!(wd(date(2026, 10, 1), 2), date(2026, 10, 9));
        assert_eq!(wd(date(2026, 10, 1), 3), date(2026, 10, 10));
        assert_eq!(cal().working_days_between(date(2026, 9, 30), date(2026, 10, 10)), (3, false));
        assert_eq!(
            cal().next_working_day_on_or_after(date(2026, 10, 1)),
            Deadline { date: date(2026, 10, 8), provisional: false }
        );
        assert_eq!(cal().next_working_day_on_or_after(date(2026, 10, 10)).date, date(2026, 10, 10));
    }

    #[test]
    fn zero_days_and_ordering() {
        let c = cal();
        let d = date(2026, 10, 3);
        assert_eq!(c.add_working_days(d, 0), Deadline { date: d, provisional: false });
        assert_eq!(c.working_days_between(d, d), (0, false));
        assert_eq!(c.working_days_between(d, date(2026, 9, 1)), (0, false));
        // working_days_between inverts add_working_days.
        for start in [date(2025, 1, 20), date(2026, 2, 10), date(2026, 9, 15)] {
            for n in 0..40 {
                let end = c.add_working_days(start, n).date;
                assert_eq!(c.working_days_between(start, end), (n, false));
            }
        }
    }

    #[test]
    fn deadlines_into_2027_are_provisional() {
        let c = cal();
        // Mon 21 Dec 2026 + 5 ends Mon 28 Dec 2026: firm.
        assert_eq!(
            c.add_working_days(date(2026, 12, 21), 5),
            Deadline { date: date(2026, 12, 28), provisional: false }
        );
        // Fri 25 Dec 2026 + 5 reaches Fri 1 Jan 2027, counted as a working day for now.
        let p = c.add_working_days(date(2026, 12, 25), 5);
        assert_eq!(p, Deadline { date: date(2027, 1, 1), provisional: true });
        assert_eq!(c.working_days_between(date(2026, 12, 25), date(2027, 1, 1)), (5, true));
        assert!(c.next_working_day_on_or_after(date(2027, 1, 2)).provisional);
        assert_eq!(
            c.add_calendar_days(date(2026, 12, 25), 15),
            Deadline { date: date(2027, 1, 9), provisional: false }
        );
        // Once 2027 is loaded the same deadline is recomputed, firm.
        let mut c = c;
        let y2027 =
            HolidayYear::new(2027, vec![HolidayDay { name: "元旦".into(), date: date(2027, 1, 1), off: true }], vec![])
                .unwrap();
        c.load(y2027).unwrap();
        assert!(c.covers(2027));
        assert_eq!(c.add_working_days(date(2026, 12, 25), 5), Deadline { date: date(2027, 1, 4), provisional: false });
    }

    #[test]
    fn load_replaces_and_validates() {
        let mut c = Calendar::empty();
        assert!(c.years().is_empty());
        assert!(c.is_working_day(date(2026, 2, 16)).provisional);
        let y2026 = HolidayYear::from_holiday_cn_json(SHIPPED[7].1).unwrap();
        c.load(y2026.clone()).unwrap();
        assert!(!c.is_working_day(date(2026, 2, 16)).working);
        // Replace 2026 with a version that has only National Day.
        let only_oct = HolidayYear::new(
            2026,
            y2026.days.iter().filter(|d| d.date.month() == 10).cloned().collect(),
            y2026.papers.clone(),
        )
        .unwrap();
        c.load(only_oct).unwrap();
        assert_eq!(c.years(), vec![2026]);
        assert!(c.is_working_day(date(2026, 2, 16)).working);
        assert!(!c.is_working_day(date(2026, 10, 2)).working);
        // An invalid year built by hand is refused and leaves the calendar alone.
        let bad = HolidayYear { year: 2026, days: vec![], papers: vec![] };
        assert_eq!(c.load(bad), Err(CalendarError::EmptyYear(2026)));
        assert!(!c.is_working_day(date(2026, 10, 2)).working);
    }

    #[test]
    fn missing_next_year_warning() {
        let c = cal();
        assert_eq!(c.missing_next_year_warning(date(2026, 11, 30)), None);
        assert_eq!(
            c.missing_next_year_warning(date(2026, 12, 1)).as_deref(),
            Some("CAL-1: 2027 年节假日安排尚未载入，涉及该年的期限为临时计算")
        );
        assert_eq!(c.missing_next_year_warning(date(2025, 12, 1)), None);
        // The current year itself missing is warned about too.
        assert_eq!(
            c.missing_next_year_warning(date(2027, 3, 1)).as_deref(),
            Some("CAL-1: 2027 年节假日安排尚未载入，涉及该年的期限为临时计算")
        );
    }

    fn file(year: i16, days: &str) -> String {
        format!(r#"{{"year": {year}, "papers": ["https://www.gov.cn/x"], "days": [{days}]}}"#)
    }

    #[test]
    fn rejects_malformed_years() {
        // A weekday marked as an adjusted working day.
        let e = HolidayYear::from_holiday_cn_json(&file(
            2026,
            r#"{"name": "春节", "date": "2026-02-13", "isOffDay": false}"#,
        ))
        .unwrap_err();
        assert_eq!(e, CalendarError::WorkdayOnWeekday { date: date(2026, 2, 13), weekday: "星期五" });
        assert_eq!(
            e.to_string(),
            "CAL-1: 2026-02-13（星期五）被标为调休上班日（isOffDay: false），但这一天本来就是工作日；调休上班日只能是周六或周日"
        );
        // …but accepted right after a holiday ("正常上班", as in 2020).
        HolidayYear::from_holiday_cn_json(&file(
            2026,
            r#"{"name": "春节", "date": "2026-02-23", "isOffDay": true},
               {"name": "春节", "date": "2026-02-24", "isOffDay": false}"#,
        ))
        .unwrap();
        // A date outside the year.
        let e = HolidayYear::from_holiday_cn_json(&file(
            2026,
            r#"{"name": "元旦", "date": "2027-01-01", "isOffDay": true}"#,
        ))
        .unwrap_err();
        assert_eq!(e, CalendarError::DateOutsideYear { year: 2026, date: date(2027, 1, 1) });
        assert!(e.to_string().starts_with("CAL-1: 日期 2027-01-01 不属于 2026 年"));
        assert!(matches!(
            HolidayYear::from_holiday_cn_json(&file(
                2026,
                r#"{"name": "国庆节", "date": "2025-10-01", "isOffDay": true}"#,
            )),
            Err(CalendarError::DateOutsideYear { .. })
        ));
        // The previous December is allowed.
        HolidayYear::from_holiday_cn_json(&file(2026, r#"{"name": "元旦", "date": "2025-12-31", "isOffDay": true}"#))
            .unwrap();
        // A date twice.
        let e = HolidayYear::from_holiday_cn_json(&file(
            2026,
            r#"{"name": "春节", "date": "2026-02-16", "isOffDay": true},
               {"name": "春节", "date": "2026-02-16", "isOffDay": true}"#,
        ))
        .unwrap_err();
        assert_eq!(e, CalendarError::DuplicateDate { year: 2026, date: date(2026, 2, 16) });
        assert_eq!(e.to_string(), "CAL-1: 2026 年节假日安排中日期 2026-02-16 出现了两次");
        // Empty.
        assert_eq!(HolidayYear::from_holiday_cn_json(&file(2027, "")), Err(CalendarError::EmptyYear(2027)));
        // Shape errors.
        for bad in [
            "",
            "[]",
            r#"{"year": 2026, "days": []}"#,
            r#"{"year": "2026", "papers": [], "days": []}"#,
            &file(2026, r#"{"name": "春节", "date": "2026-02-30", "isOffDay": true}"#),
            &file(2026, r#"{"name": "春节", "date": "2026-02-16"}"#),
        ] {
            let e = HolidayYear::from_holiday_cn_json(bad).unwrap_err();
            assert!(matches!(e, CalendarError::Json(_)), "{bad}: {e:?}");
            assert!(e.to_string().starts_with("CAL-1: "));
        }
        assert_eq!(HolidayYear::from_holiday_cn_json(&file(1900, "")), Err(CalendarError::YearOutOfRange(1900)));
        // serde refuses the same way.
        assert!(
            serde_json::from_str::<HolidayYear>(&file(
                2026,
                r#"{"name": "春节", "date": "2026-02-13", "isOffDay": false}"#
            ))
            .is_err()
        );
    }

    #[test]
    fn serialize_day_kind_and_deadline() {
        let c = cal();
        assert_eq!(
            serde_json::to_string(&c.add_working_days(date(2026, 9, 25), 5)).unwrap(),
            r#"{"date":"2026-10-09","provisional":false}"#
        );
        assert_eq!(
            serde_json::to_string(&c.is_working_day(date(2026, 2, 14))).unwrap(),
            r#"{"working":true,"provisional":false,"name":"春节"}"#
        );
    }

    #[test]
    fn clamps_at_the_end_of_time() {
        let c = Calendar::empty();
        let d = c.add_working_days(date(9999, 12, 30), 5);
        assert_eq!(d, Deadline { date: Date::MAX, provisional: true });
        assert_eq!(c.add_calendar_days(date(2026, 1, 1), u32::MAX).date, Date::MAX);
        assert_eq!(c.add_calendar_days(date(2026, 1, 31), 29).date, date(2026, 3, 1));
    }
}
