#!/usr/bin/env bash
# Renders a report's index.html in headless Chromium and checks that every image loaded.
# Prints "report ok: N images loaded" or the images that failed; exit 1 on failure, 2 when
# no Chromium is installed (callers skip then). Optional second argument: a screenshot path.
set -euo pipefail
report="$(cd "${1:?usage: check_report.sh REPORT_DIR [SCREENSHOT.png]}" && pwd)"
shot="${2:-}"
browser=""
for b in chromium chromium-browser google-chrome; do command -v "$b" >/dev/null 2>&1 && { browser="$b"; break; }; done
[ -n "$browser" ] || { echo "no Chromium installed (apt-get install chromium)" >&2; exit 2; }
[ -f "$report/index.html" ] || { echo "$report/index.html: no such file" >&2; exit 1; }

probe="$report/.render-check.html"
trap 'rm -f "$probe"' EXIT
# A copy of the page (same folder, so relative links resolve) that records, once loaded,
# how many images it has and which did not load.
sed 's#</body>#<script>window.addEventListener("load", function () { var imgs = Array.prototype.slice.call(document.images); var bad = imgs.filter(function (i) { return !(i.complete \&\& i.naturalWidth > 0); }).map(function (i) { return i.getAttribute("src"); }); document.body.setAttribute("data-render-check", imgs.length + "|" + bad.join(",")); });</script></body>#' \
    "$report/index.html" > "$probe"
flags=(--headless --no-sandbox --disable-gpu --allow-file-access-from-files --virtual-time-budget=15000)
dom="$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$probe" 2>/dev/null)"
result="$(printf '%s' "$dom" | grep -o 'data-render-check="[^"]*"' | head -1 | sed 's/data-render-check="//; s/"$//')"
if [ -z "$result" ]; then echo "report check failed: the page did not finish loading in Chromium" >&2; exit 1; fi
total="${result%%|*}"; bad="${result#*|}"
if [ -n "$shot" ]; then
    timeout 120 "$browser" "${flags[@]}" --window-size=1200,2400 --screenshot="$shot" "file://$report/index.html" >/dev/null 2>&1 || true
fi
if [ "$total" -eq 0 ]; then echo "report check failed: the page shows no images" >&2; exit 1; fi
if [ -n "$bad" ]; then echo "report check failed: images not loaded: $bad" >&2; exit 1; fi
echo "report ok: $total images loaded"
