//! Outputs: every table written, run.json complete, same bytes whatever the
//! thread count, absent datasets reported as not checked.

use crate::support::*;
use polars::prelude::*;

/// `hedui` itself, run with `args` and this many threads for rayon and
/// polars (both pools are sized once per process: only a new process
/// changes them).
fn hedui(args: &[&str], threads: usize) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hedui"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .env("POLARS_MAX_THREADS", threads.to_string())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "hedui {args:?} failed: {stderr}");
}

/// run.json without what measures the process rather than the inputs.
fn run_json_without_timings(dir: &std::path::Path) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    let run = json.as_object_mut().unwrap();
    for key in ["timings", "output_timings", "peak_rss_kib"] {
        run.remove(key)
            .unwrap_or_else(|| panic!("run.json has `{key}`"));
    }
    for extract in run["extract_timings"].as_array_mut().unwrap() {
        extract.as_object_mut().unwrap().remove("thread_ms");
    }
    json
}

fn file_names(dir: &std::path::Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names
}

/// The whole binary with 1 and with 2 threads, on extracts written as
/// several parts each (so parts are read, linked and merged by several
/// threads) with realistic noise (so rows with broken ids go through the
/// blocking index, built by several tasks): every output the same, byte for
/// byte.
#[test]
fn the_same_inputs_give_the_same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let path = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let policies = policies().to_str().unwrap().to_string();
    let data = path("data");
    let gen = [
        "gen",
        "--households",
        "400",
        "--seed",
        "7",
        "--part-rows",
        "300",
        "--noise",
        "realistic",
        "--counties",
        "2",
    ];
    hedui(
        &[&gen[..], &["--policies", &policies, "--out", &data]].concat(),
        2,
    );
    let parts = std::fs::read_dir(tmp.path().join("data/deposits"))
        .unwrap()
        .count();
    assert!(parts > 2, "deposits is written in parts, found {parts}");
    let outs = [path("one"), path("two")];
    for (out, threads) in outs.iter().zip([1, 2]) {
        let run = ["run", "--quiet", "--month", "2024-10", "--data", &data];
        hedui(
            &[&run[..], &["--policies", &policies, "--out", out]].concat(),
            threads,
        );
    }
    let outs = outs.map(std::path::PathBuf::from);
    let fuzzy: u64 = run_json_without_timings(&outs[0])["extract_timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["link"]["fuzzy"].as_u64().unwrap())
        .sum();
    assert!(
        fuzzy > 50,
        "rows with broken ids reach the blocking index: {fuzzy}"
    );
    let files = file_names(&outs[0]);
    assert_eq!(files, file_names(&outs[1]), "the same outputs are written");
    assert!(files.len() >= 20, "every output is compared: {files:?}");
    for name in &files {
        if name == "run.json" {
            assert_eq!(
                run_json_without_timings(&outs[0]),
                run_json_without_timings(&outs[1]),
                "run.json differs beyond its timings"
            );
        } else {
            let same = std::fs::read(outs[0].join(name)).unwrap()
                == std::fs::read(outs[1].join(name)).unwrap();
            assert!(same, "{name:?} differs between 1 and 2 threads");
        }
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
