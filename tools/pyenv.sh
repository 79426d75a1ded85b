#!/usr/bin/env bash
# Ensures a Python virtual environment with the packages given as arguments (default: numpy
# h5py) under .build/pyenv, and prints its python interpreter's path on stdout.
# Used by the interop tests and benchmarks; creating it is idempotent and quiet once done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${SCALEFACE_PYENV:-$root/.build/pyenv}"
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(numpy h5py)
if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" >&2
fi
need=()
for p in "${pkgs[@]}"; do
    mod="${p%%[=<>]*}"
    case "$mod" in onnxruntime) imp=onnxruntime ;; torch) imp=torch ;; *) imp="$mod" ;; esac
    "$venv/bin/python" -c "import $imp" 2>/dev/null || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "pyenv: installing ${need[*]} into $venv" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${need[@]}" >&2
fi
echo "$venv/bin/python"
