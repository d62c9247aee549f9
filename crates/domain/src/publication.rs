//! Publication of decisions (PUB-4..7, PUB-9): the per-agency policy, due dates on the
//! working-day calendar (CAL-1), the redacted publication built from a decided case
//! (PUB-5), the 双公示 open-data field set (PUB-9), withdrawal and expiry (PUB-6), and
//! complaints taken from the portal (CMP-1). Pure: no IO, no clock reads.
//!
//! ## Who is masked (PUB-5)
//! Every natural person known from the case is masked everywhere in the published text:
//! the party when a citizen, the legal representative of an organisation, and the persons
//! the officer names on the case (witnesses, family …). **One exception:** the 双公示 field
//! `cf_frdb` (法定代表人) carries the legal representative's name unmasked, because the
//! national field set publishes it for legal persons (it is part of the legal person's
//! public registration); the same name is masked in the decision text and everywhere else.
//! A citizen party's ID number appears only masked (first and last character) in
//! `cf_xdr_zjhm`. Legal persons' names and credit codes are shown whole.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{CaseFile, StepRecord};
use crate::codes::CreditCode;
use crate::item::{ItemKind, ItemVersion};
use crate::money::yuan;
use crate::penalty::{DecidedPenalty, PartyKind};
use crate::redact::{KnownPerson, PersonRole, Redactor, mask_name};
use crate::registry::Agency;
use crate::violation::{Violation, check_text};

/// An agency's publication policy (PUB-4, PUB-6). Defaults follow GO-118 and SAMR Order 45.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicationPolicy {
    /// PUB-4: working days to publish licensing and penalty decisions (7).
    pub penalty_licensing_days: u32,
    /// PUB-4: working days for other decisions (20).
    pub other_days: u32,
    /// PUB-6: the short publication period in months (3), for 通报批评, a warning, or a
    /// fine of at most `low_fine_fen`.
    pub short_period_months: u32,
    /// PUB-6: what counts as a low fine, in fen (default ¥10,000).
    pub low_fine_fen: i64,
    /// PUB-6: the publication period otherwise, in years (3).
    pub long_period_years: u32,
    /// PUB-6: working days to withdraw once a ground arose (3).
    pub withdraw_days: u32,
    /// Staff are warned this many working days before a publication is due (2).
    pub warn_days: u32,
}

impl Default for PublicationPolicy {
    fn default() -> Self {
        PublicationPolicy {
            penalty_licensing_days: 7,
            other_days: 20,
            short_period_months: 3,
            low_fine_fen: 1_000_000,
            long_period_years: 3,
            withdraw_days: 3,
            warn_days: 2,
        }
    }
}

impl PublicationPolicy {
    pub fn validate(&self) -> Result<(), Violation> {
        if self.penalty_licensing_days == 0 || self.penalty_licensing_days > 20 || self.other_days == 0 {
            return Err(Violation::new("PUB-4", "公示时限须为 1 至 20 个工作日").at("penalty_licensing_days"));
        }
        if self.other_days > 60 || self.withdraw_days == 0 || self.withdraw_days > 3 {
            return Err(Violation::new("PUB-6", "撤下时限不得超过 3 个工作日，其他决定公示时限不得超过 60 个工作日"));
        }
        if self.short_period_months == 0 || self.long_period_years == 0 || self.low_fine_fen < 0 {
            return Err(Violation::new("PUB-6", "公示期须为正数"));
        }
        Ok(())
    }

    /// PUB-4: the working days allowed for a decision of this kind.
    pub fn days_for(&self, kind: ItemKind) -> u32 {
        match kind {
            ItemKind::Penalty | ItemKind::Licensing => self.penalty_licensing_days,
            _ => self.other_days,
        }
    }

    /// PUB-6: when the publication period of a decision made on `decided` ends.
    pub fn period_end(&self, decided: Date, penalties: &[DecidedPenalty]) -> Date {
        let fine: i64 = penalties
            .iter()
            .map(|p| match p {
                DecidedPenalty::Fine { fen } => *fen,
                _ => 0,
            })
            .sum();
        let light = penalties.iter().all(|p| {
            matches!(p, DecidedPenalty::Warning | DecidedPenalty::NoticeOfCriticism | DecidedPenalty::Fine { .. })
        }) && fine <= self.low_fine_fen;
        let span = if light {
            jiff::Span::new().months(i64::from(self.short_period_months))
        } else {
            jiff::Span::new().years(i64::from(self.long_period_years))
        };
        decided.checked_add(span).unwrap_or(Date::MAX)
    }
}

/// The party as published (PUB-5): a citizen's name masked, a legal person's name and credit
/// code whole.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedParty {
    pub kind: PartyKind,
    pub name: String,
    /// An organisation's unified social credit code.
    #[serde(default)]
    pub credit_code: Option<String>,
    /// A citizen's ID number, masked (first and last character only).
    #[serde(default)]
    pub id_masked: Option<String>,
    /// An organisation's legal representative (shown in `cf_frdb` only; see the module docs).
    #[serde(default)]
    pub legal_rep: Option<String>,
}

/// A published decision (PUB-4): everything in it is already redacted (PUB-5).
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The publication's ID: the case number (one publication per decided case).
    pub id: String,
    pub case: String,
    /// The record of the decision.
    pub decision_seq: i64,
    pub kind: ItemKind,
    /// The procedure's code (`general_penalty`, `simple_penalty` …).
    pub procedure: String,
    pub agency: CreditCode,
    pub agency_name: String,
    /// The enforcement domain (label).
    pub domain: String,
    pub item: String,
    pub item_name: String,
    pub decided_on: Date,
    /// PUB-4: the due date on the working-day calendar (CAL-1).
    pub due: Date,
    /// CAL-1: the due date reaches into a year the calendar does not cover.
    #[serde(default)]
    pub due_provisional: bool,
    /// PUB-6: the last day of the publication period.
    pub until: Date,
    pub party: PublishedParty,
    /// 案由, redacted.
    pub title: String,
    /// The outcome in one line (决定内容).
    pub conclusion: String,
    #[serde(default)]
    pub penalties: Vec<DecidedPenalty>,
    #[serde(default)]
    pub fine_fen: i64,
    #[serde(default)]
    pub confiscated_fen: i64,
    /// The legal basis (处罚依据).
    pub basis: String,
    /// The facts found (违法事实), redacted.
    pub facts: String,
    /// The decision text, redacted (for general-procedure penalties the full text, PUB-4).
    pub text: String,
}

/// What [`build`] needs of a decided case.
pub struct DecisionInput<'a> {
    pub case: &'a CaseFile,
    /// The case's steps; `decision` indexes the decision among them.
    pub steps: &'a [StepRecord],
    pub decision: usize,
    /// The decision action's label (作出行政处罚决定 …).
    pub action_label: &'a str,
    pub agency: &'a Agency,
    pub item: &'a ItemVersion,
    /// Further natural persons named on the case (witnesses, family …).
    pub persons: &'a [KnownPerson],
    pub calendar: &'a Calendar,
    pub policy: &'a PublicationPolicy,
}

/// A citizen's ID number as published (PUB-5): the first and last character only.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 | 2 => "*".repeat(chars.len()),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// The natural persons of a case (PUB-5): the citizen party, the legal representative, and
/// the persons listed by the officer.
pub fn persons_of(case: &CaseFile, extra: &[KnownPerson]) -> Vec<KnownPerson> {
    let mut out = Vec::new();
    if case.party.kind == PartyKind::Person {
        out.push(KnownPerson::new(case.party.name.clone(), PersonRole::Party));
    }
    if let Some(r) = &case.party.legal_rep {
        out.push(KnownPerson::new(r.clone(), PersonRole::LegalRepresentative));
    }
    out.extend(extra.iter().cloned());
    out
}

fn penalty_text(p: &DecidedPenalty) -> String {
    match p {
        DecidedPenalty::Fine { fen } => format!("罚款 {} 元", yuan(*fen)),
        DecidedPenalty::ConfiscateIllegalGains { fen } | DecidedPenalty::ConfiscateProperty { fen } => {
            format!("{} {} 元", p.label(), yuan(*fen))
        }
        DecidedPenalty::Detention { days } => format!("行政拘留 {days} 日"),
        other => other.label().to_string(),
    }
}

/// PUB-4, PUB-5: the redacted publication of a decided case.
pub fn build(input: &DecisionInput<'_>) -> Publication {
    let case = input.case;
    let decision = &input.steps[input.decision];
    let persons = persons_of(case, input.persons);
    let keep: Vec<String> = match case.party.kind {
        PartyKind::Organisation => vec![case.party.name.clone(), input.agency.name.clone()],
        PartyKind::Person => vec![input.agency.name.clone()],
    };
    let redactor = Redactor::new(&persons, &keep);
    let r = |s: &str| redactor.redact(s).text;

    let decided_on = crate::procedure::china_date(decision.step.occurred_at.unwrap_or(decision.at));
    let kind = input.item.kind;
    let due = input.calendar.add_working_days(decided_on, input.policy.days_for(kind));
    let penalties = decision.step.penalties.clone();
    let until = input.policy.period_end(decided_on, &penalties);
    // The draft submitted for review/approval, if any: facts and basis of the decision.
    let draft = input.steps[..=input.decision].iter().rev().find_map(|s| s.step.draft.as_ref());
    let facts = draft.map(|d| d.facts.clone()).filter(|f| !f.trim().is_empty()).unwrap_or_else(|| case.summary.clone());
    let basis = match draft.map(|d| d.basis.clone()).filter(|b| !b.trim().is_empty()) {
        Some(b) => b,
        None => input.item.basis.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("；"),
    };
    let fine_fen = penalties
        .iter()
        .map(|p| match p {
            DecidedPenalty::Fine { fen } => *fen,
            _ => 0,
        })
        .sum();
    let confiscated_fen = penalties
        .iter()
        .map(|p| match p {
            DecidedPenalty::ConfiscateIllegalGains { fen } | DecidedPenalty::ConfiscateProperty { fen } => *fen,
            _ => 0,
        })
        .sum();
    let conclusion = if penalties.is_empty() {
        input.action_label.to_string()
    } else {
        format!("{}：{}", input.action_label, penalties.iter().map(penalty_text).collect::<Vec<_>>().join("，"))
    };
    let party = match case.party.kind {
        PartyKind::Person => PublishedParty {
            kind: PartyKind::Person,
            name: mask_name(&case.party.name),
            credit_code: None,
            id_masked: case.party.id_number.as_deref().map(mask_id),
            legal_rep: None,
        },
        PartyKind::Organisation => PublishedParty {
            kind: PartyKind::Organisation,
            name: case.party.name.clone(),
            credit_code: case.party.id_number.clone(),
            id_masked: None,
            legal_rep: case.party.legal_rep.clone(),
        },
    };
    let general = case.procedure.code == "general_penalty";
    let mut text = String::new();
    if general {
        // PUB-4: the full text of a general-procedure penalty decision (CASE-6's parts).
        text.push_str(&format!("当事人：{}\n", party.name));
        if let Some(c) = &party.credit_code {
            text.push_str(&format!("统一社会信用代码：{c}\n"));
        }
        text.push_str(&format!("案由：{}\n", case.summary));
        text.push_str(&format!("违法事实：{facts}\n"));
        text.push_str(&format!("处罚依据：{basis}\n"));
        if let Some(d) = draft.filter(|d| !d.reasons.trim().is_empty()) {
            text.push_str(&format!("裁量理由：{}\n", d.reasons));
        }
        text.push_str(&format!("处罚决定：{conclusion}\n"));
        text.push_str(
            "当事人如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。\n",
        );
    } else {
        text.push_str(&format!("案由：{}\n决定：{conclusion}\n", case.summary));
    }
    if !decision.step.text.trim().is_empty() {
        text.push_str(&decision.step.text);
        text.push('\n');
    }
    text.push_str(&format!("{}\n{}", input.agency.name, decided_on.strftime("%Y年%m月%d日")));

    Publication {
        id: case.number.clone(),
        case: case.number.clone(),
        decision_seq: decision.seq,
        kind,
        procedure: case.procedure.code.clone(),
        agency: case.agency.clone(),
        agency_name: input.agency.name.clone(),
        domain: input.item.domain.label().to_string(),
        item: input.item.code.clone(),
        item_name: input.item.name.clone(),
        decided_on,
        due: due.date,
        due_provisional: due.provisional,
        until,
        party,
        title: r(&case.summary),
        conclusion: r(&conclusion),
        penalties,
        fine_fen,
        confiscated_fen,
        basis: r(&basis),
        facts: r(&facts),
        text: r(&text),
    }
}

/// PUB-5: refuses a publication that carries personal data of the case unmasked: a natural
/// person's full name, a citizen's ID number, phone or full address (anywhere), or the legal
/// representative's name outside `cf_frdb`.
pub fn check_no_leak(p: &Publication, case: &CaseFile, persons: &[KnownPerson]) -> Result<(), Violation> {
    let mut rest = p.clone();
    rest.party.legal_rep = None;
    let mut json = serde_json::to_string(&rest).unwrap_or_default();
    // Legal persons' names are shown whole even where a person's name is part of them.
    if case.party.kind == PartyKind::Organisation {
        json = json.replace(case.party.name.trim(), "");
    }
    json = json.replace(p.agency_name.trim(), "");
    let mut secrets: Vec<(&str, &str)> = Vec::new();
    let people = persons_of(case, persons);
    for person in &people {
        if person.name.trim().chars().count() >= 2 {
            secrets.push((person.name.trim(), "自然人姓名"));
        }
    }
    if case.party.kind == PartyKind::Person {
        if let Some(id) = &case.party.id_number {
            secrets.push((id.as_str(), "身份证号码"));
        }
        if let Some(a) = case.party.address.as_deref().filter(|a| a.chars().count() >= 6) {
            secrets.push((a, "住址"));
        }
    }
    if let Some(ph) = case.party.phone.as_deref().filter(|p| p.len() >= 7) {
        secrets.push((ph, "电话号码"));
    }
    for (s, what) in secrets {
        if json.contains(s) {
            return Err(Violation::new("PUB-5", format!("公示内容含有未脱敏的{what}，不得公示")).at("publication"));
        }
    }
    Ok(())
}

str_enum!(
    /// PUB-6: why a published decision is withdrawn.
    WithdrawalGround {
        Changed = "changed" / "决定被变更",
        Revoked = "revoked" / "决定被撤销",
        ConfirmedIllegal = "confirmed_illegal" / "决定被确认违法",
        Void = "void" / "决定被确认无效",
    }
);

/// Where a publication stands, as far as the checks need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicationState {
    pub withdrawn: bool,
    pub expired: bool,
    pub until: Date,
}

/// PUB-4: a decision is published once.
pub fn check_publish(existing: Option<PublicationState>, p: &Publication) -> Result<(), Violation> {
    if existing.is_some() {
        return Err(Violation::new("PUB-4", format!("案件 {} 的决定已公示，不得重复公示", p.case)).at("id"));
    }
    if p.id.trim().is_empty() || p.until < p.decided_on {
        return Err(Violation::new("PUB-4", "公示编号或公示期无效").at("id"));
    }
    Ok(())
}

/// PUB-6: only a published, current item can be withdrawn, with a reason; the ground
/// cannot arise in the future.
pub fn check_withdraw(
    state: Option<PublicationState>,
    id: &str,
    reason: &str,
    arose_on: Date,
    today: Date,
) -> Result<(), Violation> {
    check_text("reason", reason, 500, true).map_err(|mut v| {
        v.rule = "PUB-6";
        v
    })?;
    match state {
        None => Err(Violation::new("PUB-6", format!("公示 {id} 不存在")).at("id")),
        Some(s) if s.withdrawn => Err(Violation::new("PUB-6", format!("公示 {id} 已撤下")).at("id")),
        Some(s) if s.expired => Err(Violation::new("PUB-6", format!("公示 {id} 的公示期已届满")).at("id")),
        Some(_) if arose_on > today => Err(Violation::new("PUB-6", "撤下事由的发生日期不能晚于今天").at("arose_on")),
        Some(_) => Ok(()),
    }
}

/// PUB-6: an item leaves the portal when its period has ended.
pub fn check_expire(state: Option<PublicationState>, id: &str, today: Date) -> Result<(), Violation> {
    match state {
        None => Err(Violation::new("PUB-6", format!("公示 {id} 不存在")).at("id")),
        Some(s) if s.withdrawn || s.expired => Err(Violation::new("PUB-6", format!("公示 {id} 已不在公示中")).at("id")),
        Some(s) if s.until >= today => {
            Err(Violation::new("PUB-6", format!("公示 {id} 的公示期至 {} 才届满", s.until)).at("id"))
        }
        Some(_) => Ok(()),
    }
}

/// PUB-6: the last day a withdrawal is on time.
pub fn withdrawal_due(calendar: &Calendar, arose_on: Date, policy: &PublicationPolicy) -> Date {
    calendar.add_working_days(arose_on, policy.withdraw_days).date
}

/// CMP-1: a complaint or report taken from the portal. The contact is never shown publicly.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// Random, unguessable (12 characters of RFC 4648 base32).
    pub tracking: String,
    /// The agency complained about / to, if the complainant chose one.
    #[serde(default)]
    pub agency: Option<CreditCode>,
    /// What happened.
    pub what: String,
    /// Optional contact (name, phone, e-mail): private.
    #[serde(default)]
    pub contact: Option<String>,
}

impl Complaint {
    pub fn validate(&self) -> Result<(), Violation> {
        let cmp = |mut v: Violation| {
            v.rule = "CMP-1";
            v
        };
        if self.tracking.len() != 12 || !self.tracking.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7')) {
            return Err(Violation::new("CMP-1", "受理编号格式无效").at("tracking"));
        }
        if self.what.trim().chars().count() < 10 {
            return Err(Violation::new("CMP-1", "请至少用 10 个字描述发生了什么").at("what"));
        }
        check_text("what", &self.what, 2000, true).map_err(cmp)?;
        if let Some(c) = &self.contact {
            check_text("contact", c, 100, false).map_err(cmp)?;
        }
        Ok(())
    }
}

/// PUB-9: one published decision in the national 双公示 administrative-penalty field set
/// (names exactly as DOMAIN.md lists them). Dates are `YYYY/MM/DD`, amounts in 万元.
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenRecord {
    pub cf_xdr_mc: String,
    pub cf_xdr_lb: String,
    pub cf_xdr_shxym: String,
    pub cf_xdr_gszc: String,
    pub cf_xdr_zzjg: String,
    pub cf_xdr_swdj: String,
    pub cf_xdr_sydw: String,
    pub cf_xdr_shzz: String,
    pub cf_frdb: String,
    pub cf_fr_zjlx: String,
    pub cf_fr_zjhm: String,
    pub cf_xdr_zjlx: String,
    pub cf_xdr_zjhm: String,
    pub cf_wsh: String,
    pub cf_wfxw: String,
    pub cf_sy: String,
    pub cf_yj: String,
    pub cf_cflb: String,
    pub cf_nr: String,
    pub cf_nr_fk: String,
    pub cf_nr_wfff: String,
    pub cf_nr_zkdx: String,
    pub cf_jdrq: String,
    pub cf_yxq: String,
    pub cf_gsjzq: String,
    pub cf_cfjg: String,
    pub cf_cfjgdm: String,
    pub cf_sjly: String,
    pub cf_sjlydm: String,
    pub bz: String,
}

/// The PUB-9 field names, in the order of DOMAIN.md (CSV column order).
pub const OPEN_FIELDS: [&str; 30] = [
    "cf_xdr_mc",
    "cf_xdr_lb",
    "cf_xdr_shxym",
    "cf_xdr_gszc",
    "cf_xdr_zzjg",
    "cf_xdr_swdj",
    "cf_xdr_sydw",
    "cf_xdr_shzz",
    "cf_frdb",
    "cf_fr_zjlx",
    "cf_fr_zjhm",
    "cf_xdr_zjlx",
    "cf_xdr_zjhm",
    "cf_wsh",
    "cf_wfxw",
    "cf_sy",
    "cf_yj",
    "cf_cflb",
    "cf_nr",
    "cf_nr_fk",
    "cf_nr_wfff",
    "cf_nr_zkdx",
    "cf_jdrq",
    "cf_yxq",
    "cf_gsjzq",
    "cf_cfjg",
    "cf_cfjgdm",
    "cf_sjly",
    "cf_sjlydm",
    "bz",
];

/// Fen as 万元 with up to six decimals (`123400` fen → `0.1234`).
pub fn wan_yuan(fen: i64) -> String {
    if fen == 0 {
        return String::new();
    }
    let whole = fen / 1_000_000;
    let frac = fen % 1_000_000;
    if frac == 0 { whole.to_string() } else { format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0')) }
}

fn slash_date(d: Date) -> String {
    d.strftime("%Y/%m/%d").to_string()
}

impl OpenRecord {
    /// PUB-9: the 双公示 fields of a publication (already redacted; PUB-5).
    pub fn of(p: &Publication) -> OpenRecord {
        let person = p.party.kind == PartyKind::Person;
        let cflb: Vec<&str> = p.penalties.iter().map(|x| x.label()).collect();
        let zkdx: Vec<&str> = p
            .penalties
            .iter()
            .filter(|x| matches!(x, DecidedPenalty::RevokeLicence | DecidedPenalty::SuspendBusiness))
            .map(|x| x.label())
            .collect();
        OpenRecord {
            cf_xdr_mc: p.party.name.clone(),
            cf_xdr_lb: if person { "自然人".into() } else { "法人及非法人组织".into() },
            cf_xdr_shxym: p.party.credit_code.clone().unwrap_or_default(),
            cf_xdr_gszc: String::new(),
            cf_xdr_zzjg: String::new(),
            cf_xdr_swdj: String::new(),
            cf_xdr_sydw: String::new(),
            cf_xdr_shzz: String::new(),
            cf_frdb: p.party.legal_rep.clone().unwrap_or_default(),
            cf_fr_zjlx: String::new(),
            cf_fr_zjhm: String::new(),
            cf_xdr_zjlx: if person && p.party.id_masked.is_some() { "身份证".into() } else { String::new() },
            cf_xdr_zjhm: p.party.id_masked.clone().unwrap_or_default(),
            cf_wsh: p.case.clone(),
            cf_wfxw: p.title.clone(),
            cf_sy: p.facts.clone(),
            cf_yj: p.basis.clone(),
            cf_cflb: if cflb.is_empty() { p.kind.label().to_string() } else { cflb.join(";") },
            cf_nr: p.conclusion.clone(),
            cf_nr_fk: wan_yuan(p.fine_fen),
            cf_nr_wfff: wan_yuan(p.confiscated_fen),
            cf_nr_zkdx: zkdx.join(";"),
            cf_jdrq: slash_date(p.decided_on),
            cf_yxq: slash_date(p.until),
            cf_gsjzq: slash_date(p.until),
            cf_cfjg: p.agency_name.clone(),
            cf_cfjgdm: p.agency.to_string(),
            cf_sjly: p.agency_name.clone(),
            cf_sjlydm: p.agency.to_string(),
            bz: format!("公示编号 {}", p.id),
        }
    }

    /// The values in [`OPEN_FIELDS`] order.
    pub fn values(&self) -> [&str; 30] {
        [
            &self.cf_xdr_mc,
            &self.cf_xdr_lb,
            &self.cf_xdr_shxym,
            &self.cf_xdr_gszc,
            &self.cf_xdr_zzjg,
            &self.cf_xdr_swdj,
            &self.cf_xdr_sydw,
            &self.cf_xdr_shzz,
            &self.cf_frdb,
            &self.cf_fr_zjlx,
            &self.cf_fr_zjhm,
            &self.cf_xdr_zjlx,
            &self.cf_xdr_zjhm,
            &self.cf_wsh,
            &self.cf_wfxw,
            &self.cf_sy,
            &self.cf_yj,
            &self.cf_cflb,
            &self.cf_nr,
            &self.cf_nr_fk,
            &self.cf_nr_wfff,
            &self.cf_nr_zkdx,
            &self.cf_jdrq,
            &self.cf_yxq,
            &self.cf_gsjzq,
            &self.cf_cfjg,
            &self.cf_cfjgdm,
            &self.cf_sjly,
            &self.cf_sjlydm,
            &self.bz,
        ]
    }
}

#[cfg(test)]
mod tests;
