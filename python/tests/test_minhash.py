"""MinHasher: the signature dups uses, as NumPy arrays."""

import json

import numpy as np
import pytest

import wiretrace

from conftest import SAMPLE, rows


def test_signatures_estimate_what_dups_estimates(cli):
    out = json.loads(cli("dups", SAMPLE, "--format", "json"))
    text = {r["id"]: r["text"] for r in rows(SAMPLE)}
    hasher = wiretrace.MinHasher()
    assert out["pairs"]
    for pair in out["pairs"]:
        a, b = hasher.signature(text[pair["a"]]), hasher.signature(text[pair["b"]])
        assert a.dtype == np.uint32 and a.shape == (128,)
        assert wiretrace.MinHasher.jaccard(a, b) == pytest.approx(pair["estimated"], abs=1e-6)


def test_parameters_and_errors():
    h = wiretrace.MinHasher(num_perm=64, seed=7, shingle="chars:5")
    sig = h.signature("The same text")
    assert sig.shape == (64,)
    assert (h.signature("The same text") == sig).all()
    assert not (wiretrace.MinHasher(num_perm=64, seed=8, shingle="chars:5")
                .signature("The same text") == sig).all()
    assert repr(h) == "MinHasher(num_perm=64, seed=7, shingle='chars:5')"
    with pytest.raises(wiretrace.ConfigError):
        wiretrace.MinHasher(num_perm=0)
    with pytest.raises(wiretrace.ConfigError):
        wiretrace.MinHasher.jaccard(sig, sig[:10])
