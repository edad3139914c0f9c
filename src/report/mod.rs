//! Report: the lists a verification centre acts on, as people read them —
//! `report.xlsx` (one sheet per list, a 汇总 sheet, the 公示 list), the same
//! lists as CSV (UTF-8 with BOM), and `report.html` (one page: counts,
//! charts, top reasons, data quality, inputs and policies).
//!
//! The reports are built from the output tables alone (the frames written
//! as Parquet; `decisions` carries the roster's columns the lists show) and
//! `run.json`, so what people read is what machines read, only labelled in
//! Chinese, and `hedui report --from` rebuilds them from any run directory
//! ([`from`]).
//!
//! Architecture invariants:
//! - A list is a [`Sheet`]: Chinese headers and a function from row number to
//!   cells, so one row at a time is materialised. Writers stream: CSV
//!   through a buffer, the workbook's sheets through their compressor (into
//!   a temp file, a compressed zip entry per sheet). A 1M-household run
//!   holds the frames (already in memory) and a few index vectors, no more.
//! - Nothing here decides anything: labels, sorting and layout only.
//! - The same inputs give the same bytes (fixed workbook timestamps, no
//!   timings in the HTML).

mod csv;
pub mod diff;
pub mod from;
mod html;
pub mod labels;
mod lists;
mod publicity;
mod read;
mod xlsx;

pub use from::{report_from, ReportError, ReportRequest, ReportSummary};

use crate::output::{OutputError, RunJson, Staging};
use crate::progress::{Progress, Stage};
use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// The tables a report is built from: the run's output tables as written
/// (in memory during `hedui run`, read back from Parquet by `hedui report
/// --from`), so both give the same bytes.
pub struct Lists<'a> {
    /// `decisions` with the roster's columns the lists show (`area`,
    /// `household_size`, `head_id_number`, `head_name`, `covered_name`).
    pub decisions: &'a DataFrame,
    pub findings: &'a DataFrame,
    /// Problems counted per dataset, column and problem
    /// ([`crate::output::quality_counts`]).
    pub data_quality: &'a DataFrame,
    pub near_relative_conflicts: &'a DataFrame,
    pub review_due: &'a DataFrame,
    /// The county (6-digit code) the lists are limited to, if any: named in
    /// the page's title.
    pub county: Option<&'a str>,
}

/// The workbook's file name.
pub const WORKBOOK: &str = "report.xlsx";
/// The HTML summary's file name.
pub const HTML: &str = "report.html";
/// The 公示 list's name: its sheet, and its CSV file `公示名单.csv`.
pub const PUBLICITY: &str = "公示名单";

/// Writes `report.xlsx`, one CSV per list and `report.html` into the run's
/// staging directory. Returns the names of the files written.
pub fn write(
    staging: &Staging,
    lists: &Lists,
    run_json: &RunJson,
    progress: &dyn Progress,
) -> Result<Vec<String>, OutputError> {
    use rayon::prelude::*;
    let sheets = lists::build(lists)?;
    progress.start(Stage::Reports, sheets.iter().map(|s| s.len as u64).sum());
    let month = run_json.run_month.as_str();
    let mut files: Vec<String> = sheets.iter().map(|s| format!("{}.csv", s.name)).collect();
    // Each list is one task that builds every row once and writes it to
    // both its CSV file and its worksheets (compressing them as it goes);
    // the longest lists start first so the threads finish together.
    let mut tasks: Vec<(usize, &Sheet)> = sheets.iter().enumerate().collect();
    tasks.sort_by_key(|(k, s)| (std::cmp::Reverse(s.len), *k));
    let mut written = tasks
        .into_par_iter()
        .with_max_len(1)
        .map(|(k, sheet)| {
            let csv_path = staging.path(&files[k]);
            let mut csv = csv::CsvList::new(&csv_path, &sheet.headers)?;
            let (mut xlsx, layout) = xlsx::List::new(staging, sheet)?;
            // Runs of rows are built and rendered in parallel, a window at a
            // time, while the previous window is written and compressed: a
            // long list (公示名单 has most of the roster) then takes both
            // cores instead of finishing alone.
            let render = |run: &std::ops::Range<usize>| {
                let (mut csv_text, mut xml) = (String::new(), String::new());
                for i in run.clone() {
                    let cells = sheet.row(i);
                    csv::render_row(&mut csv_text, &cells);
                    layout.render(&mut xml, i, &cells);
                }
                (run.start, run.len(), csv_text, xml)
            };
            let write = |csv: &mut csv::CsvList,
                         xlsx: &mut xlsx::List,
                         done: Vec<(usize, usize, String, String)>| {
                for (first, rows, csv_text, xml) in done {
                    csv.append(&csv_text)?;
                    xlsx.append(first, &xml)?;
                    progress.advance(rows as u64);
                }
                Ok::<_, OutputError>(())
            };
            let runs = xlsx.runs(RUN_ROWS);
            let mut rendered = Vec::new();
            for window in runs.chunks(RUNS_PER_WINDOW) {
                let (written, next) = rayon::join(
                    || write(&mut csv, &mut xlsx, std::mem::take(&mut rendered)),
                    || window.par_iter().map(render).collect::<Vec<_>>(),
                );
                written?;
                rendered = next;
            }
            write(&mut csv, &mut xlsx, rendered)?;
            csv.finish()?;
            Ok((k, xlsx.finish()?))
        })
        .collect::<Result<Vec<_>, OutputError>>()?;
    written.sort_by_key(|(k, _)| *k);
    xlsx::save(
        staging,
        month,
        written.into_iter().flat_map(|(_, ws)| ws).collect(),
    )?;
    files.push(WORKBOOK.to_string());
    let page = html::render(lists, &sheets, run_json)?;
    let path = staging.path(HTML);
    std::fs::write(&path, page).map_err(crate::output::io(&path))?;
    files.push(HTML.to_string());
    Ok(files)
}

/// Rows built and rendered as one unit of work, and units in flight per
/// list: ~8k rows of text held per list.
const RUN_ROWS: usize = 1024;
const RUNS_PER_WINDOW: usize = 8;

/// One cell of a list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Text(Cow<'a, str>),
    /// Yuan, shown with 2 decimals; written as a number.
    Money(Option<Decimal>),
    Date(Option<NaiveDate>),
    Count(Option<u64>),
    /// A score between 0 and 1 (match confidence), shown with 2 decimals.
    Score(Option<f64>),
}

impl<'a> Cell<'a> {
    fn text(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(s.into())
    }

    fn opt(s: Option<&'a str>) -> Cell<'a> {
        Cell::Text(Cow::Borrowed(s.unwrap_or("")))
    }
}

/// A list: a sheet of the workbook and a CSV file of the same name.
pub(crate) struct Sheet<'a> {
    /// Sheet name and CSV file stem, in Chinese.
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub len: usize,
    row: Box<dyn Fn(usize) -> Vec<Cell<'a>> + Send + Sync + 'a>,
}

impl<'a> Sheet<'a> {
    pub fn row(&self, i: usize) -> Vec<Cell<'a>> {
        (self.row)(i)
    }
}

/// Typed access to an output frame's columns, with a clear error when the
/// engine's frame lacks one (a programming error, reported, never a panic).
struct Frame<'a> {
    name: &'static str,
    df: &'a DataFrame,
}

fn missing(frame: &'static str, column: &str, why: String) -> OutputError {
    OutputError::ReportColumn {
        frame,
        column: column.to_string(),
        reason: why,
    }
}

impl<'a> Frame<'a> {
    fn new(name: &'static str, df: &'a DataFrame) -> Frame<'a> {
        Frame { name, df }
    }

    fn column(&self, column: &str) -> Result<&'a Column, OutputError> {
        self.df
            .column(column)
            .map_err(|e| missing(self.name, column, e.to_string()))
    }

    fn str(&self, column: &str) -> Result<&'a StringChunked, OutputError> {
        self.column(column)?
            .str()
            .map_err(|e| missing(self.name, column, e.to_string()))
    }

    fn money(&self, column: &str) -> Result<Money<'a>, OutputError> {
        let ca = self
            .column(column)?
            .decimal()
            .map_err(|e| missing(self.name, column, e.to_string()))?;
        Ok(Money(ca))
    }

    fn date(&self, column: &str) -> Result<Dates<'a>, OutputError> {
        let ca = self
            .column(column)?
            .date()
            .map_err(|e| missing(self.name, column, e.to_string()))?;
        Ok(Dates(ca))
    }

    fn list(&self, column: &str) -> Result<&'a ListChunked, OutputError> {
        self.column(column)?
            .list()
            .map_err(|e| missing(self.name, column, e.to_string()))
    }

    /// An integer column of any width, as u64.
    fn count(&self, column: &str) -> Result<Counts, OutputError> {
        let c = self
            .column(column)?
            .cast(&DataType::UInt64)
            .map_err(|e| missing(self.name, column, e.to_string()))?;
        Ok(Counts(c.u64().expect("cast to UInt64").clone()))
    }

    fn f64(&self, column: &str) -> Result<&'a Float64Chunked, OutputError> {
        self.column(column)?
            .f64()
            .map_err(|e| missing(self.name, column, e.to_string()))
    }

    fn bool(&self, column: &str) -> Result<&'a BooleanChunked, OutputError> {
        self.column(column)?
            .bool()
            .map_err(|e| missing(self.name, column, e.to_string()))
    }
}

struct Money<'a>(&'a DecimalChunked);

impl Money<'_> {
    fn get(&self, i: usize) -> Option<Decimal> {
        let scale = self.0.scale() as u32;
        self.0
            .physical()
            .get(i)
            .map(|v| Decimal::from_i128_with_scale(v, scale))
    }
}

struct Dates<'a>(&'a DateChunked);

impl Dates<'_> {
    fn get(&self, i: usize) -> Option<NaiveDate> {
        self.0.physical().get(i).map(crate::load::days_to_date)
    }
}

struct Counts(UInt64Chunked);

impl Counts {
    fn get(&self, i: usize) -> Option<u64> {
        self.0.get(i)
    }
}

/// The strings of a list<str> cell.
fn list_strings(ca: &ListChunked, i: usize) -> Vec<String> {
    ca.get_as_series(i)
        .and_then(|s| {
            s.str()
                .ok()
                .map(|s| s.iter().flatten().map(str::to_string).collect())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::Roster;
    use crate::output::{decisions_frame, findings_frame, quality_counts, quality_frame};
    use calamine::{open_workbook, Data, Reader, Xlsx};

    fn strings(name: &str, v: &[Option<&str>]) -> Column {
        Column::new(name.into(), v.to_vec())
    }

    fn money(name: &str, v: &[Option<f64>]) -> Column {
        Column::new(name.into(), v.to_vec())
            .cast(&DataType::Decimal(38, 2))
            .unwrap()
    }

    fn dates(name: &str, v: &[Option<NaiveDate>]) -> Column {
        let days: Vec<Option<i32>> = v.iter().map(|d| d.map(crate::load::date_to_days)).collect();
        Column::new(name.into(), days)
            .cast(&DataType::Date)
            .unwrap()
    }

    fn lists(name: &str, v: &[&[&str]]) -> Column {
        let mut b = ListStringChunkedBuilder::new(name.into(), v.len(), 4);
        for x in v {
            b.append_values_iter(x.iter().copied());
        }
        b.finish().into_series().into_column()
    }

    fn review_due() -> DataFrame {
        let due = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        DataFrame::new_infer_height(vec![
            strings("household_id", &[Some("H9")]),
            strings("region_code", &[Some("512022101001")]),
            strings("program", &[Some("tekun")]),
            dates("due_date", &[Some(due)]),
            strings("cadence", &[Some("annual")]),
            lists("cadence_reasons", &[&["tekun", "aged_60_plus"]]),
            dates("last_review_date", &[None]),
            Column::new("living_members".into(), [1u32]),
            money("per_capita_income", &[Some(120.5)]),
            money("standard", &[Some(693.0)]),
            money("financial_assets_per_capita", &[Some(0.0)]),
            money("verified_wage", &[None]),
            lists("assets_found", &[&["R-VEHICLE"]]),
            strings("action", &[Some("keep")]),
            strings("summary", &[Some("名下有车辆一辆")]),
        ])
        .unwrap()
    }

    fn near_relative_conflicts() -> DataFrame {
        DataFrame::new_infer_height(vec![
            strings("household_id", &[Some("H9"), Some("H8")]),
            strings("region_code", &[Some("512022101001"), Some("512022102001")]),
            strings("program", &[Some("rural_dibao"), Some("urban_dibao")]),
            strings("id_number", &[Some("512022195001011234"), Some("x")]),
            strings("name", &[Some("张三"), Some("李四")]),
            strings("staff_id_number", &[Some("512022198001011234"), Some("y")]),
            strings("staff_name", &[Some("张村长"), Some("李干部")]),
            strings(
                "staff_role",
                &[Some("village_cadre"), Some("civil_affairs")],
            ),
            strings(
                "staff_region_code",
                &[Some("512022101001"), Some("512022102")],
            ),
            strings("relation", &[Some("parent"), Some("self")]),
            strings("relation_source", &[Some("hukou"), Some("self")]),
            Column::new("filed".into(), [false, true]),
            strings("conflict", &[Some("unfiled"), None]),
        ])
        .unwrap()
    }

    #[test]
    fn a_frame_without_a_column_the_report_reads_is_an_error_naming_it() {
        let roster = Roster::default();
        let decisions = decisions_frame(&roster, &[]).drop("reasons").unwrap();
        let findings = findings_frame(&roster, &[]);
        let quality = quality_counts(&quality_frame(&mut [])).unwrap();
        let (conflicts, due) = (near_relative_conflicts(), review_due());
        let input = Lists {
            decisions: &decisions,
            findings: &findings,
            data_quality: &quality,
            near_relative_conflicts: &conflicts,
            review_due: &due,
            county: None,
        };
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::new(&tmp.path().join("run")).unwrap();
        let run_json = RunJson::default();
        let err = write(&staging, &input, &run_json, &crate::progress::Quiet)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("`decisions`") && err.to_string().contains("`reasons`"),
            "{err}"
        );
    }

    /// The other engineers' frames, built here by hand: labels, dates and
    /// the 汇总 counts of their sheets.
    #[test]
    fn near_relative_and_review_due_sheets_read_as_words_and_dates() {
        let roster = Roster::default();
        let (decisions, findings) = (decisions_frame(&roster, &[]), findings_frame(&roster, &[]));
        let quality = quality_counts(&quality_frame(&mut [])).unwrap();
        let (conflicts, due) = (near_relative_conflicts(), review_due());
        let input = Lists {
            decisions: &decisions,
            findings: &findings,
            data_quality: &quality,
            near_relative_conflicts: &conflicts,
            review_due: &due,
            county: None,
        };
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let staging = Staging::new(&out).unwrap();
        let run_json = RunJson {
            run_month: "2024-10".to_string(),
            ..RunJson::default()
        };
        let files = write(&staging, &input, &run_json, &crate::progress::Quiet).unwrap();
        assert!(files.contains(&"近亲属冲突.csv".to_string()));
        staging.commit().unwrap();

        let mut wb: Xlsx<_> = open_workbook(out.join(WORKBOOK)).unwrap();
        let due = wb.worksheet_range("到期复核").unwrap();
        let row: Vec<&Data> = due.rows().nth(1).unwrap().iter().collect();
        assert_eq!(row[2], &Data::String("特困供养".into()));
        match row[3] {
            // Excel's serial day: days since 1899-12-30.
            Data::DateTime(d) => assert_eq!(
                d.as_f64(),
                (NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
                    - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
                .num_days() as f64
            ),
            other => panic!("due date is not a date: {other:?}"),
        }
        assert_eq!(row[4], &Data::String("每年".into()));
        assert_eq!(row[5], &Data::String("特困供养、年满60周岁".into()));
        assert_eq!(row[6], &Data::Empty);
        assert_eq!(row[8], &Data::Float(120.5));
        assert_eq!(row[12], &Data::String("名下有非豁免机动车".into()));
        assert_eq!(row[13], &Data::String("继续保障".into()));

        let conflicts = wb.worksheet_range("近亲属冲突").unwrap();
        let rows: Vec<Vec<String>> = conflicts
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            rows[1][7..],
            [
                "村居委会成员",
                "512022101001",
                "父母",
                "户籍",
                "否",
                "未备案"
            ]
        );
        assert_eq!(rows[2][9..], ["本人", "本人", "是", "已备案"]);

        let summary = wb.worksheet_range("汇总").unwrap();
        let header: Vec<String> = summary
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let near = header.iter().position(|h| h == "近亲属冲突").unwrap();
        let total = summary.rows().next_back().unwrap();
        assert_eq!(total[near], Data::Float(2.0));
        assert_eq!(total[near + 1], Data::Float(1.0));
    }
}
