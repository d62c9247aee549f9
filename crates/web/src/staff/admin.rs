//! The three administrators (SEC-3): the system administrator's users and roles, the
//! security administrator's settings (TOTP per role, SEC-1), the audit administrator's
//! search of every record (SEC-4).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use zhifa_domain::Violation;
use zhifa_domain::codes::CreditCode;
use zhifa_domain::event::{Account, Event, Role};
use zhifa_domain::security::SecuritySettings;
use zhifa_store::{Paging, RecordFilter};

use super::{Fields, Me, csrf_field, cst, page, page_error, refusals, see_other, violations};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{QueryMap, blocking};
use crate::html::{self, Crumb, Pager, table};
use crate::session::hash_password;

struct Users {
    accounts: Vec<Account>,
    agencies: Vec<(String, String)>,
}

fn load_users(s: &AppState) -> Result<Users, ApiError> {
    let agencies = s
        .store
        .agencies(&Default::default(), Paging { offset: 0, limit: 500 })?
        .items
        .into_iter()
        .map(|a| (a.code.to_string(), a.name))
        .collect();
    Ok(Users { accounts: s.store.accounts()?, agencies })
}

fn users_main(me: &Me, u: &Users, f: &Fields, errors: &[Violation], created: Option<&str>) -> Markup {
    let agency_name = |c: &CreditCode| {
        u.agencies.iter().find(|(k, _)| k == c.as_str()).map(|(_, n)| n.clone()).unwrap_or_else(|| c.to_string())
    };
    html! {
        @if let Some(l) = created { p.ok role="status" { "已创建账号 " (l) "。" } }
        (table("账号（SEC-2：角色决定可用的功能；SEC-3：三类管理员不得兼任）", &["用户名", "姓名", "角色", "机关", "人员编号"], u.accounts.iter().map(|a| vec![
            html! { span.mono { (a.login) } },
            html! { (a.display_name) },
            html! { (a.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")) },
            html! { (a.agency.as_ref().map(agency_name).unwrap_or_default()) },
            html! { (a.staff_no.clone().unwrap_or_default()) },
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
            label { "初始密码" input type="password" name="password" required autocomplete="new-password"; }
            button type="submit" { "创建" }
        }
    }
}

pub async fn users(State(s): State<AppState>, me: Me) -> Response {
    let st = s.clone();
    match blocking(move || load_users(&st)).await {
        Ok(u) => page(
            &me,
            "用户与角色",
            vec![Crumb::here("用户与角色")],
            "/staff/users",
            users_main(&me, &u, &Fields::default(), &[], None),
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn create_user(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let password = f.0.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    let (st, actor, fields) = (s.clone(), me.actor(), f.clone());
    let r = blocking(move || {
        let roles: Vec<Role> = fields.all("roles").iter().filter_map(|r| Role::parse(r)).collect();
        let agency = match fields.get("agency") {
            Some(a) => Some(
                CreditCode::parse(&a)
                    .map_err(|e| ApiError::BadRequest(Violation::new("SEC-5", e.to_string()).at("agency")))?,
            ),
            None => None,
        };
        let account = Account {
            login: fields.text("login"),
            display_name: fields.text("display_name"),
            roles,
            agency,
            staff_no: fields.get("staff_no"),
        };
        // The domain refuses two administrator roles on one account (SEC-3) and the rest.
        account.validate()?;
        st.passwords.check(&password)?;
        let login = account.login.clone();
        st.store.append(&actor, Event::AccountCreated { account })?;
        st.store.set_password(&actor, &login, hash_password(&password))?;
        Ok(login)
    })
    .await;
    let (st, created, errors) = match r {
        Ok(login) => (s.clone(), Some(login), Vec::new()),
        Err(e) => match refusals(e) {
            Ok(vs) => (s.clone(), None, vs),
            Err(e) => return page_error(Some(&me), e),
        },
    };
    if created.is_some() {
        return see_other("/staff/users");
    }
    match blocking(move || load_users(&st)).await {
        Ok(u) => {
            let mut r = page(
                &me,
                "用户与角色",
                vec![Crumb::here("用户与角色")],
                "/staff/users",
                users_main(&me, &u, &f, &errors, None),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(Some(&me), e),
    }
}

fn security_main(s: &AppState, me: &Me, settings: &SecuritySettings, saved: bool) -> Markup {
    let p = &s.passwords;
    let sp = &s.sessions;
    html! {
        @if saved { p.ok role="status" { "已保存。" } }
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

pub async fn security(State(s): State<AppState>, me: Me) -> Response {
    let store = s.store.clone();
    match blocking(move || Ok(store.security_settings()?)).await {
        Ok(set) => {
            page(&me, "安全设置", vec![Crumb::here("安全设置")], "/staff/security", security_main(&s, &me, &set, false))
        }
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn set_security(State(s): State<AppState>, me: Me, f: Fields) -> Response {
    let settings = SecuritySettings { totp_required: f.all("totp").iter().filter_map(|r| Role::parse(r)).collect() };
    let (store, actor, set) = (s.store.clone(), me.actor(), settings.clone());
    match blocking(move || Ok(store.append(&actor, Event::SecuritySettingsSet { settings: set })?)).await {
        Ok(_) => page(
            &me,
            "安全设置",
            vec![Crumb::here("安全设置")],
            "/staff/security",
            security_main(&s, &me, &settings, true),
        ),
        Err(e) => page_error(Some(&me), e),
    }
}

pub async fn audit(State(s): State<AppState>, me: Me, q: QueryMap) -> Response {
    let pg = Pager::new(q.i64("page").ok().flatten().unwrap_or(1), 50);
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    let day = |k: &str, next: bool| {
        q.str(k).and_then(|v| v.parse::<jiff::civil::Date>().ok()).and_then(|d| {
            let d = if next { d.tomorrow().ok()? } else { d };
            d.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
        })
    };
    let f = RecordFilter {
        actor: q.str("actor"),
        kind: q.str("kind"),
        subject: q.str("subject"),
        from: day("from", false),
        to: day("to", true),
    };
    let query: Vec<(&str, String)> =
        ["actor", "kind", "subject", "from", "to"].iter().map(|k| (*k, q.str(k).unwrap_or_default())).collect();
    let store = s.store.clone();
    match blocking(move || Ok(store.search_records(&f, Paging { offset: pg.offset(), limit: pg.per_page })?)).await {
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
