#!/bin/sh
# Renders a run's report.html in headless Chromium (Debian: apt-get install
# chromium fonts-noto-cjk) with the network cut off, and writes a PNG
# screenshot to look at.
#
#   scripts/check-report.sh [RUN_DIR] [PNG]
#
# Without RUN_DIR it runs hedui on data-samples/ into out/check-report/.
# Fails if Chromium is missing or the screenshot is not written.
set -eu
cd "$(dirname "$0")/.."
run=${1:-}
png=${2:-out/report.png}
if [ -z "$run" ]; then
    run=out/check-report
    cargo run -q -- run --quiet --data data-samples --month 2024-10 --out "$run"
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "check-report: no chromium on PATH (apt-get install -y chromium fonts-noto-cjk)" >&2; exit 1; }
mkdir -p "$(dirname "$png")"
rm -f "$png"
html=$(realpath "$run/report.html")
# Every host resolves to nothing: a page that needed the network would show it.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --host-resolver-rules="MAP * ~NOTFOUND" \
    --window-size=1200,${HEIGHT:-4200} --screenshot="$png" "file://$html" 2>/dev/null
[ -s "$png" ] || { echo "check-report: no screenshot written" >&2; exit 1; }
echo "check-report: $html → $png"
