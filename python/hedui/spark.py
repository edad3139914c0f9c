"""The national run on Apache Spark: `hedui run`'s decisions, by Spark tasks.

    python -m hedui.spark run --data DIR --policies DIR --month YYYY-MM --out DIR [--master URL]

DIR is a local path or a URI pyarrow opens (`s3://bucket/prefix`,
`hdfs://namenode/path`, `gs://…`, `file:///…`): remote inputs are read
through a mirror on each worker and outputs written through the file
system (`hedui/remote.py`).

Every decision, comparison and normalisation is hedui's Rust code
(`hedui._native`); this file only says which task runs what, which
columns Spark joins on, and moves the bytes. The stages (see
docs/DISTRIBUTED.md):

1. plan (driver): hedui's loader and policy files check every input first,
   with `hedui run`'s messages (exit code 2), before any Spark stage.
2. link, as joins: extract rows (`mapInArrow`, one task per file) emit
   their normalised ids and, for a broken id, blocking keys; members emit
   theirs. Exact path: join on the id (shuffle by id). Fuzzy path: keys
   over `MAX_BLOCK` members dropped, join on the key (shuffle by key),
   candidates joined to their members' features (shuffle by member), each
   row scored by hedui's linker.
3. evidence (`groupBy(dataset, part).applyInArrow`): each file with its
   links, read again, writes its `matches` part; its linked rows, split by
   household partition, are blobs for stage 4.
4. assess (`groupBy(partition).applyInArrow`): each partition of whole
   households gets the blobs of its linked rows and writes its part of
   `decisions`, `findings`, `near_relative_conflicts`, `review_due`.
5. data_quality and run.json (driver), then the output directory is put
   in place (renamed, or on an object store copied with run.json last).

Each output is a directory of Parquet parts with `hedui run`'s columns and
types; `row_index` is the dataset-wide row (files sorted by path).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.parquet as pq

from hedui import _native
from hedui.remote import BadPath, Inputs, Output

TABLES = ["decisions", "findings", "near_relative_conflicts", "review_due"]

STATS = ["id_exact", "id_other_person", "fuzzy", "no_key", "candidates_compared", "skewed_keys_skipped"]
_STATS_DDL = ", ".join(f"{c} long" for c in STATS)
ROW_KEY = ["dataset", "part", "row"]

# The extract side of the link joins (`joins::extract_rows`).
EXTRACT_DDL = (
    "dataset string, part int, row long, id string, valid boolean, probe1 string, "
    "miss string, keys array<long>, f_id string, f_name string, f_birth date, "
    "f_id_birth date, f_region string, " + _STATS_DDL
)
# The member side (`joins::member_rows`).
MEMBER_DDL = (
    "member long, id string, birth date, region string, name string, "
    "accept double, review double, keys array<long>"
)
# The links table (`joins::exact_links`, `joins::fuzzy_links`): a row per
# linked row, or (member null) per scored row that linked to no one.
LINKS_DDL = (
    "dataset string, part int, row long, member long, score double, method string, "
    "status string, id_level string, name_level string, birth_level string, "
    "region_level string, " + _STATS_DDL
)

# What an evidence task yields: one `file` row per extract file (its counts and
# problems), one `blob` row per household partition it has linked rows for.
EVIDENCE_SCHEMA = pa.schema(
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
EVIDENCE_DDL = (
    "kind string, dataset string, part int, partition int, rows long, "
    "all_null array<string>, stats string, files string, quality binary, blob binary"
)


def _arrow_schema(spark, ddl: str) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import _parse_datatype_string

    return to_arrow_schema(_parse_datatype_string(ddl))


def batches_of(payload: bytes, schema: pa.Schema):
    """Parquet bytes from Rust as record batches of a Spark schema."""
    table = pq.read_table(pa.BufferReader(payload))
    if table.num_rows == 0:
        return []
    return table.select(schema.names).cast(schema).to_batches()


def payload_of(table: pa.Table) -> bytes:
    """A table as Parquet bytes for Rust."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


class Run:
    """One run's arguments, as every task sees them."""

    def __init__(self, inputs: Inputs, month: str, out: Output, partitions: int, driver_args):
        self.inputs = inputs
        self.month = month
        self.out = out
        self.partitions = partitions
        # The paths the driver's plan read (its context is kept by them).
        self.driver_args = driver_args

    def args(self, need=None):
        """`hedui run`'s arguments for a task on this worker: local paths
        (for remote inputs, this worker's mirror, with file `need` whole)."""
        return (*self.inputs.local(need), self.month)

    def write(self, table: str, part: str, payload: bytes) -> None:
        self.out.write(f"{table}/part-{part}.parquet", payload)


def extract_task(run: Run, schema: pa.Schema):
    """The extract side of the joins, for `mapInArrow` over (dataset, part) rows."""

    def emit(batches):
        for batch in batches:
            for dataset, part in zip(batch.column("dataset").to_pylist(), batch.column("part").to_pylist()):
                yield from batches_of(_native.extract_rows(*run.args((dataset, part)), dataset, part), schema)

    return emit


def member_task(run: Run, schema: pa.Schema, parts: int):
    """The member side of the joins, for `mapInArrow` over member part numbers."""

    def emit(batches):
        for batch in batches:
            for p in batch.column("id").to_pylist():
                yield from batches_of(_native.member_rows(*run.args(), p, parts), schema)

    return emit


def decide_task(native, schema: pa.Schema):
    """Links after a join, for `groupBy(bucket).applyInArrow`: a bucket holds
    every found row of its extract rows, which `native` groups by row."""

    def decide(table: pa.Table) -> pa.Table:
        batches = batches_of(native(payload_of(table)), schema)
        return pa.Table.from_batches(batches, schema) if batches else schema.empty_table()

    return decide


def evidence_task(run: Run):
    """Stage 3, for `groupBy(dataset, part).applyInArrow`: one file and its links."""

    def evidence(table: pa.Table) -> pa.Table:
        dataset = table.column("dataset")[0].as_py()
        part = table.column("part")[0].as_py()
        links = table.filter(pa.compute.is_valid(table.column("member")))
        return pa.Table.from_batches([evidence_one(run, dataset, part, payload_of(links))], EVIDENCE_SCHEMA)

    return evidence


def evidence_one(run: Run, dataset: str, part: int, links: bytes) -> pa.RecordBatch:
    matches, quality, rows, all_null, stats, files, blobs = _native.file_evidence(
        *run.args((dataset, part)), dataset, part, links, run.partitions
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
        schema=EVIDENCE_SCHEMA,
    )


def rows_of(payload: bytes) -> int:
    return pq.read_metadata(pa.BufferReader(payload)).num_rows


def quality_task(run: Run, empty):
    """Writes each extract file's data_quality part (empty columns said
    once); yields the rows written."""

    def write(batches):
        for batch in batches:
            rows = 0
            cols = [batch.column(c).to_pylist() for c in ("dataset", "part", "quality")]
            for dataset, part, quality in zip(*cols):
                payload = _native.file_quality(quality, empty)
                run.write("data_quality", f"{dataset}-{part:05d}", payload)
                rows += rows_of(payload)
            yield pa.RecordBatch.from_pydict({"rows": [rows]}, schema=pa.schema([("rows", pa.int64())]))

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
        tables, counts = _native.assess_partition(*run.args(), p, run.partitions, blobs, empty)
        for name, payload in tables:
            run.write(name, f"{p:05d}", payload)
        return pa.table({"partition": pa.array([p], pa.int32()), "counts": [counts]})

    return assess


_LINK_FIELDS = [
    ("row", "long"), ("member", "long"), ("score", "double"), ("method", "string"),
    ("status", "string"), ("id_level", "string"), ("name_level", "string"),
    ("birth_level", "string"), ("region_level", "string"),
]


def link_joins(spark, run: Run, listed, files: int):
    """Stage 2: the links table (`LINKS_DDL`) and each file's link stats,
    `{(dataset, part): {stat: n}}`.

    A file's stats add up what each row counted: every row its path if none
    of its ids is a member's (`extract_rows`); an exact link counts itself
    and takes that back; a fuzzy row counts what scoring it met."""
    from pyspark.sql import functions as F

    buckets = max(1, run.partitions)
    extract_schema = _arrow_schema(spark, EXTRACT_DDL)
    rows = listed.repartition(files).mapInArrow(extract_task(run, extract_schema), EXTRACT_DDL).persist()
    members = (
        spark.range(buckets)
        .repartition(buckets)
        .mapInArrow(member_task(run, _arrow_schema(spark, MEMBER_DDL), buckets), MEMBER_DDL)
        .persist()
    )
    # The exact links feed the fuzzy path (rows they linked are not scored)
    # and the links table: kept, not decided twice over (at 1M households
    # each decision pass took about 80 s of task time; it ran four times).
    exact = exact_join(rows, members, buckets).persist()
    fuzzy, sizes = fuzzy_join(rows, members, exact, buckets)
    links = exact.unionByName(fuzzy).persist()
    totals = (
        rows.select("dataset", "part", *STATS)
        .unionByName(links.select("dataset", "part", *STATS))
        .groupBy("dataset", "part")
        .agg(*[F.sum(c).alias(c) for c in STATS])
        .collect()
    )
    stats = {(r.dataset, r.part): {c: int(r[c]) for c in STATS} for r in totals}
    rows.unpersist()
    members.unpersist()
    exact.unpersist()
    sizes.unpersist()
    return links, stats


def bucket_of(df, buckets: int):
    from pyspark.sql import functions as F

    return df.withColumn("bucket", F.pmod(F.hash(*ROW_KEY), F.lit(buckets)))


def exact_join(rows, members, buckets: int):
    """Exact path: each row's ids (its normalised id, and the id inside its
    separators) joined to the members' normalised ids, shuffled by id. An id
    is looked up as its first member (roster order) and whether others
    share it; `route` then picks as `hedui run` does."""
    from pyspark.sql import functions as F

    ids = (
        members.where(F.col("id").isNotNull())
        .groupBy(F.col("id").alias("probe"))
        .agg(F.min("member").alias("first"), (F.count("*") > 1).alias("shared"))
    )
    probes = rows.select(*ROW_KEY, "id", "valid", "miss", F.explode(F.array("id", "probe1")).alias("probe")).where(
        F.col("probe").isNotNull()
    )
    found = probes.join(ids, "probe")
    return (
        bucket_of(found, buckets)
        .groupBy("bucket")
        .applyInArrow(decide_task(_native.exact_links, _arrow_schema(None, LINKS_DDL)), LINKS_DDL)
    )


def fuzzy_join(rows, members, exact, buckets: int):
    """Fuzzy path: rows whose ids are no member's and that have blocking keys
    join the members sharing a key, shuffled by key. A key of more than
    MAX_BLOCK members is skew: dropped before the join (never shuffled
    with its members to one task) and counted for the row, as the single-node
    index skips it. Each row's distinct candidates join their members'
    features (shuffled by member) and are scored by hedui's linker. Returns
    the links and the block sizes it keeps, for the caller to release once
    the links are kept."""
    from pyspark.sql import functions as F

    found = exact.select(*ROW_KEY)
    fuzzy_rows = rows.where(F.col("miss") == "fuzzy").join(found, ROW_KEY, "left_anti")
    member_keys = members.select("member", F.explode("keys").alias("key"))
    # Read three times (the skewed keys twice, the usable ones once): kept,
    # not counted again from the members' keys each time.
    sizes = member_keys.groupBy("key").agg(F.count("*").alias("n")).persist()
    skewed = sizes.where(F.col("n") > _native.MAX_BLOCK).select("key")
    usable = member_keys.join(sizes.where(F.col("n") <= _native.MAX_BLOCK).select("key"), "key")
    row_keys = fuzzy_rows.select(*ROW_KEY, F.explode("keys").alias("key"))
    skew = row_keys.join(F.broadcast(skewed), "key").groupBy(*ROW_KEY).agg(F.count("*").alias("skewed"))
    pairs = row_keys.join(F.broadcast(skewed), "key", "left_anti").join(usable, "key").select(*ROW_KEY, "member").distinct()
    features = members.select(
        F.col("member"),
        *[F.col(c).alias("c_" + c) for c in ("id", "birth", "region", "name", "accept", "review")],
    )
    candidates = pairs.join(features, "member").withColumnRenamed("member", "c_member")
    facts = fuzzy_rows.select(*ROW_KEY, "f_id", "f_name", "f_birth", "f_id_birth", "f_region")
    scored = facts.join(skew, ROW_KEY, "left").join(candidates, ROW_KEY, "left")
    decided = (
        bucket_of(scored, buckets)
        .groupBy("bucket")
        .applyInArrow(decide_task(_native.fuzzy_links, _arrow_schema(None, LINKS_DDL)), LINKS_DDL)
    )
    return decided, sizes


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


def plan(data: str, policies: str, month: str):
    """The inputs listed (remote ones: once, here) and checked by hedui's
    loader and policy files, before any Spark stage: the inputs as the
    tasks read them, the extract files, the paths the driver read."""
    inputs = Inputs(data, policies, _native.DATASETS, _native.READ_WHOLE)
    with inputs.on_driver() as (local_data, local_policies):
        try:
            files, _supplied, _households = _native.plan(local_data, local_policies, month)
        except _native.InputError as e:
            raise _native.InputError(inputs.named(str(e), (local_data, local_policies))) from None
    inputs.files = {(d, k): path for d, k, path in files}
    return inputs, [(d, k) for d, k, _ in files], (local_data, local_policies, month)


def run_job(data: str, policies: str, month: str, out: str, master: str | None, partitions: int | None) -> None:
    inputs, files, driver_args = plan(data, policies, month)
    output = Output(out)
    output.prepare()
    try:
        run_spark(inputs, files, driver_args, output, month, master, partitions)
    except BaseException:
        output.abandon()
        raise


def run_spark(inputs: Inputs, files, driver_args, output: Output, month: str, master, partitions) -> None:
    from pyspark import SparkConf
    from pyspark.sql import SparkSession, functions as F

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("hedui")
    # spark-submit sets the master; run directly, the job runs in local mode.
    if master or not SparkConf().contains("spark.master"):
        builder = builder.master(master or "local[*]").config("spark.ui.enabled", "false")
        # Local mode: the driver's JVM is the only executor; Spark's 1g
        # default ran out of heap at 100k households.
        if not SparkConf().contains("spark.driver.memory"):
            builder = builder.config("spark.driver.memory", "6g")
    # Broadcasts only where the job asks for one (the skewed keys): Spark's
    # size estimates chose to broadcast a join side of millions of rows.
    if not SparkConf().contains("spark.sql.autoBroadcastJoinThreshold"):
        builder = builder.config("spark.sql.autoBroadcastJoinThreshold", "-1")
    spark = builder.getOrCreate()
    partitions = partitions or max(1, spark.sparkContext.defaultParallelism)
    # The joins' shuffles in as many partitions as household batches, unless
    # the submitter chose (Spark's 200 is hundreds of near-empty Python
    # tasks on a small run).
    if not SparkConf().contains("spark.sql.shuffle.partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", str(max(2, partitions)))
    run = Run(inputs, month, output, partitions, driver_args)

    listed = spark.createDataFrame(files, "dataset string, part int")
    links, link_stats = link_joins(spark, run, listed, max(1, len(files)))
    every_file = listed.select("dataset", "part", *[F.lit(None).cast(t).alias(c) for c, t in _LINK_FIELDS])
    linked = (
        links.where(F.col("member").isNotNull())
        .select("dataset", "part", *[c for c, _ in _LINK_FIELDS])
        .unionByName(every_file)
        .groupBy("dataset", "part")
        .applyInArrow(evidence_task(run), EVIDENCE_DDL)
        .persist()
    )
    file_rows = linked.filter(F.col("kind") == "file").select("dataset", "part", "rows", "all_null", "stats", "files").collect()
    empty = _native.empty_columns([(r.dataset, r.rows, list(r.all_null)) for r in file_rows])

    quality_rows = sum(
        r.rows
        for r in linked.filter(F.col("kind") == "file")
        .select("dataset", "part", "quality")
        .mapInArrow(quality_task(run, empty), "rows long")
        .collect()
    )
    blobs = linked.filter(F.col("kind") == "blob").select("partition", "dataset", "part", "blob")
    every = spark.range(partitions).select(
        F.col("id").cast("int").alias("partition"),
        F.lit(None).cast("string").alias("dataset"),
        F.lit(None).cast("int").alias("part"),
        F.lit(None).cast("binary").alias("blob"),
    )
    # By range, so each household partition is its own task: hashed, 8
    # partition numbers met in 3 of 8 tasks at 1M (docs/DISTRIBUTED.md).
    assessed = (
        blobs.unionByName(every)
        .repartitionByRange(partitions, "partition")
        .groupBy("partition")
        .applyInArrow(assess_task(run, empty), "partition int, counts string")
        .collect()
    )
    linked.unpersist()
    spark.stop()
    finish(run, file_rows, link_stats, empty, [json.loads(r.counts) for r in assessed], quality_rows)


def finish(run: Run, file_rows, link_stats, empty, partition_counts, quality_rows: int) -> None:
    """data_quality's run part, run.json, and the output put in place."""
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
        e[3].update(link_stats.get((r.dataset, r.part), {}))
        status.update(stats["status"])
        status["unmatched"] += r.rows - stats["linked"]
        files.append((r.dataset, r.part, r.files))
    run_part = _native.run_quality(*run.driver_args, empty, dict(rows))
    run.write("data_quality", "run", run_part)
    counts = add_counts(partition_counts)
    counts["matches"] = dict(status)
    counts["data_quality"] = quality_rows + rows_of(run_part)
    files.sort(key=lambda f: (f[0], f[1]))
    order = [d for d in extracts]
    extract_rows = [(d, *extracts[d][:3], dict(extracts[d][3])) for d in order]
    run_json = _native.run_json(
        *run.driver_args,
        [(d, f) for d, _, f in files],
        extract_rows,
        json.dumps(counts),
        empty,
        run.inputs.data_uri,
        run.inputs.policies_uri,
    )
    run.out.publish(run_json.encode("utf-8"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hedui.spark")
    verbs = parser.add_subparsers(dest="verb", required=True)
    r = verbs.add_parser("run", help="the monthly run, on Spark")
    where = " (a local path or a URI: s3://, hdfs://, gs://, file://)"
    r.add_argument("--data", required=True, help="the data directory" + where)
    r.add_argument("--policies", default="policies", help="the policy files' directory" + where)
    r.add_argument("--month", required=True)
    r.add_argument("--out", required=True, help="the output directory" + where)
    r.add_argument("--master", help="Spark master URL (default local[*]; spark-submit's when submitted)")
    r.add_argument("--partitions", type=int, help="household partitions (default: Spark's parallelism)")
    a = parser.parse_args(argv)
    try:
        run_job(a.data, a.policies, a.month, a.out, a.master, a.partitions)
    except (_native.InputError, BadPath) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
