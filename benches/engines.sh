#!/usr/bin/env bash
# Default engine vs DataFusion vs Ballista (a loopback cluster of one scheduler and two
# executors) on one corpus: wall time and peak memory of each run, and whether the
# families agree.
#
# Usage: benches/engines.sh CORPUS.jsonl [WORK_DIR]      (default work dir: target/engines)
#        WIRETRACE=path/to/wiretrace benches/engines.sh …  (use a binary built with
#        --features distributed instead of building one)
# e.g.   benches/engines.sh ../shared/corpora/reuters21578.jsonl
#        target/release/wiretrace synth --docs 1000000 --seed 1 -o target/news-1M.jsonl
#        benches/engines.sh target/news-1M.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$1
work=${2:-target/engines}
rm -rf "$work" && mkdir -p "$work"
if [ -z "${WIRETRACE:-}" ]; then
  cargo build --release --quiet --features distributed
fi
bin=${WIRETRACE:-target/release/wiretrace}

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" > "$work/$name.json" 2> "$work/$name.time"
  local wall peak
  wall=$(grep "Elapsed (wall" "$work/$name.time" | awk '{print $NF}')
  peak=$(grep "Maximum resident" "$work/$name.time" | awk '{print $NF}')
  printf '%-12s wall %s  peak %.0f MiB (client)\n' "$name" "$wall" "$((peak / 1024))"
}

measure default "$bin" dups "$corpus" --format json -q --temp-dir "$work"
measure datafusion "$bin" dups "$corpus" --format json -q --engine datafusion --temp-dir "$work"

port=$((40000 + RANDOM % 10000))
/usr/bin/time -v "$bin" cluster scheduler --bind "127.0.0.1:$port" --external-host 127.0.0.1 \
  > /dev/null 2> "$work/scheduler.time" &
sched=$!
sleep 1
pids=()
for i in 1 2; do
  /usr/bin/time -v "$bin" cluster executor --scheduler "127.0.0.1:$port" \
    --external-host 127.0.0.1 --port $((port + 10 * i)) --grpc-port $((port + 10 * i + 1)) \
    --concurrent-tasks 1 --work-dir "$work/executor-$i" > /dev/null 2> "$work/executor-$i.time" &
  pids+=($!)
done
sleep 3
measure ballista "$bin" dups "$corpus" --format json -q --engine ballista \
  --scheduler "df://127.0.0.1:$port" --temp-dir "$work"
# Stop the cluster: each process's peak memory comes from /proc before it is stopped.
for pid in $(pgrep -P "$sched") $(for p in "${pids[@]}"; do pgrep -P "$p"; done); do
  name=$(tr '\0' ' ' < /proc/$pid/cmdline | awk '{print $3}')
  printf '  %-9s peak %s MiB\n' "$name" "$(awk '/VmHWM/ {print int($2 / 1024)}' /proc/$pid/status)"
  kill "$pid"
done
wait || true

python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
runs = {n: json.load(open(f"{w}/{n}.json")) for n in ("default", "datafusion", "ballista")}
for n, r in runs.items():
    s = r["stats"]
    print(f"{n:12} documents {s['documents']}  pairs {s['pairs']}  families {s['families']}")
same = runs["default"]["families"] == runs["datafusion"]["families"] == runs["ballista"]["families"]
print("families identical across engines:", same)
print("datafusion and ballista pairs identical:", runs["datafusion"]["pairs"] == runs["ballista"]["pairs"])
PY
