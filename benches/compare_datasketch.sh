#!/usr/bin/env bash
# Side by side: wiretrace dups vs Python datasketch (MinHash LSH), same corpus, same word
# 5-gram shingling, num_perm=128, threshold 0.8. Prints wall time, peak memory, pairs and
# recall against brute-force exact pairs for both, and the speed ratio.
#
# Usage: benches/compare_datasketch.sh [CORPUS.jsonl ...]
# Default corpora: Reuters-21578 from ../shared/corpora (if present) and a 50,000-article
# synthetic corpus made by `wiretrace synth`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/compare-datasketch
mkdir -p "$work"

if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet datasketch
fi
"$work/venv/bin/python" -c 'import datasketch; print("datasketch", datasketch.__version__)' 2>/dev/null \
  || "$work/venv/bin/pip" show datasketch | grep -i '^version'

cargo build --release --quiet
bin=target/release/wiretrace

corpora=("$@")
if [ ${#corpora[@]} -eq 0 ]; then
  if [ -f ../shared/corpora/reuters21578.jsonl ]; then
    corpora+=(../shared/corpora/reuters21578.jsonl)
  fi
  "$bin" synth --docs 50000 --seed 7 -o "$work/synth-50k.jsonl"
  corpora+=("$work/synth-50k.jsonl")
fi

printf '\n%-28s %-11s %9s %9s %8s %8s\n' corpus tool wall_s peak_MB pairs recall
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus" .jsonl)
  ds=$("$work/venv/bin/python" benches/compare_datasketch.py "$corpus" "$work/$name.truth" "$work/$name.datasketch")
  ds_wall=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["wall_s"])' "$ds")
  ds_mem=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["peak_mb"])' "$ds")

  /usr/bin/time -f '%e %M' -o "$work/$name.time" \
    "$bin" dups "$corpus" --threshold 0.8 --num-perm 128 --shingle words:5 --format jsonl -q \
    -o "$work/$name.wiretrace.jsonl"
  read -r wt_wall wt_kb < "$work/$name.time"
  python3 - "$work/$name.wiretrace.jsonl" > "$work/$name.wiretrace" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "pair":
        a, b = sorted([r["a"], r["b"]])
        print(f"{a}\t{b}")
PY
  python3 - "$work/$name.truth" "$work/$name.datasketch" "$work/$name.wiretrace" \
    "$name" "$ds_wall" "$ds_mem" "$wt_wall" "$wt_kb" <<'PY'
import sys
def pairs(path):
    return {tuple(sorted(l.rstrip("\n").split("\t"))) for l in open(path) if l.strip()}
truth, ds, wt = pairs(sys.argv[1]), pairs(sys.argv[2]), pairs(sys.argv[3])
name, ds_wall, ds_mem, wt_wall, wt_kb = sys.argv[4], float(sys.argv[5]), sys.argv[6], float(sys.argv[7]), int(sys.argv[8])
rec = lambda found: len(found & truth) / len(truth) if truth else 1.0
print(f"{name:<28} {'datasketch':<11} {ds_wall:9.2f} {ds_mem:>9} {len(ds):8d} {rec(ds):8.4f}")
print(f"{name:<28} {'wiretrace':<11} {wt_wall:9.2f} {wt_kb // 1024:9d} {len(wt):8d} {rec(wt):8.4f}")
print(f"{name:<28} speed-up {ds_wall / max(wt_wall, 0.01):.1f}x  (truth: {len(truth)} pairs at Jaccard >= 0.8)")
PY
done
