//! The human-readable table of `dups`: pairs, most similar first, then families.

use std::io::{self, Write};

use super::{DupsView, LineageView, snippet};

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

/// Writes the shared passages of every pair, and the boilerplate found, as text.
pub fn write_passages(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    let docs = &view.corpus.documents;
    let t = view.trace;
    writeln!(
        out,
        "{} documents | {} candidate pairs aligned, {} share passages | {} boilerplate templates",
        t.dups.documents,
        t.candidates,
        t.pairs.len(),
        t.boilerplate.templates.len()
    )?;
    for e in &t.pairs {
        let (a, b) = (&docs[e.a as usize], &docs[e.b as usize]);
        writeln!(
            out,
            "\n{}  ~  {}   (Jaccard {:.3})",
            a.id,
            b.id,
            e.jaccard()
        )?;
        for s in &e.spans {
            writeln!(
                out,
                "  A[{}..{}] ~ B[{}..{}]  {} / {} words, similarity {:.2}",
                s.a_chars.0,
                s.a_chars.1,
                s.b_chars.0,
                s.b_chars.1,
                s.a_words,
                s.b_words,
                s.similarity
            )?;
            let text = snippet(&a.text, s.a_chars, 100).replace('\n', " ");
            writeln!(out, "    \"{text}\"")?;
        }
    }
    if !t.boilerplate.templates.is_empty() {
        writeln!(out, "\nBoilerplate (not used as evidence):")?;
        for tpl in &t.boilerplate.templates {
            let text: String = tpl
                .text
                .chars()
                .take(100)
                .collect::<String>()
                .replace('\n', " / ");
            writeln!(
                out,
                "  {} documents ({}): \"{text}\"",
                tpl.documents, tpl.rule
            )?;
        }
    }
    Ok(())
}
