#!/usr/bin/env bash
# The test command of README.md: installs the system packages some tests drive (Graphviz
# renders the DOT output, headless Chromium loads the HTML report) when they are missing,
# then runs the whole test suite in release mode with the `distributed` feature, so the
# DataFusion and Ballista engines are tested too (their first build is long: DataFusion and
# Ballista are large crates), then builds the Python package and runs its tests
# (python/test.sh). Installing needs root (apt-get), as on CI.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dot -V
chromium --version 2>/dev/null || chromium-browser --version

# Every test runs here: one whose corpus (../shared) or program is missing fails instead
# of skipping (tests/common/mod.rs).
export WIRETRACE_REQUIRE_ALL=1
cargo test --release --features distributed "$@"

# The Python package (python/): builds its wheel and runs its tests against the CLI built
# above (its first build compiles the library once more, without the `distributed` feature).
bash python/test.sh
