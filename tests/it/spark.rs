//! The Spark job (`python -m hedui.spark`) against `hedui run`: the pytest
//! file `python/tests/test_equivalence.py`, run with the Python of the
//! virtualenv holding pyspark and hedui's Python package (`.ci/run` and
//! `scripts/spark-env.sh` make it). Without one the test says so and
//! passes, except in CI, where `.ci/run` must have made it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `HEDUI_SPARK_PYTHON` (which must exist: `.ci/run` sets it), else
/// `.venv-spark/bin/python` at the repository root if there is one.
fn spark_python() -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("HEDUI_SPARK_PYTHON") {
        let python = PathBuf::from(python);
        assert!(
            python.exists(),
            "HEDUI_SPARK_PYTHON={} does not exist",
            python.display()
        );
        return Some(python);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Some(root.join(".venv-spark/bin/python")).filter(|p| p.exists())
}

#[test]
fn spark_job_writes_what_hedui_run_writes() {
    let Some(python) = spark_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: no Python with pyspark and hedui's package (HEDUI_SPARK_PYTHON); .ci/run makes one"
        );
        eprintln!("skipped: no .venv-spark (scripts/spark-env.sh makes it)");
        return;
    };
    let status = Command::new(python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HEDUI_BIN", env!("CARGO_BIN_EXE_hedui"))
        .status()
        .expect("runs pytest");
    assert!(status.success(), "python/tests failed: {status}");
}
