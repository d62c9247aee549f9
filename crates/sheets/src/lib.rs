//! Registry import and export as spreadsheets (CSV and XLSX).
//!
//! The heavy spreadsheet crates live here, in their own workspace member, so an edit
//! elsewhere does not rebuild them. Export turns a [`Snapshot`] into tables; import turns
//! tables into registry [`Event`]s, naming every bad row, column and reason. Export →
//! import into an empty store → export gives the same tables.

pub mod format;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use zhifa_domain::citation::{BasisRole, Citation, Provision};
use zhifa_domain::codes::{CreditCode, RegionCode};
use zhifa_domain::event::Event;
use zhifa_domain::item::{
    Benchmark, ChangeKind, Circumstance, Effect, Grade, InspectionEntry, ItemKind, ItemVersion, MultipleOf, Penalty,
    ProcedureKind, Seriousness,
};
use zhifa_domain::registry::{
    Agency, AgencyStatus, CertStatus, Certificate, Employment, Level, Officer, RevocationReason, format_domains,
    parse_domains,
};
use zhifa_domain::snapshot::Snapshot;

pub use format::{FormatError, Table, read_csv, read_xlsx, write_csv};

/// The sheets, in import order: (key, Chinese title, headers).
pub const SHEETS: &[(&str, &str, &[&str])] = &[
    (
        "agencies",
        "执法主体",
        &["统一社会信用代码", "名称", "行政区划代码", "层级", "执法领域", "状态", "委托机关代码", "地址", "电话"],
    ),
    (
        "officers",
        "执法人员",
        &["人员编号", "姓名", "执法主体代码", "职务", "用工性质", "警号", "法律职业资格", "资格考试通过日期"],
    ),
    ("training", "培训学时", &["人员编号", "年度", "学时"]),
    (
        "certificates",
        "执法证",
        &[
            "执法证号",
            "持证人编号",
            "执法类别",
            "执法区域",
            "发证日期",
            "有效期至",
            "状态",
            "状态日期",
            "状态原因",
            "最近年检日期",
        ],
    ),
    ("reviewers", "法制审核人员", &["执法主体代码", "人员编号", "任职日期"]),
    (
        "items",
        "执法事项",
        &[
            "事项编码",
            "版本",
            "变更类型",
            "生效日期",
            "事项名称",
            "事项类别",
            "执法领域",
            "实施主体代码",
            "适用程序",
            "下放至",
            "并入事项",
            "变更说明",
            "首违不罚",
        ],
    ),
    ("basis", "法律依据", &["事项编码", "版本", "法律名称", "条", "款", "项", "作用"]),
    (
        "benchmarks",
        "裁量基准",
        &[
            "事项编码",
            "版本",
            "裁量阶次",
            "适用情形",
            "处罚种类",
            "下限",
            "上限",
            "倍数基数",
            "援引法律",
            "条",
            "款",
            "项",
        ],
    ),
    ("circumstances", "裁量情节", &["事项编码", "版本", "情节类型", "内容"]),
    (
        "inspection_list",
        "随机抽查事项",
        &[
            "抽查事项编码",
            "执法领域",
            "检查主体代码",
            "检查事项编码",
            "名称",
            "依据",
            "抽查对象",
            "检查内容",
            "抽查比例",
            "抽查频次",
            "检查方式",
        ],
    ),
];

pub fn sheet_title(key: &str) -> String {
    SHEETS.iter().find(|s| s.0 == key).map(|s| s.1.to_string()).unwrap_or_else(|| key.to_string())
}

pub fn sheet_key(title: &str) -> String {
    SHEETS.iter().find(|s| s.1 == title || s.0 == title).map(|s| s.0.to_string()).unwrap_or_else(|| title.to_string())
}

/// One bad cell or row. `row` is the spreadsheet row number (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub sheet: String,
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{} 第 {} 行「{}」列: {}", sheet_title(&self.sheet), self.row, c, self.message),
            None => write!(f, "{} 第 {} 行: {}", sheet_title(&self.sheet), self.row, self.message),
        }
    }
}

/// Where an imported event came from, so a refusal by the store names the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub sheet: &'static str,
    pub row: usize,
}

// ---------------------------------------------------------------------------------------
// Export

fn d(date: &Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}
fn yes(b: bool) -> String {
    if b { "是" } else { "否" }.into()
}
fn opt_num(n: Option<u16>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn table(key: &str, rows: Vec<Vec<String>>) -> Table {
    let (_, _, headers) = SHEETS.iter().find(|s| s.0 == key).expect("known sheet");
    Table { name: key.into(), headers: headers.iter().map(|s| s.to_string()).collect(), rows }
}

fn basis_text(b: &[Citation]) -> String {
    b.iter()
        .map(|c| format!("{}:{}:{}:{}:{}", c.law, c.article, opt_num(c.paragraph), opt_num(c.item), c.role.as_str()))
        .collect::<Vec<_>>()
        .join(";")
}

/// The registries as tables, in [`SHEETS`] order.
pub fn export(s: &Snapshot) -> Vec<Table> {
    let exams: HashMap<&str, Date> = s.exams.iter().map(|(k, d)| (k.as_str(), *d)).collect();
    let mut out = Vec::new();
    out.push(table(
        "agencies",
        s.agencies
            .iter()
            .map(|a| {
                vec![
                    a.code.to_string(),
                    a.name.clone(),
                    a.region.to_string(),
                    a.level.label().into(),
                    format_domains(&a.domains),
                    a.status.label().into(),
                    a.entrusted_by.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                    a.address.clone(),
                    a.phone.clone(),
                ]
            })
            .collect(),
    ));
    out.push(table(
        "officers",
        s.officers
            .iter()
            .map(|o| {
                vec![
                    o.staff_no.clone(),
                    o.name.clone(),
                    o.agency.to_string(),
                    o.position.clone(),
                    o.employment.label().into(),
                    o.badge_no.clone().unwrap_or_default(),
                    yes(o.legal_qualification),
                    d(&exams.get(o.staff_no.as_str()).copied()),
                ]
            })
            .collect(),
    ));
    out.push(table(
        "training",
        s.training.iter().map(|(k, y, h)| vec![k.clone(), y.to_string(), h.to_string()]).collect(),
    ));
    out.push(table(
        "certificates",
        s.certificates
            .iter()
            .map(|c| {
                let (on, reason) = match &c.status {
                    CertStatus::Valid => (String::new(), String::new()),
                    CertStatus::Suspended { since, reason } => (since.to_string(), reason.clone()),
                    CertStatus::Revoked { on, reason } => (on.to_string(), reason.label().into()),
                };
                vec![
                    c.number.clone(),
                    c.holder.clone(),
                    format_domains(&c.categories),
                    c.region.to_string(),
                    c.issued_on.to_string(),
                    c.expires_on.to_string(),
                    c.status.label().into(),
                    on,
                    reason,
                    d(&c.last_check_on),
                ]
            })
            .collect(),
    ));
    out.push(table(
        "reviewers",
        s.reviewers.iter().map(|(a, k, since)| vec![a.clone(), k.clone(), since.to_string()]).collect(),
    ));
    let mut items = Vec::new();
    let mut basis = Vec::new();
    let mut benchmarks = Vec::new();
    let mut circumstances = Vec::new();
    for i in &s.item_versions {
        let (code, ver) = (i.code.clone(), i.version.to_string());
        items.push(vec![
            code.clone(),
            ver.clone(),
            i.change.label().into(),
            i.effective_from.to_string(),
            i.name.clone(),
            i.kind.label().into(),
            i.domain.label().into(),
            i.agency.to_string(),
            i.procedure.label().into(),
            i.delegated_to.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            i.merged_into.clone().unwrap_or_default(),
            i.note.clone(),
            yes(i.benchmark.as_ref().is_some_and(|b| b.first_offence_exempt)),
        ]);
        for c in &i.basis {
            basis.push(vec![
                code.clone(),
                ver.clone(),
                c.law.clone(),
                c.article.to_string(),
                opt_num(c.paragraph),
                opt_num(c.item),
                c.role.label().into(),
            ]);
        }
        if let Some(b) = &i.benchmark {
            for g in &b.grades {
                for p in &g.penalties {
                    let (kind, min, max, of) = penalty_cells(p);
                    benchmarks.push(vec![
                        code.clone(),
                        ver.clone(),
                        g.grade.label().into(),
                        g.conditions.clone(),
                        kind.into(),
                        min,
                        max,
                        of,
                        g.cites.law.clone(),
                        g.cites.article.to_string(),
                        opt_num(g.cites.paragraph),
                        opt_num(g.cites.item),
                    ]);
                }
            }
            for c in &b.circumstances {
                circumstances.push(vec![code.clone(), ver.clone(), c.effect.label().into(), c.text.clone()]);
            }
        }
    }
    out.push(table("items", items));
    out.push(table("basis", basis));
    out.push(table("benchmarks", benchmarks));
    out.push(table("circumstances", circumstances));
    out.push(table(
        "inspection_list",
        s.inspection_list
            .iter()
            .map(|e| {
                vec![
                    e.code.clone(),
                    e.domain.label().into(),
                    e.agency.to_string(),
                    e.item_code.clone(),
                    e.name.clone(),
                    basis_text(&e.basis),
                    e.targets.clone(),
                    e.content.clone(),
                    e.ratio_pct.to_string(),
                    e.frequency.clone(),
                    e.method.clone(),
                ]
            })
            .collect(),
    ));
    out
}

const PENALTY_KINDS: &[(&str, &str)] = &[
    ("warning", "警告"),
    ("notice_of_criticism", "通报批评"),
    ("fine", "罚款"),
    ("fine_multiple", "倍数罚款"),
    ("confiscate_illegal_gains", "没收违法所得"),
    ("confiscate_property", "没收非法财物"),
    ("suspend_business", "责令停产停业"),
    ("revoke_licence", "吊销许可证件"),
    ("lower_qualification", "降低资质等级"),
    ("restrict_activity", "限制开展生产经营活动"),
    ("detention", "行政拘留"),
];

fn penalty_label(key: &str) -> &'static str {
    PENALTY_KINDS.iter().find(|p| p.0 == key).map(|p| p.1).expect("known penalty kind")
}

/// (kind label, lower, upper, base): fines in yuan, multiples in percent, detention in days.
fn penalty_cells(p: &Penalty) -> (&'static str, String, String, String) {
    let e = String::new;
    match p {
        Penalty::Warning => (penalty_label("warning"), e(), e(), e()),
        Penalty::NoticeOfCriticism => (penalty_label("notice_of_criticism"), e(), e(), e()),
        Penalty::Fine { min_fen, max_fen } => {
            (penalty_label("fine"), zhifa_domain::money::yuan(*min_fen), zhifa_domain::money::yuan(*max_fen), e())
        }
        Penalty::FineMultiple { of, min_pct, max_pct } => {
            (penalty_label("fine_multiple"), format!("{min_pct}%"), format!("{max_pct}%"), of.label().into())
        }
        Penalty::ConfiscateIllegalGains => (penalty_label("confiscate_illegal_gains"), e(), e(), e()),
        Penalty::ConfiscateProperty => (penalty_label("confiscate_property"), e(), e(), e()),
        Penalty::SuspendBusiness => (penalty_label("suspend_business"), e(), e(), e()),
        Penalty::RevokeLicence => (penalty_label("revoke_licence"), e(), e(), e()),
        Penalty::LowerQualification => (penalty_label("lower_qualification"), e(), e(), e()),
        Penalty::RestrictActivity => (penalty_label("restrict_activity"), e(), e(), e()),
        Penalty::Detention { min_days, max_days } => {
            (penalty_label("detention"), format!("{min_days}日"), format!("{max_days}日"), e())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Import

/// A row being read: cells by header, errors collected.
struct RowReader<'a> {
    sheet: &'static str,
    row: usize,
    cells: HashMap<&'a str, &'a str>,
    errors: &'a mut Vec<RowError>,
    failed: bool,
}

impl<'a> RowReader<'a> {
    fn err(&mut self, col: &str, msg: impl Into<String>) {
        self.failed = true;
        self.errors.push(RowError {
            sheet: self.sheet.into(),
            row: self.row,
            column: Some(col.into()),
            message: msg.into(),
        });
    }
    fn opt(&self, col: &str) -> Option<&'a str> {
        self.cells.get(col).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
    fn text(&self, col: &str) -> String {
        self.opt(col).unwrap_or("").to_string()
    }
    fn req(&mut self, col: &str) -> Option<&'a str> {
        let v = self.opt(col);
        if v.is_none() {
            self.err(col, "不能为空");
        }
        v
    }
    fn parse<T>(&mut self, col: &str, required: bool, f: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let v = if required { self.req(col)? } else { self.opt(col)? };
        match f(v) {
            Ok(t) => Some(t),
            Err(m) => {
                self.err(col, m);
                None
            }
        }
    }
    fn date(&mut self, col: &str, required: bool) -> Option<Date> {
        self.parse(col, required, |s| s.parse::<Date>().map_err(|_| format!("「{s}」不是日期（应为 2026-01-31 格式）")))
    }
    fn num<T: std::str::FromStr>(&mut self, col: &str, required: bool) -> Option<T> {
        self.parse(col, required, |s| s.parse::<T>().map_err(|_| format!("「{s}」不是合法的数字")))
    }
    fn credit(&mut self, col: &str, required: bool) -> Option<CreditCode> {
        self.parse(col, required, |s| CreditCode::parse(s).map_err(|e| e.to_string()))
    }
    fn region(&mut self, col: &str) -> Option<RegionCode> {
        self.parse(col, true, |s| RegionCode::parse(s).map_err(|e| e.to_string()))
    }
    fn enumerated<T>(&mut self, col: &str, required: bool, f: impl Fn(&str) -> Option<T>, what: &str) -> Option<T> {
        self.parse(col, required, |s| f(s).ok_or_else(|| format!("「{s}」不是合法的{what}")))
    }
    fn yes_no(&mut self, col: &str) -> bool {
        self.parse(col, false, |s| match s {
            "是" | "true" | "1" | "Y" | "y" => Ok(true),
            "否" | "false" | "0" | "N" | "n" => Ok(false),
            _ => Err(format!("「{s}」应为 是 或 否")),
        })
        .unwrap_or(false)
    }
    fn optional_u16(&mut self, col: &str) -> Option<u16> {
        self.num::<u16>(col, false)
    }
}

fn rows<'a>(
    tables: &'a [Table],
    sheet: &'static str,
    errors: &mut Vec<RowError>,
) -> Vec<(usize, HashMap<&'a str, &'a str>)> {
    let Some(t) = tables.iter().find(|t| t.name == sheet) else { return Vec::new() };
    let (_, _, expected) = SHEETS.iter().find(|s| s.0 == sheet).expect("known sheet");
    let mut ok = true;
    for h in expected.iter() {
        if !t.headers.iter().any(|x| x.trim() == *h) {
            errors.push(RowError {
                sheet: sheet.into(),
                row: 1,
                column: Some(h.to_string()),
                message: "缺少该列".into(),
            });
            ok = false;
        }
    }
    for h in &t.headers {
        if !h.trim().is_empty() && !expected.contains(&h.trim()) {
            errors.push(RowError {
                sheet: sheet.into(), row: 1, column: Some(h.clone()), message: "未知的列".into()
            });
            ok = false;
        }
    }
    if !ok {
        return Vec::new();
    }
    t.rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| {
            let cells = t.headers.iter().zip(r.iter()).map(|(h, v)| (h.trim(), v.as_str())).collect();
            (i + 2, cells)
        })
        .collect()
}

/// Reads tables into events. `existing` is the store's current registry: rows equal to
/// what is there are skipped; changed agencies and officers become updates; anything
/// else that exists is left for the store to refuse, so its row is named.
pub fn import(tables: &[Table], existing: &Snapshot) -> Result<Vec<(Origin, Event)>, Vec<RowError>> {
    let mut errors = Vec::new();
    for t in tables {
        if !SHEETS.iter().any(|s| s.0 == t.name) {
            errors.push(RowError { sheet: t.name.clone(), row: 1, column: None, message: "未知的工作表".into() });
        }
    }
    let mut out: Vec<(Origin, Event)> = Vec::new();
    macro_rules! reader {
        ($sheet:expr, $n:expr, $cells:expr) => {
            RowReader { sheet: $sheet, row: $n, cells: $cells, errors: &mut errors, failed: false }
        };
    }

    let known_agencies: HashMap<&str, &Agency> = existing.agencies.iter().map(|a| (a.code.as_str(), a)).collect();
    // Agencies
    let agency_rows = rows(tables, "agencies", &mut errors);
    for (n, cells) in agency_rows {
        let mut r = reader!("agencies", n, cells);
        let code = r.credit("统一社会信用代码", true);
        let name = r.req("名称").map(str::to_string);
        let region = r.region("行政区划代码");
        let level = r.enumerated("层级", true, Level::parse, "层级（省级/市级/县级/乡镇级）");
        let domains = r.parse("执法领域", true, parse_domains);
        let status = r.enumerated("状态", true, AgencyStatus::parse, "状态（待确认/已确认/已确认并公告/已撤销）");
        let entrusted_by = r.credit("委托机关代码", false);
        let (address, phone) = (r.text("地址"), r.text("电话"));
        if let (Some(code), Some(name), Some(region), Some(level), Some(domains), Some(status)) =
            (code, name, region, level, domains, status)
        {
            let a = Agency { code, name, region, level, domains, status, entrusted_by, address, phone };
            if let Err(v) = a.validate() {
                r.err(&column_of(&v, "名称"), v.to_string());
                continue;
            }
            match known_agencies.get(a.code.as_str()) {
                Some(old) if **old == a => {}
                Some(_) => out.push((Origin { sheet: "agencies", row: n }, Event::AgencyUpdated { agency: a })),
                None => out.push((Origin { sheet: "agencies", row: n }, Event::AgencyRegistered { agency: a })),
            }
        }
    }

    // Officers (and their latest passed exam)
    let known_officers: HashMap<&str, &Officer> = existing.officers.iter().map(|o| (o.staff_no.as_str(), o)).collect();
    let known_exams: HashMap<&str, Date> = existing.exams.iter().map(|(k, d)| (k.as_str(), *d)).collect();
    for (n, cells) in rows(tables, "officers", &mut errors) {
        let mut r = reader!("officers", n, cells);
        let staff_no = r.req("人员编号").map(str::to_string);
        let name = r.req("姓名").map(str::to_string);
        let agency = r.credit("执法主体代码", true);
        let employment =
            r.enumerated("用工性质", true, Employment::parse, "用工性质（在编/合同制/临时聘用/执法辅助人员）");
        let badge_no = r.opt("警号").map(str::to_string);
        let legal = r.yes_no("法律职业资格");
        let exam = r.date("资格考试通过日期", false);
        if let (Some(staff_no), Some(name), Some(agency), Some(employment)) = (staff_no, name, agency, employment) {
            let o = Officer {
                staff_no: staff_no.clone(),
                name,
                agency,
                position: r.text("职务"),
                employment,
                badge_no,
                legal_qualification: legal,
            };
            if let Err(v) = o.validate() {
                r.err(&column_of(&v, "人员编号"), v.to_string());
                continue;
            }
            let origin = Origin { sheet: "officers", row: n };
            match known_officers.get(staff_no.as_str()) {
                Some(old) if **old == o => {}
                Some(_) => out.push((origin.clone(), Event::OfficerUpdated { officer: o })),
                None => out.push((origin.clone(), Event::OfficerRegistered { officer: o })),
            }
            if let Some(on) = exam
                && known_exams.get(staff_no.as_str()).is_none_or(|d| *d < on)
            {
                out.push((origin, Event::ExamRecorded { staff_no, on, passed: true, score: None }));
            }
        }
    }

    // Training hours (a row states the year's total; the difference is recorded)
    let known_training: HashMap<(&str, i16), u32> =
        existing.training.iter().map(|(k, y, h)| ((k.as_str(), *y), *h)).collect();
    for (n, cells) in rows(tables, "training", &mut errors) {
        let mut r = reader!("training", n, cells);
        let staff_no = r.req("人员编号").map(str::to_string);
        let year = r.num::<i16>("年度", true);
        let hours = r.num::<u32>("学时", true);
        if let (Some(staff_no), Some(year), Some(hours)) = (staff_no, year, hours) {
            let have = known_training.get(&(staff_no.as_str(), year)).copied().unwrap_or(0);
            if hours < have {
                r.err("学时", format!("已记录 {have} 学时，导入值 {hours} 更小；学时只能增加"));
            } else if hours > have {
                out.push((
                    Origin { sheet: "training", row: n },
                    Event::TrainingRecorded { staff_no, year, hours: hours - have, course: "导入".into() },
                ));
            }
        }
    }

    // Certificates: issued, then their current status
    let known_certs: HashMap<&str, &Certificate> =
        existing.certificates.iter().map(|c| (c.number.as_str(), c)).collect();
    for (n, cells) in rows(tables, "certificates", &mut errors) {
        let mut r = reader!("certificates", n, cells);
        let number = r.req("执法证号").map(str::to_string);
        let holder = r.req("持证人编号").map(str::to_string);
        let categories = r.parse("执法类别", true, parse_domains);
        let region = r.region("执法区域");
        let issued_on = r.date("发证日期", true);
        let expires_on = r.date("有效期至", true);
        let state = r.enumerated(
            "状态",
            true,
            |s| ["有效", "暂扣", "已注销"].into_iter().find(|x| *x == s),
            "状态（有效/暂扣/已注销）",
        );
        let on = r.date("状态日期", state.is_some_and(|s| s != "有效"));
        let reason = r.text("状态原因");
        let last_check_on = r.date("最近年检日期", false);
        let status = match (state, on) {
            (Some("有效"), _) => Some(CertStatus::Valid),
            (Some("暂扣"), Some(since)) => Some(CertStatus::Suspended { since, reason: reason.clone() }),
            (Some("已注销"), Some(on)) => r
                .enumerated(
                    "状态原因",
                    true,
                    RevocationReason::parse,
                    "注销原因（退休/调离执法岗位/辞退或开除/死亡/其他）",
                )
                .map(|reason| CertStatus::Revoked { on, reason }),
            _ => None,
        };
        if let (
            Some(number),
            Some(holder),
            Some(categories),
            Some(region),
            Some(issued_on),
            Some(expires_on),
            Some(status),
        ) = (number, holder, categories, region, issued_on, expires_on, status)
        {
            let cert = Certificate {
                number: number.clone(),
                holder,
                categories,
                region,
                issued_on,
                expires_on,
                status: status.clone(),
                last_check_on,
            };
            if let Err(v) = (Certificate { status: CertStatus::Valid, ..cert.clone() }).validate() {
                r.err(&column_of(&v, "执法证号"), v.to_string());
                continue;
            }
            if known_certs.get(number.as_str()).is_some_and(|c| **c == cert) {
                continue;
            }
            let origin = Origin { sheet: "certificates", row: n };
            out.push((
                origin.clone(),
                Event::CertificateIssued { certificate: Certificate { status: CertStatus::Valid, ..cert } },
            ));
            match status {
                CertStatus::Valid => {}
                CertStatus::Suspended { since, reason } => {
                    out.push((origin, Event::CertificateSuspended { number, on: since, reason }))
                }
                CertStatus::Revoked { on, reason } => {
                    out.push((origin, Event::CertificateRevoked { number, on, reason }))
                }
            }
        }
    }

    // Reviewers
    let known_reviewers: Vec<(&str, &str)> =
        existing.reviewers.iter().map(|(a, k, _)| (a.as_str(), k.as_str())).collect();
    for (n, cells) in rows(tables, "reviewers", &mut errors) {
        let mut r = reader!("reviewers", n, cells);
        let agency = r.credit("执法主体代码", true);
        let staff_no = r.req("人员编号").map(str::to_string);
        let on = r.date("任职日期", true);
        if let (Some(agency), Some(staff_no), Some(on)) = (agency, staff_no, on)
            && !known_reviewers.contains(&(agency.as_str(), staff_no.as_str()))
        {
            out.push((Origin { sheet: "reviewers", row: n }, Event::ReviewerAppointed { agency, staff_no, on }));
        }
    }

    // Items with their basis, benchmarks and circumstances
    type Key = (String, u32);
    let mut basis: BTreeMap<Key, Vec<Citation>> = BTreeMap::new();
    for (n, cells) in rows(tables, "basis", &mut errors) {
        let mut r = reader!("basis", n, cells);
        let code = r.req("事项编码").map(str::to_string);
        let ver = r.num::<u32>("版本", true);
        let law = r.req("法律名称").map(str::to_string);
        let article = r.num::<u16>("条", true);
        let (paragraph, item) = (r.optional_u16("款"), r.optional_u16("项"));
        let role = r.enumerated("作用", true, BasisRole::parse, "依据作用（违则/罚则/依据）");
        if let (Some(code), Some(ver), Some(law), Some(article), Some(role)) = (code, ver, law, article, role) {
            let c = Citation { law, article, paragraph, item, role };
            if let Err(v) = c.validate("法律依据") {
                r.err("法律名称", v.to_string());
                continue;
            }
            basis.entry((code, ver)).or_default().push(c);
        }
    }
    let mut grades: BTreeMap<Key, Vec<Grade>> = BTreeMap::new();
    for (n, cells) in rows(tables, "benchmarks", &mut errors) {
        let mut r = reader!("benchmarks", n, cells);
        let code = r.req("事项编码").map(str::to_string);
        let ver = r.num::<u32>("版本", true);
        let grade = r.enumerated("裁量阶次", true, Seriousness::parse, "裁量阶次（轻微/一般/较重/严重）");
        let conditions = r.text("适用情形");
        let penalty = read_penalty(&mut r);
        let law = r.req("援引法律").map(str::to_string);
        let article = r.num::<u16>("条", true);
        let (paragraph, item) = (r.optional_u16("款"), r.optional_u16("项"));
        if let (Some(code), Some(ver), Some(grade), Some(penalty), Some(law), Some(article)) =
            (code, ver, grade, penalty, law, article)
        {
            let cites = Provision { law, article, paragraph, item };
            let list = grades.entry((code, ver)).or_default();
            match list.last_mut() {
                Some(g) if g.grade == grade => {
                    if g.conditions != conditions || g.cites != cites {
                        r.err("适用情形", "同一裁量阶次的各行，适用情形和援引条款必须相同");
                    } else {
                        g.penalties.push(penalty);
                    }
                }
                _ => list.push(Grade { grade, conditions, penalties: vec![penalty], cites }),
            }
        }
    }
    let mut circs: BTreeMap<Key, Vec<Circumstance>> = BTreeMap::new();
    for (n, cells) in rows(tables, "circumstances", &mut errors) {
        let mut r = reader!("circumstances", n, cells);
        let code = r.req("事项编码").map(str::to_string);
        let ver = r.num::<u32>("版本", true);
        let effect = r.enumerated("情节类型", true, Effect::parse, "情节类型（不予处罚/减轻处罚/从轻处罚/从重处罚）");
        let text = r.req("内容").map(str::to_string);
        if let (Some(code), Some(ver), Some(effect), Some(text)) = (code, ver, effect, text) {
            circs.entry((code, ver)).or_default().push(Circumstance { effect, text });
        }
    }
    let known_versions: HashMap<(&str, u32), &ItemVersion> =
        existing.item_versions.iter().map(|i| ((i.code.as_str(), i.version), i)).collect();
    for (n, cells) in rows(tables, "items", &mut errors) {
        let mut r = reader!("items", n, cells);
        let code = r.req("事项编码").map(str::to_string);
        let version = r.num::<u32>("版本", true);
        let change =
            r.enumerated("变更类型", true, ChangeKind::parse, "变更类型（新增/变更/取消/下放/合并/调整管理方式）");
        let effective_from = r.date("生效日期", true);
        let name = r.req("事项名称").map(str::to_string);
        let kind = r.enumerated("事项类别", true, ItemKind::parse, "事项类别");
        let domain = r.enumerated("执法领域", true, zhifa_domain::registry::Domain::parse, "执法领域");
        let agency = r.credit("实施主体代码", true);
        let procedure = r.enumerated("适用程序", true, ProcedureKind::parse, "适用程序");
        let delegated_to = r.credit("下放至", false);
        let merged_into = r.opt("并入事项").map(str::to_string);
        let note = r.text("变更说明");
        let first_offence_exempt = r.yes_no("首违不罚");
        if let (
            Some(code),
            Some(version),
            Some(change),
            Some(effective_from),
            Some(name),
            Some(kind),
            Some(domain),
            Some(agency),
            Some(procedure),
        ) = (code, version, change, effective_from, name, kind, domain, agency, procedure)
        {
            let key = (code.clone(), version);
            let grades = grades.remove(&key).unwrap_or_default();
            let circumstances = circs.remove(&key).unwrap_or_default();
            let benchmark = if grades.is_empty() {
                if !circumstances.is_empty() || first_offence_exempt {
                    r.err("事项编码", "有裁量情节或首违不罚，但裁量基准表中没有该事项的裁量阶次");
                }
                None
            } else {
                Some(Benchmark { grades, circumstances, first_offence_exempt })
            };
            let item = ItemVersion {
                code: code.clone(),
                version,
                change,
                effective_from,
                name,
                kind,
                domain,
                agency,
                procedure,
                basis: basis.remove(&key).unwrap_or_default(),
                benchmark,
                delegated_to,
                merged_into,
                note,
            };
            if r.failed {
                continue;
            }
            if let Err(v) = item.validate() {
                let col = v.field.clone().unwrap_or_else(|| "事项编码".into());
                r.err(&col, v.to_string());
                continue;
            }
            if known_versions.get(&(code.as_str(), version)).is_some_and(|k| **k == item) {
                continue;
            }
            out.push((Origin { sheet: "items", row: n }, Event::ItemVersionAdded { item }));
        }
    }
    for ((code, ver), _) in basis.iter() {
        errors.push(orphan("basis", code, *ver));
    }
    for ((code, ver), _) in grades.iter() {
        errors.push(orphan("benchmarks", code, *ver));
    }
    for ((code, ver), _) in circs.iter() {
        errors.push(orphan("circumstances", code, *ver));
    }

    // Random-inspection list
    let known_entries: HashMap<&str, &InspectionEntry> =
        existing.inspection_list.iter().map(|e| (e.code.as_str(), e)).collect();
    for (n, cells) in rows(tables, "inspection_list", &mut errors) {
        let mut r = reader!("inspection_list", n, cells);
        let code = r.req("抽查事项编码").map(str::to_string);
        let domain = r.enumerated("执法领域", true, zhifa_domain::registry::Domain::parse, "执法领域");
        let agency = r.credit("检查主体代码", true);
        let item_code = r.req("检查事项编码").map(str::to_string);
        let name = r.req("名称").map(str::to_string);
        let basis = r.parse("依据", true, parse_basis_text);
        let ratio = r.parse("抽查比例", true, |s| {
            s.trim_end_matches('%').parse::<u32>().map_err(|_| format!("「{s}」不是百分比"))
        });
        if let (Some(code), Some(domain), Some(agency), Some(item_code), Some(name), Some(basis), Some(ratio_pct)) =
            (code, domain, agency, item_code, name, basis, ratio)
        {
            let e = InspectionEntry {
                code: code.clone(),
                domain,
                agency,
                item_code,
                name,
                basis,
                targets: r.text("抽查对象"),
                content: r.text("检查内容"),
                ratio_pct,
                frequency: r.text("抽查频次"),
                method: r.text("检查方式"),
            };
            if let Err(v) = e.validate() {
                let col = v.field.clone().unwrap_or_else(|| "抽查事项编码".into());
                r.err(&col, v.to_string());
                continue;
            }
            if known_entries.get(code.as_str()).is_some_and(|k| **k == e) {
                continue;
            }
            out.push((Origin { sheet: "inspection_list", row: n }, Event::InspectionEntrySet { entry: e }));
        }
    }

    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by(|a, b| {
            let pos = |s: &str| SHEETS.iter().position(|x| x.0 == s).unwrap_or(usize::MAX);
            (pos(&a.sheet), a.row).cmp(&(pos(&b.sheet), b.row))
        });
        Err(errors)
    }
}

/// The sheet column for a domain field name.
fn column_of(v: &zhifa_domain::Violation, default: &str) -> String {
    let col = match v.field.as_deref() {
        Some("name") => "名称",
        Some("staff_no") => "人员编号",
        Some("position") => "职务",
        Some("badge_no") => "警号",
        Some("number") => "执法证号",
        Some("categories") => "执法类别",
        Some("expires_on") => "有效期至",
        Some("issued_on") => "发证日期",
        Some("last_check_on") => "最近年检日期",
        Some("domains") => "执法领域",
        Some("entrusted_by") => "委托机关代码",
        Some("address") => "地址",
        Some("phone") => "电话",
        _ => default,
    };
    col.to_string()
}

fn orphan(sheet: &str, code: &str, ver: u32) -> RowError {
    RowError {
        sheet: sheet.into(),
        row: 1,
        column: Some("事项编码".into()),
        message: format!("事项 {code} 第 {ver} 版不在执法事项表中"),
    }
}

fn parse_basis_text(s: &str) -> Result<Vec<Citation>, String> {
    let mut out = Vec::new();
    for part in s.split(';').filter(|p| !p.trim().is_empty()) {
        let f: Vec<&str> = part.split(':').collect();
        if f.len() != 5 {
            return Err(format!("「{part}」应为 法律名称:条:款:项:作用"));
        }
        let num = |x: &str| -> Result<Option<u16>, String> {
            if x.is_empty() { Ok(None) } else { x.parse().map(Some).map_err(|_| format!("「{x}」不是数字")) }
        };
        let article = num(f[1])?.ok_or_else(|| format!("「{part}」缺少条"))?;
        let role = BasisRole::parse(f[4]).ok_or_else(|| format!("「{}」不是依据作用", f[4]))?;
        out.push(Citation { law: f[0].trim().into(), article, paragraph: num(f[2])?, item: num(f[3])?, role });
    }
    Ok(out)
}

fn read_penalty(r: &mut RowReader<'_>) -> Option<Penalty> {
    let kind = r.enumerated(
        "处罚种类",
        true,
        |s| PENALTY_KINDS.iter().find(|p| p.0 == s || p.1 == s).map(|p| p.0),
        "处罚种类",
    )?;
    let fen = |s: &str| -> Result<i64, String> {
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let bad = || format!("「{s}」不是金额（元）");
        if frac.len() > 2 {
            return Err(bad());
        }
        let w: i64 = whole.parse().map_err(|_| bad())?;
        let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
        w.checked_mul(100).and_then(|v| v.checked_add(f)).ok_or_else(bad)
    };
    let pct = |s: &str| s.trim_end_matches('%').parse::<u32>().map_err(|_| format!("「{s}」不是百分比"));
    let days = |s: &str| s.trim_end_matches('日').parse::<u32>().map_err(|_| format!("「{s}」不是天数"));
    Some(match kind {
        "warning" => Penalty::Warning,
        "notice_of_criticism" => Penalty::NoticeOfCriticism,
        "fine" => Penalty::Fine { min_fen: r.parse("下限", true, fen)?, max_fen: r.parse("上限", true, fen)? },
        "fine_multiple" => {
            let of = r.enumerated("倍数基数", true, MultipleOf::parse, "倍数基数（违法所得/货值金额/销售额）");
            let (min_pct, max_pct) = (r.parse("下限", true, pct), r.parse("上限", true, pct));
            Penalty::FineMultiple { of: of?, min_pct: min_pct?, max_pct: max_pct? }
        }
        "confiscate_illegal_gains" => Penalty::ConfiscateIllegalGains,
        "confiscate_property" => Penalty::ConfiscateProperty,
        "suspend_business" => Penalty::SuspendBusiness,
        "revoke_licence" => Penalty::RevokeLicence,
        "lower_qualification" => Penalty::LowerQualification,
        "restrict_activity" => Penalty::RestrictActivity,
        "detention" => {
            Penalty::Detention { min_days: r.parse("下限", true, days)?, max_days: r.parse("上限", true, days)? }
        }
        _ => unreachable!("kinds come from PENALTY_KINDS"),
    })
}

/// Writes all tables as one XLSX workbook.
pub fn write_xlsx(tables: &[Table]) -> Result<Vec<u8>, FormatError> {
    format::write_xlsx(tables, sheet_title)
}

/// Reads an XLSX workbook into tables keyed by sheet.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    format::read_xlsx(bytes, sheet_key)
}
