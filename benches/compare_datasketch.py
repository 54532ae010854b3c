#!/usr/bin/env python3
"""datasketch's MinHash LSH on a JSON Lines corpus, with wiretrace's shingling, plus the
brute-force exact pairs both tools are scored against.

Usage: compare_datasketch.py CORPUS.jsonl TRUTH_OUT DATASKETCH_OUT

Shingles are word 5-grams after the same normalisation as wiretrace (lowercase, letters
and digits only, apostrophes inside words dropped, one token per CJK/kana/Thai character).
datasketch is used as its documentation shows: MinHash(num_perm=128) per document,
MinHashLSH(threshold=0.8, num_perm=128), one query per document; its candidates are then
verified with exact Jaccard, as wiretrace does, so both report verified pairs.
Prints one JSON line: wall seconds and peak RSS of the datasketch part, pairs found.
"""
import json
import math
import re
import resource
import sys
import time
from collections import defaultdict

from datasketch import MinHash, MinHashLSH

UNSPACED = ("\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
            "\uff66-\uff9f\U00020000-\U0003134f\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff")
TOKEN = re.compile(f"[{UNSPACED}]|[^\\W_{UNSPACED}]+")
APOSTROPHE = re.compile(r"(?<=[^\W_])['\u2019\u02bc](?=[^\W_])")
FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
K, THRESHOLD, NUM_PERM = 5, 0.8, 128


def shingles(text):
    tokens = TOKEN.findall(APOSTROPHE.sub("", text.translate(FULLWIDTH)).lower())
    if not tokens:
        return set()
    if len(tokens) < K:
        return {" ".join(tokens)}
    return {" ".join(tokens[i:i + K]) for i in range(len(tokens) - K + 1)}


def read(path):
    ids, sets = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                ids.append(str(rec["id"]))
                sets.append(shingles(rec["text"]))
    return ids, sets


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 0.0


def brute_force(ids, sets):
    """Every pair with exact Jaccard >= THRESHOLD, by the prefix filter (Chaudhuri, Ganti &
    Kaushik 2006): with shingles ordered rarest first, two sets with Jaccard >= t must share
    one of the first |s| - ceil(t|s|) + 1 shingles of each. Exact, and it never pairs up
    documents through boilerplate shingles, which are frequent and sort last."""
    freq = defaultdict(int)
    for s in sets:
        for sh in s:
            freq[sh] += 1
    postings = defaultdict(list)
    for i, s in enumerate(sets):
        if not s:
            continue
        ordered = sorted(s, key=lambda sh: (freq[sh], sh))
        prefix = len(s) - math.ceil(THRESHOLD * len(s) - 1e-9) + 1
        for sh in ordered[:prefix]:
            postings[sh].append(i)
    candidates = set()
    for docs in postings.values():
        for x in range(len(docs)):
            for y in range(x + 1, len(docs)):
                candidates.add((docs[x], docs[y]))
    return {(ids[a], ids[b]) for a, b in candidates if jaccard(sets[a], sets[b]) >= THRESHOLD}


def main():
    corpus, truth_out, found_out = sys.argv[1:4]
    start = time.perf_counter()
    ids, sets = read(corpus)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sigs = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([sh.encode("utf-8") for sh in s])
        sigs.append(m)
        if s:
            lsh.insert(i, m)
    pairs = set()
    for i, s in enumerate(sets):
        if not s:
            continue
        for j in lsh.query(sigs[i]):
            if j != i:
                a, b = min(i, j), max(i, j)
                if jaccard(sets[a], sets[b]) >= THRESHOLD:
                    pairs.add((ids[a], ids[b]))
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(found_out, "w") as f:
        for a, b in sorted(pairs):
            f.write(f"{a}\t{b}\n")
    truth = brute_force(ids, sets)
    with open(truth_out, "w") as f:
        for a, b in sorted(truth):
            f.write(f"{a}\t{b}\n")
    print(json.dumps({"wall_s": round(wall, 2), "peak_mb": round(peak_mb), "pairs": len(pairs),
                      "documents": len(ids), "truth_pairs": len(truth)}))


if __name__ == "__main__":
    main()
