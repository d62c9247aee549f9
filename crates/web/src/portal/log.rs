//! The transparency log's public page (LOG-2, LOG-3): the latest signed checkpoint, the
//! verifier key, and how anyone checks a record with standard C2SP tlog tools.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use maud::html;
use zhifa_app::log::LogStatus;

use super::{PageResult, base_url, page};
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::call;
use crate::html::{Crumb, facts};

async fn status(s: &AppState) -> ApiResult<LogStatus> {
    let app = s.app.clone();
    call(move || zhifa_app::log::status(&app)).await
}

pub(super) async fn status_json(State(s): State<AppState>) -> ApiResult<Json<LogStatus>> {
    Ok(Json(status(&s).await?))
}

pub(super) async fn page_handler(s: AppState, headers: HeaderMap) -> PageResult {
    let st = status(&s).await?;
    let base = base_url(&s, &headers);
    let key = st.verifier_keys.first().cloned().unwrap_or_default();
    let china = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    let main = html! {
        p {
            "平台的每一条执法记录（立案、调查取证、审核、决定、送达、公示、撤回……）都作为一个叶子写入同一棵只增不减的默克尔树"
            "（RFC 6962/9162，SHA-256）。平台定期发布经签名的检查点，并按 C2SP tlog-tiles 格式公开整棵树。"
            "日志只公开经加盐的哈希承诺，不公开案件内容；持有记录或收据的人可以证明它与平台所存完全一致，任何修改都会被发现。"
        }
        h2 { "最新检查点" }
        @match &st.checkpoint {
            Some(c) => {
                (facts(&[
                    ("日志标识", html! { span.mono { (st.origin) } }),
                    ("树的大小", html! { (c.tree_size) " 条记录" }),
                    ("根哈希", html! { span.mono { (c.root_hash) } }),
                    ("签发时间", html! { (c.signed_at.to_zoned(china.clone()).strftime("%Y-%m-%d %H:%M:%S")) "（北京时间）" }),
                ]))
                pre { (c.note) }
            }
            None => p { "日志尚未签发检查点（平台刚启动或尚无记录），请稍后刷新。" },
        }
        h2 { "日志公钥" }
        p { "检查点由以下公钥签名（C2SP signed-note 格式）。请保存此公钥，并通过其他渠道（如政府公告）核对。" }
        pre { @for k in &st.verifier_keys { (k) "\n" } }
        h2 { "公开接口" }
        ul {
            li { a href="/log/checkpoint" { "/log/checkpoint" } "：最新签名检查点（C2SP tlog-checkpoint）" }
            li { a href="/log/key" { "/log/key" } "：验证公钥" }
            li { span.mono { "/log/tile/<L>/<N>" } " 与 " span.mono { "/log/tile/entries/<N>" } "：哈希瓦片与条目包（C2SP tlog-tiles）" }
            li { span.mono { "/log/proof/inclusion?index=I&size=N" } "、" span.mono { "/log/proof/consistency?old=M&new=N" } "：包含证明与一致性证明" }
            li { a href="/api/v1/public/log" { "/api/v1/public/log" } "：本页数据（JSON）" }
        }
        h2 { "如何核验" }
        ol {
            li { "取得检查点并用上面的公钥验证签名：任何支持 C2SP signed-note 的工具（如 Go 的 golang.org/x/mod/sumdb/note）均可。" }
            li { "用标准 C2SP tlog 客户端按 tlog-tiles 布局读取瓦片，重新计算根哈希，应与检查点一致；保存本次检查点，下次用一致性证明确认新检查点只是在其后追加。" }
            li { "持有记录收据（.tlog-proof，C2SP tlog-proof 格式）的当事人：收据含记录、盐值、包含证明和签名检查点，可离线核对该记录在日志之中。" }
            li { "也可以使用本平台的命令行工具从外部审计整个日志，只使用上述公开接口：" }
        }
        pre { "zhifa log verify --remote " (base) " --since 上次检查点.txt --key '" (key) "'" }
    };
    page("可验证日志", vec![Crumb::here("可验证日志")], "/public/log", main)
}

pub(super) async fn page_route(State(s): State<AppState>, headers: HeaderMap) -> PageResult {
    page_handler(s, headers).await
}
