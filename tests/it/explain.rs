//! `hedui explain`: a case worker reads why a row was linked, in Chinese,
//! with every id masked.

use crate::support::*;
use polars::prelude::*;

#[test]
fn explain_shows_the_row_and_its_comparison_levels_with_ids_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    // 王芳's car, registered under a traditional-character name and an id
    // with one wrong digit (the check digit is wrong, so it is invalid).
    let real = id("19800101", 101);
    let mut typo = real.clone().into_bytes();
    typo[10] = if typo[10] == b'0' { b'1' } else { b'0' };
    let typo = String::from_utf8(typo).unwrap();
    write(
        &data.join("vehicles.parquet"),
        &mut df!(
            "owner_name" => ["王 芳"],
            "owner_id_number" => [typo.as_str()],
            "plate_no" => ["川M12345"],
            "vehicle_type" => ["car"],
            "use_nature" => ["private"],
            "status" => ["normal"],
            "first_registered" => ["2020-01-01"],
            "assessed_value" => [150000i64],
            "person_birth_date" => ["1980-01-01"],
            "person_region_code" => ["512022101001"],
        )
        .unwrap(),
    );
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();

    let result = std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(["explain", "--household", "H1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let text = String::from_utf8(result.stdout).unwrap();
    for expected in [
        "家庭 H1",
        "R-VEHICLE",
        "车辆登记 第 0 行",
        "王芳",
        "证件号相差一位",
        "姓名一致",
        "出生日期一致",
        "同一乡镇（街道）",
        "模糊匹配",
        "已关联",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains(&real) && !text.contains(&typo),
        "an id unmasked:\n{text}"
    );
    assert!(text.contains(&hedui::text::mask_id(&real)));

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(["explain", "--household", "NOPE", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("NOPE"));
}

/// A household-level finding (here R-NEAR-RELATIVE: a village cadre who is
/// a recipient, not filed) still names its member.
#[test]
fn explain_names_the_member_of_a_near_relative_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let li = id("19820202", 102);
    write(
        &data.join("staff.parquet"),
        &mut df!(
            "name" => ["李强"],
            "id_number" => [li.as_str()],
            "role" => ["村居委会成员"],
            "region_code" => ["512022101001"],
        )
        .unwrap(),
    );
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    let conflicts = read(&out.join("near_relative_conflicts.parquet"));
    assert_eq!(
        column_strings(&conflicts, "relation"),
        vec![Some("self".to_string())]
    );
    assert_eq!(
        column_strings(&conflicts, "conflict"),
        vec![Some("unfiled".to_string())]
    );
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(["explain", "--household", "H1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8(result.stdout).unwrap();
    assert!(text.contains("R-NEAR-RELATIVE"), "{text}");
    assert!(text.contains("成员：李强"), "{text}");
}

/// A data directory whose vehicles show H1's car (the explain tests' set).
fn data_with_a_car(data: &std::path::Path) {
    roster_only(data);
    write(
        &data.join("vehicles.parquet"),
        &mut df!(
            "owner_name" => ["王芳"],
            "owner_id_number" => [id("19800101", 101).as_str()],
            "plate_no" => ["川M12345"],
            "vehicle_type" => ["car"],
            "use_nature" => ["private"],
            "status" => ["normal"],
            "first_registered" => ["2020-01-01"],
            "assessed_value" => [150000i64],
        )
        .unwrap(),
    );
}

fn explain(out: &std::path::Path, cwd: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .current_dir(cwd)
        .args(["explain", "--household", "H1", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// Issue 13, finding 7: after the data changed, explain showed another
/// person's row as the evidence.
#[test]
fn explain_refuses_when_the_inputs_no_longer_match_run_json() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    data_with_a_car(&data);
    run(&data, &out, "2024-10").unwrap();
    assert!(explain(&out, tmp.path()).status.success());
    // Another month's extract under the same name: row 0 is someone else.
    write(
        &data.join("vehicles.parquet"),
        &mut df!(
            "owner_name" => ["路人", "王芳"],
            "owner_id_number" => [id("19700101", 999).as_str(), id("19800101", 101).as_str()],
            "plate_no" => ["川M00000", "川M12345"],
            "vehicle_type" => ["car", "car"],
            "use_nature" => ["private", "private"],
            "status" => ["normal", "normal"],
            "first_registered" => ["2020-01-01", "2020-01-01"],
            "assessed_value" => [1i64, 150000],
        )
        .unwrap(),
    );
    let result = explain(&out, tmp.path());
    assert_eq!(result.status.code(), Some(2));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(
        err.contains("vehicles") && err.contains("vehicles.parquet") && err.contains("run.json"),
        "{err}"
    );
    assert!(
        result.stdout.is_empty(),
        "nothing explained from stale data"
    );
}

/// Issue 13, finding 7: a relative `--data` broke explain from another
/// working directory.
#[test]
fn explain_finds_a_relative_data_directory_from_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    data_with_a_car(&tmp.path().join("data"));
    let ran = std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .current_dir(tmp.path())
        .args([
            "run",
            "--quiet",
            "--data",
            "data",
            "--month",
            "2024-10",
            "--out",
            "out",
            "--policies",
        ])
        .arg(policies())
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let result = explain(&tmp.path().join("out"), elsewhere.path());
    let text = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        text.contains("车辆登记 第 0 行") && !text.contains("已找不到"),
        "{text}"
    );
}
