//! A list as CSV: UTF-8 with a BOM (so Excel and WPS open the Chinese text
//! correctly), a header row, RFC 4180 quoting, money with 2 decimals, dates
//! as YYYY-MM-DD.

use super::{Cell, Sheet};
use crate::output::{io, OutputError};
use crate::progress::Progress;
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

/// Writes `sheet` to `path`.
pub(crate) fn write(
    path: &Path,
    sheet: &Sheet,
    progress: &dyn Progress,
) -> Result<(), OutputError> {
    let file = std::fs::File::create(path).map_err(io(path))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut line = String::from("\u{feff}");
    line.push_str(&sheet.headers.join(","));
    line.push_str("\r\n");
    out.write_all(line.as_bytes()).map_err(io(path))?;
    for i in 0..sheet.len {
        line.clear();
        for (k, cell) in sheet.row(i).iter().enumerate() {
            let text = cell_text(cell);
            if k > 0 {
                line.push(',');
            }
            line.push_str(&quoted(&text));
        }
        line.push_str("\r\n");
        out.write_all(line.as_bytes()).map_err(io(path))?;
        if i % 1024 == 1023 {
            progress.advance(1024);
        }
    }
    progress.advance((sheet.len % 1024) as u64);
    out.flush().map_err(io(path))
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
