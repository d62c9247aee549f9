//! The mapping from a case's records to the JSON each kind's template takes (see
//! `crates/render/templates/README.md`). Pure: everything it needs comes in [`Sources`]
//! and [`Issue`]. Fields the records do not hold (a subject's gender, the storage
//! method…) print `（未登记）` rather than inventing content.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};
use zhifa_domain::case::{CaseFile, Evidence, StepRecord};
use zhifa_domain::citation::BasisRole;
use zhifa_domain::document::{self, DocumentKind, DocumentSettings, IssuedDocument};
use zhifa_domain::item::ItemVersion;
use zhifa_domain::money::yuan;
use zhifa_domain::penalty::{DecidedPenalty, PartyKind};
use zhifa_domain::procedure::{ProcedureDefinition, china_date};
use zhifa_domain::registry::Agency;

const UNKNOWN: &str = "（未登记）";

/// A person named on a record: name and enforcement certificate number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub cert_no: String,
}

/// Everything a document is made from.
pub struct Sources<'a> {
    pub case: &'a CaseFile,
    pub agency: &'a Agency,
    pub item: Option<&'a ItemVersion>,
    pub def: &'a ProcedureDefinition,
    pub steps: &'a [StepRecord],
    pub evidence: &'a [Evidence],
    /// By staff number.
    pub staff: &'a BTreeMap<String, Person>,
    /// Display names by login.
    pub accounts: &'a BTreeMap<String, String>,
    /// The staff number of the officer who opened the case (the handler when no step names
    /// officers yet).
    pub opener: Option<&'a str>,
    pub settings: &'a DocumentSettings,
    /// Documents issued before this one.
    pub issued: &'a [IssuedDocument],
}

/// What is being issued: the kind, the step it records, its number, date and code.
pub struct Issue<'a> {
    pub kind: &'a DocumentKind,
    pub step: &'a StepRecord,
    pub number: Option<&'a str>,
    pub date: Date,
    /// `(url, code)` for the QR code and the printed short code.
    pub verify: Option<(&'a str, &'a str)>,
}

/// 2026-03-02 10:00, China Standard Time.
pub(crate) fn cn_time(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M").to_string()
}

/// 2026年3月2日.
fn cn_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 案由 without 涉嫌 (the template adds what it needs).
fn cause(case: &CaseFile) -> String {
    case.summary.trim().trim_start_matches("涉嫌").to_string()
}

/// Ends a sentence with 。 unless it already ends with punctuation.
fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['。', '！', '；', '.', '!']) { s.to_string() } else { format!("{s}。") }
}

fn or_unknown(s: Option<&str>) -> String {
    s.filter(|s| !s.trim().is_empty()).unwrap_or(UNKNOWN).to_string()
}

/// One penalty, as a decision prints it.
pub fn penalty_line(p: &DecidedPenalty) -> String {
    match p {
        DecidedPenalty::Fine { fen } => format!("罚款人民币{}元", yuan(*fen)),
        DecidedPenalty::ConfiscateIllegalGains { fen } => format!("没收违法所得人民币{}元", yuan(*fen)),
        DecidedPenalty::ConfiscateProperty { fen } => format!("没收非法财物（价值人民币{}元）", yuan(*fen)),
        DecidedPenalty::Detention { days } => format!("行政拘留{days}日"),
        other => other.label().to_string(),
    }
}

fn money_total(ps: &[DecidedPenalty]) -> i64 {
    ps.iter()
        .map(|p| match p {
            DecidedPenalty::Fine { fen } | DecidedPenalty::ConfiscateIllegalGains { fen } => *fen,
            _ => 0,
        })
        .sum()
}

impl Sources<'_> {
    fn last(&self, actions: &[&str]) -> Option<&StepRecord> {
        self.steps.iter().rev().find(|s| actions.contains(&s.step.action.as_str()))
    }
    fn first(&self, actions: &[&str]) -> Option<&StepRecord> {
        self.steps.iter().find(|s| actions.contains(&s.step.action.as_str()))
    }
    fn login_name(&self, login: &str) -> String {
        self.accounts.get(login).cloned().unwrap_or_else(|| login.to_string())
    }
    fn staff_name(&self, staff_no: &str) -> String {
        self.staff.get(staff_no).map(|p| p.name.clone()).unwrap_or_else(|| staff_no.to_string())
    }
    /// STAFF-4: the step's officers, completed from the case's other steps to at least two.
    fn officers(&self, step: &StepRecord) -> Vec<Value> {
        let mut nos: Vec<&str> = step.step.officers.iter().map(String::as_str).collect();
        if let Some(o) = self.opener.filter(|_| nos.is_empty()) {
            nos.push(o);
        }
        for s in self.steps {
            for o in &s.step.officers {
                if nos.len() >= 2 {
                    break;
                }
                if !nos.contains(&o.as_str()) {
                    nos.push(o);
                }
            }
        }
        nos.iter()
            .map(|n| {
                let p = self.staff.get(*n).cloned().unwrap_or(Person { name: n.to_string(), cert_no: UNKNOWN.into() });
                json!({"name": p.name, "cert_no": if p.cert_no.is_empty() { UNKNOWN.to_string() } else { p.cert_no }})
            })
            .collect()
    }
    fn officer_names(&self, step: &StepRecord) -> Vec<String> {
        self.officers(step).iter().filter_map(|o| o["name"].as_str().map(str::to_string)).collect()
    }
    fn party(&self) -> Value {
        let p = &self.case.party;
        match p.kind {
            PartyKind::Organisation => json!({
                "kind": "company",
                "name": p.name,
                "credit_code": or_unknown(p.id_number.as_deref()),
                "address": or_unknown(p.address.as_deref()),
                "legal_rep": or_unknown(p.legal_rep.as_deref()),
                "phone": p.phone,
            }),
            PartyKind::Person => json!({
                "kind": "person",
                "name": p.name,
                "id_number": or_unknown(p.id_number.as_deref()),
                "address": or_unknown(p.address.as_deref()),
                "phone": p.phone,
            }),
        }
    }
    /// ITEM-2: the item's basis of a role, cited to article, paragraph and item.
    fn basis(&self, role: BasisRole) -> Vec<String> {
        let v: Vec<String> = self
            .item
            .map(|i| i.basis.iter().filter(|c| c.role == role).map(|c| c.provision().to_chinese()).collect())
            .unwrap_or_default();
        if v.is_empty() {
            vec![format!("（权责清单事项{}未列明{}）", self.case.item, role.label())]
        } else {
            v
        }
    }
    fn filed_on(&self) -> String {
        self.first(&["file"])
            .map(|s| china_date(s.at))
            .unwrap_or_else(|| self.steps.first().map_or(Date::ZERO, |s| china_date(s.at)))
            .to_string()
    }
    /// The draft decision submitted for review, if any (REV-5).
    fn draft(&self) -> Option<&zhifa_domain::review::Draft> {
        self.steps.iter().rev().find_map(|s| s.step.draft.as_ref())
    }
    fn penalties(&self, prefer: &[&str]) -> Vec<DecidedPenalty> {
        self.last(prefer)
            .filter(|s| !s.step.penalties.is_empty())
            .map(|s| s.step.penalties.clone())
            .or_else(|| self.draft().map(|d| d.penalties.clone()))
            .unwrap_or_default()
    }
    fn reconsideration(&self) -> String {
        self.settings.reconsideration.clone().unwrap_or_else(|| {
            let region = zhifa_domain::regions::lookup(&self.agency.region).map(|r| r.name.clone()).unwrap_or_default();
            format!("{region}人民政府")
        })
    }
    fn court(&self) -> String {
        self.settings.court.clone().unwrap_or_else(|| {
            let region = zhifa_domain::regions::lookup(&self.agency.region).map(|r| r.name.clone()).unwrap_or_default();
            format!("{region}人民法院")
        })
    }
    fn evidence_list(&self) -> Vec<Value> {
        let mut v: Vec<Value> = self
            .evidence
            .iter()
            .map(|e| {
                let name = if e.file_name.is_empty() {
                    format!("证据材料（{}）", &e.sha256[..12])
                } else {
                    e.file_name.clone()
                };
                json!({"name": name, "proves": e.proves})
            })
            .collect();
        for s in self.steps {
            let title = match s.step.action.as_str() {
                "inspect_site" | "inspect" => Some("现场检查笔录"),
                "inquire" | "inquiry" => Some("询问笔录"),
                _ => None,
            };
            if let Some(t) = title {
                v.push(json!({"name": format!("{}《{t}》", cn_date(china_date(s.at))), "proves": "案件事实"}));
            }
        }
        if v.is_empty() {
            v.push(json!({"name": "本案调查取得的证据材料", "proves": "案件事实"}));
        }
        v
    }
    fn head_opinion(&self, step: &StepRecord, opinion: &str) -> Value {
        json!({"opinion": opinion, "signer": self.login_name(&step.step.by), "date": china_date(step.at).to_string()})
    }
    fn text_or(&self, step: &StepRecord, default: &str) -> String {
        if step.step.text.trim().is_empty() { default.to_string() } else { step.step.text.clone() }
    }
}

/// The JSON a kind's template takes (see `crates/render/templates/README.md`), made from the
/// case's records. CASE-6: the decision carries the party, facts and evidence, the penalty
/// and its basis cited to article/paragraph/item (ITEM-2), the discretion reasons, payment,
/// the reconsideration and lawsuit routes with their time limits, the agency, date and seal.
pub fn document_data(src: &Sources, is: &Issue) -> Value {
    let case = src.case;
    let step = is.step;
    let date = is.date.to_string();
    let mut v = json!({
        "agency": {"name": src.agency.name, "address": src.agency.address, "phone": src.agency.phone},
        "date": date,
        "party": src.party(),
        "case": {"number": case.number, "cause": cause(case), "filed_on": src.filed_on()},
        "seal": {"name": src.agency.name},
    });
    if let Some(n) = is.number {
        v["doc_no"] = json!(n);
    }
    if let Some((url, code)) = is.verify {
        v["verify"] = json!({"url": url, "code": code});
    }
    let when = step.step.occurred_at.unwrap_or(step.at);
    let place = step.step.place.clone().unwrap_or_else(|| or_unknown(case.party.address.as_deref()));
    let officers = src.officers(step);
    let names = src.officer_names(step);
    let recorder = names.get(1).or(names.first()).cloned().unwrap_or_default();
    let extra = match is.kind.code {
        "filing_approval" => {
            let lead = src.first(&["register_lead"]);
            json!({
                "case": {"number": case.number, "cause": cause(case), "source": lead.map_or("执法检查".to_string(), |l| src.text_or(l, "执法检查")),
                         "lead_found_on": lead.map_or(date.clone(), |l| china_date(l.at).to_string())},
                "summary": src.text_or(step, &case.summary),
                "basis": {"violated": src.basis(BasisRole::Violated)},
                "officers": officers,
                "handler_opinion": {"opinion": "建议立案调查", "signer": src.login_name(&case.opened_by), "date": date},
                "approval": src.head_opinion(step, "同意立案"),
            })
        }
        "site_record" => json!({
            "site": {"start": cn_time(when), "end": cn_time(when), "place": place},
            "officers": officers,
            "recorder": recorder,
            "on_site": {"name": case.party.legal_rep.clone().unwrap_or_else(|| case.party.name.clone()),
                        "position": if case.party.kind == PartyKind::Organisation { "法定代表人" } else { "当事人" },
                        "phone": or_unknown(case.party.phone.as_deref())},
            "findings": src.text_or(step, "（检查情况见附件）"),
            "party_opinion": "（当事人未提出意见）",
        }),
        "inquiry_record" => json!({
            "start": cn_time(when), "end": cn_time(when), "place": place,
            "officers": officers, "recorder": recorder,
            "subject": {"name": case.party.legal_rep.clone().unwrap_or_else(|| case.party.name.clone()), "gender": UNKNOWN,
                        "id_number": if case.party.kind == PartyKind::Person { or_unknown(case.party.id_number.as_deref()) } else { UNKNOWN.to_string() },
                        "position": if case.party.kind == PartyKind::Organisation { "法定代表人" } else { "当事人" },
                        "address": or_unknown(case.party.address.as_deref()), "phone": or_unknown(case.party.phone.as_deref()),
                        "relation": "当事人"},
            "qa": [{"q": "请如实陈述有关情况。", "a": src.text_or(step, "（见笔录）")}],
            "pages": 1,
        }),
        "preservation_notice" => {
            let to = is.date.checked_add(jiff::Span::new().days(7)).unwrap_or(is.date);
            json!({
                "items": preserved_items(src, step),
                "storage": {"place": place, "method": "就地封存"},
                "period": {"from": date, "to": to.to_string()},
            })
        }
        "seizure_decision" => {
            let days = step.step.days.unwrap_or(30);
            let to = is.date.checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(is.date);
            let mut basis = src.basis(BasisRole::Authority);
            basis.retain(|b| !b.starts_with('（'));
            if basis.is_empty() {
                basis = src.basis(BasisRole::Penalty);
            }
            json!({
                "measure": if step.step.action.contains("seal") { "查封" } else { "扣押" },
                "facts": src.text_or(step, &case.summary),
                "basis": basis,
                "items": preserved_items(src, step),
                "place": place,
                "days": days,
                "period": {"from": date, "to": to.to_string()},
                "remedy": {"reconsideration": src.reconsideration(), "court": src.court()},
            })
        }
        "penalty_notice" => {
            let ps = src.penalties(&["notify"]);
            let draft = src.draft();
            let mut o = json!({
                "facts": draft.map_or_else(|| src.text_or(step, &case.summary), |d| d.facts.clone()),
                "evidence_summary": src.evidence_list().iter().filter_map(|e| e["name"].as_str()).collect::<Vec<_>>().join("；"),
                "basis": {"violated": src.basis(BasisRole::Violated), "penalty": src.basis(BasisRole::Penalty)},
                "violation": format!("{}的违法行为", cause(case)),
                "discretion": {"reason": draft.map(|d| d.reasons.clone()).filter(|r| !r.is_empty()).unwrap_or_else(|| "依据裁量基准，综合考虑违法行为的事实、性质、情节及社会危害程度".into())},
                "penalties": ps.iter().map(penalty_line).collect::<Vec<_>>(),
                "statement_days": 5,
            });
            if src.def.actions.iter().any(|a| a.records.iter().any(|r| *r == "hearing_request")) {
                o["hearing_right"] = json!(true);
            }
            o
        }
        "hearing_notice" => {
            let req = src.last(&["request_hearing"]).unwrap_or(step);
            let host =
                step.step.chair.as_deref().map(|c| src.staff_name(c)).unwrap_or_else(|| src.login_name(&step.step.by));
            json!({"hearing": {"requested_on": china_date(req.at).to_string(), "time": cn_time(when), "place": place,
                               "host": host, "members": names, "clerk": recorder}})
        }
        "hearing_transcript" => {
            let host =
                step.step.chair.as_deref().map(|c| src.staff_name(c)).unwrap_or_else(|| src.login_name(&step.step.by));
            json!({
                "hearing": {"start": cn_time(when), "end": cn_time(step.at.max(when)), "place": place, "host": host,
                            "members": names, "clerk": recorder},
                "officers": officers,
                "transcript": [{"speaker": "主持人", "text": src.text_or(step, "（听证记录见附件）")}],
            })
        }
        "review_opinion" => {
            let submit = src.steps.iter().rev().find(|s| s.seq < step.seq && s.step.action == "submit_review");
            json!({
                "submitted_by": submit.map_or(String::new(), |s| src.login_name(&s.step.by)),
                "submitted_on": submit.map_or(date.clone(), |s| china_date(s.at).to_string()),
                "findings": step.step.findings.iter().map(|f| json!({"item": f.item.label(), "result": if f.ok { "是" } else { "否" }, "note": f.note})).collect::<Vec<_>>(),
                "conclusion": step.step.opinion.map_or("（未给出）", |o| o.label()),
                "reasoning": src.text_or(step, "经审核，意见如上。"),
                "reviewers": [src.login_name(&step.step.by)],
            })
        }
        "discussion_record" => json!({
            "meeting": {"start": cn_time(when), "end": cn_time(when), "place": place, "chair": src.login_name(&step.step.by),
                        "attendees": [src.login_name(&step.step.by)], "clerk": recorder},
            "report": src.draft().map_or_else(|| case.summary.clone(), |d| d.facts.clone()),
            "opinions": [{"speaker": src.login_name(&step.step.by), "text": src.text_or(step, "同意承办人意见")}],
            "decision": src.text_or(step, "同意作出行政处罚决定"),
        }),
        "penalty_decision" => decision(src, step),
        "service_receipt" => {
            let docs: Vec<Value> = src
                .issued
                .iter()
                .filter(|d| document::kind(&d.kind).is_some_and(|k| k.numbered))
                .map(|d| json!({"title": document::kind(&d.kind).map_or("", |k| k.title), "doc_no": d.number}))
                .collect();
            let docs = if docs.is_empty() { vec![json!({"title": "行政处罚决定书"})] } else { docs };
            json!({
                "documents": docs,
                "service": {"place": place, "method": "直接送达", "time": cn_time(when), "servers": names,
                            "receiver": case.party.legal_rep.clone().unwrap_or_else(|| case.party.name.clone())},
            })
        }
        "closing_approval" => {
            let dec = src.issued.iter().rev().find(|d| d.kind == "penalty_decision");
            let decided = src.last(&["decide"]);
            json!({
                "decision": {"doc_no": dec.and_then(|d| d.number.clone()).unwrap_or_else(|| "—".into()),
                             "summary": src.penalties(&["decide"]).iter().map(penalty_line).collect::<Vec<_>>().join("；"),
                             "date": decided.map_or(date.clone(), |d| china_date(d.at).to_string())},
                "execution": src.last(&["record_payment", "execute", "pay"]).map_or("已依法执行完毕".to_string(), |s| src.text_or(s, "已依法执行完毕")),
                "closing_reason": src.text_or(step, "行政处罚决定已执行完毕"),
                "officers": officers,
                "handler_opinion": {"opinion": "建议结案", "signer": names.first().cloned().unwrap_or_default(), "date": date},
                "approval": src.head_opinion(step, "同意结案"),
            })
        }
        _ => json!({}),
    };
    merge(&mut v, extra);
    strip_nulls(&mut v);
    v
}

/// Absent optional fields are left out rather than `null` (the templates' `opt`).
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn preserved_items(src: &Sources, step: &StepRecord) -> Vec<Value> {
    let ev: Vec<Value> = src
        .evidence
        .iter()
        .filter(|e| step.step.evidence.contains(&e.sha256))
        .map(|e| json!({"name": if e.file_name.is_empty() { e.proves.clone() } else { e.file_name.clone() }, "quantity": "1", "note": e.proves}))
        .collect();
    if ev.is_empty() { vec![json!({"name": src.text_or(step, "涉案物品"), "quantity": "见清单"})] } else { ev }
}

/// CASE-6 (APL Art. 59): the decision.
fn decision(src: &Sources, step: &StepRecord) -> Value {
    let case = src.case;
    let ps = src.penalties(&["decide"]);
    let draft = src.draft();
    let total = money_total(&ps);
    // ITEM-4: the benchmark grade whose fine range holds the decided fine.
    let grade = src.item.and_then(|i| i.benchmark.as_ref()).and_then(|b| {
        b.grades.iter().find(|g| ps.iter().any(|p| g.penalties.iter().any(|r| p.within(r) == Some(true))))
    });
    let reason = draft
        .map(|d| sentence(&d.reasons))
        .filter(|r| !r.trim().is_empty())
        .or_else(|| grade.map(|g| format!("当事人的违法行为符合裁量基准中“{}”情形：{}", g.grade.label(), g.conditions)))
        .unwrap_or_else(|| "综合考虑违法行为的事实、性质、情节及社会危害程度".into());
    let statement = src
        .last(&["record_statement", "statement"])
        .map(|s| format!("当事人提出陈述申辩：{}。经复核，本机关已依法予以考虑。", s.step.text));
    let hearing = src.last(&["hold_hearing", "hearing"]).is_some();
    let filed = src.first(&["file"]).map_or_else(|| src.filed_on(), |s| cn_date(china_date(s.at)));
    let mut course = format!("本机关于{filed}立案调查");
    if let Some(n) = src.last(&["notify"]) {
        course.push_str(&format!(
            "，于{}向当事人告知了拟作出行政处罚的内容及事实、理由、依据和依法享有的权利",
            cn_date(china_date(n.at))
        ));
    }
    if hearing {
        course.push_str("，并依当事人申请举行了听证");
    }
    if src.steps.iter().any(|s| s.step.opinion.is_some()) {
        course.push_str("，本案经法制审核");
    }
    course.push_str("，现已调查终结。");
    let payment = src.settings.payment.clone();
    let mut v = json!({
        "procedure": course,
        "facts": draft.map_or_else(|| src.text_or(step, &case.summary), |d| d.facts.clone()),
        "evidence": src.evidence_list(),
        "violation": format!("{}的违法行为", cause(case)),
        "basis": {"violated": src.basis(BasisRole::Violated), "penalty": src.basis(BasisRole::Penalty)},
        "discretion": {
            "reason": reason,
            "benchmark": src.item.map_or_else(|| "本机关行政处罚裁量基准".to_string(), |i| format!("权责清单事项{}《{}》裁量基准", i.code, i.name)),
            "grade": grade.map_or("（未对应裁量阶次）".to_string(), |g| format!("{}违法行为", g.grade.label())),
            "outcome": "依法作出如下处罚",
        },
        "penalties": ps.iter().map(penalty_line).collect::<Vec<_>>(),
        "payment": {
            "days": 15,
            "bank": payment.as_ref().map_or(UNKNOWN.to_string(), |p| p.bank.clone()),
            "account_name": payment.as_ref().map_or(UNKNOWN.to_string(), |p| p.account_name.clone()),
            "account": payment.as_ref().map_or(UNKNOWN.to_string(), |p| p.account.clone()),
            "reference": case.number,
        },
        "remedy": {"reconsideration": src.reconsideration(), "court": src.court()},
    });
    if total > 0 {
        v["fine_total"] = json!(total as f64 / 100.0);
    }
    if let Some(s) = statement {
        v["statement"] = json!(s);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_as_everywhere_else() {
        assert_eq!(penalty_line(&DecidedPenalty::Fine { fen: 100_000_000 }), "罚款人民币1000000元");
        assert_eq!(penalty_line(&DecidedPenalty::Fine { fen: 100_050 }), "罚款人民币1000.50元");
    }

    #[test]
    fn case6_the_decision_carries_basis_discretion_and_remedies() {
        use zhifa_domain::case::Party;
        use zhifa_domain::testing::{agency, code, item};
        let ag = agency(1);
        let it = item("SCJG-CF-001", 1);
        let def = zhifa_domain::procedure::shipped()
            .into_iter()
            .find(|d| d.kind == zhifa_domain::item::ProcedureKind::GeneralPenalty)
            .unwrap();
        let party = Party {
            kind: PartyKind::Organisation,
            name: "某食品有限公司".into(),
            id_number: None,
            legal_rep: None,
            address: None,
            phone: None,
        };
        let case = CaseFile {
            number: "N1".into(),
            agency: code(1),
            item: it.code.clone(),
            item_version: 1,
            procedure: def.id(),
            party,
            summary: "涉嫌经营超过保质期的食品".into(),
            opened_by: "a1".into(),
            flags: vec![],
        };
        let at: Timestamp = "2026-03-16T02:00:00Z".parse().unwrap();
        let mk = |seq: i64, action: &str, penalties: Vec<DecidedPenalty>| StepRecord {
            seq,
            at,
            roles: vec![],
            step: serde_json::from_value(json!({"action": action, "by": "head", "penalties": penalties})).unwrap(),
            facts: Default::default(),
        };
        let steps = vec![mk(1, "file", vec![]), mk(2, "decide", vec![DecidedPenalty::Fine { fen: 6_000_000 }])];
        let (staff, accounts, settings) = (BTreeMap::new(), BTreeMap::new(), DocumentSettings::default());
        let src = Sources {
            case: &case,
            agency: &ag,
            item: Some(&it),
            def: &def,
            steps: &steps,
            evidence: &[],
            staff: &staff,
            accounts: &accounts,
            opener: None,
            settings: &settings,
            issued: &[],
        };
        let kind = document::kind("penalty_decision").unwrap();
        let issue =
            Issue { kind, step: &steps[1], number: Some("X〔2026〕1号"), date: china_date(at), verify: None };
        let v = document_data(&src, &issue);
        // ITEM-2: cited to article, paragraph and item.
        assert_eq!(v["basis"]["violated"][0], "《中华人民共和国食品安全法》第三十四条第（十）项");
        assert_eq!(v["basis"]["penalty"][0], "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项");
        // CASE-6: remedies default to the government and court of the agency's region.
        assert_eq!(v["remedy"]["reconsideration"], "正定县人民政府");
        assert_eq!(v["remedy"]["court"], "正定县人民法院");
        assert_eq!(v["penalties"][0], "罚款人民币60000元");
        // ITEM-4: without the draft's reasons, the benchmark grade the fine falls in.
        assert!(v["discretion"]["reason"].as_str().unwrap().contains("一般"), "{v}");
        assert_eq!(v["case"]["cause"], "经营超过保质期的食品");
        assert_eq!(v["doc_no"], "X〔2026〕1号");
        assert!(!v.to_string().contains("null"), "absent fields are left out: {v}");
    }

    #[test]
    fn merge_keeps_common_fields() {
        let mut a = json!({"case": {"number": "1", "cause": "x"}});
        merge(&mut a, json!({"case": {"source": "s"}}));
        assert_eq!(a, json!({"case": {"number": "1", "cause": "x", "source": "s"}}));
    }
}
