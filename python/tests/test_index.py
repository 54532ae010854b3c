"""The index from Python: build, reopen, add (atomic, fixed parameters), query."""

import pytest

import wiretrace

from conftest import rows


def test_build_add_query_round_trip(cli, synth, tmp_path):
    records = rows(synth)
    half = len(records) // 2
    folder = tmp_path / "index"
    index = wiretrace.Index.build(folder, records[:half])
    assert len(index) == half
    assert index.last_report["stats"]["added"] == half
    report = wiretrace.Index.open(folder).add(records[half:])
    assert len(wiretrace.Index.open(folder)) == len(records)
    assert report["command"] == "index add"
    # Ids already held are skipped and reported, not added twice.
    again = wiretrace.Index.open(folder).add(records[:3])
    assert len(wiretrace.Index.open(folder)) == len(records)
    assert again["skipped"] and all(s["kind"] == "already-indexed" for s in again["skipped"])
    # A query finds what the CLI's query finds.
    article = records[-1]
    got = wiretrace.Index.open(folder).query(article)
    want_path = tmp_path / "article.txt"
    want_path.write_text(article["text"], encoding="utf-8")
    import json
    want = json.loads(cli("index", "query", folder, want_path, "--format", "json"))
    assert got.column("id").to_pylist() == [m["id"] for m in want["matches"]]
    assert article["id"] in got.column("id").to_pylist()


def test_fixed_parameters_and_errors(synth, tmp_path):
    records = rows(synth)[:50]
    folder = tmp_path / "index"
    index = wiretrace.Index.build(folder, records, threshold=0.7)
    assert index.params["threshold"] == 0.7
    with pytest.raises(wiretrace.ConfigError, match="threshold"):
        index.add(rows(synth)[50:60], threshold=0.9)
    index.add(rows(synth)[50:60], threshold=0.7)
    with pytest.raises(wiretrace.ConfigError, match="already holds an index"):
        wiretrace.Index.build(folder, records)
    with pytest.raises(wiretrace.WiretraceError):
        wiretrace.Index.open(tmp_path / "nothing-here")
