#!/usr/bin/env bash
# The Python package's tests (run by scripts/test.sh after the Rust tests): makes a
# virtualenv with the pinned build and test tools (python/requirements-test.txt, from
# PyPI), builds the wheel with maturin (release, offline from the crates already fetched
# or from crates.io), installs it, and runs pytest. The tests compare the package's
# answers with the CLI binary's, so that binary must exist: scripts/test.sh builds it;
# WIRETRACE_BIN names another. Every test must run: one that would skip fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=${WIRETRACE_PY_VENV:-$target/python-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r python/requirements-test.txt
rm -rf "$target/wheels"
CARGO_TARGET_DIR="$target/python" "$venv/bin/maturin" build --release --quiet \
  -m python/Cargo.toml -i "$venv/bin/python" -o "$target/wheels"
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$target"/wheels/wiretrace-*.whl
export WIRETRACE_BIN=${WIRETRACE_BIN:-$target/release/wiretrace}
export WIRETRACE_REQUIRE_ALL=1
# From outside the source folder, so that the installed package is the one imported.
cd "$target"
"$venv/bin/pytest" -q -p no:cacheprovider "$root/python/tests"
