//! The human-readable table of `dups`: pairs, most similar first, then families.

use std::io::{self, Write};

use super::DupsView;

/// Writes pairs and families as aligned text.
pub fn write_table(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    let r = view.report;
    let c = view.config;
    writeln!(
        out,
        "{} documents, {} skipped | {} shingles, {} permutations, {}×{} bands, threshold {}",
        r.documents,
        view.skipped_count(),
        c.scheme,
        c.num_perm,
        r.lsh.bands,
        r.lsh.rows,
        c.threshold
    )?;
    writeln!(
        out,
        "{} candidate pairs, {} verified, {} families ({} redundant documents)",
        r.candidates,
        r.pairs.len(),
        r.families.len(),
        view.redundant_documents()
    )?;
    if r.pairs.is_empty() {
        writeln!(out, "\nNo near-duplicate pairs at this threshold.")?;
        return Ok(());
    }
    let mut pairs: Vec<_> = r.pairs.iter().collect();
    pairs.sort_by(|x, y| {
        y.similarity
            .jaccard
            .total_cmp(&x.similarity.jaccard)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let width = pairs
        .iter()
        .map(|p| view.id(p.a).chars().count())
        .max()
        .unwrap_or(1)
        .clamp(1, 60);
    writeln!(out)?;
    writeln!(
        out,
        "{:<7}  {:<9}  {:<11}  {:<width$}  B",
        "JACCARD", "ESTIMATED", "CONTAINMENT", "A"
    )?;
    for p in pairs {
        writeln!(
            out,
            "{:<7.3}  {:<9.3}  {:<11.3}  {:<width$}  {}",
            p.similarity.jaccard,
            p.estimated,
            p.similarity.containment,
            view.id(p.a),
            view.id(p.b)
        )?;
    }
    writeln!(out)?;
    for (i, f) in r.families.iter().enumerate() {
        writeln!(
            out,
            "family {i}: {} documents, keep {}",
            f.members.len(),
            view.id(f.representative)
        )?;
        for &m in &f.members {
            let mark = if m == f.representative { '*' } else { ' ' };
            writeln!(out, "  {mark} {}", view.id(m))?;
        }
    }
    Ok(())
}
