#!/usr/bin/env bash
# End-to-end timing of `hedui run` on generated data (release build).
#
#   benches/e2e.sh [HOUSEHOLDS ...]       default: 100000
#
# Generates (or reuses) data under ${HEDUI_BENCH_DIR:-/tmp/hedui-bench}, runs
# `hedui run` ${RUNS:-5} times per size, prints every wall time, the median,
# and the peak RSS of the median run (from /usr/bin/time -v when present).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000}")
runs=${RUNS:-5}
bench_dir=${HEDUI_BENCH_DIR:-/tmp/hedui-bench}
month=2024-10

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/hedui
mkdir -p "$bench_dir"

for n in "${sizes[@]}"; do
  data="$bench_dir/data-$n"
  if [ ! -f "$data/truth/meta.json" ]; then
    "$bin" gen --households "$n" --seed 1 --out "$data" --month "$month" >/dev/null
  fi
  times=()
  rss=()
  for i in $(seq 1 "$runs"); do
    out="$bench_dir/out-$n"
    start=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -v "$bin" run --data "$data" --month "$month" --out "$out" >/dev/null 2>"$bench_dir/time-$n-$i.txt"
      rss+=("$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$bench_dir/time-$n-$i.txt")")
    else
      "$bin" run --data "$data" --month "$month" --out "$out" >/dev/null
      rss+=("n/a")
    fi
    end=$(date +%s.%N)
    times+=("$(awk "BEGIN { printf \"%.3f\", $end - $start }")")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  max_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  echo "households=$n runs=$runs times_s=[${times[*]}] median_s=$median peak_rss_kb=$max_rss"
done
