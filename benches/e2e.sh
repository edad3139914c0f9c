#!/usr/bin/env bash
# End to end at province scale: `hedui run` against the analyst's DuckDB SQL
# on the same generated files.
#
#   benches/e2e.sh [HOUSEHOLDS ...]        default: 100000 300000 1000000
#
# For each size it generates (or reuses) data under ${HEDUI_BENCH_DIR:-benches/data}
# (`hedui gen --extract-rows-per-household 20 --part-rows 1000000 --noise
# realistic --counties 2`: 1M households of two counties → ~2.4M members,
# ~20M extract rows, ~89% of them strangers' of the same two counties, every
# row noisy at the rates real extracts show), in h$n-r$rows-realistic/.
# NOISE (standard, linkage, realistic) and COUNTIES (1–5; empty: all five)
# override the shape; NOISE=standard COUNTIES= is the earlier data set,
# h$n-r$rows/. Then it runs, ${RUNS:-3} times each, alternating:
#   hedui   `hedui run` (release): linking, rules, every output
#   duckdb  benches/duckdb_baseline.py: exact-id joins, asset rules, income
#           test, one result file (DuckDB from PyPI in benches/.venv)
# and prints every wall time, the median, the peak RSS over the runs (from
# /usr/bin/time -v), and hedui/DuckDB ratios. Lines starting with `|` form
# the table in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(100000 300000 1000000); fi
runs=${RUNS:-3}
bench_dir=${HEDUI_BENCH_DIR:-benches/data}
rows_per_household=${ROWS_PER_HOUSEHOLD:-20}
noise=${NOISE:-realistic}
counties=${COUNTIES-2}
month=2024-10
# Each shape its own directory, so a cached set of another shape is never reused.
case "$noise/$counties" in
  realistic/2) shape=-realistic ;;
  standard/) shape= ;;
  *) shape="-$noise${counties:+-c$counties}" ;;
esac

# Tools: GNU time (Debian package `time`), the release build, DuckDB.
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (Debian package time)" >&2
  apt-get install -y -q time >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
fi
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/hedui
venv=benches/.venv
if ! "$venv/bin/python" -c "import duckdb" 2>/dev/null; then
  echo "creating $venv with duckdb from PyPI" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q duckdb
fi
duckdb_version=$("$venv/bin/python" -c "import duckdb; print(duckdb.__version__)")
mkdir -p "$bench_dir"

# seconds from /usr/bin/time's "h:mm:ss" or "m:ss.ss"
elapsed() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"
}
peak_kb() {
  awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
max() { printf '%s\n' "$@" | sort -g | tail -1; }

summary=()
for n in "${sizes[@]}"; do
  data="$bench_dir/h$n-r$rows_per_household$shape"
  if [ ! -f "$data/truth/meta.json" ]; then
    echo "generating $data" >&2
    /usr/bin/time -v "$bin" gen --households "$n" --seed 1 --month "$month" --out "$data" \
      --extract-rows-per-household "$rows_per_household" --part-rows 1000000 \
      --noise "$noise" ${counties:+--counties "$counties"} \
      >"$bench_dir/gen-$n$shape.log" 2>"$bench_dir/gen-$n$shape.time"
    echo "generated in $(elapsed "$bench_dir/gen-$n$shape.time") s, peak $(( $(peak_kb "$bench_dir/gen-$n$shape.time") / 1024 )) MiB" >&2
  fi
  h_times=(); h_rss=(); d_times=(); d_rss=()
  for i in $(seq 1 "$runs"); do
    /usr/bin/time -v "$bin" run --data "$data" --month "$month" --out "$bench_dir/out-hedui-$n" \
      >/dev/null 2>"$bench_dir/time-hedui-$n-$i.txt" || { cat "$bench_dir/time-hedui-$n-$i.txt" >&2; exit 1; }
    h_times+=("$(elapsed "$bench_dir/time-hedui-$n-$i.txt")")
    h_rss+=("$(peak_kb "$bench_dir/time-hedui-$n-$i.txt")")
    /usr/bin/time -v "$venv/bin/python" benches/duckdb_baseline.py "$data" "$month" "$bench_dir/out-duckdb-$n" \
      >"$bench_dir/duckdb-$n.json" 2>"$bench_dir/time-duckdb-$n-$i.txt" || { cat "$bench_dir/time-duckdb-$n-$i.txt" >&2; exit 1; }
    d_times+=("$(elapsed "$bench_dir/time-duckdb-$n-$i.txt")")
    d_rss+=("$(peak_kb "$bench_dir/time-duckdb-$n-$i.txt")")
  done
  rows=$("$venv/bin/python" -c "import json, sys; print(sum(json.load(open(sys.argv[1]))['counts']['matches'].values()))" \
    "$bench_dir/out-hedui-$n/run.json")
  hm=$(median "${h_times[@]}"); hr=$(max "${h_rss[@]}")
  dm=$(median "${d_times[@]}"); dr=$(max "${d_rss[@]}")
  echo "households=$n hedui times_s=[${h_times[*]}] median_s=$hm peak_rss_kb=$hr"
  echo "households=$n duckdb times_s=[${d_times[*]}] median_s=$dm peak_rss_kb=$dr"
  summary+=("$(awk -v n="$n" -v rows="$rows" -v hm="$hm" -v hr="$hr" -v dm="$dm" -v dr="$dr" 'BEGIN {
    printf "| %d | %s | %.2f s | %d MiB | %.2f s | %d MiB | %.2f | %.2f |", n, rows, hm, hr / 1024, dm, dr / 1024, hm / dm, hr / dr }')")
done

echo
echo "hedui $("$bin" --version 2>/dev/null | awk '{print $2}'), DuckDB $duckdb_version, $(nproc) cores, median of $runs runs, peak RSS = max over runs"
echo "| households | extract rows | hedui median | hedui peak RSS | DuckDB median | DuckDB peak RSS | time ratio | memory ratio |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
