#!/usr/bin/env bash
# Lineage, old binary against new, on one machine in one run: wall time, user CPU time and
# peak resident size (GNU time) of `wiretrace lineage` on Reuters-21578, a synthetic corpus,
# two giant story families (a credited wire story's copies, an unseen story's) and, when
# ../shared has them, two corpora outside the Latin script (COUNTER's Urdu, the Chinese news
# sample), the two binaries alternating, RUNS times each; then the edges, families,
# undetermined edges and inferred sources of each binary's output.
#
#   OLD=/path/to/old/wiretrace NEW=target/release/wiretrace benches/lineage_compare.sh [WORKDIR]
#
# Environment: RUNS (3), REUTERS (../shared/corpora/reuters21578.jsonl), SYNTH_DOCS (50000),
# URDU (../shared/corpora/reuse/counter-dev/corpus.jsonl), CHINESE (../shared/corpora/zh-news.jsonl).
set -euo pipefail
OLD=${OLD:?set OLD to the binary to compare against}
NEW=${NEW:-target/release/wiretrace}
WORK=${1:-target/bench/lineage-compare}
RUNS=${RUNS:-3}
REUTERS=${REUTERS:-../shared/corpora/reuters21578.jsonl}
SYNTH_DOCS=${SYNTH_DOCS:-50000}
URDU=${URDU:-../shared/corpora/reuse/counter-dev/corpus.jsonl}
CHINESE=${CHINESE:-../shared/corpora/zh-news.jsonl}
mkdir -p "$WORK"
SYNTH="$WORK/news-$SYNTH_DOCS.jsonl"
[ -s "$SYNTH" ] || "$NEW" synth --docs "$SYNTH_DOCS" --seed 7 -o "$SYNTH"
# One wire story and 3,000 copies, each with one word changed and its outlet's header:
# every copy shares text with every other (the sibling test's worst case).
GIANT="$WORK/giant-family.jsonl"
[ -s "$GIANT" ] || python3 - "$GIANT" <<'PY'
import json, random, sys
random.seed(3)
vocab = ["".join(random.choice("bcdfghklmnprstvz") + random.choice("aeiou") for _ in range(3))
         for _ in range(20000)]
story = [" ".join(random.choice(vocab) for _ in range(18)) + "." for _ in range(12)]
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "wire", "source": "Wire", "date": "2024-01-01T00:00:00Z",
                        "text": "CITY (Wire) -- " + " ".join(story)}) + "\n")
    for i in range(3000):
        s = list(story)
        k = random.randrange(12)
        w = s[k].split()
        w[random.randrange(1, len(w) - 1)] = random.choice(vocab)
        s[k] = " ".join(w)
        header = " ".join(random.choice(vocab) for _ in range(3))
        f.write(json.dumps({"id": f"c{i}", "source": f"Outlet{i % 200}",
                            "date": f"2024-01-0{1 + i % 9}T{i % 24:02d}:00:00Z",
                            "text": f"Outlet{i % 200} | {header}\n\nCITY (Wire) -- " + " ".join(s)}) + "\n")
PY

# One story that 20,000 outlets' pages carry word for word within one day, crediting no one
# and with no source in the corpus: one group of copies of an unseen story (the inferred
# source's worst case: its common text, its anchor and its siblings' witnesses).
UNSEEN="$WORK/giant-unseen.jsonl"
[ -s "$UNSEEN" ] || python3 - "$UNSEEN" <<'PY'
import json, random, sys
random.seed(5)
text = " ".join(f"w{random.randrange(50000)}" for _ in range(60)) + "."
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        f.write(json.dumps({"id": f"d{i}", "source": f"Outlet{i % 50}",
                            "date": f"2024-01-01T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
                            "text": text}) + "\n")
PY

name_of() { # corpus path → a short name (its folder's when the file is called corpus.jsonl)
  local base
  base=$(basename "$1" .jsonl)
  [ "$base" = corpus ] && base=$(basename "$(dirname "$1")")
  echo "$base"
}

measure() { # label, binary, corpus, output → one line: wall, user CPU, peak
  local log
  log=$(mktemp)
  /usr/bin/time -v "$2" lineage "$3" -q -o "$4" 2>"$log" >/dev/null
  local kb wall user
  kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  user=$(grep "User time (seconds)" "$log" | awk '{print $NF}')
  printf '%-5s %-28s wall %-8s user %6s s  peak %5d MiB\n' "$1" "$(name_of "$3")" "$wall" "$user" $((kb / 1024))
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

corpora=("$REUTERS" "$SYNTH" "$GIANT" "$UNSEEN")
for extra in "$URDU" "$CHINESE"; do
  [ -s "$extra" ] && corpora+=("$extra")
done
for corpus in "${corpora[@]}"; do
  for _ in $(seq "$RUNS"); do
    for name in OLD NEW; do
      measure "$name" "${!name}" "$corpus" "$WORK/$name-$(name_of "$corpus").json"
    done
  done
  for name in OLD NEW; do
    summary "$name" "$WORK/$name-$(name_of "$corpus").json"
  done
done
