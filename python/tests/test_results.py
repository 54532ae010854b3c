"""Result objects: graphs for networkx, HTML, dedup plans and files, thread counts."""

import json

import networkx as nx
import pytest

import wiretrace

from conftest import SAMPLE, rows


def test_to_networkx_holds_every_node_and_edge_with_evidence(synth):
    graph = wiretrace.lineage(synth)
    g = graph.to_networkx()
    assert g.number_of_nodes() == graph.nodes.num_rows
    assert g.number_of_edges() == graph.edges.num_rows > 0
    edge = graph.edges.slice(0, 1).to_pylist()[0]
    data = g.edges[edge["parent"], edge["child"]]
    assert data["kind"] == edge["kind"]
    assert data["spans"][0]["b_start"] == edge["spans"][0]["b_start"]
    # The GraphML export reads back into networkx with the same edges.
    back = nx.parse_graphml(graph.to_graphml())
    assert back.number_of_edges() == g.number_of_edges()


def test_report_html_is_written_once_and_never_over_a_file(tmp_path):
    graph = wiretrace.lineage(SAMPLE)
    page = tmp_path / "report.html"
    graph.report_html(page)
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html
    with pytest.raises(wiretrace.OutputError, match="already exists"):
        graph.report_html(page)
    graph.report_html(page, overwrite=True)


def test_dedup_keeps_one_per_family_and_writes_what_the_cli_writes(cli, tmp_path):
    result = wiretrace.dedup(SAMPLE)
    dups = json.loads(cli("dups", SAMPLE, "--format", "json"))
    assert len(result.kept) + result.dropped.num_rows == dups["stats"]["documents"]
    assert result.dropped.num_rows == dups["stats"]["redundant_documents"]
    for family in dups["families"]:
        kept = [m for m in family["members"] if m in set(result.kept)]
        assert kept == [family["representative"]]
    assert set(result.id_map) == set(result.dropped.column("dropped").to_pylist())
    out = tmp_path / "kept.jsonl"
    summary = result.write(out)
    assert summary["kept"] == len(result.kept)
    cli_out = tmp_path / "cli.jsonl"
    cli("dedup", SAMPLE, "-o", cli_out)
    assert out.read_bytes() == cli_out.read_bytes()
    ours = (tmp_path / "kept.jsonl.dropped.jsonl").read_text().splitlines()[1:]
    theirs = (tmp_path / "cli.jsonl.dropped.jsonl").read_text().splitlines()[1:]
    assert ours == theirs
    with pytest.raises(wiretrace.OutputError):
        result.write(out)


def test_dedup_from_a_data_frame_maps_to_rows():
    import pandas as pd

    frame = pd.DataFrame(rows(SAMPLE))
    result = wiretrace.dedup(frame, keep="longest")
    kept = frame[frame["id"].isin(result.kept)]
    assert len(kept) == len(result.kept) < len(frame)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_results_do_not_depend_on_threads(synth, threads):
    base = wiretrace.lineage(synth, threads=2).to_json()
    assert wiretrace.lineage(synth, threads=threads).to_json() == base
    assert wiretrace.dups(rows(synth), threads=threads).to_json() == \
        wiretrace.dups(rows(synth), threads=2).to_json()


def test_progress_reports_stages(tmp_path):
    seen = []
    wiretrace.dups(SAMPLE, progress=lambda stage, n, size: seen.append(stage))
    assert "signing" in seen and seen[-1] == "done"
    seen.clear()
    wiretrace.dups(rows(SAMPLE), progress=lambda stage, n, size: seen.append((stage, n)))
    assert ("signing", 9) in seen and seen[-1][0] == "done"
    seen.clear()
    wiretrace.lineage(rows(SAMPLE), progress=lambda stage, n, size: seen.append((stage, n)))
    assert seen[0] == ("read", 9) and seen[-1][0] == "done"


def test_a_failing_progress_callback_raises_after_the_run():
    def boom(stage, n, size):
        raise RuntimeError("callback broke")

    with pytest.raises(RuntimeError, match="callback broke"):
        wiretrace.dups(SAMPLE, progress=boom)


def test_defaults_are_the_cli_defaults(cli):
    import re

    helps = {c: cli(c, "--help") for c in ("dups", "lineage")}
    text = helps["dups"] + helps["lineage"]
    for name, value in wiretrace.DEFAULTS.items():
        if value is None or name in ("max_doc_bytes",):
            continue
        flag = "--" + name.replace("_", "-")
        m = re.search(re.escape(flag) + r"\b[^\[]*?\[default: ([^\]]+)\]", text, re.S)
        assert m, f"{flag} has no default in --help"
        shown = m.group(1)
        if isinstance(value, bool):
            assert shown == ("on" if value else "off"), name
        else:
            assert shown == str(value), name
    m = re.search(r"--max-doc-bytes <BYTES>[^\[]*\[default: (\d+)\]", helps["dups"], re.S)
    assert int(m.group(1)) == wiretrace.DEFAULTS["max_doc_bytes"]


def test_the_interpreter_runs_while_the_library_works(reuters):
    """Other Python threads keep running during a call: the library releases the GIL."""
    import threading
    import time

    done = threading.Event()
    took = []

    def work():
        t = time.perf_counter()
        wiretrace.lineage(reuters, paraphrase=False)
        took.append(time.perf_counter() - t)
        done.set()

    thread = threading.Thread(target=work)
    ticks = []
    thread.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    # The call takes about a second; the other thread was never held up for long.
    assert took[0] > 0.3
    assert len(ticks) > 50 and max(gaps) < took[0] / 3, (max(gaps), took[0])


def test_progress_true_reports_without_tqdm(capsys):
    import importlib.util

    wiretrace.dups(SAMPLE, progress=True)
    err = capsys.readouterr().err
    if importlib.util.find_spec("tqdm") is None:
        assert "wiretrace: signing" in err and "wiretrace: done" in err


def test_temp_dir_takes_the_temporary_files_and_a_bad_one_is_a_clear_error(tmp_path):
    # The spill files are anonymous (gone on close): the folder is empty after the run,
    # and the results are those of the default folder.
    folder = tmp_path / "spill"
    folder.mkdir()
    assert wiretrace.dups(rows(SAMPLE), temp_dir=folder).to_json() == \
        wiretrace.dups(rows(SAMPLE)).to_json()
    assert wiretrace.lineage(SAMPLE, temp_dir=str(folder)).to_json() == \
        wiretrace.lineage(SAMPLE).to_json()
    assert list(folder.iterdir()) == []
    missing = tmp_path / "no-such-folder"
    for call in (wiretrace.dups, wiretrace.lineage):
        with pytest.raises(wiretrace.OutputError, match="cannot write '.*no-such-folder'"):
            call(SAMPLE, temp_dir=missing)
    with pytest.raises(TypeError, match="temp_dir"):
        wiretrace.Index.build(tmp_path / "ix", SAMPLE, temp_dir=folder)
