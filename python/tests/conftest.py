"""Shared fixtures: the CLI binary to compare with, the corpora, a synth corpus.

Tests that need something outside the package (the CLI binary, ``../shared/corpora``)
skip with the reason when it is missing, unless ``WIRETRACE_REQUIRE_ALL=1`` (set by
``scripts/test.sh``, so CI runs every test or fails)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "corpora"
SAMPLE = REPO / "samples" / "news.jsonl"


def _missing(what):
    if os.environ.get("WIRETRACE_REQUIRE_ALL") == "1":
        pytest.fail(f"{what} is missing, and WIRETRACE_REQUIRE_ALL=1")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def cli():
    """Runs the wiretrace CLI: cli("dups", path, "--format", "json") -> stdout."""
    binary = os.environ.get("WIRETRACE_BIN") or str(REPO / "target" / "release" / "wiretrace")
    if not Path(binary).exists():
        binary = shutil.which("wiretrace")
    if not binary:
        _missing("the wiretrace binary (set WIRETRACE_BIN)")

    def run(*args):
        done = subprocess.run(
            [binary, *map(str, args), "-q"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run.binary = binary
    return run


@pytest.fixture(scope="session")
def reuters():
    path = SHARED / "reuters21578.jsonl"
    if not path.exists():
        _missing(str(path))
    return path


@pytest.fixture(scope="session")
def synth(cli, tmp_path_factory):
    """A 1,500-article synthetic syndicated corpus (wiretrace synth), with truth."""
    folder = tmp_path_factory.mktemp("synth")
    corpus = folder / "corpus.jsonl"
    cli("synth", "--docs", "1500", "--seed", "5", "--syndication", "--rewritten", "20",
        "-o", corpus, "--truth", folder / "truth.json")
    return corpus


def rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
