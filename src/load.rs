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
    #[error("dataset `{dataset}` ({label}): {path} {what}; expected a Parquet file")]
    NotAFile {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
        what: &'static str,
    },
    #[error("dataset `{dataset}` ({label}): {path} in its directory is not a Parquet file (expected only *.parquet files and key=value directories; names starting with `.` or `_` are skipped); remove it or move it out")]
    UnexpectedFile {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
    },
    #[error("dataset `{dataset}` ({label}): directory {path} is reached twice through symbolic links (a loop); remove the link")]
    SymlinkLoop {
        dataset: Dataset,
        label: &'static str,
        path: PathBuf,
    },
    #[error("dataset `{dataset}` ({label}): {reason}; a run needs at least one household with a household_id")]
    EmptyRoster {
        dataset: Dataset,
        label: &'static str,
        reason: String,
    },
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

    /// The columns `keep` keeps, as a table of the same rows and dataset
    /// (the columns shared, not copied).
    pub fn select(&self, keep: impl Fn(Dataset, &str) -> bool) -> Table {
        let kept: Vec<Column> = self
            .frame
            .columns()
            .iter()
            .filter(|c| keep(self.dataset, c.name()))
            .cloned()
            .collect();
        Table {
            dataset: self.dataset,
            frame: DataFrame::new(self.frame.height(), kept).expect("columns of one table"),
            files: self.files.clone(),
            first_row: self.first_row,
        }
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
        let paths = match (entry_kind(dataset, &file)?, entry_kind(dataset, &sub)?) {
            (Some(_), Some(_)) => return Err(LoadError::Ambiguous { dataset }),
            (Some(Kind::File), None) => vec![file],
            (Some(Kind::Dir), None) => {
                return Err(not_a_file(dataset, &file, "is a directory"));
            }
            (None, Some(Kind::File)) => {
                return Err(not_a_file(
                    dataset,
                    &sub,
                    "is a file, not a directory of Parquet files (or name it .parquet)",
                ));
            }
            (None, Some(Kind::Dir)) => {
                let mut paths = Vec::new();
                let mut seen = Vec::new();
                collect_parquet(dataset, &sub, &mut paths, &mut seen)?;
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
            (None, None) if dataset.is_required() => {
                return Err(LoadError::MissingDataset {
                    dataset,
                    label: dataset.label_zh(),
                    dir: dir.display().to_string(),
                })
            }
            (None, None) => continue,
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

    /// The path of file `k` (in `row_index` order) of a present dataset,
    /// relative to the data directory: what a job that reads the directory
    /// elsewhere (the Spark job's remote inputs) fetches for that file.
    pub fn relative_path(&self, dataset: Dataset, k: usize) -> Option<&Path> {
        let file = self.files(dataset)?.get(k)?;
        Some(file.path.strip_prefix(&self.dir).unwrap_or(&file.path))
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
            path: self
                .relative_path(dataset, k)
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

fn not_a_file(dataset: Dataset, path: &Path, what: &'static str) -> LoadError {
    LoadError::NotAFile {
        dataset,
        label: dataset.label_zh(),
        path: path.to_path_buf(),
        what,
    }
}

/// What a dataset's path is once symbolic links are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
}

/// `None` when nothing is at `path`; an error for what is there but can be
/// neither read nor listed (a dangling symbolic link, a FIFO — opening it
/// would wait forever —, a socket or device): never "not supplied".
fn entry_kind(dataset: Dataset, path: &Path) -> Result<Option<Kind>, LoadError> {
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return Ok(None);
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) if link.file_type().is_symlink() => {
            return Err(not_a_file(
                dataset,
                path,
                "is a symbolic link that cannot be followed (dangling or a loop)",
            ))
        }
        Err(e) => return Err(unreadable(dataset, path, e.to_string())),
    };
    if meta.is_file() {
        Ok(Some(Kind::File))
    } else if meta.is_dir() {
        Ok(Some(Kind::Dir))
    } else {
        Err(not_a_file(
            dataset,
            path,
            "is not a regular file (a FIFO, socket or device)",
        ))
    }
}

/// Every Parquet file under a dataset directory. Anything else is an error
/// (a CSV part or a README would otherwise be skipped without a word), as is
/// a directory reached twice through symbolic links (a loop would never end).
fn collect_parquet(
    dataset: Dataset,
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let real = std::fs::canonicalize(dir).map_err(|e| unreadable(dataset, dir, e.to_string()))?;
    // Reached again, or an ancestor of a directory being read (`ln -s ..`).
    if seen.iter().any(|s| s.starts_with(&real)) {
        return Err(LoadError::SymlinkLoop {
            dataset,
            label: dataset.label_zh(),
            path: dir.to_path_buf(),
        });
    }
    seen.push(real);
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dataset, dir, e.to_string()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| unreadable(dataset, dir, e.to_string()))?
            .path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name.starts_with('_') {
            continue; // _SUCCESS, .crc and similar writer droppings
        }
        match entry_kind(dataset, &path)? {
            Some(Kind::Dir) => collect_parquet(dataset, &path, out, seen)?,
            Some(Kind::File) if name.ends_with(".parquet") => out.push(path),
            Some(Kind::File) => {
                return Err(LoadError::UnexpectedFile {
                    dataset,
                    label: dataset.label_zh(),
                    path,
                })
            }
            None => {}
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

/// Converts one column of `dataset` to `kind`'s canonical type, with the
/// problems found (rows from 0): what a run does to each column it reads.
/// For the fuzz targets and tests.
pub fn convert_column(
    dataset: Dataset,
    column: &'static str,
    kind: ColumnKind,
    s: &Series,
) -> PolarsResult<(Series, Vec<DataQuality>)> {
    let mut problems = Vec::new();
    let mut sink = ProblemSink {
        dataset,
        column,
        offset: 0,
        quality: &mut problems,
    };
    let converted = convert(kind, s, &mut sink)?;
    Ok((converted, problems))
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

/// Money of this many cents or more (either sign) is implausible: 10^15
/// yuan (rules.md R-DATA-QUALITY). Checked where a value enters, so every
/// amount after load fits `rust_decimal` (96 bits) with room for sums.
pub const MAX_CENTS: i128 = 100_000_000_000_000_000;

/// The first and last plausible dates, in days from 1970-01-01:
/// 1900-01-01 and 2099-12-31 (rules.md R-DATA-QUALITY). Every date after
/// load lies between them, so date and month arithmetic cannot overflow.
pub const FIRST_DAY: i32 = -25_567;
pub const LAST_DAY: i32 = 47_481;

/// A date in days from 1970-01-01, if plausible.
fn plausible_days(days: i64) -> Result<i32, Problem> {
    if (i64::from(FIRST_DAY)..=i64::from(LAST_DAY)).contains(&days) {
        Ok(days as i32)
    } else {
        Err(Problem::ImplausibleDate)
    }
}

/// A plausible date (1900-01-01 to 2099-12-31), else its problem.
pub fn plausible_date(date: NaiveDate) -> Result<NaiveDate, Problem> {
    plausible_days(i64::from(date_to_days(date))).map(|_| date)
}

/// Cents within [`MAX_CENTS`], else `implausible_amount`.
fn plausible_cents(cents: i128) -> Result<i128, Problem> {
    if cents.unsigned_abs() < MAX_CENTS as u128 {
        Ok(cents)
    } else {
        Err(Problem::ImplausibleAmount)
    }
}

/// Each value of a column, converted by `f`; an `Err` is null and a
/// problem row with the raw value's text.
fn each<V, T: std::fmt::Display>(
    values: impl Iterator<Item = Option<T>>,
    sink: &mut ProblemSink,
    f: impl Fn(&T) -> Result<V, Problem>,
) -> Vec<Option<V>> {
    values
        .enumerate()
        .map(|(i, v)| {
            let v = v?;
            f(&v).map_err(|p| sink.push(i, p, &v.to_string())).ok()
        })
        .collect()
}

/// The values of an integer column as i128: `UInt64` beyond `i64::MAX`
/// included (a cast to `Int64` would make them null without a word).
fn integers(s: &Series) -> PolarsResult<Vec<Option<i128>>> {
    Ok(if s.dtype() == &DataType::UInt64 {
        s.u64()?.iter().map(|v| v.map(i128::from)).collect()
    } else {
        let ca = s.cast(&DataType::Int64)?;
        ca.i64()?.iter().map(|v| v.map(i128::from)).collect()
    })
}

/// Money as `Decimal(38, 2)`: from decimals, floats (whole cents),
/// integers and strings; implausible amounts and non-finite floats are
/// null and a problem, never rescaled.
fn to_money(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    if let DataType::Decimal(_, 2) = s.dtype() {
        let ca = s.decimal()?;
        if ca
            .physical()
            .iter()
            .flatten()
            .all(|v| plausible_cents(v).is_ok())
        {
            // Already cents: the same physical values, no per-row copy (a
            // roster's seven money columns, millions of rows).
            return Ok(ca.physical().clone().into_decimal(38, 2)?.into_series());
        }
    }
    let values: Vec<Option<i128>> = match s.dtype() {
        DataType::String => parse_each(s.str()?, sink, parse_money),
        DataType::Decimal(_, scale) => {
            let scale = *scale as u32;
            let ca = s.decimal()?;
            let shown = |v: &i128| Decimal::try_from_i128_with_scale(*v, scale.min(28));
            let values = ca.physical().iter().enumerate().map(|(i, v)| {
                v.map(
                    |v| match to_cents_i128(v, scale).and_then(plausible_cents) {
                        Ok(c) => Some(c),
                        Err(p) => {
                            let text = shown(&v)
                                .map_or_else(|_| format!("{v}e-{scale}"), |d| d.to_string());
                            sink.push(i, p, &text);
                            None
                        }
                    },
                )
            });
            values.map(Option::flatten).collect()
        }
        DataType::Float32 | DataType::Float64 => {
            let ca = s.cast(&DataType::Float64)?;
            each(ca.f64()?.iter(), sink, |&f| float_to_cents(f))
        }
        DataType::Null => vec![None; s.len()],
        _ => each(integers(s)?.into_iter(), sink, |&v| {
            plausible_cents(v.checked_mul(100).ok_or(Problem::ImplausibleAmount)?)
        }),
    };
    Ok(
        Int128Chunked::from_iter_options(s.name().clone(), values.into_iter())
            .into_decimal(38, 2)?
            .into_series(),
    )
}

const DAY_UNITS: [(TimeUnit, i64); 3] = [
    (TimeUnit::Nanoseconds, 86_400_000_000_000),
    (TimeUnit::Microseconds, 86_400_000_000),
    (TimeUnit::Milliseconds, 86_400_000),
];

/// Dates from dates, timestamps (the date part) and strings; a date
/// outside 1900–2099 is null and an `implausible_date` problem (a date32
/// of ±2^31 days is beyond chrono's range: never converted to a date).
fn to_date(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    let days: Vec<Option<i32>> = match s.dtype() {
        DataType::String => parse_each(s.str()?, sink, |t| {
            parse_date(t)
                .ok_or(Problem::BadDate)
                .and_then(|d| plausible_days(i64::from(date_to_days(d))))
        }),
        DataType::Date => {
            let ca = s.date()?;
            let days = ca.physical();
            if days.min().is_none_or(|d| d >= FIRST_DAY) && days.max().is_none_or(|d| d <= LAST_DAY)
            {
                // Every date plausible (nearly always): kept as read, not
                // checked and copied row by row.
                return Ok(s.clone());
            }
            each(days.iter(), sink, |&d| plausible_days(i64::from(d)))
        }
        DataType::Datetime(unit, _) => {
            let per_day = DAY_UNITS
                .iter()
                .find(|(u, _)| u == unit)
                .map_or(86_400_000, |(_, n)| *n);
            let ca = s.datetime()?;
            each(ca.physical().iter(), sink, |&t| {
                plausible_days(t.div_euclid(per_day))
            })
        }
        DataType::Null => vec![None; s.len()],
        _ => {
            // No other type passes the schema check; should one reach
            // here, its values are range-checked like any date (found by
            // fuzzing: an integer column cast to dates unchecked).
            let cast = s.cast(&DataType::Date)?;
            let ca = cast.date()?;
            each(ca.physical().iter(), sink, |&d| {
                plausible_days(i64::from(d))
            })
        }
    };
    Int32Chunked::from_iter_options(s.name().clone(), days.into_iter())
        .into_series()
        .cast(&DataType::Date)
}

/// Booleans from booleans, strings, and integers 0 and 1.
fn to_bool(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    let v: Vec<Option<bool>> = if s.dtype() == &DataType::String {
        parse_each(s.str()?, sink, |t| parse_bool(t).ok_or(Problem::BadBool))
    } else if s.dtype().is_integer() {
        each(integers(s)?.into_iter(), sink, |&v| match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Problem::BadBool),
        })
    } else {
        return s.cast(&DataType::Boolean);
    };
    Ok(BooleanChunked::from_iter_options(s.name().clone(), v.into_iter()).into_series())
}

/// Integers from integers, strings, and floats that are whole numbers.
fn to_int(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    let v: Vec<Option<i64>> = if s.dtype() == &DataType::String {
        parse_each(s.str()?, sink, |t| {
            t.parse::<i64>().map_err(|_| Problem::BadNumber)
        })
    } else if s.dtype().is_integer() {
        each(integers(s)?.into_iter(), sink, |&v| {
            i64::try_from(v).map_err(|_| Problem::BadNumber)
        })
    } else if s.dtype() == &DataType::Null {
        return s.cast(&DataType::Int64);
    } else {
        let ca = s.cast(&DataType::Float64)?;
        each(ca.f64()?.iter(), sink, |&f| {
            if !f.is_finite() {
                Err(Problem::NotFinite)
            } else if f.fract() == 0.0 && f.abs() < 1e15 {
                Ok(f as i64)
            } else {
                Err(Problem::BadNumber)
            }
        })
    };
    Ok(Int64Chunked::from_iter_options(s.name().clone(), v.into_iter()).into_series())
}

/// Floats (areas, shares); NaN and infinities are null and a problem.
fn to_float(s: &Series, sink: &mut ProblemSink) -> PolarsResult<Series> {
    let finite = |f: f64| {
        if f.is_finite() {
            Ok(f)
        } else {
            Err(Problem::NotFinite)
        }
    };
    let v: Vec<Option<f64>> = match s.dtype() {
        DataType::String => parse_each(s.str()?, sink, |t| {
            t.parse::<f64>()
                .map_err(|_| Problem::BadNumber)
                .and_then(finite)
        }),
        DataType::Null => vec![None; s.len()],
        _ => {
            let ca = s.cast(&DataType::Float64)?;
            each(ca.f64()?.iter(), sink, |&f| finite(f))
        }
    };
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
    parse: impl Fn(&str) -> Result<T, Problem>,
) -> Vec<Option<T>> {
    ca.iter()
        .enumerate()
        .map(|(i, v)| {
            let t = trim(v?);
            if t.is_empty() {
                return None;
            }
            parse(t).map_err(|p| sink.push(i, p, v.unwrap_or(""))).ok()
        })
        .collect()
}

/// Rescales a decimal's physical value to cents, rounding half-even, in
/// checked integer arithmetic (a Parquet decimal may have 38 digits, more
/// than `rust_decimal` holds).
fn to_cents_i128(value: i128, scale: u32) -> Result<i128, Problem> {
    let too_big = Problem::ImplausibleAmount;
    if scale <= 2 {
        let factor = 10i128.checked_pow(2 - scale).ok_or(too_big)?;
        return value.checked_mul(factor).ok_or(too_big);
    }
    let Some(divisor) = 10i128.checked_pow(scale - 2) else {
        // Scale above 40: every representable value is below a cent.
        return Ok(0);
    };
    let (q, r) = (value / divisor, (value % divisor).unsigned_abs());
    let half = divisor.unsigned_abs() / 2;
    let away = r > half || (r == half && divisor % 2 == 0 && q % 2 != 0);
    Ok(if away { q + value.signum() } else { q })
}

fn decimal_to_cents(d: Decimal) -> i128 {
    let mut d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
    d.rescale(2);
    d.mantissa()
}

/// A float read by its shortest decimal form, then rounded half-even to
/// cents; NaN, infinities and amounts of 10^15 yuan or more are problems.
fn float_to_cents(f: f64) -> Result<i128, Problem> {
    if !f.is_finite() {
        return Err(Problem::NotFinite);
    }
    if f.abs() >= 1e15 {
        return Err(Problem::ImplausibleAmount);
    }
    // Fast path, no allocation: below 10^12 a float's rounding interval is
    // narrower than a cent, so when it is the nearest float to a whole
    // number of cents, that number is its shortest decimal form.
    if f.abs() < 1e12 {
        let cents = (f * 100.0).round();
        if cents / 100.0 == f {
            return Ok(cents as i128);
        }
    }
    decimal_text_to_cents(&format!("{f}"))
}

/// Money strings: plain decimals, optionally with thousands separators, a
/// leading ¥, a trailing 元, or an exponent (`1.5e3`).
fn parse_money(t: &str) -> Result<i128, Problem> {
    if let Some(cents) = plain_cents(t) {
        return plausible_cents(cents);
    }
    let cleaned: String = t
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    decimal_text_to_cents(&cleaned)
}

/// `[+-]digits[.digits][e[+-]digits]` to cents, half-even. The magnitude is
/// read from the digits before any arithmetic, so `1e28` is implausible
/// (never read as some other number) and no exponent can overflow.
fn decimal_text_to_cents(t: &str) -> Result<i128, Problem> {
    let bad = Problem::BadMoney;
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(p) => (&t[..p], t[p + 1..].parse::<i64>().map_err(|_| bad)?),
        None => (t, 0),
    };
    let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let (whole, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = || whole.bytes().chain(frac.bytes());
    if whole.len() + frac.len() == 0 || !digits().all(|b| b.is_ascii_digit()) {
        return Err(bad);
    }
    // The value lies in [10^(lead+exp-1), 10^(lead+exp)).
    let lead = match whole.trim_start_matches('0').len() {
        0 => match frac.bytes().position(|b| b != b'0') {
            Some(zeros) => -(zeros as i64),
            None => return Ok(0), // zero, whatever the exponent
        },
        n => n as i64,
    };
    let magnitude = lead.saturating_add(exp);
    if magnitude >= 16 {
        return Err(Problem::ImplausibleAmount);
    }
    if magnitude <= -3 {
        return Ok(0); // below 0.001 yuan: rounds to 0.00
    }
    // Here |exp| is bounded by the digits written; beyond what a decimal
    // holds the text is not a usable amount.
    let m = Decimal::from_str(mantissa).map_err(|_| bad)?;
    let scale = u32::try_from(exp.unsigned_abs())
        .ok()
        .filter(|&s| s <= 28)
        .ok_or(bad)?;
    let power = Decimal::from_i128_with_scale(10i128.pow(scale), 0);
    let value = if exp >= 0 {
        m.checked_mul(power)
    } else {
        m.checked_div(power)
    };
    plausible_cents(decimal_to_cents(value.ok_or(bad)?))
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
        assert_eq!(parse_money("1234.5"), Ok(123450));
        assert_eq!(parse_money("1,234.50元"), Ok(123450));
        assert_eq!(parse_money("¥0.005"), Ok(0)); // half-even: 0.005 → 0.00
        assert_eq!(parse_money("0.015"), Ok(2)); // half-even: 0.015 → 0.02
        assert_eq!(parse_money("abc"), Err(Problem::BadMoney));
        // The fast path and the general path agree.
        for t in [
            "0", "-0", "12", "12.3", "12.34", "-5.07", "007.10", "1.", ".5", "-", "1e3",
        ] {
            let general = Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .map(decimal_to_cents)
                .map_err(|_| Problem::BadMoney);
            assert_eq!(parse_money(t), general, "{t}");
        }
    }

    /// Issue 13, finding 4: "1e28" was read as 1e26 and "1e27" as 1e26.
    #[test]
    fn scientific_money_strings_are_read_by_their_digits_never_rescaled() {
        for t in [
            "1e28",
            "1e27",
            "1e15",
            "9.99e15",
            "1E40",
            "-1e28",
            "1e9999999999",
            "1e15元",
        ] {
            assert_eq!(parse_money(t), Err(Problem::ImplausibleAmount), "{t}");
        }
        assert_eq!(parse_money("9.99e14"), Ok(99_900_000_000_000_000));
        assert_eq!(
            parse_money("999999999999999.99"),
            Ok(99_999_999_999_999_999)
        );
        assert_eq!(
            parse_money("1000000000000000"),
            Err(Problem::ImplausibleAmount)
        );
        assert_eq!(parse_money("1.5e3"), Ok(150_000));
        assert_eq!(parse_money("15e-1"), Ok(150));
        assert_eq!(parse_money("1e-40"), Ok(0));
        assert_eq!(parse_money("0e99999"), Ok(0));
        assert_eq!(parse_money("1e"), Err(Problem::BadMoney));
        assert_eq!(parse_money("e5"), Err(Problem::BadMoney));
        assert_eq!(parse_money("1.2.3"), Err(Problem::BadMoney));
        assert_eq!(
            parse_money("123456789012345678901234567890123456789"),
            Err(Problem::ImplausibleAmount)
        );
    }

    #[test]
    fn floats_are_read_by_their_shortest_form() {
        assert_eq!(float_to_cents(0.1), Ok(10));
        assert_eq!(float_to_cents(740.0), Ok(74000));
        assert_eq!(float_to_cents(2.675), Ok(268)); // "2.675" half-even → 2.68, not f64's 2.67499…
        assert_eq!(float_to_cents(0.125), Ok(12));
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
            1e-300,
        ] {
            let slow = Decimal::from_str(&format!("{f}"))
                .map(decimal_to_cents)
                .unwrap_or(0);
            assert_eq!(float_to_cents(f), Ok(slow), "{f}");
        }
    }

    /// Issue 13, finding 4: float money NaN, ±inf and 1e30 became null
    /// without a word.
    #[test]
    fn float_money_nan_inf_and_1e30_are_problems_not_null() {
        assert_eq!(float_to_cents(f64::NAN), Err(Problem::NotFinite));
        assert_eq!(float_to_cents(f64::INFINITY), Err(Problem::NotFinite));
        assert_eq!(float_to_cents(f64::NEG_INFINITY), Err(Problem::NotFinite));
        assert_eq!(float_to_cents(1e30), Err(Problem::ImplausibleAmount));
        assert_eq!(float_to_cents(-1e15), Err(Problem::ImplausibleAmount));
        assert_eq!(float_to_cents(9.99e14), Ok(99_900_000_000_000_000));
    }

    #[test]
    fn decimals_of_other_scales_round_half_even() {
        assert_eq!(to_cents_i128(12345, 3), Ok(1234)); // 12.345 → 12.34
        assert_eq!(to_cents_i128(12355, 3), Ok(1236));
        assert_eq!(to_cents_i128(-12355, 3), Ok(-1236));
        assert_eq!(to_cents_i128(-12345, 3), Ok(-1234));
        assert_eq!(to_cents_i128(12346, 3), Ok(1235));
        assert_eq!(to_cents_i128(7, 0), Ok(700));
        assert_eq!(to_cents_i128(i128::MAX, 38), Ok(170));
    }

    /// Issue 13, finding 2: money of 2^96 cents or more in a Parquet
    /// decimal panicked in rust_decimal.
    #[test]
    fn decimal_overflow_money_is_an_implausible_amount_not_a_panic() {
        let big = 1i128 << 96;
        for (v, scale) in [
            (big, 2),
            (i128::MAX, 0),
            (i128::MIN, 2),
            (big, 5),
            (MAX_CENTS, 2),
        ] {
            let cents = to_cents_i128(v, scale).and_then(plausible_cents);
            assert_eq!(cents, Err(Problem::ImplausibleAmount), "{v} scale {scale}");
        }
        let s =
            Int128Chunked::from_iter_options("m".into(), [Some(big), Some(150), None].into_iter())
                .into_decimal(38, 2)
                .unwrap()
                .into_series();
        let mut problems = Vec::new();
        let mut sink = ProblemSink {
            dataset: Dataset::Deposits,
            column: "balance",
            offset: 10,
            quality: &mut problems,
        };
        let out = to_money(&s, &mut sink).unwrap();
        let cents: Vec<Option<i128>> = out.decimal().unwrap().physical().iter().collect();
        assert_eq!(cents, vec![None, Some(150), None]);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].row_index, problems[0].problem),
            (10, Problem::ImplausibleAmount)
        );
    }

    /// Issue 13, finding 4: uint64 beyond int64 became null without a word.
    #[test]
    fn uint64_beyond_int64_is_a_problem_not_null() {
        let s = Series::new("m".into(), [Some(u64::MAX), Some(7), None]);
        let mut problems = Vec::new();
        let mut sink = ProblemSink {
            dataset: Dataset::Members,
            column: "declared_wage",
            offset: 0,
            quality: &mut problems,
        };
        let out = to_money(&s, &mut sink).unwrap();
        let cents: Vec<Option<i128>> = out.decimal().unwrap().physical().iter().collect();
        assert_eq!(cents, vec![None, Some(700), None]);
        assert_eq!(problems[0].problem, Problem::ImplausibleAmount);
        assert_eq!(problems[0].value.as_deref(), Some("18446744073709551615"));
        let mut problems = Vec::new();
        let mut sink = ProblemSink {
            dataset: Dataset::Households,
            column: "tier",
            offset: 0,
            quality: &mut problems,
        };
        let out = to_int(&s, &mut sink).unwrap();
        assert_eq!(out.i64().unwrap().get(0), None);
        assert_eq!(problems[0].problem, Problem::BadNumber);
    }

    /// Issue 13, findings 2 and 4: a date32 outside chrono's range panicked;
    /// out-of-range timestamps became null without a word; years 1, 1800
    /// and 9999 were accepted.
    #[test]
    fn dates_outside_1900_to_2099_are_implausible_whatever_their_type() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_to_days(date(1900, 1, 1)), FIRST_DAY);
        assert_eq!(date_to_days(date(2099, 12, 31)), LAST_DAY);
        let days = Int32Chunked::from_iter_options(
            "d".into(),
            [
                Some(i32::MAX),
                Some(i32::MIN),
                Some(FIRST_DAY - 1),
                Some(0),
                Some(LAST_DAY + 1),
            ]
            .into_iter(),
        )
        .into_series()
        .cast(&DataType::Date)
        .unwrap();
        let ns = Int64Chunked::from_iter_options(
            "t".into(),
            [Some(i64::MAX), Some(i64::MIN), Some(86_400_000_000_000)].into_iter(),
        )
        .into_series()
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
        .unwrap();
        let text = Series::new(
            "s".into(),
            ["0001-01-01", "1800-06-01", "9999-12-31", "2024-07-31"],
        );
        let cases = [
            (days, vec![None, None, None, Some(0), None]),
            (ns, vec![None, None, Some(1)]),
            (
                text,
                vec![None, None, None, Some(date_to_days(date(2024, 7, 31)))],
            ),
        ];
        for (s, expected) in cases {
            let mut problems = Vec::new();
            let mut sink = ProblemSink {
                dataset: Dataset::Deaths,
                column: "date_of_death",
                offset: 0,
                quality: &mut problems,
            };
            let out = to_date(&s, &mut sink).unwrap();
            let got: Vec<Option<i32>> = out.date().unwrap().physical().iter().collect();
            assert_eq!(got, expected, "{}", s.name());
            let flagged = expected.iter().filter(|v| v.is_none()).count();
            assert_eq!(problems.len(), flagged, "{}", s.name());
            assert!(problems
                .iter()
                .all(|p| p.problem == Problem::ImplausibleDate));
        }
    }

    #[test]
    fn area_and_share_nan_and_infinity_are_problems() {
        let s = Series::new(
            "share".into(),
            [Some(f64::NAN), Some(0.5), Some(f64::INFINITY), None],
        );
        let mut problems = Vec::new();
        let mut sink = ProblemSink {
            dataset: Dataset::Properties,
            column: "share",
            offset: 0,
            quality: &mut problems,
        };
        let out = to_float(&s, &mut sink).unwrap();
        let got: Vec<Option<f64>> = out.f64().unwrap().iter().collect();
        assert_eq!(got, vec![None, Some(0.5), None, None]);
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|p| p.problem == Problem::NotFinite));
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
