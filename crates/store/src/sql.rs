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

/// Where rows came from, so a value of the wrong type can be named: the table the query
/// reads (or the start of the query when it reads none) and the column names.
#[derive(Debug)]
pub struct RowSource {
    pub table: String,
    pub columns: Vec<String>,
}

impl RowSource {
    /// The source of rows of `sql` with these columns.
    pub fn of_query(sql: &str, columns: Vec<String>) -> RowSource {
        RowSource { table: table_of(sql), columns }
    }
}

/// The first table a query reads (`FROM name`), else the query's first words.
fn table_of(sql: &str) -> String {
    let lower = sql.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(i) = lower[from..].find("from").map(|i| i + from) {
        from = i + 4;
        let bounded_before = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let spaced_after = bytes.get(i + 4).is_some_and(u8::is_ascii_whitespace);
        if !(bounded_before && spaced_after) {
            continue;
        }
        let rest = sql[i + 4..].trim_start();
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            return name;
        }
    }
    let words: Vec<&str> = sql.split_whitespace().collect();
    let mut head = words.join(" ");
    if let Some((cut, _)) = head.char_indices().nth(60) {
        head.truncate(cut);
        head.push('…');
    }
    format!("「{head}」")
}

/// One result row. Its accessors never panic: a missing column or a value of another type
/// is [`StoreError::CorruptColumn`], naming the table and column.
#[derive(Debug, Clone)]
pub struct Row {
    values: Vec<Value>,
    source: std::sync::Arc<RowSource>,
}

impl Row {
    pub fn new(values: Vec<Value>, source: std::sync::Arc<RowSource>) -> Row {
        Row { values, source }
    }

    /// The raw value of column `i`.
    pub fn value(&self, i: usize) -> Result<&Value, StoreError> {
        self.values.get(i).ok_or_else(|| self.corrupt(i, format!("结果只有 {} 列", self.values.len())))
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.value(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(self.wrong_type(i, "整数", other)),
        }
    }

    pub fn text(&self, i: usize) -> Result<&str, StoreError> {
        match self.value(i)? {
            Value::Text(v) => Ok(v),
            other => Err(self.wrong_type(i, "文本", other)),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.value(i)? {
            Value::Text(v) => Ok(Some(v)),
            Value::Null => Ok(None),
            other => Err(self.wrong_type(i, "文本或空值", other)),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.value(i)? {
            Value::Int(v) => Ok(Some(*v)),
            Value::Null => Ok(None),
            other => Err(self.wrong_type(i, "整数或空值", other)),
        }
    }

    /// Column `i`, a JSON text, parsed.
    pub fn json<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<T, StoreError> {
        serde_json::from_str(self.text(i)?).map_err(|e| self.corrupt(i, format!("JSON 无法解析: {e}")))
    }

    /// The error for column `i` of this row: names the table and the column, never the value
    /// (it may be private case content).
    pub fn corrupt(&self, i: usize, problem: impl Into<String>) -> StoreError {
        let column = self.source.columns.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
        StoreError::CorruptColumn { table: self.source.table.clone(), column, problem: problem.into() }
    }

    fn wrong_type(&self, i: usize, expected: &str, found: &Value) -> StoreError {
        let found = match found {
            Value::Null => "空值",
            Value::Int(_) => "整数",
            Value::Text(_) => "文本",
        };
        self.corrupt(i, format!("应为{expected}，实为{found}"))
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
        // Named once per query, and only when it returns rows.
        let mut source: Option<std::sync::Arc<RowSource>> = None;
        while let Some(r) = rows.next()? {
            let source = source.get_or_insert_with(|| {
                let names = r.as_ref().column_names().map(str::to_owned).collect();
                std::sync::Arc::new(RowSource::of_query(sql, names))
            });
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
            out.push(Row::new(vals, source.clone()));
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

fn pg_row(r: &postgres::Row, source: &std::sync::Arc<RowSource>) -> Result<Row, StoreError> {
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
    Ok(Row::new(vals, source.clone()))
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
        let rows = self.0.query(&stmt, &refs)?;
        let Some(first) = rows.first() else { return Ok(Vec::new()) };
        let source = std::sync::Arc::new(RowSource::of_query(
            sql,
            first.columns().iter().map(|c| c.name().to_owned()).collect(),
        ));
        rows.iter().map(|r| pg_row(r, &source)).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.batch_execute(sql)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn placeholders_are_rewritten_for_sqlite() {
        assert_eq!(super::sqlite_sql("SELECT $1, $12"), "SELECT ?1, ?12");
    }

    fn tile_row(width: Value) -> Row {
        let source = RowSource::of_query(
            "SELECT width, data FROM log_tiles WHERE level = $1 AND idx = $2",
            vec!["width".into(), "data".into()],
        );
        Row::new(vec![width, Value::Text("00".into())], Arc::new(source))
    }

    fn corrupt_column(e: StoreError) -> (String, String, String) {
        match e {
            StoreError::CorruptColumn { table, column, problem } => (table, column, problem),
            other => panic!("expected CorruptColumn, got {other:?}"),
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_is_a_corrupt_column_naming_table_and_column() {
        let row = tile_row(Value::Text("12".into()));
        let (table, column, problem) = corrupt_column(row.int(0).unwrap_err());
        assert_eq!((table.as_str(), column.as_str()), ("log_tiles", "width"));
        assert_eq!(problem, "应为整数，实为文本");
        assert_eq!(row.int(0).unwrap_err().to_string(), "数据损坏: log_tiles.width: 应为整数，实为文本");
        // The value itself is never in the message (it may be private case content).
        let row = tile_row(Value::Text("秘密".into()));
        assert!(!row.int(0).unwrap_err().to_string().contains("秘密"));

        let row = tile_row(Value::Null);
        assert_eq!(corrupt_column(row.int(0).unwrap_err()).2, "应为整数，实为空值");
        assert_eq!(row.opt_int(0).unwrap(), None);
        assert_eq!(corrupt_column(row.text(0).unwrap_err()).1, "width");

        let row = tile_row(Value::Int(3));
        assert_eq!(row.int(0).unwrap(), 3);
        assert_eq!(corrupt_column(row.opt_text(0).unwrap_err()).2, "应为文本或空值，实为整数");
        assert_eq!(corrupt_column(row.json::<u8>(1).unwrap_err()).1, "data");
        let (_, column, problem) = corrupt_column(row.text(5).unwrap_err());
        assert_eq!((column.as_str(), problem.as_str()), ("#5", "结果只有 2 列"));
    }

    #[test]
    fn the_table_is_the_first_one_the_query_reads() {
        assert_eq!(table_of("SELECT MAX(seq) FROM records"), "records");
        assert_eq!(table_of("SELECT r.seq FROM records r JOIN log_leaves l ON l.seq = r.seq"), "records");
        assert_eq!(table_of("select x\nfrom\n  cases WHERE 1"), "cases");
        assert_eq!(table_of("SELECT from_date FROM (SELECT from_date FROM items) sub"), "items");
        assert_eq!(table_of("SELECT to_regclass('meta')::text"), "「SELECT to_regclass('meta')::text」");
    }
}
