//! Agencies and officers (PUB-1, STAFF-1) and the certificate check with its QR code
//! (PUB-3).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use zhifa_app::registry::portal::{AgencyPage, CertificatePage};
use zhifa_app::registry::{self as registry, CertificateView, OfficerView};
use zhifa_domain::codes::RegionCode;
use zhifa_domain::registry::{Agency, CertStanding, CertState, Domain};
use zhifa_store::{AgencyFilter, OfficerFilter};

pub(super) use zhifa_app::registry::portal::all_agencies;

use super::{PageError, PageResult, base_url, date, page, pager, paging, region_name};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, call};
use crate::html::{Crumb, enc, facts, pagination, table};

pub(super) fn agency_link(code: &str, name: &str) -> Markup {
    html! { a href={ "/public/agencies/" (enc(code)) } { (name) } }
}

pub(super) fn domains(ds: &[Domain]) -> String {
    ds.iter().map(|d| d.label()).collect::<Vec<_>>().join("、")
}

/// An agency select for filter forms.
pub(super) fn agency_select(agencies: &[Agency], selected: &str) -> Markup {
    html! {
        label { "执法主体"
            select name="agency" {
                option value="" { "全部" }
                @for a in agencies {
                    option value=(a.code.as_str()) selected[a.code.as_str() == selected] { (a.name) }
                }
            }
        }
    }
}

pub(super) fn domain_select(selected: Option<Domain>) -> Markup {
    html! {
        label { "执法领域"
            select name="domain" {
                option value="" { "全部" }
                @for d in Domain::ALL {
                    option value=(d.as_str()) selected[Some(d) == selected] { (d.label()) }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// agencies

pub(super) async fn agencies(State(s): State<AppState>, q: QueryMap) -> PageResult {
    let region = match q.str("region") {
        Some(r) => Some(RegionCode::parse(&r).map_err(|e| PageError::BadRequest(format!("区划代码有误：{e}")))?),
        None => None,
    };
    let domain = q.parse("domain", Domain::parse, "执法领域")?;
    let p = pager(&q)?;
    let f = AgencyFilter { region: region.map(|r| r.to_string()), domain, status: None, q: None };
    let app = s.app.clone();
    let (list, all) = call(move || Ok((registry::agencies(&app, &f, paging(p))?, all_agencies(&app)?))).await?;
    // The regions that have agencies, for the filter.
    let regions: BTreeMap<String, String> =
        all.iter().map(|a| (a.region.to_string(), region_name(&a.region))).collect();
    let region_s = region.map(|r| r.to_string()).unwrap_or_default();
    let rows = list.items.iter().map(|a| {
        vec![
            agency_link(a.code.as_str(), &a.name),
            html! { (region_name(&a.region)) },
            html! { (a.level.label()) },
            html! { (domains(&a.domains)) },
            html! { (a.status.label()) },
        ]
    });
    let main = html! {
        p { "依法确认并公告的行政执法主体，以及受委托组织。点击名称查看其执法人员和执法事项。" }
        form.filters method="get" action="/public/agencies" data-autosubmit {
            label { "行政区划"
                select name="region" {
                    option value="" { "全部" }
                    @for (code, name) in &regions {
                        option value=(code) selected[*code == region_s] { (name) }
                    }
                }
            }
            (domain_select(domain))
            button type="submit" { "筛选" }
        }
        (table("执法主体", &["名称", "行政区划", "层级", "执法领域", "状态"], rows))
        (pagination("/public/agencies", &[("region", region_s.clone()), ("domain", domain.map(|d| d.as_str().to_string()).unwrap_or_default())], p, list.total))
    };
    page("执法主体", vec![Crumb::here("执法主体")], "/public/agencies", main)
}

pub(super) async fn agency(State(s): State<AppState>, Path(code): Path<String>) -> PageResult {
    let app = s.app.clone();
    let AgencyPage { agency, entrusting, officers, items } =
        call(move || registry::portal::agency_page(&app, &code)).await?;
    let officer_rows = officers.items.iter().map(|o| officer_row(o, false));
    let item_rows = items.items.iter().map(|i| {
        vec![
            html! { span.mono { (i.code) } },
            html! { a href={ "/public/items/" (enc(&i.code)) } { (i.name) } },
            html! { (i.kind.label()) },
            html! { (i.change.label()) },
        ]
    });
    let main = html! {
        (facts(&[
            ("统一社会信用代码", html! { span.mono { (agency.code.as_str()) } }),
            ("行政区划", html! { (region_name(&agency.region)) }),
            ("层级", html! { (agency.level.label()) }),
            ("执法领域", html! { (domains(&agency.domains)) }),
            ("状态", html! { (agency.status.label()) }),
            ("委托机关", match &entrusting {
                Some(e) => html! { "受 " (agency_link(e.code.as_str(), &e.name)) " 委托，以委托机关名义实施" },
                None => html! { "—" },
            }),
            ("地址", html! { @if agency.address.is_empty() { "—" } @else { (agency.address) } }),
            ("电话", html! { @if agency.phone.is_empty() { "—" } @else { (agency.phone) } }),
        ]))
        h2 { "执法人员（" (officers.total) " 人）" }
        (table("执法人员", OFFICER_HEADERS, officer_rows))
        h2 { "执法事项（" (items.total) " 项）" }
        (table("执法事项", &["编码", "名称", "类别", "最近调整"], item_rows))
        p { a href={ "/public/items?agency=" (enc(agency.code.as_str())) } { "在执法事项清单中筛选本机关的事项" } }
    };
    page(
        &agency.name,
        vec![Crumb::link("执法主体", "/public/agencies"), Crumb::here(&agency.name)],
        "/public/agencies",
        main,
    )
}

// ---------------------------------------------------------------------------------------
// officers (STAFF-1: public fields only)

const OFFICER_HEADERS: &[&str] = &["姓名", "执法主体", "职务", "执法证号", "执法类别", "执法区域", "有效期至", "状态"];

fn standing_tag(st: &CertStanding) -> Markup {
    let class = if st.state.usable() { "tag ok" } else { "tag bad" };
    html! { span class=(class) { (st.state.label()) } }
}

/// One row per officer; their certificates one per line in the certificate columns (with
/// their standing today, PUB-3).
fn officer_row(o: &OfficerView, with_agency_link: bool) -> Vec<Markup> {
    let per_cert = |f: &dyn Fn(&CertificateView, &CertStanding) -> Markup| {
        html! {
            @if o.certificates.is_empty() { "—" }
            @for c in &o.certificates { div { (f(c, &c.standing)) } }
        }
    };
    vec![
        html! { a href={ "/public/officers/" (enc(&o.staff_no)) } { (o.name) } },
        if with_agency_link {
            agency_link(&o.agency, &o.agency_name)
        } else {
            html! { (o.agency_name) }
        },
        html! { (o.position) },
        per_cert(&|c, _| html! { a.mono href={ "/public/certificates/" (enc(&c.number)) } { (c.number) } }),
        per_cert(&|c, _| html! { (domains(&c.categories)) }),
        per_cert(&|c, _| html! { (region_name(&c.region)) }),
        per_cert(&|c, _| html! { (date(c.expires_on)) }),
        per_cert(&|_, st| standing_tag(st)),
    ]
}

pub(super) async fn officers(State(s): State<AppState>, q: QueryMap) -> PageResult {
    let p = pager(&q)?;
    let agency = q.str("agency").unwrap_or_default();
    let keyword = q.str("q").unwrap_or_default();
    let f = OfficerFilter {
        agency: (!agency.is_empty()).then(|| agency.clone()),
        q: (!keyword.is_empty()).then(|| keyword.clone()),
    };
    let app = s.app.clone();
    let (list, all) = call(move || Ok((registry::officers(&app, None, &f, paging(p))?, all_agencies(&app)?))).await?;
    let rows = list.items.iter().map(|o| officer_row(o, true));
    let main = html! {
        p { "持有行政执法证件的人员名单（姓名、执法主体、职务、执法证号、执法类别、执法区域）。执法证状态为今日实时状态。" }
        form.filters method="get" action="/public/officers" {
            (agency_select(&all, &agency))
            label { "姓名或人员编号" input type="search" name="q" value=(keyword); }
            button type="submit" { "查询" }
        }
        (table("执法人员", OFFICER_HEADERS, rows))
        (pagination("/public/officers", &[("agency", agency.clone()), ("q", keyword.clone())], p, list.total))
    };
    page("执法人员", vec![Crumb::here("执法人员")], "/public/officers", main)
}

pub(super) async fn officer(State(s): State<AppState>, Path(staff_no): Path<String>) -> PageResult {
    let app = s.app.clone();
    let key = staff_no.clone();
    let o = match call(move || registry::officer(&app, None, &key)).await {
        Ok(o) => o,
        Err(ApiError::NotFound(_)) => return Err(PageError::NotFound(format!("执法人员 {staff_no} "))),
        Err(e) => return Err(e.into()),
    };
    let cert_rows = o.certificates.iter().map(|c| {
        vec![
            html! { a.mono href={ "/public/certificates/" (enc(&c.number)) } { (c.number) } },
            html! { (domains(&c.categories)) },
            html! { (region_name(&c.region)) },
            html! { (date(c.issued_on)) },
            html! { (date(c.expires_on)) },
            standing_tag(&c.standing),
        ]
    });
    let mut fields = vec![
        ("姓名", html! { (o.name) }),
        ("执法主体", agency_link(&o.agency, &o.agency_name)),
        ("职务", html! { (o.position) }),
    ];
    if let Some(b) = &o.badge_no {
        fields.push(("警号", html! { span.mono { (b) } }));
    }
    let main = html! {
        (facts(&fields))
        h2 { "执法证" }
        (table("执法证", &["证号", "执法类别", "执法区域", "发证日期", "有效期至", "当前状态"], cert_rows))
    };
    let agency_href = format!("/public/agencies/{}", enc(&o.agency));
    page(
        &o.name,
        vec![
            Crumb::link("执法主体", "/public/agencies"),
            Crumb::link(&o.agency_name, agency_href),
            Crumb::here(&o.name),
        ],
        "/public/officers",
        main,
    )
}

// ---------------------------------------------------------------------------------------
// certificates (PUB-3)

fn lookup_form(value: &str) -> Markup {
    html! {
        form.lookup method="get" action="/public/certificates" role="search" {
            label for="number" { "执法证号" }
            input #number type="text" name="number" value=(value) inputmode="text" autocomplete="off" required placeholder="例如 1301230006023";
            button type="submit" { "查验" }
        }
    }
}

pub(super) async fn certificate_lookup(q: QueryMap) -> PageResult {
    if let Some(n) = q.str("number") {
        let n = n.trim();
        if !n.is_empty() {
            return Ok(Redirect::to(&format!("/public/certificates/{}", enc(n))).into_response());
        }
    }
    let main = html! {
        p { "执法人员执法时应当出示执法证件。输入证件上的执法证号，或用手机扫描证件上的二维码，即可查验该证件今天是否有效。" }
        (lookup_form(""))
    };
    page("执法证查验", vec![Crumb::here("执法证查验")], "/public/certificates", main)
}

async fn load_certificate(s: &AppState, number: &str) -> Result<CertificatePage, PageError> {
    let app = s.app.clone();
    let key = number.to_string();
    Ok(call(move || registry::portal::certificate_page(&app, &key)).await?)
}

/// The absolute URL of a certificate's page: what its QR code encodes.
pub fn certificate_url(base: &str, number: &str) -> String {
    format!("{base}/public/certificates/{}", enc(number))
}

pub(super) async fn certificate(
    State(s): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let CertificatePage { cert, holder } = load_certificate(&s, &number).await?;
    // PUB-3: the standing today, exactly as the JSON API computes it.
    let st = cert.standing(s.today(), &s.policy);
    let url = certificate_url(&base_url(&s, &headers), &cert.number);
    let (verdict_class, verdict, detail) = if st.state.usable() {
        let detail = match st.state {
            CertState::Valid => "持证人可在证件所列执法类别和区域内从事行政执法活动".to_string(),
            other => other.label().to_string(),
        };
        ("verdict ok", "有效".to_string(), detail)
    } else {
        ("verdict bad", format!("无效（{}）", st.state.label()), "持此证件者目前不得从事行政执法活动".to_string())
    };
    let main = html! {
        div class=(verdict_class) role="status" {
            strong { (verdict) }
            span { (detail) "，查验时间 " (date(s.today())) }
        }
        div.cert {
            div {
                (facts(&[
                    ("执法证号", html! { span.mono { (cert.number) } }),
                    ("持证人", match &holder {
                        Some(h) => html! { a href={ "/public/officers/" (enc(&h.staff_no)) } { (h.name) } },
                        None => html! { "—" },
                    }),
                    ("执法主体", match &holder {
                        Some(h) => agency_link(&h.agency, &h.agency_name),
                        None => html! { "—" },
                    }),
                    ("执法类别", html! { (domains(&cert.categories)) }),
                    ("执法区域", html! { (region_name(&cert.region)) }),
                    ("发证日期", html! { (date(cert.issued_on)) }),
                    ("有效期至", html! { (date(cert.expires_on)) }),
                ]))
            }
            figure {
                img.qr src={ "/public/certificates/" (enc(&cert.number)) "/qr.svg" } alt="本页的二维码" width="180" height="180";
                figcaption.muted { "扫码打开本页：" br; a.mono href=(url) { (url) } }
            }
        }
        h2 { "查验其他证件" }
        (lookup_form(""))
    };
    page(
        &format!("执法证 {}", cert.number),
        vec![Crumb::link("执法证查验", "/public/certificates"), Crumb::here(&cert.number)],
        "/public/certificates",
        main,
    )
}

/// PUB-3: the QR code printed on the certificate, encoding its page's absolute URL.
pub(super) async fn certificate_qr(
    State(s): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let CertificatePage { cert, .. } = load_certificate(&s, &number).await?;
    let svg = zhifa_render::qr_svg(&certificate_url(&base_url(&s, &headers), &cert.number), 180)
        .map_err(|e| PageError::Internal(format!("QR: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        svg,
    )
        .into_response())
}

/// Names of agencies by code (for item lists).
pub(super) fn agency_names(all: &[Agency]) -> HashMap<String, String> {
    all.iter().map(|a| (a.code.as_str().to_string(), a.name.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_is_plain_svg_without_inline_styles() {
        let svg = zhifa_render::qr_svg("http://127.0.0.1:8080/public/certificates/1301230006023", 180).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        assert!(!svg.contains("style="), "CSP: no inline styles");
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn certificate_urls_are_encoded() {
        assert_eq!(certificate_url("https://x.cn", "A 1/2"), "https://x.cn/public/certificates/A%201%2F2");
    }
}
