//! A narrow SQL layer that lets one set of queries run on SQLite and PostgreSQL.
//!
//! Queries are written once, in the common dialect, with `$1, $2, …` placeholders;
//! SQLite gets them rewritten to `?1, ?2, …`. Only three value types cross the boundary
//! (64-bit integers, text, NULL), so there is no type-mapping surprise between the two.
//! Integers are `BIGINT` columns on PostgreSQL.

use std::borrow::Cow;

use crate::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(v as i64)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn int(&self, i: usize) -> i64 {
        match &self.0[i] {
            Value::Int(v) => *v,
            other => panic!("column {i}: expected integer, got {other:?}"),
        }
    }
    pub fn text(&self, i: usize) -> &str {
        match &self.0[i] {
            Value::Text(v) => v,
            other => panic!("column {i}: expected text, got {other:?}"),
        }
    }
    pub fn opt_text(&self, i: usize) -> Option<&str> {
        match &self.0[i] {
            Value::Text(v) => Some(v),
            Value::Null => None,
            other => panic!("column {i}: expected text, got {other:?}"),
        }
    }
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match &self.0[i] {
            Value::Int(v) => Some(*v),
            Value::Null => None,
            other => panic!("column {i}: expected integer, got {other:?}"),
        }
    }
    pub fn json<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<T, StoreError> {
        serde_json::from_str(self.text(i)).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
    }
}

/// A connection or transaction. Object-safe so registry code is written once.
pub trait Conn {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
}

/// `$1` → `?1` for SQLite. `$` appears in our SQL only as a placeholder.
pub(crate) fn sqlite_sql(sql: &str) -> Cow<'_, str> {
    if sql.contains('$') { Cow::Owned(sql.replace('$', "?")) } else { Cow::Borrowed(sql) }
}

pub(crate) struct SqliteConn<'a>(pub &'a rusqlite::Connection);

impl Conn for SqliteConn<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(&sqlite_sql(sql))?;
        let n = stmt.execute(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(&sqlite_sql(sql))?;
        let cols = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut vals = Vec::with_capacity(cols);
            for i in 0..cols {
                vals.push(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => Value::Int(v),
                    rusqlite::types::ValueRef::Real(v) => Value::Int(v as i64),
                    rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    rusqlite::types::ValueRef::Blob(b) => Value::Text(hex::encode(b)),
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.execute_batch(sql)?;
        Ok(())
    }
}

struct SqliteParam<'a>(&'a Value);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A pooled PostgreSQL connection with its prepared statements, so each query is parsed
/// once per connection rather than on every call.
pub(crate) struct PgClient {
    pub client: postgres::Client,
    pub statements: std::collections::HashMap<String, postgres::Statement>,
}

impl PgClient {
    pub fn new(client: postgres::Client) -> PgClient {
        PgClient { client, statements: Default::default() }
    }
}

pub(crate) struct PgConn<'a, C: postgres::GenericClient>(
    pub &'a mut C,
    pub &'a mut std::collections::HashMap<String, postgres::Statement>,
);

impl<C: postgres::GenericClient> PgConn<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = self.1.get(sql) {
            return Ok(s.clone());
        }
        let s = self.0.prepare(sql)?;
        self.1.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

#[derive(Debug)]
struct PgParam<'a>(&'a Value);

impl postgres::types::ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => (*v as i16).to_sql(ty, out),
                Type::INT4 => (*v as i32).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_ty: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn pg_params<'a>(params: &'a [Value]) -> Vec<PgParam<'a>> {
    params.iter().map(PgParam).collect()
}

fn pg_row(r: &postgres::Row) -> Result<Row, StoreError> {
    use postgres::types::Type;
    let mut vals = Vec::with_capacity(r.len());
    for (i, c) in r.columns().iter().enumerate() {
        let v = match *c.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(v as i64)),
            Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(v as i64)),
            Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|v| Value::Int(v as i64)),
            _ => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
        };
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(vals))
}

impl<C: postgres::GenericClient> Conn for PgConn<'_, C> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let stmt = self.statement(sql)?;
        let ps = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = ps.iter().map(|p| p as _).collect();
        Ok(self.0.execute(&stmt, &refs)?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let stmt = self.statement(sql)?;
        let ps = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = ps.iter().map(|p| p as _).collect();
        self.0.query(&stmt, &refs)?.iter().map(pg_row).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.batch_execute(sql)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_rewritten_for_sqlite() {
        assert_eq!(super::sqlite_sql("SELECT $1, $12"), "SELECT ?1, ?12");
    }
}
