"""The national run on Apache Spark: `hedui run`'s decisions, by Spark tasks.

    python -m hedui.spark run --data DIR --policies DIR --month YYYY-MM --out DIR [--master URL]

Every decision, comparison and normalisation is hedui's Rust code
(`hedui._native`); this file only says which task runs what and moves the
bytes. The stages (see docs/DISTRIBUTED.md):

1. plan (driver): hedui's loader and policy files check every input first,
   with `hedui run`'s messages (exit code 2), before any Spark stage.
2. link (one task per extract file, `mapInArrow`): read, normalise, link
   to the roster, write the file's `matches` part; its linked rows, split
   by household partition, are blobs for stage 3.
3. assess (`groupBy(partition).applyInArrow`): each partition of whole
   households gets the blobs of its linked rows and writes its part of
   `decisions`, `findings`, `near_relative_conflicts`, `review_due`.
4. data_quality and run.json (driver), then the output directory is
   renamed into place.

Each output is a directory of Parquet parts with `hedui run`'s columns and
types; `row_index` is the dataset-wide row (files sorted by path).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections import Counter, defaultdict

import pyarrow as pa

from hedui import _native

TABLES = ["decisions", "findings", "near_relative_conflicts", "review_due"]

# What a link task yields: one `file` row per extract file (its counts and
# problems), one `blob` row per household partition it has linked rows for.
LINK_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("dataset", pa.string()),
        ("part", pa.int32()),
        ("partition", pa.int32()),
        ("rows", pa.int64()),
        ("all_null", pa.list_(pa.string())),
        ("stats", pa.string()),
        ("files", pa.string()),
        ("quality", pa.binary()),
        ("blob", pa.binary()),
    ]
)
LINK_DDL = (
    "kind string, dataset string, part int, partition int, rows long, "
    "all_null array<string>, stats string, files string, quality binary, blob binary"
)


class Run:
    """One run's arguments, as every task sees them (absolute local paths)."""

    def __init__(self, data: str, policies: str, month: str, staging: str, partitions: int):
        self.data = os.path.abspath(data)
        self.policies = os.path.abspath(policies)
        self.month = month
        self.staging = staging
        self.partitions = partitions

    @property
    def args(self):
        return (self.data, self.policies, self.month)

    def write(self, table: str, part: str, payload: bytes) -> None:
        folder = os.path.join(self.staging, table)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"part-{part}.parquet"), "wb") as f:
            f.write(payload)


def link_task(run: Run):
    """Stage 2, for `mapInArrow` over (dataset, part) rows."""

    def link(batches):
        for batch in batches:
            for dataset, part in zip(batch.column("dataset").to_pylist(), batch.column("part").to_pylist()):
                yield link_one(run, dataset, part)

    return link


def link_one(run: Run, dataset: str, part: int) -> pa.RecordBatch:
    matches, quality, rows, all_null, stats, files, blobs = _native.link_file(
        *run.args, dataset, part, run.partitions
    )
    run.write("matches", f"{dataset}-{part:05d}", matches)
    n = 1 + len(blobs)
    return pa.RecordBatch.from_pydict(
        {
            "kind": ["file"] + ["blob"] * len(blobs),
            "dataset": [dataset] * n,
            "part": [part] * n,
            "partition": [None] + [p for p, _ in blobs],
            "rows": [rows] + [None] * len(blobs),
            "all_null": [all_null] + [None] * len(blobs),
            "stats": [stats] + [None] * len(blobs),
            "files": [files] + [None] * len(blobs),
            "quality": [quality] + [None] * len(blobs),
            "blob": [None] + [bytes(b) for _, b in blobs],
        },
        schema=LINK_SCHEMA,
    )


def quality_task(run: Run, empty):
    """Writes each extract file's data_quality part (empty columns said once)."""

    def write(batches):
        for batch in batches:
            cols = [batch.column(c).to_pylist() for c in ("dataset", "part", "quality")]
            for dataset, part, quality in zip(*cols):
                run.write("data_quality", f"{dataset}-{part:05d}", _native.file_quality(quality, empty))
            yield pa.RecordBatch.from_pydict({"files": [batch.num_rows]}, schema=pa.schema([("files", pa.int64())]))

    return write


def assess_task(run: Run, empty):
    """Stage 3, for `groupBy("partition").applyInArrow`: one partition of households."""

    def assess(table: pa.Table) -> pa.Table:
        p = table.column("partition")[0].as_py()
        blobs = [
            (d, k, b)
            for d, k, b in zip(*(table.column(c).to_pylist() for c in ("dataset", "part", "blob")))
            if b is not None
        ]
        tables, counts = _native.assess_partition(*run.args, p, run.partitions, blobs, empty)
        for name, payload in tables:
            run.write(name, f"{p:05d}", payload)
        return pa.table({"partition": pa.array([p], pa.int32()), "counts": [counts]})

    return assess


def add_counts(parts: list[dict]) -> dict:
    total: dict = {"actions": Counter()}
    for c in parts:
        for k, v in c.items():
            if k == "actions":
                total["actions"].update(v)
            else:
                total[k] = total.get(k, 0) + v
    total["actions"] = dict(total["actions"])
    return total


def run_job(data: str, policies: str, month: str, out: str, master: str | None, partitions: int | None) -> None:
    files, _supplied, households = _native.plan(os.path.abspath(data), os.path.abspath(policies), month)
    from pyspark import SparkConf
    from pyspark.sql import SparkSession, functions as F

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("hedui")
    # spark-submit sets the master; run directly, the job runs in local mode.
    if master or not SparkConf().contains("spark.master"):
        builder = builder.master(master or "local[*]").config("spark.ui.enabled", "false")
    spark = builder.getOrCreate()
    partitions = partitions or max(1, spark.sparkContext.defaultParallelism)
    out = os.path.abspath(out)
    staging = out + ".spark-staging"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    run = Run(data, policies, month, staging, partitions)

    listed = spark.createDataFrame(files, "dataset string, part int").repartition(max(1, len(files)))
    linked = listed.mapInArrow(link_task(run), LINK_DDL).persist()
    file_rows = linked.filter(F.col("kind") == "file").select("dataset", "part", "rows", "all_null", "stats", "files").collect()
    empty = _native.empty_columns([(r.dataset, r.rows, list(r.all_null)) for r in file_rows])

    linked.filter(F.col("kind") == "file").select("dataset", "part", "quality").mapInArrow(
        quality_task(run, empty), "files long"
    ).collect()
    blobs = linked.filter(F.col("kind") == "blob").select("partition", "dataset", "part", "blob")
    every = spark.range(partitions).select(
        F.col("id").cast("int").alias("partition"),
        F.lit(None).cast("string").alias("dataset"),
        F.lit(None).cast("int").alias("part"),
        F.lit(None).cast("binary").alias("blob"),
    )
    assessed = blobs.unionByName(every).groupBy("partition").applyInArrow(
        assess_task(run, empty), "partition int, counts string"
    ).collect()
    linked.unpersist()
    spark.stop()
    finish(run, file_rows, empty, [json.loads(r.counts) for r in assessed], out)


def finish(run: Run, file_rows, empty, partition_counts, out: str) -> None:
    """data_quality's run part, run.json, and the output renamed into place."""
    rows = defaultdict(int)
    extracts: dict = {}
    files = []
    status = Counter({"matched": 0, "review": 0, "unmatched": 0})
    for r in sorted(file_rows, key=lambda r: (r.dataset, r.part)):
        stats = json.loads(r.stats)
        rows[r.dataset] += r.rows
        e = extracts.setdefault(r.dataset, [0, 0, 0, Counter()])
        e[0] += r.rows
        e[1] += stats["linked"]
        e[2] += 1
        e[3].update(stats["link"])
        status.update(stats["status"])
        status["unmatched"] += r.rows - stats["linked"]
        files.append((r.dataset, r.part, r.files))
    run.write("data_quality", "run", _native.run_quality(*run.args, empty, dict(rows)))
    import pyarrow.parquet as pq

    counts = add_counts(partition_counts)
    counts["matches"] = dict(status)
    counts["data_quality"] = pq.read_table(os.path.join(run.staging, "data_quality")).num_rows
    files.sort(key=lambda f: (f[0], f[1]))
    order = [d for d in extracts]
    extract_rows = [(d, *extracts[d][:3], dict(extracts[d][3])) for d in order]
    run_json = _native.run_json(
        *run.args, [(d, f) for d, _, f in files], extract_rows, json.dumps(counts), empty
    )
    with open(os.path.join(run.staging, "run.json"), "w", encoding="utf-8") as f:
        f.write(run_json)
    old = out + ".spark-old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(out):
        os.rename(out, old)
    os.rename(run.staging, out)
    shutil.rmtree(old, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hedui.spark")
    verbs = parser.add_subparsers(dest="verb", required=True)
    r = verbs.add_parser("run", help="the monthly run, on Spark")
    r.add_argument("--data", required=True)
    r.add_argument("--policies", default="policies")
    r.add_argument("--month", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--master", help="Spark master URL (default local[*]; spark-submit's when submitted)")
    r.add_argument("--partitions", type=int, help="household partitions (default: Spark's parallelism)")
    a = parser.parse_args(argv)
    try:
        run_job(a.data, a.policies, a.month, a.out, a.master, a.partitions)
    except _native.InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
