#!/usr/bin/env python3
"""The Python package beside the CLI and rensa, in one process run (benches/python_bench.sh).

speed:  on a JSON Lines corpus (default Reuters-21578) loaded once into a list of dicts,
        the wall time of wiretrace.dups(list_of_dicts), of wiretrace.dups(path) (streamed
        as the CLI streams), of the CLI itself (`wiretrace dups CORPUS --format json`, a
        subprocess), and of rensa driven the same way as in ../shared/bench/baseline_rensa.py
        (shingle_common word 5-grams, RMinHash 128, RMinHashLSH 16 bands, exact
        verification): median of RUNS runs each, interleaved.
memory: a DataFrame of N synth articles (`wiretrace synth --docs N`): the bytes allocated
        once its documents are read for a run (glibc's count of bytes in use, before and
        after), against the bytes of text in the frame — near 1 means each text was
        copied once; then the peak resident memory of wiretrace.dups(frame) above what
        the process held before the call (the copy and the run's own working memory).
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def heap_in_use():
    """Bytes handed out by the C allocator (glibc mallinfo2: small blocks and mmapped
    ones), which the Rust library and Python's objects both allocate from."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def speed(corpus, binary, runs):
    import wiretrace

    with open(corpus, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    systems = {
        "wiretrace.dups(list of dicts)": lambda: wiretrace.dups(docs),
        "wiretrace.dups(path)": lambda: wiretrace.dups(corpus),
        "CLI `wiretrace dups`": lambda: subprocess.run(
            [binary, "dups", corpus, "--format", "json", "-q", "-o", os.devnull], check=True
        ),
    }
    try:
        sys.path.insert(0, os.environ.get("SHARED_BENCH", "../shared/bench"))
        from rensa import RMinHash, RMinHashLSH
        from shingle_common import shingles

        def rensa():
            ids, sets, mhs = [], [], []
            for d in docs:
                s = shingles(d.get("text", ""))
                if not s:
                    continue
                m = RMinHash(num_perm=128, seed=1)
                m.update(list(s))
                ids.append(d["id"]); sets.append(s); mhs.append(m)
            lsh = RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16)
            for i, m in enumerate(mhs):
                lsh.insert(i, m)
            pairs = 0
            for i, m in enumerate(mhs):
                for j in lsh.query(m):
                    if j > i:
                        inter = len(sets[i] & sets[j])
                        if inter / (len(sets[i]) + len(sets[j]) - inter) >= 0.8:
                            pairs += 1
            return pairs

        systems["rensa (same driving)"] = rensa
    except ImportError as e:
        print(f"rensa not measured: {e}", file=sys.stderr)
    times = {name: [] for name in systems}
    for _ in range(runs):
        for name, fn in systems.items():
            times[name].append(timed(fn))
    pairs = wiretrace.dups(docs).stats["pairs"]
    print(f"corpus {corpus}: {len(docs)} documents, {pairs} pairs; median of {runs} runs")
    base = statistics.median(times["CLI `wiretrace dups`"])
    py = statistics.median(times["wiretrace.dups(list of dicts)"])
    print("| system | wall (median) | all runs | vs CLI | wiretrace.dups(list) faster by |")
    print("|---|---|---|---|---|")
    for name, ts in times.items():
        m = statistics.median(ts)
        runs_s = " ".join(f"{t:.3f}" for t in ts)
        print(f"| {name} | {m:.3f} s | {runs_s} | {m / base:.2f}× | {m / py:.1f}× |")


def memory(binary, n, folder):
    import pandas as pd
    import wiretrace

    corpus = os.path.join(folder, f"synth-{n}.jsonl")
    if not os.path.exists(corpus):
        subprocess.run([binary, "synth", "--docs", str(n), "--seed", "11", "-o", corpus, "-q"],
                       check=True)
    frame = pd.read_json(corpus, lines=True, dtype={"id": str})
    text_bytes = sum(len(t.encode("utf-8")) for t in frame["text"])
    before = heap_in_use()
    fields = tuple(wiretrace.DEFAULTS[f + "_field"]
                   for f in ("id", "text", "source", "date", "title", "url"))
    corpus = wiretrace._corpus(frame, fields, "auto", wiretrace.DEFAULT_MAX_DOC_BYTES)
    read = heap_in_use() - before
    print(f"the DataFrame read for a run: +{read / 2**20:.0f} MiB allocated = "
          f"{read / text_bytes:.2f}× the text ({len(corpus)} documents)")
    del corpus
    before = rss_bytes()
    t = time.perf_counter()
    result = wiretrace.dups(frame)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"DataFrame of {len(frame)} rows, {text_bytes / 2**20:.0f} MiB of text: "
          f"dups {wall:.2f} s, {result.stats['pairs']} pairs; resident before the call "
          f"{before / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB: "
          f"+{(peak - before) / 2**20:.0f} MiB = {(peak - before) / text_bytes:.2f}× the text")


def main():
    what = sys.argv[1]
    binary = os.environ["WIRETRACE_BIN"]
    if what == "speed":
        speed(sys.argv[2], binary, int(os.environ.get("RUNS", "5")))
    else:
        memory(binary, int(sys.argv[2]), sys.argv[3])


if __name__ == "__main__":
    main()
