//! The route table: every API route is added through [`Api::add`], which registers the
//! handler, the authorisation it needs, and its OpenAPI operation in one step, so the
//! document at `/api/openapi.json` is generated from the code that serves it.

use std::collections::BTreeMap;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::AppState;

pub use crate::auth::Access;

pub type SchemaFn = fn(&mut SchemaGenerator) -> schemars::Schema;

pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> schemars::Schema {
    g.subschema_for::<T>()
}

/// One operation's documentation.
pub struct Op {
    pub tag: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// (name, description) of query parameters.
    pub query: &'static [(&'static str, &'static str)],
    pub body: Option<SchemaFn>,
    /// Non-JSON request body media types (e.g. spreadsheets).
    pub body_media: &'static [&'static str],
    pub response: Option<SchemaFn>,
    /// Non-JSON response media type.
    pub response_media: Option<&'static str>,
}

impl Op {
    pub const fn new(tag: &'static str, summary: &'static str, access: Access) -> Op {
        Op { tag, summary, access, query: &[], body: None, body_media: &[], response: None, response_media: None }
    }
    pub const fn query(mut self, q: &'static [(&'static str, &'static str)]) -> Op {
        self.query = q;
        self
    }
    pub fn body(mut self, s: SchemaFn) -> Op {
        self.body = Some(s);
        self
    }
    pub fn body_media(mut self, m: &'static [&'static str]) -> Op {
        self.body_media = m;
        self
    }
    pub fn returns(mut self, s: SchemaFn) -> Op {
        self.response = Some(s);
        self
    }
    pub fn returns_media(mut self, m: &'static str) -> Op {
        self.response_media = Some(m);
        self
    }
}

/// A registered route, for the route-enumeration tests.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

pub struct Api {
    pub router: Router<AppState>,
    paths: BTreeMap<&'static str, Map<String, Value>>,
    generator: SchemaGenerator,
    pub routes: Vec<RouteInfo>,
    state: AppState,
}

impl Api {
    pub fn new(state: AppState) -> Api {
        Api {
            router: Router::new(),
            paths: BTreeMap::new(),
            generator: SchemaGenerator::new(SchemaSettings::openapi3()),
            routes: Vec::new(),
            state,
        }
    }

    pub fn add<H, T>(mut self, method: Method, path: &'static str, op: Op, handler: H) -> Api
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("standard method");
        let access = op.access;
        let route = on(filter, handler)
            .route_layer(axum::middleware::from_fn_with_state((self.state.clone(), access), crate::auth::authorise));
        self.router = self.router.route(path, route);
        self.routes.push(RouteInfo { method: method.clone(), path, access });
        let doc = self.operation(path, &op);
        self.paths.entry(path).or_default().insert(method.as_str().to_lowercase(), doc);
        self
    }

    fn operation(&mut self, path: &str, op: &Op) -> Value {
        let mut params = Vec::new();
        for seg in path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
            }
        }
        for (name, desc) in op.query {
            params.push(json!({"name": name, "in": "query", "required": false, "description": desc, "schema": {"type": "string"}}));
        }
        let mut o = json!({
            "tags": [op.tag],
            "summary": op.summary,
            "parameters": params,
            "responses": {},
        });
        let mut ok = json!({"description": "成功"});
        if let Some(f) = op.response {
            ok["content"] = json!({"application/json": {"schema": f(&mut self.generator)}});
        } else if let Some(m) = op.response_media {
            ok["content"] = json!({m: {"schema": {"type": "string", "format": "binary"}}});
        }
        o["responses"]["200"] = ok;
        o["responses"]["400"] = json!({"description": "请求格式错误（SEC-5）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        o["responses"]["422"] = json!({"description": "业务规则拒绝（响应体给出 DOMAIN 规则编号）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        if let Some(f) = op.body {
            o["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": f(&mut self.generator)}}});
        } else if !op.body_media.is_empty() {
            let content: Map<String, Value> = op
                .body_media
                .iter()
                .map(|m| (m.to_string(), json!({"schema": {"type": "string", "format": "binary"}})))
                .collect();
            o["requestBody"] = json!({"required": true, "content": content});
        }
        if let Access::Roles(roles) = op.access {
            o["security"] = json!([{"bearer": []}]);
            o["x-roles"] = json!(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>());
            o["responses"]["401"] = json!({"description": "未认证（SEC-1）"});
            o["responses"]["403"] = json!({"description": "角色无权（SEC-2）"});
        }
        o
    }

    /// The OpenAPI 3 document and the router.
    pub fn finish(mut self) -> (Router<AppState>, Value, Vec<RouteInfo>) {
        let mut schemas: Map<String, Value> = self.generator.take_definitions(true).into_iter().collect();
        schemas.insert(
            "Error".into(),
            json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
                "rule": {"type": "string", "description": "DOMAIN.md 规则编号，如 SUBJ-1"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "rows": {"type": "array", "items": {"type": "object"}}
            }, "required": ["rule", "message"]}}}),
        );
        let doc = json!({
            "openapi": "3.0.3",
            "info": {
                "title": "Zhifa 行政执法平台 API",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "行政执法三项制度平台的 JSON API。公开数据无需认证；写操作需 Bearer 令牌（zhifa token create）。"
            },
            "paths": self.paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
            }
        });
        (self.router, doc, self.routes)
    }
}
