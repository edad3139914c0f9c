//! Frames the job's joins exchange with Rust, as Parquet bytes: a builder
//! of named columns, and typed readers (each casts, so a column Spark wrote
//! as another width reads the same).

use chrono::NaiveDate;
use hedui::link::LinkStats;
use polars::prelude::*;
use std::io::Cursor;

/// A frame from its Parquet bytes.
pub fn read(bytes: &[u8]) -> PolarsResult<DataFrame> {
    ParquetReader::new(Cursor::new(bytes)).finish()
}

/// A frame as Parquet bytes.
pub fn write(frame: &mut DataFrame) -> PolarsResult<Vec<u8>> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(frame)?;
    Ok(bytes)
}

fn cast(frame: &DataFrame, name: &str, to: &DataType) -> PolarsResult<Column> {
    frame.column(name)?.cast(to)
}

pub fn texts(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    let c = cast(frame, name, &DataType::String)?;
    Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

pub fn ints(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    Ok(cast(frame, name, &DataType::Int64)?.i64()?.iter().collect())
}

pub fn floats(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(cast(frame, name, &DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

/// Null reads as false.
pub fn flags(frame: &DataFrame, name: &str) -> PolarsResult<Vec<bool>> {
    let c = cast(frame, name, &DataType::Boolean)?;
    Ok(c.bool()?.iter().map(|v| v.unwrap_or(false)).collect())
}

pub fn dates(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<NaiveDate>>> {
    let days = cast(frame, name, &DataType::Date)?.cast(&DataType::Int32)?;
    Ok(days
        .i32()?
        .iter()
        .map(|d| d.and_then(|d| EPOCH.checked_add_signed(chrono::Duration::days(d.into()))))
        .collect())
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");

fn days(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

/// The columns of one kind of frame, filled a row at a time (every row
/// sets every column, in the same order).
#[derive(Default)]
pub struct Columns {
    names: Vec<&'static str>,
    values: Vec<Values>,
}

enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Flag(Vec<bool>),
    Date(Vec<Option<i32>>),
    Keys(Vec<Option<Vec<i64>>>),
}

/// The `LinkStats` fields as columns, in the job's order.
pub const STATS: [&str; 6] = [
    "id_exact",
    "id_other_person",
    "fuzzy",
    "no_key",
    "candidates_compared",
    "skewed_keys_skipped",
];

impl Columns {
    fn values(&mut self, name: &'static str, new: fn() -> Values) -> &mut Values {
        let at = match self.names.iter().position(|n| *n == name) {
            Some(at) => at,
            None => {
                self.names.push(name);
                self.values.push(new());
                self.names.len() - 1
            }
        };
        &mut self.values[at]
    }

    pub fn text(&mut self, name: &'static str, v: Option<&str>) {
        if let Values::Text(c) = self.values(name, || Values::Text(Vec::new())) {
            c.push(v.map(str::to_string));
        }
    }

    pub fn int(&mut self, name: &'static str, v: Option<i64>) {
        if let Values::Int(c) = self.values(name, || Values::Int(Vec::new())) {
            c.push(v);
        }
    }

    pub fn float(&mut self, name: &'static str, v: f64) {
        self.opt_float(name, Some(v));
    }

    pub fn opt_float(&mut self, name: &'static str, v: Option<f64>) {
        if let Values::Float(c) = self.values(name, || Values::Float(Vec::new())) {
            c.push(v);
        }
    }

    pub fn flag(&mut self, name: &'static str, v: bool) {
        if let Values::Flag(c) = self.values(name, || Values::Flag(Vec::new())) {
            c.push(v);
        }
    }

    pub fn date(&mut self, name: &'static str, v: Option<NaiveDate>) {
        if let Values::Date(c) = self.values(name, || Values::Date(Vec::new())) {
            c.push(v.map(days));
        }
    }

    pub fn keys(&mut self, name: &'static str, v: Option<&[i64]>) {
        if let Values::Keys(c) = self.values(name, || Values::Keys(Vec::new())) {
            c.push(v.map(<[i64]>::to_vec));
        }
    }

    /// A row's `LinkStats` (see [`STATS`]).
    pub fn stats(&mut self, s: &LinkStats) {
        let n = |v: u64| v as i64;
        self.counts([
            n(s.id_exact),
            n(s.id_other_person),
            n(s.fuzzy),
            n(s.no_key),
            n(s.candidates_compared),
            n(s.skewed_keys_skipped),
        ]);
    }

    /// A row's counts towards its file's `LinkStats` (see [`STATS`]);
    /// negative to take back what an earlier stage counted.
    pub fn counts(&mut self, counts: [i64; 6]) {
        for (name, v) in STATS.into_iter().zip(counts) {
            self.int(name, Some(v));
        }
    }

    pub fn frame(self) -> PolarsResult<DataFrame> {
        let mut columns = Vec::with_capacity(self.names.len());
        for (name, values) in self.names.into_iter().zip(self.values) {
            columns.push(column(name, values)?);
        }
        let height = columns.first().map_or(0, Column::len);
        DataFrame::new(height, columns)
    }
}

fn column(name: &'static str, values: Values) -> PolarsResult<Column> {
    Ok(match values {
        Values::Text(v) => Column::new(name.into(), v),
        Values::Int(v) => Column::new(name.into(), v),
        Values::Float(v) => Column::new(name.into(), v),
        Values::Flag(v) => Column::new(name.into(), v),
        Values::Date(v) => Column::new(name.into(), v).cast(&DataType::Date)?,
        Values::Keys(v) => {
            let values: usize = v.iter().flatten().map(Vec::len).sum();
            let mut b = ListPrimitiveChunkedBuilder::<Int64Type>::new(
                name.into(),
                v.len(),
                values,
                DataType::Int64,
            );
            for keys in &v {
                match keys {
                    Some(k) => b.append_slice(k),
                    None => b.append_null(),
                }
            }
            b.finish().into_series().into_column()
        }
    })
}
