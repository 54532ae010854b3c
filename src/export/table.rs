//! The human-readable table of `dups`: pairs, most similar first, then families.

use std::io::{self, Write};

use super::{DupsView, LineageView, snippet};

/// Writes pairs and families as aligned text.
pub fn write_table(view: &DupsView, out: &mut dyn Write) -> io::Result<()> {
    let r = view.report;
    let c = view.config;
    writeln!(
        out,
        "{} documents, {} skipped | {} shingles, {} signature values, {} bands ({}), threshold {}",
        r.documents,
        view.skipped_count(),
        c.scheme,
        c.num_perm,
        r.lsh.bands,
        r.lsh,
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
        "{} documents | {} candidate pairs aligned, {} share passages | {} boilerplate templates | {} template passages in {} frames",
        t.dups.documents,
        t.candidates,
        t.pairs.len(),
        t.boilerplate.templates.len(),
        t.judged_passages(false),
        t.frames.frames.len()
    )?;
    for e in &t.pairs {
        write_pair(e, docs, out)?;
    }
    write_formulas(t, out)
}

/// One pair: its passages of reuse with the start of A's side, then its formulas.
fn write_pair(
    e: &crate::lineage::PairEvidence,
    docs: &[crate::corpus::Document],
    out: &mut dyn Write,
) -> io::Result<()> {
    let (a, b) = (&docs[e.a as usize], &docs[e.b as usize]);
    writeln!(
        out,
        "\n{}  ~  {}   (Jaccard {:.3}{})",
        a.id,
        b.id,
        e.jaccard(),
        if e.paraphrase { "; rewritten" } else { "" }
    )?;
    for s in &e.spans {
        writeln!(
            out,
            "  A[{}..{}] ~ B[{}..{}]  {} / {} words, similarity {:.2}",
            s.a_chars.0, s.a_chars.1, s.b_chars.0, s.b_chars.1, s.a_words, s.b_words, s.similarity
        )?;
        let text = snippet(&a.text, s.a_chars, 100).replace('\n', " ");
        writeln!(out, "    \"{text}\"")?;
    }
    for tpl in &e.templates {
        let s = &tpl.span;
        let what = if tpl.reason == crate::formula::TemplateReason::Quote {
            "a shared quote".to_string()
        } else {
            format!("template ({}, frame {})", tpl.reason.as_str(), tpl.frame)
        };
        writeln!(
            out,
            "  A[{}..{}] ~ B[{}..{}]  {what}: not reuse",
            s.a_chars.0, s.a_chars.1, s.b_chars.0, s.b_chars.1,
        )?;
    }
    Ok(())
}

/// The boilerplate found and the template frames, which are not evidence.
fn write_formulas(t: &crate::trace::Trace, out: &mut dyn Write) -> io::Result<()> {
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
    if !t.frames.frames.is_empty() {
        writeln!(
            out,
            "\nTemplate frames (formulas shared by several stories; not evidence):"
        )?;
        for (i, f) in t.frames.frames.iter().take(20).enumerate() {
            let text: String = f
                .text
                .chars()
                .take(100)
                .collect::<String>()
                .replace('\n', " ");
            writeln!(
                out,
                "  frame {i}: {} stories, {} documents: \"{text}\"",
                f.stories, f.documents
            )?;
        }
    }
    Ok(())
}

/// Writes the corpus-quality summary as text.
pub fn write_audit(a: &crate::audit::Audit, out: &mut dyn Write) -> io::Result<()> {
    let pct = |x: f64| x * 100.0;
    writeln!(out, "Corpus audit")?;
    writeln!(out, "  records read            {}", a.records_read)?;
    writeln!(out, "  documents used          {}", a.documents)?;
    let skipped: usize = a.skipped_by_reason.values().sum();
    writeln!(out, "  skipped                 {skipped}")?;
    for (kind, n) in &a.skipped_by_reason {
        writeln!(out, "    {kind:<22}{n}")?;
    }
    writeln!(out, "  warnings                {}", a.warnings)?;
    writeln!(
        out,
        "  exact duplicates        {} redundant in {} groups ({:.2}%)",
        a.exact_duplicates.redundant_documents,
        a.exact_duplicates.groups,
        pct(a.exact_duplicates.rate)
    )?;
    writeln!(
        out,
        "  near duplicates         {} redundant in {} families ({:.2}%)",
        a.near_duplicates.redundant_documents,
        a.near_duplicates.groups,
        pct(a.near_duplicates.rate)
    )?;
    writeln!(
        out,
        "  story families          {} ({} documents, {} lineage edges)",
        a.story_families, a.documents_in_stories, a.lineage_edges
    )?;
    let sizes: Vec<String> = a
        .story_family_sizes
        .iter()
        .map(|(size, n)| format!("{n}×{size}"))
        .collect();
    if !sizes.is_empty() {
        writeln!(out, "    sizes (count×size)    {}", sizes.join(", "))?;
    }
    writeln!(
        out,
        "  missing dates           {} ({} not ISO 8601)",
        a.missing_dates, a.unparseable_dates
    )?;
    writeln!(out, "  missing sources         {}", a.missing_sources)?;
    writeln!(out, "  missing ids (skipped)   {}", a.missing_ids)?;
    write_audit_lists(a, out)
}

/// The ranked lists of an audit: outlets that are copied and that copy, unseen sources,
/// boilerplate and template frames.
fn write_audit_lists(a: &crate::audit::Audit, out: &mut dyn Write) -> io::Result<()> {
    for (title, list) in [
        (
            "Top syndicating sources (copied by others)",
            &a.top_syndicating_sources,
        ),
        ("Top copying outlets", &a.top_copying_outlets),
    ] {
        writeln!(out, "\n{title}:")?;
        for s in list {
            writeln!(out, "  {:>6}  {}", s.edges, s.source)?;
        }
    }
    writeln!(
        out,
        "\nUnseen sources (inferred: stories credited to an outlet not in the corpus): {}",
        a.inferred_sources
    )?;
    for u in &a.unseen_sources {
        writeln!(
            out,
            "  {:>6}  {} ({} copies)",
            u.stories, u.outlet, u.copies
        )?;
    }
    writeln!(out, "\nBoilerplate templates: {}", a.boilerplate_templates)?;
    for t in &a.top_boilerplate {
        writeln!(
            out,
            "  {:>6}  {} \"{}\"",
            t.documents,
            t.rule,
            t.text.replace('\n', " / ")
        )?;
    }
    writeln!(
        out,
        "\nTemplate passages (formulas, not reuse): {} in {} frames; shared quotes: {}",
        a.template_passages, a.template_frames, a.quote_passages
    )?;
    for f in &a.top_template_frames {
        writeln!(
            out,
            "  {:>6} stories  \"{}\"",
            f.stories,
            f.text.replace('\n', " / ")
        )?;
    }
    Ok(())
}
