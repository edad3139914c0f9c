//! Bad input: a clear error naming dataset/column/file, or a data_quality
//! row; never a panic, never a silently dropped row.

use crate::support::*;
use polars::prelude::*;

fn error_text(data: &std::path::Path) -> String {
    let out = data.parent().unwrap().join("out");
    let err = run(data, &out, "2024-10").expect_err("the run must fail");
    assert!(!out.exists(), "a failed run leaves no output directory");
    err.to_string()
}

#[test]
fn a_missing_roster_dataset_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    write(&data.join("households.parquet"), &mut households());
    let msg = error_text(&data);
    assert!(msg.contains("members") && msg.contains("家庭成员"), "{msg}");
}

#[test]
fn a_missing_column_names_dataset_column_and_expected_type() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let mut m = members().drop("declared_wage").unwrap();
    write(&data.join("members.parquet"), &mut m);
    let msg = error_text(&data);
    assert!(
        msg.contains("members") && msg.contains("declared_wage") && msg.contains("decimal"),
        "{msg}"
    );
}

#[test]
fn a_column_of_an_unusable_type_names_the_found_type() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let mut m = members();
    m.with_column(Column::new("id_number".into(), [1i64, 2, 3]))
        .unwrap();
    write(&data.join("members.parquet"), &mut m);
    let msg = error_text(&data);
    assert!(
        msg.contains("id_number") && msg.contains("i64") && msg.contains("expected string"),
        "{msg}"
    );
}

#[test]
fn corrupt_and_empty_parquet_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    std::fs::write(data.join("deposits.parquet"), b"").unwrap();
    let msg = error_text(&data);
    assert!(
        msg.contains("deposits") && msg.contains("deposits.parquet"),
        "{msg}"
    );
    std::fs::write(
        data.join("deposits.parquet"),
        b"PAR1 this is not parquet PAR1",
    )
    .unwrap();
    let msg = error_text(&data);
    assert!(msg.contains("deposits.parquet"), "{msg}");
}

#[test]
fn a_region_no_policy_covers_is_an_error_naming_the_region() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let mut h = households();
    h.with_column(Column::new(
        "region_code".into(),
        ["990101001001", "512022102003"],
    ))
    .unwrap();
    write(&data.join("households.parquet"), &mut h);
    let msg = error_text(&data);
    assert!(msg.contains("990101001001"), "{msg}");
}

#[test]
fn bad_rows_become_data_quality_rows_and_are_never_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    // A duplicated household id, a member of an unknown household, an unparsable date.
    let mut h = households();
    let dup = h.slice(0, 1);
    h.vstack_mut(&dup).unwrap();
    h.with_column(Column::new(
        "last_review_date".into(),
        [Some("2024-06-30"), Some("not a date"), None],
    ))
    .unwrap();
    write(&data.join("households.parquet"), &mut h);
    let mut m = members();
    let mut stray = m.slice(0, 1);
    stray
        .with_column(Column::new("household_id".into(), ["H404"]))
        .unwrap();
    m.vstack_mut(&stray).unwrap();
    write(&data.join("members.parquet"), &mut m);
    // A negative balance on a member's account.
    let mut deposits = df!(
        "holder_name" => ["王芳"],
        "holder_id_number" => [id("19800101", 101)],
        "institution" => ["农业银行"],
        "account_no" => ["6228001"],
        "asset_type" => ["deposit"],
        "balance" => ["-50.00"],
        "as_of" => ["2024-10-31"],
    )
    .unwrap();
    write(&data.join("deposits.parquet"), &mut deposits);

    let out = tmp.path().join("out");
    let summary = run(&data, &out, "2024-10").unwrap();
    assert_eq!(summary.households, 2);
    let dq = read(&out.join("data_quality.parquet"));
    let problems: Vec<(String, String)> = column_strings(&dq, "dataset")
        .into_iter()
        .zip(column_strings(&dq, "problem"))
        .map(|(d, p)| (d.unwrap(), p.unwrap()))
        .collect();
    for expected in [
        ("households", "duplicate_household_id"),
        ("households", "bad_date"),
        ("members", "unknown_household"),
        ("deposits", "negative_amount"),
    ] {
        assert!(
            problems
                .iter()
                .any(|(d, p)| d == expected.0 && p == expected.1),
            "missing {expected:?} in {problems:?}"
        );
    }
    // Every deposits row is in matches.
    assert_eq!(read(&out.join("matches.parquet")).height(), 1);
}
