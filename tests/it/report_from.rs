//! `hedui report --from RUN_DIR`: the reports of a run directory rebuilt
//! from its tables — the same bytes as the run's own, one county's lists,
//! tables as directories of parts, and bad run directories (exit 2).

use crate::support::*;
use calamine::{open_workbook, Data, Reader, Xlsx};
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hedui<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `hedui run` on the shipped samples into `dir/run`.
fn sample_run(dir: &Path) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let out = dir.join("run");
    run(&data, &out, "2024-10").unwrap();
    out
}

/// The human-facing files of a report directory: report.xlsx, report.html
/// and every CSV list, name → bytes.
fn reports(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".csv") || name == "report.xlsx" || name == "report.html"
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn assert_same_reports(expected: &Path, actual: &Path) {
    let (a, b) = (reports(expected), reports(actual));
    assert_eq!(a.len(), 14, "workbook, page and 12 lists");
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs from the run's own");
    }
}

/// `hedui report --from RUN_DIR` with `extra` flags.
fn report(run_dir: &Path, extra: &[&str]) -> Output {
    let from = ["report", "--from", run_dir.to_str().unwrap()];
    hedui(from.iter().chain(extra))
}

fn reported(run_dir: &Path, extra: &[&str]) {
    let o = report(run_dir, extra);
    assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
}

#[test]
fn a_runs_reports_rebuilt_from_its_tables_are_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = sample_run(tmp.path());
    let elsewhere = tmp.path().join("again");
    reported(&run_dir, &["--out", elsewhere.to_str().unwrap()]);
    assert_same_reports(&run_dir, &elsewhere);
    assert!(elsewhere.join("report.json").is_file());

    // In place (the default): the reports replaced, the tables kept.
    let before = tmp.path().join("before");
    std::fs::create_dir(&before).unwrap();
    for (name, bytes) in reports(&run_dir) {
        std::fs::write(before.join(name), bytes).unwrap();
    }
    let decisions = std::fs::read(run_dir.join("decisions.parquet")).unwrap();
    std::fs::remove_file(run_dir.join("report.xlsx")).unwrap();
    reported(&run_dir, &["-q"]);
    assert_same_reports(&before, &run_dir);
    assert_eq!(
        std::fs::read(run_dir.join("decisions.parquet")).unwrap(),
        decisions
    );
    let beside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(beside.len(), 3, "nothing left beside the run: {beside:?}");
}

/// Every row of `sheet` as text.
fn rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_countys_lists_hold_its_households_and_no_others() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = sample_run(tmp.path());
    let county = "512022";
    reported(&run_dir, &["--county", county, "-q"]);
    let own = run_dir.join("counties").join(county);
    let (whole, mine) = (run_dir.join("report.xlsx"), own.join("report.xlsx"));

    // Each list: the run's rows of the county (region code in column 1,
    // the 公示 list's village code), in the same order, and nothing else.
    let decisions = read(&run_dir.join("decisions.parquet"));
    let regions = column_strings(&decisions, "region_code");
    let households = regions
        .iter()
        .filter(|r| r.as_deref().unwrap_or("").starts_with(county))
        .count();
    assert!(households > 0 && households < decisions.height());
    let wb: Xlsx<_> = open_workbook(&whole).unwrap();
    let lists = wb.sheet_names();
    assert_eq!(lists.len(), 12);
    // 汇总 and 数据质量 count; every other sheet lists households' rows.
    for sheet in lists.iter().filter(|s| *s != "汇总" && *s != "数据质量") {
        let (all, theirs) = (rows(&whole, sheet), rows(&mine, sheet));
        assert_eq!(all[0], theirs[0], "{sheet}: headers");
        let expected: Vec<&Vec<String>> = all[1..]
            .iter()
            .filter(|r| r[1].starts_with(county))
            .collect();
        let got: Vec<&Vec<String>> = theirs[1..].iter().collect();
        assert_eq!(got, expected, "{sheet}");
    }
    let summary = rows(&mine, "汇总");
    let total = summary.last().unwrap();
    assert_eq!(total[0], "合计");
    assert_eq!(
        total[1],
        households.to_string(),
        "汇总 counts the county's households"
    );
    assert!(summary[1..summary.len() - 1]
        .iter()
        .all(|r| r[0].starts_with(county)));
    let page = std::fs::read_to_string(own.join("report.html")).unwrap();
    assert!(page.contains(&format!("区县 {county}")));
    assert!(page.contains(&format!("<b>{households}</b><span>核对户数</span>")));
    // The CSV lists are the workbook's: the 公示 list has the same rows.
    let csv = std::fs::read_to_string(own.join("公示名单.csv")).unwrap();
    assert_eq!(csv.lines().count(), rows(&mine, "公示名单").len());
}

/// `NAME/part-*.parquet` as Spark writes a table, with its `_SUCCESS`.
fn as_parts(run_dir: &Path, table: &str) {
    let file = run_dir.join(format!("{table}.parquet"));
    let df = read(&file);
    std::fs::remove_file(&file).unwrap();
    let half = df.height() / 2;
    let dir = run_dir.join(table);
    // Written out of name order, read in path order.
    write(
        &dir.join("part-00001.parquet"),
        &mut df.slice(half as i64, df.height() - half),
    );
    write(&dir.join("part-00000.parquet"), &mut df.slice(0, half));
    std::fs::write(dir.join("_SUCCESS"), "").unwrap();
    std::fs::write(dir.join(".part-00000.parquet.crc"), "not parquet").unwrap();
}

#[test]
fn tables_as_directories_of_parts_give_the_same_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = sample_run(tmp.path());
    for table in ["decisions", "findings", "data_quality", "review_due"] {
        as_parts(&run_dir, table);
    }
    let out = tmp.path().join("from-parts");
    reported(&run_dir, &["--out", out.to_str().unwrap(), "-q"]);
    assert_same_reports(&run_dir, &out);
}

fn fails_naming(run_dir: &Path, words: &[&str]) {
    let out = run_dir.with_file_name("out");
    let o = report(run_dir, &["--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for w in words {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_missing_or_damaged_table_is_bad_input_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = sample_run(tmp.path());
    let path = |name: &str| run_dir.join(name);

    std::fs::rename(path("data_quality.parquet"), path("dq")).unwrap();
    fails_naming(&run_dir, &["table `data_quality`", "data_quality.parquet"]);
    std::fs::rename(path("dq"), path("data_quality.parquet")).unwrap();

    let findings = std::fs::read(path("findings.parquet")).unwrap();
    std::fs::write(path("findings.parquet"), &findings[..findings.len() / 2]).unwrap();
    fails_naming(&run_dir, &["table `findings`", "findings.parquet"]);
    std::fs::write(path("findings.parquet"), &findings).unwrap();

    // A column of the wrong type, as another writer might send it.
    let mut due = read(&path("review_due.parquet"));
    let text = due
        .column("due_date")
        .unwrap()
        .cast(&DataType::String)
        .unwrap();
    due.with_column(text).unwrap();
    write(&path("review_due.parquet"), &mut due);
    fails_naming(
        &run_dir,
        &["table `review_due`", "`due_date`", "expected a date"],
    );

    std::fs::remove_file(path("run.json")).unwrap();
    fails_naming(&run_dir, &["not a run directory"]);
}

#[test]
fn a_county_code_must_be_six_digits_and_in_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = sample_run(tmp.path());
    for (county, words) in [
        ("51202", "6-digit region code"),
        ("999999", "no household of this run"),
    ] {
        let o = report(&run_dir, &["--county", county]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(words), "{}", stderr(&o));
    }
    assert!(!run_dir.join("counties").exists());
}
