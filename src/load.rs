//! Load: a data directory's Parquet files → one [`Table`] per dataset, every
//! contract column present in one canonical polars type.
//!
//! A dataset is `NAME.parquet` or a directory `NAME/` of Parquet files (hive
//! partitions allowed). Rows keep their `row_index`: the 0-based position in
//! the dataset, files sorted by path, rows in file order. Schemas of every
//! present dataset are checked before any row is read.
//!
//! Canonical types: text and codes → `String`, money → `Decimal(38, 2)`,
//! dates → `Date`, booleans → `Boolean`, integers → `Int64`, floats →
//! `Float64`. Values that cannot be converted (an unparsable date string, a
//! money string like "abc") become null and a [`DataQuality`] row; they never
//! fail the run.

use crate::quality::{DataQuality, Problem};
use crate::schema::{ColumnKind, ColumnSpec, Dataset};
use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Errors that make a run untrustworthy: a missing required dataset, an
/// unreadable file, a missing column or a column of an unusable type.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("data directory {0} does not exist or is not a directory")]
    NoDataDir(PathBuf),
    #[error("required dataset `{dataset}` ({label}) is missing: expected {dir}/{dataset}.parquet or a directory {dir}/{dataset}/ of Parquet files")]
    MissingDataset {
        dataset: Dataset,
        label: &'static str,
        dir: String,
    },
    #[error("dataset `{dataset}` is given twice: both {dataset}.parquet and a directory {dataset}/ exist; keep one")]
    Ambiguous { dataset: Dataset },
    #[error("dataset `{dataset}` ({label}): directory {path} holds no .parquet files")]
    EmptyDirectory {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
    },
    #[error("dataset `{dataset}` ({label}): cannot read Parquet file {path}: {reason}")]
    Unreadable {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error(
        "dataset `{dataset}` ({label}): file {path} has no column `{column}` ({}; expected {expected})",
        column_label(*.dataset, .column)
    )]
    MissingColumn {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
        column: &'static str,
        expected: &'static str,
    },
    #[error(
        "dataset `{dataset}` ({label}): column `{column}` ({}) in {path} is of type {found}; expected {expected}",
        column_label(*.dataset, .column)
    )]
    WrongType {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
        column: &'static str,
        expected: &'static str,
        found: String,
    },
}

/// A column's Chinese label, for the errors that name it.
fn column_label(dataset: Dataset, column: &str) -> &'static str {
    dataset.column(column).map_or("", |c| c.label_zh)
}

/// One input file as read, for run.json.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InputFile {
    /// Path relative to the data directory.
    pub path: String,
    pub rows: usize,
    pub blake3: String,
}

/// One dataset, or one file of it ([`Discovered::read_part`]): its contract
/// columns in canonical types, rows in `row_index` order.
#[derive(Debug, Clone)]
pub struct Table {
    pub dataset: Dataset,
    pub frame: DataFrame,
    pub files: Vec<InputFile>,
    /// The `row_index` of the first row: 0 for a whole dataset, the rows of
    /// the files before it for a part.
    pub first_row: u64,
}

impl Table {
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    fn column(&self, name: &str) -> &Column {
        self.frame
            .column(name)
            .expect("load guarantees every contract column")
    }

    /// A text or code column.
    pub fn text(&self, name: &str) -> &StringChunked {
        self.column(name)
            .str()
            .expect("text columns are String after load")
    }

    pub fn money(&self, name: &str) -> impl Iterator<Item = Option<Decimal>> + '_ {
        let ca = self
            .column(name)
            .decimal()
            .expect("money columns are Decimal after load");
        let scale = ca.scale() as u32;
        ca.physical()
            .iter()
            .map(move |v| v.map(|v| Decimal::from_i128_with_scale(v, scale)))
    }

    pub fn date(&self, name: &str) -> impl Iterator<Item = Option<NaiveDate>> + '_ {
        let ca = self
            .column(name)
            .date()
            .expect("date columns are Date after load");
        ca.physical().iter().map(|v| v.map(days_to_date))
    }

    /// A money column for reading by row: O(1) per row on a single-chunk
    /// table, no copy of the column.
    pub fn money_by_row(&self, name: &str) -> impl Fn(usize) -> Option<Decimal> + '_ {
        let ca = self
            .column(name)
            .decimal()
            .expect("money columns are Decimal after load");
        let scale = ca.scale() as u32;
        let physical = ca.physical();
        move |row| {
            physical
                .get(row)
                .map(|v| Decimal::from_i128_with_scale(v, scale))
        }
    }

    /// One money value; O(1) on a single-chunk table.
    pub fn money_at(&self, name: &str, row: usize) -> Option<Decimal> {
        let ca = self
            .column(name)
            .decimal()
            .expect("money columns are Decimal after load");
        ca.physical()
            .get(row)
            .map(|v| Decimal::from_i128_with_scale(v, ca.scale() as u32))
    }

    pub fn date_at(&self, name: &str, row: usize) -> Option<NaiveDate> {
        let ca = self
            .column(name)
            .date()
            .expect("date columns are Date after load");
        ca.physical().get(row).map(days_to_date)
    }

    pub fn boolean(&self, name: &str) -> &BooleanChunked {
        self.column(name)
            .bool()
            .expect("bool columns are Boolean after load")
    }

    pub fn int(&self, name: &str) -> &Int64Chunked {
        self.column(name)
            .i64()
            .expect("int columns are Int64 after load")
    }

    pub fn float(&self, name: &str) -> &Float64Chunked {
        self.column(name)
            .f64()
            .expect("float columns are Float64 after load")
    }

    /// The rows at `indices` (sorted, in range), as a table of the same dataset.
    pub fn take(&self, indices: &[u32]) -> Table {
        let idx = IdxCa::from_vec(
            "idx".into(),
            indices.iter().map(|&i| i as IdxSize).collect(),
        );
        Table {
            dataset: self.dataset,
            frame: self.frame.take(&idx).expect("indices come from this table"),
            files: Vec::new(),
            first_row: 0,
        }
    }
}

const EPOCH_DAYS_CE: i32 = 719_163; // days from 0001-01-01 to 1970-01-01

pub fn days_to_date(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days + EPOCH_DAYS_CE).expect("date within chrono range")
}

pub fn date_to_days(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce() - EPOCH_DAYS_CE
}

/// Every dataset found in a data directory, schema-checked, not yet read.
pub struct Discovered {
    pub dir: PathBuf,
    pub present: Vec<(Dataset, Vec<SourceFile>)>,
}

pub struct SourceFile {
    path: PathBuf,
    /// `key=value` directory names between the dataset directory and the file.
    hive: Vec<(String, String)>,
    schema: SchemaRef,
    /// Rows, from the Parquet footer: gives every part its first `row_index`
    /// before any part is read, so parts can be read in parallel.
    rows: usize,
}

/// Finds every dataset's files and checks their schemas. Fails on a missing
/// required dataset, an unreadable file, or a missing or unusable column.
pub fn discover(dir: &Path) -> Result<Discovered, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::NoDataDir(dir.to_path_buf()));
    }
    let mut present = Vec::new();
    for dataset in Dataset::ALL {
        let file = dir.join(format!("{}.parquet", dataset.name()));
        let sub = dir.join(dataset.name());
        let paths = match (file.is_file(), sub.is_dir()) {
            (true, true) => return Err(LoadError::Ambiguous { dataset }),
            (true, false) => vec![file],
            (false, true) => {
                let mut paths = Vec::new();
                collect_parquet(&sub, &mut paths)
                    .map_err(|e| unreadable(dataset, &sub, e.to_string()))?;
                paths.sort();
                if paths.is_empty() {
                    return Err(LoadError::EmptyDirectory {
                        dataset,
                        label: dataset.label_zh(),
                        path: sub,
                    });
                }
                paths
            }
            (false, false) if dataset.is_required() => {
                return Err(LoadError::MissingDataset {
                    dataset,
                    label: dataset.label_zh(),
                    dir: dir.display().to_string(),
                })
            }
            (false, false) => continue,
        };
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let hive = hive_keys(&sub, &path);
            let schema = read_schema(dataset, &path)?;
            check_schema(dataset, &path, &schema, &hive)?;
            let rows = read_row_count(dataset, &path)?;
            files.push(SourceFile {
                path,
                hive,
                schema,
                rows,
            });
        }
        present.push((dataset, files));
    }
    Ok(Discovered {
        dir: dir.to_path_buf(),
        present,
    })
}

impl Discovered {
    pub fn has(&self, dataset: Dataset) -> bool {
        self.present.iter().any(|(d, _)| *d == dataset)
    }

    /// Reads one present dataset into a [`Table`], appending conversion
    /// problems to `quality`.
    pub fn read(
        &self,
        dataset: Dataset,
        quality: &mut Vec<DataQuality>,
    ) -> Result<Option<Table>, LoadError> {
        let Some(parts) = self.parts(dataset) else {
            return Ok(None);
        };
        let mut table: Option<Table> = None;
        for k in 0..parts {
            let part = self.read_part(dataset, k, quality)?;
            match table.as_mut() {
                None => table = Some(part),
                Some(t) => {
                    t.frame.vstack_mut_owned(part.frame).map_err(|e| {
                        unreadable(dataset, Path::new(&part.files[0].path), e.to_string())
                    })?;
                    t.files.extend(part.files);
                }
            }
        }
        let mut table = table.expect("discover never returns a dataset without files");
        table.frame.rechunk_mut();
        Ok(Some(table))
    }

    /// How many files a present dataset has (`None`: not supplied).
    pub fn parts(&self, dataset: Dataset) -> Option<usize> {
        self.files(dataset).map(<[SourceFile]>::len)
    }

    fn files(&self, dataset: Dataset) -> Option<&[SourceFile]> {
        self.present
            .iter()
            .find(|(d, _)| *d == dataset)
            .map(|(_, files)| files.as_slice())
    }

    /// Reads file `k` (in `row_index` order) of a present dataset: a
    /// [`Table`] whose `first_row` is the rows of the files before it, and
    /// whose conversion problems carry their dataset-wide `row_index`.
    pub fn read_part(
        &self,
        dataset: Dataset,
        k: usize,
        quality: &mut Vec<DataQuality>,
    ) -> Result<Table, LoadError> {
        let files = self.files(dataset).expect("read_part of a present dataset");
        let file = &files[k];
        let first_row: usize = files[..k].iter().map(|f| f.rows).sum();
        let specs = dataset.columns();
        let frame = read_file(dataset, &specs, file, first_row, quality)?;
        let input = InputFile {
            path: file
                .path
                .strip_prefix(&self.dir)
                .unwrap_or(&file.path)
                .display()
                .to_string(),
            rows: frame.height(),
            blake3: hash_file(&file.path)
                .map_err(|e| unreadable(dataset, &file.path, e.to_string()))?,
        };
        Ok(Table {
            dataset,
            frame,
            files: vec![input],
            first_row: first_row as u64,
        })
    }
}

fn unreadable(dataset: Dataset, path: &Path, reason: String) -> LoadError {
    LoadError::Unreadable {
        dataset,
        label: dataset.label_zh(),
        path: path.to_path_buf(),
        reason,
    }
}

fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with('_') {
            continue; // _SUCCESS, .crc and similar writer droppings
        }
        if path.is_dir() {
            collect_parquet(&path, out)?;
        } else if name.ends_with(".parquet") {
            out.push(path);
        }
    }
    Ok(())
}

fn hive_keys(root: &Path, file: &Path) -> Vec<(String, String)> {
    let Ok(rel) = file.strip_prefix(root) else {
        return Vec::new();
    };
    rel.parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| {
            c.as_os_str()
                .to_str()?
                .split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(hasher.finalize().to_hex().to_string())
}

fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    let args = ScanArgsParquet {
        hive_options: HiveOptions::new_disabled(),
        ..Default::default()
    };
    LazyFrame::scan_parquet(PlRefPath::new(path.to_string_lossy().as_ref()), args)
}

fn read_schema(dataset: Dataset, path: &Path) -> Result<SchemaRef, LoadError> {
    let reason = |e: PolarsError| unreadable(dataset, path, first_line(&e.to_string()));
    scan(path)
        .and_then(|mut lf| lf.collect_schema())
        .map_err(reason)
}

fn read_row_count(dataset: Dataset, path: &Path) -> Result<usize, LoadError> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(dataset, path, e.to_string()))?;
    ParquetReader::new(file)
        .num_rows()
        .map_err(|e| unreadable(dataset, path, first_line(&e.to_string())))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

fn accepts(kind: ColumnKind, dtype: &DataType) -> bool {
    use DataType as T;
    let stringy = matches!(dtype, T::String | T::Categorical(..) | T::Enum(..));
    let integer = dtype.is_integer();
    matches!(dtype, T::Null)
        || match kind {
            ColumnKind::Text | ColumnKind::Code => stringy,
            ColumnKind::Money => {
                stringy || integer || matches!(dtype, T::Float32 | T::Float64 | T::Decimal(..))
            }
            ColumnKind::Date => stringy || matches!(dtype, T::Date | T::Datetime(..)),
            ColumnKind::Bool => stringy || integer || matches!(dtype, T::Boolean),
            ColumnKind::Int => {
                stringy || integer || matches!(dtype, T::Float32 | T::Float64 | T::Decimal(..))
            }
            ColumnKind::Float => {
                stringy || integer || matches!(dtype, T::Float32 | T::Float64 | T::Decimal(..))
            }
        }
}

fn check_schema(
    dataset: Dataset,
    path: &Path,
    schema: &Schema,
    hive: &[(String, String)],
) -> Result<(), LoadError> {
    for spec in dataset.columns() {
        match schema.get(spec.name) {
            Some(dtype) if !accepts(spec.kind, dtype) => {
                return Err(LoadError::WrongType {
                    dataset,
                    label: dataset.label_zh(),
                    path: path.to_path_buf(),
                    column: spec.name,
                    expected: spec.kind.expected(),
                    found: dtype.to_string(),
                })
            }
            Some(_) => {}
            None if spec.optional || hive.iter().any(|(k, _)| k == spec.name) => {}
            None => {
                return Err(LoadError::MissingColumn {
                    dataset,
                    label: dataset.label_zh(),
                    path: path.to_path_buf(),
                    column: spec.name,
                    expected: spec.kind.expected(),
                })
            }
        }
    }
    Ok(())
}

fn read_file(
    dataset: Dataset,
    specs: &[ColumnSpec],
    file: &SourceFile,
    offset: usize,
    quality: &mut Vec<DataQuality>,
) -> Result<DataFrame, LoadError> {
    let in_file: Vec<Expr> = specs
        .iter()
        .filter(|s| file.schema.get(s.name).is_some())
        .map(|s| col(s.name))
        .collect();
    let raw = scan(&file.path)
        .and_then(|lf| lf.select(in_file).collect())
        .map_err(|e| unreadable(dataset, &file.path, first_line(&e.to_string())))?;
    let height = raw.height();
    if height != file.rows {
        return Err(unreadable(
            dataset,
            &file.path,
            format!("footer says {} rows, read {height}", file.rows),
        ));
    }
    // Columns are converted in parallel, each with its own problems, which
    // are then kept in column order (the roster's members: 2.4M rows of
    // dates and amounts parsed on one core while the other was idle).
    let converted: Vec<(PolarsResult<Series>, Vec<DataQuality>)> = specs
        .par_iter()
        .map(|spec| {
            let source = match raw.column(spec.name) {
                Ok(c) => c.as_materialized_series().clone(),
                Err(_) => match file.hive.iter().find(|(k, _)| k == spec.name) {
                    Some((_, v)) => Series::new(spec.name.into(), vec![v.as_str(); height]),
                    None => Series::full_null(spec.name.into(), height, &DataType::Null),
                },
            };
            let mut problems = Vec::new();
            let mut sink = ProblemSink {
                dataset,
                column: spec.name,
                offset,
                quality: &mut problems,
            };
            (convert(spec.kind, &source, &mut sink), problems)
        })
        .collect();
    let mut columns = Vec::with_capacity(specs.len());
    for (spec, (converted, problems)) in specs.iter().zip(converted) {
        quality.extend(problems);
        let converted = converted.map_err(|e| {
            unreadable(
                dataset,
                &file.path,
                format!("column `{}`: {}", spec.name, first_line(&e.to_string())),
            )
        })?;
        columns.push(converted.with_name(spec.name.into()).into_column());
    }
    DataFrame::new(height, columns).map_err(|e| unreadable(dataset, &file.path, e.to_string()))
}

struct ProblemSink<'a> {
    dataset: Dataset,
    column: &'static str,
    offset: usize,
    quality: &'a mut Vec<DataQuality>,
}

impl ProblemSink<'_> {
    fn push(&mut self, row: usize, problem: Problem, value: &str) {
        self.quality.push(DataQuality::new(
            self.dataset,
            (self.offset + row) as u64,
            self.column,
            problem,
            Some(value.to_string()),
        ));
    }
}

/// Converts one column to its canonical type; unconvertible values → null + problem.
fn convert(kind: ColumnKind, s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    if matches!(s.dtype(), DataType::Categorical(..) | DataType::Enum(..)) {
        return convert(kind, &s.cast(&DataType::String)?, sink);
    }
    match kind {
        ColumnKind::Text | ColumnKind::Code => s.cast(&DataType::String),
        ColumnKind::Money => to_money(s, sink),
        ColumnKind::Date => to_date(s, sink),
        ColumnKind::Bool => to_bool(s, sink),
        ColumnKind::Int => to_int(s, sink),
        ColumnKind::Float => to_float(s, sink),
    }
}

/// Money as `Decimal(38, 2)`: from decimals, floats (whole cents),
/// integers and strings.
fn to_money(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    if matches!(s.dtype(), DataType::Decimal(_, 2)) {
        // Already cents: the same physical values, no per-row copy (a
        // roster's seven money columns, millions of rows).
        return Ok(s
            .decimal()?
            .physical()
            .clone()
            .into_decimal(38, 2)?
            .into_series());
    }
    let values: Vec<Option<i128>> = match s.dtype() {
        DataType::String => parse_each(s.str()?, sink, Problem::BadMoney, parse_money),
        DataType::Decimal(_, scale) => {
            let scale = *scale as u32;
            let ca = s.decimal()?;
            ca.physical()
                .iter()
                .map(|v| v.map(|v| to_cents_i128(v, scale)))
                .collect()
        }
        DataType::Float32 | DataType::Float64 => {
            let ca = s.cast(&DataType::Float64)?;
            ca.f64()?
                .iter()
                .map(|v| v.and_then(float_to_cents))
                .collect()
        }
        DataType::Null => vec![None; s.len()],
        _ => {
            let ca = s.cast(&DataType::Int64)?;
            ca.i64()?
                .iter()
                .map(|v| v.map(|v| v as i128 * 100))
                .collect()
        }
    };
    Ok(
        Int128Chunked::from_iter_options(s.name().clone(), values.into_iter())
            .into_decimal(38, 2)?
            .into_series(),
    )
}

fn to_date(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    if s.dtype() != &DataType::String {
        return s.cast(&DataType::Date);
    }
    let days: Vec<Option<i32>> = parse_each(s.str()?, sink, Problem::BadDate, |t| {
        parse_date(t).map(date_to_days)
    });
    Int32Chunked::from_iter_options(s.name().clone(), days.into_iter())
        .into_series()
        .cast(&DataType::Date)
}

/// Booleans from booleans, strings, and integers 0 and 1.
fn to_bool(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    let v: Vec<Option<bool>> = if s.dtype() == &DataType::String {
        parse_each(s.str()?, sink, Problem::BadBool, parse_bool)
    } else if s.dtype().is_integer() {
        let ca = s.cast(&DataType::Int64)?;
        ca.i64()?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(0) => Some(false),
                Some(1) => Some(true),
                Some(other) => {
                    sink.push(i, Problem::BadBool, &other.to_string());
                    None
                }
                None => None,
            })
            .collect()
    } else {
        return s.cast(&DataType::Boolean);
    };
    Ok(BooleanChunked::from_iter_options(s.name().clone(), v.into_iter()).into_series())
}

/// Integers from integers, strings, and floats that are whole numbers.
fn to_int(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    let v: Vec<Option<i64>> = if s.dtype() == &DataType::String {
        parse_each(s.str()?, sink, Problem::BadNumber, |t| {
            t.parse::<i64>().ok()
        })
    } else if s.dtype().is_integer() || s.dtype() == &DataType::Null {
        return s.cast(&DataType::Int64);
    } else {
        let ca = s.cast(&DataType::Float64)?;
        ca.f64()?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
                Some(f) => {
                    sink.push(i, Problem::BadNumber, &f.to_string());
                    None
                }
                None => None,
            })
            .collect()
    };
    Ok(Int64Chunked::from_iter_options(s.name().clone(), v.into_iter()).into_series())
}

fn to_float(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    if s.dtype() != &DataType::String {
        return s.cast(&DataType::Float64);
    }
    let v: Vec<Option<f64>> = parse_each(s.str()?, sink, Problem::BadNumber, |t| {
        t.parse::<f64>().ok().filter(|f| f.is_finite())
    });
    Ok(Float64Chunked::from_iter_options(s.name().clone(), v.into_iter()).into_series())
}

/// `str::trim`, without its Unicode tables for the usual value that starts
/// and ends with a visible ASCII character (nothing to trim).
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Parses each non-null, non-blank string; failures → null + a problem row.
fn parse_each<T>(
    ca: &StringChunked,
    sink: &mut ProblemSink,
    problem: Problem,
    parse: impl Fn(&str) -> Option<T>,
) -> Vec<Option<T>> {
    ca.iter()
        .enumerate()
        .map(|(i, v)| {
            let t = trim(v?);
            if t.is_empty() {
                return None;
            }
            let parsed = parse(t);
            if parsed.is_none() {
                sink.push(i, problem, v.unwrap_or(""));
            }
            parsed
        })
        .collect()
}

/// Rescales a decimal's physical value to cents, rounding half-even.
fn to_cents_i128(value: i128, scale: u32) -> i128 {
    if scale == 2 {
        return value;
    }
    match i64::try_from(value) {
        Ok(v) if scale <= 28 => {
            let d = Decimal::from_i128_with_scale(v as i128, scale)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
            decimal_to_cents(d)
        }
        _ => {
            // Beyond rust_decimal's 28 digits: integer arithmetic on the i128.
            if scale < 2 {
                value * 10i128.pow(2 - scale)
            } else {
                value / 10i128.pow(scale - 2)
            }
        }
    }
}

fn decimal_to_cents(d: Decimal) -> i128 {
    let mut d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
    d.rescale(2);
    d.mantissa()
}

/// A float read by its shortest decimal form, then rounded half-even to cents.
fn float_to_cents(f: f64) -> Option<i128> {
    if !f.is_finite() {
        return None;
    }
    // Fast path, no allocation: below 10^12 a float's rounding interval is
    // narrower than a cent, so when it is the nearest float to a whole
    // number of cents, that number is its shortest decimal form.
    if f.abs() < 1e12 {
        let cents = (f * 100.0).round();
        if cents / 100.0 == f {
            return Some(cents as i128);
        }
    }
    Decimal::from_str(&format!("{f}"))
        .ok()
        .map(decimal_to_cents)
}

/// Money strings: plain decimals, optionally with thousands separators, a
/// leading ¥ or a trailing 元.
fn parse_money(t: &str) -> Option<i128> {
    if let Some(cents) = plain_cents(t) {
        return Some(cents);
    }
    let cleaned: String = t
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    Decimal::from_str(&cleaned)
        .or_else(|_| Decimal::from_scientific(&cleaned))
        .ok()
        .map(decimal_to_cents)
}

/// Fast path of [`parse_money`] for the common form `-?digits(.d{1,2})?`
/// (no rounding needed), without allocating; `None`: use the general path.
fn plain_cents(t: &str) -> Option<i128> {
    let b = t.as_bytes();
    let (negative, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (whole, frac) = match b.iter().position(|&c| c == b'.') {
        Some(p) => (&b[..p], &b[p + 1..]),
        None => (b, &b[..0]),
    };
    if whole.is_empty() || whole.len() > 20 || frac.len() > 2 {
        return None;
    }
    let mut cents: i128 = 0;
    for &c in whole.iter().chain(frac) {
        if !c.is_ascii_digit() {
            return None;
        }
        cents = cents * 10 + i128::from(c - b'0');
    }
    cents *= [100, 10, 1][frac.len()];
    Some(if negative { -cents } else { cents })
}

/// `YYYY-MM-DD` or `YYYYMMDD` (also `YYYY/MM/DD`, and a datetime's date part).
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = trim(t);
    // Up to a `T` or a space (ASCII, so a character boundary); by bytes, as
    // a pattern `split` costs more than the parse on tens of millions of dates.
    let date_part = t
        .bytes()
        .position(|c| c == b'T' || c == b' ')
        .map_or(t, |end| &t[..end]);
    // Fast path for the two contract forms: digits at fixed places.
    let b = date_part.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let fixed = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => Some((num(0..4), num(5..7), num(8..10))),
        8 => Some((num(0..4), num(4..6), num(6..8))),
        _ => None,
    };
    if let Some((Some(y), Some(m), Some(d))) = fixed {
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(date_part, "%Y%m%d"))
        .or_else(|_| NaiveDate::parse_from_str(date_part, "%Y/%m/%d"))
        .ok()
        .filter(|_| date_part.len() >= 8)
}

fn parse_bool(t: &str) -> Option<bool> {
    match t.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "是" => Some(true),
        "false" | "f" | "0" | "no" | "n" | "否" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_strings_are_read_exactly() {
        assert_eq!(parse_money("1234.5"), Some(123450));
        assert_eq!(parse_money("1,234.50元"), Some(123450));
        assert_eq!(parse_money("¥0.005"), Some(0)); // half-even: 0.005 → 0.00
        assert_eq!(parse_money("0.015"), Some(2)); // half-even: 0.015 → 0.02
        assert_eq!(parse_money("abc"), None);
        // The fast path and the general path agree.
        for t in [
            "0", "-0", "12", "12.3", "12.34", "-5.07", "007.10", "1.", ".5", "-", "1e3",
        ] {
            let general = Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .ok()
                .map(decimal_to_cents);
            assert_eq!(parse_money(t), general, "{t}");
        }
    }

    #[test]
    fn floats_are_read_by_their_shortest_form() {
        assert_eq!(float_to_cents(0.1), Some(10));
        assert_eq!(float_to_cents(740.0), Some(74000));
        assert_eq!(float_to_cents(2.675), Some(268)); // "2.675" half-even → 2.68, not f64's 2.67499…
        assert_eq!(float_to_cents(0.125), Some(12));
        assert_eq!(float_to_cents(f64::NAN), None);
        // The fast path agrees with the shortest-form path.
        for f in [
            0.29,
            1.005,
            740.0,
            123456.78,
            -0.07,
            1e11 + 0.01,
            0.1 + 0.2,
            5e12 + 0.5,
        ] {
            let slow = Decimal::from_str(&format!("{f}"))
                .ok()
                .map(decimal_to_cents);
            assert_eq!(float_to_cents(f), slow, "{f}");
        }
    }

    #[test]
    fn decimals_of_other_scales_round_half_even() {
        assert_eq!(to_cents_i128(12345, 3), 1234); // 12.345 → 12.34
        assert_eq!(to_cents_i128(12355, 3), 1236);
        assert_eq!(to_cents_i128(7, 0), 700);
    }

    #[test]
    fn dates_in_both_string_forms() {
        let d = NaiveDate::from_ymd_opt(2024, 7, 31).unwrap();
        assert_eq!(parse_date("2024-07-31"), Some(d));
        assert_eq!(parse_date("20240731"), Some(d));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("731"), None);
        assert_eq!(parse_date("20240230"), None);
        assert_eq!(parse_date("2024/07/31"), Some(d));
        assert_eq!(parse_date("2024-07-31T08:00:00"), Some(d));
        assert_eq!(
            parse_date("2024-7-31"),
            NaiveDate::from_ymd_opt(2024, 7, 31)
        );
        assert_eq!(days_to_date(date_to_days(d)), d);
        assert_eq!(
            date_to_days(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
            0
        );
    }

    #[test]
    fn hive_keys_come_from_directory_names() {
        let keys = hive_keys(
            Path::new("/d/payroll"),
            Path::new("/d/payroll/region=5120/month=2024-09/part-0.parquet"),
        );
        assert_eq!(
            keys,
            vec![
                ("region".into(), "5120".into()),
                ("month".into(), "2024-09".into())
            ]
        );
    }
}
