#!/usr/bin/env bash
# The Python package's speed beside the CLI and rensa, and its memory on a large DataFrame
# (benches/python_bench.py says what is measured). Uses the virtualenv and wheel that
# python/test.sh makes (run it first), and adds rensa 0.5.0 to that virtualenv.
#
# Usage: benches/python_bench.sh [CORPUS.jsonl] [ROWS]
#        (defaults: ../shared/corpora/reuters21578.jsonl, 100000 rows for the memory run)
# Env:   RUNS (5), CARGO_TARGET_DIR, WIRETRACE_PY_VENV as for python/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$(pwd)/target}
venv=${WIRETRACE_PY_VENV:-$target/python-venv}
[ -x "$venv/bin/python" ] || { echo "run python/test.sh first (it makes $venv)" >&2; exit 2; }
"$venv/bin/pip" install -q --disable-pip-version-check rensa==0.5.0
export WIRETRACE_BIN=${WIRETRACE_BIN:-$target/release/wiretrace}
export SHARED_BENCH=$(pwd)/../shared/bench
corpus=${1:-../shared/corpora/reuters21578.jsonl}
rows=${2:-100000}
mkdir -p "$target/python-bench"
echo "$(date -u +%Y-%m-%d) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$venv/bin/python" benches/python_bench.py speed "$corpus"
"$venv/bin/python" benches/python_bench.py memory "$rows" "$target/python-bench"
