//! `/public/verify` (文书核验, LOG-5): anyone enters a document's code or uploads its PDF
//! and learns whether it is exactly a document the platform issued — which agency, when,
//! the signature against the published key, and its record's inclusion proof against a
//! signed checkpoint. Plain forms, no script. The POST changes nothing and carries no
//! credentials, so it needs no CSRF token.

use axum::extract::{Multipart, State};
use maud::{Markup, html};
use zhifa_app::documents::{MAX_UPLOAD, Verification, verify};

use super::{PageError, PageResult, page};
use crate::AppState;
use crate::extract::{QueryMap, call};
use crate::html::{Crumb, facts};

fn form(code: &str) -> Markup {
    html! {
        p { "输入文书上的核验码，或上传文书 PDF 原件，核对它是否为本平台签发、是否被改动。" }
        form method="get" action="/public/verify" {
            label for="code" { "核验码" }
            input #code name="code" value=(code) maxlength="20" autocomplete="off" inputmode="latin";
            button type="submit" { "核验" }
        }
        form method="post" action="/public/verify" enctype="multipart/form-data" {
            label for="file" { "文书 PDF（不超过 32 MB）" }
            input #file type="file" name="file" accept="application/pdf";
            label for="code2" { "核验码（可选）" }
            input #code2 name="code" value=(code) maxlength="20" autocomplete="off";
            button type="submit" { "上传核验" }
        }
    }
}

fn result(v: &Verification) -> Markup {
    let china = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    html! {
        h2 { @if v.ok { "核验结果：一致" } @else { "核验结果：不一致" } }
        p class=(if v.ok { "ok" } else { "warn" }) { (v.message) }
        @if let Some(h) = &v.computed_sha256 {
            (facts(&[("上传文件的 SHA-256", html! { span.mono { (h) } })]))
        }
        @if let Some(d) = &v.document {
            (facts(&[
                ("文书", html! { "《" (d.title) "》" }),
                ("文号", html! { (d.number.as_deref().unwrap_or("（本类文书不编文号）")) }),
                ("签发机关", html! { (d.agency_name) }),
                ("签发时间", html! { (d.issued_at.to_zoned(china.clone()).strftime("%Y-%m-%d %H:%M:%S")) "（北京时间）" }),
                ("原件 SHA-256", html! { span.mono { (d.sha256) } }),
                ("签名", html! { @if v.signature_valid { "已用平台公布的公钥验证通过" } @else { "未能验证" } }),
            ]))
            h3 { "签名（C2SP signed-note）" }
            pre { (d.signature) }
            p { "签名公钥：" span.mono { (d.signing_key) } "（与 " a href="/log/key" { "/log/key" } " 公布的公钥相同）" }
        }
        @if let Some(p) = &v.proof {
            h3 { "日志包含证明" }
            p {
                "该文书的签发记录是可验证日志的第 " (p.index) " 个叶子；以下证明把它连到含 " (p.tree_size)
                " 条记录的签名检查点" @if p.valid { "，已核对一致。" } @else { "，但未能核对一致。" }
            }
            (facts(&[
                ("记录（规范化）", html! { span.mono { (p.canonical) } }),
                ("盐值", html! { span.mono { (p.salt) } }),
                ("承诺（叶子）", html! { span.mono { (p.commitment) } }),
            ]))
            pre { @for h in &p.hashes { (h) "\n" } }
            pre { (p.checkpoint) }
        }
    }
}

pub(super) async fn get_page(State(s): State<AppState>, q: QueryMap) -> PageResult {
    let code = q.str("code").unwrap_or_default();
    let outcome = if code.trim().is_empty() {
        None
    } else {
        let c = code.clone();
        Some(call(move || verify(&s.app, Some(&c), None, None)).await?)
    };
    render(&code, outcome.as_ref())
}

fn render(code: &str, outcome: Option<&Verification>) -> PageResult {
    let main = html! {
        (form(code))
        @if let Some(v) = outcome { (result(v)) }
    };
    page("文书核验", vec![Crumb::here("文书核验")], "/public/verify", main)
}

pub(super) async fn post_page(State(s): State<AppState>, mut mp: Multipart) -> PageResult {
    let mut code = String::new();
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = mp.next_field().await.map_err(|e| PageError::BadRequest(format!("表单有误：{e}")))? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "code" => code = field.text().await.map_err(|e| PageError::BadRequest(e.to_string()))?,
            "file" => {
                let b = field
                    .bytes()
                    .await
                    .map_err(|_| PageError::BadRequest("文件过大或上传中断（最大 32 MB）".into()))?;
                if b.len() > MAX_UPLOAD {
                    return Err(PageError::BadRequest("文件过大（最大 32 MB）".into()));
                }
                if !b.is_empty() {
                    file = Some(b.to_vec());
                }
            }
            _ => {}
        }
    }
    let c = code.clone();
    let v = call(move || {
        verify(&s.app, Some(&c).filter(|c| !c.trim().is_empty()).map(|c| c.as_str()), file.as_deref(), None)
    })
    .await?;
    render(&code, Some(&v))
}
