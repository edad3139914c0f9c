//! Small data directories written in the tests, and readers for outputs.

use hedui::calendar::RunMonth;
use hedui::{RunRequest, RunSummary};
use polars::prelude::*;
use std::path::{Path, PathBuf};

pub fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

pub fn write(path: &Path, df: &mut DataFrame) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(df)
        .unwrap();
}

pub fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

pub fn run(data: &Path, out: &Path, month: &str) -> Result<RunSummary, hedui::RunError> {
    hedui::run(&RunRequest {
        data: data.to_path_buf(),
        policies: policies(),
        month: month.parse::<RunMonth>().unwrap(),
        out: out.to_path_buf(),
    })
}

/// A valid 18-digit id for 乐至县 from a birth date (YYYYMMDD) and a sequence.
pub fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("512022{birth}{seq:03}");
    format!("{first17}{}", hedui::text::check_digit(&first17).unwrap())
}

/// Two households of 乐至县: H1 (2 members, urban 低保) and H2 (1 member, rural 低保).
pub fn households() -> DataFrame {
    df!(
        "household_id" => ["H1", "H2"],
        "region_code" => ["512022101001", "512022102003"],
        "area" => ["urban", "农村"],
        "program" => ["urban_dibao", "rural_dibao"],
        "status" => ["active", "active"],
        "tier" => [Some(1i64), None],
        "single_person_coverage" => [false, false],
        "benefit_start" => ["2023-01-01", "20230301"],
        "phase_out_until" => [None::<&str>, None],
        "monthly_benefit" => ["500.00", "300"],
        "last_review_date" => [Some("2024-06-30"), None],
    )
    .unwrap()
}

pub fn members() -> DataFrame {
    let ids = [
        id("19800101", 101),
        id("19820202", 102),
        id("19500303", 103),
    ];
    df!(
        "household_id" => ["H1", "H1", "H2"],
        "name" => ["王芳", "李强", "张三"],
        "id_number" => ids.iter().map(String::as_str).collect::<Vec<_>>(),
        "relation" => ["head", "spouse", "head"],
        "covered" => [true, true, true],
        "disability_grade" => [None::<i64>, None, Some(2)],
        "severe_illness" => [false, false, false],
        "labor_capacity" => ["full", "full", "none"],
        "in_school" => [false, false, false],
        "declared_wage" => [300.0f64, 0.0, 0.0],
        "declared_business" => [0.0f64, 0.0, 0.0],
        "declared_property_income" => [0.0f64, 0.0, 0.0],
        "declared_transfer" => [0.0f64, 0.0, 100.0],
        "declared_basic_pension" => [0.0f64, 0.0, 150.0],
        "declared_medical_expense" => [0.0f64, 0.0, 0.0],
        "declared_education_expense" => [0.0f64, 0.0, 0.0],
    )
    .unwrap()
}

/// A data directory with just households and members.
pub fn roster_only(dir: &Path) {
    write(&dir.join("households.parquet"), &mut households());
    write(&dir.join("members.parquet"), &mut members());
}

pub fn column_strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let c = df.column(name).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}
