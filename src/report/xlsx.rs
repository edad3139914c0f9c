//! The workbook, `report.xlsx`: one sheet per list with a bold, frozen
//! header row, an autofilter, column widths fitted to the header and the
//! first rows, money as numbers shown `#,##0.00`, dates as Excel dates.
//! Lists marked `in_workbook: false` (the full data-quality list) are CSV only.
//!
//! Sheets are written in constant-memory mode: each row goes to a temp file
//! (inside the staging directory) as soon as it is written, so memory does
//! not grow with the run. A list longer than Excel's 1,048,575 data rows
//! continues on a sheet named `名称(2)`, `名称(3)`, …
//! The document's creation time is the run month, so the same run gives
//! the same bytes.

use super::csv::{cell_text, display_width};
use super::{Cell, Sheet, WORKBOOK};
use crate::output::{OutputError, Staging};
use crate::progress::Progress;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

const MAX_DATA_ROWS: usize = 1_048_575;
const MAX_WIDTH: usize = 60;
/// Rows measured for column widths: enough to see every kind of value.
const WIDTH_SAMPLE_ROWS: usize = 10_000;

/// The widest display width per column over the header and the first rows.
fn widths(sheet: &Sheet) -> Vec<usize> {
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| display_width(h)).collect();
    for i in 0..sheet.len.min(WIDTH_SAMPLE_ROWS) {
        for (k, cell) in sheet.row(i).iter().enumerate() {
            widths[k] = widths[k].max(display_width(&cell_text(cell)));
        }
    }
    widths
}

fn err(e: XlsxError) -> OutputError {
    OutputError::Io {
        path: WORKBOOK.into(),
        reason: e.to_string(),
    }
}

pub(crate) fn write(
    staging: &Staging,
    sheets: &[Sheet],
    run_month: &str,
    progress: &dyn Progress,
) -> Result<(), OutputError> {
    let mut workbook = Workbook::new();
    workbook.set_tempdir(staging.path("")).map_err(err)?;
    // Level 3 instead of the default 6: at 100k households it saves about a
    // third of the workbook's time for a file about 10% larger (docs/PERFORMANCE.md).
    workbook.set_zip_compression_level(3);
    let created = run_month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
        .and_then(|(y, m)| ExcelDateTime::from_ymd(y, m, 1).ok())
        .unwrap_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1).expect("a valid date"));
    workbook.set_properties(
        &DocProperties::new()
            .set_title("核对结果")
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let money = Format::new().set_num_format("#,##0.00");
    let score = Format::new().set_num_format("0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    for sheet in sheets.iter().filter(|s| s.in_workbook) {
        let widths = widths(sheet);
        let parts = sheet.len.div_ceil(MAX_DATA_ROWS).max(1);
        for part in 0..parts {
            let from = part * MAX_DATA_ROWS;
            let to = (from + MAX_DATA_ROWS).min(sheet.len);
            let ws = workbook.add_worksheet_with_constant_memory().map_err(err)?;
            if part == 0 {
                ws.set_name(sheet.name).map_err(err)?;
            } else {
                ws.set_name(format!("{}({})", sheet.name, part + 1))
                    .map_err(err)?;
            }
            let last_col = (sheet.headers.len() - 1) as u16;
            for (k, w) in widths.iter().enumerate() {
                let w = (*w).clamp(6, MAX_WIDTH) + 2;
                ws.set_column_width(k as u16, w as f64).map_err(err)?;
            }
            ws.set_freeze_panes(1, 0).map_err(err)?;
            ws.autofilter(0, 0, (to - from) as u32, last_col)
                .map_err(err)?;
            for (k, h) in sheet.headers.iter().enumerate() {
                ws.write_string_with_format(0, k as u16, *h, &header)
                    .map_err(err)?;
            }
            for i in from..to {
                let row = (i - from + 1) as u32;
                for (k, cell) in sheet.row(i).iter().enumerate() {
                    let col = k as u16;
                    match cell {
                        Cell::Text(s) if s.is_empty() => {}
                        Cell::Text(s) => {
                            ws.write_string(row, col, s.as_ref()).map_err(err)?;
                        }
                        Cell::Money(Some(d)) => {
                            // Excel holds numbers as f64; the exact amount is in the CSV and Parquet.
                            let x = d.to_f64().unwrap_or_default();
                            ws.write_number_with_format(row, col, x, &money)
                                .map_err(err)?;
                        }
                        Cell::Score(Some(x)) => {
                            ws.write_number_with_format(row, col, *x, &score)
                                .map_err(err)?;
                        }
                        Cell::Count(Some(n)) => {
                            ws.write_number(row, col, *n as f64).map_err(err)?;
                        }
                        Cell::Date(Some(d)) => {
                            use chrono::Datelike;
                            let x = ExcelDateTime::from_ymd(
                                d.year() as u16,
                                d.month() as u8,
                                d.day() as u8,
                            )
                            .map_err(err)?;
                            ws.write_date_with_format(row, col, &x, &date)
                                .map_err(err)?;
                        }
                        Cell::Money(None)
                        | Cell::Score(None)
                        | Cell::Count(None)
                        | Cell::Date(None) => {}
                    }
                }
                if i % 1024 == 1023 {
                    progress.advance(1024);
                }
            }
        }
        progress.advance((sheet.len % 1024) as u64);
    }
    let path = staging.path(WORKBOOK);
    workbook.save(&path).map_err(|e| OutputError::Io {
        path,
        reason: e.to_string(),
    })
}
