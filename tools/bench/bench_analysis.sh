#!/usr/bin/env bash
# IJB-C-scale template fusion and reject verification: `scaleface fusion` in the InsightFace
# layout (23,124 templates of 512-d, 15,658,489 template pairs of which 19,557 genuine, three
# reject metrics, 250 portions, FARs 1e-6..1e-1) beside the numpy reference algorithm on the
# same data, both under /usr/bin/time -v. Bar: scaleface <= 30 s wall and <= 2 GiB peak RSS.
# Synthetic data is generated once under .build/bench-data (about 1.5 GB).
set -euo pipefail
bin="$(cd "$(dirname "${1:?usage: bench_analysis.sh path/to/scaleface}")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tools/bench/analysis"
py="$("$root/tools/pyenv.sh" numpy)"
data="$root/.build/bench-data/ijbc-synth-v1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -f "$data/meta/ijbc_template_pair_label.txt" ]; then
    echo "generating synthetic IJB-C-scale data in $data (once)"
    "$py" "$here/make_ijbc_synthetic.py" "$data"
fi
if [ ! -f "$data/store.h5" ]; then
    "$bin" store import --out "$data/store.h5" --paths "$data/paths.txt" --embeddings "$data/embeddings.npy" \
        --uncertainty "scale=$data/scale.npy:confidence" --model "synthetic" >/dev/null
fi

load0="$(cut -d' ' -f1-3 /proc/loadavg)"
metrics="mean_cosine_mean,mean_cosine_harmonic-harmonic,mean_scale-mul-cosine_mul"
fars="1e-6,1e-5,1e-4,1e-3,1e-2,1e-1"

# "wall_seconds cpu_seconds peak_rss_mib" from a /usr/bin/time -v log (cpu = user + system)
measure() {
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; w = s }
                /User time \(seconds\)/ { c += $2 } /System time \(seconds\)/ { c += $2 }
                /Maximum resident set size/ { r = $2 / 1024 }
                END { printf "%.1f %.1f %.0f\n", w, c, r }' "$1"
}

/usr/bin/time -v "$bin" fusion --store "$data/store.h5" --protocol "$data/meta" --protocol-format insightface \
    --strategy scale --reject-metrics "$metrics" --fusions mean_cosine --fars "$fars" --portions 0:0.5:250 \
    --out "$work/scaleface" --quiet 2>"$work/sf.time"
read -r sf_wall sf_cpu sf_rss < <(measure "$work/sf.time")

/usr/bin/time -v "$py" "$here/reference_ijbc.py" "$data" "$work/numpy.json" 2>"$work/np.time" >/dev/null
read -r np_wall np_cpu np_rss < <(measure "$work/np.time")

echo "load average before/after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; wall times need an idle machine)"
printf '%-28s %10s %10s %14s\n' "IJB-C-scale fusion+reject" "wall (s)" "cpu (s)" "peak RSS (MiB)"
printf '%-28s %10s %10s %14s\n' "scaleface fusion" "$sf_wall" "$sf_cpu" "$sf_rss"
printf '%-28s %10s %10s %14s\n' "numpy reference (25/250)" "$np_wall" "$np_cpu" "$np_rss"
awk -v a="$sf_wall" -v b="$np_wall" -v c="$sf_rss" -v d="$np_rss" -v e="$sf_cpu" -v f="$np_cpu" \
    'BEGIN { printf "numpy on 25 of 250 portions is already %.1fx scaleface wall (%.1fx cpu); memory ratio %.2f\n", b / a, f / e, c / d }'
echo "agreement with numpy (numpy computes every 10th portion; see reference_ijbc.py):"
"$py" "$here/compare_results.py" "$work/scaleface/results.json" "$work/numpy.json"
awk -v w="$sf_wall" -v r="$sf_rss" 'BEGIN {
    ok = (w <= 30 && r <= 2048); printf "bar (<= 30 s, <= 2048 MiB): %s\n", ok ? "met" : "NOT met"; exit ok ? 0 : 1 }'
