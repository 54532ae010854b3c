#!/usr/bin/env bash
# The 1,000,000-article scale run: generate a synthetic news corpus (~2.9 GB JSON Lines,
# 5 % planted reposts) and time `wiretrace dups` over it, reporting wall time, peak memory
# and how many planted reposts were found; then `wiretrace lineage` over the same corpus
# (its texts read back from a file in WORK_DIR), wall time, peak memory, edges and families.
# Skip the lineage run with LINEAGE=0.
#
# Usage: benches/scale_run.sh [DOCS] [WORK_DIR]     (defaults: 1000000, target/scale)
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-1000000}
work=${2:-target/scale}
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/wiretrace

if [ ! -f "$work/news-$docs.jsonl" ]; then
  echo "generating $docs articles in $work/news-$docs.jsonl"
  "$bin" synth --docs "$docs" --seed 1 -o "$work/news-$docs.jsonl" --truth "$work/news-$docs.truth"
fi
ls -l "$work/news-$docs.jsonl"

/usr/bin/time -v "$bin" dups "$work/news-$docs.jsonl" --format jsonl -q \
  --temp-dir "$work" -o "$work/dups-$docs.jsonl" 2> "$work/time-$docs.log"
grep -E "Elapsed|Maximum resident" "$work/time-$docs.log"
tail -n 1 "$work/dups-$docs.jsonl"
python3 - "$work/news-$docs.truth" "$work/dups-$docs.jsonl" <<'PY'
import json, sys
truth = {tuple(l.split()) for l in open(sys.argv[1]) if l.strip()}
found = set()
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["type"] == "pair":
        found.add((r["a"], r["b"]))
print(f"planted reposts: {len(truth)}, found: {len(truth & found)}, pairs reported: {len(found)}")
PY

if [ "${LINEAGE:-1}" != 0 ]; then
  /usr/bin/time -v "$bin" lineage "$work/news-$docs.jsonl" -q --temp-dir "$work" \
    -o "$work/lineage-$docs.json" 2> "$work/time-lineage-$docs.log"
  grep -E "Elapsed|Maximum resident" "$work/time-lineage-$docs.log"
  python3 - "$work/lineage-$docs.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["stats"]
print(f"lineage: {s['lineage_edges']} edges, {s['families']} families")
PY
fi
