//! Official documents (执法文书, CASE-6, REC-1, LOG-5) over HTTP:
//!
//! - `POST /api/v1/cases/{number}/documents` `{kind, round?}` — renders the document from the
//!   case's records ([`document_data`]), hashes (SHA-256) and signs a statement of it with the
//!   platform's document key (the log's SM2 key when configured, its Ed25519 key otherwise:
//!   one key to publish and keep), stores the PDF in the blob store and records
//!   `document_issued`, so the hash is a log leaf.
//! - `GET /api/v1/cases/{number}/documents` — what was issued and what may be issued now.
//! - `GET /api/v1/cases/{number}/documents/{code}.pdf?reason=` — the PDF (a view, REC-7).
//! - [`verify`] — the public check by code or by the PDF's bytes (`/public/verify`).
//!
//! The mapping from records to each kind's JSON ([`document_data`]) is pure. Fields the
//! records do not hold (a subject's gender, the storage method…) print `（未登记）` rather
//! than inventing content.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::case::{CaseFile, Evidence, StepRecord};
use zhifa_domain::citation::BasisRole;
use zhifa_domain::document::{self, DocumentKind, DocumentSettings, IssuedDocument};
use zhifa_domain::event::Event;
use zhifa_domain::item::ItemVersion;
use zhifa_domain::money::yuan;
use zhifa_domain::penalty::{DecidedPenalty, PartyKind};
use zhifa_domain::procedure::{ProcedureDefinition, china_date};
use zhifa_domain::registry::Agency;
use zhifa_log::{Note, NoteSigner, NoteVerifier};
use zhifa_store::documents::DocumentRow;
use zhifa_store::{AppendError, Store};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryMap, bad, blocking};
use crate::openapi::{Access, Api, Op, schema};

const UNKNOWN: &str = "（未登记）";

// ---------------------------------------------------------------------------------------
// mapping (pure)

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

fn cn_time(t: Timestamp) -> String {
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

// ---------------------------------------------------------------------------------------
// HTTP

/// Who issues documents.
const ISSUERS: &[Role] = &[Role::Officer, Role::AgencyHead];
const READERS: &[Role] = &[Role::Officer, Role::LegalReviewer, Role::AgencyHead, Role::Supervisor];

pub fn register(api: Api) -> Api {
    use Method as M;
    api.add(
        M::POST,
        "/api/v1/cases/{number}/documents",
        Op::new(
            "文书",
            "制作并签发文书（CASE-6）：按案件记录生成 PDF，编文号，计算 SHA-256 并以平台密钥签名，记入可验证日志（REC-1，LOG-5）",
            Access::Roles(ISSUERS),
        )
        .body(schema::<IssueInput>)
        .returns(schema::<DocumentInfo>),
        issue,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}/documents",
        Op::new("文书", "本案已签发的文书与现在可以签发的文书", Access::Roles(READERS)).returns(schema::<CaseDocuments>),
        list,
    )
    .add(
        M::GET,
        "/api/v1/cases/{number}/documents/{file}",
        Op::new("文书", "下载文书 PDF（{核验码}.pdf；记录调阅，REC-7）", Access::Roles(READERS))
            .query(&[("reason", "调阅事由（必填）")]),
        download,
    )
    .add(
        M::GET,
        "/api/v1/agencies/{code}/document-settings",
        Op::new("文书", "机关的文书设置：文号格式、复议机关、法院、缴款账户", Access::Roles(READERS))
            .returns(schema::<DocumentSettings>),
        get_settings,
    )
    .add(
        M::PUT,
        "/api/v1/agencies/{code}/document-settings",
        Op::new(
            "文书",
            "设置机关的文书设置（文号格式含 {year}、{seq}；未设置的用默认：机关简称+文书类别〔年〕序号号）",
            Access::Roles(&[Role::Supervisor, Role::SystemAdmin]),
        )
        .body(schema::<DocumentSettings>)
        .returns(schema::<zhifa_store::Record>),
        set_settings,
    )
    .add(
        M::GET,
        "/api/v1/public/verify",
        Op::new("文书核验", "按核验码核验文书（LOG-5）：签发机关、时间、签名与日志包含证明", Access::Public)
            .query(&[("code", "核验码"), ("sha256", "PDF 的 SHA-256（十六进制）")])
            .returns(schema::<Verification>),
        verify_json,
    )
    .add(
        M::POST,
        "/api/v1/public/verify",
        Op::new("文书核验", "上传 PDF 原文核验（请求体即文件；?code= 可选）：逐字节一致才通过", Access::Public)
            .query(&[("code", "核验码（可选）")])
            .returns(schema::<Verification>),
        verify_upload_json,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The document kind (`penalty_decision`, …).
    pub kind: String,
    /// Which act of the kind (1 = the first); default: the earliest without a document.
    #[serde(default)]
    pub round: Option<u32>,
}

#[derive(Serialize, JsonSchema, Clone)]
pub struct DocumentInfo {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub number: Option<String>,
    pub case: String,
    pub step_seq: i64,
    pub sha256: String,
    pub size: u64,
    pub issued_at: Timestamp,
    /// The record's seq: its leaf index in the log.
    pub seq: i64,
    pub signature: String,
    pub signing_key: String,
}

impl DocumentInfo {
    fn from_row(r: &DocumentRow) -> DocumentInfo {
        let d = &r.document;
        DocumentInfo {
            code: d.code.clone(),
            kind: d.kind.clone(),
            title: document::kind(&d.kind).map_or("", |k| k.title).to_string(),
            number: d.number.clone(),
            case: d.case.clone(),
            step_seq: d.step_seq,
            sha256: d.sha256.clone(),
            size: d.size,
            issued_at: d.issued_at,
            seq: r.seq,
            signature: d.signature.clone(),
            signing_key: d.signing_key.clone(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct Available {
    pub kind: String,
    pub title: String,
    /// 1-based: which act of the kind.
    pub round: u32,
    pub step_seq: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct CaseDocuments {
    pub issued: Vec<DocumentInfo>,
    pub available: Vec<Available>,
}

fn account(c: &Caller) -> ApiResult<&Account> {
    c.0.as_ref().ok_or(ApiError::Unauthenticated)
}

/// The case, readable by this account.
fn readable(store: &Store, me: &Account, number: &str) -> ApiResult<CaseFile> {
    let case = store.case(number)?.ok_or_else(|| ApiError::NotFound(format!("案件 {number} ")))?;
    zhifa_app::access::may_read_case(store, me, &case.agency)?;
    Ok(case)
}

/// The documents the case may issue now: one per issuing act not yet documented.
pub fn available(def: &ProcedureDefinition, steps: &[StepRecord], issued: &[IssuedDocument]) -> Vec<Available> {
    let mut out = Vec::new();
    for k in document::KINDS {
        for (i, s) in document::issuing_steps(def, steps, k).into_iter().enumerate() {
            if !issued.iter().any(|d| d.kind == k.code && d.step_seq == s.seq) {
                out.push(Available {
                    kind: k.code.into(),
                    title: k.title.into(),
                    round: i as u32 + 1,
                    step_seq: s.seq,
                });
            }
        }
    }
    out
}

/// The listing of a case's documents (also the staff page's).
pub fn case_documents(store: &Store, case: &CaseFile) -> ApiResult<CaseDocuments> {
    let def = store
        .definition(&case.procedure)?
        .ok_or_else(|| ApiError::Internal(format!("definition {} missing", case.procedure)))?;
    let steps = store.case_steps(&case.number)?;
    let rows = store.case_documents(&case.number)?;
    let issued: Vec<IssuedDocument> = rows.iter().map(|r| r.document.clone()).collect();
    Ok(CaseDocuments {
        issued: rows.iter().map(DocumentInfo::from_row).collect(),
        available: available(&def, &steps, &issued),
    })
}

async fn get_settings(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<DocumentSettings>> {
    let store = s.store.clone();
    blocking(move || {
        store.agency(&code)?.ok_or_else(|| ApiError::NotFound(format!("执法主体 {code} ")))?;
        Ok(Json(store.document_settings(&code)?))
    })
    .await
}

async fn set_settings(
    State(s): State<AppState>,
    c: Caller,
    Path(code): Path<String>,
    JsonBody(settings): JsonBody<DocumentSettings>,
) -> ApiResult<Json<zhifa_store::Record>> {
    let agency = zhifa_domain::codes::CreditCode::parse(&code).map_err(|e| bad("code", e.to_string()))?;
    let store = s.store.clone();
    let actor = c.actor();
    blocking(move || Ok(Json(store.append(&actor, Event::DocumentSettingsSet { agency, settings })?))).await
}

async fn list(State(s): State<AppState>, c: Caller, Path(number): Path<String>) -> ApiResult<Json<CaseDocuments>> {
    let store = s.store.clone();
    blocking(move || {
        let case = readable(&store, account(&c)?, &number)?;
        Ok(Json(case_documents(&store, &case)?))
    })
    .await
}

/// Crockford's base32 (no I, L, O or U), upper case, unpadded: document codes (LOG-5).
static CROCKFORD: std::sync::LazyLock<data_encoding::Encoding> = std::sync::LazyLock::new(|| {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.encoding().expect("a valid base32 specification")
});

/// An unguessable short code: 10 characters of Crockford base32 (50 bits) from the OS RNG.
pub fn new_code() -> String {
    // 7 random bytes are 12 characters; the first 10 carry 50 of the 56 bits.
    let mut code = CROCKFORD.encode(&rand::random::<[u8; 7]>());
    code.truncate(10);
    code
}

/// The key documents are signed with: SM2 when configured, Ed25519 otherwise.
fn signer(s: &AppState) -> (&dyn NoteSigner, String) {
    match &s.log.sm2 {
        Some(k) => (k.as_ref(), k.verifier().vkey()),
        None => (s.log.signer.as_ref(), s.log.signer.verifier().vkey()),
    }
}

fn verify_base(s: &AppState) -> String {
    format!("{}/public/verify", s.public_url.as_deref().unwrap_or(""))
}

/// Issues one document (the whole of `POST …/documents`), blocking.
pub fn issue_blocking(s: &AppState, me: &Account, number: &str, input: &IssueInput) -> ApiResult<DocumentInfo> {
    let store = &s.store;
    let case = readable(store, me, number)?;
    let kind = document::kind(&input.kind).ok_or_else(|| bad("kind", format!("没有文书种类「{}」", input.kind)))?;
    let agency = store.agency(case.agency.as_str())?.ok_or_else(|| ApiError::Internal("agency missing".into()))?;
    let def = store
        .definition(&case.procedure)?
        .ok_or_else(|| ApiError::Internal(format!("definition {} missing", case.procedure)))?;
    let item = store.item_versions(&case.item)?.into_iter().find(|i| i.version == case.item_version);
    let settings = store.document_settings(case.agency.as_str())?;
    let evidence: Vec<Evidence> =
        store.case_evidence(number)?.into_iter().filter(|e| e.deleted_seq.is_none()).map(|e| e.evidence).collect();
    let mut accounts = BTreeMap::new();
    let mut staff = BTreeMap::new();
    let opener = store.account(&case.opened_by)?.and_then(|a| a.staff_no);
    if let Some(no) = &opener {
        let p = store.officer(no)?.map_or(Person { name: no.clone(), cert_no: String::new() }, |o| Person {
            name: o.officer.name.clone(),
            cert_no: o.certificates.last().map(|c| c.number.clone()).unwrap_or_default(),
        });
        staff.insert(no.clone(), p);
    }
    for _attempt in 0..12 {
        let steps = store.case_steps(number)?;
        let issued: Vec<IssuedDocument> = store.case_documents(number)?.into_iter().map(|r| r.document).collect();
        for st in &steps {
            if !accounts.contains_key(&st.step.by) {
                let name = store.account(&st.step.by)?.map_or(st.step.by.clone(), |a| a.display_name);
                accounts.insert(st.step.by.clone(), name);
            }
            for no in st.step.officers.iter().chain(st.step.chair.iter()) {
                if !staff.contains_key(no) {
                    let p =
                        store.officer(no)?.map_or(Person { name: no.clone(), cert_no: String::new() }, |o| Person {
                            name: o.officer.name.clone(),
                            cert_no: o.certificates.last().map(|c| c.number.clone()).unwrap_or_default(),
                        });
                    staff.insert(no.clone(), p);
                }
            }
        }
        if !accounts.contains_key(&case.opened_by) {
            let name = store.account(&case.opened_by)?.map_or(case.opened_by.clone(), |a| a.display_name);
            accounts.insert(case.opened_by.clone(), name);
        }
        // PROC-1, CASE-6: the act this document records.
        let steps_of = document::issuing_steps(&def, &steps, kind);
        let step = match input.round {
            Some(r) => steps_of.get((r as usize).wrapping_sub(1)).copied(),
            None => {
                steps_of.iter().copied().find(|s| !issued.iter().any(|d| d.kind == kind.code && d.step_seq == s.seq))
            }
        };
        let Some(step) = step else {
            let msg = if steps_of.is_empty() {
                format!(
                    "本案尚无签发《{}》的环节，不能制作该文书（PROC-1、CASE-6：文书由相应的办案环节产生）",
                    kind.title
                )
            } else {
                format!("本案各环节的《{}》均已签发，一个行为只出具一份文书（CASE-6）", kind.title)
            };
            return Err(ApiError::Rule(
                Violation::new(if steps_of.is_empty() { "PROC-1" } else { "CASE-6" }, msg).at("kind"),
            ));
        };
        let now = store.now();
        let year = china_date(now).year();
        let (doc_no, seq) = if kind.numbered {
            let (n, q) = store.next_document_number(&case.agency, kind, year)?;
            (Some(n), Some(q))
        } else {
            (None, None)
        };
        let code = new_code();
        let url = verify_base(s);
        let src = Sources {
            case: &case,
            agency: &agency,
            item: item.as_ref(),
            def: &def,
            steps: &steps,
            evidence: &evidence,
            staff: &staff,
            accounts: &accounts,
            opener: opener.as_deref(),
            settings: &settings,
            issued: &issued,
        };
        let data = document_data(
            &src,
            &Issue { kind, step, number: doc_no.as_deref(), date: china_date(now), verify: Some((&url, &code)) },
        );
        let pdf = s
            .renderer
            .render(kind.code, &data)
            .map_err(|e| ApiError::Rule(Violation::new("CASE-6", format!("文书生成失败：{e}"))))?;
        let sha256 = hex::encode(Sha256::digest(&pdf));
        let limits = zhifa_blob::Limits { max_size: 64 << 20, allowed: vec!["application/pdf".into()] };
        let blob = s.blobs.put_reader(&pdf[..], &limits).map_err(|e| ApiError::Internal(e.to_string()))?;
        let (key, vkey) = signer(s);
        let mut doc = IssuedDocument {
            code,
            case: case.number.clone(),
            agency: case.agency.as_str().to_string(),
            kind: kind.code.into(),
            step_seq: step.seq,
            number: doc_no,
            seq,
            sha256,
            size: pdf.len() as u64,
            key: blob.key.as_str().to_string(),
            issued_at: now,
            signature: String::new(),
            signing_key: vkey,
            by: me.login.clone(),
        };
        let mut note = Note::new(document::statement(&doc)).map_err(|e| ApiError::Internal(e.to_string()))?;
        note.sign(key).map_err(|e| ApiError::Internal(e.to_string()))?;
        doc.signature = note.to_string();
        let actor = zhifa_store::Actor(format!("account:{}", me.login));
        match store.append(&actor, Event::DocumentIssued { document: doc.clone() }) {
            Ok(r) => return Ok(DocumentInfo::from_row(&DocumentRow { seq: r.seq, document: doc })),
            // A concurrent issue took the number (or the act): try again with the next.
            Err(AppendError::Refused(v)) if v.rule == "CASE-6" && v.message.contains("文号应为") => continue,
            Err(AppendError::Refused(v)) if v.rule == "LOG-5" => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict("CASE-6", "同时签发的文书过多，请重试".into()))
}

async fn issue(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    JsonBody(input): JsonBody<IssueInput>,
) -> ApiResult<Json<DocumentInfo>> {
    let me = account(&c)?.clone();
    if !ISSUERS.iter().any(|r| me.has(*r)) {
        return Err(ApiError::Forbidden("只有执法人员或机关负责人可以签发文书（SEC-2）".into()));
    }
    blocking(move || issue_blocking(&s, &me, &number, &input).map(Json)).await
}

async fn download(
    State(s): State<AppState>,
    c: Caller,
    Path((number, file)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult<Response> {
    let reason = crate::api::view_reason(&q)?;
    let code = file.strip_suffix(".pdf").unwrap_or(&file).to_string();
    let store = s.store.clone();
    let blobs = s.blobs.clone();
    blocking(move || {
        let me = account(&c)?;
        readable(&store, me, &number)?;
        let row = store
            .document_by_code(&code)?
            .filter(|r| r.document.case == number)
            .ok_or_else(|| ApiError::NotFound(format!("本案文书 {code} ")))?;
        let d = &row.document;
        // REC-7: the view is on the log before a byte leaves.
        let what = format!("文书 {}", d.number.as_deref().unwrap_or(&d.code));
        store.append(
            &c.actor(),
            Event::RecordViewed {
                seq: row.seq,
                of: format!("case/{number}"),
                what: what.chars().take(50).collect(),
                reason,
            },
        )?;
        let key = zhifa_blob::BlobKey::parse(&d.key).map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut blobs.get(&key).map_err(|e| ApiError::Internal(e.to_string()))?, &mut bytes)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut resp = Response::new(Body::from(bytes));
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.pdf\"", d.code)) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(resp)
    })
    .await
}

// ---------------------------------------------------------------------------------------
// verification (LOG-5)

/// The outcome of a public check.
#[derive(Serialize, JsonSchema, Clone)]
pub struct Verification {
    /// Exactly a document the platform issued.
    pub ok: bool,
    /// A plain explanation in Chinese.
    pub message: String,
    /// The SHA-256 of the uploaded bytes (when a file was checked).
    pub computed_sha256: Option<String>,
    pub document: Option<PublicDocument>,
    /// The signed statement verifies against the platform's published key.
    pub signature_valid: bool,
    pub proof: Option<InclusionProof>,
}

/// What the public learns of an issued document (no party data).
#[derive(Serialize, JsonSchema, Clone)]
pub struct PublicDocument {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub number: Option<String>,
    pub agency: String,
    pub agency_name: String,
    pub issued_at: Timestamp,
    pub sha256: String,
    /// The signed statement (C2SP signed note).
    pub signature: String,
    pub signing_key: String,
}

/// The document's record in the log against a signed checkpoint (LOG-5).
#[derive(Serialize, JsonSchema, Clone)]
pub struct InclusionProof {
    /// The leaf index (= the record's seq).
    pub index: u64,
    pub tree_size: u64,
    /// The record's canonical bytes and salt: commitment = SHA-256("zhifa/record/v1\n" ‖ salt ‖ canonical).
    pub canonical: String,
    pub salt: String,
    /// Hex: the log entry.
    pub commitment: String,
    /// Base64 hashes, the leaf's sibling first.
    pub hashes: Vec<String>,
    /// The signed checkpoint with witness cosignatures.
    pub checkpoint: String,
    /// The proof leads to the checkpoint's root.
    pub valid: bool,
}

fn verifiers(s: &AppState) -> Vec<Box<dyn NoteVerifier>> {
    let mut v: Vec<Box<dyn NoteVerifier>> = Vec::new();
    v.push(Box::new(s.log.signer.verifier()));
    if let Some(k) = &s.log.sm2 {
        v.push(Box::new(k.verifier()));
    }
    v
}

fn signature_valid(s: &AppState, d: &IssuedDocument) -> bool {
    let Ok(note) = Note::parse(&d.signature) else { return false };
    let vs = verifiers(s);
    let refs: Vec<&dyn NoteVerifier> = vs.iter().map(|b| b.as_ref()).collect();
    let mut unsigned = d.clone();
    unsigned.signature = String::new();
    note.text() == document::statement(&unsigned) && note.verify(&refs).is_ok_and(|v| !v.is_empty())
}

fn inclusion(store: &Store, seq: i64) -> ApiResult<Option<InclusionProof>> {
    let Some(leaf) = store.record_leaf(seq)? else { return Ok(None) };
    let Some(cp) = store.latest_checkpoint()?.filter(|c| c.size > seq as u64) else { return Ok(None) };
    let proof = store.inclusion_proof(seq as u64, cp.size)?;
    let commitment: [u8; 32] = hex::decode(&leaf.commitment)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| ApiError::Internal("commitment".into()))?;
    let valid = zhifa_log::root_from_inclusion_proof(&zhifa_log::leaf_hash(&commitment), seq as u64, cp.size, &proof)
        .is_ok_and(|r| r == cp.root);
    Ok(Some(InclusionProof {
        index: seq as u64,
        tree_size: cp.size,
        canonical: String::from_utf8_lossy(&zhifa_store::log::canonical_bytes(&leaf.record)).into_owned(),
        salt: leaf.salt,
        commitment: leaf.commitment,
        hashes: proof.iter().map(|h| h.to_base64()).collect(),
        checkpoint: cp.published(),
        valid,
    }))
}

/// LOG-5: checks a code, a hash or a file's bytes against the issued documents.
pub fn verify(s: &AppState, code: Option<&str>, bytes: Option<&[u8]>, sha256: Option<&str>) -> ApiResult<Verification> {
    let store = &s.store;
    let computed = bytes.map(|b| hex::encode(Sha256::digest(b))).or_else(|| sha256.map(|h| h.trim().to_lowercase()));
    let code = code.map(|c| c.trim().to_uppercase().replace(['-', ' '], "")).filter(|c| !c.is_empty());
    let by_code = match &code {
        Some(c) => store.document_by_code(c)?,
        None => None,
    };
    let found = match (&computed, &by_code) {
        (Some(h), Some(d)) if &d.document.sha256 == h => Some(d.clone()),
        (Some(h), None) if code.is_none() => store.documents_by_sha256(h)?.pop(),
        (None, Some(d)) => Some(d.clone()),
        _ => None,
    };
    let Some(row) = found else {
        let message = match (&computed, &by_code, &code) {
            (Some(h), Some(d), _) => format!(
                "不一致：上传文件的 SHA-256 为 {h}，而核验码对应文书的 SHA-256 为 {}。文件哪怕只改动一个字节，哈希也会完全不同——该文件不是平台签发的原件，或已被修改。",
                d.document.sha256
            ),
            (Some(h), None, None) => format!(
                "不一致：上传文件的 SHA-256 为 {h}，与平台签发的任何文书都不相同。该文件不是平台签发的原件，或已被修改（哪怕只改动一个字节）。"
            ),
            (_, None, Some(c)) => format!("未找到核验码为 {c} 的文书。请核对核验码（10 位字母和数字）。"),
            _ => "请输入核验码或上传文书 PDF。".to_string(),
        };
        return Ok(Verification {
            ok: false,
            message,
            computed_sha256: computed,
            document: None,
            signature_valid: false,
            proof: None,
        });
    };
    let d = &row.document;
    let agency_name = store.agency(&d.agency)?.map(|a| a.name).unwrap_or_default();
    let sig = signature_valid(s, d);
    let proof = inclusion(store, row.seq)?;
    let title = document::kind(&d.kind).map_or("", |k| k.title).to_string();
    let when = cn_time(d.issued_at);
    let mut message = if computed.is_some() {
        format!("一致：该文件与{agency_name}于 {when} 签发的《{title}》逐字节相同。")
    } else {
        format!("核验码有效：对应{agency_name}于 {when} 签发的《{title}》。如需确认手中文件未被修改，请上传 PDF 核对。")
    };
    if !sig {
        message.push_str("但签名未能用平台公钥验证，请联系签发机关。");
    }
    if proof.is_none() {
        message.push_str("该记录尚未纳入已签名的日志检查点，请稍后再查包含证明。");
    }
    Ok(Verification {
        ok: sig,
        message,
        computed_sha256: computed,
        document: Some(PublicDocument {
            code: d.code.clone(),
            kind: d.kind.clone(),
            title,
            number: d.number.clone(),
            agency: d.agency.clone(),
            agency_name,
            issued_at: d.issued_at,
            sha256: d.sha256.clone(),
            signature: d.signature.clone(),
            signing_key: d.signing_key.clone(),
        }),
        signature_valid: sig,
        proof,
    })
}

async fn verify_json(State(s): State<AppState>, q: QueryMap) -> ApiResult<Json<Verification>> {
    blocking(move || verify(&s, q.str("code").as_deref(), None, q.str("sha256").as_deref()).map(Json)).await
}

/// The most a verification upload may be.
pub const MAX_UPLOAD: usize = 32 << 20;

async fn verify_upload_json(
    State(s): State<AppState>,
    q: QueryMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Verification>> {
    if body.len() > MAX_UPLOAD {
        return Err(bad("file", "文件过大（最大 32 MB）"));
    }
    blocking(move || verify(&s, q.str("code").as_deref(), Some(&body[..]), None).map(Json)).await
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
    fn codes_are_ten_unambiguous_characters() {
        let a = new_code();
        assert_eq!(a.len(), 10);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() && !"ILOU".contains(c)));
        assert_ne!(a, new_code());
    }

    #[test]
    fn codes_use_crockfords_alphabet_in_order() {
        let raw = b"\x00\x44\x32\x14\xc7\x42\x54\xb6\x35\xcf\x84\x65\x3a\x56\xd7\xc6\x75\xbe\x77\xdf";
        assert_eq!(CROCKFORD.encode(raw), "0123456789ABCDEFGHJKMNPQRSTVWXYZ");
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
