"""wiretrace: near-duplicate and republished text in a corpus of articles, and where each
copy came from.

The Python face of the wiretrace library (the same code as the ``wiretrace`` command line,
with the same parameters, defaults and answers)::

    import pandas as pd, wiretrace
    df = pd.read_json("news.jsonl", lines=True)
    reposts = wiretrace.dups(df)                 # near-duplicate pairs and families
    reposts.pairs.to_pandas()
    graph = wiretrace.lineage(df)                # who copied whom, with evidence
    graph.edges.to_pandas(); graph.to_networkx()

Documents can be given as an iterable of dicts (``id``, ``text``, optional ``source``,
``date``, ``title``, ``url``; other names with ``id_field=`` …), a pandas DataFrame, a
pyarrow Table, RecordBatch or RecordBatchReader, or paths (JSON Lines files, folders of
``.txt``/``.md`` files, Parquet files). A bad record is skipped and reported in
``result.skipped`` (with its row and reason) as the CLI reports it, never raised; errors
that stop a run raise :class:`WiretraceError` subclasses with the CLI's messages.

Every call releases the interpreter while the library works, on ``threads`` worker
threads (default: one per core); results do not depend on the number of threads.
"""

import functools
import os
import sys

from . import _schema
from ._wiretrace import (
    ConfigError,
    IndexFileError,
    InputError,
    MemoryLimitError,
    OutputError,
    WiretraceError,
    __version__,
)
from . import _wiretrace as _native

__all__ = [
    "dups",
    "passages",
    "lineage",
    "audit",
    "dedup",
    "Index",
    "MinHasher",
    "DupsResult",
    "PassagesResult",
    "LineageResult",
    "AuditResult",
    "DedupResult",
    "WiretraceError",
    "ConfigError",
    "InputError",
    "OutputError",
    "IndexFileError",
    "MemoryLimitError",
    "__version__",
]

#: Default of ``max_doc_bytes``: records larger than this are skipped (64 MiB).
DEFAULT_MAX_DOC_BYTES = 64 << 20

#: Rows per batch when a DataFrame or Arrow table is read.
_BATCH_ROWS = 65536


# ---------------------------------------------------------------------------------------
# Reading documents


def _is_path(x):
    return isinstance(x, (str, os.PathLike))


def _is_parquet(path):
    return str(path).lower().endswith(".parquet")


def _arrow_batches(batches, origin, names):
    """(origin, first_row, rows, columns) for each Arrow record batch."""
    row = 1
    for batch in batches:
        present = [n for n in names if n in batch.schema.names]
        columns = {n: batch.column(n).to_pylist() for n in present}
        yield (origin, row, batch.num_rows, columns)
        row += batch.num_rows


def _frame_batches(df, names):
    """(origin, first_row, rows, columns) for a pandas DataFrame, in slices of rows."""
    present = [n for n in names if n in df.columns]
    for start in range(0, len(df), _BATCH_ROWS):
        part = df.iloc[start : start + _BATCH_ROWS]
        yield ("<DataFrame>", start + 1, len(part), {n: part[n].tolist() for n in present})


def _kind(docs):
    """How ``docs`` is read: "paths", "parquet", "frame", "arrow" or "rows"."""
    if _is_path(docs):
        docs = [docs]
    if isinstance(docs, (list, tuple)) and docs and all(_is_path(d) for d in docs):
        parquet = [_is_parquet(d) for d in docs]
        if any(parquet) and not all(parquet):
            raise ConfigError(
                "invalid parameter: give Parquet files on their own, not mixed with "
                "other inputs"
            )
        return ("parquet" if all(parquet) else "paths"), [os.fspath(d) for d in docs]
    module = type(docs).__module__ or ""
    if module.startswith("pandas") and hasattr(docs, "iloc"):
        return "frame", docs
    if module.startswith("pyarrow"):
        return "arrow", docs
    if hasattr(docs, "__arrow_c_stream__"):
        return "arrow", docs
    if isinstance(docs, dict):
        raise ConfigError(
            "invalid parameter: docs is one dict; give an iterable of dicts (one per "
            "document), a DataFrame, an Arrow table or paths"
        )
    if isinstance(docs, (str, bytes)) or not hasattr(docs, "__iter__"):
        raise ConfigError(
            f"invalid parameter: cannot read documents from {type(docs).__name__}"
        )
    return "rows", docs


def _arrow_source(docs):
    import pyarrow as pa

    if isinstance(docs, pa.Table):
        return docs.to_batches(max_chunksize=_BATCH_ROWS)
    if isinstance(docs, pa.RecordBatch):
        return [docs]
    if isinstance(docs, pa.RecordBatchReader):
        return docs
    if hasattr(docs, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(docs)
    raise ConfigError(
        f"invalid parameter: cannot read documents from {type(docs).__name__} (give a "
        "Table, RecordBatch or RecordBatchReader)"
    )


def _parquet_batches(paths, names):
    import pyarrow.parquet as pq

    for path in paths:
        try:
            file = pq.ParquetFile(path)
        except (OSError, ValueError) as e:
            raise InputError(f"cannot read input '{path}': {e}") from e
        present = [n for n in names if n in file.schema_arrow.names]
        yield from _arrow_batches(
            file.iter_batches(batch_size=_BATCH_ROWS, columns=present), path, names
        )


def _python_source(kind, source, fields):
    """(iterable, batches?, origin) for the native reader: rows as given, or column
    batches of a DataFrame, Arrow data or Parquet files."""
    if kind == "parquet":
        return _parquet_batches(source, fields), True, "<parquet>"
    if kind == "frame":
        return _frame_batches(source, fields), True, "<DataFrame>"
    if kind == "arrow":
        return _arrow_batches(_arrow_source(source), "<arrow>", fields), True, "<arrow>"
    return source, False, "<rows>"


def _corpus(docs, fields, input_format, max_doc_bytes, keep_raw=False):
    """A native corpus of ``docs`` read under the CLI's rules (``keep_raw``: JSON lines
    kept as read, for ``dedup`` to write back unchanged)."""
    kind, source = _kind(docs)
    if kind == "paths":
        return _native.read_paths(source, input_format, fields, max_doc_bytes, keep_raw)
    iterable, batches, origin = _python_source(kind, source, fields)
    return _native.read_python(iterable, batches, fields, max_doc_bytes, origin)


def _fields(o):
    return (
        o["id_field"],
        o["text_field"],
        o["source_field"],
        o["date_field"],
        o["title_field"],
        o["url_field"],
    )


def _progress(progress):
    """A callable ``(stage, count, bytes)`` for ``progress=``: a function as given, True
    for a tqdm bar (or lines on stderr without tqdm), None/False for nothing."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    try:
        from tqdm.auto import tqdm
    except ImportError:

        def report(stage, count, size):
            print(f"wiretrace: {stage} {count}", file=sys.stderr)

        return report
    bar = tqdm(unit=" docs", desc="wiretrace")

    def update(stage, count, size):
        bar.set_description(f"wiretrace: {stage}")
        if stage == "signing" and count > bar.n:
            bar.update(count - bar.n)
        if stage == "done":
            bar.close()

    return update


# ---------------------------------------------------------------------------------------
# Parameters (named and defaulted as the CLI's options; ``wiretrace dups --help``)

_READ = dict(
    id_field="id",
    text_field="text",
    source_field="source",
    date_field="date",
    title_field="title",
    url_field="url",
    input_format="auto",
    max_doc_bytes=DEFAULT_MAX_DOC_BYTES,
)
_DUPS = dict(
    threshold=0.8,
    shingle="words:5",
    num_perm=128,
    seed=42,
    bands=None,
    rows=None,
    max_bucket=1000,
)
_PASSAGE = dict(
    min_words=20,
    max_gap=30,
    passage_k=5,
    max_df=100,
    boilerplate_min_docs=10,
    paraphrase=True,
    paraphrase_window=2,
    summaries=False,
)
#: Where a run puts what it does not hold in memory: the shingle sets of ``dups`` past
#: 512 MiB, the k-gram counts of the passage level past 128 MiB (None: the system's
#: temporary folder). The files are gone when the call returns, however it ends.
_SPILL = dict(temp_dir=None)
#: Every parameter a call takes, with its default.
DEFAULTS = {**_READ, **_DUPS, **_PASSAGE, **_SPILL, "threads": None}


def _options(given, allowed, call):
    unknown = set(given) - set(allowed) - {"threads", "progress"}
    if unknown:
        raise TypeError(f"{call}() got unexpected keyword arguments: {sorted(unknown)}")
    options = {k: DEFAULTS[k] for k in allowed}
    options["threads"] = None
    options.update({k: v for k, v in given.items() if k != "progress"})
    if options.get("temp_dir") is not None:
        options["temp_dir"] = os.fspath(options["temp_dir"])
    return options


# ---------------------------------------------------------------------------------------
# Results


class _Result:
    """Common parts: the native result and the JSON value it answers with."""

    _value_method = "value"

    def __init__(self, native):
        self._native = native

    @functools.cached_property
    def _value(self):
        return getattr(self._native, self._value_method)()

    @property
    def stats(self):
        """The run's counts, as in the CLI's JSON ``stats``."""
        return self._value.get("stats", {})

    @property
    def params(self):
        """The parameters used, as in the CLI's JSON ``params``."""
        return self._value["params"]

    def _table(self, key, schema):
        return _schema.table(self._value.get(key, []), schema)

    def __repr__(self):
        counts = ", ".join(f"{k}={v}" for k, v in self.stats.items() if isinstance(v, int))
        return f"<{type(self).__name__} {counts}>"


class DupsResult(_Result):
    """Near-duplicate pairs (exact Jaccard ≥ threshold) and their families."""

    @functools.cached_property
    def pairs(self):
        """Table: a, b, jaccard, estimated, containment, shared_shingles (each pair as the
        run's sink took it when verified)."""
        return _schema.table(self._native.pairs(), _schema.PAIRS)

    @functools.cached_property
    def families(self):
        """Table: family, size, representative (the one to keep), members."""
        return self._table("families", _schema.FAMILIES)

    @functools.cached_property
    def skipped(self):
        """Table of records not used: path (or ``<rows>``, ``<DataFrame>``), line (row),
        id, kind, reason."""
        return self._table("skipped", _schema.SKIPPED)

    @functools.cached_property
    def warnings(self):
        """Table of kept records with something odd about them (an unparseable date …)."""
        return self._table("warnings", _schema.WARNINGS)

    def to_json(self):
        """The CLI's ``dups --format json`` output."""
        return self._native.json()

    def to_jsonl(self):
        """The CLI's ``dups --format jsonl`` output."""
        return self._native.jsonl()

    def to_text(self):
        """The CLI's ``dups --format table`` output."""
        return self._native.table()


class _TraceResult(_Result):
    @functools.cached_property
    def _dups(self):
        return self._native.dups_value()

    @functools.cached_property
    def skipped(self):
        """Table of records not used (see :attr:`DupsResult.skipped`)."""
        return _schema.table(self._dups["skipped"], _schema.SKIPPED)

    @functools.cached_property
    def warnings(self):
        """Table of kept records with something odd about them."""
        return _schema.table(self._dups["warnings"], _schema.WARNINGS)

    @functools.cached_property
    def boilerplate(self):
        """Table: text, documents, examples, rule — site chrome masked before matching."""
        return self._table("boilerplate", _schema.BOILERPLATE)


def _passage_rows(pairs):
    for pair in pairs:
        base = {k: pair[k] for k in _schema.PAIR_FIELDS}
        for p in pair["passages"]:
            row = dict(base)
            row.update(p)
            row.setdefault("method", pair["method"])
            template = row.pop("template", None)
            if template is not None:
                row["template_reason"] = template["reason"]
                row["frame"] = template["frame"]
            yield row


class PassagesResult(_TraceResult):
    """Passages shared by pairs of documents, with character offsets in both texts."""

    _value_method = "passages_value"

    @functools.cached_property
    def passages(self):
        """Table, one row per passage: the pair (a, b, jaccard, shingle counts), kind
        (reuse, template, quote), method, character offsets ``a_start``…``b_end`` (into
        the texts as given), words, similarity, template_reason, frame, and the first 300
        characters of each side."""
        return _schema.table(_passage_rows(self._value["pairs"]), _schema.PASSAGES)

    @functools.cached_property
    def frames(self):
        """Table of template frames: one wording shared by different stories."""
        return self._table("frames", _schema.FRAMES)

    def to_json(self):
        """The CLI's ``passages --format json`` output."""
        return self._native.passages_json()

    def to_text(self):
        """The CLI's ``passages --format table`` output."""
        return self._native.passages_table()


class LineageResult(_TraceResult):
    """The lineage graph: parent → child edges with their evidence, and story families."""

    _value_method = "lineage_value"

    @functools.cached_property
    def nodes(self):
        """Table: id, source, date, title, url, family; inferred sources also carry
        inferred, date_is_upper_bound, evidence, inferred_from and text."""
        return self._table("nodes", _schema.NODES)

    @functools.cached_property
    def edges(self):
        """Table: parent, child, kind, similarity, containment, parent_coverage,
        time_lag_seconds, reason, directed, direction, method, spans (offsets in both)."""
        return self._table("edges", _schema.EDGES)

    @functools.cached_property
    def families(self):
        """Table: family, size, roots, members."""
        return self._table("families", _schema.LINEAGE_FAMILIES)

    @functools.cached_property
    def passages(self):
        """The passages behind the edges (see :attr:`PassagesResult.passages`)."""
        pairs = self._native.passages_value()["pairs"]
        return _schema.table(_passage_rows(pairs), _schema.PASSAGES)

    def to_json(self):
        """The CLI's ``lineage --format json`` output."""
        return self._native.lineage_json()

    def to_dot(self):
        """The CLI's ``lineage --format dot`` output (Graphviz)."""
        return self._native.dot()

    def to_graphml(self):
        """The CLI's ``lineage --format graphml`` output (Gephi, Cytoscape, networkx)."""
        return self._native.graphml()

    def report_html(self, path, overwrite=False):
        """Writes the CLI's ``report`` page (self-contained HTML) to ``path``, atomically;
        an existing file is replaced only with ``overwrite=True``."""
        self._native.write_html(os.fspath(path), overwrite)

    def to_networkx(self):
        """A ``networkx.DiGraph``: nodes with their attributes, parent → child edges with
        their evidence (``spans`` as a list of dicts). Needs networkx."""
        try:
            import networkx as nx
        except ImportError as e:
            raise ImportError("to_networkx() needs networkx: pip install networkx") from e
        graph = nx.DiGraph()
        for node in self._value["nodes"]:
            attrs = {k: v for k, v in node.items() if k != "id" and v is not None}
            graph.add_node(node["id"], **attrs)
        for edge in self._value["edges"]:
            attrs = {k: v for k, v in edge.items() if k not in ("parent", "child")}
            graph.add_edge(edge["parent"], edge["child"], **attrs)
        return graph


class AuditResult(_Result):
    """Corpus quality: duplicate rates, story families, syndicating sources, boilerplate,
    templates, missing dates and sources."""

    _value_method = "audit_value"

    @property
    def audit(self):
        """The summary, as in the CLI's ``audit --format json`` ``audit`` object."""
        return self._value["audit"]

    @property
    def stats(self):
        return self.audit

    def to_json(self):
        """The CLI's ``audit --format json`` output."""
        return self._native.audit_json()

    def to_text(self):
        """The CLI's ``audit --format table`` output."""
        return self._native.audit_table()


class DedupResult(_TraceResult):
    """What a deduplicated corpus keeps: one document per near-duplicate family."""

    _value_method = "dups_value"

    def __init__(self, native, keep):
        super().__init__(native)
        self._keep = keep

    @functools.cached_property
    def _plan(self):
        return self._native.dedup_plan(self._keep)

    @property
    def kept(self):
        """Ids of the documents kept, in input order."""
        return self._plan["kept"]

    @functools.cached_property
    def dropped(self):
        """Table: dropped, kept (the id kept in its place), family."""
        return _schema.table(self._plan["dropped"], _schema.DROPPED)

    @functools.cached_property
    def id_map(self):
        """``{dropped id: kept id}``."""
        return {d["dropped"]: d["kept"] for d in self._plan["dropped"]}

    def write(self, output, dropped=None, overwrite=False):
        """Writes the kept records (JSON Lines) to ``output`` and the dropped and skipped
        ones to ``dropped`` (default ``output + ".dropped.jsonl"``), as ``wiretrace dedup``
        does; both appear together or not at all. Records read from JSON Lines files are
        written exactly as read; others as ``id``, ``text`` and the optional fields.
        Existing files are replaced only with ``overwrite=True``. Returns the summary."""
        output = os.fspath(output)
        dropped = os.fspath(dropped) if dropped is not None else output + ".dropped.jsonl"
        return self._native.write_dedup(self._keep, output, dropped, overwrite)


# ---------------------------------------------------------------------------------------
# Calls


def _run_trace(docs, given, call):
    options = _options(given, list(_READ) + list(_DUPS) + list(_PASSAGE) + list(_SPILL), call)
    report = _progress(given.get("progress"))
    corpus = _corpus(
        docs,
        _fields(options),
        options["input_format"],
        options["max_doc_bytes"],
        keep_raw=call == "dedup",
    )
    if report:
        report("read", len(corpus), 0)
    traced = _native.run_trace(corpus, options)
    if report:
        report("done", 0, 0)
    return traced


def dups(docs, **options):
    """Near-duplicate documents: pairs whose shingle sets have exact Jaccard ≥ threshold,
    found by MinHash/LSH and verified, grouped into families (``wiretrace dups``).

    Parameters (as the CLI's, with its defaults): threshold=0.8, shingle="words:5"
    (``words:K`` or ``chars:N``), num_perm=128, seed=42, bands/rows (default: chosen from
    the threshold), max_bucket=1000; reading: id_field="id", text_field="text",
    source_field, date_field, title_field, url_field, input_format="auto" (paths only),
    max_doc_bytes=64 MiB; threads=None (one per core); temp_dir=None (the folder for the
    temporary file that holds shingle sets past 512 MiB, ``--temp-dir``; default the
    system's); progress=None (a function ``(stage, count, bytes)``, or True for a tqdm
    bar). Every input is streamed as the CLI streams files: each text is signed and
    dropped, so the run holds no texts.
    """
    opts = _options(options, list(_READ) + list(_DUPS) + list(_SPILL), "dups")
    report = _progress(options.get("progress"))
    kind, source = _kind(docs)
    fields = _fields(opts)
    if kind == "paths":
        native = _native.run_dups_paths(
            source, opts["input_format"], fields, opts["max_doc_bytes"], opts, report
        )
    else:
        iterable, batches, origin = _python_source(kind, source, fields)
        native = _native.run_dups_stream(
            iterable, batches, fields, opts["max_doc_bytes"], origin, opts, report
        )
    if report:
        report("done", 0, 0)
    return DupsResult(native)


def passages(docs, **options):
    """Passages shared between documents, with character offsets in both texts, verbatim
    and rewritten (``wiretrace passages``). Takes the parameters of :func:`dups` and
    min_words=20, max_gap=30, passage_k=5, max_df=100, boilerplate_min_docs=10,
    paraphrase=True, paraphrase_window=2 (days; 0: any), summaries=False (also a paragraph
    condensing a whole story inside a longer text; needs paraphrase); temp_dir also holds
    the k-gram counts past 128 MiB."""
    return PassagesResult(_run_trace(docs, options, "passages"))


def lineage(docs, **options):
    """The lineage graph: which document copied which, with the evidence for each edge
    (``wiretrace lineage``). Takes the parameters of :func:`passages`."""
    return LineageResult(_run_trace(docs, options, "lineage"))


def audit(docs, **options):
    """Corpus quality summary (``wiretrace audit``). Takes the parameters of
    :func:`passages`."""
    return AuditResult(_run_trace(docs, options, "audit"))


def dedup(docs, keep="earliest", **options):
    """Which documents to keep, one per near-duplicate family (``wiretrace dedup``):
    keep="earliest" (dated first, then input order), "longest" or "most-cited" (from the
    outlet most often a parent in the lineage). Takes the parameters of :func:`passages`.
    """
    if keep not in ("earliest", "longest", "most-cited"):
        raise ConfigError(
            f"invalid parameter: keep '{keep}': give earliest, longest or most-cited"
        )
    return DedupResult(_run_trace(docs, options, "dedup"), keep)


# ---------------------------------------------------------------------------------------
# The index

# Parameters an index fixes at build time (its manifest's names).
_FIXED = (
    "shingle",
    "num_perm",
    "seed",
    "threshold",
    "bands",
    "rows",
    "max_bucket",
    "passage_k",
    "max_df",
    "min_words",
    "max_gap",
    "boilerplate_min_docs",
)


class Index:
    """A persistent index of articles (``wiretrace index``): add batches as they are
    crawled, ask where a new article came from. Adds are atomic, one writer at a time,
    and the matching parameters are fixed when the index is built."""

    def __init__(self, native, report=None):
        self._native = native
        #: The report of the last build or add (the CLI's ``--report`` JSON).
        self.last_report = report

    @classmethod
    def build(cls, path, docs, **options):
        """Creates an index in ``path`` (a new or empty folder) from ``docs``, with the
        parameters of :func:`passages` (fixed from then on)."""
        opts = _options(options, list(_READ) + list(_DUPS) + list(_PASSAGE), "build")
        corpus = _corpus(docs, _fields(opts), opts["input_format"], opts["max_doc_bytes"])
        native, report = _native.NativeIndex.build(os.fspath(path), corpus, opts)
        return cls(native, report)

    @classmethod
    def open(cls, path):
        """Opens the index in ``path``."""
        return cls(_native.NativeIndex.open(os.fspath(path)))

    def add(self, docs, replace=False, **options):
        """Adds ``docs``; ids already in the index are skipped (reported) unless
        ``replace``. A matching parameter given here must equal the index's. Returns the
        report (``added``, ``skipped``, ``pairs`` …)."""
        opts = _options(options, list(_READ) + list(_DUPS) + list(_PASSAGE), "add")
        given = [k for k in options if k in _FIXED]
        corpus = _corpus(docs, _fields(opts), opts["input_format"], opts["max_doc_bytes"])
        self.last_report = self._native.add(corpus, replace, opts, given)
        return self.last_report

    def query(self, text_or_doc, date=None, source=None, limit=20):
        """The stored documents that share text with an article (a text, or a dict with
        ``text`` and optional ``id``, ``date``, ``source``): a table of matches, most of
        the article explained first — id, source, date, title, url, role (source, copy),
        reason, jaccard, containment, shared_kgrams, method, passages."""
        if isinstance(text_or_doc, dict):
            doc = text_or_doc
            text = doc["text"]
            article = str(doc.get("id", "<article>"))
            date = date if date is not None else doc.get("date")
            source = source if source is not None else doc.get("source")
        else:
            text, article = text_or_doc, "<article>"
        if not isinstance(text, str):
            raise ConfigError("invalid parameter: the article's text must be a string")
        value = self._native.query(text, article, date, source, limit)
        return _schema.table(value["matches"], _schema.MATCHES)

    def __len__(self):
        return len(self._native)

    @property
    def params(self):
        """The fixed parameters, as stored."""
        return self._native.params()

    @property
    def path(self):
        return self._native.path


# ---------------------------------------------------------------------------------------
# MinHash


class MinHasher:
    """The MinHash signature ``dups`` computes, for single texts (one-permutation hashing
    with optimal densification over the shingles). For people coming from datasketch:
    the values are *not* interchangeable with datasketch's (other shingles, hashes and
    scheme); compare wiretrace signatures with each other only."""

    def __init__(self, num_perm=128, seed=42, shingle="words:5"):
        self._native = _native.MinHasher(num_perm, seed, shingle)

    def signature(self, text):
        """The signature of ``text``: a NumPy ``uint32`` array of ``num_perm`` values."""
        import numpy as np

        return np.frombuffer(self._native.signature_bytes(text), dtype="<u4").copy()

    @staticmethod
    def jaccard(a, b):
        """Estimated Jaccard similarity of two signatures: the share of equal values."""
        return _native.MinHasher.estimate([int(x) for x in a], [int(x) for x in b])

    @property
    def num_perm(self):
        return self._native.num_perm

    @property
    def seed(self):
        return self._native.seed

    @property
    def shingle(self):
        return self._native.shingle

    def __repr__(self):
        return f"MinHasher(num_perm={self.num_perm}, seed={self.seed}, shingle={self.shingle!r})"
