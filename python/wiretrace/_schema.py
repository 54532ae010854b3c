"""Arrow schemas of the result tables: the CLI's JSON records, column for column.

Each table is the list of records of one key of the CLI's ``--format json`` output (the
README gives the schemas), so a column is named as the JSON key. ``tests/test_tables.py``
checks on real corpora that every key of every record has a column here, so the tables
cannot fall behind the library's output.
"""

import pyarrow as pa

# One shared span, as every output writes it: offsets and words in the first (``a``) and
# second (``b``) document of the record holding it (A and B of a pair, parent and child of
# an edge, the queried article and the stored match).
_SPAN_FIELDS = [
    ("a_start", pa.int64()),
    ("a_end", pa.int64()),
    ("b_start", pa.int64()),
    ("b_end", pa.int64()),
    ("a_words", pa.int64()),
    ("b_words", pa.int64()),
    ("similarity", pa.float64()),
]
_span = pa.struct(_SPAN_FIELDS)

PAIRS = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("jaccard", pa.float64()),
        ("estimated", pa.float64()),
        ("containment", pa.float64()),
        ("shared_shingles", pa.int64()),
    ]
)

FAMILIES = pa.schema(
    [
        ("family", pa.int64()),
        ("size", pa.int64()),
        ("representative", pa.string()),
        ("members", pa.list_(pa.string())),
    ]
)

SKIPPED = pa.schema(
    [
        ("path", pa.string()),
        ("line", pa.int64()),
        ("id", pa.string()),
        ("kind", pa.string()),
        ("reason", pa.string()),
    ]
)

WARNINGS = pa.schema(
    [
        ("path", pa.string()),
        ("line", pa.int64()),
        ("message", pa.string()),
    ]
)

NODES = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("family", pa.int64()),
        ("inferred", pa.bool_()),
        ("date_is_upper_bound", pa.bool_()),
        ("evidence", pa.string()),
        ("inferred_from", pa.list_(pa.string())),
        ("text", pa.string()),
    ]
)

EDGES = pa.schema(
    [
        ("parent", pa.string()),
        ("child", pa.string()),
        ("kind", pa.string()),
        ("similarity", pa.float64()),
        ("containment", pa.float64()),
        ("parent_coverage", pa.float64()),
        ("time_lag_seconds", pa.int64()),
        ("reason", pa.string()),
        ("directed", pa.bool_()),
        ("direction", pa.string()),
        ("method", pa.string()),
        ("spans", pa.list_(_span)),
    ]
)

LINEAGE_FAMILIES = pa.schema(
    [
        ("family", pa.int64()),
        ("size", pa.int64()),
        ("roots", pa.list_(pa.string())),
        ("members", pa.list_(pa.string())),
    ]
)

BOILERPLATE = pa.schema(
    [
        ("text", pa.string()),
        ("documents", pa.int64()),
        ("examples", pa.list_(pa.string())),
        ("rule", pa.string()),
    ]
)

FRAMES = pa.schema(
    [
        ("frame", pa.int64()),
        ("text", pa.string()),
        ("stories", pa.int64()),
        ("documents", pa.int64()),
        ("passages", pa.int64()),
        ("examples", pa.list_(pa.string())),
    ]
)

# One row per passage: the pair's fields, then the passage's ("method" is the passage's
# own when it has one, "paraphrase", else the pair's; a template's reason and frame are
# "template_reason" and "frame").
PASSAGES = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("jaccard", pa.float64()),
        ("a_shingles", pa.int64()),
        ("b_shingles", pa.int64()),
        ("shared_shingles", pa.int64()),
        ("kind", pa.string()),
        ("method", pa.string()),
        *_SPAN_FIELDS,
        ("template_reason", pa.string()),
        ("frame", pa.int64()),
        ("a_text", pa.string()),
        ("b_text", pa.string()),
    ]
)

# Pair-level fields of a passages record (the rest of PASSAGES is the passage's own).
PAIR_FIELDS = ("a", "b", "jaccard", "a_shingles", "b_shingles", "shared_shingles")

DROPPED = pa.schema(
    [
        ("dropped", pa.string()),
        ("kept", pa.string()),
        ("family", pa.int64()),
    ]
)

MATCHES = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("role", pa.string()),
        ("reason", pa.string()),
        ("jaccard", pa.float64()),
        ("containment", pa.float64()),
        ("shared_kgrams", pa.int64()),
        ("method", pa.string()),
        (
            "passages",
            pa.list_(
                pa.struct(_SPAN_FIELDS + [("text", pa.string())])
            ),
        ),
    ]
)


def table(records, schema):
    """The records (dicts) as a table of ``schema``; keys the schema lacks are an error."""
    records = list(records)
    names = set(schema.names)
    for record in records:
        extra = set(record) - names
        if extra:
            raise ValueError(f"result fields without a column: {sorted(extra)}")
    return pa.Table.from_pylist(records, schema=schema)
