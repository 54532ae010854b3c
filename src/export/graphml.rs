//! GraphML, for Gephi, Cytoscape, yEd and networkx: nodes with id, source, date, title,
//! url and family; edges with kind, similarity, containment, time lag, reason and the
//! number and words of shared spans.

use std::io::{self, Write};

use super::LineageView;

/// Escapes text for XML 1.0 content and attributes, dropping characters XML cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // As character references, so that XML readers keep them: a raw CR is read as
            // LF, and in attributes tabs and line feeds become spaces.
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || matches!(c as u32, 0xFFFE | 0xFFFF) => {}
            c => out.push(c),
        }
    }
    out
}

const NODE_KEYS: [(&str, &str); 8] = [
    ("label", "string"),
    ("inferred", "boolean"),
    ("evidence", "string"),
    ("source", "string"),
    ("date", "string"),
    ("title", "string"),
    ("url", "string"),
    ("family", "int"),
];

const EDGE_KEYS: [(&str, &str); 9] = [
    ("kind", "string"),
    ("directed", "boolean"),
    ("similarity", "double"),
    ("containment", "double"),
    ("parent_coverage", "double"),
    ("time_lag_seconds", "long"),
    ("reason", "string"),
    ("spans", "int"),
    ("shared_words", "int"),
];

/// Writes the lineage graph as GraphML.
pub fn write_graphml(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    let lineage = view.lineage;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (name, ty) in NODE_KEYS {
        writeln!(
            out,
            r#"  <key id="{name}" for="node" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    for (name, ty) in EDGE_KEYS {
        writeln!(
            out,
            r#"  <key id="{name}" for="edge" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(out, r#"  <graph id="lineage" edgedefault="directed">"#)?;
    for n in lineage.graph.node_indices() {
        write_node(view, n, out)?;
    }
    for (k, e) in lineage.edges().into_iter().enumerate() {
        write_edge(k, e, out)?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

/// One node: a document, or an inferred source with its evidence.
fn write_node(
    view: &LineageView,
    n: petgraph::graph::NodeIndex,
    out: &mut dyn Write,
) -> io::Result<()> {
    let lineage = view.lineage;
    let i = lineage.graph[n];
    let d = lineage.node(&view.corpus.documents, i);
    writeln!(out, r#"    <node id="d{i}">"#)?;
    let data = [
        ("label", Some(d.id)),
        ("inferred", d.inferred.map(|_| "true")),
        ("evidence", d.inferred.map(|s| s.evidence.as_str())),
        ("source", d.source),
        ("date", d.date),
        ("title", d.title),
        ("url", d.url),
    ];
    for (key, value) in data {
        if let Some(v) = value {
            writeln!(out, r#"      <data key="{key}">{}</data>"#, escape(v))?;
        }
    }
    writeln!(
        out,
        r#"      <data key="family">{}</data>"#,
        lineage.family[n.index()]
    )?;
    writeln!(out, "    </node>")?;
    Ok(())
}

/// Edge `k`, with its evidence as data.
fn write_edge(k: usize, e: &crate::lineage::LineageEdge, out: &mut dyn Write) -> io::Result<()> {
    // GraphML's own per-edge `directed` says it to every reader; the `directed` data
    // key says it to tools that read only data attributes (Gephi's edge table).
    let undirected = if e.directed {
        ""
    } else {
        r#" directed="false""#
    };
    writeln!(
        out,
        r#"    <edge id="e{k}" source="d{}" target="d{}"{undirected}>"#,
        e.parent, e.child
    )?;
    writeln!(out, r#"      <data key="kind">{}</data>"#, e.kind)?;
    writeln!(out, r#"      <data key="directed">{}</data>"#, e.directed)?;
    writeln!(
        out,
        r#"      <data key="similarity">{:.6}</data>"#,
        e.similarity
    )?;
    writeln!(
        out,
        r#"      <data key="containment">{:.6}</data>"#,
        e.containment
    )?;
    writeln!(
        out,
        r#"      <data key="parent_coverage">{:.6}</data>"#,
        e.parent_coverage
    )?;
    if let Some(lag) = e.time_lag_seconds {
        writeln!(out, r#"      <data key="time_lag_seconds">{lag}</data>"#)?;
    }
    writeln!(
        out,
        r#"      <data key="reason">{}</data>"#,
        escape(&e.reason)
    )?;
    writeln!(out, r#"      <data key="spans">{}</data>"#, e.spans.len())?;
    let words: usize = e.spans.iter().map(|s| s.child_words).sum();
    writeln!(out, r#"      <data key="shared_words">{words}</data>"#)?;
    writeln!(out, "    </edge>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_invalid_characters() {
        assert_eq!(
            escape("<a href=\"x\">R&D's</a>\u{0}\u{1b}"),
            "&lt;a href=&quot;x&quot;&gt;R&amp;D&apos;s&lt;/a&gt;"
        );
    }
}
