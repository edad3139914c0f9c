#!/usr/bin/env bash
# Side by side with Splink: the same generated roster and noisy extracts
# (`hedui gen --noise realistic --counties 2`: two counties, every extract
# row noisy at the rates real extracts show, decoys), linked by hedui (the
# whole `hedui run`, release build) and by Splink (DuckDB backend, trained
# with EM); prints precision, recall, F1 and wall time for both
# (benches/splink_compare.py).
#
#   benches/splink.sh                 HOUSEHOLDS=20000 SEED=2024 by default
#
# (HOUSEHOLDS=200000 is the size of issue 15's comparison.)
#
# Creates benches/.venv (Splink from PyPI) and benches/data/ on first use;
# both are git-ignored. Record a run in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
households=${HOUSEHOLDS:-20000}
seed=${SEED:-2024}
month=2024-10
venv=benches/.venv
data=benches/data/realistic-$households-$seed
out=benches/data/out-realistic-$households-$seed

if ! "$venv/bin/python" -c 'import splink, duckdb, pyarrow' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'splink>=4' duckdb pyarrow
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/rel-target}
cargo build --release --quiet
bin=$CARGO_TARGET_DIR/release/hedui
if [ ! -f "$data/truth/linkage.csv" ]; then
  "$bin" gen --households "$households" --seed "$seed" --month "$month" --noise realistic --counties 2 \
    --out "$data" >/dev/null
fi
"$bin" run --data "$data" --month "$month" --out "$out" >/dev/null # warm the page cache
start=$(date +%s.%N)
"$bin" run --data "$data" --month "$month" --out "$out" >/dev/null
end=$(date +%s.%N)
hedui_seconds=$(awk "BEGIN { printf \"%.3f\", $end - $start }")
echo "splink $("$venv/bin/python" -c 'import splink; print(splink.__version__)'), $(nproc) cores, $households households, seed $seed"
"$venv/bin/python" benches/splink_compare.py --data "$data" --hedui-out "$out" --hedui-seconds "$hedui_seconds"
