#!/usr/bin/env bash
# wiretrace dups beside the published MinHash tools — datasketch, rensa, gaoya, datatrove and
# text-dedup — on Reuters-21578 and a 50,000-article `synth` corpus: wall time, peak memory,
# pairs, and recall and precision against the exact pairs (word 5-grams, 128 values,
# threshold 0.8). A thin wrapper over ../shared/bench/bench_peers.sh, which gives every peer
# the same shingles and documents what each one had to adapt.
#
# Usage: benches/compare_peers.sh [OUTDIR]        (default OUTDIR: target/compare-peers)
# Env:   PEERS_VENV  the peers' virtualenv (default $TMPDIR/wiretrace-peers-venv; made by
#                    ../shared/bench/setup_peers.sh when missing, ~1.6 GB from PyPI)
#        CORPORA     corpora to run (default: Reuters-21578 and synth-50k)
#        SYSTEMS     passed on to bench_peers.sh (default: all five peers and wiretrace)
#
# Prints one Markdown table per corpus, headed by the date and the machine (CPU model, cores,
# whether it has AVX-512), the form the README's performance section shows. Times on a shared
# machine are noisy: compare systems within one run, not across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=../shared/bench
[ -x "$bench/bench_peers.sh" ] || [ -f "$bench/bench_peers.sh" ] || {
  echo "compare_peers.sh: needs ../shared/bench (bench_peers.sh) beside the repository" >&2
  exit 2
}
out=${1:-target/compare-peers}
mkdir -p "$out"
venv=${PEERS_VENV:-${TMPDIR:-/tmp}/wiretrace-peers-venv}
if [ ! -x "$venv/bin/python" ]; then
  bash "$bench/setup_peers.sh" "$venv"
fi
export PEERS_PY=$venv/bin/python

cargo build --release --quiet
target=${CARGO_TARGET_DIR:-target}
export WT=$(cd "$target" && pwd)/release/wiretrace

corpora=()
if [ -n "${CORPORA:-}" ]; then
  read -r -a corpora <<< "$CORPORA"
else
  corpora+=(../shared/corpora/reuters21578.jsonl)
  [ -f "$out/synth-50k.jsonl" ] || "$WT" synth --docs 50000 --seed 7 -q -o "$out/synth-50k.jsonl"
  corpora+=("$out/synth-50k.jsonl")
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
avx512=no; grep -qw avx512f /proc/cpuinfo && avx512=yes
avx2=no; grep -qw avx2 /proc/cpuinfo && avx2=yes
versions=$("$PEERS_PY" - <<'EOF' 2>/dev/null || true
from importlib.metadata import version
print(", ".join(f"{p} {version(p)}" for p in
      ["datasketch", "rensa", "gaoya", "datatrove", "text-dedup"]))
EOF
)
header="$(date -u +%Y-%m-%d), $cpu, $(nproc) cores (AVX2: $avx2, AVX-512: $avx512), load $(cut -d' ' -f1-3 /proc/loadavg); $versions"

for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus" .jsonl)
  docs=$(wc -l < "$corpus")
  mb=$(du -m "$corpus" | cut -f1)
  rm -rf "${out:?}/$name"
  bash "$bench/bench_peers.sh" "$corpus" "$out/$name" > /dev/null
  {
    echo
    echo "**$name** ($docs documents, $mb MB) — $header"
    echo
    echo "| system | wall | peak RSS (process tree) | pairs | recall | precision | wiretrace faster by |"
    echo "|---|---|---|---|---|---|---|"
    tail -n +2 "$out/$name/table.tsv" | while IFS=$'\t' read -r sys wall _peak tree pairs rec prec _rcc ratio note; do
      if [ -n "$note" ]; then
        echo "| $sys | — | — | — | — | — | $note |"
      else
        echo "| $sys | $wall s | $tree MiB | $pairs | $rec | $prec | $ratio |"
      fi
    done
  } | tee "$out/$name.md"
done
