#!/usr/bin/env bash
# GAN strategy throughput (docs/strategies.md, GAN): the StyleGAN2 discriminator (256 x 256,
# channel multiplier 2, 93.1 GFLOP/image) in `scaleface embed --strategies GAN --batch 4` with
# 2 threads, beside PyTorch (2 threads, tools/parity/stylegan2_discriminator.py, the same
# seed-weight checkpoint and batch size) measured in the same run. The backbone is a tiny
# iResNet-18 (widths 8) so that the embed rate is the discriminator's; scaleface's rate
# excludes start-up (loading and digesting the 115 MB checkpoint): it is the difference
# between a long and a short run.
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${SCALEFACE_BENCH_DIR:-$root/out/bench/gan}"
seconds="${BENCH_SECONDS:-12}"
rounds="${BENCH_ROUNDS:-2}"
short=8 long=24
mkdir -p "$work"
py="$("$root/tools/pyenv.sh" torch numpy scipy)"
[ -f "$work/stylegan.pth" ] || "$py" "$root/tools/bench/gan/peer.py" make "$work/stylegan.pth"
[ -f "$work/list.txt" ] || "$py" "$root/tools/bench/embed/make_images.py" "$work" "$long"
[ -f "$work/trunk.h5" ] || "$bin" weights init --arch iresnet18 --widths 8,8,8,8 --seed 1 --out "$work/trunk.h5" >/dev/null
head -n "$short" "$work/list.txt" > "$work/list-short.txt"

# Wall seconds of one embed run with the GAN strategy.
run_embed() {
    rm -f "$work/out.h5"
    /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" embed --images "$work" --list "$1" --checkpoint "$work/trunk.h5" \
        --arch iresnet18 --strategies GAN --discriminator "$work/stylegan.pth" --batch 4 --threads 2 --quiet --out "$work/out.h5"
    cat "$work/time.txt"
}
max() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a > b ? a : b) }'; }

# The machine may be shared: the two take turns for $rounds rounds and each keeps its best.
sf=0; torch=0
for round in $(seq "$rounds"); do
    t_short="$(run_embed "$work/list-short.txt")"
    t_long="$(run_embed "$work/list.txt")"
    s="$(awk -v n1="$short" -v t1="$t_short" -v n2="$long" -v t2="$t_long" 'BEGIN { printf "%.3f", (n2 - n1) / (t2 - t1) }')"
    t="$("$py" "$root/tools/bench/gan/peer.py" time "$work/stylegan.pth" 4 "$seconds" 2>/dev/null | awk '/^torch/ {print $2}')"
    sf=$(max "$sf" "$s"); torch=$(max "$torch" "$t")
    echo "round $round: scaleface $sf, pytorch $torch images/s (best so far)" >&2
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"
awk -v sf="$sf" -v t="$torch" 'BEGIN {
    g = 93.06
    printf "StyleGAN2 discriminator, 256 x 256, batch 4, 2 threads (images/s; GFLOP/s at %.2f GFLOP/image)\n", g
    printf "%-12s %12s %12s\n", "", "images/s", "GFLOP/s"
    printf "%-12s %12.3f %12.1f\n", "scaleface", sf, sf * g
    printf "%-12s %12.3f %12.1f\n", "pytorch", t, t * g
    printf "scaleface / pytorch: %.2fx\n", sf / t
}'
