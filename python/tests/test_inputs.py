"""Every way documents arrive reads the same corpus, under the CLI's record rules."""

import json
import math

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import wiretrace

from conftest import SAMPLE, rows


@pytest.fixture(scope="module")
def records():
    return rows(SAMPLE)


@pytest.fixture(scope="module")
def expected(records):
    return wiretrace.dups(SAMPLE).pairs.to_pylist()


def _kinds(records, tmp_path):
    table = pa.Table.from_pylist(records)
    parquet = tmp_path / "news.parquet"
    pq.write_table(table, parquet, row_group_size=4)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "news.jsonl").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return {
        "list of dicts": records,
        "generator": (r for r in records),
        "DataFrame": pd.DataFrame(records),
        "Table": table,
        "RecordBatch": table.combine_chunks().to_batches()[0],
        "RecordBatchReader": pa.RecordBatchReader.from_batches(
            table.schema, table.to_batches(max_chunksize=5)
        ),
        "str path": str(SAMPLE),
        "Path": SAMPLE,
        "list of paths": [SAMPLE],
        "folder": folder,
        "Parquet": parquet,
    }


def test_every_input_kind_gives_the_same_pairs(records, expected, tmp_path):
    for kind, docs in _kinds(records, tmp_path).items():
        got = wiretrace.dups(docs)
        assert got.pairs.to_pylist() == expected, kind
        assert got.stats["documents"] == len(records), kind


def test_field_names_are_mapped_as_on_the_cli(records, expected):
    renamed = [{"doc": r["id"], "body": r["text"], "outlet": r.get("source")} for r in records]
    got = wiretrace.dups(renamed, id_field="doc", text_field="body", source_field="outlet")
    assert got.pairs.to_pylist() == expected
    frame = pd.DataFrame(renamed)
    assert wiretrace.dups(frame, id_field="doc", text_field="body").pairs.to_pylist() == expected


def test_bad_rows_are_skipped_and_reported_never_raised(records):
    bad = [
        {"id": "a1", "text": None},                # missing text
        {"text": "no id here"},                     # missing id
        {"id": 3.5, "text": "a float id"},          # wrong type
        {"id": "a4", "text": 12},                   # wrong type
        {"id": records[0]["id"], "text": "again"},  # duplicate id
        {"id": "a6", "text": "   "},                # empty
        ["not", "a", "record"],                     # not a mapping
        {"id": "a8", "text": "Kept though its date is odd.", "date": "last Tuesday",
         "source": 17},
        {"id": "a9", "text": "half an emoji \ud83d here"},  # a lone surrogate: U+FFFD
        {"id": "a10", "text": "Kept, its title too.", "title": "bad \udfff \ud83d\ude00"},
    ]
    got = wiretrace.dups(records + bad)
    skipped = got.skipped.to_pylist()
    n = len(records)
    assert [(s["path"], s["line"], s["kind"]) for s in skipped] == [
        ("<rows>", n + 1, "missing-field"),
        ("<rows>", n + 2, "missing-field"),
        ("<rows>", n + 3, "wrong-type"),
        ("<rows>", n + 4, "wrong-type"),
        ("<rows>", n + 5, "duplicate-id"),
        ("<rows>", n + 6, "empty"),
        ("<rows>", n + 7, "not-an-object"),
    ]
    assert skipped[4]["id"] == records[0]["id"]
    warnings = [w["message"] for w in got.warnings.to_pylist()]
    assert any("field 'source' is a number" in w for w in warnings)
    assert any("not ISO 8601" in w for w in warnings)
    lone = [(w["line"], w["message"]) for w in got.warnings.to_pylist() if "lone" in w["message"]]
    assert lone == [
        (n + 9, "1 lone UTF-16 surrogate (half of a character) replaced by U+FFFD"),
        (n + 10, "1 lone UTF-16 surrogate (half of a character) replaced by U+FFFD"),
    ]
    assert got.stats["records_read"] == n + len(bad)
    assert got.stats["documents"] == n + 3


def test_lone_surrogates_are_read_as_the_json_lines_reader_reads_them(tmp_path):
    story = " ".join(f"word{i} story{i % 7}" for i in range(60))
    rows = [{"id": "cut", "text": "An emoji cut in two \ud83d by a scraper. " + story,
             "title": "x \udfff y \ud83d\ude00"},
            {"id": "copy", "text": "An emoji cut in two \ud83d by a scraper. " + story}]
    path = tmp_path / "cut.jsonl"
    # The JSON encoder escapes each half as \udXXX: the CLI's reader repairs the line.
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="ascii")
    from_rows = wiretrace.lineage(rows)
    from_file = wiretrace.lineage(str(path))
    nodes = from_rows._value["nodes"]
    assert [n["title"] for n in nodes] == ["x \ufffd y \U0001f600", None]
    assert nodes == from_file._value["nodes"]
    assert from_rows._value["edges"] == from_file._value["edges"]
    assert [(w["line"], w["message"]) for w in from_rows.warnings.to_pylist()] == [
        (1, "2 lone UTF-16 surrogates (half of a character) replaced by U+FFFD"),
        (2, "1 lone UTF-16 surrogate (half of a character) replaced by U+FFFD"),
    ]


def test_data_frame_missing_values_and_dates(records):
    frame = pd.DataFrame(records[:6])
    frame["source"] = [None, math.nan, "Xinhua", pd.NA, "Reuters", "AP"]
    frame["date"] = pd.to_datetime(["2019-06-05", None, "2019-06-06", "2019-06-07",
                                    "2019-06-08", "2019-06-09"])
    graph = wiretrace.lineage(frame)
    nodes = {n["id"]: n for n in graph._value["nodes"]}
    assert graph.warnings.num_rows == 0
    dated = [r for r in graph.nodes.to_pylist() if r["date"]]
    assert all(r["date"].startswith("2019-06-") for r in dated)
    assert nodes  # at least one document is in the graph
    got = wiretrace.dups(frame)
    assert got.skipped.num_rows == 0
    assert got.stats["documents"] == 6


def test_oversized_records_are_skipped(records):
    got = wiretrace.dups(records, max_doc_bytes=2000)
    skipped = got.skipped.to_pylist()
    assert skipped and all(s["kind"] == "too-large" for s in skipped)
    assert got.stats["documents"] + len(skipped) == len(records)


def test_errors_raise_typed_exceptions_with_the_cli_messages(tmp_path):
    with pytest.raises(wiretrace.InputError, match="does-not-exist"):
        wiretrace.dups(tmp_path / "does-not-exist.jsonl")
    with pytest.raises(wiretrace.ConfigError, match="threshold"):
        wiretrace.dups([], threshold=1.5)
    with pytest.raises(wiretrace.ConfigError, match="threads"):
        wiretrace.dups([], threads=0)
    with pytest.raises(wiretrace.ConfigError, match="shingle"):
        wiretrace.dups([], shingle="lines:3")
    with pytest.raises(wiretrace.ConfigError, match="passage_k"):
        wiretrace.lineage([], passage_k=0)
    with pytest.raises(wiretrace.ConfigError, match="one dict"):
        wiretrace.dups({"id": "1", "text": "x"})
    with pytest.raises(TypeError, match="treshold"):
        wiretrace.dups([], treshold=0.9)
    assert issubclass(wiretrace.InputError, wiretrace.WiretraceError)


def test_an_empty_corpus_gives_empty_tables():
    got = wiretrace.lineage([])
    assert got.edges.num_rows == 0 and got.nodes.num_rows == 0
    assert got.edges.schema.names[:2] == ["parent", "child"]


def test_an_error_raised_by_the_documents_iterable_reaches_the_caller():
    def feed():
        yield {"id": "1", "text": "The first story of the feed, in a few words."}
        raise RuntimeError("the feed broke")

    for call in (wiretrace.dups, wiretrace.lineage):
        with pytest.raises(RuntimeError, match="the feed broke"):
            call(feed())
