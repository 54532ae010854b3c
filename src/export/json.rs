//! JSON and JSON Lines output of `dups`; the schema is documented in README.md.
//!
//! `json` is one object (params, stats, pairs, families, skipped, warnings). `jsonl` writes
//! one record per line, each with a `type` — `params`, `pair`, `family`, `skipped`,
//! `warning`, and a closing `stats` — so large results can be streamed and filtered with
//! line tools.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::{DupsView, round6};
use crate::cluster::Family;
use crate::corpus::{Skip, Warning};
use crate::verify::VerifiedPair;

/// The `params` object.
pub fn params(view: &DupsView) -> Value {
    let c = view.config;
    let lsh = view.report.lsh;
    json!({
        "shingle": c.scheme.to_string(),
        "num_perm": c.num_perm,
        "seed": c.seed,
        "threshold": c.threshold,
        "bands": lsh.bands,
        "rows": lsh.rows,
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
    json!(PairRecord {
        a: view.id(p.a),
        b: view.id(p.b),
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

fn skipped(s: &Skip) -> Value {
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

/// The whole result as one JSON document.
pub fn to_json(view: &DupsView) -> Value {
    let r = view.report;
    json!({
        "tool": "wiretrace",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "dups",
        "params": params(view),
        "stats": stats(view),
        "pairs": r.pairs.iter().map(|p| pair(view, p)).collect::<Vec<_>>(),
        "families": r.families.iter().enumerate().map(|(i, f)| family(view, i, f)).collect::<Vec<_>>(),
        "skipped": view.skipped().map(skipped).collect::<Vec<_>>(),
        "warnings": view.corpus.warnings.iter().map(warning).collect::<Vec<_>>(),
    })
}

/// Writes [`to_json`], pretty-printed.
pub fn write_json(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_json(view))?;
    writeln!(out)
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

/// Writes one typed record per line.
pub fn write_jsonl(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    let mut line = |v: Value| -> io::Result<()> {
        serde_json::to_writer(&mut *out, &v)?;
        writeln!(out)
    };
    line(typed("params", params(view)))?;
    for p in &view.report.pairs {
        line(typed("pair", pair(view, p)))?;
    }
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
