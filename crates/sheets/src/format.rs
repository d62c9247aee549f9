//! CSV and XLSX as tables of text cells.

use std::io::Cursor;

use calamine::{Data, Reader};

/// A sheet: a header row and data rows of text cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The sheet's key (`officers`), also the CSV file stem.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("CSV 文件 {file} 无法读取: {reason}")]
    Csv { file: String, reason: String },
    #[error("XLSX 文件无法读取: {0}")]
    Xlsx(String),
    #[error("XLSX 文件无法生成: {0}")]
    XlsxWrite(String),
}

const BOM: &str = "\u{feff}";

/// CSV in UTF-8 with a BOM (so spreadsheet programs open Chinese text correctly), CRLF.
pub fn write_csv(t: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::from(BOM.as_bytes()));
    w.write_record(&t.headers).expect("writing to memory");
    for r in &t.rows {
        w.write_record(r).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

pub fn read_csv(name: &str, bytes: &[u8]) -> Result<Table, FormatError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FormatError::Csv {
        file: name.into(),
        reason: format!("不是 UTF-8 编码（第 {} 字节）；请另存为 UTF-8 CSV", e.valid_up_to() + 1),
    })?;
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| FormatError::Csv { file: name.into(), reason: e.to_string() })?;
        rows.push(rec.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
    let headers = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
    Ok(Table { name: name.into(), headers, rows })
}

/// One worksheet per table, titled by `title(name)`. Deterministic: the same tables give
/// the same bytes (fixed document timestamps).
pub fn write_xlsx(tables: &[Table], title: impl Fn(&str) -> String) -> Result<Vec<u8>, FormatError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| FormatError::XlsxWrite(e.to_string());
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2019, 1, 1).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("zhifa"));
    let bold = Format::new().set_bold();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(title(&t.name)).map_err(err)?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
                }
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// Reads every worksheet; `key(title)` maps a sheet title back to a table name.
pub fn read_xlsx(bytes: &[u8], key: impl Fn(&str) -> String) -> Result<Vec<Table>, FormatError> {
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| FormatError::Xlsx(e.to_string()))?;
    let mut out = Vec::new();
    for title in wb.sheet_names() {
        let range = wb.worksheet_range(&title).map_err(|e| FormatError::Xlsx(e.to_string()))?;
        // Sheets are read from A1 so row numbers in errors match what the user sees.
        let (h, w) = range.end().map(|(r, c)| (r as usize + 1, c as usize + 1)).unwrap_or((0, 0));
        let mut rows = Vec::with_capacity(h);
        for r in 0..h {
            let mut row = Vec::with_capacity(w);
            for c in 0..w {
                row.push(cell_text(range.get_value((r as u32, c as u32))));
            }
            while row.last().is_some_and(|s| s.is_empty()) {
                row.pop();
            }
            rows.push(row);
        }
        let headers = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
        out.push(Table { name: key(&title), headers, rows });
    }
    Ok(out)
}

fn cell_text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Bool(b)) => if *b { "是" } else { "否" }.into(),
        Some(Data::DateTime(dt)) => {
            // Excel serial date: days since 1899-12-30.
            let days = dt.as_f64().floor() as i64;
            let base = jiff::civil::date(1899, 12, 30);
            base.checked_add(jiff::Span::new().days(days)).map(|d| d.to_string()).unwrap_or_default()
        }
        Some(Data::DateTimeIso(s)) => s.chars().take(10).collect(),
        Some(Data::DurationIso(s)) => s.clone(),
        Some(Data::Error(e)) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Table {
        Table {
            name: "officers".into(),
            headers: vec!["人员编号".into(), "姓名".into()],
            rows: vec![vec!["A1".into(), "王,\"伟\"".into()], vec!["A2".into(), "𬌗".into()]],
        }
    }

    #[test]
    fn csv_round_trips_with_bom_and_quotes() {
        let bytes = write_csv(&t());
        assert!(bytes.starts_with(BOM.as_bytes()));
        assert_eq!(read_csv("officers", &bytes).unwrap(), t());
    }

    #[test]
    fn xlsx_round_trips_and_is_deterministic() {
        let a = write_xlsx(&[t()], |n| format!("表-{n}")).unwrap();
        let b = write_xlsx(&[t()], |n| format!("表-{n}")).unwrap();
        assert_eq!(a, b);
        let back = read_xlsx(&a, |title| title.trim_start_matches("表-").to_string()).unwrap();
        assert_eq!(back, vec![t()]);
    }

    #[test]
    fn non_utf8_csv_is_refused_with_a_hint() {
        let e = read_csv("officers", b"\xc4\xe3\xba\xc3").unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }
}
