#!/usr/bin/env bash
# Creates or reuses .venv-spark/ at the repository root: pyspark, pyarrow,
# the test tools (pytest, moto) and hedui's Python package (python/) built
# from the working tree, release build. Then:
#   .venv-spark/bin/python -m hedui.spark run --data DIR --policies DIR --month YYYY-MM --out DIR
# SPARK_ENV_PROFILE=dev builds the package unoptimised (what CI does: it
# reuses the test build; polars then runs several times slower).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! java -version >/dev/null 2>&1; then
  echo "spark-env: Java is not installed; Spark needs a JDK (17): apt-get install openjdk-17-jre-headless" >&2
  exit 1
fi
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

venv="${SPARK_VENV:-.venv-spark}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# Versions the job is tested with (pyspark 4 runs on Java 17). moto
# (Apache-2.0) is the S3 server of python/tests/test_remote.py.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "pyspark>=4.0,<5" "pyarrow>=16" "pandas>=2" "maturin>=1.5,<2" "pytest>=8" "moto[server]>=5,<6"

venv="$(cd "$venv" && pwd)"
profile=()
if [ "${SPARK_ENV_PROFILE:-release}" = release ]; then
  profile=(--release)
fi
(cd python && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
  maturin develop --locked "${profile[@]}" --quiet)
"$venv/bin/python" -c "import hedui._native, pyspark; print('spark-env: ready:', '$venv')"
