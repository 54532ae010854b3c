//! Graphviz DOT: the lineage graph with one cluster subgraph per family.
//!
//! Node names are synthetic (`d0`, `d1`, …) so that no document id needs escaping there;
//! ids, outlets and dates go in labels, escaped for DOT's double-quoted strings. Render
//! with `dot -Tsvg lineage.dot -o lineage.svg`.

use std::io::{self, Write};

use super::LineageView;

/// Escapes text for a DOT double-quoted string; line breaks become `\n`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// Writes the lineage graph as DOT.
pub fn write_dot(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    let lineage = view.lineage;
    let docs = &view.corpus.documents;
    writeln!(out, "digraph wiretrace {{")?;
    writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=\"wiretrace lineage: {} documents, {} edges, {} families\"];",
        lineage.graph.node_count(),
        lineage.graph.edge_count(),
        lineage.families
    )?;
    writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\", fontsize=10];"
    )?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
    for (family, members) in lineage.family_members().iter().enumerate() {
        writeln!(out, "  subgraph cluster_{family} {{")?;
        writeln!(
            out,
            "    label=\"family {family} ({} documents)\"; style=rounded; color=\"#999999\";",
            members.len()
        )?;
        for &m in members {
            let d = &docs[m as usize];
            let mut label = shorten(&d.id, 48);
            if let Some(s) = &d.source {
                label.push('\n');
                label.push_str(&shorten(s, 40));
            }
            if let Some(date) = &d.date {
                label.push('\n');
                label.push_str(&shorten(date, 25));
            }
            let tooltip = d.title.as_deref().unwrap_or(&d.id);
            writeln!(
                out,
                "    d{m} [label=\"{}\", tooltip=\"{}\"];",
                escape(&label),
                escape(&shorten(tooltip, 200))
            )?;
        }
        writeln!(out, "  }}")?;
    }
    for e in lineage.edges() {
        let style = match e.kind {
            crate::lineage::EdgeKind::Verbatim | crate::lineage::EdgeKind::NearDuplicate => "solid",
            _ => "dashed",
        };
        writeln!(
            out,
            "  d{} -> d{} [label=\"{}\\n{:.2}\", style={style}, tooltip=\"{}\"];",
            e.parent,
            e.child,
            e.kind,
            e.containment,
            escape(&e.reason)
        )?;
    }
    writeln!(out, "}}")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_quotes_backslashes_and_newlines() {
        assert_eq!(escape("a \"b\" \\ c\nd\u{7}"), "a \\\"b\\\" \\\\ c\\nd");
    }
}
