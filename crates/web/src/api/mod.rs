//! `/api/v1`: the JSON face. Each module registers its routes with their OpenAPI
//! operations and holds thin handlers that parse the request, call one use case of
//! `zhifa_app` and answer JSON: the registries (PUB-1 reads are public; writes need a
//! token), the working-day calendar, import/export and the records. Here: the assembly of
//! the routes, the session and the log's proofs.

pub mod cases;
pub mod documents;
pub mod evidence;
pub mod publications;
pub mod reviews;

mod calendar;
mod import;
mod officers;
mod records;
mod registry;

use axum::http::Method;
use zhifa_app::access::STAFF;

use crate::AppState;
use crate::openapi::{Access, Api, Op, schema};

pub fn routes(state: AppState) -> Api {
    use Method as M;
    let public = Access::Public;
    let api = evidence::register(Api::new(state))
        .add(
            M::POST,
            "/api/v1/session",
            Op::new("登录", "用户名密码登录，设置会话 Cookie（SEC-1；连续失败将锁定）", public)
                .body(schema::<zhifa_app::accounts::login::LoginInput>)
                .returns(schema::<zhifa_app::accounts::login::WhoAmI>),
            crate::session::login,
        )
        .add(
            M::GET,
            "/api/v1/session",
            Op::new("登录", "当前登录的账号与 CSRF 令牌", Access::Roles(STAFF))
                .returns(schema::<zhifa_app::accounts::login::WhoAmI>),
            crate::session::whoami,
        )
        .add(
            M::DELETE,
            "/api/v1/session",
            Op::new("登录", "注销当前会话", Access::Roles(STAFF)),
            crate::session::logout,
        )
        .add(
            M::GET,
            "/log/proof/inclusion",
            Op::new("可验证日志", "包含证明：叶子 index 在大小为 size 的树中（LOG-3）", public)
                .query(&[("index", "叶子序号（= 记录序号）"), ("size", "树的大小")])
                .returns(schema::<crate::log::ProofResponse>),
            crate::log::inclusion,
        )
        .add(
            M::GET,
            "/log/proof/consistency",
            Op::new("可验证日志", "一致性证明：大小 new 的树扩展了大小 old 的树（LOG-3）", public)
                .query(&[("old", "旧树大小"), ("new", "新树大小")])
                .returns(schema::<crate::log::ProofResponse>),
            crate::log::consistency,
        );
    records::register(import::register(calendar::register(registry::register(api))))
}
