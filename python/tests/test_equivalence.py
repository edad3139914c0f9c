"""The Spark job decides exactly as `hedui run`: every table equal, row for
row after sorting by key, on the shipped samples and on 3,000 households
of realistically noisy data (broken ids, so the fuzzy linker runs).

Run by `python/tests/run.sh` (which `.ci/run` calls); needs HEDUI_BIN (the
built binary) and Java 17.
"""

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["decisions", "findings", "matches", "near_relative_conflicts", "review_due", "data_quality"]
MONTH = "2024-10"


def hedui(*args):
    binary = os.environ.get("HEDUI_BIN", "hedui")
    subprocess.run([binary, *args], check=True, cwd=ROOT)


def spark_run(data, out):
    cmd = [sys.executable, "-m", "hedui.spark", "run", "--data", str(data), "--policies",
           str(ROOT / "policies"), "--month", MONTH, "--out", str(out), "--master", "local[2]"]
    subprocess.run(cmd, check=True, cwd=ROOT)


def sorted_table(path: Path) -> pa.Table:
    """A table (one file, or a directory of parts) sorted by all its plain columns."""
    table = pq.read_table(path)
    keys = [f.name for f in table.schema if not pa.types.is_list(f.type) and not pa.types.is_large_list(f.type)]
    return table.sort_by([(k, "ascending") for k in keys]).combine_chunks()


def assert_same_outputs(reference: Path, spark: Path):
    for name in TABLES:
        want = sorted_table(reference / f"{name}.parquet")
        got = sorted_table(spark / name)
        assert got.schema.remove_metadata() == want.schema.remove_metadata(), name
        assert got.num_rows == want.num_rows, f"{name}: {got.num_rows} rows, want {want.num_rows}"
        if not got.equals(want):
            for i in range(want.num_rows):
                if got.slice(i, 1).to_pylist() != want.slice(i, 1).to_pylist():
                    pytest.fail(f"{name}: first difference at sorted row {i}")
            pytest.fail(f"{name} differs")


def check(data: Path, tmp: Path):
    reference, spark = tmp / "reference", tmp / "spark"
    hedui("run", "--data", str(data), "--month", MONTH, "--out", str(reference), "--quiet")
    spark_run(data, spark)
    assert_same_outputs(reference, spark)
    assert (spark / "run.json").is_file()


def test_samples_equal_hedui_run(tmp_path):
    check(ROOT / "data-samples", tmp_path)


def test_noisy_3000_households_equal_hedui_run(tmp_path):
    data = tmp_path / "data"
    hedui("gen", "--households", "3000", "--seed", "7", "--noise", "realistic", "--out", str(data))
    check(data, tmp_path)


def test_bad_input_is_refused_before_spark(tmp_path):
    cmd = [sys.executable, "-m", "hedui.spark", "run", "--data", str(tmp_path / "none"),
           "--month", MONTH, "--out", str(tmp_path / "out")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "error:" in done.stderr
    assert not (tmp_path / "out").exists()
