#!/usr/bin/env bash
# Samples every thread's stack of a running program every PERIOD seconds
# (a poor man's profiler through gdb), then summarises where the running
# threads were:
#
#   benches/stacks/run.sh OUT PERIOD PROGRAM ARGS...
#   python3 benches/stacks/summary.py OUT [hedui|leaf|REGEX]
#
# e.g. benches/stacks/run.sh /tmp/stacks.txt 0.25 target/release/hedui run
#   --quiet --data DIR --month 2024-10 --out /tmp/o
# Each sample stops the program for a moment; wall times measured this way
# are not the program's, the shares of samples are.
set -euo pipefail
out=$1 period=$2
shift 2
command -v gdb >/dev/null || { echo "stacks: needs gdb (apt-get install gdb)" >&2; exit 1; }
rm -f "$out.pid"
STACKS_OUT=$out gdb -q -batch -x "$(dirname "$0")/sample.py" --args "$@" >"$out.log" 2>&1 &
gdb_pid=$!
while [ ! -s "$out.pid" ]; do
  kill -0 $gdb_pid 2>/dev/null || { echo "stacks: gdb stopped, see $out.log" >&2; exit 1; }
  sleep 0.05
done
pid=$(cat "$out.pid")
while kill -0 "$pid" 2>/dev/null; do
  sleep "$period"
  kill -USR2 "$pid" 2>/dev/null || true
done
wait $gdb_pid
echo "stacks: $(grep -c . "$out") thread stacks in $out" >&2
