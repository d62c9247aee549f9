//! Import and export of the registries as spreadsheets (an XLSX workbook, or one table as
//! CSV): an import is written wholly or not at all, and a refused one names every bad
//! row. The API, the staff pages and the CLI (`zhifa import`) import through here.

use schemars::JsonSchema;
use serde::Serialize;
use zhifa_domain::account::Account;
use zhifa_sheets::{RowError, Table};
use zhifa_store::{Actor, AppendError, Store};

use crate::App;
use crate::access::{self, REGISTRARS};
use crate::accounts::actor;
use crate::error::{Error, Result, bad};

#[derive(Serialize, JsonSchema)]
pub struct ImportResult {
    /// Records written.
    pub records: usize,
}

/// Imports tables wholly or not at all; on refusal, every bad row.
pub fn import_tables(store: &Store, actor: &Actor, tables: &[Table]) -> std::result::Result<usize, Vec<RowError>> {
    let internal = |e: String| vec![RowError { sheet: "-".into(), row: 0, column: None, message: e }];
    let existing = store.snapshot().map_err(|e| internal(e.to_string()))?;
    let planned = zhifa_sheets::import(tables, &existing)?;
    let (origins, events): (Vec<_>, Vec<_>) = planned.into_iter().unzip();
    match store.append_batch(actor, events) {
        Ok(records) => Ok(records.len()),
        Err(AppendError::RefusedMany(refused)) => Err(refused
            .into_iter()
            .map(|(i, v)| RowError {
                sheet: origins[i].sheet.into(),
                row: origins[i].row,
                column: v.field.clone(),
                message: v.to_string(),
            })
            .collect()),
        Err(e) => Err(internal(e.to_string())),
    }
}

/// A registrar's import of a workbook (`format` `xlsx`, the default) or of one table as
/// CSV (`format` `csv`, `sheet` naming the table): every bad row refuses it all.
pub fn import(app: &App, me: &Account, format: Option<&str>, sheet: Option<&str>, body: &[u8]) -> Result<ImportResult> {
    access::require(me, REGISTRARS)?;
    let tables = match format.unwrap_or("xlsx") {
        "xlsx" => zhifa_sheets::read_workbook(body).map_err(|e| bad("body", e.to_string()))?,
        "csv" => {
            let sheet = sheet.ok_or_else(|| bad("sheet", "CSV 导入须给出 sheet 参数"))?;
            let key = zhifa_sheets::sheet_key(sheet);
            if !zhifa_sheets::SHEETS.iter().any(|s| s.0 == key) {
                return Err(bad("sheet", format!("未知的工作表「{sheet}」")));
            }
            vec![zhifa_sheets::read_csv(&key, body).map_err(|e| bad("body", e.to_string()))?]
        }
        other => return Err(bad("format", format!("format=「{other}」应为 xlsx 或 csv"))),
    };
    let n = import_tables(&app.store, &actor(me), &tables)
        .map_err(|rows| Error::Rows(rows.iter().map(|r| serde_json::to_value(r).expect("serializable")).collect()))?;
    Ok(ImportResult { records: n })
}

/// An exported file.
pub struct Export {
    pub content_type: &'static str,
    /// The file's name for the download.
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A registrar's export of the registries: the whole workbook (`format` `xlsx`, the
/// default) or one table as CSV (`format` `csv`, `sheet` naming it).
pub fn export(app: &App, me: &Account, format: Option<&str>, sheet: Option<&str>) -> Result<Export> {
    access::require(me, REGISTRARS)?;
    let tables = zhifa_sheets::export(&app.store.snapshot()?);
    match format.unwrap_or("xlsx") {
        "xlsx" => Ok(Export {
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename: "zhifa-registry.xlsx".into(),
            bytes: zhifa_sheets::write_xlsx(&tables).map_err(|e| Error::Internal(e.to_string()))?,
        }),
        "csv" => {
            let sheet = sheet.ok_or_else(|| bad("sheet", "CSV 导出须给出 sheet 参数"))?;
            let key = zhifa_sheets::sheet_key(sheet);
            let t = tables
                .iter()
                .find(|t| t.name == key)
                .ok_or_else(|| bad("sheet", format!("未知的工作表「{sheet}」")))?;
            Ok(Export {
                content_type: "text/csv; charset=utf-8",
                filename: format!("{key}.csv"),
                bytes: zhifa_sheets::write_csv(t),
            })
        }
        other => Err(bad("format", format!("format=「{other}」应为 xlsx 或 csv"))),
    }
}
