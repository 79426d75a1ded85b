#!/usr/bin/env bash
# The main job on the bundled default: pipelines/demo.yaml (generated faces, a demonstration
# model trained here, uncertainties, reject curves, scorecard, report), then a look at what it
# made. A second run finds every stage cached and does no stage work.
set -euo pipefail
bin="${1:?usage: demo.sh path/to/scaleface}"
"$bin" run pipelines/demo.yaml
"$bin" store info out/demo/store/store.h5
echo
echo "scorecard (out/demo/scorecard/scorecard.csv):"
cat out/demo/scorecard/scorecard.csv
tools/check_links.sh out/demo/report
# Render check when a Chromium is installed (tools/check_report.sh exits 2 without one).
status=0
tools/check_report.sh out/demo/report || status=$?
[ "$status" -eq 2 ] && echo "(render check skipped: no Chromium)"
[ "$status" -eq 1 ] && exit 1
echo "report: out/demo/report/index.html"
# The demo's claims (docs/training.md): a failed scorecard check fails `make demo`.
if grep -q ',false$' out/demo/scorecard/scorecard.csv; then
    echo "a scorecard check failed (see above and the report)" >&2
    exit 1
fi
