//! Near-duplicate families → which document of each to keep, and a map of the dropped.
//!
//! A deduplicated corpus keeps one document per near-duplicate family ([`crate::dups`]) and
//! every document that belongs to no family. Which member is kept is a policy:
//!
//! - [`KeepPolicy::Earliest`]: the earliest dated (undated last), then the first read — the
//!   original rather than its reposts;
//! - [`KeepPolicy::Longest`]: the most complete text (most shingles), then the earliest;
//! - [`KeepPolicy::MostCited`]: the member from the outlet other documents most often
//!   copy (the outlet of the most lineage parents across the corpus), then the earliest —
//!   the wire's own copy rather than a portal's.
//!
//! The plan is pure data; writing the records back is the caller's job (the CLI copies
//! JSON Lines records byte for byte, so field order and extra fields survive).

use std::cmp::Ordering;

use ahash::AHashMap;

use crate::corpus::Document;
use crate::dups::DupsReport;
use crate::lineage::Lineage;

/// Which member of a family to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepPolicy {
    /// Earliest dated, then first read.
    #[default]
    Earliest,
    /// Most shingles, then earliest.
    Longest,
    /// From the most-copied outlet, then earliest.
    MostCited,
}

/// What to keep and what to drop.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DedupPlan {
    /// `keep[i]`: document i is written out. A document without a single token (skipped
    /// as `no-tokens` by the document level) is neither kept nor dropped: it is accounted
    /// for among the skipped records, like a malformed line.
    pub keep: Vec<bool>,
    /// `(dropped, kept, family)` for every dropped document, in input order.
    pub dropped: Vec<(u32, u32, usize)>,
}

fn earliest(docs: &[Document], x: u32, y: u32) -> Ordering {
    let (a, b) = (docs[x as usize].timestamp, docs[y as usize].timestamp);
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then(x.cmp(&y))
}

/// How often each outlet is the parent of a lineage edge whose direction is known.
pub fn citations(docs: &[Document], lineage: &Lineage) -> AHashMap<String, usize> {
    let mut cited: AHashMap<String, usize> = AHashMap::new();
    for e in lineage.graph.edge_weights().filter(|e| e.directed) {
        if lineage.inferred_source(e.parent).is_some() {
            continue;
        }
        if let Some(source) = &docs[e.parent as usize].source {
            *cited.entry(source.clone()).or_default() += 1;
        }
    }
    cited
}

/// Plans a deduplication. `lineage` is needed only for [`KeepPolicy::MostCited`] (without
/// it every outlet counts zero citations and the earliest member is kept).
pub fn plan(
    docs: &[Document],
    report: &DupsReport,
    policy: KeepPolicy,
    lineage: Option<&Lineage>,
) -> DedupPlan {
    let cited = lineage.map(|l| citations(docs, l)).unwrap_or_default();
    let cites = |i: u32| {
        docs[i as usize]
            .source
            .as_ref()
            .and_then(|s| cited.get(s))
            .copied()
            .unwrap_or(0)
    };
    let mut keep: Vec<bool> = (0..docs.len())
        .map(|i| report.shingle_counts.get(i).is_none_or(|&n| n > 0))
        .collect();
    let mut dropped = Vec::new();
    for (family, f) in report.families.iter().enumerate() {
        let kept = f.members.iter().copied().min_by(|&x, &y| match policy {
            KeepPolicy::Earliest => earliest(docs, x, y),
            KeepPolicy::Longest => report.shingle_counts[y as usize]
                .cmp(&report.shingle_counts[x as usize])
                .then(earliest(docs, x, y)),
            KeepPolicy::MostCited => cites(y).cmp(&cites(x)).then(earliest(docs, x, y)),
        });
        let Some(kept) = kept else { continue };
        for &m in &f.members {
            if m != kept {
                keep[m as usize] = false;
                dropped.push((m, kept, family));
            }
        }
    }
    dropped.sort_unstable();
    DedupPlan { keep, dropped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dups::{DupsConfig, find_duplicates};

    const STORY: &str = "The National Development and Reform Commission held a seminar on \
        Tuesday to solicit advice from industry experts on the rare earth industry, and said \
        it would take effective measures to optimise the industry's development.";

    fn corpus() -> Vec<Document> {
        vec![
            Document::new("portal", format!("{STORY} Share this."))
                .with_date("2019-06-06")
                .with_source("Portal"),
            Document::new("wire", STORY)
                .with_date("2019-06-05")
                .with_source("Xinhua"),
            Document::new(
                "other",
                "Copper prices rose in Shanghai as stocks fell for a third week.",
            ),
            Document::new(
                "blog",
                format!("{STORY} Share this. Comments are closed here."),
            )
            .with_source("Blog"),
        ]
    }

    #[test]
    fn policies_pick_the_expected_member() {
        let docs = corpus();
        let report = find_duplicates(
            &docs,
            &DupsConfig {
                threshold: 0.7,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(report.families.len(), 1);

        let p = plan(&docs, &report, KeepPolicy::Earliest, None);
        assert_eq!(p.keep, [false, true, true, false]);
        assert_eq!(p.dropped, [(0, 1, 0), (3, 1, 0)]);

        let p = plan(&docs, &report, KeepPolicy::Longest, None);
        assert_eq!(p.keep, [false, false, true, true]);
    }

    #[test]
    fn a_document_without_tokens_is_neither_kept_nor_dropped() {
        let mut docs = corpus();
        docs.push(Document::new("emoji", "🙂🙂 … !!"));
        let report = find_duplicates(&docs, &DupsConfig::default()).unwrap();
        assert_eq!(report.skipped.len(), 1);
        let p = plan(&docs, &report, KeepPolicy::Earliest, None);
        assert!(!p.keep[4]);
        assert!(p.dropped.iter().all(|&(d, _, _)| d != 4));
    }
}
