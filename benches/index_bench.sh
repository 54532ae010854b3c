#!/usr/bin/env bash
# The incremental-index bench: build an index of 1,000,000 synthetic articles, add the next
# 10,000 (a day's crawl, with its 5 % planted reposts of older stories), and query one
# article. Reports wall time and peak memory of each step and the index size on disk.
#
# Usage: benches/index_bench.sh [DOCS] [ADD] [WORK_DIR]   (defaults: 1000000 10000 target/index-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-1000000}
add=${2:-10000}
work=${3:-target/index-bench}
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/wiretrace
total=$((docs + add))
corpus="$work/news-$total.jsonl"
if [ ! -f "$corpus" ]; then
  echo "generating $total articles"
  "$bin" synth --docs "$total" --seed 1 -o "$corpus" --truth "$work/news-$total.truth"
fi
head -n "$docs" "$corpus" > "$work/archive.jsonl"
tail -n "$add" "$corpus" > "$work/today.jsonl"
rm -rf "$work/ix"

step() {
  local name=$1; shift
  /usr/bin/time -v "$@" 2> "$work/time-$name.log" > "$work/out-$name.txt" || { cat "$work/time-$name.log"; exit 1; }
  printf '%-8s %s, %s\n' "$name" \
    "$(grep -E 'Elapsed' "$work/time-$name.log" | sed 's/.*: //') wall" \
    "$(grep -E 'Maximum resident' "$work/time-$name.log" | sed 's/.*: //') KB peak"
}

step build "$bin" index build "$work/archive.jsonl" -o "$work/ix" -q --format json --report "$work/build.json"
du -sh "$work/ix"
# One article of today's batch, a planted repost of an archived story, queried against the
# archive before the add, each time in a new process.
python3 - "$work/news-$total.truth" "$work/today.jsonl" "$work/article.txt" <<'PY'
import json, sys
today = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
for line in open(sys.argv[1]):
    original, repost = line.split()
    if repost in today and original not in today:
        open(sys.argv[3], "w").write(today[repost]["text"])
        open(sys.argv[3] + ".date", "w").write(today[repost]["date"])
        print(f"query: {repost}, a repost of {original}")
        break
PY
for i in 1 2 3; do
  step "query$i" "$bin" index query "$work/ix" "$work/article.txt" -q --date "$(cat "$work/article.txt.date")"
done
head -n 2 "$work/out-query1.txt"
step add "$bin" index add "$work/ix" "$work/today.jsonl" -q --format json --report "$work/add.json"
python3 - "$work/add.json" "$work/news-$total.truth" "$work/today.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("add:", r["stats"])
today = {json.loads(l)["id"] for l in open(sys.argv[3])}
truth = {tuple(l.split()) for l in open(sys.argv[2]) if l.split()[1] in today}
found = {(p["a"], p["b"]) for p in r["pairs"]}
print(f"planted reposts in today's batch: {len(truth)}, found by add: {len(truth & found)}")
PY
du -sh "$work/ix"
