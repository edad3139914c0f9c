//! A list as CSV: UTF-8 with a BOM (so Excel and WPS open the Chinese text
//! correctly), a header row, RFC 4180 quoting, money with 2 decimals, dates
//! as YYYY-MM-DD.

use super::Cell;
use crate::output::{io, OutputError};
use std::io::Write;
use std::path::Path;

/// Excel's unit is roughly one Latin character; a CJK character takes two.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

pub(crate) fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.to_string(),
        Cell::Money(m) => m.map_or(String::new(), crate::rules::yuan),
        Cell::Date(d) => d.map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
        Cell::Count(n) => n.map_or(String::new(), |n| n.to_string()),
        Cell::Score(x) => x.map_or(String::new(), |x| format!("{x:.2}")),
    }
}

fn quoted(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// One list's CSV file being written, a row at a time.
pub(crate) struct CsvList<'p> {
    path: &'p Path,
    out: std::io::BufWriter<std::fs::File>,
    line: String,
}

impl<'p> CsvList<'p> {
    /// Creates `path` and writes the BOM and the header row.
    pub fn new(path: &'p Path, headers: &[&str]) -> Result<CsvList<'p>, OutputError> {
        let file = std::fs::File::create(path).map_err(io(path))?;
        let mut list = CsvList {
            path,
            out: std::io::BufWriter::with_capacity(1 << 16, file),
            line: String::from("\u{feff}"),
        };
        list.line.push_str(&headers.join(","));
        list.end_line()?;
        Ok(list)
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        self.line.push_str("\r\n");
        self.out
            .write_all(self.line.as_bytes())
            .map_err(io(self.path))?;
        self.line.clear();
        Ok(())
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), OutputError> {
        for (k, cell) in cells.iter().enumerate() {
            if k > 0 {
                self.line.push(',');
            }
            match cell {
                Cell::Text(s) => self.line.push_str(&quoted(s)),
                other => self.line.push_str(&cell_text(other)),
            }
        }
        self.end_line()
    }

    pub fn finish(mut self) -> Result<(), OutputError> {
        self.out.flush().map_err(io(self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_commas_quotes_or_newlines_is_quoted() {
        assert_eq!(quoted("王芳"), "王芳");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("说\"是\""), "\"说\"\"是\"\"\"");
        assert_eq!(display_width("王芳ab"), 6);
    }
}
