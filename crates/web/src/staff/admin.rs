//! The three administrators (SEC-3): the system administrator's users and roles, the
//! security administrator's settings (TOTP per role, SEC-1), the audit administrator's
//! search of every record (SEC-4).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use zhifa_app::accounts::admin::{self as use_case, AccountView, Security, Users};
use zhifa_app::records::AuditQuery;
use zhifa_domain::Violation;
use zhifa_domain::account::{Account, Role};
use zhifa_domain::codes::CreditCode;
use zhifa_domain::security::SecuritySettings;
use zhifa_store::Paging;

use super::{Fields, Me, csrf_field, cst, page, page_error, refusals, see_other, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, call};
use crate::html::{self, Crumb, Pager, table};

fn users_main(me: &Me, u: &Users, f: &Fields, errors: &[Violation]) -> Markup {
    let agency_name = |c: &CreditCode| {
        u.agencies.iter().find(|(k, _)| k == c.as_str()).map(|(_, n)| n.clone()).unwrap_or_else(|| c.to_string())
    };
    html! {
        (table("账号（SEC-2：角色决定可用的功能；SEC-3：三类管理员不得兼任）", &["用户名", "姓名", "角色", "机关", "人员编号", "状态"], u.accounts.iter().map(|a| vec![
            html! { a.mono href={ "/staff/users/" (html::enc(&a.login)) } { (a.login) } },
            html! { (a.display_name) },
            html! { (a.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")) },
            html! { (a.agency.as_ref().map(agency_name).unwrap_or_default()) },
            html! { (a.staff_no.clone().unwrap_or_default()) },
            html! { @if a.disabled { span.tag.bad { "已停用" } } @else { "正常" } },
        ])))
        h2 #new { "新建账号" }
        (violations(errors))
        form.stack method="post" action="/staff/users#new" {
            (csrf_field(me))
            label { "用户名（字母、数字、连字符）" input name="login" required maxlength="40" value=(f.text("login")); }
            label { "姓名" input name="display_name" required maxlength="40" value=(f.text("display_name")); }
            fieldset { legend { "角色" }
                @for r in Role::ALL {
                    label.inline { input type="checkbox" name="roles" value=(r.as_str()) checked[f.has("roles", r.as_str())]; (r.label()) }
                }
            }
            label { "所属机关（机关工作人员）"
                select name="agency" {
                    option value="" { "无（平台级账号）" }
                    @for (code, name) in &u.agencies { option value=(code) selected[f.has("agency", code)] { (name) } }
                }
            }
            label { "人员编号（执法人员、审核人员、负责人，可选）" input name="staff_no" maxlength="40" value=(f.text("staff_no")); }
            label { "初始密码（本人首次登录后须修改）" input type="password" name="password" required autocomplete="new-password"; }
            button type="submit" { "创建" }
        }
    }
}

pub async fn users(State(s): State<AppState>, me: Me) -> Response {
    let (app, account) = (s.app.clone(), me.account.clone());
    match call(move || use_case::users(&app, &account)).await {
        Ok(u) => page(
            &me,
            "用户与角色",
            vec![Crumb::here("用户与角色")],
            "/staff/users",
            users_main(&me, &u, &Fields::default(), &[]),
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

/// The account the form describes (SEC-2): the roles ticked, the agency chosen, the staff
/// entry typed; the domain checks the rest when the record is written.
fn account_from(f: &Fields, login: String) -> Result<Account, ApiError> {
    let agency = match f.get("agency") {
        Some(a) => Some(
            CreditCode::parse(&a)
                .map_err(|e| ApiError::BadRequest(Violation::new("SEC-5", e.to_string()).at("agency")))?,
        ),
        None => None,
    };
    Ok(Account {
        login,
        display_name: f.text("display_name"),
        roles: f.all("roles").iter().filter_map(|r| Role::parse(r)).collect(),
        agency,
        staff_no: f.get("staff_no"),
        disabled: f.has("disabled", "1"),
    })
}

pub async fn create_user(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let password = f.raw("password");
    let account = account_from(&f, f.text("login"));
    let (app, me_) = (s.app.clone(), me.account.clone());
    let r = match account {
        Ok(account) => call(move || use_case::create_account(&app, &me_, account, &password)).await,
        Err(e) => Err(e),
    };
    let errors = match r {
        Ok(login) => return see_other(&format!("/staff/users/{}?saved=created", html::enc(&login))),
        Err(e) => match refusals(e) {
            Ok(vs) => vs,
            Err(e) => return page_error(Some(&me), e),
        },
    };
    let (app, account) = (s.app.clone(), me.account.clone());
    match call(move || use_case::users(&app, &account)).await {
        Ok(u) => {
            let mut r = page(
                &me,
                "用户与角色",
                vec![Crumb::here("用户与角色")],
                "/staff/users",
                users_main(&me, &u, &f, &errors),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(Some(&me), e),
    }
}

// ---------------------------------------------------------------------------------------
// one account: change it, disable it, set a new password (the system administrator)

/// What the page says after a change (`?saved=`).
fn saved_note(saved: Option<&str>) -> Markup {
    let text = match saved {
        Some("created") => "已创建账号。",
        Some("account") => "已保存，变更记入日志（SEC-4）。",
        Some("password") => "已设置临时密码，请通过安全渠道告知本人；本人登录后须先修改密码（SEC-1）。",
        _ => return html! {},
    };
    html! { p.ok role="status" { (text) } }
}

/// `errors` are shown above the form they came from: `section` is `account` or `password`.
fn account_main(
    me: &Me,
    p: &AccountView,
    f: Option<&Fields>,
    (section, errors): (&str, &[Violation]),
    saved: Option<&str>,
) -> Markup {
    let errors_of = |s: &str| if s == section { errors } else { &[] };
    let a = &p.account;
    let login = html::enc(&a.login);
    // The form shows what was typed after a refusal, the account otherwise.
    let role = |r: Role| f.map_or(a.has(r), |f| f.has("roles", r.as_str()));
    let agency = f.map_or(a.agency.as_ref().map(|c| c.to_string()).unwrap_or_default(), |f| f.text("agency"));
    let text = |k: &str, v: &str| f.map_or(v.to_string(), |f| f.text(k));
    let disabled = f.map_or(a.disabled, |f| f.has("disabled", "1"));
    html! {
        (saved_note(saved))
        (html::facts(&[
            ("用户名", html! { span.mono { (a.login) } }),
            ("状态", html! {
                @if a.disabled { span.tag.bad { "已停用" } } @else { span.tag.ok { "正常" } }
                @if let Some(u) = p.locked_until { " " span.tag.warn { "登录失败过多，锁定至 " (cst(u)) } }
            }),
            ("密码", html! { @if p.has_password { "已设置" } @else { "未设置（无法登录）" } }),
            ("动态口令", html! { @if p.totp { "已绑定" } @else { "未绑定" } " " span.muted { "（由安全管理员重置）" } }),
        ]))
        h2 #change { "修改账号" }
        (violations(errors_of("account")))
        form.stack method="post" action={ "/staff/users/" (login) "#change" } {
            (csrf_field(me))
            label { "姓名" input name="display_name" required maxlength="40" value=(text("display_name", &a.display_name)); }
            fieldset { legend { "角色（SEC-3：系统、安全、审计管理员不得兼任）" }
                @for r in Role::ALL {
                    label.inline { input type="checkbox" name="roles" value=(r.as_str()) checked[role(r)]; (r.label()) }
                }
            }
            label { "所属机关"
                select name="agency" {
                    option value="" { "无（平台级账号）" }
                    @for (code, name) in &p.agencies { option value=(code) selected[*code == agency] { (name) } }
                }
            }
            label { "人员编号" input name="staff_no" maxlength="40" value=(text("staff_no", a.staff_no.as_deref().unwrap_or_default())); }
            label.inline { input type="checkbox" name="disabled" value="1" checked[disabled]; "停用该账号（立即结束其会话并吊销其接口令牌）" }
            label { "变更事由（记入日志）" input name="reason" required maxlength="500" value=(text("reason", "")); }
            button type="submit" { "保存" }
        }
        h2 #password { "重置密码" }
        (violations(errors_of("password")))
        form.stack method="post" action={ "/staff/users/" (login) "/password#password" } {
            (csrf_field(me))
            label { "临时密码（本人登录后须先修改）" input type="password" name="password" required autocomplete="new-password"; }
            button type="submit" { "设置新密码" }
        }
    }
}

fn account_crumbs(login: &str) -> Vec<Crumb> {
    vec![Crumb::link("用户与角色", "/staff/users"), Crumb::here(login)]
}

pub async fn account_page(State(s): State<AppState>, me: Me, Path(login): Path<String>, q: QueryMap) -> Response {
    let (app, account, l) = (s.app.clone(), me.account.clone(), login.clone());
    match call(move || use_case::account(&app, &account, &l)).await {
        Ok(p) => page(
            &me,
            &format!("账号 {login}"),
            account_crumbs(&login),
            "/staff/users",
            account_main(&me, &p, None, ("", &[]), q.str("saved").as_deref()),
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

/// SEC-2, SEC-3: saves the account as the form describes it, with the reason.
pub async fn change_account(State(s): State<AppState>, me: Me, Path(login): Path<String>, f: Fields) -> Response {
    let (app, me_, reason) = (s.app.clone(), me.account.clone(), f.text("reason"));
    let r = match account_from(&f, login.clone()) {
        Ok(account) => call(move || use_case::change_account(&app, &me_, account, &reason)).await,
        Err(e) => Err(e),
    };
    after_account_change(s, me, login, f, r, "account").await
}

/// Sets a new password under the password policy (SEC-1); it also lifts a lockout.
pub async fn reset_password(State(s): State<AppState>, me: Me, Path(login): Path<String>, f: Fields) -> Response {
    let (app, me_, l, pw) = (s.app.clone(), me.account.clone(), login.clone(), f.raw("password"));
    let r = call(move || use_case::set_temporary_password(&app, &me_, &l, &pw)).await;
    after_account_change(s, me, login, Fields::default(), r, "password").await
}

/// Back to the account page: with `?saved=` on success, with the refusal and what was
/// typed otherwise (nothing was written).
async fn after_account_change(
    s: AppState,
    me: Me,
    login: String,
    f: Fields,
    r: Result<(), ApiError>,
    what: &str,
) -> Response {
    let errors = match r {
        Ok(()) => return see_other(&format!("/staff/users/{}?saved={what}", html::enc(&login))),
        Err(e) => match refusals(e) {
            Ok(vs) => vs,
            Err(e) => return page_error(Some(&me), e),
        },
    };
    let (app, account, l) = (s.app.clone(), me.account.clone(), login.clone());
    match call(move || use_case::account(&app, &account, &l)).await {
        Ok(p) => {
            let typed = (what == "account").then_some(&f);
            let mut r = page(
                &me,
                &format!("账号 {login}"),
                account_crumbs(&login),
                "/staff/users",
                account_main(&me, &p, typed, (what, &errors), None),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(Some(&me), e),
    }
}

fn security_main(s: &AppState, me: &Me, sec: &Security, errors: &[Violation], saved: Option<&str>) -> Markup {
    let p = &s.passwords;
    let sp = &s.sessions;
    let settings = &sec.settings;
    html! {
        @match saved {
            Some("settings") => p.ok role="status" { "已保存。" },
            Some("totp") => p.ok role="status" { "已重置动态口令，该账号的会话已结束；下次登录时须重新绑定。" },
            _ => {},
        }
        h2 { "动态口令（TOTP 第二因素）" }
        p { "勾选的角色必须绑定身份验证器，登录时输入 6 位动态口令（RFC 6238）。未绑定的账号登录后只能先完成绑定。" }
        form.stack method="post" action="/staff/security" {
            (csrf_field(me))
            fieldset { legend { "须使用动态口令的角色" }
                @for r in Role::ALL {
                    label.inline { input type="checkbox" name="totp" value=(r.as_str()) checked[settings.totp_required.contains(&r)]; (r.label()) }
                }
            }
            button type="submit" { "保存" }
        }
        h2 #totp-reset { "重置动态口令" }
        p { "身份验证器丢失或可能泄露时，重置后该账号的会话立即结束，下次登录须重新绑定（SEC-1）。" }
        (violations(errors))
        (table("已绑定动态口令的账号", &["用户名", "重置"], sec.totp.iter().map(|login| vec![
            html! { span.mono { (login) } },
            html! {
                form.inline method="post" action="/staff/security/totp-reset#totp-reset" {
                    (csrf_field(me))
                    input type="hidden" name="login" value=(login);
                    label { "事由" input name="reason" required maxlength="500"; }
                    button type="submit" { "重置" }
                }
            },
        ])))
        h2 { "密码与会话策略（启动配置）" }
        (html::facts(&[
            ("密码长度", html! { "至少 " (p.min_len) " 个字符" }),
            ("字符类别", html! { "至少 " (p.min_classes) " 类" }),
            ("锁定", html! { "连续失败 " (sp.max_failures) " 次锁定 " (sp.lockout_secs / 60) " 分钟" }),
            ("闲置超时", html! { (sp.idle_secs) " 秒" }),
            ("会话最长", html! { (sp.absolute_secs / 3600) " 小时" }),
        ]))
    }
}

fn security_page(s: &AppState, me: &Me, sec: &Security, errors: &[Violation], saved: Option<&str>) -> Response {
    let mut r = page(
        me,
        "安全设置",
        vec![Crumb::here("安全设置")],
        "/staff/security",
        security_main(s, me, sec, errors, saved),
    );
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

pub async fn security(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let (app, account) = (s.app.clone(), me.account.clone());
    match call(move || use_case::security(&app, &account)).await {
        Ok(sec) => security_page(&s, &me, &sec, &[], q.str("saved").as_deref()),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn set_security(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let settings = SecuritySettings { totp_required: f.all("totp").iter().filter_map(|r| Role::parse(r)).collect() };
    let (app, account) = (s.app.clone(), me.account.clone());
    match call(move || use_case::set_security(&app, &account, settings)).await {
        Ok(_) => see_other("/staff/security?saved=settings"),
        Err(e) => page_error(Some(&me), e),
    }
}

/// SEC-1: removes a login's second factor, with the reason (the security administrator).
pub async fn reset_totp(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let (app, me_, l, reason) = (s.app.clone(), me.account.clone(), f.text("login"), f.text("reason"));
    let r = call(move || use_case::reset_totp(&app, &me_, &l, &reason)).await;
    let errors = match r {
        Ok(()) => return see_other("/staff/security?saved=totp#totp-reset"),
        Err(e) => match refusals(e) {
            Ok(vs) => vs,
            Err(e) => return page_error(Some(&me), e),
        },
    };
    let (app, account) = (s.app.clone(), me.account.clone());
    match call(move || use_case::security(&app, &account)).await {
        Ok(sec) => security_page(&s, &me, &sec, &errors, None),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn audit(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let pg = Pager::new(q.i64("page").ok().flatten().unwrap_or(1), 50);
    let day = |k: &str| q.str(k).and_then(|v| v.parse::<jiff::civil::Date>().ok());
    let f = AuditQuery {
        actor: q.str("actor"),
        kind: q.str("kind"),
        subject: q.str("subject"),
        from: day("from"),
        to: day("to"),
    };
    let query: Vec<(&str, String)> =
        ["actor", "kind", "subject", "from", "to"].iter().map(|k| (*k, q.str(k).unwrap_or_default())).collect();
    let (app, account) = (s.app.clone(), me.account.clone());
    let paging = Paging { offset: pg.offset(), limit: pg.per_page };
    match call(move || zhifa_app::records::audit(&app, &account, f, paging)).await {
        Ok(p) => page(
            &me,
            "审计检索",
            vec![Crumb::here("审计检索")],
            "/staff/audit",
            html! {
                p { "全部记录，包括每一次登录尝试、动态口令校验、调阅和办案操作（SEC-4）。记录保存不少于六个月，且写入可验证日志。" }
                form.filters method="get" action="/staff/audit" {
                    label { "操作者" input name="actor" placeholder="account:officer" value=(q.str("actor").unwrap_or_default()); }
                    label { "类型" input name="kind" placeholder="login_failed" value=(q.str("kind").unwrap_or_default()); }
                    label { "主体前缀" input name="subject" placeholder="account/" value=(q.str("subject").unwrap_or_default()); }
                    label { "自" input type="date" name="from" value=(q.str("from").unwrap_or_default()); }
                    label { "至" input type="date" name="to" value=(q.str("to").unwrap_or_default()); }
                    button type="submit" { "检索" }
                }
                (table("记录（最新在前）", &["序号", "时间", "操作者", "类型", "主体", "内容"], p.items.iter().map(|r| vec![
                    html! { (r.seq) },
                    html! { (cst(r.recorded_at)) },
                    html! { span.mono { (r.actor) } },
                    html! { span.mono { (r.kind) } },
                    html! { span.mono { (r.subject) } },
                    html! { details { summary { "查看" } pre { (serde_json::to_string_pretty(&r.body).unwrap_or_default()) } } },
                ])))
                (html::pagination("/staff/audit", &query, pg, p.total))
            },
        ),
        Err(e) => page_error(Some(&me), e),
    }
}
