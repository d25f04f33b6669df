#!/usr/bin/env bash
# Renders the HTML report of the bundled samples to a PNG with headless Chromium.
# Usage: scripts/report-screenshot.sh [OUT.png]   (default: .build/report-screenshot.png)
# Builds sshlog (debug) if needed; installs chromium with apt-get when it is missing (root).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.build/report-screenshot.png}
DATE=${REPORT_DATE:-2026-11-22}     # the day the samples were recorded
BIN=${SSHLOG:-.build/debug/sshlog}
[ -x "$BIN" ] || swift build --product sshlog
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    [ "$(id -u)" = 0 ] || { echo "chromium is missing: install it (apt-get install chromium)" >&2; exit 3; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM=$(command -v chromium)
fi
HTML=$(mktemp --suffix=.html /tmp/sshlog-report.XXXXXX)
PROFILE=$(mktemp -d /tmp/sshlog-chromium.XXXXXX)
trap 'rm -rf "$HTML" "$PROFILE"' EXIT
# Exit 1 only says the report has findings.
TZ=UTC "$BIN" report --date "$DATE" --format html --output "$HTML" samples || [ $? = 1 ]
mkdir -p "$(dirname "$OUT")"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$PROFILE" \
    --screenshot="$(realpath -m "$OUT")" --window-size=1200,2000 "file://$HTML" 2>/dev/null
echo "wrote $OUT"
