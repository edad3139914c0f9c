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

/// Appends `cells` as one CSV line (CRLF).
pub(crate) fn render_row(line: &mut String, cells: &[Cell]) {
    for (k, cell) in cells.iter().enumerate() {
        if k > 0 {
            line.push(',');
        }
        match cell {
            Cell::Text(s) => line.push_str(&quoted(s)),
            other => line.push_str(&cell_text(other)),
        }
    }
    line.push_str("\r\n");
}

/// One list's CSV file being written, rows rendered elsewhere appended in order.
pub(crate) struct CsvList<'p> {
    path: &'p Path,
    out: std::io::BufWriter<std::fs::File>,
}

impl<'p> CsvList<'p> {
    /// Creates `path` and writes the BOM and the header row.
    pub fn new(path: &'p Path, headers: &[&str]) -> Result<CsvList<'p>, OutputError> {
        let file = std::fs::File::create(path).map_err(io(path))?;
        let mut list = CsvList {
            path,
            out: std::io::BufWriter::with_capacity(1 << 16, file),
        };
        let mut header = String::from("\u{feff}");
        header.push_str(&headers.join(","));
        header.push_str("\r\n");
        list.append(&header)?;
        Ok(list)
    }

    /// Appends rows rendered by [`render_row`].
    pub fn append(&mut self, rows: &str) -> Result<(), OutputError> {
        self.out.write_all(rows.as_bytes()).map_err(io(self.path))
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
