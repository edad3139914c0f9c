"""The Spark job on S3: `--data`, `--policies` and `--out` as `s3://` URIs
(a moto S3 server on a free local port, reached through pyarrow with the
standard AWS environment variables). The job is given no local path of the
inputs and runs in a scratch directory: its tasks can only read what the
bucket holds. Every table equal to `hedui run`'s on the same local data.

Run with the other Spark tests by `tests/it/spark.rs` (`cargo test`; `.ci/run`
makes the virtualenv); needs moto, which `scripts/spark-env.sh` installs.
"""

import json
import os
import subprocess
import sys

import pyarrow.fs as pafs
import pytest
from moto.server import ThreadedMotoServer

from test_equivalence import MONTH, ROOT, assert_same_outputs, hedui, link_stats

BUCKET = "hedui-test"
DATA = f"s3://{BUCKET}/in/{MONTH}"
POLICIES = f"s3://{BUCKET}/in/policies"


@pytest.fixture(scope="module")
def s3():
    """A moto S3 server holding data-samples/ and policies/; the environment
    that points a process's pyarrow at it, and a file system to look in."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "hedui-test",
        "AWS_SECRET_ACCESS_KEY": "hedui-test",
        "AWS_DEFAULT_REGION": "us-east-1",
        # No instance-metadata look-ups for credentials or region.
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    fs = pafs.S3FileSystem(
        endpoint_override=env["AWS_ENDPOINT_URL"],
        access_key=env["AWS_ACCESS_KEY_ID"],
        secret_key=env["AWS_SECRET_ACCESS_KEY"],
        region=env["AWS_DEFAULT_REGION"],
        allow_bucket_creation=True,
    )
    fs.create_dir(BUCKET)
    local = pafs.LocalFileSystem()
    pafs.copy_files(str(ROOT / "data-samples"), DATA.removeprefix("s3://"), local, fs)
    pafs.copy_files(str(ROOT / "policies"), POLICIES.removeprefix("s3://"), local, fs)
    try:
        yield env, fs
    finally:
        server.stop()


def spark_job(env, cwd, data, policies, out, check=True):
    cmd = [sys.executable, "-m", "hedui.spark", "run", "--data", data, "--policies", policies,
           "--month", MONTH, "--out", out, "--master", "local[2]"]
    return subprocess.run(cmd, cwd=cwd, env=os.environ | env, check=check, capture_output=not check, text=True)


def test_s3_inputs_and_outputs_equal_hedui_run(tmp_path, s3):
    env, fs = s3
    out = f"{BUCKET}/out/{MONTH}"
    # An earlier run's output with a part this run does not write: the new
    # run replaces the directory, leaving nothing of the old one.
    with fs.open_output_stream(f"{out}/decisions/part-99999.parquet") as f:
        f.write(b"an earlier run")
    reference = tmp_path / "reference"
    hedui("run", "--data", str(ROOT / "data-samples"), "--month", MONTH, "--out", str(reference), "--quiet")

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    spark_job(env, scratch, DATA, POLICIES, f"s3://{out}")

    got = tmp_path / "spark"
    pafs.copy_files(out, str(got), fs, pafs.LocalFileSystem())
    assert not (got / "decisions" / "part-99999.parquet").exists()
    assert_same_outputs(reference, got)
    assert link_stats(got / "run.json") == link_stats(reference / "run.json")
    run, want = (json.loads((d / "run.json").read_text()) for d in (got, reference))
    # Every input file read whole, the same bytes: rows and hashes as
    # `hedui run` read them locally.
    assert run["inputs"] == want["inputs"]
    assert run["data_dir"] == DATA
    assert run["policies"]["dir"] == POLICIES
    assert fs.get_file_info(f"{out}.spark-staging").type == pafs.FileType.NotFound
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    "data, policies, out, named",
    [
        (f"s3://{BUCKET}-none/in", POLICIES, "OUT", f"data directory s3://{BUCKET}-none/in does not exist"),
        ("nofs://host/in", POLICIES, "OUT", "--data nofs://host/in: cannot open it"),
        (DATA, f"s3://{BUCKET}/in/none", "OUT", f"s3://{BUCKET}/in/none"),
        (f"s3://{BUCKET}/in", POLICIES, "OUT", f"expected s3://{BUCKET}/in/households.parquet"),
        (DATA, POLICIES, f"s3://{BUCKET}-none/out", f"--out s3://{BUCKET}-none/out: cannot write"),
    ],
    ids=["no-bucket", "no-file-system", "no-policies", "no-roster", "out-no-bucket"],
)
def test_unusable_remote_paths_are_refused_before_spark(tmp_path, s3, data, policies, out, named):
    env, fs = s3
    out = out.replace("OUT", f"s3://{BUCKET}/refused/{tmp_path.name}")
    done = spark_job(env, tmp_path, data, policies, out, check=False)
    assert done.returncode == 2, done.stderr
    assert "error: " in done.stderr and named in done.stderr, done.stderr
    # Named as given, never by the driver's local mirror.
    assert "hedui-inputs-" not in done.stderr
    assert "Traceback" not in done.stderr
    assert fs.get_file_info(f"{BUCKET}/refused").type == pafs.FileType.NotFound
