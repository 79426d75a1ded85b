#!/usr/bin/env bash
# Store throughput: `scaleface store import` / `export` of 500,000 x 512 embeddings plus two
# strategies (scale [N], head [N, 512]) beside numpy np.save/np.load and h5py on the same
# arrays, all measured in this run. Files live in the page cache (24 GiB machine), so this
# compares the tools' own overheads, not the disk.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
N="${STORE_BENCH_N:-500000}"
D=512
work="$root/out/bench/store"
rm -rf "$work" && mkdir -p "$work"
py="$("$root/tools/pyenv.sh" numpy h5py)"

now() { date +%s.%N; }
report() {  # name seconds bytes
    awk -v n="$1" -v s="$2" -v b="$3" 'BEGIN { printf "  %-26s %8.3f s  %8.1f MB/s\n", n, s, b / s / 1e6 }'
}

echo "store: $N x $D embeddings + scale [N] + head [N, $D], float32"
read -r _ s bytes < <("$py" "$root/tools/bench/store/peers.py" make "$work" "$N" "$D")
report "numpy np.save" "$s" "$bytes"
read -r _ s bytes < <("$py" "$root/tools/bench/store/peers.py" numpy-load "$work")
report "numpy np.load" "$s" "$bytes"
h5=$("$py" "$root/tools/bench/store/peers.py" h5py "$work" "$work/h5py.h5")
write_s=$(echo "$h5" | awk '$1=="h5py-write"{print $2}')
read_s=$(echo "$h5" | awk '$1=="h5py-read"{print $2}')
report "h5py write" "$write_s" "$bytes"
report "h5py read" "$read_s" "$bytes"

t0=$(now)
"$bin" store import --out "$work/s.h5" --paths "$work/paths.txt" --embeddings "$work/embeddings.npy" \
    --uncertainty "scale=$work/scale.npy:confidence" --uncertainty "head=$work/head.npy" >/dev/null
t1=$(now)
import_s=$(awk -v a="$t0" -v b="$t1" "BEGIN{print b-a}")
report "scaleface store import" "$import_s" "$bytes"
t0=$(now)
"$bin" store export --store "$work/s.h5" --out "$work/exported" >/dev/null
t1=$(now)
export_s=$(awk -v a="$t0" -v b="$t1" "BEGIN{print b-a}")
report "scaleface store export" "$export_s" "$bytes"
awk -v a="$write_s" -v b="$import_s" -v c="$read_s" -v d="$export_s" 'BEGIN {
    printf "  ratios: import is %.2fx h5py write throughput; export is %.2fx h5py read throughput\n", a / b, c / d }'
echo "  (import reads .npy and writes HDF5; export reads HDF5 and writes .npy: each does both halves)"
rm -rf "$work"
