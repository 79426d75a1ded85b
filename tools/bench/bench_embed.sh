#!/usr/bin/env bash
# iResNet-50 embedding throughput of `scaleface embed` at batch 1 and 16 with 2 threads, beside
# PyTorch (2 threads) and ONNX Runtime (CPU, 2 intra-op threads, the same network exported to
# ONNX) measured in the same run; peak RSS embedding 1,000 images; achieved GFLOP/s.
# scaleface's rate excludes start-up (checkpoint loading): it is the difference between a long
# and a short run, so all three tools are compared in steady state.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${SCALEFACE_BENCH_DIR:-$root/out/bench/embed}"
seconds="${BENCH_SECONDS:-8}"
mkdir -p "$work"
py="$("$root/tools/pyenv.sh" torch numpy onnx onnxruntime)"
[ -f "$work/r50.pth" ] || "$py" "$root/tools/bench/embed/peers.py" make "$work/r50.pth"
[ -f "$work/list.txt" ] || "$py" "$root/tools/bench/embed/make_images.py" "$work" 1000
head -n 16 "$work/list.txt" > "$work/list16.txt"
head -n 48 "$work/list.txt" > "$work/list48.txt"
head -n 80 "$work/list.txt" > "$work/list80.txt"

# Wall seconds and peak RSS (KiB) of one embed run: prints "seconds rss".
run_embed() {
    local list="$1" batch="$2"
    rm -f "$work/out.h5"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" embed --images "$work" --list "$list" \
        --checkpoint "$work/r50.pth" --arch iresnet50 --batch "$batch" --threads 2 --quiet --out "$work/out.h5"
    cat "$work/time.txt"
}

rate_between() {  # images/s from two runs: (n2 - n1) / (t2 - t1)
    awk -v n1="$1" -v t1="$2" -v n2="$3" -v t2="$4" 'BEGIN { printf "%.2f", (n2 - n1) / (t2 - t1) }'
}

max() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a > b ? a : b) }'; }
peer() { "$py" "$root/tools/bench/embed/peers.py" time "$work/r50.pth" "$1" "$seconds" 2>/dev/null; }

# The machine may be shared: the tools take turns for $rounds rounds and each keeps its best
# round, so a burst of outside load does not decide a ratio.
rounds="${BENCH_ROUNDS:-3}"
sf1=0; sf16=0; torch1=0; torch16=0; ort1=0; ort16=0
# One turn at batch $1: scaleface's rate from a 16- and an $2-image run, then the peers'.
# Prints "scaleface torch onnxruntime".
turn() {
    local t_short t_long p
    read -r t_short _ < <(run_embed "$work/list16.txt" "$1")
    read -r t_long _ < <(run_embed "$work/list$2.txt" "$1")
    p="$(peer "$1")"
    echo "$(rate_between 16 "$t_short" "$2" "$t_long") $(awk '/^torch/ {print $2}' <<<"$p") $(awk '/^onnxruntime/ {print $2}' <<<"$p")"
}
for round in $(seq "$rounds"); do
    read -r s t o < <(turn 1 48)
    sf1=$(max "$sf1" "$s"); torch1=$(max "$torch1" "$t"); ort1=$(max "$ort1" "$o")
    read -r s t o < <(turn 16 80)
    sf16=$(max "$sf16" "$s"); torch16=$(max "$torch16" "$t"); ort16=$(max "$ort16" "$o")
    echo "round $round: scaleface $sf1 / $sf16, onnxruntime $ort1 / $ort16, pytorch $torch1 / $torch16 (best so far, batch 1 / 16)" >&2
done
read -r t1000 rss < <(run_embed "$work/list.txt" 16)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"

awk -v sf1="$sf1" -v sf16="$sf16" -v t1="$torch1" -v t16="$torch16" -v o1="$ort1" -v o16="$ort16" \
    -v rss="$rss" -v t1000="$t1000" 'BEGIN {
    g = 12.62
    printf "iResNet-50, 112 x 112, 2 threads (images/s; GFLOP/s at %.2f GFLOP/image)\n", g
    printf "%-8s %12s %12s %12s %14s %14s\n", "batch", "scaleface", "onnxruntime", "pytorch", "vs onnxruntime", "vs pytorch"
    printf "%-8s %12.2f %12.2f %12.2f %13.2fx %13.2fx\n", "1", sf1, o1, t1, sf1 / o1, sf1 / t1
    printf "%-8s %12.2f %12.2f %12.2f %13.2fx %13.2fx\n", "16", sf16, o16, t16, sf16 / o16, sf16 / t16
    printf "scaleface GFLOP/s: %.1f at batch 1, %.1f at batch 16\n", sf1 * g, sf16 * g
    printf "bars at batch 16: >= 0.8x onnxruntime: %s, >= 1.0x pytorch: %s\n", (sf16 >= 0.8 * o16 ? "met" : "NOT met"), (sf16 >= t16 ? "met" : "NOT met")
    printf "embedding 1,000 images (batch 16, PNG decode + store write included): %.1f s, peak RSS %.0f MiB (bar 1536 MiB: %s)\n", t1000, rss / 1024, (rss < 1536 * 1024 ? "met" : "NOT met")
}'
