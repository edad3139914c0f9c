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

/// Appends `d` as `YYYY-MM-DD` without chrono's formatter, which reads its
/// format string for every cell (lists of a province have millions).
fn push_date(line: &mut String, d: chrono::NaiveDate) {
    use chrono::Datelike;
    if !(0..=9999).contains(&d.year()) {
        line.push_str(&d.format("%Y-%m-%d").to_string());
        return;
    }
    let mut b = [b'0'; 10];
    let put = |b: &mut [u8], n: u32| {
        let mut n = n;
        for slot in b.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(&mut b[0..4], d.year() as u32);
    b[4] = b'-';
    put(&mut b[5..7], d.month());
    b[7] = b'-';
    put(&mut b[8..10], d.day());
    line.push_str(std::str::from_utf8(&b).expect("ASCII digits"));
}

/// Appends `cells` as one CSV line (CRLF).
pub(crate) fn render_row(line: &mut String, cells: &[Cell]) {
    for (k, cell) in cells.iter().enumerate() {
        if k > 0 {
            line.push(',');
        }
        match cell {
            Cell::Text(s) => line.push_str(&quoted(s)),
            Cell::Count(Some(n)) => line.push_str(itoa::Buffer::new().format(*n)),
            Cell::Date(Some(d)) => push_date(line, *d),
            Cell::Money(Some(m)) => crate::rules::push_yuan(line, *m),
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

    proptest::proptest! {
        /// The fast paths write what the formatters write.
        #[test]
        fn amounts_dates_and_counts_read_as_formatted(
            mantissa in proptest::prelude::any::<i64>(),
            scale in 0u32..6,
            days in -1_000_000i32..4_000_000,
            count in proptest::prelude::any::<u64>(),
        ) {
            let money = rust_decimal::Decimal::new(mantissa, scale);
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(days).expect("in range");
            let cells = [Cell::Money(Some(money)), Cell::Date(Some(date)), Cell::Count(Some(count))];
            let mut line = String::new();
            render_row(&mut line, &cells);
            let expected = format!(
                "{},{},{}\r\n",
                crate::rules::yuan(money),
                date.format("%Y-%m-%d"),
                count
            );
            proptest::prop_assert_eq!(line, expected);
        }
    }

    #[test]
    fn zero_and_half_fen_amounts_read_as_formatted() {
        for text in [
            "0", "-0", "0.00", "0.005", "-0.005", "0.015", "-0.004", "12.345", "-12.355", "100",
            "7.1",
        ] {
            let money: rust_decimal::Decimal = text.parse().expect("a decimal");
            let mut line = String::new();
            render_row(&mut line, &[Cell::Money(Some(money))]);
            assert_eq!(line, format!("{}\r\n", crate::rules::yuan(money)), "{text}");
        }
    }
}
