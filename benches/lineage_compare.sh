#!/usr/bin/env bash
# Lineage, old binary against new, on one machine in one run: wall time and peak resident
# size (GNU time) of `wiretrace lineage` on Reuters-21578 and on a synthetic corpus, the
# two binaries alternating, RUNS times each; then the edges, families, undetermined edges
# and inferred sources of each binary's output.
#
#   OLD=/path/to/old/wiretrace NEW=target/release/wiretrace benches/lineage_compare.sh [WORKDIR]
#
# Environment: RUNS (3), REUTERS (../shared/corpora/reuters21578.jsonl), SYNTH_DOCS (50000).
set -euo pipefail
OLD=${OLD:?set OLD to the binary to compare against}
NEW=${NEW:-target/release/wiretrace}
WORK=${1:-target/bench/lineage-compare}
RUNS=${RUNS:-3}
REUTERS=${REUTERS:-../shared/corpora/reuters21578.jsonl}
SYNTH_DOCS=${SYNTH_DOCS:-50000}
mkdir -p "$WORK"
SYNTH="$WORK/news-$SYNTH_DOCS.jsonl"
[ -s "$SYNTH" ] || "$NEW" synth --docs "$SYNTH_DOCS" --seed 7 -o "$SYNTH"

measure() { # label, binary, corpus, output → one line: wall, peak
  local log
  log=$(mktemp)
  /usr/bin/time -v "$2" lineage "$3" -q -o "$4" 2>"$log" >/dev/null
  local kb wall
  kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  printf '%-5s %-28s wall %-8s peak %5d MiB\n' "$1" "$(basename "$3")" "$wall" $((kb / 1024))
  rm -f "$log"
}

summary() { # label, lineage JSON
  python3 - "$1" "$2" <<'EOF'
import json, sys
label, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
s = d["stats"]
undetermined = sum(1 for e in d["edges"] if not e.get("directed", True))
print(f"{label:<5} {path.split('/')[-1]:<28} edges {s['lineage_edges']}, families {s['families']}, "
      f"undetermined {undetermined}, inferred sources {s.get('inferred_sources', 0)}")
EOF
}

for corpus in "$REUTERS" "$SYNTH"; do
  for _ in $(seq "$RUNS"); do
    for name in OLD NEW; do
      measure "$name" "${!name}" "$corpus" "$WORK/$name-$(basename "$corpus" .jsonl).json"
    done
  done
  for name in OLD NEW; do
    summary "$name" "$WORK/$name-$(basename "$corpus" .jsonl).json"
  done
done
