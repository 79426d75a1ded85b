#!/usr/bin/env bash
# The main job on the bundled default: pipelines/demo.yaml (synthetic data made by scaleface
# itself, no numpy; then the stages that follow), then a look at the store it made.
set -euo pipefail
bin="${1:?usage: demo.sh path/to/scaleface}"
"$bin" run pipelines/demo.yaml
"$bin" store info out/demo/store/store.h5
