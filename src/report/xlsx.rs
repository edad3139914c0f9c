//! The workbook, `report.xlsx`: one sheet per list with a bold, frozen
//! header row, an autofilter, column widths fitted to the header and the
//! first rows, money as numbers shown `#,##0.00`, dates as Excel dates.
//!
//! Sheets are constant-memory worksheets: each row goes to a temp file
//! (inside the staging directory) as soon as it is written, so memory does
//! not grow with the run, and each list's worksheets are owned by the task
//! that writes that list, so lists are written in parallel. A list longer
//! than Excel's 1,048,575 data rows continues on a sheet named `名称(2)`,
//! `名称(3)`, …
//!
//! Determinism: the formats are registered in one fixed order before any
//! worksheet is written (a format's index is otherwise given at its first
//! use, which parallel writers would race for), the sheets are added in list
//! order, and the document's creation time is the run month.

use super::csv::{cell_text, display_width};
use super::{Cell, Sheet, WORKBOOK};
use crate::output::{OutputError, Staging};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

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

/// The cell formats, shared by every sheet.
pub(crate) struct Formats {
    header: Format,
    money: Format,
    score: Format,
    date: Format,
}

/// The workbook being written: its worksheets are handed out with
/// [`Book::worksheets`], filled by [`List`]s, and given back in order.
pub(crate) struct Book {
    workbook: Workbook,
    pub formats: Formats,
}

impl Book {
    pub fn new(staging: &Staging, run_month: &str) -> Result<Book, OutputError> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(staging.path("")).map_err(err)?;
        // Level 1: the zip is written on one thread after every sheet is
        // done, and at 1M households level 3 cost a few seconds more for a
        // file about a tenth smaller (docs/PERFORMANCE.md).
        workbook.set_zip_compression_level(1);
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
        let formats = Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("#DDEBF7")
                .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin),
            money: Format::new().set_num_format("#,##0.00"),
            score: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        };
        for f in [
            &formats.header,
            &formats.money,
            &formats.score,
            &formats.date,
        ] {
            workbook.register_format(f);
        }
        Ok(Book { workbook, formats })
    }

    /// The empty worksheets of `sheet` (one per 1,048,575 rows).
    pub fn worksheets(&mut self, sheet: &Sheet) -> Result<Vec<Worksheet>, OutputError> {
        let parts = sheet.len.div_ceil(MAX_DATA_ROWS).max(1);
        (0..parts)
            .map(|part| {
                let mut ws = self
                    .workbook
                    .new_worksheet_with_constant_memory()
                    .map_err(err)?;
                if part == 0 {
                    ws.set_name(sheet.name).map_err(err)?;
                } else {
                    ws.set_name(format!("{}({})", sheet.name, part + 1))
                        .map_err(err)?;
                }
                Ok(ws)
            })
            .collect()
    }

    pub fn save(
        mut self,
        staging: &Staging,
        sheets: Vec<Vec<Worksheet>>,
    ) -> Result<(), OutputError> {
        for ws in sheets.into_iter().flatten() {
            self.workbook.push_worksheet(ws);
        }
        let path = staging.path(WORKBOOK);
        self.workbook.save(&path).map_err(|e| OutputError::Io {
            path,
            reason: e.to_string(),
        })
    }
}

/// One list's worksheets being filled, a row at a time.
pub(crate) struct List<'f> {
    formats: &'f Formats,
    worksheets: Vec<Worksheet>,
    len: usize,
    widths: Vec<usize>,
}

impl<'f> List<'f> {
    /// Sets header, frozen pane and filter on each worksheet.
    pub fn new(
        formats: &'f Formats,
        mut worksheets: Vec<Worksheet>,
        sheet: &Sheet,
    ) -> Result<List<'f>, OutputError> {
        let widths = widths(sheet);
        let last_col = (sheet.headers.len() - 1) as u16;
        for (part, ws) in worksheets.iter_mut().enumerate() {
            let from = part * MAX_DATA_ROWS;
            let to = (from + MAX_DATA_ROWS).min(sheet.len);
            ws.set_freeze_panes(1, 0).map_err(err)?;
            ws.autofilter(0, 0, (to - from) as u32, last_col)
                .map_err(err)?;
            for (k, h) in sheet.headers.iter().enumerate() {
                ws.write_string_with_format(0, k as u16, *h, &formats.header)
                    .map_err(err)?;
            }
        }
        Ok(List {
            formats,
            worksheets,
            len: sheet.len,
            widths,
        })
    }

    /// Writes row `i` of the list (rows come in order).
    pub fn row(&mut self, i: usize, cells: Vec<Cell>) -> Result<(), OutputError> {
        debug_assert!(i < self.len);
        let ws = &mut self.worksheets[i / MAX_DATA_ROWS];
        let row = (i % MAX_DATA_ROWS + 1) as u32;
        let f = self.formats;
        for (k, cell) in cells.into_iter().enumerate() {
            let col = k as u16;
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    // An owned string is handed over, not copied.
                    ws.write_string(row, col, s.into_owned()).map_err(err)?;
                }
                Cell::Money(Some(d)) => {
                    // Excel holds numbers as f64; the exact amount is in the CSV and Parquet.
                    let x = d.to_f64().unwrap_or_default();
                    ws.write_number_with_format(row, col, x, &f.money)
                        .map_err(err)?;
                }
                Cell::Score(Some(x)) => {
                    ws.write_number_with_format(row, col, x, &f.score)
                        .map_err(err)?;
                }
                Cell::Count(Some(n)) => {
                    ws.write_number(row, col, n as f64).map_err(err)?;
                }
                Cell::Date(Some(d)) => {
                    use chrono::Datelike;
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(err)?;
                    ws.write_date_with_format(row, col, &x, &f.date)
                        .map_err(err)?;
                }
                Cell::Money(None) | Cell::Score(None) | Cell::Count(None) | Cell::Date(None) => {}
            }
        }
        Ok(())
    }

    /// Sets the column widths, now that the rows are written: a worksheet
    /// with column settings looks each written cell's column up in them
    /// (a hash per cell), and in constant-memory mode the widths are written
    /// out only when the workbook is saved anyway.
    pub fn finish(mut self) -> Result<Vec<Worksheet>, OutputError> {
        for ws in &mut self.worksheets {
            for (k, w) in self.widths.iter().enumerate() {
                let w = (*w).clamp(6, MAX_WIDTH) + 2;
                ws.set_column_width(k as u16, w as f64).map_err(err)?;
            }
        }
        Ok(self.worksheets)
    }
}
