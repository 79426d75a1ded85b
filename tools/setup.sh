#!/usr/bin/env bash
# Installs the Debian packages scaleface builds against, only those that are missing.
# Idempotent: prints nothing but a one-line summary when everything is present.
set -euo pipefail

packages=(pkg-config libhdf5-dev libopenblas-dev libpng-dev libjpeg62-turbo-dev
          libturbojpeg0-dev libcairo2-dev fonts-dejavu-core python3-venv)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all build packages present (${packages[*]})"
    exit 0
fi

echo "setup: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo)
else
    echo "setup: cannot install ${missing[*]}: not root and no passwordless sudo." >&2
    echo "setup: ask an administrator to run: apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
