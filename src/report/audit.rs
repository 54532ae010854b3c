//! A corpus-quality summary: what was read and skipped, how much is duplicated, how stories
//! spread, which outlets are copied and which copy, what boilerplate there is, and what
//! metadata is missing.
//!
//! Definitions (all counts are documents unless said otherwise):
//! - *exact duplicates*: documents whose normalised text (the token sequence) equals that of
//!   an earlier document; the rate is those over documents;
//! - *near duplicates*: members of a near-duplicate family other than its representative
//!   ([`crate::dups`]); the rate is those over documents;
//! - *story families*: connected groups of the lineage graph ([`crate::lineage`]), so an
//!   excerpt joins the story it quotes;
//! - *syndicating sources*: outlets by the number of lineage edges whose parent is theirs;
//!   *copying outlets*: by the number whose child is theirs;
//! - *unseen sources*: inferred source nodes (stories the copies credit to an outlet that
//!   has no document in the corpus), per credited outlet, with the copies pointing at them.

use std::collections::BTreeMap;

use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::{Corpus, SkipReason};
use crate::dups::DupsReport;
use crate::lineage::Lineage;
use crate::normalize::tokenize;
use crate::passage::content_hash;
use crate::trace::Trace;

/// Label used for documents without a `source`.
pub const UNKNOWN_SOURCE: &str = "(unknown)";

/// How many outlets and templates the summary lists.
pub const TOP: usize = 10;

/// Counts and shares of duplicated documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateRate {
    /// Groups of two or more.
    pub groups: usize,
    /// Documents beyond the first of each group.
    pub redundant_documents: usize,
    /// `redundant_documents / documents`.
    pub rate: f64,
}

/// An outlet and a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCount {
    /// Outlet (or [`UNKNOWN_SOURCE`]).
    pub source: String,
    /// Lineage edges.
    pub edges: usize,
}

/// Stories from sources the corpus lacks, for one credited outlet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnseenSource {
    /// The credited outlet (as normalised in credits: lowercase words).
    pub outlet: String,
    /// Inferred sources (stories) credited to it.
    pub stories: usize,
    /// Copies pointing at them.
    pub copies: usize,
}

/// A boilerplate template in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateCount {
    /// The template's first 120 characters.
    pub text: String,
    /// Documents carrying it.
    pub documents: usize,
    /// Which rule found it.
    pub rule: crate::boilerplate::Rule,
}

/// A formula shared by several stories (template passages, see [`crate::formula`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameCount {
    /// The frame's wording, its first 120 characters (`…` where the specifics differ).
    pub text: String,
    /// Unrelated stories using it.
    pub stories: usize,
    /// Documents using it.
    pub documents: usize,
}

/// The corpus-quality summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// Records read in all.
    pub records_read: usize,
    /// Documents with text that took part.
    pub documents: usize,
    /// Records skipped, by reason.
    pub skipped_by_reason: BTreeMap<&'static str, usize>,
    /// Kept documents with a warning.
    pub warnings: usize,
    /// Identical normalised texts.
    pub exact_duplicates: DuplicateRate,
    /// Near-duplicate families.
    pub near_duplicates: DuplicateRate,
    /// Story families in the lineage graph.
    pub story_families: usize,
    /// Documents in story families (inferred sources not counted).
    pub documents_in_stories: usize,
    /// Inferred sources: stories whose original is not in the corpus.
    pub inferred_sources: usize,
    /// Inferred sources per credited outlet, most stories first.
    pub unseen_sources: Vec<UnseenSource>,
    /// Family size → number of families.
    pub story_family_sizes: BTreeMap<usize, usize>,
    /// Lineage edges.
    pub lineage_edges: usize,
    /// Outlets most often copied.
    pub top_syndicating_sources: Vec<SourceCount>,
    /// Outlets that copy most.
    pub top_copying_outlets: Vec<SourceCount>,
    /// Boilerplate templates found in all.
    pub boilerplate_templates: usize,
    /// The most widespread templates.
    pub top_boilerplate: Vec<TemplateCount>,
    /// Passages that are formulas (same wording, other specifics; or stock phrases), not
    /// reuse and not lineage evidence.
    pub template_passages: usize,
    /// Formulas those passages share.
    pub template_frames: usize,
    /// Passages inside quotation marks in both documents (one speaker quoted by two
    /// write-ups), not reuse and not lineage evidence.
    pub quote_passages: usize,
    /// The formulas used by most stories.
    pub top_template_frames: Vec<FrameCount>,
    /// Documents with no date or one that is not ISO 8601.
    pub missing_dates: usize,
    /// Of those, documents whose date was given but not ISO 8601.
    pub unparseable_dates: usize,
    /// Documents without a source.
    pub missing_sources: usize,
    /// Records skipped for having no id.
    pub missing_ids: usize,
}

fn rate(redundant: usize, documents: usize) -> f64 {
    if documents == 0 {
        0.0
    } else {
        (redundant as f64 / documents as f64 * 1e6).round() / 1e6
    }
}

fn top(counts: AHashMap<String, usize>) -> Vec<SourceCount> {
    let mut v: Vec<SourceCount> = counts
        .into_iter()
        .map(|(source, edges)| SourceCount { source, edges })
        .collect();
    v.sort_by(|a, b| b.edges.cmp(&a.edges).then(a.source.cmp(&b.source)));
    v.truncate(TOP);
    v
}

fn exact_duplicates(corpus: &Corpus, dups: &DupsReport) -> DuplicateRate {
    let hashes: Vec<(u64, usize)> = corpus
        .documents
        .par_iter()
        .map(|d| {
            let tokens = tokenize(&d.text);
            (content_hash(&tokens), tokens.len())
        })
        .collect();
    let mut groups: AHashMap<u64, usize> = AHashMap::new();
    for &(h, n) in &hashes {
        if n > 0 {
            *groups.entry(h).or_default() += 1;
        }
    }
    let redundant: usize = groups.values().map(|n| n - 1).sum();
    DuplicateRate {
        groups: groups.values().filter(|&&n| n > 1).count(),
        redundant_documents: redundant,
        rate: rate(redundant, dups.documents),
    }
}

/// Who copies whom: directed edges counted by the parent's and the child's outlet, and
/// the stories of unseen sources with their copies, per credited outlet.
struct Flows {
    syndicating: AHashMap<String, usize>,
    copying: AHashMap<String, usize>,
    unseen_sources: Vec<UnseenSource>,
}

impl Flows {
    fn count(docs: &[crate::corpus::Document], lineage: &Lineage) -> Flows {
        let source_of = |i: u32| {
            lineage
                .node(docs, i)
                .source
                .unwrap_or(UNKNOWN_SOURCE)
                .to_string()
        };
        let mut syndicating: AHashMap<String, usize> = AHashMap::new();
        let mut copying: AHashMap<String, usize> = AHashMap::new();
        let mut unseen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        // Only edges whose direction is known say who copies whom; an inferred parent is
        // counted with the unseen sources, not as an outlet of the corpus.
        for e in lineage.graph.edge_weights().filter(|e| e.directed) {
            if let Some(s) = lineage.inferred_source(e.parent) {
                let outlet = s.outlet.clone().unwrap_or_else(|| UNKNOWN_SOURCE.into());
                unseen.entry(outlet).or_default().1 += 1;
            } else {
                *syndicating.entry(source_of(e.parent)).or_default() += 1;
            }
            *copying.entry(source_of(e.child)).or_default() += 1;
        }
        for s in &lineage.inferred {
            let outlet = s.outlet.clone().unwrap_or_else(|| UNKNOWN_SOURCE.into());
            unseen.entry(outlet).or_default().0 += 1;
        }
        let mut unseen_sources: Vec<UnseenSource> = unseen
            .into_iter()
            .map(|(outlet, (stories, copies))| UnseenSource {
                outlet,
                stories,
                copies,
            })
            .collect();
        unseen_sources.sort_by(|x, y| y.stories.cmp(&x.stories).then(x.outlet.cmp(&y.outlet)));
        unseen_sources.truncate(TOP);
        Flows {
            syndicating,
            copying,
            unseen_sources,
        }
    }
}

fn top_boilerplate(trace: &Trace) -> Vec<TemplateCount> {
    trace
        .boilerplate
        .templates
        .iter()
        .take(TOP)
        .map(|t| TemplateCount {
            text: t.text.chars().take(120).collect(),
            documents: t.documents,
            rule: t.rule,
        })
        .collect()
}

fn top_frames(trace: &Trace) -> Vec<FrameCount> {
    trace
        .frames
        .frames
        .iter()
        .take(TOP)
        .map(|f| FrameCount {
            text: f.text.chars().take(120).collect(),
            stories: f.stories,
            documents: f.documents,
        })
        .collect()
}

/// Builds the summary from a corpus and its trace and lineage.
pub fn audit(corpus: &Corpus, trace: &Trace, lineage: &Lineage) -> Audit {
    let dups = &trace.dups;
    let docs = &corpus.documents;
    let mut skipped_by_reason: BTreeMap<&'static str, usize> = BTreeMap::new();
    for s in corpus.skipped.iter().chain(&dups.skipped) {
        *skipped_by_reason.entry(s.reason.kind()).or_default() += 1;
    }
    let near_redundant: usize = dups.families.iter().map(|f| f.members.len() - 1).sum();

    let flows = Flows::count(docs, lineage);
    let mut story_family_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for members in lineage.family_members() {
        *story_family_sizes.entry(members.len()).or_default() += 1;
    }

    let unparseable_dates = docs
        .iter()
        .filter(|d| {
            d.timestamp.is_none() && d.date.as_deref().is_some_and(|s| !s.trim().is_empty())
        })
        .count();
    Audit {
        records_read: corpus.records_read(),
        documents: dups.documents,
        skipped_by_reason,
        warnings: corpus.warnings.len(),
        exact_duplicates: exact_duplicates(corpus, dups),
        near_duplicates: DuplicateRate {
            groups: dups.families.len(),
            redundant_documents: near_redundant,
            rate: rate(near_redundant, dups.documents),
        },
        story_families: lineage.families,
        documents_in_stories: lineage.graph.node_count() - lineage.inferred.len(),
        inferred_sources: lineage.inferred.len(),
        unseen_sources: flows.unseen_sources,
        story_family_sizes,
        lineage_edges: lineage.graph.edge_count(),
        top_syndicating_sources: top(flows.syndicating),
        top_copying_outlets: top(flows.copying),
        boilerplate_templates: trace.boilerplate.templates.len(),
        top_boilerplate: top_boilerplate(trace),
        template_passages: trace.judged_passages(false),
        quote_passages: trace.judged_passages(true),
        template_frames: trace.frames.frames.len(),
        top_template_frames: top_frames(trace),
        missing_dates: docs.iter().filter(|d| d.timestamp.is_none()).count(),
        unparseable_dates,
        missing_sources: docs.iter().filter(|d| d.source.is_none()).count(),
        missing_ids: corpus
            .skipped
            .iter()
            // A missing-field skip without an id is a missing id (text is checked after it).
            .filter(|s| matches!(s.reason, SkipReason::MissingField(_)) && s.id.is_none())
            .count(),
    }
}
