//! The case page's 文书 section (CASE-6): documents issued (number, date, download with a
//! REC-7 reason) and those the case can issue now, each with a 生成并签发 button.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::documents::{self, CaseDocuments, IssueInput};

use super::{Fields, Me, csrf_field, cst, page_error, see_other};
use crate::AppState;
use crate::extract::call;
use crate::html::{enc, table};

/// The section; `docs` from [`zhifa_app::documents::case_documents`].
pub fn section(me: &Me, number: &str, docs: &CaseDocuments, may_issue: bool) -> Markup {
    html! {
        section #documents aria-labelledby="documents-h" {
            h2 #documents-h { "文书" }
            (table("已签发的文书（SHA-256 与签名记入可验证日志，LOG-5）", &["文书", "文号", "签发时间", "核验码", "下载"],
                docs.issued.iter().map(|d| vec![
                    html! { "《" (d.title) "》" },
                    html! { (d.number.as_deref().unwrap_or("—")) },
                    html! { (cst(d.issued_at)) },
                    html! { a.mono href={ "/public/verify?code=" (enc(&d.code)) } { (d.code) } },
                    html! {
                        form.inline method="get" action={ "/api/v1/cases/" (enc(number)) "/documents/" (enc(&d.code)) ".pdf" } {
                            label { "调阅事由" input name="reason" required minlength="2" maxlength="200" value="办案查阅"; }
                            button type="submit" { "下载 PDF" }
                        }
                    },
                ])))
            @if may_issue {
                @if docs.available.is_empty() {
                    p.muted { "本案当前没有可以签发的文书（文书由相应的办案环节产生）。" }
                }
                @for a in &docs.available {
                    form.inline method="post" action={ "/staff/cases/" (enc(number)) "/documents" } {
                        (csrf_field(me))
                        input type="hidden" name="kind" value=(a.kind);
                        input type="hidden" name="round" value=(a.round);
                        button type="submit" { "生成并签发《" (a.title) "》" @if a.round > 1 { "（第 " (a.round) " 次）" } }
                    }
                }
            }
        }
    }
}

pub async fn issue(State(s): State<AppState>, me: Me, Path(number): Path<String>, f: Fields) -> Response {
    let input = IssueInput { kind: f.text("kind"), round: f.text("round").parse().ok() };
    let (app, m, n) = (s.app.clone(), me.account.clone(), number.clone());
    match call(move || documents::issue(&app, &m, &n, input)).await {
        Ok(_) => see_other(&format!("/staff/cases/{}#documents", enc(&number))),
        Err(e) => page_error(Some(&me), e),
    }
}
