#!/usr/bin/env bash
# Checks that every local file a report's index.html links or shows (href, src) exists.
# Prints "links ok: N files" or each missing target; exit 1 when any is missing.
set -euo pipefail
report="${1:?usage: check_links.sh REPORT_DIR}"
[ -f "$report/index.html" ] || { echo "$report/index.html: no such file" >&2; exit 1; }
missing=0 count=0
while IFS= read -r target; do
    case "$target" in ''|'#'*|http:*|https:*|mailto:*) continue ;; esac
    count=$((count + 1))
    [ -e "$report/${target%%#*}" ] || { echo "missing: $target" >&2; missing=$((missing + 1)); }
done < <(grep -oE '(href|src)="[^"]*"' "$report/index.html" | sed -E 's/^(href|src)="(.*)"$/\2/' | sort -u)
[ "$missing" -eq 0 ] || { echo "$missing of $count linked files are missing" >&2; exit 1; }
echo "links ok: $count files"
