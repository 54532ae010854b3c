//! Graphviz DOT: the lineage graph with one cluster subgraph per family.
//!
//! Node names are synthetic (`d0`, `d1`, …) so that no document id needs escaping there;
//! ids, outlets and dates go in labels, escaped for DOT's double-quoted strings. Graphviz
//! reads `&…;` in labels as an HTML entity, so `&` is written `&amp;`; characters that
//! cannot appear in the SVG or XML that Graphviz renders (controls, non-characters such
//! as U+FFFE) are shown as U+FFFD in labels and tooltips. The exact id is kept in each
//! node's `wiretrace_id` attribute, percent-encoded (`%`, `"`, `\`, controls and
//! non-characters as `%XX` UTF-8 bytes), which Graphviz carries through `-Tdot` untouched.
//! Render with `dot -Tsvg lineage.dot -o lineage.svg`.

use std::io::{self, Write};

use super::LineageView;

/// Whether `c` has no place in XML text: a control other than line breaks and tabs, or a
/// Unicode non-character (U+FDD0–U+FDEF, and the last two code points of every plane).
pub fn unrenderable(c: char) -> bool {
    let n = c as u32;
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}

/// Escapes text for a DOT double-quoted label or tooltip: line breaks become `\n`, `&`
/// becomes `&amp;` (Graphviz decodes entities), unrenderable characters U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            c if unrenderable(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The exact id for the `wiretrace_id` attribute: percent-encoded where DOT or XML could
/// not carry it (`%`, `"`, `\`, controls, non-characters).
pub fn encode_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '"' | '\\') || c.is_control() || unrenderable(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
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
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=\"wiretrace lineage: {} documents, {} inferred sources, {} edges, {} families\"];",
        lineage.graph.node_count() - lineage.inferred.len(),
        lineage.inferred.len(),
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
            let d = lineage.node(docs, m);
            let mut label = shorten(d.id, 48);
            if let Some(s) = d.source {
                label.push('\n');
                label.push_str(&shorten(s, 40));
            }
            if let Some(date) = d.date {
                label.push('\n');
                if d.inferred.is_some() {
                    label.push_str("by ");
                }
                label.push_str(&shorten(date, 25));
            }
            // An inferred source is drawn hollow and dashed: it stands for a story the
            // corpus lacks.
            let (tooltip, style) = match d.inferred {
                Some(s) => (
                    s.evidence.as_str(),
                    ", style=\"rounded,dashed\", fillcolor=\"#ffffff\", wiretrace_inferred=\"true\"",
                ),
                None => (d.title.unwrap_or(d.id), ""),
            };
            writeln!(
                out,
                "    d{m} [label=\"{}\", tooltip=\"{}\", wiretrace_id=\"{}\"{style}];",
                escape(&label),
                escape(&shorten(tooltip, 200)),
                encode_id(d.id)
            )?;
        }
        writeln!(out, "  }}")?;
    }
    for e in lineage.edges() {
        let style = match e.kind {
            crate::lineage::EdgeKind::Verbatim | crate::lineage::EdgeKind::NearDuplicate => "solid",
            crate::lineage::EdgeKind::Rewritten => "dotted",
            _ => "dashed",
        };
        // An undetermined direction is drawn without an arrowhead.
        let dir = if e.directed { "" } else { ", dir=none" };
        writeln!(
            out,
            "  d{} -> d{} [label=\"{}\\n{:.2}\", style={style}{dir}, tooltip=\"{}\"];",
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
    use super::{encode_id, escape};

    #[test]
    fn escapes_quotes_backslashes_and_newlines() {
        assert_eq!(
            escape("a \"b\" \\ c\nd\u{7}"),
            "a \\\"b\\\" \\\\ c\\nd\u{FFFD}"
        );
    }

    #[test]
    fn entities_and_non_characters_are_escaped_and_the_id_kept() {
        assert_eq!(escape("amp&amp;"), "amp&amp;amp;");
        assert_eq!(
            escape("a\u{FFFE}b\u{FDD0}\u{1FFFF}"),
            "a\u{FFFD}b\u{FFFD}\u{FFFD}"
        );
        assert_eq!(encode_id("a\u{FFFE}\"%\\é"), "a%EF%BF%BE%22%25%5Cé");
    }
}
