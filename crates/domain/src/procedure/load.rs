//! Loading a definition: TOML → [`RawFile`] → (resolve `extends`, merge) → validate.
//!
//! Validation collects every problem it finds rather than stopping at the first, so an
//! agency fixing its file sees them all at once; each names the file and line.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use super::raw::{L, List, RawAction, RawFile, RawLimit, Relocate, Str, merge, parse_raw};
use super::{
    Action, AvRequirement, Condition, DefinitionId, Extension, LimitKind, ProcedureDefinition, Requirement, Stage,
    Suspension, TimeLimit, Unit,
};
use crate::account::Role;
use crate::item::ProcedureKind;
use crate::violation::RULES;

/// What is wrong with a definition, for tests and tools; people read the message.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionErrorKind {
    /// Not TOML, a value of the wrong type, or an unknown field.
    Syntax,
    MissingField,
    BadValue,
    Duplicate,
    UnknownStage,
    UnknownAction,
    UnknownLimit,
    UnknownRecord,
    UnknownDocument,
    UnknownFlag,
    UnknownRole,
    UnknownRule,
    /// `extends` names no known definition.
    UnknownBase,
    /// An action no role may take.
    NoRole,
    MissingUnit,
    UnknownUnit,
    UnreachableStage,
    TerminalWithExit,
    /// A non-terminal stage with no action to another stage.
    NoWayOut,
    /// A non-terminal stage from which no terminal stage can be reached.
    NoPathToEnd,
    /// A precondition that does not follow the grammar.
    BadRequirement,
}

/// One problem in a definition file. Displays as `file:line: PROC-1: message`.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionError {
    pub file: String,
    /// 1-based.
    pub line: u32,
    pub kind: DefinitionErrorKind,
    /// Simplified Chinese.
    pub message: String,
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: PROC-1: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for DefinitionError {}

use DefinitionErrorKind as K;

/// (file index, byte offset).
type Pos = (usize, usize);

fn p<T>(l: &L<T>) -> Pos {
    (l.file, l.offset)
}

fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    1 + text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() as u32
}

struct Cx<'a> {
    files: &'a [(&'a str, &'a str)],
    errors: Vec<DefinitionError>,
}

impl Cx<'_> {
    fn err(&mut self, (file, offset): Pos, kind: K, message: String) {
        let (name, text) = self.files[file];
        self.errors.push(DefinitionError { file: name.to_string(), line: line_of(text, offset), kind, message });
    }

    /// A required non-empty text field.
    fn text(&mut self, v: Option<&Str>, entry: Pos, what: &str, field: &str) -> Option<String> {
        match v {
            None => {
                self.err(entry, K::MissingField, format!("{what}缺少字段 `{field}`"));
                None
            }
            Some(s) if s.v.trim().is_empty() => {
                self.err(p(s), K::BadValue, format!("{what}的 `{field}` 不能为空"));
                None
            }
            Some(s) => Some(s.v.trim().to_string()),
        }
    }

    /// A required code: snake_case ASCII, at most 64 characters.
    fn code(&mut self, v: Option<&Str>, entry: Pos, what: &str) -> Option<String> {
        let s = self.text(v, entry, what, "code")?;
        if is_code(&s) {
            Some(s)
        } else {
            self.err(
                v.map_or(entry, p),
                K::BadValue,
                format!("{what}代码「{s}」不合规（应为小写字母开头的小写字母、数字和下划线，不超过 64 个字符）"),
            );
            None
        }
    }

    /// A required positive integer.
    fn count(&mut self, v: &L<i64>, what: &str, max: i64) -> Option<u32> {
        if (1..=max).contains(&v.v) {
            Some(v.v as u32)
        } else {
            self.err(p(v), K::BadValue, format!("{what}应为 1 到 {max} 之间的整数，现为 {}", v.v));
            None
        }
    }

    fn rule(&mut self, v: &Str) -> Option<&'static str> {
        let found = find_rule(v.v.trim());
        if found.is_none() {
            self.err(p(v), K::UnknownRule, format!("「{}」不是 DOMAIN.md 中的规则编号", v.v));
        }
        found
    }

    fn role(&mut self, v: &Str) -> Option<Role> {
        let role = Role::parse(&v.v);
        if role.is_none() {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            self.err(p(v), K::UnknownRole, format!("未知的角色「{}」（可用：{}）", v.v, known.join("、")));
        }
        role
    }

    /// Checks every item of a list against a set of known codes.
    fn refs(&mut self, items: &[Str], known: &BTreeSet<String>, kind: K, what: &str, owner: &str) -> Vec<String> {
        let mut out = Vec::new();
        for item in items {
            let v = item.v.trim();
            if known.contains(v) {
                out.push(v.to_string());
            } else {
                self.err(p(item), kind, format!("{owner}引用了不存在的{what}「{v}」"));
            }
        }
        out
    }

    /// A required non-empty list of references.
    fn ref_list(
        &mut self,
        list: Option<&List>,
        entry: Pos,
        field: &str,
        (known, kind, what): (&BTreeSet<String>, K, &str),
        owner: &str,
    ) -> Vec<String> {
        match list {
            None => {
                self.err(entry, K::MissingField, format!("{owner}缺少字段 `{field}`"));
                Vec::new()
            }
            Some(l) if l.v.is_empty() => {
                self.err(p(l), K::BadValue, format!("{owner}的 `{field}` 不能为空"));
                Vec::new()
            }
            Some(l) => self.refs(&l.v, known, kind, what, owner),
        }
    }
}

pub(crate) fn find_rule(s: &str) -> Option<&'static str> {
    RULES.iter().copied().find(|r| *r == s)
}

fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> DefinitionError {
    let line = e.span().map_or(1, |s| line_of(text, s.start));
    DefinitionError {
        file: file.to_string(),
        line,
        kind: K::Syntax,
        message: format!("TOML 格式错误：{}", e.message().trim()),
    }
}

/// Stops `extends` chains that loop or run too deep.
const MAX_EXTENDS_DEPTH: usize = 4;

pub(crate) fn parse_with_bases(
    file: &str,
    text: &str,
    bases: &[(&str, &str)],
) -> Result<ProcedureDefinition, Vec<DefinitionError>> {
    let raw = parse_raw(text).map_err(|e| vec![toml_error(file, text, &e)])?;
    let mut files: Vec<(&str, &str)> = vec![(file, text)];
    let (merged, extends) = resolve(raw, bases, &mut files, 0)?;
    validate(&files, merged, extends)
}

/// Follows `extends`: the base's raw definition (itself resolved) with `raw` laid over it.
fn resolve<'a>(
    raw: RawFile,
    bases: &[(&'a str, &'a str)],
    files: &mut Vec<(&'a str, &'a str)>,
    depth: usize,
) -> Result<(RawFile, Option<DefinitionId>), Vec<DefinitionError>> {
    let Some(ext) = raw.extends.clone() else { return Ok((raw, None)) };
    let mut cx = Cx { files: &files[..], errors: Vec::new() };
    let at = p(&ext);
    let want_code = ext.v.code.v.trim().to_string();
    let want_version = ext.v.version.v;
    if depth >= MAX_EXTENDS_DEPTH {
        cx.err(at, K::UnknownBase, format!("extends 层级过深（最多 {MAX_EXTENDS_DEPTH} 层），或存在循环引用"));
        return Err(cx.errors);
    }
    match (&raw.code, &raw.version) {
        (Some(c), Some(v)) if c.v.trim() == want_code && v.v == want_version => {
            cx.err(
                at,
                K::BadValue,
                format!("扩展定义必须有自己的 code 或 version，不能与所扩展的「{want_code}@{want_version}」相同"),
            );
        }
        (Some(_), Some(_)) => {}
        _ => cx.err(at, K::MissingField, "扩展定义须写明自己的 `code` 和 `version`".to_string()),
    }
    let found = bases.iter().find_map(|&(name, text)| {
        let base = parse_raw(text).ok()?;
        let same = base.code.as_ref().is_some_and(|c| c.v.trim() == want_code)
            && base.version.as_ref().is_some_and(|v| v.v == want_version);
        same.then_some((name, text, base))
    });
    let Some((name, text, mut base)) = found else {
        cx.err(at, K::UnknownBase, format!("找不到要扩展的流程定义「{want_code}@{want_version}」"));
        return Err(cx.errors);
    };
    if let (Some(k), Some(bk)) = (&raw.kind, &base.kind)
        && k.v.trim() != bk.v.trim()
    {
        cx.err(p(k), K::BadValue, format!("扩展定义不能改变程序种类（基础定义为「{}」）", bk.v));
    }
    let errors = cx.errors;
    if !errors.is_empty() {
        return Err(errors);
    }
    let index = files.len();
    files.push((name, text));
    base.relocate(index);
    let (base, _) = resolve(base, bases, files, depth + 1)?;
    Ok((
        merge(base, raw),
        Some(DefinitionId { code: want_code, version: want_version.clamp(0, u32::MAX as i64) as u32 }),
    ))
}

/// The codes declared in one namespace, with the first position of each.
fn index<T>(cx: &mut Cx, entries: &[L<T>], code: impl Fn(&T) -> Option<&Str>, what: &str) -> BTreeSet<String> {
    let mut first: BTreeMap<String, Pos> = BTreeMap::new();
    for e in entries {
        if let Some(c) = code(&e.v) {
            let v = c.v.trim().to_string();
            if let Some(&(file, offset)) = first.get(&v) {
                let line = line_of(cx.files[file].1, offset);
                let prior = if file == c.file {
                    format!("第 {line} 行")
                } else {
                    format!("{} 第 {line} 行", cx.files[file].0)
                };
                cx.err(p(c), K::Duplicate, format!("{what}代码「{v}」重复（已在{prior}定义）"));
            } else {
                first.insert(v, p(c));
            }
        }
    }
    first.into_keys().collect()
}

struct Known {
    stages: BTreeSet<String>,
    actions: BTreeSet<String>,
    limits: BTreeSet<String>,
    hour_limits: BTreeSet<String>,
    records: BTreeSet<String>,
    documents: BTreeSet<String>,
    flags: BTreeSet<String>,
}

fn validate(
    files: &[(&str, &str)],
    raw: RawFile,
    extends: Option<DefinitionId>,
) -> Result<ProcedureDefinition, Vec<DefinitionError>> {
    let mut cx = Cx { files, errors: Vec::new() };
    let top: Pos = (0, 0);
    let what = "流程定义";

    let code = cx.code(raw.code.as_ref(), top, what);
    let name = cx.text(raw.name.as_ref(), top, what, "name");
    let version = match &raw.version {
        None => {
            cx.err(top, K::MissingField, format!("{what}缺少字段 `version`"));
            None
        }
        Some(v) => cx.count(v, "版本号 version ", u32::MAX as i64),
    };
    let kind = match &raw.kind {
        None => {
            cx.err(top, K::MissingField, format!("{what}缺少字段 `kind`"));
            None
        }
        Some(k) => {
            let kind = ProcedureKind::parse(&k.v);
            if kind.is_none() {
                let known: Vec<&str> = ProcedureKind::ALL.iter().map(|k| k.as_str()).collect();
                cx.err(p(k), K::BadValue, format!("未知的程序种类「{}」（可用：{}）", k.v, known.join("、")));
            }
            kind
        }
    };
    let description = raw.description.as_ref().map(|d| d.v.trim().to_string()).unwrap_or_default();

    let mut maps: [BTreeMap<String, String>; 3] = Default::default();
    for (i, (map, what)) in
        [(&raw.flags, "标记"), (&raw.records, "记录种类"), (&raw.documents, "文书种类")].into_iter().enumerate()
    {
        for (k, v) in map {
            if !is_code(k) {
                cx.err(
                    p(v),
                    K::BadValue,
                    format!("{what}代码「{k}」不合规（应为小写字母开头的小写字母、数字和下划线）"),
                );
            } else if v.v.trim().is_empty() {
                cx.err(p(v), K::BadValue, format!("{what}「{k}」的名称不能为空"));
            } else {
                maps[i].insert(k.clone(), v.v.trim().to_string());
            }
        }
    }
    let [flags, records, documents] = maps;

    let known = Known {
        stages: index(&mut cx, &raw.stage, |s| s.code.as_ref(), "阶段"),
        actions: index(&mut cx, &raw.action, |a| a.code.as_ref(), "步骤"),
        limits: index(&mut cx, &raw.limit, |l| l.code.as_ref(), "时限"),
        hour_limits: raw
            .limit
            .iter()
            .filter(|l| l.v.unit.as_ref().is_some_and(|u| u.v.trim() == "hours"))
            .filter_map(|l| l.v.code.as_ref().map(|c| c.v.trim().to_string()))
            .collect(),
        records: records.keys().cloned().collect(),
        documents: documents.keys().cloned().collect(),
        flags: flags.keys().cloned().collect(),
    };
    index(&mut cx, &raw.suspension, |s| s.code.as_ref(), "中止计时规则");

    let mut stages = Vec::new();
    let mut stage_pos: BTreeMap<String, Pos> = BTreeMap::new();
    for s in &raw.stage {
        let code = cx.code(s.v.code.as_ref(), p(s), "阶段");
        let label = cx.text(s.v.label.as_ref(), p(s), &format!("阶段「{}」", code.as_deref().unwrap_or("?")), "label");
        if let (Some(code), Some(label)) = (code, label)
            && !stage_pos.contains_key(&code)
        {
            stage_pos.insert(code.clone(), s.v.code.as_ref().map_or(p(s), p));
            stages.push(Stage { code, label, terminal: s.v.terminal.as_ref().is_some_and(|t| t.v) });
        }
    }

    let mut limits = Vec::new();
    for l in &raw.limit {
        if let Some(limit) = limit(&mut cx, l, &known) {
            limits.push(limit);
        }
    }

    let mut suspensions = Vec::new();
    for s in &raw.suspension {
        let code = cx.code(s.v.code.as_ref(), p(s), "中止计时规则");
        let owner = format!("中止计时规则「{}」", code.as_deref().unwrap_or("?"));
        let label = cx.text(s.v.label.as_ref(), p(s), &owner, "label");
        let rule = match &s.v.rule {
            None => {
                cx.err(p(s), K::MissingField, format!("{owner}缺少字段 `rule`"));
                None
            }
            Some(r) => cx.rule(r),
        };
        let lims = cx.ref_list(s.v.limits.as_ref(), p(s), "limits", (&known.limits, K::UnknownLimit, "时限"), &owner);
        if let Some(list) = &s.v.limits {
            for item in list.v.iter().filter(|i| known.hour_limits.contains(i.v.trim())) {
                cx.err(p(item), K::BadValue, format!("{owner}：以小时计的时限「{}」不能中止计时", item.v.trim()));
            }
        }
        let acts = (&known.actions, K::UnknownAction, "步骤");
        let suspend = cx.ref_list(s.v.suspend.as_ref(), p(s), "suspend", acts, &owner);
        let resume = cx.ref_list(s.v.resume.as_ref(), p(s), "resume", acts, &owner);
        if let (Some(code), Some(label), Some(rule)) = (code, label, rule) {
            let basis = s.v.basis.as_ref().map(|b| b.v.trim().to_string()).unwrap_or_default();
            suspensions.push(Suspension { code, label, rule, basis, limits: lims, suspend, resume });
        }
    }

    let mut actions = Vec::new();
    let mut action_pos: Vec<(Vec<(String, Pos)>, Pos)> = Vec::new();
    let mut seen_actions = BTreeSet::new();
    for a in &raw.action {
        if let Some((action, froms)) = action(&mut cx, a, &known)
            && seen_actions.insert(action.code.clone())
        {
            action_pos.push((froms, a.v.code.as_ref().map_or(p(a), p)));
            actions.push(action);
        }
    }

    let initial = match &raw.initial {
        None => {
            cx.err(top, K::MissingField, format!("{what}缺少字段 `initial`（起始阶段）"));
            None
        }
        Some(i) => {
            let v = i.v.trim().to_string();
            match stages.iter().find(|s| s.code == v) {
                None => {
                    cx.err(p(i), K::UnknownStage, format!("起始阶段 initial 引用了不存在的阶段「{v}」"));
                    None
                }
                Some(s) if s.terminal => {
                    cx.err(p(i), K::BadValue, format!("起始阶段「{}」不能是终结阶段", s.label));
                    None
                }
                Some(_) => Some(v),
            }
        }
    };

    check_graph(&mut cx, &stages, &stage_pos, &actions, &action_pos, initial.as_deref());

    if !cx.errors.is_empty() {
        let mut errors = cx.errors;
        let order: BTreeMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (f.0, i)).collect();
        errors.sort_by_key(|e| (order.get(e.file.as_str()).copied().unwrap_or(usize::MAX), e.line));
        return Err(errors);
    }
    // Every field was checked above: a missing one left an error and returned.
    let (Some(code), Some(name), Some(version), Some(kind), Some(initial)) = (code, name, version, kind, initial)
    else {
        unreachable!("a missing header field is always reported");
    };
    Ok(ProcedureDefinition {
        code,
        name,
        version,
        kind,
        description,
        extends,
        initial,
        flags,
        records,
        documents,
        stages,
        actions,
        limits,
        suspensions,
    })
}

fn limit(cx: &mut Cx, l: &L<RawLimit>, known: &Known) -> Option<TimeLimit> {
    let r = &l.v;
    let at = p(l);
    let code = cx.code(r.code.as_ref(), at, "时限");
    let owner = format!("时限「{}」", code.as_deref().unwrap_or("?"));
    let label = cx.text(r.label.as_ref(), at, &owner, "label");
    let rule = match &r.rule {
        None => {
            cx.err(at, K::MissingField, format!("{owner}缺少字段 `rule`（所依据的 DOMAIN 规则编号）"));
            None
        }
        Some(v) => cx.rule(v),
    };
    let basis = cx.text(r.basis.as_ref(), at, &owner, "basis（法律依据条文）");
    let kind = match &r.kind {
        None => Some(LimitKind::Deadline),
        Some(k) => match k.v.trim() {
            "deadline" => Some(LimitKind::Deadline),
            "period" => Some(LimitKind::Period),
            other => {
                cx.err(p(k), K::BadValue, format!("{owner}的 kind「{other}」无法识别（应为 deadline 或 period）"));
                None
            }
        },
    };
    let when = r
        .when
        .as_ref()
        .and_then(|w| cx.refs(std::slice::from_ref(w), &known.flags, K::UnknownFlag, "标记", &owner).pop());
    let acts = (&known.actions, K::UnknownAction, "步骤");
    let start = cx.ref_list(r.start.as_ref(), at, "start", acts, &owner);
    let stop = cx.ref_list(r.stop.as_ref(), at, "stop", acts, &owner);
    let unit = match &r.unit {
        None => {
            cx.err(
                at,
                K::MissingUnit,
                format!("{owner}没有写明单位 unit（working 工作日、calendar 自然日或 hours 小时）"),
            );
            None
        }
        Some(u) => match u.v.trim() {
            "working" => Some(Unit::Working),
            "calendar" => Some(Unit::Calendar),
            "hours" => Some(Unit::Hours),
            other => {
                cx.err(
                    p(u),
                    K::UnknownUnit,
                    format!("{owner}的单位「{other}」无法识别（应为 working、calendar 或 hours）"),
                );
                None
            }
        },
    };
    let length = match (unit, &r.days, &r.hours) {
        (Some(Unit::Hours), Some(d), _) => {
            cx.err(p(d), K::BadValue, format!("{owner}以小时计，应写 hours 而不是 days"));
            None
        }
        (Some(Unit::Working | Unit::Calendar), _, Some(h)) => {
            cx.err(p(h), K::BadValue, format!("{owner}以日计，应写 days 而不是 hours"));
            None
        }
        (_, Some(d), None) => cx.count(d, &format!("{owner}的天数 days "), 3650),
        (_, None, Some(h)) => cx.count(h, &format!("{owner}的小时数 hours "), 8760),
        (_, Some(d), Some(_)) => {
            cx.err(p(d), K::BadValue, format!("{owner}只能写 days 或 hours 之一"));
            None
        }
        (_, None, None) => {
            cx.err(at, K::MissingField, format!("{owner}缺少期限长度 `days`（或以小时计的 `hours`）"));
            None
        }
    };
    let roll_forward = r.roll_forward.as_ref().is_some_and(|v| v.v);
    if let (Some(Unit::Hours), Some(rf)) = (unit, &r.roll_forward)
        && rf.v
    {
        cx.err(p(rf), K::BadValue, format!("{owner}以小时计，不能顺延到工作日（roll_forward）"));
    }
    let mut extensions = Vec::new();
    for e in r.extension.iter().flatten() {
        if unit == Some(Unit::Hours) {
            cx.err(p(e), K::BadValue, format!("{owner}以小时计，不能延长"));
            continue;
        }
        let action = match &e.v.action {
            None => {
                cx.err(p(e), K::MissingField, format!("{owner}的延长规则缺少字段 `action`（记录延长的步骤）"));
                None
            }
            Some(a) => cx.refs(std::slice::from_ref(a), &known.actions, K::UnknownAction, "步骤", &owner).pop(),
        };
        let by = e.v.by.as_ref().and_then(|b| cx.role(b));
        let days = e.v.days.as_ref().and_then(|d| cx.count(d, "延长天数 days ", 3650));
        let times = e.v.times.as_ref().and_then(|t| cx.count(t, "延长次数 times ", 100));
        if let Some(action) = action {
            extensions.push(Extension { action, by, days, times });
        }
    }
    Some(TimeLimit {
        code: code?,
        label: label?,
        rule: rule?,
        basis: basis?,
        kind: kind?,
        when,
        start,
        stop,
        length: length?,
        unit: unit?,
        roll_forward,
        extensions,
    })
}

type Froms = Vec<(String, Pos)>;

fn action(cx: &mut Cx, a: &L<RawAction>, known: &Known) -> Option<(Action, Froms)> {
    let r = &a.v;
    let at = p(a);
    let code = cx.code(r.code.as_ref(), at, "步骤");
    let owner = format!("步骤「{}」", code.as_deref().unwrap_or("?"));
    let label = cx.text(r.label.as_ref(), at, &owner, "label");
    let stages = (&known.stages, K::UnknownStage, "阶段");
    let from = cx.ref_list(r.from.as_ref(), at, "from", stages, &owner);
    let froms: Froms = r
        .from
        .iter()
        .flat_map(|l| l.v.iter())
        .filter(|s| known.stages.contains(s.v.trim()))
        .map(|s| (s.v.trim().to_string(), p(s)))
        .collect();
    let to =
        r.to.as_ref()
            .and_then(|t| cx.refs(std::slice::from_ref(t), &known.stages, K::UnknownStage, "阶段", &owner).pop());
    let roles: Vec<Role> = match &r.roles {
        Some(list) if !list.v.is_empty() => list.v.iter().filter_map(|v| cx.role(v)).collect(),
        Some(list) => {
            cx.err(p(list), K::NoRole, format!("{owner}没有指定可以办理的角色（roles 为空）"));
            Vec::new()
        }
        None => {
            cx.err(at, K::NoRole, format!("{owner}没有指定可以办理的角色（缺少 roles）"));
            Vec::new()
        }
    };
    let records =
        cx.refs(r.records.as_deref().unwrap_or_default(), &known.records, K::UnknownRecord, "记录种类", &owner);
    let documents =
        cx.refs(r.documents.as_deref().unwrap_or_default(), &known.documents, K::UnknownDocument, "文书种类", &owner);
    let av = match &r.av {
        None => Some(AvRequirement::None),
        Some(v) => match v.v.trim() {
            "none" => Some(AvRequirement::None),
            "step" => Some(AvRequirement::Step),
            "full" => Some(AvRequirement::Full),
            other => {
                cx.err(p(v), K::BadValue, format!("{owner}的 av「{other}」无法识别（应为 none、step 或 full）"));
                None
            }
        },
    };
    let officers = match &r.officers {
        None => Some(0),
        Some(v) => cx.count(v, &format!("{owner}的执法人员人数 officers "), 20),
    };
    let mut requires = Vec::new();
    for text in r.requires.iter().flatten().chain(r.add_requires.iter().flatten()) {
        match requirement(&text.v, known) {
            Ok(req) => requires.push(req),
            Err((kind, message)) => cx.err(p(text), kind, format!("{owner}的前置条件「{}」：{message}", text.v)),
        }
    }
    // Kept even when some field is wrong (the errors are recorded), so that the graph
    // checks do not add spurious errors about stages only this action leads to.
    let action = Action {
        code: code?,
        label: label?,
        description: r.description.as_ref().map(|d| d.v.trim().to_string()).unwrap_or_default(),
        from,
        to,
        roles,
        requires,
        records,
        documents,
        av: av.unwrap_or_default(),
        officers: officers.unwrap_or(0),
        decision: r.decision.as_ref().is_some_and(|d| d.v),
    };
    Some((action, froms))
}

const CLAUSES: &str =
    "record、document、av、officers、approval、review、period_elapsed、within、done、not_after、flag、visited";

/// Parses `clause [or clause]* [if clause] [@RULE]`.
fn requirement(text: &str, known: &Known) -> Result<Requirement, (K, String)> {
    let mut body = text.trim();
    let mut rule = None;
    if let Some(i) = body.rfind('@') {
        let r = body[i + 1..].trim();
        rule = Some(find_rule(r).ok_or((K::UnknownRule, format!("「{r}」不是 DOMAIN.md 中的规则编号")))?);
        body = body[..i].trim();
    }
    let (main, guard) = match body.split_once(" if ") {
        Some((m, g)) => (m, Some(g)),
        None => (body, None),
    };
    if guard.is_some_and(|g| g.contains(" if ")) {
        return Err((K::BadRequirement, "只能有一个 if".to_string()));
    }
    let any_of = main.split(" or ").map(|c| clause(c, known)).collect::<Result<Vec<_>, _>>()?;
    let when = guard.map(|g| clause(g, known)).transpose()?;
    Ok(Requirement { any_of, when, rule, text: text.trim().to_string() })
}

fn clause(text: &str, known: &Known) -> Result<Condition, (K, String)> {
    let Some((key, value)) = text.split_once(':') else {
        return Err((K::BadRequirement, format!("「{}」应写成「种类: 值」，可用的种类：{CLAUSES}", text.trim())));
    };
    let (key, value) = (key.trim(), value.trim());
    let check = |set: &BTreeSet<String>, kind: K, what: &str| {
        if set.contains(value) {
            Ok(value.to_string())
        } else {
            Err((kind, format!("不存在的{what}「{value}」")))
        }
    };
    Ok(match key {
        "record" => Condition::Record(check(&known.records, K::UnknownRecord, "记录种类")?),
        "document" => Condition::Document(check(&known.documents, K::UnknownDocument, "文书种类")?),
        "av" if value == "required" => Condition::Av,
        "av" => return Err((K::BadRequirement, "av 只能写成「av: required」".to_string())),
        "officers" => match value.parse::<u32>() {
            Ok(n) if (1..=20).contains(&n) => Condition::Officers(n),
            _ => return Err((K::BadRequirement, format!("执法人员人数「{value}」应为 1 到 20 之间的整数"))),
        },
        "approval" => match Role::parse(value) {
            Some(role) => Condition::Approval(role),
            None => return Err((K::UnknownRole, format!("未知的角色「{value}」"))),
        },
        "review" if value == "passed" => Condition::ReviewPassed,
        "review" => return Err((K::BadRequirement, "review 只能写成「review: passed」".to_string())),
        "period_elapsed" => Condition::PeriodElapsed(check(&known.limits, K::UnknownLimit, "时限")?),
        "within" => Condition::Within(check(&known.limits, K::UnknownLimit, "时限")?),
        "done" => Condition::Done(check(&known.actions, K::UnknownAction, "步骤")?),
        "not_after" => Condition::NotAfter(check(&known.actions, K::UnknownAction, "步骤")?),
        "flag" => Condition::Flag(check(&known.flags, K::UnknownFlag, "标记")?),
        "visited" => Condition::Visited(check(&known.stages, K::UnknownStage, "阶段")?),
        other => return Err((K::BadRequirement, format!("未知的前置条件种类「{other}」（可用：{CLAUSES}）"))),
    })
}

/// Reachability, terminal stages with exits, dead ends, and stages with no path to an end.
fn check_graph(
    cx: &mut Cx,
    stages: &[Stage],
    stage_pos: &BTreeMap<String, Pos>,
    actions: &[Action],
    action_pos: &[(Froms, Pos)],
    initial: Option<&str>,
) {
    let terminal: BTreeSet<&str> = stages.iter().filter(|s| s.terminal).map(|s| s.code.as_str()).collect();
    if terminal.is_empty() && !stages.is_empty() {
        cx.err((0, 0), K::MissingField, "流程定义没有终结阶段（terminal = true）".to_string());
    }
    // Edges between different stages.
    let edges: Vec<(&str, &str)> = actions
        .iter()
        .flat_map(|a| a.from.iter().filter(|f| a.leaves(f)).map(move |f| (f.as_str(), a.to.as_deref().unwrap_or(""))))
        .collect();
    let search = |starts: Vec<&str>, forward: bool| -> BTreeSet<String> {
        let mut seen: BTreeSet<String> = starts.iter().map(|s| s.to_string()).collect();
        let mut queue: VecDeque<String> = seen.iter().cloned().collect();
        while let Some(s) = queue.pop_front() {
            for &(a, b) in &edges {
                let (here, next) = if forward { (a, b) } else { (b, a) };
                if here == s && seen.insert(next.to_string()) {
                    queue.push_back(next.to_string());
                }
            }
        }
        seen
    };
    if let Some(initial) = initial {
        let reachable = search(vec![initial], true);
        for s in stages.iter().filter(|s| !reachable.contains(&s.code)) {
            cx.err(stage_pos[&s.code], K::UnreachableStage, format!("阶段「{}」从起始阶段无法到达", s.label));
        }
    }
    for (a, (froms, _)) in actions.iter().zip(action_pos) {
        for (f, pos) in froms.iter().filter(|(f, _)| terminal.contains(f.as_str())) {
            let label = stages.iter().find(|s| &s.code == f).map_or(f.as_str(), |s| s.label.as_str());
            cx.err(
                *pos,
                K::TerminalWithExit,
                format!("终结阶段「{label}」不能再有后续步骤，但步骤「{}」从这里出发", a.code),
            );
        }
    }
    let to_end = search(terminal.iter().copied().collect(), false);
    for s in stages.iter().filter(|s| !s.terminal) {
        if !edges.iter().any(|&(a, _)| a == s.code) {
            cx.err(stage_pos[&s.code], K::NoWayOut, format!("非终结阶段「{}」没有通往其他阶段的步骤", s.label));
        } else if !terminal.is_empty() && !to_end.contains(&s.code) {
            cx.err(stage_pos[&s.code], K::NoPathToEnd, format!("从阶段「{}」无法到达任何终结阶段", s.label));
        }
    }
}
