"""The package gives the CLI's answers: same pairs, families, passages (with offsets) and
lineage edges on the bundled sample, Reuters-21578 and a synth corpus — from paths, from
a list of dicts and from a DataFrame."""

import json

import pandas as pd
import pytest

import wiretrace

from conftest import SAMPLE, rows


def _json(text):
    return json.loads(text)


@pytest.fixture(params=["sample", "reuters", "synth"])
def corpus(request):
    if request.param == "sample":
        return SAMPLE
    return request.getfixturevalue(request.param)


def test_dups_from_a_path_is_the_cli_output(cli, corpus):
    assert wiretrace.dups(corpus).to_json() == cli("dups", corpus, "--format", "json")


def test_dups_from_dicts_and_frames_finds_the_cli_pairs(cli, corpus):
    want = _json(cli("dups", corpus, "--format", "json"))
    records = rows(corpus)
    for docs in (records, pd.DataFrame(records)):
        got = wiretrace.dups(docs)
        assert got.pairs.to_pylist() == want["pairs"]
        assert got.families.to_pylist() == want["families"]
        assert got.stats["pairs"] == want["stats"]["pairs"] > 0


def test_lineage_is_the_cli_lineage(cli, corpus):
    want = cli("lineage", corpus, "--format", "json")
    graph = wiretrace.lineage(rows(corpus))
    # Same nodes, edges (with their spans' offsets), families, boilerplate, params, stats.
    assert graph.to_json() == want
    want = _json(want)
    assert graph.edges.num_rows == len(want["edges"]) > 0
    first = graph.edges.slice(0, 1).to_pylist()[0]
    assert first["spans"] == want["edges"][0]["spans"]
    assert graph.to_dot() == cli("lineage", corpus, "--format", "dot")
    assert graph.to_graphml() == cli("lineage", corpus, "--format", "graphml")


def test_passages_are_the_cli_passages_with_offsets(cli, corpus):
    want = _json(cli("passages", corpus, "--format", "json"))
    got = wiretrace.passages(corpus)
    assert _json(got.to_json()) == want
    table = got.passages.to_pylist()
    expected = [(p["a"], p["b"], s["a_start"], s["a_end"], s["b_start"], s["b_end"])
                for p in want["pairs"] for s in p["passages"]]
    assert [(r["a"], r["b"], r["a_start"], r["a_end"], r["b_start"], r["b_end"])
            for r in table] == expected
    assert len(table) > 0


def test_offsets_point_into_the_texts_as_given(synth):
    records = rows(synth)
    text = {r["id"]: r["text"] for r in records}
    table = wiretrace.passages(records).passages.to_pylist()
    assert table
    for r in table:
        a = text[r["a"]][r["a_start"]:r["a_end"]]
        assert len(a) == r["a_end"] - r["a_start"] > 0
        assert r["a_text"].rstrip("…") == a[: len(r["a_text"].rstrip("…"))]


def test_audit_is_the_cli_audit(cli):
    got = wiretrace.audit(SAMPLE)
    assert got.to_json() == cli("audit", SAMPLE, "--format", "json")
    assert got.audit["documents"] == 9


def test_rewritten_copy_is_found_in_the_synth_corpus(synth):
    graph = wiretrace.lineage(synth)
    kinds = graph.edges.column("kind").to_pylist()
    assert kinds.count("rewritten") >= 10
    assert graph.stats["rewritten_pairs"] >= 10
