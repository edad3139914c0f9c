//! `hedui report --from RUN_DIR [--county CODE] [--out DIR]`: the reports of
//! any run directory — one `hedui run` wrote, or a Spark job writing the
//! same tables — rebuilt from its Parquet tables and `run.json` by the
//! same [`super::write`] the run calls, so a `hedui run` directory gets the
//! same bytes again.
//!
//! Where it writes (docs/DECISIONS.md "hedui report --from"):
//! - the whole run: into RUN_DIR itself, beside the tables, as `hedui run`
//!   does. The directory is swapped in one step like a run's `--out`: the
//!   new reports are staged beside it with hard links to everything else
//!   the directory holds, then exchanged with it.
//! - `--county CODE`: into `RUN_DIR/counties/CODE/`, one directory per
//!   centre to hand over, with a `report.json` saying what it was made from.
//! - `--out DIR` instead: any directory that is absent, empty, or a previous
//!   run or report (it is replaced whole).

use super::read;
use crate::output::{OutputError, RunJson, Staging};
use crate::progress::Progress;
use polars::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// What to report.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// A run directory: `run.json` and the output tables.
    pub from: PathBuf,
    /// A 6-digit county code: only that county's households.
    pub county: Option<String>,
    /// Where to write; see the module's doc for the default.
    pub out: Option<PathBuf>,
}

/// What a report wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportSummary {
    pub out: PathBuf,
    pub households: usize,
    pub files: Vec<String>,
}

/// The description a report directory holds (not for a report written
/// into its run directory, which has `run.json`): what it was made from.
pub const REPORT_JSON: &str = "report.json";

/// Where a county's reports go by default, under the run directory.
pub const COUNTIES: &str = "counties";

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{0} is not a run directory: it has no run.json (written by `hedui run` or the Spark job)"
    )]
    NotARun(PathBuf),
    #[error("{path}: {reason}")]
    RunJson { path: PathBuf, reason: String },
    #[error("run directory {dir} has no table `{table}` (expected {table}.parquet or a {table}/ directory of Parquet parts)")]
    MissingTable { dir: PathBuf, table: &'static str },
    #[error("table `{table}`: cannot read {path}: {reason}")]
    Unreadable {
        table: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("table `{table}`: {path} has no column `{column}`")]
    MissingColumn {
        table: &'static str,
        path: PathBuf,
        column: &'static str,
    },
    #[error("table `{table}`: column `{column}` of {path} is {found}, expected {expected}")]
    ColumnType {
        table: &'static str,
        path: PathBuf,
        column: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error(
        "--county {0}: a county is its 6-digit region code (统计用区划代码 of the 县, e.g. 512022)"
    )]
    BadCounty(String),
    #[error(
        "--county {county}: no household of this run is in it (counties in the run: {present})"
    )]
    NoSuchCounty { county: String, present: String },
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl ReportError {
    /// Whether the user can fix it (bad input: exit 2) rather than the
    /// machine (a write failed).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ReportError::Output(_))
    }
}

/// The run's tables the reports read, owned.
struct RunTables {
    decisions: DataFrame,
    findings: DataFrame,
    near_relative_conflicts: DataFrame,
    review_due: DataFrame,
    data_quality: DataFrame,
}

fn read_run(dir: &Path) -> Result<(RunJson, RunTables), ReportError> {
    let path = dir.join("run.json");
    if !path.is_file() {
        return Err(ReportError::NotARun(dir.to_path_buf()));
    }
    let run_json = RunJson::read(&path).map_err(|e| {
        use crate::output::run_json::RunJsonError;
        let reason = match e {
            RunJsonError::Read { source, .. } => format!("cannot read it: {source}"),
            RunJsonError::Parse { source, .. } => {
                format!("not a run.json of this engine: {source}")
            }
        };
        ReportError::RunJson {
            path: path.clone(),
            reason,
        }
    })?;
    let tables = RunTables {
        decisions: read::table(dir, &read::DECISIONS)?,
        findings: read::table(dir, &read::FINDINGS)?,
        near_relative_conflicts: read::table(dir, &read::NEAR_RELATIVE_CONFLICTS)?,
        review_due: read::table(dir, &read::REVIEW_DUE)?,
        data_quality: read::table(dir, &read::DATA_QUALITY)?,
    };
    Ok((run_json, tables))
}

/// Writes the reports of the run in `req.from`.
pub fn report_from(
    req: &ReportRequest,
    progress: &dyn Progress,
) -> Result<ReportSummary, ReportError> {
    let county = req.county.as_deref().map(check_county).transpose()?;
    let (run_json, mut tables) = read_run(&req.from)?;
    if let Some(county) = county {
        tables = only_county(tables, county)?;
    }
    let mut quality = crate::output::quality_counts(&tables.data_quality)?;
    if county.is_some() {
        // The example value of a problem may be another county's person's.
        let none = Column::full_null("first_value".into(), quality.height(), &DataType::String);
        quality.with_column(none).expect("same height");
    }
    let lists = super::Lists {
        decisions: &tables.decisions,
        findings: &tables.findings,
        data_quality: &quality,
        near_relative_conflicts: &tables.near_relative_conflicts,
        review_due: &tables.review_due,
        county,
    };
    let out = req.out.clone().unwrap_or_else(|| match county {
        Some(c) => req.from.join(COUNTIES).join(c),
        None => req.from.clone(),
    });
    let in_place = same_dir(&out, &req.from);
    let staging = Staging::new(&out)?;
    let mut files = super::write(&staging, &lists, &run_json, progress)?;
    if in_place {
        link_rest(&req.from, &staging, &files)?;
    } else {
        let about = serde_json::json!({
            "from": absolute(&req.from).display().to_string(),
            "county": county,
            "run_month": run_json.run_month,
            "engine": {"name": "hedui", "version": env!("CARGO_PKG_VERSION")},
            "households": tables.decisions.height(),
            "files": files,
        });
        staging.write_json(REPORT_JSON, &about)?;
        files.push(REPORT_JSON.to_string());
    }
    staging.commit()?;
    Ok(ReportSummary {
        out,
        households: tables.decisions.height(),
        files,
    })
}

fn check_county(code: &str) -> Result<&str, ReportError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(ReportError::BadCounty(code.to_string()))
    }
}

/// Rows whose `region_code` lies in `county` (its first 6 digits).
fn in_county(df: &DataFrame, county: &str) -> BooleanChunked {
    let regions = df
        .column("region_code")
        .and_then(|c| c.str().cloned())
        .expect("read as a string column");
    regions
        .iter()
        .map(|r| r.is_some_and(|r| r.starts_with(county)))
        .collect()
}

/// The county's households and their findings, conflicts and 复核 rows;
/// `data_quality` stays whole (its rows name input rows, not households).
fn only_county(t: RunTables, county: &str) -> Result<RunTables, ReportError> {
    let polars = |e: PolarsError| OutputError::ReportColumn {
        frame: "decisions",
        column: "region_code".to_string(),
        reason: e.to_string(),
    };
    let decisions = t
        .decisions
        .filter(&in_county(&t.decisions, county))
        .map_err(polars)?;
    if decisions.height() == 0 {
        return Err(ReportError::NoSuchCounty {
            county: county.to_string(),
            present: counties(&t.decisions),
        });
    }
    let ids = decisions
        .column("household_id")
        .and_then(|c| c.str().cloned())
        .map_err(polars)?;
    let ids: HashSet<&str> = ids.iter().flatten().collect();
    let finding_ids = t
        .findings
        .column("household_id")
        .and_then(|c| c.str().cloned())
        .map_err(polars)?;
    let mine: BooleanChunked = finding_ids
        .iter()
        .map(|h| h.is_some_and(|h| ids.contains(h)))
        .collect();
    let findings = t.findings.filter(&mine).map_err(polars)?;
    let near = &t.near_relative_conflicts;
    let due = &t.review_due;
    Ok(RunTables {
        near_relative_conflicts: near.filter(&in_county(near, county)).map_err(polars)?,
        review_due: due.filter(&in_county(due, county)).map_err(polars)?,
        decisions,
        findings,
        data_quality: t.data_quality,
    })
}

/// The counties of a run's households with their counts, for an error.
fn counties(decisions: &DataFrame) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in in_county_codes(decisions) {
        *counts.entry(r).or_default() += 1;
    }
    let listed: Vec<String> = counts
        .iter()
        .take(20)
        .map(|(c, n)| format!("{c} ({n} households)"))
        .collect();
    let more = counts.len().saturating_sub(listed.len());
    let mut text = listed.join(", ");
    if more > 0 {
        text += &format!(" and {more} more");
    }
    if text.is_empty() {
        text = "none".to_string();
    }
    text
}

fn in_county_codes(decisions: &DataFrame) -> Vec<String> {
    let Ok(regions) = decisions
        .column("region_code")
        .and_then(|c| c.str().cloned())
    else {
        return Vec::new();
    };
    regions
        .iter()
        .map(|r| r.unwrap_or("").chars().take(6).collect())
        .collect()
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    absolute(a) == absolute(b)
}

/// Everything of `run` but the reports just written, hard-linked into the
/// staging directory (copied where the file system has no hard links), so
/// the swap replaces the reports and keeps the tables.
fn link_rest(run: &Path, staging: &Staging, written: &[String]) -> Result<(), OutputError> {
    for entry in std::fs::read_dir(run).map_err(crate::output::io(run))? {
        let entry = entry.map_err(crate::output::io(run))?;
        let name = entry.file_name();
        if written.iter().any(|w| *w == *name.to_string_lossy()) {
            continue;
        }
        link_tree(&entry.path(), &staging.path(&name.to_string_lossy()))?;
    }
    Ok(())
}

fn link_tree(from: &Path, to: &Path) -> Result<(), OutputError> {
    if from.is_dir() {
        std::fs::create_dir(to).map_err(crate::output::io(to))?;
        for entry in std::fs::read_dir(from).map_err(crate::output::io(from))? {
            let entry = entry.map_err(crate::output::io(from))?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(crate::output::io(to))?;
    }
    Ok(())
}
