#!/usr/bin/env bash
# --memory-limit, old binary against new, on one machine in one run: peak resident size
# (GNU time) and exit status of dups, lineage, audit and dedup on a ~1 GB synthetic corpus
# under --memory-limit 200M, and of an endless input (/dev/zero) under --max-doc-bytes.
#
#   OLD=/path/to/old/wiretrace NEW=target/release/wiretrace benches/memory_limit.sh [WORKDIR]
set -euo pipefail
OLD=${OLD:?set OLD to the binary to compare against}
NEW=${NEW:-target/release/wiretrace}
WORK=${1:-target/bench/memory-limit}
mkdir -p "$WORK"
CORPUS="$WORK/news-420k.jsonl"
[ -s "$CORPUS" ] || "$NEW" synth --docs 420000 --seed 11 -o "$CORPUS"
echo "corpus: $(du -h "$CORPUS" | cut -f1)"

peak() { # binary, args... → "exit=N peak=M MiB wall=S s"
  local log status
  log=$(mktemp)
  set +e
  /usr/bin/time -v timeout 120 "$@" >/dev/null 2>"$log"
  status=$?
  set -e
  local kb wall
  kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  echo "exit=$status peak=$((kb / 1024)) MiB wall=$wall"
  rm -f "$log"
}

printf '%-8s %-28s %s\n' binary case result
for name in OLD NEW; do
  bin=${!name}
  for cmd in dups lineage audit; do
    printf '%-8s %-28s %s\n' "$name" "$cmd --memory-limit 200M" "$(peak "$bin" "$cmd" "$CORPUS" -q --memory-limit 200M)"
  done
  printf '%-8s %-28s %s\n' "$name" "dedup --memory-limit 200M" \
    "$(peak "$bin" dedup "$CORPUS" -q --memory-limit 200M -o "$WORK/clean-$name.jsonl")"
  rm -f "$WORK/clean-$name.jsonl" "$WORK/clean-$name.jsonl.dropped.jsonl"
  printf '%-8s %-28s %s\n' "$name" "dups /dev/zero (5 s cap)" \
    "$(peak timeout 5 "$bin" dups /dev/zero -q --max-doc-bytes 1000 --memory-limit 300M)"
done
