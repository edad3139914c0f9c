//! Outputs: every table written, run.json complete, same bytes whatever the
//! thread count, absent datasets reported as not checked.

use crate::support::*;
use polars::prelude::*;

fn run_with_threads(data: &std::path::Path, out: &std::path::Path, threads: usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| run(data, out, "2024-10").unwrap());
}

#[test]
fn the_same_inputs_give_the_same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    hedui::gen::generate(&hedui::gen::GenRequest {
        households: 120,
        seed: 7,
        out: data.clone(),
        month: "2024-10".parse().unwrap(),
        policies: policies(),
    })
    .unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_with_threads(&data, &a, 1);
    run_with_threads(&data, &b, 2);
    for name in ["decisions", "findings", "matches", "data_quality"] {
        let file = format!("{name}.parquet");
        assert_eq!(
            std::fs::read(a.join(&file)).unwrap(),
            std::fs::read(b.join(&file)).unwrap(),
            "{file} differs"
        );
    }
}

#[test]
fn absent_extracts_are_not_checked_and_never_passed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let out = tmp.path().join("out");
    let summary = run(&data, &out, "2024-10").unwrap();
    assert!(
        summary.not_checked.contains(&"R-VEHICLE") && summary.not_checked.contains(&"R-FIN-ASSETS")
    );
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let not_checked = run_json["rules"]["not_checked"].as_array().unwrap();
    assert!(not_checked
        .iter()
        .any(|r| r["rule"] == "R-DEATH" && r["dataset"] == "deaths"));
    assert!(!run_json["rules"]["checked"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "R-VEHICLE"));
    assert_eq!(run_json["inputs"]["vehicles"]["supplied"], false);
    assert_eq!(run_json["inputs"]["households"]["rows"], 2);
    assert_eq!(
        run_json["inputs"]["members"]["files"][0]["blake3"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert!(!run_json["policies"]["periods_used"]
        .as_array()
        .unwrap()
        .is_empty());
    // Decisions carry the not-checked rules row by row.
    let d = read(&out.join("decisions.parquet"));
    assert_eq!(d.height(), 2);
    let nc = d
        .column("not_checked")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(0)
        .unwrap();
    assert!(nc.str().unwrap().iter().any(|r| r == Some("R-VEHICLE")));
}

#[test]
fn a_hive_partitioned_extract_directory_is_read_in_path_order() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let vehicles = |owner: String, plate: &str| {
        df!(
            "owner_name" => ["王芳"],
            "owner_id_number" => [owner],
            "plate_no" => [plate],
            "vehicle_type" => ["car"],
            "use_nature" => ["private"],
            "status" => ["normal"],
            "first_registered" => ["2020-01-01"],
            "assessed_value" => [50000i64],
        )
        .unwrap()
    };
    write(
        &data.join("vehicles/region=5120/part-1.parquet"),
        &mut vehicles(id("19800101", 101), "川M1"),
    );
    write(
        &data.join("vehicles/region=5120/part-0.parquet"),
        &mut vehicles("110105194912310021".into(), "京A1"),
    );
    let out = tmp.path().join("out");
    run(&data, &out, "2024-10").unwrap();
    let m = read(&out.join("matches.parquet"));
    assert_eq!(
        column_strings(&m, "status"),
        vec![Some("unmatched".into()), Some("matched".into())]
    );
    let d = read(&out.join("decisions.parquet"));
    assert_eq!(
        column_strings(&d, "action"),
        vec![Some("exit".into()), Some("keep".into())]
    );
    let f = read(&out.join("findings.parquet"));
    assert_eq!(
        column_strings(&f, "rule_id"),
        vec![Some("R-VEHICLE".into())]
    );
    assert_eq!(
        f.column("row_index").unwrap().u64().unwrap().get(0),
        Some(1)
    );
    // Money is written as a real decimal.
    assert!(matches!(
        d.column("per_capita_income").unwrap().dtype(),
        DataType::Decimal(_, 2)
    ));
}

/// `hedui run … | head -1` must not panic when the reader goes away: the
/// outputs are written, the summary has nowhere to go, the exit code is 0.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    roster_only(&data);
    let out = tmp.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(["run", "--data"])
        .arg(&data)
        .arg("--policies")
        .arg(policies())
        .args(["--month", "2024-10", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(result.status.success(), "{stderr}");
    assert!(out.join("decisions.parquet").is_file());
}
