//! Reading a run directory's output tables back for the reports: each
//! table is `NAME.parquet` or a `NAME/` directory of Parquet parts (as Spark
//! writes them: `part-*.parquet`, beside `_SUCCESS` and `.crc` files), parts
//! read in path order. Every part's schema is checked before any row is
//! read, and only the columns the reports read are read.

use super::from::ReportError;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// What the reports need of a column's type.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    TextList,
    Money,
    Date,
    Int,
    Float,
    Bool,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::TextList => "a list of strings",
            Kind::Money => "a decimal (money)",
            Kind::Date => "a date",
            Kind::Int => "an integer",
            Kind::Float => "a float64",
            Kind::Bool => "a boolean",
        }
    }

    fn accepts(self, dtype: &DataType) -> bool {
        let text = |d: &DataType| {
            matches!(
                d,
                DataType::String | DataType::Categorical(..) | DataType::Enum(..)
            )
        };
        match self {
            Kind::Text => text(dtype),
            Kind::TextList => matches!(dtype, DataType::List(inner) if text(inner)),
            Kind::Money => matches!(dtype, DataType::Decimal(..)),
            Kind::Date => matches!(dtype, DataType::Date),
            Kind::Int => dtype.is_integer(),
            Kind::Float => matches!(dtype, DataType::Float64 | DataType::Float32),
            Kind::Bool => matches!(dtype, DataType::Boolean),
        }
    }
}

use Kind::*;

/// A table the reports read and the columns they read of it.
pub(super) struct Table {
    pub name: &'static str,
    columns: &'static [(&'static str, Kind)],
}

pub(super) const DECISIONS: Table = Table {
    name: "decisions",
    columns: &[
        ("household_id", Text),
        ("region_code", Text),
        ("program", Text),
        ("action", Text),
        ("reasons", TextList),
        ("per_capita_income", Money),
        ("standard", Money),
        ("living_members", Int),
        ("financial_assets_per_capita", Money),
        ("phase_out_until", Date),
        ("covered_id_number", Text),
        ("confidence", Float),
        ("monthly_benefit", Money),
        ("area", Text),
        ("household_size", Int),
        ("head_id_number", Text),
        ("head_name", Text),
        ("covered_name", Text),
    ],
};

pub(super) const FINDINGS: Table = Table {
    name: "findings",
    columns: &[("household_id", Text), ("rule_id", Text), ("detail", Text)],
};

pub(super) const NEAR_RELATIVE_CONFLICTS: Table = Table {
    name: "near_relative_conflicts",
    columns: &[
        ("household_id", Text),
        ("region_code", Text),
        ("program", Text),
        ("id_number", Text),
        ("name", Text),
        ("staff_id_number", Text),
        ("staff_name", Text),
        ("staff_role", Text),
        ("staff_region_code", Text),
        ("relation", Text),
        ("relation_source", Text),
        ("filed", Bool),
        ("conflict", Text),
    ],
};

pub(super) const REVIEW_DUE: Table = Table {
    name: "review_due",
    columns: &[
        ("household_id", Text),
        ("region_code", Text),
        ("program", Text),
        ("due_date", Date),
        ("cadence", Text),
        ("cadence_reasons", TextList),
        ("last_review_date", Date),
        ("living_members", Int),
        ("per_capita_income", Money),
        ("standard", Money),
        ("financial_assets_per_capita", Money),
        ("verified_wage", Money),
        ("assets_found", TextList),
        ("action", Text),
        ("summary", Text),
    ],
};

pub(super) const DATA_QUALITY: Table = Table {
    name: "data_quality",
    columns: &[
        ("dataset", Text),
        ("row_index", Int),
        ("column", Text),
        ("problem", Text),
        ("value", Text),
    ],
};

/// The Parquet files of `table` in `dir`, in path order.
fn parts(dir: &Path, table: &Table) -> Result<Vec<PathBuf>, ReportError> {
    let file = dir.join(format!("{}.parquet", table.name));
    if file.is_file() {
        return Ok(vec![file]);
    }
    let folder = dir.join(table.name);
    if !folder.is_dir() {
        return Err(ReportError::MissingTable {
            dir: dir.to_path_buf(),
            table: table.name,
        });
    }
    let mut found = Vec::new();
    collect_parts(&folder, &mut found).map_err(|e| unreadable(table, &folder, e.to_string()))?;
    if found.is_empty() {
        return Err(unreadable(
            table,
            &folder,
            "the directory holds no Parquet part (*.parquet)".to_string(),
        ));
    }
    found.sort();
    Ok(found)
}

/// `*.parquet` files under `dir`, skipping hidden and `_` names (Spark's
/// `_SUCCESS`, `.part-….crc`).
fn collect_parts(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_none_or(|n| n.starts_with('.') || n.starts_with('_')) {
            continue;
        }
        if path.is_dir() {
            collect_parts(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "parquet") {
            found.push(path);
        }
    }
    Ok(())
}

fn unreadable(table: &Table, path: &Path, reason: String) -> ReportError {
    ReportError::Unreadable {
        table: table.name,
        path: path.to_path_buf(),
        reason,
    }
}

/// The columns of `table` the reports read, from every part of it in
/// `dir`, each checked against the kind the reports need first.
pub(super) fn table(dir: &Path, table: &Table) -> Result<DataFrame, ReportError> {
    let parts = parts(dir, table)?;
    let mut readers = Vec::with_capacity(parts.len());
    for path in &parts {
        let file = std::fs::File::open(path).map_err(|e| unreadable(table, path, e.to_string()))?;
        let mut reader = ParquetReader::new(file);
        let schema = reader
            .schema()
            .map_err(|e| unreadable(table, path, e.to_string()))?;
        check_columns(table, path, &schema)?;
        readers.push((path, reader));
    }
    let names: Vec<String> = table.columns.iter().map(|c| c.0.to_string()).collect();
    let mut frame: Option<DataFrame> = None;
    for (path, reader) in readers {
        let part = reader
            .with_columns(Some(names.clone()))
            .finish()
            .and_then(|df| canonical(table, df))
            .map_err(|e| unreadable(table, path, e.to_string()))?;
        match frame.as_mut() {
            None => frame = Some(part),
            Some(f) => {
                f.vstack_mut_owned(part)
                    .map_err(|e| unreadable(table, path, e.to_string()))?;
            }
        }
    }
    let mut frame = frame.expect("at least one part");
    frame.rechunk_mut();
    Ok(frame)
}

fn check_columns(table: &Table, path: &Path, schema: &ArrowSchema) -> Result<(), ReportError> {
    for &(column, kind) in table.columns {
        let Some(field) = schema.get(column) else {
            return Err(ReportError::MissingColumn {
                table: table.name,
                path: path.to_path_buf(),
                column,
            });
        };
        let dtype = DataType::from_arrow_field(field);
        if !kind.accepts(&dtype) {
            return Err(ReportError::ColumnType {
                table: table.name,
                path: path.to_path_buf(),
                column,
                expected: kind.name(),
                found: dtype.to_string(),
            });
        }
    }
    Ok(())
}

/// The column types the reports read: strings as plain strings (a
/// dictionary-encoded part may read as categorical), floats as f64, in the
/// table's column order, so parts stack whatever their writer.
fn canonical(table: &Table, df: DataFrame) -> PolarsResult<DataFrame> {
    let columns = table
        .columns
        .iter()
        .map(|&(name, kind)| {
            let c = df.column(name)?;
            match (kind, c.dtype()) {
                (Text, DataType::String) | (Float, DataType::Float64) => Ok(c.clone()),
                (Text, _) => c.cast(&DataType::String),
                (TextList, DataType::List(inner)) if **inner != DataType::String => {
                    c.cast(&DataType::List(Box::new(DataType::String)))
                }
                (Float, _) => c.cast(&DataType::Float64),
                _ => Ok(c.clone()),
            }
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(df.height(), columns)
}
