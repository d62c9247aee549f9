//! Power items with their basis, benchmarks and history (PUB-1, ITEM-1..5), and the
//! procedures' generated flowcharts (PUB-2).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use maud::{Markup, html};
use schemars::JsonSchema;
use serde::Serialize;
use zhifa_app::registry::{self, ItemDetail};
use zhifa_domain::citation::Citation;
use zhifa_domain::item::{ItemKind, ItemVersion, ProcedureKind};
use zhifa_domain::procedure::{self, ProcedureDefinition};
use zhifa_domain::registry::Domain;
use zhifa_store::ItemFilter;

use super::registry::{agency_link, agency_names, agency_select, all_agencies, domain_select};
use super::{PageError, PageResult, date, page, pager, paging};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{QueryMap, call};
use crate::html::{Crumb, enc, facts, pagination, table, trusted};

fn item_link(code: &str, name: &str) -> Markup {
    html! { a href={ "/public/items/" (enc(code)) } { (name) } }
}

/// ITEM-2: a citation to article, paragraph and item.
fn citations(basis: &[Citation]) -> Markup {
    html! {
        @for c in basis {
            div { span.tag { (c.role.label()) } " " (c.provision().to_chinese()) }
        }
    }
}

/// The shipped definition an item runs under.
fn definition_for(kind: ProcedureKind) -> Option<ProcedureDefinition> {
    procedure::shipped().into_iter().find(|d| d.kind == kind)
}

fn procedure_link(kind: ProcedureKind) -> Markup {
    match definition_for(kind) {
        Some(d) => html! { a href={ "/public/procedures/" (enc(&d.code)) } { (d.name) } },
        None => html! { (kind.label()) },
    }
}

// ---------------------------------------------------------------------------------------
// the list

pub(super) async fn items(State(s): State<AppState>, q: QueryMap) -> PageResult {
    let p = pager(&q)?;
    let agency = q.str("agency").unwrap_or_default();
    let domain = q.parse("domain", Domain::parse, "执法领域")?;
    let kind = q.parse("kind", ItemKind::parse, "事项类别")?;
    let keyword = q.str("q").unwrap_or_default();
    let f = ItemFilter {
        agency: (!agency.is_empty()).then(|| agency.clone()),
        domain,
        kind: kind.map(|k| k.as_str().to_string()),
        q: (!keyword.is_empty()).then(|| keyword.clone()),
        in_force: None,
    };
    let app = s.app.clone();
    let (list, all) = call(move || Ok((registry::items(&app, &f, paging(p))?, all_agencies(&app)?))).await?;
    let names = agency_names(&all);
    let rows = list.items.iter().map(|i| {
        let agency = i.exercising_agency().as_str();
        vec![
            html! { span.mono { (i.code) } },
            item_link(&i.code, &i.name),
            html! { (i.kind.label()) },
            html! { (i.domain.label()) },
            agency_link(agency, names.get(agency).map(String::as_str).unwrap_or(agency)),
            html! {
                @if i.in_force() { span.tag.ok { "有效" } } @else { span.tag.bad { (i.change.label()) } }
            },
        ]
    });
    let query = [
        ("agency", agency.clone()),
        ("domain", domain.map(|d| d.as_str().to_string()).unwrap_or_default()),
        ("kind", kind.map(|k| k.as_str().to_string()).unwrap_or_default()),
        ("q", keyword.clone()),
    ];
    let main = html! {
        p { "行政执法事项清单：每一项执法权力的名称、类别、实施主体、设定依据（条、款、项）与裁量基准。清单以外不得行使行政执法权力。" }
        form.filters method="get" action="/public/items" {
            (agency_select(&all, &agency))
            (domain_select(domain))
            label { "事项类别"
                select name="kind" {
                    option value="" { "全部" }
                    @for k in ItemKind::ALL {
                        option value=(k.as_str()) selected[Some(*k) == kind] { (k.label()) }
                    }
                }
            }
            label { "关键字或编码" input type="search" name="q" value=(keyword); }
            button type="submit" { "查询" }
        }
        (table("执法事项", &["编码", "名称", "类别", "领域", "实施主体", "状态"], rows))
        (pagination("/public/items", &query, p, list.total))
        p { a href="/public/item-changes" { "查看清单调整记录" } }
    };
    page("执法事项清单", vec![Crumb::here("执法事项")], "/public/items", main)
}

// ---------------------------------------------------------------------------------------
// one item

pub(super) async fn item(State(s): State<AppState>, Path(code): Path<String>) -> PageResult {
    let app = s.app.clone();
    let key = code.clone();
    let (detail, all) = match call(move || Ok((registry::item(&app, &key)?, all_agencies(&app)?))).await {
        Ok(found) => found,
        Err(ApiError::NotFound(_)) => return Err(PageError::NotFound(format!("执法事项 {code} "))),
        Err(e) => return Err(e.into()),
    };
    let ItemDetail { current, versions, .. } = detail;
    // The version in force today, or (not yet in force) the latest.
    let Some(shown) = current.clone().or_else(|| versions.last().cloned()) else {
        return Err(PageError::NotFound(format!("执法事项 {code} ")));
    };
    let names = agency_names(&all);
    let name_of = |c: &str| names.get(c).cloned().unwrap_or_else(|| c.to_string());
    let agency_code = shown.agency.as_str();
    let mut fields = vec![
        ("事项编码", html! { span.mono { (shown.code) } }),
        ("事项类别", html! { (shown.kind.label()) }),
        ("执法领域", html! { (shown.domain.label()) }),
        ("实施主体", agency_link(agency_code, &name_of(agency_code))),
    ];
    if let Some(d) = &shown.delegated_to {
        fields.push(("下放至", agency_link(d.as_str(), &name_of(d.as_str()))));
    }
    if let Some(m) = &shown.merged_into {
        fields.push(("合并入", item_link(m, m)));
    }
    fields.push(("适用程序", procedure_link(shown.procedure)));
    fields.push((
        "现行版本",
        html! {
            "第 " (shown.version) " 版，" (date(shown.effective_from)) "起施行"
            @if current.is_none() { "（尚未生效）" }
            @if !shown.in_force() { " " span.tag.bad { "已" (shown.change.label()) } }
        },
    ));
    let basis_rows =
        shown.basis.iter().map(|c| vec![html! { (c.role.label()) }, html! { (c.provision().to_chinese()) }]);
    let history_rows = versions.iter().rev().map(|v| {
        vec![
            html! { "第 " (v.version) " 版" },
            html! { (v.change.label()) },
            html! { (date(v.effective_from)) },
            html! { (v.name) },
            html! { @if v.note.is_empty() { "—" } @else { (v.note) } },
        ]
    });
    let main = html! {
        (facts(&fields))
        h2 { "设定依据" }
        (table("设定依据（条、款、项）", &["依据类型", "条文"], basis_rows))
        @if let Some(b) = &shown.benchmark {
            h2 { "裁量基准" }
            (table(
                "裁量基准",
                &["违法程度", "适用情形", "处罚种类和幅度", "罚则"],
                b.grades.iter().map(|g| vec![
                    html! { strong { (g.grade.label()) } },
                    html! { (g.conditions) },
                    html! { @for p in &g.penalties { div { (p.describe()) } } },
                    html! { (g.cites.to_chinese()) },
                ]),
            ))
            @if !b.circumstances.is_empty() {
                (table(
                    "从轻、减轻、从重及不予处罚情形",
                    &["处理", "情形"],
                    b.circumstances.iter().map(|c| vec![html! { (c.effect.label()) }, html! { (c.text) }]),
                ))
            }
            @if b.first_offence_exempt {
                p { span.tag.ok { "首违不罚" } " 初次违法且危害后果轻微并及时改正的，可以不予行政处罚（《中华人民共和国行政处罚法》第三十三条第一款）。" }
            }
        }
        @if shown.kind == ItemKind::Licensing {
            (service_guide(&shown, &name_of(shown.exercising_agency().as_str()), &all))
        }
        h2 { "版本与调整记录" }
        (table("版本历史（清单调整）", &["版本", "调整类型", "生效日期", "事项名称", "调整说明"], history_rows))
    };
    page(&shown.name, vec![Crumb::link("执法事项", "/public/items"), Crumb::here(&shown.code)], "/public/items", main)
}

/// PUB-1 service guide (办事指南) for a licensing item, from what the registry holds: the
/// item's name and basis, the accepting body with its address and telephone, the flow and
/// its statutory time limits. Fields the registry does not yet hold (materials, office
/// hours, fees) are not invented.
fn service_guide(item: &ItemVersion, agency_name: &str, all: &[zhifa_domain::registry::Agency]) -> Markup {
    let agency = all.iter().find(|a| a.code == *item.exercising_agency());
    let def = definition_for(item.procedure);
    html! {
        h2 { "办事指南" }
        (facts(&[
            ("事项名称", html! { (item.name) }),
            ("设定依据", citations(&item.basis)),
            ("受理和决定机关", agency_link(item.exercising_agency().as_str(), agency_name)),
            ("办公地址", html! { @match agency { Some(a) if !a.address.is_empty() => (a.address), _ => "—" } }),
            ("咨询电话", html! { @match agency { Some(a) if !a.phone.is_empty() => (a.phone), _ => "—" } }),
            ("办理流程", procedure_link(item.procedure)),
            ("法定时限", html! {
                @match &def {
                    Some(d) if !d.limits.is_empty() => {
                        @for l in &d.limits { div { (l.label) "：" (l.length) (l.unit.label()) span.muted { "（" (l.basis) "）" } } }
                    }
                    _ => "—",
                }
            }),
        ]))
    }
}

// ---------------------------------------------------------------------------------------
// history and the inspection list

pub(super) async fn item_changes(State(s): State<AppState>, q: QueryMap) -> PageResult {
    let p = pager(&q)?;
    let app = s.app.clone();
    let (list, all) = call(move || Ok((registry::item_changes(&app, paging(p))?, all_agencies(&app)?))).await?;
    let names = agency_names(&all);
    let rows = list.items.iter().map(|v| {
        vec![
            html! { (date(v.effective_from)) },
            html! { span.mono { (v.code) } },
            item_link(&v.code, &v.name),
            html! { (v.change.label()) " · 第 " (v.version) " 版" },
            html! {
                @if let Some(d) = &v.delegated_to { "下放至 " (names.get(d.as_str()).map(String::as_str).unwrap_or(d.as_str())) " " }
                @if let Some(m) = &v.merged_into { "合并入 " (m) " " }
                (v.note)
            },
        ]
    });
    let main = html! {
        p { "执法事项清单的每一次调整（新增、变更、取消、下放、合并、调整管理方式），最新的在前。已立案的案件适用立案时有效的版本。" }
        (table("清单调整记录", &["生效日期", "编码", "事项", "调整", "说明"], rows))
        (pagination("/public/item-changes", &[], p, list.total))
    };
    page(
        "清单调整记录",
        vec![Crumb::link("执法事项", "/public/items"), Crumb::here("清单调整记录")],
        "/public/items",
        main,
    )
}

pub(super) async fn inspection_list(State(s): State<AppState>, q: QueryMap) -> PageResult {
    let domain = q.parse("domain", Domain::parse, "执法领域")?;
    let app = s.app.clone();
    let (list, all) = call(move || Ok((registry::inspection_list(&app, domain)?, all_agencies(&app)?))).await?;
    let names = agency_names(&all);
    let rows = list.iter().map(|e| {
        let a = e.agency.as_str();
        vec![
            html! { span.mono { (e.code) } },
            html! { (e.name) },
            agency_link(a, names.get(a).map(String::as_str).unwrap_or(a)),
            citations(&e.basis),
            html! { (e.targets) },
            html! { (e.content) },
            html! { (e.ratio_pct) "%" },
            html! { (e.frequency) },
            html! { (e.method) },
        ]
    });
    let main = html! {
        p { "“双随机、一公开”随机抽查事项清单：每一事项的检查主体、依据、对象、内容、抽查比例、频次和方式。" }
        form.filters method="get" action="/public/inspection-list" data-autosubmit {
            (domain_select(domain))
            button type="submit" { "筛选" }
        }
        (table(
            &format!("随机抽查事项（{} 项）", list.len()),
            &["编码", "抽查事项", "检查主体", "依据", "检查对象", "检查内容", "抽查比例", "频次", "方式"],
            rows,
        ))
    };
    page("随机抽查事项清单", vec![Crumb::here("随机抽查事项")], "/public/inspection-list", main)
}

// ---------------------------------------------------------------------------------------
// procedures and flowcharts (PUB-2)

/// A procedure in the list (the JSON twin of `/public/procedures`).
#[derive(Serialize, JsonSchema)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub version: u32,
    pub kind: ProcedureKind,
    pub kind_label: String,
    pub description: String,
}

fn summaries() -> Vec<ProcedureSummary> {
    procedure::shipped()
        .into_iter()
        .map(|d| ProcedureSummary {
            kind_label: d.kind.label().into(),
            code: d.code,
            name: d.name,
            version: d.version,
            kind: d.kind,
            description: d.description,
        })
        .collect()
}

pub(super) async fn procedures() -> PageResult {
    let rows = summaries().into_iter().map(|d| {
        vec![
            html! { a href={ "/public/procedures/" (enc(&d.code)) } { (d.name) } },
            html! { (d.kind_label) },
            html! { "第 " (d.version) " 版" },
            html! { (d.description) },
        ]
    });
    let main = html! {
        p { "行政执法流程图由平台的流程定义自动生成：案件办理系统据以控制每一步，监督检查据以核对，公众看到的与实际执行的是同一份定义。" }
        (table("执法流程", &["流程", "类别", "版本", "说明"], rows))
    };
    page("执法流程", vec![Crumb::here("执法流程")], "/public/procedures", main)
}

pub(super) async fn procedure(Path(code): Path<String>) -> PageResult {
    // `/public/procedures/{code}.svg` is the flowchart alone.
    if let Some(code) = code.strip_suffix(".svg") {
        let def = find(code).ok_or_else(|| PageError::NotFound(format!("执法流程 {code} ")))?;
        return Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            procedure::flowchart_svg(&def),
        )
            .into_response());
    }
    let def = find(&code).ok_or_else(|| PageError::NotFound(format!("执法流程 {code} ")))?;
    let limit_rows = def.limits.iter().map(|l| {
        vec![
            html! { (l.label) },
            html! { (l.length) (l.unit.label()) @if !l.extensions.is_empty() { "，可依法延长" } },
            html! { (l.basis) },
        ]
    });
    let svg_href = format!("/public/procedures/{}.svg", enc(&def.code));
    let main = html! {
        p { (def.description) }
        // PUB-2: drawn from the definition (PROC-1). The SVG escapes its own text and uses
        // presentation attributes only (no `style`), so the CSP allows it inline.
        figure.flowchart { (trusted(procedure::flowchart_svg(&def))) }
        p { a href=(svg_href) { "单独打开流程图（SVG）" } " · " a href={ "/api/v1/public/procedures/" (enc(&def.code)) } { "流程定义（JSON）" } }
        @if !def.limits.is_empty() {
            h2 { "办理时限" }
            (table("办理时限", &["时限", "期限", "依据"], limit_rows))
        }
    };
    page(
        &def.name,
        vec![Crumb::link("执法流程", "/public/procedures"), Crumb::here(&def.name)],
        "/public/procedures",
        main,
    )
}

fn find(code: &str) -> Option<ProcedureDefinition> {
    procedure::shipped().into_iter().find(|d| d.code == code)
}

pub(super) async fn procedures_json() -> Json<Vec<ProcedureSummary>> {
    Json(summaries())
}

pub(super) async fn procedure_json(Path(code): Path<String>) -> ApiResult<Json<ProcedureDefinition>> {
    find(&code).map(Json).ok_or_else(|| ApiError::NotFound(format!("执法流程 {code} ")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_flowchart_is_safe_to_inline() {
        // PUB-2 under the CSP: no inline style attributes, no scripts, no event handlers.
        for d in zhifa_domain::procedure::shipped() {
            let svg = zhifa_domain::procedure::flowchart_svg(&d);
            assert!(!svg.contains("style="), "{}", d.code);
            assert!(!svg.contains("<style"), "{}", d.code);
            assert!(!svg.contains("<script"), "{}", d.code);
            assert!(!svg.contains(" on"), "{}: no event handler attributes", d.code);
        }
    }
}
