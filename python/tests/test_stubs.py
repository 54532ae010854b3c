"""The type stubs ship with the package and give the calls' real defaults."""

import ast
from pathlib import Path

import wiretrace


def test_stubs_ship_and_match_the_defaults():
    folder = Path(wiretrace.__file__).parent
    assert (folder / "py.typed").exists()
    tree = ast.parse((folder / "__init__.pyi").read_text(encoding="utf-8"))
    calls = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    for name in ("dups", "passages", "lineage"):
        args = calls[name].args
        defaults = {a.arg: ast.literal_eval(d) for a, d in zip(args.kwonlyargs, args.kw_defaults)}
        defaults.pop("progress")
        expected = {k: v for k, v in wiretrace.DEFAULTS.items() if k in defaults}
        assert defaults == expected, name
        assert set(defaults) == set(wiretrace._options({}, list(defaults), name)), name
    assert set(calls) >= {"dups", "passages", "lineage", "audit", "dedup"}
