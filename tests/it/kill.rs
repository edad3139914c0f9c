//! Kill safety (issue 13, finding 5): a run killed at any moment — at the
//! named points inside the commit, and by SIGKILL at a sweep of delays over
//! a whole run — leaves `--out` either the previous complete run or the new
//! complete one, never nothing and never a mix; the next run removes what
//! the killed one left beside it.

use crate::support::policies;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples")
}

fn run_cmd(out: &Path, month: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hedui"));
    cmd.args(["run", "--quiet", "--month", month, "--data"])
        .arg(samples())
        .arg("--policies")
        .arg(policies())
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// The names in a run directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_month(out: &Path) -> String {
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    run["run_month"].as_str().unwrap().to_string()
}

fn leftovers(parent: &Path) -> Vec<String> {
    listing(parent)
        .into_iter()
        .filter(|n| n.starts_with(".hedui-"))
        .collect()
}

/// `--out` is a complete run of the previous month (2024-09) or of the new
/// one (2024-10), with every file a complete run has.
fn assert_whole(out: &Path, complete: &[String], when: &str) {
    assert!(out.is_dir(), "{when}: --out is gone");
    assert_eq!(
        listing(out),
        complete,
        "{when}: --out is not a complete run"
    );
    let month = run_month(out);
    assert!(month == "2024-09" || month == "2024-10", "{when}: {month}");
}

#[test]
fn a_run_killed_anywhere_leaves_the_previous_or_the_new_run_and_the_next_run_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let started = Instant::now();
    assert!(run_cmd(&out, "2024-09").status().unwrap().success());
    let full_run = started.elapsed();
    let complete = listing(&out);
    assert!(complete.contains(&"run.json".to_string()) && complete.len() > 10);

    // Named points, the commit's inside included: the process aborts there.
    for point in ["staged", "before_commit", "commit", "commit:exchanged"] {
        let status = run_cmd(&out, "2024-10")
            .env("HEDUI_TEST_ABORT_AT", point)
            .status()
            .unwrap();
        assert!(!status.success(), "{point}: the hook aborts");
        assert_whole(&out, &complete, point);
        let expected = if point == "commit:exchanged" {
            "2024-10"
        } else {
            "2024-09"
        };
        assert_eq!(run_month(&out), expected, "{point}");
        // Put the previous month back for the next point.
        assert!(run_cmd(&out, "2024-09").status().unwrap().success());
        assert_eq!(
            leftovers(tmp.path()),
            Vec::<String>::new(),
            "after {point}, the next run cleans up"
        );
    }

    // SIGKILL at a sweep of delays over a whole run.
    let steps = 12;
    let mut killed = 0;
    for k in 0..steps {
        let delay = full_run.mul_f64(k as f64 / steps as f64 * 1.1);
        let mut child = run_cmd(&out, "2024-10").spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        assert_whole(&out, &complete, &format!("SIGKILL after {delay:?}"));
    }
    assert!(
        killed >= steps / 2,
        "only {killed} of {steps} runs were killed in flight"
    );
    assert!(run_cmd(&out, "2024-10").status().unwrap().success());
    assert_whole(&out, &complete, "the last run");
    assert_eq!(run_month(&out), "2024-10");
    assert_eq!(
        leftovers(tmp.path()),
        Vec::<String>::new(),
        "the last run cleaned up"
    );
}
