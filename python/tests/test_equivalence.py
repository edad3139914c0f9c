"""The Spark job decides exactly as `hedui run`: every table equal, row for
row after sorting by key, on the shipped samples and on 3,000 households
of realistically noisy data (broken ids, so the fuzzy linker runs).

Run by `tests/it/spark.rs` (`cargo test`, which `.ci/run` calls); needs
HEDUI_BIN (the built binary) and Java 17.
"""

import os
import subprocess
import sys
from pathlib import Path

import datetime
import json

import pyarrow as pa
import pyarrow.compute as pc
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


def link_stats(run_json: Path) -> dict:
    """Each extract's link stats in run.json (`extract_timings[].link`)."""
    return {e["dataset"]: e["link"] for e in json.loads(run_json.read_text())["extract_timings"]}


def check(data: Path, tmp: Path) -> dict:
    """Both engines on `data`: every table equal, and the same link stats
    (which path each row took, and what the fuzzy path met); those stats."""
    reference, spark = tmp / "reference", tmp / "spark"
    hedui("run", "--data", str(data), "--month", MONTH, "--out", str(reference), "--quiet")
    spark_run(data, spark)
    assert_same_outputs(reference, spark)
    stats = link_stats(reference / "run.json")
    assert link_stats(spark / "run.json") == stats
    return stats


def test_samples_equal_hedui_run(tmp_path):
    check(ROOT / "data-samples", tmp_path)


def test_noisy_3000_households_equal_hedui_run(tmp_path):
    data = tmp_path / "data"
    hedui("gen", "--households", "3000", "--seed", "7", "--noise", "realistic", "--out", str(data))
    check(data, tmp_path)


def plant_placeholder_birth_dates(data: Path, members: int, rows: int):
    """More than MAX_BLOCK (64) members of one county born on a placeholder
    date (1900-01-01 in their ids), and `rows` vehicle rows without id or
    name born that day: the rows' birth-date-and-county key is skewed."""
    path = data / "members.parquet"
    table = pq.read_table(path)
    ids = table.column("id_number").to_pylist()
    planted = 0
    for i, id_number in enumerate(ids):
        if planted < members and id_number and len(id_number) == 18:
            ids[i] = id_number[:6] + "19000101" + id_number[14:]
            planted += 1
    table = table.set_column(table.schema.get_field_index("id_number"), "id_number", pa.array(ids, pa.string()))
    pq.write_table(table, path)
    path = data / "vehicles.parquet"
    table = pq.read_table(path)
    n = table.num_rows
    placeholder = pa.array([datetime.date(1900, 1, 1)] * rows + [None] * (n - rows), pa.date32())
    for column, planted_values in [
        ("owner_id_number", pa.nulls(n, pa.string())),
        ("owner_name", pa.nulls(n, pa.string())),
        ("person_birth_date", placeholder),
    ]:
        at = table.schema.get_field_index(column)
        old = table.column(column)
        keep = pa.array([i >= rows for i in range(n)])
        values = pc.if_else(keep, old, planted_values.cast(old.type))
        table = table.set_column(at, column, values)
    pq.write_table(table, path)


def test_skewed_blocking_keys_are_skipped_alike(tmp_path):
    data = tmp_path / "data"
    hedui("gen", "--households", "300", "--seed", "11", "--noise", "realistic", "--counties", "1", "--out", str(data))
    plant_placeholder_birth_dates(data, members=80, rows=20)
    stats = check(data, tmp_path)
    assert stats["vehicles"]["skewed_keys_skipped"] > 0


def test_bad_input_is_refused_before_spark(tmp_path):
    cmd = [sys.executable, "-m", "hedui.spark", "run", "--data", str(tmp_path / "none"),
           "--month", MONTH, "--out", str(tmp_path / "out")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "error:" in done.stderr
    assert not (tmp_path / "out").exists()
