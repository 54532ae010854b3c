//! Output of `index build`, `index add` and `index query`: what is new, as JSON or text.
//!
//! The JSON of `build` and `add` lists only pairs, passages and lineage edges that involve
//! an added document, under the same field names as `dups`, `passages` and `lineage`
//! (schema in README.md).

use std::io::{self, Write};

use serde_json::{Value, json};

use super::json::{SpanRecord, edge_json, envelope, pair_json, skipped};
use super::{round6, snippet};
use crate::index::manifest::IndexParams;
use crate::index::{AddReport, SourceMatch};

/// The added documents' near-duplicate pairs (ids, exact and estimated similarity).
fn pairs(report: &AddReport) -> Vec<Value> {
    report
        .pairs
        .iter()
        .map(|p| {
            json!({
                "a": report.neighbourhood[p.a as usize].id,
                "b": report.neighbourhood[p.b as usize].id,
                "jaccard": round6(p.similarity.jaccard),
                "containment": round6(p.similarity.containment),
                "estimated_jaccard": round6(p.estimated),
            })
        })
        .collect()
}

/// `index build` / `index add` as one JSON object.
pub fn add_json(command: &str, dir: &str, params: &IndexParams, report: &AddReport) -> Value {
    let docs = &report.neighbourhood;
    let passages: Vec<Value> = report.passages().map(|e| pair_json(e, docs)).collect();
    let edges: Vec<Value> = report
        .edges()
        .into_iter()
        .map(|e| edge_json(e, |d| report.node_id(d)))
        .collect();
    let with_passages = report.trace.is_some();
    envelope(
        command,
        json!({
            "index": dir,
            "params": params,
            "stats": {
                "documents_before": report.documents_before,
                "added": report.added.len(),
                "documents_after": report.documents_after,
                "replaced": report.replaced.len(),
                "skipped": report.skipped.len(),
                "segments": report.segments,
                "neighbourhood": report.neighbourhood.len(),
                "candidates": report.candidates,
                "oversized_buckets": report.oversized_buckets,
                "pairs": report.pairs.len(),
                "pairs_with_passages": with_passages.then_some(passages.len()),
                "lineage_edges": with_passages.then_some(edges.len()),
            },
            "pairs": pairs(report),
            "passages": with_passages.then_some(passages),
            "lineage": with_passages.then(|| json!({ "edges": edges })),
            "replaced": report.replaced.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "skipped": report.skipped.iter().map(skipped).collect::<Vec<_>>(),
        }),
    )
}

/// `index build` / `index add` as text.
pub fn write_add_table(report: &AddReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} documents added ({} replaced, {} already indexed) | index: {} → {} documents",
        report.added.len(),
        report.replaced.len(),
        report.skipped.len(),
        report.documents_before,
        report.documents_after
    )?;
    writeln!(out, "\nNear-duplicate pairs ({}):", report.pairs.len())?;
    for p in &report.pairs {
        writeln!(
            out,
            "  {}  ~  {}   Jaccard {:.3}",
            report.neighbourhood[p.a as usize].id,
            report.neighbourhood[p.b as usize].id,
            p.similarity.jaccard
        )?;
    }
    if report.lineage.is_none() {
        return writeln!(
            out,
            "\nPassages and lineage: run `wiretrace lineage --index DIR` (or passages, audit, report)"
        );
    }
    let edges = report.edges();
    writeln!(out, "\nLineage edges ({}):", edges.len())?;
    let docs = &report.neighbourhood;
    for e in edges {
        writeln!(
            out,
            "  {} → {}   {} (similarity {:.3}; {})",
            report.node_id(e.parent),
            docs[e.child as usize].id,
            e.kind,
            e.similarity,
            e.reason
        )?;
    }
    Ok(())
}

/// `index query` as one JSON object.
pub fn query_json(article: &str, matches: &[SourceMatch]) -> Value {
    let list: Vec<Value> = matches
        .iter()
        .map(|m| {
            let d = &m.document;
            json!({
                "id": d.id, "source": d.source, "date": d.date, "title": d.title, "url": d.url,
                "role": m.role,
                "reason": m.reason,
                "jaccard": round6(m.similarity.jaccard),
                "containment": round6(m.similarity.containment),
                "shared_kgrams": m.shared_kgrams,
                "method": m.method(),
                "passages": m.spans.iter().map(|s| {
                    let mut v = SpanRecord::from(s).to_value();
                    v["text"] = json!(snippet(&d.text, s.b_chars, 200));
                    v
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    envelope(
        "index query",
        json!({
            "article": article,
            "matches": list,
        }),
    )
}

/// `index query` as text.
pub fn write_query_table(matches: &[SourceMatch], out: &mut dyn Write) -> io::Result<()> {
    if matches.is_empty() {
        return writeln!(out, "no stored document shares text with the article");
    }
    for m in matches {
        let d = &m.document;
        writeln!(
            out,
            "{:6}  {}  {}  Jaccard {:.3}, {} shared passages ({})",
            match m.role {
                crate::index::Role::Source => "source",
                crate::index::Role::Copy => "copy",
                crate::index::Role::Undetermined => "shared",
            },
            d.id,
            d.date.as_deref().unwrap_or("no date"),
            m.similarity.jaccard,
            m.spans.len(),
            m.reason
        )?;
        for s in &m.spans {
            let text = snippet(&d.text, s.b_chars, 100).replace('\n', " ");
            writeln!(
                out,
                "        article[{}..{}] ~ source[{}..{}]  \"{text}\"",
                s.a_chars.0, s.a_chars.1, s.b_chars.0, s.b_chars.1
            )?;
        }
    }
    Ok(())
}
