//! JSON and JSON Lines output of `dups`; the schema is documented in README.md.
//!
//! `json` is one object (params, stats, pairs, families, skipped, warnings). `jsonl` writes
//! one record per line, each with a `type` — `params`, `pair`, `family`, `skipped`,
//! `warning`, and a closing `stats` — so large results can be streamed and filtered with
//! line tools.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::{DupsView, LineageView, round6, snippet};
use crate::corpus::{Document, Skip, Warning};
use crate::dups::{DupsConfig, Flow, PairSink};
use crate::families::Family;
use crate::formula::TemplateReason;
use crate::lineage::{EdgeSpan, LineageEdge, PairEvidence};
use crate::lsh::LshParams;
use crate::passage::SharedSpan;
use crate::trace::{PassageSink, TraceConfig};
use crate::verify::VerifiedPair;

/// One shared span as every output writes it (`passages`, `lineage`, `index query`, the
/// engines' `lineage` stage table): character offsets `[start, end)` and word counts in the
/// two documents that the object holding the span names first (`a`) and second (`b`) — A
/// and B of a pair, the parent and the child of an edge, the queried article and the
/// stored match — and the share of the passage matched word for word.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpanRecord {
    pub a_start: usize,
    pub a_end: usize,
    pub b_start: usize,
    pub b_end: usize,
    pub a_words: usize,
    pub b_words: usize,
    /// Rounded to six decimals.
    pub similarity: f64,
}

impl SpanRecord {
    /// The span as a JSON object, to which a caller adds its own keys (kind, text).
    pub fn to_value(self) -> Value {
        serde_json::to_value(self).expect("a span serialises")
    }
}

impl From<&SharedSpan> for SpanRecord {
    /// A pair's span: `a` is A, `b` is B.
    fn from(s: &SharedSpan) -> Self {
        SpanRecord {
            a_start: s.a_chars.0,
            a_end: s.a_chars.1,
            b_start: s.b_chars.0,
            b_end: s.b_chars.1,
            a_words: s.a_words,
            b_words: s.b_words,
            similarity: round6(s.similarity),
        }
    }
}

impl From<&EdgeSpan> for SpanRecord {
    /// An edge's span: `a` is the parent, `b` the child.
    fn from(s: &EdgeSpan) -> Self {
        SpanRecord {
            a_start: s.parent_chars.0,
            a_end: s.parent_chars.1,
            b_start: s.child_chars.0,
            b_end: s.child_chars.1,
            a_words: s.parent_words,
            b_words: s.child_words,
            similarity: round6(s.similarity),
        }
    }
}

/// The `params` object.
pub fn params(view: &DupsView) -> Value {
    params_of(view.config, view.report.lsh)
}

/// The `params` object of a run with `config` and its resolved LSH bands (known before
/// the run starts).
pub fn params_of(c: &DupsConfig, lsh: LshParams) -> Value {
    json!({
        "shingle": c.scheme.to_string(),
        "num_perm": c.num_perm,
        "seed": c.seed,
        "threshold": c.threshold,
        "bands": lsh.bands,
        "rows": lsh.rows,
        "long_bands": lsh.long_bands,
        "candidate_probability_at_threshold": round6(lsh.candidate_probability(c.threshold)),
        "max_bucket": c.max_bucket,
    })
}

/// The `stats` object.
pub fn stats(view: &DupsView) -> Value {
    let r = view.report;
    json!({
        "records_read": view.corpus.records_read(),
        "documents": r.documents,
        "skipped": view.skipped_count(),
        "skipped_by_reason": view.skipped_by_kind(),
        "warnings": view.corpus.warnings.len(),
        "ignored_files": view.corpus.ignored_files,
        "candidates": r.candidates,
        "pairs": r.pairs.len(),
        "families": r.families.len(),
        "documents_in_families": r.families.iter().map(|f| f.members.len()).sum::<usize>(),
        "redundant_documents": view.redundant_documents(),
        "oversized_buckets": r.oversized_buckets,
        "largest_bucket": r.largest_bucket,
        "collapsed_groups": r.collapsed_groups,
    })
}

#[derive(Serialize)]
struct PairRecord<'a> {
    a: &'a str,
    b: &'a str,
    jaccard: f64,
    estimated: f64,
    containment: f64,
    shared_shingles: usize,
}

fn pair(view: &DupsView, p: &VerifiedPair) -> Value {
    pair_record(&view.corpus.documents, p)
}

/// One pair's record (`pairs` in JSON, a `pair` line in JSON Lines); indices into `docs`.
pub fn pair_record(docs: &[Document], p: &VerifiedPair) -> Value {
    json!(PairRecord {
        a: &docs[p.a as usize].id,
        b: &docs[p.b as usize].id,
        jaccard: round6(p.similarity.jaccard),
        estimated: round6(p.estimated),
        containment: round6(p.similarity.containment),
        shared_shingles: p.similarity.intersection,
    })
}

fn family(view: &DupsView, index: usize, f: &Family) -> Value {
    json!({
        "family": index,
        "size": f.members.len(),
        "representative": view.id(f.representative),
        "members": f.members.iter().map(|&m| view.id(m)).collect::<Vec<_>>(),
    })
}

/// One skipped record.
pub fn skipped(s: &Skip) -> Value {
    json!({
        "path": s.origin.path,
        "line": s.origin.line,
        "id": s.id,
        "kind": s.reason.kind(),
        "reason": s.reason.to_string(),
    })
}

fn warning(w: &Warning) -> Value {
    json!({ "path": w.origin.path, "line": w.origin.line, "message": w.message })
}

/// The envelope every JSON output starts with — the tool, its version and the command —
/// followed by the command's own fields in their order.
pub fn envelope(command: &str, fields: Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("tool".into(), "wiretrace".into());
    out.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    out.insert("command".into(), command.into());
    if let Value::Object(rest) = fields {
        out.extend(rest);
    }
    Value::Object(out)
}

/// The whole result as one JSON document, as one value (the Python package's);
/// [`write_json`] writes the same document.
pub fn to_json(view: &DupsView) -> Value {
    serde_json::to_value(DupsDocument(view)).expect("a dups document is valid JSON")
}

/// Writes [`to_json`], pretty-printed, as it is made: the pairs, families, skips and
/// warnings one at a time, never the whole document as one value.
pub fn write_json(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    write_value(&DupsDocument(view), out)
}

/// The `dups` JSON document, in [`envelope`]'s order.
struct DupsDocument<'a, 'v>(&'a DupsView<'v>);

impl Serialize for DupsDocument<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let view = self.0;
        let r = view.report;
        let mut m = start_document(s, "dups")?;
        m.serialize_entry("params", &params(view))?;
        m.serialize_entry("stats", &stats(view))?;
        m.serialize_entry("pairs", &Streamed(|| r.pairs.iter().map(|p| pair(view, p))))?;
        let families = || {
            r.families
                .iter()
                .enumerate()
                .map(|(i, f)| family(view, i, f))
        };
        m.serialize_entry("families", &Streamed(families))?;
        m.serialize_entry("skipped", &Streamed(|| view.skipped().map(skipped)))?;
        let warnings = || view.corpus.warnings.iter().map(warning);
        m.serialize_entry("warnings", &Streamed(warnings))?;
        m.end()
    }
}

/// `value` with `"type": kind` as its first field.
fn typed(kind: &str, value: Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("type".into(), Value::String(kind.into()));
    if let Value::Object(fields) = value {
        map.extend(fields);
    }
    Value::Object(map)
}

fn line(out: &mut dyn Write, v: Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &v)?;
    writeln!(out)
}

/// Writes one typed record per line.
pub fn write_jsonl(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    line(out, typed("params", params(view)))?;
    for p in &view.report.pairs {
        line(out, typed("pair", pair(view, p)))?;
    }
    write_jsonl_tail(view, out)
}

/// Typed JSON Lines written while a run goes: what the two streaming outputs share. A
/// failed write (a full disk, a reader gone from the pipe) is kept and answers
/// [`Flow::Stop`], so the run ends; [`finish`](Self::finish) returns the error.
struct StreamedLines<'w> {
    out: &'w mut dyn Write,
    failed: Option<io::Error>,
}

impl<'w> StreamedLines<'w> {
    /// Starts the output with its `params` line.
    fn start(out: &'w mut dyn Write, params: Value) -> io::Result<Self> {
        line(out, typed("params", params))?;
        Ok(StreamedLines { out, failed: None })
    }

    fn push(&mut self, kind: &str, value: Value) -> Flow {
        match line(self.out, typed(kind, value)) {
            Ok(()) => Flow::Continue,
            Err(e) => {
                self.failed = Some(e);
                Flow::Stop
            }
        }
    }

    fn finish(self) -> io::Result<&'w mut dyn Write> {
        match self.failed {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }
}

/// JSON Lines written while the run goes: the `params` line at once, then each `pair`
/// line as the run verifies it ([`PairSink`]); [`write_jsonl_tail`] ends the output once
/// the run is done. Together they write what [`write_jsonl`] writes. A failed write (a
/// full disk, a reader gone from the pipe) stops the run, and [`JsonlPairs::finish`]
/// returns the error.
pub struct JsonlPairs<'w>(StreamedLines<'w>);

impl<'w> JsonlPairs<'w> {
    /// Starts the output: writes the `params` line.
    pub fn start(out: &'w mut dyn Write, config: &DupsConfig, lsh: LshParams) -> io::Result<Self> {
        StreamedLines::start(out, params_of(config, lsh)).map(JsonlPairs)
    }

    /// The writer, for the tail, or the error that stopped the pair lines.
    pub fn finish(self) -> io::Result<&'w mut dyn Write> {
        self.0.finish()
    }
}

impl PairSink for JsonlPairs<'_> {
    fn pair(&mut self, docs: &[Document], p: &VerifiedPair) -> crate::Result<Flow> {
        Ok(self.0.push("pair", pair_record(docs, p)))
    }
}

/// The lines after the pairs: families, skipped records, warnings, and the closing stats.
pub fn write_jsonl_tail(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    let mut line = |v: Value| line(out, v);
    for (i, f) in view.report.families.iter().enumerate() {
        line(typed("family", family(view, i, f)))?;
    }
    for s in view.skipped() {
        line(typed("skipped", skipped(s)))?;
    }
    for w in &view.corpus.warnings {
        line(typed("warning", warning(w)))?;
    }
    line(typed("stats", stats(view)))
}

/// Characters of each span's text included in `passages` output.
pub const SNIPPET_CHARS: usize = 300;

/// The `params` object of the passage-level commands.
pub fn passage_params(view: &LineageView) -> Value {
    passage_params_of(view.config, view.trace.dups.lsh)
}

/// The `params` object of a passage-level run with `config` and its resolved LSH bands
/// (known before the run starts).
pub fn passage_params_of(config: &TraceConfig, lsh: LshParams) -> Value {
    let p = &config.passage;
    json!({
        "k": p.k,
        "window": p.window,
        "max_df": p.max_df,
        "min_words": p.min_words,
        "max_gap": p.max_gap,
        "boilerplate_min_docs": config.boilerplate.min_docs,
        "boilerplate_short_line_words": config.boilerplate.short_line_words,
        "dups": params_of(&config.dups, lsh),
        "paraphrase": config.paraphrase.map(|r| json!({
            "anchors": r.anchors,
            "min_shared_anchors": r.min_shared_anchors,
            "max_df": r.max_df,
            "window_seconds": r.window_seconds,
            "seed_similarity": r.seed_similarity,
            "max_gap": r.max_gap,
            "min_seeds": r.min_seeds,
            "min_similarity": r.min_similarity,
            "min_words": r.min_words,
            "min_coverage": r.min_coverage,
            "min_coverage_undated": r.min_coverage_undated,
        })),
    })
}

fn boilerplate(view: &LineageView) -> Vec<Value> {
    view.trace
        .boilerplate
        .templates
        .iter()
        .map(|t| {
            json!({
                "text": t.text,
                "documents": t.documents,
                "examples": t.examples.iter().map(|&d| view.id(d)).collect::<Vec<_>>(),
                "rule": t.rule,
            })
        })
        .collect()
}

fn trace_stats(view: &LineageView) -> Value {
    let d = view.dups();
    json!({
        "records_read": view.corpus.records_read(),
        "documents": view.trace.dups.documents,
        "skipped": d.skipped_count(),
        "skipped_by_reason": d.skipped_by_kind(),
        "warnings": view.corpus.warnings.len(),
        "candidates": view.trace.candidates,
        "capped_fingerprints": view.trace.capped_fingerprints,
        "pairs_with_passages": view.trace.pairs.len(),
        "passages": view.trace.pairs.iter().map(|p| p.spans.len()).sum::<usize>(),
        "paraphrase_candidates": view.trace.paraphrase_candidates,
        "rewritten_pairs": view.trace.pairs.iter().filter(|p| p.paraphrase).count(),
        "template_passages": view.trace.judged_passages(false),
        "quote_passages": view.trace.judged_passages(true),
        "frames": view.trace.frames.frames.len(),
        "stock_phrases": view.trace.stock_phrases,
        "boilerplate_templates": view.trace.boilerplate.templates.len(),
        "lineage_nodes": view.lineage.graph.node_count(),
        "inferred_sources": view.lineage.inferred.len(),
        "lineage_edges": view.lineage.graph.edge_count(),
        "families": view.lineage.families,
    })
}

/// One pair sharing passages, with offsets and text in both documents: the passages of
/// reuse (`"kind": "reuse"`) and those that are formulas (`"kind": "template"`), in A's
/// order.
pub fn pair_json(e: &PairEvidence, docs: &[Document]) -> Value {
    let (a, b) = (&docs[e.a as usize], &docs[e.b as usize]);
    let passage = |s: &SharedSpan| {
        let mut v = json!({"kind": "reuse"});
        if let (Value::Object(v), Value::Object(span)) = (&mut v, SpanRecord::from(s).to_value()) {
            v.extend(span);
        }
        v["a_text"] = json!(snippet(&a.text, s.a_chars, SNIPPET_CHARS));
        v["b_text"] = json!(snippet(&b.text, s.b_chars, SNIPPET_CHARS));
        v
    };
    let mut passages: Vec<(usize, Value)> = e
        .spans
        .iter()
        .map(|s| {
            let mut v = passage(s);
            if e.paraphrase {
                v["method"] = json!("paraphrase");
            }
            (s.a_chars.0, v)
        })
        .collect();
    for t in &e.templates {
        let mut v = passage(&t.span);
        if t.reason == TemplateReason::Quote {
            v["kind"] = json!("quote");
        } else {
            v["kind"] = json!("template");
            v["template"] = json!({"reason": t.reason.as_str(), "frame": t.frame});
        }
        passages.push((t.span.a_chars.0, v));
    }
    passages.sort_by_key(|(start, _)| *start);
    json!({
        "a": a.id,
        "b": b.id,
        "jaccard": round6(e.jaccard()),
        "a_shingles": e.a_shingles,
        "b_shingles": e.b_shingles,
        "shared_shingles": e.shared_shingles,
        "method": e.method(),
        "passages": passages.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
    })
}

/// Frames: template passages grouped by the formula they share, most stories first.
fn frames(view: &LineageView) -> Vec<Value> {
    view.trace
        .frames
        .frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "frame": i,
                "text": f.text,
                "stories": f.stories,
                "documents": f.documents,
                "passages": f.passages,
                "examples": f.examples.iter().map(|&d| view.id(d)).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// `passages` output: every pair sharing passages, with offsets and text, and the
/// boilerplate, as one value (the Python package's); [`write_passages_json`] writes the
/// same document.
pub fn passages_json(view: &LineageView) -> Value {
    serde_json::to_value(PassagesDocument(view)).expect("a passages document is valid JSON")
}

/// `passages --format json`, written as it is made: the pairs one at a time.
pub fn write_passages_json(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    write_value(&PassagesDocument(view), out)
}

/// The `passages` JSON document, in [`envelope`]'s order.
struct PassagesDocument<'a, 'v>(&'a LineageView<'v>);

impl Serialize for PassagesDocument<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let view = self.0;
        let docs = &view.corpus.documents;
        let mut m = start_document(s, "passages")?;
        m.serialize_entry("params", &passage_params(view))?;
        m.serialize_entry("stats", &trace_stats(view))?;
        m.serialize_entry("boilerplate", &boilerplate(view))?;
        m.serialize_entry("frames", &frames(view))?;
        let pairs = || view.trace.pairs.iter().map(|e| pair_json(e, docs));
        m.serialize_entry("pairs", &Streamed(pairs))?;
        let dups = view.dups();
        m.serialize_entry("skipped", &Streamed(|| dups.skipped().map(skipped)))?;
        m.end()
    }
}

/// `passages --format jsonl`, written at once: what [`JsonlPassages`] and
/// [`write_passages_jsonl_tail`] write during and after a run.
pub fn write_passages_jsonl(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    line(out, typed("params", passage_params(view)))?;
    for e in &view.trace.pairs {
        line(out, typed("pair", pair_json(e, &view.corpus.documents)))?;
    }
    write_passages_jsonl_tail(view, out)
}

/// `passages --format jsonl` written while the run goes: the `params` line at once, then
/// each `pair` line (the object of `passages --format json`'s `pairs`) as the passage
/// stage finalises it ([`PassageSink`]); [`write_passages_jsonl_tail`] ends the output. A
/// failed write stops the run, and [`JsonlPassages::finish`] returns the error.
pub struct JsonlPassages<'w>(StreamedLines<'w>);

impl<'w> JsonlPassages<'w> {
    /// Starts the output: writes the `params` line.
    pub fn start(out: &'w mut dyn Write, config: &TraceConfig, lsh: LshParams) -> io::Result<Self> {
        StreamedLines::start(out, passage_params_of(config, lsh)).map(JsonlPassages)
    }

    /// The writer, for the tail, or the error that stopped the pair lines.
    pub fn finish(self) -> io::Result<&'w mut dyn Write> {
        self.0.finish()
    }
}

impl PassageSink for JsonlPassages<'_> {
    fn pair(&mut self, docs: &[Document], e: &PairEvidence) -> crate::Result<Flow> {
        Ok(self.0.push("pair", pair_json(e, docs)))
    }
}

/// The lines after the pairs of `passages --format jsonl`: one per boilerplate template,
/// per frame and per skipped record, then the closing `stats` (the objects of the JSON
/// output's lists).
pub fn write_passages_jsonl_tail(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    let mut line = |v: Value| line(out, v);
    for b in boilerplate(view) {
        line(typed("boilerplate", b))?;
    }
    for f in frames(view) {
        line(typed("frame", f))?;
    }
    for s in view.dups().skipped() {
        line(typed("skipped", skipped(s)))?;
    }
    line(typed("stats", trace_stats(view)))
}

/// One lineage edge with its evidence; `id` names a document.
pub fn edge_json<'a>(e: &LineageEdge, id: impl Fn(u32) -> &'a str) -> Value {
    json!({
        "parent": id(e.parent),
        "child": id(e.child),
        "kind": e.kind,
        "similarity": round6(e.similarity),
        "containment": round6(e.containment),
        "parent_coverage": round6(e.parent_coverage),
        "time_lag_seconds": e.time_lag_seconds,
        "reason": e.reason,
        "directed": e.directed,
        "direction": if e.directed { "determined" } else { "undetermined" },
        "method": e.method,
        "spans": e.spans.iter().map(SpanRecord::from).collect::<Vec<_>>(),
    })
}

/// `lineage --format json`: nodes, edges with evidence, families, boilerplate, as one
/// value (the Python package's); [`write_lineage_json`] writes the same document.
pub fn lineage_json(view: &LineageView) -> Value {
    serde_json::to_value(LineageDocument(view)).expect("a lineage document is valid JSON")
}

/// `lineage --format json`, written as it is made: the nodes, edges and families one at a
/// time, never held whole as one value (which took seven times the output's size: 270 MB
/// for the 39 MB of 40,000 copies of one story).
pub fn write_lineage_json(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    write_value(&LineageDocument(view), out)
}

/// Starts a JSON document written as it is made, as [`envelope`] starts one: the tool, its
/// version and the command; the caller adds the command's fields and ends the map.
fn start_document<S: serde::Serializer>(s: S, command: &str) -> Result<S::SerializeMap, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(None)?;
    m.serialize_entry("tool", "wiretrace")?;
    m.serialize_entry("version", env!("CARGO_PKG_VERSION"))?;
    m.serialize_entry("command", command)?;
    Ok(m)
}

/// A JSON array whose elements are made as they are written.
struct Streamed<F>(F);

impl<F, I> Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Value>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// The `lineage` JSON document, in [`envelope`]'s order.
struct LineageDocument<'a, 'v>(&'a LineageView<'v>);

impl Serialize for LineageDocument<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let view = self.0;
        let mut m = start_document(s, "lineage")?;
        m.serialize_entry("params", &passage_params(view))?;
        m.serialize_entry("stats", &trace_stats(view))?;
        m.serialize_entry("nodes", &Streamed(|| lineage_nodes(view)))?;
        m.serialize_entry("edges", &Streamed(|| lineage_edges(view)))?;
        m.serialize_entry("families", &Streamed(|| lineage_families(view)))?;
        m.serialize_entry("boilerplate", &boilerplate(view))?;
        m.end()
    }
}

/// The graph's nodes by document (inferred sources after the documents), with their family.
fn lineage_nodes<'a>(view: &'a LineageView) -> impl Iterator<Item = Value> + 'a {
    let lineage = view.lineage;
    let docs = &view.corpus.documents;
    let mut nodes: Vec<(u32, usize)> = lineage
        .graph
        .node_indices()
        .map(|n| (lineage.graph[n], lineage.family[n.index()]))
        .collect();
    nodes.sort_unstable();
    nodes
        .into_iter()
        .map(move |(i, family)| match lineage.inferred_source(i) {
            Some(s) => json!({
                "id": s.id, "source": s.outlet, "date": s.date, "family": family,
                "inferred": true,
                "date_is_upper_bound": s.date.is_some(),
                "evidence": s.evidence,
                "inferred_from": s.children.iter().map(|&c| view.id(c)).collect::<Vec<_>>(),
                "text": s.text,
            }),
            None => {
                let d = &docs[i as usize];
                json!({
                    "id": d.id, "source": d.source, "date": d.date, "title": d.title, "url": d.url,
                    "family": family,
                })
            }
        })
}

/// The graph's edges with their evidence.
fn lineage_edges<'a>(view: &'a LineageView) -> impl Iterator<Item = Value> + 'a {
    view.lineage
        .edges()
        .into_iter()
        .map(move |e| edge_json(e, |d| view.id(d)))
}

/// The story families: members, and the roots (members no edge points to).
fn lineage_families<'a>(view: &'a LineageView) -> impl Iterator<Item = Value> + 'a {
    let lineage = view.lineage;
    let children: std::collections::BTreeSet<u32> =
        lineage.graph.edge_weights().map(|e| e.child).collect();
    lineage
        .family_members()
        .into_iter()
        .enumerate()
        .map(move |(i, members)| {
            let roots: Vec<&str> = members
                .iter()
                .filter(|m| !children.contains(m))
                .map(|&m| view.id(m))
                .collect();
            json!({
                "family": i,
                "size": members.len(),
                "roots": roots,
                "members": members.iter().map(|&m| view.id(m)).collect::<Vec<_>>(),
            })
        })
}

/// `audit --format json`: the corpus-quality summary with the passage-level parameters.
pub fn audit_json(view: &LineageView, summary: &crate::audit::Audit) -> Value {
    envelope(
        "audit",
        json!({
            "params": passage_params(view),
            "audit": summary,
        }),
    )
}

/// Writes a JSON value (or a document written as it is made), pretty-printed, with a
/// final newline.
pub fn write_value(value: &(impl Serialize + ?Sized), out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with arrays written element by element prints byte for byte as the same
    /// document built whole as a value: empty, one and several elements, nested.
    #[test]
    fn a_streamed_array_is_written_as_the_whole_value_is() {
        struct Doc(usize);
        impl Serialize for Doc {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let n = self.0;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("tool", "wiretrace")?;
                m.serialize_entry("items", &Streamed(|| (0..n).map(item)))?;
                m.serialize_entry("after", &Value::Array(Vec::new()))?;
                m.end()
            }
        }
        fn item(i: usize) -> Value {
            json!({"i": i, "spans": (0..i).collect::<Vec<_>>(), "none": null})
        }
        for n in [0, 1, 3] {
            let whole = json!({
                "tool": "wiretrace",
                "items": (0..n).map(item).collect::<Vec<_>>(),
                "after": [],
            });
            let mut expected = Vec::new();
            write_value(&whole, &mut expected).unwrap();
            let mut streamed = Vec::new();
            serde_json::to_writer_pretty(&mut streamed, &Doc(n)).unwrap();
            streamed.push(b'\n');
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(expected).unwrap()
            );
            assert_eq!(serde_json::to_value(Doc(n)).unwrap(), whole);
        }
    }
}
