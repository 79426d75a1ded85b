#!/usr/bin/env bash
# The main job on the bundled default: a synthetic labelled embedding set made by scaleface
# itself (no numpy), imported into a store, then inspected.
set -euo pipefail
bin="${1:?usage: demo.sh path/to/scaleface}"
out="${DEMO_OUT:-out/demo}"
mkdir -p "$out"
"$bin" synth-embeddings --out "$out/data" --identities 300 --images-per-identity 6 --seed 7
"$bin" store import --out "$out/demo.h5" --paths "$out/data/paths.txt" \
    --embeddings "$out/data/embeddings.npy" --uncertainty "scale=$out/data/confidence.npy:confidence" \
    --labels "$out/data/labels.npy" --model "synthetic (scaleface synth-embeddings, seed 7)"
"$bin" store info "$out/demo.h5"
